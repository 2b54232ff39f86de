/* sim_engine.h - one run as an object: built from a scenario and a policy,
 * driven one event at a time or to the end, then read for its summary.
 * Owns: everything a run allocates (event queue, instances, monitors,
 * policy instances, forecasters, the request-level model, the trace
 * replay); all of it is taken by sim_engine_new, so stepping does not
 * allocate (the event heap may grow in a run's first moments, while the
 * number of pending events rises).
 * Invariant: simulated time only advances through the event queue; the
 * same scenario, policy, seed and options give bit-identical rows and
 * summary whether the run is stepped or run to the end.
 * Must not: read a clock, print, or know where rows go (the sink does). */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include "as_exec.h"
#include "sim_run.h"

#include <stdbool.h>

typedef struct sim_engine sim_engine;

/* Event types, in the order of their priority at one instant (instances
 * first, the end last; see sim_run.c). */
enum {
    SIM_EV_READY,  /* a boot ends: the instance serves, or failed */
    SIM_EV_GONE,   /* a drain ends: the instance leaves */
    SIM_EV_CRASH,  /* a ready instance crashes (fault injection) */
    SIM_EV_RETIRE, /* an instance of a replaced type leaves */
    SIM_EV_NODE,   /* the node layer: a node ready, a scan, a spot notice or kill */
    SIM_EV_RECORD, /* the record interval ending now is written */
    SIM_EV_SCRAPE, /* the monitors sample */
    SIM_EV_EVAL,   /* a tier's policy decides */
    SIM_EV_TICK,   /* the latency model covers [now, now + tick) */
    SIM_EV_END,    /* the run ends: open instances are billed */
    SIM_EV_COUNT
};

/* What one step handled. */
typedef struct sim_step {
    as_time t;     /* simulated time of the event */
    int type;      /* SIM_EV_* */
    int tier;      /* the tier it concerns (-1: none) */
    int slot;      /* the instance slot (READY, GONE, RETIRE; else -1) */
} sim_step;

/* A run of policy number `policy` of sc, rows handed to sink (borrowed;
 * NULL: nothing recorded); opts may be NULL (defaults), it is copied and
 * its pointers borrowed for the engine's life; sc must outlive the engine.
 * Fails (NULL, err filled) on no memory, a bad forecaster or detector
 * name, a trace that cannot be opened, or a request-level run expected to
 * exceed opts' max_events or max_memory (AS_EINVAL, naming the option that
 * raises the limit). A half-built engine is freed. */
sim_engine *sim_engine_new(const sim_scenario *sc, int policy, const sim_sink *sink,
                           const sim_run_opts *opts, as_err *err);
void sim_engine_free(sim_engine *e); /* NULL is a no-op */

/* Handle the next event (ev, if not NULL, says which). AS_OK, or the
 * failure of the event (a sink's error, no memory, AS_EINTR when opts'
 * stop flag is set: it is read every 1024 events, and every 65536 events
 * inside the request-level model); after a failure the engine is unusable
 * and every later step returns the same status. Once the run is done
 * (sim_engine_done), a step does nothing (ev->type = -1) and returns AS_OK. */
int sim_engine_step(sim_engine *e, sim_step *ev /* OUT, may be NULL */, as_err *err);
/* Step until the run is done or a step fails. */
int sim_engine_run(sim_engine *e, as_err *err);
bool sim_engine_done(const sim_engine *e);
/* Time of the last event handled (0 before the first). */
as_time sim_engine_now(const sim_engine *e);
/* The instances of a tier (borrowed, valid until the next step). */
const as_pool *sim_engine_pool(const sim_engine *e, int tier);
/* The summary of a done run (ranking columns NAN); AS_EINVAL before. */
int sim_engine_summary(const sim_engine *e, sim_summary_row *sum /* OUT */, as_err *err);

#endif
