/* as_latdist_n.c - several latency laws at a time (see as_latdist.h).
 *
 * A law's total and its running sums are a chain of additions, each
 * waiting for the last (some 4 cycles an addition): walking three laws in
 * step runs three independent chains at once, where the processor had
 * one. Each law's sums are the same additions in the same order as the
 * one-law functions', so every answer is the same to the bit. */
#include "as_latdist_int.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

static double lnr_n; /* log of the grid's ratio, as as_latdist.c has it */
static pthread_once_t once_n = PTHREAD_ONCE_INIT;

static void build_n(void) { lnr_n = log(pow(10.0, 1.0 / AS_LD_PER_DEC)); }

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

/* The p-quantile of d from its running sums P (as as_latdist_quantiles) */
static double quantile_from(const as_latdist *d, const double *P, double tot, double p)
{
    int lo = d->lo, hi = d->hi;
    if (!(tot > 0))
        return NAN;
    double target = p * tot;
    if (d->zero >= target)
        return d->shift;
    if (!(lo <= hi && P[hi + 1] >= target)) /* (rounding: p = 1) */
        return d->shift + as_latdist_x(hi > 0 ? hi : 0);
    int a = as_ld_first_at(P, lo, hi, target);
    double f = (target - P[a]) / d->m[a]; /* position within the cell */
    return d->shift + AS_LD_X0 * exp(lnr_n * (a - 0.5 + f));
}

void as_latdist_quantile_n(as_latdist *const *d, int n, double p, double *q)
{
    pthread_once(&once_n, build_n);
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
        q[c] = quantile_from(d[c], P[c], cum[c], p);
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
