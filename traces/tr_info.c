/* tr_info.c - summary of a loaded series for `simrun trace info`: spacing,
 * rate statistics, gaps, zero runs, and the dominant period found by
 * autocorrelation.
 *
 * The period search averages the series into at most TR_ACF_BINS bins of a
 * "nice" width (1 min, 15 min, 1 h, ...) before the autocorrelation: that
 * bounds the O(B^2) sum at ~8M multiply-adds whatever the trace length (a
 * FFT would be O(n log n) on the raw samples, but binning also averages
 * out the Poisson noise of low-rate traces such as NASA-HTTP, which is what
 * makes the peaks stand out). */
#include "tr_trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TR_ACF_BINS 4096

static int cmp_time(const void *a, const void *b)
{
    as_time x = *(const as_time *)a, y = *(const as_time *)b;
    return (x > y) - (x < y);
}

/* Smallest nice width >= step that keeps the bin count <= TR_ACF_BINS. */
static as_time bin_width(as_time step, as_time duration)
{
    static const as_time nice[] = {
        AS_SEC,       5 * AS_SEC,   10 * AS_SEC,  15 * AS_SEC, 30 * AS_SEC, AS_MIN,
        2 * AS_MIN,   5 * AS_MIN,   10 * AS_MIN,  15 * AS_MIN, 30 * AS_MIN, AS_HOUR,
        2 * AS_HOUR,  3 * AS_HOUR,  6 * AS_HOUR,  12 * AS_HOUR, AS_DAY};
    for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++)
        if (nice[i] >= step && duration / nice[i] <= TR_ACF_BINS)
            return nice[i];
    as_time w = AS_DAY;
    while (w < step || duration / w > TR_ACF_BINS)
        w *= 2;
    return w;
}

/* One peak is only good to about a bin, and a weekly pattern skews it;
 * the peaks at 2P, 3P, ... pin P down much better: least squares of
 * lag_m = m * P through the origin. Returns P in bins. */
static double refine_period(const double *r, size_t k, size_t kmax)
{
    double num = 0, den = 0;
    for (size_t m = 1; m * k + 1 < kmax; m++) {
        size_t c = m * k, lo = c - k / 4, hi = c + k / 4, j = lo;
        if (hi + 1 >= kmax)
            hi = kmax - 2;
        for (size_t q = lo; q <= hi; q++)
            if (r[q] > r[j])
                j = q;
        if (j == lo || j == hi) /* no interior maximum near m * P */
            continue;
        double cv = r[j - 1] - 2 * r[j] + r[j + 1], d = 0;
        if (cv < 0)
            d = 0.5 * (r[j - 1] - r[j + 1]) / cv;
        num += (double)m * ((double)j + d);
        den += (double)m * (double)m;
    }
    return den == 0 ? (double)k : num / den;
}

/* The period on the autocorrelation r[0..kmax] of nb bins of width w. */
static void pick_period(const double *r, size_t nb, size_t kmax, as_time w, tr_series_info *o)
{
    /* Skip the lobe around lag 0: up to the first local minimum. */
    size_t k0 = 1;
    while (k0 < kmax && r[k0 + 1] < r[k0])
        k0++;
    /* Peaks: the largest value within +-max(1, k/4) lags; significant
     * when above the noise level of a white series (about 2/sqrt(nb)). */
    double floor_r = fmax(0.1, 3 / sqrt((double)nb)), best = 0;
    size_t cand[64], nc = 0;
    for (size_t k = k0 + 1; k < kmax && nc < 64; k++) {
        if (r[k] < floor_r)
            continue;
        size_t h = k / 4 > 1 ? k / 4 : 1;
        bool peak = true;
        for (size_t j = k > h ? k - h : 1; j <= k + h && j <= kmax && peak; j++)
            if (r[j] > r[k])
                peak = false;
        if (peak) {
            cand[nc++] = k;
            if (r[k] > best)
                best = r[k];
        }
    }
    /* A weekly cycle correlates at 7 d about as well as the daily one at
     * 1 d; the period a user means is the shortest peak close to the best. */
    for (size_t i = 0; i < nc; i++) {
        size_t k = cand[i];
        if (r[k] < 0.8 * best)
            continue;
        o->period = (as_time)llround(refine_period(r, k, kmax) * (double)w);
        o->period_acf = r[k];
        break;
    }
}

/* Find the period: bin, autocorrelate, pick the shortest strong peak. */
static int find_period(const tr_series *s, tr_series_info *o, as_err *err)
{
    as_time w = bin_width(o->step, o->duration);
    size_t nb = (size_t)((o->duration + w - 1) / w);
    o->acf_resolution = w;
    if (nb < 8)
        return AS_OK;
    double *x = calloc(nb, sizeof *x), *r = calloc(nb / 2 + 2, sizeof *r);
    size_t *cnt = calloc(nb, sizeof *cnt);
    if (!x || !r || !cnt) {
        free(x);
        free(r);
        free(cnt);
        return as_err_set(err, AS_ENOMEM, "trace info: out of memory");
    }
    for (size_t i = 0; i < s->n; i++) {
        size_t b = (size_t)((s->t[i] - s->t[0]) / w);
        if (b < nb) {
            x[b] += s->rate[i];
            cnt[b]++;
        }
    }
    /* Empty bins (gaps) get the mean: they add nothing to the covariance. */
    double mean = 0;
    size_t filled = 0;
    for (size_t b = 0; b < nb; b++)
        if (cnt[b]) {
            x[b] /= (double)cnt[b];
            mean += x[b];
            filled++;
        }
    mean /= (double)(filled ? filled : 1);
    double var = 0;
    for (size_t b = 0; b < nb; b++) {
        x[b] = cnt[b] ? x[b] - mean : 0;
        var += x[b] * x[b];
    }
    size_t kmax = nb / 2;
    if (var > 0) {
        for (size_t k = 0; k <= kmax + 1 && k < nb; k++) {
            double acc = 0;
            for (size_t i = 0; i + k < nb; i++)
                acc += x[i] * x[i + k];
            r[k] = acc / var;
        }
        pick_period(r, nb, kmax, w, o);
    }
    free(x);
    free(r);
    free(cnt);
    return AS_OK;
}

int tr_series_analyze(const tr_series *s, tr_series_info *o, as_err *err)
{
    memset(o, 0, sizeof *o);
    if (s->n == 0)
        return as_err_set(err, AS_EINVAL, "trace info: empty series");
    o->n = s->n;
    o->min = o->max = s->rate[0];
    double sum = 0;
    for (size_t i = 0; i < s->n; i++) {
        double v = s->rate[i];
        sum += v;
        o->min = fmin(o->min, v);
        o->max = fmax(o->max, v);
    }
    o->mean = sum / (double)s->n;
    if (s->n >= 2) {
        as_time *d = malloc((s->n - 1) * sizeof *d);
        if (d == NULL)
            return as_err_set(err, AS_ENOMEM, "trace info: out of memory");
        for (size_t i = 1; i < s->n; i++)
            d[i - 1] = s->t[i] - s->t[i - 1];
        qsort(d, s->n - 1, sizeof *d, cmp_time);
        o->step = d[(s->n - 1) / 2];
        free(d);
    } else {
        o->step = AS_SEC;
    }
    o->duration = s->t[s->n - 1] - s->t[0] + o->step;
    size_t run = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (i > 0) {
            as_time d = s->t[i] - s->t[i - 1];
            if (2 * d > 3 * o->step) {
                o->gaps++;
                o->gap_total += d - o->step;
                if (d - o->step > o->gap_longest) {
                    o->gap_longest = d - o->step;
                    o->gap_longest_at = s->t[i - 1] + o->step;
                }
            }
        }
        if (s->rate[i] == 0) {
            o->zeros++;
            run++;
            size_t first = i + 1 - run;
            as_time len = s->t[i] + o->step - s->t[first];
            if (len > o->zero_run_longest) {
                o->zero_run_longest = len;
                o->zero_run_at = s->t[first];
            }
        } else {
            run = 0;
        }
    }
    return find_period(s, o, err);
}
