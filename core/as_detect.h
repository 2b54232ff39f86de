/* as_detect.h - anomaly detector interface, wrapper and registry.
 * Owns: detector instances (all memory taken at _new).
 * Invariant: observe() never allocates; it returns a finite score (0 while
 * warming up or for a missing NAN observation) and sets *flag when the
 * score's magnitude exceeds the configured threshold.
 * Must not: read a clock, print, or include sim/. */
#ifndef AS_DETECT_H
#define AS_DETECT_H

#include "as.h"
#include "as_param.h"

#include <stdbool.h>

typedef struct as_detector_type {
    int version;
    const char *name; /* "zscore", "mad", "ewma_residual" */
    size_t config_size;
    const as_param_def *params; /* e.g. window, threshold */
    void (*defaults)(void *cfg);
    int (*create)(const void *cfg, void **state, as_err *err);
    void (*destroy)(void *state);
    double (*observe)(void *state, as_time t, double y, bool *flag);
} as_detector_type;

typedef struct as_detector as_detector;

const as_detector_type *as_detector_type_find(const char *name);
const as_detector_type *const *as_detector_types(void);
as_detector *as_detector_new(const as_detector_type *type, const void *cfg, as_err *err);
void as_detector_free(as_detector *d);
double as_detector_observe(as_detector *d, as_time t, double y, bool *flag);

#endif
