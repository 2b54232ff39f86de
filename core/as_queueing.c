/* as_queueing.c - Erlang B/C, M/M/c tails and quantiles, Allen-Cunneen,
 * Kimura's M/G/c mean wait, the fluid backlog with patience. */
#include "as_queueing.h"

#include <math.h>

double as_erlang_b(int c, double a)
{
    /* B(0) = 1; B(k) = a B(k-1) / (k + a B(k-1)): stable for any c, unlike
     * the factorial form, which overflows past c ~ 170. Run on 1/B, which
     * needs no division per step: 1/B(k) = 1 + (k/a) / B(k-1). Where 1/B
     * overflows (c far above a), B is 0 to double precision anyway. */
    if (c <= 0)
        return 1.0;
    if (!(a > 0))
        return 0.0;
    double inv = 1.0, ia = 1.0 / a;
    int k = 1;
    /* Below the load the recursion forgets where it started: each step
     * multiplies an error by k/a < 1, and from k0 = a - 9 sqrt(a) to a the
     * product is about exp(-40). So for a large load (and c >= a, so that
     * every one of those steps is taken) it may start at k0
     * from the blocking of an overloaded group, 1/B = a/(a - k0), and skip
     * the first k0 steps (most of them when a is in the thousands). */
    double k0 = floor(a - 9.0 * sqrt(a));
    if (k0 >= 16 && (double)c >= a) {
        k = (int)k0 + 1;
        inv = a / (a - k0);
    }
    for (; k <= c; k++)
        inv = 1.0 + inv * ((double)k * ia); /* k/a off the dependency chain */
    return 1.0 / inv;
}

double as_erlang_c(int c, double a)
{
    if (c <= 0 || a >= (double)c)
        return 1.0;
    if (a <= 0)
        return 0.0;
    double b = as_erlang_b(c, a);
    return (double)c * b / ((double)c - a * (1.0 - b));
}

void as_mmc_solve(as_mmc *q, double lambda, double mu, int c, double f)
{
    q->lambda = lambda;
    q->mu = mu;
    q->c = c;
    double cap = (double)c * mu;
    if (c <= 0 || lambda >= cap) {
        q->stable = 0;
        q->pwait = 1.0;
        q->theta = 0.0;
        q->wq = INFINITY;
        q->w = INFINITY;
        return;
    }
    q->stable = 1;
    q->pwait = lambda > 0 ? as_erlang_c(c, lambda / mu) : 0.0;
    if (f <= 0)
        f = 1e-9; /* deterministic arrivals and service: waits vanish */
    q->theta = (cap - lambda) / f;
    q->wq = q->pwait / q->theta;
    q->w = q->wq + 1.0 / mu;
}

double as_mmc_wait_tail(const as_mmc *q, double t)
{
    if (!q->stable)
        return 1.0;
    if (t < 0)
        return 1.0;
    return q->pwait * exp(-q->theta * t);
}

double as_resp_tail(double mu, double pw, double theta, double t)
{
    if (t <= 0)
        return 1.0;
    double es = exp(-mu * t);
    if (pw <= 0)
        return es;
    /* Wait ~ Exp(theta) with probability pw, then service ~ Exp(mu):
     * P(T > t) = e^{-mu t} + pw mu/(theta - mu) (e^{-mu t} - e^{-theta t});
     * the limit theta -> mu is e^{-mu t} (1 + pw mu t). */
    double d = theta - mu;
    if (fabs(d) < 1e-9 * mu)
        return es * (1.0 + pw * mu * t);
    return es + pw * mu / d * (es - exp(-theta * t));
}

double as_mmc_resp_tail(const as_mmc *q, double t)
{
    if (!q->stable)
        return 1.0;
    return as_resp_tail(q->mu, q->pwait, q->theta, t);
}

double as_mmc_wait_quantile(const as_mmc *q, double p)
{
    if (!q->stable)
        return INFINITY;
    if (q->pwait <= 1.0 - p)
        return 0.0;
    return log(q->pwait / (1.0 - p)) / q->theta;
}

/* P(T > t) and the density at t in one pass (two exponentials). */
static void resp_tail_density(double mu, double pw, double theta, double t, double *tail,
                              double *dens)
{
    double es = exp(-mu * t);
    double d = theta - mu;
    if (fabs(d) < 1e-9 * mu) {
        *tail = es * (1.0 + pw * mu * t);
        *dens = (1.0 - pw) * mu * es + pw * mu * mu * t * es;
        return;
    }
    double et = exp(-theta * t);
    *tail = es + pw * mu / d * (es - et);
    *dens = (1.0 - pw) * mu * es + pw * theta * mu / d * (es - et);
}

double as_mmc_resp_quantile(const as_mmc *q, double p)
{
    return as_mmc_resp_quantile_from(q, p, NAN);
}

double as_mmc_resp_quantile_from(const as_mmc *q, double p, double guess)
{
    if (!q->stable)
        return INFINITY;
    double target = 1.0 - p, lt = log(target);
    /* Safeguarded Newton on ln P(T > t), which is nearly linear in t, so a
     * few steps suffice (bisection alone took ~50 tail evaluations and
     * dominated a week-long 1 s tick run). The bracket [lo, hi] keeps it
     * safe where the curvature is high; a guess (the last tick's answer,
     * when the load moved a little) saves most of the steps. */
    double lo = 0.0, hi = INFINITY, t = guess;
    if (!(guess > 0 && isfinite(guess))) {
        hi = as_mmc_wait_quantile(q, p) - lt / q->mu + 1.0 / q->mu;
        while (as_mmc_resp_tail(q, hi) > target)
            hi *= 2.0;
        t = 0.5 * (lo + hi);
    }
    for (int i = 0; i < 100; i++) {
        double tail, dens;
        resp_tail_density(q->mu, q->pwait, q->theta, t, &tail, &dens);
        if (tail > target)
            lo = t;
        else
            hi = t;
        double g = log(tail) - lt;
        double next = dens > 0 && tail > 0 ? t + g * tail / dens : NAN;
        if (!(next > lo && next < hi)) {
            if (isinf(hi)) { /* no upper bound yet (the guess was low): find one */
                hi = as_mmc_wait_quantile(q, p) - lt / q->mu + 1.0 / q->mu;
                while (as_mmc_resp_tail(q, hi) > target)
                    hi *= 2.0;
            }
            next = 0.5 * (lo + hi);
        }
        /* Newton converges quadratically here: a step of 1e-7 relative leaves
         * an error near 1e-14, so stop after it rather than take one more */
        if (fabs(next - t) <= 1e-7 * t || hi - lo <= 1e-12 * hi)
            return next;
        t = next;
    }
    return t;
}

int as_mmc_min_servers(double lambda, double mu, double f, double p, double target, int cmax)
{
    if (lambda <= 0)
        return 1 <= cmax ? 1 : cmax + 1;
    /* Service alone: P(S > target) = e^{-mu target} must be <= 1 - p. */
    if (exp(-mu * target) > 1.0 - p)
        return cmax + 1;
    int c = (int)floor(lambda / mu) + 1;
    if (c < 1)
        c = 1;
    as_mmc q;
    for (; c <= cmax; c++) {
        as_mmc_solve(&q, lambda, mu, c, f);
        /* P(T > target) <= 1 - p  <=>  the p-quantile is <= target */
        if (as_mmc_resp_tail(&q, target) <= 1.0 - p)
            return c;
    }
    return cmax + 1;
}

double as_wq_mmc(int c, double a, double mu)
{
    if (c <= 0 || a >= (double)c)
        return INFINITY;
    if (!(a > 0))
        return 0.0;
    return as_erlang_c(c, a) / (((double)c - a) * mu);
}

double as_wq_mdc(int c, double a, double mu)
{
    double wm = as_wq_mmc(c, a, mu);
    if (!(wm > 0) || isinf(wm))
        return wm;
    double rho = a / c, dc = (double)c;
    return 0.5 * wm * (1.0 + (1.0 - rho) * (dc - 1) * (sqrt(4.0 + 5.0 * dc) - 2.0) / (16.0 * rho * dc));
}

double as_wq_mgc(int c, double a, double mu, double cs2)
{
    double wm = as_wq_mmc(c, a, mu);
    if (!(wm > 0) || isinf(wm) || fabs(cs2 - 1.0) < 1e-12)
        return wm;
    /* 1/W is linear between the M/M/c and M/D/c points in the weights
     * 2 cs2/(1 + cs2) and (1 - cs2)/(1 + cs2); beyond cs2 = 1 it
     * extrapolates, which is where the approximation is weakest (README:
     * +5 % at c = 4, rho 0.8, lognormal cv 2 in long runs; the means that
     * use the whole law tried instead are in as_mgc.h) */
    double wd = as_wq_mdc(c, a, mu);
    return (1.0 + cs2) / (2.0 * cs2 / wm + (1.0 - cs2) / wd);
}

void as_mgc_wait_params(as_mgc_wait *w, double lambda, double mu, int c, double cs2)
{
    double a = lambda / mu;
    w->c = c;
    w->rho = c > 0 ? a / c : INFINITY;
    w->stable = c > 0 && a < (double)c;
    if (!w->stable) {
        w->pw = 1.0;
        w->ew = w->kappa = INFINITY;
        return;
    }
    w->pw = a > 0 ? as_erlang_c(c, a) : 0.0;
    w->ew = as_wq_mgc(c, a, mu, cs2);
    w->kappa = w->pw > 0 ? w->ew / w->pw : 0.0;
}

double as_fluid_tick(double *q, double lambda, double cmu, double tmax, double dt)
{
    double q1 = *q + (lambda - cmu) * dt, lost = 0.0;
    if (q1 < 0)
        q1 = 0;
    if (tmax > 0 && q1 > cmu * tmax) {
        lost = q1 - cmu * tmax;
        q1 = cmu * tmax;
    }
    *q = q1;
    return lost;
}
