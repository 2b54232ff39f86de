/* cli_text.h - lines simrun prints next to its tables: what the
 * abbreviated columns mean, and numbers formatted as the report shows
 * them (plots/plot_fmt.h), and user text as messages show it.
 * Owns: cli_shown's rotating buffers. Must not: keep other state. */
#ifndef CLI_TEXT_H
#define CLI_TEXT_H

#include "plot_fmt.h"

#include <stdio.h>

/* The legend of the summary table's abbreviated columns. */
void cli_print_legend(FILE *f);
/* s (a path, an argument: the user's bytes) as a message shows it,
 * through as_name_printable (core/as_name.h): one of 8 rotating buffers
 * of 2 KB, so that one message may show a few (borrowed; valid for 7 more
 * calls). For messages, never for a path that is opened. */
const char *cli_shown(const char *s);
/* A latency with its unit (plot_fmt_latency). */
#define cli_fmt_latency plot_fmt_latency

#endif
