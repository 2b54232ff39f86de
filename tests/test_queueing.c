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

Test(queueing, kimura_is_exact_at_c1_and_for_mmc)
{
    /* c = 1: Pollaczek-Khinchine, W = rho (1 + cs2) / (2 mu (1 - rho)) */
    const double cs2s[] = {0.0, 0.25, 1.0, 4.0};
    for (int k = 0; k < 4; k++) {
        double pk = 0.8 * (1 + cs2s[k]) / (2 * 10.0 * 0.2);
        cr_assert_float_eq(as_wq_mgc(1, 0.8, 10.0, cs2s[k]), pk, 1e-12 * pk, "cs2 %g", cs2s[k]);
    }
    /* cs2 = 1: exact M/M/c */
    cr_assert_float_eq(as_wq_mgc(10, 9.0, 10.0, 1.0), as_erlang_c(10, 9.0) / 10.0, 1e-15);
    /* Cosmetatos' M/D/c at c = 4, rho = 0.8 against a long simulation (4 x 1e7
     * customers: 0.3857 +- 0.0018 service times): within 1 % */
    cr_assert(fabs(as_wq_mdc(4, 3.2, 1.0) / 0.385658 - 1) < 0.01, "%g", as_wq_mdc(4, 3.2, 1.0));
    /* saturated: infinite, never 0 */
    cr_assert(isinf(as_wq_mgc(4, 4.0, 1.0, 2.0)));
    as_mgc_wait w;
    as_mgc_wait_params(&w, 90, 10, 10, 1.0);
    cr_assert_float_eq(w.kappa * w.pw, w.ew, 1e-15);
    cr_assert_float_eq(w.kappa, 1.0 / (100 - 90), 1e-12); /* M/M/c: E[W | W > 0] = 1/(c mu - lambda) */
}

Test(queueing, fluid_backlog_with_patience)
{
    /* overload from empty, rho1 = 1.5 for d1 = 600 then 0.5 for 600, c mu =
     * 32/s, patience 2 s: abandoned = (rho1 - 1) c mu d1 - c mu T exactly */
    double q = 0, lost = 0, cmu = 32, T = 2, dt = 0.5;
    for (double t = 0; t < 1200 - 1e-9; t += dt)
        lost += as_fluid_tick(&q, (t < 600 ? 1.5 : 0.5) * cmu, cmu, T, dt);
    cr_assert_float_eq(lost, 0.5 * cmu * 600 - cmu * T, 1e-9);
    cr_assert_float_eq(q, 0.0, 1e-12);
    /* sustained overload: the backlog stays at c mu T, a share 1 - c mu /
     * lambda gives up */
    q = 0;
    double arrived = 0;
    lost = 0;
    for (int k = 0; k < 10000; k++) {
        lost += as_fluid_tick(&q, 40, cmu, T, dt);
        arrived += 40 * dt;
    }
    cr_assert_float_eq(q, cmu * T, 1e-9);
    cr_assert_float_eq(lost / arrived, 1 - cmu / 40, 1e-3);
    /* no patience: the backlog grows */
    q = 0;
    as_fluid_tick(&q, 40, cmu, 0, 10);
    cr_assert_float_eq(q, 80, 1e-12);
}
