/* plot_report.c - the entry points of a report: read the results file,
 * pick the runs to draw, write the data and build the whole script in
 * memory, save it as report.gp with index.html, draw its figures with a
 * pool of gnuplot processes in the new folder (one per CPU, each fed
 * figure after figure through a pipe: plot_gnuplot.h),
 * then swap the folder in. gnuplot runs in that folder with relative
 * paths, so `cd DIR && gnuplot report.gp` redraws the report after a user
 * edits it. The jobs themselves are in the files plot_int.h lists. */
#include "plot_gnuplot.h"
#include "plot_int.h"

#include "as_name.h"

#include "as_param.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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
    const char *base = strrchr(h5path, '/');
    base = base ? base + 1 : h5path;
    size_t len = strlen(base);
    if (len > 3 && strcmp(base + len - 3, ".h5") == 0)
        len -= 3;
    char stem[256];
    snprintf(stem, sizeof stem, "%.*s", (int)(len < 255 ? len : 255), base);
    if (as_name_check(stem, err) != AS_OK)
        return as_err_prefix(err, "%s: no report folder can be named after this file (give "
                                  "one): ", h5path);
    snprintf(buf, n, "reports/%s", stem);
    return AS_OK;
}

int plot_report_owner(const char *h5path, char *buf, size_t n, as_err *err)
{
    /* realpath of the longest existing folder of the path, then the rest
     * as written: before a run the results file's folder may not exist yet,
     * and the owner checked then must be the one recorded afterwards */
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", h5path);
    char *cut = strrchr(dir, '/');
    char *real = NULL;
    for (;;) {
        if (cut == NULL) {
            real = realpath(".", NULL);
            cut = dir - 1; /* the whole path is the rest */
            break;
        }
        if (cut == dir) { /* "/name" */
            real = realpath("/", NULL);
            break;
        }
        *cut = '\0';
        if ((real = realpath(dir, NULL)) != NULL || errno != ENOENT)
            break;
        char *up = strrchr(dir, '/');
        *cut = '/';
        cut = up;
    }
    if (real == NULL)
        return as_err_set(err, AS_EINVAL, "%s: %s", h5path, strerror(errno));
    const char *rest = h5path + (cut - dir) + 1;
    snprintf(buf, n, "%s%s%s", real, strcmp(real, "/") == 0 ? "" : "/", rest);
    free(real);
    return AS_OK;
}

/* The folder and the owner of a report. */
static int report_target(const char *h5path, const char *dir, char *target, size_t n,
                         char *owner, size_t m, as_err *err)
{
    int rc = AS_OK;
    if (dir != NULL)
        snprintf(target, n, "%s", dir);
    else
        rc = plot_report_default_dir(h5path, target, n, err);
    if (rc == AS_OK && plot_report_owner(h5path, owner, m, NULL) != AS_OK)
        owner[0] = '\0'; /* a folder that vanished: no owner to compare */
    return rc;
}

int plot_report_check_dir(const char *h5path, const char *dir, int force, as_err *err)
{
    char target[1024], owner[1100];
    int rc = report_target(h5path, dir, target, sizeof target, owner, sizeof owner, err);
    return rc == AS_OK ? plot_outdir_check(target, force, owner, err) : rc;
}

int plot_window_parse(const char *s, double *start, double *end, as_err *err)
{
    const char *colon = strchr(s, ':');
    char a[64];
    as_time t0 = 0, t1 = 0;
    if (colon == NULL || (size_t)(colon - s) >= sizeof a)
        return as_err_set(err, AS_EINVAL, "--window '%s': START:END expected, e.g. 37h:39h", s);
    snprintf(a, sizeof a, "%.*s", (int)(colon - s), s);
    if (as_parse_duration(a, &t0, NULL) != AS_OK || as_parse_duration(colon + 1, &t1, NULL) != AS_OK)
        return as_err_set(err, AS_EINVAL,
                          "--window '%s': START and END are durations since the start, e.g. "
                          "37h:39h or 90m:150m", s);
    if (t1 <= t0)
        return as_err_set(err, AS_EINVAL, "--window '%s': END must come after START", s);
    *start = as_time_to_s(t0);
    *end = as_time_to_s(t1);
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
    /* portrait A4: the run figures are five panels high; one page size for
     * the whole file (pdfcairo keeps the first) */
    if (R->format == PLOT_PDF)
        plot_gp_puts(g, "set terminal pdfcairo size 8.27in,11.69in font 'sans,8' noenhanced\n"
                        "set output 'report.pdf'\n");
}

/* Data, script and page into the new folder; *script is the finished
 * script (borrowed from R->gp). */
static void step(plot_rep *R, const char *phase, int done, int total)
{
    if (R->opts && R->opts->progress) {
        plot_progress p = {phase, done, total};
        R->opts->progress(R->opts->progress_ud, &p);
    }
}

/* While gnuplot draws: figures done (a PDF is one piece: no count). */
static void drawing(void *ud, int done, int n)
{
    plot_rep *R = ud;
    step(R, "drawing", n == 1 ? 0 : done, R->nfig);
}

/* Every figure to the pool, the head (before the first figure) sent to
 * each gnuplot first; a PDF is one file that one gnuplot writes page
 * after page. */
static int draw(plot_rep *R, const char *script, size_t len, int *warnings, as_err *err)
{
    int pdf = R->format == PLOT_PDF || R->nfig == 0;
    int n = pdf ? 1 : R->nfig;
    size_t *cut = malloc((size_t)(n + 1) * sizeof *cut);
    const char **name = malloc((size_t)n * sizeof *name);
    if (cut == NULL || name == NULL) {
        free(cut);
        free(name);
        return as_err_set(err, AS_ENOMEM, "out of memory");
    }
    cut[0] = 0;
    name[0] = "report.pdf";
    for (int k = 0; !pdf && k < n; k++) {
        cut[k] = R->figs[k].off;
        name[k] = R->figs[k].file;
    }
    cut[n] = len;
    const plot_report_opts *o = R->opts;
    plot_gnuplot_pool pool = {R->out.fd, R->out.shown, "report.gp", o->gnuplot, script, cut,
                              pdf ? NULL : name, n, o->procs > 0 ? o->procs : plot_gnuplot_procs(),
                              o->progress ? drawing : NULL, R, R->out.target, o->stall_ms};
    int rc = plot_gnuplot_draw(&pool, warnings, err);
    free(cut);
    free(name);
    return rc;
}

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
    if (rc == AS_OK)
        rc = plot_fig_sweep(R, err);
    if (rc == AS_OK)
        rc = plot_select_runs(R, R->opts->all_figures, err);
    for (int i = 0, k = 0; rc == AS_OK && i < R->nrun; i++) {
        if (!R->wanted[i])
            continue;
        step(R, "data", k++, R->nwanted);
        plot_run_data d;
        rc = plot_data_run(R, i, &d, err);
        if (rc == AS_ENOTFOUND)
            rc = AS_EINVAL;
        if (rc == AS_OK && d.rows >= 2) {
            plot_fig_run(R, i, &d);
            R->drawn[i] = 1;
            rc = plot_fig_nodes(R, i, err);
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
    int sweep = 0;
    if (rc == AS_OK)
        rc = plot_html_sweep(R, &sweep, err);
    return rc == AS_OK ? plot_html_index(R, err) : rc;
}

int plot_report_ex(const char *h5path, const char *outdir, const plot_report_opts *opts,
                   plot_report_info *info, as_err *err)
{
    plot_report_opts dflt = {.format = PLOT_PNG};
    if (opts == NULL)
        opts = &dflt;
    plot_rep R = {0};
    R.out.fd = -1;
    R.h5 = h5path;
    R.format = opts->format;
    R.maxpts = opts->max_points ? opts->max_points : PLOT_MAX_POINTS;
    if (R.maxpts < 4)
        R.maxpts = 4;
    R.opts = opts;
    R.char_w = R.format == PLOT_PDF ? 5.2 : 6.5;
    R.char_h = R.format == PLOT_PDF ? 10 : 13;
    if (opts->currency && opts->currency[0]) {
        if (plot_currency_check(opts->currency, err) != AS_OK)
            return AS_EINVAL;
        snprintf(R.currency, sizeof R.currency, "%s", opts->currency);
    }
    char dir[1024], owner[1100];
    /* the folder first: a refused folder costs no reading */
    int rc = report_target(h5path, outdir, dir, sizeof dir, owner, sizeof owner, err);
    if (rc == AS_OK)
        rc = plot_outdir_check(dir, opts->force, owner, err);
    if (rc == AS_OK)
        rc = plot_rep_load(&R, err);
    if (rc == AS_OK)
        rc = plot_outdir_begin_for(&R.out, dir, opts->force, owner, err);
    const char *script = NULL;
    size_t len = 0;
    if (rc == AS_OK)
        rc = write_all(&R, &script, &len, err);
    int warnings = 0;
    if (rc == AS_OK) {
        int grc = AS_OK;
        if (!opts->no_gnuplot)
            grc = draw(&R, script, len, &warnings, err);
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
        info->runs_left = R.nrun - R.nwanted;
        info->warnings = warnings;
        snprintf(info->outdir, sizeof info->outdir, "%s", R.out.target);
    }
    plot_outdir_end(&R.out);
    plot_rep_free(&R);
    return rc;
}

int plot_report(const char *h5path, const char *outdir, int format, as_err *err)
{
    plot_report_opts o = {.format = format};
    return plot_report_ex(h5path, outdir, &o, NULL, err);
}
