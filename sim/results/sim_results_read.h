/* sim_results_read.h - a read-only view of one results file for `report`
 * (and `check`): runs, tiers, trace, per-tier series, actions, attributes.
 * Owns: one open HDF5 file handle, held from sim_reader_open to
 * sim_reader_close, so that a report over 50 runs opens the file once.
 * Invariant: every array it returns is caller-owned (free()); it never
 * writes. Errors name the file ("PATH: ...") and are AS_EINVAL for a missing,
 * foreign or truncated input, AS_ENOMEM for memory.
 * Must not: run while sim_results.c writes from other threads - HDF5 here is
 * built without thread safety and this file does not share that file's lock
 * (reports run after every run has finished). The layout is sim_results.h's. */
#ifndef SIM_RESULTS_READ_H
#define SIM_RESULTS_READ_H

#include "as.h"
#include "sim_results.h"

#include <stddef.h>

typedef struct sim_reader sim_reader;

/* A tier as /tiers/NAME describes it, in scenario order. */
typedef struct sim_tier_info {
    char name[SIM_STR];
    double service_time_s;  /* mean service time per visit, s */
    double concurrency;     /* requests one instance serves at once */
    double visits;          /* visits per end-to-end request (1 if absent) */
    double price;           /* per instance-hour */
    double min, max;        /* instance bounds */
    double throughput;      /* concurrency / service_time: req/s per instance */
} sim_tier_info;

/* A run as /runs/NAME and its /summary row name it. */
typedef struct sim_run_info {
    char name[SIM_STR];
    char kind[SIM_STR];     /* policy kind ("oracle", "hpa", ...) */
    char params[512];       /* sweep point, "policy.hpa.target=0.6 ..." ("" outside a
                             * sweep, and in files written before full names) */
} sim_run_info;

/* One attribute of a group, as text (sim_reader_group_attrs). */
typedef struct sim_attr {
    char name[64];
    char value[256];        /* a string as stored (cut), a number with %.10g */
} sim_attr;

/* Open path read-only and check that it looks like a results file (has
 * /summary and /runs). NULL with err set on failure. */
sim_reader *sim_reader_open(const char *path, as_err *err);
/* Close; NULL is a no-op. */
void sim_reader_close(sim_reader *r);
/* The path given to open as messages show it (as_name_printable; borrowed,
 * valid until close). */
const char *sim_reader_path(const sim_reader *r);

/* Root string attribute into buf (cut to n-1 chars); "" and AS_OK when
 * absent and `optional`. */
int sim_reader_attr(sim_reader *r, const char *name, char *buf, size_t n, int optional,
                    as_err *err);
/* Root string attribute of any length (caller frees *out). */
int sim_reader_attr_alloc(sim_reader *r, const char *name, char **out, as_err *err);
/* Root numeric attribute; *v = dflt and AS_OK when absent and `optional`. */
int sim_reader_attr_f64(sim_reader *r, const char *name, double *v, int optional, double dflt,
                        as_err *err);

/* Every attribute of the group at path ("/tiers/web", "/runs/hpa"), by
 * name (caller frees *attrs; a group without attributes gives n = 0).
 * AS_EINVAL when there is no such group. Values are someone else's bytes:
 * escape them before showing them. */
int sim_reader_group_attrs(sim_reader *r, const char *group, sim_attr **attrs, int *n,
                           as_err *err);

/* The /summary table, one row per run in run order (caller frees *rows). */
int sim_reader_summary(sim_reader *r, sim_summary_row **rows, int *n, as_err *err);
/* Runs in /summary order with their kind (caller frees *runs). */
int sim_reader_runs(sim_reader *r, sim_run_info **runs, int *n, as_err *err);
/* Tiers in scenario order (caller frees *tiers). */
int sim_reader_tiers(sim_reader *r, sim_tier_info **tiers, int *n, as_err *err);

/* /trace: replayed rate (caller frees *t and *rate; both NULL when empty). */
int sim_reader_trace(sim_reader *r, double **t, double **rate, size_t *n, as_err *err);
/* /runs/RUN/timeseries (caller frees *rows). */
int sim_reader_timeseries(sim_reader *r, const char *run, sim_ts_row **rows, size_t *n,
                          as_err *err);
/* /runs/RUN/tiers/TIER (caller frees *rows). */
int sim_reader_tier_series(sim_reader *r, const char *run, const char *tier,
                           sim_tier_row **rows, size_t *n, as_err *err);
/* /runs/RUN/actions (caller frees *rows; a run without actions gives n = 0). */
int sim_reader_actions(sim_reader *r, const char *run, sim_action_row **rows, size_t *n,
                       as_err *err);

/* The node layer (sim_results_read_nodes.c). The node pools of a run, in
 * name order, each name checked with as_name_check (at most max; *n = 0
 * for a run without node pools). */
int sim_reader_node_pools(sim_reader *r, const char *run, char (*names)[SIM_STR], int max,
                          int *n, as_err *err);
/* /runs/RUN/nodes/POOL and /runs/RUN/pods (caller frees *rows). */
int sim_reader_node_series(sim_reader *r, const char *run, const char *pool,
                           sim_node_row **rows, size_t *n, as_err *err);
int sim_reader_pod_series(sim_reader *r, const char *run, sim_pod_row **rows, size_t *n,
                          as_err *err);

#endif
