/* test_manifest_load.c - manifests through the scenario loader: the same
 * runs as the hand-written INI policy, INI keys over the manifest, errors
 * naming scenario and manifest, the bundled examples; the limits on what
 * is read (regular files, size, depth, control bytes in paths); and
 * scenarios/rps_alb.ini against hand arithmetic. Runs from the project
 * root (data in tests/data/). */
#include "test_manifest.h"
#include "test_helpers.h"

/* ---------------- through the scenario loader, and runs ---------------- */

static char tmpdir[128];

static const char *write_scenario(const char *name, const char *policy)
{
    static char path[256];
    snprintf(tmpdir, sizeof tmpdir, "%s/simtest_manifest_%d", th_tmpdir(), (int)getpid());
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
    snprintf(fifo, sizeof fifo, "%s/simtest_manifest_fifo_%d.yaml", th_tmpdir(), (int)getpid());
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
    snprintf(big, sizeof big, "%s/simtest_manifest_big_%d.json", th_tmpdir(), (int)getpid());
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
    snprintf(path, sizeof path, "%s/simtest_manifest_deep_%d.yaml", th_tmpdir(), (int)getpid());
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
    snprintf(path, sizeof path, "%s/simtest_manifest_deep_%d.json", th_tmpdir(), (int)getpid());
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
    snprintf(path, sizeof path, "%s/simtest_manifest_deep_%d.yaml", th_tmpdir(), (int)getpid());
    unlink(path);
}

Test(manifest, a_path_with_control_bytes_stays_one_line)
{
    char path[128];
    snprintf(path, sizeof path, "%s/simtest_manifest_%d\n\x1b[31mred.yaml", th_tmpdir(), (int)getpid());
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
