/* plot_fig_nodes.c - the figure of a run's node layer, drawn under its
 * run figure for runs with node pools: pods (ready, asked for, Pending),
 * nodes per pool (ready, ready + booting), and the pods' CPU requests
 * against what ready nodes offer. Its data file, data/runNN_nodes.dat, is
 * written here from the run's timeseries, pods and nodes/POOL tables
 * (every row: these series are short beside the request-level ones, a
 * record per minute, and are not bucketed; above the report's point
 * limit every k-th row is kept). Pool names come from the reader, checked
 * as names, and reach the script only through plot_gp_str. */
#include "plot_int.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_POOLS 8

typedef struct node_data {
    char pools[MAX_POOLS][SIM_STR];
    int npools;
    sim_ts_row *ts;
    sim_pod_row *pods;
    sim_node_row *nodes[MAX_POOLS];
    size_t n;
} node_data;

static void node_data_free(node_data *D)
{
    free(D->ts);
    free(D->pods);
    for (int p = 0; p < MAX_POOLS; p++)
        free(D->nodes[p]);
}

static int node_data_read(plot_rep *R, int i, node_data *D, as_err *err)
{
    const char *run = R->sum[i].run;
    int rc = sim_reader_node_pools(R->rd, run, D->pools, MAX_POOLS, &D->npools, err);
    if (rc != AS_OK || D->npools == 0)
        return rc;
    size_t n = 0, m = 0;
    rc = sim_reader_timeseries(R->rd, run, &D->ts, &n, err);
    if (rc == AS_OK)
        rc = sim_reader_pod_series(R->rd, run, &D->pods, &m, err);
    D->n = n < m ? n : m;
    for (int p = 0; rc == AS_OK && p < D->npools; p++) {
        rc = sim_reader_node_series(R->rd, run, D->pools[p], &D->nodes[p], &m, err);
        D->n = m < D->n ? m : D->n;
    }
    return rc;
}

/* Columns: t, pods ready, pods ready + booting, Pending, CPU requested,
 * CPU allocatable, then per pool ready and ready + booting. */
static int write_data(plot_rep *R, int i, const node_data *D, as_err *err)
{
    char rel[128];
    snprintf(rel, sizeof rel, "data/%s_nodes.dat", R->base[i]);
    FILE *f = plot_outdir_fopen(&R->out, rel, err);
    if (f == NULL)
        return AS_EIO;
    fprintf(f, "# run %s: node layer of %s; t pods_ready pods_all pending cpu_requested "
               "cpu_allocatable, then per pool (name order) ready ready_booting\n",
            R->sum[i].run, R->h5q);
    size_t stride = D->n > R->maxpts ? (D->n + R->maxpts - 1) / R->maxpts : 1;
    for (size_t k = 0; k < D->n; k += stride) {
        double req = 0, alloc = 0;
        for (int p = 0; p < D->npools; p++) {
            req += D->nodes[p][k].cpu_requested;
            alloc += D->nodes[p][k].cpu_allocatable;
        }
        plot_put_num(f, D->ts[k].t);
        plot_put_num(f, D->ts[k].ready);
        plot_put_num(f, D->ts[k].ready + D->ts[k].booting);
        plot_put_num(f, D->pods[k].pending);
        plot_put_num(f, req);
        plot_put_num(f, alloc);
        for (int p = 0; p < D->npools; p++) {
            plot_put_num(f, D->nodes[p][k].ready);
            plot_put_num(f, D->nodes[p][k].ready + D->nodes[p][k].booting);
        }
        fputc('\n', f);
    }
    return plot_outdir_fclose(&R->out, f, rel, err);
}

static void script(plot_rep *R, int i, const node_data *D)
{
    plot_gp *g = R->gp;
    char rel[128], q[160];
    snprintf(rel, sizeof rel, "data/%s_nodes.dat", R->base[i]);
    plot_gp_quote(rel, q, sizeof q, "data file", NULL);
    plot_gp_printf(g, "U = %g\nset multiplot layout 3,1 title ", R->tu);
    char t[512];
    snprintf(t, sizeof t, "%s - run %s: pods on nodes", R->name, R->sum[i].run);
    plot_gp_str(g, "title", t);
    plot_gp_printf(g, " font ',12'\nset lmargin at screen 0.07\nset rmargin at screen 0.82\n"
                      "set key outside right top Left reverse samplen 2 font ',9'\n"
                      "set xrange [0:%g]\nset xlabel 'time (%s)'\nset yrange [0:*]\n",
                   R->duration / R->tu, R->tu_label);
    plot_gp_printf(g, "set title 'pods'\nset ylabel 'pods'\n"
                      "plot %s using ($1/U):2 with steps lw 1.8 lc rgb '#2ca02c' title 'ready', "
                      "\\\n     %s using ($1/U):3 with steps dt 2 lc rgb '#2ca02c' "
                      "title 'asked for (ready + starting + Pending)', \\\n     "
                      "%s using ($1/U):4 with steps lw 1.5 lc rgb '" PLOT_C_RED "' "
                      "title 'Pending'\n", q, q, q);
    plot_gp_puts(g, "set title 'nodes per pool'\nset ylabel 'nodes'\nplot ");
    for (int p = 0; p < D->npools; p++) {
        const char *c = plot_tier_colour(p);
        char lt[SIM_STR + 24];
        plot_gp_printf(g, "%s%s using ($1/U):%d with steps lw 1.8 lc rgb '%s' title ",
                       p ? ", \\\n     " : "", q, 7 + 2 * p, c);
        snprintf(lt, sizeof lt, "%s ready", D->pools[p]);
        plot_gp_str(g, "legend entry", lt);
        plot_gp_printf(g, ", \\\n     %s using ($1/U):%d with steps dt 2 lc rgb '%s' title ", q,
                       8 + 2 * p, c);
        snprintf(lt, sizeof lt, "%s ready + booting", D->pools[p]);
        plot_gp_str(g, "legend entry", lt);
    }
    plot_gp_printf(g, "\nset title 'CPU: pods request, ready nodes offer'\nset ylabel 'cores'\n"
                      "plot %s using ($1/U):6 with steps lw 1.5 lc rgb '#7f7f7f' "
                      "title 'allocatable', \\\n     %s using ($1/U):5 with steps lw 1.8 "
                      "lc rgb '" PLOT_C_RATE "' title 'requested'\nunset multiplot\n", q, q);
}

int plot_fig_nodes(plot_rep *R, int i, as_err *err)
{
    node_data D = {0};
    int rc = node_data_read(R, i, &D, err);
    if (rc == AS_OK && D.npools > 0 && D.n >= 2)
        rc = write_data(R, i, &D, err);
    if (rc == AS_OK && D.npools > 0 && D.n >= 2) {
        char stem[128], title[256];
        snprintf(stem, sizeof stem, "%s_nodes", R->figstem[i]);
        snprintf(title, sizeof title, "Run %s: pods on nodes", R->sum[i].run);
        plot_fig_begin(R, stem, title, i, 1400, 1100);
        R->figs[R->nfig - 1].sub = 1;
        script(R, i, &D);
        plot_fig_end(R);
    }
    node_data_free(&D);
    return rc;
}
