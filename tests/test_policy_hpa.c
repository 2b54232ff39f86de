/* test_policy_hpa.c - the hpa kind against the Kubernetes HPA controller's
 * documented behaviour: tolerance, rounding, stabilization windows,
 * behavior policies, unready pods, metric types (expected values worked
 * out in the comments). */
#include "test_policy.h"

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

/* What an HPA says it reads beyond utilization (the driver monitors only
 * that) is all its metrics read: the other signals, the rate and the
 * latency set to values that would move every proposal leave the decision
 * as it was. A kind that does not say is given everything. */
Test(policy, hpa_reads_only_the_signals_it_declares)
{
    as_observation o = tier(0, 10, 0.40);
    double sig[AS_SIG_COUNT] = {[AS_SIG_RPS_POD] = 75.0, [AS_SIG_QUEUE] = 240.0,
                                [AS_SIG_INFLIGHT] = 30.0, [AS_SIG_MEMORY] = 600.0};
    o.rate = 750.0;
    struct {
        const char *metrics;
        unsigned mask;
    } cases[] = {
        {"auto", 0},
        {"resource:cpu:averagevalue:200m", 0},
        {"object:rps:value:500", AS_OBS_RATE},
        {"pods:rps:averagevalue:50", 1u << AS_SIG_RPS_POD},
        {"resource:cpu:utilization:80, external:queue:value:100", 1u << AS_SIG_QUEUE},
        {"pods:queue:averagevalue:12, pods:inflight:averagevalue:2",
         1u << AS_SIG_QUEUE | 1u << AS_SIG_INFLIGHT},
        {"resource:memory:averagevalue:500, pods:rps:averagevalue:50",
         1u << AS_SIG_MEMORY | 1u << AS_SIG_RPS_POD},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        as_policy *p = make("hpa", (const char *[]){"metrics", cases[i].metrics, NULL});
        unsigned m = as_policy_signals(p);
        cr_expect_eq(m, cases[i].mask, "%s: mask %#x, expected %#x", cases[i].metrics, m,
                     cases[i].mask);
        for (int k = 0; k < AS_SIG_COUNT; k++)
            o.signal[k] = sig[k];
        o.rate = 750.0;
        o.latency = 0.1;
        as_decision all = run(p, &o, NULL);
        as_policy_free(p);
        p = make("hpa", (const char *[]){"metrics", cases[i].metrics, NULL});
        for (int k = 0; k < AS_SIG_COUNT; k++)
            o.signal[k] = m >> k & 1u ? sig[k] : 1e6; /* (a driver leaves them 0) */
        o.rate = m & AS_OBS_RATE ? 750.0 : 1e6;
        o.latency = m & AS_OBS_LATENCY ? 0.1 : 1e6;
        as_decision some = run(p, &o, NULL);
        cr_expect_eq(some.raw, all.raw, "%s: raw %d with only its signals, %d with all",
                     cases[i].metrics, some.raw, all.raw);
        as_policy_free(p);
    }
    as_policy *p = make("step", NULL);
    cr_expect_eq(as_policy_signals(p), AS_OBS_ALL);
    as_policy_free(p);
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
