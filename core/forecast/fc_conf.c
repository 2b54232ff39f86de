/* fc_conf.c - split-conformal residual windows per horizon (fc_conf.h).
 * Each horizon keeps its residuals twice: a ring in arrival order (to know
 * which one leaves) and a sorted array (quantiles and tails by binary
 * search). An update costs two binary searches and two memmoves of at most
 * W doubles per horizon; an order-statistics tree would make it O(log W)
 * but costs more than a 4 KB memmove at W = 500. */
#include "fc_conf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W FC_CONF_WINDOW

int fc_conf_init(fc_conf *cf, int H, double coverage, as_err *err)
{
    memset(cf, 0, sizeof *cf);
    cf->H = H;
    cf->plo = 0.5 - 0.5 * coverage;
    cf->phi = 0.5 + 0.5 * coverage;
    size_t h = (size_t)H;
    cf->ring = malloc(h * W * sizeof *cf->ring);
    cf->sorted = malloc(h * W * sizeof *cf->sorted);
    cf->suffix = malloc(h * (W + 1) * sizeof *cf->suffix);
    cf->n = calloc(h, sizeof *cf->n);
    cf->head = calloc(h, sizeof *cf->head);
    cf->dirty = calloc(h, sizeof *cf->dirty);
    if (!cf->ring || !cf->sorted || !cf->suffix || !cf->n || !cf->head || !cf->dirty)
        return as_err_set(err, AS_ENOMEM, "out of memory for the error windows of %d horizons",
                          H);
    return AS_OK;
}

void fc_conf_fini(fc_conf *cf)
{
    free(cf->ring);
    free(cf->sorted);
    free(cf->suffix);
    free(cf->n);
    free(cf->head);
    free(cf->dirty);
    memset(cf, 0, sizeof *cf);
}

void fc_conf_level(fc_conf *cf, double y)
{
    cf->level_sum += fabs(y);
    cf->level_n++;
}

double fc_conf_scale(const fc_conf *cf, double yhat)
{
    double floor = cf->level_n ? FC_CONF_FLOOR * cf->level_sum / (double)cf->level_n : 0.0;
    double v = fabs(yhat) + floor;
    /* a series of zeros: any positive scale will do, residuals are 0 */
    return v > 0 && isfinite(v) ? sqrt(v) : 1.0;
}

/* First index of sorted[0..n) whose value is > x (upper) or >= x. */
static int search(const double *s, int n, double x, bool upper)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (upper ? s[mid] <= x : s[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void fc_conf_add(fc_conf *cf, int j, double y, double yhat)
{
    double r = (y - yhat) / fc_conf_scale(cf, yhat);
    if (!isfinite(r))
        return;
    double *ring = cf->ring + (size_t)j * W, *s = cf->sorted + (size_t)j * W;
    int n = cf->n[j];
    if (n == W) {
        /* the oldest leaves and r takes its place: only the values between
         * the two positions move (a third of the window on average, where
         * a removal and an insertion would move all of it) */
        int a = search(s, n, ring[cf->head[j]], false);
        int b = search(s, n, r, true);
        if (b > a) {
            memmove(s + a, s + a + 1, (size_t)(b - 1 - a) * sizeof *s);
            s[b - 1] = r;
        } else {
            memmove(s + b + 1, s + b, (size_t)(a - b) * sizeof *s);
            s[b] = r;
        }
    } else {
        int k = search(s, n, r, true);
        memmove(s + k + 1, s + k, (size_t)(n - k) * sizeof *s);
        s[k] = r;
        cf->n[j] = n + 1;
    }
    ring[cf->head[j]] = r;
    cf->head[j] = (cf->head[j] + 1) % W;
    cf->dirty[j] = true;
}

/* The horizon whose residuals serve h (h - 1, or the largest shorter one
 * with enough), or -1. */
static int pick(const fc_conf *cf, int h)
{
    int j = h - 1 < cf->H ? h - 1 : cf->H - 1;
    while (j >= 0 && cf->n[j] < FC_CONF_MIN)
        j--;
    return j;
}

/* The split-conformal quantile at level p of n sorted residuals: the
 * ceil((n + 1) p)-th smallest for an upper level, floor for a lower one
 * (clamped to the sample), so that the interval covers at least c of
 * exchangeable errors. */
static double quantile(const double *s, int n, double p)
{
    double pos = p * (double)(n + 1);
    int k = p > 0.5 ? (int)ceil(pos) - 1 : (int)floor(pos) - 1;
    k = k < 0 ? 0 : k > n - 1 ? n - 1 : k;
    return s[k];
}

bool fc_conf_bounds(const fc_conf *cf, int h, double yhat, double *lo, double *hi)
{
    int j = cf->H ? pick(cf, h) : -1;
    if (j < 0)
        return false;
    const double *s = cf->sorted + (size_t)j * W;
    double sc = fc_conf_scale(cf, yhat) * sqrt((double)h / (double)(j + 1));
    *lo = yhat + quantile(s, cf->n[j], cf->plo) * sc;
    *hi = yhat + quantile(s, cf->n[j], cf->phi) * sc;
    return true;
}

double fc_conf_tail(const fc_conf *cf, int h, double yhat, double x, double *excess)
{
    *excess = 0;
    int j = cf->H ? pick(cf, h) : -1;
    if (j < 0)
        return NAN;
    const double *s = cf->sorted + (size_t)j * W;
    int n = cf->n[j];
    double *suf = cf->suffix + (size_t)j * (W + 1);
    if (cf->dirty[j]) { /* a cache: computed on the first tail after a change */
        suf[n] = 0;
        for (int k = n - 1; k >= 0; k--)
            suf[k] = suf[k + 1] + s[k];
        cf->dirty[j] = false;
    }
    double sc = fc_conf_scale(cf, yhat) * sqrt((double)h / (double)(j + 1));
    double t = (x - yhat) / sc;
    if (!isfinite(t))
        return t > 0 ? 0.0 : 1.0;
    int k = search(s, n, t, true);
    *excess = (suf[k] - (double)(n - k) * t) * sc / (double)n;
    return (double)(n - k) / (double)n;
}
