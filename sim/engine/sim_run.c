/* sim_run.c - the event loop of one run: one event per step, one handler
 * per event type.
 *
 * Time advances through the event queue only. Events at the same instant
 * run in this order (their priority):
 *   0 instance ready / gone / crash / retire   capacity at t is settled first
 *   1 record                           closes the interval that ends at t
 *   2 scrape                           the monitor samples what [t-scrape, t) showed
 *   3 evaluate                         a policy decides from what it has seen
 *   4 tick                             the latency model covers [t, t+tick)
 *   5 end
 * and, within one priority, in the order they were scheduled. Each
 * periodic handler schedules its own next event. Nothing on this path
 * allocates, prints or formats (the event heap aside, which only grows in
 * a run's first moments).
 *
 * The tick, one event in every step but a few, is not queued: tick_next
 * holds its time, and a step runs it when the queue's first event is later
 * or of a later priority (no other event has its priority, so the order is
 * the one the queue gave it; a push and a pop of the heap a tick were a
 * tenth of a week's instructions at 1 s ticks).
 *
 * Stopping: the stop flag is read every STOP_EVERY steps with a relaxed
 * atomic load (a load and a branch per thousand events); a step is at most
 * one tick of the latency model, and the request-level model reads the flag
 * itself, so a run stops within milliseconds of a signal. */
#include "sim_engine_int.h"

#include <stdlib.h>

#define STOP_EVERY 1023u       /* steps between two looks at the stop flag, minus 1 */
#define PROGRESS_EVERY 0x3FFFFu /* ticks between two progress calls, minus 1 */

static const int ev_prio[SIM_EV_COUNT] = {
    [SIM_EV_READY] = 0,  [SIM_EV_GONE] = 0,   [SIM_EV_CRASH] = 0, [SIM_EV_RETIRE] = 0,
    [SIM_EV_NODE] = 0,
    [SIM_EV_RECORD] = 1, [SIM_EV_SCRAPE] = 2, [SIM_EV_EVAL] = 3,  [SIM_EV_TICK] = 4,
    [SIM_EV_END] = 5};

int sim_push(sim_engine *R, as_time t, int type, int a, int b, uint32_t gen)
{
    if (sim_queue_push(&R->q, t, ev_prio[type], type, a, b, gen))
        return as_err_set(R->err, AS_ENOMEM, "out of memory (events)");
    return AS_OK;
}

/* ---- handlers: one per event type ---- */

static int on_tick(sim_engine *R, const sim_event *ev)
{
    as_time now = ev->t, end = R->sc->duration;
    int rc = sim_ring_fill(R, now + R->horizon_t);
    if (rc == AS_OK)
        rc = sim_tick(R, now);
    if (rc != AS_OK)
        return rc;
    sim_ring_pop(R);
    R->tick_next = now + R->sc->tick < end ? now + R->sc->tick : -1;
    if ((++R->ticks & PROGRESS_EVERY) == 0 && R->opts.progress)
        R->opts.progress(R->opts.progress_ud, (double)now / (double)end);
    return rc;
}

static int on_record(sim_engine *R, const sim_event *ev)
{
    as_time now = ev->t;
    double mean_rate = R->i_time > 0 ? R->i_rate / R->i_time : 0.0;
    int rc = sim_record(R, now);
    if (rc == AS_OK && R->opts.record_trace && R->sink && R->sink->trace)
        rc = R->sink->trace(R->sink->ud, as_time_to_s(now), mean_rate, R->err);
    if (rc == AS_OK && now + R->sc->record <= R->sc->duration)
        rc = sim_push(R, now + R->sc->record, SIM_EV_RECORD, 0, 0, 0);
    /* also once per record row: a run of fewer ticks than PROGRESS_EVERY
     * (two days at 1 s) or a DES run would otherwise report nothing until
     * it ends; the callback is one relaxed atomic store in sim/batch */
    if (R->opts.progress)
        R->opts.progress(R->opts.progress_ud, (double)now / (double)R->sc->duration);
    return rc;
}

static int on_scrape(sim_engine *R, const sim_event *ev)
{
    sim_scrape(R, ev->t);
    if (ev->t + R->scrape < R->sc->duration)
        return sim_push(R, ev->t + R->scrape, SIM_EV_SCRAPE, 0, 0, 0);
    return AS_OK;
}

static int on_eval(sim_engine *R, const sim_event *ev)
{
    int rc = sim_eval(R, ev->a, ev->t);
    if (rc == AS_OK && ev->t + R->pc->interval < R->sc->duration)
        rc = sim_push(R, ev->t + R->pc->interval, SIM_EV_EVAL, ev->a, 0, 0);
    return rc;
}

static int on_ready(sim_engine *R, const sim_event *ev)
{
    return sim_boot_done(R, ev->a, ev->b, ev->gen, ev->t);
}

static int on_gone(sim_engine *R, const sim_event *ev)
{
    as_pool_drain_done(R->tiers[ev->a].P, ev->b, ev->gen, ev->t);
    return AS_OK;
}

static int on_crash(sim_engine *R, const sim_event *ev) { return sim_crash(R, ev->a, ev->t); }

static int on_retire(sim_engine *R, const sim_event *ev)
{
    return sim_retire(R, ev->a, ev->b, ev->gen, ev->t);
}

static int on_node(sim_engine *R, const sim_event *ev)
{
    return sim_nodes_event(R, ev->a, ev->b, ev->gen, ev->t);
}

/* The end: requests still in the system are served (request level), the
 * rows held back go out, and what still runs is billed up to the end. */
static int on_end(sim_engine *R, const sim_event *ev)
{
    int rc = sim_rows_finish(R, ev->t);
    if (rc != AS_OK)
        return rc;
    R->done = true;
    as_exec_bill_open(R->ex, ev->t);
    if (R->nodes)
        sim_nodes_end(R, ev->t);
    return AS_OK;
}

static int (*const handler[SIM_EV_COUNT])(sim_engine *, const sim_event *) = {
    [SIM_EV_READY] = on_ready,   [SIM_EV_GONE] = on_gone,     [SIM_EV_CRASH] = on_crash,
    [SIM_EV_RETIRE] = on_retire, [SIM_EV_NODE] = on_node,     [SIM_EV_RECORD] = on_record, [SIM_EV_SCRAPE] = on_scrape,
    [SIM_EV_EVAL] = on_eval,     [SIM_EV_TICK] = on_tick,     [SIM_EV_END] = on_end};

/* ---- the loop ---- */

static int fail(sim_engine *R, int rc, as_err *err)
{
    if (R->errbuf.code == AS_OK)
        R->errbuf.code = rc;
    R->rc = rc;
    if (err)
        *err = R->errbuf;
    return rc;
}

static bool stop_requested(const sim_engine *R)
{
    return R->opts.stop && __atomic_load_n(R->opts.stop, __ATOMIC_RELAXED);
}

/* Whether the tick is the next event: no queued event comes first. */
static inline bool tick_first(const sim_engine *R)
{
    const sim_event *top = sim_queue_top(&R->q);
    return R->tick_next >= 0 && (top == NULL || top->t > R->tick_next ||
                                 (top->t == R->tick_next && top->prio > ev_prio[SIM_EV_TICK]));
}

int sim_engine_step(sim_engine *R, sim_step *ev, as_err *err)
{
    if (ev)
        *ev = (sim_step){.t = R->q.now, .type = -1, .tier = -1, .slot = -1};
    if (R->rc != AS_OK) {
        if (err)
            *err = R->errbuf;
        return R->rc;
    }
    if (R->done)
        return AS_OK;
    if ((++R->steps & STOP_EVERY) == 0 && stop_requested(R))
        return fail(R, as_err_set(R->err, AS_EINTR, "interrupted"), err);
    sim_event e;
    bool tick = tick_first(R);
    if (tick) {
        e = (sim_event){.t = R->tick_next, .prio = ev_prio[SIM_EV_TICK], .type = SIM_EV_TICK};
        sim_queue_advance(&R->q, e.t);
    } else if (!sim_queue_pop(&R->q, &e)) { /* cannot happen: the end is always queued */
        R->done = true;
        return AS_OK;
    }
    if (ev) {
        bool per_tier = e.type <= SIM_EV_RETIRE || e.type == SIM_EV_EVAL;
        bool per_slot = e.type == SIM_EV_READY || e.type == SIM_EV_GONE || e.type == SIM_EV_RETIRE;
        *ev = (sim_step){.t = e.t,
                         .type = e.type,
                         .tier = per_tier ? e.a : -1,
                         .slot = per_slot ? e.b : -1};
    }
    int rc = tick ? on_tick(R, &e) : handler[e.type](R, &e); /* (the tick's call direct) */
    return rc == AS_OK ? AS_OK : fail(R, rc, err);
}

/* The steps of sim_engine_step, with the ticks between two queued events
 * run here in a row: a tick is most steps, and the step's own checks and
 * call were some 50 instructions a tick (3 % of a week of week3tier.ini).
 * The same handlers in the same order; the stop flag is read at the same
 * steps (the step that reads it is left to sim_engine_step). */
int sim_engine_run(sim_engine *R, as_err *err)
{
    while (!R->done) {
        if (R->rc == AS_OK && ((R->steps + 1) & STOP_EVERY) != 0 && tick_first(R)) {
            R->steps++;
            sim_event e = {.t = R->tick_next, .prio = ev_prio[SIM_EV_TICK], .type = SIM_EV_TICK};
            sim_queue_advance(&R->q, e.t);
            int rc = on_tick(R, &e);
            if (rc != AS_OK)
                return fail(R, rc, err);
            continue;
        }
        int rc = sim_engine_step(R, NULL, err);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

int sim_run_policy(const sim_scenario *sc, int policy, const sim_sink *sink,
                   const sim_run_opts *opts, sim_summary_row *sum, as_err *err)
{
    as_err local = {0};
    if (err == NULL)
        err = &local;
    if (sim_refine_wanted(sc, policy))
        return sim_refine_run(sc, policy, sink, opts, sum, err);
    sim_engine *e = sim_engine_new(sc, policy, sink, opts, err);
    if (e == NULL)
        return err->code ? err->code : AS_ENOMEM;
    int rc = sim_engine_run(e, err);
    if (rc == AS_OK)
        rc = sim_engine_summary(e, sum, err);
    sim_engine_free(e);
    return rc;
}

uint64_t sim_trace_seed(uint64_t seed) { return as_seed_derive(seed, 1); }
