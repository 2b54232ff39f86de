/* test_scenario.c - INI loading: units, overrides, and errors that name
 * file, line and key; --set never adds a section; names, inputs that are
 * not regular files, and the limits of the loader. */
#include "sim_run.h"
#include "sim_sweep.h"
#include "sim_scenario.h"
#include "test_helpers.h"

#include <glob.h>
#include <math.h>

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char path[256];

static const char *write_ini(const char *text)
{
    snprintf(path, sizeof path, "%s/simtest_%d.ini", th_tmpdir(), (int)getpid());
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

/* One edit of BASE: the first `from` replaced by `to`. */
typedef struct edit_case {
    const char *from, *to, *expect;
} edit_case;

/* Load each edit of BASE: it must fail with a message holding `expect`. */
static void expect_edits_fail(const edit_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char buf[1024];
        const char *at = strstr(BASE, cases[i].from);
        cr_assert_not_null(at);
        snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - BASE), BASE, cases[i].to,
                 at + strlen(cases[i].from));
        as_err e = {0};
        cr_expect_null(sim_scenario_load(write_ini(buf), NULL, 0, &e), "case %zu loaded", i);
        cr_expect(strstr(e.msg, cases[i].expect), "case %zu: got '%s'", i, e.msg);
    }
}

Test(scenario, bad_values_and_sections)
{
    static const edit_case cases[] = {
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
    expect_edits_fail(cases, sizeof cases / sizeof cases[0]);
    unlink(path);
}

/* Configurations the engine would have run as something else: a static
 * count outside the tier's [min, max] (clamped), an empty item in a list
 * of HPA scaling policies (skipped). And a kind's own refusal points at
 * the key's line, not at the section's. */
Test(scenario, configs_not_modelled_are_refused_at_their_key)
{
    static const edit_case cases[] = {
        {"up = 0.75\nkind = threshold", "kind = static\ninstances = 11",
         ":12: [policy.t] key 'instances': 11 is above [tier.web] max = 10"},
        {"max = 10", "max = 10\nmin = 3\ninitial = 3\n[policy.s]\nkind = static\ninstances = 2",
         ":12: [policy.s] key 'instances': 2 is below [tier.web] min = 3"},
        {"up = 0.75\nkind = threshold",
         "kind = hpa\nbehavior = true\nup_policies = pods:4:15s,",
         ":13: [policy.t] key 'up_policies': 'pods:4:15s,' has an empty item"},
        {"up = 0.75\nkind = threshold",
         "kind = hpa\nbehavior = true\ndown_policies = , percent:10:60s",
         ":13: [policy.t] key 'down_policies': ', percent:10:60s' has an empty item"},
        {"up = 0.75\nkind = threshold",
         "kind = hpa\nmetrics = resource:cpu:utilization:60,,pods:rps:averagevalue:10",
         ":12: [policy.t] key 'metrics': 'resource:cpu:utilization:60,,pods:rps:averagevalue:10' "
         "has an empty item"},
        /* refused by the kind's init: its line, not the section's (11) */
        {"up = 0.75\nkind = threshold", "kind = hpa\n\nup_policies = pods:4:15s",
         ":13: [policy.t] key 'up_policies' is a behavior field"},
    };
    expect_edits_fail(cases, sizeof cases / sizeof cases[0]);
    unlink(path);
}

/* An event the run never sees ran to exit 0 without it: refused at its
 * line. A window chosen with --set (tune's parts, a short trial) is not. */
Test(scenario, trace_events_outside_the_run_are_refused)
{
    static const edit_case cases[] = {
        {"seed = 7", "seed = 7\n[trace]\nspike = 6h, 1m, 1m, 2",
         ":6: [trace] key 'spike': starts at 6h, at or after the run's end at 6h"},
        {"seed = 7", "seed = 7\n[trace]\nspike = 1h, 1m, 1m, 2\nspike = 38h, 2m, 20m, 8",
         ":7: [trace] key 'spike': starts at 38h, at or after the run's end at 6h"},
        {"seed = 7", "seed = 7\n[trace]\nskip = 2h\nspike = 1h, 1m, 1m, 2, 1m",
         ":7: [trace] key 'spike': ends at 63m, before the run starts at 2h (skip)"},
        {"seed = 7", "seed = 7\n[trace]\nramp = 1h, 1h, 2\nstep = 7h, 2",
         ":7: [trace] key 'step': starts at 7h"},
        {"seed = 7", "seed = 7\n[trace]\nramp = 8h, 1h, 2", ":6: [trace] key 'ramp': starts at 8h"},
    };
    expect_edits_fail(cases, sizeof cases / sizeof cases[0]);
    char buf[1024];
    /* seen in part: a spike across the end, a ramp from before a skip */
    snprintf(buf, sizeof buf, "%s[trace]\nspike = 359m, 1m, 1h, 2\nskip = 1h\nramp = 30m, 1h, 2\n",
             BASE);
    as_err e = {0};
    sim_scenario *s = sim_scenario_load(write_ini(buf), NULL, 0, &e);
    cr_expect_not_null(s, "%s", e.msg);
    sim_scenario_free(s);
    snprintf(buf, sizeof buf, "%s[trace]\nspike = 5h, 1m, 1m, 2\n", BASE);
    const char *window[] = {"scenario.duration=2h"};
    s = sim_scenario_load(write_ini(buf), window, 1, &e);
    cr_expect_not_null(s, "a --set window: %s", e.msg);
    sim_scenario_free(s);
    unlink(path);
}

static void collect(void *ud, const char *line)
{
    fprintf((FILE *)ud, "%s\n", line);
}

/* The loader's warnings (at most n bytes) of loading text with overrides. */
static void load_warnings(const char *text, const char *const *ov, int nov, char *out, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *w = open_memstream(&buf, &len);
    cr_assert_not_null(w);
    sim_warn sink = {collect, w, false};
    sim_load_opts o = {ov, nov, &sink};
    as_err e = {0};
    sim_scenario *s = sim_scenario_open(write_ini(text), &o, &e);
    cr_assert_not_null(s, "%s", e.msg);
    sim_scenario_free(s);
    fclose(w);
    snprintf(out, n, "%s", buf);
    free(buf);
}

/* A rate file of n samples of 5 every step_s seconds from 0, its path
 * (in the test folder, named after tag) into path. */
static void write_rate_csv(char *path_out, size_t n_out, const char *tag, int n, int step_s)
{
    snprintf(path_out, n_out, "%s/simtest_%s_%d.csv", th_tmpdir(), tag, (int)getpid());
    FILE *f = fopen(path_out, "w");
    cr_assert_not_null(f);
    fputs("time_s,rate\n", f);
    for (int k = 0; k < n; k++)
        fprintf(f, "%d,5\n", step_s * k);
    fclose(f);
}

/* A run that outlasts its replayed file (at_end = zero) ran hours of zero
 * load to exit 0 without a word: now a warning at the line of `file`,
 * with where the replay ends and the duration that would fit. */
Test(scenario, a_run_longer_than_its_file_is_warned)
{
    char csv[300], text[1024], got[2048];
    write_rate_csv(csv, sizeof csv, "ends", 61, 60);
    snprintf(text, sizeof text, "%s[trace]\nfile = %s\n", BASE, csv);
    load_warnings(text, NULL, 0, got, sizeof got);
    cr_expect(strstr(got, ":14: warning: [trace] file: the replay runs out at 61m of the 6h run") !=
                  NULL, "%s", got);
    cr_expect(strstr(got, "its last 299m (4.98 h) run at zero load") != NULL, "%s", got);
    cr_expect(strstr(got, "set duration = 61m") != NULL, "%s", got);
    const char *fits[] = {"scenario.duration=61m"};
    load_warnings(text, fits, 1, got, sizeof got);
    cr_expect_str_empty(got);
    const char *held[] = {"trace.at_end=hold"};
    load_warnings(text, held, 1, got, sizeof got);
    cr_expect_str_empty(got);
    const char *later[] = {"scenario.duration=61m", "trace.start=1m"};
    load_warnings(text, later, 2, got, sizeof got);
    cr_expect(strstr(got, "runs out at 1h of the 61m run") != NULL, "%s", got);
    cr_expect(strstr(got, "its last 1m run at zero load") != NULL, "%s", got);
    unlink(csv);
    unlink(path);
}

/* A replayed file longer than a run whose duration is not set (the
 * default 1d): warned, with the duration that replays it whole; a
 * duration set in the file or by a --set is taken as meant, and a file
 * the default run reads to its last sample is not warned. */
Test(scenario, a_file_longer_than_the_default_duration_is_warned)
{
    char csv[300], text[1024], got[2048];
    write_rate_csv(csv, sizeof csv, "long", 72, 3600); /* hourly for three days: last at 71h */
    const char *base = strstr(BASE, "tick =");
    cr_assert_not_null(base);
    snprintf(text, sizeof text, "[scenario]\n%s[trace]\nfile = %s\n", base, csv);
    load_warnings(text, NULL, 0, got, sizeof got);
    cr_expect(strstr(got, "warning: [scenario] duration is not set: the run lasts the default "
                          "1d and stops short of the replayed file, whose last sample comes at "
                          "71h") != NULL,
              "%s", got);
    cr_expect(strstr(got, "set duration = 3d to replay it whole") != NULL, "%s", got);
    const char *set[] = {"scenario.duration=2d"};
    load_warnings(text, set, 1, got, sizeof got);
    cr_expect_str_empty(got);
    const char *later[] = {"trace.start=48h"}; /* the last sample at 23h of the run */
    load_warnings(text, later, 1, got, sizeof got);
    cr_expect_str_empty(got);
    unlink(csv);
    unlink(path);
}

/* An SLO latency below what the service alone takes for the SLO's share
 * of requests: no count of instances meets it (every run misses, the
 * oracle goes to max). Warned at the line of `latency`; a law whose
 * percentile is within the latency, or a tier visited by a fraction of the
 * requests, is not. BASE: 20 ms exponential at 200 ms, p95 (60 ms). */
Test(scenario, an_slo_below_the_service_time_alone_is_warned)
{
    char got[2048];
    load_warnings(BASE, NULL, 0, got, sizeof got);
    cr_expect_str_empty(got);
    const char *slow[] = {"tier.web.service_time=100ms"}; /* p95 299.6 ms */
    load_warnings(BASE, slow, 1, got, sizeof got);
    cr_expect(strstr(got, ":9: warning: [slo] latency: 200 ms is below what tier web's service "
                          "alone takes for 95% of requests (299.6 ms, with no wait)") != NULL,
              "%s", got);
    const char *det[] = {"tier.web.service_time=190ms", "tier.web.service_dist=deterministic"};
    load_warnings(BASE, det, 2, got, sizeof got);
    cr_expect_str_empty(got);
    const char *p50[] = {"tier.web.service_time=100ms", "slo.percentile=50%"}; /* 69.3 ms */
    load_warnings(BASE, p50, 2, got, sizeof got);
    cr_expect_str_empty(got);
    const char *part[] = {"tier.web.service_time=100ms", "tier.web.visits=0.5"};
    load_warnings(BASE, part, 2, got, sizeof got);
    cr_expect_str_empty(got);
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

/* ---- --set changes sections, it never adds one ---- */

Test(scenario, set_never_adds_a_section)
{
    as_err e = {0};
    const char *tier[] = {"tier.wbe.max=40"};
    cr_assert_null(sim_scenario_load(write_ini(BASE), tier, 1, &e), "a typo built a tier");
    cr_expect(strstr(e.msg, "--set tier.wbe.max=40: no [tier.wbe] in ") &&
                  strstr(e.msg, "(tiers: web)"),
              "%s", e.msg);
    const char *pol[] = {"policy.t2.kind=hpa"};
    cr_assert_null(sim_scenario_load(path, pol, 1, &e), "a typo built a policy");
    cr_expect(strstr(e.msg, "--set policy.t2.kind=hpa: no [policy.t2]") &&
                  strstr(e.msg, "(policies: t)"),
              "%s", e.msg);
    /* a section the file has (or the default tier of a file without
     * tiers) takes new keys */
    const char *ok[] = {"tier.web.initial=2", "policy.t.down=0.2"};
    sim_scenario *s = sim_scenario_load(path, ok, 2, &e);
    cr_assert_not_null(s, "%s", e.msg);
    cr_expect_eq(s->tiers[0].initial, 2);
    sim_scenario_free(s);
    const char *app[] = {"tier.app.max=3"};
    s = sim_scenario_load(write_ini("[scenario]\nduration = 1h\n[policy.a]\nkind = static\n"), app,
                          1, &e);
    cr_assert_not_null(s, "%s", e.msg);
    cr_expect(s->ntiers == 1 && strcmp(s->tiers[0].name, "app") == 0 && s->tiers[0].max == 3);
    sim_scenario_free(s);
    /* so does a sweep, whose points are --set overrides */
    char buf[1024];
    snprintf(buf, sizeof buf, "%s[sweep]\ntier.wbe.max = 10, 20\n", BASE);
    cr_assert_null(sim_scenario_load(write_ini(buf), NULL, 0, &e));
    cr_expect(strstr(e.msg, ":14: [sweep] key 'tier.wbe.max': no [tier.wbe] (tiers: web)"), "%s",
              e.msg);
    unlink(path);
}

Test(scenario, policy_interval_has_the_1ms_minimum)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%sinterval = 1us\n", BASE);
    as_err e = {0};
    cr_assert_null(sim_scenario_load(write_ini(buf), NULL, 0, &e), "1us accepted");
    cr_expect(strstr(e.msg, ":13: [policy.t] key 'interval': 1us is outside [1ms, "), "%s", e.msg);
    const char *ms[] = {"policy.t.interval=1ms"};
    sim_scenario *s = sim_scenario_load(path, ms, 1, &e);
    cr_assert_not_null(s, "%s", e.msg);
    cr_expect_eq(s->policies[0].interval, AS_MSEC);
    sim_scenario_free(s);
    unlink(path);
}

/* ---- names ---- */

Test(scenario, names_are_validated_where_they_are_written)
{
    static const edit_case cases[] = {
        /* the line of a section's first key, where the name is first used */
        {"[tier.web]", "[tier.../web]",
         ":6: [tier.../web] bad tier name: name \"../web\" starts with '.'"},
        {"[tier.web]", "[tier.a b]", ":6: [tier.a b] bad tier name: name \"a b\" has a space"},
        {"[policy.t]", "[policy.t/x]", ":11: [policy.t/x] bad policy name: name \"t/x\" has '/'"},
        {"seed = 7", "seed = 7\nname = ..", ":5: [scenario] key 'name': name \"..\" starts with '.'"},
        {"max = 10", "max = 10\ntype = a:b", ":8: [tier.web] key 'type': name \"a:b\" has ':'"},
        {"max = 10", "max = 10\ntypes = x/y:1:0.1:1s", "key 'types': name \"x/y\" has '/'"},
        {"kind = threshold", "kind = threshold\ntiers = web, db",
         ":13: [policy.t] key 'tiers': no [tier.db]"},
    };
    expect_edits_fail(cases, sizeof cases / sizeof cases[0]);
    as_err e = {0};
    const char *dots[] = {"scenario.name=../x"};
    cr_expect_null(sim_scenario_load(path, dots, 1, &e));
    cr_expect(strstr(e.msg, "--set scenario.name=../x: key 'name': name \"../x\" starts with '.'"), "%s",
              e.msg);
    unlink(path);
}

/* A section name, a key or a --set argument is the user's text: a message
 * shows it escaped (one line, no escape sequence reaching the terminal),
 * as it shows names. They were printed raw. */
Test(scenario, messages_escape_the_users_text)
{
    static const edit_case cases[] = {
        {"[policy.t]", "[policy.t\033[2J]", ":11: [policy.t\\x1b[2J] bad policy name"},
        {"max = 10", "m\033[31max = 10", ":7: [tier.web] unknown key 'm\\x1b[31max'"},
        {"up = 0.75", "u\377p = 0.75", ":11: [policy.t] unknown key 'u\\xffp' for kind threshold"},
        /* a value: every parser of as_param shows it escaped */
        {"max = 10", "max = 1\033[2J", ":7: [tier.web] key 'max': '1\\x1b[2J' is not an integer"},
        {"up = 0.75", "up = \377", ":11: [policy.t] key 'up': '\\xff' is not a number"},
        {"tick = 500ms", "tick = 5\033s", ":3: [scenario] key 'tick': '5\\x1bs' is not a duration"},
    };
    expect_edits_fail(cases, sizeof cases / sizeof cases[0]);
    const char *sets[][1] = {{"scenario.name=a\nb"}, {"scenario.na\033me=x"}, {"x\ny"}};
    const char *expect[] = {"--set scenario.name=a\\nb: key 'name'",
                            "--set scenario.na\\x1bme=x: unknown key 'na\\x1bme'",
                            "--set x\\ny: expected SECTION.KEY=VALUE"};
    for (int i = 0; i < 3; i++) {
        as_err e = {0};
        cr_expect_null(sim_scenario_load(write_ini(BASE), sets[i], 1, &e));
        cr_expect(strstr(e.msg, expect[i]), "set %d: got '%s'", i, e.msg);
        for (const char *c = e.msg; *c; c++)
            cr_expect((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f,
                      "set %d: raw byte 0x%02x in '%s'", i, (unsigned char)*c, e.msg);
    }
    unlink(path);
}

Test(scenario, default_name_comes_from_a_valid_file_name)
{
    char dir[256], file[320];
    snprintf(dir, sizeof dir, "%s/simtest_names_%d", th_tmpdir(), (int)getpid());
    mkdir(dir, 0777);
    const char *text = "[scenario]\nduration = 1h\n";
    struct {
        const char *file, *name, *error;
    } cases[] = {
        {"good-one.v2.ini", "good-one", NULL},
        {"bad name.ini", NULL,
         "the scenario name comes from the file name, and name \"bad name\" has a space"},
        {".hidden.ini", NULL, "the file name gives no scenario name"},
        {"a\nb.ini", NULL, "name \"a\\nb\" has '\\n'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(file, sizeof file, "%s/%s", dir, cases[i].file);
        FILE *f = fopen(file, "w");
        cr_assert_not_null(f);
        fputs(text, f);
        fclose(f);
        as_err e = {0};
        sim_scenario *s = sim_scenario_load(file, NULL, 0, &e);
        if (cases[i].name) {
            cr_expect_not_null(s, "case %zu: %s", i, e.msg);
            cr_expect(s && strcmp(s->name, cases[i].name) == 0, "case %zu: %s", i,
                      s ? s->name : "");
        } else {
            cr_expect_null(s, "case %zu loaded", i);
            cr_expect(strstr(e.msg, cases[i].error) && strstr(e.msg, "set [scenario] name"),
                      "case %zu: %s", i, e.msg);
            cr_expect_null(strchr(e.msg, '\n'), "case %zu: more than one line", i);
        }
        sim_scenario_free(s);
        /* setting the name is the way out */
        const char *named[] = {"scenario.name=fine"};
        s = sim_scenario_load(file, named, 1, &e);
        cr_expect(s && strcmp(s->name, "fine") == 0, "case %zu: %s", i, e.msg);
        sim_scenario_free(s);
        unlink(file);
    }
    rmdir(dir);
}

/* ---- inputs that are not regular files, or too large ---- */

Test(scenario, only_regular_files_are_read)
{
    as_err e = {0};
    cr_assert_null(sim_scenario_load("/dev/zero", NULL, 0, &e));
    cr_expect(strstr(e.msg, "/dev/zero: is a character device, not a scenario file"), "%s", e.msg);
    char fifo[256];
    snprintf(fifo, sizeof fifo, "%s/simtest_fifo_%d.ini", th_tmpdir(), (int)getpid());
    unlink(fifo);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    /* no writer: a blocking open would never return (Criterion's timeout
     * would fail the test) */
    cr_assert_null(sim_scenario_load(fifo, NULL, 0, &e));
    cr_expect(strstr(e.msg, "is a FIFO (named pipe), not a scenario file"), "%s", e.msg);
    unlink(fifo);
    /* a sparse file one byte over the limit: refused by its size, unread */
    char big[256];
    snprintf(big, sizeof big, "%s/simtest_big_%d.ini", th_tmpdir(), (int)getpid());
    FILE *f = fopen(big, "w");
    cr_assert_not_null(f);
    cr_assert_eq(ftruncate(fileno(f), (off_t)SIM_SCENARIO_MAX_BYTES + 1), 0);
    fclose(f);
    cr_assert_null(sim_scenario_load(big, NULL, 0, &e));
    cr_expect(strstr(e.msg, "bytes is too large for a scenario file"), "%s", e.msg);
    unlink(big);
}

Test(scenario, more_keys_than_a_scenario_has, .timeout = 30)
{
    /* many distinct-looking keys cost n log n, then are refused */
    char file[256];
    snprintf(file, sizeof file, "%s/simtest_keys_%d.ini", th_tmpdir(), (int)getpid());
    FILE *f = fopen(file, "w");
    cr_assert_not_null(f);
    fputs("[trace]\n", f);
    for (int i = 0; i < 20000; i++)
        fprintf(f, "spike = %dm, 1m, 1m, 2\n", i);
    fclose(f);
    as_err e = {0};
    cr_assert_null(sim_scenario_load(file, NULL, 0, &e));
    cr_expect(strstr(e.msg, ":10002: more than 10000 keys"), "%s", e.msg);
    unlink(file);
}

/* ---- what else is now a parameter kind ---- */

Test(scenario, keys_that_were_read_by_hand)
{
    char buf[1024];
    snprintf(buf, sizeof buf,
             "%s[faults]\nmetric_outage = 1h, 10m\nmetric_outage = 3h, 5m\n"
             "[sweep]\nrepetitions = 3\n",
             BASE);
    const char *ov[] = {"scenario.seed=18446744073709551615", "slo.latency=150ms",
                        "policy.t.tiers=web", "policy.t.vertical=yes"};
    as_err e = {0};
    sim_scenario *s = sim_scenario_load(write_ini(buf), ov, 4, &e);
    cr_assert_not_null(s, "%s", e.msg);
    cr_expect_eq(s->seed, UINT64_MAX);
    cr_expect_float_eq(s->slo_latency, 0.15, 1e-15);
    cr_expect_eq(s->noutages, 2);
    cr_expect(s->outage_start[1] == 3 * AS_HOUR && s->outage_len[1] == 5 * AS_MIN);
    cr_expect_eq(s->repetitions, 3);
    cr_expect_eq(s->policies[0].tiers_mask, 1u);
    cr_expect(s->policies[0].vertical);
    sim_scenario_free(s);

    struct {
        const char *set, *expect;
    } bad[] = {
        {"scenario.seed=18446744073709551616", "key 'seed': '18446744073709551616' is larger"},
        {"slo.latency=0s", "key 'latency': 0s is outside [1us, 1d]"},
        {"faults.metric_outage=1h", "key 'metric_outage': '1h' is not START, LENGTH"},
        {"sweep.repetitions=0", "key 'repetitions': 0 is outside [1, 100000]"},
        {"policy.t.bottleneck=maybe", "key 'bottleneck': 'maybe' is not a boolean"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_null(sim_scenario_load(path, &bad[i].set, 1, &e), "case %zu loaded", i);
        cr_expect(strstr(e.msg, bad[i].expect), "case %zu: %s", i, e.msg);
    }
    unlink(path);
}

/* --help-keys FILTER as a string (caller frees); at least min key lines. */
static char *help_text(const char *filter, int min)
{
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    cr_assert_not_null(f);
    cr_assert_gt(sim_scenario_print_keys(f, filter), min);
    fclose(f);
    return text;
}

/* The line of text that starts with key holds want. */
static void expect_line_has(const char *text, const char *key, const char *want)
{
    const char *line = strstr(text, key);
    cr_assert_not_null(line, "no '%s' line", key);
    const char *end = strchr(line + 1, '\n');
    const char *hit = strstr(line, want);
    cr_expect(hit != NULL && end != NULL && hit < end, "'%s' line lacks '%s'", key, want);
}

Test(scenario, help_lists_every_section_from_the_table)
{
    char *text = help_text(NULL, 100);
    const char *want[] = {"[scenario]", "[trace]", "[tier.NAME]", "[slo]",  "[monitoring]",
                          "[faults]",   "[policy.NAME]", "[sweep]", " seed ", " interval ",
                          " tiers ",    " metric_outage ", " types ", " latency ",
                          " repetitions ", " SECTION.KEY ", "kind = hpa:"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect(strstr(text, want[i]), "'%s' missing from --help-keys", want[i]);
    free(text);
}

/* Every key of a table shows its default from a fresh config: the trace
 * library's keys too (their defaults used to be prose, and some had none). */
Test(scenario, help_shows_the_trace_keys_defaults)
{
    char *text = help_text("trace", 20);
    const char *want[] = {"\n    base ", "default 100}", "\n    daily_peak ", "default 14h}",
                          "\n    daily_amplitude ", "allowed [0, 1]; default 0}",
                          "\n    interpolate ", "default step}", "\n    at_end ",
                          "allowed zero|hold|loop; default zero}"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i += 2)
        expect_line_has(text, want[i], want[i + 1]);
    free(text);
}

/* The forecast keys every predictive kind shares show the default a
 * loaded policy gets (they are set by `kind = ...`, not by the table). */
Test(scenario, help_shows_the_forecast_keys_defaults)
{
    const char *ini = "[scenario]\nduration = 1h\n[policy.p]\nkind = predictive\n";
    as_err e = {0};
    sim_scenario *s = sim_scenario_load(write_ini(ini), NULL, 0, &e);
    cr_assert_not_null(s, "%s", e.msg);
    char want[4][64];
    snprintf(want[0], sizeof want[0], "default %s}", s->policies[0].forecaster);
    snprintf(want[1], sizeof want[1], "default %g}", s->policies[0].coverage);
    snprintf(want[2], sizeof want[2], "default %s}", s->policies[0].detector);
    snprintf(want[3], sizeof want[3], "default %gd}", as_time_to_s(s->policies[0].season) / 86400);
    sim_scenario_free(s);
    unlink(path);
    const char *key[4] = {"\n    forecaster ", "\n    coverage ", "\n    detector ", "\n    season "};
    char *text = help_text("policy", 20);
    for (int i = 0; i < 4; i++)
        expect_line_has(text, key[i], want[i]);
    free(text);
}

/* '.' is a name character, so a policy can be named like another's sweep
 * point: the plan refuses the clash instead of writing one run over the other. */
Test(scenario, run_names_never_collide)
{
    const char *text = "[scenario]\nduration = 1h\n[policy.a]\nkind = hpa\n[policy.a.p001]\n"
                       "kind = hpa\n[sweep]\npolicy.a.target = 0.5, 0.6\n";
    as_err e = {0};
    sim_scenario *s = sim_scenario_load(write_ini(text), NULL, 0, &e);
    cr_assert_not_null(s, "%s", e.msg);
    sim_plan plan;
    cr_expect_eq(sim_plan_build(path, NULL, 0, s, NULL, 0, 1000, &plan, &e), AS_EINVAL);
    cr_expect(strstr(e.msg, "two runs would be named 'a.p001' (of policies a and a.p001)"), "%s",
              e.msg);
    /* without the clash the same grid plans */
    const char *only[] = {"a"};
    cr_assert_eq(sim_plan_build(path, NULL, 0, s, only, 1, 1000, &plan, &e), AS_OK, "%s", e.msg);
    cr_expect_eq(plan.n, 2);
    cr_expect_str_eq(plan.runs[1].name, "a.p001");
    sim_plan_free(&plan);
    sim_scenario_free(s);
    unlink(path);
}
