/* sim_summary.h - the summary table of a results file, as text, CSV or
 * JSON, with the SLO it was judged against, one column per swept parameter
 * (full names such as policy.hpa.target), the repetition table (mean and
 * 95 % confidence half-width per sweep point, with units) and the verdict
 * lines: the bound (a policy that sees the future, on its own line) and the
 * cheapest deployable policy that meets the SLO, over the mean of a point's
 * repetitions.
 * Owns: nothing; formatting only (never on a hot path).
 * Invariant: the text form prints the whole SLO definition in its header,
 * and each run's window compliance, run-level latency at the SLO's
 * percentile and verdict side by side; a run's verdict is its row's
 * meets_slo (the one SLO definition: window compliance) and a point meets
 * the SLO when all its repetitions do; at most one line names the cheapest
 * deployable policy, and "no policy meets" is printed only when none does. */
#ifndef SIM_SUMMARY_H
#define SIM_SUMMARY_H

#include "sim_results.h"
#include "sim_results_read.h"

#include <stdio.h>

enum { SIM_FMT_TEXT, SIM_FMT_CSV, SIM_FMT_JSON };

#define SIM_MAX_PARAM_COLS 32 /* distinct swept keys shown as columns */

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

/* A sweep point: the rows whose run names differ only in the repetition
 * suffix ".rN" (consecutive, as a plan orders them). The one computation
 * of a point's means: the summary table, its verdicts, the report's sweep
 * page and its per-parameter figures all read these. */
typedef struct sim_point {
    char name[SIM_STR];      /* the run name without ".rN" */
    int first, n;            /* rows[first .. first + n - 1] */
    double cost, cost_hw;    /* total cost: mean, 95 % half-width */
    double viol, viol_hw;    /* SLO violation, seconds */
    double lat, lat_hw;      /* run-level latency at the SLO's percentile, s */
    double comp, comp_hw;    /* SLO compliance: share of windows held, % */
    int nmeet;               /* repetitions that meet the SLO */
    int meets;               /* every repetition meets the SLO */
    int oracle;              /* a policy that sees the future (a bound) */
} sim_point;

/* The points of rows into out (room for n); returns their count. */
int sim_summary_points(const sim_summary_row *rows, int n, sim_point *out);
/* Mean and 95 % confidence half-width (Student t, GSL's quantile) of the
 * double at offset off of rows[first .. first + n - 1], over its finite
 * values; the half-width is NaN below two of them. */
void sim_summary_mean_hw(const sim_summary_row *rows, int first, int n, size_t off, double *m,
                         double *hw);
/* Index into pts of the cheapest point (mean total cost) that meets the
 * SLO; deployable_only skips the bound. -1 if none. */
int sim_summary_best_point(const sim_point *pts, int np, int deployable_only);
/* Index into pts of the cheapest point that sees the future; -1 if none. */
int sim_summary_bound_point(const sim_point *pts, int np);

/* Print the table. params[i] (NULL, or the array NULL) is run i's sweep
 * point, "policy.hpa.target=0.6 tier.web.boot_time=30s"; each distinct key
 * becomes a column (CSV and JSON: after kind, through sim_export). */
void sim_summary_print(FILE *f, const sim_summary_row *rows, const char *const *params, int n,
                       int format, const sim_slo_info *slo);
/* The value of key in a params text into buf ("" when absent); returns
 * buf. */
const char *sim_params_value(const char *params, const char *key, char *buf, size_t n);
/* The distinct keys of params[0..n-1] in order of appearance (at most
 * max); returns their count. */
int sim_params_keys(const char *const *params, int n, char (*keys)[128], int max);
/* A latency or duration in seconds as a person reads it: 201.3ms, 2.9s,
 * 22.8min, 1.2h. */
const char *sim_fmt_seconds(double s, char *buf, size_t n);
/* Fill the ranking columns of every row: the elastic speedup against
 * `baseline` over the metrics that are positive in every run (one metric
 * set for all runs; Herbst et al. 2018), and the deviation. */
void sim_rank(sim_summary_row *rows, int n, int baseline);
/* Index of the first run of the cheapest deployable point (the mean
 * total cost of its repetitions) whose every repetition meets the SLO; -1
 * if none. Without repetitions a point is a run. A run of a kind that sees
 * the future is a bound, never it. */
int sim_summary_best(const sim_summary_row *rows, int n);
/* Index of the first run of the cheapest point of a kind that sees the
 * future (the bound); -1 if none. */
int sim_summary_bound(const sim_summary_row *rows, int n);

#endif
