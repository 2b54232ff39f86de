/* fc_conf.h - split-conformal prediction intervals and tails from a window
 * of recent forecast errors, one window per horizon (not API: shared by the
 * kinds in core/forecast/ through fc_track, fc_int.h).
 * Owns: per horizon h = j + 1 (its counters and cursors in hz[j]), the
 * last FC_CONF_WINDOW scaled residuals
 * r = (y - yhat) / ((s(y) + s(yhat)) / 2) (0 where y - yhat is rounding:
 * as_fc_rounding, as_forecast.h), in arrival order (the ring),
 * binned (fc_conf_bins.c) and sorted (read by the tails),
 * where s(v) = sqrt(|v| + floor) and floor = FC_CONF_FLOOR times the mean
 * |y| seen so far (fc_conf_observe keeps that level and scores every
 * horizon against the caller's pending forecasts); per horizon the
 * tracking offsets of the interval's two ends, and per pending origin the
 * offsets it was given.
 * Invariant: the bins hold exactly the residuals of the ring, each bin's
 * in arrival order; the two quantile cursors of horizon j stand on the
 * bins holding ranks qlo and qhi, with the count of the bins below; the
 * sorted copy holds the ring's residuals as of lag[j] updates ago (those
 * updates logged; more than FC_CONF_LOG: rebuilt from the bins when read),
 * and among equal residuals the same order as a stable insertion after its
 * equals with removal of the first equal, i.e. by (value, arrival) (so every
 * read is bit-identical to sorting the window: tests/test_conformal.c checks
 * it against that reference; a quantile read from the bins selects in that
 * same order); floor is the floor of the observations seen; qlo/qhi are the
 * quantile ranks of n[j] residuals; the suffix sums of horizon j are valid
 * from index suf_from[j] up (n[j]: none); ready is set once every
 * horizon has FC_CONF_MIN residuals (n[j] never falls). No allocation after
 * fc_conf_init(); an update costs O(1) per horizon (amortized: a cursor
 * moves past empty bins through a bitmap), an interval is read in O(1)
 * (O(size of the quantile's bin) after a change there), a tail in O(log W)
 * after catching the sorted copy up (the tail's mean excess in O(n - k)
 * more the first time it reaches rank k after a change).
 * Must not: be included outside core/forecast/.
 *
 * Why conformal: the interval is the empirical (1 - c)/2 and (1 + c)/2
 * quantiles of the errors the forecaster really made at that horizon, so
 * its coverage holds whatever the model (the errors of a forecast of
 * request traffic are neither Gaussian nor of constant spread). The window
 * (rather than all history) lets it follow a change of regime; at 500 it
 * pins a 5 % tail to about +-1 %. Why sqrt scaling: arrivals are Poisson-
 * like, with a variance that grows with the level. On the NASA trace (1 min
 * steps, h = 1..10) the coverage of `ewma` in the lowest, middle and upper
 * third of forecast levels is 0.90/0.91/0.89 with it; for `auto`, windows
 * of unscaled errors gave 0.91/0.89/0.88 and of relative errors
 * 0.87/0.91/0.92 (tests/test_forecast.c checks the calibration at two
 * levels). The floor
 * only keeps a zero forecast from dividing by zero: at 0.1 % of the mean it
 * widens an interval at 2 % of the mean level by 2 %.
 * Why the error is scaled by the mean of the forecast's and the outcome's
 * scales: (y - yhat) / ((sqrt y + sqrt yhat) / 2) = 2 (sqrt y - sqrt yhat),
 * the error on the square-root scale (the variance-stabilising transform of
 * Poisson counts), which is what the sqrt scaling approximates near yhat.
 * Scaled by s(yhat) alone, an error made at a forecast near zero (a load
 * that comes back at once after an outage, or a flash crowd from a quiet
 * level) divides by the floor: on NASA x200, 0 -> 360 req/s was an error of
 * 850 scales, read at the usual level of 250 req/s as a chance of 13,000
 * req/s for the window's whole memory (500 steps), and the predictive
 * policy held 50 instances for four hours where 3 did. Symmetric, the
 * same error is 38 scales. For errors small against the level both scales
 * agree to first order, so the coverage is unchanged there. The bounds are
 * read back through the exact inverse of that map: the outcome whose
 * stored error would be the quantile, yhat + r s(yhat) + r^2 / 4 for yhat,
 * y >= 0 (fc_conf.c: outcome_of). Read as yhat + r s(yhat), as they were, a
 * stored error above the forecast stood for a smaller move than the one
 * that made it and one below for a larger: on the NASA trace (1 min steps,
 * rates 0-7 req/s, where errors are large against the level) the coverage
 * of seasonal_naive went from 0.862 to 0.880 and of naive from 0.892 to
 * 0.899 (ar: 0.897 -> 0.883; the mean distance from 0.90 over the nine
 * kinds 0.0088 -> 0.0071; Wikipedia 0.0241 -> 0.0237). Not taken: storing
 * 2 (sqrt y - sqrt yhat) itself: the same bounds, but the tail's mean
 * excess would need suffix sums of r^2 as well.
 * The tail P(y > x) is the share of residuals above (x - yhat) / ((s(x) +
 * s(yhat)) / 2): the residual an outcome x would have been stored as (the
 * map from y to r is increasing, so the event is the same), the forecast
 * distribution a cost-minimising policy plans with (a conformal predictive
 * distribution in the sense of Vovk et al.). Its mean excess is in units of
 * the larger of s(x) and the mean scale: y - x = (r - t)(sqrt y + sqrt x) / 2
 * exactly, whose factor is s(x) at y = x (above the forecast, y > x) and
 * the mean scale at y = yhat (below it, where s(x) alone made the excess
 * of a load far above x vanish: seasonal's cheapest run then let 44 % of
 * its windows fail). Read with s(yhat) alone, a rise of
 * 4x (100 -> 400: 20 stored scales) read 30 scales away: on NASA x200 the
 * tails the predictive policy planned with at boot time ahead were too thin
 * (chances of 0.001-0.01 came 3.0x as often as said; 2.1x with this read),
 * and its fronts moved (README, "The predictive policy"). At and
 * past the upper quantile u of the interval it is the exponential tail of
 * the residuals from u up (peaks over a threshold with the shape fixed at
 * 0; the scale is their mean excess over u, its maximum-likelihood
 * estimate): P = (their share) exp(-(t - u) / beta), E[(r - t)+] = P beta.
 * Why: the empirical tail is 0 past the window's largest residual, so a
 * planner weighing a violation at more than W times an instance's price (a
 * large risk) could not buy anything past it: the predictive policy's
 * fronts stopped at the same count from risk 10 up. The threshold is the
 * interval's own quantile, not a new constant; the exponential (not a
 * fitted GPD shape) because some 25 residuals cannot pin a shape. Past
 * the upper quantile the read also takes the long memory's share of larger
 * errors if it is larger (fc_conf_long.c: the window forgets a burst
 * after 500 errors). Not taken: a shape fitted by moments, limited to
 * lighter tails than the exponential ([-0.5, 0]): the fronts stopped short
 * (seasonal's least 720 s at 1.22x, nasa's 360 s), the exponential tail
 * being what buys the last violations away at a high risk.
 * The interval's ends are tracked (adaptive conformal inference, Gibbs
 * and Candes 2021, in the quantile-tracking form of Angelopoulos, Candes
 * and Tibshirani 2023): per horizon and end an offset d on the window's
 * quantile in units of the window's width w = qhi - qlo (dlo, dhi in
 * hz[j]; the end is the quantile + d w), moved at each residual r of
 * horizon j by FC_CONF_ETA (miss - (1 - c) / 2), outward for a miss, a
 * miss judged against the end the residual's origin was given: the
 * window's quantile now (before r joins) plus the offset recorded for
 * that origin (ilo, ihi: fc_conf_issue) times the width now.
 * Why: the window's quantiles cover c of errors that are exchangeable
 * over the window; a lagging forecaster's errors on a daily cycle with
 * little noise are not (they follow the cycle's slope, which swings for
 * hours, so while it steepens each new error is beyond most of the
 * window's), and the coverage fell to 0.72-0.77 (naive, ewma, ar on a
 * generated cycle: tests/test_forecast_coverage.c), 0.869 on Wikipedia
 * (seasonal_naive). The tracking holds each end's long-run share of misses
 * at (1 - c) / 2 whatever the errors do. Measured with `simrun forecast`
 * (nine kinds, 90 %): NASA 0.880-0.899 -> 0.898-0.903, Wikipedia
 * 0.869-0.949 -> 0.895-0.905, a generated 45-day cycle at 1 min
 * 0.770-0.900 -> 0.899-0.925 (above 0.9 where both ends' errors are of one
 * sign for hours: as_forecaster_predict widens the interval to hold the
 * forecast, and the other end then misses less than it is tracked to).
 * Judged against the ends as they stand when the residual is scored (no
 * record per origin), a cluster of misses was judged against ends already
 * widened by its first members, and Wikipedia's coverage fell to
 * 0.836-0.857. eta: a miss moves an end by 0.95 of a tenth of the width
 * and it takes 19 hits to undo it. Why in widths: the ends then move with
 * the errors' spread. Kept in the errors' units (a step of a tenth of the
 * width at the time), the misses of a burst of errors far beyond the
 * usual ones stepped by a tenth of the burst's width and outlived it:
 * linreg, whose recursion ran away on the first fits of a 15-minute cron
 * trace (errors of 1e4-1e5 scales against the usual 30), left offsets of
 * 2e4 scales that the calm's hits took back by 0.2 a step: its upper end
 * stood 1e8 above a load of 20 for the rest of the day, and the coverage
 * at h = 7 and 9 was 0.26 and 0.19 (0.69 over h = 1..10; in widths 0.898).
 * tests/test_conformal.c checks the width after such a burst. On the real
 * traces the nine kinds' coverage moved by 0.005 at most (NASA
 * 0.899-0.904, Wikipedia 0.894-0.907; auto 0.899 and 0.895). A window
 * without spread (qhi = qlo: an exact forecast's errors, all 0) sets both
 * offsets to 0: with a width of 0 an offset from before it stayed for
 * good, and would return with the spread (seasonal_naive on
 * a noiseless cycle kept an upper end 3.7 scales above its exact
 * forecast, its warm-up's, for the whole run).
 * The tails the planner reads keep the window alone. With the offsets on
 * the tails too the predictive policy's fronts (bench/fronts.sh) got worse
 * at every step size tried (eta = 0.025 / 0.1 / 0.4 x the width: NASA
 * cost at equal violation, median against the HPA, 0.942 / 0.962 / -
 * against 0.876 with the window alone; seasonal at the oracle's violation
 * 1.303x / 1.358x / 1.810x the oracle's cost against 1.298x): the
 * planner reads the tail far past the 5 % level the offset is tracked at,
 * where a shift multiplies the exponential tail by exp(d / beta). With the
 * intervals alone tracked (what the policy reads of them: the surprise
 * test and the scale-in margin) the fronts move by 0.5-2.5 % either way:
 * nasa cost at equal violation (min / median / max against the HPA)
 * 0.749 / 0.851 / 0.930 -> 0.746 / 0.846 / 0.918 and violation at equal
 * cost 0.272 / 0.353 / 0.611 -> 0.269 / 0.347 / 0.557; seasonal's
 * costliest point 420 s at 639.34 -> 480 s at 639.76 (median cost 0.709 ->
 * 0.727); sports-like 0.946 -> 0.958; wikipedia, flashcrowd, onoff,
 * social- and serverless-like within 1 % on cost. Cost: 700 instructions
 * more an update and a 10-step forecast of naive (3,670 -> 4,370:
 * callgrind, 10 horizons). */
#ifndef FC_CONF_H
#define FC_CONF_H

#include "as.h"
#include "as_forecast.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#define FC_CONF_WINDOW 500 /* residuals kept per horizon */
#define FC_CONF_MIN 20     /* residuals a horizon needs before its own quantiles */
#define FC_CONF_FLOOR 0.001 /* scale floor, as a share of the mean |y| */
#define FC_CONF_LOG 8      /* updates the sorted copy may lag before a rebuild */
#define FC_CONF_ETA 0.1    /* step of the interval ends' tracking, in window widths */
/* The bins: zero alone, then per sign |r| below 2^-FC_CONF_OCT, FC_CONF_SUB
 * bins per octave up to 2^FC_CONF_OCT, and the rest (fc_conf_bins.c). */
#define FC_CONF_OCT 20
#define FC_CONF_SUB_BITS 5
#define FC_CONF_NMAG (3 + 2 * FC_CONF_OCT * (1 << FC_CONF_SUB_BITS))
#define FC_CONF_NB (2 * FC_CONF_NMAG - 1)
#define FC_CONF_NBW ((FC_CONF_NB + 63) / 64)

typedef struct fc_conf_bin {
    uint16_t cnt;        /* residuals in the bin */
    int16_t first, last; /* its oldest and newest ring slot (-1: empty) */
} fc_conf_bin;

typedef struct fc_conf_cursor {
    int bin;      /* the bin holding the cursor's rank */
    int below;    /* the residuals in the bins below it */
    double v;     /* the residual of that rank, valid unless stale */
    int stale;
} fc_conf_cursor;

/* What one update of horizon j reads and writes besides the bins and the
 * ring, in one place (one or two cache lines a horizon, where nine arrays
 * indexed by j touched nine). */
typedef struct fc_conf_hz {
    int n, head;       /* residuals held, next ring slot */
    int qlo, qhi;      /* ranks of the plo and phi quantiles of n */
    int lag;           /* updates not in the sorted copy yet (> FC_CONF_LOG: rebuild) */
    int nneg0;         /* residuals that are -0 */
    fc_conf_cursor cur[2]; /* on ranks qlo (0) and qhi (1) */
    int sn;            /* residuals in the sorted copy */
    int suf_from;      /* lowest index whose suffix sum is valid */
    double dlo, dhi;   /* the interval ends' tracking offsets, in window widths */
} fc_conf_hz;

/* The long memory of large errors (fc_conf_long.c): per horizon the
 * residuals above the window's upper quantile over a longer span, which
 * the tail reads past that quantile. */
#define FC_LONG_CAP 256     /* entries per horizon */
#define FC_LONG_SPAN 10000L /* residuals it looks back over, at most */
typedef struct fc_conf_long_hz {
    int n, head;    /* entries held, next ring slot */
    long seen;      /* residuals seen */
    long since;     /* seen when the first threshold was set */
    long lost;      /* seen when the last entry dropped for room came */
    double thr;     /* residuals above it enter (INFINITY: none yet) */
    bool dirty;     /* the suffix sums are out of date */
} fc_conf_long_hz;
typedef struct fc_conf_long {
    long *at;       /* H x CAP: seen when each came, in arrival order */
    double *srt;    /* H x CAP: ascending */
    double *suf;    /* H x (CAP + 1): suffix sums of srt */
    long *sat;      /* H x CAP: the at of each sorted entry */
    long *smin, *smax; /* H x (CAP + 1): suffix least and greatest of sat */
    fc_conf_long_hz *hz;
} fc_conf_long;
int fc_conf_long_init(fc_conf_long *lg, int H);
void fc_conf_long_fini(fc_conf_long *lg);
/* r above the threshold of horizon j: it enters (fc_conf_long.c). */
void fc_conf_long_enter(fc_conf_long *lg, int j, double r);
/* A residual r of horizon j (finite). Inline: once per horizon and update,
 * and most residuals only count. */
static inline void fc_conf_long_add(fc_conf_long *lg, int j, double r)
{
    fc_conf_long_hz *z = lg->hz + j;
    z->seen++;
    if (r > z->thr)
        fc_conf_long_enter(lg, j, r);
}
/* The share of the span's residuals (at least nwin, the window's count)
 * above t, and *excess their excess over t per residual; sets the entry
 * threshold to u (the window's upper quantile). */
double fc_conf_long_share(const fc_conf_long *lg, int j, double t, double u, int nwin,
                          double *excess);

typedef struct fc_conf {
    int H;             /* horizons 1..H */
    int ready;         /* every horizon has FC_CONF_MIN residuals (then for good) */
    double plo, phi;   /* quantile levels (1 - c) / 2 and (1 + c) / 2 */
    fc_conf_hz *hz;    /* per horizon */
    double *ring;      /* H x W: residuals of horizon j in arrival order */
    /* the bins (fc_conf_bins.c): the quantiles the intervals read */
    uint16_t *rbin;    /* H x W: the bin of each ring slot */
    int16_t *next;     /* H x W: the next newer slot of the same bin (-1: none) */
    fc_conf_bin *bin;  /* H x FC_CONF_NB */
    uint64_t *used;    /* H x FC_CONF_NBW: bit b set while bin b is not empty */
    /* the sorted copy (fc_conf.c): the tails read it */
    double *sorted;    /* H x SW (W rounded up to whole blocks): ascending */
    double *samp;      /* H x SW / B: every B-th sorted value, the search's first step */
    double *suffix;    /* H x (W + 1): suffix sums of sorted (from suf_from up) */
    double *log;       /* H x FC_CONF_LOG x 2: their (leaving, entering); leaving NAN: none */
    double *ilo, *ihi; /* H rows x H, as pend: the offsets each origin's row was given */
    double level_sum;  /* sum of |y| of the observations seen */
    long level_n;      /* their number */
    double floor;      /* FC_CONF_FLOOR * level_sum / level_n (0 before any) */
    fc_conf_long lng;  /* the long memory of large errors */
} fc_conf;

/* Allocate for H horizons at central coverage c (0 < c < 1). AS_OK or
 * AS_ENOMEM; fc_conf_fini() frees a partial one. */
int fc_conf_init(fc_conf *cf, int H, double coverage, as_err *err);
void fc_conf_fini(fc_conf *cf);

/* An observation y (finite): its |y| joins the mean level. */
void fc_conf_level(fc_conf *cf, double y);
/* The scale of a forecast yhat: sqrt(|yhat| + floor). Inline: it is read
 * once per horizon per update and per read. */
static inline double fc_conf_scale(const fc_conf *cf, double yhat)
{
    double v = fabs(yhat) + cf->floor;
    /* a series of zeros: any positive scale will do, residuals are 0 */
    return v > 0 && isfinite(v) ? sqrt(v) : 1.0;
}
/* fc_conf_scale(yhat) with a one-entry memo: *memo_y, *memo_s hold the
 * last yhat and its scale (set *memo_y = NAN to start; valid while the
 * floor stays). Flat paths (naive, ewma) repeat yhat across the horizons
 * of a forecast, and a series that holds still across the origins scored;
 * the scale depends on |yhat| only, so -0 and +0 may share it. */
static inline double fc_conf_scale_memo(const fc_conf *cf, double yhat, double *memo_y,
                                        double *memo_s)
{
    if (yhat != *memo_y) {
        *memo_y = yhat;
        *memo_s = fc_conf_scale(cf, yhat);
    }
    return *memo_s;
}
/* Score observation y (finite) against the forecasts of the last nj
 * origins, in one loop over the horizons: horizon j + 1's forecast is
 * pend[r * H + j] where r is row for j = 0 and one row further back (mod H)
 * for each next j. Its |y| joins the mean level first. The error is
 * (y - yhat) / ((fc_conf_scale(yhat) + fc_conf_scale(y)) / 2). */
void fc_conf_observe(fc_conf *cf, double y, const double *pend, int row, int nj);

/* The origin of pend's row `row` is made: the offsets stand for it. */
static inline void fc_conf_issue(fc_conf *cf, int row)
{
    size_t at = (size_t)row * (size_t)cf->H;
    for (int j = 0; j < cf->H; j++) {
        cf->ilo[at + (size_t)j] = cf->hz[j].dlo;
        cf->ihi[at + (size_t)j] = cf->hz[j].dhi;
    }
}

/* The rank of the split-conformal quantile at level p of n residuals
 * (fc_conf.c). */
int fc_conf_rank(int n, double p);
/* The residual of rank qlo (which 0) or qhi (1) of horizon j, selected in
 * its bin and cached. */
double fc_conf_bins_select(const fc_conf *cf, int j, int which);
/* The window of horizon j in (value, arrival) order into s (n[j] values). */
void fc_conf_bins_sorted(const fc_conf *cf, int j, double *s);
/* The residual of rank qlo (which 0) or qhi (1) of horizon j (n[j] > 0). */
static inline double fc_conf_quant(const fc_conf *cf, int j, int which)
{
    const fc_conf_cursor *c = cf->hz[j].cur + which;
    return c->stale ? fc_conf_bins_select(cf, j, which) : c->v;
}

/* The ends of horizon j's interval as residuals: the window's quantiles
 * moved by the tracking offsets, or both at their middle if the offsets
 * crossed them (n[j] > 0). */
static inline void fc_conf_ends(const fc_conf *cf, int j, double *qlo, double *qhi)
{
    const fc_conf_hz *z = cf->hz + j;
    double q0 = fc_conf_quant(cf, j, 0), q1 = fc_conf_quant(cf, j, 1), w = q1 - q0;
    double a = q0 + z->dlo * w, b = q1 + z->dhi * w;
    if (a > b)
        a = b = 0.5 * (a + b);
    *qlo = a;
    *qhi = b;
}

/* Interval around yhat at horizon h (1 <= h), given the scale of yhat
 * (fc_conf_scale(cf, yhat)): the outcomes whose errors would be the
 * quantiles of the horizon's own residuals once it has FC_CONF_MIN, else of
 * the largest shorter horizon that has, widened by sqrt(h / its h). false
 * (lo, hi untouched) when none has. */
bool fc_conf_bounds_sc(const fc_conf *cf, int h, double yhat, double scale, double *lo,
                       double *hi);
/* The bounds of fc_conf_bounds_sc for horizons 1..h around the path
 * mean[0..h-1], in one loop, once cf->ready (every horizon then serves
 * itself: no search for a shorter one); the same bits. */
void fc_conf_bounds_path(const fc_conf *cf, int h, const double *mean, double *lo, double *hi);
/* P(y > x) at horizon h for a forecast yhat, and *excess = E[(y - x)+]:
 * empirical below the upper quantile, exponential from it up (see above);
 * NAN (excess 0) when no horizon up to h has FC_CONF_MIN residuals. */
double fc_conf_tail(const fc_conf *cf, int h, double yhat, double x, double *excess);

#endif
