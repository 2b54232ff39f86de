/* fc_holt.c - the `holt` forecaster (double exponential smoothing, linear
 * trend): l(t) = alpha*y + (1-alpha)(l + b), b(t) = beta(l(t) - l(t-1)) +
 * (1-beta) b, forecast l + phi_h*b where phi_h = phi + ... + phi^h (phi = 1:
 * h*b, the plain linear trend; phi < 1 damps it so long horizons flatten).
 * Initialised from the first two observations (l = y1, b = y1 - y0), so an
 * exact line is forecast exactly from the second update on, whatever the
 * smoothing constants. A missing observation advances the state along the
 * trend (its one-step forecast stands in for it). O(1) per update. */
#include "fc_int.h"

#include <stddef.h>

typedef struct {
    double alpha; /* smoothing of the level */
    double beta;  /* smoothing of the trend */
    double phi;   /* trend damping, 1 = none */
} holt_cfg;

static const as_param_def params[] = {
    {"alpha", AS_P_DOUBLE, offsetof(holt_cfg, alpha), 0.0001, 1.0, NULL, 0,
     "weight of the newest observation in the level (0..1]"},
    {"beta", AS_P_DOUBLE, offsetof(holt_cfg, beta), 0.0, 1.0, NULL, 0,
     "weight of the newest level change in the trend [0..1]"},
    {"phi", AS_P_DOUBLE, offsetof(holt_cfg, phi), 0.5, 1.0, NULL, 0,
     "trend damping per step (1 = linear trend, <1 flattens long horizons)"},
    {0},
};

static void defaults(void *cfg)
{
    holt_cfg *c = cfg;
    c->alpha = 0.5;
    c->beta = 0.1;
    c->phi = 1.0;
}

typedef struct {
    fc_track tr;
    holt_cfg p;
    double level, trend;
    int seen; /* finite observations absorbed, capped at 2 */
} holt_state;
FC_TRACK_FIRST(holt_state);

static void fini(void *state)
{
    holt_state *s = state;
    fc_track_fini(&s->tr);
}

static int init(void *state, const as_forecast_common *c, const void *cfg, as_err *err)
{
    holt_state *s = state;
    s->p = *(const holt_cfg *)cfg;
    return fc_track_init(&s->tr, c, err);
}

static void update(void *state, as_time t, double y)
{
    (void)t;
    holt_state *s = state;
    fc_track_observe(&s->tr, y);
    const holt_cfg *p = &s->p;
    if (s->seen == 0) {
        if (isfinite(y)) {
            s->level = y;
            s->trend = 0.0;
            s->seen = 1;
        }
    } else if (!isfinite(y)) {
        s->level += p->phi * s->trend; /* follow the forecast through the gap */
        s->trend *= p->phi;
    } else if (s->seen == 1) {
        s->trend = y - s->level;
        s->level = y;
        s->seen = 2;
    } else {
        double prev = s->level;
        s->level = p->alpha * y + (1.0 - p->alpha) * (prev + p->phi * s->trend);
        s->trend = p->beta * (s->level - prev) + (1.0 - p->beta) * p->phi * s->trend;
    }
    double *row = fc_track_row(&s->tr);
    double damp = 0.0, pk = 1.0;
    for (int j = 0; j < s->tr.H; j++) {
        pk *= p->phi;
        damp += pk; /* phi + phi^2 + ... + phi^(j+1) */
        row[j] = s->level + damp * s->trend;
    }
    fc_track_commit(&s->tr);
}

const as_forecaster_type as_fc_holt = {
    .version = 1,
    .name = "holt",
    .flags = 0,
    .state_size = sizeof(holt_state),
    .config_size = sizeof(holt_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .init = init,
    .update = update,
    .forecast = fc_track_forecast_method,
    .tail = fc_track_tail_method,
};
