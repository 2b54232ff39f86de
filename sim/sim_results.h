/* sim_results.h - the HDF5 results file: writer (streaming, chunked,
 * compressed) and the reader used by `show` (and later `report`, `check`).
 * Owns: the file, its open datasets and their row buffers.
 * Invariant: the file is written under NAME.partial and renamed to NAME
 * only when complete; every completed run is flushed, so a killed process
 * leaves a .partial file that h5dump opens with those runs intact. Rows
 * are buffered in chunks of SIM_CHUNK_ROWS and appended: no whole-run
 * buffers. The only file that includes hdf5.h.
 * Layout: see README.md, "Results file". */
#ifndef SIM_RESULTS_H
#define SIM_RESULTS_H

#include "as.h"
#include "sim_scenario.h"

#include <stdint.h>

#define SIM_CHUNK_ROWS 4096
#define SIM_STR 32

/* /runs/RUN/timeseries: one row per record interval, end-to-end view. */
typedef struct sim_ts_row {
    double t;                   /* end of the interval, s */
    double rate;                /* mean arrival rate, req/s */
    double forecast, lo, hi;    /* the policy's forecast for now (NAN: none) */
    double ready, booting;      /* instances over all tiers, at t */
    double p50, p95, p99;       /* end-to-end response time, s */
    double cost_rate;           /* infrastructure cost per hour at t */
    double cost;                /* cumulative infrastructure cost */
    double violation;           /* share of the interval in SLO violation */
} sim_ts_row;

/* /runs/RUN/tiers/TIER: one row per record interval for one tier. */
typedef struct sim_tier_row {
    double t;
    double ready, booting, draining; /* at t */
    double utilization;         /* mean busy fraction of ready servers */
    double queue;               /* mean requests waiting */
    double p50, p95, p99;       /* per-visit response time, s */
    double arrivals;            /* requests arrived in the interval */
    double dropped;             /* requests dropped in the interval */
    double demand;              /* least ready instances meeting the SLO */
    double inflight;            /* mean requests in the tier (waiting + in service) */
    double memory;              /* mean memory of the tier, MB (base + per request) */
    double seen_utilization;    /* what monitoring shows a policy at t (NAN: missing) */
    double seen_rate;           /* the request rate monitoring shows at t, req/s */
} sim_tier_row;

/* /runs/RUN/actions: one row per evaluation that changed, or was prevented
 * from changing, capacity. */
typedef struct sim_action_row {
    double t;
    int32_t tier;
    int32_t from, raw, to;
    char reason[SIM_STR];
    double utilization;         /* what the policy saw (NAN: missing) */
    double rate;                /* what the policy saw */
} sim_action_row;

/* /summary: one row per run. */
typedef struct sim_summary_row {
    char run[SIM_STR];
    char kind[SIM_STR];
    double cost_infra, cost_penalty, cost_total;
    double slo_violation_s, slo_violation_pct;
    double p50, p95, p99, latency_max;
    double dropped;
    double mean_instances, peak_instances;
    int32_t actions;
    int32_t meets_slo;
    double theta_u, theta_o, tau_u, tau_o, instability, jitter;
    double elastic_speedup, deviation;
    int32_t faults;             /* crashes and failed boots */
    double forecast_mase;       /* one-step forecast MASE (NAN: no forecaster) */
} sim_summary_row;

/* /timing: wall-clock figures, kept apart (not deterministic). */
typedef struct sim_timing_row {
    char run[SIM_STR];
    double wall_s;
    double sim_per_wall;
} sim_timing_row;

typedef struct sim_results sim_results;
typedef struct sim_run_writer sim_run_writer;

/* Create PATH.partial (refusing an existing PATH unless force) and write
 * the root attributes. */
sim_results *sim_results_create(const char *path, const sim_scenario *sc, int force,
                                as_err *err);
/* Append one row of /trace (time s, rate req/s). */
int sim_results_trace(sim_results *r, double t, double rate, as_err *err);
/* Begin run `name` of policy number `policy`; params (may be "") are the
 * sweep point's settings, stored as the group's attribute sweep_params. */
sim_run_writer *sim_results_run_begin(sim_results *r, const sim_scenario *sc, int policy,
                                      const char *name, const char *params, as_err *err);
int sim_run_row(sim_run_writer *w, const sim_ts_row *row, as_err *err);
int sim_run_tier_row(sim_run_writer *w, int tier, const sim_tier_row *row, as_err *err);
int sim_run_action(sim_run_writer *w, const sim_action_row *row, as_err *err);
/* Flush and close the run, append its summary row, flush the file. */
int sim_results_run_end(sim_results *r, sim_run_writer *w, const sim_summary_row *sum,
                        as_err *err);
/* Close a run that failed or was interrupted (no summary row). */
void sim_results_run_discard(sim_run_writer *w);
/* Append one /timing row and flush it. */
int sim_results_timing(sim_results *r, const sim_timing_row *timing, as_err *err);
/* Rewrite /summary with the final rows (ranking filled in), close, rename. */
int sim_results_commit(sim_results *r, const sim_summary_row *rows, int n, as_err *err);
/* Build path from complete per-run files (each written by its own
 * sim_results), in the given order: root attributes from sc, every
 * /runs/NAME group and the /trace of the first file copied as they are,
 * /summary and /timing from rows and timings. Written as path.partial and
 * renamed when complete. */
int sim_results_merge(const char *path, const sim_scenario *sc, const char *const *files,
                      const char *const *names, int n, const sim_summary_row *rows,
                      const sim_timing_row *timings, as_err *err);
/* Close; remove the partial file when discard, else keep it. */
void sim_results_abort(sim_results *r, int discard);

/* Reading back (show/report/check). Caller frees *rows with free(). */
int sim_results_read_summary(const char *path, sim_summary_row **rows, int *n, as_err *err);
/* Read a root string attribute into buf. */
int sim_results_read_attr(const char *path, const char *name, char *buf, size_t n, as_err *err);
/* Read a root numeric attribute. */
int sim_results_read_attr_f64(const char *path, const char *name, double *v, as_err *err);
/* Read a whole timeseries of RUN (caller frees). */
int sim_results_read_timeseries(const char *path, const char *run, sim_ts_row **rows,
                                size_t *n, as_err *err);

/* Read every dataset and attribute of a results file given by a user in a
 * child process first. Debian's libhdf5 1.10 can crash (heap overflows,
 * absurd allocations: found by make fuzz) on some damaged files; this
 * turns that into AS_EINVAL naming the file instead of a signal. A file
 * that passes is then read normally. Costs one extra read of the file. */
int sim_results_probe(const char *path, as_err *err);

/* Silence HDF5's automatic error printing (once, from main). */
void sim_results_quiet(void);

#endif
