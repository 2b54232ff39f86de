/* det_ewma_residual.c - the `ewma_residual` detector: an observation is an
 * anomaly when it falls far outside the running interval of an EWMA
 * forecast. Before absorbing y: e = y - level, z = e / sigma where sigma^2
 * is an exponentially weighted mean of past squared residuals; then
 *   level += alpha * e_c,  sigma^2 += beta * (e_c^2 - sigma^2)
 * with e_c the residual clipped to +-threshold*sigma once warmed up, so a
 * spike neither drags the level nor blows up the scale that should flag the
 * next one (a level shift is still followed, at the clipped speed, and
 * stops being flagged after a few steps).
 * O(1) per observation. Scores are 0 during the first `warmup` observations
 * and for missing ones. A floor on sigma relative to the level keeps a
 * constant series finite (score capped at +-1e6). */
#include "as_detect.h"

#include <math.h>
#include <stddef.h>

typedef struct {
    double alpha;     /* level smoothing */
    double beta;      /* residual-variance smoothing */
    double threshold; /* flag when |z| exceeds this */
    int warmup;       /* observations before scoring */
} ewr_cfg;

static const as_param_def params[] = {
    {"alpha", AS_P_DOUBLE, offsetof(ewr_cfg, alpha), 0.0001, 1.0, NULL, 0,
     "EWMA level smoothing"},
    {"beta", AS_P_DOUBLE, offsetof(ewr_cfg, beta), 0.0001, 1.0, NULL, 0,
     "smoothing of the squared residuals (the interval width)"},
    {"threshold", AS_P_DOUBLE, offsetof(ewr_cfg, threshold), 0.0, 1e9, NULL, 0,
     "flag when |residual| / sigma exceeds this"},
    {"warmup", AS_P_INT, offsetof(ewr_cfg, warmup), 2, 1000000, NULL, 0,
     "observations before the first score"},
    {0},
};

static void defaults(void *cfg)
{
    ewr_cfg *c = cfg;
    c->alpha = 0.3;
    c->beta = 0.05;
    c->threshold = 4.0;
    c->warmup = 30;
}

typedef struct {
    ewr_cfg p;
    long n;
    double level, var;
} ewr_state;

static int init(void *state, const void *cfg, as_err *err)
{
    (void)err;
    ewr_state *s = state;
    s->p = *(const ewr_cfg *)cfg;
    return AS_OK;
}

static double observe(void *state, as_time t, double y, bool *flag)
{
    (void)t;
    ewr_state *s = state;
    *flag = false;
    if (!isfinite(y))
        return 0.0;
    if (s->n == 0) {
        s->level = y;
        s->var = 0;
        s->n = 1;
        return 0.0;
    }
    double e = y - s->level;
    double sd = sqrt(s->var);
    double floor = 1e-9 * (fabs(s->level) + 1.0);
    double z = 0.0, ec = e;
    if (s->n >= s->p.warmup) {
        double scale = sd > floor ? sd : floor;
        z = e / scale;
        if (z > 1e6)
            z = 1e6;
        if (z < -1e6)
            z = -1e6;
        *flag = fabs(z) > s->p.threshold;
        double cap = s->p.threshold * scale;
        if (ec > cap)
            ec = cap;
        if (ec < -cap)
            ec = -cap;
    }
    /* variance: plain average while warming up, then forgetting */
    double wv = 1.0 / (double)s->n;
    if (wv < s->p.beta)
        wv = s->p.beta;
    s->var += wv * (ec * ec - s->var);
    s->level += s->p.alpha * ec;
    s->n++;
    return z;
}

const as_detector_type as_det_ewma_residual = {
    .version = 1,
    .name = "ewma_residual",
    .flags = 0,
    .state_size = sizeof(ewr_state),
    .config_size = sizeof(ewr_cfg),
    .params = params,
    .defaults = defaults,
    .fini = NULL,
    .init = init,
    .observe = observe,
};
