/* sim_rows.c - what a run records, by the interval requests arrived in
 * (both models): per slot (min(SLO window, record)) the end-to-end law
 * and the SLO counts; per record interval the rows of the time series,
 * held back until everything in them is final: the SLO windows that cover
 * the interval are judged (a window longer than the record ends later) and,
 * at the request level, every request that arrived in the interval has
 * finished. Held-back rows go to the sink in time order.
 * End to end (analytic): the law of a request's total time is the
 * convolution of the tiers' laws of all their visits, each the slot's
 * mixture of its ticks (tiers independent within a slot; the correlation
 * across slots, the daily cycle, is kept because record and run laws are
 * mixtures of slot laws). Percentiles are not summed.
 * Nothing here allocates after sim_rows_init or formats. */
#include "sim_engine_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Records a run may hold back: the windows a record waits for, and at the
 * request level the records its oldest requests may span. */
static int pend_capacity(const sim_engine *R)
{
    const sim_scenario *sc = R->sc;
    int64_t w = (sc->slo_window + sc->record - 1) / sc->record + 2;
    if (R->des)
        w += sim_des_records_held(R->des);
    return (int)(w < 100000 ? w : 100000);
}

int sim_rows_init(sim_engine *R, as_err *err)
{
    const sim_scenario *sc = R->sc;
    R->slot = sc->slo_window < sc->record ? sc->slo_window : sc->record;
    R->slot_at = R->slot;
    sim_slo_def def = {.latency = sc->slo_latency,
                       .p = sc->slo_percentile,
                       .window = sc->slo_window,
                       .objective = sc->slo_objective,
                       .max_errors = sc->slo_max_errors};
    R->pcap = pend_capacity(R);
    int keep = (int)(sc->record / sc->slo_window) + R->pcap + 2;
    int rc = sim_slo_init(&R->slo, &def, sc->duration, keep, err);
    if (rc != AS_OK)
        return rc;
    R->pend = calloc((size_t)R->pcap, sizeof *R->pend);
    if (R->pend == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory (record rows)");
    for (int k = 0; k < 2; k++)
        as_latdist_clear(&R->e2e[k]);
    as_latdist_clear(&R->rec_e2e);
    as_latdist_clear(&R->run_e2e);
    if (sc->retries > 0 && R->des == NULL) {
        double m = as_time_to_s(sc->backoff_max) + as_time_to_s(sc->tick);
        R->rlen = (int)ceil(m / as_time_to_s(sc->tick)) + 2;
        R->retry = calloc((size_t)sc->retries * (size_t)R->rlen, sizeof *R->retry);
        if (R->retry == NULL)
            return as_err_set(err, AS_ENOMEM, "out of memory (retries)");
    }
    return AS_OK;
}

void sim_rows_fini(sim_engine *R)
{
    sim_slo_fini(&R->slo);
    free(R->pend);
    free(R->retry);
    R->pend = NULL;
    R->retry = NULL;
}

double sim_pool_bill_add(const as_pool *P, as_time now, double b)
{
    b += P->billed;
    double g = as_time_to_s(P->cfg.granularity), m = as_time_to_s(P->cfg.minimum);
    for (int k = 0; k < P->top; k++) { /* (beyond top every slot is free) */
        const as_inst *in = &P->inst[k];
        if (in->state != AS_INST_FREE)
            b += as_billed_seconds(as_time_to_s(now - in->requested), g, m) *
                 P->cfg.types[in->type].price / 3600.0;
    }
    return b;
}

/* With node pools the nodes are billed, the pods only at their own price
 * (0 unless set), as in the run's summary. */
double sim_billed_at(const sim_engine *R, as_time now)
{
    double b = 0;
    for (int i = 0; i < R->nt; i++)
        b = sim_pool_bill_add(R->tiers[i].P, now, b);
    if (R->nodes)
        b = sim_nodes_bill_add(R->nodes, now, b);
    return b;
}

/* ---- slots (analytic) ---- */

/* The end-to-end law of the slot's served requests into *out (empty when
 * nothing was served); returns the share of requests served. Each tier's
 * mass below 5 % of the largest tier median is folded into the atom and
 * the first point above, keeping its mean (as_latdist_fold_below): each
 * sum moves by less than that, and an end-to-end quantile at or above the
 * median (no less than any tier's) by less than 5 % of it; measured on
 * multitier.ini's records against the convolution of the whole laws,
 * p50 within 1.6e-4, p95 2.7e-4, p99 4.5e-4 of themselves, no window's
 * verdict moved. It cuts a week of week3tier.ini by 7 % of its
 * instructions. Not taken: 0.5 % of the sum of the tier means, folded to
 * 0 (what it replaced): a slot with a backlog has a mean far above most
 * of its requests, and whole tiers went to 0 (p99 2.7 % off, p95 1.4 %);
 * 10 % of the median: p50 up to 2.8e-3 off for 3 % fewer instructions
 * (measured again with the tail below: a record's p99 up to 3.1e-3 off in
 * multitier.ini's overload, for 4 % of a week of week3tier.ini).
 * The mass above a tier's 1 - 1e-4 quantile goes onto the last point kept
 * (1e-6 before, 1e-9 before that): a share served in time moves by at most
 * 1e-4 per tier. Against 1e-6, on multitier.ini's three policies, a
 * record's percentiles moved by at most 1.9e-4 of themselves, the
 * summaries' figures by at most 9e-5, no window's verdict (the model's own
 * error against the request level is up to 5 %, test_xval.c); it cuts the
 * ranges the convolutions run over by about 4 points of 40 to 70 and a
 * week of week3tier.ini by 2.8 % of its instructions. The cut to 1e-6 saved
 * 8 % with lognormal service (cv 2), whose laws reach far (exponential 2 %). */
static double slot_e2e(sim_engine *R, as_latdist **out)
{
    as_latdist *E = &R->e2e[0], *T = &R->e2e[1];
    double served = 1.0, scale = 0.0;
    int n = 0;
    as_latdist *law[SIM_MAX_TIERS], *ms[SIM_MAX_TIERS]; /* ms: the laws with mass */
    int nl = 0;
    for (int i = 0; i < R->nt; i++) {
        sim_tierlat *L = &R->tiers[i].lat;
        if (R->tiers[i].cfg->visits <= 0)
            continue;
        sim_tierlat_flush(L);
        if (L->slot_req > 0)
            served *= L->slot_srv / L->slot_req;
        law[nl++] = &L->slotv;
    }
    /* normalised and their medians taken three laws at a time (the same
     * bits as one at a time; the walks' chains of additions run in step:
     * with 4-lane convolutions, a week of week3tier.ini 0.114 -> 0.104 s,
     * medians of 7 interleaved runs) */
    for (int c0 = 0; c0 < nl; c0 += 3) {
        int k = nl - c0 < 3 ? nl - c0 : 3, m = 0;
        double tot[3], q[3];
        as_latdist *with[3];
        as_latdist_normalize_n(law + c0, k, tot);
        for (int c = 0; c < k; c++) {
            /* (normalising keeps a law with mass a law with mass) */
            if (tot[c] > 0) {
                with[m++] = law[c0 + c];
                ms[n++] = law[c0 + c];
            }
        }
        as_latdist_quantile_n(with, m, 0.5, q);
        for (int c = 0; c < m; c++)
            if (q[c] > scale)
                scale = q[c];
    }
    /* the tiers' laws are folded, pruned (three at a time) and convolved
     * in place (each tier's is cleared below): no copies, two buffers */
    if (n > 1) {
        for (int c = 0; c < n; c++)
            as_latdist_fold_below(ms[c], 0.05 * scale);
        for (int c0 = 0; c0 < n; c0 += 3)
            as_latdist_prune_n(ms + c0, n - c0 < 3 ? n - c0 : 3, 0.0, 1e-4);
        as_latdist_conv(E, ms[0], ms[1]);
        for (int c = 2; c < n; c++) {
            as_latdist_conv(T, E, ms[c]);
            as_latdist *x = E;
            E = T;
            T = x;
        }
    } else if (n == 1) {
        as_latdist_copy(E, ms[0]); /* (its range, not 2.3 KB) */
    } else {
        as_latdist_clear(E);
    }
    for (int i = 0; i < R->nt; i++)
        if (R->tiers[i].cfg->visits > 0)
            sim_tierlat_slot_reset(&R->tiers[i].lat);
    *out = E;
    return served;
}

void sim_slot_close(sim_engine *R, as_time t0, as_time t1)
{
    as_latdist *E;
    double served = slot_e2e(R, &E), req = R->s_req, tot = as_latdist_total(E);
    double within = tot > 0 ? 1.0 - as_latdist_tail_tot(E, R->sc->slo_latency, tot) : 1.0;
    double good = req * served * within;
    sim_slo_add(&R->slo, t0, t1, req, good, req * (1.0 - served));
    R->slo_fed = t1;
    R->i_good += good;
    if (req * served > 0 && tot > 0) {
        as_latdist_axpy2(&R->rec_e2e, &R->run_e2e, req * served, E);
    }
    R->s_req = 0;
}

/* ---- records ---- */

static void quantiles3(const as_latdist *d, double q[3])
{
    static const double p[3] = {0.50, 0.95, 0.99};
    as_latdist_quantiles(d, 3, p, q);
    if (isnan(q[0])) /* nothing served: the latency of a lone request */
        q[0] = q[1] = q[2] = 0.0;
}

/* The least ready instances of the current type that would have met the
 * tier's share of the SLO at this interval's arrival rate, in the run's
 * own latency model (the analytic law of the tier's service). */
static double tier_demand(sim_engine *R, sim_tier *T, double T_s)
{
    const sim_tier_cfg *c = T->cfg;
    double li = T->i_arr / T_s;
    int cap = c->max * 4 + 16;
    int per = c->concurrency * c->types[T->P->type].factor; /* servers each */
    int d = sim_tierlat_min_servers(&T->lat, li, T->slo_share, R->pctl, cap * per, 0, 0);
    double demand = li > 0 ? ceil((double)d / per) : 0.0;
    if (d > cap * per) /* the SLO share is out of reach */
        demand = c->max;
    return demand;
}

/* Tier i's row of the interval ending now (percentiles filled later at
 * the request level). */
static void record_tier(sim_engine *R, int i, as_time now, double T_s, sim_pend *pd)
{
    sim_tier *T = &R->tiers[i];
    const as_pool *P = T->P;
    double q[3] = {0, 0, 0};
    /* a row nobody reads (no tier rows go anywhere) leaves out what only
     * it shows: the tier's latencies and what the monitors showed */
    bool rows = R->sink && R->sink->tier_row;
    if (R->des == NULL) {
        sim_tierlat_flush(&T->lat); /* (rows or not: a later flush gives other bits) */
        if (rows)
            quantiles3(&T->lat.rec1, q);
        sim_tierlat_record_reset(&T->lat);
    } else {
        sim_des_stats st;
        sim_des_interval(R->des, i, &st);
        double span = st.span_s > 0 ? st.span_s : T_s;
        T->i_arr = (double)st.arrivals;
        T->i_util = st.capacity_s > 0 ? st.busy_s / st.capacity_s * T_s : 0.0;
        T->i_queue = st.queue_s / span * T_s;
        T->i_inflight = (st.queue_s + st.busy_s) / span * T_s;
        T->i_drop = (double)st.dropped;
        T->i_timeouts = (double)st.timeouts;
        T->d_drop += (double)st.dropped;
        T->d_timeouts += (double)st.timeouts;
        if (T->derived_cap)
            T->d_capdrop += (double)st.dropped;
        T->s_busy += st.busy_s - T->d_busy;
        T->s_cap += st.capacity_s - T->d_cap;
        T->s_queue += st.queue_s - T->d_queue;
        T->d_queue = 0;
        T->arrivals_total += (double)st.arrivals - T->d_arr;
        T->d_busy = T->d_cap = T->d_arr = 0;
    }
    double demand = tier_demand(R, T, T_s);
    sim_tier_row *tr = &pd->tr[i];
    *tr = (sim_tier_row){.t = pd->ts.t,
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
                         .timeouts = T->i_timeouts,
                         .demand = demand,
                         .inflight = T->i_inflight / T_s,
                         .seen_utilization = rows ? as_monitor_view(T->mon_util, now) : NAN,
                         .seen_rate = rows ? as_monitor_view(T->mon_rate, now) : NAN};
    tr->memory = T->cfg->memory_base * T->i_ready / T_s + T->cfg->memory_per_request * tr->inflight;
    if (T->cfg->autoscale) /* supply: ready at the end of the interval (as_quality.h) */
        as_quality_add(&T->quality, demand, (double)P->units / T->cfg->types[P->type].factor,
                       R->i_time);
    pd->ts.cost_rate += P->price_rate;
    pd->ts.ready += P->ready;
    pd->ts.booting += P->booting;
    T->i_arr = T->i_util = T->i_queue = T->i_drop = T->i_ready = T->i_inflight = 0;
    T->i_units = T->i_timeouts = 0;
}

/* Hand a held-back record to the sink. */
static int emit(sim_engine *R, sim_pend *pd)
{
    double span = as_time_to_s(pd->t1 - pd->t0);
    pd->ts.violation = span > 0 ? sim_slo_violated(&R->slo, pd->t0, pd->t1) / span : 0.0;
    if (pd->ts.p99 > R->max_lat)
        R->max_lat = pd->ts.p99;
    for (int i = 0; R->sink && R->sink->tier_row && i < R->nt; i++)
        if (R->sink->tier_row(R->sink->ud, i, &pd->tr[i], R->err))
            return R->err->code;
    if (R->sink && R->sink->row && R->sink->row(R->sink->ud, &pd->ts, R->err))
        return R->err->code;
    return AS_OK;
}

/* The held-back row of record r, if there is one. */
static sim_pend *pending_of(sim_engine *R, int64_t r)
{
    if (R->pn == 0)
        return NULL;
    int64_t k = r - R->pend[R->phead].index;
    return k >= 0 && k < R->pn ? &R->pend[(R->phead + k) % R->pcap] : NULL;
}

static double rq(const sim_des *d, int64_t r, int tier, double p)
{
    double q = sim_des_record_quantile(d, r, tier, p);
    return isnan(q) ? 0.0 : q;
}

/* Record r of the request level is final: its slots go to the SLO, its
 * latencies and counts into its row. */
static void harvest_one(sim_engine *R, int64_t r)
{
    const sim_scenario *sc = R->sc;
    double req = 0, good = 0, err = 0, retries = 0;
    for (as_time t0 = r * sc->record; t0 < (r + 1) * sc->record && t0 < sc->duration;
         t0 += R->slot) {
        as_time t1 = t0 + R->slot < sc->duration ? t0 + R->slot : sc->duration;
        sim_des_slot c;
        sim_des_slot_get(R->des, t0 / R->slot, &c);
        long judged = R->slo.windows;
        sim_slo_add(&R->slo, t0, t1, (double)c.arrivals, (double)c.good, (double)c.errors);
        if (R->refine && R->slo.windows > judged) /* the window ending at t1 */
            sim_refine_note(R, r, (t1 - 1) / sc->slo_window,
                            R->slo.wbad[(R->slo.windows - 1) % R->slo.wcap]);
        R->slo_fed = t1;
        req += (double)c.arrivals;
        good += (double)c.good;
        err += (double)c.errors;
        retries += (double)c.retries;
    }
    R->req_total += req;
    R->err_total += err;
    R->retries_total += retries;
    sim_pend *pd = pending_of(R, r);
    if (pd) {
        pd->ts.p50 = rq(R->des, r, -1, 0.50);
        pd->ts.p95 = rq(R->des, r, -1, 0.95);
        pd->ts.p99 = rq(R->des, r, -1, 0.99);
        pd->ts.good = req > 0 ? good / req : 1.0;
        pd->ts.errors = err;
        pd->ts.retries = retries;
        for (int i = 0; i < R->nt; i++) {
            pd->tr[i].p50 = rq(R->des, r, i, 0.50);
            pd->tr[i].p95 = rq(R->des, r, i, 0.95);
            pd->tr[i].p99 = rq(R->des, r, i, 0.99);
        }
        pd->final = true;
    }
    sim_des_release(R->des, r + 1);
}

void sim_rows_harvest(sim_engine *R)
{
    as_time fin = sim_des_final_until(R->des);
    while (R->des_next * R->sc->record < R->sc->duration &&
           ((R->des_next + 1) * R->sc->record <= fin ||
            (fin >= R->sc->duration && R->des_next * R->sc->record < fin)))
        harvest_one(R, R->des_next++);
}

/* Emit what is final, oldest first; with force, everything. */
static int flush_pending(sim_engine *R, bool force)
{
    if (R->des)
        sim_rows_harvest(R);
    while (R->pn > 0) {
        sim_pend *pd = &R->pend[R->phead];
        as_time wend = sim_slo_window_end(&R->slo, pd->t1 - 1);
        if (!force && !(pd->final && R->slo.judged_until >= wend))
            break;
        int rc = emit(R, pd);
        if (rc != AS_OK)
            return rc;
        R->phead = (R->phead + 1) % R->pcap;
        R->pn--;
    }
    return AS_OK;
}

int sim_record(sim_engine *R, as_time now)
{
    double T_s = R->i_time > 0 ? R->i_time : 1.0;
    if (R->pn == R->pcap) { /* cannot happen with the capacity above; never lose a row */
        int rc = flush_pending(R, true);
        if (rc != AS_OK)
            return rc;
    }
    sim_pend *pd = &R->pend[(R->phead + R->pn) % R->pcap];
    memset(pd, 0, sizeof *pd);
    pd->t1 = now;
    pd->t0 = now - R->sc->record > 0 ? now - R->sc->record : 0;
    pd->index = R->rec_index++;
    pd->final = R->des == NULL;
    pd->ts = (sim_ts_row){.t = as_time_to_s(now), .rate = R->i_rate / T_s};
    pd->ts.forecast = R->tiers[0].last_fc[0];
    pd->ts.lo = R->tiers[0].last_fc[1];
    pd->ts.hi = R->tiers[0].last_fc[2];
    for (int i = 0; i < R->nt; i++)
        record_tier(R, i, now, T_s, pd);
    if (R->nodes && sim_nodes_record(R, now, &pd->ts) != AS_OK)
        return R->err->code;
    if (R->des)
        sim_des_interval_reset(R->des);
    else {
        double q[3];
        quantiles3(&R->rec_e2e, q);
        pd->ts.p50 = q[0];
        pd->ts.p95 = q[1];
        pd->ts.p99 = q[2];
        pd->ts.good = R->i_req > 0 ? R->i_good / R->i_req : 1.0;
        pd->ts.errors = R->i_err;
        pd->ts.retries = R->i_retries;
        R->req_total += R->i_req;
        R->err_total += R->i_err;
        R->retries_total += R->i_retries;
        as_latdist_clear(&R->rec_e2e);
    }
    pd->ts.cost = sim_billed_at(R, now);
    R->pn++;
    R->i_rate = R->i_time = 0;
    R->i_req = R->i_good = R->i_err = R->i_retries = 0;
    return flush_pending(R, false);
}

int sim_rows_finish(sim_engine *R, as_time now)
{
    (void)now;
    if (R->des) {
        int rc = sim_des_drain(R->des, R->err);
        if (rc != AS_OK)
            return rc;
        sim_rows_harvest(R);
    }
    sim_slo_finish(&R->slo);
    return flush_pending(R, true);
}
