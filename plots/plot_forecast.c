/* plot_forecast.c - simrun forecast --plot: the data, the script and the
 * figure of the error by horizon, in a folder swapped in whole. */
#include "plot_forecast.h"
#include "plot_gnuplot.h"
#include "plot_outdir.h"
#include "plot_script.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_data(plot_outdir *o, const plot_forecast_in *in, as_err *err)
{
    const char *rel = "forecast_by_horizon.dat";
    FILE *f = plot_outdir_fopen(o, rel, err);
    if (f == NULL)
        return AS_EIO;
    fprintf(f, "# horizon");
    int rc = AS_OK;
    for (int k = 0; k < in->n && rc == AS_OK; k++) {
        size_t m = 2 * strlen(in->names[k]) + 3;
        char *q = malloc(m);
        rc = q ? plot_gp_quote(in->names[k], q, m, "forecaster", err)
               : as_err_set(err, AS_ENOMEM, "out of memory");
        if (rc == AS_OK)
            fprintf(f, "\t%s", q);
        free(q);
    }
    fprintf(f, "\n");
    for (int h = 0; h < in->horizon; h++) {
        fprintf(f, "%d", h + 1);
        for (int k = 0; k < in->n; k++)
            fprintf(f, "\t%.9g", in->mae[(size_t)k * (size_t)in->horizon + (size_t)h]);
        fprintf(f, "\n");
    }
    int crc = plot_outdir_fclose(o, f, rel, err);
    return rc != AS_OK ? rc : crc;
}

static void write_script(plot_gp *g, const plot_forecast_in *in)
{
    const char *base = strrchr(in->trace, '/');
    base = base ? base + 1 : in->trace;
    char title[1200], xl[200];
    snprintf(title, sizeof title, "Forecast error by horizon - %s (rolling origins)", base);
    snprintf(xl, sizeof xl, "horizon (steps of %s)", in->step);
    plot_gp_puts(g, "set terminal pngcairo size 1100,650 font ',11' noenhanced\n"
                    "set output 'forecast_by_horizon.png'\nset title ");
    plot_gp_str(g, "trace file name", title);
    plot_gp_puts(g, "\nset xlabel ");
    plot_gp_str(g, "step", xl);
    plot_gp_puts(g, "\nset ylabel 'mean absolute error (req/s)'\n"
                    "set key outside right top\nset grid\nset xtics 1\n"
                    "set datafile missing 'nan'\nplot ");
    for (int k = 0; k < in->n; k++) {
        plot_gp_printf(g, "%s'forecast_by_horizon.dat' using 1:%d with linespoints lw 2 title ",
                       k ? ", \\\n     " : "", k + 2);
        plot_gp_str(g, "forecaster", in->names[k]);
    }
    plot_gp_puts(g, "\n");
}

int plot_forecast_by_horizon(const plot_forecast_in *in, as_err *err)
{
    /* the script first: a refused name stops before any folder is made */
    plot_gp *g = plot_gp_new();
    if (g == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    write_script(g, in);
    const char *script = NULL;
    size_t len = 0;
    int rc = plot_gp_finish(g, &script, &len, err);
    plot_outdir o = {.fd = -1};
    if (rc == AS_OK)
        rc = plot_outdir_begin(&o, in->dir, in->force, err);
    if (rc == AS_OK)
        rc = write_data(&o, in, err);
    if (rc == AS_OK) {
        FILE *f = plot_outdir_fopen(&o, "forecast.gp", err);
        rc = f == NULL ? AS_EIO : AS_OK;
        if (f != NULL) {
            fwrite(script, 1, len, f);
            rc = plot_outdir_fclose(&o, f, "forecast.gp", err);
        }
    }
    if (rc == AS_OK) {
        plot_gnuplot_job job = {o.fd, o.shown, script, len, "forecast.gp",
                                in->gnuplot, NULL, NULL, o.target};
        int grc = plot_gnuplot_run(&job, NULL, err);
        as_err cerr = {0};
        int crc = plot_outdir_commit(&o, grc == AS_OK ? err : &cerr);
        rc = grc != AS_OK ? grc : crc;
    }
    plot_outdir_end(&o);
    plot_gp_free(g);
    return rc;
}
