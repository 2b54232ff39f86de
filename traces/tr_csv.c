/* tr_csv.c - the CSV trace reader: `time,rate` rows, an optional header
 * (a first row whose time field is no time), blank lines and # comments.
 * A time is seconds (since the trace start or since the Unix epoch: the
 * reader rebases both) or ISO 8601. Read line by line with the input's one
 * reused line buffer, so a multi-GB file never sits in memory. */
#include "tr_reader_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct csv_state {
    bool header_done; /* first content line seen (header or data) */
} csv_state;

static int csv_open(tr_reader *r, as_err *err)
{
    if ((r->state = calloc(1, sizeof(csv_state))) == NULL)
        return as_err_set(err, AS_ENOMEM, "%s: out of memory", r->path);
    return AS_OK;
}

static int csv_start(tr_reader *r, as_err *err)
{
    ((csv_state *)r->state)->header_done = false;
    r->skipped = 0; /* the same lines are skipped again on each pass */
    return tr_input_rewind(&r->in, err);
}

/* A time field: ISO 8601 (absolute) or a number of seconds. */
static bool csv_time(const char *s, as_time *out)
{
    double v;
    if (tr_parse_number(s, &v)) {
        if (!isfinite(v) || fabs(v) > 9.0e9) /* beyond year 2255: not a time */
            return false;
        *out = (as_time)llround(v * 1e6);
        return true;
    }
    return tr_parse_iso8601(s, out);
}

/* A header's second name that says time (time_s, Timestamp, date, ts):
 * the columns are the other way round. Read by position, such a file
 * replayed its rates as times and its times as rates, with exit 0. */
static bool csv_names_time(const char *s)
{
    static const char *const names[] = {"date", "datetime", "ts", "t", NULL};
    if (strncasecmp(s, "time", 4) == 0) /* time, time_s, timestamp */
        return true;
    for (int i = 0; names[i]; i++)
        if (strcasecmp(s, names[i]) == 0)
            return true;
    return false;
}

static int csv_rate(tr_reader *r, const char *fr, double *v, as_err *err)
{
    long ln = r->in.lineno;
    if (!tr_parse_number(fr, v))
        return tr_reader_bad(r, err, "%s:%ld: bad rate '%s' (a number expected)", r->path, ln,
                             fr);
    if (!isfinite(*v))
        return tr_reader_bad(r, err, "%s:%ld: rate '%s' is not finite", r->path, ln, fr);
    if (*v < 0)
        return tr_reader_bad(r, err, "%s:%ld: negative rate %s", r->path, ln, fr);
    if (*v > TR_RATE_MAX)
        return tr_reader_bad(r, err, "%s:%ld: rate %s is above %g req/s", r->path, ln, fr,
                             TR_RATE_MAX);
    return AS_OK;
}

static int csv_next(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err)
{
    csv_state *st = r->state;
    for (;;) {
        bool got;
        int rc = tr_input_line(&r->in, &got, err);
        if (rc != AS_OK)
            return rc;
        if (!got) {
            *more = false;
            return AS_OK;
        }
        char *s = tr_trim(r->in.line);
        if (*s == '\0' || *s == '#')
            continue; /* blank lines and # comments */
        char *comma = strchr(s, ',');
        if (comma == NULL || strchr(comma + 1, ',') != NULL)
            return tr_reader_bad(r, err,
                                 "%s:%ld: malformed line, expected 2 comma-separated fields "
                                 "'time,rate'",
                                 r->path, r->in.lineno);
        *comma = '\0';
        char *ft = tr_trim(s), *fr = tr_trim(comma + 1);
        as_time tv;
        bool time_ok = csv_time(ft, &tv);
        if (!st->header_done) {
            st->header_done = true;
            /* A first line whose time field is no time is a header (any
             * names: time_s,rate or timestamp,requests). */
            if (!time_ok && csv_names_time(fr)) /* a file error: never skipped */
                return as_err_set(err, AS_EINVAL,
                                  "%s:%ld: the header names '%s' second: the columns are "
                                  "time,rate, in that order",
                                  r->path, r->in.lineno, fr);
            if (!time_ok)
                continue;
        }
        if (!time_ok)
            return tr_reader_bad(r, err,
                                 "%s:%ld: bad timestamp '%s' (seconds or ISO 8601 expected)",
                                 r->path, r->in.lineno, ft);
        if ((rc = csv_rate(r, fr, rate, err)) != AS_OK)
            return rc;
        *t = tv;
        *more = true;
        if (!r->clock && !tr_parse_number(ft, &(double){0})) {
            /* an ISO 8601 date is a wall-clock time (shown in UTC: its zone
             * is not kept); a number of seconds may count from anywhere */
            r->clock = true;
            r->utc_offset = 0;
        }
        return AS_OK;
    }
}

static void csv_close(tr_reader *r) { free(r->state); }

const tr_reader_type tr_csv_type = {
    1,              /* version */
    TR_FORMAT_CSV,  /* format */
    csv_open,       /* xOpen */
    csv_start,      /* xStart */
    csv_next,       /* xNext */
    csv_close,      /* xClose */
    NULL,           /* xStep: none; the replay measures the spacing */
};
