/* as_policy.c - the policy wrapper.
 * The only caller of a policy kind's methods: new and free go through the
 * one instance path of as_kind.c; decide() checks the time rule, starts
 * the decision at "no change", and clamps what the kind returns to
 * [min, max] whatever the kind does. The registry is in as_registry.c. */
#include "as_policy.h"

#include <assert.h>
#include <stddef.h>

_Static_assert(offsetof(as_policy_type, kind) == 0, "the as_kind head comes first");

const char *as_reason_name(as_reason r)
{
    static const char *names[AS_R_COUNT] = {
        "none",        "scale_out",  "scale_in",       "tolerance",  "stabilized",
        "rate_limited", "at_max",    "at_min",         "cooldown",   "missing_metric",
        "low_confidence", "anomaly", "warmup",         "budget",     "quota",
        "predictive",  "surprise"};
    return (r >= 0 && r < AS_R_COUNT) ? names[r] : "?";
}

struct as_policy {
    as_instance in; /* first: the generic path sees only this */
};

/* The kind's type object from the instance's head (the head is the first
 * member of the type, so the conversion is exact). */
static const as_policy_type *type_of(const as_policy *p)
{
    return (const as_policy_type *)(const void *)p->in.kind;
}

static int init_policy(as_instance *in, const void *cfg, const void *arg, as_err *err)
{
    (void)arg;
    const as_policy_type *t = (const as_policy_type *)(const void *)in->kind;
    return t->init(in->state, cfg, err);
}

as_policy *as_policy_new(const as_policy_type *type, const void *cfg, as_err *err)
{
    return as_instance_new(type ? &type->kind : NULL, "policy", sizeof(as_policy), cfg,
                           init_policy, NULL, err);
}

void as_policy_free(as_policy *p) { as_instance_free(p ? &p->in : NULL); }

void as_policy_decide(as_policy *p, const as_observation *obs, const as_forecast_view *fc,
                      as_decision *out)
{
    assert(p != NULL && obs != NULL && out != NULL);
    assert(fc == NULL || fc->h >= 0);
    as_instance_tick(&p->in, obs->now);
    out->raw = obs->current;
    out->desired = obs->current;
    out->reason = AS_R_NONE;
    type_of(p)->decide(p->in.state, obs, fc, out);
    if (out->reason < 0 || out->reason >= AS_R_COUNT)
        out->reason = AS_R_NONE; /* a kind must not do this; never pass it on */
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

void as_decision_clamp(as_decision *out, const as_observation *obs, int raw, int want,
                       as_reason why)
{
    out->raw = raw;
    if (want > obs->max) {
        want = obs->max;
        if (want <= obs->current)
            why = AS_R_AT_MAX;
    }
    if (want < obs->min) {
        want = obs->min;
        if (want >= obs->current)
            why = AS_R_AT_MIN;
    }
    out->desired = want;
    out->reason = why;
}

const as_policy_type *as_policy_kind(const as_policy *p) { return type_of(p); }

unsigned as_policy_signals(const as_policy *p)
{
    const as_policy_type *t = type_of(p);
    if (t->version < 2 || t->signals == NULL)
        return AS_OBS_ALL;
    return t->signals(p->in.state) & AS_OBS_ALL;
}
