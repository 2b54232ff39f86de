/* as_nodes.h - the cluster layer under a tier's pods: node pools, which pod
 * runs on which node, Pending pods, and the node autoscalers' decisions
 * (static count, Cluster Autoscaler).
 * Owns: one as_pool per node pool (nodes are instances of it: lifecycle and
 * billing with the pool's granularity and minimum come from as_exec), what
 * each node has allocated to pods, the pods' bindings and the FIFO queue of
 * Pending pods, and the autoscaler's memory (unneeded-since per node, last
 * scale-up and scale-down, per-pool back-off).
 * Invariant: a node's `used` is the sum of the requests of the pods bound to
 * it and never exceeds its allocatable; a pod is free, Pending (queued) or
 * bound to exactly one ready node (a pod waits Pending while a node boots,
 * as kube-scheduler never binds to a node that is not Ready); decisions
 * are functions of the state, `now` and the caller's random draw only.
 * Time is always an argument; nothing here draws, allocates after
 * as_nodes_new, prints, or includes anything of sim/. The engine draws boot
 * times and schedules node and pod events. */
#ifndef AS_NODES_H
#define AS_NODES_H

#include "as.h"
#include "as_exec.h"

#include <stdbool.h>
#include <stdint.h>

#define AS_NODES_MAX_POOLS AS_EXEC_MAX_POOLS
#define AS_NODES_MAX_DEL 16 /* nodes one scan may remove */

/* Requests and allocatable in the units Kubernetes counts them in:
 * CPU in millicores, memory in MiB (integers, so that scores and fits are
 * exact as kube-scheduler's int64 arithmetic is). */
typedef struct as_res {
    int64_t cpu; /* millicores */
    int64_t mem; /* MiB */
} as_res;

/* kube-scheduler NodeResourcesFit scoring strategies. */
enum { AS_SCORE_LEAST, AS_SCORE_MOST };
/* Node autoscalers. */
enum { AS_NODES_STATIC, AS_NODES_CA, AS_NODES_KARPENTER };
/* Cluster Autoscaler expanders. */
enum { AS_EXPAND_RANDOM, AS_EXPAND_LEAST_WASTE, AS_EXPAND_PRICE };
/* A pod's state in the node layer. */
enum { AS_POD_NONE, AS_POD_PENDING, AS_POD_BOUND };

typedef struct as_npool_cfg {
    as_res alloc;           /* allocatable per node */
    double price;           /* per node-hour */
    as_time boot;           /* mean boot time (the caller draws the actual one) */
    int min, max, initial;  /* 0 <= min <= initial <= max */
    as_time granularity;    /* billing: used time rounded up to this */
    as_time minimum;        /* billing: at least this per node */
} as_npool_cfg;

/* Cluster Autoscaler settings (defaults: as_nodes_ca_defaults). */
typedef struct as_ca_cfg {
    as_time scan;               /* --scan-interval */
    double threshold;           /* --scale-down-utilization-threshold */
    as_time unneeded_time;      /* --scale-down-unneeded-time */
    as_time delay_after_add;    /* --scale-down-delay-after-add */
    as_time delay_after_delete; /* --scale-down-delay-after-delete (0: = scan) */
    as_time max_provision;      /* --max-node-provision-time */
    as_time backoff;            /* a pool whose node timed out is skipped this long */
    int expander;               /* --expander: AS_EXPAND_* */
    int max_empty_bulk;         /* --max-empty-bulk-delete */
    as_time consolidate_after;  /* Karpenter: a node is consolidated once it could go this long */
} as_ca_cfg;

typedef struct as_nodes_cfg {
    int npools;
    as_npool_cfg pools[AS_NODES_MAX_POOLS];
    int scoring;    /* AS_SCORE_* */
    int autoscaler; /* AS_NODES_* */
    as_ca_cfg ca;
    int npods;      /* pod ids are 0 .. npods-1 (the caller's numbering) */
} as_nodes_cfg;

typedef struct as_node_ref {
    int pool, slot; /* pool -1: none */
} as_node_ref;

/* What the node layer knows of one node (beside its as_pool slot). */
typedef struct as_node {
    as_res used;            /* requests of the pods bound to it */
    int pods;               /* pods bound to it */
    as_time unneeded_since; /* -1: needed */
    bool cordoned;          /* no new pods (a spot node under notice, a node being replaced) */
    bool replacing;         /* Karpenter: a cheaper node was asked for in its place */
} as_node;

/* What it knows of one pod. */
typedef struct as_npod {
    int state;          /* AS_POD_* */
    as_res req;
    as_node_ref node;   /* when bound */
    as_time since;      /* when it asked for a node */
    as_time bound;      /* when it was bound (bound - since: its scheduling delay) */
    as_time start;      /* the pod's own start time, the caller's payload */
} as_npod;

typedef struct as_nodes {
    as_nodes_cfg cfg;
    as_exec *ex;                         /* pool i's nodes: ex->pools[i] */
    as_node *node[AS_NODES_MAX_POOLS];   /* per slot */
    as_npod *pod;                         /* npods */
    int *queue, qhead, qlen;             /* Pending pods, FIFO (stale ids skipped) */
    int pending;                         /* pods Pending now */
    as_res *scratch;                     /* free capacity per node, for simulations */
    as_res *claim;                       /* Karpenter: requests per planned node (nslots) */
    int *work;                           /* npods ints, for simulations */
    int nslots;                          /* nodes over every pool (scratch's length) */
    int off[AS_NODES_MAX_POOLS];         /* pool i's first node in scratch */
    as_time last_add, last_delete;       /* last scale-up and removal (-inf: never) */
    as_time backoff_until[AS_NODES_MAX_POOLS];
} as_nodes;

/* The Cluster Autoscaler FAQ's defaults (README cites them). */
void as_nodes_ca_defaults(as_ca_cfg *ca);

/* Nodes of the given pools (initial ones ready at time 0), room for
 * cfg->npods pods. Caller owns the result; NULL with err filled on bad
 * configuration or no memory. */
as_nodes *as_nodes_new(const as_nodes_cfg *cfg, as_err *err);
void as_nodes_free(as_nodes *N); /* NULL is a no-op */

/* ---- scheduling (kube-scheduler's NodeResourcesFit) ---- */

/* The score (0..100) of a node with allocatable a and requested u for a
 * pod requesting r, or -1 when it does not fit. */
int64_t as_nodes_score(as_res a, as_res u, as_res r, int scoring);
/* The ready node that scores best for r (ties: lowest pool, then slot);
 * pool -1 when none fits. */
as_node_ref as_nodes_pick(const as_nodes *N, as_res r);

/* A pod asks for a node at now (start: its own start time, kept for the
 * caller). Returns AS_POD_BOUND (placed on a ready node: it starts now) or
 * AS_POD_PENDING (queued). */
int as_nodes_pod_add(as_nodes *N, int pod, as_res req, as_time start, as_time now);
/* A pod leaves (any state): what it held is freed, or it leaves the queue. */
void as_nodes_pod_free(as_nodes *N, int pod);
/* Bind queued pods, oldest first, while they fit on ready nodes; the ids
 * bound go to out (at most cap). Returns how many. */
int as_nodes_schedule(as_nodes *N, as_time now, int *out, int cap);

/* ---- nodes ---- */

/* Request a node of pool i at now (booting). The slot, or -1 when full. */
int as_nodes_launch(as_nodes *N, int i, as_time now);
/* A node's boot ends (false: stale). */
bool as_nodes_ready(as_nodes *N, as_node_ref n, uint32_t gen, as_time now);
/* Remove a node at now (billed). Its pods must have been freed first. */
void as_nodes_remove(as_nodes *N, as_node_ref n, as_time now);
/* Requested utilisation of a node: max of CPU and memory (as CA counts). */
double as_nodes_util(const as_nodes *N, as_node_ref n);
/* Nodes of pool i (ready, booting). */
int as_nodes_count(const as_nodes *N, int i, int *booting);

/* ---- Cluster Autoscaler: one scan ---- */

typedef struct as_ca_plan {
    int add[AS_NODES_MAX_POOLS];      /* nodes to request per pool */
    int ndel;
    as_node_ref del[AS_NODES_MAX_DEL]; /* nodes to remove (pods evicted first) */
    int nexpired;
    as_node_ref expired[AS_NODES_MAX_DEL]; /* booting past max-node-provision-time */
    int chosen;                         /* pool of the scale-up (-1: none) */
} as_ca_plan;

/* One Karpenter-style loop at now: Pending pods that no booting node takes
 * are packed first-fit onto planned nodes the size of the largest type with
 * room, and each planned node is launched as the cheapest type its pods fit
 * (right-sizing); with nothing to provision, one node is consolidated: a
 * node whose pods fit on the other ready nodes is removed, else a node
 * whose pods fit a cheaper type is cordoned and that type asked for (it is
 * removed once its pods fit elsewhere, i.e. on its replacement), each once
 * it has been so for consolidate_after. */
void as_karp_scan(as_nodes *N, as_time now, as_ca_plan *plan /* OUT */);

/* One Cluster Autoscaler loop at now: scale up for Pending pods that no
 * booting node will take (one pool, picked by the expander; u in [0,1) is
 * the caller's draw for the random expander), else mark unneeded nodes and
 * plan the removal of those unneeded for unneeded_time once the scale-down
 * cool-downs have passed. Updates the autoscaler's memory; the caller
 * carries out the plan. */
void as_ca_scan(as_nodes *N, as_time now, double u, as_ca_plan *plan /* OUT */);

#endif
