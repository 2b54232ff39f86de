/* cmd_run.c - `simrun SCENARIO.ini`: run every policy of a scenario, write
 * the results file, print the summary table. */
#include "as_param.h"
#include "cmd.h"
#include "sim_results.h"
#include "sim_run.h"
#include "sim_scenario.h"
#include "sim_summary.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void usage(FILE *f)
{
    fputs("usage: simrun [run] SCENARIO.ini [options]\n"
          "\n"
          "Runs every [policy.NAME] of the scenario on its trace, writes the results\n"
          "to results/NAME.h5 and prints one summary row per policy.\n"
          "\n"
          "options:\n"
          "  -o FILE                  results file (default results/<scenario name>.h5)\n"
          "  --set SECTION.KEY=VALUE  override a scenario key (repeatable), e.g.\n"
          "                           --set scenario.duration=6h --set tier.web.max=40\n"
          "  --policy NAME            run only this policy (repeatable)\n"
          "  --force                  overwrite an existing results file\n"
          "  --baseline NAME          run the elastic speedup is measured against\n"
          "                           (default: the first policy)\n"
          "  --format text|csv|json   summary format on stdout (default text)\n"
          "  -q, --quiet              no progress and no table\n"
          "  --help-keys              list every scenario key\n"
          "  -h, --help               this text\n"
          "\n"
          "exit status: 0 done, 2 bad input (one line naming file, line and key),\n"
          "1 other failure, 130 interrupted (completed runs kept in FILE.partial)\n",
          f);
}

typedef struct progress {
    int enabled;
    int run, nruns;
    const char *name;
    double sim_s;
    struct timespec t0;
    double last;
} progress;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void progress_cb(void *ud, double frac)
{
    progress *p = ud;
    double t = now_s();
    if (!p->enabled || t - p->last < 0.2)
        return;
    p->last = t;
    double el = t - ((double)p->t0.tv_sec + p->t0.tv_nsec * 1e-9);
    double rate = el > 0 ? frac * p->sim_s / el : 0;
    double left = frac > 0 ? el * (1 - frac) / frac : 0;
    fprintf(stderr, "\r[%d/%d] %-14s %5.1f%%  %.3g sim-s/s  %.0fs left   ", p->run + 1,
            p->nruns, p->name, 100 * frac, rate, left);
}

static int mkdir_for(const char *path)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        return 0;
    *slash = '\0';
    if (dir[0] == '\0')
        return 0;
    struct stat st;
    if (stat(dir, &st) == 0)
        return 0;
    return mkdir(dir, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

int cmd_run(int argc, char **argv)
{
    const char *scen = NULL, *out = NULL, *baseline = NULL;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    const char **only = calloc((size_t)argc + 1, sizeof *only);
    int nsets = 0, nonly = 0, force = 0, quiet = 0, format = SIM_FMT_TEXT, status = 1;
    sim_scenario *sc = NULL;
    sim_results *res = NULL;
    sim_summary_row *rows = NULL;
    if (sets == NULL || only == NULL) {
        fprintf(stderr, "simrun: out of memory\n");
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_next = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            status = 0;
            goto done;
        } else if (strcmp(a, "--help-keys") == 0) {
            sim_scenario_print_keys(stdout);
            status = 0;
            goto done;
        } else if (strcmp(a, "-o") == 0 && has_next) {
            out = argv[++i];
        } else if (strcmp(a, "--set") == 0 && has_next) {
            sets[nsets++] = argv[++i];
        } else if (strncmp(a, "--set=", 6) == 0) {
            sets[nsets++] = a + 6;
        } else if (strcmp(a, "--policy") == 0 && has_next) {
            only[nonly++] = argv[++i];
        } else if (strcmp(a, "--baseline") == 0 && has_next) {
            baseline = argv[++i];
        } else if (strcmp(a, "--format") == 0 && has_next) {
            const char *v = argv[++i];
            if (strcmp(v, "csv") == 0)
                format = SIM_FMT_CSV;
            else if (strcmp(v, "json") == 0)
                format = SIM_FMT_JSON;
            else if (strcmp(v, "text") == 0)
                format = SIM_FMT_TEXT;
            else {
                fprintf(stderr, "simrun: --format: '%s' is not text, csv or json\n", v);
                status = 2;
                goto done;
            }
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "simrun: unknown or incomplete option '%s' (see simrun --help)\n", a);
            status = 2;
            goto done;
        } else if (scen == NULL) {
            scen = a;
        } else {
            fprintf(stderr, "simrun: one scenario at a time ('%s' and '%s')\n", scen, a);
            status = 2;
            goto done;
        }
    }
    if (scen == NULL) {
        usage(stderr);
        status = 2;
        goto done;
    }
    as_err err = {0};
    sc = sim_scenario_load(scen, sets, nsets, &err);
    if (sc == NULL) {
        fprintf(stderr, "simrun: %s\n", err.msg);
        status = err.code == AS_EINVAL || err.code == AS_EIO ? 2 : 1;
        goto done;
    }
    for (int k = 0; k < nonly; k++) {
        int found = 0;
        for (int p = 0; p < sc->npolicies; p++)
            found |= strcmp(sc->policies[p].name, only[k]) == 0;
        if (!found) {
            fprintf(stderr, "simrun: --policy %s: %s has no [policy.%s]\n", only[k], scen,
                    only[k]);
            status = 2;
            goto done;
        }
    }
    char outbuf[1024];
    if (out == NULL) {
        snprintf(outbuf, sizeof outbuf, "results/%s.h5", sc->name);
        out = outbuf;
    }
    if (mkdir_for(out) != 0) {
        fprintf(stderr, "simrun: cannot create the folder of %s: %s\n", out, strerror(errno));
        goto done;
    }
    sim_results_quiet();
    res = sim_results_create(out, sc, force, &err);
    if (res == NULL) {
        fprintf(stderr, "simrun: %s\n", err.msg);
        status = err.code == AS_EEXIST ? 2 : 1;
        goto done;
    }
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    g_stop = 0;

    rows = calloc((size_t)sc->npolicies, sizeof *rows);
    if (rows == NULL) {
        fprintf(stderr, "simrun: out of memory\n");
        goto done;
    }
    int nrows = 0, nruns = 0;
    for (int p = 0; p < sc->npolicies; p++) {
        int run_it = nonly == 0;
        for (int k = 0; k < nonly; k++)
            run_it |= strcmp(sc->policies[p].name, only[k]) == 0;
        nruns += run_it;
    }
    progress pg = {.enabled = !quiet && isatty(2), .nruns = nruns,
                   .sim_s = as_time_to_s(sc->duration)};
    for (int p = 0; p < sc->npolicies; p++) {
        int run_it = nonly == 0;
        for (int k = 0; k < nonly; k++)
            run_it |= strcmp(sc->policies[p].name, only[k]) == 0;
        if (!run_it)
            continue;
        pg.run = nrows;
        pg.name = sc->policies[p].name;
        clock_gettime(CLOCK_MONOTONIC, &pg.t0);
        pg.last = 0;
        sim_run_opts opts = {.stop = &g_stop,
                             .record_trace = nrows == 0,
                             .progress = progress_cb,
                             .progress_ud = &pg};
        double t0 = now_s();
        int rc = sim_run_policy(sc, p, res, &opts, &rows[nrows], &err);
        double wall = now_s() - t0;
        if (pg.enabled)
            fprintf(stderr, "\r%*s\r", 70, "");
        if (rc == AS_EINTR || g_stop) {
            fprintf(stderr, "simrun: interrupted; %d completed run(s) kept in %s.partial\n",
                    nrows, out);
            sim_results_abort(res, 0);
            res = NULL;
            status = 130;
            goto done;
        }
        if (rc != AS_OK) {
            fprintf(stderr, "simrun: [policy.%s]: %s\n", sc->policies[p].name, err.msg);
            status = rc == AS_EINVAL ? 2 : 1;
            goto done;
        }
        sim_timing_row tr = {.wall_s = wall,
                             .sim_per_wall = wall > 0 ? as_time_to_s(sc->duration) / wall : 0};
        snprintf(tr.run, sizeof tr.run, "%s", sc->policies[p].name);
        if (sim_results_timing(res, &tr, &err) != AS_OK) {
            fprintf(stderr, "simrun: %s\n", err.msg);
            goto done;
        }
        nrows++;
    }
    int base = 0;
    for (int i = 0; baseline && i < nrows; i++)
        if (strcmp(rows[i].run, baseline) == 0)
            base = i;
    sim_rank(sc, rows, nrows, base);
    if (sim_results_commit(res, rows, nrows, &err) != AS_OK) {
        res = NULL;
        fprintf(stderr, "simrun: %s\n", err.msg);
        goto done;
    }
    res = NULL;
    if (!quiet || format != SIM_FMT_TEXT) {
        if (format == SIM_FMT_TEXT) {
            char dur[32];
            as_duration_format(sc->duration, dur, sizeof dur);
            printf("%s: %d run(s) of %s simulated time -> %s\n", sc->name, nrows, dur, out);
        }
        sim_summary_print(stdout, rows, nrows, format, sc->slo_latency, sc->slo_percentile);
    }
    status = 0;
done:
    if (res)
        sim_results_abort(res, 1);
    sim_scenario_free(sc);
    free(rows);
    free(sets);
    free(only);
    return status;
}
