/* sim_engine.c - building and freeing a run (see sim_engine.h): the tiers
 * and their instances, what each policy sees (monitors), forecasters and
 * detectors, the request-level model within its limits, the trace replay,
 * and the events a run starts with. Everything a run allocates is taken
 * here, so that the event loop (sim_run.c) does not allocate. */
#include "sim_engine_int.h"

#include "sim_budget.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(SIM_MAX_TIERS <= AS_EXEC_MAX_POOLS, "a pool per tier");
_Static_assert(SIM_MAX_TIERS <= SIM_DES_MAX_TIERS, "a DES tier per tier");
_Static_assert((int)SIM_DIST_EXP == (int)AS_SVC_EXP && (int)SIM_DIST_DET == (int)AS_SVC_DET &&
                   (int)SIM_DIST_UNIFORM == (int)AS_SVC_UNIFORM &&
                   (int)SIM_DIST_NORMAL == (int)AS_SVC_NORMAL &&
                   (int)SIM_DIST_LOGNORMAL == (int)AS_SVC_LOGNORMAL,
               "one numbering of service laws");


static bool sees_future(const sim_policy_cfg *pc)
{
    return (pc->type->flags & AS_KIND_SEES_FUTURE) != 0;
}

/* ---- instances ---- */

static int setup_exec(sim_engine *R, as_err *err)
{
    const sim_scenario *sc = R->sc;
    as_pool_cfg pcfg[SIM_MAX_TIERS];
    for (int i = 0; i < R->nt; i++) {
        const sim_tier_cfg *c = &sc->tiers[i];
        as_pool_cfg *p = &pcfg[i];
        memset(p, 0, sizeof *p);
        p->slots = 2 * c->max + 8;
        p->concurrency = c->concurrency;
        p->ntypes = c->ntypes;
        for (int k = 0; k < c->ntypes && k < AS_EXEC_MAX_TYPES; k++)
            p->types[k] = (as_itype){c->types[k].factor, c->types[k].price, c->types[k].boot};
        p->type = c->type;
        p->initial = c->initial;
        p->granularity = c->billing_granularity;
        p->minimum = c->billing_minimum;
        p->drains = c->drain_time > 0;
        p->oldest_first = c->scale_in == SIM_SCALEIN_OLDEST;
    }
    as_exec_limits lim = {.max_instances = sc->max_instances, .budget = sc->budget};
    R->ex = as_exec_new(&lim, R->nt, pcfg, err);
    if (R->ex == NULL)
        return err->code;
    for (int i = 0; i < R->nt; i++)
        R->tiers[i].P = &R->ex->pools[i];
    return AS_OK;
}

/* ---- one tier ---- */

/* What this policy sees of tier T: [monitoring], its own metric_* keys,
 * and the fault's extra delay. */
static int setup_monitors(sim_engine *R, sim_tier *T, as_err *err)
{
    const sim_scenario *sc = R->sc;
    const sim_policy_cfg *pc = R->pc;
    as_time scrape = pc->m_scrape > 0 ? pc->m_scrape : sc->scrape;
    as_time window = pc->m_window > 0 ? pc->m_window : sc->window;
    as_time lag = (pc->m_lag > 0 ? pc->m_lag : sc->lag) + sc->metric_delay;
    if (window < scrape)
        window = scrape;
    R->scrape = scrape;
    T->mon_util = as_monitor_new(scrape, window, lag, err);
    T->mon_rate = as_monitor_new(scrape, window + scrape, lag, err);
    /* how old, on average, the rate a policy sees is: the lag, half of the
     * rate's window, and half a scrape of sample-and-hold */
    T->data_age = lag + (window + scrape) / 2 + scrape / 2;
    T->mon_lat = as_monitor_new(scrape, window, lag, err);
    if (T->mon_util == NULL || T->mon_rate == NULL || T->mon_lat == NULL)
        return err->code;
    int agg = pc->m_agg >= 0 ? pc->m_agg : sc->aggregation;
    as_monitor_set_agg(T->mon_util, (as_agg)agg, sc->agg_percentile);
    as_monitor_set_agg(T->mon_lat, (as_agg)agg, sc->agg_percentile);
    for (int k = 0; k < AS_SIG_COUNT; k++) {
        if ((T->mon_sig[k] = as_monitor_new(scrape, window, lag, err)) == NULL)
            return err->code;
        as_monitor_set_agg(T->mon_sig[k], (as_agg)agg, sc->agg_percentile);
    }
    /* the request rate is a counter, read as Prometheus rate() does; its
     * window reaches one scrape further so that it spans `window` */
    as_monitor_set_agg(T->mon_rate, AS_AGG_RATE, 0);
    return AS_OK;
}

static int setup_tier(sim_engine *R, int i, double total_work, uint64_t seed, as_err *err)
{
    const sim_scenario *sc = R->sc;
    sim_tier *T = &R->tiers[i];
    const sim_tier_cfg *c = &sc->tiers[i];
    T->cfg = c;
    sim_tierlat_cfg lc = {.no_record = !(R->sink && R->sink->tier_row),
                          .visits = c->visits,
                          .queue_cap = c->queue_cap,
                          .tmax = as_time_to_s(sc->timeout),
                          .p = sc->slo_percentile,
                          .concurrency = c->concurrency};
    int rc = as_svclaw_init(&lc.svc, c->service_dist, as_time_to_s(c->service_time),
                            c->service_dist == SIM_DIST_EXP ? 1.0 : c->service_cv, err);
    if (rc != AS_OK)
        return as_err_prefix(err, "[tier.%s] ", c->name);
    /* one shape table per service law's (dist, cv) (sim_latency.h); its
     * owner is freed first, and a borrower's fini leaves it alone */
    for (int k = 0; k < i && lc.shapes == NULL; k++)
        if (R->tiers[k].lat.cfg.svc.dist == lc.svc.dist && R->tiers[k].lat.cfg.svc.cv == lc.svc.cv &&
            R->tiers[k].lat.cfg.shapes == NULL)
            lc.shapes = R->tiers[k].lat.sh;
    T->mu = 1.0 / lc.svc.m1;
    T->f = (1.0 + lc.svc.scv) / 2.0; /* Poisson arrivals: ca2 = 1 */
    /* the latency budget of the SLO is shared among tiers in proportion to
     * their mean time per request, so that demand per tier is defined */
    double share = total_work > 0 ? c->visits * as_time_to_s(c->service_time) / total_work
                                  : 1.0 / R->nt;
    T->slo_share = c->visits > 0 ? sc->slo_latency * share / c->visits : sc->slo_latency;
    T->rng = gsl_rng_alloc(gsl_rng_mt19937);
    T->pods = calloc((size_t)T->P->cfg.slots, sizeof *T->pods);
    if (T->rng == NULL || T->pods == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory (tier %s)", c->name);
    gsl_rng_set(T->rng, (unsigned long)as_seed_derive(seed, 100 + (uint64_t)i));
    if ((rc = sim_tierlat_init(&T->lat, &lc, err)) || (rc = setup_monitors(R, T, err)))
        return rc;
    T->R = R;
    T->sizer = (as_sizer){.servers = sim_tier_servers, .max_rate = sim_tier_max_rate, .ud = T};
    as_quality_init(&T->quality);
    if (c->autoscale && (R->pc->tiers_mask == 0 || (R->pc->tiers_mask >> i & 1u))) {
        T->policy = as_policy_new(R->pc->type, R->pc->cfg, err);
        if (T->policy == NULL)
            return err->code;
        T->sigs = as_policy_signals(T->policy);
    }
    T->next_vertical = 30 * AS_MIN; /* a first window of recommendations */
    T->last_fc[0] = T->last_fc[1] = T->last_fc[2] = NAN;
    return AS_OK;
}

/* Forecasting kinds: one forecaster (and detector) per tier with a
 * policy, fed with the monitored rate at every evaluation. */
static int setup_forecast(sim_engine *R, sim_tier *T, as_err *err)
{
    const sim_policy_cfg *pc = R->pc;
    if (!(pc->type->flags & AS_KIND_NEEDS_FORECAST) || T->policy == NULL)
        return AS_OK;
    as_time tb = 0;
    for (int k = 0; k < T->cfg->ntypes; k++)
        tb = T->cfg->types[k].boot > tb ? T->cfg->types[k].boot : tb;
    /* the view reaches boot time plus one interval past the data's age */
    T->horizon = (int)((tb + T->data_age + pc->interval - 1) / pc->interval) + 2;
    if (sees_future(pc)) /* the oracle sees the trace itself (sim_act.c) */
        return AS_OK;
    T->fmean = calloc(3 * (size_t)T->horizon, sizeof(double));
    if (T->fmean == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    T->flo = T->fmean + T->horizon;
    T->fhi = T->flo + T->horizon;
    as_forecast_common fcc = {.step = pc->interval,
                              .season = (int)(pc->season / pc->interval),
                              .max_horizon = T->horizon,
                              .coverage = pc->coverage,
                              .nonneg = true}; /* an arrival rate */
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
            return as_err_set(err, AS_EINVAL, "[policy.%s] unknown detector '%s'", pc->name,
                              pc->detector);
        T->det = as_detector_new(dt, NULL, err);
        if (T->det == NULL)
            return err->code;
    }
    return AS_OK;
}

/* ---- the request-level model, within its limits ---- */

static int setup_des(sim_engine *R, uint64_t seed, as_err *err)
{
    sim_des_tier dt[SIM_MAX_TIERS];
    for (int i = 0; i < R->nt; i++) {
        const sim_tier_cfg *c = &R->sc->tiers[i];
        dt[i] = (sim_des_tier){.mu = R->tiers[i].mu,
                               .dist = c->service_dist,
                               .cv = c->service_cv,
                               .concurrency = c->concurrency,
                               .visits = c->visits,
                               .queue_cap = c->queue_cap,
                               .max_servers = c->max * c->concurrency};
    }
    sim_budget b;
    int rc = sim_budget_des(R->sc, sim_trace_seed(seed), R->opts.max_events, R->opts.max_memory,
                            R->opts.stop, dt, &b, err);
    if (rc != AS_OK)
        return rc;
    for (int i = 0; i < R->nt; i++)
        R->tiers[i].derived_cap = b.derived[i];
    R->des = sim_des_new(R->nt, dt, as_seed_derive(seed, 3), err);
    if (R->des == NULL)
        return err->code ? err->code : AS_EINVAL;
    sim_des_set_stop(R->des, R->opts.stop);
    const sim_scenario *sc = R->sc;
    sim_des_clients cl = {.timeout_s = as_time_to_s(sc->timeout),
                          .retries = sc->retries,
                          .backoff_s = as_time_to_s(sc->backoff),
                          .backoff_max_s = as_time_to_s(sc->backoff_max)};
    sim_des_book_cfg bk;
    sim_budget_book(sc, R->opts.max_memory, &bk);
    return sim_des_configure(R->des, &cl, &bk, err);
}

/* The ring of future rates reaches boot time + interval + a tick ahead
 * (the oracle's view); one slot otherwise. */
static int setup_ring(sim_engine *R, as_time maxboot, uint64_t seed, as_err *err)
{
    const sim_scenario *sc = R->sc;
    bool oracle = sees_future(R->pc);
    R->horizon_t = oracle ? maxboot + R->pc->interval + sc->tick : 0;
    R->ring_cap = (size_t)(R->horizon_t / sc->tick) + 2;
    R->ring = malloc(R->ring_cap * sizeof *R->ring);
    R->oracle_buf = oracle ? malloc(R->ring_cap * sizeof(double)) : NULL;
    R->oracle_lift = oracle ? calloc(R->ring_cap, sizeof(int)) : NULL;
    if (R->ring == NULL || (oracle && (R->oracle_buf == NULL || R->oracle_lift == NULL)))
        return as_err_set(err, AS_ENOMEM, "out of memory (trace ring)");
    R->trace = tr_stream_open(sc->trace, sim_trace_seed(seed), sc->duration, err);
    if (R->trace == NULL)
        return err->code ? err->code : AS_EINVAL;
    tr_stream_tabulate(R->trace, sc->tick); /* (the ring asks at each tick) */
    return AS_OK;
}

static int setup(sim_engine *R, uint64_t seed, as_err *err)
{
    const sim_scenario *sc = R->sc;
    R->fault_rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (R->fault_rng == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    gsl_rng_set(R->fault_rng, (unsigned long)as_seed_derive(seed, 7));
    R->pctl = sc->slo_percentile;
    int rc = sim_queue_init(&R->q, 256, err);
    if (rc == AS_OK)
        rc = setup_exec(R, err);
    double total_work = 0;
    as_time maxboot = 0;
    for (int i = 0; i < R->nt; i++) {
        total_work += sc->tiers[i].visits * as_time_to_s(sc->tiers[i].service_time);
        for (int k = 0; k < sc->tiers[i].ntypes; k++)
            if (sc->tiers[i].types[k].boot > maxboot)
                maxboot = sc->tiers[i].types[k].boot;
    }
    for (int i = 0; rc == AS_OK && i < R->nt; i++)
        rc = setup_tier(R, i, total_work, seed, err);
    for (int i = 0; rc == AS_OK && i < R->nt; i++)
        rc = setup_forecast(R, &R->tiers[i], err);
    if (rc == AS_OK && sc->nnodepools > 0 && sim_nodes_new(R, seed, err) == NULL)
        rc = err->code;
    maxboot += sim_nodes_boot_bound(sc); /* 0 without node pools */
    if (rc == AS_OK && sc->model == SIM_MODEL_DES)
        rc = setup_des(R, seed, err);
    if (rc == AS_OK)
        rc = setup_ring(R, maxboot, seed, err);
    if (rc == AS_OK)
        rc = sim_rows_init(R, err);
    return rc;
}

/* The events a run starts with; their order fixes the FIFO order of ties. */
static int first_events(sim_engine *R)
{
    const sim_scenario *sc = R->sc;
    R->tick_next = 0; /* the tick is not queued (sim_run.c) */
    int rc = sim_push(R, sc->record, SIM_EV_RECORD, 0, 0, 0);
    if (rc == AS_OK)
        rc = sim_push(R, R->scrape, SIM_EV_SCRAPE, 0, 0, 0);
    for (int i = 0; rc == AS_OK && i < R->nt; i++)
        if (R->tiers[i].policy)
            rc = sim_push(R, R->pc->interval, SIM_EV_EVAL, i, 0, 0);
    if (rc == AS_OK)
        rc = sim_push(R, sc->duration, SIM_EV_END, 0, 0, 0);
    for (int i = 0; rc == AS_OK && i < R->nt; i++)
        if (sc->crash_rate > 0)
            rc = sim_schedule_crash(R, i, 0);
    if (rc == AS_OK && R->nodes)
        rc = sim_nodes_start(R);
    return rc;
}

sim_engine *sim_engine_new(const sim_scenario *sc, int policy, const sim_sink *sink,
                           const sim_run_opts *opts, as_err *err)
{
    if (sc == NULL || policy < 0 || policy >= sc->npolicies) {
        as_err_set(err, AS_EINVAL, "no policy %d in the scenario", policy);
        return NULL;
    }
    sim_engine *R = calloc(1, sizeof *R);
    if (R == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory");
        return NULL;
    }
    R->sc = sc;
    R->pc = &sc->policies[policy];
    R->sink = sink;
    R->nt = sc->ntiers;
    R->err = &R->errbuf;
    if (opts)
        R->opts = *opts;
    snprintf(R->name, sizeof R->name, "%s", R->opts.name ? R->opts.name : R->pc->name);
    uint64_t seed = R->opts.seed ? *R->opts.seed : sc->seed;
    int rc = setup(R, seed, err);
    if (rc == AS_OK) {
        rc = first_events(R);
        if (rc != AS_OK && err)
            *err = R->errbuf;
    }
    if (rc != AS_OK) {
        if (err && err->code == AS_OK)
            err->code = rc;
        sim_engine_free(R);
        return NULL;
    }
    return R;
}

void sim_engine_free(sim_engine *R)
{
    if (R == NULL)
        return;
    for (int i = 0; i < SIM_MAX_TIERS; i++) {
        sim_tier *T = &R->tiers[i];
        if (T->rng)
            gsl_rng_free(T->rng);
        sim_tierlat_fini(&T->lat);
        as_monitor_free(T->mon_util);
        as_monitor_free(T->mon_rate);
        as_monitor_free(T->mon_lat);
        for (int k = 0; k < AS_SIG_COUNT; k++)
            as_monitor_free(T->mon_sig[k]);
        free(T->pods);
        as_policy_free(T->policy);
        as_forecaster_free(T->fc);
        free(T->season_ring);
        as_detector_free(T->det);
        free(T->fmean);
    }
    as_exec_free(R->ex);
    free(R->ring);
    free(R->oracle_buf);
    free(R->oracle_lift);
    if (R->fault_rng)
        gsl_rng_free(R->fault_rng);
    sim_rows_fini(R);
    sim_des_free(R->des);
    sim_nodes_free(R->nodes);
    tr_stream_free(R->trace);
    sim_queue_fini(&R->q);
    free(R);
}

bool sim_engine_done(const sim_engine *e) { return e->done; }

as_time sim_engine_now(const sim_engine *e) { return e->q.now; }

const as_pool *sim_engine_pool(const sim_engine *e, int tier)
{
    return tier >= 0 && tier < e->nt ? &e->ex->pools[tier] : NULL;
}

int sim_engine_summary(const sim_engine *e, sim_summary_row *sum, as_err *err)
{
    if (!e->done)
        return as_err_set(err, AS_EINVAL, "the run is not done (t = %g s)",
                          as_time_to_s(e->q.now));
    sim_engine_summarize(e, sum);
    return AS_OK;
}
