/* test_conformal.c - the conformal intervals and tails of the forecaster
 * kinds (core/forecast/fc_conf.c, through fc_track) against a
 * straightforward reference written here: per horizon, a window of the
 * last 500 scaled residuals, copied and sorted (qsort) at every read, its
 * quantile ranks and suffix sums computed from scratch, and the tracking
 * offsets of the interval's ends (fc_conf.h) restated from their rule. fc_conf keeps the
 * windows sorted incrementally, searches them through a sampled summary
 * and caches the quantile ranks, the scale and part of the suffix sums;
 * every interval bound and every tail must be the same bits as the
 * reference's, over random residual streams that wrap the window several
 * times, with gaps and with many ties. `naive` is the kind under test: its
 * path (the last value at every horizon) is easy to restate here. */
#include "as_forecast.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RW 500    /* the window of fc_conf.h (FC_CONF_WINDOW) */
#define RMIN 20   /* residuals a horizon needs (FC_CONF_MIN) */
#define RH 10     /* horizons */
#define COV 0.9

#define LCAP 256     /* FC_LONG_CAP */
#define LSPAN 10000L /* FC_LONG_SPAN */

/* The long memory of one horizon, as fc_conf_long.c keeps it: entries in
 * arrival order with the count of residuals seen when each came. */
typedef struct {
    double v[LCAP];
    long at[LCAP];
    int n, head;
    long seen, since, lost;
    double thr;
} ref_long;

typedef struct {
    double ring[RH][RW];
    int n[RH], head[RH];
    ref_long lg[RH];
    double last;       /* last finite observation */
    long upd, first;   /* updates so far; first origin with a path (-1) */
    double path[RH];   /* naive's path of origin k: path[k % RH] (flat) */
    double level_sum;
    long level_n;
    double dlo[RH], dhi[RH];     /* the ends' tracking offsets */
    double issued[RH][RH][2];    /* [k % RH][j]: the offsets origin k stood at */
} ref_conf;

static double ref_scale(const ref_conf *R, double yhat)
{
    double floor = R->level_n ? 0.001 * R->level_sum / (double)R->level_n : 0.0;
    double v = fabs(yhat) + floor;
    return v > 0 && isfinite(v) ? sqrt(v) : 1.0;
}

static void ref_long_expire(ref_long *L)
{
    while (L->n > 0 && L->seen - L->at[(L->head - L->n + LCAP) % LCAP] >= LSPAN)
        L->n--;
}

static void ref_long_add(ref_long *L, double r)
{
    L->seen++;
    if (!(r > L->thr))
        return;
    ref_long_expire(L);
    if (L->n == LCAP) {
        L->lost = L->at[(L->head - L->n + LCAP) % LCAP];
        L->n--;
    }
    L->v[L->head] = r;
    L->at[L->head] = L->seen;
    L->head = (L->head + 1) % LCAP;
    L->n++;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The share of the span's residuals above t and their excess per residual
 * (summed from the largest down, as the suffix sums are). */
static double ref_long_share(ref_long *L, double t, double u, int nwin, double *excess)
{
    *excess = 0;
    if (L->thr == INFINITY)
        L->since = L->seen;
    L->thr = u;
    ref_long_expire(L);
    if (L->n == 0)
        return 0;
    static double v[LCAP];
    for (int i = 0; i < L->n; i++)
        v[i] = L->v[(L->head - L->n + i + LCAP) % LCAP];
    qsort(v, (size_t)L->n, sizeof *v, cmp_dbl);
    long from = L->since > L->lost ? L->since : L->lost;
    if (L->seen - from > LSPAN)
        from = L->seen - LSPAN;
    double span = (double)(L->seen - from > nwin ? L->seen - from : nwin);
    int k = 0;
    while (k < L->n && v[k] <= t)
        k++;
    /* the entries above t must span more than a window (two spells) */
    long amin = LONG_MAX, amax = LONG_MIN;
    for (int i = 0; i < L->n; i++) {
        int slot = (L->head - L->n + i + LCAP) % LCAP;
        if (L->v[slot] > t) {
            amin = L->at[slot] < amin ? L->at[slot] : amin;
            amax = L->at[slot] > amax ? L->at[slot] : amax;
        }
    }
    if (k == L->n || amax - amin <= RW)
        return 0;
    double suf = 0;
    for (int i = L->n - 1; i >= k; i--)
        suf = suf + v[i];
    *excess = (suf - (double)(L->n - k) * t) / span;
    return (double)(L->n - k) / span;
}

static int ref_sorted_j(const ref_conf *R, int j, double *s);
static void ref_ranks(int n, int *klo, int *khi);

/* The ends' tracking (fc_conf.h): r against the window's quantiles (before
 * r joins) moved by the offsets origin k stood at, in window widths; each
 * end steps a tenth of a width, out on a miss past it, in by plo otherwise. */
static void ref_track(ref_conf *R, int j, long k, double r)
{
    static double s[RW];
    int n = ref_sorted_j(R, j, s), klo, khi;
    ref_ranks(n, &klo, &khi);
    double plo = 0.5 - 0.5 * COV, w = s[khi] - s[klo];
    if (!(w > 0)) { /* no spread: the offsets go */
        R->dlo[j] = R->dhi[j] = 0;
        return;
    }
    double lo = s[klo] + R->issued[k % RH][j][0] * w, hi = s[khi] + R->issued[k % RH][j][1] * w;
    R->dhi[j] += 0.1 * ((r > hi) - plo);
    R->dlo[j] -= 0.1 * ((r < lo) - plo);
}

static void ref_update(ref_conf *R, double y)
{
    if (isfinite(y)) {
        R->last = y;
        R->level_sum += fabs(y);
        R->level_n++;
        for (int j = 0; j < RH; j++) {
            long k = R->upd - 1 - j;
            if (R->first < 0 || k < R->first)
                break;
            double yhat = R->path[k % RH];
            /* symmetric scale: the mean of the forecast's and the outcome's */
            double r = (y - yhat) / (0.5 * (ref_scale(R, yhat) + ref_scale(R, y)));
            if (!isfinite(r))
                continue;
            /* a difference of rounding (1e-9 of the sizes and the mean
             * level) is no error: stored as 0 */
            double mean = R->level_sum / (double)R->level_n;
            if (fabs(y - yhat) <= 1e-9 * (fabs(y) + fabs(yhat) + mean))
                r = 0.0;
            if (R->n[j] >= RMIN)
                ref_track(R, j, k, r);
            R->ring[j][R->head[j]] = r;
            R->head[j] = (R->head[j] + 1) % RW;
            if (R->n[j] < RW)
                R->n[j]++;
            ref_long_add(&R->lg[j], r);
        }
        if (R->first < 0)
            R->first = R->upd;
    }
    if (R->first >= 0)
        R->path[R->upd % RH] = R->last;
    for (int j = 0; j < RH; j++) {
        R->issued[R->upd % RH][j][0] = R->dlo[j];
        R->issued[R->upd % RH][j][1] = R->dhi[j];
    }
    R->upd++;
}

/* (value, arrival) order: the sorted window's, which keeps -0 and +0 (equal
 * to <) in the order they came. */
typedef struct {
    double v;
    int at;
} ref_item;

static int cmp_item(const void *a, const void *b)
{
    const ref_item *x = a, *y = b;
    return x->v < y->v ? -1 : x->v > y->v ? 1 : (x->at > y->at) - (x->at < y->at);
}

/* Horizon j's window sorted into s; its count. */
static int ref_sorted_j(const ref_conf *R, int j, double *s)
{
    static ref_item it[RW];
    int n = R->n[j], from = n == RW ? R->head[j] : 0;
    for (int i = 0; i < n; i++)
        it[i] = (ref_item){R->ring[j][(from + i) % RW], i};
    qsort(it, (size_t)n, sizeof *it, cmp_item);
    for (int i = 0; i < n; i++)
        s[i] = it[i].v;
    return n;
}

/* The window serving horizon h, sorted into s; its index, or -1. */
static int ref_sorted(const ref_conf *R, int h, double *s)
{
    int j = h - 1;
    while (j >= 0 && R->n[j] < RMIN)
        j--;
    if (j >= 0)
        ref_sorted_j(R, j, s);
    return j;
}

/* The ranks of the interval's quantiles among n sorted residuals. */
static void ref_ranks(int n, int *klo, int *khi)
{
    double plo = 0.5 - 0.5 * COV, phi = 0.5 + 0.5 * COV;
    int a = (int)floor(plo * (double)(n + 1)) - 1, b = (int)ceil(phi * (double)(n + 1)) - 1;
    *klo = a < 0 ? 0 : a > n - 1 ? n - 1 : a;
    *khi = b < 0 ? 0 : b > n - 1 ? n - 1 : b;
}

/* The outcome y whose residual against m (scale a, floor f) is r: for y
 * >= 0 the root of y - m = r (sqrt(y + f) + a) / 2, m + r a + r^2 / 4; below
 * the least residual of an outcome >= 0 the line through it with slope
 * sqrt f; a negative m mirrored (the same operations as fc_conf.c). */
static double ref_outcome(double m, double a, double r, double f)
{
    if (m < 0)
        return -ref_outcome(-m, a, -r, f);
    if (!(m + f > 0))
        return m + r * a;
    double u = a + 0.5 * r;
    if (u >= 0 && u * u >= f)
        return m + r * (a + 0.25 * r);
    return 2 * (u - sqrt(f)) * sqrt(f);
}

static bool ref_bounds(const ref_conf *R, int h, double *lo, double *hi)
{
    static double s[RW];
    int j = ref_sorted(R, h, s);
    if (j < 0)
        return false;
    int klo, khi;
    ref_ranks(R->n[j], &klo, &khi);
    /* the ends: the quantiles moved by the offsets, at their middle if crossed */
    double w = s[khi] - s[klo], qlo = s[klo] + R->dlo[j] * w, qhi = s[khi] + R->dhi[j] * w;
    if (qlo > qhi)
        qlo = qhi = 0.5 * (qlo + qhi);
    double m = R->last, a = ref_scale(R, m), wide = sqrt((double)h / (double)(j + 1));
    double f = R->level_n ? 0.001 * R->level_sum / (double)R->level_n : 0.0;
    *lo = ref_outcome(m, a, qlo * wide, f);
    *hi = ref_outcome(m, a, qhi * wide, f);
    /* as as_forecaster_predict: the interval holds the forecast (the
     * tracked ends of a biased forecaster's errors may both be above 0) */
    if (!isfinite(*lo) || *lo > m)
        *lo = m;
    if (!isfinite(*hi) || *hi < m)
        *hi = m;
    return true;
}

static double ref_tail(ref_conf *R, int h, double at_least, double x, double *excess)
{
    static double s[RW];
    *excess = 0;
    int j = ref_sorted(R, h, s);
    if (j < 0)
        return NAN;
    int n = R->n[j], k = 0;
    double m = R->last < at_least ? at_least : R->last;
    /* the threshold on the residuals' own symmetric scale (that of an
     * outcome x); the excess at the local scale of x */
    double wide = sqrt((double)h / (double)(j + 1)), sx = ref_scale(R, x);
    double sc = 0.5 * (ref_scale(R, m) + sx) * wide, t = (x - m) / sc;
    sx *= wide;
    if (sx < sc)
        sx = sc;
    if (!isfinite(t))
        return t > 0 ? 0.0 : 1.0;
    /* at or past the upper quantile: the exponential tail of the residuals
     * from it up, with their mean excess over it as the scale */
    double phi = 0.5 + 0.5 * COV;
    int qh = (int)ceil(phi * (double)(n + 1)) - 1;
    qh = qh < 0 ? 0 : qh > n - 1 ? n - 1 : qh;
    bool beyond = t >= s[qh];
    if (beyond)
        k = qh;
    else
        while (k < n && s[k] <= t)
            k++;
    double suf = 0;
    for (int i = n - 1; i >= k; i--)
        suf = suf + s[i];
    if (beyond) {
        int nt = n - qh;
        double beta = suf / (double)nt - s[qh];
        double exl, pl = ref_long_share(&R->lg[j], t, s[qh], n, &exl);
        if (!(beta > 0)) {
            *excess = exl * sx;
            return pl;
        }
        double p = (double)nt / (double)n * exp(-(t - s[qh]) / beta);
        *excess = fmax(p * beta, exl) * sx;
        return fmax(p, pl);
    }
    *excess = (suf - (double)(n - k) * t) * sx / (double)n;
    return (double)(n - k) / (double)n;
}

static uint64_t xs(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static double unif(uint64_t *s) { return (double)(xs(s) >> 11) * (1.0 / 9007199254740992.0); }

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* naive at 1 min steps, horizons 1..RH, coverage COV. */
static as_forecaster *new_naive(void)
{
    const as_forecaster_type *t = as_forecaster_type_find("naive");
    cr_assert_not_null(t);
    as_forecast_common c = {.step = 60 * AS_SEC, .max_horizon = RH, .coverage = COV};
    as_err err = {0};
    as_forecaster *f = as_forecaster_new(t, &c, NULL, &err);
    cr_assert_not_null(f, "%s", err.msg);
    return f;
}

/* Feed n observations from gen(), and after each compare every bound and,
 * every tail_every updates, a few tails (random horizons and thresholds,
 * some far out) with the reference: read at every update, the sorted copy
 * the tails read replays each update; every few, several; rarely, it is
 * rebuilt from the bins. Returns the number of comparisons made. */
static long run_stream(double (*gen)(uint64_t *, long), uint64_t seed, long n, int tail_every)
{
    as_forecaster *f = new_naive();
    static ref_conf R;
    memset(&R, 0, sizeof R);
    R.first = -1;
    for (int j = 0; j < RH; j++)
        R.lg[j].thr = INFINITY;
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    long compared = 0;
    for (long i = 0; i < n; i++) {
        double y = gen(&s, i);
        as_forecaster_update(f, (as_time)i * 60 * AS_SEC, y);
        ref_update(&R, y);
        double m[RH], lo[RH], hi[RH];
        as_forecaster_predict(f, RH, m, lo, hi);
        for (int h = 1; h <= RH; h++) {
            double rlo, rhi;
            if (!ref_bounds(&R, h, &rlo, &rhi))
                continue;
            cr_assert(same_bits(lo[h - 1], rlo) && same_bits(hi[h - 1], rhi),
                      "update %ld h=%d: [%.17g, %.17g], reference [%.17g, %.17g]", i, h,
                      lo[h - 1], hi[h - 1], rlo, rhi);
            compared++;
        }
        for (int q = 0; q < (i % tail_every == 0 ? 4 : 0); q++) {
            int h = 1 + (int)(xs(&s) % RH);
            double at_least = q == 3 ? R.last + 3 : -INFINITY;
            double x = R.last + (unif(&s) - 0.5) * (q == 2 ? 200 : 12);
            double e, re, p = as_forecaster_tail(f, h, at_least, x, &e);
            double rp = ref_tail(&R, h, at_least, x, &re);
            cr_assert(same_bits(p, rp) && same_bits(e, re),
                      "update %ld tail h=%d x=%.17g: P %.17g E %.17g, reference %.17g %.17g", i,
                      h, x, p, e, rp, re);
            compared++;
        }
    }
    as_forecaster_free(f);
    return compared;
}

/* Poisson-like counts around a moving level: continuous residuals, few ties. */
static double gen_noise(uint64_t *s, long i)
{
    double u1 = unif(s), u2 = unif(s);
    double z = sqrt(-2 * log(u1 > 1e-300 ? u1 : 1e-300)) * cos(6.283185307179586 * u2);
    double level = 300 + 200 * sin((double)i / 150);
    return level + sqrt(level) * z;
}

/* Small integers with runs, gaps and zeros: many equal residuals (every
 * y equal to the last gives 0; equal level steps give equal values). */
static double gen_ties(uint64_t *s, long i)
{
    if (i < 3 || unif(s) < 0.03)
        return NAN; /* gaps, the first before any observation */
    double u = unif(s);
    return u < 0.4 ? 2.0 : u < 0.55 ? 0.0 : (double)(xs(s) % 6);
}

Test(conformal, bounds_and_tails_match_a_sorted_window_on_noise)
{
    long k = run_stream(gen_noise, 1, 2600, 1);
    cr_expect_gt(k, 2600 * RH, "compared %ld", k);
    k = run_stream(gen_noise, 7, 2600, 5); /* replays of several updates */
    cr_expect_gt(k, 2500 * RH, "compared %ld", k);
    k = run_stream(gen_noise, 8, 2600, 37); /* rebuilds */
    cr_expect_gt(k, 2500 * RH, "compared %ld", k);
}

Test(conformal, bounds_and_tails_match_a_sorted_window_with_ties_and_gaps)
{
    for (uint64_t seed = 2; seed < 5; seed++) {
        long k = run_stream(gen_ties, seed, 1800, seed == 3 ? 29 : 1);
        cr_expect_gt(k, 1500 * RH, "seed %llu: compared %ld", (unsigned long long)seed, k);
    }
}

/* Values over 18 orders of magnitude, both signs, +0 and -0 and repeats:
 * residuals in the zero bin, across the grid and above it, -0 among the
 * zeros, the same bits leaving and entering (below the grid: gen_fine). */
static double gen_wide(uint64_t *s, long i)
{
    (void)i;
    double u = unif(s), sign = xs(s) & 1 ? -1.0 : 1.0;
    if (u < 0.15)
        return sign * 0.0;
    if (u < 0.3)
        return 5.0; /* repeats: a run of them scores 0 at every horizon */
    return sign * pow(10.0, -9 + 18 * unif(s));
}

Test(conformal, bounds_and_tails_match_a_sorted_window_across_magnitudes)
{
    for (uint64_t seed = 11; seed < 13; seed++) {
        long k = run_stream(gen_wide, seed, 1800, seed == 11 ? 1 : 13);
        cr_expect_gt(k, 1700 * RH, "seed %llu: compared %ld", (unsigned long long)seed, k);
    }
}

/* Tiny differences around one level: half 1e-6 of it (residuals below the
 * grid's 2^-20, most of the window in that one bin, selected by value),
 * half 1e-13 (rounding: stored as 0, as_fc_rounding); from step 600 to
 * 1300 rounding alone, a window of zeros that takes the tracking's
 * offsets away (fc_conf_bins.c, track), then both again. */
static double gen_fine(uint64_t *s, long i)
{
    bool flat = i >= 600 && i < 1300;
    return 5.0 + (!flat && unif(s) < 0.5 ? 5e-6 * unif(s) : 5e-13 * unif(s));
}

Test(conformal, bounds_and_tails_match_a_sorted_window_below_the_grid)
{
    long k = run_stream(gen_fine, 21, 1800, 3);
    cr_expect_gt(k, 1700 * RH, "compared %ld", k);
}

/* A series without noise, computed afresh at every step (the same value a
 * season later up to its last bits): seasonal_naive's errors are rounding,
 * stored as 0, so its interval is the forecast itself at every horizon,
 * and every outcome is that forecast up to rounding. Stored as they came
 * (1e-14 of the level), the interval was as wide as those bits and half the
 * outcomes fell outside it. */
Test(conformal, an_exact_forecast_has_an_interval_of_width_zero)
{
    const as_forecaster_type *t = as_forecaster_type_find("seasonal_naive");
    cr_assert_not_null(t);
    as_forecast_common c = {.step = 60 * AS_SEC, .season = 24, .max_horizon = RH,
                            .coverage = COV};
    as_err err = {0};
    as_forecaster *f = as_forecaster_new(t, &c, NULL, &err);
    cr_assert_not_null(f, "%s", err.msg);
    long wide = 0, rounded = 0, checked = 0;
    for (long i = 0; i < 24 * 60; i++) {
        double y = 300.0 + 170.0 * sin(6.283185307179586 * (double)i / 24.0 + 0.3);
        as_forecaster_update(f, (as_time)i * 60 * AS_SEC, y);
        if (i < 24 * 40)
            continue;
        double m[RH], lo[RH], hi[RH];
        as_forecaster_predict(f, RH, m, lo, hi);
        for (int h = 0; h < RH; h++) {
            double next = 300.0 + 170.0 * sin(6.283185307179586 * (double)(i + 1 + h) / 24.0 + 0.3);
            wide += !(lo[h] == m[h] && hi[h] == m[h]);
            rounded += next != m[h]; /* the bits differ: the case this is about */
            cr_assert(as_fc_rounding(next, m[h], 300.0), "h=%d: %.17g against %.17g", h + 1,
                      next, m[h]);
            checked++;
        }
    }
    as_forecaster_free(f);
    cr_expect_eq(wide, 0, "%ld of %ld intervals of width above 0", wide, checked);
    cr_expect_gt(rounded, checked / 20, "only %ld of %ld outcomes differ by rounding", rounded,
                 checked);
}

/* A burst of errors far beyond the window's spread, then calm again: a
 * series of noise about 1000, 40 steps of growth by 30 % a step (every
 * error of naive beyond all before it: a miss at each), then the noise
 * again. Once the burst has left the window, naive's interval must be as
 * wide as before it: the tracking's offsets are in window widths, so the
 * misses of the burst do not outlast it. Kept in the errors' units, the
 * burst's misses stepped by a tenth of the burst's width and left offsets
 * that thousands of calm steps could not take back (linreg on a 15-minute
 * cron trace held an upper end 1e8 above a load of 20 for a day). */
Test(conformal, an_interval_is_as_wide_after_a_burst_has_left_the_window)
{
    as_forecaster *f = new_naive();
    uint64_t s = 77;
    double before[RH] = {0}, after[RH] = {0};
    for (long i = 0; i < 3000; i++) {
        /* the sum of four uniforms: noise of sd 40 */
        double y = 1000.0 + 80.0 * (unif(&s) + unif(&s) + unif(&s) + unif(&s) - 2.0);
        if (i >= 600 && i < 640)
            y = 1000.0 * pow(1.3, (double)(i - 599));
        as_forecaster_update(f, (as_time)i * 60 * AS_SEC, y);
        if (i == 599 || i == 2999) {
            double m[RH], lo[RH], hi[RH];
            as_forecaster_predict(f, RH, m, lo, hi);
            for (int h = 0; h < RH; h++)
                (i == 599 ? before : after)[h] = hi[h] - lo[h];
        }
    }
    as_forecaster_free(f);
    for (int h = 0; h < RH; h++) {
        cr_expect(before[h] > 0 && isfinite(after[h]), "h=%d: widths %g, %g", h + 1, before[h],
                  after[h]);
        cr_expect_lt(after[h], 2.0 * before[h], "h=%d: %g wide after the burst, %g before",
                     h + 1, after[h], before[h]);
        cr_expect_gt(after[h], 0.5 * before[h], "h=%d: %g wide after the burst, %g before",
                     h + 1, after[h], before[h]);
    }
}
