/* test_enomem.c - out of memory through every loader and the run setup:
 * for n = 1, 2, 3, ... the n-th allocation of the project's code (and
 * every later one) fails, until the operation succeeds. Each failing try
 * must return an error code with a message, never crash, and leave no
 * block allocated (th_enomem_sweep in test_helpers.c; `make asan` runs the
 * same tests under AddressSanitizer and LeakSanitizer).
 * Allocations inside shared libraries (HDF5, GSL, libyaml, jansson, inih)
 * cannot be made to fail this way; their failure paths are the libraries'.
 * Run from the project root (scenarios/, tests/data/). */
#include "check_baseline.h"
#include "sim_results.h"
#include "sim_results_read.h"
#include "sim_run.h"
#include "sim_scenario.h"
#include "sim_sweep.h"
#include "test_helpers.h"
#include "tr_trace.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Upper bound on the allocations of one operation: a sweep over more means
 * the operation changed shape (or loops), not that it should take longer. */
#define MAX_ALLOCS 20000

/* HDF5 prints its error stack unless told not to (simrun's main does). */
TestSuite(enomem, .init = sim_results_quiet);

/* ---- scenarios ---- */

static int op_scenario(void *ctx, as_err *err)
{
    const char *const *a = ctx; /* path, then an optional override */
    sim_scenario *s = sim_scenario_load(a[0], a + 1, a[1] ? 1 : 0, err);
    if (s == NULL)
        return err->code ? err->code : -1;
    sim_scenario_free(s);
    return AS_OK;
}

static void sweep_scenario(const char *path, const char *set)
{
    const char *a[] = {path, set, NULL};
    long n = th_enomem_sweep(path, op_scenario, a, MAX_ALLOCS, NULL);
    cr_assert_gt(n, 10, "%s: only %ld allocations", path, n);
}

Test(enomem, scenario_default)
{
    sweep_scenario("scenarios/spike.ini", NULL);
}

Test(enomem, scenario_three_tiers)
{
    sweep_scenario("scenarios/multitier.ini", NULL);
}

Test(enomem, scenario_instance_types)
{
    sweep_scenario("scenarios/vertical.ini", NULL);
}

Test(enomem, scenario_with_override)
{
    sweep_scenario("scenarios/spike.ini", "tier.web.max=40");
}

/* The plan of a sweep: one scenario per grid point, loaded again. */
static int op_plan(void *ctx, as_err *err)
{
    const char *path = ctx;
    sim_scenario *s = sim_scenario_load(path, NULL, 0, err);
    if (s == NULL)
        return err->code ? err->code : -1;
    sim_plan plan = {0};
    int rc = sim_plan_build(path, NULL, 0, s, NULL, 0, 1000, &plan, err);
    sim_plan_free(&plan);
    sim_scenario_free(s);
    return rc;
}

/* A grid on a policy's key and on a tier's key (every policy), with
 * repetitions: 4 + 2 points, each loaded again. */
Test(enomem, sweep_plan)
{
    const char *ini = th_write_tmp("sweep.ini", "[scenario]\nduration = 1h\nseed = 5\n"
                                                "[tier.web]\nservice_time = 50ms\nmax = 20\n"
                                                "[slo]\nlatency = 250ms\n"
                                                "[policy.hpa]\nkind = hpa\n"
                                                "[policy.threshold]\nkind = threshold\n"
                                                "[sweep]\npolicy.hpa.target = 0.5, 0.7\n"
                                                "tier.web.boot_time = 30s, 60s\n"
                                                "repetitions = 2\n");
    th_enomem_sweep("sweep plan", op_plan, (void *)ini, MAX_ALLOCS, NULL);
}

/* ---- manifests (through the loader, which resolves and applies them) ---- */

static void sweep_manifest(const char *kind, const char *key, const char *file)
{
    char cwd[512], ini[2048];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(ini, sizeof ini,
             "[scenario]\nduration = 1h\n"
             "[tier.web]\nservice_time = 50ms\nmax = 20\n"
             "[slo]\nlatency = 250ms\n"
             "[policy.p]\nkind = %s\n%s = %s/tests/data/%s\n",
             kind, key, cwd, file);
    const char *a[] = {th_write_tmp("manifest.ini", ini), NULL};
    th_enomem_sweep(file, op_scenario, a, MAX_ALLOCS, NULL);
}

Test(enomem, manifest_hpa_yaml)
{
    sweep_manifest("hpa", "manifest", "manifest_hpa_full.yaml");
}

Test(enomem, manifest_aws_target_tracking)
{
    sweep_manifest("target", "aws_policy", "manifest_aws_tt_ec2.json");
}

Test(enomem, manifest_aws_step)
{
    sweep_manifest("step", "aws_policy", "manifest_aws_step.json");
}

Test(enomem, manifest_aws_predictive)
{
    sweep_manifest("aws_predictive", "aws_policy", "manifest_aws_predictive.json");
}

/* ---- traces ---- */

/* A recorded file read whole through a reader with options. */
typedef struct read_ctx {
    const char *path;
    tr_read_opts o;
} read_ctx;

static int op_read_file(void *ctx, as_err *err)
{
    const read_ctx *c = ctx;
    tr_reader *r = tr_reader_open_opts(c->path, &c->o, err);
    if (r == NULL)
        return err->code ? err->code : -1;
    tr_series s = {0};
    int rc = tr_series_read(r, &s, err);
    tr_series_free(&s);
    tr_reader_free(r);
    return rc;
}

static void sweep_file(const char *path, tr_read_opts o)
{
    read_ctx c = {path, o};
    th_enomem_sweep(path, op_read_file, &c, MAX_ALLOCS, NULL);
}

static int op_series(void *ctx, as_err *err)
{
    tr_series s = {0};
    int rc = tr_series_load(ctx, &s, err);
    tr_series_free(&s);
    return rc;
}

Test(enomem, trace_csv)
{
    th_enomem_sweep("csv", op_series, (void *)"tests/data/trace_basic.csv", MAX_ALLOCS, NULL);
    sweep_file("tests/data/trace_skip.csv", (tr_read_opts){.skip_bad = 100});
}

Test(enomem, trace_csv_iso8601)
{
    th_enomem_sweep("iso", op_series, (void *)"tests/data/trace_iso.csv", MAX_ALLOCS, NULL);
}

Test(enomem, trace_access_log)
{
    th_enomem_sweep("clf", op_series, (void *)"tests/data/clf_sample.log", MAX_ALLOCS, NULL);
    sweep_file("tests/data/clf_sample.log", (tr_read_opts){.sort = true});
}

Test(enomem, trace_prometheus)
{
    sweep_file("tests/data/prom_range.json", (tr_read_opts){.series = "sum"});
    sweep_file("tests/data/prom_range.json", (tr_read_opts){.series = "instance=a:9090"});
    th_enomem_sweep("prometheus", op_series, (void *)"tests/data/prom_nan_gap.json", MAX_ALLOCS,
                    NULL);
}

/* The same files gzip-compressed (read by content). */
Test(enomem, trace_gzip)
{
    const char *files[] = {"tests/data/trace_basic.csv", "tests/data/clf_sample.log",
                           "tests/data/prom_range.json"};
    for (int i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "f%d.gz", i);
        const char *gz = th_path(name);
        th_out o = {0};
        cr_assert_eq(th_sh(&o, "gzip -c %s > %s", files[i], gz), 0, "%s", o.err);
        th_out_free(&o);
        sweep_file(gz, (tr_read_opts){.series = i == 2 ? "sum" : NULL});
    }
}

/* A replay stream: configuration, open, a few rates (synthetic with
 * noise and spikes, or a recorded file). */
static int op_stream(void *ctx, as_err *err)
{
    const char *const *kv = ctx;
    tr_config *c = tr_config_new();
    if (c == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    int rc = AS_OK;
    for (int i = 0; kv[i] && rc == AS_OK; i += 2)
        rc = tr_config_set(c, kv[i], kv[i + 1], err);
    if (rc == AS_OK)
        rc = tr_config_check(c, err);
    tr_stream *s = rc == AS_OK ? tr_stream_open(c, 7, 2 * AS_HOUR, err) : NULL;
    if (rc == AS_OK && s == NULL)
        rc = err->code ? err->code : -1;
    for (as_time t = 0; s && rc == AS_OK && t < 2 * AS_HOUR; t += 60 * AS_SEC) {
        double r;
        rc = tr_stream_rate(s, t, &r, err);
    }
    tr_stream_free(s);
    tr_config_free(c);
    return rc;
}

Test(enomem, trace_stream_synthetic)
{
    const char *kv[] = {"base", "120", "daily_amplitude", "0.5", "noise", "gaussian",
                        "spike", "1h, 2m, 10m, 4", "spike", "90m, 0s, 1m, 2, 0s", NULL};
    th_enomem_sweep("synthetic stream", op_stream, kv, MAX_ALLOCS, NULL);
}

Test(enomem, trace_stream_replay)
{
    char cwd[512];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    char file[700];
    snprintf(file, sizeof file, "%s/tests/data/trace_gaps.csv", cwd);
    const char *kv[] = {"file", file, "interpolate", "linear", NULL};
    th_enomem_sweep("replay stream", op_stream, kv, MAX_ALLOCS, NULL);
}

/* ---- the run setup, and a run written to a results file ---- */

typedef struct run_ctx {
    const sim_scenario *sc;
    int policy;
    const char *out; /* results file, or NULL: no sink */
} run_ctx;

static int op_run(void *ctx, as_err *err)
{
    const run_ctx *c = ctx;
    sim_summary_row row;
    if (c->out == NULL)
        return sim_run_policy(c->sc, c->policy, NULL, NULL, &row, err);
    sim_results *r = sim_results_create(c->out, c->sc, 1, err);
    if (r == NULL)
        return err->code ? err->code : -1;
    sim_run_opts o = {.record_trace = 1};
    int rc = sim_results_run(r, c->sc, c->policy, &o, &row, err);
    if (rc == AS_OK)
        return sim_results_commit(r, &row, 1, err);
    sim_results_abort(r, 1);
    return rc;
}

/* Every policy of spike.ini (each kind once) for ten minutes. The one
 * failure a run may absorb is the latency model's law cache growing by a
 * chunk: it then evicts its least recently used law instead (sim_latency.c
 * take_entry), the same numbers at more builds; any other is an error. */
Test(enomem, run_setup_every_kind)
{
    const char *ov[] = {"scenario.duration=10m"};
    as_err e = {0};
    sim_scenario *s = sim_scenario_load("scenarios/spike.ini", ov, 1, &e);
    cr_assert_not_null(s, "%s", e.msg);
    for (int p = 0; p < s->npolicies; p++) {
        run_ctx c = {s, p, NULL};
        char what[128];
        snprintf(what, sizeof what, "run %s", s->policies[p].name);
        int absorbed = 0;
        th_enomem_sweep(what, op_run, &c, MAX_ALLOCS, &absorbed);
        /* (the same allocation counts twice: failing alone and from it on) */
        cr_expect_leq(absorbed, 2, "%s: %d allocation failures absorbed", what, absorbed);
    }
    sim_scenario_free(s);
}

Test(enomem, run_setup_three_tiers_des)
{
    const char *ov[] = {"scenario.duration=6m", "scenario.model=des"};
    as_err e = {0};
    sim_scenario *s = sim_scenario_load("scenarios/multitier.ini", ov, 2, &e);
    cr_assert_not_null(s, "%s", e.msg);
    run_ctx c = {s, 0, NULL};
    th_enomem_sweep("des run", op_run, &c, MAX_ALLOCS, NULL);
    sim_scenario_free(s);
}

Test(enomem, run_into_results_file)
{
    const char *ov[] = {"scenario.duration=10m"};
    as_err e = {0};
    sim_scenario *s = sim_scenario_load("scenarios/spike.ini", ov, 1, &e);
    cr_assert_not_null(s, "%s", e.msg);
    run_ctx c = {s, 2, th_path("run.h5")};
    th_enomem_sweep("run into a results file", op_run, &c, MAX_ALLOCS, NULL);
    sim_scenario_free(s);
}

/* ---- the results reader ---- */

static int op_read(void *ctx, as_err *err)
{
    sim_reader *r = sim_reader_open(ctx, err);
    if (r == NULL)
        return err->code ? err->code : -1;
    sim_summary_row *sum = NULL;
    sim_run_info *runs = NULL;
    sim_tier_info *tiers = NULL;
    double *t = NULL, *rate = NULL;
    sim_ts_row *ts = NULL;
    sim_tier_row *tr = NULL;
    sim_action_row *act = NULL;
    char *text = NULL;
    int n = 0, nruns = 0, ntiers = 0;
    size_t k = 0;
    int rc = sim_reader_summary(r, &sum, &n, err);
    if (rc == AS_OK)
        rc = sim_reader_runs(r, &runs, &nruns, err);
    if (rc == AS_OK)
        rc = sim_reader_tiers(r, &tiers, &ntiers, err);
    if (rc == AS_OK)
        rc = sim_reader_trace(r, &t, &rate, &k, err);
    if (rc == AS_OK)
        rc = sim_reader_attr_alloc(r, "scenario_text", &text, err);
    for (int i = 0; rc == AS_OK && i < nruns; i++) {
        rc = sim_reader_timeseries(r, runs[i].name, &ts, &k, err);
        free(ts);
        ts = NULL;
        if (rc == AS_OK)
            rc = sim_reader_actions(r, runs[i].name, &act, &k, err);
        free(act);
        act = NULL;
        for (int j = 0; rc == AS_OK && j < ntiers; j++) {
            rc = sim_reader_tier_series(r, runs[i].name, tiers[j].name, &tr, &k, err);
            free(tr);
            tr = NULL;
        }
    }
    free(sum);
    free(runs);
    free(tiers);
    free(t);
    free(rate);
    free(text);
    sim_reader_close(r);
    return rc;
}

static int op_read_summary(void *ctx, as_err *err)
{
    sim_summary_row *rows = NULL;
    int n = 0;
    int rc = sim_results_read_summary(ctx, &rows, &n, err);
    free(rows);
    return rc;
}

Test(enomem, results_reader)
{
    th_out o = {0};
    const char *h5 = th_path("two.h5");
    cr_assert_eq(th_simrun(&o,
                           "scenarios/multitier.ini --set scenario.duration=1h --policy hpa "
                           "--policy target -o %s --no-report -q -j 1",
                           h5),
                 0, "%s", o.err);
    th_out_free(&o);
    th_enomem_sweep("results reader", op_read, (void *)h5, MAX_ALLOCS, NULL);
    th_enomem_sweep("summary reader", op_read_summary, (void *)h5, MAX_ALLOCS, NULL);
}

/* ---- the quality gate's baseline ---- */

static int op_baseline(void *ctx, as_err *err)
{
    chk_baseline b = {.path = ctx};
    int exists = 0;
    int rc = chk_baseline_read(&b, &exists);
    chk_baseline_free(&b);
    if (rc == 1)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    return rc == 0 ? AS_OK : as_err_set(err, AS_EINVAL, "bad baseline");
}

Test(enomem, quality_baseline)
{
    th_enomem_sweep("quality baseline", op_baseline, (void *)"tests/quality/baseline.csv",
                    MAX_ALLOCS, NULL);
}
