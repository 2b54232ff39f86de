/* fc_seasonal_drift.c - the `seasonal_drift` forecaster: the last value plus
 * the change the same h steps brought, on average, in the last K seasons:
 *   y^(t+h) = y(t) + mean_k y(t+h-km) - mean_k y(t-km),  k = 1..K (seen),
 * a random walk that knows the shape of the season but not its level.
 * Why: a level-plus-season model (holt_winters) needs its season's level
 * and amplitude right; a week with quieter weekends, a daily peak that
 * moves, or a few days of history break that. The change over the next h
 * steps is what a scaling decision needs, and it carries from one day to
 * the next even when the level does not. Averaging K seasons (7 by
 * default: a week of days) keeps one odd day's noise out. On the
 * Wikipedia trace at a 1-day season its MASE is 0.737 against 1.135 for
 * holt_winters and 2.04 for naive; it is the member of `auto` that
 * provisions ahead of a daily ramp (scenarios/seasonal.ini).
 * With alpha < 1 the path starts from a smoothed level instead of the last
 * value: y^(t+h) = mean_k y(t+h-km) + d(t), where d is the exponentially
 * weighted mean (weight alpha) of y - mean_k y(t-km), the deviation from
 * the seasons' mean. Where that deviation is noise that does not last (a
 * rate that jumps every few minutes around its daily shape, the count of a
 * busy minute), the last value carries the whole of the last jump into
 * every horizon, and the error at a horizon past the noise's span is
 * about sqrt(2) times the noise; the smoothed level carries a 1/(2/alpha - 1)
 * share of its variance (measured on scenarios/seasonal.ini's trace at
 * 15 s steps, h = 18: sd 6.7 % of the rate from the last value, 5.0 %
 * from the seasons' mean alone). A lasting change of level is followed
 * within about 1/alpha steps. `auto` runs it at alpha = 1/8 and 1/64
 * beside the plain one and picks per horizon (fc_auto.c).
 * State: a ring of the last K seasons (K m doubles) and, per season slot,
 * the mean of its finite values (recomputed from the ring when the slot
 * changes: O(K) per update, no running sum to drift). A missing value is
 * left out of its slot's mean. Until a season has been seen the path is
 * the last value (the warm-up). Cost: O(K + H) per update. */
#include "fc_int.h"

#include <stddef.h>

typedef struct {
    int seasons; /* K */
    double alpha; /* smoothing of the deviation from the seasons' mean (1: none) */
} sd_cfg;

static const as_param_def params[] = {
    {"seasons", AS_P_INT, offsetof(sd_cfg, seasons), 1, 52, NULL, 0,
     "past seasons averaged (as many as seen, up to this)"},
    {"alpha", AS_P_DOUBLE, offsetof(sd_cfg, alpha), 0.0001, 1.0, NULL, 0,
     "weight of the newest deviation from the seasons' mean in the base the path starts "
     "from (1: the last value itself)"},
    {0},
};

static void defaults(void *cfg)
{
    sd_cfg *c = cfg;
    c->seasons = 7;
    c->alpha = 1.0;
}

typedef struct {
    fc_track tr; /* first: fc_track_forecast_method */
    int m, K;
    double alpha; /* 1: the path starts from the last value */
    double dev;   /* smoothed deviation of y from its slot's mean (alpha < 1) */
    bool dev_set; /* dev holds one */
    long n;       /* updates so far: y(n) goes to slot n % m */
    double *ring; /* ring[i % (K m)] = y(i), NAN = missing or not seen */
    double *mean; /* mean[s]: mean of the finite values of slot s in the ring, NAN if none */
} sd_state;
FC_TRACK_FIRST(sd_state);

static void fini(void *state)
{
    sd_state *s = state;
    fc_track_fini(&s->tr);
    free(s->ring);
    free(s->mean);
}

static int init(void *state, const as_forecast_common *c, const void *cfg, as_err *err)
{
    sd_state *s = state;
    if (c->season < 2)
        return as_err_set(err, AS_EINVAL,
                          "seasonal_drift needs a season of at least 2 steps (got %d)", c->season);
    s->m = c->season;
    s->K = ((const sd_cfg *)cfg)->seasons;
    s->alpha = ((const sd_cfg *)cfg)->alpha;
    size_t len = (size_t)s->K * (size_t)s->m;
    s->ring = malloc(len * sizeof *s->ring);
    s->mean = malloc((size_t)s->m * sizeof *s->mean);
    if (s->ring == NULL || s->mean == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory (seasonal_drift, season %d)", s->m);
    for (size_t i = 0; i < len; i++)
        s->ring[i] = NAN;
    for (int i = 0; i < s->m; i++)
        s->mean[i] = NAN;
    return fc_track_init(&s->tr, c, err);
}

static void update(void *state, as_time t, double y)
{
    (void)t;
    sd_state *s = state;
    fc_track_observe(&s->tr, y);
    const int m = s->m;
    const size_t len = (size_t)s->K * (size_t)m;
    long slot = s->n % m;
    /* the path first: every slot still holds past seasons only */
    double base = s->mean[slot];
    double *row = fc_track_row(&s->tr);
    if (s->alpha < 1.0 && isfinite(base) && isfinite(y)) {
        double d = y - base;
        s->dev = s->dev_set ? s->dev + s->alpha * (d - s->dev) : d;
        s->dev_set = true;
    }
    if (s->alpha < 1.0 && s->dev_set) {
        for (int j = 0; j < s->tr.H; j++) {
            double to = s->mean[(s->n + j + 1) % m];
            row[j] = isfinite(to) ? to + s->dev : s->tr.last;
        }
    } else {
        for (int j = 0; j < s->tr.H; j++) {
            double to = s->mean[(s->n + j + 1) % m];
            double d = isfinite(base) && isfinite(to) ? to - base : 0.0;
            row[j] = s->tr.last + d;
        }
    }
    fc_track_commit(&s->tr);
    /* then y joins its slot and the value K seasons back leaves */
    s->ring[(size_t)s->n % len] = y;
    double acc = 0;
    int cnt = 0;
    for (int k = 0; k < s->K; k++) {
        double v = s->ring[((size_t)slot + (size_t)k * (size_t)m) % len];
        if (isfinite(v)) {
            acc += v;
            cnt++;
        }
    }
    s->mean[slot] = cnt ? acc / cnt : NAN;
    s->n++;
}

/* One season before the drift means anything. */
static long warmup(const void *state) { return ((const sd_state *)state)->m; }

const as_forecaster_type as_fc_seasonal_drift = {
    .version = 1,
    .name = "seasonal_drift",
    .flags = 0,
    .state_size = sizeof(sd_state),
    .config_size = sizeof(sd_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .init = init,
    .update = update,
    .forecast = fc_track_forecast_method,
    .tail = fc_track_tail_method,
    .warmup = warmup,
};
