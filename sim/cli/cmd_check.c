/* cmd_check.c - `simrun check`: the scaling-quality gate for CI. Runs
 * scenarios in-process (or reads results files) and compares every run's
 * quality metrics with a stored baseline; exits 1 when one regresses.
 *
 * Baseline file (text, CSV, one row per scenario, run and metric):
 *
 *   scenario,run,metric,value,abs_tol,rel_tol
 *   spike,hpa,cost_total,21.229444444444443,1e-09,1e-09
 *
 * - scenario is the scenario's name ([scenario] name, or the root attribute
 *   scenario_name of a results file), run the run name (the policy, or
 *   POLICY.pNNN for sweep points), metric one of METRICS below.
 * - value is printed in the shortest of %.15g/%.16g/%.17g that reads back
 *   as the same double (17 digits always do): a bit-identical run compares
 *   equal, and `git diff` of the file shows exactly which numbers moved.
 *   nan and inf are allowed.
 * - Every metric is lower-is-better. A metric regresses when
 *   now - value > max(abs_tol, rel_tol * |value|); it may improve freely.
 * - Rows are written sorted by scenario and run (strcmp), metrics in the
 *   fixed order of METRICS; any order is accepted on reading.
 *
 * Strictness (so that nothing silently drops out of the gate):
 * - a baseline row whose scenario was checked but whose run is not in the
 *   results (a renamed or removed policy) is an error, exit 2, naming the
 *   baseline file and line;
 * - a baseline row whose scenario is not among the inputs is the same
 *   error (a deleted scenario file), unless --subset says that only some
 *   scenarios are being checked;
 * - a run or metric of the results that has no baseline row is "new" and
 *   fails the gate (exit 1): it is unchecked until --update records it.
 * --update accepts the current results as the new baseline: rows are
 * rewritten from the results (tolerances of existing rows kept, defaults
 * for new ones), rows of missing runs and of scenarios not given are
 * dropped (kept with --subset), and the file is replaced atomically
 * (written to FILE.tmp, then renamed). Every metric that moved is printed
 * first, so the update is reviewed twice: on screen and in git diff. */
#include "cmd.h"
#include "sim_results.h"
#include "sim_run.h"
#include "sim_scenario.h"
#include "sim_sweep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most runs a single scenario of the gate may expand to: a quality
 * scenario with a larger sweep is a mistake, not something to wait for. */
#define CHECK_MAX_RUNS 1000
#define CHECK_LINE 1024
#define SCEN_LEN 64

/* The metrics the gate compares, all lower-is-better (REFERENCE.md §3:
 * the SPEC elasticity metrics; plus the user-facing ones: cost, SLO
 * violation, latency percentiles, scaling actions).
 *
 * Default tolerances (used for rows that --update adds): runs are
 * bit-identical for a given build, scenario and seed, so any tolerance
 * passes an unchanged build. 1e-9 relative still absorbs last-bit
 * differences from another compiler or libm (a few ulps per operation,
 * summed over ~1e5 ticks, stay far below 1e-9), while one flipped scaling
 * decision moves cost or latency by far more than that. The abs 1e-9 only
 * matters when the baseline is 0 (e.g. no SLO violation): then any
 * violation that appears is a regression. actions is an integer count:
 * exact (0, 0), one more action is a change to review. Loosen a row by
 * editing its abs_tol/rel_tol; --update keeps edited tolerances. */
enum { M_COST, M_VIOL, M_P95, M_P99, M_TU, M_TO, M_TAU_U, M_TAU_O, M_INST, M_ACTIONS, NMETRICS };

static const struct metric {
    const char *name;
    double abs_tol, rel_tol; /* defaults for new rows */
} METRICS[NMETRICS] = {
    [M_COST] = {"cost_total", 1e-9, 1e-9},      [M_VIOL] = {"slo_violation_s", 1e-9, 1e-9},
    [M_P95] = {"p95", 1e-9, 1e-9},              [M_P99] = {"p99", 1e-9, 1e-9},
    [M_TU] = {"theta_u", 1e-9, 1e-9},           [M_TO] = {"theta_o", 1e-9, 1e-9},
    [M_TAU_U] = {"tau_u", 1e-9, 1e-9},          [M_TAU_O] = {"tau_o", 1e-9, 1e-9},
    [M_INST] = {"instability", 1e-9, 1e-9},     [M_ACTIONS] = {"actions", 0, 0},
};

static double metric_of(const sim_summary_row *r, int m)
{
    switch (m) {
    case M_COST: return r->cost_total;
    case M_VIOL: return r->slo_violation_s;
    case M_P95: return r->p95;
    case M_P99: return r->p99;
    case M_TU: return r->theta_u;
    case M_TO: return r->theta_o;
    case M_TAU_U: return r->tau_u;
    case M_TAU_O: return r->tau_o;
    case M_INST: return r->instability;
    default: return (double)r->actions;
    }
}

static int metric_find(const char *name)
{
    for (int m = 0; m < NMETRICS; m++)
        if (strcmp(METRICS[m].name, name) == 0)
            return m;
    return -1;
}

/* One run of the current results. */
typedef struct cur_run {
    char scen[SCEN_LEN];
    char run[SIM_STR];
    double v[NMETRICS];
    int brow[NMETRICS];   /* index of the matching baseline row, -1: none */
} cur_run;

/* One baseline row. */
typedef struct brow {
    char scen[SCEN_LEN];
    char run[SIM_STR];
    int metric;
    double value, abs_tol, rel_tol;
    int line;
    int matched;          /* a current run has this row */
} brow;

typedef struct check {
    const char *bpath;
    brow *b;
    int nb, capb;
    cur_run *r;
    int nr, capr;
    char (*scen)[SCEN_LEN]; /* scenario names of the inputs, in order */
    int nscen;
} check;

static void usage(FILE *f)
{
    fputs("usage: simrun check SCENARIO.ini|RESULTS.h5 ... --baseline FILE [options]\n"
          "\n"
          "The scaling-quality gate: runs every scenario in-process (or reads a results\n"
          "file), then compares each run's cost_total, slo_violation_s, p95, p99,\n"
          "theta_u, theta_o, tau_u, tau_o, instability and actions with the baseline.\n"
          "All are lower-is-better: a metric may improve freely, and regresses when\n"
          "now - baseline > max(abs_tol, rel_tol * |baseline|).\n"
          "Prints every metric that moved; exit 1 on a regression or a run that is\n"
          "not in the baseline yet.\n"
          "\n"
          "options:\n"
          "  --baseline FILE          CSV: scenario,run,metric,value,abs_tol,rel_tol\n"
          "  --update                 rewrite FILE from the current results (keeps the\n"
          "                           tolerances of existing rows; drops missing runs)\n"
          "  --set SECTION.KEY=VALUE  override a key of every scenario (repeatable)\n"
          "  --subset                 check only the scenarios given: baseline rows of\n"
          "                           other scenarios are skipped (kept by --update)\n"
          "  -q, --quiet              print only regressions, new and missing runs\n"
          "  -h, --help               this text\n"
          "\n"
          "A baseline row whose run is missing from the results (a renamed or removed\n"
          "policy, or a scenario not given without --subset) is an error.\n"
          "exit status: 0 pass (or baseline updated), 1 regression or unbaselined run,\n"
          "2 bad input: usage, a scenario or results file that cannot be read, a\n"
          "malformed baseline row or a missing run (one line naming file and line)\n",
          f);
}

/* ---- baseline file ---- */

/* Grow *p (of *cap elements of size sz) to hold one more than n. */
static int grow(void **p, int n, int *cap, size_t sz)
{
    if (n < *cap)
        return 0;
    int nc = *cap ? *cap * 2 : 64;
    void *q = realloc(*p, (size_t)nc * sz);
    if (q == NULL)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

/* A name that can be stored in a CSV field without quoting. */
static int name_ok(const char *s)
{
    return s[0] != '\0' && strpbrk(s, ",\"\r\n") == NULL;
}

/* Parse a whole field as a double; nan and inf are accepted for values. */
static int parse_num(const char *s, double *v)
{
    char *end;
    errno = 0;
    if (*s == '\0')
        return -1;
    *v = strtod(s, &end);
    /* ERANGE on underflow (a subnormal value) is fine; on overflow it is not */
    return *end == '\0' && !(errno == ERANGE && isinf(*v)) ? 0 : -1;
}

static const char HEADER[] = "scenario,run,metric,value,abs_tol,rel_tol";

/* Read the baseline. A missing file is fine for --update (it starts one),
 * *exists tells which. Returns 0, or 2 with one message on stderr naming
 * the file and line. */
static int baseline_read(check *C, int *exists)
{
    FILE *f = fopen(C->bpath, "r");
    *exists = f != NULL;
    if (f == NULL)
        return errno == ENOENT ? 0 : (fprintf(stderr, "simrun check: %s: %s\n", C->bpath,
                                              strerror(errno)),
                                      2);
    char line[CHECK_LINE + 2];
    int lineno = 0, rc = 0, header = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
            fprintf(stderr, "simrun check: %s:%d: line longer than %d characters\n", C->bpath,
                    lineno, CHECK_LINE);
            rc = 2;
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue; /* blank lines (e.g. at the end) carry nothing */
        if (!header) {
            if (strcmp(line, HEADER) != 0) {
                fprintf(stderr, "simrun check: %s:%d: expected the header '%s'\n", C->bpath,
                        lineno, HEADER);
                rc = 2;
            }
            header = 1;
            continue;
        }
        char *field[7];
        int nf = 0;
        for (char *p = line; nf < 7;) {
            field[nf++] = p;
            char *comma = strchr(p, ',');
            if (comma == NULL)
                break;
            *comma = '\0';
            p = comma + 1;
        }
        if (nf != 6) {
            fprintf(stderr,
                    "simrun check: %s:%d: expected 6 fields (%s), found %s%d\n", C->bpath,
                    lineno, HEADER, nf > 6 ? "more than " : "", nf > 6 ? 6 : nf);
            rc = 2;
            break;
        }
        brow b = {.line = lineno};
        int m = metric_find(field[2]);
        const char *why = NULL;
        if (!name_ok(field[0]) || strlen(field[0]) >= sizeof b.scen)
            why = "scenario: empty or longer than 63 characters";
        else if (!name_ok(field[1]) || strlen(field[1]) >= sizeof b.run)
            why = "run: empty or longer than 31 characters";
        else if (m < 0)
            why = "metric: not one of cost_total, slo_violation_s, p95, p99, theta_u, "
                  "theta_o, tau_u, tau_o, instability, actions";
        else if (parse_num(field[3], &b.value) != 0)
            why = "value: not a number";
        else if (parse_num(field[4], &b.abs_tol) != 0 || !isfinite(b.abs_tol) || b.abs_tol < 0)
            why = "abs_tol: not a finite number >= 0";
        else if (parse_num(field[5], &b.rel_tol) != 0 || !isfinite(b.rel_tol) || b.rel_tol < 0)
            why = "rel_tol: not a finite number >= 0";
        if (why) {
            fprintf(stderr, "simrun check: %s:%d: %s\n", C->bpath, lineno, why);
            rc = 2;
            break;
        }
        snprintf(b.scen, sizeof b.scen, "%s", field[0]);
        snprintf(b.run, sizeof b.run, "%s", field[1]);
        b.metric = m;
        /* O(n) per row, O(n^2) in all: a few thousand rows at most; a hash
         * would be faster but is not worth its code here. */
        for (int i = 0; i < C->nb; i++)
            if (C->b[i].metric == m && strcmp(C->b[i].scen, b.scen) == 0 &&
                strcmp(C->b[i].run, b.run) == 0) {
                fprintf(stderr, "simrun check: %s:%d: duplicate of line %d (%s,%s,%s)\n",
                        C->bpath, lineno, C->b[i].line, b.scen, b.run, METRICS[m].name);
                rc = 2;
            }
        if (rc == 0 && grow((void **)&C->b, C->nb, &C->capb, sizeof *C->b) != 0) {
            fprintf(stderr, "simrun check: out of memory\n");
            rc = 1;
        }
        if (rc == 0)
            C->b[C->nb++] = b;
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "simrun check: %s: read error\n", C->bpath);
        rc = 2;
    }
    if (rc == 0 && !header) {
        fprintf(stderr, "simrun check: %s:1: empty file (expected the header '%s')\n", C->bpath,
                HEADER);
        rc = 2;
    }
    fclose(f);
    return rc;
}

/* One row of the baseline being written. */
typedef struct out_row {
    const char *scen, *run;
    int metric;
    double value, abs_tol, rel_tol;
} out_row;

static int cmp_out(const void *a, const void *b)
{
    const out_row *x = a, *y = b;
    int c = strcmp(x->scen, y->scen);
    if (c == 0)
        c = strcmp(x->run, y->run);
    return c ? c : x->metric - y->metric;
}

static int scen_given(const check *C, const char *scen)
{
    for (int s = 0; s < C->nscen; s++)
        if (strcmp(C->scen[s], scen) == 0)
            return 1;
    return 0;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as the same double:
 * 17 significant digits round-trip every double through strtod, and the
 * shorter forms keep 1e-09 from printing as 1.0000000000000001e-09. */
static void fmt_exact(double v, char *buf, size_t n)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (isnan(v) || strtod(buf, NULL) == v)
            return;
    }
}

/* Write the current results as the new baseline, keeping the tolerances
 * of matching old rows; with --subset also the old rows of scenarios not
 * checked now, as they were. Written to FILE.tmp and renamed over FILE,
 * so an interrupted update never leaves half a baseline. */
static int baseline_write(const check *C, int subset)
{
    out_row *o = calloc((size_t)C->nr * NMETRICS + (size_t)C->nb + 1, sizeof *o);
    if (o == NULL) {
        fprintf(stderr, "simrun check: out of memory\n");
        return 1;
    }
    size_t n = 0;
    for (int j = 0; j < C->nr; j++)
        for (int m = 0; m < NMETRICS; m++) {
            int bi = C->r[j].brow[m];
            o[n++] = (out_row){C->r[j].scen, C->r[j].run, m, C->r[j].v[m],
                               bi >= 0 ? C->b[bi].abs_tol : METRICS[m].abs_tol,
                               bi >= 0 ? C->b[bi].rel_tol : METRICS[m].rel_tol};
        }
    for (int i = 0; subset && i < C->nb; i++) {
        const brow *b = &C->b[i];
        if (!scen_given(C, b->scen))
            o[n++] = (out_row){b->scen, b->run, b->metric, b->value, b->abs_tol, b->rel_tol};
    }
    qsort(o, n, sizeof *o, cmp_out);

    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", C->bpath);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        fprintf(stderr, "simrun check: cannot write %s: %s\n", tmp, strerror(errno));
        free(o);
        return 1;
    }
    fprintf(f, "%s\n", HEADER);
    for (size_t i = 0; i < n; i++) {
        char v[40], a[40], r[40];
        fmt_exact(o[i].value, v, sizeof v);
        fmt_exact(o[i].abs_tol, a, sizeof a);
        fmt_exact(o[i].rel_tol, r, sizeof r);
        fprintf(f, "%s,%s,%s,%s,%s,%s\n", o[i].scen, o[i].run, METRICS[o[i].metric].name, v, a,
                r);
    }
    free(o);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, C->bpath) != 0) {
        fprintf(stderr, "simrun check: cannot write %s: %s\n", C->bpath, strerror(errno));
        remove(tmp);
        return 1;
    }
    return 0;
}

/* ---- current results ---- */

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcmp(s + n - k, suf) == 0;
}

static int add_scenario(check *C, const char *name, const char *path)
{
    if (!name_ok(name)) {
        fprintf(stderr, "simrun check: %s: scenario name '%s' cannot be a baseline field "
                        "(empty, or has a comma or quote)\n",
                path, name);
        return 2;
    }
    for (int s = 0; s < C->nscen; s++)
        if (strcmp(C->scen[s], name) == 0) {
            fprintf(stderr,
                    "simrun check: %s: scenario name '%s' given twice (the baseline is keyed "
                    "by [scenario] name)\n",
                    path, name);
            return 2;
        }
    snprintf(C->scen[C->nscen++], SCEN_LEN, "%s", name);
    return 0;
}

static int add_run(check *C, const char *scen, const sim_summary_row *row, const char *path)
{
    if (!name_ok(row->run)) {
        fprintf(stderr, "simrun check: %s: run name '%s' cannot be a baseline field\n", path,
                row->run);
        return 2;
    }
    if (grow((void **)&C->r, C->nr, &C->capr, sizeof *C->r) != 0) {
        fprintf(stderr, "simrun check: out of memory\n");
        return 1;
    }
    cur_run *r = &C->r[C->nr++];
    memset(r, 0, sizeof *r);
    snprintf(r->scen, sizeof r->scen, "%s", scen);
    snprintf(r->run, sizeof r->run, "%s", row->run);
    for (int m = 0; m < NMETRICS; m++) {
        r->v[m] = metric_of(row, m);
        r->brow[m] = -1;
    }
    return 0;
}

/* The loader's warnings (production settings the simulator approximates)
 * go to stderr, one line each, also with -q. */
static void warn_stderr(void *ud, const char *line)
{
    (void)ud;
    fprintf(stderr, "%s\n", line);
}
static const sim_warn warn_sink = {warn_stderr, NULL};

/* Run every run of a scenario in-process, one after another, without a
 * results file (sim_run_policy with res = NULL). The plan expands [sweep]
 * grids and repetitions exactly as `simrun run` names them. */
static int load_scenario(check *C, const char *path, const char *const *sets, int nsets,
                         int quiet)
{
    as_err err = {0};
    sim_scenario *sc = sim_scenario_open(path, &(sim_load_opts){sets, nsets, &warn_sink}, &err);
    if (sc == NULL) {
        fprintf(stderr, "simrun check: %s\n", err.msg);
        return err.code == AS_EINVAL || err.code == AS_EIO ? 2 : 1;
    }
    int rc = add_scenario(C, sc->name, path);
    sim_plan plan = {0};
    if (rc == 0 && sim_plan_build(path, sets, nsets, sc, NULL, 0, CHECK_MAX_RUNS, &plan, &err)) {
        fprintf(stderr, "simrun check: %s\n", err.msg);
        rc = err.code == AS_EINVAL ? 2 : 1;
    }
    for (int i = 0; rc == 0 && i < plan.n; i++) {
        const sim_runspec *rs = &plan.runs[i];
        sim_run_opts opts = {.name = rs->name, .params = rs->params, .seed = &rs->seed};
        sim_summary_row row = {0};
        if (sim_run_policy(rs->sc, rs->policy, NULL, &opts, &row, &err) != AS_OK) {
            fprintf(stderr, "simrun check: %s: run %s: %s\n", path, rs->name, err.msg);
            rc = err.code == AS_EINVAL ? 2 : 1;
            break;
        }
        snprintf(row.run, sizeof row.run, "%s", rs->name);
        rc = add_run(C, sc->name, &row, path);
    }
    if (rc == 0 && !quiet)
        printf("%s: %d run(s) of %s\n", sc->name, plan.n, path);
    sim_plan_free(&plan);
    sim_scenario_free(sc);
    return rc;
}

static int load_results(check *C, const char *path, int quiet)
{
    as_err err = {0};
    char name[SCEN_LEN];
    sim_summary_row *rows = NULL;
    int n = 0;
    if (sim_results_probe(path, &err) != AS_OK ||
        sim_results_read_attr(path, "scenario_name", name, sizeof name, &err) != AS_OK ||
        sim_results_read_summary(path, &rows, &n, &err) != AS_OK) {
        fprintf(stderr, "simrun check: %s\n", err.msg);
        return 2;
    }
    int rc = add_scenario(C, name, path);
    for (int i = 0; rc == 0 && i < n; i++)
        rc = add_run(C, name, &rows[i], path);
    if (rc == 0 && !quiet)
        printf("%s: %d run(s) read from %s\n", name, n, path);
    free(rows);
    return rc;
}

/* ---- comparison ---- */

enum { V_SAME, V_WITHIN, V_IMPROVED, V_REGRESSED };

/* Lower is better. Equal values (including nan = nan and inf = inf) are
 * unchanged; a nan on one side only cannot be judged and counts as a
 * regression, so that a metric that stops being computed is noticed. */
static int judge(double base, double now, double abs_tol, double rel_tol, double *tol)
{
    *tol = fmax(abs_tol, rel_tol * fabs(base));
    if (now == base || (isnan(now) && isnan(base)))
        return V_SAME;
    if (isnan(now) || isnan(base))
        return V_REGRESSED;
    double d = now - base; /* inf - finite = inf: a finite value that becomes inf regresses */
    if (d < 0)
        return V_IMPROVED;
    return d > *tol ? V_REGRESSED : V_WITHIN;
}

/* One line of the table. has_base/has_now: the side exists (a new run has
 * no baseline, a missing run no current value). */
static void print_header(int *printed)
{
    if (!*printed)
        printf("\n%-16s %-14s %-16s %16s %16s %24s  %s\n", "scenario", "run", "metric",
               "baseline", "now", "change", "verdict");
    *printed = 1;
}

static void print_row(const char *scen, const char *run, const char *metric, int has_base,
                      double base, int has_now, double now, const char *verdict)
{
    char b[32] = "-", n[32] = "-", ch[48] = "";
    if (has_base)
        snprintf(b, sizeof b, "%.9g", base);
    if (has_now)
        snprintf(n, sizeof n, "%.9g", now);
    if (has_base && has_now) {
        double d = now - base;
        if (base != 0 && isfinite(base) && isfinite(now))
            snprintf(ch, sizeof ch, "%+.4g (%+.2f%%)", d, 100 * d / fabs(base));
        else
            snprintf(ch, sizeof ch, "%+.4g", d);
    }
    printf("%-16s %-14s %-16s %16s %16s %24s  %s\n", scen, run, metric, b, n, ch, verdict);
}

int cmd_check(int argc, char **argv)
{
    const char *bpath = NULL;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    int nsets = 0, ninputs = 0, update = 0, subset = 0, quiet = 0, status = 2;
    check C = {0};
    if (sets == NULL || inputs == NULL) {
        fprintf(stderr, "simrun check: out of memory\n");
        status = 1;
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            status = 0;
            goto done;
        } else if (strcmp(a, "--baseline") == 0 && has_next) {
            bpath = argv[++i];
        } else if (strncmp(a, "--baseline=", 11) == 0) {
            bpath = a + 11;
        } else if (strcmp(a, "--set") == 0 && has_next) {
            sets[nsets++] = argv[++i];
        } else if (strncmp(a, "--set=", 6) == 0) {
            sets[nsets++] = a + 6;
        } else if (strcmp(a, "--update") == 0) {
            update = 1;
        } else if (strcmp(a, "--subset") == 0) {
            subset = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "simrun check: unknown or incomplete option '%s' (see simrun check "
                            "--help)\n",
                    a);
            goto done;
        } else {
            inputs[ninputs++] = a;
        }
    }
    if (bpath == NULL || ninputs == 0) {
        fprintf(stderr, "simrun check: %s (see simrun check --help)\n",
                bpath == NULL ? "--baseline FILE is required" : "no scenario or results file");
        goto done;
    }
    C.bpath = bpath;
    C.scen = calloc((size_t)ninputs, sizeof *C.scen);
    if (C.scen == NULL) {
        fprintf(stderr, "simrun check: out of memory\n");
        status = 1;
        goto done;
    }
    /* The baseline is read first: a malformed file fails in milliseconds,
     * not after a minute of simulation. */
    int exists = 0;
    if ((status = baseline_read(&C, &exists)) != 0)
        goto done;
    if (!exists && !update) {
        fprintf(stderr, "simrun check: %s: no such file (create it with --update)\n", bpath);
        status = 2;
        goto done;
    }
    sim_results_quiet();
    for (int i = 0; i < ninputs; i++) {
        if (has_suffix(inputs[i], ".h5")) {
            if (nsets > 0) {
                fprintf(stderr, "simrun check: %s: --set applies to scenarios, not to a "
                                "results file\n",
                        inputs[i]);
                status = 2;
                goto done;
            }
            status = load_results(&C, inputs[i], quiet);
        } else {
            status = load_scenario(&C, inputs[i], sets, nsets, quiet);
        }
        if (status != 0)
            goto done;
    }

    /* match: baseline rows to current runs */
    int nmissing = 0;
    for (int i = 0; i < C.nb; i++) {
        brow *b = &C.b[i];
        for (int j = 0; j < C.nr; j++)
            if (strcmp(C.r[j].scen, b->scen) == 0 && strcmp(C.r[j].run, b->run) == 0) {
                C.r[j].brow[b->metric] = i;
                b->matched = 1;
            }
    }
    /* the table: only metrics that moved (and new or missing runs) */
    int count[4] = {0}, nnew = 0, header = 0;
    for (int j = 0; j < C.nr; j++)
        for (int m = 0; m < NMETRICS; m++) {
            const cur_run *r = &C.r[j];
            int bi = r->brow[m];
            if (bi < 0) {
                nnew++;
                print_header(&header);
                print_row(r->scen, r->run, METRICS[m].name, 0, 0, 1, r->v[m],
                          update ? "new (added)" : "new (not in the baseline)");
                continue;
            }
            const brow *b = &C.b[bi];
            double tol;
            int v = judge(b->value, r->v[m], b->abs_tol, b->rel_tol, &tol);
            count[v]++;
            if (v == V_SAME || (quiet && v != V_REGRESSED))
                continue;
            char verdict[64];
            if (update)
                snprintf(verdict, sizeof verdict, "updated");
            else if (v == V_REGRESSED)
                snprintf(verdict, sizeof verdict, "REGRESSED (tolerance %.3g)", tol);
            else
                snprintf(verdict, sizeof verdict, "%s",
                         v == V_IMPROVED ? "improved" : "within tolerance");
            print_header(&header);
            print_row(r->scen, r->run, METRICS[m].name, 1, b->value, 1, r->v[m], verdict);
        }
    /* Rows nobody matched: their run is gone. One message per run, at its
     * first line, so that a renamed policy is one line, not ten. */
    int nskipped = 0;
    for (int i = 0; i < C.nb; i++) {
        const brow *b = &C.b[i];
        if (b->matched)
            continue;
        int given = scen_given(&C, b->scen), first = 1;
        if (!given && subset) {
            nskipped++;
            continue;
        }
        for (int k = 0; k < i; k++)
            if (!C.b[k].matched && strcmp(C.b[k].scen, b->scen) == 0 &&
                (!given || strcmp(C.b[k].run, b->run) == 0))
                first = 0;
        if (!first)
            continue;
        nmissing++;
        fflush(stdout); /* keep the table and the stderr lines in order on a tty */
        print_header(&header);
        print_row(b->scen, given ? b->run : "*", "*", 0, 0, 0, 0,
                  update ? "removed" : "MISSING (not in the results)");
        if (update)
            continue;
        if (given)
            fprintf(stderr,
                    "simrun check: %s:%d: run '%s' of scenario '%s' is not in the results "
                    "(renamed or removed policy? --update accepts that)\n",
                    bpath, b->line, b->run, b->scen);
        else
            fprintf(stderr,
                    "simrun check: %s:%d: scenario '%s' is not among the inputs (give its "
                    "file, or --subset to check only some scenarios)\n",
                    bpath, b->line, b->scen);
    }
    printf("\n%d scenario(s), %d run(s), %d metric(s): %d regressed, %d improved, %d within "
           "tolerance, %d unchanged, %d new; %d baseline run(s) or scenario(s) missing\n",
           C.nscen, C.nr, C.nr * NMETRICS, count[V_REGRESSED], count[V_IMPROVED],
           count[V_WITHIN], count[V_SAME], nnew, nmissing);
    if (nskipped)
        printf("--subset: %d baseline row(s) of scenarios not given were not checked\n",
               nskipped);
    if (update) {
        status = baseline_write(&C, subset);
        if (status == 0)
            printf("baseline %s rewritten from the current results: review it with git diff\n",
                   bpath);
    } else if (count[V_REGRESSED] > 0 || nnew > 0 || nmissing > 0) {
        printf("FAIL:%s%s%s\n", count[V_REGRESSED] ? " scaling quality regressed;" : "",
               nnew ? " runs not in the baseline (record them with --update);" : "",
               nmissing ? " baseline runs missing from the results (see above);" : "");
        /* missing runs are bad input (the baseline names what is not
         * there), and win over regressions: exit 2 */
        status = nmissing > 0 ? 2 : 1;
    } else {
        printf("PASS\n");
        status = 0;
    }
done:
    free(C.b);
    free(C.r);
    free(C.scen);
    free(sets);
    free(inputs);
    return status;
}
