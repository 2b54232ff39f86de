/* plot_report.c - the entry points of a report: read the results file,
 * write the data and build the whole script in memory, save it as
 * report.gp with index.html, feed it to one gnuplot through a pipe in the
 * new folder, then swap the folder in. gnuplot runs in that folder with
 * relative paths, so `cd DIR && gnuplot report.gp` redraws the report
 * after a user edits it. The jobs themselves are in the files plot_int.h
 * lists. */
#include "plot_gnuplot.h"
#include "plot_int.h"

#include "as_name.h"

#include <stdio.h>
#include <string.h>

static const char *format_term(int format)
{
    switch (format) {
    case PLOT_SVG: return "svg";
    case PLOT_PDF: return "pdf";
    default: return "png";
    }
}

int plot_format_parse(const char *s, int *format)
{
    for (int f = PLOT_PNG; f <= PLOT_PDF; f++)
        if (strcmp(s, format_term(f)) == 0) {
            *format = f;
            return AS_OK;
        }
    return AS_EINVAL;
}

const char *plot_format_ext(int format) { return format_term(format); }

int plot_report_default_dir(const char *h5path, char *buf, size_t n, as_err *err)
{
    sim_reader *rd = sim_reader_open(h5path, err);
    if (rd == NULL)
        return AS_EINVAL;
    char name[256];
    int rc = sim_reader_attr(rd, "scenario_name", name, sizeof name, 0, err);
    sim_reader_close(rd);
    if (rc != AS_OK)
        return AS_EINVAL;
    if (as_name_check(name, err) != AS_OK) {
        as_err_prefix(err, "%s: scenario_name: ", h5path);
        return AS_EINVAL;
    }
    snprintf(buf, n, "reports/%s", name);
    return AS_OK;
}

/* The script's head: how to rerun it and where its data came from. */
static void script_head(plot_rep *R)
{
    plot_gp *g = R->gp;
    plot_gp_puts(g, "# report.gp - written by simrun report; redraw the figures with\n"
                    "#   cd <this folder> && gnuplot report.gp\n"
                    "# results file: ");
    plot_gp_puts(g, R->h5q); /* quoted by plot_rep_load */
    plot_gp_printf(g, "\n# data: data/*.dat (SI units: s, requests/s; the header line of each "
                      "file names its columns)\n# series longer than %zu rows are per-bucket "
                      "mean/min/max\n", R->maxpts);
    if (R->format == PLOT_PDF)
        plot_gp_puts(g, "set terminal pdfcairo size 11in,8.5in font 'sans,9' noenhanced\n"
                        "set output 'report.pdf'\n");
}

/* Data, script and page into the new folder; *script is the finished
 * script (borrowed from R->gp). */
static int write_all(plot_rep *R, const char **script, size_t *len, as_err *err)
{
    int rc = plot_outdir_mkdir(&R->out, "data", err);
    if (rc == AS_OK && (R->gp = plot_gp_new()) == NULL)
        rc = as_err_set(err, AS_ENOMEM, "out of memory");
    if (rc == AS_OK)
        rc = plot_data_summary(R, err);
    if (rc == AS_OK) {
        script_head(R);
        rc = plot_fig_cost_latency(R, err);
    }
    if (rc == AS_OK)
        plot_fig_summary(R);
    for (int i = 0; rc == AS_OK && i < R->nrun; i++) {
        plot_run_data d;
        rc = plot_data_run(R, i, &d, err);
        if (rc == AS_ENOTFOUND)
            rc = AS_EINVAL;
        if (rc == AS_OK && d.rows >= 2) {
            plot_fig_run(R, i, &d);
            R->drawn[i] = 1;
        }
    }
    if (rc == AS_OK && R->format == PLOT_PDF)
        plot_gp_puts(R->gp, "\nunset output\n");
    if (rc == AS_OK)
        rc = plot_gp_finish(R->gp, script, len, err);
    if (rc == AS_OK) {
        FILE *f = plot_outdir_fopen(&R->out, "report.gp", err);
        if (f == NULL)
            return AS_EIO;
        fwrite(*script, 1, *len, f);
        rc = plot_outdir_fclose(&R->out, f, "report.gp", err);
    }
    return rc == AS_OK ? plot_html_index(R, err) : rc;
}

int plot_report_ex(const char *h5path, const char *outdir, const plot_report_opts *opts,
                   plot_report_info *info, as_err *err)
{
    plot_report_opts dflt = {PLOT_PNG, NULL, 0, 0, 0};
    if (opts == NULL)
        opts = &dflt;
    plot_rep R = {0};
    R.out.fd = -1;
    R.h5 = h5path;
    R.format = opts->format;
    R.maxpts = opts->max_points ? opts->max_points : PLOT_MAX_POINTS;
    if (R.maxpts < 4)
        R.maxpts = 4;
    int rc = plot_rep_load(&R, err);
    char dir[1024];
    if (rc == AS_OK) {
        /* the name was checked on read: reports/NAME stays in reports/ */
        snprintf(dir, sizeof dir, "%s", outdir ? outdir : "");
        if (outdir == NULL)
            snprintf(dir, sizeof dir, "reports/%s", R.name);
        rc = plot_outdir_begin(&R.out, dir, opts->force, err);
    }
    const char *script = NULL;
    size_t len = 0;
    if (rc == AS_OK)
        rc = write_all(&R, &script, &len, err);
    int warnings = 0;
    if (rc == AS_OK) {
        int grc = AS_OK;
        if (!opts->no_gnuplot) {
            plot_gnuplot_job job = {R.out.fd, R.out.target, script, len, "report.gp",
                                    opts->gnuplot};
            grc = plot_gnuplot_run(&job, &warnings, err);
        }
        /* in place also when gnuplot failed: its log and the script are
         * what its error message points to; that error comes first */
        as_err cerr = {0};
        int crc = plot_outdir_commit(&R.out, grc == AS_OK ? err : &cerr);
        rc = grc != AS_OK ? grc : crc;
    }
    if (rc == AS_OK && info != NULL) {
        info->figures = R.format == PLOT_PDF ? 1 : R.nfig;
        info->pages = R.nfig;
        info->runs = R.nrun;
        info->warnings = warnings;
        snprintf(info->outdir, sizeof info->outdir, "%s", R.out.target);
    }
    plot_outdir_end(&R.out);
    plot_rep_free(&R);
    return rc;
}

int plot_report(const char *h5path, const char *outdir, int format, as_err *err)
{
    plot_report_opts o = {format, NULL, 0, 0, 0};
    return plot_report_ex(h5path, outdir, &o, NULL, err);
}
