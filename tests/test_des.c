/* test_des.c - the request-level model (sim_des) against queueing theory and
 * against its own invariants: M/M/c cross-validation with Erlang C (batch
 * means), deterministic service against Allen-Cunneen, overload and drain,
 * drops, capacity drops, tiers in series, determinism, histogram error.
 *
 * Statistical bands. A steady-state run is cut into B = 20 batches after a
 * warm-up; the batch means are close to independent when a batch is much
 * longer than the queue's relaxation time (about 1/(c mu (1 - sqrt rho)^2):
 * 15 s at lambda 90, 9 s at lambda 8, against batches of 500 s and more).
 * The estimate is the mean of the batch means, its standard error s/sqrt(B),
 * and the band 4 standard errors: t(19) puts 99.9% of a correct model's runs
 * inside 3.88, so with a fixed seed the test fails for a real bias, not for
 * noise. Each test also asserts that the band is narrow (a few % of the
 * value), so that it can fail. Quantiles add the histogram's own bound
 * (SIM_DES_HIST_REL_ERR, 0.39%) to the band. Figures go to cr_log_info (run
 * with --verbose to see them). */
#include "as_queueing.h"
#include "sim_des.h"
#include "sim_des_rng.h"
#include "sim_scenario.h"

#include <criterion/criterion.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NB 20

static sim_des *mk(int n, const sim_des_tier *t, uint64_t seed)
{
    as_err err = {0};
    sim_des *d = sim_des_new(n, t, seed, &err);
    cr_assert_not_null(d, "sim_des_new: %s", err.msg);
    return d;
}

static void adv(sim_des *d, as_time t0, as_time t1, double lambda, const int *ready)
{
    as_err err = {0};
    int rc = sim_des_advance(d, t0, t1, lambda, ready, &err);
    cr_assert_eq(rc, AS_OK, "advance: %s", err.msg);
}

typedef struct band {
    double mean, se; /* mean of the batch values, its standard error */
} band;

static band batch_band(const double *x, int n)
{
    double m = 0, v = 0;
    for (int i = 0; i < n; i++)
        m += x[i];
    m /= n;
    for (int i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m);
    band b = {m, sqrt(v / (n - 1) / n)};
    return b;
}

/* Run one tier at constant load: a warm-up of one batch, then NB batches of
 * batch_s seconds, advanced in 1 s ticks as the simulator will. Per batch:
 * mean wait, P(wait), p95 of the response time, mean response. */
typedef struct mmc_run {
    band wait, pwait, p95, resp;
    double p95_run; /* whole-run p95 (the warm-up from empty included: ~1% of the run) */
    uint64_t customers;
} mmc_run;

static mmc_run run_mmc(int dist, double lambda, double mu, int c, double batch_s, uint64_t seed)
{
    sim_des_tier t = {mu, dist, 0, 1, 1.0, 0, c};
    sim_des *d = mk(1, &t, seed);
    double w[NB], pw[NB], q[NB], r[NB];
    as_time now = 0, b = (as_time)(batch_s * 1e6);
    mmc_run out = {0};
    for (int k = -1; k < NB; k++) {
        for (as_time end = now + b; now < end; now += AS_SEC)
            adv(d, now, now + AS_SEC, lambda, &c);
        if (k >= 0) {
            sim_des_stats s;
            sim_des_interval(d, 0, &s);
            w[k] = s.wait_sum_s / (double)s.started;
            pw[k] = (double)s.waited / (double)s.started;
            q[k] = s.p95;
            r[k] = s.mean;
            out.customers += s.completions;
        }
        sim_des_interval_reset(d);
    }
    out.wait = batch_band(w, NB);
    out.pwait = batch_band(pw, NB);
    out.p95 = batch_band(q, NB);
    out.resp = batch_band(r, NB);
    out.p95_run = sim_des_quantile(d, 0, 0.95, 1);
    sim_des_free(d);
    return out;
}

/* ---- M/M/c against Erlang C ---- */

static void check_mmc(double lambda, double mu, int c, double batch_s)
{
    as_mmc q;
    as_mmc_solve(&q, lambda, mu, c, 1.0);
    double p95 = as_mmc_resp_quantile(&q, 0.95);
    mmc_run r = run_mmc(SIM_DIST_EXP, lambda, mu, c, batch_s, 1);
    cr_log_info("M/M/%d lambda %g mu %g: %llu customers; Wq %.5f +- %.5f (Erlang C %.5f); "
                "P(wait) %.4f +- %.4f (%.4f); p95 %.4f +- %.4f (%.4f), whole run %.4f; "
                "W %.5f +- %.5f (%.5f)",
                c, lambda, mu, (unsigned long long)r.customers, r.wait.mean, 4 * r.wait.se, q.wq,
                r.pwait.mean, 4 * r.pwait.se, q.pwait, r.p95.mean, 4 * r.p95.se, p95, r.p95_run,
                r.resp.mean, 4 * r.resp.se, q.w);
    /* power: the bands must be narrow enough to catch a few % of bias */
    cr_assert_lt(r.wait.se, 0.03 * q.wq, "band too wide: se %g", r.wait.se);
    cr_assert_lt(r.p95.se, 0.01 * p95, "band too wide: se %g", r.p95.se);
    cr_assert_leq(fabs(r.wait.mean - q.wq), 4 * r.wait.se, "Wq %g vs %g", r.wait.mean, q.wq);
    cr_assert_leq(fabs(r.pwait.mean - q.pwait), 4 * r.pwait.se, "P(wait) %g vs %g", r.pwait.mean,
                  q.pwait);
    cr_assert_leq(fabs(r.resp.mean - q.w), 4 * r.resp.se, "W %g vs %g", r.resp.mean, q.w);
    double hb = SIM_DES_HIST_REL_ERR * p95;
    cr_assert_leq(fabs(r.p95.mean - p95), 4 * r.p95.se + hb, "p95 %g vs %g", r.p95.mean, p95);
    cr_assert_leq(fabs(r.p95_run - p95), 4 * r.p95.se + hb, "run p95 %g vs %g", r.p95_run, p95);
}

/* rho 0.9: about 5.4e6 customers (20 batches of 3000 s, 270 000 each).
 * With batches of 1000 s the p95 band's power check failed for 5 of seeds
 * 1..8 (se 0.0041-0.0066 against 0.0044): seed 1 passed by luck. At
 * 2500 s the widest of 8 seeds was 0.0040. */
Test(des, mmc_rho09_matches_erlang_c)
{
    check_mmc(90.0, 10.0, 10, 3000.0);
}

/* rho 0.8 with long services: about 2e6 customers (batches of 12 500 s) */
Test(des, mmc_rho08_matches_erlang_c)
{
    check_mmc(8.0, 1.0, 10, 12500.0);
}

/* M/D/c waits less than M/M/c; Allen-Cunneen says (ca2 + cs2)/2 = 0.5 times.
 * For M/D/c the better-known refinement is Cosmetatos (1976):
 *   Wq(M/D/c) ~ 0.5 Wq(M/M/c) [1 + (1-rho)(c-1)(sqrt(4+5c) - 2)/(16 rho c)],
 * reported accurate to a few %; at c = 10, rho = 0.8 it is 7.5% above
 * Allen-Cunneen. The DES must sit near both: within 4 se + 3% of Cosmetatos,
 * and between Allen-Cunneen - 4 se and 1.15 times it. */
Test(des, deterministic_service_allen_cunneen)
{
    const double lambda = 8, mu = 1, rho = 0.8;
    const int c = 10;
    as_mmc m, ac;
    as_mmc_solve(&m, lambda, mu, c, 1.0);
    as_mmc_solve(&ac, lambda, mu, c, 0.5);
    double cosm = ac.wq * (1 + (1 - rho) * (c - 1) * (sqrt(4.0 + 5 * c) - 2) / (16 * rho * c));
    mmc_run r = run_mmc(SIM_DIST_DET, lambda, mu, c, 12500.0, 2);
    cr_log_info("M/D/10 lambda 8 mu 1: Wq %.5f +- %.5f; M/M/c %.5f, Allen-Cunneen %.5f, "
                "Cosmetatos %.5f; p95 %.4f (service alone 1.0)",
                r.wait.mean, 4 * r.wait.se, m.wq, ac.wq, cosm, r.p95.mean);
    cr_assert_lt(r.wait.mean + 4 * r.wait.se, m.wq);
    cr_assert_leq(fabs(r.wait.mean - cosm), 4 * r.wait.se + 0.03 * cosm);
    cr_assert_gt(r.wait.mean, ac.wq - 4 * r.wait.se);
    cr_assert_lt(r.wait.mean, 1.15 * ac.wq);
    /* every response is 1 s of service plus a wait */
    cr_assert_float_eq(r.resp.mean, 1.0 + r.wait.mean, 1e-3);
}

/* Service distributions: with no queueing (c far above the load) the
 * response time is the service time; its mean and quantiles must be those
 * of the configured distribution. 200 000 samples: se of the mean is
 * cv/sqrt(n) = 0.2% at cv 1. */
Test(des, service_distributions)
{
    const double mu = 10, m = 0.1;
    struct {
        int dist;
        double cv, p50, p95;
    } cases[] = {
        {SIM_DIST_EXP, 1, m * log(2.0), m * log(20.0)},
        {SIM_DIST_DET, 0, m, m},
        {SIM_DIST_UNIFORM, 0.5, m, m * (1 - sqrt(3.0) * 0.5 + 0.95 * sqrt(3.0))},
        {SIM_DIST_NORMAL, 0.2, m, m * (1 + 1.6448536 * 0.2)},
        /* lognormal: median exp(zeta) = m / sqrt(1 + cv^2); p95 = median e^(1.645 sigma) */
        {SIM_DIST_LOGNORMAL, 1.5, m / sqrt(1 + 2.25),
         m / sqrt(1 + 2.25) * exp(1.6448536 * sqrt(log(1 + 2.25)))},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sim_des_tier t = {mu, cases[k].dist, cases[k].cv, 1, 1.0, 0, 0};
        sim_des *d = mk(1, &t, 7);
        int ready = 1000; /* load 100 erlang on 1000 servers: P(wait) ~ 0 */
        adv(d, 0, 200 * AS_SEC, 1000.0, &ready);
        sim_des_stats s;
        sim_des_interval(d, 0, &s);
        double n = (double)s.completions, cv = cases[k].cv;
        cr_assert_eq(s.waited, 0, "dist %d: %llu waited", cases[k].dist,
                     (unsigned long long)s.waited);
        cr_assert_leq(fabs(s.mean - m), 4 * cv * m / sqrt(n) + 1e-6, "dist %d: mean %g",
                      cases[k].dist, s.mean);
        /* quantile se = sqrt(p(1-p)/n) / f(q): 0.5% of q at worst (lognormal
         * p95), so 2% is 4 se; the histogram adds at most 0.39% */
        cr_assert_leq(fabs(s.p50 - cases[k].p50), 0.02 * cases[k].p50 + 1e-6,
                      "dist %d: p50 %g vs %g", cases[k].dist, s.p50, cases[k].p50);
        cr_assert_leq(fabs(s.p95 - cases[k].p95), 0.02 * cases[k].p95 + 1e-6,
                      "dist %d: p95 %g vs %g", cases[k].dist, s.p95, cases[k].p95);
        sim_des_free(d);
    }
}

/* ---- transients ---- */

/* lambda 120 on 10 servers of 10/s for ten minutes: the queue grows at
 * lambda - c mu = 20/s (sd of the growth over 500 s: sqrt(120*500 + 100*500)
 * = 332 requests, 0.66/s). Then 15 servers (150/s): it drains at 30/s, in
 * about 12 000 / 30 = 400 s (sd ~ 16 s). */
Test(des, overload_grows_then_drains)
{
    sim_des_tier t = {10.0, SIM_DIST_EXP, 0, 1, 1.0, 0, 15};
    sim_des *d = mk(1, &t, 3);
    int ready = 10;
    sim_des_stats s;
    double q100 = 0;
    as_time now = 0;
    for (; now < 600 * AS_SEC; now += AS_SEC) {
        adv(d, now, now + AS_SEC, 120.0, &ready);
        if (now + AS_SEC == 100 * AS_SEC) {
            sim_des_interval(d, 0, &s);
            q100 = (double)s.queued;
        }
    }
    sim_des_interval(d, 0, &s);
    double slope = ((double)s.queued - q100) / 500.0, q600 = (double)s.queued;
    cr_assert_leq(fabs(slope - 20.0), 3.0, "queue grew at %g/s", slope);
    /* Little's law for the waiting line: its integral over the ramp is
     * about the triangle 20 * 600^2 / 2 */
    cr_assert_leq(fabs(s.queue_s / (20 * 600.0 * 600 / 2) - 1), 0.1, "queue area %g", s.queue_s);
    /* busy the whole time: utilisation 1 after the first second */
    cr_assert_gt(s.busy_s / s.capacity_s, 0.995);
    ready = 15;
    double drained = -1;
    for (; now < 1200 * AS_SEC; now += AS_SEC) {
        adv(d, now, now + AS_SEC, 120.0, &ready);
        sim_des_interval(d, 0, &s);
        if (drained < 0 && s.queued == 0)
            drained = as_time_to_s(now + AS_SEC) - 600;
    }
    cr_log_info("overload: queue %g at 600 s, growth %.2f/s (expected 20), drained in %g s "
                "(expected ~%g)", q600, slope, drained, q600 / 30);
    cr_assert_geq(drained, 0, "never drained");
    cr_assert_leq(fabs(drained - q600 / 30), 70, "drained in %g s", drained);
    /* nothing lost */
    cr_assert_eq(s.arrivals, s.completions + s.queued + s.busy);
    sim_des_free(d);
}

/* With queue_cap 1000 the same overload drops the excess: about 20/s once
 * the queue is full (after ~50 s). Drops are counted exactly: every arrival
 * is completed, dropped or still in the system. */
Test(des, overload_with_cap_drops_exactly)
{
    sim_des_tier t = {10.0, SIM_DIST_EXP, 0, 1, 1.0, 1000, 10};
    sim_des *d = mk(1, &t, 4);
    int ready = 10;
    sim_des_stats s, e;
    for (as_time now = 0; now < 600 * AS_SEC; now += AS_SEC) {
        adv(d, now, now + AS_SEC, 120.0, &ready);
        sim_des_interval(d, 0, &s);
        cr_assert_leq(s.queued, 1000);
    }
    sim_des_interval(d, 0, &s);
    sim_des_interval(d, -1, &e);
    cr_log_info("cap: %llu arrivals, %llu completed, %llu dropped, %llu in the system",
                (unsigned long long)e.arrivals, (unsigned long long)e.completions,
                (unsigned long long)e.dropped, (unsigned long long)e.queued);
    cr_assert_geq(s.queued, 950); /* full, give or take the last few departures */
    cr_assert_eq(e.arrivals, e.completions + e.dropped + e.queued);
    cr_assert_eq(s.arrivals, s.completions + s.dropped + s.queued + s.busy);
    cr_assert_eq(s.dropped, e.dropped);
    cr_assert_eq(e.queued, s.queued + s.busy);
    /* expected (120 - 100) * (600 - 50) = 11 000, sd ~ sqrt(120*550+100*550) = 350 */
    cr_assert_leq(fabs((double)e.dropped - 11000), 1500, "dropped %llu",
                  (unsigned long long)e.dropped);
    sim_des_free(d);
}

/* Deterministic 1 s services on 10 servers kept saturated (lambda 20). At
 * t = 30 s capacity drops to 2: the 10 requests in service finish within a
 * second (drain), and from then on only 2 servers work. With fixed service
 * times this is exact: 10 completions in [30, 31) and 2 per server per second
 * after, 10 + 2 * 9 = 28 completions in [30, 40). Then capacity returns to 10
 * and the waiting requests start at that very instant. */
Test(des, capacity_drop_drains_in_flight)
{
    sim_des_tier t = {1.0, SIM_DIST_DET, 0, 1, 1.0, 0, 10};
    sim_des *d = mk(1, &t, 5);
    int ready = 10;
    sim_des_stats s;
    as_time now = 0;
    for (; now < 30 * AS_SEC; now += AS_SEC)
        adv(d, now, now + AS_SEC, 20.0, &ready);
    sim_des_interval(d, 0, &s);
    cr_assert_eq(s.busy, 10);
    uint64_t done30 = s.completions;
    ready = 2;
    for (; now < 40 * AS_SEC; now += AS_SEC / 4) {
        adv(d, now, now + AS_SEC / 4, 20.0, &ready);
        sim_des_interval(d, 0, &s);
        cr_assert_eq(s.servers, 2);
        /* draining: busy only falls until it reaches the new capacity */
        if (now + AS_SEC / 4 >= 31 * AS_SEC)
            cr_assert_eq(s.busy, 2, "at %g s: %llu busy", as_time_to_s(now),
                         (unsigned long long)s.busy);
        else
            cr_assert_geq(s.busy, 2);
        cr_assert_eq(s.arrivals, s.completions + s.queued + s.busy, "a request was lost");
    }
    cr_assert_eq(s.completions - done30, 28);
    /* capacity back: a zero-length advance applies it; the queue is long, so
     * all 10 servers start at once */
    ready = 10;
    adv(d, now, now, 20.0, &ready);
    sim_des_interval(d, 0, &s);
    cr_assert_eq(s.busy, 10);
    cr_assert_gt(s.queued, 100);
    sim_des_free(d);
}

/* The whole run's end-to-end law counts every request once: served ones
 * (recorded per interval, merged at each reset) and the ones still stuck
 * when the run ends (at their age). Served requests were once recorded both
 * into the interval and straight into the whole run, so a reset counted
 * them twice and the stuck ones weighed half: p at a quarter into the
 * stuck ones fell among the served. */
Test(des, whole_run_law_counts_each_request_once)
{
    sim_des_tier t = {10.0, SIM_DIST_DET, 0, 1, 1.0, 0, 1};
    sim_des *d = mk(1, &t, 3);
    int one = 1, none = 0;
    as_time now = 0;
    for (; now < 100 * AS_SEC; now += AS_SEC)
        adv(d, now, now + AS_SEC, 0.5, &one);
    sim_des_stats st;
    sim_des_interval(d, -1, &st);
    uint64_t served = st.completions;
    sim_des_interval_reset(d);
    /* no server from 100 s: what arrives until 110 s stays until the end */
    for (; now < 110 * AS_SEC; now += AS_SEC)
        adv(d, now, now + AS_SEC, 5.0, &none);
    adv(d, now, 1000 * AS_SEC, 0.0, &none);
    sim_des_interval(d, -1, &st);
    served += st.completions;
    as_err err = {0};
    cr_assert_eq(sim_des_drain(d, &err), AS_OK, "%s", err.msg);
    double u = (double)sim_des_unfinished(d), s = (double)served;
    cr_assert(u > 10 && s > 10 && u < 2 * s, "served %g, stuck %g", s, u);
    /* a quarter of the way into the stuck ones (all older than 890 s) */
    double p = (s + 0.25 * u) / (s + u);
    double q = sim_des_quantile(d, -1, p, 1);
    cr_expect_gt(q, 800.0, "p %.3f of %g served and %g stuck: %g s", p, s, u, q);
    /* and just below them, the slowest served (under a second) */
    q = sim_des_quantile(d, -1, (s - 1) / (s + u), 1);
    cr_expect_lt(q, 1.0, "%g s", q);
    sim_des_free(d);
}

/* ---- series of tiers ---- */

/* Two exponential tiers in series fed by Poisson arrivals form a Jackson
 * network: each behaves as its own M/M/c (Burke), and the end-to-end mean
 * is W0 + W1. A request's end-to-end time is the sum of its visits, so the
 * end-to-end mean equals the sum of the per-tier means up to the requests
 * that straddle an interval boundary. */
Test(des, two_tiers_in_series)
{
    sim_des_tier t[2] = {{10.0, SIM_DIST_EXP, 0, 2, 1.0, 0, 6},
                         {25.0, SIM_DIST_EXP, 0, 1, 1.0, 0, 3}};
    const double lambda = 50;
    int ready[2] = {3, 3}; /* 6 servers at tier 0 (concurrency 2), 3 at tier 1 */
    as_mmc q0, q1;
    as_mmc_solve(&q0, lambda, 10.0, 6, 1.0);
    as_mmc_solve(&q1, lambda, 25.0, 3, 1.0);
    sim_des *d = mk(2, t, 6);
    double e2e[NB], sum[NB], w0[NB], w1[NB];
    as_time now = 0;
    for (int k = -1; k < NB; k++) {
        for (as_time end = now + 1000 * AS_SEC; now < end; now += AS_SEC)
            adv(d, now, now + AS_SEC, lambda, ready);
        sim_des_stats s0, s1, e;
        sim_des_interval(d, 0, &s0);
        sim_des_interval(d, 1, &s1);
        sim_des_interval(d, -1, &e);
        if (k >= 0) {
            e2e[k] = e.mean;
            sum[k] = s0.mean + s1.mean;
            w0[k] = s0.mean;
            w1[k] = s1.mean;
        }
        sim_des_interval_reset(d);
    }
    band b = batch_band(e2e, NB), bs = batch_band(sum, NB);
    band b0 = batch_band(w0, NB), b1 = batch_band(w1, NB);
    cr_log_info("two tiers: W0 %.5f +- %.5f (M/M/6 %.5f), W1 %.5f +- %.5f (M/M/3 %.5f), "
                "e2e mean %.5f +- %.5f, sum of tier means %.5f, Jackson %.5f",
                b0.mean, 4 * b0.se, q0.w, b1.mean, 4 * b1.se, q1.w, b.mean, 4 * b.se, bs.mean,
                q0.w + q1.w);
    cr_assert_leq(fabs(b0.mean - q0.w), 4 * b0.se);
    cr_assert_leq(fabs(b1.mean - q1.w), 4 * b1.se);
    cr_assert_lt(b.se, 0.01 * (q0.w + q1.w));
    cr_assert_leq(fabs(b.mean - (q0.w + q1.w)), 4 * b.se);
    cr_assert_leq(fabs(b.mean - bs.mean), 0.002 * b.mean);
    sim_des_free(d);
}

/* Visits: tier 1 is visited 1.5 times on average (1 or 2, consecutively),
 * tier 2 is skipped (visits 0). Per-tier figures are per visit, so the
 * end-to-end mean is W0 + 1.5 W1, and tier 1 sees 1.5 joins per request
 * (binomial sd 0.5 sqrt(n) visits). */
Test(des, visits_and_skipped_tiers)
{
    sim_des_tier t[3] = {{10.0, SIM_DIST_EXP, 0, 1, 1.0, 0, 8},
                         {50.0, SIM_DIST_EXP, 0, 1, 1.5, 0, 2},
                         {1.0, SIM_DIST_EXP, 0, 1, 0.0, 0, 1}};
    int ready[3] = {8, 2, 1};
    sim_des *d = mk(3, t, 8);
    adv(d, 0, 5000 * AS_SEC, 50.0, ready);
    sim_des_stats s0, s1, s2, e;
    sim_des_interval(d, 0, &s0);
    sim_des_interval(d, 1, &s1);
    sim_des_interval(d, 2, &s2);
    sim_des_interval(d, -1, &e);
    double n = (double)e.arrivals;
    cr_assert_eq(s2.arrivals, 0);
    cr_assert_eq(s0.arrivals, e.arrivals);
    cr_assert_leq(fabs((double)s1.arrivals - 1.5 * n), 4 * 0.5 * sqrt(n));
    cr_assert_leq(fabs(e.mean - (s0.mean + 1.5 * s1.mean)), 0.01 * e.mean, "e2e %g vs %g",
                  e.mean, s0.mean + 1.5 * s1.mean);
    /* Little's law end to end: mean number in system = lambda W */
    cr_assert_leq(fabs(e.queue_s / e.span_s - e.mean * n / e.span_s), 0.01 * e.queue_s / e.span_s);
    sim_des_free(d);
}

/* ---- determinism ---- */

typedef struct snap {
    sim_des_stats s[3];
    double q[3][2];
    uint64_t events;
} snap;

/* A varied call sequence: rates and capacities change, intervals reset. */
static void scripted(sim_des *d, snap *out)
{
    int ready[2] = {2, 1};
    as_time now = 0;
    for (int k = 0; k < 300; k++) {
        double lambda = 40 + 30 * sin(k / 20.0);
        ready[0] = 2 + (k / 50) % 3;
        ready[1] = 1 + (k / 70) % 2;
        adv(d, now, now + AS_SEC, lambda, ready);
        now += AS_SEC;
        if (k % 60 == 59 && k < 299)
            sim_des_interval_reset(d);
    }
    memset(out, 0, sizeof *out);
    for (int i = -1; i < 2; i++) {
        sim_des_interval(d, i, &out->s[i + 1]);
        out->q[i + 1][0] = sim_des_quantile(d, i, 0.99, 0);
        out->q[i + 1][1] = sim_des_quantile(d, i, 0.99, 1);
    }
    out->events = sim_des_events(d);
}

Test(des, same_seed_same_bits)
{
    sim_des_tier t[2] = {{10.0, SIM_DIST_LOGNORMAL, 1.2, 4, 1.0, 0, 0},
                         {30.0, SIM_DIST_EXP, 0, 2, 1.3, 50, 0}};
    snap a, b, c;
    sim_des *d1 = mk(2, t, 42), *d2 = mk(2, t, 42), *d3 = mk(2, t, 43);
    scripted(d1, &a);
    scripted(d2, &b);
    scripted(d3, &c);
    cr_assert_gt(a.events, 10000);
    cr_assert_eq(memcmp(&a, &b, sizeof a), 0, "same seed, different results");
    cr_assert_neq(memcmp(&a, &c, sizeof a), 0, "the seed is ignored");
    sim_des_free(d1);
    sim_des_free(d2);
    sim_des_free(d3);
}

/* With constant rate and capacity, one call over [0, 200 s) and 2000 calls
 * of 100 ms give the very same run: the pending arrival is kept across calls
 * and the integrals are exact integers. */
Test(des, slicing_does_not_change_results)
{
    sim_des_tier t = {10.0, SIM_DIST_EXP, 0, 1, 1.0, 0, 10};
    int ready = 10;
    sim_des *d1 = mk(1, &t, 9), *d2 = mk(1, &t, 9);
    adv(d1, 0, 200 * AS_SEC, 90.0, &ready);
    for (as_time now = 0; now < 200 * AS_SEC; now += 100 * AS_MSEC)
        adv(d2, now, now + 100 * AS_MSEC, 90.0, &ready);
    for (int i = -1; i < 1; i++) {
        sim_des_stats a, b;
        sim_des_interval(d1, i, &a);
        sim_des_interval(d2, i, &b);
        cr_assert_eq(memcmp(&a, &b, sizeof a), 0, "tier %d differs", i);
    }
    cr_assert_eq(sim_des_events(d1), sim_des_events(d2));
    sim_des_free(d1);
    sim_des_free(d2);
}

/* ---- histogram ---- */

static uint64_t sm_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int cmp_time(const void *x, const void *y)
{
    as_time a = *(const as_time *)x, b = *(const as_time *)y;
    return (a > b) - (a < b);
}

/* Log-uniform values from 1 us to a day: every quantile is within the stated
 * relative error of the exact order statistic of the same rank. */
Test(des, histogram_relative_error_bound)
{
    enum { N = 200000 };
    as_time *v = malloc(N * sizeof *v);
    sim_des_hist *h = malloc(sizeof *h), *h1 = malloc(sizeof *h1), *h2 = malloc(sizeof *h2);
    cr_assert(v && h && h1 && h2);
    memset(h, 0, sizeof *h), memset(h1, 0, sizeof *h1), memset(h2, 0, sizeof *h2);
    h->lo = h1->lo = h2->lo = 0, h->hi = h1->hi = h2->hi = SIM_DES_HIST_BUCKETS - 1;
    sim_des_hist_reset(h), sim_des_hist_reset(h1), sim_des_hist_reset(h2);
    cr_assert(isnan(sim_des_hist_quantile(h, 0.5)));
    uint64_t st = 1;
    for (int i = 0; i < N; i++) {
        double u = (double)(sm_next(&st) >> 11) * 0x1.0p-53;
        v[i] = (as_time)exp(u * log((double)AS_DAY));
        sim_des_hist_record(h, v[i]);
        sim_des_hist_record(i % 2 ? h1 : h2, v[i]);
    }
    qsort(v, N, sizeof *v, cmp_time);
    sim_des_hist_merge(h1, h2);
    double worst = 0;
    for (double p = 0; p <= 1.0; p += 0.001) {
        size_t rank = (size_t)ceil(p * N);
        as_time exact = v[rank ? rank - 1 : 0];
        double got = sim_des_hist_quantile(h, p) * 1e6;
        double rel = fabs(got - (double)exact) / (double)exact;
        if (rel > worst)
            worst = rel;
        cr_assert_leq(rel, SIM_DES_HIST_REL_ERR, "p=%g: %g vs %lld", p, got, (long long)exact);
        cr_assert_eq(sim_des_hist_quantile(h1, p), sim_des_hist_quantile(h, p), "merge");
    }
    cr_log_info("histogram: worst relative error %.5f (bound %.5f)", worst, SIM_DES_HIST_REL_ERR);
    cr_assert_gt(worst, 0.5 * SIM_DES_HIST_REL_ERR, "suspiciously exact: is the test testing?");
    /* exact extremes, exact small values, clamping of huge ones */
    cr_assert_float_eq(sim_des_hist_quantile(h, 1.0), (double)v[N - 1] * 1e-6, 1e-12);
    sim_des_hist_reset(h);
    for (as_time x = 0; x < 256; x++)
        sim_des_hist_record(h, x);
    for (int k = 1; k <= 256; k++)
        cr_assert_float_eq(sim_des_hist_quantile(h, k / 256.0) * 1e6, (double)(k - 1), 1e-6);
    sim_des_hist_record(h, 10 * AS_DAY);
    cr_assert_eq(h->over, 1);
    cr_assert_float_eq(sim_des_hist_quantile(h, 1.0), as_time_to_s(SIM_DES_HIST_MAX), 1e-6);
    free(v), free(h), free(h1), free(h2);
}

/* ---- bad input, memory ---- */

Test(des, bad_input_is_a_code)
{
    sim_des_tier ok = {10.0, SIM_DIST_EXP, 0, 1, 1.0, 0, 0};
    sim_des_tier bad[] = {
        {0.0, SIM_DIST_EXP, 0, 1, 1.0, 0, 0},       /* mu */
        {10.0, 17, 0, 1, 1.0, 0, 0},                /* dist */
        {10.0, SIM_DIST_UNIFORM, 0.9, 1, 1.0, 0, 0}, /* negative uniform */
        {10.0, SIM_DIST_EXP, 0, 0, 1.0, 0, 0},      /* concurrency */
        {10.0, SIM_DIST_EXP, 0, 1, -1.0, 0, 0},     /* visits */
        {10.0, SIM_DIST_EXP, 0, 1, 1.0, -5, 0},     /* cap */
        {NAN, SIM_DIST_EXP, 0, 1, 1.0, 0, 0},       /* NaN */
    };
    as_err err = {0};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        err.code = 0;
        cr_assert_null(sim_des_new(1, &bad[k], 1, &err), "case %zu", k);
        cr_assert_eq(err.code, AS_EINVAL, "case %zu", k);
    }
    cr_assert_null(sim_des_new(0, &ok, 1, &err));
    sim_des *d = mk(1, &ok, 1);
    int ready = 1, neg = -1;
    cr_assert_eq(sim_des_advance(d, 0, AS_SEC, NAN, &ready, &err), AS_EINVAL);
    cr_assert_eq(sim_des_advance(d, 0, AS_SEC, 5.0, &neg, &err), AS_EINVAL);
    cr_assert_eq(sim_des_advance(d, AS_SEC, 0, 5.0, &ready, &err), AS_EINVAL);
    adv(d, 0, AS_SEC, 5.0, &ready);
    cr_assert_eq(sim_des_advance(d, 2 * AS_SEC, 3 * AS_SEC, 5.0, &ready, &err), AS_EINVAL);
    /* no arrivals, no capacity: NAN figures, not zeros (first let a
     * request still in service at 1 s finish: mean service 0.1 s) */
    ready = 0;
    adv(d, AS_SEC, 100 * AS_SEC, 0.0, &ready);
    sim_des_interval_reset(d);
    adv(d, 100 * AS_SEC, 101 * AS_SEC, 0.0, &ready);
    sim_des_stats s;
    sim_des_interval(d, 0, &s);
    cr_assert_eq(s.completions, 0);
    cr_assert(isnan(s.p95) && isnan(s.mean));
    sim_des_free(d);
    sim_des_free(NULL);
}

/* Steady state allocates nothing: the heap is sized from max_servers and
 * the pool from its first 1024 records; glibc's in-use byte count must not
 * move over 10^5 events. */
Test(des, no_allocation_in_steady_state)
{
    sim_des_tier t = {10.0, SIM_DIST_EXP, 0, 1, 1.0, 0, 10};
    int ready = 10;
    sim_des *d = mk(1, &t, 11);
    as_time now = 0;
    for (; now < 100 * AS_SEC; now += AS_SEC)
        adv(d, now, now + AS_SEC, 90.0, &ready);
    size_t before = mallinfo2().uordblks;
    uint64_t ev = sim_des_events(d);
    for (; now < 700 * AS_SEC; now += AS_SEC) {
        adv(d, now, now + AS_SEC, 90.0, &ready);
        if (now % (60 * AS_SEC) == 0)
            sim_des_interval_reset(d);
    }
    cr_assert_gt(sim_des_events(d) - ev, 100000);
    cr_assert_eq(mallinfo2().uordblks, before, "the model allocated while running");
    sim_des_free(d);
}

/* ---- bounded work ---- */

/* Overload against a capped queue (200 req/s into 10 req/s for 100 s,
 * queue_cap 50000): the model's memory stays within the bound that
 * sim_des_memory_bound gives, whatever it grew through. */
Test(des, memory_stays_within_its_bound_under_overload)
{
    sim_des_tier t = {10.0, SIM_DIST_EXP, 0, 1, 1.0, 50000, 1};
    sim_des *d = mk(1, &t, 12);
    int ready = 1;
    double bound = sim_des_memory_bound(1, &t);
    size_t most = 0;
    for (as_time now = 0; now < 400 * AS_SEC; now += AS_SEC) {
        adv(d, now, now + AS_SEC, 200.0, &ready);
        size_t m = sim_des_memory(d);
        most = m > most ? m : most;
    }
    sim_des_stats s;
    sim_des_interval(d, -1, &s);
    cr_assert_gt(s.dropped, 10000, "the cap was never reached");
    cr_assert_leq((double)most, bound, "held %zu bytes, bound %.0f", most, bound);
    /* the bound is not vacuous: the queue's records are most of it */
    cr_assert_gt((double)most, 50000 * sim_des_request_bytes() / 2, "held %zu bytes", most);
    sim_des_free(d);
}

/* A stop flag set while advancing ends the call with AS_EINTR within
 * 65536 events, however long the interval asked for. */
Test(des, a_stop_flag_ends_an_advance)
{
    sim_des_tier t = {1000.0, SIM_DIST_EXP, 0, 1, 1.0, 0, 100};
    sim_des *d = mk(1, &t, 13);
    volatile sig_atomic_t stop = 1;
    sim_des_set_stop(d, &stop);
    int ready = 100;
    as_err err = {0};
    /* a day at 50k req/s would be 8.6e9 events */
    int rc = sim_des_advance(d, 0, AS_DAY, 50000.0, &ready, &err);
    cr_assert_eq(rc, AS_EINTR, "%s", err.msg);
    cr_assert_leq(sim_des_events(d), 65536);
    sim_des_free(d);
}

/* A near-zero arrival rate draws a gap of ~1e26 us: clamped, not cast
 * (UBSan flags a cast beyond int64), and no arrival happens. */
Test(des, a_tiny_rate_draws_no_overflow)
{
    sim_des_tier t = {10.0, SIM_DIST_EXP, 0, 1, 1.0, 0, 1};
    sim_des *d = mk(1, &t, 14);
    int ready = 1;
    for (as_time now = 0; now < 10 * AS_SEC; now += AS_SEC)
        adv(d, now, now + AS_SEC, 1e-20, &ready);
    sim_des_stats s;
    sim_des_interval(d, -1, &s);
    cr_assert_eq(s.arrivals, 0);
    sim_des_free(d);
}

/* The ziggurat's exponential draws (sim_des_rng.h) have the law Exp(1):
 * 2e6 draws against the mean and variance (4 standard errors: var(X) = 1,
 * var((X-1)^2) = 8), the Kolmogorov-Smirnov distance (1.95/sqrt(n): 0.1%
 * level), and the share beyond the base strip's r = 7.697 (the tail drawn
 * by r - log U) and beyond 12, each within 4 binomial standard errors. */
static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

Test(des, ziggurat_draws_are_exponential)
{
    enum { N = 2000000 };
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double *x = malloc(N * sizeof *x);
    cr_assert(r && x);
    gsl_rng_set(r, 2024);
    const des_zig *z = des_zig_tables();
    double m = 0, v = 0;
    long tail_r = 0, tail_12 = 0;
    for (int i = 0; i < N; i++) {
        x[i] = des_exp(z, r);
        cr_assert(x[i] >= 0 && isfinite(x[i]));
        m += x[i];
        v += (x[i] - 1) * (x[i] - 1);
        tail_r += x[i] > DES_ZIG_R;
        tail_12 += x[i] > 12;
    }
    m /= N;
    v /= N;
    cr_assert_leq(fabs(m - 1), 4 / sqrt(N), "mean %g", m);
    cr_assert_leq(fabs(v - 1), 4 * sqrt(8.0 / N), "variance %g", v);
    double pr = exp(-DES_ZIG_R), p12 = exp(-12.0);
    cr_assert_leq(fabs((double)tail_r - N * pr), 4 * sqrt(N * pr), "beyond r: %ld", tail_r);
    cr_assert_leq(fabs((double)tail_12 - N * p12), 4 * sqrt(N * p12) + 1, "beyond 12: %ld",
                  tail_12);
    qsort(x, N, sizeof *x, cmp_dbl);
    double dks = 0;
    for (int i = 0; i < N; i++) {
        double f = -expm1(-x[i]);
        double d1 = fabs(f - (double)i / N), d2 = fabs((double)(i + 1) / N - f);
        dks = fmax(dks, fmax(d1, d2));
    }
    cr_log_info("ziggurat: mean %.5f var %.5f KS %.6f (limit %.6f) beyond r %ld (%.1f)", m, v,
                dks, 1.95 / sqrt(N), tail_r, N * pr);
    cr_assert_lt(dks, 1.95 / sqrt(N), "KS distance %g", dks);
    free(x);
    gsl_rng_free(r);
}
