/* test_scenario.c - INI loading: units, overrides, and errors that name
 * file, line and key. */
#include "sim_run.h"
#include "sim_sweep.h"
#include "sim_scenario.h"

#include <glob.h>
#include <math.h>

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static const char *write_ini(const char *text)
{
    snprintf(path, sizeof path, "/tmp/simtest_%d.ini", (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static const char *BASE = "[scenario]\n"            /* 1 */
                          "duration = 6h\n"         /* 2 */
                          "tick = 500ms\n"          /* 3 */
                          "seed = 7\n"              /* 4 */
                          "[tier.web]\n"            /* 5 */
                          "service_time = 20ms\n"   /* 6 */
                          "max = 10\n"              /* 7 */
                          "[slo]\n"                 /* 8 */
                          "latency = 200ms\n"       /* 9 */
                          "[policy.t]\n"            /* 10 */
                          "up = 0.75\n"             /* 11: before kind, on purpose */
                          "kind = threshold\n";     /* 12 */

Test(scenario, loads_units_and_kind_after_keys)
{
    as_err e = {0};
    sim_scenario *s = sim_scenario_load(write_ini(BASE), NULL, 0, &e);
    cr_assert_not_null(s, "%s", e.msg);
    cr_assert_eq(s->duration, 6 * AS_HOUR);
    cr_assert_eq(s->tick, 500 * AS_MSEC);
    cr_assert_eq(s->seed, 7);
    cr_assert_eq(s->ntiers, 1);
    cr_assert_str_eq(s->tiers[0].name, "web");
    cr_assert_eq(s->tiers[0].service_time, 20 * AS_MSEC);
    cr_assert_float_eq(s->slo_latency, 0.2, 1e-12);
    cr_assert_eq(s->npolicies, 1);
    cr_assert_str_eq(s->policies[0].type->name, "threshold");
    cr_assert_eq(s->policies[0].interval, s->policies[0].type->default_interval);
    cr_assert_not_null(strstr(s->text, "kind = threshold"));
    sim_scenario_free(s);
    unlink(path);
}

Test(scenario, misspelt_key_names_file_line_key)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", BASE);
    char *p = strstr(buf, "max = 10");
    memcpy(p, "mux", 3);
    as_err e = {0};
    cr_assert_null(sim_scenario_load(write_ini(buf), NULL, 0, &e));
    cr_assert_eq(e.code, AS_EINVAL);
    char want[128];
    snprintf(want, sizeof want, "%s:7: [tier.web] unknown key 'mux'", path);
    cr_assert(strstr(e.msg, want), "got: %s", e.msg);
    unlink(path);
}

Test(scenario, bad_values_and_sections)
{
    struct {
        const char *from, *to, *expect;
    } cases[] = {
        {"tick = 500ms", "tick = 500", ":3: [scenario] key 'tick': '500' has no unit"},
        {"seed = 7", "seed = -7", ":4: [scenario] key 'seed'"},
        {"[slo]", "[sloo]", ":9: [sloo] unknown section"},
        {"kind = threshold", "kind = thresold", ":12: [policy.t] key 'kind': unknown policy kind"},
        {"up = 0.75", "up = lots", ":11: [policy.t] key 'up': 'lots' is not a number"},
        {"max = 10", "max = 10\nmax = 11", ":8: [tier.web] duplicate key 'max' (first set at line 7)"},
        {"max = 10", "max = 10\nmin = 12", "min (12) is greater than max (10)"},
        {"max = 10", "max = 10\nboot_time = 7h", "boot_time is not shorter than the run"},
        {"latency = 200ms", "latency = 200ms junk", ":9: [slo] key 'latency'"},
        {"duration = 6h", "duration 6h", ":2: syntax error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[1024];
        const char *at = strstr(BASE, cases[i].from);
        cr_assert_not_null(at);
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - BASE), BASE, cases[i].to,
                 at + strlen(cases[i].from));
        as_err e = {0};
        sim_scenario *s = sim_scenario_load(write_ini(buf), NULL, 0, &e);
        cr_assert_null(s, "case %zu loaded", i);
        cr_assert(strstr(e.msg, cases[i].expect), "case %zu: got '%s'", i, e.msg);
    }
    unlink(path);
}

Test(scenario, set_overrides_with_same_validation)
{
    const char *ov[] = {"scenario.duration=2h", "tier.web.max=20", "policy.t.cooldown=30s"};
    as_err e = {0};
    sim_scenario *s = sim_scenario_load(write_ini(BASE), ov, 3, &e);
    cr_assert_not_null(s, "%s", e.msg);
    cr_assert_eq(s->duration, 2 * AS_HOUR);
    cr_assert_eq(s->tiers[0].max, 20);
    cr_assert_not_null(strstr(s->overrides, "tier.web.max=20"));
    sim_scenario_free(s);

    const char *bad[] = {"tier.web.max=lots"};
    cr_assert_null(sim_scenario_load(path, bad, 1, &e));
    cr_assert(strstr(e.msg, "--set tier.web.max=lots: key 'max'"), "%s", e.msg);
    const char *bad2[] = {"nodot=1"};
    cr_assert_null(sim_scenario_load(path, bad2, 1, &e));
    cr_assert(strstr(e.msg, "SECTION.KEY=VALUE"), "%s", e.msg);
    unlink(path);
}

Test(scenario, files_that_are_not_scenarios)
{
    as_err e = {0};
    cr_assert_null(sim_scenario_load("/nonexistent/x.ini", NULL, 0, &e));
    cr_assert(strstr(e.msg, "/nonexistent/x.ini: cannot open"), "%s", e.msg);
    cr_assert_null(sim_scenario_load("/tmp", NULL, 0, &e));
    cr_assert(strstr(e.msg, "is a directory"), "%s", e.msg);
    cr_assert_null(sim_scenario_load(write_ini(""), NULL, 0, &e));
    cr_assert(strstr(e.msg, "empty scenario"), "%s", e.msg);
    /* a scenario without policies loads (trace gen uses it) but plans no run */
    sim_scenario *np = sim_scenario_load(write_ini("[scenario]\nduration = 1h\n"), NULL, 0, &e);
    cr_assert_not_null(np, "%s", e.msg);
    sim_plan plan;
    cr_assert_eq(sim_plan_build(path, NULL, 0, np, NULL, 0, 1000, &plan, &e), AS_EINVAL);
    cr_assert(strstr(e.msg, "no [policy.NAME]"), "%s", e.msg);
    sim_scenario_free(np);
    unlink(path);
}

Test(scenario, every_bundled_scenario_runs_a_short_window, .timeout = 120)
{
    glob_t g;
    cr_assert_eq(glob("scenarios/*.ini", 0, NULL, &g), 0);
    cr_assert_geq(g.gl_pathc, 7, "the catalogue");
    const char *ov[] = {"scenario.duration=2h"};
    for (size_t i = 0; i < g.gl_pathc; i++) {
        as_err e = {0};
        sim_scenario *s = sim_scenario_load(g.gl_pathv[i], ov, 1, &e);
        cr_assert_not_null(s, "%s: %s", g.gl_pathv[i], e.msg);
        cr_assert_gt(s->npolicies, 0);
        for (int p = 0; p < s->npolicies; p++) {
            sim_summary_row row;
            cr_assert_eq(sim_run_policy(s, p, NULL, NULL, &row, &e), AS_OK, "%s [%s]: %s",
                         g.gl_pathv[i], s->policies[p].name, e.msg);
            cr_assert(isfinite(row.cost_total) && row.cost_total > 0, "%s", g.gl_pathv[i]);
            cr_assert(isfinite(row.p95) && row.p95 > 0);
        }
        sim_scenario_free(s);
    }
    globfree(&g);
}
