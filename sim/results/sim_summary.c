/* sim_summary.c - summary table formats. */
#include "sim_summary.h"

#include "as_quality.h"

#include <math.h>
#include <string.h>

int sim_summary_best(const sim_summary_row *rows, int n)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (rows[i].meets_slo && (best < 0 || rows[i].cost_total < rows[best].cost_total))
            best = i;
    return best;
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

static void json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
    else
        fputs("null", f);
}

void sim_summary_print(FILE *f, const sim_summary_row *rows, int n, int format,
                       double slo_latency, double slo_percentile)
{
    if (format == SIM_FMT_CSV) {
        fputs("run,kind,cost_total,cost_infra,cost_penalty,slo_violation_s,slo_violation_pct,"
              "p50_s,p95_s,p99_s,latency_max_s,dropped,mean_instances,peak_instances,actions,"
              "meets_slo,theta_u,theta_o,tau_u,tau_o,instability,jitter,elastic_speedup,"
              "deviation\n",
              f);
        for (int i = 0; i < n; i++) {
            const sim_summary_row *r = &rows[i];
            fprintf(f,
                    "%s,%s,%.6f,%.6f,%.6f,%.3f,%.4f,%.6f,%.6f,%.6f,%.6f,%.3f,%.4f,%.0f,%d,%d,"
                    "%.4f,%.4f,%.4f,%.4f,%.4f,%.5f,%.5f,%.4f\n",
                    r->run, r->kind, r->cost_total, r->cost_infra, r->cost_penalty,
                    r->slo_violation_s, r->slo_violation_pct, r->p50, r->p95, r->p99,
                    r->latency_max, r->dropped, r->mean_instances, r->peak_instances, r->actions,
                    r->meets_slo, r->theta_u, r->theta_o, r->tau_u, r->tau_o, r->instability,
                    r->jitter, r->elastic_speedup, r->deviation);
        }
        return;
    }
    if (format == SIM_FMT_JSON) {
        fputs("[\n", f);
        for (int i = 0; i < n; i++) {
            const sim_summary_row *r = &rows[i];
            fprintf(f, "  {\"run\": \"%s\", \"kind\": \"%s\"", r->run, r->kind);
            const struct {
                const char *k;
                double v;
            } kv[] = {{"cost_total", r->cost_total},
                      {"cost_infra", r->cost_infra},
                      {"cost_penalty", r->cost_penalty},
                      {"slo_violation_s", r->slo_violation_s},
                      {"slo_violation_pct", r->slo_violation_pct},
                      {"p50_s", r->p50},
                      {"p95_s", r->p95},
                      {"p99_s", r->p99},
                      {"latency_max_s", r->latency_max},
                      {"dropped", r->dropped},
                      {"mean_instances", r->mean_instances},
                      {"peak_instances", r->peak_instances},
                      {"actions", r->actions},
                      {"meets_slo", r->meets_slo},
                      {"theta_u", r->theta_u},
                      {"theta_o", r->theta_o},
                      {"tau_u", r->tau_u},
                      {"tau_o", r->tau_o},
                      {"instability", r->instability},
                      {"jitter", r->jitter},
                      {"elastic_speedup", r->elastic_speedup},
                      {"deviation", r->deviation}};
            for (size_t k = 0; k < sizeof kv / sizeof kv[0]; k++) {
                fprintf(f, ", \"%s\": ", kv[k].k);
                json_num(f, kv[k].v);
            }
            fprintf(f, "}%s\n", i + 1 < n ? "," : "");
        }
        fputs("]\n", f);
        return;
    }
    fprintf(f, "SLO: p%g latency <= %g ms\n", slo_percentile * 100, slo_latency * 1000);
    fprintf(f, "%-16s %-11s %10s %9s %9s %10s %9s %9s %9s %8s %7s %7s\n", "policy", "kind",
            "total", "infra", "penalty", "SLO viol", "p95", "p99", "mean inst", "actions",
            "theta_U", "e-speed");
    for (int i = 0; i < n; i++) {
        const sim_summary_row *r = &rows[i];
        char viol[32], p95[32], p99[32];
        snprintf(viol, sizeof viol, "%.0fs", r->slo_violation_s);
        fprintf(f, "%-16s %-11s %10.2f %9.2f %9.2f %10s %9s %9s %9.2f %8d %7.2f %7.2f%s\n",
                r->run, r->kind, r->cost_total, r->cost_infra, r->cost_penalty, viol,
                fmt_latency(r->p95, p95, sizeof p95), fmt_latency(r->p99, p99, sizeof p99),
                r->mean_instances, r->actions, r->theta_u, r->elastic_speedup,
                r->meets_slo ? "" : "  (misses SLO)");
    }
    int best = sim_summary_best(rows, n);
    if (best >= 0)
        fprintf(f, "cheapest policy meeting the SLO: %s (total %.2f, p95 %.1f ms)\n",
                rows[best].run, rows[best].cost_total, rows[best].p95 * 1000);
    /* the oracle sees the future: the cheapest real policy is the answer */
    int real = -1;
    for (int i = 0; i < n; i++)
        if (rows[i].meets_slo && strcmp(rows[i].kind, "oracle") != 0 &&
            (real < 0 || rows[i].cost_total < rows[real].cost_total))
            real = i;
    if (best >= 0 && strcmp(rows[best].kind, "oracle") == 0) {
        if (real >= 0)
            fprintf(f, "cheapest deployable policy meeting the SLO: %s (total %.2f, %.2fx the "
                       "oracle's bound)\n",
                    rows[real].run, rows[real].cost_total,
                    rows[real].cost_total / (rows[best].cost_total > 0 ? rows[best].cost_total : 1));
        else
            fprintf(f, "no deployable policy meets the SLO (only the oracle)\n");
    }
    else
        fprintf(f, "no policy meets the SLO\n");
}

void sim_rank(sim_summary_row *rows, int n, int baseline)
{
    for (int k = 0; k < n; k++) {
        double b[5] = {rows[baseline].theta_u, rows[baseline].theta_o, rows[baseline].tau_u,
                       rows[baseline].tau_o, rows[baseline].instability};
        double m[5] = {rows[k].theta_u, rows[k].theta_o, rows[k].tau_u, rows[k].tau_o,
                       rows[k].instability};
        rows[k].elastic_speedup = as_elastic_speedup(b, m, 5);
        rows[k].deviation = as_deviation(m, 5);
    }
}
