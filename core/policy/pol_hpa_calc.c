/* pol_hpa_calc.c - the replica calculator of the Kubernetes HPA controller
 * (pkg/controller/podautoscaler/replica_calculator.go and
 * metrics/utilization.go): pod grouping, then one replica proposal per
 * metric. See as_hpa.h for the units and the rounding rules.
 *
 * The controller keeps a map of samples per pod and edits it (unready and
 * missing pods get 0, or 100 % of their request, or the target); only sums
 * over that map are ever read, so the pods are summed by group once
 * (as_hpa_pods) and the edits become additions to the sums. One
 * difference in the last digit: the controller truncates the fill-in of
 * each missing pod (request x fallback / 100) separately, this adds the
 * requests first; they agree whenever request x fallback is a multiple of
 * 100, which every request in whole millicores at a percent target is. */
#include "as_hpa.h"

#include <limits.h>
#include <math.h>

bool as_hpa_within(as_hpa_tol t, double ratio)
{
    return 1.0 - t.down <= ratio && ratio <= 1.0 + t.up;
}

as_hpa_group as_hpa_group_pod(const as_hpa_pod *p, bool cpu, as_time now, as_time cpu_init,
                              as_time delay)
{
    if (p->deleting || p->phase == AS_HPA_FAILED)
        return AS_HPA_IGNORED;
    if (p->phase == AS_HPA_PENDING)
        return AS_HPA_UNREADY;
    if (!p->has_metric)
        return AS_HPA_MISSING;
    if (!cpu)
        return AS_HPA_READY;
    if (p->ready == AS_HPA_COND_NONE || !p->has_start)
        return AS_HPA_UNREADY;
    bool unready;
    if (p->start + cpu_init > now) /* still within the initialisation period */
        unready = p->ready == AS_HPA_COND_FALSE || p->metric_time < p->transition + p->metric_window;
    else /* unready and never been ready */
        unready = p->ready == AS_HPA_COND_FALSE && p->start + delay > p->transition;
    return unready ? AS_HPA_UNREADY : AS_HPA_READY;
}

void as_hpa_pods_add(as_hpa_pods *s, const as_hpa_pod *p, as_hpa_group g)
{
    s->pods++;
    if (!p->has_request)
        s->no_request = true;
    switch (g) {
    case AS_HPA_READY:
        s->ready++;
        s->value += p->value;
        s->request += p->request;
        break;
    case AS_HPA_UNREADY:
        s->unready++;
        s->unready_request += p->request;
        break;
    case AS_HPA_MISSING:
        s->missing++;
        s->missing_request += p->request;
        break;
    case AS_HPA_IGNORED:
        break;
    }
}

/* int32(math.Ceil(x)) for a count; the controller's int32 conversion of
 * an out-of-range float is not defined, a count that large is the limit. */
static int ceil_count(double x)
{
    double c = ceil(x);
    if (!(c < (double)INT_MAX))
        return INT_MAX;
    return c < 0 ? 0 : (int)c;
}

/* The utilisation percent, int32((metricsTotal * 100) / requestsTotal). */
static int64_t util_pct(int64_t value, int64_t request)
{
    int64_t u = value * 100 / request;
    return u > INT_MAX ? INT_MAX : u;
}

/* Where the slow path of both calculators decides: keep current when the
 * recomputed ratio is within tolerance or reverses the direction of the
 * first one, or when the recomputed count moves the other way. */
static int slow_path(int current, double r, double r2, int n, as_hpa_tol tol)
{
    if (as_hpa_within(tol, r2) || (r < 1.0 && r2 > 1.0) || (r > 1.0 && r2 < 1.0))
        return current;
    int next = ceil_count(r2 * (double)n);
    if ((r2 < 1.0 && next > current) || (r2 > 1.0 && next < current))
        return current;
    return next;
}

int as_hpa_resource_replicas(int current, int target_pct, const as_hpa_pods *s, as_hpa_tol tol,
                             int *util)
{
    if (s->pods == 0 || s->ready == 0 || s->no_request || s->request <= 0 || target_pct <= 0)
        return AS_HPA_INVALID;
    int64_t u = util_pct(s->value, s->request);
    if (util)
        *util = (int)u;
    double r = (double)u / (double)target_pct;
    bool up_unready = s->unready > 0 && r > 1.0;
    if (!up_unready && s->missing == 0) {
        if (as_hpa_within(tol, r))
            return current;
        return ceil_count(r * (double)s->ready);
    }
    int64_t value = s->value, request = s->request;
    int n = s->ready;
    if (s->missing > 0 && r != 1.0) {
        /* scale-down: missing pods use 100 % of their request (or the
         * target, above 100 %); scale-up: they use nothing */
        if (r < 1.0)
            value += s->missing_request * (target_pct > 100 ? target_pct : 100) / 100;
        request += s->missing_request;
        n += s->missing;
    }
    if (up_unready) { /* scale-up: unready pods use nothing */
        request += s->unready_request;
        n += s->unready;
    }
    double r2 = (double)util_pct(value, request) / (double)target_pct;
    return slow_path(current, r, r2, n, tol);
}

int as_hpa_plain_replicas(int current, int64_t target, const as_hpa_pods *s, as_hpa_tol tol,
                          int64_t *usage)
{
    if (s->pods == 0 || s->ready == 0 || target <= 0)
        return AS_HPA_INVALID;
    int64_t avg = s->value / s->ready;
    if (usage)
        *usage = avg;
    double r = (double)avg / (double)target;
    bool up_unready = s->unready > 0 && r > 1.0;
    if (!up_unready && s->missing == 0) {
        if (as_hpa_within(tol, r))
            return current;
        return ceil_count(r * (double)s->ready);
    }
    int64_t value = s->value;
    int n = s->ready;
    if (s->missing > 0 && r != 1.0) {
        /* scale-down: missing pods at exactly the target; scale-up: 0 */
        if (r < 1.0)
            value += target * s->missing;
        n += s->missing;
    }
    if (up_unready)
        n += s->unready;
    double r2 = (double)(value / n) / (double)target;
    return slow_path(current, r, r2, n, tol);
}

int as_hpa_value_replicas(int current, int pods, int ready_pods, int64_t usage, int64_t target,
                          as_hpa_tol tol)
{
    if (target <= 0)
        return AS_HPA_INVALID;
    double r = (double)usage / (double)target;
    if (current == 0) /* scale from zero: neither ready pods nor tolerance */
        return ceil_count(r);
    if (as_hpa_within(tol, r))
        return current;
    if (pods == 0)
        return AS_HPA_INVALID;
    return ceil_count(r * (double)ready_pods);
}

int as_hpa_average_replicas(int status, int64_t usage, int64_t target, as_hpa_tol tol,
                            int64_t *avg)
{
    if (target <= 0)
        return AS_HPA_INVALID;
    int count = status;
    double r = (double)usage / ((double)target * (double)status);
    if (!as_hpa_within(tol, r))
        count = ceil_count((double)usage / (double)target);
    if (avg)
        *avg = status > 0 ? (int64_t)ceil((double)usage / (double)status) : usage;
    return count;
}
