/* tr_reader.c - the recorded-trace reader object: format detection, the
 * checks every format shares (increasing times, malformed lines skipped
 * under skip_bad), rebasing to t = 0, and whole-series loading.
 *
 * Each format is a const tr_reader_type (tr_csv.c, tr_clf.c, tr_prom.c)
 * and the functions here are the only callers of its slots. The bytes come
 * from tr_input.c (regular files or standard input, gzip or plain).
 * Messages are "FILE:LINE: what is wrong" so a user can open the line. */
#include "tr_reader_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const tr_format_names[] = {"auto", "csv", "clf", "prometheus", NULL};

int tr_reader_bad(tr_reader *r, as_err *err, const char *fmt, ...)
{
    r->bad = true;
    if (err == NULL)
        return AS_EINVAL;
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return as_err_set(err, AS_EINVAL, "%s", msg); /* one line, as every message */
}

int tr_reader_skip(tr_reader *r, as_err *err)
{
    if (r->skipped < r->opts.skip_bad) {
        if (r->skipped == 0)
            snprintf(r->first_bad, sizeof r->first_bad, "%s", err->msg);
        r->skipped++;
        return AS_OK;
    }
    if (r->opts.skip_bad > 0) {
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof err->msg - l,
                 " (%zu malformed lines, more than skip_bad = %zu)", r->skipped + 1,
                 r->opts.skip_bad);
    }
    return err->code;
}

/* ---- format detection ------------------------------------------------------ */

static bool has_ext(const char *path, size_t n, const char *ext)
{
    size_t e = strlen(ext);
    return n > e && strncasecmp(path + n - e, ext, e) == 0;
}

/* Extension first (cheap, explicit; ".gz" looked through), then the first
 * non-blank line, peeked at without consuming it. -1 when out of memory. */
static int detect_format(tr_reader *r)
{
    const char *p = r->path;
    size_t n = strlen(p);
    if (has_ext(p, n, ".gz"))
        n -= 3;
    if (has_ext(p, n, ".csv"))
        return TR_FORMAT_CSV;
    if (has_ext(p, n, ".json"))
        return TR_FORMAT_PROMETHEUS;
    if (has_ext(p, n, ".log"))
        return TR_FORMAT_CLF;
    const char *s = tr_input_peek(&r->in);
    if (s == NULL)
        return -1;
    if (*s == '{' || *s == '[')
        return TR_FORMAT_PROMETHEUS;
    if (tr_clf_looks_like(s))
        return TR_FORMAT_CLF;
    return TR_FORMAT_CSV;
}

/* ---- reading ----------------------------------------------------------------- */

/* Raw next, malformed lines skipped within skip_bad, times checked. */
static int next_checked(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err)
{
    as_err local = {0};
    as_err *e = err ? err : &local;
    int rc;
    for (;;) {
        r->bad = false;
        rc = r->type->xNext(r, t, rate, more, e);
        if (rc == AS_OK || !r->bad || (rc = tr_reader_skip(r, e)) != AS_OK)
            break;
    }
    if (rc != AS_OK || !*more)
        return rc;
    if (r->have_last && *t <= r->last_t)
        return as_err_set(err, AS_EINVAL,
                          "%s:%ld: time %.6g s is not after the previous time %.6g s "
                          "(timestamps must increase)",
                          r->path, r->in.lineno, as_time_to_s(*t - r->origin),
                          as_time_to_s(r->last_t - r->origin));
    r->have_last = true;
    r->last_t = *t;
    return AS_OK;
}

static int start_and_peek(tr_reader *r, as_err *err)
{
    int rc = r->type->xStart(r, err);
    if (rc != AS_OK)
        return rc;
    r->have_last = false;
    bool more;
    rc = next_checked(r, &r->peek_t, &r->peek_rate, &more, err);
    if (rc != AS_OK)
        return rc;
    if (!more)
        return as_err_set(err, AS_EINVAL, "%s: empty trace (no samples)", r->path);
    r->origin = r->peek_t;
    r->peeked = true;
    return AS_OK;
}

/* Options that name a feature of another format are errors, not ignored:
 * a user who asked for a series or a sort expects one. */
static int check_opts(const tr_reader *r, as_err *err)
{
    tr_format f = r->type->format;
    if (r->opts.series && f != TR_FORMAT_PROMETHEUS)
        return as_err_set(err, AS_EINVAL,
                          "%s: a series is chosen in Prometheus answers only, and this file "
                          "reads as %s",
                          r->path, tr_format_names[f]);
    if (r->opts.sort && f != TR_FORMAT_CLF)
        return as_err_set(err, AS_EINVAL,
                          "%s: sorting applies to access logs only, and this file reads as %s",
                          r->path, tr_format_names[f]);
    return AS_OK;
}

static const tr_reader_type *type_of(tr_format f)
{
    return f == TR_FORMAT_CLF          ? &tr_clf_type
           : f == TR_FORMAT_PROMETHEUS ? &tr_prom_type
                                       : &tr_csv_type;
}

tr_reader *tr_reader_open_opts(const char *path, const tr_read_opts *o, as_err *err)
{
    tr_reader *r = calloc(1, sizeof *r);
    if (r == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory opening a trace");
        return NULL;
    }
    r->opts = *o;
    r->bucket = o->bucket > 0 ? o->bucket : 60 * AS_SEC;
    if (o->series && (r->opts.series = r->series_buf = strdup(o->series)) == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory opening a trace");
        goto fail;
    }
    if (tr_input_open(&r->in, path, o->allow_stdin, err) != AS_OK)
        goto fail;
    r->path = r->in.name;
    int fmt = o->format == TR_FORMAT_AUTO ? detect_format(r) : (int)o->format;
    if (fmt < 0) {
        as_err_set(err, AS_ENOMEM, "out of memory opening a trace");
        goto fail;
    }
    r->type = type_of((tr_format)fmt);
    if (check_opts(r, err) != AS_OK || r->type->xOpen(r, err) != AS_OK ||
        start_and_peek(r, err) != AS_OK)
        goto fail;
    return r;
fail:
    tr_reader_free(r);
    return NULL;
}

tr_reader *tr_reader_open(const char *path, tr_format fmt, as_time bucket, as_err *err)
{
    tr_read_opts o = {.format = fmt, .bucket = bucket};
    return tr_reader_open_opts(path, &o, err);
}

void tr_reader_free(tr_reader *r)
{
    if (r == NULL)
        return;
    if (r->type)
        r->type->xClose(r);
    tr_input_close(&r->in);
    free(r->series_buf);
    free(r);
}

int tr_reader_next(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err)
{
    if (r->peeked) {
        r->peeked = false;
        *t = 0;
        *rate = r->peek_rate;
        *more = true;
        return AS_OK;
    }
    as_time raw;
    int rc = next_checked(r, &raw, rate, more, err);
    if (rc == AS_OK && *more)
        *t = raw - r->origin;
    return rc;
}

int tr_reader_rewind(tr_reader *r, as_err *err) { return start_and_peek(r, err); }

tr_format tr_reader_format(const tr_reader *r) { return r->type->format; }

as_time tr_reader_origin(const tr_reader *r) { return r->origin; }

bool tr_reader_clock(const tr_reader *r, int32_t *utc_offset_s)
{
    if (utc_offset_s != NULL)
        *utc_offset_s = r->clock ? r->utc_offset : 0;
    return r->clock;
}

as_time tr_reader_step(const tr_reader *r) { return r->type->xStep ? r->type->xStep(r) : 0; }

size_t tr_reader_skipped(const tr_reader *r) { return r->skipped; }

const char *tr_reader_first_skipped(const tr_reader *r) { return r->first_bad; }

size_t tr_reader_nan_gaps(const tr_reader *r) { return r->nan_gaps; }

const char *tr_reader_series(const tr_reader *r) { return r->series_desc; }

/* ---- whole series ------------------------------------------------------------ */

int tr_series_read(tr_reader *r, tr_series *out, as_err *err)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    int rc = AS_OK;
    for (;;) {
        as_time t;
        double v;
        bool more;
        if ((rc = tr_reader_next(r, &t, &v, &more, err)) != AS_OK || !more)
            break;
        if (out->n == cap) {
            /* Doubling: O(1) amortised per sample. */
            size_t nc = cap ? 2 * cap : 1024;
            as_time *nt = realloc(out->t, nc * sizeof *nt);
            if (nt)
                out->t = nt;
            double *nr = nt ? realloc(out->rate, nc * sizeof *nr) : NULL;
            if (nr)
                out->rate = nr;
            if (!nt || !nr) {
                rc = as_err_set(err, AS_ENOMEM, "%s: out of memory", r->path);
                break;
            }
            cap = nc;
        }
        out->t[out->n] = t;
        out->rate[out->n] = v;
        out->n++;
    }
    if (rc != AS_OK)
        tr_series_free(out);
    return rc;
}

int tr_series_load_fmt(const char *path, tr_format fmt, as_time bucket, tr_series *out,
                       as_err *err)
{
    memset(out, 0, sizeof *out);
    /* a whole series is held in memory (16 bytes a sample): an access
     * log's span is held to the limit `trace info` has by default, so a
     * date typo a year off at 1 s buckets (31.6 M zero samples, 500 MB) is
     * refused instead of expanded; a replay streams and needs no limit */
    tr_read_opts o = {.format = fmt, .bucket = bucket, .max_buckets = TR_MAX_BUCKETS};
    tr_reader *r = tr_reader_open_opts(path, &o, err);
    if (r == NULL)
        return err ? err->code : AS_EINVAL;
    int rc = tr_series_read(r, out, err);
    tr_reader_free(r);
    return rc;
}

int tr_series_load(const char *path, tr_series *out, as_err *err)
{
    return tr_series_load_fmt(path, TR_FORMAT_AUTO, 60 * AS_SEC, out, err);
}

void tr_series_free(tr_series *s)
{
    if (s == NULL)
        return;
    free(s->t);
    free(s->rate);
    s->t = NULL;
    s->rate = NULL;
    s->n = 0;
}
