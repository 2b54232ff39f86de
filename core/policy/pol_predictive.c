/* pol_predictive.c - the `predictive` policy: model-predictive control of
 * capacity. At each evaluation (every 15 s, the HPA's pace) it chooses the
 * instance count that minimises the expected cost of the coming window,
 * infrastructure plus SLO penalty, under the forecast distribution of the
 * arrival rate and the tier's latency model, and applies it.
 *
 * The window. Forecast step i is the rate at now - age + (i + 1) step,
 * where age is how old the observed rate is (obs->data_age: lag and
 * averaging window). A count requested now serves from now + boot_time
 * until the next decision's count is ready, so scale-out plans over the
 * steps from now + boot_time to now + boot_time + interval (the "out"
 * window). Capacity removed now cannot come back before boot_time, so a
 * scale-in must also hold from now on: it plans over the steps from now to
 * the same end (the "in" window).
 *
 * The cost of n instances over a window of K steps, per step of time:
 *   C(n) = n price K + w sum_i [P(L_i > x(n)) + E[(L_i - x(n))+] / c(n)]
 * with w = risk x the SLO penalty per hour (obs->slo_penalty), price per
 * instance-hour (obs->price), x(n) the largest rate n instances serve
 * within the SLO by the run's own latency law (obs->sizer->max_rate: the
 * M/G/c law of the tier's service distribution at the tier's share of the
 * SLO, the p-quantile the simulator judges, without the request level's
 * sampling margin: the risk weight prices that), c(n) their full
 * capacity. x(n) is kept per n until the tier's model changes, so the law
 * is inverted once per count and run. A driver without a sizer gets M/M/c
 * with Allen-Cunneen (as_mmc_solve, as_mmc_resp_quantile; exact for
 * exponential service, wrong in the tail for others).
 * The first term is the chance that step i violates the SLO; the second
 * the backlog an overload leaves (the excess arrivals take excess / c(n)
 * of a step to drain), so that deeper shortfalls cost more and, when no
 * count can meet the load, the largest count still wins. L_i is the
 * forecaster's conformal predictive distribution (as_forecaster_tail:
 * the share of its recent errors at that horizon above x; past the
 * interval's upper quantile their exponential tail, so that a large risk
 * still prices loads beyond the largest recent error, or the share of
 * larger errors over about ten windows where bursts recur further apart
 * than one window: fc_conf_long.c), or, for a
 * forecaster without one, a two-piece normal through the view's lo, mean
 * and hi at its coverage. The count is found by scanning n upwards until
 * no larger count can pay for itself (w sum P < price K / 1000).
 * Why MPC over a quantile rule: the right margin depends on the price of
 * an instance, the price of a violation and how uncertain the forecast is
 * at this moment; a fixed quantile gets one of the three wrong somewhere.
 *
 * Surprises. When the observed rate is above the upper bound the last
 * forecast gave for now, the forecast is not trusted to be high enough:
 * the distribution is shifted up so that its median is at least the
 * observed rate plus the surprise again (y + (y - forecast)), the next step
 * of a rise the averaging window only shows in part. When the observed
 * latency is over the SLO, a backlog must also drain: the median is at
 * least y + Q / boot_time, Q = (latency - 1/mu) x the ready servers' rate.
 * Either is evaluated at every decision, so it reacts at the pace of the
 * evaluation interval (15 s) rather than falling back to a slow rule.
 * The backlog's plan is a scale-out only: the scale-in window keeps the
 * surprise's plan, not the drain's, so the drain's instances go once the
 * latency is back under the SLO. Why: the latency seen is older (window
 * and lag) than the instances a drain adds, so each scale-out reads as a
 * larger queue at the next decision: on bench/fronts_serverless.ini (4x
 * bursts of about 2 min, 20 s boots) the plan went 10, 16, 26, 46, 78
 * instances in a minute for a load 22 serve, and the window then held 78
 * for five minutes. Measured on bench/fronts.sh: serverless's cheapest
 * point 7740 s at 39.90 -> 8340 s at 27.00 (cost at equal violation 1.17
 * -> 0.83 of the HPA's); onoff's violation at equal cost (median) 0.50 ->
 * 0.41 of the HPA's; flashcrowd 3.43 -> 3.36 at 300 s; nasa, wikipedia,
 * seasonal, sports and social within 1 %; the quality gate 5 metrics
 * better, none worse. Not taken: the lesser of the rate and the ready
 * servers' rate as the queue's pace (no growth with the instances the
 * latency has not seen yet): serverless 24.67 at 8400 s, but the quality
 * gate's 8x flash crowds lost a minute of violation a seed (spike 306 ->
 * 366 s): while a crowd still rises, the larger read makes up for the rate
 * the averaging window shows late.
 * A surprise that lasts (the rate above the last forecast's upper bound at
 * every decision for longer than twice the data's age, the span over which
 * one step of the load keeps raising the averaged rate) and still rises is
 * the load's own rise: the floor goes on rising at the last interval's pace
 * over the plan's steps, since the count requested now serves a boot time
 * later. Measured on bench/fronts.sh: flashcrowd's cheap end 360 s at 3.28
 * -> 300 s at 3.29; seasonal's costly end 660 -> 600 s (the first day's
 * 09:00 ramp, before any season is seen); nasa, wikipedia and onoff
 * unchanged (their surprises are steps and spikes that end within the
 * averaging span). Not taken: a run of rising rates in place of a run of
 * surprises (nasa 3 % dearer: its one-minute spikes rise for a minute).
 *
 * Scale-in stabilization. A scale-in goes only to the largest "in" plan of
 * the last scale_in_window (default 5 min, the HPA's downscale window), so
 * one low forecast does not release capacity that the next one needs, and
 * no lower than the "in" plan with the whole distribution raised by the
 * one-step interval's upper half-width (hi - mean at the step of now): the
 * next observation moves the forecast by about that much, so a count the
 * next decision would buy back a boot time later is kept. The margin is
 * the forecaster's own measured error, not a constant: it is wide where
 * the load is noisy and vanishes where it is not. Measured on bench/fronts.sh
 * (nasa, risk 0.1): scale-ins reversed within one boot time 21 % -> 15 %.
 * Alternatives measured and not taken: a longer fixed window (10 min: nasa
 * better, onoff, flashcrowd and wikipedia worse), and each of this margin,
 * the count covering the interval's upper bound at every step, and the
 * largest one-step plan of the window, in place of the time window (all
 * three: nasa and wikipedia worse, the window's memory of recent plans
 * carries more than one decision's forecast). Also measured on
 * bench/fronts.sh and not taken: the window over the "out" plans (what each
 * decision planned for its boot horizon) with this decision's "in" plan as
 * a floor: wikipedia's 0 s point 12.14 -> 11.88, but every risk 1-2.3 %
 * dearer on nasa (its front 2 % dearer at 300, 360 and 1380 s; quality
 * gate: theta_o +6 %) and onoff's violation at equal cost 0.54 -> 0.56 of
 * the HPA's (the old window, at risk 0.125, also reaches wikipedia's 0 s at
 * 11.88: the gain was mostly a shift along the front); the window over
 * the lesser of the two plans: every front within 0.3 %; a window as long
 * as the plan's horizon (boot + age + interval): flashcrowd and onoff
 * better, nasa and seasonal worse; no one-step margin: every front within
 * 0.5 % in cost (the plan's risk pricing does most of its work; it stays
 * for the reversals above). A missing rate never scales in (as the HPA
 * with a missing metric).
 *
 * Reasons in the actions table: predictive (a scale-out the forecast
 * alone asks for), surprise (a scale-out beyond that, for an observed rate
 * above the forecast's upper bound or a backlog), scale_in, stabilized (a
 * lower plan held by the window), missing_metric, low_confidence (no
 * forecast view: sized for the observed rate alone), at_max, at_min.
 *
 * Keys (defaults): risk = 1 (the weight of the SLO penalty; 1 = the
 * scenario's own, larger buys fewer violations for more instances),
 * scale_in_window = 5m, interval = 0s (0: measured between decisions).
 * Without a price or a penalty from the driver, the policy takes price 1
 * and a penalty of 100 instance-hours per hour of violation; without a
 * service model it keeps the tier at 70 % of obs->capacity. */
#include "as_forecast.h"
#include "as_policy.h"
#include "as_queueing.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#define DEFAULT_INTERVAL (15 * AS_SEC)
#define LMAX_CACHE 1024 /* counts whose SLO rate is cached */
#define STAB_CAP 1024   /* scale-in plans remembered (a deque of decreasing counts) */

typedef struct {
    double risk;
    as_time in_window;
    as_time interval;
} mpc_cfg;

static const as_param_def params[] = {
    {"risk", AS_P_DOUBLE, offsetof(mpc_cfg, risk), 1e-6, 1e6, NULL, 0,
     "weight of the SLO penalty against the price of instances (1 = the scenario's own)"},
    {"scale_in_window", AS_P_DURATION, offsetof(mpc_cfg, in_window), 0, 86400, NULL, 0,
     "scale in only to the largest plan of this window"},
    {"interval", AS_P_DURATION, offsetof(mpc_cfg, interval), 0, 86400, NULL, 0,
     "decision interval added to the boot time for the window (0: measured)"},
    {0},
};

static void defaults(void *cfg)
{
    mpc_cfg *c = cfg;
    c->risk = 1.0;
    c->in_window = 5 * AS_MIN;
    c->interval = 0;
}

typedef struct {
    mpc_cfg cfg;
    as_cadence cadence;         /* spacing of decisions */
    bool have_prev;
    double prev_hi0, prev_m0;   /* what the last decision forecast for now */
    double prev_y;              /* the rate the last decision saw (NAN: none) */
    as_time surprised_since;    /* first of the current run of surprises (-1: none) */
    as_time prev_t;             /* when the last decision was */
    double key[5];              /* the tier model the cache is for */
    double lmax[LMAX_CACHE];    /* x(n), NAN = not computed */
    as_time st_t[STAB_CAP];     /* deque of (time, plan), plans decreasing */
    int st_n[STAB_CAP];
    int st_head, st_len;
} mpc_state;

static int init(void *state, const void *cfg, as_err *err)
{
    (void)err;
    mpc_state *s = state;
    s->cfg = *(const mpc_cfg *)cfg;
    s->prev_y = NAN;
    s->surprised_since = -1;
    return AS_OK;
}

static int conc_of(const as_observation *obs) { return obs->concurrency > 0 ? obs->concurrency : 1; }

/* The largest arrival rate n instances serve within the SLO: bisection on
 * the p-quantile response time of the tier's queueing model. */
static double lmax_compute(const as_observation *obs, int n)
{
    if (n <= 0)
        return 0;
    if (!(obs->service_rate > 0) || !(obs->slo_latency > 0) || !(obs->slo_percentile > 0) ||
        !(obs->slo_percentile < 1)) /* no service model: 70 % of the capacity */
        return 0.7 * n * (obs->capacity > 0 ? obs->capacity : 1.0);
    int c = n * conc_of(obs);
    if (obs->sizer && obs->sizer->max_rate) { /* the run's own law */
        double x = obs->sizer->max_rate(obs->sizer->ud, c);
        return x > 0 ? x : 0.7 * c * obs->service_rate;
    }
    double mu = obs->service_rate, f = obs->scv_factor > 0 ? obs->scv_factor : 1.0;
    double p = obs->slo_percentile, target = obs->slo_latency;
    as_mmc q;
    as_mmc_solve(&q, 1e-9 * mu, mu, c, f);
    if (!(as_mmc_resp_quantile(&q, p) <= target))
        return 0.7 * c * mu; /* service alone misses the SLO: 70 % utilisation */
    double lo = 0, hi = c * mu;
    for (int it = 0; it < 60 && hi - lo > 1e-6 * c * mu; it++) {
        double mid = 0.5 * (lo + hi);
        as_mmc_solve(&q, mid, mu, c, f);
        if (q.stable && as_mmc_resp_quantile(&q, p) <= target)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static double lmax_of(mpc_state *s, const as_observation *obs, int n)
{
    double key[5] = {obs->service_rate, (double)conc_of(obs), obs->scv_factor,
                     obs->slo_percentile, obs->slo_latency};
    if (memcmp(key, s->key, sizeof key) != 0) { /* a new tier model: forget */
        memcpy(s->key, key, sizeof key);
        for (int i = 0; i < LMAX_CACHE; i++)
            s->lmax[i] = NAN;
    }
    if (n >= LMAX_CACHE)
        return lmax_compute(obs, n);
    if (isnan(s->lmax[n]))
        s->lmax[n] = lmax_compute(obs, n);
    return s->lmax[n];
}

/* P(L > x) and E[(L - x)+] of a two-piece normal with median m whose
 * central `z`-score interval is [lo, hi]. */
static double normal_tail(double m, double lo, double hi, double z, double x, double *excess)
{
    double su = hi > m ? (hi - m) / z : 0, sl = m > lo ? (m - lo) / z : 0;
    double mean_up = su * sqrt(2 / M_PI); /* E[L - m | L > m] */
    if (x >= m) {
        if (su == 0) {
            *excess = 0;
            return 0.0;
        }
        double d = (x - m) / su, q = 0.5 * erfc(d / M_SQRT2);
        *excess = su * exp(-0.5 * d * d) / sqrt(2 * M_PI) - (x - m) * q;
        return q;
    }
    double p = sl > 0 ? 1.0 - 0.5 * erfc((m - x) / (sl * M_SQRT2)) : 1.0;
    *excess = 0.5 * mean_up + (m - x) * p; /* the lower half's part above x: approximated */
    return p;
}

/* The forecast distribution of the steps the plan covers. */
typedef struct {
    const as_forecast_view *fc;
    double z;       /* normal score of the view's coverage */
    double floor_m; /* the median is raised to at least this (surprise) */
    double slope;   /* ... plus this per step past i_now (a lasting rise) */
    int i_now;
    double shift;   /* the whole distribution is moved up by this (>= 0) */
} dist;

static double floor_at(const dist *d, int i) { return d->floor_m + d->slope * (i - d->i_now); }

static double step_tail(const dist *d, int i, double x, double *excess)
{
    const as_forecast_view *fc = d->fc;
    x -= d->shift; /* P(L + shift > x) = P(L > x - shift), same excess */
    if (fc->source) {
        double p = as_forecaster_tail(fc->source, i + 1, floor_at(d, i), x, excess);
        if (isfinite(p))
            return p;
    }
    double m = fc->mean[i], fm = floor_at(d, i), up = fm > m ? fm - m : 0;
    double lo = fc->lo ? fc->lo[i] : m, hi = fc->hi ? fc->hi[i] : m;
    return normal_tail(m + up, lo + up, hi + up, d->z, x, excess);
}

/* argmin over n of C(n) on steps i0..i1 (see the header). */
static int plan(mpc_state *s, const as_observation *obs, const dist *d, int i0, int i1,
                double price, double w)
{
    int k = i1 - i0 + 1, best_n = 0;
    double best = INFINITY;
    for (int n = 0; n <= obs->max + 1; n++) {
        double x = lmax_of(s, obs, n), cap = (n > 1 ? n : 1) * conc_of(obs) * obs->service_rate;
        if (!(cap > 0))
            cap = (n > 1 ? n : 1) * (obs->capacity > 0 ? obs->capacity : 1.0);
        double pv = 0, ps = 0;
        for (int i = i0; i <= i1; i++) {
            double ex = 0, p = step_tail(d, i, x, &ex);
            ps += p;
            pv += p + ex / cap;
        }
        double cost = n * price * k + w * pv;
        if (cost < best) {
            best = cost;
            best_n = n;
        }
        if (w * ps < 1e-3 * price * k)
            break; /* no larger count can pay for itself */
    }
    return best_n;
}

/* Scale-in plans of the window: a deque of strictly decreasing plans. */
static void stab_push(mpc_state *s, as_time now, int n, as_time window)
{
    while (s->st_len > 0 && s->st_n[(s->st_head + s->st_len - 1) % STAB_CAP] <= n)
        s->st_len--;
    if (s->st_len == STAB_CAP) { /* full: the oldest (largest) goes */
        s->st_head = (s->st_head + 1) % STAB_CAP;
        s->st_len--;
    }
    int at = (s->st_head + s->st_len) % STAB_CAP;
    s->st_t[at] = now;
    s->st_n[at] = n;
    s->st_len++;
    while (s->st_len > 1 && s->st_t[s->st_head] < now - window) {
        s->st_head = (s->st_head + 1) % STAB_CAP;
        s->st_len--;
    }
}

static int stab_max(const mpc_state *s) { return s->st_len ? s->st_n[s->st_head] : 0; }

/* The least median a surprise calls for (-INFINITY: none). */
static double surprise_floor(const mpc_state *s, const as_observation *obs)
{
    double y = obs->rate;
    return isfinite(y) && s->have_prev && y > s->prev_hi0 ? y + (y - s->prev_m0) : -INFINITY;
}

/* The least median a backlog calls for (-INFINITY: none): the rate plus
 * the queue (what the ready servers serve in the wait seen) drained over
 * a boot time. */
static double backlog_floor(const as_observation *obs)
{
    double y = obs->rate;
    if (!isfinite(y) || !isfinite(obs->latency) || !(obs->latency > obs->slo_latency) ||
        obs->ready <= 0 || !(obs->service_rate > 0))
        return -INFINITY;
    double srv = (double)obs->ready * conc_of(obs) * obs->service_rate;
    double q = (obs->latency - 1.0 / obs->service_rate) * srv;
    double boot = as_time_to_s(obs->boot_time > 0 ? obs->boot_time : 15 * AS_SEC);
    double top = (double)(obs->max + 1) * conc_of(obs) * obs->service_rate;
    return fmin(y + q / boot, top);
}

/* The pace of a lasting rise, per forecast step (0: none): the rate has
 * been above the last forecast's upper bound at every decision for longer
 * than twice the data's age (the span over which a step in the load keeps
 * raising the averaged rate the policy sees), and still rises. Then the
 * surprise is the load's own rise, not the averaging's delayed view of a
 * step, and it goes on at the last interval's pace over the plan's steps.
 * Updates the run of surprises. */
static double rise_slope(mpc_state *s, const as_observation *obs, as_time age, as_time step)
{
    double y = obs->rate, slope = 0;
    bool surprised = s->have_prev && isfinite(y) && y > s->prev_hi0;
    if (!surprised)
        s->surprised_since = -1;
    else if (s->surprised_since < 0)
        s->surprised_since = obs->now;
    if (surprised && obs->now - s->surprised_since > 2 * age && isfinite(s->prev_y) &&
        y > s->prev_y) {
        as_time dt = obs->now - s->prev_t;
        slope = dt > 0 ? (y - s->prev_y) * (double)step / (double)dt : 0;
    }
    s->prev_y = y;
    s->prev_t = obs->now;
    return slope;
}

static void decide(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out)
{
    mpc_state *s = state;
    const mpc_cfg *c = &s->cfg;
    int cur = obs->current;
    as_cadence_tick(&s->cadence, obs->now);

    double price = obs->price > 0 ? obs->price : 1.0;
    double w = c->risk * (obs->slo_penalty > 0 ? obs->slo_penalty : 100.0 * price);
    /* no view: the observed rate, certain, over one step */
    double one = isfinite(obs->rate) ? obs->rate : 0;
    as_forecast_view none = {.h = 1, .step = DEFAULT_INTERVAL, .mean = &one, .lo = &one,
                             .hi = &one};
    bool blind = fc == NULL || fc->h <= 0 || fc->step <= 0 || fc->mean == NULL;
    if (blind)
        fc = &none;
    double cov = fc->coverage > 0 && fc->coverage < 1 ? fc->coverage : 0.9;
    dist d = {.fc = fc, .z = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * cov), .floor_m = -INFINITY};

    as_time interval = as_cadence_interval(&s->cadence, c->interval, DEFAULT_INTERVAL);
    as_time age = obs->data_age > 0 ? obs->data_age : 0;
    as_time boot = obs->boot_time > 0 ? obs->boot_time : 0;
    int i_now = 0, i0, i1;
    while (i_now < fc->h - 1 && (as_time)(i_now + 1) * fc->step < age)
        i_now++;
    for (i0 = i_now; i0 < fc->h - 1 && (as_time)(i0 + 1) * fc->step < boot + age; i0++)
        ;
    for (i1 = i0; i1 < fc->h - 1 && (as_time)(i1 + 1) * fc->step < boot + age + interval; i1++)
        ;
    if (i1 < fc->h - 1)
        i1++; /* one step of slack: the decision after next is not instant */

    int n_out = plan(s, obs, &d, i0, i1, price, w);
    int n_in = plan(s, obs, &d, i_now, i1, price, w);
    as_reason up_why = blind ? AS_R_LOW_CONFIDENCE : AS_R_PREDICTIVE;
    double f_s = surprise_floor(s, obs), f_b = backlog_floor(obs);
    d.i_now = i_now;
    d.slope = rise_slope(s, obs, age, fc->step);
    if (isfinite(f_s) || isfinite(f_b)) {
        d.floor_m = fmax(f_s, f_b);
        int n_s = plan(s, obs, &d, i_now, i1, price, w);
        if (n_s > n_out) {
            n_out = n_s;
            up_why = AS_R_SURPRISE;
        }
        /* a backlog's capacity is for its drain: the scale-in window
         * holds the surprise's plan alone */
        if (f_b > f_s) {
            d.floor_m = f_s;
            n_s = isfinite(f_s) ? plan(s, obs, &d, i_now, i1, price, w) : 0;
        }
        n_in = n_s > n_in ? n_s : n_in;
    }
    s->have_prev = !blind;
    s->prev_m0 = fc->mean[0];
    s->prev_hi0 = fc->hi ? fc->hi[0] : fc->mean[0];
    stab_push(s, obs->now, n_in, c->in_window);

    if (n_out > cur) {
        as_decision_clamp(out, obs, n_out, n_out, up_why);
        return;
    }
    if (n_in < cur && !isfinite(obs->rate)) {
        as_decision_clamp(out, obs, n_in, cur, AS_R_MISSING_METRIC);
        return;
    }
    int hold = stab_max(s) > n_out ? stab_max(s) : n_out;
    if (hold < cur) { /* the scale-in's margin: one step of forecast error */
        double m0 = fc->mean[i_now], hi0 = fc->hi ? fc->hi[i_now] : m0;
        d.shift = hi0 > m0 ? hi0 - m0 : 0;
        int keep = plan(s, obs, &d, i_now, i1, price, w);
        if (keep > hold)
            hold = keep < cur ? keep : cur;
    }
    if (hold < cur)
        as_decision_clamp(out, obs, n_in, hold, AS_R_SCALE_IN);
    else
        as_decision_clamp(out, obs, n_in, cur, n_in < cur ? AS_R_STABILIZED : AS_R_NONE);
}

const as_policy_type as_pol_predictive = {
    .version = 1,
    .name = "predictive",
    .flags = AS_KIND_NEEDS_FORECAST,
    .state_size = sizeof(mpc_state),
    .config_size = sizeof(mpc_cfg),
    .params = params,
    .defaults = defaults,
    .fini = NULL,
    .default_interval = DEFAULT_INTERVAL,
    .init = init,
    .decide = decide,
};
