/* test_mgc.c - the log-grid laws (as_latdist), the service laws (as_svclaw)
 * and the M/G/c response-time laws (as_mgc) against exact results: sums of
 * points, M/M/c response percentiles, Pollaczek-Khinchine at c = 1, the
 * exact M/G/1 wait by the Panjer recursion (computed here, independently
 * of the FFT the library uses), M/M/c+D abandonment. */
#include "as_mgc.h"

#include <criterion/criterion.h>
#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static as_latdist *ld(void)
{
    as_latdist *d = calloc(1, sizeof *d);
    cr_assert_not_null(d);
    as_latdist_clear(d);
    return d;
}

static as_mgc_ws *ws_new(void)
{
    as_mgc_ws *w = malloc(sizeof *w);
    cr_assert_not_null(w);
    as_mgc_ws_init(w);
    return w;
}

Test(latdist, sums_of_points_land_where_they_should)
{
    as_latdist *a = ld(), *b = ld(), *o = ld();
    as_latdist_add(a, 0.010, 1.0);
    as_latdist_add(b, 0.025, 1.0);
    as_latdist_conv(o, a, b);
    /* the mean is kept exactly; the law is a point at 35 ms up to a cell */
    cr_assert_float_eq(as_latdist_mean(o), 0.035, 1e-12);
    cr_assert_float_eq(as_latdist_total(o), 1.0, 1e-12);
    double q = as_latdist_quantile(o, 0.5);
    cr_assert(q > 0.035 / 1.1 && q < 0.035 * 1.1, "median %g", q);
    /* shifts add; an atom convolves as a shift */
    as_latdist_clear(a);
    a->shift = 0.1;
    a->zero = 1.0;
    as_latdist_conv(o, a, b);
    cr_assert_float_eq(as_latdist_mean(o), 0.125, 1e-12);
    free(a);
    free(b);
    free(o);
}

/* A convolution's range holds every point it gave mass to and is trimmed
 * to them: laws spread over 1 us to 10 s and, near the grid's top (1e6 s,
 * where the landings are cut onto the last point), 1e4 to 1e6 s; the mass
 * is the product of the masses and the mean the sum of the means. */
Test(latdist, convolution_range_holds_every_landing)
{
    as_latdist *a = ld(), *b = ld(), *o = ld();
    const double lo[] = {1e-6, 1e-3, 1e4}, hi[] = {1e-3, 10.0, 9e5};
    for (int k = 0; k < 3; k++) {
        as_latdist_clear(a);
        as_latdist_clear(b);
        for (double v = lo[k]; v <= hi[k]; v *= 1.37) {
            as_latdist_add(a, v, 1.0 + v / hi[k]);
            as_latdist_add(b, v * 0.7, 2.0 - v / hi[k]);
        }
        as_latdist_conv(o, a, b);
        cr_assert(o->lo <= o->hi && o->m[o->lo] > 0 && o->m[o->hi] > 0, "case %d", k);
        for (int i = 0; i < AS_LD_N; i++)
            cr_assert(o->m[i] == 0 || (i >= o->lo && i <= o->hi), "case %d: point %d", k, i);
        double ta = as_latdist_total(a), tb = as_latdist_total(b);
        cr_assert_float_eq(as_latdist_total(o), ta * tb, 1e-12 * ta * tb, "case %d", k);
        if (k < 2) /* (near the top the cut keeps the mass, not the mean) */
            cr_assert_float_eq(as_latdist_mean(o), as_latdist_mean(a) + as_latdist_mean(b),
                               1e-9 * as_latdist_mean(o), "case %d", k);
    }
    free(a);
    free(b);
    free(o);
}

Test(latdist, tail_and_quantile_invert_and_mixtures_keep_mass)
{
    as_svclaw s;
    cr_assert_eq(as_svclaw_init(&s, AS_SVC_LOGNORMAL, 0.05, 1.0, NULL), AS_OK);
    as_latdist *S = ld(), *m = ld(), *sc = ld();
    as_mgc_service_law(&s, S);
    for (double p = 0.1; p < 0.999; p += 0.1) {
        double t = as_latdist_quantile(S, p);
        cr_assert_float_eq(as_latdist_tail(S, t), 1 - p, 1e-9, "p=%g", p);
    }
    /* a mixture with a shifted law keeps every mass and the mean */
    as_latdist_axpy(m, 0.25, S);
    as_latdist *d = ld();
    d->shift = 0.2;
    d->zero = 1.0;
    as_latdist_axpy(m, 0.75, d);
    cr_assert_float_eq(as_latdist_total(m), 1.0, 1e-12);
    cr_assert_float_eq(as_latdist_mean(m), 0.25 * as_latdist_mean(S) + 0.15, 1e-9);
    /* scaling by k scales the mean */
    as_latdist_scale(sc, S, 3.7);
    cr_assert_float_eq(as_latdist_mean(sc), 3.7 * as_latdist_mean(S), 1e-9);
    /* pruning keeps the total */
    as_latdist_prune(sc, 1e-3, 1e-6);
    cr_assert_float_eq(as_latdist_total(sc), 1.0, 1e-12);
    free(S);
    free(m);
    free(sc);
    free(d);
}

/* Each service law on the grid: its quantiles and mean against the law. */
/* Folding the mass below v keeps the total and the mean, leaves no point
 * below v and every point above the first one at or above it untouched,
 * and is a no-op when nothing lies below v or nothing at or above it. */
Test(latdist, fold_below_keeps_mass_and_mean)
{
    as_latdist *d = ld(), *o = ld();
    d->shift = 0.002;
    for (int k = 0; k < 40; k++) /* 1 ms .. about 50 ms above the shift */
        as_latdist_add(d, 0.001 * pow(1.1, k), 1.0 + 0.1 * k);
    d->zero = 0.5;
    *o = *d;
    double v = 0.004;
    as_latdist_fold_below(d, v);
    cr_assert_float_eq(as_latdist_total(d), as_latdist_total(o), 1e-12 * as_latdist_total(o));
    cr_assert_float_eq(as_latdist_mean(d), as_latdist_mean(o), 1e-12 * as_latdist_mean(o));
    cr_assert_gt(d->zero, o->zero, "nothing went to the atom");
    cr_assert(as_latdist_x(d->lo) >= v && as_latdist_x(d->lo - 1) < v, "lo %d", d->lo);
    cr_assert_gt(d->m[d->lo], o->m[d->lo], "nothing went to the first point kept");
    for (int k = d->lo + 1; k <= d->hi; k++)
        cr_assert_eq(d->m[k], o->m[k], "point %d moved", k);
    /* an end-to-end quantile moves by less than v */
    cr_assert_lt(fabs(as_latdist_quantile(d, 0.95) - as_latdist_quantile(o, 0.95)), v);
    *o = *d;
    as_latdist_fold_below(d, 1e-7); /* nothing below */
    cr_assert(memcmp(d, o, sizeof *d) == 0);
    as_latdist_fold_below(d, 10.0); /* nothing at or above */
    cr_assert(memcmp(d, o, sizeof *d) == 0);
    free(d);
    free(o);
}

Test(latdist, service_laws_on_the_grid)
{
    const struct {
        int dist;
        double cv;
    } L[] = {{AS_SVC_EXP, 1},     {AS_SVC_DET, 0},       {AS_SVC_UNIFORM, 0.5},
             {AS_SVC_NORMAL, 0.5}, {AS_SVC_LOGNORMAL, 0.5}, {AS_SVC_LOGNORMAL, 2}};
    as_latdist *S = ld();
    for (size_t k = 0; k < sizeof L / sizeof L[0]; k++) {
        as_svclaw s;
        cr_assert_eq(as_svclaw_init(&s, L[k].dist, 0.02, L[k].cv, NULL), AS_OK);
        as_mgc_service_law(&s, S);
        cr_assert_float_eq(as_latdist_mean(S), s.m1, 0.003 * s.m1, "law %zu", k);
        /* within 1 %: the CDF is taken log-linear inside a 10 % cell, least
         * exact at the edge of a bounded law (uniform, p95: -0.9 %) */
        for (double p = 0.5; p < 0.995; p += 0.15) {
            double q = as_latdist_quantile(S, p), e = as_svclaw_quantile(&s, p);
            cr_assert(fabs(q / e - 1) < 0.01, "law %zu p %g: %g vs %g", k, p, q, e);
        }
    }
    /* the clipped normal's true moments: cs2 is not cv^2 */
    as_svclaw n;
    as_svclaw_init(&n, AS_SVC_NORMAL, 1.0, 1.0, NULL);
    cr_assert(n.m1 > 1.0 && n.scv < 1.0);
    as_err err = {0};
    cr_assert_eq(as_svclaw_init(&n, AS_SVC_UNIFORM, 1.0, 0.7, &err), AS_EINVAL);
    cr_assert_eq(as_svclaw_init(&n, AS_SVC_EXP, 0.0, 1.0, &err), AS_EINVAL);
    free(S);
}

/* The exact M/M/c response tail (REFERENCE section 6). */
static double mmc_resp_quantile(int c, double lambda, double mu, double p)
{
    double C = as_erlang_c(c, lambda / mu), th = c * mu - lambda, lo = 0, hi = 1;
    for (;;) {
        double t = hi;
        double tail = fabs(th - mu) < 1e-12 ? exp(-mu * t) * (1 + C * mu * t)
                                            : exp(-mu * t) + C * mu / (th - mu) * (exp(-mu * t) - exp(-th * t));
        if (tail < 1 - p)
            break;
        hi *= 2;
    }
    for (int i = 0; i < 200; i++) {
        double t = 0.5 * (lo + hi);
        double tail = fabs(th - mu) < 1e-12 ? exp(-mu * t) * (1 + C * mu * t)
                                            : exp(-mu * t) + C * mu / (th - mu) * (exp(-mu * t) - exp(-th * t));
        (tail > 1 - p ? (lo = t) : (hi = t));
    }
    return 0.5 * (lo + hi);
}

Test(mgc, mmc_response_percentiles_are_exact_for_c_1_to_256)
{
    as_svclaw s;
    as_svclaw_init(&s, AS_SVC_EXP, 0.1, 1.0, NULL);
    as_mgc_shapes *sh = as_mgc_shapes_new(&s, NULL);
    as_latdist *S = ld(), *R = ld();
    as_mgc_ws *ws = ws_new();
    as_mgc_service_law(&s, S);
    const int cs[] = {1, 4, 16, 64, 256};
    const double rhos[] = {0.5, 0.8, 0.95}, ps[] = {0.5, 0.95, 0.99};
    double worst = 0;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 3; j++) {
            double lam = rhos[j] * cs[i] * 10.0;
            as_mgc_wait w;
            as_mgc_wait_params(&w, lam, 10.0, cs[i], 1.0);
            as_mgc_resp_law(sh, &w, S, R, ws);
            for (int k = 0; k < 3; k++) {
                double e = fabs(as_latdist_quantile(R, ps[k]) / mmc_resp_quantile(cs[i], lam, 10.0, ps[k]) - 1);
                worst = e > worst ? e : worst;
            }
        }
    /* the grid's own error (10 % cells, log-linear inside): under 1 % */
    cr_assert_lt(worst, 0.01, "worst relative error %g", worst);
    cr_assert_eq(as_mgc_shapes_built(sh), 1); /* exponential: one shape, Exp(1) */
    as_mgc_shapes_free(sh);
    free(S);
    free(R);
    free(ws);
}

/* The geometric compound of m_c (the least of c equilibrium excesses; c =
 * 1: the M/G/1 wait) by the Panjer recursion, independently of the
 * library's FFT: w_0 = (1 - rho)/(1 - rho q_0), w_k = rho sum q_j
 * w_{k-j}/(1 - rho q_0). */
static void panjer(const as_svclaw *s, int c, double rho, double h, int n, double *w)
{
    double *q = malloc((size_t)n * sizeof *q), prev = 1.0;
    for (int j = 0; j < n; j++) {
        double tl = pow(as_svclaw_excess_tail(s, (j + 0.5) * h), c);
        q[j] = prev - tl;
        prev = tl;
    }
    double d = 1.0 - rho * q[0];
    w[0] = (1.0 - rho) / d;
    for (int k = 1; k < n; k++) {
        double acc = 0;
        for (int j = 1; j <= k; j++)
            acc += q[j] * w[k - j];
        w[k] = rho * acc / d;
    }
    free(q);
}

Test(mgc, mg1_wait_shape_matches_panjer_and_pollaczek_khinchine)
{
    const struct {
        int dist;
        double cv;
    } L[] = {{AS_SVC_DET, 0}, {AS_SVC_LOGNORMAL, 0.5}, {AS_SVC_LOGNORMAL, 2}, {AS_SVC_UNIFORM, 0.5}};
    double *work = malloc(2 * 16384 * sizeof *work);
    as_latdist *X = ld();
    for (size_t k = 0; k < sizeof L / sizeof L[0]; k++) {
        as_svclaw s;
        as_svclaw_init(&s, L[k].dist, 1.0, L[k].cv, NULL);
        double rho = 0.8, cm = s.m2 / (2 * s.m1 * (1 - rho)); /* P-K: E[W | W > 0] */
        as_mgc_mg1_shape(&s, rho, X, work);
        cr_assert_float_eq(as_latdist_mean(X), 1.0, 2e-3, "law %zu: mean 1", k);
        /* the conditional quantiles against the exact recursion on a fine grid */
        int n = 4000;
        double h = cm * (s.scv > 1.5 ? 200.0 : 60.0) / n, *w = malloc((size_t)n * sizeof *w);
        panjer(&s, 1, rho, h, n, w);
        for (double p = 0.5; p < 0.995; p += 0.2) {
            double cum = w[0] - (1 - rho), target = p * rho;
            int j = 1;
            while (j < n && cum + w[j] < target)
                cum += w[j++];
            double exact = (j - 0.5 + (target - cum) / w[j]) * h / cm;
            double got = as_latdist_quantile(X, p);
            cr_assert(fabs(got / exact - 1) < 0.02, "law %zu p %g: %g vs %g", k, p, got, exact);
        }
        free(w);
    }
    free(X);
    free(work);
}

typedef struct mc_arg {
    const as_svclaw *s;
    int c;
} mc_arg;

static double mc_tail(double t, void *p)
{
    const mc_arg *a = p;
    return pow(as_svclaw_excess_tail(a->s, t), a->c);
}

/* The conditional quantiles of the compound of m_c against the recursion
 * on a fine grid, scaled by its mean E[m_c] / (1 - rho) (GSL's QAGIU). */
static void check_compound(const as_svclaw *s, int c, double rho, const as_latdist *X)
{
    int n = 6000;
    double *w = malloc((size_t)n * sizeof *w), h = 0.002;
    panjer(s, c, rho, h, n, w);
    mc_arg a = {s, c};
    gsl_function F = {mc_tail, &a};
    gsl_integration_workspace *iw = gsl_integration_workspace_alloc(200);
    double emc, abserr;
    gsl_integration_qagiu(&F, 0.0, 1e-10, 1e-8, 200, iw, &emc, &abserr);
    gsl_integration_workspace_free(iw);
    double mean = emc / (1 - rho);
    for (double p = 0.5; p < 0.995; p += 0.2) {
        double cum = w[0] - (1 - rho), target = p * rho;
        int j = 1;
        while (j < n && cum + w[j] < target)
            cum += w[j++];
        double exact = (j - 0.5 + (target - cum) / w[j]) * h / mean;
        double got = as_latdist_quantile(X, p);
        cr_assert(fabs(got / exact - 1) < 0.02, "c %d p %g: %g vs %g", c, p, got, exact);
    }
    free(w);
}

Test(mgc, min_excess_shape_matches_panjer_and_mixes_towards_it)
{
    double *work = malloc(2 * 16384 * sizeof *work);
    as_latdist *X = ld(), *Y = ld();
    as_svclaw s, s1;
    as_svclaw_init(&s, AS_SVC_LOGNORMAL, 1.0, 2.0, NULL);
    as_svclaw_init(&s1, AS_SVC_LOGNORMAL, 0.1, 2.0, NULL);
    for (int c = 2; c <= 8; c *= 2) {
        as_mgc_compound_shape(&s, c, 0.5, X, work);
        cr_assert_float_eq(as_latdist_mean(X), 1.0, 2e-3, "c %d: mean 1", c);
        check_compound(&s, c, 0.5, X);
    }
    /* the least of many excesses is nearly exponential: p99 -> ln 100 */
    double r16 = -expm1(-1.6); /* table point 16 */
    as_mgc_compound_shape(&s, 4, r16, X, work);
    double q4 = as_latdist_quantile(X, 0.99);
    as_mgc_compound_shape(&s, 256, r16, X, work);
    double q256 = as_latdist_quantile(X, 0.99);
    as_mgc_mg1_shape(&s, r16, Y, work);
    double q1 = as_latdist_quantile(Y, 0.99);
    cr_assert(q1 > q4 && q4 > q256, "p99 of X_c: %g, %g, %g", q1, q4, q256);
    cr_assert_float_eq(q256, log(100.0), 0.02 * log(100.0));
    /* the mixture: X_1 at c = 1; at c = 4 between X_1 and X_4 (w_A at
     * rho 0.8: 1 / 1.48) */
    as_mgc_shapes *sh = as_mgc_shapes_new(&s1, NULL);
    cr_assert_float_eq(as_mgc_shape_weight(4, 0.8), 1 / 1.48, 1e-12);
    cr_assert_float_eq(as_mgc_shape_weight(1, 0.3), 1.0, 1e-15);
    as_mgc_shape_at(sh, 1, r16, X);
    double qt = as_latdist_quantile(as_mgc_shape(sh, 16), 0.99);
    cr_assert_float_eq(as_latdist_quantile(X, 0.99), qt, 1e-6 * qt);
    as_mgc_shape_at(sh, 4, r16, X);
    double qm = as_latdist_quantile(X, 0.99);
    cr_assert(qm < q1 && qm > q4, "mixture p99 %g not between %g and %g", qm, q4, q1);
    cr_assert_float_eq(as_latdist_mean(X), 1.0, 2e-3);
    /* beyond the last class, towards Exp(1); between classes, in between */
    as_mgc_shape_at(sh, 100000, 0.5, X);
    cr_assert_float_eq(as_latdist_quantile(X, 0.99), log(100.0), 0.01 * log(100.0));
    as_mgc_shape_at(sh, 5, 0.5, X);
    double q5 = as_latdist_quantile(X, 0.99);
    as_mgc_shape_at(sh, 4, 0.5, X);
    double q4m = as_latdist_quantile(X, 0.99);
    as_mgc_shape_at(sh, 6, 0.5, X);
    cr_assert(q5 < q4m && q5 > as_latdist_quantile(X, 0.99), "c 5 between 4 and 6");
    as_mgc_shapes_free(sh);
    free(X);
    free(Y);
    free(work);
}

/* In heavy traffic both shapes tend to Exp(1), bounded laws too (whose
 * whole summand once fell in the grid's first cell past rho 0.992). */
Test(mgc, shapes_of_bounded_laws_tend_to_exp1_in_heavy_traffic)
{
    double *work = malloc(16384 * sizeof *work);
    as_latdist *X = ld();
    const int dists[] = {AS_SVC_DET, AS_SVC_UNIFORM};
    const double rhos[] = {0.995, 0.9992};
    for (int d = 0; d < 2; d++)
        for (int r = 0; r < 2; r++)
            for (int c = 1; c <= 4; c += 3) {
                as_svclaw s;
                as_svclaw_init(&s, dists[d], 1.0, 0.5, NULL);
                as_mgc_compound_shape(&s, c, rhos[r], X, work);
                double q50 = as_latdist_quantile(X, 0.5), q99 = as_latdist_quantile(X, 0.99);
                cr_assert_float_eq(q50, log(2.0), 0.02 * log(2.0), "law %d rho %g c %d: p50 %g",
                                   dists[d], rhos[r], c, q50);
                cr_assert_float_eq(q99, log(100.0), 0.02 * log(100.0), "law %d rho %g c %d: p99 %g",
                                   dists[d], rhos[r], c, q99);
            }
    free(X);
    free(work);
}

Test(mgc, c1_mean_wait_is_pollaczek_khinchine_for_every_law)
{
    const int dists[] = {AS_SVC_EXP, AS_SVC_DET, AS_SVC_LOGNORMAL, AS_SVC_NORMAL};
    as_mgc_ws *ws = ws_new();
    as_latdist *W = ld();
    for (int k = 0; k < 4; k++) {
        as_svclaw s;
        as_svclaw_init(&s, dists[k], 0.05, 0.8, NULL);
        as_mgc_shapes *sh = as_mgc_shapes_new(&s, NULL);
        double lam = 0.7 / s.m1, pk = lam * s.m2 / (2 * (1 - 0.7));
        as_mgc_wait w;
        as_mgc_wait_params(&w, lam, 1 / s.m1, 1, s.scv);
        cr_assert_float_eq(w.ew, pk, 1e-12 * pk, "law %d: Kimura at c = 1", k);
        cr_assert_float_eq(w.pw, 0.7, 1e-12);
        as_mgc_wait_law(sh, &w, W, ws);
        cr_assert_float_eq(as_latdist_mean(W), pk, 0.01 * pk, "law %d: the law's mean", k);
        as_mgc_shapes_free(sh);
    }
    free(ws);
    free(W);
}

Test(mgc, timeout_is_exact_mmc_plus_d)
{
    /* M/M/c+D (Baccelli & Hebuterne): P(abandon) = lambda e^{-theta T} /
     * (c mu (eps + lambda J)), eps = 1/B(c-1, a), J = (1 - e^{-theta T})/theta
     * + e^{-theta T}/(c mu), theta = c mu - lambda */
    as_svclaw s;
    as_svclaw_init(&s, AS_SVC_EXP, 1.0, 1.0, NULL);
    as_mgc_shapes *sh = as_mgc_shapes_new(&s, NULL);
    as_mgc_ws *ws = ws_new();
    as_latdist *SW = ld();
    const struct {
        int c;
        double rho, T;
    } K[] = {{16, 0.95, 2.0}, {4, 0.9, 1.0}, {64, 0.97, 0.5}};
    for (int k = 0; k < 3; k++) {
        double mu = 1.0, lam = K[k].rho * K[k].c, cmu = K[k].c * mu, th = cmu - lam;
        double eps = 1.0 / as_erlang_b(K[k].c - 1, lam / mu), e = exp(-th * K[k].T);
        double J = (1 - e) / th + e / cmu, exact = lam * e / (cmu * (eps + lam * J));
        as_mgc_wait w;
        as_mgc_wait_params(&w, lam, mu, K[k].c, 1.0);
        as_mgc_abandon ab;
        as_mgc_timeout_law(sh, &w, K[k].T, &ab, SW, ws);
        cr_assert(fabs(ab.p_abandon / exact - 1) < 0.01, "case %d: %g vs %g", k, ab.p_abandon, exact);
        /* the served waits stay below the patience (up to a grid cell) */
        cr_assert_leq(as_latdist_quantile(SW, 0.9999), K[k].T * 1.1);
    }
    as_mgc_shapes_free(sh);
    free(ws);
    free(SW);
}

Test(mgc, visits_add_up)
{
    as_svclaw s;
    as_svclaw_init(&s, AS_SVC_DET, 0.01, 0, NULL);
    as_latdist *S = ld(), *V = ld();
    as_mgc_ws *ws = ws_new();
    as_mgc_service_law(&s, S);
    as_mgc_visits_law(S, 2.0, V, ws);
    cr_assert_float_eq(as_latdist_mean(V), 0.02, 1e-12);
    as_mgc_visits_law(S, 1.5, V, ws);
    cr_assert_float_eq(as_latdist_mean(V), 0.015, 1e-9);
    cr_assert_float_eq(as_latdist_total(V), 1.0, 1e-12);
    /* half the requests make one visit: the median is one service */
    cr_assert(as_latdist_quantile(V, 0.25) < 0.0105);
    cr_assert(as_latdist_quantile(V, 0.75) > 0.019);
    free(S);
    free(V);
    free(ws);
}
