/* fc_holt_winters.c - the `holt_winters` forecaster: level, trend and a
 * season of m steps, additive or multiplicative (REFERENCE.md section 5):
 *   l(t) = a(y - s(t-m)) + (1-a)(l + b)        [mult: a*y/s(t-m)]
 *   b(t) = B(l(t) - l(t-1)) + (1-B) b
 *   s(t) = G(y - l(t-1) - b(t-1)) + (1-G) s(t-m) [mult: G*y/(l + b)]
 *   y^(t+h) = l + h*b + s(t+h-m(k+1)), k = floor((h-1)/m)   [mult: (l+h*b)*s]
 * with an optional damped trend (phi < 1, the default: b is multiplied by
 * phi each step and h*b becomes (phi + ... + phi^h) b).
 * Each observation is O(1). The smoothing constants are fitted once the
 * first `fit_seasons` seasons have been seen (the warm-up window), by
 * minimising the mean squared one-step error over that window with GSL's
 * Nelder-Mead (nmsimplex2) in logit space (so a, B, G stay in (0, 1) with no
 * constraint handling), and refitted every `refit` steps on the last window.
 * Why Nelder-Mead: three parameters, a non-smooth objective with NAN gaps,
 * and no gradient; a grid would cost ~1000 filter passes instead of ~150.
 * The initial state comes from the classic heuristic (a line through the
 * means of the first and last seasons of the window for level and trend,
 * average deviations from that line for the season; see hw_run), so a pure
 * seasonal or seasonal+linear series is reproduced
 * exactly whatever the constants. Until then (warm-up) the path is the
 * seasonal naive one, or the last value before a season has been seen.
 * Missing observations advance the state along its forecast. Multiplicative:
 * factors are kept in [1e-3, 1e3] and every division goes through
 * fc_safe_div, so zeros and a zero level never produce inf/NAN.
 * No allocation after init: the window ring, a scratch season for the
 * objective and the GSL minimiser are all taken there. */
#include "fc_int.h"

#include <float.h>
#include <gsl/gsl_multimin.h>
#include <stddef.h>

enum { HW_ADDITIVE = 0, HW_MULTIPLICATIVE = 1 };
static const char *const seasonality_names[] = {"additive", "multiplicative", NULL};

typedef struct {
    int seasonality;  /* HW_ADDITIVE or HW_MULTIPLICATIVE */
    double alpha;     /* level smoothing (start point of the fit, or fixed) */
    double beta;      /* trend smoothing */
    double gamma;     /* season smoothing */
    double phi;       /* trend damping per step (1 = plain linear trend) */
    bool fit;         /* fit alpha/beta/gamma (false: use them as given) */
    int refit;        /* steps between refits; 0 = never, -1 = once a season */
    int fit_seasons;  /* seasons in the warm-up / fitting window; 0 = auto */
    int max_iter;     /* Nelder-Mead iterations per fit */
} hw_cfg;

static const as_param_def params[] = {
    {"seasonality", AS_P_ENUM, offsetof(hw_cfg, seasonality), 0, 0, seasonality_names, 0,
     "additive or multiplicative season"},
    {"alpha", AS_P_DOUBLE, offsetof(hw_cfg, alpha), 0.001, 0.999, NULL, 0,
     "level smoothing (the fit's start point when fit = true)"},
    {"beta", AS_P_DOUBLE, offsetof(hw_cfg, beta), 0.001, 0.999, NULL, 0, "trend smoothing"},
    {"gamma", AS_P_DOUBLE, offsetof(hw_cfg, gamma), 0.001, 0.999, NULL, 0, "season smoothing"},
    {"phi", AS_P_DOUBLE, offsetof(hw_cfg, phi), 0.5, 1.0, NULL, 0,
     "trend damping per step (1 = linear trend for ever, <1 flattens it)"},
    {"fit", AS_P_BOOL, offsetof(hw_cfg, fit), 0, 1, NULL, 0,
     "fit alpha/beta/gamma by least squares on the warm-up window"},
    {"refit", AS_P_INT, offsetof(hw_cfg, refit), -1, 1e9, NULL, 0,
     "steps between refits on the last window (0 = never, -1 = once a season)"},
    {"fit_seasons", AS_P_INT, offsetof(hw_cfg, fit_seasons), 0, 50, NULL, 0,
     "seasons of warm-up and of the fitting window (0 = auto: 3, or enough for 160 steps)"},
    {"max_iter", AS_P_INT, offsetof(hw_cfg, max_iter), 10, 10000, NULL, 0,
     "Nelder-Mead iterations per fit"},
    {0},
};

static void defaults(void *cfg)
{
    hw_cfg *c = cfg;
    c->seasonality = HW_ADDITIVE;
    c->alpha = 0.3;
    c->beta = 0.01;
    c->gamma = 0.1;
    /* Damped by default: the fitting window is a few seasons, which cannot
     * tell a trend from day-to-day wander; an undamped trend fitted there
     * is extrapolated for ever (at m = 1440 a slope error of 0.01/step is
     * +14 per day). With phi = 0.98 a trend adds at most 49 steps of it. */
    c->phi = 0.98;
    c->fit = true;
    c->refit = -1; /* once a season: the daily shape drifts over weeks */
    c->fit_seasons = 0; /* auto, see init() */
    c->max_iter = 200;
}

#define HW_SMIN 1e-3 /* multiplicative factor bounds */
#define HW_SMAX 1e3

typedef struct {
    fc_track tr;
    hw_cfg p;
    int m;          /* season length */
    int W;          /* window = fit_seasons * m */
    long n;         /* observations (incl. missing) so far */
    double *hist;   /* ring of the last W observations, hist[i % W] = y(i) */
    double level, trend;
    double *seas;   /* seas[i % m]: seasonal term of index i (latest season) */
    double *scratch; /* a season for the objective's trial runs */
    double a, b, g; /* the constants in use */
    bool ready;     /* initialised from the warm-up window */
    gsl_multimin_fminimizer *nm;
    gsl_vector *x, *step;
} hw_state;
FC_TRACK_FIRST(hw_state);

static double clamp_s(double s) { return s < HW_SMIN ? HW_SMIN : s > HW_SMAX ? HW_SMAX : s; }
static double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }
static double logit(double p) { return log(p / (1.0 - p)); }

/* One O(1) step of the recursions on (l, b, season slot *sp) with y (NAN =
 * missing: follow the forecast). Returns the one-step forecast made before y. */
static double hw_step(int mult, double a, double bb, double g, double phi, double *l, double *b,
                      double *sp, double y)
{
    double base = *l + phi * *b, s = *sp;
    double f = mult ? base * s : base + s;
    if (!isfinite(y)) {
        *l = base;
        *b *= phi;
        return f;
    }
    double lnew;
    if (mult) {
        lnew = a * fc_safe_div(y, s, base) + (1.0 - a) * base;
        /* no level, no information about the factor: keep it */
        *sp = clamp_s(g * fc_safe_div(y, base, s) + (1.0 - g) * s);
    } else {
        lnew = a * (y - s) + (1.0 - a) * base;
        *sp = g * (y - base) + (1.0 - g) * s;
    }
    *b = bb * (lnew - *l) + (1.0 - bb) * phi * *b;
    *l = lnew;
    return f;
}

/* Heuristic initial state from the window (window position i is global
 * index g0 + i, season slot (g0 + i) % m): a line through the means of the
 * first and the last season gives level and trend, and each season slot
 * starts at the average over all seasons but the last of its deviation
 * from that line (its ratio to it when multiplicative). Averaging matters:
 * with m = 1440 one-minute slots, a slot seen once carries the full noise of
 * one sample into every later forecast until G forgets it.
 * Then the recursions run from the second season to the end of the window
 * with (a, bb, g), and only the errors of the last season are scored: it
 * took no part in the seasonal start, so the score is out of sample. (Scored
 * in sample, the averaged start looks perfect and the fit freezes every
 * constant at 0, which fails as soon as the level moves.)
 * Returns that mean squared one-step error and leaves the final state in
 * *l, *b, seas[]. */
static double hw_run(const hw_state *s, double a, double bb, double g, double *l, double *b,
                     double *seas)
{
    const int m = s->m, W = s->W, k = W / m, mult = s->p.seasonality == HW_MULTIPLICATIVE;
    const long g0 = s->n - W;
    double sum[2] = {0, 0}, all = 0;
    int cnt[2] = {0, 0}, nall = 0;
    for (int i = 0; i < W; i++) {
        double y = s->hist[(g0 + i) % W];
        if (!isfinite(y))
            continue;
        all += y;
        nall++;
        int which = i < m ? 0 : i >= W - m ? 1 : -1;
        if (which >= 0) {
            sum[which] += y;
            cnt[which]++;
        }
    }
    double mean_all = nall ? all / nall : 0.0;
    double m1 = cnt[0] ? sum[0] / cnt[0] : mean_all;
    double m2 = cnt[1] ? sum[1] / cnt[1] : m1;
    double slope = (m2 - m1) / ((double)(k - 1) * m);
    for (int j = 0; j < m; j++) {
        double acc = 0;
        int na = 0;
        for (int i = j; i < W - m; i += m) {
            double y = s->hist[(g0 + i) % W];
            double line = m1 + slope * (i - (m - 1) / 2.0);
            double v = mult ? fc_safe_div(y, line, NAN) : y - line;
            if (isfinite(v)) {
                acc += v;
                na++;
            }
        }
        double v = na ? acc / na : (mult ? 1.0 : 0.0);
        seas[(g0 + j) % m] = mult ? clamp_s(v) : v;
    }
    *l = m1 + slope * (m - 1) / 2.0;
    *b = slope;
    double sse = 0;
    long ne = 0;
    for (int i = m; i < W; i++) {
        double y = s->hist[(g0 + i) % W];
        double f = hw_step(mult, a, bb, g, s->p.phi, l, b, &seas[(g0 + i) % m], y);
        if (isfinite(y) && i >= W - m) {
            sse += (y - f) * (y - f);
            ne++;
        }
    }
    return ne ? sse / ne : 0.0;
}

/* Nelder-Mead objective: x = logits of (a, B, G). Must stay finite: GSL's
 * nmsimplex2 stops with an error on inf/NAN. */
static double hw_objective(const gsl_vector *x, void *ctx)
{
    hw_state *s = ctx;
    double l, b;
    double v = hw_run(s, logistic(gsl_vector_get(x, 0)), logistic(gsl_vector_get(x, 1)),
                      logistic(gsl_vector_get(x, 2)), &l, &b, s->scratch);
    return isfinite(v) && v < 1e300 ? v : 1e300;
}

/* Fit (if configured) the constants on the window, starting from the ones
 * in use. O(max_iter * W), no allocation (nmsimplex2 keeps its simplex in
 * the minimiser allocated at init). */
static void hw_fit(hw_state *s)
{
    gsl_multimin_function fn = {.f = hw_objective, .n = 3, .params = s};
    gsl_vector_set(s->x, 0, logit(s->a));
    gsl_vector_set(s->x, 1, logit(s->b));
    gsl_vector_set(s->x, 2, logit(s->g));
    gsl_vector_set_all(s->step, 1.0);
    if (gsl_multimin_fminimizer_set(s->nm, &fn, s->x, s->step) != GSL_SUCCESS)
        return;
    for (int it = 0; it < s->p.max_iter; it++) {
        if (gsl_multimin_fminimizer_iterate(s->nm) != GSL_SUCCESS)
            break;
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s->nm), 1e-3) == GSL_SUCCESS)
            break;
    }
    const gsl_vector *best = gsl_multimin_fminimizer_x(s->nm);
    /* keep the constants away from 0 and 1, where the model degenerates
     * (a frozen season, or a level that ignores the season entirely) */
    double a = logistic(gsl_vector_get(best, 0)), b = logistic(gsl_vector_get(best, 1)),
           g = logistic(gsl_vector_get(best, 2));
    if (isfinite(a) && isfinite(b) && isfinite(g)) {
        s->a = fmin(fmax(a, 1e-4), 0.9999);
        s->b = fmin(fmax(b, 1e-4), 0.9999);
        s->g = fmin(fmax(g, 1e-4), 0.9999);
    }
}

static void fini(void *state)
{
    hw_state *s = state;
    fc_track_fini(&s->tr);
    free(s->hist);
    free(s->seas);
    free(s->scratch);
    if (s->nm)
        gsl_multimin_fminimizer_free(s->nm);
    if (s->x)
        gsl_vector_free(s->x);
    if (s->step)
        gsl_vector_free(s->step);
}

static int init(void *state, const as_forecast_common *c, const void *cfg, as_err *err)
{
    if (c->season < 2)
        return as_err_set(err, AS_EINVAL, "holt_winters needs a season of at least 2 steps (got %d)",
                          c->season);
    hw_state *s = state;
    s->p = *(const hw_cfg *)cfg;
    s->m = c->season;
    if (s->p.fit_seasons == 0) {
        /* 3 seasons like the peers' window (4320 one-minute steps), but at
         * least 160 steps: a daily season of hourly data gives 72 steps in
         * 3 days, 24 of them scored, too few to tell the constants apart */
        s->p.fit_seasons = 3;
        while (s->p.fit_seasons * s->m < 160 && s->p.fit_seasons < 50)
            s->p.fit_seasons++;
    }
    if (s->p.fit_seasons < 2)
        return as_err_set(err, AS_EINVAL, "holt_winters: fit_seasons must be 0 (auto) or >= 2");
    s->W = s->p.fit_seasons * s->m;
    s->a = s->p.alpha;
    s->b = s->p.beta;
    s->g = s->p.gamma;
    s->hist = malloc((size_t)s->W * sizeof *s->hist);
    s->seas = calloc((size_t)s->m, sizeof *s->seas);
    s->scratch = calloc((size_t)s->m, sizeof *s->scratch);
    s->nm = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 3);
    s->x = gsl_vector_alloc(3);
    s->step = gsl_vector_alloc(3);
    int rc = (s->hist && s->seas && s->scratch && s->nm && s->x && s->step)
                 ? fc_track_init(&s->tr, c, err)
                 : as_err_set(err, AS_ENOMEM, "out of memory (holt_winters, season %d)", s->m);
    if (rc != AS_OK)
        return rc; /* fini frees what was taken */
    if (s->p.refit < 0)
        s->p.refit = s->m;
    return AS_OK;
}

static void update(void *state, as_time t, double y)
{
    (void)t;
    hw_state *s = state;
    fc_track_observe(&s->tr, y);
    const int m = s->m, mult = s->p.seasonality == HW_MULTIPLICATIVE;
    s->hist[s->n % s->W] = y;
    s->n++;
    if (s->ready) {
        hw_step(mult, s->a, s->b, s->g, s->p.phi, &s->level, &s->trend, &s->seas[(s->n - 1) % m],
                y);
        if (s->p.fit && s->p.refit > 0 && s->n % s->p.refit == 0) {
            /* new constants from the last window; the state carries on (a
             * re-run from the heuristic start would forget older seasons).
             * The schedule is fixed to the series (every multiple of refit
             * updates), like fc_linreg.c's. */
            hw_fit(s);
        }
    } else if (s->n >= s->W) {
        if (s->p.fit)
            hw_fit(s);
        hw_run(s, s->a, s->b, s->g, &s->level, &s->trend, s->seas);
        s->ready = true;
    }
    double *row = fc_track_row(&s->tr);
    const long last = s->n - 1; /* index of the newest observation */
    double damp = 0.0, pk = 1.0;
    for (int j = 0; j < s->tr.H; j++) {
        int h = j + 1;
        long ti = last + h;
        pk *= s->p.phi;
        damp += pk; /* phi + ... + phi^h (= h when phi = 1) */
        if (s->ready) {
            double sv = s->seas[ti % m];
            double base = s->level + damp * s->trend;
            row[j] = mult ? base * sv : base + sv;
        } else {
            /* warm-up: seasonal naive from the window ring when a season
             * has been seen, else the last value */
            long back = ti - (long)m * ((h + m - 1) / m);
            double v = (back >= 0 && back > last - s->W) ? s->hist[back % s->W] : NAN;
            row[j] = isfinite(v) ? v : s->tr.last;
        }
    }
    fc_track_commit(&s->tr);
}

/* Until the first fit_seasons seasons are in, the path is the seasonal
 * naive one (or the last value): that is the warm-up. */
static long warmup(const void *state) { return ((const hw_state *)state)->W; }

const as_forecaster_type as_fc_holt_winters = {
    .version = 1,
    .name = "holt_winters",
    .flags = 0,
    .state_size = sizeof(hw_state),
    .config_size = sizeof(hw_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .init = init,
    .update = update,
    .forecast = fc_track_forecast_method,
    .tail = fc_track_tail_method,
    .warmup = warmup,
};
