/* sim_act.c - decisions and what they change: a policy's evaluation (what
 * it sees, its forecast, the execution limits), scaling and resizing a
 * tier, instances that become ready, retire or crash.
 * The bookkeeping of instances (counts, billing, limits, the choice of a
 * type) is core's as_exec; this file draws the random parts (boot times,
 * faults), schedules what happens later, and records actions. */
#include "sim_engine_int.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>

/* Hand an action row to the sink, if it keeps actions. */
static int emit_action(sim_engine *R, const sim_action_row *a)
{
    if (R->sink == NULL || R->sink->action == NULL)
        return AS_OK;
    return R->sink->action(R->sink->ud, a, R->err);
}

/* A fault is recorded among the actions with its own reason. */
static int record_fault(sim_engine *R, int ti, as_time now, const char *what, int from, int to)
{
    R->tiers[ti].faults++;
    if (R->sink == NULL || R->sink->action == NULL)
        return AS_OK;
    sim_action_row a = {.t = as_time_to_s(now), .tier = ti, .from = from, .raw = to, .to = to,
                        .utilization = NAN, .rate = NAN};
    snprintf(a.reason, sizeof a.reason, "%s", what);
    return emit_action(R, &a);
}

/* ---- instances ---- */

/* A boot time of the given type, s (>= 0). */
static double draw_boot(sim_tier *T, int type)
{
    const sim_tier_cfg *c = T->cfg;
    double m = as_time_to_s(c->types[type].boot), j = as_time_to_s(c->boot_jitter), v = m;
    switch (c->boot_dist) {
    case SIM_DIST_UNIFORM:
        v = m - j + 2 * j * gsl_rng_uniform(T->rng);
        break;
    case SIM_DIST_NORMAL:
        v = m + gsl_ran_gaussian_ziggurat(T->rng, j);
        break;
    case SIM_DIST_LOGNORMAL:
        if (m > 0 && j > 0) {
            double s2 = log(1 + (j * j) / (m * m));
            v = gsl_ran_lognormal(T->rng, log(m) - s2 / 2, sqrt(s2));
        }
        break;
    case SIM_DIST_EXP:
        v = gsl_ran_exponential(T->rng, m);
        break;
    default:
        break;
    }
    return v < 0 ? 0 : v;
}

/* Request one instance of the tier's current type; its boot time (and
 * whether it fails) drawn now, its end scheduled. Sets *made when a free
 * slot was found. */
int sim_launch(sim_engine *R, int ti, as_time now, bool *made)
{
    sim_tier *T = &R->tiers[ti];
    int k = as_pool_launch(T->P, now);
    *made = k >= 0;
    if (k < 0)
        return AS_OK;
    as_inst *in = &T->P->inst[k];
    double bs = draw_boot(T, in->type);
    if (R->sc->boot_outlier > 0 && gsl_rng_uniform(R->fault_rng) < R->sc->boot_outlier)
        bs *= R->sc->boot_outlier_factor;
    in->fails = R->sc->boot_failure > 0 && gsl_rng_uniform(R->fault_rng) < R->sc->boot_failure;
    if (R->nodes) /* placed on a node, or Pending until one is ready */
        return sim_nodes_pod(R, ti, k, as_time_from_draw_s(bs), now);
    return sim_push(R, now + as_time_from_draw_s(bs), SIM_EV_READY, ti, k, in->gen);
}

/* Take slot k out of service; a drain ends later. */
static int remove_inst(sim_engine *R, int ti, int k, as_time now)
{
    as_pool *P = R->tiers[ti].P;
    if (as_pool_remove(P, k, now))
        return sim_push(R, now + R->tiers[ti].cfg->drain_time, SIM_EV_GONE, ti, k,
                        P->inst[k].gen);
    return AS_OK;
}

static int scale_to(sim_engine *R, int ti, int desired, as_time now)
{
    as_pool *P = R->tiers[ti].P;
    int current = P->ready + P->booting;
    while (current < desired) {
        bool made;
        int rc = sim_launch(R, ti, now, &made);
        if (rc != AS_OK)
            return rc;
        if (!made)
            break;
        current++;
    }
    while (current > desired) {
        int pick = as_pool_victim(P);
        if (pick < 0)
            break;
        int rc = remove_inst(R, ti, pick, now);
        if (rc != AS_OK)
            return rc;
        current--;
    }
    as_pool_note_peak(P);
    return AS_OK;
}

int sim_boot_done(sim_engine *R, int ti, int k, uint32_t gen, as_time now)
{
    as_pool *P = R->tiers[ti].P;
    if (as_pool_boot_done(P, k, gen, now) != AS_BOOT_FAILED)
        return AS_OK;
    return record_fault(R, ti, now, "boot_failure", P->ready + P->booting + 1,
                        P->ready + P->booting);
}

/* ---- vertical scaling ----
 * The capacity the policy asked for (desired instances of the current
 * type) bought with the type that costs least for it (as_pool_cheapest_type).
 * A switch replaces the tier: instances of the new type are requested now,
 * the old ones keep serving and are retired when the new type's boot time
 * has passed (the replacement delay), so capacity never dips. A switch
 * waits for the previous one to finish. */
static int resize(sim_engine *R, int ti, int type, int count, as_time now)
{
    sim_tier *T = &R->tiers[ti];
    as_pool *P = T->P;
    int from = P->ready + P->booting, old = P->type;
    P->type = type;
    as_time delay = T->cfg->types[type].boot;
    for (int k = 0; k < P->cfg.slots; k++) {
        const as_inst *in = &P->inst[k];
        if ((in->state == AS_INST_READY || in->state == AS_INST_BOOTING) && in->type != type) {
            int rc = sim_push(R, now + delay, SIM_EV_RETIRE, ti, k, in->gen);
            if (rc != AS_OK)
                return rc;
        }
    }
    for (int made = 0; made < count; made++) {
        bool ok;
        int rc = sim_launch(R, ti, now, &ok);
        if (rc != AS_OK)
            return rc;
        if (!ok)
            break;
    }
    T->resize_until = now + delay + R->pc->interval;
    R->actions++;
    if (R->sink == NULL || R->sink->action == NULL)
        return AS_OK;
    sim_action_row a = {.t = as_time_to_s(now), .tier = ti, .from = from, .raw = count,
                        .to = count, .utilization = NAN, .rate = NAN};
    snprintf(a.reason, sizeof a.reason, "resize:%s>%s", T->cfg->types[old].name,
             T->cfg->types[type].name);
    return emit_action(R, &a);
}

/* An instance of a replaced type leaves once its replacement had time to
 * boot: a ready one drains like a scale-in, a booting one is cancelled. */
int sim_retire(sim_engine *R, int ti, int k, uint32_t gen, as_time now)
{
    const as_pool *P = R->tiers[ti].P;
    if (P->inst[k].gen != gen || P->inst[k].type == P->type)
        return AS_OK;
    return remove_inst(R, ti, k, now);
}

/* The type is reconsidered every 30 minutes for the peak of what the
 * policy asked in that time (as a VPA recommends from a window); while a
 * replacement runs, counts mix two types: hold them. Sets *acted when the
 * evaluation ends here (held, or resized). */
static int vertical(sim_engine *R, int ti, const as_observation *obs, const as_decision *d,
                    as_time now, bool *acted)
{
    sim_tier *T = &R->tiers[ti];
    double want = (double)d->raw * T->cfg->types[T->P->type].factor;
    if (want > T->peak_want)
        T->peak_want = want;
    *acted = now < T->resize_until;
    if (*acted || now < T->next_vertical)
        return AS_OK;
    int count, type = as_pool_cheapest_type(T->P, T->peak_want, obs->min, obs->max, &count);
    T->peak_want = 0;
    T->next_vertical = now + 30 * AS_MIN;
    if (type == T->P->type)
        return AS_OK;
    *acted = true;
    return resize(R, ti, type, count, now);
}

/* ---- evaluations ---- */

/* The tier that limits latency: the largest observed p95 relative to the
 * tier's share of the latency target (what a bottleneck-aware autoscaler
 * reads off per-tier latency). Ties and missing views count as limiting. */
static bool is_bottleneck(const sim_engine *R, int ti, as_time now)
{
    double mine = as_monitor_view(R->tiers[ti].mon_lat, now) / R->tiers[ti].slo_share;
    if (isnan(mine))
        return true;
    for (int i = 0; i < R->nt; i++) {
        if (i == ti || R->tiers[i].policy == NULL)
            continue;
        double other = as_monitor_view(R->tiers[i].mon_lat, now) / R->tiers[i].slo_share;
        if (other > mine)
            return false;
    }
    return true;
}

/* The lift of tier ti's plan at time t (refined runs; 0 otherwise). */
static int lift_at(const sim_engine *R, int ti, as_time t)
{
    const sim_refine *rf = R->refine;
    int64_t w = t / rf->window;
    return rf->lift[(size_t)ti * (size_t)rf->nw + (size_t)(w < rf->nw ? w : rf->nw - 1)];
}

/* The oracle's view: the true rate of tier T at tick resolution from now
 * to now + horizon_t (as far as the run goes), and in a refined run the
 * lift of each step (sim_refine.c). */
static void oracle_view(sim_engine *R, const sim_tier *T, as_time now, as_forecast_view *v)
{
    size_t n = 0;
    int ti = (int)(T - R->tiers);
    for (as_time t = now; t <= now + R->horizon_t && t < R->sc->duration && n < R->ring_cap;
         t += R->sc->tick) {
        if (R->refine)
            R->oracle_lift[n] = lift_at(R, ti, t);
        R->oracle_buf[n++] = sim_ring_at(R, t) * T->cfg->visits;
    }
    if (n == 0) {
        if (R->refine)
            R->oracle_lift[n] = lift_at(R, ti, now);
        R->oracle_buf[n++] = sim_ring_at(R, now) * T->cfg->visits;
    }
    v->h = (int)n;
    v->step = R->sc->tick;
    v->mean = v->lo = v->hi = R->oracle_buf;
    v->anomaly = false;
    v->lift = R->refine ? R->oracle_lift : NULL;
}

/* A forecasting tier: the observed rate y goes to the detector and the
 * forecaster (scoring the forecast made for now against it), and the new
 * forecast into v. */
static void forecast_view(sim_engine *R, sim_tier *T, double y, as_time now, as_forecast_view *v)
{
    bool flag = false;
    if (T->det)
        as_detector_observe(T->det, now, y, &flag);
    /* what the last evaluation forecast for now, against what came */
    T->last_fc[0] = T->have_fc ? T->fmean[0] : NAN;
    T->last_fc[1] = T->have_fc ? T->flo[0] : NAN;
    T->last_fc[2] = T->have_fc ? T->fhi[0] : NAN;
    if (!isnan(y)) {
        if (T->have_fc) {
            T->fc_err += fabs(y - T->fmean[0]);
            T->fc_n++;
        }
        if (T->season_n == T->season_m) {
            T->fc_scale += fabs(y - T->season_ring[T->season_head]);
            T->fc_sn++;
        } else {
            T->season_n++;
        }
        T->season_ring[T->season_head] = y;
        T->season_head = (T->season_head + 1) % T->season_m;
    }
    as_forecaster_update(T->fc, now, y);
    as_forecaster_predict(T->fc, T->horizon, T->fmean, T->flo, T->fhi);
    T->have_fc = true;
    *v = (as_forecast_view){.h = T->horizon,
                            .step = R->pc->interval,
                            .mean = T->fmean,
                            .lo = T->flo,
                            .hi = T->fhi,
                            .anomaly = flag,
                            .coverage = R->pc->coverage,
                            .source = T->fc};
}

/* The policy's lower bound: minReplicas of its manifest where one gave it
 * (Kubernetes' default 1 when the manifest leaves it out; the tier's min
 * is not the HPA's), else the tier's; never above the upper bound. */
static int policy_min(const sim_policy_cfg *pc, const sim_tier_cfg *c)
{
    int max = pc->max > 0 && pc->max < c->max ? pc->max : c->max;
    int min = pc->min > 0 ? pc->min : c->min;
    return min < max ? min : max;
}

/* The further signals the policy reads and the ready instances as pods
 * (views of the others, which nobody reads, were 4 % of a week of
 * week3tier.ini under the HPA). An instance there from the start is one
 * that was ready long before the run. */
static void observe_more(const sim_tier *T, as_time now, as_observation *obs)
{
    const as_pool *P = T->P;
    for (int k = 0; k < AS_SIG_COUNT; k++) /* (a signal the policy does not read stays 0) */
        if (T->sigs >> k & 1u)
            obs->signal[k] = as_monitor_view(T->mon_sig[k], now);
    int n = 0;
    for (int k = 0; k < P->cfg.slots && n < P->ready; k++) { /* (no slot after the last ready one) */
        const as_inst *in = &P->inst[k];
        if (in->state != AS_INST_READY)
            continue;
        bool initial = in->ready_at == 0 && in->requested == 0;
        T->pods[n++] = initial ? (as_pod){-365 * AS_DAY, -365 * AS_DAY}
                               : (as_pod){in->requested, in->ready_at};
    }
    obs->npods = n;
    obs->pods = T->pods;
    obs->metric_time = as_monitor_last_time(T->mon_util, now);
    obs->metric_window = as_monitor_window(T->mon_util);
}

/* The oracle and `sizing = slo` size with the run's own model: the
 * analytic M/G/c law; at the request level with a margin of z window
 * standard deviations, z such that a run of N windows expects less than
 * half a failed window, Phi(-z) = 0.5 / N (a window's share of requests
 * served in time is a sample there, not the model's expectation). The
 * oracle's refined passes (sim_refine.c) plan with z = 0: the windows the
 * realized requests fail are raised one by one, so a margin everywhere
 * would only buy capacity where the requests did not need it (spike.ini,
 * 2 d: 17.04 against 17.27 with the margin, both holding every window). */
int sim_tier_servers(void *ud, double rate, int cmax)
{
    sim_tier *T = ud;
    const sim_engine *R = T->R;
    const sim_scenario *sc = R->sc;
    double z = 0, w = as_time_to_s(sc->slo_window);
    if (R->des && R->refine == NULL) {
        double n = ceil(as_time_to_s(sc->duration) / w);
        z = gsl_cdf_ugaussian_Qinv(0.5 / (n > 1 ? n : 1));
    }
    return sim_tierlat_min_servers(&T->lat, rate, T->slo_share, R->pctl, cmax, z, w);
}

double sim_tier_max_rate(void *ud, int servers)
{
    sim_tier *T = ud;
    return sim_tierlat_max_rate(&T->lat, servers, T->slo_share, T->R->pctl);
}

/* The rate is viewed for a policy that reads it, a forecaster, and the
 * action rows a sink takes (which show it). */
static bool observes_rate(const sim_engine *R, const sim_tier *T)
{
    return (T->sigs & AS_OBS_RATE) || T->fc || (R->sink && R->sink->action);
}

static as_observation observe(const sim_engine *R, const sim_tier *T, as_time now)
{
    const sim_tier_cfg *c = T->cfg;
    const as_pool *P = T->P;
    as_observation o = {.now = now,
                        .current = P->ready + P->booting,
                        .ready = P->ready,
                        .booting = P->booting,
                        .min = policy_min(R->pc, c),
                        .max = R->pc->max > 0 && R->pc->max < c->max ? R->pc->max : c->max,
                        .utilization = as_monitor_view(T->mon_util, now),
                        .rate = observes_rate(R, T) ? as_monitor_view(T->mon_rate, now) : NAN,
                        .latency = T->sigs & AS_OBS_LATENCY ? as_monitor_view(T->mon_lat, now)
                                                            : NAN,
                        .capacity = c->concurrency * c->types[P->type].factor * T->mu,
                        .service_rate = T->mu,
                        .concurrency = c->concurrency * c->types[P->type].factor,
                        .scv_factor = T->f,
                        .sizer = &T->sizer,
                        .slo_latency = T->slo_share,
                        .slo_percentile = R->pctl,
                        .boot_time = c->types[P->type].boot,
                        .price = c->types[P->type].price,
                        .slo_penalty = R->sc->penalty_per_hour,
                        .data_age = T->data_age};
    observe_more(T, now, &o);
    return o;
}

/* An evaluation that changed, or was prevented from changing, capacity is
 * recorded; a change scales the tier. */
static int apply(sim_engine *R, int ti, const as_observation *obs, const as_decision *d,
                 as_time now)
{
    bool changed = d->desired != obs->current;
    /* kept from changing: by a limit, or by a missing metric */
    bool held = !changed && (d->raw != obs->current || d->reason == AS_R_MISSING_METRIC);
    /* (formatted only for a sink that takes it: a week of week3tier.ini
     * without one formatted 26,000 rows, 0.7 % of its instructions) */
    if ((changed || held) && R->sink && R->sink->action) {
        sim_action_row a = {.t = as_time_to_s(now),
                            .tier = ti,
                            .from = obs->current,
                            .raw = d->raw,
                            .to = d->desired,
                            .utilization = obs->utilization,
                            .rate = obs->rate};
        snprintf(a.reason, sizeof a.reason, "%s", as_reason_name(d->reason));
        if (emit_action(R, &a) != AS_OK)
            return R->err->code;
    }
    if (!changed)
        return AS_OK;
    R->actions++;
    return scale_to(R, ti, d->desired, now);
}

int sim_eval(sim_engine *R, int ti, as_time now)
{
    sim_tier *T = &R->tiers[ti];
    as_observation obs = observe(R, T, now);
    if (R->nodes) /* a new pod may wait for a node's boot */
        obs.boot_time += sim_nodes_boot_bound(R->sc);
    as_forecast_view view = {0}, *vp = NULL;
    if (R->oracle_buf) {
        oracle_view(R, T, now, &view);
        vp = &view;
    } else if (T->fc) {
        forecast_view(R, T, obs.rate, now, &view);
        vp = &view;
    }
    as_decision d;
    as_policy_decide(T->policy, &obs, vp, &d);
    if (R->refine)
        sim_refine_planned(R, ti, now, obs.boot_time, d.raw, obs.max);
    if (R->pc->bottleneck && d.desired > obs.current && !is_bottleneck(R, ti, now)) {
        d.desired = obs.current; /* another tier limits latency: scale that one */
        d.reason = AS_R_NONE;
    }
    as_reason why = d.reason;
    int lim = as_exec_limit_out(R->ex, ti, d.desired, &why);
    if (lim != d.desired) {
        d.desired = lim;
        d.reason = why;
    }
    if (R->pc->vertical && T->cfg->ntypes > 1) {
        bool acted;
        int rc = vertical(R, ti, &obs, &d, now, &acted);
        if (rc != AS_OK || acted)
            return rc;
    }
    return apply(R, ti, &obs, &d, now);
}

/* ---- faults ---- */

/* Crashes: a Poisson process at crash_rate per ready instance-hour; the
 * next one is drawn at the rate of the ready count when it is drawn. A
 * draw past the end (a tiny rate gives one of 1e22 s) schedules nothing. */
int sim_schedule_crash(sim_engine *R, int ti, as_time now)
{
    int ready = R->tiers[ti].P->ready;
    double per_s = R->sc->crash_rate / 3600.0 * (ready > 0 ? ready : 1);
    if (!(per_s > 0))
        return AS_OK;
    as_time dt = as_time_from_draw_s(gsl_ran_exponential(R->fault_rng, 1.0 / per_s)) + 1;
    if (now + dt >= R->sc->duration)
        return AS_OK;
    return sim_push(R, now + dt, SIM_EV_CRASH, ti, 0, 0);
}

int sim_crash(sim_engine *R, int ti, as_time now)
{
    as_pool *P = R->tiers[ti].P;
    if (P->ready > 0) {
        /* a uniformly chosen ready instance dies: billing stops, nothing drains */
        int pick = (int)gsl_rng_uniform_int(R->fault_rng, (unsigned long)P->ready);
        int k = as_pool_nth_ready(P, pick);
        if (k >= 0) {
            as_pool_kill(P, k, now);
            int rc = record_fault(R, ti, now, "crash", P->ready + P->booting + 1,
                                  P->ready + P->booting);
            if (rc != AS_OK)
                return rc;
        }
    }
    return sim_schedule_crash(R, ti, now);
}
