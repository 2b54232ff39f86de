/* sim_summary.h - the summary table of a results file, as text, CSV or
 * JSON, and the verdict line (cheapest policy that meets the SLO).
 * Owns: nothing; formatting only (never on a hot path). */
#ifndef SIM_SUMMARY_H
#define SIM_SUMMARY_H

#include "sim_results.h"

#include <stdio.h>

enum { SIM_FMT_TEXT, SIM_FMT_CSV, SIM_FMT_JSON };

/* slo_latency in seconds, for the header. */
void sim_summary_print(FILE *f, const sim_summary_row *rows, int n, int format,
                       double slo_latency, double slo_percentile);
/* Fill the ranking columns (elastic speedup against `baseline`, deviation)
 * of every row. */
void sim_rank(sim_summary_row *rows, int n, int baseline);
/* Index of the cheapest (total cost) run that meets the SLO; -1 if none. */
int sim_summary_best(const sim_summary_row *rows, int n);

#endif
