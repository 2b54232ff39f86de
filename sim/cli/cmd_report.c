/* cmd_report.c - `simrun report FILE.h5 [-o DIR] [--format png|svg|pdf]`:
 * draw the gnuplot report of a results file (plots/plot_report.h). The
 * file is probed in a child first (sim_results_probe); everything it holds
 * is then checked and quoted by plots/. */
#include "cli_progress.h"
#include "cli_text.h"
#include "cmd.h"
#include "plot_fmt.h"
#include "plot_report.h"
#include "sim_results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fputs("usage: simrun report FILE.h5 [-o DIR] [--format png|svg|pdf] [--gnuplot PROG]\n"
          "                    [--currency C] [--window START:END] [--all-figures] [-j N]\n"
          "                    [--force] [-q]\n"
          "\n"
          "Draws the report of a results file with gnuplot: cost versus latency with\n"
          "the Pareto front of the deployable policies and the oracle's bound, the\n"
          "policies compared, and per run the load, forecast and capacity, instances\n"
          "and scaling actions, latency against the SLO and cost over time, then a\n"
          "zoom on its worst SLO episode. Writes DIR/index.html (open it in a\n"
          "browser; it shows the tiers' and policies' settings too), the figures, the\n"
          "gnuplot script report.gp and its data in DIR/data, so that\n"
          "`cd DIR && gnuplot report.gp` redraws it. DIR is built beside its place\n"
          "and swapped in whole: nothing of an earlier report survives. A sweep of\n"
          "more than 12 runs gets figures for the runs on the front of cost against\n"
          "time over the SLO, the cheapest deployable run and point, the bound and the\n"
          "first run only (the table and the sweep page list every run).\n"
          "\n"
          "options:\n"
          "  -o DIR             report folder (default reports/STEM for FILE STEM.h5)\n"
          "  --format FMT       png (default), svg, or pdf (one multi-page report.pdf)\n"
          "  --gnuplot PROG     the gnuplot program (default: gnuplot on PATH)\n"
          "  --currency C       costs in C: a code (EUR) after the number, a symbol ($)\n"
          "                     before it (default: price units)\n"
          "  --window START:END zoom every run on this window instead of its worst SLO\n"
          "                     episode: durations since the start, e.g. 37h:39h\n"
          "  --all-figures      draw every run's figures, also in a big sweep\n"
          "  -j N               draw N figures at once, with N gnuplot processes\n"
          "                     (default: the number of cores)\n"
          "  --force            replace DIR even if simrun did not make it, or it shows\n"
          "                     another results file\n"
          "  -q, --quiet        no progress line\n"
          "  -h, --help         this text\n"
          "\n"
          "exit status: 0 done, 2 bad input (missing or not a results file, a name\n"
          "in it that is not a name, DIR not made by simrun), 1 other failure\n"
          "(gnuplot missing or failing, folder not writable)\n",
          f);
}

/* An option with a value: 1 taken, 0 not one, -1 bad (printed). */
static int value_opt(plot_report_opts *o, const char **dir, const char *a, const char *v)
{
    as_err e = {0};
    if (strcmp(a, "-o") == 0)
        *dir = v;
    else if (strcmp(a, "--gnuplot") == 0)
        o->gnuplot = v;
    else if (strcmp(a, "--currency") == 0) {
        if (plot_currency_check(v, &e) != AS_OK) {
            fprintf(stderr, "simrun report: %s\n", e.msg);
            return -1;
        }
        o->currency = v;
    } else if (strcmp(a, "--window") == 0) {
        if (plot_window_parse(v, &o->window_start, &o->window_end, &e) != AS_OK) {
            fprintf(stderr, "simrun report: %s\n", e.msg);
            return -1;
        }
        o->window = 1;
    } else if (strcmp(a, "-j") == 0) {
        char *end = NULL;
        long n = strtol(v, &end, 10);
        if (end == v || *end != '\0' || n < 1 || n > 64) {
            fprintf(stderr, "simrun report: -j %s: expected a whole number from 1 to 64\n", v);
            return -1;
        }
        o->procs = (int)n;
    } else if (strcmp(a, "--format") == 0) {
        if (plot_format_parse(v, &o->format) != AS_OK) {
            fprintf(stderr, "simrun report: --format %s: expected png, svg or pdf\n", v);
            return -1;
        }
    } else
        return 0;
    return 1;
}

int cmd_report(int argc, char **argv)
{
    const char *file = NULL, *dir = NULL;
    plot_report_opts o = {.format = PLOT_PNG};
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int k;
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        char opt[32];
        if (eq && (size_t)(eq - a) < sizeof opt) { /* --format=pdf */
            snprintf(opt, sizeof opt, "%.*s", (int)(eq - a), a);
            k = value_opt(&o, &dir, opt, eq + 1);
            if (k != 0) {
                if (k < 0)
                    return 2;
                continue;
            }
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--force") == 0) {
            o.force = 1;
        } else if (strcmp(a, "--all-figures") == 0) {
            o.all_figures = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (i + 1 < argc && (k = value_opt(&o, &dir, a, argv[i + 1])) != 0) {
            if (k < 0)
                return 2;
            i++;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--format") == 0 ||
                   strcmp(a, "--gnuplot") == 0 || strcmp(a, "--currency") == 0 ||
                   strcmp(a, "--window") == 0 || strcmp(a, "-j") == 0) {
            fprintf(stderr, "simrun report: %s needs a value\n", cli_shown(a));
            return 2;
        } else if (strncmp(a, "-j", 2) == 0 && a[2] != '\0') { /* -j2, as simrun run takes it */
            if (value_opt(&o, &dir, "-j", a + 2) < 0)
                return 2;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "simrun report: unknown option '%s' (see simrun report --help)\n",
                    cli_shown(a));
            return 2;
        } else if (file == NULL) {
            file = a;
        } else {
            fprintf(stderr, "simrun report: one results file at a time ('%s' and '%s')\n",
                    cli_shown(file), cli_shown(a));
            return 2;
        }
    }
    if (file == NULL) {
        usage(stderr);
        return 2;
    }
    as_err err = {0};
    plot_report_info info = {0};
    cli_progress pr = {.f = stderr};
    if (!quiet && isatty(2)) {
        o.progress = cli_progress_report;
        o.progress_ud = &pr;
    }
    sim_results_quiet();
    int rc = sim_results_probe(file, &err);
    if (rc == AS_OK)
        rc = plot_report_ex(file, dir, &o, &info, &err);
    cli_progress_clear(&pr);
    if (rc != AS_OK) {
        fprintf(stderr, "simrun report: %s\n", err.msg);
        return rc == AS_EINVAL || rc == AS_EEXIST ? 2 : 1;
    }
    if (o.format == PLOT_PDF)
        printf("report: %s/index.html and %s/report.pdf (%d pages, %d run%s)\n",
               cli_shown(info.outdir), cli_shown(info.outdir), info.pages, info.runs,
               info.runs == 1 ? "" : "s");
    else
        printf("report: %s/index.html (%d figures, %d run%s)\n", cli_shown(info.outdir),
               info.figures, info.runs, info.runs == 1 ? "" : "s");
    if (info.runs_left > 0)
        printf("figures of %d of the %d runs (a big sweep): --all-figures draws them all\n",
               info.runs - info.runs_left, info.runs);
    if (info.warnings > 0)
        printf("gnuplot wrote %d line%s of warnings: %s/gnuplot.log\n", info.warnings,
               info.warnings == 1 ? "" : "s", cli_shown(info.outdir));
    return 0;
}
