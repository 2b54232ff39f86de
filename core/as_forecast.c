/* as_forecast.c - the forecaster wrapper.
 * The only caller of a forecaster kind's methods: new and free go through
 * the one instance path of as_kind.c after the common settings are
 * checked (codes, they come from the scenario); update() checks the time
 * rule and maps inf observations to NAN (missing); predict() guarantees
 * finite outputs with lo <= mean <= hi whatever the kind does. The
 * registry is in as_registry.c. */
#include "as_forecast.h"

#include <assert.h>
#include <math.h>
#include <stddef.h>

_Static_assert(offsetof(as_forecaster_type, kind) == 0, "the as_kind head comes first");

/* Largest horizon accepted: the kinds keep max_horizon^2 doubles of past
 * paths for their intervals (8 MB at this bound). */
#define AS_FC_MAX_HORIZON 1024

struct as_forecaster {
    as_instance in; /* first: the generic path sees only this */
    as_forecast_common common;
    double last_y; /* last finite observation: the last-resort forecast */
};

static const as_forecaster_type *type_of(const as_forecaster *f)
{
    return (const as_forecaster_type *)(const void *)f->in.kind;
}

static int init_forecaster(as_instance *in, const void *cfg, const void *arg, as_err *err)
{
    as_forecaster *f = (as_forecaster *)(void *)in;
    f->common = *(const as_forecast_common *)arg;
    return type_of(f)->init(in->state, &f->common, cfg, err);
}

as_forecaster *as_forecaster_new(const as_forecaster_type *type, const as_forecast_common *common,
                                 const void *cfg, as_err *err)
{
    if (type == NULL || common == NULL) {
        as_err_set(err, AS_EINVAL, "forecaster: no kind or no common settings");
        return NULL;
    }
    if (common->step <= 0 || common->season < 0 || common->max_horizon < 1 ||
        common->max_horizon > AS_FC_MAX_HORIZON || !(common->coverage > 0.0) ||
        !(common->coverage < 1.0)) {
        as_err_set(err, AS_EINVAL,
                   "forecaster '%s': need step > 0, season >= 0, 1 <= max_horizon <= %d and "
                   "0 < coverage < 1 (got step %lld us, season %d, horizon %d, coverage %g)",
                   type->name, AS_FC_MAX_HORIZON, (long long)common->step, common->season,
                   common->max_horizon, common->coverage);
        return NULL;
    }
    return as_instance_new(&type->kind, "forecaster", sizeof(as_forecaster), cfg,
                           init_forecaster, common, err);
}

void as_forecaster_free(as_forecaster *f) { as_instance_free(f ? &f->in : NULL); }

void as_forecaster_update(as_forecaster *f, as_time t, double y)
{
    assert(f != NULL);
    as_instance_tick(&f->in, t);
    if (!isfinite(y))
        y = NAN; /* inf is a broken sample, treated like a missing one */
    else
        f->last_y = y;
    type_of(f)->update(f->in.state, t, y);
}

void as_forecaster_predict(const as_forecaster *f, int h, double *mean, double *lo, double *hi)
{
    assert(f != NULL && mean && lo && hi);
    assert(h >= 1 && h <= f->common.max_horizon);
    type_of(f)->forecast(f->in.state, h, mean, lo, hi);
    /* Last line of defence: a kind must not produce NAN/inf, but if one does
     * the caller still gets a usable (flat, zero-width) forecast. */
    for (int i = 0; i < h; i++) {
        if (!isfinite(mean[i]))
            mean[i] = f->last_y;
        if (!isfinite(lo[i]) || lo[i] > mean[i])
            lo[i] = mean[i];
        if (!isfinite(hi[i]) || hi[i] < mean[i])
            hi[i] = mean[i];
    }
}

const as_forecaster_type *as_forecaster_kind(const as_forecaster *f) { return type_of(f); }

double as_forecaster_tail(const as_forecaster *f, int h, double at_least, double x,
                          double *excess)
{
    assert(f != NULL && excess != NULL);
    assert(h >= 1 && h <= f->common.max_horizon);
    *excess = 0;
    if (type_of(f)->tail == NULL || isnan(x))
        return NAN;
    double p = type_of(f)->tail(f->in.state, h, at_least, x, excess);
    if (!(*excess >= 0) || !isfinite(*excess))
        *excess = 0; /* as for predict(): a kind's slip never reaches the caller */
    return p >= 0 && p <= 1 ? p : NAN;
}

long as_forecaster_warmup(const as_forecaster *f)
{
    assert(f != NULL);
    long w = type_of(f)->warmup ? type_of(f)->warmup(f->in.state) : 0;
    return w > 0 ? w : 0;
}
