/* bench.c - the harness of run_bench: clock, timing loops, statistics,
 * result table (aligned text and CSV) and the peer figures. */
#include "as_csv.h"
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_stats_of(double *samples, int n, bench_stats *out)
{
    qsort(samples, (size_t)n, sizeof *samples, cmp_double);
    out->reps = n;
    out->min = samples[0];
    out->max = samples[n - 1];
    out->median = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
}

long bench_calibrate(bench_fn fn, void *ctx, double target_ns, long max_iters)
{
    long iters = 1;
    for (;;) {
        uint64_t t0 = bench_now_ns();
        fn(ctx, iters);
        double el = (double)(bench_now_ns() - t0);
        if (el >= target_ns || iters >= max_iters)
            return iters;
        /* jump close to the target when the estimate is usable, else double */
        long next = el > 2e5 ? (long)(iters * target_ns / el * 1.1) + 1 : iters * 2;
        if (next <= iters)
            next = iters * 2;
        iters = next < max_iters ? next : max_iters;
    }
}

#define BENCH_MAX_REPS 64

void bench_time(bench_fn fn, void *ctx, long iters, int warmup, int reps, bench_stats *out)
{
    double s[BENCH_MAX_REPS];
    if (reps > BENCH_MAX_REPS)
        reps = BENCH_MAX_REPS;
    if (reps < 1)
        reps = 1;
    for (int i = 0; i < warmup; i++)
        fn(ctx, iters);
    for (int i = 0; i < reps; i++) {
        uint64_t t0 = bench_now_ns();
        fn(ctx, iters);
        s[i] = (double)(bench_now_ns() - t0) / (double)iters;
    }
    bench_stats_of(s, reps, out);
}

void bench_auto(bench_fn fn, void *ctx, double target_ns, int reps, bench_stats *out)
{
    /* calibration doubles as warm-up (caches, branch predictors, page faults) */
    long iters = bench_calibrate(fn, ctx, target_ns, 1L << 40);
    bench_time(fn, ctx, iters, 1, reps, out);
}

/* ---- table ---- */

void bench_table_init(bench_table *t, FILE *out)
{
    memset(t, 0, sizeof *t);
    t->out = out;
}

void bench_table_fini(bench_table *t)
{
    free(t->rows);
    memset(t, 0, sizeof *t);
}

/* Numbers as a reader wants them: 3 to 4 significant digits, no exponent
 * below ten million. */
static void fmt_num(char *buf, size_t n, double v)
{
    double a = fabs(v);
    if (!isfinite(v))
        snprintf(buf, n, "-");
    else if (a >= 1e7)
        snprintf(buf, n, "%.4g", v);
    else if (a >= 100)
        snprintf(buf, n, "%.0f", v);
    else if (a >= 1)
        snprintf(buf, n, "%.2f", v);
    else if (a == 0)
        snprintf(buf, n, "0");
    else
        snprintf(buf, n, "%.3g", v);
}

#define ROW_FMT "%-9s %-42s %12s %-9s %12s %12s %4s  %s\n"

void bench_table_header(FILE *f)
{
    fprintf(f, ROW_FMT, "section", "benchmark", "median", "unit", "min", "max", "reps", "note");
    fprintf(f, "%.*s\n", 130,
            "------------------------------------------------------------------------------------"
            "------------------------------------------------------------------------------------");
}

static void print_row(FILE *f, const bench_row *r)
{
    char med[32], lo[32], hi[32], reps[16];
    fmt_num(med, sizeof med, r->median);
    if (r->reps > 0) {
        fmt_num(lo, sizeof lo, r->min);
        fmt_num(hi, sizeof hi, r->max);
        snprintf(reps, sizeof reps, "%d", r->reps);
    } else {
        snprintf(lo, sizeof lo, " ");
        snprintf(hi, sizeof hi, " ");
        snprintf(reps, sizeof reps, " ");
    }
    fprintf(f, ROW_FMT, r->section, r->name, med, r->unit, lo, hi, reps, r->note);
    fflush(f);
}

static bench_row *table_push(bench_table *t)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 64;
        bench_row *rows = realloc(t->rows, (size_t)cap * sizeof *rows);
        if (rows == NULL)
            return NULL;
        t->rows = rows;
        t->cap = cap;
    }
    bench_row *r = &t->rows[t->n++];
    memset(r, 0, sizeof *r);
    return r;
}

void bench_table_add(bench_table *t, const char *section, const char *name, const bench_stats *s,
                     const char *unit, const char *note)
{
    bench_row *r = table_push(t);
    if (r == NULL)
        return;
    snprintf(r->section, sizeof r->section, "%s", section);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->unit, sizeof r->unit, "%s", unit);
    snprintf(r->note, sizeof r->note, "%s", note ? note : "");
    r->median = s->median;
    r->min = s->min;
    r->max = s->max;
    r->reps = s->reps;
    if (t->out)
        print_row(t->out, r);
}

void bench_table_value(bench_table *t, const char *section, const char *name, double v,
                       const char *unit, const char *note)
{
    bench_stats s = {.median = v, .min = v, .max = v, .reps = 0};
    bench_table_add(t, section, name, &s, unit, note);
}

double bench_table_get(const bench_table *t, const char *section, const char *name)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].section, section) == 0 && strcmp(t->rows[i].name, name) == 0)
            return t->rows[i].median;
    return NAN;
}

int bench_table_csv(const bench_table *t, const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs("section,benchmark,median,unit,min,max,reps,note\n", f);
    for (int i = 0; i < t->n; i++) {
        const bench_row *r = &t->rows[i];
        char q[AS_CSV_FIELD_SIZE(sizeof r->note)]; /* the longest field */
        fprintf(f, "%s,", as_csv_field(r->section, q, sizeof q));
        fprintf(f, "%s,%.9g,", as_csv_field(r->name, q, sizeof q), r->median);
        fprintf(f, "%s,", as_csv_field(r->unit, q, sizeof q));
        fprintf(f, "%.9g,%.9g,%d,", r->min, r->max, r->reps);
        fprintf(f, "%s\n", as_csv_field(r->note, q, sizeof q));
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* ---- peers ---- */

static int peers_add(bench_peers *p, const char *name, double v, const char *unit)
{
    if (p->n == p->cap) {
        int cap = p->cap ? 2 * p->cap : 64;
        bench_peer_fig *figs = realloc(p->figs, (size_t)cap * sizeof *figs);
        if (figs == NULL)
            return -1;
        p->figs = figs;
        p->cap = cap;
    }
    bench_peer_fig *g = &p->figs[p->n++];
    snprintf(g->name, sizeof g->name, "%s", name);
    snprintf(g->unit, sizeof g->unit, "%s", unit);
    g->value = v;
    return 0;
}

int bench_peers_run(bench_peers *p, const char *cmd, FILE *echo)
{
    fflush(NULL);
    FILE *f = popen(cmd, "r");
    if (f == NULL)
        return -1;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') {
            if (echo) {
                fputs(line, echo);
                fflush(echo);
            }
            continue;
        }
        char name[80], unit[16];
        double v;
        if (sscanf(line, "%79s %lf %15s", name, &v, unit) == 3) {
            peers_add(p, name, v, unit);
            if (echo) {
                fprintf(echo, "  peer %-50s %12.6g %s\n", name, v, unit);
                fflush(echo);
            }
        }
    }
    int st = pclose(f);
    return st == -1 ? -1 : (st >> 8) & 0xff;
}

double bench_peers_get(const bench_peers *p, const char *name)
{
    /* the last figure of that name wins (a rerun replaces an earlier one) */
    for (int i = p->n - 1; i >= 0; i--)
        if (strcmp(p->figs[i].name, name) == 0)
            return p->figs[i].value;
    return NAN;
}

void bench_peers_fini(bench_peers *p)
{
    free(p->figs);
    memset(p, 0, sizeof *p);
}
