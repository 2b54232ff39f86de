/* as_latdist.c - log-grid latency distributions (see as_latdist.h).
 *
 * Sums of grid points: for i >= j, x_i + x_j = x_i (1 + r^-(i-j)), so the
 * landing point depends on the distance d = i - j only: it lies between
 * i + off[d] and i + off[d] + 1, with the upper share wup[d] (by value, so
 * the mean is kept). Both tables are built once. Looping over d outermost
 * makes the inner loop a contiguous multiply-add that the compiler
 * vectorises; a transform method was not chosen (see README, "End-to-end
 * latency"). */
#include "as_latdist.h"
#include "as_latdist_int.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

static double gx[AS_LD_N + 1]; /* grid values */
int as_ld_off[AS_LD_N + 1];     /* landing offset of x_i (1 + r^-d) */
double as_ld_wup[AS_LD_N + 1];  /* share of the upper neighbour */
static double lnr, r_;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static as_ld_pairs_fn *conv_pairs; /* the convolution's pairs (set with the tables) */
static as_ld_axpy_fn *axpy_rows;   /* the mixtures' rows (set with conv_pairs) */
static as_ld_scale_fn *scale_rows; /* m[lo..hi] *= s (set with conv_pairs) */

static void build_tables(void)
{
    as_ld_kernels(0, &conv_pairs, &axpy_rows, &scale_rows);
    r_ = pow(10.0, 1.0 / AS_LD_PER_DEC);
    lnr = log(r_);
    for (int k = 0; k <= AS_LD_N; k++)
        gx[k] = AS_LD_X0 * pow(r_, k);
    for (int d = 0; d <= AS_LD_N; d++) {
        double v = 1.0 + pow(r_, -d); /* relative to x_i */
        int o = (int)floor(log(v) / lnr + 1e-12);
        double lo = pow(r_, o), hi = pow(r_, o + 1);
        as_ld_off[d] = o;
        as_ld_wup[d] = (v - lo) / (hi - lo);
        if (as_ld_wup[d] < 0)
            as_ld_wup[d] = 0;
    }
}

static inline void tables(void) { pthread_once(&once, build_tables); }

double as_latdist_x(int k)
{
    tables();
    return gx[k];
}

void as_latdist_clear(as_latdist *d)
{
    if (d->lo <= d->hi)
        memset(d->m + d->lo, 0, (size_t)(d->hi - d->lo + 1) * sizeof(double));
    d->shift = 0;
    d->zero = 0;
    d->lo = AS_LD_N;
    d->hi = -1;
}

void as_latdist_copy(as_latdist *dst, const as_latdist *src)
{
    as_latdist_clear(dst);
    dst->shift = src->shift;
    dst->zero = src->zero;
    dst->lo = src->lo;
    dst->hi = src->hi;
    if (src->lo <= src->hi)
        memcpy(dst->m + src->lo, src->m + src->lo, (size_t)(src->hi - src->lo + 1) * sizeof(double));
}

static inline void put(as_latdist *d, int k, double w)
{
    if (k < 0)
        k = 0;
    if (k >= AS_LD_N)
        k = AS_LD_N - 1;
    d->m[k] += w;
    if (k < d->lo)
        d->lo = k;
    if (k > d->hi)
        d->hi = k;
}

void as_latdist_add(as_latdist *d, double v, double w)
{
    if (!(w != 0))
        return;
    tables();
    if (!(v > AS_LD_X0 * 0.5)) { /* below the grid (or NaN): at the shift */
        d->zero += w;
        return;
    }
    if (v <= AS_LD_X0) {
        put(d, 0, w);
        return;
    }
    double u = log(v / AS_LD_X0) / lnr;
    if (!(u < AS_LD_N - 1)) { /* at or over the top: a floor there */
        put(d, AS_LD_N - 1, w);
        return;
    }
    int k = (int)u;
    double f = (v - gx[k]) / (gx[k + 1] - gx[k]);
    put(d, k, w * (1 - f));
    put(d, k + 1, w * f);
}


int as_latdist_lanes(int want)
{
    tables();
    return as_ld_kernels(want, &conv_pairs, &axpy_rows, &scale_rows);
}

/* o += z x point by point (x's range inside the grid). */
static void atom_times(as_latdist *o, double z, const as_latdist *x)
{
    axpy_rows(o->m, NULL, x->m, z, x->lo, x->hi); /* (om[k] += z xm[k], vectorised) */
    if (x->lo < o->lo)
        o->lo = x->lo;
    if (x->hi > o->hi)
        o->hi = x->hi;
}

void as_latdist_conv(as_latdist *o, const as_latdist *a, const as_latdist *b)
{
    tables();
    as_latdist_clear(o);
    o->shift = a->shift + b->shift;
    o->zero = a->zero * b->zero;
    /* the atoms' products, a vectorised loop per side: a point whose mass
     * is 0 gets 0 added (no change), and the range is trimmed below */
    if (a->zero != 0 && b->lo <= b->hi)
        atom_times(o, a->zero, b);
    if (b->zero != 0 && a->lo <= a->hi)
        atom_times(o, b->zero, a);
    if (a->lo <= a->hi && b->lo <= b->hi)
        conv_pairs(o, a, b);
    while (o->lo <= o->hi && o->m[o->lo] == 0)
        o->lo++;
    while (o->hi >= o->lo && o->m[o->hi] == 0)
        o->hi--;
    if (o->lo > o->hi) {
        o->lo = AS_LD_N;
        o->hi = -1;
    }
}

void as_latdist_rebase(as_latdist *d, double shift)
{
    double ds = d->shift - shift;
    if (!(ds > 0))
        return;
    tables();
    /* move the points from the top down: a point lands at or above where it
     * was, so no moved mass is met again */
    double z = d->zero;
    int lo = d->lo, hi = d->hi;
    d->zero = 0;
    d->shift = shift;
    for (int k = hi; k >= lo; k--) {
        double w = d->m[k];
        if (w == 0)
            continue;
        d->m[k] = 0;
        as_latdist_add(d, gx[k] + ds, w);
    }
    as_latdist_add(d, ds, z);
}

static void widen(as_latdist *o, int lo, int hi)
{
    if (lo < o->lo)
        o->lo = lo;
    if (hi > o->hi)
        o->hi = hi;
}

/* o1 += w a and, when o2 is not NULL, o2 += w a, with equal shifts: what a
 * put() per point does, with the range found once (the flush of every slot
 * runs this over each law its ticks used, into the record's and the slot's
 * mixtures). No test for zero masses: adding w 0 leaves a mass as it was.
 * Two doubles a vector (SSE2, which every x86-64 has; -O2 does not
 * vectorise a loop of unknown length): each lane computes o + w a as the
 * scalar loop does, so the sums are the same to the bit; one pass over a
 * for both outputs. */
static void axpy_same(as_latdist *o1, as_latdist *o2, double w, const as_latdist *a)
{
    o1->zero += w * a->zero;
    if (o2)
        o2->zero += w * a->zero;
    int lo = a->lo, hi = a->hi;
    while (lo <= hi && a->m[lo] == 0)
        lo++;
    while (hi >= lo && a->m[hi] == 0)
        hi--;
    if (lo > hi)
        return;
    tables();
    axpy_rows(o1->m, o2 ? o2->m : NULL, a->m, w, lo, hi);
    widen(o1, lo, hi);
    if (o2)
        widen(o2, lo, hi);
}

/* Whether out += w a would take the equal-shift path (after an empty out
 * takes a's shift). */
static int same_shift(const as_latdist *o, const as_latdist *a)
{
    return (o->lo > o->hi && o->zero == 0) || o->shift == a->shift;
}

void as_latdist_axpy2(as_latdist *o1, as_latdist *o2, double w, const as_latdist *a)
{
    if (!same_shift(o1, a) || !same_shift(o2, a)) {
        as_latdist_axpy(o1, w, a);
        as_latdist_axpy(o2, w, a);
        return;
    }
    if (o1->lo > o1->hi && o1->zero == 0)
        o1->shift = a->shift;
    if (o2->lo > o2->hi && o2->zero == 0)
        o2->shift = a->shift;
    axpy_same(o1, o2, w, a);
}

void as_latdist_axpy(as_latdist *o, double w, const as_latdist *a)
{
    if (o->lo > o->hi && o->zero == 0) /* empty: take a's shift */
        o->shift = a->shift;
    if (a->shift < o->shift)
        as_latdist_rebase(o, a->shift);
    if (a->shift == o->shift) {
        axpy_same(o, NULL, w, a);
        return;
    }
    tables();
    double ds = a->shift - o->shift; /* > 0: a's points move into the grid */
    as_latdist_add(o, ds, w * a->zero);
    for (int k = a->lo; k <= a->hi; k++)
        if (a->m[k] != 0)
            as_latdist_add(o, gx[k] + ds, w * a->m[k]);
}

void as_latdist_scale(as_latdist *o, const as_latdist *a, double s)
{
    tables();
    as_latdist_clear(o);
    o->shift = a->shift * s;
    o->zero = a->zero;
    double u = log(s) / lnr;
    int ki = (int)floor(u);
    double f = (pow(r_, u - ki) - 1.0) / (r_ - 1.0); /* value share of the upper point */
    for (int k = a->lo; k <= a->hi; k++) {
        double w = a->m[k];
        if (w == 0)
            continue;
        int t = k + ki;
        if (t < 0) {
            o->zero += w; /* far below the grid */
            continue;
        }
        put(o, t, w * (1 - f));
        put(o, t + 1, w * f);
    }
}

void as_latdist_power(as_latdist *o, const as_latdist *a, int k, as_latdist *tmp)
{
    as_latdist_clear(o);
    o->zero = 1.0; /* k = 0: a point at 0 */
    for (int i = 0; i < k; i++) {
        *tmp = *o;
        as_latdist_conv(o, tmp, a);
    }
}

double as_latdist_total(const as_latdist *d)
{
    double s = d->zero;
    for (int k = d->lo; k <= d->hi; k++)
        s += d->m[k];
    return s;
}

double as_latdist_mean(const as_latdist *d)
{
    tables();
    double s = 0, t = d->zero;
    for (int k = d->lo; k <= d->hi; k++) {
        s += d->m[k] * gx[k];
        t += d->m[k];
    }
    return t > 0 ? d->shift + s / t : NAN;
}

double as_latdist_normalize(as_latdist *d)
{
    double t = as_latdist_total(d);
    if (!(t > 0))
        return t;
    double inv = 1.0 / t;
    d->zero *= inv;
    tables();
    scale_rows(d->m, inv, d->lo, d->hi); /* (a lane multiplies as the scalar loop does) */
    return t;
}

/* The mass at x_k stands for the cell (x_{k-1/2}, x_{k+1/2}]: the CDF is
 * linear in log t across a cell (second-order quantiles for smooth laws). */
double as_latdist_tail(const as_latdist *d, double t)
{
    return as_latdist_tail_tot(d, t, as_latdist_total(d));
}

double as_latdist_tail_tot(const as_latdist *d, double t, double tot)
{
    if (!(tot > 0))
        return NAN;
    tables();
    double x = t - d->shift;
    if (x < 0)
        return 1.0;
    double above = 0;
    double u = x > 0 ? log(x / AS_LD_X0) / lnr : -1e9;
    for (int k = d->hi; k >= d->lo; k--) {
        double lo = k - 0.5, hi = k + 0.5;
        if (u >= hi)
            break;
        above += u <= lo ? d->m[k] : d->m[k] * (hi - u);
    }
    return above / tot;
}

double as_latdist_quantile(const as_latdist *d, double p)
{
    double tot = as_latdist_total(d);
    if (!(tot > 0))
        return NAN;
    tables();
    double target = p * tot, cum = d->zero;
    if (cum >= target)
        return d->shift;
    for (int k = d->lo; k <= d->hi; k++) {
        double m = d->m[k];
        if (m > 0 && cum + m >= target) {
            double f = (target - cum) / m; /* position within the cell */
            return d->shift + AS_LD_X0 * exp(lnr * (k - 0.5 + f));
        }
        cum += m;
    }
    return d->shift + gx[d->hi > 0 ? d->hi : 0];
}

void as_latdist_quantiles(const as_latdist *d, int n, const double *p, double *q)
{
    /* as_latdist_quantile walks the running sum zero + m[lo] + ... twice
     * (the total, then up to each p): the same additions in the same order,
     * each waiting for the last. Here the walk is done once, its partial
     * sums kept: P[k + 1] is the sum through m[k], bit for bit what the
     * other walk compares with p tot, so each answer is the same to the
     * bit. P never falls, and the first k with P[k + 1] >= p tot has
     * P[k] < p tot, so m[k] > 0 there (adding 0 leaves a sum as it was). */
    double P[AS_LD_N + 1];
    int lo = d->lo, hi = d->hi;
    double cum = d->zero;
    for (int k = lo; k <= hi; k++) {
        P[k] = cum;
        cum += d->m[k];
    }
    double tot = cum;
    if (lo <= hi)
        P[hi + 1] = tot;
    if (!(tot > 0)) {
        for (int i = 0; i < n; i++)
            q[i] = NAN;
        return;
    }
    for (int i = 0; i < n; i++)
        q[i] = as_ld_quantile_at(d, P, p[i] * tot);
}

double as_ld_quantile_at(const as_latdist *d, const double *P, double target)
{
    int lo = d->lo, hi = d->hi;
    tables();
    if (d->zero >= target)
        return d->shift;
    if (!(lo <= hi && P[hi + 1] >= target)) /* (rounding: p = 1) */
        return d->shift + gx[hi > 0 ? hi : 0];
    int a = lo, b = hi; /* the first k in [a, b] with P[k + 1] >= target */
    while (a < b) {
        int mid = a + (b - a) / 2;
        if (P[mid + 1] >= target)
            b = mid;
        else
            a = mid + 1;
    }
    double f = (target - P[a]) / d->m[a]; /* position within the cell */
    return d->shift + AS_LD_X0 * exp(lnr * (a - 0.5 + f));
}

void as_latdist_prune(as_latdist *d, double eps_lo, double eps_hi)
{
    double tot = as_latdist_total(d), acc = 0;
    /* low end: the mass below the eps_lo quantile goes to the atom at the
     * shift (it moves by less than that quantile's value) */
    while (d->lo < d->hi && acc + d->m[d->lo] < eps_lo * tot) {
        acc += d->m[d->lo];
        d->m[d->lo] = 0;
        d->lo++;
    }
    d->zero += acc;
    acc = 0;
    while (d->hi > d->lo && acc + d->m[d->hi] < eps_hi * tot) {
        acc += d->m[d->hi];
        d->m[d->hi] = 0;
        d->hi--;
    }
    if (d->lo <= d->hi)
        d->m[d->hi] += acc;
}

void as_latdist_fold_below(as_latdist *d, double v)
{
    tables();
    /* the first k in lo..hi + 1 with gx[k] >= v (hi + 1: none), by
     * bisection: gx rises (a walk from lo was a third of the fold) */
    int k = d->lo, b = d->hi + 1;
    while (k < b) {
        int mid = k + (b - k) / 2;
        if (gx[mid] < v)
            k = mid + 1;
        else
            b = mid;
    }
    if (k == d->lo || k > d->hi) /* nothing below v, or nothing above it */
        return;
    double acc = 0, s = 0;
    for (int i = d->lo; i < k; i++) {
        acc += d->m[i];
        s += d->m[i] * gx[i];
        d->m[i] = 0;
    }
    double up = s / gx[k]; /* <= acc: every value folded is below gx[k] */
    d->zero += acc - up;
    d->m[k] += up;
    d->lo = k;
}
