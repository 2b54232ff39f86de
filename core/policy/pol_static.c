/* pol_static.c - the `static` policy: a fixed instance count. The
 * simplest kind; to write a new one, copy pol_template.c. */
#include "as_policy.h"

#include <stddef.h>

typedef struct {
    int instances; /* the fixed count; 0 = keep the tier's initial count */
} static_cfg;

static const as_param_def params[] = {
    {"instances", AS_P_INT, offsetof(static_cfg, instances), 0, 100000, NULL, 0,
     "fixed instance count (0: keep the tier's initial count)"},
    {0},
};

static void defaults(void *cfg) { ((static_cfg *)cfg)->instances = 0; }

/* The state is a copy of the settings. */
static int init(void *state, const void *cfg, as_err *err)
{
    (void)err;
    *(static_cfg *)state = *(const static_cfg *)cfg;
    return AS_OK;
}

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
    .flags = 0,
    .state_size = sizeof(static_cfg),
    .config_size = sizeof(static_cfg),
    .params = params,
    .defaults = defaults,
    .fini = NULL,
    .default_interval = 60 * AS_SEC,
    .init = init,
    .decide = decide,
};
