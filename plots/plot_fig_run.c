/* plot_fig_run.c - the figure of one run: four panels over the whole run
 * (load, forecast and capacity; instances and scaling actions; latency
 * against the SLO; cost), then two zoom panels on its worst SLO episode
 * (plot_zoom.c) at full resolution, whose window is shaded in the panels
 * above. Margins are screen fractions, so every panel's box lines up.
 * Drawing order and styles are chosen so that nothing hides what matters:
 * the arrival rate is drawn last (over the forecast), the SLO is a thick
 * dashed line behind the percentiles, ranges leave room above a flat line
 * (a static run's cost rate) or a tier at its maximum, action markers have
 * one size in every run, and "needed for the SLO" (black, dotted) is not
 * the colour of "held back" (pink crosses). Data file names are made here
 * from the run's index (data/run01.dat) and written quoted like any
 * string; tier names go into legend entries through plot_gp_str. */
#include "plot_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const fill = "with filledcurves fs transparent solid 0.22 noborder";

/* The quoted data file names of run i. */
typedef struct run_files {
    char ts[160], act[160], zts[160];
    const plot_rep *R;
    int i;
} run_files;

static void quote_rel(const char *rel, char *q, size_t n)
{
    if (plot_gp_quote(rel, q, n, "data file", NULL) != AS_OK)
        snprintf(q, n, "''"); /* cannot happen: rel is ours and short */
}

static void tier_file(const run_files *F, int k, int zoom, char *q, size_t n)
{
    char rel[128];
    snprintf(rel, sizeof rel, "data/%s_tier%d%s.dat", F->R->base[F->i], k + 1,
             zoom ? "_zoom" : "");
    quote_rel(rel, q, n);
}

/* A legend entry: the tier's name first when there are several tiers. */
static void tier_title(plot_gp *g, const plot_rep *R, int k, const char *what)
{
    char lt[SIM_STR + 48];
    snprintf(lt, sizeof lt, "%s%s%s", R->ntier > 1 ? R->tiers[k].name : "",
             R->ntier > 1 ? " " : "", what);
    plot_gp_str(g, "legend entry", lt);
}

/* Row `row` of `rows` (0 at the top): its box's bottom and top. */
static void row_box(int row, int rows, double *b, double *t)
{
    double top = 0.965, h = (top - 0.005) / rows;
    *t = top - row * h - 0.02;
    *b = top - (row + 1) * h + 0.036;
}

static void panel_box(plot_rep *R, double l, double r, int row, int rows)
{
    double b, t;
    row_box(row, rows, &b, &t);
    plot_gp_printf(R->gp, "set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
                          "set bmargin at screen %.4f\nset tmargin at screen %.4f\n",
                   l, r, b, t);
}

/* The main panels' common lines: box, time axis, the zoom window shaded. */
static void main_panel(plot_rep *R, int i, int row, int rows)
{
    panel_box(R, 0.07, 0.8, row, rows);
    plot_time_axis(R, 0, R->duration, 0);
    if (row < 3) /* the panels below say it */
        plot_gp_puts(R->gp, "set xlabel ''\n");
    const plot_zoom *z = &R->zoom[i];
    if (z->on)
        plot_gp_printf(R->gp, "set object 9 rect from tx(%.3f), graph 0 to tx(%.3f), graph 1 "
                              "behind fc rgb '" PLOT_C_ZOOM "' fs solid 1 noborder\n",
                       z->t0, z->t1);
}

/* Rate, forecast and capacity: shared by the main and the zoom panel. */
static void load_curves(plot_rep *R, const run_files *F, const plot_run_data *d, int zoom)
{
    plot_gp *g = R->gp;
    const char *ts = zoom ? F->zts : F->ts;
    int bucketed = zoom ? d->zoom_bucketed : d->bucketed;
    plot_gp_puts(g, "plot ");
    if (d->has_interval)
        plot_gp_printf(g, "%s using (tx($1)):%d:%d %s lc rgb '" PLOT_C_FC "' title 'forecast "
                          "interval', \\\n     ", ts, plot_ts_col("lo_min"),
                       plot_ts_col("hi_max"), fill);
    if (d->has_forecast)
        plot_gp_printf(g, "%s using (tx($1)):%d with lines dt 2 lw 1.2 lc rgb '" PLOT_C_FC "' "
                          "title 'forecast', \\\n     ", ts, plot_ts_col("forecast"));
    for (int k = 0; k < R->ntier; k++) {
        char tf[160];
        tier_file(F, k, zoom, tf, sizeof tf);
        const char *c = plot_tier_colour(k);
        plot_gp_printf(g, "%s using (tx($1)):%d with steps lw 1.5 lc rgb '%s' title ", tf,
                       plot_tier_col("cap_ready"), c);
        tier_title(g, R, k, "capacity (ready)");
        plot_gp_printf(g, ", \\\n     %s using (tx($1)):%d with steps dt 2 lc rgb '%s' title ",
                       tf, plot_tier_col("cap_all"), c);
        tier_title(g, R, k, "capacity (ready + booting)");
        plot_gp_puts(g, ", \\\n     ");
    }
    if (bucketed)
        plot_gp_printf(g, "%s using (tx($1)):%d:%d %s lc rgb '" PLOT_C_RATE "' title 'rate "
                          "min-max', \\\n     ", ts, plot_ts_col("rate_min"),
                       plot_ts_col("rate_max"), fill);
    /* last: over everything else */
    plot_gp_printf(g, "%s using (tx($1)):%d with lines lw 1.6 lc rgb '" PLOT_C_RATE "' title "
                      "'arrival rate'\n", ts, plot_ts_col("rate"));
}

static void panel_load(plot_rep *R, const run_files *F, const plot_run_data *d)
{
    plot_gp_printf(R->gp, "set title 'arrival rate, forecast and capacity%s'\nset ylabel "
                          "'requests/s'\nset yrange [0:%g]\n",
                   d->bucketed ? " (long series: lines are bucket means, shading the min-max)"
                               : "",
                   d->rate_max > 0 ? d->rate_max * 1.08 : 1);
    load_curves(R, F, d, 0);
}

/* Actions of tier k at the count they set: triangles up and down, an
 * evaluation held back (cooldown, bounds) as a cross at what the policy
 * wanted. One marker size in every run; held-back ones are left out past
 * a few hundred actions (they would bury the lines). */
static void tier_actions(plot_rep *R, const run_files *F, const plot_run_data *d, int k)
{
    plot_gp *g = R->gp;
    char sel[32] = "1"; /* one tier: every action is its own */
    if (R->ntier > 1)
        snprintf(sel, sizeof sel, "$2==%d", k + 1);
    int own = k < PLOT_ACT_TIERS;
    int up = own ? d->tier_up[k] : d->act_up, down = own ? d->tier_down[k] : d->act_down;
    int held = own ? d->tier_held[k] : d->act_held;
    if (up) {
        plot_gp_printf(g, ", \\\n     %s using (tx($1)):(%s && $6>0 ? $5 : NaN) with points "
                          "pt 9 ps 0.8 lc rgb '#2ca02c' title ", F->act, sel);
        tier_title(g, R, k, "scale up");
    }
    if (down) {
        plot_gp_printf(g, ", \\\n     %s using (tx($1)):(%s && $6<0 ? $5 : NaN) with points "
                          "pt 11 ps 0.8 lc rgb '" PLOT_C_RED "' title ", F->act, sel);
        tier_title(g, R, k, "scale down");
    }
    if (held && d->nactions <= 400) {
        plot_gp_printf(g, ", \\\n     %s using (tx($1)):(%s && $6==0 && $4!=$3 ? $4 : NaN) "
                          "with points pt 2 ps 0.7 lc rgb '" PLOT_C_HELD "' title ", F->act, sel);
        tier_title(g, R, k, "held back (wanted)");
    }
}

static void panel_instances(plot_rep *R, const run_files *F, const plot_run_data *d)
{
    plot_gp *g = R->gp;
    plot_gp_printf(g, "set title 'instances per tier and scaling actions'\nset ylabel "
                      "'instances'\nset yrange [0:%g]\nplot ",
                   d->inst_max > 0 ? ceil(d->inst_max * 1.1) : 1);
    for (int k = 0; k < R->ntier; k++) {
        char tf[160];
        tier_file(F, k, 0, tf, sizeof tf);
        const char *c = plot_tier_colour(k);
        if (k > 0)
            plot_gp_puts(g, ", \\\n     ");
        if (d->bucketed)
            plot_gp_printf(g, "%s using (tx($1)):%d:%d %s lc rgb '%s' notitle, \\\n     ", tf,
                           plot_tier_col("ready_min"), plot_tier_col("ready_max"), fill, c);
        plot_gp_printf(g, "%s using (tx($1)):%d with steps lw 1.8 lc rgb '%s' title ", tf,
                       plot_tier_col("ready"), c);
        tier_title(g, R, k, "ready");
        plot_gp_printf(g, ", \\\n     %s using (tx($1)):%d with steps dt 2 lc rgb '%s' title ",
                       tf, plot_tier_col("ready_booting"), c);
        tier_title(g, R, k, "ready + booting");
        plot_gp_printf(g, ", \\\n     %s using (tx($1)):%d with lines dt 3 lw 1.5 lc rgb '"
                          PLOT_C_DEMAND "' title ", tf, plot_tier_col("demand"));
        tier_title(g, R, k, "needed for the SLO");
        if (isfinite(R->tiers[k].max)) {
            plot_gp_printf(g, ", \\\n     %g with lines dt 4 lw 1 lc rgb '%s' title ",
                           R->tiers[k].max, c);
            tier_title(g, R, k, "max");
        }
        tier_actions(R, F, d, k);
    }
    plot_gp_puts(g, "\n");
}

/* The latency axis: log with unit ticks when there is latency to show. */
static void latency_axis(plot_rep *R, const plot_run_data *d)
{
    plot_gp *g = R->gp;
    char slo[128];
    plot_slo_text(R, slo, sizeof slo);
    plot_gp_puts(g, "set ylabel 'response time'\n");
    if (d->has_latency) {
        double lo = fmin(d->lat_min, R->slo) * 1e3 / 1.6, hi = fmax(d->lat_max, R->slo) * 1e3 * 1.6;
        plot_gp_printf(g, "set logscale y\nset yrange [%g:%g]\n", lo, hi);
        plot_latency_tics(R, "y", lo, hi, 1);
    }
    /* the SLO behind the curves, thick and dashed: it stays visible where
     * a percentile runs along it */
    plot_gp_printf(g, "set arrow 8 from graph 0, first %g to graph 1, first %g nohead back "
                      "dt (10,6) lw 3 lc rgb '" PLOT_C_SLO "'\n",
                   R->slo * 1e3, R->slo * 1e3);
}

static void latency_curves(plot_rep *R, const char *ts, int bucketed)
{
    plot_gp *g = R->gp;
    char slo[128];
    plot_slo_text(R, slo, sizeof slo);
    plot_gp_puts(g, "plot ");
    if (bucketed)
        plot_gp_printf(g, "%s using (tx($1)):($%d*1000):($%d*1000) %s lc rgb '" PLOT_C_FC "' "
                          "title 'p95 min-max', \\\n     ",
                       ts, plot_ts_col("p95_min_s"), plot_ts_col("p95_max_s"), fill);
    int p50 = plot_ts_col("p50_s"), p95 = plot_ts_col("p95_s"), p99 = plot_ts_col("p99_s");
    plot_gp_printf(g, "%s using (tx($1)):($%d > 0 ? $%d*1000 : NaN) with lines lw 1.2 "
                      "lc rgb '#2ca02c' title 'p50', \\\n     ", ts, p50, p50);
    plot_gp_printf(g, "%s using (tx($1)):($%d > 0 ? $%d*1000 : NaN) with lines lw 1.8 "
                      "lc rgb '" PLOT_C_FC "' title 'p95', \\\n     ", ts, p95, p95);
    plot_gp_printf(g, "%s using (tx($1)):($%d > 0 ? $%d*1000 : NaN) with lines lw 1 "
                      "lc rgb '#9467bd' title 'p99', \\\n     ", ts, p99, p99);
    plot_gp_puts(g, "NaN with lines dt (10,6) lw 3 lc rgb '" PLOT_C_SLO "' title ");
    plot_gp_str(g, "SLO text", slo);
    plot_gp_puts(g, "\nunset arrow 8\nunset logscale y\nunset ytics\nset ytics\n");
}

/* The cumulative cost is the billed one (each open instance rounded up to
 * its billing granularity), the rate that of the instances open at t. */
static void panel_cost(plot_rep *R, const run_files *F, const plot_run_data *d)
{
    plot_gp *g = R->gp;
    char y1[96], y2[96];
    snprintf(y1, sizeof y1, "cumulative billed cost (%s)", plot_money_unit(R));
    snprintf(y2, sizeof y2, "cost rate (%s per hour)", plot_money_unit(R));
    plot_gp_puts(g, "set key inside top left Left reverse opaque box lc rgb '#cccccc'\n"
                    "set title 'cost'\nset ylabel ");
    plot_gp_str(g, "axis label", y1);
    plot_gp_puts(g, "\nset y2label ");
    plot_gp_str(g, "axis label", y2);
    /* headroom over a flat cost rate, which would otherwise lie on the frame */
    plot_gp_printf(g, "\nset ytics nomirror\nset y2tics\nset yrange [0:%g]\nset y2range [0:%g]\n",
                   d->cost_max > 0 ? d->cost_max * 1.1 : 1,
                   d->cost_rate_max > 0 ? d->cost_rate_max * 1.25 : 1);
    plot_gp_printf(g, "plot %s using (tx($1)):%d with lines lw 2 lc rgb '" PLOT_C_RATE "' "
                      "title 'cumulative billed cost', \\\n     "
                      "%s using (tx($1)):%d axes x1y2 with steps lw 1.2 lc rgb '#7f7f7f' "
                      "title 'cost rate'\n",
                   F->ts, plot_ts_col("cost"), F->ts, plot_ts_col("cost_rate_per_h"));
    plot_gp_puts(g, "unset y2tics\nunset y2label\nset ytics mirror\nset key default\n");
}

/* The zoom row: load and capacity, then latency, over the window. */
static void panels_zoom(plot_rep *R, int i, const run_files *F, const plot_run_data *d, int rows)
{
    plot_gp *g = R->gp;
    const plot_zoom *z = &R->zoom[i];
    char t[300], span[32];
    plot_gp_puts(g, "unset object 9\nset key inside top left Left reverse opaque box "
                    "lc rgb '#cccccc' font ',8' samplen 2\n");
    panel_box(R, 0.07, 0.4, rows - 1, rows);
    plot_time_axis(R, z->t0, z->t1, 1);
    snprintf(t, sizeof t, "zoom (%s): %s", plot_fmt_span(z->t1 - z->t0, span, sizeof span),
             z->why);
    plot_gp_puts(g, "set title ");
    plot_gp_str(g, "title", t);
    plot_gp_printf(g, "\nset ylabel 'requests/s'\nset yrange [0:%g]\n",
                   d->rate_max > 0 ? d->rate_max * 1.08 : 1);
    load_curves(R, F, d, 1);
    panel_box(R, 0.49, 0.8, rows - 1, rows);
    plot_time_axis(R, z->t0, z->t1, 1);
    plot_gp_puts(g, "set title 'zoom: response time'\n");
    latency_axis(R, d);
    latency_curves(R, F->zts, d->zoom_bucketed);
    plot_gp_puts(g, "set xdata\nset key default\n");
}

/* The figure's title: the run's verdict in a line. */
static void run_title(plot_rep *R, int i, const plot_run_data *d)
{
    const sim_summary_row *s = &R->sum[i];
    char t[1400], c[64], m[64], lat[32], v[32];
    double hours = R->duration / 3600;
    snprintf(t, sizeof t, "%s - run %s (%s): total cost %s", R->name, s->run, s->kind,
             plot_fmt_cost(s->cost_total, R->currency, c, sizeof c));
    if (hours > 0 && isfinite(s->cost_total))
        snprintf(t + strlen(t), sizeof t - strlen(t), " (%s per month at this rate)",
                 plot_fmt_cost(s->cost_total / hours * PLOT_MONTH_H, R->currency, m, sizeof m));
    snprintf(t + strlen(t), sizeof t - strlen(t), ", %s %s, SLO violation %s%s",
             plot_slo_pname(R), plot_fmt_latency(plot_slo_latency_of(R, s), lat, sizeof lat),
             plot_fmt_pct(s->slo_violation_pct, v, sizeof v),
             R->oracle[i] ? " - sees the future: a bound, not a policy to deploy" : "");
    (void)d;
    plot_gp_puts(R->gp, "set multiplot title ");
    plot_gp_str(R->gp, "title", t);
    plot_gp_puts(R->gp, " font ',12'\n");
}

void plot_fig_run(plot_rep *R, int i, const plot_run_data *d)
{
    const plot_zoom *z = &R->zoom[i];
    int rows = z->on ? 5 : 4, pdf = R->format == PLOT_PDF;
    char title[256];
    snprintf(title, sizeof title, "Run %s (%s)", R->sum[i].run, R->sum[i].kind);
    plot_fig_begin(R, R->figstem[i], title, i, pdf ? 595 : 1400, pdf ? 842 : rows * 380 + 40);
    plot_gp *g = R->gp;
    run_files F = {.R = R, .i = i};
    char rel[128];
    snprintf(rel, sizeof rel, "data/%s.dat", R->base[i]);
    quote_rel(rel, F.ts, sizeof F.ts);
    snprintf(rel, sizeof rel, "data/%s_actions.dat", R->base[i]);
    quote_rel(rel, F.act, sizeof F.act);
    snprintf(rel, sizeof rel, "data/%s_zoom.dat", R->base[i]);
    quote_rel(rel, F.zts, sizeof F.zts);
    run_title(R, i, d);
    plot_gp_puts(g, "set key outside right top Left reverse samplen 2 font ',9'\n");
    main_panel(R, i, 0, rows);
    panel_load(R, &F, d);
    main_panel(R, i, 1, rows);
    panel_instances(R, &F, d);
    main_panel(R, i, 2, rows);
    plot_gp_puts(g, "set title 'end-to-end response time percentiles'\n");
    latency_axis(R, d);
    latency_curves(R, F.ts, d->bucketed);
    main_panel(R, i, 3, rows);
    panel_cost(R, &F, d);
    if (z->on)
        panels_zoom(R, i, &F, d, rows);
    plot_gp_puts(g, "unset multiplot\n");
    plot_fig_end(R);
}
