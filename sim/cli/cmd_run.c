/* cmd_run.c - `simrun SCENARIO.ini`: run every policy of a scenario (times
 * its sweep points and repetitions), write the results file, print the
 * summary table, draw the report.
 * This file parses options and prints; the batch itself (worker
 * processes, MPI, OUT.runs/, resume, merge) is sim/batch's. */
#include "as_name.h"
#include "as_param.h"
#include "cli_progress.h"
#include "cli_text.h"
#include "cmd.h"
#include "plot_fmt.h"
#include "plot_report.h"
#include "sim_batch.h"
#include "sim_budget.h"
#include "sim_results.h"
#include "sim_scenario.h"
#include "sim_summary.h"
#include "sim_sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fputs("usage: simrun [run] SCENARIO.ini [options]\n"
          "\n"
          "Runs every [policy.NAME] of the scenario (times the points of its [sweep]\n"
          "grid and its repetitions) on its trace, writes the results to\n"
          "results/NAME.h5, prints one summary row per run and draws the report in\n"
          "reports/NAME/ (the results file's name without .h5: -o out.h5 draws\n"
          "reports/out/).\n"
          "\n"
          "options:\n"
          "  -o FILE                  results file (default results/<scenario name>.h5;\n"
          "                           with --policy, results/<scenario name>-<policies>.h5,\n"
          "                           so that a subset never replaces the whole)\n"
          "  --set SECTION.KEY=VALUE  override a scenario key (repeatable), e.g.\n"
          "                           --set scenario.duration=6h --set tier.web.max=40\n"
          "  --policy NAME            run only this policy (repeatable)\n"
          "  -j N                     run N runs at once, each in a worker process, and\n"
          "                           draw N figures of the report at once (default:\n"
          "                           the number of cores); the results do not depend\n"
          "                           on N\n"
          "  --force                  overwrite an existing results file (the runs it holds\n"
          "                           that the new one lacks are named on stderr); take\n"
          "                           over a FILE.runs/ that simrun did not make (emptying\n"
          "                           it), and replace a report folder simrun did not make\n"
          "                           or that shows another results file\n"
          "  --fresh                  do not resume: discard runs kept from an earlier,\n"
          "                           interrupted invocation\n"
          "  --max-runs N             refuse sweeps of more runs than N (default 100000)\n"
          "  --max-events N           model = des: refuse a run expected to take more\n"
          "                           events than N (default 1e10)\n"
          "  --max-memory SIZE        model = des: refuse a run that may need more memory\n"
          "                           (default 2G); queues without queue_cap are capped\n"
          "                           to fit it, and requests beyond are dropped\n"
          "  --baseline NAME          run the elastic speedup is measured against\n"
          "                           (default: the first run)\n"
          "  --format text|csv|json   summary format on stdout (default text)\n"
          "  --no-report              do not draw the gnuplot report\n"
          "  --all-figures            draw every run's figures in the report; a sweep of\n"
          "                           more than 12 runs draws only its front, cheapest,\n"
          "                           bound and first runs (the table lists them all)\n"
          "  --lenient                a manifest or AWS policy field the simulator does\n"
          "                           not model is a warning, not an error (exit 2); the\n"
          "                           runs of that policy are marked approximate\n"
          "  --report-dir DIR         draw it in DIR (default reports/<results file stem>)\n"
          "  --currency C             costs in the report in C: a code (EUR) or a symbol ($)\n"
          "  --window START:END       zoom the report's run figures on this window (e.g.\n"
          "                           37h:39h) instead of each run's worst SLO episode\n"
          "  -q, --quiet              no progress line and no table\n"
          "  --help-keys [FILTER]     list the scenario keys with their allowed values and\n"
          "                           defaults; FILTER: a section (tier), a policy kind\n"
          "                           (hpa) or a key name (boot_time)\n"
          "  -h, --help               this text\n"
          "\n"
          "Each run is written to FILE.runs/ when complete. Interrupted (Ctrl-C), killed,\n"
          "or stopped by a write error (disk full), the completed runs stay there (and,\n"
          "after Ctrl-C, in FILE.partial); the same command again resumes from them.\n"
          "A second simrun on the same FILE refuses while the first one runs.\n"
          "exit status: 0 done, 2 bad input (one line naming file, line and key),\n"
          "1 other failure (a write error, FILE in use), 130 interrupted\n",
          f);
}

/* ---- options ---- */

typedef struct run_args {
    const char *scen, *out, *baseline, *report_dir, *currency;
    int window;
    double window_start, window_end;
    const char **sets, **only;
    int nsets, nonly, force, fresh, quiet, format, report, lenient, all_figures;
    long jobs, max_runs;
    uint64_t max_events, max_memory; /* the request-level model's limits (0: defaults) */
} run_args;

/* -j N and --max-runs N: a whole number >= 1. */
static int whole(const char *opt, const char *v, long *out)
{
    as_err e = {0};
    if (as_parse_int(v, out, &e) != AS_OK || *out < 1) {
        fprintf(stderr, "simrun: %s: '%s' is not a whole number >= 1\n", opt, v);
        return 2;
    }
    return 0;
}

/* --max-events N, --max-memory SIZE */
static int limit(const char *opt, const char *v, uint64_t *out)
{
    as_err e = {0};
    int rc = opt[6] == 'e' ? sim_parse_count(v, out, &e) : sim_parse_bytes(v, out, &e);
    if (rc != AS_OK) {
        fprintf(stderr, "simrun: %s: %s\n", opt, e.msg);
        return 2;
    }
    return 0;
}

static int format_of(const char *v, int *format)
{
    static const char *names[] = {"text", "csv", "json"};
    static const int codes[] = {SIM_FMT_TEXT, SIM_FMT_CSV, SIM_FMT_JSON};
    for (int k = 0; k < 3; k++)
        if (strcmp(v, names[k]) == 0) {
            *format = codes[k];
            return 0;
        }
    fprintf(stderr, "simrun: --format: '%s' is not text, csv or json\n", v);
    return 2;
}

/* --currency C, --window START:END: checked now, not after the runs. */
static int report_opt(run_args *a, const char *o, const char *v)
{
    as_err e = {0};
    int rc = o[2] == 'c' ? plot_currency_check(v, &e)
                         : plot_window_parse(v, &a->window_start, &a->window_end, &e);
    if (rc != AS_OK) {
        fprintf(stderr, "simrun: %s\n", e.msg);
        return 2;
    }
    if (o[2] == 'c')
        a->currency = v;
    else
        a->window = 1;
    return 0;
}

/* An option with a value at argv[*i]; 1 when a is one, -1 on error (a
 * message printed), 0 when a is not one of them. */
static int value_opt(run_args *a, const char *o, char **argv, int *i)
{
    const char *v = argv[*i + 1];
    int rc = 0;
    if (strcmp(o, "-o") == 0)
        a->out = v;
    else if (strcmp(o, "--set") == 0)
        a->sets[a->nsets++] = v;
    else if (strcmp(o, "--policy") == 0)
        a->only[a->nonly++] = v;
    else if (strcmp(o, "--baseline") == 0)
        a->baseline = v;
    else if (strcmp(o, "-j") == 0)
        rc = whole(o, v, &a->jobs);
    else if (strcmp(o, "--max-runs") == 0)
        rc = whole(o, v, &a->max_runs);
    else if (strcmp(o, "--max-events") == 0)
        rc = limit(o, v, &a->max_events);
    else if (strcmp(o, "--max-memory") == 0)
        rc = limit(o, v, &a->max_memory);
    else if (strcmp(o, "--format") == 0)
        rc = format_of(v, &a->format);
    else if (strcmp(o, "--report-dir") == 0)
        a->report_dir = v;
    else if (strcmp(o, "--currency") == 0 || strcmp(o, "--window") == 0)
        rc = report_opt(a, o, v);
    else
        return 0;
    (*i)++;
    return rc ? -1 : 1;
}

/* A flag; 1 when a is one, 0 otherwise, -1 when its value is refused. */
static int flag_opt(run_args *a, const char *o)
{
    if (strncmp(o, "--set=", 6) == 0)
        a->sets[a->nsets++] = o + 6;
    else if (strncmp(o, "-j", 2) == 0 && o[2] != '\0') /* -j2: checked as -j 2 (atol took -j2x) */
        return whole("-j", o + 2, &a->jobs) ? -1 : 1;
    else if (strcmp(o, "--force") == 0)
        a->force = 1;
    else if (strcmp(o, "--fresh") == 0)
        a->fresh = 1;
    else if (strcmp(o, "--no-report") == 0)
        a->report = 0;
    else if (strcmp(o, "--lenient") == 0)
        a->lenient = 1;
    else if (strcmp(o, "--all-figures") == 0)
        a->all_figures = 1;
    else if (strcmp(o, "-q") == 0 || strcmp(o, "--quiet") == 0)
        a->quiet = 1;
    else
        return 0;
    return 1;
}

/* Parse argv into a; returns -1 to go on, else the exit status. */
static int parse_args(run_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int k = i + 1 < argc ? value_opt(a, o, argv, &i) : 0;
        if (k < 0)
            return 2;
        int f = k > 0 ? 1 : flag_opt(a, o);
        if (f < 0)
            return 2;
        if (f > 0)
            continue;
        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(o, "--help-keys") == 0) {
            /* --help-keys [FILTER]: a section, a policy kind or a key */
            const char *filter = i + 1 < argc && argv[i + 1][0] != '-' ? argv[i + 1] : NULL;
            if (sim_scenario_print_keys(stdout, filter) > 0)
                return 0;
            fprintf(stderr, "simrun: --help-keys %s: no section, policy kind or key of that "
                            "name (simrun --help-keys lists them all)\n", filter);
            return 2;
        } else if (o[0] == '-') {
            fprintf(stderr, "simrun: unknown or incomplete option '%s' (see simrun --help)\n", o);
            return 2;
        } else if (a->scen != NULL) {
            fprintf(stderr, "simrun: one scenario at a time ('%s' and '%s')\n", cli_shown(a->scen),
                    cli_shown(o));
            return 2;
        }
        a->scen = o;
    }
    if (a->scen == NULL) {
        usage(stderr);
        return 2;
    }
    return -1;
}

/* ---- printing ---- */

static int exit_status(int code)
{
    return code == AS_EINVAL || code == AS_EEXIST ? 2 : code == AS_EINTR ? 130 : 1;
}

/* The table, and the report when asked for. */
static int print_results(const run_args *a, const sim_scenario *sc, const sim_plan *plan,
                         const sim_summary_row *rows)
{
    if (!a->quiet || a->format != SIM_FMT_TEXT) {
        if (a->format == SIM_FMT_TEXT) {
            char dur[32];
            as_duration_format(sc->duration, dur, sizeof dur);
            printf("%s: %d run(s) of %s simulated time -> %s\n", sc->name, plan->n, dur,
                   cli_shown(a->out));
        }
        sim_slo_info slo;
        sim_slo_info_of(sc, &slo);
        const char **params = malloc((size_t)plan->n * sizeof *params + 1);
        for (int i = 0; params && i < plan->n; i++)
            params[i] = plan->runs[i].params;
        sim_summary_print(stdout, rows, params, plan->n, a->format, &slo);
        free(params);
        if (a->format == SIM_FMT_TEXT)
            cli_print_legend(stdout);
    }
    if (!a->report)
        return 0;
    /* the folder follows the results file's name (checked before the
     * runs); --force also replaces a folder simrun did not make there */
    plot_report_opts ro = {.format = PLOT_PNG, .force = a->force, .currency = a->currency,
                           .window = a->window, .window_start = a->window_start,
                           .window_end = a->window_end, .all_figures = a->all_figures,
                           .procs = (int)(a->jobs > 64 ? 64 : a->jobs)};
    cli_progress pr = {.f = stderr};
    if (!a->quiet && isatty(2)) {
        ro.progress = cli_progress_report;
        ro.progress_ud = &pr;
    }
    plot_report_info info = {0};
    as_err err = {0};
    fflush(stdout);
    int rc = plot_report_ex(a->out, a->report_dir, &ro, &info, &err);
    cli_progress_clear(&pr);
    if (rc != AS_OK) {
        fprintf(stderr, "simrun: report: %s (the results file is complete)\n", err.msg);
        return 1;
    }
    if (!a->quiet && a->format == SIM_FMT_TEXT && info.runs_left > 0)
        printf("report: %s/index.html (figures of %d of %d runs; --all-figures draws all)\n",
               cli_shown(info.outdir), info.runs - info.runs_left, info.runs);
    else if (!a->quiet && a->format == SIM_FMT_TEXT)
        printf("report: %s/index.html\n", cli_shown(info.outdir));
    return 0;
}

/* ---- the command ---- */

/* results/NAME.h5, or for a subset of the policies results/NAME-P1-P2.h5
 * (results/NAME-N-policies.h5 when that is long): `--policy hpa --force`
 * must not replace the file of every policy with one of a single run,
 * and a name is clearer than a refusal. */
static void default_out(const run_args *a, const char *name, char *buf, size_t n)
{
    char stem[200];
    snprintf(stem, sizeof stem, "%s", name);
    for (int k = 0; k < a->nonly; k++) {
        size_t len = strlen(stem);
        if (len + strlen(a->only[k]) + 2 > 100) {
            snprintf(stem, sizeof stem, "%s-%d-policies", name, a->nonly);
            break;
        }
        snprintf(stem + len, sizeof stem - len, "-%s", a->only[k]);
    }
    snprintf(buf, n, "results/%s.h5", stem);
}

/* --baseline names a run of the plan; one that does not was ignored, and
 * the speedups were measured against the first run under a header saying
 * so. Checked before any run, with the runs' names. */
static int baseline_found(const run_args *a, const sim_plan *plan)
{
    if (a->baseline == NULL)
        return 1;
    char names[400] = "";
    size_t k = 0;
    for (int i = 0; i < plan->n; i++) {
        if (strcmp(plan->runs[i].name, a->baseline) == 0)
            return 1;
        if (k < sizeof names)
            k += (size_t)snprintf(names + k, sizeof names - k, "%s%s", i ? ", " : "",
                                  plan->runs[i].name);
    }
    char shown[300];
    as_name_printable(a->baseline, shown, sizeof shown);
    fprintf(stderr, "simrun: --baseline %s: no run of that name (runs: %s%s)\n", shown, names,
            k >= sizeof names ? "..." : "");
    return 0;
}

/* Load the scenario and build its plan; NULL with the status set. */
/* The loader's warnings (production settings the simulator approximates)
 * go to stderr, one line each, also with -q. */
static void warn_stderr(void *ud, const char *line)
{
    (void)ud;
    fprintf(stderr, "%s\n", line);
}
/* Not const: --lenient is set on it before loading; the scenario keeps a
 * pointer to it for the manifests its sweep points read. */
static sim_warn warn_sink = {warn_stderr, NULL, false};

static sim_scenario *load(run_args *a, sim_plan *plan, char *outbuf, size_t n, int *status)
{
    as_err err = {0};
    warn_sink.lenient = a->lenient != 0;
    sim_load_opts o = {a->sets, a->nsets, &warn_sink};
    sim_scenario *sc = sim_scenario_open(a->scen, &o, &err);
    if (sc == NULL) {
        fprintf(stderr, "simrun: %s\n", err.msg);
        *status = err.code == AS_EINVAL || err.code == AS_EIO ? 2 : 1;
        return NULL;
    }
    for (int p = 0; p < sc->npolicies; p++)
        if (sc->policies[p].approximate)
            fprintf(stderr,
                    "simrun: [policy.%s] is approximate (--lenient passed over fields it does "
                    "not model); its runs carry the attribute 'approximate'\n",
                    sc->policies[p].name);
    for (int k = 0; k < a->nonly; k++) {
        int found = 0;
        for (int p = 0; p < sc->npolicies; p++)
            found |= strcmp(sc->policies[p].name, a->only[k]) == 0;
        if (!found) {
            fprintf(stderr, "simrun: --policy %s: %s has no [policy.%s]\n", cli_shown(a->only[k]),
                    cli_shown(a->scen), cli_shown(a->only[k]));
            *status = 2;
            sim_scenario_free(sc);
            return NULL;
        }
    }
    if (sim_plan_build(a->scen, a->sets, a->nsets, sc, a->only, a->nonly, a->max_runs, plan,
                       &err) != AS_OK) {
        fprintf(stderr, "simrun: %s\n", err.msg);
        *status = err.code == AS_ENOMEM ? 1 : 2;
        sim_scenario_free(sc);
        return NULL;
    }
    if (!baseline_found(a, plan)) {
        *status = 2;
        sim_plan_free(plan);
        sim_scenario_free(sc);
        return NULL;
    }
    if (a->out == NULL) {
        default_out(a, sc->name, outbuf, n);
        a->out = outbuf;
    }
    return sc;
}

/* Refusals that must come before any run: an existing results file
 * without --force, a report folder that is not this file's. -1 to go on,
 * else the exit status. */
static int preflight(const run_args *a)
{
    struct stat st;
    if (!a->force && lstat(a->out, &st) == 0) {
        fprintf(stderr, "simrun: %s exists; use --force to overwrite it, or -o to write "
                        "another file\n", cli_shown(a->out));
        return 2;
    }
    as_err err = {0};
    if (a->report && plot_report_check_dir(a->out, a->report_dir, a->force, &err) != AS_OK) {
        fprintf(stderr, "simrun: report: %s (or --report-dir DIR, or --no-report)\n", err.msg);
        return 2;
    }
    return -1;
}

/* With --force over an existing results file: name the runs it holds
 * that the new one will not, rather than lose them silently. */
static void note_replaced(const run_args *a, const sim_plan *plan)
{
    sim_summary_row *rows = NULL;
    int n = 0;
    as_err err = {0};
    struct stat st;
    if (lstat(a->out, &st) != 0 || sim_results_read_summary(a->out, &rows, &n, &err) != AS_OK)
        return;
    int lost = 0;
    char names[400] = "";
    for (int i = 0; i < n; i++) {
        int kept = 0;
        for (int k = 0; k < plan->n && !kept; k++)
            kept = strcmp(plan->runs[k].name, rows[i].run) == 0;
        if (kept)
            continue;
        if (lost++ < 8)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     lost > 1 ? ", " : "", rows[i].run);
    }
    if (lost > 0)
        fprintf(stderr, "simrun: replacing %s (--force): %d of its %d runs will not be in the "
                        "new file: %s%s\n",
                cli_shown(a->out), lost, n, names, lost > 8 ? ", ..." : "");
    free(rows);
}

/* Run the batch of a loaded plan: the exit status. */
static int batch(const run_args *a, const sim_scenario *sc, const sim_plan *plan)
{
    sim_batch_opts bo = {.out = a->out, .jobs = (int)a->jobs, .fresh = a->fresh,
                         .force = a->force, .max_events = a->max_events,
                         .max_memory = a->max_memory};
    int show = !a->quiet && isatty(2);
    cli_progress pr = {.f = stderr};
    if (show) {
        bo.progress = cli_progress_batch;
        bo.progress_ud = &pr;
    }
    as_err err = {0};
    if (a->force)
        note_replaced(a, plan);
    sim_batch *b = sim_batch_open(sc, plan, &bo, &err);
    if (b == NULL) {
        fprintf(stderr, "simrun: %s\n", err.msg);
        return exit_status(err.code);
    }
    if (sim_batch_stale_pid(b) && !a->quiet)
        fprintf(stderr, "simrun: taking over %s from simrun pid %d, which is no longer running\n",
                cli_shown(sim_batch_dir(b)), sim_batch_stale_pid(b));
    if (sim_batch_resumed(b) > 0 && !a->quiet)
        fprintf(stderr, "simrun: resuming: %d of %d runs already complete in %s\n",
                sim_batch_resumed(b), plan->n, cli_shown(sim_batch_dir(b)));
    int rc = sim_batch_run(b, &err);
    cli_progress_clear(&pr);
    int done = sim_batch_done(b), status;
    if (rc == AS_EINTR)
        fprintf(stderr,
                "simrun: %s; %d of %d runs complete (kept in %s/%s%s%s); run the same "
                "command again to resume\n",
                err.msg, done, plan->n, cli_shown(sim_batch_dir(b)), done > 0 ? " and " : "",
                done > 0 ? cli_shown(a->out) : "", done > 0 ? ".partial" : "");
    else if (rc != AS_OK && rc != AS_EINVAL && done > 0)
        fprintf(stderr, "simrun: %s; %d of %d runs complete are kept in %s/: run the same "
                "command again to resume\n", err.msg, done, plan->n,
                cli_shown(sim_batch_dir(b)));
    else if (rc != AS_OK)
        fprintf(stderr, "simrun: %s\n", err.msg);
    else if ((rc = sim_batch_finish(b, a->baseline, &err)) != AS_OK)
        fprintf(stderr, "simrun: %s; the %d runs are kept in %s/: run the same command again "
                "to merge them\n", err.msg, plan->n, cli_shown(sim_batch_dir(b)));
    status = rc == AS_OK ? print_results(a, sc, plan, sim_batch_rows(b)) : exit_status(rc);
    sim_batch_close(b);
    return status;
}

int cmd_run(int argc, char **argv)
{
    run_args a = {.format = SIM_FMT_TEXT, .report = 1, .max_runs = 100000,
                  .jobs = sysconf(_SC_NPROCESSORS_ONLN)};
    a.sets = calloc((size_t)argc + 1, sizeof *a.sets);
    a.only = calloc((size_t)argc + 1, sizeof *a.only);
    sim_plan plan = {0};
    sim_scenario *sc = NULL;
    char outbuf[1024];
    int status = 1;
    if (a.sets == NULL || a.only == NULL)
        fprintf(stderr, "simrun: out of memory\n");
    else if ((status = parse_args(&a, argc, argv)) < 0 &&
             (sc = load(&a, &plan, outbuf, sizeof outbuf, &status)) != NULL) {
        sim_results_quiet();
        if ((status = preflight(&a)) < 0) {
            sim_batch_opts wo = {.max_events = a.max_events, .max_memory = a.max_memory};
            if (!sim_batch_mpi_worker(&plan, &wo, &status))
                status = batch(&a, sc, &plan);
        }
    }
    sim_plan_free(&plan);
    sim_scenario_free(sc);
    free(a.sets);
    free(a.only);
    return status;
}
