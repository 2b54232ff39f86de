/* plot_fmt.c - numbers for readers (the rules are in plot_fmt.h). Rounding
 * is done once, to the significant digits, before the unit and the number
 * of decimals are chosen from the rounded value: 999.7 ms is "1.00 s",
 * not "1000 ms", and 9.996 is "10.0", not "10.00". */
#include "plot_fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* v rounded to `digits` significant digits, and the decimals that shows. */
static double round_sig(double v, int digits, int *dec)
{
    int mag = (int)floor(log10(fabs(v)));
    if (digits - 1 - mag < 0) { /* integer digits are kept: 12346, not 12300 */
        *dec = 0;
        return round(v);
    }
    double scale = pow(10, digits - 1 - mag);
    double r = round(v * scale) / scale;
    if (r != 0)
        mag = (int)floor(log10(fabs(r)));
    int d = digits - 1 - mag;
    *dec = d < 0 ? 0 : d > 9 ? 9 : d;
    return r;
}

char *plot_fmt_sig(double v, int digits, char *buf, size_t n)
{
    if (!isfinite(v))
        snprintf(buf, n, "-");
    else if (v == 0)
        snprintf(buf, n, "0");
    else {
        int dec;
        double r = round_sig(v, digits, &dec);
        snprintf(buf, n, "%.*f", dec, r);
        /* zeros after the point say nothing here: 1.00 s is 1 s */
        char *dot = strchr(buf, '.');
        if (dot != NULL) {
            char *e = buf + strlen(buf);
            while (e > dot + 1 && e[-1] == '0')
                *--e = '\0';
            if (e == dot + 1)
                *dot = '\0';
        }
    }
    return buf;
}

/* value in `unit` seconds, 3 significant digits, below `limit` of it. */
static int fits(double s, double unit, double limit)
{
    int dec;
    return round_sig(s / unit, 3, &dec) < limit;
}

char *plot_fmt_latency(double s, char *buf, size_t n)
{
    static const struct {
        double unit, limit;
        const char *name;
    } u[] = {{1e-3, 1000, "ms"}, {1, 60, "s"}, {60, 60, "min"}, {3600, 48, "h"}, {86400, 1e18, "d"}};
    if (!isfinite(s) || s < 0) {
        snprintf(buf, n, "-");
        return buf;
    }
    if (s == 0) {
        snprintf(buf, n, "0 ms");
        return buf;
    }
    size_t k = 0;
    while (k + 1 < sizeof u / sizeof u[0] && !fits(s, u[k].unit, u[k].limit))
        k++;
    char num[64];
    plot_fmt_sig(s / u[k].unit, 3, num, sizeof num);
    snprintf(buf, n, "%s %s", num, u[k].name);
    return buf;
}

/* A currency with a letter in it is a code (EUR), written after. */
static int is_code(const char *cur)
{
    for (; *cur; cur++)
        if ((*cur >= 'A' && *cur <= 'Z') || (*cur >= 'a' && *cur <= 'z'))
            return 1;
    return 0;
}

char *plot_fmt_cost(double v, const char *currency, char *buf, size_t n)
{
    char num[64];
    plot_fmt_sig(v, 3, num, sizeof num);
    if (currency == NULL || currency[0] == '\0' || !isfinite(v))
        snprintf(buf, n, "%s", num);
    else if (is_code(currency))
        snprintf(buf, n, "%s %s", num, currency);
    else if (v < 0)
        snprintf(buf, n, "-%s%s", currency, num + 1);
    else
        snprintf(buf, n, "%s%s", currency, num);
    return buf;
}

char *plot_fmt_pct(double v, char *buf, size_t n)
{
    char num[64];
    if (!isfinite(v))
        snprintf(buf, n, "-");
    else if (v == 0)
        snprintf(buf, n, "0 %%");
    else if (v > 0 && v < 0.01)
        snprintf(buf, n, "< 0.01 %%");
    else
        snprintf(buf, n, "%s %%", plot_fmt_sig(v, fabs(v) < 10 ? 2 : 3, num, sizeof num));
    return buf;
}

char *plot_fmt_span(double s, char *buf, size_t n)
{
    char num[64];
    if (!isfinite(s))
        snprintf(buf, n, "-");
    else if (fabs(s) < 120)
        snprintf(buf, n, "%s s", plot_fmt_sig(s, 3, num, sizeof num));
    else if (fabs(s) < 2 * 3600)
        snprintf(buf, n, "%s min", plot_fmt_sig(s / 60, 3, num, sizeof num));
    else if (fabs(s) < 3 * 86400)
        snprintf(buf, n, "%s h", plot_fmt_sig(s / 3600, 3, num, sizeof num));
    else
        snprintf(buf, n, "%s d", plot_fmt_sig(s / 86400, 3, num, sizeof num));
    return buf;
}

int plot_currency_check(const char *cur, as_err *err)
{
    size_t len = strlen(cur);
    if (len == 0 || len > 8)
        return as_err_set(err, AS_EINVAL,
                          "--currency '%s': 1 to 8 bytes, e.g. EUR, USD or $", cur);
    for (const char *p = cur; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c == 0x7f || c == '\'' || c == '"' || c == '\\' || c == '`')
            return as_err_set(err, AS_EINVAL,
                              "--currency: a currency has no blank, quote, backslash or "
                              "control character (e.g. EUR, USD or $)");
    }
    return AS_OK;
}
