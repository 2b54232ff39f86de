/* sim_summary.c - the summary table (text, CSV, JSON), the SLO it was
 * judged against, the verdict lines, and the ranking columns. */
#include "sim_summary.h"

#include "as_policy.h"
#include "as_quality.h"
#include "sim_export.h"

#include <math.h>
#include <string.h>

static int is_bound(const sim_summary_row *r)
{
    return (as_policy_flags_of(r->kind) & AS_KIND_SEES_FUTURE) != 0;
}

int sim_summary_best(const sim_summary_row *rows, int n)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (rows[i].meets_slo && !is_bound(&rows[i]) &&
            (best < 0 || rows[i].cost_total < rows[best].cost_total))
            best = i;
    return best;
}

int sim_summary_bound(const sim_summary_row *rows, int n)
{
    int b = -1;
    for (int i = 0; i < n; i++)
        if (is_bound(&rows[i]) && (b < 0 || rows[i].cost_total < rows[b].cost_total))
            b = i;
    return b;
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
 * that none does. Exactly one line about deployable policies. */
static void print_verdict(FILE *f, const sim_summary_row *rows, int n)
{
    int bound = sim_summary_bound(rows, n), best = sim_summary_best(rows, n);
    if (bound >= 0)
        fprintf(f, "the least any policy could cost: %s (total %.2f; a bound that sees the "
                   "future, not a policy to deploy%s)\n",
                rows[bound].run, rows[bound].cost_total,
                rows[bound].meets_slo ? "" : "; it misses the SLO itself");
    if (best >= 0 && bound >= 0 && rows[bound].cost_total > 0)
        fprintf(f, "cheapest deployable policy meeting the SLO: %s (total %.2f, %.2fx the bound)\n",
                rows[best].run, rows[best].cost_total,
                rows[best].cost_total / rows[bound].cost_total);
    else if (best >= 0)
        fprintf(f, "cheapest policy meeting the SLO: %s (total %.2f)\n", rows[best].run,
                rows[best].cost_total);
    else if (bound >= 0)
        fprintf(f, "no deployable policy meets the SLO\n");
    else
        fprintf(f, "no policy meets the SLO\n");
}

static void print_text(FILE *f, const sim_summary_row *rows, int n, const sim_slo_info *slo)
{
    char def[256];
    sim_slo_describe(slo, def, sizeof def);
    fprintf(f, "SLO: %s\n", def);
    char pcol[16];
    snprintf(pcol, sizeof pcol, "p%g run", slo->percentile * 100);
    fprintf(f, "%-16s %-11s %10s %9s %9s %9s %10s %9s %7s %9s %8s %7s %7s  %s\n", "policy",
            "kind", "total", "infra", "penalty", "windows", pcol, "p99", "errors", "mean inst",
            "actions", "theta_U", "e-speed", "verdict");
    for (int i = 0; i < n; i++) {
        const sim_summary_row *r = &rows[i];
        char win[32], pq[32], p99[32], errs[32];
        snprintf(win, sizeof win, "%.2f%%", r->slo_compliance);
        snprintf(errs, sizeof errs, "%.2f%%",
                 r->requests > 0 ? 100.0 * r->errors / r->requests : 0.0);
        const char *v = is_bound(r) ? (r->meets_slo ? "bound" : "bound, misses")
                                    : r->meets_slo ? "meets" : "misses";
        fprintf(f, "%-16s %-11s %10.2f %9.2f %9.2f %9s %10s %9s %7s %9.2f %8d %7.2f %7.2f  %s\n",
                r->run, r->kind, r->cost_total, r->cost_infra, r->cost_penalty, win,
                fmt_latency(r->latency_at_p, pq, sizeof pq),
                fmt_latency(r->p99, p99, sizeof p99), errs, r->mean_instances, r->actions,
                r->theta_u, r->elastic_speedup, v);
    }
    /* figures at a limit of the model are never shown as exact */
    for (int i = 0; i < n; i++)
        if (rows[i].clamped > 0)
            fprintf(f, "note: %s: %.0f requests hit a limit of the model (latency beyond its "
                       "range, or dropped by a derived queue cap): its percentiles near them "
                       "are lower bounds\n",
                    rows[i].run, rows[i].clamped);
    print_verdict(f, rows, n);
}

void sim_summary_print(FILE *f, const sim_summary_row *rows, int n, int format,
                       const sim_slo_info *slo)
{
    /* CSV and JSON carry the HDF5 column names and units (sim_export.h):
     * one path for every format, so a column added to the file is exported
     * with no edit here */
    if (format == SIM_FMT_CSV)
        sim_export_summary_csv(f, rows, n);
    else if (format == SIM_FMT_JSON)
        sim_export_summary_json(f, rows, n, NULL);
    else
        print_text(f, rows, n, slo);
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
