/* as_param.c - strict value parsers and the parameter table setter. */
#include "as_param.h"

#include "as_name.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *skip_ws(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

static bool only_ws(const char *s) { return *skip_ws(s) == '\0'; }

/* strtod reads hexadecimal ("0x10" is 16); a scenario value never means it */
static bool is_hex(const char *s)
{
    s = skip_ws(s);
    if (*s == '+' || *s == '-')
        s++;
    return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

/* A value as a message shows it (as_name_printable): the file's or the
 * command line's bytes, so a control byte never reaches the terminal nor
 * splits the message. The buffer is a compound literal of the calling
 * block: valid for the as_err_set call it is an argument of. */
static const char *shown_value(const char *s, char *buf, size_t n)
{
    as_name_printable(s, buf, n);
    return buf;
}
#define SHOWN(s) shown_value((s), (char[160]){0}, 160)

int as_parse_double(const char *s, double *out, as_err *err)
{
    s = skip_ws(s);
    if (*s == '\0')
        return as_err_set(err, AS_EINVAL, "empty value, expected a number");
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s)
        return as_err_set(err, AS_EINVAL, "'%s' is not a number", SHOWN(s));
    bool pct = false;
    if (*end == '%') {
        pct = true;
        end++;
    }
    if (!only_ws(end) || is_hex(s)) /* no hexadecimal: 0x10 is not 10 */
        return as_err_set(err, AS_EINVAL, "'%s' is not a number", SHOWN(s));
    if (!isfinite(v) || errno == ERANGE)
        return as_err_set(err, AS_EINVAL, "'%s' is not a finite number", SHOWN(s));
    *out = pct ? v / 100.0 : v;
    return AS_OK;
}

int as_parse_int(const char *s, long *out, as_err *err)
{
    s = skip_ws(s);
    if (*s == '\0')
        return as_err_set(err, AS_EINVAL, "empty value, expected an integer");
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || !only_ws(end))
        return as_err_set(err, AS_EINVAL, "'%s' is not an integer", SHOWN(s));
    if (errno == ERANGE || v > 1000000000L || v < -1000000000L)
        return as_err_set(err, AS_EINVAL, "'%s' is out of range", SHOWN(s));
    *out = v;
    return AS_OK;
}

int as_parse_duration(const char *s, as_time *out, as_err *err)
{
    s = skip_ws(s);
    if (*s == '\0')
        return as_err_set(err, AS_EINVAL, "empty value, expected a duration such as 90s");
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || is_hex(s))
        return as_err_set(err, AS_EINVAL, "'%s' is not a duration (e.g. 250ms, 90s, 15m, 6h, 2d)",
                          SHOWN(s));
    if (!isfinite(v) || errno == ERANGE)
        return as_err_set(err, AS_EINVAL, "'%s' is not a finite duration", SHOWN(s));
    const char *u = skip_ws(end);
    size_t ulen = 0;
    while (isalpha((unsigned char)u[ulen]))
        ulen++;
    if (!only_ws(u + ulen))
        return as_err_set(err, AS_EINVAL, "'%s' is not a duration (e.g. 250ms, 90s, 15m, 6h, 2d)",
                          SHOWN(s));
    static const struct {
        const char *name;
        double usec;
    } units[] = {{"us", 1.0},   {"ms", 1e3},        {"s", 1e6},        {"m", 60e6},
                 {"min", 60e6}, {"h", 3600e6},      {"d", 86400e6},    {"w", 604800e6}};
    double mult = -1;
    if (ulen == 0 && v == 0) { /* zero is zero in every unit: "season = 0" means none */
        *out = 0;
        return AS_OK;
    }
    if (ulen == 0) {
        return as_err_set(err, AS_EINVAL,
                          "'%s' has no unit (write e.g. %gs, %gm or %gms)", SHOWN(s), v, v, v);
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == ulen && strncmp(u, units[i].name, ulen) == 0)
            mult = units[i].usec;
    if (mult < 0)
        return as_err_set(err, AS_EINVAL, "'%s': unknown time unit '%.*s' (us, ms, s, m, h, d, w)",
                          SHOWN(s), (int)ulen, u);
    if (!isfinite(v) || errno == ERANGE)
        return as_err_set(err, AS_EINVAL, "'%s' is not a finite duration", SHOWN(s));
    if (v < 0)
        return as_err_set(err, AS_EINVAL, "'%s' is negative; durations must be >= 0", SHOWN(s));
    double us = v * mult;
    if (us > 9.0e15) /* about 285 years: far beyond any run, far from overflow */
        return as_err_set(err, AS_EINVAL, "'%s' is too long", SHOWN(s));
    *out = (as_time)llround(us);
    return AS_OK;
}

int as_parse_bool(const char *s, bool *out, as_err *err)
{
    s = skip_ws(s);
    static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return AS_OK;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return AS_OK;
        }
    }
    return as_err_set(err, AS_EINVAL, "'%s' is not a boolean (true/false)", SHOWN(s));
}

int as_parse_enum(const char *s, const char *const *choices, int *out, as_err *err)
{
    s = skip_ws(s);
    for (int i = 0; choices[i]; i++)
        if (strcmp(s, choices[i]) == 0) {
            *out = i;
            return AS_OK;
        }
    char list[256] = "";
    for (int i = 0; choices[i]; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", choices[i]);
    }
    return as_err_set(err, AS_EINVAL, "'%s' is not one of: %s", SHOWN(s), list);
}

_Static_assert(sizeof(unsigned long long) == sizeof(uint64_t), "strtoull reads a uint64_t");

int as_parse_u64(const char *s, uint64_t *out, as_err *err)
{
    s = skip_ws(s);
    const char *p = s;
    while (isdigit((unsigned char)*p))
        p++;
    if (p == s || !only_ws(p))
        return as_err_set(err, AS_EINVAL, "'%s' is not a non-negative integer", SHOWN(s));
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE)
        return as_err_set(err, AS_EINVAL, "'%s' is larger than %llu", SHOWN(s),
                          (unsigned long long)UINT64_MAX);
    *out = (uint64_t)v;
    return AS_OK;
}

int as_parse_span(const char *s, as_time *start, as_time *len, as_err *err)
{
    char a[64], b[64];
    const char *comma = strchr(s, ',');
    as_time st = 0, ln = 0;
    if (comma == NULL || (size_t)(comma - s) >= sizeof a || strlen(comma + 1) >= sizeof b)
        return as_err_set(err, AS_EINVAL, "'%s' is not START, LENGTH (e.g. 6h, 10m)", SHOWN(s));
    memcpy(a, s, (size_t)(comma - s));
    a[comma - s] = '\0';
    snprintf(b, sizeof b, "%s", comma + 1);
    as_err e2 = {0};
    if (as_parse_duration(a, &st, &e2) != AS_OK || as_parse_duration(b, &ln, &e2) != AS_OK)
        return as_err_set(err, AS_EINVAL, "'%s' is not START, LENGTH (e.g. 6h, 10m): %s", SHOWN(s),
                          e2.msg);
    if (ln <= 0)
        return as_err_set(err, AS_EINVAL, "'%s': LENGTH must be > 0", SHOWN(s));
    *start = st;
    *len = ln;
    return AS_OK;
}

const as_param_def *as_param_find(const as_param_def *defs, const char *key)
{
    for (const as_param_def *d = defs; d && d->name; d++)
        if (strcmp(d->name, key) == 0)
            return d;
    return NULL;
}

static int out_of_bounds(const as_param_def *d, double v, const char *value, as_err *err)
{
    if (v >= d->min && v <= d->max)
        return AS_OK;
    if (d->kind == AS_P_DURATION || d->kind == AS_P_SECONDS) { /* bounds as written: [1ms, 1h] */
        char lo[32], hi[32];
        as_duration_format((as_time)llround(d->min * 1e6), lo, sizeof lo);
        as_duration_format((as_time)llround(d->max * 1e6), hi, sizeof hi);
        return as_err_set(err, AS_EINVAL, "key '%s': %s is outside [%s, %s]", d->name,
                          SHOWN(value), lo, hi);
    }
    return as_err_set(err, AS_EINVAL, "key '%s': %s is outside [%g, %g]", d->name, SHOWN(value),
                      d->min, d->max);
}

/* A list of names ("web, app" or "web app") as "web,app" in field[size]. */
static int set_names(const as_param_def *d, char *field, const char *value, as_err *err)
{
    char out[1024] = "";
    size_t k = 0;
    int n = 0;
    for (const char *p = value; *p;) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        size_t len = strcspn(p, ", \t\r\n");
        if (len == 0)
            break;
        char name[AS_NAME_MAX + 2]; /* one byte over the rule: a longer name is refused */
        snprintf(name, sizeof name, "%.*s", (int)(len < AS_NAME_MAX + 1 ? len : AS_NAME_MAX + 1),
                 p);
        if (as_name_check(name, err) != AS_OK)
            return err ? err->code : AS_EINVAL;
        size_t need = k + (n ? 1 : 0) + strlen(name) + 1; /* with the comma and the NUL */
        if (need > sizeof out || need > d->size)
            return as_err_set(err, AS_EINVAL, "list longer than %zu characters", d->size - 1);
        k += (size_t)snprintf(out + k, sizeof out - k, "%s%s", n++ ? "," : "", name);
        p += len;
    }
    if (n == 0)
        return as_err_set(err, AS_EINVAL, "empty list, expected names such as web, app");
    memcpy(field, out, k + 1);
    return AS_OK;
}

/* The text kinds: STRING, NAME, NAMES (the message names the key). */
static int set_text(const as_param_def *d, char *field, const char *value, as_err *err)
{
    const char *s = skip_ws(value);
    if (d->kind == AS_P_NAMES)
        return set_names(d, field, s, err);
    if (strlen(s) >= d->size)
        return as_err_set(err, AS_EINVAL, "key '%s': value longer than %zu characters", d->name,
                          d->size - 1);
    if (*s == '\0')
        return as_err_set(err, AS_EINVAL, "key '%s': empty value", d->name);
    size_t len = strlen(s);
    if (d->kind == AS_P_NAME) { /* a name has no blanks at either end */
        char name[AS_NAME_MAX + 2];
        while (len > 0 && isspace((unsigned char)s[len - 1]))
            len--;
        snprintf(name, sizeof name, "%.*s", (int)(len < AS_NAME_MAX + 1 ? len : AS_NAME_MAX + 1),
                 s);
        if (as_name_check(name, err) != AS_OK)
            return err ? err->code : AS_EINVAL;
    }
    memcpy(field, s, len);
    field[len] = '\0';
    return AS_OK;
}

/* The numeric kinds, parsed, bounded, then stored. */
static int set_number(const as_param_def *d, char *field, const char *value, as_err *err)
{
    int rc;
    switch (d->kind) {
    case AS_P_DOUBLE: {
        double v;
        if ((rc = as_parse_double(value, &v, err)) == AS_OK &&
            (rc = out_of_bounds(d, v, value, err)) == AS_OK)
            memcpy(field, &v, sizeof v);
        return rc;
    }
    case AS_P_INT: {
        long v;
        if ((rc = as_parse_int(value, &v, err)) == AS_OK &&
            (rc = out_of_bounds(d, (double)v, value, err)) == AS_OK) {
            int iv = (int)v;
            memcpy(field, &iv, sizeof iv);
        }
        return rc;
    }
    case AS_P_DURATION:
    case AS_P_SECONDS: {
        as_time v;
        if ((rc = as_parse_duration(value, &v, err)) != AS_OK ||
            (rc = out_of_bounds(d, as_time_to_s(v), value, err)) != AS_OK)
            return rc;
        if (d->kind == AS_P_DURATION) {
            memcpy(field, &v, sizeof v);
        } else {
            double sec = as_time_to_s(v);
            memcpy(field, &sec, sizeof sec);
        }
        return AS_OK;
    }
    case AS_P_U64: {
        uint64_t v;
        if ((rc = as_parse_u64(value, &v, err)) == AS_OK)
            memcpy(field, &v, sizeof v);
        return rc;
    }
    default:
        return as_err_set(err, AS_EINVAL, "not a number kind");
    }
}

int as_param_set(const as_param_def *defs, void *cfg, const char *key, const char *value,
                 as_err *err)
{
    const as_param_def *d = as_param_find(defs, key);
    if (d == NULL)
        return as_err_set(err, AS_ENOTFOUND, "unknown key '%s'", SHOWN(key));
    char *field = (char *)cfg + d->offset;
    int rc = AS_OK;
    switch (d->kind) {
    case AS_P_ENUM: {
        int v;
        if ((rc = as_parse_enum(value, d->choices, &v, err)) == AS_OK)
            memcpy(field, &v, sizeof v);
        break;
    }
    case AS_P_BOOL: {
        bool v;
        if ((rc = as_parse_bool(value, &v, err)) == AS_OK)
            memcpy(field, &v, sizeof v);
        break;
    }
    case AS_P_STRING:
    case AS_P_NAME:
    case AS_P_NAMES:
        rc = set_text(d, field, value, err);
        break;
    default:
        rc = set_number(d, field, value, err);
        break;
    }
    if (rc != AS_OK && err && strncmp(err->msg, "key '", 5) != 0)
        as_err_prefix(err, "key '%s': ", key);
    return rc;
}

void as_duration_format(as_time t, char *buf, size_t n)
{
    static const struct {
        as_time unit;
        const char *name;
    } u[] = {{AS_DAY, "d"}, {AS_HOUR, "h"}, {AS_MIN, "m"}, {AS_SEC, "s"}, {AS_MSEC, "ms"}};
    if (t == 0) {
        snprintf(buf, n, "0s");
        return;
    }
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
        if (t % u[i].unit == 0) {
            snprintf(buf, n, "%lld%s", (long long)(t / u[i].unit), u[i].name);
            return;
        }
    snprintf(buf, n, "%lldus", (long long)t);
}

int as_param_format(const as_param_def *d, const void *cfg, char *buf, size_t n)
{
    const char *field = (const char *)cfg + d->offset;
    switch (d->kind) {
    case AS_P_DOUBLE: {
        double v;
        memcpy(&v, field, sizeof v);
        /* the shortest text that reads back as the same double */
        for (int prec = 1; prec <= 17; prec++) {
            int len = snprintf(buf, n, "%.*g", prec, v);
            if (strtod(buf, NULL) == v)
                return len;
        }
        return snprintf(buf, n, "%.17g", v);
    }
    case AS_P_INT: {
        int v;
        memcpy(&v, field, sizeof v);
        return snprintf(buf, n, "%d", v);
    }
    case AS_P_DURATION: {
        as_time v;
        memcpy(&v, field, sizeof v);
        as_duration_format(v, buf, n);
        return (int)strlen(buf);
    }
    case AS_P_SECONDS: {
        double v;
        memcpy(&v, field, sizeof v);
        as_duration_format((as_time)llround(v * 1e6), buf, n);
        return (int)strlen(buf);
    }
    case AS_P_U64: {
        uint64_t v;
        memcpy(&v, field, sizeof v);
        return snprintf(buf, n, "%llu", (unsigned long long)v);
    }
    case AS_P_ENUM: {
        int v;
        memcpy(&v, field, sizeof v);
        return snprintf(buf, n, "%s", d->choices[v]);
    }
    case AS_P_BOOL: {
        bool v;
        memcpy(&v, field, sizeof v);
        return snprintf(buf, n, "%s", v ? "true" : "false");
    }
    case AS_P_STRING:
    case AS_P_NAME:
    case AS_P_NAMES:
        return snprintf(buf, n, "%s", field);
    }
    return 0;
}

/* Typed, so that composing one plug-in from others (pol_hybrid.c) needs
 * neither their private structs nor a text round trip. The value passes
 * the same checks as as_param_set against `to` (bounds, choices, length). */
/* The kinds of the scenario loader's keys have an exact text form (a
 * decimal integer, whole microseconds, the string itself), so they are
 * copied through it: `to`'s checks apply, and nothing is written on error. */
static int copy_by_text(const as_param_def *to, void *to_cfg, const as_param_def *from,
                        const void *from_cfg, as_err *err)
{
    char text[1024];
    as_param_format(from, from_cfg, text, sizeof text);
    const as_param_def one[2] = {*to, {0}};
    return as_param_set(one, to_cfg, to->name, text, err);
}

int as_param_copy(const as_param_def *to, void *to_cfg, const as_param_def *from,
                  const void *from_cfg, as_err *err)
{
    if (to->kind != from->kind)
        return as_err_set(err, AS_EINVAL, "key '%s': cannot take key '%s', of another type",
                          to->name, from->name);
    const char *src = (const char *)from_cfg + from->offset;
    char *dst = (char *)to_cfg + to->offset;
    char text[64];
    switch (to->kind) {
    case AS_P_DOUBLE: {
        double v;
        memcpy(&v, src, sizeof v);
        snprintf(text, sizeof text, "%.17g", v);
        if (!isfinite(v))
            return as_err_set(err, AS_EINVAL, "key '%s': %s is not finite", to->name, text);
        if (out_of_bounds(to, v, text, err) != AS_OK)
            return AS_EINVAL;
        memcpy(dst, &v, sizeof v);
        return AS_OK;
    }
    case AS_P_INT: {
        int v;
        memcpy(&v, src, sizeof v);
        snprintf(text, sizeof text, "%d", v);
        if (out_of_bounds(to, (double)v, text, err) != AS_OK)
            return AS_EINVAL;
        memcpy(dst, &v, sizeof v);
        return AS_OK;
    }
    case AS_P_DURATION: {
        as_time v;
        memcpy(&v, src, sizeof v);
        as_duration_format(v, text, sizeof text);
        if (out_of_bounds(to, as_time_to_s(v), text, err) != AS_OK)
            return AS_EINVAL;
        memcpy(dst, &v, sizeof v);
        return AS_OK;
    }
    case AS_P_ENUM: {
        int v, n = 0;
        memcpy(&v, src, sizeof v);
        while (from->choices[n])
            n++;
        if (v < 0 || v >= n)
            return as_err_set(err, AS_EINVAL, "key '%s': choice %d out of range", from->name, v);
        if (as_parse_enum(from->choices[v], to->choices, &v, err) != AS_OK)
            return as_err_prefix(err, "key '%s': ", to->name);
        memcpy(dst, &v, sizeof v);
        return AS_OK;
    }
    case AS_P_BOOL:
        memcpy(dst, src, sizeof(bool));
        return AS_OK;
    case AS_P_STRING: {
        size_t len = strnlen(src, from->size);
        if (len == 0 || len >= to->size || len >= from->size)
            return as_err_set(err, AS_EINVAL, "key '%s': value empty or longer than %zu "
                              "characters", to->name, to->size - 1);
        memcpy(dst, src, len + 1);
        return AS_OK;
    }
    case AS_P_U64:
    case AS_P_SECONDS:
    case AS_P_NAME:
    case AS_P_NAMES:
        return copy_by_text(to, to_cfg, from, from_cfg, err);
    }
    return as_err_set(err, AS_EINVAL, "key '%s': unknown type", to->name);
}

/* The allowed values of d: "[1ms, 1h]", "[0, 1]", "a|b|c", "" for text. */
static void allowed(const as_param_def *d, char *buf, size_t n)
{
    buf[0] = '\0';
    if (d->kind == AS_P_ENUM && d->choices) {
        for (const char *const *c = d->choices; *c; c++)
            snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", c == d->choices ? "" : "|", *c);
    } else if (d->kind == AS_P_BOOL) {
        snprintf(buf, n, "true|false");
    } else if (d->kind == AS_P_DURATION || d->kind == AS_P_SECONDS) {
        char lo[32], hi[32];
        as_duration_format((as_time)llround(d->min * 1e6), lo, sizeof lo);
        as_duration_format((as_time)llround(d->max * 1e6), hi, sizeof hi);
        if (d->max > d->min)
            snprintf(buf, n, "[%s, %s]", lo, hi);
    } else if ((d->kind == AS_P_DOUBLE || d->kind == AS_P_INT) && d->max > d->min) {
        snprintf(buf, n, "[%g, %g]", d->min, d->max);
    }
}

void as_param_describe(const as_param_def *d, const void *cfg, char *buf, size_t n)
{
    char a[256], v[128] = "";
    allowed(d, a, sizeof a);
    if (cfg != NULL && d->kind == AS_P_DOUBLE) {
        /* "%g" reads better than the shortest round trip ("100", not
         * "1e+02") and is used whenever it is exact */
        double x;
        memcpy(&x, (const char *)cfg + d->offset, sizeof x);
        snprintf(v, sizeof v, "%g", x);
        if (strtod(v, NULL) != x)
            as_param_format(d, cfg, v, sizeof v);
    } else if (cfg != NULL) {
        as_param_format(d, cfg, v, sizeof v);
    }
    buf[0] = '\0';
    if (a[0] || v[0])
        snprintf(buf, n, "  {%s%s%s%s%s}", a[0] ? "allowed " : "", a, a[0] && v[0] ? "; " : "",
                 v[0] ? "default " : "", v);
}
