/* plot_html.c - the report's index.html: the scenario, the summary table
 * and every figure, readable without a server. Every string from the
 * results file goes through plot_html_esc (plot_html.h); numbers are
 * printed by format; everything else is a literal of this file. */
#include "plot_html.h"
#include "plot_int.h"

#include <math.h>
#include <string.h>

void plot_html_esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                fputs("\xef\xbf\xbd", f); /* U+FFFD */
            else
                fputc(c, f);
        }
    }
}

static void html_num(FILE *f, const char *fmt, double v)
{
    if (isfinite(v))
        fprintf(f, fmt, v);
    else
        fputs("&ndash;", f);
}

static void html_fig(FILE *f, const plot_figure *fg)
{
    fputs("<figure><a href=\"", f);
    plot_html_esc(f, fg->file);
    fputs("\"><img src=\"", f);
    plot_html_esc(f, fg->file);
    fputs("\" alt=\"", f);
    plot_html_esc(f, fg->title);
    fputs("\"></a><figcaption>", f);
    plot_html_esc(f, fg->title);
    fputs("</figcaption></figure>\n", f);
}

/* <head>, the title and the line about the scenario. */
static void page_head(const plot_rep *R, FILE *f)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", f);
    plot_html_esc(f, R->name);
    fputs(" - autoscale-sim report</title>\n<style>\n"
          "body{font-family:sans-serif;margin:1.5em auto;max-width:1450px;color:#222;"
          "padding:0 1em}\n"
          "table{border-collapse:collapse;font-size:0.9em}\n"
          "th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:right}\n"
          "th{background:#f0f0f0}\ntd.l,th.l{text-align:left}\n"
          "tr.bad td.slo{color:#b00}\ntr.best{background:#eaf6ea}\n"
          "figure{margin:1.5em 0}\nimg{max-width:100%;height:auto;border:1px solid #ddd}\n"
          "figcaption{color:#555;font-size:0.9em}\n.meta{color:#555}\n"
          "</style></head><body>\n<h1>Scenario ",
          f);
    plot_html_esc(f, R->name);
    fputs("</h1>\n<p>", f);
    plot_html_esc(f, R->desc);
    fputs("</p>\n<p class=\"meta\">results file <code>", f);
    plot_html_esc(f, R->h5);
    fprintf(f, "</code>, %d run%s, %g h simulated", R->nrun, R->nrun == 1 ? "" : "s",
            R->duration / 3600);
    if (R->model[0]) {
        fputs(", model ", f);
        plot_html_esc(f, R->model);
    }
    if (R->overrides[0]) {
        fputs(", overrides <code>", f);
        plot_html_esc(f, R->overrides);
        fputs("</code>", f);
    }
    if (R->created[0]) {
        fputs(", created ", f);
        plot_html_esc(f, R->created);
    }
    char def[256];
    sim_slo_describe(&R->sloi, def, sizeof def);
    fputs(". SLO: ", f);
    plot_html_esc(f, def);
    fputs(".</p>\n", f);
}

static void table_row(const plot_rep *R, FILE *f, int i, int best)
{
    const sim_summary_row *s = &R->sum[i];
    fprintf(f, "<tr class=\"%s\"><td class=\"l\">",
            i == best ? "best" : s->meets_slo ? "" : "bad");
    if (R->drawn[i])
        fprintf(f, "<a href=\"#run-%d\">", i + 1);
    plot_html_esc(f, s->run);
    fputs(R->drawn[i] ? "</a>" : "", f);
    fputs("</td><td class=\"l\">", f);
    plot_html_esc(f, s->kind);
    const struct {
        const char *fmt;
        double v;
    } cells[] = {{"%.4g", s->cost_total}, {"%.4g", s->cost_infra},
                 {"%.4g", s->cost_penalty}, {"%.0f", s->slo_violation_s},
                 {"%.3g", s->slo_violation_pct}};
    for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
        fputs("</td><td>", f);
        html_num(f, cells[k].fmt, cells[k].v);
    }
    fputs("</td><td>", f);
    html_num(f, "%.2f", s->slo_compliance);
    fprintf(f, "</td><td class=\"slo\">%s",
            R->oracle[i] ? "bound" : s->meets_slo ? "meets" : "misses");
    const struct {
        const char *fmt;
        double v;
    } more[] = {{"%.1f", s->p50 * 1e3}, {"%.1f", s->p95 * 1e3}, {"%.1f", s->p99 * 1e3},
                {"%.2f", s->mean_instances}, {"%.0f", s->peak_instances}};
    for (size_t k = 0; k < sizeof more / sizeof more[0]; k++) {
        fputs("</td><td>", f);
        html_num(f, more[k].fmt, more[k].v);
    }
    fprintf(f, "</td><td>%d</td><td>%s</td></tr>\n", s->actions,
            R->pareto[i] ? "&#9679;" : "");
}

/* The summary table; the cheapest deployable run meeting the SLO, as
 * simrun's table names it, is highlighted; the bound has its own line. */
static void summary_table(const plot_rep *R, FILE *f)
{
    int best = sim_summary_best(R->sum, R->nrun), bound = sim_summary_bound(R->sum, R->nrun);
    fputs("<h2>Summary</h2>\n<table>\n<tr><th class=\"l\">run</th><th class=\"l\">kind</th>"
          "<th>total cost</th><th>infra</th><th>penalty</th><th>SLO violation (s)</th>"
          "<th>violation (%)</th><th>windows held (%)</th><th>verdict</th><th>p50 (ms)</th><th>p95 (ms)</th>"
          "<th>p99 (ms)</th><th>mean inst.</th><th>peak inst.</th><th>actions</th>"
          "<th>Pareto</th></tr>\n",
          f);
    for (int i = 0; i < R->nrun; i++)
        table_row(R, f, i, best);
    fputs("</table>\n", f);
    if (bound >= 0) {
        fputs("<p>The least any policy could cost: <b>", f);
        plot_html_esc(f, R->sum[bound].run);
        fprintf(f, "</b> (total %.4g; a bound that sees the future, not a policy to deploy).</p>\n",
                R->sum[bound].cost_total);
    }
    if (best >= 0) {
        fputs("<p>Cheapest deployable run meeting the SLO (highlighted): <b>", f);
        plot_html_esc(f, R->sum[best].run);
        if (bound >= 0 && R->sum[bound].cost_total > 0)
            fprintf(f, "</b>, %.2fx the bound", R->sum[best].cost_total / R->sum[bound].cost_total);
        else
            fputs("</b>", f);
        fputs(". Pareto: no other run is both cheaper and faster (p95).</p>\n", f);
    } else {
        fputs(bound >= 0 ? "<p>No deployable run meets the SLO.</p>\n"
                         : "<p>No run meets the SLO.</p>\n", f);
    }
}

static void figures(const plot_rep *R, FILE *f)
{
    if (R->format == PLOT_PDF) {
        fprintf(f, "<h2>Figures</h2>\n<p>All %d figures are pages of <a href=\"report.pdf\">"
                   "report.pdf</a>.</p>\n<object data=\"report.pdf\" type=\"application/pdf\" "
                   "width=\"100%%\" height=\"900\"><a href=\"report.pdf\">report.pdf</a></object>\n",
                R->nfig);
        return;
    }
    fputs("<h2>Cost versus latency</h2>\n", f);
    for (int k = 0; k < R->nfig; k++)
        if (R->figs[k].run < 0 && strncmp(R->figs[k].file, "cost_latency", 12) == 0)
            html_fig(f, &R->figs[k]);
    fputs("<h2>Policies compared</h2>\n", f);
    for (int k = 0; k < R->nfig; k++)
        if (R->figs[k].run < 0 && strncmp(R->figs[k].file, "cost_latency", 12) != 0)
            html_fig(f, &R->figs[k]);
    fputs("<h2>Runs</h2>\n<p>", f);
    for (int k = 0; k < R->nfig; k++)
        if (R->figs[k].run >= 0) {
            fprintf(f, "<a href=\"#run-%d\">", R->figs[k].run + 1);
            plot_html_esc(f, R->sum[R->figs[k].run].run);
            fputs("</a> ", f);
        }
    fputs("</p>\n", f);
    for (int k = 0; k < R->nfig; k++)
        if (R->figs[k].run >= 0) {
            fprintf(f, "<h3 id=\"run-%d\">", R->figs[k].run + 1);
            plot_html_esc(f, R->figs[k].title);
            fputs("</h3>\n", f);
            html_fig(f, &R->figs[k]);
        }
}

int plot_html_index(plot_rep *R, as_err *err)
{
    FILE *f = plot_outdir_fopen(&R->out, "index.html", err);
    if (f == NULL)
        return AS_EIO;
    page_head(R, f);
    summary_table(R, f);
    figures(R, f);
    for (int i = 0; i < R->nrun; i++)
        if (!R->drawn[i]) {
            fputs("<p>Run ", f);
            plot_html_esc(f, R->sum[i].run);
            fputs(" has fewer than two records: no figure.</p>\n", f);
        }
    fputs("<p class=\"meta\">Data of every figure: <code>data/*.dat</code>; redraw with "
          "<code>gnuplot report.gp</code> in this folder.</p>\n</body></html>\n",
          f);
    return plot_outdir_fclose(&R->out, f, "index.html", err);
}
