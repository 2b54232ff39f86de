/* bench_nodes.c - the cost of the node layer: scenarios/spike_nodes.ini
 * (pods on two node pools, one spot, under the Cluster Autoscaler, and
 * under the Karpenter-style provisioner) against scenarios/spike.ini (the
 * same tier without nodes), policy hpa, no recording, in wall seconds per
 * simulated day. The difference is what placement, Pending pods, the
 * autoscaler's scans (8640 a day) and spot interruptions add. */
#include "bench.h"

#include "sim_run.h"
#include "sim_scenario.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int policy_named(const sim_scenario *sc, const char *name)
{
    for (int p = 0; p < sc->npolicies; p++)
        if (strcmp(sc->policies[p].name, name) == 0)
            return p;
    return -1;
}

/* Median wall seconds per simulated day of policy hpa of sc. */
static int per_day(const sim_scenario *sc, int reps, bench_stats *s, as_err *err)
{
    int p = policy_named(sc, "hpa");
    if (p < 0)
        return as_err_set(err, AS_EINVAL, "%s: no policy hpa", sc->path);
    double days = (double)sc->duration / (double)AS_DAY, w[8];
    sim_summary_row sum;
    if (sim_run_policy(sc, p, NULL, NULL, &sum, err) != AS_OK) /* warm-up */
        return err->code;
    for (int r = 0; r < reps; r++) {
        uint64_t t0 = bench_now_ns();
        if (sim_run_policy(sc, p, NULL, NULL, &sum, err) != AS_OK)
            return err->code;
        w[r] = (double)(bench_now_ns() - t0) * 1e-9 / days;
    }
    bench_stats_of(w, reps, s);
    return AS_OK;
}

void bench_nodes(bench_table *t, const bench_opts *o)
{
    char one[1024], two[1024];
    snprintf(one, sizeof one, "%s/scenarios/spike.ini", o->root);
    snprintf(two, sizeof two, "%s/scenarios/spike_nodes.ini", o->root);
    as_err err = {0};
    sim_scenario *a = sim_scenario_load(one, NULL, 0, &err);
    sim_scenario *b = a ? sim_scenario_load(two, NULL, 0, &err) : NULL;
    int reps = o->quick ? 1 : 5;
    bench_stats sa, sb, sk;
    int rc = b ? per_day(a, reps, &sa, &err) : AS_EINVAL;
    if (rc == AS_OK)
        rc = per_day(b, reps, &sb, &err);
    if (rc == AS_OK) {
        b->nodes.autoscaler = SIM_NODES_KARPENTER;
        rc = per_day(b, reps, &sk, &err);
    }
    if (rc != AS_OK) {
        bench_table_value(t, "nodes", "node layer per simulated day", NAN, "s", err.msg);
    } else {
        bench_table_add(t, "nodes", "spike.ini hpa, no nodes: per simulated day", &sa, "s",
                        "the one-layer model");
        bench_table_add(t, "nodes", "spike_nodes.ini hpa, CA: per simulated day", &sb, "s",
                        "2 pools (one spot), 10 s scans");
        bench_table_add(t, "nodes", "spike_nodes.ini hpa, karpenter: per day", &sk, "s",
                        "same pods, provisioner and consolidation");
        bench_table_value(t, "nodes", "node layer (CA) per simulated day",
                          sb.median - sa.median, "s", "difference of the medians");
    }
    sim_scenario_free(a);
    sim_scenario_free(b);
}
