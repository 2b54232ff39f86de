/* bench.h - the benchmark harness of `make bench` (build/release/bench/run_bench)
 * and the sections it runs. Owns: the monotonic nanosecond clock, timing
 * loops (warm-up, repetitions, median and spread), the result table that is
 * printed aligned on stdout and written as CSV, and the peer figures read
 * from bench/peers.sh.
 * Invariant: every figure is a median over repetitions measured in this
 * process; spreads are min and max of the same repetitions; ratios against
 * the peers use figures of the same run.
 * Must not: be linked into simrun; bench/ is the only code (with the CLI's
 * progress line and `simrun bench`) that reads a wall clock. */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include <stdio.h>

/* ---- clock ---- */

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t bench_now_ns(void);

/* ---- statistics ---- */

typedef struct bench_stats {
    double median;
    double min, max; /* spread over the repetitions */
    int reps;
} bench_stats;

/* Sort samples (n >= 1, modified in place) and fill out. */
void bench_stats_of(double *samples, int n, bench_stats *out /* OUT */);

/* A timed body: perform `iters` operations on ctx. */
typedef void (*bench_fn)(void *ctx, long iters);

/* Run fn once with iters = 1, 2, 4, ... until one call lasts at least
 * target_ns; return that iteration count (at least 1, at most max_iters). */
long bench_calibrate(bench_fn fn, void *ctx, double target_ns, long max_iters);

/* warmup untimed calls of fn(ctx, iters), then reps timed ones; the result
 * is in nanoseconds per operation (wall time of a call / iters). */
void bench_time(bench_fn fn, void *ctx, long iters, int warmup, int reps,
                bench_stats *out /* OUT */);

/* Calibrate to about target_ns per repetition, then bench_time. */
void bench_auto(bench_fn fn, void *ctx, double target_ns, int reps, bench_stats *out /* OUT */);

/* ---- result table ---- */

typedef struct bench_row {
    char section[16];
    char name[64];
    double median, min, max; /* min = max = median for a single value */
    int reps;                /* 0: a derived or single value */
    char unit[16];
    char note[128];
} bench_row;

typedef struct bench_table {
    int n, cap;
    bench_row *rows;
    FILE *out; /* rows are printed here as they are added (may be NULL) */
} bench_table;

void bench_table_init(bench_table *t, FILE *out);
void bench_table_fini(bench_table *t);
/* Add a measured row (and print it). */
void bench_table_add(bench_table *t, const char *section, const char *name, const bench_stats *s,
                     const char *unit, const char *note);
/* Add a single value (reps 0). */
void bench_table_value(bench_table *t, const char *section, const char *name, double v,
                       const char *unit, const char *note);
/* Print the header of the aligned table. */
void bench_table_header(FILE *f);
/* Find a row's median by section and name; NAN when absent. */
double bench_table_get(const bench_table *t, const char *section, const char *name);
/* Write every row as CSV; 0 on success. */
int bench_table_csv(const bench_table *t, const char *path);

/* ---- peer figures: "name value unit" lines ---- */

typedef struct bench_peer_fig {
    char name[80];
    double value;
    char unit[16];
} bench_peer_fig;

typedef struct bench_peers {
    int n, cap;
    bench_peer_fig *figs;
} bench_peers;

/* Run `cmd` through the shell, echo its comment lines (# ...) to `echo`
 * and collect its "name value unit" lines. Returns the command's exit
 * status (or -1 if it could not start). */
int bench_peers_run(bench_peers *p, const char *cmd, FILE *echo);
/* Value of a figure; NAN when absent. */
double bench_peers_get(const bench_peers *p, const char *name);
void bench_peers_fini(bench_peers *p);

/* ---- options and sections ---- */

/* A seasonal series of n values: level 200, swing +-50 % over `period`
 * steps, Gaussian noise sd 8 (xorshift64* and Box-Muller from seed).
 * Caller frees; NULL when out of memory. */
double *bench_series_new(int period, int n, uint64_t seed);

typedef struct bench_opts {
    int quick;               /* fewer repetitions (BENCH_QUICK=1 or --quick) */
    const char *root;        /* project root (default ".") */
    const char *scenario;    /* the week, 3 tiers scenario */
    const char *sweep;       /* the short scenario of the sweep benchmark */
    const char *exe;         /* this program, for the memory children */
    const char *peers;       /* the peers' folder (../shared/peers): mm1.c, the C floor */
    double *series;          /* synthetic seasonal series, 60 s steps */
    int nseries;
    double *trace;           /* peers/synthetic_seasonal.csv rates, or NULL */
    int ntrace;
} bench_opts;

void bench_forecasters(bench_table *t, const bench_opts *o);
void bench_policies(bench_table *t, const bench_opts *o);
void bench_detectors(bench_table *t, const bench_opts *o);
void bench_analytic(bench_table *t, const bench_opts *o);
void bench_memory(bench_table *t, const bench_opts *o);
void bench_hdf5(bench_table *t, const bench_opts *o);
void bench_nodes(bench_table *t, const bench_opts *o); /* bench_nodes.c */
void bench_sweep(bench_table *t, const bench_opts *o);
void bench_des(bench_table *t, const bench_opts *o);
void bench_machine(bench_table *t, const bench_opts *o);
void bench_report(bench_table *t, const bench_opts *o);
/* The table of the performance goals, from the rows above and the peers'
 * figures (bench_goals.c); adds a "goal" row per figure. */
void bench_goals(bench_table *t, const bench_peers *p);

/* The body of `run_bench --mem-child SCENARIO DURATION OUT.h5`: run the
 * scenario's first policy recording into OUT.h5 (not recording when OUT is
 * "-") and print "vmhwm_kb N
 * base_kb N wall_s X" (VmHWM of this process image after exec, before and
 * after the run). Returns the exit status. */
int bench_mem_child(const char *scenario, const char *duration, const char *out);

#endif
