/* fc_conf.c - split-conformal residual windows per horizon (fc_conf.h):
 * allocation, the sorted copy the tails read, and the reads. The update
 * and the bins the intervals read are in fc_conf_bins.c.
 * The sorted copy keeps every B-th sorted value in a small summary that
 * the searches start from. It is brought up to date only when a tail is
 * read: the updates since the last read are replayed (up to FC_CONF_LOG;
 * per update, two searches without branches (see rank_below), one memmove
 * of the values between the leaving and the entering positions, a third
 * of W on average, and a refresh of the samples in that range: ~100 ns at
 * W = 500), or, past that, the copy is rebuilt from the bins (O(W)). A
 * forecaster whose tails nobody reads (every policy but predictive) never
 * pays for it; the predictive policy reads the tails of every step it
 * plans at each decision, and pays what every update paid before the bins.
 * Not taken: keeping it sorted at every update (what the intervals alone
 * cost before: ~1.1 us an update and a 10-step forecast of naive, nine
 * tenths of it the sorted windows); an order-statistics tree or blocked
 * arrays with slack would move fewer values but cost as many dependent
 * loads per search and more per tail read. */
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
    cf->hz = calloc(h, sizeof *cf->hz);
    cf->rbin = calloc(h * W, sizeof *cf->rbin);
    cf->next = calloc(h * W, sizeof *cf->next);
    cf->bin = malloc(h * FC_CONF_NB * sizeof *cf->bin);
    cf->used = calloc(h * FC_CONF_NBW, sizeof *cf->used);
    cf->log = malloc(h * FC_CONF_LOG * 2 * sizeof *cf->log);
    cf->ilo = calloc(h * h, sizeof *cf->ilo);
    cf->ihi = calloc(h * h, sizeof *cf->ihi);
    int lg_ok = fc_conf_long_init(&cf->lng, H) == 0;
    if (!cf->ring || !cf->sorted || !cf->samp || !cf->suffix || !cf->hz || !cf->rbin || !cf->next ||
        !cf->bin || !cf->used || !cf->log || !cf->ilo || !cf->ihi ||
        !lg_ok)
        return as_err_set(err, AS_ENOMEM, "out of memory for the error windows of %d horizons",
                          H);
    for (size_t i = 0; i < h * FC_CONF_NB; i++)
        cf->bin[i] = (fc_conf_bin){.cnt = 0, .first = -1, .last = -1};
    return AS_OK;
}

void fc_conf_fini(fc_conf *cf)
{
    free(cf->ring);
    free(cf->sorted);
    free(cf->samp);
    free(cf->suffix);
    free(cf->hz);
    free(cf->rbin);
    free(cf->next);
    free(cf->bin);
    free(cf->used);
    free(cf->log);
    free(cf->ilo);
    free(cf->ihi);
    fc_conf_long_fini(&cf->lng);
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
int fc_conf_rank(int n, double p)
{
    double pos = p * (double)(n + 1);
    int k = p > 0.5 ? (int)ceil(pos) - 1 : (int)floor(pos) - 1;
    return k < 0 ? 0 : k > n - 1 ? n - 1 : k;
}

/* Apply one update to the sorted copy of horizon j: `out` leaves (NAN:
 * none, the window grows) and r enters. Returns the lowest index above
 * which nothing moved (the new n when the window grew: everything from
 * r's place up moved, and the count did). */
static int sorted_apply(const fc_conf *cf, int j, double out, double r)
{
    double *restrict s = cf->sorted + (size_t)j * SW;
    double *restrict smp = cf->samp + (size_t)j * NS;
    fc_conf_hz *z = cf->hz + j;
    int n = z->sn;
    if (!isnan(out)) {
        /* the oldest leaves (its first copy: a) and r goes after its
         * equals (b): only the values between the two positions move (a
         * third of the window on average, where a removal and an insertion
         * would move all of it) */
        int a = rank_below(s, smp, n, out, false), b = rank_below(s, smp, n, r, true);
        if (b > a) {
            memmove(s + a, s + a + 1, (size_t)(b - 1 - a) * sizeof *s);
            s[b - 1] = r;
            resample(s, smp, n, a, b - 1);
            return b;
        }
        memmove(s + b + 1, s + b, (size_t)(a - b) * sizeof *s);
        s[b] = r;
        resample(s, smp, n, b, a);
        return a + 1;
    }
    int k = rank_below(s, smp, n, r, true);
    memmove(s + k + 1, s + k, (size_t)(n - k) * sizeof *s);
    s[k] = r;
    z->sn = ++n;
    resample(s, smp, n, k, n - 1);
    return n;
}

/* Bring the sorted copy of horizon j up to the ring before a tail reads
 * it: replay the logged updates, or rebuild it from the bins when more
 * than FC_CONF_LOG were missed (O(W): a forecaster whose tails nobody
 * reads never pays for the sorted copy). */
static void sorted_sync(const fc_conf *cf, int j)
{
    /* const: a cache, as the suffix sums (written through the pointers) */
    fc_conf_hz *z = cf->hz + j;
    int lag = z->lag;
    if (lag == 0)
        return;
    /* the suffix sums above every index a replayed update moved are
     * still those of the same values added in the same order: their bits
     * stay valid (a read below then sums down from the highest move, not
     * from the top: a third less on average; the tails were a quarter of
     * a predictive run's instructions, their suffix sums 60 % of that) */
    int valid = z->suf_from;
    if (lag > FC_CONF_LOG) {
        double *s = cf->sorted + (size_t)j * SW;
        fc_conf_bins_sorted(cf, j, s);
        z->sn = z->n;
        resample(s, cf->samp + (size_t)j * NS, z->n, 0, z->n - 1);
        valid = z->n;
    } else {
        const double *lg = cf->log + (size_t)j * FC_CONF_LOG * 2;
        for (int i = 0; i < lag; i++) {
            int moved = sorted_apply(cf, j, lg[2 * i], lg[2 * i + 1]);
            valid = moved > valid ? moved : valid;
        }
    }
    z->lag = 0;
    z->suf_from = valid < z->n ? valid : z->n;
}

/* The horizon whose residuals serve h (h - 1, or the largest shorter one
 * with enough), or -1. */
static int pick(const fc_conf *cf, int h)
{
    int j = h - 1 < cf->H ? h - 1 : cf->H - 1;
    while (j >= 0 && cf->hz[j].n < FC_CONF_MIN)
        j--;
    return j;
}

/* The outcome y a residual r was stored for against the forecast yhat >= 0
 * of scale a = s(yhat): the root of y - yhat = r (s(y) + a) / 2, the map
 * fc_conf_add_scaled applies, inverted. For y >= 0 it is r = 2 (s(y) - a),
 * so y = (a + r/2)^2 - f = yhat + r a + r^2 / 4 (f the floor): the linear
 * read yhat + r a plus the square that the outcome's scale adds (above the
 * forecast a stored error stands for a larger move, below it for a smaller
 * one). Below r0 = 2 (sqrt f - a), the least residual an outcome >= 0 can
 * have, the map is not monotone (s rises again for y < 0), so the bound
 * goes on as the line through (r0, 0) with the map's slope there, sqrt f:
 * continuous and increasing in r, and a little below 0 (a rate's lower
 * bound when the window's drops are larger than the level). A negative
 * forecast is the mirror image (s is even). The scale of a series of zeros
 * (a = 1 where yhat + f = 0) has no root: the linear read stays. */
static inline double outcome_of(double yhat, double a, double r, double f)
{
    if (yhat < 0)
        return -outcome_of(-yhat, a, -r, f);
    if (!(yhat + f > 0))
        return yhat + r * a;
    double u = a + 0.5 * r;
    if (u >= 0 && u * u >= f) /* the usual case, without a sqrt */
        return yhat + r * (a + 0.25 * r);
    double sf = sqrt(f);
    return 2 * (u - sf) * sf;
}

bool fc_conf_bounds_sc(const fc_conf *cf, int h, double yhat, double scale, double *lo,
                       double *hi)
{
    int j = cf->H ? pick(cf, h) : -1;
    if (j < 0)
        return false;
    /* h == j + 1: sqrt(1) is 1, bit for bit; skip the sqrt */
    double wide = h == j + 1 ? 1.0 : sqrt((double)h / (double)(j + 1));
    double qlo, qhi;
    fc_conf_ends(cf, j, &qlo, &qhi);
    *lo = outcome_of(yhat, scale, qlo * wide, cf->floor);
    *hi = outcome_of(yhat, scale, qhi * wide, cf->floor);
    return true;
}

void fc_conf_bounds_path(const fc_conf *cf, int h, const double *mean, double *lo, double *hi)
{
    double memo_y = NAN, memo_s = 0, f = cf->floor;
    int H = cf->H;
    for (int i = 0; i < h; i++) {
        double m = mean[i], a = fc_conf_scale_memo(cf, m, &memo_y, &memo_s);
        int j = i < H ? i : H - 1;
        double qlo, qhi;
        fc_conf_ends(cf, j, &qlo, &qhi);
        if (i >= H) { /* past the longest horizon: as fc_conf_bounds_sc */
            double wide = sqrt((double)(i + 1) / (double)H);
            qlo *= wide;
            qhi *= wide;
        }
        lo[i] = outcome_of(m, a, qlo, f);
        hi[i] = outcome_of(m, a, qhi, f);
    }
}

double fc_conf_tail(const fc_conf *cf, int h, double yhat, double x, double *excess)
{
    *excess = 0;
    int j = cf->H ? pick(cf, h) : -1;
    if (j < 0)
        return NAN;
    sorted_sync(cf, j);
    const double *s = cf->sorted + (size_t)j * SW;
    fc_conf_hz *z = cf->hz + j;
    int n = z->n;
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
    int qh = z->qhi, nt = n - qh;
    bool beyond = t >= s[qh];
    int k = beyond ? qh : rank_below(s, cf->samp + (size_t)j * NS, n, t, true);
    double *suf = cf->suffix + (size_t)j * (W + 1);
    int from = z->suf_from;
    if (from == n)
        suf[n] = 0; /* the empty sum, read when k = n */
    if (k < from) {
        /* a cache, extended down to k on demand: the same additions, from
         * the largest down, as summing the whole array, so the same bits;
         * an upper tail (small n - k) costs a few additions, not n */
        for (int i = from - 1; i >= k; i--)
            suf[i] = suf[i + 1] + s[i];
        z->suf_from = k;
    }
    if (beyond) {
        double u = s[qh], beta = suf[qh] / (double)nt - u;
        /* and the long memory's share of larger errors (fc_conf_long.c):
         * the larger of the two */
        double exl, pl = fc_conf_long_share(&cf->lng, j, t, u, n, &exl);
        if (!(beta > 0)) { /* every residual of the tail is u: none above in the window */
            *excess = exl * sx;
            return pl;
        }
        double p = (double)nt / (double)n * exp(-(t - u) / beta);
        *excess = fmax(p * beta, exl) * sx;
        return fmax(p, pl);
    }
    *excess = (suf[k] - (double)(n - k) * t) * sx / (double)n;
    return (double)(n - k) / (double)n;
}
