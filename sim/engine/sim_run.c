/* sim_run.c - the event loop of one run.
 *
 * Time advances through the event queue only. Events at the same instant
 * run in this order (their priority):
 *   0 instance ready / instance gone   capacity at t is settled first
 *   1 record                           closes the interval that ends at t
 *   2 scrape                           the monitor samples what [t-scrape, t) showed
 *   3 evaluate                         a policy decides from what it has seen
 *   4 tick                             the latency model covers [t, t+tick)
 *   5 end
 * Per tick and tier the analytic model (sim_latency) is advanced; nothing
 * on that path allocates, prints or formats. */
#include "sim_run.h"

#include "as_detect.h"
#include "as_forecast.h"
#include "as_monitor.h"
#include "as_policy.h"
#include "as_quality.h"
#include "as_queueing.h"
#include "sim_des.h"
#include "sim_latency.h"
#include "sim_queue.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { EV_READY, EV_GONE, EV_CRASH, EV_RETIRE, EV_RECORD, EV_SCRAPE, EV_EVAL, EV_TICK, EV_END };
static const int ev_prio[] = {0, 0, 0, 0, 1, 2, 3, 4, 5};

enum { I_FREE, I_BOOTING, I_READY, I_DRAINING };

typedef struct instance {
    int state;
    uint32_t gen;
    as_time requested, ready_at;
    bool fails; /* this boot will fail (fault injection) */
    int type;   /* index into the tier's instance types */
} instance;

typedef struct tier {
    const sim_tier_cfg *cfg;
    double mu, f, slo_share; /* service rate; Allen-Cunneen factor; per-visit latency budget */
    instance *inst;
    int ninst;
    int ready, booting, draining;
    int type;                 /* the type new instances get */
    int units;                /* ready capacity in base units: sum of ready factors */
    double price_rate;        /* price per hour of every billed instance */
    as_time resize_until;     /* a type change is in progress until then */
    as_time next_vertical;    /* when the type is next reconsidered */
    double peak_want;         /* largest recommendation since, in base units */
    sim_tierlat lat;
    sim_latmix imix, rmix; /* this interval, whole run */
    gsl_rng *rng;          /* boot times, monitoring noise */
    as_monitor *mon_util, *mon_rate, *mon_lat; /* what the policy sees */
    as_policy *policy;
    as_forecaster *fc;
    as_detector *det;
    int horizon;
    double *fmean, *flo, *fhi; /* forecast buffers, length horizon */
    double last_fc[3];         /* forecast made for "now", for the record */
    bool have_fc;              /* fmean[0] holds a forecast for the next evaluation */
    /* forecast accuracy: one-step MASE against in-sample seasonal naive */
    double fc_err, fc_scale;
    long fc_n, fc_sn;
    double *season_ring;       /* the last m observed rates (m = season steps) */
    int season_m, season_n, season_head;
    /* accumulators: interval (record) and scrape */
    double i_arr, i_util, i_queue, i_drop, i_ready, i_inflight, i_units;
    double s_util, s_time, s_lat, s_w;
    double arrivals_total;    /* the request counter the monitor scrapes */
    double d_busy, d_cap, d_arr; /* DES: interval totals at the last scrape */
    double s_busy, s_cap;     /* DES: busy and capacity server-seconds of this scrape */
    double d_drop;            /* DES: requests dropped so far */
    int faults;               /* crashes and failed boots */
    as_quality quality;
    double billed_cost;       /* exact, closed instances */
    double ready_time;        /* integral of ready instances, s */
    int peak;
} tier;

typedef struct run {
    const sim_scenario *sc;
    const sim_policy_cfg *pc;
    const sim_sink *sink;    /* where rows go (NULL: nowhere) */
    sim_queue q;
    tr_stream *trace;
    tier tiers[SIM_MAX_TIERS];
    int nt;
    /* future arrival rates at tick resolution, for oracle views */
    double *ring;
    size_t ring_cap;
    as_time ring_t0;   /* time of ring[ring_head] */
    size_t ring_head, ring_n;
    as_time horizon_t; /* how far ahead the ring reaches */
    double *oracle_buf;
    /* run-wide accumulators */
    double i_rate, i_viol, i_time;
    double viol_s, cost_integral, max_lat;
    int actions;
    double pctl;
    as_time scrape;   /* this policy's view of monitoring */
    gsl_rng *fault_rng;
    sim_des *des;     /* request-level model (model = des), else NULL */
    as_err *err;
} run;

/* Hand an action row to the sink, if it keeps actions. */
static int emit_action(run *R, const sim_action_row *a)
{
    if (R->sink == NULL || R->sink->action == NULL)
        return AS_OK;
    return R->sink->action(R->sink->ud, a, R->err);
}

/* ---- trace ring ---- */

static int ring_fill(run *R, as_time upto)
{
    as_time tick = R->sc->tick;
    while (R->ring_n < R->ring_cap) {
        as_time t = R->ring_t0 + (as_time)R->ring_n * tick;
        if (t > upto || t >= R->sc->duration)
            break;
        double rate;
        int rc = tr_stream_rate(R->trace, t, &rate, R->err);
        if (rc != AS_OK)
            return rc;
        if (!isfinite(rate) || rate < 0)
            return as_err_set(R->err, AS_EINVAL, "trace gave an invalid rate %g at t=%gs", rate,
                              as_time_to_s(t));
        R->ring[(R->ring_head + R->ring_n) % R->ring_cap] = rate;
        R->ring_n++;
    }
    return AS_OK;
}

/* Rate at tick time t (t = ring_t0 + k*tick, k < ring_n). */
static double ring_at(const run *R, as_time t)
{
    size_t k = (size_t)((t - R->ring_t0) / R->sc->tick);
    if (k >= R->ring_n)
        k = R->ring_n ? R->ring_n - 1 : 0;
    return R->ring[(R->ring_head + k) % R->ring_cap];
}

static void ring_pop(run *R)
{
    R->ring_head = (R->ring_head + 1) % R->ring_cap;
    R->ring_n--;
    R->ring_t0 += R->sc->tick;
}

/* ---- instances ---- */

static double draw_boot(tier *T, int type)
{
    const sim_tier_cfg *c = T->cfg;
    double m = as_time_to_s(c->types[type].boot), j = as_time_to_s(c->boot_jitter), v = m;
    switch (c->boot_dist) {
    case SIM_DIST_UNIFORM:
        v = m - j + 2 * j * gsl_rng_uniform(T->rng);
        break;
    case SIM_DIST_NORMAL:
        v = m + gsl_ran_gaussian_ziggurat(T->rng, j);
        break;
    case SIM_DIST_LOGNORMAL:
        if (m > 0 && j > 0) {
            double s2 = log(1 + (j * j) / (m * m));
            v = gsl_ran_lognormal(T->rng, log(m) - s2 / 2, sqrt(s2));
        }
        break;
    case SIM_DIST_EXP:
        v = gsl_ran_exponential(T->rng, m);
        break;
    default:
        break;
    }
    return v < 0 ? 0 : v;
}

static void bill(tier *T, instance *in, as_time now)
{
    const sim_tier_cfg *c = T->cfg;
    double used = as_time_to_s(now - in->requested);
    T->billed_cost += as_billed_seconds(used, as_time_to_s(c->billing_granularity),
                                        as_time_to_s(c->billing_minimum)) *
                      c->types[in->type].price / 3600.0;
}

/* An instance leaves billing (and, if it was ready, the ready capacity is
 * the caller's to update). */
static void release(tier *T, instance *in, as_time now)
{
    bill(T, in, now);
    T->price_rate -= T->cfg->types[in->type].price;
    in->state = I_FREE;
    in->gen++;
}

static int factor_of(const tier *T, const instance *in) { return T->cfg->types[in->type].factor; }

/* The execution limits over all tiers: a quota of instances and a budget
 * per hour cap what a scale-out may add; the reason says which applied. */
static int limit_out(const run *R, int ti, int desired, as_reason *why)
{
    const sim_scenario *sc = R->sc;
    const tier *T = &R->tiers[ti];
    int current = T->ready + T->booting;
    if (desired <= current)
        return desired;
    if (sc->max_instances > 0) {
        int used = 0;
        for (int i = 0; i < R->nt; i++)
            used += R->tiers[i].ready + R->tiers[i].booting + R->tiers[i].draining;
        int room = sc->max_instances - used;
        if (desired - current > room) {
            desired = current + (room > 0 ? room : 0);
            *why = AS_R_QUOTA;
        }
    }
    double price = T->cfg->types[T->type].price;
    if (sc->budget > 0 && price > 0) {
        double rate = 0;
        for (int i = 0; i < R->nt; i++)
            rate += R->tiers[i].price_rate;
        int room = (int)floor((sc->budget - rate) / price + 1e-9);
        if (desired - current > room) {
            desired = current + (room > 0 ? room : 0);
            *why = AS_R_BUDGET;
        }
    }
    return desired;
}

/* Request one instance of the tier's current type in free slot k. */
static int launch(run *R, int ti, int k, as_time now)
{
    tier *T = &R->tiers[ti];
    instance *in = &T->inst[k];
    in->state = I_BOOTING;
    in->gen++;
    in->requested = now;
    in->type = T->type;
    T->price_rate += T->cfg->types[in->type].price;
    double bs = draw_boot(T, in->type);
    if (R->sc->boot_outlier > 0 && gsl_rng_uniform(R->fault_rng) < R->sc->boot_outlier)
        bs *= R->sc->boot_outlier_factor;
    in->fails = R->sc->boot_failure > 0 && gsl_rng_uniform(R->fault_rng) < R->sc->boot_failure;
    as_time boot = (as_time)llround(bs * 1e6);
    T->booting++;
    if (sim_queue_push(&R->q, now + boot, ev_prio[EV_READY], EV_READY, ti, k, in->gen))
        return as_err_set(R->err, AS_ENOMEM, "out of memory (events)");
    return AS_OK;
}

static int scale_to(run *R, int ti, int desired, as_time now)
{
    tier *T = &R->tiers[ti];
    int current = T->ready + T->booting;
    for (int k = 0; k < T->ninst && current < desired; k++) {
        if (T->inst[k].state != I_FREE)
            continue;
        int rc = launch(R, ti, k, now);
        if (rc != AS_OK)
            return rc;
        current++;
    }
    while (current > desired) {
        /* booting instances go first (newest first), then ready ones in
         * the tier's scale-in order */
        int pick = -1;
        for (int k = 0; k < T->ninst; k++) {
            instance *in = &T->inst[k];
            if (in->state == I_BOOTING &&
                (pick < 0 || T->inst[pick].state != I_BOOTING ||
                 in->requested >= T->inst[pick].requested))
                pick = k;
            else if (in->state == I_READY && (pick < 0 || T->inst[pick].state == I_READY)) {
                bool newer = pick < 0 || in->ready_at >= T->inst[pick].ready_at;
                if (pick < 0 || (T->cfg->scale_in == SIM_SCALEIN_NEWEST ? newer : !newer))
                    pick = k;
            }
        }
        if (pick < 0)
            break;
        instance *in = &T->inst[pick];
        if (in->state == I_BOOTING) {
            T->booting--;
            release(T, in, now);
        } else {
            T->ready--;
            T->units -= factor_of(T, in);
            if (T->cfg->drain_time > 0) {
                in->state = I_DRAINING;
                in->gen++;
                T->draining++;
                if (sim_queue_push(&R->q, now + T->cfg->drain_time, ev_prio[EV_GONE], EV_GONE,
                                   ti, pick, in->gen))
                    return as_err_set(R->err, AS_ENOMEM, "out of memory (events)");
            } else {
                release(T, in, now);
            }
        }
        current--;
    }
    if (T->ready + T->booting > T->peak)
        T->peak = T->ready + T->booting;
    return AS_OK;
}

/* ---- setup ---- */

static double service_scv(const sim_tier_cfg *c)
{
    switch (c->service_dist) {
    case SIM_DIST_EXP:
        return 1.0;
    case SIM_DIST_DET:
        return 0.0;
    default:
        return c->service_cv * c->service_cv;
    }
}

static int setup(run *R, const sim_scenario *sc, int policy, uint64_t seed, as_err *err)
{
    R->sc = sc;
    R->pc = &sc->policies[policy];
    R->err = err;
    R->nt = sc->ntiers;
    R->fault_rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (R->fault_rng == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    gsl_rng_set(R->fault_rng, (unsigned long)as_seed_derive(seed, 7));
    R->pctl = sc->slo_percentile;
    int rc = sim_queue_init(&R->q, 256, err);
    if (rc)
        return rc;
    /* The latency budget of the SLO is shared among tiers in proportion to
     * their mean time per request, so that demand per tier is defined. */
    double total_work = 0;
    for (int i = 0; i < R->nt; i++)
        total_work += sc->tiers[i].visits * as_time_to_s(sc->tiers[i].service_time);
    as_time maxboot = 0;
    for (int i = 0; i < R->nt; i++) {
        tier *T = &R->tiers[i];
        const sim_tier_cfg *c = &sc->tiers[i];
        T->cfg = c;
        T->mu = 1.0 / as_time_to_s(c->service_time);
        T->f = (1.0 + service_scv(c)) / 2.0; /* Poisson arrivals: ca2 = 1 */
        double share = total_work > 0 ? c->visits * as_time_to_s(c->service_time) / total_work
                                      : 1.0 / R->nt;
        T->slo_share = c->visits > 0 ? sc->slo_latency * share / c->visits : sc->slo_latency;
        T->ninst = 2 * c->max + 8;
        T->inst = calloc((size_t)T->ninst, sizeof *T->inst);
        T->rng = gsl_rng_alloc(gsl_rng_mt19937);
        if (T->inst == NULL || T->rng == NULL)
            return as_err_set(err, AS_ENOMEM, "out of memory (tier %s)", c->name);
        gsl_rng_set(T->rng, (unsigned long)as_seed_derive(seed, 100 + (uint64_t)i));
        sim_tierlat_init(&T->lat, T->mu, T->f, c->concurrency, c->queue_cap);
        if ((rc = sim_latmix_init(&T->imix, T->mu, err)) ||
            (rc = sim_latmix_init(&T->rmix, T->mu, err)))
            return rc;
        /* what this policy sees: [monitoring], its own metric_* keys, and
         * the fault's extra delay */
        const sim_policy_cfg *pc0 = &sc->policies[policy];
        as_time scrape = pc0->m_scrape > 0 ? pc0->m_scrape : sc->scrape;
        as_time window = pc0->m_window > 0 ? pc0->m_window : sc->window;
        as_time lag = (pc0->m_lag > 0 ? pc0->m_lag : sc->lag) + sc->metric_delay;
        if (window < scrape)
            window = scrape;
        R->scrape = scrape;
        T->mon_util = as_monitor_new(scrape, window, lag, err);
        T->mon_rate = as_monitor_new(scrape, window + scrape, lag, err);
        T->mon_lat = as_monitor_new(scrape, window, lag, err);
        if (T->mon_util == NULL || T->mon_rate == NULL || T->mon_lat == NULL)
            return err->code;
        int agg = pc0->m_agg >= 0 ? pc0->m_agg : sc->aggregation;
        as_monitor_set_agg(T->mon_util, (as_agg)agg, sc->agg_percentile);
        as_monitor_set_agg(T->mon_lat, (as_agg)agg, sc->agg_percentile);
        /* the request rate is a counter, read as Prometheus rate() does; its
         * window reaches one scrape further so that it spans `window` */
        as_monitor_set_agg(T->mon_rate, AS_AGG_RATE, 0);
        as_quality_init(&T->quality);
        if (c->autoscale && (R->pc->tiers_mask == 0 || (R->pc->tiers_mask >> i & 1u))) {
            T->policy = as_policy_new(R->pc->type, R->pc->cfg, err);
            if (T->policy == NULL)
                return err->code;
        }
        for (int k = 0; k < c->ntypes; k++)
            if (c->types[k].boot > maxboot)
                maxboot = c->types[k].boot;
        for (int k = 0; k < c->initial; k++) {
            instance *in = &T->inst[k];
            in->state = I_READY;
            in->requested = 0;
            in->ready_at = 0;
            in->type = c->type;
            T->ready++;
            T->units += c->types[c->type].factor;
            T->price_rate += c->types[c->type].price;
        }
        T->type = c->type;
        T->next_vertical = 30 * AS_MIN; /* a first window of recommendations */
        T->peak = T->ready;
    }
    /* forecasting kinds: one forecaster (and detector) per tier, fed with
     * the monitored rate at every evaluation */
    const sim_policy_cfg *pc = R->pc;
    bool oracle = strcmp(pc->type->name, "oracle") == 0;
    for (int i = 0; i < R->nt; i++) {
        tier *T = &R->tiers[i];
        T->last_fc[0] = T->last_fc[1] = T->last_fc[2] = NAN;
        if (!pc->type->wants_forecast || T->policy == NULL)
            continue;
        as_time tb = 0;
        for (int k = 0; k < T->cfg->ntypes; k++)
            tb = T->cfg->types[k].boot > tb ? T->cfg->types[k].boot : tb;
        T->horizon = (int)((tb + pc->interval - 1) / pc->interval) + 2;
        if (oracle) {
            /* the oracle sees the future at tick resolution, up to boot
             * time plus one interval (see oracle_view) */
            continue;
        }
        T->fmean = calloc(3 * (size_t)T->horizon, sizeof(double));
        if (T->fmean == NULL)
            return as_err_set(err, AS_ENOMEM, "out of memory");
        T->flo = T->fmean + T->horizon;
        T->fhi = T->flo + T->horizon;
        as_forecast_common fcc = {.step = pc->interval,
                                  .season = (int)(pc->season / pc->interval),
                                  .max_horizon = T->horizon,
                                  .coverage = pc->coverage};
        const as_forecaster_type *ft = as_forecaster_type_find(pc->forecaster);
        if (ft == NULL)
            return as_err_set(err, AS_EINVAL, "[policy.%s] unknown forecaster '%s'", pc->name,
                              pc->forecaster);
        T->season_m = fcc.season > 0 ? fcc.season : 1;
        T->season_ring = calloc((size_t)T->season_m, sizeof(double));
        if (T->season_ring == NULL)
            return as_err_set(err, AS_ENOMEM, "out of memory");
        T->fc = as_forecaster_new(ft, &fcc, NULL, err);
        if (T->fc == NULL)
            return as_err_prefix(err, "[policy.%s] forecaster: ", pc->name);
        if (strcmp(pc->detector, "none") != 0 && pc->detector[0]) {
            const as_detector_type *dt = as_detector_type_find(pc->detector);
            if (dt == NULL)
                return as_err_set(err, AS_EINVAL, "[policy.%s] unknown detector '%s'",
                                  pc->name, pc->detector);
            T->det = as_detector_new(dt, NULL, err);
            if (T->det == NULL)
                return err->code;
        }
    }
    if (sc->model == SIM_MODEL_DES) {
        sim_des_tier dt[SIM_MAX_TIERS];
        for (int i = 0; i < R->nt; i++) {
            const sim_tier_cfg *c = &sc->tiers[i];
            dt[i] = (sim_des_tier){.mu = R->tiers[i].mu,
                                   .dist = c->service_dist,
                                   .cv = c->service_cv,
                                   .concurrency = c->concurrency,
                                   .visits = c->visits,
                                   .queue_cap = c->queue_cap,
                                   .max_servers = c->max * c->concurrency};
        }
        R->des = sim_des_new(R->nt, dt, as_seed_derive(seed, 3), err);
        if (R->des == NULL)
            return err->code ? err->code : AS_EINVAL;
    }
    /* the ring reaches boot time + interval + a tick ahead (oracle only) */
    R->horizon_t = oracle ? maxboot + pc->interval + sc->tick : 0;
    R->ring_cap = (size_t)(R->horizon_t / sc->tick) + 2;
    R->ring = malloc(R->ring_cap * sizeof *R->ring);
    R->oracle_buf = oracle ? malloc(R->ring_cap * sizeof(double)) : NULL;
    if (R->ring == NULL || (oracle && R->oracle_buf == NULL))
        return as_err_set(err, AS_ENOMEM, "out of memory (trace ring)");
    R->trace = tr_stream_open(sc->trace, sim_trace_seed(seed), sc->duration, err);
    if (R->trace == NULL)
        return err->code ? err->code : AS_EINVAL;
    return AS_OK;
}

static void teardown(run *R)
{
    for (int i = 0; i < R->nt; i++) {
        tier *T = &R->tiers[i];
        free(T->inst);
        gsl_rng_free(T->rng);
        sim_latmix_fini(&T->imix);
        sim_latmix_fini(&T->rmix);
        as_monitor_free(T->mon_util);
        as_monitor_free(T->mon_rate);
        as_monitor_free(T->mon_lat);
        as_policy_free(T->policy);
        as_forecaster_free(T->fc);
        free(T->season_ring);
        as_detector_free(T->det);
        free(T->fmean);
    }
    free(R->ring);
    free(R->oracle_buf);
    if (R->fault_rng)
        gsl_rng_free(R->fault_rng);
    sim_des_free(R->des);
    tr_stream_free(R->trace);
    sim_queue_fini(&R->q);
}

/* ---- events ---- */

/* Request-level tick: the DES serves [now, now + tick) with the ready
 * counts of now; its statistics are read at scrapes and records. */
static int des_tick(run *R, as_time now, double lambda)
{
    double dt = as_time_to_s(R->sc->tick);
    int ready[SIM_MAX_TIERS];
    for (int i = 0; i < R->nt; i++)
        ready[i] = R->tiers[i].units; /* servers = units x concurrency */
    int rc = sim_des_advance(R->des, now, now + R->sc->tick, lambda, ready, R->err);
    if (rc != AS_OK)
        return rc;
    for (int i = 0; i < R->nt; i++) {
        tier *T = &R->tiers[i];
        T->i_ready += T->ready * dt;
        T->i_units += T->units * dt;
        T->ready_time += T->ready * dt;
        T->s_time += dt;
        R->cost_integral += T->price_rate * dt / 3600.0;
    }
    R->i_rate += lambda * dt;
    R->i_time += dt;
    return AS_OK;
}

static int do_tick(run *R, as_time now)
{
    double dt = as_time_to_s(R->sc->tick);
    double lambda = ring_at(R, now);
    if (R->des)
        return des_tick(R, now, lambda);
    double e2e = 0.0;
    for (int i = 0; i < R->nt; i++) {
        tier *T = &R->tiers[i];
        double li = lambda * T->cfg->visits;
        sim_tick_out o;
        sim_tierlat_tick(&T->lat, li, T->units, dt, R->pctl, &o);
        double w = li * dt;
        if (o.fluid)
            sim_latmix_add_delay(&T->imix, w, o.delay);
        else
            sim_latmix_add_mmc(&T->imix, w, o.pwait, o.theta);
        e2e += T->cfg->visits * o.quantile;
        T->i_arr += w;
        T->i_util += o.util * dt;
        T->i_queue += o.queue * dt;
        T->i_inflight += (o.queue + o.util * T->units * T->cfg->concurrency) * dt;
        T->i_drop += o.dropped;
        T->i_ready += T->ready * dt;
        T->i_units += T->units * dt;
        T->ready_time += T->ready * dt;
        T->s_util += o.util * dt;
        T->s_time += dt;
        T->s_lat += o.quantile * w;
        T->s_w += w;
        T->arrivals_total += w;
        R->cost_integral += T->price_rate * dt / 3600.0;
    }
    R->i_rate += lambda * dt;
    R->i_time += dt;
    if (e2e > R->sc->slo_latency && lambda > 0) {
        R->i_viol += dt;
        R->viol_s += dt;
    }
    return AS_OK;
}

static int do_record(run *R, as_time now)
{
    double T_s = R->i_time > 0 ? R->i_time : 1.0;
    sim_ts_row row = {.t = as_time_to_s(now), .rate = R->i_rate / T_s};
    row.forecast = R->tiers[0].last_fc[0];
    row.lo = R->tiers[0].last_fc[1];
    row.hi = R->tiers[0].last_fc[2];
    double p50 = 0, p95 = 0, p99 = 0, cost_rate = 0;
    for (int i = 0; i < R->nt; i++) {
        tier *T = &R->tiers[i];
        double q50, q95, q99;
        if (R->des) {
            sim_des_stats st;
            sim_des_interval(R->des, i, &st);
            q50 = st.p50;
            q95 = st.p95;
            q99 = st.p99;
            double span = st.span_s > 0 ? st.span_s : T_s;
            T->i_arr = (double)st.arrivals;
            T->i_util = st.capacity_s > 0 ? st.busy_s / st.capacity_s * T_s : 0.0;
            T->i_queue = st.queue_s / span * T_s;
            T->i_inflight = (st.queue_s + st.busy_s) / span * T_s;
            T->i_drop = (double)st.dropped;
            T->d_drop += (double)st.dropped;
            /* the interval restarts below: carry its tail into the scrape */
            T->s_busy += st.busy_s - T->d_busy;
            T->s_cap += st.capacity_s - T->d_cap;
            T->arrivals_total += (double)st.arrivals - T->d_arr;
            T->d_busy = T->d_cap = T->d_arr = 0;
        } else {
            q50 = sim_latmix_quantile(&T->imix, 0.5);
            q95 = sim_latmix_quantile(&T->imix, 0.95);
            q99 = sim_latmix_quantile(&T->imix, 0.99);
        }
        if (isnan(q50)) /* no arrivals: the latency of a lone request */
            q50 = q95 = q99 = 0.0;
        double li = T->i_arr / T_s;
        int cap = T->cfg->max * 4 + 16;
        int per = T->cfg->concurrency * T->cfg->types[T->type].factor; /* servers each */
        int d = as_mmc_min_servers(li, T->mu, T->f, R->pctl, T->slo_share, cap * per);
        double demand = li > 0 ? ceil((double)d / per) : 0.0;
        if (d > cap * per) /* the SLO share is out of reach */
            demand = T->cfg->max;
        sim_tier_row tr = {.t = row.t,
                           .ready = T->ready,
                           .booting = T->booting,
                           .draining = T->draining,
                           .utilization = T->i_util / T_s,
                           .queue = T->i_queue / T_s,
                           .p50 = q50,
                           .p95 = q95,
                           .p99 = q99,
                           .arrivals = T->i_arr,
                           .dropped = T->i_drop,
                           .demand = demand,
                           .inflight = T->i_inflight / T_s,
                           .seen_utilization = as_monitor_view(T->mon_util, now),
                           .seen_rate = as_monitor_view(T->mon_rate, now)};
        tr.memory = T->cfg->memory_base * T->i_ready / T_s + T->cfg->memory_per_request * tr.inflight;
        if (T->cfg->autoscale)
            as_quality_add(&T->quality, demand,
                           T->i_units / T_s / T->cfg->types[T->type].factor, R->i_time);
        if (R->sink && R->sink->tier_row && R->sink->tier_row(R->sink->ud, i, &tr, R->err))
            return R->err->code;
        p50 += T->cfg->visits * q50;
        p95 += T->cfg->visits * q95;
        p99 += T->cfg->visits * q99;
        cost_rate += T->price_rate;
        row.ready += T->ready;
        row.booting += T->booting;
        sim_latmix_merge(&T->rmix, &T->imix);
        sim_latmix_reset(&T->imix);
        T->i_arr = T->i_util = T->i_queue = T->i_drop = T->i_ready = T->i_inflight = 0;
        T->i_units = 0;
    }
    if (R->des) {
        /* the request level knows end-to-end latency itself: no sum of
         * per-tier percentiles, and the SLO is judged per interval */
        sim_des_stats e;
        sim_des_interval(R->des, -1, &e);
        p50 = e.completions ? e.p50 : 0.0;
        p95 = e.completions ? e.p95 : 0.0;
        p99 = e.completions ? e.p99 : 0.0;
        double q = e.completions ? sim_des_quantile(R->des, -1, R->pctl, 0) : 0.0;
        if (q > R->sc->slo_latency) {
            R->i_viol = R->i_time;
            R->viol_s += R->i_time;
        }
        sim_des_interval_reset(R->des);
    }
    row.p50 = p50;
    row.p95 = p95;
    row.p99 = p99;
    if (p99 > R->max_lat)
        R->max_lat = p99;
    row.cost_rate = cost_rate;
    row.cost = R->cost_integral;
    row.violation = R->i_viol / T_s;
    R->i_rate = R->i_viol = R->i_time = 0;
    if (R->sink && R->sink->row && R->sink->row(R->sink->ud, &row, R->err))
        return R->err->code;
    return AS_OK;
}

static bool in_outage(const sim_scenario *sc, as_time now)
{
    for (int k = 0; k < sc->noutages; k++)
        if (now >= sc->outage_start[k] && now < sc->outage_start[k] + sc->outage_len[k])
            return true;
    return false;
}

static double noisy(const run *R, tier *T, double x)
{
    if (R->sc->noise <= 0 || isnan(x))
        return x;
    double z = gsl_ran_gaussian_ziggurat(T->rng, 1.0);
    double v = R->sc->noise_type == SIM_NOISE_ADDITIVE ? x + R->sc->noise * z
                                                       : x * (1.0 + R->sc->noise * z);
    return v < 0 ? 0 : v;
}

/* One scrape: what each tier showed since the last one. Utilisation is
 * over ready instances only (booting ones have no metric, as pods in
 * initialisation are left out by the HPA); latency is the arrival-weighted
 * mean of the per-tick percentile; the request count is a counter. During
 * a metric outage every sample is missing (NAN), never zero. */
static void do_scrape(run *R, as_time now)
{
    bool out = in_outage(R->sc, now);
    for (int i = 0; i < R->nt; i++) {
        tier *T = &R->tiers[i];
        if (T->s_time <= 0) {
            /* no tick since the last scrape (scrape shorter than tick): the
             * counter is still a valid sample; the gauges have nothing new */
            as_monitor_push(T->mon_rate, now, out ? NAN : T->arrivals_total);
            continue;
        }
        if (R->des) {
            /* interval totals since the last record; differences since
             * the last scrape are this scrape's */
            sim_des_stats st;
            sim_des_interval(R->des, i, &st);
            double db = T->s_busy + st.busy_s - T->d_busy;
            double dc = T->s_cap + st.capacity_s - T->d_cap;
            T->arrivals_total += (double)st.arrivals - T->d_arr;
            T->s_util = dc > 0 ? db / dc * T->s_time : 0.0;
            T->s_busy = T->s_cap = 0;
            T->s_lat = st.completions ? st.p95 : NAN;
            T->s_w = 1.0;
            T->d_busy = st.busy_s;
            T->d_cap = st.capacity_s;
            T->d_arr = (double)st.arrivals;
        }
        double u = T->ready > 0 ? T->s_util / T->s_time : NAN;
        double l = T->s_w > 0 ? T->s_lat / T->s_w : NAN;
        double c = T->arrivals_total;
        if (R->sc->noise > 0) {
            u = noisy(R, T, u);
            l = noisy(R, T, l);
        }
        as_monitor_push(T->mon_util, now, out ? NAN : u);
        as_monitor_push(T->mon_lat, now, out ? NAN : l);
        as_monitor_push(T->mon_rate, now, out ? NAN : c);
        T->s_util = T->s_time = T->s_lat = T->s_w = 0;
    }
}

/* The oracle's view: the true rate of tier T at tick resolution from now
 * to now + horizon_t (as far as the run goes). */
static void oracle_view(run *R, tier *T, as_time now, as_forecast_view *v)
{
    size_t n = 0;
    for (as_time t = now; t <= now + R->horizon_t && t < R->sc->duration && n < R->ring_cap;
         t += R->sc->tick)
        R->oracle_buf[n++] = ring_at(R, t) * T->cfg->visits;
    if (n == 0)
        R->oracle_buf[n++] = ring_at(R, now) * T->cfg->visits;
    v->h = (int)n;
    v->step = R->sc->tick;
    v->mean = v->lo = v->hi = R->oracle_buf;
    v->anomaly = false;
}

/* Vertical scaling: the capacity the policy asked for (desired instances
 * of the current type) bought with the type that costs least for it. A
 * switch replaces the tier: instances of the new type are requested now,
 * the old ones keep serving and are retired when the new type's boot time
 * has passed (the replacement delay), so capacity never dips. A switch
 * needs a saving of 10% (no flapping between near-equal types) and waits
 * for the previous one to finish. Returns the new type, or the current. */
static int cheapest_type(const tier *T, double want_units, int min, int max,
                         int *count)
{
    /* want_units: the largest recommendation of the last period, before
     * min/max, in base units (instances x factor), so that the new type
     * holds the recent peak and a floor of big instances does not hide
     * that small ones would do */
    const sim_tier_cfg *c = T->cfg;
    double servers = (want_units > 1 ? want_units : 1) * c->concurrency;
    int cur_per = c->concurrency * c->types[T->type].factor;
    int cur = (int)ceil(servers / cur_per - 1e-9);
    cur = cur < min ? min : cur > max ? max : cur;
    int best = T->type;
    *count = cur;
    double best_cost = cur * c->types[T->type].price;
    for (int k = 0; k < c->ntypes; k++) {
        if (k == T->type)
            continue;
        int per = c->concurrency * c->types[k].factor;
        int n = (int)ceil(servers / per - 1e-9);
        if (n < min)
            n = min;
        if (n > max)
            continue; /* this type cannot hold the capacity */
        double cost = n * c->types[k].price;
        if (cost < 0.9 * best_cost) {
            best = k;
            best_cost = cost;
            *count = n;
        }
    }
    return best;
}

static int resize(run *R, int ti, int type, int count, as_time now)
{
    tier *T = &R->tiers[ti];
    int from = T->ready + T->booting, old = T->type;
    T->type = type;
    as_time delay = T->cfg->types[type].boot;
    for (int k = 0; k < T->ninst; k++) {
        instance *in = &T->inst[k];
        if ((in->state == I_READY || in->state == I_BOOTING) && in->type != type &&
            sim_queue_push(&R->q, now + delay, ev_prio[EV_RETIRE], EV_RETIRE, ti, k, in->gen))
            return as_err_set(R->err, AS_ENOMEM, "out of memory (events)");
    }
    int made = 0;
    for (int k = 0; k < T->ninst && made < count; k++)
        if (T->inst[k].state == I_FREE) {
            int rc = launch(R, ti, k, now);
            if (rc != AS_OK)
                return rc;
            made++;
        }
    T->resize_until = now + delay + R->pc->interval;
    R->actions++;
    if (R->sink == NULL || R->sink->action == NULL)
        return AS_OK;
    sim_action_row a = {.t = as_time_to_s(now), .tier = ti, .from = from, .raw = count,
                        .to = count, .utilization = NAN, .rate = NAN};
    snprintf(a.reason, sizeof a.reason, "resize:%s>%s", T->cfg->types[old].name,
             T->cfg->types[type].name);
    return emit_action(R, &a);
}

/* An instance of a replaced type leaves once its replacement had time to
 * boot: a ready one drains like a scale-in, a booting one is cancelled. */
static int do_retire(run *R, int ti, int k, uint32_t gen, as_time now)
{
    tier *T = &R->tiers[ti];
    instance *in = &T->inst[k];
    if (in->gen != gen || in->type == T->type)
        return AS_OK;
    if (in->state == I_BOOTING) {
        T->booting--;
        release(T, in, now);
    } else if (in->state == I_READY) {
        T->ready--;
        T->units -= factor_of(T, in);
        if (T->cfg->drain_time > 0) {
            in->state = I_DRAINING;
            in->gen++;
            T->draining++;
            if (sim_queue_push(&R->q, now + T->cfg->drain_time, ev_prio[EV_GONE], EV_GONE, ti, k,
                               in->gen))
                return as_err_set(R->err, AS_ENOMEM, "out of memory (events)");
        } else {
            release(T, in, now);
        }
    }
    return AS_OK;
}

/* The tier that limits latency: the largest observed p95 relative to the
 * tier's share of the latency target (what a bottleneck-aware autoscaler
 * reads off per-tier latency). Ties and missing views count as limiting. */
static bool is_bottleneck(const run *R, int ti, as_time now)
{
    double mine = as_monitor_view(R->tiers[ti].mon_lat, now) / R->tiers[ti].slo_share;
    if (isnan(mine))
        return true;
    for (int i = 0; i < R->nt; i++) {
        if (i == ti || R->tiers[i].policy == NULL)
            continue;
        double other = as_monitor_view(R->tiers[i].mon_lat, now) / R->tiers[i].slo_share;
        if (other > mine)
            return false;
    }
    return true;
}

static int do_eval(run *R, int ti, as_time now)
{
    tier *T = &R->tiers[ti];
    const sim_tier_cfg *c = T->cfg;
    as_observation obs = {.now = now,
                          .current = T->ready + T->booting,
                          .ready = T->ready,
                          .booting = T->booting,
                          .min = R->pc->min > c->min ? R->pc->min : c->min,
                          .max = R->pc->max > 0 && R->pc->max < c->max ? R->pc->max : c->max,
                          .utilization = as_monitor_view(T->mon_util, now),
                          .rate = as_monitor_view(T->mon_rate, now),
                          .latency = as_monitor_view(T->mon_lat, now),
                          .capacity = c->concurrency * c->types[T->type].factor * T->mu,
                          .service_rate = T->mu,
                          .concurrency = c->concurrency * c->types[T->type].factor,
                          .scv_factor = T->f,
                          .slo_latency = T->slo_share,
                          .slo_percentile = R->pctl,
                          .boot_time = c->types[T->type].boot};
    as_forecast_view view, *vp = NULL;
    if (R->oracle_buf) {
        oracle_view(R, T, now, &view);
        vp = &view;
    } else if (T->fc) {
        double y = obs.rate;
        bool flag = false;
        if (T->det)
            as_detector_observe(T->det, now, y, &flag);
        /* what the last evaluation forecast for now, against what came */
        T->last_fc[0] = T->have_fc ? T->fmean[0] : NAN;
        T->last_fc[1] = T->have_fc ? T->flo[0] : NAN;
        T->last_fc[2] = T->have_fc ? T->fhi[0] : NAN;
        if (!isnan(y)) {
            if (T->have_fc) {
                T->fc_err += fabs(y - T->fmean[0]);
                T->fc_n++;
            }
            if (T->season_n == T->season_m) {
                T->fc_scale += fabs(y - T->season_ring[T->season_head]);
                T->fc_sn++;
            } else {
                T->season_n++;
            }
            T->season_ring[T->season_head] = y;
            T->season_head = (T->season_head + 1) % T->season_m;
        }
        as_forecaster_update(T->fc, now, y);
        as_forecaster_predict(T->fc, T->horizon, T->fmean, T->flo, T->fhi);
        T->have_fc = true;
        view = (as_forecast_view){.h = T->horizon,
                                  .step = R->pc->interval,
                                  .mean = T->fmean,
                                  .lo = T->flo,
                                  .hi = T->fhi,
                                  .anomaly = flag};
        vp = &view;
    }
    as_decision d;
    as_policy_decide(T->policy, &obs, vp, &d);
    if (R->pc->bottleneck && d.desired > obs.current && !is_bottleneck(R, ti, now)) {
        d.desired = obs.current; /* another tier limits latency: scale that one */
        d.reason = AS_R_NONE;
    }
    as_reason why = d.reason;
    int lim = limit_out(R, ti, d.desired, &why);
    if (lim != d.desired) {
        d.desired = lim;
        d.reason = why;
    }
    if (R->pc->vertical && c->ntypes > 1) {
        /* the type is reconsidered every 30 minutes for the peak of what the
         * policy asked in that time (as a VPA recommends from a window);
         * while a replacement runs, counts mix two types: hold them */
        double want = (double)d.raw * c->types[T->type].factor;
        if (want > T->peak_want)
            T->peak_want = want;
        if (now < T->resize_until)
            return AS_OK;
        if (now >= T->next_vertical) {
            int count, type = cheapest_type(T, T->peak_want, obs.min, obs.max, &count);
            T->peak_want = 0;
            T->next_vertical = now + 30 * AS_MIN;
            if (type != T->type)
                return resize(R, ti, type, count, now);
        }
    }
    bool changed = d.desired != obs.current;
    /* kept from changing: by a limit, or by a missing metric */
    bool held = !changed && (d.raw != obs.current || d.reason == AS_R_MISSING_METRIC);
    if (changed || held) {
        sim_action_row a = {.t = as_time_to_s(now),
                            .tier = ti,
                            .from = obs.current,
                            .raw = d.raw,
                            .to = d.desired,
                            .utilization = obs.utilization,
                            .rate = obs.rate};
        snprintf(a.reason, sizeof a.reason, "%s", as_reason_name(d.reason));
        if (emit_action(R, &a) != AS_OK)
            return R->err->code;
    }
    if (changed) {
        R->actions++;
        return scale_to(R, ti, d.desired, now);
    }
    return AS_OK;
}

static int push(run *R, as_time t, int type, int a, int b, uint32_t gen)
{
    if (sim_queue_push(&R->q, t, ev_prio[type], type, a, b, gen))
        return as_err_set(R->err, AS_ENOMEM, "out of memory (events)");
    return AS_OK;
}

/* A fault is recorded among the actions with its own reason. */
static int record_fault(run *R, int ti, as_time now, const char *what, int from, int to)
{
    tier *T = &R->tiers[ti];
    T->faults++;
    if (R->sink == NULL || R->sink->action == NULL)
        return AS_OK;
    sim_action_row a = {.t = as_time_to_s(now), .tier = ti, .from = from, .raw = to, .to = to,
                        .utilization = NAN, .rate = NAN};
    snprintf(a.reason, sizeof a.reason, "%s", what);
    return emit_action(R, &a);
}

/* Crashes: a Poisson process at crash_rate per ready instance-hour; the
 * next one is drawn at the rate of the ready count when it is drawn. */
static int schedule_crash(run *R, int ti, as_time now)
{
    double per_s = R->sc->crash_rate / 3600.0 * (R->tiers[ti].ready > 0 ? R->tiers[ti].ready : 1);
    if (!(per_s > 0))
        return AS_OK;
    as_time dt = (as_time)llround(gsl_ran_exponential(R->fault_rng, 1.0 / per_s) * 1e6) + 1;
    if (now + dt >= R->sc->duration)
        return AS_OK;
    return push(R, now + dt, EV_CRASH, ti, 0, 0);
}

static int do_crash(run *R, int ti, as_time now)
{
    tier *T = &R->tiers[ti];
    if (T->ready > 0) {
        /* a uniformly chosen ready instance dies: billing stops, nothing drains */
        int pick = (int)gsl_rng_uniform_int(R->fault_rng, (unsigned long)T->ready), seen = 0;
        for (int k = 0; k < T->ninst; k++) {
            instance *in = &T->inst[k];
            if (in->state != I_READY)
                continue;
            if (seen++ == pick) {
                T->ready--;
                T->units -= factor_of(T, in);
                release(T, in, now);
                int rc = record_fault(R, ti, now, "crash", T->ready + T->booting + 1,
                                      T->ready + T->booting);
                if (rc != AS_OK)
                    return rc;
                break;
            }
        }
    }
    return schedule_crash(R, ti, now);
}

int sim_run_policy(const sim_scenario *sc, int policy, const sim_sink *sink,
                   const sim_run_opts *opts, sim_summary_row *sum, as_err *err)
{
    run *R = calloc(1, sizeof *R);
    if (R == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    const char *name = opts && opts->name ? opts->name : sc->policies[policy].name;
    uint64_t seed = opts && opts->seed ? *opts->seed : sc->seed;
    int rc = setup(R, sc, policy, seed, err);
    R->sink = sink;
    const as_time end = sc->duration, tick = sc->tick;
    if (rc == AS_OK)
        rc = push(R, 0, EV_TICK, 0, 0, 0);
    if (rc == AS_OK)
        rc = push(R, sc->record, EV_RECORD, 0, 0, 0);
    if (rc == AS_OK)
        rc = push(R, R->scrape, EV_SCRAPE, 0, 0, 0);
    for (int i = 0; rc == AS_OK && i < R->nt; i++)
        if (R->tiers[i].policy)
            rc = push(R, R->pc->interval, EV_EVAL, i, 0, 0);
    if (rc == AS_OK)
        rc = push(R, end, EV_END, 0, 0, 0);
    for (int i = 0; rc == AS_OK && i < R->nt; i++)
        if (sc->crash_rate > 0)
            rc = schedule_crash(R, i, 0);

    uint64_t ticks = 0;
    sim_event ev;
    bool done = false;
    while (rc == AS_OK && !done && sim_queue_pop(&R->q, &ev)) {
        as_time now = ev.t;
        switch (ev.type) {
        case EV_TICK:
            if ((rc = ring_fill(R, now + R->horizon_t)) != AS_OK)
                break;
            if ((rc = do_tick(R, now)) != AS_OK)
                break;
            ring_pop(R);
            if (now + tick < end)
                rc = push(R, now + tick, EV_TICK, 0, 0, 0);
            if ((++ticks & 0x3FFFF) == 0) {
                if (opts && opts->stop && *opts->stop)
                    rc = as_err_set(err, AS_EINTR, "interrupted");
                else if (opts && opts->progress)
                    opts->progress(opts->progress_ud, (double)now / (double)end);
            }
            break;
        case EV_RECORD: {
            double mean_rate = R->i_time > 0 ? R->i_rate / R->i_time : 0.0;
            if ((rc = do_record(R, now)) != AS_OK)
                break;
            if (opts && opts->record_trace && sink && sink->trace)
                rc = sink->trace(sink->ud, as_time_to_s(now), mean_rate, err);
            if (rc == AS_OK && now + sc->record <= end)
                rc = push(R, now + sc->record, EV_RECORD, 0, 0, 0);
            break;
        }
        case EV_SCRAPE:
            do_scrape(R, now);
            if (now + R->scrape < end)
                rc = push(R, now + R->scrape, EV_SCRAPE, 0, 0, 0);
            break;
        case EV_EVAL:
            rc = do_eval(R, ev.a, now);
            if (rc == AS_OK && now + R->pc->interval < end)
                rc = push(R, now + R->pc->interval, EV_EVAL, ev.a, 0, 0);
            break;
        case EV_READY: {
            tier *T = &R->tiers[ev.a];
            instance *in = &T->inst[ev.b];
            if (in->gen != ev.gen || in->state != I_BOOTING)
                break; /* cancelled: scaled in while booting */
            if (in->fails) { /* billed for the attempt, never serves */
                T->booting--;
                release(T, in, now);
                rc = record_fault(R, ev.a, now, "boot_failure", T->ready + T->booting + 1,
                                  T->ready + T->booting);
                break;
            }
            in->state = I_READY;
            in->ready_at = now;
            T->booting--;
            T->ready++;
            T->units += factor_of(T, in);
            break;
        }
        case EV_GONE: {
            tier *T = &R->tiers[ev.a];
            instance *in = &T->inst[ev.b];
            if (in->gen != ev.gen || in->state != I_DRAINING)
                break;
            T->draining--;
            release(T, in, now);
            break;
        }
        case EV_CRASH:
            rc = do_crash(R, ev.a, now);
            break;
        case EV_RETIRE:
            rc = do_retire(R, ev.a, ev.b, ev.gen, now);
            break;
        case EV_END:
            done = true;
            break;
        }
    }
    if (rc == AS_OK) {
        /* bill what still runs at the end */
        for (int i = 0; i < R->nt; i++)
            for (int k = 0; k < R->tiers[i].ninst; k++)
                if (R->tiers[i].inst[k].state != I_FREE)
                    bill(&R->tiers[i], &R->tiers[i].inst[k], end);
        memset(sum, 0, sizeof *sum);
        snprintf(sum->run, sizeof sum->run, "%s", name);
        snprintf(sum->kind, sizeof sum->kind, "%s", R->pc->type->name);
        double dur = as_time_to_s(end), pen_h = R->viol_s / 3600.0;
        double ready_time = 0, peak = 0;
        as_quality_result qa = {0};
        int nq = 0;
        for (int i = 0; i < R->nt; i++) {
            tier *T = &R->tiers[i];
            sum->cost_infra += T->billed_cost;
            sum->dropped += T->lat.dropped;
            sum->faults += T->faults;
            sum->p50 += T->cfg->visits * sim_latmix_quantile(&T->rmix, 0.5);
            sum->p95 += T->cfg->visits * sim_latmix_quantile(&T->rmix, 0.95);
            sum->p99 += T->cfg->visits * sim_latmix_quantile(&T->rmix, 0.99);
            ready_time += T->ready_time;
            peak += T->peak;
            if (T->cfg->autoscale) {
                as_quality_result q;
                as_quality_result_get(&T->quality, &q);
                qa.theta_u += q.theta_u;
                qa.theta_o += q.theta_o;
                qa.tau_u += q.tau_u;
                qa.tau_o += q.tau_o;
                qa.instability += q.instability;
                qa.jitter += q.jitter;
                nq++;
            }
        }
        if (R->des) {
            sum->p50 = sim_des_quantile(R->des, -1, 0.5, 1);
            sum->p95 = sim_des_quantile(R->des, -1, 0.95, 1);
            sum->p99 = sim_des_quantile(R->des, -1, 0.99, 1);
            sum->dropped = 0;
            for (int i = 0; i < R->nt; i++)
                sum->dropped += R->tiers[i].d_drop;
        }
        if (isnan(sum->p50))
            sum->p50 = sum->p95 = sum->p99 = 0.0;
        if (nq > 0) { /* tiers averaged */
            sum->theta_u = qa.theta_u / nq;
            sum->theta_o = qa.theta_o / nq;
            sum->tau_u = qa.tau_u / nq;
            sum->tau_o = qa.tau_o / nq;
            sum->instability = qa.instability / nq;
            sum->jitter = qa.jitter / nq;
        }
        sum->cost_penalty = pen_h * sc->penalty_per_hour;
        sum->cost_total = sum->cost_infra + sum->cost_penalty;
        sum->slo_violation_s = R->viol_s;
        sum->slo_violation_pct = 100.0 * R->viol_s / dur;
        sum->latency_max = R->max_lat;
        sum->mean_instances = ready_time / dur;
        sum->peak_instances = peak;
        sum->actions = R->actions;
        sum->meets_slo = R->viol_s <= sc->max_violation * dur;
        /* one-step forecast MASE, pooled over the forecasting tiers */
        double fe = 0, fs = 0;
        long fn = 0, fsn = 0;
        for (int i = 0; i < R->nt; i++) {
            fe += R->tiers[i].fc_err;
            fn += R->tiers[i].fc_n;
            fs += R->tiers[i].fc_scale;
            fsn += R->tiers[i].fc_sn;
        }
        sum->forecast_mase = fn > 0 && fsn > 0 && fs > 0 ? (fe / fn) / (fs / fsn) : NAN;
        sum->elastic_speedup = NAN;
        sum->deviation = NAN;
    }
    teardown(R);
    free(R);
    return rc;
}

uint64_t sim_trace_seed(uint64_t seed) { return as_seed_derive(seed, 1); }
