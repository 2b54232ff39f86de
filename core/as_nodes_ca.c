/* as_nodes_ca.c - one loop of the Cluster Autoscaler over as_nodes: node
 * provisioning timeouts, scale-up for Pending pods through an expander,
 * unneeded nodes and their removal.
 *
 * What is modelled of kubernetes/autoscaler's cluster-autoscaler (its FAQ
 * and flags give the defaults, see as_nodes_ca_defaults and the README):
 * - scale-up: Pending pods that a booting ("upcoming") node will take are
 *   not counted; for the rest every pool below its max proposes the nodes a
 *   first-fit packing of those pods needs (its binpacking estimator); the
 *   expander picks one pool: least-waste (least idle CPU + memory share of
 *   the added nodes), price (least price per hour of the added nodes per
 *   pod they take; CA's price expander also weighs a preferred node size,
 *   not modelled) or random (the caller's draw);
 * - a loop that scaled up does not scale down;
 * - a ready node is unneeded while its requested utilisation (max of CPU
 *   and memory) is below the threshold and its pods fit on the other ready
 *   nodes (a cumulative simulation: pods of nodes found removable earlier in
 *   the loop take room, and those nodes take none); it is removed once
 *   unneeded for unneeded_time, when no scale-up happened within
 *   delay_after_add and no removal within delay_after_delete, and its pool
 *   stays at or above min: empty nodes up to max_empty_bulk at once, else
 *   one non-empty node per loop;
 * - a node still booting after max_provision is removed and its pool is
 *   skipped for `backoff`.
 * Not modelled: scale-down of nodes with pods that block eviction (local
 * storage, PDBs), balancing of similar pools, the priority expander. */
#include "as_nodes_int.h"

static int flat(const as_nodes *N, as_node_ref n) { return N->off[n.pool] + n.slot; }

/* Booting nodes past max-node-provision-time: removed by the caller. */
void as_nodes_expire(as_nodes *N, as_time now, as_ca_plan *plan)
{
    for (int i = 0; i < N->cfg.npools; i++) {
        const as_pool *P = &N->ex->pools[i];
        for (int k = 0; k < P->cfg.slots && plan->nexpired < AS_NODES_MAX_DEL; k++)
            if (P->inst[k].state == AS_INST_BOOTING &&
                now - P->inst[k].requested >= N->cfg.ca.max_provision) {
                plan->expired[plan->nexpired++] = (as_node_ref){i, k};
                N->backoff_until[i] = now + N->cfg.ca.backoff;
            }
    }
}

/* The Pending pods no upcoming node takes (first fit into booting nodes'
 * allocatable), into N->work; returns their count. */
int as_nodes_unhelped(as_nodes *N, const as_ca_plan *plan)
{
    int nb = 0;
    for (int i = 0; i < N->cfg.npools; i++) {
        const as_pool *P = &N->ex->pools[i];
        for (int k = 0; k < P->cfg.slots; k++) {
            bool expired = false;
            for (int e = 0; e < plan->nexpired; e++)
                expired |= plan->expired[e].pool == i && plan->expired[e].slot == k;
            if (P->inst[k].state == AS_INST_BOOTING && !expired)
                N->scratch[nb++] = N->cfg.pools[i].alloc;
        }
    }
    int n = 0;
    for (int q = 0; q < N->qlen; q++) {
        as_res r = N->pod[N->queue[q]].req;
        int b = 0;
        while (b < nb && !as_nodes_fits(N->scratch[b], r))
            b++;
        if (b < nb)
            as_nodes_take(&N->scratch[b], r);
        else
            N->work[n++] = N->queue[q];
    }
    return n;
}

typedef struct option {
    int nodes, pods;
    as_res req; /* requests of the pods it takes */
} option;

/* Nodes of pool i a first-fit packing of the n pods in work needs (at most
 * the room the pool has left). */
static option estimate(as_nodes *N, int i, int n)
{
    const as_npool_cfg *c = &N->cfg.pools[i];
    const as_pool *P = &N->ex->pools[i];
    int room = c->max - (P->ready + P->booting + P->draining);
    option o = {0};
    for (int q = 0; q < n; q++) {
        as_res r = N->pod[N->work[q]].req;
        if (!as_nodes_fits(c->alloc, r))
            continue;
        int b = 0;
        while (b < o.nodes && !as_nodes_fits(N->scratch[b], r))
            b++;
        if (b == o.nodes) {
            if (o.nodes == room)
                continue;
            N->scratch[o.nodes++] = c->alloc;
        }
        as_nodes_take(&N->scratch[b], r);
        o.pods++;
        o.req.cpu += r.cpu;
        o.req.mem += r.mem;
    }
    return o;
}

static double waste(const as_npool_cfg *c, const option *o)
{
    double cpu = (double)o->nodes * (double)c->alloc.cpu;
    double mem = (double)o->nodes * (double)c->alloc.mem;
    return (cpu - (double)o->req.cpu) / cpu + (mem - (double)o->req.mem) / mem;
}

/* Scale-up: the expander's choice among the pools' options. */
static void scale_up(as_nodes *N, as_time now, double u, as_ca_plan *plan)
{
    int n = as_nodes_unhelped(N, plan);
    if (n == 0)
        return;
    option opt[AS_NODES_MAX_POOLS];
    int valid[AS_NODES_MAX_POOLS], nv = 0, pick = -1;
    double best = 0;
    for (int i = 0; i < N->cfg.npools; i++) {
        if (now < N->backoff_until[i])
            continue;
        opt[i] = estimate(N, i, n);
        if (opt[i].pods == 0)
            continue;
        valid[nv++] = i;
        double v = N->cfg.ca.expander == AS_EXPAND_PRICE
                       ? opt[i].nodes * N->cfg.pools[i].price / opt[i].pods
                       : waste(&N->cfg.pools[i], &opt[i]);
        if (pick < 0 || v < best) {
            best = v;
            pick = i;
        }
    }
    if (nv == 0)
        return;
    if (N->cfg.ca.expander == AS_EXPAND_RANDOM) {
        int r = (int)(u * nv);
        pick = valid[r < nv ? r : nv - 1];
    }
    plan->add[pick] = opt[pick].nodes;
    plan->chosen = pick;
    N->last_add = now;
}

/* Can the pods of node x move to other ready nodes (scratch: their free
 * capacity; removable nodes' free set to none)? If so, take the room. */
bool as_nodes_drainable(as_nodes *N, as_node_ref x)
{
    int fx = flat(N, x), moved = 0;
    bool ok = true;
    for (int p = 0; p < N->cfg.npods && ok; p++) {
        const as_npod *pd = &N->pod[p];
        if (pd->state != AS_POD_BOUND || pd->node.pool != x.pool || pd->node.slot != x.slot)
            continue;
        int b = 0;
        while (b < N->nslots && (b == fx || !as_nodes_fits(N->scratch[b], pd->req)))
            b++;
        if (b == N->nslots) {
            ok = false;
            break;
        }
        as_nodes_take(&N->scratch[b], pd->req);
        N->work[2 * moved] = b; /* undo log: destination, pod */
        N->work[2 * moved + 1] = p;
        moved++;
    }
    for (int m = 0; !ok && m < moved; m++) {
        as_res *f = &N->scratch[N->work[2 * m]];
        f->cpu += N->pod[N->work[2 * m + 1]].req.cpu;
        f->mem += N->pod[N->work[2 * m + 1]].req.mem;
    }
    return ok;
}

/* Unneeded-since for every ready node (kept even while scale-down cools
 * down, as CA does). */
void as_nodes_fill_free(as_nodes *N)
{
    for (int i = 0; i < N->cfg.npools; i++)
        for (int k = 0; k < N->cfg.pools[i].max; k++) {
            const as_node *nd = &N->node[i][k];
            bool up = N->ex->pools[i].inst[k].state == AS_INST_READY && !nd->cordoned;
            as_res a = N->cfg.pools[i].alloc;
            N->scratch[N->off[i] + k] =
                up ? (as_res){a.cpu - nd->used.cpu, a.mem - nd->used.mem} : (as_res){0, 0};
        }
}

static void mark_unneeded(as_nodes *N, as_time now)
{
    as_nodes_fill_free(N);
    for (int i = 0; i < N->cfg.npools; i++)
        for (int k = 0; k < N->cfg.pools[i].max; k++) {
            as_node *nd = &N->node[i][k];
            as_node_ref x = {i, k};
            if (N->ex->pools[i].inst[k].state != AS_INST_READY || nd->cordoned) {
                nd->unneeded_since = -1;
                continue;
            }
            bool low = as_nodes_util(N, x) < N->cfg.ca.threshold;
            if (low && as_nodes_drainable(N, x)) {
                N->scratch[flat(N, x)] = (as_res){0, 0};
                if (nd->unneeded_since < 0)
                    nd->unneeded_since = now;
            } else {
                nd->unneeded_since = -1;
            }
        }
}

/* Removal of nodes unneeded long enough, pools kept at their min. */
static void scale_down(as_nodes *N, as_time now, as_ca_plan *plan)
{
    as_time after_del = N->cfg.ca.delay_after_delete > 0 ? N->cfg.ca.delay_after_delete
                                                         : N->cfg.ca.scan;
    if (now < N->last_add + N->cfg.ca.delay_after_add || now < N->last_delete + after_del)
        return;
    int left[AS_NODES_MAX_POOLS];
    for (int i = 0; i < N->cfg.npools; i++)
        left[i] = N->ex->pools[i].ready + N->ex->pools[i].booting - N->cfg.pools[i].min;
    as_node_ref busy = {-1, -1};
    for (int i = 0; i < N->cfg.npools; i++)
        for (int k = 0; k < N->cfg.pools[i].max; k++) {
            const as_node *nd = &N->node[i][k];
            if (nd->unneeded_since < 0 || now - nd->unneeded_since < N->cfg.ca.unneeded_time ||
                left[i] <= 0)
                continue;
            if (nd->pods > 0) {
                if (busy.pool < 0)
                    busy = (as_node_ref){i, k};
                continue;
            }
            if (plan->ndel < N->cfg.ca.max_empty_bulk && plan->ndel < AS_NODES_MAX_DEL) {
                plan->del[plan->ndel++] = (as_node_ref){i, k};
                left[i]--;
            }
        }
    if (plan->ndel == 0 && busy.pool >= 0)
        plan->del[plan->ndel++] = busy;
    if (plan->ndel > 0)
        N->last_delete = now;
    for (int d = 0; d < plan->ndel; d++)
        N->node[plan->del[d].pool][plan->del[d].slot].unneeded_since = -1;
}

void as_ca_scan(as_nodes *N, as_time now, double u, as_ca_plan *plan)
{
    *plan = (as_ca_plan){.chosen = -1};
    as_nodes_expire(N, now, plan);
    if (N->pending > 0)
        scale_up(N, now, u, plan);
    if (plan->chosen >= 0)
        return;
    mark_unneeded(N, now);
    scale_down(N, now, plan);
}
