/* test_nodes.c - core's node layer (as_nodes): kube-scheduler scores and
 * placement, Pending pods, and the Cluster Autoscaler's rules: expanders,
 * upcoming nodes, unneeded time, delay after add, pods that fit nowhere
 * else, pool minimum, max-node-provision-time. */
#include "as_nodes.h"

#include <criterion/criterion.h>
#include <string.h>

static as_npool_cfg pool(int64_t cpu, int64_t mem, double price, int min, int initial, int max)
{
    return (as_npool_cfg){.alloc = {cpu, mem},
                          .price = price,
                          .boot = 90 * AS_SEC,
                          .min = min,
                          .initial = initial,
                          .max = max,
                          .granularity = AS_SEC};
}

static as_nodes *mk(int npools, const as_npool_cfg *p, int scoring, int expander)
{
    as_nodes_cfg c = {.npools = npools, .scoring = scoring, .autoscaler = AS_NODES_CA,
                      .npods = 64};
    for (int i = 0; i < npools; i++)
        c.pools[i] = p[i];
    as_nodes_ca_defaults(&c.ca);
    c.ca.expander = expander;
    as_err e = {0};
    as_nodes *N = as_nodes_new(&c, &e);
    cr_assert_not_null(N, "%s", e.msg);
    return N;
}

/* Scans every 10 s from t0 up to and including t1; the time of the first
 * scan that removes a node (-1: none). */
static as_time scan_until_delete(as_nodes *N, as_time t0, as_time t1, as_ca_plan *pl)
{
    for (as_time t = t0; t <= t1; t += 10 * AS_SEC) {
        as_ca_scan(N, t, 0.0, pl);
        if (pl->ndel > 0)
            return t;
    }
    return -1;
}

Test(nodes, scores_are_kube_schedulers_integer_formulas)
{
    as_res a = {4000, 8192}, none = {0, 0}, r = {1000, 1024};
    /* least: cpu (4000-1000)*100/4000 = 75, mem (8192-1024)*100/8192 = 87 (87.5 truncated) */
    cr_assert_eq(as_nodes_score(a, none, r, AS_SCORE_LEAST), (75 + 87) / 2);
    /* most: cpu 25, mem 12 (12.5 truncated) */
    cr_assert_eq(as_nodes_score(a, none, r, AS_SCORE_MOST), (25 + 12) / 2);
    cr_assert_eq(as_nodes_score(a, (as_res){3500, 0}, r, AS_SCORE_LEAST), -1, "no fit");
    cr_assert_eq(as_nodes_score(a, (as_res){3000, 7168}, r, AS_SCORE_MOST), 100, "exactly full");
}

Test(nodes, least_allocated_spreads_and_most_allocated_packs)
{
    as_npool_cfg p = pool(4000, 8192, 0.2, 0, 2, 4);
    as_nodes *L = mk(1, &p, AS_SCORE_LEAST, AS_EXPAND_RANDOM);
    as_nodes *M = mk(1, &p, AS_SCORE_MOST, AS_EXPAND_RANDOM);
    as_res r = {500, 512};
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(as_nodes_pod_add(L, i, r, 0, 0), AS_POD_BOUND);
        cr_assert_eq(as_nodes_pod_add(M, i, r, 0, 0), AS_POD_BOUND);
    }
    cr_assert_neq(L->pod[0].node.slot, L->pod[1].node.slot, "least-allocated spreads");
    cr_assert_eq(M->pod[0].node.slot, M->pod[1].node.slot, "most-allocated packs");
    cr_assert_eq(M->node[0][M->pod[0].node.slot].used.cpu, 1000);
    as_nodes_pod_free(M, 0);
    cr_assert_eq(M->node[0][M->pod[1].node.slot].used.cpu, 500, "freed");
    as_nodes_free(L);
    as_nodes_free(M);
}

Test(nodes, a_pod_waits_pending_for_a_node_then_binds)
{
    as_npool_cfg p = pool(2000, 4096, 0.1, 0, 1, 3);
    as_nodes *N = mk(1, &p, AS_SCORE_LEAST, AS_EXPAND_RANDOM);
    as_res r = {1500, 1024};
    cr_assert_eq(as_nodes_pod_add(N, 0, r, 0, 0), AS_POD_BOUND);
    cr_assert_eq(as_nodes_pod_add(N, 1, r, 7 * AS_SEC, 0), AS_POD_PENDING);
    cr_assert_eq(as_nodes_pod_add(N, 2, r, 7 * AS_SEC, 0), AS_POD_PENDING);
    cr_assert_eq(N->pending, 2);
    as_nodes_pod_free(N, 2); /* scaled in while Pending */
    cr_assert_eq(N->pending, 1);
    cr_assert_eq(N->qlen, 1);
    int k = as_nodes_launch(N, 0, AS_SEC);
    int out[4];
    cr_assert_eq(as_nodes_schedule(N, 2 * AS_SEC, out, 4), 0, "a booting node takes nothing");
    cr_assert(as_nodes_ready(N, (as_node_ref){0, k}, N->ex->pools[0].inst[k].gen, 91 * AS_SEC));
    cr_assert_eq(as_nodes_schedule(N, 91 * AS_SEC, out, 4), 1);
    cr_assert_eq(out[0], 1);
    cr_assert_eq(N->pod[1].node.slot, k);
    cr_assert_eq(N->pod[1].start, 7 * AS_SEC, "the caller's payload is kept");
    cr_assert_eq(N->pod[1].bound - N->pod[1].since, 91 * AS_SEC, "Pending from 0 to 91 s");
    cr_assert_eq(N->pending, 0);
    as_nodes_free(N);
}

/* 3 Pending pods of 1500m: pool A (2000m, 1/h) needs 3 nodes, pool B
 * (4000m) 2 nodes. Waste (cpu + mem): A 0.25 + 0.8125, B 0.4375 + 0.859375. */
static as_ca_plan up_for_three(int expander, double price_b, double u)
{
    as_npool_cfg p[2] = {pool(2000, 4096, 1.0, 0, 0, 5), pool(4000, 8192, price_b, 0, 0, 5)};
    as_nodes *N = mk(2, p, AS_SCORE_LEAST, expander);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(as_nodes_pod_add(N, i, (as_res){1500, 768}, 0, 0), AS_POD_PENDING);
    as_ca_plan pl;
    as_ca_scan(N, 0, u, &pl);
    cr_assert_eq(N->last_add, pl.chosen >= 0 ? 0 : INT64_MIN / 2);
    as_nodes_free(N);
    return pl;
}

Test(nodes, ca_expanders_pick_the_pool_their_rule_says)
{
    as_ca_plan w = up_for_three(AS_EXPAND_LEAST_WASTE, 3.0, 0);
    cr_assert_eq(w.chosen, 0, "least waste: A");
    cr_assert_eq(w.add[0], 3);
    cr_assert_eq(w.add[1], 0);
    /* price per pod: A 3 x 1 / 3 = 1, B 2 x 1.2 / 3 = 0.8 */
    as_ca_plan pr = up_for_three(AS_EXPAND_PRICE, 1.2, 0);
    cr_assert_eq(pr.chosen, 1, "price: B");
    cr_assert_eq(pr.add[1], 2);
    cr_assert_eq(up_for_three(AS_EXPAND_PRICE, 1.6, 0).chosen, 0, "B at 1.6: 1.07 per pod");
    cr_assert_eq(up_for_three(AS_EXPAND_RANDOM, 3.0, 0.2).chosen, 0);
    cr_assert_eq(up_for_three(AS_EXPAND_RANDOM, 3.0, 0.7).chosen, 1);
}

Test(nodes, ca_counts_booting_nodes_and_respects_max)
{
    as_npool_cfg p = pool(2000, 4096, 1.0, 0, 0, 2);
    as_nodes *N = mk(1, &p, AS_SCORE_LEAST, AS_EXPAND_LEAST_WASTE);
    as_ca_plan pl;
    for (int i = 0; i < 3; i++)
        as_nodes_pod_add(N, i, (as_res){1500, 512}, 0, 0);
    as_ca_scan(N, 0, 0, &pl);
    cr_assert_eq(pl.add[0], 2, "3 pods of 1500m need 3 nodes; max 2");
    as_nodes_launch(N, 0, 0);
    as_nodes_launch(N, 0, 0);
    as_ca_scan(N, 10 * AS_SEC, 0, &pl);
    cr_assert_eq(pl.chosen, -1, "upcoming nodes take two, the pool is full for the third");
    as_nodes_free(N);
}

/* Pool A: 2 ready nodes of 4000m (min 1), a 1000m pod on the first; pool
 * B (min 0, none) for big pods. When `add_at` >= 0 a pod of 6000m arrives
 * then and makes CA add a node of B. Returns when the first node is removed. */
static as_time removal_time(as_time add_at)
{
    as_npool_cfg p[2] = {pool(4000, 8192, 0.2, 1, 2, 4), pool(8000, 16384, 0.4, 0, 0, 2)};
    as_nodes *N = mk(2, p, AS_SCORE_MOST, AS_EXPAND_LEAST_WASTE);
    cr_assert_eq(as_nodes_pod_add(N, 0, (as_res){1000, 1024}, 0, 0), AS_POD_BOUND);
    as_ca_plan pl;
    as_time t = 0, removed = -1;
    for (; t <= 30 * AS_MIN && removed < 0; t += 10 * AS_SEC) {
        if (t == add_at)
            cr_assert_eq(as_nodes_pod_add(N, 1, (as_res){6000, 1024}, 0, t), AS_POD_PENDING);
        as_ca_scan(N, t, 0, &pl);
        if (t == add_at) {
            cr_assert_eq(pl.chosen, 1);
            cr_assert_eq(pl.add[1], 1);
            cr_assert_geq(as_nodes_launch(N, 1, t), 0);
        }
        if (pl.ndel > 0) {
            removed = t;
            cr_assert_eq(pl.ndel, 1);
            cr_assert_eq(N->node[pl.del[0].pool][pl.del[0].slot].pods, 0, "the empty one");
        }
    }
    as_nodes_free(N);
    return removed;
}

Test(nodes, ca_scale_down_waits_unneeded_time_and_delay_after_add_exactly)
{
    cr_assert_eq(removal_time(-1), 10 * AS_MIN, "unneeded since 0, removed at 10 min");
    cr_assert_eq(removal_time(5 * AS_MIN), 15 * AS_MIN, "scale-up at 5 min: not before 15 min");
    cr_assert_eq(removal_time(12 * AS_MIN), 10 * AS_MIN, "already removed before the add");
}

Test(nodes, ca_unneeded_time_starts_when_a_node_becomes_unneeded)
{
    as_npool_cfg p = pool(4000, 8192, 0.2, 0, 2, 4);
    as_nodes *N = mk(1, &p, AS_SCORE_LEAST, AS_EXPAND_RANDOM);
    /* 3000m on each node: neither is below 50 % */
    as_nodes_pod_add(N, 0, (as_res){3000, 1024}, 0, 0);
    as_nodes_pod_add(N, 1, (as_res){3000, 1024}, 0, 0);
    as_ca_plan pl;
    cr_assert_eq(scan_until_delete(N, 0, 115 * AS_SEC, &pl), -1);
    as_nodes_pod_free(N, 1); /* at 115 s: its node is empty, first seen at the 120 s scan */
    as_time t = scan_until_delete(N, 120 * AS_SEC, 30 * AS_MIN, &pl);
    cr_assert_eq(t, 120 * AS_SEC + 10 * AS_MIN);
    as_nodes_free(N);
}

Test(nodes, ca_keeps_a_node_whose_pods_fit_nowhere_else)
{
    as_npool_cfg p = pool(4000, 8192, 0.2, 0, 2, 4);
    as_nodes *N = mk(1, &p, AS_SCORE_LEAST, AS_EXPAND_RANDOM);
    as_nodes_pod_add(N, 0, (as_res){1500, 1024}, 0, 0); /* node 0: 37.5 % */
    as_nodes_pod_add(N, 1, (as_res){3000, 1024}, 0, 0); /* node 1: 75 %, 1000m free */
    cr_assert_neq(N->pod[0].node.slot, N->pod[1].node.slot);
    as_ca_plan pl;
    cr_assert_eq(scan_until_delete(N, 0, 60 * AS_MIN, &pl), -1, "1500m fits nowhere else");
    cr_assert_eq(N->node[0][N->pod[0].node.slot].unneeded_since, -1);
    /* the same with 2000m on node 1: node 0's pod fits there, node 0 goes */
    as_nodes_pod_free(N, 1);
    as_nodes_pod_add(N, 1, (as_res){2000, 1024}, 0, 60 * AS_MIN);
    as_time t = scan_until_delete(N, 60 * AS_MIN + 10 * AS_SEC, 90 * AS_MIN, &pl);
    cr_assert_eq(t, 70 * AS_MIN + 10 * AS_SEC);
    cr_assert_eq(pl.del[0].slot, N->pod[0].node.slot, "the non-empty node, its pod moves");
    as_nodes_free(N);
}

Test(nodes, ca_keeps_the_pool_minimum_and_expires_slow_boots)
{
    as_npool_cfg p = pool(4000, 8192, 0.2, 2, 2, 4);
    as_nodes *N = mk(1, &p, AS_SCORE_LEAST, AS_EXPAND_RANDOM);
    as_ca_plan pl;
    cr_assert_eq(scan_until_delete(N, 0, 60 * AS_MIN, &pl), -1, "two empty nodes at min 2");
    int k = as_nodes_launch(N, 0, 60 * AS_MIN);
    as_ca_scan(N, 60 * AS_MIN + 14 * AS_MIN + 50 * AS_SEC, 0, &pl);
    cr_assert_eq(pl.nexpired, 0);
    as_ca_scan(N, 75 * AS_MIN, 0, &pl);
    cr_assert_eq(pl.nexpired, 1, "booting 15 min: max-node-provision-time");
    cr_assert_eq(pl.expired[0].slot, k);
    cr_assert_eq(N->backoff_until[0], 80 * AS_MIN);
    as_nodes_free(N);
}

Test(nodes, bad_pools_are_refused)
{
    as_npool_cfg p = pool(4000, 8192, 0.2, 3, 2, 4);
    as_nodes_cfg c = {.npools = 1, .pools = {p}, .npods = 4};
    as_err e = {0};
    cr_assert_null(as_nodes_new(&c, &e));
    cr_assert_eq(e.code, AS_EINVAL);
    cr_assert(strstr(e.msg, "min 3") != NULL, "%s", e.msg);
}

/* Karpenter-style: small (2 cores, 0.1/h) and large (8 cores, 0.4/h) types. */
static as_nodes *mk_karp(int large_initial)
{
    as_npool_cfg p[2] = {pool(2000, 8192, 0.1, 0, 0, 5), pool(8000, 32768, 0.4, 0, large_initial, 5)};
    as_nodes_cfg c = {.npools = 2, .scoring = AS_SCORE_LEAST, .autoscaler = AS_NODES_KARPENTER,
                      .npods = 64};
    c.pools[0] = p[0];
    c.pools[1] = p[1];
    as_nodes_ca_defaults(&c.ca);
    as_err e = {0};
    as_nodes *N = as_nodes_new(&c, &e);
    cr_assert_not_null(N, "%s", e.msg);
    return N;
}

Test(nodes, karpenter_launches_the_cheapest_type_the_pods_fit)
{
    as_nodes *N = mk_karp(0);
    for (int i = 0; i < 3; i++)
        as_nodes_pod_add(N, i, (as_res){500, 512}, 0, 0);
    as_ca_plan pl;
    as_karp_scan(N, 0, &pl);
    cr_assert_eq(pl.add[0], 1, "1500m fit one small node");
    cr_assert_eq(pl.add[1], 0);
    /* 9 pods of 1500m: planned on 8-core nodes (5 + 4), each launched as
     * the cheapest that fits: 7500m and 6000m only fit large */
    as_nodes *M = mk_karp(0);
    for (int i = 0; i < 9; i++)
        as_nodes_pod_add(M, i, (as_res){1500, 512}, 0, 0);
    as_karp_scan(M, 0, &pl);
    cr_assert_eq(pl.add[1], 2);
    cr_assert_eq(pl.add[0], 0);
    as_nodes_free(N);
    as_nodes_free(M);
}

Test(nodes, karpenter_replaces_an_oversized_node_where_ca_keeps_it)
{
    as_nodes *K = mk_karp(1), *C = mk_karp(1);
    C->cfg.autoscaler = AS_NODES_CA;
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(as_nodes_pod_add(K, i, (as_res){500, 512}, 0, 0), AS_POD_BOUND);
        cr_assert_eq(as_nodes_pod_add(C, i, (as_res){500, 512}, 0, 0), AS_POD_BOUND);
    }
    as_ca_plan pl;
    /* CA: the node is at 19 % but its pods fit nowhere else: kept */
    cr_assert_eq(scan_until_delete(C, 0, 60 * AS_MIN, &pl), -1);
    /* Karpenter: after consolidate_after (30 s), a small node in its place */
    as_time t = 0;
    for (; t <= 60 * AS_SEC; t += 10 * AS_SEC) {
        as_karp_scan(K, t, &pl);
        if (pl.chosen >= 0)
            break;
    }
    cr_assert_eq(t, 30 * AS_SEC);
    cr_assert_eq(pl.add[0], 1);
    cr_assert_eq(pl.ndel, 0, "the old node stays until its pods have somewhere to go");
    cr_assert(K->node[1][0].cordoned);
    int k = as_nodes_launch(K, 0, t);
    as_karp_scan(K, 60 * AS_SEC, &pl);
    cr_assert_eq(pl.ndel + pl.add[0] + pl.add[1], 0, "waiting for the new node");
    cr_assert(as_nodes_ready(K, (as_node_ref){0, k}, K->ex->pools[0].inst[k].gen, 120 * AS_SEC));
    as_karp_scan(K, 120 * AS_SEC, &pl);
    cr_assert_eq(pl.ndel, 1);
    cr_assert_eq(pl.del[0].pool, 1, "the large node goes");
    as_nodes_free(K);
    as_nodes_free(C);
}
