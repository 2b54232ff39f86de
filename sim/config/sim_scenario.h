/* sim_scenario.h - a scenario: the INI file resolved into typed settings.
 * Owns: the scenario struct, its trace config and every policy config.
 * Invariant: a loaded scenario is fully validated: every key known, every
 * value in range, cross-key rules checked (min <= initial <= max, ...),
 * every name (scenario, tier, policy, instance type) a valid as_name;
 * errors name file, line and key. The scenario file is read only if it is
 * a regular file of at most SIM_SCENARIO_MAX_BYTES.
 * Files: sim_scenario.c (reading, the passes; the only file that includes
 * ini.h), sim_scenario_sections.c (the table of sections and their keys),
 * sim_scenario_policy.c ([policy.NAME]), sim_scenario_check.c (cross-key
 * rules); sim_scenario_int.h is what they share.
 * Must not: run anything, touch HDF5, or print (warnings go to a sink). */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include "as.h"
#include "as_name.h"
#include "as_policy.h"
#include "tr_trace.h"

#include <stdbool.h>
#include <stdint.h>

#define SIM_MAX_TIERS 8
#define SIM_MAX_POLICIES 32
#define SIM_NAME_LEN 32 /* a tier or policy name with its NUL: at most 31 bytes */
#define SIM_STR 32 /* a name or reason as stored in results (run, kind, reason) */
#define SIM_MAX_TYPES 8        /* instance types of one tier */
#define SIM_TYPE_NAME_LEN 16   /* an instance type name with its NUL */
#define SIM_MAX_OUTAGES 16     /* [faults] metric_outage windows */
#define SIM_MAX_SWEEP 16       /* [sweep] keys */
/* Ticks of one run beyond which a longer tick is asked for (memory and time
 * of a run grow with them); the message says 4e8. Also the most rows
 * `simrun trace gen` writes: no run replays a longer trace at one rate a
 * tick. */
#define SIM_MAX_TICKS 400000000LL
/* Largest scenario file read: far above any real one (a few KB), low
 * enough that its text can be kept in memory and in the results file. */
#define SIM_SCENARIO_MAX_BYTES ((size_t)16 << 20)

enum { SIM_MODEL_ANALYTIC, SIM_MODEL_DES };
enum { SIM_DIST_EXP, SIM_DIST_DET, SIM_DIST_UNIFORM, SIM_DIST_NORMAL, SIM_DIST_LOGNORMAL };
enum { SIM_SCALEIN_NEWEST, SIM_SCALEIN_OLDEST };
enum { SIM_NOISE_MULTIPLICATIVE, SIM_NOISE_ADDITIVE };

typedef struct sim_tier_cfg {
    char name[SIM_NAME_LEN];
    as_time service_time;    /* mean service time of one request at one server */
    int service_dist;        /* SIM_DIST_*: exponential, deterministic, ... */
    double service_cv;       /* coefficient of variation (uniform/normal/lognormal) */
    int concurrency;         /* servers (worker slots) per instance */
    int min, max, initial;   /* instance bounds and start count */
    as_time boot_time;       /* mean time from request to ready */
    as_time boot_jitter;     /* spread of the boot time (dist-specific) */
    int boot_dist;           /* SIM_DIST_* except exponential */
    as_time drain_time;      /* time a removed instance keeps finishing work */
    double price_per_hour;   /* per instance */
    as_time billing_granularity; /* e.g. 1s or 1h */
    as_time billing_minimum;     /* e.g. 60s */
    double visits;           /* visits of this tier per end-to-end request */
    bool autoscale;          /* false: the tier stays at `initial` */
    /* instance types for vertical scaling: `types = NAME:FACTOR:PRICE:BOOT, ...`
     * (FACTOR x concurrency servers per instance); without the key, one type
     * of factor 1 at `price` and `boot_time` */
    int ntypes;
    struct sim_itype {
        char name[SIM_TYPE_NAME_LEN];
        int factor;
        double price;
        as_time boot;
    } types[SIM_MAX_TYPES];
    int type;                /* the initial type */
    char type_name[SIM_TYPE_NAME_LEN]; /* as given, resolved after every key is read */
    double memory_base;      /* MB per instance */
    double memory_per_request; /* MB per request in flight */
    int scale_in;            /* SIM_SCALEIN_* */
    double queue_cap;        /* requests queued beyond which arrivals drop; 0 = none */
    /* what one pod (instance of factor 1) requests of a node, with node
     * pools only: millicores and MiB (0 = not given) */
    int64_t cpu_request, mem_request;
    int64_t manifest_cpu, manifest_mem; /* from pod_manifest (0: none); the keys win */
} sim_tier_cfg;

#define SIM_MAX_NODEPOOLS 8
enum { SIM_NODES_STATIC, SIM_NODES_CA, SIM_NODES_KARPENTER };
enum { SIM_SCORE_LEAST, SIM_SCORE_MOST };
enum { SIM_EXPAND_RANDOM, SIM_EXPAND_LEAST_WASTE, SIM_EXPAND_PRICE };

/* [nodepool.NAME]: nodes the tiers' pods run on. */
typedef struct sim_nodepool_cfg {
    char name[SIM_NAME_LEN];
    int64_t cpu, mem;        /* allocatable per node: millicores, MiB */
    double price_per_hour;   /* per node */
    as_time boot_time, boot_jitter;
    int boot_dist;           /* SIM_DIST_* */
    int min, max, initial;
    as_time billing_granularity, billing_minimum;
    bool spot;
    double interruption_rate;   /* spot: interruptions per node-hour */
    as_time interruption_notice; /* spot: warning before the node goes */
} sim_nodepool_cfg;

/* [nodes]: how pods are placed and how node pools scale. */
typedef struct sim_nodes_cfg {
    int autoscaler;          /* SIM_NODES_* */
    int scoring;             /* SIM_SCORE_* */
    int expander;            /* SIM_EXPAND_* */
    as_time scan, unneeded_time, delay_after_add, delay_after_delete, max_provision;
    double threshold;
    int max_empty_bulk;
    as_time consolidate_after; /* Karpenter */
    int line;                /* line of [nodes] (0: not given) */
} sim_nodes_cfg;

typedef struct sim_policy_cfg {
    char name[SIM_NAME_LEN];        /* section suffix: [policy.NAME] */
    const as_policy_type *type;
    void *cfg;                      /* type->config_size bytes */
    as_time interval;               /* evaluation period */
    int line;                       /* line of the section, for messages */
    /* prediction, for kinds that want a forecast (predictive, aws_predictive, hybrid) */
    char forecaster[SIM_NAME_LEN];  /* forecaster kind (default auto) */
    as_time season;                 /* season length (default 1d) */
    double coverage;                /* prediction interval coverage */
    char detector[SIM_NAME_LEN];    /* anomaly detector kind ("" = none) */
    /* monitoring as this policy sees it; 0 / -1 = the [monitoring] value */
    as_time m_scrape, m_window, m_lag;
    int m_agg;
    /* replica bounds from a manifest (minReplicas/maxReplicas): 0 = the
     * tier's min/max; applied within the tier's bounds */
    int min, max;
    unsigned tiers_mask;            /* tiers this policy scales (0 = every autoscaled tier) */
    char tiers[SIM_MAX_TIERS * SIM_NAME_LEN]; /* `tiers` as given ("web,app"), resolved
                                               * into tiers_mask once every tier is known */
    bool bottleneck;                /* scale out only the tier that limits latency */
    bool vertical;                  /* also move tiers between instance types */
    bool approximate;               /* its manifest had fields the simulator does not model,
                                     * passed over under --lenient (sim_warn.lenient) */
} sim_policy_cfg;

typedef struct sim_scenario {
    char path[1024];         /* the file as given */
    char *text;              /* the whole file, for the results attributes */
    char name[64];
    char description[256];
    as_time duration, tick, record;
    uint64_t seed;
    int model;               /* SIM_MODEL_* */
    tr_config *trace;
    int ntiers;
    sim_tier_cfg tiers[SIM_MAX_TIERS];
    double slo_latency;      /* seconds */
    double slo_percentile;   /* e.g. 0.95 */
    double penalty_per_hour; /* cost of one hour of SLO violation */
    double max_violation;    /* [slo] max_violation as given (-1: not given): the old form of
                              * the objective, 1 - max_violation of the windows */
    as_time slo_window;      /* W: the SLO is judged per window of this length (1 min) */
    double slo_objective;    /* O: share of windows that must hold (0.99) */
    bool slo_objective_set;  /* given as `objective` (not derived from max_violation) */
    double slo_max_errors;   /* share of requests that may fail in a window; < 0: no such objective */
    /* [clients] */
    as_time timeout;         /* a request that waited this long gives up (error); 0 = never */
    int retries;             /* attempts after the first one that gives up or is dropped */
    as_time backoff;         /* wait before retry k: min(backoff 2^k, backoff_max), equal jitter */
    as_time backoff_max;
    as_time scrape;          /* monitoring scrape interval */
    as_time window;          /* averaging window */
    as_time lag;             /* reporting delay */
    double noise;            /* Gaussian noise on samples (relative or absolute) */
    int noise_type;          /* SIM_NOISE_* */
    int aggregation;         /* as_agg of utilisation and latency views */
    double agg_percentile;   /* for aggregation = percentile */
    /* [faults] */
    double crash_rate;       /* crashes per ready instance-hour */
    double boot_failure;     /* probability that a boot fails */
    double boot_outlier;     /* probability that a boot takes boot_outlier_factor x */
    double boot_outlier_factor;
    as_time metric_delay;    /* extra reporting delay on top of lag */
    int noutages;
    /* metric outages: the monitor sees nothing */
    as_time outage_start[SIM_MAX_OUTAGES], outage_len[SIM_MAX_OUTAGES];
    /* execution limits */
    int max_instances;       /* quota over all tiers (0 = none) */
    double budget;           /* cost per hour over all tiers (0 = none) */
    int npolicies;
    sim_policy_cfg policies[SIM_MAX_POLICIES];
    /* the node layer (none without [nodepool.NAME] sections) */
    int nnodepools;
    sim_nodepool_cfg nodepools[SIM_MAX_NODEPOOLS];
    sim_nodes_cfg nodes;
    char overrides[2048];    /* --set lines applied, for the results */
    const struct sim_warn *warn; /* the sink it was loaded with (borrowed; may be NULL), for
                                  * the points of its sweep that read another manifest */
    /* [sweep]: SECTION.KEY = v1,v2,... or lo:hi:step; expanded by sim_sweep */
    int nsweep;
    struct sim_sweep_key {
        char key[128];       /* "policy.hpa.target", "tier.web.boot_time" */
        char values[512];    /* as written */
        int line;
    } sweep[SIM_MAX_SWEEP];
    int repetitions;         /* runs per point, each with a derived seed */
} sim_scenario;

/* Where the loader's warnings go (a production setting the simulator
 * approximates, a manifest field it ignores): fn is called with one line,
 * without a newline, valid during the call only. The library never prints:
 * simrun writes the lines to stderr, tests collect them. */
typedef struct sim_warn {
    void (*fn)(void *ud, const char *line);
    void *ud;
    /* A manifest or policy field the simulator does not model is an error
     * (exit 2); lenient (simrun --lenient) makes it a warning and marks the
     * policy approximate (sim_policy_cfg.approximate). */
    bool lenient;
} sim_warn;

/* How to load a scenario. */
typedef struct sim_load_opts {
    const char *const *overrides; /* "SECTION.KEY=VALUE" (--set); they change sections of
                                   * the file and never add one */
    int noverrides;
    const sim_warn *warn;         /* NULL: warnings are dropped */
} sim_load_opts;

/* Load and validate. opts may be NULL. On error returns NULL, err names
 * "FILE:LINE: [section] key 'k': reason" (or "--set ARG: reason"). */
sim_scenario *sim_scenario_open(const char *path, const sim_load_opts *opts, as_err *err);
/* sim_scenario_open with overrides (may be NULL) and no warning sink: for
 * callers that want the settings, not the advice (tests, trace gen). */
sim_scenario *sim_scenario_load(const char *path, const char *const *overrides, int noverrides,
                                as_err *err);
void sim_scenario_free(sim_scenario *s);

/* Help text of every section and key, for --help-keys and the README:
 * each key with its allowed values and default. filter (NULL: all): a
 * section ("tier", "policy"), a policy kind ("hpa": the keys of every
 * policy and that kind's) or a key name (every section's key of that name).
 * Returns the number of keys printed (0: the filter matched nothing). */
int sim_scenario_print_keys(void *stream, const char *filter);

#endif
