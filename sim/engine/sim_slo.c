/* sim_slo.c - windows of the SLO (see sim_slo.h). */
#include "sim_slo.h"

#include <stdlib.h>
#include <string.h>

int sim_slo_init(sim_slo *S, const sim_slo_def *def, as_time duration, int keep, as_err *err)
{
    memset(S, 0, sizeof *S);
    S->def = *def;
    S->duration = duration;
    S->wcap = keep > 8 ? keep : 8;
    S->wend = malloc((size_t)S->wcap * sizeof *S->wend);
    S->wbad = malloc((size_t)S->wcap * sizeof *S->wbad);
    if (S->wend == NULL || S->wbad == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory (SLO windows)");
    return AS_OK;
}

void sim_slo_fini(sim_slo *S)
{
    free(S->wend);
    free(S->wbad);
    S->wend = NULL;
    S->wbad = NULL;
}

as_time sim_slo_window_end(const sim_slo *S, as_time t)
{
    as_time e = (t / S->def.window + 1) * S->def.window;
    return e < S->duration ? e : S->duration;
}

static void judge(sim_slo *S, as_time end)
{
    if (end <= S->w_start)
        return;
    /* a window without requests holds: no request was late */
    bool ok = true;
    if (S->w_req > 0) {
        ok = S->w_good >= S->def.p * S->w_req;
        if (S->def.max_errors >= 0 && S->w_err > S->def.max_errors * S->w_req)
            ok = false;
    }
    int k = (int)(S->windows % S->wcap); /* the oldest is forgotten */
    S->windows++;
    S->met += ok;
    if (S->wn < S->wcap)
        S->wn++;
    if (!ok)
        S->violated_s += as_time_to_s(end - S->w_start);
    S->wend[k] = end;
    S->wbad[k] = !ok;
    S->judged_until = end;
    S->w_start = end;
    S->w_req = S->w_good = S->w_err = 0;
}

void sim_slo_add(sim_slo *S, as_time t0, as_time t1, double req, double good, double err)
{
    (void)t0;
    S->w_req += req;
    S->w_good += good;
    S->w_err += err;
    S->req += req;
    S->good += good;
    S->err += err;
    if (t1 % S->def.window == 0 || t1 >= S->duration)
        judge(S, t1);
}

void sim_slo_finish(sim_slo *S)
{
    if (S->judged_until < S->duration)
        judge(S, S->duration);
}

double sim_slo_violated(const sim_slo *S, as_time r0, as_time r1)
{
    double s = 0;
    for (int i = 0; i < S->wn; i++) {
        int k = (int)((S->windows - 1 - i) % S->wcap);
        if (!S->wbad[k])
            continue;
        /* (a last, partial window starts at the previous window's end) */
        as_time e = S->wend[k], b = (e - 1) / S->def.window * S->def.window;
        as_time lo = b > r0 ? b : r0, hi = e < r1 ? e : r1;
        if (hi > lo)
            s += as_time_to_s(hi - lo);
    }
    return s;
}
