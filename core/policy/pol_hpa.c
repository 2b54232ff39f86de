/* pol_hpa.c - the `hpa` policy: the Kubernetes Horizontal Pod Autoscaler
 * for one resource metric (CPU utilisation), as the controller computes it
 * in pkg/controller/podautoscaler (replica_calculator.go GetResourceReplicas
 * and horizontal.go normalizeDesiredReplicasWithBehaviors), autoscaling/v2
 * with the `behavior` defaults of apis/autoscaling/v2/defaults.go.
 *
 * One evaluation (the controller's reconcile, every 15 s by default):
 *  1. current outside [min, max]: go to the bound, no metric needed;
 *  2. metric missing (NAN, or no ready pod reports): no change at all; the
 *     HPA never scales down on an invalid metric (k/k PR #99514);
 *  3. usage ratio r = utilization / target in integer percent, as the
 *     controller does; |1 - r| <= tolerance keeps current (fast path);
 *     otherwise desired = ceil(r * ready). Booting pods are "unready": on a
 *     scale-up they are counted with 0 usage and r is recomputed (slow path);
 *  4. stabilization: the result is clamped into [min of the recommendations
 *     in the up window, max of those in the down window] (300 s down);
 *  5. rate limit: scale-up/down policies computed from the replica count at
 *     the start of each policy period (scale events of this HPA).
 *
 * Keys (defaults = Kubernetes defaults):
 *   target = 0.8              averageUtilization 80 % (DefaultCPUUtilization)
 *   tolerance = 0.1           --horizontal-pod-autoscaler-tolerance
 *   up_stabilization = 0s     behavior.scaleUp.stabilizationWindowSeconds
 *   down_stabilization = 300s behavior.scaleDown.stabilizationWindowSeconds
 *   up_pods = 4               scaleUp policy {Pods 4 per up_period}; 0 = absent
 *   up_percent = 100          scaleUp policy {Percent 100 per up_period}; 0 = absent
 *   up_period = 15s           periodSeconds of both scale-up policies
 *   up_select = max           selectPolicy: max | min | disabled
 *   down_pods = 0             scaleDown Pods policy; 0 = absent (the default)
 *   down_percent = 100        scaleDown policy {Percent 100 per down_period}
 *   down_period = 15s
 *   down_select = max
 * A direction with both policies absent (0) is not rate limited at all;
 * the API rejects an empty policy list, so this is an extension.
 *
 * Memory: the recommendation history and the scale events live in rings
 * sized at create for one evaluation per second over the longest window or
 * period (3600 s at most, as the API bounds them). decide() never allocates;
 * if evaluations come faster than once a second, the newest entry absorbs
 * the new one (min/max of recommendations, sum of events, newest time),
 * which can only make the HPA hold a little longer, never scale faster. */
#include "as_policy.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

enum { SEL_MAX, SEL_MIN, SEL_DISABLED };
static const char *const select_names[] = {"max", "min", "disabled", NULL};

typedef struct {
    double target;    /* target utilisation, fraction of the request */
    double tolerance; /* dead band around ratio 1 */
    as_time up_stabilization, down_stabilization;
    int up_pods, up_percent; /* 0 = policy absent */
    as_time up_period;
    int up_select;
    int down_pods, down_percent;
    as_time down_period;
    int down_select;
} hpa_cfg;

static const as_param_def params[] = {
    {"target", AS_P_DOUBLE, offsetof(hpa_cfg, target), 0.01, 100.0, NULL, 0,
     "target utilisation of the pods' request (0.8 or 80%); integer percent like the API"},
    {"tolerance", AS_P_DOUBLE, offsetof(hpa_cfg, tolerance), 0.0, 1.0, NULL, 0,
     "no change while |1 - utilization/target| <= tolerance"},
    {"up_stabilization", AS_P_DURATION, offsetof(hpa_cfg, up_stabilization), 0, 3600, NULL, 0,
     "scale-up stabilization window (min of the recommendations in it)"},
    {"down_stabilization", AS_P_DURATION, offsetof(hpa_cfg, down_stabilization), 0, 3600, NULL,
     0, "scale-down stabilization window (max of the recommendations in it)"},
    {"up_pods", AS_P_INT, offsetof(hpa_cfg, up_pods), 0, 1000000, NULL, 0,
     "scale-up Pods policy: add at most this many pods per up_period (0: no such policy)"},
    {"up_percent", AS_P_INT, offsetof(hpa_cfg, up_percent), 0, 1000000, NULL, 0,
     "scale-up Percent policy: grow by at most this percent per up_period (0: none)"},
    {"up_period", AS_P_DURATION, offsetof(hpa_cfg, up_period), 1, 1800, NULL, 0,
     "period of the scale-up policies"},
    {"up_select", AS_P_ENUM, offsetof(hpa_cfg, up_select), 0, 0, select_names, 0,
     "scale-up selectPolicy: max (largest change), min, disabled"},
    {"down_pods", AS_P_INT, offsetof(hpa_cfg, down_pods), 0, 1000000, NULL, 0,
     "scale-down Pods policy: remove at most this many pods per down_period (0: none)"},
    {"down_percent", AS_P_INT, offsetof(hpa_cfg, down_percent), 0, 100, NULL, 0,
     "scale-down Percent policy: shrink by at most this percent per down_period (0: none)"},
    {"down_period", AS_P_DURATION, offsetof(hpa_cfg, down_period), 1, 1800, NULL, 0,
     "period of the scale-down policies"},
    {"down_select", AS_P_ENUM, offsetof(hpa_cfg, down_select), 0, 0, select_names, 0,
     "scale-down selectPolicy: max (largest change), min, disabled"},
    {0},
};

static void defaults(void *cfg)
{
    hpa_cfg *c = cfg;
    c->target = 0.8;
    c->tolerance = 0.1;
    c->up_stabilization = 0;
    c->down_stabilization = 300 * AS_SEC;
    c->up_pods = 4;
    c->up_percent = 100;
    c->up_period = 15 * AS_SEC;
    c->up_select = SEL_MAX;
    c->down_pods = 0;
    c->down_percent = 100;
    c->down_period = 15 * AS_SEC;
    c->down_select = SEL_MAX;
}

/* A time-ordered ring of (t, lo, hi). Recommendations use lo/hi (equal
 * until two are folded together); scale events keep their change in lo. */
typedef struct {
    as_time t;
    int lo, hi;
} entry;

typedef struct {
    entry *e;
    int cap, head, n; /* oldest at head, newest at head + n - 1 */
} ring;

static entry *ring_at(ring *r, int i) { return &r->e[(r->head + i) % r->cap]; }

/* Drop entries older than cutoff (strictly before, as the controller's
 * Before(cutoff) recycling does). */
static void ring_expire(ring *r, as_time cutoff)
{
    while (r->n > 0 && r->e[r->head].t < cutoff) {
        r->head = (r->head + 1) % r->cap;
        r->n--;
    }
}

static void ring_push(ring *r, as_time t, int lo, int hi, int fold_sum)
{
    if (r->n == r->cap) { /* full: fold into the newest (see the header) */
        entry *last = ring_at(r, r->n - 1);
        last->t = t;
        if (fold_sum) {
            last->lo += lo;
        } else {
            last->lo = lo < last->lo ? lo : last->lo;
            last->hi = hi > last->hi ? hi : last->hi;
        }
        return;
    }
    entry *e = ring_at(r, r->n);
    e->t = t;
    e->lo = lo;
    e->hi = hi;
    r->n++;
}

/* Sum of the changes of the events strictly after cutoff
 * (getReplicasChangePerPeriod: rec.timestamp.After(cutoff)). */
static int ring_sum_after(ring *r, as_time cutoff)
{
    int sum = 0;
    for (int i = 0; i < r->n; i++) {
        entry *e = ring_at(r, i);
        if (e->t > cutoff)
            sum += e->lo;
    }
    return sum;
}

typedef struct {
    hpa_cfg cfg;
    int target_pct; /* target as the API's integer percent */
    ring recs;      /* unstabilized recommendations */
    ring ups, downs; /* scale events: replicas added / removed */
    entry *mem;     /* one block behind the three rings */
} hpa_state;

static int ring_cap(as_time span) { return (int)(span / AS_SEC) + 2; }

static void fini(void *state)
{
    hpa_state *s = state;
    free(s->mem);
}

/* The rings' memory depends on the windows: one block, taken here. */
static int init(void *state, const void *cfg, as_err *err)
{
    const hpa_cfg *c = cfg;
    long pct = lround(c->target * 100.0);
    if (pct < 1)
        return as_err_set(err, AS_EINVAL, "key 'target': %g is below 1%%", c->target);
    hpa_state *s = state;
    s->cfg = *c;
    s->target_pct = (int)pct;
    as_time win = c->up_stabilization > c->down_stabilization ? c->up_stabilization
                                                              : c->down_stabilization;
    s->recs.cap = ring_cap(win);
    s->ups.cap = ring_cap(c->up_period);
    s->downs.cap = ring_cap(c->down_period);
    s->mem = malloc(sizeof(entry) * (size_t)(s->recs.cap + s->ups.cap + s->downs.cap));
    if (s->mem == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    s->recs.e = s->mem;
    s->ups.e = s->recs.e + s->recs.cap;
    s->downs.e = s->ups.e + s->ups.cap;
    return AS_OK;
}

/* GetResourceReplicas. Utilisation is an integer percent, truncated
 * (int32(metricsTotal*100/requestsTotal)), and the ratio is compared with
 * the tolerance in float64, exactly as the controller does, so that e.g.
 * 88 % against 80 % (ratio 1.1000000000000001) does scale. The 1e-9 only
 * absorbs the binary representation of the simulator's fraction. */
static int metric_replicas(const hpa_state *s, const as_observation *obs, as_reason *why)
{
    int cur = obs->current, ready = obs->ready;
    int unready = obs->booting > 0 ? obs->booting : 0;
    double tol = s->cfg.tolerance;
    double util = floor(obs->utilization * 100.0 + 1e-9);
    double r = util / (double)s->target_pct;

    *why = AS_R_NONE;
    if (!(unready > 0 && r > 1.0)) {
        /* Fast path. On a scale-down the unready pods are simply left out:
         * the count is ceil(r * ready), the controller's behaviour. */
        if (fabs(1.0 - r) <= tol) {
            *why = AS_R_TOLERANCE;
            return cur;
        }
        return (int)ceil(r * (double)ready);
    }
    /* Slow path: a scale-up with unready pods. They are assumed to use 0 %
     * of their request so that pods still booting do not trigger a second
     * scale-up for load they will absorb once ready. */
    int counted = ready + unready;
    double util2 = floor(obs->utilization * (double)ready * 100.0 / (double)counted + 1e-9);
    double r2 = util2 / (double)s->target_pct;
    if (fabs(1.0 - r2) <= tol) {
        *why = AS_R_TOLERANCE;
        return cur;
    }
    if (r2 < 1.0) /* the direction reversed: keep current */
        return cur;
    int n = (int)ceil(r2 * (double)counted);
    if (n < cur) /* r2 > 1 but the count would go down: keep current */
        return cur;
    return n;
}

/* stabilizeRecommendationWithBehaviors: clamp current into
 * [min recommendation in the up window, max in the down window], each
 * window including the new recommendation, then record the new one. */
static int stabilize(hpa_state *s, as_time now, int cur, int rec)
{
    as_time up_cut = now - s->cfg.up_stabilization;
    as_time down_cut = now - s->cfg.down_stabilization;
    ring_expire(&s->recs, up_cut < down_cut ? up_cut : down_cut);
    int up = rec, down = rec;
    for (int i = 0; i < s->recs.n; i++) {
        entry *e = ring_at(&s->recs, i);
        if (e->t > up_cut && e->lo < up)
            up = e->lo;
        if (e->t > down_cut && e->hi > down)
            down = e->hi;
    }
    ring_push(&s->recs, now, rec, rec, 0);
    int out = cur;
    if (out < up)
        out = up;
    if (out > down)
        out = down;
    return out;
}

/* calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors:
 * the period start is current - added + removed within each policy's period
 * (the current controller counts both directions; older releases only the
 * same direction). Pods propose start +/- value; Percent proposes
 * ceil(start * (1 + v/100)) up and trunc(start * (1 - v/100)) down. */
static int period_start(hpa_state *s, as_time now, as_time period, int cur)
{
    as_time cut = now - period;
    return cur - ring_sum_after(&s->ups, cut) + ring_sum_after(&s->downs, cut);
}

static int up_limit(hpa_state *s, as_time now, int cur)
{
    const hpa_cfg *c = &s->cfg;
    if (c->up_select == SEL_DISABLED)
        return cur;
    if (c->up_pods == 0 && c->up_percent == 0)
        return INT_MAX;
    int start = period_start(s, now, c->up_period, cur);
    int res = c->up_select == SEL_MIN ? INT_MAX : INT_MIN;
    long long prop[2];
    int np = 0;
    if (c->up_pods > 0)
        prop[np++] = (long long)start + c->up_pods;
    if (c->up_percent > 0)
        prop[np++] = (long long)ceil((double)start * (1.0 + c->up_percent / 100.0));
    for (int i = 0; i < np; i++) {
        int p = prop[i] > INT_MAX ? INT_MAX : (int)prop[i];
        res = c->up_select == SEL_MIN ? (p < res ? p : res) : (p > res ? p : res);
    }
    return res;
}

static int down_limit(hpa_state *s, as_time now, int cur)
{
    const hpa_cfg *c = &s->cfg;
    if (c->down_select == SEL_DISABLED)
        return cur;
    if (c->down_pods == 0 && c->down_percent == 0)
        return INT_MIN;
    int start = period_start(s, now, c->down_period, cur);
    /* For scale-down, Max selects the largest change = the smallest count. */
    int res = c->down_select == SEL_MIN ? INT_MIN : INT_MAX;
    int prop[2];
    int np = 0;
    if (c->down_pods > 0)
        prop[np++] = start - c->down_pods;
    if (c->down_percent > 0)
        prop[np++] = (int)((double)start * (1.0 - c->down_percent / 100.0));
    for (int i = 0; i < np; i++) {
        int p = prop[i];
        res = c->down_select == SEL_MIN ? (p > res ? p : res) : (p < res ? p : res);
    }
    return res;
}

/* storeScaleEvent: events are kept until older than the longest period. */
static void record_event(hpa_state *s, as_time now, int from, int to)
{
    ring_expire(&s->ups, now - s->cfg.up_period);
    ring_expire(&s->downs, now - s->cfg.down_period);
    if (to > from)
        ring_push(&s->ups, now, to - from, to - from, 1);
    else if (to < from)
        ring_push(&s->downs, now, from - to, from - to, 1);
}

static void decide(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out)
{
    (void)fc;
    hpa_state *s = state;
    int cur = obs->current;
    as_time now = obs->now;

    /* reconcileAutoscaler corrects an out-of-range count before it looks at
     * any metric. (Kubernetes treats spec.replicas = 0 with minReplicas > 0
     * as "scaling disabled"; a simulated tier is never left at 0 that way.) */
    if (cur > obs->max || cur < obs->min) {
        int to = cur > obs->max ? obs->max : obs->min;
        out->raw = out->desired = to;
        out->reason = cur > obs->max ? AS_R_AT_MAX : AS_R_AT_MIN;
        record_event(s, now, cur, to);
        return;
    }
    /* No metric for any ready pod: the controller returns an error before
     * computing anything; nothing is recorded and nothing changes. */
    if (isnan(obs->utilization) || obs->ready <= 0) {
        out->raw = out->desired = cur;
        out->reason = AS_R_MISSING_METRIC;
        return;
    }

    as_reason why;
    int raw = metric_replicas(s, obs, &why);
    int stab = stabilize(s, now, cur, raw);

    /* convertDesiredReplicasWithBehaviorRate */
    int want = stab;
    as_reason limit_reason = AS_R_NONE;
    if (stab > cur) {
        int lim = up_limit(s, now, cur);
        if (lim < cur) /* no further scale-up until events age out */
            lim = cur;
        int allowed = obs->max;
        limit_reason = AS_R_AT_MAX;
        if (allowed > lim) {
            allowed = lim;
            limit_reason = AS_R_RATE_LIMITED;
        }
        if (stab > allowed)
            want = allowed;
    } else if (stab < cur) {
        int lim = down_limit(s, now, cur);
        if (lim > cur)
            lim = cur;
        int allowed = obs->min;
        limit_reason = AS_R_AT_MIN;
        if (allowed < lim) {
            allowed = lim;
            limit_reason = AS_R_RATE_LIMITED;
        }
        if (stab < allowed)
            want = allowed;
    }

    out->raw = raw;
    out->desired = want;
    if (want != stab)
        out->reason = limit_reason;
    else if (stab != raw)
        out->reason = AS_R_STABILIZED;
    else if (want > cur)
        out->reason = AS_R_SCALE_OUT;
    else if (want < cur)
        out->reason = AS_R_SCALE_IN;
    else
        out->reason = why;
    if (want != cur)
        record_event(s, now, cur, want);
}

const as_policy_type as_pol_hpa = {
    .version = 1,
    .name = "hpa",
    .flags = AS_KIND_CONF_K8S_HPA,
    .state_size = sizeof(hpa_state),
    .config_size = sizeof(hpa_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .default_interval = 15 * AS_SEC, /* --horizontal-pod-autoscaler-sync-period */
    .wants_forecast = false,
    .init = init,
    .decide = decide,
};
