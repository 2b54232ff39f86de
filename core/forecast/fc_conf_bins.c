/* fc_conf_bins.c - the binned copy of the conformal residual windows
 * (fc_conf.h): exact quantiles at two fixed ranks for O(1) per update.
 * A residual's bin is read off its bits: zero alone in the middle, then per
 * sign one bin below 2^-20, 32 bins per octave from 2^-20 to 2^20 (a bin is
 * 2.2 % of its values wide) and one above; monotone in the value, so the
 * bins in order hold the window in order. Each bin is a queue of ring slots
 * in arrival order (a residual leaves as the oldest of the window, hence
 * the oldest of its bin: no search), with its count. Per quantile rank a
 * cursor holds the bin of that rank and the count of the bins below: an
 * update moves it by one bin at most in rank, past empty bins through a
 * bitmap (a word covers 64 bins). The residual itself is selected in the
 * cursor's bin, by (value, arrival) like the sorted window, only when an
 * update changed that bin or the cursor, and cached: ~2 residuals a bin at
 * the 5 % and 95 % quantiles of a normal spread, whatever its width (the
 * bins are relative). Memory: ~15 KiB of bins a horizon (2565 of 6 bytes),
 * of which the few hundred around the errors' spread are touched.
 * Cost, W = 500, H = 10, one update and a 10-step forecast of naive, ewma
 * or holt (callgrind instruction counts, before the ends' tracking of
 * fc_conf.h, which adds ~700: 4,400-4,550 now): 3,500-3,700 instructions against
 * 8,300-8,500 with the sorted windows, of which the point forecaster alone
 * takes 755-830; per horizon the update itself (scale, division, bin, two
 * queues, the cursors' check) ~190, the interval's read ~45 plus a
 * selection in one read in ten (a side change of the rank). The update
 * of all horizons is one loop (fc_conf_observe) that steps each array's
 * slice by its stride, with the counters of a horizon in one struct
 * (fc_conf_hz); it cut 4,800 to 4,600, the one loop of the reads
 * (fc_conf_bounds_path) 4,600 to 3,760. Not taken: a precise staleness
 * test for the cached residual (keep it when the leaving and the entering
 * residuals are on one side of it and it does not leave): measured, the
 * selections fell by a tenth and the update cost more than they saved
 * (+400 instructions); carrying the forecast's scale from the read that
 * made it to the update that scores it: the floor moves in between, so
 * the bits would. What remains is spread over a dozen steps of ~10
 * instructions each; the 50 ns goal (~100 instructions for the ten
 * horizons) is out of reach of an exact window.
 * Exact, not a histogram's interpolated quantile: the intervals and every
 * dataset stay bit-identical. Not taken: an order-statistics tree (a
 * dozen dependent loads per update); a histogram on a fixed grid (a grid
 * step is a guess at the errors' spread, which varies by orders of
 * magnitude across traces, and its quantiles are approximate). A bin
 * full of equal residuals (a trace of small counts) or of close ones (a
 * trace without noise, forecast well but not exactly) costs its length
 * when selected in: one counting pass around the last value when the rank
 * moved by one (near_last; naive's reads on a noiseless ramp 7.7 -> 3.9 us,
 * on a Poisson trace of 1.5 a minute 662 -> 417 ns), else a quickselect;
 * zero, the common case of equal ones, is selected in O(1), and so is
 * an exact forecast's rounding (stored as 0: as_fc_rounding). */
#include "fc_conf.h"

#include <stdlib.h>
#include <string.h>

#define W FC_CONF_WINDOW
#define NMAG FC_CONF_NMAG
#define NB FC_CONF_NB
#define NBW FC_CONF_NBW
#define ZERO (NMAG - 1) /* the bin of +0 and -0 */

/* The bin of a finite r: magnitude class 0 (zero), 1 (below the grid),
 * 2 .. NMAG - 2 (the grid: exponent and top mantissa bits), NMAG - 1
 * (above it), mirrored for negative r. */
static inline int bin_of(double r)
{
    uint64_t u;
    memcpy(&u, &r, sizeof u);
    uint64_t a = u & ~(UINT64_C(1) << 63);
    int64_t g = (int64_t)(a >> (52 - FC_CONF_SUB_BITS)) -
                ((int64_t)(1023 - FC_CONF_OCT) << FC_CONF_SUB_BITS) + 2;
    int mag = g < 1 ? 1 : g > NMAG - 1 ? NMAG - 1 : (int)g;
    mag = a == 0 ? 0 : mag;
    return (u >> 63) ? ZERO - mag : ZERO + mag;
}

/* The nearest non-empty bin above b (one exists: the caller's rank is). */
static int next_used(const uint64_t *used, int b)
{
    int w = (b + 1) >> 6;
    uint64_t m = (b + 1) & 63 ? used[w] & (~UINT64_C(0) << ((b + 1) & 63)) : used[w];
    while (m == 0)
        m = used[++w];
    return (w << 6) + __builtin_ctzll(m);
}

/* The nearest non-empty bin below b (one exists). */
static int prev_used(const uint64_t *used, int b)
{
    int w = (b - 1) >> 6, s = (b - 1) & 63;
    uint64_t m = s == 63 ? used[w] : used[w] & ((UINT64_C(1) << (s + 1)) - 1);
    while (m == 0)
        m = used[--w];
    return (w << 6) + 63 - __builtin_clzll(m);
}

/* (always inlined: gcc -O2 keeps it a call, whose setup is a third of
 * the common case, a check that the rank is still in the bin; callgrind:
 * -2.5 % of an update and forecast of naive, -2.2 % of an update of
 * holt_winters) */
/* Move cursor c onto the bin of its rank q (up by dq with the update)
 * after an update that took a residual from bin bo (-1: none) and put one
 * in bi. */
static inline __attribute__((always_inline)) void cursor_fix(fc_conf_cursor *c, const fc_conf_bin *bn, const uint64_t *used, int q,
                       int dq, int bo, int bi)
{
    int b = c->bin, below = c->below, b0 = b, k0 = q - dq - below;
    below += (bi < b) - (bo >= 0 && bo < b);
    while (below > q) {
        b = prev_used(used, b);
        below -= bn[b].cnt;
    }
    while (below + bn[b].cnt <= q) {
        below += bn[b].cnt;
        b = next_used(used, b);
    }
    c->bin = b;
    c->below = below;
    /* the rank's residual moved if its bin, its place in the bin or the
     * bin's content did */
    c->stale |= b != b0 || q - below != k0 || bi == b || bo == b;
    /* (the common case, neither bin the cursor's and both on one side,
     * is sorted out by the caller in two comparisons) */
}

/* One horizon's arrays (the horizon's slices of the H x ... arrays of
 * fc_conf), found once per horizon by the update loop. */
typedef struct hz_view {
    fc_conf_hz *z;
    double *ring;
    uint16_t *rbin;
    int16_t *next;
    fc_conf_bin *bn;
    uint64_t *used;
    double *log;
} hz_view;

/* The same bits leave and enter ring slot `slot`: no value moves, only the
 * slot's place in its bin's queue (oldest -> newest). */
static inline void requeue(const hz_view *v, int slot)
{
    fc_conf_bin *e = v->bn + v->rbin[slot];
    if (e->first != e->last) {
        e->first = v->next[slot];
        v->next[e->last] = (int16_t)slot;
        v->next[slot] = -1;
        e->last = (int16_t)slot;
    }
}

/* The bins' side of an update: r enters ring slot `slot`, replacing `out`
 * there when `full` (other bits than r's); z->n, qlo and qhi are already
 * those of the window with r in it (up by dq0, dq1 when it grew). */
static inline void bins_push(const fc_conf *cf, const hz_view *v, int slot, bool full,
                             double out, double r, int dq0, int dq1)
{
    fc_conf_hz *z = v->z;
    fc_conf_bin *bn = v->bn;
    uint64_t *used = v->used;
    int16_t *next = v->next;
    int bo = -1, bi = bin_of(r);
    /* without branches on the data: whether a bin empties or fills is a
     * coin toss near the quantiles, and a mispredicted branch costs more
     * than the few stores it saves. An empty bin's first and last are
     * stale, never read: its bit in used is clear and no cursor stops on it */
    if (full) {
        bo = v->rbin[slot];
        fc_conf_bin *o = bn + bo; /* slot is its oldest */
        o->first = next[slot];
        o->cnt--;
        used[bo >> 6] &= ~((uint64_t)(o->cnt == 0) << (bo & 63));
        if (bo == ZERO) /* rare outside traces of small counts: predicted */
            z->nneg0 -= signbit(out) != 0;
    }
    fc_conf_bin *e = bn + bi;
    next[slot] = -1;
    int16_t *link = e->cnt ? next + e->last : &e->first;
    *link = (int16_t)slot;
    e->cnt++;
    e->last = (int16_t)slot;
    used[bi >> 6] |= UINT64_C(1) << (bi & 63);
    v->rbin[slot] = (uint16_t)bi;
    if (bi == ZERO)
        z->nneg0 += signbit(r) != 0;
    fc_conf_cursor *cur = z->cur;
    if (!full) { /* the window grows: every insertion moves them */
        cursor_fix(cur, bn, used, z->qlo, dq0, bo, bi);
        cursor_fix(cur + 1, bn, used, z->qhi, dq1, bo, bi);
        (void)cf;
        return;
    }
    /* a cursor moves, or its bin changes, when it lies between the two
     * bins (either included): else the count below it is unchanged */
    int c0 = cur[0].bin, c1 = cur[1].bin, b0 = bo < bi ? bo : bi, b1 = bo < bi ? bi : bo;
    bool m0 = (b0 <= c0) & (c0 <= b1), m1 = (b0 <= c1) & (c1 <= b1);
    if (m0 | m1) {
        if (m0)
            cursor_fix(cur, bn, used, z->qlo, 0, bo, bi);
        if (m1)
            cursor_fix(cur + 1, bn, used, z->qhi, 0, bo, bi);
    }
}

/* Has every horizon FC_CONF_MIN residuals (the reads' fast path)? */
static int all_min(const fc_conf *cf)
{
    for (int j = 0; j < cf->H; j++)
        if (cf->hz[j].n < FC_CONF_MIN)
            return 0;
    return 1;
}

/* The residual r (finite) of one horizon joins its window. */
static inline void add_one(fc_conf *cf, const hz_view *v, double r)
{
    fc_conf_hz *z = v->z;
    int n = z->n, head = z->head, next_head = head + 1 == W ? 0 : head + 1;
    bool full = n == W;
    double out = NAN;
    int dq0 = 0, dq1 = 0;
    if (full) {
        out = v->ring[head];
        uint64_t uo, ui;
        memcpy(&uo, &out, sizeof uo);
        memcpy(&ui, &r, sizeof ui);
        if (uo == ui) {
            /* a flat stretch: the window's values, and so every read and
             * the sorted copy, stay as they are */
            requeue(v, head);
            z->head = next_head;
            return;
        }
    } else {
        z->n = ++n;
        int lo = fc_conf_rank(n, cf->plo), hi = fc_conf_rank(n, cf->phi);
        dq0 = lo - z->qlo;
        dq1 = hi - z->qhi;
        z->qlo = lo;
        z->qhi = hi;
        if (n == FC_CONF_MIN)
            cf->ready = all_min(cf); /* H times in all */
    }
    bins_push(cf, v, head, full, out, r, dq0, dq1);
    /* the sorted copy: the update logged for the next tail read; past
     * FC_CONF_LOG the copy is rebuilt then, and nothing more is logged */
    int lag = z->lag;
    if (lag <= FC_CONF_LOG) {
        if (lag < FC_CONF_LOG) {
            v->log[2 * lag] = out;
            v->log[2 * lag + 1] = r;
        }
        z->lag = lag + 1;
    }
    v->ring[head] = r;
    z->head = next_head;
}

/* Quantile tracking of the interval's ends (fc_conf.h): r against the ends
 * that stand before it joins, each end moved by FC_CONF_ETA of the
 * window's width, outward on a miss past it, inward by plo of that
 * otherwise. */
static inline void track(fc_conf *cf, fc_conf_hz *z, int j, double r, double ilo, double ihi)
{
    double qlo = fc_conf_quant(cf, j, 0), qhi = fc_conf_quant(cf, j, 1);
    double w = qhi - qlo;
    if (!(w > 0)) {
        /* no spread (a flat stretch: most of the window's errors equal,
         * an exact forecast's all 0): nothing to scale a step by, and an
         * offset left from before it would hold the interval open at its
         * old width for good (a step of 0 never takes it back) */
        z->dlo = z->dhi = 0;
        return;
    }
    /* the offsets are in window widths: the ends move with the spread */
    double lo = qlo + ilo * w, hi = qhi + ihi * w;
    z->dhi += FC_CONF_ETA * ((r > hi) - cf->plo);
    z->dlo -= FC_CONF_ETA * ((r < lo) - cf->plo);
}

void fc_conf_observe(fc_conf *cf, double y, const double *pend, int row, int nj)
{
    fc_conf_level(cf, y);
    int H = cf->H;
    /* the error's scale is the mean of the forecast's and the outcome's
     * (fc_conf.h: symmetric scaling), the outcome's computed once */
    double memo_y = NAN, memo_s = 0, sy = fc_conf_scale(cf, y);
    double level = cf->floor * (1.0 / FC_CONF_FLOOR); /* the mean |y| */
    hz_view v = {cf->hz, cf->ring, cf->rbin, cf->next, cf->bin, cf->used, cf->log};
    const double *p = pend + (size_t)row * (size_t)H;
    const double *pend_last = pend + (size_t)(H - 1) * (size_t)H;
    for (int j = 0; j < nj; j++) {
        double yhat = p[j];
        double r = (y - yhat) / (0.5 * (fc_conf_scale_memo(cf, yhat, &memo_y, &memo_s) + sy));
        if (isfinite(r)) {
            if (as_fc_rounding(y, yhat, level))
                r = 0.0; /* the last bits of an exact forecast: no error */
            if (v.z->n >= FC_CONF_MIN) { /* the offsets of p's origin, same place */
                size_t at = (size_t)(p - pend) + (size_t)j;
                track(cf, v.z, j, r, cf->ilo[at], cf->ihi[at]);
            }
            add_one(cf, &v, r);
            fc_conf_long_add(&cf->lng, j, r);
        }
        /* the next horizon: the row before (no modulo), each slice on */
        p = p == pend ? pend_last : p - H;
        v.z++;
        v.ring += W;
        v.rbin += W;
        v.next += W;
        v.bn += NB;
        v.used += NBW;
        v.log += FC_CONF_LOG * 2;
    }
}

/* Is (a, ia) before (b, ib) in (value, arrival) order? */
static inline bool before(double a, int ia, double b, int ib)
{
    return a < b || (a == b && ia < ib);
}

/* select_kth for a bin of at most SMALL values, the usual one at the
 * quantiles: the one that exactly k values come before, its
 * rank counted without branches (the older equals come before it, the
 * newer ones after). ~m^2 / 2 comparisons, against the partition's and the
 * insertion sort's data-dependent branches (callgrind: the selections of
 * an update and forecast of naive 320 -> 306 instructions; bins near the
 * quantiles of the bench series hold ~8 values when they hold 3 or more). */
#define SMALL 8
static double select_small(const double *v, int m, int k)
{
    for (int i = 0; i < m - 1; i++) {
        int c = 0;
        for (int l = 0; l < m; l++)
            c += l < i ? v[l] <= v[i] : v[l] < v[i];
        if (c == k)
            return v[i];
    }
    return v[m - 1]; /* the only one left */
}

/* The k-th (from 0) of the m values v[] in (value, arrival) order, where
 * v[] is in arrival order: quickselect on (value, index), O(m) expected,
 * insertion sort for a few. Reorders v and ix. */
static double select_kth(double *v, int *ix, int m, int k)
{
    int lo = 0, hi = m - 1;
    while (hi - lo > 8) {
        int mid = lo + (hi - lo) / 2;
        double pv = v[mid];
        int pi = ix[mid], a = lo, b = hi;
        while (a <= b) {
            while (before(v[a], ix[a], pv, pi))
                a++;
            while (before(pv, pi, v[b], ix[b]))
                b--;
            if (a <= b) {
                double tv = v[a];
                int ti = ix[a];
                v[a] = v[b];
                ix[a] = ix[b];
                v[b] = tv;
                ix[b] = ti;
                a++;
                b--;
            }
        }
        if (k <= b)
            hi = b;
        else if (k >= a)
            lo = a;
        else
            return v[k];
    }
    for (int i = lo + 1; i <= hi; i++) {
        double tv = v[i];
        int ti = ix[i], p = i;
        for (; p > lo && before(tv, ti, v[p - 1], ix[p - 1]); p--) {
            v[p] = v[p - 1];
            ix[p] = ix[p - 1];
        }
        v[p] = tv;
        ix[p] = ti;
    }
    return v[k];
}

/* The k-th value of bin e (in order) when it is v0, the largest value
 * below v0 or the smallest above it: one pass counting the values below
 * and at v0 (exact for any v0; the cursor's last value is the likely one,
 * an update moving its rank by one at most). In a bin of many residuals
 * (errors that vary little and drift one way: naive on a ramp without
 * noise, where a few hundred of the 500 share a bin 2.2 % wide and the
 * quantile's residual changes at every update) a copy and a quickselect
 * cost ~30 instructions a residual, this pass ~8. false: none of the
 * three (the caller selects). Not for the zero bin, where +0 and -0 are
 * equal values of other bits. */
static bool near_last(const fc_conf *cf, int j, const fc_conf_bin *e, int k, double v0,
                      double *q)
{
    const double *ring = cf->ring + (size_t)j * W;
    const int16_t *next = cf->next + (size_t)j * W;
    if (isnan(v0))
        return false; /* (never stored; a guard, as no count would place it) */
    int lt = 0, le = 0;
    double below = -INFINITY, above = INFINITY;
    for (int s = e->first; s >= 0; s = next[s]) {
        double x = ring[s];
        lt += x < v0;
        le += x <= v0;
        below = x < v0 && x > below ? x : below;
        above = x > v0 && x < above ? x : above;
    }
    if (lt <= k && k < le)
        *q = v0;
    else if (k == lt - 1)
        *q = below;
    else if (k == le)
        *q = above;
    else
        return false;
    return true;
}

double fc_conf_bins_select(const fc_conf *cf, int j, int which)
{
    fc_conf_hz *z = cf->hz + j;
    fc_conf_cursor *c = z->cur + which;
    int b = c->bin, k = (which ? z->qhi : z->qlo) - c->below;
    const fc_conf_bin *e = cf->bin + (size_t)j * NB + b;
    double q;
    if (b == ZERO && z->nneg0 == 0) {
        q = 0.0; /* a bin of +0 alone: nothing to select */
    } else if (e->cnt == 1) {
        q = cf->ring[(size_t)j * W + (size_t)e->first];
    } else if (e->cnt == 2) { /* the common case at the quantiles */
        const double *ring = cf->ring + (size_t)j * W;
        double a = ring[e->first], b2 = ring[e->last];
        /* first is the older: it comes first when not above last */
        q = (a <= b2) == (k == 0) ? a : b2;
    } else if (b == ZERO || e->cnt <= SMALL || !near_last(cf, j, e, k, c->v, &q)) {
        const double *ring = cf->ring + (size_t)j * W;
        const int16_t *next = cf->next + (size_t)j * W;
        double v[W];
        int ix[W], m = 0;
        for (int s = e->first; s >= 0; s = next[s]) {
            v[m] = ring[s];
            ix[m] = m;
            m++;
        }
        q = m <= SMALL ? select_small(v, m, k) : select_kth(v, ix, m, k);
    }
    c->v = q;
    c->stale = 0;
    return q;
}

void fc_conf_bins_sorted(const fc_conf *cf, int j, double *s)
{
    const fc_conf_bin *bn = cf->bin + (size_t)j * NB;
    const uint64_t *used = cf->used + (size_t)j * NBW;
    const double *ring = cf->ring + (size_t)j * W;
    const int16_t *next = cf->next + (size_t)j * W;
    int n = 0;
    for (int w = 0; w < NBW; w++)
        for (uint64_t m = used[w]; m; m &= m - 1) {
            int b = (w << 6) + __builtin_ctzll(m);
            for (int sl = bn[b].first; sl >= 0; sl = next[sl])
                s[n++] = ring[sl];
        }
    /* bins in order, each in arrival order: a stable insertion sort only
     * reorders within bins (equal values never move past each other) */
    for (int i = 1; i < n; i++) {
        double t = s[i];
        int p = i;
        for (; p > 0 && t < s[p - 1]; p--)
            s[p] = s[p - 1];
        s[p] = t;
    }
}
