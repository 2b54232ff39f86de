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

static void destroy(void *state)
{
    ewma_state *s = state;
    if (s == NULL)
        return;
    fc_track_fini(&s->tr);
    free(s);
}

static int create(const as_forecast_common *c, const void *cfg, void **state, as_err *err)
{
    ewma_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    s->alpha = ((const ewma_cfg *)cfg)->alpha;
    int rc = fc_track_init(&s->tr, c, err);
    if (rc != AS_OK) {
        destroy(s);
        return rc;
    }
    *state = s;
    return AS_OK;
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

static void forecast(const void *state, int h, double *mean, double *lo, double *hi)
{
    const ewma_state *s = state;
    fc_track_forecast(&s->tr, h, mean, lo, hi);
}

const as_forecaster_type as_fc_ewma = {
    .version = 1,
    .name = "ewma",
    .config_size = sizeof(ewma_cfg),
    .params = params,
    .defaults = defaults,
    .create = create,
    .destroy = destroy,
    .update = update,
    .forecast = forecast,
};
