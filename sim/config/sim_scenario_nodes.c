/* sim_scenario_nodes.c - the node layer's sections: [nodepool.NAME] (the
 * nodes pods run on) and [nodes] (placement and node autoscaling), the
 * tiers' pod requests (cpu_request, memory_request, in Kubernetes
 * quantities) and the rules between them, checked once every key is read:
 * a tier's pod must fit on a node of some pool, or the scenario is refused
 * at load time (a pod that fits nowhere would stay Pending for the whole
 * run, silently). Without [nodepool.NAME] nothing here changes a run. */
#include "sim_manifest.h"
#include "sim_scenario_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const dist_names[] = {"exponential", "deterministic", "uniform", "normal",
                                         "lognormal", NULL};
static const char *const autoscaler_names[] = {"static", "cluster-autoscaler", "karpenter",
                                               NULL};
static const char *const scoring_names[] = {"least-allocated", "most-allocated", NULL};
static const char *const expander_names[] = {"random", "least-waste", "price", NULL};

#define MAX_MILLICORES ((int64_t)1 << 40) /* about a billion cores */
#define MAX_MIB ((int64_t)1 << 40)

int sim_set_cpu_request(sim_loader *L, const sim_entry *e, as_err *err)
{
    int rc = sim_quantity_cpu(e->value, &L->s->tiers[e->inst].cpu_request, err);
    return rc == AS_OK ? rc : as_err_prefix(err, "key 'cpu_request': ");
}

int sim_set_mem_request(sim_loader *L, const sim_entry *e, as_err *err)
{
    int rc = sim_quantity_mem(e->value, &L->s->tiers[e->inst].mem_request, err);
    return rc == AS_OK ? rc : as_err_prefix(err, "key 'memory_request': ");
}

/* pod_manifest = FILE, relative to the scenario's folder. */
int sim_set_pod_manifest(sim_loader *L, const sim_entry *e, as_err *err)
{
    sim_tier_cfg *t = &L->s->tiers[e->inst];
    char full[2048];
    if (e->value[0] == '/')
        snprintf(full, sizeof full, "%s", e->value);
    else
        snprintf(full, sizeof full, "%s/%s", L->basedir, e->value);
    int rc = sim_manifest_pod_requests(full, &t->manifest_cpu, &t->manifest_mem, err);
    return rc == AS_OK ? rc : as_err_prefix(err, "key 'pod_manifest': ");
}

/* ---- [nodepool.NAME] ---- */

static const as_param_def pool_params[] = {
    {"price", AS_P_DOUBLE, offsetof(sim_nodepool_cfg, price_per_hour), 0, 1e6, NULL, 0,
     "price per node-hour"},
    {"boot_time", AS_P_DURATION, offsetof(sim_nodepool_cfg, boot_time), 0, 86400, NULL, 0,
     "mean time from a node's request to Ready"},
    {"boot_jitter", AS_P_DURATION, offsetof(sim_nodepool_cfg, boot_jitter), 0, 86400, NULL, 0,
     "spread of the boot time (half-width for uniform, sd for normal/lognormal)"},
    {"boot_dist", AS_P_ENUM, offsetof(sim_nodepool_cfg, boot_dist), 0, 0, dist_names, 0,
     "boot-time distribution"},
    {"min", AS_P_INT, offsetof(sim_nodepool_cfg, min), 0, 10000, NULL, 0, "minimum nodes"},
    {"max", AS_P_INT, offsetof(sim_nodepool_cfg, max), 1, 10000, NULL, 0, "maximum nodes"},
    {"initial", AS_P_INT, offsetof(sim_nodepool_cfg, initial), 0, 10000, NULL, 0,
     "nodes ready at the start (the count of a static pool)"},
    {"billing_granularity", AS_P_DURATION, offsetof(sim_nodepool_cfg, billing_granularity), 1e-6,
     86400, NULL, 0, "billing unit of a node (1s, 1h)"},
    {"billing_minimum", AS_P_DURATION, offsetof(sim_nodepool_cfg, billing_minimum), 0, 86400,
     NULL, 0, "minimum billed time per node"},
    {"spot", AS_P_BOOL, offsetof(sim_nodepool_cfg, spot), 0, 0, NULL, 0,
     "spot/preemptible nodes: interrupted at interruption_rate"},
    {"interruption_rate", AS_P_DOUBLE, offsetof(sim_nodepool_cfg, interruption_rate), 0, 1e3,
     NULL, 0, "spot: interruptions per node-hour"},
    {"interruption_notice", AS_P_DURATION, offsetof(sim_nodepool_cfg, interruption_notice), 0,
     3600, NULL, 0, "spot: warning before an interrupted node goes (AWS: 2m)"},
    {0},
};

static int set_pool_cpu(sim_loader *L, const sim_entry *e, as_err *err)
{
    int rc = sim_quantity_cpu(e->value, &L->s->nodepools[e->inst].cpu, err);
    return rc == AS_OK ? rc : as_err_prefix(err, "key 'cpu': ");
}

static int set_pool_mem(sim_loader *L, const sim_entry *e, as_err *err)
{
    int rc = sim_quantity_mem(e->value, &L->s->nodepools[e->inst].mem, err);
    return rc == AS_OK ? rc : as_err_prefix(err, "key 'memory': ");
}

static const sim_key pool_keys[] = {
    {"cpu", set_pool_cpu, "allocatable CPU per node (4, 3920m)"},
    {"memory", set_pool_mem, "allocatable memory per node (16Gi, 15000Mi)"},
    {0},
};

static const char *pool_inst(const sim_scenario *s, int i)
{
    return i < s->nnodepools ? s->nodepools[i].name : NULL;
}

static int pool_add(sim_loader *L, const char *name, int line)
{
    (void)line;
    sim_nodepool_cfg *p = &L->s->nodepools[L->s->nnodepools];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->cpu = 4000;
    p->mem = 16384;
    p->price_per_hour = 0.2;
    p->boot_time = 90 * AS_SEC;
    p->boot_dist = SIM_DIST_DET;
    p->min = 0;
    p->max = 10;
    p->initial = 1;
    p->billing_granularity = AS_SEC;
    p->billing_minimum = 60 * AS_SEC;
    p->interruption_notice = 2 * AS_MIN;
    return L->s->nnodepools++;
}

static void *pool_obj(sim_loader *L, const sim_entry *e)
{
    return &L->s->nodepools[e->inst];
}

static const sim_section *find(const char *name)
{
    const char *inst;
    return sim_section_find(name, &inst);
}

static int check_pools(sim_loader *L, as_err *err)
{
    const sim_section *sec = &sim_nodepool_section;
    for (int i = 0; i < L->s->nnodepools; i++) {
        const sim_nodepool_cfg *p = &L->s->nodepools[i];
        if (p->min > p->max)
            return sim_ld_fail_at(L, sec, i, "min", err, "min (%d) is greater than max (%d)",
                                  p->min, p->max);
        if (p->initial < p->min || p->initial > p->max)
            return sim_ld_fail_at(L, sec, i, "initial", err,
                                  "initial (%d) is outside [min, max] = [%d, %d]", p->initial,
                                  p->min, p->max);
        if (p->boot_time >= L->s->duration)
            return sim_ld_fail_at(L, sec, i, "boot_time", err,
                                  "boot_time is not shorter than the run's duration");
        if (p->interruption_rate > 0 && !p->spot)
            return sim_ld_fail_at(L, sec, i, "interruption_rate", err,
                                  "only a spot pool is interrupted (set spot = true)");
    }
    return AS_OK;
}

const sim_section sim_nodepool_section = {
    .name = "nodepool",
    .flags = SIM_SEC_NAMED,
    .help_name = "nodepool.NAME",
    .plural = "node pools",
    .max = SIM_MAX_NODEPOOLS,
    .inst = pool_inst,
    .add = pool_add,
    .custom = pool_keys,
    .tables = {{pool_params, pool_obj, NULL}},
    .check = check_pools,
};

/* ---- [nodes] ---- */

static const as_param_def nodes_params[] = {
    {"autoscaler", AS_P_ENUM, offsetof(sim_nodes_cfg, autoscaler), 0, 0, autoscaler_names, 0,
     "node autoscaler: static (pools keep their initial count), cluster-autoscaler, or "
     "karpenter (right-sized nodes from the pools as instance types, consolidation)"},
    {"scoring", AS_P_ENUM, offsetof(sim_nodes_cfg, scoring), 0, 0, scoring_names, 0,
     "kube-scheduler NodeResourcesFit strategy: least-allocated (default) or most-allocated "
     "(bin packing)"},
    {"expander", AS_P_ENUM, offsetof(sim_nodes_cfg, expander), 0, 0, expander_names, 0,
     "Cluster Autoscaler --expander: random (default), least-waste, price"},
    {"scan_interval", AS_P_DURATION, offsetof(sim_nodes_cfg, scan), 1e-3, 3600, NULL, 0,
     "--scan-interval (10s)"},
    {"scale_down_utilization_threshold", AS_P_DOUBLE, offsetof(sim_nodes_cfg, threshold), 0, 1,
     NULL, 0, "--scale-down-utilization-threshold (0.5)"},
    {"scale_down_unneeded_time", AS_P_DURATION, offsetof(sim_nodes_cfg, unneeded_time), 0,
     86400, NULL, 0, "--scale-down-unneeded-time (10m)"},
    {"scale_down_delay_after_add", AS_P_DURATION, offsetof(sim_nodes_cfg, delay_after_add), 0,
     86400, NULL, 0, "--scale-down-delay-after-add (10m)"},
    {"scale_down_delay_after_delete", AS_P_DURATION,
     offsetof(sim_nodes_cfg, delay_after_delete), 0, 86400, NULL, 0,
     "--scale-down-delay-after-delete (0 = the scan interval)"},
    {"max_node_provision_time", AS_P_DURATION, offsetof(sim_nodes_cfg, max_provision), 1e-3,
     86400, NULL, 0, "--max-node-provision-time (15m)"},
    {"consolidate_after", AS_P_DURATION, offsetof(sim_nodes_cfg, consolidate_after), 0, 86400,
     NULL, 0, "karpenter: a node is consolidated once it could go for this long (30s)"},
    {"max_empty_bulk_delete", AS_P_INT, offsetof(sim_nodes_cfg, max_empty_bulk), 1, 16, NULL, 0,
     "--max-empty-bulk-delete (10)"},
    {0},
};

void sim_nodes_defaults(sim_nodes_cfg *n)
{
    *n = (sim_nodes_cfg){.autoscaler = SIM_NODES_CA,
                         .scoring = SIM_SCORE_LEAST,
                         .expander = SIM_EXPAND_RANDOM,
                         .scan = 10 * AS_SEC,
                         .threshold = 0.5,
                         .unneeded_time = 10 * AS_MIN,
                         .delay_after_add = 10 * AS_MIN,
                         .delay_after_delete = 0,
                         .max_provision = 15 * AS_MIN,
                         .max_empty_bulk = 10,
                         .consolidate_after = 30 * AS_SEC};
}

static void *nodes_obj(sim_loader *L, const sim_entry *e)
{
    if (L->s->nodes.line == 0)
        L->s->nodes.line = e->line > 0 ? e->line : -1;
    return &L->s->nodes;
}

/* A tier's largest pod (its largest type) must fit on some pool's node. */
static int check_tier_pods(sim_loader *L, int ti, as_err *err)
{
    const sim_section *tsec = find("tier");
    sim_tier_cfg *t = &L->s->tiers[ti];
    if (t->cpu_request == 0)
        t->cpu_request = t->manifest_cpu;
    if (t->mem_request == 0)
        t->mem_request = t->manifest_mem;
    if (t->cpu_request == 0 || t->mem_request == 0)
        return sim_ld_fail_at(L, tsec, ti, t->cpu_request ? "memory_request" : "cpu_request",
                              err, "with [nodepool.NAME] sections every tier's pods need "
                                   "cpu_request and memory_request (or a pod_manifest)");
    int f = 1;
    for (int k = 0; k < t->ntypes; k++)
        f = t->types[k].factor > f ? t->types[k].factor : f;
    int64_t cpu = t->cpu_request * f, mem = t->mem_request * f;
    for (int i = 0; i < L->s->nnodepools; i++)
        if (cpu <= L->s->nodepools[i].cpu && mem <= L->s->nodepools[i].mem)
            return AS_OK;
    return sim_ld_fail_at(L, tsec, ti, cpu > t->cpu_request ? "types" : "cpu_request", err,
                          "a pod requests %lldm CPU and %lld Mi, more than any node pool's node "
                          "offers: it would stay Pending for ever",
                          (long long)cpu, (long long)mem);
}

/* With node pools the nodes are billed; a pod costs only what its tier's
 * `price` or `types` say when given (a licence per pod, say), else 0. */
static bool tier_sets_price(const sim_loader *L, int ti)
{
    const sim_section *tsec = find("tier");
    for (int j = 0; j < L->n; j++)
        if (L->e[j].sec == tsec && L->e[j].inst == ti &&
            (strcmp(L->e[j].key, "price") == 0 || strcmp(L->e[j].key, "types") == 0))
            return true;
    return false;
}

static int check_nodes(sim_loader *L, as_err *err)
{
    sim_scenario *s = L->s;
    if (s->nnodepools == 0) {
        for (int i = 0; i < s->ntiers; i++)
            if (s->tiers[i].cpu_request || s->tiers[i].mem_request || s->tiers[i].manifest_cpu)
                return sim_ld_fail_at(L, find("tier"), i,
                                      s->tiers[i].manifest_cpu  ? "pod_manifest"
                                      : s->tiers[i].cpu_request ? "cpu_request"
                                                                : "memory_request",
                                      err, "pod requests need a [nodepool.NAME] section");
        if (s->nodes.line != 0)
            return sim_ld_fail_at(L, find("nodes"), -1, "autoscaler", err,
                                  "[nodes] needs a [nodepool.NAME] section");
        return AS_OK;
    }
    for (int i = 0; i < s->ntiers; i++) {
        int rc = check_tier_pods(L, i, err);
        if (rc != AS_OK)
            return rc;
        if (!tier_sets_price(L, i)) {
            s->tiers[i].price_per_hour = 0;
            s->tiers[i].types[0].price = 0;
        }
    }
    return AS_OK;
}

const sim_section sim_nodes_section = {
    .name = "nodes",
    .tables = {{nodes_params, nodes_obj, NULL}},
    .check = check_nodes,
};
