/* test_params.c - value parsers: durations with units, numbers, spans,
 * the parameter kinds (names through as_name_check, tests/test_name.c),
 * errors. */
#include "as_param.h"

#include <criterion/criterion.h>
#include <string.h>

Test(params, durations_with_units)
{
    as_time t;
    cr_assert_eq(as_parse_duration("250ms", &t, NULL), AS_OK);
    cr_assert_eq(t, 250 * AS_MSEC);
    cr_assert_eq(as_parse_duration("90s", &t, NULL), AS_OK);
    cr_assert_eq(t, 90 * AS_SEC);
    cr_assert_eq(as_parse_duration("15m", &t, NULL), AS_OK);
    cr_assert_eq(t, 15 * AS_MIN);
    cr_assert_eq(as_parse_duration("6h", &t, NULL), AS_OK);
    cr_assert_eq(t, 6 * AS_HOUR);
    cr_assert_eq(as_parse_duration("2d", &t, NULL), AS_OK);
    cr_assert_eq(t, 2 * AS_DAY);
    cr_assert_eq(as_parse_duration(" 1.5m ", &t, NULL), AS_OK);
    cr_assert_eq(t, 90 * AS_SEC);
    cr_assert_eq(as_parse_duration("20us", &t, NULL), AS_OK);
    cr_assert_eq(t, 20);
    /* zero needs no unit ("season = 0" means none); any other number does */
    t = 77;
    cr_assert_eq(as_parse_duration(" 0 ", &t, NULL), AS_OK);
    cr_assert_eq(t, 0);
    t = 77;
    cr_assert_eq(as_parse_duration("0.0", &t, NULL), AS_OK);
    cr_assert_eq(t, 0);
}

Test(params, duration_errors)
{
    as_err e = {0};
    as_time t = 77;
    cr_assert_eq(as_parse_duration("90", &t, &e), AS_EINVAL);
    cr_assert(strstr(e.msg, "no unit"));
    cr_assert_eq(as_parse_duration("90x", &t, &e), AS_EINVAL);
    cr_assert(strstr(e.msg, "unknown time unit"));
    cr_assert_eq(as_parse_duration("-5s", &t, &e), AS_EINVAL);
    cr_assert_eq(as_parse_duration("", &t, &e), AS_EINVAL);
    cr_assert_eq(as_parse_duration("nans", &t, &e), AS_EINVAL);
    cr_assert_eq(as_parse_duration("1e300s", &t, &e), AS_EINVAL);
    cr_assert_eq(t, 77, "a rejected value writes nothing");
}

Test(params, numbers_percent_and_bounds)
{
    double v;
    cr_assert_eq(as_parse_double("80%", &v, NULL), AS_OK);
    cr_assert_float_eq(v, 0.8, 1e-15);
    cr_assert_eq(as_parse_double("0.5x", &v, NULL), AS_EINVAL);
    cr_assert_eq(as_parse_double("inf", &v, NULL), AS_EINVAL);
    cr_assert_eq(as_parse_double("nan", &v, NULL), AS_EINVAL);
    long l;
    cr_assert_eq(as_parse_int("12", &l, NULL), AS_OK);
    cr_assert_eq(l, 12);
    cr_assert_eq(as_parse_int("1.5", &l, NULL), AS_EINVAL);
    cr_assert_eq(as_parse_int("99999999999999999999", &l, NULL), AS_EINVAL);

    typedef struct {
        double x;
        int n;
    } cfg;
    static const as_param_def defs[] = {
        {"x", AS_P_DOUBLE, offsetof(cfg, x), 0, 1, NULL, 0, ""},
        {"n", AS_P_INT, offsetof(cfg, n), 1, 10, NULL, 0, ""},
        {0},
    };
    cfg c = {0.5, 3};
    as_err e = {0};
    cr_assert_eq(as_param_set(defs, &c, "x", "2", &e), AS_EINVAL);
    cr_assert(strstr(e.msg, "key 'x'") && strstr(e.msg, "outside"), "%s", e.msg);
    cr_assert_float_eq(c.x, 0.5, 0);
    cr_assert_eq(as_param_set(defs, &c, "nope", "1", &e), AS_ENOTFOUND);
    cr_assert_eq(as_param_set(defs, &c, "n", "7", &e), AS_OK);
    cr_assert_eq(c.n, 7);
}

/* ---- the kinds that were keys read by hand ---- */

typedef struct kinds_cfg {
    uint64_t seed;
    double latency_s;
    char name[16];
    char names[24];
    as_time every;
} kinds_cfg;

static const as_param_def kinds_defs[] = {
    {"seed", AS_P_U64, offsetof(kinds_cfg, seed), 0, 0, NULL, 0, ""},
    {"latency", AS_P_SECONDS, offsetof(kinds_cfg, latency_s), 1e-3, 60, NULL, 0, ""},
    {"name", AS_P_NAME, offsetof(kinds_cfg, name), 0, 0, NULL, 16, ""},
    {"tiers", AS_P_NAMES, offsetof(kinds_cfg, names), 0, 0, NULL, 24, ""},
    {"every", AS_P_DURATION, offsetof(kinds_cfg, every), 1e-3, 3600, NULL, 0, ""},
    {0},
};

Test(params, u64_seconds_name_and_names)
{
    kinds_cfg c = {0};
    as_err e = {0};
    cr_assert_eq(as_param_set(kinds_defs, &c, "seed", "18446744073709551615", &e), AS_OK, "%s",
                 e.msg);
    cr_expect_eq(c.seed, UINT64_MAX);
    const char *bad_seeds[] = {"18446744073709551616", "-1", "0x10", "1.5", "+", ""};
    for (size_t i = 0; i < sizeof bad_seeds / sizeof bad_seeds[0]; i++) {
        cr_expect_eq(as_param_set(kinds_defs, &c, "seed", bad_seeds[i], &e), AS_EINVAL, "%s",
                     bad_seeds[i]);
        cr_expect(strstr(e.msg, "key 'seed': "), "%s", e.msg);
    }
    cr_expect_eq(c.seed, UINT64_MAX, "a rejected seed writes nothing");

    cr_assert_eq(as_param_set(kinds_defs, &c, "latency", "250ms", &e), AS_OK, "%s", e.msg);
    cr_expect_float_eq(c.latency_s, 0.25, 1e-15);
    char buf[64];
    as_param_format(&kinds_defs[1], &c, buf, sizeof buf);
    cr_expect_str_eq(buf, "250ms");
    cr_expect_eq(as_param_set(kinds_defs, &c, "latency", "0.25", &e), AS_EINVAL, "no unit");
    cr_expect_eq(as_param_set(kinds_defs, &c, "latency", "2m", &e), AS_EINVAL);
    cr_expect(strstr(e.msg, "key 'latency': 2m is outside [1ms, 1m]"), "%s", e.msg);

    cr_assert_eq(as_param_set(kinds_defs, &c, "name", " web.1 ", &e), AS_OK, "%s", e.msg);
    cr_expect_str_eq(c.name, "web.1");
    cr_expect_eq(as_param_set(kinds_defs, &c, "name", "../etc", &e), AS_EINVAL);
    cr_expect(strstr(e.msg, "key 'name': name \"../etc\" starts with '.'"), "%s", e.msg);
    cr_expect_str_eq(c.name, "web.1");

    cr_assert_eq(as_param_set(kinds_defs, &c, "tiers", "web, app db", &e), AS_OK, "%s", e.msg);
    cr_expect_str_eq(c.names, "web,app,db");
    cr_expect_eq(as_param_set(kinds_defs, &c, "tiers", " , ", &e), AS_EINVAL);
    cr_expect(strstr(e.msg, "key 'tiers': empty list"), "%s", e.msg);
    cr_expect_eq(as_param_set(kinds_defs, &c, "tiers", "web, a/b", &e), AS_EINVAL);
    cr_expect(strstr(e.msg, "name \"a/b\" has '/' at byte 2"), "%s", e.msg);
    cr_expect_eq(as_param_set(kinds_defs, &c, "tiers", "web, app, db, cache, queue, x", &e),
                 AS_EINVAL, "24 characters do not fit char[24]");
    cr_expect_str_eq(c.names, "web,app,db", "a rejected list writes nothing");
    cr_expect_eq(as_param_set(kinds_defs, &c, "tiers", "web app db cache queue1", &e), AS_OK,
                 "23 characters fit: %s", e.msg);
    cr_expect_str_eq(c.names, "web,app,db,cache,queue1");

    /* duration bounds are shown as durations */
    cr_expect_eq(as_param_set(kinds_defs, &c, "every", "1us", &e), AS_EINVAL);
    cr_expect(strstr(e.msg, "key 'every': 1us is outside [1ms, 1h]"), "%s", e.msg);
}

Test(params, copy_of_the_new_kinds_is_exact_and_checked)
{
    kinds_cfg a = {0}, b = {0};
    as_err e = {0};
    cr_assert_eq(as_param_set(kinds_defs, &a, "seed", "12345678901234567890", &e), AS_OK);
    cr_assert_eq(as_param_set(kinds_defs, &a, "latency", "1.234567s", &e), AS_OK);
    cr_assert_eq(as_param_set(kinds_defs, &a, "name", "web.2", &e), AS_OK);
    cr_assert_eq(as_param_set(kinds_defs, &a, "tiers", "web app", &e), AS_OK);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(as_param_copy(&kinds_defs[i], &b, &kinds_defs[i], &a, &e), AS_OK, "%s",
                     e.msg);
    cr_expect_eq(b.seed, 12345678901234567890ULL);
    cr_expect_eq(b.latency_s, a.latency_s, "bit for bit");
    cr_expect_str_eq(b.name, "web.2");
    cr_expect_str_eq(b.names, "web,app");
    /* the target's bounds apply */
    as_param_def narrow = kinds_defs[1];
    narrow.max = 1;
    cr_expect_eq(as_param_copy(&narrow, &b, &kinds_defs[1], &a, &e), AS_EINVAL);
    cr_expect(strstr(e.msg, "key 'latency': 1234567us is outside [1ms, 1s]"), "%s", e.msg);
}

Test(params, spans)
{
    as_time st = -1, ln = -1;
    cr_assert_eq(as_parse_span("6h, 10m", &st, &ln, NULL), AS_OK);
    cr_expect(st == 6 * AS_HOUR && ln == 10 * AS_MIN);
    cr_assert_eq(as_parse_span(" 0s ,1s", &st, &ln, NULL), AS_OK);
    cr_expect(st == 0 && ln == AS_SEC);
    const char *bad[] = {"6h", "6h, 0s", "6h, 10m junk", "6h 10m", ", 1s", "x, 1s", "6h, -1s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        as_err e = {0};
        st = ln = 77;
        cr_expect_eq(as_parse_span(bad[i], &st, &ln, &e), AS_EINVAL, "'%s' accepted", bad[i]);
        cr_expect(st == 77 && ln == 77, "'%s' wrote", bad[i]);
        cr_expect_neq(e.msg[0], '\0');
    }
}
