/* sim_des_hist.c - the log-linear response-time histogram of the
 * request-level model (see sim_des.h): fixed memory, O(1) record, quantiles
 * within 1/256 of the true value, exact extremes. */
#include "sim_des_int.h"

#include <stdlib.h>

#include <math.h>
#include <string.h>

/* Midpoint of the integers in bucket i, us. */
static double hist_mid(int i)
{
    if (i < 256)
        return (double)i;
    int shift = (i >> SIM_DES_HIST_SUB_BITS) - 1;
    int64_t sub = (i & ((1 << SIM_DES_HIST_SUB_BITS) - 1)) + (1 << SIM_DES_HIST_SUB_BITS);
    int64_t lo = sub << shift, width = (int64_t)1 << shift;
    return (double)lo + (double)(width - 1) / 2.0;
}

void sim_des_hist_reset(sim_des_hist *h)
{
    if (h->lo <= h->hi)
        memset(&h->counts[h->lo], 0, (size_t)(h->hi - h->lo + 1) * sizeof h->counts[0]);
    h->n = h->over = 0;
    h->sum = 0;
    h->min = INT64_MAX; /* see sim_des_hist_record */
    h->max = -1;
    h->lo = SIM_DES_HIST_BUCKETS;
    h->hi = -1;
}

void sim_des_hist_merge(sim_des_hist *into, const sim_des_hist *from)
{
    if (from->n == 0)
        return;
    for (int i = from->lo; i <= from->hi; i++)
        into->counts[i] += from->counts[i];
    if (from->lo < into->lo)
        into->lo = from->lo;
    if (from->hi > into->hi)
        into->hi = from->hi;
    if (into->n == 0 || from->min < into->min)
        into->min = from->min;
    if (into->n == 0 || from->max > into->max)
        into->max = from->max;
    into->n += from->n;
    into->over += from->over;
    into->sum += from->sum;
}

double sim_des_hist_quantile2(const sim_des_hist *a, const sim_des_hist *b, double p)
{
    uint64_t n = a->n + (b ? b->n : 0);
    if (n == 0 || !(p >= 0) || p > 1)
        return NAN;
    int lo = a->lo, hi = a->hi;
    as_time mn = a->min, mx = a->max;
    if (b && b->n) {
        if (a->n == 0) {
            lo = b->lo, hi = b->hi, mn = b->min, mx = b->max;
        } else {
            lo = b->lo < lo ? b->lo : lo;
            hi = b->hi > hi ? b->hi : hi;
            mn = b->min < mn ? b->min : mn;
            mx = b->max > mx ? b->max : mx;
        }
    }
    uint64_t rank = (uint64_t)ceil(p * (double)n);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    /* the extremes are kept exactly: p = 0 and p = 1 need no bucket */
    if (rank == 1)
        return (double)mn * 1e-6;
    if (rank == n)
        return (double)mx * 1e-6;
    uint64_t cum = 0;
    int i = lo;
    for (; i <= hi; i++) {
        cum += a->counts[i] + (b ? b->counts[i] : 0);
        if (cum >= rank)
            break;
    }
    double v = hist_mid(i <= hi ? i : hi);
    /* the true value lies in the bucket and in [min, max]: clamping can only
     * bring the estimate closer */
    if (v < (double)mn)
        v = (double)mn;
    if (v > (double)mx)
        v = (double)mx;
    return v * 1e-6;
}

double sim_des_hist_quantile(const sim_des_hist *h, double p)
{
    return sim_des_hist_quantile2(h, NULL, p);
}


sim_des_hist *des_hist_new(void)
{
    sim_des_hist *h = malloc(sizeof *h);
    if (h) {
        memset(h->counts, 0, sizeof h->counts);
        h->lo = 0;
        h->hi = -1;
        sim_des_hist_reset(h);
    }
    return h;
}

void sim_des_hist_record_n(sim_des_hist *h, as_time v, uint64_t n)
{
    if (n == 0)
        return;
    if (v < 0)
        v = 0;
    if (v > SIM_DES_HIST_MAX) {
        v = SIM_DES_HIST_MAX;
        h->over += n;
    }
    int i = sim_des_hist_index(v);
    h->counts[i] += n;
    if (i < h->lo)
        h->lo = i;
    if (i > h->hi)
        h->hi = i;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->n += n;
    h->sum += (double)v * (double)n;
}
