/* fc_linreg.c - the `linreg` forecaster, the classic approach of the peers
 * (peers/classic_lr.py): ordinary least squares on lag values y(t-1..t-L),
 * rolling means of the previous w values (15/30/60 by default), hour of day
 * and day of week of t (as plain numbers, like the peer), and an intercept,
 * fitted on a sliding window of the last `window` points and refitted every
 * `refit` steps; the multi-step forecast is recursive (each prediction
 * becomes the next step's lag 1).
 * Least squares: gsl_multifit_linear_tsvd, a column-balanced SVD that drops
 * singular values below tol * s_max. That copes with the rank deficiency
 * the features produce (a day-of-week column is constant inside a 100-minute
 * window; a rolling mean no longer than the lags is a combination of them),
 * where normal equations or a plain QR would return huge cancelling
 * coefficients. Cost: O(window * p^2) per refit, O(H * (p + sum of mean
 * windows)) per update for the path; no allocation after create (the design
 * matrix, the SVD workspace and the path scratch are sized there).
 * Time of day: t is taken as seconds since an epoch that is a Thursday at
 * 00:00 (the peer's convention for time_s = 0, the Unix epoch).
 * Gaps: a missing value is replaced in the history by the model's one-step
 * forecast (so lags stay defined) but is never used as a training target. */
#include "fc_int.h"

#include <gsl/gsl_multifit.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
    int lags;
    char means[64];
    bool calendar;
    int window;
    int refit;
    double tol;
} linreg_cfg;

static const as_param_def params[] = {
    {"lags", AS_P_INT, offsetof(linreg_cfg, lags), 1, 256, NULL, 0, "lag features y(t-1..t-L)"},
    {"means", AS_P_STRING, offsetof(linreg_cfg, means), 0, 0, NULL, 64,
     "rolling-mean windows, comma separated (\"none\" for no means)"},
    {"calendar", AS_P_BOOL, offsetof(linreg_cfg, calendar), 0, 1, NULL, 0,
     "hour-of-day and day-of-week features"},
    {"window", AS_P_INT, offsetof(linreg_cfg, window), 8, 1000000, NULL, 0,
     "training points in the sliding window (the benchmark uses 100 and 1000)"},
    {"refit", AS_P_INT, offsetof(linreg_cfg, refit), 0, 1e9, NULL, 0,
     "steps between refits (0 = fit once)"},
    {"tol", AS_P_DOUBLE, offsetof(linreg_cfg, tol), 1e-15, 0.1, NULL, 0,
     "singular values below tol * largest are dropped (rank deficiency)"},
    {0},
};

static void defaults(void *cfg)
{
    linreg_cfg *c = cfg;
    memset(c, 0, sizeof *c);
    c->lags = 10;
    snprintf(c->means, sizeof c->means, "15,30,60");
    c->calendar = true;
    c->window = 1000;
    c->refit = 60;
    c->tol = 1e-10;
}

typedef struct {
    fc_track tr;
    fc_ls_spec sp;
    int p;          /* columns: 1 + lags + nmeans + 2*calendar */
    int back;       /* values a row reaches back: max(lags, mean windows) */
    int cap;        /* ring length: window + back */
    as_time step;
    long n;         /* updates so far */
    double *y;      /* ring: y[i % cap], gaps imputed */
    unsigned char *obs; /* ring: 1 if y[i] was observed (a usable target) */
    as_time *t;     /* ring: time of index i */
    double *lin;    /* scratch: the ring unrolled (cap) then the path (H) */
    double *cs;     /* scratch: prefix sums of lin (cap + H + 1) */
    double *coef;   /* p coefficients */
    double *xmean;  /* scratch: column means of a fit (p) */
    bool fitted;
    gsl_matrix *X, *cov;
    gsl_vector *yv, *c;
    gsl_multifit_linear_workspace *work;
} ls_state;

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* Feature row for the value at lin[k] (its inputs lin[k-back .. k-1], their
 * prefix sums cs[], time tk) into x[0..p-1]. */
static void ls_row(const ls_state *s, const double *lin, const double *cs, int k, as_time tk,
                   double *x)
{
    int j = 0;
    x[j++] = 1.0;
    for (int l = 1; l <= s->sp.lags; l++)
        x[j++] = lin[k - l];
    for (int i = 0; i < s->sp.nmeans; i++) {
        int w = s->sp.means[i];
        x[j++] = (cs[k] - cs[k - w]) / w;
    }
    if (s->sp.calendar) {
        int64_t sec = floor_div(tk, AS_SEC);
        x[j++] = (double)((floor_div(sec, 3600) % 24 + 24) % 24);
        x[j++] = (double)(((floor_div(sec, 86400) + 3) % 7 + 7) % 7); /* Monday = 0 */
    }
}

/* Unroll the last `len` ring values (oldest first) into lin and prefix sums. */
static void ls_unroll(ls_state *s, int len)
{
    long first = s->n - len;
    s->cs[0] = 0;
    for (int k = 0; k < len; k++) {
        s->lin[k] = s->y[(first + k) % s->cap];
        s->cs[k + 1] = s->cs[k] + s->lin[k];
    }
}

/* Refit on the observed targets of the last `window` indices whose inputs
 * exist. Too few rows for the columns: keep the previous fit (or none). */
static void ls_fit(ls_state *s)
{
    int len = s->n < s->cap ? (int)s->n : s->cap;
    ls_unroll(s, len);
    long first = s->n - len;
    size_t rows = 0;
    for (int k = s->back; k < len; k++) {
        long gi = first + k;
        if (!s->obs[gi % s->cap])
            continue;
        gsl_vector_view xr = gsl_matrix_row(s->X, rows);
        ls_row(s, s->lin, s->cs, k, s->t[gi % s->cap], xr.vector.data);
        gsl_vector_set(s->yv, rows, s->lin[k]);
        rows++;
    }
    if (rows < (size_t)s->p + 2)
        return;
    /* Centre every column but the intercept and the target, solve without
     * the intercept, then recover it from the means (what scikit-learn's
     * LinearRegression does). Why: a column that is constant in the window
     * (day of week inside 100 minutes, or 1000 minutes before midnight)
     * centres to zero and gets coefficient 0, so it has no effect when it
     * changes in the forecast. Uncentred, the minimum-norm solution splits
     * the level between the intercept and that column, and the forecast
     * jumps when the day changes (MASE 0.85 instead of 0.77 on the peers'
     * synthetic trace). */
    const size_t q = (size_t)s->p - 1;
    double ymean = 0;
    for (size_t r = 0; r < rows; r++)
        ymean += gsl_vector_get(s->yv, r);
    ymean /= (double)rows;
    for (size_t r = 0; r < rows; r++)
        gsl_vector_set(s->yv, r, gsl_vector_get(s->yv, r) - ymean);
    double *xmean = s->xmean;
    for (size_t j = 0; j < q; j++) {
        double mu = 0;
        for (size_t r = 0; r < rows; r++)
            mu += gsl_matrix_get(s->X, r, j + 1);
        mu /= (double)rows;
        xmean[j] = mu;
        for (size_t r = 0; r < rows; r++)
            gsl_matrix_set(s->X, r, j + 1, gsl_matrix_get(s->X, r, j + 1) - mu);
    }
    gsl_matrix_view Xv = gsl_matrix_submatrix(s->X, 0, 1, rows, q);
    gsl_vector_view yv = gsl_vector_subvector(s->yv, 0, rows);
    gsl_matrix_view cov = gsl_matrix_submatrix(s->cov, 0, 0, q, q);
    gsl_vector_view cv = gsl_vector_subvector(s->c, 0, q);
    double chisq;
    size_t rank;
    int rc = gsl_multifit_linear_tsvd(&Xv.matrix, &yv.vector, s->sp.tol, &cv.vector, &cov.matrix,
                                      &chisq, &rank, s->work);
    double icpt = ymean;
    bool ok = rc == GSL_SUCCESS;
    for (size_t j = 0; ok && j < q; j++) {
        double cj = gsl_vector_get(&cv.vector, j);
        ok = isfinite(cj);
        icpt -= cj * xmean[j];
    }
    if (!ok || !isfinite(icpt))
        return; /* keep the previous fit (or none) */
    s->coef[0] = icpt;
    for (size_t j = 0; j < q; j++)
        s->coef[j + 1] = gsl_vector_get(&cv.vector, j);
    s->fitted = true;
}

/* The recursive path of H steps into out: the last `back` values, then each
 * prediction appended as if observed. Falls back to the last value before
 * the first fit (or before `back` values exist). */
static void ls_path(ls_state *s, double *out)
{
    int H = s->tr.H;
    if (!s->fitted || s->n < s->back) {
        for (int j = 0; j < H; j++)
            out[j] = s->tr.last;
        return;
    }
    int b = s->back;
    ls_unroll(s, b);
    as_time tl = s->t[(s->n - 1) % s->cap];
    double x[1 + 256 + FC_LS_MAX_MEANS + 2];
    for (int j = 0; j < H; j++) {
        int k = b + j;
        ls_row(s, s->lin, s->cs, k, tl + (as_time)(j + 1) * s->step, x);
        double v = 0;
        for (int i = 0; i < s->p; i++)
            v += s->coef[i] * x[i];
        if (!isfinite(v))
            v = j ? s->lin[k - 1] : s->tr.last;
        s->lin[k] = v;
        s->cs[k + 1] = s->cs[k] + v;
        out[j] = v;
    }
}

void fc_ls_destroy(void *state)
{
    ls_state *s = state;
    if (s == NULL)
        return;
    fc_track_fini(&s->tr);
    free(s->y);
    free(s->obs);
    free(s->t);
    free(s->lin);
    free(s->cs);
    free(s->coef);
    free(s->xmean);
    if (s->X)
        gsl_matrix_free(s->X);
    if (s->cov)
        gsl_matrix_free(s->cov);
    if (s->yv)
        gsl_vector_free(s->yv);
    if (s->c)
        gsl_vector_free(s->c);
    if (s->work)
        gsl_multifit_linear_free(s->work);
    free(s);
}

int fc_ls_create(const as_forecast_common *c, const fc_ls_spec *spec, void **state, as_err *err)
{
    ls_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    s->sp = *spec;
    s->step = c->step;
    s->p = 1 + spec->lags + spec->nmeans + (spec->calendar ? 2 : 0);
    s->back = spec->lags;
    for (int i = 0; i < spec->nmeans; i++)
        if (spec->means[i] > s->back)
            s->back = spec->means[i];
    if (spec->window < s->p + 2) {
        fc_ls_destroy(s);
        return as_err_set(err, AS_EINVAL, "window %d is too short for %d regression columns",
                          spec->window, s->p);
    }
    s->cap = spec->window + s->back;
    size_t cap = (size_t)s->cap, H = (size_t)c->max_horizon, p = (size_t)s->p;
    s->y = calloc(cap, sizeof *s->y);
    s->obs = calloc(cap, 1);
    s->t = calloc(cap, sizeof *s->t);
    s->lin = calloc(cap + H, sizeof *s->lin);
    s->cs = calloc(cap + H + 1, sizeof *s->cs);
    s->coef = calloc(p, sizeof *s->coef);
    s->xmean = calloc(p, sizeof *s->xmean);
    s->X = gsl_matrix_alloc((size_t)spec->window, p);
    s->cov = gsl_matrix_alloc(p, p);
    s->yv = gsl_vector_alloc((size_t)spec->window);
    s->c = gsl_vector_alloc(p);
    s->work = gsl_multifit_linear_alloc((size_t)spec->window, p);
    int rc = (s->y && s->obs && s->t && s->lin && s->cs && s->coef && s->xmean && s->X && s->cov && s->yv &&
              s->c && s->work)
                 ? fc_track_init(&s->tr, c, err)
                 : as_err_set(err, AS_ENOMEM, "out of memory (regression window %d)",
                              spec->window);
    if (rc != AS_OK) {
        fc_ls_destroy(s);
        return rc;
    }
    *state = s;
    return AS_OK;
}

void fc_ls_update(void *state, as_time t, double y)
{
    ls_state *s = state;
    /* the one-step forecast of this index, the stand-in if y is missing */
    double f1 = NAN;
    if (s->tr.n > 0)
        f1 = s->tr.pend[(size_t)((s->tr.n - 1) % s->tr.H) * (size_t)s->tr.H];
    fc_track_observe(&s->tr, y);
    long i = s->n % s->cap;
    bool ok = isfinite(y);
    s->y[i] = ok ? y : (isfinite(f1) ? f1 : s->tr.last);
    s->obs[i] = ok;
    s->t[i] = t;
    s->n++;
    /* first fit once there are 4 rows per column (or the whole window, if
     * shorter), on the rows there are; then at every update count that is a
     * multiple of `refit`, a schedule fixed to the series rather than to the
     * first fit, so that runs with origins every `refit` steps (the peers
     * refit at each origin) fit exactly at the origins */
    long rows = s->n - s->back;
    long need = 4L * s->p < s->sp.window ? 4L * s->p : s->sp.window;
    if (rows >= need && (!s->fitted || (s->sp.refit > 0 && s->n % s->sp.refit == 0)))
        ls_fit(s);
    ls_path(s, fc_track_row(&s->tr));
    fc_track_commit(&s->tr);
}

void fc_ls_forecast(const void *state, int h, double *mean, double *lo, double *hi)
{
    const ls_state *s = state;
    fc_track_forecast(&s->tr, h, mean, lo, hi);
}

/* "15,30,60" -> windows; "none" or "" -> no means. */
static int parse_means(const char *str, fc_ls_spec *sp, as_err *err)
{
    sp->nmeans = 0;
    if (strcmp(str, "none") == 0 || str[0] == '\0')
        return AS_OK;
    const char *q = str;
    while (*q) {
        char *end;
        long w = strtol(q, &end, 10);
        if (end == q || w < 1 || w > 100000 || (*end != ',' && *end != '\0'))
            return as_err_set(err, AS_EINVAL, "key 'means': '%s' is not a list of windows", str);
        if (sp->nmeans == FC_LS_MAX_MEANS)
            return as_err_set(err, AS_EINVAL, "key 'means': at most %d windows", FC_LS_MAX_MEANS);
        sp->means[sp->nmeans++] = (int)w;
        q = *end ? end + 1 : end;
    }
    return AS_OK;
}

static int create(const as_forecast_common *c, const void *cfg, void **state, as_err *err)
{
    const linreg_cfg *k = cfg;
    fc_ls_spec sp = {.lags = k->lags, .calendar = k->calendar, .window = k->window,
                     .refit = k->refit, .tol = k->tol};
    int rc = parse_means(k->means, &sp, err);
    return rc != AS_OK ? rc : fc_ls_create(c, &sp, state, err);
}

const as_forecaster_type as_fc_linreg = {
    .version = 1,
    .name = "linreg",
    .config_size = sizeof(linreg_cfg),
    .params = params,
    .defaults = defaults,
    .create = create,
    .destroy = fc_ls_destroy,
    .update = fc_ls_update,
    .forecast = fc_ls_forecast,
};
