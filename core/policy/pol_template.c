/* pol_template.c - the copy-me policy kind. It works: it moves capacity
 * towards `target` utilisation, at most `max_step` instances per decision,
 * then waits `cooldown`. It is registered with AS_KIND_TEMPLATE, in the
 * registry's template list: it compiles, links and passes the conformance
 * battery of tests/test_policy.c like every kind, but users never see it
 * (not in --help-keys or the kind lists; `kind = template` is unknown).
 * Why hidden rather than a real kind: `target` and `threshold` already do
 * this job with AWS semantics; a third look-alike would only be picked by
 * mistake.
 *
 * To add a policy kind NAME:
 *  1. cp core/policy/pol_template.c core/policy/pol_NAME.c; rename the
 *     exported object as_pol_template to as_pol_NAME, template_cfg and
 *     template_state to NAME_cfg and NAME_state, set .name = "NAME", and
 *     rewrite this comment: what the kind models and its sources.
 *  2. Settings: one field per key in NAME_cfg, one row per key in params[]
 *     (INI name, type, offset, bounds, one help line: the key's parsing,
 *     validation and --help-keys line come from it), defaults() sets them.
 *  3. State: what decide() keeps between calls goes in NAME_state; the
 *     wrapper allocates state_size zeroed bytes. init() copies the settings
 *     and refuses combinations no single key can check (AS_EINVAL naming
 *     the key). Memory that depends on the settings is taken in init() and
 *     freed in fini(), which must accept a zeroed state; none: .fini = NULL.
 *  4. decide(): no allocation, I/O or clock. `out` arrives as "no change"
 *     ({current, current, AS_R_NONE}); set raw, desired within [min, max]
 *     and the reason. A NAN metric is missing: never scale in on it.
 *  5. Flags: remove AS_KIND_TEMPLATE (as_registry_check refuses a user
 *     kind that keeps it); add AS_KIND_NEEDS_FORECAST if decide() reads
 *     the forecast view, and the AS_KIND_CONF_* flag of a manifest format
 *     that configures it.
 *  6. Register: one line X(as_pol_NAME) in POLICY_KINDS in
 *     core/as_registry.c, where --help should list it.
 *  7. make test: tests/test_policy.c runs the conformance battery over the
 *     new kind (registry rules, defaults, bounds on a grid with NAN
 *     metrics, interleaved instances, no allocation in decide, the time
 *     rule) with no edit; then add tests of its own behaviour there.
 *  8. README.md: a line for the kind and its keys under "Scenarios". */
#include "as_policy.h"

#include <math.h>
#include <stddef.h>

typedef struct {
    double target;    /* utilisation to steer to, fraction of 1 */
    int max_step;     /* largest change per decision, instances */
    as_time cooldown; /* quiet time after a change */
} template_cfg;

static const as_param_def params[] = {
    {"target", AS_P_DOUBLE, offsetof(template_cfg, target), 0.01, 1.0, NULL, 0,
     "utilisation to steer to (0.7 or 70%)"},
    {"max_step", AS_P_INT, offsetof(template_cfg, max_step), 1, 100000, NULL, 0,
     "largest change per decision, instances"},
    {"cooldown", AS_P_DURATION, offsetof(template_cfg, cooldown), 0, 86400, NULL, 0,
     "time after a change during which no other change is made"},
    {0},
};

static void defaults(void *cfg)
{
    template_cfg *c = cfg;
    c->target = 0.7;
    c->max_step = 2;
    c->cooldown = 120 * AS_SEC;
}

typedef struct {
    template_cfg cfg;
    bool acted;       /* a change was made */
    as_time last_act; /* when */
} template_state;

static int init(void *state, const void *cfg, as_err *err)
{
    (void)err; /* every key is checked alone by its bounds */
    template_state *s = state;
    s->cfg = *(const template_cfg *)cfg;
    return AS_OK;
}

static void decide(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out)
{
    (void)fc;
    template_state *s = state;
    int cur = obs->current;
    if (isnan(obs->utilization) || obs->ready <= 0) {
        out->reason = AS_R_MISSING_METRIC;
        return;
    }
    /* instances at which the ready ones' load would sit at the target; the
     * 1e-9 keeps an exact fit from buying one more */
    double need_d = ceil(obs->utilization * obs->ready / s->cfg.target - 1e-9);
    int need = need_d > (double)obs->max ? obs->max + 1 : need_d < 0 ? 0 : (int)need_d;
    out->raw = need;
    if (need == cur)
        return;
    if (s->acted && obs->now - s->last_act < s->cfg.cooldown) {
        out->reason = AS_R_COOLDOWN;
        return;
    }
    int step = need - cur;
    step = step > s->cfg.max_step ? s->cfg.max_step : step < -s->cfg.max_step ? -s->cfg.max_step : step;
    int want = cur + step;
    want = want < obs->min ? obs->min : want > obs->max ? obs->max : want;
    if (want == cur) {
        out->reason = step > 0 ? AS_R_AT_MAX : AS_R_AT_MIN;
        return;
    }
    out->desired = want;
    out->reason = want > cur ? AS_R_SCALE_OUT : AS_R_SCALE_IN;
    s->acted = true;
    s->last_act = obs->now;
}

const as_policy_type as_pol_template = {
    .version = AS_KIND_VERSION,      /* the interface this file is written for */
    .name = "template",              /* the INI's kind = NAME */
    .flags = AS_KIND_TEMPLATE,       /* step 5 */
    .state_size = sizeof(template_state),
    .config_size = sizeof(template_cfg),
    .params = params,
    .defaults = defaults,
    .fini = NULL,                    /* init() takes no memory */
    .default_interval = 60 * AS_SEC, /* how often the real system evaluates */
    .init = init,
    .decide = decide,
    .signals = NULL, /* the metrics decide() reads beyond utilization (as_policy.h); NULL: all */
};
