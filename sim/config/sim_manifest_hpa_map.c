/* sim_manifest_hpa_map.c - a HorizontalPodAutoscaler, as sim_manifest_hpa.c
 * read it, written into the keys of kind = hpa: the metrics (each onto a
 * simulated signal, or an error when there is none), and, when spec.behavior
 * is there, per direction the stabilization window, selectPolicy, tolerance
 * and every scaling policy with its own period (the kind keeps the whole
 * list, so the mapping is exact). Without spec.behavior only behavior =
 * false is written: the controller's legacy path.
 *
 * Metric names -> simulated signals. Custom and external metrics are named
 * by whoever runs the adapter; the names below are the common ones (the
 * Kubernetes walkthrough's requests-per-second and queue_messages_ready,
 * prometheus-adapter's http_requests_per_second). Any other name is a field
 * not modelled (exit 2, or --lenient), never read as some other signal. */
#include "sim_manifest_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sel_names[] = {"max", "min", "disabled"}; /* the kind's up_/down_select */
static const char *const src_key[] = {"resource", "pods", "object", "external"};
static const char *const tgt_key[] = {"utilization", "averagevalue", "value"};

static const struct {
    const char *name, *signal;
} sig_table[] = {
    {"http_requests_per_second", "rps"}, {"requests_per_second", "rps"},
    {"requests-per-second", "rps"},      {"http_requests", "rps"},
    {"queue_messages_ready", "queue"},   {"queue_length", "queue"},
    {"queue_depth", "queue"},            {"http_requests_in_flight", "inflight"},
    {"requests_in_flight", "inflight"},  {"inflight_requests", "inflight"},
};

/* A resource.Quantity ("40", "500m", "1.5k", "256Mi", "1e3") as a double in
 * base units; -1 when it is not one or not positive. */
static double quantity(const char *s)
{
    static const struct {
        const char *sfx;
        double mul;
    } sfx[] = {{"m", 1e-3}, {"", 1},          {"k", 1e3},          {"M", 1e6},
               {"G", 1e9},  {"T", 1e12},      {"Ki", 1024.0},      {"Mi", 1048576.0},
               {"Gi", 1073741824.0}, {"Ti", 1099511627776.0}};
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v) || v <= 0 || s[0] == '+' || s[0] == ' ')
        return -1;
    for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++)
        if (strcmp(end, sfx[i].sfx) == 0)
            return v * sfx[i].mul;
    return -1;
}

/* One metric as "SOURCE:SIGNAL:TYPE:VALUE" (the kind's `metrics` syntax),
 * appended to buf. */
static int hpa_map_metric(mf *m, const sim_hpa_metric *mt, char *buf, size_t n)
{
    const char *sig = NULL;
    if (mt->src == HPA_SRC_RESOURCE) {
        if (strcmp(mt->name, "cpu") == 0 || strcmp(mt->name, "memory") == 0)
            sig = mt->name;
    } else {
        for (size_t i = 0; i < sizeof sig_table / sizeof sig_table[0]; i++)
            if (strcmp(mt->name, sig_table[i].name) == 0)
                sig = sig_table[i].signal;
    }
    if (sig == NULL)
        return sim_mf_unmodelled(m, mt->name_line, mt->name_field,
                                 "'%s' is no simulated signal (%s)", mt->name,
                                 mt->src == HPA_SRC_RESOURCE
                                     ? "cpu or memory"
                                     : "requests/s: http_requests_per_second, "
                                       "requests-per-second; queue: queue_messages_ready, "
                                       "queue_length; in flight: http_requests_in_flight");
    double v;
    if (mt->ttype == HPA_TGT_UTIL) {
        char *end;
        long pct = strtol(mt->value, &end, 10);
        if (end == mt->value || *end != '\0' || pct < 1 || pct > 1000000)
            return sim_mf_fail(m, mt->line, mt->field, "'%s' is not a whole percent >= 1",
                               mt->value);
        v = (double)pct;
    } else if ((v = quantity(mt->value)) < 0) {
        return sim_mf_fail(m, mt->line, mt->field,
                           "'%s' is not a positive quantity (40, 500m, 1.5k, 256Mi)", mt->value);
    }
    /* memory in the simulator's MB, read as Mi (2^20 bytes): requests are
     * written in Mi far more often than in M */
    if (mt->ttype != HPA_TGT_UTIL && strcmp(sig, "memory") == 0)
        v /= 1048576.0;
    size_t l = strlen(buf);
    snprintf(buf + l, n - l, "%s%s:%s:%s:%.17g", l ? ", " : "", src_key[mt->src], sig,
             tgt_key[mt->ttype], v);
    return AS_OK;
}

/* One direction of spec.behavior onto <dir>_stabilization, _select,
 * _policies and (when given) _tolerance. */
static int hpa_apply_dir(mf *m, const sim_hpa_spec *h, const sim_hpa_dir *d, bool up)
{
    const char *pfx = up ? "up" : "down";
    const char *dname = up ? "scaleUp" : "scaleDown";
    char field[MF_FIELD], key[32], pols[256] = "";
    int line = d->line ? d->line : h->line;
    int rc;

    snprintf(field, sizeof field, "spec.behavior.%s.stabilizationWindowSeconds", dname);
    snprintf(key, sizeof key, "%s_stabilization", pfx);
    if ((rc = sim_mf_set(m, line, field, key, "%ds", d->stab_s)) != AS_OK)
        return rc;
    snprintf(field, sizeof field, "spec.behavior.%s.selectPolicy", dname);
    snprintf(key, sizeof key, "%s_select", pfx);
    if ((rc = sim_mf_set(m, d->sel_line ? d->sel_line : line, field, key, "%s",
                         sel_names[d->select])) != AS_OK)
        return rc;
    if (d->tol_set) {
        snprintf(field, sizeof field, "spec.behavior.%s.tolerance", dname);
        snprintf(key, sizeof key, "%s_tolerance", pfx);
        if ((rc = sim_mf_set(m, d->tol_line, field, key, "%.17g", d->tol)) != AS_OK)
            return rc;
    }
    for (int i = 0; i < d->npol; i++) {
        size_t l = strlen(pols);
        snprintf(pols + l, sizeof pols - l, "%s%s:%d:%ds", i ? ", " : "",
                 d->pol[i].type == HPA_POL_PODS ? "pods" : "percent", d->pol[i].value,
                 d->pol[i].period);
    }
    snprintf(field, sizeof field, "spec.behavior.%s.policies", dname);
    snprintf(key, sizeof key, "%s_policies", pfx);
    return sim_mf_set(m, d->npol && d->pol[0].line ? d->pol[0].line : line, field, key, "%s",
                      pols);
}

int sim_mf_hpa_map(mf *m, const sim_hpa_spec *h)
{
    int rc;
    /* One cpu Utilization metric is `target` (metrics = auto), so that an
     * INI key or a sweep over target still applies to such a manifest. */
    const sim_hpa_metric *m0 = &h->met[0];
    if (h->nmet == 1 && m0->src == HPA_SRC_RESOURCE && m0->ttype == HPA_TGT_UTIL &&
        strcmp(m0->name, "cpu") == 0) {
        char *end;
        long pct = strtol(m0->value, &end, 10);
        if (end == m0->value || *end != '\0' || pct < 1 || pct > 10000)
            return sim_mf_fail(m, m0->line, m0->field, "'%s' is not a whole percent in [1, 10000]",
                               m0->value);
        if ((rc = sim_mf_set(m, m0->line, m0->field, "target", "%.17g", pct / 100.0)) != AS_OK)
            return rc;
    } else if (h->nmet > 0) {
        char buf[512] = "";
        for (int i = 0; i < h->nmet; i++)
            if ((rc = hpa_map_metric(m, &h->met[i], buf, sizeof buf)) != AS_OK)
                return rc;
        /* under --lenient every metric may have been passed over */
        if (buf[0] != '\0' &&
            (rc = sim_mf_set(m, h->metrics_line, "spec.metrics", "metrics", "%s", buf)) != AS_OK)
            return rc;
    } else if ((rc = sim_mf_set(m, h->target_line ? h->target_line : h->line,
                                h->target_line ? "target" : "spec.metrics (default cpu 80%)",
                                "target", "%.17g", h->target_pct / 100.0)) != AS_OK) {
        return rc;
    }
    if ((rc = sim_mf_set(m, h->line, "spec.behavior", "behavior", "%s",
                         h->behavior ? "true" : "false")) != AS_OK)
        return rc;
    if (!h->behavior)
        return AS_OK;
    if ((rc = hpa_apply_dir(m, h, &h->up, true)) != AS_OK)
        return rc;
    return hpa_apply_dir(m, h, &h->down, false);
}
