/* sim_des.c - request-level discrete-event latency model (see sim_des.h).
 *
 * Structure. Four kinds of event live in one binary heap ordered by (time,
 * seq): an arrival, a departure (end of one visit's service), a client
 * giving up (its patience ends while it waits) and a retry (a new attempt
 * after a backoff). seq increases with every push, so ties are FIFO and
 * runs are reproducible. A heap entry is a 24-byte key (time, seq, request,
 * kind) kept by value, so sifting moves no pointers; the payload is the
 * request record, taken from a pool with a free list (indices, not
 * pointers, so the pool can grow by realloc). The heap holds one departure
 * per busy server, one give-up per waiting request when clients have a
 * timeout, and one retry per request backing off. The one pending arrival
 * is kept beside it (arr, an entry of its own) and compared with the heap's top by
 * the same (time, seq) key: an arrival replaces itself, so half the events
 * of an open queue cost no heap operation, and a new rate needs no search.
 * The order is the heap's exactly, so results are as with one heap. A
 * calendar queue would be O(1) but loses exact FIFO ties and is not faster
 * at this size.
 *
 * Each tier is FCFS: waiting requests form a doubly linked list through the
 * request records (head, tail), so that a client who gives up leaves in
 * O(1). A give-up event is stale when its request started service since
 * (its seq no longer matches the request's). A tier has `servers` =
 * ready*concurrency slots and `busy` of them in use; servers are
 * interchangeable, so a capacity drop is a drain by construction: busy may
 * exceed servers, and a departure only starts the next waiting request
 * while busy < servers.
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
#include "sim_des_int.h"
#include "sim_des_rng.h"
#include "sim_scenario.h"

#include <assert.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Events between two looks at the stop flag: 65536 events take 5-50 ms,
 * and a relaxed load per look costs nothing measurable. */
#define STOP_EVERY 0xFFFFu

/* The hot path is one chain of small functions per event (arrival: enter,
 * route, tier_join, start_service; departure: tier_fill, route,
 * request_served). HOT forces them inline: as calls, their prologues and
 * epilogues alone were about 50 instructions of an M/M/1 event (a tenth of
 * it). The paths of features that are off in most runs (queue caps,
 * timeouts, retries) stay out of line (COLD), so the inlined chain stays
 * short. */
#define HOT static inline __attribute__((always_inline))
#define COLD static __attribute__((noinline, cold))

/* ---- heap: (t, seq) order, by value ---- */

/* Branch-free: which of two pending events comes first is close to a coin
 * toss, so a short-circuit here mispredicts often. (seq, t) read as one
 * signed 128-bit integer orders exactly as (t, seq) (see des_ev): a cmp and
 * an sbb where the two-field form took eight instructions. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "des_ev key needs little endian");
_Static_assert(offsetof(des_ev, t) == offsetof(des_ev, seq) + 8, "des_ev key layout");
HOT __int128 ev_key(const des_ev *x)
{
    __int128 k;
    memcpy(&k, &x->seq, sizeof k);
    return k;
}

HOT int ev_lt(const des_ev *x, const des_ev *y)
{
    return ev_key(x) < ev_key(y);
}

/* heap[hn] always holds this sentinel, after every event (so hcap > hn):
 * a sift down then takes the smaller child without testing whether the
 * right one exists, and without a branch (c += ev_lt). That choice is a
 * coin toss per level; as a branch it mispredicted about half the time. */
static const des_ev SENTINEL = {.t = INT64_MAX, .seq = UINT64_MAX, .req = NIL, .kind = EV_DEPART};

int des_heap_grow(sim_des *d)
{
    size_t ncap = d->hcap ? 2 * d->hcap : 64;
    des_ev *h = realloc(d->heap, ncap * sizeof *h);
    if (!h)
        return AS_ENOMEM;
    d->heap = h;
    d->hcap = ncap;
    h[d->hn] = SENTINEL;
    return AS_OK;
}

/* Sift e down from the free slot i. */
HOT void heap_sift_down(sim_des *d, size_t i, des_ev e)
{
    des_ev *h = d->heap;
    size_t n = d->hn;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        c += (size_t)ev_lt(&h[c + 1], &h[c]); /* h[n] is the sentinel */
        if (!ev_lt(&h[c], &e))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = e;
}

/* Push an event; its seq in *seq_out (may be NULL). The first push of a
 * handler takes the top slot its event left (one sift down instead of a
 * sift down to remove it and a sift up to add this one; most handlers push
 * exactly one event). The pop order is (t, seq), a total order, so the
 * heap's layout never changes which event comes next. */
HOT int heap_push(sim_des *d, as_time t, uint32_t req, uint32_t kind, uint64_t *seq_out)
{
    if (!d->top_free && d->hn + 1 == d->hcap && des_heap_grow(d) != AS_OK)
        return AS_ENOMEM;
    des_ev e = {.t = t, .seq = ++d->seq, .req = req, .kind = kind};
    if (seq_out)
        *seq_out = e.seq;
    if (d->top_free) {
        d->top_free = 0;
        heap_sift_down(d, 0, e);
        return AS_OK;
    }
    des_ev *h = d->heap;
    size_t i = d->hn++;
    h[d->hn] = SENTINEL;
    while (i > 0) {
        size_t p = (i - 1) >> 1;
        if (!ev_lt(&e, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = e;
    return AS_OK;
}

/* Remove the entry at position i (the top for a pop). */
HOT void heap_remove(sim_des *d, size_t i)
{
    des_ev last = d->heap[--d->hn];
    d->heap[d->hn] = SENTINEL;
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
    heap_sift_down(d, i, last);
}

/* ---- request pool ---- */

int des_pool_grow(sim_des *d)
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
        r[i].state = REQ_FREE;
        d->free_head = (uint32_t)i;
    }
    d->req = r;
    d->rcap = (uint32_t)ncap;
    return AS_OK;
}

HOT uint32_t req_alloc(sim_des *d)
{
    if (__builtin_expect(d->free_head == NIL, 0) && des_pool_grow(d) != AS_OK)
        return NIL;
    uint32_t r = d->free_head;
    d->free_head = d->req[r].next;
    return r;
}

HOT void req_free(sim_des *d, uint32_t r)
{
    d->req[r].state = REQ_FREE;
    d->req[r].next = d->free_head;
    d->free_head = r;
}

/* ---- accounting ---- */

HOT void tier_touch(des_tier *T, as_time now)
{
    int64_t dt = now - T->last;
    if (dt) {
        T->q_area += (int64_t)T->qlen * dt;
        T->busy_area += T->busy * dt;
        T->cap_area += (T->busy > T->servers ? T->busy : T->servers) * dt;
        T->last = now;
    }
}

HOT void sys_touch(sim_des *d, as_time now)
{
    d->sys_area += (int64_t)d->in_sys * (now - d->sys_last);
    d->sys_last = now;
}

/* ---- the model proper ---- */

/* Exponential with the given mean, by the ziggurat (sim_des_rng.h): the
 * law of gsl_ran_exponential, at a fraction of the cost of its log. */
HOT double draw_exp(const sim_des *d, const gsl_rng *r, double mean)
{
    return mean * des_exp(d->zig, r);
}

COLD double draw_other(des_tier *T)
{
    switch (T->cfg.dist) {
    case SIM_DIST_DET:
        return T->mean_us;
    case SIM_DIST_UNIFORM: /* a = low end, b = width */
        return T->a + T->b * des_uniform(T->rng);
    case SIM_DIST_NORMAL: { /* b = sigma; negative draws become 0 (see header) */
        double x = T->mean_us + T->b * gsl_ran_gaussian_ziggurat(T->rng, 1.0);
        return x < 0 ? 0 : x;
    }
    default: /* SIM_DIST_LOGNORMAL: a = zeta, b = sigma of the log */
        return gsl_ran_lognormal(T->rng, T->a, T->b);
    }
}

HOT as_time draw_service(const sim_des *d, des_tier *T)
{
    double x = T->cfg.dist == SIM_DIST_EXP ? draw_exp(d, T->rng, T->mean_us) : draw_other(T);
    /* clamped (no overflow of now + service), then rounded half up */
    return (as_time)(as_draw_clamp_us(x) + 0.5);
}

HOT int start_service(sim_des *d, des_tier *T, uint32_t r, as_time now)
{
    des_req *q = &d->req[r];
    as_time w = now - q->t_join;
    if (w > 0) {
        T->waited++;
        T->wait_sum += (double)w;
    }
    T->started++;
    T->busy++;
    q->state = REQ_SERVICE;
    q->giveup = 0;
    return heap_push(d, now + draw_service(d, T), r, EV_DEPART, NULL);
}

/* The attempt r leaves the system at now, served: its latency recorded. */
HOT void request_served(sim_des *d, uint32_t r, as_time now)
{
    des_req *q = &d->req[r];
    as_time lat = now - q->t_sys;
    sys_touch(d, now);
    d->in_sys--;
    des_book_finish(d, q->t_sys, 1, lat, 0);
    d->completions++;
    /* into the interval only: sim_des_interval_reset merges it into the
     * whole run (recorded there too, a served request counted twice) */
    sim_des_hist_record(d->eih, lat);
    req_free(d, r);
}

/* The attempt r failed at now (dropped, gave up); it comes back as a retry
 * while it has attempts left. */
COLD int request_failed(sim_des *d, uint32_t r, as_time now)
{
    des_req *q = &d->req[r];
    sys_touch(d, now);
    d->in_sys--;
    des_book_finish(d, q->t_sys, 0, now - q->t_sys, 1);
    if (!d->draining && q->attempt < d->cl.retries) {
        double b = d->cl.backoff_s * ldexp(1.0, q->attempt);
        if (b > d->cl.backoff_max_s)
            b = d->cl.backoff_max_s;
        double wait = (0.5 + 0.5 * des_uniform(d->retry_rng)) * b * 1e6;
        q->attempt++;
        q->state = REQ_BACKOFF;
        return heap_push(d, now + (as_time)(as_draw_clamp_us(wait) + 0.5), r, EV_RETRY, NULL);
    }
    req_free(d, r);
    return AS_OK;
}

static void queue_unlink(sim_des *d, des_tier *T, uint32_t r)
{
    des_req *q = &d->req[r];
    if (q->prev != NIL)
        d->req[q->prev].next = q->next;
    else
        T->qhead = q->next;
    if (q->next != NIL)
        d->req[q->next].prev = q->prev;
    else
        T->qtail = q->prev;
    T->qlen--;
}

/* Take the head of a non-empty queue (queue_unlink of qhead). */
HOT uint32_t queue_pop(sim_des *d, des_tier *T)
{
    uint32_t r = T->qhead, nx = d->req[r].next;
    T->qhead = nx;
    if (nx != NIL)
        d->req[nx].prev = NIL;
    else
        T->qtail = NIL;
    T->qlen--;
    return r;
}

/* r waits at the tail of T's queue. */
HOT void queue_push(sim_des *d, des_tier *T, uint32_t r)
{
    des_req *q = &d->req[r];
    q->next = NIL;
    q->prev = T->qtail;
    if (T->qlen)
        d->req[T->qtail].next = r;
    else
        T->qhead = r;
    T->qtail = r;
    T->qlen++;
    q->state = REQ_WAIT;
}

/* tier_join when no server is free and the tier has a cap or clients have
 * a timeout: dropped when the queue is at its cap, gives up when its
 * patience is already over, else waits (and gives up at its deadline). */
COLD int tier_wait_limited(sim_des *d, des_tier *T, uint32_t r, as_time now)
{
    des_req *q = &d->req[r];
    if (T->cap && T->qlen >= T->cap) {
        T->dropped++;
        d->dropped++;
        return request_failed(d, r, now);
    }
    as_time deadline = d->cl.timeout_s > 0 ? q->t_sys + (as_time)(d->cl.timeout_s * 1e6 + 0.5) : 0;
    if (deadline && deadline <= now) {
        T->timeouts++;
        d->timeouts++;
        return request_failed(d, r, now);
    }
    queue_push(d, T, r);
    return deadline ? heap_push(d, deadline, r, EV_GIVEUP, &q->giveup) : AS_OK;
}

/* Request r joins tier i for one visit at `now`: it starts at once when a
 * server is free, else waits (see tier_wait_limited for caps and
 * timeouts). */
HOT int tier_join(sim_des *d, int i, uint32_t r, as_time now)
{
    des_tier *T = &d->tiers[i];
    d->req[r].t_join = now;
    T->arrivals++;
    tier_touch(T, now);
    if (T->busy < T->servers)
        return start_service(d, T, r, now);
    if (T->cap || d->cl.timeout_s > 0)
        return tier_wait_limited(d, T, r, now);
    queue_push(d, T, r);
    return AS_OK;
}

/* Send request r to the first tier >= i it visits at least once, or finish
 * it when there is none. The visit count is drawn when the request gets
 * there, from that tier's stream. */
HOT int route(sim_des *d, uint32_t r, int i, as_time now)
{
    for (; i < d->ntiers; i++) {
        des_tier *T = &d->tiers[i];
        int k = T->nvis;
        if (T->frac > 0 && des_uniform(T->rng) < T->frac)
            k++;
        if (k > 0) {
            d->req[r].tier = (uint16_t)i;
            d->req[r].left = (uint16_t)k;
            return tier_join(d, i, r, now);
        }
    }
    request_served(d, r, now);
    return AS_OK;
}

/* Start waiting requests while servers are free (after a departure, one at
 * most; after a capacity rise, possibly many). */
HOT int tier_fill(sim_des *d, des_tier *T, as_time now)
{
    while (T->qlen && T->busy < T->servers) {
        int rc = start_service(d, T, queue_pop(d, T), now);
        if (rc)
            return rc;
    }
    return AS_OK;
}

HOT int on_departure(sim_des *d, uint32_t r, as_time now)
{
    des_req *q = &d->req[r];
    int i = q->tier;
    des_tier *T = &d->tiers[i];
    tier_touch(T, now);
    T->busy--;
    T->completions++;
    sim_des_hist_record(T->ih, now - q->t_join);
    des_book_visit(d, i, q->t_join, now - q->t_join);
    /* the freed server goes to the head of the queue first; a request that
     * visits this tier again then joins behind it (FCFS) */
    int rc = tier_fill(d, T, now);
    if (rc)
        return rc;
    if (--q->left > 0)
        return tier_join(d, i, r, now);
    return route(d, r, i + 1, now);
}

/* A client's patience ends while it waits: it leaves the queue, an error. */
COLD int on_giveup(sim_des *d, const des_ev *e)
{
    des_req *q = &d->req[e->req];
    if (q->state != REQ_WAIT || q->giveup != e->seq)
        return AS_OK; /* it started service since */
    des_tier *T = &d->tiers[q->tier];
    tier_touch(T, e->t);
    queue_unlink(d, T, e->req);
    T->timeouts++;
    d->timeouts++;
    return request_failed(d, e->req, e->t);
}

/* Refill the arrival stream's buffer: DES_EXP_BUF draws in a row, in the
 * order one draw per arrival would have made them (the stream gives
 * nothing else), so the arrivals are the same numbers. Why: drawn one per
 * event, the ziggurat's loads, its slow-path test and the generator's
 * index checks sit on the event's critical path; in a loop they overlap
 * (an M/M/1 event 28.5 -> 27.3 ns, timed alone). The draws left at the end of a run
 * are never used, which changes nothing the model reports. */
static __attribute__((noinline)) void arr_refill(sim_des *d)
{
    for (int i = 0; i < DES_EXP_BUF; i++)
        d->arr_buf[i] = des_exp(d->zig, d->arr_rng);
    d->arr_left = DES_EXP_BUF;
}

/* The arrival stream's next Exp(1). */
static inline double arr_exp(sim_des *d)
{
    if (__builtin_expect(d->arr_left == 0, 0))
        arr_refill(d);
    return d->arr_buf[DES_EXP_BUF - d->arr_left--];
}

/* Draw the next arrival into the pending slot; it takes a seq as a push
 * would, so that ties order as they did when it lived in the heap. */
HOT void push_arrival(sim_des *d)
{
    d->arr_us += as_draw_clamp_us(d->arr_mean * arr_exp(d));
    /* truncation keeps event times monotone and the count in any window
     * exact; a near-zero rate's gap is clamped, and so is the sum, so that
     * the cast cannot overflow (the arrival then lies past any run's end) */
    if (d->arr_us > (double)AS_TIME_DRAW_MAX)
        d->arr_us = (double)AS_TIME_DRAW_MAX;
    d->arr_live = 1;
    d->arr.t = (as_time)d->arr_us;
    d->arr.seq = ++d->seq;
}

/* Attempt r (new, or a retry) enters the system at now. */
HOT int enter(sim_des *d, uint32_t r, as_time now)
{
    des_req *q = &d->req[r];
    q->t_sys = now;
    q->giveup = 0;
    d->arrivals++;
    d->retries += q->attempt > 0;
    des_book_arrival(d, now, q->attempt > 0);
    sys_touch(d, now);
    d->in_sys++;
    return route(d, r, 0, now);
}

HOT int on_arrival(sim_des *d, as_time now)
{
    push_arrival(d);
    uint32_t r = req_alloc(d);
    if (r == NIL)
        return AS_ENOMEM;
    d->req[r].attempt = 0;
    return enter(d, r, now);
}

COLD int on_retry(sim_des *d, uint32_t r, as_time now)
{
    if (d->draining) { /* after the run: not an arrival of it */
        req_free(d, r);
        return AS_OK;
    }
    return enter(d, r, now);
}

/* Handle the heap's top event e (its slot is free for the first push). */
HOT int dispatch(sim_des *d, const des_ev *e)
{
    if (__builtin_expect(e->kind == EV_DEPART, 1))
        return on_departure(d, e->req, e->t);
    if (e->kind == EV_GIVEUP)
        return on_giveup(d, e);
    return on_retry(d, e->req, e->t);
}

/* Handle every event before t1 (all of them when t1 < 0). */
static int run_until(sim_des *d, as_time t1)
{
    int rc = AS_OK;
    if (t1 < 0)
        t1 = INT64_MAX;
    while (!rc) {
        /* the pending arrival, unless the heap's top comes first */
        int arr = d->arr_live;
        as_time t = d->arr.t;
        if (d->hn) {
            if (!arr || ev_lt(&d->heap[0], &d->arr)) {
                arr = 0;
                t = d->heap[0].t;
            }
        } else if (!arr) {
            break;
        }
        if (t >= t1)
            break;
        d->events++;
        if (t > d->now)
            d->now = t;
        if (arr) {
            rc = on_arrival(d, t);
        } else {
            des_ev e = d->heap[0];
            d->top_free = 1;
            rc = dispatch(d, &e);
            if (d->top_free) { /* the handler pushed nothing */
                d->top_free = 0;
                heap_remove(d, 0);
            }
        }
        if ((d->events & STOP_EVERY) == 0 && d->stop && __atomic_load_n(d->stop, __ATOMIC_RELAXED))
            rc = rc ? rc : AS_EINTR;
    }
    return rc;
}

static int fail_msg(sim_des *d, int rc, as_err *err)
{
    if (rc == AS_EINTR)
        return as_err_set(err, rc, "interrupted");
    return as_err_set(err, rc, "des: out of memory at t=%lld with %llu requests in the system",
                      (long long)d->now, (unsigned long long)d->in_sys);
}

/* ---- public API ---- */

static int check_advance(sim_des *d, as_time t0, as_time t1, double lambda, const int *ready,
                         as_err *err)
{
    if (t1 < t0)
        return as_err_set(err, AS_EINVAL, "des: interval [%lld, %lld) runs backwards",
                          (long long)t0, (long long)t1);
    if (!(lambda >= 0) || !isfinite(lambda))
        return as_err_set(err, AS_EINVAL, "des: arrival rate %g", lambda);
    if (d->draining)
        return as_err_set(err, AS_EINVAL, "des: advance after the drain");
    if (d->started && t0 != d->now)
        return as_err_set(err, AS_EINVAL, "des: advance from %lld, but the model is at %lld",
                          (long long)t0, (long long)d->now);
    for (int i = 0; i < d->ntiers; i++)
        if (ready[i] < 0)
            return as_err_set(err, AS_EINVAL, "des: tier %d: %d ready instances", i, ready[i]);
    return AS_OK;
}

int sim_des_advance(sim_des *d, as_time t0, as_time t1, double lambda, const int *ready,
                    as_err *err)
{
    int rc = check_advance(d, t0, t1, lambda, ready, err);
    if (rc)
        return rc;
    if (!d->started) {
        d->started = 1;
        d->now = d->istart = d->sys_last = t0;
        for (int i = 0; i < d->ntiers; i++)
            d->tiers[i].last = t0;
    }
    /* capacity first: a rise starts waiting requests at t0 */
    for (int i = 0; i < d->ntiers && !rc; i++) {
        des_tier *T = &d->tiers[i];
        tier_touch(T, t0);
        T->servers = (int64_t)ready[i] * T->cfg.concurrency;
        rc = tier_fill(d, T, t0);
    }
    /* a new rate replaces the pending arrival: by memorylessness the next
     * arrival after t0 is Exp(lambda) whatever the old one was. Keeping it
     * when the rate is unchanged makes the result independent of the
     * slicing. */
    if (!rc && (lambda != d->lambda || !d->arr_live)) {
        d->arr_live = 0;
        d->lambda = lambda;
        if (lambda > 0) {
            d->arr_mean = 1e6 / lambda;
            d->arr_us = (double)t0;
            push_arrival(d);
        }
    }
    if (!rc)
        rc = run_until(d, t1);
    if (rc)
        return fail_msg(d, rc, err);
    d->now = t1;
    for (int i = 0; i < d->ntiers; i++)
        tier_touch(&d->tiers[i], t1);
    sys_touch(d, t1);
    return AS_OK;
}

/* Requests waiting at a tier that has no server left never finish: they
 * are counted at their age and flagged. */
static void flag_stuck(sim_des *d)
{
    for (int i = 0; i < d->ntiers; i++) {
        des_tier *T = &d->tiers[i];
        tier_touch(T, d->now);
        while (T->qlen) {
            uint32_t r = T->qhead;
            queue_unlink(d, T, r);
            des_req *q = &d->req[r];
            sim_des_hist_record(d->erh, d->now - q->t_sys);
            d->book.unfinished++;
            des_book_finish(d, q->t_sys, 1, d->now - q->t_sys, 0);
            sys_touch(d, d->now);
            d->in_sys--;
            req_free(d, r);
        }
    }
}

int sim_des_drain(sim_des *d, as_err *err)
{
    d->draining = 1;
    d->arr_live = 0;
    int rc = run_until(d, -1);
    if (rc)
        return fail_msg(d, rc, err);
    flag_stuck(d);
    d->drained = 1;
    return AS_OK;
}
