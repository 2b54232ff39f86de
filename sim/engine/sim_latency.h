/* sim_latency.h - the analytic latency model of one tier: per tick, the
 * M/G/c response-time law of its state (core's as_mgc: Erlang C, Kimura's
 * mean wait, a mixture of two M/G/1 wait shapes, the tier's own service
 * law) while it is stable, a fluid backlog while arrivals exceed what ready
 * servers clear; clients that give up after `timeout` in both. Per slot and
 * record, the mixture of the laws its ticks used.
 * Owns: per tier the cache of laws, the fluid backlog, the open list of
 * (law, weight) of the ticks since the last flush, and the mixtures of the
 * current slot (all visits of a request, for the end-to-end law) and record
 * (one visit, for the tier's row).
 * Cache: a law is built once per (servers c, load bin j) and kept, j =
 * floor(64 u), u = -ln(1 - rho); a tick at load rho mixes the laws of bins
 * j and j + 1 (weights 1 - f, f; f linear in rho between their loads). Building one costs about 20-40 us; a week
 * of 1 s ticks on week3tier.ini builds about 650 for its ticks and 2550
 * for the sizing search (demand per record). A tick reuses the last pair
 * while it holds the same keys (else hash look-ups). The search's laws
 * skip the tick's quantile and visits law until a tick uses them, and one
 * asked for the first time is built into a scratch entry, not kept (most
 * are never asked for again). Laws are the same bits whatever the cache
 * holds. The cache holds at most SIM_LAT_CACHE laws: its storage grows by
 * chunks of 64 on a miss (150 KB, twice that with visits != 1); beyond,
 * the least recently used unpinned law is replaced. Laws referenced by the
 * open list are pinned. 1024 because a day's cycle revisits the same
 * laws, the worst case for least-recently-used: seasonal.ini's ticks use
 * 1851 laws (hpa), and with room for 512 built 7111 (43897 for the
 * oracle). 2048 saved 7 % of multitier.ini's instructions (2 days) and
 * took its peak RSS from 17.0 to 25.1 MB, 1024 saves 4 % at 20.7 MB. A
 * run whose ticks use fewer keeps fewer (week3tier.ini: under 512).
 * Invariant: sim_tierlat_tick allocates nothing except a cache chunk on a
 * miss; its outputs are finite (a tier with no ready server reports the
 * time one instance would need for its backlog). */
#ifndef SIM_LATENCY_H
#define SIM_LATENCY_H

#include "as.h"
#include "as_latdist.h"
#include "as_mgc.h"

#include <stdint.h>

#define SIM_LAT_CACHE 1024 /* laws kept per tier (storage grows to it on demand) */
#define SIM_LAT_CHUNK 64  /* laws allocated at once */
#define SIM_LAT_LIST 16   /* (law, weight) pairs before a flush */
#define SIM_LAT_BINS 64.0 /* load bins per unit of u = -ln(1 - rho) */
#define SIM_LAT_MEMO 1024 /* sizing answers kept per tier */
#define SIM_LAT_SEEN 1024 /* sizing law keys remembered (not the laws) per tier */
#define SIM_LAT_RATE_BINS 200.0 /* sizing rate bins per unit of ln(rate): 0.5 % apart */
#define SIM_LAT_BOUNDS 512 /* sizing brackets kept per tier (by server count) */

/* One cached law: a tier state (c servers, load bin j). */
typedef struct sim_latent {
    int c, j;          /* key; c = 0: free */
    int full;          /* q and vlaw are set (the sizing search needs neither) */
    int lk;            /* its place on the open list, if lid[lk] is this entry */
    uint32_t pin;      /* stamp of the open list that uses it */
    int id;            /* its index in the cache (kept: the tick's list reads it) */
    uint64_t used;     /* tick of the last use (least recently used goes first) */
    double q;          /* p-quantile of one visit's response, s */
    double pab;        /* share of visits whose clients give up */
    double wmean;      /* mean wait per arriving visit, s (the abandoned wait T) */
    as_latdist *law;   /* one visit's response, served visits only */
    as_latdist *vlaw;  /* all the visits of a request (= law for one visit) */
} sim_latent;

typedef struct sim_tierlat_cfg {
    as_svclaw svc;     /* service-time law */
    double visits;     /* visits per request */
    double queue_cap;  /* waiting requests beyond which arrivals drop; 0 = none */
    double tmax;       /* patience: a visit that waited this long gives up, s; 0 = never */
    double p;          /* the percentile the per-tick quantile is for */
    int concurrency;   /* servers per instance (the drain of a tier with none ready) */
    /* nobody reads the record's one-visit law (no tier rows go anywhere):
     * flushes leave rec1 empty (three tiers: 2 % of a week of week3tier.ini
     * with its quantiles), the slot's law is the same bits */
    int no_record;
    /* the M/G/1 shape table of another tier of the run whose service law
     * has the same dist and cv (the shapes depend on nothing else), or NULL
     * for a table of its own: borrowed, it must outlive this model. A
     * shape costs two FFTs (3 M instructions at lognormal cv 2): three
     * tiers of one law built each shape three times, 11 % of a week of
     * week3tier.ini with lognormal service */
    as_mgc_shapes *shapes;
} sim_tierlat_cfg;

typedef struct sim_tierlat {
    sim_tierlat_cfg cfg;
    double mu;                /* 1 / mean service time */
    double q0;                /* p-quantile of the service time alone */
    as_mgc_shapes *sh;        /* owned unless cfg.shapes lent it */
    as_latdist S;             /* service law on the grid */
    as_latdist Sn, Sn1;       /* its floor(visits)- and floor(visits)+1-fold sums */
    /* cache */
    sim_latent *ent;          /* SIM_LAT_CACHE entries */
    as_latdist *store[SIM_LAT_CACHE / SIM_LAT_CHUNK]; /* law storage, by chunk */
    int nstore;               /* chunks allocated */
    int nogrow;               /* a chunk could not be had: evict from now on */
    int nent;                 /* entries in use */
    int32_t *hash;            /* 2 * SIM_LAT_CACHE slots: entry index or -1 */
    uint32_t stamp;           /* the open list's stamp */
    uint64_t now;             /* ticks seen (for least recently used) */
    uint64_t builds;          /* laws built (for the bench and tests) */
    sim_latent *last_a, *last_b; /* the pair of the last stable tick (checked by key) */
    double rho_lo, rho_hi;    /* the load bin of the last stable tick: [rho_lo, rho_hi) */
    int bin_j;                /* its index */
    sim_latent once;          /* a sizing law not kept (see seen) */
    as_latdist once_law;
    int64_t seen[SIM_LAT_SEEN]; /* sizing keys asked for once, by hash slot; -1: none */
    /* fluid backlog */
    double backlog;           /* requests that will be served, waiting */
    double dropped, timeouts; /* so far, visits */
    /* the open list: ticks since the last flush */
    int nlist;
    int lid[SIM_LAT_LIST];
    double lw[SIM_LAT_LIST];  /* requests (not visits) */
    as_latdist fd1, fdn, fdn1; /* fluid delays of one visit, floor(v), floor(v)+1 visits */
    double fw1, fwn;          /* their served weights: visits, requests */
    double fl_req, fl_srv;    /* fluid requests and served requests (since the flush) */
    /* mixtures, filled by flushes */
    as_latdist rec1;          /* one visit's response over the record, served visits
                               * (empty with cfg.no_record) */
    as_latdist slotv;         /* all visits of a request over the slot, served requests */
    double slot_req, slot_srv; /* requests that reached the tier in the slot, served */
    double rec_clamped;       /* served visits of the record beyond the grid */
    /* sizing answers, by (rate bin, target, p): a day's load visits a few
     * hundred bins, so the search (several laws) runs once per bin */
    struct sim_latsize {
        int64_t key;      /* rate bin; INT64_MIN: free */
        double target, p, z;
        int cmax, c;
    } *memo;              /* SIM_LAT_MEMO */
    int nmemo;
    /* per server count c (direct-mapped), for one (target, share asked
     * for): the highest load bin known to meet it and the lowest known to
     * miss it. The share served in time falls with the load, so a bin at
     * or below jok meets it and one at or above jmiss misses it without a
     * law: the search's laws at a count are asked for until the bracket
     * is one bin wide, not once per rate bin (a week of week3tier.ini:
     * 12 % fewer instructions). The answers are those of the laws as long
     * as the share is monotone in the bin, as it is on every scenario's
     * run (bit-identical datasets) */
    struct sim_latbound {
        int c, jok, jmiss;
        double target, need;
    } *bound;             /* SIM_LAT_BOUNDS */
    as_mgc_ws ws;
} sim_tierlat;

typedef struct sim_tick_out {
    double util;     /* busy fraction of ready servers (1 when saturated) */
    double queue;    /* mean requests waiting */
    double quantile; /* one visit's response-time p-quantile in this tick, s */
    double dropped;  /* visits dropped by the queue cap in this tick */
    double timeouts; /* visits whose clients gave up in this tick */
    double served;   /* share of the tick's requests the tier served (all visits) */
    int fluid;       /* 1 when the fluid backlog applied */
} sim_tick_out;

/* Set up L (zeroed by the caller); NULL-safe fini. AS_ENOMEM, or AS_EINVAL
 * for a bad service law. */
int sim_tierlat_init(sim_tierlat *L, const sim_tierlat_cfg *cfg, as_err *err);
void sim_tierlat_fini(sim_tierlat *L);
/* Advance dt seconds at `lambda` requests/s (the tier sees lambda x visits)
 * with `servers` ready servers. */
void sim_tierlat_tick(sim_tierlat *L, double lambda, int servers, double dt, sim_tick_out *out);
/* Move the open list and the fluid delays into the slot and record
 * mixtures (at a slot's end, or when the list is full). */
void sim_tierlat_flush(sim_tierlat *L);
/* Start a new slot / record (after reading their mixtures). */
void sim_tierlat_slot_reset(sim_tierlat *L);
void sim_tierlat_record_reset(sim_tierlat *L);
/* The least c in [1, cmax] at which a visit at `lambda` visits/s is served
 * within `target` s with probability >= p (clients that give up count as
 * not served); cmax + 1 when none is. The rate is rounded up to its bin
 * (0.5 %) and each c judged at the load bin above its load: never fewer
 * servers than the exact answer, at most one more. Memoised.
 * z > 0 asks for a margin against the sampling noise of a window of
 * window_s seconds (the request level): the share served in time must
 * exceed p by z standard deviations of a window's share, the variance of
 * a mean over lambda window_s requests, p (1 - p) / n, inflated by
 * 1 + 2 lambda tau for their correlation, tau = 1 / (c mu (1 - sqrt rho)^2)
 * the relaxation time of the queue; the share asked for is capped
 * halfway from p to the share service alone serves in time (beyond it no
 * count would do, and the plan would take every server). */
int sim_tierlat_min_servers(sim_tierlat *L, double lambda, double target, double p, int cmax,
                            double z, double window_s);
/* The inverse for a planner that weighs the risk itself: the largest rate
 * (visits/s) c servers serve within `target` s with probability >= p by
 * the law (found between two load bins, interpolated in u as the model
 * mixes them); no sampling margin. 0 when service alone misses it. About
 * 20 law lookups (built on first use). */
double sim_tierlat_max_rate(sim_tierlat *L, int c, double target, double p);

#endif
