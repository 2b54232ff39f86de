/* plot_select.c - which runs of a report get figures of their own. A big
 * sweep (more than PLOT_DRAW_ALL_UP_TO runs) draws only the runs a reader
 * looks at: the deployable runs on the Pareto front of cost against time
 * in SLO violation (what the SLO judges), simrun's answer (the cheapest
 * deployable point meeting the SLO, by its mean over the repetitions: its
 * first run, and its run nearest that mean), the bound (the first run of
 * the cheapest point that sees the future) and the first run (the sweep's
 * first point, its baseline). Everything else is one more copy of a
 * figure nobody opens: each costs a read of the run's series and
 * 100-400 ms of gnuplot's drawing. Not the front of cost against latency
 * (the one the cost-latency figure shows): among the repetitions of a
 * point it is mostly seed noise, 9 of 54 runs in make bench's sweep. The
 * alternative, a thumbnail per run, still costs the drawing. */
#include "plot_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The run nearest its point's mean cost in the answer's point (the
 * cheapest deployable point meeting the SLO, sim_summary_best); -1 when
 * there is none. */
static int typical_of_best(const plot_rep *R)
{
    if (R->best_pt < 0)
        return -1;
    const sim_point *p = &R->pts[R->best_pt];
    int pick = p->first;
    for (int k = p->first + 1; k < p->first + p->n; k++)
        if (fabs(R->sum[k].cost_total - p->cost) < fabs(R->sum[pick].cost_total - p->cost))
            pick = k;
    return pick;
}

int plot_select_runs(plot_rep *R, int all, as_err *err)
{
    R->nwanted = 0;
    if (all || R->nrun <= PLOT_DRAW_ALL_UP_TO) {
        for (int i = 0; i < R->nrun; i++)
            R->wanted[i] = 1;
        R->nwanted = R->nrun;
        return AS_OK;
    }
    /* the cost-violation front: the summary rows with p95 := violation */
    sim_summary_row *v = malloc((size_t)R->nrun * sizeof *v);
    int *front = malloc((size_t)R->nrun * sizeof *front);
    int rc = v && front ? AS_OK : as_err_set(err, AS_ENOMEM, "out of memory");
    for (int i = 0; rc == AS_OK && i < R->nrun; i++) {
        v[i] = R->sum[i];
        v[i].p95 = R->sum[i].slo_violation_pct;
    }
    if (rc == AS_OK)
        rc = plot_pareto_among(v, R->nrun, R->oracle, front, err);
    if (rc == AS_OK) {
        for (int i = 0; i < R->nrun; i++)
            R->wanted[i] = front[i];
        R->wanted[0] = 1;
        int pick[3] = {R->best, R->bound, typical_of_best(R)};
        for (int k = 0; k < 3; k++)
            if (pick[k] >= 0)
                R->wanted[pick[k]] = 1;
        for (int i = 0; i < R->nrun; i++)
            R->nwanted += R->wanted[i];
    }
    free(v);
    free(front);
    return rc;
}
