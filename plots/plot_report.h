/* plot_report.h - the report of one results file: gnuplot figures, their
 * .dat data and .gp script, and an index.html that shows them.
 * Owns: the report folder (report.gp, data/, figures, index.html,
 * gnuplot.log, the marker .simrun-report) and the gnuplot child processes
 * for the duration of one call.
 * Invariants: every figure is drawn from the .dat files the call leaves in
 * the folder, so `cd DIR && gnuplot report.gp` redraws the same report.
 * The folder is built beside DIR and swapped in whole (plot_outdir.h): a
 * folder simrun did not make is never written into without force, links
 * are never followed. Nothing read from the results file reaches gnuplot
 * or the page unquoted (plot_script.h, plot_html.h): names are checked on
 * read (as_name.h) and a file with another name is refused.
 * The files of plots/, one job each: plot_data (results -> .dat),
 * plot_fig and plot_fig_run (figures), plot_select (which runs a big
 * sweep draws), plot_script (the script writer and its quoting),
 * plot_gnuplot (the pool of children), plot_html (index.html),
 * plot_outdir (the folder), plot_forecast (simrun forecast --plot).
 * Layer: above sim/results (reads results files), below sim/cli.
 * Must not: print, exit, or touch the results file (read only). */
#ifndef PLOT_REPORT_H
#define PLOT_REPORT_H

#include "as.h"

#include <stddef.h>

/* Output formats. PDF gives one multi-page report.pdf instead of files. */
enum { PLOT_PNG = 0, PLOT_SVG = 1, PLOT_PDF = 2 };

/* Series longer than this are reduced to per-bucket mean/min/max envelopes
 * of half as many rows (the default of plot_report_opts.max_points). */
#define PLOT_MAX_POINTS 2000

/* Where a report is, for a progress line: `done` of `total` steps (data
 * and script: one step per run; drawing: one per figure). */
typedef struct plot_progress {
    const char *phase;      /* "data" or "drawing" (literals) */
    int done, total;
} plot_progress;

typedef struct plot_report_opts {
    int format;             /* PLOT_PNG, PLOT_SVG or PLOT_PDF */
    const char *gnuplot;    /* program to run (PATH is searched); NULL: "gnuplot" */
    size_t max_points;      /* downsampling threshold; 0: PLOT_MAX_POINTS */
    int force;              /* replace a folder simrun did not make, or one that
                             * shows another results file */
    int no_gnuplot;         /* write data, script and page, do not run gnuplot */
    int all_figures;        /* 1: every run's figures, also in a big sweep
                             * (else only the runs plot_select.c picks) */
    int procs;              /* gnuplot processes at once; 0: one per online CPU */
    int stall_ms;           /* plot_gnuplot_pool's (a program that reads to EOF); 0: 5 s */
    const char *currency;   /* "EUR", "$", ...; NULL or "": "price units" */
    int window;             /* 1: zoom every run on [window_start, window_end]
                             * (s since the start) instead of its worst SLO window */
    double window_start, window_end;
    /* called between steps and about five times a second while gnuplot
     * draws; may be NULL */
    void (*progress)(void *ud, const plot_progress *p);
    void *progress_ud;
} plot_report_opts;

/* What a report produced (all fields filled on success). */
typedef struct plot_report_info {
    int figures;            /* figure files written (1 for PDF: report.pdf) */
    int pages;              /* plots drawn (pages of the PDF) */
    int runs;               /* runs in the results file */
    int runs_left;          /* runs left without figures (a big sweep without
                             * all_figures) */
    int warnings;           /* lines gnuplot wrote to stderr (kept in gnuplot.log) */
    char outdir[1024];      /* the folder written */
} plot_report_info;

/* "png" | "svg" | "pdf" -> PLOT_*; AS_EINVAL otherwise. */
int plot_format_parse(const char *s, int *format /* OUT */);
/* File extension without the dot. */
const char *plot_format_ext(int format);

/* The default report folder of a results file: reports/STEM, STEM being
 * its file name without ".h5" (results/spike.h5 -> reports/spike, -o
 * out.h5 -> reports/out), relative to the working directory. The file
 * need not exist yet. AS_EINVAL when STEM is not a name (as_name_check):
 * the message asks for a folder to be given. */
int plot_report_default_dir(const char *h5path, char *buf, size_t n, as_err *err);
/* The absolute path of a results file (which need not exist yet), the
 * owner recorded in its report folder (plot_outdir.h). */
int plot_report_owner(const char *h5path, char *buf, size_t n, as_err *err);
/* Whether the report of h5path may go to dir (NULL: the default folder)
 * before anything is run: AS_OK, or AS_EEXIST / AS_EINVAL as
 * plot_report_ex would fail (a folder simrun did not make, or one that
 * shows another results file, without force). */
int plot_report_check_dir(const char *h5path, const char *dir, int force, as_err *err);
/* Parse --window START:END (durations since the start: 37h:39h, 1d13h:1d15h). */
int plot_window_parse(const char *s, double *start, double *end, as_err *err);

/* Draw the report of h5path into outdir (NULL: the default folder).
 * Errors: AS_EINVAL for a missing, foreign or truncated input file, a name
 * in it that is not a name, or a path with a control character (the
 * message names the file and the name); AS_EEXIST for an outdir simrun did
 * not make (without force); AS_ENOTFOUND when gnuplot cannot be started;
 * AS_EIO when the folder cannot be written or gnuplot fails (the message
 * carries gnuplot's first error line; all of them are kept in
 * outdir/gnuplot.log, and the folder is put in place so that the script
 * can be rerun). info may be NULL. */
int plot_report_ex(const char *h5path, const char *outdir, const plot_report_opts *opts,
                   plot_report_info *info /* OUT */, as_err *err);
/* The same with default options and the given format. */
int plot_report(const char *h5path, const char *outdir, int format, as_err *err);

#endif
