/* tr_parse.c - text to times and numbers for the trace readers: civil
 * dates (UTC, proleptic Gregorian), ISO 8601 / RFC 3339 timestamps, strict
 * numbers, trimming. Pure functions: no state, no allocation, no locale
 * beyond strtod's (the C locale simrun runs in). */
#include "tr_reader_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of a civil date; H. Hinnant's algorithm, exact for
 * every year, no table and no timegm() (which reads the process TZ). */
int64_t tr_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* Read exactly n digits. */
bool tr_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

bool tr_valid_ymdhms(int y, int mo, int d, int h, int mi, int s)
{
    return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo) && h <= 23 &&
           mi <= 59 && s <= 60; /* 60: a leap second, counted as the next second */
}

/* ISO 8601 / RFC 3339 subset: YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|(+|-)HH[:]MM].
 * No zone means UTC. Returns false unless the whole string is consumed. */
bool tr_parse_iso8601(const char *s, as_time *out)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    double frac = 0;
    if (!tr_digits(&p, 4, &y) || *p++ != '-' || !tr_digits(&p, 2, &mo) || *p++ != '-' ||
        !tr_digits(&p, 2, &d))
        return false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!tr_digits(&p, 2, &h) || *p++ != ':' || !tr_digits(&p, 2, &mi))
            return false;
        if (*p == ':') {
            p++;
            if (!tr_digits(&p, 2, &sec))
                return false;
            if (*p == '.' || *p == ',') {
                const char *f = ++p;
                double scale = 0.1;
                while (isdigit((unsigned char)*p)) {
                    frac += (*p - '0') * scale;
                    scale /= 10;
                    p++;
                }
                if (p == f)
                    return false;
            }
        }
    }
    int off = 0; /* seconds east of UTC */
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (!tr_digits(&p, 2, &oh))
            return false;
        if (*p == ':')
            p++;
        if (!tr_digits(&p, 2, &om) || oh > 23 || om > 59)
            return false;
        off = sign * (oh * 3600 + om * 60);
    }
    if (*p != '\0' || !tr_valid_ymdhms(y, mo, d, h, mi, sec))
        return false;
    int64_t secs = tr_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    *out = secs * AS_SEC + (as_time)llround(frac * 1e6);
    return true;
}

/* Strict number: the whole (trimmed) field must parse. */
bool tr_parse_number(const char *s, double *out)
{
    if (*s == '\0')
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        return false;
    *out = v;
    return true;
}

char *tr_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

as_time tr_floor_div(as_time a, as_time b)
{
    as_time q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
