/* pol_hybrid.c - the `hybrid` policy: a `predictive` and a `target` policy
 * evaluated side by side on the same observation; the larger desired
 * capacity wins, as AWS combines predictive scaling with dynamic (target
 * tracking) policies ("the larger capacity wins", REFERENCE 2.4). Scale-in
 * therefore happens only when both agree, and the forecast alone never
 * removes capacity (the predictive side guarantees that).
 *
 * Built by composition rather than by copying: the two sub-policies are
 * ordinary instances created through as_policy_new from their registered
 * types and called through as_policy_decide, each keeping its own state
 * (cooldowns, alarm datapoints, measured interval), as two AWS policies on
 * one group do.
 *
 * Keys: the predictive keys under their own names (target, quantile,
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
#include <stdlib.h>
#include <string.h>

extern const as_policy_type as_pol_predictive, as_pol_target;

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

/* Which sub-kind and key each hybrid key feeds, index for index. */
static const struct {
    const as_policy_type *type;
    const char *key;
} route[] = {
    {&as_pol_predictive, "target"},       {&as_pol_predictive, "quantile"},
    {&as_pol_predictive, "sizing"},       {&as_pol_predictive, "max_spread"},
    {&as_pol_predictive, "scale_in_margin"}, {&as_pol_predictive, "interval"},
    {&as_pol_target, "target"},           {&as_pol_target, "scale_in_margin"},
    {&as_pol_target, "warmup"},           {&as_pol_target, "scale_out_cooldown"},
    {&as_pol_target, "scale_in_cooldown"}, {&as_pol_target, "disable_scale_in"},
    {&as_pol_target, "out_datapoints"},   {&as_pol_target, "in_datapoints"},
};

#define NROUTE (sizeof route / sizeof route[0])
#define SUBCFG_MAX 1024 /* bytes; both sub-configs are far smaller */

typedef union {
    max_align_t align;
    unsigned char b[SUBCFG_MAX];
} subcfg;

/* Copy one value between two configs through its text form, so that the
 * hybrid never needs the sub-kinds' private structs. */
static int copy_value(const as_param_def *from_defs, const char *from_key, const void *from,
                      const as_param_def *to_defs, const char *to_key, void *to, as_err *err)
{
    const as_param_def *d = as_param_find(from_defs, from_key);
    if (d == NULL)
        return as_err_set(err, AS_ENOTFOUND, "hybrid: no key '%s' to copy", from_key);
    char text[128];
    as_param_format(d, from, text, sizeof text);
    return as_param_set(to_defs, to, to_key, text, err);
}

static void defaults(void *cfg)
{
    subcfg p, t;
    assert(as_pol_predictive.config_size <= sizeof p.b && as_pol_target.config_size <= sizeof t.b);
    memset(&p, 0, sizeof p);
    memset(&t, 0, sizeof t);
    as_pol_predictive.defaults(p.b);
    as_pol_target.defaults(t.b);
    for (size_t i = 0; i < NROUTE; i++) {
        const as_policy_type *ty = route[i].type;
        int rc = copy_value(ty->params, route[i].key, ty == &as_pol_target ? t.b : p.b, params,
                            params[i].name, cfg, NULL);
        assert(rc == AS_OK);
        (void)rc;
    }
    hybrid_cfg *c = cfg;
    c->r_target = c->target;
}

typedef struct {
    as_policy *pred, *tt;
} hybrid_state;

static void destroy(void *state)
{
    hybrid_state *s = state;
    if (s == NULL)
        return;
    as_policy_free(s->pred);
    as_policy_free(s->tt);
    free(s);
}

static int create(const void *cfg, void **state, as_err *err)
{
    subcfg p, t;
    memset(&p, 0, sizeof p);
    memset(&t, 0, sizeof t);
    as_pol_predictive.defaults(p.b);
    as_pol_target.defaults(t.b);
    for (size_t i = 0; i < NROUTE; i++) {
        const as_policy_type *ty = route[i].type;
        int rc = copy_value(params, params[i].name, cfg, ty->params, route[i].key,
                            ty == &as_pol_target ? t.b : p.b, err);
        if (rc != AS_OK)
            return rc;
    }
    hybrid_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    s->pred = as_policy_new(&as_pol_predictive, p.b, err);
    s->tt = s->pred ? as_policy_new(&as_pol_target, t.b, err) : NULL;
    if (s->tt == NULL) {
        destroy(s);
        return err ? err->code : AS_ENOMEM;
    }
    *state = s;
    return AS_OK;
}

static void decide(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out)
{
    hybrid_state *s = state;
    as_decision p, t;
    as_policy_decide(s->pred, obs, fc, &p);
    as_policy_decide(s->tt, obs, NULL, &t);
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
    .config_size = sizeof(hybrid_cfg),
    .params = params,
    .defaults = defaults,
    .default_interval = 60 * AS_SEC,
    .wants_forecast = true,
    .create = create,
    .destroy = destroy,
    .decide = decide,
};
