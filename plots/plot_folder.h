/* plot_folder.h - a folder of figures drawn by one gnuplot script: the
 * script is finished (and linted) first, then the folder is built whole in
 * a temporary folder (plot_outdir.h), its data files written by the
 * caller, gnuplot run in it, and the folder swapped in. For the figures of
 * tune, compare and sweeps, which are not part of a run's report.
 * Owns: nothing after the call.
 * Must not: print. The script follows plot_script.h's rule. */
#ifndef PLOT_FOLDER_H
#define PLOT_FOLDER_H

#include "as.h"
#include "plot_outdir.h"
#include "plot_script.h"

typedef struct plot_folder {
    const char *dir;        /* the folder to (re)place */
    int force;              /* replace a folder simrun did not make */
    const char *script_name; /* e.g. "frontier.gp" */
    const char *gnuplot;    /* program (NULL: gnuplot) */
    /* write the data files into o (plot_outdir_fopen/fclose); may be NULL */
    int (*data)(plot_outdir *o, void *ud, as_err *err);
    void *ud;
} plot_folder;

/* Finish g and draw it into f->dir. gnuplot missing: AS_ENOTFOUND (the
 * folder is still put in place with the script and the data). */
int plot_folder_draw(const plot_folder *f, plot_gp *g, as_err *err);

#endif
