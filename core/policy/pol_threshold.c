/* pol_threshold.c - the classic `threshold` policy: add `step` instances
 * when utilisation is above `up`, remove `step` when below `down`, then
 * wait `cooldown` before the next change. A missing metric changes nothing. */
#include "as_policy.h"

#include <math.h>
#include <stddef.h>

typedef struct {
    double up, down;  /* utilisation thresholds, fractions of 1 */
    int step;         /* instances added or removed per action */
    as_time cooldown; /* minimum time between two actions */
} threshold_cfg;

typedef struct {
    threshold_cfg cfg;
    as_time last_action; /* time of the last change; -1 = none yet */
} threshold_state;

static const as_param_def params[] = {
    {"up", AS_P_DOUBLE, offsetof(threshold_cfg, up), 0.0, 10.0, NULL, 0,
     "scale out when utilisation is above this (0.8 or 80%)"},
    {"down", AS_P_DOUBLE, offsetof(threshold_cfg, down), 0.0, 10.0, NULL, 0,
     "scale in when utilisation is below this"},
    {"step", AS_P_INT, offsetof(threshold_cfg, step), 1, 100000, NULL, 0,
     "instances added or removed per action"},
    {"cooldown", AS_P_DURATION, offsetof(threshold_cfg, cooldown), 0, 86400.0 * 365, NULL, 0,
     "time after an action during which no other action is taken"},
    {0},
};

static void defaults(void *cfg)
{
    threshold_cfg *c = cfg;
    c->up = 0.8;
    c->down = 0.3;
    c->step = 1;
    c->cooldown = 300 * AS_SEC;
}

static int init(void *state, const void *cfg, as_err *err)
{
    const threshold_cfg *c = cfg;
    if (c->down >= c->up)
        return as_err_set(err, AS_EINVAL, "key 'down': %g must be below up (%g)", c->down, c->up);
    threshold_state *s = state;
    s->cfg = *c;
    s->last_action = -1;
    return AS_OK;
}

static void decide(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out)
{
    (void)fc;
    threshold_state *s = state;
    double u = obs->utilization;
    if (isnan(u)) {
        out->reason = AS_R_MISSING_METRIC;
        return;
    }
    int raw = obs->current;
    if (u > s->cfg.up)
        raw = obs->current + s->cfg.step;
    else if (u < s->cfg.down)
        raw = obs->current - s->cfg.step;
    out->raw = raw;
    if (raw == obs->current)
        return;
    if (s->last_action >= 0 && obs->now - s->last_action < s->cfg.cooldown) {
        out->reason = AS_R_COOLDOWN;
        return;
    }
    int want = raw < obs->min ? obs->min : raw > obs->max ? obs->max : raw;
    if (want == obs->current) {
        out->reason = raw > obs->current ? AS_R_AT_MAX : AS_R_AT_MIN;
        return;
    }
    out->desired = want;
    out->reason = want > obs->current ? AS_R_SCALE_OUT : AS_R_SCALE_IN;
    s->last_action = obs->now;
}

const as_policy_type as_pol_threshold = {
    .version = 1,
    .name = "threshold",
    .flags = 0,
    .state_size = sizeof(threshold_state),
    .config_size = sizeof(threshold_cfg),
    .params = params,
    .defaults = defaults,
    .fini = NULL,
    .default_interval = 60 * AS_SEC,
    .init = init,
    .decide = decide,
};
