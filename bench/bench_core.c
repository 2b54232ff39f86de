/* bench_core.c - make bench sections for the core plug-ins: every
 * forecaster kind (update, 10-step forecast, refits of linreg and
 * holt_winters on 100 and 1000 points, holt_winters' cold fit on 4320),
 * every policy kind (decision) and
 * every anomaly detector (observation), each through the public wrappers
 * (as_forecaster_update/predict, as_policy_decide, as_detector_observe) as
 * the simulator calls them. */
#include "as_detect.h"
#include "as_forecast.h"
#include "as_hw.h"
#include "as_policy.h"
#include "bench.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define H_FC 10 /* the peers' horizon */
#define STEP (60 * AS_SEC)

double *bench_series_new(int period, int n, uint64_t seed)
{
    double *y = malloc((size_t)n * sizeof *y);
    if (y == NULL)
        return NULL;
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int i = 0; i < n; i++) {
        double u[2];
        for (int k = 0; k < 2; k++) {
            s ^= s >> 12;
            s ^= s << 25;
            s ^= s >> 27;
            u[k] = ((double)((s * 0x2545F4914F6CDD1Dull) >> 11) + 0.5) / 9007199254740992.0;
        }
        double z = sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
        y[i] = 200 * (1 + 0.5 * sin(6.283185307179586 * (i % period) / period)) + 8 * z;
    }
    return y;
}

/* ---- forecasters ---- */

typedef struct fc_ctx {
    as_forecaster *f;
    const double *y;
    int ny;
    long i; /* next observation: time i * STEP, value y[i % ny] */
    double mean[H_FC], lo[H_FC], hi[H_FC];
    double sink;
} fc_ctx;

static void body_update(void *c, long iters)
{
    fc_ctx *x = c;
    for (long k = 0; k < iters; k++, x->i++)
        as_forecaster_update(x->f, (as_time)x->i * STEP, x->y[x->i % x->ny]);
}

static void body_predict(void *c, long iters)
{
    fc_ctx *x = c;
    for (long k = 0; k < iters; k++) {
        as_forecaster_predict(x->f, H_FC, x->mean, x->lo, x->hi);
        x->sink += x->mean[H_FC - 1];
    }
}

static void body_origin(void *c, long iters)
{
    fc_ctx *x = c;
    for (long k = 0; k < iters; k++, x->i++) {
        as_forecaster_update(x->f, (as_time)x->i * STEP, x->y[x->i % x->ny]);
        as_forecaster_predict(x->f, H_FC, x->mean, x->lo, x->hi);
        x->sink += x->mean[0];
    }
}

/* New forecaster of `kind` with season `season` and "key=value" settings
 * (NULL-terminated); NULL (and a message on stderr) on failure. */
static as_forecaster *fc_make_c(const char *kind, int season, const char *const *kv,
                                bool no_intervals)
{
    const as_forecaster_type *ft = as_forecaster_type_find(kind);
    as_err err = {0};
    if (ft == NULL) {
        fprintf(stderr, "bench: no forecaster '%s'\n", kind);
        return NULL;
    }
    void *cfg = calloc(1, ft->config_size ? ft->config_size : 1);
    if (cfg == NULL)
        return NULL;
    if (ft->defaults)
        ft->defaults(cfg);
    for (; kv && *kv; kv++) {
        char key[64];
        const char *eq = strchr(*kv, '=');
        snprintf(key, sizeof key, "%.*s", (int)(eq - *kv), *kv);
        if (as_param_set(ft->params, cfg, key, eq + 1, &err) != AS_OK) {
            fprintf(stderr, "bench: %s: %s\n", kind, err.msg);
            free(cfg);
            return NULL;
        }
    }
    as_forecast_common c = {.step = STEP, .season = season, .max_horizon = H_FC, .coverage = 0.9,
                            .no_intervals = no_intervals};
    as_forecaster *f = as_forecaster_new(ft, &c, cfg, &err);
    free(cfg);
    if (f == NULL)
        fprintf(stderr, "bench: %s: %s\n", kind, err.msg);
    return f;
}

static as_forecaster *fc_make(const char *kind, int season, const char *const *kv)
{
    return fc_make_c(kind, season, kv, false);
}

/* The split of the goal's figure: the point forecaster alone (the kinds
 * with no_intervals, as `auto` runs its members: the interval is then the
 * spread of the observations, and no error windows are kept) and the
 * conformal calibration (the H = 10 sorted error windows, fc_conf.c), the
 * difference of the two medians. */
static void bench_calibration(bench_table *t, const bench_opts *o, int warm, int reps)
{
    static const char *const kinds[] = {"naive", "ewma", "holt"};
    char name[80], with[64];
    for (int i = 0; i < 3; i++) {
        as_forecaster *f = fc_make_c(kinds[i], 1440, NULL, true);
        if (f == NULL)
            continue;
        fc_ctx x = {.f = f, .y = o->series, .ny = o->nseries};
        body_update(&x, warm);
        bench_stats s;
        bench_time(body_origin, &x, 2880, 1, reps, &s);
        snprintf(name, sizeof name, "%s update+forecast(10), no intervals", kinds[i]);
        bench_table_add(t, "forecast", name, &s, "ns/op",
                        "point forecaster alone: no error windows (no_intervals)");
        snprintf(with, sizeof with, "%s update+forecast(10)", kinds[i]);
        snprintf(name, sizeof name, "%s calibration share", kinds[i]);
        bench_table_value(t, "forecast", name, bench_table_get(t, "forecast", with) - s.median,
                          "ns/op", "the two rows above: conformal windows, 10 horizons x 500");
        as_forecaster_free(f);
    }
}

static bool has_param(const as_forecaster_type *ft, const char *key)
{
    return ft->params && as_param_find(ft->params, key) != NULL;
}

/* Time refits: refit = 1 makes every update() refit on the window, so the
 * cost of an update is the cost of one refit (plus an O(1) or O(H) step
 * that is also measured alone, in the "refit off" rows). holt_winters'
 * refits are then warm ones (from the last fit, a step earlier), as every
 * refit after its first fit is. */
static void bench_refit(bench_table *t, const bench_opts *o, const char *kind, int season,
                        const char *const *kv, int warm, const char *name, const char *note)
{
    double *y = bench_series_new(season, 8 * season + warm, 11);
    as_forecaster *f = y ? fc_make(kind, season, kv) : NULL;
    if (f == NULL) {
        free(y);
        bench_table_value(t, "forecast", name, NAN, "ns/refit", "could not be created");
        return;
    }
    fc_ctx x = {.f = f, .y = y, .ny = 8 * season + warm};
    /* warm up without timing until the window is full (a few refits more:
     * from there on every update refits on a full window) */
    body_update(&x, warm);
    bench_stats s;
    bench_auto(body_update, &x, o->quick ? 2e7 : 5e7, o->quick ? 3 : 7, &s);
    bench_table_add(t, "forecast", name, &s, "ns/refit", note);
    as_forecaster_free(f);
    free(y);
}

/* holt_winters' first fit alone, cold (as_hw.h: AS_HW_COLD_STEP and _TOL
 * from the kind's default constants 0.3, 0.01, 0.1) on a window of three
 * seasons of 1440: what statsmodels' fit does on the same window. The
 * "refit N=4320" row is a warm refit a step after the last fit. */
typedef struct hw_cold_ctx {
    as_hw_window w;
    as_hw_fitter fit;
    double sink;
} hw_cold_ctx;

static void body_hw_cold(void *c, long iters)
{
    hw_cold_ctx *x = c;
    for (long k = 0; k < iters; k++) {
        double cst[3] = {0.3, 0.01, 0.1};
        as_hw_prepare(&x->w);
        x->sink += as_hw_fit(&x->fit, &x->w, cst, AS_HW_COLD_STEP, AS_HW_COLD_TOL, 200);
    }
}

static void bench_hw_cold(bench_table *t, const bench_opts *o)
{
    const int m = 1440, W = 3 * m;
    const char *name = "holt_winters cold fit N=4320";
    hw_cold_ctx x = {.w = {.m = m, .W = W, .phi = 0.98}};
    double *y = bench_series_new(m, W, 11), *s0 = malloc((size_t)m * sizeof *s0);
    if (y == NULL || s0 == NULL || as_hw_fitter_alloc(&x.fit, m) != 0) {
        bench_table_value(t, "forecast", name, NAN, "ns/fit", "could not be created");
    } else {
        x.w.y = y;
        x.w.s0 = s0;
        bench_stats s;
        bench_auto(body_hw_cold, &x, o->quick ? 2e7 : 5e7, o->quick ? 3 : 7, &s);
        bench_table_add(t, "forecast", name, &s, "ns/fit",
                        "season 1440 x 3: the first fit, cold, as statsmodels' fit");
    }
    as_hw_fitter_free(&x.fit);
    free(y);
    free(s0);
}

/* holt_winters with its defaults but no intervals (no_intervals): the
 * point forecaster and its refits alone, as the "no intervals" rows of
 * bench_calibration for naive, ewma and holt. */
static void bench_hw_point(bench_table *t, const bench_opts *o, int warm, int reps)
{
    as_forecaster *f = fc_make_c("holt_winters", 1440, NULL, true);
    if (f == NULL)
        return;
    fc_ctx x = {.f = f, .y = o->series, .ny = o->nseries};
    body_update(&x, warm);
    bench_stats s;
    bench_time(body_update, &x, 7L * 1440, 1, reps, &s);
    bench_table_add(t, "forecast", "holt_winters update, no intervals", &s, "ns/op",
                    "default settings, refits amortized; no error windows (no_intervals)");
    as_forecaster_free(f);
}

void bench_forecasters(bench_table *t, const bench_opts *o)
{
    const int reps = o->quick ? 5 : 15;
    const int season = 1440; /* one day of one-minute steps, as the peers */
    const int warm = 3 * season + 1000;
    char name[64];
    for (const as_forecaster_type *const *tp = as_forecaster_types(); *tp; tp++) {
        const as_forecaster_type *ft = *tp;
        for (int off = 0; off < 2; off++) {
            if (off && !has_param(ft, "refit"))
                break;
            static const char *const refit_off[] = {"refit=0", NULL};
            as_forecaster *f = fc_make(ft->name, season, off ? refit_off : NULL);
            if (f == NULL)
                continue;
            fc_ctx x = {.f = f, .y = o->series, .ny = o->nseries};
            body_update(&x, warm);
            bench_stats s;
            /* 2880 updates per repetition: two seasons, a multiple of every
             * default refit period (linreg 60, ar 30), so each repetition
             * holds the same number of refits. holt_winters refits on drift,
             * at most once a season and at least every 7: a repetition of 7
             * seasons holds at least one, so its median is amortized too */
            const long per_rep = strcmp(ft->name, "holt_winters") == 0 ? 7L * season : 2880;
            bench_time(body_update, &x, per_rep, 1, reps, &s);
            snprintf(name, sizeof name, "%s update%s", ft->name, off ? " (refit off)" : "");
            bench_table_add(t, "forecast", name, &s, "ns/op",
                            off ? "fit once, then O(1)/O(window) steps"
                                : "default settings; refits amortized");
            if (!off) {
                bench_auto(body_predict, &x, 5e6, reps, &s);
                snprintf(name, sizeof name, "%s forecast(10)", ft->name);
                bench_table_add(t, "forecast", name, &s, "ns/op", "mean, lo, hi of 10 steps");
                bench_time(body_origin, &x, per_rep, 1, reps, &s);
                snprintf(name, sizeof name, "%s update+forecast(10)", ft->name);
                bench_table_add(t, "forecast", name, &s, "ns/op", "one origin, refits amortized");
            }
            as_forecaster_free(f);
        }
    }

    bench_calibration(t, o, warm, reps);
    bench_hw_point(t, o, warm, reps);

    /* refits, the peers' training step */
    static const char *const lr100[] = {"window=100", "refit=1", NULL};
    static const char *const lr1000[] = {"window=1000", "refit=1", NULL};
    bench_refit(t, o, "linreg", season, lr100, 100 + 60 + 5, "linreg refit N=100",
                "15 features, running-sum Gram, Cholesky (eigen pseudo-inverse if singular)");
    bench_refit(t, o, "linreg", season, lr1000, 1000 + 60 + 5, "linreg refit N=1000",
                "15 features, running-sum Gram, Cholesky (eigen pseudo-inverse if singular)");
    /* holt_winters fits on fit_seasons * season points */
    static const char *const hw100[] = {"fit_seasons=4", "refit=1", NULL};
    static const char *const hw4320[] = {"fit_seasons=3", "refit=1", NULL};
    bench_refit(t, o, "holt_winters", 25, hw100, 100 + 5, "holt_winters refit N=100",
                "season 25 x 4; warm Nelder-Mead, 4 trials a pass, <= 200 iterations");
    bench_refit(t, o, "holt_winters", 250, hw100, 1000 + 5, "holt_winters refit N=1000",
                "season 250 x 4; warm Nelder-Mead, 4 trials a pass, <= 200 iterations");
    bench_refit(t, o, "holt_winters", 1440, hw4320, 4320 + 5, "holt_winters refit N=4320",
                "season 1440 x 3: the peers' window; warm");
    bench_hw_cold(t, o);

    /* linreg without refits at the peers' two window sizes: the recursive
     * 10-step path is computed in update(), forecast() copies it */
    static const char *const lr100n[] = {"window=100", "refit=0", NULL};
    static const char *const lr1000n[] = {"window=1000", "refit=0", NULL};
    for (int k = 0; k < 2; k++) {
        as_forecaster *f = fc_make("linreg", season, k ? lr1000n : lr100n);
        if (f == NULL)
            continue;
        fc_ctx x = {.f = f, .y = o->series, .ny = o->nseries};
        body_update(&x, 2000);
        bench_stats s;
        bench_auto(body_origin, &x, 5e6, reps, &s);
        snprintf(name, sizeof name, "linreg N=%d update+forecast(10)", k ? 1000 : 100);
        bench_table_add(t, "forecast", name, &s, "ns/op", "refit off: the recursive path");
        as_forecaster_free(f);
    }
}

/* ---- policies ---- */

#define NOBS 4096
#define FC_VIEW 8

typedef struct pol_ctx {
    as_policy *p;
    as_observation obs[NOBS];
    double mean[FC_VIEW], lo[FC_VIEW], hi[FC_VIEW];
    bool wants_fc;
    long k;
    as_time now;
    int current;
    long sink;
} pol_ctx;

static void body_decide(void *c, long iters)
{
    pol_ctx *x = c;
    for (long n = 0; n < iters; n++, x->k++) {
        as_observation ob = x->obs[x->k % NOBS];
        x->now += 15 * AS_SEC;
        ob.now = x->now;
        /* the load is a share of what the current capacity serves, so the
         * decisions move the capacity as a closed loop would */
        ob.current = ob.ready = x->current;
        ob.booting = 0;
        if (isfinite(ob.rate))
            ob.rate = ob.utilization * x->current * ob.capacity;
        as_forecast_view v = {.h = FC_VIEW, .step = 15 * AS_SEC, .mean = x->mean,
                              .lo = x->lo, .hi = x->hi, .anomaly = (x->k % 211) == 0};
        if (x->wants_fc)
            for (int j = 0; j < FC_VIEW; j++) {
                double r = isfinite(ob.rate) ? ob.rate : 100;
                x->mean[j] = r * (1 + 0.01 * j);
                x->lo[j] = 0.9 * x->mean[j];
                x->hi[j] = 1.1 * x->mean[j];
            }
        as_decision d;
        as_policy_decide(x->p, &ob, x->wants_fc ? &v : NULL, &d);
        x->current = d.desired;
        x->sink += d.raw;
    }
}

/* Observations over a representative range: utilization between about 0.1
 * and 1.1 in slow waves with noise, one sample in 97 missing. */
static void fill_obs(as_observation *obs, int n)
{
    uint64_t s = 12345;
    for (int k = 0; k < n; k++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double noise = ((double)(s >> 11) / 9007199254740992.0 - 0.5) * 0.1;
        double u = 0.6 + 0.45 * sin(6.283185307179586 * k / 480.0) + noise;
        obs[k] = (as_observation){.min = 1,
                                  .max = 100,
                                  .utilization = k % 97 == 0 ? NAN : u,
                                  .rate = k % 97 == 0 ? NAN : u,
                                  .latency = NAN,
                                  .capacity = 80,
                                  .service_rate = 20,
                                  .concurrency = 4,
                                  .scv_factor = 1,
                                  .slo_latency = 0.25,
                                  .slo_percentile = 0.95,
                                  .boot_time = 90 * AS_SEC};
    }
}

void bench_policies(bench_table *t, const bench_opts *o)
{
    const int reps = o->quick ? 5 : 15;
    pol_ctx *x = malloc(sizeof *x);
    if (x == NULL)
        return;
    for (const as_policy_type *const *tp = as_policy_types(); *tp; tp++) {
        as_err err = {0};
        memset(x, 0, sizeof *x);
        fill_obs(x->obs, NOBS);
        x->p = as_policy_new(*tp, NULL, &err);
        char name[64];
        snprintf(name, sizeof name, "%s decide", (*tp)->name);
        if (x->p == NULL) {
            bench_table_value(t, "policy", name, NAN, "ns/op", err.msg);
            continue;
        }
        x->wants_fc = ((*tp)->flags & AS_KIND_NEEDS_FORECAST) != 0;
        x->current = 10;
        bench_stats s;
        bench_auto(body_decide, x, 5e6, reps, &s);
        bench_table_add(t, "policy", name, &s, "ns/op",
                        x->wants_fc ? "default settings, 8-step forecast view"
                                    : "default settings");
        as_policy_free(x->p);
    }
    free(x);
}

/* ---- detectors ---- */

typedef struct det_ctx {
    as_detector *d;
    const double *y;
    int ny;
    long i;
    double sink;
} det_ctx;

static void body_observe(void *c, long iters)
{
    det_ctx *x = c;
    for (long k = 0; k < iters; k++, x->i++) {
        bool flag;
        x->sink += as_detector_observe(x->d, (as_time)x->i * STEP, x->y[x->i % x->ny], &flag);
    }
}

void bench_detectors(bench_table *t, const bench_opts *o)
{
    const int reps = o->quick ? 5 : 15;
    for (const as_detector_type *const *tp = as_detector_types(); *tp; tp++) {
        as_err err = {0};
        char name[64];
        snprintf(name, sizeof name, "%s observe", (*tp)->name);
        det_ctx x = {.d = as_detector_new(*tp, NULL, &err), .y = o->series, .ny = o->nseries};
        if (x.d == NULL) {
            bench_table_value(t, "detect", name, NAN, "ns/op", err.msg);
            continue;
        }
        bench_stats s;
        bench_auto(body_observe, &x, 5e6, reps, &s);
        bench_table_add(t, "detect", name, &s, "ns/op", "default settings");
        as_detector_free(x.d);
    }
    if (o->trace == NULL)
        return;
    /* the peers' figure: one pass over synthetic_seasonal.csv, window 60,
     * and their check values (64 anomalies, sum 759.306, max |z| 3.94135) */
    const as_detector_type *zt = as_detector_type_find("zscore");
    as_err err = {0};
    as_detector *d = zt ? as_detector_new(zt, NULL, &err) : NULL;
    if (d == NULL)
        return;
    int nflag = 0;
    double sum = 0, amax = 0;
    for (int i = 0; i < o->ntrace; i++) {
        bool flag = false;
        double z = as_detector_observe(d, (as_time)i * STEP, o->trace[i], &flag);
        nflag += flag;
        sum += z;
        amax = fmax(amax, fabs(z));
    }
    as_detector_free(d);
    char note[128];
    snprintf(note, sizeof note, "sum %.6g, max|z| %.6g (peer: 64, 759.306, 3.94135)", sum, amax);
    bench_table_value(t, "detect", "zscore check: anomalies on peers' trace", nflag, "count",
                      note);
    double samples[64];
    int n = reps;
    for (int r = -1; r < n; r++) {
        det_ctx x = {.d = as_detector_new(zt, NULL, &err), .y = o->trace, .ny = o->ntrace};
        if (x.d == NULL)
            return;
        uint64_t t0 = bench_now_ns();
        body_observe(&x, o->ntrace);
        double ns = (double)(bench_now_ns() - t0) / o->ntrace;
        as_detector_free(x.d);
        if (r >= 0)
            samples[r] = ns;
    }
    bench_stats s;
    bench_stats_of(samples, n, &s);
    bench_table_add(t, "detect", "zscore pass over peers' trace", &s, "ns/sample",
                    "20160 samples, window 60, fresh detector");
}
