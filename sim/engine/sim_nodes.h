/* sim_nodes.h - the node layer of a run: the engine's side of core's
 * as_nodes. Pods (the tiers' instances) ask for room on nodes when they
 * are launched; a pod that finds none is Pending and starts once a node
 * has booted (node boot + the pod's own start); node pools scale by the
 * scenario's node autoscaler; spot nodes are interrupted; nodes are billed.
 * Owns: the as_nodes of the run, its random stream (node boots, the random
 * expander, spot interruptions) and its interval figures.
 * Invariant: without [nodepool.NAME] sections the engine has no node layer
 * (R->nodes is NULL) and none of these calls is made: a run is then
 * bit-identical to one of an engine without it.
 * Must not: change a tier's counts other than through as_pool calls (so
 * that core's bookkeeping holds), allocate after sim_nodes_new, or print. */
#ifndef SIM_NODES_H
#define SIM_NODES_H

#include "as.h"
#include "sim_record.h"

typedef struct sim_engine sim_engine;
typedef struct sim_nodes sim_nodes;

/* The node layer of R's scenario (after the tiers' pools exist), or NULL
 * with err filled on no memory; the caller checks sc->nnodepools first. */
sim_nodes *sim_nodes_new(sim_engine *R, uint64_t seed, as_err *err);
void sim_nodes_free(sim_nodes *n); /* NULL is a no-op */
/* The events the layer starts with (the autoscaler's first scan, spot). */
int sim_nodes_start(sim_engine *R);

/* Pod k of tier ti was just launched (booting), its own start time drawn:
 * placed now (its ready event pushed) or Pending. */
int sim_nodes_pod(sim_engine *R, int ti, int k, as_time start, as_time now);
/* A node-layer event (SIM_EV_NODE) at now. */
int sim_nodes_event(sim_engine *R, int what, int slot, uint32_t gen, as_time now);
/* The longest extra wait a new pod may have for a node (the slowest
 * pool's mean boot): added to the oracle's boot time and horizon. */
as_time sim_nodes_boot_bound(const sim_scenario *sc);

/* The run ends at now: open nodes billed. */
void sim_nodes_end(sim_engine *R, as_time now);
/* The record interval ending now: node rows to the sink, the nodes' price
 * rate added to the row's cost rate (their bill is in sim_billed_at). */
int sim_nodes_record(sim_engine *R, as_time now, sim_ts_row *row);
/* Billed cost of every node (after sim_nodes_end). */
double sim_nodes_cost(const sim_nodes *n);
/* b plus what the nodes' bill says at now: every open node rounded up to
 * its pool's billing granularity (the nodes' share of the row's cost). */
double sim_nodes_bill_add(const sim_nodes *n, as_time now, double b);

#endif
