/* cmd_compare.c - `simrun compare A.h5 B.h5`: every summary metric of every
 * run of B against the run of the same name in A (before and after a
 * change, or this month's traffic against last month's), with the
 * difference, the relative change and whether it got better or worse.
 * A metric is "same" only when bit-identical (runs are deterministic, so
 * any difference is a real one). Lower is better for every metric but
 * meets_slo and elastic_speedup. */
#include "as_name.h"
#include "cli_text.h"
#include "cmd.h"
#include "plot_compare.h"
#include "sim_results.h"
#include "sim_summary.h"

#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs("usage: simrun compare A.h5 B.h5 [options]\n"
          "\n"
          "Compares every summary metric of the runs of B with the runs of A of the\n"
          "same name: A's value, B's, the difference B - A, the relative change, and\n"
          "better or worse (lower is better except meets_slo and elastic_speedup).\n"
          "Runs in only one of the files are listed.\n"
          "\n"
          "options:\n"
          "  --format text|csv|json   output (default text: the changed metrics only;\n"
          "                           csv and json: every metric of every run)\n"
          "  --plot DIR               draw DIR/compare.png (relative change per run)\n"
          "  --fail-on-worse          exit 1 when any metric of any run got worse\n"
          "  --force                  replace a --plot folder simrun did not make\n"
          "  -h, --help               this text\n"
          "exit status: 0 done (and nothing worse with --fail-on-worse), 1 a metric got\n"
          "worse with --fail-on-worse, or a failure; 2 bad input\n",
          f);
}

/* The metrics: name, unit (for text), offset, type, better (-1 lower, +1 higher). */
typedef struct metric {
    const char *name, *unit;
    size_t off;
    int is_int, better;
} metric;

#define D(n, u) {#n, u, offsetof(sim_summary_row, n), 0, -1}
#define I(n, u, b) {#n, u, offsetof(sim_summary_row, n), 1, b}
static const metric metrics[] = {
    D(cost_total, ""),       D(cost_infra, ""),      D(cost_penalty, ""),
    D(slo_violation_s, "s"), D(slo_violation_pct, "%"), D(p50, "s"),
    D(p95, "s"),             D(p99, "s"),            D(latency_max, "s"),
    D(dropped, ""),          D(mean_instances, ""),  D(peak_instances, ""),
    I(actions, "", -1),      I(meets_slo, "", 1),    D(theta_u, ""),
    D(theta_o, ""),          D(tau_u, ""),           D(tau_o, ""),
    D(instability, "%"),     D(jitter, "/min"),      {"elastic_speedup", "", offsetof(sim_summary_row, elastic_speedup), 0, 1},
    D(deviation, ""),        I(faults, "", -1),      D(forecast_mase, ""),
    D(clamped, ""),
};
#undef D
#undef I
#define NMETRICS (sizeof metrics / sizeof metrics[0])

static double value(const sim_summary_row *r, const metric *m)
{
    if (m->is_int) {
        int32_t v;
        memcpy(&v, (const char *)r + m->off, sizeof v);
        return v;
    }
    double v;
    memcpy(&v, (const char *)r + m->off, sizeof v);
    return v;
}

/* -1 worse, 0 same, +1 better, 2 changed with no direction (NaN on one side). */
static int verdict(const metric *m, double a, double b)
{
    if ((isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0)
        return 0;
    if (isnan(a) || isnan(b))
        return 2;
    return (b < a ? -1 : 1) * m->better > 0 ? 1 : -1;
}

static const char *word(int v)
{
    return v == 0 ? "same" : v == 1 ? "better" : v == -1 ? "worse" : "changed";
}

static const char *fmt_sign(double v, const char *unit, int sign, char *b, size_t n);
static const char *fmt(double v, const char *unit, char *b, size_t n)
{
    return fmt_sign(v, unit, 0, b, n);
}

static const char *fmt_sign(double v, const char *unit, int sign, char *b, size_t n)
{
    const char *s = sign && v > 0 ? "+" : "";
    if (!isfinite(v))
        snprintf(b, n, "%s", isnan(v) ? "-" : v > 0 ? "inf" : "-inf");
    else if (strcmp(unit, "s") == 0 && fabs(v) < 1)
        snprintf(b, n, "%s%.4g ms", s, v * 1000);
    else
        snprintf(b, n, "%s%.6g%s%s", s, v, unit[0] && unit[0] != '%' && unit[0] != '/' ? " " : "",
                 unit);
    return b;
}

/* A path as a JSON string, escaped by jansson ("null" when not UTF-8). */
static const char *jstr(const char *s, char *out, size_t n)
{
    json_t *j = json_string(s);
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    snprintf(out, n, "%s", t ? t : "null");
    free(t);
    json_decref(j);
    return out;
}

typedef struct cmp_args {
    const char *a, *b, *plot;
    int format, fail, force;
} cmp_args;

/* Print and count; *worse = the count of metrics that got worse. */
static void report(const cmp_args *o, const sim_summary_row *ra, int na,
                   const sim_summary_row *rb, int nb, int *worse, plot_compare_in *pin)
{
    int changed = 0, first = 1;
    char ja[2100], jb[2100];
    if (o->format == SIM_FMT_CSV)
        printf("run,metric,a,b,diff,rel,verdict\n");
    else if (o->format == SIM_FMT_JSON)
        printf("{\"a\": %s, \"b\": %s, \"runs\": [\n", jstr(o->a, ja, sizeof ja),
               jstr(o->b, jb, sizeof jb));
    for (int j = 0; j < nb; j++) {
        int i = 0;
        while (i < na && strcmp(ra[i].run, rb[j].run) != 0)
            i++;
        if (i == na) {
            if (o->format == SIM_FMT_TEXT)
                printf("%-20s only in %s\n", rb[j].run, cli_shown(o->b));
            continue;
        }
        if (o->format == SIM_FMT_JSON)
            printf("%s  {\"run\": \"%s\", \"metrics\": [", first ? "" : ",\n", rb[j].run);
        first = 0;
        int nm = 0;
        for (size_t k = 0; k < NMETRICS; k++) {
            const metric *m = &metrics[k];
            double x = value(&ra[i], m), y = value(&rb[j], m), d = y - x;
            double rel = x != 0 && isfinite(d) ? d / fabs(x) : NAN;
            int v = verdict(m, x, y);
            *worse += v == -1;
            changed += v != 0;
            plot_compare_add(pin, rb[j].run, m->name, rel, v);
            char bx[40], by[40], bd[40], br[40] = "";
            if (isfinite(rel))
                snprintf(br, sizeof br, "%+.2f%%", 100 * rel);
            if (o->format == SIM_FMT_CSV)
                printf("%s,%s,%.17g,%.17g,%.17g,%.17g,%s\n", rb[j].run, m->name, x, y, d, rel,
                       word(v));
            else if (o->format == SIM_FMT_JSON)
                printf("%s{\"metric\": \"%s\", \"a\": %.17g, \"b\": %.17g, \"diff\": %.17g, "
                       "\"verdict\": \"%s\"}", nm++ ? ", " : "", m->name,
                       isfinite(x) ? x : 0, isfinite(y) ? y : 0, isfinite(d) ? d : 0, word(v));
            else if (v != 0)
                printf("%-20s %-18s %14s -> %-14s %14s %9s  %s\n", rb[j].run, m->name,
                       fmt(x, m->unit, bx, sizeof bx), fmt(y, m->unit, by, sizeof by),
                       fmt_sign(d, m->unit, 1, bd, sizeof bd),
                       br, word(v));
        }
        if (o->format == SIM_FMT_JSON)
            printf("]}");
    }
    for (int i = 0; i < na && o->format == SIM_FMT_TEXT; i++) {
        int found = 0;
        for (int j = 0; j < nb; j++)
            found |= strcmp(ra[i].run, rb[j].run) == 0;
        if (!found)
            printf("%-20s only in %s\n", ra[i].run, cli_shown(o->a));
    }
    if (o->format == SIM_FMT_JSON)
        printf("\n], \"worse\": %d}\n", *worse);
    else if (o->format == SIM_FMT_TEXT)
        printf("%s: %d metric(s) changed, %d worse\n",
               changed ? "compared" : "no change", changed, *worse);
}

static int parse(cmp_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(o, "--fail-on-worse") == 0)
            a->fail = 1;
        else if (strcmp(o, "--force") == 0)
            a->force = 1;
        else if (strcmp(o, "--plot") == 0 && i + 1 < argc)
            a->plot = argv[++i];
        else if (strcmp(o, "--format") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            a->format = strcmp(v, "csv") == 0 ? SIM_FMT_CSV : strcmp(v, "json") == 0 ? SIM_FMT_JSON
                        : strcmp(v, "text") == 0 ? SIM_FMT_TEXT : -1;
            if (a->format < 0) {
                fprintf(stderr, "simrun compare: --format: '%s' is not text, csv or json\n", v);
                return 2;
            }
        } else if (o[0] == '-' || (a->a && a->b)) {
            fprintf(stderr, "simrun compare: %s '%s' (see simrun compare --help)\n",
                    o[0] == '-' ? "unknown or incomplete option" : "two files, not more:", o);
            return 2;
        } else if (a->a == NULL)
            a->a = o;
        else
            a->b = o;
    }
    if (a->b == NULL) {
        usage(stderr);
        return 2;
    }
    return -1;
}

static int read_file(const char *path, sim_summary_row **rows, int *n)
{
    as_err err = {0};
    if (sim_results_probe(path, &err) != AS_OK ||
        sim_results_read_summary(path, rows, n, &err) != AS_OK) {
        fprintf(stderr, "simrun compare: %s\n", err.msg);
        return err.code == AS_ENOMEM ? 1 : 2;
    }
    for (int i = 0; i < *n; i++) /* names go into CSV, JSON and a figure */
        if (as_name_check((*rows)[i].run, &err) != AS_OK) {
            fprintf(stderr, "simrun compare: %s: %s\n", path, err.msg);
            return 2;
        }
    return 0;
}

int cmd_compare(int argc, char **argv)
{
    cmp_args a = {.format = SIM_FMT_TEXT};
    int st = parse(&a, argc, argv);
    if (st >= 0)
        return st;
    sim_results_quiet();
    sim_summary_row *ra = NULL, *rb = NULL;
    int na = 0, nb = 0, worse = 0;
    st = read_file(a.a, &ra, &na);
    if (st == 0)
        st = read_file(a.b, &rb, &nb);
    if (st == 0) {
        plot_compare_in *pin = plot_compare_new(a.a, a.b);
        report(&a, ra, na, rb, nb, &worse, pin);
        as_err err = {0};
        if (a.plot && plot_compare_draw(pin, a.plot, a.force, NULL, &err) != AS_OK) {
            fprintf(stderr, "simrun compare: --plot: %s\n", err.msg);
            /* a hostile name or a foreign folder is bad input, as in report */
            st = err.code == AS_EINVAL || err.code == AS_EEXIST ? 2 : 1;
        } else if (a.plot && a.format == SIM_FMT_TEXT)
            printf("figure: %s/compare.png\n", a.plot);
        plot_compare_free(pin);
        if (st == 0 && a.fail && worse > 0)
            st = 1;
    }
    free(ra);
    free(rb);
    return st;
}
