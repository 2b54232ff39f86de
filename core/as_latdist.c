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

#include <math.h>
#include <pthread.h>
#include <string.h>

static double gx[AS_LD_N + 1];  /* grid values */
static int off_[AS_LD_N + 1];   /* landing offset of x_i (1 + r^-d) */
static double wup_[AS_LD_N + 1]; /* share of the upper neighbour */
static double lnr, r_;
static pthread_once_t once = PTHREAD_ONCE_INIT;

typedef void conv_d_fn(double *restrict m, const double *restrict xm, const double *restrict ym,
                       int ilo, int ihi, double wl, double wu);
typedef void conv_pairs_fn(as_latdist *o, const as_latdist *a, const as_latdist *b);

static conv_pairs_fn *conv_pairs_pick(void);
static conv_pairs_fn *conv_pairs; /* the convolution's pairs (set with the tables) */
typedef void axpy_rows_fn(double *restrict m1, double *restrict m2, const double *restrict am,
                          double w, int lo, int hi);
static axpy_rows_fn *axpy_rows; /* the mixtures' rows (set with conv_pairs) */
typedef void scale_rows_fn(double *m, double s, int lo, int hi);
static scale_rows_fn *scale_rows; /* m[lo..hi] *= s (set with conv_pairs) */
static axpy_rows_fn *axpy_rows_for(conv_pairs_fn *f);
static scale_rows_fn *scale_rows_for(conv_pairs_fn *f);

static void build_tables(void)
{
    conv_pairs = conv_pairs_pick();
    axpy_rows = axpy_rows_for(conv_pairs);
    scale_rows = scale_rows_for(conv_pairs);
    r_ = pow(10.0, 1.0 / AS_LD_PER_DEC);
    lnr = log(r_);
    for (int k = 0; k <= AS_LD_N; k++)
        gx[k] = AS_LD_X0 * pow(r_, k);
    for (int d = 0; d <= AS_LD_N; d++) {
        double v = 1.0 + pow(r_, -d); /* relative to x_i */
        int o = (int)floor(log(v) / lnr + 1e-12);
        double lo = pow(r_, o), hi = pow(r_, o + 1);
        off_[d] = o;
        wup_[d] = (v - lo) / (hi - lo);
        if (wup_[d] < 0)
            wup_[d] = 0;
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

/* The pairs of a and b's grid points, into o (already holding the atoms'
 * products). For a distance d, the pair (i, i - d) puts wl p_i on
 * i + off[d] and wu p_i on i + off[d] + 1, p_i = x_i y_(i-d); point
 * k = i + off[d] then gets wl p_i + wu p_(i-1): one write per point and
 * iteration, no dependency between iterations, so the loop vectorises.
 * A landing beyond the grid goes onto its last point. */
/* Two doubles: the SSE2 width every x86-64 has (gcc and clang). */
typedef double v2d __attribute__((vector_size(16)));

#define LOAD2(v, p) memcpy(&(v), (p), sizeof(v))

/* k runs over ilo .. ihi + 1 (relative to m = o->m + off[d]); written with
 * vector extensions because -O2 does not vectorise a loop of unknown length
 * (it is most of an end-to-end convolution's time). Every lane computes
 * m += wl (x y) + wu (x' y') as the scalar tail does, and the build keeps
 * multiplies and adds apart (ISO C mode: no contraction into fused
 * multiply-adds), so the result is the same to the bit at any width: the
 * width only changes how many points one instruction does. V is the vector
 * type, N its lanes; two vectors per iteration. */
#define CONV_D_BODY(V, N)                                                                      \
    m[ilo] += wl * xm[ilo] * ym[ilo];                                                          \
    int i = ilo + 1;                                                                           \
    V vl = CONV_BCAST##N(wl), vu = CONV_BCAST##N(wu);                                          \
    V carry = vl;                                                                              \
    carry[(N)-1] = xm[i - 1] * ym[i - 1];                                                      \
    for (; i + 2 * (N)-1 <= ihi; i += 2 * (N)) {                                               \
        V a0, b0, a1, b1, m0, m1;                                                              \
        LOAD2(m0, m + i);                                                                      \
        LOAD2(m1, m + i + (N));                                                                \
        LOAD2(a0, xm + i);                                                                     \
        LOAD2(b0, ym + i);                                                                     \
        LOAD2(a1, xm + i + (N));                                                               \
        LOAD2(b1, ym + i + (N));                                                               \
        V p0 = a0 * b0, p1 = a1 * b1;                                                          \
        V q0 = CONV_D_SHIFT(carry, p0, N), q1 = CONV_D_SHIFT(p0, p1, N);                       \
        carry = p1;                                                                            \
        m0 += vl * p0 + vu * q0;                                                               \
        m1 += vl * p1 + vu * q1;                                                               \
        memcpy(m + i, &m0, sizeof m0);                                                         \
        memcpy(m + i + (N), &m1, sizeof m1);                                                   \
    }                                                                                          \
    CONV_D_TAIL(V, N)                                                                          \
    for (; i <= ihi; i++)                                                                      \
        m[i] += wl * (xm[i] * ym[i]) + wu * (xm[i - 1] * ym[i - 1]);                           \
    m[ihi + 1] += wu * xm[ihi] * ym[ihi];

/* x in every lane, spelt out: a loop setting the lanes one by one built
 * the vector with 2-4 shuffles a row where one broadcast does (the rows
 * are some 26 points long, so their set-up counts). */
#define CONV_BCAST2(x) {(x), (x)}
#define CONV_BCAST4(x) {(x), (x), (x), (x)}
#define CONV_BCAST8(x) {(x), (x), (x), (x), (x), (x), (x), (x)}

/* One vector of N lanes where at least N points are left: the rows of a
 * convolution are 10-150 points long, so without it up to 2N - 1 points of
 * each row went through the scalar loop. */
#define CONV_D_STEP(V, N)                                                                      \
    if (i + (N)-1 <= ihi) {                                                                    \
        V a0, b0, c0, d0, m0, vl0 = CONV_BCAST##N(wl), vu0 = CONV_BCAST##N(wu);                \
        LOAD2(m0, m + i);                                                                      \
        LOAD2(a0, xm + i);                                                                     \
        LOAD2(b0, ym + i);                                                                     \
        LOAD2(c0, xm + i - 1);                                                                 \
        LOAD2(d0, ym + i - 1);                                                                 \
        m0 += vl0 * (a0 * b0) + vu0 * (c0 * d0);                                               \
        memcpy(m + i, &m0, sizeof m0);                                                         \
        i += (N);                                                                              \
    }

/* The products one point back, (a, b) = (x_i y_i) of two consecutive
 * vectors: the last lane of a, then b's but its last. The same values as
 * multiplying x_(i-1) y_(i-1) again (which the loop did before): one
 * multiply and two loads fewer per vector. */
typedef long long v2l __attribute__((vector_size(16)));
typedef long long v4l __attribute__((vector_size(32)));
typedef long long v8l __attribute__((vector_size(64)));
#if defined(__clang__) /* the fuzzers' compiler: the same shuffle, its own spelling */
#define CONV_D_SHIFT2(a, b) __builtin_shufflevector((a), (b), 1, 2)
#define CONV_D_SHIFT4(a, b) __builtin_shufflevector((a), (b), 3, 4, 5, 6)
#define CONV_D_SHIFT8(a, b) __builtin_shufflevector((a), (b), 7, 8, 9, 10, 11, 12, 13, 14)
#else
#define CONV_D_SHIFT2(a, b) __builtin_shuffle((a), (b), (v2l){1, 2})
#define CONV_D_SHIFT4(a, b) __builtin_shuffle((a), (b), (v4l){3, 4, 5, 6})
#define CONV_D_SHIFT8(a, b) __builtin_shuffle((a), (b), (v8l){7, 8, 9, 10, 11, 12, 13, 14})
#endif
#define CONV_D_SHIFT(a, b, N) CONV_D_SHIFT##N(a, b)

/* Every pair of a's and b's grid points into o, a row (one distance d) at
 * a time through row, which each width's conv_pairs below inlines: the
 * rows are 10-150 points long and some 140 a convolution, so a call per
 * row (seven arguments, the vector constants set up again) was a sixth of
 * a convolution's instructions. inside (a constant where inlined): no row
 * lands beyond the grid (x_i + y_j <= 2 max(x_i, y_j) lands at most
 * off[0] + 1 above the larger index), so a row needs neither the cut at
 * the grid's top nor its own range bookkeeping: o's range is set once
 * from bounds that hold every landing (the caller trims it to the points
 * that have mass). Per row that was 25 of some 200 instructions, and
 * nearly every convolution is inside; the sums are the same, in the same
 * order, so the bits are too. */
static inline __attribute__((always_inline)) void conv_rows(conv_d_fn *row, as_latdist *o,
                                                            const as_latdist *a,
                                                            const as_latdist *b, int inside)
{
    double *m = o->m;
    for (int pass = 0; pass < 2; pass++) {
        const as_latdist *x = pass ? b : a, *y = pass ? a : b; /* x holds the larger index */
        int d0 = x->lo - y->hi > pass ? x->lo - y->hi : pass; /* below it no pair */
        for (int d = d0; d <= x->hi - y->lo; d++) {
            int ilo = x->lo > y->lo + d ? x->lo : y->lo + d;
            int ihi = x->hi < y->hi + d ? x->hi : y->hi + d;
            if (ilo > ihi)
                continue;
            int o0 = off_[d];
            if (inside) {
                row(m + o0, x->m, y->m - d, ilo, ihi, 1.0 - wup_[d], wup_[d]);
                continue;
            }
            int top = AS_LD_N - 2 - o0; /* last i landing inside */
            int iend = ihi < top ? ihi : top;
            if (ilo <= iend)
                row(m + o0, x->m, y->m - d, ilo, iend, 1.0 - wup_[d], wup_[d]);
            for (int i = iend + 1 > ilo ? iend + 1 : ilo; i <= ihi; i++)
                m[AS_LD_N - 1] += x->m[i] * y->m[i - d];
            int hi = ihi + o0 + 1 < AS_LD_N ? ihi + o0 + 1 : AS_LD_N - 1;
            if (ilo + o0 < o->lo)
                o->lo = ilo + o0 < AS_LD_N ? ilo + o0 : AS_LD_N - 1;
            if (hi > o->hi)
                o->hi = hi;
        }
    }
}

static inline __attribute__((always_inline)) void conv_pairs_with(conv_d_fn *row, as_latdist *o,
                                                                   const as_latdist *a,
                                                                   const as_latdist *b)
{
    int top = a->hi > b->hi ? a->hi : b->hi, bot = a->lo > b->lo ? a->lo : b->lo;
    if (top + off_[0] + 1 <= AS_LD_N - 1) {
        /* every landing i + off[d] (+ 1) lies in [max lo, max hi + off[0] + 1] */
        conv_rows(row, o, a, b, 1);
        if (bot < o->lo)
            o->lo = bot;
        if (top + off_[0] + 1 > o->hi)
            o->hi = top + off_[0] + 1;
    } else {
        conv_rows(row, o, a, b, 0);
    }
}

#define CONV_D_TAIL(V, N) CONV_D_STEP(V, N)
static inline __attribute__((always_inline)) void conv_d2(double *restrict m,
                                                          const double *restrict xm,
                                                          const double *restrict ym, int ilo,
                                                          int ihi, double wl, double wu)
{
    CONV_D_BODY(v2d, 2)
}

static void conv_pairs2(as_latdist *o, const as_latdist *a, const as_latdist *b)
{
    conv_pairs_with(conv_d2, o, a, b);
}

/* Where the processor has them (chosen once, in build_tables), 4 and 8
 * lanes: the convolutions of a week at 1 s ticks on three tiers (two a
 * slot, 20160 of them) are a third of its time. Not taken: -march=native
 * for the whole build (a binary that runs only where it was built) or GCC's
 * target_clones (an ifunc per call; the pointer here is read once per
 * convolution). */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define AS_LD_WIDE 1
typedef double v4d __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));

#undef CONV_D_TAIL
#define CONV_D_TAIL(V, N) CONV_D_STEP(V, N) CONV_D_STEP(v2d, 2)
__attribute__((target("avx2"), always_inline)) static inline void
conv_d4(double *restrict m, const double *restrict xm, const double *restrict ym, int ilo, int ihi,
        double wl, double wu)
{
    CONV_D_BODY(v4d, 4)
}

__attribute__((target("avx2"))) static void conv_pairs4(as_latdist *o, const as_latdist *a,
                                                        const as_latdist *b)
{
    conv_pairs_with(conv_d4, o, a, b);
}

#undef CONV_D_TAIL
#define CONV_D_TAIL(V, N) CONV_D_STEP(V, N) CONV_D_STEP(v4d, 4) CONV_D_STEP(v2d, 2)
__attribute__((target("avx512f"), always_inline)) static inline void
conv_d8(double *restrict m, const double *restrict xm, const double *restrict ym, int ilo, int ihi,
        double wl, double wu)
{
    CONV_D_BODY(v8d, 8)
}

__attribute__((target("avx512f"))) static void conv_pairs8(as_latdist *o, const as_latdist *a,
                                                           const as_latdist *b)
{
    conv_pairs_with(conv_d8, o, a, b);
}
#endif

/* The default width (0 asks for it) or `want` lanes if the processor runs
 * them; NULL when it does not. The default is 4 lanes where AVX2 runs, not
 * the 8 of AVX-512F: the rows are some 26 points long, so 8 lanes leave
 * most of a row to the 4- and 2-lane tails, and on a Zen 4 the slot's two
 * end-to-end convolutions took 1.91 us at 8 lanes, 1.72 us at 4 (the
 * bits are the same at every width). */
static conv_pairs_fn *conv_pairs_of(int want)
{
#ifdef AS_LD_WIDE
    __builtin_cpu_init();
    if (want == 8 && __builtin_cpu_supports("avx512f"))
        return conv_pairs8;
    if ((want == 0 || want == 4) && __builtin_cpu_supports("avx2"))
        return conv_pairs4;
#endif
    return want == 0 || want == 2 ? conv_pairs2 : NULL;
}

static conv_pairs_fn *conv_pairs_pick(void) { return conv_pairs_of(0); }


int as_latdist_lanes(int want)
{
    tables();
    conv_pairs_fn *f = conv_pairs_of(want);
    if (f == NULL)
        return 0;
    conv_pairs = f;
    axpy_rows = axpy_rows_for(f);
    scale_rows = scale_rows_for(f);
#ifdef AS_LD_WIDE
    if (f == conv_pairs8)
        return 8;
    if (f == conv_pairs4)
        return 4;
#endif
    return 2;
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

/* m1[k] += w am[k] (and m2[k], when not NULL) for k in lo..hi, N doubles
 * a vector: each lane computes what the scalar tail does, so the sums are
 * the same to the bit at every width. */
#define AXPY_ROWS_BODY(V, N)                                                                   \
    V vw = CONV_BCAST##N(w);                                                                   \
    int k = lo;                                                                                \
    if (m2) {                                                                                  \
        for (; k + (N)-1 <= hi; k += (N)) {                                                    \
            V x, y1, y2;                                                                       \
            LOAD2(x, am + k);                                                                  \
            LOAD2(y1, m1 + k);                                                                 \
            LOAD2(y2, m2 + k);                                                                 \
            V p = vw * x;                                                                      \
            y1 += p;                                                                           \
            y2 += p;                                                                           \
            memcpy(m1 + k, &y1, sizeof y1);                                                    \
            memcpy(m2 + k, &y2, sizeof y2);                                                    \
        }                                                                                      \
        for (; k <= hi; k++) {                                                                 \
            double p = w * am[k];                                                              \
            m1[k] += p;                                                                        \
            m2[k] += p;                                                                        \
        }                                                                                      \
    } else {                                                                                   \
        for (; k + (N)-1 <= hi; k += (N)) {                                                    \
            V x, y;                                                                            \
            LOAD2(x, am + k);                                                                  \
            LOAD2(y, m1 + k);                                                                  \
            y += vw * x;                                                                       \
            memcpy(m1 + k, &y, sizeof y);                                                      \
        }                                                                                      \
        for (; k <= hi; k++)                                                                   \
            m1[k] += w * am[k];                                                                \
    }

static void axpy_rows2(double *restrict m1, double *restrict m2, const double *restrict am,
                       double w, int lo, int hi)
{
    AXPY_ROWS_BODY(v2d, 2)
}

#ifdef AS_LD_WIDE
/* 4 lanes where the processor has them (chosen with the convolution's
 * width): the flushes' mixtures were 3 % of a week of week3tier.ini */
__attribute__((target("avx2"))) static void axpy_rows4(double *restrict m1, double *restrict m2,
                                                      const double *restrict am, double w,
                                                      int lo, int hi)
{
    AXPY_ROWS_BODY(v4d, 4)
}
#endif

/* 2 lanes with the SSE2 convolution, else 4 (AVX2 is there: every
 * processor with AVX-512F has it) */
static axpy_rows_fn *axpy_rows_for(conv_pairs_fn *f)
{
#ifdef AS_LD_WIDE
    if (f != conv_pairs2)
        return axpy_rows4;
#endif
    (void)f;
    return axpy_rows2;
}

/* m[k] *= s for k in lo..hi, N doubles a vector (each lane the scalar
 * product): the slots' normalisation, 2 % of a week of week3tier.ini */
#define SCALE_ROWS_BODY(V, N)                                                                  \
    V vs = CONV_BCAST##N(s);                                                                   \
    int k = lo;                                                                                \
    for (; k + (N)-1 <= hi; k += (N)) {                                                        \
        V x;                                                                                   \
        LOAD2(x, m + k);                                                                       \
        x *= vs;                                                                               \
        memcpy(m + k, &x, sizeof x);                                                           \
    }                                                                                          \
    for (; k <= hi; k++)                                                                       \
        m[k] *= s;

static void scale_rows2(double *m, double s, int lo, int hi) { SCALE_ROWS_BODY(v2d, 2) }

#ifdef AS_LD_WIDE
__attribute__((target("avx2"))) static void scale_rows4(double *m, double s, int lo, int hi)
{
    SCALE_ROWS_BODY(v4d, 4)
}
#endif

static scale_rows_fn *scale_rows_for(conv_pairs_fn *f)
{
#ifdef AS_LD_WIDE
    if (f != conv_pairs2)
        return scale_rows4;
#endif
    (void)f;
    return scale_rows2;
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
    tables();
    for (int i = 0; i < n; i++) {
        double target = p[i] * tot;
        if (d->zero >= target) {
            q[i] = d->shift;
            continue;
        }
        if (!(lo <= hi && P[hi + 1] >= target)) { /* (rounding: p = 1) */
            q[i] = d->shift + gx[hi > 0 ? hi : 0];
            continue;
        }
        int a = lo, b = hi; /* the first k in [a, b] with P[k + 1] >= target */
        while (a < b) {
            int mid = a + (b - a) / 2;
            if (P[mid + 1] >= target)
                b = mid;
            else
                a = mid + 1;
        }
        double f = (target - P[a]) / d->m[a]; /* position within the cell */
        q[i] = d->shift + AS_LD_X0 * exp(lnr * (a - 0.5 + f));
    }
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
