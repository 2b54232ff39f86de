/* plot_html_cfg.c - what the page says about the setup: the tiers' and
 * the policies' settings as the results file holds them (resolved, with
 * every default filled in), the scenario text as it was run, and the
 * sweep page (sweep.html): each point's swept settings, one column per
 * key, the mean of its repetitions with its 95 % confidence half-width
 * (sim_summary_points: the same numbers as simrun's repetition table and
 * its verdicts), and the figures of the swept parameters. Attribute values are
 * someone else's bytes: all of them go through plot_html_esc.
 * Cost: one read of a group's attributes per tier and per distinct policy
 * (at most PLOT_CFG_RUNS runs looked at), one per sweep point. */
#include "plot_html.h"
#include "plot_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PLOT_CFG_RUNS 200      /* runs whose settings are read for the policy table */
#define PLOT_SWEEP_POINTS 2000 /* points listed on the sweep page */

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

/* One point: its settings, n, the means and half-widths, its verdict. */
static void sweep_row(const plot_rep *R, FILE *f, int k)
{
    const sim_point *p = &R->pts[k];
    char b[128], h[64];
    fprintf(f, "<tr%s><td class=\"l\">",
            k == R->best_pt ? " class=\"best\"" : p->oracle ? " class=\"bound\"" : "");
    plot_html_esc(f, p->name);
    fputs("</td><td class=\"l\">", f);
    plot_html_esc(f, R->sum[p->first].kind);
    for (int j = 0; j < R->nkeys; j++) {
        fputs("</td><td>", f);
        sim_params_value(R->params[p->first], R->keys[j], b, sizeof b);
        plot_html_esc(f, b[0] ? b : "-");
    }
    fprintf(f, "</td><td>%d", p->n);
    const double mean[3] = {p->cost, p->viol, p->lat}, half[3] = {p->cost_hw, p->viol_hw,
                                                                   p->lat_hw};
    for (int m = 0; m < 3; m++) {
        fputs("</td><td>", f);
        plot_html_esc(f, m == 0   ? plot_fmt_cost(mean[m], R->currency, b, sizeof b)
                         : m == 1 ? plot_fmt_span(mean[m], b, sizeof b)
                                  : plot_fmt_latency(mean[m], b, sizeof b));
        if (isfinite(half[m])) {
            fputs(" &plusmn; ", f);
            plot_html_esc(f, m == 0   ? plot_fmt_cost(half[m], R->currency, h, sizeof h)
                             : m == 1 ? plot_fmt_span(half[m], h, sizeof h)
                                      : plot_fmt_latency(half[m], h, sizeof h));
        }
    }
    fprintf(f, "</td><td>%s (%d of %d)</td></tr>\n",
            p->oracle ? "bound" : p->meets ? "meets" : "misses", p->nmeet, p->n);
}

static void sweep_head(const plot_rep *R, FILE *f)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta "
          "name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", f);
    plot_html_esc(f, R->name);
    fputs(" - sweep</title>\n<style>body{font-family:sans-serif;margin:1.5em auto;max-width:"
          "1450px;padding:0 1em}.wide{overflow-x:auto}table{border-collapse:collapse;font-size:"
          "0.85em}th,td{border:1px solid #ccc;padding:0.2em 0.45em;text-align:right;white-space:"
          "nowrap}th{background:#f0f0f0}td.l,th.l{text-align:left}tr.bound td{color:#666;"
          "font-style:italic}tr.best td{background:#e6f4e6;font-weight:bold}figure{margin:1em 0}"
          "img{max-width:100%}</style></head><body>\n<p><a href=\"index.html\">&larr; the "
          "report</a></p>\n<h1>Sweep of ", f);
    plot_html_esc(f, R->name);
    fputs("</h1>\n<p>Each point's repetitions (runs POINT.rN, each with its own seed): "
          "mean &plusmn; 95 % confidence half-width (Student t). A point meets the SLO when "
          "every repetition does; highlighted: the cheapest deployable point that meets it "
          "(by mean total cost), the answer of simrun's table.</p>\n", f);
}

int plot_html_sweep(plot_rep *R, int *written, as_err *err)
{
    *written = 0;
    int reps = 0;
    for (int k = 0; k < R->npts; k++)
        reps |= R->pts[k].n > 1;
    if (!reps && R->nkeys == 0)
        return AS_OK;
    FILE *f = plot_outdir_fopen(&R->out, "sweep.html", err);
    if (f == NULL)
        return AS_EIO;
    sweep_head(R, f);
    fputs("<div class=\"wide\"><table>\n<tr><th class=\"l\">point</th><th class=\"l\">kind"
          "</th>", f);
    for (int j = 0; j < R->nkeys; j++) {
        fputs("<th>", f);
        plot_html_esc(f, R->keys[j]);
        fputs("</th>", f);
    }
    fprintf(f, "<th>n</th><th>total cost</th><th>time over SLO</th><th>p%g run</th><th>SLO"
               "</th></tr>\n", R->slo_pct);
    for (int k = 0; k < R->npts && k < PLOT_SWEEP_POINTS; k++)
        sweep_row(R, f, k);
    fputs("</table></div>\n", f);
    if (R->npts > PLOT_SWEEP_POINTS)
        fprintf(f, "<p>The first %d of %d points.</p>\n", PLOT_SWEEP_POINTS, R->npts);
    plot_html_sweep_figs(R, f);
    fputs("</body></html>\n", f);
    *written = 1;
    R->sweep_page = 1;
    return plot_outdir_fclose(&R->out, f, "sweep.html", err);
}
