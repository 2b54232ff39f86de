/* sim_des_rng.h - GSL's mt19937 drawn inline, for the request-level model's
 * per-event draws (sim_des.c). Owns nothing: it reads and advances the state
 * of a gsl_rng made by gsl_rng_alloc(gsl_rng_mt19937), so draws through it
 * and through GSL's own calls (gsl_ran_lognormal, ...) interleave on one
 * stream exactly as if every draw went through GSL.
 * Why: gsl_rng_uniform_pos goes through two calls by pointer (type->get_double,
 * then mt_get) per draw, about a fifth of the time of an M/M/1 event; the
 * same algorithm inline costs a load, four shifts and a multiply, and the
 * 624-word twist once per 624 draws. The alternative, a faster generator
 * (xorshift, as the mm1.c floor uses), would change every dataset.
 * Invariant: the state layout below is GSL's (mt.c: unsigned long mt[624];
 * int mti). des_rng_selftest() checks it against GSL's own draws, and the
 * model refuses to start when it does not hold, rather than draw numbers
 * other than GSL's.
 * Must not: be used on a generator of another type (des_rng_* check it and
 * fall back to GSL). */
#ifndef SIM_DES_RNG_H
#define SIM_DES_RNG_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define DES_MT_N 624
#define DES_MT_M 397

typedef struct des_mt_state {
    unsigned long mt[DES_MT_N];
    int mti;
} des_mt_state;

/* The twist that refills the 624 words: mt.c's, with its `(y & 1) ? MAGIC : 0`
 * written as a mask, which gives the same words without a branch that
 * mispredicts half the time (it was 12 % of an M/M/1 event; now the
 * compiler vectorises the loops). */
#define DES_MT_MAG(y) ((0UL - ((y) & 1UL)) & 0x9908b0dfUL)
static void des_mt_twist(des_mt_state *s)
{
    const unsigned long upper = 0x80000000UL, lower = 0x7fffffffUL;
    unsigned long *mt = s->mt;
    int kk;
    /* 226 (even) + 1: the compiler vectorises only loops whose count is a
     * multiple of the vector width (2 words); 227 in one loop stayed scalar */
    for (kk = 0; kk < DES_MT_N - DES_MT_M - 1; kk++) {
        unsigned long y = (mt[kk] & upper) | (mt[kk + 1] & lower);
        mt[kk] = mt[kk + DES_MT_M] ^ (y >> 1) ^ DES_MT_MAG(y);
    }
    for (; kk < DES_MT_N - DES_MT_M; kk++) {
        unsigned long y = (mt[kk] & upper) | (mt[kk + 1] & lower);
        mt[kk] = mt[kk + DES_MT_M] ^ (y >> 1) ^ DES_MT_MAG(y);
    }
    for (; kk < DES_MT_N - 1; kk++) {
        unsigned long y = (mt[kk] & upper) | (mt[kk + 1] & lower);
        mt[kk] = mt[kk + (DES_MT_M - DES_MT_N)] ^ (y >> 1) ^ DES_MT_MAG(y);
    }
    unsigned long y = (mt[DES_MT_N - 1] & upper) | (mt[0] & lower);
    mt[DES_MT_N - 1] = mt[DES_MT_M - 1] ^ (y >> 1) ^ DES_MT_MAG(y);
    s->mti = 0;
}

/* mt.c's tempering of one state word. */
static inline unsigned long des_mt_temper(unsigned long k)
{
    k ^= (k >> 11);
    k ^= (k << 7) & 0x9d2c5680UL;
    k ^= (k << 15) & 0xefc60000UL;
    k ^= (k >> 18);
    return k;
}

/* Next 32-bit word, as gsl_rng_get. */
static inline unsigned long des_mt_get(des_mt_state *s)
{
    if (__builtin_expect(s->mti >= DES_MT_N, 0))
        des_mt_twist(s);
    return des_mt_temper(s->mt[s->mti++]);
}

/* As gsl_rng_uniform: [0, 1). Forced inline: GCC kept it out of line in
 * the model's event loop, a call per draw. */
static inline __attribute__((always_inline)) double des_uniform(const gsl_rng *r)
{
    if (__builtin_expect(r->type != gsl_rng_mt19937, 0))
        return gsl_rng_uniform(r);
    return (double)des_mt_get(r->state) / 4294967296.0;
}

/* As gsl_rng_uniform_pos: (0, 1). */
static inline __attribute__((always_inline)) double des_uniform_pos(const gsl_rng *r)
{
    double x;
    do
        x = des_uniform(r);
    while (x == 0);
    return x;
}

/* Next 32-bit word of r, as gsl_rng_get. */
static inline __attribute__((always_inline)) unsigned long des_word(const gsl_rng *r)
{
    if (__builtin_expect(r->type != gsl_rng_mt19937, 0))
        return gsl_rng_get(r);
    return des_mt_get(r->state);
}

/* des_mt_temper(p[0]) << 32 | des_mt_temper(p[1]), the two words tempered
 * side by side in one 128-bit vector (GCC's vector extension: SSE2 on
 * x86-64, the baseline), then packed by one shuffle of 32-bit lanes (the
 * words are below 2^32, as in mt.c). The same bits; an M/M/1 event 287.8 ->
 * 271.1 instructions, M/M/10 328.2 -> 311.1 (callgrind). Other compilers
 * and machines take the scalar form. */
#if defined(__GNUC__) && !defined(__clang__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    __SIZEOF_LONG__ == 8
typedef unsigned long des_v2ul __attribute__((vector_size(16)));
typedef unsigned int des_v4u __attribute__((vector_size(16)));
static inline __attribute__((always_inline)) uint64_t des_mt_temper2(const unsigned long *p)
{
    des_v2ul k;
    memcpy(&k, p, sizeof k);
    k ^= k >> 11;
    k ^= (k << 7) & 0x9d2c5680UL;
    k ^= (k << 15) & 0xefc60000UL;
    k ^= k >> 18;
    /* 32-bit lanes {lo0, 0, lo1, 0} -> {lo1, lo0, ...}: lo1 | lo0 << 32 */
    des_v4u u = __builtin_shuffle((des_v4u)k, (des_v4u){2, 0, 1, 3});
    uint64_t w;
    memcpy(&w, &u, sizeof w);
    return w;
}
#else
static inline uint64_t des_mt_temper2(const unsigned long *p)
{
    return (uint64_t)des_mt_temper(p[0]) << 32 | des_mt_temper(p[1]);
}
#endif

/* Two words of r as one 64-bit value, the first the high half: the same as
 * two des_word calls, with one test of the generator's type and of the
 * state's index for both (the twist falls between them 1 time in 312:
 * then word by word). A test and an index update less per exponential
 * draw: an M/M/1 event 7 instructions fewer. */
static inline __attribute__((always_inline)) uint64_t des_word2(const gsl_rng *r)
{
    des_mt_state *s = r->state;
    if (__builtin_expect(r->type == gsl_rng_mt19937 && s->mti <= DES_MT_N - 2, 1)) {
        const unsigned long *p = &s->mt[s->mti];
        s->mti += 2;
        return des_mt_temper2(p);
    }
    uint64_t hi = des_word(r);
    return hi << 32 | des_word(r);
}

/* ---- exponential draws: the ziggurat ----
 * Exp(1) by Marsaglia and Tsang's ziggurat (J. Stat. Softw. 5(8), 2000)
 * with 256 strips, in the 64-bit form numpy's Generator uses: of the 64
 * bits of two words (the first the high half) 3 are dropped, the low 8
 * pick the strip and the top 53 the point in it, so the strip and the
 * point share no bits (the 32-bit original takes both from one word, a
 * known defect). 98.9 % of the draws end after two words, a multiply and
 * a compare; the rest (des_exp_slow) test against exp(-x) or draw the tail
 * (beyond r, by r - log U).
 * Why: -log(U) through glibc's log took about 10 ns of an M/M/1 event of
 * 35 ns (a quarter; the peer mm1.c pays it too). The law is the same,
 * Exp(1); the numbers are not, so a dataset of the request-level model
 * changed with it (tests/test_des.c checks the law: moments and a
 * Kolmogorov-Smirnov distance). Not taken: a table-driven log of our own,
 * which would still cost a polynomial and change the numbers all the
 * same. */
#define DES_ZIG_R 7.69711747013104972      /* x of the base strip's top */
#define DES_ZIG_V 0.0039496598225815571993 /* area of each strip */

typedef struct des_zig {
    uint64_t ke[256]; /* k[i]: a point below it (in 53-bit units) is inside the curve */
    double we[256];   /* w[i]: x of a point = its 53-bit integer times w[i] */
    double fe[256];   /* exp(-x_i) */
} des_zig;

/* The tables, built on the first call (thread-safe; sim_des_zig.c). */
const des_zig *des_zig_tables(void);
/* The 1.1 % of draws that are not inside strip i: x was drawn in it. */
double des_exp_slow(const des_zig *z, const gsl_rng *r, int i, double x);

/* Exp(1) from r. */
static inline __attribute__((always_inline)) double des_exp(const des_zig *z, const gsl_rng *r)
{
    uint64_t ri = des_word2(r) >> 3;
    int i = (int)(ri & 0xff);
    ri >>= 8;
    double x = (double)(int64_t)ri * z->we[i]; /* ri < 2^53: a signed convert is one instruction */
    if (__builtin_expect(ri < z->ke[i], 1))
        return x;
    return des_exp_slow(z, r, i, x);
}

/* True when the inline draws are GSL's: 2000 words (three twists) of two
 * generators seeded alike, one drawn through GSL and one inline. */
static inline bool des_rng_selftest(void)
{
    if (gsl_rng_mt19937->size != sizeof(des_mt_state))
        return false;
    gsl_rng *a = gsl_rng_alloc(gsl_rng_mt19937), *b = gsl_rng_alloc(gsl_rng_mt19937);
    bool ok = a && b;
    if (ok) {
        gsl_rng_set(a, 12345);
        gsl_rng_set(b, 12345);
        for (int i = 0; ok && i < 2000; i++)
            ok = gsl_rng_uniform(a) == des_uniform(b);
    }
    if (a)
        gsl_rng_free(a);
    if (b)
        gsl_rng_free(b);
    return ok;
}

#endif
