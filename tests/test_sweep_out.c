/* test_sweep_out.c - what a sweep shows: a column per swept parameter with
 * its full name in the table, CSV, JSON and HTML; sweep points over their
 * repetitions (the cheapest by its mean, a point meets the SLO only when
 * every repetition does); units in the repetition table; a figure per
 * swept parameter. */
#include "sim_summary.h"
#include "sim_sweep.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static sim_summary_row row(const char *run, double cost, int meets)
{
    sim_summary_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.run, sizeof r.run, "%s", run);
    snprintf(r.kind, sizeof r.kind, "hpa");
    r.cost_total = cost;
    r.meets_slo = meets;
    r.p95 = r.latency_at_p = 0.2; /* the repetition table shows the SLO percentile's */
    r.slo_violation_s = meets ? 10 : 5000;
    return r;
}

Test(sweep_out, plan_params_carry_full_names)
{
    as_err e = {0};
    sim_scenario *s = sim_scenario_load("tests/data/sweep.ini", NULL, 0, &e);
    cr_assert_not_null(s, "%s", e.msg);
    sim_plan p;
    cr_assert_eq(sim_plan_build("tests/data/sweep.ini", NULL, 0, s, NULL, 0, 1000, &p, &e),
                 AS_OK, "%s", e.msg);
    cr_assert_str_eq(p.runs[0].params, "policy.hpa.target=0.5 tier.web.boot_time=30s");
    cr_assert_str_eq(p.runs[24].params, "tier.web.boot_time=30s", "threshold: only the tier key");
    sim_plan_free(&p);
    sim_scenario_free(s);
}

Test(sweep_out, params_value_and_keys)
{
    char v[64], keys[4][128];
    const char *params[] = {"policy.hpa.target=0.5 tier.web.boot_time=30s", NULL,
                            "tier.web.boot_time=60s policy.h.target=0.7"};
    cr_assert_str_eq(sim_params_value(params[0], "tier.web.boot_time", v, sizeof v), "30s");
    cr_assert_str_eq(sim_params_value(params[0], "policy.hpa.targ", v, sizeof v), "",
                     "a prefix of a key is not the key");
    cr_assert_str_eq(sim_params_value(NULL, "x", v, sizeof v), "");
    cr_assert_eq(sim_params_keys(params, 3, keys, 4), 3);
    cr_assert_str_eq(keys[0], "policy.hpa.target");
    cr_assert_str_eq(keys[1], "tier.web.boot_time");
    cr_assert_str_eq(keys[2], "policy.h.target");
}

/* The cheapest single run (p000.r1, 0.3) belongs to a point whose mean
 * (0.65) is dearer than p001's (0.5): the point's mean decides. */
Test(sweep_out, cheapest_is_by_the_mean_of_a_point)
{
    sim_summary_row rows[] = {row("hpa.p000.r0", 1.0, 1), row("hpa.p000.r1", 0.3, 1),
                              row("hpa.p001.r0", 0.5, 1), row("hpa.p001.r1", 0.5, 1),
                              row("hpa.p002.r0", 0.1, 1), row("hpa.p002.r1", 0.2, 0)};
    sim_point pts[6];
    int np = sim_summary_points(rows, 6, pts);
    cr_assert_eq(np, 3);
    cr_assert_str_eq(pts[0].name, "hpa.p000");
    cr_assert_eq(pts[0].n, 2);
    cr_assert_float_eq(pts[0].cost, 0.65, 1e-12);
    /* t(0.975, 1) = 12.7062, sd = 0.7 / sqrt 2: half-width 12.7062 * 0.35 */
    cr_assert_float_eq(pts[0].cost_hw, 12.706204736 * 0.35, 1e-8);
    cr_assert(pts[0].meets && pts[1].meets);
    cr_assert(!pts[2].meets, "one repetition misses: the point misses");
    cr_assert_eq(sim_summary_best_point(pts, np, 0), 1);

    FILE *f = tmpfile();
    const char *params[] = {"policy.hpa.target=0.5", "policy.hpa.target=0.5",
                            "policy.hpa.target=0.6", "policy.hpa.target=0.6",
                            "policy.hpa.target=0.7", "policy.hpa.target=0.7"};
    const sim_slo_info slo = {.latency = 0.25, .percentile = 0.95, .window = 60,
                              .objective = 0.99, .error_rate = -1};
    sim_summary_print(f, rows, params, 6, SIM_FMT_TEXT, &slo);
    rewind(f);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    cr_assert(strstr(buf, "cheapest policy meeting the SLO: hpa.p001 (total 0.50; "
                          "policy.hpa.target=0.6; means over 2 repetitions)"),
              "%s", buf);
    /* repetition table: units on every latency and violation */
    cr_assert(strstr(buf, "200.0ms +- 0s"), "%s", buf);
    cr_assert(strstr(buf, "10.0s +- 0s"), "%s", buf);
    cr_assert(strstr(buf, "41.8min +- 8.8h"), "p002: 2505 s +- 12.71 * 2495 s\n%s", buf);
}

Test(sweep_out, every_output_has_a_column_per_swept_parameter, .timeout = 120)
{
    const char *tmp = th_tmpdir();
    char cmd[1024];
    th_out o;
    cr_assert_eq(th_simrun(&o, "tests/data/sweep.ini -q --force -j 2 -o '%s/s.h5' --no-report", tmp),
                 0, "%s", o.err);
    th_out_free(&o);
    cr_assert_eq(th_simrun(&o, "show '%s/s.h5' --csv", tmp), 0, "%s", o.err);
    const char *csv = o.out;
    cr_assert(strncmp(csv, "run,kind,policy.hpa.target,tier.web.boot_time,cost_infra,", 57) == 0,
              "%s", csv);
    cr_assert(strstr(csv, "\nhpa.p006.r1,hpa,0.7,30s,"), "%s", csv);
    cr_assert(strstr(csv, "\nthreshold.p002.r0,threshold,,120s,"), "%s", csv);
    th_out_free(&o);
    th_simrun(&o, "show '%s/s.h5' --json", tmp);
    const char *json = o.out;
    cr_assert(strstr(json, "\"run\": \"hpa.p001.r0\",\n    \"kind\": \"hpa\",\n    "
                           "\"policy.hpa.target\": \"0.5\",\n    \"tier.web.boot_time\": \"60s\",\n"),
              "%s", json);
    cr_assert(strstr(json, "\"kind\": \"threshold\",\n    \"policy.hpa.target\": null,\n"),
              "%s", json);
    th_out_free(&o);
    th_simrun(&o, "show '%s/s.h5'", tmp);
    const char *txt = o.out;
    cr_assert(strstr(txt, "policy.hpa.target tier.web.boot_time"), "%s", txt);
    cr_assert(strstr(txt, "repetitions: mean +- 95% confidence half-width"), "%s", txt);
    cr_assert(strstr(txt, "; means over 2 repetitions)"), "%s", txt);
    th_out_free(&o);
    /* the report: the HTML columns and one figure per numeric key */
    cr_assert_eq(th_simrun(&o, "report '%s/s.h5' -o '%s/rep'", tmp, tmp), 0, "%s%s", o.out, o.err);
    th_out_free(&o);
    snprintf(cmd, sizeof cmd, "%s/rep/index.html", tmp);
    char *html = th_slurp(cmd, NULL);
    cr_assert_not_null(html);
    cr_assert(strstr(html, "<th>policy.hpa.target</th><th>tier.web.boot_time</th>"));
    cr_assert(strstr(html, "href=\"sweep.html\""));
    free(html);
    /* the sweep page: a row per point with the keys as columns, the figures */
    snprintf(cmd, sizeof cmd, "%s/rep/sweep.html", tmp);
    html = th_slurp(cmd, NULL);
    cr_assert_not_null(html);
    cr_assert(strstr(html, "<th>policy.hpa.target</th><th>tier.web.boot_time</th><th>n</th>"));
    cr_assert(strstr(html, "<tr class=\"best\"><td class=\"l\">hpa.p000</td>"), "%s", html);
    cr_assert(strstr(html, "sweep_01.png") && strstr(html, "sweep_02.png"));
    free(html);
    struct stat sb;
    snprintf(cmd, sizeof cmd, "%s/rep/sweep_02.png", tmp);
    cr_assert(stat(cmd, &sb) == 0 && sb.st_size > 5000, "a figure that is not blank");
    snprintf(cmd, sizeof cmd, "%s/rep/data/sweep_01.dat", tmp);
    FILE *f = fopen(cmd, "r");
    cr_assert_not_null(f);
    char line[512];
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert(strstr(line, "# policy.hpa.target,"), "%s", line);
    /* a series per value of the other swept key, its points by rising x */
    int series = 0, rows = 0;
    double last = -INFINITY;
    while (fgets(line, sizeof line, f)) {
        double xv;
        if (strncmp(line, "# series hpa boot_time=", 23) == 0) {
            series++;
            last = -INFINITY;
        } else if (sscanf(line, "%lf", &xv) == 1) {
            cr_expect_gt(xv, last, "points of a series out of order: %s", line);
            last = xv;
            rows++;
        }
    }
    cr_expect_eq(series, 3, "one series per tier.web.boot_time value");
    cr_expect_eq(rows, 12, "4 targets x 3 boot times");
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s/rep/report.gp", tmp);
    char *gp = th_slurp(cmd, NULL);
    cr_assert_not_null(gp);
    cr_expect(strstr(gp, "'data/sweep_01.dat' index 2 using 1:2:3 with yerrorlines"), "%s", gp);
    free(gp);
}
