/* as_queueing.h - closed-form queueing formulas for per-tier latency.
 * Owns: nothing (pure functions). Formulas: M/M/c through the stable Erlang-B
 * recursion and Erlang C; waiting and response-time tails and quantiles;
 * the Allen-Cunneen correction for general service; the least server count
 * that meets a latency percentile. Notation: lambda arrivals/s, mu services/s
 * per server, c servers, a = lambda/mu offered load.
 * Invariant: saturated queues (a >= c) are reported as such (P(wait) = 1,
 * infinite waits), never as zero. */
#ifndef AS_QUEUEING_H
#define AS_QUEUEING_H

/* Erlang B blocking probability, O(c). */
double as_erlang_b(int c, double a);
/* Erlang C probability of waiting; 1 when a >= c. */
double as_erlang_c(int c, double a);

/* Steady state of a GI/G/c queue approximated by M/M/c plus Allen-Cunneen:
 * waits are scaled by f = (ca2 + cs2) / 2. */
typedef struct as_mmc {
    double lambda, mu; /* rates */
    int c;             /* servers */
    double pwait;      /* Erlang C */
    double theta;      /* rate of the conditional waiting time: (c*mu - lambda) / f */
    double wq;         /* mean wait, s */
    double w;          /* mean response, s */
    int stable;        /* 0 when lambda >= c*mu (the formulas do not apply) */
} as_mmc;

/* Fill q for the given load; f = (ca2 + cs2)/2 (1 for M/M/c). */
void as_mmc_solve(as_mmc *q, double lambda, double mu, int c, double f);
/* P(W > t) for the wait and P(T > t) for the response time (wait + an
 * exponential service); 1 for any t when unstable. */
double as_mmc_wait_tail(const as_mmc *q, double t);
double as_mmc_resp_tail(const as_mmc *q, double t);
/* p-quantiles (0 < p < 1); INFINITY when unstable. */
double as_mmc_wait_quantile(const as_mmc *q, double p);
double as_mmc_resp_quantile(const as_mmc *q, double p);
/* The same, starting the search at guess (NAN: no guess); same answer. */
double as_mmc_resp_quantile_from(const as_mmc *q, double p, double guess);
/* Response-time tail of a hypoexponential wait Exp(theta) then Exp(mu)
 * reached with probability pw, else service alone. Shared by the mixture
 * accumulator of the simulator. */
double as_resp_tail(double mu, double pw, double theta, double t);

/* Least c in [1, cmax] whose p-quantile response time is <= target; cmax+1
 * when none is (the target is below what service alone allows, or the load
 * needs more than cmax). */
int as_mmc_min_servers(double lambda, double mu, double f, double p, double target, int cmax);

#endif
