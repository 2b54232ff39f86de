/* plot_fmt.h - numbers as a reader of a report wants them: a latency with
 * its unit (201 ms, 2.9 s, 13.6 min), a cost with its currency and no more
 * digits than useful (32.6 EUR, $0.0139), a share of time (0.31 %,
 * < 0.01 %), a month's projection of a cost. Used by the figures, the
 * page and simrun's own lines, so that all of them say the same.
 * Owns: nothing; every function writes into the caller's buffer.
 * Invariants: never an exponent (1e+06) and never more than 3 significant
 * digits; NaN and infinities print as "-". The currency is checked once
 * (plot_currency_check) and is still quoted wherever it goes (gnuplot,
 * HTML).
 * Must not: print. */
#ifndef PLOT_FMT_H
#define PLOT_FMT_H

#include "as.h"

#include <stddef.h>

/* Hours in a mean month (365.25 * 24 / 12), for per-month projections. */
#define PLOT_MONTH_H 730.5

/* v with `digits` significant digits, no exponent and no trailing zero
 * after the point ("0.0139", "116", "2.5", "1"; "12346": integer digits
 * are never dropped). */
char *plot_fmt_sig(double v, int digits, char *buf, size_t n);
/* A latency given in seconds: "0.42 ms", "201 ms", "2.92 s", "13.6 min",
 * "1.2 h", "3.5 d". */
char *plot_fmt_latency(double s, char *buf, size_t n);
/* A cost: 3 significant digits with the currency: a symbol goes before
 * ("$32.6"), a code after ("32.6 EUR"); "" gives the bare number. */
char *plot_fmt_cost(double v, const char *currency, char *buf, size_t n);
/* A percentage: "2.0 %", "0.31 %", "< 0.01 %", "0 %". */
char *plot_fmt_pct(double v, char *buf, size_t n);
/* A duration in seconds for a time axis or a window: "20 min", "1.5 h". */
char *plot_fmt_span(double s, char *buf, size_t n);

/* A currency as given to --currency: 1 to 8 bytes, no control character,
 * no blank, no quote. AS_EINVAL otherwise (the message says why). */
int plot_currency_check(const char *cur, as_err *err);

#endif
