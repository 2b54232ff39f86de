/* sim_latency.c - the analytic per-tier latency model (see sim_latency.h):
 * a cache of M/G/c laws by (servers, load bin), the per-tick choice between
 * the steady state and the fluid backlog, and the flush of a tick list into
 * the slot and record mixtures. The formulas are core's (as_mgc.h,
 * as_queueing.h); this file decides when to use which and keeps their
 * cost off the per-tick path. */
#include "sim_latency.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define HCAP (2 * SIM_LAT_CACHE)
#define U_MAX 13.8 /* rho up to 1 - 1e-6; beyond, the law of that load */

/* ---- the cache ---- */

static unsigned hash_of(int c, int j)
{
    return (((unsigned)c * 2654435761u) ^ ((unsigned)j * 40503u)) & (HCAP - 1);
}

static void hash_rebuild(sim_tierlat *L)
{
    for (int h = 0; h < HCAP; h++)
        L->hash[h] = -1;
    for (int i = 0; i < L->nent; i++) {
        if (L->ent[i].c == 0)
            continue;
        unsigned h = hash_of(L->ent[i].c, L->ent[i].j);
        while (L->hash[h] >= 0)
            h = (h + 1) & (HCAP - 1);
        L->hash[h] = i;
    }
}

/* Take entry i out of the hash (linear probing: the entries after it in
 * its run move back into the hole when their home slot allows), so that an
 * eviction costs a run, not a rebuild of the table. */
static void hash_remove(sim_tierlat *L, int i)
{
    unsigned h = hash_of(L->ent[i].c, L->ent[i].j);
    while (L->hash[h] != i)
        h = (h + 1) & (HCAP - 1);
    L->hash[h] = -1;
    for (unsigned k = (h + 1) & (HCAP - 1); L->hash[k] >= 0; k = (k + 1) & (HCAP - 1)) {
        const sim_latent *e = &L->ent[L->hash[k]];
        unsigned home = hash_of(e->c, e->j);
        /* stays when its home lies cyclically in (h, k] */
        bool stays = h < k ? (home > h && home <= k) : (home > h || home <= k);
        if (!stays) {
            L->hash[h] = L->hash[k];
            L->hash[k] = -1;
            h = k;
        }
    }
}

static int per_entry(const sim_tierlat *L) { return L->cfg.visits == 1.0 ? 1 : 2; }

/* Storage for entries [k*CHUNK, (k+1)*CHUNK). */
static int add_chunk(sim_tierlat *L)
{
    int k = L->nstore, pe = per_entry(L);
    if (k >= SIM_LAT_CACHE / SIM_LAT_CHUNK || L->nogrow)
        return AS_ENOMEM;
    as_latdist *s = calloc((size_t)(SIM_LAT_CHUNK * pe), sizeof *s);
    if (s == NULL) { /* the cache stays at its size: no new try per law */
        L->nogrow = 1;
        return AS_ENOMEM;
    }
    L->store[k] = s;
    for (int i = 0; i < SIM_LAT_CHUNK; i++) {
        sim_latent *e = &L->ent[k * SIM_LAT_CHUNK + i];
        e->id = k * SIM_LAT_CHUNK + i;
        e->law = &s[i * pe];
        e->vlaw = &s[i * pe + pe - 1];
        as_latdist_clear(e->law);
        as_latdist_clear(e->vlaw);
    }
    L->nstore++;
    return AS_OK;
}

/* A free entry: a new one while there is room (a chunk allocated when
 * needed), else the least recently used one not pinned by the open list. */
static int take_entry(sim_tierlat *L)
{
    if (L->nent < L->nstore * SIM_LAT_CHUNK || add_chunk(L) == AS_OK)
        return L->nent++;
    int victim = -1;
    for (int i = 0; i < L->nent; i++) {
        const sim_latent *e = &L->ent[i];
        if (e->pin != L->stamp && (victim < 0 || e->used < L->ent[victim].used))
            victim = i;
    }
    /* the open list pins at most SIM_LAT_LIST + 2 of >= SIM_LAT_CHUNK */
    hash_remove(L, victim);
    L->ent[victim].c = 0;
    return victim;
}

/* What the ticks read beyond the law itself: its p-quantile and the law
 * of all the visits of a request. The sizing search reads neither, so the
 * laws only it asks for (most of those a run builds) skip them. */
static void complete(sim_tierlat *L, sim_latent *e)
{
    e->q = as_latdist_quantile(e->law, L->cfg.p);
    if (e->vlaw != e->law)
        as_mgc_visits_law(e->law, L->cfg.visits, e->vlaw, &L->ws);
    e->full = 1;
}

/* The law of c servers at the load of bin j; full: with complete(). */
static void build(sim_tierlat *L, sim_latent *e, int c, int j, int full)
{
    const sim_tierlat_cfg *cf = &L->cfg;
    double rho = -expm1(-(double)j / SIM_LAT_BINS);
    as_mgc_wait w;
    as_mgc_wait_params(&w, rho * c * L->mu, L->mu, c, cf->svc.scv);
    e->c = c;
    e->j = j;
    e->pab = 0.0;
    e->wmean = w.ew;
    if (cf->tmax > 0 && w.pw > 0) {
        as_mgc_abandon ab;
        as_mgc_timeout_law(L->sh, &w, cf->tmax, &ab, &L->ws.d, &L->ws);
        as_latdist_conv(e->law, &L->ws.d, &L->S);
        as_latdist_prune(e->law, 0.0, 1e-10);
        e->pab = ab.p_abandon;
        e->wmean = (1 - ab.p_abandon) * ab.w_served + ab.p_abandon * cf->tmax;
    } else {
        as_mgc_resp_law(L->sh, &w, &L->S, e->law, &L->ws);
    }
    e->full = 0;
    if (full)
        complete(L, e);
    L->builds++;
}

/* Whether the sizing search asked for (c, j) before (and was not told it
 * is cached): a table of the last key per slot. Most of the search's laws
 * are asked for once (a week of week3tier.ini: 2552 of its 3196 builds),
 * and in the cache they pushed out the ticks' laws and took most of its
 * memory; a law asked for twice is kept from then on. */
static int seen_before(sim_tierlat *L, int c, int j)
{
    int64_t key = (int64_t)c << 32 | (uint32_t)j;
    unsigned h = hash_of(c, j) & (SIM_LAT_SEEN - 1);
    if (L->seen[h] == key)
        return 1;
    L->seen[h] = key;
    return 0;
}

/* The entry of (c, j), built if missing. pin: for a tick (pinned by the
 * open list, and complete). Else a law not cached and not asked for
 * before is built into L->once, valid until the next lookup. */
static sim_latent *lookup(sim_tierlat *L, int c, int j, int pin)
{
    unsigned h = hash_of(c, j);
    sim_latent *e = NULL;
    for (;;) {
        int i = L->hash[h];
        if (i < 0)
            break;
        if (L->ent[i].c == c && L->ent[i].j == j) {
            e = &L->ent[i];
            break;
        }
        h = (h + 1) & (HCAP - 1);
    }
    if (e == NULL && !pin && !seen_before(L, c, j)) { /* a one-off, for now */
        e = &L->once;
        build(L, e, c, j, 0);
        return e;
    }
    if (e == NULL) {
        int i = take_entry(L);
        e = &L->ent[i];
        build(L, e, c, j, pin);
        h = hash_of(c, j);
        while (L->hash[h] >= 0)
            h = (h + 1) & (HCAP - 1);
        L->hash[h] = i;
    }
    e->used = L->now;
    if (pin) {
        e->pin = L->stamp;
        if (!e->full)
            complete(L, e);
    }
    return e;
}

/* ---- set-up ---- */

int sim_tierlat_init(sim_tierlat *L, const sim_tierlat_cfg *cfg, as_err *err)
{
    L->cfg = *cfg;
    L->mu = 1.0 / cfg->svc.m1;
    L->q0 = as_svclaw_quantile(&cfg->svc, cfg->p);
    L->stamp = 1;
    L->once.law = L->once.vlaw = &L->once_law;
    for (int k = 0; k < SIM_LAT_SEEN; k++)
        L->seen[k] = -1;
    as_latdist *all[] = {&L->once_law, &L->S, &L->Sn, &L->Sn1, &L->fd1, &L->fdn, &L->fdn1, &L->rec1, &L->slotv};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        as_latdist_clear(all[k]);
    as_mgc_ws_init(&L->ws);
    as_mgc_service_law(&cfg->svc, &L->S);
    int n = (int)floor(cfg->visits);
    as_latdist_power(&L->Sn, &L->S, n, &L->ws.a);
    as_latdist_conv(&L->Sn1, &L->Sn, &L->S);
    L->sh = cfg->shapes ? cfg->shapes : as_mgc_shapes_new(&cfg->svc, err);
    L->ent = calloc(SIM_LAT_CACHE, sizeof *L->ent);
    L->hash = malloc(HCAP * sizeof *L->hash);
    L->memo = malloc(SIM_LAT_MEMO * sizeof *L->memo);
    L->bound = calloc(SIM_LAT_BOUNDS, sizeof *L->bound); /* c = 0: free */
    if (L->sh == NULL || L->ent == NULL || L->hash == NULL || L->memo == NULL ||
        L->bound == NULL ||
        add_chunk(L) != AS_OK)
        return err && err->code ? err->code
                                : as_err_set(err, AS_ENOMEM, "out of memory (latency model)");
    hash_rebuild(L);
    for (int k = 0; k < SIM_LAT_MEMO; k++)
        L->memo[k].key = INT64_MIN;
    return AS_OK;
}

void sim_tierlat_fini(sim_tierlat *L)
{
    for (int k = 0; k < L->nstore; k++)
        free(L->store[k]);
    L->nstore = 0;
    free(L->ent);
    free(L->hash);
    free(L->memo);
    free(L->bound);
    L->memo = NULL;
    L->bound = NULL;
    if (L->cfg.shapes == NULL)
        as_mgc_shapes_free(L->sh);
    L->ent = NULL;
    L->hash = NULL;
    L->sh = NULL;
}

/* ---- ticks ---- */

/* (inlined: two a tier and tick, most of them a weight added to an entry
 * already on the list; a call each was an eighth of the tick's instructions) */
static inline __attribute__((always_inline)) void list_add(sim_tierlat *L, sim_latent *e, double w)
{
    if (!(w > 0))
        return;
    int id = e->id, k = e->lk; /* ((e - L->ent) divides by the entry's size: 6 instructions) */
    if (k < L->nlist && L->lid[k] == id) { /* on the list already (a law is there once) */
        L->lw[k] += w;
        return;
    }
    if (L->nlist == SIM_LAT_LIST)
        sim_tierlat_flush(L);
    e->lk = L->nlist;
    L->lid[L->nlist] = id;
    L->lw[L->nlist++] = w;
    e->pin = L->stamp; /* (a flush moved the stamp on) */
}

/* The load bin of rho and the weight f of the bin above: linear in rho
 * between the loads the two laws were built at, rho_j = 1 - exp(-j / BINS).
 * The bin's bounds are kept, so a tick whose load stays in the last bin
 * (most do) costs a compare and a division; the logarithm that finds the
 * bin runs when the load leaves it. Mixing linearly in u = -ln(1 - rho),
 * as before, moved f by at most 1/500 (the curvature of u over a bin
 * 1/64 wide) and a quantile by at most about 3e-5 of itself, and cost a
 * log1p a tier and tick (7 % of a week's time). */
static double load_bin(sim_tierlat *L, double rho, int *jout)
{
    if (!(rho >= L->rho_lo && rho < L->rho_hi)) {
        double u = -log1p(-rho); /* (-lam / cap is -rho to the bit) */
        if (u >= U_MAX) { /* the law of that load: no bounds kept */
            u = U_MAX * SIM_LAT_BINS;
            *jout = (int)u;
            L->rho_lo = L->rho_hi = 0;
            return u - *jout;
        }
        int j = (int)(u * SIM_LAT_BINS);
        L->bin_j = j;
        L->rho_lo = -expm1(-(double)j / SIM_LAT_BINS);
        L->rho_hi = -expm1(-(double)(j + 1) / SIM_LAT_BINS);
    }
    double f = (rho - L->rho_lo) / (L->rho_hi - L->rho_lo);
    *jout = L->bin_j;
    return f < 0 ? 0 : f > 1 ? 1 : f; /* (rounding at a bin's edge) */
}

/* Stable: the steady state of the tick's load, mixed from two bins. */
static void tick_stable(sim_tierlat *L, double lreq, int c, double dt, sim_tick_out *o)
{
    double v = L->cfg.visits, lam = lreq * v, cap = c * L->mu, rho = lam / cap;
    int j;
    double f = load_bin(L, rho, &j);
    sim_latent *a = L->last_a, *b = L->last_b;
    /* consecutive ticks mostly stay in one pair of bins: the last pair
     * when it still holds those keys (an evicted entry holds another key
     * or none), else the hash */
    if (a != NULL && a->c == c && a->j == j && b->c == c && b->j == j + 1) {
        /* (no pin here: a pin keeps a law the open list holds, and
         * list_add pins what it puts there; no look-up follows to evict) */
        a->used = b->used = L->now;
    } else {
        a = lookup(L, c, j, 1);
        b = lookup(L, c, j + 1, 1);
        L->last_a = a;
        L->last_b = b;
    }
    double pab = a->pab + f * (b->pab - a->pab);
    o->quantile = a->q + f * (b->q - a->q);
    o->util = pab == 0 ? rho : lam * (1 - pab) / cap; /* (lam 1 / cap is rho) */
    o->queue = lam * (a->wmean + f * (b->wmean - a->wmean));
    o->timeouts = lam * dt * pab;
    /* Without timeouts every request is served: 1 as a constant (1 - 0 and
     * pow(1, v) are 1 exactly), so that the next tier's tick, whose load
     * is this share of ours, need not wait for this tick's look-ups (the
     * branch is predicted; a value computed from pab is not). */
    if (pab == 0)
        o->served = 1.0;
    else
        o->served = v == 1.0 ? 1 - pab : pow(1 - pab, v);
    list_add(L, a, lreq * dt * (1 - f));
    list_add(L, b, lreq * dt * f);
}

/* Overload or a backlog draining: the fluid model (as_fluid_tick) with
 * the queue cap; a request waits for the backlog ahead of it (the mean
 * over the tick), then its own service. */
static void tick_fluid(sim_tierlat *L, double lreq, int servers, double dt, sim_tick_out *o)
{
    double v = L->cfg.visits, lam = lreq * v, cap = servers * L->mu;
    double q0 = L->backlog;
    double lost = as_fluid_tick(&L->backlog, lam, cap, L->cfg.tmax, dt);
    if (L->cfg.queue_cap > 0 && L->backlog > L->cfg.queue_cap) {
        o->dropped = L->backlog - L->cfg.queue_cap;
        L->backlog = L->cfg.queue_cap;
    }
    double qa = 0.5 * (q0 + L->backlog);
    double drain = cap > 0 ? cap : L->mu * L->cfg.concurrency;
    double delay = qa / drain, wv = lam * dt;
    double sv = wv > 0 ? (wv - lost - o->dropped) / wv : 1.0;
    sv = sv < 0 ? 0 : sv > 1 ? 1 : sv;
    double sreq = v == 1.0 ? sv : pow(sv, v), wr = lreq * dt * sreq;
    int n = (int)floor(v);
    double fr = v - n;
    as_latdist_add(&L->fd1, delay, wv * sv);
    as_latdist_add(&L->fdn, n * delay, wr * (1 - fr));
    if (fr > 0)
        as_latdist_add(&L->fdn1, (n + 1) * delay, wr * fr);
    L->fw1 += wv * sv;
    L->fwn += wr;
    L->fl_req += lreq * dt;
    L->fl_srv += wr;
    o->fluid = 1;
    o->util = servers > 0 ? 1.0 : 0.0;
    o->queue = qa;
    o->timeouts = lost;
    o->served = sreq;
    o->quantile = delay + L->q0;
}

void sim_tierlat_tick(sim_tierlat *L, double lreq, int servers, double dt, sim_tick_out *o)
{
    *o = (sim_tick_out){.served = 1.0, .quantile = L->q0};
    L->now++;
    double lam = lreq * L->cfg.visits;
    if (L->cfg.visits <= 0)
        return;
    if (L->backlog <= 0.0 && lam < servers * L->mu) {
        if (lam > 0)
            tick_stable(L, lreq, servers, dt, o);
    } else {
        tick_fluid(L, lreq, servers, dt, o);
    }
    L->dropped += o->dropped;
    L->timeouts += o->timeouts;
}

/* ---- mixtures ---- */

void sim_tierlat_flush(sim_tierlat *L)
{
    double v = L->cfg.visits;
    for (int k = 0; k < L->nlist; k++) {
        const sim_latent *e = &L->ent[L->lid[k]];
        double w = L->lw[k], s = 1 - e->pab, sv = v == 1.0 || s == 1.0 ? s : pow(s, v);
        /* one visit (the law is the visits law, v s = sv): one pass into both
         * (as_latdist_axpy2 is the same bits as the two calls) */
        if (L->cfg.no_record) {
            as_latdist_axpy(&L->slotv, w * sv, e->vlaw);
        } else if (e->vlaw == e->law && w * v * s == w * sv) {
            as_latdist_axpy2(&L->rec1, &L->slotv, w * sv, e->law);
        } else {
            as_latdist_axpy(&L->rec1, w * v * s, e->law);
            as_latdist_axpy(&L->slotv, w * sv, e->vlaw);
        }
        L->slot_req += w;
        L->slot_srv += w * sv;
    }
    L->nlist = 0;
    L->stamp++;
    if (L->fl_req > 0) {
        as_latdist *t = &L->ws.a;
        if (L->fw1 > 0 && !L->cfg.no_record) {
            as_latdist_conv(t, &L->fd1, &L->S);
            as_latdist_axpy(&L->rec1, 1.0, t);
        }
        if (L->fwn > 0) {
            as_latdist_conv(t, &L->fdn, &L->Sn);
            as_latdist_axpy(&L->slotv, 1.0, t);
            if (as_latdist_total(&L->fdn1) > 0) {
                as_latdist_conv(t, &L->fdn1, &L->Sn1);
                as_latdist_axpy(&L->slotv, 1.0, t);
            }
        }
        L->slot_req += L->fl_req;
        L->slot_srv += L->fl_srv;
        as_latdist_clear(&L->fd1);
        as_latdist_clear(&L->fdn);
        as_latdist_clear(&L->fdn1);
        L->fw1 = L->fwn = L->fl_req = L->fl_srv = 0;
    }
}

void sim_tierlat_slot_reset(sim_tierlat *L)
{
    as_latdist_clear(&L->slotv);
    L->slot_req = L->slot_srv = 0;
}

void sim_tierlat_record_reset(sim_tierlat *L) { as_latdist_clear(&L->rec1); }

/* ---- sizing ---- */

/* The share of visits c servers serve within target at the load of bin j
 * (clients that give up are not served). */
static double served_in_time(sim_tierlat *L, int c, int j, double target)
{
    const sim_latent *e = lookup(L, c, j, 0);
    return (1 - e->pab) * (1 - as_latdist_tail(e->law, target));
}

/* served_in_time(c, j, target) >= need, from c's bracket when j lies
 * outside it (no law), else from the law, which then narrows the bracket. */
static int served_at_least(sim_tierlat *L, int c, int j, double target, double need)
{
    struct sim_latbound *b = &L->bound[c & (SIM_LAT_BOUNDS - 1)];
    if (b->c == c && b->target == target && b->need == need) {
        if (j <= b->jok)
            return 1;
        if (j >= b->jmiss)
            return 0;
    } else {
        *b = (struct sim_latbound){c, -1, INT_MAX, target, need};
    }
    int ok = served_in_time(L, c, j, target) >= need;
    if (ok && j > b->jok)
        b->jok = j;
    if (!ok && j < b->jmiss)
        b->jmiss = j;
    return ok;
}

/* Whether c servers serve a visit at lam within target with probability
 * >= p, judged at the load bin above lam's load (a law is monotone in the
 * load, so this errs on the safe side). */

static int meets(sim_tierlat *L, double lam, int c, double target, double p, double z,
                 double window_s)
{
    double cap = c * L->mu;
    if (!(lam < cap))
        return 0;
    double rho = lam / cap, u = -log1p(-rho);
    int j = (int)ceil((u > U_MAX ? U_MAX : u) * SIM_LAT_BINS);
    double need = p;
    if (z > 0) {
        double tau = 1.0 / (cap * (1 - sqrt(rho)) * (1 - sqrt(rho)));
        need += z * sqrt(p * (1 - p) * (1 + 2 * lam * tau) / (lam * window_s));
        /* at most halfway from p to what service alone allows (infinite
         * servers): beyond it no count meets it, and the plan would ask
         * for every server (then it is no bound) */
        need = fmin(need, p + 0.5 * (1 - as_latdist_tail(&L->S, target) - p));
    }
    return served_at_least(L, c, j, target, need);
}

static int search(sim_tierlat *L, double lam, double target, double p, int cmax, double z,
                  double window_s)
{
    if (as_latdist_tail(&L->S, target) > 1 - p) /* service alone misses it */
        return cmax + 1;
    if (!(lam / L->mu < cmax)) /* (in double: a flood would overflow an int) */
        return cmax + 1;
    int c = (int)floor(lam / L->mu) + 1, lo = c - 1, step = 1;
    /* gallop up to a count that meets it, then bisect: P(R > t) falls with c */
    while (!meets(L, lam, c, target, p, z, window_s)) {
        lo = c;
        if (c == cmax)
            return cmax + 1;
        c = c + step > cmax ? cmax : c + step;
        step *= 2;
    }
    while (c - lo > 1) {
        int mid = lo + (c - lo) / 2;
        if (meets(L, lam, mid, target, p, z, window_s))
            c = mid;
        else
            lo = mid;
    }
    return c;
}

int sim_tierlat_min_servers(sim_tierlat *L, double lam, double target, double p, int cmax,
                            double z, double window_s)
{
    if (!(lam > 0))
        return 1 <= cmax ? 1 : cmax + 1;
    int64_t key = (int64_t)ceil(log(lam) * SIM_LAT_RATE_BINS);
    unsigned h = (unsigned)(key * 2654435761u) & (SIM_LAT_MEMO - 1);
    for (int n = 0; n < 8; n++, h = (h + 1) & (SIM_LAT_MEMO - 1)) {
        struct sim_latsize *m = &L->memo[h];
        if (m->key == key && m->target == target && m->p == p && m->z == z && m->cmax == cmax)
            return m->c;
        if (m->key == INT64_MIN)
            break;
    }
    int c = search(L, exp((double)key / SIM_LAT_RATE_BINS), target, p, cmax, z, window_s);
    if (L->nmemo >= SIM_LAT_MEMO / 2) { /* full enough: start over */
        for (int k = 0; k < SIM_LAT_MEMO; k++)
            L->memo[k].key = INT64_MIN;
        L->nmemo = 0;
    }
    h = (unsigned)(key * 2654435761u) & (SIM_LAT_MEMO - 1);
    while (L->memo[h].key != INT64_MIN)
        h = (h + 1) & (SIM_LAT_MEMO - 1);
    L->memo[h] = (struct sim_latsize){key, target, p, z, cmax, c};
    L->nmemo++;
    return c;
}

double sim_tierlat_max_rate(sim_tierlat *L, int c, double target, double p)
{
    if (c <= 0 || served_in_time(L, c, 0, target) < p) /* service alone misses it */
        return 0;
    /* the first load bin that misses, galloping up from no load and then
     * bisecting (the served share falls with the load; near saturation
     * the grid cannot hold the law, so the search never starts there) */
    int top = (int)ceil(U_MAX * SIM_LAT_BINS), lo = 0, hi = 1;
    while (hi < top && served_in_time(L, c, hi, target) >= p) {
        lo = hi;
        hi = 2 * hi < top ? 2 * hi : top;
    }
    if (hi == top && served_in_time(L, c, top, target) >= p)
        lo = top;
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        if (served_in_time(L, c, mid, target) >= p)
            lo = mid;
        else
            hi = mid;
    }
    /* between the two bins, where the share crosses p (linear in the
     * load, as the analytic model mixes two bins) */
    double r0 = -expm1(-(double)lo / SIM_LAT_BINS), r1 = -expm1(-(double)hi / SIM_LAT_BINS);
    double rho = r0;
    if (hi > lo) {
        double a = served_in_time(L, c, lo, target), b = served_in_time(L, c, hi, target);
        rho += a > b ? fmin(1.0, (a - p) / (a - b)) * (r1 - r0) : 0.0;
    }
    return rho * c * L->mu;
}
