/* cli_progress.h - simrun's progress line on stderr (a terminal only, and
 * not with -q): the batch (runs done, share of the simulated time, speed,
 * time left) and then the report (its data, then gnuplot's figures).
 * Owns: the line's state (when it was last drawn, how wide it was).
 * Invariant: the estimate is the simulated time still to do over the
 * speed so far, counting the part of the running runs already simulated,
 * so it does not grow while a long run goes on; none is shown before a
 * second has passed with some simulated time done.
 * Must not: print anywhere but the stream it is given; it reads the wall
 * clock (the one place besides bench/ that does). */
#ifndef CLI_PROGRESS_H
#define CLI_PROGRESS_H

#include "plot_report.h"
#include "sim_batch.h"

#include <stdio.h>

typedef struct cli_progress {
    FILE *f;
    double last;            /* monotonic seconds of the last line drawn */
    int width;              /* characters of that line */
} cli_progress;

/* The text of a batch's line (for tests: no clock, no stream). */
void cli_progress_batch_text(const sim_batch_progress *p, char *buf, size_t n);
/* Callbacks for sim_batch_opts.progress and plot_report_opts.progress
 * (ud: a cli_progress); at most five lines a second. */
void cli_progress_batch(void *ud, const sim_batch_progress *p);
void cli_progress_report(void *ud, const plot_progress *p);
/* Erase the line. */
void cli_progress_clear(cli_progress *c);

#endif
