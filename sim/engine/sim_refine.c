/* sim_refine.c - the oracle at the request level: passes over the same
 * realized requests, each raising the plan where the previous one failed
 * an SLO window, so that the oracle is a bound in the model the run uses.
 *
 * Why it works: the request level draws with common random numbers. Its
 * seed is the scenario's, arrivals come from one stream and each tier's
 * service times from one stream drawn at service start in FCFS order, so
 * every pass of the oracle (and every other policy of the scenario) sees
 * the same requests: exactly for one tier without retries, up to the order
 * in which requests reach later tiers otherwise. An oracle that sees the
 * future may as well see those requests: what failed in one pass is what
 * the same requests do to that plan, not a draw that another pass redraws.
 *
 * The method. Pass 1 is the oracle planning with the tier's M/G/c law at
 * its expectation (z = 0: no margin for a window's noise, sim_act.c; the
 * passes take the margin's place where the requests need it, which makes
 * the refined oracle cheaper than the margin everywhere). After each pass,
 * every window that failed raises its plan by one instance of one tier:
 * the tier whose served visits, in the record holding the window's end,
 * had the largest p-quantile against its share of the latency target (the
 * bottleneck the pass measured); when that tier's plan was at its max
 * there, the most pressed other tier that is over its own share, if any.
 * A window that fails again, although raised, was also hurt by what came
 * before it: the backlog carried from the previous window, or capacity
 * that booted later than the mean boot time the oracle plans with; the
 * previous window is raised too, which starts the extra capacity a window
 * earlier. The oracle already asks boot_time ahead for the steps it plans
 * (pol_oracle.c), so a raised window's instances are requested in time for
 * it and the lift needs no lead of its own. Never raised: a window over
 * before the first evaluation's capacity can be ready (interval + boot
 * time), a lift past the tier's max, and a window that failed
 * SIM_REFINE_TRIES times. The oracle is run again until no window fails,
 * no lift can rise, or SIM_REFINE_PASSES passes; the run kept is the last
 * pass. One instance a step, not a share of the plan: a window fails by a
 * few requests in most passes, and a share of a 20-instance plan would buy
 * several instances where one holds it.
 *
 * Cost: a pass is a full run of the oracle, so refining costs up to
 * SIM_REFINE_PASSES runs; one that holds every window at the first pass
 * costs one. Each pass records its rows in memory (sim_rowlog.c) and only
 * the last one's reach the sink: running the kept plan once more with the
 * sink instead would cost a whole run more.
 * The number of passes goes to the sink as the run's attribute
 * `oracle_passes`. The analytic model has no draws to refine against (its
 * latency is the model's expectation, already a bound): it is never
 * refined, and its runs are as before. */
#include "sim_engine_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The most passes of a refined run. Each pass raises every failed window;
 * on the catalogue a plan that still fails after a few passes fails where
 * no lift can help (the first evaluation, a tier at max). */
#define SIM_REFINE_PASSES 8
/* The passes a window may fail before it is no longer raised. */
#define SIM_REFINE_TRIES 3

bool sim_refine_wanted(const sim_scenario *sc, int policy)
{
    return sc && policy >= 0 && policy < sc->npolicies && sc->model == SIM_MODEL_DES &&
           (sc->policies[policy].type->flags & AS_KIND_SEES_FUTURE) != 0;
}

/* The p-quantile of tier i's visits in record r against its share of the
 * latency target (NAN: none served). */
static double tier_pressure(const sim_engine *R, int64_t r, int i)
{
    double q = sim_des_record_quantile(R->des, r, i, R->pctl);
    return q / R->tiers[i].slo_share;
}

void sim_refine_note(sim_engine *R, int64_t r, int64_t w, bool bad)
{
    sim_refine *rf = R->refine;
    if (w < 0 || w >= rf->nw)
        return;
    rf->bad[w] = bad;
    rf->tier[w] = -1;
    if (!bad)
        return;
    /* the most pressed tier; if its plan is at max, the most pressed of
     * the others that are over their own share themselves */
    double most = -1, free_most = -1;
    int top = -1, free_top = -1;
    for (int i = 0; i < R->nt; i++) {
        const sim_tier *T = &R->tiers[i];
        if (T->policy == NULL) /* not autoscaled: nothing to raise */
            continue;
        /* what the first evaluation asks for is ready at its boot time
         * after it: a window over by then is beyond any plan */
        if ((w + 1) * rf->window <= R->pc->interval + T->cfg->types[T->P->type].boot)
            continue;
        double p = tier_pressure(R, r, i);
        p = isfinite(p) ? p : 0;
        if (top < 0 || p > most) {
            top = i;
            most = p;
        }
        if (!rf->sat[(size_t)i * (size_t)rf->nw + (size_t)w] && (free_top < 0 || p > free_most)) {
            free_top = i;
            free_most = p;
        }
    }
    if (free_top == top || free_most > 1)
        rf->tier[w] = (signed char)free_top;
}

void sim_refine_planned(sim_engine *R, int ti, as_time now, as_time boot, int raw, int max)
{
    sim_refine *rf = R->refine;
    if (raw < max)
        return;
    int64_t w0 = (now + boot) / rf->window, w1 = (now + R->horizon_t) / rf->window;
    for (int64_t w = w0; w <= w1 && w < rf->nw; w++)
        rf->sat[(size_t)ti * (size_t)rf->nw + (size_t)w] = 1;
}

static void refine_free(sim_refine *rf)
{
    free(rf->sat);
    free(rf->lift);
    free(rf->cap);
    free(rf->bad);
    free(rf->fails);
    free(rf->tier);
}

static int refine_init(sim_refine *rf, const sim_scenario *sc, int policy, as_err *err)
{
    memset(rf, 0, sizeof *rf);
    rf->nt = sc->ntiers;
    rf->window = sc->slo_window;
    rf->nw = (int)((sc->duration + sc->slo_window - 1) / sc->slo_window);
    size_t nw = (size_t)rf->nw;
    rf->lift = calloc((size_t)rf->nt * nw, sizeof *rf->lift);
    rf->cap = calloc((size_t)rf->nt, sizeof *rf->cap);
    rf->sat = calloc((size_t)rf->nt * nw, 1);
    rf->bad = calloc(nw, 1);
    rf->fails = calloc(nw, 1);
    rf->tier = calloc(nw, 1);
    if (!rf->lift || !rf->cap || !rf->sat || !rf->bad || !rf->fails || !rf->tier) {
        refine_free(rf);
        return as_err_set(err, AS_ENOMEM, "out of memory (the oracle's passes)");
    }
    const sim_policy_cfg *pc = &sc->policies[policy];
    for (int i = 0; i < rf->nt; i++) {
        int max = sc->tiers[i].max;
        rf->cap[i] = pc->max > 0 && pc->max < max ? pc->max : max;
    }
    return AS_OK;
}

/* Raise tier t's plan in window w by one instance (up to its cap). */
static bool raise_one(sim_refine *rf, int t, int64_t w)
{
    size_t k = (size_t)t * (size_t)rf->nw + (size_t)w;
    int *l = &rf->lift[k];
    if (*l >= rf->cap[t] || rf->sat[k])
        return false;
    (*l)++;
    return true;
}

/* After a pass: every failed window raises its plan, and a window that
 * failed before raises the one before it too; one that failed
 * SIM_REFINE_TRIES times is left as it is (what holds it back is beyond a
 * lift: a backlog from before the first plan could act, or what the
 * bottleneck tier at its max cannot serve). Whether a lift rose. */
static bool raise_failed(sim_refine *rf)
{
    bool rose = false;
    for (int64_t w = 0; w < rf->nw; w++) {
        if (!rf->bad[w] || rf->tier[w] < 0 || rf->fails[w] >= SIM_REFINE_TRIES)
            continue;
        int t = rf->tier[w];
        rose |= raise_one(rf, t, w);
        if (rf->fails[w] > 0 && w > 0) /* failed although raised: start earlier */
            rose |= raise_one(rf, t, w - 1);
        if (rf->fails[w] < 255)
            rf->fails[w]++;
    }
    return rose;
}

/* One pass of the plan in rf, rows to sink (NULL: none kept). */
static int one_pass(const sim_scenario *sc, int policy, const sim_sink *sink,
                    const sim_run_opts *opts, sim_refine *rf, sim_summary_row *sum, as_err *err)
{
    memset(rf->bad, 0, (size_t)rf->nw);
    memset(rf->sat, 0, (size_t)rf->nt * (size_t)rf->nw);
    sim_engine *e = sim_engine_new(sc, policy, sink, opts, err);
    if (e == NULL)
        return err->code ? err->code : AS_ENOMEM;
    e->refine = rf;
    int rc = sim_engine_run(e, err);
    if (rc == AS_OK)
        rc = sim_engine_summary(e, sum, err);
    sim_engine_free(e);
    return rc;
}

int sim_refine_run(const sim_scenario *sc, int policy, const sim_sink *sink,
                   const sim_run_opts *opts, sim_summary_row *sum, as_err *err)
{
    sim_refine rf;
    int rc = refine_init(&rf, sc, policy, err);
    if (rc != AS_OK)
        return rc;
    sim_rowlog log = {0};
    sim_sink to_log = sink ? sim_rowlog_sink(&log, sink) : (sim_sink){0};
    while (rc == AS_OK) {
        rf.passes++;
        sim_rowlog_clear(&log);
        rc = one_pass(sc, policy, sink ? &to_log : NULL, opts, &rf, sum, err);
        if (rc != AS_OK || rf.passes == SIM_REFINE_PASSES || sum->slo_compliance >= 100.0 ||
            !raise_failed(&rf))
            break;
    }
    if (rc == AS_OK && sink) /* the pass kept: the last */
        rc = sim_rowlog_replay(&log, sink, err);
    if (rc == AS_OK && sink && sink->attr)
        rc = sink->attr(sink->ud, "oracle_passes", rf.passes, err);
    sim_rowlog_fini(&log);
    refine_free(&rf);
    return rc;
}
