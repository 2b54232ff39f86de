/* sim_measure.c - what the cluster shows: the latency model over each tick
 * (analytic per tier with the retries of clients that gave up, or the
 * request-level model), and the samples each scrape hands the monitors.
 * Per tick and tier nothing here allocates, prints or formats. */
#include "sim_engine_int.h"

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
        size_t k = R->ring_head + R->ring_n; /* (< 2 ring_cap: a compare, not a division) */
        R->ring[k >= R->ring_cap ? k - R->ring_cap : k] = rate;
        R->ring_n++;
    }
    return AS_OK;
}

void sim_ring_pop(sim_engine *R)
{
    R->ring_head = R->ring_head + 1 == R->ring_cap ? 0 : R->ring_head + 1;
    R->ring_n--;
    R->ring_t0 += R->sc->tick;
}

/* ---- retries (analytic): requests that come back ---- */

/* Retry k (k = 1..retries) of a request comes backoff_k = min(backoff
 * 2^(k-1), backoff_max) after its attempt failed, with equal jitter (a
 * delay uniform on [b/2, b]), as the request level draws it. The fluid
 * model spreads a tick's failed volume of attempt k-1 over the ticks that
 * delay covers (from the middle of the failing tick); retries[k-1] rows of
 * the ring hold what arrives per tick. */
static double backoff_s(const sim_engine *R, int k)
{
    double b = as_time_to_s(R->sc->backoff) * ldexp(1.0, k - 1), m = as_time_to_s(R->sc->backoff_max);
    return b < m ? b : m;
}

static void retry_schedule(sim_engine *R, int k, double volume, double dt)
{
    if (!(volume > 0))
        return;
    double b = backoff_s(R, k), lo = 0.5 * dt + 0.5 * b, hi = 0.5 * dt + b;
    double *row = R->retry + (size_t)(k - 1) * (size_t)R->rlen;
    int k0 = (int)floor(lo / dt), k1 = (int)floor(hi / dt);
    for (int t = k0; t <= k1; t++) {
        double a = t * dt > lo ? t * dt : lo, z = (t + 1) * dt < hi ? (t + 1) * dt : hi;
        double share = hi > lo ? (z - a) / (hi - lo) : 1.0;
        int off = t < 1 ? 1 : t >= R->rlen ? R->rlen - 1 : t; /* never this tick */
        row[(R->rhead + off) % R->rlen] += volume * share;
    }
}

/* This tick's retries of each attempt (out[k-1], requests), taken off the ring. */
static double retry_take(sim_engine *R, double *out)
{
    double sum = 0;
    for (int k = 1; k <= R->sc->retries; k++) {
        double *v = &R->retry[(size_t)(k - 1) * (size_t)R->rlen + (size_t)R->rhead];
        out[k - 1] = *v;
        sum += *v;
        *v = 0;
    }
    R->rhead = R->rlen ? (R->rhead + 1) % R->rlen : 0;
    return sum;
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
    while (!sim_des_room(R->des, now + R->sc->tick)) { /* a backlog older than the book */
        sim_des_force(R->des);
        sim_rows_harvest(R);
    }
    int rc = sim_des_advance(R->des, now, now + R->sc->tick, lambda, ready, R->err);
    if (rc != AS_OK)
        return rc;
    for (int i = 0; i < R->nt; i++) {
        sim_tier *T = &R->tiers[i];
        T->i_ready += T->P->ready * dt;
        T->i_units += T->P->units * dt;
        T->ready_time += T->P->ready * dt;
        T->s_time += dt;
    }
    R->i_rate += lambda * dt;
    R->i_time += dt;
    return AS_OK;
}

/* Tier i over one analytic tick at lreq requests/s; returns the share of
 * them it served. */
static double tier_tick(sim_engine *R, sim_tier *T, double lreq, double dt)
{
    const as_pool *P = T->P;
    sim_tick_out o;
    sim_tierlat_tick(&T->lat, lreq, P->units * T->cfg->concurrency, dt, &o);
    double w = lreq * T->cfg->visits * dt;
    T->i_arr += w;
    T->i_util += o.util * dt;
    T->i_queue += o.queue * dt;
    double inflight = (o.queue + o.util * P->units * T->cfg->concurrency) * dt;
    T->i_inflight += inflight;
    T->i_drop += o.dropped;
    T->i_timeouts += o.timeouts;
    T->i_ready += P->ready * dt;
    T->i_units += P->units * dt;
    T->ready_time += P->ready * dt;
    T->s_util += o.util * dt;
    T->s_time += dt;
    T->s_lat += o.quantile * w;
    T->s_w += w;
    T->s_queue += o.queue * dt;
    T->s_inflight += inflight;
    T->arrivals_total += w;
    (void)R;
    return o.served;
}

int sim_tick(sim_engine *R, as_time now)
{
    double dt = as_time_to_s(R->sc->tick);
    double lambda = sim_ring_at(R, now);
    if (R->des)
        return des_tick(R, now, lambda);
    double back[16];
    double lretry = R->sc->retries > 0 ? retry_take(R, back) / dt : 0.0;
    /* a request reaches tier i only when the tiers before it served it */
    double lreq = lambda + lretry, served = 1.0;
    for (int i = 0; i < R->nt; i++) {
        double s = tier_tick(R, &R->tiers[i], lreq * served, dt);
        served *= s;
    }
    double failed = 1.0 - served;
    for (int k = 1; k <= R->sc->retries; k++) /* attempt k-1 failed: retry k */
        retry_schedule(R, k, (k == 1 ? lambda * dt : back[k - 2] * dt) * failed, dt);
    double att = (lambda + lretry) * dt;
    R->s_req += att;
    R->i_req += att;
    R->i_err += att * failed;
    R->i_retries += lretry * dt;
    R->i_rate += lambda * dt;
    R->i_time += dt;
    as_time t1 = now + R->sc->tick;
    /* a slot ends at each multiple of its length (slot_at, the next one, in
     * place of a division a tick) and at the run's end */
    bool boundary = t1 == R->slot_at;
    while (R->slot_at <= t1)
        R->slot_at += R->slot;
    if (boundary || t1 >= R->sc->duration)
        sim_slot_close(R, t1 - (t1 - 1) % R->slot - 1, t1 < R->sc->duration ? t1 : R->sc->duration);
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
        if (T->sigs >> k & 1u)
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
