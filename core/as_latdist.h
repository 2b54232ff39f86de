/* as_latdist.h - a latency distribution on a log-spaced grid: a
 * deterministic shift, an atom at the shift (mass `zero`) and point masses
 * m[k] at shift + x_k, x_k = AS_LD_X0 r^k, r = 10^(1/AS_LD_PER_DEC), from
 * 1 us to 1e6 s. It carries a tier's response-time law, mixtures of them
 * over an interval, and end-to-end laws (convolutions).
 * Owns: nothing beyond the struct (fixed size, 2.3 KB; no allocation). The
 * grid's tables are built once per process, thread-safely.
 * Invariants: masses are >= 0; lo..hi covers every non-zero point (lo > hi:
 * none). A mass off the grid is split between its two neighbours in
 * proportion to value, so the mean is kept exactly; a value above the grid
 * lands on its last point (a floor, which callers count as clamped).
 * Accuracy: 24 points per decade (10 % apart); the CDF is taken log-linear
 * inside a cell, so quantiles of smooth laws are within about 0.2 % of the
 * same computation at 32 per decade. The cost of a convolution is the
 * product of the occupied ranges (about 120 x 120 multiply-adds for a
 * tier's law).
 * Must not: allocate, print. */
#ifndef AS_LATDIST_H
#define AS_LATDIST_H

#define AS_LD_PER_DEC 24
#define AS_LD_X0 1e-6                  /* seconds at k = 0 */
#define AS_LD_N (12 * AS_LD_PER_DEC)   /* 1e-6 .. 1e6 s */
#define AS_LD_MAX 1e6                  /* top of the grid, s */

typedef struct as_latdist {
    double shift; /* every value is >= shift */
    double zero;  /* mass exactly at the shift */
    int lo, hi;   /* occupied grid range (lo > hi: none) */
    double m[AS_LD_N];
} as_latdist;

/* The value of grid point k (0 <= k < AS_LD_N). */
double as_latdist_x(int k);
/* Empty: no mass, shift 0. d must be zeroed once before its first use
 * (calloc, memset or = {0}); after that, clearing costs its occupied range. */
void as_latdist_clear(as_latdist *d);
/* dst = src (distinct), at the cost of their occupied ranges, not of the
 * whole grid (a struct copy is 2.3 KB). */
void as_latdist_copy(as_latdist *dst, const as_latdist *src);
/* Add mass w at value v >= 0 above the shift. */
void as_latdist_add(as_latdist *d, double v, double w);
/* out = a (+) b, the law of the sum of independent draws; out must alias
 * neither. Vectorised at 4 doubles where the processor runs AVX2, else 2
 * (8 on request), the same to the bit at every width. */
void as_latdist_conv(as_latdist *out, const as_latdist *a, const as_latdist *b);
/* out += w a (a mixture). When the shifts differ, the one with the larger
 * shift is moved into the grid (O(n) with a logarithm per point). */
void as_latdist_axpy(as_latdist *out, double w, const as_latdist *a);
/* out1 += w a and out2 += w a (distinct, neither a), the same to the bit
 * as the two calls, in one pass over a when both shifts allow it. */
void as_latdist_axpy2(as_latdist *out1, as_latdist *out2, double w, const as_latdist *a);
/* Lower d's shift to `shift` (<= d->shift): the difference moves into the grid. */
void as_latdist_rebase(as_latdist *d, double shift);
/* out = the law of k X, X ~ a (k > 0). */
void as_latdist_scale(as_latdist *out, const as_latdist *a, double k);
/* out = a (+) ... (+) a, k times (k = 0: a point at 0); tmp is scratch. */
void as_latdist_power(as_latdist *out, const as_latdist *a, int k, as_latdist *tmp);
/* Make convolutions use `lanes` doubles per instruction (2, 4 or 8; 0: the
 * default, 4 where the processor runs them, else 2) and return the width now in use,
 * or 0 (nothing changed) when the processor lacks it. For the tests, which
 * hold every width against the others; process-wide, not for threads that
 * convolve meanwhile. */
int as_latdist_lanes(int lanes);
double as_latdist_total(const as_latdist *d);
double as_latdist_mean(const as_latdist *d);
/* Divide every mass by the total (no-op when empty); returns the total
 * it divided by (as_latdist_total before). */
double as_latdist_normalize(as_latdist *d);
/* P(X > t) as a share of the total; NAN when empty. */
double as_latdist_tail(const as_latdist *d, double t);
/* The same with the total given (tot = as_latdist_total(d): a caller that
 * has it saves the second walk over d). */
double as_latdist_tail_tot(const as_latdist *d, double t, double tot);
/* p-quantile (0 <= p <= 1); NAN when empty. */
double as_latdist_quantile(const as_latdist *d, double p);
/* q[i] = the p[i]-quantile, for n ascending p, in one walk over d (each
 * the same to the bit as as_latdist_quantile's). */
void as_latdist_quantiles(const as_latdist *d, int n, const double *p, double *q);
/* Several laws at a time (n <= 3), their chains of additions in step: the
 * same to the bit as the one-law calls. d[c] distinct.
 * as_latdist_normalize_n: tot[c] = as_latdist_normalize(d[c]).
 * as_latdist_quantile_n: q[c] = as_latdist_quantile(d[c], p).
 * as_latdist_prune_n: as_latdist_prune(d[c], eps_lo, eps_hi) for each c. */
void as_latdist_normalize_n(as_latdist *const *d, int n, double *tot);
void as_latdist_quantile_n(as_latdist *const *d, int n, double p, double *q);
void as_latdist_prune_n(as_latdist *const *d, int n, double eps_lo, double eps_hi);
/* Fold the mass below the eps_lo quantile into the atom and the mass above
 * 1 - eps_hi onto the last point kept: shortens the range a convolution
 * runs over (eps_lo 1e-4 moves no percentile we read by more than 0.01 %). */
void as_latdist_prune(as_latdist *d, double eps_lo, double eps_hi);
/* Fold the mass at grid points below v (above the shift) into the atom
 * and the first point at or above v, split in proportion to value (as a
 * mass off the grid is): each value moves by less than v, the mean not at
 * all. Before convolving laws whose sum is far above v it cuts the points
 * the convolution runs over. No-op when no point lies below v or none at
 * or above it. */
void as_latdist_fold_below(as_latdist *d, double v);

#endif
