/* plot_compare.c - the figure of simrun compare (plot_compare.h): a
 * histogram, one cluster per run, one bar per metric, in percent. */
#include "plot_compare.h"

#include "as_name.h"
#include "plot_folder.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const drawn[] = {"cost_total", "cost_infra", "slo_violation_s", "p95",
                                    "p99", "mean_instances", "actions"};
#define NDRAWN (sizeof drawn / sizeof drawn[0])

typedef struct crun {
    char name[64];
    double rel[NDRAWN];
} crun;

struct plot_compare_in {
    char title[600];
    crun *runs;
    int n, cap;
};

plot_compare_in *plot_compare_new(const char *a, const char *b)
{
    plot_compare_in *in = calloc(1, sizeof *in);
    if (in)
        snprintf(in->title, sizeof in->title, "%s against %s: relative change per run (%%)", b, a);
    return in;
}

void plot_compare_free(plot_compare_in *in)
{
    if (in)
        free(in->runs);
    free(in);
}

void plot_compare_add(plot_compare_in *in, const char *run, const char *metric, double rel,
                      int verdict)
{
    (void)verdict;
    size_t k = 0;
    while (k < NDRAWN && strcmp(drawn[k], metric) != 0)
        k++;
    if (in == NULL || k == NDRAWN)
        return;
    if (in->n == 0 || strcmp(in->runs[in->n - 1].name, run) != 0) {
        if (in->n == in->cap) {
            int cap = in->cap ? 2 * in->cap : 16;
            crun *p = realloc(in->runs, sizeof *p * (size_t)cap);
            if (p == NULL)
                return;
            in->runs = p;
            in->cap = cap;
        }
        crun *c = &in->runs[in->n++];
        snprintf(c->name, sizeof c->name, "%s", run);
        for (size_t i = 0; i < NDRAWN; i++)
            c->rel[i] = 0;
    }
    /* a p95 going from 0.2 s to 800 s is +400000 %: clipped, so that the
     * other bars stay readable (the exact values are in compare's CSV) */
    double v = isfinite(rel) ? 100 * rel : 0;
    in->runs[in->n - 1].rel[k] = v > 300 ? 300 : v;
}

static int write_dat(plot_outdir *o, void *ud, as_err *err)
{
    const plot_compare_in *in = ud;
    FILE *f = plot_outdir_fopen(o, "compare.dat", err);
    if (f == NULL)
        return err->code;
    fputs("# run", f);
    for (size_t k = 0; k < NDRAWN; k++)
        fprintf(f, " %s", drawn[k]);
    fputs("   (relative change, %)\n", f);
    for (int i = 0; i < in->n; i++) {
        fprintf(f, "%s", in->runs[i].name);
        for (size_t k = 0; k < NDRAWN; k++)
            fprintf(f, " %.6g", in->runs[i].rel[k]);
        fputc('\n', f);
    }
    return plot_outdir_fclose(o, f, "compare.dat", err);
}

int plot_compare_draw(const plot_compare_in *in, const char *dir, int force, const char *gnuplot,
                      as_err *err)
{
    if (in == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    if (in->n == 0)
        return as_err_set(err, AS_EINVAL, "no run is in both files: nothing to draw");
    for (int i = 0; i < in->n; i++) /* names go into a data file gnuplot reads */
        if (as_name_check(in->runs[i].name, err) != AS_OK)
            return err->code;
    plot_gp *g = plot_gp_new();
    if (g == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    plot_gp_printf(g, "set terminal pngcairo size %d,600 font 'sans,10' noenhanced\n"
                      "set output 'compare.png'\nset title ",
                   900 + 60 * in->n);
    plot_gp_str(g, "title", in->title);
    plot_gp_puts(g, "\nset style data histograms\nset style histogram clustered gap 1\n"
                    "set style fill solid 0.8 border -1\nset boxwidth 0.9\nset grid ytics\n"
                    "set ylabel 'change (%, clipped at +300), lower is better'\nset yrange [-100:320]\nset xtics rotate by -30\n"
                    "set key outside right top\nplot ");
    for (size_t k = 0; k < NDRAWN; k++)
        plot_gp_printf(g, "%s'compare.dat' using %zu%s title '%s'", k ? ", " : "", k + 2,
                       k ? "" : ":xtic(1)", drawn[k]);
    plot_gp_puts(g, "\n");
    plot_folder f = {dir, force, "compare.gp", gnuplot, write_dat, (void *)in};
    int rc = plot_folder_draw(&f, g, err);
    plot_gp_free(g);
    return rc;
}
