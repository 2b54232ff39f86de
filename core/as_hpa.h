/* as_hpa.h - the arithmetic of the Kubernetes HorizontalPodAutoscaler
 * controller (kubernetes/kubernetes pkg/controller/podautoscaler), as plain
 * functions over plain data: pod grouping and one replica proposal per
 * metric (replica_calculator.go, core/policy/pol_hpa_calc.c), and the
 * reconcile step that takes the largest proposal, stabilizes it and limits
 * its rate (horizontal.go, core/policy/pol_hpa_norm.c). The hpa policy kind
 * (pol_hpa.c) maps a simulated tier onto these; the tests hold them to the
 * controller's own test tables.
 * Owns: nothing. Callers own every array (the hpa kind takes its history
 *   once at init; tests pass static arrays).
 * Invariant: quantities are integers in milli-units as the metrics APIs
 *   hand them to the controller (Quantity.MilliValue: 250m CPU = 250,
 *   1.5 requests/s = 1500), and every rounding is the controller's: the
 *   utilisation percent is truncated to an integer, averages are integer
 *   divisions, replica counts are math.Ceil of a float64 product. Time is
 *   an argument; nothing here reads a clock, allocates or prints.
 * Must not: know about tiers, monitors or files. */
#ifndef AS_HPA_H
#define AS_HPA_H

#include "as.h"

#include <stdbool.h>
#include <stdint.h>

/* A proposal the controller could not compute (an error it reports on the
 * HPA's conditions): the metric takes no part in the maximum. */
#define AS_HPA_INVALID (-1)

/* Per-direction tolerances (Tolerances.isWithin): a usage ratio r keeps
 * the current count when 1 - down <= r <= 1 + up. */
typedef struct as_hpa_tol {
    double down, up;
} as_hpa_tol;

bool as_hpa_within(as_hpa_tol t, double ratio);

/* ---- pods and their metrics (groupPods) ---- */

enum { AS_HPA_RUNNING, AS_HPA_PENDING, AS_HPA_SUCCEEDED, AS_HPA_FAILED }; /* pod phase */
enum { AS_HPA_COND_NONE, AS_HPA_COND_TRUE, AS_HPA_COND_FALSE };          /* Ready condition */

/* One pod as the controller lists it, with the sample the metrics API
 * returned for it. */
typedef struct as_hpa_pod {
    int phase;                          /* AS_HPA_RUNNING, ... */
    bool deleting;                      /* DeletionTimestamp set */
    int ready;                          /* AS_HPA_COND_*: the Ready condition */
    bool has_start;                     /* Status.StartTime set */
    as_time start;                      /* Status.StartTime */
    as_time transition;                 /* LastTransitionTime of Ready */
    bool has_metric;                    /* a sample exists for this pod */
    int64_t value;                      /* the sample, milli-units */
    as_time metric_time, metric_window; /* its Timestamp and Window */
    bool has_request;                   /* Resource metrics: the request is set */
    int64_t request;                    /* milli-units */
} as_hpa_pod;

typedef enum { AS_HPA_READY, AS_HPA_UNREADY, AS_HPA_MISSING, AS_HPA_IGNORED } as_hpa_group;

/* groupPods for one pod. cpu: the metric is the CPU resource (only then
 * does readiness matter): inside cpu_init since the pod started, a pod
 * that is not Ready, or whose sample was taken less than one metric
 * window after it became Ready, is unready; after it, a pod is unready
 * only if it is not Ready and never was (its Ready transition came within
 * `delay` of its start). Pending pods are unready, pods being deleted or
 * Failed are ignored, pods without a sample are missing. */
as_hpa_group as_hpa_group_pod(const as_hpa_pod *p, bool cpu, as_time now, as_time cpu_init,
                              as_time delay);

/* What the replica calculator needs of the grouped pods, as sums. */
typedef struct as_hpa_pods {
    int pods;                 /* every listed pod, ignored ones included */
    int ready, unready, missing;
    int64_t value;            /* sum of the samples of the ready pods */
    int64_t request;          /* sum of the requests of the ready pods */
    int64_t unready_request, missing_request;
    bool no_request;          /* a listed pod has no request (Resource metrics fail) */
} as_hpa_pods;

/* Add one pod in group g (as_hpa_group_pod) to the sums. */
void as_hpa_pods_add(as_hpa_pods *s, const as_hpa_pod *p, as_hpa_group g);

/* ---- one proposal per metric (replica_calculator.go) ---- */

/* GetResourceReplicas: a Resource (or ContainerResource) metric with a
 * Utilization target in percent of the request. *util gets the observed
 * utilisation percent (may be NULL). AS_HPA_INVALID when no pod is
 * listed, no ready pod has a sample, or a request is missing. */
int as_hpa_resource_replicas(int current, int target_pct, const as_hpa_pods *s, as_hpa_tol tol,
                             int *util);

/* calcPlainMetricReplicas: a Pods metric, or a Resource metric with an
 * AverageValue target (GetRawResourceReplicas): target per pod in
 * milli-units. *usage gets the observed average (may be NULL). */
int as_hpa_plain_replicas(int current, int64_t target, const as_hpa_pods *s, as_hpa_tol tol,
                          int64_t *usage);

/* GetObjectMetricReplicas / GetExternalMetricReplicas: a Value target.
 * ready_pods: pods Running and Ready (getReadyPodsCount); pods: pods
 * listed. With current = 0 the count is ceil(usage / target), tolerance
 * not applied (scale from zero). */
int as_hpa_value_replicas(int current, int pods, int ready_pods, int64_t usage, int64_t target,
                          as_hpa_tol tol);

/* GetObjectPerPodMetricReplicas / GetExternalPerPodMetricReplicas: an
 * AverageValue target on an Object or External metric: ceil(usage /
 * target) unless usage / (target x status) is within tolerance. *avg gets
 * ceil(usage / status) (may be NULL). */
int as_hpa_average_replicas(int status, int64_t usage, int64_t target, as_hpa_tol tol,
                            int64_t *avg);

/* ---- behavior (autoscaling/v2 HPAScalingRules) ---- */

enum { AS_HPA_SELECT_MAX, AS_HPA_SELECT_MIN, AS_HPA_SELECT_DISABLED };
enum { AS_HPA_POLICY_PODS, AS_HPA_POLICY_PERCENT };
#define AS_HPA_MAX_POLICIES 16

typedef struct as_hpa_policy {
    int type;     /* AS_HPA_POLICY_PODS or _PERCENT */
    int value;    /* pods, or percent */
    int period_s; /* periodSeconds */
} as_hpa_policy;

/* One direction of spec.behavior. Unset fields: window_s, select < 0,
 * npol = 0, tolerance < 0; as_hpa_rules_fill gives them the API defaults. */
typedef struct as_hpa_rules {
    int window_s; /* stabilizationWindowSeconds (scale-down: -1 = the controller flag) */
    int select;   /* AS_HPA_SELECT_* */
    int npol;
    as_hpa_policy pol[AS_HPA_MAX_POLICIES];
    double tolerance; /* < 0: the controller's --horizontal-pod-autoscaler-tolerance */
} as_hpa_rules;

/* An all-unset direction. */
void as_hpa_rules_unset(as_hpa_rules *r);
/* GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: unset fields take
 * the defaults of apis/autoscaling/v2/defaults.go (up: window 0, Max,
 * {Pods 4, Percent 100} per 15 s; down: Max, {Percent 100} per 15 s, the
 * window left to the controller flag). */
void as_hpa_rules_fill(as_hpa_rules *r, bool up);
/* The longest periodSeconds of the policies (getLongestPolicyPeriod). */
int as_hpa_longest_period(const as_hpa_rules *r);

/* ---- history: recommendations and scale events of one HPA ---- */

/* A recommendation; lo < hi only when two were folded into one (below). */
typedef struct as_hpa_rec {
    as_time t;
    int lo, hi;
} as_hpa_rec;

typedef struct as_hpa_event {
    as_time t;
    int change; /* replicas added (up) or removed (down), > 0 */
    bool outdated;
} as_hpa_event;

/* The controller's per-HPA maps. The arrays are the caller's; an entry
 * older than every window is reused in place as the controller does, so
 * with one evaluation per sync period they never fill. Should one fill
 * anyway (evaluations faster than capacity allows), the newest entry
 * absorbs the new one (min/max of recommendations, sum of events, newest
 * time): the HPA can then only hold a little longer, never act faster. */
typedef struct as_hpa_hist {
    as_hpa_rec *rec;
    int nrec, cap_rec;
    as_hpa_event *up, *down;
    int nup, ndown, cap_up, cap_down;
    bool started; /* recommendations exist (recordInitialRecommendation ran) */
} as_hpa_hist;

/* ---- normalization (horizontal.go) ---- */

/* Why the normalized count is what it is (the ScalingLimited reason). */
enum {
    AS_HPA_WITHIN_RANGE, /* DesiredWithinRange */
    AS_HPA_TOO_FEW,      /* TooFewReplicas */
    AS_HPA_TOO_MANY,     /* TooManyReplicas */
    AS_HPA_UP_LIMIT,     /* ScaleUpLimit */
    AS_HPA_DOWN_LIMIT    /* ScaleDownLimit */
};
extern const char *const as_hpa_cond_names[]; /* "DesiredWithinRange", ... */

/* stabilizeRecommendation (no behavior): the largest recommendation of the
 * last `window`, the new one included, which is then recorded. */
int as_hpa_stabilize_legacy(as_hpa_hist *h, as_time now, as_time window, int desired);

/* convertDesiredReplicasWithRules: clamp into [min, min(max, scaleUpLimit)]
 * with scaleUpLimit = max(factor x current, minimum) (the controller's
 * scaleUpLimitFactor 2 and scaleUpLimitMinimum 4). *cond may be NULL. */
int as_hpa_convert_legacy(int current, int desired, int min, int max, double factor,
                          double minimum, int *cond);

/* stabilizeRecommendationWithBehaviors: current clamped into [min of the
 * recommendations in the scale-up window, max of those in the scale-down
 * window], the new one included; the new one is then recorded. The down
 * window is down->window_s, or down_flag when it is unset. */
int as_hpa_stabilize(as_hpa_hist *h, as_time now, const as_hpa_rules *up,
                     const as_hpa_rules *down, as_time down_flag, int current, int desired);

/* getReplicasChangePerPeriod: the changes of events strictly after now -
 * period. */
int as_hpa_change_in_period(const as_hpa_event *ev, int n, as_time now, int period_s);

/* calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors. */
int as_hpa_up_limit(int current, const as_hpa_hist *h, as_time now, const as_hpa_rules *r);
int as_hpa_down_limit(int current, const as_hpa_hist *h, as_time now, const as_hpa_rules *r);

/* convertDesiredReplicasWithBehaviorRate. *cond may be NULL. */
int as_hpa_convert_rate(const as_hpa_hist *h, as_time now, const as_hpa_rules *up,
                        const as_hpa_rules *down, int min, int max, int current, int desired,
                        int *cond);

/* storeScaleEvent: nothing without behavior; otherwise the change is
 * recorded in its direction, reusing an entry older than the longest
 * policy period of that direction (marked outdated first). */
void as_hpa_store_event(as_hpa_hist *h, as_time now, bool behavior, const as_hpa_rules *up,
                        const as_hpa_rules *down, int prev, int next);

/* ---- one reconcile (reconcileAutoscaler) ---- */

typedef struct as_hpa_spec {
    int min, max;            /* spec.minReplicas (default 1), spec.maxReplicas */
    bool behavior;           /* spec.behavior present */
    as_hpa_rules up, down;   /* filled (as_hpa_rules_fill) when behavior */
    as_time down_flag;       /* --horizontal-pod-autoscaler-downscale-stabilization */
    double up_factor, up_minimum; /* legacy scale-up limit (2 and 4 in the controller) */
} as_hpa_spec;

/* Where a reconcile stopped, for the decision's reason. */
enum {
    AS_HPA_STEP_DISABLED,    /* current = 0 with minReplicas > 0: scaling disabled */
    AS_HPA_STEP_ABOVE_MAX,   /* current > max: set to max, no metric read */
    AS_HPA_STEP_BELOW_MIN,   /* current < min: set to min */
    AS_HPA_STEP_INVALID,     /* every metric invalid, or one invalid and the rest would scale down */
    AS_HPA_STEP_NORMALIZED   /* the proposal went through stabilization and limits */
};

typedef struct as_hpa_outcome {
    int desired;    /* the count the controller sets (= current: unchanged) */
    int proposal;   /* largest valid metric proposal (AS_HPA_INVALID: none) */
    int stabilized; /* after stabilization (= proposal when not normalized) */
    int step;       /* AS_HPA_STEP_* */
    int cond;       /* AS_HPA_WITHIN_RANGE, ... after the limits */
} as_hpa_outcome;

/* One reconcile at `now` with the metrics' proposals (AS_HPA_INVALID for
 * a metric that failed). Records the initial recommendation, the new one
 * and, when the count changes, the scale event, as the controller does. */
void as_hpa_reconcile(as_hpa_hist *h, const as_hpa_spec *s, as_time now, int current,
                      const int *proposals, int n, as_hpa_outcome *out);

#endif
