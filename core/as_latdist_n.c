/* as_latdist_n.c - several latency laws at a time (see as_latdist.h).
 *
 * A law's total and its running sums are a chain of additions, each
 * waiting for the last (some 4 cycles an addition): walking three laws in
 * step runs three independent chains at once, where the processor had
 * one. Each law's sums are the same additions in the same order as the
 * one-law functions', so every answer is the same to the bit. */
#include "as_latdist_int.h"

#include <math.h>
#include <string.h>

/* For c < n: start[c] = d[c]'s mass at 0, lo[c] its first point, len[c]
 * its points; returns the fewest points of them (the part walked in step). */
static int ranges_n(as_latdist *const *d, int n, double *start, int *lo, int *len)
{
    int both = AS_LD_N;
    for (int c = 0; c < n; c++) {
        start[c] = d[c]->zero;
        lo[c] = d[c]->lo;
        len[c] = d[c]->hi >= d[c]->lo ? d[c]->hi - d[c]->lo + 1 : 0;
        both = len[c] < both ? len[c] : both;
    }
    return both;
}

/* tot[c] = as_latdist_total(d[c]) for c < n (n <= 3), the chains in step */
static void totals_n(as_latdist *const *d, int n, double *tot)
{
    double s[3] = {0, 0, 0};
    int lo[3] = {0, 0, 0}, len[3] = {0, 0, 0}, both = ranges_n(d, n, s, lo, len);
    int j = 0;
    if (n == 3) {
        const double *a = d[0]->m + lo[0], *b = d[1]->m + lo[1], *e = d[2]->m + lo[2];
        for (; j < both; j++) {
            s[0] += a[j];
            s[1] += b[j];
            s[2] += e[j];
        }
    }
    for (int c = 0; c < n; c++) {
        for (int k = j; k < len[c]; k++)
            s[c] += d[c]->m[lo[c] + k];
        tot[c] = s[c];
    }
}

typedef double v2n __attribute__((vector_size(16)));

void as_latdist_normalize_n(as_latdist *const *d, int n, double *tot)
{
    totals_n(d, n, tot);
    for (int c = 0; c < n; c++) {
        if (!(tot[c] > 0))
            continue;
        double inv = 1.0 / tot[c], *m = d[c]->m; /* as as_latdist_normalize */
        d[c]->zero *= inv;
        v2n vs = {inv, inv};
        int k = d[c]->lo, hi = d[c]->hi;
        for (; k + 1 <= hi; k += 2) { /* (a lane multiplies as the scalar loop does) */
            v2n x;
            memcpy(&x, m + k, sizeof x);
            x *= vs;
            memcpy(m + k, &x, sizeof x);
        }
        for (; k <= hi; k++)
            m[k] *= inv;
    }
}

void as_latdist_quantile_n(as_latdist *const *d, int n, double p, double *q)
{
    double P[3][AS_LD_N + 1], cum[3] = {0, 0, 0};
    int lo[3] = {0, 0, 0}, len[3] = {0, 0, 0}, both = ranges_n(d, n, cum, lo, len);
    int j = 0;
    if (n == 3) {
        const double *a = d[0]->m + lo[0], *b = d[1]->m + lo[1], *e = d[2]->m + lo[2];
        double *pa = P[0] + lo[0], *pb = P[1] + lo[1], *pe = P[2] + lo[2];
        for (; j < both; j++) {
            pa[j] = cum[0];
            pb[j] = cum[1];
            pe[j] = cum[2];
            cum[0] += a[j];
            cum[1] += b[j];
            cum[2] += e[j];
        }
    }
    for (int c = 0; c < n; c++) {
        for (int k = j; k < len[c]; k++) {
            P[c][lo[c] + k] = cum[c];
            cum[c] += d[c]->m[lo[c] + k];
        }
        if (len[c] > 0)
            P[c][d[c]->hi + 1] = cum[c];
        q[c] = cum[c] > 0 ? as_ld_quantile_at(d[c], P[c], p * cum[c]) : NAN;
    }
}

void as_latdist_prune_n(as_latdist *const *d, int n, double eps_lo, double eps_hi)
{
    double tot[3];
    totals_n(d, n, tot);
    for (int c = 0; c < n; c++) { /* as_latdist_prune, its total given */
        as_latdist *x = d[c];
        double acc = 0;
        while (x->lo < x->hi && acc + x->m[x->lo] < eps_lo * tot[c]) {
            acc += x->m[x->lo];
            x->m[x->lo] = 0;
            x->lo++;
        }
        x->zero += acc;
        acc = 0;
        while (x->hi > x->lo && acc + x->m[x->hi] < eps_hi * tot[c]) {
            acc += x->m[x->hi];
            x->m[x->hi] = 0;
            x->hi--;
        }
        if (x->lo <= x->hi)
            x->m[x->hi] += acc;
    }
}
