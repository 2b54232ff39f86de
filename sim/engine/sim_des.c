/* sim_des.c - request-level discrete-event latency model (see sim_des.h).
 *
 * Structure. Two kinds of event, arrival and departure (end of one visit's
 * service), live in one binary heap ordered by (time, seq); seq increases
 * with every push, so ties are FIFO and runs are reproducible. A heap entry
 * is a 24-byte key (time, seq, request index) kept by value, so sifting moves
 * no pointers; the payload is the request record, taken from a pool with a
 * free list (indices, not pointers, so the pool can grow by realloc). At
 * most one arrival is pending; the heap otherwise holds one departure per
 * busy server, so it stays small (servers + 1) and O(log n) push/pop is a
 * few cache lines. A calendar queue would be O(1) but loses exact FIFO ties
 * and is not faster at this size.
 *
 * Each tier is FCFS: waiting requests form a singly linked list through the
 * request records (head, tail). A tier has `servers` = ready*concurrency
 * slots and `busy` of them in use; servers are interchangeable, so a
 * capacity drop is a drain by construction: busy may exceed servers, and a
 * departure only starts the next waiting request while busy < servers.
 *
 * Time is integer microseconds (as_time) as in the rest of the simulator.
 * Service times are rounded to the nearest microsecond; arrival times are
 * accumulated in double microseconds and truncated, so rounding never
 * accumulates into a rate error.
 *
 * Time integrals (queue length, busy servers, requests in system) are kept
 * per tier in integer microsecond*count units, updated lazily whenever the
 * integrand changes ("touch"): exact, and independent of how the caller
 * slices time into calls. An int64 holds 9.2e18: a queue of 10^8 requests
 * for a whole day (8.6e10 us) still fits. */
#include "sim_des.h"
#include "sim_scenario.h"

#include <assert.h>
#include <signal.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX       /* end of a request list */
#define EV_ARRIVAL UINT32_MAX /* request index of the arrival event */
#define MAX_VISITS 65535

/* ---------------------------------------------------------------- model */

typedef struct des_req {
    as_time t_sys;  /* arrival in the system */
    as_time t_join; /* joined the current tier's queue (this visit) */
    uint32_t next;  /* queue link / free-list link */
    uint16_t tier;  /* current tier */
    uint16_t left;  /* visits of the current tier still to finish, this one included */
} des_req;

typedef struct des_ev {
    as_time t;
    uint64_t seq;
    uint32_t req; /* EV_ARRIVAL or the request whose service ends */
} des_ev;

typedef struct des_tier {
    sim_des_tier cfg;
    gsl_rng *rng;
    double mean_us;       /* mean service time, us */
    double a, b;          /* distribution parameters in us (see draw_service) */
    int nvis;             /* floor(visits) */
    double frac;          /* visits - floor(visits) */
    uint64_t cap;         /* queue_cap as a count; 0 = unbounded */
    int64_t servers, busy;
    uint32_t qhead, qtail;
    uint64_t qlen;
    /* interval accumulators */
    as_time last;         /* the integrals below are up to date to this time */
    int64_t q_area, busy_area, cap_area; /* us * count */
    uint64_t arrivals, completions, dropped, started, waited;
    double wait_sum;      /* us */
    sim_des_hist *ih, *rh; /* interval, whole run (without the open interval) */
} des_tier;

struct sim_des {
    int ntiers;
    des_tier tiers[SIM_DES_MAX_TIERS];
    gsl_rng *arr_rng;
    /* event heap */
    des_ev *heap;
    size_t hn, hcap;
    uint64_t seq, events;
    /* request pool */
    des_req *req;
    uint32_t rcap, free_head;
    /* clock and arrival stream */
    int started;
    as_time now;          /* end of the last advance */
    as_time istart;       /* start of the current interval */
    double lambda;        /* rate of the pending arrival */
    double arr_us;        /* exact time of the pending arrival, us */
    int arr_live;         /* an arrival event is in the heap */
    /* end to end */
    uint64_t in_sys;
    as_time sys_last;
    int64_t sys_area;
    uint64_t arrivals, completions, dropped;
    sim_des_hist *eih, *erh;
    const volatile sig_atomic_t *stop; /* borrowed; may be NULL */
};

/* Events between two looks at the stop flag: 65536 events take 5-50 ms,
 * and a relaxed load per look costs nothing measurable. */
#define STOP_EVERY 0xFFFFu

/* ---- heap: (t, seq) order, by value ---- */

static inline int ev_lt(const des_ev *x, const des_ev *y)
{
    return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static int heap_grow(sim_des *d)
{
    size_t ncap = d->hcap ? 2 * d->hcap : 64;
    des_ev *h = realloc(d->heap, ncap * sizeof *h);
    if (!h)
        return AS_ENOMEM;
    d->heap = h;
    d->hcap = ncap;
    return AS_OK;
}

static inline int heap_push(sim_des *d, as_time t, uint32_t req)
{
    if (d->hn == d->hcap && heap_grow(d) != AS_OK)
        return AS_ENOMEM;
    des_ev e = {t, d->seq++, req};
    size_t i = d->hn++;
    while (i > 0) {
        size_t p = (i - 1) >> 1;
        if (!ev_lt(&e, &d->heap[p]))
            break;
        d->heap[i] = d->heap[p];
        i = p;
    }
    d->heap[i] = e;
    return AS_OK;
}

/* Remove the entry at position i (the top for a pop). */
static inline void heap_remove(sim_des *d, size_t i)
{
    des_ev last = d->heap[--d->hn];
    if (i == d->hn)
        return;
    /* last may need to go up (only when i is not the top) or down */
    while (i > 0) {
        size_t p = (i - 1) >> 1;
        if (!ev_lt(&last, &d->heap[p]))
            break;
        d->heap[i] = d->heap[p];
        i = p;
    }
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= d->hn)
            break;
        if (c + 1 < d->hn && ev_lt(&d->heap[c + 1], &d->heap[c]))
            c++;
        if (!ev_lt(&d->heap[c], &last))
            break;
        d->heap[i] = d->heap[c];
        i = c;
    }
    d->heap[i] = last;
}

/* ---- request pool ---- */

static int pool_grow(sim_des *d)
{
    uint64_t ncap = d->rcap ? 2 * (uint64_t)d->rcap : 1024;
    if (ncap > (uint64_t)NIL - 1)
        ncap = (uint64_t)NIL - 1;
    if (ncap <= d->rcap)
        return AS_ENOMEM;
    des_req *r = realloc(d->req, (size_t)ncap * sizeof *r);
    if (!r)
        return AS_ENOMEM;
    /* thread the new records onto the free list, lowest index first */
    for (uint64_t i = ncap; i-- > d->rcap;) {
        r[i].next = d->free_head;
        d->free_head = (uint32_t)i;
    }
    d->req = r;
    d->rcap = (uint32_t)ncap;
    return AS_OK;
}

static inline uint32_t req_alloc(sim_des *d)
{
    if (d->free_head == NIL && pool_grow(d) != AS_OK)
        return NIL;
    uint32_t r = d->free_head;
    d->free_head = d->req[r].next;
    return r;
}

static inline void req_free(sim_des *d, uint32_t r)
{
    d->req[r].next = d->free_head;
    d->free_head = r;
}

/* ---- accounting ---- */

static inline void tier_touch(des_tier *T, as_time now)
{
    int64_t dt = now - T->last;
    if (dt) {
        T->q_area += (int64_t)T->qlen * dt;
        T->busy_area += T->busy * dt;
        T->cap_area += (T->busy > T->servers ? T->busy : T->servers) * dt;
        T->last = now;
    }
}

static inline void sys_touch(sim_des *d, as_time now)
{
    d->sys_area += (int64_t)d->in_sys * (now - d->sys_last);
    d->sys_last = now;
}

/* ---- the model proper ---- */

/* Exponential with the given mean. Same law as gsl_ran_exponential, which
 * computes -mean*log1p(-u): glibc's log1p is about twice the cost of log and
 * was 30% of the whole loop; 1-U and U (0 excluded) have the same law. */
static inline double draw_exp(const gsl_rng *r, double mean)
{
    return -mean * log(gsl_rng_uniform_pos(r));
}

static inline as_time draw_service(des_tier *T)
{
    double x;
    switch (T->cfg.dist) {
    case SIM_DIST_DET:
        x = T->mean_us;
        break;
    case SIM_DIST_UNIFORM: /* a = low end, b = width */
        x = T->a + T->b * gsl_rng_uniform(T->rng);
        break;
    case SIM_DIST_NORMAL: /* b = sigma; negative draws become 0 (see header) */
        x = T->mean_us + T->b * gsl_ran_gaussian_ziggurat(T->rng, 1.0);
        if (x < 0)
            x = 0;
        break;
    case SIM_DIST_LOGNORMAL: /* a = zeta, b = sigma of the log */
        x = gsl_ran_lognormal(T->rng, T->a, T->b);
        break;
    default: /* SIM_DIST_EXP */
        x = draw_exp(T->rng, T->mean_us);
        break;
    }
    /* clamped (no overflow of now + service), then rounded half up */
    return (as_time)(as_draw_clamp_us(x) + 0.5);
}

static inline int start_service(sim_des *d, des_tier *T, uint32_t r, as_time now)
{
    as_time w = now - d->req[r].t_join;
    if (w > 0) {
        T->waited++;
        T->wait_sum += (double)w;
    }
    T->started++;
    T->busy++;
    return heap_push(d, now + draw_service(T), r);
}

static inline void request_done(sim_des *d, uint32_t r, as_time now, int dropped)
{
    sys_touch(d, now);
    d->in_sys--;
    if (dropped)
        d->dropped++;
    else {
        d->completions++;
        sim_des_hist_record(d->eih, now - d->req[r].t_sys);
    }
    req_free(d, r);
}

/* Request r joins tier i for one visit at `now`: it starts at once when a
 * server is free, is dropped when the queue is at its cap, else waits. */
static int tier_join(sim_des *d, int i, uint32_t r, as_time now)
{
    des_tier *T = &d->tiers[i];
    des_req *q = &d->req[r];
    q->t_join = now;
    T->arrivals++;
    tier_touch(T, now);
    if (T->busy < T->servers)
        return start_service(d, T, r, now);
    if (T->cap && T->qlen >= T->cap) {
        T->dropped++;
        request_done(d, r, now, 1);
        return AS_OK;
    }
    q->next = NIL;
    if (T->qlen)
        d->req[T->qtail].next = r;
    else
        T->qhead = r;
    T->qtail = r;
    T->qlen++;
    return AS_OK;
}

/* Send request r to the first tier >= i it visits at least once, or finish
 * it when there is none. The visit count is drawn when the request gets
 * there, from that tier's stream. */
static int route(sim_des *d, uint32_t r, int i, as_time now)
{
    for (; i < d->ntiers; i++) {
        des_tier *T = &d->tiers[i];
        int k = T->nvis;
        if (T->frac > 0 && gsl_rng_uniform(T->rng) < T->frac)
            k++;
        if (k > 0) {
            d->req[r].tier = (uint16_t)i;
            d->req[r].left = (uint16_t)k;
            return tier_join(d, i, r, now);
        }
    }
    request_done(d, r, now, 0);
    return AS_OK;
}

/* Start waiting requests while servers are free (after a departure, one at
 * most; after a capacity rise, possibly many). */
static int tier_fill(sim_des *d, des_tier *T, as_time now)
{
    while (T->qlen && T->busy < T->servers) {
        uint32_t r = T->qhead;
        T->qhead = d->req[r].next;
        T->qlen--;
        int rc = start_service(d, T, r, now);
        if (rc)
            return rc;
    }
    return AS_OK;
}

static int on_departure(sim_des *d, uint32_t r, as_time now)
{
    des_req *q = &d->req[r];
    int i = q->tier;
    des_tier *T = &d->tiers[i];
    tier_touch(T, now);
    T->busy--;
    T->completions++;
    sim_des_hist_record(T->ih, now - q->t_join);
    /* the freed server goes to the head of the queue first; a request that
     * visits this tier again then joins behind it (FCFS) */
    int rc = tier_fill(d, T, now);
    if (rc)
        return rc;
    if (--q->left > 0)
        return tier_join(d, i, r, now);
    return route(d, r, i + 1, now);
}

static int push_arrival(sim_des *d)
{
    d->arr_us += as_draw_clamp_us(draw_exp(d->arr_rng, 1e6 / d->lambda));
    /* truncation keeps event times monotone and the count in any window
     * exact; a near-zero rate's gap is clamped, and so is the sum, so that
     * the cast cannot overflow (the arrival then lies past any run's end) */
    if (d->arr_us > (double)AS_TIME_DRAW_MAX)
        d->arr_us = (double)AS_TIME_DRAW_MAX;
    d->arr_live = 1;
    return heap_push(d, (as_time)d->arr_us, EV_ARRIVAL);
}

static int on_arrival(sim_des *d, as_time now)
{
    int rc = push_arrival(d);
    if (rc)
        return rc;
    uint32_t r = req_alloc(d);
    if (r == NIL)
        return AS_ENOMEM;
    d->req[r].t_sys = now;
    d->arrivals++;
    sys_touch(d, now);
    d->in_sys++;
    return route(d, r, 0, now);
}

/* ---- public API ---- */

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

static sim_des_hist *hist_new(void)
{
    sim_des_hist *h = malloc(sizeof *h);
    if (h) {
        memset(h->counts, 0, sizeof h->counts);
        h->lo = 0;
        h->hi = -1;
        sim_des_hist_reset(h);
    }
    return h;
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
    sim_des *d = calloc(1, sizeof *d);
    if (!d)
        goto nomem;
    d->ntiers = ntiers;
    d->free_head = NIL;
    size_t hint = 1; /* the pending arrival */
    uint64_t pool = 0;
    if (!(d->arr_rng = gsl_rng_alloc(gsl_rng_mt19937)) || !(d->eih = hist_new()) ||
        !(d->erh = hist_new()))
        goto nomem;
    gsl_rng_set(d->arr_rng, as_seed_derive(seed, 0));
    for (int i = 0; i < ntiers; i++) {
        des_tier *T = &d->tiers[i];
        const sim_des_tier *c = &tiers[i];
        T->cfg = *c;
        if (!(T->rng = gsl_rng_alloc(gsl_rng_mt19937)) || !(T->ih = hist_new()) ||
            !(T->rh = hist_new()))
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
        if (heap_grow(d))
            goto nomem;
    if (pool > (1u << 18)) /* 6 MB; a larger cap is reached by growth, if ever */
        pool = 1u << 18;
    while ((uint64_t)d->rcap < pool + 1)
        if (pool_grow(d))
            goto nomem;
    return d;
nomem:
    sim_des_free(d);
    as_err_set(err, AS_ENOMEM, "des: out of memory");
    return NULL;
}

int sim_des_advance(sim_des *d, as_time t0, as_time t1, double lambda, const int *ready,
                    as_err *err)
{
    if (t1 < t0)
        return as_err_set(err, AS_EINVAL, "des: interval [%lld, %lld) runs backwards",
                          (long long)t0, (long long)t1);
    if (!(lambda >= 0) || !isfinite(lambda))
        return as_err_set(err, AS_EINVAL, "des: arrival rate %g", lambda);
    if (d->started && t0 != d->now)
        return as_err_set(err, AS_EINVAL, "des: advance from %lld, but the model is at %lld",
                          (long long)t0, (long long)d->now);
    for (int i = 0; i < d->ntiers; i++)
        if (ready[i] < 0)
            return as_err_set(err, AS_EINVAL, "des: tier %d: %d ready instances", i, ready[i]);
    if (!d->started) {
        d->started = 1;
        d->now = d->istart = d->sys_last = t0;
        for (int i = 0; i < d->ntiers; i++)
            d->tiers[i].last = t0;
    }
    int rc = AS_OK;
    /* capacity first: a rise starts waiting requests at t0 */
    for (int i = 0; i < d->ntiers && !rc; i++) {
        des_tier *T = &d->tiers[i];
        tier_touch(T, t0);
        T->servers = (int64_t)ready[i] * T->cfg.concurrency;
        rc = tier_fill(d, T, t0);
    }
    /* a new rate replaces the pending arrival: by memorylessness the next
     * arrival after t0 is Exp(lambda) whatever the old one was. The heap is
     * scanned for it, O(servers) once per rate change; tracking its position
     * through every sift would cost on every event instead. Keeping it when
     * the rate is unchanged makes the result independent of the slicing. */
    if (!rc && (lambda != d->lambda || !d->arr_live)) {
        if (d->arr_live) {
            for (size_t k = 0; k < d->hn; k++)
                if (d->heap[k].req == EV_ARRIVAL) {
                    heap_remove(d, k);
                    break;
                }
            d->arr_live = 0;
        }
        d->lambda = lambda;
        if (lambda > 0) {
            d->arr_us = (double)t0;
            rc = push_arrival(d);
        }
    }
    while (!rc && d->hn && d->heap[0].t < t1) {
        des_ev e = d->heap[0];
        heap_remove(d, 0);
        d->events++;
        rc = e.req == EV_ARRIVAL ? on_arrival(d, e.t) : on_departure(d, e.req, e.t);
        if ((d->events & STOP_EVERY) == 0 && d->stop && __atomic_load_n(d->stop, __ATOMIC_RELAXED))
            rc = rc ? rc : AS_EINTR;
    }
    if (rc == AS_EINTR)
        return as_err_set(err, rc, "interrupted");
    if (rc)
        return as_err_set(err, rc, "des: out of memory at t=%lld with %llu requests in the "
                          "system", (long long)d->now, (unsigned long long)d->in_sys);
    d->now = t1;
    for (int i = 0; i < d->ntiers; i++)
        tier_touch(&d->tiers[i], t1);
    sys_touch(d, t1);
    return AS_OK;
}

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
        T->arrivals = T->completions = T->dropped = T->started = T->waited = 0;
        T->wait_sum = 0;
        T->last = d->now;
    }
    sim_des_hist_merge(d->erh, d->eih);
    sim_des_hist_reset(d->eih);
    d->sys_area = 0;
    d->sys_last = d->now;
    d->arrivals = d->completions = d->dropped = 0;
    d->istart = d->now;
}

uint64_t sim_des_events(const sim_des *d)
{
    return d->events;
}

void sim_des_set_stop(sim_des *d, const volatile sig_atomic_t *stop)
{
    d->stop = stop;
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
                   (ntiers + 1) * rng_bytes();
    return fixed + 2.0 * (double)sizeof(des_req) * (queued + servers + 1024) +
           2.0 * (double)sizeof(des_ev) * (servers + 64);
}

double sim_des_request_bytes(void)
{
    return 2.0 * (double)sizeof(des_req);
}

size_t sim_des_memory(const sim_des *d)
{
    return sizeof *d + (size_t)d->rcap * sizeof(des_req) + d->hcap * sizeof(des_ev) +
           (2 * (size_t)d->ntiers + 2) * sizeof(sim_des_hist);
}
