/* sim_summary.h - the summary table of a results file, as text, CSV or
 * JSON, with the SLO it was judged against and the verdict lines: the bound
 * (a policy that sees the future, on its own line) and the cheapest
 * deployable policy that meets the SLO.
 * Owns: nothing; formatting only (never on a hot path).
 * Invariant: the text form prints the whole SLO definition in its header,
 * and each run's window compliance, run-level latency at the SLO's
 * percentile and verdict side by side; at most one line names the cheapest
 * deployable policy, and "no policy meets" is printed only when none does. */
#ifndef SIM_SUMMARY_H
#define SIM_SUMMARY_H

#include "sim_results.h"
#include "sim_results_read.h"

#include <stdio.h>

enum { SIM_FMT_TEXT, SIM_FMT_CSV, SIM_FMT_JSON };

/* The SLO as a run was judged against it (the results file's root
 * attributes: slo_latency_s, slo_percentile, slo_window_s, slo_objective,
 * slo_error_rate, slo_from_max_violation). */
typedef struct sim_slo_info {
    double latency;         /* L, s */
    double percentile;      /* p: share of a window's requests within L */
    double window;          /* W, s */
    double objective;       /* O: share of windows that must hold */
    double error_rate;      /* share of a window's requests that may fail; < 0: no objective */
    int from_max_violation; /* O was given as max_violation = 1 - O */
} sim_slo_info;

void sim_slo_info_of(const sim_scenario *sc, sim_slo_info *out /* OUT */);
/* From a results file; a file written before windows existed reads as
 * W = 60 s, O = 99 %. */
int sim_slo_info_read(sim_reader *r, sim_slo_info *out /* OUT */, as_err *err);
/* The whole definition in one line (no newline), e.g. "95% of requests
 * within 250 ms in each 1 min window (by arrival), in >= 99% of windows". */
void sim_slo_describe(const sim_slo_info *s, char *buf, size_t n);

void sim_summary_print(FILE *f, const sim_summary_row *rows, int n, int format,
                       const sim_slo_info *slo);
/* Fill the ranking columns of every row: the elastic speedup against
 * `baseline` over the metrics that are positive in every run (one metric
 * set for all runs; Herbst et al. 2018), and the deviation. */
void sim_rank(sim_summary_row *rows, int n, int baseline);
/* Index of the cheapest (total cost) deployable run that meets the SLO; -1
 * if none. A run of a kind that sees the future is a bound, never it. */
int sim_summary_best(const sim_summary_row *rows, int n);
/* Index of the cheapest run of a kind that sees the future (the bound); -1
 * if none. */
int sim_summary_bound(const sim_summary_row *rows, int n);

#endif
