/* test_forecast_coverage.c - forecast intervals and the choice of a kind:
 * interval and conformal coverage near nominal on seeded Gaussian noise,
 * the tail as the distribution of the errors, auto's choice (in the
 * library and through `simrun forecast`), and the seasonal kinds' warm-up. */
#define FC_LONG_SPAN_TEST 10000 /* fc_conf.h: FC_LONG_SPAN */
#include "test_forecast.h"

/* ---- interval coverage --------------------------------------------------- */

/* Share of h-step actuals inside [lo, hi] on N(100, 10^2) noise, nominal 0.9. */
static double coverage(const char *name, int h)
{
    enum { N = 6000, BURN = 1000 };
    static double lo_at[N + H_MAX], hi_at[N + H_MAX];
    as_forecaster *f = make(name, 24, h, NULL);
    rng r = {.s = 2024};
    int in = 0, tot = 0;
    double m[H_MAX], lo[H_MAX], hi[H_MAX];
    for (int i = 0; i < N; i++) {
        double y = 100 + 10 * rng_gauss(&r);
        if (i >= BURN + h) {
            tot++;
            in += y >= lo_at[i] && y <= hi_at[i];
        }
        as_forecaster_update(f, (as_time)i * 60 * AS_SEC, y);
        as_forecaster_predict(f, h, m, lo, hi);
        lo_at[i + h] = lo[h - 1];
        hi_at[i + h] = hi[h - 1];
    }
    as_forecaster_free(f);
    return (double)in / tot;
}

Test(forecast, interval_coverage_near_nominal_on_gaussian_noise)
{
    for (const as_forecaster_type *const *t = as_forecaster_types(); *t; t++) {
        double c1 = coverage((*t)->name, 1), c10 = coverage((*t)->name, 10);
        cr_expect(fabs(c1 - 0.9) < 0.03, "%s h=1 coverage %.3f", (*t)->name, c1);
        cr_expect(fabs(c10 - 0.9) < 0.04, "%s h=10 coverage %.3f", (*t)->name, c10);
    }
}

/* Coverage by level on heteroscedastic noise: the level alternates between
 * 20 and 2000 every 300 steps (a night and a day), with Poisson-like noise
 * (sd = sqrt(level)). Unscaled errors would give the night intervals the
 * day's width (over-coverage at night, under by day); the sqrt scale of
 * the conformal windows keeps both near nominal. */
static void coverage_by_level(const char *name, double *low, double *high)
{
    enum { N = 12000, BURN = 2000, H = 3 };
    static double lo_at[N + H], hi_at[N + H];
    as_forecaster *f = make(name, 0, H, NULL);
    rng r = {.s = 7};
    long in[2] = {0, 0}, tot[2] = {0, 0};
    double m[H_MAX], lo[H_MAX], hi[H_MAX];
    for (int i = 0; i < N; i++) {
        int day = (i / 300) % 2;
        double level = day ? 2000 : 20;
        double y = level + sqrt(level) * rng_gauss(&r);
        bool settled = i % 300 >= 10; /* the switch itself is not this test */
        if (i >= BURN && settled) {
            tot[day]++;
            in[day] += y >= lo_at[i] && y <= hi_at[i];
        }
        as_forecaster_update(f, (as_time)i * 60 * AS_SEC, y);
        as_forecaster_predict(f, H, m, lo, hi);
        lo_at[i + H] = lo[H - 1];
        hi_at[i + H] = hi[H - 1];
    }
    as_forecaster_free(f);
    *low = (double)in[0] / (double)tot[0];
    *high = (double)in[1] / (double)tot[1];
}

Test(forecast, conformal_coverage_holds_at_low_and_high_levels)
{
    double low, high;
    coverage_by_level("ewma", &low, &high);
    cr_expect(fabs(low - 0.9) < 0.05, "coverage at level 20: %.3f", low);
    cr_expect(fabs(high - 0.9) < 0.05, "coverage at level 2000: %.3f", high);
}

/* Coverage where the errors drift: a daily cycle of 200 +- 140 at 1-min
 * steps with little noise (sd 2), so that a lagging forecaster's 10-step
 * error is mostly the cycle's slope times its lag, which swings slowly
 * through the day. The window's errors then lag the current ones: while
 * the slope steepens every new error is beyond most of the window's, and
 * the window's quantiles alone covered 0.77 (naive), 0.72 (ewma) and 0.74
 * (ar), the outcome above the upper bound 0.09-0.14 of the time. With the
 * tracking of the interval's ends (fc_conf.h): 0.92, 0.94 and 0.93, above
 * it 0.03-0.04. Not exactly 0.9: where the errors are all of one sign for
 * hours, the interval is widened to hold the forecast itself
 * (as_forecaster_predict), so the end on the other side misses less than
 * it is tracked to; the coverage errs above 0.9, not below. */
static double drifting_coverage(const char *name, double *above)
{
    enum { N = 14400, BURN = 2880, H = 10 };
    static double lo_at[N + H], hi_at[N + H];
    as_forecaster *f = make(name, 0, H, NULL);
    rng r = {.s = 11};
    long in = 0, up = 0, tot = 0;
    double m[H_MAX], lo[H_MAX], hi[H_MAX];
    for (int i = 0; i < N; i++) {
        double y = 200 + 140 * sin(2 * M_PI * i / 1440.0) + 2 * rng_gauss(&r);
        if (i >= BURN) {
            tot++;
            in += y >= lo_at[i] && y <= hi_at[i];
            up += y > hi_at[i];
        }
        as_forecaster_update(f, (as_time)i * 60 * AS_SEC, y);
        as_forecaster_predict(f, H, m, lo, hi);
        lo_at[i + H] = lo[H - 1];
        hi_at[i + H] = hi[H - 1];
    }
    as_forecaster_free(f);
    *above = (double)up / (double)tot;
    return (double)in / (double)tot;
}

Test(forecast, conformal_coverage_holds_when_the_errors_drift)
{
    static const char *const kinds[] = {"naive", "ewma", "ar"};
    for (int k = 0; k < 3; k++) {
        double above, c = drifting_coverage(kinds[k], &above);
        cr_expect(c >= 0.88 && c <= 0.95, "%s: coverage %.3f at h = 10", kinds[k], c);
        cr_expect(above <= 0.06, "%s: above the upper bound %.3f of the time",
                  kinds[k], above);
    }
}

/* The tail: on N(100, 10^2) noise, naive's 1-step errors are N(0, 2 x
 * 10^2), so P(y > 100 + 1.645 x 14.14) is near 0.05; it falls as x rises,
 * the excess E[(y - x)+] is >= 0 and falls too, and raising the median
 * (at_least) raises the tail. */
Test(forecast, tail_is_the_distribution_of_the_errors)
{
    as_forecaster *f = make("naive", 0, 4, NULL);
    double ex = -1;
    cr_expect(isnan(as_forecaster_tail(f, 1, -INFINITY, 100, &ex)), "no errors yet: NAN");
    cr_expect_eq(ex, 0);
    rng r = {.s = 99};
    long k = 0;
    for (int i = 0; i < 3000; i++, k++)
        as_forecaster_update(f, (as_time)k * 60 * AS_SEC, 100 + 10 * rng_gauss(&r));
    /* average over many origins: one origin's level is one noisy value */
    double p_sum = 0, x_sum = 0;
    int n = 0;
    for (int i = 0; i < 2000; i++, k++) {
        double y = 100 + 10 * rng_gauss(&r);
        as_forecaster_update(f, (as_time)k * 60 * AS_SEC, y);
        double m[H_MAX], lo[H_MAX], hi[H_MAX];
        as_forecaster_predict(f, 1, m, lo, hi);
        double e;
        p_sum += as_forecaster_tail(f, 1, -INFINITY, m[0] + 1.645 * 14.142, &e);
        x_sum += e;
        n++;
    }
    cr_expect(fabs(p_sum / n - 0.05) < 0.015, "P(tail) %.4f, want ~0.05", p_sum / n);
    /* E[(Z - 1.645)+] sigma for Z ~ N(0, 1): (phi(1.645) - 1.645 x 0.05) x 14.14 = 0.29 */
    cr_expect(fabs(x_sum / n - 0.29) < 0.12, "excess %.3f, want ~0.29", x_sum / n);
    double e1, e2, e3;
    double p1 = as_forecaster_tail(f, 1, -INFINITY, 100, &e1);
    double p2 = as_forecaster_tail(f, 1, -INFINITY, 120, &e2);
    double p3 = as_forecaster_tail(f, 1, 150, 120, &e3);
    cr_expect(p1 >= p2 && e1 >= e2 && e2 >= 0, "P %.3f >= %.3f, E %.3f >= %.3f", p1, p2, e1,
              e2);
    cr_expect(p3 > 0.9 && e3 > 25, "median raised to 150: P(y > 120) %.3f, E %.3f", p3, e3);
    as_forecaster_free(f);
}

/* Past the window's largest error the tail goes on: beyond the upper
 * quantile it is the exponential tail of the errors at or above it, so a
 * planner with a large risk weight still sees a price for a load no error
 * in the window reached. On N(100, 10^2) noise (naive's 1-step errors
 * N(0, 14.14^2)) 500 errors seldom reach 4 sigma: the empirical tail there
 * is 0, the exponential one about 0.05 exp(-(4 - 1.645) / 0.42) = 2e-4
 * (the true Gaussian's is 3e-5); at 6 sigma far less, and never above the
 * share beyond the quantile. */
Test(forecast, tail_goes_on_past_the_largest_error)
{
    as_forecaster *f = make("naive", 0, 4, NULL);
    rng r = {.s = 7};
    long k = 0;
    for (; k < 1000; k++)
        as_forecaster_update(f, (as_time)k * 60 * AS_SEC, 100 + 10 * rng_gauss(&r));
    int pos = 0, n = 0;
    for (int i = 0; i < 200; i++, k++) {
        as_forecaster_update(f, (as_time)k * 60 * AS_SEC, 100 + 10 * rng_gauss(&r));
        double m[H_MAX], lo[H_MAX], hi[H_MAX], e4, e6;
        as_forecaster_predict(f, 1, m, lo, hi);
        double p4 = as_forecaster_tail(f, 1, -INFINITY, m[0] + 4 * 14.142, &e4);
        double p6 = as_forecaster_tail(f, 1, -INFINITY, m[0] + 6 * 14.142, &e6);
        cr_assert(p4 < 2e-3 && p6 < p4 && e6 < e4 && e6 >= 0,
                  "origin %d: P(4 sigma) %.3g, P(6 sigma) %.3g, E %.3g %.3g", i, p4, p6, e4, e6);
        pos += p4 > 1e-5;
        n++;
    }
    cr_expect_eq(pos, n, "P(4 sigma) > 1e-5 at %d of %d origins (empirical tail: 0)", pos, n);
    as_forecaster_free(f);
}

/* An error made at a forecast near zero (the end of an outage: the load
 * comes back at once) is scaled by the mean of the forecast's and the
 * outcome's scales, not by the forecast's alone, which is near zero: a
 * 0 -> 100 jump is then an error of 19 scales, not of 300 (the scale floor
 * is 0.1 % of the mean level), and once the load is back at 100 it does not
 * read as a one-in-a-window chance (1/500) of 400 for the window's whole
 * memory. On the square-root scale the two jumps are the same size
 * (2 (sqrt 400 - sqrt 100) = 2 sqrt 100), and the tail is read on that
 * scale, so 400 keeps a chance: that of the outage's return among the
 * errors (the long memory counts the two of them at or past 400's: 2 in
 * the 500 residuals of the window, 0.004), and far less past it (900:
 * the exponential tail, under 1e-3). */
Test(forecast, an_outage_does_not_widen_the_tail_at_the_usual_level)
{
    as_forecaster *f = make("naive", 0, 4, NULL);
    rng r = {.s = 11};
    long k = 0;
    for (; k < 600; k++)
        as_forecaster_update(f, (as_time)k * 60 * AS_SEC, 100 + 10 * rng_gauss(&r));
    for (; k < 640; k++) /* the outage */
        as_forecaster_update(f, (as_time)k * 60 * AS_SEC, 0);
    double worst = 0, worst900 = 0;
    for (; k < 700; k++) {
        as_forecaster_update(f, (as_time)k * 60 * AS_SEC, 100 + 10 * rng_gauss(&r));
        double m[H_MAX], lo[H_MAX], hi[H_MAX], e;
        as_forecaster_predict(f, 1, m, lo, hi);
        for (int h = 1; h <= 4; h++) {
            double p = as_forecaster_tail(f, h, -INFINITY, 400, &e);
            worst = p > worst ? p : worst;
            p = as_forecaster_tail(f, h, -INFINITY, 900, &e);
            worst900 = p > worst900 ? p : worst900;
        }
    }
    cr_expect(worst <= 4.0 / 500, "P(y > 400) at level 100 after an outage: %.3g", worst);
    cr_expect(worst900 < 1e-3, "P(y > 900) at level 100 after an outage: %.3g", worst900);
    as_forecaster_free(f);
}

/* Bursts further apart than the error window are still priced: the long
 * memory (fc_conf_long.c) keeps the errors above the window's upper
 * quantile for FC_LONG_SPAN residuals. A level of 100 (noise sd 3) with a
 * burst to 250 for 5 steps every 800 steps: 700 steps after the tenth,
 * the window (500 errors) holds none, but the chance of a jump past 140
 * must still read as about one onset per 800 steps (the window alone: the
 * exponential tail of the noise, under 1e-10). Once FC_LONG_SPAN quiet
 * steps have passed, it is forgotten; and a single burst, once out of
 * the window, counts for nothing (one spell is not a pattern). */
Test(forecast, bursts_further_apart_than_the_window_are_remembered)
{
    as_forecaster *f = make("naive", 0, 4, NULL);
    rng r = {.s = 3};
    long k = 0;
    double p = 0, e = 0, m[H_MAX], lo[H_MAX], hi[H_MAX];
    for (; k < 8000 + 700; k++) {
        bool burst = k % 800 >= 795;
        as_forecaster_update(f, (as_time)k * 60 * AS_SEC, (burst ? 250 : 100) + 3 * rng_gauss(&r));
        as_forecaster_predict(f, 1, m, lo, hi);
        p = as_forecaster_tail(f, 1, -INFINITY, m[0] + 140, &e); /* sets the threshold */
    }
    cr_expect(p > 1.0 / 1600 && p < 2.0 / 800, "P(jump > 140) %.3g, bursts 1 in 800", p);
    cr_expect(e > 0, "E[(y - x)+] = %.3g", e);
    for (long end = k + FC_LONG_SPAN_TEST; k < end; k++) {
        as_forecaster_update(f, (as_time)k * 60 * AS_SEC, 100 + 3 * rng_gauss(&r));
        as_forecaster_predict(f, 1, m, lo, hi);
    }
    p = as_forecaster_tail(f, 1, -INFINITY, m[0] + 140, &e);
    cr_expect(p < 1e-10, "P(jump > 140) %.3g after a long quiet spell", p);
    as_forecaster_free(f);

    /* one burst is not a pattern: 700 steps after the only one, nothing */
    f = make("naive", 0, 4, NULL);
    for (k = 0; k < 3000; k++) {
        bool burst = k >= 2295 && k < 2300;
        as_forecaster_update(f, (as_time)k * 60 * AS_SEC, (burst ? 250 : 100) + 3 * rng_gauss(&r));
        as_forecaster_predict(f, 1, m, lo, hi);
        p = as_forecaster_tail(f, 1, -INFINITY, m[0] + 140, &e);
    }
    cr_expect(p < 1e-10, "P(jump > 140) %.3g 700 steps after a single burst", p);
    as_forecaster_free(f);
}

/* A naive forecaster fed a level of 100 that jumps to 400 at every tenth
 * step (and back at the next), 1000 one-minute steps. */
static as_forecaster *jumpy_naive(void)
{
    as_forecaster *f = make("naive", 0, 4, NULL);
    for (long k = 0; k < 1000; k++)
        as_forecaster_update(f, (as_time)k * 60 * AS_SEC, k % 10 == 5 ? 400 : 100);
    return f;
}

/* The tail is read on the scale its errors were stored on: a 100 -> 400
 * jump is stored as 300 over the mean of the two scales (20 scales), so
 * "above 390 from 100" is the same event and must read as the share of such
 * jumps. A naive forecaster of a level of 100 that jumped to 400 at every
 * tenth step reads P(y > 390) = 0.1; read with the forecast's scale alone,
 * 390 is 29 scales away, past every error, and the chance was 0. */
Test(forecast, tail_reads_a_jump_on_the_scale_it_was_stored_on)
{
    as_forecaster *f = jumpy_naive();
    double m[H_MAX], lo[H_MAX], hi[H_MAX], e;
    as_forecaster_predict(f, 1, m, lo, hi);
    cr_assert_float_eq(m[0], 100, 1e-9);
    double p = as_forecaster_tail(f, 1, -INFINITY, 390, &e);
    cr_expect(fabs(p - 0.1) < 0.005, "P(y > 390) = %.4g, jumps at 0.1 of the steps", p);
    cr_expect(e > 0, "E[(y - 390)+] = %.4g", e);
    as_forecaster_free(f);
}

/* The interval is read on the scale its errors were stored on, as the
 * tail is: a stored error r stands for the outcome y with y - yhat =
 * r (s(y) + s(yhat)) / 2, which for yhat >= 0 is yhat + r s(yhat) + r^2 / 4.
 * A naive forecaster of a level of 100 that jumps to 400 at every tenth
 * step and back at the next has errors of +20 (100 -> 400, 300 over the
 * mean scale 15), -20 (400 -> 100) and 0: its 95 % quantile is a jump, so
 * the upper bound at 100 is 400, the jump itself; its 5 % quantile is the
 * drop, which on the square-root scale is as large as 100 -> 0, so the
 * lower bound is 0 (a little below: the scale floor, 0.1 % of the mean
 * level, makes the drop a shade larger than any fall from 100 to >= 0).
 * Read with the forecast's scale alone the bounds were 100 +- 20 x 10,
 * [-100, 300]: the 90 % interval left out the jump that comes at a tenth of
 * the steps, and the coverage of the upper bound fell to 0.9. */
Test(forecast, bounds_read_a_jump_on_the_scale_it_was_stored_on)
{
    as_forecaster *f = jumpy_naive();
    double m[H_MAX], lo[H_MAX], hi[H_MAX];
    as_forecaster_predict(f, 1, m, lo, hi);
    cr_assert_float_eq(m[0], 100, 1e-9);
    /* the tracking of the ends (fc_conf.h) moves the upper end off the
     * quantile, here the jump itself, which comes a tenth of the time:
     * each jump it misses raises the end by 0.95 of a step (a tenth of the
     * width: 4 of its 40 scales), which then falls by 0.05 of a step an
     * update until a jump is missed again, so the end stays within
     * [-0.2, 3.8] scales of the jump's: outcomes of 396 to 480 (read with
     * the forecast's scale alone the bound was 300) */
    cr_expect(hi[0] > 395 && hi[0] < 481, "upper bound %.6g, the jump is 400", hi[0]);
    cr_expect(fabs(lo[0]) < 1, "lower bound %.6g, the drop read at 100 is 0", lo[0]);
    as_forecaster_free(f);
}

/* auto on a pure season: the seasonal members are exact once a season has
 * been seen and scored, so they lead alone. Before a whole season it does
 * not use them: its path is the one it has without a season at all; after
 * a few seasons of a seasonal series the two differ. */
Test(forecast, auto_uses_the_season_once_seen)
{
    pure_season("auto", NULL, 100);
    enum { M = 24, N = 5 * M };
    as_forecaster *with = make("auto", M, 4, NULL), *without = make("auto", 0, 4, NULL);
    rng r = {.s = 3};
    bool differ = false;
    for (long i = 0; i < N; i++) {
        double y = 100 + 40 * sin(2 * M_PI * (double)i / M) + 3 * rng_gauss(&r);
        as_forecaster_update(with, i * 60 * AS_SEC, y);
        as_forecaster_update(without, i * 60 * AS_SEC, y);
        double a[4], b[4], lo[4], hi[4];
        as_forecaster_predict(with, 4, a, lo, hi);
        as_forecaster_predict(without, 4, b, lo, hi);
        for (int h = 0; h < 4; h++) {
            if (i < M)
                cr_assert_eq(a[h], b[h], "i=%ld h=%d: %.17g vs %.17g before a season", i,
                             h + 1, a[h], b[h]);
            differ = differ || a[h] != b[h];
        }
    }
    cr_expect(differ, "the season never made a difference");
    as_forecaster_free(with);
    as_forecaster_free(without);
}

/* auto is at or below the best single kind's MASE on both real traces
 * (the acceptance figure of the README's forecaster table), by the CLI. */
static double cli_mase(const char *trace, const char *kind)
{
    char cmd[512], line[512];
    const char *sr = getenv("SIMRUN") ? getenv("SIMRUN") : "bin/simrun";
    snprintf(cmd, sizeof cmd, "%s forecast %s --forecaster %s --csv", sr, trace, kind);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    double mase = NAN;
    while (fgets(line, sizeof line, p))
        if (line[0] == '"')
            cr_assert_eq(sscanf(strchr(line, ',') + 1, "%*f,%lf", &mase), 1, "%s", line);
    cr_assert_eq(pclose(p), 0, "%s", cmd);
    return mase;
}

Test(forecast, cli_auto_at_or_below_the_best_single_kind, .timeout = 240)
{
    static const char *const kinds[] = {"naive", "seasonal_naive", "ewma", "holt",
                                        "holt_winters", "seasonal_drift", "linreg", "ar"};
    const char *wiki = "traces/wikipedia_en_jan2016_1h.csv";
    double best = INFINITY;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        best = fmin(best, cli_mase(wiki, kinds[i]));
    double a = cli_mase(wiki, "auto");
    cr_expect(a <= best, "Wikipedia: auto MASE %.3f, best single %.3f", a, best);
    /* NASA: the two best single kinds there (0.515 and 0.525) */
    const char *nasa = "traces/nasa_http_jul1995_1min.csv";
    double bn = fmin(cli_mase(nasa, "ewma"), cli_mase(nasa, "linreg"));
    double an = cli_mase(nasa, "auto");
    cr_expect(an <= bn, "NASA: auto MASE %.3f, best single %.3f", an, bn);
}

/* Run a `simrun forecast` command line; its stdout into out. */
static void cli_out(const char *args, char *out, size_t n)
{
    char cmd[512];
    const char *sr = getenv("SIMRUN") ? getenv("SIMRUN") : "bin/simrun";
    snprintf(cmd, sizeof cmd, "%s forecast %s 2>&1", sr, args);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t got = fread(out, 1, n - 1, p);
    out[got] = '\0';
    cr_assert_eq(pclose(p), 0, "%s:\n%s", cmd, out);
}

/* --season 0: the seasonal kinds are skipped with one line each, the
 * others are scored; a one-day trace at a one-day season: the kinds whose
 * warm-up is the season are skipped, MASE falls back on the lag-1 naive
 * scale (said in the header) and no row has a NAN. */
Test(forecast, cli_skips_what_cannot_run_and_says_why, .timeout = 60)
{
    static char out[8192];
    cli_out("tests/data/synthetic_seasonal.csv --season 0 --horizon 4 --stride 50 "
            "--forecaster naive,holt_winters,seasonal_drift,ewma",
            out, sizeof out);
    cr_expect(strstr(out, "holt_winters") && strstr(out, "skipped: holt_winters needs a season"),
              "%s", out);
    cr_expect(strstr(out, "skipped: seasonal_drift needs a season"), "%s", out);
    cr_expect(strstr(out, "\newma ") != NULL, "ewma still scored:\n%s", out);
    /* the first day of the trace (1440 one-minute steps) at a 1-day season */
    char tmp[128], cmd[300];
    snprintf(tmp, sizeof tmp, "%s/simfc_day_%d.csv", th_tmpdir(), (int)getpid());
    snprintf(cmd, sizeof cmd, "head -1441 tests/data/synthetic_seasonal.csv > %s", tmp);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s --season 1d --forecaster naive,seasonal_naive,auto", tmp);
    cli_out(cmd, out, sizeof out);
    unlink(tmp);
    cr_expect(strstr(out, "MASE scale: in-sample naive") != NULL, "%s", out);
    cr_expect(strstr(out, "seasonal_naive") && strstr(out, "skipped: needs 1440 steps"), "%s",
              out);
    cr_expect(strstr(out, "nan") == NULL && strstr(out, "NAN") == NULL, "a NAN:\n%s", out);
    cr_expect(strstr(out, "\nauto ") != NULL, "%s", out);
}

Test(forecast, warmup_of_the_seasonal_kinds)
{
    as_forecaster *hw = make("holt_winters", 24, 4, NULL);
    as_forecaster *sn = make("seasonal_naive", 24, 4, NULL);
    as_forecaster *nv = make("naive", 24, 4, NULL);
    /* holt_winters' auto fit window: 7 seasons of 24 (the first >= 160) */
    cr_expect_eq(as_forecaster_warmup(hw), 7 * 24);
    cr_expect_eq(as_forecaster_warmup(sn), 24);
    cr_expect_eq(as_forecaster_warmup(nv), 0);
    as_forecaster_free(hw);
    as_forecaster_free(sn);
    as_forecaster_free(nv);
}

/* ---- a rate is never forecast below zero ---------------------------------- */

/* holt on a near-zero base (0.05 +- 0.05, cut at 0) with a burst of 3 every
 * 15 steps (a timer): after each burst its trend carries the path below 0.
 * Returns the share of h = 1..10 outcomes inside the 90 % interval and sets
 * *least to the lowest point of every path. */
static double spiky_coverage(bool nonneg, double *least)
{
    enum { N = 4000, BURN = 1000, HZ = 10 };
    static double lo_at[N + HZ][HZ], hi_at[N + HZ][HZ];
    as_forecast_common c = common_of(0, HZ);
    c.nonneg = nonneg;
    as_err err = {0};
    as_forecaster *f = as_forecaster_new(as_forecaster_type_find("holt"), &c, NULL, &err);
    cr_assert_not_null(f, "%s", err.msg);
    rng r = {.s = 15};
    int in = 0, tot = 0;
    *least = INFINITY;
    double m[H_MAX], lo[H_MAX], hi[H_MAX];
    for (int i = 0; i < N; i++) {
        double y = i % 15 == 0 ? 3 + 0.5 * rng_gauss(&r) : fmax(0, 0.05 + 0.05 * rng_gauss(&r));
        for (int j = 0; j < HZ && i >= BURN + HZ; j++) {
            tot++;
            in += y >= lo_at[i][j] && y <= hi_at[i][j];
        }
        as_forecaster_update(f, (as_time)i * 60 * AS_SEC, y);
        as_forecaster_predict(f, HZ, m, lo, hi);
        for (int j = 0; j < HZ; j++) {
            lo_at[i + j + 1][j] = lo[j];
            hi_at[i + j + 1][j] = hi[j];
            *least = fmin(*least, m[j]);
        }
    }
    as_forecaster_free(f);
    return (double)in / tot;
}

/* With nonneg (what the engine sets for the arrival rate) no path goes
 * below 0 and the interval keeps its coverage; without it the same series
 * drives holt's path below 0 and the interval, read back through a map
 * that is exact only for a forecast >= 0, misses. */
Test(forecast, a_rate_is_never_forecast_below_zero)
{
    double least_raw, least;
    double cov_raw = spiky_coverage(false, &least_raw);
    double cov = spiky_coverage(true, &least);
    cr_expect(least_raw < -0.1, "the series must drive holt below 0: least %.3f", least_raw);
    cr_expect(least >= 0, "nonneg: least point %.3g", least);
    cr_expect(fabs(cov - 0.9) < 0.05, "nonneg: coverage %.3f (without: %.3f)", cov, cov_raw);
}

/* auto floors its raw members' paths at 0 itself (the plausible range of
 * the observations), and its log members see log(y + eps), negative below
 * 1 - eps: nonneg must not floor those. On a series below 1 the paths with
 * and without nonneg are the same, bit for bit. */
Test(forecast, auto_log_members_are_not_floored)
{
    as_forecaster *f[2];
    for (int k = 0; k < 2; k++) {
        as_forecast_common c = common_of(0, 5);
        c.nonneg = k == 1;
        as_err err = {0};
        f[k] = as_forecaster_new(as_forecaster_type_find("auto"), &c, NULL, &err);
        cr_assert_not_null(f[k], "%s", err.msg);
    }
    rng r = {.s = 3};
    int differ = 0;
    for (int i = 0; i < 600; i++) {
        double y = 0.2 + 0.1 * sin(i / 20.0) + 0.02 * rng_gauss(&r), m[2][H_MAX], lo[H_MAX],
               hi[H_MAX];
        for (int k = 0; k < 2; k++) {
            as_forecaster_update(f[k], (as_time)i * 60 * AS_SEC, y);
            as_forecaster_predict(f[k], 5, m[k], lo, hi);
        }
        differ += memcmp(m[0], m[1], 5 * sizeof(double)) != 0;
    }
    cr_expect_eq(differ, 0, "%d of 600 paths differ", differ);
    for (int k = 0; k < 2; k++)
        as_forecaster_free(f[k]);
}

/* ---- a trace without noise ---------------------------------------------- */

/* A cycle of 60 one-minute steps, each value computed afresh (the same a
 * season later up to its last bits): the seasonal naive is exact. Its row
 * must read as exact (no error, every outcome covered, none under), not
 * as rounding errors half outside an interval of their width, and MASE's
 * scale must not be those rounding errors (it was: naive's MASE 1e14). */
Test(forecast, cli_scores_an_exact_forecast_as_exact, .timeout = 60)
{
    char tmp[128], args[300];
    snprintf(tmp, sizeof tmp, "%s/simfc_exact_%d.csv", th_tmpdir(), (int)getpid());
    FILE *f = fopen(tmp, "w");
    cr_assert_not_null(f);
    fprintf(f, "time,rate\n");
    for (int i = 0; i < 3000; i++)
        fprintf(f, "%d,%.17g\n", i * 60, 100 + 50 * sin(6.283185307179586 * i / 60.0 + 0.2));
    fclose(f);
    static char out[4096];
    snprintf(args, sizeof args, "%s --season 1h --forecaster seasonal_naive,naive --csv", tmp);
    cli_out(args, out, sizeof out);
    unlink(tmp);
    double mae, mase, smape, cover, under;
    const char *row = strstr(out, "\"seasonal_naive\",");
    cr_assert_not_null(row, "%s", out);
    cr_assert_eq(sscanf(row, "\"seasonal_naive\",%lf,%lf,%lf,%lf,%lf", &mae, &mase, &smape, &cover,
                        &under), 5, "%s", out);
    cr_expect(mae == 0 && smape == 0 && cover == 1 && under == 0, "%s", out);
    row = strstr(out, "\"naive\",");
    cr_assert_not_null(row, "%s", out);
    cr_assert_eq(sscanf(row, "\"naive\",%lf,%lf,%lf,%lf,%lf", &mae, &mase, &smape, &cover, &under),
                 5, "%s", out);
    /* against the lag-1 naive's in-sample scale: near 1 (the path is flat
     * for 10 steps), not 1e14 */
    cr_expect(mase > 1 && mase < 20, "naive MASE %g\n%s", mase, out);
    cr_expect(cover > 0.85 && cover < 0.95, "naive cover %g\n%s", cover, out);
    /* a constant trace: no scale at all (MASE nan), and the header says why */
    f = fopen(tmp, "w");
    cr_assert_not_null(f);
    fprintf(f, "time,rate\n");
    for (int i = 0; i < 400; i++)
        fprintf(f, "%d,42.5\n", i * 60);
    fclose(f);
    snprintf(args, sizeof args, "%s --season 0 --forecaster naive,ewma", tmp);
    cli_out(args, out, sizeof out);
    unlink(tmp);
    cr_expect(strstr(out, "the 200 steps before the first origin are constant: no scale "
                          "until the trace moves (nan if it never does)") != NULL,
              "%s", out);
    cr_expect(strstr(out, "nan") != NULL, "MASE nan:\n%s", out);
    cr_expect(strstr(out, "1.000   0.000") != NULL, "every outcome covered, none under:\n%s",
              out);
}
