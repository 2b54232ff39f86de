/* bench_sim.c - make bench sections for the simulator: analytic runs (the
 * one-week, 1 s tick, 3-tier run of bench/week3tier.ini), peak memory of a
 * one-day and a one-week run (each in its own process image), HDF5 time
 * series writing, sweep throughput with 1 and 2 workers, and the
 * request-level model (sim_des) in events per second. */
#include "as.h"
#include "bench.h"
#include "sim_des.h"
#include "sim_results.h"
#include "sim_run.h"
#include "sim_scenario.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static sim_scenario *load(const char *path, const char *duration, as_err *err)
{
    char set[64];
    const char *ov[1] = {set};
    snprintf(set, sizeof set, "scenario.duration=%s", duration ? duration : "");
    return sim_scenario_load(path, duration ? ov : NULL, duration ? 1 : 0, err);
}

static double wall_s(uint64_t t0) { return (double)(bench_now_ns() - t0) * 1e-9; }

/* ---- analytic ---- */

void bench_analytic(bench_table *t, const bench_opts *o)
{
    as_err err = {0};
    sim_scenario *week = load(o->scenario, NULL, &err);
    sim_scenario *day = week ? load(o->scenario, "1d", &err) : NULL;
    if (day == NULL) {
        bench_table_value(t, "analytic", "week, 1 s ticks, 3 tiers", NAN, "s", err.msg);
        sim_scenario_free(week);
        return;
    }
    sim_summary_row sum;
    /* warm-up: one simulated day */
    if (sim_run_policy(day, 0, NULL, NULL, &sum, &err) != AS_OK) {
        bench_table_value(t, "analytic", "week, 1 s ticks, 3 tiers", NAN, "s", err.msg);
        goto out;
    }
    /* 5: the before/after figures are medians of at least 5 */
    int reps = o->quick ? 1 : 5;
    double wall[8], tps[8];
    for (int r = 0; r < reps; r++) {
        uint64_t t0 = bench_now_ns();
        int rc = sim_run_policy(week, 0, NULL, NULL, &sum, &err);
        wall[r] = wall_s(t0);
        if (rc != AS_OK) {
            bench_table_value(t, "analytic", "week, 1 s ticks, 3 tiers", NAN, "s", err.msg);
            goto out;
        }
        double ticks = (double)week->duration / (double)week->tick;
        tps[r] = ticks * week->ntiers / wall[r];
    }
    bench_stats s;
    char note[128];
    snprintf(note, sizeof note, "%s, policy %s, no recording; target well under 1 s",
             o->scenario, week->policies[0].name);
    bench_stats_of(wall, reps, &s);
    bench_table_add(t, "analytic", "week, 1 s ticks, 3 tiers: wall time", &s, "s", note);
    bench_stats_of(tps, reps, &s);
    bench_table_add(t, "analytic", "tier-ticks per second", &s, "ticks/s",
                    "ticks x tiers / wall time of the week runs");
out:
    sim_scenario_free(day);
    sim_scenario_free(week);
}

/* ---- memory: each run in a fresh process image ---- */

static long vmhwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

int bench_mem_child(const char *scenario, const char *duration, const char *out)
{
    as_err err = {0};
    sim_results_quiet();
    sim_scenario *sc = load(scenario, duration, &err);
    if (sc == NULL) {
        fprintf(stderr, "%s\n", err.msg);
        return 2;
    }
    long base = vmhwm_kb();
    uint64_t t0 = bench_now_ns();
    sim_summary_row sum;
    int record = strcmp(out, "-") != 0;
    sim_results *res = record ? sim_results_create(out, sc, 1, &err) : NULL;
    int rc = res ? sim_results_run(res, sc, 0, NULL, &sum, &err)
             : record ? err.code : sim_run_policy(sc, 0, NULL, NULL, &sum, &err);
    if (rc == AS_OK && res) {
        rc = sim_results_commit(res, &sum, 1, &err);
        res = NULL;
    }
    if (res)
        sim_results_abort(res, 1);
    double w = wall_s(t0);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (rc != AS_OK) {
        fprintf(stderr, "%s\n", err.msg);
        sim_scenario_free(sc);
        return 1;
    }
    printf("vmhwm_kb %ld base_kb %ld wall_s %.6f maxrss_kb %ld\n", vmhwm_kb(), base, w,
           ru.ru_maxrss);
    sim_scenario_free(sc);
    return 0;
}

/* fork + exec this program as a memory child; parse its line. */
static int mem_run(const bench_opts *o, const char *duration, int record, long *hwm, long *base,
                   double *w)
{
    char out[1200];
    if (record)
        snprintf(out, sizeof out, "%s/build/bench_mem_%s.h5", o->root, duration);
    else
        snprintf(out, sizeof out, "-");
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        /* exec, not just fork: a forked child starts with the parent's
         * resident pages counted in its high-water mark */
        execl(o->exe, o->exe, "--mem-child", o->scenario, duration, out, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char line[256] = "";
    FILE *f = fdopen(fd[0], "r");
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = '\0';
        fclose(f);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (record)
        unlink(out);
    long rss;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
        sscanf(line, "vmhwm_kb %ld base_kb %ld wall_s %lf maxrss_kb %ld", hwm, base, w, &rss) != 4)
        return -1;
    return 0;
}

void bench_memory(bench_table *t, const bench_opts *o)
{
    static const char *const durs[] = {"1d", "7d"};
    for (int record = 1; record >= 0; record--) {
        long hwm[2] = {0, 0};
        char name[64], note[128];
        for (int k = 0; k < 2; k++) {
            long base;
            double w;
            snprintf(name, sizeof name, "peak RSS, %s run%s", durs[k],
                     record ? " with recording" : ", no recording");
            if (mem_run(o, durs[k], record, &hwm[k], &base, &w) != 0) {
                bench_table_value(t, "memory", name, NAN, "MiB", "memory child failed");
                return;
            }
            snprintf(note, sizeof note,
                     "VmHWM of a fresh process; %.1f MiB after loading; run %.2f s", base / 1024.0,
                     w);
            bench_table_value(t, "memory", name, hwm[k] / 1024.0, "MiB", note);
        }
        snprintf(name, sizeof name, "peak RSS week / day%s",
                 record ? " with recording" : ", no recording");
        bench_table_value(t, "memory", name, (double)hwm[1] / (double)hwm[0], "ratio",
                          "1.00 = bounded by windows and chunks, not run length");
    }
}

/* ---- HDF5 ---- */

void bench_hdf5(bench_table *t, const bench_opts *o)
{
    as_err err = {0};
    sim_scenario *sc = load(o->scenario, NULL, &err);
    if (sc == NULL) {
        bench_table_value(t, "hdf5", "time series write", NAN, "MB/s", err.msg);
        return;
    }
    sim_results_quiet();
    char path[1200];
    snprintf(path, sizeof path, "%s/build/bench_hdf5.h5", o->root);
    const long rows = o->quick ? 200000 : 500000;
    const int reps = o->quick ? 2 : 5;
    double mbs[8], bytes_file = 0;
    for (int r = -1; r < reps; r++) {
        uint64_t t0 = bench_now_ns();
        sim_results *res = sim_results_create(path, sc, 1, &err);
        sim_run_writer *w = res ? sim_results_run_begin(res, sc, 0, "bench", "", &err) : NULL;
        int rc = w ? AS_OK : err.code;
        double cost = 0;
        for (long i = 0; rc == AS_OK && i < rows; i++) {
            double ts = 60.0 * (double)(i + 1);
            double rate = 300 * (1 + 0.5 * sin(ts / 86400 * 6.283185307179586)) +
                          (double)((i * 2654435761u) % 1000) * 0.01;
            cost += 0.02;
            sim_ts_row row = {.t = ts, .rate = rate, .forecast = rate * 1.01, .lo = rate * 0.9,
                              .hi = rate * 1.1, .ready = floor(rate / 30), .booting = i % 7 == 0,
                              .p50 = 0.05 + rate * 1e-5, .p95 = 0.12 + rate * 2e-5,
                              .p99 = 0.2 + rate * 3e-5, .cost_rate = 1.2, .cost = cost,
                              .violation = 0};
            rc = sim_run_row(w, &row, &err);
        }
        sim_summary_row sum = {0};
        snprintf(sum.run, sizeof sum.run, "bench");
        snprintf(sum.kind, sizeof sum.kind, "static");
        if (rc == AS_OK)
            rc = sim_results_run_end(res, w, &sum, &err);
        else if (w)
            sim_results_run_discard(w);
        if (rc == AS_OK) {
            rc = sim_results_commit(res, &sum, 1, &err);
            res = NULL;
        }
        double el = wall_s(t0);
        if (res)
            sim_results_abort(res, 1);
        if (rc != AS_OK) {
            bench_table_value(t, "hdf5", "time series write", NAN, "MB/s", err.msg);
            sim_scenario_free(sc);
            return;
        }
        struct stat st;
        if (stat(path, &st) == 0)
            bytes_file = (double)st.st_size;
        if (r >= 0)
            mbs[r] = (double)rows * sizeof(sim_ts_row) / 1e6 / el;
    }
    unlink(path);
    bench_stats s;
    bench_stats_of(mbs, reps, &s);
    char note[128];
    snprintf(note, sizeof note, "%ld rows of %zu B through sim_run_row, create to commit; file %.1f MB",
             rows, sizeof(sim_ts_row), bytes_file / 1e6);
    bench_table_add(t, "hdf5", "time series write", &s, "MB/s", note);
    for (int r = 0; r < reps; r++)
        mbs[r] = mbs[r] * 1e6 / sizeof(sim_ts_row);
    bench_stats_of(mbs, reps, &s);
    bench_table_add(t, "hdf5", "time series rows", &s, "rows/s", "same runs");
    sim_scenario_free(sc);
}

/* ---- sweep ---- */

/* Runs first, first + step, ... < n of sc with seeds 1..n; 0 when all ran. */
static int sweep_part(const sim_scenario *sc, int first, int step, int n)
{
    for (int i = first; i < n; i += step) {
        uint64_t seed = as_seed_derive(sc->seed, (uint64_t)i);
        sim_run_opts opts = {.seed = &seed};
        sim_summary_row sum;
        as_err err = {0};
        if (sim_run_policy(sc, 0, NULL, &opts, &sum, &err) != AS_OK)
            return 1;
    }
    return 0;
}

/* n runs over `workers` forked processes; wall seconds or NAN. */
static double sweep_fork(const sim_scenario *sc, int n, int workers)
{
    pid_t pid[8];
    fflush(NULL);
    uint64_t t0 = bench_now_ns();
    for (int k = 0; k < workers; k++) {
        pid[k] = fork();
        if (pid[k] == 0)
            _exit(sweep_part(sc, k, workers, n));
    }
    int ok = 1;
    for (int k = 0; k < workers; k++) {
        int st;
        if (pid[k] < 0 || waitpid(pid[k], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
            ok = 0;
    }
    double w = wall_s(t0);
    return ok ? w : NAN;
}

/* simrun on the sweep scenario ([sweep] repetitions = 200), -j workers;
 * `copies` of it at once (each with its own results file). Wall seconds
 * until the last ends, or NAN. */
static double sweep_simrun(const bench_opts *o, int workers, int copies)
{
    char cmd[8192];
    int k = snprintf(cmd, sizeof cmd, "cd '%s' && {", o->root);
    for (int c = 0; c < copies && k < (int)sizeof cmd; c++)
        k += snprintf(cmd + k, sizeof cmd - (size_t)k,
                      " bin/simrun run '%s' -j %d -q --no-report --force --fresh "
                      "-o build/bench_sweep%d.h5 >/dev/null 2>build/bench_sweep%d.err & p%d=$!;",
                      o->sweep, workers, c, c, c);
    for (int c = 0; c < copies && k < (int)sizeof cmd; c++)
        k += snprintf(cmd + k, sizeof cmd - (size_t)k, " wait $p%d%s", c,
                      c + 1 < copies ? " &&" : "; }");
    fflush(NULL);
    uint64_t t0 = bench_now_ns();
    int st = system(cmd);
    double w = wall_s(t0);
    return st == 0 ? w : NAN;
}

void bench_sweep(bench_table *t, const bench_opts *o)
{
    const int n = 200;
    as_err err = {0};
    sim_scenario *sc = load(o->sweep, NULL, &err);
    if (sc == NULL) {
        bench_table_value(t, "sweep", "200 runs", NAN, "runs/s", err.msg);
        return;
    }
    char note[128];
    sweep_part(sc, 0, 1, 4); /* warm-up */
    /* alternate 1 and 2 workers so that both see the same machine load */
    int reps = o->quick ? 1 : 5;
    double r1[8], r2[8];
    for (int r = 0; r < reps; r++) {
        r1[r] = n / sweep_fork(sc, n, 1);
        r2[r] = n / sweep_fork(sc, n, 2);
    }
    bench_stats s1, s2;
    bench_stats_of(r1, reps, &s1);
    bench_stats_of(r2, reps, &s2);
    snprintf(note, sizeof note, "%s (%s each) through sim_run_policy, no recording",
             o->sweep, "2 h, 1 tier");
    bench_table_add(t, "sweep", "200 runs, 1 process", &s1, "runs/s", note);
    bench_table_add(t, "sweep", "200 runs, 2 forked processes", &s2, "runs/s", "same, half each");
    bench_table_value(t, "sweep", "speedup with 2 processes", s2.median / s1.median, "x",
                      "2 cores shared with other work");
    sim_scenario_free(sc);

    /* the real CLI: simrun -j N (threads, one results file per run, merge) */
    struct stat st;
    char simrun[1200];
    snprintf(simrun, sizeof simrun, "%s/bin/simrun", o->root);
    if (stat(simrun, &st) != 0) {
        bench_table_value(t, "sweep", "simrun -j", NAN, "runs/s", "bin/simrun not built");
        return;
    }
    /* alternating, so that both see the same load; the speedup is the
     * median of the pairs' ratios. Two whole -j 1 sweeps at once measure
     * what the two cores give this very work (the workers' simulation and
     * HDF5 writing, with their memory traffic), which the reference loop
     * of the machine section, a chain of dependent arithmetic, does not:
     * -j 2 can at best reach that. */
    int sr = o->quick ? 1 : 5;
    double j1[8], j2[8], sp[8], two[8];
    for (int r = 0; r < sr; r++) {
        double w1 = sweep_simrun(o, 1, 1);
        j1[r] = n / w1;
        j2[r] = n / sweep_simrun(o, 2, 1);
        sp[r] = j2[r] / j1[r];
        two[r] = 2 * w1 / sweep_simrun(o, 1, 2);
    }
    bench_stats_of(j1, sr, &s1);
    bench_table_add(t, "sweep", "simrun -j 1, 200 runs", &s1, "runs/s",
                    "end to end: HDF5 per run, merge; alternating with -j 2");
    bench_stats_of(j2, sr, &s2);
    bench_table_add(t, "sweep", "simrun -j 2, 200 runs", &s2, "runs/s",
                    "same, 2 worker processes and the merger");
    bench_stats_of(sp, sr, &s1);
    bench_table_add(t, "sweep", "simrun -j 2 / -j 1", &s1, "x",
                    "median of the pairs; read against machine/parallelism available");
    bench_stats_of(two, sr, &s2);
    bench_table_add(t, "sweep", "two simrun -j 1 at once / one", &s2, "x",
                    "throughput of two whole sweeps at once: what 2 cores give this work");
    char p[1300];
    for (int c = 0; c < 2; c++) {
        snprintf(p, sizeof p, "%s/build/bench_sweep%d.h5", o->root, c);
        unlink(p);
        snprintf(p, sizeof p, "%s/build/bench_sweep%d.err", o->root, c);
        unlink(p);
    }
}

/* ---- request-level model ---- */

typedef struct des_case {
    const char *name;
    const char *note;
    int ntiers;
    sim_des_tier tiers[3];
    int ready[3];
    double lambda;
    as_time chunk; /* simulated time per sim_des_advance call */
} des_case;

/* Events per second of the mm1.c floor (built at `bin`) over nev events;
 * NAN on failure. */
static double mm1_rate(const char *bin, long nev)
{
    char cmd[1400], line[512];
    snprintf(cmd, sizeof cmd, "'%s' %ld 42", bin, nev);
    fflush(NULL);
    FILE *f = popen(cmd, "r");
    double rate = NAN;
    while (f && fgets(line, sizeof line, f)) {
        const char *p = strstr(line, "ev_per_s ");
        if (p)
            rate = strtod(p + 9, NULL);
    }
    if (f && pclose(f) != 0)
        rate = NAN;
    return rate;
}

/* Build peers/limit/mm1.c with gcc -O3 into build/; 0 when ready. */
static int mm1_build(const bench_opts *o, char *bin, size_t n)
{
    char src[1200], cmd[3000];
    snprintf(src, sizeof src, "%s/limit/mm1.c", o->peers);
    snprintf(bin, n, "%s/build/bench_mm1", o->root);
    struct stat st;
    if (stat(src, &st) != 0)
        return -1;
    snprintf(cmd, sizeof cmd, "gcc -O3 -o '%s' '%s' -lm 2>/dev/null", bin, src);
    return system(cmd) == 0 ? 0 : -1;
}

/* events/s of one case, calibrated to ~0.25 s per repetition. With
 * floor_bin, each repetition is followed by a run of the mm1.c floor of
 * about the same length, and the ratio of each pair is kept: the two see
 * the same machine load, which matters on a shared 2-core machine. */
static void des_one(bench_table *t, const bench_opts *o, const des_case *c, const char *floor_bin)
{
    as_err err = {0};
    sim_des *d = sim_des_new(c->ntiers, c->tiers, 1, &err);
    if (d == NULL) {
        bench_table_value(t, "des", c->name, NAN, "events/s", err.msg);
        return;
    }
    as_time now = 0;
    long chunks = 1;
    int reps = o->quick ? 3 : 7;
    double rate[16], floor_rate[16], ratio[16];
    int nfloor = 0;
    for (int r = -2; r < reps; r++) {
        uint64_t e0 = sim_des_events(d), t0 = bench_now_ns();
        for (long k = 0; k < chunks; k++, now += c->chunk) {
            if (sim_des_advance(d, now, now + c->chunk, c->lambda, c->ready, &err) != AS_OK) {
                bench_table_value(t, "des", c->name, NAN, "events/s", err.msg);
                sim_des_free(d);
                return;
            }
            if ((now / c->chunk) % 60 == 59)
                sim_des_interval_reset(d); /* a record interval every 60 chunks */
        }
        double w = wall_s(t0);
        double ev = (double)(sim_des_events(d) - e0);
        if (r < 0) {
            /* warm-up repetitions also size the next ones */
            double per = w / (double)chunks;
            chunks = (long)(0.25 / (per > 0 ? per : 1e-9)) + 1;
            continue;
        }
        rate[r] = ev / w;
        if (floor_bin) {
            /* the floor is a few times faster: more events, same time */
            double fr = mm1_rate(floor_bin, (long)(3 * ev) + 1000);
            if (isfinite(fr)) {
                floor_rate[nfloor] = fr;
                ratio[nfloor++] = fr / rate[r];
            }
        }
    }
    bench_stats s;
    bench_stats_of(rate, reps, &s);
    bench_table_add(t, "des", c->name, &s, "events/s", c->note);
    if (nfloor > 0) {
        bench_stats_of(floor_rate, nfloor, &s);
        bench_table_add(t, "des", "mm1.c floor (gcc -O3), alternating", &s, "events/s",
                        "peers/limit/mm1.c, one run after each of ours");
        bench_stats_of(ratio, nfloor, &s);
        bench_table_add(t, "des", "M/M/1 time per event: ours / mm1.c", &s, "ratio",
                        "median of the pairs' ratios");
    }
    sim_des_free(d);
}

void bench_des(bench_table *t, const bench_opts *o)
{
    const des_case cases[] = {
        {"M/M/1 rho 0.9 (mm1.c's queue)", "lambda 0.9, mu 1; advance 1000 s at a time", 1,
         {{.mu = 1, .dist = SIM_DIST_EXP, .concurrency = 1, .visits = 1, .max_servers = 1}},
         {1}, 0.9, 1000 * AS_SEC},
        {"M/M/10 rho 0.9 (SimPy's queue)", "lambda 90, mu 10, c 10; advance 1 s at a time", 1,
         {{.mu = 10, .dist = SIM_DIST_EXP, .concurrency = 10, .visits = 1, .max_servers = 10}},
         {1}, 90, AS_SEC},
        {"3 tiers in series, rho 0.75", "web/app/db, 300 req/s, db visited twice; 1 s steps", 3,
         {{.mu = 50, .dist = SIM_DIST_EXP, .concurrency = 8, .visits = 1, .max_servers = 8},
          {.mu = 1.0 / 0.06, .dist = SIM_DIST_EXP, .concurrency = 4, .visits = 1,
           .max_servers = 24},
          {.mu = 200, .dist = SIM_DIST_EXP, .concurrency = 4, .visits = 2, .max_servers = 4}},
         {1, 6, 1}, 300, AS_SEC},
    };
    char bin[1200];
    int floor_ok = o->peers && mm1_build(o, bin, sizeof bin) == 0;
    if (o->peers && !floor_ok)
        bench_table_value(t, "des", "mm1.c floor", NAN, "events/s",
                          "peers/limit/mm1.c missing or gcc failed");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        des_one(t, o, &cases[i], i == 0 && floor_ok ? bin : NULL);
}
