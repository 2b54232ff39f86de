/* cmd_report.c - `simrun report FILE.h5 [-o DIR] [--format png|svg|pdf]`:
 * draw the gnuplot report of a results file (plots/plot_report.h). The
 * file is probed in a child first (sim_results_probe); everything it holds
 * is then checked and quoted by plots/. */
#include "cmd.h"
#include "sim_results.h"
#include "plot_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: simrun report FILE.h5 [-o DIR] [--format png|svg|pdf] [--gnuplot PROG]\n"
          "                    [--force]\n"
          "\n"
          "Draws the report of a results file with gnuplot: cost versus latency with\n"
          "the Pareto front, the policies compared, and per run the load, forecast\n"
          "and capacity, instances and scaling actions, latency against the SLO and\n"
          "cost over time. Writes DIR/index.html (open it in a browser), the figures,\n"
          "the gnuplot script report.gp and its data in DIR/data, so that\n"
          "`cd DIR && gnuplot report.gp` redraws it. DIR is built beside its place\n"
          "and swapped in whole: nothing of an earlier report survives.\n"
          "\n"
          "options:\n"
          "  -o DIR           report folder (default reports/<scenario name>)\n"
          "  --format FMT     png (default), svg, or pdf (one multi-page report.pdf)\n"
          "  --gnuplot PROG   the gnuplot program (default: gnuplot on PATH)\n"
          "  --force          replace DIR even if simrun did not make it\n"
          "  -h, --help       this text\n"
          "\n"
          "exit status: 0 done, 2 bad input (missing or not a results file, a name\n"
          "in it that is not a name, DIR not made by simrun), 1 other failure\n"
          "(gnuplot missing or failing, folder not writable)\n",
          f);
}

int cmd_report(int argc, char **argv)
{
    const char *file = NULL, *dir = NULL;
    plot_report_opts o = {PLOT_PNG, NULL, 0, 0, 0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--force") == 0) {
            o.force = 1;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--format") == 0 ||
                   strcmp(a, "--gnuplot") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "simrun report: %s needs a value\n", a);
                return 2;
            }
            const char *v = argv[++i];
            if (strcmp(a, "-o") == 0)
                dir = v;
            else if (strcmp(a, "--gnuplot") == 0)
                o.gnuplot = v;
            else if (plot_format_parse(v, &o.format) != AS_OK) {
                fprintf(stderr, "simrun report: --format %s: expected png, svg or pdf\n", v);
                return 2;
            }
        } else if (strncmp(a, "--format=", 9) == 0) {
            if (plot_format_parse(a + 9, &o.format) != AS_OK) {
                fprintf(stderr, "simrun report: %s: expected png, svg or pdf\n", a);
                return 2;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "simrun report: unknown option '%s' (see simrun report --help)\n",
                    a);
            return 2;
        } else if (file == NULL) {
            file = a;
        } else {
            fprintf(stderr, "simrun report: one results file at a time ('%s' and '%s')\n",
                    file, a);
            return 2;
        }
    }
    if (file == NULL) {
        usage(stderr);
        return 2;
    }
    as_err err = {0};
    plot_report_info info = {0};
    sim_results_quiet();
    int rc = sim_results_probe(file, &err);
    if (rc == AS_OK)
        rc = plot_report_ex(file, dir, &o, &info, &err);
    if (rc != AS_OK) {
        fprintf(stderr, "simrun report: %s\n", err.msg);
        return rc == AS_EINVAL || rc == AS_EEXIST ? 2 : 1;
    }
    if (o.format == PLOT_PDF)
        printf("report: %s/index.html and %s/report.pdf (%d pages, %d run%s)\n", info.outdir,
               info.outdir, info.pages, info.runs, info.runs == 1 ? "" : "s");
    else
        printf("report: %s/index.html (%d figures, %d run%s)\n", info.outdir, info.figures,
               info.runs, info.runs == 1 ? "" : "s");
    if (info.warnings > 0)
        printf("gnuplot wrote %d line%s of warnings: %s/gnuplot.log\n", info.warnings,
               info.warnings == 1 ? "" : "s", info.outdir);
    return 0;
}
