/* as_latdist_int.h - internal to core/as_latdist*.c: the grid's landing
 * tables, a quantile from running sums, and the vectorised kernels (convolution
 * pairs, mixtures' rows, scaling), chosen by vector width.
 * Owns: nothing. Must not: be included outside core/as_latdist*.c. */
#ifndef AS_LATDIST_INT_H
#define AS_LATDIST_INT_H

#include "as_latdist.h"

/* x_i + x_(i-d) lands between i + as_ld_off[d] and the point above it,
 * with the upper share as_ld_wup[d] (built once, in as_latdist.c) */
extern int as_ld_off[AS_LD_N + 1];
extern double as_ld_wup[AS_LD_N + 1];

/* The target-quantile of d from its running sums P (P[k] = zero + m[lo]
 * + ... + m[k - 1], P[hi + 1] the total; target = p x total > 0). */
double as_ld_quantile_at(const as_latdist *d, const double *P, double target);

/* o += every pair of a's and b's grid points (both non-empty) */
typedef void as_ld_pairs_fn(as_latdist *o, const as_latdist *a, const as_latdist *b);
/* m1[k] += w am[k] (and m2[k] when not NULL), k in lo..hi */
typedef void as_ld_axpy_fn(double *restrict m1, double *restrict m2, const double *restrict am,
                           double w, int lo, int hi);
/* m[k] *= s, k in lo..hi */
typedef void as_ld_scale_fn(double *m, double s, int lo, int hi);

/* Set the three kernels to `want` lanes (0: the default) and return the
 * width, or return 0 and change nothing when the processor lacks it. */
int as_ld_kernels(int want, as_ld_pairs_fn **pairs, as_ld_axpy_fn **axpy, as_ld_scale_fn **scale);

#endif
