/* check_baseline.h - the statistics of the scaling-quality gate (`simrun
 * check`, sim/cli/cmd_check.c): the metrics it compares, their mean and
 * spread over seeds, the verdict on a change, and the baseline file.
 * Owns: the baseline rows read from or written to the CSV file.
 * Invariant: every metric is lower-is-better; a statistic of the same
 * values in the same order is bit-identical (sums run in seed order), so
 * an unchanged build compares equal to its baseline.
 * Must not: run simulations or read results files (cmd_check.c does). */
#ifndef CHECK_BASELINE_H
#define CHECK_BASELINE_H

#include "sim_record.h"

enum {
    CHK_COST, CHK_VIOL, CHK_P95, CHK_P99, CHK_THETA_U, CHK_THETA_O, CHK_TAU_U, CHK_TAU_O,
    CHK_INSTABILITY, CHK_ACTIONS, CHK_NMETRICS
};

#define CHK_SCEN_LEN 64   /* a scenario name in the baseline, with its NUL */

/* Names as written in the baseline, indexed by the enum above. */
extern const char *const chk_metric_names[CHK_NMETRICS];
/* Index of a metric name, -1 if unknown. */
int chk_metric_find(const char *name);
/* The metric m of one run. */
double chk_metric_of(const sim_summary_row *r, int m);

/* One metric of one run over its seeds. */
typedef struct chk_stat {
    int seeds;       /* runs it summarises, >= 1 */
    double mean;     /* NaN if any run gave NaN; +-inf if one was infinite */
    double sd;       /* sample standard deviation (n - 1); 0 for one run or a
                        non-finite mean */
} chk_stat;

/* Mean and spread of x[0..n-1] (n >= 1), summed in the given order. */
chk_stat chk_stat_of(const double *x, int n);

/* The verdict on now against base. */
enum { CHK_SAME, CHK_WITHIN, CHK_IMPROVED, CHK_REGRESSED };

/* Lower is better. SAME when the means are equal (NaN = NaN); else with
 * se = sqrt(sd_b^2 / n_b + sd_now^2 / n_now), the standard error of the
 * difference of the two means, the tolerance is
 *     tol = max(k * se, CHK_REL_FLOOR * |mean_b|, CHK_ABS_FLOOR)
 * and the change d = mean_now - mean_b is REGRESSED above tol, IMPROVED
 * below -tol, WITHIN between. A NaN on one side only is REGRESSED (a
 * metric that stopped being computed). *tol and *z (d / se; NaN when se is
 * 0) are set for the table. */
int chk_judge(const chk_stat *base, const chk_stat *now, double k, double *tol, double *z);

/* Floors of the tolerance: last-bit differences between compilers or libm
 * builds (a few ulps per operation over ~1e5 ticks stay far below 1e-9
 * relative) must not fail a metric that has no spread over seeds. */
#define CHK_REL_FLOOR 1e-9
#define CHK_ABS_FLOOR 1e-9

/* One row of the baseline file. */
typedef struct chk_row {
    char scen[CHK_SCEN_LEN];
    char run[SIM_STR];
    int metric;
    chk_stat s;
    int line;     /* in the file (0: not read from it) */
    int matched;  /* a current run has this row */
} chk_row;

typedef struct chk_baseline {
    const char *path; /* borrowed */
    chk_row *rows;
    int n, cap;
} chk_baseline;

/* 1 when s can be a field of the baseline (non-empty, no comma, quote or
 * line break). */
int chk_name_ok(const char *s);

/* Read b->path. A missing file sets *exists = 0 and returns 0 (--update
 * starts one). Returns 0, 1 (out of memory) or 2 (bad input: one message
 * on stderr naming the file and line). */
int chk_baseline_read(chk_baseline *b, int *exists);
/* Write rows[0..n-1] (any order: they are sorted by scenario, run and
 * metric) to path through path.tmp and a rename, so that an interrupted
 * update never leaves half a baseline. Returns 0 or 1 (message on
 * stderr). Sorts rows in place. */
int chk_baseline_write(const char *path, chk_row *rows, int n);
/* Append one row (copied); 0 or 1 (out of memory). */
int chk_baseline_add(chk_baseline *b, const chk_row *row);
void chk_baseline_free(chk_baseline *b);

#endif
