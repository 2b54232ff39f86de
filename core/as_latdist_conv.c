/* as_latdist_conv.c - the vectorised kernels of as_latdist.c: the pairs
 * of a convolution (its time, and a third of a week's at 1 s ticks), the
 * mixtures' rows and the scaling, at 2, 4 or 8 doubles a vector (see
 * as_latdist_int.h). Every width gives the same bits. */
#include "as_latdist_int.h"

#include <string.h>

typedef void conv_d_fn(double *restrict m, const double *restrict xm, const double *restrict ym,
                       int ilo, int ihi, double wl, double wu);

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
            int o0 = as_ld_off[d];
            if (inside) {
                row(m + o0, x->m, y->m - d, ilo, ihi, 1.0 - as_ld_wup[d], as_ld_wup[d]);
                continue;
            }
            int top = AS_LD_N - 2 - o0; /* last i landing inside */
            int iend = ihi < top ? ihi : top;
            if (ilo <= iend)
                row(m + o0, x->m, y->m - d, ilo, iend, 1.0 - as_ld_wup[d], as_ld_wup[d]);
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
    if (top + as_ld_off[0] + 1 <= AS_LD_N - 1) {
        /* every landing i + off[d] (+ 1) lies in [max lo, max hi + off[0] + 1] */
        conv_rows(row, o, a, b, 1);
        if (bot < o->lo)
            o->lo = bot;
        if (top + as_ld_off[0] + 1 > o->hi)
            o->hi = top + as_ld_off[0] + 1;
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
static as_ld_pairs_fn *conv_pairs_of(int want)
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

int as_ld_kernels(int want, as_ld_pairs_fn **pairs, as_ld_axpy_fn **axpy, as_ld_scale_fn **scale)
{
    as_ld_pairs_fn *f = conv_pairs_of(want);
    if (f == NULL)
        return 0;
    *pairs = f;
    *axpy = axpy_rows2;
    *scale = scale_rows2;
#ifdef AS_LD_WIDE
    /* the rows at 4 lanes with the 4- and 8-lane convolutions (AVX2 is
     * there: every processor with AVX-512F has it) */
    if (f != conv_pairs2) {
        *axpy = axpy_rows4;
        *scale = scale_rows4;
        return f == conv_pairs8 ? 8 : 4;
    }
#endif
    return 2;
}
