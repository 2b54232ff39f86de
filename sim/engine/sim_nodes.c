/* sim_nodes.c - the node layer of a run (see sim_nodes.h): pod placement
 * when a pod is launched, Pending pods bound when a node is Ready or room
 * is freed, the node autoscaler's scans carried out (nodes requested,
 * timed out, removed with their pods evicted and recreated), spot
 * interruptions, node billing and the node rows.
 *
 * A pod is an instance of its tier's as_pool: booting while Pending or
 * starting, ready when it serves. Its own start time is drawn when it is
 * launched (as without nodes, so the tier's random stream is the same);
 * its ready event is pushed when it is bound: at once on a ready node,
 * else when a node takes it, so a Pending pod starts at node boot + its
 * own start. An evicted pod (its node removed or interrupted) is killed
 * and a new pod launched, as its ReplicaSet would: capacity dips for a
 * pod start, and more when no node has room.
 * A pod that drains (its tier scaled in) is released from its node at
 * once when the node goes: its drain goes on, billed, but holds no room. */
#include "sim_nodes.h"

#include "as_nodes.h"
#include "sim_engine_int.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

enum { NEV_READY, NEV_SCAN, NEV_NOTICE, NEV_KILL };

struct sim_nodes {
    as_nodes *N;
    gsl_rng *rng;
    int base[SIM_MAX_TIERS];     /* pod id of tier ti's slot k: base[ti] + k */
    int *bound;                  /* pods bound by one schedule pass */
    /* this record interval */
    double starts, delay_sum, delay_max;
    double interruptions[AS_NODES_MAX_POOLS];
    bool oom;                    /* an event push failed inside the release hook */
};

/* ---- helpers ---- */

/* A node boot time of pool i, s (the tiers' distributions). */
static double draw_boot(const sim_nodes *n, const sim_nodepool_cfg *c)
{
    double m = as_time_to_s(c->boot_time), j = as_time_to_s(c->boot_jitter), v = m;
    switch (c->boot_dist) {
    case SIM_DIST_UNIFORM:
        v = m - j + 2 * j * gsl_rng_uniform(n->rng);
        break;
    case SIM_DIST_NORMAL:
        v = m + gsl_ran_gaussian_ziggurat(n->rng, j);
        break;
    case SIM_DIST_LOGNORMAL:
        if (m > 0 && j > 0) {
            double s2 = log(1 + (j * j) / (m * m));
            v = gsl_ran_lognormal(n->rng, log(m) - s2 / 2, sqrt(s2));
        }
        break;
    case SIM_DIST_EXP:
        v = gsl_ran_exponential(n->rng, m);
        break;
    default:
        break;
    }
    return v < 0 ? 0 : v;
}

static int push(sim_engine *R, as_time t, int what, int pool, int slot, uint32_t gen)
{
    return sim_push(R, t, SIM_EV_NODE, what * AS_NODES_MAX_POOLS + pool, slot, gen);
}

static as_res pod_req(const sim_engine *R, int ti, int k)
{
    const sim_tier_cfg *c = R->tiers[ti].cfg;
    int f = c->types[R->tiers[ti].P->inst[k].type].factor;
    return (as_res){c->cpu_request * f, c->mem_request * f};
}

/* Pod id -> tier and slot. */
static int tier_of(const sim_nodes *n, const sim_engine *R, int pod, int *k)
{
    int ti = R->nt - 1;
    while (ti > 0 && pod < n->base[ti])
        ti--;
    *k = pod - n->base[ti];
    return ti;
}

/* A pod bound at now starts its own start later. */
static int started(sim_engine *R, int pod, as_time now)
{
    sim_nodes *n = R->nodes;
    const as_npod *p = &n->N->pod[pod];
    int k, ti = tier_of(n, R, pod, &k);
    double d = as_time_to_s(p->bound - p->since);
    n->starts++;
    n->delay_sum += d;
    if (d > n->delay_max)
        n->delay_max = d;
    return sim_push(R, now + p->start, SIM_EV_READY, ti, k, R->tiers[ti].P->inst[k].gen);
}

/* Pending pods onto what is free now. */
static int schedule(sim_engine *R, as_time now)
{
    sim_nodes *n = R->nodes;
    if (n->N->pending == 0)
        return AS_OK;
    int nb = as_nodes_schedule(n->N, now, n->bound, n->N->cfg.npods);
    for (int b = 0; b < nb; b++) {
        int rc = started(R, n->bound[b], now);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* as_pool's release hook: a pod left (any reason); its room may take a
 * Pending pod. The hook returns nothing, and an event push fails only on
 * no memory: that is kept and reported by the layer's next event or record. */
static void released(void *ud, const as_pool *p, int k, as_time now)
{
    sim_engine *R = ud;
    sim_nodes *n = R->nodes;
    int ti = (int)(p - R->ex->pools);
    as_nodes_pod_free(n->N, n->base[ti] + k);
    if (schedule(R, now) != AS_OK)
        n->oom = true;
}

static int check_oom(sim_engine *R)
{
    if (R->nodes->oom)
        return as_err_set(R->err, AS_ENOMEM, "out of memory (events)");
    return AS_OK;
}

/* ---- setup ---- */

static int setup(sim_nodes *n, sim_engine *R, as_err *err)
{
    const sim_scenario *sc = R->sc;
    const sim_nodes_cfg *nc = &sc->nodes;
    as_nodes_cfg c = {.npools = sc->nnodepools,
                      .scoring = nc->scoring == SIM_SCORE_MOST ? AS_SCORE_MOST : AS_SCORE_LEAST,
                      .autoscaler = nc->autoscaler == SIM_NODES_CA          ? AS_NODES_CA
                                    : nc->autoscaler == SIM_NODES_KARPENTER ? AS_NODES_KARPENTER
                                                                            : AS_NODES_STATIC};
    as_nodes_ca_defaults(&c.ca);
    c.ca.scan = nc->scan;
    c.ca.threshold = nc->threshold;
    c.ca.unneeded_time = nc->unneeded_time;
    c.ca.delay_after_add = nc->delay_after_add;
    c.ca.delay_after_delete = nc->delay_after_delete;
    c.ca.max_provision = nc->max_provision;
    c.ca.max_empty_bulk = nc->max_empty_bulk;
    c.ca.consolidate_after = nc->consolidate_after;
    c.ca.expander = nc->expander == SIM_EXPAND_PRICE         ? AS_EXPAND_PRICE
                    : nc->expander == SIM_EXPAND_LEAST_WASTE ? AS_EXPAND_LEAST_WASTE
                                                             : AS_EXPAND_RANDOM;
    for (int i = 0; i < sc->nnodepools; i++) {
        const sim_nodepool_cfg *p = &sc->nodepools[i];
        c.pools[i] = (as_npool_cfg){.alloc = {p->cpu, p->mem},
                                    .price = p->price_per_hour,
                                    .boot = p->boot_time,
                                    .min = p->min,
                                    .initial = p->initial,
                                    .max = p->max,
                                    .granularity = p->billing_granularity,
                                    .minimum = p->billing_minimum};
    }
    for (int ti = 0; ti < R->nt; ti++) {
        n->base[ti] = c.npods;
        c.npods += R->tiers[ti].P->cfg.slots;
    }
    n->N = as_nodes_new(&c, err);
    n->bound = malloc((size_t)c.npods * sizeof *n->bound);
    if (n->N == NULL || n->bound == NULL)
        return err->code ? err->code : as_err_set(err, AS_ENOMEM, "out of memory (nodes)");
    return AS_OK;
}

/* The tiers' initial pods, placed at time 0 like any other: one that
 * finds no room (placement decides, the loader cannot see it) is not ready
 * after all: it is replaced by a new pod, Pending like any other. */
static int place_initial(sim_engine *R)
{
    sim_nodes *n = R->nodes;
    int again[SIM_MAX_TIERS] = {0};
    for (int ti = 0; ti < R->nt; ti++) {
        as_pool *P = R->tiers[ti].P;
        for (int k = 0; k < P->cfg.slots; k++) {
            if (P->inst[k].state != AS_INST_READY)
                continue;
            int pod = n->base[ti] + k;
            if (as_nodes_pod_add(n->N, pod, pod_req(R, ti, k), 0, 0) == AS_POD_PENDING) {
                as_nodes_pod_free(n->N, pod);
                as_pool_kill(P, k, 0);
                again[ti]++;
            }
        }
        P->on_release = released;
        P->release_ud = R;
    }
    for (int ti = 0; ti < R->nt; ti++)
        for (int j = 0; j < again[ti]; j++) {
            bool made;
            int rc = sim_launch(R, ti, 0, &made);
            if (rc != AS_OK)
                return rc;
        }
    return AS_OK;
}

sim_nodes *sim_nodes_new(sim_engine *R, uint64_t seed, as_err *err)
{
    sim_nodes *n = calloc(1, sizeof *n);
    if (n == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory (nodes)");
        return NULL;
    }
    n->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (n->rng == NULL || setup(n, R, err) != AS_OK) {
        if (err->code == AS_OK)
            as_err_set(err, AS_ENOMEM, "out of memory (nodes)");
        sim_nodes_free(n);
        return NULL;
    }
    gsl_rng_set(n->rng, (unsigned long)as_seed_derive(seed, 11));
    R->nodes = n;
    return n;
}

void sim_nodes_free(sim_nodes *n)
{
    if (n == NULL)
        return;
    as_nodes_free(n->N);
    if (n->rng)
        gsl_rng_free(n->rng);
    free(n->bound);
    free(n);
}

/* The next spot interruption of pool i: a Poisson process at the pool's
 * rate per node-hour, drawn at the rate of its node count when drawn (as
 * crashes are). */
static int next_notice(sim_engine *R, int i, as_time now)
{
    const sim_nodepool_cfg *c = &R->sc->nodepools[i];
    if (!c->spot || !(c->interruption_rate > 0))
        return AS_OK;
    int ready = R->nodes->N->ex->pools[i].ready;
    double per_s = c->interruption_rate / 3600.0 * (ready > 0 ? ready : 1);
    as_time dt = as_time_from_draw_s(gsl_ran_exponential(R->nodes->rng, 1.0 / per_s)) + 1;
    if (now + dt >= R->sc->duration)
        return AS_OK;
    return push(R, now + dt, NEV_NOTICE, i, 0, 0);
}

int sim_nodes_start(sim_engine *R)
{
    int rc = place_initial(R);
    if (rc == AS_OK && R->nodes->N->cfg.autoscaler != AS_NODES_STATIC)
        rc = push(R, 0, NEV_SCAN, 0, 0, 0);
    for (int i = 0; rc == AS_OK && i < R->sc->nnodepools; i++)
        rc = next_notice(R, i, 0);
    return rc;
}

as_time sim_nodes_boot_bound(const sim_scenario *sc)
{
    as_time b = 0;
    for (int i = 0; i < sc->nnodepools; i++)
        if (sc->nodepools[i].boot_time > b)
            b = sc->nodepools[i].boot_time;
    return b;
}

/* ---- pods and nodes ---- */

int sim_nodes_pod(sim_engine *R, int ti, int k, as_time start, as_time now)
{
    sim_nodes *n = R->nodes;
    int pod = n->base[ti] + k;
    if (as_nodes_pod_add(n->N, pod, pod_req(R, ti, k), start, now) == AS_POD_PENDING)
        return AS_OK;
    return started(R, pod, now);
}

static int launch_node(sim_engine *R, int i, as_time now)
{
    sim_nodes *n = R->nodes;
    int k = as_nodes_launch(n->N, i, now);
    if (k < 0)
        return AS_OK;
    as_time boot = as_time_from_draw_s(draw_boot(n, &R->sc->nodepools[i]));
    return push(R, now + boot, NEV_READY, i, k, n->N->ex->pools[i].inst[k].gen);
}

/* Evict the pods of node x (cordoned first, so that nothing lands on it)
 * and launch as many new pods in their tiers. */
static int evict(sim_engine *R, as_node_ref x, as_time now)
{
    sim_nodes *n = R->nodes;
    int again[SIM_MAX_TIERS] = {0};
    n->N->node[x.pool][x.slot].cordoned = true;
    for (int ti = 0; ti < R->nt; ti++) {
        as_pool *P = R->tiers[ti].P;
        for (int k = 0; k < P->cfg.slots; k++) {
            const as_npod *pd = &n->N->pod[n->base[ti] + k];
            if (pd->state != AS_POD_BOUND || pd->node.pool != x.pool || pd->node.slot != x.slot)
                continue;
            int st = P->inst[k].state;
            if (st == AS_INST_READY)
                as_pool_kill(P, k, now);
            else if (st == AS_INST_BOOTING)
                as_pool_remove(P, k, now);
            else
                as_nodes_pod_free(n->N, n->base[ti] + k);
            again[ti] += st == AS_INST_READY || st == AS_INST_BOOTING;
        }
    }
    for (int ti = 0; ti < R->nt; ti++)
        for (int j = 0; j < again[ti]; j++) {
            bool made;
            int rc = sim_launch(R, ti, now, &made);
            if (rc != AS_OK)
                return rc;
        }
    return check_oom(R);
}

static void remove_node(sim_engine *R, as_node_ref x, as_time now)
{
    as_nodes_remove(R->nodes->N, x, now);
}

/* One loop of the node autoscaler, carried out. */
static int scan(sim_engine *R, as_time now)
{
    sim_nodes *n = R->nodes;
    as_ca_plan pl;
    if (n->N->cfg.autoscaler == AS_NODES_KARPENTER)
        as_karp_scan(n->N, now, &pl);
    else
        as_ca_scan(n->N, now, gsl_rng_uniform(n->rng), &pl);
    int rc = AS_OK;
    for (int e = 0; e < pl.nexpired; e++)
        remove_node(R, pl.expired[e], now);
    for (int i = 0; rc == AS_OK && i < n->N->cfg.npools; i++)
        for (int a = 0; rc == AS_OK && a < pl.add[i]; a++)
            rc = launch_node(R, i, now);
    for (int d = 0; rc == AS_OK && d < pl.ndel; d++) {
        rc = evict(R, pl.del[d], now);
        if (rc == AS_OK)
            remove_node(R, pl.del[d], now);
    }
    if (rc == AS_OK && now + n->N->cfg.ca.scan < R->sc->duration)
        rc = push(R, now + n->N->cfg.ca.scan, NEV_SCAN, 0, 0, 0);
    return rc;
}

/* A spot notice: a uniformly chosen ready node of pool i is cordoned and
 * drained now (as a termination handler does) and goes at the end of the
 * notice. */
static int notice(sim_engine *R, int i, as_time now)
{
    sim_nodes *n = R->nodes;
    const as_pool *P = &n->N->ex->pools[i];
    int live = 0;
    for (int k = 0; k < P->cfg.slots; k++)
        live += P->inst[k].state == AS_INST_READY && !n->N->node[i][k].cordoned;
    if (live > 0) {
        int pick = (int)gsl_rng_uniform_int(n->rng, (unsigned long)live);
        for (int k = 0; k < P->cfg.slots; k++) {
            if (P->inst[k].state != AS_INST_READY || n->N->node[i][k].cordoned || pick-- > 0)
                continue;
            int rc = evict(R, (as_node_ref){i, k}, now);
            if (rc == AS_OK)
                rc = push(R, now + R->sc->nodepools[i].interruption_notice, NEV_KILL, i, k,
                          P->inst[k].gen);
            if (rc != AS_OK)
                return rc;
            n->interruptions[i]++;
            break;
        }
    }
    return next_notice(R, i, now);
}

/* The end of a notice: the node goes and the pool (its cloud group keeps
 * its size) requests a replacement. */
static int kill_node(sim_engine *R, int i, int k, uint32_t gen, as_time now)
{
    const as_pool *P = &R->nodes->N->ex->pools[i];
    if (P->inst[k].gen != gen || P->inst[k].state != AS_INST_READY)
        return AS_OK;
    remove_node(R, (as_node_ref){i, k}, now);
    return launch_node(R, i, now);
}

int sim_nodes_event(sim_engine *R, int what, int slot, uint32_t gen, as_time now)
{
    int kind = what / AS_NODES_MAX_POOLS, i = what % AS_NODES_MAX_POOLS;
    if (check_oom(R) != AS_OK)
        return R->err->code;
    switch (kind) {
    case NEV_READY:
        if (!as_nodes_ready(R->nodes->N, (as_node_ref){i, slot}, gen, now))
            return AS_OK;
        return schedule(R, now);
    case NEV_SCAN:
        return scan(R, now);
    case NEV_NOTICE:
        return notice(R, i, now);
    default:
        return kill_node(R, i, slot, gen, now);
    }
}

/* ---- billing and records ---- */

void sim_nodes_end(sim_engine *R, as_time now)
{
    as_exec_bill_open(R->nodes->N->ex, now);
}

double sim_nodes_cost(const sim_nodes *n)
{
    double c = 0;
    for (int i = 0; i < n->N->cfg.npools; i++)
        c += n->N->ex->pools[i].billed;
    return c;
}

double sim_nodes_bill_add(const sim_nodes *n, as_time now, double b)
{
    for (int i = 0; i < n->N->cfg.npools; i++)
        b = sim_pool_bill_add(&n->N->ex->pools[i], now, b);
    return b;
}

static void pool_row(const sim_nodes *n, int i, as_time now, sim_node_row *r)
{
    const as_pool *P = &n->N->ex->pools[i];
    const as_npool_cfg *c = &n->N->cfg.pools[i];
    r->ready = P->ready;
    r->booting = P->booting;
    for (int k = 0; k < P->cfg.slots; k++) {
        if (P->inst[k].state != AS_INST_READY)
            continue;
        r->cpu_requested += (double)n->N->node[i][k].used.cpu / 1000.0;
        r->mem_requested += (double)n->N->node[i][k].used.mem;
        r->cpu_allocatable += (double)c->alloc.cpu / 1000.0;
        r->mem_allocatable += (double)c->alloc.mem;
    }
    r->cost_rate = P->price_rate;
    r->cost = sim_pool_bill_add(P, now, 0.0);
    r->interruptions = n->interruptions[i];
}

int sim_nodes_record(sim_engine *R, as_time now, sim_ts_row *row)
{
    sim_nodes *n = R->nodes;
    const sim_sink *s = R->sink;
    if (check_oom(R) != AS_OK)
        return R->err->code;
    for (int i = 0; i < n->N->cfg.npools; i++) {
        sim_node_row r = {.t = row->t};
        pool_row(n, i, now, &r);
        row->cost_rate += r.cost_rate;
        n->interruptions[i] = 0;
        if (s && s->node_row && s->node_row(s->ud, i, &r, R->err))
            return R->err->code;
    }
    sim_pod_row p = {.t = row->t,
                     .pending = n->N->pending,
                     .starts = n->starts,
                     .delay_mean = n->starts > 0 ? n->delay_sum / n->starts : 0,
                     .delay_max = n->delay_max};
    n->starts = n->delay_sum = n->delay_max = 0;
    if (s && s->pod_row && s->pod_row(s->ud, &p, R->err))
        return R->err->code;
    return AS_OK;
}
