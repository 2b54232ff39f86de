/* sim_sweep.h - the plan of a batch: every policy of a scenario times the
 * points of its [sweep] grid times repetitions, each a named run.
 * Owns: the run list and one loaded scenario per sweep point.
 * A sweep key that names a policy section (policy.NAME.key) varies only
 * that policy's runs; any other key varies every policy's. */
#ifndef SIM_SWEEP_H
#define SIM_SWEEP_H

#include "sim_scenario.h"

typedef struct sim_runspec {
    char name[SIM_STR];  /* run name: POLICY, or POLICY.pNNN[.rN] */
    const sim_scenario *sc; /* the point's scenario (owned by the plan) */
    int policy;          /* index into sc->policies */
    uint64_t seed;       /* this run's seed */
    int point, rep;      /* sweep point (0 without a sweep) and repetition */
    char params[512];    /* the point's settings, "policy.hpa.target=0.6 ..." (full keys) */
} sim_runspec;

typedef struct sim_plan {
    int n;
    sim_runspec *runs;
    int nscen;
    sim_scenario **scen;
} sim_plan;

/* Expand base (loaded from path with the --set overrides sets) into runs.
 * only/nonly restricts to named policies. More than max_runs runs is
 * refused with a message that says how to allow it. */
int sim_plan_build(const char *path, const char *const *sets, int nsets, sim_scenario *base,
                   const char *const *only, int nonly, long max_runs, sim_plan *plan,
                   as_err *err);
/* Frees the point scenarios, not base. */
void sim_plan_free(sim_plan *plan);

/* Split a sweep value list ("a,b,c" or "lo:hi:step") into out[] (each
 * value a string). Returns the count, or -1 with err set. */
int sim_sweep_values(const char *spec, char (*out)[64], int max, as_err *err);

#endif
