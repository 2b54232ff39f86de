/* as_forecast.h - forecaster interface and wrapper.
 * Owns: forecaster instances and their state (all memory taken at _new).
 * Invariant: observations come at a fixed step, times never decrease
 * (asserted by the wrapper); a missing observation is NAN and is never
 * read as zero; update() and forecast() never allocate, print or return
 * NAN/inf in their outputs.
 * Must not: read a clock, print, or include sim/.
 * To add a kind: copy core/forecast/fc_template.c (its header lists the
 * steps) and add one line to the registry in core/as_registry.c; the
 * conformance tests in tests/test_forecast.c then cover it. */
#ifndef AS_FORECAST_H
#define AS_FORECAST_H

#include "as.h"
#include "as_kind.h"
#include "as_param.h"

/* Settings shared by every forecaster kind; kind-specific values are in
 * the params table of each type and stored in cfg[]. */
typedef struct as_forecast_common {
    as_time step;     /* spacing of observations */
    int season;       /* season length in steps (0 = none) */
    int max_horizon;  /* largest h a forecast() call will ask for */
    double coverage;  /* central interval coverage, e.g. 0.9 */
    /* true: the caller reads only the path (as `auto` does of its members),
     * so the kinds skip their error windows: the interval is the spread of
     * the observations and the tail NAN. Most of an update's cost saved. */
    bool no_intervals;
    /* true: the series is never negative (an arrival rate), so every path
     * is floored at 0. A linear or trend model extrapolates a fall below
     * zero (holt after a spike from a near-zero base); for an outcome
     * y >= 0, max(0, f) is never further from y than f, and the
     * interval's inverse map is exact only for a forecast >= 0 (fc_conf.c,
     * outcome_of). Measured on a synthetic day of serverless invocations
     * (many near-zero minutes, 15-minute timer bursts), holt at h = 1..10:
     * MASE 2.446 -> 2.079, coverage of the 90 % interval 0.811 -> 0.903.
     * false for a series that may be negative (auto's log members). */
    bool nonneg;
} as_forecast_common;

/* A forecaster kind: the shared head (as_kind.h), then its own slots.
 * Each kind keeps its methods static and exports one const object,
 * as_fc_<kind>. */
typedef struct as_forecaster_type {
    union {
        as_kind kind;             /* the head as an as_kind, for generic code */
        struct { AS_KIND_HEAD }; /* the same fields by name: t->name, t->params */
    };
    /* Fill the zeroed state (state_size bytes) for these settings; memory
     * that depends on them (windows, workspaces) is taken here, released
     * by fini. AS_EINVAL naming the key for settings it cannot use. */
    int (*init)(void *state, const as_forecast_common *common, const void *cfg, as_err *err);
    /* One observation at time t (y may be NAN: missing). O(1) or O(window). */
    void (*update)(void *state, as_time t, double y);
    /* h steps ahead from the last update: out arrays of length h. Kinds
     * that keep their path in an fc_track use fc_track_forecast_method. */
    void (*forecast)(const void *state, int h, double *mean, double *lo, double *hi);
    /* Optional slots (NULL: the wrapper's default, below). They came after
     * version 1 without a bump: a NULL slot is what every kind written
     * before them means, and designated initializers leave it NULL. */
    /* The forecast distribution h steps ahead: P(y > x), with the median
     * raised to at least at_least, and *excess = E[(y - x)+]. NAN when the
     * kind cannot tell yet. Kinds with an fc_track use fc_track_tail_method
     * (the conformal tail of their own errors). */
    double (*tail)(const void *state, int h, double at_least, double x, double *excess);
    /* Observations the kind needs before its forecasts are its model's own
     * (until then it forecasts a fallback: the last value, the seasonal
     * naive); 0 when it has no warm-up. */
    long (*warmup)(const void *state);
} as_forecaster_type;

typedef struct as_forecaster as_forecaster;

/* The kinds users may pick (templates excluded), NULL-terminated; and one
 * of them by name (NULL name or no such kind: NULL). In as_registry.c. */
const as_forecaster_type *const *as_forecaster_types(void);
const as_forecaster_type *as_forecaster_type_find(const char *name);

/* cfg may be NULL (defaults). AS_EINVAL for bad common settings, a bad
 * config or an unknown interface version. Caller owns the result; free
 * with as_forecaster_free (NULL ok). */
as_forecaster *as_forecaster_new(const as_forecaster_type *type, const as_forecast_common *common,
                                 const void *cfg, as_err *err);
void as_forecaster_free(as_forecaster *f);
/* Asserts that t never goes back; inf is taken as missing (NAN). */
void as_forecaster_update(as_forecaster *f, as_time t, double y);
/* h in [1, max_horizon]; outputs are finite; lo <= mean <= hi. */
void as_forecaster_predict(const as_forecaster *f, int h, double *mean, double *lo, double *hi);
const as_forecaster_type *as_forecaster_kind(const as_forecaster *f);
/* The kind's tail (see the slot); NAN (and *excess 0) for a kind without
 * one, or without errors to tell from yet: the caller then falls back on
 * the interval of as_forecaster_predict. h in [1, max_horizon]. */
double as_forecaster_tail(const as_forecaster *f, int h, double at_least, double x,
                          double *excess);
/* The kind's warm-up in observations (0 for a kind without the slot). */
long as_forecaster_warmup(const as_forecaster *f);

/* Is y - yhat rounding, not an error: within AS_FC_ROUNDING of their
 * magnitudes and of the series' level (its mean |y|)? A forecast of a
 * series without noise (a generated daily cycle, read a season later by
 * seasonal_naive; a pattern linreg fits exactly) misses by the last bits
 * of the trace's arithmetic, 1e-16 to 1e-11 of the level. Such an error is
 * none: the conformal windows store it as 0 (an interval of width 0, not
 * one of +-1e-11 that half the outcomes miss by their last bits; and a
 * bin of 0, read in O(1), not 500 rounding errors in the one bin below
 * 2^-20 selected at every read: a week of a noiseless cycle under the
 * predictive policy took 2.6x the time of a noisy one), and `simrun
 * forecast` scores it as a hit: inside the interval, not an under-
 * forecast, a sMAPE term of 0 (not 200 for a forecast of 4e-14 where 0
 * came). 1e-9 of 1e6 req/s is 0.001 req/s: no traffic is told apart
 * below it. NAN or inf in either: false. */
#define AS_FC_ROUNDING 1e-9
static inline bool as_fc_rounding(double y, double yhat, double level)
{
    double d = fabs(y - yhat); /* (NAN or inf when either is: d < inf is false) */
    return d <= AS_FC_ROUNDING * (fabs(y) + fabs(yhat) + level) && d < INFINITY;
}

#endif
