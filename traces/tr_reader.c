/* tr_reader.c - readers of recorded traces: CSV (time,rate), web server
 * access logs (Common and Combined Log Format, counted into buckets) and
 * Prometheus query_range JSON; plus tr_series_load on top of them.
 *
 * Each format is a static const tr_reader_type (open/next/rewind/close) and
 * tr_reader_* are the only callers of its slots. CSV and access logs are
 * read line by line with one reused getline buffer, so a multi-GB log never
 * sits in memory; Prometheus JSON is loaded whole (see prom_open).
 *
 * Every reader returns times rebased to its first sample (t = 0) and
 * checks: increasing timestamps, finite rates >= 0, well-formed lines.
 * Messages are "FILE:LINE: what is wrong" so a user can open the line. */
#include "tr_trace.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const tr_format_names[] = {"auto", "csv", "clf", "prometheus", NULL};

/* ---------------------------------------------------------------------
 * Calendar helpers (UTC, proleptic Gregorian), shared by CSV and CLF. */

/* Days since 1970-01-01 of a civil date; H. Hinnant's algorithm, exact for
 * every year, no table and no timegm() (which reads the process TZ). */
static int64_t days_from_civil(int64_t y, int m, int d)
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
static bool digits(const char **p, int n, int *out)
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

static bool valid_ymdhms(int y, int mo, int d, int h, int mi, int s)
{
    return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo) && h <= 23 &&
           mi <= 59 && s <= 60; /* 60: a leap second, counted as the next second */
}

/* ISO 8601 / RFC 3339 subset: YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|(+|-)HH[:]MM].
 * No zone means UTC. Returns false unless the whole string is consumed. */
static bool parse_iso8601(const char *s, as_time *out)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    double frac = 0;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return false;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
            return false;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &sec))
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
        if (!digits(&p, 2, &oh))
            return false;
        if (*p == ':')
            p++;
        if (!digits(&p, 2, &om) || oh > 23 || om > 59)
            return false;
        off = sign * (oh * 3600 + om * 60);
    }
    if (*p != '\0' || !valid_ymdhms(y, mo, d, h, mi, sec))
        return false;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    *out = secs * AS_SEC + (as_time)llround(frac * 1e6);
    return true;
}

/* Strict number: the whole (trimmed) field must parse. */
static bool parse_number(const char *s, double *out)
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

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static as_time floor_div(as_time a, as_time b)
{
    as_time q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---------------------------------------------------------------------
 * The reader object and its per-format type objects. */

typedef struct tr_reader_type {
    int version;      /* 1 */
    tr_format format; /* what this type reads */
    /* Position at the first sample; called at open and by rewind. */
    int (*xStart)(tr_reader *r, as_err *err);
    /* Next raw sample (absolute time as written, before rebasing). */
    int (*xNext)(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err);
    /* Release format state (the FILE and line buffer are the base's). */
    void (*xClose)(tr_reader *r);
} tr_reader_type;

typedef struct clf_state {
    double *counts;    /* ring of W pending buckets */
    as_time W;         /* reorder window in buckets */
    as_time b0;        /* oldest pending bucket index */
    as_time hi;        /* newest bucket index seen */
    as_time emit_upto; /* buckets < emit_upto are final */
    as_time pending;   /* bucket of a line read but not yet counted */
    bool have_pending, started, eof;
} clf_state;

struct tr_reader {
    const tr_reader_type *type;
    char *path;
    FILE *f;          /* CSV and CLF; NULL for JSON */
    char *line;       /* getline buffer, reused for every line */
    size_t cap;
    long lineno;      /* line last read (1-based) */
    as_time bucket;   /* CLF bucket width */
    as_time origin;   /* absolute time of the first sample */
    as_time last_t;   /* previous raw time, for the monotonic check */
    bool have_last;
    /* First sample, read at open and handed out by the first next(). */
    bool peeked;
    as_time peek_t;
    double peek_rate;
    union {
        struct {
            bool header_done; /* first content line seen (header or data) */
        } csv;
        clf_state clf;
        struct {
            as_time *t;
            double *v;
            size_t n, i;
        } prom;
    } u;
};

static int read_line(tr_reader *r, bool *got, as_err *err)
{
    errno = 0;
    ssize_t len = getline(&r->line, &r->cap, r->f);
    if (len < 0) {
        if (ferror(r->f))
            return as_err_set(err, AS_EIO, "%s:%ld: read error: %s", r->path, r->lineno + 1,
                              strerror(errno ? errno : EIO));
        if (errno == ENOMEM)
            return as_err_set(err, AS_ENOMEM, "%s: out of memory reading a line", r->path);
        *got = false;
        return AS_OK;
    }
    r->lineno++;
    while (len > 0 && (r->line[len - 1] == '\n' || r->line[len - 1] == '\r'))
        r->line[--len] = '\0';
    if ((size_t)len != strlen(r->line))
        return as_err_set(err, AS_EINVAL, "%s:%ld: NUL byte in line (binary file?)", r->path,
                          r->lineno);
    *got = true;
    return AS_OK;
}

static int rewind_file(tr_reader *r, as_err *err)
{
    if (fseek(r->f, 0, SEEK_SET) != 0)
        return as_err_set(err, AS_EIO, "%s: cannot rewind: %s", r->path, strerror(errno));
    clearerr(r->f);
    r->lineno = 0;
    return AS_OK;
}

/* ---- CSV -------------------------------------------------------------- */

static int csv_start(tr_reader *r, as_err *err)
{
    r->u.csv.header_done = false;
    return rewind_file(r, err);
}

/* A time field: ISO 8601 (absolute) or a number of seconds (either since
 * the trace start or since the Unix epoch: the reader rebases both). */
static bool csv_time(const char *s, as_time *out)
{
    double v;
    if (parse_number(s, &v)) {
        if (!isfinite(v) || fabs(v) > 9.0e9) /* beyond year 2255: not a time */
            return false;
        *out = (as_time)llround(v * 1e6);
        return true;
    }
    return parse_iso8601(s, out);
}

static int csv_next(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err)
{
    for (;;) {
        bool got;
        int rc = read_line(r, &got, err);
        if (rc != AS_OK)
            return rc;
        if (!got) {
            *more = false;
            return AS_OK;
        }
        char *s = trim(r->line);
        if (*s == '\0' || *s == '#')
            continue; /* blank lines and # comments */
        char *comma = strchr(s, ',');
        if (comma == NULL || strchr(comma + 1, ',') != NULL)
            return as_err_set(err, AS_EINVAL,
                              "%s:%ld: malformed line, expected 2 comma-separated fields "
                              "'time,rate'",
                              r->path, r->lineno);
        *comma = '\0';
        char *ft = trim(s), *fr = trim(comma + 1);
        as_time tv;
        bool time_ok = csv_time(ft, &tv);
        if (!r->u.csv.header_done) {
            r->u.csv.header_done = true;
            /* A first line whose time field is no time is a header (any
             * names: time_s,rate or timestamp,requests). */
            if (!time_ok)
                continue;
        }
        if (!time_ok)
            return as_err_set(err, AS_EINVAL,
                              "%s:%ld: bad timestamp '%s' (seconds or ISO 8601 expected)",
                              r->path, r->lineno, ft);
        double v;
        if (!parse_number(fr, &v))
            return as_err_set(err, AS_EINVAL, "%s:%ld: bad rate '%s' (a number expected)",
                              r->path, r->lineno, fr);
        if (!isfinite(v))
            return as_err_set(err, AS_EINVAL, "%s:%ld: rate '%s' is not finite", r->path,
                              r->lineno, fr);
        if (v < 0)
            return as_err_set(err, AS_EINVAL, "%s:%ld: negative rate %s", r->path, r->lineno,
                              fr);
        *t = tv;
        *rate = v;
        *more = true;
        return AS_OK;
    }
}

static void no_close(tr_reader *r) { (void)r; }

static const tr_reader_type csv_type = {
    1,              /* version */
    TR_FORMAT_CSV,  /* format */
    csv_start,      /* xStart */
    csv_next,       /* xNext */
    no_close,       /* xClose */
};

/* ---- Access logs (Common / Combined Log Format) ------------------------
 *   host ident user [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326
 * Combined adds ` "referer" "user-agent"`. Every line is one request; the
 * date is local time with its UTC offset, which we subtract so that lines
 * written in several zones land in the right UTC bucket.
 *
 * Logs are written when a request completes, so lines are slightly out of
 * order. Buckets are kept in a ring of W = 5 min (at least 2 buckets) and
 * only emitted once a line more than W buckets newer arrives; an older
 * line than that is an error. A full sort would need the whole log in
 * memory, which is what streaming avoids. */

#define CLF_REORDER (300 * AS_SEC)

/* Bucket indexes are Unix-time based and could be negative (pre-1970). */
static size_t ring_slot(as_time b, as_time W) { return (size_t)(((b % W) + W) % W); }

static int clf_start(tr_reader *r, as_err *err)
{
    r->u.clf.b0 = r->u.clf.hi = r->u.clf.emit_upto = 0;
    r->u.clf.have_pending = r->u.clf.started = r->u.clf.eof = false;
    for (as_time i = 0; i < r->u.clf.W; i++)
        r->u.clf.counts[i] = 0;
    return rewind_file(r, err);
}

static bool clf_date(const char *p, const char **end, as_time *out)
{
    static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int d, y, h, mi, s, oh, om, m = 0;
    if (!digits(&p, 2, &d) || *p++ != '/')
        return false;
    for (m = 0; m < 12; m++)
        if (strncmp(p, mon[m], 3) == 0)
            break;
    if (m == 12)
        return false;
    p += 3;
    if (*p++ != '/' || !digits(&p, 4, &y) || *p++ != ':' || !digits(&p, 2, &h) ||
        *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' || !digits(&p, 2, &s) ||
        *p++ != ' ')
        return false;
    int sign = *p == '-' ? -1 : *p == '+' ? 1 : 0;
    p++;
    if (sign == 0 || !digits(&p, 2, &oh) || !digits(&p, 2, &om) || *p != ']' || oh > 23 ||
        om > 59 || !valid_ymdhms(y, m + 1, d, h, mi, s))
        return false;
    int64_t secs = days_from_civil(y, m + 1, d) * 86400 + h * 3600 + mi * 60 + s -
                   sign * (oh * 3600 + om * 60);
    *out = secs * AS_SEC;
    *end = p + 1;
    return true;
}

/* Parse one line into its UTC time; false when it is not CLF/Combined. */
static bool clf_parse(const char *s, as_time *t)
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
    if (*s++ != '[' || !clf_date(s, &s, t))
        return false;
    if (*s++ != ' ' || *s++ != '"')
        return false;
    /* The request line; \" escapes a quote inside it (Apache 2 escapes). */
    while (*s && *s != '"')
        s += (*s == '\\' && s[1]) ? 2 : 1;
    if (*s++ != '"' || *s++ != ' ')
        return false;
    int status;
    if (!digits(&s, 3, &status) || *s++ != ' ')
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

static bool looks_like_clf(const char *s)
{
    as_time t;
    return clf_parse(s, &t);
}

static int clf_next(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err)
{
    clf_state *c = &r->u.clf;
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
        int rc = read_line(r, &got, err);
        if (rc != AS_OK)
            return rc;
        if (!got) {
            c->eof = true;
            c->emit_upto = c->hi + 1;
            continue;
        }
        const char *s = r->line;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '\0')
            continue;
        as_time tl;
        if (!clf_parse(s, &tl))
            return as_err_set(err, AS_EINVAL,
                              "%s:%ld: malformed access log line (Common or Combined Log "
                              "Format expected)",
                              r->path, r->lineno);
        as_time b = floor_div(tl, r->bucket);
        if (!c->started) {
            c->started = true;
            c->b0 = c->hi = b;
            c->emit_upto = b - c->W + 1;
        }
        if (b < c->b0)
            return as_err_set(err, AS_EINVAL,
                              "%s:%ld: timestamp goes back more than %llds behind an earlier "
                              "line (access log out of order)",
                              r->path, r->lineno,
                              (long long)(c->W * r->bucket / AS_SEC));
        /* a silent stretch is counted as zero buckets, one per bucket: more
         * than a year of them is a date typo, not traffic */
        if (b > c->hi && (b - c->hi) * r->bucket > 366 * AS_DAY)
            return as_err_set(err, AS_EINVAL,
                              "%s:%ld: timestamp jumps more than a year past the previous "
                              "line (wrong date?)",
                              r->path, r->lineno);
        if (b > c->hi) {
            c->hi = b;
            if (b - c->W + 1 > c->emit_upto)
                c->emit_upto = b - c->W + 1;
        }
        c->pending = b;
        c->have_pending = true;
    }
}

static void clf_close(tr_reader *r) { free(r->u.clf.counts); }

static const tr_reader_type clf_type = {
    1,              /* version */
    TR_FORMAT_CLF,  /* format */
    clf_start,      /* xStart */
    clf_next,       /* xNext */
    clf_close,      /* xClose */
};

/* ---- Prometheus query_range JSON ----------------------------------------
 * {"status":"success","data":{"resultType":"matrix","result":[
 *    {"metric":{...},"values":[[1435781430.781,"1.5"], ...]}, ...]}}
 * jansson has no streaming parser, so the document is loaded whole and
 * copied into two arrays; that is fine because query_range answers are
 * capped at 11,000 points per series by Prometheus itself. Several series
 * are summed at equal timestamps (e.g. one per instance). */

typedef struct prom_pt {
    as_time t;
    double v;
} prom_pt;

static int prom_cmp(const void *a, const void *b)
{
    const prom_pt *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

static int prom_load(tr_reader *r, as_err *err)
{
    json_error_t je;
    json_t *root = json_load_file(r->path, 0, &je);
    if (root == NULL)
        return as_err_set(err, AS_EINVAL, "%s:%d: invalid JSON: %s", r->path, je.line,
                          je.text);
    int rc = AS_OK;
    prom_pt *pts = NULL;
    json_t *data = json_object_get(root, "data");
    json_t *status = json_object_get(root, "status");
    if (status && (!json_is_string(status) || strcmp(json_string_value(status), "success"))) {
        rc = as_err_set(err, AS_EINVAL, "%s: Prometheus status is not \"success\"", r->path);
        goto out;
    }
    json_t *rt = json_object_get(data, "resultType");
    json_t *res = json_object_get(data, "result");
    if (!json_is_string(rt) || strcmp(json_string_value(rt), "matrix") != 0 ||
        !json_is_array(res)) {
        rc = as_err_set(err, AS_EINVAL,
                        "%s: not a Prometheus query_range answer (data.resultType \"matrix\" "
                        "with data.result expected)",
                        r->path);
        goto out;
    }
    size_t total = 0, cap = 0;
    for (size_t si = 0; si < json_array_size(res); si++) {
        json_t *vals = json_object_get(json_array_get(res, si), "values");
        if (!json_is_array(vals)) {
            rc = as_err_set(err, AS_EINVAL, "%s: result[%zu] has no \"values\" array", r->path,
                            si);
            goto out;
        }
        cap += json_array_size(vals);
    }
    pts = malloc((cap ? cap : 1) * sizeof *pts);
    if (pts == NULL) {
        rc = as_err_set(err, AS_ENOMEM, "%s: out of memory", r->path);
        goto out;
    }
    for (size_t si = 0; si < json_array_size(res); si++) {
        json_t *vals = json_object_get(json_array_get(res, si), "values");
        as_time prev = 0;
        for (size_t i = 0; i < json_array_size(vals); i++) {
            json_t *p = json_array_get(vals, i);
            json_t *jt = json_array_get(p, 0), *jv = json_array_get(p, 1);
            double v;
            if (!json_is_array(p) || json_array_size(p) != 2 || !json_is_number(jt) ||
                !json_is_string(jv)) {
                rc = as_err_set(err, AS_EINVAL,
                                "%s: result[%zu].values[%zu]: malformed point, expected "
                                "[unix_seconds, \"value\"]",
                                r->path, si, i);
                goto out;
            }
            const char *vs = json_string_value(jv);
            /* Prometheus spells non-finite values "NaN", "+Inf", "-Inf". */
            if (!parse_number(vs, &v) && strcmp(vs, "+Inf") && strcmp(vs, "-Inf")) {
                rc = as_err_set(err, AS_EINVAL, "%s: result[%zu].values[%zu]: bad value '%s'",
                                r->path, si, i, vs);
                goto out;
            }
            if (!parse_number(vs, &v) || !isfinite(v)) {
                rc = as_err_set(err, AS_EINVAL,
                                "%s: result[%zu].values[%zu]: rate '%s' is not finite", r->path,
                                si, i, vs);
                goto out;
            }
            if (v < 0) {
                rc = as_err_set(err, AS_EINVAL, "%s: result[%zu].values[%zu]: negative rate %s",
                                r->path, si, i, vs);
                goto out;
            }
            double ts = json_number_value(jt);
            if (!isfinite(ts) || fabs(ts) > 9.0e9) { /* as in CSV: beyond year 2255 */
                rc = as_err_set(err, AS_EINVAL,
                                "%s: result[%zu].values[%zu]: timestamp %g is out of range "
                                "(Unix seconds expected)",
                                r->path, si, i, ts);
                goto out;
            }
            as_time t = (as_time)llround(ts * 1e6);
            if (i > 0 && t <= prev) {
                rc = as_err_set(err, AS_EINVAL,
                                "%s: result[%zu].values[%zu]: timestamp %.3f is not after the "
                                "previous one (timestamps must increase)",
                                r->path, si, i, json_number_value(jt));
                goto out;
            }
            prev = t;
            pts[total].t = t;
            pts[total].v = v;
            total++;
        }
    }
    if (total == 0) {
        rc = as_err_set(err, AS_EINVAL, "%s: empty trace (no samples)", r->path);
        goto out;
    }
    /* Stable merge is not needed: equal times are summed, order of the
     * summands only changes the last bit, and each series is sorted. */
    if (json_array_size(res) > 1)
        qsort(pts, total, sizeof *pts, prom_cmp);
    size_t n = 0;
    for (size_t i = 0; i < total; i++) {
        if (n > 0 && pts[n - 1].t == pts[i].t)
            pts[n - 1].v += pts[i].v;
        else
            pts[n++] = pts[i];
    }
    r->u.prom.t = malloc(n * sizeof *r->u.prom.t);
    r->u.prom.v = malloc(n * sizeof *r->u.prom.v);
    if (!r->u.prom.t || !r->u.prom.v) {
        rc = as_err_set(err, AS_ENOMEM, "%s: out of memory", r->path);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        r->u.prom.t[i] = pts[i].t;
        r->u.prom.v[i] = pts[i].v;
    }
    r->u.prom.n = n;
out:
    free(pts);
    json_decref(root);
    return rc;
}

static int prom_start(tr_reader *r, as_err *err)
{
    r->u.prom.i = 0;
    if (r->u.prom.t == NULL)
        return prom_load(r, err);
    return AS_OK;
}

static int prom_next(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err)
{
    (void)err;
    if (r->u.prom.i >= r->u.prom.n) {
        *more = false;
        return AS_OK;
    }
    *t = r->u.prom.t[r->u.prom.i];
    *rate = r->u.prom.v[r->u.prom.i];
    r->u.prom.i++;
    *more = true;
    return AS_OK;
}

static void prom_close(tr_reader *r)
{
    free(r->u.prom.t);
    free(r->u.prom.v);
}

static const tr_reader_type prom_type = {
    1,                     /* version */
    TR_FORMAT_PROMETHEUS,  /* format */
    prom_start,            /* xStart */
    prom_next,             /* xNext */
    prom_close,            /* xClose */
};

/* ---------------------------------------------------------------------
 * Public wrappers: format detection, rebasing, monotonic check. */

static bool has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && strcasecmp(path + n - e, ext) == 0;
}

/* Extension first (cheap, explicit), then the first non-blank line. */
static tr_format detect_format(tr_reader *r)
{
    if (has_ext(r->path, ".csv"))
        return TR_FORMAT_CSV;
    if (has_ext(r->path, ".json"))
        return TR_FORMAT_PROMETHEUS;
    if (has_ext(r->path, ".log"))
        return TR_FORMAT_CLF;
    tr_format f = TR_FORMAT_CSV;
    bool got;
    while (read_line(r, &got, NULL) == AS_OK && got) {
        const char *s = r->line;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '\0')
            continue;
        if (*s == '{' || *s == '[')
            f = TR_FORMAT_PROMETHEUS;
        else if (looks_like_clf(s))
            f = TR_FORMAT_CLF;
        break;
    }
    return f;
}

/* Raw next with the checks every format shares. */
static int next_checked(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err)
{
    int rc = r->type->xNext(r, t, rate, more, err);
    if (rc != AS_OK || !*more)
        return rc;
    if (r->have_last && *t <= r->last_t)
        return as_err_set(err, AS_EINVAL,
                          "%s:%ld: time %.6g s is not after the previous time %.6g s "
                          "(timestamps must increase)",
                          r->path, r->lineno, as_time_to_s(*t - r->origin),
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

tr_reader *tr_reader_open(const char *path, tr_format fmt, as_time bucket, as_err *err)
{
    tr_reader *r = calloc(1, sizeof *r);
    if (r == NULL || (r->path = strdup(path)) == NULL) {
        as_err_set(err, AS_ENOMEM, "%s: out of memory", path);
        free(r);
        return NULL;
    }
    r->bucket = bucket > 0 ? bucket : 60 * AS_SEC;
    r->type = &csv_type; /* until known; its close is a no-op */
    r->f = fopen(path, "r");
    if (r->f == NULL) {
        as_err_set(err, AS_EIO, "%s: cannot open: %s", path, strerror(errno));
        goto fail;
    }
    if (fmt == TR_FORMAT_AUTO)
        fmt = detect_format(r);
    switch (fmt) {
    case TR_FORMAT_CLF:
        r->type = &clf_type;
        r->u.clf.W = (CLF_REORDER + r->bucket - 1) / r->bucket + 1;
        if (r->u.clf.W > 65536)
            r->u.clf.W = 65536;
        r->u.clf.counts = calloc((size_t)r->u.clf.W, sizeof *r->u.clf.counts);
        if (r->u.clf.counts == NULL) {
            as_err_set(err, AS_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
        break;
    case TR_FORMAT_PROMETHEUS:
        r->type = &prom_type;
        fclose(r->f); /* jansson opens the file itself */
        r->f = NULL;
        break;
    default:
        r->type = &csv_type;
        break;
    }
    if (start_and_peek(r, err) != AS_OK)
        goto fail;
    return r;
fail:
    tr_reader_free(r);
    return NULL;
}

void tr_reader_free(tr_reader *r)
{
    if (r == NULL)
        return;
    r->type->xClose(r);
    if (r->f)
        fclose(r->f);
    free(r->line);
    free(r->path);
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

as_time tr_reader_step(const tr_reader *r)
{
    return r->type->format == TR_FORMAT_CLF ? r->bucket : 0;
}

/* ---------------------------------------------------------------------
 * Whole series. */

int tr_series_load_fmt(const char *path, tr_format fmt, as_time bucket, tr_series *out,
                       as_err *err)
{
    memset(out, 0, sizeof *out);
    tr_reader *r = tr_reader_open(path, fmt, bucket, err);
    if (r == NULL)
        return err ? err->code : AS_EINVAL;
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
                rc = as_err_set(err, AS_ENOMEM, "%s: out of memory", path);
                break;
            }
            cap = nc;
        }
        out->t[out->n] = t;
        out->rate[out->n] = v;
        out->n++;
    }
    tr_reader_free(r);
    if (rc != AS_OK)
        tr_series_free(out);
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
