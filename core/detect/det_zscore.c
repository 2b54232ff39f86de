/* det_zscore.c - the `zscore` detector, the classic rolling z-score:
 * z(t) = (y(t) - mean) / std over the last `window` observations INCLUDING
 * y(t), with the sample standard deviation (ddof = 1). That is exactly
 * pandas' s.rolling(w).mean() / .std() as peers/zscore_pandas.py uses it, so
 * the figures match it (synthetic_seasonal.csv, window 60, |z| > 3: 64
 * anomalies, sum 759.306, max |z| 3.94135). Including y(t) bounds |z| by
 * (w-1)/sqrt(w) (7.6 at w = 60): a known weakness of the classic method that
 * det_mad.c avoids.
 * O(1) per observation: a sliding update of the mean and of M2 (the sum of
 * squared deviations, Welford form) instead of running sums of y and y^2,
 * which cancel catastrophically for large levels; the sums are recomputed
 * from the ring every `window` steps so rounding cannot drift.
 * Missing observations (NAN) are skipped: the window is the last `window`
 * observed values (pandas would instead give NaN for a whole window).
 * Scores are 0 until the window is full and for a constant window. */
#include "as_detect.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

typedef struct {
    int window;
    double threshold;
} zscore_cfg;

static const as_param_def params[] = {
    {"window", AS_P_INT, offsetof(zscore_cfg, window), 2, 10000000, NULL, 0,
     "observations in the rolling window (the current one included)"},
    {"threshold", AS_P_DOUBLE, offsetof(zscore_cfg, threshold), 0.0, 1e9, NULL, 0,
     "flag when |z| exceeds this"},
    {0},
};

static void defaults(void *cfg)
{
    zscore_cfg *c = cfg;
    c->window = 60;
    c->threshold = 3.0;
}

typedef struct {
    zscore_cfg p;
    double *ring; /* the last `window` observed values */
    long n;       /* observed values so far */
    double mean, m2;
    int since_exact; /* updates since the last exact recomputation */
} zscore_state;

static int init(void *state, const void *cfg, as_err *err)
{
    zscore_state *s = state;
    s->p = *(const zscore_cfg *)cfg;
    s->ring = calloc((size_t)s->p.window, sizeof *s->ring);
    if (s->ring == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory (zscore window %d)", s->p.window);
    return AS_OK;
}

static void fini(void *state)
{
    zscore_state *s = state;
    free(s->ring);
}

/* Two-pass mean and M2 of the full ring: exact up to rounding. */
static void recompute(zscore_state *s)
{
    int w = s->p.window;
    double sum = 0;
    for (int i = 0; i < w; i++)
        sum += s->ring[i];
    s->mean = sum / w;
    double m2 = 0;
    for (int i = 0; i < w; i++)
        m2 += (s->ring[i] - s->mean) * (s->ring[i] - s->mean);
    s->m2 = m2;
    s->since_exact = 0;
}

static double observe(void *state, as_time t, double y, bool *flag)
{
    (void)t;
    zscore_state *s = state;
    *flag = false;
    if (!isfinite(y))
        return 0.0;
    const int w = s->p.window;
    int slot = (int)(s->n % w);
    if (s->n < w) {
        /* filling: Welford insertion */
        s->ring[slot] = y;
        s->n++;
        double d = y - s->mean;
        s->mean += d / (double)s->n;
        s->m2 += d * (y - s->mean);
        if (s->n < w)
            return 0.0;
        recompute(s);
    } else {
        double old = s->ring[slot];
        s->ring[slot] = y;
        s->n++;
        if (++s->since_exact >= w) {
            recompute(s);
        } else {
            /* replace old by y: mean' = mean + (y - old)/w,
             * M2' = M2 + (y - old)(y - mean' + old - mean) */
            double mean0 = s->mean;
            s->mean += (y - old) / w;
            s->m2 += (y - old) * (y - s->mean + old - mean0);
            if (s->m2 < 0)
                s->m2 = 0;
        }
    }
    double var = s->m2 / (w - 1);
    /* a constant window (up to rounding relative to the level) has no
     * spread to measure against: score 0 rather than a huge ratio */
    if (!(var > 1e-24 * (s->mean * s->mean + 1.0)))
        return 0.0;
    double z = (y - s->mean) / sqrt(var);
    *flag = fabs(z) > s->p.threshold;
    return z;
}

const as_detector_type as_det_zscore = {
    .version = 1,
    .name = "zscore",
    .flags = 0,
    .state_size = sizeof(zscore_state),
    .config_size = sizeof(zscore_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .init = init,
    .observe = observe,
};
