/* as_nodes.c - node pools, pod placement and Pending pods (see as_nodes.h).
 * The Cluster Autoscaler's scan is in as_nodes_ca.c.
 *
 * Placement scans every node of every pool for each pod it places: a
 * cluster of the sizes simulated here has tens to a few hundred nodes, and
 * pods are placed when the application scales, not per event; an index of
 * nodes by free capacity would save little and would have to reproduce
 * kube-scheduler's scores to pick the same node. */
#include "as_nodes.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODE_SCORE 100 /* kube-scheduler framework.MaxNodeScore */

void as_nodes_ca_defaults(as_ca_cfg *ca)
{
    *ca = (as_ca_cfg){.scan = 10 * AS_SEC,
                      .threshold = 0.5,
                      .unneeded_time = 10 * AS_MIN,
                      .delay_after_add = 10 * AS_MIN,
                      .delay_after_delete = 0,
                      .max_provision = 15 * AS_MIN,
                      .backoff = 5 * AS_MIN,
                      .expander = AS_EXPAND_RANDOM,
                      .max_empty_bulk = 10,
                      .consolidate_after = 30 * AS_SEC};
}

static int check_cfg(const as_nodes_cfg *c, as_err *err)
{
    if (c->npools < 1 || c->npools > AS_NODES_MAX_POOLS)
        return as_err_set(err, AS_EINVAL, "nodes: %d pools (1..%d)", c->npools,
                          AS_NODES_MAX_POOLS);
    for (int i = 0; i < c->npools; i++) {
        const as_npool_cfg *p = &c->pools[i];
        if (p->alloc.cpu < 1 || p->alloc.mem < 1 || !(p->price >= 0) || p->boot < 0)
            return as_err_set(err, AS_EINVAL, "nodes: pool %d: allocatable, price or boot", i);
        if (p->max < 1 || p->min < 0 || p->min > p->initial || p->initial > p->max)
            return as_err_set(err, AS_EINVAL, "nodes: pool %d: min %d, initial %d, max %d", i,
                              p->min, p->initial, p->max);
    }
    if (c->npods < 0)
        return as_err_set(err, AS_EINVAL, "nodes: %d pods", c->npods);
    return AS_OK;
}

static int alloc_nodes(as_nodes *N, as_err *err)
{
    as_pool_cfg pc[AS_NODES_MAX_POOLS];
    for (int i = 0; i < N->cfg.npools; i++) {
        const as_npool_cfg *p = &N->cfg.pools[i];
        pc[i] = (as_pool_cfg){.slots = p->max,
                              .concurrency = 1,
                              .ntypes = 1,
                              .types = {{1, p->price, p->boot}},
                              .initial = p->initial,
                              .granularity = p->granularity,
                              .minimum = p->minimum};
        N->off[i] = N->nslots;
        N->nslots += p->max;
    }
    N->ex = as_exec_new(NULL, N->cfg.npools, pc, err);
    if (N->ex == NULL)
        return err && err->code ? err->code : AS_ENOMEM;
    for (int i = 0; i < N->cfg.npools; i++) {
        N->node[i] = calloc((size_t)N->cfg.pools[i].max, sizeof *N->node[i]);
        if (N->node[i] == NULL)
            return as_err_set(err, AS_ENOMEM, "out of memory (nodes)");
        for (int k = 0; k < N->cfg.pools[i].max; k++)
            N->node[i][k].unneeded_since = -1;
    }
    size_t np = N->cfg.npods > 0 ? (size_t)N->cfg.npods : 1;
    N->pod = calloc(np, sizeof *N->pod);
    N->queue = calloc(np, sizeof *N->queue);
    N->work = calloc(2 * np, sizeof *N->work); /* pairs: the undo log of a drain simulation */
    N->scratch = calloc((size_t)N->nslots, sizeof *N->scratch);
    N->claim = calloc((size_t)N->nslots, sizeof *N->claim);
    if (!N->pod || !N->queue || !N->work || !N->scratch || !N->claim)
        return as_err_set(err, AS_ENOMEM, "out of memory (pods)");
    return AS_OK;
}

as_nodes *as_nodes_new(const as_nodes_cfg *cfg, as_err *err)
{
    if (check_cfg(cfg, err) != AS_OK)
        return NULL;
    as_nodes *N = calloc(1, sizeof *N);
    if (N == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory (nodes)");
        return NULL;
    }
    N->cfg = *cfg;
    N->last_add = N->last_delete = INT64_MIN / 2;
    if (alloc_nodes(N, err) != AS_OK) {
        as_nodes_free(N);
        return NULL;
    }
    return N;
}

void as_nodes_free(as_nodes *N)
{
    if (N == NULL)
        return;
    for (int i = 0; i < AS_NODES_MAX_POOLS; i++)
        free(N->node[i]);
    as_exec_free(N->ex);
    free(N->pod);
    free(N->queue);
    free(N->work);
    free(N->scratch);
    free(N->claim);
    free(N);
}

/* ---- scoring: kube-scheduler NodeResourcesFit ---- */

/* One resource's score, as noderesources' leastRequestedScore and
 * mostRequestedScore (integer division, requested includes the pod). */
static int64_t resource_score(int64_t requested, int64_t capacity, int scoring)
{
    if (capacity <= 0 || requested > capacity)
        return 0;
    if (scoring == AS_SCORE_MOST)
        return requested * MAX_NODE_SCORE / capacity;
    return (capacity - requested) * MAX_NODE_SCORE / capacity;
}

int64_t as_nodes_score(as_res a, as_res u, as_res r, int scoring)
{
    if (u.cpu + r.cpu > a.cpu || u.mem + r.mem > a.mem)
        return -1;
    /* default resources of the strategy: cpu and memory, weight 1 each */
    return (resource_score(u.cpu + r.cpu, a.cpu, scoring) +
            resource_score(u.mem + r.mem, a.mem, scoring)) /
           2;
}

static bool schedulable(const as_nodes *N, int i, int k)
{
    return N->ex->pools[i].inst[k].state == AS_INST_READY && !N->node[i][k].cordoned;
}

as_node_ref as_nodes_pick(const as_nodes *N, as_res r)
{
    as_node_ref best = {-1, -1};
    int64_t best_score = -1;
    for (int i = 0; i < N->cfg.npools; i++)
        for (int k = 0; k < N->cfg.pools[i].max; k++) {
            if (!schedulable(N, i, k))
                continue;
            int64_t s = as_nodes_score(N->cfg.pools[i].alloc, N->node[i][k].used, r,
                                       N->cfg.scoring);
            if (s > best_score) {
                best_score = s;
                best = (as_node_ref){i, k};
            }
        }
    return best;
}

/* ---- pods ---- */

static void bind(as_nodes *N, int pod, as_node_ref n, as_time now)
{
    as_npod *p = &N->pod[pod];
    as_node *nd = &N->node[n.pool][n.slot];
    nd->used.cpu += p->req.cpu;
    nd->used.mem += p->req.mem;
    nd->pods++;
    p->state = AS_POD_BOUND;
    p->node = n;
    p->bound = now;
}

int as_nodes_pod_add(as_nodes *N, int pod, as_res req, as_time start, as_time now)
{
    assert(pod >= 0 && pod < N->cfg.npods && N->pod[pod].state == AS_POD_NONE);
    as_npod *p = &N->pod[pod];
    p->req = req;
    p->start = start;
    p->since = now;
    as_node_ref n = as_nodes_pick(N, req);
    if (n.pool >= 0) {
        bind(N, pod, n, now);
        return AS_POD_BOUND;
    }
    p->state = AS_POD_PENDING;
    p->node = (as_node_ref){-1, -1};
    N->queue[N->qlen++] = pod;
    N->pending++;
    return AS_POD_PENDING;
}

void as_nodes_pod_free(as_nodes *N, int pod)
{
    as_npod *p = &N->pod[pod];
    if (p->state == AS_POD_BOUND) {
        as_node *nd = &N->node[p->node.pool][p->node.slot];
        nd->used.cpu -= p->req.cpu;
        nd->used.mem -= p->req.mem;
        nd->pods--;
    } else if (p->state == AS_POD_PENDING) {
        /* O(queue): a Pending pod leaves when the application scales in
         * before its node is up, rarely and with a short queue */
        for (int q = 0; q < N->qlen; q++)
            if (N->queue[q] == pod) {
                memmove(&N->queue[q], &N->queue[q + 1], (size_t)(N->qlen - q - 1) * sizeof(int));
                N->qlen--;
                break;
            }
        N->pending--;
    }
    p->state = AS_POD_NONE;
}

int as_nodes_schedule(as_nodes *N, as_time now, int *out, int cap)
{
    int n = 0, keep = 0;
    for (int q = 0; q < N->qlen; q++) {
        int pod = N->queue[q];
        as_node_ref r = n < cap ? as_nodes_pick(N, N->pod[pod].req) : (as_node_ref){-1, -1};
        if (r.pool < 0) {
            N->queue[keep++] = pod;
            continue;
        }
        bind(N, pod, r, now);
        N->pending--;
        out[n++] = pod;
    }
    N->qlen = keep;
    return n;
}

/* ---- nodes ---- */

int as_nodes_launch(as_nodes *N, int i, as_time now)
{
    int k = as_pool_launch(&N->ex->pools[i], now);
    if (k >= 0)
        N->node[i][k] = (as_node){.unneeded_since = -1};
    return k;
}

bool as_nodes_ready(as_nodes *N, as_node_ref n, uint32_t gen, as_time now)
{
    return as_pool_boot_done(&N->ex->pools[n.pool], n.slot, gen, now) == AS_BOOT_READY;
}

void as_nodes_remove(as_nodes *N, as_node_ref n, as_time now)
{
    assert(N->node[n.pool][n.slot].pods == 0);
    as_pool_remove(&N->ex->pools[n.pool], n.slot, now);
    N->node[n.pool][n.slot] = (as_node){.unneeded_since = -1};
}

double as_nodes_util(const as_nodes *N, as_node_ref n)
{
    as_res a = N->cfg.pools[n.pool].alloc, u = N->node[n.pool][n.slot].used;
    double c = (double)u.cpu / (double)a.cpu, m = (double)u.mem / (double)a.mem;
    return c > m ? c : m;
}

int as_nodes_count(const as_nodes *N, int i, int *booting)
{
    const as_pool *p = &N->ex->pools[i];
    if (booting)
        *booting = p->booting;
    return p->ready;
}
