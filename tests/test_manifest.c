/* test_manifest.c - Kubernetes HPA manifests and AWS scaling-policy JSON as
 * policy input: every mapped field read back through the policy's
 * parameter table, the API defaults when `behavior` is absent, warnings
 * and errors that name file and line, and a manifest giving the same run
 * as the hand-written INI policy. Runs from the project root (data in
 * tests/data/). */
#include "as_param.h"
#include "as_policy.h"
#include "sim_manifest.h"
#include "sim_results.h"
#include "sim_run.h"
#include "sim_scenario.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define D(name) "tests/data/" name

/* A policy as the loader has it after `kind = ...`: defaults applied. */
static sim_policy_cfg *mk_policy(const char *kind)
{
    sim_policy_cfg *p = calloc(1, sizeof *p);
    cr_assert_not_null(p);
    snprintf(p->name, sizeof p->name, "t");
    p->type = as_policy_type_find(kind);
    cr_assert_not_null(p->type, "kind %s", kind);
    p->cfg = calloc(1, p->type->config_size);
    cr_assert_not_null(p->cfg);
    p->type->defaults(p->cfg);
    return p;
}

static void free_policy(sim_policy_cfg *p)
{
    free(p->cfg);
    free(p);
}

/* The resolved value of key, formatted as the results file records it. */
static const char *get(const sim_policy_cfg *p, const char *key)
{
    static char buf[320];
    const as_param_def *d = as_param_find(p->type->params, key);
    cr_assert_not_null(d, "no key %s", key);
    as_param_format(d, p->cfg, buf, sizeof buf);
    return buf;
}

#define EXPECT(p, key, want)                                                                       \
    cr_expect_str_eq(get(p, key), want, "key %s = %s, want %s", key, get(p, key), want)

/* A warning sink that writes each line to a stream (ud). */
static void to_stream(void *ud, const char *line)
{
    fprintf((FILE *)ud, "%s\n", line);
}

/* Apply a manifest, collecting the warnings into *warn_out (caller frees). */
static int apply(const char *key, const char *path, sim_policy_cfg *p, char **warn_out, as_err *e)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *w = open_memstream(&buf, &n);
    cr_assert_not_null(w);
    sim_warn sink = {to_stream, w, false};
    int rc = sim_manifest_apply(key, path, p, &sink, e);
    fclose(w);
    if (warn_out)
        *warn_out = buf;
    else
        free(buf);
    return rc;
}

/* "path:N:" where N is the line of the first occurrence of needle. */
static const char *at(const char *path, const char *needle)
{
    static char out[256];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[512];
    int n = 0, found = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        if (strstr(line, needle)) {
            found = n;
            break;
        }
    }
    fclose(f);
    cr_assert(found > 0, "'%s' not in %s", needle, path);
    snprintf(out, sizeof out, "%s:%d:", path, found);
    return out;
}

static int count(const char *hay, const char *needle)
{
    int c = 0;
    for (const char *s = hay; (s = strstr(s, needle)) != NULL; s++)
        c++;
    return c;
}

/* ---------------- Kubernetes ---------------- */

Test(manifest, hpa_v2_every_field_beside_other_kinds)
{
    sim_policy_cfg *p = mk_policy("hpa");
    as_err e = {0};
    char *w;
    cr_assert_eq(apply("manifest", D("manifest_hpa_full.yaml"), p, &w, &e), AS_OK, "%s", e.msg);
    EXPECT(p, "target", "0.65");
    EXPECT(p, "behavior", "true");
    EXPECT(p, "tolerance", "0.1");       /* the controller flag: not in the manifest */
    EXPECT(p, "up_tolerance", "0.05");   /* 50m */
    EXPECT(p, "down_tolerance", "0.05"); /* "0.05" */
    EXPECT(p, "up_stabilization", "45s");
    EXPECT(p, "up_select", "min");
    EXPECT(p, "up_policies", "pods:3:30s, percent:50:30s");
    EXPECT(p, "down_stabilization", "10m");
    EXPECT(p, "down_select", "disabled");
    EXPECT(p, "down_policies", "pods:2:120s, percent:20:120s");
    /* metadata, status, the Deployment and the Service are not warned about */
    cr_expect_str_eq(w, "", "unexpected warnings:\n%s", w);
    int mn = 0, mx = 0;
    cr_assert_eq(sim_manifest_replicas(D("manifest_hpa_full.yaml"), &mn, &mx, &e), AS_OK, "%s",
                 e.msg);
    cr_expect_eq(mn, 3);
    cr_expect_eq(mx, 25);
    free(w);
    free_policy(p);
}

/* apis/autoscaling/v2/defaults.go and the controller flags, written out
 * here rather than taken from the kind, so that a change of either shows. */
static const struct {
    const char *key, *value;
} k8s_defaults[] = {
    {"target", "0.8"},          /* DefaultCPUUtilization = 80 */
    {"tolerance", "0.1"},       /* --horizontal-pod-autoscaler-tolerance */
    {"behavior", "false"},      /* spec.behavior nil: the legacy path */
    {"up_stabilization", "0s"}, /* scaleUp: 0 s window */
    {"up_select", "max"},
    {"up_policies", "pods:4:15s, percent:100:15s"},
    {"down_stabilization", "5m"}, /* --horizontal-pod-autoscaler-downscale-stabilization */
    {"down_select", "max"},
    {"down_policies", "percent:100:15s"}, /* scaleDown has only the Percent policy */
};

Test(manifest, no_behavior_gives_the_kubernetes_api_defaults)
{
    /* the kind's own defaults are the API's */
    sim_policy_cfg *k = mk_policy("hpa");
    for (size_t i = 0; i < sizeof k8s_defaults / sizeof k8s_defaults[0]; i++)
        cr_expect_str_eq(get(k, k8s_defaults[i].key), k8s_defaults[i].value, "kind default %s = %s",
                         k8s_defaults[i].key, get(k, k8s_defaults[i].key));
    free_policy(k);

    /* and the manifest sets them explicitly: start from other values */
    sim_policy_cfg *p = mk_policy("hpa");
    as_err e = {0};
    const char *junk[][2] = {{"target", "0.3"}, {"behavior", "true"}};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        cr_assert_eq(as_param_set(p->type->params, p->cfg, junk[i][0], junk[i][1], &e), AS_OK, "%s",
                     e.msg);
    char *w;
    cr_assert_eq(apply("manifest", D("manifest_hpa_nobehavior.yaml"), p, &w, &e), AS_OK, "%s",
                 e.msg);
    /* without spec.behavior only target and behavior = false are written:
     * the legacy path reads no behavior key */
    for (size_t i = 0; i < sizeof k8s_defaults / sizeof k8s_defaults[0]; i++)
        cr_expect_str_eq(get(p, k8s_defaults[i].key), k8s_defaults[i].value, "manifest %s = %s",
                         k8s_defaults[i].key, get(p, k8s_defaults[i].key));
    cr_expect_str_eq(w, "");
    int mn = 0, mx = 0;
    cr_assert_eq(sim_manifest_replicas(D("manifest_hpa_nobehavior.yaml"), &mn, &mx, &e), AS_OK);
    cr_expect_eq(mn, 1, "minReplicas defaults to 1");
    cr_expect_eq(mx, 10);
    free(w);
    free_policy(p);
}

Test(manifest, hpa_v1_target_cpu_percentage)
{
    sim_policy_cfg *p = mk_policy("hpa");
    as_err e = {0};
    cr_assert_eq(apply("manifest", D("manifest_hpa_v1.yaml"), p, NULL, &e), AS_OK, "%s", e.msg);
    EXPECT(p, "target", "0.7");
    EXPECT(p, "behavior", "false"); /* autoscaling/v1 has no behavior */
    EXPECT(p, "down_stabilization", "5m");
    int mn, mx;
    cr_assert_eq(sim_manifest_replicas(D("manifest_hpa_v1.yaml"), &mn, &mx, &e), AS_OK);
    cr_expect(mn == 2 && mx == 12);
    free_policy(p);
}

/* Apply with --lenient's sink. */
static int apply_lenient(const char *key, const char *path, sim_policy_cfg *p, char **warn_out,
                         as_err *e)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *w = open_memstream(&buf, &n);
    cr_assert_not_null(w);
    sim_warn sink = {to_stream, w, true};
    int rc = sim_manifest_apply(key, path, p, &sink, e);
    fclose(w);
    *warn_out = buf;
    return rc;
}

Test(manifest, unmodelled_fields_fail_unless_lenient)
{
    const char *f = D("manifest_hpa_warnings.yaml");
    sim_policy_cfg *p = mk_policy("hpa");
    as_err e = {0};
    /* strict (the default): the first unmodelled field is the error */
    cr_assert_eq(apply("manifest", f, p, NULL, &e), AS_EINVAL, "accepted");
    char want[300];
    snprintf(want, sizeof want, "%s spec.paused: unknown field for autoscaling/v2: not modelled",
             at(f, "paused:"));
    cr_expect(strncmp(e.msg, want, strlen(want)) == 0, "'%s' is not '%s...'", e.msg, want);
    cr_expect_not(p->approximate);
    free_policy(p);

    /* --lenient: a warning per field, the policy approximate, the rest mapped */
    p = mk_policy("hpa");
    char *w;
    cr_assert_eq(apply_lenient("manifest", f, p, &w, &e), AS_OK, "%s", e.msg);
    cr_expect(p->approximate);
    snprintf(want, sizeof want, "%s warning: [policy.t] spec.paused: unknown field",
             at(f, "paused:"));
    cr_expect_not_null(strstr(w, want), "no '%s' in:\n%s", want, w);
    snprintf(want, sizeof want,
             "%s warning: [policy.t] spec.metrics[1].pods.metric.name: 'packets-per-second' is "
             "no simulated signal",
             at(f, "packets-per-second"));
    cr_expect_not_null(strstr(w, want), "no '%s' in:\n%s", want, w);
    cr_expect_eq(count(w, "warning:"), 2, "%s", w);
    /* 500Mi = 500 MB (Mi); Object requests-per-second 10k; External queue 30 */
    EXPECT(p, "metrics",
           "resource:memory:averagevalue:500, object:rps:value:10000, "
           "external:queue:averagevalue:30, resource:cpu:utilization:75");
    /* every policy with its own period, as the controller keeps them */
    EXPECT(p, "up_policies", "pods:4:60s, percent:100:15s");
    EXPECT(p, "behavior", "true");
    free(w);
    free_policy(p);
}

Test(manifest, metric_targets_map_onto_signals)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/simtest_manifest_met_%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec:\n"
          "  maxReplicas: 40\n  metrics:\n"
          "    - {type: Resource, resource: {name: cpu, target: {type: AverageValue, "
          "averageValue: 500m}}}\n"
          "    - {type: Pods, pods: {metric: {name: http_requests_per_second}, target: "
          "{type: AverageValue, averageValue: \"1.5k\"}}}\n"
          "    - {type: External, external: {metric: {name: queue_length}, target: "
          "{type: Value, value: \"250\"}}}\n",
          f);
    fclose(f);
    sim_policy_cfg *p = mk_policy("hpa");
    as_err e = {0};
    char *w;
    cr_assert_eq(apply("manifest", path, p, &w, &e), AS_OK, "%s", e.msg);
    EXPECT(p, "metrics",
           "resource:cpu:averagevalue:0.5, pods:rps:averagevalue:1500, "
           "external:queue:value:250");
    EXPECT(p, "behavior", "false");
    cr_expect_str_eq(w, "");
    free(w);
    free_policy(p);
    /* a Pods metric may not take Value (validation.go) */
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec:\n"
          "  maxReplicas: 4\n  metrics:\n    - type: Pods\n      pods:\n"
          "        metric: {name: http_requests_per_second}\n"
          "        target:\n          type: Value\n          value: 3\n",
          f);
    fclose(f);
    p = mk_policy("hpa");
    cr_assert_eq(apply("manifest", path, p, NULL, &e), AS_EINVAL);
    char want[200];
    snprintf(want, sizeof want, "%s:10: spec.metrics[0].pods.target.type: Value is not", path);
    cr_expect(strncmp(e.msg, want, strlen(want)) == 0, "%s", e.msg);
    free_policy(p);
    unlink(path);
}

Test(manifest, policies_of_different_periods_are_kept_as_they_are)
{
    /* selectPolicy Min over Pods 4/60 s and Percent 100/15 s: the kind
     * keeps both with their own periods (no rescaling, no warning) */
    char path[128];
    snprintf(path, sizeof path, "/tmp/simtest_manifest_%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec:\n"
          "  minReplicas: 2\n  maxReplicas: 40\n  behavior:\n    scaleUp:\n"
          "      selectPolicy: Min\n      policies:\n"
          "        - {type: Pods, value: 4, periodSeconds: 60}\n"
          "        - {type: Percent, value: 100, periodSeconds: 15}\n",
          f);
    fclose(f);
    sim_policy_cfg *p = mk_policy("hpa");
    as_err e = {0};
    char *w;
    cr_assert_eq(apply("manifest", path, p, &w, &e), AS_OK, "%s", e.msg);
    EXPECT(p, "up_select", "min");
    EXPECT(p, "up_policies", "pods:4:60s, percent:100:15s");
    EXPECT(p, "down_policies", "percent:100:15s"); /* the API default */
    cr_expect_str_eq(w, "");
    free(w);
    free_policy(p);
    unlink(path);
}

/* Errors name the file and the line. */
static void expect_error(const char *key, const char *kind, const char *path, const char *line_of,
                         const char *text)
{
    sim_policy_cfg *p = mk_policy(kind);
    as_err e = {0};
    cr_assert_eq(apply(key, path, p, NULL, &e), AS_EINVAL, "%s accepted", path);
    if (line_of)
        cr_expect(strncmp(e.msg, at(path, line_of), strlen(at(path, line_of))) == 0,
                  "'%s' does not start with %s", e.msg, at(path, line_of));
    cr_expect_not_null(strstr(e.msg, text), "'%s' lacks '%s'", e.msg, text);
    free_policy(p);
}

Test(manifest, bad_yaml_syntax)
{
    /* libyaml reports the flow sequence opened on line 7 and not closed
     * before the next key: the problem is at line 8 */
    expect_error("manifest", "hpa", D("manifest_bad_syntax.yaml"), "metrics: []",
                 "YAML syntax error");
}

Test(manifest, bad_only_a_deployment)
{
    expect_error("manifest", "hpa", D("manifest_bad_deployment_only.yaml"), "kind: Deployment",
                 "no HorizontalPodAutoscaler in the file (found: Deployment at line 2)");
}

Test(manifest, bad_max_below_min)
{
    expect_error("manifest", "hpa", D("manifest_bad_max_below_min.yaml"), "maxReplicas: 4",
                 "spec.maxReplicas: 4 is below minReplicas 8");
    int mn, mx;
    as_err e = {0};
    cr_expect_eq(sim_manifest_replicas(D("manifest_bad_max_below_min.yaml"), &mn, &mx, &e),
                 AS_EINVAL);
}

Test(manifest, bad_unknown_metric_type)
{
    expect_error("manifest", "hpa", D("manifest_bad_metric_type.yaml"), "type: Custom",
                 "spec.metrics[1]: metric type 'Custom' is not Resource");
}

Test(manifest, bad_json_syntax_names_line_and_column)
{
    /* the trailing comma: jansson stops at the closing brace, line 6 */
    expect_error("aws_policy", "target", D("manifest_bad_syntax.json"), "  }", "JSON syntax error");
}

Test(manifest, bad_policy_type_for_the_kind)
{
    expect_error("aws_policy", "target", D("manifest_bad_type.json"), "\"PolicyType\"",
                 "PolicyType: policy type StepScaling does not match kind = target, which reads "
                 "TargetTrackingScaling");
    /* no policy of the type in a describe-policies file */
    expect_error("aws_policy", "aws_predictive", D("manifest_aws_step.json"), "\"ScalingPolicies\"",
                 "no PredictiveScaling policy for kind = aws_predictive (found: StepScaling, "
                 "StepScaling, StepScaling)");
}

Test(manifest, bad_key_for_the_kind)
{
    expect_error("manifest", "target", D("manifest_hpa_full.yaml"), NULL,
                 "configures kind = hpa, not kind = target");
    expect_error("aws_policy", "hpa", D("manifest_aws_tt_ec2.json"), NULL,
                 "configures kind = target, step or aws_predictive, not kind = hpa");
}

Test(manifest, missing_file_is_an_io_error)
{
    sim_policy_cfg *p = mk_policy("hpa");
    as_err e = {0};
    cr_expect_eq(apply("manifest", D("manifest_no_such_file.yaml"), p, NULL, &e), AS_EIO);
    cr_expect_not_null(strstr(e.msg, "manifest_no_such_file.yaml: cannot open"), "%s", e.msg);
    free_policy(p);
}

/* ---------------- AWS ---------------- */

Test(manifest, aws_target_tracking_ec2)
{
    sim_policy_cfg *p = mk_policy("target");
    as_err e = {0};
    char *w;
    cr_assert_eq(apply("aws_policy", D("manifest_aws_tt_ec2.json"), p, &w, &e), AS_OK, "%s", e.msg);
    EXPECT(p, "target", "0.55");
    EXPECT(p, "disable_scale_in", "true");
    EXPECT(p, "warmup", "2m");
    EXPECT(p, "scale_out_cooldown", "0s"); /* EC2 TT does not wait for cooldowns */
    EXPECT(p, "scale_in_cooldown", "5m");  /* the group's DefaultCooldown (300 s) */
    EXPECT(p, "out_datapoints", "3");      /* managed alarms: the kind's shape */
    EXPECT(p, "in_datapoints", "15");
    cr_expect_str_eq(w, "");
    free(w);
    free_policy(p);
}

Test(manifest, aws_target_tracking_application_auto_scaling)
{
    /* describe-scaling-policies output: the first TargetTrackingScaling
     * policy is on memory (an error; under --lenient warned, target kept,
     * the policy approximate), the step one is skipped */
    const char *f = D("manifest_aws_tt_aas.json");
    sim_policy_cfg *p = mk_policy("target");
    as_err e = {0};
    char *w;
    cr_assert_eq(apply("aws_policy", f, p, NULL, &e), AS_EINVAL);
    cr_expect_not_null(strstr(e.msg, "ECSServiceAverageMemoryUtilization: only CPU utilisation "
                                     "and ALBRequestCountPerTarget are simulated: not modelled"),
                       "%s", e.msg);
    cr_assert_eq(apply_lenient("aws_policy", f, p, &w, &e), AS_OK, "%s", e.msg);
    cr_expect(p->approximate);
    EXPECT(p, "target", "0.5"); /* the kind's */
    EXPECT(p, "warmup", "0s");
    EXPECT(p, "scale_out_cooldown", "5m");
    EXPECT(p, "scale_in_cooldown", "5m");
    char want[300];
    snprintf(want, sizeof want,
             "%s warning: [policy.t] ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration."
             "TargetValue: TargetValue 70 of ECSServiceAverageMemoryUtilization",
             at(f, "\"TargetValue\": 70.0"));
    cr_expect_not_null(strstr(w, want), "want %s in:\n%s", want, w);
    cr_expect_not_null(strstr(w, "another TargetTrackingScaling policy ignored"), "%s", w);
    free(w);
    free_policy(p);

    /* the same values on a CPU policy map: take the third one alone */
    p = mk_policy("target");
    char path[128];
    snprintf(path, sizeof path, "/tmp/simtest_manifest_%d.json", (int)getpid());
    FILE *o = fopen(path, "w");
    cr_assert_not_null(o);
    fputs(
        "{\"PolicyType\": \"TargetTrackingScaling\", \"TargetTrackingScalingPolicyConfiguration\":"
        " {\"TargetValue\": 40.0, \"PredefinedMetricSpecification\": {\"PredefinedMetricType\":"
        " \"ECSServiceAverageCPUUtilization\"}, \"ScaleOutCooldown\": 45, \"ScaleInCooldown\":"
        " 240, \"DisableScaleIn\": false}}\n",
        o);
    fclose(o);
    cr_assert_eq(apply("aws_policy", path, p, &w, &e), AS_OK, "%s", e.msg);
    EXPECT(p, "target", "0.4");
    EXPECT(p, "scale_out_cooldown", "45s");
    EXPECT(p, "scale_in_cooldown", "4m");
    EXPECT(p, "disable_scale_in", "false");
    cr_expect_str_eq(w, "");
    free(w);
    free_policy(p);
    unlink(path);
}

Test(manifest, aws_step_both_directions)
{
    const char *f = D("manifest_aws_step.json");
    sim_policy_cfg *p = mk_policy("step");
    as_err e = {0};
    char *w;
    cr_assert_eq(apply("aws_policy", f, p, &w, &e), AS_OK, "%s", e.msg);
    /* bounds are CPU percentage points: 15 -> 0.15 of utilisation */
    EXPECT(p, "steps_out", "0:0.15:+20, 0.15::+60");
    EXPECT(p, "out_type", "percent");
    EXPECT(p, "out_min_magnitude", "2");
    EXPECT(p, "steps_in", "-0.1:0:-1, :-0.1:-3");
    EXPECT(p, "in_type", "change");
    EXPECT(p, "cooldown", "3m"); /* EstimatedInstanceWarmup */
    EXPECT(p, "out_threshold", "0.7");
    cr_expect_not_null(strstr(w, "keeping out_threshold = 0.7"), "%s", w);
    cr_expect_not_null(strstr(w, "keeping in_threshold = 0.3"), "%s", w);
    cr_expect_not_null(strstr(w, "Maximum: the simulated alarm averages"), "%s", w);
    cr_expect_not_null(strstr(w, "another scale-out step policy ignored"), "%s", w);
    /* the steps are valid for the kind: it creates */
    as_policy *made = as_policy_new(p->type, p->cfg, &e);
    cr_expect_not_null(made, "%s", e.msg);
    as_policy_free(made);
    free(w);
    free_policy(p);

    /* a single policy sets one side and says the other is kept */
    p = mk_policy("step");
    cr_assert_eq(apply("aws_policy", D("manifest_bad_type.json"), p, &w, &e), AS_OK, "%s", e.msg);
    EXPECT(p, "steps_out", "0::+1");
    EXPECT(p, "steps_in", ":0:-1");
    cr_expect_not_null(strstr(w, "scale-out policy only: the scale-in side keeps steps_in"), "%s",
                       w);
    free(w);
    free_policy(p);
}

Test(manifest, aws_predictive)
{
    const char *f = D("manifest_aws_predictive.json");
    sim_policy_cfg *p = mk_policy("aws_predictive");
    as_err e = {0};
    char *w;
    cr_assert_eq(apply("aws_policy", f, p, &w, &e), AS_OK, "%s", e.msg);
    EXPECT(p, "target", "0.45");
    cr_expect_not_null(strstr(w, "Mode absent (ForecastOnly by default)"), "%s", w);
    char want[300];
    snprintf(want, sizeof want,
             "%s warning: [policy.t] PredictiveScalingConfiguration.SchedulingBufferTime: 600 s",
             at(f, "SchedulingBufferTime"));
    cr_expect_not_null(strstr(w, want), "want %s in:\n%s", want, w);
    cr_expect_not_null(strstr(w, "MaxCapacityBreachBehavior: not simulated"), "%s", w);
    cr_expect_not_null(strstr(w, "MaxCapacityBuffer: not simulated"), "%s", w);
    free(w);
    free_policy(p);
}

/* ---------------- through the scenario loader, and runs ---------------- */

static char tmpdir[128];

static const char *write_scenario(const char *name, const char *policy)
{
    static char path[256];
    snprintf(tmpdir, sizeof tmpdir, "/tmp/simtest_manifest_%d", (int)getpid());
    mkdir(tmpdir, 0777);
    snprintf(path, sizeof path, "%s/%s.ini", tmpdir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "[scenario]\nduration = 8h\ntick = 1s\nrecord = 60s\nseed = 11\n"
            "[trace]\nshape = daily\nbase = 300\ndaily_amplitude = 0.6\ndaily_peak = 4h\n"
            "noise = gaussian\nnoise_sd = 0.1\nspike = 2h, 2m, 15m, 4, 5m\n"
            "[tier.web]\nservice_time = 50ms\nconcurrency = 4\nmin = 2\nmax = 30\n"
            "initial = 4\nboot_time = 60s\n"
            "[slo]\nlatency = 250ms\n"
            "[policy.p]\n%s",
            policy);
    fclose(f);
    return path;
}

/* Run policy 0 of the scenario into a results file; its summary and
 * timeseries come back (caller frees *ts). */
static void run_one(const char *ini, const char *out, sim_summary_row *row, sim_ts_row **ts,
                    size_t *nts)
{
    as_err e = {0};
    sim_scenario *s = sim_scenario_load(ini, NULL, 0, &e);
    cr_assert_not_null(s, "%s", e.msg);
    sim_results *r = sim_results_create(out, s, 1, &e);
    cr_assert_not_null(r, "%s", e.msg);
    cr_assert_eq(sim_results_run(r, s, 0, NULL, row, &e), AS_OK, "%s", e.msg);
    cr_assert_eq(sim_results_commit(r, row, 1, &e), AS_OK, "%s", e.msg);
    cr_assert_eq(sim_results_read_timeseries(out, "p", ts, nts, &e), AS_OK, "%s", e.msg);
    sim_scenario_free(s);
}

static void expect_same_runs(const char *from_file, const char *by_hand, const char *defaults)
{
    char a[256], b[256], c[256], out[3][256];
    snprintf(a, sizeof a, "%s", write_scenario("from_file", from_file));
    snprintf(b, sizeof b, "%s", write_scenario("by_hand", by_hand));
    snprintf(c, sizeof c, "%s", write_scenario("defaults", defaults));
    const char *ini[3] = {a, b, c};
    sim_summary_row row[3];
    sim_ts_row *ts[3];
    size_t n[3];
    for (int i = 0; i < 3; i++) {
        snprintf(out[i], sizeof out[i], "%s/run%d.h5", tmpdir, i);
        memset(&row[i], 0, sizeof row[i]);
        run_one(ini[i], out[i], &row[i], &ts[i], &n[i]);
    }
    cr_expect(row[0].actions > 0, "the policy never acted: the comparison proves nothing");
    cr_expect_eq(memcmp(&row[0], &row[1], sizeof row[0]), 0,
                 "summaries differ: cost %g vs %g, actions %d vs %d", row[0].cost_total,
                 row[1].cost_total, row[0].actions, row[1].actions);
    cr_assert_eq(n[0], n[1]);
    cr_expect_eq(memcmp(ts[0], ts[1], n[0] * sizeof *ts[0]), 0, "timeseries differ");
    /* the kind's defaults give another run: the manifest did change it */
    cr_expect(n[0] != n[2] || memcmp(ts[0], ts[2], n[0] * sizeof *ts[0]) != 0,
              "the manifest's run equals the defaults' run");
    for (int i = 0; i < 3; i++) {
        free(ts[i]);
        unlink(out[i]);
        unlink(ini[i]);
    }
}

Test(manifest, hpa_manifest_equals_hand_written_ini)
{
    char cwd[512], pol[1024];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(pol, sizeof pol, "kind = hpa\nmanifest = %s/" D("manifest_equiv_hpa.yaml") "\n", cwd);
    expect_same_runs(pol,
                     "kind = hpa\ntarget = 0.55\ntolerance = 0.05\n"
                     "behavior = true\nup_tolerance = 0.05\ndown_tolerance = 0.05\n"
                     "up_stabilization = 30s\nup_select = max\nup_policies = pods:2:30s\n"
                     "down_stabilization = 120s\ndown_select = min\n"
                     "down_policies = pods:1:60s, percent:10:60s\n",
                     "kind = hpa\n");
}

Test(manifest, aws_policy_equals_hand_written_ini)
{
    char cwd[512], pol[1024];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(pol, sizeof pol, "kind = target\naws_policy = %s/" D("manifest_equiv_tt.json") "\n",
             cwd);
    expect_same_runs(pol, "kind = target\ntarget = 45%\nwarmup = 45s\nscale_out_cooldown = 0s\n",
                     "kind = target\n");
}

Test(manifest, ini_keys_override_the_manifest)
{
    char cwd[512], pol[1024];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(pol, sizeof pol,
             "kind = hpa\nup_select = max\nmanifest = %s/" D("manifest_hpa_full.yaml") "\n", cwd);
    as_err e = {0};
    const char *ini = write_scenario("override", pol);
    sim_scenario *s = sim_scenario_load(ini, NULL, 0, &e);
    cr_assert_not_null(s, "%s", e.msg);
    EXPECT(&s->policies[0], "up_select", "max");                         /* INI, written before */
    EXPECT(&s->policies[0], "up_policies", "pods:3:30s, percent:50:30s"); /* manifest */
    sim_scenario_free(s);
    unlink(ini);
}

Test(manifest, loader_error_names_scenario_and_manifest)
{
    char cwd[512], pol[1024];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(pol, sizeof pol,
             "kind = hpa\nmanifest = %s/" D("manifest_bad_max_below_min.yaml") "\n", cwd);
    as_err e = {0};
    const char *ini = write_scenario("bad", pol);
    sim_scenario *s = sim_scenario_load(ini, NULL, 0, &e);
    cr_assert_null(s);
    cr_expect_not_null(strstr(e.msg, ".ini:"), "%s", e.msg);
    cr_expect_not_null(strstr(e.msg, "manifest_bad_max_below_min.yaml:8: spec.maxReplicas"), "%s",
                       e.msg);
    unlink(ini);
}

Test(manifest, bundled_examples_load)
{
    as_err e = {0};
    sim_scenario *s = sim_scenario_load("scenarios/replay_k8s_aws.ini", NULL, 0, &e);
    cr_assert_not_null(s, "%s", e.msg);
    int mn, mx;
    cr_assert_eq(sim_manifest_replicas("scenarios/configs/hpa_web.yaml", &mn, &mx, &e), AS_OK, "%s",
                 e.msg);
    /* the scenario's tier matches the manifest until the loader applies it */
    cr_expect_eq(s->tiers[0].min, mn);
    cr_expect_eq(s->tiers[0].max, mx);
    EXPECT(&s->policies[0], "target", "0.6");
    EXPECT(&s->policies[0], "down_policies", "percent:10:60s");
    EXPECT(&s->policies[1], "warmup", "90s");
    sim_scenario_free(s);
    const char *more[][2] = {{"step", "scenarios/configs/aws_step_policies.json"},
                             {"aws_predictive", "scenarios/configs/aws_predictive.json"}};
    for (int i = 0; i < 2; i++) {
        sim_policy_cfg *p = mk_policy(more[i][0]);
        cr_expect_eq(apply("aws_policy", more[i][1], p, NULL, &e), AS_OK, "%s", e.msg);
        free_policy(p);
    }
}

/* ---------------- limits: regular files, size, depth ---------------- */

Test(manifest, only_regular_files_are_read)
{
    sim_policy_cfg *p = mk_policy("target");
    as_err e = {0};
    cr_expect_eq(apply("aws_policy", "/dev/zero", p, NULL, &e), AS_EINVAL);
    cr_expect(strstr(e.msg, "/dev/zero: is a character device, not an AWS policy file"), "%s",
              e.msg);
    free_policy(p);

    char fifo[128];
    snprintf(fifo, sizeof fifo, "/tmp/simtest_manifest_fifo_%d.yaml", (int)getpid());
    unlink(fifo);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    p = mk_policy("hpa");
    cr_expect_eq(apply("manifest", fifo, p, NULL, &e), AS_EINVAL); /* and does not block */
    cr_expect(strstr(e.msg, "is a FIFO (named pipe), not a Kubernetes manifest"), "%s", e.msg);
    int mn, mx;
    cr_expect_eq(sim_manifest_replicas(fifo, &mn, &mx, &e), AS_EINVAL);
    free_policy(p);
    unlink(fifo);
}

Test(manifest, oversize_file_is_refused_unread)
{
    char big[128];
    snprintf(big, sizeof big, "/tmp/simtest_manifest_big_%d.json", (int)getpid());
    FILE *f = fopen(big, "w");
    cr_assert_not_null(f);
    cr_assert_eq(ftruncate(fileno(f), (off_t)(4 << 20) + 1), 0); /* sparse */
    fclose(f);
    sim_policy_cfg *p = mk_policy("step");
    as_err e = {0};
    cr_expect_eq(apply("aws_policy", big, p, NULL, &e), AS_EINVAL);
    cr_expect(strstr(e.msg, "4194305 bytes is too large for an AWS policy file"), "%s", e.msg);
    free_policy(p);
    unlink(big);
}

/* A 2 MB manifest of nested flow sequences took time quadratic in its depth
 * (libyaml's scanner): refused at the depth limit, with the line. No time
 * is asserted (shared machines); Criterion's timeout catches a hang. */
Test(manifest, deep_nesting_is_refused_at_the_limit, .timeout = 60)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/simtest_manifest_deep_%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec:\n  maxReplicas: 5\n"
          "  metrics: ",
          f);
    for (int i = 0; i < 1000000; i++)
        fputc('[', f);
    for (int i = 0; i < 1000000; i++)
        fputc(']', f);
    fputc('\n', f);
    fclose(f);
    sim_policy_cfg *p = mk_policy("hpa");
    as_err e = {0};
    cr_expect_eq(apply("manifest", path, p, NULL, &e), AS_EINVAL);
    char want[200];
    snprintf(want, sizeof want, "%s:5: nested deeper than 64 levels", path);
    cr_expect(strstr(e.msg, want), "'%s' lacks '%s'", e.msg, want);
    free_policy(p);

    /* deep block mappings are counted too */
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("kind: HorizontalPodAutoscaler\nspec:\n", f);
    for (int d = 1; d <= 70; d++)
        fprintf(f, "%*sk%d:\n", 2 * d, "", d);
    fclose(f);
    p = mk_policy("hpa");
    cr_expect_eq(apply("manifest", path, p, NULL, &e), AS_EINVAL);
    cr_expect(strstr(e.msg, "nested deeper than 64 levels"), "%s", e.msg);
    free_policy(p);

    /* and JSON: brackets inside strings do not count */
    snprintf(path, sizeof path, "/tmp/simtest_manifest_deep_%d.json", (int)getpid());
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("{\"PolicyName\": \"", f);
    for (int i = 0; i < 100; i++)
        fputc('[', f);
    fputs("\",\n \"TargetTrackingConfiguration\": ", f);
    for (int i = 0; i < 1000000; i++)
        fputc('[', f);
    for (int i = 0; i < 1000000; i++)
        fputc(']', f);
    fputs("}\n", f);
    fclose(f);
    p = mk_policy("target");
    cr_expect_eq(apply("aws_policy", path, p, NULL, &e), AS_EINVAL);
    snprintf(want, sizeof want, "%s:2: nested deeper than 64 levels", path);
    cr_expect(strstr(e.msg, want), "'%s' lacks '%s'", e.msg, want);
    free_policy(p);
    unlink(path);
    snprintf(path, sizeof path, "/tmp/simtest_manifest_deep_%d.yaml", (int)getpid());
    unlink(path);
}

Test(manifest, a_path_with_control_bytes_stays_one_line)
{
    char path[128];
    snprintf(path, sizeof path, "/tmp/simtest_manifest_%d\n\x1b[31mred.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("kind: Deployment\n", f);
    fclose(f);
    sim_policy_cfg *p = mk_policy("hpa");
    as_err e = {0};
    cr_expect_eq(apply("manifest", path, p, NULL, &e), AS_EINVAL);
    cr_expect(strstr(e.msg, "\\n\\x1b[31mred.yaml:1: no HorizontalPodAutoscaler"), "%s", e.msg);
    cr_expect_null(strchr(e.msg, '\n'));
    cr_expect_null(strchr(e.msg, '\x1b'));
    free_policy(p);
    unlink(path);
}

/* The loader hands manifest warnings to the caller's sink, and prints none. */
Test(manifest, loader_warnings_go_to_the_callers_sink)
{
    char cwd[512], pol[1024];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(pol, sizeof pol, "kind = hpa\nmanifest = %s/" D("manifest_hpa_warnings.yaml") "\n",
             cwd);
    const char *ini = write_scenario("warned", pol);
    char *buf = NULL;
    size_t n = 0;
    FILE *w = open_memstream(&buf, &n);
    cr_assert_not_null(w);
    sim_warn sink = {to_stream, w, true}; /* --lenient */
    as_err e = {0};
    sim_scenario *s = sim_scenario_open(ini, &(sim_load_opts){.warn = &sink}, &e);
    fclose(w);
    cr_assert_not_null(s, "%s", e.msg);
    cr_expect_eq(count(buf, "warning: [policy.p] "), 2, "%s", buf);
    cr_expect_eq(count(buf, "\n"), 2, "one line each:\n%s", buf);
    cr_expect(s->policies[0].approximate);
    EXPECT(&s->policies[0], "up_policies", "pods:4:60s, percent:100:15s");
    sim_scenario_free(s);
    free(buf);
    /* without --lenient the same scenario does not load: exit 2 material */
    s = sim_scenario_load(ini, NULL, 0, &e);
    cr_assert_null(s);
    cr_expect_not_null(strstr(e.msg, "manifest_hpa_warnings.yaml:9: spec.paused: unknown field"),
                       "%s", e.msg);
    unlink(ini);
}

/* ---------------- scenarios/rps_alb.ini, against hand arithmetic ---------------- */

typedef struct {
    sim_action_row a[32];
    int n;
} scaled;

static int keep_scaled(void *ud, const sim_action_row *row, as_err *err)
{
    (void)err;
    scaled *k = ud;
    if (row->to != row->from && k->n < 32)
        k->a[k->n++] = *row;
    return AS_OK;
}

static scaled replay(sim_scenario *s, int policy)
{
    scaled k = {.n = 0};
    sim_sink sink = {.ud = &k, .action = keep_scaled};
    sim_summary_row sum;
    as_err e = {0};
    cr_assert_eq(sim_run_policy(s, policy, &sink, NULL, &sum, &e), AS_OK, "%s", e.msg);
    return k;
}

#define ACTION(k, i, t_s, from_n, to_n)                                                            \
    do {                                                                                           \
        cr_expect_eq((k).a[i].t, (double)(t_s), "action %d at %g s, want %d", i, (k).a[i].t,      \
                     (int)(t_s));                                                                  \
        cr_expect_eq((k).a[i].from, from_n, "action %d from %d", i, (k).a[i].from);                \
        cr_expect_eq((k).a[i].to, to_n, "action %d to %d", i, (k).a[i].to);                        \
    } while (0)

/* 160 req/s on 4 instances is 40 req/s each: the HPA's Pods target (40)
 * and AWS's 2400 per target per minute, both exactly met (no action; CPU
 * is 40 x 50 ms / 8 = 25 % of the request, below 70 %). At 30 min the
 * load is 600 req/s:
 *  HPA (15 s sync, scrape 15 s, window 15 s, no lag): the sample at
 *  30m15s reads 600 / 4 = 150 per pod, ceil(4 x 150 / 40) = 15, the legacy
 *  limit max(2 x 4, 4) = 8; at 30m30s the 4 new pods are Pending (no
 *  metric, taken as 0 on a scale-up): 600 / 8 = 75, ceil(8 x 75 / 40) = 15
 *  within max(16, 4). At 2 h, 300 req/s on 15 pods: 20 per pod,
 *  ceil(15 x 20 / 40) = 8, held by the 5 min downscale window of
 *  recommendations (15 until 2h00m00s) until 2h05m15s.
 *  AWS (one datapoint a minute, 3 of 3 out): 600 x 60 / 4 = 9000 per
 *  target at 31, 32 and 33 min; at 33 min ceil(4 x 9000 / 2400) = 15. At
 *  2 h: 300 x 60 / 15 = 1200 per target, below 2400 x 0.9, 15 datapoints
 *  (2h01m to 2h15m): ceil(15 x 1200 / 2400) = 8 at 2h15m. */
Test(manifest, rps_alb_scenario_acts_as_worked_out_by_hand)
{
    as_err e = {0};
    sim_scenario *s = sim_scenario_load("scenarios/rps_alb.ini", NULL, 0, &e);
    cr_assert_not_null(s, "%s", e.msg);
    cr_assert_str_eq(s->policies[0].name, "k8s");
    EXPECT(&s->policies[0], "metrics",
           "pods:rps:averagevalue:40, resource:cpu:utilization:70");
    EXPECT(&s->policies[0], "behavior", "false");
    EXPECT(&s->policies[1], "metric", "alb_requests");
    EXPECT(&s->policies[1], "target", "2.4e+03");
    cr_expect_eq(s->tiers[0].min, 2);
    cr_expect_eq(s->tiers[0].max, 30);

    scaled k = replay(s, 0);
    cr_assert_eq(k.n, 3, "%d HPA actions", k.n);
    ACTION(k, 0, 30 * 60 + 15, 4, 8);
    ACTION(k, 1, 30 * 60 + 30, 8, 15);
    ACTION(k, 2, 2 * 3600 + 5 * 60 + 15, 15, 8);

    k = replay(s, 1);
    cr_assert_eq(k.n, 2, "%d AWS actions", k.n);
    ACTION(k, 0, 33 * 60, 4, 15);
    ACTION(k, 1, 2 * 3600 + 15 * 60, 15, 8);
    sim_scenario_free(s);
}
