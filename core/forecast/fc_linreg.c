/* fc_linreg.c - the `linreg` forecaster, the classic approach of the peers
 * (peers/classic_lr.py): ordinary least squares on lag values y(t-1..t-L),
 * rolling means of the previous w values (15/30/60 by default), hour of day
 * and day of week of t (as plain numbers, like the peer), and an intercept,
 * fitted on a sliding window of the last `window` points and refitted every
 * `refit` steps; the multi-step forecast is recursive (each prediction
 * becomes the next step's lag 1).
 * Least squares from running sums: update() adds the feature row of each
 * new observed target to n, sum x, sum y, sum x x^T and sum x y, and
 * subtracts the row that leaves the window (recomputed from the ring, the
 * same function on the same values, so it cancels what was added); every
 * `window` updates the sums are rebuilt from scratch so rounding cannot
 * drift. A refit centres the Gram matrix (G = Sxx - sx sx^T / n, the normal
 * equations of the centred columns, intercept excluded) and solves it:
 * O(p^2) per update, O(p^3) per refit whatever the window (the previous
 * code rebuilt and SVD'd the window's design matrix: O(window * p^2), 1.3 ms
 * at window 1000 against a few microseconds now).
 * Rank deficiency: a day-of-week column is constant inside a 100-minute
 * window; a rolling mean no longer than the lags is a combination of them;
 * near midnight hour and day of week are collinear. Normal equations or a
 * plain QR would return huge cancelling coefficients there. The solve
 * therefore (1) drops columns whose centred variance is nil (coefficient 0,
 * so a constant column has no effect when it changes in the forecast),
 * (2) scales the rest to unit variance, (3) tries a Cholesky factorisation
 * and accepts it if no pivot falls below FC_LS_PIVOT (well conditioned:
 * the unique solution, nothing to truncate), else (4) takes the pseudo-
 * inverse from a symmetric eigendecomposition, dropping eigenvalues below
 * max(tol^2, FC_LS_EIG_FLOOR) times the largest. Eigenvalues of G are the
 * squared singular values of the centred design, so this is the truncated
 * SVD's minimum-norm answer with the same tol, except that a Gram matrix
 * cannot resolve singular values below about sqrt(eps * cancellation) of
 * the largest: the floor treats those as zero instead of inverting
 * rounding noise (the SVD of the full design could keep them, at
 * O(window * p^2) per refit). The sums are kept about a shift (the level
 * of the series at the last rebuild) to limit that cancellation.
 * No allocation after create (the rows of the window, the sums, solver
 * scratch, the eigen workspace and the path scratch are sized there; the
 * cached rows take window * p doubles, as the design matrix did).
 * Time of day: t is taken as seconds since an epoch that is a Thursday at
 * 00:00 (the peer's convention for time_s = 0, the Unix epoch).
 * Gaps: a missing value is replaced in the history by the model's one-step
 * forecast (so lags stay defined) but is never used as a training target;
 * nor is a row whose inputs reach a stand-in more than `lags` steps into a
 * gap (a recursion of its own forecasts, drifted away from the traffic).
 * Why: after a gap of 6 hours on a daily cycle at 1 min such rows (60 of
 * them, features far from any real row's) bent the fit for the whole
 * window: the one-step error stayed 12x, 4.4x and 2x its usual for the
 * next three 6-hour blocks, and MASE over three days was 3.40 (1.13 for
 * the same trace with 5 % of its minutes missing at random, whose single
 * stand-ins are one-step forecasts and stay in). */
#include "fc_int.h"

#include <gsl/gsl_eigen.h>
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
     "singular values below tol * largest are dropped (rank deficiency; at least ~3e-6)"},
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

/* Numerical thresholds of the solve (see the header comment). All apply to
 * the centred Gram matrix scaled to unit diagonal.
 * FC_LS_CONST_REL: a column whose centred sum of squares is below this
 * share of its (shifted) sum of squares is constant up to the rounding of
 * Sxx - sx^2 / n: dropped, coefficient 0.
 * FC_LS_PIVOT: the smallest Cholesky pivot accepted. A pivot bounds the
 * smallest eigenvalue from above, so below it the matrix may be rank
 * deficient and the eigendecomposition decides; above it the condition
 * number is at most about q / FC_LS_PIVOT and the truncated SVD would not
 * truncate either (its cut is tol^2 = 1e-20 on this scale).
 * FC_LS_EIG_FLOOR: eigenvalues below this times the largest are rounding
 * noise of the Gram matrix (its entries carry errors of a few eps times
 * the cancellation in Sxx - sx sx^T / n, up to a few hundred for the
 * calendar columns), so they are dropped even if tol^2 is smaller: keeping
 * them would invert noise into huge cancelling coefficients. 1e-11 is
 * singular values below about 3e-6 of the largest. Measured on the peers'
 * trace, NASA and Wikipedia (windows 100 and 1000) and the tests' rank-
 * deficient cases: eigenvalues of exactly dependent columns come out at
 * 5e-15 or below, the smallest genuine ones at 4e-6 or above; the floor
 * sits between them by three decades either way. */
#define FC_LS_CONST_REL 1e-10
#define FC_LS_PIVOT 1e-9
#define FC_LS_EIG_FLOOR 1e-11


static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* Hour of day and day of week (Monday = 0) of time tk into x[0], x[1]. */
static void ls_calendar(as_time tk, double *x)
{
    int64_t sec = floor_div(tk, AS_SEC);
    x[0] = (double)((floor_div(sec, 3600) % 24 + 24) % 24);
    x[1] = (double)(((floor_div(sec, 86400) + 3) % 7 + 7) % 7);
}

/* Feature row for the value at lin[k] (its inputs lin[k-back .. k-1], their
 * prefix sums cs[], time tk) into x[0..p-1]: the path's row. */
static void ls_row(const fc_ls_state *s, const double *lin, const double *cs, int k, as_time tk,
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
    if (s->sp.calendar)
        ls_calendar(tk, x + j);
}

/* Training row of ring index i (i >= back, its inputs still in the ring)
 * into x[0..q-1], without the intercept: the lags, then the rolling sums
 * grown back from i - 1 through the windows in increasing order (one pass
 * of max window additions for all of them), then the calendar kept in the
 * ring. Called once per index, when it is written; the row is cached. */
static void ls_ring_row(const fc_ls_state *s, long i, double *x)
{
    const int lags = s->sp.lags, cap = s->cap;
    const double *y = s->y;
    int start = (int)((i - 1) % cap);
    int pos = start;
    for (int l = 0; l < lags; l++) {
        x[l] = y[pos];
        pos = pos ? pos - 1 : cap - 1;
    }
    pos = start;
    double acc = 0;
    int k = 0;
    for (int r = 0; r < s->sp.nmeans; r++) {
        int m = s->mord[r], w = s->sp.means[m];
        for (; k < w; k++) {
            acc += y[pos];
            pos = pos ? pos - 1 : cap - 1;
        }
        x[lags + m] = acc / w;
    }
    if (s->sp.calendar) {
        const unsigned char *cal = s->cal + 2 * (size_t)(i % cap);
        x[lags + s->sp.nmeans] = cal[0];
        x[lags + s->sp.nmeans + 1] = cal[1];
    }
}

static void ls_sums_clear(fc_ls_state *s)
{
    size_t q = (size_t)s->q;
    s->cnt = 0;
    s->sy = 0;
    memset(s->sx, 0, q * sizeof *s->sx);
    memset(s->sxy, 0, q * sizeof *s->sxy);
    memset(s->sxx, 0, q * q * sizeof *s->sxx);
}

/* Centre the sums about `level` (target, lag and mean columns) and the
 * calendar of ring index i. Only while the sums are empty. */
static void ls_sums_shift(fc_ls_state *s, long i, double level)
{
    int ny = s->sp.lags + s->sp.nmeans;
    s->yshift = level;
    for (int a = 0; a < ny; a++)
        s->shift[a] = level;
    if (s->sp.calendar) {
        const unsigned char *cal = s->cal + 2 * (size_t)(i % s->cap);
        s->shift[ny] = cal[0];
        s->shift[ny + 1] = cal[1];
    }
}

/* Add the row of ring index `in` and remove the row of `out` (-1: none)
 * in one pass over the sums, from the rows cached when their indices were
 * written: O(q^2). An absent row is a row of zeros, which changes nothing
 * exactly. */
static void ls_sums_step(fc_ls_state *s, long in, long out)
{
    const int q = s->q;
    double *xa = s->xr, *xb = s->xo, ya = 0, yb = 0;
    if (in >= 0) {
        size_t slot = (size_t)(in % s->cap);
        const double *r = s->rows + slot * (size_t)q;
        for (int j = 0; j < q; j++)
            xa[j] = r[j] - s->shift[j];
        ya = s->y[slot] - s->yshift;
        s->cnt++;
    } else {
        memset(xa, 0, (size_t)q * sizeof *xa);
    }
    if (out >= 0) {
        size_t slot = (size_t)(out % s->cap);
        const double *r = s->rows + slot * (size_t)q;
        for (int j = 0; j < q; j++)
            xb[j] = r[j] - s->shift[j];
        yb = s->y[slot] - s->yshift;
        s->cnt--;
    } else {
        memset(xb, 0, (size_t)q * sizeof *xb);
    }
    s->sy += ya - yb;
    const double *restrict pa = xa, *restrict pb = xb;
    double *restrict sx = s->sx, *restrict sxy = s->sxy;
    for (int j = 0; j < q; j++) {
        double aj = pa[j], bj = pb[j];
        sx[j] += aj - bj;
        sxy[j] += aj * ya - bj * yb;
        double *restrict row = s->sxx + (size_t)j * (size_t)q;
        for (int k = j; k < q; k++)
            row[k] += aj * pa[k] - bj * pb[k];
    }
}

/* Rebuild the sums from the window's cached rows, about the window's mean:
 * O(window * q^2), once every `window` updates, so the rounding of adds
 * and removes never piles up beyond one window's worth. */
static void ls_sums_rebuild(fc_ls_state *s)
{
    long lo = s->n - s->sp.window > s->back ? s->n - s->sp.window : s->back;
    ls_sums_clear(s);
    double level = 0;
    long cnt = 0;
    s->rlo = INFINITY;
    s->rhi = -INFINITY;
    for (long i = lo; i < s->n; i++)
        if (s->obs[i % s->cap]) {
            double v = s->y[i % s->cap];
            level += v;
            cnt++;
            s->rlo = v < s->rlo ? v : s->rlo;
            s->rhi = v > s->rhi ? v : s->rhi;
        }
    if (cnt == 0)
        return;
    ls_sums_shift(s, s->n - 1, level / (double)cnt);
    for (long i = lo; i < s->n; i++)
        if (s->train[i % s->cap])
            ls_sums_step(s, i, -1);
}

/* Solve g z = rhs in place for the m x m unit-diagonal matrix g (row
 * stride q, upper triangle) by Cholesky. False, with g and rhs spoiled,
 * if a pivot falls below FC_LS_PIVOT. O(m^3 / 6). */
static bool ls_solve_cholesky(double *g, int q, int m, double *rhs)
{
    for (int j = 0; j < m; j++) {
        double *gj = g + (size_t)j * (size_t)q;
        double d = gj[j];
        for (int k = 0; k < j; k++)
            d -= g[(size_t)k * (size_t)q + (size_t)j] * g[(size_t)k * (size_t)q + (size_t)j];
        if (!(d >= FC_LS_PIVOT))
            return false;
        d = sqrt(d);
        gj[j] = d;
        for (int i = j + 1; i < m; i++) {
            double v = gj[i];
            for (int k = 0; k < j; k++)
                v -= g[(size_t)k * (size_t)q + (size_t)j] * g[(size_t)k * (size_t)q + (size_t)i];
            gj[i] = v / d;
        }
    }
    /* R^T w = rhs, then R z = w, with R the upper factor */
    for (int i = 0; i < m; i++) {
        double v = rhs[i];
        for (int k = 0; k < i; k++)
            v -= g[(size_t)k * (size_t)q + (size_t)i] * rhs[k];
        rhs[i] = v / g[(size_t)i * (size_t)q + (size_t)i];
    }
    for (int i = m - 1; i >= 0; i--) {
        const double *gi = g + (size_t)i * (size_t)q;
        double v = rhs[i];
        for (int k = i + 1; k < m; k++)
            v -= gi[k] * rhs[k];
        rhs[i] = v / gi[i];
    }
    return true;
}

/* Minimum-norm solution of the m x m matrix in E (full, symmetric) and
 * rhs into rhs, dropping eigenvalues below cut times the largest:
 * O(m^3), about 25 us at m = 15 (GSL's tridiagonal QL), hence only when
 * the Cholesky fails. */
static bool ls_solve_eigen(fc_ls_state *s, int m, double cut, double *rhs)
{
    gsl_matrix_view E = gsl_matrix_submatrix(s->E, 0, 0, (size_t)m, (size_t)m);
    gsl_matrix_view V = gsl_matrix_submatrix(s->V, 0, 0, (size_t)m, (size_t)m);
    gsl_vector_view ev = gsl_vector_subvector(s->ev, 0, (size_t)m);
    if (gsl_eigen_symmv(&E.matrix, &ev.vector, &V.matrix, s->ew) != GSL_SUCCESS)
        return false;
    double lmax = 0;
    for (int k = 0; k < m; k++)
        lmax = fmax(lmax, gsl_vector_get(&ev.vector, (size_t)k));
    if (!(lmax > 0))
        return false;
    double *z = s->xr; /* free here: rows are not being summed */
    for (int i = 0; i < m; i++)
        z[i] = 0;
    for (int k = 0; k < m; k++) {
        double lk = gsl_vector_get(&ev.vector, (size_t)k);
        if (!(lk > cut * lmax))
            continue;
        double proj = 0;
        for (int i = 0; i < m; i++)
            proj += gsl_matrix_get(&V.matrix, (size_t)i, (size_t)k) * rhs[i];
        proj /= lk;
        for (int i = 0; i < m; i++)
            z[i] += proj * gsl_matrix_get(&V.matrix, (size_t)i, (size_t)k);
    }
    memcpy(rhs, z, (size_t)m * sizeof *rhs);
    return true;
}

/* Refit from the running sums (see the header comment): O(q^3), whatever
 * the window. Too few rows for the columns, or a non-finite answer: keep
 * the previous fit (or none). Centring: every column but the intercept and
 * the target, the intercept recovered from the means afterwards (what
 * scikit-learn's LinearRegression does). Why: a column that is constant in
 * the window (day of week inside 100 minutes, or 1000 minutes before
 * midnight) centres to zero and gets coefficient 0, so it has no effect
 * when it changes in the forecast. Uncentred, the minimum-norm solution
 * splits the level between the intercept and that column, and the forecast
 * jumps when the day changes (MASE 0.85 instead of 0.77 on the peers'
 * synthetic trace). */
static void ls_fit(fc_ls_state *s)
{
    if (s->cnt < (long)s->p + 2)
        return;
    const int q = s->q;
    const double n = (double)s->cnt;
    int m = 0;
    for (int a = 0; a < q; a++) {
        double saa = s->sxx[(size_t)a * (size_t)q + (size_t)a];
        double gaa = saa - s->sx[a] * s->sx[a] / n;
        if (gaa > FC_LS_CONST_REL * saa)
            s->act[m++] = a;
    }
    for (int u = 0; u < m; u++) {
        int a = s->act[u];
        const double *sa = s->sxx + (size_t)a * (size_t)q;
        s->dsc[u] = 1.0 / sqrt(sa[a] - s->sx[a] * s->sx[a] / n);
        s->rhs[u] = (s->sxy[a] - s->sx[a] * s->sy / n) * s->dsc[u];
    }
    for (int u = 0; u < m; u++) {
        int a = s->act[u];
        const double *sa = s->sxx + (size_t)a * (size_t)q;
        double *gu = s->g + (size_t)u * (size_t)q;
        gu[u] = 1.0;
        for (int v = u + 1; v < m; v++) {
            int b = s->act[v];
            gu[v] = (sa[b] - s->sx[a] * s->sx[b] / n) * s->dsc[u] * s->dsc[v];
        }
    }
    /* the eigen fallback needs the matrix and rhs the Cholesky overwrites */
    for (int u = 0; u < m; u++)
        for (int v = u; v < m; v++) {
            double guv = s->g[(size_t)u * (size_t)q + (size_t)v];
            gsl_matrix_set(s->E, (size_t)u, (size_t)v, guv);
            gsl_matrix_set(s->E, (size_t)v, (size_t)u, guv);
        }
    memcpy(s->rhs0, s->rhs, (size_t)m * sizeof *s->rhs0);
    bool ok = true;
    if (m > 0 && !ls_solve_cholesky(s->g, q, m, s->rhs)) {
        memcpy(s->rhs, s->rhs0, (size_t)m * sizeof *s->rhs);
        double tol2 = s->sp.tol * s->sp.tol;
        ok = ls_solve_eigen(s, m, tol2 > FC_LS_EIG_FLOOR ? tol2 : FC_LS_EIG_FLOOR, s->rhs);
    }
    /* coefficients into xr (scratch) first: keep the previous fit on failure */
    double *c = s->xr;
    for (int a = 0; a < q; a++)
        c[a] = 0;
    for (int u = 0; ok && u < m; u++) {
        c[s->act[u]] = s->rhs[u] * s->dsc[u];
        ok = isfinite(c[s->act[u]]);
    }
    double icpt = s->sy / n + s->yshift;
    for (int a = 0; ok && a < q; a++)
        icpt -= c[a] * (s->sx[a] / n + s->shift[a]);
    if (!ok || !isfinite(icpt))
        return; /* keep the previous fit (or none) */
    s->coef[0] = icpt;
    memcpy(s->coef + 1, c, (size_t)q * sizeof *c);
    s->fitted = true;
}

/* Unroll the last `len` ring values (oldest first) into lin and prefix sums. */
static void ls_unroll(fc_ls_state *s, int len)
{
    const double *y = s->y;
    double *lin = s->lin, *cs = s->cs, acc = 0;
    int cap = s->cap, pos = (int)((s->n - len) % cap); /* one division, not one per value */
    cs[0] = 0;
    for (int k = 0; k < len; k++) {
        lin[k] = y[pos];
        acc += y[pos];
        cs[k + 1] = acc;
        pos = pos + 1 < cap ? pos + 1 : 0;
    }
}

/* The recursive path of H steps into out: the last `back` values, then each
 * prediction appended as if observed. Falls back to the last value before
 * the first fit (or before `back` values exist). Each prediction is held
 * within the range of the observed values (of the window at the last
 * rebuild and every one since: the window's and at most one window more,
 * kept in O(1) an update), widened by that range's width on either side.
 * Why: a least-squares fit of lags and rolling means on few rows can make
 * a recursion that grows every step (on a trace of spikes every 15
 * minutes the first fits, 64 rows for 15 columns, forecast 1e9 ten steps
 * ahead for a load of 20-420, and ar likewise); no window's traffic
 * supports a path that far out, and its errors of 1e5 scales swamped the
 * error windows. A path inside the
 * bounds is left alone to the bit. */
static void ls_path(fc_ls_state *s, double *out)
{
    int H = s->tr.H;
    if (!s->fitted || s->n < s->back) {
        for (int j = 0; j < H; j++)
            out[j] = s->tr.last;
        return;
    }
    int b = s->back;
    ls_unroll(s, b);
    double wd = s->rhi - s->rlo, lo = s->rlo - wd, hi = s->rhi + wd;
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
        v = v < lo ? lo : v > hi ? hi : v;
        s->lin[k] = v;
        s->cs[k + 1] = s->cs[k] + v;
        out[j] = v;
    }
}

void fc_ls_fini(void *state)
{
    fc_ls_state *s = state;
    fc_track_fini(&s->tr);
    free(s->y);
    free(s->obs);
    free(s->train);
    free(s->t);
    free(s->cal);
    free(s->lin);
    free(s->cs);
    free(s->coef);
    free(s->shift);
    free(s->sx);
    free(s->sxx);
    free(s->sxy);
    free(s->rows);
    free(s->xr);
    free(s->xo);
    free(s->g);
    free(s->rhs);
    free(s->rhs0);
    free(s->dsc);
    free(s->act);
    if (s->E)
        gsl_matrix_free(s->E);
    if (s->V)
        gsl_matrix_free(s->V);
    if (s->ev)
        gsl_vector_free(s->ev);
    if (s->ew)
        gsl_eigen_symmv_free(s->ew);
}

int fc_ls_init(fc_ls_state *s, const as_forecast_common *c, const fc_ls_spec *spec, as_err *err)
{
    s->sp = *spec;
    s->step = c->step;
    s->rlo = INFINITY;
    s->rhi = -INFINITY;
    s->p = 1 + spec->lags + spec->nmeans + (spec->calendar ? 2 : 0);
    s->q = s->p - 1;
    s->back = spec->lags;
    for (int i = 0; i < spec->nmeans; i++) {
        if (spec->means[i] > s->back)
            s->back = spec->means[i];
        int r = i; /* insertion sort of the windows' order */
        for (; r > 0 && spec->means[s->mord[r - 1]] > spec->means[i]; r--)
            s->mord[r] = s->mord[r - 1];
        s->mord[r] = i;
    }
    if (spec->window < s->p + 2)
        return as_err_set(err, AS_EINVAL, "window %d is too short for %d regression columns",
                          spec->window, s->p);
    s->cap = spec->window + s->back;
    size_t cap = (size_t)s->cap, H = (size_t)c->max_horizon, p = (size_t)s->p, q = (size_t)s->q;
    s->y = calloc(cap, sizeof *s->y);
    s->obs = calloc(cap, 1);
    s->train = calloc(cap, 1);
    s->deep = -1 - (long)s->back; /* no stand-in yet */
    s->t = calloc(cap, sizeof *s->t);
    s->cal = calloc(2 * cap, 1);
    s->lin = calloc(cap + H, sizeof *s->lin);
    s->cs = calloc(cap + H + 1, sizeof *s->cs);
    s->coef = calloc(p, sizeof *s->coef);
    s->shift = calloc(q, sizeof *s->shift);
    s->sx = calloc(q, sizeof *s->sx);
    s->sxx = calloc(q * q, sizeof *s->sxx);
    s->sxy = calloc(q, sizeof *s->sxy);
    s->rows = calloc(cap * q, sizeof *s->rows);
    s->xr = calloc(q, sizeof *s->xr);
    s->xo = calloc(q, sizeof *s->xo);
    s->g = calloc(q * q, sizeof *s->g);
    s->rhs = calloc(q, sizeof *s->rhs);
    s->rhs0 = calloc(q, sizeof *s->rhs0);
    s->dsc = calloc(q, sizeof *s->dsc);
    s->act = calloc(q, sizeof *s->act);
    s->E = gsl_matrix_alloc(q, q);
    s->V = gsl_matrix_alloc(q, q);
    s->ev = gsl_vector_alloc(q);
    s->ew = gsl_eigen_symmv_alloc(q);
    /* on failure the caller's fini (fc_ls_fini) frees what was taken */
    return (s->y && s->obs && s->train && s->t && s->cal && s->lin && s->cs && s->coef &&
            s->shift && s->sx && s->sxx && s->sxy && s->rows && s->xr && s->xo && s->g && s->rhs &&
            s->rhs0 && s->dsc && s->act && s->E && s->V && s->ev && s->ew)
               ? fc_track_init(&s->tr, c, err)
               : as_err_set(err, AS_ENOMEM, "out of memory (regression window %d)",
                            spec->window);
}

void fc_ls_update(void *state, as_time t, double y)
{
    fc_ls_state *s = state;
    /* the one-step forecast of this index, the stand-in if y is missing */
    double f1 = NAN;
    if (s->tr.n > 0)
        f1 = s->tr.pend[(size_t)((s->tr.n - 1) % s->tr.H) * (size_t)s->tr.H];
    fc_track_observe(&s->tr, y);
    long i = s->n, out = i - s->sp.window; /* out: the row leaving the window */
    size_t slot = (size_t)(i % s->cap);
    bool ok = isfinite(y);
    /* a training row: an observed target whose inputs reach back to no
     * stand-in deeper than `lags` into a gap (s->deep) */
    bool add = ok && i >= s->back && s->deep < i - s->back;
    bool drop = out >= s->back && s->train[out % s->cap];
    s->gap_run = ok ? 0 : s->gap_run + 1;
    if (s->gap_run > s->sp.lags)
        s->deep = i;
    s->y[slot] = ok ? y : (isfinite(f1) ? f1 : s->tr.last);
    s->obs[slot] = ok;
    s->train[slot] = add;
    s->t[slot] = t;
    if (s->sp.calendar) {
        double hd[2];
        ls_calendar(t, hd);
        s->cal[2 * slot] = (unsigned char)hd[0];
        s->cal[2 * slot + 1] = (unsigned char)hd[1];
    }
    s->n++;
    if (ok) { /* the range the path is held in (ls_path) */
        s->rlo = y < s->rlo ? y : s->rlo;
        s->rhi = y > s->rhi ? y : s->rhi;
    }
    if (add) {
        ls_ring_row(s, i, s->rows + slot * (size_t)s->q);
        if (s->cnt == 0)
            ls_sums_shift(s, i, y);
    }
    if (add || drop)
        ls_sums_step(s, add ? i : -1, drop ? out : -1);
    if (drop && s->cnt == 0)
        ls_sums_clear(s); /* exact zeros again, and free to re-shift */
    if (s->n % s->sp.window == 0)
        ls_sums_rebuild(s);
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

static int init(void *state, const as_forecast_common *c, const void *cfg, as_err *err)
{
    const linreg_cfg *k = cfg;
    fc_ls_spec sp = {.lags = k->lags, .calendar = k->calendar, .window = k->window,
                     .refit = k->refit, .tol = k->tol};
    int rc = parse_means(k->means, &sp, err);
    return rc != AS_OK ? rc : fc_ls_init(state, c, &sp, err);
}

const as_forecaster_type as_fc_linreg = {
    .version = 1,
    .name = "linreg",
    .flags = 0,
    .state_size = sizeof(fc_ls_state),
    .config_size = sizeof(linreg_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fc_ls_fini,
    .init = init,
    .update = fc_ls_update,
    .forecast = fc_track_forecast_method,
    .tail = fc_track_tail_method,
};
