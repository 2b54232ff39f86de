/* det_mad.c - the `mad` detector: robust z-score against the median and the
 * median absolute deviation of the previous `window` observations,
 * z = (y - median) / (1.4826 * MAD)   (1.4826 makes MAD estimate sigma
 * for Gaussian data). Unlike det_zscore.c the window EXCLUDES y itself and
 * both statistics have a 50 % breakdown point, so a burst of outliers
 * neither hides itself nor inflates the scale for the next ones.
 * O(window) per observation (two quickselects on a scratch copy): fine for
 * windows of a few hundred; a pair of order-statistic trees would be
 * O(log w) but is not worth it at these sizes.
 * When more than half of the window is identical the MAD is 0; the scale
 * then falls back to the mean absolute deviation (* 1.2533, also sigma for
 * Gaussian data), and to a floor relative to the level, with the score
 * capped at +-1e6 so it stays finite and usable.
 * Missing observations are skipped; scores are 0 until the window is full. */
#include "as_detect.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int window;
    double threshold;
} mad_cfg;

static const as_param_def params[] = {
    {"window", AS_P_INT, offsetof(mad_cfg, window), 3, 1000000, NULL, 0,
     "previous observations the median and MAD are taken over"},
    {"threshold", AS_P_DOUBLE, offsetof(mad_cfg, threshold), 0.0, 1e9, NULL, 0,
     "flag when |robust z| exceeds this"},
    {0},
};

static void defaults(void *cfg)
{
    mad_cfg *c = cfg;
    c->window = 60;
    c->threshold = 3.5; /* the usual cut-off for the modified z-score */
}

typedef struct {
    mad_cfg p;
    double *ring;    /* last `window` observed values */
    double *scratch; /* copy for selection */
    long n;
} mad_state;

static int init(void *state, const void *cfg, as_err *err)
{
    mad_state *s = state;
    s->p = *(const mad_cfg *)cfg;
    s->ring = calloc((size_t)s->p.window, sizeof *s->ring);
    s->scratch = calloc((size_t)s->p.window, sizeof *s->scratch);
    if (s->ring == NULL || s->scratch == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory (mad window %d)", s->p.window);
    return AS_OK;
}

static void fini(void *state)
{
    mad_state *s = state;
    free(s->ring);
    free(s->scratch);
}

/* k-th smallest of a[0..n-1] (Hoare's quickselect, reorders a). */
static double select_kth(double *a, int n, int k)
{
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = a[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                double tmp = a[i];
                a[i] = a[j];
                a[j] = tmp;
                i++;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

/* Median of a[0..n-1] (reorders a): mean of the two middle ones for even n. */
static double median(double *a, int n)
{
    double hi = select_kth(a, n, n / 2);
    if (n % 2)
        return hi;
    /* after selection everything left of n/2 is <= hi: its max is the other */
    double lo = a[0];
    for (int i = 1; i < n / 2; i++)
        if (a[i] > lo)
            lo = a[i];
    return 0.5 * (lo + hi);
}

static double observe(void *state, as_time t, double y, bool *flag)
{
    (void)t;
    mad_state *s = state;
    *flag = false;
    if (!isfinite(y))
        return 0.0;
    const int w = s->p.window;
    double z = 0.0;
    if (s->n >= w) {
        memcpy(s->scratch, s->ring, (size_t)w * sizeof *s->scratch);
        double med = median(s->scratch, w);
        double mean_ad = 0;
        for (int i = 0; i < w; i++) {
            s->scratch[i] = fabs(s->ring[i] - med);
            mean_ad += s->scratch[i];
        }
        mean_ad /= w;
        double scale = 1.4826 * median(s->scratch, w);
        if (!(scale > 0))
            scale = 1.2533 * mean_ad;
        double floor = 1e-9 * (fabs(med) + 1.0);
        if (!(scale > floor))
            scale = floor;
        z = (y - med) / scale;
        if (z > 1e6)
            z = 1e6;
        if (z < -1e6)
            z = -1e6;
        *flag = fabs(z) > s->p.threshold;
    }
    s->ring[s->n % w] = y;
    s->n++;
    return z;
}

const as_detector_type as_det_mad = {
    .version = 1,
    .name = "mad",
    .flags = 0,
    .state_size = sizeof(mad_state),
    .config_size = sizeof(mad_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .init = init,
    .observe = observe,
};
