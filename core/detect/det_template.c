/* det_template.c - the copy-me anomaly detector kind. It works: the score
 * is the relative jump from the previous finite observation,
 * (y - prev) / max(|prev|, 1), flagged beyond `threshold`. It is
 * registered with AS_KIND_TEMPLATE, in the registry's template list: it
 * compiles, links and passes the conformance battery of
 * tests/test_detect.c like every kind, but users never see it (not
 * listed; `detector = template` is unknown). Why hidden rather than a
 * real kind: one noisy sample sets it off, where zscore, mad and
 * ewma_residual weigh a window.
 *
 * To add a detector kind NAME:
 *  1. cp core/detect/det_template.c core/detect/det_NAME.c; rename the
 *     exported object as_det_template to as_det_NAME, template_cfg and
 *     template_state to NAME_cfg and NAME_state, set .name = "NAME", and
 *     rewrite this comment: the score, its reference, its cost.
 *  2. Settings: one field per key in NAME_cfg, one row per key in params[]
 *     (INI name, type, offset, bounds, one help line), defaults() sets
 *     them.
 *  3. State: what observe() keeps goes in NAME_state; the wrapper
 *     allocates state_size zeroed bytes. init() copies the settings and
 *     takes the memory that depends on them (a window: see det_zscore.c);
 *     fini() frees it and must accept a zeroed state; none: .fini = NULL.
 *  4. observe(): no allocation, I/O or clock; a finite score, 0 for a
 *     missing (NAN) observation and while warming up; *flag when the
 *     score's magnitude passes the threshold.
 *  5. Flags: remove AS_KIND_TEMPLATE (as_registry_check refuses a user
 *     kind that keeps it).
 *  6. Register: one line X(as_det_NAME) in DETECTOR_KINDS in
 *     core/as_registry.c.
 *  7. make test: tests/test_detect.c runs the conformance battery over the
 *     new kind (registry rules, finite scores, gaps score 0, a spike
 *     flagged and quiet noise not, constants, interleaved instances, no
 *     allocation in observe, the time rule) with no edit; then add
 *     hand-computed scores of its own there.
 *  8. README.md: a line for the kind and its keys under "Scenarios". */
#include "as_detect.h"

#include <math.h>
#include <stddef.h>

typedef struct {
    double threshold; /* flag beyond this relative jump */
} template_cfg;

static const as_param_def params[] = {
    {"threshold", AS_P_DOUBLE, offsetof(template_cfg, threshold), 0.01, 1000.0, NULL, 0,
     "flag a jump beyond this fraction of the previous value"},
    {0},
};

static void defaults(void *cfg) { ((template_cfg *)cfg)->threshold = 0.5; }

typedef struct {
    template_cfg p;
    bool seen;   /* prev holds an observation */
    double prev; /* the previous finite observation */
} template_state;

static int init(void *state, const void *cfg, as_err *err)
{
    (void)err;
    template_state *s = state;
    s->p = *(const template_cfg *)cfg;
    return AS_OK;
}

static double observe(void *state, as_time t, double y, bool *flag)
{
    (void)t;
    template_state *s = state;
    *flag = false;
    if (!isfinite(y))
        return 0.0; /* missing: no score, and prev stays */
    double z = s->seen ? (y - s->prev) / fmax(fabs(s->prev), 1.0) : 0.0;
    s->prev = y;
    s->seen = true;
    *flag = fabs(z) > s->p.threshold;
    return z;
}

const as_detector_type as_det_template = {
    .version = AS_KIND_VERSION, /* the interface this file is written for */
    .name = "template",         /* the INI's detector = NAME */
    .flags = AS_KIND_TEMPLATE,  /* step 5 */
    .state_size = sizeof(template_state),
    .config_size = sizeof(template_cfg),
    .params = params,
    .defaults = defaults,
    .fini = NULL, /* init() takes no memory */
    .init = init,
    .observe = observe,
};
