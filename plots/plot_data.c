/* plot_data.c - the report's data: reads the results file into plot_rep
 * and writes what every figure draws to .dat files in data/ (whitespace
 * columns, a header comment naming each).
 *
 * Names are checked on read (as_name_check): run, kind, tier and action
 * reason of a results file go into file names, the script and the page,
 * and a results file is often someone else's (attached to a ticket,
 * downloaded from CI). A file with another name is refused, naming the
 * file and the name, before anything is written.
 *
 * Scale: a series longer than maxpts rows (months of minutes) is cut into
 * maxpts/2 buckets and each bucket written as mean, min and max, drawn as
 * a line inside a shaded min-max envelope: a 30-second latency spike in a
 * month of data still shows, which taking every k-th row would lose. The
 * Pareto front is a sort and one sweep, O(n log n), for sweeps of 1e5 runs. */
#include "plot_int.h"

#include "as_kind.h"
#include "as_name.h"
#include "as_policy.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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

/* 1-based gnuplot column of `name` in cols (the script is generated from
 * the same table that writes the data, so they cannot drift apart). */
static int col_of(const env_col *cols, int nc, const char *name)
{
    for (int i = 0; i < nc; i++)
        if (strcmp(cols[i].name, name) == 0)
            return i + 1;
    return 0; /* a typo here is a programmer error: gnuplot says "column 0" */
}

int plot_ts_col(const char *name) { return col_of(ts_env, NTS, name); }
int plot_tier_col(const char *name) { return col_of(tier_env, NTIER_ENV, name); }

void plot_put_num(FILE *f, double v)
{
    /* gnuplot reads "NaN" as missing (set datafile missing 'NaN') */
    if (isfinite(v))
        fprintf(f, " %.9g", v);
    else
        fputs(" NaN", f);
}

/* Reduce rows [lo, hi) of column c to one value; NaN is skipped (a
 * forecast may be missing in some rows only). */
static double reduce(const double *m, size_t lo, size_t hi, size_t stride, const env_col *c)
{
    double acc = NAN;
    size_t k = 0;
    for (size_t i = lo; i < hi; i++) {
        double v = m[i * stride + (size_t)c->src];
        if (!isfinite(v))
            continue;
        if (k++ == 0) {
            acc = v;
            continue;
        }
        switch (c->agg) {
        case A_MEAN:
        case A_SUM: acc += v; break;
        case A_MIN: acc = v < acc ? v : acc; break;
        case A_MAX: acc = v > acc ? v : acc; break;
        default: acc = v; break; /* A_LAST */
        }
    }
    if (c->agg == A_MEAN && k > 0)
        acc /= (double)k;
    return acc;
}

/* Write n rows (stride doubles each) as n lines, or maxpts/2 bucket lines
 * when n > maxpts. Returns 1 when the rows were bucketed. */
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
        for (int c = 0; c < nc; c++)
            plot_put_num(f, reduce(m, lo, hi, stride, &cols[c]));
        fputc('\n', f);
    }
    return n > maxpts;
}

int plot_write_rows(FILE *f, const double *m, size_t n, size_t stride, int ts, size_t maxpts)
{
    return ts ? write_env(f, m, n, stride, ts_env, NTS, maxpts)
              : write_env(f, m, n, stride, tier_env, NTIER_ENV, maxpts);
}

/* ---------------------------------------------------------------------
 * Per run: time series, tiers, actions
 * --------------------------------------------------------------------- */

/* The ranges the run's panels need, from every row (not the buckets). */
static void series_ranges(const sim_ts_row *ts, size_t n, plot_run_data *d)
{
    d->lat_min = INFINITY;
    for (size_t k = 0; k < n; k++) {
        d->has_forecast |= isfinite(ts[k].forecast);
        d->has_interval |= isfinite(ts[k].lo) && isfinite(ts[k].hi);
        const double lat[] = {ts[k].p50, ts[k].p95, ts[k].p99};
        for (int j = 0; j < 3; j++)
            if (lat[j] > 0 && isfinite(lat[j])) {
                d->has_latency = 1;
                d->lat_min = fmin(d->lat_min, lat[j]);
                d->lat_max = fmax(d->lat_max, lat[j]);
            }
        d->rate_max = fmax(d->rate_max, isfinite(ts[k].rate) ? ts[k].rate : 0);
        if (isfinite(ts[k].hi))
            d->rate_max = fmax(d->rate_max, ts[k].hi);
        if (isfinite(ts[k].cost))
            d->cost_max = fmax(d->cost_max, ts[k].cost);
        if (isfinite(ts[k].cost_rate))
            d->cost_rate_max = fmax(d->cost_rate_max, ts[k].cost_rate);
    }
}

/* data/runNN_zoom.dat: the rows of the run's zoom window, at full
 * resolution unless the window itself is long. */
static int zoom_series(plot_rep *R, int i, const sim_ts_row *ts, size_t n, plot_run_data *d,
                       as_err *err)
{
    size_t lo = 0, hi = 0;
    plot_zoom_rows(&ts[0].t, n, sizeof *ts / sizeof(double), &R->zoom[i], &lo, &hi);
    char rel[128];
    snprintf(rel, sizeof rel, "data/%s_zoom.dat", R->base[i]);
    FILE *f = plot_outdir_fopen(&R->out, rel, err);
    if (f == NULL)
        return AS_EIO;
    fprintf(f, "# run %s: rows %zu to %zu of /runs/%s/timeseries (the zoom window %g s to %g "
               "s)\n", R->sum[i].run, lo + 1, hi, R->sum[i].run, R->zoom[i].t0, R->zoom[i].t1);
    d->zoom_rows = hi - lo;
    d->zoom_bucketed = plot_write_rows(f, (const double *)(ts + lo), hi - lo,
                                       sizeof *ts / sizeof(double), 1, R->maxpts);
    return plot_outdir_fclose(&R->out, f, rel, err);
}

static int run_series(plot_rep *R, int i, plot_run_data *d, as_err *err)
{
    const char *run = R->sum[i].run;
    sim_ts_row *ts = NULL;
    size_t n = 0;
    int rc = sim_reader_timeseries(R->rd, run, &ts, &n, err);
    if (rc != AS_OK)
        return rc;
    d->rows = n;
    series_ranges(ts, n, d);
    plot_zoom *z = &R->zoom[i];
    if (R->opts && R->opts->window) {
        z->t0 = fmax(0, R->opts->window_start);
        z->t1 = fmin(R->duration, R->opts->window_end);
        z->on = z->t1 > z->t0;
        char a[32], b[32];
        snprintf(z->why, sizeof z->why, "--window %s to %s", plot_fmt_span(z->t0, a, sizeof a),
                 plot_fmt_span(z->t1, b, sizeof b));
    } else {
        plot_zoom_pick(ts, n, R->duration, R->slo, z);
    }
    char rel[128];
    snprintf(rel, sizeof rel, "data/%s.dat", R->base[i]);
    FILE *f = plot_outdir_fopen(&R->out, rel, err);
    if (f == NULL) {
        free(ts);
        return AS_EIO;
    }
    fprintf(f, "# run %s (kind %s): /runs/%s/timeseries of %s, %zu rows%s\n", run,
            R->sum[i].kind, run, R->h5q, n, n > R->maxpts ? ", as per-bucket mean/min/max" : "");
    d->bucketed = write_env(f, (const double *)ts, n, sizeof *ts / sizeof(double), ts_env, NTS,
                            R->maxpts);
    rc = plot_outdir_fclose(&R->out, f, rel, err);
    if (rc == AS_OK && z->on)
        rc = zoom_series(R, i, ts, n, d, err);
    free(ts);
    return rc;
}

static int run_tier(plot_rep *R, int i, int k, plot_run_data *d, as_err *err)
{
    const char *run = R->sum[i].run;
    const sim_tier_info *ti = &R->tiers[k];
    sim_tier_row *tr = NULL;
    size_t m = 0;
    int rc = sim_reader_tier_series(R->rd, run, ti->name, &tr, &m, err);
    if (rc != AS_OK)
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
                          tr[j].demand, tr[j].ready * per, (tr[j].ready + tr[j].booting) * per,
                          tr[j].utilization, tr[j].dropped};
        if (isfinite(pt[j].all))
            d->inst_max = fmax(d->inst_max, fmax(pt[j].all, isfinite(pt[j].demand) ? pt[j].demand : 0));
        if (isfinite(pt[j].cap_all))
            d->rate_max = fmax(d->rate_max, pt[j].cap_all);
    }
    if (isfinite(ti->max)) /* the tier's bound is drawn: keep it inside */
        d->inst_max = fmax(d->inst_max, ti->max);
    free(tr);
    char rel[128];
    snprintf(rel, sizeof rel, "data/%s_tier%d.dat", R->base[i], k + 1);
    FILE *f = plot_outdir_fopen(&R->out, rel, err);
    if (f == NULL) {
        free(pt);
        return AS_EIO;
    }
    fprintf(f, "# run %s, tier %s: concurrency %g, service time %g s, visits %g -> "
               "%g req/s per instance\n",
            run, ti->name, ti->concurrency, ti->service_time_s, ti->visits, per);
    write_env(f, (const double *)pt, m, sizeof *pt / sizeof(double), tier_env, NTIER_ENV,
              R->maxpts);
    int rc2 = plot_outdir_fclose(&R->out, f, rel, err);
    if (rc2 == AS_OK && R->zoom[i].on) {
        size_t lo = 0, hi = 0;
        plot_zoom_rows(&pt[0].t, m, sizeof *pt / sizeof(double), &R->zoom[i], &lo, &hi);
        snprintf(rel, sizeof rel, "data/%s_tier%d_zoom.dat", R->base[i], k + 1);
        if ((f = plot_outdir_fopen(&R->out, rel, err)) == NULL)
            rc2 = AS_EIO;
        else {
            write_env(f, (const double *)(pt + lo), hi - lo, sizeof *pt / sizeof(double),
                      tier_env, NTIER_ENV, R->maxpts);
            rc2 = plot_outdir_fclose(&R->out, f, rel, err);
        }
    }
    free(pt);
    return rc2;
}

/* Actions are events, not a sampled series: all of them are kept. */
static int run_actions(plot_rep *R, int i, plot_run_data *d, as_err *err)
{
    const char *run = R->sum[i].run;
    sim_action_row *ac = NULL;
    size_t na = 0;
    int rc = sim_reader_actions(R->rd, run, &ac, &na, err);
    if (rc != AS_OK)
        return rc;
    for (size_t j = 0; j < na; j++)
        if (as_reason_check(ac[j].reason, err) != AS_OK) {
            free(ac);
            return as_err_prefix(err, "%s: /runs/%s/actions row %zu: reason: ", R->h5, run,
                                 j + 1);
        }
    char rel[128];
    snprintf(rel, sizeof rel, "data/%s_actions.dat", R->base[i]);
    FILE *f = plot_outdir_fopen(&R->out, rel, err);
    if (f == NULL) {
        free(ac);
        return AS_EIO;
    }
    fputs("# t_s tier(1-based) from raw to direction(1 up, -1 down, 0 held) \"reason\"\n", f);
    for (size_t j = 0; j < na; j++) {
        int dir = ac[j].to > ac[j].from ? 1 : ac[j].to < ac[j].from ? -1 : 0;
        fprintf(f, "%.9g %d %d %d %d %d \"%s\"\n", ac[j].t, ac[j].tier + 1, ac[j].from,
                ac[j].raw, ac[j].to, dir, ac[j].reason);
        int held = dir == 0 && ac[j].raw != ac[j].from;
        d->act_up += dir > 0;
        d->act_down += dir < 0;
        d->act_held += held;
        if (ac[j].tier >= 0 && ac[j].tier < PLOT_ACT_TIERS) {
            d->tier_up[ac[j].tier] += dir > 0;
            d->tier_down[ac[j].tier] += dir < 0;
            d->tier_held[ac[j].tier] += held;
        }
    }
    d->nactions = na;
    free(ac);
    return plot_outdir_fclose(&R->out, f, rel, err);
}

int plot_data_run(plot_rep *R, int i, plot_run_data *d, as_err *err)
{
    memset(d, 0, sizeof *d);
    int rc = run_series(R, i, d, err);
    for (int k = 0; rc == AS_OK && k < R->ntier; k++)
        rc = run_tier(R, i, k, d, err);
    if (rc == AS_OK)
        rc = run_actions(R, i, d, err);
    return rc;
}

/* ---------------------------------------------------------------------
 * Scenario-wide: /summary -> data/summary.dat and data/pareto.dat
 * --------------------------------------------------------------------- */

/* The run's latency at the SLO's own percentile (latency_at_p, which every
 * model writes), so that an SLO on p90 is drawn at p90, not at p95. */
double plot_slo_latency_of(const plot_rep *R, const sim_summary_row *s)
{
    (void)R;
    return s->latency_at_p;
}

const char *plot_slo_pname(const plot_rep *R) { return R->slo_pname; }

static int write_summary(plot_rep *R, as_err *err)
{
    FILE *f = plot_outdir_fopen(&R->out, "data/summary.dat", err);
    if (f == NULL)
        return AS_EIO;
    fprintf(f, "# idx \"run\" \"kind\" kind_idx cost_total cost_infra cost_penalty p50_ms p95_ms "
               "p99_ms slo_violation_s slo_violation_pct mean_instances peak_instances meets_slo "
               "pareto oracle label actions x_ms best\n# pareto: on the front of the runs that "
               "do not see the future; x_ms: the latency at the SLO's percentile (%s); best: "
               "the cheapest of them meeting the SLO\n", plot_slo_pname(R));
    for (int i = 0; i < R->nrun; i++) {
        const sim_summary_row *s = &R->sum[i];
        int label = R->nrun <= PLOT_LABEL_ALL_RUNS || R->pareto[i] || R->oracle[i];
        fprintf(f, "%d \"%s\" \"%s\" %d", i, s->run, s->kind, R->kind[i] + 1);
        const double v[] = {s->cost_total,      s->cost_infra,     s->cost_penalty,
                            s->p50 * 1e3,       s->p95 * 1e3,      s->p99 * 1e3,
                            s->slo_violation_s, s->slo_violation_pct, s->mean_instances,
                            s->peak_instances};
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            plot_put_num(f, v[k]);
        fprintf(f, " %d %d %d %d %d", s->meets_slo ? 1 : 0, R->pareto[i], R->oracle[i], label,
                s->actions);
        plot_put_num(f, plot_slo_latency_of(R, s) * 1e3);
        fprintf(f, " %d\n", i == R->best);
    }
    return plot_outdir_fclose(&R->out, f, "data/summary.dat", err);
}

/* qsort_r over run indices (arg: the rows) by (p95, index) and by (cost,
 * p95, index); the index makes the order total, so equal runs sort the
 * same everywhere. */
static int by_p95(const void *a, const void *b, void *rows)
{
    const sim_summary_row *r = rows;
    int i = *(const int *)a, j = *(const int *)b;
    double x = r[i].p95, y = r[j].p95;
    return x < y ? -1 : x > y ? 1 : (i > j) - (i < j);
}

static int by_cost_p95(const void *a, const void *b, void *rows)
{
    const sim_summary_row *r = rows;
    double x = r[*(const int *)a].cost_total, y = r[*(const int *)b].cost_total;
    if (x != y)
        return x < y ? -1 : 1;
    return by_p95(a, b, rows);
}

/* The front sorted by p95: drawn as a staircase (gnuplot "steps"), the
 * boundary of the region the front dominates. */
static int write_pareto(plot_rep *R, as_err *err)
{
    int *ord = malloc((size_t)R->nrun * sizeof *ord);
    if (ord == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    int no = 0;
    for (int i = 0; i < R->nrun; i++)
        if (R->pareto[i])
            ord[no++] = i;
    qsort_r(ord, (size_t)no, sizeof *ord, by_p95, R->xsum);
    FILE *f = plot_outdir_fopen(&R->out, "data/pareto.dat", err);
    if (f == NULL) {
        free(ord);
        return AS_EIO;
    }
    fprintf(f, "# the Pareto front of the runs that do not see the future, in (cost_total, "
               "%s), by %s: x_ms cost_total \"run\"\n", plot_slo_pname(R), plot_slo_pname(R));
    for (int a = 0; a < no; a++) {
        plot_put_num(f, plot_slo_latency_of(R, &R->sum[ord[a]]) * 1e3);
        plot_put_num(f, R->sum[ord[a]].cost_total);
        fprintf(f, " \"%s\"\n", R->sum[ord[a]].run);
    }
    free(ord);
    return plot_outdir_fclose(&R->out, f, "data/pareto.dat", err);
}

int plot_data_summary(plot_rep *R, as_err *err)
{
    int rc = write_summary(R, err);
    return rc == AS_OK ? write_pareto(R, err) : rc;
}

/* ---------------------------------------------------------------------
 * Loading
 * --------------------------------------------------------------------- */

/* Pareto: run i is on the front when no run is at most as costly and as
 * slow and better in one. Sorted by (cost, p95), a sweep keeps the least
 * p95 of every cheaper run: i is dominated by a cheaper run when that p95
 * <= its own, and by a run of equal cost when that one's p95 is lower.
 * A NaN dominates nothing; a run with an infinite cost or p95 may
 * dominate (as the pairwise comparison gives) but is never on the front. */
int plot_pareto(const sim_summary_row *rows, int nrun, int *front, as_err *err)
{
    return plot_pareto_among(rows, nrun, NULL, front, err);
}

int plot_pareto_among(const sim_summary_row *rows, int nrun, const int *skip, int *front,
                      as_err *err)
{
    int *ord = malloc((size_t)(nrun > 0 ? nrun : 1) * sizeof *ord);
    if (ord == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    int n = 0;
    for (int i = 0; i < nrun; i++) {
        front[i] = 0;
        if (!isnan(rows[i].cost_total) && !isnan(rows[i].p95) && !(skip && skip[i]))
            ord[n++] = i;
    }
    qsort_r(ord, (size_t)n, sizeof *ord, by_cost_p95, (void *)rows);
    double best_cheaper = INFINITY;
    for (int a = 0; a < n;) {
        int b = a; /* [a, b): one cost */
        while (b < n && rows[ord[b]].cost_total == rows[ord[a]].cost_total)
            b++;
        double group_min = rows[ord[a]].p95; /* sorted by p95 within the cost */
        for (int k = a; k < b; k++) {
            const sim_summary_row *r = &rows[ord[k]];
            front[ord[k]] = !(best_cheaper <= r->p95 || group_min < r->p95) &&
                            isfinite(r->p95) && isfinite(r->cost_total);
        }
        best_cheaper = fmin(best_cheaper, group_min);
        a = b;
    }
    free(ord);
    return AS_OK;
}

/* Every name of the file, checked before any is used (as_name.h). */
static int check_names(plot_rep *R, as_err *err)
{
    if (as_name_check(R->name, err) != AS_OK)
        return as_err_prefix(err, "%s: scenario_name: ", R->h5);
    for (int i = 0; i < R->nrun; i++) {
        if (as_name_check(R->sum[i].run, err) != AS_OK)
            return as_err_prefix(err, "%s: /summary row %d: run: ", R->h5, i + 1);
        if (as_name_check(R->sum[i].kind, err) != AS_OK)
            return as_err_prefix(err, "%s: /summary row %d (run %s): kind: ", R->h5, i + 1,
                                 R->sum[i].run);
    }
    for (int k = 0; k < R->ntier; k++)
        if (as_name_check(R->tiers[k].name, err) != AS_OK)
            return as_err_prefix(err, "%s: /tiers: tier: ", R->h5);
    return AS_OK;
}

static int read_file(plot_rep *R, as_err *err)
{
    int rc, nr = 0;
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
        (rc = sim_slo_info_read(R->rd, &R->sloi, err)) ||
        (rc = sim_reader_attr_f64(R->rd, "slo_penalty_per_hour", &R->penalty_per_h, 1, NAN,
                                  err)) ||
        (rc = sim_reader_attr_f64(R->rd, "start_epoch_s", &R->epoch, 1, NAN, err)) ||
        (rc = sim_reader_attr_f64(R->rd, "start_utc_offset_s", &R->utc_offset, 1, 0, err)) ||
        (rc = sim_reader_summary(R->rd, &R->sum, &R->nrun, err)) ||
        (rc = sim_reader_runs(R->rd, &R->runs, &nr, err)) ||
        (rc = sim_reader_tiers(R->rd, &R->tiers, &R->ntier, err)))
        return rc == AS_ENOMEM ? rc : AS_EINVAL;
    /* slo_percentile is stored as a fraction (0.95) or a percentage */
    if (R->slo_pct > 0 && R->slo_pct <= 1)
        R->slo_pct *= 100;
    snprintf(R->slo_pname, sizeof R->slo_pname, "p%g", R->slo_pct);
    if (R->nrun == 0)
        return as_err_set(err, AS_EINVAL, "%s: no completed runs in /summary", R->h5);
    /* a clock from 1900 to 2200, in a zone of at most 18 hours */
    R->has_clock = isfinite(R->epoch) && fabs(R->epoch) < 7.3e9 && isfinite(R->utc_offset) &&
                   fabs(R->utc_offset) <= 18 * 3600;
    return check_names(R, err);
}

/* The time axis: its length (older files lack duration_s: the last time
 * stamp of the first run) and the unit that gives readable numbers. */
static void time_axis(plot_rep *R)
{
    if (!(R->duration > 0)) {
        sim_ts_row *ts = NULL;
        size_t m = 0;
        if (sim_reader_timeseries(R->rd, R->sum[0].run, &ts, &m, NULL) == AS_OK && m > 0)
            R->duration = ts[m - 1].t;
        free(ts);
        if (!(R->duration > 0))
            R->duration = 1;
    }
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
}

int plot_rep_load(plot_rep *R, as_err *err)
{
    /* the path goes into comments of the script and the data: quoted, and
     * refused with a control character (plot_script.h) */
    int rc = plot_gp_quote(R->h5, R->h5q, sizeof R->h5q, "results file path", err);
    if (rc != AS_OK)
        return rc == AS_ERANGE ? AS_EINVAL : rc;
    if ((rc = read_file(R, err)) != AS_OK)
        return rc;
    size_t n = (size_t)R->nrun;
    R->pareto = calloc(n, sizeof *R->pareto);
    R->oracle = calloc(n, sizeof *R->oracle);
    R->kind = calloc(n, sizeof *R->kind);
    R->kinds = calloc(n, sizeof *R->kinds);
    R->oracle_kind = calloc(n, sizeof *R->oracle_kind);
    R->base = calloc(n, sizeof *R->base);
    R->figstem = calloc(n, sizeof *R->figstem);
    R->drawn = calloc(n, sizeof *R->drawn);
    R->wanted = calloc(n, sizeof *R->wanted);
    /* a run may have a node figure; one per swept parameter */
    R->figs = calloc(2 * n + 2 + SIM_MAX_PARAM_COLS, sizeof *R->figs);
    R->zoom = calloc(n, sizeof *R->zoom);
    R->xsum = calloc(n, sizeof *R->xsum);
    R->params = calloc(n, sizeof *R->params);
    R->pts = calloc(n, sizeof *R->pts);
    if (!R->pareto || !R->oracle || !R->kind || !R->kinds || !R->oracle_kind || !R->base ||
        !R->figstem || !R->drawn || !R->wanted || !R->figs || !R->zoom || !R->xsum ||
        !R->params || !R->pts)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    for (int i = 0; i < R->nrun; i++) {
        const sim_summary_row *s = &R->sum[i];
        int k = 0;
        while (k < R->nkind && strcmp(R->kinds[k], s->kind) != 0)
            k++;
        if (k == R->nkind)
            snprintf(R->kinds[R->nkind++], SIM_STR, "%s", s->kind);
        R->kind[i] = k;
        /* the runs' list is /summary's order (sim_reader_runs checks it) */
        R->params[i] = R->runs[i].params;
        /* a kind that sees the future is a bound, not a choice: drawn
         * apart, never on the front, never the answer */
        R->oracle[i] = (as_policy_flags_of(s->kind) & AS_KIND_SEES_FUTURE) != 0;
        R->oracle_kind[k] = R->oracle[i];
        snprintf(R->base[i], sizeof R->base[i], "run%02d", i + 1);
        snprintf(R->figstem[i], sizeof R->figstem[i], "run%02d_%s", i + 1, s->run);
        R->xsum[i] = *s;
        R->xsum[i].p95 = plot_slo_latency_of(R, s);
    }
    if ((rc = plot_pareto_among(R->xsum, R->nrun, R->oracle, R->pareto, err)) != AS_OK)
        return rc;
    /* the answer and the bound by simrun's own rule (sim_summary.h), so the
     * report and the summary table never name different runs */
    R->best = sim_summary_best(R->sum, R->nrun);
    R->bound = sim_summary_bound(R->sum, R->nrun);
    R->nkeys = sim_params_keys(R->params, R->nrun, R->keys, SIM_MAX_PARAM_COLS);
    R->npts = sim_summary_points(R->sum, R->nrun, R->pts);
    R->best_pt = R->bound_pt = -1;
    for (int k = 0; k < R->npts; k++) {
        if (R->pts[k].first == R->best)
            R->best_pt = k;
        if (R->pts[k].first == R->bound)
            R->bound_pt = k;
    }
    time_axis(R);
    return AS_OK;
}

void plot_rep_free(plot_rep *R)
{
    sim_reader_close(R->rd);
    free(R->sum);
    free(R->tiers);
    free(R->pareto);
    free(R->oracle);
    free(R->kind);
    free(R->kinds);
    free(R->oracle_kind);
    free(R->base);
    free(R->figstem);
    free(R->drawn);
    free(R->wanted);
    free(R->figs);
    free(R->zoom);
    free(R->xsum);
    free(R->runs);
    free(R->params);
    free(R->pts);
    plot_gp_free(R->gp);
}
