/* test_report.c - `simrun report` and plot_report: the figures exist, are
 * valid PNG/SVG/PDF and not blank, index.html shows every one of them, the
 * script reruns, long series are reduced without losing their peaks, and
 * bad inputs and a missing or failing gnuplot give clean errors.
 * Input: bin/simrun (or $SIMRUN) on scenarios/spike.ini shortened to 6h,
 * run from the project root; every test works in its own folder (th_tmpdir). */
#include "cmd.h"
#include "plot_report.h"
#include "sim_results.h"
#include "sim_results_read.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "%s", th_tmpdir());
}

/* Run simrun on spike.ini (6h) with extra arguments into dir/NAME.h5. */
static void simulate(const char *name, const char *extra)
{
    char cmd[1024];
    /* --no-report: the run must not draw its own report into reports/ of
     * the project; older simrun builds lack the option, so try without */
    const char *nr[] = {" --no-report", ""};
    int st = -1;
    for (int k = 0; k < 2 && st != 0; k++) {
        snprintf(cmd, sizeof cmd,
                 "%s scenarios/spike.ini --set scenario.duration=6h %s -q --force%s -o %s/%s.h5 "
                 ">/dev/null 2>&1",
                 th_simrun_path(), extra, nr[k], dir, name);
        st = system(cmd);
    }
    cr_assert_eq(st, 0, "simrun failed: %s", cmd);
}

static int report(const char *h5, const char *out, const char *fmt)
{
    char h[512], o[512];
    snprintf(h, sizeof h, "%s/%s", dir, h5);
    snprintf(o, sizeof o, "%s/%s", dir, out);
    char *argv[] = {"report", h, "-o", o, "--format", (char *)fmt, NULL};
    return cmd_report(6, argv);
}

static int count(const char *hay, const char *needle)
{
    int k = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        k++;
    return k;
}

static int runs_in(const char *h5)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, h5);
    sim_summary_row *rows = NULL;
    int n = 0;
    as_err err = {0};
    cr_assert_eq(sim_results_read_summary(p, &rows, &n, &err), AS_OK, "%s", err.msg);
    free(rows);
    return n;
}

static unsigned be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* Size of a PNG with the same pixel size holding only a frame, tics and a
 * title: what an empty figure costs. Figures with data are far larger. */
static long blank_png_size(unsigned w, unsigned h)
{
    char path[512], cmd[1024];
    snprintf(path, sizeof path, "%s/blank_%ux%u.png", dir, w, h);
    snprintf(cmd, sizeof cmd,
             "printf \"set terminal pngcairo size %u,%u font 'sans,10'\\nset output '%s'\\n"
             "set title 'empty'\\nplot [0:1][0:1] -1 notitle\\n\" | gnuplot",
             w, h, path);
    cr_assert_eq(system(cmd), 0);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    return (long)st.st_size;
}

static void check_png(const char *path)
{
    size_t n = 0;
    unsigned char *b = (unsigned char *)th_slurp(path, &n);
    cr_assert_not_null(b, "%s missing", path);
    cr_assert(n > 33 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0, "%s: not a PNG", path);
    cr_assert(memcmp(b + 12, "IHDR", 4) == 0, "%s: no IHDR", path);
    unsigned w = be32(b + 16), h = be32(b + 20);
    cr_assert(w >= 800 && h >= 600, "%s: %ux%u", path, w, h);
    cr_assert(memcmp(b + n - 8, "IEND", 4) == 0, "%s: truncated PNG", path);
    long blank = blank_png_size(w, h);
    cr_assert((long)n > 2 * blank, "%s: %zu bytes, an empty %ux%u plot is %ld: blank?", path, n,
              w, h, blank);
    free(b);
}

/* The src of every <img> in index.html, each checked by `check`. */
static int check_index_images(const char *out, void (*check)(const char *))
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s/index.html", dir, out);
    char *html = th_slurp(p, NULL);
    cr_assert_not_null(html, "no %s", p);
    int k = 0;
    for (const char *q = html; (q = strstr(q, "<img src=\"")) != NULL; k++) {
        q += 10;
        const char *e = strchr(q, '"');
        cr_assert_not_null(e);
        char f[512];
        snprintf(f, sizeof f, "%s/%s/%.*s", dir, out, (int)(e - q), q);
        check(f);
    }
    free(html);
    return k;
}

/* (TH_KEEP=1 keeps the folder for a look: test_helpers.h) */
TestSuite(report, .init = make_dir, .timeout = 120);
/* (without its own init, dir was empty and these wrote to the root folder) */
TestSuite(report_slow, .init = make_dir);

Test(report_slow, png_every_figure_valid_and_shown)
{
    simulate("spike", "");
    int nrun = runs_in("spike.h5");
    cr_assert_geq(nrun, 2);
    cr_assert_eq(report("spike.h5", "rep", "png"), 0);
    /* cost-latency, the policies compared, one per run */
    int imgs = check_index_images("rep", check_png);
    cr_assert_eq(imgs, 2 + nrun, "index.html shows %d figures, expected %d", imgs, 2 + nrun);
    char p[512];
    snprintf(p, sizeof p, "%s/rep/index.html", dir);
    char *html = th_slurp(p, NULL);
    cr_assert(strstr(html, "<table>") && strstr(html, "Scenario spike"));
    cr_assert(strstr(html, "cost_latency.png") && strstr(html, "summary.png"));
    /* the summary is the first table (the configuration's follow) */
    char *t0 = strstr(html, "<table>"), *t1 = t0 ? strstr(t0, "</table>") : NULL;
    cr_assert(t0 && t1);
    *t1 = '\0';
    cr_assert_eq(count(t0, "<tr"), 1 + nrun, "summary table rows");
    *t1 = '<';
    cr_assert(strstr(t1, "<h2>Configuration</h2>"), "configuration shown");
    free(html);
    /* the script and its data are kept, and the script names its data */
    snprintf(p, sizeof p, "%s/rep/report.gp", dir);
    char *gp = th_slurp(p, NULL);
    cr_assert_not_null(gp);
    cr_assert(strstr(gp, "'data/summary.dat'") && strstr(gp, "'data/run01.dat'"));
    free(gp);
    snprintf(p, sizeof p, "%s/rep/data/run01_tier1.dat", dir);
    cr_assert_eq(access(p, R_OK), 0);
    /* gnuplot had nothing to complain about */
    snprintf(p, sizeof p, "%s/rep/gnuplot.log", dir);
    char *log = th_slurp(p, NULL);
    cr_assert_null(log, "gnuplot warned: %s", log ? log : "");
}

Test(report_slow, script_reruns_in_its_folder)
{
    simulate("spike", "--policy hpa --policy oracle");
    cr_assert_eq(report("spike.h5", "rep", "png"), 0);
    char cmd[1024], p[512];
    snprintf(p, sizeof p, "%s/rep/cost_latency.png", dir);
    cr_assert_eq(unlink(p), 0);
    snprintf(cmd, sizeof cmd, "cd %s/rep && gnuplot report.gp 2>&1", dir);
    cr_assert_eq(system(cmd), 0);
    check_png(p);
}

static void check_svg(const char *path)
{
    size_t n = 0;
    char *b = th_slurp(path, &n);
    cr_assert_not_null(b, "%s missing", path);
    cr_assert(strncmp(b, "<?xml", 5) == 0 && strstr(b, "<svg") != NULL, "%s: not SVG", path);
    const char *end = b + n;
    while (end > b && (end[-1] == '\n' || end[-1] == ' '))
        end--;
    cr_assert(end - b > 6 && strncmp(end - 6, "</svg>", 6) == 0, "%s: no </svg> root end", path);
    /* not blank: well above an empty frame of the same size, drawn here */
    unsigned w = 0, h = 0;
    const char *vb = strstr(b, "viewBox=\"0 0 ");
    cr_assert(vb && sscanf(vb, "viewBox=\"0 0 %u %u", &w, &h) == 2, "%s: no viewBox", path);
    char ref[512], cmd[1024];
    snprintf(ref, sizeof ref, "%s/blank_%ux%u.svg", dir, w, h);
    snprintf(cmd, sizeof cmd,
             "printf \"set terminal svg size %u,%u fixed font 'sans,11'\\nset output '%s'\\n"
             "set title 'empty'\\nplot [0:1][0:1] -1 notitle\\n\" | gnuplot",
             w, h, ref);
    cr_assert_eq(system(cmd), 0);
    struct stat st;
    cr_assert_eq(stat(ref, &st), 0);
    cr_assert((long)n > 2 * (long)st.st_size, "%s: %zu bytes, an empty plot %ld: blank?", path,
              n, (long)st.st_size);
    cr_assert_gt(count(b, "<path"), 10, "%s: nothing drawn", path);
    free(b);
}

Test(report, svg)
{
    simulate("spike", "--policy static --policy target --policy oracle");
    cr_assert_eq(report("spike.h5", "svg", "svg"), 0);
    cr_assert_eq(check_index_images("svg", check_svg), 2 + 3);
}

Test(report, pdf_one_file_one_page_per_figure)
{
    simulate("spike", "");
    int nrun = runs_in("spike.h5");
    cr_assert_eq(report("spike.h5", "pdf", "pdf"), 0);
    char p[512];
    snprintf(p, sizeof p, "%s/pdf/report.pdf", dir);
    size_t n = 0;
    char *b = th_slurp(p, &n);
    cr_assert_not_null(b);
    cr_assert(n > 20000 && memcmp(b, "%PDF-", 5) == 0, "not a PDF (%zu bytes)", n);
    /* pages: "/Type /Page" not followed by "s" (that is the page tree) */
    int pages = 0;
    for (size_t i = 0; i + 11 < n; i++)
        if (memcmp(b + i, "/Type /Page", 11) == 0 && b[i + 11] != 's')
            pages++;
    cr_assert_eq(pages, 2 + nrun, "%d pages", pages);
    cr_assert(memmem(b + n - 32, 32, "%%EOF", 5) != NULL, "no %%%%EOF: truncated");
    free(b);
    snprintf(p, sizeof p, "%s/pdf/index.html", dir);
    char *html = th_slurp(p, NULL);
    cr_assert(strstr(html, "href=\"report.pdf\"") != NULL);
    cr_assert(strstr(html, "<img") == NULL);
    free(html);
    snprintf(p, sizeof p, "%s/pdf/cost_latency.png", dir);
    cr_assert_neq(access(p, F_OK), 0, "no PNG files with --format pdf");
}

Test(report, one_run_without_forecasts)
{
    simulate("one", "--policy static");
    cr_assert_eq(runs_in("one.h5"), 1);
    cr_assert_eq(report("one.h5", "one", "png"), 0);
    cr_assert_eq(check_index_images("one", check_png), 3);
    char p[512];
    snprintf(p, sizeof p, "%s/one/report.gp", dir);
    char *gp = th_slurp(p, NULL);
    /* no forecast in a static run: no forecast curve, and gnuplot did not
     * warn about an empty data set */
    cr_assert(strstr(gp, "title 'forecast'") == NULL);
    free(gp);
    snprintf(p, sizeof p, "%s/one/gnuplot.log", dir);
    cr_assert_neq(access(p, F_OK), 0, "gnuplot warned");
}

Test(report, long_series_keep_their_peaks)
{
    /* 6h at 5 s = 4320 rows > 2000: bucketed into 1000 rows */
    simulate("long", "--policy static --set scenario.record=5s --set trace.spike=3h,1m,10m,6,2m");
    cr_assert_eq(report("long.h5", "long", "png"), 0);
    char h5[512], p[512];
    snprintf(h5, sizeof h5, "%s/long.h5", dir);
    sim_ts_row *ts = NULL;
    size_t n = 0;
    as_err err = {0};
    cr_assert_eq(sim_results_read_timeseries(h5, "static", &ts, &n, &err), AS_OK, "%s", err.msg);
    cr_assert_gt(n, (size_t)PLOT_MAX_POINTS);
    double rmax = 0, pmax = 0;
    for (size_t i = 0; i < n; i++) {
        rmax = fmax(rmax, ts[i].rate);
        pmax = fmax(pmax, ts[i].p95);
    }
    free(ts);
    snprintf(p, sizeof p, "%s/long/data/run01.dat", dir);
    FILE *f = fopen(p, "r");
    cr_assert_not_null(f);
    char line[4096];
    int rows = 0;
    double drmax = 0, dpmax = 0, drmean_max = 0;
    /* columns: t rate rate_min rate_max forecast lo hi p50 p95 p95_min p95_max ... */
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        double c[11];
        char *s = line;
        for (int k = 0; k < 11; k++)
            c[k] = strtod(s, &s);
        drmean_max = fmax(drmean_max, c[1]);
        drmax = fmax(drmax, c[3]);
        dpmax = fmax(dpmax, c[10]);
        rows++;
    }
    fclose(f);
    cr_assert_eq(rows, PLOT_MAX_POINTS / 2);
    cr_assert_float_eq(drmax, rmax, 1e-6 * rmax, "bucket max %g, series max %g", drmax, rmax);
    cr_assert_float_eq(dpmax, pmax, 1e-6 * pmax, "p95 peak lost: %g vs %g", dpmax, pmax);
    cr_assert_lt(drmean_max, rmax, "means alone would hide the peak");
}

Test(report, pareto_front_is_the_non_dominated_runs)
{
    simulate("spike", "");
    cr_assert_eq(report("spike.h5", "rep", "png"), 0);
    char h5[512], p[512];
    snprintf(h5, sizeof h5, "%s/spike.h5", dir);
    sim_summary_row *rows = NULL;
    int n = 0;
    as_err err = {0};
    cr_assert_eq(sim_results_read_summary(h5, &rows, &n, &err), AS_OK);
    snprintf(p, sizeof p, "%s/rep/data/pareto.dat", dir);
    char *front = th_slurp(p, NULL);
    cr_assert_not_null(front);
    /* the front of the deployable runs: the oracle sees the future, it is
     * a bound drawn apart and neither on the front nor dominating it */
    int on = 0, oracles = 0;
    for (int i = 0; i < n; i++) {
        int dominated = 0, bound = strcmp(rows[i].kind, "oracle") == 0;
        oracles += bound;
        for (int j = 0; j < n; j++)
            dominated |= bound || (j != i && strcmp(rows[j].kind, "oracle") != 0 &&
                                   rows[j].cost_total <= rows[i].cost_total &&
                                   rows[j].p95 <= rows[i].p95 &&
                                   (rows[j].cost_total < rows[i].cost_total ||
                                    rows[j].p95 < rows[i].p95));
        char q[64];
        snprintf(q, sizeof q, "\"%s\"", rows[i].run);
        cr_assert_eq(strstr(front, q) != NULL, !dominated, "run %s", rows[i].run);
        on += !dominated;
    }
    cr_assert_geq(on, 1);
    cr_assert_eq(oracles, 1, "spike.ini has an oracle, which the front must leave out");
    free(front);
    free(rows);
}

/* The cost-latency figure draws each run at the SLO's own percentile
 * (p90 here, not p95) and tells the verdict by the marker: the kinds with
 * a run that misses get an open series, the others none. */
Test(report, cost_latency_uses_the_slo_percentile_and_marks_misses)
{
    simulate("p90", "--set slo.percentile=0.9 --set slo.latency=120ms");
    cr_assert_eq(report("p90.h5", "rep", "png"), 0);
    char h5[512], p[512];
    snprintf(h5, sizeof h5, "%s/p90.h5", dir);
    sim_summary_row *rows = NULL;
    int n = 0, misses = 0, meets = 0;
    as_err err = {0};
    cr_assert_eq(sim_results_read_summary(h5, &rows, &n, &err), AS_OK);
    snprintf(p, sizeof p, "%s/rep/data/summary.dat", dir);
    char *sum = th_slurp(p, NULL);
    snprintf(p, sizeof p, "%s/rep/report.gp", dir);
    char *gp = th_slurp(p, NULL);
    cr_assert(sum != NULL && gp != NULL);
    cr_expect(strstr(sum, "(p90)"), "summary.dat names the SLO's percentile");
    for (int i = 0; i < n; i++) {
        char q[64];
        snprintf(q, sizeof q, "\n%d \"%s\"", i, rows[i].run);
        const char *line = strstr(sum, q);
        cr_assert_not_null(line, "run %s", rows[i].run);
        double v[21];
        const char *c = strchr(line + 1, '"');
        c = strchr(c + 1, '"');
        c = strchr(c + 1, '"');
        c = strchr(c + 1, '"') + 1; /* past "run" "kind" */
        for (int k = 3; k < 21; k++)
            v[k] = strtod(c, (char **)&c);
        cr_expect_float_eq(v[19], rows[i].latency_at_p * 1e3, 1e-6 * v[19] + 1e-9,
                           "run %s: x %g ms, p90 %g s", rows[i].run, v[19], rows[i].latency_at_p);
        cr_expect_eq((int)v[14], rows[i].meets_slo ? 1 : 0, "run %s", rows[i].run);
        if (strcmp(rows[i].kind, "oracle") != 0) {
            misses += !rows[i].meets_slo;
            meets += rows[i].meets_slo;
        }
    }
    cr_assert(misses > 0 && meets > 0, "the case needs both verdicts (%d, %d)", misses, meets);
    cr_expect(strstr(gp, "$15==0") && strstr(gp, "open: misses the SLO"), "no open series");
    cr_expect(strstr(gp, "$15==1"), "no filled series");
    free(sum);
    free(gp);
    free(rows);
}

/* vertical.ini moves a tier between instance types (reason
 * resize:FROM>TO): its report draws, and the move is in the actions data. */
Test(report, a_vertical_move_is_drawn)
{
    char cmd[1024], p[512];
    snprintf(cmd, sizeof cmd,
             "%s scenarios/vertical.ini --set scenario.duration=12h -q --force --no-report "
             "-o %s/v.h5 >/dev/null 2>&1",
             th_simrun_path(), dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    cr_assert_eq(report("v.h5", "rep", "png"), 0);
    int moves = 0;
    for (int i = 1; i <= 9; i++) {
        snprintf(p, sizeof p, "%s/rep/data/run%02d_actions.dat", dir, i);
        char *a = th_slurp(p, NULL);
        if (a != NULL)
            moves += count(a, "\"resize:");
        free(a);
    }
    cr_expect_gt(moves, 0, "no resize action in the report's data");
}

/* Three tiers that do not all scale both ways: every series drawn has
 * points, so gnuplot writes no warning (no gnuplot.log). */
Test(report, multi_tier_actions_draw_without_warnings)
{
    char cmd[1024], p[512];
    snprintf(cmd, sizeof cmd,
             "%s scenarios/multitier.ini --set scenario.duration=1d -q --force --no-report "
             "-o %s/m.h5 >/dev/null 2>&1",
             th_simrun_path(), dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    cr_assert_eq(report("m.h5", "rep", "png"), 0);
    snprintf(p, sizeof p, "%s/rep/gnuplot.log", dir);
    char *log = th_slurp(p, NULL);
    cr_expect_null(log, "gnuplot warned: %s", log ? log : "");
    free(log);
}

Test(report, bad_inputs_exit_2_naming_the_file)
{
    char p[512], o[512];
    snprintf(o, sizeof o, "%s/out", dir);
    as_err err = {0};
    /* missing */
    snprintf(p, sizeof p, "%s/nothere.h5", dir);
    cr_assert_eq(plot_report(p, o, PLOT_PNG, &err), AS_EINVAL);
    cr_assert(strstr(err.msg, p) != NULL, "message: %s", err.msg);
    char *argv[] = {"report", p, "-o", o, NULL};
    cr_assert_eq(cmd_report(4, argv), 2);
    /* not HDF5 */
    snprintf(p, sizeof p, "%s/text.h5", dir);
    FILE *f = fopen(p, "w");
    fputs("t,rate\n0,1\n", f);
    fclose(f);
    cr_assert_eq(plot_report(p, o, PLOT_PNG, &err), AS_EINVAL);
    cr_assert(strstr(err.msg, p) != NULL, "message: %s", err.msg);
    cr_assert_eq(cmd_report(4, argv), 2);
    /* truncated: the first 4 KiB of a real results file */
    simulate("spike", "--policy static");
    char src[512], cmd[1200];
    snprintf(src, sizeof src, "%s/spike.h5", dir);
    snprintf(p, sizeof p, "%s/cut.h5", dir);
    snprintf(cmd, sizeof cmd, "head -c 4096 %s > %s", src, p);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(plot_report(p, o, PLOT_PNG, &err), AS_EINVAL);
    cr_assert(strstr(err.msg, p) != NULL, "message: %s", err.msg);
    cr_assert_eq(cmd_report(4, argv), 2);
    /* usage */
    char *bad[] = {"report", src, "--format", "gif", NULL};
    cr_assert_eq(cmd_report(4, bad), 2);
    char *none[] = {"report", NULL};
    cr_assert_eq(cmd_report(1, none), 2);
}

Test(report, missing_gnuplot_is_a_clear_error)
{
    simulate("spike", "--policy static");
    char h5[512], o[512];
    snprintf(h5, sizeof h5, "%s/spike.h5", dir);
    snprintf(o, sizeof o, "%s/out", dir);
    plot_report_opts opts = {.format = PLOT_PNG, .gnuplot = "/nonexistent/gnuplot"};
    as_err err = {0};
    cr_assert_eq(plot_report_ex(h5, o, &opts, NULL, &err), AS_ENOTFOUND);
    cr_assert(strstr(err.msg, "/nonexistent/gnuplot") && strstr(err.msg, "install"), "%s",
              err.msg);
    char *argv[] = {"report", h5, "-o", o, "--gnuplot", "/nonexistent/gnuplot", NULL};
    cr_assert_eq(cmd_report(6, argv), 1);
}

Test(report, gnuplot_errors_are_captured)
{
    simulate("spike", "--policy static");
    /* a stand-in gnuplot that reads the script as gnuplot does, a line at
     * a time, complains at a line and fails (reading to EOF first would
     * wait for ever: the pool keeps a gnuplot's stdin open for its next
     * figure) */
    char fake[512], h5[512], o[512], log[600];
    snprintf(fake, sizeof fake, "%s/fakeplot", dir);
    FILE *f = fopen(fake, "w");
    fputs("#!/bin/sh\nread line\necho '         line 7: undefined variable: bogus' >&2\n"
          "exit 1\n", f);
    fclose(f);
    chmod(fake, 0755);
    snprintf(h5, sizeof h5, "%s/spike.h5", dir);
    snprintf(o, sizeof o, "%s/out", dir);
    plot_report_opts opts = {.format = PLOT_PNG, .gnuplot = fake};
    as_err err = {0};
    cr_assert_eq(plot_report_ex(h5, o, &opts, NULL, &err), AS_EIO);
    cr_assert(strstr(err.msg, "exit 1") && strstr(err.msg, "undefined variable: bogus"), "%s",
              err.msg);
    snprintf(log, sizeof log, "%s/gnuplot.log", o);
    char *text = th_slurp(log, NULL);
    cr_assert(text != NULL && strstr(text, "bogus") != NULL);
    free(text);
    /* a gnuplot that exits without reading must not kill us with SIGPIPE */
    f = fopen(fake, "w");
    fputs("#!/bin/sh\necho 'gone' >&2\nexit 3\n", f);
    fclose(f);
    cr_assert_eq(plot_report_ex(h5, o, &opts, NULL, &err), AS_EIO);
    cr_assert(strstr(err.msg, "gone") != NULL, "%s", err.msg);
}

Test(report, reader_lists_tiers_and_actions)
{
    simulate("spike", "--policy threshold");
    char h5[512];
    snprintf(h5, sizeof h5, "%s/spike.h5", dir);
    as_err err = {0};
    sim_reader *r = sim_reader_open(h5, &err);
    cr_assert_not_null(r, "%s", err.msg);
    sim_tier_info *t = NULL;
    int nt = 0;
    cr_assert_eq(sim_reader_tiers(r, &t, &nt, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(nt, 1);
    cr_assert_str_eq(t[0].name, "web");
    /* spike.ini: concurrency 4, service_time 50ms -> 80 req/s per instance */
    cr_assert_float_eq(t[0].throughput, 80.0, 1e-9);
    free(t);
    sim_run_info *runs = NULL;
    int nr = 0;
    cr_assert_eq(sim_reader_runs(r, &runs, &nr, &err), AS_OK);
    cr_assert_eq(nr, 1);
    cr_assert_str_eq(runs[0].kind, "threshold");
    sim_action_row *a = NULL;
    size_t na = 0;
    cr_assert_eq(sim_reader_actions(r, runs[0].name, &a, &na, &err), AS_OK, "%s", err.msg);
    cr_assert_gt(na, 0);
    for (size_t i = 1; i < na; i++)
        cr_assert_geq(a[i].t, a[i - 1].t);
    free(a);
    sim_tier_row *tr = NULL;
    size_t ntr = 0;
    cr_assert_eq(sim_reader_tier_series(r, runs[0].name, "web", &tr, &ntr, &err), AS_OK);
    cr_assert_eq(ntr, 360); /* 6h at 60 s */
    free(tr);
    double *tt = NULL, *rate = NULL;
    size_t ntrace = 0;
    cr_assert_eq(sim_reader_trace(r, &tt, &rate, &ntrace, &err), AS_OK, "%s", err.msg);
    cr_assert_gt(ntrace, 0);
    free(tt);
    free(rate);
    cr_assert_eq(sim_reader_tier_series(r, runs[0].name, "nope", &tr, &ntr, &err), AS_EINVAL);
    cr_assert(strstr(err.msg, h5) != NULL);
    char name[64];
    cr_assert_eq(sim_reader_attr(r, "scenario_name", name, sizeof name, 0, &err), AS_OK);
    cr_assert_str_eq(name, "spike");
    cr_assert_eq(sim_reader_attr(r, "no_such", name, sizeof name, 0, &err), AS_EINVAL);
    cr_assert_eq(sim_reader_attr(r, "no_such", name, sizeof name, 1, &err), AS_OK);
    free(runs);
    sim_reader_close(r);
}
