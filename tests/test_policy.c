/* test_policy.c - scaling policy kinds, wrapper and registry.
 * Behaviour tests derived from the documented semantics of the systems the
 * kinds model (Kubernetes HPA controller, AWS target tracking / step /
 * predictive scaling; expected values worked out in the comments), the
 * planning `predictive` kind's cost-minimising choices, plus a
 * conformance battery run over every registered kind, the copy-me
 * template included: the registry's rules, defaults create, parameter
 * round trip, desired always within [min, max] on a grid of observations
 * including NAN metrics, two interleaved instances that do not share
 * state, no allocation in decide(), and the time rule. */
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
static void cfg_make(const as_policy_type *t, cfg_buf *cb, const char *const *kv)
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

static as_policy *make(const char *name, const char *const *kv)
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
static int make_rc(const char *name, const char *const *kv)
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
static as_observation tier(as_time now, int n, double u)
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

static as_decision run(as_policy *p, const as_observation *o, const as_forecast_view *fc)
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

/* ------------------------------------------------------------------- hpa */

Test(policy, hpa_defaults_are_kubernetes)
{
    const as_policy_type *t = as_policy_type_find("hpa");
    cr_assert_not_null(t);
    cr_expect_eq(t->default_interval, S(15)); /* sync period */
    cfg_buf cb;
    cfg_make(t, &cb, NULL);
    char buf[64];
    static const char *const want[][2] = {
        {"metrics", "auto"},
        {"target", "0.8"},
        {"tolerance", "0.1"},
        {"down_stabilization", "5m"},
        {"cpu_initialization_period", "5m"},
        {"initial_readiness_delay", "30s"},
        {"behavior", "false"},
        {"up_stabilization", "0s"},
        {"up_policies", "pods:4:15s, percent:100:15s"},
        {"up_select", "max"},
        {"down_policies", "percent:100:15s"},
        {"down_select", "max"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const as_param_def *d = as_param_find(t->params, want[i][0]);
        cr_assert_not_null(d, "key %s", want[i][0]);
        as_param_format(d, cb.bytes, buf, sizeof buf);
        cr_expect_str_eq(buf, want[i][1], "key %s", want[i][0]);
    }
}

Test(policy, hpa_tolerance_band)
{
    /* 84 % / 80 % = 1.05: inside the 0.1 tolerance, nothing changes. */
    as_policy *p = make("hpa", NULL);
    as_observation o = tier(0, 10, 0.84);
    expect(run(p, &o, NULL), 10, AS_R_TOLERANCE);
    o = tier(S(15), 10, 0.76); /* ratio 0.95 */
    expect(run(p, &o, NULL), 10, AS_R_TOLERANCE);
    /* 92 %: ratio 1.15 -> ceil(11.5) = 12 */
    o = tier(S(30), 10, 0.92);
    expect(run(p, &o, NULL), 12, AS_R_SCALE_OUT);
    as_policy_free(p);

    /* A wider band set through the key. */
    p = make("hpa", (const char *[]){"tolerance", "0.2", NULL});
    o = tier(0, 10, 0.92);
    expect(run(p, &o, NULL), 10, AS_R_TOLERANCE);
    as_policy_free(p);

    /* Tolerances.isWithin: 1 + tolerance is inside the band, so 88 % at
     * 80 % (1.1 in float64) keeps the count. */
    p = make("hpa", NULL);
    o = tier(0, 10, 0.88);
    expect(run(p, &o, NULL), 10, AS_R_TOLERANCE);
    as_policy_free(p);
}

Test(policy, hpa_ceil_rounding)
{
    /* 90 %: ratio 1.125 x 3 = 3.375 -> 4; 95 %: 1.1875 x 7 = 8.3125 -> 9. */
    as_policy *p = make("hpa", NULL);
    as_observation o = tier(0, 3, 0.90);
    as_decision d = run(p, &o, NULL);
    expect(d, 4, AS_R_SCALE_OUT);
    cr_expect_eq(d.raw, 4);
    as_policy_free(p);

    p = make("hpa", NULL);
    o = tier(0, 7, 0.95);
    expect(run(p, &o, NULL), 9, AS_R_SCALE_OUT);
    as_policy_free(p);

    /* Utilisation is an integer percent, truncated: 84.9 % is 84 %. */
    p = make("hpa", NULL);
    o = tier(0, 10, 0.849);
    expect(run(p, &o, NULL), 10, AS_R_TOLERANCE);
    as_policy_free(p);
}

/* Item: a new HPA records the count it found as a recommendation
 * (recordInitialRecommendation), so at 30 % it holds 10 pods for the
 * 300 s downscale window before going to ceil(0.375 x 10) = 4. Without
 * behavior a recommendation counts until it is Before(now - window), so
 * the 10 of t = 0 still holds at t = 300. */
Test(policy, hpa_initial_recommendation_holds_scale_down)
{
    as_policy *p = make("hpa", NULL);
    for (int t = 0; t <= 315; t += 15) {
        as_observation o = tier(S(t), 10, 0.30);
        as_decision d = run(p, &o, NULL);
        cr_expect_eq(d.raw, 4, "t=%d: raw %d", t, d.raw);
        int want = t <= 300 ? 10 : 4;
        cr_expect_eq(d.desired, want, "t=%d: desired %d, expected %d", t, d.desired, want);
        cr_expect_eq(d.reason, t <= 300 ? AS_R_STABILIZED : AS_R_SCALE_IN, "t=%d: %s", t,
                     as_reason_name(d.reason));
        if (want == 4)
            break;
    }
    as_policy_free(p);
}

/* The down stabilization window holds the highest recommendation of the
 * last 300 s. A small loop plays the cluster: the decision is applied at
 * once; the load is fixed in pod units after t = 60 s. */
Test(policy, hpa_down_stabilization_holds_highest_recommendation)
{
    as_policy *p = make("hpa", NULL);
    int cur = 10;
    for (int t = 0; t <= 450; t += 15) {
        double u;
        if (t < 60)
            u = 0.80; /* ratio 1: recommendation 10 */
        else if (t == 60)
            u = 0.64; /* ratio 0.8: recommendation 8 */
        else
            u = 4.0 / cur; /* 4 pods worth of work: recommendation ceil(5/8 cur) */
        as_observation o = tier(S(t), cur, u);
        as_decision d = run(p, &o, NULL);
        /* Recommendations: 10 at 0..45, 8 at 60, then 5 while cur = 10.
         * Without behavior (stabilizeRecommendation) a recommendation
         * counts until it is Before(t - 300): the 10 of 45 s holds at
         * t = 345, the 8 of 60 s at 360; from then on 5. */
        int want = t <= 345 ? 10 : t == 360 ? 8 : 5;
        cr_expect_eq(d.desired, want, "t=%d: desired %d, expected %d (%s)", t, d.desired, want,
                     as_reason_name(d.reason));
        if (t >= 60 && t <= 345)
            cr_expect_eq(d.reason, AS_R_STABILIZED, "t=%d: %s", t, as_reason_name(d.reason));
        if (t == 360)
            cr_expect_eq(d.reason, AS_R_STABILIZED); /* raw 5, held at 8 */
        if (t == 375)
            cr_expect_eq(d.reason, AS_R_SCALE_IN);
        cur = d.desired;
    }
    as_policy_free(p);
}

Test(policy, hpa_up_stabilization_takes_min)
{
    /* With a 60 s scale-up window the lowest recommendation of the window
     * wins: a single high sample does not scale up. */
    as_policy *p =
        make("hpa", (const char *[]){"behavior", "true", "up_stabilization", "60s", NULL});
    as_observation o = tier(0, 10, 0.80);
    expect(run(p, &o, NULL), 10, AS_R_TOLERANCE);
    o = tier(S(15), 10, 1.20); /* recommendation 15, window min 10 */
    expect(run(p, &o, NULL), 10, AS_R_STABILIZED);
    o = tier(S(30), 10, 1.20);
    expect(run(p, &o, NULL), 10, AS_R_STABILIZED);
    o = tier(S(60), 10, 1.20); /* the 10 of t=0 has left (0, 60] */
    expect(run(p, &o, NULL), 15, AS_R_SCALE_OUT);
    as_policy_free(p);
}

/* Item: without spec.behavior the controller limits a scale-up to
 * max(2 x current, 4) per reconcile (calculateScaleUpLimit): 1 -> 4 -> 8,
 * 2 -> 4; the behavior defaults allow max(current + 4, 2 x current):
 * 1 -> 5, 2 -> 6. */
Test(policy, hpa_legacy_scale_up_limit)
{
    static const int legacy[][4] = {{1, 4, 8, 16}, {2, 4, 8, 16}, {3, 6, 12, 24}};
    for (int k = 0; k < 3; k++) {
        as_policy *p = make("hpa", NULL);
        int cur = legacy[k][0];
        for (int i = 1; i < 4; i++) {
            as_observation o = tier(S(15 * i), cur, 10.0); /* ratio 12.5 */
            as_decision d = run(p, &o, NULL);
            cr_expect_eq(d.desired, legacy[k][i], "from %d, step %d: %d", legacy[k][0], i,
                         d.desired);
            cr_expect_eq(d.reason, AS_R_RATE_LIMITED);
            cur = d.desired;
        }
        as_policy_free(p);
    }
    as_policy *p = make("hpa", (const char *[]){"behavior", "true", NULL});
    as_observation o = tier(0, 1, 10.0);
    expect(run(p, &o, NULL), 5, AS_R_RATE_LIMITED);
    as_policy_free(p);
    p = make("hpa", (const char *[]){"behavior", "true", NULL});
    o = tier(0, 2, 10.0);
    expect(run(p, &o, NULL), 6, AS_R_RATE_LIMITED);
    as_policy_free(p);
    /* a behavior key without behavior is refused, not silently dropped */
    cr_expect_eq(make_rc("hpa", (const char *[]){"up_policies", "pods:1:60s", NULL}), AS_EINVAL);
    cr_expect_eq(make_rc("hpa", (const char *[]){"down_tolerance", "0.2", NULL}), AS_EINVAL);
}

Test(policy, hpa_scale_up_rate_default_behavior)
{
    /* Defaults: max(4 pods, 100 %) per 15 s, from the period start. */
    as_policy *p = make("hpa", (const char *[]){"behavior", "true", NULL});
    int cur = 2;
    const int want[] = {6, 12, 24, 48, 96, 100};
    for (int i = 0; i < 6; i++) {
        as_observation o = tier(S(15 * i), cur, 10.0); /* ratio 12.5 */
        as_decision d = run(p, &o, NULL);
        cr_expect_eq(d.desired, want[i], "step %d: %d, expected %d", i, d.desired, want[i]);
        cr_expect_eq(d.reason, i < 5 ? AS_R_RATE_LIMITED : AS_R_AT_MAX, "step %d: %s", i,
                     as_reason_name(d.reason));
        cur = d.desired;
    }
    as_policy_free(p);

    /* From 10: Pods gives 14, Percent gives 20; Max selects 20. */
    p = make("hpa", (const char *[]){"behavior", "true", NULL});
    as_observation o = tier(0, 10, 10.0);
    expect(run(p, &o, NULL), 20, AS_R_RATE_LIMITED);
    /* 5 s later the +10 is inside the period: the start is still 10. */
    o = tier(S(5), 20, 10.0);
    expect(run(p, &o, NULL), 20, AS_R_RATE_LIMITED);
    as_policy_free(p);

    /* selectPolicy Min: the smaller of the two, 14. Disabled: no change. */
    p = make("hpa", (const char *[]){"behavior", "true", "up_select", "min", NULL});
    o = tier(0, 10, 10.0);
    expect(run(p, &o, NULL), 14, AS_R_RATE_LIMITED);
    as_policy_free(p);
    p = make("hpa", (const char *[]){"behavior", "true", "up_select", "disabled", NULL});
    o = tier(0, 10, 10.0);
    expect(run(p, &o, NULL), 10, AS_R_RATE_LIMITED);
    as_policy_free(p);
}

Test(policy, hpa_scale_down_rate_policies)
{
    /* Pods 2 next to Percent 100 with select min: only 2 per 15 s. */
    as_policy *p = make("hpa", (const char *[]){"behavior", "true", "down_policies",
                                                "pods:2:15s, percent:100:15s", "down_select",
                                                "min", "down_stabilization", "0s", NULL});
    as_observation o = tier(0, 10, 0.08); /* ratio 0.1 -> 1 */
    expect(run(p, &o, NULL), 8, AS_R_RATE_LIMITED);
    o = tier(S(5), 8, 0.1); /* same period: start 10, limit 8 */
    expect(run(p, &o, NULL), 8, AS_R_RATE_LIMITED);
    o = tier(S(15), 8, 0.1); /* new period: start 8 */
    expect(run(p, &o, NULL), 6, AS_R_RATE_LIMITED);
    as_policy_free(p);

    /* Percent 50 alone: trunc(10 x 0.5) = 5, trunc(5 x 0.5) = 2. */
    p = make("hpa", (const char *[]){"behavior", "true", "down_policies", "percent:50:15s",
                                     "down_stabilization", "0s", NULL});
    o = tier(0, 10, 0.08);
    expect(run(p, &o, NULL), 5, AS_R_RATE_LIMITED);
    o = tier(S(15), 5, 0.08);
    expect(run(p, &o, NULL), 2, AS_R_RATE_LIMITED);
    as_policy_free(p);
}

/* Item: several scaling policies, each over its own periodSeconds
 * (calculateScaleUpLimitWithScalingRules): {Pods 2 per 15 s, Percent 100
 * per 60 s}, select Max, from 10 pods at a recommendation of 100:
 *   t=0:  pods 10+2 = 12, percent 10x2 = 20           -> 20
 *   t=15: pods 20+2 = 22 (the +10 of t=0 is one full period old),
 *         percent (20-10)x2 = 20                      -> 22
 *   t=30: pods 22+2 = 24, percent (22-12)x2 = 20      -> 24
 *   t=60: pods 24+2 = 26, percent: the +2 of 15 s and 30 s are in the
 *         minute, the +10 of 0 s is not: (24-4)x2 = 40    -> 40
 * One period for both (the approximation this replaces) cannot give
 * both the +2 steps and the doubling a minute. */
Test(policy, hpa_policies_each_with_its_period)
{
    as_policy *p = make("hpa", (const char *[]){"behavior", "true", "up_policies",
                                                "pods:2:15s, percent:100:60s", NULL});
    const int at[] = {0, 15, 30, 60}, want[] = {20, 22, 24, 40};
    int cur = 10;
    for (int i = 0; i < 4; i++) {
        as_observation o = tier(S(at[i]), cur, 8.0); /* ratio 10 */
        as_decision d = run(p, &o, NULL);
        cr_expect_eq(d.desired, want[i], "t=%d: %d, expected %d", at[i], d.desired, want[i]);
        cur = d.desired;
    }
    as_policy_free(p);
}

/* Item: per-direction tolerances (Tolerances.isWithin): up 5 %, down 20 %.
 * 85 % / 80 % = 1.0625 is outside the scale-up band -> ceil(10.625) = 11;
 * 66 % / 80 % = 0.825 is inside the scale-down band -> kept. */
Test(policy, hpa_tolerance_per_direction)
{
    const char *const kv[] = {"behavior", "true", "up_tolerance", "0.05", "down_tolerance",
                              "0.2", "down_stabilization", "0s", NULL};
    as_policy *p = make("hpa", kv);
    as_observation o = tier(0, 10, 0.85);
    expect(run(p, &o, NULL), 11, AS_R_SCALE_OUT);
    as_policy_free(p);
    p = make("hpa", kv);
    o = tier(0, 10, 0.66);
    expect(run(p, &o, NULL), 10, AS_R_TOLERANCE);
    o = tier(S(15), 10, 0.62); /* 0.775: outside, ceil(7.75) = 8 */
    expect(run(p, &o, NULL), 8, AS_R_SCALE_IN);
    as_policy_free(p);
}

/* Item: utilisation above 100 % of the request, up to the limit. 10 pods
 * all busy: with limit = request the utilisation is 100 % (ratio 1.25 ->
 * 13); with a limit of twice the request it is 200 % (ratio 2.5 -> 25,
 * rate-limited to 20 by the behavior defaults). */
Test(policy, hpa_utilisation_above_the_request)
{
    as_policy *p = make("hpa", (const char *[]){"behavior", "true", NULL});
    as_observation o = tier(0, 10, 1.0);
    expect(run(p, &o, NULL), 13, AS_R_SCALE_OUT);
    as_policy_free(p);
    p = make("hpa", (const char *[]){"behavior", "true", "cpu_request", "0.5", "cpu_limit", "1",
                                     NULL});
    as_decision d = run(p, &o, NULL);
    expect(d, 20, AS_R_RATE_LIMITED);
    cr_expect_eq(d.raw, 25);
    as_policy_free(p);
}

Test(policy, hpa_missing_metric_never_scales)
{
    as_policy *p = make("hpa", (const char *[]){"down_stabilization", "0s", NULL});
    as_observation o = tier(0, 10, NAN);
    as_decision d = run(p, &o, NULL);
    expect(d, 10, AS_R_MISSING_METRIC);
    /* No ready pod reports: missing as well, even if a number is given. */
    o = tier(S(15), 10, 0.1);
    o.ready = 0;
    o.booting = 10;
    expect(run(p, &o, NULL), 10, AS_R_MISSING_METRIC);
    /* The missing samples left only the initial recommendation, which a
     * 0 s window lets go: a valid low metric afterwards scales in. */
    o = tier(S(30), 10, 0.40);
    expect(run(p, &o, NULL), 5, AS_R_SCALE_IN);
    as_policy_free(p);
}

Test(policy, hpa_unready_pods_count_as_zero_on_scale_up)
{
    /* 8 ready at 105 %, 2 booting: ratio 1.3125 over the ready pods would
     * ask for ceil(10.5) = 11. With the booting pods at 0 usage the ratio
     * is floor(105 x 8 / 10) = 84 % / 80 % = 1.05: within tolerance, the
     * count is kept (by the unready pods: reason none). */
    as_policy *p = make("hpa", NULL);
    as_observation o = tier(0, 10, 1.05);
    o.ready = 8;
    o.booting = 2;
    expect(run(p, &o, NULL), 10, AS_R_NONE);
    as_policy_free(p);

    /* Control: the same 8 pods with none booting scale to 11. */
    p = make("hpa", NULL);
    o = tier(0, 8, 1.05);
    expect(run(p, &o, NULL), 11, AS_R_SCALE_OUT);
    as_policy_free(p);

    /* 2 ready at 100 %, 8 booting: counting the booting pods at 0 reverses
     * the direction (25 % / 80 %), so nothing changes; in particular no
     * scale-down to ceil(1.25 x 2) = 3 while pods are still starting. */
    p = make("hpa", NULL);
    o = tier(0, 10, 1.0);
    o.ready = 2;
    o.booting = 8;
    expect(run(p, &o, NULL), 10, AS_R_NONE);
    as_policy_free(p);

    /* 4 ready at 200 %, 2 booting: floor(800 / 6) = 133 % -> ratio 1.6625
     * x 6 = 9.975 -> 10. */
    p = make("hpa", NULL);
    o = tier(0, 6, 2.0);
    o.ready = 4;
    o.booting = 2;
    expect(run(p, &o, NULL), 10, AS_R_SCALE_OUT);
    as_policy_free(p);
}

/* Item: pod readiness edges (groupPods) with the instances as pods. At
 * t = 600 s with the newest sample taken at 600 s over a 60 s window:
 *  - 2 pods ready since long, 2 started at 500 s and ready at 580 s: the
 *    new ones are inside the 5 min CPU initialization period and their
 *    sample does not cover one window of readiness: unready. At 120 %
 *    (ratio 1.5) they count as 0: (2 x 1200) / 4000 = 60 %, the direction
 *    reverses, 4 are kept (the pods alone would give ceil(1.5 x 4) = 6);
 *  - the same pods started at 200 s (initialization over): counted, 6;
 *  - a pod ready at 610 s has no sample yet (missing): on a scale-down
 *    it counts at 100 %: 3 pods at 40 % + 1 at 100 % = 55 % -> 0.6875 x 4
 *    = 2.75 -> 3 where the ready ones alone would give ceil(0.5 x 3) = 2. */
Test(policy, hpa_pod_readiness_edges)
{
    as_pod pods[4] = {{-S(86400), -S(86400)}, {-S(86400), -S(86400)}, {S(500), S(580)},
                      {S(500), S(580)}};
    as_observation o = tier(S(600), 4, 1.2);
    o.pods = pods;
    o.npods = 4;
    o.metric_time = S(600);
    o.metric_window = S(60);
    as_policy *p = make("hpa", NULL);
    expect(run(p, &o, NULL), 4, AS_R_NONE);
    as_policy_free(p);

    pods[2].start = pods[3].start = S(200);
    p = make("hpa", NULL);
    expect(run(p, &o, NULL), 6, AS_R_SCALE_OUT);
    as_policy_free(p);

    as_pod late[4] = {{-S(86400), -S(86400)}, {-S(86400), -S(86400)}, {-S(86400), -S(86400)},
                      {S(550), S(610)}};
    o = tier(S(615), 4, 0.40);
    o.pods = late;
    o.npods = 4;
    o.metric_time = S(600);
    o.metric_window = S(60);
    p = make("hpa", (const char *[]){"down_stabilization", "0s", NULL});
    as_decision d = run(p, &o, NULL);
    cr_expect_eq(d.raw, 3, "raw %d", d.raw);
    as_policy_free(p);
}

/* The metric types people scale on, each against hand arithmetic, and the
 * largest proposal winning (computeReplicasForMetrics). 10 pods. */
Test(policy, hpa_metric_types)
{
    as_observation o = tier(0, 10, 0.40); /* CPU 40 % -> 5 */
    o.signal[AS_SIG_RPS_POD] = 75.0;      /* 750 req/s over 10 pods */
    o.signal[AS_SIG_QUEUE] = 240.0;
    o.signal[AS_SIG_INFLIGHT] = 30.0;
    o.signal[AS_SIG_MEMORY] = 600.0;      /* MB per pod */
    o.rate = 750.0;
    struct {
        const char *metrics;
        int raw;
    } cases[] = {
        {"pods:rps:averagevalue:50", 15},            /* 75/50 = 1.5 -> 15 */
        {"resource:cpu:utilization:80, pods:rps:averagevalue:50", 15}, /* max(5, 15) */
        {"resource:cpu:averagevalue:200m", 20},      /* 0.4 cores / 0.2 = 2 -> 20 */
        {"object:rps:value:500", 15},                /* 750 / 500 = 1.5 x 10 ready */
        {"object:rps:averagevalue:100", 8},          /* ceil(750 / 100) = 8 */
        {"external:queue:value:100", 24},            /* 2.4 x 10 */
        {"external:queue:averagevalue:30", 8},       /* ceil(240 / 30) */
        {"pods:queue:averagevalue:12", 20},          /* 24 per pod / 12 = 2 */
        {"pods:inflight:averagevalue:2", 15},        /* 3 per pod / 2 = 1.5 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        as_policy *p = make("hpa", (const char *[]){"metrics", cases[i].metrics, NULL});
        as_decision d = run(p, &o, NULL);
        cr_expect_eq(d.raw, cases[i].raw, "%s: raw %d, expected %d", cases[i].metrics, d.raw,
                     cases[i].raw);
        as_policy_free(p);
    }
    /* memory utilisation: 600 MB of 400 MB requested = 150 % at 75 % -> 2 -> 20 */
    as_policy *p = make("hpa", (const char *[]){"metrics", "resource:memory:utilization:75",
                                                "memory_request", "400", NULL});
    cr_expect_eq(run(p, &o, NULL).raw, 20);
    as_policy_free(p);
    /* a metric without a value: no scale-down on the others (k/k #99514) */
    o.signal[AS_SIG_QUEUE] = NAN;
    p = make("hpa", (const char *[]){"metrics",
                                     "resource:cpu:utilization:80, external:queue:value:100",
                                     "down_stabilization", "0s", NULL});
    expect(run(p, &o, NULL), 10, AS_R_MISSING_METRIC);
    as_policy_free(p);
    /* bad lists are refused */
    const char *const bad[] = {"pods:cpu:averagevalue:1", "resource:rps:utilization:50",
                               "pods:rps:value:5", "object:queue:utilization:5",
                               "resource:cpu:utilization:0", "resource:cpu:averagevalue:x",
                               "resource:memory:utilization:80", "cpu:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(make_rc("hpa", (const char *[]){"metrics", bad[i], NULL}), AS_EINVAL, "%s",
                     bad[i]);
    cr_expect_eq(make_rc("hpa", (const char *[]){"metrics", "pods:rps:averagevalue:5", "target",
                                                 "0.6", NULL}),
                 AS_EINVAL, "target next to metrics");
}

Test(policy, hpa_current_outside_bounds)
{
    as_policy *p = make("hpa", NULL);
    as_observation o = tier(0, 120, NAN); /* above max 100, no metric needed */
    expect(run(p, &o, NULL), 100, AS_R_AT_MAX);
    o = tier(S(15), 3, NAN);
    o.min = 5;
    expect(run(p, &o, NULL), 5, AS_R_AT_MIN);
    as_policy_free(p);
}

/* ---------------------------------------------------------------- target */

Test(policy, target_proportional_scale_out)
{
    const as_policy_type *t = as_policy_type_find("target");
    cr_assert_not_null(t);
    cr_expect_eq(t->default_interval, S(60));
    /* 4 instances at 90 % with target 50 %: ceil(4 x 0.9 / 0.5) = 8, after
     * the 3 of 3 datapoints of the managed scale-out alarm. */
    as_policy *p = make("target", NULL);
    as_observation o = tier(0, 4, 0.9);
    expect(run(p, &o, NULL), 4, AS_R_STABILIZED);
    o.now = S(60);
    expect(run(p, &o, NULL), 4, AS_R_STABILIZED);
    o.now = S(120);
    as_decision d = run(p, &o, NULL);
    expect(d, 8, AS_R_SCALE_OUT);
    cr_expect_eq(d.raw, 8);
    as_policy_free(p);

    /* One datapoint: acts at once; 10 at 56 %, target 50 %: ceil(11.2) = 12. */
    p = make("target", (const char *[]){"out_datapoints", "1", NULL});
    o = tier(0, 10, 0.56);
    expect(run(p, &o, NULL), 12, AS_R_SCALE_OUT);
    as_policy_free(p);

    /* Exactly at target: nothing. */
    p = make("target", (const char *[]){"out_datapoints", "1", NULL});
    o = tier(0, 10, 0.5);
    expect(run(p, &o, NULL), 10, AS_R_NONE);
    as_policy_free(p);
}

Test(policy, target_warming_instances_count_and_block_scale_in)
{
    as_policy *p = make("target", (const char *[]){"out_datapoints", "1", "in_datapoints", "1",
                                                   "scale_out_cooldown", "0s", NULL});
    as_observation o = tier(0, 4, 0.9);
    expect(run(p, &o, NULL), 8, AS_R_SCALE_OUT);
    /* 4 booting count as capacity: the same load asks for 8, already there. */
    o = tier(S(60), 8, 0.9);
    o.ready = 4;
    o.booting = 4;
    expect(run(p, &o, NULL), 8, AS_R_WARMUP);
    /* Load falls while they boot: no scale-in. */
    o.now = S(120);
    o.utilization = 0.1;
    expect(run(p, &o, NULL), 8, AS_R_WARMUP);
    /* Booted, but the 300 s warmup since launch is not over. */
    o = tier(S(240), 8, 0.1);
    expect(run(p, &o, NULL), 8, AS_R_WARMUP);
    /* Warmup over (launch at 0): ceil(8 x 0.1 / 0.5) = 2. */
    o = tier(S(300), 8, 0.1);
    expect(run(p, &o, NULL), 2, AS_R_SCALE_IN);
    as_policy_free(p);
}

Test(policy, target_conservative_scale_in_and_cooldown)
{
    as_policy *p = make("target", (const char *[]){"in_datapoints", "1", NULL});
    /* 47 % is less than 10 % below 50 %: kept, although ceil(20 x 0.47 /
     * 0.5) = 19 would still hold the load. */
    as_observation o = tier(0, 20, 0.47);
    expect(run(p, &o, NULL), 20, AS_R_NONE);
    /* 44 %: ceil(10 x 0.44 / 0.5) = 9. */
    o = tier(S(60), 10, 0.44);
    expect(run(p, &o, NULL), 9, AS_R_SCALE_IN);
    /* Scale-in cooldown (300 s). */
    o = tier(S(120), 9, 0.2);
    expect(run(p, &o, NULL), 9, AS_R_COOLDOWN);
    o = tier(S(360), 9, 0.2);
    expect(run(p, &o, NULL), 4, AS_R_SCALE_IN);
    as_policy_free(p);

    /* 15 of 15 datapoints by default. */
    p = make("target", NULL);
    for (int i = 0; i < 14; i++) {
        o = tier(S(60 * i), 10, 0.2);
        expect(run(p, &o, NULL), 10, AS_R_STABILIZED);
    }
    o = tier(S(60 * 14), 10, 0.2);
    expect(run(p, &o, NULL), 4, AS_R_SCALE_IN);
    as_policy_free(p);

    p = make("target", (const char *[]){"in_datapoints", "1", "disable_scale_in", "true", NULL});
    o = tier(0, 10, 0.1);
    expect(run(p, &o, NULL), 10, AS_R_NONE);
    o = tier(0, 10, NAN);
    expect(run(p, &o, NULL), 10, AS_R_MISSING_METRIC);
    as_policy_free(p);
}

/* ------------------------------------------------------------------ step */

static const char *const step_kv[] = {
    "out_threshold", "0.5", "steps_out", "0:0.25:+1, 0.25:0.5:+2, 0.5::+4",
    "in_threshold", "0.25", "steps_in", "-0.125:0:-1, :-0.125:-2",
    "cooldown", "0s", NULL};

static as_decision step_once(const char *const *kv, as_observation o)
{
    as_policy *p = make("step", kv);
    as_decision d = run(p, &o, NULL);
    as_policy_free(p);
    return d;
}

Test(policy, step_bounds_select_adjustment)
{
    /* Above the threshold: lower bound inclusive, upper exclusive. */
    expect(step_once(step_kv, tier(0, 10, 0.49)), 10, AS_R_NONE); /* no alarm */
    expect(step_once(step_kv, tier(0, 10, 0.50)), 11, AS_R_SCALE_OUT); /* d = 0 */
    expect(step_once(step_kv, tier(0, 10, 0.74)), 11, AS_R_SCALE_OUT);
    expect(step_once(step_kv, tier(0, 10, 0.75)), 12, AS_R_SCALE_OUT); /* d = 0.25 */
    expect(step_once(step_kv, tier(0, 10, 0.99)), 12, AS_R_SCALE_OUT);
    expect(step_once(step_kv, tier(0, 10, 1.00)), 14, AS_R_SCALE_OUT); /* d = 0.5 */
    expect(step_once(step_kv, tier(0, 10, 3.00)), 14, AS_R_SCALE_OUT); /* open end */
    /* Below the threshold: lower bound exclusive, upper inclusive. */
    expect(step_once(step_kv, tier(0, 10, 0.26)), 10, AS_R_NONE);
    expect(step_once(step_kv, tier(0, 10, 0.25)), 9, AS_R_SCALE_IN);  /* d = 0 */
    expect(step_once(step_kv, tier(0, 10, 0.13)), 9, AS_R_SCALE_IN);
    expect(step_once(step_kv, tier(0, 10, 0.125)), 8, AS_R_SCALE_IN); /* d = -0.125 */
    expect(step_once(step_kv, tier(0, 10, 0.0)), 8, AS_R_SCALE_IN);
    /* Decimal bounds behave as written: 0.8 - 0.7 is the step at 0.1. */
    const char *const dec[] = {"out_threshold", "0.7", "steps_out", "0:0.1:+1, 0.1::+3",
                               "cooldown", "0s", NULL};
    expect(step_once(dec, tier(0, 10, 0.8)), 13, AS_R_SCALE_OUT);
    expect(step_once(dec, tier(0, 10, 0.7)), 11, AS_R_SCALE_OUT);
}

Test(policy, step_adjustment_types)
{
    const char *const pct[] = {"out_threshold", "0.5", "steps_out", "0::+25", "out_type",
                               "percent", "cooldown", "0s", NULL};
    expect(step_once(pct, tier(0, 10, 0.9)), 12, AS_R_SCALE_OUT); /* 2.5 -> 2 */
    expect(step_once(pct, tier(0, 2, 0.9)), 3, AS_R_SCALE_OUT);   /* 0.5 -> 1 */
    const char *const mag[] = {"out_threshold", "0.5", "steps_out", "0::+25", "out_type",
                               "percent", "out_min_magnitude", "2", "cooldown", "0s", NULL};
    expect(step_once(mag, tier(0, 2, 0.9)), 4, AS_R_SCALE_OUT);
    const char *const pin[] = {"in_threshold", "0.3", "steps_in", ":0:-30", "in_type", "percent",
                               "cooldown", "0s", NULL};
    expect(step_once(pin, tier(0, 10, 0.1)), 7, AS_R_SCALE_IN);  /* -3 */
    expect(step_once(pin, tier(0, 2, 0.1)), 1, AS_R_SCALE_IN);   /* -0.6 -> -1 */
    expect(step_once(pin, tier(0, 15, 0.1)), 11, AS_R_SCALE_IN); /* -4.5 -> -4 */
    const char *const ex[] = {"out_threshold", "0.5", "steps_out", "0::20", "out_type", "exact",
                              "cooldown", "0s", NULL};
    expect(step_once(ex, tier(0, 10, 0.9)), 20, AS_R_SCALE_OUT);
}

Test(policy, step_warming_capacity_and_cooldown)
{
    /* 10 instances, 2 of them booting. The +2 step applies to the 8 ready
     * ones: 10, already there (repeated breach, no second launch); the +4
     * step launches only the difference, to 12. */
    as_observation o = tier(0, 10, 0.8);
    o.ready = 8;
    o.booting = 2;
    expect(step_once(step_kv, o), 10, AS_R_WARMUP);
    o.utilization = 1.1;
    expect(step_once(step_kv, o), 12, AS_R_SCALE_OUT);
    o.utilization = 0.1; /* scale-in blocked while booting */
    expect(step_once(step_kv, o), 10, AS_R_WARMUP);

    /* Cooldown 300 s: after 10 -> 12, the same step does not add again even
     * once the instances are ready; a larger step does; scale-in waits. */
    as_policy *p = make("step", (const char *[]){"out_threshold", "0.5", "steps_out",
                                                 "0:0.5:+2, 0.5::+4", NULL});
    o = tier(0, 10, 0.8);
    expect(run(p, &o, NULL), 12, AS_R_SCALE_OUT);
    o = tier(S(60), 12, 0.8);
    expect(run(p, &o, NULL), 12, AS_R_COOLDOWN);
    o = tier(S(120), 12, 1.2); /* base stays 10: 10 + 4 = 14 */
    expect(run(p, &o, NULL), 14, AS_R_SCALE_OUT);
    o = tier(S(180), 14, 0.1);
    expect(run(p, &o, NULL), 14, AS_R_COOLDOWN);
    o = tier(S(420), 14, 0.1); /* 300 s after the last activity */
    expect(run(p, &o, NULL), 13, AS_R_SCALE_IN);
    o = tier(S(480), 13, NAN);
    expect(run(p, &o, NULL), 13, AS_R_MISSING_METRIC);
    as_policy_free(p);
}

/* Item: CloudWatch alarms with EvaluationPeriods and DatapointsToAlarm.
 * 2 of 3: a lone breach waits (held: stabilized), a second one among the
 * last three sets the alarm and the policy acts; once in ALARM it acts at
 * every breaching datapoint. */
Test(policy, step_alarm_m_of_n)
{
    as_policy *p = make("step", (const char *[]){"out_threshold", "0.5", "steps_out", "0::+1",
                                                 "out_periods", "3", "out_datapoints", "2",
                                                 "cooldown", "0s", NULL});
    as_observation o = tier(0, 10, 0.6);
    expect(run(p, &o, NULL), 10, AS_R_STABILIZED); /* 1 of 1 so far */
    o = tier(S(60), 10, 0.4);
    expect(run(p, &o, NULL), 10, AS_R_NONE); /* 1 of 2 */
    o = tier(S(120), 10, 0.6);
    expect(run(p, &o, NULL), 11, AS_R_SCALE_OUT); /* 2 of 3 */
    o = tier(S(180), 11, 0.6);
    expect(run(p, &o, NULL), 12, AS_R_SCALE_OUT); /* still ALARM: acts again */
    o = tier(S(240), 12, NAN); /* a missing datapoint is not counted */
    expect(run(p, &o, NULL), 12, AS_R_MISSING_METRIC);
    o = tier(S(300), 12, 0.4); /* last three: 0.6, 0.6, 0.4: ALARM, but this */
    expect(run(p, &o, NULL), 12, AS_R_NONE); /* datapoint is below: no step */
    as_policy_free(p);
    cr_expect_eq(make_rc("step", (const char *[]){"out_periods", "2", "out_datapoints", "3",
                                                  NULL}),
                 AS_EINVAL);
}

/* Item: EC2 step scaling has an instance warmup and no cooldown. With
 * warmup 300 s and cooldown 0: the two instances launched at 0 s still
 * warm at 60 s (ready, not booting), so the same step adds nothing and
 * scale-in waits; at 300 s they are warm, and two scale-ins a minute
 * apart both act (a 300 s cooldown, the old mapping of the warmup, would
 * hold the second one). */
Test(policy, step_ec2_warmup_not_cooldown)
{
    const char *const kv[] = {"out_threshold", "0.5", "steps_out", "0::+2", "in_threshold", "0.3",
                              "steps_in", ":0:-1", "cooldown", "0s", "warmup", "300s", NULL};
    as_policy *p = make("step", kv);
    as_observation o = tier(0, 10, 0.8);
    expect(run(p, &o, NULL), 12, AS_R_SCALE_OUT);
    o = tier(S(60), 12, 0.8); /* base 12 - 2 warming = 10: +2 is 12, there */
    expect(run(p, &o, NULL), 12, AS_R_WARMUP);
    o = tier(S(120), 12, 0.1);
    expect(run(p, &o, NULL), 12, AS_R_WARMUP);
    o = tier(S(300), 12, 0.1);
    expect(run(p, &o, NULL), 11, AS_R_SCALE_IN);
    o = tier(S(360), 11, 0.1);
    expect(run(p, &o, NULL), 10, AS_R_SCALE_IN);
    as_policy_free(p);
    /* the same with the warmup read as a cooldown */
    p = make("step", (const char *[]){"out_threshold", "0.5", "steps_out", "0::+2",
                                      "in_threshold", "0.3", "steps_in", ":0:-1", "cooldown",
                                      "300s", NULL});
    o = tier(S(300), 12, 0.1);
    expect(run(p, &o, NULL), 11, AS_R_SCALE_IN);
    o = tier(S(360), 11, 0.1);
    expect(run(p, &o, NULL), 11, AS_R_COOLDOWN);
    as_policy_free(p);
}

/* Target tracking on ALBRequestCountPerTarget: requests per target per
 * minute = requests/s per instance x 60. 10 instances at 25 req/s each =
 * 1500 per minute against 1000: ceil(1.5 x 10) = 15 after 3 datapoints. */
Test(policy, target_alb_request_count_per_target)
{
    as_policy *p = make("target", (const char *[]){"metric", "alb_requests", "target", "1000",
                                                   NULL});
    for (int i = 0; i < 3; i++) {
        as_observation o = tier(S(60 * i), 10, 0.2);
        o.signal[AS_SIG_RPS_POD] = 25.0;
        as_decision d = run(p, &o, NULL);
        cr_expect_eq(d.raw, 15);
        cr_expect_eq(d.desired, i < 2 ? 10 : 15, "datapoint %d: %d", i, d.desired);
    }
    as_policy_free(p);
    /* a CPU target above 100 % is a unit mistake, not a target */
    cr_expect_eq(make_rc("target", (const char *[]){"target", "60", NULL}), AS_EINVAL);
}

Test(policy, step_bad_lists_rejected)
{
    cr_expect_eq(make_rc("step", (const char *[]){"steps_out", "0:0.1:+1, 0.2::+2", NULL}),
                 AS_EINVAL); /* gap */
    cr_expect_eq(make_rc("step", (const char *[]){"steps_out", "0:0.3:+1, 0.2::+2", NULL}),
                 AS_EINVAL); /* overlap */
    cr_expect_eq(make_rc("step", (const char *[]){"steps_out", "0:0.1", NULL}), AS_EINVAL);
    cr_expect_eq(make_rc("step", (const char *[]){"steps_out", "0:x:+1", NULL}), AS_EINVAL);
    cr_expect_eq(make_rc("step", (const char *[]){"steps_out", "0::+1.5", NULL}), AS_EINVAL);
    cr_expect_eq(make_rc("step", (const char *[]){"steps_out", "0.2:0.1:+1", NULL}), AS_EINVAL);
    cr_expect_eq(make_rc("step", (const char *[]){"in_threshold", "0.9", NULL}), AS_EINVAL);
    cr_expect_eq(make_rc("step", (const char *[]){"steps_in", "none", NULL}), AS_OK);
    cr_expect_eq(make_rc("step", NULL), AS_OK);
}

/* -------------------------------------------------------- aws_predictive */

typedef struct {
    double mean[32], lo[32], hi[32]; /* the predictive tests use 20 steps */
    as_forecast_view v;
} fc_buf;

/* A view of n values, step 60 s, interval +-w x mean. */
static const as_forecast_view *fc_make(fc_buf *b, const double *mean, int n, double w)
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

Test(policy, aws_predictive_scales_ahead_of_ramp)
{
    /* 2 instances at 50 % (10 req/s): the reactive rule is content. The
     * forecast ramps; boot 120 s + interval 60 s = 3 steps of 60 s are
     * covered, peak 40 req/s -> ceil(40 / (10 x 0.7)) = 6. */
    const double ramp[] = {10, 20, 40, 80, 160, 160, 160, 160};
    fc_buf b;
    as_policy *p = make("aws_predictive", NULL);
    as_observation o = tier(0, 2, 0.5);
    as_decision d = run(p, &o, fc_make(&b, ramp, 8, 0.1));
    expect(d, 6, AS_R_PREDICTIVE);
    as_policy_free(p);

    /* The horizon grows with the boot time: 300 s + 60 s = 6 steps, peak 160
     * -> ceil(160 / 7) = 23. */
    p = make("aws_predictive", NULL);
    o.boot_time = S(300);
    expect(run(p, &o, fc_make(&b, ramp, 8, 0.1)), 23, AS_R_PREDICTIVE);
    as_policy_free(p);

    /* quantile = upper provisions for hi: 35 x 1.2 = 42 -> 6 (mean: 5). */
    const double flat[] = {35, 35, 35, 35};
    p = make("aws_predictive", NULL);
    o = tier(0, 2, 0.5);
    expect(run(p, &o, fc_make(&b, flat, 4, 0.2)), 5, AS_R_PREDICTIVE);
    as_policy_free(p);
    p = make("aws_predictive", (const char *[]){"quantile", "upper", NULL});
    expect(run(p, &o, fc_make(&b, flat, 4, 0.2)), 6, AS_R_PREDICTIVE);
    as_policy_free(p);
}

Test(policy, aws_predictive_slo_sizing_matches_queueing)
{
    const double flat[] = {55, 55, 55, 55};
    fc_buf b;
    as_policy *p = make("aws_predictive", (const char *[]){"sizing", "slo", NULL});
    as_observation o = tier(0, 2, 0.5);
    o.concurrency = 2;
    int servers = as_mmc_min_servers(55, 10, 1.0, 0.95, 0.5, 200);
    cr_assert_lt(servers, 200);
    expect(run(p, &o, fc_make(&b, flat, 4, 0.1)), (servers + 1) / 2, AS_R_PREDICTIVE);
    as_policy_free(p);
}

/* A latency model that is not M/M/c: one server per 5 req/s plus 3, and
 * what it was asked. */
typedef struct {
    double rate;
    int cmax, calls;
} fake_sizer;

static int fake_servers(void *ud, double rate, int cmax)
{
    fake_sizer *f = ud;
    f->rate = rate;
    f->cmax = cmax;
    f->calls++;
    return (int)ceil(rate / 5) + 3;
}

Test(policy, aws_predictive_slo_sizing_asks_the_runs_sizer)
{
    const double flat[] = {55, 55, 55, 55};
    fc_buf b;
    fake_sizer fs = {0};
    as_sizer sz = {.servers = fake_servers, .ud = &fs};
    as_policy *p = make("aws_predictive", (const char *[]){"sizing", "slo", NULL});
    as_observation o = tier(0, 2, 0.5);
    o.concurrency = 2;
    o.sizer = &sz;
    /* 55 req/s: 11 + 3 = 14 servers, 7 instances of 2 (M/M/c says fewer) */
    expect(run(p, &o, fc_make(&b, flat, 4, 0.1)), 7, AS_R_PREDICTIVE);
    cr_expect_gt(fs.calls, 0);
    cr_expect_float_eq(fs.rate, 55, 1e-9);
    cr_expect_eq(fs.cmax, 200);
    cr_expect_neq((as_mmc_min_servers(55, 10, 1.0, 0.95, 0.5, 200) + 1) / 2, 7);
    as_policy_free(p);
    /* utilisation sizing does not ask it */
    fs.calls = 0;
    p = make("aws_predictive", NULL);
    run(p, &o, fc_make(&b, flat, 4, 0.1));
    cr_expect_eq(fs.calls, 0);
    as_policy_free(p);
}

Test(policy, aws_predictive_never_scales_in_on_forecast_alone)
{
    const double low[] = {5, 5, 5, 5, 5};
    fc_buf b;
    as_policy *p = make("aws_predictive", NULL);
    /* 65 % is not 10 % below 70 %: the observation does not call for less. */
    as_observation o = tier(0, 10, 0.65);
    as_decision d = run(p, &o, fc_make(&b, low, 5, 0.1));
    expect(d, 10, AS_R_NONE);
    cr_expect_eq(d.raw, 1); /* what the forecast alone would have said */
    /* Missing metric: nothing to confirm a scale-in with. */
    o = tier(S(60), 10, NAN);
    expect(run(p, &o, fc_make(&b, low, 5, 0.1)), 10, AS_R_MISSING_METRIC);
    /* A real drop: 20 % -> reactive ceil(2 / 0.7) = 3 > forecast 1. */
    o = tier(S(120), 10, 0.2);
    expect(run(p, &o, fc_make(&b, low, 5, 0.1)), 3, AS_R_SCALE_IN);
    as_policy_free(p);

    /* The drop confirms, but the forecast keeps more than the reactive rule
     * would: 10 % observed (reactive 2), forecast 30 req/s -> 5. */
    const double mid[] = {30, 30, 30, 30};
    p = make("aws_predictive", NULL);
    o = tier(0, 10, 0.1);
    expect(run(p, &o, fc_make(&b, mid, 4, 0.1)), 5, AS_R_SCALE_IN);
    as_policy_free(p);
}

Test(policy, aws_predictive_falls_back_on_anomaly_and_low_confidence)
{
    const double ramp[] = {10, 20, 40, 80};
    fc_buf b;
    as_policy *p = make("aws_predictive", NULL);
    as_observation o = tier(0, 2, 0.5);
    const as_forecast_view *fc = fc_make(&b, ramp, 4, 0.1);
    b.v.anomaly = true;
    expect(run(p, &o, fc), 2, AS_R_ANOMALY); /* reactive: 50 % < 70 %, no change */
    o = tier(S(60), 2, 0.9);                  /* reactive: ceil(1.8 / 0.7) = 3 */
    expect(run(p, &o, fc), 3, AS_R_ANOMALY);
    as_policy_free(p);

    /* (hi - lo) / mean = 1.5 > 0.5: low confidence, reactive. */
    p = make("aws_predictive", NULL);
    o = tier(0, 2, 0.5);
    expect(run(p, &o, fc_make(&b, ramp, 4, 0.75)), 2, AS_R_LOW_CONFIDENCE);
    o = tier(S(60), 2, 0.9);
    expect(run(p, &o, fc_make(&b, ramp, 4, 0.75)), 3, AS_R_LOW_CONFIDENCE);
    /* The same width passes a looser gate. */
    as_policy_free(p);
    p = make("aws_predictive", (const char *[]){"max_spread", "2", NULL});
    o = tier(0, 2, 0.5);
    expect(run(p, &o, fc_make(&b, ramp, 4, 0.75)), 6, AS_R_PREDICTIVE);
    /* No forecast at all: reactive. */
    o = tier(S(60), 2, 0.9);
    expect(run(p, &o, NULL), 3, AS_R_LOW_CONFIDENCE);
    as_policy_free(p);
}

/* ------------------------------------------------------------ predictive */

/* A view of n steps of 15 s, the interval +-w x mean, at 90 % coverage. */
static const as_forecast_view *fc_15(fc_buf *b, const double *mean, int n, double w)
{
    fc_make(b, mean, n, w);
    b->v.step = S(15);
    b->v.coverage = 0.9;
    return &b->v;
}

/* The tier of tier() with the economics of a scenario: 0.10 per
 * instance-hour, 30 per hour of violation, data 30 s old. */
static as_observation tier_pr(as_time now, int n, double rate)
{
    as_observation o = tier(now, n, rate / (10.0 * n));
    o.price = 0.10;
    o.slo_penalty = 30;
    o.data_age = S(30);
    return o;
}

/* A certain forecast (zero width) of 55 req/s: any count short of the SLO
 * violates at every step, so the plan is the least count that meets it,
 * the oracle's count (as_mmc_min_servers). At 1/1000 of the penalty,
 * instances cost more than the violations they avoid: the minimum. */
Test(policy, predictive_plans_the_least_count_meeting_the_slo)
{
    cr_expect_eq(as_policy_type_find("predictive")->default_interval, S(15));
    const double flat[20] = {55, 55, 55, 55, 55, 55, 55, 55, 55, 55,
                             55, 55, 55, 55, 55, 55, 55, 55, 55, 55};
    fc_buf b;
    as_policy *p = make("predictive", NULL);
    as_observation o = tier_pr(0, 2, 20);
    int servers = as_mmc_min_servers(55, 10, 1.0, 0.95, 0.5, 100);
    cr_assert(servers > 2 && servers < 100);
    expect(run(p, &o, fc_15(&b, flat, 20, 0)), servers, AS_R_PREDICTIVE);
    as_policy_free(p);
    p = make("predictive", (const char *[]){"risk", "0.001", NULL});
    o = tier_pr(0, 2, 20);
    as_decision d = run(p, &o, fc_15(&b, flat, 20, 0));
    expect(d, 1, AS_R_SCALE_IN); /* the tier's min */
    cr_expect_eq(d.raw, 0);
    as_policy_free(p);
}

/* An uncertain forecast: the more the SLO weighs (risk), the more instances
 * it buys, and a wider forecast buys more at the same risk. */
Test(policy, predictive_buys_margin_for_uncertainty_and_risk)
{
    const double flat[20] = {55, 55, 55, 55, 55, 55, 55, 55, 55, 55,
                             55, 55, 55, 55, 55, 55, 55, 55, 55, 55};
    static const char *const risks[] = {"0.1", "1", "10", "100"};
    int prev = 0, first = 0, last = 0;
    for (int i = 0; i < 4; i++) {
        fc_buf b;
        as_policy *p = make("predictive", (const char *[]){"risk", risks[i], NULL});
        as_observation o = tier_pr(0, 2, 20);
        as_decision d = run(p, &o, fc_15(&b, flat, 20, 0.2));
        cr_expect_geq(d.desired, prev, "risk %s: %d < %d", risks[i], d.desired, prev);
        prev = d.desired;
        first = i == 0 ? d.desired : first;
        last = d.desired;
        as_policy_free(p);
    }
    cr_expect_gt(last, first, "risk 0.1 and 100 chose the same count %d", last);
    fc_buf b;
    as_policy *narrow = make("predictive", NULL), *wide = make("predictive", NULL);
    as_observation o = tier_pr(0, 2, 20);
    int n1 = run(narrow, &o, fc_15(&b, flat, 20, 0.05)).desired;
    int n2 = run(wide, &o, fc_15(&b, flat, 20, 0.4)).desired;
    cr_expect_gt(n2, n1, "a wider forecast should buy more: %d vs %d", n2, n1);
    as_policy_free(narrow);
    as_policy_free(wide);
}

/* The scale-out window starts boot + data age ahead: a rise the forecast
 * puts before then does not call for capacity requested now, one after
 * does; with a longer boot, the same rise falls inside the window. */
Test(policy, predictive_plans_over_boot_time_and_data_age)
{
    double late[20];
    for (int i = 0; i < 20; i++)
        late[i] = i < 14 ? 20 : 80; /* the rise at step 15: 225 s after the data */
    fc_buf b;
    as_policy *p = make("predictive", NULL);
    as_observation o = tier_pr(0, 4, 20);
    o.boot_time = S(60); /* window 90 s .. 105 s (+ a step): before the rise */
    as_decision d = run(p, &o, fc_15(&b, late, 20, 0.02));
    cr_expect_leq(d.desired, 4, "%d (%s)", d.desired, as_reason_name(d.reason));
    as_policy_free(p);
    p = make("predictive", NULL);
    o.boot_time = S(180); /* window 210 s .. 225 s (+ a step): the rise is in it */
    d = run(p, &o, fc_15(&b, late, 20, 0.02));
    cr_expect_geq(d.desired, as_mmc_min_servers(80, 10, 1.0, 0.95, 0.5, 100), "%d (%s)",
                  d.desired, as_reason_name(d.reason));
    cr_expect_eq(d.reason, AS_R_PREDICTIVE);
    as_policy_free(p);
}

/* An observed rate above the upper bound of what the last decision
 * forecast for now is a surprise: it scales out at once, for at least the
 * rate plus the surprise again; a backlog (observed latency over the SLO)
 * adds its drain. Without either, the forecast rules. */
Test(policy, predictive_reacts_to_surprises_at_once)
{
    const double flat[20] = {20, 20, 20, 20, 20, 20, 20, 20, 20, 20,
                             20, 20, 20, 20, 20, 20, 20, 20, 20, 20};
    fc_buf b;
    as_policy *p = make("predictive", NULL);
    as_observation o = tier_pr(0, 4, 20);
    as_decision d = run(p, &o, fc_15(&b, flat, 20, 0.05));
    int calm = d.desired;
    cr_expect_leq(calm, 4);
    /* 15 s later: 40 req/s against a forecast of 20 [19, 21] */
    o = tier_pr(S(15), calm, 40);
    d = run(p, &o, fc_15(&b, flat, 20, 0.05));
    int need = as_mmc_min_servers(40 + (40 - 20), 10, 1.0, 0.95, 0.5, 100);
    cr_expect_geq(d.desired, need, "%d < %d", d.desired, need);
    cr_expect_eq(d.reason, AS_R_SURPRISE, "%s", as_reason_name(d.reason));
    as_policy_free(p);
    /* a backlog: 20 req/s as forecast, but the latency is 60 s: some 2400
     * requests wait, to drain within a boot time (120 s) at +20 req/s */
    p = make("predictive", NULL);
    o = tier_pr(0, 4, 20);
    run(p, &o, fc_15(&b, flat, 20, 0.05));
    o = tier_pr(S(15), 4, 20);
    o.latency = 60.0;
    d = run(p, &o, fc_15(&b, flat, 20, 0.05));
    cr_expect_geq(d.desired, as_mmc_min_servers(39, 10, 1.0, 0.95, 0.5, 100), "%d", d.desired);
    cr_expect_eq(d.reason, AS_R_SURPRISE, "%s", as_reason_name(d.reason));
    as_policy_free(p);
}

/* Scale-in waits for its window: after a high plan, low forecasts are held
 * (stabilized) until scale_in_window has passed; a missing rate never
 * scales in. */
Test(policy, predictive_scales_in_after_its_window)
{
    double hi20[20], lo20[20];
    for (int i = 0; i < 20; i++)
        hi20[i] = 80, lo20[i] = 10;
    fc_buf b;
    as_policy *p = make("predictive", (const char *[]){"scale_in_window", "2m", NULL});
    as_observation o = tier_pr(0, 4, 70);
    int high = run(p, &o, fc_15(&b, hi20, 20, 0.02)).desired;
    cr_assert_gt(high, 4);
    as_time t = S(15);
    for (; t <= S(120); t += S(15)) {
        o = tier_pr(t, high, 10);
        expect(run(p, &o, fc_15(&b, lo20, 20, 0.02)), high, AS_R_STABILIZED);
    }
    o = tier_pr(t, high, NAN);
    o.rate = NAN;
    expect(run(p, &o, fc_15(&b, lo20, 20, 0.02)), high, AS_R_MISSING_METRIC);
    o = tier_pr(t + S(15), high, 10);
    as_decision d = run(p, &o, fc_15(&b, lo20, 20, 0.02));
    cr_expect_lt(d.desired, high, "still %d after the window", d.desired);
    cr_expect_eq(d.reason, AS_R_SCALE_IN, "%s", as_reason_name(d.reason));
    as_policy_free(p);
}

/* With a forecaster behind the view, the plan uses its distribution (its
 * own recent errors), not a normal curve through [lo, hi]: two naive
 * forecasters of the same level, one fed calm data and one fed noisy data,
 * give the same mean, and the noisy one buys more instances. */
Test(policy, predictive_plans_with_the_forecasters_distribution)
{
    int chose[2];
    for (int k = 0; k < 2; k++) {
        as_forecast_common c = {.step = S(15), .season = 0, .max_horizon = 20, .coverage = 0.9};
        as_err err = {0};
        as_forecaster *f = as_forecaster_new(as_forecaster_type_find("naive"), &c, NULL, &err);
        cr_assert_not_null(f, "%s", err.msg);
        unsigned x = 1;
        for (int i = 0; i < 1000; i++) {
            x = x * 1103515245u + 12345u;
            double u = (double)(x >> 8 & 0xffff) / 65536.0 - 0.5;
            as_forecaster_update(f, S(15) * i, 50 + (k ? 30 : 2) * u);
        }
        as_forecaster_update(f, S(15) * 1000, 50);
        fc_buf b;
        as_forecaster_predict(f, 20, b.mean, b.lo, b.hi);
        b.v = (as_forecast_view){.h = 20, .step = S(15), .mean = b.mean, .lo = b.lo,
                                 .hi = b.hi, .coverage = 0.9, .source = f};
        as_policy *p = make("predictive", NULL);
        as_observation o = tier_pr(S(15) * 1000, 6, 50);
        chose[k] = run(p, &o, &b.v).desired;
        as_policy_free(p);
        as_forecaster_free(f);
    }
    cr_expect_gt(chose[1], chose[0], "noisy %d, calm %d", chose[1], chose[0]);
}

/* ---------------------------------------------------------------- hybrid */

Test(policy, hybrid_takes_the_larger)
{
    fc_buf b;
    /* Forecast too low (10 req/s -> 2) while the tier is overloaded: the
     * target tracking side wins, ceil(2 x 0.95 / 0.7) = 3. */
    const double flat[] = {10, 10, 10, 10};
    as_policy *p = make("hybrid", (const char *[]){"reactive_out_datapoints", "1", NULL});
    as_observation o = tier(0, 2, 0.95);
    expect(run(p, &o, fc_make(&b, flat, 4, 0.1)), 3, AS_R_SCALE_OUT);
    as_policy_free(p);

    /* Forecast ramp: the predictive side wins. */
    const double ramp[] = {10, 20, 40, 80};
    p = make("hybrid", NULL);
    o = tier(0, 2, 0.5);
    expect(run(p, &o, fc_make(&b, ramp, 4, 0.1)), 6, AS_R_PREDICTIVE);
    as_policy_free(p);

    /* Low forecast and low load: scale-in needs both; the reactive side
     * waits for its 15 datapoints, so the hybrid holds. */
    const double low[] = {5, 5, 5, 5};
    p = make("hybrid", NULL);
    o = tier(0, 10, 0.1);
    as_decision d = run(p, &o, fc_make(&b, low, 4, 0.1));
    cr_expect_eq(d.desired, 10, "%s", as_reason_name(d.reason));
    as_policy_free(p);
    p = make("hybrid", (const char *[]){"reactive_in_datapoints", "1", NULL});
    d = run(p, &o, fc_make(&b, low, 4, 0.1));
    expect(d, 2, AS_R_SCALE_IN); /* both agree: max(1, 2, ceil(1 / 0.7) = 2) */
    as_policy_free(p);

    /* reactive_target defaults to the predictive target. */
    const as_policy_type *t = as_policy_type_find("hybrid");
    cfg_buf cb;
    cfg_make(t, &cb, NULL);
    char a[64], c[64];
    as_param_format(as_param_find(t->params, "target"), cb.bytes, a, sizeof a);
    as_param_format(as_param_find(t->params, "reactive_target"), cb.bytes, c, sizeof c);
    cr_expect_str_eq(a, c);
    cr_expect_str_eq(a, "0.7");
}

/* The hybrid is its two registered parts, composed with typed copies of
 * its settings: with every key away from its default, each decision is
 * the larger of what an aws_predictive and a target policy, made alone with
 * the same settings, decide on the same observations. A key routed to
 * the wrong part, or copied wrong, makes them differ. */
#define LAMBDA(k) (40 + 30 * sin((k) / 9.0))

Test(policy, hybrid_is_its_parts_with_the_same_settings)
{
    const char *const pred_kv[] = {"target", "0.65", "quantile", "upper", "sizing", "slo",
                                   "max_spread", "2.5", "scale_in_margin", "0.15",
                                   "interval", "45s", NULL};
    const char *const tt_kv[] = {"target", "0.55", "scale_in_margin", "0.1", "warmup", "90s",
                                 "scale_out_cooldown", "30s", "scale_in_cooldown", "200s",
                                 "disable_scale_in", "false", "out_datapoints", "2",
                                 "in_datapoints", "4", NULL};
    const char *hy_kv[64];
    int n = 0;
    for (int i = 0; pred_kv[i]; i += 2)
        hy_kv[n++] = pred_kv[i], hy_kv[n++] = pred_kv[i + 1];
    static char names[16][64];
    for (int i = 0, j = 0; tt_kv[i]; i += 2, j++) {
        snprintf(names[j], sizeof names[j], "reactive_%s", tt_kv[i]);
        hy_kv[n++] = names[j], hy_kv[n++] = tt_kv[i + 1];
    }
    hy_kv[n] = NULL;
    as_policy *h = make("hybrid", hy_kv), *p = make("aws_predictive", pred_kv),
              *t = make("target", tt_kv);
    fc_buf b;
    int cur = 4, changes = 0, pred_wins = 0, tt_wins = 0;
    for (int k = 0; k < 300; k++) {
        /* demand swings between 10 and 70 req/s; 10 req/s per instance */
        as_observation o = tier(S(60) * k, cur, LAMBDA(k) / (10.0 * cur));
        const double m[] = {LAMBDA(k + 1), LAMBDA(k + 2), LAMBDA(k + 3), LAMBDA(k + 4)};
        const as_forecast_view *fc = fc_make(&b, m, 4, 0.2 + 0.1 * (k % 3));
        as_decision dh, dp, dt;
        as_policy_decide(h, &o, fc, &dh);
        as_policy_decide(p, &o, fc, &dp);
        as_policy_decide(t, &o, NULL, &dt);
        int want = dp.desired > dt.desired ? dp.desired : dt.desired;
        cr_assert_eq(dh.desired, want, "k=%d: hybrid %d, parts %d and %d", k, dh.desired,
                     dp.desired, dt.desired);
        changes += dh.desired != cur;
        pred_wins += dp.desired > dt.desired;
        tt_wins += dt.desired > dp.desired;
        cur = dh.desired;
    }
    cr_expect_gt(changes, 5, "the sweep should move the tier");
    cr_expect(pred_wins > 0 && tt_wins > 0, "each part should win somewhere: %d, %d", pred_wins,
              tt_wins);
    as_policy_free(h);
    as_policy_free(p);
    as_policy_free(t);
}

/* Its defaults are its parts' defaults (reactive_target aside, above). */
Test(policy, hybrid_defaults_are_its_parts_defaults)
{
    const as_policy_type *h = as_policy_type_find("hybrid");
    const as_policy_type *p = as_policy_type_find("aws_predictive");
    const as_policy_type *t = as_policy_type_find("target");
    cfg_buf hc, pc, tc;
    cfg_make(h, &hc, NULL);
    cfg_make(p, &pc, NULL);
    cfg_make(t, &tc, NULL);
    int checked = 0;
    for (const as_param_def *d = h->params; d->name; d++) {
        bool reactive = strncmp(d->name, "reactive_", 9) == 0;
        const as_policy_type *part = reactive ? t : p;
        const as_param_def *pd = as_param_find(part->params, d->name + (reactive ? 9 : 0));
        cr_assert_not_null(pd, "hybrid key %s has no counterpart", d->name);
        if (strcmp(d->name, "reactive_target") == 0)
            continue;
        char a[64], c[64];
        as_param_format(d, hc.bytes, a, sizeof a);
        as_param_format(pd, reactive ? tc.bytes : pc.bytes, c, sizeof c);
        cr_expect_str_eq(a, c, "%s", d->name);
        checked++;
    }
    cr_expect_eq(checked, 13);
}

/* ---------------------------------------------------------------- oracle */

/* The least c that meets p95 <= 0.5 s, checked from the definition. */
static void check_least(double lambda, int c)
{
    as_mmc q;
    as_mmc_solve(&q, lambda, 10.0, c, 1.0);
    cr_expect_leq(as_mmc_resp_quantile(&q, 0.95), 0.5 + 1e-9, "c=%d at %g", c, lambda);
    as_mmc_solve(&q, lambda, 10.0, c - 1, 1.0);
    cr_expect_gt(as_mmc_resp_quantile(&q, 0.95), 0.5, "c-1=%d at %g", c - 1, lambda);
}

Test(policy, oracle_meets_slo_with_least_count)
{
    fc_buf b;
    /* Steps end at 60, 120, 180, ... s; boot 120 s: the steps ending after
     * 120 s (from index 2) must be covered. Peak there: 300 req/s. */
    const double rate[] = {100, 100, 300, 200, 150, 150};
    const as_forecast_view *fc = fc_make(&b, rate, 6, 0);
    as_policy *p = make("oracle", NULL);
    as_observation o = tier(0, 5, 0.9);
    int c300 = as_mmc_min_servers(300, 10, 1.0, 0.95, 0.5, 100);
    check_least(300, c300);
    expect(run(p, &o, fc), c300, AS_R_SCALE_OUT);

    /* Scale-in only to what the next boot window needs: the late part of
     * the view drops to 50, the first two steps still carry 200. */
    const double fall[] = {200, 200, 50, 50, 50, 50};
    int c200 = as_mmc_min_servers(200, 10, 1.0, 0.95, 0.5, 100);
    int c50 = as_mmc_min_servers(50, 10, 1.0, 0.95, 0.5, 100);
    check_least(200, c200);
    cr_assert_lt(c50, c200);
    o = tier(S(60), 60, 0.3);
    expect(run(p, &o, fc_make(&b, fall, 6, 0)), c200, AS_R_SCALE_IN);
    /* Once the high steps are behind: down to the late need. */
    const double after[] = {50, 50, 50, 50, 50, 50};
    o = tier(S(180), c200, 0.3);
    expect(run(p, &o, fc_make(&b, after, 6, 0)), c50, AS_R_SCALE_IN);
    /* Below the late need it scales out even if the early part is lower. */
    o = tier(S(240), 1, 0.3);
    expect(run(p, &o, fc_make(&b, rate, 6, 0)), c300, AS_R_SCALE_OUT);
    /* A spike inside the boot time is not bought: capacity requested now
     * could not serve it; only the later 100 req/s is provisioned for. */
    const double spike[] = {400, 400, 100, 100, 100, 100};
    int c100 = as_mmc_min_servers(100, 10, 1.0, 0.95, 0.5, 100);
    o = tier(S(300), 2, 0.9);
    expect(run(p, &o, fc_make(&b, spike, 6, 0)), c100, AS_R_SCALE_OUT);
    as_policy_free(p);

    /* Servers are grouped in instances of `concurrency`, with the
     * Allen-Cunneen factor passed through. */
    p = make("oracle", NULL);
    o = tier(0, 1, 0.5);
    o.concurrency = 4;
    o.scv_factor = 0.5;
    int c = as_mmc_min_servers(300, 10, 0.5, 0.95, 0.5, 400);
    expect(run(p, &o, fc_make(&b, rate, 6, 0)), (c + 3) / 4, AS_R_SCALE_OUT);
    /* Unreachable SLO (service alone too slow): max. */
    o.slo_latency = 0.05;
    expect(run(p, &o, fc_make(&b, rate, 6, 0)), 100, AS_R_AT_MAX);
    as_policy_free(p);
}

/* ----------------------------------------------------- conformance battery */

/* One test per registered kind, templates included: indices into the
 * registry, not pointers, since Criterion may run each test in a fresh
 * process where addresses differ. Adding a kind needs no edit here. */
static int kind_idx[256];

static size_t kind_params(void)
{
    size_t n = 0;
    for (; n < 256 && as_registry_policy(n); n++)
        kind_idx[n] = (int)n;
    return n;
}

#define FOR_EVERY_KIND(test)                                \
    ParameterizedTestParameters(policy, test)               \
    {                                                       \
        size_t n = kind_params();                           \
        return cr_make_param_array(int, kind_idx, n);       \
    }

FOR_EVERY_KIND(conformance)
FOR_EVERY_KIND(conformance_independent_instances)
FOR_EVERY_KIND(conformance_no_allocation_in_decide)
FOR_EVERY_KIND(conformance_time_going_back_aborts)

static bool needs_fc(const as_policy_type *t) { return (t->flags & AS_KIND_NEEDS_FORECAST) != 0; }

/* Build a view of h steps around a level, with some shape. */
static const as_forecast_view *fc_wave(fc_buf *b, double level, int k, bool anomaly)
{
    int h = 12;
    for (int i = 0; i < h; i++) {
        double m = level * (1.0 + 0.5 * sin(0.7 * (i + k)));
        b->mean[i] = m;
        b->lo[i] = m * 0.8;
        b->hi[i] = m * 1.2;
    }
    b->v = (as_forecast_view){.h = h, .step = S(60), .mean = b->mean, .lo = b->lo, .hi = b->hi,
                              .anomaly = anomaly};
    return &b->v;
}

/* Observation number k of a deterministic sweep: all utilisation levels,
 * missing metrics, booting pods, various bounds. */
static as_observation sweep_obs(int k, int cur)
{
    static const double us[] = {NAN, 0.0, 0.05, 0.3, 0.5, 0.69, 0.8, 0.85, 1.0, 2.5, 20.0, NAN};
    int nu = (int)(sizeof us / sizeof us[0]);
    as_observation o = tier(S(15) * k, cur, us[k % nu]);
    o.min = (k / 7) % 3; /* 0, 1, 2 */
    o.max = 40 + (k % 5) * 10;
    if (o.current < o.min)
        o.current = o.min;
    if (o.current > o.max)
        o.current = o.max;
    o.booting = (k % 4 == 1 && o.current > 1) ? o.current / 2 : 0;
    o.ready = o.current - o.booting;
    if (o.ready == 0)
        o.utilization = NAN;
    if (k % 9 == 4)
        o.rate = NAN;
    return o;
}

/* The view of decision k of the sweep (NULL for kinds without one, and
 * now and then for the others), sometimes flagged or broken. */
static const as_forecast_view *sweep_fc(const as_policy_type *t, fc_buf *b, int k)
{
    if (!needs_fc(t) || k % 13 == 6)
        return NULL;
    const as_forecast_view *fc = fc_wave(b, 20.0 + (k % 50) * 4, k, k % 17 == 3);
    if (k % 23 == 5)
        b->mean[2] = NAN; /* a broken view must not break the policy */
    return fc;
}

ParameterizedTest(int *ip, policy, conformance)
{
    const as_policy_type *t = as_registry_policy((size_t)*ip);
    cr_assert_not_null(t);
    bool tmpl = (t->flags & AS_KIND_TEMPLATE) != 0;
    as_err err = {0};
    cr_expect_eq(as_registry_check_policy(t, tmpl, &err), AS_OK, "%s", err.msg);
    cr_expect_eq(as_registry_find(AS_FAMILY_POLICY, t->name), &t->kind, "%s", t->name);
    cr_expect_eq(as_policy_type_find(t->name), tmpl ? NULL : t, "%s", t->name);

    /* Every key documented, and its default survives format -> parse. */
    cfg_buf cb, cb2;
    cfg_make(t, &cb, NULL);
    memcpy(&cb2, &cb, sizeof cb);
    for (const as_param_def *d = t->params; d && d->name; d++) {
        cr_expect(d->help && d->help[0], "%s.%s has no help", t->name, d->name);
        char text[300];
        as_param_format(d, cb.bytes, text, sizeof text);
        cr_expect_eq(as_param_set(t->params, cb2.bytes, d->name, text, &err), AS_OK,
                     "%s.%s = %s: %s", t->name, d->name, text, err.msg);
    }
    cr_expect_eq(memcmp(cb.bytes, cb2.bytes, t->config_size), 0, "%s: round trip", t->name);

    /* Defaults create through the wrapper (cfg NULL), and the kind alone
     * in a state of its state_size, as the wrapper lays it out. */
    as_policy *w = as_policy_new(t, NULL, &err);
    cr_assert_not_null(w, "%s: %s", t->name, err.msg);
    cr_expect_eq(as_policy_kind(w), t);
    void *st = calloc(1, t->state_size ? t->state_size : 1);
    cr_assert_not_null(st);
    cr_assert_eq(t->init(t->state_size ? st : NULL, cb.bytes, &err), AS_OK, "%s: %s", t->name,
                 err.msg);

    /* Grid of observations, applied as a cluster would apply them; the
     * kind's own decide() must already respect [min, max]. */
    int cur_w = 5, cur_d = 5;
    fc_buf b;
    as_observation o2 = {0};
    for (int k = 0; k < 400; k++) {
        const as_forecast_view *fc = sweep_fc(t, &b, k);
        as_observation o = sweep_obs(k, cur_d);
        as_decision d = {o.current, o.current, AS_R_NONE};
        t->decide(t->state_size ? st : NULL, &o, fc, &d);
        cr_assert(d.desired >= o.min && d.desired <= o.max,
                  "%s k=%d: desired %d outside [%d, %d] (cur %d, u %g, %s)", t->name, k,
                  d.desired, o.min, o.max, o.current, o.utilization, as_reason_name(d.reason));
        cr_assert(d.reason >= 0 && d.reason < AS_R_COUNT, "%s: reason %d", t->name, d.reason);
        if (isnan(o.utilization) && !needs_fc(t))
            cr_expect_geq(d.desired, o.current, "%s k=%d: scale-in on a missing metric",
                          t->name, k);
        cur_d = d.desired;

        o2 = sweep_obs(k, cur_w);
        as_decision d2;
        as_policy_decide(w, &o2, fc, &d2);
        cr_assert(d2.desired >= o2.min && d2.desired <= o2.max, "%s k=%d (wrapper)", t->name, k);
        cur_w = d2.desired;
    }
    /* the time rule allows a second decision at the same time */
    as_decision d3;
    as_policy_decide(w, &o2, NULL, &d3);
    if (t->fini)
        t->fini(t->state_size ? st : NULL);
    free(st);
    as_policy_free(w);
}

/* Two instances interleaved give the same decisions as each one alone. */
ParameterizedTest(int *ip, policy, conformance_independent_instances)
{
    const as_policy_type *t = as_registry_policy((size_t)*ip);
    enum { N = 120 };
    int alone[2][N];
    fc_buf b;
    for (int which = 0; which < 2; which++) {
        as_policy *p = as_policy_new(t, NULL, NULL);
        cr_assert_not_null(p);
        int cur = which ? 30 : 3;
        for (int k = 0; k < N; k++) {
            as_observation o = sweep_obs(k + which * 5, cur);
            const as_forecast_view *fc = needs_fc(t) ? fc_wave(&b, which ? 300 : 15, k, false) : NULL;
            as_decision d;
            as_policy_decide(p, &o, fc, &d);
            alone[which][k] = cur = d.desired;
        }
        as_policy_free(p);
    }
    as_policy *a = as_policy_new(t, NULL, NULL), *c = as_policy_new(t, NULL, NULL);
    cr_assert(a && c);
    int cur[2] = {3, 30};
    for (int k = 0; k < N; k++) {
        for (int which = 0; which < 2; which++) {
            as_observation o = sweep_obs(k + which * 5, cur[which]);
            const as_forecast_view *fc = needs_fc(t) ? fc_wave(&b, which ? 300 : 15, k, false) : NULL;
            as_decision d;
            as_policy_decide(which ? c : a, &o, fc, &d);
            cur[which] = d.desired;
            cr_assert_eq(d.desired, alone[which][k], "%s: instance %d differs at k=%d", t->name,
                         which, k);
        }
    }
    as_policy_free(a);
    as_policy_free(c);
}

/* decide() takes no memory: every allocator call of the project is counted
 * (tests/test_alloc.c) over the whole sweep. */
ParameterizedTest(int *ip, policy, conformance_no_allocation_in_decide)
{
    const as_policy_type *t = as_registry_policy((size_t)*ip);
    as_err err = {0};
    long at_new = test_alloc_count();
    as_policy *p = as_policy_new(t, NULL, &err);
    cr_assert_not_null(p, "%s: %s", t->name, err.msg);
    cr_assert_gt(test_alloc_count(), at_new, "the allocation counter sees nothing");
    fc_buf b;
    int cur = 5;
    long before = test_alloc_count();
    for (int k = 0; k < 400; k++) {
        as_observation o = sweep_obs(k, cur);
        as_decision d;
        as_policy_decide(p, &o, sweep_fc(t, &b, k), &d);
        cur = d.desired;
    }
    long calls = test_alloc_count() - before;
    as_policy_free(p);
    cr_expect_eq(calls, 0, "%s: %ld allocations in 400 decisions", t->name, calls);
}

/* A driver that goes back in time has a bug: the wrapper asserts (test
 * builds keep asserts on). */
ParameterizedTest(int *ip, policy, conformance_time_going_back_aborts, .signal = SIGABRT)
{
    const as_policy_type *t = as_registry_policy((size_t)*ip);
    as_policy *p = as_policy_new(t, NULL, NULL);
    cr_assert_not_null(p);
    fc_buf b;
    as_observation o = sweep_obs(20, 5);
    as_decision d;
    as_policy_decide(p, &o, sweep_fc(t, &b, 20), &d);
    o.now -= 1;
    th_expect_crash();
    as_policy_decide(p, &o, sweep_fc(t, &b, 20), &d); /* aborts */
    as_policy_free(p);
}

Test(policy, registry_lists_every_kind)
{
    static const char *const kinds[] = {"static",     "threshold",      "hpa",
                                        "target",     "step",           "predictive",
                                        "aws_predictive", "hybrid",     "oracle"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        cr_expect_not_null(as_policy_type_find(kinds[i]), "%s", kinds[i]);
    cr_expect_null(as_policy_type_find("nope"));
    cr_expect_null(as_policy_type_find(NULL));
    for (const as_policy_type *const *t = as_policy_types(); *t; t++)
        cr_expect_eq(as_policy_type_find((*t)->name), *t);
    cr_expect(as_policy_type_find("predictive")->flags & AS_KIND_NEEDS_FORECAST);
    cr_expect(as_policy_type_find("aws_predictive")->flags & AS_KIND_NEEDS_FORECAST);
    cr_expect(as_policy_type_find("hybrid")->flags & AS_KIND_NEEDS_FORECAST);
    cr_expect(as_policy_type_find("oracle")->flags & AS_KIND_NEEDS_FORECAST);
    cr_expect(!(as_policy_type_find("hpa")->flags & AS_KIND_NEEDS_FORECAST));
    as_policy_free(NULL); /* no-op */
}
