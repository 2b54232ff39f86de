/* cmd_bench.c - `simrun bench SCENARIO.ini [--policy NAME]`: time the
 * decide() of each policy of a scenario, as configured there, on a
 * representative range of observations of its first autoscaled tier, and
 * print the median nanoseconds per decision (min and max over the
 * repetitions). The only clock read is here and in bench/ (and the run
 * progress line); the policies themselves never see it. */
#include "as_policy.h"
#include "cli_text.h"
#include "cmd.h"
#include "sim_scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOBS 4096  /* distinct observations, replayed in a loop */
#define MAX_H 1024 /* longest forecast view */
#define MAX_REPS 101

static void usage(FILE *f)
{
    fputs("usage: simrun bench SCENARIO.ini [--policy NAME] [--reps N]\n"
          "\n"
          "Times decide() of every [policy.NAME] of the scenario (or only NAME) on\n"
          "observations of its first autoscaled tier over a range of loads\n"
          "(utilization 0.05 to 1.2, one sample in 97 missing), with the policy's own\n"
          "settings and, for forecasting kinds, a forecast view of the length the\n"
          "simulator gives them. Prints the median ns per decision and the min and\n"
          "max over N repetitions (default 11).\n"
          "\n"
          "exit status: 0 done, 2 bad input (one line naming the file), 1 other failure\n",
          f);
}

static uint64_t now_ns(void)
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

typedef struct bench_loop {
    as_policy *p;
    const sim_policy_cfg *pc;
    as_observation obs[NOBS]; /* load shape; now, current and rate are set per call */
    double mean[MAX_H], lo[MAX_H], hi[MAX_H];
    int h;          /* forecast view length, 0 = none */
    long k;
    as_time now;
    int current;
    long moves;     /* decisions that changed capacity */
} bench_loop;

static void loop_run(bench_loop *x, long iters)
{
    for (long n = 0; n < iters; n++, x->k++) {
        as_observation ob = x->obs[x->k % NOBS];
        x->now += x->pc->interval;
        ob.now = x->now;
        /* a closed loop: the load is a share of what the capacity serves */
        ob.current = ob.ready = x->current;
        ob.booting = 0;
        if (isfinite(ob.utilization))
            ob.rate = ob.utilization * x->current * ob.capacity;
        as_forecast_view v = {.h = x->h, .step = x->pc->interval, .mean = x->mean,
                              .lo = x->lo, .hi = x->hi, .anomaly = false};
        if (x->h) {
            double r = isfinite(ob.rate) ? ob.rate : ob.capacity * x->current * 0.5;
            for (int j = 0; j < x->h; j++) {
                x->mean[j] = r * (1 + 0.002 * j);
                x->lo[j] = 0.9 * x->mean[j];
                x->hi[j] = 1.1 * x->mean[j];
            }
        }
        as_decision d;
        as_policy_decide(x->p, &ob, x->h ? &v : NULL, &d);
        x->moves += d.desired != x->current;
        x->current = d.desired;
    }
}

/* Observations of tier c: utilization in slow waves between about 0.05
 * and 1.2 with noise (fixed seed), one sample in 97 missing. */
static void fill_obs(bench_loop *x, const sim_scenario *sc, const sim_tier_cfg *c)
{
    double mu = 1e6 / (double)c->service_time;
    uint64_t s = 42;
    for (int k = 0; k < NOBS; k++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double noise = ((double)(s >> 11) / 9007199254740992.0 - 0.5) * 0.1;
        double u = 0.625 + 0.55 * sin(6.283185307179586 * k / 512.0) + noise;
        bool miss = k % 97 == 96;
        x->obs[k] = (as_observation){.min = c->min,
                                     .max = c->max,
                                     .utilization = miss ? NAN : u,
                                     .rate = miss ? NAN : 0,
                                     .latency = NAN,
                                     .capacity = c->concurrency * mu,
                                     .service_rate = mu,
                                     .concurrency = c->concurrency,
                                     .scv_factor = 1,
                                     .slo_latency = sc->slo_latency,
                                     .slo_percentile = sc->slo_percentile,
                                     .boot_time = c->boot_time};
    }
}

/* Options: the scenario's path, --policy and --reps. Returns -1 to go on,
 * else the exit status (0 for --help). */
static int parse_args(int argc, char **argv, const char **path, const char **only, long *reps)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--policy") == 0 && i + 1 < argc) {
            *only = argv[++i];
        } else if (strcmp(a, "--reps") == 0 && i + 1 < argc) {
            char *end;
            *reps = strtol(argv[++i], &end, 10);
            if (*end || *reps < 1 || *reps > MAX_REPS) {
                fprintf(stderr, "simrun bench: --reps '%s': a whole number in [1, %d]\n",
                        argv[i], MAX_REPS);
                return 2;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "simrun bench: unknown option '%s' (see simrun bench --help)\n",
                    cli_shown(a));
            return 2;
        } else if (*path == NULL) {
            *path = a;
        } else {
            fprintf(stderr, "simrun bench: one scenario only ('%s' and '%s')\n",
                    cli_shown(*path), cli_shown(a));
            return 2;
        }
    }
    if (*path == NULL) {
        usage(stderr);
        return 2;
    }
    return -1;
}

/* Times decide() of one policy: calibrated to about 2 ms per repetition,
 * then reps repetitions; prints the row. Returns the exit status. */
static int bench_policy(bench_loop *x, const sim_scenario *sc, const sim_tier_cfg *tc,
                        const sim_policy_cfg *pc, long reps)
{
    as_err err = {0};
    memset(x, 0, sizeof *x);
    x->pc = pc;
    x->p = as_policy_new(pc->type, pc->cfg, &err);
    if (x->p == NULL) {
        fprintf(stderr, "simrun bench: %s: [policy.%s]: %s\n", cli_shown(sc->path), pc->name,
                err.msg);
        return 2;
    }
    fill_obs(x, sc, tc);
    x->current = tc->initial > 0 ? tc->initial : 1;
    if (pc->type->flags & AS_KIND_NEEDS_FORECAST) {
        /* what the simulator gives: boot time plus an interval, ahead
         * (a kind that sees the future sees it at tick resolution) */
        as_time step = (pc->type->flags & AS_KIND_SEES_FUTURE) ? sc->tick : pc->interval;
        long h = (long)((tc->boot_time + pc->interval + step - 1) / step) + 2;
        x->h = (int)(h < MAX_H ? h : MAX_H);
    }
    long iters = 64; /* warm-up and calibration */
    for (;;) {
        uint64_t t0 = now_ns();
        loop_run(x, iters);
        uint64_t el = now_ns() - t0;
        if (el >= 2000000 || iters >= (1L << 26))
            break;
        iters *= 2;
    }
    double ns[MAX_REPS];
    x->moves = 0;
    long before = x->k;
    for (long r = 0; r < reps; r++) {
        uint64_t t0 = now_ns();
        loop_run(x, iters);
        ns[r] = (double)(now_ns() - t0) / (double)iters;
    }
    double moved = 100.0 * (double)x->moves / (double)(x->k - before);
    qsort(ns, (size_t)reps, sizeof ns[0], cmp_double);
    double med = reps % 2 ? ns[reps / 2] : 0.5 * (ns[reps / 2 - 1] + ns[reps / 2]);
    printf("%-16s %-12s %12.1f %12.1f %12.1f %5ld %8.1f\n", pc->name, pc->type->name, med, ns[0],
           ns[reps - 1], reps, moved);
    as_policy_free(x->p);
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    const char *path = NULL, *only = NULL;
    long reps = 11;
    int st = parse_args(argc, argv, &path, &only, &reps);
    if (st >= 0)
        return st;
    as_err err = {0};
    sim_scenario *sc = sim_scenario_load(path, NULL, 0, &err);
    if (sc == NULL) {
        fprintf(stderr, "simrun bench: %s\n", err.msg);
        return err.code == AS_EINVAL || err.code == AS_EIO || err.code == AS_ENOTFOUND ? 2 : 1;
    }
    const sim_tier_cfg *tc = &sc->tiers[0];
    for (int i = 0; i < sc->ntiers; i++)
        if (sc->tiers[i].autoscale) {
            tc = &sc->tiers[i];
            break;
        }
    int found = 0;
    for (int pi = 0; pi < sc->npolicies; pi++)
        found |= only == NULL || strcmp(only, sc->policies[pi].name) == 0;
    if (!found) {
        fprintf(stderr, "simrun bench: %s: no [policy.%s]\n", cli_shown(sc->path),
                cli_shown(only ? only : "NAME"));
        sim_scenario_free(sc);
        return 2;
    }
    bench_loop *x = malloc(sizeof *x);
    if (x == NULL) {
        sim_scenario_free(sc);
        fprintf(stderr, "simrun bench: out of memory\n");
        return 1;
    }
    printf("%s: decide() of each policy on tier %s (%d..%d instances)\n", cli_shown(sc->path),
           tc->name,
           tc->min, tc->max);
    printf("%-16s %-12s %12s %12s %12s %5s %8s\n", "policy", "kind", "median ns", "min ns",
           "max ns", "reps", "moves%");
    int rc = 0;
    for (int pi = 0; pi < sc->npolicies && rc == 0; pi++)
        if (only == NULL || strcmp(only, sc->policies[pi].name) == 0)
            rc = bench_policy(x, sc, tc, &sc->policies[pi], reps);
    free(x);
    sim_scenario_free(sc);
    return rc;
}
