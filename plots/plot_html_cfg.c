/* plot_html_cfg.c - what the page says about the setup: the tiers' and
 * the policies' settings as the results file holds them (resolved, with
 * every default filled in), the scenario text as it was run, and the
 * sweep page (sweep.html): the mean of each point's repetitions with its
 * 95 % confidence half-width (Student t, from GSL). Attribute values are
 * someone else's bytes: all of them go through plot_html_esc.
 * Cost: one read of a group's attributes per tier and per distinct policy
 * (at most PLOT_CFG_RUNS runs looked at), one per sweep point. */
#include "plot_html.h"
#include "plot_int.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PLOT_CFG_RUNS 200      /* runs whose settings are read for the policy table */
#define PLOT_SWEEP_POINTS 2000 /* points listed on the sweep page */

void plot_mean_ci(const double *v, int n, double *mean, double *half)
{
    double s = 0, ss = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) {
            s += v[i];
            k++;
        }
    *mean = k ? s / k : NAN;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]))
            ss += (v[i] - *mean) * (v[i] - *mean);
    *half = k > 1 ? gsl_cdf_tdist_Pinv(0.975, k - 1) * sqrt(ss / (k - 1)) / sqrt(k) : NAN;
}

/* A value of attrs by name, or NULL. */
static const char *attr_of(const sim_attr *a, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (strcmp(a[k].name, name) == 0)
            return a[k].value;
    return NULL;
}

static void tiers_table(const plot_rep *R, FILE *f)
{
    static const char *const cols[] = {"service_time", "concurrency", "visits", "min",
                                       "initial", "max", "boot_time", "price", "autoscale"};
    const int nc = (int)(sizeof cols / sizeof cols[0]);
    fputs("<h3>Tiers</h3>\n<div class=\"wide\"><table>\n<tr><th class=\"l\">tier</th>", f);
    for (int c = 0; c < nc; c++) {
        fputs("<th>", f);
        plot_html_esc(f, strcmp(cols[c], "price") == 0 ? "price per hour" : cols[c]);
        fputs("</th>", f);
    }
    fputs("<th class=\"l\">other settings</th></tr>\n", f);
    for (int k = 0; k < R->ntier; k++) {
        char path[SIM_STR + 16];
        snprintf(path, sizeof path, "/tiers/%s", R->tiers[k].name);
        sim_attr *a = NULL;
        int n = 0;
        if (sim_reader_group_attrs(R->rd, path, &a, &n, NULL) != AS_OK)
            continue;
        fputs("<tr><td class=\"l\">", f);
        plot_html_esc(f, R->tiers[k].name);
        for (int c = 0; c < nc; c++) {
            const char *v = attr_of(a, n, cols[c]);
            fputs("</td><td>", f);
            plot_html_esc(f, v ? v : "-");
        }
        fputs("</td><td class=\"l\">", f);
        for (int j = 0; j < n; j++) {
            int known = strcmp(a[j].name, "index") == 0;
            for (int c = 0; c < nc; c++)
                known |= strcmp(a[j].name, cols[c]) == 0;
            if (known)
                continue;
            plot_html_esc(f, a[j].name);
            fputs(" = ", f);
            plot_html_esc(f, a[j].value);
            fputs("; ", f);
        }
        fputs("</td></tr>\n", f);
        free(a);
    }
    fputs("</table></div>\n", f);
}

/* One row of the policies' table: a run's kind, interval and settings. */
static void policy_row(FILE *f, const sim_attr *a, int n)
{
    const char *pol = attr_of(a, n, "policy"), *kind = attr_of(a, n, "kind");
    const char *iv = attr_of(a, n, "evaluation_interval");
    fputs("<tr><td class=\"l\">", f);
    plot_html_esc(f, pol ? pol : "-");
    fputs("</td><td class=\"l\">", f);
    plot_html_esc(f, kind ? kind : "-");
    fputs("</td><td>", f);
    plot_html_esc(f, iv ? iv : "-");
    fputs("</td><td class=\"l\" style=\"white-space:normal\">", f);
    for (int j = 0; j < n; j++) {
        const char *k = a[j].name;
        if (strncmp(k, "param.", 6) != 0)
            continue;
        plot_html_esc(f, k + 6);
        fputs(" = ", f);
        plot_html_esc(f, a[j].value);
        fputs("; ", f);
    }
    fputs("</td></tr>\n", f);
}

static void policies_table(const plot_rep *R, FILE *f)
{
    fputs("<h3>Policies</h3>\n<div class=\"wide\"><table>\n<tr><th class=\"l\">policy</th>"
          "<th class=\"l\">kind</th><th>interval</th><th class=\"l\">settings (resolved, "
          "defaults included)</th></tr>\n", f);
    char (*seen)[SIM_STR] = calloc(PLOT_CFG_RUNS, sizeof *seen);
    int nseen = 0;
    for (int i = 0; seen && i < R->nrun && i < PLOT_CFG_RUNS; i++) {
        char path[SIM_STR + 16];
        snprintf(path, sizeof path, "/runs/%s", R->sum[i].run);
        sim_attr *a = NULL;
        int n = 0;
        if (sim_reader_group_attrs(R->rd, path, &a, &n, NULL) != AS_OK)
            continue;
        const char *pol = attr_of(a, n, "policy");
        int dup = 0;
        for (int k = 0; pol && k < nseen; k++)
            dup |= strcmp(seen[k], pol) == 0;
        if (!dup) {
            snprintf(seen[nseen++], SIM_STR, "%s", pol ? pol : R->sum[i].run);
            policy_row(f, a, n);
        }
        free(a);
    }
    free(seen);
    fputs("</table></div>\n", f);
    if (R->nrun > PLOT_CFG_RUNS)
        fprintf(f, "<p class=\"meta\">Policies of the first %d runs.</p>\n", PLOT_CFG_RUNS);
}

void plot_html_config(const plot_rep *R, FILE *f)
{
    fputs("<h2>Configuration</h2>\n", f);
    tiers_table(R, f);
    policies_table(R, f);
    char *text = NULL;
    if (sim_reader_attr_alloc(R->rd, "scenario_text", &text, NULL) == AS_OK && text) {
        fputs("<details><summary>The scenario file as it was run</summary><pre>", f);
        plot_html_esc(f, text);
        fputs("</pre></details>\n", f);
    }
    free(text);
}

/* ---- the sweep page ---- */

/* Length of name without a repetition suffix ".rN". */
static size_t stem_len(const char *name)
{
    size_t n = strlen(name), k = n;
    while (k > 0 && name[k - 1] >= '0' && name[k - 1] <= '9')
        k--;
    if (k < n && k >= 2 && name[k - 1] == 'r' && name[k - 2] == '.')
        return k - 2;
    return n;
}

/* Rows [i, j) are one point (the plan keeps a point's repetitions together). */
static int point_end(const plot_rep *R, int i)
{
    size_t s = stem_len(R->sum[i].run);
    int j = i + 1;
    while (j < R->nrun && stem_len(R->sum[j].run) == s &&
           strncmp(R->sum[j].run, R->sum[i].run, s) == 0)
        j++;
    return j;
}

static void sweep_row(const plot_rep *R, FILE *f, int i, int j, double *v)
{
    char path[SIM_STR + 16], b[64], h[64];
    snprintf(path, sizeof path, "/runs/%s", R->sum[i].run);
    sim_attr *a = NULL;
    int na = 0;
    sim_reader_group_attrs(R->rd, path, &a, &na, NULL);
    const char *params = attr_of(a, na, "sweep_params");
    fprintf(f, "<tr%s><td class=\"l\">", R->oracle[i] ? " class=\"bound\"" : "");
    fwrite(R->sum[i].run, 1, stem_len(R->sum[i].run), f); /* a checked name */
    fputs("</td><td class=\"l\">", f);
    plot_html_esc(f, R->sum[i].kind);
    fputs("</td><td class=\"l\" style=\"white-space:normal\">", f);
    plot_html_esc(f, params && params[0] ? params : "-");
    fprintf(f, "</td><td>%d", j - i);
    int meets = 0;
    for (int m = 0; m < 3; m++) {
        for (int k = i; k < j; k++) {
            const sim_summary_row *s = &R->sum[k];
            v[k - i] = m == 0 ? s->cost_total : m == 1 ? s->slo_violation_s : plot_slo_latency_of(R, s);
            meets += m == 0 && s->meets_slo;
        }
        double mean, half;
        plot_mean_ci(v, j - i, &mean, &half);
        fputs("</td><td>", f);
        if (m == 0)
            plot_html_esc(f, plot_fmt_cost(mean, R->currency, b, sizeof b));
        else if (m == 1)
            plot_html_esc(f, plot_fmt_span(mean, b, sizeof b));
        else
            plot_html_esc(f, plot_fmt_latency(mean, b, sizeof b));
        if (isfinite(half)) {
            fputs(" &plusmn; ", f);
            plot_html_esc(f, m == 0   ? plot_fmt_cost(half, R->currency, h, sizeof h)
                             : m == 1 ? plot_fmt_span(half, h, sizeof h)
                                      : plot_fmt_latency(half, h, sizeof h));
        }
    }
    fprintf(f, "</td><td>%d of %d</td></tr>\n", meets, j - i);
    free(a);
}

int plot_html_sweep(plot_rep *R, int *written, as_err *err)
{
    *written = 0;
    int reps = 0;
    for (int i = 0; i < R->nrun; i = point_end(R, i))
        reps |= point_end(R, i) - i > 1;
    if (!reps)
        return AS_OK;
    FILE *f = plot_outdir_fopen(&R->out, "sweep.html", err);
    double *v = calloc((size_t)R->nrun, sizeof *v);
    if (f == NULL || v == NULL) {
        if (f)
            plot_outdir_fclose(&R->out, f, "sweep.html", NULL);
        free(v);
        return f == NULL ? AS_EIO : as_err_set(err, AS_ENOMEM, "out of memory");
    }
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta "
          "name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
    plot_html_esc(f, R->name);
    fputs(" - sweep</title>\n<style>body{font-family:sans-serif;margin:1.5em auto;max-width:"
          "1450px;padding:0 1em}.wide{overflow-x:auto}table{border-collapse:collapse;font-size:"
          "0.85em}th,td{border:1px solid #ccc;padding:0.2em 0.45em;text-align:right;white-space:"
          "nowrap}th{background:#f0f0f0}td.l,th.l{text-align:left}tr.bound td{color:#666;"
          "font-style:italic}</style></head><body>\n<p><a href=\"index.html\">&larr; the "
          "report</a></p>\n<h1>Sweep of ", f);
    plot_html_esc(f, R->name);
    fprintf(f, "</h1>\n<p>Each point's repetitions (runs POINT.rN, each with its own seed): "
               "mean &plusmn; 95 %% confidence half-width (Student t).</p>\n<div class=\"wide\">"
               "<table>\n<tr><th class=\"l\">point</th><th class=\"l\">kind</th><th "
               "class=\"l\">settings</th><th>n</th><th>total cost</th><th>time over SLO</th>"
               "<th>%s</th><th>meets SLO</th></tr>\n", plot_slo_pname(R));
    int points = 0;
    for (int i = 0; i < R->nrun && points < PLOT_SWEEP_POINTS; i = point_end(R, i), points++)
        sweep_row(R, f, i, point_end(R, i), v);
    fputs("</table></div>\n</body></html>\n", f);
    free(v);
    *written = 1;
    R->sweep_page = 1;
    return plot_outdir_fclose(&R->out, f, "sweep.html", err);
}
