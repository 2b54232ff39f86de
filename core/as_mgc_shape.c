/* as_mgc_shape.c - the exact M/G/1 conditional wait X_rho (see as_mgc.h)
 * and its lazily built table.
 *
 * Pollaczek-Khinchine in Benes' form: W = S_e,1 + ... + S_e,N with
 * P(N = n) = (1 - rho) rho^n and S_e the equilibrium excess of S. On a
 * linear grid of step h (32 points per conditional mean, up to 60 means;
 * 200 for heavy laws, cs2 > 1.5), with q_j the mass of S_e in the cell
 * around jh, the law of W has the generating function
 *   w(z) = (1 - rho) / (1 - rho q(z)).
 * It is evaluated by an FFT of M >= 2n points on an exponentially tilted
 * grid (q_j theta^j, theta^M = e^-18): the tilt damps the wrap-around of
 * the mass beyond M (aliasing) to e^-18, and undoing it amplifies rounding
 * by at most e^9 at the far end, where the masses are below 1e-10 of the
 * law anyway. Cost O(M log M), under a millisecond for M = 16384; the
 * Panjer recursion (w_0 = (1 - rho)/(1 - rho q_0), w_k = rho sum_j q_j
 * w_{k-j} / (1 - rho q_0)) gives the same numbers in O(n^2), 20-200 ms
 * here, and is what the tests compare with. */
#include "as_mgc.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fft_complex.h>
#include <stdbool.h>
#include <stdlib.h>

#define PER_MEAN 32   /* grid points per conditional mean */
#define FFT_MAX 16384 /* largest transform */
#define TILT 18.0     /* theta^M = e^-TILT */

struct as_mgc_shapes {
    as_svclaw s;                       /* the law, mean 1 */
    as_latdist *tab;                   /* AS_MGC_NSHAPE laws (one for exponential) */
    bool built[AS_MGC_NSHAPE];
    int nbuilt;
    double *work;                      /* 2 * FFT_MAX doubles; NULL for exponential */
};

/* The grid: n points of step h for the law s at load rho. */
static int grid_points(const as_svclaw *s)
{
    return PER_MEAN * (s->scv > 1.5 ? 200 : 60);
}

/* w_j, j < n: the M/G/1 wait on the grid (w_0 holds the atom 1 - rho and
 * the waits rounded to 0); data = work, 2M doubles (complex, interleaved). */
static void mg1_pmf_fft(const as_svclaw *s, double rho, double h, int n, double *data)
{
    int M = 1;
    while (M < 2 * n)
        M <<= 1;
    double theta = exp(-TILT / M), tj = 1.0;
    double prev = 1.0; /* P(S_e > -h/2) */
    for (int j = 0; j < M; j++) {
        double q = 0.0;
        if (j < n) {
            double tl = as_svclaw_excess_tail(s, (j + 0.5) * h);
            q = prev - tl;
            prev = tl;
        }
        data[2 * j] = q * tj;
        data[2 * j + 1] = 0.0;
        tj *= theta;
    }
    gsl_fft_complex_radix2_forward(data, 1, (size_t)M);
    for (int k = 0; k < M; k++) {
        /* (1 - rho) / (1 - rho Q): complex division */
        double re = 1.0 - rho * data[2 * k], im = -rho * data[2 * k + 1];
        double den = re * re + im * im;
        data[2 * k] = (1.0 - rho) * re / den;
        data[2 * k + 1] = -(1.0 - rho) * im / den;
    }
    gsl_fft_complex_radix2_inverse(data, 1, (size_t)M);
    double itheta = 1.0 / theta, inv = 1.0;
    for (int j = 0; j < n; j++) {
        double w = data[2 * j] * inv;
        data[j] = w > 0 ? w : 0.0; /* (in place: j <= 2j) */
        inv *= itheta;
    }
}

void as_mgc_mg1_shape(const as_svclaw *s, double rho, as_latdist *out, double *work)
{
    as_latdist_clear(out);
    if (s->dist == AS_SVC_EXP) { /* exactly exponential, mean 1 */
        as_svclaw e;
        as_svclaw_init(&e, AS_SVC_EXP, 1.0, 1.0, NULL);
        as_mgc_service_law(&e, out);
        return;
    }
    double cm = s->m2 / (2.0 * s->m1 * (1.0 - rho)); /* E[W | W > 0] */
    int n = grid_points(s);
    double h = cm / PER_MEAN;
    mg1_pmf_fft(s, rho, h, n, work);
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

as_mgc_shapes *as_mgc_shapes_new(const as_svclaw *s, as_err *err)
{
    as_mgc_shapes *sh = calloc(1, sizeof *sh);
    if (sh == NULL)
        goto nomem;
    if (as_svclaw_init(&sh->s, s->dist, 1.0, s->cv, err) != AS_OK) {
        free(sh);
        return NULL;
    }
    int n = s->dist == AS_SVC_EXP ? 1 : AS_MGC_NSHAPE;
    sh->tab = calloc((size_t)n, sizeof *sh->tab);
    if (sh->tab == NULL)
        goto nomem;
    if (s->dist != AS_SVC_EXP) {
        sh->work = malloc(2 * FFT_MAX * sizeof *sh->work);
        if (sh->work == NULL)
            goto nomem;
    }
    for (int j = 0; j < n; j++)
        as_latdist_clear(&sh->tab[j]);
    return sh;
nomem:
    as_mgc_shapes_free(sh);
    as_err_set(err, AS_ENOMEM, "out of memory (M/G/1 shape table)");
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

const as_latdist *as_mgc_shape(as_mgc_shapes *sh, int j)
{
    if (sh->s.dist == AS_SVC_EXP)
        j = 0;
    else if (j < 0)
        j = 0;
    else if (j >= AS_MGC_NSHAPE)
        j = AS_MGC_NSHAPE - 1;
    if (!sh->built[j]) {
        double rho = j == 0 ? 1e-3 : -expm1(-0.1 * j);
        as_mgc_mg1_shape(&sh->s, rho, &sh->tab[j], sh->work);
        sh->built[j] = true;
        sh->nbuilt++;
    }
    return &sh->tab[j];
}

int as_mgc_shapes_built(const as_mgc_shapes *sh) { return sh->nbuilt; }
