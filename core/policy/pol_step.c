/* pol_step.c - the `step` policy: AWS step scaling, one scale-out and one
 * scale-in policy, each triggered by its own CloudWatch alarm on average
 * utilisation, each with a list of step adjustments.
 *
 * AWS semantics kept (REFERENCE 2.2):
 *  - Step bounds are relative to the alarm threshold (d = metric -
 *    threshold). Above the threshold the lower bound is inclusive and the
 *    upper exclusive; below it the lower is exclusive and the upper
 *    inclusive. The scale-out alarm fires at metric >= out_threshold, the
 *    scale-in alarm at metric <= in_threshold. Steps may not overlap or
 *    leave gaps; only the first lower and the last upper bound may be open.
 *  - Adjustment types: change (ChangeInCapacity), exact (ExactCapacity),
 *    percent (PercentChangeInCapacity: the change is rounded toward zero,
 *    but never below 1 in magnitude, then raised to min_magnitude
 *    (MinAdjustmentMagnitude) when set).
 *  - Warming instances: on a scale-out the step is applied to the capacity
 *    that is not warming (ready), and the result is compared with the whole
 *    capacity, warming included: repeated breaches in the same step launch
 *    once, a higher step launches only the difference. Scale-in is blocked
 *    while any instance is still booting.
 *  - Cooldown (Application Auto Scaling, default 300 s): after a scale-out,
 *    the capacity added by it counts as current for the next scale-out, so
 *    only a larger step adds more until the cooldown ends; scale-in is
 *    blocked until the cooldown of the last activity has expired; a
 *    scale-out is never blocked.
 *  - Instance warmup (EC2 Auto Scaling, which has no cooldown for step
 *    policies: cooldown = 0s, warmup = EstimatedInstanceWarmup): an
 *    instance this policy launched is warming until `warmup` has passed
 *    since its launch (and a booting one always is); warming instances are
 *    left out of the capacity a scale-out step applies to, and scale-in
 *    waits until none is warming. The policy knows its own launches, not
 *    every instance's: capacity added otherwise warms only while it boots.
 *  - Alarms: each evaluation is one CloudWatch datapoint (the default
 *    interval is the 60 s period). An alarm is in ALARM when at least
 *    DatapointsToAlarm of the last EvaluationPeriods datapoints breach
 *    (out_datapoints of out_periods; in_datapoints of in_periods), and
 *    while it stays in ALARM it invokes its policy at every datapoint, as
 *    CloudWatch does for Auto Scaling actions. The step is chosen by the
 *    newest datapoint.
 *  - Missing metric: the datapoint is missing (CloudWatch's default
 *    TreatMissingData = missing): not counted, nothing happens.
 *
 * Step list encoding (keys steps_out, steps_in): comma-separated
 * "lower:upper:adjustment" triples, bounds relative to the threshold, an
 * empty bound is open (-inf / +inf), the adjustment a signed integer
 * (instances for change, the new count for exact, percent for percent):
 *   steps_out = 0:0.1:+1, 0.1:0.2:+2, 0.2::+4
 *   steps_in  = -0.1:0:-1, :-0.1:-2
 * `none` disables that policy. At most 20 steps (the AWS limit).
 *
 * Keys (defaults): out_threshold = 0.7, steps_out = "0:0.1:+1, 0.1:0.2:+2,
 * 0.2::+4", out_type = change, out_min_magnitude = 0 (unset),
 * in_threshold = 0.3, steps_in = ":0:-1", in_type = change,
 * in_min_magnitude = 0, cooldown = 300s, warmup = 0s (booting instances
 * only), out_periods = out_datapoints = in_periods = in_datapoints = 1
 * (0 datapoints: as many as periods). AWS has no default thresholds or
 * steps (they are required); these are a plausible CPU pair.
 * Default evaluation interval 60 s (one CloudWatch datapoint). */
#include "as_policy.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ADJ_CHANGE, ADJ_EXACT, ADJ_PERCENT };
static const char *const adj_names[] = {"change", "exact", "percent", NULL};

#define MAX_STEPS 20
#define MAX_PERIODS 1440 /* EvaluationPeriods x Period <= 1 day, at 60 s periods */
#define MAX_LAUNCH 64
#define STEP_TEXT 256
#define BOUND_EPS 1e-9 /* 0.8 - 0.7 must land in the step that starts at 0.1 */

typedef struct {
    double out_threshold;
    char steps_out[STEP_TEXT];
    int out_type;
    int out_min_magnitude;
    double in_threshold;
    char steps_in[STEP_TEXT];
    int in_type;
    int in_min_magnitude;
    as_time cooldown;
    as_time warmup;
    int out_periods, out_datapoints, in_periods, in_datapoints;
} step_cfg;

static const as_param_def params[] = {
    {"out_threshold", AS_P_DOUBLE, offsetof(step_cfg, out_threshold), 0.0, 100.0, NULL, 0,
     "scale-out alarm: utilisation >= this"},
    {"steps_out", AS_P_STRING, offsetof(step_cfg, steps_out), 0, 0, NULL, STEP_TEXT,
     "scale-out steps 'lower:upper:adj, ...' relative to out_threshold, or none"},
    {"out_type", AS_P_ENUM, offsetof(step_cfg, out_type), 0, 0, adj_names, 0,
     "scale-out adjustment type: change, exact, percent"},
    {"out_min_magnitude", AS_P_INT, offsetof(step_cfg, out_min_magnitude), 0, 1000000, NULL, 0,
     "percent type: add at least this many instances (0: unset)"},
    {"in_threshold", AS_P_DOUBLE, offsetof(step_cfg, in_threshold), 0.0, 100.0, NULL, 0,
     "scale-in alarm: utilisation <= this"},
    {"steps_in", AS_P_STRING, offsetof(step_cfg, steps_in), 0, 0, NULL, STEP_TEXT,
     "scale-in steps 'lower:upper:adj, ...' relative to in_threshold, or none"},
    {"in_type", AS_P_ENUM, offsetof(step_cfg, in_type), 0, 0, adj_names, 0,
     "scale-in adjustment type: change, exact, percent"},
    {"in_min_magnitude", AS_P_INT, offsetof(step_cfg, in_min_magnitude), 0, 1000000, NULL, 0,
     "percent type: remove at least this many instances (0: unset)"},
    {"cooldown", AS_P_DURATION, offsetof(step_cfg, cooldown), 0, 86400, NULL, 0,
     "after an activity: scale-in blocked, scale-out only beyond the added capacity"},
    {"warmup", AS_P_DURATION, offsetof(step_cfg, warmup), 0, 86400, NULL, 0,
     "EC2 instance warmup: launched instances warm this long (0s: while booting)"},
    {"out_periods", AS_P_INT, offsetof(step_cfg, out_periods), 1, MAX_PERIODS, NULL, 0,
     "scale-out alarm EvaluationPeriods (datapoints looked at)"},
    {"out_datapoints", AS_P_INT, offsetof(step_cfg, out_datapoints), 0, MAX_PERIODS, NULL, 0,
     "scale-out alarm DatapointsToAlarm (0: out_periods)"},
    {"in_periods", AS_P_INT, offsetof(step_cfg, in_periods), 1, MAX_PERIODS, NULL, 0,
     "scale-in alarm EvaluationPeriods"},
    {"in_datapoints", AS_P_INT, offsetof(step_cfg, in_datapoints), 0, MAX_PERIODS, NULL, 0,
     "scale-in alarm DatapointsToAlarm (0: in_periods)"},
    {0},
};

static void defaults(void *cfg)
{
    step_cfg *c = cfg;
    memset(c, 0, sizeof *c);
    c->out_threshold = 0.7;
    snprintf(c->steps_out, sizeof c->steps_out, "0:0.1:+1, 0.1:0.2:+2, 0.2::+4");
    c->out_type = ADJ_CHANGE;
    c->in_threshold = 0.3;
    snprintf(c->steps_in, sizeof c->steps_in, ":0:-1");
    c->in_type = ADJ_CHANGE;
    c->cooldown = 300 * AS_SEC;
    c->warmup = 0;
    c->out_periods = c->in_periods = 1;
    c->out_datapoints = c->in_datapoints = 0;
}

typedef struct {
    double lo, hi; /* -INFINITY / INFINITY when open */
    int adj;
} step;

typedef struct {
    step s[MAX_STEPS];
    int n;
} step_list;

typedef struct {
    step_cfg cfg;
    step_list out, in;
    bool acted;       /* any activity yet */
    as_time last_act; /* time of the last activity */
    bool out_seen;
    as_time last_out;
    int out_base;     /* capacity the last scale-out was computed from */
    double dp[MAX_PERIODS]; /* the newest datapoints (a ring), for both alarms */
    int dp_head, dp_n;
    struct {
        as_time t;
        int n;
    } launch[MAX_LAUNCH]; /* this policy's scale-outs within the warmup */
    int nlaunch;
} step_state;

/* Parse one optional bound; empty = open. */
static int parse_bound(const char *a, const char *b, double open, double *out)
{
    while (a < b && (*a == ' ' || *a == '\t'))
        a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
        b--;
    if (a == b) {
        *out = open;
        return 0;
    }
    char tmp[64];
    if ((size_t)(b - a) >= sizeof tmp)
        return -1;
    memcpy(tmp, a, (size_t)(b - a));
    tmp[b - a] = '\0';
    char *end;
    double v = strtod(tmp, &end);
    if (end == tmp || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_steps(const char *key, const char *text, step_list *l, as_err *err)
{
    l->n = 0;
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    if (strcmp(p, "none") == 0)
        return AS_OK;
    while (*p) {
        const char *end = strchr(p, ',');
        if (end == NULL)
            end = p + strlen(p);
        const char *c1 = memchr(p, ':', (size_t)(end - p));
        const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
        if (c2 == NULL)
            return as_err_set(err, AS_EINVAL,
                              "key '%s': step '%.*s' is not lower:upper:adjustment", key,
                              (int)(end - p), p);
        if (l->n == MAX_STEPS)
            return as_err_set(err, AS_EINVAL, "key '%s': more than %d steps", key, MAX_STEPS);
        step *s = &l->s[l->n];
        double adj;
        if (parse_bound(p, c1, -INFINITY, &s->lo) || parse_bound(c1 + 1, c2, INFINITY, &s->hi) ||
            parse_bound(c2 + 1, end, NAN, &adj) || isnan(adj) || adj != floor(adj) ||
            fabs(adj) > 1e6)
            return as_err_set(err, AS_EINVAL,
                              "key '%s': step '%.*s': bounds must be numbers or empty, the "
                              "adjustment an integer",
                              key, (int)(end - p), p);
        s->adj = (int)adj;
        if (!(s->lo < s->hi))
            return as_err_set(err, AS_EINVAL, "key '%s': step '%.*s': lower must be below upper",
                              key, (int)(end - p), p);
        l->n++;
        p = *end ? end + 1 : end;
        while (*p == ' ' || *p == '\t')
            p++;
    }
    if (l->n == 0)
        return as_err_set(err, AS_EINVAL, "key '%s': no step (write none to disable)", key);
    /* Any order is accepted (scale-in lists read naturally downward); once
     * sorted, each step must start where the previous one ends. */
    for (int i = 1; i < l->n; i++)
        for (int j = i; j > 0 && l->s[j].lo < l->s[j - 1].lo; j--) {
            step tmp = l->s[j];
            l->s[j] = l->s[j - 1];
            l->s[j - 1] = tmp;
        }
    for (int i = 1; i < l->n; i++)
        if (fabs(l->s[i - 1].hi - l->s[i].lo) > BOUND_EPS || isinf(l->s[i].lo))
            return as_err_set(err, AS_EINVAL,
                              "key '%s': steps [%g, %g) and [%g, %g) %s: ranges may not "
                              "overlap or leave gaps",
                              key, l->s[i - 1].lo, l->s[i - 1].hi, l->s[i].lo, l->s[i].hi,
                              l->s[i - 1].hi > l->s[i].lo ? "overlap" : "leave a gap");
    return AS_OK;
}

static int init(void *state, const void *cfg, as_err *err)
{
    const step_cfg *c = cfg;
    if (c->in_threshold >= c->out_threshold)
        return as_err_set(err, AS_EINVAL, "key 'in_threshold': %g must be below out_threshold (%g)",
                          c->in_threshold, c->out_threshold);
    if (c->out_datapoints > c->out_periods)
        return as_err_set(err, AS_EINVAL, "key 'out_datapoints': %d is more than out_periods (%d)",
                          c->out_datapoints, c->out_periods);
    if (c->in_datapoints > c->in_periods)
        return as_err_set(err, AS_EINVAL, "key 'in_datapoints': %d is more than in_periods (%d)",
                          c->in_datapoints, c->in_periods);
    step_state *s = state;
    s->cfg = *c;
    int rc = parse_steps("steps_out", c->steps_out, &s->out, err);
    if (rc == AS_OK)
        rc = parse_steps("steps_in", c->steps_in, &s->in, err);
    return rc;
}

/* The step whose range holds d. above = the metric is on the side of the
 * threshold where lower bounds are inclusive (d >= 0 for the scale-out
 * alarm, which includes the threshold itself; d > 0 for scale-in). */
static const step *find_step(const step_list *l, double d, bool above)
{
    for (int i = 0; i < l->n; i++) {
        const step *s = &l->s[i];
        bool in = above ? (d >= s->lo - BOUND_EPS && d < s->hi - BOUND_EPS)
                        : (d > s->lo + BOUND_EPS && d <= s->hi + BOUND_EPS);
        if (in)
            return s;
    }
    return NULL;
}

/* New capacity from base for one step (AWS rounding of percent changes). */
static long apply(int type, int base, int adj, int min_mag)
{
    if (type == ADJ_EXACT)
        return adj;
    long change = adj;
    if (type == ADJ_PERCENT) {
        double x = (double)base * adj / 100.0;
        change = (long)trunc(x); /* 12.7 -> 12, -6.67 -> -6 */
        if (change == 0 && x != 0)
            change = x > 0 ? 1 : -1; /* 0.4 -> 1, -0.4 -> -1 */
        if (min_mag > 0 && labs(change) < min_mag && change != 0)
            change = change > 0 ? min_mag : -min_mag;
    }
    return (long)base + change;
}

static void set(as_decision *out, long raw, int desired, as_reason r)
{
    out->raw = raw > 100000000L ? 100000000 : raw < -100000000L ? -100000000 : (int)raw;
    out->desired = desired;
    out->reason = r;
}

/* One datapoint into the ring both alarms read. */
static void datapoint(step_state *s, double u)
{
    s->dp[(s->dp_head + s->dp_n) % MAX_PERIODS] = u;
    if (s->dp_n < MAX_PERIODS)
        s->dp_n++;
    else
        s->dp_head = (s->dp_head + 1) % MAX_PERIODS;
}

/* M of the last N datapoints breach: >= threshold (scale-out alarm,
 * GreaterThanOrEqualToThreshold) or <= threshold (scale-in). */
static bool in_alarm(const step_state *s, double threshold, bool above, int periods, int points)
{
    int need = points > 0 ? points : periods, n = 0;
    for (int k = 0; k < periods && k < s->dp_n; k++) {
        double v = s->dp[(s->dp_head + s->dp_n - 1 - k) % MAX_PERIODS];
        n += above ? v >= threshold - BOUND_EPS : v <= threshold + BOUND_EPS;
    }
    return n >= need;
}

/* Instances warming: booting ones, or (with a warmup) those this policy
 * launched less than `warmup` ago, whichever is more; at most current. */
static int warming(step_state *s, const as_observation *obs)
{
    int w = obs->booting > 0 ? obs->booting : 0, mine = 0, k = 0;
    for (int i = 0; i < s->nlaunch; i++)
        if (s->launch[i].t > obs->now - s->cfg.warmup) {
            mine += s->launch[i].n;
            s->launch[k++] = s->launch[i];
        }
    s->nlaunch = k;
    w = mine > w ? mine : w;
    return w > obs->current ? obs->current : w;
}

static void launched(step_state *s, as_time now, int n)
{
    if (s->cfg.warmup <= 0)
        return;
    if (s->nlaunch == MAX_LAUNCH) { /* fold into the newest: warms a little longer */
        s->launch[MAX_LAUNCH - 1].t = now;
        s->launch[MAX_LAUNCH - 1].n += n;
        return;
    }
    s->launch[s->nlaunch].t = now;
    s->launch[s->nlaunch++].n = n;
}

static void scale_out(step_state *s, const as_observation *obs, double u, int warm,
                      as_decision *out)
{
    const step_cfg *c = &s->cfg;
    int cur = obs->current;
    as_time now = obs->now;
    const step *st = find_step(&s->out, u - c->out_threshold, true);
    if (st == NULL) {
        set(out, cur, cur, AS_R_NONE);
        return;
    }
    int base = cur - warm;
    bool cooling = s->out_seen && now - s->last_out < c->cooldown;
    if (cooling && s->out_base < base)
        base = s->out_base;
    long raw = apply(c->out_type, base, st->adj, c->out_min_magnitude);
    if (raw <= cur) {
        set(out, raw, cur, cooling ? AS_R_COOLDOWN : warm > 0 ? AS_R_WARMUP : AS_R_NONE);
        return;
    }
    if (cur >= obs->max) {
        set(out, raw, cur, AS_R_AT_MAX);
        return;
    }
    int want = raw > obs->max ? obs->max : (int)raw;
    set(out, raw, want, raw > obs->max ? AS_R_AT_MAX : AS_R_SCALE_OUT);
    launched(s, now, want - cur);
    s->out_seen = true;
    s->last_out = now;
    s->out_base = base;
    s->acted = true;
    s->last_act = now;
}

static void scale_in(step_state *s, const as_observation *obs, double u, int warm,
                     as_decision *out)
{
    const step_cfg *c = &s->cfg;
    int cur = obs->current;
    as_time now = obs->now;
    const step *st = find_step(&s->in, u - c->in_threshold, false);
    if (st == NULL) {
        set(out, cur, cur, AS_R_NONE);
        return;
    }
    long raw = apply(c->in_type, cur, st->adj, c->in_min_magnitude);
    if (raw >= cur) {
        set(out, raw, cur, AS_R_NONE);
        return;
    }
    if (warm > 0) {
        set(out, raw, cur, AS_R_WARMUP);
        return;
    }
    if (s->acted && now - s->last_act < c->cooldown) {
        set(out, raw, cur, AS_R_COOLDOWN);
        return;
    }
    if (cur <= obs->min) {
        set(out, raw, cur, AS_R_AT_MIN);
        return;
    }
    int want = raw < obs->min ? obs->min : (int)raw;
    set(out, raw, want, raw < obs->min ? AS_R_AT_MIN : AS_R_SCALE_IN);
    s->acted = true;
    s->last_act = now;
}

static void decide(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out)
{
    (void)fc;
    step_state *s = state;
    const step_cfg *c = &s->cfg;
    int cur = obs->current;
    double u = obs->utilization;

    if (isnan(u)) {
        set(out, cur, cur, AS_R_MISSING_METRIC);
        return;
    }
    datapoint(s, u);
    int warm = warming(s, obs);
    bool breach_out = u >= c->out_threshold - BOUND_EPS, breach_in = u <= c->in_threshold + BOUND_EPS;
    if (s->out.n > 0 && in_alarm(s, c->out_threshold, true, c->out_periods, c->out_datapoints)) {
        if (breach_out) /* the newest datapoint picks the step */
            scale_out(s, obs, u, warm, out);
        else
            set(out, cur, cur, AS_R_NONE);
        return;
    }
    if (s->in.n > 0 && in_alarm(s, c->in_threshold, false, c->in_periods, c->in_datapoints)) {
        if (breach_in)
            scale_in(s, obs, u, warm, out);
        else
            set(out, cur, cur, AS_R_NONE);
        return;
    }
    /* a breach the alarm does not act on yet */
    set(out, cur, cur, (breach_out && s->out.n > 0) || (breach_in && s->in.n > 0)
                           ? AS_R_STABILIZED
                           : AS_R_NONE);
}

const as_policy_type as_pol_step = {
    .version = 1,
    .name = "step",
    .flags = AS_KIND_CONF_AWS_STEP,
    .state_size = sizeof(step_state),
    .config_size = sizeof(step_cfg),
    .params = params,
    .defaults = defaults,
    .fini = NULL,
    .default_interval = 60 * AS_SEC,
    .init = init,
    .decide = decide,
};
