/* test_queueing.c - Erlang B/C and M/M/c formulas against known values. */
#include "as_queueing.h"

#include <criterion/criterion.h>
#include <math.h>

Test(queueing, erlang_c_known_value)
{
    /* c = 10 servers, offered load a = 9 Erlang: P(wait) = 0.6687 */
    cr_assert_float_eq(as_erlang_c(10, 9.0), 0.6687, 5e-5);
    /* one server: P(wait) = rho */
    cr_assert_float_eq(as_erlang_c(1, 0.7), 0.7, 1e-12);
    /* saturated: always waits */
    cr_assert_eq(as_erlang_c(4, 4.0), 1.0);
    cr_assert_eq(as_erlang_c(4, 0.0), 0.0);
}

Test(queueing, erlang_b_matches_factorial_form)
{
    /* B(c, a) = (a^c / c!) / sum_{k<=c} a^k / k! for a small case */
    double a = 3.0, num = 1, sum = 1;
    for (int k = 1; k <= 5; k++) {
        num *= a / k;
        sum += num;
    }
    cr_assert_float_eq(as_erlang_b(5, a), num / sum, 1e-12);
    /* stable where factorials overflow */
    double b = as_erlang_b(2000, 1900.0);
    cr_assert(b > 0 && b < 1);
}

Test(queueing, mmc_mean_wait_and_tail)
{
    as_mmc q;
    as_mmc_solve(&q, 90.0, 10.0, 10, 1.0);
    cr_assert(q.stable);
    /* W_q = C / (c mu - lambda) = 0.6687 / 10 */
    cr_assert_float_eq(q.wq, as_erlang_c(10, 9.0) / 10.0, 1e-12);
    cr_assert_float_eq(q.w, q.wq + 0.1, 1e-12);
    /* the p-quantile inverts the tail */
    for (double p = 0.5; p < 0.999; p += 0.07) {
        double t = as_mmc_resp_quantile(&q, p);
        cr_assert_float_eq(as_mmc_resp_tail(&q, t), 1.0 - p, 1e-9, "p=%g", p);
        double tw = as_mmc_wait_quantile(&q, p);
        if (tw > 0)
            cr_assert_float_eq(as_mmc_wait_tail(&q, tw), 1.0 - p, 1e-12);
    }
    /* theta == mu limit is continuous */
    double t1 = as_resp_tail(10.0, 0.5, 10.0, 0.3), t2 = as_resp_tail(10.0, 0.5, 10.0 + 1e-7, 0.3);
    cr_assert_float_eq(t1, t2, 1e-6);
}

Test(queueing, unstable_is_infinite_not_zero)
{
    as_mmc q;
    as_mmc_solve(&q, 100.0, 10.0, 10, 1.0);
    cr_assert_not(q.stable);
    cr_assert(isinf(as_mmc_resp_quantile(&q, 0.95)));
    cr_assert_eq(as_mmc_resp_tail(&q, 1e6), 1.0);
}

Test(queueing, allen_cunneen_scales_waits)
{
    as_mmc m, d;
    as_mmc_solve(&m, 8.0, 1.0, 10, 1.0);
    as_mmc_solve(&d, 8.0, 1.0, 10, 0.5); /* deterministic service: (1 + 0)/2 */
    cr_assert_float_eq(d.wq, 0.5 * m.wq, 1e-12);
}

Test(queueing, min_servers_is_least)
{
    double lambda = 90, mu = 10, p = 0.95, target = 0.35; /* service alone: 0.2996 */
    int c = as_mmc_min_servers(lambda, mu, 1.0, p, target, 1000);
    as_mmc q;
    as_mmc_solve(&q, lambda, mu, c, 1.0);
    cr_assert_leq(as_mmc_resp_quantile(&q, p), target);
    as_mmc_solve(&q, lambda, mu, c - 1, 1.0);
    cr_assert(!q.stable || as_mmc_resp_quantile(&q, p) > target);
    /* a target below what service alone allows is out of reach */
    cr_assert_eq(as_mmc_min_servers(lambda, mu, 1.0, p, 0.01, 1000), 1001);
}

Test(queueing, erlang_b_fast_path_matches_the_plain_recursion)
{
    /* the division-free recursion, and its start near the load for large
     * loads, against the textbook recursion over a wide grid */
    double worst = 0;
    for (int c = 1; c < 3000; c += 7)
        for (double a = 0.5; a < 3000; a *= 1.13) {
            double b = 1;
            for (int k = 1; k <= c; k++)
                b = a * b / (k + a * b);
            if (b < 1e-200)
                continue;
            double e = fabs(as_erlang_b(c, a) - b) / b;
            if (e > worst)
                worst = e;
        }
    cr_assert_lt(worst, 1e-11, "worst relative error %g", worst);
}
