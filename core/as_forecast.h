/* as_forecast.h - forecaster interface, wrapper and registry.
 * Owns: forecaster instances and their state (all memory taken at _new).
 * Invariant: observations come at a fixed step, times never decrease; a
 * missing observation is NAN and is never read as zero; update() and
 * forecast() never allocate, print or return NAN/inf in their outputs.
 * Must not: read a clock, print, or include sim/.
 * To add a kind: copy core/forecast/fc_naive.c, fill its table, add its
 * pointer to the registry in as_forecast.c, and the conformance tests in
 * tests/test_forecast.c pick it up. */
#ifndef AS_FORECAST_H
#define AS_FORECAST_H

#include "as.h"
#include "as_param.h"

/* Settings shared by every forecaster kind; kind-specific values are in
 * the params table of each type and stored in cfg[]. */
typedef struct as_forecast_common {
    as_time step;     /* spacing of observations */
    int season;       /* season length in steps (0 = none) */
    int max_horizon;  /* largest h a forecast() call will ask for */
    double coverage;  /* central interval coverage, e.g. 0.9 */
} as_forecast_common;

typedef struct as_forecaster_type {
    int version;                 /* 1 */
    const char *name;            /* matched against "forecaster = NAME" */
    size_t config_size;          /* bytes of the kind's config struct */
    const as_param_def *params;  /* kind-specific keys (NULL-name terminated) */
    void (*defaults)(void *cfg); /* fill config with defaults */
    /* Allocate state for cfg; all memory is taken here. */
    int (*create)(const as_forecast_common *common, const void *cfg, void **state, as_err *err);
    void (*destroy)(void *state); /* may be NULL-safe; state may be NULL */
    /* One observation at time t (y may be NAN: missing). O(1) or O(window). */
    void (*update)(void *state, as_time t, double y);
    /* h steps ahead from the last update: out arrays of length h. */
    void (*forecast)(const void *state, int h, double *mean, double *lo, double *hi);
} as_forecaster_type;

typedef struct as_forecaster as_forecaster;

const as_forecaster_type *as_forecaster_type_find(const char *name);
/* NULL-terminated list of every registered kind. */
const as_forecaster_type *const *as_forecaster_types(void);

/* cfg may be NULL (defaults). Caller owns the result; free with _free. */
as_forecaster *as_forecaster_new(const as_forecaster_type *type, const as_forecast_common *common,
                                 const void *cfg, as_err *err);
void as_forecaster_free(as_forecaster *f);
void as_forecaster_update(as_forecaster *f, as_time t, double y);
/* h in [1, max_horizon]; outputs are finite; lo <= mean <= hi. */
void as_forecaster_predict(const as_forecaster *f, int h, double *mean, double *lo, double *hi);
const as_forecaster_type *as_forecaster_kind(const as_forecaster *f);

#endif
