/* as_param.h - typed parameter tables for plug-ins and value parsers.
 * Owns: the strict parsers for numbers, durations, fractions, enums, names
 * and time spans, and as_param_set, which writes one "key = value" into a
 * config struct (a plug-in's, or a scenario section's) through a table of
 * as_param_def (name, kind, offset, bounds).
 * Invariant: a value is either fully parsed and within bounds, or rejected
 * with a message naming the key; nothing is written on rejection.
 * Must not: know about INI files; callers prefix file and line. */
#ifndef AS_PARAM_H
#define AS_PARAM_H

#include "as.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum {
    AS_P_DOUBLE,   /* double; "0.8" (also "80%" = 0.8) */
    AS_P_INT,      /* int */
    AS_P_DURATION, /* as_time; "250ms", "90s", "15m", "6h", "2d", "1w" */
    AS_P_ENUM,     /* int index into choices[] */
    AS_P_BOOL,     /* bool; true/false, yes/no, on/off, 1/0 */
    AS_P_STRING,   /* char[size], any text but empty */
    AS_P_U64,      /* uint64_t, a decimal integer >= 0 (seeds); min/max unused */
    AS_P_SECONDS,  /* double seconds, written as a duration ("200ms"); bounds in s */
    AS_P_NAME,     /* char[size], one name (as_name_check: letters, digits, ._-) */
    AS_P_NAMES     /* char[size], names separated by commas or blanks, stored "a,b" */
} as_param_kind;

/* Values of a shape only one table needs (a list of records, a repeated
 * key) are not kinds: their owner reads them with the parsers below. */
typedef struct as_param_def {
    const char *name;            /* key as written in the INI */
    as_param_kind kind;          /* how to parse */
    size_t offset;               /* offsetof(config struct, field) */
    double min, max;             /* inclusive bounds (seconds for durations) */
    const char *const *choices;  /* AS_P_ENUM: NULL-terminated names */
    size_t size;                 /* AS_P_STRING, _NAME, _NAMES: field size in bytes */
    const char *help;            /* one line for --help and the README */
} as_param_def;

/* Strict parsers: the whole string must be consumed, values finite.
 * They return AS_OK or AS_EINVAL with a message that does not name the key. */
int as_parse_double(const char *s, double *out, as_err *err);
int as_parse_int(const char *s, long *out, as_err *err);
int as_parse_duration(const char *s, as_time *out, as_err *err);
int as_parse_bool(const char *s, bool *out, as_err *err);
int as_parse_enum(const char *s, const char *const *choices, int *out, as_err *err);
/* A decimal integer in [0, UINT64_MAX]: no sign, no hexadecimal. */
int as_parse_u64(const char *s, uint64_t *out, as_err *err);
/* "START, LENGTH": two durations, LENGTH > 0 (a window of time). */
int as_parse_span(const char *s, as_time *start, as_time *len, as_err *err);

/* Find a definition by key; NULL when the table has no such key. */
const as_param_def *as_param_find(const as_param_def *defs, const char *key);

/* Parse value for key and store it into cfg. Unknown key: AS_ENOTFOUND.
 * Bad value: AS_EINVAL. Messages name the key: "key 'x': ...". */
int as_param_set(const as_param_def *defs, void *cfg, const char *key,
                 const char *value, as_err *err);

/* Copy the value of key `from` in from_cfg into key `to` of to_cfg, typed
 * (no text round trip). Both keys have the same kind; an enum is matched
 * by its choice's name; the value must pass `to`'s checks (bounds,
 * choices, length, the name rule), else AS_EINVAL naming `to` and nothing
 * is written. */
int as_param_copy(const as_param_def *to, void *to_cfg, const as_param_def *from,
                  const void *from_cfg, as_err *err);

/* Write the value of one parameter into buf (for results attributes). */
int as_param_format(const as_param_def *def, const void *cfg, char *buf, size_t n);

/* The allowed values of d ("[1ms, 1h]", "[0, 1]", "a|b|c"; "" for text)
 * and, with cfg, its value there as the default: "  {allowed A; default V}",
 * or "" when there is neither. One format for --help-keys, `trace gen
 * --help` and the README's key tables. */
void as_param_describe(const as_param_def *d, const void *cfg, char *buf, size_t n);

/* Format a duration the way a user writes it ("90s", "1.5m" -> "90s"). */
void as_duration_format(as_time t, char *buf, size_t n);

#endif
