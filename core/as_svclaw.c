/* as_svclaw.c - service-time laws (see as_svclaw.h). The equilibrium-excess
 * tails are closed forms: E[(S - t)^+] / m1, with E[(S - t)^+] = (m - t)+
 * (deterministic), a piecewise quadratic (uniform), (m - t) Phi(d) +
 * sigma phi(d) (normal, d = (m - t)/sigma), m1 Phi(d1) - t Phi(d1 - s)
 * (lognormal, the Black-Scholes form, d1 = (zeta + s^2 - ln t)/s). */
#include "as_svclaw.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

#define SQRT2 1.4142135623730951
#define ISQRT2PI 0.3989422804014327

static double Phi(double x) { return 0.5 * erfc(-x / SQRT2); }
static double phi(double x) { return ISQRT2PI * exp(-0.5 * x * x); }

static void moments_uniform(as_svclaw *s)
{
    double lo = s->a, hi = s->a + s->b;
    if (s->b > 0) {
        s->m1 = (hi * hi - lo * lo) / (2 * s->b);
        s->m2 = (hi * hi * hi - lo * lo * lo) / (3 * s->b);
        s->m3 = (hi * hi * hi * hi - lo * lo * lo * lo) / (4 * s->b);
    } else {
        s->m1 = lo, s->m2 = lo * lo, s->m3 = lo * lo * lo;
    }
}

/* max(0, N(m, sg^2)): the moments of the clipped law (its atom at 0 adds
 * nothing to them). */
static void moments_normal(as_svclaw *s, double m, double sg)
{
    if (sg > 0) {
        double P = Phi(m / sg), f = phi(m / sg);
        s->m1 = m * P + sg * f;
        s->m2 = (m * m + sg * sg) * P + m * sg * f;
        s->m3 = (m * m * m + 3 * m * sg * sg) * P + (m * m + 2 * sg * sg) * sg * f;
    } else {
        s->m1 = m, s->m2 = m * m, s->m3 = m * m * m;
    }
}

int as_svclaw_init(as_svclaw *s, int dist, double mean, double cv, as_err *err)
{
    if (!(mean > 0) || !isfinite(mean))
        return as_err_set(err, AS_EINVAL, "service law: mean %g must be > 0", mean);
    if (!(cv >= 0) || !isfinite(cv))
        return as_err_set(err, AS_EINVAL, "service law: cv %g must be >= 0", cv);
    if (dist == AS_SVC_UNIFORM && cv > 1.0 / sqrt(3.0) + 1e-12)
        return as_err_set(err, AS_EINVAL, "service law: a uniform law with cv %g > 0.577 would "
                          "be negative", cv);
    *s = (as_svclaw){.dist = dist, .mean = mean, .cv = cv};
    double m = mean;
    switch (dist) {
    case AS_SVC_EXP:
        s->m1 = m, s->m2 = 2 * m * m, s->m3 = 6 * m * m * m;
        break;
    case AS_SVC_DET:
        s->m1 = m, s->m2 = m * m, s->m3 = m * m * m;
        break;
    case AS_SVC_UNIFORM: {
        double half = sqrt(3.0) * cv * m;
        s->a = m - half > 0 ? m - half : 0.0; /* cv at the limit, up to rounding */
        s->b = 2 * half;
        moments_uniform(s);
        break;
    }
    case AS_SVC_NORMAL:
        s->a = m;
        s->b = cv * m;
        moments_normal(s, m, cv * m);
        break;
    case AS_SVC_LOGNORMAL: {
        double s2 = log1p(cv * cv);
        s->a = log(m) - s2 / 2;
        s->b = sqrt(s2);
        s->m1 = exp(s->a + s2 / 2);
        s->m2 = exp(2 * s->a + 2 * s2);
        s->m3 = exp(3 * s->a + 4.5 * s2);
        break;
    }
    default:
        return as_err_set(err, AS_EINVAL, "service law: unknown distribution %d", dist);
    }
    s->scv = s->m2 / (s->m1 * s->m1) - 1.0;
    if (s->scv < 0) /* rounding of a deterministic law */
        s->scv = 0;
    return AS_OK;
}

double as_svclaw_tail(const as_svclaw *s, double t)
{
    if (t < 0)
        return 1.0;
    switch (s->dist) {
    case AS_SVC_DET:
        return t < s->mean ? 1.0 : 0.0;
    case AS_SVC_UNIFORM:
        if (t < s->a)
            return 1.0;
        if (t >= s->a + s->b)
            return 0.0;
        return 1.0 - (t - s->a) / s->b;
    case AS_SVC_NORMAL:
        if (s->b <= 0)
            return t < s->a ? 1.0 : 0.0;
        return 0.5 * erfc((t - s->a) / (s->b * SQRT2));
    case AS_SVC_LOGNORMAL:
        if (t <= 0)
            return 1.0;
        return 0.5 * erfc((log(t) - s->a) / (s->b * SQRT2));
    default:
        return exp(-t / s->mean);
    }
}

double as_svclaw_quantile(const as_svclaw *s, double p)
{
    switch (s->dist) {
    case AS_SVC_DET:
        return s->mean;
    case AS_SVC_UNIFORM:
        return s->a + p * s->b;
    case AS_SVC_NORMAL: {
        if (s->b <= 0)
            return s->a;
        double x = s->a + s->b * gsl_cdf_ugaussian_Pinv(p);
        return x > 0 ? x : 0.0;
    }
    case AS_SVC_LOGNORMAL:
        return exp(s->a + s->b * gsl_cdf_ugaussian_Pinv(p));
    default:
        return -s->mean * log1p(-p);
    }
}

double as_svclaw_excess_tail(const as_svclaw *s, double t)
{
    if (t <= 0)
        return 1.0;
    double e; /* E[(S - t)^+] */
    switch (s->dist) {
    case AS_SVC_DET:
        e = t < s->mean ? s->mean - t : 0.0;
        break;
    case AS_SVC_UNIFORM: {
        double lo = s->a, hi = s->a + s->b;
        e = t <= lo ? s->m1 - t : t >= hi ? 0.0 : (hi - t) * (hi - t) / (2 * s->b);
        break;
    }
    case AS_SVC_NORMAL: {
        if (s->b <= 0) {
            e = t < s->a ? s->a - t : 0.0;
            break;
        }
        double d = (s->a - t) / s->b;
        e = (s->a - t) * Phi(d) + s->b * phi(d);
        break;
    }
    case AS_SVC_LOGNORMAL: {
        double d1 = (s->a + s->b * s->b - log(t)) / s->b;
        e = s->m1 * Phi(d1) - t * Phi(d1 - s->b);
        break;
    }
    default:
        return exp(-t / s->mean);
    }
    return e > 0 ? e / s->m1 : 0.0;
}
