/* pol_static.c - the `static` policy: a fixed instance count.
 * The simplest kind, and the template for a new one:
 *  1. copy this file to pol_<kind>.c and rename the config and functions;
 *  2. list every key in params[] with its bounds and a help line;
 *  3. fill the type table and add &as_pol_<kind> to as_policy.c's registry;
 *  4. tests/test_policy.c runs the conformance checks over every kind. */
#include "as_policy.h"

#include <stddef.h>
#include <stdlib.h>

typedef struct {
    int instances; /* the fixed count; 0 = keep the tier's initial count */
} static_cfg;

static const as_param_def params[] = {
    {"instances", AS_P_INT, offsetof(static_cfg, instances), 0, 100000, NULL, 0,
     "fixed instance count (0: keep the tier's initial count)"},
    {0},
};

static void defaults(void *cfg) { ((static_cfg *)cfg)->instances = 0; }

static int create(const void *cfg, void **state, as_err *err)
{
    static_cfg *s = malloc(sizeof *s);
    if (s == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    *s = *(const static_cfg *)cfg;
    *state = s;
    return AS_OK;
}

static void destroy(void *state) { free(state); }

static void decide(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out)
{
    (void)fc;
    const static_cfg *s = state;
    int want = s->instances > 0 ? s->instances : obs->current;
    out->raw = want;
    out->desired = want;
    out->reason = want > obs->current   ? AS_R_SCALE_OUT
                  : want < obs->current ? AS_R_SCALE_IN
                                        : AS_R_NONE;
}

const as_policy_type as_pol_static = {
    .version = 1,
    .name = "static",
    .config_size = sizeof(static_cfg),
    .params = params,
    .defaults = defaults,
    .default_interval = 60 * AS_SEC,
    .wants_forecast = false,
    .create = create,
    .destroy = destroy,
    .decide = decide,
};
