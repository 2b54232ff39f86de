/* plot_gnuplot.h - runs gnuplot children on a finished script: one on the
 * whole of it, or a pool of them on its figures, several at once.
 * Owns: the child processes, their pipes and their captured output, for
 * the duration of one call (every child is waited for before it returns:
 * no zombie is left, whatever failed); the file gnuplot.log in the folder
 * they run in.
 * Invariant: the script goes to gnuplot's stdin through a pipe (a user can
 * rerun the same text from the .gp file); gnuplot's stdout and stderr are
 * captured and its exit status checked (a pipe alone returns no error:
 * gnuplot_i's README). The script given has passed plot_gp_finish
 * (plot_script.h): this file runs text, it does not check it again.
 * Must not: print, exit, or follow a symlink when writing gnuplot.log. */
#ifndef PLOT_GNUPLOT_H
#define PLOT_GNUPLOT_H

#include "as.h"

#include <stddef.h>

typedef struct plot_gnuplot_job {
    int dirfd;              /* folder gnuplot runs in (its output files go there) */
    const char *shown;      /* that folder as messages name it (where it will be) */
    const char *script;     /* the script, len bytes */
    size_t len;
    const char *rerun;      /* the script's file name, for the "rerun with" hint */
    const char *prog;       /* program (PATH is searched); NULL: "gnuplot" */
    /* called about five times a second while gnuplot works (it may look
     * at the folder to see how far gnuplot got); may be NULL */
    void (*tick)(void *ud);
    void *tick_ud;
    const char *dir;        /* that folder's path as given (where it will be), for the
                             * "rerun with: cd DIR" hint (shell-quoted); NULL: shown */
} plot_gnuplot_job;

/* Run the job. gnuplot's output, when not empty, is kept in gnuplot.log
 * of the folder (*warnings = its lines; warnings may be NULL). A missing
 * gnuplot is AS_ENOTFOUND, a failing one AS_EIO with its first error line. */
int plot_gnuplot_run(const plot_gnuplot_job *job, int *warnings, as_err *err);

/* The pieces of one script, drawn by up to `procs` gnuplot processes at
 * once, each piece sent whole to a free one. Piece k is script[cut[k],
 * cut[k + 1]) (cut has n + 1 offsets, the last the script's length); the
 * head, script[0, cut[0]), goes first to every new gnuplot. Each piece is
 * one figure that starts from `reset` and sets everything it uses, so it
 * draws the same image in any process and after any other piece (the
 * tests compare the pool's files with `gnuplot report.gp`'s). Long-lived
 * processes rather than one per piece: a gnuplot start with the cairo
 * terminal cost 0.2 s of CPU here, as much as drawing a figure. A gnuplot
 * that fails exits (non-interactive gnuplot stops at its first error): its
 * piece is the failed one, and a new gnuplot takes the next piece. */
typedef struct plot_gnuplot_pool {
    int dirfd;              /* as in plot_gnuplot_job */
    const char *shown;
    const char *rerun;
    const char *prog;
    const char *script;     /* the whole script (passed plot_gp_finish) */
    const size_t *cut;      /* n + 1 offsets into it, increasing */
    const char *const *name;/* per piece, the figure as messages name it; may be NULL */
    int n;
    int procs;              /* gnuplot processes at once; < 1: 1 */
    /* called when a piece is done and about five times a second; may be NULL */
    void (*tick)(void *ud, int done, int n);
    void *tick_ud;
    const char *dir;        /* as in plot_gnuplot_job */
    int stall_ms;           /* idle time before a child's stdin is closed
                             * (plot_gnuplot.c's head); <= 0: 5000 */
} plot_gnuplot_pool;

/* Draw every piece. gnuplot's output is kept in gnuplot.log in the order
 * of the pieces, each piece's under a line "# figure NAME:" (*warnings
 * counts gnuplot's lines only). Errors as plot_gnuplot_run, about the
 * first piece that failed: the message names it and how many others
 * failed; the pieces after a failed one are still drawn (they do not
 * depend on it), but none is started once gnuplot cannot be run. */
int plot_gnuplot_draw(const plot_gnuplot_pool *p, int *warnings, as_err *err);

/* Processes a pool should use when none is asked for: the online CPUs
 * (at least 1). */
int plot_gnuplot_procs(void);

#endif
