/* sim_des_stats.c - what the request-level model tells (see sim_des.h):
 * interval statistics, quantiles, the interval reset, and its memory. */
#include "sim_des_int.h"

#include <assert.h>
#include <math.h>
#include <string.h>

void sim_des_interval(const sim_des *d, int tier, sim_des_stats *out)
{
    assert(tier >= -1 && tier < d->ntiers);
    memset(out, 0, sizeof *out);
    out->span_s = as_time_to_s(d->now - d->istart);
    const sim_des_hist *h;
    if (tier < 0) {
        h = d->eih;
        out->arrivals = d->arrivals;
        out->completions = d->completions;
        out->dropped = d->dropped;
        out->timeouts = d->timeouts;
        out->retries = d->retries;
        out->queue_s = (double)d->sys_area * 1e-6;
        out->queued = d->in_sys;
        for (int i = 0; i < d->ntiers; i++) {
            const des_tier *T = &d->tiers[i];
            out->busy_s += (double)T->busy_area * 1e-6;
            out->capacity_s += (double)T->cap_area * 1e-6;
            out->wait_sum_s += T->wait_sum * 1e-6;
            out->waited += T->waited;
            out->started += T->started;
            out->busy += (uint64_t)T->busy;
            out->servers += T->servers;
        }
    } else {
        const des_tier *T = &d->tiers[tier];
        h = T->ih;
        out->arrivals = T->arrivals;
        out->completions = T->completions;
        out->dropped = T->dropped;
        out->timeouts = T->timeouts;
        out->waited = T->waited;
        out->started = T->started;
        out->wait_sum_s = T->wait_sum * 1e-6;
        out->busy_s = (double)T->busy_area * 1e-6;
        out->capacity_s = (double)T->cap_area * 1e-6;
        out->queue_s = (double)T->q_area * 1e-6;
        out->queued = T->qlen;
        out->busy = (uint64_t)T->busy;
        out->servers = T->servers;
    }
    out->mean = h->n ? h->sum / (double)h->n * 1e-6 : NAN;
    out->p50 = sim_des_hist_quantile2(h, NULL, 0.50);
    out->p95 = sim_des_hist_quantile2(h, NULL, 0.95);
    out->p99 = sim_des_hist_quantile2(h, NULL, 0.99);
    out->max = h->n ? (double)h->max * 1e-6 : NAN;
    out->clamped = h->over;
}

double sim_des_quantile(const sim_des *d, int tier, double p, int whole_run)
{
    assert(tier >= -1 && tier < d->ntiers);
    const sim_des_hist *ih = tier < 0 ? d->eih : d->tiers[tier].ih;
    const sim_des_hist *rh = tier < 0 ? d->erh : d->tiers[tier].rh;
    return whole_run ? sim_des_hist_quantile2(rh, ih, p) : sim_des_hist_quantile2(ih, NULL, p);
}

void sim_des_interval_reset(sim_des *d)
{
    for (int i = 0; i < d->ntiers; i++) {
        des_tier *T = &d->tiers[i];
        sim_des_hist_merge(T->rh, T->ih);
        sim_des_hist_reset(T->ih);
        T->q_area = T->busy_area = T->cap_area = 0;
        T->arrivals = T->completions = T->dropped = T->started = T->waited = T->timeouts = 0;
        T->wait_sum = 0;
        T->last = d->now;
    }
    sim_des_hist_merge(d->erh, d->eih);
    sim_des_hist_reset(d->eih);
    d->sys_area = 0;
    d->sys_last = d->now;
    d->arrivals = d->completions = d->dropped = d->timeouts = d->retries = 0;
    d->istart = d->now;
}

uint64_t sim_des_events(const sim_des *d)
{
    return d->events;
}

uint64_t sim_des_clamped(const sim_des *d, int tier)
{
    assert(tier >= -1 && tier < d->ntiers);
    if (tier < 0)
        return d->erh->over + d->eih->over;
    return d->tiers[tier].rh->over + d->tiers[tier].ih->over;
}

/* ---- memory ---- */

/* One generator's bytes: the state of mt19937 plus its handle. */
static double rng_bytes(void)
{
    return (double)(gsl_rng_mt19937->size + sizeof(gsl_rng));
}

double sim_des_memory_bound(int ntiers, const sim_des_tier *tiers)
{
    double servers = 0, queued = 0;
    for (int i = 0; i < ntiers; i++) {
        servers += tiers[i].max_servers;
        queued += tiers[i].queue_cap;
    }
    /* the pool holds every request waiting or in service, the heap one
     * departure per busy server and the arrival; both double when full, so
     * they may hold twice what is in use (64: the heap's first size) */
    double fixed = (double)sizeof(sim_des) + (2.0 * ntiers + 2) * (double)sizeof(sim_des_hist) +
                   (ntiers + 2) * rng_bytes();
    return fixed + 2.0 * (double)sizeof(des_req) * (queued + servers + 1024) +
           2.0 * (double)sizeof(des_ev) * (2 * queued + servers + 64);
}

double sim_des_request_bytes(void)
{
    return 2.0 * (double)sizeof(des_req);
}

size_t sim_des_memory(const sim_des *d)
{
    return sizeof *d + (size_t)d->rcap * sizeof(des_req) + d->hcap * sizeof(des_ev) +
           (2 * (size_t)d->ntiers + 2) * sizeof(sim_des_hist) +
           (size_t)des_book_bytes(d->ntiers, d->book.nrec, d->book.spr);
}
