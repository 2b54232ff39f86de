/* as_monitor.h - what an autoscaler sees of a metric: timestamped samples
 * (scrapes), visible only after a reporting lag, averaged over a window.
 * Owns: a ring of samples sized at _new for window + lag.
 * Invariant: push() times never decrease; push and view never allocate;
 * a missing sample is NAN and is skipped, never read as zero; a view with
 * no visible sample is NAN (missing).
 * Must not: read a clock or draw random numbers (noise is the caller's). */
#ifndef AS_MONITOR_H
#define AS_MONITOR_H

#include "as.h"

typedef struct as_monitor as_monitor;

/* How the samples in the window are reduced to one value. */
typedef enum as_agg {
    AS_AGG_MEAN,       /* mean of the samples (metrics-server style average) */
    AS_AGG_MAX,        /* largest sample */
    AS_AGG_MIN,        /* smallest sample */
    AS_AGG_LAST,       /* newest visible sample */
    AS_AGG_PERCENTILE, /* nearest-rank percentile of the samples */
    AS_AGG_RATE        /* samples are a counter: (last - first) / (t_last - t_first),
                        * as Prometheus rate() without extrapolation; a counter
                        * reset (decrease) restarts the sum as Prometheus does */
} as_agg;

extern const char *const as_agg_names[]; /* "mean", "max", ..., NULL */

/* What a driver monitors of a tier beyond utilisation, request rate and
 * latency, each in a monitor of its own with the same scrape, window, lag
 * and aggregation, for the metrics autoscalers are configured with:
 * Kubernetes Pods metrics (requests per second per pod), Object and
 * External metrics (a queue's length, requests in flight), memory
 * utilisation, AWS ALBRequestCountPerTarget. */
typedef enum as_signal {
    AS_SIG_RPS_POD,  /* requests/s per ready instance over the scrape */
    AS_SIG_QUEUE,    /* requests waiting in the tier (time average) */
    AS_SIG_INFLIGHT, /* requests waiting or in service in the tier (time average) */
    AS_SIG_MEMORY,   /* MB per ready instance: memory_base + per request in flight */
    AS_SIG_COUNT
} as_signal;

#define AS_SIG_ALL ((1u << AS_SIG_COUNT) - 1) /* every signal, as bits 1u << k */

extern const char *const as_signal_names[]; /* "rps_per_pod", "queue", ..., NULL */

/* scrape: expected spacing of samples; window: averaging window; lag:
 * delay before a sample becomes visible. Caller owns the result. */
as_monitor *as_monitor_new(as_time scrape, as_time window, as_time lag, as_err *err);
void as_monitor_free(as_monitor *m);
/* Default: AS_AGG_MEAN. p is the percentile for AS_AGG_PERCENTILE (0..1). */
void as_monitor_set_agg(as_monitor *m, as_agg agg, double p);
void as_monitor_push(as_monitor *m, as_time t, double value);
/* The aggregate of the samples with t in (now - lag - window, now - lag];
 * NAN if none (for AS_AGG_RATE: if fewer than two). */
double as_monitor_view(const as_monitor *m, as_time now);
/* The newest visible sample (t <= now - lag); NAN if none. */
double as_monitor_last(const as_monitor *m, as_time now);
/* The time of the newest visible sample that is not missing; -1 if none
 * (what the Kubernetes metrics API reports as the sample's Timestamp). */
as_time as_monitor_last_time(const as_monitor *m, as_time now);
/* The averaging window given at _new (the sample's Window). */
as_time as_monitor_window(const as_monitor *m);

#endif
