/* cmd_show.c - `simrun show FILE.h5 [RUN]`: print what a results file holds. */
#include "cmd.h"
#include "sim_results.h"
#include "sim_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: simrun show FILE.h5 [RUN] [--csv | --json]\n"
          "\n"
          "Prints the summary table of a results file (one row per run), or with RUN\n"
          "that run's summary and the first rows of its time series.\n",
          f);
}

int cmd_show(int argc, char **argv)
{
    const char *file = NULL, *run = NULL;
    int format = SIM_FMT_TEXT;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--csv") == 0) {
            format = SIM_FMT_CSV;
        } else if (strcmp(argv[i], "--json") == 0) {
            format = SIM_FMT_JSON;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "simrun show: unknown option '%s'\n", argv[i]);
            return 2;
        } else if (file == NULL) {
            file = argv[i];
        } else if (run == NULL) {
            run = argv[i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (file == NULL) {
        usage(stderr);
        return 2;
    }
    sim_results_quiet();
    as_err err = {0};
    sim_summary_row *rows = NULL;
    int n = 0;
    if (sim_results_probe(file, &err) != AS_OK ||
        sim_results_read_summary(file, &rows, &n, &err) != AS_OK) {
        fprintf(stderr, "simrun show: %s\n", err.msg);
        return 2;
    }
    sim_slo_info slo;
    sim_reader *rd = sim_reader_open(file, &err);
    int rc = rd ? sim_slo_info_read(rd, &slo, &err) : err.code;
    sim_reader_close(rd);
    if (rc != AS_OK) {
        fprintf(stderr, "simrun show: %s\n", err.msg);
        free(rows);
        return 2;
    }
    if (run == NULL) {
        sim_summary_print(stdout, rows, n, format, &slo);
        free(rows);
        return 0;
    }
    int k = -1;
    for (int i = 0; i < n; i++)
        if (strcmp(rows[i].run, run) == 0)
            k = i;
    if (k < 0) {
        fprintf(stderr, "simrun show: %s has no run '%s'\n", file, run);
        free(rows);
        return 2;
    }
    sim_summary_print(stdout, &rows[k], 1, format, &slo);
    free(rows);
    sim_ts_row *ts = NULL;
    size_t nts = 0;
    if (format == SIM_FMT_TEXT &&
        sim_results_read_timeseries(file, run, &ts, &nts, &err) == AS_OK) {
        printf("\n%zu records; first 10:\n%10s %10s %8s %8s %10s %10s\n", nts, "t s", "rate",
               "ready", "booting", "p95 ms", "cost/h");
        for (size_t i = 0; i < nts && i < 10; i++)
            printf("%10.0f %10.3f %8.0f %8.0f %10.2f %10.3f\n", ts[i].t, ts[i].rate,
                   ts[i].ready, ts[i].booting, ts[i].p95 * 1000, ts[i].cost_rate);
        free(ts);
    }
    return 0;
}
