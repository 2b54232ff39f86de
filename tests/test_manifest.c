/* test_manifest.c - Kubernetes HPA manifests and AWS scaling-policy JSON as
 * policy input: every mapped field read back through the policy's
 * parameter table, the API defaults when `behavior` is absent, warnings
 * and errors that name file and line. A manifest through the scenario
 * loader, giving the same run as the hand-written INI policy, and the
 * limits on what is read are test_manifest_load.c. */
#include "test_manifest.h"
#include "test_helpers.h"

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
    snprintf(path, sizeof path, "%s/simtest_manifest_met_%d.yaml", th_tmpdir(), (int)getpid());
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
    snprintf(path, sizeof path, "%s/simtest_manifest_%d.yaml", th_tmpdir(), (int)getpid());
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

Test(manifest, bad_duplicate_key_names_its_second_line)
{
    /* libyaml keeps both pairs; a lookup took the first (2) silently,
     * where kubectl refuses the file */
    expect_error("manifest", "hpa", D("manifest_bad_duplicate_key.yaml"), "  minReplicas: 6",
                 "duplicate key 'minReplicas' (first at line 7)");
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
    snprintf(path, sizeof path, "%s/simtest_manifest_%d.json", th_tmpdir(), (int)getpid());
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
