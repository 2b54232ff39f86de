/* test_policy_aws.c - the AWS kinds against AWS's documented semantics:
 * target tracking, step scaling (alarms, warm-up, cooldown) and predictive
 * scaling (expected values worked out in the comments). */
#include "test_policy.h"

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
