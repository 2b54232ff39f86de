/* as_mgc.c - M/G/c laws on the log grid (see as_mgc.h): the service law,
 * the wait, the response, the served requests when clients give up, and
 * the total of several visits. */
#include "as_mgc.h"

#include <math.h>
#include <string.h>

void as_mgc_ws_init(as_mgc_ws *ws)
{
    memset(ws, 0, sizeof *ws);
    as_latdist_clear(&ws->a);
    as_latdist_clear(&ws->b);
    as_latdist_clear(&ws->c);
    as_latdist_clear(&ws->d);
}

void as_mgc_service_law(const as_svclaw *s, as_latdist *S)
{
    as_latdist_clear(S);
    if (s->dist == AS_SVC_DET) {
        S->shift = s->mean;
        S->zero = 1.0;
        return;
    }
    double shift = s->dist == AS_SVC_UNIFORM ? s->a : 0.0;
    S->shift = shift;
    double sr = pow(10.0, 0.5 / AS_LD_PER_DEC); /* half a cell */
    /* below the 1e-4 quantile: at the shift; above 1 - 1e-10: on the last
     * point (both far outside any percentile read) */
    double lo_t = as_svclaw_quantile(s, 1e-4) - shift;
    double hi_t = as_svclaw_quantile(s, 1 - 1e-10) - shift;
    if (lo_t < 1e-7 * s->m1)
        lo_t = 1e-7 * s->m1;
    if (s->dist == AS_SVC_UNIFORM)
        hi_t = s->b;
    double top = 1.0 - as_svclaw_tail(s, shift + hi_t);
    S->zero += 1.0 - as_svclaw_tail(s, shift + lo_t); /* (the normal's atom at 0 too) */
    for (int k = 0; k < AS_LD_N; k++) {
        double e0 = as_latdist_x(k) / sr, e1 = as_latdist_x(k) * sr;
        if (e1 < lo_t)
            continue;
        if (e0 > hi_t)
            break;
        if (e0 < lo_t)
            e0 = lo_t;
        if (e1 > hi_t)
            e1 = hi_t;
        double t0 = as_svclaw_tail(s, shift + e0), t1 = as_svclaw_tail(s, shift + e1);
        double w = t0 - t1;
        if (!(w > 0))
            continue;
        /* E[X; X in cell] = e0 t0 - e1 t1 + int_e0^e1 tail (Simpson) */
        double tm = as_svclaw_tail(s, shift + 0.5 * (e0 + e1));
        double m = e0 * t0 - e1 * t1 + (e1 - e0) * (t0 + 4 * tm + t1) / 6.0;
        double v = m / w;
        v = v < e0 ? e0 : v > e1 ? e1 : v;
        as_latdist_add(S, v, w);
    }
    as_latdist_add(S, hi_t, 1.0 - top);
    as_latdist_normalize(S);
}

void as_mgc_wait_law(as_mgc_shapes *sh, const as_mgc_wait *w, as_latdist *out, as_mgc_ws *ws)
{
    as_latdist_clear(out);
    if (!(w->pw > 0) || !(w->kappa > 0)) {
        out->zero = 1.0;
        return;
    }
    as_latdist *mix = &ws->a, *sc = &ws->b;
    as_mgc_shape_at(sh, w->c, w->rho, mix);
    as_latdist_prune(mix, 0.0, 1e-10);
    as_latdist_scale(sc, mix, w->kappa);
    out->zero = 1.0 - w->pw;
    as_latdist_axpy(out, w->pw, sc);
}

void as_mgc_resp_law(as_mgc_shapes *sh, const as_mgc_wait *w, const as_latdist *S,
                     as_latdist *out, as_mgc_ws *ws)
{
    as_mgc_wait_law(sh, w, &ws->c, ws);
    as_latdist_prune(&ws->c, 0.0, 1e-10);
    as_latdist_conv(out, &ws->c, S);
    as_latdist_prune(out, 0.0, 1e-10);
}

/* The served waits below tmax: the wait law's grid masses scaled by k,
 * the cell holding tmax cut at it (log-linear). Returns their mass. */
static double served_below(const as_latdist *W, double tmax, double k, as_latdist *served,
                           double *wsum)
{
    double lnr = log(10.0) / AS_LD_PER_DEC, sm = 0, sw = 0;
    for (int i = W->lo; i <= W->hi; i++) {
        double x = as_latdist_x(i), hi = x * exp(0.5 * lnr), lo = x * exp(-0.5 * lnr);
        double f = hi <= tmax ? 1.0 : lo >= tmax ? 0.0 : log(tmax / lo) / lnr;
        double m = W->m[i] * k * f;
        if (!(m > 0))
            continue;
        double v = f < 1.0 ? sqrt(lo * tmax) : x;
        sm += m;
        sw += m * v;
        if (served)
            as_latdist_add(served, v, m);
    }
    *wsum = sw;
    return sm;
}

void as_mgc_timeout_law(as_mgc_shapes *sh, const as_mgc_wait *w, double tmax,
                        as_mgc_abandon *ab, as_latdist *served, as_mgc_ws *ws)
{
    as_latdist *W = &ws->c;
    as_mgc_wait_law(sh, w, W, ws);
    if (served)
        as_latdist_clear(served);
    if (!(w->pw > 0) || !(w->pw < 1)) { /* nobody waits (or the formula does not apply) */
        *ab = (as_mgc_abandon){.p_abandon = 0, .p_zero = 1 - w->pw, .w_served = w->ew};
        if (served)
            *served = *W;
        return;
    }
    double pw = w->pw, odds = pw / (1.0 - pw);
    double tc = as_latdist_tail(W, tmax) / pw; /* conditional tail at T */
    double beyond = (1.0 - w->rho) * tc;
    double D = 1.0 + odds * ((1.0 - tc) + beyond);
    ab->p_zero = 1.0 / D;
    ab->p_abandon = odds * beyond / D;
    if (served)
        served->zero = ab->p_zero;
    double sw;
    double sm = served_below(W, tmax, odds / D / pw, served, &sw);
    double tot = ab->p_zero + sm; /* = 1 - p_abandon up to the grid */
    ab->w_served = sw / tot;
    if (served)
        as_latdist_normalize(served);
}

void as_mgc_visits_law(const as_latdist *r, double v, as_latdist *out, as_mgc_ws *ws)
{
    int n = (int)floor(v);
    double f = v - n;
    as_latdist_power(&ws->a, r, n, &ws->b);
    if (f <= 0) {
        *out = ws->a;
        return;
    }
    as_latdist_conv(&ws->b, &ws->a, r); /* n + 1 visits */
    as_latdist_clear(out);
    as_latdist_axpy(out, 1 - f, &ws->a);
    as_latdist_axpy(out, f, &ws->b);
}
