/* sim_record.h - what one run records: the rows of its timeseries, tiers,
 * actions and summary, and the sink they are handed to.
 * Owns: nothing; types and the sink interface only. The engine fills rows
 * and passes them to a sink (the HDF5 writer of sim/results, a test's
 * collector, or none); it never knows where they go.
 * Invariant: a sink's callbacks are called in simulated-time order; the
 * row they receive is borrowed for the call only. */
#ifndef SIM_RECORD_H
#define SIM_RECORD_H

#include "as.h"
#include "sim_scenario.h"

#include <stdint.h>

/* /runs/RUN/timeseries: one row per record interval, end-to-end view. */
typedef struct sim_ts_row {
    double t;                   /* end of the interval, s */
    double rate;                /* mean arrival rate, req/s */
    double forecast, lo, hi;    /* the policy's forecast for now (NAN: none) */
    double ready, booting;      /* instances over all tiers, at t */
    double p50, p95, p99;       /* end-to-end response time of the requests that
                                 * arrived in the interval and were served, s */
    double cost_rate;           /* price per hour of the instances open at t */
    double cost;                /* cumulative billed cost at t (what the bill says:
                                 * every open instance rounded up to its granularity) */
    double violation;           /* share of the interval in SLO windows that failed */
    double good;                /* share of the interval's requests served within the
                                 * SLO latency (1 when none arrived) */
    double errors;              /* requests of the interval that failed (gave up, dropped) */
    double retries;             /* requests of the interval that were retries */
} sim_ts_row;

/* /runs/RUN/tiers/TIER: one row per record interval for one tier. */
typedef struct sim_tier_row {
    double t;
    double ready, booting, draining; /* at t */
    double utilization;         /* mean busy fraction of ready servers */
    double queue;               /* mean requests waiting */
    double p50, p95, p99;       /* per-visit response time of the visits that
                                 * arrived in the interval and were served, s */
    double arrivals;            /* requests arrived in the interval */
    double dropped;             /* requests dropped in the interval */
    double timeouts;            /* visits whose clients gave up waiting in the interval */
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
    /* requests whose figures hit a limit of the model and are not exact:
     * latencies beyond the latency histogram's range (recorded at its top,
     * so quantiles near them are floors), plus requests dropped by a queue
     * cap the request-level model derived from its memory limit (not one
     * the scenario set). 0 in a run within the model's range. */
    double clamped;
    /* clients and the SLO */
    double requests;            /* attempts that arrived, retries included */
    double errors;              /* attempts that failed: gave up or dropped */
    double timeouts;            /* attempts that gave up waiting */
    double retries;             /* attempts that were retries */
    double unfinished;          /* request level: requests that had not finished when
                                 * the run (and its drain) ended; their latency is
                                 * counted at its floor (also in clamped) */
    double slo_windows;         /* SLO windows judged */
    double slo_compliance;      /* % of them that held */
    double latency_at_p;        /* run-level latency at the SLO percentile, s */
} sim_summary_row;

/* /runs/RUN/nodes/POOL: one row per record interval for one node pool
 * (runs with node pools only). */
typedef struct sim_node_row {
    double t;
    double ready, booting;          /* nodes at t */
    double cpu_requested, cpu_allocatable; /* cores: pods' requests on its ready nodes, and
                                            * what those nodes offer, at t */
    double mem_requested, mem_allocatable; /* MiB, likewise */
    double cost_rate;               /* price per hour of its open nodes at t */
    double cost;                    /* cumulative cost of its nodes */
    double interruptions;           /* spot interruptions in the interval */
} sim_node_row;

/* /runs/RUN/pods: the pods' side of the node layer, one row per record
 * interval (runs with node pools only). */
typedef struct sim_pod_row {
    double t;
    double pending;                 /* pods Pending at t */
    double starts;                  /* pods placed on a node in the interval */
    double delay_mean, delay_max;   /* their scheduling delay (Pending time), s */
} sim_pod_row;

/* /timing: wall-clock figures, kept apart (not deterministic). */
typedef struct sim_timing_row {
    char run[SIM_STR];
    double wall_s;
    double sim_per_wall;
} sim_timing_row;

/* Where a run's rows go. Every callback may be NULL (that row is not
 * kept); a non-zero return stops the run with that status (err filled). */
typedef struct sim_sink {
    void *ud;
    int (*row)(void *ud, const sim_ts_row *row, as_err *err);
    int (*tier_row)(void *ud, int tier, const sim_tier_row *row, as_err *err);
    int (*action)(void *ud, const sim_action_row *row, as_err *err);
    int (*trace)(void *ud, double t, double rate, as_err *err); /* /trace rows */
    int (*node_row)(void *ud, int pool, const sim_node_row *row, as_err *err);
    int (*pod_row)(void *ud, const sim_pod_row *row, as_err *err);
    /* A figure of the run as a whole, given once after its rows (e.g.
     * oracle_passes: the passes of the oracle at the request level). */
    int (*attr)(void *ud, const char *key, double value, as_err *err);
} sim_sink;

#endif
