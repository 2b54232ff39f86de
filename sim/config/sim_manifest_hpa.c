/* sim_manifest_hpa.c - Kubernetes HorizontalPodAutoscaler manifests
 * (libyaml document API) as input of kind = hpa.
 *
 * Kubernetes (autoscaling/v2, v2beta2 and v1) -> kind hpa:
 *   spec.minReplicas, maxReplicas      -> the tier (sim_manifest_replicas)
 *   metrics[] Resource, Pods, Object, External with their targets
 *                                      -> metrics (one cpu Utilization: target)
 *   v1 targetCPUUtilizationPercentage  -> target
 *   behavior present                   -> behavior = true (else the legacy path)
 *   behavior.scaleUp/scaleDown:
 *     stabilizationWindowSeconds       -> up_/down_stabilization
 *     selectPolicy Max|Min|Disabled    -> up_/down_select
 *     policies [{Pods|Percent, value, periodSeconds}] -> up_/down_policies
 *     tolerance (KEP-4951)             -> up_/down_tolerance
 *   Absent behavior fields take the API defaults (apis/autoscaling/v2/
 *   defaults.go), written explicitly so that the result does not depend on
 *   the hpa kind's own defaults staying equal to them.
 * Any other field is not modelled: an error, or a warning under --lenient
 * (sim_mf_unmodelled); sim_manifest_hpa_map.c writes the keys.
 * With sim_manifest_pod.c, the only files that include yaml.h. */
#include "sim_manifest_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Objects of one `kind: List` document looked at (kubectl get -o yaml). */
#define HPA_MAX_LIST 256

const char *const sim_hpa_sel_api[] = {"Max", "Min", "Disabled"};

/* The API's defaults: apis/autoscaling/v2/defaults.go (GenerateHPAScaleUpRules,
 * GenerateHPAScaleDownRules) and DefaultCPUUtilization = 80; minReplicas 1.
 * The scale-down window is nil in the API and the controller then uses
 * --horizontal-pod-autoscaler-downscale-stabilization, 5 min by default. */
static void hpa_defaults(sim_hpa_spec *h)
{
    memset(h, 0, sizeof *h);
    h->min = 1;
    h->max = 0; /* required */
    h->target_pct = 80;
    h->up.stab_s = 0;
    h->up.select = HPA_SEL_MAX;
    h->up.npol = 2;
    h->up.pol[0] = (sim_hpa_policy){HPA_POL_PODS, 4, 15, 0};
    h->up.pol[1] = (sim_hpa_policy){HPA_POL_PERCENT, 100, 15, 0};
    h->down.stab_s = 300;
    h->down.select = HPA_SEL_MAX;
    h->down.npol = 1;
    h->down.pol[0] = (sim_hpa_policy){HPA_POL_PERCENT, 100, 15, 0};
}

/* ------------------------------------------------------------------ */
/* YAML nodes                                                          */

/* The locator of a YAML node: libyaml keeps its start mark (line from 0). */
static int yline(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

static const char *yscalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* YAML 1.1 null: `~`, `null`, or nothing, when not quoted. kubectl's
 * output writes `creationTimestamp: null`; a null field is an absent one. */
static bool ynull(const yaml_node_t *n)
{
    if (n == NULL)
        return true;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
        n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
        return false;
    const char *s = yscalar(n);
    return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
           strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static yaml_node_t *ymap_get(yaml_document_t *d, const yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        const char *k = yscalar(yaml_document_get_node(d, pr->key));
        if (k && strcmp(k, key) == 0)
            return yaml_document_get_node(d, pr->value);
    }
    return NULL;
}

static int ylen(const yaml_node_t *seq)
{
    return (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

static yaml_node_t *yitem(yaml_document_t *d, const yaml_node_t *seq, int i)
{
    return yaml_document_get_node(d, seq->data.sequence.items.start[i]);
}

/* A mapping for field, or an error naming its line. */
static int ywant_map(mf *m, const yaml_node_t *n, const char *field)
{
    if (n == NULL || n->type != YAML_MAPPING_NODE)
        return sim_mf_fail(m, yline(n), field, "must be a mapping");
    return AS_OK;
}

/* An integer in [lo, hi] (Kubernetes int32 fields are written plain). */
static int yint(mf *m, const yaml_node_t *n, const char *field, long lo, long hi, int *out)
{
    const char *s = yscalar(n);
    if (s == NULL)
        return sim_mf_fail(m, yline(n), field, "must be an integer");
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return sim_mf_fail(m, yline(n), field, "'%s' is not an integer", s);
    if (v < lo || v > hi)
        return sim_mf_fail(m, yline(n), field, "%ld is outside [%ld, %ld]", v, lo, hi);
    *out = (int)v;
    return AS_OK;
}

/* A resource.Quantity as a plain decimal: "0.05", 0.05 or "50m" (milli).
 * Enough for `tolerance`, the only quantity with a counterpart. */
static int yquantity(mf *m, const yaml_node_t *n, const char *field, double *out)
{
    const char *s = yscalar(n);
    if (s == NULL)
        return sim_mf_fail(m, yline(n), field, "must be a quantity such as 0.05 or 50m");
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end != s && *end == 'm' && end[1] == '\0') {
        v /= 1000.0;
        end++;
    }
    if (end == s || *end != '\0' || !isfinite(v) || errno == ERANGE || v < 0)
        return sim_mf_fail(m, yline(n), field,
                           "'%s' is not a non-negative quantity such as 0.05 or 50m", s);
    *out = v;
    return AS_OK;
}

/* ------------------------------------------------------------------ */
/* spec.metrics                                                        */

/* One metric target {type, averageUtilization | averageValue | value}
 * into mt (ttype, value as written). validation.go: Utilization only for
 * Resource metrics, Value not for Resource or Pods metrics. */
static int hpa_target(mf *m, yaml_document_t *d, const yaml_node_t *t, const char *field,
                      sim_hpa_metric *mt)
{
    int rc = ywant_map(m, t, field);
    if (rc != AS_OK)
        return rc;
    static const char *const types[] = {"Utilization", "AverageValue", "Value"};
    static const char *const keys[] = {"averageUtilization", "averageValue", "value"};
    char f[MF_FIELD];
    snprintf(f, sizeof f, "%s.type", field);
    yaml_node_t *tn = ymap_get(d, t, "type");
    const char *type = yscalar(tn);
    if (type == NULL)
        return sim_mf_fail(m, yline(t), f, "missing (Utilization, AverageValue or Value)");
    int i = 0;
    while (i < 3 && strcmp(type, types[i]) != 0)
        i++;
    if (i == 3)
        return sim_mf_fail(m, yline(tn), f,
                           "unknown target type '%s' (Utilization, AverageValue or Value)", type);
    bool ok = mt->src == HPA_SRC_RESOURCE ? i != HPA_TGT_VALUE
                                          : i != HPA_TGT_UTIL &&
                                                !(mt->src == HPA_SRC_PODS && i == HPA_TGT_VALUE);
    if (!ok)
        return sim_mf_fail(m, yline(tn), f, "%s is not a target type of this metric (%s)", type,
                           mt->src == HPA_SRC_RESOURCE ? "Utilization or AverageValue"
                           : mt->src == HPA_SRC_PODS   ? "AverageValue"
                                                       : "Value or AverageValue");
    mt->ttype = i;
    snprintf(f, sizeof f, "%s.%s", field, keys[i]);
    yaml_node_t *v = ymap_get(d, t, keys[i]);
    const char *s = yscalar(v);
    if (s == NULL || s[0] == '\0')
        return sim_mf_fail(m, yline(t), f, "required with type %s", type);
    if (strlen(s) >= sizeof mt->value)
        return sim_mf_fail(m, yline(v), f, "'%.20s...' is too long for a quantity", s);
    snprintf(mt->value, sizeof mt->value, "%s", s);
    snprintf(mt->field, sizeof mt->field, "%s", f);
    mt->line = yline(v);
    return AS_OK;
}

/* One item of spec.metrics (MetricSpec) into h->met: its source, the
 * resource or metric name and the target; sim_manifest_hpa_map.c decides
 * which simulated signal it is. A selector (which series of the metric)
 * and a container name are read as the whole pod's: not modelled. */
static int hpa_metric(mf *m, yaml_document_t *d, const yaml_node_t *it, const char *f,
                      sim_hpa_spec *h)
{
    static const char *const types[] = {"Resource", "Pods", "Object", "External",
                                        "ContainerResource"};
    static const char *const subs[] = {"resource", "pods", "object", "external",
                                       "containerResource"};
    int rc = ywant_map(m, it, f);
    if (rc != AS_OK)
        return rc;
    yaml_node_t *tn = ymap_get(d, it, "type");
    const char *type = yscalar(tn);
    int i = 0;
    while (type && i < 5 && strcmp(type, types[i]) != 0)
        i++;
    if (type == NULL || i == 5)
        return sim_mf_fail(m, yline(tn ? tn : it), f,
                           "metric type '%s' is not Resource, ContainerResource, Pods, Object or "
                           "External",
                           type ? type : "");
    if (h->nmet == HPA_MAX_METRICS)
        return sim_mf_fail(m, yline(it), f, "more than %d metrics", HPA_MAX_METRICS);
    sim_hpa_metric *mt = &h->met[h->nmet];
    *mt = (sim_hpa_metric){.src = i == 4 ? HPA_SRC_RESOURCE : i, .line = yline(it)};
    char g[MF_FIELD];
    snprintf(g, sizeof g, "%s.%s", f, subs[i]);
    yaml_node_t *r = ymap_get(d, it, subs[i]);
    if ((rc = ywant_map(m, r, g)) != AS_OK)
        return rc;
    yaml_node_t *mn = i == 0 || i == 4 ? r : ymap_get(d, r, "metric");
    const char *name = yscalar(ymap_get(d, mn, "name"));
    snprintf(mt->name_field, sizeof mt->name_field, "%s%s.name", g,
             i == 0 || i == 4 ? "" : ".metric");
    if (name == NULL)
        return sim_mf_fail(m, yline(r), mt->name_field, "required");
    snprintf(mt->name, sizeof mt->name, "%.*s", (int)sizeof mt->name - 1, name);
    mt->name_line = yline(ymap_get(d, mn, "name"));
    if (i == 4 && (rc = sim_mf_unmodelled(m, yline(it), f,
                                          "ContainerResource (container '%s'): a simulated pod "
                                          "has one container, its usage is the pod's",
                                          yscalar(ymap_get(d, r, "container"))
                                              ? yscalar(ymap_get(d, r, "container"))
                                              : "?")) != AS_OK)
        return rc;
    if (i != 0 && i != 4 && !ynull(ymap_get(d, mn, "selector"))) {
        snprintf(g, sizeof g, "%s.%s.metric.selector", f, subs[i]);
        if ((rc = sim_mf_unmodelled(m, yline(ymap_get(d, mn, "selector")), g,
                                    "a selector picks some series of the metric; the simulated "
                                    "signal is the whole tier's")) != AS_OK)
            return rc;
    }
    snprintf(g, sizeof g, "%s.%s.target", f, subs[i]);
    if ((rc = hpa_target(m, d, ymap_get(d, r, "target"), g, mt)) != AS_OK)
        return rc;
    h->nmet++;
    return AS_OK;
}

/* spec.metrics (MetricSpec list); absent or empty: the API default, cpu
 * Utilization 80 %. */
static int hpa_metrics(mf *m, yaml_document_t *d, const yaml_node_t *seq, sim_hpa_spec *h)
{
    h->metrics_line = yline(seq);
    if (ynull(seq))
        return AS_OK;
    if (seq->type != YAML_SEQUENCE_NODE)
        return sim_mf_fail(m, yline(seq), "spec.metrics", "must be a list");
    int n = ylen(seq);
    for (int i = 0; i < n; i++) {
        char f[MF_FIELD];
        snprintf(f, sizeof f, "spec.metrics[%d]", i);
        int rc = hpa_metric(m, d, yitem(d, seq, i), f, h);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* ------------------------------------------------------------------ */
/* spec.behavior                                                       */

/* One HPAScalingPolicy {type, value, periodSeconds} (field pf). */
static int hpa_policy_item(mf *m, yaml_document_t *d, const yaml_node_t *it, const char *pf,
                           sim_hpa_policy *pol)
{
    int rc = ywant_map(m, it, pf);
    if (rc != AS_OK)
        return rc;
    pol->line = yline(it);
    bool has_type = false, has_value = false, has_period = false;
    for (yaml_node_pair_t *q = it->data.mapping.pairs.start; q < it->data.mapping.pairs.top; q++) {
        const char *pk = yscalar(yaml_document_get_node(d, q->key));
        yaml_node_t *pv = yaml_document_get_node(d, q->value);
        char g[MF_FIELD];
        snprintf(g, sizeof g, "%s.%s", pf, pk ? pk : "?");
        if (pk == NULL)
            continue;
        if (strcmp(pk, "type") == 0) {
            const char *t = yscalar(pv);
            if (t && strcmp(t, "Pods") == 0)
                pol->type = HPA_POL_PODS;
            else if (t && strcmp(t, "Percent") == 0)
                pol->type = HPA_POL_PERCENT;
            else
                return sim_mf_fail(m, yline(pv), g, "'%s' is not Pods or Percent", t ? t : "?");
            has_type = true;
        } else if (strcmp(pk, "value") == 0) {
            if ((rc = yint(m, pv, g, 1, 1000000, &pol->value)) != AS_OK)
                return rc;
            has_value = true;
        } else if (strcmp(pk, "periodSeconds") == 0) {
            /* validation.go: 0 < periodSeconds <= 1800 */
            if ((rc = yint(m, pv, g, 1, 1800, &pol->period)) != AS_OK)
                return rc;
            has_period = true;
        } else {
            if ((rc = sim_mf_unmodelled(m, yline(pv), g, "unknown field")) != AS_OK)
                return rc;
        }
    }
    if (!has_type || !has_value || !has_period)
        return sim_mf_fail(m, pol->line, pf, "needs type, value and periodSeconds");
    return AS_OK;
}

static int hpa_policies(mf *m, yaml_document_t *d, const yaml_node_t *v, const char *f,
                        sim_hpa_dir *dir)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return sim_mf_fail(m, yline(v), f, "must be a list");
    int n = ylen(v);
    /* validation.go: "must specify at least one Policy" */
    if (n == 0)
        return sim_mf_fail(m, yline(v), f, "must list at least one policy");
    if (n > HPA_MAX_POLICIES)
        return sim_mf_fail(m, yline(v), f, "more than %d policies", HPA_MAX_POLICIES);
    dir->npol = n;
    for (int i = 0; i < n; i++) {
        char pf[MF_FIELD];
        snprintf(pf, sizeof pf, "%s[%d]", f, i);
        int rc = hpa_policy_item(m, d, yitem(d, v, i), pf, &dir->pol[i]);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* One HPAScalingRules block (behavior.scaleUp or behavior.scaleDown). */
static int hpa_rules(mf *m, yaml_document_t *d, const yaml_node_t *r, const char *field,
                     sim_hpa_dir *dir)
{
    if (ynull(r))
        return AS_OK;
    int rc = ywant_map(m, r, field);
    if (rc != AS_OK)
        return rc;
    dir->line = yline(r);
    for (yaml_node_pair_t *pr = r->data.mapping.pairs.start; pr < r->data.mapping.pairs.top; pr++) {
        yaml_node_t *kn = yaml_document_get_node(d, pr->key);
        yaml_node_t *v = yaml_document_get_node(d, pr->value);
        const char *k = yscalar(kn);
        char f[MF_FIELD];
        snprintf(f, sizeof f, "%s.%s", field, k ? k : "?");
        if (k == NULL || ynull(v))
            continue;
        rc = AS_OK;
        if (strcmp(k, "stabilizationWindowSeconds") == 0) {
            rc = yint(m, v, f, 0, 3600, &dir->stab_s);
        } else if (strcmp(k, "selectPolicy") == 0) {
            const char *s = yscalar(v);
            int i = 0;
            while (i < 3 && !(s && strcmp(s, sim_hpa_sel_api[i]) == 0))
                i++;
            if (i == 3)
                return sim_mf_fail(m, yline(v), f, "'%s' is not Max, Min or Disabled",
                                   s ? s : "?");
            dir->select = i;
            dir->sel_line = yline(v);
        } else if (strcmp(k, "tolerance") == 0) {
            rc = yquantity(m, v, f, &dir->tol);
            dir->tol_set = true;
            dir->tol_line = yline(v);
        } else if (strcmp(k, "policies") == 0) {
            rc = hpa_policies(m, d, v, f, dir);
        } else {
            rc = sim_mf_unmodelled(m, yline(kn), f, "unknown field");
        }
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

static int hpa_behavior(mf *m, yaml_document_t *d, const yaml_node_t *b, sim_hpa_spec *h)
{
    if (ynull(b))
        return AS_OK;
    int rc = ywant_map(m, b, "spec.behavior");
    if (rc != AS_OK)
        return rc;
    h->behavior = true;
    for (yaml_node_pair_t *pr = b->data.mapping.pairs.start; pr < b->data.mapping.pairs.top; pr++) {
        yaml_node_t *kn = yaml_document_get_node(d, pr->key);
        yaml_node_t *v = yaml_document_get_node(d, pr->value);
        const char *k = yscalar(kn);
        char f[MF_FIELD];
        snprintf(f, sizeof f, "spec.behavior.%s", k ? k : "?");
        if (k && strcmp(k, "scaleUp") == 0)
            rc = hpa_rules(m, d, v, f, &h->up);
        else if (k && strcmp(k, "scaleDown") == 0)
            rc = hpa_rules(m, d, v, f, &h->down);
        else
            rc = sim_mf_unmodelled(m, yline(kn), f, "unknown field");
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* ------------------------------------------------------------------ */
/* the object                                                          */

/* One field of spec (key k, value v, field f). */
static int hpa_spec_field(mf *m, yaml_document_t *d, const yaml_node_t *kn, const yaml_node_t *v,
                          const char *f, bool v1, const char *api, sim_hpa_spec *h)
{
    const char *k = yscalar(kn);
    if (strcmp(k, "scaleTargetRef") == 0)
        return AS_OK; /* the workload: in the simulator, the tier the policy scales */
    if (strcmp(k, "minReplicas") == 0) {
        if (ynull(v))
            return AS_OK;
        /* validation.go: minReplicas >= 1 unless the alpha HPAScaleToZero
         * gate is on (and then only with Object/External metrics) */
        const char *s = yscalar(v);
        if (s && strcmp(s, "0") == 0)
            return sim_mf_fail(m, yline(v), f,
                               "0 needs the alpha HPAScaleToZero feature gate and an Object or "
                               "External metric; not simulated (use 1 or more)");
        h->min_line = yline(v);
        return yint(m, v, f, 1, 1000000, &h->min);
    }
    if (strcmp(k, "maxReplicas") == 0) {
        h->max_line = yline(v);
        return yint(m, v, f, 1, 1000000, &h->max);
    }
    if (v1 && strcmp(k, "targetCPUUtilizationPercentage") == 0) {
        if (ynull(v))
            return AS_OK;
        h->target_line = yline(v);
        return yint(m, v, f, 1, INT_MAX, &h->target_pct);
    }
    if (!v1 && strcmp(k, "metrics") == 0)
        return hpa_metrics(m, d, v, h);
    if (!v1 && strcmp(k, "behavior") == 0)
        return hpa_behavior(m, d, v, h);
    return sim_mf_unmodelled(m, yline(kn), f, "unknown field for %s", api);
}

static int hpa_spec_read(mf *m, yaml_document_t *d, const yaml_node_t *spec, bool v1,
                         const char *api, sim_hpa_spec *h)
{
    bool has_max = false;
    for (yaml_node_pair_t *pr = spec->data.mapping.pairs.start; pr < spec->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *kn = yaml_document_get_node(d, pr->key);
        yaml_node_t *v = yaml_document_get_node(d, pr->value);
        const char *k = yscalar(kn);
        char f[MF_FIELD];
        snprintf(f, sizeof f, "spec.%s", k ? k : "?");
        if (k == NULL) {
            sim_mf_warn(m, yline(kn), f, "non-scalar key; ignored");
            continue;
        }
        has_max |= strcmp(k, "maxReplicas") == 0;
        int rc = hpa_spec_field(m, d, kn, v, f, v1, api, h);
        if (rc != AS_OK)
            return rc;
    }
    if (!has_max)
        return sim_mf_fail(m, yline(spec), "spec.maxReplicas", "required");
    if (h->max < h->min)
        return sim_mf_fail(m, h->max_line, "spec.maxReplicas",
                           "%d is below minReplicas %d (line %d)", h->max, h->min, h->min_line);
    return AS_OK;
}

/* One HorizontalPodAutoscaler object. */
static int hpa_object(mf *m, yaml_document_t *d, const yaml_node_t *obj, sim_hpa_spec *h)
{
    const char *api = yscalar(ymap_get(d, obj, "apiVersion"));
    int kline = yline(ymap_get(d, obj, "kind"));
    if (api == NULL)
        return sim_mf_fail(m, kline, "apiVersion", "missing (autoscaling/v2 or autoscaling/v1)");
    bool v1 = strcmp(api, "autoscaling/v1") == 0;
    if (!v1 && strcmp(api, "autoscaling/v2") != 0 && strcmp(api, "autoscaling/v2beta2") != 0)
        return sim_mf_fail(m, yline(ymap_get(d, obj, "apiVersion")), "apiVersion",
                           "'%s' is not read (autoscaling/v2, v2beta2 or v1; v2beta1 was removed "
                           "in Kubernetes 1.25)",
                           api);
    h->line = kline;
    const char *name = yscalar(ymap_get(d, ymap_get(d, obj, "metadata"), "name"));
    snprintf(h->name, sizeof h->name, "%s", name ? name : "");

    yaml_node_t *spec = NULL;
    for (yaml_node_pair_t *pr = obj->data.mapping.pairs.start; pr < obj->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *kn = yaml_document_get_node(d, pr->key);
        const char *k = yscalar(kn);
        /* identity and observed state: nothing to simulate, nothing lost */
        static const char *const quiet[] = {"apiVersion", "kind", "metadata", "status", NULL};
        if (k && strcmp(k, "spec") == 0)
            spec = yaml_document_get_node(d, pr->value);
        else if ((k == NULL || !sim_mf_in_list(k, quiet)) &&
                 sim_mf_unmodelled(m, yline(kn), k ? k : "?", "unknown field") != AS_OK)
            return AS_EINVAL;
    }
    if (spec == NULL)
        return sim_mf_fail(m, kline, "spec", "missing");
    int rc = ywant_map(m, spec, "spec");
    if (rc != AS_OK)
        return rc;
    return hpa_spec_read(m, d, spec, v1, api, h);
}

/* ------------------------------------------------------------------ */
/* the file                                                            */

/* What the scan of a file has found so far. */
typedef struct hpa_scan {
    int found;      /* HorizontalPodAutoscalers seen */
    int first_line; /* of the first object, for "no HPA" */
    char seen[200]; /* other kinds, for the "no HPA" message */
} hpa_scan;

/* The objects of one document: itself, or the items of a List. */
static void hpa_document(mf *m, yaml_document_t *doc, sim_hpa_spec *h, hpa_scan *sc, int *rc)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    yaml_node_t *objs[HPA_MAX_LIST];
    int nobj = 0;
    const char *kind = yscalar(ymap_get(doc, root, "kind"));
    yaml_node_t *items = ymap_get(doc, root, "items");
    if (kind && strcmp(kind, "List") == 0 && items && items->type == YAML_SEQUENCE_NODE) {
        for (int i = 0; i < ylen(items) && nobj < HPA_MAX_LIST; i++)
            objs[nobj++] = yitem(doc, items, i);
    } else {
        objs[nobj++] = root;
    }
    for (int i = 0; i < nobj && *rc == AS_OK; i++) {
        yaml_node_t *o = objs[i];
        const char *k = yscalar(ymap_get(doc, o, "kind"));
        int kl = yline(ymap_get(doc, o, "kind"));
        if (sc->first_line == 0)
            sc->first_line = kl ? kl : yline(o);
        if (k == NULL || strcmp(k, "HorizontalPodAutoscaler") != 0) {
            size_t l = strlen(sc->seen);
            snprintf(sc->seen + l, sizeof sc->seen - l, "%s%s at line %d", l ? ", " : "",
                     k ? k : "no kind", kl ? kl : yline(o));
            continue;
        }
        if (sc->found++) {
            const char *nm = yscalar(ymap_get(doc, ymap_get(doc, o, "metadata"), "name"));
            sim_mf_warn(m, kl, "kind",
                        "another HorizontalPodAutoscaler ('%s') ignored: the first one, at "
                        "line %d, is used",
                        nm ? nm : "?", h->line);
            continue;
        }
        *rc = hpa_object(m, doc, o, h);
    }
}

int sim_mf_yaml_syntax_error(mf *m, const yaml_parser_t *parser)
{
    const yaml_mark_t *mk = &parser->problem_mark;
    if (parser->error == YAML_MEMORY_ERROR)
        return as_err_set(m->err, AS_ENOMEM, "out of memory");
    if (parser->context)
        return as_err_set(m->err, AS_EINVAL,
                          "%s:%d:%d: YAML syntax error: %s %s (started at line %d)", m->path,
                          (int)mk->line + 1, (int)mk->column + 1, parser->problem,
                          parser->context, (int)parser->context_mark.line + 1);
    return as_err_set(m->err, AS_EINVAL, "%s:%d:%d: YAML syntax error: %s", m->path,
                      (int)mk->line + 1, (int)mk->column + 1,
                      parser->problem ? parser->problem : "unreadable");
}

/* One key of a mapping, for the duplicate check. */
typedef struct ykey {
    const char *s;
    int line;
} ykey;

/* qsort order: by text, then by line, so that the later of two equal keys
 * comes second. */
static int ykey_cmp(const void *a, const void *b)
{
    const ykey *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : x->line - y->line;
}

/* A key given twice in one mapping is an error at its second line, as
 * kubectl's strict decoding and the JSON reader refuse it: libyaml keeps
 * both pairs and a lookup would silently take the first. Each mapping's
 * scalar keys are sorted (a copy), so a hostile flat mapping of 4 MB costs
 * n log n, not n^2; a hash set would be more code for no gain here. */
int sim_mf_yaml_dup_key(mf *m, yaml_document_t *d)
{
    for (yaml_node_t *n = d->nodes.start; n < d->nodes.top; n++) {
        if (n->type != YAML_MAPPING_NODE)
            continue;
        size_t np = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start), nk = 0;
        if (np < 2)
            continue;
        ykey *v = malloc(np * sizeof *v);
        if (v == NULL)
            return as_err_set(m->err, AS_ENOMEM, "out of memory");
        for (size_t i = 0; i < np; i++) {
            const yaml_node_t *k = yaml_document_get_node(d, n->data.mapping.pairs.start[i].key);
            if (yscalar(k) && strcmp(yscalar(k), "<<") != 0) /* merge keys may repeat */
                v[nk++] = (ykey){yscalar(k), yline(k)};
        }
        qsort(v, nk, sizeof *v, ykey_cmp);
        for (size_t i = 1; i < nk; i++)
            if (strcmp(v[i - 1].s, v[i].s) == 0) {
                char key[MF_FIELD];
                as_name_printable(v[i].s, key, sizeof key);
                int first = v[i - 1].line, line = v[i].line;
                free(v);
                return sim_mf_fail(m, line, NULL, "duplicate key '%s' (first at line %d)", key,
                                   first);
            }
        free(v);
    }
    return AS_OK;
}

/* Line of the first mapping or sequence nested deeper than max, 0 when
 * none is (or at a syntax error, which the document parser then reports
 * with its context). Through the event parser, which stops there: the
 * scanner's cost per token grows with the flow depth it has seen, so a
 * file of a million '[' takes hours to load as a document but stops here
 * after about a thousand tokens. */
int sim_mf_yaml_too_deep(const char *text, size_t len, int max)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return 0;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int depth = 0, line = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev))
            break;
        yaml_event_type_t t = ev.type;
        if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
            if (++depth > max)
                line = (int)ev.start_mark.line + 1;
        } else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        yaml_event_delete(&ev);
        if (line > 0 || t == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&parser);
    return line;
}

/* Read the first HorizontalPodAutoscaler of a (multi-document) YAML file.
 * Other kinds (the Deployment it scales, a Service) are skipped; a `kind:
 * List` (kubectl get -o yaml) is searched through its items. The whole
 * stream is parsed, so a syntax error anywhere in the file is reported. */
static int hpa_read(mf *m, sim_hpa_spec *h)
{
    hpa_defaults(h);
    int rc = sim_mf_load(m, "a Kubernetes manifest");
    if (rc != AS_OK)
        return rc;
    int deep = sim_mf_yaml_too_deep(m->text, m->len, SIM_MANIFEST_MAX_DEPTH);
    if (deep > 0)
        return sim_mf_fail(m, deep, NULL, "nested deeper than %d levels (not a manifest)",
                           SIM_MANIFEST_MAX_DEPTH);
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return as_err_set(m->err, AS_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)m->text, m->len);
    hpa_scan sc = {0};
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            rc = sim_mf_yaml_syntax_error(m, &parser);
            break;
        }
        if (yaml_document_get_root_node(&doc) == NULL) { /* end of the stream */
            yaml_document_delete(&doc);
            break;
        }
        rc = sim_mf_yaml_dup_key(m, &doc);
        if (rc == AS_OK)
            hpa_document(m, &doc, h, &sc, &rc);
        yaml_document_delete(&doc);
        if (rc != AS_OK)
            break;
    }
    yaml_parser_delete(&parser);
    if (rc == AS_OK && !sc.found)
        rc = sim_mf_fail(m, sc.first_line > 0 ? sc.first_line : 1, NULL,
                         "no HorizontalPodAutoscaler in the file (found: %s)",
                         sc.seen[0] ? sc.seen : "nothing");
    return rc;
}

int sim_mf_hpa(mf *m, bool apply, int *min, int *max)
{
    sim_hpa_spec h;
    int rc = hpa_read(m, &h);
    if (rc == AS_OK && apply)
        rc = sim_mf_hpa_map(m, &h);
    if (rc == AS_OK) {
        *min = h.min;
        *max = h.max;
    }
    return rc;
}
