/* plot_folder.c - a folder of figures from one script (plot_folder.h);
 * the same steps as forecast --plot (plot_forecast.c). */
#include "plot_folder.h"

#include "plot_gnuplot.h"

#include <stdio.h>

int plot_folder_draw(const plot_folder *f, plot_gp *g, as_err *err)
{
    /* the script first: a refused name stops before any folder is made */
    const char *script = NULL;
    size_t len = 0;
    int rc = plot_gp_finish(g, &script, &len, err);
    plot_outdir o = {.fd = -1};
    if (rc == AS_OK)
        rc = plot_outdir_begin(&o, f->dir, f->force, err);
    if (rc == AS_OK && f->data)
        rc = f->data(&o, f->ud, err);
    if (rc == AS_OK) {
        FILE *s = plot_outdir_fopen(&o, f->script_name, err);
        rc = s == NULL ? AS_EIO : AS_OK;
        if (s != NULL) {
            fwrite(script, 1, len, s);
            rc = plot_outdir_fclose(&o, s, f->script_name, err);
        }
    }
    if (rc == AS_OK) {
        plot_gnuplot_job job = {.dirfd = o.fd, .shown = o.shown, .script = script, .len = len,
                                .rerun = f->script_name, .prog = f->gnuplot, .dir = o.target};
        int grc = plot_gnuplot_run(&job, NULL, err);
        as_err cerr = {0};
        int crc = plot_outdir_commit(&o, grc == AS_OK ? err : &cerr);
        rc = grc != AS_OK ? grc : crc;
    }
    plot_outdir_end(&o);
    return rc;
}
