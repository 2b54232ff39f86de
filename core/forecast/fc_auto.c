/* fc_auto.c - the `auto` forecaster: runs several kinds side by side and,
 * at each horizon, averages the forecasts of those whose recent
 * out-of-sample error is within 20 % of the best one's.
 *
 * Members: naive; ewma, holt, ar and linreg, each on the raw series and on
 * log(y + eps); with a season m >= 2 also seasonal_naive,
 * seasonal_drift (raw and log) and seasonal_drift from a smoothed level
 * (alpha = 1/8 and 1/64, raw: fc_seasonal_drift.c), the members whose
 * path goes back towards the seasons' mean instead of carrying the last
 * value's noise to every horizon. They are ordinary instances of the
 * registered kinds (with their default settings), fed one observation at a
 * time; a log member sees log(max(y, 0) + eps), eps = 5 % of the mean of the
 * first 16 observations, and its path goes back through exp (its median:
 * the right point forecast for an absolute-error score).
 *
 * Error memory: for member k at horizon h, an exponentially weighted mean
 * absolute error of the h-step forecasts it really made (each origin's path
 * is kept until scored), with an effective memory of AUTO_MEMORY origins;
 * with a season, also per phase bin (B = min(m, 96) bins of the season, a
 * memory of 3 seasons): the error at this time of day in past days. A
 * member's score is the mean of the two once its bin has a season of
 * errors, so a seasonal member that is only better at the morning ramp wins
 * there and not elsewhere. A seasonal member joins once a whole season has
 * been seen (its forecasts before are not its model's); every member needs
 * AUTO_MIN_SCORED errors at a horizon before it counts there.
 *
 * Combination: the leaders (score <= 1.2 x the best) with equal weights.
 * Measured while designing it (10 horizons, 1-day season, before
 * seasonal_drift and the phase bins): inverse-squared-error weights keep
 * some weight on every member and gave MASE 0.511 on NASA and 0.851 on
 * Wikipedia against 0.506 and 0.816 for the leaders; the single best
 * member (switching between near-equal ones) 0.510 and 0.944; leaders
 * within 10 % or 40 % gave 0.504-0.514 and 0.798-0.820, so 20 % is not a
 * sharp choice. Member paths are clamped to the observed range widened by that
 * range (at least 0 for a series that never went negative) so that one
 * exploding member (a log trend) cannot drag the average.
 * The two smoothed members (K = 14 with a season and log): MASE NASA 0.505
 * -> 0.498, Wikipedia 0.693 -> 0.673 (`simrun forecast`, defaults); either
 * alone gave 0.502 / 0.671 (1/8) or 0.498 / 0.695 (1/64). On the
 * predictive policy's fronts (bench/fronts.sh) wikipedia's 0-s point went
 * from 12.14 to 11.63 (1.17x -> 1.12x the oracle), seasonal's 480 and
 * 540 s points from 615.5 and 601.6 to 614.6 and 589.1, nasa's points
 * from 360 s up each cheaper at less violation (its 300-s point 73.89 ->
 * 76.98); flashcrowd and onoff (shorter than two seasons) unchanged.
 * Cost: about 12 % more per update.
 * Why holt_winters is not a member: it costs four times all the others
 * together (its Nelder-Mead refits) and, with seasonal_drift in, lowered
 * MASE by 2 % at most (NASA 0.505 with and without, Wikipedia 0.678 with,
 * 0.693 without).
 *
 * Interval and tail: the combined path is kept in an fc_track, so they are
 * the split-conformal ones of its own errors (fc_conf.h).
 * Cost: the members' updates (their own error windows are off:
 * no_intervals) plus O(K H) per update for scoring and combining, about
 * 30 us per update at H = 10 here; memory K H^2 doubles for the pending
 * paths (K = 12 with a season). */
#include "fc_int.h"

#include <stddef.h>

#define AUTO_MAXM 16
#define AUTO_MEMORY 100.0   /* origins: the effective memory of the recent error */
#define AUTO_MIN_SCORED 10  /* errors a member needs at a horizon before it counts */
#define AUTO_LEAD 1.2       /* leaders: score within this factor of the best */
#define AUTO_BINS 96        /* phase bins of a season (at most m) */
#define AUTO_EPS_AFTER 16   /* observations that fix the log offset */
#define AUTO_EPS_SHARE 0.05 /* the log offset, as a share of their mean */

typedef struct {
    bool log; /* also run the members on the log scale */
} auto_cfg;

static const as_param_def params[] = {
    {"log", AS_P_BOOL, offsetof(auto_cfg, log), 0, 1, NULL, 0,
     "also run the members on log(y + eps) (true)"},
    {0},
};

static void defaults(void *cfg) { ((auto_cfg *)cfg)->log = true; }

typedef struct {
    fc_track tr;      /* first: the combined path (fc_track_forecast_method) */
    int H, K, m, B;
    as_forecaster *mem[AUTO_MAXM];
    bool islog[AUTO_MAXM];
    long need[AUTO_MAXM]; /* observations before the member's paths count */
    double *pend;     /* H origins x K x H: each member's path, NAN = none */
    double *loss;     /* K x H: recent mean absolute error */
    long *cnt;        /* K x H: errors scored */
    double *bloss;    /* K x H x B: per phase bin */
    long *bcnt;
    double *tmp;      /* 2 H scratch for the members' intervals */
    long n;           /* updates */
    double eps;       /* log offset (0: not fixed yet) */
    double ymin, ymax;
} auto_state;
FC_TRACK_FIRST(auto_state);

static void fini(void *state)
{
    auto_state *s = state;
    for (int k = 0; k < s->K; k++)
        as_forecaster_free(s->mem[k]);
    fc_track_fini(&s->tr);
    free(s->pend);
    free(s->loss);
    free(s->cnt);
    free(s->bloss);
    free(s->bcnt);
    free(s->tmp);
}

/* A member of kind `name` with its default settings but key = val (key
 * NULL: the defaults alone). */
static int add_member(auto_state *s, const char *name, const char *key, const char *val,
                      const as_forecast_common *c, bool islog, long need, as_err *err)
{
    const as_forecaster_type *t = as_forecaster_type_find(name);
    if (t == NULL)
        return as_err_set(err, AS_ENOTFOUND, "auto: no forecaster kind '%s'", name);
    as_forecast_common cm = *c;
    cm.nonneg = c->nonneg && !islog; /* a log member's series may be negative */
    void *cfg = NULL;
    if (key != NULL) {
        if ((cfg = as_kind_config_new(&t->kind, err)) == NULL)
            return err ? err->code : AS_ENOMEM;
        if (as_param_set(t->params, cfg, key, val, err) != AS_OK) {
            free(cfg);
            return err ? err->code : AS_EINVAL;
        }
    }
    s->mem[s->K] = as_forecaster_new(t, &cm, cfg, err);
    free(cfg);
    if (s->mem[s->K] == NULL)
        return err ? err->code : AS_ENOMEM;
    s->islog[s->K] = islog;
    s->need[s->K] = need;
    s->K++;
    return AS_OK;
}

static int add_members(auto_state *s, const as_forecast_common *c, bool log, as_err *err)
{
    static const char *const local[] = {"ewma", "holt", "ar", "linreg"};
    as_forecast_common cs = *c, c0 = *c;
    cs.no_intervals = c0.no_intervals = true; /* auto reads their paths only */
    c0.season = 0;
    /* seasonal_drift's deviation from the seasons' mean smoothed over
     * about 8 and 64 steps (fc_seasonal_drift.c: alpha) */
    static const char *const smooth[] = {"0.125", "0.015625"};
    int rc = add_member(s, "naive", NULL, NULL, &c0, false, 0, err);
    for (int L = 0; L <= (log ? 1 : 0); L++)
        for (size_t i = 0; i < sizeof local / sizeof local[0] && rc == AS_OK; i++)
            rc = add_member(s, local[i], NULL, NULL, &c0, L == 1, 0, err);
    if (rc == AS_OK && s->m >= 2) {
        rc = add_member(s, "seasonal_naive", NULL, NULL, &cs, false, s->m, err);
        for (int L = 0; L <= (log ? 1 : 0) && rc == AS_OK; L++)
            rc = add_member(s, "seasonal_drift", NULL, NULL, &cs, L == 1, s->m, err);
        for (size_t i = 0; i < sizeof smooth / sizeof smooth[0] && rc == AS_OK; i++)
            rc = add_member(s, "seasonal_drift", "alpha", smooth[i], &cs, false, s->m, err);
    }
    return rc;
}

static int init(void *state, const as_forecast_common *c, const void *cfg, as_err *err)
{
    auto_state *s = state;
    s->H = c->max_horizon;
    s->m = c->season;
    s->B = s->m >= 2 ? (s->m < AUTO_BINS ? s->m : AUTO_BINS) : 1;
    int rc = fc_track_init(&s->tr, c, err);
    if (rc == AS_OK)
        rc = add_members(s, c, ((const auto_cfg *)cfg)->log, err);
    size_t H = (size_t)s->H, K = (size_t)s->K, B = (size_t)s->B;
    if (rc == AS_OK) {
        s->pend = malloc(H * K * H * sizeof *s->pend);
        s->loss = calloc(K * H, sizeof *s->loss);
        s->cnt = calloc(K * H, sizeof *s->cnt);
        s->bloss = calloc(K * H * B, sizeof *s->bloss);
        s->bcnt = calloc(K * H * B, sizeof *s->bcnt);
        s->tmp = malloc(2 * H * sizeof *s->tmp);
        if (!s->pend || !s->loss || !s->cnt || !s->bloss || !s->bcnt || !s->tmp)
            rc = as_err_set(err, AS_ENOMEM, "out of memory (auto, %d horizons)", s->H);
    }
    if (rc != AS_OK)
        return rc; /* fini frees what was taken */
    for (size_t i = 0; i < H * K * H; i++)
        s->pend[i] = NAN;
    return AS_OK;
}

/* Phase bin of series index i. */
static size_t bin_of(const auto_state *s, long i)
{
    return s->m >= 2 ? (size_t)((i % s->m) * (long)s->B / s->m) : 0;
}

/* Score every member's pending forecasts of y (series index s->n). */
static void score(auto_state *s, double y)
{
    const size_t H = (size_t)s->H, K = (size_t)s->K, B = (size_t)s->B;
    const double bmem = s->m >= 2 ? 3.0 * s->m / s->B : 1.0;
    size_t b = bin_of(s, s->n);
    for (size_t j = 0; j < H; j++) {
        long o = s->n - 1 - (long)j; /* origin whose h = j + 1 forecast targets y */
        if (o < 0)
            break;
        const double *row = s->pend + (size_t)(o % s->H) * K * H;
        for (size_t k = 0; k < K; k++) {
            double p = row[k * H + j];
            if (!isfinite(p))
                continue;
            double e = fabs(y - p);
            size_t kj = k * H + j;
            s->cnt[kj]++;
            double w = fmax(1.0 / (double)s->cnt[kj], 1.0 / AUTO_MEMORY);
            s->loss[kj] += w * (e - s->loss[kj]);
            size_t kb = kj * B + b;
            s->bcnt[kb]++;
            w = fmax(1.0 / (double)s->bcnt[kb], 1.0 / bmem);
            s->bloss[kb] += w * (e - s->bloss[kb]);
        }
    }
}

/* Feed y to every member (log members once eps is fixed). */
static void feed(auto_state *s, as_time t, double y)
{
    for (int k = 0; k < s->K; k++) {
        if (!s->islog[k])
            as_forecaster_update(s->mem[k], t, y);
        else if (s->eps > 0)
            as_forecaster_update(s->mem[k], t, isfinite(y) ? log(fmax(y, 0.0) + s->eps) : NAN);
    }
}

/* Each member's new path into the pending row of this origin (NAN for a
 * member that does not count yet), clamped to the plausible range. */
static void paths(auto_state *s, double *row)
{
    const int H = s->H;
    double span = s->ymax - s->ymin;
    double lo = s->ymin >= 0 ? fmax(0.0, s->ymin - span) : s->ymin - span, hi = s->ymax + span;
    for (int k = 0; k < s->K; k++) {
        double *pk = row + (size_t)k * (size_t)H;
        if (s->tr.nobs < s->need[k] || (s->islog[k] && s->eps == 0) || s->tr.nobs == 0) {
            for (int j = 0; j < H; j++)
                pk[j] = NAN;
            continue;
        }
        as_forecaster_predict(s->mem[k], H, pk, s->tmp, s->tmp + H);
        for (int j = 0; j < H; j++) {
            double v = s->islog[k] ? exp(fmin(pk[j], 700.0)) - s->eps : pk[j];
            pk[j] = fmin(fmax(v, lo), hi);
        }
    }
}

/* Score of member k at horizon j for the step it targets (index tgt). */
static double member_score(const auto_state *s, size_t k, size_t j, long tgt)
{
    size_t kj = k * (size_t)s->H + j;
    if (s->m < 2)
        return s->loss[kj];
    size_t kb = kj * (size_t)s->B + bin_of(s, tgt);
    if (s->bcnt[kb] < s->m / s->B)
        return s->loss[kj];
    return 0.5 * (s->loss[kj] + s->bloss[kb]);
}

/* The combined path: at each horizon, the mean of the leaders. */
static void combine(const auto_state *s, const double *row, double *out)
{
    const size_t H = (size_t)s->H, K = (size_t)s->K;
    for (size_t j = 0; j < H; j++) {
        long tgt = s->n + (long)j; /* series index of this horizon's target */
        double sc[AUTO_MAXM], best = INFINITY;
        for (size_t k = 0; k < K; k++) {
            sc[k] = INFINITY;
            if (isfinite(row[k * H + j]) && s->cnt[k * H + j] >= AUTO_MIN_SCORED)
                sc[k] = member_score(s, k, j, tgt);
            if (sc[k] < best)
                best = sc[k];
        }
        double acc = 0;
        int nl = 0;
        for (size_t k = 0; k < K && isfinite(best); k++)
            if (sc[k] <= AUTO_LEAD * best) {
                acc += row[k * H + j];
                nl++;
            }
        /* before any member has its errors: naive (member 0) */
        out[j] = nl ? acc / nl : row[j];
    }
}

static void update(void *state, as_time t, double y)
{
    auto_state *s = state;
    fc_track_observe(&s->tr, y);
    if (isfinite(y)) {
        score(s, y);
        s->ymin = s->tr.nobs == 1 || y < s->ymin ? y : s->ymin;
        s->ymax = s->tr.nobs == 1 || y > s->ymax ? y : s->ymax;
        if (s->eps == 0 && s->tr.nobs >= AUTO_EPS_AFTER) {
            double mean = fabs(s->tr.omean);
            s->eps = mean > 0 ? AUTO_EPS_SHARE * mean : 1.0;
        }
    }
    feed(s, t, y);
    double *row = s->pend + (size_t)(s->n % s->H) * (size_t)s->K * (size_t)s->H;
    s->n++;
    paths(s, row);
    combine(s, row, fc_track_row(&s->tr));
    fc_track_commit(&s->tr);
}

const as_forecaster_type as_fc_auto = {
    .version = 1,
    .name = "auto",
    .flags = 0,
    .state_size = sizeof(auto_state),
    .config_size = sizeof(auto_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .init = init,
    .update = update,
    .forecast = fc_track_forecast_method,
    .tail = fc_track_tail_method,
};
