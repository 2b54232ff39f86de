/* plot_tune.c - the frontier figure of a tune (plot_tune.h). One data file
 * with four blocks (every point, the frontier in cost order, the chosen
 * point, the default and the oracle), drawn by one script. */
#include "plot_tune.h"

#include "plot_folder.h"

#include <stdio.h>
#include <stdlib.h>

static int cmp_infra(const void *a, const void *b)
{
    const sim_tune_point *x = *(const sim_tune_point *const *)a,
                         *y = *(const sim_tune_point *const *)b;
    return (x->row.cost_infra > y->row.cost_infra) - (x->row.cost_infra < y->row.cost_infra);
}

static void dat_row(FILE *f, const sim_summary_row *s)
{
    fprintf(f, "%.10g %.10g %.10g\n", s->slo_violation_s, s->cost_infra, s->cost_total);
}

static int write_dat(plot_outdir *o, void *ud, as_err *err)
{
    const sim_tune_result *r = ud;
    FILE *f = plot_outdir_fopen(o, "frontier.dat", err);
    if (f == NULL)
        return err->code;
    const sim_tune_point **fr = malloc(sizeof *fr * (size_t)(r->npoints + 1));
    int nf = 0;
    fputs("# SLO violation (s), infrastructure cost, total cost\n# every configuration\n", f);
    for (int k = 0; k < r->npoints; k++) {
        dat_row(f, &r->points[k].row);
        if (fr && r->points[k].frontier)
            fr[nf++] = &r->points[k];
    }
    fputs("\n\n# the frontier\n", f);
    if (fr)
        qsort(fr, (size_t)nf, sizeof *fr, cmp_infra);
    for (int k = 0; k < nf; k++)
        dat_row(f, &fr[k]->row);
    free(fr);
    fputs("\n\n# chosen\n", f);
    dat_row(f, &r->points[r->best].row);
    fputs("\n\n# default\n", f);
    dat_row(f, &r->dflt);
    fputs("\n\n# oracle\n", f);
    if (r->has_oracle)
        dat_row(f, &r->oracle);
    else
        fputs("NaN NaN NaN\n", f);
    return plot_outdir_fclose(o, f, "frontier.dat", err);
}

int plot_tune_frontier(const sim_tune_result *r, const char *dir, int force, const char *gnuplot,
                       as_err *err)
{
    if (r->npoints == 0 || r->best < 0)
        return as_err_set(err, AS_EINVAL, "no configuration to draw");
    plot_gp *g = plot_gp_new();
    if (g == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    char title[200];
    snprintf(title, sizeof title, "tune of [policy.%s] (kind %s): %d configurations on the "
             "search part", r->policy, r->kind, r->npoints);
    plot_gp_puts(g, "set terminal pngcairo size 1000,650 font 'sans,10' noenhanced\n"
                    "set output 'frontier.png'\nset title ");
    plot_gp_str(g, "title", title);
    plot_gp_puts(g, "\nset xlabel 'SLO violation on the search part, s (plus 1, log scale)'\nset logscale x\n"
                    "set ylabel 'infrastructure cost'\nset grid\nset key outside right top\n"
                    "plot 'frontier.dat' index 0 using ($1+1):2 with points pt 7 ps 0.6 "
                    "lc rgb '#b0b0b0' title 'configurations', \\\n"
                    "     '' index 1 using ($1+1):2 with linespoints pt 7 ps 0.8 lw 2 "
                    "lc rgb '#1f77b4' title 'frontier', \\\n"
                    "     '' index 2 using ($1+1):2 with points pt 3 ps 3 lw 2 lc rgb '#d62728' "
                    "title ");
    snprintf(title, sizeof title, "chosen: %s%s", r->points[r->best].name,
             r->meets ? "" : " (misses the SLO)");
    plot_gp_str(g, "title", title);
    plot_gp_puts(g, ", \\\n     '' index 3 using ($1+1):2 with points pt 5 ps 2 lc rgb '#ff7f0e' "
                    "title ");
    snprintf(title, sizeof title, "default: [policy.%s]", r->policy);
    plot_gp_str(g, "title", title);
    if (r->has_oracle)
        plot_gp_puts(g, ", \\\n     '' index 4 using ($1+1):2 with points pt 9 ps 2 "
                        "lc rgb '#2ca02c' title 'oracle (bound)'");
    plot_gp_puts(g, "\n");
    plot_folder f = {dir, force, "frontier.gp", gnuplot, write_dat, (void *)r};
    int rc = plot_folder_draw(&f, g, err);
    plot_gp_free(g);
    return rc;
}
