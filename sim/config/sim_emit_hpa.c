/* sim_emit_hpa.c - kind = hpa as an autoscaling/v2 HorizontalPodAutoscaler
 * (sim_emit.h), written with libyaml's emitter so that quoting and
 * escaping are libyaml's, not ours.
 *
 * Field by field (the inverse of sim_manifest.c's mapping):
 *   metadata.name, scaleTargetRef  the tier, as a DNS-1123 name (the only
 *                                  names Kubernetes accepts: lower case,
 *                                  '-' for anything else)
 *   minReplicas, maxReplicas       the policy's bounds (the tier's)
 *   metrics[0]                     Resource cpu, Utilization, target x 100
 *                                  (metrics = auto), or Pods
 *                                  http_requests_per_second, AverageValue
 *                                  (metrics = pods:rps:averagevalue:V, V a
 *                                  whole number: what tune searches as
 *                                  `rps`); other metrics are refused: this
 *                                  writer has no form for them
 *   behavior                       only when behavior = true (without it the
 *                                  controller takes its legacy path)
 *   behavior.scaleUp/scaleDown     <dir>_stabilization, <dir>_select and
 *                                  policies: <dir>_policies item by item
 *                                  (TYPE:VALUE:PERIOD -> type, value,
 *                                  periodSeconds), in its order
 *   behavior.*.tolerance           <dir>_tolerance when set, else tolerance
 *                                  when it is not the controller's 0.1
 *                                  (KEP-4951 field)
 * sim_manifest_hpa_map.c reads each of these back onto the same key, so a
 * manifest written here and read through `manifest =` gives the run back
 * bit for bit. The API takes whole percents and whole seconds: a value
 * between them is refused (sim_emit.h). */
#include "sim_emit.h"

#include "as_hpa.h"
#include "as_param.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

/* One emitter and its first error. */
typedef struct em {
    yaml_emitter_t y;
    int failed;
} em;

static void emit(em *e, yaml_event_t *ev, int ok)
{
    if (e->failed || !ok || !yaml_emitter_emit(&e->y, ev))
        e->failed = 1;
}

static void scalar(em *e, const char *s, int quoted)
{
    yaml_event_t ev;
    int ok = yaml_scalar_event_initialize(
        &ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
        quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
    emit(e, &ev, ok);
}

static void kv(em *e, const char *k, const char *v) { scalar(e, k, 0), scalar(e, v, 0); }

static void kvq(em *e, const char *k, const char *v) { scalar(e, k, 0), scalar(e, v, 1); }

static void kvi(em *e, const char *k, long v)
{
    char b[32];
    snprintf(b, sizeof b, "%ld", v);
    kv(e, k, b);
}

static void map_start(em *e)
{
    yaml_event_t ev;
    emit(e, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void map_end(em *e)
{
    yaml_event_t ev;
    emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void seq_start(em *e)
{
    yaml_event_t ev;
    emit(e, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                      YAML_BLOCK_SEQUENCE_STYLE));
}

static void seq_end(em *e)
{
    yaml_event_t ev;
    emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

static int write_handler(void *data, unsigned char *buf, size_t size)
{
    return fwrite(buf, 1, size, (FILE *)data) == size;
}

/* A whole number of units, or AS_EINVAL naming the key. */
static int whole(const sim_policy_cfg *p, const char *key, double scale, long lo, long hi,
                 long *out, as_err *err)
{
    double v;
    int rc = sim_emit_param(p, key, &v, err);
    if (rc != AS_OK)
        return rc;
    /* the reader gives back x / scale: that must be v itself (0.29 * 100
     * is not 29 in binary, but 29 / 100.0 is 0.29) */
    double x = round(v * scale);
    if (x / scale != v || x < (double)lo || x > (double)hi)
        return as_err_set(err, AS_EINVAL,
                          "[policy.%s] %s = %.17g: an HPA manifest takes a whole number from "
                          "%ld to %ld%s",
                          p->name, key, v, lo, hi, scale == 100 ? " percent" : "");
    *out = (long)x;
    return AS_OK;
}

/* A Kubernetes object name from a tier name: lower case, [a-z0-9.-],
 * starting and ending with an alphanumeric. */
static void dns_name(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n && k < 63; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[k++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ? c : '-';
    }
    while (k > 0 && (out[k - 1] == '-' || out[k - 1] == '.'))
        k--;
    out[k] = '\0';
    if (k == 0 || out[0] == '-' || out[0] == '.')
        snprintf(out, n, "app");
}

/* What one direction of behavior holds, read from the kind's keys. */
typedef struct dir_vals {
    long stab, select;
    double tol; /* < 0: not written */
    int npol;
    char type[AS_HPA_MAX_POLICIES][16];
    long value[AS_HPA_MAX_POLICIES], period[AS_HPA_MAX_POLICIES];
} dir_vals;

/* The text of string key `key` of p's kind, or NULL. */
static const char *text_param(const sim_policy_cfg *p, const char *key)
{
    const as_param_def *d = as_param_find(p->type->params, key);
    return d && d->kind == AS_P_STRING ? (const char *)p->cfg + d->offset : NULL;
}

/* <pfx>_policies ("pods:4:15s, percent:100:15s", validated by the kind
 * when it loaded) into d's list; a period must be whole seconds. */
static int read_policies(const sim_policy_cfg *p, const char *pfx, dir_vals *d, as_err *err)
{
    char k[40];
    snprintf(k, sizeof k, "%s_policies", pfx);
    const char *text = text_param(p, k);
    if (text == NULL)
        return as_err_set(err, AS_ENOTFOUND, "kind %s has no key '%s'", p->type->name, k);
    d->npol = 0;
    for (const char *q = text; *q;) {
        q += strspn(q, " \t,");
        size_t len = strcspn(q, ",");
        char item[64], per[32];
        as_time t;
        snprintf(item, sizeof item, "%.*s", (int)len, q);
        q += len;
        if (item[0] == '\0' || strspn(item, " \t") == strlen(item))
            continue;
        if (d->npol == AS_HPA_MAX_POLICIES ||
            sscanf(item, "%15[a-z]:%ld:%31[0-9a-z.]", d->type[d->npol], &d->value[d->npol],
                   per) != 3 ||
            as_parse_duration(per, &t, NULL) != AS_OK || t % AS_SEC != 0)
            return as_err_set(err, AS_EINVAL,
                              "[policy.%s] %s: '%s' has no HPA manifest form (TYPE:VALUE:PERIOD, "
                              "PERIOD whole seconds)",
                              p->name, k, item);
        d->period[d->npol++] = (long)(t / AS_SEC);
    }
    if (d->npol == 0)
        return as_err_set(err, AS_EINVAL, "[policy.%s] %s: an HPA manifest needs at least one "
                          "scaling policy", p->name, k);
    return AS_OK;
}

static int read_dir(const sim_policy_cfg *p, const char *pfx, double flag_tol, dir_vals *d,
                    as_err *err)
{
    char k[40];
    int rc;
    snprintf(k, sizeof k, "%s_stabilization", pfx);
    if ((rc = whole(p, k, 1, 0, 3600, &d->stab, err)) != AS_OK)
        return rc;
    snprintf(k, sizeof k, "%s_select", pfx);
    if ((rc = whole(p, k, 1, 0, 2, &d->select, err)) != AS_OK)
        return rc;
    snprintf(k, sizeof k, "%s_tolerance", pfx);
    if ((rc = sim_emit_param(p, k, &d->tol, err)) != AS_OK)
        return rc;
    if (d->tol < 0) /* the direction takes the controller's flag */
        d->tol = flag_tol == 0.1 ? -1 : flag_tol;
    return read_policies(p, pfx, d, err);
}

static void emit_dir(em *e, const char *name, const dir_vals *d)
{
    static const char *const sel[] = {"Max", "Min", "Disabled"};
    scalar(e, name, 0);
    map_start(e);
    kvi(e, "stabilizationWindowSeconds", d->stab);
    kv(e, "selectPolicy", sel[d->select]);
    if (d->tol >= 0) {
        char b[40];
        snprintf(b, sizeof b, "%.17g", d->tol);
        kvq(e, "tolerance", b);
    }
    scalar(e, "policies", 0);
    seq_start(e);
    for (int i = 0; i < d->npol; i++) {
        map_start(e);
        kv(e, "type", strcmp(d->type[i], "pods") == 0 ? "Pods" : "Percent");
        kvi(e, "value", d->value[i]);
        kvi(e, "periodSeconds", d->period[i]);
        map_end(e);
    }
    seq_end(e);
    map_end(e);
}

/* The tier the policy scales (exactly one). */
static int the_tier(const sim_scenario *sc, const sim_policy_cfg *p, as_err *err)
{
    int tier = -1, n = 0;
    for (int i = 0; i < sc->ntiers; i++) {
        int scaled = p->tiers_mask ? (p->tiers_mask >> i) & 1u : sc->tiers[i].autoscale;
        if (scaled && n++ == 0)
            tier = i;
    }
    if (n != 1)
        return as_err_set(err, AS_EINVAL,
                          "[policy.%s] scales %d tiers: an HPA manifest scales one Deployment "
                          "(set tiers = NAME)",
                          p->name, n),
               -1;
    return tier;
}

/* The one metric: CPU Utilization at pct percent, or (rps > 0) a Pods
 * requests-per-second metric at rps per pod, under the name
 * prometheus-adapter's default rules give a request counter (the manifest
 * reader maps it back to the rps signal). */
static void emit_metric(em *e, long pct, long rps)
{
    map_start(e);
    kv(e, "type", rps > 0 ? "Pods" : "Resource");
    scalar(e, rps > 0 ? "pods" : "resource", 0);
    map_start(e);
    if (rps > 0) {
        scalar(e, "metric", 0);
        map_start(e);
        kv(e, "name", "http_requests_per_second");
        map_end(e);
    } else
        kv(e, "name", "cpu");
    scalar(e, "target", 0);
    map_start(e);
    if (rps > 0) {
        char b[32];
        snprintf(b, sizeof b, "%ld", rps);
        kv(e, "type", "AverageValue");
        kvq(e, "averageValue", b); /* a quantity: a string in the API */
    } else {
        kv(e, "type", "Utilization");
        kvi(e, "averageUtilization", pct);
    }
    map_end(e);
    map_end(e);
    map_end(e);
}

static void emit_doc(em *e, const char *name, long min, long max, long pct, long rps,
                     const dir_vals *up, const dir_vals *down)
{
    yaml_event_t ev;
    emit(e, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
    emit(e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
    map_start(e);
    kv(e, "apiVersion", "autoscaling/v2");
    kv(e, "kind", "HorizontalPodAutoscaler");
    scalar(e, "metadata", 0);
    map_start(e);
    kvq(e, "name", name);
    map_end(e);
    scalar(e, "spec", 0);
    map_start(e);
    scalar(e, "scaleTargetRef", 0);
    map_start(e);
    kv(e, "apiVersion", "apps/v1");
    kv(e, "kind", "Deployment");
    kvq(e, "name", name);
    map_end(e);
    kvi(e, "minReplicas", min);
    kvi(e, "maxReplicas", max);
    scalar(e, "metrics", 0);
    seq_start(e);
    emit_metric(e, pct, rps);
    seq_end(e);
    if (up != NULL) { /* behavior = true */
        scalar(e, "behavior", 0);
        map_start(e);
        emit_dir(e, "scaleUp", up);
        emit_dir(e, "scaleDown", down);
        map_end(e);
    }
    map_end(e);
    map_end(e);
    emit(e, &ev, yaml_document_end_event_initialize(&ev, 1));
    emit(e, &ev, yaml_stream_end_event_initialize(&ev));
}

int sim_emit_hpa(FILE *f, const sim_scenario *sc, int policy, as_err *err)
{
    const sim_policy_cfg *p = &sc->policies[policy];
    if (sim_emit_format_of(p) != SIM_EMIT_HPA)
        return as_err_set(err, AS_EINVAL, "[policy.%s] kind %s is not configured by an HPA "
                          "manifest", p->name, p->type->name);
    int tier = the_tier(sc, p, err);
    if (tier < 0)
        return err->code;
    const sim_tier_cfg *t = &sc->tiers[tier];
    long min = p->min > 0 ? p->min : t->min, max = p->max > 0 ? p->max : t->max, pct;
    if (min < 1)
        return as_err_set(err, AS_EINVAL, "tier %s: min = 0, but an HPA's minReplicas is at "
                          "least 1", t->name);
    dir_vals up, down;
    double tol, behavior = 0;
    const char *metrics = text_param(p, "metrics");
    long rps = 0;
    int rc = AS_OK;
    if (metrics != NULL && strcmp(metrics, "auto") != 0) {
        char tail;
        double v;
        if (sscanf(metrics, " pods:rps:averagevalue:%lf %c", &v, &tail) != 1 || !(v >= 1) ||
            v > 1e9 || v != floor(v))
            return as_err_set(err, AS_EINVAL, "[policy.%s] metrics = %s: the HPA manifest "
                              "writer writes one cpu Utilization metric (metrics = auto, "
                              "target) or one pods:rps:averagevalue:N, N a whole number",
                              p->name, metrics);
        rps = (long)v;
        pct = 0;
    } else
        rc = whole(p, "target", 100, 1, 10000, &pct, err);
    if (rc == AS_OK)
        rc = sim_emit_param(p, "tolerance", &tol, err);
    if (rc == AS_OK)
        rc = sim_emit_param(p, "behavior", &behavior, err);
    if (rc == AS_OK && behavior != 0)
        rc = read_dir(p, "up", tol, &up, err);
    if (rc == AS_OK && behavior != 0)
        rc = read_dir(p, "down", tol, &down, err);
    if (rc != AS_OK)
        return rc;
    char name[64];
    dns_name(t->name, name, sizeof name);
    em e = {0};
    if (!yaml_emitter_initialize(&e.y))
        return as_err_set(err, AS_ENOMEM, "out of memory (YAML emitter)");
    yaml_emitter_set_output(&e.y, write_handler, f);
    yaml_emitter_set_unicode(&e.y, 1);
    emit_doc(&e, name, min, max, pct, rps, behavior != 0 ? &up : NULL, &down);
    int failed = e.failed;
    const char *why = e.y.problem ? e.y.problem : "write failed";
    if (failed)
        as_err_set(err, AS_EIO, "HPA manifest: %s", why);
    yaml_emitter_delete(&e.y);
    return failed ? AS_EIO : AS_OK;
}
