/* plot_report.c - draws the report of a results file with gnuplot.
 *
 * How: the data of every figure is written to DIR/data/ (one .dat per series) (whitespace
 * columns with a header comment naming each), the whole gnuplot script is
 * built in memory, saved as DIR/report.gp and fed to one gnuplot process
 * through a pipe. gnuplot runs in DIR with relative paths, so
 * `cd DIR && gnuplot report.gp` redraws the report after a user edits it.
 * A pipe to gnuplot is one-way (gnuplot_i's README: "very hard to get an
 * error status back"), so the child's stderr goes to a temporary file that
 * is read after it exits, and its exit status is checked.
 *
 * Scale: a series longer than max_points rows (months of minutes) is cut
 * into max_points/2 buckets and each bucket written as mean, min and max,
 * drawn as a line inside a shaded min-max envelope: a 30-second latency
 * spike in a month of data still shows, which taking every k-th row would
 * lose. Runs are coloured by policy kind, so the legends stay as short as
 * the list of kinds with 50 runs; names are written next to points only
 * while they fit (or for the Pareto front and the oracle). */
#include "plot_report.h"

#include "sim_results_read.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Tableau 10: distinguishable, also for the common colour blindnesses. */
static const char *const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
                                      "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#d62728"};
#define NPALETTE (int)(sizeof palette / sizeof palette[0])
/* tiers: capacity and instance lines; green first (capacity reads as "ok") */
static const char *const tier_colour[] = {"#2ca02c", "#9467bd", "#8c564b", "#e377c2",
                                          "#17becf", "#bcbd22", "#7f7f7f", "#1f77b4"};
#define NTIERCOL (int)(sizeof tier_colour / sizeof tier_colour[0])
#define C_RED "#d62728"
#define C_RATE "#1f77b4"
#define C_FC "#ff7f0e"

/* Names of runs are written next to their points up to this many runs. */
#define LABEL_ALL_RUNS 15

/* ---------------------------------------------------------------------
 * Downsampling: rows of doubles -> .dat lines, with per-bucket aggregates
 * --------------------------------------------------------------------- */

enum { A_MEAN, A_MIN, A_MAX, A_LAST, A_SUM };

/* One output column: its name in the header, the source column (index of a
 * double in the row) and how a bucket of rows is reduced to one value. */
typedef struct env_col {
    const char *name;
    int src;
    int agg;
} env_col;

/* 1-based gnuplot column of `name` in cols (the script is generated from
 * the same table that writes the data, so they cannot drift apart). */
static int cn(const env_col *cols, int nc, const char *name)
{
    for (int i = 0; i < nc; i++)
        if (strcmp(cols[i].name, name) == 0)
            return i + 1;
    return 0; /* a typo here is a programmer error: gnuplot says "column 0" */
}

static void put_num(FILE *f, double v)
{
    /* gnuplot reads "NaN" as missing (set datafile missing 'NaN') */
    if (isfinite(v))
        fprintf(f, " %.9g", v);
    else
        fputs(" NaN", f);
}

/* Write n rows (stride doubles each) as at most max(n <= maxpts ? n :
 * maxpts/2) lines. Each aggregate skips NaN (a forecast may be missing in
 * some rows only). Returns 1 when the rows were bucketed. */
static int write_env(FILE *f, const double *m, size_t n, size_t stride, const env_col *cols,
                     int nc, size_t maxpts)
{
    fputs("#", f);
    for (int i = 0; i < nc; i++)
        fprintf(f, " %s", cols[i].name);
    fputc('\n', f);
    size_t nb = n <= maxpts ? n : maxpts / 2;
    if (nb == 0)
        nb = n < 1 ? 0 : 1;
    for (size_t b = 0; b < nb; b++) {
        size_t lo = b * n / nb, hi = (b + 1) * n / nb;
        for (int c = 0; c < nc; c++) {
            double acc = NAN;
            size_t k = 0;
            for (size_t i = lo; i < hi; i++) {
                double v = m[i * stride + (size_t)cols[c].src];
                if (!isfinite(v))
                    continue;
                if (k++ == 0) {
                    acc = v;
                    continue;
                }
                switch (cols[c].agg) {
                case A_MEAN:
                case A_SUM: acc += v; break;
                case A_MIN: acc = v < acc ? v : acc; break;
                case A_MAX: acc = v > acc ? v : acc; break;
                default: acc = v; break; /* A_LAST */
                }
            }
            if (cols[c].agg == A_MEAN && k > 0)
                acc /= (double)k;
            put_num(f, acc);
        }
        fputc('\n', f);
    }
    return n > maxpts;
}

/* ---------------------------------------------------------------------
 * The report being built
 * --------------------------------------------------------------------- */

typedef struct figure {
    char file[128];         /* relative to the report folder ("" for PDF pages) */
    char title[256];
    int run;                /* index of the run, -1 for scenario-wide figures */
} figure;

typedef struct report {
    const char *h5;
    int format;
    size_t maxpts;
    char dir[1024];
    sim_reader *rd;
    char name[256], desc[1024], created[64], model[32], overrides[512];
    double slo, slo_pct, duration;
    sim_summary_row *sum;
    int nrun;
    sim_tier_info *tiers;
    int ntier;
    int *pareto;            /* per run: 1 when no run is at least as good in both */
    int *kind;              /* per run: index into kinds */
    char (*kinds)[SIM_STR];
    int nkind;
    char (*base)[64];       /* per run: data file stem "run_01" and figure stem */
    char (*figstem)[96];
    int *drawn;             /* per run: 1 if it has a figure */
    double tu;              /* seconds per unit of the time axis */
    const char *tu_label;
    FILE *gp;               /* the script, in memory */
    char *gpbuf;
    size_t gplen;
    figure *figs;
    int nfig;
} report;

/* Write s as a single-quoted gnuplot string ('' is a quote inside). */
static void gq(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        if (*s == '\n' || *s == '\r')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

/* Letters, digits, '.', '-' and '_' kept, anything else '_': file names. */
static void sanitize(char *dst, size_t n, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < n; i++) {
        char c = src[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || c == '_';
        dst[i] = ok ? c : '_';
    }
    dst[i] = '\0';
    if (i == 0 || dst[0] == '.')
        snprintf(dst, n, "x%s", src[0] ? dst : "");
}

static int mkdir_p(const char *path, as_err *err)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return as_err_set(err, AS_EIO, "%s: cannot create folder: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return as_err_set(err, AS_EIO, "%s: cannot create folder: %s", buf, strerror(errno));
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return as_err_set(err, AS_EIO, "%s: not a folder", buf);
    return AS_OK;
}

static FILE *open_out(report *R, const char *rel, as_err *err)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", R->dir, rel);
    FILE *f = fopen(p, "w");
    if (f == NULL)
        as_err_set(err, AS_EIO, "%s: cannot write: %s", p, strerror(errno));
    return f;
}

static int close_out(FILE *f, report *R, const char *rel, as_err *err)
{
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return as_err_set(err, AS_EIO, "%s/%s: write failed (disk full?)", R->dir, rel);
    return AS_OK;
}

static const char *format_term(int format)
{
    switch (format) {
    case PLOT_SVG: return "svg";
    case PLOT_PDF: return "pdf";
    default: return "png";
    }
}

int plot_format_parse(const char *s, int *format)
{
    for (int f = PLOT_PNG; f <= PLOT_PDF; f++)
        if (strcmp(s, format_term(f)) == 0) {
            *format = f;
            return AS_OK;
        }
    return AS_EINVAL;
}

const char *plot_format_ext(int format) { return format_term(format); }

/* Start a figure: for PNG/SVG a file of its own at the given pixel size;
 * for PDF the next page of report.pdf (one page size for the whole file:
 * pdfcairo cannot change it between pages). */
static void fig_begin(report *R, const char *stem, const char *title, int run, int w, int h)
{
    figure *fg = &R->figs[R->nfig++];
    fg->run = run;
    snprintf(fg->title, sizeof fg->title, "%s", title);
    FILE *g = R->gp;
    fprintf(g, "\n# ---- figure %d: %s ----\n", R->nfig, title);
    if (R->format == PLOT_PDF) {
        fg->file[0] = '\0';
    } else {
        snprintf(fg->file, sizeof fg->file, "%s.%s", stem, plot_format_ext(R->format));
        if (R->format == PLOT_SVG)
            fprintf(g, "set terminal svg size %d,%d fixed font 'sans,11' noenhanced "
                       "background '#ffffff'\n", w, h);
        else
            fprintf(g, "set terminal pngcairo size %d,%d font 'sans,10' noenhanced\n", w, h);
        fputs("set output ", g);
        gq(g, fg->file);
        fputc('\n', g);
    }
    /* reset clears every setting of the previous figure but keeps the
     * terminal and the output (the PDF's pages) */
    fputs("reset\nset datafile missing 'NaN'\nset encoding utf8\n"
          "set grid lc rgb '#dddddd' lt 1\nset border lc rgb '#444444'\n",
          g);
}

static void fig_end(report *R)
{
    if (R->format != PLOT_PDF)
        fputs("unset output\n", R->gp);
}

/* ---------------------------------------------------------------------
 * Data files
 * --------------------------------------------------------------------- */

#define TS(m) ((int)(offsetof(sim_ts_row, m) / sizeof(double)))
static const env_col ts_env[] = {
    {"t_s", TS(t), A_MEAN},
    {"rate", TS(rate), A_MEAN},         {"rate_min", TS(rate), A_MIN},
    {"rate_max", TS(rate), A_MAX},      {"forecast", TS(forecast), A_MEAN},
    {"lo_min", TS(lo), A_MIN},          {"hi_max", TS(hi), A_MAX},
    {"p50_s", TS(p50), A_MEAN},         {"p95_s", TS(p95), A_MEAN},
    {"p95_min_s", TS(p95), A_MIN},      {"p95_max_s", TS(p95), A_MAX},
    {"p99_s", TS(p99), A_MEAN},         {"p99_max_s", TS(p99), A_MAX},
    {"cost", TS(cost), A_LAST},         {"cost_rate_per_h", TS(cost_rate), A_MEAN},
    {"violation", TS(violation), A_MEAN},
};
#define NTS (int)(sizeof ts_env / sizeof ts_env[0])
#define TSC(name) cn(ts_env, NTS, name)

/* Per tier: the stored columns plus capacities derived from /tiers. */
typedef struct tier_pt {
    double t, ready, booting, all, demand, cap_ready, cap_all, utilization, dropped;
} tier_pt;
#define TP(m) ((int)(offsetof(tier_pt, m) / sizeof(double)))
static const env_col tier_env[] = {
    {"t_s", TP(t), A_MEAN},
    {"ready", TP(ready), A_MEAN},          {"ready_min", TP(ready), A_MIN},
    {"ready_max", TP(ready), A_MAX},       {"ready_booting", TP(all), A_MEAN},
    {"ready_booting_max", TP(all), A_MAX}, {"demand", TP(demand), A_MEAN},
    {"cap_ready", TP(cap_ready), A_MEAN},  {"cap_ready_min", TP(cap_ready), A_MIN},
    {"cap_all", TP(cap_all), A_MEAN},      {"utilization", TP(utilization), A_MEAN},
    {"dropped", TP(dropped), A_SUM},
};
#define NTIER_ENV (int)(sizeof tier_env / sizeof tier_env[0])
#define TRC(name) cn(tier_env, NTIER_ENV, name)

/* What the script of one run needs to know about its data. */
typedef struct run_data {
    size_t rows;
    int bucketed;
    int has_forecast, has_interval;
    int has_latency;        /* some percentile > 0 (log scale possible) */
    size_t nactions;
    int act_up, act_down, act_held;
} run_data;

static int write_run_data(report *R, int i, run_data *rdt, as_err *err)
{
    const char *run = R->sum[i].run;
    memset(rdt, 0, sizeof *rdt);
    sim_ts_row *ts = NULL;
    size_t n = 0;
    int rc = sim_reader_timeseries(R->rd, run, &ts, &n, err);
    if (rc != AS_OK)
        return rc;
    rdt->rows = n;
    for (size_t k = 0; k < n; k++) {
        rdt->has_forecast |= isfinite(ts[k].forecast);
        rdt->has_interval |= isfinite(ts[k].lo) && isfinite(ts[k].hi);
        rdt->has_latency |= ts[k].p50 > 0 || ts[k].p95 > 0 || ts[k].p99 > 0;
    }
    char rel[128];
    snprintf(rel, sizeof rel, "data/%s.dat", R->base[i]);
    FILE *f = open_out(R, rel, err);
    if (f == NULL) {
        free(ts);
        return AS_EIO;
    }
    fprintf(f, "# run %s (kind %s): /runs/%s/timeseries of %s, %zu rows%s\n", run,
            R->sum[i].kind, run, R->h5, n,
            n > R->maxpts ? ", as per-bucket mean/min/max" : "");
    rdt->bucketed = write_env(f, (const double *)ts, n, sizeof *ts / sizeof(double), ts_env, NTS,
                              R->maxpts);
    free(ts);
    if ((rc = close_out(f, R, rel, err)) != AS_OK)
        return rc;

    for (int k = 0; k < R->ntier; k++) {
        const sim_tier_info *ti = &R->tiers[k];
        sim_tier_row *tr = NULL;
        size_t m = 0;
        if ((rc = sim_reader_tier_series(R->rd, run, ti->name, &tr, &m, err)) != AS_OK)
            return rc;
        tier_pt *pt = malloc((m ? m : 1) * sizeof *pt);
        if (pt == NULL) {
            free(tr);
            return as_err_set(err, AS_ENOMEM, "out of memory");
        }
        /* capacity in end-to-end requests/s: a request visits the tier
         * `visits` times, each visit holding one of concurrency slots for
         * service_time on average */
        double per = ti->throughput / ti->visits;
        for (size_t j = 0; j < m; j++) {
            pt[j] = (tier_pt){tr[j].t, tr[j].ready, tr[j].booting, tr[j].ready + tr[j].booting,
                              tr[j].demand, tr[j].ready * per,
                              (tr[j].ready + tr[j].booting) * per, tr[j].utilization,
                              tr[j].dropped};
        }
        free(tr);
        snprintf(rel, sizeof rel, "data/%s_tier%d.dat", R->base[i], k + 1);
        if ((f = open_out(R, rel, err)) == NULL) {
            free(pt);
            return AS_EIO;
        }
        fprintf(f, "# run %s, tier %s: concurrency %g, service time %g s, visits %g -> "
                   "%g req/s per instance\n",
                run, ti->name, ti->concurrency, ti->service_time_s, ti->visits, per);
        write_env(f, (const double *)pt, m, sizeof *pt / sizeof(double), tier_env, NTIER_ENV,
                  R->maxpts);
        free(pt);
        if ((rc = close_out(f, R, rel, err)) != AS_OK)
            return rc;
    }

    /* actions are events, not a sampled series: all of them are kept */
    sim_action_row *ac = NULL;
    size_t na = 0;
    if ((rc = sim_reader_actions(R->rd, run, &ac, &na, err)) != AS_OK)
        return rc;
    snprintf(rel, sizeof rel, "data/%s_actions.dat", R->base[i]);
    if ((f = open_out(R, rel, err)) == NULL) {
        free(ac);
        return AS_EIO;
    }
    fputs("# t_s tier(1-based) from raw to direction(1 up, -1 down, 0 held) \"reason\"\n", f);
    for (size_t j = 0; j < na; j++) {
        int dir = ac[j].to > ac[j].from ? 1 : ac[j].to < ac[j].from ? -1 : 0;
        char reason[SIM_STR];
        sanitize(reason, sizeof reason, ac[j].reason);
        fprintf(f, "%.9g %d %d %d %d %d \"%s\"\n", ac[j].t, ac[j].tier + 1, ac[j].from,
                ac[j].raw, ac[j].to, dir, reason);
        rdt->act_up += dir > 0;
        rdt->act_down += dir < 0;
        rdt->act_held += dir == 0 && ac[j].raw != ac[j].from;
    }
    rdt->nactions = na;
    free(ac);
    return close_out(f, R, rel, err);
}

/* /summary -> data/summary.dat and data/pareto.dat. */
static int write_summary_data(report *R, as_err *err)
{
    FILE *f = open_out(R, "data/summary.dat", err);
    if (f == NULL)
        return AS_EIO;
    fputs("# idx \"run\" \"kind\" kind_idx cost_total cost_infra cost_penalty p50_ms p95_ms "
          "p99_ms slo_violation_s slo_violation_pct mean_instances peak_instances meets_slo "
          "pareto oracle label actions\n",
          f);
    for (int i = 0; i < R->nrun; i++) {
        const sim_summary_row *s = &R->sum[i];
        int oracle = strcmp(s->kind, "oracle") == 0;
        int label = R->nrun <= LABEL_ALL_RUNS || R->pareto[i] || oracle;
        char rn[SIM_STR], kn[SIM_STR];
        sanitize(rn, sizeof rn, s->run);
        sanitize(kn, sizeof kn, s->kind);
        fprintf(f, "%d \"%s\" \"%s\" %d", i, rn, kn, R->kind[i] + 1);
        put_num(f, s->cost_total);
        put_num(f, s->cost_infra);
        put_num(f, s->cost_penalty);
        put_num(f, s->p50 * 1e3);
        put_num(f, s->p95 * 1e3);
        put_num(f, s->p99 * 1e3);
        put_num(f, s->slo_violation_s);
        put_num(f, s->slo_violation_pct);
        put_num(f, s->mean_instances);
        put_num(f, s->peak_instances);
        fprintf(f, " %d %d %d %d %d\n", s->meets_slo ? 1 : 0, R->pareto[i], oracle, label,
                s->actions);
    }
    int rc = close_out(f, R, "data/summary.dat", err);
    if (rc != AS_OK)
        return rc;
    /* the front sorted by p95: drawn as a staircase (gnuplot "steps"), the
     * boundary of the region the front dominates */
    if ((f = open_out(R, "data/pareto.dat", err)) == NULL)
        return AS_EIO;
    fputs("# runs on the Pareto front in (cost_total, p95), by p95: p95_ms cost_total \"run\"\n",
          f);
    int *ord = malloc((size_t)R->nrun * sizeof *ord);
    if (ord == NULL) {
        fclose(f);
        return as_err_set(err, AS_ENOMEM, "out of memory");
    }
    int no = 0;
    for (int i = 0; i < R->nrun; i++)
        if (R->pareto[i])
            ord[no++] = i;
    for (int a = 1; a < no; a++) /* insertion sort: the front is short */
        for (int b = a; b > 0 && R->sum[ord[b]].p95 < R->sum[ord[b - 1]].p95; b--) {
            int t = ord[b];
            ord[b] = ord[b - 1];
            ord[b - 1] = t;
        }
    for (int a = 0; a < no; a++) {
        char rn[SIM_STR];
        sanitize(rn, sizeof rn, R->sum[ord[a]].run);
        put_num(f, R->sum[ord[a]].p95 * 1e3);
        put_num(f, R->sum[ord[a]].cost_total);
        fprintf(f, " \"%s\"\n", rn);
    }
    free(ord);
    return close_out(f, R, "data/pareto.dat", err);
}

/* ---------------------------------------------------------------------
 * Figures
 * --------------------------------------------------------------------- */

static int is_oracle(const report *R, int i) { return strcmp(R->sum[i].kind, "oracle") == 0; }

/* The SLO line's legend text, e.g. "SLO: p95 <= 250 ms". */
static void slo_text(const report *R, char *buf, size_t n)
{
    snprintf(buf, n, "SLO: p%g ≤ %g ms", R->slo_pct, R->slo * 1e3);
}

/* Where to write each run's name on the cost-latency chart: next to its
 * point, pushed up just enough not to overlap a label already placed that
 * starts at a nearby x. Greedy from the cheapest up: O(n^2) over <= 50
 * runs. Positions in axis fractions, so log and linear axes are alike. */
static void place_labels(const report *R, const double *x, const double *y, double *ly,
                         const int *want, int n)
{
    int *ord = malloc((size_t)n * sizeof *ord);
    int *done = calloc((size_t)n, sizeof *done);
    if (ord == NULL || done == NULL) {
        for (int i = 0; i < n; i++)
            ly[i] = y[i];
        free(ord);
        free(done);
        return;
    }
    (void)R;
    for (int i = 0; i < n; i++)
        ord[i] = i;
    for (int a = 1; a < n; a++)
        for (int b = a; b > 0 && y[ord[b]] < y[ord[b - 1]]; b--) {
            int t = ord[b];
            ord[b] = ord[b - 1];
            ord[b - 1] = t;
        }
    const double dy = 0.032, dx = 0.14; /* a 9 pt line; ~12 characters */
    for (int a = 0; a < n; a++) {
        int i = ord[a];
        ly[i] = y[i];
        if (!want[i])
            continue;
        /* each pass moves the label above one more placed label, so n
         * passes suffice; the slack keeps a label exactly dy above another
         * from counting as an overlap after rounding (an endless loop) */
        for (int pass = 0, again = 1; again && pass <= n; pass++) {
            again = 0;
            for (int j = 0; j < n; j++)
                if (done[j] && fabs(x[j] - x[i]) < dx && fabs(ly[j] - ly[i]) < 0.999 * dy) {
                    ly[i] = ly[j] + dy;
                    again = 1;
                }
        }
        done[i] = 1;
    }
    free(ord);
    free(done);
}

static int fig_cost_latency(report *R, as_err *err)
{
    fig_begin(R, "cost_latency", "Cost versus latency", -1, 1300, 800);
    FILE *g = R->gp;
    /* ranges from the data, so that the SLO line is always inside and the
     * axis goes logarithmic when latencies span more than a decade and a
     * half (a policy in overload can be 1000x slower than the rest) */
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
    int logx = xmin > 0 && xmax / xmin > 30, logy = 0;
    double x0, x1, y0 = 0, y1 = 1;
    if (logx) {
        x0 = xmin / 1.3;
        x1 = xmax * 1.3;
        fputs("set logscale x\n", g);
    } else {
        x0 = fmax(0, xmin - 0.08 * (xmax - xmin) - 1e-9);
        x1 = xmax + 0.12 * (xmax - xmin) + 1e-9;
    }
    fprintf(g, "set xrange [%g:%g]\n", x0, x1);
    if (isfinite(ymin)) {
        double pad = ymax > ymin ? 0.1 * (ymax - ymin) : fmax(0.1 * fabs(ymax), 1e-3);
        logy = ymin > 0 && ymax / ymin > 100;
        if (logy) {
            y0 = ymin / 1.3;
            y1 = ymax * 1.6;
            fputs("set logscale y\n", g);
        } else {
            y0 = fmax(0, ymin - pad);
            y1 = ymax + 1.6 * pad; /* room above for labels pushed up */
        }
        fprintf(g, "set yrange [%g:%g]\n", y0, y1);
    }
    /* label positions, in axis fractions and back */
    int n = R->nrun;
    double *fx = calloc((size_t)n, sizeof *fx), *fy = calloc((size_t)n, sizeof *fy),
           *ly = calloc((size_t)n, sizeof *ly);
    int *want = calloc((size_t)n, sizeof *want);
    if (!fx || !fy || !ly || !want) {
        free(fx);
        free(fy);
        free(ly);
        free(want);
        return as_err_set(err, AS_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        const sim_summary_row *s = &R->sum[i];
        double xv = s->p95 * 1e3, yv = s->cost_total;
        fx[i] = logx ? (log(fmax(xv, 1e-12)) - log(x0)) / (log(x1) - log(x0))
                     : (xv - x0) / (x1 - x0);
        fy[i] = logy ? (log(fmax(yv, 1e-12)) - log(y0)) / (log(y1) - log(y0))
                     : (yv - y0) / (y1 - y0);
        want[i] = (n <= LABEL_ALL_RUNS || R->pareto[i] || is_oracle(R, i)) && isfinite(xv) &&
                  isfinite(yv);
    }
    /* many runs: the front alone may be long (a sweep of near-equal
     * points); keep every k-th of its labels by cost, both ends always */
    int nw = 0;
    for (int i = 0; i < n; i++)
        nw += want[i] && !is_oracle(R, i);
    if (n > LABEL_ALL_RUNS && nw > LABEL_ALL_RUNS) {
        int step = (nw + LABEL_ALL_RUNS - 1) / LABEL_ALL_RUNS;
        for (int a = 0; a < nw; a++) { /* a-th wanted run by cost */
            int pick = -1;
            for (int i = 0, r = 0; i < n && pick < 0; i++) {
                if (!want[i] || is_oracle(R, i))
                    continue;
                r = 0;
                for (int j = 0; j < n; j++)
                    r += want[j] && !is_oracle(R, j) &&
                         (R->sum[j].cost_total < R->sum[i].cost_total ||
                          (R->sum[j].cost_total == R->sum[i].cost_total && j < i));
                if (r == a)
                    pick = i;
            }
            if (pick >= 0 && a % step != 0 && a != nw - 1)
                want[pick] = 2; /* still counts in the ranks; dropped below */
        }
        for (int i = 0; i < n; i++)
            if (want[i] == 2)
                want[i] = 0;
    }
    place_labels(R, fx, fy, ly, want, n);
    FILE *f = open_out(R, "data/labels.dat", err);
    if (f == NULL) {
        free(fx);
        free(fy);
        free(ly);
        free(want);
        return AS_EIO;
    }
    fputs("# labels of the cost-latency chart: p95_ms cost_total label_y \"run\"\n", f);
    for (int i = 0; i < n; i++) {
        if (!want[i])
            continue;
        double yl = logy ? exp(log(y0) + ly[i] * (log(y1) - log(y0))) : y0 + ly[i] * (y1 - y0);
        char rn[SIM_STR];
        sanitize(rn, sizeof rn, R->sum[i].run);
        put_num(f, R->sum[i].p95 * 1e3);
        put_num(f, R->sum[i].cost_total);
        put_num(f, yl);
        fprintf(f, " \"%s\"\n", rn);
    }
    free(fx);
    free(fy);
    free(ly);
    free(want);
    int rc = close_out(f, R, "data/labels.dat", err);
    if (rc != AS_OK)
        return rc;

    fputs("set title ", g);
    char t[1400];
    snprintf(t, sizeof t, "Cost versus latency - %s: one point per run (%d run%s)", R->name,
             R->nrun, R->nrun == 1 ? "" : "s");
    gq(g, t);
    fputs(" font ',13'\n", g);
    fputs("set xlabel 'response time over the whole run (ms): p95 filled, p99 open'\n"
          "set ylabel 'total cost (infrastructure + SLO penalty, price units)'\n"
          "set key outside right top Left reverse samplen 3.5 spacing 1.25\n"
          "set rmargin at screen 0.76\n",
          g);
    char slo[128];
    slo_text(R, slo, sizeof slo);
    fprintf(g, "set arrow 1 from %g, graph 0 to %g, graph 1 nohead dt 2 lw 2 lc rgb '%s'\n",
            R->slo * 1e3, R->slo * 1e3, C_RED);
    /* at the bottom (never under the key), on the side of the line with
     * more room */
    double fslo = logx ? (log(R->slo * 1e3) - log(x0)) / (log(x1) - log(x0))
                       : (R->slo * 1e3 - x0) / (x1 - x0);
    fprintf(g, "set label 1 ");
    gq(g, slo);
    fprintf(g, " at %g, graph 0.03 %s tc rgb '%s'\n", R->slo * 1e3,
            fslo > 0.5 ? "right offset -0.6,0" : "left offset 0.6,0", C_RED);
    if (logx)
        fputs("set format x '%.0f'\n", g);
    /* summary.dat columns: 5 cost_total, 9 p95, 10 p99, 4 kind_idx,
     * 16 pareto, 17 oracle */
    fputs("plot 'data/summary.dat' using 9:5:($10-$9):(0) with vectors nohead "
          "lc rgb '#bbbbbb' notitle, \\\n", g);
    fputs("     'data/pareto.dat' using 1:2 with steps lw 2 dt 2 lc rgb '#555555' "
          "title 'Pareto front (cost, p95)'", g);
    for (int k = 0; k < R->nkind; k++) {
        if (strcmp(R->kinds[k], "oracle") == 0)
            continue;
        const char *c = palette[k % NPALETTE];
        fprintf(g, ", \\\n     'data/summary.dat' using ($4==%d ? $9 : NaN):5 with points "
                   "pt 7 ps 1.6 lc rgb '%s' title ", k + 1, c);
        gq(g, R->kinds[k]);
        fprintf(g, ", \\\n     '' using ($4==%d ? $10 : NaN):5 with points pt 6 ps 1.4 "
                   "lc rgb '%s' notitle", k + 1, c);
    }
    int has_oracle = 0;
    for (int i = 0; i < R->nrun; i++)
        has_oracle |= is_oracle(R, i);
    if (has_oracle)
        fputs(", \\\n     'data/summary.dat' using ($17>0 ? $9 : NaN):5 with points pt 3 ps 3 "
              "lw 2 lc rgb '#000000' title 'oracle (sees the future: lower bound)', \\\n"
              "     '' using ($17>0 ? $10 : NaN):5 with points pt 6 ps 1.4 lc rgb '#000000' "
              "notitle", g);
    /* a leader from a point to its label when the label was pushed up */
    fputs(", \\\n     'data/labels.dat' using 1:2:(0):($3-$2) with vectors nohead "
          "lc rgb '#aaaaaa' notitle"
          ", \\\n     '' using 1:3:4 with labels left offset char 0.9,0.5 font ',9' notitle\n",
          g);
    fig_end(R);
    return AS_OK;
}

static void fig_summary(report *R)
{
    int n = R->nrun;
    int wide = n > 10;
    int w = wide ? (n * 30 + 300 > 1400 ? n * 30 + 300 : 1400) : 1400;
    int h = wide ? 1800 : 950;
    fig_begin(R, "summary", "Policies compared", -1, w, h);
    FILE *g = R->gp;
    char t[1400];
    snprintf(t, sizeof t, "Policies compared - %s", R->name);
    fprintf(g, "set multiplot layout %d,%d title ", wide ? 4 : 2, wide ? 1 : 2);
    gq(g, t);
    fputs(" font ',13'\n", g);
    fprintf(g, "set style fill solid 0.85 border rgb '#333333'\nset boxwidth 0.7\n"
               "set xrange [-0.6:%g]\nset yrange [0:*]\nset grid noxtics ytics\n"
               "set key tmargin center horizontal samplen 1.5\n",
            n - 0.4);
    /* names under the bars: horizontal while they fit, then slanted */
    if (n > 4)
        fprintf(g, "set xtics rotate by %d right font ',%d' nomirror\n", n > 20 ? 90 : 40,
                n > 30 ? 8 : 9);
    else
        fputs("set xtics nomirror\n", g);
    /* 1 total cost, stacked: the penalty box drawn first, infra over it */
    fputs("set title 'total cost'\nset ylabel 'cost (price units)'\n"
          "plot 'data/summary.dat' using 1:5:xtic(2) with boxes lc rgb '" C_RED "' "
          "title 'SLO penalty', '' using 1:6 with boxes lc rgb '" C_RATE "' "
          "title 'infrastructure'\n",
          g);
    /* 2 violation: green meets the SLO, red does not; one clause per
     * colour that occurs (an all-NaN clause makes gnuplot warn) */
    int meet = 0, miss = 0;
    double vmax = 0;
    for (int i = 0; i < n; i++) {
        meet += R->sum[i].meets_slo != 0;
        miss += R->sum[i].meets_slo == 0;
        if (isfinite(R->sum[i].slo_violation_pct))
            vmax = fmax(vmax, R->sum[i].slo_violation_pct);
    }
    fputs("set title 'time in SLO violation'\nset ylabel 'SLO violation (% of time)'\n", g);
    if (vmax <= 0) /* all zero: gnuplot cannot autoscale an empty range */
        fputs("set yrange [0:1]\nset label 2 'no run violated the SLO' at graph 0.5, graph 0.5 "
              "center tc rgb '#2ca02c'\n", g);
    fputs("plot 'data/summary.dat' using 1:(0):xtic(2) with points ps 0 notitle", g);
    if (meet)
        fputs(", '' using 1:($15>0 ? $12 : NaN) with boxes lc rgb '#2ca02c' "
              "title 'meets the SLO'", g);
    if (miss)
        fputs(", '' using 1:($15>0 ? NaN : $12) with boxes lc rgb '" C_RED "' "
              "title 'violates the SLO'", g);
    fputs("\nunset label 2\nset yrange [0:*]\n", g);
    char slo[128];
    slo_text(R, slo, sizeof slo);
    fputs("set title 'p95 response time over the whole run'\nset ylabel 'p95 (ms)'\n", g);
    /* one run in overload (minutes) would flatten every other bar */
    double pmin = R->slo * 1e3, pmax = pmin;
    for (int i = 0; i < n; i++)
        if (R->sum[i].p95 > 0 && isfinite(R->sum[i].p95)) {
            pmin = fmin(pmin, R->sum[i].p95 * 1e3);
            pmax = fmax(pmax, R->sum[i].p95 * 1e3);
        }
    if (pmax / pmin > 30)
        fprintf(g, "set logscale y\nset yrange [%g:%g]\nset format y '%%.0f'\n", pmin / 2,
                pmax * 2);
    fprintf(g, "plot 'data/summary.dat' using 1:9:xtic(2) with boxes lc rgb '#8c9fb8' "
               "title 'p95', %g with lines dt 2 lw 2 lc rgb '" C_RED "' title ",
            R->slo * 1e3);
    gq(g, slo);
    double imax = 1;
    for (int i = 0; i < n; i++)
        if (isfinite(R->sum[i].peak_instances))
            imax = fmax(imax, fmax(R->sum[i].peak_instances, R->sum[i].mean_instances));
    /* room above the peak markers, which would sit on the border */
    fprintf(g, "\nunset logscale y\nset format y '%%g'\nset yrange [0:%g]\n", imax * 1.12);
    fputs("set title 'instances'\nset ylabel 'instances (all tiers)'\n"
          "plot 'data/summary.dat' using 1:13:xtic(2) with boxes lc rgb '#9467bd' "
          "title 'mean', '' using 1:14 with points pt 9 ps 1.6 lc rgb '#333333' "
          "title 'peak'\n"
          "unset multiplot\n",
          g);
    fig_end(R);
}

/* One figure per run: four panels over a shared time axis. */
static void fig_run(report *R, int i, const run_data *d)
{
    const sim_summary_row *s = &R->sum[i];
    char title[256];
    snprintf(title, sizeof title, "Run %s (%s)", s->run, s->kind);
    fig_begin(R, R->figstem[i], title, i, 1400, 1500);
    FILE *g = R->gp;
    char ts[128], tf[128], act[128];
    snprintf(ts, sizeof ts, "'data/%s.dat'", R->base[i]);
    snprintf(act, sizeof act, "'data/%s_actions.dat'", R->base[i]);
    char t[1400];
    snprintf(t, sizeof t, "%s - run %s (kind %s): total cost %.4g, p95 %.1f ms, "
                          "SLO violation %.3g%%%s",
             R->name, s->run, s->kind, s->cost_total, s->p95 * 1e3, s->slo_violation_pct,
             d->bucketed ? " - long series: lines are bucket means, shading the min-max" : "");
    fprintf(g, "U = %g  # seconds per unit of the time axis\n", R->tu);
    fputs("set multiplot layout 4,1 title ", g);
    gq(g, t);
    fputs(" font ',12'\n", g);
    fprintf(g, "set lmargin at screen 0.07\nset rmargin at screen 0.82\n"
               "set key outside right top Left reverse samplen 2 font ',9'\n"
               "set xrange [0:%g]\nset xlabel 'time (%s)'\n",
            R->duration / R->tu, R->tu_label);
    const char *fill = "with filledcurves fs transparent solid 0.22 noborder";

    /* panel 1: load, forecast and capacity */
    fputs("set title 'arrival rate, forecast and capacity'\nset ylabel 'requests/s'\n"
          "set yrange [0:*]\nplot ", g);
    if (d->bucketed)
        fprintf(g, "%s using ($1/U):%d:%d %s lc rgb '" C_RATE "' title 'rate min-max', \\\n     ",
                ts, TSC("rate_min"), TSC("rate_max"), fill);
    fprintf(g, "%s using ($1/U):%d with lines lw 1.5 lc rgb '" C_RATE "' title 'arrival rate'",
            ts, TSC("rate"));
    if (d->has_interval)
        fprintf(g, ", \\\n     %s using ($1/U):%d:%d %s lc rgb '" C_FC "' "
                   "title 'forecast interval'",
                ts, TSC("lo_min"), TSC("hi_max"), fill);
    if (d->has_forecast)
        fprintf(g, ", \\\n     %s using ($1/U):%d with lines lw 1.2 lc rgb '" C_FC "' "
                   "title 'forecast'",
                ts, TSC("forecast"));
    for (int k = 0; k < R->ntier; k++) {
        snprintf(tf, sizeof tf, "'data/%s_tier%d.dat'", R->base[i], k + 1);
        const char *c = tier_colour[k % NTIERCOL];
        fprintf(g, ", \\\n     %s using ($1/U):%d with steps lw 1.5 lc rgb '%s' title ", tf,
                TRC("cap_ready"), c);
        char lt[SIM_STR + 40];
        snprintf(lt, sizeof lt, "%s%scapacity (ready)", R->ntier > 1 ? R->tiers[k].name : "",
                 R->ntier > 1 ? " " : "");
        gq(g, lt);
        fprintf(g, ", \\\n     %s using ($1/U):%d with steps dt 2 lc rgb '%s' title ", tf,
                TRC("cap_all"), c);
        snprintf(lt, sizeof lt, "%s%scapacity (ready + booting)",
                 R->ntier > 1 ? R->tiers[k].name : "", R->ntier > 1 ? " " : "");
        gq(g, lt);
    }
    fputc('\n', g);

    /* panel 2: instances per tier and the scaling actions */
    fputs("set title 'instances per tier and scaling actions'\nset ylabel 'instances'\n"
          "set yrange [0:*]\nplot ", g);
    for (int k = 0; k < R->ntier; k++) {
        snprintf(tf, sizeof tf, "'data/%s_tier%d.dat'", R->base[i], k + 1);
        const char *c = tier_colour[k % NTIERCOL];
        char pre[SIM_STR + 2] = "";
        if (R->ntier > 1)
            snprintf(pre, sizeof pre, "%s ", R->tiers[k].name);
        char lt[SIM_STR + 40];
        if (k > 0)
            fputs(", \\\n     ", g);
        if (d->bucketed)
            fprintf(g, "%s using ($1/U):%d:%d %s lc rgb '%s' notitle, \\\n     ", tf,
                    TRC("ready_min"), TRC("ready_max"), fill, c);
        fprintf(g, "%s using ($1/U):%d with steps lw 1.8 lc rgb '%s' title ", tf, TRC("ready"),
                c);
        snprintf(lt, sizeof lt, "%sready", pre);
        gq(g, lt);
        fprintf(g, ", \\\n     %s using ($1/U):%d with steps dt 2 lc rgb '%s' title ", tf,
                TRC("ready_booting"), c);
        snprintf(lt, sizeof lt, "%sready + booting", pre);
        gq(g, lt);
        fprintf(g, ", \\\n     %s using ($1/U):%d with lines dt 3 lw 1.5 lc rgb '#555555' "
                   "title ", tf, TRC("demand"));
        snprintf(lt, sizeof lt, "%sneeded for the SLO", pre);
        gq(g, lt);
        /* actions at the count they set: up and down triangles; an
         * evaluation held back (cooldown, bounds) as a cross at the count
         * the policy wanted */
        char sel[32] = "1"; /* one tier: every action is its own */
        if (R->ntier > 1)
            snprintf(sel, sizeof sel, "$2==%d", k + 1);
        /* months of actions would bury the lines: smaller marks, and no
         * held-back ones, past a few hundred */
        int many = d->nactions > 400;
        const char *ps = many ? "0.4" : "1.1";
        if (d->act_up)
            fprintf(g, ", \\\n     %s using ($1/U):(%s && $6>0 ? $5 : NaN) with points pt 9 "
                       "ps %s lc rgb '#2ca02c' title '%sscale up'", act, sel, ps, pre);
        if (d->act_down)
            fprintf(g, ", \\\n     %s using ($1/U):(%s && $6<0 ? $5 : NaN) with points pt 11 "
                       "ps %s lc rgb '" C_RED "' title '%sscale down'", act, sel, ps, pre);
        if (d->act_held && !many)
            fprintf(g, ", \\\n     %s using ($1/U):(%s && $6==0 && $4!=$3 ? $4 : NaN) with "
                       "points pt 2 ps 0.5 lc rgb '#999999' title '%sheld back (wanted)'",
                    act, sel, pre);
    }
    fputc('\n', g);

    /* panel 3: latency against the SLO, log scale (overload is 100x) */
    char slo[128];
    slo_text(R, slo, sizeof slo);
    fputs("set title 'end-to-end response time percentiles'\nset ylabel 'response time (ms)'\n",
          g);
    if (d->has_latency)
        fputs("set logscale y\nset yrange [*:*]\n", g);
    fputs("plot ", g);
    if (d->bucketed)
        fprintf(g, "%s using ($1/U):($%d*1000):($%d*1000) %s lc rgb '" C_FC "' "
                   "title 'p95 min-max', \\\n     ",
                ts, TSC("p95_min_s"), TSC("p95_max_s"), fill);
    fprintf(g, "%s using ($1/U):($%d > 0 ? $%d*1000 : NaN) with lines lc rgb '#2ca02c' "
               "title 'p50', \\\n     ", ts, TSC("p50_s"), TSC("p50_s"));
    fprintf(g, "%s using ($1/U):($%d > 0 ? $%d*1000 : NaN) with lines lw 1.5 lc rgb '" C_FC "' "
               "title 'p95', \\\n     ", ts, TSC("p95_s"), TSC("p95_s"));
    fprintf(g, "%s using ($1/U):($%d > 0 ? $%d*1000 : NaN) with lines lc rgb '#9467bd' "
               "title 'p99', \\\n     ", ts, TSC("p99_s"), TSC("p99_s"));
    fprintf(g, "%g with lines dt 2 lw 2 lc rgb '" C_RED "' title ", R->slo * 1e3);
    gq(g, slo);
    fputs("\nunset logscale y\n", g);

    /* panel 4: cost */
    fputs("set key inside top left Left reverse opaque box lc rgb '#cccccc'\n", g);
    fputs("set title 'cost'\nset ylabel 'cumulative infra cost (price units)'\n"
          "set y2label 'cost rate (price units per hour)'\nset ytics nomirror\nset y2tics\n"
          "set yrange [0:*]\nset y2range [0:*]\n",
          g);
    fprintf(g, "plot %s using ($1/U):%d with lines lw 2 lc rgb '" C_RATE "' "
               "title 'cumulative infrastructure cost', \\\n     "
               "%s using ($1/U):%d axes x1y2 with steps lc rgb '#7f7f7f' title 'cost rate'\n",
            ts, TSC("cost"), ts, TSC("cost_rate_per_h"));
    fputs("unset multiplot\n", g);
    fig_end(R);
}

/* ---------------------------------------------------------------------
 * gnuplot
 * --------------------------------------------------------------------- */

/* First line of gnuplot's output that carries an error ("line N: ..."
 * and not a warning), else its first non-blank line. */
static void first_error(const char *log, char *buf, size_t n)
{
    const char *best = NULL;
    for (const char *p = log; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *q = p;
        while (q < p + len && (*q == ' ' || *q == '\t'))
            q++;
        if (q < p + len) {
            if (best == NULL)
                best = q;
            /* the error, not a warning that came before it */
            int warn = strncmp(q, "Warning", 7) == 0 || strstr(q, "warning:") != NULL;
            if (!warn && (strncmp(q, "line ", 5) == 0 || strstr(q, "rror") != NULL)) {
                best = q;
                break;
            }
        }
        p = e ? e + 1 : NULL;
    }
    if (best == NULL) {
        snprintf(buf, n, "(no message)");
        return;
    }
    const char *e = strchr(best, '\n');
    snprintf(buf, n, "%.*s", (int)(e ? e - best : (long)strlen(best)), best);
}

/* Run gnuplot in dir with the script on its stdin. Its stdout and
 * stderr go to a temporary file, kept as gnuplot.log when not empty. */
int plot_gnuplot(const char *dir, const char *script, size_t len, const char *rerun,
                 const char *prog, int *warnings, as_err *err)
{
    *warnings = 0;
    FILE *log = tmpfile();
    if (log == NULL)
        return as_err_set(err, AS_EIO, "cannot create a temporary file: %s", strerror(errno));
    int in[2], ex[2];
    if (pipe2(in, O_CLOEXEC) != 0) {
        fclose(log);
        return as_err_set(err, AS_EIO, "pipe: %s", strerror(errno));
    }
    /* ex reports a failed chdir/exec from the child: it closes on a
     * successful exec (O_CLOEXEC), so reading 0 bytes means "running" */
    if (pipe2(ex, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        fclose(log);
        return as_err_set(err, AS_EIO, "pipe: %s", strerror(errno));
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(in[0]);
        close(in[1]);
        close(ex[0]);
        close(ex[1]);
        fclose(log);
        return as_err_set(err, AS_EIO, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        /* child: only async-signal-safe calls until exec */
        int what[2] = {0, 0};
        if (dup2(in[0], 0) < 0 || dup2(fileno(log), 1) < 0 || dup2(fileno(log), 2) < 0)
            what[0] = 1;
        else if (chdir(dir) != 0)
            what[0] = 2;
        else {
            char *argv[] = {(char *)prog, NULL};
            execvp(prog, argv);
            what[0] = 3;
        }
        what[1] = errno;
        ssize_t wr = write(ex[1], what, sizeof what);
        (void)wr;
        _exit(127);
    }
    close(in[0]);
    close(ex[1]);
    int what[2];
    ssize_t got;
    do
        got = read(ex[0], what, sizeof what);
    while (got < 0 && errno == EINTR);
    close(ex[0]);
    if (got == (ssize_t)sizeof what) {
        close(in[1]);
        waitpid(pid, NULL, 0);
        fclose(log);
        if (what[0] == 3)
            return as_err_set(err, AS_ENOTFOUND,
                              "cannot run '%s': %s (install gnuplot, e.g. apt-get install "
                              "gnuplot-nox; the data and %s are in %s)",
                              prog, strerror(what[1]), rerun, dir);
        return as_err_set(err, AS_EIO, "cannot start gnuplot in %s: %s", dir,
                          strerror(what[1]));
    }
    /* a gnuplot that dies early must give us EPIPE, not kill the process
     * with SIGPIPE; the old action is restored right after */
    struct sigaction ign = {0}, old;
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old);
    const char *p = script;
    size_t left = len;
    int wrote_all = 1;
    while (left > 0) {
        ssize_t w = write(in[1], p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            wrote_all = 0;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    close(in[1]);
    sigaction(SIGPIPE, &old, NULL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    /* read what gnuplot said */
    fflush(log);
    long sz = ftell(log) >= 0 ? (fseek(log, 0, SEEK_END), ftell(log)) : 0;
    char *text = calloc((size_t)(sz > 0 ? sz : 0) + 1, 1);
    if (text != NULL && sz > 0) {
        rewind(log);
        size_t r = fread(text, 1, (size_t)sz, log);
        text[r] = '\0';
    }
    fclose(log);
    char logpath[1100];
    snprintf(logpath, sizeof logpath, "%s/gnuplot.log", dir);
    if (text != NULL && text[0] != '\0') {
        for (const char *c = text; *c; c++)
            *warnings += *c == '\n';
        FILE *lf = fopen(logpath, "w");
        if (lf != NULL) {
            fputs(text, lf);
            fclose(lf);
        }
    } else {
        unlink(logpath); /* a stale log of an earlier report would mislead */
    }
    int rc = AS_OK;
    char first[256];
    first_error(text ? text : "", first, sizeof first);
    if (WIFSIGNALED(status))
        rc = as_err_set(err, AS_EIO, "gnuplot was killed by signal %d (%s); see %s",
                        WTERMSIG(status), first, logpath);
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        rc = as_err_set(err, AS_EIO,
                        "gnuplot failed (exit %d): %s; all output in %s, rerun with: "
                        "cd %s && gnuplot %s",
                        WEXITSTATUS(status), first, logpath, dir, rerun);
    else if (!wrote_all)
        rc = as_err_set(err, AS_EIO, "gnuplot stopped reading its script: %s", first);
    free(text);
    return rc;
}

/* ---------------------------------------------------------------------
 * index.html
 * --------------------------------------------------------------------- */

static void html(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
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

static void html_fig(FILE *f, const figure *fg)
{
    fputs("<figure><a href=\"", f);
    html(f, fg->file);
    fputs("\"><img src=\"", f);
    html(f, fg->file);
    fputs("\" alt=\"", f);
    html(f, fg->title);
    fputs("\"></a><figcaption>", f);
    html(f, fg->title);
    fputs("</figcaption></figure>\n", f);
}

static int write_index(report *R, as_err *err)
{
    FILE *f = open_out(R, "index.html", err);
    if (f == NULL)
        return AS_EIO;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", f);
    html(f, R->name);
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
    html(f, R->name);
    fputs("</h1>\n<p>", f);
    html(f, R->desc);
    fputs("</p>\n<p class=\"meta\">results file <code>", f);
    html(f, R->h5);
    fprintf(f, "</code>, %d run%s, %g h simulated", R->nrun, R->nrun == 1 ? "" : "s",
            R->duration / 3600);
    if (R->model[0]) {
        fputs(", model ", f);
        html(f, R->model);
    }
    if (R->overrides[0]) {
        fputs(", overrides <code>", f);
        html(f, R->overrides);
        fputs("</code>", f);
    }
    if (R->created[0]) {
        fputs(", created ", f);
        html(f, R->created);
    }
    fprintf(f, ". SLO: p%g response time &le; %g ms.</p>\n", R->slo_pct, R->slo * 1e3);

    /* the cheapest run meeting the SLO, as simrun's table names it */
    int best = -1;
    for (int i = 0; i < R->nrun; i++)
        if (R->sum[i].meets_slo && (best < 0 || R->sum[i].cost_total < R->sum[best].cost_total))
            best = i;
    fputs("<h2>Summary</h2>\n<table>\n<tr><th class=\"l\">run</th><th class=\"l\">kind</th>"
          "<th>total cost</th><th>infra</th><th>penalty</th><th>SLO violation (s)</th>"
          "<th>violation (%)</th><th>meets SLO</th><th>p50 (ms)</th><th>p95 (ms)</th>"
          "<th>p99 (ms)</th><th>mean inst.</th><th>peak inst.</th><th>actions</th>"
          "<th>Pareto</th></tr>\n",
          f);
    for (int i = 0; i < R->nrun; i++) {
        const sim_summary_row *s = &R->sum[i];
        fprintf(f, "<tr class=\"%s\"><td class=\"l\">",
                i == best ? "best" : s->meets_slo ? "" : "bad");
        if (R->drawn[i])
            fprintf(f, "<a href=\"#run-%d\">", i + 1);
        html(f, s->run);
        fputs(R->drawn[i] ? "</a>" : "", f);
        fputs("</td><td class=\"l\">", f);
        html(f, s->kind);
        fputs("</td><td>", f);
        html_num(f, "%.4g", s->cost_total);
        fputs("</td><td>", f);
        html_num(f, "%.4g", s->cost_infra);
        fputs("</td><td>", f);
        html_num(f, "%.4g", s->cost_penalty);
        fputs("</td><td>", f);
        html_num(f, "%.0f", s->slo_violation_s);
        fputs("</td><td>", f);
        html_num(f, "%.3g", s->slo_violation_pct);
        fprintf(f, "</td><td class=\"slo\">%s</td><td>", s->meets_slo ? "yes" : "no");
        html_num(f, "%.1f", s->p50 * 1e3);
        fputs("</td><td>", f);
        html_num(f, "%.1f", s->p95 * 1e3);
        fputs("</td><td>", f);
        html_num(f, "%.1f", s->p99 * 1e3);
        fputs("</td><td>", f);
        html_num(f, "%.2f", s->mean_instances);
        fputs("</td><td>", f);
        html_num(f, "%.0f", s->peak_instances);
        fprintf(f, "</td><td>%d</td><td>%s</td></tr>\n", s->actions, R->pareto[i] ? "&#9679;" : "");
    }
    fputs("</table>\n", f);
    if (best >= 0) {
        fputs("<p>Cheapest run meeting the SLO (highlighted): <b>", f);
        html(f, R->sum[best].run);
        fputs("</b>. Pareto: no other run is both cheaper and faster (p95).</p>\n", f);
    } else {
        fputs("<p>No run meets the SLO.</p>\n", f);
    }

    if (R->format == PLOT_PDF) {
        fprintf(f, "<h2>Figures</h2>\n<p>All %d figures are pages of <a href=\"report.pdf\">"
                   "report.pdf</a>.</p>\n<object data=\"report.pdf\" type=\"application/pdf\" "
                   "width=\"100%%\" height=\"900\"><a href=\"report.pdf\">report.pdf</a></object>\n",
                R->nfig);
    } else {
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
                html(f, R->sum[R->figs[k].run].run);
                fputs("</a> ", f);
            }
        fputs("</p>\n", f);
        for (int k = 0; k < R->nfig; k++)
            if (R->figs[k].run >= 0) {
                fprintf(f, "<h3 id=\"run-%d\">", R->figs[k].run + 1);
                html(f, R->figs[k].title);
                fputs("</h3>\n", f);
                html_fig(f, &R->figs[k]);
            }
    }
    for (int i = 0; i < R->nrun; i++)
        if (!R->drawn[i]) {
            fputs("<p>Run ", f);
            html(f, R->sum[i].run);
            fputs(" has fewer than two records: no figure.</p>\n", f);
        }
    fputs("<p class=\"meta\">Data of every figure: <code>data/*.dat</code>; redraw with "
          "<code>gnuplot report.gp</code> in this folder.</p>\n</body></html>\n",
          f);
    return close_out(f, R, "index.html", err);
}

/* ---------------------------------------------------------------------
 * Entry points
 * --------------------------------------------------------------------- */

static void report_free(report *R)
{
    sim_reader_close(R->rd);
    free(R->sum);
    free(R->tiers);
    free(R->pareto);
    free(R->kind);
    free(R->kinds);
    free(R->base);
    free(R->figstem);
    free(R->drawn);
    free(R->figs);
    if (R->gp != NULL)
        fclose(R->gp);
    free(R->gpbuf);
}

/* Read what every figure needs; fills R. */
static int report_load(report *R, as_err *err)
{
    int rc;
    if ((R->rd = sim_reader_open(R->h5, err)) == NULL)
        return AS_EINVAL;
    if ((rc = sim_reader_attr(R->rd, "scenario_name", R->name, sizeof R->name, 0, err)) ||
        (rc = sim_reader_attr(R->rd, "description", R->desc, sizeof R->desc, 1, err)) ||
        (rc = sim_reader_attr(R->rd, "created", R->created, sizeof R->created, 1, err)) ||
        (rc = sim_reader_attr(R->rd, "model", R->model, sizeof R->model, 1, err)) ||
        (rc = sim_reader_attr(R->rd, "overrides", R->overrides, sizeof R->overrides, 1, err)) ||
        (rc = sim_reader_attr_f64(R->rd, "slo_latency_s", &R->slo, 0, 0, err)) ||
        (rc = sim_reader_attr_f64(R->rd, "slo_percentile", &R->slo_pct, 1, 95, err)) ||
        (rc = sim_reader_attr_f64(R->rd, "duration_s", &R->duration, 1, 0, err)) ||
        (rc = sim_reader_summary(R->rd, &R->sum, &R->nrun, err)) ||
        (rc = sim_reader_tiers(R->rd, &R->tiers, &R->ntier, err)))
        return rc == AS_ENOMEM ? rc : AS_EINVAL;
    /* slo_percentile is stored as a fraction (0.95) or a percentage */
    if (R->slo_pct > 0 && R->slo_pct <= 1)
        R->slo_pct *= 100;
    if (R->nrun == 0)
        return as_err_set(err, AS_EINVAL, "%s: no completed runs in /summary", R->h5);
    size_t n = (size_t)R->nrun;
    R->pareto = calloc(n, sizeof *R->pareto);
    R->kind = calloc(n, sizeof *R->kind);
    R->kinds = calloc(n, sizeof *R->kinds);
    R->base = calloc(n, sizeof *R->base);
    R->figstem = calloc(n, sizeof *R->figstem);
    R->drawn = calloc(n, sizeof *R->drawn);
    R->figs = calloc(n + 2, sizeof *R->figs);
    if (!R->pareto || !R->kind || !R->kinds || !R->base || !R->figstem || !R->drawn || !R->figs)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    for (int i = 0; i < R->nrun; i++) {
        const sim_summary_row *s = &R->sum[i];
        int k = 0;
        while (k < R->nkind && strcmp(R->kinds[k], s->kind) != 0)
            k++;
        if (k == R->nkind)
            snprintf(R->kinds[R->nkind++], SIM_STR, "%s", s->kind);
        R->kind[i] = k;
        /* not dominated: no other run at most as costly and as slow, and
         * better in one of the two */
        int dom = !isfinite(s->cost_total) || !isfinite(s->p95);
        for (int j = 0; j < R->nrun && !dom; j++) {
            const sim_summary_row *o = &R->sum[j];
            if (j != i && o->cost_total <= s->cost_total && o->p95 <= s->p95 &&
                (o->cost_total < s->cost_total || o->p95 < s->p95))
                dom = 1;
        }
        R->pareto[i] = !dom;
        char sn[SIM_STR];
        sanitize(sn, sizeof sn, s->run);
        snprintf(R->base[i], sizeof R->base[i], "run%02d", i + 1);
        snprintf(R->figstem[i], sizeof R->figstem[i], "run%02d_%s", i + 1, sn);
    }
    if (!(R->duration > 0)) { /* older files: the last time stamp of the first run */
        sim_ts_row *ts = NULL;
        size_t m = 0;
        if (sim_reader_timeseries(R->rd, R->sum[0].run, &ts, &m, NULL) == AS_OK && m > 0)
            R->duration = ts[m - 1].t;
        free(ts);
        if (!(R->duration > 0))
            R->duration = 1;
    }
    /* the time axis in the unit that gives readable numbers */
    if (R->duration <= 3 * 3600.0) {
        R->tu = 60;
        R->tu_label = "min";
    } else if (R->duration <= 4 * 86400.0) {
        R->tu = 3600;
        R->tu_label = "h";
    } else {
        R->tu = 86400;
        R->tu_label = "days";
    }
    return AS_OK;
}

int plot_report_default_dir(const char *h5path, char *buf, size_t n, as_err *err)
{
    sim_reader *rd = sim_reader_open(h5path, err);
    if (rd == NULL)
        return AS_EINVAL;
    char name[256], safe[256];
    int rc = sim_reader_attr(rd, "scenario_name", name, sizeof name, 0, err);
    sim_reader_close(rd);
    if (rc != AS_OK)
        return AS_EINVAL;
    sanitize(safe, sizeof safe, name);
    snprintf(buf, n, "reports/%s", safe);
    return AS_OK;
}

int plot_report_ex(const char *h5path, const char *outdir, const plot_report_opts *opts,
                   plot_report_info *info, as_err *err)
{
    plot_report_opts dflt = {PLOT_PNG, NULL, 0};
    if (opts == NULL)
        opts = &dflt;
    report R = {0};
    R.h5 = h5path;
    R.format = opts->format;
    R.maxpts = opts->max_points ? opts->max_points : PLOT_MAX_POINTS;
    if (R.maxpts < 4)
        R.maxpts = 4;
    int rc = report_load(&R, err);
    if (rc == AS_OK) {
        if (outdir != NULL)
            snprintf(R.dir, sizeof R.dir, "%s", outdir);
        else {
            char safe[256];
            sanitize(safe, sizeof safe, R.name);
            snprintf(R.dir, sizeof R.dir, "reports/%s", safe);
        }
        char data[1100];
        snprintf(data, sizeof data, "%s/data", R.dir);
        rc = mkdir_p(data, err);
    }
    if (rc == AS_OK) {
        R.gp = open_memstream(&R.gpbuf, &R.gplen);
        if (R.gp == NULL)
            rc = as_err_set(err, AS_ENOMEM, "out of memory");
    }
    if (rc == AS_OK)
        rc = write_summary_data(&R, err);
    if (rc == AS_OK) {
        FILE *g = R.gp;
        fputs("# report.gp - written by simrun report; redraw the figures with\n"
              "#   cd <this folder> && gnuplot report.gp\n", g);
        fputs("# results file: ", g);
        fputs(h5path, g);
        fprintf(g, "\n# data: data/*.dat (SI units: s, requests/s; the header line of each "
                   "file names its columns)\n# series longer than %zu rows are per-bucket "
                   "mean/min/max\n", R.maxpts);
        if (R.format == PLOT_PDF)
            fputs("set terminal pdfcairo size 11in,8.5in font 'sans,9' noenhanced\n"
                  "set output 'report.pdf'\n", g);
        rc = fig_cost_latency(&R, err);
        if (rc == AS_OK)
            fig_summary(&R);
    }
    for (int i = 0; rc == AS_OK && i < R.nrun; i++) {
        run_data d;
        rc = write_run_data(&R, i, &d, err);
        if (rc == AS_EINVAL || rc == AS_ENOTFOUND)
            rc = AS_EINVAL;
        if (rc == AS_OK && d.rows >= 2) {
            fig_run(&R, i, &d);
            R.drawn[i] = 1;
        }
    }
    if (rc == AS_OK) {
        if (R.format == PLOT_PDF)
            fputs("\nunset output\n", R.gp);
        if (fflush(R.gp) != 0)
            rc = as_err_set(err, AS_ENOMEM, "out of memory");
    }
    if (rc == AS_OK) {
        FILE *f = open_out(&R, "report.gp", err);
        if (f == NULL)
            rc = AS_EIO;
        else {
            fwrite(R.gpbuf, 1, R.gplen, f);
            rc = close_out(f, &R, "report.gp", err);
        }
    }
    if (rc == AS_OK)
        rc = write_index(&R, err);
    int warnings = 0;
    if (rc == AS_OK)
        rc = plot_gnuplot(R.dir, R.gpbuf, R.gplen, "report.gp",
                          opts->gnuplot ? opts->gnuplot : "gnuplot", &warnings, err);
    if (rc == AS_OK && info != NULL) {
        info->figures = R.format == PLOT_PDF ? 1 : R.nfig;
        info->pages = R.nfig;
        info->runs = R.nrun;
        info->warnings = warnings;
        snprintf(info->outdir, sizeof info->outdir, "%s", R.dir);
    }
    report_free(&R);
    return rc;
}

int plot_report(const char *h5path, const char *outdir, int format, as_err *err)
{
    plot_report_opts o = {format, NULL, 0};
    return plot_report_ex(h5path, outdir, &o, NULL, err);
}
