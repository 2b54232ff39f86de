/* test_policy_plan.c - the planning kinds: predictive's cost-minimising
 * choices, hybrid as its parts, and the oracle's least count meeting the
 * SLO. */
#include "test_policy.h"

/* ------------------------------------------------------------ predictive */

/* A view of n steps of 15 s, the interval +-w x mean, at 90 % coverage. */
static const as_forecast_view *fc_15(fc_buf *b, const double *mean, int n, double w)
{
    fc_make(b, mean, n, w);
    b->v.step = S(15);
    b->v.coverage = 0.9;
    return &b->v;
}

/* A flat view of 20 steps of 15 s at v, the interval +-5 %. */
static const as_forecast_view *fc_flat(fc_buf *b, double v)
{
    double m[20];
    for (int i = 0; i < 20; i++)
        m[i] = v;
    return fc_15(b, m, 20, 0.05);
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

/* A sizer's law: each server serves `per` req/s within the SLO. */
static double per_server;
static double law_max_rate(void *ud, int servers)
{
    (void)ud;
    return servers * per_server;
}

/* With the run's own law (obs->sizer->max_rate), a certain forecast is
 * planned with that law, not with M/M/c: a law where a server serves 4
 * req/s within the SLO needs ceil(55 / 4) = 14 servers; one where it
 * serves 2.5 needs 22; M/M/c alone gives neither (7). */
Test(policy, predictive_plans_with_the_runs_own_law)
{
    const double flat[20] = {55, 55, 55, 55, 55, 55, 55, 55, 55, 55,
                             55, 55, 55, 55, 55, 55, 55, 55, 55, 55};
    int mmc = as_mmc_min_servers(55, 10, 1.0, 0.95, 0.5, 100);
    const double per[2] = {4, 2.5};
    const int want[2] = {14, 22};
    for (int k = 0; k < 2; k++) {
        cr_assert_neq(want[k], mmc);
        per_server = per[k];
        as_sizer sz = {.max_rate = law_max_rate};
        fc_buf b;
        as_policy *p = make("predictive", NULL);
        as_observation o = tier_pr(0, 2, 20);
        o.sizer = &sz;
        expect(run(p, &o, fc_15(&b, flat, 20, 0)), want[k], AS_R_PREDICTIVE);
        as_policy_free(p);
    }
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
    fc_buf b;
    as_policy *p = make("predictive", NULL);
    as_observation o = tier_pr(0, 4, 20);
    as_decision d = run(p, &o, fc_flat(&b, 20));
    int calm = d.desired;
    cr_expect_leq(calm, 4);
    /* 15 s later: 40 req/s against a forecast of 20 [19, 21] */
    o = tier_pr(S(15), calm, 40);
    d = run(p, &o, fc_flat(&b, 20));
    int need = as_mmc_min_servers(40 + (40 - 20), 10, 1.0, 0.95, 0.5, 100);
    cr_expect_geq(d.desired, need, "%d < %d", d.desired, need);
    cr_expect_eq(d.reason, AS_R_SURPRISE, "%s", as_reason_name(d.reason));
    as_policy_free(p);
    /* a backlog: 20 req/s as forecast, but the latency is 60 s: some 2400
     * requests wait, to drain within a boot time (120 s) at +20 req/s */
    p = make("predictive", NULL);
    o = tier_pr(0, 4, 20);
    run(p, &o, fc_flat(&b, 20));
    o = tier_pr(S(15), 4, 20);
    o.latency = 60.0;
    d = run(p, &o, fc_flat(&b, 20));
    cr_expect_geq(d.desired, as_mmc_min_servers(39, 10, 1.0, 0.95, 0.5, 100), "%d", d.desired);
    cr_expect_eq(d.reason, AS_R_SURPRISE, "%s", as_reason_name(d.reason));
    as_policy_free(p);
}

/* A backlog's scale-out is for its drain: kept while the latency seen
 * stays as high, and gone at once when it is back under the SLO, not held
 * by the scale-in window as a forecast's plan is. */
Test(policy, predictive_drains_a_backlog_without_holding_it)
{
    fc_buf b;
    as_policy *p = make("predictive", NULL);
    as_observation o = tier_pr(0, 8, 50);
    int calm = run(p, &o, fc_flat(&b, 50)).desired;
    /* 50 req/s against 80 of service, but 60 s of latency: 4800 waiting,
     * to drain at +40 req/s */
    o = tier_pr(S(15), 8, 50);
    o.latency = 60.0;
    as_decision d = run(p, &o, fc_flat(&b, 50));
    int drain = d.desired;
    cr_expect_eq(d.reason, AS_R_SURPRISE, "%s", as_reason_name(d.reason));
    cr_assert_gt(drain, calm + 3, "%d against %d", drain, calm);
    /* the same latency seen again: kept */
    o = tier_pr(S(30), drain, 50);
    o.latency = 60.0;
    d = run(p, &o, fc_flat(&b, 50));
    cr_expect_geq(d.desired, drain, "%d, was %d", d.desired, drain);
    /* drained: well inside the 5-minute window, back to the calm plan */
    o = tier_pr(S(45), d.desired, 50);
    o.latency = 0.2;
    d = run(p, &o, fc_flat(&b, 50));
    cr_expect_leq(d.desired, calm + 1, "%d against %d", d.desired, calm);
    cr_expect_eq(d.reason, AS_R_SCALE_IN, "%s", as_reason_name(d.reason));
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

/* Scale-in keeps a margin of one step of forecast error: with no time
 * window, a tier of 20 instances facing 40 req/s +-16 keeps what the same
 * forecast raised by 16 (56 req/s +-16) would plan, which is more than the
 * forecast alone plans; with a narrow interval the margin vanishes and it
 * scales in to that plan. */
Test(policy, predictive_scale_in_keeps_one_step_of_forecast_error)
{
    double m40[20], m56[20];
    for (int i = 0; i < 20; i++)
        m40[i] = 40, m56[i] = 56;
    fc_buf b;
    as_policy *p = make("predictive", (const char *[]){"scale_in_window", "0s", NULL});
    as_observation o = tier_pr(0, 1, 40);
    int plain = run(p, &o, fc_15(&b, m40, 20, 0.4)).desired; /* 40 +-16: the plan */
    as_policy_free(p);
    p = make("predictive", (const char *[]){"scale_in_window", "0s", NULL});
    o = tier_pr(0, 1, 40);
    int raised = run(p, &o, fc_15(&b, m56, 20, 16.0 / 56)).desired; /* 56 +-16 */
    as_policy_free(p);
    cr_assert_gt(raised, plain, "the margin should matter here: %d vs %d", raised, plain);
    cr_assert_lt(raised, 20);
    p = make("predictive", (const char *[]){"scale_in_window", "0s", NULL});
    o = tier_pr(0, 20, 40);
    expect(run(p, &o, fc_15(&b, m40, 20, 0.4)), raised, AS_R_SCALE_IN);
    o = tier_pr(S(15), raised, 40);
    expect(run(p, &o, fc_15(&b, m40, 20, 0.4)), raised, AS_R_STABILIZED);
    o = tier_pr(S(30), raised, 40);
    as_decision d = run(p, &o, fc_15(&b, m40, 20, 0.001));
    cr_expect_lt(d.desired, raised, "a narrow interval should release the margin: %d", d.desired);
    cr_expect_eq(d.reason, AS_R_SCALE_IN, "%s", as_reason_name(d.reason));
    as_policy_free(p);
}

/* A lasting surprise is extrapolated: a rate above the forecast's upper
 * bound at every decision for longer than twice the data's age (60 s here)
 * is the load's own rise, and the count requested now serves a boot time
 * later, so the plan follows the rise at its pace (4 req/s a step) over its
 * steps. A tier that sees the same last rate after a single surprise gets
 * the one-step floor only, and fewer instances. */
Test(policy, predictive_extrapolates_a_lasting_surprise)
{
    double flat[20];
    for (int i = 0; i < 20; i++)
        flat[i] = 20;
    fc_buf b;
    as_policy *p = make("predictive", NULL);
    as_observation o;
    as_decision lasting = {0};
    for (int k = 0; k <= 8; k++) { /* 20, 26, 30, ..., 54 req/s against 20 +-1 */
        double y = k == 0 ? 20 : 22 + 4 * k;
        o = tier_pr(S(15) * k, 4, y);
        lasting = run(p, &o, fc_15(&b, flat, 20, 0.05));
    }
    as_policy_free(p);
    p = make("predictive", NULL);
    o = tier_pr(0, 4, 20);
    run(p, &o, fc_15(&b, flat, 20, 0.05));
    o = tier_pr(S(120), 4, 54);
    as_decision once = run(p, &o, fc_15(&b, flat, 20, 0.05));
    as_policy_free(p);
    cr_expect_eq(lasting.reason, AS_R_SURPRISE, "%s", as_reason_name(lasting.reason));
    cr_expect_eq(once.reason, AS_R_SURPRISE, "%s", as_reason_name(once.reason));
    cr_expect_geq(once.desired, as_mmc_min_servers(54 + 34, 10, 1.0, 0.95, 0.5, 100), "%d",
                  once.desired);
    cr_expect_gt(lasting.desired, once.desired, "lasting %d, once %d", lasting.desired,
                 once.desired);
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
