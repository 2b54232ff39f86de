/* as_policy.c - policy wrapper and registry. */
#include "as_policy.h"

#include <stdlib.h>
#include <string.h>

/* Registry: every policy kind, in the order --help lists them. Each kind
 * exports one const type object named as_pol_<kind>. */
extern const as_policy_type as_pol_static, as_pol_threshold;
extern const as_policy_type as_pol_hpa, as_pol_target, as_pol_step, as_pol_predictive,
    as_pol_hybrid, as_pol_oracle;

static const as_policy_type *const registry_list[] = {
    &as_pol_static,
    &as_pol_threshold,
    &as_pol_hpa,
    &as_pol_target,
    &as_pol_step,
    &as_pol_predictive,
    &as_pol_hybrid,
    &as_pol_oracle,
    NULL,
};

static const as_policy_type *const *registry(void) { return registry_list; }

const as_policy_type *const *as_policy_types(void) { return registry(); }

const as_policy_type *as_policy_type_find(const char *name)
{
    for (const as_policy_type *const *t = registry(); *t; t++)
        if (strcmp((*t)->name, name) == 0)
            return *t;
    return NULL;
}

const char *as_reason_name(as_reason r)
{
    static const char *names[AS_R_COUNT] = {
        "none",        "scale_out",  "scale_in",       "tolerance",  "stabilized",
        "rate_limited", "at_max",    "at_min",         "cooldown",   "missing_metric",
        "low_confidence", "anomaly", "warmup",         "budget",     "quota",
        "predictive"};
    return (r >= 0 && r < AS_R_COUNT) ? names[r] : "?";
}

struct as_policy {
    const as_policy_type *type;
    void *state;
};

as_policy *as_policy_new(const as_policy_type *type, const void *cfg, as_err *err)
{
    as_policy *p = calloc(1, sizeof *p);
    if (p == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory creating policy '%s'", type->name);
        return NULL;
    }
    p->type = type;
    void *tmp = NULL;
    if (cfg == NULL) {
        tmp = calloc(1, type->config_size ? type->config_size : 1);
        if (tmp == NULL) {
            free(p);
            as_err_set(err, AS_ENOMEM, "out of memory");
            return NULL;
        }
        if (type->defaults)
            type->defaults(tmp);
        cfg = tmp;
    }
    int rc = type->create(cfg, &p->state, err);
    free(tmp);
    if (rc != AS_OK) {
        as_policy_free(p);
        return NULL;
    }
    return p;
}

void as_policy_free(as_policy *p)
{
    if (p == NULL)
        return;
    if (p->type->destroy && p->state)
        p->type->destroy(p->state);
    free(p);
}

void as_policy_decide(as_policy *p, const as_observation *obs, const as_forecast_view *fc,
                      as_decision *out)
{
    out->raw = obs->current;
    out->desired = obs->current;
    out->reason = AS_R_NONE;
    p->type->decide(p->state, obs, fc, out);
    if (out->desired > obs->max) {
        out->desired = obs->max;
        if (out->raw > obs->max)
            out->reason = AS_R_AT_MAX;
    }
    if (out->desired < obs->min) {
        out->desired = obs->min;
        if (out->raw < obs->min)
            out->reason = AS_R_AT_MIN;
    }
}

const as_policy_type *as_policy_kind(const as_policy *p) { return p->type; }
