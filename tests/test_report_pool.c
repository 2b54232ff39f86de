/* test_report_pool.c - the report of a big sweep and the pool of gnuplot
 * processes that draws it: a sweep of more than 12 runs draws the figures
 * of its picked runs only (the cost-violation front, the cheapest run and
 * point, the bound, the first run) and its page links only to files that
 * exist; --all-figures draws every run; drawn by one gnuplot or several,
 * the folder is the same byte for byte, and the same as `gnuplot report.gp`
 * draws; a failing figure is named in the error; no child is left behind.
 * Input: bin/simrun (or $SIMRUN) on scenarios/spike.ini shortened to 6h,
 * three policies times five repetitions (15 runs), run from the project
 * root; every test works in its own /tmp folder. */
#include "plot_report.h"
#include "sim_results.h"
#include "sim_summary.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];

/* This test's folder (th_tmpdir: fresh per test, removed at its exit). */
static void make_dir(void)
{
    snprintf(dir, sizeof dir, "%s", th_tmpdir());
}

TestSuite(report_pool, .init = make_dir, .timeout = 240);

/* 15 runs: static, target and oracle, five repetitions each. */
static void sweep(void)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "%s scenarios/spike.ini --set scenario.duration=6h --policy static --policy target "
             "--policy oracle --set sweep.repetitions=5 -q --force --no-report -o %s/sw.h5 "
             ">/dev/null 2>&1",
             th_simrun_path(), dir);
    cr_assert_eq(system(cmd), 0, "simrun failed: %s", cmd);
}

static int draw_stall(const char *out, int all, int procs, const char *gnuplot, int stall_ms,
                      plot_report_info *info, as_err *err)
{
    char h5[512], o[512];
    snprintf(h5, sizeof h5, "%s/sw.h5", dir);
    snprintf(o, sizeof o, "%s/%s", dir, out);
    plot_report_opts opts = {.format = PLOT_PNG, .all_figures = all, .procs = procs,
                             .gnuplot = gnuplot, .stall_ms = stall_ms};
    return plot_report_ex(h5, o, &opts, info, err);
}

static int draw(const char *out, int all, int procs, const char *gnuplot, plot_report_info *info,
                as_err *err)
{
    return draw_stall(out, all, procs, gnuplot, 0, info, err);
}

static int exists(const char *out, const char *file)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s/%s", dir, out, file);
    return access(p, F_OK) == 0;
}

/* The run figure of run i (0-based) exists: runNN_NAME.png. */
static int run_drawn(const char *out, int i, const sim_summary_row *rows)
{
    char f[256];
    snprintf(f, sizeof f, "run%02d_%s.png", i + 1, rows[i].run);
    return exists(out, f);
}

/* Every href and src of out/index.html names a file of the folder (or an
 * anchor of the page); returns how many files it names. */
static int links_resolve(const char *out)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s/index.html", dir, out);
    char *html = th_slurp(p, NULL);
    cr_assert_not_null(html);
    int files = 0;
    for (const char *a = html; (a = strpbrk(a, "hs")) != NULL; a++) {
        size_t k = strncmp(a, "href=\"", 6) == 0 ? 6 : strncmp(a, "src=\"", 5) == 0 ? 5 : 0;
        if (k == 0 || a[k] == '#')
            continue;
        const char *e = strchr(a + k, '"');
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(e - a - k), a + k);
        cr_assert(exists(out, name), "index.html links to %s, which is not there", name);
        files++;
    }
    free(html);
    return files;
}

/* A run that sees the future (the bound's rule, on one row). */
static int sees_future(const sim_summary_row *r) { return sim_summary_bound(r, 1) == 0; }

/* Deployable run i is on the front of (cost, % of time in violation):
 * no deployable run at most as costly and as late, and better in one
 * (by brute force: plots/ sorts). */
static int on_violation_front(const sim_summary_row *r, int n, int i)
{
    if (sees_future(&r[i]))
        return 0;
    for (int j = 0; j < n; j++)
        if (j != i && !sees_future(&r[j]) && r[j].cost_total <= r[i].cost_total &&
            r[j].slo_violation_pct <= r[i].slo_violation_pct &&
            (r[j].cost_total < r[i].cost_total || r[j].slo_violation_pct < r[i].slo_violation_pct))
            return 0;
    return 1;
}

static void read_rows(sim_summary_row **rows, int *n)
{
    char h5[512];
    snprintf(h5, sizeof h5, "%s/sw.h5", dir);
    as_err err = {0};
    cr_assert_eq(sim_results_read_summary(h5, rows, n, &err), AS_OK, "%s", err.msg);
}

Test(report_pool, big_sweep_draws_the_picked_runs_only)
{
    sweep();
    sim_summary_row *r = NULL;
    int n = 0;
    read_rows(&r, &n);
    cr_assert_eq(n, 15);
    plot_report_info info = {0};
    as_err err = {0};
    cr_assert_eq(draw("rep", 0, 2, NULL, &info, &err), AS_OK, "%s", err.msg);
    int best = sim_summary_best(r, n), bound = sim_summary_bound(r, n), drawn = 0;
    cr_assert(best >= 0 && bound >= 0);
    for (int i = 0; i < n; i++) {
        int must = i == 0 || i == best || i == bound || on_violation_front(r, n, i);
        cr_assert(!must || run_drawn("rep", i, r), "run %s not drawn", r[i].run);
        drawn += run_drawn("rep", i, r);
    }
    /* the picks above and the most typical run of the cheapest point
     * (target, five repetitions): at most one more */
    int picked = 0;
    for (int i = 0; i < n; i++)
        picked += i == 0 || i == best || i == bound || on_violation_front(r, n, i);
    cr_assert(drawn == picked || drawn == picked + 1, "%d drawn, %d picked", drawn, picked);
    cr_assert_lt(drawn, n);
    cr_assert_eq(info.runs_left, n - drawn);
    cr_assert_eq(info.figures, 2 + drawn);
    /* the page links to what exists: 2 + drawn figures, each twice (a and
     * img), plus sweep.html and report.pdf never */
    cr_assert_eq(links_resolve("rep"), 2 * (2 + drawn) + 1);
    char p[600];
    snprintf(p, sizeof p, "%s/rep/index.html", dir);
    char *html = th_slurp(p, NULL);
    char said[128];
    snprintf(said, sizeof said, "Figures of %d of the %d runs", drawn, n);
    cr_assert(strstr(html, said) && strstr(html, "--all-figures"), "no note on undrawn runs");
    free(html);
    free(r);
    cr_assert(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "a child is left");
}

Test(report_pool, all_figures_draws_every_run)
{
    sweep();
    sim_summary_row *r = NULL;
    int n = 0;
    read_rows(&r, &n);
    plot_report_info info = {0};
    as_err err = {0};
    cr_assert_eq(draw("all", 1, 2, NULL, &info, &err), AS_OK, "%s", err.msg);
    for (int i = 0; i < n; i++)
        cr_assert(run_drawn("all", i, r), "run %s not drawn", r[i].run);
    cr_assert_eq(info.runs_left, 0);
    cr_assert_eq(info.figures, 2 + n);
    cr_assert_eq(links_resolve("all"), 2 * (2 + n) + 1);
    free(r);
}

/* One gnuplot, three at a time, and the whole report.gp through one
 * gnuplot as before the pool: the same files, byte for byte. */
Test(report_pool, pool_draws_what_one_gnuplot_draws)
{
    sweep();
    as_err err = {0};
    cr_assert_eq(draw("one", 1, 1, NULL, NULL, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(draw("three", 1, 3, NULL, NULL, &err), AS_OK, "%s", err.msg);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "diff -r %s/one %s/three >&2", dir, dir);
    cr_assert_eq(system(cmd), 0, "one gnuplot and three drew different folders");
    snprintf(cmd, sizeof cmd,
             "cp -r %s/one %s/whole && rm %s/whole/*.png && cd %s/whole && gnuplot report.gp "
             "&& diff -r %s/one %s/whole >&2",
             dir, dir, dir, dir, dir, dir);
    cr_assert_eq(system(cmd), 0, "gnuplot report.gp drew other figures than the pool");
    cr_assert(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "a child is left");
}

Test(report_pool, a_failing_figure_is_named)
{
    sweep();
    /* gnuplot behind a filter that fails on run 6's figure */
    char fake[512];
    snprintf(fake, sizeof fake, "%s/failplot", dir);
    FILE *f = fopen(fake, "w");
    cr_assert_not_null(f);
    fputs("#!/bin/bash\nset -o pipefail\n"
          "while IFS= read -r line; do\n"
          "  case \"$line\" in *run06_*) echo '         line 3: made to fail' >&2; exit 1;; esac\n"
          "  printf '%s\\n' \"$line\"\n"
          "done | gnuplot\n",
          f);
    fclose(f);
    chmod(fake, 0755);
    as_err err = {0};
    cr_assert_eq(draw("bad", 0, 2, fake, NULL, &err), AS_EIO);
    cr_assert(strstr(err.msg, "figure run06_target.r0.png") && strstr(err.msg, "exit 1") &&
                  strstr(err.msg, "made to fail"),
              "%s", err.msg);
    cr_assert(strstr(err.msg, "other figure") == NULL, "only one failed: %s", err.msg);
    /* the figures after it were drawn all the same, its log kept */
    cr_assert(exists("bad", "run07_target.r1.png") && exists("bad", "run01_static.r0.png"));
    char p[600];
    snprintf(p, sizeof p, "%s/bad/gnuplot.log", dir);
    char *log = th_slurp(p, NULL);
    cr_assert(log && strstr(log, "# figure run06_target.r0.png:\n         line 3: made to fail"),
              "%s", log ? log : "(no log)");
    free(log);
    cr_assert(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "a child is left");
}

/* An executable script in the test's folder; returns its path. */
static const char *script(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, 0755);
    return path;
}

/* A program that reads its whole script before it draws (here: saves it
 * to a file, then runs gnuplot on the file) would wait for ever on a pipe
 * kept open for the next figure: once it sits idle with its figure sent,
 * its stdin is closed, and every later figure gets a process of its own.
 * The folder is the same as gnuplot's through the pipe. */
Test(report_pool, a_program_that_reads_to_eof_draws_the_same_figures)
{
    sweep();
    const char *fake = script("eofplot", "#!/bin/sh\nf=piece.$$.gp\ncat > \"$f\"\n"
                                         "gnuplot \"$f\"; s=$?; rm -f \"$f\"; exit $s\n");
    as_err err = {0};
    cr_assert_eq(draw("pipe", 0, 2, NULL, NULL, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(draw_stall("eof", 0, 2, fake, 300, NULL, &err), AS_OK, "%s", err.msg);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "diff -r %s/pipe %s/eof >&2", dir, dir);
    cr_assert_eq(system(cmd), 0, "the program reading to EOF drew other figures");
    cr_assert(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "a child is left");
}

/* A program that neither reads nor ends is killed, with whatever it
 * started, after 24 stall times, and the error says so. */
Test(report_pool, a_program_that_does_nothing_is_killed)
{
    sweep();
    const char *fake = script("stuckplot", "#!/bin/sh\nsleep 600 &\nwait\n");
    as_err err = {0};
    int rc = draw_stall("stuck", 0, 2, fake, 100, NULL, &err);
    cr_assert_eq(rc, AS_EIO, "%d: %s", rc, err.msg);
    cr_assert(strstr(err.msg, "did nothing for 3 s") && strstr(err.msg, "was killed") &&
                  strstr(err.msg, "stuck"),
              "%s", err.msg);
    cr_assert(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "a child is left");
    /* its group went with it: no sleep of this test's left */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "pgrep -f '^sleep 600$' >/dev/null");
    cr_assert_neq(system(cmd), 0, "the program's own child was left running");
}
