/* sim_emit.c - what sim_emit.h's writers share: the format of a kind (from
 * its configuration flags, never its name), the keys a format carries,
 * and typed values read through a kind's parameter table. */
#include "sim_emit.h"

#include "as_kind.h"
#include "as_param.h"

#include <stdbool.h>
#include <string.h>

sim_emit_format sim_emit_format_of(const sim_policy_cfg *p)
{
    if (p->type->flags & AS_KIND_CONF_K8S_HPA)
        return SIM_EMIT_HPA;
    /* Step and predictive policies are not written yet: a step policy's
     * thresholds live in its CloudWatch alarms, and the predictive kind's
     * quantile, spread and margin have no AWS field; their output is the
     * INI section (SIM_EMIT_NONE). */
    if (p->type->flags & AS_KIND_CONF_AWS_TARGET)
        return SIM_EMIT_AWS;
    return SIM_EMIT_NONE;
}

const char *sim_emit_key(sim_emit_format f)
{
    return f == SIM_EMIT_HPA ? "manifest" : f == SIM_EMIT_AWS ? "aws_policy" : NULL;
}

const char *sim_emit_ext(sim_emit_format f)
{
    return f == SIM_EMIT_HPA ? "yaml" : f == SIM_EMIT_AWS ? "json" : "ini";
}

int sim_emit_carries(const sim_policy_cfg *p, const char *key)
{
    /* EC2 target tracking: TargetValue, DisableScaleIn,
     * EstimatedInstanceWarmup, and no scale-out cooldown (the reader sets
     * 0); scale-in cooldown and the alarms' datapoints are not in it */
    static const char *const aws_target[] = {"target", "disable_scale_in", "warmup",
                                             "scale_out_cooldown", NULL};
    if (as_param_find(p->type->params, key) == NULL)
        return 0;
    switch (sim_emit_format_of(p)) {
    case SIM_EMIT_HPA:
        return 1; /* every key of the hpa kind has a manifest field */
    case SIM_EMIT_AWS:
        for (int i = 0; aws_target[i]; i++)
            if (strcmp(aws_target[i], key) == 0)
                return 1;
        return 0;
    default:
        return 0;
    }
}

int sim_emit_param(const sim_policy_cfg *p, const char *key, double *v, as_err *err)
{
    const as_param_def *d = as_param_find(p->type->params, key);
    if (d == NULL)
        return as_err_set(err, AS_ENOTFOUND, "kind %s has no key '%s'", p->type->name, key);
    const char *at = (const char *)p->cfg + d->offset;
    switch (d->kind) {
    case AS_P_DOUBLE:
        memcpy(v, at, sizeof *v);
        return AS_OK;
    case AS_P_INT:
    case AS_P_ENUM: {
        int i;
        memcpy(&i, at, sizeof i);
        *v = i;
        return AS_OK;
    }
    case AS_P_DURATION: {
        as_time t;
        memcpy(&t, at, sizeof t);
        *v = as_time_to_s(t);
        return AS_OK;
    }
    case AS_P_BOOL: {
        bool b;
        memcpy(&b, at, sizeof b);
        *v = b;
        return AS_OK;
    }
    default:
        return as_err_set(err, AS_EINVAL, "key '%s' of kind %s is not a number", key,
                          p->type->name);
    }
}
