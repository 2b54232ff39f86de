/* sim_des_setup.c - building, configuring and freeing the request-level
 * model (see sim_des.h). */
#include "sim_des_int.h"
#include "sim_des_rng.h"
#include "sim_scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sim_des_free(sim_des *d)
{
    if (!d)
        return;
    for (int i = 0; i < SIM_DES_MAX_TIERS; i++) {
        if (d->tiers[i].rng)
            gsl_rng_free(d->tiers[i].rng);
        free(d->tiers[i].ih);
        free(d->tiers[i].rh);
    }
    if (d->arr_rng)
        gsl_rng_free(d->arr_rng);
    if (d->retry_rng)
        gsl_rng_free(d->retry_rng);
    des_book_free(d);
    free(d->eih);
    free(d->erh);
    free(d->heap);
    free(d->req);
    free(d);
}

static int check_tier(const sim_des_tier *c, int i, as_err *err)
{
    if (!(c->mu > 0) || !isfinite(c->mu))
        return as_err_set(err, AS_EINVAL, "des: tier %d: service rate %g must be > 0", i, c->mu);
    if (c->dist < SIM_DIST_EXP || c->dist > SIM_DIST_LOGNORMAL)
        return as_err_set(err, AS_EINVAL, "des: tier %d: unknown service distribution %d", i,
                          c->dist);
    if (!(c->cv >= 0) || !isfinite(c->cv))
        return as_err_set(err, AS_EINVAL, "des: tier %d: cv %g must be >= 0", i, c->cv);
    if (c->dist == SIM_DIST_UNIFORM && c->cv > 1.0 / sqrt(3.0) + 1e-12)
        return as_err_set(err, AS_EINVAL,
                          "des: tier %d: a uniform service time with cv %g > 0.577 would be "
                          "negative", i, c->cv);
    if (c->concurrency < 1)
        return as_err_set(err, AS_EINVAL, "des: tier %d: concurrency %d must be >= 1", i,
                          c->concurrency);
    if (!(c->visits >= 0) || c->visits > MAX_VISITS)
        return as_err_set(err, AS_EINVAL, "des: tier %d: visits %g outside 0..%d", i, c->visits,
                          MAX_VISITS);
    if (!(c->queue_cap >= 0) || c->queue_cap > 4e9)
        return as_err_set(err, AS_EINVAL, "des: tier %d: queue_cap %g outside 0..4e9", i,
                          c->queue_cap);
    if (c->max_servers < 0)
        return as_err_set(err, AS_EINVAL, "des: tier %d: max_servers %d < 0", i, c->max_servers);
    return AS_OK;
}

sim_des *sim_des_new(int ntiers, const sim_des_tier *tiers, uint64_t seed, as_err *err)
{
    if (ntiers < 1 || ntiers > SIM_DES_MAX_TIERS || !tiers) {
        as_err_set(err, AS_EINVAL, "des: %d tiers (1..%d)", ntiers, SIM_DES_MAX_TIERS);
        return NULL;
    }
    for (int i = 0; i < ntiers; i++)
        if (check_tier(&tiers[i], i, err))
            return NULL;
    if (!des_rng_selftest()) {
        as_err_set(err, AS_EINVAL, "des: this GSL's mt19937 is not the one the model draws "
                                   "inline (sim_des_rng.h); rebuild against it");
        return NULL;
    }
    sim_des *d = calloc(1, sizeof *d);
    if (!d)
        goto nomem;
    d->ntiers = ntiers;
    d->free_head = NIL;
    d->arr.req = NIL; /* the pending arrival, never in the heap */
    d->arr.kind = EV_ARRIVAL;
    d->zig = des_zig_tables();
    size_t hint = 1; /* the heap's sentinel (sim_des.c) */
    uint64_t pool = 0;
    if (!(d->arr_rng = gsl_rng_alloc(gsl_rng_mt19937)) || !(d->eih = des_hist_new()) ||
        !(d->erh = des_hist_new()) || !(d->retry_rng = gsl_rng_alloc(gsl_rng_mt19937)))
        goto nomem;
    gsl_rng_set(d->arr_rng, as_seed_derive(seed, 0));
    gsl_rng_set(d->retry_rng, as_seed_derive(seed, 1 + SIM_DES_MAX_TIERS));
    for (int i = 0; i < ntiers; i++) {
        des_tier *T = &d->tiers[i];
        const sim_des_tier *c = &tiers[i];
        T->cfg = *c;
        if (!(T->rng = gsl_rng_alloc(gsl_rng_mt19937)) || !(T->ih = des_hist_new()) ||
            !(T->rh = des_hist_new()))
            goto nomem;
        gsl_rng_set(T->rng, as_seed_derive(seed, 1 + (uint64_t)i));
        T->mean_us = 1e6 / c->mu;
        switch (c->dist) {
        case SIM_DIST_UNIFORM: {
            double half = sqrt(3.0) * c->cv * T->mean_us;
            T->a = T->mean_us - half;
            T->b = 2 * half;
            if (T->a < 0) /* cv at the 1/sqrt(3) limit, up to rounding */
                T->a = 0;
            break;
        }
        case SIM_DIST_NORMAL:
            T->b = c->cv * T->mean_us;
            break;
        case SIM_DIST_LOGNORMAL: {
            double s2 = log1p(c->cv * c->cv);
            T->a = log(T->mean_us) - s2 / 2;
            T->b = sqrt(s2);
            break;
        }
        default:
            break;
        }
        T->nvis = (int)floor(c->visits);
        T->frac = c->visits - T->nvis;
        T->cap = (uint64_t)ceil(c->queue_cap);
        T->qhead = T->qtail = NIL;
        hint += (size_t)c->max_servers;
        pool += (uint64_t)c->max_servers + (T->cap ? T->cap : 0);
    }
    /* size for the expected peak now so that the run itself does not grow
     * (the pool still grows if an unbounded queue outgrows it) */
    while (d->hcap < hint)
        if (des_heap_grow(d))
            goto nomem;
    if (pool > (1u << 18)) /* 6 MB; a larger cap is reached by growth, if ever */
        pool = 1u << 18;
    while ((uint64_t)d->rcap < pool + 1)
        if (des_pool_grow(d))
            goto nomem;
    return d;
nomem:
    sim_des_free(d);
    as_err_set(err, AS_ENOMEM, "des: out of memory");
    return NULL;
}


int sim_des_configure(sim_des *d, const sim_des_clients *cl, const sim_des_book_cfg *bk,
                      as_err *err)
{
    if (d->started)
        return as_err_set(err, AS_EINVAL, "des: configure before the first advance");
    if (cl) {
        if (!(cl->timeout_s >= 0) || !isfinite(cl->timeout_s) || cl->retries < 0 ||
            cl->retries > 255 || !(cl->backoff_s >= 0) || !(cl->backoff_max_s >= 0))
            return as_err_set(err, AS_EINVAL, "des: bad clients (timeout %g, retries %d)",
                              cl->timeout_s, cl->retries);
        d->cl = *cl;
    }
    if (bk) {
        if (bk->slot <= 0 || bk->record < bk->slot || bk->record % bk->slot != 0 ||
            bk->records < 2 || !(bk->slo_latency > 0))
            return as_err_set(err, AS_EINVAL, "des: bad arrival book (slot %lld us, record %lld "
                              "us, %d records)", (long long)bk->slot, (long long)bk->record,
                              bk->records);
        des_book_free(d);
        d->book = (des_book){.slot = bk->slot,
                             .rec = bk->record,
                             .spr = (int)(bk->record / bk->slot),
                             .nrec = bk->records,
                             .lat_us = bk->slo_latency * 1e6};
        return des_book_alloc(d, err);
    }
    return AS_OK;
}

void sim_des_set_stop(sim_des *d, const volatile sig_atomic_t *stop)
{
    d->stop = stop;
}
