/* sim_run.h - one run: a scenario's trace through the simulated cluster
 * and one policy, its rows handed to a sink (sim_record.h).
 * Owns: everything a run allocates (event queue, tiers, monitors, policy
 * instances, forecasters); all of it is taken before the first event, so
 * the event loop itself does not allocate (the heap may grow in its first
 * moments, while the number of pending events rises).
 * Invariant: simulated time only advances through the event queue; same
 * scenario, policy and seed give bit-identical records. */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include "sim_record.h"
#include "sim_scenario.h"

#include <signal.h>

typedef struct sim_run_opts {
    volatile sig_atomic_t *stop;   /* set asynchronously to stop (SIGINT); may be NULL */
    int record_trace;              /* write /trace rows (the first run does) */
    /* progress: called every few hundred thousand ticks with the simulated
     * fraction done; may be NULL */
    void (*progress)(void *ud, double fraction);
    void *progress_ud;
    const char *name;              /* run name (default: the policy's name) */
    const char *params;            /* sweep point settings, for the results */
    const uint64_t *seed;          /* seed of this run (default: the scenario's) */
} sim_run_opts;

/* Run policy number `policy` of sc, handing every row to sink (borrowed;
 * may be NULL: nothing recorded). Fills sum (ranking columns NAN); wall
 * time is the caller's (core and sim read no clock). */
int sim_run_policy(const sim_scenario *sc, int policy, const sim_sink *sink,
                   const sim_run_opts *opts, sim_summary_row *sum, as_err *err);

/* The seed of the trace's random parts in a run of the given seed (also
 * what `simrun trace gen` uses, so its CSV is the trace a run replays). */
uint64_t sim_trace_seed(uint64_t seed);

#endif
