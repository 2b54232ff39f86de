/* test_params.c - value parsers: durations with units, numbers, errors. */
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
