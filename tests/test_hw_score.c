/* test_hw_score.c - holt_winters' trial run (as_hw.h) against the textbook
 * recursion. The reference below is the straightforward form the fit used
 * before it prepared its window once: the heuristic start and the steps
 * recomputed on every call, the window read through its ring and every
 * season slot through (g0 + i) % m, one hw_step per observation with the
 * additive/multiplicative choice inside. On seeded random series (additive
 * and multiplicative, damped and not, with and without gaps and zeros, ring
 * offsets that are not a multiple of the season) the score, the final level,
 * trend and every season slot must be the same to the bit: the fit's
 * Nelder-Mead then sees the same values in the same order, so the fitted
 * constants and every forecast stay as they were. */
#include "as_hw.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static double ref_clamp(double s) { return s < 1e-3 ? 1e-3 : s > 1e3 ? 1e3 : s; }
static double ref_div(double a, double b, double fb) { return fabs(b) > 1e-12 ? a / b : fb; }

static double ref_step(int mult, double a, double bb, double g, double phi, double *l, double *b,
                       double *sp, double y)
{
    double base = *l + phi * *b, s = *sp;
    double f = mult ? base * s : base + s;
    if (!isfinite(y)) {
        *l = base;
        *b *= phi;
        return f;
    }
    double lnew;
    if (mult) {
        lnew = a * ref_div(y, s, base) + (1.0 - a) * base;
        *sp = ref_clamp(g * ref_div(y, base, s) + (1.0 - g) * s);
    } else {
        lnew = a * (y - s) + (1.0 - a) * base;
        *sp = g * (y - base) + (1.0 - g) * s;
    }
    *b = bb * (lnew - *l) + (1.0 - bb) * phi * *b;
    *l = lnew;
    return f;
}

/* hist is a ring of W observations, hist[i % W] = y(i), the newest being
 * y(n - 1); seas[] is indexed by global slot (g0 + i) % m. */
static double ref_run(const double *hist, long n, int m, int W, int mult, double phi, double a,
                      double bb, double g, double *l, double *b, double *seas)
{
    const int k = W / m;
    const long g0 = n - W;
    double sum[2] = {0, 0}, all = 0;
    int cnt[2] = {0, 0}, nall = 0;
    for (int i = 0; i < W; i++) {
        double y = hist[(g0 + i) % W];
        if (!isfinite(y))
            continue;
        all += y;
        nall++;
        int which = i < m ? 0 : i >= W - m ? 1 : -1;
        if (which >= 0) {
            sum[which] += y;
            cnt[which]++;
        }
    }
    double mean_all = nall ? all / nall : 0.0;
    double m1 = cnt[0] ? sum[0] / cnt[0] : mean_all;
    double m2 = cnt[1] ? sum[1] / cnt[1] : m1;
    double slope = (m2 - m1) / ((double)(k - 1) * m);
    for (int j = 0; j < m; j++) {
        double acc = 0;
        int na = 0;
        for (int i = j; i < W - m; i += m) {
            double y = hist[(g0 + i) % W];
            double line = m1 + slope * (i - (m - 1) / 2.0);
            double v = mult ? ref_div(y, line, NAN) : y - line;
            if (isfinite(v)) {
                acc += v;
                na++;
            }
        }
        double v = na ? acc / na : (mult ? 1.0 : 0.0);
        seas[(g0 + j) % m] = mult ? ref_clamp(v) : v;
    }
    *l = m1 + slope * (m - 1) / 2.0;
    *b = slope;
    double sse = 0;
    long ne = 0;
    for (int i = m; i < W; i++) {
        double y = hist[(g0 + i) % W];
        double f = ref_step(mult, a, bb, g, phi, l, b, &seas[(g0 + i) % m], y);
        if (isfinite(y) && i >= W - m) {
            sse += (y - f) * (y - f);
            ne++;
        }
    }
    return ne ? sse / ne : 0.0;
}

static uint64_t rng_state = 0x243F6A8885A308D3ull;
static double unif(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return ((double)((rng_state * 0x2545F4914F6CDD1Dull) >> 11) + 0.5) / 9007199254740992.0;
}

static bool same_bits(double x, double y) { return memcmp(&x, &y, sizeof x) == 0; }

/* One random case: season, window, ring offset, series, constants. */
static void check_case(int mult, bool damped, bool holes)
{
    const int m = 2 + (int)(unif() * 60), k = 2 + (int)(unif() * 4), W = k * m;
    const long n = W + (long)(unif() * 5 * W); /* ring offset (n - W) % W arbitrary */
    double *hist = malloc((size_t)W * sizeof *hist), *xw = malloc((size_t)W * sizeof *xw);
    double *s0 = malloc((size_t)m * sizeof *s0), *season = malloc((size_t)m * sizeof *season);
    double *seas = malloc((size_t)m * sizeof *seas);
    cr_assert(hist && xw && s0 && season && seas);
    const double level = 10 + unif() * 1000, slope = (unif() - 0.5) * 2;
    for (long i = 0; i < n; i++) {
        double y = level + slope * i + level * 0.4 * sin(6.283185307179586 * (i % m) / m) +
                   (unif() - 0.5) * level * 0.2;
        if (holes && unif() < 0.05)
            y = NAN;
        else if (holes && mult && unif() < 0.03)
            y = 0; /* zeros reach the safe divisions */
        hist[i % W] = y;
    }
    for (int i = 0; i < W; i++)
        xw[i] = hist[(n - W + i) % W];
    const double phi = damped ? 0.5 + unif() * 0.499 : 1.0;
    as_hw_window w = {.m = m, .W = W, .mult = mult, .phi = phi, .y = xw, .s0 = s0};
    as_hw_prepare(&w);
    for (int t = 0; t < 20; t++) { /* the trials of one fit share the start */
        double a = unif(), bb = unif(), g = unif();
        if (t == 0) /* the box the fit keeps its constants in */
            a = 1e-4, bb = 0.9999, g = 1e-4;
        double l1, b1, l2, b2;
        double got = as_hw_score(&w, a, bb, g, &l1, &b1, season);
        double want = ref_run(hist, n, m, W, mult, phi, a, bb, g, &l2, &b2, seas);
        cr_assert(same_bits(got, want), "m %d W %d mult %d phi %.17g: score %.17g, reference %.17g",
                  m, W, mult, phi, got, want);
        cr_assert(same_bits(l1, l2) && same_bits(b1, b2), "final level/trend differ (m %d)", m);
        for (int j = 0; j < m; j++)
            cr_assert(same_bits(season[j], seas[(n - W + j) % m]), "season slot %d differs", j);
    }
    free(hist);
    free(xw);
    free(s0);
    free(season);
    free(seas);
}

Test(hw_score, additive_matches_reference_bit_for_bit)
{
    for (int c = 0; c < 40; c++)
        check_case(0, c % 2, c % 4 >= 2);
}

Test(hw_score, multiplicative_matches_reference_bit_for_bit)
{
    for (int c = 0; c < 40; c++)
        check_case(1, c % 2, c % 4 >= 2);
}

/* The comparison itself can fail: a different constant gives other bits. */
Test(hw_score, a_changed_constant_changes_the_score)
{
    double xw[40], s0[10], season[10], l, b;
    for (int i = 0; i < 40; i++)
        xw[i] = 100 + 30 * sin(i * 0.6283185307179586) + (i % 3);
    as_hw_window w = {.m = 10, .W = 40, .mult = false, .phi = 0.98, .y = xw, .s0 = s0};
    as_hw_prepare(&w);
    double x = as_hw_score(&w, 0.3, 0.01, 0.1, &l, &b, season);
    double y = as_hw_score(&w, nextafter(0.3, 1), 0.01, 0.1, &l, &b, season);
    cr_assert(isfinite(x) && x > 0);
    cr_assert(!same_bits(x, y));
}

/* ---- warm refits against cold fits ---------------------------------- */

/* Seasonal series of W + m points: two fitting windows a season apart, the
 * second the refit of the first. Each case: a cold fit (step 1, tolerance
 * 1e-3, the first fit's settings) on the first window from the defaults
 * gives the constants in use; on the second window, the cold fit from them
 * (what every refit did before) and the warm one (AS_HW_WARM_STEP,
 * AS_HW_WARM_TOL) are compared: score (the window's last-season MSE) and
 * objective evaluations. */
typedef struct warm_case {
    double cold, warm;       /* scores on the second window */
    long cold_ev, warm_ev;   /* their evaluations */
} warm_case;

static warm_case warm_vs_cold(as_hw_fitter *fit, int m, bool mult)
{
    const int W = 3 * m, n = W + m;
    double *y = malloc((size_t)n * sizeof *y), *s0 = malloc((size_t)m * sizeof *s0);
    cr_assert(y && s0);
    const double level = 20 + unif() * 500, amp = 0.1 + unif() * 0.6, noise = 0.02 + unif() * 0.2;
    const double drift = (unif() - 0.5) * level / n, phase = unif() * 6.283185307179586;
    for (int i = 0; i < n; i++) {
        double s = amp * sin(6.283185307179586 * (i % m) / m + phase);
        double base = level + drift * i;
        y[i] = (mult ? base * (1 + s) : base + level * s) + (unif() - 0.5) * 2 * noise * level;
    }
    as_hw_window w = {.m = m, .W = W, .mult = mult, .phi = 0.98, .y = y, .s0 = s0};
    as_hw_prepare(&w);
    double c[3] = {0.3, 0.01, 0.1};
    cr_assert(isfinite(as_hw_fit(fit, &w, c, 1.0, 1e-3, 200)));
    w.y = y + m; /* the refit's window, a season later */
    as_hw_prepare(&w);
    double cc[3] = {c[0], c[1], c[2]}, cw[3] = {c[0], c[1], c[2]};
    warm_case r;
    long e0 = fit->evals;
    r.cold = as_hw_fit(fit, &w, cc, 1.0, 1e-3, 200);
    long e1 = fit->evals;
    r.warm = as_hw_fit(fit, &w, cw, AS_HW_WARM_STEP, AS_HW_WARM_TOL, 200);
    r.cold_ev = e1 - e0;
    r.warm_ev = fit->evals - e1;
    free(y);
    free(s0);
    return r;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* On 60 random seasonal series (additive and multiplicative, m 8 to 70):
 * the warm refit's score is within 5 % of the cold one's in the median and
 * within a factor 1.5 in every case (both are local searches: either may
 * stop in a poorer valley), and it costs under 70 % of the cold fit's
 * evaluations in all. */
Test(hw_score, a_warm_refit_fits_about_as_well_as_a_cold_one_for_less)
{
    as_hw_fitter fit;
    cr_assert_eq(as_hw_fitter_alloc(&fit, 70), 0);
    enum { N = 60 };
    double ratio[N], worst = 0;
    long cold_ev = 0, warm_ev = 0;
    for (int i = 0; i < N; i++) {
        int m = 8 + (int)(unif() * 63);
        warm_case r = warm_vs_cold(&fit, m, i % 2);
        cr_assert(isfinite(r.cold) && isfinite(r.warm) && r.cold > 0, "case %d", i);
        ratio[i] = r.warm / r.cold;
        worst = fmax(worst, ratio[i]);
        cold_ev += r.cold_ev;
        warm_ev += r.warm_ev;
    }
    qsort(ratio, N, sizeof ratio[0], cmp_double);
    double median = (ratio[N / 2 - 1] + ratio[N / 2]) / 2;
    cr_log_info("warm/cold score: median %.4f worst %.4f; evaluations %ld warm, %ld cold", median,
                worst, warm_ev, cold_ev);
    cr_expect_leq(median, 1.05, "median warm/cold score %.4f", median);
    cr_expect_leq(worst, 1.5, "worst warm/cold score %.4f", worst);
    cr_expect_lt((double)warm_ev, 0.7 * (double)cold_ev, "evaluations: warm %ld, cold %ld",
                 warm_ev, cold_ev);
    as_hw_fitter_free(&fit);
}
