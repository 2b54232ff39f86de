/* test_metrics.c - SPEC elasticity metrics and ranking against values
 * computed by hand. */
#include "as_quality.h"

#include <criterion/criterion.h>
#include <math.h>

static as_quality_result run(const double *d, const double *s, int n, double dt)
{
    as_quality q;
    as_quality_init(&q);
    for (int i = 0; i < n; i++)
        as_quality_add(&q, d[i], s[i], dt);
    as_quality_result r;
    as_quality_result_get(&q, &r);
    return r;
}

Test(metrics, hand_computed_series)
{
    /* d: 2 2 4 4, s: 2 3 3 4, one minute each (T = 240 s)
     * under:  t3 (4-3)/4 * 60 = 15        -> theta_U = 100 * 15/240 = 6.25
     * over:   t2 (3-2)/2 * 60 = 30        -> theta_O = 12.5
     * timeshares: one minute each        -> 25 %, 25 %
     * sgn ds: +,0,+  sgn dd: 0,+,0: all three steps differ -> 100 % of T - dt
     * jitter: (2 supply changes - 1 demand change) / 4 min = 0.25 per minute */
    double d[] = {2, 2, 4, 4}, s[] = {2, 3, 3, 4};
    as_quality_result r = run(d, s, 4, 60);
    cr_assert_float_eq(r.theta_u, 6.25, 1e-12);
    cr_assert_float_eq(r.theta_o, 12.5, 1e-12);
    cr_assert_float_eq(r.tau_u, 25.0, 1e-12);
    cr_assert_float_eq(r.tau_o, 25.0, 1e-12);
    cr_assert_float_eq(r.instability, 100.0, 1e-12);
    cr_assert_float_eq(r.jitter, 0.25, 1e-12);
}

Test(metrics, edge_cases)
{
    /* zero demand: over-provisioning normalised by one instance */
    double d0[] = {0, 0}, s0[] = {2, 2};
    as_quality_result r = run(d0, s0, 2, 10);
    cr_assert_float_eq(r.theta_o, 200.0, 1e-12);
    cr_assert_float_eq(r.tau_o, 100.0, 1e-12);
    cr_assert_eq(r.theta_u, 0.0);
    /* one sample: no step, so no instability */
    double d1[] = {3}, s1[] = {1};
    r = run(d1, s1, 1, 60);
    cr_assert_float_eq(r.theta_u, 100.0 * 2.0 / 3.0, 1e-12);
    cr_assert_eq(r.instability, 0.0);
    /* a perfect, constant autoscaler scores zero everywhere */
    double dc[] = {5, 5, 5}, sc[] = {5, 5, 5};
    r = run(dc, sc, 3, 60);
    cr_assert(r.theta_u == 0 && r.theta_o == 0 && r.tau_u == 0 && r.tau_o == 0 &&
              r.instability == 0 && r.jitter == 0);
    /* no samples at all: zeros, never NaN */
    r = run(dc, sc, 0, 60);
    cr_assert(!isnan(r.theta_u) && r.theta_u == 0);
}

Test(metrics, ranking)
{
    double base[] = {2, 4, 0, 1}, k[] = {1, 2, 3, 0};
    /* a zero has no ratio: undefined, never silently skipped for one pair
     * (sim_rank passes the metrics positive in every run) */
    cr_assert(isnan(as_elastic_speedup(base, k, 4)));
    /* the positive pairs: geometric mean of 2 and 2 */
    cr_assert_float_eq(as_elastic_speedup(base, k, 2), 2.0, 1e-12);
    cr_assert_float_eq(as_elastic_speedup(k, k, 3), 1.0, 1e-12);
    double v[] = {3, 4};
    cr_assert_float_eq(as_deviation(v, 2), 5.0, 1e-12);
}

Test(metrics, billing)
{
    cr_assert_eq(as_billed_seconds(61.2, 1, 60), 62);
    cr_assert_eq(as_billed_seconds(10, 1, 60), 60);
    cr_assert_eq(as_billed_seconds(3601, 3600, 0), 7200);
    cr_assert_eq(as_billed_seconds(3600, 3600, 0), 3600);
}
