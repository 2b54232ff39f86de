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

#endif
