/* tr_clf.c - the access-log reader (Common and Combined Log Format):
 *   host ident user [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326
 * Combined adds ` "referer" "user-agent"`. Every line is one request,
 * counted into buckets of UTC time; the date is local time with its UTC
 * offset, which we subtract so that lines written in several zones land
 * in the right bucket. Rate = count / bucket width.
 *
 * Logs are written when a request completes, so lines are slightly out of
 * order. Streaming (the default), buckets are kept in a ring of W = 5 min
 * (at least 2 buckets) and only emitted once a line more than W buckets
 * newer arrives; an older line than that is an error that names the
 * `sort` option. Sorted, the whole log is counted first, into an array of
 * 8 bytes per bucket of its span (bounded by the bucket limit), so two
 * concatenated logs, or a log and its rotated predecessor, add up in any
 * order. A full sort of the lines would cost 8 bytes per request instead
 * (a busy day is 10^8 of them); counting needs only the span. */
#include "tr_reader_int.h"

#include "as_param.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CLF_REORDER (300 * AS_SEC)
#define CLF_YEAR (366 * AS_DAY)

typedef struct clf_state {
    /* streaming */
    double *counts;    /* ring of W pending buckets */
    as_time W;         /* reorder window in buckets */
    as_time b0;        /* oldest pending bucket index */
    as_time hi;        /* newest bucket index seen */
    as_time first;     /* bucket of the first line */
    as_time emit_upto; /* buckets < emit_upto are final */
    as_time pending;   /* bucket of a line read but not yet counted */
    bool have_pending, started, eof;
    /* sorted: right[i] counts bucket first + i, left[i] bucket first - 1 - i */
    double *right, *left;
    size_t nright, nleft, capr, capl;
    size_t emit;       /* next bucket to hand out, from the lowest */
    bool loaded;
} clf_state;

static bool clf_date(const char *p, const char **end, as_time *out, int32_t *zone)
{
    static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int d, y, h, mi, s, oh, om, m = 0;
    if (!tr_digits(&p, 2, &d) || *p++ != '/')
        return false;
    for (m = 0; m < 12; m++)
        if (strncmp(p, mon[m], 3) == 0)
            break;
    if (m == 12)
        return false;
    p += 3;
    if (*p++ != '/' || !tr_digits(&p, 4, &y) || *p++ != ':' || !tr_digits(&p, 2, &h) ||
        *p++ != ':' || !tr_digits(&p, 2, &mi) || *p++ != ':' || !tr_digits(&p, 2, &s) ||
        *p++ != ' ')
        return false;
    int sign = *p == '-' ? -1 : *p == '+' ? 1 : 0;
    p++;
    if (sign == 0 || !tr_digits(&p, 2, &oh) || !tr_digits(&p, 2, &om) || *p != ']' || oh > 23 ||
        om > 59 || !tr_valid_ymdhms(y, m + 1, d, h, mi, s))
        return false;
    int64_t secs = tr_days_from_civil(y, m + 1, d) * 86400 + h * 3600 + mi * 60 + s -
                   sign * (oh * 3600 + om * 60);
    *out = secs * AS_SEC;
    *zone = sign * (oh * 3600 + om * 60);
    *end = p + 1;
    return true;
}

/* Parse one line into its UTC time and the zone it was written in; false
 * when it is not CLF/Combined. */
static bool clf_parse(const char *s, as_time *t, int32_t *zone)
{
    /* host, ident, user: three non-empty space-free fields. */
    for (int i = 0; i < 3; i++) {
        size_t n = strcspn(s, " \t");
        if (n == 0 || s[n] == '\0')
            return false;
        s += n;
        while (*s == ' ' || *s == '\t')
            s++;
    }
    if (*s++ != '[' || !clf_date(s, &s, t, zone))
        return false;
    if (*s++ != ' ' || *s++ != '"')
        return false;
    /* The request line; \" escapes a quote inside it (Apache 2 escapes). */
    while (*s && *s != '"')
        s += (*s == '\\' && s[1]) ? 2 : 1;
    if (*s++ != '"' || *s++ != ' ')
        return false;
    int status;
    if (!tr_digits(&s, 3, &status) || *s++ != ' ')
        return false;
    if (*s == '-') {
        s++;
    } else {
        if (!isdigit((unsigned char)*s))
            return false;
        while (isdigit((unsigned char)*s))
            s++;
    }
    /* Combined Log Format (or extra fields some servers append): free text. */
    return *s == '\0' || *s == ' ' || *s == '\t';
}

bool tr_clf_looks_like(const char *s)
{
    as_time t;
    int32_t zone;
    return clf_parse(s, &t, &zone);
}

/* ---- limits shared by both modes ----------------------------------------- */

/* Every bucket between the first line and the last is emitted (silent
 * stretches as zeros): the span is the memory of a sorted log, the output
 * of `trace convert` and the samples of `trace info`. */
static int check_span(tr_reader *r, as_time lo, as_time hi, size_t limit, as_err *err)
{
    if (limit == 0 || (uint64_t)(hi - lo) < (uint64_t)limit)
        return AS_OK;
    char w[32];
    as_duration_format(r->bucket, w, sizeof w);
    return as_err_set(err, AS_EINVAL,
                      "%s:%ld: the log now spans %.4g days, %lld buckets of %s, more than the "
                      "limit of %zu (a wrong date? a wider --bucket, or --max-buckets to raise "
                      "the limit)",
                      r->path, r->in.lineno, as_time_to_s((hi - lo + 1) * r->bucket) / 86400,
                      (long long)(hi - lo + 1), w, limit);
}

/* Next non-blank line parsed into its bucket; *got = false at the end. */
static int read_bucket(tr_reader *r, as_time *b, bool *got, as_err *err)
{
    for (;;) {
        int rc = tr_input_line(&r->in, got, err);
        if (rc != AS_OK || !*got)
            return rc;
        const char *s = r->in.line;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '\0')
            continue;
        as_time tl;
        int32_t zone;
        if (!clf_parse(s, &tl, &zone))
            return tr_reader_bad(r, err,
                                 "%s:%ld: malformed access log line (Common or Combined Log "
                                 "Format expected)",
                                 r->path, r->in.lineno);
        *b = tr_floor_div(tl, r->bucket);
        if (!r->clock) { /* the zone of the first line names the log's */
            r->clock = true;
            r->utc_offset = zone;
        }
        return AS_OK;
    }
}

/* Like read_bucket, with malformed lines skipped under skip_bad (the
 * sorted mode reads outside tr_reader_next, which does that for the
 * streaming mode). */
static int read_bucket_skipping(tr_reader *r, as_time *b, bool *got, as_err *err)
{
    for (;;) {
        r->bad = false;
        int rc = read_bucket(r, b, got, err);
        if (rc == AS_OK || !r->bad)
            return rc;
        if ((rc = tr_reader_skip(r, err)) != AS_OK)
            return rc;
    }
}

/* ---- streaming ------------------------------------------------------------ */

/* Bucket indexes are Unix-time based and could be negative (pre-1970). */
static size_t ring_slot(as_time b, as_time W) { return (size_t)(((b % W) + W) % W); }

/* Checks and bookkeeping of one line's bucket b in the ring. */
static int stream_take(tr_reader *r, clf_state *c, as_time b, as_err *err)
{
    if (!c->started) {
        c->started = true;
        c->b0 = c->hi = c->first = b;
        c->emit_upto = b - c->W + 1;
    }
    if (b < c->b0)
        return as_err_set(err, AS_EINVAL,
                          "%s:%ld: timestamp goes back more than %llds behind an earlier line "
                          "(access log out of order; --sort or [trace] sort = true counts the "
                          "whole log in any order)",
                          r->path, r->in.lineno, (long long)(c->W * r->bucket / AS_SEC));
    /* a silent stretch is counted as zero buckets, one per bucket: more
     * than a year of them is a date typo, not traffic */
    if (b > c->hi && (b - c->hi) * r->bucket > CLF_YEAR)
        return as_err_set(err, AS_EINVAL,
                          "%s:%ld: timestamp jumps more than a year past the previous line "
                          "(wrong date?)",
                          r->path, r->in.lineno);
    if (b > c->hi) {
        int rc = check_span(r, c->first, b, r->opts.max_buckets, err);
        if (rc != AS_OK)
            return rc;
        c->hi = b;
        if (b - c->W + 1 > c->emit_upto)
            c->emit_upto = b - c->W + 1;
    }
    c->pending = b;
    c->have_pending = true;
    return AS_OK;
}

static int stream_next(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err)
{
    clf_state *c = r->state;
    for (;;) {
        if (c->have_pending && c->pending < c->b0 + c->W) {
            c->counts[ring_slot(c->pending, c->W)] += 1;
            c->have_pending = false;
        }
        if (c->started && c->b0 < c->emit_upto) {
            double *slot = &c->counts[ring_slot(c->b0, c->W)];
            *t = c->b0 * r->bucket;
            *rate = *slot / as_time_to_s(r->bucket);
            *slot = 0;
            c->b0++;
            *more = true;
            return AS_OK;
        }
        if (c->eof) {
            *more = false;
            return AS_OK;
        }
        bool got;
        as_time b;
        int rc = read_bucket(r, &b, &got, err);
        if (rc != AS_OK)
            return rc;
        if (!got) {
            c->eof = true;
            c->emit_upto = c->hi + 1;
            continue;
        }
        if ((rc = stream_take(r, c, b, err)) != AS_OK)
            return rc;
    }
}

/* ---- sorted --------------------------------------------------------------- */

/* One more request in slot i of a side array, grown by doubling. */
static int side_add(double **a, size_t *n, size_t *cap, size_t i)
{
    if (i >= *cap) {
        size_t nc = *cap ? *cap : 1024;
        while (nc <= i)
            nc *= 2;
        double *p = realloc(*a, nc * sizeof *p);
        if (p == NULL)
            return AS_ENOMEM;
        memset(p + *cap, 0, (nc - *cap) * sizeof *p);
        *a = p;
        *cap = nc;
    }
    (*a)[i] += 1;
    if (i + 1 > *n)
        *n = i + 1;
    return AS_OK;
}

static int sorted_add(tr_reader *r, clf_state *c, as_time b, as_err *err)
{
    if (!c->started) {
        c->started = true;
        c->first = b;
    }
    as_time lo = c->first - (as_time)c->nleft, hi = c->first + (as_time)c->nright - 1;
    if (c->nleft + c->nright > 0 &&
        ((b > hi && (b - hi) * r->bucket > CLF_YEAR) || (b < lo && (lo - b) * r->bucket > CLF_YEAR)))
        return as_err_set(err, AS_EINVAL,
                          "%s:%ld: timestamp is more than a year away from every line before it "
                          "(wrong date?)",
                          r->path, r->in.lineno);
    size_t limit = r->opts.max_buckets ? r->opts.max_buckets : TR_MAX_BUCKETS;
    int rc = check_span(r, b < lo ? b : lo, b > hi ? b : hi, limit, err);
    if (rc != AS_OK)
        return rc;
    rc = b >= c->first ? side_add(&c->right, &c->nright, &c->capr, (size_t)(b - c->first))
                       : side_add(&c->left, &c->nleft, &c->capl, (size_t)(c->first - 1 - b));
    if (rc != AS_OK)
        return as_err_set(err, AS_ENOMEM, "%s: out of memory sorting the log", r->path);
    return AS_OK;
}

/* Count the whole log (once: a rewind replays the counts). */
static int sorted_load(tr_reader *r, clf_state *c, as_err *err)
{
    int rc = tr_input_rewind(&r->in, err);
    r->skipped = 0;
    while (rc == AS_OK) {
        as_time b;
        bool got;
        rc = read_bucket_skipping(r, &b, &got, err);
        if (rc != AS_OK || !got)
            break;
        rc = sorted_add(r, c, b, err);
    }
    c->loaded = rc == AS_OK;
    return rc;
}

static int sorted_next(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err)
{
    (void)err;
    clf_state *c = r->state;
    size_t i = c->emit;
    if (i >= c->nleft + c->nright) {
        *more = false;
        return AS_OK;
    }
    double n = i < c->nleft ? c->left[c->nleft - 1 - i] : c->right[i - c->nleft];
    *t = (c->first - (as_time)c->nleft + (as_time)i) * r->bucket;
    *rate = n / as_time_to_s(r->bucket);
    c->emit++;
    *more = true;
    return AS_OK;
}

/* ---- the type ------------------------------------------------------------- */

static int clf_open(tr_reader *r, as_err *err)
{
    clf_state *c = calloc(1, sizeof *c);
    if ((r->state = c) == NULL)
        return as_err_set(err, AS_ENOMEM, "%s: out of memory", r->path);
    c->W = (CLF_REORDER + r->bucket - 1) / r->bucket + 1;
    if (c->W > 65536)
        c->W = 65536;
    if (!r->opts.sort && (c->counts = calloc((size_t)c->W, sizeof *c->counts)) == NULL)
        return as_err_set(err, AS_ENOMEM, "%s: out of memory", r->path);
    return AS_OK;
}

static int clf_start(tr_reader *r, as_err *err)
{
    clf_state *c = r->state;
    if (r->opts.sort) {
        c->emit = 0;
        return c->loaded ? AS_OK : sorted_load(r, c, err);
    }
    c->b0 = c->hi = c->emit_upto = 0;
    c->have_pending = c->started = c->eof = false;
    for (as_time i = 0; i < c->W; i++)
        c->counts[i] = 0;
    r->skipped = 0; /* the same lines are skipped again on each pass */
    return tr_input_rewind(&r->in, err);
}

static int clf_next(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err)
{
    return r->opts.sort ? sorted_next(r, t, rate, more, err)
                        : stream_next(r, t, rate, more, err);
}

static void clf_close(tr_reader *r)
{
    clf_state *c = r->state;
    if (c == NULL)
        return;
    free(c->counts);
    free(c->right);
    free(c->left);
    free(c);
}

static as_time clf_step(const tr_reader *r) { return r->bucket; }

const tr_reader_type tr_clf_type = {
    1,              /* version */
    TR_FORMAT_CLF,  /* format */
    clf_open,       /* xOpen */
    clf_start,      /* xStart */
    clf_next,       /* xNext */
    clf_close,      /* xClose */
    clf_step,       /* xStep: the bucket */
};
