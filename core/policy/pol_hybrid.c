/* pol_hybrid.c - the `hybrid` policy: an `aws_predictive` and a `target` policy
 * evaluated side by side on the same observation; the larger desired
 * capacity wins, as AWS combines predictive scaling with dynamic (target
 * tracking) policies ("the larger capacity wins", REFERENCE 2.4). Scale-in
 * therefore happens only when both agree, and the forecast alone never
 * removes capacity (the predictive side guarantees that).
 *
 * Built by composition rather than by copying: the two sub-policies are
 * ordinary instances of the kinds registered as "aws_predictive" and
 * "target", found through the registry, created through as_policy_new and
 * called through as_policy_decide, each keeping its own state (cooldowns, alarm
 * datapoints, measured interval), as two AWS policies on one group do.
 * Settings move between the hybrid's config and theirs with
 * as_param_copy, through their params[] tables: typed, with no text round
 * trip and no knowledge of their private structs.
 *
 * It composes aws_predictive (the forecast-quantile rule), not the
 * planning `predictive` kind: that one already reacts at 15 s to what its
 * forecast did not see, so a reactive partner would only add capacity.
 *
 * Keys: the aws_predictive keys under their own names (target, quantile,
 * sizing, max_spread, scale_in_margin, interval) and the target tracking
 * keys prefixed with reactive_ (reactive_target, reactive_scale_in_margin,
 * reactive_warmup, reactive_scale_out_cooldown, reactive_scale_in_cooldown,
 * reactive_disable_scale_in, reactive_out_datapoints,
 * reactive_in_datapoints). Defaults are those of the two kinds, except
 * reactive_target, which defaults to the predictive target (0.7): AWS
 * advises giving predictive scaling and target tracking the same target
 * value, and a lower reactive target would simply always win.
 * Default evaluation interval 60 s. */
#include "as_policy.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

static const char *const quantile_names[] = {"mean", "upper", NULL};
static const char *const sizing_names[] = {"utilization", "slo", NULL};

typedef struct {
    double target;
    int quantile, sizing;
    double max_spread, scale_in_margin;
    as_time interval;
    double r_target, r_margin;
    as_time r_warmup, r_out_cooldown, r_in_cooldown;
    bool r_disable_in;
    int r_out_dp, r_in_dp;
} hybrid_cfg;

/* Bounds repeat the sub-kinds' so that an error names the hybrid key; the
 * sub-kind checks the value again when the hybrid is created. */
static const as_param_def params[] = {
    {"target", AS_P_DOUBLE, offsetof(hybrid_cfg, target), 0.01, 1.0, NULL, 0,
     "predictive: target utilisation of the provisioned capacity"},
    {"quantile", AS_P_ENUM, offsetof(hybrid_cfg, quantile), 0, 0, quantile_names, 0,
     "predictive: forecast value to provision for: mean or upper"},
    {"sizing", AS_P_ENUM, offsetof(hybrid_cfg, sizing), 0, 0, sizing_names, 0,
     "predictive: utilization or slo sizing"},
    {"max_spread", AS_P_DOUBLE, offsetof(hybrid_cfg, max_spread), 0.0, 1000.0, NULL, 0,
     "predictive: reactive fallback when (hi - lo) / mean exceeds this"},
    {"scale_in_margin", AS_P_DOUBLE, offsetof(hybrid_cfg, scale_in_margin), 0.0, 0.99, NULL, 0,
     "predictive: utilisation below target * (1 - margin) confirms a scale-in"},
    {"interval", AS_P_DURATION, offsetof(hybrid_cfg, interval), 0, 86400, NULL, 0,
     "predictive: decision interval added to the boot time (0: measured)"},
    {"reactive_target", AS_P_DOUBLE, offsetof(hybrid_cfg, r_target), 0.01, 100.0, NULL, 0,
     "target tracking: target utilisation"},
    {"reactive_scale_in_margin", AS_P_DOUBLE, offsetof(hybrid_cfg, r_margin), 0.0, 0.99, NULL, 0,
     "target tracking: scale in only below target * (1 - margin)"},
    {"reactive_warmup", AS_P_DURATION, offsetof(hybrid_cfg, r_warmup), 0, 86400, NULL, 0,
     "target tracking: instance warmup"},
    {"reactive_scale_out_cooldown", AS_P_DURATION, offsetof(hybrid_cfg, r_out_cooldown), 0,
     86400, NULL, 0, "target tracking: scale-out cooldown"},
    {"reactive_scale_in_cooldown", AS_P_DURATION, offsetof(hybrid_cfg, r_in_cooldown), 0, 86400,
     NULL, 0, "target tracking: scale-in cooldown"},
    {"reactive_disable_scale_in", AS_P_BOOL, offsetof(hybrid_cfg, r_disable_in), 0, 0, NULL, 0,
     "target tracking: never scale in"},
    {"reactive_out_datapoints", AS_P_INT, offsetof(hybrid_cfg, r_out_dp), 1, 1000, NULL, 0,
     "target tracking: datapoints above target before scaling out"},
    {"reactive_in_datapoints", AS_P_INT, offsetof(hybrid_cfg, r_in_dp), 1, 1000, NULL, 0,
     "target tracking: datapoints below the scale-in line before scaling in"},
    {0},
};

/* The composed kinds, by registered name, and which of their keys each
 * hybrid key feeds, index for index with params[]. */
enum { PRED, TT, NSUB };
static const char *const sub_kind[NSUB] = {"aws_predictive", "target"};

static const struct {
    int sub;
    const char *key;
} route[] = {
    {PRED, "target"},        {PRED, "quantile"},        {PRED, "sizing"},
    {PRED, "max_spread"},    {PRED, "scale_in_margin"}, {PRED, "interval"},
    {TT, "target"},          {TT, "scale_in_margin"},   {TT, "warmup"},
    {TT, "scale_out_cooldown"}, {TT, "scale_in_cooldown"}, {TT, "disable_scale_in"},
    {TT, "out_datapoints"},  {TT, "in_datapoints"},
};

#define NROUTE (sizeof route / sizeof route[0])
_Static_assert(NROUTE == sizeof params / sizeof params[0] - 1, "one route per key");
#define SUBCFG_MAX 1024 /* bytes; both sub-configs are far smaller */

typedef union {
    max_align_t align;
    unsigned char b[SUBCFG_MAX];
} subcfg;

/* The sub-kinds from the registry, and their default configs. */
static int subs_load(const as_policy_type *ty[NSUB], subcfg cfg[NSUB], as_err *err)
{
    for (int k = 0; k < NSUB; k++) {
        ty[k] = as_policy_type_find(sub_kind[k]);
        if (ty[k] == NULL)
            return as_err_set(err, AS_ENOTFOUND, "hybrid: no policy kind '%s' is registered",
                              sub_kind[k]);
        if (ty[k]->config_size > sizeof cfg[k].b)
            return as_err_set(err, AS_ERANGE, "hybrid: the config of '%s' exceeds %d bytes",
                              sub_kind[k], SUBCFG_MAX);
        memset(&cfg[k], 0, sizeof cfg[k]);
        if (ty[k]->defaults)
            ty[k]->defaults(cfg[k].b);
    }
    return AS_OK;
}

/* Copy every routed key, typed: out of the sub-configs into the hybrid's
 * (into != NULL), or out of the hybrid's (from) into the sub-configs. */
static int route_copy(void *into, const void *from, const as_policy_type *const ty[NSUB],
                      subcfg cfg[NSUB], as_err *err)
{
    for (size_t i = 0; i < NROUTE; i++) {
        int k = route[i].sub;
        const as_param_def *sd = as_param_find(ty[k]->params, route[i].key);
        if (sd == NULL)
            return as_err_set(err, AS_ENOTFOUND, "hybrid: kind '%s' has no key '%s'",
                              sub_kind[k], route[i].key);
        int rc = into ? as_param_copy(&params[i], into, sd, cfg[k].b, err)
                      : as_param_copy(sd, cfg[k].b, &params[i], from, err);
        if (rc != AS_OK)
            return as_err_prefix(err, "key '%s' (for %s): ", params[i].name, sub_kind[k]);
    }
    return AS_OK;
}

static void defaults(void *cfg)
{
    const as_policy_type *ty[NSUB];
    subcfg sub[NSUB];
    int rc = subs_load(ty, sub, NULL);
    if (rc == AS_OK)
        rc = route_copy(cfg, NULL, ty, sub, NULL);
    assert(rc == AS_OK); /* both kinds are in the registry with these keys */
    (void)rc;
    hybrid_cfg *c = cfg;
    c->r_target = c->target;
}

typedef struct {
    as_policy *sub[NSUB];
} hybrid_state;

static void fini(void *state)
{
    hybrid_state *s = state;
    for (int k = 0; k < NSUB; k++)
        as_policy_free(s->sub[k]);
}

static int init(void *state, const void *cfg, as_err *err)
{
    hybrid_state *s = state;
    const as_policy_type *ty[NSUB];
    subcfg sub[NSUB];
    int rc = subs_load(ty, sub, err);
    if (rc == AS_OK)
        rc = route_copy(NULL, cfg, ty, sub, err);
    for (int k = 0; k < NSUB && rc == AS_OK; k++)
        if ((s->sub[k] = as_policy_new(ty[k], sub[k].b, err)) == NULL)
            rc = err ? err->code : AS_ENOMEM;
    return rc; /* on failure, fini frees what was made */
}

static void decide(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out)
{
    hybrid_state *s = state;
    as_decision p, t;
    as_policy_decide(s->sub[PRED], obs, fc, &p);
    as_policy_decide(s->sub[TT], obs, NULL, &t);
    /* The larger capacity wins; on a tie the predictive side gives the
     * reason unless it has none to give. */
    const as_decision *w;
    if (p.desired != t.desired)
        w = p.desired > t.desired ? &p : &t;
    else
        w = p.reason != AS_R_NONE ? &p : &t;
    out->desired = w->desired;
    out->reason = w->reason;
    out->raw = p.raw > t.raw ? p.raw : t.raw;
}

const as_policy_type as_pol_hybrid = {
    .version = 1,
    .name = "hybrid",
    .flags = AS_KIND_NEEDS_FORECAST,
    .state_size = sizeof(hybrid_state),
    .config_size = sizeof(hybrid_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .default_interval = 60 * AS_SEC,
    .init = init,
    .decide = decide,
};
