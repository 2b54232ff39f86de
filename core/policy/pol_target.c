/* pol_target.c - the `target` policy: AWS target tracking scaling (EC2 Auto
 * Scaling / Application Auto Scaling) on a metric that falls as capacity
 * grows: average CPU utilisation, ALBRequestCountPerTarget, or requests
 * per second per instance (a customized metric).
 *
 * What AWS documents, and how it is modelled here:
 *  - AWS creates two CloudWatch alarms: scale-out when the metric is above
 *    the target (3 of 3 one-minute datapoints), scale-in when it is below
 *    (15 of 15). A policy acts only once its alarm has breached for that
 *    many consecutive evaluations (out_datapoints / in_datapoints; at the
 *    default 60 s interval an evaluation is one datapoint). The 3/15 shape
 *    is recalled from the managed alarms (REFERENCE 2.1 [R]).
 *  - Scale-out is proportional: desired = ceil(load / target) where load =
 *    metric x ready instances, i.e. ceil(current x metric / target) when
 *    nothing is warming. The metric (key `metric`):
 *      cpu           average utilisation of the ready instances (0.6 = 60 %)
 *      alb_requests  ALBRequestCountPerTarget: requests per target in one
 *                    minute (the Sum over the 60 s period), i.e. the
 *                    monitored requests/s per ready instance x 60
 *      rps_per_pod   requests/s per ready instance (a customized metric) The utilisation excludes warming instances
 *    (AWS leaves them out of the aggregated metric), and warming instances
 *    count as capacity: nothing is added while the capacity already
 *    requested covers the load.
 *  - Scale-in is conservative: only when the metric is below the target by
 *    more than scale_in_margin (AWS: "usually more than 10 %"), and never
 *    while an instance warms up: an instance warms from its launch until
 *    `warmup` has passed and while it is still booting (reason warmup).
 *  - Cooldowns (Application Auto Scaling semantics): during the scale-out
 *    cooldown the capacity added by the scale-out that started it counts as
 *    current capacity (so only a larger need adds more); scale-in is
 *    blocked during the scale-in cooldown, which a scale-out ends early.
 *  - disable_scale_in: the policy never removes capacity.
 *  - A missing metric (NAN, the alarm in INSUFFICIENT_DATA) changes nothing.
 *
 * Keys (defaults):
 *   metric = cpu             cpu | alb_requests | rps_per_pod
 *   target = 0.5             TargetValue in the metric's unit; AWS has no
 *                            default (it is required): 50 % is the EC2
 *                            console's pre-filled CPU value
 *   scale_in_margin = 0.1    scale in only below target x (1 - margin)
 *   warmup = 300s            instance warmup (DefaultCooldown when unset)
 *   scale_out_cooldown = 300s, scale_in_cooldown = 300s
 *   disable_scale_in = false
 *   out_datapoints = 3, in_datapoints = 15
 * Default evaluation interval: 60 s (one CloudWatch datapoint). */
#include "as_policy.h"

#include <math.h>
#include <stddef.h>

enum { MET_CPU, MET_ALB, MET_RPS };
static const char *const metric_names[] = {"cpu", "alb_requests", "rps_per_pod", NULL};

typedef struct {
    int metric;
    double target;
    double scale_in_margin;
    as_time warmup;
    as_time scale_out_cooldown, scale_in_cooldown;
    bool disable_scale_in;
    int out_datapoints, in_datapoints;
} target_cfg;

static const as_param_def params[] = {
    {"metric", AS_P_ENUM, offsetof(target_cfg, metric), 0, 0, metric_names, 0,
     "what is tracked: cpu (utilisation), alb_requests (per target per minute), rps_per_pod"},
    {"target", AS_P_DOUBLE, offsetof(target_cfg, target), 0.01, 1e9, NULL, 0,
     "TargetValue: utilisation (0.5 or 50%), or requests per target per minute, or per second"},
    {"scale_in_margin", AS_P_DOUBLE, offsetof(target_cfg, scale_in_margin), 0.0, 0.99, NULL, 0,
     "scale in only when utilisation < target * (1 - margin)"},
    {"warmup", AS_P_DURATION, offsetof(target_cfg, warmup), 0, 86400, NULL, 0,
     "instance warmup: scale-in is blocked while a launched instance warms up"},
    {"scale_out_cooldown", AS_P_DURATION, offsetof(target_cfg, scale_out_cooldown), 0, 86400,
     NULL, 0, "capacity added by the last scale-out counts as current during this time"},
    {"scale_in_cooldown", AS_P_DURATION, offsetof(target_cfg, scale_in_cooldown), 0, 86400, NULL,
     0, "no further scale-in during this time after a scale-in"},
    {"disable_scale_in", AS_P_BOOL, offsetof(target_cfg, disable_scale_in), 0, 0, NULL, 0,
     "never remove capacity (DisableScaleIn)"},
    {"out_datapoints", AS_P_INT, offsetof(target_cfg, out_datapoints), 1, 1000, NULL, 0,
     "consecutive evaluations above target before scaling out (alarm 3 of 3)"},
    {"in_datapoints", AS_P_INT, offsetof(target_cfg, in_datapoints), 1, 1000, NULL, 0,
     "consecutive evaluations below the scale-in line before scaling in (alarm 15 of 15)"},
    {0},
};

static void defaults(void *cfg)
{
    target_cfg *c = cfg;
    c->metric = MET_CPU;
    c->target = 0.5;
    c->scale_in_margin = 0.1;
    c->warmup = 300 * AS_SEC;
    c->scale_out_cooldown = 300 * AS_SEC;
    c->scale_in_cooldown = 300 * AS_SEC;
    c->disable_scale_in = false;
    c->out_datapoints = 3;
    c->in_datapoints = 15;
}

typedef struct {
    target_cfg cfg;
    bool out_seen, in_seen; /* has there been a scale-out / scale-in yet */
    as_time last_out, last_in;
    int out_capacity;       /* capacity set by the last scale-out */
    int out_n, in_n;        /* consecutive breaching datapoints */
} target_state;

static int init(void *state, const void *cfg, as_err *err)
{
    const target_cfg *c = cfg;
    if (c->metric == MET_CPU && c->target > 1.0)
        return as_err_set(err, AS_EINVAL,
                          "key 'target': %g is not a utilisation for metric = cpu (write 0.6 or "
                          "60%%)",
                          c->target);
    target_state *s = state;
    s->cfg = *(const target_cfg *)cfg;
    return AS_OK;
}

static void set(as_decision *out, int raw, int desired, as_reason r)
{
    out->raw = raw;
    out->desired = desired;
    out->reason = r;
}

/* The tracked metric, per ready instance (NAN: missing). */
static double metric_value(const target_cfg *c, const as_observation *obs)
{
    switch (c->metric) {
    case MET_ALB:
        return obs->signal[AS_SIG_RPS_POD] * 60.0;
    case MET_RPS:
        return obs->signal[AS_SIG_RPS_POD];
    default:
        return obs->utilization;
    }
}

static void decide(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out)
{
    (void)fc;
    target_state *s = state;
    const target_cfg *c = &s->cfg;
    int cur = obs->current;
    as_time now = obs->now;
    double u = metric_value(c, obs);

    if (isnan(u) || obs->ready <= 0) {
        set(out, cur, cur, AS_R_MISSING_METRIC);
        return;
    }
    /* ceil with a guard against 0.1 * 0.5-style representation error, so
     * that an exact fit does not buy one extra instance. */
    double load = u * (double)obs->ready;
    double need_d = ceil(load / c->target - 1e-9);
    int need = need_d > (double)obs->max ? obs->max + 1 : (int)need_d;

    bool high = u > c->target;
    bool low = u < c->target * (1.0 - c->scale_in_margin);
    s->out_n = high ? s->out_n + 1 : 0;
    s->in_n = low ? s->in_n + 1 : 0;

    if (high) {
        if (s->out_n < c->out_datapoints) { /* alarm not yet in ALARM */
            set(out, need, cur, AS_R_STABILIZED);
            return;
        }
        int base = cur;
        bool cooling = s->out_seen && now - s->last_out < c->scale_out_cooldown;
        if (cooling && s->out_capacity > base)
            base = s->out_capacity;
        if (need <= base) {
            /* warming or just-requested capacity already covers the load */
            set(out, need, cur,
                obs->booting > 0 ? AS_R_WARMUP : cooling ? AS_R_COOLDOWN : AS_R_NONE);
            return;
        }
        int want = need > obs->max ? obs->max : need;
        if (want <= cur) {
            set(out, need, cur, AS_R_AT_MAX);
            return;
        }
        set(out, need, want, need > obs->max ? AS_R_AT_MAX : AS_R_SCALE_OUT);
        s->out_seen = true;
        s->last_out = now;
        s->out_capacity = want;
        s->in_seen = false; /* a scale-out ends the scale-in cooldown */
        return;
    }
    if (!low) {
        set(out, cur, cur, AS_R_NONE);
        return;
    }
    if (need >= cur || c->disable_scale_in) {
        set(out, need, cur, AS_R_NONE);
        return;
    }
    if (s->in_n < c->in_datapoints) {
        set(out, need, cur, AS_R_STABILIZED);
        return;
    }
    if (obs->booting > 0 || (s->out_seen && now - s->last_out < c->warmup)) {
        set(out, need, cur, AS_R_WARMUP);
        return;
    }
    if (s->in_seen && now - s->last_in < c->scale_in_cooldown) {
        set(out, need, cur, AS_R_COOLDOWN);
        return;
    }
    int want = need < obs->min ? obs->min : need;
    if (want >= cur) {
        set(out, need, cur, AS_R_AT_MIN);
        return;
    }
    set(out, need, want, need < obs->min ? AS_R_AT_MIN : AS_R_SCALE_IN);
    s->in_seen = true;
    s->last_in = now;
}

const as_policy_type as_pol_target = {
    .version = 1,
    .name = "target",
    .flags = AS_KIND_CONF_AWS_TARGET,
    .state_size = sizeof(target_state),
    .config_size = sizeof(target_cfg),
    .params = params,
    .defaults = defaults,
    .fini = NULL,
    .default_interval = 60 * AS_SEC, /* one-minute CloudWatch datapoints */
    .init = init,
    .decide = decide,
};
