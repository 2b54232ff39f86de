/* pol_oracle.c - the `oracle` policy: sees the true future arrival rate and
 * provisions the least instances that meet the latency SLO. It is the
 * offline lower bound on cost at the SLO, not something a real system can
 * run: compare other policies against it.
 *
 * The view: fc->mean[i] (= lo = hi) is the true rate over the step
 * (now + i*step, now + (i+1)*step]. For a rate lambda the tier needs
 * n(lambda) = ceil(c / concurrency) instances, c the least servers that
 * meet the tier's share of the SLO in the run's own latency model
 * (obs->sizer: the M/G/c law of the tier's service, and at the request
 * level a margin for the noise of a window, so that the oracle is a bound
 * in the model the run uses; without a sizer, M/M/c with Allen-Cunneen,
 * as_mmc_min_servers). n is non-decreasing in lambda, so the need over a
 * window is n of the window's peak rate: one call per window, not one per
 * step.
 *
 *  - Scale-out: what is requested now is ready at now + boot_time, so the
 *    count must cover every step from now + boot_time to the end of the
 *    view: late = n(max rate over the steps ending after boot_time).
 *  - Scale-in takes effect at once, while a replacement would need
 *    boot_time: the count may only drop to what the next boot_time window
 *    needs as well, early = n(max rate over the steps starting before
 *    now + boot_time). desired = max(late, min(current, early)).
 *  - Lift: where the view carries one (fc->lift, the request level's
 *    refinement), each count adds the largest lift of the steps it
 *    covers: late + the largest over the late steps, early + the largest
 *    over the early ones. The lift is set by the driver from the windows a
 *    previous pass over the same requests failed; taking the largest over
 *    the steps, not the lift of the peak-rate step, over-provisions a
 *    little where a lifted window meets a busier one, and keeps the count
 *    one call of need_for per window.
 * With no view (or no service model) nothing changes. When no count up to
 * max meets the SLO the tier goes to max (reason at_max).
 * No keys. Default evaluation interval 60 s. */
#include "as_policy.h"
#include "as_queueing.h"

#include <math.h>

static const as_param_def params[] = {
    {0},
};

/* No settings and no state (state_size 0: the wrapper passes NULL). */
static int init(void *state, const void *cfg, as_err *err)
{
    (void)state;
    (void)cfg;
    (void)err;
    return AS_OK;
}

/* Instances for a rate; max + 1 when the SLO cannot be met within max. */
static int need_for(const as_observation *obs, double rate)
{
    if (!(rate > 0))
        return 0;
    int conc = obs->concurrency > 0 ? obs->concurrency : 1;
    int cmax = (obs->max > 0 ? obs->max : 1) * conc;
    double f = obs->scv_factor > 0 ? obs->scv_factor : 1.0;
    int c = obs->sizer ? obs->sizer->servers(obs->sizer->ud, rate, cmax)
                       : as_mmc_min_servers(rate, obs->service_rate, f, obs->slo_percentile,
                                            obs->slo_latency, cmax);
    if (c > cmax)
        return obs->max + 1;
    return (c + conc - 1) / conc;
}

static void decide(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out)
{
    (void)state;
    int cur = obs->current;
    out->raw = out->desired = cur;
    out->reason = AS_R_NONE;
    if (fc == NULL || fc->h <= 0 || fc->mean == NULL || fc->step <= 0 ||
        !(obs->service_rate > 0) || !(obs->slo_latency > 0) || !(obs->slo_percentile > 0) ||
        !(obs->slo_percentile < 1))
        return;

    as_time boot = obs->boot_time > 0 ? obs->boot_time : 0;
    double late = 0, early = 0;
    int lift_late = 0, lift_early = 0;
    bool any_late = false;
    for (int i = 0; i < fc->h; i++) {
        double r = fc->mean[i];
        int l = fc->lift ? fc->lift[i] : 0;
        if (!isfinite(r))
            continue;
        if ((as_time)(i + 1) * fc->step > boot) {
            any_late = true;
            if (r > late)
                late = r;
            if (l > lift_late)
                lift_late = l;
        }
        if ((as_time)i * fc->step < boot) {
            if (r > early)
                early = r;
            if (l > lift_early)
                lift_early = l;
        }
    }
    if (!any_late) { /* the view ends before new capacity could be ready */
        late = fc->h > 0 && isfinite(fc->mean[fc->h - 1]) ? fc->mean[fc->h - 1] : 0;
        lift_late = fc->h > 0 && fc->lift ? fc->lift[fc->h - 1] : 0;
    }

    int n_late = need_for(obs, late) + lift_late;
    int want = n_late;
    if (n_late < cur) {
        int n_early = need_for(obs, early) + lift_early;
        int hold = n_early < cur ? n_early : cur;
        if (hold > want)
            want = hold;
    }
    out->raw = want;
    if (want > obs->max) {
        want = obs->max;
        out->reason = AS_R_AT_MAX;
    } else if (want < obs->min) {
        want = obs->min;
        out->reason = want == cur ? AS_R_AT_MIN : cur < want ? AS_R_SCALE_OUT : AS_R_SCALE_IN;
    } else {
        out->reason = want > cur ? AS_R_SCALE_OUT : want < cur ? AS_R_SCALE_IN : AS_R_NONE;
    }
    out->desired = want;
}

const as_policy_type as_pol_oracle = {
    .version = 1,
    .name = "oracle",
    .flags = AS_KIND_NEEDS_FORECAST | AS_KIND_SEES_FUTURE,
    .state_size = 0,
    .config_size = 0,
    .params = params,
    .defaults = NULL,
    .fini = NULL,
    .default_interval = 60 * AS_SEC,
    .init = init,
    .decide = decide,
};
