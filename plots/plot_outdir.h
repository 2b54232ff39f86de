/* plot_outdir.h - an output folder that is written whole or not at all:
 * a report (or a forecast plot) is built in a fresh temporary folder next
 * to its target and put in place of the target when complete.
 * Owns: the temporary folder (.NAME.tmp-PID-N beside the target), an open
 * descriptor of it, and the marker file PLOT_OUTDIR_MARKER in it.
 * Invariants:
 *  - A target that exists is replaced only when it holds our marker (a
 *    folder simrun made), or with force; without force a folder simrun
 *    did not make is never emptied and never written into.
 *  - Replacing is a swap (renameat2 RENAME_EXCHANGE; two renames where the
 *    file system lacks it), then the old folder is deleted: nothing of an
 *    earlier report (figures of runs that are gone) survives, and a
 *    reader never sees a half-written folder.
 *  - Deleting never follows a symlink (fstatat AT_SYMLINK_NOFOLLOW,
 *    unlinkat, openat O_NOFOLLOW): a link in the folder, or the target
 *    itself a link, is removed as a link, and what it points to is left
 *    alone. Files are created with O_CREAT | O_EXCL | O_NOFOLLOW in the
 *    fresh folder, so no write goes through a link either.
 * Must not: print, exit, or delete anything outside the target and its
 * own temporary folder. */
#ifndef PLOT_OUTDIR_H
#define PLOT_OUTDIR_H

#include "as.h"

#include <stdio.h>

/* The file that marks a folder as made by simrun. */
#define PLOT_OUTDIR_MARKER ".simrun-report"

typedef struct plot_outdir {
    char target[1024];      /* the folder as it will be named (no trailing '/') */
    char shown[1024];       /* the same as messages show it (as_name_printable) */
    char owner[1100];       /* what the folder shows (a results file's absolute
                             * path), kept in the marker; "" for none */
    char tmp[1200];         /* the temporary folder being filled */
    int fd;                 /* descriptor of tmp; -1 when none */
    int force;              /* replace a target simrun did not make */
    int done;               /* committed */
} plot_outdir;

/* Check the target (absent, made by simrun, or force) and create the
 * temporary folder beside it (and the target's parents). AS_EEXIST for a
 * target simrun did not make (the message says --force), AS_EINVAL for a
 * target that cannot be a folder of its own ("", ".", ".."), AS_EIO for
 * a folder that cannot be created. */
int plot_outdir_begin(plot_outdir *o, const char *target, int force, as_err *err);
/* The same for a folder that belongs to `owner` (the absolute path of the
 * results file it shows; NULL: none): the marker records it, and a target
 * whose marker names another owner is not replaced without force either
 * (AS_EEXIST naming both), so that two results files of one name in two
 * folders do not take turns with one report folder. */
int plot_outdir_begin_for(plot_outdir *o, const char *target, int force, const char *owner,
                          as_err *err);
/* The checks of begin_for without creating anything: AS_OK when target
 * may be written (absent, ours for this owner, or force). */
int plot_outdir_check(const char *target, int force, const char *owner, as_err *err);
/* The owner a folder's marker records into buf ("" for none, or no
 * marker). */
void plot_outdir_owner(const char *target, char *buf, size_t n);
/* Create folder rel inside the temporary folder. */
int plot_outdir_mkdir(plot_outdir *o, const char *rel, as_err *err);
/* Create file rel (new; never through a link) for writing. NULL on error. */
FILE *plot_outdir_fopen(plot_outdir *o, const char *rel, as_err *err);
/* Close f, opened as rel; AS_EIO when any write failed (disk full). */
int plot_outdir_fclose(plot_outdir *o, FILE *f, const char *rel, as_err *err);
/* Put the temporary folder in place of the target (the checks of begin
 * again: the target may have appeared meanwhile) and delete the old one. */
int plot_outdir_commit(plot_outdir *o, as_err *err);
/* Delete the temporary folder unless committed, close the descriptor. */
void plot_outdir_end(plot_outdir *o);

/* Delete path and all below it without following symlinks (a link is
 * removed as a link). AS_OK when path does not exist. */
int plot_rm_tree(const char *path, as_err *err);

#endif
