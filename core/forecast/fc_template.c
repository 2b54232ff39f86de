/* fc_template.c - the copy-me forecaster kind. It works: every horizon
 * gets the mean of the last `window` finite observations (a moving
 * average), with the empirical intervals of fc_track. It is registered
 * with AS_KIND_TEMPLATE, in the registry's template list: it compiles,
 * links and passes the conformance battery of tests/test_forecast.c like
 * every kind, but users never see it (not listed; `forecaster = template`
 * is unknown). Why hidden rather than a real kind: `ewma` does this job
 * better (no window edge), so a moving average would be picked by mistake.
 *
 * To add a forecaster kind NAME:
 *  1. cp core/forecast/fc_template.c core/forecast/fc_NAME.c; rename the
 *     exported object as_fc_template to as_fc_NAME, template_cfg and
 *     template_state to NAME_cfg and NAME_state, set .name = "NAME", and
 *     rewrite this comment: the model, its equations, its cost per update.
 *  2. Settings: one field per key in NAME_cfg, one row per key in params[]
 *     (INI name, type, offset, bounds, one help line), defaults() sets
 *     them. The shared settings (step, season, max_horizon, coverage)
 *     come to init() in as_forecast_common.
 *  3. State: keep `fc_track tr` first (FC_TRACK_FIRST checks it) and add
 *     what update() keeps; the wrapper allocates state_size zeroed bytes.
 *     init() copies the settings, refuses what it cannot model (AS_EINVAL
 *     naming the key), and takes the memory that depends on them, with
 *     fc_track_init; fini() frees it and must accept a zeroed state.
 *  4. update(): no allocation, I/O or clock. fc_track_observe(y) first,
 *     then absorb y (NAN is missing: never read it as 0), write the H-step
 *     path into fc_track_row(), and fc_track_commit().
 *  5. forecast(): fc_track_forecast_method serves every kind that keeps
 *     its path in fc_track; write one only for another kind of interval.
 *  6. Flags: remove AS_KIND_TEMPLATE (as_registry_check refuses a user
 *     kind that keeps it).
 *  7. Register: one line X(as_fc_NAME) in FORECASTER_KINDS in
 *     core/as_registry.c, where --help should list it.
 *  8. make test: tests/test_forecast.c runs the conformance battery over
 *     the new kind (registry rules, finite ordered outputs on gaps, zeros,
 *     bursts and inf, a constant forecast as itself, interleaved
 *     instances, no allocation in update/forecast, the time rule) with no
 *     edit; then add known-answer tests of its own there.
 *  9. README.md: a line for the kind and its keys under "Scenarios". */
#include "fc_int.h"

typedef struct {
    int window; /* observations averaged */
} template_cfg;

static const as_param_def params[] = {
    {"window", AS_P_INT, offsetof(template_cfg, window), 1, 100000, NULL, 0,
     "finite observations averaged"},
    {0},
};

static void defaults(void *cfg) { ((template_cfg *)cfg)->window = 12; }

typedef struct {
    fc_track tr;  /* first: fc_track_forecast_method reads it */
    int w;        /* window */
    double *ring; /* ring[k % w]: the k-th finite observation */
    long k;       /* finite observations so far */
} template_state;
FC_TRACK_FIRST(template_state);

static int init(void *state, const as_forecast_common *c, const void *cfg, as_err *err)
{
    template_state *s = state;
    s->w = ((const template_cfg *)cfg)->window;
    s->ring = malloc((size_t)s->w * sizeof *s->ring);
    if (s->ring == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory (template window %d)", s->w);
    return fc_track_init(&s->tr, c, err);
}

static void fini(void *state)
{
    template_state *s = state;
    fc_track_fini(&s->tr);
    free(s->ring);
}

/* O(window): the mean is summed afresh, so it never drifts; a running sum
 * would be O(1) at the cost of a periodic exact rebuild (see det_zscore.c). */
static void update(void *state, as_time t, double y)
{
    (void)t;
    template_state *s = state;
    fc_track_observe(&s->tr, y);
    if (isfinite(y))
        s->ring[s->k++ % s->w] = y;
    long n = s->k < s->w ? s->k : s->w;
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += s->ring[i];
    double mean = n > 0 ? sum / (double)n : 0.0;
    double *row = fc_track_row(&s->tr);
    for (int j = 0; j < s->tr.H; j++)
        row[j] = mean;
    fc_track_commit(&s->tr);
}

const as_forecaster_type as_fc_template = {
    .version = AS_KIND_VERSION, /* the interface this file is written for */
    .name = "template",         /* the INI's forecaster = NAME */
    .flags = AS_KIND_TEMPLATE,  /* step 6 */
    .state_size = sizeof(template_state),
    .config_size = sizeof(template_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .init = init,
    .update = update,
    .forecast = fc_track_forecast_method,
    .tail = fc_track_tail_method,
};
