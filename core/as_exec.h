/* as_exec.h - execution: the instances of every tier and the rules that
 * change them (lifecycle bookkeeping, limits, instance-type choice, billing).
 * Owns: per tier a pool of instance slots (state, generation, type, request
 * and ready times), its counts (ready, booting, draining, capacity units),
 * its bill (exact cost of closed instances, price rate of open ones) and the
 * type new instances get; across tiers the execution limits (a quota of
 * instances and a budget per hour) that cap a scale-out.
 * Invariant: the counts always equal the slot states they sum up; an
 * instance is billed exactly once, when it leaves (or by as_exec_bill_open
 * at the end); a slot's generation only grows, so an event scheduled for a
 * slot is known to be stale when its generation differs.
 * Time is always an argument: core has no clock. The caller (the engine)
 * schedules what happens later (boot done, drain done, retirement) and draws
 * the random boot times; nothing here draws, allocates after as_exec_new,
 * prints, or includes anything of sim/. */
#ifndef AS_EXEC_H
#define AS_EXEC_H

#include "as.h"
#include "as_policy.h"

#include <stdbool.h>
#include <stdint.h>

#define AS_EXEC_MAX_POOLS 8 /* tiers */
#define AS_EXEC_MAX_TYPES 8 /* instance types per tier */

enum { AS_INST_FREE, AS_INST_BOOTING, AS_INST_READY, AS_INST_DRAINING };

/* One slot. A launch takes a free slot; release frees it (gen + 1). */
typedef struct as_inst {
    int state;          /* AS_INST_* */
    uint32_t gen;       /* changes whenever the slot changes state */
    as_time requested;  /* when it was asked for: billing starts here */
    as_time ready_at;   /* when it became ready (scale-in order) */
    bool fails;         /* this boot will fail (set by the caller's fault draw) */
    int type;           /* index into the pool's types */
} as_inst;

/* An instance type: `factor` base units of capacity at `price` per hour,
 * ready `boot` after it is requested. */
typedef struct as_itype {
    int factor;
    double price;
    as_time boot;
} as_itype;

typedef struct as_pool_cfg {
    int slots;              /* most instances at once, all states (> 0) */
    int concurrency;        /* servers per instance of factor 1 */
    int ntypes;             /* 1 .. AS_EXEC_MAX_TYPES */
    as_itype types[AS_EXEC_MAX_TYPES];
    int type;               /* type of the initial instances and of new ones */
    int initial;            /* instances ready at time 0 (<= slots) */
    as_time granularity;    /* billing: used time rounded up to this */
    as_time minimum;        /* billing: at least this per instance */
    bool drains;            /* a removed ready instance drains before it leaves */
    bool oldest_first;      /* scale in the oldest ready instance first (else newest) */
} as_pool_cfg;

/* A tier's instances. Read the fields freely; change them only through
 * the as_pool_* calls, which keep the counts and the bill consistent. */
typedef struct as_pool {
    as_pool_cfg cfg;
    as_inst *inst;          /* cfg.slots slots */
    int ready, booting, draining;
    int units;              /* ready capacity in base units: sum of ready factors */
    int type;               /* the type new instances get */
    double price_rate;      /* price per hour of every open (billed) instance */
    double billed;          /* exact cost of the instances closed so far */
    int peak;               /* most ready + booting after a scaling decision */
    int top;                /* slots [top, cfg.slots) have never held an instance (all
                             * free): a walk over the open ones may stop there */
    /* Called whenever a slot becomes free (an instance leaves, for any
     * reason), after the pool's counts are updated; NULL: nobody asks.
     * The node layer uses it to free what a pod held on its node. */
    void (*on_release)(void *ud, const struct as_pool *p, int k, as_time now);
    void *release_ud;
} as_pool;

/* Limits over all pools; 0 = none. */
typedef struct as_exec_limits {
    int max_instances;      /* quota: instances of every state over all tiers */
    double budget;          /* price per hour of every open instance over all tiers */
} as_exec_limits;

typedef struct as_exec {
    int npools;
    as_exec_limits lim;
    as_pool pools[AS_EXEC_MAX_POOLS];
} as_exec;

/* Pools of the given configurations (copied), their initial instances
 * ready at time 0. Caller owns the result; NULL with err filled on bad
 * configuration or no memory. */
as_exec *as_exec_new(const as_exec_limits *lim, int npools, const as_pool_cfg *cfgs,
                     as_err *err);
void as_exec_free(as_exec *x); /* NULL is a no-op */

/* The scale-out pool i may make towards `desired` (ready + booting) under
 * the quota and the budget; *why is set to AS_R_QUOTA or AS_R_BUDGET when
 * one of them cut it, else left alone. A scale-in is never limited. */
int as_exec_limit_out(const as_exec *x, int i, int desired, as_reason *why);
/* Bill every open instance up to now (the end of a run). */
void as_exec_bill_open(as_exec *x, as_time now);

/* Request one instance of the pool's current type in the first free slot,
 * at now: booting, billed from now. Returns the slot, or -1 when every slot
 * is taken. The caller draws the boot time (and p->inst[k].fails) and
 * schedules as_pool_boot_done with the slot's generation. */
int as_pool_launch(as_pool *p, as_time now);

enum { AS_BOOT_STALE, AS_BOOT_FAILED, AS_BOOT_READY };
/* A boot scheduled with generation gen ends at now: AS_BOOT_STALE when the
 * slot moved on since (cancelled), AS_BOOT_FAILED when it was drawn to fail
 * (billed for the attempt, freed), else AS_BOOT_READY (now serving). */
int as_pool_boot_done(as_pool *p, int k, uint32_t gen, as_time now);

/* The instance a scale-in removes next: the newest booting one, else a
 * ready one in the pool's scale-in order; -1 when there is none. */
int as_pool_victim(const as_pool *p);
/* Take slot k out of service at now: a booting instance is cancelled (and
 * billed), a ready one drains when the pool drains (returns 1: the caller
 * schedules as_pool_drain_done at now + drain time with the new generation)
 * or leaves at once. Other states: nothing. Returns 1 when a drain began. */
int as_pool_remove(as_pool *p, int k, as_time now);
/* A drain scheduled with generation gen ends at now; false when stale. */
bool as_pool_drain_done(as_pool *p, int k, uint32_t gen, as_time now);
/* A ready instance dies at now: it leaves at once, without draining. */
void as_pool_kill(as_pool *p, int k, as_time now);
/* The slot of the n-th ready instance in slot order (0-based), or -1. */
int as_pool_nth_ready(const as_pool *p, int n);
/* Keep the peak of ready + booting (after a scaling decision). */
void as_pool_note_peak(as_pool *p);

/* Vertical scaling: the type that holds want_units base units (servers =
 * want_units x concurrency; at least 1 unit) for the least price, with its
 * instance count in [min, max] in *count. Another type must save 10% over
 * the current one (no flapping between near-equal types); a type that
 * needs more than max instances cannot hold it. Returns the chosen type,
 * the current one when none is cheaper enough. */
int as_pool_cheapest_type(const as_pool *p, double want_units, int min, int max, int *count);

#endif
