/* as_exec.c - instance pools, execution limits, type choice and billing
 * (see as_exec.h).
 *
 * Slots are searched linearly (launch: the first free one; scale-in: the
 * victim). A pool has 2 x max + 8 slots in the engine, a few dozen to a
 * few hundred, and is searched once per scaling decision, not per event;
 * a free list would save little and would change which slot, hence which
 * event order, a launch gets. */
#include "as_exec.h"

#include "as_quality.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- billing ---- */

static void bill(as_pool *p, const as_inst *in, as_time now)
{
    double used = as_time_to_s(now - in->requested);
    p->billed += as_billed_seconds(used, as_time_to_s(p->cfg.granularity),
                                   as_time_to_s(p->cfg.minimum)) *
                 p->cfg.types[in->type].price / 3600.0;
}

/* An instance leaves billing and frees its slot (the ready capacity, if it
 * was ready, is the caller's to update). */
static void release(as_pool *p, as_inst *in, as_time now)
{
    bill(p, in, now);
    p->price_rate -= p->cfg.types[in->type].price;
    in->state = AS_INST_FREE;
    in->gen++;
    if (p->on_release)
        p->on_release(p->release_ud, p, (int)(in - p->inst), now);
}

static int factor_of(const as_pool *p, const as_inst *in) { return p->cfg.types[in->type].factor; }

void as_exec_bill_open(as_exec *x, as_time now)
{
    for (int i = 0; i < x->npools; i++) {
        as_pool *p = &x->pools[i];
        for (int k = 0; k < p->cfg.slots; k++)
            if (p->inst[k].state != AS_INST_FREE)
                bill(p, &p->inst[k], now);
    }
}

/* ---- the pools ---- */

static int check_cfg(const as_pool_cfg *c, int i, as_err *err)
{
    if (c->slots < 1 || c->initial < 0 || c->initial > c->slots)
        return as_err_set(err, AS_EINVAL, "exec: pool %d: %d initial instances in %d slots", i,
                          c->initial, c->slots);
    if (c->ntypes < 1 || c->ntypes > AS_EXEC_MAX_TYPES || c->type < 0 || c->type >= c->ntypes)
        return as_err_set(err, AS_EINVAL, "exec: pool %d: type %d of %d", i, c->type, c->ntypes);
    if (c->concurrency < 1)
        return as_err_set(err, AS_EINVAL, "exec: pool %d: concurrency %d", i, c->concurrency);
    for (int k = 0; k < c->ntypes; k++)
        if (c->types[k].factor < 1 || !(c->types[k].price >= 0) || c->types[k].boot < 0)
            return as_err_set(err, AS_EINVAL, "exec: pool %d: type %d: factor %d, price %g", i,
                              k, c->types[k].factor, c->types[k].price);
    return AS_OK;
}

static void pool_start(as_pool *p)
{
    const as_pool_cfg *c = &p->cfg;
    for (int k = 0; k < c->initial; k++) {
        as_inst *in = &p->inst[k];
        in->state = AS_INST_READY;
        in->requested = 0;
        in->ready_at = 0;
        p->top = k + 1;
        in->type = c->type;
        p->ready++;
        p->units += c->types[c->type].factor;
        p->price_rate += c->types[c->type].price;
    }
    p->type = c->type;
    p->peak = p->ready;
}

as_exec *as_exec_new(const as_exec_limits *lim, int npools, const as_pool_cfg *cfgs,
                     as_err *err)
{
    if (npools < 1 || npools > AS_EXEC_MAX_POOLS) {
        as_err_set(err, AS_EINVAL, "exec: %d pools (1..%d)", npools, AS_EXEC_MAX_POOLS);
        return NULL;
    }
    for (int i = 0; i < npools; i++)
        if (check_cfg(&cfgs[i], i, err) != AS_OK)
            return NULL;
    as_exec *x = calloc(1, sizeof *x);
    if (x == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory (instances)");
        return NULL;
    }
    x->npools = npools;
    if (lim)
        x->lim = *lim;
    for (int i = 0; i < npools; i++) {
        as_pool *p = &x->pools[i];
        p->cfg = cfgs[i];
        p->inst = calloc((size_t)p->cfg.slots, sizeof *p->inst);
        if (p->inst == NULL) {
            as_exec_free(x);
            as_err_set(err, AS_ENOMEM, "out of memory (instances)");
            return NULL;
        }
        pool_start(p);
    }
    return x;
}

void as_exec_free(as_exec *x)
{
    if (x == NULL)
        return;
    for (int i = 0; i < AS_EXEC_MAX_POOLS; i++)
        free(x->pools[i].inst);
    free(x);
}

int as_pool_launch(as_pool *p, as_time now)
{
    for (int k = 0; k < p->cfg.slots; k++) {
        as_inst *in = &p->inst[k];
        if (in->state != AS_INST_FREE)
            continue;
        in->state = AS_INST_BOOTING;
        if (k >= p->top)
            p->top = k + 1;
        in->gen++;
        in->requested = now;
        in->type = p->type;
        in->fails = false;
        p->price_rate += p->cfg.types[in->type].price;
        p->booting++;
        return k;
    }
    return -1;
}

int as_pool_boot_done(as_pool *p, int k, uint32_t gen, as_time now)
{
    as_inst *in = &p->inst[k];
    if (in->gen != gen || in->state != AS_INST_BOOTING)
        return AS_BOOT_STALE; /* cancelled: scaled in while booting */
    p->booting--;
    if (in->fails) { /* billed for the attempt, never serves */
        release(p, in, now);
        return AS_BOOT_FAILED;
    }
    in->state = AS_INST_READY;
    in->ready_at = now;
    p->ready++;
    p->units += factor_of(p, in);
    return AS_BOOT_READY;
}

int as_pool_victim(const as_pool *p)
{
    /* booting instances go first (newest first), then ready ones in the
     * pool's scale-in order */
    int pick = -1;
    for (int k = 0; k < p->cfg.slots; k++) {
        const as_inst *in = &p->inst[k];
        if (in->state == AS_INST_BOOTING &&
            (pick < 0 || p->inst[pick].state != AS_INST_BOOTING ||
             in->requested >= p->inst[pick].requested))
            pick = k;
        else if (in->state == AS_INST_READY &&
                 (pick < 0 || p->inst[pick].state == AS_INST_READY)) {
            bool newer = pick < 0 || in->ready_at >= p->inst[pick].ready_at;
            if (pick < 0 || (p->cfg.oldest_first ? !newer : newer))
                pick = k;
        }
    }
    return pick;
}

int as_pool_remove(as_pool *p, int k, as_time now)
{
    as_inst *in = &p->inst[k];
    if (in->state == AS_INST_BOOTING) {
        p->booting--;
        release(p, in, now);
    } else if (in->state == AS_INST_READY) {
        p->ready--;
        p->units -= factor_of(p, in);
        if (p->cfg.drains) {
            in->state = AS_INST_DRAINING;
            in->gen++;
            p->draining++;
            return 1;
        }
        release(p, in, now);
    }
    return 0;
}

bool as_pool_drain_done(as_pool *p, int k, uint32_t gen, as_time now)
{
    as_inst *in = &p->inst[k];
    if (in->gen != gen || in->state != AS_INST_DRAINING)
        return false;
    p->draining--;
    release(p, in, now);
    return true;
}

void as_pool_kill(as_pool *p, int k, as_time now)
{
    as_inst *in = &p->inst[k];
    if (in->state != AS_INST_READY)
        return;
    p->ready--;
    p->units -= factor_of(p, in);
    release(p, in, now);
}

int as_pool_nth_ready(const as_pool *p, int n)
{
    for (int k = 0, seen = 0; k < p->cfg.slots; k++)
        if (p->inst[k].state == AS_INST_READY && seen++ == n)
            return k;
    return -1;
}

void as_pool_note_peak(as_pool *p)
{
    if (p->ready + p->booting > p->peak)
        p->peak = p->ready + p->booting;
}

/* ---- limits and type choice ---- */

int as_exec_limit_out(const as_exec *x, int i, int desired, as_reason *why)
{
    const as_pool *p = &x->pools[i];
    int current = p->ready + p->booting;
    if (desired <= current)
        return desired;
    if (x->lim.max_instances > 0) {
        int used = 0;
        for (int j = 0; j < x->npools; j++)
            used += x->pools[j].ready + x->pools[j].booting + x->pools[j].draining;
        int room = x->lim.max_instances - used;
        if (desired - current > room) {
            desired = current + (room > 0 ? room : 0);
            *why = AS_R_QUOTA;
        }
    }
    double price = p->cfg.types[p->type].price;
    if (x->lim.budget > 0 && price > 0) {
        double rate = 0;
        for (int j = 0; j < x->npools; j++)
            rate += x->pools[j].price_rate;
        int room = (int)floor((x->lim.budget - rate) / price + 1e-9);
        if (desired - current > room) {
            desired = current + (room > 0 ? room : 0);
            *why = AS_R_BUDGET;
        }
    }
    return desired;
}

int as_pool_cheapest_type(const as_pool *p, double want_units, int min, int max, int *count)
{
    /* want_units is the largest recommendation of the last period, before
     * min/max, in base units (instances x factor), so that the new type
     * holds the recent peak and a floor of big instances does not hide
     * that small ones would do */
    const as_pool_cfg *c = &p->cfg;
    double servers = (want_units > 1 ? want_units : 1) * c->concurrency;
    int cur_per = c->concurrency * c->types[p->type].factor;
    int cur = (int)ceil(servers / cur_per - 1e-9);
    cur = cur < min ? min : cur > max ? max : cur;
    int best = p->type;
    *count = cur;
    double best_cost = cur * c->types[p->type].price;
    for (int k = 0; k < c->ntypes; k++) {
        if (k == p->type)
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
