/* sim_des_int.h - what the files of the request-level model share, and
 * nothing else includes:
 *   sim_des.c        the model: event heap, request pool, arrivals,
 *                    departures, clients that give up and retry, advance, drain
 *   sim_des_book.c   the arrival book: counts and latencies by the slot and
 *                    record a request arrived in
 *   sim_des_stats.c  interval statistics, quantiles, memory
 *   sim_des_hist.c   the log-linear histogram
 * Invariant: a request is in exactly one of: the free list, a tier's queue
 * (waiting), in service (a departure in the heap), or backing off (a retry
 * in the heap). */
#ifndef SIM_DES_INT_H
#define SIM_DES_INT_H

#include "sim_des.h"

#include <gsl/gsl_rng.h>

#define NIL UINT32_MAX        /* end of a request list */
#define MAX_VISITS 65535
#define DES_EXP_BUF 64        /* exponential draws made at a time per stream */

enum { EV_ARRIVAL, EV_DEPART, EV_GIVEUP, EV_RETRY };
enum { REQ_FREE, REQ_WAIT, REQ_SERVICE, REQ_BACKOFF };

typedef struct des_req {
    as_time t_sys;    /* arrival of this attempt in the system */
    as_time t_join;   /* joined the current tier's queue (this visit) */
    uint64_t giveup;  /* seq of its pending give-up event (0: none) */
    uint32_t next;    /* queue link / free-list link */
    uint32_t prev;    /* queue link */
    uint16_t tier;    /* current tier */
    uint16_t left;    /* visits of the current tier still to finish, this one included */
    uint8_t attempt;  /* 0: the first attempt; k: the k-th retry */
    uint8_t state;    /* REQ_* */
} des_req;

/* seq before t: on a little-endian machine the pair read as one signed
 * 128-bit integer is t * 2^64 + seq (t signed, seq unsigned), so the (t, seq)
 * order is one 128-bit compare (see ev_lt in sim_des.c). */
typedef struct des_ev {
    uint64_t seq;
    as_time t;
    uint32_t req;  /* the request (departure, give-up, retry); NIL for an arrival */
    uint32_t kind; /* EV_* */
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
    uint64_t arrivals, completions, dropped, started, waited, timeouts;
    double wait_sum;      /* us */
    sim_des_hist *ih, *rh; /* interval, whole run (without the open interval) */
} des_tier;

/* One slot of the arrival book: what became of the requests (attempts)
 * that arrived in it. */
typedef struct des_bslot {
    uint64_t arrivals, finished; /* finished: served, failed, or given up on */
    uint64_t good;               /* served within the SLO latency */
    uint64_t errors;             /* gave up or dropped */
    uint64_t retries;            /* of the arrivals, retries */
} des_bslot;

/* One record of the book: latencies of its served requests (end to end by
 * arrival; per tier by the visit's join). */
typedef struct des_brec {
    sim_des_hist *h[SIM_DES_MAX_TIERS + 1]; /* [0] end to end, [1 + i] tier i */
    uint64_t unfinished;                    /* counted at their floor */
} des_brec;

typedef struct des_book {
    as_time slot, rec;    /* lengths, us; rec = spr * slot */
    int spr;              /* slots per record */
    int nrec;             /* records held at most (0: no book) */
    int64_t base;         /* oldest record held */
    int64_t fin;          /* records before it are final */
    double lat_us;        /* the SLO latency */
    des_bslot *slots;     /* nrec * spr */
    des_brec *recs;       /* nrec */
    uint64_t unfinished;  /* over the run */
} des_book;

struct sim_des {
    int ntiers;
    des_tier tiers[SIM_DES_MAX_TIERS];
    gsl_rng *arr_rng;
    /* the arrival stream's next Exp(1) draws, made DES_EXP_BUF at a time
     * (sim_des.c, arr_exp): the same numbers in the same order */
    double arr_buf[DES_EXP_BUF];
    int arr_left;         /* of them not used yet, the last ones of arr_buf */
    gsl_rng *retry_rng;   /* backoff jitter (its own stream: none drawn without retries) */
    const struct des_zig *zig; /* exponential tables (sim_des_zig.c), shared, read only */
    sim_des_clients cl;
    /* event heap */
    des_ev *heap;
    size_t hn, hcap;
    int top_free;         /* heap[0] was taken by the event being handled */
    uint64_t seq, events;
    /* request pool */
    des_req *req;
    uint32_t rcap, free_head;
    /* clock and arrival stream */
    int started;
    int draining;         /* the run is over: no arrivals, no retries */
    int drained;          /* and everything in the system has finished */
    as_time now;          /* end of the last advance */
    as_time istart;       /* start of the current interval */
    double lambda;        /* rate of the pending arrival */
    double arr_mean;      /* 1e6 / lambda: its mean gap, us (set with lambda) */
    double arr_us;        /* exact time of the pending arrival, us */
    int arr_live;         /* an arrival is pending (at arr.t, with seq arr.seq) */
    des_ev arr;           /* t = (as_time)arr_us; kept beside the heap as a heap entry
                           * (compared with the top without building a key) */
    /* end to end */
    uint64_t in_sys;
    as_time sys_last;
    int64_t sys_area;
    uint64_t arrivals, completions, dropped, timeouts, retries;
    sim_des_hist *eih, *erh;
    des_book book;
    const volatile sig_atomic_t *stop; /* borrowed; may be NULL */
};

/* sim_des.c: double the event heap / the request pool (AS_ENOMEM). */
int des_heap_grow(sim_des *d);
int des_pool_grow(sim_des *d);
/* sim_des_hist.c: a zeroed histogram (NULL on no memory). */
sim_des_hist *des_hist_new(void);

/* sim_des_book.c: an attempt arrived at t / finished (served with latency
 * lat_us, or failed); a served visit of tier i joined at t_join. The
 * inline wrappers below skip the call when there is no book (nrec == 0),
 * where the book_* functions would do nothing: three calls per request
 * saved in runs without one. */
void des_book_on_arrival(sim_des *d, as_time t, int retry);
void des_book_on_finish(sim_des *d, as_time t_sys, int served, as_time lat_us, int failed);
void des_book_on_visit(sim_des *d, int tier, as_time t_join, as_time lat_us);

static inline void des_book_arrival(sim_des *d, as_time t, int retry)
{
    if (d->book.nrec)
        des_book_on_arrival(d, t, retry);
}

static inline void des_book_finish(sim_des *d, as_time t_sys, int served, as_time lat_us,
                                   int failed)
{
    if (d->book.nrec)
        des_book_on_finish(d, t_sys, served, lat_us, failed);
}

static inline void des_book_visit(sim_des *d, int tier, as_time t_join, as_time lat_us)
{
    if (d->book.nrec)
        des_book_on_visit(d, tier, t_join, lat_us);
}
int des_book_alloc(sim_des *d, as_err *err);
void des_book_free(sim_des *d);
/* Make room for arrivals up to t (force the oldest records); see sim_des.h. */
double des_book_bytes(int ntiers, int nrec, int spr);

#endif
