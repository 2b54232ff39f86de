/* as_forecast.c - forecaster wrapper and registry.
 * The wrapper is the only caller of a kind's methods: it checks the
 * preconditions (asserts for programmer errors, codes for bad settings),
 * supplies the default config, maps inf observations to NAN (missing), and
 * guarantees finite outputs with lo <= mean <= hi whatever the kind does. */
#include "as_forecast.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Registry: every forecaster kind, in the order --help lists them. Each kind
 * exports one const type object named as_fc_<kind> (core/forecast/fc_*.c). */
extern const as_forecaster_type as_fc_naive, as_fc_seasonal_naive, as_fc_ewma, as_fc_holt,
    as_fc_holt_winters, as_fc_linreg, as_fc_ar;

static const as_forecaster_type *const registry_list[] = {
    &as_fc_naive,        &as_fc_seasonal_naive, &as_fc_ewma, &as_fc_holt,
    &as_fc_holt_winters, &as_fc_linreg,         &as_fc_ar,   NULL,
};

const as_forecaster_type *const *as_forecaster_types(void) { return registry_list; }

const as_forecaster_type *as_forecaster_type_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (const as_forecaster_type *const *t = registry_list; *t; t++)
        if (strcmp((*t)->name, name) == 0)
            return *t;
    return NULL;
}

/* Largest horizon accepted: the kinds keep max_horizon^2 doubles of past
 * paths for their intervals (8 MB at this bound). */
#define AS_FC_MAX_HORIZON 1024

struct as_forecaster {
    const as_forecaster_type *type;
    void *state;
    as_forecast_common common;
    as_time last_t;   /* time of the last update; times never decrease */
    bool started;     /* at least one update */
    double last_y;    /* last finite observation: the last-resort forecast */
};

as_forecaster *as_forecaster_new(const as_forecaster_type *type, const as_forecast_common *common,
                                 const void *cfg, as_err *err)
{
    if (type == NULL || common == NULL) {
        as_err_set(err, AS_EINVAL, "forecaster: no kind or no common settings");
        return NULL;
    }
    if (type->version != 1) {
        as_err_set(err, AS_EINVAL, "forecaster '%s': unsupported interface version %d",
                   type->name, type->version);
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
    as_forecaster *f = calloc(1, sizeof *f);
    if (f == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory creating forecaster '%s'", type->name);
        return NULL;
    }
    f->type = type;
    f->common = *common;
    void *tmp = NULL;
    if (cfg == NULL) {
        tmp = calloc(1, type->config_size ? type->config_size : 1);
        if (tmp == NULL) {
            free(f);
            as_err_set(err, AS_ENOMEM, "out of memory");
            return NULL;
        }
        if (type->defaults)
            type->defaults(tmp);
        cfg = tmp;
    }
    int rc = type->create(&f->common, cfg, &f->state, err);
    free(tmp);
    if (rc != AS_OK) {
        /* the kind frees its own partial state before failing */
        f->state = NULL;
        as_forecaster_free(f);
        return NULL;
    }
    return f;
}

void as_forecaster_free(as_forecaster *f)
{
    if (f == NULL)
        return;
    if (f->type->destroy && f->state)
        f->type->destroy(f->state);
    free(f);
}

void as_forecaster_update(as_forecaster *f, as_time t, double y)
{
    assert(f != NULL);
    assert(!f->started || t >= f->last_t); /* time runs forward */
    if (!isfinite(y))
        y = NAN; /* inf is a broken sample, treated like a missing one */
    else
        f->last_y = y;
    f->last_t = t;
    f->started = true;
    f->type->update(f->state, t, y);
}

void as_forecaster_predict(const as_forecaster *f, int h, double *mean, double *lo, double *hi)
{
    assert(f != NULL && mean && lo && hi);
    assert(h >= 1 && h <= f->common.max_horizon);
    f->type->forecast(f->state, h, mean, lo, hi);
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

const as_forecaster_type *as_forecaster_kind(const as_forecaster *f) { return f->type; }
