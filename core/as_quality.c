/* as_quality.c - SPEC elasticity metrics, elastic speedup, billing. */
#include "as_quality.h"

#include <math.h>
#include <string.h>

void as_quality_init(as_quality *q) { memset(q, 0, sizeof *q); }

static int sgn(double x) { return (x > 0) - (x < 0); }

void as_quality_add(as_quality *q, double d, double s, double dt)
{
    double norm = d > 0 ? d : 1.0;
    if (d > s) {
        q->under += (d - s) / norm * dt;
        q->t_under += dt;
    } else if (s > d) {
        q->over += (s - d) / norm * dt;
        q->t_over += dt;
    }
    if (q->n > 0) {
        int ds = sgn(s - q->prev_s), dd = sgn(d - q->prev_d);
        if (ds != dd)
            q->unstable += dt;
        q->supply_changes += ds != 0;
        q->demand_changes += dd != 0;
        q->T_after += dt;
    }
    q->prev_d = d;
    q->prev_s = s;
    q->T += dt;
    q->n++;
}

void as_quality_result_get(const as_quality *q, as_quality_result *out)
{
    if (!(q->T > 0)) {
        memset(out, 0, sizeof *out);
        return;
    }
    out->theta_u = 100.0 * q->under / q->T;
    out->theta_o = 100.0 * q->over / q->T;
    out->tau_u = 100.0 * q->t_under / q->T;
    out->tau_o = 100.0 * q->t_over / q->T;
    out->instability = q->T_after > 0 ? 100.0 * q->unstable / q->T_after : 0.0;
    out->jitter = (double)(q->supply_changes - q->demand_changes) / (q->T / 60.0);
}

double as_elastic_speedup(const double *base, const double *run, int n)
{
    double logsum = 0.0;
    for (int i = 0; i < n; i++) {
        if (!(base[i] > 0) || !(run[i] > 0))
            return NAN; /* undefined: the caller picks the metric set */
        logsum += log(base[i] / run[i]);
    }
    return n ? exp(logsum / n) : 1.0;
}

double as_deviation(const double *run, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += run[i] * run[i];
    return sqrt(s);
}

double as_billed_seconds(double used, double granularity, double minimum)
{
    if (used < 0)
        used = 0;
    double b = granularity > 0 ? ceil(used / granularity - 1e-9) * granularity : used;
    return b < minimum ? minimum : b;
}
