/* sim_run.h - one run: a scenario's trace through the simulated cluster
 * and one policy, its rows handed to a sink (sim_record.h); the options of
 * a run. sim_run_policy runs one to the end; sim_engine.h drives one event
 * at a time.
 * Invariant: same scenario, policy, seed and options give bit-identical
 * records. */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include "sim_record.h"
#include "sim_scenario.h"

#include <signal.h>

/* Limits of the request-level model (model = des) when the options leave
 * them 0: about 20 minutes of events at 10 M events/s, and 2 GiB. */
#define SIM_DEFAULT_MAX_EVENTS 10000000000ULL
#define SIM_DEFAULT_MAX_MEMORY (2ULL << 30)

typedef struct sim_run_opts {
    /* set asynchronously to stop (SIGINT, SIGTERM); may be NULL. Read with a
     * relaxed atomic load every 1024 events (and every 65536 events inside
     * the request-level model), so a run stops within milliseconds. */
    volatile sig_atomic_t *stop;
    int record_trace;              /* write /trace rows (the first run does) */
    /* progress: called with the simulated fraction done at every record
     * row and every few hundred thousand ticks; may be NULL */
    void (*progress)(void *ud, double fraction);
    void *progress_ud;
    const char *name;              /* run name (default: the policy's name) */
    const char *params;            /* sweep point settings, for the results */
    const uint64_t *seed;          /* seed of this run (default: the scenario's) */
    /* request-level model: refuse to start a run expected to take more
     * events, or able to take more bytes (0: the defaults above). Queues
     * without a queue_cap get one derived from max_memory, so that an
     * overloaded run stays within it (requests beyond are dropped and
     * counted in the summary's `clamped`). */
    uint64_t max_events;
    uint64_t max_memory;
} sim_run_opts;

/* Run policy number `policy` of sc, handing every row to sink (borrowed;
 * may be NULL: nothing recorded); opts may be NULL. Fills sum (ranking
 * columns NAN); wall time is the caller's (core and sim read no clock).
 * The same as sim_engine_new, sim_engine_run, sim_engine_summary, but for
 * the oracle under model = des: it runs in passes over the same requests,
 * each raising its plan where the previous one failed a window, and only
 * the last pass's rows reach the sink, then its attribute oracle_passes
 * (sim_refine.c; an engine stepped by hand runs one unrefined pass). */
int sim_run_policy(const sim_scenario *sc, int policy, const sim_sink *sink,
                   const sim_run_opts *opts, sim_summary_row *sum, as_err *err);

/* The seed of the trace's random parts in a run of the given seed (also
 * what `simrun trace gen` uses, so its CSV is the trace a run replays). */
uint64_t sim_trace_seed(uint64_t seed);

#endif
