/* bench_goals.c - make bench sections that put the other figures in
 * context, and the table of the performance goals.
 *   machine: a fixed reference loop (xorshift and log, like the mm1.c
 *     floor's draws) timed at the start of the run, and the parallelism the
 *     machine gives right now (the same CPU-bound work in one process, then
 *     in two at once). Every goal row is also given in units of that
 *     reference loop, measured in this same process, so that runs on a
 *     machine loaded differently can be compared; and a sweep speedup is
 *     read against the parallelism that was there to take.
 *   report: `simrun report` of a 54-run sweep (bench/sweep.ini, 54 seeds).
 *   goals: one line per figure of the performance goals with its median,
 *     goal, reference-loop units and pass/fail, printed and kept in the
 *     table (and so in build/bench.csv). */
#include "bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- machine ---- */

#define REF_ITERS 2000000L

/* The reference loop: REF_ITERS xorshift64* draws through log. */
static double ref_loop(uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    double acc = 0;
    for (long i = 0; i < REF_ITERS; i++) {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        acc += log(((double)((s * 0x2545F4914F6CDD1Dull) >> 11) + 0.5) * 0x1.0p-53);
    }
    return acc;
}

/* Wall seconds of `procs` processes running the reference loop `rounds`
 * times each, all at once; NAN when a fork fails. */
static double ref_parallel(int procs, int rounds)
{
    pid_t pid[2];
    fflush(NULL);
    uint64_t t0 = bench_now_ns();
    for (int k = 0; k < procs; k++) {
        pid[k] = fork();
        if (pid[k] == 0) {
            double a = 0;
            for (int r = 0; r < rounds; r++)
                a += ref_loop((uint64_t)(r + 1));
            _exit(a == 0.5); /* keeps the loop; never true */
        }
    }
    int ok = 1;
    for (int k = 0; k < procs; k++) {
        int st;
        if (pid[k] < 0 || waitpid(pid[k], &st, 0) < 0 || !WIFEXITED(st))
            ok = 0;
    }
    return ok ? (double)(bench_now_ns() - t0) * 1e-9 : NAN;
}

void bench_machine(bench_table *t, const bench_opts *o)
{
    int reps = o->quick ? 3 : 7;
    double ns[16], par[16];
    volatile double sink = 0;
    for (int r = 0; r < reps; r++) {
        uint64_t t0 = bench_now_ns();
        sink += ref_loop((uint64_t)r + 1);
        ns[r] = (double)(bench_now_ns() - t0) / (double)REF_ITERS;
    }
    (void)sink;
    bench_stats s;
    bench_stats_of(ns, reps, &s);
    bench_table_add(t, "machine", "reference loop", &s, "ns/iter",
                    "xorshift64* + log per iteration; goal times are also given in iterations");
    /* 1 process, then 2 at once, alternating; 2.0 = two free cores */
    int pr = o->quick ? 1 : 5;
    for (int r = 0; r < pr; r++) {
        double one = ref_parallel(1, 3), two = ref_parallel(2, 3);
        par[r] = 2.0 * one / two;
    }
    bench_stats_of(par, pr, &s);
    bench_table_add(t, "machine", "parallelism available", &s, "x",
                    "2 x wall(1 process) / wall(2 at once) of the same CPU-bound work");
}

/* ---- report of a 54-run sweep ---- */

static double run_cmd(const char *cmd)
{
    fflush(NULL);
    uint64_t t0 = bench_now_ns();
    int st = system(cmd);
    double w = (double)(bench_now_ns() - t0) * 1e-9;
    return st == 0 ? w : NAN;
}

void bench_report(bench_table *t, const bench_opts *o)
{
    const char *name = "report of a 54-run sweep";
    char simrun[1200], cmd[4200];
    struct stat st;
    snprintf(simrun, sizeof simrun, "%s/bin/simrun", o->root);
    if (stat(simrun, &st) != 0) {
        bench_table_value(t, "report", name, NAN, "s", "bin/simrun not built");
        return;
    }
    snprintf(cmd, sizeof cmd,
             "cd '%s' && bin/simrun run '%s' --set sweep.repetitions=54 -j 2 -q --no-report "
             "--force --fresh -o build/bench_r54.h5 >/dev/null 2>build/bench_r54.err",
             o->root, o->sweep);
    if (!isfinite(run_cmd(cmd))) {
        bench_table_value(t, "report", name, NAN, "s", "the 54-run sweep failed");
        return;
    }
    /* five repetitions (the figures are medians of at least 5):
     * the report draws the figures of the runs a big sweep picks (5 of 56
     * here, about 0.5 s each on 2 cores; all 56 with --all-figures take
     * about 15 s), and make bench has five minutes */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && bin/simrun report build/bench_r54.h5 -o build/bench_r54_report --force "
             ">/dev/null 2>>build/bench_r54.err",
             o->root);
    enum { REPORT_REPS = 5 };
    double w[REPORT_REPS];
    int reps = o->quick ? 1 : REPORT_REPS, ok = 1;
    for (int r = 0; r < reps && ok; r++)
        ok = isfinite(w[r] = run_cmd(cmd));
    if (ok) {
        bench_stats s;
        bench_stats_of(w, reps, &s);
        bench_table_add(t, "report", name, &s, "s", "simrun report, png, end to end");
    } else {
        bench_table_value(t, "report", name, NAN, "s", "simrun report failed");
    }
    snprintf(cmd, sizeof cmd,
             "cd '%s' && rm -rf build/bench_r54.h5 build/bench_r54_report build/bench_r54.err",
             o->root);
    run_cmd(cmd);
}

/* ---- the goals ---- */

typedef struct goal {
    const char *figure;
    const char *sec, *row; /* the table row it reads */
    const char *unit;
    double goal;
    int at_most; /* 1: pass when <= goal; 0: when >= goal */
} goal;

/* x-times-faster figures computed from two rows (NAN when one is absent). */
static double speedup_of(const bench_table *t, const bench_peers *p, const char *which)
{
    if (strcmp(which, "statsmodels") == 0) /* their fit (ms) over ours (ns) */
        return bench_peers_get(p, "hw_fixinit_fit_median") * 1e6 /
               bench_table_get(t, "forecast", "holt_winters refit N=4320");
    if (strcmp(which, "simpy2") == 0)
        return bench_table_get(t, "des", "M/M/10 rho 0.9 (SimPy's queue)") /
               bench_peers_get(p, "lam90_mu10_c10_simpy2_events_per_s");
    if (strcmp(which, "sweep") == 0)
        return bench_table_get(t, "sweep", "simrun -j 2 / -j 1");
    return NAN;
}

/* The slowest of naive, ewma and holt; suffix picks the row (with the
 * conformal windows, or "..., no intervals": the point forecaster alone). */
static double worst_update(const bench_table *t, const char *suffix)
{
    static const char *const k[] = {"naive", "ewma", "holt"};
    double w = NAN;
    for (int i = 0; i < 3; i++) {
        char name[96];
        snprintf(name, sizeof name, "%s update+forecast(10)%s", k[i], suffix);
        double v = bench_table_get(t, "forecast", name);
        if (isfinite(v) && !(v <= w))
            w = v;
    }
    return w;
}

void bench_goals(bench_table *t, const bench_peers *p)
{
    static const goal goals[] = {
        {"week at 1 s ticks, 3 tiers, analytic", "analytic",
         "week, 1 s ticks, 3 tiers: wall time", "s", 0.10, 1},
        /* with the conformal windows every kind keeps since the
         * predictive-policy issue (their share is the forecast section's
         * "calibration share" rows): the goal was set before they came,
         * so both are judged: the point forecaster alone, and with them */
        {"forecaster update+forecast(10), point alone (naive/ewma/holt)", NULL, "update-point",
         "ns", 50, 1},
        {"forecaster update+forecast(10), conformal (naive/ewma/holt)", NULL, "update", "ns", 50,
         1},
        {"holt_winters update, refits amortized", "forecast", "holt_winters update", "ns", 200, 1},
        /* the same split for holt_winters: its point forecaster and refits */
        {"holt_winters update, refits amortized, point alone", "forecast",
         "holt_winters update, no intervals", "ns", 200, 1},
        {"holt_winters refit on 4320 points", "forecast", "holt_winters refit N=4320", "ns", 1e6,
         1},
        {"holt_winters refit, x faster than statsmodels", NULL, "statsmodels", "x", 500, 0},
        {"DES M/M/1 time per event, ours / mm1.c", "des", "M/M/1 time per event: ours / mm1.c",
         "ratio", 1.25, 1},
        {"DES M/M/10, x faster than SimPy 2", NULL, "simpy2", "x", 100, 0},
        {"sweep of 200 runs, simrun -j 2 / -j 1", NULL, "sweep", "x", 1.8, 0},
        {"report of a 54-run sweep", "report", "report of a 54-run sweep", "s", 5, 1},
    };
    /* the reference loop again now, pooled with the start's: the load
     * changes during a run */
    double ref = bench_table_get(t, "machine", "reference loop");
    if (isfinite(ref)) {
        double ns[4] = {ref, ref, 0, 0};
        for (int r = 2; r < 4; r++) {
            uint64_t t0 = bench_now_ns();
            volatile double sink = ref_loop((uint64_t)r);
            (void)sink;
            ns[r] = (double)(bench_now_ns() - t0) / (double)REF_ITERS;
        }
        bench_stats s;
        bench_stats_of(ns, 4, &s);
        ref = s.median;
    }
    double par = bench_table_get(t, "machine", "parallelism available");
    printf("\n%-62s %11s %9s %12s %s\n", "goal", "median", "goal", "ref. iters", "result");
    printf("%.*s\n", 104, "----------------------------------------------------------------"
                          "----------------------------------------------------------------");
    for (size_t i = 0; i < sizeof goals / sizeof goals[0]; i++) {
        const goal *g = &goals[i];
        double v = g->sec ? bench_table_get(t, g->sec, g->row)
                 : strcmp(g->row, "update") == 0       ? worst_update(t, "")
                 : strcmp(g->row, "update-point") == 0 ? worst_update(t, ", no intervals")
                                                       : speedup_of(t, p, g->row);
        const char *res = !isfinite(v) ? "not measured"
                        : (g->at_most ? v <= g->goal : v >= g->goal) ? "pass" : "FAIL";
        char units[32] = "", note[128];
        /* times in iterations of the reference loop */
        if (isfinite(v) && isfinite(ref) && ref > 0 &&
            (strcmp(g->unit, "s") == 0 || strcmp(g->unit, "ns") == 0))
            snprintf(units, sizeof units, "%.3g", v * (strcmp(g->unit, "s") == 0 ? 1e9 : 1) / ref);
        /* a speedup cannot exceed the parallelism there was to take: on a
         * machine that gives less than the goal, the figure says nothing */
        if (strcmp(g->row, "sweep") == 0 && isfinite(par) && par < g->goal && isfinite(v))
            res = "n/a: machine loaded";
        printf("%-62s %11.4g %9.4g %12s %s", g->figure, v, g->goal, units, res);
        if (strcmp(g->row, "sweep") == 0 && isfinite(par))
            printf(" (parallelism available %.2fx; two -j 1 sweeps at once %.2fx)", par,
                   bench_table_get(t, "sweep", "two simrun -j 1 at once / one"));
        printf("\n");
        snprintf(note, sizeof note, "goal %s %g %s; %s%s%s", g->at_most ? "<=" : ">=", g->goal,
                 g->unit, res, units[0] ? "; reference iterations " : "", units);
        FILE *save = t->out;
        t->out = NULL; /* printed above in its own layout */
        bench_table_value(t, "goal", g->figure, v, g->unit, note);
        t->out = save;
    }
}
