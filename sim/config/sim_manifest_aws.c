/* sim_manifest_aws.c - AWS scaling-policy JSON (jansson) as input of the
 * kinds flagged AS_KIND_CONF_AWS_* (target, step, aws_predictive; which flag
 * reads which PolicyType is the table in sim_manifest.c).
 *
 * EC2 Auto Scaling and Application Auto Scaling: see the comments above
 * aws_target, aws_step_one and aws_predictive for the field tables. The
 * JSON is what `aws autoscaling put-scaling-policy --cli-input-json` takes
 * or what `describe-policies` / `describe-scaling-policies` print
 * ({"ScalingPolicies": [...]}). jansson keeps no positions, so the line of
 * a JSON value comes from the locator (sim_manifest_locate.c). The only
 * file that includes jansson.h in sim/config. */
#include "sim_manifest_int.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Full dotted path of rel under the chosen policy, and its line. */
static const char *jfield(const mf *m, const char *rel, char *buf, size_t n)
{
    if (m->base[0] && rel[0])
        snprintf(buf, n, "%s.%s", m->base, rel);
    else
        snprintf(buf, n, "%s", m->base[0] ? m->base : rel);
    return buf;
}

static int jline(const mf *m, const char *rel)
{
    char full[MF_FIELD];
    return sim_mf_json_line(m->text, jfield(m, rel, full, sizeof full));
}

static int jfail(mf *m, const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int jfail(mf *m, const char *rel, const char *fmt, ...)
{
    char msg[400], full[MF_FIELD];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sim_mf_fail(m, jline(m, rel), jfield(m, rel, full, sizeof full), "%s", msg);
}

static void jwarn(mf *m, const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void jwarn(mf *m, const char *rel, const char *fmt, ...)
{
    char msg[400], full[MF_FIELD];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sim_mf_warn(m, jline(m, rel), jfield(m, rel, full, sizeof full), "%s", msg);
}

static int jset(mf *m, const char *rel, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int jset(mf *m, const char *rel, const char *key, const char *fmt, ...)
{
    char val[300], full[MF_FIELD];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof val, fmt, ap);
    va_end(ap);
    return sim_mf_set(m, jline(m, rel), jfield(m, rel, full, sizeof full), key, "%s", val);
}

/* Fields of a policy that identify it or record its state: nothing to
 * simulate and nothing lost by not simulating them. */
static const char *const aws_identity[] = {
    "PolicyName",   "PolicyARN",        "PolicyType", "AutoScalingGroupName",
    "Alarms",       "ServiceNamespace", "ResourceId", "ScalableDimension",
    "CreationTime", "Enabled",          NULL};

/* Warn about every member of obj not in known (rel: obj's path). (the
 * identity fields are known at the top level of a policy) */
static int jwarn_unknown(mf *m, json_t *obj, const char *rel, const char *const *known)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        if (sim_mf_in_list(k, known) || (rel[0] == '\0' && sim_mf_in_list(k, aws_identity)))
            continue;
        char f[MF_FIELD], full[MF_FIELD];
        snprintf(f, sizeof f, "%s%s%s", rel, rel[0] ? "." : "", k);
        int rc = sim_mf_unmodelled(m, jline(m, f), jfield(m, f, full, sizeof full), "unknown field");
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* A number member; absent (or null) returns false. */
static int jnum(mf *m, json_t *obj, const char *key, const char *rel, double *out, bool *present)
{
    json_t *v = json_object_get(obj, key);
    *present = v != NULL && !json_is_null(v);
    if (!*present)
        return AS_OK;
    if (!json_is_number(v))
        return jfail(m, rel, "must be a number");
    *out = json_number_value(v);
    return AS_OK;
}

/* Seconds (an integer >= 0). */
static int jsecs(mf *m, json_t *obj, const char *key, const char *rel, int *out, bool *present)
{
    double v = 0;
    int rc = jnum(m, obj, key, rel, &v, present);
    if (rc != AS_OK || !*present)
        return rc;
    if (v < 0 || v != floor(v) || v > 86400 * 7)
        return jfail(m, rel, "%g is not a whole number of seconds", v);
    *out = (int)v;
    return AS_OK;
}

static const char *jstr(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* PolicyType, or inferred from the configuration block present
 * (put-scaling-policy defaults PolicyType to SimpleScaling). */
static const char *aws_type(json_t *pol)
{
    const char *t = jstr(pol, "PolicyType");
    if (t)
        return t;
    if (json_object_get(pol, "TargetTrackingConfiguration") ||
        json_object_get(pol, "TargetTrackingScalingPolicyConfiguration"))
        return "TargetTrackingScaling";
    if (json_object_get(pol, "StepAdjustments") ||
        json_object_get(pol, "StepScalingPolicyConfiguration"))
        return "StepScaling";
    if (json_object_get(pol, "PredictiveScalingConfiguration"))
        return "PredictiveScaling";
    return "SimpleScaling";
}

/* A CPU utilisation metric in percent: the simulator's utilisation is the
 * busy fraction of the servers, so TargetValue 60 means target 0.6. The
 * predefined types ending in CPUUtilization (ASGAverageCPUUtilization,
 * ECSServiceAverageCPUUtilization, EC2SpotFleetRequestAverageCPUUtilization,
 * RDSReaderAverageCPUUtilization, ...) and a customized CPUUtilization
 * metric averaged over the group. */
static bool aws_cpu_metric(json_t *tt, const char **what)
{
    json_t *pre = json_object_get(tt, "PredefinedMetricSpecification");
    const char *t = jstr(pre, "PredefinedMetricType");
    if (t) {
        *what = t;
        size_t n = strlen(t);
        return n >= 14 && strcmp(t + n - 14, "CPUUtilization") == 0;
    }
    json_t *cus = json_object_get(tt, "CustomizedMetricSpecification");
    if (cus) {
        const char *name = jstr(cus, "MetricName"), *stat = jstr(cus, "Statistic");
        *what = name ? name : "a metric math expression";
        return name && strcmp(name, "CPUUtilization") == 0 && stat && strcmp(stat, "Average") == 0;
    }
    *what = "no metric";
    return false;
}

/* kind = target. Two shapes:
 *   EC2 Auto Scaling: TargetTrackingConfiguration {PredefinedMetricSpecification |
 *     CustomizedMetricSpecification, TargetValue, DisableScaleIn} and, at
 *     the policy level, EstimatedInstanceWarmup.
 *   Application Auto Scaling: TargetTrackingScalingPolicyConfiguration
 *     {..., TargetValue, DisableScaleIn, ScaleOutCooldown, ScaleInCooldown}.
 * Mapping: TargetValue of a CPU metric / 100 -> target; DisableScaleIn ->
 * disable_scale_in; EstimatedInstanceWarmup -> warmup; ScaleOut/InCooldown
 * -> scale_out_/scale_in_cooldown.
 * EC2 target tracking "can start scale-out immediately without waiting for
 * the cooldown period to end; instead, instances have a warmup" (EC2 user
 * guide, Scaling cooldowns): scale_out_cooldown = 0, warmup does the job.
 * Its scale-in can still be delayed by the group's DefaultCooldown, which
 * is not in the policy: scale_in_cooldown keeps the kind's 300 s (the
 * DefaultCooldown default). Application Auto Scaling has no instance
 * warmup (its cooldowns do that job): warmup = 0, and absent cooldowns keep
 * the kind's 300 s (the default for ECS, Spot Fleet, EMR, custom
 * resources; DynamoDB, Lambda and others default to 0 - set them in the
 * INI). The alarms (3 of 3 out, 15 of 15 in) are managed by AWS and are
 * not in the JSON: out_/in_datapoints keep the kind's values. */
static int aws_target(mf *m, json_t *pol, bool *sides)
{
    (void)sides;
    bool aas = json_object_get(pol, "TargetTrackingScalingPolicyConfiguration") != NULL;
    const char *blk =
        aas ? "TargetTrackingScalingPolicyConfiguration" : "TargetTrackingConfiguration";
    json_t *tt = json_object_get(pol, blk);
    if (!json_is_object(tt))
        return jfail(m, tt ? blk : "", "a TargetTrackingScaling policy needs %s (an object)",
                     tt ? blk : "TargetTrackingConfiguration");
    char f[MF_FIELD];
    int rc;
    double tv = 0;
    bool has;
    snprintf(f, sizeof f, "%s.TargetValue", blk);
    if ((rc = jnum(m, tt, "TargetValue", f, &tv, &has)) != AS_OK)
        return rc;
    if (!has)
        return jfail(m, blk, "TargetValue is required");
    const char *what;
    char full[MF_FIELD];
    if (aws_cpu_metric(tt, &what)) {
        if ((rc = jset(m, f, "target", "%.17g", tv / 100.0)) != AS_OK)
            return rc;
    } else if (strcmp(what, "ALBRequestCountPerTarget") == 0) {
        /* requests per target per minute (the CloudWatch Sum over 60 s) */
        if ((rc = jset(m, f, "metric", "alb_requests")) != AS_OK ||
            (rc = jset(m, f, "target", "%.17g", tv)) != AS_OK)
            return rc;
    } else if ((rc = sim_mf_unmodelled(m, jline(m, f), jfield(m, f, full, sizeof full),
                                       "TargetValue %g of %s: only CPU utilisation and "
                                       "ALBRequestCountPerTarget are simulated",
                                       tv, what)) != AS_OK) {
        return rc;
    }
    json_t *dis = json_object_get(tt, "DisableScaleIn");
    snprintf(f, sizeof f, "%s.DisableScaleIn", blk);
    if (dis && !json_is_null(dis)) {
        if (!json_is_boolean(dis))
            return jfail(m, f, "must be true or false");
        if ((rc = jset(m, f, "disable_scale_in", "%s", json_is_true(dis) ? "true" : "false")) !=
            AS_OK)
            return rc;
    }
    int s = 0;
    if (aas) {
        if ((rc = jset(m, blk, "warmup", "0s")) != AS_OK)
            return rc;
        snprintf(f, sizeof f, "%s.ScaleOutCooldown", blk);
        if ((rc = jsecs(m, tt, "ScaleOutCooldown", f, &s, &has)) != AS_OK ||
            (has && (rc = jset(m, f, "scale_out_cooldown", "%ds", s)) != AS_OK))
            return rc;
        snprintf(f, sizeof f, "%s.ScaleInCooldown", blk);
        if ((rc = jsecs(m, tt, "ScaleInCooldown", f, &s, &has)) != AS_OK ||
            (has && (rc = jset(m, f, "scale_in_cooldown", "%ds", s)) != AS_OK))
            return rc;
    } else {
        if ((rc = jset(m, blk, "scale_out_cooldown", "0s")) != AS_OK)
            return rc;
        if ((rc = jsecs(m, pol, "EstimatedInstanceWarmup", "EstimatedInstanceWarmup", &s, &has)) !=
                AS_OK ||
            (has && (rc = jset(m, "EstimatedInstanceWarmup", "warmup", "%ds", s)) != AS_OK))
            return rc;
    }
    static const char *const tt_known[] = {"TargetValue",
                                           "DisableScaleIn",
                                           "PredefinedMetricSpecification",
                                           "CustomizedMetricSpecification",
                                           "ScaleOutCooldown",
                                           "ScaleInCooldown",
                                           NULL};
    static const char *const tt_known_ec2[] = {"TargetValue", "DisableScaleIn",
                                               "PredefinedMetricSpecification",
                                               "CustomizedMetricSpecification", NULL};
    if ((rc = jwarn_unknown(m, tt, blk, aas ? tt_known : tt_known_ec2)) != AS_OK)
        return rc;
    static const char *const top[] = {"TargetTrackingConfiguration",
                                      "TargetTrackingScalingPolicyConfiguration",
                                      "EstimatedInstanceWarmup", NULL};
    return jwarn_unknown(m, pol, "", top);
}

/* One step policy read from JSON, before it is written out. */
typedef struct {
    bool out;         /* scale-out (steps_out) or scale-in */
    const char *type; /* change | exact | percent */
    char steps[256];
    int pos, neg;         /* steps that add, remove capacity */
    double minlo, maxhi;  /* the range the steps cover */
} aws_steps;

/* One item of StepAdjustments (st, field g, index i) appended to o->steps
 * as the kind writes it: LOWER:UPPER:ADJUSTMENT. */
static int aws_step_item(mf *m, json_t *st, const char *g, const char *f, size_t i, aws_steps *o)
{
    if (!json_is_object(st))
        return jfail(m, g, "must be an object");
    double lo = -INFINITY, hi = INFINITY, adj = 0;
    bool has_lo, has_hi, has_adj;
    int rc;
    char h[MF_FIELD];
    snprintf(h, sizeof h, "%s.ScalingAdjustment", g);
    if ((rc = jnum(m, st, "MetricIntervalLowerBound", g, &lo, &has_lo)) != AS_OK ||
        (rc = jnum(m, st, "MetricIntervalUpperBound", g, &hi, &has_hi)) != AS_OK ||
        (rc = jnum(m, st, "ScalingAdjustment", h, &adj, &has_adj)) != AS_OK)
        return rc;
    if (!has_adj || adj != floor(adj))
        return jfail(m, has_adj ? h : g, "ScalingAdjustment must be an integer");
    if (!has_lo)
        lo = -INFINITY;
    if (!has_hi)
        hi = INFINITY;
    o->pos += adj > 0;
    o->neg += adj < 0;
    o->minlo = lo < o->minlo ? lo : o->minlo;
    o->maxhi = hi > o->maxhi ? hi : o->maxhi;
    static const char *const known[] = {"MetricIntervalLowerBound", "MetricIntervalUpperBound",
                                        "ScalingAdjustment", NULL};
    if ((rc = jwarn_unknown(m, st, g, known)) != AS_OK)
        return rc;
    char lb[32] = "", ub[32] = "", one[96];
    if (has_lo)
        snprintf(lb, sizeof lb, "%.10g", lo / 100.0);
    if (has_hi)
        snprintf(ub, sizeof ub, "%.10g", hi / 100.0);
    snprintf(one, sizeof one, "%s%s:%s:%s%d", i ? ", " : "", lb, ub,
             strcmp(o->type, "exact") == 0 || adj < 0 ? "" : "+", (int)adj);
    size_t l = strlen(o->steps);
    if (l + strlen(one) >= sizeof o->steps)
        return jfail(m, f, "too many steps to encode");
    memcpy(o->steps + l, one, strlen(one) + 1);
    return AS_OK;
}

/* Direction. The simulated step policy adds capacity above its
 * out_threshold (alarm GreaterThanOrEqualToThreshold) and removes it
 * below in_threshold, so a scale-out policy has its steps at or above
 * the threshold and a scale-in policy at or below it. A policy that
 * adds capacity below its threshold watches a metric that falls as
 * load rises (free memory, say): not simulated. */
static int aws_step_direction(mf *m, const char *f, aws_steps *o)
{
    bool above = o->minlo >= 0, below = o->maxhi <= 0;
    if (strcmp(o->type, "exact") != 0 && (o->pos || o->neg)) {
        if (o->pos && o->neg)
            return jfail(m, f,
                         "adds and removes capacity in one policy; AWS step policies "
                         "scale in one direction");
        o->out = o->pos > 0;
        if ((o->out && below && !above) || (!o->out && above && !below))
            return jfail(m, f,
                         "%s capacity %s the alarm threshold: a metric that falls as load rises; "
                         "the simulated step policy alarms on utilisation",
                         o->out ? "adds" : "removes", o->out ? "below" : "above");
        return AS_OK;
    }
    if (above == below)
        return jfail(m, f,
                     "cannot tell whether this policy scales out or in (its steps are on "
                     "both sides of the threshold)");
    o->out = above;
    return AS_OK;
}

/* Direction and step list of a StepScaling policy (cfg: the object that
 * holds StepAdjustments; rel its path). AWS bounds are relative to the
 * alarm threshold in the metric's unit; for a CPU percentage alarm
 * MetricIntervalLowerBound 10 is 0.1 of the simulator's utilisation. */
static int aws_step_read(mf *m, json_t *cfg, const char *rel, aws_steps *o)
{
    char f[MF_FIELD];
    snprintf(f, sizeof f, "%s%sAdjustmentType", rel, rel[0] ? "." : "");
    const char *at = jstr(cfg, "AdjustmentType");
    if (at == NULL)
        return jfail(m, rel,
                     "AdjustmentType is required (ChangeInCapacity, ExactCapacity or "
                     "PercentChangeInCapacity)");
    if (strcmp(at, "ChangeInCapacity") == 0)
        o->type = "change";
    else if (strcmp(at, "ExactCapacity") == 0)
        o->type = "exact";
    else if (strcmp(at, "PercentChangeInCapacity") == 0)
        o->type = "percent";
    else
        return jfail(m, f, "'%s' is not ChangeInCapacity, ExactCapacity or PercentChangeInCapacity",
                     at);
    snprintf(f, sizeof f, "%s%sStepAdjustments", rel, rel[0] ? "." : "");
    json_t *sa = json_object_get(cfg, "StepAdjustments");
    if (!json_is_array(sa) || json_array_size(sa) == 0)
        return jfail(m, json_is_array(sa) ? f : rel, "StepAdjustments must be a non-empty list");
    o->pos = o->neg = 0;
    o->minlo = INFINITY;
    o->maxhi = -INFINITY;
    o->steps[0] = '\0';
    for (size_t i = 0; i < json_array_size(sa); i++) {
        char g[MF_FIELD];
        snprintf(g, sizeof g, "%s[%zu]", f, i);
        int rc = aws_step_item(m, json_array_get(sa, i), g, f, i, o);
        if (rc != AS_OK)
            return rc;
    }
    return aws_step_direction(m, f, o);
}

/* kind = step: one or two StepScaling policies (the kind has a scale-out
 * and a scale-in side; a describe-policies file usually holds both).
 *   EC2: AdjustmentType, StepAdjustments, MinAdjustmentMagnitude,
 *        MetricAggregationType, EstimatedInstanceWarmup at the policy level.
 *   Application Auto Scaling: the same inside StepScalingPolicyConfiguration,
 *        plus Cooldown.
 * Mapping (per side: out_* or in_*): AdjustmentType -> *_type (change,
 * exact, percent); StepAdjustments -> steps_* (bounds / 100, see
 * aws_step_read); MinAdjustmentMagnitude -> *_min_magnitude; Cooldown
 * (AAS) -> cooldown; EstimatedInstanceWarmup (EC2) -> cooldown: during the
 * warmup EC2 counts the new instances as capacity, so only a larger step
 * adds more, and blocks scale-in, which is what the kind's cooldown does.
 * The alarm threshold is part of the CloudWatch alarm, not of the policy:
 * out_/in_threshold keep the kind's (or the INI's) values, with a warning. */
static int aws_step_one(mf *m, json_t *pol, bool *sides)
{
    bool aas = json_object_get(pol, "StepScalingPolicyConfiguration") != NULL;
    const char *rel = aas ? "StepScalingPolicyConfiguration" : "";
    json_t *cfg = aas ? json_object_get(pol, rel) : pol;
    if (!json_is_object(cfg))
        return jfail(m, rel, "must be an object");
    aws_steps s;
    int rc = aws_step_read(m, cfg, rel, &s);
    if (rc != AS_OK)
        return rc;
    const char *side = s.out ? "out" : "in";
    char key[32], f[MF_FIELD], cur[64];
    sides[s.out ? 0 : 1] = true;
    snprintf(f, sizeof f, "%s%sStepAdjustments", rel, rel[0] ? "." : "");
    snprintf(key, sizeof key, "steps_%s", side);
    if ((rc = jset(m, f, key, "%s", s.steps)) != AS_OK)
        return rc;
    snprintf(f, sizeof f, "%s%sAdjustmentType", rel, rel[0] ? "." : "");
    snprintf(key, sizeof key, "%s_type", side);
    if ((rc = jset(m, f, key, "%s", s.type)) != AS_OK)
        return rc;
    snprintf(key, sizeof key, "%s_threshold", side);
    snprintf(f, sizeof f, "%s%sStepAdjustments", rel, rel[0] ? "." : "");
    jwarn(m, f,
          "the alarm threshold is set in the CloudWatch alarm, not in the policy: keeping "
          "%s = %s; the step bounds are read as CPU percentage points relative to it",
          key, sim_mf_current(m, key, cur, sizeof cur));
    int v = 0;
    bool has;
    snprintf(f, sizeof f, "%s%sMinAdjustmentMagnitude", rel, rel[0] ? "." : "");
    if ((rc = jsecs(m, cfg, "MinAdjustmentMagnitude", f, &v, &has)) != AS_OK)
        return rc;
    snprintf(key, sizeof key, "%s_min_magnitude", side);
    if (has && strcmp(s.type, "percent") != 0)
        jwarn(m, f, "applies to PercentChangeInCapacity only; ignored");
    else if (has && (rc = jset(m, f, key, "%d", v)) != AS_OK)
        return rc;
    const char *agg = jstr(cfg, "MetricAggregationType");
    snprintf(f, sizeof f, "%s%sMetricAggregationType", rel, rel[0] ? "." : "");
    if (agg && strcmp(agg, "Average") != 0)
        jwarn(m, f, "%s: the simulated alarm averages the utilisation (Average)", agg);
    if (aas) {
        snprintf(f, sizeof f, "%s.Cooldown", rel);
        if ((rc = jsecs(m, cfg, "Cooldown", f, &v, &has)) != AS_OK ||
            (has && (rc = jset(m, f, "cooldown", "%ds", v)) != AS_OK))
            return rc;
        static const char *const known[] = {
            "AdjustmentType",        "StepAdjustments", "MinAdjustmentMagnitude",
            "MetricAggregationType", "Cooldown",        NULL};
        static const char *const top[] = {"StepScalingPolicyConfiguration", NULL};
        if ((rc = jwarn_unknown(m, cfg, rel, known)) != AS_OK ||
            (rc = jwarn_unknown(m, pol, "", top)) != AS_OK)
            return rc;
    } else {
        if ((rc = jsecs(m, pol, "EstimatedInstanceWarmup", "EstimatedInstanceWarmup", &v, &has)) !=
                AS_OK ||
            (has && (rc = jset(m, "EstimatedInstanceWarmup", "cooldown", "%ds", v)) != AS_OK))
            return rc;
        if (json_object_get(pol, "Cooldown"))
            jwarn(m, "Cooldown",
                  "EC2 uses Cooldown for SimpleScaling only; ignored for a "
                  "StepScaling policy (EstimatedInstanceWarmup applies)");
        static const char *const known[] = {"AdjustmentType",
                                            "StepAdjustments",
                                            "MinAdjustmentMagnitude",
                                            "MetricAggregationType",
                                            "EstimatedInstanceWarmup",
                                            "Cooldown",
                                            NULL};
        return jwarn_unknown(m, pol, "", known);
    }
    return AS_OK;
}

/* kind = aws_predictive: PredictiveScalingConfiguration {MetricSpecifications
 * [{TargetValue, PredefinedMetricPairSpecification |
 * PredefinedScalingMetricSpecification | Customized...}], Mode,
 * SchedulingBufferTime, MaxCapacityBreachBehavior, MaxCapacityBuffer}.
 * Mapping: TargetValue of the CPU pair (ASGCPUUtilization) or of the
 * ASGAverageCPUUtilization scaling metric / 100 -> target. The rest has no
 * key: Mode ForecastOnly (the AWS default) never scales, the simulator
 * always does (ForecastAndScale); SchedulingBufferTime is replaced by the
 * tier's boot time plus the decision interval; IncreaseMaxCapacity and
 * MaxCapacityBuffer are not simulated (the tier's max is a hard limit,
 * HonorMaxCapacity). Each is warned about when it changes the outcome. */
/* MetricSpecifications[0] of a PredictiveScaling policy (pc). */
static int aws_predictive_metric(mf *m, json_t *pc, const char *blk)
{
    json_t *ms = json_object_get(pc, "MetricSpecifications");
    char f[MF_FIELD], g[MF_FIELD], cur[64];
    snprintf(f, sizeof f, "%s.MetricSpecifications", blk);
    if (!json_is_array(ms) || json_array_size(ms) == 0)
        return jfail(m, ms ? f : blk, "MetricSpecifications must be a non-empty list");
    if (json_array_size(ms) > 1)
        jwarn(m, f, "%zu metric specifications; only the first is read (AWS allows one)",
              json_array_size(ms));
    json_t *spec = json_array_get(ms, 0);
    snprintf(f, sizeof f, "%s.MetricSpecifications[0]", blk);
    if (!json_is_object(spec))
        return jfail(m, f, "must be an object");
    double tv = 0;
    bool has;
    int rc;
    snprintf(g, sizeof g, "%s.TargetValue", f);
    if ((rc = jnum(m, spec, "TargetValue", g, &tv, &has)) != AS_OK)
        return rc;
    if (!has)
        return jfail(m, f, "TargetValue is required");
    const char *pair =
        jstr(json_object_get(spec, "PredefinedMetricPairSpecification"), "PredefinedMetricType");
    const char *scal =
        jstr(json_object_get(spec, "PredefinedScalingMetricSpecification"), "PredefinedMetricType");
    if ((pair && strcmp(pair, "ASGCPUUtilization") == 0) ||
        (scal && strcmp(scal, "ASGAverageCPUUtilization") == 0)) {
        if ((rc = jset(m, g, "target", "%.17g", tv / 100.0)) != AS_OK)
            return rc;
    } else {
        jwarn(m, g,
              "TargetValue %g of %s has no simulated counterpart yet (only CPU utilisation is "
              "simulated): keeping target = %s",
              tv, pair ? pair : scal ? scal : "a customized metric",
              sim_mf_current(m, "target", cur, sizeof cur));
    }
    static const char *const spec_known[] = {"TargetValue", "PredefinedMetricPairSpecification",
                                             "PredefinedScalingMetricSpecification",
                                             "PredefinedLoadMetricSpecification", NULL};
    return jwarn_unknown(m, spec, f, spec_known);
}

static int aws_predictive(mf *m, json_t *pol, bool *sides)
{
    (void)sides;
    const char *blk = "PredictiveScalingConfiguration";
    json_t *pc = json_object_get(pol, blk);
    if (!json_is_object(pc))
        return jfail(m, pc ? blk : "", "a PredictiveScaling policy needs %s (an object)", blk);
    int rc = aws_predictive_metric(m, pc, blk);
    if (rc != AS_OK)
        return rc;
    char f[MF_FIELD];
    bool has;
    const char *mode = jstr(pc, "Mode");
    snprintf(f, sizeof f, "%s.Mode", blk);
    if (mode == NULL || strcmp(mode, "ForecastOnly") == 0)
        jwarn(m, mode ? f : blk,
              "Mode %s: AWS only forecasts and does not scale; simulated as ForecastAndScale",
              mode ? mode : "absent (ForecastOnly by default)");
    else if (strcmp(mode, "ForecastAndScale") != 0)
        return jfail(m, f, "'%s' is not ForecastOnly or ForecastAndScale", mode);
    int sbt = 0;
    snprintf(f, sizeof f, "%s.SchedulingBufferTime", blk);
    if ((rc = jsecs(m, pc, "SchedulingBufferTime", f, &sbt, &has)) != AS_OK)
        return rc;
    if (has && sbt >= 3600)
        return jfail(m, f, "%d must be below 3600 s", sbt);
    if (has)
        jwarn(m, f,
              "%d s has no counterpart: the simulated policy looks ahead by the tier's boot "
              "time plus the decision interval",
              sbt);
    const char *mcb = jstr(pc, "MaxCapacityBreachBehavior");
    snprintf(f, sizeof f, "%s.MaxCapacityBreachBehavior", blk);
    if (mcb && strcmp(mcb, "IncreaseMaxCapacity") == 0)
        jwarn(m, f, "not simulated: the tier's max is a hard limit (HonorMaxCapacity)");
    else if (mcb && strcmp(mcb, "HonorMaxCapacity") != 0)
        return jfail(m, f, "'%s' is not HonorMaxCapacity or IncreaseMaxCapacity", mcb);
    if (json_object_get(pc, "MaxCapacityBuffer")) {
        snprintf(f, sizeof f, "%s.MaxCapacityBuffer", blk);
        jwarn(m, f, "not simulated: the tier's max is a hard limit");
    }
    static const char *const pc_known[] = {"MetricSpecifications", "Mode",
                                           "SchedulingBufferTime", "MaxCapacityBreachBehavior",
                                           "MaxCapacityBuffer",    NULL};
    static const char *const top[] = {"PredictiveScalingConfiguration", NULL};
    rc = jwarn_unknown(m, pc, blk, pc_known);
    return rc != AS_OK ? rc : jwarn_unknown(m, pol, "", top);
}


/* ------------------------------------------------------------------ */
/* the file                                                            */

/* The reader of each PolicyType; which kind simulates which type is the
 * table in sim_manifest.c (m->aws_type). */
static const struct aws_reader {
    const char *type;
    int (*read)(mf *m, json_t *pol, bool *sides);
} aws_readers[] = {
    {"TargetTrackingScaling", aws_target},
    {"StepScaling", aws_step_one},
    {"PredictiveScaling", aws_predictive},
};

/* Common checks and the reader for one policy object. */
static int aws_policy(mf *m, json_t *pol, bool *sides)
{
    json_t *en = json_object_get(pol, "Enabled");
    if (json_is_false(en))
        jwarn(m, "Enabled", "false: AWS does not run this policy; simulated anyway");
    for (size_t i = 0; i < sizeof aws_readers / sizeof aws_readers[0]; i++)
        if (strcmp(aws_readers[i].type, m->aws_type) == 0)
            return aws_readers[i].read(m, pol, sides);
    return sim_mf_fail(m, 0, NULL, "no reader for AWS policy type %s", m->aws_type);
}

/* kind = step simulates a scale-out and a scale-in policy together: a
 * second policy of a side already read is skipped, with a warning. */
static bool aws_step_side_taken(mf *m, json_t *pol, const bool *sides)
{
    aws_steps s;
    json_t *cfg = json_object_get(pol, "StepScalingPolicyConfiguration");
    as_err scratch = {0};
    as_err *keep = m->err;
    m->err = &scratch; /* its errors are reported when (if) it is read */
    int drc = aws_step_read(m, cfg ? cfg : pol, cfg ? "StepScalingPolicyConfiguration" : "", &s);
    m->err = keep;
    if (drc != AS_OK || !sides[s.out ? 0 : 1])
        return false;
    jwarn(m, "", "another scale-%s step policy ignored: the first one is used",
          s.out ? "out" : "in");
    return true;
}

/* {"ScalingPolicies": [...]} (describe-policies): the first policy of the
 * kind's type; for kind = step the first of each direction. */
static int aws_list(mf *m, json_t *list, bool *sides)
{
    if (!json_is_array(list))
        return jfail(m, "ScalingPolicies", "must be a list");
    const char *want = m->aws_type;
    bool step = strcmp(want, "StepScaling") == 0;
    char found[200] = "";
    int used = 0, rc = AS_OK;
    for (size_t i = 0; i < json_array_size(list) && rc == AS_OK; i++) {
        json_t *pol = json_array_get(list, i);
        if (!json_is_object(pol))
            continue;
        const char *t = aws_type(pol);
        size_t l = strlen(found);
        snprintf(found + l, sizeof found - l, "%s%s", l ? ", " : "", t);
        if (strcmp(t, want) != 0)
            continue;
        snprintf(m->base, sizeof m->base, "ScalingPolicies[%zu]", i);
        if (used && !step) {
            jwarn(m, "", "another %s policy ignored: the first one is used", want);
            continue;
        }
        if (step && aws_step_side_taken(m, pol, sides))
            continue;
        used++;
        rc = aws_policy(m, pol, sides);
    }
    if (rc == AS_OK && used == 0) {
        m->base[0] = '\0';
        rc = jfail(m, "ScalingPolicies", "no %s policy for kind = %s (found: %s)", want,
                   m->p->type->name, found[0] ? found : "none");
    }
    return rc;
}

/* The file as JSON: within the size and depth limits, duplicate keys
 * refused (jansson would otherwise keep the last one silently), and
 * DECODE_ANY so that a bare value is reported as "not an object" rather
 * than as a syntax error. */
static int aws_parse(mf *m, json_t **root)
{
    *root = NULL;
    int rc = sim_mf_load(m, "an AWS policy file");
    if (rc != AS_OK)
        return rc;
    int deep = sim_mf_json_too_deep(m->text, m->len, SIM_MANIFEST_MAX_DEPTH);
    if (deep > 0)
        return sim_mf_fail(m, deep, NULL, "nested deeper than %d levels (not an AWS policy)",
                           SIM_MANIFEST_MAX_DEPTH);
    json_error_t je;
    *root = json_loadb(m->text, m->len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (*root == NULL)
        return as_err_set(m->err, AS_EINVAL, "%s:%d:%d: JSON syntax error: %s", m->path, je.line,
                          je.column, je.text);
    if (!json_is_object(*root))
        return sim_mf_fail(m, 1, NULL,
                           "the top level must be an object (a policy or {\"ScalingPolicies\": "
                           "[...]})");
    return AS_OK;
}

int sim_mf_aws(mf *m)
{
    json_t *root;
    bool sides[2] = {false, false};
    int rc = aws_parse(m, &root);
    if (rc == AS_OK) {
        json_t *list = json_object_get(root, "ScalingPolicies");
        const char *t = list ? NULL : aws_type(root);
        if (list != NULL)
            rc = aws_list(m, list, sides);
        else if (strcmp(t, m->aws_type) != 0)
            rc = jfail(m, json_object_get(root, "PolicyType") ? "PolicyType" : "",
                       "policy type %s does not match kind = %s, which reads %s", t,
                       m->p->type->name, m->aws_type);
        else
            rc = aws_policy(m, root, sides);
    }
    if (rc == AS_OK && strcmp(m->aws_type, "StepScaling") == 0 && sides[0] != sides[1]) {
        char cur[64];
        m->base[0] = '\0';
        const char *other = sides[0] ? "steps_in" : "steps_out";
        sim_mf_warn(m, 1, other,
                    "the file holds a scale-%s policy only: the scale-%s side keeps %s = %s (the "
                    "kind's or the INI's)",
                    sides[0] ? "out" : "in", sides[0] ? "in" : "out", other,
                    sim_mf_current(m, other, cur, sizeof cur));
    }
    json_decref(root);
    return rc;
}
