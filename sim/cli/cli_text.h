/* cli_text.h - lines simrun prints next to its tables: what the
 * abbreviated columns mean, and numbers formatted as the report shows
 * them (plots/plot_fmt.h).
 * Owns: nothing. Must not: keep state. */
#ifndef CLI_TEXT_H
#define CLI_TEXT_H

#include "plot_fmt.h"

#include <stdio.h>

/* The legend of the summary table's abbreviated columns. */
void cli_print_legend(FILE *f);
/* A latency with its unit (plot_fmt_latency). */
#define cli_fmt_latency plot_fmt_latency

#endif
