/* plot_fig_run.c - the figure of one run: four panels over a shared time
 * axis (load, forecast and capacity; instances and scaling actions;
 * latency against the SLO; cost). Data file names are made here from the
 * run's index (data/run01.dat) and written quoted like any string; tier
 * names (several tiers) go into legend entries through plot_gp_str. */
#include "plot_int.h"

#include <stdio.h>

static const char *const fill = "with filledcurves fs transparent solid 0.22 noborder";

/* The quoted data file names of run i: its series, tier k, its actions. */
typedef struct run_files {
    char ts[160], act[160];
    const plot_rep *R;
    int i;
} run_files;

static void tier_file(const run_files *F, int k, char *q, size_t n)
{
    char rel[128];
    snprintf(rel, sizeof rel, "data/%s_tier%d.dat", F->R->base[F->i], k + 1);
    if (plot_gp_quote(rel, q, n, "data file", NULL) != AS_OK)
        snprintf(q, n, "''"); /* cannot happen: rel is ours and short */
}

/* A legend entry: the tier's name first when there are several tiers. */
static void tier_title(plot_gp *g, const plot_rep *R, int k, const char *what)
{
    char lt[SIM_STR + 48];
    snprintf(lt, sizeof lt, "%s%s%s", R->ntier > 1 ? R->tiers[k].name : "",
             R->ntier > 1 ? " " : "", what);
    plot_gp_str(g, "legend entry", lt);
}

/* Panel 1: load, forecast and capacity. */
static void panel_load(plot_rep *R, const run_files *F, const plot_run_data *d)
{
    plot_gp *g = R->gp;
    plot_gp_puts(g, "set title 'arrival rate, forecast and capacity'\n"
                    "set ylabel 'requests/s'\nset yrange [0:*]\nplot ");
    if (d->bucketed)
        plot_gp_printf(g, "%s using ($1/U):%d:%d %s lc rgb '" PLOT_C_RATE "' "
                          "title 'rate min-max', \\\n     ",
                       F->ts, plot_ts_col("rate_min"), plot_ts_col("rate_max"), fill);
    plot_gp_printf(g, "%s using ($1/U):%d with lines lw 1.5 lc rgb '" PLOT_C_RATE "' "
                      "title 'arrival rate'", F->ts, plot_ts_col("rate"));
    if (d->has_interval)
        plot_gp_printf(g, ", \\\n     %s using ($1/U):%d:%d %s lc rgb '" PLOT_C_FC "' "
                          "title 'forecast interval'",
                       F->ts, plot_ts_col("lo_min"), plot_ts_col("hi_max"), fill);
    if (d->has_forecast)
        plot_gp_printf(g, ", \\\n     %s using ($1/U):%d with lines lw 1.2 lc rgb '" PLOT_C_FC
                          "' title 'forecast'",
                       F->ts, plot_ts_col("forecast"));
    for (int k = 0; k < R->ntier; k++) {
        char tf[160];
        tier_file(F, k, tf, sizeof tf);
        const char *c = plot_tier_colour(k);
        plot_gp_printf(g, ", \\\n     %s using ($1/U):%d with steps lw 1.5 lc rgb '%s' title ",
                       tf, plot_tier_col("cap_ready"), c);
        tier_title(g, R, k, "capacity (ready)");
        plot_gp_printf(g, ", \\\n     %s using ($1/U):%d with steps dt 2 lc rgb '%s' title ", tf,
                       plot_tier_col("cap_all"), c);
        tier_title(g, R, k, "capacity (ready + booting)");
    }
    plot_gp_puts(g, "\n");
}

/* Actions of tier k at the count they set: up and down triangles; an
 * evaluation held back (cooldown, bounds) as a cross at the count the
 * policy wanted. Months of actions would bury the lines: smaller marks,
 * and no held-back ones, past a few hundred. */
static void tier_actions(plot_rep *R, const run_files *F, const plot_run_data *d, int k)
{
    plot_gp *g = R->gp;
    char sel[32] = "1"; /* one tier: every action is its own */
    if (R->ntier > 1)
        snprintf(sel, sizeof sel, "$2==%d", k + 1);
    int many = d->nactions > 400;
    const char *ps = many ? "0.4" : "1.1";
    if (d->act_up) {
        plot_gp_printf(g, ", \\\n     %s using ($1/U):(%s && $6>0 ? $5 : NaN) with points pt 9 "
                          "ps %s lc rgb '#2ca02c' title ", F->act, sel, ps);
        tier_title(g, R, k, "scale up");
    }
    if (d->act_down) {
        plot_gp_printf(g, ", \\\n     %s using ($1/U):(%s && $6<0 ? $5 : NaN) with points pt 11 "
                          "ps %s lc rgb '" PLOT_C_RED "' title ", F->act, sel, ps);
        tier_title(g, R, k, "scale down");
    }
    if (d->act_held && !many) {
        plot_gp_printf(g, ", \\\n     %s using ($1/U):(%s && $6==0 && $4!=$3 ? $4 : NaN) with "
                          "points pt 2 ps 0.5 lc rgb '#999999' title ", F->act, sel);
        tier_title(g, R, k, "held back (wanted)");
    }
}

/* Panel 2: instances per tier and the scaling actions. */
static void panel_instances(plot_rep *R, const run_files *F, const plot_run_data *d)
{
    plot_gp *g = R->gp;
    plot_gp_puts(g, "set title 'instances per tier and scaling actions'\n"
                    "set ylabel 'instances'\nset yrange [0:*]\nplot ");
    for (int k = 0; k < R->ntier; k++) {
        char tf[160];
        tier_file(F, k, tf, sizeof tf);
        const char *c = plot_tier_colour(k);
        if (k > 0)
            plot_gp_puts(g, ", \\\n     ");
        if (d->bucketed)
            plot_gp_printf(g, "%s using ($1/U):%d:%d %s lc rgb '%s' notitle, \\\n     ", tf,
                           plot_tier_col("ready_min"), plot_tier_col("ready_max"), fill, c);
        plot_gp_printf(g, "%s using ($1/U):%d with steps lw 1.8 lc rgb '%s' title ", tf,
                       plot_tier_col("ready"), c);
        tier_title(g, R, k, "ready");
        plot_gp_printf(g, ", \\\n     %s using ($1/U):%d with steps dt 2 lc rgb '%s' title ", tf,
                       plot_tier_col("ready_booting"), c);
        tier_title(g, R, k, "ready + booting");
        plot_gp_printf(g, ", \\\n     %s using ($1/U):%d with lines dt 3 lw 1.5 "
                          "lc rgb '#555555' title ", tf, plot_tier_col("demand"));
        tier_title(g, R, k, "needed for the SLO");
        tier_actions(R, F, d, k);
    }
    plot_gp_puts(g, "\n");
}

/* Panel 3: latency against the SLO, log scale (overload is 100x). */
static void panel_latency(plot_rep *R, const run_files *F, const plot_run_data *d)
{
    plot_gp *g = R->gp;
    char slo[128];
    plot_slo_text(R, slo, sizeof slo);
    plot_gp_puts(g, "set title 'end-to-end response time percentiles'\n"
                    "set ylabel 'response time (ms)'\n");
    if (d->has_latency)
        plot_gp_puts(g, "set logscale y\nset yrange [*:*]\n");
    plot_gp_puts(g, "plot ");
    if (d->bucketed)
        plot_gp_printf(g, "%s using ($1/U):($%d*1000):($%d*1000) %s lc rgb '" PLOT_C_FC "' "
                          "title 'p95 min-max', \\\n     ",
                       F->ts, plot_ts_col("p95_min_s"), plot_ts_col("p95_max_s"), fill);
    int p50 = plot_ts_col("p50_s"), p95 = plot_ts_col("p95_s"), p99 = plot_ts_col("p99_s");
    plot_gp_printf(g, "%s using ($1/U):($%d > 0 ? $%d*1000 : NaN) with lines lc rgb '#2ca02c' "
                      "title 'p50', \\\n     ", F->ts, p50, p50);
    plot_gp_printf(g, "%s using ($1/U):($%d > 0 ? $%d*1000 : NaN) with lines lw 1.5 "
                      "lc rgb '" PLOT_C_FC "' title 'p95', \\\n     ", F->ts, p95, p95);
    plot_gp_printf(g, "%s using ($1/U):($%d > 0 ? $%d*1000 : NaN) with lines lc rgb '#9467bd' "
                      "title 'p99', \\\n     ", F->ts, p99, p99);
    plot_gp_printf(g, "%g with lines dt 2 lw 2 lc rgb '" PLOT_C_RED "' title ", R->slo * 1e3);
    plot_gp_str(g, "SLO text", slo);
    plot_gp_puts(g, "\nunset logscale y\n");
}

/* Panel 4: cumulative cost and cost rate. */
static void panel_cost(plot_rep *R, const run_files *F)
{
    plot_gp *g = R->gp;
    plot_gp_puts(g, "set key inside top left Left reverse opaque box lc rgb '#cccccc'\n"
                    "set title 'cost'\nset ylabel 'cumulative infra cost (price units)'\n"
                    "set y2label 'cost rate (price units per hour)'\nset ytics nomirror\n"
                    "set y2tics\nset yrange [0:*]\nset y2range [0:*]\n");
    plot_gp_printf(g, "plot %s using ($1/U):%d with lines lw 2 lc rgb '" PLOT_C_RATE "' "
                      "title 'cumulative infrastructure cost', \\\n     "
                      "%s using ($1/U):%d axes x1y2 with steps lc rgb '#7f7f7f' "
                      "title 'cost rate'\n",
                   F->ts, plot_ts_col("cost"), F->ts, plot_ts_col("cost_rate_per_h"));
}

void plot_fig_run(plot_rep *R, int i, const plot_run_data *d)
{
    const sim_summary_row *s = &R->sum[i];
    char title[256];
    snprintf(title, sizeof title, "Run %s (%s)", s->run, s->kind);
    plot_fig_begin(R, R->figstem[i], title, i, 1400, 1500);
    plot_gp *g = R->gp;
    run_files F = {.R = R, .i = i};
    char rel[128];
    snprintf(rel, sizeof rel, "data/%s.dat", R->base[i]);
    plot_gp_quote(rel, F.ts, sizeof F.ts, "data file", NULL);
    snprintf(rel, sizeof rel, "data/%s_actions.dat", R->base[i]);
    plot_gp_quote(rel, F.act, sizeof F.act, "data file", NULL);
    char t[1400];
    snprintf(t, sizeof t, "%s - run %s (kind %s): total cost %.4g, p95 %.1f ms, "
                          "SLO violation %.3g%%%s",
             R->name, s->run, s->kind, s->cost_total, s->p95 * 1e3, s->slo_violation_pct,
             d->bucketed ? " - long series: lines are bucket means, shading the min-max" : "");
    plot_gp_printf(g, "U = %g  # seconds per unit of the time axis\n", R->tu);
    plot_gp_puts(g, "set multiplot layout 4,1 title ");
    plot_gp_str(g, "title", t);
    plot_gp_puts(g, " font ',12'\n");
    plot_gp_printf(g, "set lmargin at screen 0.07\nset rmargin at screen 0.82\n"
                      "set key outside right top Left reverse samplen 2 font ',9'\n"
                      "set xrange [0:%g]\nset xlabel 'time (%s)'\n",
                   R->duration / R->tu, R->tu_label);
    panel_load(R, &F, d);
    panel_instances(R, &F, d);
    panel_latency(R, &F, d);
    panel_cost(R, &F);
    plot_gp_puts(g, "unset multiplot\n");
    plot_fig_end(R);
}
