/* sim_latency.c - analytic per-tier latency: M/M/c (Erlang C) with the
 * Allen-Cunneen correction while the tier is stable, a fluid backlog while
 * arrivals exceed what ready instances serve (REFERENCE section 6). */
#include "sim_latency.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MIN (-6.0) /* bins start at 1e-6 */
#define MIX_MIN 1e-6   /* 10^LOG_MIN */
#define MIX_MAX 1e7    /* 10^(LOG_MIN + SIM_MIX_BINS / SIM_MIX_PER_DECADE): bins end */

static int bin_of(double x)
{
    if (!(x > 0))
        return 0;
    int b = (int)floor((log10(x) - LOG_MIN) * SIM_MIX_PER_DECADE);
    return b < 0 ? 0 : b >= SIM_MIX_BINS ? SIM_MIX_BINS - 1 : b;
}

static double bin_value(int b)
{
    return pow(10.0, LOG_MIN + (b + 0.5) / SIM_MIX_PER_DECADE);
}

int sim_latmix_init(sim_latmix *m, double mu, as_err *err)
{
    memset(m, 0, sizeof *m);
    m->mu = mu;
    m->w_hypo = calloc(3 * SIM_MIX_BINS, sizeof *m->w_hypo);
    if (m->w_hypo == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory (latency mixture)");
    m->w_delay = m->w_hypo + SIM_MIX_BINS;
    m->val = m->w_delay + SIM_MIX_BINS;
    for (int b = 0; b < SIM_MIX_BINS; b++) /* pow() once here, not per quantile step */
        m->val[b] = bin_value(b);
    sim_latmix_reset(m);
    return AS_OK;
}

void sim_latmix_fini(sim_latmix *m)
{
    free(m->w_hypo);
    m->w_hypo = m->w_delay = m->val = NULL;
}

void sim_latmix_reset(sim_latmix *m)
{
    if (m->hlo <= m->hhi)
        memset(m->w_hypo + m->hlo, 0, (size_t)(m->hhi - m->hlo + 1) * sizeof(double));
    if (m->dlo <= m->dhi)
        memset(m->w_delay + m->dlo, 0, (size_t)(m->dhi - m->dlo + 1) * sizeof(double));
    m->hlo = m->dlo = SIM_MIX_BINS;
    m->hhi = m->dhi = -1;
    m->w_svc = m->total = m->max = m->clamped = 0.0;
}

void sim_latmix_add_mmc(sim_latmix *m, double w, double pwait, double theta)
{
    if (!(w > 0))
        return;
    m->total += w;
    m->w_svc += w * (1.0 - pwait);
    if (pwait > 0) {
        if (theta < MIX_MIN) /* waits of a mean over 1e6 s: cut to it */
            m->clamped += w * pwait;
        int b = bin_of(theta);
        m->w_hypo[b] += w * pwait;
        if (b < m->hlo)
            m->hlo = b;
        if (b > m->hhi)
            m->hhi = b;
    }
}

void sim_latmix_add_delay(sim_latmix *m, double w, double delay)
{
    if (!(w > 0))
        return;
    m->total += w;
    if (delay >= MIX_MAX) /* a backlog over 1e7 s: recorded as the top bin */
        m->clamped += w;
    int b = bin_of(delay);
    m->w_delay[b] += w;
    if (b < m->dlo)
        m->dlo = b;
    if (b > m->dhi)
        m->dhi = b;
}

void sim_latmix_merge(sim_latmix *into, const sim_latmix *from)
{
    into->total += from->total;
    into->w_svc += from->w_svc;
    into->clamped += from->clamped;
    if (from->max > into->max)
        into->max = from->max;
    for (int b = from->hlo; b <= from->hhi; b++)
        into->w_hypo[b] += from->w_hypo[b];
    for (int b = from->dlo; b <= from->dhi; b++)
        into->w_delay[b] += from->w_delay[b];
    if (from->hlo < into->hlo)
        into->hlo = from->hlo;
    if (from->hhi > into->hhi)
        into->hhi = from->hhi;
    if (from->dlo < into->dlo)
        into->dlo = from->dlo;
    if (from->dhi > into->dhi)
        into->dhi = from->dhi;
}

double sim_latmix_tail(const sim_latmix *m, double t)
{
    if (!(m->total > 0))
        return NAN;
    double mu = m->mu, es = exp(-mu * t);
    double s = m->w_svc * es;
    for (int b = m->hlo; b <= m->hhi; b++)
        if (m->w_hypo[b] > 0)
            s += m->w_hypo[b] * as_resp_tail(mu, 1.0, m->val[b], t);
    for (int b = m->dlo; b <= m->dhi; b++)
        if (m->w_delay[b] > 0) {
            double d = m->val[b];
            s += m->w_delay[b] * (t < d ? 1.0 : exp(-mu * (t - d)));
        }
    return s / m->total;
}

double sim_latmix_quantile(const sim_latmix *m, double p)
{
    if (!(m->total > 0))
        return NAN;
    double target = 1.0 - p;
    double lo = 0.0, hi = 1.0 / m->mu;
    while (sim_latmix_tail(m, hi) > target && hi < 1e9)
        hi *= 2.0;
    /* to 1e-5 relative: far below the bins' own resolution (2.9%) */
    for (int i = 0; i < 200 && hi - lo > 1e-5 * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (sim_latmix_tail(m, mid) > target)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

void sim_tierlat_init(sim_tierlat *L, double mu, double f, int concurrency, double queue_cap)
{
    memset(L, 0, sizeof *L);
    L->mu = mu;
    L->f = f;
    L->concurrency = concurrency;
    L->queue_cap = queue_cap;
    L->c_lambda = -1.0;
    L->c_servers = -1;
}

void sim_tierlat_tick(sim_tierlat *L, double lambda, int ready, double dt, double p,
                      sim_tick_out *out)
{
    int c = ready * L->concurrency;
    double cap = (double)c * L->mu;
    out->dropped = 0.0;
    if (L->backlog <= 0.0 && lambda < cap) {
        /* Stable: steady-state M/M/c, recomputed only when the load or the
         * server count changed (the Erlang-B recursion is O(c)). */
        if (lambda != L->c_lambda || c != L->c_servers || p != L->q_p) {
            as_mmc_solve(&L->q, lambda, L->mu, c, L->f);
            /* the last answer is a good start when only the load moved */
            L->q_quant = as_mmc_resp_quantile_from(&L->q, p, p == L->q_p ? L->q_quant : NAN);
            L->c_lambda = lambda;
            L->c_servers = c;
            L->q_p = p;
        }
        out->fluid = 0;
        out->util = cap > 0 ? lambda / cap : 0.0;
        out->queue = L->q.stable && lambda > 0 ? L->q.pwait * lambda / L->q.theta : 0.0;
        out->quantile = L->q_quant;
        out->pwait = L->q.pwait;
        out->theta = L->q.theta;
        out->delay = 0.0;
        return;
    }
    /* Overload or draining backlog: fluid model Q' = max(0, Q + (lambda -
     * c mu) dt); a request waits for the backlog ahead of it, then its own
     * service. With no ready server the wait is what one instance would
     * need for the backlog: finite, and large enough to violate any SLO. */
    double q0 = L->backlog;
    double q1 = q0 + (lambda - cap) * dt;
    if (q1 < 0.0)
        q1 = 0.0;
    if (L->queue_cap > 0 && q1 > L->queue_cap) {
        out->dropped = q1 - L->queue_cap;
        L->dropped += out->dropped;
        q1 = L->queue_cap;
    }
    L->backlog = q1;
    double qa = 0.5 * (q0 + q1);
    double drain = cap > 0 ? cap : L->mu * L->concurrency;
    out->fluid = 1;
    out->util = ready > 0 ? 1.0 : 0.0;
    out->queue = qa;
    out->delay = qa / drain;
    out->pwait = 1.0;
    out->theta = 0.0;
    out->quantile = out->delay - log(1.0 - p) / L->mu;
    L->c_servers = -1; /* the steady-state cache is stale after overload */
}
