/* sim_latency.h - the analytic latency model of one tier, and the mixture
 * of response-time distributions that turns per-tick models into interval
 * and whole-run percentiles.
 * Owns: per-tier model state (fluid backlog, cached M/M/c solution) and the
 * mixture bins (allocated once at init).
 * Invariant: sim_lat_tick allocates nothing; its outputs are finite except
 * the latency of a tier with no ready instance, which is reported as the
 * time one instance would need for the backlog (see sim_latency.c). */
#ifndef SIM_LATENCY_H
#define SIM_LATENCY_H

#include "as.h"
#include "as_queueing.h"

/* Distribution of response times over many requests: a weighted mixture of
 * service-only, M/M/c (wait Exp(theta) then service) and fluid (fixed delay
 * then service) components; theta and delays are kept in log-spaced bins
 * (SIM_MIX_PER_DECADE per decade, so a relative error under 3%). */
#define SIM_MIX_PER_DECADE 40
#define SIM_MIX_BINS (13 * SIM_MIX_PER_DECADE) /* 1e-6 .. 1e7 */

typedef struct sim_latmix {
    double mu;    /* service rate of the tier */
    double w_svc; /* weight of requests that did not wait */
    double total; /* total weight (requests) */
    double max;   /* largest per-tick p99 seen, s */
    double clamped; /* weight whose wait lies beyond the bins (a delay over 1e7 s, a
                     * wait rate under 1e-6/s): kept in the end bin, so quantiles
                     * there are floors (the summary reports it) */
    double *w_hypo, *w_delay; /* SIM_MIX_BINS each */
    double *val;              /* SIM_MIX_BINS: the value each bin stands for */
    int hlo, hhi, dlo, dhi;   /* touched bin ranges (hlo > hhi: none) */
} sim_latmix;

int sim_latmix_init(sim_latmix *m, double mu, as_err *err);
void sim_latmix_fini(sim_latmix *m);
void sim_latmix_reset(sim_latmix *m);
/* Add w requests of one tick's distribution. */
void sim_latmix_add_mmc(sim_latmix *m, double w, double pwait, double theta);
void sim_latmix_add_delay(sim_latmix *m, double w, double delay);
void sim_latmix_merge(sim_latmix *into, const sim_latmix *from);
/* P(T > t) over the mixture; quantile by bisection. NAN when empty. */
double sim_latmix_tail(const sim_latmix *m, double t);
double sim_latmix_quantile(const sim_latmix *m, double p);

/* One tier's analytic model. */
typedef struct sim_tierlat {
    double mu;        /* 1 / mean service time */
    double f;         /* Allen-Cunneen factor (ca2 + cs2)/2 */
    int concurrency;  /* servers per instance */
    double queue_cap; /* 0 = unbounded */
    double backlog;   /* fluid backlog, requests */
    double dropped;   /* requests dropped so far */
    /* cache: the M/M/c solution for the last (lambda, servers) */
    double c_lambda;
    int c_servers;
    as_mmc q;
    double q_p;       /* percentile the cached quantile is for */
    double q_quant;   /* cached p-quantile of the response time */
} sim_tierlat;

typedef struct sim_tick_out {
    double util;      /* busy fraction of ready servers (1 when saturated) */
    double queue;     /* mean requests waiting */
    double quantile;  /* response-time p-quantile in this tick, s */
    double dropped;   /* requests dropped in this tick */
    int fluid;        /* 1 when the fluid backlog model applied */
    double pwait, theta, delay; /* the tick's distribution (for mixtures) */
} sim_tick_out;

void sim_tierlat_init(sim_tierlat *L, double mu, double f, int concurrency, double queue_cap);
/* Advance dt seconds at arrival rate lambda with `ready` instances. */
void sim_tierlat_tick(sim_tierlat *L, double lambda, int ready, double dt, double p,
                      sim_tick_out *out);

#endif
