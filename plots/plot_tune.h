/* plot_tune.h - the figure of a tune (sim_tune.h): every configuration run
 * on the search part, infrastructure cost against SLO violation, the
 * frontier through them, the chosen one, the scenario's default and the
 * oracle's bound.
 * Owns: nothing after the call. Must not: print. */
#ifndef PLOT_TUNE_H
#define PLOT_TUNE_H

#include "as.h"
#include "sim_tune.h"

/* Draw DIR/frontier.png (with frontier.gp and frontier.dat, rerunnable),
 * DIR replaced whole (plot_outdir.h). gnuplot may be NULL. */
int plot_tune_frontier(const sim_tune_result *r, const char *dir, int force, const char *gnuplot,
                       as_err *err);

#endif
