/* as_policy.h - scaling policy interface, decision records and registry.
 * Owns: policy instances and their state (all memory taken at _new).
 * Invariant: decide() is called with non-decreasing obs->now, never
 * allocates, and returns desired within [obs->min, obs->max]; a missing
 * metric is NAN and is handled as the real autoscaler handles it.
 * Must not: read a clock, print, or include sim/.
 * To add a kind: copy core/policy/pol_static.c, fill its table and add its
 * pointer to the registry in as_policy.c. */
#ifndef AS_POLICY_H
#define AS_POLICY_H

#include "as.h"
#include "as_param.h"

#include <stdbool.h>

/* What a policy sees of one tier at one evaluation. Values are what the
 * monitoring pipeline reports (late, averaged), not the simulator's truth. */
typedef struct as_observation {
    as_time now;
    int current;        /* instances counted as capacity: ready + booting */
    int ready;          /* ready instances (serving) */
    int booting;        /* requested and not yet ready (warming) */
    int min, max;       /* bounds of the tier */
    double utilization; /* mean busy fraction of ready instances; NAN = missing */
    double rate;        /* arrivals, requests/s; NAN = missing */
    double latency;     /* observed p95 response time, s; NAN = missing */
    double capacity;    /* requests/s one instance serves at utilization 1 */
    /* What the queueing model needs (for demand, oracle, predictive): */
    double service_rate;    /* mu: completions/s of one server (1/mean service time) */
    int concurrency;        /* servers per instance: capacity = concurrency * mu */
    double scv_factor;      /* Allen-Cunneen (ca2 + cs2)/2; 1 for M/M/c */
    double slo_latency;     /* the scenario's latency target, s */
    double slo_percentile;  /* e.g. 0.95 */
    as_time boot_time;      /* expected time from request to ready */
} as_observation;

/* A forecast of the arrival rate, h steps of `step` from now (NULL when
 * the policy has no forecaster). For `oracle` it is the true future. */
typedef struct as_forecast_view {
    int h;
    as_time step;
    const double *mean, *lo, *hi; /* length h */
    bool anomaly;                 /* the detector flags the latest sample */
} as_forecast_view;

typedef enum as_reason {
    AS_R_NONE = 0,       /* no change needed */
    AS_R_SCALE_OUT,      /* capacity increased */
    AS_R_SCALE_IN,       /* capacity decreased */
    AS_R_TOLERANCE,      /* change within tolerance: kept */
    AS_R_STABILIZED,     /* held by a stabilization window */
    AS_R_RATE_LIMITED,   /* limited by a scaling rate policy */
    AS_R_AT_MAX,         /* clamped to max instances */
    AS_R_AT_MIN,         /* clamped to min instances */
    AS_R_COOLDOWN,       /* inside a cooldown */
    AS_R_MISSING_METRIC, /* metric missing: no scale-in */
    AS_R_LOW_CONFIDENCE, /* forecast interval too wide: reactive fallback */
    AS_R_ANOMALY,        /* anomaly detected: reactive fallback */
    AS_R_WARMUP,         /* instances warming up: scale-in blocked */
    AS_R_BUDGET,         /* budget cap limits scale-out */
    AS_R_QUOTA,          /* scenario instance quota limits scale-out */
    AS_R_PREDICTIVE,     /* capacity set ahead of the forecast */
    AS_R_COUNT
} as_reason;

const char *as_reason_name(as_reason r);

typedef struct as_decision {
    int raw;          /* the policy's unlimited recommendation */
    int desired;      /* after the policy's own limits, in [min, max] */
    as_reason reason; /* why desired is what it is */
} as_decision;

typedef struct as_policy_type {
    int version;                 /* 1 */
    const char *name;            /* matched against "kind = NAME" */
    size_t config_size;
    const as_param_def *params;  /* kind-specific keys (NULL-name terminated) */
    void (*defaults)(void *cfg);
    as_time default_interval;    /* evaluation period of the real system */
    bool wants_forecast;         /* the simulator must supply a forecast view */
    int (*create)(const void *cfg, void **state, as_err *err);
    void (*destroy)(void *state);
    void (*decide)(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out);
} as_policy_type;

typedef struct as_policy as_policy;

const as_policy_type *as_policy_type_find(const char *name);
const as_policy_type *const *as_policy_types(void);
as_policy *as_policy_new(const as_policy_type *type, const void *cfg, as_err *err);
void as_policy_free(as_policy *p);
/* Calls the kind's decide() and clamps the result to [min, max]. */
void as_policy_decide(as_policy *p, const as_observation *obs, const as_forecast_view *fc,
                      as_decision *out);
const as_policy_type *as_policy_kind(const as_policy *p);

#endif
