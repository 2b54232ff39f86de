/* test_engine.c - the engine as an object: driven one event at a time
 * (boot timing, event order, stepping equals running), half-built engines
 * freed, and bounded work: tiny fault rates end, the request-level model
 * refuses runs beyond its limits and stays within its memory under
 * overload, clamped latencies are counted, and a signal stops a long run. */
#include "test_helpers.h"
#include "as_latdist.h"
#include "sim_engine.h"
#include "sim_run.h"
#include "sim_scenario.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *tmp_path(const char *name)
{
    static char p[256];
    char dir[128];
    snprintf(dir, sizeof dir, "%s/engtest_%d", th_tmpdir(), (int)getpid());
    mkdir(dir, 0777);
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static sim_scenario *load_text(const char *text, const char *const *ov, int nov)
{
    const char *path = tmp_path("s.ini");
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    as_err e = {0};
    sim_scenario *s = sim_scenario_load(path, ov, nov, &e);
    cr_assert_not_null(s, "%s", e.msg);
    return s;
}

/* One tier of 10 servers per instance at 100 ms; a static policy asks for
 * 3 instances at the first evaluation (60 s); boots take exactly 10 min. */
static const char *FLAT = "[scenario]\nduration = 1h\ntick = 1s\nrecord = 60s\nseed = 3\n"
                          "[trace]\nshape = flat\nbase = 50\nnoise = none\n"
                          "[tier.app]\nservice_time = 100ms\nconcurrency = 10\nmin = 1\n"
                          "max = 20\ninitial = 1\nboot_time = 10m\nprice = 0.36\n"
                          "[slo]\nlatency = 500ms\n"
                          "[policy.p]\nkind = static\ninstances = 3\ninterval = 60s\n";

Test(engine, an_instance_is_ready_exactly_at_its_boot_time)
{
    sim_scenario *s = load_text(FLAT, NULL, 0);
    as_err e = {0};
    sim_engine *g = sim_engine_new(s, 0, NULL, NULL, &e);
    cr_assert_not_null(g, "%s", e.msg);
    const as_pool *p = sim_engine_pool(g, 0);
    cr_assert_eq(p->ready, 1);
    as_time asked = -1;
    int readied = 0;
    sim_step ev;
    while (!sim_engine_done(g)) {
        int booting = p->booting;
        cr_assert_eq(sim_engine_step(g, &ev, &e), AS_OK, "%s", e.msg);
        cr_assert_eq(sim_engine_now(g), ev.t);
        if (ev.type == SIM_EV_EVAL && p->booting > booting) {
            cr_assert_eq(asked, -1, "a second scale-out");
            asked = ev.t;
            cr_assert_eq(p->booting, 2, "the policy asked for 3");
        }
        if (ev.type == SIM_EV_READY) {
            cr_assert_eq(ev.t, asked + 10 * AS_MIN, "ready at %lld us, asked at %lld",
                         (long long)ev.t, (long long)asked);
            cr_assert_eq(p->inst[ev.slot].state, AS_INST_READY);
            cr_assert_eq(p->inst[ev.slot].ready_at, ev.t);
            cr_assert_eq(p->inst[ev.slot].requested, asked);
            readied++;
        }
        if (asked >= 0 && ev.t < asked + 10 * AS_MIN)
            cr_assert_eq(p->ready, 1, "ready before its boot time at %lld", (long long)ev.t);
    }
    cr_assert_eq(asked, 60 * AS_SEC);
    cr_assert_eq(readied, 2);
    cr_assert_eq(p->ready, 3);
    cr_assert_eq(sim_engine_now(g), AS_HOUR);
    /* done: a step does nothing */
    cr_assert_eq(sim_engine_step(g, &ev, &e), AS_OK);
    cr_assert_eq(ev.type, -1);
    sim_engine_free(g);
    sim_scenario_free(s);
}

/* Stepping one event at a time gives the summary sim_run_policy gives, and
 * events come in (time, priority) order. */
Test(engine, stepping_gives_the_summary_of_a_whole_run, .timeout = 120)
{
    const char *ov[] = {"scenario.duration=6h"};
    as_err e = {0};
    sim_scenario *s = sim_scenario_load("scenarios/spike.ini", ov, 1, &e);
    cr_assert_not_null(s, "%s", e.msg);
    for (int pol = 0; pol < s->npolicies; pol++) {
        sim_summary_row whole, stepped;
        cr_assert_eq(sim_run_policy(s, pol, NULL, NULL, &whole, &e), AS_OK, "%s", e.msg);
        sim_engine *g = sim_engine_new(s, pol, NULL, NULL, &e);
        cr_assert_not_null(g, "%s", e.msg);
        cr_assert_eq(sim_engine_summary(g, &stepped, &e), AS_EINVAL, "a summary before the end");
        sim_step ev, last = {.t = 0, .type = SIM_EV_READY};
        long n = 0;
        while (!sim_engine_done(g)) {
            cr_assert_eq(sim_engine_step(g, &ev, &e), AS_OK, "%s", e.msg);
            cr_assert_geq(ev.t, last.t, "time went back");
            n++;
            last = ev;
        }
        cr_assert_eq(last.type, SIM_EV_END);
        cr_assert_gt(n, 6 * 3600, "%ld events: not one per tick", n);
        cr_assert_eq(sim_engine_summary(g, &stepped, &e), AS_OK);
        cr_assert_eq(memcmp(&whole, &stepped, sizeof whole), 0, "%s: stepped cost %.17g, run %.17g",
                     s->policies[pol].name, stepped.cost_total, whole.cost_total);
        cr_assert_gt(whole.cost_infra, 0);
        sim_engine_free(g);
    }
    sim_scenario_free(s);
}

/* ---- bounded work ---- */

Test(engine, a_tiny_crash_rate_ends, .timeout = 60)
{
    const char *tiny[] = {"faults.crash_rate=1e-20", "scenario.duration=6h"};
    sim_scenario *s = load_text(FLAT, tiny, 2);
    sim_summary_row row;
    as_err e = {0};
    cr_assert_eq(sim_run_policy(s, 0, NULL, NULL, &row, &e), AS_OK, "%s", e.msg);
    cr_assert_eq(row.faults, 0, "a crash at a rate of 1e-20 per hour");
    sim_scenario_free(s);
    /* the same path does inject crashes at a real rate */
    const char *real[] = {"faults.crash_rate=2", "scenario.duration=6h"};
    s = load_text(FLAT, real, 2);
    cr_assert_eq(sim_run_policy(s, 0, NULL, NULL, &row, &e), AS_OK, "%s", e.msg);
    cr_assert_gt(row.faults, 5);
    sim_scenario_free(s);
}

static const char *DES = "[scenario]\nduration = 2m\ntick = 1s\nrecord = 10s\nseed = 5\n"
                         "model = des\n"
                         "[trace]\nshape = flat\nbase = %s\nnoise = none\n"
                         "[tier.app]\nservice_time = 1s\nconcurrency = 1\nmin = 1\nmax = 1\n"
                         "initial = 1\nboot_time = 10s\nprice = 0.36\n"
                         "[slo]\nlatency = 2s\n"
                         "[policy.p]\nkind = static\ninstances = 1\n";

static sim_scenario *des(const char *base)
{
    char text[1024];
    snprintf(text, sizeof text, DES, base);
    return load_text(text, NULL, 0);
}

Test(engine, des_refuses_runs_beyond_its_limits)
{
    sim_scenario *s = des("1e12");
    as_err e = {0};
    cr_assert_null(sim_engine_new(s, 0, NULL, NULL, &e), "2.4e14 events were accepted");
    cr_assert_eq(e.code, AS_EINVAL);
    cr_assert(strstr(e.msg, "--max-events"), "%s", e.msg);
    /* raised, the same run is accepted (and not run here) */
    sim_run_opts o = {.max_events = 1000000000000000ULL};
    sim_engine *g = sim_engine_new(s, 0, NULL, &o, &e);
    cr_assert_not_null(g, "%s", e.msg);
    sim_engine_free(g);
    /* a memory limit below what the servers need */
    sim_scenario_free(s);
    s = des("10");
    o = (sim_run_opts){.max_memory = 64 * 1024};
    e = (as_err){0};
    cr_assert_null(sim_engine_new(s, 0, NULL, &o, &e));
    cr_assert(strstr(e.msg, "--max-memory"), "%s", e.msg);
    sim_scenario_free(s);
}

/* 2000 req/s into one server of 1 req/s: without a queue_cap the queue
 * grows by 2000 a second. A memory limit of 4 MiB caps it (drops counted
 * as clamped); the default limit leaves the same run unchanged. Requests
 * still queued at the end are served by the drain, one a second. */
Test(engine, des_overload_stays_within_its_memory_limit, .timeout = 60)
{
    sim_scenario *s = des("2000");
    sim_summary_row cut, full;
    as_err e = {0};
    sim_run_opts o = {.max_memory = 4u << 20};
    cr_assert_eq(sim_run_policy(s, 0, NULL, &o, &cut, &e), AS_OK, "%s", e.msg);
    cr_assert_eq(sim_run_policy(s, 0, NULL, NULL, &full, &e), AS_OK, "%s", e.msg);
    cr_assert_eq(full.dropped, 0.0, "the default limit dropped requests");
    cr_assert_eq(full.unfinished, 0.0, "the drain serves every queued request");
    /* 240k arrivals; a cap of about 80k waiting */
    cr_assert_gt(cut.dropped, 100000.0, "dropped %g", cut.dropped);
    /* drops by the derived cap are clamped figures; so are the requests the
     * arrival book, small under this limit (10 records of 10 s), had to
     * count at their age once they were older than it */
    cr_assert_gt(cut.unfinished, 0.0);
    cr_assert_eq(cut.clamped, cut.dropped + cut.unfinished, "clamped %g, dropped %g, unfinished %g",
                 cut.clamped, cut.dropped, cut.unfinished);
    cr_assert_eq(cut.requests, full.requests);
    /* drained one a second: the 240k-long queue waits longer than the
     * latency histogram reaches (38 h), the capped one does not */
    cr_assert_gt(full.clamped, 0.0);
    cr_assert_gt(full.p99, cut.p99);
    sim_scenario_free(s);
}

/* Latencies beyond the analytic model's range (a backlog of over 1e6 s)
 * are counted; a run within range counts none. */
Test(engine, clamped_latencies_are_counted)
{
    const char *flood[] = {"trace.base=1e12"};
    sim_scenario *s = load_text(FLAT, flood, 1);
    sim_summary_row row;
    as_err e = {0};
    cr_assert_eq(sim_run_policy(s, 0, NULL, NULL, &row, &e), AS_OK, "%s", e.msg);
    cr_assert_gt(row.clamped, 1e12, "clamped %g", row.clamped);
    cr_assert_gt(row.p50, 0.9 * AS_LD_MAX, "p50 %g", row.p50);
    sim_scenario_free(s);
    s = load_text(FLAT, NULL, 0);
    cr_assert_eq(sim_run_policy(s, 0, NULL, NULL, &row, &e), AS_OK, "%s", e.msg);
    cr_assert_eq(row.clamped, 0.0);
    sim_scenario_free(s);
}

/* ---- signals ---- */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A two-day request-level run (about 7e8 events, a minute or more) is
 * sent SIGTERM once its run has started: it must exit as interrupted (130)
 * within 10 s, not when the run ends. The bound is generous on purpose
 * (shared machines); the engine reads the flag every few milliseconds. */
Test(engine, sigterm_stops_a_long_des_run, .timeout = 120)
{
    const char *ini = "[scenario]\nname = long\nduration = 2d\ntick = 1s\nrecord = 60s\n"
                      "model = des\n[trace]\nshape = flat\nbase = 2000\nnoise = none\n"
                      "[tier.web]\nservice_time = 50ms\nconcurrency = 4\nmin = 40\nmax = 40\n"
                      "initial = 40\nboot_time = 90s\nprice = 0.1\n[slo]\nlatency = 250ms\n"
                      "[policy.s]\nkind = static\ninstances = 40\n";
    char path[256], out[256], partial[300];
    snprintf(path, sizeof path, "%s", tmp_path("long.ini"));
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(ini, f);
    fclose(f);
    snprintf(out, sizeof out, "%s", tmp_path("long.h5"));
    snprintf(partial, sizeof partial, "%s.runs/s.h5.partial", out);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        execl(th_simrun_path(), th_simrun_path(), path, "-o", out, "--force", "--no-report", "-q", "-j1",
              (char *)NULL);
        _exit(127);
    }
    /* started: the run's file exists (after the handlers are installed) */
    struct stat st;
    int st_code = 0;
    double t0 = now_s();
    while (stat(partial, &st) != 0 && now_s() - t0 < 60) {
        cr_assert_eq(waitpid(pid, &st_code, WNOHANG), 0, "simrun ended before its run started");
        usleep(10000);
    }
    cr_assert_eq(stat(partial, &st), 0, "the run did not start within 60 s");
    usleep(500000);
    cr_assert_eq(waitpid(pid, &st_code, WNOHANG), 0, "the run ended by itself");
    kill(pid, SIGTERM);
    double t1 = now_s();
    pid_t w = 0;
    while ((w = waitpid(pid, &st_code, WNOHANG)) == 0 && now_s() - t1 < 10)
        usleep(10000);
    if (w == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &st_code, 0);
    }
    cr_assert_neq(w, 0, "still running 10 s after SIGTERM");
    cr_assert(WIFEXITED(st_code) && WEXITSTATUS(st_code) == 130, "status %d", st_code);
    cr_log_info("exited %.2f s after SIGTERM", now_s() - t1);
}

static int count_tier_row(void *ud, int tier, const sim_tier_row *row, as_err *err)
{
    (void)tier;
    (void)err;
    int *n = ud;
    if (row->p95 > 0 && isfinite(row->seen_utilization))
        n[0]++;
    n[1]++;
    return AS_OK;
}

/* A run whose tier rows go nowhere leaves out what only they show (the
 * tiers' record latencies, the monitors' views): its summary is the same
 * to the bit as that of the run that records them, for every policy of a
 * three-tier scenario with a tier of two visits. */
Test(engine, a_run_without_tier_rows_sums_up_the_same)
{
    const char *ov[] = {"scenario.duration=12h"};
    as_err e = {0};
    sim_scenario *s = sim_scenario_load("scenarios/multitier.ini", ov, 1, &e);
    cr_assert_not_null(s, "%s", e.msg);
    for (int p = 0; p < s->npolicies; p++) {
        int n[2] = {0, 0};
        sim_sink sink = {.ud = n, .tier_row = count_tier_row};
        sim_summary_row with, without;
        cr_assert_eq(sim_run_policy(s, p, &sink, NULL, &with, &e), AS_OK, "%s", e.msg);
        cr_assert_eq(sim_run_policy(s, p, NULL, NULL, &without, &e), AS_OK, "%s", e.msg);
        cr_expect_eq(n[0], n[1], "policy %d: %d of %d tier rows with latencies", p, n[0], n[1]);
        cr_expect_gt(n[1], 0);
        cr_expect(memcmp(&with, &without, sizeof with) == 0,
                  "policy %d: p95 %.17g against %.17g, cost %.17g against %.17g", p, with.p95,
                  without.p95, with.cost_total, without.cost_total);
    }
    sim_scenario_free(s);
}
