/* test_hpa_upstream_rules.c - horizontal.go's normalization, as its tests
 * have it: legacy rules and stabilization, the scale-up and scale-down
 * limits, scaling with behavior rules, the stored scale events and
 * stabilization with behavior (hpa_upstream/legacy_rules, limits,
 * legacy_stabilize, scaling_rules, store_events, stabilize); the catalogue
 * and the conventions are in test_hpa_upstream.c. */
#include "test_hpa_upstream.h"

/* ------------------------------------------ normalization (horizontal.go) */

typedef struct legacy_case {
    char name[128];
    int current, desired, min, max, expect, cond;
} legacy_case;

/* TestConvertDesiredReplicasWithRules (scaleUpLimitFactor 8) */
static legacy_case legacy_rules_cases[] = {
    {"prenormalized desired replicas within range", 5, 7, 3, 8, 7, AS_HPA_WITHIN_RANGE},
    {"prenormalized desired replicas < minReplicas", 3, 1, 2, 8, 2, AS_HPA_TOO_FEW},
    {"prenormalized desired zeroed replicas within range", 1, 0, 0, 10, 0,
     AS_HPA_WITHIN_RANGE},
    {"maxReplicas is the limit because maxReplicas < scaleUpLimit", 20, 1000, 1, 10, 10,
     AS_HPA_TOO_MANY},
    {"scaleUpLimit is the limit because scaleUpLimit < maxReplicas", 3, 1000, 1, 2000, 24,
     AS_HPA_UP_LIMIT},
};

ParameterizedTestParameters(hpa_upstream, legacy_rules)
{
    return cr_make_param_array(legacy_case, legacy_rules_cases,
                               sizeof legacy_rules_cases / sizeof legacy_rules_cases[0]);
}

ParameterizedTest(legacy_case *c, hpa_upstream, legacy_rules)
{
    int cond = -1;
    int got = as_hpa_convert_legacy(c->current, c->desired, c->min, c->max, 8.0, 4.0, &cond);
    cr_expect_eq(got, c->expect, "%s: %d, expected %d", c->name, got, c->expect);
    cr_expect_eq(cond, c->cond, "%s: %s, expected %s", c->name, as_hpa_cond_names[cond],
                 as_hpa_cond_names[c->cond]);
}

/* TestCalculateScaleUpLimitWithScalingRules / ...ScaleDownLimitWithBehaviors:
 * selectPolicy Min over {Pods 2, Percent 50} per 60 s, no events. */
Test(hpa_upstream, limits_select_min)
{
    as_hpa_rules r = {300, AS_HPA_SELECT_MIN, 2,
                      {{AS_HPA_POLICY_PODS, 2, 60}, {AS_HPA_POLICY_PERCENT, 50, 60}}, -1};
    as_hpa_hist h = {0};
    cr_expect_eq(as_hpa_up_limit(1, &h, NOW, &r), 2); /* min(3, ceil(1.5)) */
    cr_expect_eq(as_hpa_down_limit(5, &h, NOW, &r), 3); /* max(3, int(2.5)) */
}

typedef struct recs {
    int n;
    struct { int rec, age_s; } r[4];
} recs;

static void load_recs(as_hpa_hist *h, as_hpa_rec *buf, int cap, const recs *r)
{
    *h = (as_hpa_hist){.rec = buf, .cap_rec = cap, .started = true};
    for (int i = 0; i < r->n; i++)
        buf[h->nrec++] = (as_hpa_rec){NOW - S(r->r[i].age_s), r->r[i].rec, r->r[i].rec};
}

typedef struct legstab_case {
    char name[128];
    recs in;
    int desired, expect, log_len;
} legstab_case;

/* TestNormalizeDesiredReplicas: the 5 min downscale window */
static legstab_case legacy_stabilize_cases[] = {
    {"empty log", {0, {{0}}}, 5, 5, 1},
    {"stabilize", {2, {{4, 120}, {5, 60}}}, 3, 5, 3},
    {"no stabilize", {2, {{1, 120}, {2, 60}}}, 3, 3, 3},
    {"no stabilize - old recommendations", {2, {{10, 600}, {9, 540}}}, 3, 3, 2},
    {"stabilize - old recommendations", {4, {{10, 600}, {4, 60}, {5, 120}, {9, 540}}}, 3, 5,
     4},
};

ParameterizedTestParameters(hpa_upstream, legacy_stabilize)
{
    return cr_make_param_array(legstab_case, legacy_stabilize_cases,
                               sizeof legacy_stabilize_cases / sizeof legacy_stabilize_cases[0]);
}

ParameterizedTest(legstab_case *c, hpa_upstream, legacy_stabilize)
{
    as_hpa_rec buf[8];
    as_hpa_hist h;
    load_recs(&h, buf, 8, &c->in);
    int got = as_hpa_stabilize_legacy(&h, NOW, S(300), c->desired);
    cr_expect_eq(got, c->expect, "%s: %d, expected %d", c->name, got, c->expect);
    cr_expect_eq(h.nrec, c->log_len, "%s: %d recommendations, expected %d", c->name, h.nrec,
                 c->log_len);
}

/* generateEventsUniformDistribution(raw, period): event i in the middle
 * of the i-th of n equal segments of the last `period` seconds, the
 * offset truncated to whole seconds as time.Duration(float) does. */
typedef struct evgen {
    int n, period;
    int raw[4];
} evgen;

static int gen_events(const evgen *g, as_hpa_event *ev)
{
    double seg = g->n ? (double)g->period / g->n : 0;
    for (int i = 0; i < g->n; i++) {
        int back = (int)(g->period - seg * (i + 1) + seg / 2);
        ev[i] = (as_hpa_event){NOW - S(back), g->raw[i], false};
    }
    return g->n;
}

typedef struct sr_case {
    char name[128];
    evgen up_ev, down_ev;
    int min, max;
    ctl_rules up, down;
    int current, desired, expect, cond;
} sr_case;

#define NOEV {0, 0, {0}}
#define EV3(a, b, c) {3, 120, {a, b, c}}
#define EV4(a, b, c, d) {4, 120, {a, b, c, d}}
#define R(p, pp, q, qp, w) {true, p, pp, q, qp, w}
#define NR {0}

/* TestScalingWithRules */
static sr_case scaling_rules_cases[] = {
    {"prenormalized desired replicas within range", NOEV, NOEV, 3, 8, NR, NR, 5, 7, 7,
     AS_HPA_WITHIN_RANGE},
    {"prenormalized desired replicas < minReplicas", NOEV, NOEV, 2, 8, NR, NR, 3, 1, 2,
     AS_HPA_TOO_FEW},
    {"prenormalized desired replicas within range when minReplicas is 0", NOEV, NOEV, 0, 10,
     NR, NR, 1, 0, 0, AS_HPA_WITHIN_RANGE},
    {"maxReplicas is the limit because maxReplicas < scaleUpLimit", NOEV, NOEV, 1, 10, NR, NR,
     20, 1000, 10, AS_HPA_TOO_MANY},
    {"desired replica count is more than the maximum replica count", NOEV, NOEV, 100, 150, NR,
     NR, 100, 1000, 150, AS_HPA_TOO_MANY},
    {"scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies", NOEV,
     NOEV, 1, 2000, R(0, 0, 1, 60, 0), NR, 3, 1000, 4, AS_HPA_UP_LIMIT},
    /* upstream skips this one (its testThis flag returns early) */
    {"scaleDownLimit is the limit because scaleDownLimit > minReplicas with user defined "
     "policies",
     NOEV, NOEV, 3, 2000, NR, R(20, 60, 0, 0, 0), 1000, 3, 980, AS_HPA_DOWN_LIMIT},
    {"scaleUp with default behavior", NOEV, NOEV, 1, 1000, NR, NR, 10, 50, 20,
     AS_HPA_UP_LIMIT},
    {"scaleUp with pods policy larger than percent policy", NOEV, NOEV, 1, 1000,
     R(100, 60, 100, 60, 0), NR, 10, 500, 110, AS_HPA_UP_LIMIT},
    {"scaleUp with percent policy larger than pods policy", NOEV, NOEV, 1, 1000,
     R(2, 60, 100, 60, 0), NR, 10, 500, 20, AS_HPA_UP_LIMIT},
    {"scaleUp with spec MaxReplicas limitation with large pod policy", NOEV, NOEV, 1, 1000,
     R(100, 60, 0, 0, 0), NR, 10, 50, 50, AS_HPA_WITHIN_RANGE},
    {"scaleUp with spec MaxReplicas limitation with large percent policy", NOEV, NOEV, 1, 1000,
     R(10000, 60, 0, 0, 0), NR, 10, 50, 50, AS_HPA_WITHIN_RANGE},
    {"scaleUp with pod policy limitation", NOEV, NOEV, 1, 1000, R(30, 60, 0, 0, 0), NR, 10, 50,
     40, AS_HPA_UP_LIMIT},
    {"scaleUp with percent policy limitation", NOEV, NOEV, 1, 1000, R(0, 0, 200, 60, 0), NR,
     10, 50, 30, AS_HPA_UP_LIMIT},
    {"scaleDown with percent policy larger than pod policy", NOEV, NOEV, 1, 1000, NR,
     R(20, 60, 1, 60, 300), 100, 2, 80, AS_HPA_DOWN_LIMIT},
    {"scaleDown with pod policy larger than percent policy", NOEV, NOEV, 1, 1000, NR,
     R(2, 60, 1, 60, 300), 100, 2, 98, AS_HPA_DOWN_LIMIT},
    {"scaleDown with spec MinReplicas=nil limitation with large pod policy", NOEV, NOEV, 1,
     1000, NR, R(100, 60, 0, 0, 300), 10, 0, 1, AS_HPA_TOO_FEW},
    {"scaleDown with spec MinReplicas limitation with large pod policy", NOEV, NOEV, 1, 1000,
     NR, R(100, 60, 0, 0, 300), 10, 0, 1, AS_HPA_TOO_FEW},
    {"scaleDown with spec MinReplicas limitation with large percent policy", NOEV, NOEV, 5,
     1000, NR, R(0, 0, 100, 60, 300), 10, 2, 5, AS_HPA_TOO_FEW},
    {"scaleDown with pod policy limitation", NOEV, NOEV, 1, 1000, NR, R(5, 60, 0, 0, 300), 10,
     2, 5, AS_HPA_DOWN_LIMIT},
    {"scaleDown with percent policy limitation", NOEV, NOEV, 1, 1000, NR,
     R(0, 0, 50, 60, 300), 10, 5, 5, AS_HPA_WITHIN_RANGE},
    {"scaleUp with spec MaxReplicas limitation with large pod policy and events", EV3(1, 5, 9),
     NOEV, 1, 200, R(300, 60, 0, 0, 0), NR, 100, 500, 200, AS_HPA_TOO_MANY},
    {"scaleUp with spec MaxReplicas limitation with large percent policy and events",
     EV3(1, 5, 9), NOEV, 1, 200, R(0, 0, 10000, 60, 0), NR, 100, 500, 200, AS_HPA_TOO_MANY},
    {"scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent "
     "scale up events",
     EV3(1, 5, 9), NOEV, 1, 1000, R(5, 120, 0, 0, 0), NR, 100, 500, 100, AS_HPA_UP_LIMIT},
    {"scaleUp with pod policy and previous scale up events", EV3(1, 5, 9), NOEV, 1, 1000,
     R(150, 120, 0, 0, 0), NR, 100, 500, 235, AS_HPA_UP_LIMIT},
    {"scaleUp with percent policy and previous scale up events", EV3(1, 5, 9), NOEV, 1, 1000,
     R(0, 0, 200, 120, 0), NR, 100, 500, 255, AS_HPA_UP_LIMIT},
    {"scaleUp with percent policy and previous scale up and down events", {1, 120, {4}},
     {1, 120, {2}}, 1, 1000, R(0, 0, 300, 300, 0), NR, 6, 24, 16, AS_HPA_UP_LIMIT},
    {"scaleDown with default policy and previous events", NOEV, EV3(1, 5, 9), 1, 1000, NR, NR,
     10, 5, 5, AS_HPA_WITHIN_RANGE},
    {"scaleDown with spec MinReplicas=nil limitation with large pod policy and previous "
     "events",
     NOEV, EV3(1, 5, 9), 1, 1000, NR, R(115, 120, 0, 0, 300), 100, 0, 1, AS_HPA_TOO_FEW},
    {"scaleDown with spec MinReplicas limitation with large pod policy and previous events",
     NOEV, EV3(1, 5, 9), 5, 1000, NR, R(130, 120, 0, 0, 300), 100, 0, 5, AS_HPA_TOO_FEW},
    {"scaleDown with spec MinReplicas limitation with large percent policy and previous "
     "events",
     NOEV, EV3(1, 5, 9), 5, 1000, NR, R(0, 0, 100, 120, 300), 100, 2, 5, AS_HPA_TOO_FEW},
    {"scaleDown with pod policy limitation and previous events", NOEV, EV3(1, 5, 9), 1, 1000,
     NR, R(5, 120, 0, 0, 300), 100, 2, 100, AS_HPA_DOWN_LIMIT},
    {"scaleDown with percent policy limitation and previous events", NOEV, EV3(2, 4, 6), 1,
     1000, NR, R(0, 0, 50, 120, 300), 100, 0, 56, AS_HPA_DOWN_LIMIT},
    {"scaleDown with percent policy and previous scale up and down events", {1, 120, {2}},
     {1, 120, {4}}, 1, 1000, NR, R(0, 0, 50, 180, 0), 10, 1, 6, AS_HPA_DOWN_LIMIT},
    {"scaleDown with previous events preventing further scale down", NOEV,
     EV3(10, 10, 10), 1, 1000, NR, R(0, 0, 10, 120, 300), 100, 0, 100, AS_HPA_DOWN_LIMIT},
    {"scaleDown with with previous events still allowing more scale down", NOEV,
     EV3(10, 10, 10), 1, 1000, NR, R(0, 0, 1000, 120, 300), 10, 5, 5, AS_HPA_WITHIN_RANGE},
    {"check 'outdated' flag for events for one behavior for up", EV4(8, 12, 9, 11), NOEV, 1,
     1000, R(1000, 60, 0, 0, 0), NR, 100, 200, 200, AS_HPA_WITHIN_RANGE},
    {"check that events were not marked 'outdated' for two different policies in the "
     "behavior for up",
     EV4(8, 12, 9, 11), NOEV, 1, 1000, R(1000, 120, 100, 60, 0), NR, 100, 200, 200,
     AS_HPA_WITHIN_RANGE},
    {"check that events were marked 'outdated' for two different policies in the behavior "
     "for up",
     EV4(8, 12, 9, 11), NOEV, 1, 1000, R(1000, 30, 100, 60, 0), NR, 100, 200, 200,
     AS_HPA_WITHIN_RANGE},
    {"check 'outdated' flag for events for one behavior for down", NOEV, EV4(8, 12, 9, 11), 1,
     1000, NR, R(1000, 60, 0, 0, 300), 100, 5, 5, AS_HPA_WITHIN_RANGE},
    {"check that events were not marked 'outdated' for two different policies in the "
     "behavior for down",
     NOEV, EV4(8, 12, 9, 11), 1, 1000, NR, R(1000, 120, 100, 60, 300), 100, 5, 5,
     AS_HPA_WITHIN_RANGE},
    {"check that events were marked 'outdated' for two different policies in the behavior "
     "for down",
     NOEV, EV4(8, 12, 9, 11), 1, 1000, NR, R(1000, 30, 100, 60, 300), 100, 5, 5,
     AS_HPA_WITHIN_RANGE},
};

ParameterizedTestParameters(hpa_upstream, scaling_rules)
{
    return cr_make_param_array(sr_case, scaling_rules_cases,
                               sizeof scaling_rules_cases / sizeof scaling_rules_cases[0]);
}

ParameterizedTest(sr_case *c, hpa_upstream, scaling_rules)
{
    as_hpa_event up[4], down[4];
    as_hpa_hist h = {.up = up, .down = down, .cap_up = 4, .cap_down = 4};
    h.nup = gen_events(&c->up_ev, up);
    h.ndown = gen_events(&c->down_ev, down);
    as_hpa_rules ru, rd; /* GenerateHPAScaleUpRules / ...ScaleDownRules */
    rules_of(&c->up, &ru, true);
    rules_of(&c->down, &rd, false);
    int cond = -1;
    int got = as_hpa_convert_rate(&h, NOW, &ru, &rd, c->min, c->max, c->current, c->desired,
                                  &cond);
    cr_expect_eq(got, c->expect, "%s: %d, expected %d", c->name, got, c->expect);
    cr_expect_eq(cond, c->cond, "%s: %s, expected %s", c->name, as_hpa_cond_names[cond],
                 as_hpa_cond_names[c->cond]);
}

typedef struct store_case {
    char name[128];
    int change;
    int nprev;
    struct { int change, age_s; } prev[4];
    int nnew;
    struct { int change; bool outdated; } next[4];
    ctl_rules rules; /* unset: no behavior */
    int in_period;   /* getReplicasChangePerPeriod(60) before the store */
} store_case;

/* TestStoreScaleEvents, run for scale-up (10 -> 15) and scale-down (10 -> 5) */
static store_case store_events_cases[] = {
    {"empty entries with default behavior", 5, 0, {{0}}, 0, {{0}}, NR, 0},
    {"empty entries with two-policy-behavior", 5, 0, {{0}}, 1, {{5, false}},
     R(10, 60, 100, 60, 0), 0},
    {"one outdated entry to be kept untouched without behavior", 5, 1, {{7, 61}}, 1,
     {{7, false}}, NR, 0},
    {"one outdated entry to be replaced with behavior", 5, 1, {{7, 61}}, 1, {{5, false}},
     R(10, 60, 100, 60, 0), 0},
    {"one actual entry to be not touched with behavior", 5, 1, {{7, 58}}, 2,
     {{7, false}, {5, false}}, R(10, 60, 100, 60, 0), 7},
    {"two entries, one of them to be replaced", 5, 2, {{7, 61}, {6, 59}}, 2,
     {{5, false}, {6, false}}, R(10, 60, 0, 0, 0), 6},
    {"replace one entry, use policies with different periods", 5, 4,
     {{8, 29}, {6, 59}, {7, 61}, {9, 61}}, 4,
     {{8, false}, {6, false}, {7, true}, {5, false}}, R(10, 60, 100, 30, 0), 14},
    {"two entries, both actual", 5, 2, {{7, 58}, {6, 59}}, 3,
     {{7, false}, {6, false}, {5, false}}, R(10, 120, 100, 30, 0), 13},
};

ParameterizedTestParameters(hpa_upstream, store_events)
{
    return cr_make_param_array(store_case, store_events_cases,
                               sizeof store_events_cases / sizeof store_events_cases[0]);
}

ParameterizedTest(store_case *c, hpa_upstream, store_events)
{
    for (int dir = 0; dir < 2; dir++) { /* 0: scale-up, 1: scale-down */
        as_hpa_event ev[8];
        for (int i = 0; i < c->nprev; i++)
            ev[i] = (as_hpa_event){NOW - S(c->prev[i].age_s), c->prev[i].change, false};
        as_hpa_hist h = {.up = ev, .down = ev, .cap_up = 8, .cap_down = 8};
        int *n = dir == 0 ? &h.nup : &h.ndown;
        *n = c->nprev;
        cr_expect_eq(as_hpa_change_in_period(ev, *n, NOW, 60), c->in_period, "%s",
                     c->name);
        as_hpa_rules r;
        as_hpa_rules_unset(&r);
        if (c->rules.set)
            rules_of(&c->rules, &r, dir == 0);
        as_hpa_store_event(&h, NOW, c->rules.set, &r, &r, 10, dir == 0 ? 10 + c->change
                                                                        : 10 - c->change);
        cr_expect_eq(*n, c->nnew, "%s (%s): %d events, expected %d", c->name,
                     dir ? "down" : "up", *n, c->nnew);
        for (int i = 0; i < c->nnew && i < *n; i++) {
            cr_expect_eq(ev[i].change, c->next[i].change, "%s (%s): event %d", c->name,
                         dir ? "down" : "up", i);
            cr_expect_eq(ev[i].outdated, c->next[i].outdated, "%s (%s): event %d outdated",
                         c->name, dir ? "down" : "up", i);
        }
    }
}

typedef struct stab_case {
    char name[128];
    recs in;
    int current, desired, expect;
    int nexp; /* -1: not checked */
    int exp[4];
    int up_s, down_s;
} stab_case;

/* TestNormalizeDesiredReplicasWithBehavior (both windows given; 0 when
 * the case leaves them out) */
static stab_case stabilize_cases[] = {
    {"empty recommendations for scaling down", {0, {{0}}}, 100, 5, 5, 1, {5}, 0, 0},
    {"simple scale down stabilization", {2, {{4, 120}, {5, 60}}}, 100, 3, 5, 3, {4, 5, 3}, 0,
     180},
    {"simple scale up stabilization", {2, {{4, 120}, {5, 60}}}, 1, 7, 4, 3, {4, 5, 7}, 300,
     0},
    {"no scale down stabilization", {2, {{1, 120}, {2, 60}}}, 100, 3, 3, 3, {1, 2, 3}, 300,
     0},
    {"no scale up stabilization", {2, {{4, 120}, {5, 60}}}, 1, 3, 3, 3, {4, 5, 3}, 0, 300},
    {"no scale down stabilization, reuse recommendation element",
     {2, {{10, 600}, {9, 540}}}, 100, 3, 3, 2, {10, 3}, 0, 0},
    {"no scale up stabilization, reuse recommendation element", {2, {{10, 600}, {9, 540}}},
     1, 100, 100, 2, {10, 100}, 0, 0},
    {"scale down stabilization, reuse one of obsolete recommendation element",
     {4, {{10, 600}, {4, 60}, {5, 120}, {9, 540}}}, 100, 3, 5, 4, {10, 4, 5, 3}, 0, 180},
    {"scale up stabilization, reuse one of obsolete recommendation element",
     {4, {{10, 6000}, {6, 60}, {5, 120}, {9, 180}}}, 1, 100, 5, 4, {100, 6, 5, 9}, 300, 0},
    {"scale up and down stabilization, do not scale up when prenormalized rec goes down",
     {2, {{2, 6000}, {3, 180}}}, 2, 1, 2, -1, {0}, 300, 300},
    {"scale up and down stabilization, do not scale down when prenormalized rec goes up",
     {2, {{2, 6000}, {1, 180}}}, 2, 3, 2, -1, {0}, 300, 300},
};

ParameterizedTestParameters(hpa_upstream, stabilize)
{
    return cr_make_param_array(stab_case, stabilize_cases,
                               sizeof stabilize_cases / sizeof stabilize_cases[0]);
}

ParameterizedTest(stab_case *c, hpa_upstream, stabilize)
{
    as_hpa_rec buf[8];
    as_hpa_hist h;
    load_recs(&h, buf, 8, &c->in);
    as_hpa_rules up, down;
    as_hpa_rules_unset(&up);
    as_hpa_rules_unset(&down);
    up.window_s = c->up_s;
    down.window_s = c->down_s;
    int got = as_hpa_stabilize(&h, NOW, &up, &down, S(300), c->current, c->desired);
    cr_expect_eq(got, c->expect, "%s: %d, expected %d", c->name, got, c->expect);
    if (c->nexp < 0)
        return;
    cr_expect_eq(h.nrec, c->nexp, "%s: %d recommendations, expected %d", c->name, h.nrec,
                 c->nexp);
    for (int i = 0; i < c->nexp && i < h.nrec; i++)
        cr_expect_eq(buf[i].lo, c->exp[i], "%s: recommendation %d is %d, expected %d", c->name,
                     i, buf[i].lo, c->exp[i]);
}
