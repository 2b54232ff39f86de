/* plot_fig_cl.c - cost versus latency: one point per run at (latency at
 * the SLO's percentile, total cost), coloured by policy kind.
 *  - What a planner can deploy is the question, so the Pareto front and
 *    the highlighted answer (the cheapest run meeting the SLO) are among
 *    the runs that do not see the future; a run that does (the oracle) is
 *    drawn as what it is, a bound: a dashed line at its cost, "the least
 *    any policy could cost".
 *  - A policy in overload is 1000x slower than the rest; on one log axis
 *    the good ones, all near the SLO, end up in a sliver. So when the
 *    latencies span more than a factor 30 the figure has two panels: every
 *    run on a log axis, and the runs within twice the SLO on a linear one.
 *    Tick labels carry units (200 ms, 2 s, 15 min).
 *  - Names go where they overlap nothing (plot_label.c): margins are set
 *    in screen fractions, so the panels' pixels are known here.
 *  - The verdict is by window (sim_slo.h), the x axis the percentile over
 *    the whole run: a run can meet the SLO right of the line. Filled
 *    points meet it, open ones miss it.
 * The data are summary.dat's columns (plot_data.c): 4 kind_idx, 5
 * cost_total, 15 meets_slo, 17 oracle, 20 x_ms, 21 best. */
#include "plot_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A panel: its box on the page (screen fractions) and its data ranges. */
typedef struct panel {
    double l, r, b, t;          /* screen fractions */
    double x0, x1, y0, y1;      /* data ranges (ms, money) */
    int logx, logy;
    const char *file;           /* labels file of the panel */
    int nlab;                   /* labels written into it */
    const char *title;
} panel;

/* Page geometry: the figure's size in px (PDF: points) and a character. */
typedef struct page {
    double w, h;
} page;

static double frac(double v, double lo, double hi, int lg)
{
    return lg ? (log(v) - log(lo)) / (log(hi) - log(lo)) : (v - lo) / (hi - lo);
}

static double unfrac(double f, double lo, double hi, int lg)
{
    return lg ? exp(log(lo) + f * (log(hi) - log(lo))) : lo + f * (hi - lo);
}

static double xms(const plot_rep *R, int i) { return plot_slo_latency_of(R, &R->sum[i]) * 1e3; }

/* The caption of the bound's line. */
static void bound_text(const plot_rep *R, char *buf, size_t n)
{
    char c[64];
    snprintf(buf, n, "%s (%s): %s",
             R->sum[R->bound].meets_slo ? "least any policy could cost"
                                        : "sees the future and misses the SLO",
             R->sum[R->bound].run,
             plot_fmt_cost(R->sum[R->bound].cost_total, R->currency, c, sizeof c));
}

/* Whether run i is drawn in panel p (finite, inside its x range). */
static int shown(const plot_rep *R, const panel *p, int i)
{
    double x = xms(R, i), y = R->sum[i].cost_total;
    return isfinite(x) && isfinite(y) && x >= p->x0 && x <= p->x1 && (!p->logx || x > 0);
}

/* y range over the runs shown and the bound. */
static void y_range(const plot_rep *R, panel *p)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < R->nrun; i++)
        if (shown(R, p, i)) {
            lo = fmin(lo, R->sum[i].cost_total);
            hi = fmax(hi, R->sum[i].cost_total);
        }
    if (R->bound >= 0 && isfinite(R->sum[R->bound].cost_total)) {
        lo = fmin(lo, R->sum[R->bound].cost_total);
        hi = fmax(hi, R->sum[R->bound].cost_total);
    }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    p->logy = lo > 0 && hi / lo > 100;
    if (p->logy) {
        p->y0 = lo / 1.5;
        p->y1 = hi * 1.5;
    } else {
        double pad = hi > lo ? 0.12 * (hi - lo) : fmax(0.1 * fabs(hi), 1e-3);
        p->y0 = fmax(0, lo - pad);
        p->y1 = hi + pad;
    }
}

/* The x ranges: one panel, or the overview and the runs near the SLO. */
static int x_ranges(const plot_rep *R, panel *all, panel *near)
{
    double slo = R->slo * 1e3, lo = slo, hi = slo;
    for (int i = 0; i < R->nrun; i++) {
        double x = xms(R, i);
        if (isfinite(x) && x > 0) {
            lo = fmin(lo, x);
            hi = fmax(hi, x);
        }
    }
    int two = lo > 0 && hi / lo > 30;
    if (!two) {
        double pad = fmax(0.08 * (hi - lo), 0.02 * hi);
        *all = (panel){.x0 = fmax(0, lo - pad), .x1 = hi + pad};
        return 1;
    }
    *all = (panel){.x0 = lo / 1.5, .x1 = hi * 1.5, .logx = 1};
    double nlo = slo, nhi = slo;
    int nnear = 0;
    for (int i = 0; i < R->nrun; i++) {
        double x = xms(R, i);
        if (isfinite(x) && x > 0 && x <= 2 * slo) {
            nlo = fmin(nlo, x);
            nhi = fmax(nhi, x);
            nnear++;
        }
    }
    if (nnear == 0) /* nothing to show near the SLO: the overview alone */
        return 1;
    double pad = 0.1 * (nhi - nlo) + 0.02 * slo;
    *near = (panel){.x0 = fmax(0, nlo - pad), .x1 = fmax(nhi + pad, 1.15 * slo)};
    return 2;
}

/* Labels of panel p into its data file: which runs are named, and where.
 * skip: a panel whose runs are named in the other panel (the overview
 * names only those beyond the near-SLO panel). */
static int panel_labels(plot_rep *R, panel *p, const panel *skip, const page *pg,
                        as_err *err)
{
    double W = (p->r - p->l) * pg->w, H = (p->t - p->b) * pg->h;
    int n = R->nrun, nl = 0;
    plot_lbl *l = calloc((size_t)n + 2, sizeof *l);
    int *who = calloc((size_t)n + 2, sizeof *who);
    if (l == NULL || who == NULL) {
        free(l);
        free(who);
        return as_err_set(err, AS_ENOMEM, "out of memory");
    }
    /* the answer first, then the front, then the rest while they are few */
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < n; i++) {
            int want = pass == 0   ? i == R->best
                       : pass == 1 ? R->pareto[i] && i != R->best
                                   : !R->pareto[i] && i != R->best && !R->oracle[i] &&
                                         n <= PLOT_LABEL_ALL_RUNS;
            if (!want || !shown(R, p, i) || (skip && shown(R, skip, i)) ||
                nl >= PLOT_LABEL_ALL_RUNS + 1)
                continue;
            double fx = frac(xms(R, i), p->x0, p->x1, p->logx);
            double fy = frac(R->sum[i].cost_total, p->y0, p->y1, p->logy);
            l[nl] = (plot_lbl){.px = fx * W, .py = fy * H,
                               .w = R->char_w * (double)strlen(R->sum[i].run) + 4,
                               .h = R->char_h};
            who[nl++] = i;
        }
    /* the lines, and their captions (top left of the SLO line, left end of the bound) */
    double vx[1] = {frac(R->slo * 1e3, p->x0, p->x1, p->logx) * W}, hy[1] = {-1e9};
    int nh = 0;
    char cap[200];
    plot_slo_text(R, cap, sizeof cap);
    double wslo = R->char_w * (double)strlen(cap);
    l[nl] = (plot_lbl){.fixed = 1, .w = wslo, .h = R->char_h,
                       .lx = vx[0] / W > 0.75 ? vx[0] - 0.5 * R->char_w - wslo
                                              : vx[0] + 0.5 * R->char_w,
                       .ly = H - 1.5 * R->char_h};
    who[nl++] = -1;
    if (R->bound >= 0 && isfinite(R->sum[R->bound].cost_total)) {
        hy[nh++] = frac(R->sum[R->bound].cost_total, p->y0, p->y1, p->logy) * H;
        bound_text(R, cap, sizeof cap);
        l[nl] = (plot_lbl){.fixed = 1, .w = R->char_w * (double)strlen(cap), .h = R->char_h,
                           .lx = 0.6 * R->char_w, .ly = hy[0] + 0.2 * R->char_h};
        who[nl++] = -2;
    }
    plot_labels_place(l, nl, W, H, 14, vx, 1, hy, nh);
    FILE *f = plot_outdir_fopen(&R->out, p->file, err);
    int rc = f == NULL ? AS_EIO : AS_OK;
    if (f != NULL) {
        fputs("# x_ms cost leader_dx leader_dy label_x label_y \"run\" (labels placed so that "
              "none overlaps another, a point or a line)\n", f);
        for (int k = 0; k < nl; k++) {
            if (who[k] < 0 || !l[k].placed)
                continue;
            int i = who[k];
            double lx = unfrac(l[k].lx / W, p->x0, p->x1, p->logx);
            double ly = unfrac((l[k].ly + l[k].h / 2) / H, p->y0, p->y1, p->logy);
            double x = xms(R, i), y = R->sum[i].cost_total;
            /* the leader ends at the box's nearer side */
            double ex = unfrac((l[k].lx > l[k].px ? l[k].lx : l[k].lx + l[k].w) / W, p->x0,
                               p->x1, p->logx);
            plot_put_num(f, x);
            plot_put_num(f, y);
            plot_put_num(f, l[k].leader ? ex - x : 0);
            plot_put_num(f, l[k].leader ? ly - y : 0);
            plot_put_num(f, lx);
            plot_put_num(f, ly);
            fprintf(f, " \"%s\"\n", R->sum[i].run);
            p->nlab++;
        }
        rc = plot_outdir_fclose(&R->out, f, p->file, err);
    }
    free(l);
    free(who);
    return rc;
}

/* The frame, axes and reference lines of panel p. */
static void panel_frame(plot_rep *R, const panel *p, int key)
{
    plot_gp *g = R->gp;
    plot_gp_printf(g, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
                      "set bmargin at screen %.4f\nset tmargin at screen %.4f\n"
                      "unset logscale\nunset arrow\nunset label\nunset object\n",
                   p->l, p->r, p->b, p->t);
    plot_gp_puts(g, "set title ");
    plot_gp_str(g, "title", p->title);
    plot_gp_printf(g, "\nset xrange [%g:%g]\nset yrange [%g:%g]\n", p->x0, p->x1, p->y0, p->y1);
    if (p->logx)
        plot_gp_puts(g, "set logscale x\n");
    if (p->logy)
        plot_gp_puts(g, "set logscale y\n");
    plot_latency_tics(R, "x", p->x0, p->x1, p->logx);
    char xl[128], yl[160], slo[128];
    snprintf(xl, sizeof xl, "%s response time over the whole run", plot_slo_pname(R));
    snprintf(yl, sizeof yl, "total cost: infrastructure + SLO penalty (%s)", plot_money_unit(R));
    plot_gp_puts(g, "set xlabel ");
    plot_gp_str(g, "axis label", xl);
    plot_gp_puts(g, "\nset ylabel ");
    plot_gp_str(g, "axis label", yl);
    plot_gp_puts(g, key ? "\nset key outside right top Left reverse samplen 2 spacing 1.2\n"
                        : "\nunset key\n");
    /* meeting the SLO is the left side: shaded, the line on its edge */
    double slo_ms = R->slo * 1e3;
    plot_gp_printf(g, "set object 1 rect from graph 0, graph 0 to first %g, graph 1 behind "
                      "fc rgb '#eef7ee' fs solid 1 noborder\n"
                      "set arrow 1 from first %g, graph 0 to first %g, graph 1 nohead dt 2 lw 2 "
                      "lc rgb '" PLOT_C_SLO "'\n",
                   fmax(slo_ms, p->x0), slo_ms, slo_ms);
    plot_slo_text(R, slo, sizeof slo);
    double fs = frac(slo_ms, p->x0, p->x1, p->logx);
    plot_gp_puts(g, "set label 1 ");
    plot_gp_str(g, "SLO text", slo);
    plot_gp_printf(g, " at first %g, graph 1 %s offset %s,-1 tc rgb '" PLOT_C_SLO "' font ',9'\n",
                   slo_ms, fs > 0.75 ? "right" : "left", fs > 0.75 ? "-0.5" : "0.5");
    if (R->bound >= 0 && isfinite(R->sum[R->bound].cost_total)) {
        char b[200];
        double y = R->sum[R->bound].cost_total;
        bound_text(R, b, sizeof b);
        plot_gp_printf(g, "set arrow 2 from graph 0, first %g to graph 1, first %g nohead dt 3 "
                          "lw 1.5 lc rgb '#333333'\nset label 2 ", y, y);
        plot_gp_str(g, "bound text", b);
        plot_gp_printf(g, " at graph 0, first %g left offset 0.6,0.7 font ',9'\n", y);
    }
}

/* Whether a run of kind k (-1: any kind) that does not see the future
 * misses the SLO (miss = 1) or meets it (miss = 0). */
static int has_verdict(const plot_rep *R, int k, int miss)
{
    for (int i = 0; i < R->nrun; i++)
        if ((k < 0 || R->kind[i] == k) && !R->oracle[i] && (R->sum[i].meets_slo == 0) == miss)
            return 1;
    return 0;
}

/* The plot command of panel p. */
static void panel_plot(plot_rep *R, const panel *p)
{
    plot_gp *g = R->gp;
    plot_gp_puts(g, "plot 'data/pareto.dat' using 1:2 with steps lw 2 dt 2 lc rgb '#555555' "
                    "title 'Pareto front (deployable runs)'");
    for (int k = 0; k < R->nkind; k++) {
        if (R->oracle_kind[k])
            continue;
        /* filled: meets the SLO (its windows); open: misses it, so a run
         * right of the line that meets, or left of it that misses, reads
         * as what the verdict says. The kind's name goes on its first
         * series that has points (an empty one makes gnuplot warn). */
        int titled = 0;
        for (int miss = 0; miss <= 1; miss++) {
            if (!has_verdict(R, k, miss))
                continue;
            plot_gp_printf(g, ", \\\n     'data/summary.dat' using ($4==%d && $17==0 && $15==%d ? "
                              "$20 : NaN):5 with points pt %d ps 1.6 lw 2 lc rgb '%s' ",
                           k + 1, !miss, miss ? 6 : 7, plot_kind_colour(k));
            if (titled++) {
                plot_gp_puts(g, "notitle");
            } else {
                plot_gp_puts(g, "title ");
                plot_gp_str(g, "kind", R->kinds[k]);
            }
        }
    }
    if (has_verdict(R, -1, 1))
        plot_gp_puts(g, ", \\\n     NaN with points pt 6 ps 1.6 lw 2 lc rgb '#555555' "
                        "title 'open: misses the SLO'");
    if (R->best >= 0)
        plot_gp_puts(g, ", \\\n     'data/summary.dat' using ($21>0 ? $20 : NaN):5 with points "
                        "pt 6 ps 3.2 lw 2 lc rgb '#000000' title 'cheapest meeting the SLO'");
    if (R->bound >= 0)
        plot_gp_puts(g, ", \\\n     'data/summary.dat' using ($17>0 ? $20 : NaN):5 with points "
                        "pt 3 ps 2 lw 2 lc rgb '#000000' title 'sees the future (a bound)'");
    if (p->nlab == 0) { /* gnuplot warns about an empty file */
        plot_gp_puts(g, "\n");
        return;
    }
    plot_gp_puts(g, ", \\\n     ");
    plot_gp_str(g, "data file", p->file);
    plot_gp_puts(g, " using 1:2:3:4 with vectors nohead lc rgb '#999999' notitle, \\\n     '' "
                    "using 5:6:7 with labels left font ',9' notitle\n");
}

int plot_fig_cost_latency(plot_rep *R, as_err *err)
{
    int pdf = R->format == PLOT_PDF;
    page pg = {pdf ? 595 : 1400, pdf ? 842 : 820};
    plot_fig_begin(R, "cost_latency", "Cost versus latency", -1, (int)pg.w, (int)pg.h);
    panel all, near;
    int np = x_ranges(R, &all, &near);
    all.file = "data/labels.dat";
    near.file = "data/labels_near.dat";
    all.title = np == 2 ? "every run (log scale)" : "";
    near.title = "near the SLO: the runs within twice the SLO";
    if (pdf) { /* portrait: panels one above the other */
        all.l = near.l = 0.12;
        all.r = near.r = 0.72;
        all.b = np == 2 ? 0.56 : 0.12, all.t = 0.9;
        near.b = 0.1, near.t = 0.46;
    } else {
        all.l = 0.06, all.r = np == 2 ? 0.38 : 0.78;
        near.l = 0.45, near.r = 0.78;
        all.b = near.b = 0.1;
        all.t = near.t = 0.88;
    }
    y_range(R, &all);
    if (np == 2)
        y_range(R, &near);
    char t[1400], c[64], v[300] = "no deployable run meets the SLO";
    if (R->best >= 0) {
        const sim_summary_row *b = &R->sum[R->best];
        snprintf(v, sizeof v, "cheapest deployable run meeting the SLO: %s, %s", b->run,
                 plot_fmt_cost(b->cost_total, R->currency, c, sizeof c));
        if (R->bound >= 0 && R->sum[R->bound].meets_slo && R->sum[R->bound].cost_total > 0)
            snprintf(v + strlen(v), sizeof v - strlen(v), " (%.2fx the bound)",
                     b->cost_total / R->sum[R->bound].cost_total);
    }
    snprintf(t, sizeof t, "Cost versus latency - %s, %d run%s: %s", R->name, R->nrun,
             R->nrun == 1 ? "" : "s", v);
    plot_gp_puts(R->gp, "set multiplot title ");
    plot_gp_str(R->gp, "title", t);
    plot_gp_puts(R->gp, " font ',12'\n");
    int rc = panel_labels(R, &all, np == 2 ? &near : NULL, &pg, err);
    if (rc == AS_OK && np == 2)
        rc = panel_labels(R, &near, NULL, &pg, err);
    if (rc != AS_OK)
        return rc;
    panel_frame(R, &all, np == 1);
    panel_plot(R, &all);
    if (np == 2) {
        panel_frame(R, &near, 1);
        panel_plot(R, &near);
    }
    plot_gp_puts(R->gp, "unset multiplot\n");
    plot_fig_end(R);
    return AS_OK;
}
