/* test_hpa_upstream_ctl.c - horizontal_test.go's controller runs
 * (hpa_upstream/controller), carried over as facts: the catalogue and the
 * conventions are in test_hpa_upstream.c. */
#include "test_hpa_upstream.h"

/* ------------------------------------------------------- horizontal_test.go */

/* Metric specs of a controller case. */
enum {
    M_NONE,
    M_CPU,           /* Resource cpu, Utilization target (percent) */
    M_CPU_C1,        /* ContainerResource cpu of container1 */
    M_CPU_C2,        /* ContainerResource cpu of container2 */
    M_PODS,          /* Pods "qps", AverageValue (m) */
    M_OBJECT,        /* Object "qps", Value (m) */
    M_OBJECT_AVG,    /* Object "qps", AverageValue (m) */
    M_EXTERNAL,      /* External "qps", Value (m) */
    M_EXTERNAL_AVG,  /* External "qps", AverageValue (m) */
    M_INVALID,       /* type CheddarCheese */
    M_FAILS          /* the metrics API returns an error */
};

typedef struct ctl_metric {
    int kind;
    int64_t target;
} ctl_metric;

typedef struct ctl_case {
    char name[128];
    int min, max, spec, status, expect;
    ctl_metric met[3];         /* CPUTarget first when set, then metricsTarget */
    int nreq;                  /* reportedCPURequests (m per pod); 0: status pods of 1000m;
                                * -1: an empty list, no pod */
    int64_t req[MP];
    int nlev;                  /* reportedLevels */
    uint64_t lev[MP];
    char ready[MP + 1], phase[MP + 1], deleted[MP + 1], start[MP + 1];
    int recs;                  /* -1: nil (initial recommendation), 0: empty, n: rec[] */
    struct { int rec, age_s; } rec[2];
    ctl_rules up, down;        /* scaleUpRules, scaleDownRules */
} ctl_case;

#define CPU(t) {M_CPU, t}
#define R1000(n) /* n requests of 1.0 */                                                       \
    n, { 1000, 1000, 1000, 1000, 1000, 1000, 1000 }

static ctl_case controller_cases[] = {
    {"ScaleUp", 2, 6, 3, 3, 5, {CPU(30)}, R1000(3), 3, {300, 500, 700}, "", "", "",
     "", -1, {{0}}, {0}, {0}},
    {"ScaleUpContainer", 2, 6, 3, 3, 5, {{M_CPU_C1, 30}}, R1000(3), 3, {300, 500, 700}, "",
     "", "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpUnreadyLessScale", 2, 6, 3, 3, 4, {CPU(30)}, R1000(3), 3, {300, 500, 700}, "FTT",
     "", "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpHotCpuLessScale", 2, 6, 3, 3, 4, {CPU(30)}, R1000(3), 3, {300, 500, 700}, "",
     "", "", "hcc", -1, {{0}}, {0}, {0}},
    {"ScaleUpUnreadyNoScale", 2, 6, 3, 3, 3, {CPU(30)}, R1000(3), 3, {400, 500, 700}, "TFF",
     "", "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpHotCpuNoScale", 2, 6, 3, 3, 3, {CPU(30)}, R1000(3), 3, {400, 500, 700}, "TFF",
     "", "", "chh", -1, {{0}}, {0}, {0}},
    {"ScaleUpIgnoresFailedPods", 2, 6, 2, 2, 4, {CPU(30)}, R1000(4), 2, {500, 700}, "TTFF",
     "RRFF", "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpIgnoresDeletionPods", 2, 6, 2, 2, 4, {CPU(30)}, R1000(4), 2, {500, 700}, "TTFF",
     "RRRR", "0011", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpDeployment", 2, 6, 3, 3, 5, {CPU(30)}, R1000(3), 3, {300, 500, 700}, "", "",
     "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpReplicaSet", 2, 6, 3, 3, 5, {CPU(30)}, R1000(3), 3, {300, 500, 700}, "", "",
     "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpCM", 2, 6, 3, 3, 4, {{M_PODS, 15000}}, R1000(3), 3, {20000, 10000, 30000}, "",
     "", "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpCMUnreadyAndHotCpuNoLessScale", 2, 6, 3, 3, 6, {{M_PODS, 15000}}, R1000(3), 3,
     {50000, 10000, 30000}, "TTF", "", "", "cch", -1, {{0}}, {0}, {0}},
    {"ScaleUpCMUnreadyandCpuHot", 2, 6, 3, 3, 6, {{M_PODS, 15000}}, R1000(3), 3,
     {50000, 15000, 30000}, "FTF", "", "", "hch", -1, {{0}}, {0}, {0}},
    {"ScaleUpHotCpuNoScaleWouldScaleDown", 2, 6, 3, 3, 6, {{M_PODS, 15000}}, R1000(3), 3,
     {50000, 15000, 30000}, "", "", "", "hch", -1, {{0}}, {0}, {0}},
    {"ScaleUpCMObject", 2, 6, 3, 3, 4, {{M_OBJECT, 15000}}, 0, {0}, 1, {20000}, "", "",
     "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpFromZeroCMObject", 0, 6, 0, 0, 2, {{M_OBJECT, 15000}}, 0, {0}, 1, {20000}, "",
     "", "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpFromZeroIgnoresToleranceCMObject", 0, 6, 0, 0, 1, {{M_OBJECT, 1000}}, 0, {0}, 1,
     {1000}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpPerPodCMObject", 2, 6, 3, 3, 4, {{M_OBJECT_AVG, 10000}}, 0, {0}, 1, {40000}, "",
     "", "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpCMExternal", 2, 6, 3, 3, 4, {{M_EXTERNAL, 6666}}, 0, {0}, 1, {8600}, "", "",
     "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpPerPodCMExternal", 2, 6, 3, 3, 4, {{M_EXTERNAL_AVG, 2222}}, 0, {0}, 1, {8600},
     "", "", "", "", -1, {{0}}, {0}, {0}},
    {"ScaleDown", 2, 6, 5, 5, 3, {CPU(50)}, R1000(5), 5, {100, 300, 500, 250, 250}, "", "",
     "", "", 0, {{0}}, {0}, {0}},
    {"ScaleDownContainerResource", 2, 6, 5, 5, 3, {{M_CPU_C2, 50}}, R1000(5), 5,
     {100, 300, 500, 250, 250}, "", "", "", "", 0, {{0}}, {0}, {0}},
    {"ScaleDownWithScalingRules", 2, 6, 5, 5, 3, {CPU(50)}, R1000(5), 5,
     {100, 300, 500, 250, 250}, "", "", "", "", 0, {{0}}, {true, 0, 0, 100, 15, 30},
     {0}},
    {"ScaleUpOneMetricInvalid", 2, 6, 3, 3, 4, {CPU(30), {M_INVALID, 0}}, R1000(3), 3,
     {300, 400, 500}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"ScaleUpFromZeroOneMetricInvalid", 0, 6, 0, 0, 4, {CPU(30), {M_INVALID, 0}}, R1000(3), 3,
     {300, 400, 500}, "", "", "", "", 0, {{0}}, {0}, {0}},
    {"ScaleUpBothMetricsEmpty", 2, 6, 3, 3, 3, {{M_INVALID, 0}}, R1000(3), 0, {0}, "", "",
     "", "", -1, {{0}}, {0}, {0}},
    {"ScaleDownStabilizeInitialSize", 2, 6, 5, 5, 5, {CPU(50)}, R1000(5), 5,
     {100, 300, 500, 250, 250}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"ScaleDownCM", 2, 6, 5, 5, 3, {{M_PODS, 20000}}, R1000(5), 5,
     {12000, 12000, 12000, 12000, 12000}, "", "", "", "", 0, {{0}}, {0}, {0}},
    {"ScaleDownCMObject", 2, 6, 5, 5, 3, {{M_OBJECT, 20000}}, R1000(5), 1, {12000}, "",
     "", "", "", 0, {{0}}, {0}, {0}},
    {"ScaleDownToZeroCMObject", 0, 6, 5, 5, 0, {{M_OBJECT, 20000}}, R1000(5), 1, {0}, "",
     "", "", "", 0, {{0}}, {0}, {0}},
    {"ScaleDownPerPodCMObject", 2, 6, 5, 5, 3, {{M_OBJECT_AVG, 20000}}, R1000(5), 1, {60000},
     "", "", "", "", 0, {{0}}, {0}, {0}},
    {"ScaleDownCMExternal", 2, 6, 5, 5, 3, {{M_EXTERNAL, 14400}}, 0, {0}, 1, {8600}, "",
     "", "", "", 0, {{0}}, {0}, {0}},
    {"ScaleDownToZeroCMExternal", 0, 6, 5, 5, 0, {{M_EXTERNAL, 14400}}, 0, {0}, 1, {0}, "",
     "", "", "", 0, {{0}}, {0}, {0}},
    {"ScaleDownPerPodCMExternal", 2, 6, 5, 5, 3, {{M_EXTERNAL_AVG, 3000}}, 0, {0}, 1, {8600},
     "", "", "", "", 0, {{0}}, {0}, {0}},
    {"ScaleDownIncludeUnreadyPods", 2, 6, 5, 5, 2, {CPU(50)}, R1000(5), 5,
     {100, 300, 500, 250, 250}, "TTTFF", "", "", "", 0, {{0}}, {0}, {0}},
    {"ScaleDownIgnoreHotCpuPods", 2, 6, 5, 5, 2, {CPU(50)}, R1000(5), 5,
     {100, 300, 500, 250, 250}, "", "", "", "ccchh", 0, {{0}}, {0}, {0}},
    {"ScaleDownIgnoresFailedPods", 2, 6, 5, 5, 3, {CPU(50)}, R1000(7), 5,
     {100, 300, 500, 250, 250}, "TTTTTFF", "RRRRRFF", "", "", 0, {{0}}, {0}, {0}},
    {"ScaleDownIgnoresDeletionPods", 2, 6, 5, 5, 3, {CPU(50)}, R1000(7), 5,
     {100, 300, 500, 250, 250}, "TTTTTFF", "RRRRRRR", "0000011", "", 0, {{0}}, {0}, {0}},
    {"Tolerance", 1, 5, 3, 3, 3, {CPU(100)}, 3, {900, 1000, 1100}, 3, {1010, 1030, 1020},
     "", "", "", "", -1, {{0}}, {0}, {0}},
    {"ToleranceCM", 1, 5, 3, 3, 3, {{M_PODS, 20000}}, 3, {900, 1000, 1100}, 3,
     {20000, 20001, 21000}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"ToleranceCMObject", 1, 5, 3, 3, 3, {{M_OBJECT, 20000}}, 3, {900, 1000, 1100}, 1, {20050},
     "", "", "", "", -1, {{0}}, {0}, {0}},
    {"ToleranceCMExternal", 2, 6, 4, 4, 4, {{M_EXTERNAL, 8666}}, 0, {0}, 1, {8600}, "", "",
     "", "", -1, {{0}}, {0}, {0}},
    {"TolerancePerPodCMObject", 2, 6, 4, 4, 4, {{M_OBJECT_AVG, 2200}}, 0, {0}, 1, {8600}, "",
     "", "", "", -1, {{0}}, {0}, {0}},
    {"TolerancePerPodCMExternal", 2, 6, 4, 4, 4, {{M_EXTERNAL_AVG, 2200}}, 0, {0}, 1, {8600},
     "", "", "", "", -1, {{0}}, {0}, {0}},
    {"MinReplicas", 2, 5, 3, 3, 2, {CPU(90)}, 3, {900, 1000, 1100}, 3, {10, 95, 10}, "",
     "", "", "", 0, {{0}}, {0}, {0}},
    {"ZeroMinReplicasDesiredZero", 0, 5, 3, 3, 0, {CPU(90)}, 3, {900, 1000, 1100}, 3,
     {0, 0, 0}, "", "", "", "", 0, {{0}}, {0}, {0}},
    {"MinReplicasDesiredZero", 2, 5, 3, 3, 2, {CPU(90)}, 3, {900, 1000, 1100}, 3, {0, 0, 0},
     "", "", "", "", 0, {{0}}, {0}, {0}},
    {"ZeroReplicas", 3, 5, 0, 0, 0, {CPU(90)}, 0, {0}, 0, {0}, "", "", "", "", -1,
     {{0}}, {0}, {0}},
    {"TooFewReplicas", 3, 5, 2, 2, 3, {CPU(90)}, 0, {0}, 0, {0}, "", "", "", "", -1,
     {{0}}, {0}, {0}},
    {"TooManyReplicas", 3, 5, 10, 10, 5, {CPU(90)}, 0, {0}, 0, {0}, "", "", "", "", -1,
     {{0}}, {0}, {0}},
    {"MaxReplicas", 2, 5, 3, 3, 5, {CPU(90)}, 3, {900, 1000, 1100}, 3, {8000, 9500, 1000},
     "", "", "", "", -1, {{0}}, {0}, {0}},
    {"SuperfluousMetrics", 2, 6, 4, 4, 6, {CPU(100)}, R1000(4), 6,
     {4000, 9500, 3000, 7000, 3200, 2000}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"MissingMetrics", 2, 6, 4, 4, 3, {CPU(100)}, R1000(4), 2, {400, 95}, "", "", "",
     "", 0, {{0}}, {0}, {0}},
    {"EmptyMetrics", 2, 6, 4, 4, 4, {CPU(100)}, R1000(4), 0, {0}, "", "", "", "", -1,
     {{0}}, {0}, {0}},
    {"EmptyCPURequest", 1, 5, 1, 1, 1, {CPU(100)}, -1, {0}, 1, {200}, "", "", "", "",
     -1, {{0}}, {0}, {0}},
    {"EventCreated", 1, 5, 1, 1, 2, {CPU(50)}, 1, {200}, 1, {200}, "", "", "", "", -1,
     {{0}}, {0}, {0}},
    {"EventNotCreated", 1, 5, 2, 2, 2, {CPU(50)}, 2, {400, 400}, 2, {200, 200}, "", "",
     "", "", -1, {{0}}, {0}, {0}},
    {"MissingReports", 1, 5, 4, 4, 2, {CPU(50)}, 1, {200}, 1, {200}, "", "", "", "", 0,
     {{0}}, {0}, {0}},
    {"UpscaleCap", 1, 100, 3, 3, 24, {CPU(10)}, 3, {100, 100, 100}, 3, {100, 200, 300}, "",
     "", "", "", -1, {{0}}, {true, 0, 0, 700, 60, 0}, {0}},
    {"UpscaleCapGreaterThanMaxReplicas", 1, 20, 3, 3, 20, {CPU(10)}, 3, {100, 100, 100}, 3,
     {100, 200, 300}, "", "", "", "", -1, {{0}}, {true, 0, 0, 700, 60, 0}, {0}},
    {"MoreReplicasThanSpecNoScale", 1, 8, 4, 5, 4, {CPU(50)}, R1000(5), 5,
     {500, 500, 500, 500, 500}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"ConditionFailedGetMetrics/FailedGetResourceMetric", 1, 100, 3, 3, 3, {{M_FAILS, 0}}, 3,
     {100, 100, 100}, 3, {100, 200, 300}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"ConditionFailedGetMetrics/FailedGetPodsMetric", 1, 100, 3, 3, 3, {{M_FAILS, 0}}, 3,
     {100, 100, 100}, 3, {100, 200, 300}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"ConditionFailedGetMetrics/FailedGetObjectMetric", 1, 100, 3, 3, 3, {{M_FAILS, 0}}, 3,
     {100, 100, 100}, 3, {100, 200, 300}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"ConditionFailedGetMetrics/FailedGetExternalMetric", 1, 100, 3, 3, 3, {{M_FAILS, 0}}, 3,
     {100, 100, 100}, 3, {100, 200, 300}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"ConditionInvalidSourceType", 2, 6, 3, 3, 3, {{M_INVALID, 0}}, 0, {0}, 1, {20000}, "",
     "", "", "", -1, {{0}}, {0}, {0}},
    {"NoBackoffUpscaleCM", 1, 5, 3, 3, 4, {{M_PODS, 15000}}, R1000(3), 3,
     {20000, 10000, 30000}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"NoBackoffUpscaleCMNoBackoffCpu", 1, 5, 3, 3, 5, {CPU(10), {M_PODS, 15000}}, R1000(3), 3,
     {20000, 10000, 30000}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"StabilizeDownscale", 1, 5, 4, 4, 4, {CPU(100)}, 3, {100, 100, 100}, 3, {50, 50, 50},
     "", "", "", "", 2, {{10, 600}, {4, 60}}, {0}, {0}},
    /* 10 pods at 150m requesting 300m +- jitter split in halves
     * (299m reads back as 298m): 50 % against 56 % and 55 % */
    {"ComputedToleranceAlgImplementation/outside", 0, 1000, 10, 10, 9, {CPU(56)}, 10,
     {400, 200, 310, 290, 302, 298, 301, 299, 300, 300}, 10,
     {150, 150, 150, 150, 150, 150, 150, 150, 150, 150}, "", "", "", "", 0, {{0}},
     {0}, {0}},
    {"ComputedToleranceAlgImplementation/inside", 0, 1000, 10, 10, 10, {CPU(55)}, 10,
     {400, 200, 310, 290, 302, 298, 301, 299, 300, 300}, 10,
     {150, 150, 150, 150, 150, 150, 150, 150, 150, 150}, "", "", "", "", 0, {{0}},
     {0}, {0}},
    {"ScaleUpRCImmediately", 2, 6, 1, 1, 2, {{M_NONE, 0}}, R1000(4), 4, {0, 0, 0, 0}, "",
     "", "", "", -1, {{0}}, {0}, {0}},
    {"ScaleDownRCImmediately", 2, 5, 6, 6, 5, {CPU(50)}, 3, {900, 1000, 1100}, 3,
     {8000, 9500, 1000}, "", "", "", "", -1, {{0}}, {0}, {0}},
    /* the HPA the test lists targets 80 % (not the case's 30 %) */
    {"AvoidUnnecessaryUpdates", 2, 6, 2, 2, 2, {CPU(80)}, R1000(3), 3, {400, 500, 700}, "",
     "", "", "chh", 0, {{0}}, {0}, {0}},
    {"ScaleUpOneMetricEmpty", 2, 6, 3, 3, 4, {CPU(30), {M_FAILS, 0}}, R1000(3), 3,
     {300, 400, 500}, "", "", "", "", -1, {{0}}, {0}, {0}},
    {"NoScaleDownOneMetricInvalid", 2, 6, 5, 5, 5, {CPU(50), {M_INVALID, 0}}, R1000(5), 5,
     {100, 300, 500, 250, 250}, "", "", "", "", 0, {{0}}, {0}, {0}},
    {"NoScaleDownOneMetricEmpty", 2, 6, 5, 5, 5, {CPU(50), {M_FAILS, 0}}, R1000(5), 5,
     {100, 300, 500, 250, 250}, "", "", "", "", 0, {{0}}, {0}, {0}},
};

ParameterizedTestParameters(hpa_upstream, controller)
{
    return cr_make_param_array(ctl_case, controller_cases,
                               sizeof controller_cases / sizeof controller_cases[0]);
}

/* The pods the test's fake client lists: one per reportedCPURequests
 * entry, else statusReplicas pods of 1.0 CPU; each pod's request and
 * level go to two containers in halves; Ready's transition is the start. */
static int ctl_pods(const ctl_case *c, as_hpa_pod *pods)
{
    int n = c->nreq > 0 ? c->nreq : c->nreq < 0 ? 0 : c->status;
    for (int i = 0; i < n; i++) {
        int64_t req = c->nreq > 0 ? c->req[i] : 1000;
        as_time st = start_of(c->start, i);
        pods[i] = (as_hpa_pod){.phase = phase_of(c->phase, i),
                               .deleting = flag_of(c->deleted, i),
                               .ready = ready_of(c->ready, i),
                               .has_start = true,
                               .start = st,
                               .transition = st,
                               .has_metric = i < c->nlev,
                               .metric_time = NOW,
                               .metric_window = S(60),
                               .has_request = c->nreq >= 0,
                               .request = req / 2 * 2};
    }
    return n;
}

/* One metric's proposal, as computeReplicasForMetric would make it. */
static int ctl_proposal(const ctl_case *c, const ctl_metric *m, const as_hpa_pod *pods, int n)
{
    as_hpa_pods s = {0};
    int ready_pods = 0;
    int64_t total = 0;
    for (int i = 0; i < c->nlev; i++)
        total += (int64_t)c->lev[i];
    for (int i = 0; i < n; i++) {
        as_hpa_pod p = pods[i];
        bool cpu = m->kind == M_CPU || m->kind == M_CPU_C1 || m->kind == M_CPU_C2;
        int64_t half = p.has_metric ? (int64_t)c->lev[i] / 2 : 0;
        if (cpu && m->kind != M_CPU) { /* one container: half the request */
            p.value = half;
            p.request /= 2;
        } else {
            p.value = cpu ? 2 * half : p.has_metric ? (int64_t)c->lev[i] : 0;
        }
        as_hpa_pods_add(&s, &p, as_hpa_group_pod(&p, cpu, NOW, CPU_INIT, DELAY));
        ready_pods += p.phase == AS_HPA_RUNNING && p.ready == AS_HPA_COND_TRUE;
    }
    switch (m->kind) {
    case M_CPU:
    case M_CPU_C1:
    case M_CPU_C2:
        return as_hpa_resource_replicas(c->spec, (int)m->target, &s, TOL, NULL);
    case M_PODS:
        return as_hpa_plain_replicas(c->spec, m->target, &s, TOL, NULL);
    case M_OBJECT: /* the object's one value: reportedLevels[0] */
        return as_hpa_value_replicas(c->spec, n, ready_pods, (int64_t)c->lev[0], m->target, TOL);
    case M_OBJECT_AVG:
        return as_hpa_average_replicas(c->status, (int64_t)c->lev[0], m->target, TOL, NULL);
    case M_EXTERNAL:
        return as_hpa_value_replicas(c->spec, n, ready_pods, total, m->target, TOL);
    case M_EXTERNAL_AVG:
        return as_hpa_average_replicas(c->status, total, m->target, TOL, NULL);
    default: /* an unknown source type, or the metrics API failing */
        return AS_HPA_INVALID;
    }
}

ParameterizedTest(ctl_case *c, hpa_upstream, controller)
{
    as_hpa_pod pods[MP];
    int n = ctl_pods(c, pods);
    int prop[3], np = 0;
    for (int k = 0; k < 3 && c->met[k].kind != M_NONE; k++)
        prop[np++] = ctl_proposal(c, &c->met[k], pods, n);
    as_hpa_rec rec[8];
    as_hpa_event up[8], down[8];
    as_hpa_hist h = {rec, 0, 8, up, down, 0, 0, 8, 8, c->recs >= 0};
    for (int i = 0; i < c->recs; i++)
        rec[h.nrec++] = (as_hpa_rec){NOW - S(c->rec[i].age_s), c->rec[i].rec, c->rec[i].rec};
    as_hpa_spec spec = {.min = c->min,
                        .max = c->max,
                        .behavior = c->up.set || c->down.set,
                        .down_flag = S(300),
                        .up_factor = 8.0, /* horizontal_test.go init() */
                        .up_minimum = 4.0};
    rules_of(&c->up, &spec.up, true);
    rules_of(&c->down, &spec.down, false);
    as_hpa_outcome out;
    as_hpa_reconcile(&h, &spec, NOW, c->spec, prop, np, &out);
    cr_expect_eq(out.desired, c->expect, "%s: desired %d, expected %d", c->name, out.desired,
                 c->expect);
}
