/* sim_queue.h - the event queue of the simulator: a binary heap ordered by
 * (time, priority, sequence), so that events at equal times run in a fixed
 * priority order and, within one priority, first scheduled first (FIFO).
 * Owns: its event array, grown by doubling; in steady state no push or pop
 * allocates (the array only grows while the number of pending events does).
 * Invariant: popped times never decrease; a push at a time earlier than the
 * last pop is a programming error (assert).
 * Cancellation: events carry a generation number that the owner compares
 * with its object's current one (a stale event is skipped), which costs
 * nothing in the heap; a handle-to-index map would allow true removal. */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include "as.h"

#include <stdint.h>

typedef struct sim_event {
    as_time t;
    int prio;      /* lower runs first at equal t */
    uint64_t seq;  /* push order: FIFO among equal (t, prio) */
    int type;      /* owner-defined */
    int a, b;      /* owner-defined arguments (tier, instance, ...) */
    uint32_t gen;  /* owner-defined generation, for lazy cancellation */
} sim_event;

typedef struct sim_queue {
    sim_event *heap;
    size_t n, cap;
    uint64_t next_seq;
    as_time now; /* time of the last pop */
} sim_queue;

int sim_queue_init(sim_queue *q, size_t cap, as_err *err);
void sim_queue_fini(sim_queue *q);
/* Returns AS_ENOMEM only when the heap must grow and cannot. */
int sim_queue_push(sim_queue *q, as_time t, int prio, int type, int a, int b, uint32_t gen);
/* 0 when empty; else 1 and *out = the earliest event. */
int sim_queue_pop(sim_queue *q, sim_event *out);
/* The earliest event, left in place; NULL when empty. */
static inline const sim_event *sim_queue_top(const sim_queue *q)
{
    return q->n > 0 ? &q->heap[0] : NULL;
}
/* An event kept outside the queue runs at t (>= now): now moves to t, as
 * a pop of it would have moved it. */
void sim_queue_advance(sim_queue *q, as_time t);

#endif
