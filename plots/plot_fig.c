/* plot_fig.c - the frame every figure starts with, the colours, and the
 * policies compared (cost, time in violation, latency at the SLO's
 * percentile, instances). Cost versus latency is plot_fig_cl.c's. Runs
 * that see the future are bounds, not choices: their bars are hatched.
 * Every string from the results file is written with plot_gp_str
 * (plot_script.h). */
#include "plot_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Tableau 10: distinguishable, also for the common colour blindnesses. */
static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
                                      "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728"};
#define NPALETTE (int)(sizeof palette / sizeof palette[0])
/* tiers: capacity and instance lines; green first (capacity reads as "ok") */
static const char *const tier_colour[] = {"#2ca02c", "#9467bd", "#8c564b", "#e377c2",
                                          "#17becf", "#bcbd22", "#7f7f7f", "#1f77b4"};
#define NTIERCOL (int)(sizeof tier_colour / sizeof tier_colour[0])

const char *plot_kind_colour(int k) { return palette[k % NPALETTE]; }
const char *plot_tier_colour(int k) { return tier_colour[k % NTIERCOL]; }

/* The SLO line's legend text, e.g. "SLO: p95 <= 250 ms". */
void plot_slo_text(const plot_rep *R, char *buf, size_t n)
{
    char lat[32];
    snprintf(buf, n, "SLO: p%g ≤ %s", R->slo_pct, plot_fmt_latency(R->slo, lat, sizeof lat));
}

/* Start a figure: for PNG/SVG a file of its own at the given pixel size;
 * for PDF the next page of report.pdf (one page size for the whole file:
 * pdfcairo cannot change it between pages). */
void plot_fig_begin(plot_rep *R, const char *stem, const char *title, int run, int w, int h)
{
    plot_figure *fg = &R->figs[R->nfig++];
    fg->run = run;
    fg->off = plot_gp_len(R->gp);
    snprintf(fg->title, sizeof fg->title, "%s", title);
    plot_gp *g = R->gp;
    plot_gp_printf(g, "\n# ---- figure %d: ", R->nfig);
    plot_gp_str(g, "figure title", title);
    plot_gp_puts(g, " ----\n");
    if (R->format == PLOT_PDF) {
        fg->file[0] = '\0';
    } else {
        snprintf(fg->file, sizeof fg->file, "%s.%s", stem, plot_format_ext(R->format));
        if (R->format == PLOT_SVG)
            plot_gp_printf(g, "set terminal svg size %d,%d fixed font 'sans,11' noenhanced "
                              "background '#ffffff'\n", w, h);
        else
            plot_gp_printf(g, "set terminal pngcairo size %d,%d font 'sans,10' noenhanced\n", w,
                           h);
        plot_gp_puts(g, "set output ");
        plot_gp_str(g, "figure file", fg->file);
        plot_gp_puts(g, "\n");
    }
    /* reset clears every setting of the previous figure but keeps the
     * terminal and the output (the PDF's pages) */
    plot_gp_puts(g, "reset\nset datafile missing 'NaN'\nset encoding utf8\n"
                    "set grid lc rgb '#dddddd' lt 1\nset border lc rgb '#444444'\n");
}

void plot_fig_end(plot_rep *R)
{
    if (R->format != PLOT_PDF)
        plot_gp_puts(R->gp, "unset output\n");
}

/* ---------------------------------------------------------------------
 * Policies compared
 * --------------------------------------------------------------------- */

/* Panel 2: violation, green meets the SLO, red does not; one clause per
 * colour that occurs (an all-NaN clause makes gnuplot warn). */
static void summary_violation(plot_rep *R)
{
    plot_gp *g = R->gp;
    int meet = 0, miss = 0;
    double vmax = 0;
    for (int i = 0; i < R->nrun; i++) {
        meet += R->sum[i].meets_slo != 0;
        miss += R->sum[i].meets_slo == 0;
        if (isfinite(R->sum[i].slo_violation_pct))
            vmax = fmax(vmax, R->sum[i].slo_violation_pct);
    }
    plot_gp_puts(g, "set title 'time in SLO violation'\nset ylabel 'SLO violation (% of time)'\n");
    if (vmax <= 0) /* all zero: gnuplot cannot autoscale an empty range */
        plot_gp_puts(g, "set yrange [0:1]\nset label 2 'no run violated the SLO' at graph 0.5, "
                        "graph 0.5 center tc rgb '#2ca02c'\n");
    plot_gp_puts(g, "plot 'data/summary.dat' using 1:(0):xtic(2) with points ps 0 notitle");
    if (meet)
        plot_gp_puts(g, ", '' using 1:($15>0 ? $12 : NaN) with boxes lc rgb '#2ca02c' "
                        "title 'meets the SLO'");
    if (miss)
        plot_gp_puts(g, ", '' using 1:($15>0 ? NaN : $12) with boxes lc rgb '" PLOT_C_RED "' "
                        "title 'violates the SLO'");
    plot_gp_puts(g, "\nunset label 2\nset yrange [0:*]\n");
}

/* Panel 3: p95 against the SLO; one run in overload (minutes) would
 * flatten every other bar, so a log scale past a factor 30. */
static void summary_p95(plot_rep *R)
{
    plot_gp *g = R->gp;
    char slo[128];
    plot_slo_text(R, slo, sizeof slo);
    char t[128];
    snprintf(t, sizeof t, "%s response time over the whole run", plot_slo_pname(R));
    plot_gp_puts(g, "set title ");
    plot_gp_str(g, "title", t);
    plot_gp_puts(g, "\nset ylabel ");
    plot_gp_str(g, "axis label", plot_slo_pname(R));
    plot_gp_puts(g, "\n");
    double pmin = R->slo * 1e3, pmax = pmin;
    for (int i = 0; i < R->nrun; i++) {
        double x = plot_slo_latency_of(R, &R->sum[i]) * 1e3;
        if (x > 0 && isfinite(x)) {
            pmin = fmin(pmin, x);
            pmax = fmax(pmax, x);
        }
    }
    int lg = pmax / pmin > 30;
    double lo = lg ? pmin / 2 : 0, hi = lg ? pmax * 2 : pmax * 1.15;
    if (lg)
        plot_gp_puts(g, "set logscale y\n");
    plot_gp_printf(g, "set yrange [%g:%g]\n", lo, hi);
    plot_latency_tics(R, "y", lo, hi, lg);
    plot_gp_puts(g, "plot 'data/summary.dat' using 1:($17>0 ? NaN : $20):xtic(2) with boxes "
                    "lc rgb '#8c9fb8' title 'deployable', ");
    if (R->bound >= 0) /* no such run: gnuplot would warn of an empty plot */
        plot_gp_puts(g, "'' using 1:($17>0 ? $20 : NaN) with boxes fs pattern 4 lc rgb "
                        "'#555555' title 'sees the future', ");
    plot_gp_printf(g, "%g with lines dt 2 lw 2 lc rgb '" PLOT_C_SLO "' title ", R->slo * 1e3);
    plot_gp_str(g, "SLO text", slo);
    plot_gp_puts(g, "\nunset ytics\nset ytics\n");
}

void plot_fig_summary(plot_rep *R)
{
    int n = R->nrun;
    int wide = n > 10;
    int w = wide ? (n * 30 + 300 > 1400 ? n * 30 + 300 : 1400) : 1400;
    int h = wide ? 1800 : 950;
    plot_fig_begin(R, "summary", "Policies compared", -1, w, h);
    plot_gp *g = R->gp;
    char t[1400];
    snprintf(t, sizeof t, "Policies compared - %s", R->name);
    plot_gp_printf(g, "set multiplot layout %d,%d title ", wide ? 4 : 2, wide ? 1 : 2);
    plot_gp_str(g, "title", t);
    plot_gp_puts(g, " font ',13'\n");
    plot_gp_printf(g, "set style fill solid 0.85 border rgb '#333333'\nset boxwidth 0.7\n"
                      "set xrange [-0.6:%g]\nset yrange [0:*]\nset grid noxtics ytics\n"
                      "set key tmargin center horizontal samplen 1.5\n",
                   n - 0.4);
    /* names under the bars: horizontal while they fit, then slanted */
    if (n > 4)
        plot_gp_printf(g, "set xtics rotate by %d right font ',%d' nomirror\n", n > 20 ? 90 : 40,
                       n > 30 ? 8 : 9);
    else
        plot_gp_puts(g, "set xtics nomirror\n");
    /* 1 total cost, stacked: the penalty box drawn first, infra over it */
    char yl[64];
    snprintf(yl, sizeof yl, "cost (%s)", plot_money_unit(R));
    plot_gp_puts(g, "set title 'total cost'\nset ylabel ");
    plot_gp_str(g, "axis label", yl);
    plot_gp_puts(g, "\nplot 'data/summary.dat' using 1:5:xtic(2) with boxes lc rgb '" PLOT_C_RED
                    "' title 'SLO penalty', '' using 1:6 with boxes lc rgb '" PLOT_C_RATE "' "
                    "title 'infrastructure'\n");
    summary_violation(R);
    summary_p95(R);
    double imax = 1;
    for (int i = 0; i < n; i++)
        if (isfinite(R->sum[i].peak_instances))
            imax = fmax(imax, fmax(R->sum[i].peak_instances, R->sum[i].mean_instances));
    /* room above the peak markers, which would sit on the border */
    plot_gp_printf(g, "\nunset logscale y\nset format y '%%g'\nset yrange [0:%g]\n", imax * 1.12);
    plot_gp_puts(g, "set title 'instances'\nset ylabel 'instances (all tiers)'\n"
                    "plot 'data/summary.dat' using 1:13:xtic(2) with boxes lc rgb '#9467bd' "
                    "title 'mean', '' using 1:14 with points pt 9 ps 1.6 lc rgb '#333333' "
                    "title 'peak'\n"
                    "unset multiplot\n");
    plot_fig_end(R);
}
