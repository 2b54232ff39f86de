/* plot_html.c - the report's index.html: the scenario, the verdict, the
 * summary table, the configuration and every figure, readable without a
 * server and at 900 px (the table scrolls inside its box rather than
 * cutting columns off or widening the page). Every string from the results
 * file goes through plot_html_esc (plot_html.h); numbers are formatted by
 * plot_fmt.h, so the page and the figures say the same; everything else
 * is a literal of this file. */
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

static const char css[] =
    "body{font-family:sans-serif;margin:1.5em auto;max-width:1450px;color:#222;padding:0 1em}\n"
    ".wide{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;font-size:0.85em}\n"
    "th,td{border:1px solid #ccc;padding:0.2em 0.4em;text-align:right;white-space:nowrap}\n"
    "@media (max-width:1000px){table{font-size:0.78em}th,td{padding:0.15em 0.3em}}\n"
    "th{background:#f0f0f0;white-space:normal}\ntd.l,th.l{text-align:left}\n"
    "tr.bad td.slo{color:#b00}\ntr.best{background:#dff0df;font-weight:bold}\n"
    "tr.bound td{color:#666;font-style:italic}\n"
    "figure{margin:1.5em 0}\nimg{max-width:100%;height:auto;border:1px solid #ddd}\n"
    "figcaption{color:#555;font-size:0.9em}\n.meta{color:#555}\n"
    ".verdict{font-size:1.1em;border-left:4px solid #2ca02c;padding:0.3em 0.8em;"
    "background:#f6fbf6}\n"
    "pre{background:#f7f7f7;padding:0.6em;overflow-x:auto;font-size:0.85em}\n"
    "details{margin:0.6em 0}\n";

/* <head>, the title and the line about the scenario. */
static void page_head(const plot_rep *R, FILE *f)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          f);
    plot_html_esc(f, R->name);
    fprintf(f, " - autoscale-sim report</title>\n<style>\n%s</style></head><body>\n"
               "<h1>Scenario ", css);
    plot_html_esc(f, R->name);
    fputs("</h1>\n<p>", f);
    plot_html_esc(f, R->desc);
    fputs("</p>\n<p class=\"meta\">results file <code>", f);
    plot_html_esc(f, R->h5);
    char span[32];
    fprintf(f, "</code>, %d run%s, %s simulated", R->nrun, R->nrun == 1 ? "" : "s",
            plot_fmt_span(R->duration, span, sizeof span));
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
    fputs(". Costs in ", f);
    plot_html_esc(f, plot_money_unit(R));
    fputs("; per month: the run's cost per hour over 730.5 hours.</p>\n", f);
}

/* " (mean of N repetitions)" after a point's cost when it has them. */
static void reps_note(FILE *f, const sim_point *p)
{
    if (p->n > 1)
        fprintf(f, " (mean of %d repetitions)", p->n);
}

/* The answer, and the bound it is measured against: points, so that a
 * sweep's answer is the mean of a point's repetitions (all meeting the
 * SLO), as simrun's table and the sweep page name it. */
static void verdict(const plot_rep *R, FILE *f)
{
    char c[64], m[64];
    double hours = R->duration / 3600;
    fputs("<p class=\"verdict\">", f);
    const sim_point *b = R->best_pt >= 0 ? &R->pts[R->best_pt] : NULL;
    const sim_point *o = R->bound_pt >= 0 ? &R->pts[R->bound_pt] : NULL;
    if (b) {
        fputs("Cheapest deployable policy meeting the SLO: <b>", f);
        plot_html_esc(f, b->name);
        fputs("</b>, total ", f);
        plot_html_esc(f, plot_fmt_cost(b->cost, R->currency, c, sizeof c));
        reps_note(f, b);
        if (hours > 0) {
            fputs(", ", f);
            plot_html_esc(f, plot_fmt_cost(b->cost / hours * PLOT_MONTH_H, R->currency, m,
                                           sizeof m));
            fputs(" per month", f);
        }
        if (R->params[b->first][0]) {
            fputs("; ", f);
            plot_html_esc(f, R->params[b->first]);
        }
    } else {
        fputs("No deployable policy meets the SLO", f);
    }
    if (o && o->meets) {
        fputs(".<br>The least any policy could cost (", f);
        plot_html_esc(f, o->name);
        fputs(", which sees the future): ", f);
        plot_html_esc(f, plot_fmt_cost(o->cost, R->currency, c, sizeof c));
        reps_note(f, o);
        if (b && o->cost > 0)
            fprintf(f, "; the answer costs %.2f&times; that bound", b->cost / o->cost);
    } else if (o) { /* sim_summary.c: a bound that misses bounds nothing */
        fputs(".<br>", f);
        plot_html_esc(f, o->name);
        fputs(", which sees the future, misses the SLO itself (", f);
        plot_html_esc(f, plot_fmt_cost(o->cost, R->currency, c, sizeof c));
        reps_note(f, o);
        fputs("), so it bounds no cost", f);
    }
    fputs(".</p>\n", f);
    /* figures at a limit of the model are never shown as exact */
    for (int i = 0; i < R->nrun; i++) {
        if (!(R->sum[i].clamped > 0))
            continue;
        fputs("<p class=\"note\">", f);
        plot_html_esc(f, R->sum[i].run);
        fprintf(f, ": %.0f requests hit a limit of the model (latency beyond its range, or "
                   "dropped by a derived queue cap): its percentiles near them are lower "
                   "bounds.</p>\n",
                R->sum[i].clamped);
    }
}

static void cell(FILE *f, const char *text)
{
    fputs("</td><td>", f);
    plot_html_esc(f, text);
}

/* The kind column only says something when a run is not named after its
 * kind; left out otherwise, it leaves the table narrow enough for 900 px. */
static int kinds_differ(const plot_rep *R)
{
    for (int i = 0; i < R->nrun; i++)
        if (strcmp(R->sum[i].run, R->sum[i].kind) != 0)
            return 1;
    return 0;
}

static void table_row(const plot_rep *R, FILE *f, int i, int kinds)
{
    const sim_summary_row *s = &R->sum[i];
    const sim_point *bp = R->best_pt >= 0 ? &R->pts[R->best_pt] : NULL;
    int best = bp && i >= bp->first && i < bp->first + bp->n; /* the answer's repetitions */
    const char *cls = best ? "best" : R->oracle[i] ? "bound" : s->meets_slo ? "" : "bad";
    fprintf(f, "<tr class=\"%s\"><td class=\"l\">", cls);
    if (R->drawn[i])
        fprintf(f, "<a href=\"#run-%d\">", i + 1);
    plot_html_esc(f, s->run);
    fputs(R->drawn[i] ? "</a>" : "", f);
    fputs(R->pareto[i] ? " &#9679;" : "", f);
    if (kinds) {
        fputs("</td><td class=\"l\">", f);
        plot_html_esc(f, s->kind);
    }
    if (R->oracle[i])
        fputs(" (bound)", f);
    char b[128];
    for (int k = 0; k < R->nkeys; k++)
        cell(f, sim_params_value(R->params[i], R->keys[k], b, sizeof b));
    double hours = R->duration / 3600;
    cell(f, plot_fmt_cost(s->cost_total, R->currency, b, sizeof b));
    cell(f, hours > 0 ? plot_fmt_cost(s->cost_total / hours * PLOT_MONTH_H, R->currency, b,
                                      sizeof b)
                      : "-");
    cell(f, plot_fmt_cost(s->cost_infra, R->currency, b, sizeof b));
    cell(f, plot_fmt_cost(s->cost_penalty, R->currency, b, sizeof b));
    cell(f, plot_fmt_span(s->slo_violation_s, b, sizeof b));
    cell(f, plot_fmt_pct(s->slo_violation_pct, b, sizeof b));
    /* window compliance and the verdict, as simrun's table has them */
    /* two decimals, not three significant digits: 99.95 % is not 100 % */
    if (isfinite(s->slo_compliance))
        snprintf(b, sizeof b, "%.2f %%", s->slo_compliance);
    else
        snprintf(b, sizeof b, "-");
    cell(f, b);
    fprintf(f, "</td><td class=\"slo\">%s",
            R->oracle[i] ? (s->meets_slo ? "bound" : "bound, misses")
                         : s->meets_slo ? "meets" : "misses");
    cell(f, plot_fmt_latency(s->p50, b, sizeof b));
    cell(f, plot_fmt_latency(s->p95, b, sizeof b));
    cell(f, plot_fmt_latency(s->p99, b, sizeof b));
    char pk[32];
    plot_fmt_sig(s->mean_instances, 3, b, sizeof b);
    plot_fmt_sig(s->peak_instances, 3, pk, sizeof pk);
    fputs("</td><td>", f);
    plot_html_esc(f, b);
    fputs(" / ", f);
    plot_html_esc(f, pk);
    fprintf(f, "</td><td>%d</td></tr>\n", s->actions);
}

static void summary_table(const plot_rep *R, FILE *f)
{
    fputs("<h2>Summary</h2>\n", f);
    verdict(R, f);
    int kinds = kinds_differ(R);
    fprintf(f, "<div class=\"wide\"><table>\n<tr><th class=\"l\">run</th>%s",
            kinds ? "<th class=\"l\">kind</th>" : "");
    for (int k = 0; k < R->nkeys; k++) {
        fputs("<th>", f);
        plot_html_esc(f, R->keys[k]);
        fputs("</th>", f);
    }
    fputs("<th>total cost</th><th>per month</th><th>infra</th><th>SLO penalty</th>"
          "<th>time over SLO</th><th>% of time</th><th>windows held</th><th>verdict</th>"
          "<th>p50</th><th>p95</th><th>p99</th><th>instances mean / peak</th><th>actions</th>"
          "</tr>\n",
          f);
    for (int i = 0; i < R->nrun; i++)
        table_row(R, f, i, kinds);
    fputs("</table></div>\n<p class=\"meta\">Highlighted: the cheapest deployable run meeting "
          "the SLO (in a sweep: the runs of the point whose repetitions all meet it at the "
          "least mean cost). In italics: runs that see the future (a lower bound, not a policy to "
          "deploy). &#9679;: on the Pareto front (no other deployable run is both cheaper and "
          "faster).</p>\n",
          f);
}

/* A big sweep draws some runs only (plot_select.c): say which, how many
 * are left, and how to draw them. */
static void left_undrawn(const plot_rep *R, FILE *f)
{
    int left = R->nrun - R->nwanted;
    if (left <= 0)
        return;
    fprintf(f, "<p class=\"meta\">Figures of %d of the %d runs: the Pareto front "
               "of cost against time over the SLO, the answer "
               "(the cheapest deployable point meeting the SLO: its first run and the one "
               "nearest its mean cost), the bound and the first run. The other %d run%s left undrawn; <code>simrun report ",
            R->nwanted, R->nrun, left, left == 1 ? " is" : "s are");
    plot_html_esc(f, R->h5);
    fputs(" --all-figures</code> draws every run.</p>\n", f);
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
        if (R->figs[k].run < 0 && strncmp(R->figs[k].file, "cost_latency", 12) != 0 &&
            strncmp(R->figs[k].file, "sweep_", 6) != 0) /* those are on sweep.html */
            html_fig(f, &R->figs[k]);
    fputs("<h2>Runs</h2>\n<p>Each run over its whole length, then zoomed on its worst SLO "
          "episode (shaded above). ", f);
    for (int k = 0; k < R->nfig; k++)
        if (R->figs[k].run >= 0 && !R->figs[k].sub) {
            fprintf(f, "<a href=\"#run-%d\">", R->figs[k].run + 1);
            plot_html_esc(f, R->sum[R->figs[k].run].run);
            fputs("</a> ", f);
        }
    fputs("</p>\n", f);
    left_undrawn(R, f);
    for (int k = 0; k < R->nfig; k++)
        if (R->figs[k].run >= 0) {
            if (R->figs[k].sub)
                fputs("<h3>", f);
            else
                fprintf(f, "<h3 id=\"run-%d\">", R->figs[k].run + 1);
            plot_html_esc(f, R->figs[k].title);
            fputs("</h3>\n", f);
            html_fig(f, &R->figs[k]);
        }
}

void plot_html_sweep_figs(const plot_rep *R, FILE *f)
{
    if (R->format == PLOT_PDF)
        return; /* pages of report.pdf */
    int n = 0;
    for (int k = 0; k < R->nfig; k++)
        if (R->figs[k].run < 0 && strncmp(R->figs[k].file, "sweep_", 6) == 0) {
            if (!n++)
                fputs("<h2>Swept parameters</h2>\n<p>Each point is the mean over its "
                      "repetitions, with its 95&nbsp;% confidence interval.</p>\n", f);
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
    if (R->sweep_page)
        fputs("<p><a href=\"sweep.html\">The sweep: every point with its settings, the means "
              "of its repetitions with 95 % confidence half-widths, and a figure per swept "
              "parameter</a></p>\n", f);
    plot_html_config(R, f);
    figures(R, f);
    for (int i = 0; i < R->nrun; i++)
        if (R->wanted[i] && !R->drawn[i]) {
            fputs("<p>Run ", f);
            plot_html_esc(f, R->sum[i].run);
            fputs(" has fewer than two records: no figure.</p>\n", f);
        }
    fputs("<p class=\"meta\">Data of every figure: <code>data/*.dat</code>; redraw with "
          "<code>gnuplot report.gp</code> in this folder.</p>\n</body></html>\n",
          f);
    return plot_outdir_fclose(&R->out, f, "index.html", err);
}
