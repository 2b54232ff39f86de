/* fc_naive.c - the `naive` forecaster: every horizon gets the last observed
 * value (a random walk forecast). The simplest kind and the template:
 *  1. copy this file to fc_<kind>.c, rename the config and the state;
 *  2. list every key in params[] with bounds and a help line;
 *  3. in update(): fc_track_observe(), absorb y (NAN = missing, never 0),
 *     write the H-step path into fc_track_row(), fc_track_commit();
 *  4. add &as_fc_<kind> to the registry in core/as_forecast.c; the
 *     conformance battery in tests/test_forecast.c then covers it.
 * Intervals come from fc_track (empirical per-horizon errors). */
#include "fc_int.h"

typedef struct {
    int unused; /* no parameters; C forbids an empty struct */
} naive_cfg;

static const as_param_def params[] = {{0}};

static void defaults(void *cfg) { memset(cfg, 0, sizeof(naive_cfg)); }

typedef struct {
    fc_track tr;
} naive_state;
FC_TRACK_FIRST(naive_state);

static void fini(void *state)
{
    naive_state *s = state;
    fc_track_fini(&s->tr);
}

static int init(void *state, const as_forecast_common *c, const void *cfg, as_err *err)
{
    (void)cfg;
    naive_state *s = state;
    return fc_track_init(&s->tr, c, err);
}

static void update(void *state, as_time t, double y)
{
    (void)t;
    naive_state *s = state;
    fc_track_observe(&s->tr, y); /* also keeps tr.last, the last finite y */
    double *row = fc_track_row(&s->tr);
    for (int j = 0; j < s->tr.H; j++)
        row[j] = s->tr.last;
    fc_track_commit(&s->tr);
}

const as_forecaster_type as_fc_naive = {
    .version = 1,
    .name = "naive",
    .flags = 0,
    .state_size = sizeof(naive_state),
    .config_size = sizeof(naive_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .init = init,
    .update = update,
    .forecast = fc_track_forecast_method,
    .tail = fc_track_tail_method,
};
