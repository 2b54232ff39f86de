/* as_detect.c - anomaly detector wrapper and registry.
 * The wrapper is the only caller of a kind's methods: it supplies the
 * default config, maps inf observations to NAN (missing), and guarantees a
 * finite score, clearing the flag when a kind returns NAN/inf. */
#include "as_detect.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Registry: every detector kind; each exports one const as_det_<kind>. */
extern const as_detector_type as_det_zscore, as_det_mad, as_det_ewma_residual;

static const as_detector_type *const registry_list[] = {
    &as_det_zscore,
    &as_det_mad,
    &as_det_ewma_residual,
    NULL,
};

const as_detector_type *const *as_detector_types(void) { return registry_list; }

const as_detector_type *as_detector_type_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (const as_detector_type *const *t = registry_list; *t; t++)
        if (strcmp((*t)->name, name) == 0)
            return *t;
    return NULL;
}

struct as_detector {
    const as_detector_type *type;
    void *state;
};

as_detector *as_detector_new(const as_detector_type *type, const void *cfg, as_err *err)
{
    if (type == NULL || type->version != 1) {
        as_err_set(err, AS_EINVAL, "detector: no kind, or unsupported interface version");
        return NULL;
    }
    as_detector *d = calloc(1, sizeof *d);
    if (d == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory creating detector '%s'", type->name);
        return NULL;
    }
    d->type = type;
    void *tmp = NULL;
    if (cfg == NULL) {
        tmp = calloc(1, type->config_size ? type->config_size : 1);
        if (tmp == NULL) {
            free(d);
            as_err_set(err, AS_ENOMEM, "out of memory");
            return NULL;
        }
        if (type->defaults)
            type->defaults(tmp);
        cfg = tmp;
    }
    int rc = type->create(cfg, &d->state, err);
    free(tmp);
    if (rc != AS_OK) {
        d->state = NULL; /* the kind frees its own partial state */
        as_detector_free(d);
        return NULL;
    }
    return d;
}

void as_detector_free(as_detector *d)
{
    if (d == NULL)
        return;
    if (d->type->destroy && d->state)
        d->type->destroy(d->state);
    free(d);
}

double as_detector_observe(as_detector *d, as_time t, double y, bool *flag)
{
    assert(d != NULL && flag != NULL);
    bool f = false;
    if (!isfinite(y))
        y = NAN;
    double z = d->type->observe(d->state, t, y, &f);
    if (!isfinite(z)) {
        z = 0.0; /* a kind must not do this; never pass it on */
        f = false;
    }
    *flag = f;
    return z;
}
