/* pol_hpa_norm.c - the reconcile step of the Kubernetes HPA controller
 * (pkg/controller/podautoscaler/horizontal.go): the largest metric
 * proposal, then either the legacy normalization (no spec.behavior:
 * stabilizeRecommendation, convertDesiredReplicasWithRules) or the
 * behavior one (stabilizeRecommendationWithBehaviors,
 * convertDesiredReplicasWithBehaviorRate), and the scale events the rate
 * limits read. Defaults of apis/autoscaling/v2/defaults.go.
 *
 * Comparisons of times keep the controller's strictness: an entry counts
 * in a window when it is After(now - window) and is stale when it is
 * Before(cutoff), so an entry exactly one window old is neither. The
 * history arrays are the caller's (as_hpa.h); none of this allocates. */
#include "as_hpa.h"

#include <limits.h>
#include <math.h>

const char *const as_hpa_cond_names[] = {"DesiredWithinRange", "TooFewReplicas",
                                         "TooManyReplicas", "ScaleUpLimit", "ScaleDownLimit",
                                         NULL};

static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }

/* int32(x) of a float64 count: truncated toward zero, kept in range. */
static int trunc_count(double x)
{
    if (!(x < (double)INT_MAX))
        return INT_MAX;
    if (!(x > (double)INT_MIN))
        return INT_MIN;
    return (int)x;
}

void as_hpa_rules_unset(as_hpa_rules *r)
{
    r->window_s = -1;
    r->select = -1;
    r->npol = 0;
    r->tolerance = -1.0;
}

void as_hpa_rules_fill(as_hpa_rules *r, bool up)
{
    if (up && r->window_s < 0)
        r->window_s = 0;
    if (r->select < 0)
        r->select = AS_HPA_SELECT_MAX;
    if (r->npol == 0 && up) {
        r->npol = 2;
        r->pol[0] = (as_hpa_policy){AS_HPA_POLICY_PODS, 4, 15};
        r->pol[1] = (as_hpa_policy){AS_HPA_POLICY_PERCENT, 100, 15};
    } else if (r->npol == 0) {
        r->npol = 1;
        r->pol[0] = (as_hpa_policy){AS_HPA_POLICY_PERCENT, 100, 15};
    }
}

int as_hpa_longest_period(const as_hpa_rules *r)
{
    int p = 0;
    for (int i = 0; i < r->npol; i++)
        p = imax(p, r->pol[i].period_s);
    return p;
}

/* ---- recommendations ---- */

/* Record a recommendation: in place of the stale entry `old` (>= 0), else
 * appended, else folded into the newest (as_hpa.h). */
static void rec_store(as_hpa_hist *h, int old, as_time now, int rec)
{
    if (old >= 0) {
        h->rec[old] = (as_hpa_rec){now, rec, rec};
    } else if (h->nrec < h->cap_rec) {
        h->rec[h->nrec++] = (as_hpa_rec){now, rec, rec};
    } else if (h->nrec > 0) {
        as_hpa_rec *e = &h->rec[h->nrec - 1];
        e->t = now;
        e->lo = imin(e->lo, rec);
        e->hi = imax(e->hi, rec);
    }
    h->started = true;
}

int as_hpa_stabilize_legacy(as_hpa_hist *h, as_time now, as_time window, int desired)
{
    int best = desired, old = -1;
    as_time cutoff = now - window;
    for (int i = 0; i < h->nrec; i++) {
        if (h->rec[i].t < cutoff)
            old = i;
        else if (h->rec[i].hi > best)
            best = h->rec[i].hi;
    }
    rec_store(h, old, now, desired);
    return best;
}

int as_hpa_convert_legacy(int current, int desired, int min, int max, double factor,
                          double minimum, int *cond)
{
    double lim = fmax(factor * (double)current, minimum);
    int up_limit = trunc_count(lim);
    int top = max, c_top = AS_HPA_TOO_MANY;
    if (max > up_limit) {
        top = up_limit;
        c_top = AS_HPA_UP_LIMIT;
    }
    int out = desired, c = AS_HPA_WITHIN_RANGE;
    if (desired < min) {
        out = min;
        c = AS_HPA_TOO_FEW;
    } else if (desired > top) {
        out = top;
        c = c_top;
    }
    if (cond)
        *cond = c;
    return out;
}

int as_hpa_stabilize(as_hpa_hist *h, as_time now, const as_hpa_rules *up,
                     const as_hpa_rules *down, as_time down_flag, int current, int desired)
{
    as_time up_cut = now - (as_time)imax(up->window_s, 0) * AS_SEC;
    as_time down_cut = now - (down->window_s >= 0 ? (as_time)down->window_s * AS_SEC : down_flag);
    int up_rec = desired, down_rec = desired, old = -1;
    for (int i = 0; i < h->nrec; i++) {
        const as_hpa_rec *e = &h->rec[i];
        if (e->t > up_cut)
            up_rec = imin(e->lo, up_rec);
        if (e->t > down_cut)
            down_rec = imax(e->hi, down_rec);
        if (e->t < up_cut && e->t < down_cut)
            old = i;
    }
    int out = current;
    if (out < up_rec)
        out = up_rec;
    if (out > down_rec)
        out = down_rec;
    rec_store(h, old, now, desired);
    return out;
}

/* ---- scale events and rate limits ---- */

int as_hpa_change_in_period(const as_hpa_event *ev, int n, as_time now, int period_s)
{
    as_time cutoff = now - (as_time)period_s * AS_SEC;
    int sum = 0;
    for (int i = 0; i < n; i++)
        if (ev[i].t > cutoff)
            sum += ev[i].change;
    return sum;
}

/* The replica count at the start of a policy's period: current less what
 * was added in it plus what was removed (both directions count). */
static int period_start(int current, const as_hpa_hist *h, as_time now, int period_s)
{
    return current - as_hpa_change_in_period(h->up, h->nup, now, period_s) +
           as_hpa_change_in_period(h->down, h->ndown, now, period_s);
}

int as_hpa_up_limit(int current, const as_hpa_hist *h, as_time now, const as_hpa_rules *r)
{
    if (r->select == AS_HPA_SELECT_DISABLED)
        return current;
    bool min_sel = r->select == AS_HPA_SELECT_MIN; /* the smallest change */
    int res = min_sel ? INT_MAX : INT_MIN;
    for (int i = 0; i < r->npol; i++) {
        const as_hpa_policy *p = &r->pol[i];
        double start = period_start(current, h, now, p->period_s);
        /* Percent rounds up: a small percent must still add a pod */
        double prop = p->type == AS_HPA_POLICY_PODS ? start + p->value
                                                    : ceil(start * (1.0 + p->value / 100.0));
        int v = trunc_count(prop);
        res = min_sel ? imin(res, v) : imax(res, v);
    }
    return res;
}

int as_hpa_down_limit(int current, const as_hpa_hist *h, as_time now, const as_hpa_rules *r)
{
    if (r->select == AS_HPA_SELECT_DISABLED)
        return current;
    bool min_sel = r->select == AS_HPA_SELECT_MIN; /* the smallest change: the largest count */
    int res = min_sel ? INT_MIN : INT_MAX;
    for (int i = 0; i < r->npol; i++) {
        const as_hpa_policy *p = &r->pol[i];
        double start = period_start(current, h, now, p->period_s);
        double prop = p->type == AS_HPA_POLICY_PODS ? start - p->value
                                                    : start * (1.0 - p->value / 100.0);
        int v = trunc_count(prop); /* int32(): toward zero, as the controller */
        res = min_sel ? imax(res, v) : imin(res, v);
    }
    return res;
}

int as_hpa_convert_rate(const as_hpa_hist *h, as_time now, const as_hpa_rules *up,
                        const as_hpa_rules *down, int min, int max, int current, int desired,
                        int *cond)
{
    int out = desired, c = AS_HPA_WITHIN_RANGE;
    if (desired > current) {
        /* below current: no further scale-up until events age out */
        int lim = imax(as_hpa_up_limit(current, h, now, up), current);
        int top = max, c_top = AS_HPA_TOO_MANY;
        if (top > lim) {
            top = lim;
            c_top = AS_HPA_UP_LIMIT;
        }
        if (desired > top) {
            out = top;
            c = c_top;
        }
    } else if (desired < current) {
        int lim = imin(as_hpa_down_limit(current, h, now, down), current);
        int bottom = min, c_bot = AS_HPA_TOO_FEW;
        if (bottom < lim) {
            bottom = lim;
            c_bot = AS_HPA_DOWN_LIMIT;
        }
        if (desired < bottom) {
            out = bottom;
            c = c_bot;
        }
    }
    if (cond)
        *cond = c;
    return out;
}

/* markScaleEventsOutdated, then the new event in place of the last
 * outdated one, else appended, else folded into the newest. */
static void event_store(as_hpa_event *ev, int *n, int cap, as_time now, int longest_s, int change)
{
    as_time cutoff = now - (as_time)longest_s * AS_SEC;
    int old = -1;
    for (int i = 0; i < *n; i++) {
        if (ev[i].t < cutoff)
            ev[i].outdated = true;
        if (ev[i].outdated)
            old = i;
    }
    as_hpa_event e = {now, change, false};
    if (old >= 0) {
        ev[old] = e;
    } else if (*n < cap) {
        ev[(*n)++] = e;
    } else if (*n > 0) {
        ev[*n - 1].t = now;
        ev[*n - 1].change += change;
    }
}

void as_hpa_store_event(as_hpa_hist *h, as_time now, bool behavior, const as_hpa_rules *up,
                        const as_hpa_rules *down, int prev, int next)
{
    if (!behavior) /* no rate policies read them */
        return;
    if (next > prev)
        event_store(h->up, &h->nup, h->cap_up, now, as_hpa_longest_period(up), next - prev);
    else
        event_store(h->down, &h->ndown, h->cap_down, now, as_hpa_longest_period(down),
                    prev - next);
}

/* ---- reconcile ---- */

/* computeReplicasForMetrics: the largest valid proposal, AS_HPA_INVALID
 * when every metric failed, or when one failed and the others would scale
 * down (the controller never scales down on a partial view, k/k #99514). */
static int largest_proposal(const int *p, int n, int current)
{
    int best = 0, invalid = 0;
    bool have = false;
    for (int i = 0; i < n; i++) {
        if (p[i] == AS_HPA_INVALID) {
            invalid++;
            continue;
        }
        if (!have || p[i] > best)
            best = p[i];
        have = true;
    }
    if (invalid >= n || (invalid > 0 && best < current))
        return AS_HPA_INVALID;
    return best;
}

void as_hpa_reconcile(as_hpa_hist *h, const as_hpa_spec *s, as_time now, int current,
                      const int *proposals, int n, as_hpa_outcome *out)
{
    /* recordInitialRecommendation: a new HPA remembers the count it found,
     * which holds a scale-down for the first stabilization window */
    if (!h->started)
        rec_store(h, -1, now, current);
    *out = (as_hpa_outcome){current, AS_HPA_INVALID, current, AS_HPA_STEP_NORMALIZED,
                            AS_HPA_WITHIN_RANGE};
    if (current == 0 && s->min != 0) {
        out->step = AS_HPA_STEP_DISABLED;
        return;
    }
    if (current > s->max || current < s->min) {
        out->desired = current > s->max ? s->max : s->min;
        out->stabilized = out->desired;
        out->step = current > s->max ? AS_HPA_STEP_ABOVE_MAX : AS_HPA_STEP_BELOW_MIN;
    } else {
        out->proposal = largest_proposal(proposals, n, current);
        if (out->proposal == AS_HPA_INVALID) {
            out->step = AS_HPA_STEP_INVALID;
            return;
        }
        if (!s->behavior) {
            out->stabilized = as_hpa_stabilize_legacy(h, now, s->down_flag, out->proposal);
            out->desired = as_hpa_convert_legacy(current, out->stabilized, s->min, s->max,
                                                 s->up_factor, s->up_minimum, &out->cond);
        } else {
            out->stabilized =
                as_hpa_stabilize(h, now, &s->up, &s->down, s->down_flag, current, out->proposal);
            out->desired = as_hpa_convert_rate(h, now, &s->up, &s->down, s->min, s->max, current,
                                               out->stabilized, &out->cond);
        }
    }
    if (out->desired != current)
        as_hpa_store_event(h, now, s->behavior, &s->up, &s->down, current, out->desired);
}
