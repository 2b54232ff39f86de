/* test_quality.c - the scaling-quality gate (`simrun check`, sim/cli/cmd_check.c)
 * as CI runs it: an unchanged build passes, a worsened policy fails naming
 * the run and metric, --update rewrites a baseline so that the next check
 * passes, malformed baselines and missing runs are bad input (exit 2).
 * Runs simrun as a process (SIMRUN or bin/simrun) from the project root,
 * against tests/quality/baseline.csv or copies of it in /tmp. Each check
 * here runs only tests/quality/spike.ini (--subset, about a second). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BASELINE "tests/quality/baseline.csv"
#define SPIKE "tests/quality/spike.ini"

static char tmpdir[128];
static char out[1 << 17];

static void mk_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/simtest_quality_%d", (int)getpid());
    mkdir(tmpdir, 0777);
}

static const char *simrun(void)
{
    const char *s = getenv("SIMRUN");
    return s ? s : "bin/simrun";
}

/* Run `simrun check ARGS`, capture stdout and stderr into out, return the
 * exit status (-1 if it did not exit: a crash fails every status check). */
static int check(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int check(const char *fmt, ...)
{
    char args[2048], full[2600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s check %s 2>&1", simrun(), args);
    FILE *p = popen(full, "r");
    cr_assert_not_null(p);
    size_t k = fread(out, 1, sizeof out - 1, p);
    out[k] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    cr_assert_not_null(s);
    cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* Copy the baseline to tmpdir/NAME, applying edit (may be NULL) to each
 * line: it returns the line to write (or NULL to drop it). */
static const char *copy_baseline(const char *name, const char *(*edit)(const char *line))
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    char *s = slurp(BASELINE);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        const char *l = edit ? edit(line) : line;
        if (l)
            fprintf(f, "%s\n", l);
    }
    fclose(f);
    free(s);
    return path;
}

/* The line of out that contains all of a, b and c, or NULL. */
static const char *line_with(const char *a, const char *b, const char *c)
{
    static char line[1024];
    for (const char *p = out; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n >= sizeof line)
            n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        if (strstr(line, a) && strstr(line, b) && strstr(line, c))
            return line;
        p = e ? e + 1 : p + n;
    }
    return NULL;
}

/* The baseline holds what the scenarios produce: checking it unchanged is
 * the whole gate's base case (make quality runs all scenarios). */
Test(quality, unchanged_run_passes)
{
    cr_assert_eq(check("--baseline " BASELINE " --subset " SPIKE), 0, "%s", out);
    cr_assert(strstr(out, "80 unchanged"), "%s", out);
    cr_assert(strstr(out, "PASS"), "%s", out);
    cr_assert_null(line_with("spike", "REGRESSED", ""), "%s", out);
}

/* HPA with target 0.95 never scales up (1/0.95 is inside the 10%
 * tolerance even at full load): cost and SLO violation explode. */
Test(quality, worsened_hpa_fails_naming_run_and_metric)
{
    cr_assert_eq(check("--baseline " BASELINE " --subset " SPIKE " --set policy.hpa.target=0.95"),
                 1, "%s", out);
    cr_assert(line_with("hpa", "slo_violation_s", "REGRESSED"), "%s", out);
    cr_assert(line_with("hpa", "cost_total", "REGRESSED"), "%s", out);
    cr_assert(strstr(out, "FAIL"), "%s", out);
    /* only the changed policy moved */
    cr_assert_null(line_with("threshold", "REGRESSED", ""), "%s", out);
    cr_assert_null(line_with("oracle", "REGRESSED", ""), "%s", out);
}

/* A threshold policy that scales out only at 99% utilisation is late. */
Test(quality, wrong_threshold_fails)
{
    cr_assert_eq(check("--baseline " BASELINE " --subset " SPIKE " --set policy.threshold.up=0.99"),
                 1, "%s", out);
    cr_assert(line_with("threshold", "slo_violation_s", "REGRESSED"), "%s", out);
    cr_assert_null(line_with("hpa ", "REGRESSED", ""), "%s", out);
}

/* A results file written by `simrun run` compares exactly like the
 * in-process runs: the two paths give bit-identical summaries. */
Test(quality, results_file_input_matches_in_process)
{
    mk_tmpdir();
    char cmd[1024], h5[256];
    snprintf(h5, sizeof h5, "%s/spike.h5", tmpdir);
    snprintf(cmd, sizeof cmd, "%s run -q --force %s -o %s", simrun(), SPIKE, h5);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(check("--baseline " BASELINE " --subset %s", h5), 0, "%s", out);
    cr_assert(strstr(out, "80 unchanged"), "%s", out);
    cr_assert_eq(check("--baseline " BASELINE " --subset %s --set policy.hpa.target=0.9", h5), 2,
                 "--set makes no sense for a results file: %s", out);
}

/* A hand-edited tolerance on spike,hpa,p95 that --update must keep. */
static const char *loosen_spike_hpa_p95(const char *line)
{
    static char buf[256];
    if (strncmp(line, "spike,hpa,p95,", 14) != 0)
        return line;
    const char *p = line; /* the value ends at the 4th comma */
    for (int k = 0; k < 4; k++)
        p = strchr(p, ',') + 1;
    snprintf(buf, sizeof buf, "%.*s,0.5,0.25", (int)(p - line - 1), line);
    return buf;
}

/* --update accepts the worsened HPA: the next check with the same change
 * passes, the old configuration now fails (its theta_o, tau_o and actions
 * are worse than the new baseline), rows of other scenarios are kept by
 * --subset, and edited tolerances survive. */
Test(quality, update_rewrites_baseline_so_next_check_passes)
{
    mk_tmpdir();
    const char *b = copy_baseline("update.csv", loosen_spike_hpa_p95);
    char path[256];
    snprintf(path, sizeof path, "%s", b);
    char *before = slurp(path);
    cr_assert_eq(check("--baseline %s --subset --update " SPIKE " --set policy.hpa.target=0.95",
                       path),
                 0, "%s", out);
    cr_assert(line_with("hpa", "cost_total", "updated"), "%s", out);
    char *after = slurp(path);
    cr_assert(strncmp(after, "scenario,run,metric,value,abs_tol,rel_tol\n", 42) == 0);
    cr_assert(strstr(after, "\nspike,hpa,p95,"), "%s", after);
    cr_assert(strstr(strstr(after, "\nspike,hpa,p95,"), ",0.5,0.25\n"), "tolerance kept");
    /* other scenarios untouched, spike's static run unchanged byte for byte */
    const char *keep[] = {"\nseasonal,hpa,cost_total,", "\nnasa_replay,oracle,actions,",
                          "\nspike,static,cost_total,"};
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        const char *x = strstr(before, keep[i]), *y = strstr(after, keep[i]);
        cr_assert(x && y, "%s", keep[i]);
        cr_assert_eq(strcspn(x + 1, "\n"), strcspn(y + 1, "\n"));
        cr_assert(strncmp(x, y, strcspn(x + 1, "\n") + 1) == 0, "%s changed", keep[i]);
    }
    /* the spike,hpa cost row did change */
    const char *x = strstr(before, "\nspike,hpa,cost_total,");
    const char *y = strstr(after, "\nspike,hpa,cost_total,");
    cr_assert(x && y);
    cr_assert(strncmp(x, y, strcspn(x + 1, "\n") + 1) != 0);
    /* same number of rows: 7 scenarios x 8 runs x 10 metrics + header */
    int nb = 0, na = 0;
    for (const char *p = before; *p; p++)
        nb += *p == '\n';
    for (const char *p = after; *p; p++)
        na += *p == '\n';
    cr_assert_eq(na, nb);
    free(before);
    free(after);

    cr_assert_eq(check("--baseline %s --subset " SPIKE " --set policy.hpa.target=0.95", path), 0,
                 "the next check passes: %s", out);
    cr_assert(strstr(out, "80 unchanged"), "%s", out);
    cr_assert_eq(check("--baseline %s --subset " SPIKE, path), 1, "%s", out);
    cr_assert(line_with("hpa", "actions", "REGRESSED"), "%s", out);
}

/* --update on a file that does not exist starts a baseline; checking
 * without --update needs the file. */
Test(quality, update_creates_missing_baseline)
{
    mk_tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/new.csv", tmpdir);
    unlink(path);
    cr_assert_eq(check("--baseline %s " SPIKE, path), 2, "%s", out);
    cr_assert(strstr(out, path) && strstr(out, "--update"), "%s", out);
    cr_assert_eq(check("--baseline %s --update " SPIKE, path), 0, "%s", out);
    char *s = slurp(path);
    int n = 0;
    for (const char *p = s; *p; p++)
        n += *p == '\n';
    cr_assert_eq(n, 1 + 8 * 10, "%s", s);
    cr_assert(strstr(s, "\nspike,hpa,actions,"), "%s", s);
    cr_assert(strstr(s, ",1e-09,1e-09\n"), "default tolerances: %s", s);
    free(s);
    cr_assert_eq(check("--baseline %s " SPIKE, path), 0, "%s", out);
}

/* Malformed baselines: exit 2 with one line naming the file and line, and
 * before any simulation (each case would otherwise cost a second). */
Test(quality, malformed_baseline_names_file_and_line)
{
    mk_tmpdir();
    static const struct {
        const char *text;
        int line;
        const char *why;
    } cases[] = {
        {"scenario,run,metric,value,abs_tol,rel_tol\nspike,hpa,p95,abc,0,0\n", 2, "value"},
        {"scenario,run,metric,value,abs_tol,rel_tol\nspike,hpa,p95,1,0\n", 2, "6 fields"},
        {"scenario,run,metric,value,abs_tol,rel_tol\nspike,hpa,p95,1,0,0,7\n", 2, "6 fields"},
        {"scenario,run,metric,value,abs_tol,rel_tol\nspike,hpa,p95,1,0,0\nspike,hpa,p42,1,0,0\n",
         3, "metric"},
        {"scenario,run,metric,value,abs_tol,rel_tol\nspike,hpa,p95,1,-1,0\n", 2, "abs_tol"},
        {"scenario,run,metric,value,abs_tol,rel_tol\nspike,hpa,p95,1,0,nan\n", 2, "rel_tol"},
        {"scenario,run,metric,value,abs_tol,rel_tol\nspike,,p95,1,0,0\n", 2, "run"},
        {"scenario,run,metric,value,abs_tol,rel_tol\nspike,hpa,p95,1,0,0\nspike,hpa,p95,2,0,0\n",
         3, "duplicate of line 2"},
        {"scenario,run,metric,value\nspike,hpa,p95,1\n", 1, "header"},
        {"", 1, "empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256], want[300];
        snprintf(path, sizeof path, "%s/bad%zu.csv", tmpdir, i);
        spit(path, cases[i].text);
        cr_assert_eq(check("--baseline %s " SPIKE, path), 2, "case %zu: %s", i, out);
        snprintf(want, sizeof want, "%s:%d:", path, cases[i].line);
        cr_assert(strstr(out, want), "case %zu: want '%s' in: %s", i, want, out);
        cr_assert(strstr(out, cases[i].why), "case %zu: want '%s' in: %s", i, cases[i].why, out);
        cr_assert_null(strstr(out, "run(s) of"), "case %zu: simulated before failing", i);
        /* --update must not overwrite a file it cannot read */
        cr_assert_eq(check("--baseline %s --update " SPIKE, path), 2, "case %zu: %s", i, out);
        char *s = slurp(path);
        cr_assert_str_eq(s, cases[i].text);
        free(s);
    }
}

/* A renamed policy: its baseline rows have no run any more. That is an
 * error naming the baseline line (so the policy cannot drop out of the
 * gate silently), and the new name is reported as not in the baseline. */
Test(quality, missing_run_is_reported)
{
    mk_tmpdir();
    char *ini = slurp(SPIKE);
    char *p = strstr(ini, "[policy.hpa]");
    cr_assert_not_null(p);
    char path[256];
    snprintf(path, sizeof path, "%s/spike.ini", tmpdir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "%.*s[policy.hpa_v2]%s", (int)(p - ini), ini, p + strlen("[policy.hpa]"));
    fclose(f);
    free(ini);
    cr_assert_eq(check("--baseline " BASELINE " --subset %s", path), 2, "%s", out);
    /* first line of the spike,hpa rows in the baseline */
    char *b = slurp(BASELINE);
    int line = 1;
    for (const char *q = b; q < strstr(b, "\nspike,hpa,"); q++)
        line += *q == '\n';
    line++;
    free(b);
    char want[256];
    snprintf(want, sizeof want, BASELINE ":%d: run 'hpa' of scenario 'spike' is not in the results",
             line);
    cr_assert(strstr(out, want), "want '%s' in: %s", want, out);
    cr_assert(line_with("spike", "hpa", "MISSING"), "%s", out);
    cr_assert(line_with("hpa_v2", "cost_total", "new"), "%s", out);
    /* and nothing else moved */
    cr_assert_null(line_with("REGRESSED", "", ""), "%s", out);
}

/* Without --subset the baseline's other scenarios must be given too: a
 * deleted scenario file would otherwise leave the gate unnoticed. */
Test(quality, missing_scenario_without_subset)
{
    cr_assert_eq(check("--baseline " BASELINE " " SPIKE), 2, "%s", out);
    cr_assert(strstr(out, "scenario 'seasonal' is not among the inputs"), "%s", out);
    cr_assert(strstr(out, BASELINE ":"), "%s", out);
}

static const char *drop_spike_oracle(const char *line)
{
    return strncmp(line, "spike,oracle,", 13) == 0 ? NULL : line;
}

/* A run the baseline does not know is unchecked until recorded: fail. */
Test(quality, run_not_in_baseline_fails)
{
    mk_tmpdir();
    const char *path = copy_baseline("noracle.csv", drop_spike_oracle);
    cr_assert_eq(check("--baseline %s --subset " SPIKE, path), 1, "%s", out);
    cr_assert(line_with("oracle", "cost_total", "new"), "%s", out);
    cr_assert(strstr(out, "--update"), "%s", out);
}

/* Tolerances and direction, by editing baseline values around the real
 * ones: lower-is-better, so a baseline above now is an improvement (pass);
 * below now by less than the tolerance passes, by more fails. */
static const char *shift_static_cost(const char *line, double delta, const char *tols)
{
    static char buf[256];
    if (strncmp(line, "spike,static,cost_total,", 24) != 0)
        return line;
    double v = strtod(line + 24, NULL);
    snprintf(buf, sizeof buf, "spike,static,cost_total,%.17g,%s", v + delta, tols);
    return buf;
}
static const char *improved(const char *l) { return shift_static_cost(l, +1.0, "0,0"); }
static const char *within_abs(const char *l) { return shift_static_cost(l, -0.01, "0.02,0"); }
static const char *within_rel(const char *l) { return shift_static_cost(l, -0.01, "0,0.001"); }
static const char *beyond(const char *l) { return shift_static_cost(l, -0.01, "0.005,0.0001"); }

Test(quality, tolerance_and_direction)
{
    mk_tmpdir();
    const char *p = copy_baseline("improved.csv", improved);
    cr_assert_eq(check("--baseline %s --subset " SPIKE, p), 0, "%s", out);
    cr_assert(line_with("static", "cost_total", "improved"), "%s", out);
    p = copy_baseline("within_abs.csv", within_abs);
    cr_assert_eq(check("--baseline %s --subset " SPIKE, p), 0, "%s", out);
    cr_assert(line_with("static", "cost_total", "within tolerance"), "%s", out);
    /* cost ~83: 0.1% of it is 0.083 > 0.01 */
    p = copy_baseline("within_rel.csv", within_rel);
    cr_assert_eq(check("--baseline %s --subset " SPIKE, p), 0, "%s", out);
    cr_assert(line_with("static", "cost_total", "within tolerance"), "%s", out);
    p = copy_baseline("beyond.csv", beyond);
    cr_assert_eq(check("--baseline %s --subset " SPIKE, p), 1, "%s", out);
    cr_assert(line_with("static", "cost_total", "REGRESSED"), "%s", out);
}

Test(quality, usage)
{
    cr_assert_eq(check("--help"), 0, "%s", out);
    cr_assert(strstr(out, "--baseline FILE"), "%s", out);
    cr_assert_eq(check(SPIKE), 2, "no --baseline: %s", out);
    cr_assert_eq(check("--baseline " BASELINE), 2, "no input: %s", out);
    cr_assert_eq(check("--baseline " BASELINE " --bogus " SPIKE), 2, "%s", out);
    cr_assert_eq(check("--baseline " BASELINE " --subset tests/quality/nope.ini"), 2, "%s", out);
    cr_assert(strstr(out, "nope.ini"), "%s", out);
}
