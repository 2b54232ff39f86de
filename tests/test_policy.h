/* test_policy.h - what the policy tests share (test_policy*.c): a kind's
 * config with overrides, a policy made from it, a tier's observation, one
 * decision, a forecast view of given means, and the expect() of a decision.
 * Owns nothing beyond its callers' stack buffers (cfg_buf, fc_buf).
 * Invariant: every helper fails the calling test on a setup error, so a
 * test body asserts only what it is about.
 * Must not: hold state between calls (each Criterion test may run in a
 * process of its own). The helpers are static inline: each test file uses
 * a subset, and a file of their own would need a prefix on every name. */
#ifndef TEST_POLICY_H
#define TEST_POLICY_H

#include "as_forecast.h"
#include "as_policy.h"
#include "as_queueing.h"
#include "as_registry.h"
#include "test_alloc.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* ---------------------------------------------------------------- helpers */

typedef struct {
    _Alignas(16) unsigned char bytes[4096];
} cfg_buf;

/* A kind's default config with "key", "value" overrides (NULL-terminated). */
static inline void cfg_make(const as_policy_type *t, cfg_buf *cb, const char *const *kv)
{
    cr_assert_leq(t->config_size, sizeof cb->bytes);
    memset(cb, 0, sizeof *cb);
    if (t->defaults)
        t->defaults(cb->bytes);
    for (; kv && *kv; kv += 2) {
        as_err err = {0};
        int rc = as_param_set(t->params, cb->bytes, kv[0], kv[1], &err);
        cr_assert_eq(rc, AS_OK, "%s: %s", t->name, err.msg);
    }
}

static inline as_policy *make(const char *name, const char *const *kv)
{
    const as_policy_type *t = as_policy_type_find(name);
    cr_assert_not_null(t, "kind %s not registered", name);
    cfg_buf cb;
    cfg_make(t, &cb, kv);
    as_err err = {0};
    as_policy *p = as_policy_new(t, cb.bytes, &err);
    cr_assert_not_null(p, "%s: %s", name, err.msg);
    return p;
}

/* The create() error for a config, AS_OK when it is accepted. */
static inline int make_rc(const char *name, const char *const *kv)
{
    const as_policy_type *t = as_policy_type_find(name);
    cfg_buf cb;
    cfg_make(t, &cb, kv);
    as_err err = {0};
    as_policy *p = as_policy_new(t, cb.bytes, &err);
    as_policy_free(p);
    return p ? AS_OK : err.code;
}

/* A tier of `n` ready instances: 10 req/s each at utilisation 1 (mu = 10,
 * one server), SLO p95 <= 0.5 s, boot 120 s, bounds [1, 100]. */
static inline as_observation tier(as_time now, int n, double u)
{
    as_observation o = {
        .now = now,
        .current = n,
        .ready = n,
        .booting = 0,
        .min = 1,
        .max = 100,
        .utilization = u,
        .rate = isnan(u) ? NAN : u * n * 10.0,
        .latency = NAN,
        .capacity = 10.0,
        .service_rate = 10.0,
        .concurrency = 1,
        .scv_factor = 1.0,
        .slo_latency = 0.5,
        .slo_percentile = 0.95,
        .boot_time = 120 * AS_SEC,
    };
    return o;
}

static inline as_decision run(as_policy *p, const as_observation *o, const as_forecast_view *fc)
{
    as_decision d;
    as_policy_decide(p, o, fc, &d);
    return d;
}

#define S(x) ((as_time)(x) * AS_SEC)

#define expect(d, want, why)                                                                  \
    do {                                                                                      \
        as_decision d_ = (d);                                                                 \
        cr_expect_eq(d_.desired, (want), "desired %d, expected %d (reason %s)", d_.desired,  \
                     (want), as_reason_name(d_.reason));                                      \
        cr_expect_eq(d_.reason, (why), "reason %s, expected %s", as_reason_name(d_.reason),   \
                     as_reason_name(why));                                                    \
    } while (0)

typedef struct {
    double mean[32], lo[32], hi[32]; /* the predictive tests use 20 steps */
    as_forecast_view v;
} fc_buf;

/* A view of n values, step 60 s, interval +-w x mean. */
static inline const as_forecast_view *fc_make(fc_buf *b, const double *mean, int n, double w)
{
    for (int i = 0; i < n; i++) {
        b->mean[i] = mean[i];
        b->lo[i] = mean[i] * (1 - w);
        b->hi[i] = mean[i] * (1 + w);
    }
    b->v = (as_forecast_view){.h = n, .step = S(60), .mean = b->mean, .lo = b->lo,
                              .hi = b->hi, .anomaly = false};
    return &b->v;
}

#endif
