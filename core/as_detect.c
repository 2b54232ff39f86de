/* as_detect.c - the anomaly detector wrapper.
 * The only caller of a detector kind's methods: new and free go through
 * the one instance path of as_kind.c; observe() checks the time rule, maps
 * inf observations to NAN (missing), and guarantees a finite score,
 * clearing the flag when a kind returns NAN/inf. The registry is in
 * as_registry.c. */
#include "as_detect.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>

_Static_assert(offsetof(as_detector_type, kind) == 0, "the as_kind head comes first");

struct as_detector {
    as_instance in; /* first: the generic path sees only this */
};

static const as_detector_type *type_of(const as_detector *d)
{
    return (const as_detector_type *)(const void *)d->in.kind;
}

static int init_detector(as_instance *in, const void *cfg, const void *arg, as_err *err)
{
    (void)arg;
    const as_detector_type *t = (const as_detector_type *)(const void *)in->kind;
    return t->init(in->state, cfg, err);
}

as_detector *as_detector_new(const as_detector_type *type, const void *cfg, as_err *err)
{
    return as_instance_new(type ? &type->kind : NULL, "detector", sizeof(as_detector), cfg,
                           init_detector, NULL, err);
}

void as_detector_free(as_detector *d) { as_instance_free(d ? &d->in : NULL); }

double as_detector_observe(as_detector *d, as_time t, double y, bool *flag)
{
    assert(d != NULL && flag != NULL);
    as_instance_tick(&d->in, t);
    bool f = false;
    if (!isfinite(y))
        y = NAN;
    double z = type_of(d)->observe(d->in.state, t, y, &f);
    if (!isfinite(z)) {
        z = 0.0; /* a kind must not do this; never pass it on */
        f = false;
    }
    *flag = f;
    return z;
}

const as_detector_type *as_detector_kind(const as_detector *d) { return type_of(d); }
