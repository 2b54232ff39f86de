/* fc_ewma.c - the `ewma` forecaster (simple exponential smoothing):
 * l(t) = alpha*y(t) + (1-alpha)*l(t-1), flat forecast l(t) at every horizon.
 * O(1) per update. The level starts at the first observation (not at 0, which
 * would bias the first forecasts towards zero); a missing observation leaves
 * the level unchanged (the forecast of it is the level itself). */
#include "fc_int.h"

#include <stddef.h>

typedef struct {
    double alpha; /* smoothing of the level */
} ewma_cfg;

static const as_param_def params[] = {
    {"alpha", AS_P_DOUBLE, offsetof(ewma_cfg, alpha), 0.0001, 1.0, NULL, 0,
     "weight of the newest observation in the level (0..1]"},
    {0},
};

static void defaults(void *cfg) { ((ewma_cfg *)cfg)->alpha = 0.3; }

typedef struct {
    fc_track tr;
    double alpha;
    double level;
    bool started; /* level holds an observation */
} ewma_state;
FC_TRACK_FIRST(ewma_state);

static void fini(void *state)
{
    ewma_state *s = state;
    fc_track_fini(&s->tr);
}

static int init(void *state, const as_forecast_common *c, const void *cfg, as_err *err)
{
    ewma_state *s = state;
    s->alpha = ((const ewma_cfg *)cfg)->alpha;
    return fc_track_init(&s->tr, c, err);
}

static void update(void *state, as_time t, double y)
{
    (void)t;
    ewma_state *s = state;
    fc_track_observe(&s->tr, y);
    if (isfinite(y)) {
        s->level = s->started ? s->level + s->alpha * (y - s->level) : y;
        s->started = true;
    }
    double *row = fc_track_row(&s->tr);
    for (int j = 0; j < s->tr.H; j++)
        row[j] = s->level;
    fc_track_commit(&s->tr);
}

const as_forecaster_type as_fc_ewma = {
    .version = 1,
    .name = "ewma",
    .flags = 0,
    .state_size = sizeof(ewma_state),
    .config_size = sizeof(ewma_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .init = init,
    .update = update,
    .forecast = fc_track_forecast_method,
    .tail = fc_track_tail_method,
};
