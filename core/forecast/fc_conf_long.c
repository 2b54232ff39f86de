/* fc_conf_long.c - the long memory of large errors (fc_conf.h: fc_conf_long).
 * Owns, per horizon, the residuals that came above the entry threshold
 * (the window's upper quantile, as the last tail read past it left it)
 * among the last FC_LONG_SPAN residuals, at most FC_LONG_CAP of them (the
 * oldest go first): sorted, each with the count of residuals seen when it
 * came, that count also in arrival order (a ring), with suffix sums and the
 * suffixes' least and greatest count (brought up to date by the first read
 * after a change).
 * Invariant: the sorted entries' counts are exactly those of the ring; every
 * entry came fewer than FC_LONG_SPAN residuals ago once expire() has run.
 * Why: the window (FC_CONF_WINDOW residuals: two hours of 15 s steps)
 * forgets a burst once 500 residuals have passed. Bursts further apart than
 * that leave a tail with nothing to price between them, and a planner at a
 * high risk weight holds no margin for the next one: on a generated trace
 * of 2.5x bursts about 2 h apart (5 min long) the predictive policy's front
 * did not get under 14,880 s of violation at any risk, where the HPA at
 * target 0.4 had 7,740 s. Here a large error is remembered for about ten
 * windows (FC_LONG_CAP / (1 - phi) residuals: 5,120 at 90 % coverage), and
 * the tail read (fc_conf_tail) takes the larger of the window's estimate
 * and this one past the upper quantile: the share of the span's residuals
 * (at least a window's) above the point and their mean excess.
 * One burst is not a pattern: the errors above the point count only when
 * they span more than a window (two spells at least; a single spell the
 * window itself holds while it lasts). Without that rule a one-off event
 * (a sports final at 3x to 6x) was priced for a day after it: on a
 * generated 21-day trace with four such events the front's cheap end went
 * from 149.4 to 160.2 at 1620 s; with it, 151.3. Measured on
 * bench/fronts.sh against the window alone: nasa's least violation 300 ->
 * 180 s and its medians against the HPA 0.91 -> 0.85 (cost) and 0.42 ->
 * 0.35 (violation); onoff's cost at the oracle's 540 s 29.5 -> 24.3;
 * seasonal reaches the oracle's 420 s (639.3, 1.32x; the window alone
 * stopped at 480 s), its 540-s point 589.1 -> 605.7; flashcrowd's one point
 * 3.28 -> 3.43; wikipedia 11.63 -> 11.71 at 0 s. The capacity is not a
 * sharp choice: without the spell rule, 128 / 256 / 512 entries gave nasa
 * 0 s at 83.8 / 84.1 / 90.6 and seasonal's 420 s at 1.36x / 1.40x / 1.47x,
 * and the span bound did not bind at 10,000 or 20,000 (the same bits).
 * Cost: a comparison per residual until a tail is read (no entry before
 * the first threshold), then an entry (about 1 - phi of the residuals)
 * O(FC_LONG_CAP) moves; a read is a binary search (and O(n) after a
 * change). No allocation after fc_conf_long_init(). */
#include "fc_conf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define CAP FC_LONG_CAP

int fc_conf_long_init(fc_conf_long *lg, int H)
{
    memset(lg, 0, sizeof *lg);
    size_t h = (size_t)H;
    lg->at = malloc(h * CAP * sizeof *lg->at);
    lg->srt = malloc(h * CAP * sizeof *lg->srt);
    lg->suf = malloc(h * (CAP + 1) * sizeof *lg->suf);
    lg->sat = malloc(h * CAP * sizeof *lg->sat);
    lg->smin = malloc(h * (CAP + 1) * sizeof *lg->smin);
    lg->smax = malloc(h * (CAP + 1) * sizeof *lg->smax);
    lg->hz = calloc(h, sizeof *lg->hz);
    if (!lg->at || !lg->srt || !lg->suf || !lg->sat || !lg->smin || !lg->smax ||
        !lg->hz)
        return -1;
    for (size_t j = 0; j < h; j++)
        lg->hz[j].thr = INFINITY;
    return 0;
}

void fc_conf_long_fini(fc_conf_long *lg)
{
    free(lg->at);
    free(lg->srt);
    free(lg->suf);
    free(lg->sat);
    free(lg->smin);
    free(lg->smax);
    free(lg->hz);
    memset(lg, 0, sizeof *lg);
}

/* The first index of the n ascending values s[] above x. */
static int first_above(const double *s, int n, double x)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (s[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int oldest_slot(const fc_conf_long_hz *z) { return (z->head - z->n + CAP) % CAP; }

/* Drop the oldest entry of horizon j. */
static void drop_oldest(const fc_conf_long *lg, int j)
{
    fc_conf_long_hz *z = lg->hz + j;
    const long when = lg->at[(size_t)j * CAP + (size_t)oldest_slot(z)];
    double *s = lg->srt + (size_t)j * CAP;
    long *sat = lg->sat + (size_t)j * CAP;
    int k = 0;
    while (sat[k] != when) /* each entry came at a count of its own */
        k++;
    memmove(s + k, s + k + 1, (size_t)(z->n - 1 - k) * sizeof *s);
    memmove(sat + k, sat + k + 1, (size_t)(z->n - 1 - k) * sizeof *sat);
    z->n--;
    z->dirty = true;
}

/* Drop the entries that came FC_LONG_SPAN or more residuals ago. */
static void expire(const fc_conf_long *lg, int j)
{
    fc_conf_long_hz *z = lg->hz + j;
    const long *at = lg->at + (size_t)j * CAP;
    while (z->n > 0 && z->seen - at[oldest_slot(z)] >= FC_LONG_SPAN)
        drop_oldest(lg, j);
}

void fc_conf_long_enter(fc_conf_long *lg, int j, double r)
{
    fc_conf_long_hz *z = lg->hz + j;
    expire(lg, j);
    if (z->n == CAP) { /* the residuals up to the oldest's lose their entries */
        z->lost = lg->at[(size_t)j * CAP + (size_t)oldest_slot(z)];
        drop_oldest(lg, j);
    }
    double *s = lg->srt + (size_t)j * CAP;
    long *sat = lg->sat + (size_t)j * CAP;
    int k = first_above(s, z->n, r);
    memmove(s + k + 1, s + k, (size_t)(z->n - k) * sizeof *s);
    memmove(sat + k + 1, sat + k, (size_t)(z->n - k) * sizeof *sat);
    s[k] = r;
    sat[k] = z->seen;
    lg->at[(size_t)j * CAP + (size_t)z->head] = z->seen;
    z->head = (z->head + 1) % CAP;
    z->n++;
    z->dirty = true;
}

double fc_conf_long_share(const fc_conf_long *lg, int j, double t, double u, int nwin,
                          double *excess)
{
    fc_conf_long_hz *z = lg->hz + j;
    *excess = 0;
    if (z->thr == INFINITY)
        z->since = z->seen; /* the span starts with the first threshold */
    z->thr = u;
    expire(lg, j);
    if (z->n == 0)
        return 0;
    const double *s = lg->srt + (size_t)j * CAP;
    const long *sat = lg->sat + (size_t)j * CAP;
    double *suf = lg->suf + (size_t)j * (CAP + 1);
    long *smin = lg->smin + (size_t)j * (CAP + 1), *smax = lg->smax + (size_t)j * (CAP + 1);
    if (z->dirty) {
        suf[z->n] = 0;
        smin[z->n] = LONG_MAX;
        smax[z->n] = LONG_MIN;
        for (int i = z->n - 1; i >= 0; i--) {
            suf[i] = suf[i + 1] + s[i];
            smin[i] = sat[i] < smin[i + 1] ? sat[i] : smin[i + 1];
            smax[i] = sat[i] > smax[i + 1] ? sat[i] : smax[i + 1];
        }
        z->dirty = false;
    }
    int k = first_above(s, z->n, t);
    /* one burst is not a pattern: the errors above t must come from at
     * least two spells more than a window apart (one spell the window
     * itself sees while it lasts) */
    if (k == z->n || smax[k] - smin[k] <= FC_CONF_WINDOW)
        return 0;
    /* the residuals the entries stand for: those after the first
     * threshold, after the last entry dropped to make room, and within
     * FC_LONG_SPAN */
    long from = z->since > z->lost ? z->since : z->lost;
    if (z->seen - from > FC_LONG_SPAN)
        from = z->seen - FC_LONG_SPAN;
    /* never a finer share than the window's own: a span shorter than the
     * window (the first reads) holds nothing the window does not */
    double span = (double)(z->seen - from > nwin ? z->seen - from : nwin);
    *excess = (suf[k] - (double)(z->n - k) * t) / span;
    return (double)(z->n - k) / span;
}
