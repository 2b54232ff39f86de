/* plot_fig.c - the scenario-wide figures: cost versus latency (one point
 * per run, the Pareto front, the SLO line, the oracle marked) and the
 * policies compared (cost, time in violation, p95, instances), plus the
 * frame every figure starts with. Runs are coloured by policy kind, so the
 * legends stay as short as the list of kinds with 50 runs; names are
 * written next to points only while they fit (or for the Pareto front and
 * the oracle). Every string from the results file is written with
 * plot_gp_str (plot_script.h). */
#include "plot_int.h"

#include <math.h>
#include <stdlib.h>
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
    snprintf(buf, n, "SLO: p%g ≤ %g ms", R->slo_pct, R->slo * 1e3);
}

/* Start a figure: for PNG/SVG a file of its own at the given pixel size;
 * for PDF the next page of report.pdf (one page size for the whole file:
 * pdfcairo cannot change it between pages). */
void plot_fig_begin(plot_rep *R, const char *stem, const char *title, int run, int w, int h)
{
    plot_figure *fg = &R->figs[R->nfig++];
    fg->run = run;
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
 * Cost versus latency
 * --------------------------------------------------------------------- */

typedef struct axes {
    int logx, logy;
    double x0, x1, y0, y1;
} axes;

/* Axis fraction of v on [lo, hi], log or linear. */
static double frac(double v, double lo, double hi, int lg)
{
    return lg ? (log(fmax(v, 1e-12)) - log(lo)) / (log(hi) - log(lo)) : (v - lo) / (hi - lo);
}

/* Ranges from the data, so that the SLO line is always inside and the axis
 * goes logarithmic when latencies span more than a decade and a half (a
 * policy in overload can be 1000x slower than the rest). */
static void cl_ranges(plot_rep *R, axes *ax)
{
    plot_gp *g = R->gp;
    double xmin = R->slo * 1e3, xmax = xmin, ymin = INFINITY, ymax = -INFINITY;
    for (int i = 0; i < R->nrun; i++) {
        const sim_summary_row *s = &R->sum[i];
        if (s->p95 > 0 && s->p95 * 1e3 < xmin)
            xmin = s->p95 * 1e3;
        if (isfinite(s->p99) && s->p99 * 1e3 > xmax)
            xmax = s->p99 * 1e3;
        if (isfinite(s->cost_total)) {
            ymin = fmin(ymin, s->cost_total);
            ymax = fmax(ymax, s->cost_total);
        }
    }
    *ax = (axes){xmin > 0 && xmax / xmin > 30, 0, 0, 0, 0, 1};
    if (ax->logx) {
        ax->x0 = xmin / 1.3;
        ax->x1 = xmax * 1.3;
        plot_gp_puts(g, "set logscale x\n");
    } else {
        ax->x0 = fmax(0, xmin - 0.08 * (xmax - xmin) - 1e-9);
        ax->x1 = xmax + 0.12 * (xmax - xmin) + 1e-9;
    }
    plot_gp_printf(g, "set xrange [%g:%g]\n", ax->x0, ax->x1);
    if (!isfinite(ymin))
        return;
    double pad = ymax > ymin ? 0.1 * (ymax - ymin) : fmax(0.1 * fabs(ymax), 1e-3);
    ax->logy = ymin > 0 && ymax / ymin > 100;
    if (ax->logy) {
        ax->y0 = ymin / 1.3;
        ax->y1 = ymax * 1.6;
        plot_gp_puts(g, "set logscale y\n");
    } else {
        ax->y0 = fmax(0, ymin - pad);
        ax->y1 = ymax + 1.6 * pad; /* room above for labels pushed up */
    }
    plot_gp_printf(g, "set yrange [%g:%g]\n", ax->y0, ax->y1);
}

/* qsort_r: run indices by (key[i], i). */
static int by_key(const void *a, const void *b, void *key)
{
    const double *k = key;
    int i = *(const int *)a, j = *(const int *)b;
    return k[i] < k[j] ? -1 : k[i] > k[j] ? 1 : (i > j) - (i < j);
}

/* Many runs: the front alone may be long (a sweep of near-equal points);
 * keep every step-th of its labels by cost, both ends always (the oracle's
 * label always). A sort and a pass: O(n log n). */
static int thin_labels(const plot_rep *R, int *want, const double *cost, as_err *err)
{
    int n = R->nrun, nw = 0;
    int *ord = malloc((size_t)n * sizeof *ord);
    if (ord == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++)
        if (want[i] && !R->oracle[i])
            ord[nw++] = i;
    if (n > PLOT_LABEL_ALL_RUNS && nw > PLOT_LABEL_ALL_RUNS) {
        int step = (nw + PLOT_LABEL_ALL_RUNS - 1) / PLOT_LABEL_ALL_RUNS;
        qsort_r(ord, (size_t)nw, sizeof *ord, by_key, (void *)cost);
        for (int a = 0; a < nw; a++)
            if (a % step != 0 && a != nw - 1)
                want[ord[a]] = 0;
    }
    free(ord);
    return AS_OK;
}

/* Where to write each wanted label: next to its point, pushed up just
 * enough not to overlap a label already placed that starts at a nearby x.
 * Greedy from the lowest up. Positions in axis fractions, so log and
 * linear axes are alike. A sort, then per label at most k passes over the
 * k labels placed before it: O(n log n + k^3), k ~ PLOT_LABEL_ALL_RUNS. */
static int place_labels(const plot_rep *R, const double *x, const double *y, double *ly,
                        const int *want, as_err *err)
{
    int n = R->nrun, nw = 0;
    int *ord = malloc((size_t)n * sizeof *ord), *placed = malloc((size_t)n * sizeof *placed);
    if (ord == NULL || placed == NULL) {
        free(ord);
        free(placed);
        return as_err_set(err, AS_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        ly[i] = y[i];
        if (want[i])
            ord[nw++] = i;
    }
    qsort_r(ord, (size_t)nw, sizeof *ord, by_key, (void *)y);
    const double dy = 0.032, dx = 0.14; /* a 9 pt line; ~12 characters */
    int np = 0;                         /* placed[] kept in index order */
    for (int a = 0; a < nw; a++) {
        int i = ord[a];
        /* each pass moves the label above one more placed label, so np+1
         * passes suffice; the slack keeps a label exactly dy above another
         * from counting as an overlap after rounding (an endless loop) */
        for (int pass = 0, again = 1; again && pass <= np; pass++) {
            again = 0;
            for (int q = 0; q < np; q++) {
                int j = placed[q];
                if (fabs(x[j] - x[i]) < dx && fabs(ly[j] - ly[i]) < 0.999 * dy) {
                    ly[i] = ly[j] + dy;
                    again = 1;
                }
            }
        }
        int q = np++;
        for (; q > 0 && placed[q - 1] > i; q--)
            placed[q] = placed[q - 1];
        placed[q] = i;
    }
    free(ord);
    free(placed);
    return AS_OK;
}

static int write_labels(plot_rep *R, const axes *ax, const int *want, const double *ly,
                        as_err *err)
{
    FILE *f = plot_outdir_fopen(&R->out, "data/labels.dat", err);
    if (f == NULL)
        return AS_EIO;
    fputs("# labels of the cost-latency chart: p95_ms cost_total label_y \"run\"\n", f);
    for (int i = 0; i < R->nrun; i++) {
        if (!want[i])
            continue;
        double yl = ax->logy ? exp(log(ax->y0) + ly[i] * (log(ax->y1) - log(ax->y0)))
                             : ax->y0 + ly[i] * (ax->y1 - ax->y0);
        plot_put_num(f, R->sum[i].p95 * 1e3);
        plot_put_num(f, R->sum[i].cost_total);
        plot_put_num(f, yl);
        fprintf(f, " \"%s\"\n", R->sum[i].run);
    }
    return plot_outdir_fclose(&R->out, f, "data/labels.dat", err);
}

/* data/labels.dat: which runs are named on the chart and where. */
static int cl_labels(plot_rep *R, const axes *ax, as_err *err)
{
    int n = R->nrun;
    double *fx = calloc((size_t)n, sizeof *fx), *fy = calloc((size_t)n, sizeof *fy),
           *ly = calloc((size_t)n, sizeof *ly), *cost = calloc((size_t)n, sizeof *cost);
    int *want = calloc((size_t)n, sizeof *want);
    int rc = AS_OK;
    if (!fx || !fy || !ly || !cost || !want)
        rc = as_err_set(err, AS_ENOMEM, "out of memory");
    for (int i = 0; rc == AS_OK && i < n; i++) {
        double xv = R->sum[i].p95 * 1e3, yv = R->sum[i].cost_total;
        fx[i] = frac(xv, ax->x0, ax->x1, ax->logx);
        fy[i] = frac(yv, ax->y0, ax->y1, ax->logy);
        cost[i] = yv;
        want[i] = (n <= PLOT_LABEL_ALL_RUNS || R->pareto[i] || R->oracle[i]) && isfinite(xv) &&
                  isfinite(yv);
    }
    if (rc == AS_OK)
        rc = thin_labels(R, want, cost, err);
    if (rc == AS_OK)
        rc = place_labels(R, fx, fy, ly, want, err);
    if (rc == AS_OK)
        rc = write_labels(R, ax, want, ly, err);
    free(fx);
    free(fy);
    free(ly);
    free(cost);
    free(want);
    return rc;
}

/* Title, SLO line and the plot command of the chart. */
static void cl_plot(plot_rep *R, const axes *ax)
{
    plot_gp *g = R->gp;
    char t[1400];
    snprintf(t, sizeof t, "Cost versus latency - %s: one point per run (%d run%s)", R->name,
             R->nrun, R->nrun == 1 ? "" : "s");
    plot_gp_puts(g, "set title ");
    plot_gp_str(g, "title", t);
    plot_gp_puts(g, " font ',13'\n"
                    "set xlabel 'response time over the whole run (ms): p95 filled, p99 open'\n"
                    "set ylabel 'total cost (infrastructure + SLO penalty, price units)'\n"
                    "set key outside right top Left reverse samplen 3.5 spacing 1.25\n"
                    "set rmargin at screen 0.76\n");
    char slo[128];
    plot_slo_text(R, slo, sizeof slo);
    plot_gp_printf(g, "set arrow 1 from %g, graph 0 to %g, graph 1 nohead dt 2 lw 2 lc rgb '%s'\n",
                   R->slo * 1e3, R->slo * 1e3, PLOT_C_RED);
    /* at the bottom (never under the key), on the side of the line with
     * more room */
    double fslo = frac(R->slo * 1e3, ax->x0, ax->x1, ax->logx);
    plot_gp_puts(g, "set label 1 ");
    plot_gp_str(g, "SLO text", slo);
    plot_gp_printf(g, " at %g, graph 0.03 %s tc rgb '%s'\n", R->slo * 1e3,
                   fslo > 0.5 ? "right offset -0.6,0" : "left offset 0.6,0", PLOT_C_RED);
    if (ax->logx)
        plot_gp_puts(g, "set format x '%.0f'\n");
    /* summary.dat columns: 5 cost_total, 9 p95, 10 p99, 4 kind_idx,
     * 16 pareto, 17 oracle */
    plot_gp_puts(g, "plot 'data/summary.dat' using 9:5:($10-$9):(0) with vectors nohead "
                    "lc rgb '#bbbbbb' notitle, \\\n"
                    "     'data/pareto.dat' using 1:2 with steps lw 2 dt 2 lc rgb '#555555' "
                    "title 'Pareto front (cost, p95)'");
    int has_oracle = 0;
    for (int i = 0; i < R->nrun; i++)
        has_oracle |= R->oracle[i];
    for (int k = 0; k < R->nkind; k++) {
        if (R->oracle_kind[k]) /* drawn apart below */
            continue;
        const char *c = plot_kind_colour(k);
        plot_gp_printf(g, ", \\\n     'data/summary.dat' using ($4==%d ? $9 : NaN):5 with "
                          "points pt 7 ps 1.6 lc rgb '%s' title ", k + 1, c);
        plot_gp_str(g, "kind", R->kinds[k]);
        plot_gp_printf(g, ", \\\n     '' using ($4==%d ? $10 : NaN):5 with points pt 6 ps 1.4 "
                          "lc rgb '%s' notitle", k + 1, c);
    }
    if (has_oracle)
        plot_gp_puts(g, ", \\\n     'data/summary.dat' using ($17>0 ? $9 : NaN):5 with points "
                        "pt 3 ps 3 lw 2 lc rgb '#000000' title 'oracle (sees the future: "
                        "lower bound)', \\\n     '' using ($17>0 ? $10 : NaN):5 with points "
                        "pt 6 ps 1.4 lc rgb '#000000' notitle");
    /* a leader from a point to its label when the label was pushed up */
    plot_gp_puts(g, ", \\\n     'data/labels.dat' using 1:2:(0):($3-$2) with vectors nohead "
                    "lc rgb '#aaaaaa' notitle"
                    ", \\\n     '' using 1:3:4 with labels left offset char 0.9,0.5 font ',9' "
                    "notitle\n");
}

int plot_fig_cost_latency(plot_rep *R, as_err *err)
{
    plot_fig_begin(R, "cost_latency", "Cost versus latency", -1, 1300, 800);
    axes ax;
    cl_ranges(R, &ax);
    int rc = cl_labels(R, &ax, err);
    if (rc != AS_OK)
        return rc;
    cl_plot(R, &ax);
    plot_fig_end(R);
    return AS_OK;
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
    plot_gp_puts(g, "set title 'p95 response time over the whole run'\nset ylabel 'p95 (ms)'\n");
    double pmin = R->slo * 1e3, pmax = pmin;
    for (int i = 0; i < R->nrun; i++)
        if (R->sum[i].p95 > 0 && isfinite(R->sum[i].p95)) {
            pmin = fmin(pmin, R->sum[i].p95 * 1e3);
            pmax = fmax(pmax, R->sum[i].p95 * 1e3);
        }
    if (pmax / pmin > 30)
        plot_gp_printf(g, "set logscale y\nset yrange [%g:%g]\nset format y '%%.0f'\n",
                       pmin / 2, pmax * 2);
    plot_gp_printf(g, "plot 'data/summary.dat' using 1:9:xtic(2) with boxes lc rgb '#8c9fb8' "
                      "title 'p95', %g with lines dt 2 lw 2 lc rgb '" PLOT_C_RED "' title ",
                   R->slo * 1e3);
    plot_gp_str(g, "SLO text", slo);
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
    plot_gp_puts(g, "set title 'total cost'\nset ylabel 'cost (price units)'\n"
                    "plot 'data/summary.dat' using 1:5:xtic(2) with boxes lc rgb '" PLOT_C_RED
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
