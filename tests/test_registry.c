/* test_registry.c - the registry of plug-in kinds (core/as_registry.c), the
 * shared kind head and instance path (core/as_kind.c), and the typed
 * parameter copy that composes kinds (as_param_copy, used by hybrid).
 * Per-kind conformance batteries live in test_policy.c, test_forecast.c
 * and test_detect.c; they iterate the registry, templates included. */
#include "as_registry.h"
#include "test_alloc.h"

#include <criterion/criterion.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Every registered kind passes the registry's rules. */
Test(registry, every_kind_passes_the_rules)
{
    as_err err = {0};
    cr_assert_eq(as_registry_check(&err), AS_OK, "%s", err.msg);
}

/* Each family has a template; templates are reachable through the
 * registry only, and the users' lists are the registry minus them, in
 * order. */
Test(registry, templates_are_registered_and_hidden)
{
    for (int f = 0; f < AS_FAMILY_COUNT; f++) {
        int templates = 0;
        size_t users = 0;
        const as_kind *k;
        for (size_t i = 0; (k = as_registry_kind((as_family)f, i)) != NULL; i++) {
            cr_expect_eq(as_registry_find((as_family)f, k->name), k);
            const as_kind *user = NULL;
            const as_policy_type *const *pl = as_policy_types();
            const as_forecaster_type *const *fl = as_forecaster_types();
            const as_detector_type *const *dl = as_detector_types();
            if (f == AS_FAMILY_POLICY && as_policy_type_find(k->name))
                user = &as_policy_type_find(k->name)->kind;
            if (f == AS_FAMILY_FORECASTER && as_forecaster_type_find(k->name))
                user = &as_forecaster_type_find(k->name)->kind;
            if (f == AS_FAMILY_DETECTOR && as_detector_type_find(k->name))
                user = &as_detector_type_find(k->name)->kind;
            if (k->flags & AS_KIND_TEMPLATE) {
                templates++;
                cr_expect_null(user, "%s template '%s' is visible to users",
                               as_family_name((as_family)f), k->name);
                continue;
            }
            cr_expect_eq(user, k, "%s '%s'", as_family_name((as_family)f), k->name);
            const as_kind *listed = f == AS_FAMILY_POLICY       ? &pl[users]->kind
                                    : f == AS_FAMILY_FORECASTER ? &fl[users]->kind
                                                                : &dl[users]->kind;
            cr_expect_eq(listed, k, "user list differs at %zu", users);
            users++;
        }
        cr_expect_geq(templates, 1, "%s has no copy-me template", as_family_name((as_family)f));
        size_t n = 0;
        if (f == AS_FAMILY_POLICY)
            while (as_policy_types()[n])
                n++;
        else if (f == AS_FAMILY_FORECASTER)
            while (as_forecaster_types()[n])
                n++;
        else
            while (as_detector_types()[n])
                n++;
        cr_expect_eq(n, users, "%s: the user list has %zu kinds, the registry %zu",
                     as_family_name((as_family)f), n, users);
    }
    cr_expect_null(as_policy_type_find("template"));
    cr_expect_null(as_forecaster_type_find("template"));
    cr_expect_null(as_detector_type_find("template"));
    cr_expect_null(as_registry_find(AS_FAMILY_POLICY, "no_such_kind"));
    cr_expect_null(as_registry_find(AS_FAMILY_POLICY, NULL));
    cr_expect_null(as_registry_kind(AS_FAMILY_COUNT, 0));
}

/* What the flags say of the kinds that exist, in place of their names. */
Test(registry, flags_describe_the_kinds)
{
    cr_expect(as_policy_flags_of("oracle") & AS_KIND_SEES_FUTURE);
    cr_expect(as_policy_flags_of("oracle") & AS_KIND_NEEDS_FORECAST);
    cr_expect_eq(as_policy_flags_of("hpa") & AS_KIND_CONF_AWS, 0u);
    cr_expect(as_policy_flags_of("hpa") & AS_KIND_CONF_K8S_HPA);
    cr_expect(as_policy_flags_of("target") & AS_KIND_CONF_AWS_TARGET);
    cr_expect(as_policy_flags_of("step") & AS_KIND_CONF_AWS_STEP);
    cr_expect(as_policy_flags_of("aws_predictive") & AS_KIND_CONF_AWS_PREDICTIVE);
    cr_expect(as_policy_flags_of("hybrid") & AS_KIND_NEEDS_FORECAST);
    cr_expect_eq(as_policy_flags_of("hybrid") & AS_KIND_SEES_FUTURE, 0u);
    cr_expect_eq(as_policy_flags_of("no_such_kind"), 0u);
    cr_expect_eq(as_policy_flags_of("template"), 0u); /* hidden from names users give */
    int seers = 0;
    for (const as_policy_type *const *t = as_policy_types(); *t; t++)
        seers += ((*t)->flags & AS_KIND_SEES_FUTURE) != 0;
    cr_expect_geq(seers, 1, "no kind gives the offline bound");
}

/* The rules refuse what a careless copy of a template would do. Each case
 * breaks one rule of a copy of the policy template. */
Test(registry, rules_refuse_broken_kinds)
{
    const as_policy_type *tp = (const as_policy_type *)(const void *)as_registry_find(
        AS_FAMILY_POLICY, "template");
    cr_assert_not_null(tp);
    as_err err = {0};
    cr_assert_eq(as_registry_check_policy(tp, true, &err), AS_OK, "%s", err.msg);
    /* registered as a user kind without clearing the flag */
    cr_expect_eq(as_registry_check_policy(tp, false, &err), AS_EINVAL);
    cr_expect(strstr(err.msg, "AS_KIND_TEMPLATE"), "%s", err.msg);

    static const as_param_def outside[] = {
        {"far", AS_P_DOUBLE, 4096, 0, 1, NULL, 0, "beyond the config struct"}, {0}};
    static const as_param_def no_help[] = {{"bare", AS_P_INT, 0, 0, 1, NULL, 0, NULL}, {0}};
    struct {
        const char *what, *msg;
        as_policy_type t;
    } bad[] = {
        {"version", "version", *tp},       {"name", "name", *tp},
        {"no decide", "decide", *tp},      {"interval", "default_interval", *tp},
        {"seer", "SEES_FUTURE", *tp},      {"two AWS types", "AWS", *tp},
        {"key outside", "outside", *tp},   {"key without help", "help", *tp},
    };
    bad[0].t.version = AS_KIND_VERSION + 1;
    bad[1].t.name = "Has Spaces";
    bad[2].t.decide = NULL;
    bad[3].t.default_interval = 0;
    bad[4].t.flags |= AS_KIND_SEES_FUTURE;
    bad[5].t.flags |= AS_KIND_CONF_AWS_TARGET | AS_KIND_CONF_AWS_STEP;
    bad[6].t.params = outside;
    bad[7].t.params = no_help;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        as_err e = {0};
        cr_expect_eq(as_registry_check_policy(&bad[i].t, true, &e), AS_EINVAL, "%s", bad[i].what);
        cr_expect(strstr(e.msg, bad[i].msg), "%s: %s", bad[i].what, e.msg);
    }

    /* policy flags on another family */
    const as_forecaster_type *fp = (const as_forecaster_type *)(const void *)as_registry_find(
        AS_FAMILY_FORECASTER, "template");
    cr_assert_not_null(fp);
    as_forecaster_type f = *fp;
    cr_expect_eq(as_registry_check_forecaster(&f, true, &err), AS_OK, "%s", err.msg);
    f.flags |= AS_KIND_SEES_FUTURE;
    cr_expect_eq(as_registry_check_forecaster(&f, true, &err), AS_EINVAL);
    cr_expect(strstr(err.msg, "policy flags"), "%s", err.msg);
    f = *fp;
    f.update = NULL;
    cr_expect_eq(as_registry_check_forecaster(&f, true, &err), AS_EINVAL);
    const as_detector_type *dp = (const as_detector_type *)(const void *)as_registry_find(
        AS_FAMILY_DETECTOR, "template");
    cr_assert_not_null(dp);
    as_detector_type d = *dp;
    cr_expect_eq(as_registry_check_detector(&d, true, &err), AS_OK, "%s", err.msg);
    d.observe = NULL;
    cr_expect_eq(as_registry_check_detector(&d, true, &err), AS_EINVAL);
}

/* ---- the one instance path --------------------------------------------- */

static int init_calls;
static int fini_calls;
static int fail_init(void *state, const void *cfg, as_err *err)
{
    (void)cfg;
    init_calls++;
    cr_expect_eq(((unsigned char *)state)[0], 0, "state not zeroed");
    ((unsigned char *)state)[0] = 1; /* something fini must see */
    return as_err_set(err, AS_EINVAL, "key 'x': refused");
}
static void count_fini(void *state)
{
    cr_expect_eq(((unsigned char *)state)[0], 1, "fini did not get init's state");
    fini_calls++;
}
static void no_decide(void *s, const as_observation *o, const as_forecast_view *v, as_decision *d)
{
    (void)s, (void)o, (void)v, (void)d;
}

/* A failing init still gets fini (on the state it left), nothing leaks
 * (make asan), and the kind's message and code come back. */
static unsigned reads_queue(const void *state)
{
    (void)state;
    return 1u << AS_SIG_QUEUE;
}

/* A kind of an older interface version is still taken, its newer methods
 * read as absent: a version 1 policy is given every signal whatever its
 * signals slot holds; below the oldest version a kind is refused. */
Test(registry, an_older_kind_is_taken_without_its_newer_methods)
{
    as_policy_type t = *as_policy_type_find("threshold");
    t.version = AS_KIND_VERSION;
    t.signals = reads_queue;
    as_err err = {0};
    cr_assert_eq(as_registry_check_policy(&t, false, &err), AS_OK, "%s", err.msg);
    as_policy *p = as_policy_new(&t, NULL, &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_expect_eq(as_policy_signals(p), 1u << AS_SIG_QUEUE);
    as_policy_free(p);
    t.version = 1;
    cr_assert_eq(as_registry_check_policy(&t, false, &err), AS_OK, "%s", err.msg);
    p = as_policy_new(&t, NULL, &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_expect_eq(as_policy_signals(p), AS_OBS_ALL);
    as_policy_free(p);
    t.version = AS_KIND_VERSION_MIN - 1;
    cr_expect_eq(as_registry_check_policy(&t, false, &err), AS_EINVAL);
    cr_expect_null(as_policy_new(&t, NULL, &err));
    cr_expect(strstr(err.msg, "version"), "%s", err.msg);
}

Test(registry, failed_init_is_cleaned_up_by_fini)
{
    as_policy_type t = {.version = AS_KIND_VERSION, .name = "failing", .state_size = 64,
                        .fini = count_fini, .default_interval = AS_SEC, .init = fail_init,
                        .decide = no_decide};
    as_err err = {0};
    cr_expect_null(as_policy_new(&t, NULL, &err));
    cr_expect_eq(err.code, AS_EINVAL);
    cr_expect_str_eq(err.msg, "key 'x': refused");
    cr_expect_eq(init_calls, 1);
    cr_expect_eq(fini_calls, 1);
    t.version = AS_KIND_VERSION + 1; /* refused before anything is made */
    cr_expect_null(as_policy_new(&t, NULL, &err));
    cr_expect_eq(err.code, AS_EINVAL);
    cr_expect(strstr(err.msg, "version"), "%s", err.msg);
    cr_expect_eq(init_calls, 1);
    cr_expect_null(as_policy_new(NULL, NULL, &err));
    cr_expect_eq(err.code, AS_EINVAL);
}

/* One block per instance: the state lives in it (gsl_rng pattern). */
Test(registry, an_instance_is_one_allocation_plus_the_kinds_own)
{
    const as_policy_type *t = as_policy_type_find("target"); /* init takes no memory */
    cr_assert_not_null(t);
    cr_assert_gt(t->state_size, 0);
    const as_policy_type *cfgless = as_policy_type_find("oracle");
    long before = test_alloc_count();
    as_policy *p = as_policy_new(cfgless, NULL, NULL); /* config: 1 byte, instance: 1 */
    long mid = test_alloc_count();
    as_policy *q = as_policy_new(t, NULL, NULL); /* config with defaults, instance */
    long after = test_alloc_count();
    cr_assert(p && q);
    cr_expect_eq(mid - before, 2);
    cr_expect_eq(after - mid, 2);
    as_policy_free(p);
    as_policy_free(q);
}

/* ---- typed copy of parameters (how hybrid composes kinds) -------------- */

typedef struct {
    double d;
    int i;
    as_time dur;
    int e;
    bool b;
    char s[8];
} pc_cfg;

static const char *const abc[] = {"a", "b", "c", NULL};
static const char *const cb[] = {"c", "b", NULL};

static const as_param_def from_defs[] = {
    {"dval", AS_P_DOUBLE, offsetof(pc_cfg, d), -1e9, 1e9, NULL, 0, "x"},
    {"ival", AS_P_INT, offsetof(pc_cfg, i), -100, 100, NULL, 0, "x"},
    {"dur", AS_P_DURATION, offsetof(pc_cfg, dur), 0, 1e6, NULL, 0, "x"},
    {"enm", AS_P_ENUM, offsetof(pc_cfg, e), 0, 0, abc, 0, "x"},
    {"flag", AS_P_BOOL, offsetof(pc_cfg, b), 0, 0, NULL, 0, "x"},
    {"str", AS_P_STRING, offsetof(pc_cfg, s), 0, 0, NULL, 8, "x"},
    {0}};
static const as_param_def to_defs[] = {
    {"dval", AS_P_DOUBLE, offsetof(pc_cfg, d), 0, 1, NULL, 0, "x"},
    {"ival", AS_P_INT, offsetof(pc_cfg, i), 0, 10, NULL, 0, "x"},
    {"dur", AS_P_DURATION, offsetof(pc_cfg, dur), 0, 60, NULL, 0, "x"},
    {"enm", AS_P_ENUM, offsetof(pc_cfg, e), 0, 0, cb, 0, "x"},
    {"flag", AS_P_BOOL, offsetof(pc_cfg, b), 0, 0, NULL, 0, "x"},
    {"str", AS_P_STRING, offsetof(pc_cfg, s), 0, 0, NULL, 4, "x"},
    {0}};

Test(registry, param_copy_is_typed_and_checked)
{
    /* a value that text at 6 digits would round: copied bit for bit */
    pc_cfg from = {.d = 0.1234567890123, .i = 7, .dur = 1500 * AS_MSEC, .e = 2, .b = true,
                   .s = "abc"};
    pc_cfg to;
    memset(&to, 0, sizeof to);
    for (int k = 0; k < 6; k++) {
        as_err err = {0};
        cr_expect_eq(as_param_copy(&to_defs[k], &to, &from_defs[k], &from, &err), AS_OK, "%s: %s",
                     to_defs[k].name, err.msg);
    }
    cr_expect_eq(memcmp(&to.d, &from.d, sizeof to.d), 0);
    cr_expect_eq(to.i, 7);
    cr_expect_eq(to.dur, 1500 * AS_MSEC);
    cr_expect_eq(to.e, 0, "enum matched by name: 'c' is choice 0 of the target");
    cr_expect(to.b);
    cr_expect_str_eq(to.s, "abc");

    /* out of the target's bounds, unknown choice, too long, other type:
     * refused, and nothing written */
    pc_cfg big = {.d = 2.0, .i = 11, .dur = 61 * AS_SEC, .e = 0, .b = false, .s = "abcd"};
    const char *const names[] = {"dval", "ival", "dur", "enm", NULL, "str"};
    for (int k = 0; k < 6; k++) {
        if (names[k] == NULL)
            continue;
        pc_cfg before;
        memcpy(&before, &to, sizeof to);
        as_err err = {0};
        cr_expect_eq(as_param_copy(&to_defs[k], &to, &from_defs[k], &big, &err), AS_EINVAL, "%s",
                     names[k]);
        cr_expect(strstr(err.msg, names[k]), "%s", err.msg);
        cr_expect_eq(memcmp(&before, &to, sizeof to), 0, "%s: written on rejection", names[k]);
    }
    as_err err = {0};
    cr_expect_eq(as_param_copy(&to_defs[0], &to, &from_defs[1], &from, &err), AS_EINVAL);
    cr_expect(strstr(err.msg, "another type"), "%s", err.msg);
}
