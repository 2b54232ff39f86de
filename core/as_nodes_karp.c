/* as_nodes_karp.c - one loop of a Karpenter-style provisioner over
 * as_nodes (see as_karp_scan in as_nodes.h). Each node pool is one
 * instance type the provisioner may launch (a Karpenter NodePool's list of
 * types); pool min and max still bound each type.
 *
 * What is modelled of Karpenter (karpenter.sh, "Scheduling" and
 * "Disruption" concepts):
 * - provisioning: Pending pods are packed onto planned nodes ("NodeClaims")
 *   that may be as large as the largest type with room; each planned node
 *   is then launched as the cheapest type its pods fit. A pod's start waits
 *   for the node as under the Cluster Autoscaler;
 * - consolidation (WhenEmptyOrUnderutilized), one node per loop and only
 *   when nothing is Pending: deletion when a node's pods fit on the other
 *   ready nodes; replacement when they fit one node of a cheaper type,
 *   which is launched while the old node is cordoned; the old node goes
 *   once its pods fit elsewhere (on the new node, when it is Ready), so
 *   pods move to a ready node and capacity does not dip for a boot.
 *   Either action waits until the node has been a candidate for
 *   consolidate_after.
 * Not modelled: spot-to-spot consolidation, multi-node consolidation,
 * disruption budgets, drift and expiry, the batching window (pods are
 * batched per scan instead). */
#include "as_nodes_int.h"

/* Room left in pool i for new nodes, less what the plan already adds. */
static int room(const as_nodes *N, int i, const as_ca_plan *plan)
{
    const as_pool *P = &N->ex->pools[i];
    return N->cfg.pools[i].max - (P->ready + P->booting + P->draining) - plan->add[i];
}

/* The pool with room whose nodes are largest (CPU, then memory); -1. */
static int largest(const as_nodes *N, const as_ca_plan *plan)
{
    int best = -1;
    for (int i = 0; i < N->cfg.npools; i++) {
        if (room(N, i, plan) <= 0)
            continue;
        as_res a = N->cfg.pools[i].alloc, b = best >= 0 ? N->cfg.pools[best].alloc : a;
        if (best < 0 || a.cpu > b.cpu || (a.cpu == b.cpu && a.mem > b.mem))
            best = i;
    }
    return best;
}

/* The cheapest pool with room whose node fits r and costs less than
 * below (a price; INFINITY: any); -1 when none. Ties: the first. */
static int cheapest_fit(const as_nodes *N, as_res r, double below, const as_ca_plan *plan)
{
    int best = -1;
    for (int i = 0; i < N->cfg.npools; i++) {
        const as_npool_cfg *c = &N->cfg.pools[i];
        if (room(N, i, plan) <= 0 || !as_nodes_fits(c->alloc, r) || !(c->price < below))
            continue;
        if (best < 0 || c->price < N->cfg.pools[best].price)
            best = i;
    }
    return best;
}

/* Provisioning: planned nodes for the Pending pods no booting node takes;
 * true when it launches anything. */
static bool provision(as_nodes *N, as_time now, as_ca_plan *plan)
{
    int n = as_nodes_unhelped(N, plan), big = largest(N, plan), nclaims = 0;
    if (n == 0 || big < 0)
        return false;
    as_res cap = N->cfg.pools[big].alloc;
    for (int q = 0; q < n; q++) {
        as_res r = N->pod[N->work[q]].req;
        if (!as_nodes_fits(cap, r))
            continue;
        int c = 0;
        while (c < nclaims && !as_nodes_fits(N->scratch[c], r))
            c++;
        if (c == nclaims) {
            if (nclaims == N->nslots)
                continue;
            N->scratch[nclaims] = cap;
            N->claim[nclaims++] = (as_res){0, 0};
        }
        as_nodes_take(&N->scratch[c], r);
        N->claim[c].cpu += r.cpu;
        N->claim[c].mem += r.mem;
    }
    bool any = false;
    for (int c = 0; c < nclaims; c++) {
        int i = cheapest_fit(N, N->claim[c], INFINITY, plan);
        if (i >= 0) {
            plan->add[i]++;
            any = true;
        }
    }
    if (any) {
        plan->chosen = big;
        N->last_add = now;
    }
    return any;
}

/* A node being replaced goes once its pods fit elsewhere. */
static bool replaced(as_nodes *N, as_ca_plan *plan)
{
    for (int i = 0; i < N->cfg.npools; i++)
        for (int k = 0; k < N->cfg.pools[i].max; k++)
            if (N->node[i][k].replacing &&
                N->ex->pools[i].inst[k].state == AS_INST_READY &&
                as_nodes_drainable(N, (as_node_ref){i, k})) {
                plan->del[plan->ndel++] = (as_node_ref){i, k};
                return true;
            }
    return false;
}

static bool any_replacing(const as_nodes *N)
{
    for (int i = 0; i < N->cfg.npools; i++)
        for (int k = 0; k < N->cfg.pools[i].max; k++)
            if (N->node[i][k].replacing && N->ex->pools[i].inst[k].state == AS_INST_READY)
                return true;
    return false;
}

/* What consolidating node x would do: delete it (returns -2), replace it
 * with pool i (returns i), or nothing (-1). N->scratch: free room. */
static int consolidation(as_nodes *N, as_node_ref x, const as_ca_plan *plan)
{
    const as_node *nd = &N->node[x.pool][x.slot];
    const as_pool *P = &N->ex->pools[x.pool];
    if (P->ready + P->booting <= N->cfg.pools[x.pool].min)
        return -1;
    if (as_nodes_drainable(N, x)) {
        N->scratch[N->off[x.pool] + x.slot] = (as_res){0, 0}; /* it takes no pods of others */
        return -2;
    }
    if (nd->pods == 0)
        return -1;
    return cheapest_fit(N, nd->used, N->cfg.pools[x.pool].price, plan);
}

static void consolidate(as_nodes *N, as_time now, as_ca_plan *plan)
{
    as_nodes_fill_free(N);
    if (replaced(N, plan) || any_replacing(N))
        return;
    as_nodes_fill_free(N);
    for (int i = 0; i < N->cfg.npools; i++)
        for (int k = 0; k < N->cfg.pools[i].max; k++) {
            as_node *nd = &N->node[i][k];
            if (N->ex->pools[i].inst[k].state != AS_INST_READY || nd->cordoned) {
                nd->unneeded_since = -1;
                continue;
            }
            int act = consolidation(N, (as_node_ref){i, k}, plan);
            if (act == -1) {
                nd->unneeded_since = -1;
                continue;
            }
            if (nd->unneeded_since < 0)
                nd->unneeded_since = now;
            if (plan->ndel > 0 || plan->chosen >= 0 ||
                now - nd->unneeded_since < N->cfg.ca.consolidate_after)
                continue;
            nd->unneeded_since = -1;
            if (act == -2) {
                plan->del[plan->ndel++] = (as_node_ref){i, k};
                N->last_delete = now;
            } else {
                plan->add[act]++;
                plan->chosen = act;
                nd->cordoned = nd->replacing = true;
            }
        }
}

void as_karp_scan(as_nodes *N, as_time now, as_ca_plan *plan)
{
    *plan = (as_ca_plan){.chosen = -1};
    as_nodes_expire(N, now, plan);
    if (N->pending > 0 && provision(N, now, plan))
        return;
    if (N->pending == 0)
        consolidate(N, now, plan);
}
