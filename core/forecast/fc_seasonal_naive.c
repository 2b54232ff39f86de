/* fc_seasonal_naive.c - the `seasonal_naive` forecaster:
 * y^(T+h) = y(T+h-m*k), k = ceil(h/m) (REFERENCE.md section 5), the baseline
 * of every comparison and the scale of MASE.
 * A ring of the last m observations; a missing observation leaves its slot
 * holding the value one season earlier, which is exactly the seasonal-naive
 * imputation. Slots never filled (the first season) fall back to the last
 * observed value. Without a season (m = 0) it is the naive forecaster. */
#include "fc_int.h"

typedef struct {
    int unused;
} snaive_cfg;

static const as_param_def params[] = {{0}};

static void defaults(void *cfg) { memset(cfg, 0, sizeof(snaive_cfg)); }

typedef struct {
    fc_track tr;
    int m;       /* season length in steps, >= 1 */
    long n;      /* updates so far: slot of the next observation is n % m */
    double *ring; /* ring[i % m] = y(i) of the last season; NAN = never seen */
} snaive_state;
FC_TRACK_FIRST(snaive_state);

static void fini(void *state)
{
    snaive_state *s = state;
    fc_track_fini(&s->tr);
    free(s->ring);
}

static int init(void *state, const as_forecast_common *c, const void *cfg, as_err *err)
{
    (void)cfg;
    snaive_state *s = state;
    s->m = c->season > 0 ? c->season : 1;
    s->ring = malloc((size_t)s->m * sizeof *s->ring);
    int rc = s->ring ? fc_track_init(&s->tr, c, err) : as_err_set(err, AS_ENOMEM, "out of memory");
    if (rc != AS_OK)
        return rc;
    for (int i = 0; i < s->m; i++)
        s->ring[i] = NAN;
    return AS_OK;
}

static void update(void *state, as_time t, double y)
{
    (void)t;
    snaive_state *s = state;
    fc_track_observe(&s->tr, y);
    if (isfinite(y))
        s->ring[s->n % s->m] = y;
    s->n++;
    /* h steps after the last observation (index n-1) is index n-1+h; its
     * value one or more seasons back sits in slot (n-1+h) % m. */
    double *row = fc_track_row(&s->tr);
    for (int j = 0; j < s->tr.H; j++) {
        double v = s->ring[(s->n - 1 + j + 1) % s->m];
        row[j] = isfinite(v) ? v : s->tr.last;
    }
    fc_track_commit(&s->tr);
}

/* Slots never filled fall back to the last value: one season of warm-up. */
static long warmup(const void *state) { return ((const snaive_state *)state)->m; }

const as_forecaster_type as_fc_seasonal_naive = {
    .version = 1,
    .name = "seasonal_naive",
    .flags = 0,
    .state_size = sizeof(snaive_state),
    .config_size = sizeof(snaive_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .init = init,
    .update = update,
    .forecast = fc_track_forecast_method,
    .tail = fc_track_tail_method,
    .warmup = warmup,
};
