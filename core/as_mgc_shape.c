/* as_mgc_shape.c - the conditional-wait shapes X_1 (exact M/G/1) and X_c
 * (the compound of m_c), their lazily built tables and their mixture at
 * (c, rho) (see as_mgc.h).
 *
 * Pollaczek-Khinchine in Benes' form: W = S_e,1 + ... + S_e,N with
 * P(N = n) = (1 - rho) rho^n and S_e the equilibrium excess of S; X_c
 * puts m_c, the least of c copies of S_e (P(m_c > t) = P(S_e > t)^c), in
 * the place of S_e. On a linear grid of step h (32 points per conditional
 * mean, but at most the summand's mean; n = 1920 points, 6400 for X_1 of
 * heavy laws, cs2 > 1.5: X_c's tail is lighter, and 60 means move its
 * quantiles by under 0.02 % at lognormal cv 3), with q_j the mass of the
 * summand in the cell around jh, the law of W has the generating function
 *   w(z) = (1 - rho) / (1 - rho q(z)).
 * It is evaluated by a real FFT of M >= 2n points on an exponentially
 * tilted grid (q_j theta^j, theta^M = e^-18): the tilt damps the
 * wrap-around of the mass beyond M (aliasing) to e^-18, and undoing it
 * amplifies rounding by at most e^9 at the far end, where the masses are
 * below 1e-10 of the law anyway. Cost O(M log M), under a millisecond for
 * M = 16384; the Panjer recursion (w_0 = (1 - rho)/(1 - rho q_0), w_k =
 * rho sum_j q_j w_{k-j} / (1 - rho q_0)) gives the same numbers in
 * O(n^2), 20-200 ms here, and is what the tests compare with. */
#include "as_mgc.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fft_halfcomplex.h>
#include <gsl/gsl_fft_real.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#define PER_MEAN 32   /* grid points per conditional mean */
#define FFT_MAX 16384 /* largest transform */
#define TILT 18.0     /* theta^M = e^-TILT */

/* The classes of c whose compound of m_c is tabulated (class 0, c = 1:
 * the M/G/1 shape); between two, the shape is linear in 1/c, as it nearly
 * is (lognormal cv 3, rho 0.8: p99 4.752, 4.707, 4.685 at c = 16, 24, 32,
 * where the line between 16 and 32 gives 4.707 at 24; 4.652 at 64 and
 * ln 100 = 4.605 in the limit). Each class touched costs its table points
 * (one FFT each), so they are few. */
#define NCLASS 11
static const int CLASS_C[NCLASS] = {1, 2, 3, 4, 6, 8, 16, 32, 64, 128, 256};

struct as_mgc_shapes {
    as_svclaw s;                       /* the law, mean 1 */
    as_latdist *tab;                   /* NCLASS x AS_MGC_NSHAPE laws (one for exponential) */
    bool built[NCLASS * AS_MGC_NSHAPE];
    int nbuilt;
    as_latdist exp1;                   /* Exp(1): the limit of the classes as c grows */
    double *work;                      /* FFT_MAX doubles; NULL for exponential */
};

/* The grid's points for the shape of class c of law s (60 conditional means). */
static int grid_points(const as_svclaw *s, int c)
{
    return PER_MEAN * (s->scv > 1.5 && c == 1 ? 200 : 60);
}

/* P(m_c > t), m_c the least of c independent equilibrium excesses (m_1 =
 * S_e: the M/G/1 summand). */
static double min_excess_tail(const as_svclaw *s, int c, double t)
{
    double e = as_svclaw_excess_tail(s, t);
    return c == 1 ? e : pow(e, c);
}

/* E[m_c] = int_0^inf P(m_c > t) dt, for the grid's step only (the shape is
 * renormalised from its own masses): the trapezoid rule in ln t, 32 points
 * a decade from 1e-9 E[S] (below, the tail is 1) up to where P(m_c > t) is
 * under 1e-13 of it */
static double min_excess_mean(const as_svclaw *s, int c)
{
    if (c == 1)
        return s->m2 / (2.0 * s->m1);
    double r = pow(10.0, 1.0 / 32), t = 1e-9 * s->m1, acc = t, prev = t;
    for (int k = 0; k < 32 * 20; k++) {
        t *= r;
        double v = min_excess_tail(s, c, t) * t;
        acc += 0.5 * (prev + v) * log(r);
        prev = v;
        if (v < 1e-13 * acc)
            break;
    }
    return acc;
}

/* (1 - rho) / (1 - rho (re + i im)) into *re, *im. */
static void geo_ratio(double rho, double *re, double *im)
{
    double a = 1.0 - rho * *re, b = -rho * *im, den = a * a + b * b;
    *re = (1.0 - rho) * a / den;
    *im = -(1.0 - rho) * b / den;
}

/* w_j, j < n: the wait on the grid of the geometric compound of m_c (c = 1:
 * the M/G/1 wait; w_0 holds the atom 1 - rho and the waits rounded to 0);
 * data = work, M doubles. The input is real, so its transform is stored
 * half-complex (GSL: Re at k, Im at M - k), half the work of a complex one. */
static void compound_pmf_fft(const as_svclaw *s, int c, double rho, double h, int n, double *data)
{
    int M = 1;
    while (M < 2 * n)
        M <<= 1;
    double theta = exp(-TILT / M), tj = 1.0;
    double prev = 1.0; /* P(S_e > -h/2) */
    for (int j = 0; j < M; j++) {
        double q = 0.0;
        if (j < n) {
            double tl = min_excess_tail(s, c, (j + 0.5) * h);
            q = prev - tl;
            prev = tl;
        }
        data[j] = q * tj;
        tj *= theta;
    }
    gsl_fft_real_radix2_transform(data, 1, (size_t)M);
    double zero = 0.0;
    geo_ratio(rho, &data[0], &zero);          /* (real at k = 0 and M/2) */
    geo_ratio(rho, &data[M / 2], &zero);
    for (int k = 1; k < M / 2; k++)
        geo_ratio(rho, &data[k], &data[M - k]);
    gsl_fft_halfcomplex_radix2_inverse(data, 1, (size_t)M);
    double itheta = 1.0 / theta, inv = 1.0;
    for (int j = 0; j < n; j++) {
        double w = data[j] * inv;
        data[j] = w > 0 ? w : 0.0;
        inv *= itheta;
    }
}

/* Exp(1) on the grid. */
static void exp1_law(as_latdist *out)
{
    as_svclaw e;
    as_svclaw_init(&e, AS_SVC_EXP, 1.0, 1.0, NULL);
    as_mgc_service_law(&e, out);
}

void as_mgc_compound_shape(const as_svclaw *s, int c, double rho, as_latdist *out, double *work)
{
    as_latdist_clear(out);
    if (s->dist == AS_SVC_EXP) { /* exactly exponential, mean 1 */
        exp1_law(out);
        return;
    }
    /* E[W | W > 0] (c = 1: Pollaczek-Khinchine's, as written before the
     * compound of m_c joined, so the M/G/1 shapes keep their bits) */
    double es = c == 1 ? s->m2 / (2.0 * s->m1) : min_excess_mean(s, c); /* the summand's mean */
    double cm = c == 1 ? s->m2 / (2.0 * s->m1 * (1.0 - rho)) : es / (1.0 - rho);
    int n = grid_points(s, c);
    double h = cm / PER_MEAN;
    if (h > es) {
        /* beyond rho = 1 - 1/PER_MEAN the step would outgrow the summand (a
         * bounded one, all in cell 0 past rho 0.992, gave a shape of one
         * point): one summand mean a step, as many points, which reach
         * n (1 - rho) conditional means; below 12 (rho > 0.9938, or 0.998
         * for the 6400 points of a heavy X_1), the heavy-traffic limit of
         * both shapes, Exp(1) (Kingman): within 0.5 % of the shape's p99
         * for bounded laws there, 1.6 % for lognormal cv 3 at 0.998, and
         * no larger transform (which would double the cost of a run) */
        if (n * (1.0 - rho) < 12.0) {
            exp1_law(out);
            return;
        }
        h = es;
    }
    compound_pmf_fft(s, c, rho, h, n, work);
    const double *w = work;
    /* P(W = 0) = 1 - rho exactly; the rest of w_0 is waits below h/2
     * (placed at h/4). The conditional law is renormalised to mean 1, so
     * that the M/G/c mean wait is applied exactly. */
    double small = w[0] - (1.0 - rho), got = small > 0 ? small : 0.0;
    double mean = got * 0.25 * h;
    for (int k = 1; k < n; k++) {
        got += w[k];
        mean += w[k] * k * h;
    }
    double rest = rho - got > 0 ? rho - got : 0.0; /* beyond the grid */
    mean = (mean + rest * n * h) / rho;
    if (small > 0)
        as_latdist_add(out, 0.25 * h / mean, small / rho);
    for (int k = 1; k < n; k++)
        as_latdist_add(out, k * h / mean, w[k] / rho);
    if (rest > 0)
        as_latdist_add(out, n * h / mean, rest / rho);
    as_latdist_normalize(out);
}

void as_mgc_mg1_shape(const as_svclaw *s, double rho, as_latdist *out, double *work)
{
    as_mgc_compound_shape(s, 1, rho, out, work);
}

as_mgc_shapes *as_mgc_shapes_new(const as_svclaw *s, as_err *err)
{
    as_mgc_shapes *sh = calloc(1, sizeof *sh);
    if (sh == NULL)
        goto nomem;
    if (as_svclaw_init(&sh->s, s->dist, 1.0, s->cv, err) != AS_OK) {
        free(sh);
        return NULL;
    }
    /* every class's table at once, uncleared: calloc's pages of zeros cost
     * no memory until a shape is built on them (at most 170 KB a class in
     * use), and no allocation is left for the ticks */
    size_t n = s->dist == AS_SVC_EXP ? 1 : (size_t)(NCLASS * AS_MGC_NSHAPE);
    sh->tab = calloc(n, sizeof *sh->tab);
    if (sh->tab == NULL)
        goto nomem;
    if (s->dist == AS_SVC_EXP) {
        as_latdist_clear(&sh->tab[0]);
        return sh;
    }
    sh->work = malloc(FFT_MAX * sizeof *sh->work);
    if (sh->work == NULL)
        goto nomem;
    exp1_law(&sh->exp1);
    return sh;
nomem:
    as_mgc_shapes_free(sh);
    as_err_set(err, AS_ENOMEM, "out of memory (M/G/c shape table)");
    return NULL;
}

void as_mgc_shapes_free(as_mgc_shapes *sh)
{
    if (sh == NULL)
        return;
    free(sh->tab);
    free(sh->work);
    free(sh);
}

/* Table points of class k: X_1 every 0.1 of u, X_c every 0.2 (half the
 * builds, most of the cost of a run with a non-exponential law: the
 * sizing search meets nearly every load; the line between two points
 * 0.2 apart is within 0.8 % of the shape's p50 to p99.9 at rho <= 0.99,
 * 0.3 % for the points 0.1 apart). */
static int class_step(int k) { return k == 0 ? 1 : 2; }

/* The shape of class k (servers CLASS_C[k]) at its table point j (u =
 * 0.1 j class_step(k)), built on first use. */
static const as_latdist *class_shape(as_mgc_shapes *sh, int k, int j)
{
    int np = AS_MGC_NSHAPE / class_step(k);
    j = j < 0 ? 0 : j >= np ? np - 1 : j;
    int i = sh->s.dist == AS_SVC_EXP ? 0 : k * AS_MGC_NSHAPE + j; /* (exponential: Exp(1)) */
    if (!sh->built[i]) {
        double rho = j == 0 ? 1e-3 : -expm1(-0.1 * class_step(k) * j);
        as_mgc_compound_shape(&sh->s, CLASS_C[k], rho, &sh->tab[i], sh->work);
        sh->built[i] = true;
        sh->nbuilt++;
    }
    return &sh->tab[i];
}

const as_latdist *as_mgc_shape(as_mgc_shapes *sh, int j) { return class_shape(sh, 0, j); }

/* out += wt times class k's shape at load u (units of 0.1), linear between
 * the two table points around it (both mean 1). */
static void add_class(as_mgc_shapes *sh, int k, double u, double wt, as_latdist *out)
{
    double v = u / class_step(k);
    int j = (int)floor(v), np = AS_MGC_NSHAPE / class_step(k);
    if (j >= np - 1)
        j = np - 2;
    double f = v - j;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    as_latdist_axpy(out, wt * (1 - f), class_shape(sh, k, j));
    as_latdist_axpy(out, wt * f, class_shape(sh, k, j + 1));
}

double as_mgc_shape_weight(int c, double rho)
{
    double r = 1.0 - rho;
    return c <= 1 ? 1.0 : 1.0 / (1.0 + 4.0 * r * r * (c - 1));
}

void as_mgc_shape_at(as_mgc_shapes *sh, int c, double rho, as_latdist *out)
{
    double u = -log1p(-rho) / 0.1;
    as_latdist_clear(out);
    if (sh->s.dist == AS_SVC_EXP || c <= 1) { /* (the M/G/1 shape alone, as before) */
        add_class(sh, 0, u, 1.0, out);
        return;
    }
    double wa = as_mgc_shape_weight(c, rho);
    add_class(sh, 0, u, wa, out);
    /* the compound of m_c: the classes around c, linear in 1/c; above the
     * last, towards its limit Exp(1) (m_c c / m1 -> Exp(1)) */
    int k = 1;
    while (k < NCLASS - 1 && CLASS_C[k + 1] <= c)
        k++;
    double ic = 1.0 / c, lo = 1.0 / CLASS_C[k];
    double hi = k < NCLASS - 1 && CLASS_C[k] < c ? 1.0 / CLASS_C[k + 1] : 0.0;
    double g = c == CLASS_C[k] ? 1.0 : (ic - hi) / (lo - hi);
    add_class(sh, k, u, (1 - wa) * g, out);
    if (g < 1.0) {
        if (k < NCLASS - 1)
            add_class(sh, k + 1, u, (1 - wa) * (1 - g), out);
        else
            as_latdist_axpy(out, (1 - wa) * (1 - g), &sh->exp1);
    }
}

int as_mgc_shapes_built(const as_mgc_shapes *sh) { return sh->nbuilt; }
