/* test_policy.c - the conformance battery run over every registered
 * policy kind, the copy-me template included: the registry's rules,
 * defaults create, parameter round trip, desired always within [min, max]
 * on a grid of observations including NAN metrics, two interleaved
 * instances that do not share state, no allocation in decide(), and the
 * time rule. The kinds' behaviours are test_policy_hpa.c (Kubernetes),
 * test_policy_aws.c (AWS) and test_policy_plan.c (predictive, hybrid,
 * oracle). */
#include "test_policy.h"

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
