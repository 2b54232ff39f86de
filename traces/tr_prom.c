/* tr_prom.c - the Prometheus reader: a query_range answer,
 *   {"status":"success","data":{"resultType":"matrix","result":[
 *      {"metric":{...},"values":[[1435781430.781,"1.5"], ...]}, ...]}}
 *
 * jansson has no streaming parser, so the document is read whole (at most
 * TR_DOC_MAX bytes) and the chosen series copied into two arrays; that is
 * fine because Prometheus itself caps query_range answers at 11,000 points
 * per series.
 *
 * An answer with several series (one per instance, say) is not summed
 * unless asked: the wrong choice doubles the load silently. The series is
 * picked by its labels (series = instance=a:9090), or "sum" adds them at
 * equal timestamps; otherwise several series are an error that lists them
 * in the form the selector accepts, so it can be pasted back.
 *
 * "NaN" is what rate() answers when a counter has too few points in the
 * window: a gap in the data, not bad data. Such a sample is left out (a
 * sum with a NaN term is left out too), and the step of the answer is
 * measured on every timestamp, NaN ones included, so that the replay sees
 * the hole as a gap and applies the trace's gap policy. */
#include "tr_reader_int.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PROM_MAX_LABELS 16

typedef struct prom_state {
    as_time *t;   /* samples, NaN ones left out */
    double *v;
    size_t n, i;  /* count, next to hand out */
    as_time step; /* smallest spacing of the answer's timestamps */
    bool loaded;
} prom_state;

typedef struct prom_pt {
    as_time t;
    double v;
    bool nan;
    size_t series; /* tie-break: equal times add in series order */
} prom_pt;

static int pt_cmp(const void *a, const void *b)
{
    const prom_pt *x = a, *y = b;
    if (x->t != y->t)
        return (x->t > y->t) - (x->t < y->t);
    return (x->series > y->series) - (x->series < y->series);
}

/* ---- labels and the series selector ------------------------------------ */

/* `{k="v",...}` of a series, quotes and backslashes escaped and control
 * characters shown as '?' (labels come from the file and go to a
 * terminal). Cut to n bytes. */
static void labels_of(json_t *series, char *buf, size_t n)
{
    json_t *metric = json_object_get(series, "metric");
    size_t k = 0;
    const char *key;
    json_t *val;
    buf[k++] = '{';
    json_object_foreach(metric, key, val) {
        const char *v = json_is_string(val) ? json_string_value(val) : "?";
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s%s=\"", k > 1 ? "," : "", key);
        for (size_t j = 0; j < strlen(tmp) && k + 2 < n; j++)
            buf[k++] = (unsigned char)tmp[j] < 0x20 ? '?' : tmp[j];
        for (; *v && k + 3 < n; v++) {
            if (*v == '"' || *v == '\\')
                buf[k++] = '\\';
            buf[k++] = (unsigned char)*v < 0x20 || *v == 0x7f ? '?' : *v;
        }
        if (k + 2 < n)
            buf[k++] = '"';
    }
    if (k + 1 < n)
        buf[k++] = '}';
    buf[k < n ? k : n - 1] = '\0';
}

/* "{a="x"}, {a="y"}, ..." of the series whose flags are set (all if
 * NULL), cut to fit. */
static void list_series(json_t *res, const bool *only, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < json_array_size(res); i++) {
        if (only && !only[i])
            continue;
        char one[160];
        labels_of(json_array_get(res, i), one, sizeof one);
        size_t l = strlen(one);
        if (k + l + 8 >= n) {
            snprintf(buf + k, n - k, "%s...", k ? ", " : "");
            return;
        }
        k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? ", " : "", one);
    }
}

typedef struct selector {
    int n;
    char key[PROM_MAX_LABELS][64], val[PROM_MAX_LABELS][160];
} selector;

/* One `key=value` or `key="value"` at *p into slot i; advances *p. */
static bool parse_pair(const char **p, selector *s)
{
    const char *q = *p;
    while (*q == ' ')
        q++;
    size_t kl = strcspn(q, "= ");
    const char *eq = q + kl;
    while (*eq == ' ')
        eq++;
    if (kl == 0 || kl >= sizeof s->key[0] || *eq != '=' || s->n == PROM_MAX_LABELS)
        return false;
    memcpy(s->key[s->n], q, kl);
    s->key[s->n][kl] = '\0';
    q = eq + 1;
    while (*q == ' ')
        q++;
    size_t vl = 0;
    char *v = s->val[s->n];
    bool quoted = *q == '"';
    for (q += quoted; *q && (quoted ? *q != '"' : *q != ',' && *q != '}'); q++) {
        if (quoted && *q == '\\' && q[1])
            q++;
        if (vl + 1 >= sizeof s->val[0])
            return false;
        v[vl++] = *q;
    }
    if (quoted && *q++ != '"')
        return false;
    while (vl > 0 && !quoted && v[vl - 1] == ' ')
        vl--;
    v[vl] = '\0';
    s->n++;
    *p = q;
    return true;
}

/* LABEL=VALUE[,LABEL=VALUE...], optionally in braces, values optionally
 * quoted: the form list_series prints. */
static bool parse_selector(const char *text, selector *s)
{
    const char *p = text;
    s->n = 0;
    while (*p == ' ')
        p++;
    bool brace = *p == '{';
    p += brace;
    for (;;) {
        if (!parse_pair(&p, s))
            return false;
        while (*p == ' ')
            p++;
        if (*p != ',')
            break;
        p++;
    }
    if (brace && *p++ != '}')
        return false;
    while (*p == ' ')
        p++;
    return *p == '\0';
}

static bool matches(json_t *series, const selector *s)
{
    json_t *metric = json_object_get(series, "metric");
    for (int i = 0; i < s->n; i++) {
        json_t *v = json_object_get(metric, s->key[i]);
        if (!json_is_string(v) || strcmp(json_string_value(v), s->val[i]) != 0)
            return false;
    }
    return true;
}

/* Flags the series to read in pick[] (caller frees); *npick their count. */
static int prom_select(tr_reader *r, json_t *res, bool **pick, size_t *npick, as_err *err)
{
    size_t n = json_array_size(res);
    const char *sel = r->opts.series;
    char list[320];
    *npick = 0;
    if ((*pick = calloc(n ? n : 1, sizeof **pick)) == NULL)
        return as_err_set(err, AS_ENOMEM, "%s: out of memory", r->path);
    if (sel == NULL || strcmp(sel, "sum") == 0) {
        if (sel == NULL && n > 1) {
            list_series(res, NULL, list, sizeof list);
            return as_err_set(err, AS_EINVAL,
                              "%s: %zu series in the answer; pick one with --series "
                              "LABEL=VALUE ([trace] series), or add them with --series sum: %s",
                              r->path, n, list);
        }
        for (size_t i = 0; i < n; i++)
            (*pick)[i] = true;
        *npick = n;
        if (n == 1)
            labels_of(json_array_get(res, 0), r->series_desc, sizeof r->series_desc);
        else
            snprintf(r->series_desc, sizeof r->series_desc, "sum of %zu series", n);
        return AS_OK;
    }
    selector s;
    if (!parse_selector(sel, &s))
        return as_err_set(err, AS_EINVAL,
                          "%s: series '%s': expected sum or LABEL=VALUE[,LABEL=VALUE...]",
                          r->path, sel);
    size_t last = 0;
    for (size_t i = 0; i < n; i++)
        if (((*pick)[i] = matches(json_array_get(res, i), &s))) {
            (*npick)++;
            last = i;
        }
    if (*npick == 1) {
        labels_of(json_array_get(res, last), r->series_desc, sizeof r->series_desc);
        return AS_OK;
    }
    list_series(res, *npick ? *pick : NULL, list, sizeof list);
    return as_err_set(err, AS_EINVAL, "%s: %s series match '%s' (one must): %s", r->path,
                      *npick ? "several" : "no", sel, list[0] ? list : "the answer has none");
}

/* ---- points ---------------------------------------------------------------- */

/* One [time, "value"] point of result[si]; NaN is a gap, not an error. */
static int prom_point(tr_reader *r, json_t *pt, size_t si, size_t i, prom_pt *out, as_err *err)
{
    json_t *jt = json_array_get(pt, 0), *jv = json_array_get(pt, 1);
    if (!json_is_array(pt) || json_array_size(pt) != 2 || !json_is_number(jt) ||
        !json_is_string(jv))
        return tr_reader_bad(r, err,
                             "%s: result[%zu].values[%zu]: malformed point, expected "
                             "[unix_seconds, \"value\"]",
                             r->path, si, i);
    const char *vs = json_string_value(jv);
    double v;
    /* Prometheus spells non-finite values "NaN", "+Inf", "-Inf". */
    if (!tr_parse_number(vs, &v) && strcmp(vs, "+Inf") && strcmp(vs, "-Inf"))
        return tr_reader_bad(r, err, "%s: result[%zu].values[%zu]: bad value '%s'", r->path, si,
                             i, vs);
    out->nan = tr_parse_number(vs, &v) && isnan(v);
    if (!out->nan && (!tr_parse_number(vs, &v) || !isfinite(v)))
        return tr_reader_bad(r, err, "%s: result[%zu].values[%zu]: rate '%s' is not finite",
                             r->path, si, i, vs);
    if (!out->nan && v < 0)
        return tr_reader_bad(r, err, "%s: result[%zu].values[%zu]: negative rate %s", r->path,
                             si, i, vs);
    if (!out->nan && v > TR_RATE_MAX)
        return tr_reader_bad(r, err, "%s: result[%zu].values[%zu]: rate %s is above %g req/s",
                             r->path, si, i, vs, TR_RATE_MAX);
    double ts = json_number_value(jt);
    if (!isfinite(ts) || fabs(ts) > 9.0e9) /* as in CSV: beyond year 2255 */
        return tr_reader_bad(r, err,
                             "%s: result[%zu].values[%zu]: timestamp %g is out of range "
                             "(Unix seconds expected)",
                             r->path, si, i, ts);
    out->t = (as_time)llround(ts * 1e6);
    out->v = out->nan ? 0 : v;
    out->series = si;
    return AS_OK;
}

/* Every point of one series, appended to pts[*total]. */
static int series_points(tr_reader *r, json_t *vals, size_t si, prom_pt *pts, size_t *total,
                         as_err *err)
{
    bool have_prev = false;
    as_time prev = 0;
    for (size_t i = 0; i < json_array_size(vals); i++) {
        prom_pt p;
        r->bad = false;
        int rc = prom_point(r, json_array_get(vals, i), si, i, &p, err);
        if (rc != AS_OK && r->bad && (rc = tr_reader_skip(r, err)) == AS_OK)
            continue;
        if (rc != AS_OK)
            return rc;
        if (have_prev && p.t <= prev)
            return as_err_set(err, AS_EINVAL,
                              "%s: result[%zu].values[%zu]: timestamp %.3f is not after the "
                              "previous one (timestamps must increase)",
                              r->path, si, i, as_time_to_s(p.t));
        have_prev = true;
        prev = p.t;
        pts[(*total)++] = p;
    }
    return AS_OK;
}

static int prom_points(tr_reader *r, json_t *res, const bool *pick, prom_pt **pts, size_t *total,
                       as_err *err)
{
    size_t cap = 0;
    *total = 0;
    for (size_t si = 0; si < json_array_size(res); si++) {
        json_t *vals = json_object_get(json_array_get(res, si), "values");
        if (pick[si] && !json_is_array(vals))
            return as_err_set(err, AS_EINVAL, "%s: result[%zu] has no \"values\" array",
                              r->path, si);
        cap += pick[si] ? json_array_size(vals) : 0;
    }
    if ((*pts = malloc((cap ? cap : 1) * sizeof **pts)) == NULL)
        return as_err_set(err, AS_ENOMEM, "%s: out of memory", r->path);
    for (size_t si = 0; si < json_array_size(res); si++) {
        if (!pick[si])
            continue;
        json_t *vals = json_object_get(json_array_get(res, si), "values");
        int rc = series_points(r, vals, si, *pts, total, err);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* Sort (several series), add equal times, drop NaN times, measure the step. */
static int prom_merge(tr_reader *r, prom_state *p, prom_pt *pts, size_t total, bool several,
                      as_err *err)
{
    if (several)
        qsort(pts, total, sizeof *pts, pt_cmp);
    size_t n = 0;
    for (size_t i = 0; i < total; i++) {
        if (n > 0 && pts[n - 1].t == pts[i].t) {
            pts[n - 1].v += pts[i].v;
            pts[n - 1].nan |= pts[i].nan;
            continue;
        }
        as_time d = n > 0 ? pts[i].t - pts[n - 1].t : 0;
        if (d > 0 && (p->step == 0 || d < p->step))
            p->step = d;
        pts[n++] = pts[i];
    }
    p->t = malloc((n ? n : 1) * sizeof *p->t);
    p->v = malloc((n ? n : 1) * sizeof *p->v);
    if (!p->t || !p->v)
        return as_err_set(err, AS_ENOMEM, "%s: out of memory", r->path);
    for (size_t i = 0; i < n; i++) {
        if (pts[i].nan) {
            r->nan_gaps++;
            continue;
        }
        p->t[p->n] = pts[i].t;
        p->v[p->n] = pts[i].v;
        p->n++;
    }
    if (p->n == 0 && r->nan_gaps > 0)
        return as_err_set(err, AS_EINVAL, "%s: empty trace (no samples but %zu NaN)", r->path,
                          r->nan_gaps);
    if (p->n == 0)
        return as_err_set(err, AS_EINVAL, "%s: empty trace (no samples)", r->path);
    return AS_OK;
}

/* ---- the document ------------------------------------------------------ */

/* data.result of a successful matrix answer. */
static int prom_result(tr_reader *r, json_t *root, json_t **res, as_err *err)
{
    json_t *data = json_object_get(root, "data");
    json_t *status = json_object_get(root, "status");
    if (status && (!json_is_string(status) || strcmp(json_string_value(status), "success")))
        return as_err_set(err, AS_EINVAL, "%s: Prometheus status is not \"success\"", r->path);
    json_t *rt = json_object_get(data, "resultType");
    *res = json_object_get(data, "result");
    if (!json_is_string(rt) || strcmp(json_string_value(rt), "matrix") != 0 ||
        !json_is_array(*res))
        return as_err_set(err, AS_EINVAL,
                          "%s: not a Prometheus query_range answer (data.resultType \"matrix\" "
                          "with data.result expected)",
                          r->path);
    return AS_OK;
}

static int prom_load(tr_reader *r, prom_state *p, as_err *err)
{
    char *doc;
    size_t len;
    int rc = tr_input_slurp(&r->in, TR_DOC_MAX, &doc, &len, err);
    if (rc != AS_OK)
        return rc;
    json_error_t je;
    json_t *root = json_loadb(doc, len, 0, &je);
    free(doc);
    if (root == NULL)
        return as_err_set(err, AS_EINVAL, "%s:%d: invalid JSON: %s", r->path, je.line, je.text);
    json_t *res = NULL;
    bool *pick = NULL;
    size_t npick = 0, total = 0;
    prom_pt *pts = NULL;
    rc = prom_result(r, root, &res, err);
    if (rc == AS_OK)
        rc = prom_select(r, res, &pick, &npick, err);
    if (rc == AS_OK)
        rc = prom_points(r, res, pick, &pts, &total, err);
    if (rc == AS_OK)
        rc = prom_merge(r, p, pts, total, npick > 1, err);
    free(pick);
    free(pts);
    json_decref(root);
    p->loaded = rc == AS_OK;
    return rc;
}

/* ---- the type ------------------------------------------------------------- */

static int prom_open(tr_reader *r, as_err *err)
{
    if ((r->state = calloc(1, sizeof(prom_state))) == NULL)
        return as_err_set(err, AS_ENOMEM, "%s: out of memory", r->path);
    return AS_OK;
}

/* Loaded once; a rewind hands the same samples out again. */
static int prom_start(tr_reader *r, as_err *err)
{
    prom_state *p = r->state;
    p->i = 0;
    r->clock = true; /* Unix timestamps: UTC */
    r->utc_offset = 0;
    return p->loaded ? AS_OK : prom_load(r, p, err);
}

static int prom_next(tr_reader *r, as_time *t, double *rate, bool *more, as_err *err)
{
    (void)err;
    prom_state *p = r->state;
    if (p->i >= p->n) {
        *more = false;
        return AS_OK;
    }
    *t = p->t[p->i];
    *rate = p->v[p->i];
    p->i++;
    *more = true;
    return AS_OK;
}

static void prom_close(tr_reader *r)
{
    prom_state *p = r->state;
    if (p == NULL)
        return;
    free(p->t);
    free(p->v);
    free(p);
}

static as_time prom_step(const tr_reader *r) { return ((const prom_state *)r->state)->step; }

const tr_reader_type tr_prom_type = {
    1,                     /* version */
    TR_FORMAT_PROMETHEUS,  /* format */
    prom_open,             /* xOpen */
    prom_start,            /* xStart */
    prom_next,             /* xNext */
    prom_close,            /* xClose */
    prom_step,             /* xStep: smallest spacing, NaN samples included */
};
