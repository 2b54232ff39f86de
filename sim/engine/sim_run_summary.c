/* sim_run_summary.c - the summary row of a finished run: cost, the SLO
 * verdict (window compliance against the objective), latency, errors,
 * instances, the SPEC elasticity metrics averaged over the
 * autoscaled tiers, faults, forecast accuracy, and how many figures hit a
 * limit of the model (clamped). Reads the engine, changes nothing. */
#include "sim_engine_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Elasticity metrics averaged over the autoscaled tiers. */
static void quality(const sim_engine *R, sim_summary_row *sum)
{
    as_quality_result qa = {0};
    int nq = 0;
    for (int i = 0; i < R->nt; i++) {
        const sim_tier *T = &R->tiers[i];
        if (!T->cfg->autoscale)
            continue;
        as_quality_result q;
        as_quality_result_get(&T->quality, &q);
        qa.theta_u += q.theta_u;
        qa.theta_o += q.theta_o;
        qa.tau_u += q.tau_u;
        qa.tau_o += q.tau_o;
        qa.instability += q.instability;
        qa.jitter += q.jitter;
        nq++;
    }
    if (nq > 0) { /* tiers averaged */
        sum->theta_u = qa.theta_u / nq;
        sum->theta_o = qa.theta_o / nq;
        sum->tau_u = qa.tau_u / nq;
        sum->tau_o = qa.tau_o / nq;
        sum->instability = qa.instability / nq;
        sum->jitter = qa.jitter / nq;
    }
}

/* Whole-run end-to-end latency of the served requests (the mixture of
 * the slot laws in the analytic model; every request at the request
 * level, those flagged unfinished at their floor), drops, give-ups and
 * clamped figures. */
static void latency(const sim_engine *R, sim_summary_row *sum)
{
    double p = R->sc->slo_percentile;
    if (R->des) {
        sum->p50 = sim_des_quantile(R->des, -1, 0.5, 1);
        sum->p95 = sim_des_quantile(R->des, -1, 0.95, 1);
        sum->p99 = sim_des_quantile(R->des, -1, 0.99, 1);
        sum->latency_at_p = sim_des_quantile(R->des, -1, p, 1);
        sum->unfinished = (double)sim_des_unfinished(R->des);
        sum->clamped = (double)sim_des_clamped(R->des, -1) + sum->unfinished;
        for (int i = 0; i < R->nt; i++) {
            sum->dropped += R->tiers[i].d_drop;
            sum->timeouts += R->tiers[i].d_timeouts;
            sum->clamped += R->tiers[i].d_capdrop;
        }
    } else {
        const as_latdist *E = &R->run_e2e;
        sum->p50 = as_latdist_quantile(E, 0.5);
        sum->p95 = as_latdist_quantile(E, 0.95);
        sum->p99 = as_latdist_quantile(E, 0.99);
        sum->latency_at_p = as_latdist_quantile(E, p);
        /* served requests whose time lies beyond the grid, recorded at its top */
        sum->clamped = E->hi == AS_LD_N - 1 ? E->m[AS_LD_N - 1] : 0.0;
        for (int i = 0; i < R->nt; i++) {
            sum->dropped += R->tiers[i].lat.dropped;
            sum->timeouts += R->tiers[i].lat.timeouts;
        }
    }
    if (isnan(sum->p50))
        sum->p50 = sum->p95 = sum->p99 = sum->latency_at_p = 0.0;
}

/* One-step forecast MASE, pooled over the forecasting tiers. */
static double forecast_mase(const sim_engine *R)
{
    double fe = 0, fs = 0;
    long fn = 0, fsn = 0;
    for (int i = 0; i < R->nt; i++) {
        fe += R->tiers[i].fc_err;
        fn += R->tiers[i].fc_n;
        fs += R->tiers[i].fc_scale;
        fsn += R->tiers[i].fc_sn;
    }
    return fn > 0 && fsn > 0 && fs > 0 ? (fe / fn) / (fs / fsn) : NAN;
}

void sim_engine_summarize(const sim_engine *R, sim_summary_row *sum)
{
    const sim_scenario *sc = R->sc;
    memset(sum, 0, sizeof *sum);
    snprintf(sum->run, sizeof sum->run, "%s", R->name);
    snprintf(sum->kind, sizeof sum->kind, "%s", R->pc->type->name);
    double dur = as_time_to_s(sc->duration), pen_h = R->slo.violated_s / 3600.0;
    double ready_time = 0, peak = 0;
    for (int i = 0; i < R->nt; i++) {
        const sim_tier *T = &R->tiers[i];
        sum->cost_infra += T->P->billed;
        sum->faults += T->faults;
        ready_time += T->ready_time;
        peak += T->P->peak;
    }
    latency(R, sum);
    quality(R, sum);
    if (R->nodes) /* nodes are billed, pods only at their own price (0 unless set) */
        sum->cost_infra += sim_nodes_cost(R->nodes);
    sum->cost_penalty = pen_h * sc->penalty_per_hour;
    sum->cost_total = sum->cost_infra + sum->cost_penalty;
    sum->slo_violation_s = R->slo.violated_s;
    sum->slo_violation_pct = 100.0 * R->slo.violated_s / dur;
    sum->slo_windows = (double)R->slo.windows;
    sum->slo_compliance = R->slo.windows ? 100.0 * (double)R->slo.met / (double)R->slo.windows
                                         : 100.0;
    sum->requests = R->req_total;
    sum->errors = R->err_total;
    sum->retries = R->retries_total;
    sum->latency_max = R->max_lat;
    sum->mean_instances = ready_time / dur;
    sum->peak_instances = peak;
    sum->actions = R->actions;
    /* the run meets the SLO when its window compliance reaches the
     * objective (with a hair of tolerance for the share's rounding) */
    sum->meets_slo = sum->slo_compliance >= 100.0 * sc->slo_objective - 1e-9;
    sum->forecast_mase = forecast_mase(R);
    sum->elastic_speedup = NAN;
    sum->deviation = NAN;
}
