/* sim_emit_aws.c - kind = target as an EC2 Auto Scaling target-tracking
 * policy (sim_emit.h), built as a jansson object and dumped by jansson.
 *
 *   TargetTrackingConfiguration.TargetValue   target x 100 (CPU percent)
 *     .PredefinedMetricSpecification          ASGAverageCPUUtilization
 *     .DisableScaleIn                         disable_scale_in
 *   EstimatedInstanceWarmup                   warmup, whole seconds
 * EC2 target tracking has no scale-out cooldown (the reader sets 0: the
 * warmup does that job), and its scale-in cooldown and alarm datapoints
 * are not in the policy: those keys stay in the scenario
 * (sim_emit_carries). EC2 rather than Application Auto Scaling because
 * the simulated tier is a group of instances with a boot time, which is
 * what EC2's warmup models. */
#include "sim_emit.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>

/* A value the JSON carries as v * scale and the reader gives back divided
 * by scale: it must come back as v itself. */
static int exact(const sim_policy_cfg *p, const char *key, double scale, double *out,
                 as_err *err)
{
    double v;
    int rc = sim_emit_param(p, key, &v, err);
    if (rc != AS_OK)
        return rc;
    double x = round(v * scale);
    if (x / scale != v || x < 0 || x > 1e9)
        return as_err_set(err, AS_EINVAL,
                          "[policy.%s] %s = %.17g: the AWS policy takes a whole number of %s",
                          p->name, key, v, scale == 100 ? "percent" : "seconds");
    *out = x;
    return AS_OK;
}

int sim_emit_aws(FILE *f, const sim_scenario *sc, int policy, as_err *err)
{
    const sim_policy_cfg *p = &sc->policies[policy];
    if (sim_emit_format_of(p) != SIM_EMIT_AWS)
        return as_err_set(err, AS_EINVAL, "[policy.%s] kind %s is not written as an AWS policy",
                          p->name, p->type->name);
    double tv, warm, dis;
    int rc = exact(p, "target", 100, &tv, err);
    if (rc == AS_OK)
        rc = exact(p, "warmup", 1, &warm, err);
    if (rc == AS_OK)
        rc = sim_emit_param(p, "disable_scale_in", &dis, err);
    if (rc != AS_OK)
        return rc;
    char name[80];
    snprintf(name, sizeof name, "%s-target-tracking", p->name);
    json_t *root = json_pack(
        "{s:s, s:s, s:I, s:{s:{s:s}, s:f, s:b}}", "PolicyName", name, "PolicyType",
        "TargetTrackingScaling", "EstimatedInstanceWarmup", (json_int_t)warm,
        "TargetTrackingConfiguration", "PredefinedMetricSpecification", "PredefinedMetricType",
        "ASGAverageCPUUtilization", "TargetValue", tv, "DisableScaleIn", dis != 0);
    if (root == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory (AWS policy JSON)");
    rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 && fputc('\n', f) != EOF
             ? AS_OK
             : as_err_set(err, AS_EIO, "AWS policy JSON: write failed");
    json_decref(root);
    return rc;
}
