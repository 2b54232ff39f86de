/* plot_report.h - the report of one results file: gnuplot figures, their
 * .dat data and .gp script, and an index.html that shows them.
 * Owns: the report folder's files (report.gp, data/, figures, index.html,
 * gnuplot.log) and the gnuplot child process for the duration of one call.
 * Invariant: every figure is drawn from the .dat files the call leaves in
 * the folder, so `cd DIR && gnuplot report.gp` redraws the same report.
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

typedef struct plot_report_opts {
    int format;             /* PLOT_PNG, PLOT_SVG or PLOT_PDF */
    const char *gnuplot;    /* program to run (PATH is searched); NULL: "gnuplot" */
    size_t max_points;      /* downsampling threshold; 0: PLOT_MAX_POINTS */
} plot_report_opts;

/* What a report produced (all fields filled on success). */
typedef struct plot_report_info {
    int figures;            /* figure files written (1 for PDF: report.pdf) */
    int pages;              /* plots drawn (pages of the PDF) */
    int runs;               /* runs in the results file */
    int warnings;           /* lines gnuplot wrote to stderr (kept in gnuplot.log) */
    char outdir[1024];      /* the folder written */
} plot_report_info;

/* "png" | "svg" | "pdf" -> PLOT_*; AS_EINVAL otherwise. */
int plot_format_parse(const char *s, int *format /* OUT */);
/* File extension without the dot. */
const char *plot_format_ext(int format);

/* The default report folder of a results file: reports/<scenario_name>
 * (relative to the working directory). AS_EINVAL if the file is unreadable. */
int plot_report_default_dir(const char *h5path, char *buf, size_t n, as_err *err);

/* Draw the report of h5path into outdir (created if needed; NULL: the
 * default folder). Errors: AS_EINVAL for a missing, foreign or truncated
 * input file (the message names it), AS_ENOTFOUND when gnuplot cannot be
 * started, AS_EIO when the folder cannot be written or gnuplot fails (the
 * message carries gnuplot's first error line; all of them are kept in
 * outdir/gnuplot.log). info may be NULL. */
int plot_report_ex(const char *h5path, const char *outdir, const plot_report_opts *opts,
                   plot_report_info *info /* OUT */, as_err *err);
/* The same with default options and the given format. */
int plot_report(const char *h5path, const char *outdir, int format, as_err *err);

/* Run gnuplot (prog, e.g. "gnuplot") in dir with script (len bytes) on its
 * stdin; its output is kept in dir/gnuplot.log when not empty (*warnings =
 * its lines); rerun names the script file for messages. A missing gnuplot
 * is AS_ENOTFOUND, a failing one AS_EIO with its first error line. */
int plot_gnuplot(const char *dir, const char *script, size_t len, const char *rerun,
                 const char *prog, int *warnings, as_err *err);

#endif
