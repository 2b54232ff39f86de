/* sim_des.h - the request-level latency model (model = des): a discrete-event
 * simulation of every request through tiers in series, each tier an FCFS
 * queue in front of ready*concurrency servers, with clients that give up
 * after a timeout and retry; plus the log-linear response time histogram it
 * records into.
 * Owns: the event heap, the request pool, one GSL generator per stream
 * (arrivals, then one per tier, then backoff jitter), per tier and end to
 * end the interval and whole-run histograms, and the arrival book (counts
 * and latencies by the interval a request arrived in). All sized at
 * sim_des_new and sim_des_configure; the heap and the pool grow by doubling
 * only when the number of requests in the system reaches a new peak, never
 * per event in steady state.
 * Invariant: the same seed and the same call sequence give bit-identical
 * results; splitting [t0, t1) into several calls with the same lambda and
 * ready counts gives the same results as one call. Time only moves forward.
 * Must not: read a clock, print, or know about the scenario file (it takes
 * plain numbers; dist uses the SIM_DIST_* codes of sim_scenario.h). */
#ifndef SIM_DES_H
#define SIM_DES_H

#include "as.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_DES_MAX_TIERS 16

/* ---- log-linear histogram (HdrHistogram-like) ----
 * Values are integer microseconds. Below 256 us every value has its own
 * bucket; above, each power of two is split into 128 equal buckets, so a
 * bucket's midpoint is within 1/256 (0.39%) of any value in it. Range
 * 0 .. SIM_DES_HIST_MAX (about 38 h, over a day); larger values are clamped
 * to the top and counted in `over`. Fixed memory: 3968 counters, 31 KB. */
#define SIM_DES_HIST_SUB_BITS 7
#define SIM_DES_HIST_BUCKETS (256 + 29 * 128)
#define SIM_DES_HIST_MAX ((as_time)(((int64_t)1 << 37) - 1))
#define SIM_DES_HIST_REL_ERR (1.0 / 256.0)

typedef struct sim_des_hist {
    uint64_t n;      /* values recorded */
    uint64_t over;   /* of which clamped to SIM_DES_HIST_MAX */
    double sum;      /* sum of the (clamped) values, us: the exact mean */
    as_time min, max; /* exact extremes (valid when n > 0; INT64_MAX, -1 when empty) */
    int lo, hi;      /* touched bucket range (lo > hi: none); resets cost O(hi-lo) */
    uint64_t counts[SIM_DES_HIST_BUCKETS];
} sim_des_hist;

void sim_des_hist_reset(sim_des_hist *h);
/* Record one value. Inline because the request-level model records one per
 * visit and one per request: its hottest path after the event heap. */
/* v in 0 .. SIM_DES_HIST_MAX (the callers clamp). Below 256 the bucket is v;
 * above, e = floor(log2 v) >= 8 and the top 8 bits are kept: 128
 * sub-buckets per octave. Without a branch: v | 255 makes e = 7 below 256,
 * where the shift is then 0 and the formula gives v (half an instruction
 * of an M/M/1 event fewer, and no branch on which side of 256 us). */
static inline int sim_des_hist_index(as_time v)
{
    int e = 63 - __builtin_clzll((unsigned long long)v | 255);
    int shift = e - SIM_DES_HIST_SUB_BITS;
    return (shift << SIM_DES_HIST_SUB_BITS) + (int)(v >> shift);
}

/* An empty histogram holds min = INT64_MAX and max = -1, so that a record
 * needs no test of n (readers look at min and max only when n > 0); one
 * unsigned compare catches both a negative value and one past the range. */
static inline void sim_des_hist_record(sim_des_hist *h, as_time v)
{
    if (__builtin_expect((uint64_t)v > (uint64_t)SIM_DES_HIST_MAX, 0)) {
        if (v < 0) {
            v = 0;
        } else {
            v = SIM_DES_HIST_MAX;
            h->over++;
        }
    }
    int i = sim_des_hist_index(v);
    h->counts[i]++;
    if (i < h->lo)
        h->lo = i;
    if (i > h->hi)
        h->hi = i;
    h->min = v < h->min ? v : h->min;
    h->max = v > h->max ? v : h->max;
    h->n++;
    h->sum += (double)v;
}

/* Record n copies of one value. */
void sim_des_hist_record_n(sim_des_hist *h, as_time v, uint64_t n);
/* Add the counts of from into into. */
void sim_des_hist_merge(sim_des_hist *into, const sim_des_hist *from);
/* p-quantile in seconds (0 <= p <= 1): the midpoint of the bucket holding
 * the ceil(p*n)-th smallest value (rank at least 1), clamped to [min, max];
 * the exact min or max when that rank is 1 or n. NAN when empty. */
double sim_des_hist_quantile(const sim_des_hist *h, double p);
/* The same over the union of a and b (b may be NULL), without merging
 * them: a whole-run figure is the run's histogram plus the open interval. */
double sim_des_hist_quantile2(const sim_des_hist *a, const sim_des_hist *b, double p);

/* ---- the model ---- */

/* One tier. Mean service time 1/mu; dist is SIM_DIST_* (sim_scenario.h):
 * exponential, deterministic, uniform (symmetric around the mean, needs
 * cv <= 1/sqrt(3) to stay non-negative), normal (negative draws become 0,
 * which biases the mean when cv > ~0.3), lognormal. cv is used by the last
 * three. Each end-to-end request visits the tier floor(visits) +
 * Bernoulli(visits - floor(visits)) times in a row (0: skipped). */
typedef struct sim_des_tier {
    double mu;        /* services per second per server, > 0 */
    int dist;         /* SIM_DIST_* */
    double cv;        /* coefficient of variation (uniform, normal, lognormal) */
    int concurrency;  /* servers per ready instance, >= 1 */
    double visits;    /* mean visits per end-to-end request, 0 .. 65535 */
    double queue_cap; /* waiting requests at which a joining one is dropped; 0 = unbounded */
    int max_servers;  /* sizing hint: most servers (ready*concurrency) expected; 0 = unknown */
} sim_des_tier;

/* Statistics of one tier (or end to end) over the current interval, i.e.
 * since sim_des_new or the last sim_des_interval_reset, up to the end of the
 * last sim_des_advance. Per tier a "visit" is one pass through its queue and
 * a server; response = wait + service of that visit. End to end (tier -1) a
 * response is from the request's arrival to the end of its last visit. */
typedef struct sim_des_stats {
    double span_s;        /* length of the interval, s */
    uint64_t arrivals;    /* visits that joined the tier / requests that arrived */
    uint64_t completions; /* visits / requests completed */
    uint64_t dropped;     /* joins refused by queue_cap (end to end: requests lost) */
    uint64_t timeouts;    /* tier: visits given up while waiting; end to end: attempts */
    uint64_t retries;     /* end to end: arrivals that were retries */
    uint64_t started;     /* visits that started service (mean wait = wait_sum_s / started) */
    uint64_t waited;      /* of which after waiting (> 0 us): waited / started estimates P(wait) */
    double wait_sum_s;    /* total waiting time of visits that started service, s */
    double busy_s;        /* tier: integral of busy servers, server-seconds; -1: sum over tiers */
    double capacity_s;    /* tier: integral of max(servers, busy) (busy > servers while draining) */
    double queue_s;       /* tier: integral of waiting requests; -1: of requests in the system */
    double mean, p50, p95, p99, max; /* response times of completions, s; NAN when none */
    uint64_t clamped;     /* of the completions, response times beyond the histogram's
                           * range, recorded (and counted in the quantiles) at its top */
    /* at the end of the last advance */
    uint64_t queued;      /* tier: waiting requests; -1: requests in the system */
    uint64_t busy;        /* tier: busy servers; -1: sum over tiers */
    int64_t servers;      /* tier: ready*concurrency; -1: sum over tiers */
} sim_des_stats;

typedef struct sim_des sim_des;

/* Build a model of ntiers (1..SIM_DES_MAX_TIERS) tiers in series. The tiers
 * array is copied (borrowed during the call). Stream 0 of as_seed_derive(seed)
 * drives arrivals, stream 1+i tier i (service times and visit counts), so
 * changing one tier's parameters does not change the others' draws.
 * Caller owns the result; NULL with err filled on bad input or no memory. */
sim_des *sim_des_new(int ntiers, const sim_des_tier *tiers, uint64_t seed, as_err *err);
void sim_des_free(sim_des *d); /* NULL is a no-op */

/* Simulate [t0, t1): Poisson arrivals at rate lambda (requests/s) into the
 * first tier visited; ready[i] ready instances at tier i (ntiers entries,
 * borrowed). The first call sets the clock to t0; later calls must start
 * where the previous one ended (t0 == previous t1), else AS_EINVAL.
 * Capacity applies at t0: when it rose, waiting requests start at once; when
 * it fell, requests in service finish (drain) and only then free servers
 * stop being used. Events at exactly t1 belong to the next call. A changed
 * lambda redraws the pending arrival from t0 (exact: Poisson arrivals are
 * memoryless). Returns AS_OK, AS_EINVAL (bad lambda, ready, times) or
 * AS_ENOMEM (the pool could not grow; the model is then unusable). */
int sim_des_advance(sim_des *d, as_time t0, as_time t1, double lambda, const int *ready,
                    as_err *err);

/* Interval statistics of tier (0..ntiers-1) or end to end (-1) into *out. */
void sim_des_interval(const sim_des *d, int tier, sim_des_stats *out /* OUT */);
/* Response-time p-quantile in seconds of the interval, or of the whole run
 * (every completion so far, the current interval included). NAN when none. */
double sim_des_quantile(const sim_des *d, int tier, double p, int whole_run);
/* Fold the interval into the whole-run histograms and start a new interval
 * at the end of the last advance. */
void sim_des_interval_reset(sim_des *d);
/* Events processed so far: arrivals plus departures (one per visit). */
uint64_t sim_des_events(const sim_des *d);
/* Completions of the whole run whose response time was beyond
 * SIM_DES_HIST_MAX (recorded at it) for a tier or end to end (-1). */
uint64_t sim_des_clamped(const sim_des *d, int tier);

/* A flag to watch: once *stop is non-zero (set from a signal handler;
 * read with a relaxed atomic load every 65536 events), sim_des_advance
 * returns AS_EINTR within milliseconds, and the model is then unusable.
 * Borrowed; NULL: never stop. */
void sim_des_set_stop(sim_des *d, const volatile sig_atomic_t *stop);

/* ---- clients that give up, and the arrival book ---- */

/* Clients. An attempt still waiting in a queue timeout_s after it arrived
 * in the system gives up (an error, never served); one in service finishes
 * that visit, and gives up at the next queue it would wait in. An attempt
 * that gave up or was dropped comes back as a new arrival, up to `retries`
 * times, after min(backoff 2^(k-1), backoff_max) for retry k, with equal
 * jitter (uniform on [b/2, b]) from its own stream. */
typedef struct sim_des_clients {
    double timeout_s;     /* 0: never */
    int retries;          /* 0 .. 255 */
    double backoff_s, backoff_max_s;
} sim_des_clients;

/* The arrival book counts what became of the requests by the slot they
 * arrived in, and keeps their latencies (end to end, and per tier by the
 * time a visit joined it) by record interval: the convention of the
 * analytic model. It holds `records` records; requests older than that
 * when a new one needs room are counted at their age, a floor, and flagged
 * (unfinished). */
typedef struct sim_des_book_cfg {
    as_time slot, record; /* record is a multiple of slot */
    double slo_latency;   /* s: a request served within it is good */
    int records;          /* >= 2 */
} sim_des_book_cfg;

typedef struct sim_des_slot {
    uint64_t arrivals;    /* attempts that arrived in the slot, retries included */
    uint64_t finished;    /* of which served, failed or given up on (= arrivals once final) */
    uint64_t good;        /* served within the SLO latency */
    uint64_t errors;      /* gave up or dropped */
    uint64_t retries;     /* of the arrivals, retries */
} sim_des_slot;

/* Set the clients and the book (cl or bk may be NULL: none), before the
 * first advance. AS_EINVAL on bad values or after the start; AS_ENOMEM. */
int sim_des_configure(sim_des *d, const sim_des_clients *cl, const sim_des_book_cfg *bk,
                      as_err *err);
/* Bytes of a book of the given size (for the memory bound). */
double sim_des_book_bytes(int ntiers, const sim_des_book_cfg *bk);
/* Records the book holds (0: none). */
int sim_des_records_held(const sim_des *d);
/* Every request that arrived before this time has finished (or was
 * flagged); records before it can be read and released. */
as_time sim_des_final_until(const sim_des *d);
/* Counts of slot k (k * slot is its start) of a record still held. */
void sim_des_slot_get(const sim_des *d, int64_t k, sim_des_slot *out /* OUT */);
/* p-quantile (s) of the served latencies of record r (held): end to end by
 * arrival (tier -1), or tier i's visits by join; NAN when none. */
double sim_des_record_quantile(const sim_des *d, int64_t r, int tier, double p);
/* Records before r are forgotten (they must be final). */
void sim_des_release(sim_des *d, int64_t r);
/* Whether arrivals up to time t fit in the book without forcing. */
int sim_des_room(const sim_des *d, as_time t);
/* Make the oldest record held final now: its requests still in the system
 * are counted at their age (a floor) and flagged unfinished. */
void sim_des_force(sim_des *d);
/* The run is over (no more arrivals or retries): serve what is in the
 * system with the last capacities until it is empty; requests stuck at a
 * tier without servers are counted at their age and flagged. Returns
 * AS_EINTR when the stop flag is set, AS_ENOMEM. */
int sim_des_drain(sim_des *d, as_err *err);
/* Requests flagged unfinished so far (their latency counted at its floor). */
uint64_t sim_des_unfinished(const sim_des *d);

/* ---- memory ----
 * With every tier's queue_cap set, the model's memory is bounded: requests
 * waiting (at most the caps) or in service (at most max_servers). */
/* Most bytes a model of these tiers may take, taking max_servers as the
 * most servers each tier ever has and queue_cap as its most waiting
 * requests (a cap of 0 counts as none waiting: give every tier a cap). */
double sim_des_memory_bound(int ntiers, const sim_des_tier *tiers);
/* Bytes one more waiting request adds to that bound. */
double sim_des_request_bytes(void);
/* Bytes the model holds now (pool, heap, histograms). */
size_t sim_des_memory(const sim_des *d);

#endif
