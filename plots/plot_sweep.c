/* plot_sweep.c - the figures of a sweep: one per swept parameter, its
 * value against total cost and against SLO compliance (the share of the
 * SLO's windows held, the one SLO definition), each point the mean over its repetitions with its 95 %
 * confidence interval. A parameter with fewer than two numeric values (a
 * forecaster name, one value) gets no figure: its points are in the
 * summary table.
 * A series is a policy and one value of each other swept parameter, so a
 * line through it joins configurations that differ in this parameter only
 * and its legend names the others' values ("hpa down_stabilization=150s").
 * Past SWEEP_MAX_SERIES such series (a legend nobody reads) a series is a
 * policy, and its points, whose other parameters differ, are not joined. */
#include "plot_int.h"

#include "as_param.h"
#include "sim_summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Sweep values as numbers: plain, or durations in seconds. */
static int value_of(const char *s, double *v, int *dur)
{
    as_time t;
    if (as_parse_double(s, v, NULL) == AS_OK && isfinite(*v))
        return 1;
    if (as_parse_duration(s, &t, NULL) == AS_OK) {
        *v = as_time_to_s(t);
        *dur = 1;
        return 1;
    }
    return 0;
}

/* A key that can go into a file's comment line as it is. */
static int plain_key(const char *k)
{
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
              *k == '.' || *k == '_' || *k == '-'))
            return 0;
    return 1;
}

/* Series of point p: its name up to ".pNNN" (the policy). */
static size_t series_len(const char *name)
{
    const char *d = strrchr(name, '.');
    return d && d[1] == 'p' ? (size_t)(d - name) : strlen(name);
}

#define SWEEP_MAX_SERIES 10

typedef struct sweep_fig {
    const char *key;
    int idx;              /* figure number, for the file names */
    const sim_point *pts;
    int np;
    int *series;          /* per point: first point of its series, -1 when no value */
    int *order;           /* scratch: a series' points by x */
    double *x;
    int nseries, dur;
    int by_others;        /* a series also fixes the other swept parameters */
} sweep_fig;

/* Do points a and b belong to one series? */
static int same_series(const plot_rep *R, const sweep_fig *F, int a, int b)
{
    size_t l = series_len(F->pts[a].name);
    if (series_len(F->pts[b].name) != l || strncmp(F->pts[a].name, F->pts[b].name, l) != 0)
        return 0;
    for (int j = 0; F->by_others && j < R->nkeys; j++) {
        char va[256], vb[256];
        if (strcmp(R->keys[j], F->key) == 0)
            continue;
        sim_params_value(R->params[F->pts[a].first], R->keys[j], va, sizeof va);
        sim_params_value(R->params[F->pts[b].first], R->keys[j], vb, sizeof vb);
        if (strcmp(va, vb) != 0)
            return 0;
    }
    return 1;
}

/* The legend of the series that starts at point s. */
static void series_name(const plot_rep *R, const sweep_fig *F, int s, char *buf, size_t n)
{
    snprintf(buf, n, "%.*s", (int)series_len(F->pts[s].name), F->pts[s].name);
    for (int j = 0; F->by_others && j < R->nkeys; j++) {
        char v[256];
        if (strcmp(R->keys[j], F->key) == 0)
            continue;
        sim_params_value(R->params[F->pts[s].first], R->keys[j], v, sizeof v);
        const char *last = strrchr(R->keys[j], '.');
        size_t len = strlen(buf);
        if (v[0] != '\0' && len + 1 < n)
            snprintf(buf + len, n - len, " %s=%s", last ? last + 1 : R->keys[j], v);
    }
}

/* x of every point, its series; 0 when the key has < 2 numeric values. */
static int sweep_values(const plot_rep *R, sweep_fig *F)
{
    double lo = INFINITY, hi = -INFINITY;
    F->nseries = 0;
    for (int k = 0; k < F->np; k++) {
        char v[256];
        F->series[k] = -1;
        sim_params_value(R->params[F->pts[k].first], F->key, v, sizeof v);
        if (v[0] == '\0')
            continue;
        if (!value_of(v, &F->x[k], &F->dur))
            return 0;
        lo = fmin(lo, F->x[k]);
        hi = fmax(hi, F->x[k]);
        int s = 0;
        while (s < k && !(F->series[s] == s && same_series(R, F, s, k)))
            s++;
        F->series[k] = s;
        F->nseries += s == k;
    }
    if (F->by_others && F->nseries > SWEEP_MAX_SERIES) {
        F->by_others = 0; /* one series per policy */
        return sweep_values(R, F);
    }
    return hi > lo;
}

/* The points of series s in order of x (a line runs left to right); their
 * number. Insertion sort: a series has a few points. */
static int series_points(const sweep_fig *F, int s)
{
    int m = 0;
    for (int k = s; k < F->np; k++) {
        if (F->series[k] != s)
            continue;
        int i = m++;
        while (i > 0 && F->x[F->order[i - 1]] > F->x[k]) {
            F->order[i] = F->order[i - 1];
            i--;
        }
        F->order[i] = k;
    }
    return m;
}

/* data/sweep_NN.dat: one block per series (x, cost, its half-width,
 * compliance %, its half-width). */
static int sweep_data(plot_rep *R, const sweep_fig *F, as_err *err)
{
    char rel[64];
    snprintf(rel, sizeof rel, "data/sweep_%02d.dat", F->idx);
    FILE *f = plot_outdir_fopen(&R->out, rel, err);
    if (f == NULL)
        return AS_EIO;
    fprintf(f, "# %s%s, total cost mean, 95%% half-width, SLO windows held %% mean, 95%% "
               "half-width (over repetitions; 0 for one repetition); one block per series\n",
            F->key, F->dur ? " (s)" : "");
    for (int s = 0; s < F->np; s++) {
        if (F->series[s] != s)
            continue;
        char name[600];
        series_name(R, F, s, name, sizeof name);
        fputs("# series ", f);
        for (const char *c = name; *c; c++) /* a comment stays one line */
            fputc(*c == '\n' || *c == '\r' ? ' ' : *c, f);
        fputc('\n', f);
        int m = series_points(F, s);
        for (int i = 0; i < m; i++) {
            /* the points' own means (sim_summary_points), as the tables show */
            const sim_point *p = &F->pts[F->order[i]];
            int k = F->order[i];
            plot_put_num(f, F->x[k]);
            plot_put_num(f, p->cost);
            plot_put_num(f, isfinite(p->cost_hw) ? p->cost_hw : 0);
            plot_put_num(f, p->comp);
            plot_put_num(f, isfinite(p->comp_hw) ? p->comp_hw : 0);
            fputc('\n', f);
        }
        fputs("\n\n", f);
    }
    return plot_outdir_fclose(&R->out, f, rel, err);
}

/* One panel: column `col` (and its half-width) of every series. */
static void sweep_panel(plot_rep *R, const sweep_fig *F, int col)
{
    plot_gp *g = R->gp;
    plot_gp_puts(g, "plot ");
    int b = 0;
    for (int s = 0; s < F->np; s++) {
        if (F->series[s] != s)
            continue;
        char name[600];
        series_name(R, F, s, name, sizeof name);
        plot_gp_printf(g, "%s'data/sweep_%02d.dat' index %d using 1:%d:%d with %s pt 7 "
                          "ps 0.9 lc rgb '%s' title ",
                       b ? ", \\\n     " : "", F->idx, b, col, col + 1,
                       F->by_others ? "yerrorlines" : "yerrorbars", plot_kind_colour(b));
        plot_gp_str(g, "legend", name);
        b++;
    }
    plot_gp_puts(g, "\n");
}

static void sweep_script(plot_rep *R, const sweep_fig *F)
{
    char stem[32], title[512], xl[300];
    snprintf(stem, sizeof stem, "sweep_%02d", F->idx);
    snprintf(title, sizeof title, "%s against cost and SLO compliance", F->key);
    plot_fig_begin(R, stem, title, -1, 1100, 900);
    plot_gp *g = R->gp;
    plot_gp_puts(g, "set multiplot layout 2,1 title ");
    snprintf(title, sizeof title, "%s - %s (mean and 95%% confidence interval over repetitions)",
             R->name, F->key);
    plot_gp_str(g, "title", title);
    plot_gp_puts(g, " font ',12'\nset key outside right top\nset offsets graph 0.03, graph 0.03, "
                    "graph 0.05, graph 0.05\nset xlabel ");
    snprintf(xl, sizeof xl, "%s%s", F->key, F->dur ? " (s)" : "");
    plot_gp_str(g, "axis label", xl);
    plot_gp_puts(g, "\nset title 'total cost'\nset ylabel 'total cost (price units)'\n");
    sweep_panel(R, F, 2);
    plot_gp_puts(g, "set title 'SLO compliance'\nset ylabel 'SLO windows held (%)'\n");
    sweep_panel(R, F, 4);
    plot_gp_puts(g, "unset multiplot\n");
    plot_fig_end(R);
}

int plot_fig_sweep(plot_rep *R, as_err *err)
{
    char (*keys)[128] = R->keys;
    int nk = R->nkeys;
    if (nk == 0)
        return AS_OK;
    size_t n = (size_t)R->nrun;
    const sim_point *pts = R->pts; /* one computation of the means (plot_rep_load) */
    int *series = malloc(n * sizeof *series), *order = malloc(n * sizeof *order);
    double *x = malloc(n * sizeof *x);
    int rc = series && order && x ? AS_OK : as_err_set(err, AS_ENOMEM, "out of memory");
    int np = R->npts, idx = 0;
    for (int k = 0; rc == AS_OK && k < nk; k++) {
        sweep_fig F = {keys[k], idx + 1, pts, np, series, order, x, 0, 0, 1};
        if (!plain_key(keys[k]) || !sweep_values(R, &F))
            continue;
        rc = sweep_data(R, &F, err);
        if (rc == AS_OK)
            sweep_script(R, &F);
        idx++;
    }
    free(series);
    free(order);
    free(x);
    return rc;
}
