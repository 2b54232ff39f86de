/* plot_zoom.c - the window a run's zoom panels show. A flash crowd of 20
 * minutes is one pixel on a two-day axis, yet it is what decides the
 * verdict; so every run gets a second look at its worst SLO episode.
 *
 * An episode is a stretch of records with some time over the SLO
 * (violation > 0); stretches less than ten minutes apart are one episode
 * (a policy that recovers for two minutes between two overloads has one
 * bad quarter of an hour, not two). The worst is the one with the most
 * violation-seconds; ties go to the earlier. It is shown with as much
 * again on each side (at least 10 minutes), at least 30 minutes in all,
 * at most a quarter of the run (then the quarter holding the most
 * violation, found with a sliding sum). A run without violation is zoomed
 * on its highest p95 instead. One pass over the rows, plus the sliding
 * sum: O(n). */
#include "plot_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define GAP_S (10 * 60.0)
#define PAD_S (10 * 60.0)
#define MIN_W (30 * 60.0)

/* Seconds a row stands for: from the previous record to its t. */
static double row_dt(const sim_ts_row *r, size_t k)
{
    double dt = k > 0 ? r[k].t - r[k - 1].t : r[k].t;
    return dt > 0 && isfinite(dt) ? dt : 0;
}

/* The worst episode: rows [*a, *b], with its violation-seconds. */
static double worst_episode(const sim_ts_row *r, size_t n, size_t *a, size_t *b)
{
    double best = 0, cur = 0;
    size_t s = 0, last = 0;
    int open = 0;
    for (size_t k = 0; k < n; k++) {
        double v = isfinite(r[k].violation) ? r[k].violation : 0;
        if (v <= 0)
            continue;
        if (open && r[k].t - r[last].t > GAP_S) {
            if (cur > best) {
                best = cur;
                *a = s;
                *b = last;
            }
            open = 0;
        }
        if (!open) {
            open = 1;
            s = k;
            cur = 0;
        }
        cur += v * row_dt(r, k);
        last = k;
    }
    if (open && cur > best) {
        best = cur;
        *a = s;
        *b = last;
    }
    return best;
}

/* The window of width w with the most violation-seconds (sliding sum). */
static double densest(const sim_ts_row *r, size_t n, double w)
{
    double sum = 0, best = -1, t0 = 0;
    size_t lo = 0;
    for (size_t k = 0; k < n; k++) {
        sum += (isfinite(r[k].violation) ? r[k].violation : 0) * row_dt(r, k);
        while (lo < k && r[k].t - r[lo].t > w) {
            sum -= (isfinite(r[lo].violation) ? r[lo].violation : 0) * row_dt(r, lo);
            lo++;
        }
        if (sum > best + 1e-9) {
            best = sum;
            t0 = r[lo].t - row_dt(r, lo);
        }
    }
    return t0;
}

void plot_zoom_pick(const sim_ts_row *r, size_t n, double duration, double slo, plot_zoom *z)
{
    (void)slo;
    memset(z, 0, sizeof *z);
    if (n < 2 || !(duration > 0))
        return;
    size_t a = 0, b = 0;
    double worst = worst_episode(r, n, &a, &b);
    double lo, hi;
    char len[32];
    if (worst > 0) {
        lo = r[a].t - row_dt(r, a);
        hi = r[b].t;
        snprintf(z->why, sizeof z->why, "the worst SLO episode (%s over the SLO)",
                 plot_fmt_span(worst, len, sizeof len));
    } else {
        size_t k = 0;
        for (size_t j = 1; j < n; j++)
            if (isfinite(r[j].p95) && (!isfinite(r[k].p95) || r[j].p95 > r[k].p95))
                k = j;
        lo = r[k].t - row_dt(r, k);
        hi = r[k].t;
        snprintf(z->why, sizeof z->why, "no SLO violation: around the highest p95");
    }
    double pad = fmax(PAD_S, hi - lo);
    lo -= pad;
    hi += pad;
    if (hi - lo < MIN_W) {
        double c = 0.5 * (lo + hi);
        lo = c - 0.5 * MIN_W;
        hi = c + 0.5 * MIN_W;
    }
    double maxw = fmax(MIN_W, duration / 4);
    if (hi - lo > maxw && worst > 0) {
        lo = densest(r, n, maxw);
        hi = lo + maxw;
    } else if (hi - lo > maxw) {
        double c = 0.5 * (lo + hi);
        lo = c - 0.5 * maxw;
        hi = c + 0.5 * maxw;
    }
    /* inside the run, keeping the width where the run allows */
    if (lo < 0) {
        hi -= lo;
        lo = 0;
    }
    if (hi > duration) {
        lo = fmax(0, lo - (hi - duration));
        hi = duration;
    }
    z->t0 = lo;
    z->t1 = hi;
    z->on = hi - lo < 0.6 * duration;
}

void plot_zoom_rows(const double *t, size_t n, size_t stride, const plot_zoom *z, size_t *lo,
                    size_t *hi)
{
    size_t a = 0;
    while (a < n && t[a * stride] < z->t0)
        a++;
    if (a > 0) /* the row before: a step line starts at the window's edge */
        a--;
    size_t b = a;
    while (b < n && t[b * stride] <= z->t1)
        b++;
    if (b < n) /* and the one after */
        b++;
    *lo = a;
    *hi = b;
}
