/* fc_int.h - pieces shared by the forecaster kinds in core/forecast/ (not API).
 * Owns: fc_track, the per-horizon error tracker every kind uses for its
 * prediction intervals and tails (split-conformal, fc_conf.h), and the
 * precomputed forecast path.
 * Invariant: fc_track_row() values are made finite by fc_track_commit();
 * nothing here allocates after fc_track_init().
 * Must not: be included outside core/forecast/ and core/as_forecast.c. */
#ifndef FC_INT_H
#define FC_INT_H

#include "as_forecast.h"
#include "fc_conf.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Why empirical per-horizon errors instead of each model's analytic variance:
 * the analytic formulas assume the model is true (Gaussian ETS, white AR
 * noise); request traces are not, and the errors at h = 10 of a local model
 * grow faster than sqrt(h) on a daily ramp. Scoring the path each origin
 * really produced costs O(H) per update and H*H doubles of memory, and gives
 * every kind the same, honest interval: split-conformal quantiles of those
 * errors (fc_conf.h), which also give the tail P(y > x) that a cost-
 * minimising policy plans with. */

typedef struct fc_track {
    int H;          /* horizons tracked: 1..H */
    double z;       /* standard normal quantile of (1 + coverage) / 2: fallback width */
    double *pend;   /* H rows of H: pend[(k % H) * H + j] = path of origin k, h = j + 1 */
    long n;         /* origins committed so far (updates) */
    long first;     /* first origin committed after a finite observation (-1: none yet) */
    double last;    /* last finite observation (0 before any) */
    long nobs;      /* finite observations so far */
    double omean, om2; /* Welford mean / M2 of the observations: fallback width */
    bool nonneg;    /* floor the paths at 0 (as_forecast_common.nonneg) */
    fc_conf cf;     /* the errors, per horizon */
} fc_track;

/* Allocate for common->max_horizon horizons. Returns AS_OK or AS_ENOMEM. */
static inline int fc_track_init(fc_track *tr, const as_forecast_common *c, as_err *err)
{
    memset(tr, 0, sizeof *tr);
    tr->H = c->max_horizon;
    tr->first = -1;
    tr->nonneg = c->nonneg;
    tr->z = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * c->coverage);
    size_t h = (size_t)tr->H;
    tr->pend = calloc(h * h, sizeof *tr->pend);
    if (!tr->pend)
        return as_err_set(err, AS_ENOMEM, "out of memory for %d forecast horizons", tr->H);
    return c->no_intervals ? AS_OK : fc_conf_init(&tr->cf, tr->H, c->coverage, err);
}

static inline void fc_track_fini(fc_track *tr)
{
    free(tr->pend);
    fc_conf_fini(&tr->cf);
    memset(tr, 0, sizeof *tr);
}

/* Score the paths of the last H origins against observation y (call at
 * the start of update, before the state absorbs y). NAN scores nothing. */
static inline void fc_track_observe(fc_track *tr, double y)
{
    if (!isfinite(y))
        return;
    tr->last = y;
    tr->nobs++;
    double d = y - tr->omean;
    tr->omean += d / (double)tr->nobs;
    tr->om2 += d * (y - tr->omean);
    if (tr->cf.H == 0)
        return; /* no intervals asked for */
    /* origin k = n - 1 - j made the h = j + 1 forecast of y; none before
     * the first observation. Its row walks back through pend (no modulo
     * per horizon: a 64-bit division costs more than the rest of the loop) */
    long nj = tr->first < 0 ? 0 : tr->n - tr->first;
    if (nj > tr->H)
        nj = tr->H;
    int row = nj > 0 ? (int)((tr->n - 1) % tr->H) : 0;
    fc_conf_observe(&tr->cf, y, tr->pend, row, (int)nj);
}

/* The row the kind fills with its path (H values) for the origin being
 * committed; it overwrites the origin H back, already scored above. */
static inline double *fc_track_row(fc_track *tr)
{
    return tr->pend + (size_t)(tr->n % tr->H) * (size_t)tr->H;
}

/* Make the new row finite (a kind must not produce NAN; this is the last
 * line of defence: the last observation stands in), floor it at 0 for a
 * series that is never negative, and publish it. */
static inline void fc_track_commit(fc_track *tr)
{
    double *row = fc_track_row(tr);
    for (int j = 0; j < tr->H; j++) {
        if (!isfinite(row[j]))
            row[j] = tr->last;
        if (tr->nonneg && row[j] < 0)
            row[j] = 0;
    }
    if (tr->cf.H > 0)
        fc_conf_issue(&tr->cf, (int)(tr->n % tr->H));
    if (tr->first < 0 && tr->nobs > 0)
        tr->first = tr->n;
    tr->n++;
}

/* The path of the latest origin at horizon h (the last value before any). */
static inline double fc_track_mean(const fc_track *tr, int h)
{
    if (tr->n == 0 || h > tr->H)
        return tr->last;
    return tr->pend[(size_t)((tr->n - 1) % tr->H) * (size_t)tr->H + (size_t)(h - 1)];
}

/* The kind's forecast(): copy the path of the latest origin and put the
 * conformal interval around it; before a horizon (or a shorter one) has
 * FC_CONF_MIN errors, a normal interval of the spread of the observations
 * seen (zero width before two of them). */
static inline void fc_track_forecast(const fc_track *tr, int h, double *mean, double *lo,
                                     double *hi)
{
    if (tr->cf.ready && tr->n > 0) {
        /* every horizon has its own errors: no fallback width needed */
        const double *p = tr->pend + (size_t)((tr->n - 1) % tr->H) * (size_t)tr->H;
        int k = h < tr->H ? h : tr->H;
        memcpy(mean, p, (size_t)k * sizeof *mean);
        for (int i = k; i < h; i++)
            mean[i] = tr->last;
        fc_conf_bounds_path(&tr->cf, h, mean, lo, hi);
        return;
    }
    double sd = 0;
    if (tr->nobs >= 2) {
        double v = tr->om2 / (double)(tr->nobs - 1);
        sd = v > 0 && isfinite(v) ? sqrt(v) : 0.0;
    }
    /* the latest origin's row, found once (fc_track_mean per horizon
     * would divide by H each time) */
    const double *path = tr->n == 0 ? NULL
                                    : tr->pend + (size_t)((tr->n - 1) % tr->H) * (size_t)tr->H;
    double memo_y = NAN, memo_s = 0;
    for (int i = 0; i < h; i++) {
        double m = path && i < tr->H ? path[i] : tr->last;
        mean[i] = m;
        if (tr->cf.H == 0 ||
            !fc_conf_bounds_sc(&tr->cf, i + 1, m, fc_conf_scale_memo(&tr->cf, m, &memo_y, &memo_s),
                               &lo[i], &hi[i])) {
            lo[i] = m - tr->z * sd;
            hi[i] = m + tr->z * sd;
        }
    }
}

/* The forecast() method of every kind whose state begins with its
 * fc_track (declare the state with FC_TRACK_FIRST below): the path of the
 * latest origin with the tracked interval around it. One body for all of
 * them; a kind with another way to forecast writes its own method. */
static inline void fc_track_forecast_method(const void *state, int h, double *mean, double *lo,
                                            double *hi)
{
    fc_track_forecast((const fc_track *)state, h, mean, lo, hi);
}

/* P(y > x) h steps ahead, the forecast raised to at least `at_least`;
 * *excess = E[(y - x)+]. NAN when no horizon up to h has errors yet. */
static inline double fc_track_tail(const fc_track *tr, int h, double at_least, double x,
                                   double *excess)
{
    double m = fc_track_mean(tr, h);
    if (m < at_least)
        m = at_least;
    return fc_conf_tail(&tr->cf, h, m, x, excess);
}

/* The tail() method of the same kinds (as_forecaster_type.tail). */
static inline double fc_track_tail_method(const void *state, int h, double at_least, double x,
                                          double *excess)
{
    return fc_track_tail((const fc_track *)state, h, at_least, x, excess);
}

/* Put after a kind's state struct when its table uses
 * fc_track_forecast_method: the casts above need the track first. */
#define FC_TRACK_FIRST(state_type) \
    _Static_assert(offsetof(state_type, tr) == 0, #state_type ": the fc_track must come first")

/* Division that never divides by (nearly) zero: used by the multiplicative
 * models. Returns fallback when |b| is below tiny. */
static inline double fc_safe_div(double a, double b, double fallback)
{
    return fabs(b) > 1e-12 ? a / b : fallback;
}

/* Sliding-window least squares on lag / rolling-mean / calendar features,
 * the engine of `linreg` (fc_linreg.c) and `ar` (fc_ar.c: lags only).
 * Defined in fc_linreg.c; hidden from the library's users by fc_int.h. */
#define FC_LS_MAX_MEANS 8
typedef struct fc_ls_spec {
    int lags;                   /* lag features y(t-1) .. y(t-lags) */
    int nmeans;                 /* rolling means of the previous w values */
    int means[FC_LS_MAX_MEANS]; /* their windows w */
    bool calendar;              /* hour-of-day and day-of-week of t */
    int window;                 /* training rows (sliding) */
    int refit;                  /* steps between refits (0 = fit once) */
    double tol;                 /* relative singular value cut-off */
} fc_ls_spec;

/* The engine's state, the state_size of both kinds (its solver is
 * described in fc_linreg.c). */
typedef struct fc_ls_state {
    fc_track tr;    /* first: fc_track_forecast_method */
    fc_ls_spec sp;
    int p;          /* columns: 1 + lags + nmeans + 2*calendar */
    int q;          /* p - 1: the columns but the intercept */
    int back;       /* values a row reaches back: max(lags, mean windows) */
    int cap;        /* ring length: window + back */
    as_time step;
    long n;         /* updates so far */
    double *y;      /* ring: y[i % cap], gaps imputed */
    unsigned char *obs; /* ring: 1 if y[i] was observed */
    unsigned char *train; /* ring: 1 if row i is in the sums (fc_ls_update) */
    int gap_run;    /* consecutive stand-ins up to the last index */
    long deep;      /* the last index whose stand-in was more than lags into a gap */
    as_time *t;     /* ring: time of index i */
    unsigned char *cal; /* ring: hour of day and day of week of index i (2 each) */
    int mord[FC_LS_MAX_MEANS]; /* the mean windows' indices by increasing window */
    double *lin;    /* scratch: the last values unrolled, then the path (cap + H) */
    double *cs;     /* scratch: prefix sums of lin (cap + H + 1) */
    double *coef;   /* p coefficients, intercept first */
    bool fitted;
    double rlo, rhi; /* the least and greatest value observed in the window at
                      * the last rebuild and since (the path's bounds) */
    /* Running sums over the usable rows of the window: the rows of indices
     * max(back, n - window) .. n - 1 whose target was observed. Columns and
     * target are summed minus shift[] / yshift, the level at the last
     * rebuild, so that Sxx - sx sx^T / n does not cancel the level away. */
    long cnt;       /* rows in the sums */
    double yshift;  /* subtracted from the target (and the lag / mean columns) */
    double *shift;  /* q: subtracted from each column */
    double *sx;     /* q: sum of x */
    double sy;      /* sum of y */
    double *sxx;    /* q x q, upper triangle (a <= b): sum of x x^T */
    double *sxy;    /* q: sum of x y */
    double *rows;   /* ring: the feature row of index i (q each, unshifted), so
                     * the row leaving is subtracted as it was added */
    /* solver scratch */
    double *xr, *xo; /* q each: the rows entering and leaving, shifted */
    double *g;      /* q x q: the scaled centred Gram matrix, then its Cholesky factor */
    double *rhs;    /* q: scaled centred x y, then the solution */
    double *rhs0;   /* q: a copy of rhs for the fallback */
    double *dsc;    /* q: 1 / sqrt(G_jj) of each active column */
    int *act;       /* q: indices of the active (non-constant) columns */
    gsl_matrix *E, *V; /* q x q: the matrix and eigenvectors of the fallback */
    gsl_vector *ev;    /* q: eigenvalues */
    gsl_eigen_symmv_workspace *ew;
} fc_ls_state;
FC_TRACK_FIRST(fc_ls_state);

/* Fill a zeroed state for spec (AS_EINVAL for a window too short for the
 * columns, AS_ENOMEM); fc_ls_fini frees what it took, even on failure. */
int fc_ls_init(fc_ls_state *s, const as_forecast_common *c, const fc_ls_spec *spec, as_err *err);
void fc_ls_fini(void *state);
void fc_ls_update(void *state, as_time t, double y);

#endif
