/* as_quality.h - scaling-quality metrics (SPEC RG elasticity metrics,
 * REFERENCE section 3), accumulated sample by sample so that a run of any
 * length needs O(1) memory.
 * Owns: nothing beyond the accumulator struct.
 * Conventions: d is demand (least instances meeting the SLO), s is supply
 * (ready instances); both are sampled, once per record interval: s at the
 * sample time (a mean over the interval would count an adaptation that
 * ends mid-interval as two supply changes), d for the interval's arrival
 * rate. All metrics in percent, lower is better. Where d = 0 the
 * normalisation uses 1 instance instead (the formulas divide by d). */
#ifndef AS_QUALITY_H
#define AS_QUALITY_H

#include "as.h"

typedef struct as_quality {
    double T;          /* seconds accumulated */
    double under, over;          /* sum (d-s)+/d dt, (s-d)+/d dt */
    double t_under, t_over;      /* time under / over provisioned */
    double unstable;   /* time where supply and demand moved apart */
    double T_after;    /* T minus the first interval */
    long supply_changes, demand_changes;
    double prev_d, prev_s;
    long n;
} as_quality;

typedef struct as_quality_result {
    double theta_u, theta_o; /* accuracy, % */
    double tau_u, tau_o;     /* timeshare, % */
    double instability;      /* %, the paper's two-sided form */
    double jitter;           /* adaptations per minute: (E_S - E_D)/T */
} as_quality_result;

void as_quality_init(as_quality *q);
/* One sample of demand d and supply s lasting dt seconds. */
void as_quality_add(as_quality *q, double d, double s, double dt);
void as_quality_result_get(const as_quality *q, as_quality_result *out);

/* Elastic speedup of run k against baseline a over the metric vectors
 * (geometric mean of a_m / k_m, Herbst et al. 2018). Every run must be
 * compared over the same set: the caller passes the metrics positive in
 * every run (sim_rank); a 0 here is undefined and gives NAN. 1 for n = 0. */
double as_elastic_speedup(const double *base, const double *run, int n);
/* L2 distance of the metric vector from the ideal all-zero autoscaler. */
double as_deviation(const double *run, int n);

/* Billed seconds of one instance that ran `used` seconds: rounded up to
 * the granularity, at least the minimum. */
double as_billed_seconds(double used, double granularity, double minimum);

#endif
