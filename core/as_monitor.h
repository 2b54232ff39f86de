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

/* scrape: expected spacing of samples; window: averaging window; lag:
 * delay before a sample becomes visible. Caller owns the result. */
as_monitor *as_monitor_new(as_time scrape, as_time window, as_time lag, as_err *err);
void as_monitor_free(as_monitor *m);
void as_monitor_push(as_monitor *m, as_time t, double value);
/* Mean of the samples with t in (now - lag - window, now - lag]; NAN if none. */
double as_monitor_view(const as_monitor *m, as_time now);
/* The newest visible sample (t <= now - lag); NAN if none. */
double as_monitor_last(const as_monitor *m, as_time now);

#endif
