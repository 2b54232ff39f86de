/* as_nodes_int.h - what the node autoscalers' files share inside core
 * (as_nodes_ca.c, as_nodes_karp.c): the simulations both run over
 * as_nodes' scratch arrays. Not part of the API.
 * Must not: be included outside core/as_nodes*.c. */
#ifndef AS_NODES_INT_H
#define AS_NODES_INT_H

#include "as_nodes.h"

static inline bool as_nodes_fits(as_res free, as_res r)
{
    return r.cpu <= free.cpu && r.mem <= free.mem;
}

static inline void as_nodes_take(as_res *free, as_res r)
{
    free->cpu -= r.cpu;
    free->mem -= r.mem;
}

/* Booting nodes past max-node-provision-time into plan->expired; their
 * pools backed off. */
void as_nodes_expire(as_nodes *N, as_time now, as_ca_plan *plan);
/* The Pending pods no booting node takes (first fit into their
 * allocatable) into N->work; their count. */
int as_nodes_unhelped(as_nodes *N, const as_ca_plan *plan);
/* N->scratch = free capacity of every ready, uncordoned node (0 else). */
void as_nodes_fill_free(as_nodes *N);
/* Can the pods of x move to other nodes with room in N->scratch? If so
 * their room is taken there. */
bool as_nodes_drainable(as_nodes *N, as_node_ref x);

#endif
