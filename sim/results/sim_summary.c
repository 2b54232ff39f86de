/* sim_summary.c - the summary table (text, CSV, JSON) with the swept
 * parameters as columns, the SLO it was judged against, sweep points over
 * their repetitions, the verdict lines, and the ranking columns. */
#include "sim_summary.h"

#include "as_policy.h"
#include "as_quality.h"
#include "sim_export.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_bound(const sim_summary_row *r)
{
    return (as_policy_flags_of(r->kind) & AS_KIND_SEES_FUTURE) != 0;
}

/* ---- points ---- */

/* Length of name without a trailing ".rN" (the repetition suffix). */
static size_t point_len(const char *name)
{
    size_t l = strlen(name), k = l;
    while (k > 0 && name[k - 1] >= '0' && name[k - 1] <= '9')
        k--;
    if (k < l && k >= 2 && name[k - 1] == 'r' && name[k - 2] == '.')
        return k - 2;
    return l;
}

void sim_summary_mean_hw(const sim_summary_row *rows, int first, int n, size_t off, double *m,
                         double *hw)
{
    double s = 0, ss = 0;
    int k = 0;
    for (int j = first; j < first + n; j++) {
        double v = *(const double *)((const char *)&rows[j] + off);
        if (isfinite(v)) {
            s += v;
            k++;
        }
    }
    *m = k ? s / k : NAN;
    for (int j = first; j < first + n; j++) {
        double v = *(const double *)((const char *)&rows[j] + off);
        if (isfinite(v))
            ss += (v - *m) * (v - *m);
    }
    /* GSL's quantile, not a table: exact for any number of repetitions */
    *hw = k > 1 ? gsl_cdf_tdist_Pinv(0.975, k - 1) * sqrt(ss / (k - 1)) / sqrt(k) : NAN;
}

int sim_summary_points(const sim_summary_row *rows, int n, sim_point *out)
{
    int np = 0;
    for (int i = 0; i < n; i++) {
        size_t l = point_len(rows[i].run);
        sim_point *p = np > 0 ? &out[np - 1] : NULL;
        if (p == NULL || strlen(p->name) != l || strncmp(p->name, rows[i].run, l) != 0 ||
            strcmp(rows[i].kind, rows[p->first].kind) != 0) {
            p = &out[np++];
            memset(p, 0, sizeof *p);
            snprintf(p->name, sizeof p->name, "%.*s", (int)l, rows[i].run);
            p->first = i;
            p->meets = 1;
            p->oracle = is_bound(&rows[i]);
        }
        p->n++;
        p->nmeet += rows[i].meets_slo != 0;
        p->meets &= rows[i].meets_slo != 0;
    }
    for (int k = 0; k < np; k++) {
        sim_point *p = &out[k];
        sim_summary_mean_hw(rows, p->first, p->n, offsetof(sim_summary_row, cost_total), &p->cost,
                            &p->cost_hw);
        sim_summary_mean_hw(rows, p->first, p->n, offsetof(sim_summary_row, slo_violation_s),
                            &p->viol, &p->viol_hw);
        sim_summary_mean_hw(rows, p->first, p->n, offsetof(sim_summary_row, latency_at_p),
                            &p->lat, &p->lat_hw);
        sim_summary_mean_hw(rows, p->first, p->n, offsetof(sim_summary_row, slo_compliance),
                            &p->comp, &p->comp_hw);
    }
    return np;
}

int sim_summary_best_point(const sim_point *pts, int np, int deployable_only)
{
    int best = -1;
    for (int i = 0; i < np; i++)
        if (pts[i].meets && !(deployable_only && pts[i].oracle) &&
            (best < 0 || pts[i].cost < pts[best].cost))
            best = i;
    return best;
}

int sim_summary_bound_point(const sim_point *pts, int np)
{
    int b = -1;
    for (int i = 0; i < np; i++)
        if (pts[i].oracle && (b < 0 || pts[i].cost < pts[b].cost))
            b = i;
    return b;
}

/* The first run of the point starting at row i, and the end of it: as
 * sim_summary_points, one point at a time, so best and bound need no
 * allocation. */
static int point_end(const sim_summary_row *rows, int n, int i)
{
    size_t l = point_len(rows[i].run);
    int j = i + 1;
    while (j < n && point_len(rows[j].run) == l && strncmp(rows[j].run, rows[i].run, l) == 0 &&
           strcmp(rows[j].kind, rows[i].kind) == 0)
        j++;
    return j;
}

/* The cheapest point (mean total cost) among those that see the future
 * (bound) or that are deployable and meet the SLO in every repetition;
 * returns its first row. */
static int cheapest(const sim_summary_row *rows, int n, int bound)
{
    int best = -1;
    double bc = 0;
    for (int i = 0, j; i < n; i = j) {
        j = point_end(rows, n, i);
        int meets = 1;
        for (int k = i; k < j; k++)
            meets &= rows[k].meets_slo != 0;
        if (is_bound(&rows[i]) != bound || (!bound && !meets))
            continue;
        double c, hw;
        sim_summary_mean_hw(rows, i, j - i, offsetof(sim_summary_row, cost_total), &c, &hw);
        if (best < 0 || c < bc) {
            best = i;
            bc = c;
        }
    }
    return best;
}

int sim_summary_best(const sim_summary_row *rows, int n)
{
    return cheapest(rows, n, 0);
}

int sim_summary_bound(const sim_summary_row *rows, int n)
{
    return cheapest(rows, n, 1);
}

/* ---- parameters ---- */

const char *sim_params_value(const char *params, const char *key, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t kl = strlen(key);
    for (const char *p = params; p && *p;) {
        while (*p == ' ')
            p++;
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len > kl && p[kl] == '=' && strncmp(p, key, kl) == 0) {
            snprintf(buf, n, "%.*s", (int)(len - kl - 1), p + kl + 1);
            break;
        }
        p += len;
    }
    return buf;
}

int sim_params_keys(const char *const *params, int n, char (*keys)[128], int max)
{
    int nk = 0;
    for (int i = 0; params && i < n; i++)
        for (const char *p = params[i]; p && *p;) {
            while (*p == ' ')
                p++;
            const char *eq = strchr(p, '='), *e = strchr(p, ' ');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            if (eq && (e == NULL || eq < e) && (size_t)(eq - p) < 128) {
                int k = 0;
                while (k < nk && (strlen(keys[k]) != (size_t)(eq - p) ||
                                  strncmp(keys[k], p, (size_t)(eq - p)) != 0))
                    k++;
                if (k == nk && nk < max)
                    snprintf(keys[nk++], 128, "%.*s", (int)(eq - p), p);
            }
            p += len;
        }
    return nk;
}

const char *sim_fmt_seconds(double s, char *buf, size_t n)
{
    if (!isfinite(s))
        snprintf(buf, n, "-");
    else if (s == 0)
        snprintf(buf, n, "0s");
    else if (fabs(s) < 1.0)
        snprintf(buf, n, "%.1fms", s * 1000);
    else if (fabs(s) < 600.0)
        snprintf(buf, n, "%.1fs", s);
    else if (fabs(s) < 7200.0)
        snprintf(buf, n, "%.1fmin", s / 60);
    else
        snprintf(buf, n, "%.1fh", s / 3600);
    return buf;
}

/* ---- the SLO ---- */

void sim_slo_info_of(const sim_scenario *sc, sim_slo_info *out)
{
    *out = (sim_slo_info){.latency = sc->slo_latency,
                          .percentile = sc->slo_percentile,
                          .window = as_time_to_s(sc->slo_window),
                          .objective = sc->slo_objective,
                          .error_rate = sc->slo_max_errors,
                          .from_max_violation = sc->max_violation >= 0};
}

int sim_slo_info_read(sim_reader *r, sim_slo_info *o, as_err *err)
{
    double legacy = 0;
    int rc;
    if ((rc = sim_reader_attr_f64(r, "slo_latency_s", &o->latency, 0, 0, err)) ||
        (rc = sim_reader_attr_f64(r, "slo_percentile", &o->percentile, 0, 0, err)) ||
        (rc = sim_reader_attr_f64(r, "slo_window_s", &o->window, 1, 60, err)) ||
        (rc = sim_reader_attr_f64(r, "slo_objective", &o->objective, 1, 0.99, err)) ||
        (rc = sim_reader_attr_f64(r, "slo_error_rate", &o->error_rate, 1, -1, err)) ||
        (rc = sim_reader_attr_f64(r, "slo_from_max_violation", &legacy, 1, 0, err)))
        return rc;
    o->from_max_violation = legacy != 0;
    return AS_OK;
}

/* A latency as a person reads it: 201.3ms, 2.9s, 22.8min, 1.2h. */
static const char *fmt_latency(double s, char *buf, size_t n)
{
    if (!isfinite(s))
        snprintf(buf, n, "-");
    else if (s < 1.0)
        snprintf(buf, n, "%.1fms", s * 1000);
    else if (s < 600.0)
        snprintf(buf, n, "%.1fs", s);
    else if (s < 7200.0)
        snprintf(buf, n, "%.1fmin", s / 60);
    else
        snprintf(buf, n, "%.1fh", s / 3600);
    return buf;
}

static const char *fmt_window(double s, char *buf, size_t n)
{
    if (s >= 3600 && fmod(s, 3600) == 0)
        snprintf(buf, n, "%g h", s / 3600);
    else if (s >= 60 && fmod(s, 60) == 0)
        snprintf(buf, n, "%g min", s / 60);
    else
        snprintf(buf, n, "%g s", s);
    return buf;
}

void sim_slo_describe(const sim_slo_info *s, char *buf, size_t n)
{
    char lat[32], win[32];
    fmt_latency(s->latency, lat, sizeof lat);
    fmt_window(s->window, win, sizeof win);
    int k = snprintf(buf, n, "%g%% of requests within %s in each %s window (by arrival)",
                     s->percentile * 100, lat, win);
    if (s->error_rate >= 0 && k > 0 && (size_t)k < n)
        k += snprintf(buf + k, n - (size_t)k, " with at most %g%% failed",
                      s->error_rate * 100);
    if (k > 0 && (size_t)k < n)
        k += snprintf(buf + k, n - (size_t)k, ", in >= %g%% of windows", s->objective * 100);
    if (s->from_max_violation && k > 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, " (max_violation = %g%%: the share of windows that "
                 "may fail)", (1 - s->objective) * 100);
}

/* ---- formats ---- */

/* The verdict lines: the bound on its own line, then the cheapest
 * deployable policy that meets the SLO (with its ratio to the bound), or
 * that none does. Exactly one line about deployable policies. Over sweep
 * points: a point costs the mean of its repetitions and meets the SLO when
 * every repetition does (a point of one run is that run). */
static void print_verdict(FILE *f, const sim_point *pts, int np, const char *const *params,
                          int nk)
{
    int bound = sim_summary_bound_point(pts, np), best = sim_summary_best_point(pts, np, 1);
    /* a bound that misses the SLO bounds nothing (the oracle goes to max
     * when no count meets it, and a cheaper run that misses as well costs
     * less; or its plan for the run's model misses windows): it is not
     * called "the least any policy could cost", and no cost is given as a
     * multiple of it */
    bool bounds = bound >= 0 && pts[bound].meets;
    if (bounds)
        fprintf(f, "the least any policy could cost: %s (total %.2f; a bound that sees the "
                   "future, not a policy to deploy)\n",
                pts[bound].name, pts[bound].cost);
    else if (bound >= 0)
        fprintf(f, "%s, which sees the future, misses the SLO itself (total %.2f), so it "
                   "bounds no cost\n",
                pts[bound].name, pts[bound].cost);
    char at[512] = "";
    if (best >= 0) {
        const sim_point *b = &pts[best];
        const char *ps = nk > 0 && params[b->first] ? params[b->first] : "";
        int k = ps[0] ? snprintf(at, sizeof at, "; %s", ps) : 0;
        if (b->n > 1 && k >= 0 && (size_t)k < sizeof at)
            snprintf(at + k, sizeof at - (size_t)k, "; means over %d repetitions", b->n);
    }
    if (best >= 0 && bounds && pts[bound].cost > 0)
        fprintf(f, "cheapest deployable policy meeting the SLO: %s (total %.2f, %.2fx the "
                   "bound%s)\n",
                pts[best].name, pts[best].cost, pts[best].cost / pts[bound].cost, at);
    else if (best >= 0)
        fprintf(f, "cheapest policy meeting the SLO: %s (total %.2f%s)\n", pts[best].name,
                pts[best].cost, at);
    else if (bound >= 0)
        fprintf(f, "no deployable policy meets the SLO\n");
    else
        fprintf(f, "no policy meets the SLO\n");
}

/* Mean and 95 % half-width per point, with units. */
static void print_points(FILE *f, const sim_point *pts, int np, const char *const *params,
                         char (*keys)[128], const int *w, int nk, const char *pcol)
{
    fprintf(f, "\nrepetitions: mean +- 95%% confidence half-width\n");
    fprintf(f, "%-22s", "point");
    for (int k = 0; k < nk; k++)
        fprintf(f, " %*s", w[k], keys[k]);
    fprintf(f, " %4s %22s %24s %24s %s\n", "n", "total cost", "SLO violation", pcol,
            "verdict");
    for (int k = 0; k < np; k++) {
        const sim_point *p = &pts[k];
        char v[256];
        fprintf(f, "%-22s", p->name);
        for (int j = 0; j < nk; j++)
            fprintf(f, " %*s", w[j], sim_params_value(params[p->first], keys[j], v, sizeof v));
        char a[32], b[32], c[32], d[32], viol[64], lat[64], cost[64];
        snprintf(viol, sizeof viol, "%s +- %s", sim_fmt_seconds(p->viol, a, sizeof a),
                 sim_fmt_seconds(p->viol_hw, b, sizeof b));
        snprintf(lat, sizeof lat, "%s +- %s", sim_fmt_seconds(p->lat, c, sizeof c),
                 sim_fmt_seconds(p->lat_hw, d, sizeof d));
        if (isfinite(p->cost_hw))
            snprintf(cost, sizeof cost, "%.2f +- %.2f", p->cost, p->cost_hw);
        else
            snprintf(cost, sizeof cost, "%.2f", p->cost);
        fprintf(f, " %4d %22s %24s %24s %s (%d of %d)\n", p->n, cost, viol, lat,
                p->meets ? "meets" : "misses", p->nmeet, p->n);
    }
}

static void print_text(FILE *f, const sim_summary_row *rows, const char *const *params, int n,
                       char (*keys)[128], int nk, const sim_slo_info *slo)
{
    char def[256];
    sim_slo_describe(slo, def, sizeof def);
    fprintf(f, "SLO: %s\n", def);
    char pcol[16];
    snprintf(pcol, sizeof pcol, "p%g run", slo->percentile * 100);
    /* name and kind columns as wide as their longest entry, so that a long
     * kind (aws_predictive) never pushes its row's figures out of line */
    int w[SIM_MAX_PARAM_COLS], wn = 16, wk = 11;
    for (int i = 0; i < n; i++) {
        wn = (int)strlen(rows[i].run) > wn ? (int)strlen(rows[i].run) : wn;
        wk = (int)strlen(rows[i].kind) > wk ? (int)strlen(rows[i].kind) : wk;
    }
    fprintf(f, "%-*s %-*s", wn, "policy", wk, "kind");
    for (int k = 0; k < nk; k++) {
        w[k] = (int)strlen(keys[k]) > 8 ? (int)strlen(keys[k]) : 8;
        fprintf(f, " %*s", w[k], keys[k]);
    }
    fprintf(f, " %10s %9s %9s %9s %10s %9s %7s %9s %8s %7s %7s  %s\n", "total", "infra",
            "penalty", "windows", pcol, "p99", "errors", "mean inst", "actions", "theta_U",
            "e-speed", "verdict");
    for (int i = 0; i < n; i++) {
        const sim_summary_row *r = &rows[i];
        char win[32], pq[32], p99[32], errs[32], v[256];
        snprintf(win, sizeof win, "%.2f%%", r->slo_compliance);
        snprintf(errs, sizeof errs, "%.2f%%",
                 r->requests > 0 ? 100.0 * r->errors / r->requests : 0.0);
        const char *vd = is_bound(r) ? (r->meets_slo ? "bound" : "bound, misses")
                                     : r->meets_slo ? "meets" : "misses";
        fprintf(f, "%-*s %-*s", wn, r->run, wk, r->kind);
        for (int k = 0; k < nk; k++)
            fprintf(f, " %*s", w[k], sim_params_value(params[i], keys[k], v, sizeof v));
        fprintf(f, " %10.2f %9.2f %9.2f %9s %10s %9s %7s %9.2f %8d %7.2f %7.2f  %s\n",
                r->cost_total, r->cost_infra, r->cost_penalty, win,
                fmt_latency(r->latency_at_p, pq, sizeof pq),
                fmt_latency(r->p99, p99, sizeof p99), errs, r->mean_instances, r->actions,
                r->theta_u, r->elastic_speedup, vd);
    }
    /* figures at a limit of the model are never shown as exact */
    for (int i = 0; i < n; i++)
        if (rows[i].clamped > 0)
            fprintf(f, "note: %s: %.0f requests hit a limit of the model (latency beyond its "
                       "range, or dropped by a derived queue cap): its percentiles near them "
                       "are lower bounds\n",
                    rows[i].run, rows[i].clamped);
    sim_point *pts = malloc((size_t)(n > 0 ? n : 1) * sizeof *pts);
    if (pts == NULL) {
        fprintf(f, "(out of memory: no verdict lines)\n");
        return;
    }
    int np = sim_summary_points(rows, n, pts), reps = 0;
    for (int k = 0; k < np; k++)
        reps |= pts[k].n > 1;
    if (reps)
        print_points(f, pts, np, params, keys, w, nk, pcol);
    print_verdict(f, pts, np, params, nk);
    free(pts);
}

void sim_summary_print(FILE *f, const sim_summary_row *rows, const char *const *params, int n,
                       int format, const sim_slo_info *slo)
{
    static const char *const none[1] = {NULL};
    char keys[SIM_MAX_PARAM_COLS][128];
    int nk = params ? sim_params_keys(params, n, keys, SIM_MAX_PARAM_COLS) : 0;
    if (params == NULL)
        params = none; /* read only when nk > 0, which needs params */
    /* CSV and JSON carry the HDF5 column names and units (sim_export.h):
     * one path for every format, so a column added to the file is exported
     * with no edit here */
    if (format == SIM_FMT_CSV)
        sim_export_summary_csv(f, rows, nk ? params : NULL, n);
    else if (format == SIM_FMT_JSON)
        sim_export_summary_json(f, rows, nk ? params : NULL, n, NULL);
    else
        print_text(f, rows, params, n, keys, nk, slo);
}

/* ---- ranking ---- */

void sim_rank(sim_summary_row *rows, int n, int baseline)
{
    /* one metric set for every run: those positive in all of them (a
     * metric that is 0 anywhere would make a ratio undefined there, and
     * dropping it for that pair only compares runs on different sets) */
    bool use[5] = {true, true, true, true, true};
    for (int k = 0; k < n; k++) {
        double m[5] = {rows[k].theta_u, rows[k].theta_o, rows[k].tau_u, rows[k].tau_o,
                       rows[k].instability};
        for (int j = 0; j < 5; j++)
            use[j] = use[j] && m[j] > 0;
    }
    for (int k = 0; k < n; k++) {
        const sim_summary_row *B = &rows[baseline];
        double b[5] = {B->theta_u, B->theta_o, B->tau_u, B->tau_o, B->instability};
        double m[5] = {rows[k].theta_u, rows[k].theta_o, rows[k].tau_u, rows[k].tau_o,
                       rows[k].instability};
        double bs[5], ms[5];
        int u = 0;
        for (int j = 0; j < 5; j++)
            if (use[j]) {
                bs[u] = b[j];
                ms[u++] = m[j];
            }
        rows[k].elastic_speedup = as_elastic_speedup(bs, ms, u);
        rows[k].deviation = as_deviation(m, 5);
    }
}
