/* plot_int.h - what the files of one report share, and nothing outside
 * plots/ includes: the report being built (plot_rep) and the calls between
 * its jobs. The jobs, one file each:
 *   plot_data.c     read the results file into plot_rep (names checked on
 *                   read), write the .dat files the figures draw;
 *   plot_zoom.c     the window each run's zoom panels show (its worst SLO
 *                   episode, or --window);
 *   plot_axis.c     axes: time (clock time and weekdays when the trace has
 *                   dates, else hours or days since the start), latency
 *                   ticks with units;
 *   plot_label.c    where the names of runs go on the cost-latency chart;
 *   plot_fig.c      figure frame, the policies compared, colours;
 *   plot_fig_cl.c   cost versus latency;
 *   plot_fig_run.c  the figure of one run;
 *   plot_select.c   which runs get figures in a big sweep; the sweep's points;
 *   plot_html.c     index.html; plot_html_cfg.c its configuration tables
 *                   and the sweep page;
 *   plot_report.c   the entry points, in that order, then gnuplot
 *                   (plot_gnuplot.c) and the folder swap (plot_outdir.c).
 * Invariant: every name in plot_rep (scenario, run, kind, tier, reason)
 * has passed as_name_check, and h5q is the results path already quoted
 * (plot_script.h): figure code may put them in file names as they are,
 * but still writes them into the script through plot_gp_str.
 * Must not: be included outside plots/ (and its tests). */
#ifndef PLOT_INT_H
#define PLOT_INT_H

#include "plot_fmt.h"
#include "plot_outdir.h"
#include "plot_report.h"
#include "plot_script.h"
#include "sim_results_read.h"
#include "sim_summary.h"

#include <stdio.h>

/* Reports of up to this many runs draw every run's figures; bigger ones
 * (sweeps) only the runs plot_select.c picks, unless all_figures. Every
 * scenario of scenarios/ has at most 9 policies, so only sweeps are cut;
 * 12 runs are 14 figures, a page one still scrolls through. */
#define PLOT_DRAW_ALL_UP_TO 12

/* Names of runs are written next to their points up to this many runs. */
#define PLOT_LABEL_ALL_RUNS 15

typedef struct plot_figure {
    char file[128];         /* relative to the report folder ("" for PDF pages) */
    char title[256];
    int run;                /* index of the run, -1 for scenario-wide figures */
    size_t off;             /* where its text starts in the script */
    int sub;                /* 1: a run's second figure (its node layer), no anchor of its own */
} plot_figure;

/* The zoom of one run: [t0, t1] in seconds since the start. */
typedef struct plot_zoom {
    double t0, t1;
    int on;                 /* 0: no zoom panels (the window is most of the run) */
    char why[160];          /* what the window shows, for the panel title */
} plot_zoom;

typedef struct plot_rep {
    const char *h5;         /* results path as given (borrowed) */
    char h5q[2100];         /* the same, quoted for a script (plot_gp_quote) */
    const plot_report_opts *opts; /* borrowed */
    int format;             /* PLOT_* */
    size_t maxpts;          /* downsampling threshold */
    plot_outdir out;        /* the folder being written */
    sim_reader *rd;
    char name[256], desc[1024], created[64], model[32], overrides[512];
    char currency[16];      /* checked (plot_currency_check); "" for none */
    double slo, slo_pct, duration, penalty_per_h;
    char slo_pname[16];     /* "p95": the SLO's percentile, for labels */
    /* wall clock of t = 0 when the trace has dates (start_epoch_s) */
    int has_clock;
    double epoch, utc_offset;
    sim_slo_info sloi;      /* the whole SLO, for the header */
    sim_summary_row *sum;   /* per run, in file order */
    sim_summary_row *xsum;  /* the same with p95 := the SLO's percentile */
    sim_run_info *runs;     /* per run: name, kind, sweep point (params) */
    const char **params;    /* per run: runs[i].params ("" outside a sweep) */
    char keys[SIM_MAX_PARAM_COLS][128]; /* the swept keys, in full (policy.hpa.target) */
    int nkeys;
    /* sweep points (sim_summary_points: a point's repetitions, their means);
     * a point of one run is that run */
    sim_point *pts;
    int npts;
    int best_pt, bound_pt;  /* indices into pts of R->best's and R->bound's points */
    int nrun;
    sim_tier_info *tiers;
    int ntier;
    int *pareto;            /* per run: 1 on the front of the deployable runs */
    int *oracle;            /* per run: 1 when its policy sees the future */
    /* by simrun's rule (sim_summary_best): the first run of the cheapest
     * deployable point (mean over its repetitions) meeting the SLO, or -1 */
    int best;
    int bound;              /* first run of the cheapest point that sees the future, or -1 */
    int *kind;              /* per run: index into kinds */
    char (*kinds)[SIM_STR];
    int *oracle_kind;       /* per kind: 1 when it sees the future */
    int nkind;
    char (*base)[64];       /* per run: data file stem "run01" */
    char (*figstem)[96];    /* per run: figure stem "run01_NAME" */
    int *drawn;             /* per run: 1 if it has a figure */
    int *wanted;            /* per run: 1 if its figures are drawn (plot_select.c) */
    int nwanted;
    plot_zoom *zoom;        /* per run */
    double tu;              /* seconds per unit of the time axis (no clock) */
    const char *tu_label;
    plot_gp *gp;            /* the script */
    plot_figure *figs;
    int nfig;
    int sweep_page;         /* sweep.html was written */
    /* the page: px of a figure and of a 9-point character (PDF: points) */
    double char_w, char_h;
} plot_rep;

/* What the script of one run needs to know about its data. */
typedef struct plot_run_data {
    size_t rows;
    int bucketed;
    int has_forecast, has_interval;
    int has_latency;        /* some percentile > 0 (log scale possible) */
    size_t nactions;
    int act_up, act_down, act_held;
    /* the same per tier (a series with no point makes gnuplot warn); a
     * tier past PLOT_ACT_TIERS (a crafted file) uses the totals */
#define PLOT_ACT_TIERS 16
    int tier_up[PLOT_ACT_TIERS], tier_down[PLOT_ACT_TIERS], tier_held[PLOT_ACT_TIERS];
    double rate_max;        /* of the rate and of every tier's capacity, req/s */
    double inst_max;        /* of instances (ready + booting) and tier maxima */
    double cost_max, cost_rate_max;
    double lat_min, lat_max; /* of the percentiles > 0, s */
    size_t zoom_rows;
    int zoom_bucketed;
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
/* The same among the runs with skip[i] == 0 (skip may be NULL): the front
 * of the deployable runs leaves out those that see the future. */
int plot_pareto_among(const sim_summary_row *rows, int n, const int *skip,
                      int *front /* OUT, n */, as_err *err);
/* The latency at the SLO's percentile (p95 unless the SLO says p50 or p99),
 * s, and its name. */
double plot_slo_latency_of(const plot_rep *R, const sim_summary_row *s);
const char *plot_slo_pname(const plot_rep *R);
/* 1-based gnuplot column of a run's time series / tier file by name. */
int plot_ts_col(const char *name);
int plot_tier_col(const char *name);
/* " %.9g" or " NaN" (gnuplot reads NaN as missing). */
void plot_put_num(FILE *f, double v);
/* Write rows [0, n) of a series (stride doubles each) as the .dat lines of
 * the time series (ts = 1) or tier (ts = 0) columns; 1 when bucketed. */
int plot_write_rows(FILE *f, const double *m, size_t n, size_t stride, int ts, size_t maxpts);

/* plot_zoom.c */
/* The window to zoom on in a run of `duration` s whose records are rows
 * (n of them): the worst SLO episode (the most violation-seconds; episodes
 * closer than 10 minutes are one), padded on both sides, at least 30
 * minutes wide and at most a quarter of the run; with no violation, the
 * highest p95. z->on = 0 when the window would cover most of the run. */
void plot_zoom_pick(const sim_ts_row *rows, size_t n, double duration, double slo,
                    plot_zoom *z /* OUT */);
/* The rows of [z->t0, z->t1] (and the one before, for steps): [*lo, *hi). */
void plot_zoom_rows(const double *t, size_t n, size_t stride, const plot_zoom *z, size_t *lo,
                    size_t *hi);

/* plot_axis.c */
/* Write the script lines of a time axis over [t0, t1] s for the current
 * panel: its range, format, tics and label, and the function tx(t) (s since
 * the start -> the axis' value) the plot commands use. zoom: the finer
 * format of a zoom panel. */
void plot_time_axis(plot_rep *R, double t0, double t1, int zoom);
/* Latency tick marks over [lo, hi] ms on axis ("x", "y"), each labelled
 * with its unit (200 ms, 2 s, 15 min); log or linear spacing. */
void plot_latency_tics(plot_rep *R, const char *axis, double lo, double hi, int logscale);
/* "price units" or the currency, for axis labels. */
const char *plot_money_unit(const plot_rep *R);

/* plot_label.c */
/* A label to place: the point it names (px from the panel's bottom-left)
 * and its width in px. Out: where its box's bottom-left corner goes, and
 * whether it was placed at all. */
typedef struct plot_lbl {
    double px, py;          /* the point */
    double w, h;            /* the box */
    double lx, ly;          /* OUT: bottom-left of the box */
    int placed;             /* OUT (set and kept for a fixed label) */
    int leader;             /* OUT: 1 when away from its point (draw a line) */
    int fixed;              /* IN: already at lx, ly (a line's caption): only an
                             * obstacle */
} plot_lbl;
/* Obstacles: the panel [0, W] x [0, H], every point (a square of `mark`
 * px), vertical lines at vx[nv] and horizontal lines at hy[nh] (a label
 * never crosses them). Labels are placed in the order given (the most
 * important first), each at the first free spot of: right, left, above,
 * below its point, then further up and down with a leader line; a label
 * with no free spot is left out. Returns the number placed. O(n^2 k). */
int plot_labels_place(plot_lbl *l, int n, double W, double H, double mark, const double *vx,
                      int nv, const double *hy, int nh);
/* 1 when boxes a and b overlap (touching does not count). */
int plot_lbl_overlap(const plot_lbl *a, const plot_lbl *b);

/* plot_fig.c */
void plot_fig_begin(plot_rep *R, const char *stem, const char *title, int run, int w, int h);
void plot_fig_end(plot_rep *R);
void plot_slo_text(const plot_rep *R, char *buf, size_t n);
void plot_fig_summary(plot_rep *R);
/* Colours: Tableau 10, and per tier (green first: capacity reads "ok"). */
const char *plot_kind_colour(int k);
const char *plot_tier_colour(int k);
#define PLOT_C_RED "#d62728"
#define PLOT_C_RATE "#1f77b4"
#define PLOT_C_FC "#ff7f0e"
#define PLOT_C_SLO "#d62728"
#define PLOT_C_DEMAND "#000000"
#define PLOT_C_HELD "#e377c2"
#define PLOT_C_ZOOM "#fff3cd"

/* plot_fig_cl.c */
int plot_fig_cost_latency(plot_rep *R, as_err *err);

/* plot_fig_run.c */
void plot_fig_run(plot_rep *R, int i, const plot_run_data *d);
/* plot_fig_nodes.c: run i's node layer, when it has one (else nothing). */
int plot_fig_nodes(plot_rep *R, int i, as_err *err);

/* plot_sweep.c: one figure per swept numeric parameter against cost and
 * SLO compliance (none without a sweep); shown on the sweep page */
int plot_fig_sweep(plot_rep *R, as_err *err);

/* plot_select.c */
/* wanted[i] = 1 for the runs whose figures are drawn: all of them when
 * `all` or up to PLOT_DRAW_ALL_UP_TO runs, else the picks of plot_select.c. */
int plot_select_runs(plot_rep *R, int all, as_err *err);

/* plot_html.c, plot_html_cfg.c */
int plot_html_index(plot_rep *R, as_err *err);
/* The figures of the swept parameters (plot_fig_sweep), for sweep.html. */
void plot_html_sweep_figs(const plot_rep *R, FILE *f);
/* The tiers' and the policies' settings as the results file holds them. */
void plot_html_config(const plot_rep *R, FILE *f);
/* sweep.html when runs repeat a point (names POLICY.pNNN.rN) or sweep
 * a parameter: one row per point (R->pts), a column per swept key, and
 * the per-parameter figures; *written = 1 when it did. */
int plot_html_sweep(plot_rep *R, int *written, as_err *err);

#endif
