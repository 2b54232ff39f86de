/* cmd_check.c - `simrun check`: the scaling-quality gate for CI. Runs
 * every run of each scenario over several seeds in-process (or reads
 * results files), and compares the mean of each run's quality metrics with
 * a stored baseline, with a tolerance taken from their spread over the
 * seeds (check_baseline.h); exits 1 when one regresses.
 *
 * Seeds: --seeds N (default 10) runs every run N times, exactly as
 * `simrun SCENARIO --set sweep.repetitions=N` does (runs NAME.r0 ..
 * NAME.rN-1, each with its derived seed), so a results file written that
 * way gives the same numbers; the repetitions of one run are one row of
 * the gate. Their order fixes every sum, so -j does not change a bit.
 *
 * Strictness (so that nothing silently drops out of the gate):
 * - a baseline row whose scenario was checked but whose run is not in the
 *   results (a renamed or removed policy) is an error, exit 2, naming the
 *   baseline file and line;
 * - a baseline row whose scenario is not among the inputs is the same
 *   error (a deleted scenario file), unless --subset says that only some
 *   scenarios are being checked;
 * - a run or metric of the results that has no baseline row is "new" and
 *   fails the gate (exit 1): it is unchecked until --update records it;
 * - a baseline row recorded over another number of seeds is bad input.
 * --update accepts the current results as the new baseline: rows are
 * rewritten from the results, rows of missing runs and of scenarios not
 * given are dropped (kept with --subset), and the file is replaced
 * atomically. Every metric that moved is printed first, so the update is
 * reviewed twice: on screen and in git diff. */
#include "check_baseline.h"
#include "cli_text.h"
#include "cmd.h"
#include "sim_results.h"
#include "sim_run.h"
#include "sim_scenario.h"
#include "sim_sweep.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Most runs a single scenario of the gate may expand to (seeds included):
 * a quality scenario with a larger sweep is a mistake, not something to
 * wait for. */
#define CHECK_MAX_RUNS 5000
#define CHECK_MAX_SEEDS 1000
#define CHECK_DEFAULT_SEEDS 10
/* Tolerance in standard errors of the difference of two means: see
 * tests/quality/README.md for how it was chosen (false alarms when every
 * random stream is re-drawn, against the size of real regressions). */
#define CHECK_DEFAULT_K 5.0

/* One run of one seed. */
typedef struct one_run {
    int scen;            /* index into check.scen */
    char run[SIM_STR];   /* the run's name without its .rN */
    int rep;             /* N of .rN (0 without) */
    double v[CHK_NMETRICS];
} one_run;

/* One run over its seeds: a row of the gate per metric. */
typedef struct group {
    int scen;
    char run[SIM_STR];
    chk_stat s[CHK_NMETRICS];
    int brow[CHK_NMETRICS]; /* index of the matching baseline row, -1: none */
} group;

typedef struct opts {
    const char *bpath;
    const char **sets;   /* --set, then one slot for sweep.repetitions */
    int nsets;
    const char **inputs;
    int ninputs;
    int update, subset, quiet, seeds, jobs;
    double k;
    char reps[48];       /* "sweep.repetitions=N" */
} opts;

typedef struct check {
    opts o;
    chk_baseline base;
    one_run *one;
    int n1, cap1;
    group *g;
    int ng;
    char (*scen)[CHK_SCEN_LEN]; /* scenario names of the inputs, in order */
    int nscen;
} check;

static void usage(FILE *f)
{
    fputs("usage: simrun check SCENARIO.ini|RESULTS.h5 ... --baseline FILE [options]\n"
          "\n"
          "The scaling-quality gate: runs every run of each scenario over several seeds\n"
          "in-process (or reads a results file), then compares the mean over the seeds\n"
          "of each run's cost_total, slo_violation_s, p95, p99, theta_u, theta_o, tau_u,\n"
          "tau_o, instability and actions with the baseline. All are lower-is-better.\n"
          "A mean regresses when it grows by more than k standard errors of the\n"
          "difference (from the spread over seeds of the baseline and of now); it\n"
          "improves when it falls by as much. Prints every metric that moved; exit 1\n"
          "on a regression or a run that is not in the baseline yet. An improvement\n"
          "passes; --update after review makes it the new baseline, so that sliding\n"
          "back fails.\n"
          "\n"
          "options:\n"
          "  --baseline FILE          CSV: scenario,run,metric,seeds,mean,sd\n"
          "  --seeds N                seeds per run (default 10): runs NAME.r0 .. as with\n"
          "                           --set sweep.repetitions=N\n"
          "  --k K                    tolerance in standard errors (default 5)\n"
          "  --update                 rewrite FILE from the current results (drops\n"
          "                           missing runs)\n"
          "  --set SECTION.KEY=VALUE  override a key of every scenario (repeatable)\n"
          "  --subset                 check only the scenarios given: baseline rows of\n"
          "                           other scenarios are skipped (kept by --update)\n"
          "  -j N                     runs at once (default: the number of cores)\n"
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

/* A whole number in [lo, hi] from s; 0 or -1. */
static int parse_int(const char *s, long lo, long hi, long *v)
{
    char *end;
    *v = strtol(s, &end, 10);
    return *s != '\0' && *end == '\0' && *v >= lo && *v <= hi ? 0 : -1;
}

/* The value of option a (given as "--opt VALUE" or "--opt=VALUE"), or NULL
 * when a is not that option. */
static const char *opt_value(const char *a, const char *name, int argc, char **argv, int *i)
{
    size_t n = strlen(name);
    if (strcmp(a, name) == 0 && *i + 1 < argc)
        return argv[++*i];
    if (strncmp(a, name, n) == 0 && a[n] == '=')
        return a + n + 1;
    return NULL;
}

/* Fill o from argv. Returns -1 to go on, or the exit status (0 after
 * --help, 2 on a usage error with its message printed). */
static int parse_opts(int argc, char **argv, opts *o)
{
    long v;
    const char *val;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if ((val = opt_value(a, "--baseline", argc, argv, &i)) != NULL) {
            o->bpath = val;
        } else if ((val = opt_value(a, "--set", argc, argv, &i)) != NULL) {
            o->sets[o->nsets++] = val;
        } else if ((val = opt_value(a, "--seeds", argc, argv, &i)) != NULL) {
            if (parse_int(val, 1, CHECK_MAX_SEEDS, &v) != 0) {
                fprintf(stderr, "simrun check: --seeds %s: expected a whole number in [1, %d]\n",
                        val, CHECK_MAX_SEEDS);
                return 2;
            }
            o->seeds = (int)v;
        } else if ((val = opt_value(a, "--k", argc, argv, &i)) != NULL) {
            char *end;
            o->k = strtod(val, &end);
            if (*val == '\0' || *end != '\0' || !(o->k >= 0 && o->k <= 1e6)) {
                fprintf(stderr, "simrun check: --k %s: expected a number in [0, 1e6]\n", val);
                return 2;
            }
        } else if ((val = opt_value(a, "-j", argc, argv, &i)) != NULL ||
                   (strncmp(a, "-j", 2) == 0 && a[2] != '\0' && (val = a + 2))) {
            if (parse_int(val, 1, 1024, &v) != 0) {
                fprintf(stderr, "simrun check: -j %s: expected a whole number in [1, 1024]\n",
                        val);
                return 2;
            }
            o->jobs = (int)v;
        } else if (strcmp(a, "--update") == 0) {
            o->update = 1;
        } else if (strcmp(a, "--subset") == 0) {
            o->subset = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "simrun check: unknown or incomplete option '%s' (see simrun check "
                            "--help)\n",
                    a);
            return 2;
        } else {
            o->inputs[o->ninputs++] = a;
        }
    }
    if (o->bpath == NULL || o->ninputs == 0) {
        fprintf(stderr, "simrun check: %s (see simrun check --help)\n",
                o->bpath == NULL ? "--baseline FILE is required" : "no scenario or results file");
        return 2;
    }
    return -1;
}

/* ---- current results ---- */

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && strcmp(s + n - k, suf) == 0;
}

/* Scenario name of the next input; its index, or -1 (message printed). */
static int add_scenario(check *C, const char *name, const char *path)
{
    if (!chk_name_ok(name) || strlen(name) >= CHK_SCEN_LEN) {
        fprintf(stderr, "simrun check: %s: scenario name '%s' cannot be a baseline field "
                        "(empty, longer than %d characters, or has a comma or quote)\n",
                cli_shown(path), cli_shown(name), CHK_SCEN_LEN - 1);
        return -1;
    }
    for (int s = 0; s < C->nscen; s++)
        if (strcmp(C->scen[s], name) == 0) {
            fprintf(stderr,
                    "simrun check: %s: scenario name '%s' given twice (the baseline is keyed "
                    "by [scenario] name)\n",
                    cli_shown(path), name);
            return -1;
        }
    snprintf(C->scen[C->nscen], CHK_SCEN_LEN, "%s", name);
    return C->nscen++;
}

/* A run's name without the ".rN" of its repetition (seed). */
static void split_rep(const char *name, char *run, int *rep)
{
    snprintf(run, SIM_STR, "%s", name);
    *rep = 0;
    char *dot = strrchr(run, '.');
    if (dot && dot[1] == 'r' && dot[2] != '\0' && strspn(dot + 2, "0123456789") == strlen(dot + 2)) {
        *rep = atoi(dot + 2);
        *dot = '\0';
    }
}

static int add_one(check *C, int scen, const sim_summary_row *row, const char *path)
{
    if (!chk_name_ok(row->run)) {
        fprintf(stderr, "simrun check: %s: run name '%s' cannot be a baseline field\n",
                cli_shown(path), cli_shown(row->run));
        return 2;
    }
    if (C->n1 == C->cap1) {
        int nc = C->cap1 ? C->cap1 * 2 : 256;
        one_run *p = realloc(C->one, (size_t)nc * sizeof *p);
        if (p == NULL) {
            fprintf(stderr, "simrun check: out of memory\n");
            return 1;
        }
        C->one = p;
        C->cap1 = nc;
    }
    one_run *r = &C->one[C->n1++];
    r->scen = scen;
    split_rep(row->run, r->run, &r->rep);
    for (int m = 0; m < CHK_NMETRICS; m++)
        r->v[m] = chk_metric_of(row, m);
    return 0;
}

/* The loader's warnings (production settings the simulator approximates)
 * go to stderr, one line each, also with -q. */
static void warn_stderr(void *ud, const char *line)
{
    (void)ud;
    fprintf(stderr, "%s\n", line);
}
static const sim_warn warn_sink = {warn_stderr, NULL, false};

/* The runs of a plan, shared by the workers: each takes the next index. */
typedef struct pool {
    const sim_plan *plan;
    sim_summary_row *rows;
    int *rc;
    as_err *err;
    atomic_int next;
} pool;

static void *worker(void *arg)
{
    pool *P = arg;
    for (int i; (i = atomic_fetch_add(&P->next, 1)) < P->plan->n;) {
        const sim_runspec *rs = &P->plan->runs[i];
        sim_run_opts ro = {.name = rs->name, .params = rs->params, .seed = &rs->seed};
        P->rc[i] = sim_run_policy(rs->sc, rs->policy, NULL, &ro, &P->rows[i], &P->err[i]);
    }
    return NULL;
}

/* Run every run of plan on jobs threads (the calling one included). The
 * rows are in plan order whatever finishes first. Returns the index of the
 * first run that failed, -1 if none, -2 when out of memory. */
static int run_plan(const sim_plan *plan, int jobs, sim_summary_row *rows, as_err *errs)
{
    int *rc = calloc((size_t)plan->n + 1, sizeof *rc);
    pthread_t *t = calloc((size_t)jobs, sizeof *t);
    if (rc == NULL || t == NULL) {
        free(rc);
        free(t);
        return -2;
    }
    pool P = {.plan = plan, .rows = rows, .rc = rc, .err = errs};
    atomic_init(&P.next, 0);
    int started = 0;
    while (started < jobs - 1 && started < plan->n - 1 &&
           pthread_create(&t[started], NULL, worker, &P) == 0)
        started++; /* fewer threads than asked is slower, not wrong */
    worker(&P);
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    int bad = -1;
    for (int i = 0; i < plan->n && bad < 0; i++)
        if (rc[i] != AS_OK)
            bad = i;
    free(rc);
    free(t);
    return bad;
}

/* Every run of a scenario over the seeds, in-process, without a results
 * file (sim_run_policy with no sink). The plan expands [sweep] grids and
 * the repetitions exactly as `simrun run` names them. */
static int load_scenario(check *C, const char *path)
{
    as_err err = {0};
    sim_load_opts lo = {C->o.sets, C->o.nsets, &warn_sink};
    sim_scenario *sc = sim_scenario_open(path, &lo, &err);
    if (sc == NULL) {
        fprintf(stderr, "simrun check: %s\n", err.msg);
        return err.code == AS_ENOMEM ? 1 : 2;
    }
    int scen = add_scenario(C, sc->name, path), rc = scen < 0 ? 2 : 0;
    sim_plan plan = {0};
    if (rc == 0 && sim_plan_build(path, C->o.sets, C->o.nsets, sc, NULL, 0, CHECK_MAX_RUNS, &plan,
                                  &err)) {
        fprintf(stderr, "simrun check: %s\n", err.msg);
        rc = err.code == AS_ENOMEM ? 1 : 2;
    }
    sim_summary_row *rows = rc == 0 ? calloc((size_t)plan.n + 1, sizeof *rows) : NULL;
    as_err *errs = rc == 0 ? calloc((size_t)plan.n + 1, sizeof *errs) : NULL;
    if (rc == 0 && (rows == NULL || errs == NULL)) {
        fprintf(stderr, "simrun check: out of memory\n");
        rc = 1;
    }
    int bad = rc == 0 ? run_plan(&plan, C->o.jobs, rows, errs) : -1;
    if (bad == -2) {
        fprintf(stderr, "simrun check: out of memory\n");
        rc = 1;
    } else if (bad >= 0) {
        fprintf(stderr, "simrun check: %s: run %s: %s\n", cli_shown(path), plan.runs[bad].name,
                errs[bad].msg);
        rc = errs[bad].code == AS_EINVAL ? 2 : 1;
    }
    for (int i = 0; rc == 0 && i < plan.n; i++) {
        snprintf(rows[i].run, sizeof rows[i].run, "%s", plan.runs[i].name);
        rc = add_one(C, scen, &rows[i], path);
    }
    if (rc == 0 && !C->o.quiet)
        printf("%s: %d run(s) of %s\n", sc->name, plan.n, cli_shown(path));
    free(rows);
    free(errs);
    sim_plan_free(&plan);
    sim_scenario_free(sc);
    return rc;
}

static int load_results(check *C, const char *path)
{
    as_err err = {0};
    char name[CHK_SCEN_LEN];
    sim_summary_row *rows = NULL;
    int n = 0;
    if (sim_results_probe(path, &err) != AS_OK ||
        sim_results_read_attr(path, "scenario_name", name, sizeof name, &err) != AS_OK ||
        sim_results_read_summary(path, &rows, &n, &err) != AS_OK) {
        fprintf(stderr, "simrun check: %s\n", err.msg);
        return err.code == AS_ENOMEM ? 1 : 2;
    }
    int scen = add_scenario(C, name, path), rc = scen < 0 ? 2 : 0;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = add_one(C, scen, &rows[i], path);
    if (rc == 0 && !C->o.quiet)
        printf("%s: %d run(s) read from %s\n", name, n, cli_shown(path));
    free(rows);
    return rc;
}

static int cmp_one(const void *a, const void *b)
{
    const one_run *x = a, *y = b;
    int c = x->scen - y->scen;
    if (c == 0)
        c = strcmp(x->run, y->run);
    return c ? c : x->rep - y->rep;
}

/* Group the runs of all seeds: one group per scenario and run, with the
 * mean and spread of each metric (summed in seed order). */
static int make_groups(check *C)
{
    qsort(C->one, (size_t)C->n1, sizeof *C->one, cmp_one);
    C->g = calloc((size_t)C->n1 + 1, sizeof *C->g);
    double *x = calloc((size_t)C->n1 + 1, sizeof *x);
    if (C->g == NULL || x == NULL) {
        free(x);
        fprintf(stderr, "simrun check: out of memory\n");
        return 1;
    }
    for (int i = 0; i < C->n1;) {
        int j = i;
        while (j < C->n1 && C->one[j].scen == C->one[i].scen &&
               strcmp(C->one[j].run, C->one[i].run) == 0)
            j++;
        group *g = &C->g[C->ng++];
        g->scen = C->one[i].scen;
        snprintf(g->run, sizeof g->run, "%s", C->one[i].run);
        for (int m = 0; m < CHK_NMETRICS; m++) {
            for (int k = i; k < j; k++)
                x[k - i] = C->one[k].v[m];
            g->s[m] = chk_stat_of(x, j - i);
            g->brow[m] = -1;
        }
        i = j;
    }
    free(x);
    return 0;
}

/* ---- comparison ---- */

static int scen_given(const check *C, const char *scen)
{
    for (int s = 0; s < C->nscen; s++)
        if (strcmp(C->scen[s], scen) == 0)
            return 1;
    return 0;
}

/* Baseline rows to groups. A row recorded over another number of seeds
 * cannot be compared: bad input (2), unless --update replaces it. */
static int match(check *C)
{
    for (int i = 0; i < C->base.n; i++) {
        chk_row *b = &C->base.rows[i];
        for (int j = 0; j < C->ng; j++) {
            group *g = &C->g[j];
            if (strcmp(C->scen[g->scen], b->scen) != 0 || strcmp(g->run, b->run) != 0)
                continue;
            b->matched = 1;
            g->brow[b->metric] = i;
            if (g->s[b->metric].seeds != b->s.seeds && !C->o.update) {
                fprintf(stderr,
                        "simrun check: %s:%d: recorded over %d seed(s), the results have %d "
                        "(--seeds %d, or --update to record them)\n",
                        C->base.path, b->line, b->s.seeds, g->s[b->metric].seeds, b->s.seeds);
                return 2;
            }
        }
    }
    return 0;
}

/* "mean ± sd" (or just the mean over one seed) in a short form. */
static void fmt_stat(char *buf, size_t n, const chk_stat *s)
{
    if (s->seeds > 1 && isfinite(s->mean))
        snprintf(buf, n, "%.5g ± %.2g", s->mean, s->sd);
    else
        snprintf(buf, n, "%.5g", s->mean);
}

static void print_header(int *printed)
{
    if (!*printed)
        printf("\n%-14s %-14s %-15s %20s %20s %20s %7s  %s\n", "scenario", "run", "metric",
               "baseline", "now", "change", "z", "verdict");
    *printed = 1;
}

/* One line of the table. base or now may be NULL (a missing or new run). */
static void print_row(const char *scen, const char *run, const char *metric,
                      const chk_stat *base, const chk_stat *now, double z, const char *verdict)
{
    char b[48] = "-", n[48] = "-", ch[48] = "", zs[16] = "";
    if (base)
        fmt_stat(b, sizeof b, base);
    if (now)
        fmt_stat(n, sizeof n, now);
    if (base && now) {
        double d = now->mean - base->mean;
        if (base->mean != 0 && isfinite(base->mean) && isfinite(now->mean))
            snprintf(ch, sizeof ch, "%+.4g (%+.1f%%)", d, 100 * d / fabs(base->mean));
        else
            snprintf(ch, sizeof ch, "%+.4g", d);
        if (fabs(z) < 1e4) /* larger: a spread of a few ulps, not a measure */
            snprintf(zs, sizeof zs, "%+.1f", z);
        else if (!isnan(z))
            snprintf(zs, sizeof zs, "%s", z > 0 ? ">+9999" : "<-9999");
    }
    /* "±" is two bytes and one column: widen its fields by one */
    printf("%-14s %-14s %-15s %*s %*s %20s %7s  %s\n", scen, run, metric,
           strstr(b, "±") ? 21 : 20, b, strstr(n, "±") ? 21 : 20, n, ch, zs, verdict);
}

/* The table of every metric that moved, and the counts per verdict
 * (count[4] = new rows). */
static void compare(const check *C, int count[5], int *header)
{
    for (int j = 0; j < C->ng; j++)
        for (int m = 0; m < CHK_NMETRICS; m++) {
            const group *g = &C->g[j];
            const char *scen = C->scen[g->scen];
            int bi = g->brow[m];
            if (bi < 0) {
                count[4]++;
                print_header(header);
                print_row(scen, g->run, chk_metric_names[m], NULL, &g->s[m], NAN,
                          C->o.update ? "new (added)" : "new (not in the baseline)");
                continue;
            }
            const chk_row *b = &C->base.rows[bi];
            double tol, z;
            int v = chk_judge(&b->s, &g->s[m], C->o.k, &tol, &z);
            count[v]++;
            if (v == CHK_SAME || (C->o.quiet && v != CHK_REGRESSED))
                continue;
            char verdict[64];
            if (C->o.update)
                snprintf(verdict, sizeof verdict, "updated");
            else if (v == CHK_REGRESSED)
                snprintf(verdict, sizeof verdict, "REGRESSED (tolerance %.3g)", tol);
            else if (v == CHK_IMPROVED)
                snprintf(verdict, sizeof verdict, "improved (tolerance %.3g)", tol);
            else
                snprintf(verdict, sizeof verdict, "within noise (tolerance %.3g)", tol);
            print_header(header);
            print_row(scen, g->run, chk_metric_names[m], &b->s, &g->s[m], z, verdict);
        }
}

/* Rows nobody matched: their run is gone. One message per run, at its
 * first line, so that a renamed policy is one line, not ten. Returns the
 * count; *skipped counts rows of scenarios not given with --subset. */
static int report_missing(const check *C, int *header, int *skipped)
{
    int nmissing = 0;
    for (int i = 0; i < C->base.n; i++) {
        const chk_row *b = &C->base.rows[i];
        if (b->matched)
            continue;
        int given = scen_given(C, b->scen), first = 1;
        if (!given && C->o.subset) {
            (*skipped)++;
            continue;
        }
        for (int k = 0; k < i && first; k++)
            if (!C->base.rows[k].matched && strcmp(C->base.rows[k].scen, b->scen) == 0 &&
                (!given || strcmp(C->base.rows[k].run, b->run) == 0))
                first = 0;
        if (!first)
            continue;
        nmissing++;
        fflush(stdout); /* keep the table and the stderr lines in order on a tty */
        print_header(header);
        print_row(b->scen, given ? b->run : "*", "*", NULL, NULL, NAN,
                  C->o.update ? "removed" : "MISSING (not in the results)");
        if (C->o.update)
            continue;
        if (given)
            fprintf(stderr,
                    "simrun check: %s:%d: run '%s' of scenario '%s' is not in the results "
                    "(renamed or removed policy? --update accepts that)\n",
                    cli_shown(C->base.path), b->line, b->run, b->scen);
        else
            fprintf(stderr,
                    "simrun check: %s:%d: scenario '%s' is not among the inputs (give its "
                    "file, or --subset to check only some scenarios)\n",
                    cli_shown(C->base.path), b->line, b->scen);
    }
    return nmissing;
}

/* Write the current results as the new baseline; with --subset also the
 * old rows of scenarios not checked now, as they were. */
static int update(const check *C)
{
    chk_baseline out = {0};
    int rc = 0;
    for (int j = 0; rc == 0 && j < C->ng; j++)
        for (int m = 0; rc == 0 && m < CHK_NMETRICS; m++) {
            chk_row r = {.metric = m, .s = C->g[j].s[m]};
            snprintf(r.scen, sizeof r.scen, "%s", C->scen[C->g[j].scen]);
            snprintf(r.run, sizeof r.run, "%s", C->g[j].run);
            rc = chk_baseline_add(&out, &r);
        }
    for (int i = 0; rc == 0 && C->o.subset && i < C->base.n; i++)
        if (!scen_given(C, C->base.rows[i].scen))
            rc = chk_baseline_add(&out, &C->base.rows[i]);
    if (rc != 0)
        fprintf(stderr, "simrun check: out of memory\n");
    else
        rc = chk_baseline_write(C->o.bpath, out.rows, out.n);
    if (rc == 0)
        printf("baseline %s rewritten from the current results: review it with git diff\n",
               cli_shown(C->o.bpath));
    chk_baseline_free(&out);
    return rc;
}

/* Compare, print, and decide: the exit status. */
static int verdict(check *C)
{
    int count[5] = {0}, header = 0, skipped = 0;
    compare(C, count, &header);
    int nmissing = report_missing(C, &header, &skipped);
    printf("\n%d scenario(s), %d run(s) over %d seed(s), %d metric(s): %d regressed, %d improved, "
           "%d within noise, %d unchanged, %d new; %d baseline run(s) or scenario(s) missing\n",
           C->nscen, C->ng, C->ng ? C->g[0].s[0].seeds : 0, C->ng * CHK_NMETRICS,
           count[CHK_REGRESSED], count[CHK_IMPROVED], count[CHK_WITHIN], count[CHK_SAME],
           count[4], nmissing);
    if (skipped)
        printf("--subset: %d baseline row(s) of scenarios not given were not checked\n", skipped);
    if (C->o.update)
        return update(C);
    if (count[CHK_REGRESSED] > 0 || count[4] > 0 || nmissing > 0) {
        printf("FAIL:%s%s%s\n", count[CHK_REGRESSED] ? " scaling quality regressed;" : "",
               count[4] ? " runs not in the baseline (record them with --update);" : "",
               nmissing ? " baseline runs missing from the results (see above);" : "");
        /* missing runs are bad input (the baseline names what is not
         * there), and win over regressions: exit 2 */
        return nmissing > 0 ? 2 : 1;
    }
    if (count[CHK_IMPROVED] > 0)
        printf("PASS, with %d metric(s) improved beyond noise: after review, --update makes "
               "them the baseline, so that sliding back fails\n",
               count[CHK_IMPROVED]);
    else
        printf("PASS\n");
    return 0;
}

/* Read the baseline, then every input. Returns 0 or the exit status. */
static int load(check *C)
{
    int exists = 0, rc;
    C->base.path = C->o.bpath;
    /* The baseline is read first: a malformed file fails in milliseconds,
     * not after a minute of simulation. */
    if ((rc = chk_baseline_read(&C->base, &exists)) != 0)
        return rc;
    if (!exists && !C->o.update) {
        fprintf(stderr, "simrun check: %s: no such file (create it with --update)\n",
                cli_shown(C->o.bpath));
        return 2;
    }
    sim_results_quiet();
    for (int i = 0; i < C->o.ninputs; i++) {
        const char *in = C->o.inputs[i];
        /* nsets counts the sweep.repetitions slot: > 1 is a user's --set */
        if (has_suffix(in, ".h5") && C->o.nsets > 1) {
            fprintf(stderr, "simrun check: %s: --set applies to scenarios, not to a results "
                            "file\n",
                    cli_shown(in));
            return 2;
        }
        rc = has_suffix(in, ".h5") ? load_results(C, in) : load_scenario(C, in);
        if (rc != 0)
            return rc;
    }
    return make_groups(C);
}

int cmd_check(int argc, char **argv)
{
    check C = {.o = {.seeds = CHECK_DEFAULT_SEEDS, .k = CHECK_DEFAULT_K}};
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    C.o.jobs = ncpu > 0 && ncpu < 1024 ? (int)ncpu : 1;
    C.o.sets = calloc((size_t)argc + 2, sizeof *C.o.sets);
    C.o.inputs = calloc((size_t)argc + 1, sizeof *C.o.inputs);
    C.scen = calloc((size_t)argc + 1, sizeof *C.scen);
    int status = 1;
    if (C.o.sets == NULL || C.o.inputs == NULL || C.scen == NULL) {
        fprintf(stderr, "simrun check: out of memory\n");
        goto done;
    }
    if ((status = parse_opts(argc, argv, &C.o)) >= 0)
        goto done;
    /* the seeds are repetitions of the plan, set last so that they win */
    snprintf(C.o.reps, sizeof C.o.reps, "sweep.repetitions=%d", C.o.seeds);
    C.o.sets[C.o.nsets++] = C.o.reps;
    if ((status = load(&C)) == 0 && (status = match(&C)) == 0)
        status = verdict(&C);
done:
    chk_baseline_free(&C.base);
    free(C.one);
    free(C.g);
    free(C.scen);
    free(C.o.sets);
    free(C.o.inputs);
    return status;
}
