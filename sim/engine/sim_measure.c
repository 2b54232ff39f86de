/* sim_measure.c - what the cluster shows: the latency model over each tick
 * (analytic per tier, or the request-level model), the rows of each record
 * interval, and the samples each scrape hands the monitors.
 * Per tick and tier nothing here allocates, prints or formats; a record
 * formats nothing either (rows are handed to the sink as structs). */
#include "sim_engine_int.h"

#include "as_queueing.h"

#include <gsl/gsl_randist.h>
#include <math.h>

/* ---- the trace ring: rates at tick times, as far ahead as the oracle sees ---- */

int sim_ring_fill(sim_engine *R, as_time upto)
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
double sim_ring_at(const sim_engine *R, as_time t)
{
    size_t k = (size_t)((t - R->ring_t0) / R->sc->tick);
    if (k >= R->ring_n)
        k = R->ring_n ? R->ring_n - 1 : 0;
    return R->ring[(R->ring_head + k) % R->ring_cap];
}

void sim_ring_pop(sim_engine *R)
{
    R->ring_head = (R->ring_head + 1) % R->ring_cap;
    R->ring_n--;
    R->ring_t0 += R->sc->tick;
}

/* ---- ticks ---- */

/* Request-level tick: the DES serves [now, now + tick) with the ready
 * counts of now; its statistics are read at scrapes and records. */
static int des_tick(sim_engine *R, as_time now, double lambda)
{
    double dt = as_time_to_s(R->sc->tick);
    int ready[SIM_MAX_TIERS];
    for (int i = 0; i < R->nt; i++)
        ready[i] = R->tiers[i].P->units; /* servers = units x concurrency */
    int rc = sim_des_advance(R->des, now, now + R->sc->tick, lambda, ready, R->err);
    if (rc != AS_OK)
        return rc;
    for (int i = 0; i < R->nt; i++) {
        sim_tier *T = &R->tiers[i];
        T->i_ready += T->P->ready * dt;
        T->i_units += T->P->units * dt;
        T->ready_time += T->P->ready * dt;
        T->s_time += dt;
        R->cost_integral += T->P->price_rate * dt / 3600.0;
    }
    R->i_rate += lambda * dt;
    R->i_time += dt;
    return AS_OK;
}

int sim_tick(sim_engine *R, as_time now)
{
    double dt = as_time_to_s(R->sc->tick);
    double lambda = sim_ring_at(R, now);
    if (R->des)
        return des_tick(R, now, lambda);
    double e2e = 0.0;
    for (int i = 0; i < R->nt; i++) {
        sim_tier *T = &R->tiers[i];
        const as_pool *P = T->P;
        double li = lambda * T->cfg->visits;
        sim_tick_out o;
        sim_tierlat_tick(&T->lat, li, P->units, dt, R->pctl, &o);
        double w = li * dt;
        if (o.fluid)
            sim_latmix_add_delay(&T->imix, w, o.delay);
        else
            sim_latmix_add_mmc(&T->imix, w, o.pwait, o.theta);
        e2e += T->cfg->visits * o.quantile;
        T->i_arr += w;
        T->i_util += o.util * dt;
        T->i_queue += o.queue * dt;
        T->i_inflight += (o.queue + o.util * P->units * T->cfg->concurrency) * dt;
        T->i_drop += o.dropped;
        T->i_ready += P->ready * dt;
        T->i_units += P->units * dt;
        T->ready_time += P->ready * dt;
        T->s_util += o.util * dt;
        T->s_time += dt;
        T->s_lat += o.quantile * w;
        T->s_w += w;
        T->s_queue += o.queue * dt;
        T->s_inflight += (o.queue + o.util * P->units * T->cfg->concurrency) * dt;
        T->arrivals_total += w;
        R->cost_integral += P->price_rate * dt / 3600.0;
    }
    R->i_rate += lambda * dt;
    R->i_time += dt;
    if (e2e > R->sc->slo_latency && lambda > 0) {
        R->i_viol += dt;
        R->viol_s += dt;
    }
    return AS_OK;
}

/* ---- records ---- */

/* Tier i's per-visit percentiles of the interval into q; with the
 * request-level model also its counters, and the interval's tail is
 * carried into the scrape under way (the interval restarts after). */
static void tier_interval(sim_engine *R, int i, double T_s, double q[3])
{
    sim_tier *T = &R->tiers[i];
    if (R->des) {
        sim_des_stats st;
        sim_des_interval(R->des, i, &st);
        q[0] = st.p50;
        q[1] = st.p95;
        q[2] = st.p99;
        double span = st.span_s > 0 ? st.span_s : T_s;
        T->i_arr = (double)st.arrivals;
        T->i_util = st.capacity_s > 0 ? st.busy_s / st.capacity_s * T_s : 0.0;
        T->i_queue = st.queue_s / span * T_s;
        T->i_inflight = (st.queue_s + st.busy_s) / span * T_s;
        T->i_drop = (double)st.dropped;
        T->d_drop += (double)st.dropped;
        if (T->derived_cap)
            T->d_capdrop += (double)st.dropped;
        T->s_busy += st.busy_s - T->d_busy;
        T->s_cap += st.capacity_s - T->d_cap;
        T->s_queue += st.queue_s - T->d_queue;
        T->d_queue = 0;
        T->arrivals_total += (double)st.arrivals - T->d_arr;
        T->d_busy = T->d_cap = T->d_arr = 0;
    } else {
        q[0] = sim_latmix_quantile(&T->imix, 0.5);
        q[1] = sim_latmix_quantile(&T->imix, 0.95);
        q[2] = sim_latmix_quantile(&T->imix, 0.99);
    }
    if (isnan(q[0])) /* no arrivals: the latency of a lone request */
        q[0] = q[1] = q[2] = 0.0;
}

/* The least ready instances of the current type that would have met the
 * tier's share of the SLO at this interval's arrival rate. */
static double tier_demand(const sim_engine *R, const sim_tier *T, double T_s)
{
    const sim_tier_cfg *c = T->cfg;
    double li = T->i_arr / T_s;
    int cap = c->max * 4 + 16;
    int per = c->concurrency * c->types[T->P->type].factor; /* servers each */
    int d = as_mmc_min_servers(li, T->mu, T->f, R->pctl, T->slo_share, cap * per);
    double demand = li > 0 ? ceil((double)d / per) : 0.0;
    if (d > cap * per) /* the SLO share is out of reach */
        demand = c->max;
    return demand;
}

/* Tier i's row of the interval ending now, handed to the sink; its
 * percentiles weighted by visits are added to e2e[], its price rate to
 * the row's cost rate. */
static int record_tier(sim_engine *R, int i, as_time now, double T_s, sim_ts_row *row,
                       double e2e[3])
{
    sim_tier *T = &R->tiers[i];
    const as_pool *P = T->P;
    double q[3];
    tier_interval(R, i, T_s, q);
    double demand = tier_demand(R, T, T_s);
    sim_tier_row tr = {.t = row->t,
                       .ready = P->ready,
                       .booting = P->booting,
                       .draining = P->draining,
                       .utilization = T->i_util / T_s,
                       .queue = T->i_queue / T_s,
                       .p50 = q[0],
                       .p95 = q[1],
                       .p99 = q[2],
                       .arrivals = T->i_arr,
                       .dropped = T->i_drop,
                       .demand = demand,
                       .inflight = T->i_inflight / T_s,
                       .seen_utilization = as_monitor_view(T->mon_util, now),
                       .seen_rate = as_monitor_view(T->mon_rate, now)};
    tr.memory = T->cfg->memory_base * T->i_ready / T_s + T->cfg->memory_per_request * tr.inflight;
    if (T->cfg->autoscale)
        as_quality_add(&T->quality, demand,
                       T->i_units / T_s / T->cfg->types[P->type].factor, R->i_time);
    if (R->sink && R->sink->tier_row && R->sink->tier_row(R->sink->ud, i, &tr, R->err))
        return R->err->code;
    for (int k = 0; k < 3; k++)
        e2e[k] += T->cfg->visits * q[k];
    row->cost_rate += P->price_rate;
    row->ready += P->ready;
    row->booting += P->booting;
    sim_latmix_merge(&T->rmix, &T->imix);
    sim_latmix_reset(&T->imix);
    T->i_arr = T->i_util = T->i_queue = T->i_drop = T->i_ready = T->i_inflight = 0;
    T->i_units = 0;
    return AS_OK;
}

/* The request level knows end-to-end latency itself: no sum of per-tier
 * percentiles, and the SLO is judged per interval. */
static void des_e2e(sim_engine *R, double e2e[3])
{
    sim_des_stats e;
    sim_des_interval(R->des, -1, &e);
    e2e[0] = e.completions ? e.p50 : 0.0;
    e2e[1] = e.completions ? e.p95 : 0.0;
    e2e[2] = e.completions ? e.p99 : 0.0;
    double q = e.completions ? sim_des_quantile(R->des, -1, R->pctl, 0) : 0.0;
    if (q > R->sc->slo_latency) {
        R->i_viol = R->i_time;
        R->viol_s += R->i_time;
    }
    sim_des_interval_reset(R->des);
}

int sim_record(sim_engine *R, as_time now)
{
    double T_s = R->i_time > 0 ? R->i_time : 1.0;
    sim_ts_row row = {.t = as_time_to_s(now), .rate = R->i_rate / T_s};
    row.forecast = R->tiers[0].last_fc[0];
    row.lo = R->tiers[0].last_fc[1];
    row.hi = R->tiers[0].last_fc[2];
    double e2e[3] = {0, 0, 0};
    for (int i = 0; i < R->nt; i++) {
        int rc = record_tier(R, i, now, T_s, &row, e2e);
        if (rc != AS_OK)
            return rc;
    }
    if (R->des)
        des_e2e(R, e2e);
    row.p50 = e2e[0];
    row.p95 = e2e[1];
    row.p99 = e2e[2];
    if (row.p99 > R->max_lat)
        R->max_lat = row.p99;
    row.cost = R->cost_integral;
    row.violation = R->i_viol / T_s;
    R->i_rate = R->i_viol = R->i_time = 0;
    if (R->sink && R->sink->row && R->sink->row(R->sink->ud, &row, R->err))
        return R->err->code;
    return AS_OK;
}

/* ---- scrapes ---- */

static bool in_outage(const sim_scenario *sc, as_time now)
{
    for (int k = 0; k < sc->noutages; k++)
        if (now >= sc->outage_start[k] && now < sc->outage_start[k] + sc->outage_len[k])
            return true;
    return false;
}

static double noisy(const sim_engine *R, sim_tier *T, double x)
{
    if (R->sc->noise <= 0 || isnan(x))
        return x;
    double z = gsl_ran_gaussian_ziggurat(T->rng, 1.0);
    double v = R->sc->noise_type == SIM_NOISE_ADDITIVE ? x + R->sc->noise * z
                                                       : x * (1.0 + R->sc->noise * z);
    return v < 0 ? 0 : v;
}

/* Request level: the scrape's busy fraction and p95 from the interval
 * totals, less what earlier scrapes of the interval took. */
static void des_scrape(sim_engine *R, int i)
{
    sim_tier *T = &R->tiers[i];
    sim_des_stats st;
    sim_des_interval(R->des, i, &st);
    double db = T->s_busy + st.busy_s - T->d_busy;
    double dc = T->s_cap + st.capacity_s - T->d_cap;
    T->arrivals_total += (double)st.arrivals - T->d_arr;
    T->s_util = dc > 0 ? db / dc * T->s_time : 0.0;
    double dq = T->s_queue + st.queue_s - T->d_queue;
    T->s_queue = dq;
    T->s_inflight = dq + db;
    T->d_queue = st.queue_s;
    T->s_busy = T->s_cap = 0;
    T->s_lat = st.completions ? st.p95 : NAN;
    T->s_w = 1.0;
    T->d_busy = st.busy_s;
    T->d_cap = st.capacity_s;
    T->d_arr = (double)st.arrivals;
}

/* The further signals of one scrape (as_signal), without noise (noise
 * draws stay those of utilisation and latency, so that adding a signal
 * changes no run): per-pod request rate over the scrape, time-averaged
 * queue and requests in flight, memory per ready instance. */
static void scrape_signals(sim_tier *T, as_time now, bool out)
{
    double dt = T->s_time, v[AS_SIG_COUNT];
    double rate = (T->arrivals_total - T->s_arr) / dt, flight = T->s_inflight / dt;
    int ready = T->P->ready;
    T->s_arr = T->arrivals_total;
    v[AS_SIG_RPS_POD] = ready > 0 ? rate / ready : NAN;
    v[AS_SIG_QUEUE] = T->s_queue / dt;
    v[AS_SIG_INFLIGHT] = flight;
    v[AS_SIG_MEMORY] =
        ready > 0 ? T->cfg->memory_base + T->cfg->memory_per_request * flight / ready : NAN;
    for (int k = 0; k < AS_SIG_COUNT; k++)
        as_monitor_push(T->mon_sig[k], now, out ? NAN : v[k]);
    T->s_queue = T->s_inflight = 0;
}

/* One scrape: what each tier showed since the last one. Utilisation is
 * over ready instances only (booting ones have no metric, as pods in
 * initialisation are left out by the HPA); latency is the arrival-weighted
 * mean of the per-tick percentile; the request count is a counter. During
 * a metric outage every sample is missing (NAN), never zero. */
void sim_scrape(sim_engine *R, as_time now)
{
    bool out = in_outage(R->sc, now);
    for (int i = 0; i < R->nt; i++) {
        sim_tier *T = &R->tiers[i];
        if (T->s_time <= 0) {
            /* no tick since the last scrape (scrape shorter than tick): the
             * counter is still a valid sample; the gauges have nothing new */
            as_monitor_push(T->mon_rate, now, out ? NAN : T->arrivals_total);
            continue;
        }
        if (R->des)
            des_scrape(R, i);
        double u = T->P->ready > 0 ? T->s_util / T->s_time : NAN;
        double l = T->s_w > 0 ? T->s_lat / T->s_w : NAN;
        double c = T->arrivals_total;
        if (R->sc->noise > 0) {
            u = noisy(R, T, u);
            l = noisy(R, T, l);
        }
        as_monitor_push(T->mon_util, now, out ? NAN : u);
        as_monitor_push(T->mon_lat, now, out ? NAN : l);
        as_monitor_push(T->mon_rate, now, out ? NAN : c);
        scrape_signals(T, now, out);
        T->s_util = T->s_time = T->s_lat = T->s_w = 0;
    }
}
