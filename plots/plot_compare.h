/* plot_compare.h - the figure of `simrun compare`: per run, the relative
 * change (B against A) of the metrics a person decides on (total and
 * infrastructure cost, time in SLO violation, p95, p99, mean instances,
 * scaling actions), as grouped bars.
 * Owns: the values collected for it. Must not: print. */
#ifndef PLOT_COMPARE_H
#define PLOT_COMPARE_H

#include "as.h"

typedef struct plot_compare_in plot_compare_in;

/* a and b: the two files' paths, for the title (copied). NULL when out of
 * memory (then add and draw do nothing, draw says so). */
plot_compare_in *plot_compare_new(const char *a, const char *b);
void plot_compare_free(plot_compare_in *in);
/* One metric of one run: relative change rel (NaN: none), verdict
 * (-1 worse, 0 same, 1 better). Metrics not drawn are ignored. */
void plot_compare_add(plot_compare_in *in, const char *run, const char *metric, double rel,
                      int verdict);
/* Draw DIR/compare.png (with compare.gp and compare.dat). */
int plot_compare_draw(const plot_compare_in *in, const char *dir, int force, const char *gnuplot,
                      as_err *err);

#endif
