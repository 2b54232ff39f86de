/* as_detect.h - anomaly detector interface and wrapper.
 * Owns: detector instances (all memory taken at _new).
 * Invariant: observe() is called with non-decreasing t (asserted by the
 * wrapper) and never allocates; it returns a finite score (0 while
 * warming up or for a missing NAN observation) and sets *flag when the
 * score's magnitude exceeds the configured threshold.
 * Must not: read a clock, print, or include sim/.
 * To add a kind: copy core/detect/det_template.c (its header lists the
 * steps) and add one line to the registry in core/as_registry.c. */
#ifndef AS_DETECT_H
#define AS_DETECT_H

#include "as.h"
#include "as_kind.h"
#include "as_param.h"

#include <stdbool.h>

/* A detector kind: the shared head (as_kind.h), then its own slots. Each
 * kind keeps its methods static and exports one const object,
 * as_det_<kind>. */
typedef struct as_detector_type {
    union {
        as_kind kind;             /* the head as an as_kind, for generic code */
        struct { AS_KIND_HEAD }; /* the same fields by name: t->name, t->params */
    };
    /* Fill the zeroed state from cfg (e.g. window, threshold); memory that
     * depends on the settings is taken here, released by fini. */
    int (*init)(void *state, const void *cfg, as_err *err);
    /* Score the observation at t (y may be NAN: missing, score 0). */
    double (*observe)(void *state, as_time t, double y, bool *flag);
} as_detector_type;

typedef struct as_detector as_detector;

/* The kinds users may pick (templates excluded), NULL-terminated; and one
 * of them by name (NULL name or no such kind: NULL). In as_registry.c. */
const as_detector_type *const *as_detector_types(void);
const as_detector_type *as_detector_type_find(const char *name);

/* cfg may be NULL (defaults). Caller owns the result; free with
 * as_detector_free (NULL ok). */
as_detector *as_detector_new(const as_detector_type *type, const void *cfg, as_err *err);
void as_detector_free(as_detector *d);
/* Asserts that t never goes back; inf is taken as missing (NAN). */
double as_detector_observe(as_detector *d, as_time t, double y, bool *flag);
const as_detector_type *as_detector_kind(const as_detector *d);

#endif
