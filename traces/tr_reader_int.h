/* tr_reader_int.h - what the trace readers share inside traces/: the input
 * layer (tr_input: opening, decompression, lines), the text parsers, the
 * reader object and the per-format type objects (tr_csv.c, tr_clf.c,
 * tr_prom.c), which tr_reader.c alone calls, through their slots.
 * Owns: declarations only.
 * Invariant: a format reports a malformed line through tr_reader_bad(), so
 * that skip_bad is applied in one place; times a format returns are
 * absolute (tr_reader.c rebases them).
 * Must not: be included outside traces/ (tr_trace.h is the API). */
#ifndef TR_READER_INT_H
#define TR_READER_INT_H

#include "tr_trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <zlib.h>

/* ---- input (tr_input.c) ------------------------------------------------ */

/* One input stream read through zlib, which reads gzip data and plain
 * bytes alike (its "transparent" mode), so a .gz log needs no zcat. */
typedef struct tr_input {
    char *name;        /* path as messages show it (as_name_printable), or "<stdin>" */
    gzFile gz;
    bool seekable;     /* a regular file: rewind seeks back */
    char *buf;         /* read buffer */
    size_t pos, len;   /* unread bytes are buf[pos, len) */
    size_t start;      /* where the text starts in the stream: 3 after a BOM */
    long long offset;  /* stream offset of buf[0] (0: the buffer holds the start) */
    bool eof;
    char *line;        /* the last line read, NUL-terminated, reused */
    size_t cap;
    long lineno;       /* 1-based number of that line */
} tr_input;

/* Open path (a regular file; "-" or /dev/stdin for standard input when
 * allow_stdin). O_NONBLOCK at open, so that a FIFO is refused rather than
 * waited on. Reads the first bytes (BOM check, format detection). */
int tr_input_open(tr_input *in, const char *path, bool allow_stdin, as_err *err);
void tr_input_close(tr_input *in);
/* Next line into in->line without its line end; *got = false at the end.
 * A NUL byte or a line over TR_LINE_MAX is an error naming the line. */
int tr_input_line(tr_input *in, bool *got, as_err *err);
/* Back to the first line; standard input only while its first buffer
 * has not been passed. */
int tr_input_rewind(tr_input *in, as_err *err);
/* The first non-blank line (or what of it fits the read buffer), without
 * consuming anything: for format detection. Borrowed, in in->line; NULL
 * when out of memory (not "", which would detect the wrong format). */
const char *tr_input_peek(tr_input *in);
/* Everything from the current position, at most max bytes (an error
 * beyond). *data is malloc'd (caller frees), NUL-terminated. */
int tr_input_slurp(tr_input *in, size_t max, char **data, size_t *len, as_err *err);

/* ---- parsers (tr_parse.c) ---------------------------------------------- */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian, UTC). */
int64_t tr_days_from_civil(int64_t y, int m, int d);
bool tr_valid_ymdhms(int y, int mo, int d, int h, int mi, int s);
/* Exactly n digits at *p, advancing it. */
bool tr_digits(const char **p, int n, int *out);
/* ISO 8601 / RFC 3339 subset; the whole string must be consumed. */
bool tr_parse_iso8601(const char *s, as_time *out);
/* Strict number: the whole field must parse (strtod syntax). */
bool tr_parse_number(const char *s, double *out);
/* Trim blanks at both ends, in place. */
char *tr_trim(char *s);
/* Floor division (bucket indexes of pre-1970 times are negative). */
as_time tr_floor_div(as_time a, as_time b);

/* ---- the reader and its formats (tr_reader.c) -------------------------- */

typedef struct tr_reader_type {
    int version;      /* 1 */
    tr_format format; /* what this type reads */
    /* Allocate r->state (called once, after the format is known). */
    int (*xOpen)(tr_reader *r, as_err *err);
    /* Position at the first sample; called at open and by rewind. */
    int (*xStart)(tr_reader *r, as_err *err);
    /* Next raw sample (absolute time as written, before rebasing). */
    int (*xNext)(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err);
    /* Release r->state (the input is the base's); r->state may be NULL. */
    void (*xClose)(tr_reader *r);
    /* Nominal sample spacing, or 0; NULL means 0. */
    as_time (*xStep)(const tr_reader *r);
} tr_reader_type;

struct tr_reader {
    const tr_reader_type *type;
    tr_read_opts opts; /* series points into series_buf */
    char *series_buf;
    tr_input in;
    const char *path;  /* in.name */
    as_time bucket;    /* access-log bucket width (opts.bucket or 60 s) */
    as_time origin;    /* absolute time of the first sample */
    as_time last_t;    /* previous raw time, for the monotonic check */
    bool have_last;
    /* First sample, read at open and handed out by the first next(). */
    bool peeked;
    as_time peek_t;
    double peek_rate;
    bool bad;          /* set by tr_reader_bad: the error may be skipped */
    size_t skipped;    /* malformed lines skipped in this pass */
    char first_bad[sizeof(((as_err *)0)->msg)];
    size_t nan_gaps;   /* set by the Prometheus reader */
    /* Wall-clock origin: set by a format whose times are dates (access
     * logs, Prometheus, ISO 8601 in CSV) when it reads its first sample;
     * utc_offset is that sample's zone, seconds east of UTC (0: UTC). */
    bool clock;
    int32_t utc_offset;
    char series_desc[160];
    void *state;       /* the format's own */
};

/* A malformed line or point: fill err like as_err_set and mark it
 * skippable. Returns AS_EINVAL. */
int tr_reader_bad(tr_reader *r, as_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* After a skippable error in err: AS_OK when skip_bad allows one more
 * (counted, the first message kept), else the error (named as over the
 * limit when skip_bad > 0). err must not be NULL. */
int tr_reader_skip(tr_reader *r, as_err *err);

extern const tr_reader_type tr_csv_type;
extern const tr_reader_type tr_clf_type;
extern const tr_reader_type tr_prom_type;
/* Whether a line parses as Common/Combined Log Format (detection). */
bool tr_clf_looks_like(const char *line);

#endif
