/* test_nodes_run.c - the node layer in whole runs: a crowd's scale-up
 * waits for a node's boot exactly (against the one-layer model), nodes are
 * billed and pods are not, Pending pods and node rows reach the sink, and
 * spot interruptions evict pods that come back on other nodes. */
#include "plot_report.h"
#include "sim_engine.h"
#include "sim_results.h"
#include "sim_run.h"
#include "sim_scenario.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static sim_scenario *load_text(const char *text)
{
    char dir[128], path[160];
    snprintf(dir, sizeof dir, "%s/nodestest_%d", th_tmpdir(), (int)getpid());
    mkdir(dir, 0777);
    snprintf(path, sizeof path, "%s/s.ini", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    as_err e = {0};
    sim_scenario *s = sim_scenario_load(path, NULL, 0, &e);
    cr_assert_not_null(s, "%s", e.msg);
    return s;
}

/* 4 pods of 500m fill the one node of 2 cores (min 4: HPA keeps them); at
 * 10 min the load jumps 4x; a pod starts in 10 s, a node boots in 120 s. */
static const char *CROWD =
    "[scenario]\nduration = 40m\ntick = 1s\nrecord = 60s\nseed = 5\n"
    "[trace]\nshape = flat\nbase = 100\nnoise = none\nstep = 10m, 4\n"
    "[tier.web]\nservice_time = 50ms\nconcurrency = 4\nmin = 4\nmax = 30\ninitial = 4\n"
    "boot_time = 10s\ncpu_request = 500m\nmemory_request = 256Mi\n"
    "[nodepool.a]\ncpu = 2\nmemory = 8Gi\nprice = 0.30\nboot_time = 120s\nmin = 1\n"
    "initial = 1\nmax = 10\nbilling_granularity = 1s\nbilling_minimum = 0s\n"
    "[nodes]\nautoscaler = cluster-autoscaler\n"
    "[slo]\nlatency = 250ms\n"
    "[policy.hpa]\nkind = hpa\ntarget = 0.6\n"
    "[policy.static]\nkind = static\ninstances = 4\n";

/* Runs policy 0; the first scale-up decision (*asked) and the first time
 * more than 4 pods are ready, in us; the summary in *sum. */
static as_time first_new_pod(const sim_scenario *s, as_time *asked, sim_summary_row *sum)
{
    as_err e = {0};
    sim_engine *g = sim_engine_new(s, 0, NULL, NULL, &e);
    cr_assert_not_null(g, "%s", e.msg);
    const as_pool *p = sim_engine_pool(g, 0);
    as_time ready = -1;
    *asked = -1;
    sim_step ev;
    while (!sim_engine_done(g)) {
        cr_assert_eq(sim_engine_step(g, &ev, &e), AS_OK, "%s", e.msg);
        if (*asked < 0 && p->booting > 0)
            *asked = ev.t;
        if (ready < 0 && p->ready > 4)
            ready = ev.t;
    }
    cr_assert_eq(sim_engine_summary(g, sum, &e), AS_OK, "%s", e.msg);
    sim_engine_free(g);
    return ready;
}

Test(nodes_run, a_crowd_waits_for_a_node_boot_exactly)
{
    sim_scenario *s = load_text(CROWD);
    as_time asked_n, asked_1;
    sim_summary_row with, without;
    as_time t_nodes = first_new_pod(s, &asked_n, &with);
    s->nnodepools = 0; /* the one-layer model: an instance is ready one boot after it is asked */
    as_time t_one = first_new_pod(s, &asked_1, &without);
    cr_assert_eq(asked_n, asked_1, "the same decision until a new pod serves");
    cr_assert_gt(asked_n, 10 * AS_MIN);
    cr_assert_eq(t_one, asked_1 + 10 * AS_SEC);
    /* the Pending pod is seen by the first scan after the decision (scans
     * every 10 s from 0; a scan at the same instant runs first), then the
     * node boots 120 s and the pod starts 10 s */
    as_time scan = (asked_n / (10 * AS_SEC) + 1) * (10 * AS_SEC);
    cr_assert_eq(t_nodes, scan + 120 * AS_SEC + 10 * AS_SEC, "ready at %lld, asked at %lld",
                 (long long)t_nodes, (long long)asked_n);
    cr_assert_gt(with.slo_violation_s, without.slo_violation_s,
                 "node boots lengthen the crowd's violation: %g vs %g s", with.slo_violation_s,
                 without.slo_violation_s);
    sim_scenario_free(s);
}

Test(nodes_run, nodes_are_billed_and_pods_are_not)
{
    sim_scenario *s = load_text(CROWD);
    cr_assert_eq(s->tiers[0].price_per_hour, 0.0, "no price given: a pod costs nothing");
    sim_summary_row sum;
    as_err e = {0};
    cr_assert_eq(sim_run_policy(s, 1, NULL, NULL, &sum, &e), AS_OK, "%s", e.msg);
    /* the static policy keeps 4 pods, they fit the one node: 40 min of it */
    cr_assert_float_eq(sum.cost_infra, 0.30 * 40.0 / 60.0, 1e-12, "%.12f", sum.cost_infra);
    sim_scenario_free(s);
}

typedef struct collect {
    int node_rows[2], pod_rows;
    double max_pending, max_booting, max_delay, interruptions, last_cost;
} collect;

static int on_node(void *ud, int pool, const sim_node_row *r, as_err *err)
{
    (void)err;
    collect *c = ud;
    c->node_rows[pool]++;
    c->max_booting = fmax(c->max_booting, r->booting);
    c->interruptions += r->interruptions;
    cr_assert_leq(r->cpu_requested, r->cpu_allocatable + 1e-9);
    if (pool == 0)
        c->last_cost = r->cost;
    return AS_OK;
}

static int on_pod(void *ud, const sim_pod_row *r, as_err *err)
{
    (void)err;
    collect *c = ud;
    c->pod_rows++;
    c->max_pending = fmax(c->max_pending, r->pending);
    c->max_delay = fmax(c->max_delay, r->delay_max);
    return AS_OK;
}

Test(nodes_run, rows_show_pending_pods_booting_nodes_and_delays)
{
    sim_scenario *s = load_text(CROWD);
    collect c = {0};
    sim_sink sink = {.ud = &c, .node_row = on_node, .pod_row = on_pod};
    sim_summary_row sum;
    as_err e = {0};
    cr_assert_eq(sim_run_policy(s, 0, &sink, NULL, &sum, &e), AS_OK, "%s", e.msg);
    cr_assert_eq(c.node_rows[0], 40);
    cr_assert_eq(c.pod_rows, 40);
    cr_assert_gt(c.max_pending, 0);
    cr_assert_gt(c.max_booting, 0);
    cr_assert_geq(c.max_delay, 120.0, "a Pending pod waits at least a node boot");
    cr_assert_leq(c.max_delay, 130.0 + 1e-9, "and at most a scan more");
    cr_assert_float_eq(c.last_cost, sum.cost_infra, 1e-6, "%g vs %g", c.last_cost,
                       sum.cost_infra);
    sim_scenario_free(s);
}

/* Spot nodes at a high interruption rate: pods are evicted and come back,
 * nothing is lost from the tier's count for long, and runs repeat. */
Test(nodes_run, spot_interruptions_evict_and_replace)
{
    char text[2048];
    snprintf(text, sizeof text, "%s[nodepool.spot]\ncpu = 2\nmemory = 8Gi\nprice = 0.1\n"
                                "boot_time = 60s\nmin = 0\ninitial = 2\nmax = 10\nspot = true\n"
                                "interruption_rate = 2\ninterruption_notice = 2m\n",
             CROWD);
    sim_scenario *s = load_text(text);
    collect c = {0}, c2 = {0};
    sim_sink sink = {.ud = &c, .node_row = on_node, .pod_row = on_pod};
    sim_summary_row a, b;
    as_err e = {0};
    cr_assert_eq(sim_run_policy(s, 1, &sink, NULL, &a, &e), AS_OK, "%s", e.msg);
    cr_assert_gt(c.interruptions, 0);
    sink.ud = &c2;
    cr_assert_eq(sim_run_policy(s, 1, &sink, NULL, &b, &e), AS_OK, "%s", e.msg);
    cr_assert_eq(a.cost_infra, b.cost_infra, "deterministic");
    cr_assert_eq(c.interruptions, c2.interruptions);
    cr_assert_gt(a.mean_instances, 3.5, "evicted pods come back: %g", a.mean_instances);
    sim_scenario_free(s);
}

/* 3 pods of 500m on one 8-core node (0.4/h); a 2-core type at 0.1/h is
 * also offered. The Cluster Autoscaler keeps the big node (its pods fit
 * nowhere else); the provisioner replaces it by a small one. */
static const char *RIGHTSIZE =
    "[scenario]\nduration = 2h\ntick = 1s\nrecord = 60s\nseed = 5\n"
    "[trace]\nshape = flat\nbase = 100\nnoise = none\n"
    "[tier.web]\nservice_time = 50ms\nconcurrency = 4\nmin = 3\nmax = 30\ninitial = 3\n"
    "boot_time = 10s\ncpu_request = 500m\nmemory_request = 256Mi\n"
    "[nodepool.small]\ncpu = 2\nmemory = 8Gi\nprice = 0.10\nboot_time = 90s\nmin = 0\n"
    "initial = 0\nmax = 10\nbilling_granularity = 1s\nbilling_minimum = 0s\n"
    "[nodepool.large]\ncpu = 8\nmemory = 32Gi\nprice = 0.40\nboot_time = 90s\nmin = 0\n"
    "initial = 1\nmax = 10\nbilling_granularity = 1s\nbilling_minimum = 0s\n"
    "[slo]\nlatency = 250ms\n"
    "[policy.static]\nkind = static\ninstances = 3\n";

Test(nodes_run, the_provisioner_costs_less_than_ca_by_right_sizing)
{
    sim_scenario *s = load_text(RIGHTSIZE);
    sim_summary_row ca, karp;
    as_err e = {0};
    cr_assert_eq(s->nodes.autoscaler, SIM_NODES_CA, "the default");
    cr_assert_eq(sim_run_policy(s, 0, NULL, NULL, &ca, &e), AS_OK, "%s", e.msg);
    s->nodes.autoscaler = SIM_NODES_KARPENTER;
    cr_assert_eq(sim_run_policy(s, 0, NULL, NULL, &karp, &e), AS_OK, "%s", e.msg);
    cr_assert_float_eq(ca.cost_infra, 0.40 * 2, 1e-12, "CA keeps the large node: %g",
                       ca.cost_infra);
    /* replacement asked at 30 s, small node ready at 120 s, large node gone
     * at the next scan (120 s): 120 s of large, then small to the end */
    double want = 0.40 * 120 / 3600 + 0.10 * (7200 - 30) / 3600;
    cr_assert_float_eq(karp.cost_infra, want, 1e-9, "%.9f vs %.9f", karp.cost_infra, want);
    /* the evicted pods are recreated on the new node: a gap of one pod start
     * (10 s) plus the backlog it leaves, inside one 1-minute SLO window */
    cr_assert_gt(karp.slo_violation_s, ca.slo_violation_s);
    cr_assert_leq(karp.slo_violation_s, ca.slo_violation_s + 60, "%g vs %g s",
                  karp.slo_violation_s, ca.slo_violation_s);
    sim_scenario_free(s);
}

/* The results file holds nodes/POOL and pods for each run, and the report
 * draws a node figure for each, with its data file. */
Test(nodes_run, results_and_report_hold_the_node_layer, .timeout = 120)
{
    sim_scenario *s = load_text(CROWD);
    char dir[128], h5[192], rep[192];
    snprintf(dir, sizeof dir, "%s/nodestest_%d", th_tmpdir(), (int)getpid());
    snprintf(h5, sizeof h5, "%s/crowd.h5", dir);
    snprintf(rep, sizeof rep, "%s/rep", dir);
    as_err e = {0};
    sim_results *r = sim_results_create(h5, s, 1, &e);
    cr_assert_not_null(r, "%s", e.msg);
    sim_summary_row sum[2];
    for (int p = 0; p < 2; p++)
        cr_assert_eq(sim_results_run(r, s, p, NULL, &sum[p], &e), AS_OK, "%s", e.msg);
    cr_assert_eq(sim_results_commit(r, sum, 2, &e), AS_OK, "%s", e.msg);
    plot_report_opts o = {.format = PLOT_PNG, .force = 1, .no_gnuplot = 1};
    plot_report_info info;
    cr_assert_eq(plot_report_ex(h5, rep, &o, &info, &e), AS_OK, "%s", e.msg);
    char path[256];
    snprintf(path, sizeof path, "%s/data/run01_nodes.dat", rep);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[512];
    int rows = 0;
    double pending_max = 0;
    while (fgets(line, sizeof line, f))
        if (line[0] != '#') {
            double t, ready, all, pending;
            cr_assert_eq(sscanf(line, "%lf %lf %lf %lf", &t, &ready, &all, &pending), 4);
            pending_max = fmax(pending_max, pending);
            rows++;
        }
    fclose(f);
    cr_assert_eq(rows, 40);
    cr_assert_gt(pending_max, 0, "the crowd's pods waited");
    snprintf(path, sizeof path, "%s/report.gp", rep);
    f = fopen(path, "r");
    cr_assert_not_null(f);
    int figs = 0;
    while (fgets(line, sizeof line, f))
        figs += strstr(line, "_nodes.png") != NULL;
    fclose(f);
    cr_assert_eq(figs, 2, "one node figure per run");
    sim_scenario_free(s);
}

/* pod_manifest: the Deployment's containers give the pods' requests (app
 * 400m/384Mi + a sidecar's limits 100m/128Mi); a key given beside it wins. */
Test(nodes_run, pod_requests_come_from_a_deployment_manifest)
{
    char cwd[512], text[2048];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text,
             "[scenario]\nduration = 1h\n[trace]\nshape = flat\nbase = 10\n"
             "[tier.web]\npod_manifest = %s/tests/data/manifest_deployment.yaml\n"
             "[tier.db]\npod_manifest = %s/tests/data/manifest_deployment.yaml\n"
             "memory_request = 2Gi\n"
             "[nodepool.a]\ncpu = 2\nmemory = 8Gi\n[slo]\nlatency = 1s\n"
             "[policy.p]\nkind = static\ninstances = 1\n",
             cwd, cwd);
    sim_scenario *s = load_text(text);
    cr_assert_eq(s->tiers[0].cpu_request, 500);
    cr_assert_eq(s->tiers[0].mem_request, 512);
    cr_assert_eq(s->tiers[1].cpu_request, 500);
    cr_assert_eq(s->tiers[1].mem_request, 2048, "the key wins over the manifest");
    sim_scenario_free(s);
}

/* ---- out of memory: every allocation of loading and running fails in turn ---- */

static int op_load(void *ctx, as_err *err)
{
    sim_scenario *s = sim_scenario_load(ctx, NULL, 0, err);
    if (s == NULL)
        return err->code ? err->code : -1;
    sim_scenario_free(s);
    return AS_OK;
}

Test(nodes_run, out_of_memory_loading_node_pools_and_a_pod_manifest, .timeout = 300)
{
    long n = th_enomem_sweep("spike_nodes.ini", op_load, (void *)"scenarios/spike_nodes.ini",
                             20000, NULL);
    cr_assert_gt(n, 10, "only %ld allocations", n);
    char cwd[512], ini[1024];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(ini, sizeof ini,
             "[scenario]\nduration = 1h\n[tier.web]\n"
             "pod_manifest = %s/tests/data/manifest_deployment.yaml\n"
             "[nodepool.a]\ncpu = 2\nmemory = 8Gi\n[slo]\nlatency = 1s\n"
             "[policy.p]\nkind = static\ninstances = 1\n",
             cwd);
    n = th_enomem_sweep("pod_manifest", op_load, (void *)th_write_tmp("pm.ini", ini), 20000, NULL);
    cr_assert_gt(n, 10, "only %ld allocations", n);
}

static int op_run(void *ctx, as_err *err)
{
    sim_summary_row sum;
    return sim_run_policy(ctx, 0, NULL, NULL, &sum, err);
}

Test(nodes_run, out_of_memory_running_the_node_layer, .timeout = 300)
{
    sim_scenario *s = load_text(CROWD);
    long n = th_enomem_sweep("crowd on nodes (CA)", op_run, s, 20000, NULL);
    cr_assert_gt(n, 20, "only %ld allocations", n);
    s->nodes.autoscaler = SIM_NODES_KARPENTER;
    n = th_enomem_sweep("crowd on nodes (karpenter)", op_run, s, 20000, NULL);
    cr_assert_gt(n, 20, "only %ld allocations", n);
    sim_scenario_free(s);
}
