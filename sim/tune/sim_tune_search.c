/* sim_tune_search.c - which configurations a tune runs, and how they rank.
 *
 * Why this search: a configuration's cost and verdict are piecewise
 * constant in its keys (replica counts are integers, windows act on the
 * 15 s sync period, and "meets the SLO" is a step), so a gradient-free
 * local method on a penalised objective (GSL's Nelder-Mead simplex) stalls
 * on plateaus and at the SLO step, and it evaluates one point at a time
 * (n + 1, then one or two per iteration), which leaves the batch's cores
 * and MPI ranks idle. Successive halving as in Hyperband spends a small
 * budget on many configurations first; here the only cheap budget is a
 * shorter trace, and a prefix of a trace is not a smaller sample of it (the
 * first hours of spike.ini are night: every configuration passes).
 * So every run uses the whole search part, and the halving is of the
 * survivors and of the box they are searched in:
 *   rung 0: n0 points of a Sobol sequence over the unit cube of the keys
 *           (space-filling: every box of a 2^m grid gets its share), plus
 *           the scenario's own configuration;
 *   rung k: the best S0 / 2^(k-1) configurations so far (S0 = n0 / 4),
 *           each with (n0 / 2) / survivors new Sobol points in a box of
 *           width 2^-(k+1) around it, clipped to the cube;
 * until a box spans fewer than two resolution steps of every key. With
 * n0 = 64 and six keys: 64 + 4 x 32 = 192 runs, where the grid at the same
 * resolution has 10^9. Every rung is one batch: all cores, MPI ranks. The
 * sequence is deterministic (no scrambling, no random draw), so a resumed
 * tune plans the same runs. */
#include "sim_tune_int.h"

#include <gsl/gsl_qrng.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

sim_tune_score sim_tune_score_of(const sim_summary_row *r)
{
    /* The objective's inputs. meets_slo is the summary's one verdict
     * (window compliance against the SLO's objective, sim_summary.h); the
     * violation in seconds stays "how far from meeting it" among those
     * that miss. */
    sim_tune_score s = {.meets = r->meets_slo != 0,
                        .cost = r->cost_total,
                        .infra = r->cost_infra,
                        .miss = r->slo_violation_s};
    return s;
}

int sim_tune_meets(const sim_summary_row *r) { return sim_tune_score_of(r).meets; }

sim_tune_heldout sim_tune_heldout_of(const sim_summary_row *tuned, const sim_summary_row *dflt)
{
    sim_tune_score t = sim_tune_score_of(tuned), d = sim_tune_score_of(dflt);
    if (t.meets)
        return !d.meets || t.cost < d.cost ? SIM_HELDOUT_CONFIRMED : SIM_HELDOUT_COSTS_MORE;
    return !d.meets && t.miss <= d.miss && t.cost < d.cost ? SIM_HELDOUT_BETTER
                                                           : SIM_HELDOUT_MISSES;
}

static int cmp_d(double a, double b) { return a < b ? -1 : a > b ? 1 : 0; }

int sim_tune_cmp(const sim_summary_row *a, const sim_summary_row *b)
{
    sim_tune_score x = sim_tune_score_of(a), y = sim_tune_score_of(b);
    if (x.meets != y.meets)
        return x.meets ? -1 : 1;
    if (x.meets)
        return cmp_d(x.cost, y.cost);
    int c = cmp_d(x.miss, y.miss);
    return c ? c : cmp_d(x.cost, y.cost);
}

int tune_best(const sim_tune_result *r)
{
    int best = -1;
    for (int i = 0; i < r->npoints; i++)
        if (best < 0 || sim_tune_cmp(&r->points[i].row, &r->points[best].row) < 0)
            best = i;
    return best;
}

int sim_tune_frontier(sim_tune_result *r)
{
    int n = 0;
    for (int i = 0; i < r->npoints; i++) {
        sim_tune_score a = sim_tune_score_of(&r->points[i].row);
        int dominated = 0;
        for (int j = 0; j < r->npoints && !dominated; j++) {
            sim_tune_score b = sim_tune_score_of(&r->points[j].row);
            dominated = b.infra <= a.infra && b.miss <= a.miss &&
                        (b.infra < a.infra || b.miss < a.miss || j < i);
        }
        r->points[i].frontier = !dominated;
        n += !dominated;
    }
    return n;
}

int sim_tune_same_row(const sim_summary_row *a, const sim_summary_row *b)
{
    static const size_t dbl[] = {
        offsetof(sim_summary_row, cost_infra),     offsetof(sim_summary_row, cost_penalty),
        offsetof(sim_summary_row, cost_total),     offsetof(sim_summary_row, slo_violation_s),
        offsetof(sim_summary_row, slo_violation_pct), offsetof(sim_summary_row, p50),
        offsetof(sim_summary_row, p95),            offsetof(sim_summary_row, p99),
        offsetof(sim_summary_row, latency_max),    offsetof(sim_summary_row, dropped),
        offsetof(sim_summary_row, mean_instances), offsetof(sim_summary_row, peak_instances),
        offsetof(sim_summary_row, theta_u),        offsetof(sim_summary_row, theta_o),
        offsetof(sim_summary_row, tau_u),          offsetof(sim_summary_row, tau_o),
        offsetof(sim_summary_row, instability),    offsetof(sim_summary_row, jitter),
        offsetof(sim_summary_row, forecast_mase),  offsetof(sim_summary_row, clamped)};
    for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++) {
        double x, y;
        memcpy(&x, (const char *)a + dbl[i], sizeof x);
        memcpy(&y, (const char *)b + dbl[i], sizeof y);
        if (memcmp(&x, &y, sizeof x) != 0 && !(isnan(x) && isnan(y)))
            return 0;
    }
    return a->actions == b->actions && a->meets_slo == b->meets_slo && a->faults == b->faults &&
           strcmp(a->kind, b->kind) == 0;
}

static int design_size(const sim_tune_result *r, const sim_tune_opts *o)
{
    if (o->n0 > 0)
        return o->n0;
    return r->ndim <= 2 ? 32 : 64;
}

/* Width of rung k's boxes in the unit cube. */
static double box_width(int k) { return ldexp(1.0, -(k + 1)); }

int tune_rung_count(const sim_tune_result *r, const sim_tune_opts *o)
{
    int s0 = design_size(r, o) / 4, k = 1;
    for (; s0 >> (k - 1) >= 1; k++) {
        if (o->rungs > 0 && k > o->rungs)
            break;
        double widest = 0; /* resolution steps the box spans, in its widest key */
        for (int i = 0; i < r->ndim; i++) {
            const sim_tune_dim *d = &r->dim[i];
            double steps = box_width(k) * (d->hi - d->lo) / d->step;
            widest = steps > widest ? steps : widest;
        }
        if (widest < 2)
            break;
    }
    return k; /* rung 0 and rungs 1 .. k-1 */
}

/* Points first..first+n-1 of a d-dimensional Sobol sequence. */
static void sobol(int d, int first, int n, double *out)
{
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d);
    double v[SIM_TUNE_MAXDIM];
    for (int i = 0; q && i < first + n; i++) {
        gsl_qrng_get(q, v);
        if (i >= first)
            memcpy(out + (size_t)(i - first) * SIM_TUNE_MAXDIM, v, sizeof(double) * (size_t)d);
    }
    gsl_qrng_free(q);
}

/* Indices of the points sorted best first (qsort_r: glibc's, with a context). */
static int by_rank(const void *a, const void *b, void *ctx)
{
    const sim_tune_result *r = ctx;
    int i = *(const int *)a, j = *(const int *)b;
    int c = sim_tune_cmp(&r->points[i].row, &r->points[j].row);
    return c ? c : (i > j) - (i < j);
}

int tune_candidates(const sim_tune_result *r, const sim_tune_opts *o, int k, double *u, int max)
{
    int n0 = design_size(r, o), d = r->ndim;
    if (k == 0) {
        int n = n0 + 1 > max ? max : n0 + 1;
        for (int i = 0; i < d; i++) /* the scenario's own configuration first */
            u[i] = fmin(1, fmax(0, tune_unit(&r->dim[i], r->dflt_x[i])));
        sobol(d, 1, n - 1, u + SIM_TUNE_MAXDIM); /* point 0 of Sobol is the corner 0 */
        return n;
    }
    if (k >= tune_rung_count(r, o) || r->npoints == 0)
        return 0;
    int surv = (n0 / 4) >> (k - 1), each = (n0 / 2) / (surv > 0 ? surv : 1);
    if (surv > r->npoints)
        surv = r->npoints;
    int *idx = malloc(sizeof *idx * (size_t)r->npoints);
    double *q = malloc(sizeof *q * SIM_TUNE_MAXDIM * (size_t)(each > 0 ? each : 1));
    if (idx == NULL || q == NULL) {
        free(idx);
        free(q);
        return -1;
    }
    for (int i = 0; i < r->npoints; i++)
        idx[i] = i;
    qsort_r(idx, (size_t)r->npoints, sizeof *idx, by_rank, (void *)r);
    sobol(d, 1, each, q);
    int n = 0;
    double w = box_width(k);
    for (int s = 0; s < surv; s++) {
        const sim_tune_point *c = &r->points[idx[s]];
        for (int j = 0; j < each && n < max; j++, n++)
            for (int i = 0; i < d; i++) {
                double x = tune_unit(&r->dim[i], c->x[i]) + (q[j * SIM_TUNE_MAXDIM + i] - 0.5) * w;
                u[(size_t)n * SIM_TUNE_MAXDIM + i] = fmin(1, fmax(0, x));
            }
    }
    free(idx);
    free(q);
    return n;
}
