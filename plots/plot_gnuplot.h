/* plot_gnuplot.h - runs one gnuplot child on a finished script.
 * Owns: the child process, its pipes and its captured output, for the
 * duration of one call; the file gnuplot.log in the folder it runs in.
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
} plot_gnuplot_job;

/* Run the job. gnuplot's output, when not empty, is kept in gnuplot.log
 * of the folder (*warnings = its lines; warnings may be NULL). A missing
 * gnuplot is AS_ENOTFOUND, a failing one AS_EIO with its first error line. */
int plot_gnuplot_run(const plot_gnuplot_job *job, int *warnings, as_err *err);

#endif
