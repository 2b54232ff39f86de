/* test_hpa_upstream.c - the Kubernetes HPA controller's own test tables,
 * carried over as facts: the inputs and expected replica counts of
 * kubernetes/kubernetes pkg/controller/podautoscaler replica_calculator_test.go
 * and horizontal_test.go, run against core/as_hpa.h. The code is ours;
 * each case names the upstream test it comes from. One Criterion test per
 * case (ParameterizedTest), so the suite's count is the count of cases.
 *
 * Catalogue (upstream test -> table here):
 *   replica_calculator_test.go
 *     TestReplicaCalc* (62 functions, 63 cases)      -> hpa_upstream/replica_calc
 *     TestGroupPods (14 cases)                         -> hpa_upstream/group_pods
 *     TestCalculatePodRequests (5 cases)               not ported: summing the
 *       requests of init and regular containers of a pod spec; a simulated
 *       pod has one request.
 *   horizontal_test.go
 *     TestScaleUp*, TestScaleDown*, TestTolerance*, TestMin/Max/ZeroReplicas,
 *     TestMissing*, TestEmpty*, TestEvent*, TestUpscaleCap*, TestNoBackoff*,
 *     TestStabilizeDownscale, TestComputedToleranceAlgImplementation,
 *     TestAvoidUnnecessaryUpdates, TestMoreReplicasThanSpecNoScale,
 *     TestConditionFailedGetMetrics (4), TestConditionInvalidSourceType,
 *     TestNoScaleDownOneMetric* (controller runs)      -> hpa_upstream/controller
 *     TestConvertDesiredReplicasWithRules (5)          -> hpa_upstream/legacy_rules
 *     TestCalculateScaleUp/DownLimitWith* (2)          -> hpa_upstream/limits
 *     TestNormalizeDesiredReplicas (5)                 -> hpa_upstream/legacy_stabilize
 *     TestScalingWithRules (42)                        -> hpa_upstream/scaling_rules
 *     TestStoreScaleEvents (8, up and down)            -> hpa_upstream/store_events
 *     TestNormalizeDesiredReplicasWithBehavior (11)    -> hpa_upstream/stabilize
 *     not ported: TestConditionInvalidSelector{Missing,Unparsable},
 *       TestCondition*SelectorOverlapBetweenHPAs (3), TestConditionFailedGetScale,
 *       TestConditionFailedUpdateScale, TestMultipleHPAs: the scale
 *       subresource, label selectors shared by several HPAs and API errors
 *       have no simulated counterpart (a policy scales its tiers directly).
 *
 * Conventions of the upstream tests kept here:
 *  - tolerance 0.1, CPU initialization period 2 min, initial readiness
 *    delay 10 s (the defaultTesting* constants), downscale stabilization
 *    5 min; horizontal_test.go sets scaleUpLimitFactor = 8 in init() "so we
 *    don't accidentally run into it", so the controller cases use 8;
 *  - "hot" pods started now, "cool" ones 3 min ago; a time that the test
 *    leaves unset is the zero time, long before now;
 *  - replica_calculator_test.go gives each pod two containers, each with
 *    the listed request and level; horizontal_test.go splits a pod's
 *    request and level in two halves (integer division: a level of 95
 *    reads back as 94);
 *  - a recommendations list left nil gets the initial recommendation, an
 *    empty one does not (recordInitialRecommendation tests for nil).
 * The controller runs are test_hpa_upstream_ctl.c, the normalization
 * tables test_hpa_upstream_rules.c; what they share, test_hpa_upstream.h. */
#include "test_hpa_upstream.h"
/* ------------------------------------------------ replica_calculator_test.go */

enum { K_CPU, K_POD, K_OBJECT, K_OBJECT_AVG, K_EXTERNAL, K_EXTERNAL_AVG };
#define NO (-1) /* a container without a sample */

typedef struct rc_case {
    char name[128];
    int current, expect;     /* expect AS_HPA_INVALID: the calculator errs */
    int kind;                /* K_* */
    int npods;               /* pods listed: current, or len(podPhase) when longer */
    char ready[MP + 1], phase[MP + 1], deleted[MP + 1], start[MP + 1];
    int nreq;                /* resource: requests of pods 0..nreq-1 (per container, m) */
    int64_t req[MP];
    int nlev;                /* resource: levels per pod and container; other kinds: per pod */
    int64_t lev[MP][2];
    int container;           /* resource: 0 = the pod, 1 or 2 = that container */
    int64_t target;          /* percent, or milli-units */
    int64_t usage;           /* expected utilisation percent or usage */
} rc_case;

/* makePodMetricLevels: both containers at the level */
#define L2(x) {x, x}

static rc_case replica_calc_cases[] = {
    {"DisjointResourcesMetrics", 1, AS_HPA_INVALID, K_CPU, 1, "", "", "", "", 1,
     {1000}, 0, {{0}}, 0, 100, 0},
    {"ScaleUp", 3, 5, K_CPU, 3, "", "", "", "", 3, {1000, 1000, 1000}, 3,
     {L2(300), L2(500), L2(700)}, 0, 30, 50},
    {"ContainerScaleUp", 3, 5, K_CPU, 3, "", "", "", "", 3, {1000, 1000, 1000}, 3,
     {{1000, 300}, {1000, 500}, {1000, 700}}, 2, 30, 50},
    {"ScaleUpUnreadyLessScale", 3, 4, K_CPU, 3, "FTT", "", "", "", 3,
     {1000, 1000, 1000}, 3, {L2(300), L2(500), L2(700)}, 0, 30, 60},
    {"ScaleUpContainerHotCpuLessScale", 3, 4, K_CPU, 3, "", "", "", "hcc", 3,
     {1000, 1000, 1000}, 3, {{0, 300}, {0, 500}, {0, 700}}, 2, 30, 60},
    {"ScaleUpHotCpuLessScale", 3, 4, K_CPU, 3, "", "", "", "hcc", 3, {1000, 1000, 1000},
     3, {L2(300), L2(500), L2(700)}, 0, 30, 60},
    {"ScaleUpUnreadyNoScale", 3, 3, K_CPU, 3, "TFF", "", "", "", 3, {1000, 1000, 1000},
     3, {L2(400), L2(500), L2(700)}, 0, 30, 40},
    {"ScaleHotCpuNoScale", 3, 3, K_CPU, 3, "TFF", "", "", "chh", 3, {1000, 1000, 1000},
     3, {L2(400), L2(500), L2(700)}, 0, 30, 40},
    {"ScaleUpIgnoresFailedPods", 2, 4, K_CPU, 4, "TTFF", "RRFF", "", "", 4,
     {1000, 1000, 1000, 1000}, 2, {L2(500), L2(700)}, 0, 30, 60},
    {"MissingContainerMetricScaleUpIgnoresFailedPods", 2, 4, K_CPU, 4, "TTFF", "RRFF", "",
     "", 4, {1000, 1000, 1000, 1000}, 4, {{1000, 500}, {9000, 700}, {1000, NO}, {9000, NO}},
     2, 30, 60},
    {"ScaleUpContainerIgnoresFailedPods", 2, 4, K_CPU, 4, "TTFF", "RRFF", "", "", 4,
     {1000, 1000, 1000, 1000}, 2, {{1000, 500}, {9000, 700}}, 2, 30, 60},
    {"ScaleUpIgnoresDeletionPods", 2, 4, K_CPU, 4, "TTFF", "RRRR", "0011", "", 4,
     {1000, 1000, 1000, 1000}, 2, {L2(500), L2(700)}, 0, 30, 60},
    {"ScaleUpContainerIgnoresDeletionPods", 2, 4, K_CPU, 4, "TTFF", "RRRR", "0011", "", 4,
     {1000, 1000, 1000, 1000}, 2, {L2(500), L2(700)}, 1, 30, 60},
    {"ScaleUpCM", 3, 4, K_POD, 3, "", "", "", "", 0, {0}, 3,
     {{20000}, {10000}, {30000}}, 0, 15000, 20000},
    {"ScaleUpCMUnreadyHotCpuNoLessScale", 3, 6, K_POD, 3, "TTF", "", "", "cch", 0, {0},
     3, {{50000}, {10000}, {30000}}, 0, 15000, 30000},
    {"ScaleUpCMUnreadyHotCpuScaleWouldScaleDown", 3, 7, K_POD, 3, "FTF", "", "", "hch",
     0, {0}, 3, {{50000}, {15000}, {30000}}, 0, 15000, 31666},
    {"ScaleUpCMObject", 3, 4, K_OBJECT, 3, "", "", "", "", 0, {0}, 1, {{20000}}, 0,
     15000, 20000},
    {"ScaleUpCMPerPodObject", 3, 4, K_OBJECT_AVG, 3, "", "", "", "", 0, {0}, 1,
     {{20000}}, 0, 5000, 6667},
    {"ScaleUpCMObjectIgnoresUnreadyPods", 3, 5, K_OBJECT, 3, "FTF", "", "", "", 0, {0},
     1, {{50000}}, 0, 10000, 50000},
    /* upstream runs this one as a Pods metric (metricType podMetric) */
    {"ScaleUpCMExternal", 1, 2, K_POD, 1, "", "", "", "", 0, {0}, 1, {{8600}}, 0,
     4400, 8600},
    {"ScaleUpCMExternalIgnoresUnreadyPods", 3, 2, K_EXTERNAL, 3, "FTF", "", "", "", 0,
     {0}, 1, {{8600}}, 0, 4400, 8600},
    {"ScaleUpCMExternalNoLabels", 1, 2, K_POD, 1, "", "", "", "", 0, {0}, 1,
     {{8600}}, 0, 4400, 8600},
    {"ScaleUpPerPodCMExternal", 3, 4, K_EXTERNAL_AVG, 3, "", "", "", "", 0, {0}, 1,
     {{8600}}, 0, 2150, 2867},
    {"ScaleDown", 5, 3, K_CPU, 5, "", "", "", "", 5, {1000, 1000, 1000, 1000, 1000},
     5, {L2(100), L2(300), L2(500), L2(250), L2(250)}, 0, 50, 28},
    {"ContainerScaleDown", 5, 3, K_CPU, 5, "", "", "", "", 5,
     {1000, 1000, 1000, 1000, 1000}, 5,
     {{1000, 100}, {1000, 300}, {1000, 500}, {1000, 250}, {1000, 250}}, 2, 50, 28},
    {"ScaleDownCM", 5, 3, K_POD, 5, "", "", "", "", 0, {0}, 5,
     {{12000}, {12000}, {12000}, {12000}, {12000}}, 0, 20000, 12000},
    {"ScaleDownPerPodCMObject", 5, 3, K_OBJECT_AVG, 5, "", "", "", "", 0, {0}, 1,
     {{6000}}, 0, 2000, 1200},
    {"ScaleDownCMObject", 5, 3, K_OBJECT, 5, "", "", "", "", 0, {0}, 1, {{12000}}, 0,
     20000, 12000},
    {"ScaleDownCMExternal", 5, 3, K_EXTERNAL, 5, "", "", "", "", 0, {0}, 1, {{8600}},
     0, 14334, 8600},
    {"ScaleDownPerPodCMExternal", 5, 3, K_EXTERNAL_AVG, 5, "", "", "", "", 0, {0}, 1,
     {{8600}}, 0, 2867, 1720},
    {"ScaleDownExcludeUnreadyPods", 5, 2, K_CPU, 5, "TTTFF", "", "", "", 5,
     {1000, 1000, 1000, 1000, 1000}, 5, {L2(100), L2(300), L2(500), L2(250), L2(250)}, 0, 50,
     30},
    {"ScaleDownContainerExcludeUnreadyPods", 5, 2, K_CPU, 5, "TTTFF", "", "", "", 5,
     {1000, 1000, 1000, 1000, 1000}, 5,
     {{1000, 100}, {1000, 300}, {1000, 500}, {1000, 250}, {1000, 250}}, 2, 50, 30},
    {"ScaleDownExcludeUnscheduledPods", 5, 1, K_CPU, 5, "TFFFF", "RPPPP", "", "", 5,
     {1000, 1000, 1000, 1000, 1000}, 1, {L2(100)}, 0, 50, 10},
    {"ScaleDownContainerExcludeUnscheduledPods", 5, 1, K_CPU, 5, "TFFFF", "RPPPP", "",
     "", 5, {1000, 1000, 1000, 1000, 1000}, 5,
     {{1000, 100}, {1000, 300}, {1000, 500}, {1000, 250}, {1000, 250}}, 2, 50, 10},
    {"ScaleDownIgnoreHotCpuPods", 5, 2, K_CPU, 5, "", "", "", "ccchh", 5,
     {1000, 1000, 1000, 1000, 1000}, 5, {L2(100), L2(300), L2(500), L2(250), L2(250)}, 0, 50,
     30},
    {"ScaleDownContainerIgnoreHotCpuPods", 5, 2, K_CPU, 5, "", "", "", "ccchh", 5,
     {1000, 1000, 1000, 1000, 1000}, 5,
     {{1000, 100}, {1000, 300}, {1000, 500}, {1000, 1000}, {1000, 1000}}, 2, 50, 30},
    {"ScaleDownIgnoresFailedPods", 5, 3, K_CPU, 7, "TTTTTFF", "RRRRRFF", "", "", 7,
     {1000, 1000, 1000, 1000, 1000, 1000, 1000}, 5,
     {L2(100), L2(300), L2(500), L2(250), L2(250)}, 0, 50, 28},
    {"ScaleDownContainerIgnoresFailedPods", 5, 3, K_CPU, 7, "TTTTTFF", "RRRRRFF", "", "",
     7, {1000, 1000, 1000, 1000, 1000, 1000, 1000}, 5,
     {{1000, 100}, {1000, 300}, {1000, 500}, {1000, 250}, {1000, 250}}, 2, 50, 28},
    {"ScaleDownIgnoresDeletionPods", 5, 3, K_CPU, 7, "TTTTTFF", "RRRRRRR", "0000011", "",
     7, {1000, 1000, 1000, 1000, 1000, 1000, 1000}, 5,
     {L2(100), L2(300), L2(500), L2(250), L2(250)}, 0, 50, 28},
    {"ScaleDownIgnoresDeletionPods_StillRunning", 5, 3, K_CPU, 7, "TTTTTFF", "RRRRRRR",
     "0000011", "", 7, {1000, 1000, 1000, 1000, 1000, 1000, 1000}, 5,
     {{1000, 100}, {1000, 300}, {1000, 500}, {1000, 250}, {1000, 250}}, 2, 50, 28},
    {"Tolerance", 3, 3, K_CPU, 3, "", "", "", "", 3, {900, 1000, 1100}, 3,
     {L2(1010), L2(1030), L2(1020)}, 0, 100, 102},
    {"ToleranceCM", 3, 3, K_POD, 3, "", "", "", "", 0, {0}, 3,
     {{20000}, {21000}, {21000}}, 0, 20000, 20666},
    {"ToleranceCMObject", 3, 3, K_OBJECT, 3, "", "", "", "", 0, {0}, 1, {{20666}}, 0,
     20000, 20666},
    {"TolerancePerPodCMObject", 4, 4, K_OBJECT_AVG, 4, "", "", "", "", 0, {0}, 1,
     {{20166}}, 0, 5000, 5042},
    {"ToleranceCMExternal", 3, 3, K_EXTERNAL, 3, "", "", "", "", 0, {0}, 1, {{8600}},
     0, 8888, 8600},
    {"TolerancePerPodCMExternal", 3, 3, K_EXTERNAL_AVG, 3, "", "", "", "", 0, {0}, 1,
     {{8600}}, 0, 2900, 2867},
    {"SuperfluousMetrics", 4, 24, K_CPU, 4, "", "", "", "", 4,
     {1000, 1000, 1000, 1000}, 6,
     {L2(4000), L2(9500), L2(3000), L2(7000), L2(3200), L2(2000)}, 0, 100, 587},
    {"MissingMetrics", 4, 3, K_CPU, 4, "", "", "", "", 4, {1000, 1000, 1000, 1000}, 2,
     {L2(400), L2(95)}, 0, 100, 24},
    {"EmptyMetrics", 4, AS_HPA_INVALID, K_CPU, 4, "", "", "", "", 3,
     {1000, 1000, 1000}, 0, {{0}}, 0, 100, 0},
    {"EmptyCPURequest", 1, AS_HPA_INVALID, K_CPU, 1, "", "", "", "", 0, {0}, 1,
     {L2(200)}, 0, 100, 0},
    {"PlainMetricMissingMetricsNoChangeEq", 5, 5, K_POD, 5, "", "", "", "", 0, {0}, 3,
     {{20000}, {19000}, {21000}}, 0, 20000, 20000},
    {"MissingMetricsNoChangeEq", 2, 2, K_CPU, 2, "", "", "", "", 2, {1000, 1000}, 1,
     {L2(1000)}, 0, 100, 100},
    {"MissingMetricsNoChangeGt", 2, 2, K_CPU, 2, "", "", "", "", 2, {1000, 1000}, 1,
     {L2(1900)}, 0, 100, 190},
    {"MissingMetricsNoChangeLt", 2, 2, K_CPU, 2, "", "", "", "", 2, {1000, 1000}, 1,
     {L2(600)}, 0, 100, 60},
    {"MissingMetricsUnreadyChange", 3, 3, K_CPU, 3, "FTT", "", "", "", 3,
     {1000, 1000, 1000}, 2, {L2(100), L2(450)}, 0, 50, 45},
    {"MissingMetricsHotCpuNoChange", 3, 3, K_CPU, 3, "", "", "", "hcc", 3,
     {1000, 1000, 1000}, 2, {L2(100), L2(450)}, 0, 50, 45},
    {"MissingMetricsUnreadyScaleUp", 3, 4, K_CPU, 3, "FTT", "", "", "", 3,
     {1000, 1000, 1000}, 2, {L2(100), L2(2000)}, 0, 50, 200},
    {"MissingMetricsHotCpuScaleUp", 3, 4, K_CPU, 3, "FTT", "", "", "hcc", 3,
     {1000, 1000, 1000}, 2, {L2(100), L2(2000)}, 0, 50, 200},
    {"MissingMetricsUnreadyScaleDown", 4, 3, K_CPU, 4, "FTTT", "", "", "", 4,
     {1000, 1000, 1000, 1000}, 3, {L2(100), L2(100), L2(100)}, 0, 50, 10},
    {"MissingMetricsScaleDownTargetOver100", 4, 2, K_CPU, 4, "FTTT", "", "", "", 4,
     {1000, 1000, 2000, 2000}, 3, {L2(200), L2(100), L2(100)}, 0, 300, 6},
    {"DuringRollingUpdateWithMaxSurge", 2, 2, K_CPU, 3, "", "RRR", "", "", 3,
     {1000, 1000, 1000}, 2, {L2(100), L2(100)}, 0, 50, 10},
    {"DuringRollingUpdateWithMaxSurgeCM", 2, 2, K_POD, 3, "", "RRR", "", "", 0, {0}, 2,
     {{10000}, {10000}}, 0, 17000, 10000},
    /* ComputedToleranceAlgImplementation: 10 pods at 150m per container
     * (300m each) requesting 2 x (300m +- jitter); the target is
     * computed to sit just outside (56 %) and just inside (55 %) the
     * tolerance of a 50 % utilisation */
    {"ComputedToleranceAlgImplementation/outside", 10, 9, K_CPU, 10, "", "", "", "",
     10, {400, 200, 310, 290, 302, 298, 301, 299, 300, 300}, 10,
     {L2(150), L2(150), L2(150), L2(150), L2(150), L2(150), L2(150), L2(150), L2(150),
      L2(150)},
     0, 56, 50},
    {"ComputedToleranceAlgImplementation/inside", 10, 10, K_CPU, 10, "", "", "", "",
     10, {400, 200, 310, 290, 302, 298, 301, 299, 300, 300}, 10,
     {L2(150), L2(150), L2(150), L2(150), L2(150), L2(150), L2(150), L2(150), L2(150),
      L2(150)},
     0, 55, 50},
};

ParameterizedTestParameters(hpa_upstream, replica_calc)
{
    return cr_make_param_array(rc_case, replica_calc_cases,
                               sizeof replica_calc_cases / sizeof replica_calc_cases[0]);
}

/* One pod of a replica_calculator_test.go case. */
static as_hpa_pod rc_pod(const rc_case *c, int i)
{
    as_hpa_pod p = {.phase = phase_of(c->phase, i),
                    .deleting = flag_of(c->deleted, i),
                    .ready = ready_of(c->ready, i),
                    .has_start = true,
                    .start = start_of(c->start, i),
                    .transition = ZERO, /* LastTransitionTime left unset */
                    .metric_time = ZERO, /* tc.timestamp left unset */
                    .metric_window = S(60)};
    if (c->kind == K_CPU) {
        p.has_request = i < c->nreq;
        p.request = p.has_request ? (c->container ? 1 : 2) * c->req[i] : 0;
        if (i < c->nlev) {
            const int64_t *l = c->lev[i];
            if (c->container)
                p.has_metric = l[c->container - 1] != NO;
            else
                p.has_metric = l[0] != NO && l[1] != NO;
            p.value = c->container ? l[c->container - 1] : l[0] + l[1];
        }
    } else if (c->kind == K_POD) {
        p.has_metric = i < c->nlev;
        p.value = p.has_metric ? c->lev[i][0] : 0;
    }
    return p;
}

ParameterizedTest(rc_case *c, hpa_upstream, replica_calc)
{
    as_hpa_pods s = {0};
    int ready_pods = 0;
    for (int i = 0; i < c->npods; i++) {
        as_hpa_pod p = rc_pod(c, i);
        as_hpa_pods_add(&s, &p, as_hpa_group_pod(&p, c->kind == K_CPU, NOW, CPU_INIT, DELAY));
        ready_pods += p.phase == AS_HPA_RUNNING && p.ready == AS_HPA_COND_TRUE;
    }
    int64_t total = 0;
    for (int i = 0; i < c->nlev; i++)
        total += c->lev[i][0];
    int got = AS_HPA_INVALID, util = -1;
    int64_t usage = -1;
    switch (c->kind) {
    case K_CPU:
        got = as_hpa_resource_replicas(c->current, (int)c->target, &s, TOL, &util);
        usage = util;
        break;
    case K_POD:
        got = as_hpa_plain_replicas(c->current, c->target, &s, TOL, &usage);
        break;
    case K_OBJECT:
    case K_EXTERNAL: /* an object's one value; the sum of the external series */
        got = as_hpa_value_replicas(c->current, c->npods, ready_pods, total, c->target, TOL);
        usage = total;
        break;
    case K_OBJECT_AVG:
    case K_EXTERNAL_AVG:
        got = as_hpa_average_replicas(c->current, total, c->target, TOL, &usage);
        break;
    }
    cr_expect_eq(got, c->expect, "%s: replicas %d, expected %d", c->name, got, c->expect);
    if (c->expect != AS_HPA_INVALID)
        cr_expect_eq(usage, c->usage, "%s: usage %lld, expected %lld", c->name, (long long)usage,
                     (long long)c->usage);
}

/* ------------------------------------------------------------ TestGroupPods */

typedef struct gp_case {
    char name[128];
    bool cpu;
    int npods;
    struct gp_pod {
        int phase, ready;
        bool deleting, has_start, has_metric;
        as_time start, transition, metric_time, window;
    } pod[3];
    int ready, unready, missing, ignored;
} gp_case;

#define RUN AS_HPA_RUNNING
#define SUCC AS_HPA_SUCCEEDED
#define T AS_HPA_COND_TRUE
#define F AS_HPA_COND_FALSE
#define NONE AS_HPA_COND_NONE

static gp_case group_pods_cases[] = {
    {"void", true, 0, {{0}}, 0, 0, 0, 0},
    {"count in a ready pod - memory", false, 1, {{SUCC, NONE, false, false, true, 0, 0, NOW,
      S(60)}}, 1, 0, 0, 0},
    {"unready a pod without ready condition - CPU", true, 1,
     {{SUCC, NONE, false, true, true, NOW, 0, ZERO, 0}}, 0, 1, 0, 0},
    {"count in a ready pod with fresh metrics during initialization period - CPU", true, 1,
     {{SUCC, T, false, true, true, NOW - S(60), NOW - S(30), NOW, S(30)}}, 1, 0, 0, 0},
    {"unready a ready pod without fresh metrics during initialization period - CPU", true, 1,
     {{SUCC, T, false, true, true, NOW - S(60), NOW - S(30), NOW, S(60)}}, 0, 1, 0, 0},
    {"unready an unready pod during initialization period - CPU", true, 1,
     {{SUCC, F, false, true, true, NOW - S(600), NOW - S(594), ZERO, 0}}, 0, 1, 0, 0},
    {"count in a ready pod without fresh metrics after initialization period - CPU", true, 1,
     {{SUCC, T, false, true, true, NOW - S(180), NOW - S(180), NOW - S(120), S(60)}}, 1, 0,
     0, 0},
    {"count in an unready pod that was ready after initialization period - CPU", true, 1,
     {{SUCC, F, false, true, true, NOW - S(600), NOW - S(540), ZERO, 0}}, 1, 0, 0, 0},
    {"unready pod that has never been ready after initialization period - CPU", true, 1,
     {{SUCC, F, false, true, true, NOW - S(600), NOW - S(590), ZERO, 0}}, 1, 0, 0, 0},
    {"a missing pod", true, 1, {{SUCC, NONE, false, true, false, NOW - S(180), 0, 0, 0}}, 0,
     0, 1, 0},
    {"several pods", true, 3,
     {{SUCC, NONE, false, true, true, NOW, 0, ZERO, 0},
      {SUCC, T, false, true, true, NOW - S(180), NOW - S(180), ZERO, 0},
      {SUCC, NONE, false, true, false, NOW - S(180), 0, 0, 0}},
     1, 1, 1, 0},
    {"pending pods are unreadied", true, 1, {{AS_HPA_PENDING, NONE, false, false, false, 0, 0,
      0, 0}}, 0, 1, 0, 0},
    {"ignore pods with deletion timestamps", true, 1,
     {{AS_HPA_PENDING, NONE, true, false, true, 0, 0, ZERO, 0}}, 0, 0, 0, 1},
    {"ignore pods in a failed state", true, 1,
     {{AS_HPA_FAILED, NONE, false, false, true, 0, 0, ZERO, 0}}, 0, 0, 0, 1},
};

ParameterizedTestParameters(hpa_upstream, group_pods)
{
    return cr_make_param_array(gp_case, group_pods_cases,
                               sizeof group_pods_cases / sizeof group_pods_cases[0]);
}

ParameterizedTest(gp_case *c, hpa_upstream, group_pods)
{
    int n[4] = {0};
    for (int i = 0; i < c->npods; i++) {
        const struct gp_pod *q = &c->pod[i];
        as_hpa_pod p = {.phase = q->phase,
                        .ready = q->ready,
                        .deleting = q->deleting,
                        .has_start = q->has_start,
                        .start = q->start,
                        .transition = q->transition,
                        .has_metric = q->has_metric,
                        .metric_time = q->metric_time,
                        .metric_window = q->window};
        n[as_hpa_group_pod(&p, c->cpu, NOW, CPU_INIT, DELAY)]++;
    }
    cr_expect_eq(n[AS_HPA_READY], c->ready, "%s: ready %d", c->name, n[AS_HPA_READY]);
    cr_expect_eq(n[AS_HPA_UNREADY], c->unready, "%s: unready %d", c->name, n[AS_HPA_UNREADY]);
    cr_expect_eq(n[AS_HPA_MISSING], c->missing, "%s: missing %d", c->name, n[AS_HPA_MISSING]);
    cr_expect_eq(n[AS_HPA_IGNORED], c->ignored, "%s: ignored %d", c->name, n[AS_HPA_IGNORED]);
}
