/* cmd_show.c - `simrun show FILE.h5 [RUN]`: print what a results file
 * holds. CSV and JSON carry the column names and units of the HDF5 file
 * (sim_results/sim_export.h); the text table is sim_summary's. */
#include "cli_text.h"
#include "cmd.h"
#include "sim_export.h"
#include "sim_results.h"
#include "sim_results_read.h"
#include "sim_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: simrun show FILE.h5 [RUN] [--csv | --json]\n"
          "\n"
          "Prints the summary table of a results file (one row per run), or with RUN\n"
          "that run's summary and the first rows of its time series.\n"
          "\n"
          "options:\n"
          "  --csv        the summary as CSV (with RUN: that run's row)\n"
          "  --json       the summary as a JSON array; with RUN the run's data as one\n"
          "               object: run, kind, summary, tiers (names by index), actions\n"
          "               (each with tier_name) and timeseries\n"
          "  -h, --help   this text\n"
          "\n"
          "Column names and units are those of the HDF5 file in every format: times\n"
          "and latencies in seconds (p95, latency_max), costs in price units per the\n"
          "scenario's prices, meets_slo true/false; see README \"Results file\".\n"
          "exit status: 0 done, 2 bad input (no such file or run, not a results\n"
          "file, --csv with --json)\n",
          f);
}

/* Each run's sweep point (one allocation: n pointers, then the texts;
 * caller frees). NULL when the file cannot say: the table then has no
 * parameter columns. */
static const char **run_params(const char *file, const sim_summary_row *rows, int n)
{
    sim_reader *rd = sim_reader_open(file, NULL);
    sim_run_info *runs = NULL;
    int nr = 0;
    const char **out = NULL;
    if (rd != NULL && sim_reader_runs(rd, &runs, &nr, NULL) == AS_OK && nr == n)
        out = malloc((size_t)n * (sizeof *out + sizeof runs->params) + 1);
    char *text = out ? (char *)(out + n) : NULL;
    for (int i = 0; out && i < n; i++) {
        out[i] = text + (size_t)i * sizeof runs->params;
        snprintf(text + (size_t)i * sizeof runs->params, sizeof runs->params, "%s",
                 strcmp(runs[i].name, rows[i].run) == 0 ? runs[i].params : "");
    }
    free(runs);
    sim_reader_close(rd);
    return out;
}

/* The text view of one run: its summary row and its first records. */
static void show_run_text(const char *file, const char *run, const sim_summary_row *row,
                          const char *const *params, const sim_slo_info *slo)
{
    sim_summary_print(stdout, row, params, 1, SIM_FMT_TEXT, slo);
    cli_print_legend(stdout);
    as_err err = {0};
    sim_ts_row *ts = NULL;
    size_t nts = 0;
    if (sim_results_read_timeseries(file, run, &ts, &nts, &err) != AS_OK)
        return;
    printf("\n%zu records; first 10:\n%10s %10s %8s %8s %10s %10s\n", nts, "t (s)",
           "rate (/s)", "ready", "booting", "p95", "cost/h");
    for (size_t i = 0; i < nts && i < 10; i++) {
        char p95[32];
        cli_fmt_latency(ts[i].p95, p95, sizeof p95);
        printf("%10.0f %10.1f %8.0f %8.0f %10s %10.3g\n", ts[i].t, ts[i].rate, ts[i].ready,
               ts[i].booting, p95, ts[i].cost_rate);
    }
    free(ts);
}

typedef struct show_args {
    const char *file, *run;
    int csv, json;
} show_args;

/* -1 to go on, else the exit status. */
static int parse(show_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--csv") == 0) {
            a->csv = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            a->json = 1;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "simrun show: unknown option '%s' (see simrun show --help)\n",
                    cli_shown(argv[i]));
            return 2;
        } else if (a->file == NULL) {
            a->file = argv[i];
        } else if (a->run == NULL) {
            a->run = argv[i];
        } else {
            fprintf(stderr, "simrun show: one file and one run at most ('%s' is a third "
                            "argument)\n", cli_shown(argv[i]));
            return 2;
        }
    }
    if (a->csv && a->json) {
        fprintf(stderr, "simrun show: --csv and --json are two formats: choose one\n");
        return 2;
    }
    if (a->file == NULL) {
        usage(stderr);
        return 2;
    }
    return -1;
}

int cmd_show(int argc, char **argv)
{
    show_args a = {0};
    int st = parse(&a, argc, argv);
    if (st >= 0)
        return st;
    sim_results_quiet();
    as_err err = {0};
    sim_summary_row *rows = NULL;
    int n = 0;
    if (sim_results_probe(a.file, &err) != AS_OK ||
        sim_results_read_summary(a.file, &rows, &n, &err) != AS_OK) {
        fprintf(stderr, "simrun show: %s\n", err.msg);
        return 2;
    }
    /* the whole SLO definition for the text header (sim_summary.h) */
    sim_slo_info slo;
    sim_reader *rd = sim_reader_open(a.file, &err);
    int rc = rd ? sim_slo_info_read(rd, &slo, &err) : err.code;
    sim_reader_close(rd);
    if (rc != AS_OK) {
        fprintf(stderr, "simrun show: %s\n", err.msg);
        free(rows);
        return 2;
    }
    const char **params = run_params(a.file, rows, n);
    int k = -1;
    for (int i = 0; a.run && i < n; i++)
        if (strcmp(rows[i].run, a.run) == 0)
            k = i;
    if (a.run && k < 0) {
        fprintf(stderr, "simrun show: %s has no run '%s'\n", cli_shown(a.file), cli_shown(a.run));
        free(params);
        free(rows);
        return 2;
    }
    const sim_summary_row *sel = a.run ? &rows[k] : rows;
    const char *const *psel = params && a.run ? &params[k] : params;
    int nsel = a.run ? 1 : n;
    if (a.csv)
        sim_export_summary_csv(stdout, sel, psel, nsel);
    else if (a.json && a.run)
        rc = sim_export_run_json(stdout, a.file, a.run, &err);
    else if (a.json)
        rc = sim_export_summary_json(stdout, sel, psel, nsel, &err);
    else if (a.run)
        show_run_text(a.file, a.run, sel, psel, &slo);
    else {
        sim_summary_print(stdout, sel, psel, nsel, SIM_FMT_TEXT, &slo);
        cli_print_legend(stdout);
    }
    free(params);
    free(rows);
    if (rc != AS_OK) {
        fprintf(stderr, "simrun show: %s\n", err.msg);
        return rc == AS_EINVAL ? 2 : 1;
    }
    return 0;
}
