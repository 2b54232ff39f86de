/* plot_int.h - what the files of one report share, and nothing outside
 * plots/ includes: the report being built (plot_rep) and the calls between
 * its jobs. The jobs, one file each:
 *   plot_data.c     read the results file into plot_rep (names checked on
 *                   read), write the .dat files the figures draw;
 *   plot_fig.c      figure frame, cost versus latency, policies compared;
 *   plot_fig_run.c  the figure of one run;
 *   plot_html.c     index.html;
 *   plot_report.c   the entry points, in that order, then gnuplot
 *                   (plot_gnuplot.c) and the folder swap (plot_outdir.c).
 * Invariant: every name in plot_rep (scenario, run, kind, tier, reason)
 * has passed as_name_check, and h5q is the results path already quoted
 * (plot_script.h): figure code may put them in file names as they are,
 * but still writes them into the script through plot_gp_str.
 * Must not: be included outside plots/ (and its tests). */
#ifndef PLOT_INT_H
#define PLOT_INT_H

#include "plot_outdir.h"
#include "plot_report.h"
#include "plot_script.h"
#include "sim_results_read.h"
#include "sim_summary.h"

#include <stdio.h>

/* Names of runs are written next to their points up to this many runs. */
#define PLOT_LABEL_ALL_RUNS 15

typedef struct plot_figure {
    char file[128];         /* relative to the report folder ("" for PDF pages) */
    char title[256];
    int run;                /* index of the run, -1 for scenario-wide figures */
} plot_figure;

typedef struct plot_rep {
    const char *h5;         /* results path as given (borrowed) */
    char h5q[2100];         /* the same, quoted for a script (plot_gp_quote) */
    int format;             /* PLOT_* */
    size_t maxpts;          /* downsampling threshold */
    plot_outdir out;        /* the folder being written */
    sim_reader *rd;
    char name[256], desc[1024], created[64], model[32], overrides[512];
    double slo, slo_pct, duration;
    sim_slo_info sloi;      /* the whole SLO, for the header */
    sim_summary_row *sum;   /* per run, in file order */
    int nrun;
    sim_tier_info *tiers;
    int ntier;
    int *pareto;            /* per run: 1 when no run is at least as good in both */
    int *oracle;            /* per run: 1 when its policy sees the future */
    int *kind;              /* per run: index into kinds */
    char (*kinds)[SIM_STR];
    int *oracle_kind;       /* per kind: 1 when it sees the future */
    int nkind;
    char (*base)[64];       /* per run: data file stem "run01" */
    char (*figstem)[96];    /* per run: figure stem "run01_NAME" */
    int *drawn;             /* per run: 1 if it has a figure */
    double tu;              /* seconds per unit of the time axis */
    const char *tu_label;
    plot_gp *gp;            /* the script */
    plot_figure *figs;
    int nfig;
} plot_rep;

/* What the script of one run needs to know about its data. */
typedef struct plot_run_data {
    size_t rows;
    int bucketed;
    int has_forecast, has_interval;
    int has_latency;        /* some percentile > 0 (log scale possible) */
    size_t nactions;
    int act_up, act_down, act_held;
} plot_run_data;

/* plot_data.c */
int plot_rep_load(plot_rep *R, as_err *err);
void plot_rep_free(plot_rep *R);
int plot_data_summary(plot_rep *R, as_err *err);
int plot_data_run(plot_rep *R, int i, plot_run_data *d, as_err *err);
/* front[i] = 1 when run i is on the Pareto front of (cost_total, p95): no
 * other run at most as costly and as slow and better in one; runs with a
 * NaN or infinite cost or p95 are never on it. O(n log n). */
int plot_pareto(const sim_summary_row *rows, int n, int *front /* OUT, n */, as_err *err);
/* 1-based gnuplot column of a run's time series / tier file by name. */
int plot_ts_col(const char *name);
int plot_tier_col(const char *name);
/* " %.9g" or " NaN" (gnuplot reads NaN as missing). */
void plot_put_num(FILE *f, double v);

/* plot_fig.c */
void plot_fig_begin(plot_rep *R, const char *stem, const char *title, int run, int w, int h);
void plot_fig_end(plot_rep *R);
void plot_slo_text(const plot_rep *R, char *buf, size_t n);
int plot_fig_cost_latency(plot_rep *R, as_err *err);
void plot_fig_summary(plot_rep *R);
/* Colours: Tableau 10, and per tier (green first: capacity reads "ok"). */
const char *plot_kind_colour(int k);
const char *plot_tier_colour(int k);
#define PLOT_C_RED "#d62728"
#define PLOT_C_RATE "#1f77b4"
#define PLOT_C_FC "#ff7f0e"

/* plot_fig_run.c */
void plot_fig_run(plot_rep *R, int i, const plot_run_data *d);

/* plot_html.c */
int plot_html_index(plot_rep *R, as_err *err);

#endif
