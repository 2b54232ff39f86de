/* as_svclaw.h - the service-time laws of a tier, parameterised exactly as
 * the request-level model draws them, with what the analytic model needs:
 * tail, quantile, true moments and the equilibrium-excess tail.
 * Owns: nothing beyond the struct (pure functions, no allocation).
 * Parameterisation (mean m, coefficient of variation cv):
 *   exponential   rate 1/m
 *   deterministic m
 *   uniform       on [m - sqrt3 cv m, m + sqrt3 cv m] (cv <= 1/sqrt3)
 *   normal        max(0, N(m, (cv m)^2)): a negative draw is 0, an atom of
 *                 mass Phi(-1/cv) at 0, so the true mean exceeds m when cv is
 *                 large; m1, m2, m3 hold the true moments
 *   lognormal     exp(N(zeta, s^2)), s^2 = ln(1 + cv^2), zeta = ln m - s^2/2
 * Invariant: scv = m2/m1^2 - 1 is the law's own squared coefficient of
 * variation (not cv^2 for the clipped normal).
 * Must not: draw random numbers (the request-level model does), print. */
#ifndef AS_SVCLAW_H
#define AS_SVCLAW_H

#include "as.h"

/* The order of the scenario's service_dist names (sim_scenario.h's
 * SIM_DIST_* have the same values; the engine checks it at compile time). */
enum { AS_SVC_EXP, AS_SVC_DET, AS_SVC_UNIFORM, AS_SVC_NORMAL, AS_SVC_LOGNORMAL };

typedef struct as_svclaw {
    int dist;          /* AS_SVC_* */
    double mean, cv;   /* as configured */
    double a, b;       /* uniform: low end, width; normal: m, sigma; lognormal: zeta, s */
    double m1, m2, m3; /* true E[S], E[S^2], E[S^3] */
    double scv;        /* m2/m1^2 - 1 */
} as_svclaw;

/* AS_EINVAL for a mean <= 0, a cv < 0, an unknown dist or a uniform law
 * whose low end would be negative. */
int as_svclaw_init(as_svclaw *s, int dist, double mean, double cv, as_err *err);
/* P(S > t). */
double as_svclaw_tail(const as_svclaw *s, double t);
/* inf{t : P(S <= t) >= p}, 0 < p < 1. */
double as_svclaw_quantile(const as_svclaw *s, double p);
/* P(S_e > t), S_e the equilibrium excess: (1/m1) int_t^inf P(S > u) du. */
double as_svclaw_excess_tail(const as_svclaw *s, double t);

#endif
