/* cmd_forecast.c - `simrun forecast TRACE`: rolling-origin evaluation of the
 * forecasters of core/ on a recorded trace.
 *
 * The trace is put on a regular grid of --step (samples averaged per slot,
 * empty slots are gaps, NAN, which the forecasters must handle). Every
 * forecaster sees the series one observation at a time, as it would in the
 * simulator; at each origin o (from --origin-start, every --stride steps)
 * it forecasts y[o .. o+h-1] and is scored against them:
 *   MAE, MASE (mean over origins of MAE_o / the in-sample seasonal-naive
 *   MAE over y[0 .. o-1], REFERENCE.md section 5 and the peers' definition;
 *   the lag-1 naive when the history before the first origin holds no
 *   whole season, as the header then says),
 *   sMAPE (M4, percent), interval coverage (share of actuals in [lo, hi],
 *   nominal 90 %), under-forecast share (share of forecasts below the
 *   actual, the costly side for autoscaling), and wall-clock ns per update
 *   and per h-step forecast (CLOCK_MONOTONIC; allowed here, never in core/).
 * A forecaster that cannot run on the trace (settings it refuses, such as
 * a seasonal kind with --season 0, or a warm-up longer than the trace
 * before its last origin) is skipped with one line saying why, and the
 * table goes on. Note on the timings: the kinds compute their h-step path in update (it is
 * also what their intervals are scored on), so "update" includes it and
 * "forecast" is a copy plus the interval.
 *
 * Exit status: 0 ok; 2 bad input or usage (one line "simrun forecast: ..."
 * on stderr); 1 anything else. */
#include "cmd.h"

#include "as_forecast.h"
#include "as_param.h"
#include "plot_forecast.h"
#include "tr_trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


enum { EXIT_OK = 0, EXIT_OTHER = 1, EXIT_INPUT = 2, EXIT_SKIP = 3 /* internal: not run */ };
enum { MAX_KINDS = 32 };

static const char usage_text[] =
    "usage: simrun forecast TRACE [options]\n"
    "Rolling-origin evaluation of forecasters on a recorded trace.\n"
    "  --forecaster LIST  comma-separated kinds (default: all), each optionally\n"
    "                     with settings: holt_winters:seasonality=multiplicative,\n"
    "                     linreg:window=100:means=15,30,60\n"
    "  --season DUR       season length (default 1d; 0 or none = no season: the\n"
    "                     seasonal kinds are skipped)\n"
    "  --horizon H        steps ahead to forecast and score (default 10)\n"
    "  --step DUR         grid spacing (default: the trace's own spacing);\n"
    "                     samples inside a step are averaged\n"
    "  --window N         training window of the regression kinds (linreg, ar)\n"
    "  --origin-start N   first origin, in steps (default min(7 seasons, n/2))\n"
    "  --stride N         steps between origins (default 1)\n"
    "  --coverage C       interval coverage (default 0.9)\n"
    "  --csv              machine-readable output\n"
    "  --plot DIR         also draw the error by horizon of every forecaster with\n"
    "                     gnuplot into DIR/forecast_by_horizon.png (data and\n"
    "                     forecast.gp kept beside it); DIR is replaced whole\n"
    "  --force            with --plot: replace a DIR that simrun did not make\n"
    "  --help             this text\n"
    "Kinds:";

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "simrun forecast: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return EXIT_INPUT;
}

static void print_usage(void)
{
    printf("%s", usage_text);
    for (const as_forecaster_type *const *t = as_forecaster_types(); *t; t++)
        printf(" %s", (*t)->name);
    printf("\n");
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One forecaster to evaluate: its spec as typed, its kind, its config. */
typedef struct {
    char spec[256];
    const as_forecaster_type *type;
    void *cfg;
} fc_spec;

/* Split "a,b:k=v,c:means=15,30,60" into specs: a piece that does not start
 * with a kind name continues the previous value (a list such as means). */
static int split_specs(const char *list, fc_spec *out, int *n)
{
    char buf[1024];
    if (strlen(list) >= sizeof buf)
        return bad("--forecaster list too long: %s", list);
    strcpy(buf, list);
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char name[128];
        size_t len = strcspn(tok, ":");
        snprintf(name, sizeof name, "%.*s", (int)(len < 127 ? len : 127), tok);
        if (as_forecaster_type_find(name) == NULL && *n > 0) {
            fc_spec *prev = &out[*n - 1];
            size_t used = strlen(prev->spec);
            if (used + 1 + strlen(tok) >= sizeof prev->spec)
                return bad("forecaster spec too long: %s", prev->spec);
            prev->spec[used] = ',';
            strcpy(prev->spec + used + 1, tok);
            continue;
        }
        if (*n == MAX_KINDS)
            return bad("too many forecasters (%s)", list);
        if (as_forecaster_type_find(name) == NULL)
            return bad("unknown forecaster '%s' (see --help)", name);
        snprintf(out[*n].spec, sizeof out[*n].spec, "%s", tok);
        out[*n].type = as_forecaster_type_find(name);
        (*n)++;
    }
    if (*n == 0)
        return bad("empty --forecaster list%s", "");
    return EXIT_OK;
}

/* Defaults, then --window (if the kind has that key), then the spec's own
 * key=value settings. */
static int build_cfg(fc_spec *s, const char *window)
{
    s->cfg = calloc(1, s->type->config_size ? s->type->config_size : 1);
    if (s->cfg == NULL)
        return EXIT_OTHER;
    if (s->type->defaults)
        s->type->defaults(s->cfg);
    as_err err = {0};
    if (window && as_param_find(s->type->params, "window") &&
        as_param_set(s->type->params, s->cfg, "window", window, &err) != AS_OK)
        return bad("--window: %s", err.msg);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s->spec);
    char *save = NULL;
    strtok_r(buf, ":", &save); /* the kind name */
    for (char *kv = strtok_r(NULL, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
        char *eq = strchr(kv, '=');
        if (eq == NULL)
            return bad("expected key=value in forecaster settings, got '%s'", kv);
        *eq = '\0';
        if (as_param_set(s->type->params, s->cfg, kv, eq + 1, &err) != AS_OK) {
            char msg[700];
            snprintf(msg, sizeof msg, "%s: %s", s->type->name, err.msg);
            return bad("%s", msg);
        }
    }
    return EXIT_OK;
}

static int cmp_time(const void *a, const void *b)
{
    as_time x = *(const as_time *)a, y = *(const as_time *)b;
    return (x > y) - (x < y);
}

/* The trace's own spacing: the median positive difference of its times. */
static as_time native_step(const tr_series *s)
{
    if (s->n < 2)
        return 0;
    as_time *d = malloc((s->n - 1) * sizeof *d);
    if (d == NULL)
        return 0;
    size_t k = 0;
    for (size_t i = 1; i < s->n; i++)
        if (s->t[i] > s->t[i - 1])
            d[k++] = s->t[i] - s->t[i - 1];
    as_time step = 0;
    if (k) {
        qsort(d, k, sizeof *d, cmp_time);
        step = d[k / 2];
    }
    free(d);
    return step;
}

/* Average the series onto a grid of `step` from its first time; empty
 * slots are NAN. Caller frees *y. */
static int regrid(const tr_series *s, as_time step, double **y, size_t *n)
{
    as_time t0 = s->t[0], span = s->t[s->n - 1] - t0;
    size_t len = (size_t)(span / step) + 1;
    double *v = calloc(len, sizeof *v);
    int *c = calloc(len, sizeof *c);
    if (!v || !c) {
        free(v);
        free(c);
        return EXIT_OTHER;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (!isfinite(s->rate[i]) || s->t[i] < t0)
            continue;
        size_t k = (size_t)((s->t[i] - t0) / step);
        if (k < len) {
            v[k] += s->rate[i];
            c[k]++;
        }
    }
    for (size_t k = 0; k < len; k++)
        v[k] = c[k] ? v[k] / c[k] : NAN;
    free(c);
    *y = v;
    *n = len;
    return EXIT_OK;
}

typedef struct {
    double abs_sum, smape_sum, mase_sum;
    long nerr, nsmape, ncover, nunder, norigins;
    double upd_ns, fc_ns;
    long nupd, nfc;
    double *hz_abs; /* per horizon step: sum of absolute errors (caller's, H long) */
    long *hz_n;
    double *buf;    /* caller's: 3 H doubles for mean, lo, hi */
} score;

/* The forecaster of sp for these settings, or NULL with EXIT_SKIP and the
 * reason in why (it cannot run on this trace: settings it refuses, such as
 * a seasonal kind without a season, or a warm-up that leaves no origin), or
 * EXIT_OTHER when out of memory. A warm-up that covers some origins is
 * written to note (their forecasts are the kind's fallback). */
static as_forecaster *make(const fc_spec *sp, const as_forecast_common *c, size_t n, size_t start,
                           int *rc, char *why, size_t wn, char *note, size_t nn)
{
    as_err err = {0};
    note[0] = '\0';
    as_forecaster *f = as_forecaster_new(sp->type, c, sp->cfg, &err);
    if (f == NULL) {
        *rc = err.code == AS_ENOMEM ? EXIT_OTHER : EXIT_SKIP;
        snprintf(why, wn, "%s", err.msg);
        return NULL;
    }
    long wu = as_forecaster_warmup(f);
    size_t last = n - (size_t)c->max_horizon; /* the last origin */
    if (wu > 0 && (size_t)wu > last) {
        snprintf(why, wn, "needs %ld steps of history before it forecasts with its own model; "
                          "the trace has %zu (%zu before the last origin)", wu, n, last);
        as_forecaster_free(f);
        *rc = EXIT_SKIP;
        return NULL;
    }
    if (wu > 0 && (size_t)wu > start)
        snprintf(note, nn, "%s warms up for %ld steps: its first %zu origins score its fallback",
                 sp->spec, wu, (size_t)wu - start);
    *rc = EXIT_OK;
    return f;
}

/* Run one forecaster over the whole grid and score it; MASE against the
 * in-sample naive of lag mscale (the season, or 1). */
static void evaluate(as_forecaster *f, const as_forecast_common *c, const double *y, size_t n,
                     as_time t0, size_t start, size_t stride, size_t mscale, double clock_ns,
                     score *sc)
{
    const int H = c->max_horizon;
    const size_t m = mscale;
    double *mean = sc->buf;
    double *lo = mean + H, *hi = lo + H;
    double *hz_abs = sc->hz_abs, *buf = sc->buf;
    long *hz_n = sc->hz_n;
    memset(sc, 0, sizeof *sc);
    sc->hz_abs = hz_abs;
    sc->hz_n = hz_n;
    sc->buf = buf;
    double scale_sum = 0, level_sum = 0;
    long scale_n = 0, level_n = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(y[i])) { /* the mean |y| so far: the level rounding is judged at */
            level_sum += fabs(y[i]);
            level_n++;
        }
        /* in-sample seasonal-naive scale over y[0 .. i] (rounding: 0) */
        if (i >= m && isfinite(y[i]) && isfinite(y[i - m])) {
            double lv = level_sum / (double)level_n;
            scale_sum += as_fc_rounding(y[i], y[i - m], lv) ? 0.0 : fabs(y[i] - y[i - m]);
            scale_n++;
        }
        as_time t = t0 + (as_time)i * c->step;
        double a = now_ns();
        as_forecaster_update(f, t, y[i]);
        sc->upd_ns += now_ns() - a - clock_ns;
        sc->nupd++;
        size_t o = i + 1; /* origin: first index not yet seen */
        if (o < start || (o - start) % stride != 0 || o + (size_t)H > n)
            continue;
        a = now_ns();
        as_forecaster_predict(f, H, mean, lo, hi);
        sc->fc_ns += now_ns() - a - clock_ns;
        sc->nfc++;
        double abs_o = 0, level = level_n ? level_sum / (double)level_n : 0.0;
        long n_o = 0;
        for (int h = 0; h < H; h++) {
            double act = y[o + (size_t)h];
            if (!isfinite(act))
                continue;
            /* a difference of rounding is none (as_fc_rounding) */
            bool exact = as_fc_rounding(act, mean[h], level);
            double e = exact ? 0.0 : fabs(act - mean[h]);
            abs_o += e;
            n_o++;
            if (sc->hz_abs) {
                sc->hz_abs[h] += e;
                sc->hz_n[h]++;
            }
            double den = fabs(act) + fabs(mean[h]);
            if (den > 0) {
                sc->smape_sum += 200.0 * e / den;
                sc->nsmape++;
            } else {
                sc->nsmape++; /* both zero: a perfect forecast, term 0 */
            }
            sc->ncover += (act >= lo[h] && act <= hi[h]) || as_fc_rounding(act, lo[h], level) ||
                          as_fc_rounding(act, hi[h], level);
            sc->nunder += !exact && mean[h] < act;
        }
        sc->abs_sum += abs_o;
        sc->nerr += n_o;
        if (n_o > 0 && scale_n > 0 && scale_sum > 0) {
            sc->mase_sum += (abs_o / n_o) / (scale_sum / scale_n);
            sc->norigins++;
        }
    }
}

/* --plot: the mean absolute error at each horizon step, one line per
 * forecaster, drawn by plots/ (plot_forecast.h) with the data and script
 * kept; the folder is replaced whole, and one simrun did not make only
 * with --force. */
static int plot_by_horizon(const char *dir, int force, const char *trace, const fc_spec *specs,
                           int nspec, int H, const double *hz_abs, const long *hz_n,
                           const char *step)
{
    double *mae = malloc((size_t)nspec * (size_t)H * sizeof *mae);
    if (mae == NULL) {
        fprintf(stderr, "simrun forecast: --plot: out of memory\n");
        return EXIT_OTHER;
    }
    const char *names[MAX_KINDS];
    for (int k = 0; k < nspec; k++) {
        names[k] = specs[k].spec;
        for (int h = 0; h < H; h++) {
            size_t at = (size_t)k * (size_t)H + (size_t)h;
            mae[at] = hz_n[at] ? hz_abs[at] / (double)hz_n[at] : NAN;
        }
    }
    plot_forecast_in in = {dir, force, trace, names, nspec, H, mae, step, NULL};
    as_err err = {0};
    int rc = plot_forecast_by_horizon(&in, &err);
    free(mae);
    if (rc != AS_OK) {
        fprintf(stderr, "simrun forecast: --plot: %s\n", err.msg);
        return rc == AS_EINVAL || rc == AS_EEXIST ? EXIT_INPUT : EXIT_OTHER;
    }
    printf("# plot: %s/forecast_by_horizon.png\n", dir);
    return EXIT_OK;
}

static int parse_count(const char *opt, const char *v, long min, long *out)
{
    as_err err = {0};
    if (as_parse_int(v, out, &err) != AS_OK || *out < min) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s: expected an integer >= %ld, got '%s'", opt, min, v);
        return bad("%s", msg);
    }
    return EXIT_OK;
}

/* The command line. */
typedef struct {
    const char *trace, *list, *window, *season_s, *step_s, *plot_dir;
    long horizon, start_opt, stride;
    double coverage;
    int csv, force, help;
} fc_opts;

/* Reads argv into o (defaults first); EXIT_INPUT with one line on a bad
 * command line. */
static int parse_args(int argc, char **argv, fc_opts *o)
{
    *o = (fc_opts){.season_s = "1d", .horizon = 10, .start_opt = -1, .stride = 1,
                   .coverage = 0.9};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help = 1;
            return EXIT_OK;
        } else if (strcmp(a, "--csv") == 0) {
            o->csv = 1;
            takes = 0;
        } else if (strcmp(a, "--force") == 0) {
            o->force = 1;
            takes = 0;
        } else if (a[0] == '-' && a[1] == '-' && v == NULL) {
            return bad("option %s needs a value", a);
        } else if (strcmp(a, "--forecaster") == 0) {
            o->list = v;
        } else if (strcmp(a, "--season") == 0) {
            o->season_s = v;
        } else if (strcmp(a, "--plot") == 0) {
            o->plot_dir = v;
        } else if (strcmp(a, "--step") == 0) {
            o->step_s = v;
        } else if (strcmp(a, "--window") == 0) {
            o->window = v;
        } else if (strcmp(a, "--horizon") == 0) {
            if (parse_count(a, v, 1, &o->horizon) != EXIT_OK)
                return EXIT_INPUT;
        } else if (strcmp(a, "--origin-start") == 0) {
            if (parse_count(a, v, 1, &o->start_opt) != EXIT_OK)
                return EXIT_INPUT;
        } else if (strcmp(a, "--stride") == 0) {
            if (parse_count(a, v, 1, &o->stride) != EXIT_OK)
                return EXIT_INPUT;
        } else if (strcmp(a, "--coverage") == 0) {
            as_err err = {0};
            if (as_parse_double(v, &o->coverage, &err) != AS_OK ||
                !(o->coverage > 0 && o->coverage < 1))
                return bad("--coverage: expected a number in (0, 1), got '%s'", v);
        } else if (a[0] == '-' && a[1] != '\0') {
            return bad("unknown option '%s' (see --help)", a);
        } else if (o->trace == NULL) {
            o->trace = a;
            takes = 0;
        } else {
            return bad("unexpected argument '%s' (one TRACE only)", a);
        }
        i += takes;
    }
    if (o->trace == NULL)
        return bad("missing TRACE (usage: simrun forecast TRACE [options], see --help)%s", "");
    return EXIT_OK;
}

/* The kinds to evaluate: those of --forecaster, or every registered one. */
static int list_specs(const char *list, fc_spec *specs, int *nspec)
{
    *nspec = 0;
    if (list) {
        if (split_specs(list, specs, nspec) != EXIT_OK)
            return EXIT_INPUT;
    } else {
        for (const as_forecaster_type *const *t = as_forecaster_types();
             *t && *nspec < MAX_KINDS; t++, (*nspec)++) {
            snprintf(specs[*nspec].spec, sizeof specs[*nspec].spec, "%s", (*t)->name);
            specs[*nspec].type = *t;
        }
    }
    for (int k = 0; k < *nspec; k++)
        specs[k].cfg = NULL;
    return EXIT_OK;
}

/* The trace on its grid, and where the scoring starts. */
typedef struct {
    tr_series ser;
    double *y;
    size_t n, m, start, mscale;
    bool exact; /* the seasonal naive is exact before the first origin */
    bool flat;  /* and so is the lag-1 naive: no scale before the trace moves */
    as_time step, season_t;
} fc_data;

/* Does the seasonal naive of lag m forecast y[m .. start) exactly, up to
 * rounding (a trace without noise)? */
static bool seasonal_exact(const double *y, size_t start, size_t m)
{
    double sum = 0;
    size_t k = 0, cmp = 0;
    for (size_t i = 0; i < start; i++)
        if (isfinite(y[i])) {
            sum += fabs(y[i]);
            k++;
        }
    double level = k ? sum / (double)k : 0.0;
    for (size_t i = m; i < start; i++) {
        if (!isfinite(y[i]) || !isfinite(y[i - m]))
            continue;
        if (!as_fc_rounding(y[i], y[i - m], level))
            return false;
        cmp++;
    }
    return cmp > 0;
}

/* A trace of rates is never negative: its forecasts are floored at 0
 * (as_forecast_common.nonneg). One that has a negative value is some other
 * series, forecast as it is. */
static bool never_negative(const double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (y[i] < 0)
            return false;
    return true;
}

/* Loads the trace of o onto its grid and places the first origin; the
 * caller frees d->y and d->ser whatever the result. */
static int prepare(const fc_opts *o, fc_data *d)
{
    as_err err = {0};
    int lrc = tr_series_load(o->trace, &d->ser, &err);
    if (lrc != AS_OK)
        return lrc == AS_ENOMEM ? EXIT_OTHER : bad("%s", err.msg);
    if (d->ser.n < 2)
        return bad("%s: fewer than two samples", o->trace);
    d->step = native_step(&d->ser);
    if (o->step_s) {
        as_time want;
        if (as_parse_duration(o->step_s, &want, &err) != AS_OK || want <= 0)
            return bad("--step: '%s' is not a positive duration", o->step_s);
        d->step = want;
    }
    if (d->step <= 0)
        return bad("%s: cannot tell the spacing of the samples", o->trace);
    d->season_t = 0;
    if (strcmp(o->season_s, "0") != 0 && strcmp(o->season_s, "none") != 0 &&
        (as_parse_duration(o->season_s, &d->season_t, &err) != AS_OK || d->season_t < 0))
        return bad("--season: '%s' is not a duration", o->season_s);
    if (d->season_t % d->step != 0)
        return bad("--season must be a whole number of steps (%s)", o->season_s);
    int rc = regrid(&d->ser, d->step, &d->y, &d->n);
    if (rc != EXIT_OK)
        return rc;
    d->m = (size_t)(d->season_t / d->step);
    size_t n = d->n;
    d->start = o->start_opt > 0 ? (size_t)o->start_opt : (d->m ? 7 * d->m : n / 2);
    if (o->start_opt <= 0 && d->start > n / 2)
        d->start = n / 2;
    if (d->start + (size_t)o->horizon > n)
        return bad("%s: the trace is too short for these origins and horizon", o->trace);
    /* MASE's scale is the in-sample seasonal naive; when the history before
     * the first origin holds no whole season (a one-day trace with a daily
     * season), the in-sample naive instead, and the header says so: a
     * silent NAN helps no one. */
    d->mscale = d->m > 1 && d->start > d->m ? d->m : 1;
    /* nor when the seasonal naive is exact there: its scale of rounding
     * errors made every MASE 1e14 */
    d->exact = d->mscale > 1 && seasonal_exact(d->y, d->start, d->m);
    if (d->exact)
        d->mscale = 1;
    d->flat = d->mscale == 1 && seasonal_exact(d->y, d->start, 1);
    return EXIT_OK;
}

/* The cost of reading the clock, subtracted from every timing: the least
 * over 20 batches, since a batch during which the process was descheduled
 * reads far too long (one batch of 1000 did, on a loaded machine, and
 * every timing came out negative). */
static double clock_cost(void)
{
    double clock_ns = INFINITY;
    for (int r = 0; r < 20; r++) {
        double c0 = now_ns();
        for (int i = 0; i < 100; i++)
            (void)now_ns();
        clock_ns = fmin(clock_ns, (now_ns() - c0) / 101.0);
    }
    return clock_ns;
}

static void print_header(const fc_opts *o, const fc_data *d, const char *stepbuf)
{
    if (o->csv) {
        printf("forecaster,mae,mase,smape,coverage,under_share,ns_update,ns_forecast,origins\n");
        return;
    }
    size_t gaps = 0;
    for (size_t i = 0; i < d->n; i++)
        gaps += !isfinite(d->y[i]);
    char seasbuf[32];
    as_duration_format(d->season_t, seasbuf, sizeof seasbuf);
    printf("# %s: %zu steps of %s (%zu gaps), season %s (%zu steps), horizon %ld, "
           "origins from %zu every %ld, interval %.0f%%\n",
           o->trace, d->n, stepbuf, gaps, seasbuf, d->m, o->horizon, d->start, o->stride,
           o->coverage * 100);
    if (d->flat)
        printf("# MASE scale: in-sample naive; the %zu steps before the first origin are "
               "constant: no scale until the trace moves (nan if it never does)\n",
               d->start);
    else if (d->exact)
        printf("# MASE scale: in-sample naive (the seasonal naive is exact on the %zu steps "
               "before the first origin: a trace without noise)\n",
               d->start);
    else if (d->m > 1 && d->mscale == 1)
        printf("# MASE scale: in-sample naive (the %zu steps before the first origin hold "
               "no whole season)\n",
               d->start);
    else
        printf("# MASE scale: in-sample %s naive\n", d->mscale > 1 ? "seasonal" : "(lag 1)");
    printf("# ns/update includes computing the %ld-step path; ns/forecast is the read\n",
           o->horizon);
    printf("%-40s %10s %7s %7s %7s %7s %10s %10s\n", "forecaster", "MAE", "MASE", "sMAPE",
           "cover", "under", "ns/update", "ns/fcast");
}

static void print_row(const fc_opts *o, const char *spec, const score *sc)
{
    double mae = sc->nerr ? sc->abs_sum / sc->nerr : NAN;
    double mase = sc->norigins ? sc->mase_sum / sc->norigins : NAN;
    double smape = sc->nsmape ? sc->smape_sum / sc->nsmape : NAN;
    double cover = sc->nerr ? (double)sc->ncover / sc->nerr : NAN;
    double under = sc->nerr ? (double)sc->nunder / sc->nerr : NAN;
    double nu = sc->nupd ? sc->upd_ns / sc->nupd : NAN, nf = sc->nfc ? sc->fc_ns / sc->nfc : NAN;
    if (o->csv)
        /* quoted: a spec may hold a comma (means=15,30,60) */
        printf("\"%s\",%.6g,%.6g,%.6g,%.6g,%.6g,%.1f,%.1f,%ld\n", spec, mae, mase, smape, cover,
               under, nu, nf, sc->nfc);
    else
        printf("%-40s %10.4g %7.3f %7.2f %7.3f %7.3f %10.0f %10.0f\n", spec, mae, mase, smape,
               cover, under, nu, nf);
    fflush(stdout);
}

/* Evaluates every spec in turn and prints its row (or the line saying why
 * it was skipped); the errors by horizon go to hz_abs / hz_n. */
static int run_table(const fc_opts *o, const fc_spec *specs, int nspec, const fc_data *d,
                     const as_forecast_common *common, double *hz_abs, long *hz_n)
{
    double clock_ns = clock_cost();
    double *buf = malloc(3 * (size_t)o->horizon * sizeof *buf);
    if (buf == NULL)
        return EXIT_OTHER;
    int rc = EXIT_OK;
    for (int k = 0; k < nspec; k++) {
        score sc = {.hz_abs = hz_abs + (size_t)k * (size_t)o->horizon,
                    .hz_n = hz_n + (size_t)k * (size_t)o->horizon,
                    .buf = buf};
        char why[600], note[300];
        as_forecaster *f = make(&specs[k], common, d->n, d->start, &rc, why, sizeof why, note,
                                sizeof note);
        if (rc == EXIT_SKIP) {
            /* one line, and the table goes on */
            if (o->csv)
                fprintf(stderr, "simrun forecast: skipped %s: %s\n", specs[k].spec, why);
            else
                printf("%-40s skipped: %s\n", specs[k].spec, why);
            rc = EXIT_OK;
            continue;
        }
        if (f == NULL)
            break;
        if (note[0] && !o->csv)
            printf("# note: %s\n", note);
        evaluate(f, common, d->y, d->n, d->ser.t[0], d->start, (size_t)o->stride, d->mscale,
                 clock_ns, &sc);
        as_forecaster_free(f);
        print_row(o, specs[k].spec, &sc);
    }
    free(buf);
    return rc;
}

int cmd_forecast(int argc, char **argv)
{
    fc_opts o;
    if (parse_args(argc, argv, &o) != EXIT_OK)
        return EXIT_INPUT;
    if (o.help) {
        print_usage();
        return EXIT_OK;
    }
    fc_spec specs[MAX_KINDS];
    int nspec = 0;
    if (list_specs(o.list, specs, &nspec) != EXIT_OK)
        return EXIT_INPUT;
    fc_data d = {0};
    double *hz_abs = NULL;
    long *hz_n = NULL;
    int rc = prepare(&o, &d);
    if (rc != EXIT_OK)
        goto out;
    as_forecast_common common = {.step = d.step,
                                 .season = (int)d.m,
                                 .max_horizon = (int)o.horizon,
                                 .coverage = o.coverage,
                                 .nonneg = never_negative(d.y, d.n)};
    for (int k = 0; k < nspec; k++)
        if ((rc = build_cfg(&specs[k], o.window)) != EXIT_OK)
            goto out;
    char stepbuf[32];
    as_duration_format(d.step, stepbuf, sizeof stepbuf);
    print_header(&o, &d, stepbuf);
    hz_abs = calloc((size_t)nspec * (size_t)o.horizon, sizeof *hz_abs);
    hz_n = calloc((size_t)nspec * (size_t)o.horizon, sizeof *hz_n);
    if (hz_abs == NULL || hz_n == NULL) {
        rc = EXIT_OTHER;
        goto out;
    }
    rc = run_table(&o, specs, nspec, &d, &common, hz_abs, hz_n);
    if (rc == EXIT_OK && o.plot_dir)
        rc = plot_by_horizon(o.plot_dir, o.force, o.trace, specs, nspec, (int)o.horizon, hz_abs,
                             hz_n, stepbuf);
out:
    free(hz_abs);
    free(hz_n);
    for (int k = 0; k < nspec; k++)
        free(specs[k].cfg);
    free(d.y);
    tr_series_free(&d.ser);
    return rc;
}
