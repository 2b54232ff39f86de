/* fc_ar.c - the `ar` forecaster: AR(p) with intercept,
 * y(t) = c + a1*y(t-1) + ... + ap*y(t-p), fitted by least squares on a
 * sliding window and iterated for the multi-step forecast. It is the
 * regression of fc_linreg.c with lag features only (no rolling means, no
 * calendar), so it shares that engine (fc_ls_*): same gap handling, same
 * rank-deficiency-safe solve (running-sum Gram matrix, Cholesky, and a
 * minimum-norm eigen pseudo-inverse when it is singular), same refit schedule.
 * Why least squares and not Yule-Walker: on short windows of trending
 * traffic Yule-Walker's biased autocovariances shrink the coefficients
 * towards zero and the forecast towards the window mean. */
#include "fc_int.h"

#include <stddef.h>

typedef struct {
    int order;
    int window;
    int refit;
} ar_cfg;

static const as_param_def params[] = {
    {"order", AS_P_INT, offsetof(ar_cfg, order), 1, 256, NULL, 0, "p, the number of lags"},
    {"window", AS_P_INT, offsetof(ar_cfg, window), 8, 1000000, NULL, 0,
     "training points in the sliding window"},
    {"refit", AS_P_INT, offsetof(ar_cfg, refit), 0, 1e9, NULL, 0,
     "steps between refits (0 = fit once)"},
    {0},
};

static void defaults(void *cfg)
{
    ar_cfg *c = cfg;
    c->order = 6;
    c->window = 500;
    c->refit = 30;
}

static int init(void *state, const as_forecast_common *c, const void *cfg, as_err *err)
{
    const ar_cfg *k = cfg;
    fc_ls_spec sp = {.lags = k->order, .nmeans = 0, .calendar = false, .window = k->window,
                     .refit = k->refit, .tol = 1e-10};
    return fc_ls_init(state, c, &sp, err);
}

const as_forecaster_type as_fc_ar = {
    .version = 1,
    .name = "ar",
    .flags = 0,
    .state_size = sizeof(fc_ls_state),
    .config_size = sizeof(ar_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fc_ls_fini,
    .init = init,
    .update = fc_ls_update,
    .forecast = fc_track_forecast_method,
    .tail = fc_track_tail_method,
};
