/* as_queueing.h - closed-form queueing formulas for per-tier latency.
 * Owns: nothing (pure functions). Formulas: M/M/c through the stable Erlang-B
 * recursion and Erlang C; waiting and response-time tails and quantiles;
 * the Allen-Cunneen correction for general service; the least server count
 * that meets a latency percentile; the mean wait of M/G/c (Kimura's system
 * interpolation between M/M/c and Cosmetatos' M/D/c); the fluid backlog of
 * an overloaded tier whose clients give up. The laws built on these (wait,
 * response, visits) are in as_mgc.h. Notation: lambda arrivals/s, mu
 * services/s per server, c servers, a = lambda/mu offered load.
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

/* ---- M/G/c mean wait ----
 * Exact M/M/c: W = C(c,a) / (c mu - lambda).
 * M/D/c, Cosmetatos (1976), Oper. Res. Q. 27:615-620:
 *   W_D = W_M / 2 [1 + (1 - rho)(c - 1)(sqrt(4 + 5c) - 2) / (16 rho c)].
 * M/G/c, Kimura (1986), Mgmt Sci 32:751-763 (system interpolation):
 *   W_G = (1 + cs2) / (2 cs2 / W_M + (1 - cs2) / W_D),
 * exact for M/M/c (cs2 = 1) and, at c = 1, equal to Pollaczek-Khinchine.
 * All INFINITY when a >= c; 0 when a <= 0. */
double as_wq_mmc(int c, double a, double mu);
double as_wq_mdc(int c, double a, double mu);
double as_wq_mgc(int c, double a, double mu, double cs2);

/* The wait of an M/G/c tier: P(W > 0) by Erlang C (exact for M/M/c and at
 * c = 1; the Tijms-van Hoorn-Federgruen "Erlang delay" approximation
 * otherwise), E[W] by Kimura, kappa = E[W | W > 0]. */
typedef struct as_mgc_wait {
    int c;        /* servers */
    double rho;   /* a / c */
    double pw;    /* P(W > 0) */
    double ew;    /* E[W], s */
    double kappa; /* E[W | W > 0], s (0 when pw = 0) */
    int stable;   /* 0 when a >= c: pw 1, ew and kappa INFINITY */
} as_mgc_wait;

void as_mgc_wait_params(as_mgc_wait *w, double lambda, double mu, int c, double cs2);

/* ---- clients that give up: the fluid backlog ----
 * One step dt of an overloaded (or draining) tier with c mu service
 * capacity and arrivals at lambda, whose clients leave after waiting tmax
 * (0: never). FCFS with a fixed patience: a client who will give up delays
 * no one, so the backlog that will be served is at most what the servers
 * clear in tmax: Q' = min(c mu tmax, max(0, Q + (lambda - c mu) dt)); the
 * excess gives up. Returns the requests that gave up in the step; *q is
 * updated. Under sustained overload the share that gives up tends to
 * 1 - c mu / lambda and the served wait to tmax. */
double as_fluid_tick(double *q, double lambda, double cmu, double tmax, double dt);

#endif
