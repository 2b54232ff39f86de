/* test_forecast.h - what the forecaster tests share (test_forecast*.c): a
 * kind's config with overrides, a forecaster made from it, feeding a
 * series, expecting means, and seeded Gaussian noise.
 * Owns nothing beyond its callers' stack buffers (cfg_buf, rng).
 * Invariant: the noise is the tests' own (xorshift64* + Box-Muller), never
 * libc's rand(), so every figure is the same on every machine.
 * Must not: hold state between calls (each Criterion test may run in a
 * process of its own). The helpers are static inline: each test file uses
 * a subset, and a file of their own would need a prefix on every name. */
#ifndef TEST_FORECAST_H
#define TEST_FORECAST_H

#include "as_forecast.h"
#include "as_registry.h"
#include "test_alloc.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <gsl/gsl_multifit.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#define H_MAX 32

static inline as_forecast_common common_of(int season, int horizon)
{
    as_forecast_common c = {.step = 60 * AS_SEC, .season = season, .max_horizon = horizon,
                            .coverage = 0.9};
    return c;
}

/* A kind's default config with some keys overridden ("k=v" pairs). The
 * buffer is big enough for every config struct in the tree. */
typedef struct {
    _Alignas(16) unsigned char bytes[512];
} cfg_buf;

static inline void cfg_make(const as_forecaster_type *t, cfg_buf *cb, const char *const *kv)
{
    cr_assert_leq(t->config_size, sizeof cb->bytes);
    memset(cb, 0, sizeof *cb);
    t->defaults(cb->bytes);
    for (; kv && *kv; kv += 2) {
        as_err err = {0};
        int rc = as_param_set(t->params, cb->bytes, kv[0], kv[1], &err);
        cr_assert_eq(rc, AS_OK, "%s: %s", t->name, err.msg);
    }
}

static inline as_forecaster *make(const char *name, int season, int horizon, const char *const *kv)
{
    const as_forecaster_type *t = as_forecaster_type_find(name);
    cr_assert_not_null(t, "kind %s not registered", name);
    cfg_buf cb;
    cfg_make(t, &cb, kv);
    as_forecast_common c = common_of(season, horizon);
    as_err err = {0};
    as_forecaster *f = as_forecaster_new(t, &c, cb.bytes, &err);
    cr_assert_not_null(f, "%s: %s", name, err.msg);
    return f;
}

static inline void feed(as_forecaster *f, const double *y, int n, long *k)
{
    for (int i = 0; i < n; i++, (*k)++)
        as_forecaster_update(f, (as_time)*k * 60 * AS_SEC, y[i]);
}

static inline void expect_mean(as_forecaster *f, const double *want, int h, double tol)
{
    double m[H_MAX], lo[H_MAX], hi[H_MAX];
    as_forecaster_predict(f, h, m, lo, hi);
    for (int i = 0; i < h; i++)
        cr_expect(fabs(m[i] - want[i]) <= tol, "%s h=%d: got %.12g want %.12g",
                  as_forecaster_kind(f)->name, i + 1, m[i], want[i]);
}

/* Deterministic Gaussian noise (xorshift64* + Box-Muller): tests must not
 * depend on the libc rand(). */
typedef struct {
    uint64_t s;
    bool have;
    double spare;
} rng;
static inline double rng_u(rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return ((r->s * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}
static inline double rng_gauss(rng *r)
{
    if (r->have) {
        r->have = false;
        return r->spare;
    }
    double u1 = rng_u(r), u2 = rng_u(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    double rad = sqrt(-2 * log(u1));
    r->spare = rad * sin(2 * M_PI * u2);
    r->have = true;
    return rad * cos(2 * M_PI * u2);
}

/* A seasonal pattern repeated nine times and a bit is forecast to 1e-6 by
 * kind name (with overrides kv) once past its warm-up. */
static inline void pure_season(const char *name, const char *const *kv, double offset)
{
    enum { M = 24 };
    double pat[M];
    rng r = {.s = 42};
    for (int i = 0; i < M; i++)
        pat[i] = offset + 50 * sin(2 * M_PI * i / M) + 10 * rng_gauss(&r);
    as_forecaster *f = make(name, M, M, kv);
    long k = 0;
    for (int s = 0; s < 9; s++) /* past holt_winters' warm-up (7 seasons of 24) */
        feed(f, pat, M, &k);
    feed(f, pat, 7, &k); /* end mid-season */
    double want[M];
    for (int i = 0; i < M; i++)
        want[i] = pat[(7 + i) % M];
    expect_mean(f, want, M, 1e-6);
    as_forecaster_free(f);
}

#endif
