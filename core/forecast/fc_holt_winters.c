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
 * minimising the mean squared one-step error over that window by
 * Nelder-Mead in logit space, with the decisions of GSL's nmsimplex2 (so
 * a, B, G stay in (0, 1) with no constraint handling; trials are held to
 * the box [1e-4, 0.9999]; fc_hw_fit.c, which scores each iteration's
 * candidate trials together in one pass), and
 * refitted on the last window when the one-step error drifts (refit = -1,
 * the default; see hw_refit_due) or every `refit` steps.
 * A fit copies the window out of its ring and computes the heuristic start
 * once (hw_prepare), then scores each trial with as_hw_score (as_hw.h), the
 * recursion below with the same operations in the same order: 2880 steps
 * per trial at 4320 points, each bound by the latency of its dependency
 * chain (3 multiplies and 4 adds, ~5.4 ns); fc_hw_fit.c runs four such
 * trials in one pass for about the time of one. The first fit is cold
 * (step 1 logit, tolerance 1e-3: about 230 trials in 120 passes at 4320
 * points); every refit
 * starts warm from the constants in use (step 0.3, tolerance 1e-2, hw_fit
 * says why: 40 % fewer trials on random series). Refits change the fitted
 * constants against the earlier cold refit once a season (other valleys of
 * a multimodal objective); measured on the real traces, MASE at horizons 1
 * and 10 got better on NASA and stayed within the spread the old fit shows
 * under a change of its start point on Wikipedia (README, Forecasters).
 * A refit keeps the state carried on unless a fresh run over the window
 * with the same constants predicted the window's last season better; then
 * it takes that run's state (hw_refit says why).
 * Why Nelder-Mead: three parameters, a non-smooth objective with NAN gaps,
 * and no gradient; a grid would cost ~1000 filter passes instead of ~150.
 * Tried and not taken: the SSE and its gradient in one pass (forward-mode
 * derivatives of the additive recursion) with GSL's vector_bfgs2 on a
 * smooth squeeze of the logits onto the box. A refit one step later took
 * 5 to 8 passes instead of ~80 trials (0.9 ms instead of 4 ms at 4320
 * points), but NASA's daily refits took 28 passes, each 3.5 trials' worth
 * as written, so no faster, at an in-sample MSE 1.5 % worse (geometric
 * mean over 24 refits, one 17 % worse; one Wikipedia refit 6x worse):
 * a gradient method stops in the nearest valley of this multimodal score.
 * The initial state comes from the classic heuristic (a line through the
 * means of the first and last seasons of the window for level and trend,
 * average deviations from that line for the season; see hw_prepare), so a pure
 * seasonal or seasonal+linear series is reproduced
 * exactly whatever the constants. Until then (warm-up) the path is the
 * seasonal naive one, or the last value before a season has been seen.
 * Missing observations advance the state along its forecast. Multiplicative:
 * factors are kept in [1e-3, 1e3] and every division goes through
 * fc_safe_div, so zeros and a zero level never produce inf/NAN.
 * No allocation after init: the window ring, its copy in time order, the
 * start and a scratch season, and the fitter (the trial runs' seasons)
 * are all taken there. update() does no I/O. */
#include "as_hw.h"
#include "fc_int.h"

#include <float.h>
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
    int refit;        /* -1 = on drift; 0 = never; N > 0 = every N steps */
    double drift;     /* refit when the recent error exceeds the fit's by this factor */
    int refit_max;    /* with refit = -1: refit at least every refit_max seasons */
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
     "when to refit on the last window: -1 = when the one-step error drifts (see drift), "
     "0 = never, N = every N steps"},
    {"drift", AS_P_DOUBLE, offsetof(hw_cfg, drift), 1.0, 1e6, NULL, 0,
     "refit = -1: refit when the mean squared one-step error over about the last season "
     "exceeds the last fit's by this factor (at most once a season)"},
    {"refit_max", AS_P_INT, offsetof(hw_cfg, refit_max), 1, 1e6, NULL, 0,
     "refit = -1: refit at least every refit_max seasons, drift or not"},
    {"fit_seasons", AS_P_INT, offsetof(hw_cfg, fit_seasons), 0, 50, NULL, 0,
     "seasons of warm-up and of the fitting window (0 = auto: 3, or enough for 160 steps)"},
    {"max_iter", AS_P_INT, offsetof(hw_cfg, max_iter), 10, 10000, NULL, 0,
     "Nelder-Mead iterations per fit"},
    {0},
};

/* Refit on drift (refit = -1): see update(). */
#define HW_DRIFT 4.0
#define HW_REFIT_MAX 7

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
    c->refit = -1; /* on drift: see update() */
    c->drift = HW_DRIFT;
    c->refit_max = HW_REFIT_MAX;
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
    double *scratch; /* a season for the start's trial run */
    double *err2;   /* err2[i % m]: squared one-step error of y(i) (NAN: none) */
    double a, b, g; /* the constants in use */
    bool ready;     /* initialised from the warm-up window */
    /* a fit's work area (hw_prepare): the window in time order (xw) and
     * the constants-free start of every trial run */
    double *xw;
    as_hw_window win;
    as_hw_fitter fit;
    bool fitted;    /* a fit has succeeded: later ones start warm */
    double mse_fit; /* the last fit's score (MSE of its window's last season) */
    double ewmse;   /* exponentially weighted MSE of the one-step errors since */
    long last_fit;  /* n at the last fit */
} hw_state;
FC_TRACK_FIRST(hw_state);

static double clamp_s(double s) { return s < HW_SMIN ? HW_SMIN : s > HW_SMAX ? HW_SMAX : s; }

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

/* The heuristic initial state of a window in time order: a line through the means of
 * the first and the last season gives level and trend, and each season slot
 * starts at the average over all seasons but the last of its deviation from
 * that line (its ratio to it when multiplicative). Averaging matters: with
 * m = 1440 one-minute slots, a slot seen once carries the full noise of one
 * sample into every later forecast until G forgets it.
 * None of this depends on the constants, so a fit does it once (O(W)) and
 * each of its trial runs starts from l0, b0 and s0[] (window order: s0[j] is
 * the slot of window positions j, j + m, ...; W is a multiple of m). The
 * arithmetic is the one a trial run used to redo on every call, in the same
 * order, so the start is the same to the bit. */
void as_hw_prepare(as_hw_window *w)
{
    const int m = w->m, W = w->W, k = W / m, mult = w->mult;
    double sum[2] = {0, 0}, all = 0;
    int cnt[2] = {0, 0}, nall = 0;
    for (int i = 0; i < W; i++) {
        double y = w->y[i];
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
            double line = m1 + slope * (i - (m - 1) / 2.0);
            double v = mult ? fc_safe_div(w->y[i], line, NAN) : w->y[i] - line;
            if (isfinite(v)) {
                acc += v;
                na++;
            }
        }
        double v = na ? acc / na : (mult ? 1.0 : 0.0);
        w->s0[j] = mult ? clamp_s(v) : v;
    }
    w->l0 = m1 + slope * (m - 1) / 2.0;
    w->b0 = slope;
    w->ne = 0;
    for (int i = W - m; i < W; i++)
        w->ne += isfinite(w->y[i]);
}

/* Copy the window ring into xw[] in time order (xw[i] = y(n - W + i)) and
 * prepare the start from it. */
static void hw_prepare(hw_state *s)
{
    const int W = s->W;
    for (int i = 0, r = (int)((s->n - W) % W); i < W; i++, r = r + 1 == W ? 0 : r + 1)
        s->xw[i] = s->hist[r];
    as_hw_prepare(&s->win);
}

/* The recursions of hw_step over one season y[0..m) with its slots sp[0..m),
 * and the sum of the squared one-step errors of its finite observations when
 * score is set. A fit spends nearly all its time here. The additive step is
 * hw_step written out with the same operations in the same order (1 - a,
 * 1 - G and (1 - B) phi are the products hw_step forms first), so every
 * value is the same to the bit; what goes is the ring and slot arithmetic
 * (two 64-bit divisions a step) and the branches on mult. Its dependency
 * chain (l -> base -> lnew -> b -> base: 3 multiplies and 4 adds) is what is
 * left; rewriting the recursion on the damped trend shortens it to 3
 * operations, but changes the rounding and so the fitted constants. */
static inline double hw_season(int mult, double a, double bb, double g, double phi, double *l,
                               double *b, double *sp, const double *y, int m, bool score)
{
    double sse = 0;
    if (mult) {
        for (int j = 0; j < m; j++) {
            double f = hw_step(1, a, bb, g, phi, l, b, &sp[j], y[j]);
            if (score && isfinite(y[j]))
                sse += (y[j] - f) * (y[j] - f);
        }
        return sse;
    }
    const double a1 = 1.0 - a, g1 = 1.0 - g, c1 = (1.0 - bb) * phi;
    double lv = *l, bv = *b;
    for (int j = 0; j < m; j++) {
        double base = lv + phi * bv, sv = sp[j], yj = y[j];
        double f = base + sv;
        if (!isfinite(yj)) {
            lv = base;
            bv *= phi;
            continue;
        }
        double lnew = a * (yj - sv) + a1 * base;
        sp[j] = g * (yj - base) + g1 * sv;
        bv = bb * (lnew - lv) + c1 * bv;
        lv = lnew;
        if (score)
            sse += (yj - f) * (yj - f);
    }
    *l = lv;
    *b = bv;
    return sse;
}

/* Run the recursions with (a, bb, g) from the prepared start (hw_prepare)
 * over the window from its second season on, leaving the final state in *l,
 * *b and season[] (window order), and return the mean squared one-step error
 * of the last season only: it took no part in the seasonal start, so the
 * score is out of sample. The two kinds of season are two loops, each with
 * its mult constant, so neither branches on it per step. (Scored in sample, the averaged start looks
 * perfect and the fit freezes every constant at 0, which fails as soon as
 * the level moves.) O(W - m) after an O(m) copy. */
double as_hw_score(const as_hw_window *w, double a, double bb, double g, double *l, double *b,
                   double *season)
{
    const int m = w->m, W = w->W;
    memcpy(season, w->s0, (size_t)m * sizeof *season);
    *l = w->l0;
    *b = w->b0;
    double sse;
    if (w->mult) {
        for (int i = m; i < W - m; i += m)
            hw_season(1, a, bb, g, w->phi, l, b, season, w->y + i, m, false);
        sse = hw_season(1, a, bb, g, w->phi, l, b, season, w->y + W - m, m, true);
    } else {
        for (int i = m; i < W - m; i += m)
            hw_season(0, a, bb, g, w->phi, l, b, season, w->y + i, m, false);
        sse = hw_season(0, a, bb, g, w->phi, l, b, season, w->y + W - m, m, true);
    }
    long ne = 0;
    for (int i = W - m; i < W; i++)
        ne += isfinite(w->y[i]);
    return ne ? sse / ne : 0.0;
}

/* Fit the constants on the window, starting from the ones in use: cold
 * (step 1 logit, tolerance 1e-3, as every fit was before) the first time,
 * warm after. The warm step, AS_HW_WARM_STEP = 0.3 logits (as_hw.h), is the
 * size of the moves the fitted alpha makes from one daily refit to the
 * next on the NASA trace (0.1 to 0.8 logits); larger moves (gamma jumping
 * between 1e-4 and 0.5 when a day's season agrees with the window's or not)
 * are reached by the simplex's expansions, which double the step each time.
 * The converged spread of the last fit (under 1e-3) would be no start: the
 * simplex would meet the stop test at its first iteration. The warm
 * tolerance, 1e-2 logits, is 1 % of each constant: the score moves by
 * less than 1e-4 of itself there (it is quadratic at the optimum), far
 * under the day-to-day change of the optimum. On 60 random seasonal series
 * (tests/test_hw_score.c) a warm refit takes 60 % of the trials of a cold
 * one with a median score ratio of 1.000. Not taken: a smaller step (0.1:
 * 15 % fewer trials, but it missed valleys on Wikipedia's hourly trace).
 * The window is the prepared one (hw_prepare). Leaves the fit's score in
 * mse_fit and restarts the drift watch. */
static void hw_fit(hw_state *s)
{
    double c[3] = {s->a, s->b, s->g};
    const double step = s->fitted ? AS_HW_WARM_STEP : AS_HW_COLD_STEP;
    const double tol = s->fitted ? AS_HW_WARM_TOL : AS_HW_COLD_TOL;
    double v = as_hw_fit(&s->fit, &s->win, c, step, tol, s->p.max_iter);
    if (isfinite(v) && isfinite(c[0]) && isfinite(c[1]) && isfinite(c[2])) {
        s->a = c[0];
        s->b = c[1];
        s->g = c[2];
        s->mse_fit = v;
        s->fitted = true;
    }
    s->ewmse = s->mse_fit;
    s->last_fit = s->n;
}

static void fini(void *state)
{
    hw_state *s = state;
    fc_track_fini(&s->tr);
    free(s->hist);
    free(s->seas);
    free(s->scratch);
    free(s->err2);
    free(s->xw);
    free(s->win.s0);
    as_hw_fitter_free(&s->fit);
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
    s->err2 = malloc((size_t)s->m * sizeof *s->err2);
    s->xw = malloc((size_t)s->W * sizeof *s->xw);
    s->win.s0 = malloc((size_t)s->m * sizeof *s->win.s0);
    int fit_ok = as_hw_fitter_alloc(&s->fit, s->m) == 0;
    int rc = (s->hist && s->seas && s->scratch && s->err2 && s->xw && s->win.s0 && fit_ok)
                 ? fc_track_init(&s->tr, c, err)
                 : as_err_set(err, AS_ENOMEM, "out of memory (holt_winters, season %d)", s->m);
    if (rc != AS_OK)
        return rc; /* fini frees what was taken */
    s->win = (as_hw_window){.m = s->m, .W = s->W, .mult = s->p.seasonality == HW_MULTIPLICATIVE,
                            .phi = s->p.phi, .y = s->xw, .s0 = s->win.s0};
    return AS_OK;
}

/* The state a trial run with the constants in use leaves at the end of
 * the prepared window (seas[] in slot order, the run's season in window
 * order). */
static void hw_restart(hw_state *s)
{
    as_hw_score(&s->win, s->a, s->b, s->g, &s->level, &s->trend, s->scratch);
    const long g0 = s->n - s->W;
    for (int j = 0; j < s->m; j++)
        s->seas[(g0 + j) % s->m] = s->scratch[j];
}

/* The first fit and the state at the end of the warm-up window. */
static void hw_start(hw_state *s)
{
    hw_prepare(s);
    if (s->p.fit)
        hw_fit(s);
    hw_restart(s);
    for (int j = 0; j < s->m; j++)
        s->err2[j] = NAN;
    s->ready = true;
}

/* A refit: new constants from the last window and, when the state carried
 * on has gone astray, the state of a fresh run over that window too.
 * The test is like for like: the carried state's squared one-step errors
 * over the window's last season (err2[], under the constants it ran with)
 * against those of a fresh run from the window's heuristic start with the
 * same constants (as_hw_score), on the same observations. A carried state
 * that did worse than a fresh start is not worth keeping: it has lost the
 * level (e.g. an overshoot after a burst left it far below the series),
 * and new constants would only carry the error on (a fitted alpha near 0
 * keeps a wrong level for thousands of steps). Otherwise the state carries
 * on, as before: a fresh run would forget the older seasons. One trial run
 * more than the fit, O(W). */
static void hw_refit(hw_state *s)
{
    double run = 0, fresh, l, b;
    int ne = 0;
    for (int j = 0; j < s->m; j++)
        if (isfinite(s->err2[j])) {
            run += s->err2[j];
            ne++;
        }
    hw_prepare(s);
    fresh = as_hw_score(&s->win, s->a, s->b, s->g, &l, &b, s->scratch);
    hw_fit(s);
    if (ne > 0 && fresh < run / ne)
        hw_restart(s);
}

/* Whether to refit now, after the step that forecast f for y. refit = N:
 * every N steps, a schedule fixed to the series like fc_linreg.c's.
 * refit = -1: when the exponentially weighted mean of the squared one-step
 * errors (weight 1/m: it spans about a season, as the fit's score does, so
 * the daily swing of the error does not trigger it) exceeds `drift` (4)
 * times the last fit's score; never within a season of the last fit (the
 * floor: so drift refits never cost more than the old once-a-season
 * schedule, and a new regime has had a season to enter the window), and
 * at the latest refit_max (7) seasons after it (the cap: a slow drift of
 * the shape that keeps the error under the factor is still taken up).
 * The watch starts at the fit's score. Why 4 (the RMS error doubled): the
 * score is the MSE of one season, and with m = 24 hourly points its
 * sampling spread alone crossed a factor 2 every 6 to 18 steps on the
 * Wikipedia trace; on NASA (m = 1440) 2 and 4 scored within 0.01 MASE.
 * Not taken: a CUSUM or a test on the error's mean (a bias is drift the
 * squared error sees too; one statistic is enough). O(1), no allocation. */
static bool hw_refit_due(hw_state *s, double y, double f)
{
    if (!s->p.fit || s->p.refit == 0)
        return false;
    if (s->p.refit > 0)
        return s->n % s->p.refit == 0;
    double e2 = (y - f) * (y - f);
    if (isfinite(e2))
        s->ewmse += (e2 - s->ewmse) / s->m;
    long since = s->n - s->last_fit;
    if (since < s->m)
        return false;
    return since >= (long)s->p.refit_max * s->m || s->ewmse > s->p.drift * s->mse_fit;
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
        double f = hw_step(mult, s->a, s->b, s->g, s->p.phi, &s->level, &s->trend,
                           &s->seas[(s->n - 1) % m], y);
        s->err2[(s->n - 1) % m] = isfinite(y) ? (y - f) * (y - f) : NAN;
        /* new constants from the last window (hw_refit: and a fresh state
         * when the one carried on has gone astray) */
        if (hw_refit_due(s, y, f))
            hw_refit(s);
    } else if (s->n >= s->W) {
        hw_start(s);
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
