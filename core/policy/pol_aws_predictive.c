/* pol_aws_predictive.c - the `aws_predictive` policy: capacity set ahead of
 * demand from a forecast of the arrival rate, in the manner of AWS
 * predictive scaling in ForecastAndScale mode (REFERENCE 2.4). It was the
 * `predictive` kind until the planning policy (pol_predictive.c) took that
 * name; it stays, unchanged, so that the gain can be measured, and it is
 * the kind an AWS PredictiveScaling policy (aws_policy) configures.
 *
 * Each evaluation:
 *  1. the horizon is lead = obs->boot_time + the decision interval: what is
 *     requested now is ready after boot_time and must hold until the next
 *     decision's capacity is ready. Forecast value i is the rate at
 *     now + (i+1) * fc->step (one step ahead of the last observation, as
 *     as_forecaster_predict returns it); the first ceil(lead / step) values
 *     are used (all of them when the view is shorter);
 *  2. the rate to provision for is the maximum over that window of the mean
 *     (quantile = mean, what AWS schedules) or of the upper bound
 *     (quantile = upper, for a safety margin priced by the forecaster);
 *  3. instances: sizing = utilization gives ceil(rate / (capacity x
 *     target)); sizing = slo gives the least servers whose p-quantile
 *     response time meets the SLO in the run's own latency model
 *     (obs->sizer; as_mmc_min_servers, Allen-Cunneen, when the driver
 *     gives none), in whole instances of obs->concurrency servers;
 *  4. gating: with no forecast, a flagged anomaly (reason anomaly), a
 *     non-finite value or a relative interval width (hi - lo) / mean above
 *     max_spread anywhere in the window (reason low_confidence), the policy
 *     falls back to a reactive target-tracking rule on the observed
 *     utilisation (scale out to ceil(load / target); scale in only below
 *     target x (1 - scale_in_margin) and not while instances boot);
 *  5. never scale in on a forecast alone: AWS predictive scaling "never
 *     scales in on a forecast, only on a real drop". A forecast below the
 *     current count lowers it only when the observed utilisation calls for
 *     scale-in too, and then not below either recommendation.
 *
 * Keys (defaults): target = 0.7, quantile = mean (mean | upper),
 * sizing = utilization (utilization | slo), max_spread = 0.5,
 * scale_in_margin = 0.1, interval = 0s (0: measured between decide()
 * calls, 60 s until there are two). Default evaluation interval 60 s.
 * AWS forecasts hourly for 48 h and schedules 300 s ahead
 * (SchedulingBufferTime); here the forecast step is the simulator's and
 * the lead is the tier's boot time, which is what the buffer stands for. */
#include "as_policy.h"
#include "as_queueing.h"

#include <math.h>
#include <stddef.h>

enum { Q_MEAN, Q_UPPER };
enum { SZ_UTIL, SZ_SLO };
static const char *const quantile_names[] = {"mean", "upper", NULL};
static const char *const sizing_names[] = {"utilization", "slo", NULL};

#define DEFAULT_INTERVAL (60 * AS_SEC)

typedef struct {
    double target;
    int quantile;
    int sizing;
    double max_spread;
    double scale_in_margin;
    as_time interval;
} pred_cfg;

static const as_param_def params[] = {
    {"target", AS_P_DOUBLE, offsetof(pred_cfg, target), 0.01, 1.0, NULL, 0,
     "target utilisation of the provisioned capacity (0.7 or 70%)"},
    {"quantile", AS_P_ENUM, offsetof(pred_cfg, quantile), 0, 0, quantile_names, 0,
     "forecast value to provision for: mean or upper (the interval's upper bound)"},
    {"sizing", AS_P_ENUM, offsetof(pred_cfg, sizing), 0, 0, sizing_names, 0,
     "utilization: rate / (capacity * target); slo: least servers meeting the SLO"},
    {"max_spread", AS_P_DOUBLE, offsetof(pred_cfg, max_spread), 0.0, 1000.0, NULL, 0,
     "fall back to reactive when (hi - lo) / mean exceeds this"},
    {"scale_in_margin", AS_P_DOUBLE, offsetof(pred_cfg, scale_in_margin), 0.0, 0.99, NULL, 0,
     "observed utilisation must be below target * (1 - margin) to scale in"},
    {"interval", AS_P_DURATION, offsetof(pred_cfg, interval), 0, 86400, NULL, 0,
     "decision interval added to the boot time for the horizon (0: measured)"},
    {0},
};

static void defaults(void *cfg)
{
    pred_cfg *c = cfg;
    c->target = 0.7;
    c->quantile = Q_MEAN;
    c->sizing = SZ_UTIL;
    c->max_spread = 0.5;
    c->scale_in_margin = 0.1;
    c->interval = 0;
}

typedef struct {
    pred_cfg cfg;
    as_cadence cadence; /* spacing of decide() calls */
} pred_state;

static int init(void *state, const void *cfg, as_err *err)
{
    (void)err;
    pred_state *s = state;
    s->cfg = *(const pred_cfg *)cfg;
    return AS_OK;
}

static int clamp_count(double x, int max)
{
    if (!(x < (double)max + 1.0)) /* also NAN */
        return max + 1;
    return x < 0 ? 0 : (int)x;
}

/* Instances for an arrival rate (rate >= 0). */
static int size_for(const pred_cfg *c, const as_observation *obs, double rate)
{
    if (rate <= 0)
        return 0;
    int conc = obs->concurrency > 0 ? obs->concurrency : 1;
    if (c->sizing == SZ_SLO && obs->service_rate > 0 && obs->slo_latency > 0 &&
        obs->slo_percentile > 0 && obs->slo_percentile < 1) {
        double f = obs->scv_factor > 0 ? obs->scv_factor : 1.0;
        int cmax = obs->max > 0 ? obs->max * conc : conc;
        int servers = obs->sizer ? obs->sizer->servers(obs->sizer->ud, rate, cmax)
                                 : as_mmc_min_servers(rate, obs->service_rate, f,
                                                      obs->slo_percentile, obs->slo_latency, cmax);
        return servers > cmax ? obs->max + 1 : (servers + conc - 1) / conc;
    }
    double cap = obs->capacity;
    if (!(cap > 0) || !isfinite(cap))
        cap = obs->service_rate > 0 ? conc * obs->service_rate : NAN;
    if (!(cap > 0))
        return -1; /* unknown capacity: cannot size */
    return clamp_count(ceil(rate / (cap * c->target) - 1e-9), obs->max);
}

/* The reactive rule used as fallback and to confirm a scale-in: a target
 * tracking step on the observed utilisation. Returns the desired count and
 * the reason; cur when the observation does not call for a change. */
static int reactive(const pred_cfg *c, const as_observation *obs, as_reason *why)
{
    int cur = obs->current;
    double u = obs->utilization;
    if (isnan(u) || obs->ready <= 0) {
        *why = AS_R_MISSING_METRIC;
        return cur;
    }
    int need = clamp_count(ceil(u * (double)obs->ready / c->target - 1e-9), obs->max);
    if (u > c->target && need > cur) {
        *why = AS_R_SCALE_OUT;
        return need;
    }
    if (u < c->target * (1.0 - c->scale_in_margin) && need < cur) {
        if (obs->booting > 0) { /* as target tracking: no scale-in in warmup */
            *why = AS_R_WARMUP;
            return cur;
        }
        *why = AS_R_SCALE_IN;
        return need;
    }
    *why = AS_R_NONE;
    return cur;
}

static void decide(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out)
{
    pred_state *s = state;
    const pred_cfg *c = &s->cfg;
    int cur = obs->current;

    as_cadence_tick(&s->cadence, obs->now);

    as_reason rwhy;
    int rneed = reactive(c, obs, &rwhy);

    as_reason fallback = AS_R_NONE;
    double rate = 0;
    if (fc == NULL || fc->h <= 0 || fc->mean == NULL || fc->step <= 0) {
        fallback = AS_R_LOW_CONFIDENCE;
    } else if (fc->anomaly) {
        fallback = AS_R_ANOMALY;
    } else {
        as_time interval = as_cadence_interval(&s->cadence, c->interval, DEFAULT_INTERVAL);
        as_time lead = (obs->boot_time > 0 ? obs->boot_time : 0) + interval;
        as_time k64 = (lead + fc->step - 1) / fc->step;
        int k = k64 < 1 ? 1 : k64 > fc->h ? fc->h : (int)k64;
        for (int i = 0; i < k && fallback == AS_R_NONE; i++) {
            double m = fc->mean[i];
            double lo = fc->lo ? fc->lo[i] : m, hi = fc->hi ? fc->hi[i] : m;
            double v = c->quantile == Q_UPPER ? hi : m;
            if (!isfinite(m) || !isfinite(lo) || !isfinite(hi)) {
                fallback = AS_R_LOW_CONFIDENCE;
                break;
            }
            /* Relative width; a zero mean with a non-zero width is
             * infinitely uncertain, zero with zero width is certain. */
            double w = hi - lo;
            double spread = w <= 0 ? 0 : m > 0 ? w / m : INFINITY;
            if (spread > c->max_spread)
                fallback = AS_R_LOW_CONFIDENCE;
            if (v > rate)
                rate = v;
        }
    }
    int pneed = fallback == AS_R_NONE ? size_for(c, obs, rate) : -1;
    if (fallback == AS_R_NONE && pneed < 0)
        fallback = AS_R_LOW_CONFIDENCE; /* no capacity figure to size with */

    if (fallback != AS_R_NONE) {
        /* Reactive fallback; the reason names why the forecast was not used,
         * except a missing metric, which is why nothing happens at all. */
        as_decision_clamp(out, obs, rneed, rneed,
                          rwhy == AS_R_MISSING_METRIC ? rwhy : fallback);
        return;
    }
    if (pneed > cur) {
        as_decision_clamp(out, obs, pneed, pneed, AS_R_PREDICTIVE);
        return;
    }
    if (pneed == cur || rwhy != AS_R_SCALE_IN) {
        /* The forecast alone never removes capacity. */
        as_decision_clamp(out, obs, pneed, cur,
                          pneed < cur && rwhy != AS_R_SCALE_OUT ? rwhy : AS_R_NONE);
        return;
    }
    int want = pneed > rneed ? pneed : rneed;
    as_decision_clamp(out, obs, pneed, want, AS_R_SCALE_IN);
}

const as_policy_type as_pol_aws_predictive = {
    .version = 1,
    .name = "aws_predictive",
    .flags = AS_KIND_NEEDS_FORECAST | AS_KIND_CONF_AWS_PREDICTIVE,
    .state_size = sizeof(pred_state),
    .config_size = sizeof(pred_cfg),
    .params = params,
    .defaults = defaults,
    .fini = NULL,
    .default_interval = DEFAULT_INTERVAL,
    .init = init,
    .decide = decide,
};
