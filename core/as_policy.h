/* as_policy.h - scaling policy interface, decision records and wrapper.
 * Owns: policy instances and their state (all memory taken at _new).
 * Invariant: decide() is called with non-decreasing obs->now (asserted by
 * the wrapper), never allocates, and returns desired within [obs->min,
 * obs->max]; a missing metric is NAN and is handled as the real autoscaler
 * handles it.
 * Must not: read a clock, print, or include sim/.
 * To add a kind: copy core/policy/pol_template.c (its header lists the
 * steps) and add one line to the registry in core/as_registry.c. */
#ifndef AS_POLICY_H
#define AS_POLICY_H

#include "as.h"
#include "as_kind.h"
#include "as_monitor.h"
#include "as_param.h"

#include <stdbool.h>

/* A ready instance as a Kubernetes pod: when it was requested (the pod's
 * StartTime) and when it became ready (its Ready transition). */
typedef struct as_pod {
    as_time start, ready;
} as_pod;

/* The run's own latency model, asked by policies that size for the SLO
 * (the oracle, `sizing = slo`): the least servers of the tier (not
 * instances) whose requests at `rate` visits/s meet the tier's share of
 * the SLO; cmax + 1 when no count up to cmax does. The driver implements
 * it with the latency model the run uses (sim/engine: the M/G/c law of the
 * tier's service; at the request level with a margin for the sampling
 * noise of a window). */
typedef struct as_sizer {
    int (*servers)(void *ud, double rate, int cmax);
    /* The inverse for a policy that prices the risk itself (predictive):
     * the largest rate `servers` servers serve within the tier's share of
     * the SLO by the same law, without the request level's margin; 0 when
     * service alone misses it. NULL: not offered. */
    double (*max_rate)(void *ud, int servers);
    void *ud;
} as_sizer;

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
    const as_sizer *sizer;  /* the run's latency model (NULL: M/M/c with scv_factor) */
    double slo_latency;     /* the scenario's latency target, s */
    double slo_percentile;  /* e.g. 0.95 */
    as_time boot_time;      /* expected time from request to ready */
    /* What a cost-minimising policy weighs and how late its data is (0
     * when the driver does not know): */
    double price;           /* per instance-hour of the tier's current type */
    double slo_penalty;     /* per hour of SLO violation of the application */
    as_time data_age;       /* mean age of the observed rate (lag, averaging window) */
    /* Further monitored signals, indexed by as_signal (as_monitor.h), with
     * the same scrape, window and lag; NAN = missing. A driver that sets
     * none leaves them 0: policies read a signal only when configured to. */
    double signal[AS_SIG_COUNT];
    /* The ready instances one by one (borrowed, valid during decide();
     * npods = 0 and pods = NULL when the driver gives no detail: every
     * ready instance is then taken as long ready and measured), and the
     * Timestamp and Window of the newest utilisation sample (metric_time
     * -1: none), for the HPA's readiness rules. */
    int npods;
    const as_pod *pods;
    as_time metric_time, metric_window;
} as_observation;

struct as_forecaster;

/* A forecast of the arrival rate, h steps of `step` from now (NULL when
 * the policy has no forecaster). For `oracle` it is the true future. */
typedef struct as_forecast_view {
    int h;
    as_time step;
    const double *mean, *lo, *hi; /* length h */
    bool anomaly;                 /* the detector flags the latest sample */
    double coverage;              /* central coverage of [lo, hi] (0: unknown) */
    /* The forecaster itself (borrowed; NULL: none, e.g. the oracle's true
     * future): its whole distribution through as_forecaster_tail. */
    const struct as_forecaster *source;
    /* Instances to add, step by step, to what the rate needs (length h;
     * NULL: none). Only the oracle reads it: at the request level the
     * driver raises the plan where a previous pass over the same realized
     * requests failed an SLO window (sim/engine/sim_refine.c). */
    const int *lift;
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
    AS_R_SURPRISE,       /* observed rate above the forecast's upper bound, or a backlog */
    AS_R_COUNT
} as_reason;

const char *as_reason_name(as_reason r);

typedef struct as_decision {
    int raw;          /* the policy's unlimited recommendation */
    int desired;      /* after the policy's own limits, in [min, max] */
    as_reason reason; /* why desired is what it is */
} as_decision;

/* The tail of a kind's decide() that plans a count: out->raw = raw, and
 * out->desired = want clamped to [obs->min, obs->max], the reason why
 * unless the clamp is what keeps the count from moving the way it wanted
 * (AS_R_AT_MAX, AS_R_AT_MIN). The wrapper clamps again whatever a kind
 * returns, but it cannot tell a clamp that held the count from one that
 * only trimmed it: a kind that has a reason of its own calls this. */
void as_decision_clamp(as_decision *out, const as_observation *obs, int raw, int want,
                       as_reason why);

/* The spacing of a kind's decisions, measured between the times it is
 * asked (the wrapper's interval, which a kind that plans over "boot time +
 * interval" may leave unset). Zeroed: nothing measured yet. */
typedef struct as_cadence {
    bool seen;
    as_time last, measured; /* measured: 0 = unknown */
} as_cadence;

/* A decision at now. */
static inline void as_cadence_tick(as_cadence *c, as_time now)
{
    if (c->seen && now > c->last)
        c->measured = now - c->last;
    c->seen = true;
    c->last = now;
}

/* The interval to plan with: configured when > 0, else the measured one,
 * else fallback. */
static inline as_time as_cadence_interval(const as_cadence *c, as_time configured,
                                          as_time fallback)
{
    return configured > 0 ? configured : c->measured > 0 ? c->measured : fallback;
}

/* A policy kind: the shared head (as_kind.h: version, name, flags,
 * state_size, config_size, params, defaults, fini), then the policy's own
 * slots. Each kind keeps its methods static and exports one const
 * object, as_pol_<kind>. */
typedef struct as_policy_type {
    union {
        as_kind kind;             /* the head as an as_kind, for generic code */
        struct { AS_KIND_HEAD }; /* the same fields by name: t->name, t->params */
    };
    as_time default_interval; /* evaluation period of the real system (> 0) */
    /* Fill the zeroed state (state_size bytes) from cfg; AS_EINVAL naming
     * the key for a bad combination of settings. Memory beyond the state
     * is taken here and released by fini. */
    int (*init)(void *state, const void *cfg, as_err *err);
    /* One evaluation: out arrives as {current, current, AS_R_NONE}. */
    void (*decide)(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out);
    /* Version 2. What decide() reads of the monitored metrics beyond
     * utilization, given the state init() filled: bits 1u << k of the
     * further signals (as_signal k), AS_OBS_RATE and AS_OBS_LATENCY; NULL
     * (or a version 1 kind): all of them. A driver may leave the others
     * unmonitored (a view of each is a walk over a window of samples, every
     * evaluation; the observation then holds 0 or NAN there): decide() must
     * not read what it left out. */
    unsigned (*signals)(const void *state);
} as_policy_type;

/* as_policy_type.signals' bits beyond the signals' own: the observation's
 * rate and latency. */
#define AS_OBS_RATE (1u << AS_SIG_COUNT)
#define AS_OBS_LATENCY (1u << (AS_SIG_COUNT + 1))
#define AS_OBS_ALL (AS_SIG_ALL | AS_OBS_RATE | AS_OBS_LATENCY)

typedef struct as_policy as_policy;

/* The kinds users may pick (templates excluded), NULL-terminated, in the
 * order --help lists them; and one of them by name (NULL: none). Defined
 * in as_registry.c, which also lists the templates. */
const as_policy_type *const *as_policy_types(void);
const as_policy_type *as_policy_type_find(const char *name);
/* The flags of the user kind named `name`, 0 when there is none: for
 * callers that hold only a name, e.g. read back from a results file
 * (flags & AS_KIND_SEES_FUTURE instead of comparing with "oracle"). */
unsigned as_policy_flags_of(const char *name);

/* cfg may be NULL (the kind's defaults); it is copied, not kept. NULL on
 * failure with err filled: AS_EINVAL (bad settings, unknown version),
 * AS_ENOMEM. Caller owns the result; free with as_policy_free (NULL ok). */
as_policy *as_policy_new(const as_policy_type *type, const void *cfg, as_err *err);
void as_policy_free(as_policy *p);
/* Calls the kind's decide() and clamps the result to [min, max]. Asserts
 * that obs->now never goes back. Never allocates. */
void as_policy_decide(as_policy *p, const as_observation *obs, const as_forecast_view *fc,
                      as_decision *out);
const as_policy_type *as_policy_kind(const as_policy *p);
/* What p's kind reads (see as_policy_type.signals): AS_OBS_ALL unless the
 * kind says. */
unsigned as_policy_signals(const as_policy *p);

#endif
