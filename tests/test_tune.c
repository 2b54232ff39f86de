/* test_tune.c - simrun tune: the objective and the frontier, the written
 * HPA manifest (valid autoscaling/v2, field by field, parsed back with
 * libyaml) and AWS policy, their round trip through `manifest =` and
 * `aws_policy =` (bit-identical summaries), resume, bad input, an SLO no
 * configuration meets, [trace] skip; simrun compare. */
#include "test_helpers.h"
#include "sim_emit.h"
#include "sim_results.h"
#include "sim_run.h"
#include "sim_scenario.h"
#include "sim_tune_int.h"
#include "tr_trace.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml.h>

static char dir[512];

static void mkdirs(void)
{
    snprintf(dir, sizeof dir, "%s", th_tmpdir());
}

/* ---- the objective ---- */

static sim_summary_row row(int meets, double infra, double pen, double viol)
{
    sim_summary_row r = {0};
    r.meets_slo = meets;
    r.cost_infra = infra;
    r.cost_penalty = pen;
    r.cost_total = infra + pen;
    r.slo_violation_s = viol;
    return r;
}

Test(tune, objective_ranks_meeting_first_then_cost_then_violation)
{
    sim_summary_row cheap_miss = row(0, 1, 1, 100), dear_meet = row(1, 10, 0, 0),
                    cheap_meet = row(1, 5, 1, 20), closer_miss = row(0, 9, 0.5, 50);
    cr_assert_lt(sim_tune_cmp(&dear_meet, &cheap_miss), 0);
    cr_assert_lt(sim_tune_cmp(&cheap_meet, &dear_meet), 0);
    cr_assert_lt(sim_tune_cmp(&closer_miss, &cheap_miss), 0, "less violation is closer");
    cr_assert_eq(sim_tune_cmp(&cheap_meet, &cheap_meet), 0);
}

/* The held-out verdict: confirmed only when the tuned configuration
 * meets the SLO there; when neither it nor the default does, doing no
 * worse on violation at a lower total is said apart, never as confirmed. */
Test(tune, held_out_verdict_against_the_default)
{
    sim_summary_row meet_cheap = row(1, 3, 0, 0), meet_dear = row(1, 4, 0, 0),
                    miss_a = row(0, 7, 10, 780), miss_b = row(0, 8, 12, 900);
    cr_assert_eq(sim_tune_heldout_of(&meet_cheap, &meet_dear), SIM_HELDOUT_CONFIRMED);
    cr_assert_eq(sim_tune_heldout_of(&meet_dear, &meet_cheap), SIM_HELDOUT_COSTS_MORE);
    cr_assert_eq(sim_tune_heldout_of(&meet_dear, &miss_b), SIM_HELDOUT_CONFIRMED,
                 "meeting where the default misses confirms at any cost");
    cr_assert_eq(sim_tune_heldout_of(&miss_a, &miss_b), SIM_HELDOUT_BETTER);
    cr_assert_eq(sim_tune_heldout_of(&miss_b, &miss_a), SIM_HELDOUT_MISSES);
    cr_assert_eq(sim_tune_heldout_of(&miss_a, &meet_cheap), SIM_HELDOUT_MISSES);
    /* cheaper but more violation: not better */
    sim_summary_row miss_cheap_worse = row(0, 5, 1, 1000);
    cr_assert_eq(sim_tune_heldout_of(&miss_cheap_worse, &miss_b), SIM_HELDOUT_MISSES);
}

Test(tune, frontier_keeps_only_undominated_points)
{
    sim_tune_point pts[4] = {0};
    pts[0].row = row(1, 10, 0, 0);
    pts[1].row = row(1, 8, 0, 30);
    pts[2].row = row(1, 9, 0, 40); /* dominated by 1 */
    pts[3].row = row(0, 5, 0, 900);
    sim_tune_result r = {.points = pts, .npoints = 4};
    cr_assert_eq(sim_tune_frontier(&r), 3);
    cr_assert(pts[0].frontier && pts[1].frontier && !pts[2].frontier && pts[3].frontier);
}

Test(tune, first_rung_is_the_default_and_a_sobol_design_in_the_cube)
{
    sim_tune_result r = {.ndim = 2};
    r.dim[0] = (sim_tune_dim){.lo = 0.3, .hi = 0.95, .step = 0.01};
    r.dim[1] = (sim_tune_dim){.lo = 0, .hi = 600, .step = 15};
    r.dflt_x[0] = 0.6;
    r.dflt_x[1] = 300;
    sim_tune_opts o = {.n0 = 16};
    double u[64 * SIM_TUNE_MAXDIM];
    int n = tune_candidates(&r, &o, 0, u, 64);
    cr_assert_eq(n, 17);
    cr_assert_float_eq(u[0], (0.6 - 0.3) / 0.65, 1e-12);
    cr_assert_float_eq(u[1], 0.5, 1e-12);
    int quad[4] = {0};
    for (int i = 1; i < n; i++) {
        double a = u[i * SIM_TUNE_MAXDIM], b = u[i * SIM_TUNE_MAXDIM + 1];
        cr_assert(a >= 0 && a < 1 && b >= 0 && b < 1);
        quad[(a >= 0.5) * 2 + (b >= 0.5)]++;
    }
    for (int q = 0; q < 4; q++)
        cr_assert_eq(quad[q], 4, "16 Sobol points put 4 in each quadrant, not %d", quad[q]);
    cr_assert_eq(tune_candidates(&r, &o, 1, u, 64), 0, "no rung 1 before rung 0 is run");
}

/* ---- the written files ---- */

static sim_scenario *load(const char *const *sets, int n)
{
    as_err err = {0};
    sim_scenario *sc = sim_scenario_load("scenarios/spike.ini", sets, n, &err);
    cr_assert_not_null(sc, "%s", err.msg);
    return sc;
}

static int policy_of(const sim_scenario *sc, const char *name)
{
    for (int i = 0; i < sc->npolicies; i++)
        if (strcmp(sc->policies[i].name, name) == 0)
            return i;
    cr_assert_fail("no policy %s", name);
    return -1;
}

/* The value of a dotted path in a YAML mapping ("spec.minReplicas"),
 * sequence items as [i]. */
static yaml_node_t *ypath(yaml_document_t *d, yaml_node_t *n, const char *path)
{
    char key[64];
    while (n && *path) {
        size_t l = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)l, path);
        path += l + (path[l] == '.');
        if (key[0] == '[') {
            int i = atoi(key + 1);
            cr_assert_eq(n->type, YAML_SEQUENCE_NODE);
            cr_assert_lt(i, n->data.sequence.items.top - n->data.sequence.items.start);
            n = yaml_document_get_node(d, n->data.sequence.items.start[i]);
            continue;
        }
        cr_assert_eq(n->type, YAML_MAPPING_NODE, "%s: not a mapping", key);
        yaml_node_t *found = NULL;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
            if (strcmp((char *)yaml_document_get_node(d, p->key)->data.scalar.value, key) == 0)
                found = yaml_document_get_node(d, p->value);
        n = found;
    }
    return n;
}

static const char *yval(yaml_document_t *d, const char *path)
{
    yaml_node_t *n = ypath(d, yaml_document_get_root_node(d), path);
    cr_assert_not_null(n, "%s missing", path);
    cr_assert_eq(n->type, YAML_SCALAR_NODE, "%s is not a scalar", path);
    return (const char *)n->data.scalar.value;
}

static int ycount(yaml_document_t *d, const char *path)
{
    yaml_node_t *n = ypath(d, yaml_document_get_root_node(d), path);
    cr_assert_not_null(n, "%s missing", path);
    return n->type == YAML_MAPPING_NODE
               ? (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start)
               : (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

/* sc's hpa policy written by sim_emit_hpa and parsed back by libyaml into
 * *d; returns the text (the caller frees it and deletes d). */
static char *emit_hpa_doc(sim_scenario *sc, yaml_document_t *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    as_err err = {0};
    cr_assert_eq(sim_emit_hpa(m, sc, policy_of(sc, "hpa"), &err), AS_OK, "%s", err.msg);
    fclose(m);
    yaml_parser_t p;
    cr_assert(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    cr_assert(yaml_parser_load(&p, d), "not YAML: %s\n%s", p.problem, text);
    yaml_parser_delete(&p);
    return text;
}

Test(tune, hpa_manifest_is_autoscaling_v2_field_by_field)
{
    const char *sets[] = {"policy.hpa.target=0.73",
                          "policy.hpa.down_stabilization=120s",
                          "policy.hpa.behavior=true",
                          "policy.hpa.up_policies=pods:3:15s,percent:50:15s",
                          "policy.hpa.down_policies=percent:20:60s",
                          "policy.hpa.up_select=min",
                          "policy.hpa.up_stabilization=30s"};
    sim_scenario *sc = load(sets, 7);
    yaml_document_t d;
    char *text = emit_hpa_doc(sc, &d);
    cr_assert_str_eq(yval(&d, "apiVersion"), "autoscaling/v2");
    cr_assert_str_eq(yval(&d, "kind"), "HorizontalPodAutoscaler");
    cr_assert_str_eq(yval(&d, "metadata.name"), "web");
    cr_assert_str_eq(yval(&d, "spec.scaleTargetRef.apiVersion"), "apps/v1");
    cr_assert_str_eq(yval(&d, "spec.scaleTargetRef.kind"), "Deployment");
    cr_assert_str_eq(yval(&d, "spec.scaleTargetRef.name"), "web");
    cr_assert_str_eq(yval(&d, "spec.minReplicas"), "2");
    cr_assert_str_eq(yval(&d, "spec.maxReplicas"), "80");
    cr_assert_eq(ycount(&d, "spec.metrics"), 1);
    cr_assert_str_eq(yval(&d, "spec.metrics.[0].type"), "Resource");
    cr_assert_str_eq(yval(&d, "spec.metrics.[0].resource.name"), "cpu");
    cr_assert_str_eq(yval(&d, "spec.metrics.[0].resource.target.type"), "Utilization");
    cr_assert_str_eq(yval(&d, "spec.metrics.[0].resource.target.averageUtilization"), "73");
    cr_assert_str_eq(yval(&d, "spec.behavior.scaleUp.stabilizationWindowSeconds"), "30");
    cr_assert_str_eq(yval(&d, "spec.behavior.scaleUp.selectPolicy"), "Min");
    cr_assert_eq(ycount(&d, "spec.behavior.scaleUp.policies"), 2);
    cr_assert_str_eq(yval(&d, "spec.behavior.scaleUp.policies.[0].type"), "Pods");
    cr_assert_str_eq(yval(&d, "spec.behavior.scaleUp.policies.[0].value"), "3");
    cr_assert_str_eq(yval(&d, "spec.behavior.scaleUp.policies.[0].periodSeconds"), "15");
    cr_assert_str_eq(yval(&d, "spec.behavior.scaleUp.policies.[1].type"), "Percent");
    cr_assert_str_eq(yval(&d, "spec.behavior.scaleUp.policies.[1].value"), "50");
    cr_assert_str_eq(yval(&d, "spec.behavior.scaleDown.stabilizationWindowSeconds"), "120");
    cr_assert_str_eq(yval(&d, "spec.behavior.scaleDown.selectPolicy"), "Max");
    cr_assert_eq(ycount(&d, "spec.behavior.scaleDown.policies"), 1, "no Pods policy at 0");
    cr_assert_str_eq(yval(&d, "spec.behavior.scaleDown.policies.[0].type"), "Percent");
    cr_assert_str_eq(yval(&d, "spec.behavior.scaleDown.policies.[0].value"), "20");
    cr_assert_str_eq(yval(&d, "spec.behavior.scaleDown.policies.[0].periodSeconds"), "60");
    /* nothing else: every field above is every field there is */
    cr_assert_eq(ycount(&d, ""), 4);
    cr_assert_eq(ycount(&d, "spec"), 5);
    cr_assert_eq(ycount(&d, "spec.behavior.scaleUp"), 3, "no tolerance at the default 0.1");
    yaml_document_delete(&d);
    free(text);
    sim_scenario_free(sc);
}

/* The rps key: asked for, it replaces the CPU target (the HPA reads one or
 * the other) and starts in the middle of its range; a scenario whose HPA
 * already scales on requests per second is searched on that key around its
 * value without being asked; rps and target together are refused. */
static int dim_of(const sim_tune_result *r, const char *key)
{
    for (int i = 0; i < r->ndim; i++)
        if (strcmp(r->dim[i].key, key) == 0)
            return i;
    return -1;
}

Test(tune, the_rps_key_replaces_the_cpu_target)
{
    sim_scenario *sc = load(NULL, 0);
    const char *prm[] = {"policy.hpa.rps=20:80:1", "policy.hpa.target=0.5:0.9"};
    sim_tune_opts o = {.params = prm, .nparams = 1};
    sim_tune_result r = {0};
    snprintf(r.kind, sizeof r.kind, "hpa");
    snprintf(r.policy, sizeof r.policy, "hpa");
    as_err err = {0};
    const sim_policy_cfg *p = &sc->policies[policy_of(sc, "hpa")];
    cr_assert_eq(tune_space_init(&r, p, &o, &err), AS_OK, "%s", err.msg);
    int k = dim_of(&r, "rps");
    cr_assert(k >= 0 && dim_of(&r, "target") < 0, "rps %d, target %d", k, dim_of(&r, "target"));
    cr_assert_eq(r.ndim, 6);
    cr_assert_str_eq(r.dim[k].name, "policy.hpa.rps");
    cr_assert_eq(r.dflt_x[k], 50);
    for (int i = 0; i < r.ndim; i++) /* the keys moved with their names */
        cr_assert_str_eq(r.dim[i].key, strrchr(r.dim[i].name, '.') + 1);
    double x[SIM_TUNE_MAXDIM], u[SIM_TUNE_MAXDIM] = {0};
    char sets[768];
    u[k] = 0.5;
    tune_render(&r, u, x, sets, sizeof sets);
    cr_assert(strstr(sets, "policy.hpa.target=0.8 policy.hpa.metrics=pods:rps:averagevalue:50"),
              "%s", sets);
    o.nparams = 2;
    cr_assert_eq(tune_space_init(&r, p, &o, &err), AS_EINVAL);
    cr_assert(strstr(err.msg, "not both"), "%s", err.msg);
    sim_scenario_free(sc);
    const char *rps[] = {"policy.hpa.target=0.8", "policy.hpa.metrics=pods:rps:averagevalue:48"};
    sc = load(rps, 2);
    o.nparams = 0;
    cr_assert_eq(tune_space_init(&r, &sc->policies[policy_of(sc, "hpa")], &o, &err), AS_OK,
                 "%s", err.msg);
    k = dim_of(&r, "rps");
    cr_assert(k >= 0 && dim_of(&r, "target") < 0);
    cr_assert_eq(r.dflt_x[k], 48);
    cr_assert(r.dim[k].lo == 24 && r.dim[k].hi == 77, "%g..%g", r.dim[k].lo, r.dim[k].hi);
    sim_scenario_free(sc);
}

/* A Pods requests-per-second metric (what tune searches as `rps`): the
 * metric's name the manifest reader maps back to the rps signal, an
 * AverageValue quantity; a fraction of a request or another metric is
 * refused rather than written as something else. */
Test(tune, hpa_manifest_writes_a_pods_rps_metric)
{
    const char *sets[] = {"policy.hpa.target=0.8", "policy.hpa.metrics=pods:rps:averagevalue:48"};
    sim_scenario *sc = load(sets, 2);
    yaml_document_t d;
    char *text = emit_hpa_doc(sc, &d);
    cr_assert_eq(ycount(&d, "spec.metrics"), 1);
    cr_assert_str_eq(yval(&d, "spec.metrics.[0].type"), "Pods");
    cr_assert_eq(ycount(&d, "spec.metrics.[0]"), 2, "type and pods, no resource");
    cr_assert_str_eq(yval(&d, "spec.metrics.[0].pods.metric.name"), "http_requests_per_second");
    cr_assert_str_eq(yval(&d, "spec.metrics.[0].pods.target.type"), "AverageValue");
    cr_assert_str_eq(yval(&d, "spec.metrics.[0].pods.target.averageValue"), "48");
    cr_assert_eq(ycount(&d, "spec.metrics.[0].pods.target"), 2);
    yaml_document_delete(&d);
    free(text);
    sim_scenario_free(sc);
    const char *bad[][2] = {{"policy.hpa.target=0.8", "policy.hpa.metrics=pods:rps:averagevalue:47.5"},
                            {"policy.hpa.target=0.8", "policy.hpa.metrics=object:rps:value:1000"}};
    for (int k = 0; k < 2; k++) {
        sc = load(bad[k], 2);
        text = NULL;
        size_t len = 0;
        as_err err = {0};
        FILE *m = open_memstream(&text, &len);
        cr_assert_eq(sim_emit_hpa(m, sc, policy_of(sc, "hpa"), &err), AS_EINVAL, "%s", bad[k][1]);
        fclose(m);
        cr_assert(strstr(err.msg, "metrics = "), "%s", err.msg);
        free(text);
        sim_scenario_free(sc);
    }
}

Test(tune, writers_refuse_what_the_format_cannot_carry)
{
    const char *a[] = {"policy.hpa.target=0.735"};
    const char *b[] = {"policy.hpa.behavior=true", "policy.hpa.down_stabilization=90.5s"};
    const char *c[] = {"policy.target.warmup=90.5s"};
    const char *const *sets[] = {a, b, c};
    int ns[] = {1, 2, 1};
    const char *pol[] = {"hpa", "hpa", "target"},
               *why[] = {"target", "down_stabilization", "warmup"};
    for (int k = 0; k < 3; k++) {
        sim_scenario *sc = load(sets[k], ns[k]);
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        as_err err = {0};
        int p = policy_of(sc, pol[k]);
        int rc = k < 2 ? sim_emit_hpa(m, sc, p, &err) : sim_emit_aws(m, sc, p, &err);
        fclose(m);
        cr_assert_eq(rc, AS_EINVAL, "case %d written", k);
        cr_assert(strstr(err.msg, why[k]), "case %d: %s", k, err.msg);
        free(text);
        sim_scenario_free(sc);
    }
}

/* ---- the round trip, end to end ---- */

/* Every column of a run's own: bit for bit (NaN equals NaN). */
static void same_row(const sim_summary_row *a, const sim_summary_row *b)
{
    const double x[] = {a->cost_infra, a->cost_penalty, a->cost_total, a->slo_violation_s,
                        a->slo_violation_pct, a->p50, a->p95, a->p99, a->latency_max,
                        a->dropped, a->mean_instances, a->peak_instances, a->theta_u,
                        a->theta_o, a->tau_u, a->tau_o, a->instability, a->jitter,
                        a->forecast_mase, a->clamped};
    const double y[] = {b->cost_infra, b->cost_penalty, b->cost_total, b->slo_violation_s,
                        b->slo_violation_pct, b->p50, b->p95, b->p99, b->latency_max,
                        b->dropped, b->mean_instances, b->peak_instances, b->theta_u,
                        b->theta_o, b->tau_u, b->tau_o, b->instability, b->jitter,
                        b->forecast_mase, b->clamped};
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        cr_assert(memcmp(&x[i], &y[i], sizeof x[i]) == 0 || (isnan(x[i]) && isnan(y[i])),
                  "column %zu: %.17g != %.17g", i, x[i], y[i]);
    cr_assert_eq(a->actions, b->actions);
    cr_assert_eq(a->meets_slo, b->meets_slo);
    cr_assert_eq(a->faults, b->faults);
}

/* The row of run `name` in any of the rung files of a tune. */
static int find_row(const char *out, const char *kind, const char *name, sim_summary_row *r)
{
    for (int k = 0; k < 10; k++) {
        char path[300];
        snprintf(path, sizeof path, "%s/%s-r%d.h5", out, kind, k);
        sim_summary_row *rows = NULL;
        int n = 0;
        as_err err = {0};
        if (access(path, F_OK) != 0 || sim_results_read_summary(path, &rows, &n, &err) != AS_OK)
            continue;
        for (int i = 0; i < n; i++)
            if (strcmp(rows[i].run, name) == 0) {
                *r = rows[i];
                free(rows);
                return 1;
            }
        free(rows);
    }
    return 0;
}

/* Tune a kind on 8 hours of spike.ini, then replay the written file with
 * simrun itself: the summary must be the chosen run's, bit for bit. */
static void round_trip(const char *kind, const char *ext, const char *extra, const char *sub)
{
    mkdirs();
    char out[200], cmd[2048], buf[65536];
    snprintf(out, sizeof out, "%s/%s", dir, sub);
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --set scenario.duration=8h --kind %s "
             "%s --heldout time --n0 8 --rungs 1 -j 2 -q --no-plot -o %s", th_simrun_path(), kind,
             extra, out);
    int st = th_sh_out(cmd, buf, sizeof buf);
    cr_assert(st == 0 || st == 1, "status %d: %s", st, buf);
    cr_assert(strstr(buf, "reproduces the chosen run: yes, bit for bit"), "%s", buf);
    char path[300];
    snprintf(path, sizeof path, "%s/%s-tuned.%s", out, kind, ext);
    cr_assert_eq(access(path, R_OK), 0, "%s not written", path);
    snprintf(path, sizeof path, "%s/%s-tune.json", out, kind);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    cr_assert_not_null(j, "%s: %s", path, je.text);
    const char *chosen = json_string_value(json_object_get(json_object_get(j, "chosen"), "run"));
    cr_assert_not_null(chosen);
    sim_summary_row want = {0};
    cr_assert(find_row(out, kind, chosen, &want), "%s in no rung file", chosen);
    snprintf(cmd, sizeof cmd, "%s %s/%s-replay.ini --set scenario.duration=6h --policy "
             "%s_tuned -o %s/replay.h5 --force --no-report -q -j 1", th_simrun_path(), out, kind, kind,
             out);
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 0, "%s", buf);
    snprintf(path, sizeof path, "%s/replay.h5", out);
    sim_summary_row *got = NULL;
    int n = 0;
    as_err err = {0};
    cr_assert_eq(sim_results_read_summary(path, &got, &n, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(n, 1);
    same_row(&got[0], &want);
    free(got);
    json_decref(j);
}

Test(tune, hpa_manifest_read_back_gives_the_chosen_run_bit_for_bit, .timeout = 240)
{
    round_trip("hpa", "yaml", "", "hpa");
}

Test(tune, aws_policy_read_back_gives_the_chosen_run_bit_for_bit, .timeout = 240)
{
    round_trip("target", "json", "", "target");
}

/* --param policy.hpa.rps: the search is over a Pods requests-per-second
 * metric in place of the CPU target, and the manifest carries it. */
Test(tune, hpa_rps_manifest_read_back_gives_the_chosen_run_bit_for_bit, .timeout = 240)
{
    round_trip("hpa", "yaml", "--param policy.hpa.rps=20:80:1", "hpa_rps");
    char path[600];
    snprintf(path, sizeof path, "%s/hpa_rps/hpa-tune.json", dir);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    cr_assert_not_null(j, "%s: %s", path, je.text);
    json_t *keys = json_object_get(j, "keys"), *k;
    size_t i;
    int rps = 0, target = 0;
    json_array_foreach(keys, i, k) {
        const char *name = json_string_value(json_object_get(k, "name"));
        rps += strcmp(name, "policy.hpa.rps") == 0;
        target += strcmp(name, "policy.hpa.target") == 0;
    }
    cr_assert(rps == 1 && target == 0, "the rps key replaces the target (%d, %d)", rps, target);
    double v = json_real_value(json_object_get(
        json_object_get(json_object_get(j, "chosen"), "params"), "policy.hpa.rps"));
    json_decref(j);
    snprintf(path, sizeof path, "%s/hpa_rps/hpa-tuned.yaml", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    yaml_parser_t p;
    yaml_document_t d;
    cr_assert(yaml_parser_initialize(&p));
    yaml_parser_set_input_file(&p, f);
    cr_assert(yaml_parser_load(&p, &d), "%s: %s", path, p.problem);
    cr_assert_str_eq(yval(&d, "spec.metrics.[0].pods.metric.name"), "http_requests_per_second");
    cr_assert(v >= 20 && v <= 80 && v == floor(v), "rps %g", v);
    cr_assert_eq(atof(yval(&d, "spec.metrics.[0].pods.target.averageValue")), v);
    yaml_document_delete(&d);
    yaml_parser_delete(&p);
    fclose(f);
}

/* The replay line is a command to paste: an output folder with a space, a
 * quote and $(...) comes out as one quoted word (as_shell_quote), and the
 * line, run by a shell as printed, replays the tuned policy and runs
 * nothing else. It was printed unquoted: the $(...) ran. */
Test(tune, the_replay_line_is_a_command_a_shell_runs_as_printed, .timeout = 240)
{
    mkdirs();
    char out[600], q[2600], cmd[8192], canary[600];
    static char buf[65536];
    snprintf(canary, sizeof canary, "%s/ran", dir);
    snprintf(out, sizeof out, "%s/it's $(touch %s) x", dir, canary);
    cr_assert_eq(as_shell_quote(out, q, sizeof q), 0);
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --set scenario.duration=4h --kind hpa "
             "--n0 8 --rungs 1 -j 2 -q --no-plot -o %s", th_simrun_path(), q);
    int st = th_sh_out(cmd, buf, sizeof buf);
    cr_assert(st == 0 || st == 1, "status %d: %s", st, buf);
    const char *p = strstr(buf, "replay:  simrun "), *end = p ? strstr(p, "   (") : NULL;
    cr_assert(p && end, "%s", buf);
    p += strlen("replay:  simrun ");
    cr_assert_eq(strncmp(p, q, strlen(q) - 1), 0, "the folder quoted: %.*s", (int)(end - p), p);
    snprintf(cmd, sizeof cmd, "%s %.*s -o %s/replay.h5 --force --no-report -q -j 1",
             th_simrun_path(), (int)(end - p), p, dir);
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 0, "%s: %s", cmd, buf);
    cr_expect_neq(access(canary, F_OK), 0, "the $(...) in the path ran");
    char h5[600];
    snprintf(h5, sizeof h5, "%s/replay.h5", dir);
    sim_summary_row *rows = NULL;
    int n = 0;
    as_err err = {0};
    cr_assert_eq(sim_results_read_summary(h5, &rows, &n, &err), AS_OK, "%s", err.msg);
    cr_expect(n == 1 && strcmp(rows[0].run, "hpa_tuned") == 0, "%d runs", n);
    free(rows);
}

Test(tune, an_interrupted_or_repeated_tune_reruns_nothing, .timeout = 240)
{
    mkdirs();
    char out[200], cmd[2048], buf[65536], r0[300];
    snprintf(out, sizeof out, "%s/again", dir);
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --set scenario.duration=4h --kind "
             "hpa --n0 8 --rungs 1 -j 2 -q --no-plot -o %s --format csv", th_simrun_path(), out);
    int st = th_sh_out(cmd, buf, sizeof buf);
    cr_assert(st == 0 || st == 1, "%s", buf);
    char first[65536];
    snprintf(first, sizeof first, "%s", buf);
    snprintf(r0, sizeof r0, "%s/hpa-r0.h5", out);
    struct stat a, b;
    cr_assert_eq(stat(r0, &a), 0);
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), st, "%s", buf);
    cr_assert_eq(stat(r0, &b), 0);
    cr_assert(a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec,
              "rung 0 was run again");
    cr_assert_str_eq(buf, first, "a resumed tune prints what the first one did");
}

/* Stopped between rungs (the last rung's file gone, as after an interrupt
 * in it): the rungs done are kept, only the missing one runs, and the
 * output is the uninterrupted one's. */
Test(tune, a_tune_stopped_between_rungs_runs_only_the_missing_rung, .timeout = 240)
{
    mkdirs();
    char out[200], cmd[2048], buf[65536], first[65536], r0[300], r1[300];
    snprintf(out, sizeof out, "%s/between", dir);
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --set scenario.duration=4h --kind "
             "hpa --n0 8 --rungs 1 -j 2 -q --no-plot -o %s --format csv", th_simrun_path(), out);
    int st = th_sh_out(cmd, first, sizeof first);
    cr_assert(st == 0 || st == 1, "%s", first);
    snprintf(r0, sizeof r0, "%s/hpa-r0.h5", out);
    snprintf(r1, sizeof r1, "%s/hpa-r1.h5", out);
    struct stat a, b, c;
    cr_assert_eq(stat(r0, &a), 0);
    cr_assert_eq(unlink(r1), 0, "rung 1 ran");
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), st, "%s", buf);
    cr_assert_eq(stat(r0, &b), 0);
    cr_assert(a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec,
              "rung 0 was run again");
    cr_assert_eq(stat(r1, &c), 0, "rung 1 was not run again");
    cr_assert_str_eq(buf, first, "the resumed tune prints what the first one did");
}

/* ---- bad input ---- */

Test(tune, bad_kind_and_unknown_parameter_exit_2, .timeout = 60)
{
    char cmd[1024], buf[8192];
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --kind hpaa", th_simrun_path());
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 2, "%s", buf);
    cr_assert(strstr(buf, "--kind hpaa: not a policy kind (kinds that can be tuned: hpa, "
                          "target, step, predictive, aws_predictive)"), "%s", buf);
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --kind oracle", th_simrun_path());
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 2, "%s", buf);
    cr_assert(strstr(buf, "a oracle policy has nothing to tune"), "%s", buf);
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --kind hpa --param "
             "policy.hpa.targt=0.5:0.9 -o /tmp/never-made-%d", th_simrun_path(), (int)getpid());
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 2, "%s", buf);
    cr_assert(strstr(buf, "kind hpa has no numeric key 'targt' (keys: target, tolerance"), "%s",
              buf);
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --kind hpa --param "
             "policy.web.target=0.5:0.9", th_simrun_path());
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 2, "%s", buf);
    cr_assert(strstr(buf, "unknown parameter 'policy.web.target'"), "%s", buf);
    snprintf(cmd, sizeof cmd, "%s tune tests/data/sweep.ini --kind step", th_simrun_path());
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 2, "%s", buf);
    cr_assert(strstr(buf, "has no [policy.NAME] of kind step"), "%s", buf);
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --kind hpa --split 1.5", th_simrun_path());
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 2, "%s", buf);
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --kind hpa --param "
             "policy.hpa.rps=20:80 --param policy.hpa.target=0.5:0.9 -o /tmp/never-made-%d",
             th_simrun_path(), (int)getpid());
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 2, "%s", buf);
    cr_assert(strstr(buf, "not both"), "%s", buf);
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --kind target --param "
             "policy.target.rps=20:80 -o /tmp/never-made-%d", th_simrun_path(), (int)getpid());
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 2, "%s", buf);
    cr_assert(strstr(buf, "kind target has no numeric key 'rps'"), "%s", buf);
}

Test(tune, an_slo_nothing_meets_says_so_and_names_the_closest, .timeout = 240)
{
    mkdirs();
    char cmd[2048], buf[65536];
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --set scenario.duration=4h --set "
             "slo.latency=20ms --kind hpa --n0 8 --rungs 1 -j 2 -q --no-plot -o %s/never",
             th_simrun_path(), dir);
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 1, "%s", buf);
    cr_assert(strstr(buf, "no configuration of kind hpa meets the SLO on the search part; the "
                          "closest (least violation) is hpa.c"), "%s", buf);
    cr_assert(strstr(buf, "policy.hpa.target="), "%s", buf);
}

/* The held-out part is out of sample only as far as its load is: tune says
 * when that part needs more capacity at its peak than the search part ever
 * did (a flash crowd after the split), and not when the crowd is searched. */
static void tune_crowd_at(const char *at, char *buf, size_t n)
{
    mkdirs();
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s tune scenarios/spike.ini --set scenario.duration=8h --set "
             "trace.shape=flat --set trace.daily_amplitude=0 --set 'trace.spike=%s, 2m, 20m, 8, "
             "5m' --kind hpa --heldout time --n0 8 --rungs 1 -j 2 -q --no-plot -o %s/crowd_%s",
             th_simrun_path(), at, dir, at);
    int st = th_sh_out(cmd, buf, n);
    cr_assert(st == 0 || st == 1, "status %d: %s", st, buf);
}

Test(tune, a_held_out_peak_the_search_never_saw_is_said, .timeout = 240)
{
    static char buf[65536];
    int held = 0, searched = 0;
    tune_crowd_at("7h", buf, sizeof buf);
    const char *p = strstr(buf, "peak need: the oracle runs up to ");
    cr_assert_not_null(p, "%s", buf);
    cr_assert_eq(sscanf(p, "peak need: the oracle runs up to %d instances on the held-out part, "
                           "%d on", &held, &searched), 2, "%s", p);
    cr_expect_gt(held, searched, "%s", p);
    cr_expect(strstr(p, "a load the search never saw"), "%s", p);
    /* where: the crowd of 7 h to 7 h 27 min (the oracle boots ahead of it),
     * and the first whole percent of the 8 h trace after it */
    double from = 0, to = 0, split = 0;
    const char *at = strstr(p, "  it is at ");
    cr_assert_not_null(at, "%s", p);
    cr_assert_eq(sscanf(at, "  it is at %lf h to %lf h: --split %lf", &from, &to, &split), 3,
                 "%s", at);
    cr_expect(from >= 6.8 && from <= 7.0, "%s", at);
    cr_expect(to >= 7.4 && to <= 7.6, "%s", at);
    cr_expect(split * 8 >= to && split * 8 < to + 0.08 + 1e-9, "%s", at);
    tune_crowd_at("2h", buf, sizeof buf);
    p = strstr(buf, "peak need: the oracle runs up to ");
    cr_assert_not_null(p, "%s", buf);
    cr_assert_eq(sscanf(p, "peak need: the oracle runs up to %d instances on the held-out part, "
                           "%d on", &held, &searched), 2, "%s", p);
    cr_expect_lt(held, searched, "%s", p);
    cr_expect_null(strstr(p, "never saw"), "%s", p);
    cr_expect_null(strstr(p, "it is at"), "%s", p);
}

/* ---- [trace] skip ---- */

Test(tune, trace_skip_replays_the_rest_of_the_trace)
{
    const char *sk[] = {"trace.skip=30h"};
    sim_scenario *full = load(NULL, 0), *rest = load(sk, 1);
    as_err err = {0};
    tr_stream *a = tr_stream_open(full->trace, 7, full->duration, &err);
    tr_stream *b = tr_stream_open(rest->trace, 7, rest->duration, &err);
    cr_assert(a && b, "%s", err.msg);
    for (as_time t = 0; t < 12 * AS_HOUR; t += 60 * AS_SEC) {
        double x, y;
        cr_assert_eq(tr_stream_rate(a, t + 30 * AS_HOUR, &x, &err), AS_OK);
        cr_assert_eq(tr_stream_rate(b, t, &y, &err), AS_OK);
        cr_assert(memcmp(&x, &y, sizeof x) == 0, "t = %lld: %.17g != %.17g", (long long)t, x, y);
    }
    tr_stream_free(a);
    tr_stream_free(b);
    sim_scenario_free(full);
    sim_scenario_free(rest);
}

/* ---- compare ---- */

Test(compare, a_file_with_itself_reports_no_change, .timeout = 120)
{
    mkdirs();
    char cmd[2048], buf[65536];
    snprintf(cmd, sizeof cmd, "%s scenarios/spike.ini --set scenario.duration=4h -o %s/a.h5 "
             "--force --no-report -q -j 2 && %s compare %s/a.h5 %s/a.h5 --fail-on-worse",
             th_simrun_path(), dir, th_simrun_path(), dir, dir);
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 0, "%s", buf);
    cr_assert_str_eq(buf, "no change: 0 metric(s) changed, 0 worse\n");
}

Test(compare, a_changed_target_gives_the_exact_differences, .timeout = 120)
{
    mkdirs();
    char cmd[2048], a[256], b[256];
    static char buf[1 << 18];
    snprintf(a, sizeof a, "%s/ca.h5", dir);
    snprintf(b, sizeof b, "%s/cb.h5", dir);
    snprintf(cmd, sizeof cmd, "%s scenarios/spike.ini --set scenario.duration=8h -o %s --force "
             "--no-report -q -j 2 && %s scenarios/spike.ini --set scenario.duration=8h --set "
             "policy.hpa.target=0.9 -o %s --force --no-report -q -j 2", th_simrun_path(), a, th_simrun_path(), b);
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 0, "%s", buf);
    snprintf(cmd, sizeof cmd, "%s compare %s %s --format csv --fail-on-worse", th_simrun_path(), a, b);
    int st = th_sh_out(cmd, buf, sizeof buf);
    sim_summary_row *ra, *rb;
    int na, nb;
    as_err err = {0};
    cr_assert_eq(sim_results_read_summary(a, &ra, &na, &err), AS_OK);
    cr_assert_eq(sim_results_read_summary(b, &rb, &nb, &err), AS_OK);
    int worse = 0, changed = 0, lines = 0;
    for (char *line = strchr(buf, '\n') + 1; line && *line; line = strchr(line, '\n') + 1) {
        char run[64], metric[64], verdict[16];
        double x, y, d, rel;
        cr_assert_eq(sscanf(line, "%63[^,],%63[^,],%lf,%lf,%lf,%lf,%15s", run, metric, &x, &y,
                            &d, &rel, verdict), 7, "%s", line);
        int i = 0;
        while (strcmp(ra[i].run, run) != 0)
            i++;
        lines++;
        if (strcmp(metric, "cost_total") == 0) {
            cr_assert(x == ra[i].cost_total && y == rb[i].cost_total, "%s", line);
            cr_assert(d == rb[i].cost_total - ra[i].cost_total, "%s", line);
        }
        if (strcmp(metric, "p95") == 0)
            cr_assert(d == rb[i].p95 - ra[i].p95, "%s", line);
        int same = strcmp(verdict, "same") == 0;
        char one[200];
        snprintf(one, sizeof one, "%.*s", (int)strcspn(line, "\n"), line);
        cr_assert_eq(same, strcmp(run, "hpa") != 0 || x == y || (isnan(x) && isnan(y)),
                     "only hpa changes, and a change is never 'same': %s", one);
        changed += !same;
        worse += strcmp(verdict, "worse") == 0;
        if (strchr(line, '\n') == NULL)
            break;
    }
    cr_assert_eq(lines, na * 25, "every metric of every run");
    cr_assert_gt(changed, 5);
    cr_assert_eq(st, worse > 0 ? 1 : 0, "--fail-on-worse: %d worse", worse);
    free(ra);
    free(rb);
}
