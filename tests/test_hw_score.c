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
 * constants and every forecast stay as they were. Then the lanes (four
 * trial runs in one pass) against single runs, and the fit, which scores a
 * Nelder-Mead iteration's candidates in one pass, against GSL's nmsimplex2
 * itself: same constants, score and evaluations, on random series and on
 * the NASA trace. */
#include "as_hw.h"

#include <criterion/criterion.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
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
    cr_assert(isfinite(as_hw_fit(fit, &w, c, AS_HW_COLD_STEP, AS_HW_COLD_TOL, 200)));
    w.y = y + m; /* the refit's window, a season later */
    as_hw_prepare(&w);
    double cc[3] = {c[0], c[1], c[2]}, cw[3] = {c[0], c[1], c[2]};
    warm_case r;
    long e0 = fit->evals;
    r.cold = as_hw_fit(fit, &w, cc, AS_HW_COLD_STEP, AS_HW_COLD_TOL, 200);
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

/* ---- the lanes and the fit against GSL's nmsimplex2 ----------------- */

/* Each lane of as_hw_score_lanes is the run of its own constants, to the
 * bit, for every count of lanes in use (idle lanes must not leak into the
 * used ones), additive and multiplicative, with gaps and zeros. */
Test(hw_score, lanes_match_single_runs_bit_for_bit)
{
    for (int c = 0; c < 40; c++) {
        const int mult = c % 2, m = 2 + (int)(unif() * 60), W = (2 + c % 4) * m;
        double *y = malloc((size_t)W * sizeof *y), *s0 = malloc((size_t)m * sizeof *s0);
        double *season = malloc((size_t)m * sizeof *season);
        double *lanes = malloc((size_t)m * AS_HW_LANES * sizeof *lanes);
        cr_assert(y && s0 && season && lanes);
        for (int i = 0; i < W; i++) {
            y[i] = 100 + 40 * sin(6.283185307179586 * (i % m) / m) + unif() * 20;
            if (c % 4 >= 2 && unif() < 0.05)
                y[i] = unif() < 0.5 ? NAN : 0;
        }
        as_hw_window w = {.m = m, .W = W, .mult = mult, .phi = 0.9 + unif() * 0.1, .y = y, .s0 = s0};
        as_hw_prepare(&w);
        double k[AS_HW_LANES][3], out[AS_HW_LANES], l, b;
        for (int i = 0; i < AS_HW_LANES; i++)
            for (int j = 0; j < 3; j++)
                k[i][j] = unif();
        const int n = 1 + c % AS_HW_LANES;
        as_hw_score_lanes(&w, n, (const double (*)[3])k, lanes, out);
        for (int i = 0; i < n; i++) {
            double want = as_hw_score(&w, k[i][0], k[i][1], k[i][2], &l, &b, season);
            cr_assert(same_bits(out[i], want), "case %d lane %d of %d: %.17g, alone %.17g", c, i, n,
                      out[i], want);
        }
        free(y);
        free(s0);
        free(season);
        free(lanes);
    }
}

/* The fit as GSL's nmsimplex2 made it (before the lanes), as reference. */
#define REF_LOGIT_MAX 9.2102403669758
static double ref_box(double x)
{
    return x < -REF_LOGIT_MAX ? -REF_LOGIT_MAX : x > REF_LOGIT_MAX ? REF_LOGIT_MAX : x;
}
static double ref_logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

typedef struct ref_fitter {
    const as_hw_window *w;
    double *season;
    long evals;
} ref_fitter;

static double ref_objective(const gsl_vector *x, void *ctx)
{
    ref_fitter *f = ctx;
    double l, b, c[3], out = 0;
    for (int i = 0; i < 3; i++) {
        double v = gsl_vector_get(x, (size_t)i);
        c[i] = ref_box(v);
        out += fabs(v - c[i]);
    }
    f->evals++;
    double v = as_hw_score(f->w, ref_logistic(c[0]), ref_logistic(c[1]), ref_logistic(c[2]), &l,
                           &b, f->season);
    v *= 1.0 + out;
    return isfinite(v) && v < 1e300 ? v : 1e300;
}

static double ref_fit(ref_fitter *f, const as_hw_window *w, double c[3], double step, double tol)
{
    f->w = w;
    gsl_multimin_fminimizer *nm = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 3);
    gsl_vector *x = gsl_vector_alloc(3), *st = gsl_vector_alloc(3);
    cr_assert(nm && x && st);
    gsl_multimin_function fn = {.f = ref_objective, .n = 3, .params = f};
    for (int i = 0; i < 3; i++)
        gsl_vector_set(x, (size_t)i, ref_box(log(c[i] / (1.0 - c[i]))));
    gsl_vector_set_all(st, step);
    cr_assert_eq(gsl_multimin_fminimizer_set(nm, &fn, x, st), GSL_SUCCESS);
    for (int it = 0; it < 200; it++) {
        if (gsl_multimin_fminimizer_iterate(nm) != GSL_SUCCESS)
            break;
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(nm), tol) == GSL_SUCCESS)
            break;
    }
    for (int i = 0; i < 3; i++)
        c[i] = ref_logistic(ref_box(gsl_vector_get(gsl_multimin_fminimizer_x(nm), (size_t)i)));
    double v = gsl_multimin_fminimizer_minimum(nm);
    gsl_multimin_fminimizer_free(nm);
    gsl_vector_free(x);
    gsl_vector_free(st);
    return v;
}

/* A cold fit from c[] and a warm one from its result on the window a
 * season later (y + m), each against GSL's: same constants, score and
 * evaluations to the bit. Returns the lanes' passes of the two fits. */
static long fits_match_gsl(const double *y, int m, int W, bool mult, const char *what)
{
    double *s0 = malloc((size_t)m * sizeof *s0), *season = malloc((size_t)m * sizeof *season);
    as_hw_fitter fit;
    cr_assert(s0 && season && as_hw_fitter_alloc(&fit, m) == 0);
    ref_fitter ref = {.season = season};
    as_hw_window w = {.m = m, .W = W, .mult = mult, .phi = 0.98, .y = y, .s0 = s0};
    double c[3] = {0.3, 0.01, 0.1}, r[3] = {0.3, 0.01, 0.1};
    for (int k = 0; k < 2; k++) {
        w.y = y + k * m;
        as_hw_prepare(&w);
        const double step = k ? AS_HW_WARM_STEP : AS_HW_COLD_STEP;
        const double tol = k ? AS_HW_WARM_TOL : AS_HW_COLD_TOL;
        long e0 = fit.evals, r0 = ref.evals;
        double got = as_hw_fit(&fit, &w, c, step, tol, 200);
        double want = ref_fit(&ref, &w, r, step, tol);
        cr_assert(same_bits(got, want), "%s, %s fit: score %.17g, GSL's %.17g", what,
                  k ? "warm" : "cold", got, want);
        for (int j = 0; j < 3; j++)
            cr_assert(same_bits(c[j], r[j]), "%s, %s fit: constant %d %.17g, GSL's %.17g", what,
                      k ? "warm" : "cold", j, c[j], r[j]);
        cr_assert_eq(fit.evals - e0, ref.evals - r0, "%s: evaluations", what);
    }
    long passes = fit.passes;
    cr_assert_lt(passes, fit.evals, "%s: %ld passes for %ld evaluations", what, passes, fit.evals);
    as_hw_fitter_free(&fit);
    free(s0);
    free(season);
    return passes;
}

/* On random seasonal series, additive and multiplicative, with gaps: the
 * fit makes GSL's nmsimplex2's decisions to the bit, in fewer passes than
 * GSL made evaluations. */
Test(hw_score, the_fit_matches_gsl_nmsimplex2_bit_for_bit)
{
    long passes = 0;
    for (int c = 0; c < 24; c++) {
        const int m = 4 + (int)(unif() * 40), W = 3 * m, n = W + m;
        double *y = malloc((size_t)n * sizeof *y);
        cr_assert(y);
        const double level = 20 + unif() * 500, amp = 0.1 + unif() * 0.6;
        for (int i = 0; i < n; i++) {
            y[i] = level * (1 + amp * sin(6.283185307179586 * (i % m) / m)) +
                   (unif() - 0.5) * 0.3 * level;
            if (c % 3 == 2 && unif() < 0.05)
                y[i] = NAN;
        }
        char what[64];
        snprintf(what, sizeof what, "case %d (m %d, %s)", c, m, c % 2 ? "mult" : "add");
        passes += fits_match_gsl(y, m, W, c % 2, what);
        free(y);
    }
    cr_log_info("fits in %ld passes", passes);
}

/* The NASA trace (one-minute steps, daily season): the first fit on its
 * first three days and the refit a day later, as holt_winters makes them
 * by default, reach GSL's fit to the bit (so no worse an SSE), and the
 * passes (one trial run's time each) are fewer than GSL's evaluations. */
Test(hw_score, on_the_nasa_trace_the_fit_and_refit_are_gsls)
{
    FILE *f = fopen("traces/nasa_http_jul1995_1min.csv", "r");
    cr_assert(f, "traces/nasa_http_jul1995_1min.csv (run from the project root)");
    enum { M = 1440, W = 3 * M, N = W + M };
    double *y = malloc(N * sizeof *y), t, v;
    char line[128];
    int n = 0;
    while (n < N && fgets(line, sizeof line, f))
        if (sscanf(line, "%lf,%lf", &t, &v) == 2)
            y[n++] = v;
    fclose(f);
    cr_assert_eq(n, N);
    long passes = fits_match_gsl(y, M, W, false, "NASA");
    cr_log_info("NASA: cold and warm fit in %ld passes", passes);
    free(y);
}
