/* fc_conf.c - split-conformal residual windows per horizon (fc_conf.h).
 * Each horizon keeps its residuals twice: a ring in arrival order (to know
 * which one leaves) and a sorted array (quantiles and tails), with every
 * B-th sorted value copied into a small summary that the searches start
 * from. An update costs, per horizon, two searches without branches (see
 * rank_below), one memmove of the values between the leaving and the
 * entering positions (a third of W on average) and a refresh of the
 * samples in that range.
 * Cost, W = 500, H = 10, one update and a 10-step forecast of naive (perf
 * and CPU time, a loaded 2-core machine): with plain binary searches
 * 1.8 us, three quarters of it in the searches' mispredicted branches;
 * now 1.1 us: searches and block counts ~0.3 us, memmove ~0.2 us, the
 * residual's sqrt and division, the sample refresh and the forecast's
 * reads the rest. The point forecasters themselves take 30-60 ns (make
 * bench: "no intervals" rows). Not taken: an order-statistics tree or
 * blocked arrays with slack would move fewer values but cost as many
 * dependent loads per search and more per quantile and tail read, for at
 * most the memmove's share; a lazy catch-up (merge a horizon's residuals
 * only when it is read) saves nothing in the simulator, which reads every
 * horizon's interval after every update (sim_act.c: forecast_view). */
#include "fc_conf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W FC_CONF_WINDOW
#define B 16                        /* values per block of the sampled summary */
#define SW ((W + B - 1) / B * B)    /* stride of a sorted array: whole blocks */
#define NS (SW / B)                 /* samples per horizon */

int fc_conf_init(fc_conf *cf, int H, double coverage, as_err *err)
{
    memset(cf, 0, sizeof *cf);
    cf->H = H;
    cf->plo = 0.5 - 0.5 * coverage;
    cf->phi = 0.5 + 0.5 * coverage;
    size_t h = (size_t)H;
    cf->ring = malloc(h * W * sizeof *cf->ring);
    /* calloc: a block count reads whole blocks, the tail past n too */
    cf->sorted = calloc(h * SW, sizeof *cf->sorted);
    cf->samp = calloc(h * NS, sizeof *cf->samp);
    cf->suffix = malloc(h * (W + 1) * sizeof *cf->suffix);
    cf->n = calloc(h, sizeof *cf->n);
    cf->head = calloc(h, sizeof *cf->head);
    cf->suf_from = calloc(h, sizeof *cf->suf_from);
    cf->qlo = calloc(h, sizeof *cf->qlo);
    cf->qhi = calloc(h, sizeof *cf->qhi);
    if (!cf->ring || !cf->sorted || !cf->samp || !cf->suffix || !cf->n || !cf->head || !cf->suf_from ||
        !cf->qlo || !cf->qhi)
        return as_err_set(err, AS_ENOMEM, "out of memory for the error windows of %d horizons",
                          H);
    return AS_OK;
}

void fc_conf_fini(fc_conf *cf)
{
    free(cf->ring);
    free(cf->sorted);
    free(cf->samp);
    free(cf->suffix);
    free(cf->n);
    free(cf->head);
    free(cf->suf_from);
    free(cf->qlo);
    free(cf->qhi);
    memset(cf, 0, sizeof *cf);
}

void fc_conf_level(fc_conf *cf, double y)
{
    cf->level_sum += fabs(y);
    cf->level_n++;
    /* once per observation here rather than per residual and per read */
    cf->floor = FC_CONF_FLOOR * cf->level_sum / (double)cf->level_n;
}

/* How many of the n sorted values s[] are < x (le false) or <= x (le
 * true): the first index >= x or > x. In two steps, both without branches
 * (a data-dependent branch per level mispredicts half the time, ~20 cycles
 * each): a binary search of the block among the samples smp[i] = s[i B]
 * (NS values, a few cache lines that stay in L1), then a count over that
 * block's B values (two cache lines loaded at once, independent
 * comparisons). A plain binary search of s is a chain of ~9 dependent
 * loads, most of them L2 hits: the samples cut it to ~5 L1 hits and one
 * L2 hit. Values at n and past it are masked out. */
static inline int block_of(const double *smp, int n, double x, bool le)
{
    int i = 0, len = (n + B - 1) / B;
    while (len > 1) {
        int half = len / 2;
        /* a product, not a ?: which gcc -O2 compiles to a branch here */
        i += (le ? smp[i + half - 1] <= x : smp[i + half - 1] < x) * half;
        len -= half;
    }
    /* c samples are below x: the block of the last of them holds the
     * answer (the next block starts at or above x); block 0 when none is */
    int c = i + (le ? smp[i] <= x : smp[i] < x);
    return c > 0 ? c - 1 : 0;
}

static inline int count_in(const double *s, int n, int blk, double x, bool le)
{
    int lo = blk * B, c = 0;
    for (int k = 0; k < B; k++)
        c += (lo + k < n) & (le ? s[lo + k] <= x : s[lo + k] < x);
    return lo + c;
}

static inline int rank_below(const double *s, const double *smp, int n, double x, bool le)
{
    return n == 0 ? 0 : count_in(s, n, block_of(smp, n, x, le), x, le);
}

/* Refresh the samples of s[lo..hi] (the values a move touched). */
static void resample(const double *s, double *smp, int n, int lo, int hi)
{
    for (int i = (lo + B - 1) / B; i * B <= hi && i * B < n; i++)
        smp[i] = s[i * B];
}

/* The rank of the split-conformal quantile at level p of n sorted
 * residuals: the ceil((n + 1) p)-th smallest for an upper level, floor for
 * a lower one (clamped to the sample), so that the interval covers at
 * least c of exchangeable errors. */
static int quantile_rank(int n, double p)
{
    double pos = p * (double)(n + 1);
    int k = p > 0.5 ? (int)ceil(pos) - 1 : (int)floor(pos) - 1;
    return k < 0 ? 0 : k > n - 1 ? n - 1 : k;
}

void fc_conf_add_scaled(fc_conf *cf, int j, double y, double yhat, double scale)
{
    double r = (y - yhat) / scale;
    if (!isfinite(r))
        return;
    double *restrict ring = cf->ring + (size_t)j * W, *restrict s = cf->sorted + (size_t)j * SW;
    double *restrict smp = cf->samp + (size_t)j * NS;
    int n = cf->n[j], head = cf->head[j];
    if (n == W) {
        /* the oldest leaves (its first copy: a) and r goes after its
         * equals (b): only the values between the two positions move (a
         * third of the window on average, where a removal and an insertion
         * would move all of it) */
        int a = rank_below(s, smp, n, ring[head], false), b = rank_below(s, smp, n, r, true);
        if (b > a) {
            memmove(s + a, s + a + 1, (size_t)(b - 1 - a) * sizeof *s);
            s[b - 1] = r;
            resample(s, smp, n, a, b - 1);
        } else {
            memmove(s + b + 1, s + b, (size_t)(a - b) * sizeof *s);
            s[b] = r;
            resample(s, smp, n, b, a);
        }
    } else {
        int k = rank_below(s, smp, n, r, true);
        memmove(s + k + 1, s + k, (size_t)(n - k) * sizeof *s);
        s[k] = r;
        cf->n[j] = ++n;
        resample(s, smp, n, k, n - 1);
        cf->qlo[j] = quantile_rank(n, cf->plo);
        cf->qhi[j] = quantile_rank(n, cf->phi);
    }
    ring[head] = r;
    cf->head[j] = head + 1 == W ? 0 : head + 1;
    cf->suf_from[j] = n;
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

bool fc_conf_bounds_sc(const fc_conf *cf, int h, double yhat, double scale, double *lo,
                       double *hi)
{
    int j = cf->H ? pick(cf, h) : -1;
    if (j < 0)
        return false;
    const double *s = cf->sorted + (size_t)j * SW;
    /* h == j + 1: sqrt(1) * scale is scale, bit for bit; skip the sqrt */
    double sc = h == j + 1 ? scale : scale * sqrt((double)h / (double)(j + 1));
    *lo = yhat + s[cf->qlo[j]] * sc;
    *hi = yhat + s[cf->qhi[j]] * sc;
    return true;
}

double fc_conf_tail(const fc_conf *cf, int h, double yhat, double x, double *excess)
{
    *excess = 0;
    int j = cf->H ? pick(cf, h) : -1;
    if (j < 0)
        return NAN;
    const double *s = cf->sorted + (size_t)j * SW;
    int n = cf->n[j];
    double sx = fc_conf_scale(cf, x), sc = 0.5 * (fc_conf_scale(cf, yhat) + sx);
    if (h != j + 1) {
        double wide = sqrt((double)h / (double)(j + 1));
        sc *= wide;
        sx *= wide;
    }
    double t = (x - yhat) / sc;
    if (sx < sc) /* x below the forecast: the excess at an outcome near it */
        sx = sc;
    if (!isfinite(t))
        return t > 0 ? 0.0 : 1.0;
    /* past the upper quantile u = s[qhi]: the exponential tail of the
     * residuals at or above it (their count nt, mean excess beta) */
    int qh = cf->qhi[j], nt = n - qh;
    bool beyond = t >= s[qh];
    int k = beyond ? qh : rank_below(s, cf->samp + (size_t)j * NS, n, t, true);
    double *suf = cf->suffix + (size_t)j * (W + 1);
    int from = cf->suf_from[j];
    if (from == n)
        suf[n] = 0; /* the empty sum, read when k = n */
    if (k < from) {
        /* a cache, extended down to k on demand: the same additions, from
         * the largest down, as summing the whole array, so the same bits;
         * an upper tail (small n - k) costs a few additions, not n */
        for (int i = from - 1; i >= k; i--)
            suf[i] = suf[i + 1] + s[i];
        cf->suf_from[j] = k;
    }
    if (beyond) {
        double u = s[qh], beta = suf[qh] / (double)nt - u;
        if (!(beta > 0))
            return 0.0; /* every residual of the tail is u: nothing above */
        double p = (double)nt / (double)n * exp(-(t - u) / beta);
        *excess = p * beta * sx;
        return p;
    }
    *excess = (suf[k] - (double)(n - k) * t) * sx / (double)n;
    return (double)(n - k) / (double)n;
}
