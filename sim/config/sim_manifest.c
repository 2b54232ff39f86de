/* sim_manifest.c - Kubernetes HPA manifests and AWS scaling-policy JSON as
 * policy input.
 *
 * Both readers work the same way: walk the document, check every field the
 * simulator has a counterpart for, write it through the policy's own
 * parameter table (as_param_set, as an INI key would be), and report every
 * other field once on the warn stream with its file and line, so that
 * nothing in a production configuration is dropped silently. Errors name
 * the file, the line and the field ("hpa.yaml:14: spec.maxReplicas: ...").
 *
 * Kubernetes (autoscaling/v2, v2beta2 and v1) -> kind hpa:
 *   spec.minReplicas, maxReplicas      -> the tier (sim_manifest_replicas)
 *   metrics[] Resource cpu Utilization -> target (averageUtilization / 100)
 *   v1 targetCPUUtilizationPercentage  -> target
 *   behavior.scaleUp/scaleDown:
 *     stabilizationWindowSeconds       -> up_/down_stabilization
 *     selectPolicy Max|Min|Disabled    -> up_/down_select
 *     policies [{Pods|Percent, value, periodSeconds}]
 *                                      -> up_/down_pods, _percent, _period
 *     tolerance (KEP-4951)             -> tolerance (one for both directions)
 *   Absent behavior fields take the API defaults (apis/autoscaling/v2/
 *   defaults.go), written explicitly so that the result does not depend on
 *   the hpa kind's own defaults staying equal to them.
 *
 * AWS (EC2 Auto Scaling and Application Auto Scaling) -> kinds target,
 * step, predictive: see the comments above aws_target, aws_step and
 * aws_predictive for the field tables. The JSON is what
 * `aws autoscaling put-scaling-policy --cli-input-json` takes or what
 * `describe-policies` / `describe-scaling-policies` print
 * ({"ScalingPolicies": [...]}). jansson keeps no positions, so lines of
 * JSON values come from a small locator over the text (json_line). */
#include "sim_manifest.h"

#include "as_param.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MF_MAX_WARNED 64
#define MF_FIELD 160

/* One reading: where messages point, where values go. */
typedef struct mf {
    const char *path;  /* the manifest, for messages */
    sim_policy_cfg *p; /* NULL: parse and validate only */
    FILE *warn;        /* may be NULL */
    as_err *err;
    char warned[MF_MAX_WARNED][MF_FIELD]; /* fields already warned about */
    int nwarned;
    const char *text; /* JSON: the whole file, for json_line */
    char base[64];    /* JSON: path of the chosen policy ("" or "ScalingPolicies[1]") */
} mf;

/* ------------------------------------------------------------------ */
/* messages and the parameter table                                   */

static void mf_warn(mf *m, int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void mf_warn(mf *m, int line, const char *field, const char *fmt, ...)
{
    if (m->warn == NULL)
        return;
    for (int i = 0; i < m->nwarned; i++)
        if (strcmp(m->warned[i], field) == 0)
            return; /* once per field */
    if (m->nwarned < MF_MAX_WARNED)
        snprintf(m->warned[m->nwarned++], MF_FIELD, "%s", field);
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        fprintf(m->warn, "%s:%d: warning: ", m->path, line);
    else
        fprintf(m->warn, "%s: warning: ", m->path);
    if (m->p != NULL)
        fprintf(m->warn, "[policy.%s] ", m->p->name);
    fprintf(m->warn, "%s: %s\n", field, msg);
}

static int mf_fail(mf *m, int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int mf_fail(mf *m, int line, const char *field, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char where[64] = "";
    if (line > 0)
        snprintf(where, sizeof where, ":%d", line);
    if (field != NULL && field[0] != '\0')
        return as_err_set(m->err, AS_EINVAL, "%s%s: %s: %s", m->path, where, field, msg);
    return as_err_set(m->err, AS_EINVAL, "%s%s: %s", m->path, where, msg);
}

/* Write key = value through the policy's table; a rejected value names the
 * manifest field it came from, then the key ("hpa.yaml:12:
 * behavior.scaleDown.policies[0].value: key 'down_percent': ..."). */
static int mf_set(mf *m, int line, const char *field, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int mf_set(mf *m, int line, const char *field, const char *key, const char *fmt, ...)
{
    if (m->p == NULL)
        return AS_OK;
    char val[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof val, fmt, ap);
    va_end(ap);
    int rc = as_param_set(m->p->type->params, m->p->cfg, key, val, m->err);
    if (rc == AS_ENOTFOUND) /* the tables below name keys of the kinds */
        return mf_fail(m, line, field, "kind %s has no key '%s'", m->p->type->name, key);
    if (rc != AS_OK) {
        if (line > 0)
            as_err_prefix(m->err, "%s:%d: %s: ", m->path, line, field);
        else
            as_err_prefix(m->err, "%s: %s: ", m->path, field);
    }
    return rc;
}

/* The current value of key, for messages ("keeping out_threshold = 0.7"). */
static const char *mf_current(const mf *m, const char *key, char *buf, size_t n)
{
    const as_param_def *d = m->p ? as_param_find(m->p->type->params, key) : NULL;
    if (d == NULL)
        snprintf(buf, n, "?");
    else
        as_param_format(d, m->p->cfg, buf, n);
    return buf;
}

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* Kubernetes HorizontalPodAutoscaler (libyaml document API)           */

enum { SEL_MAX, SEL_MIN, SEL_DISABLED };
static const char *const sel_names[] = {"max", "min", "disabled"}; /* the kind's */
static const char *const sel_api[] = {"Max", "Min", "Disabled"};   /* the API's */
enum { POL_PODS, POL_PERCENT };
#define HPA_MAX_POLICIES 16

typedef struct hpa_policy {
    int type;   /* POL_* */
    int value;  /* pods, or percent */
    int period; /* periodSeconds */
    int line;
} hpa_policy;

/* One direction of spec.behavior (HPAScalingRules), defaults filled in. */
typedef struct hpa_dir {
    int line;   /* of scaleUp/scaleDown; 0 = absent (all defaults) */
    int stab_s; /* stabilizationWindowSeconds */
    int select; /* SEL_* */
    int sel_line;
    int npol;
    hpa_policy pol[HPA_MAX_POLICIES];
    bool tol_set; /* tolerance given (KEP-4951); else the controller flag */
    double tol;
    int tol_line;
} hpa_dir;

typedef struct hpa_spec {
    int line;      /* of the HPA's `kind:` */
    char name[64]; /* metadata.name, for messages */
    int min, max;
    int min_line, max_line;
    int target_pct;  /* cpu averageUtilization; 0 = no cpu Utilization metric */
    int target_line; /* 0 = the API default (no metrics listed) */
    int metrics_line;
    hpa_dir up, down;
} hpa_spec;

/* The API's defaults: apis/autoscaling/v2/defaults.go (GenerateHPAScaleUpRules,
 * GenerateHPAScaleDownRules) and DefaultCPUUtilization = 80; minReplicas 1.
 * The scale-down window is nil in the API and the controller then uses
 * --horizontal-pod-autoscaler-downscale-stabilization, 5 min by default. */
static void hpa_defaults(hpa_spec *h)
{
    memset(h, 0, sizeof *h);
    h->min = 1;
    h->max = 0; /* required */
    h->target_pct = 80;
    h->up.stab_s = 0;
    h->up.select = SEL_MAX;
    h->up.npol = 2;
    h->up.pol[0] = (hpa_policy){POL_PODS, 4, 15, 0};
    h->up.pol[1] = (hpa_policy){POL_PERCENT, 100, 15, 0};
    h->down.stab_s = 300;
    h->down.select = SEL_MAX;
    h->down.npol = 1;
    h->down.pol[0] = (hpa_policy){POL_PERCENT, 100, 15, 0};
}

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

/* A mapping for field, or an error naming its line. */
static int ywant_map(mf *m, const yaml_node_t *n, const char *field)
{
    if (n == NULL || n->type != YAML_MAPPING_NODE)
        return mf_fail(m, yline(n), field, "must be a mapping");
    return AS_OK;
}

/* An integer in [lo, hi] (Kubernetes int32 fields are written plain). */
static int yint(mf *m, const yaml_node_t *n, const char *field, long lo, long hi, int *out)
{
    const char *s = yscalar(n);
    if (s == NULL)
        return mf_fail(m, yline(n), field, "must be an integer");
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return mf_fail(m, yline(n), field, "'%s' is not an integer", s);
    if (v < lo || v > hi)
        return mf_fail(m, yline(n), field, "%ld is outside [%ld, %ld]", v, lo, hi);
    *out = (int)v;
    return AS_OK;
}

/* A resource.Quantity as a plain decimal: "0.05", 0.05 or "50m" (milli).
 * Enough for `tolerance`, the only quantity with a counterpart. */
static int yquantity(mf *m, const yaml_node_t *n, const char *field, double *out)
{
    const char *s = yscalar(n);
    if (s == NULL)
        return mf_fail(m, yline(n), field, "must be a quantity such as 0.05 or 50m");
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end != s && *end == 'm' && end[1] == '\0') {
        v /= 1000.0;
        end++;
    }
    if (end == s || *end != '\0' || !isfinite(v) || errno == ERANGE || v < 0)
        return mf_fail(m, yline(n), field,
                       "'%s' is not a non-negative quantity such as 0.05 or 50m", s);
    *out = v;
    return AS_OK;
}

/* One metric target {type, averageUtilization | averageValue | value}.
 * Sets *pct to averageUtilization when type is Utilization, else 0. */
static int hpa_target(mf *m, yaml_document_t *d, const yaml_node_t *t, const char *field, int *pct,
                      const char **ttype)
{
    int rc = ywant_map(m, t, field);
    if (rc != AS_OK)
        return rc;
    char f[MF_FIELD];
    snprintf(f, sizeof f, "%s.type", field);
    const char *type = yscalar(ymap_get(d, t, "type"));
    *pct = 0;
    *ttype = type;
    if (type == NULL)
        return mf_fail(m, yline(t), f, "missing (Utilization, AverageValue or Value)");
    if (strcmp(type, "Utilization") == 0) {
        snprintf(f, sizeof f, "%s.averageUtilization", field);
        yaml_node_t *u = ymap_get(d, t, "averageUtilization");
        if (u == NULL)
            return mf_fail(m, yline(t), f, "required with type Utilization");
        return yint(m, u, f, 1, INT_MAX, pct);
    }
    if (strcmp(type, "AverageValue") == 0 || strcmp(type, "Value") == 0)
        return AS_OK;
    return mf_fail(m, yline(ymap_get(d, t, "type")), f,
                   "unknown target type '%s' (Utilization, AverageValue or Value)", type);
}

/* spec.metrics (MetricSpec list). The simulated hpa computes one proposal,
 * from CPU utilisation; the controller computes one per metric and takes
 * the largest, so a metric that is not CPU utilisation can only make the
 * real HPA scale out more than the simulated one: each is reported. */
static int hpa_metrics(mf *m, yaml_document_t *d, const yaml_node_t *seq, hpa_spec *h)
{
    h->metrics_line = yline(seq);
    if (ynull(seq))
        return AS_OK; /* the API default: cpu 80 % */
    if (seq->type != YAML_SEQUENCE_NODE)
        return mf_fail(m, yline(seq), "spec.metrics", "must be a list");
    int n = (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    if (n == 0)
        return AS_OK; /* empty list: defaulted like an absent one */
    h->target_pct = 0;
    h->target_line = 0;
    for (int i = 0; i < n; i++) {
        yaml_node_t *it = yaml_document_get_node(d, seq->data.sequence.items.start[i]);
        char f[MF_FIELD], g[MF_FIELD];
        snprintf(f, sizeof f, "spec.metrics[%d]", i);
        int rc = ywant_map(m, it, f);
        if (rc != AS_OK)
            return rc;
        yaml_node_t *tn = ymap_get(d, it, "type");
        const char *type = yscalar(tn);
        if (type == NULL)
            return mf_fail(m, yline(it), f,
                           "missing type (Resource, ContainerResource, Pods, "
                           "Object or External)");
        bool container = strcmp(type, "ContainerResource") == 0;
        if (strcmp(type, "Resource") == 0 || container) {
            const char *sub = container ? "containerResource" : "resource";
            snprintf(g, sizeof g, "%s.%s", f, sub);
            yaml_node_t *r = ymap_get(d, it, sub);
            if ((rc = ywant_map(m, r, g)) != AS_OK)
                return rc;
            const char *res = yscalar(ymap_get(d, r, "name"));
            if (res == NULL)
                return mf_fail(m, yline(r), g, "missing name (cpu, memory, ...)");
            int pct;
            const char *ttype;
            char tf[MF_FIELD];
            snprintf(tf, sizeof tf, "%s.target", g);
            if ((rc = hpa_target(m, d, ymap_get(d, r, "target"), tf, &pct, &ttype)) != AS_OK)
                return rc;
            if (strcmp(ttype, "Value") == 0) /* validation.go: Resource targets are averages */
                return mf_fail(m, yline(ymap_get(d, r, "target")), tf,
                               "a %s metric takes Utilization or AverageValue, not Value", type);
            if (strcmp(res, "cpu") == 0 && pct > 0) {
                if (container)
                    mf_warn(m, yline(it), f,
                            "ContainerResource cpu of container '%s' is simulated as the pod's "
                            "CPU utilisation (a simulated pod has one container)",
                            yscalar(ymap_get(d, r, "container"))
                                ? yscalar(ymap_get(d, r, "container"))
                                : "?");
                if (h->target_pct > 0) {
                    /* two CPU targets: the lower one proposes more pods at any
                     * load, and the controller takes the largest proposal */
                    mf_warn(m, yline(it), f,
                            "second cpu Utilization metric; the lower target (%d%%) always "
                            "proposes more pods, so it is the one used",
                            pct < h->target_pct ? pct : h->target_pct);
                    if (pct >= h->target_pct)
                        continue;
                }
                h->target_pct = pct;
                h->target_line = yline(it);
            } else {
                mf_warn(m, yline(it), f,
                        "%s %s with target type %s has no simulated counterpart yet (only "
                        "cpu Utilization is simulated); ignored",
                        type, res, ttype);
            }
            continue;
        }
        if (strcmp(type, "Pods") == 0 || strcmp(type, "Object") == 0 ||
            strcmp(type, "External") == 0) {
            char lower[16];
            snprintf(lower, sizeof lower, "%s", type);
            lower[0] = (char)(lower[0] - 'A' + 'a');
            const char *mname =
                yscalar(ymap_get(d, ymap_get(d, ymap_get(d, it, lower), "metric"), "name"));
            mf_warn(m, yline(it), f,
                    "%s metric '%s' is not mapped yet: the simulated hpa scales on CPU "
                    "utilisation only, where Kubernetes would also act on this metric",
                    type, mname ? mname : "?");
            continue;
        }
        return mf_fail(m, yline(tn), f,
                       "unknown metric type '%s' (Resource, ContainerResource, Pods, Object, "
                       "External)",
                       type);
    }
    if (h->target_pct == 0)
        mf_warn(m, h->metrics_line, "spec.metrics",
                "no cpu Utilization metric: the simulated hpa scales on CPU utilisation at the "
                "kind's or the INI's `target`");
    return AS_OK;
}

/* One HPAScalingRules block (behavior.scaleUp or behavior.scaleDown). */
static int hpa_rules(mf *m, yaml_document_t *d, const yaml_node_t *r, const char *field,
                     hpa_dir *dir)
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
        if (strcmp(k, "stabilizationWindowSeconds") == 0) {
            if ((rc = yint(m, v, f, 0, 3600, &dir->stab_s)) != AS_OK)
                return rc;
        } else if (strcmp(k, "selectPolicy") == 0) {
            const char *s = yscalar(v);
            int i = 0;
            while (i < 3 && !(s && strcmp(s, sel_api[i]) == 0))
                i++;
            if (i == 3)
                return mf_fail(m, yline(v), f, "'%s' is not Max, Min or Disabled", s ? s : "?");
            dir->select = i;
            dir->sel_line = yline(v);
        } else if (strcmp(k, "tolerance") == 0) {
            if ((rc = yquantity(m, v, f, &dir->tol)) != AS_OK)
                return rc;
            dir->tol_set = true;
            dir->tol_line = yline(v);
        } else if (strcmp(k, "policies") == 0) {
            if (v->type != YAML_SEQUENCE_NODE)
                return mf_fail(m, yline(v), f, "must be a list");
            int n = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
            /* validation.go: "must specify at least one Policy" */
            if (n == 0)
                return mf_fail(m, yline(v), f, "must list at least one policy");
            if (n > HPA_MAX_POLICIES)
                return mf_fail(m, yline(v), f, "more than %d policies", HPA_MAX_POLICIES);
            dir->npol = n;
            for (int i = 0; i < n; i++) {
                yaml_node_t *it = yaml_document_get_node(d, v->data.sequence.items.start[i]);
                char pf[MF_FIELD], g[MF_FIELD];
                snprintf(pf, sizeof pf, "%s[%d]", f, i);
                if ((rc = ywant_map(m, it, pf)) != AS_OK)
                    return rc;
                hpa_policy *pol = &dir->pol[i];
                pol->line = yline(it);
                bool has_type = false, has_value = false, has_period = false;
                for (yaml_node_pair_t *q = it->data.mapping.pairs.start;
                     q < it->data.mapping.pairs.top; q++) {
                    const char *pk = yscalar(yaml_document_get_node(d, q->key));
                    yaml_node_t *pv = yaml_document_get_node(d, q->value);
                    snprintf(g, sizeof g, "%s.%s", pf, pk ? pk : "?");
                    if (pk == NULL)
                        continue;
                    if (strcmp(pk, "type") == 0) {
                        const char *t = yscalar(pv);
                        if (t && strcmp(t, "Pods") == 0)
                            pol->type = POL_PODS;
                        else if (t && strcmp(t, "Percent") == 0)
                            pol->type = POL_PERCENT;
                        else
                            return mf_fail(m, yline(pv), g, "'%s' is not Pods or Percent",
                                           t ? t : "?");
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
                        mf_warn(m, yline(pv), g,
                                "unknown field, no simulated counterpart; ignored");
                    }
                }
                if (!has_type || !has_value || !has_period)
                    return mf_fail(m, pol->line, pf, "needs type, value and periodSeconds");
            }
        } else {
            mf_warn(m, yline(kn), f, "unknown field, no simulated counterpart; ignored");
        }
    }
    return AS_OK;
}

static int hpa_behavior(mf *m, yaml_document_t *d, const yaml_node_t *b, hpa_spec *h)
{
    if (ynull(b))
        return AS_OK;
    int rc = ywant_map(m, b, "spec.behavior");
    if (rc != AS_OK)
        return rc;
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
            mf_warn(m, yline(kn), f, "unknown field, no simulated counterpart; ignored");
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* One HorizontalPodAutoscaler object. */
static int hpa_object(mf *m, yaml_document_t *d, const yaml_node_t *obj, hpa_spec *h)
{
    const char *api = yscalar(ymap_get(d, obj, "apiVersion"));
    int kline = yline(ymap_get(d, obj, "kind"));
    if (api == NULL)
        return mf_fail(m, kline, "apiVersion", "missing (autoscaling/v2 or autoscaling/v1)");
    bool v1 = strcmp(api, "autoscaling/v1") == 0;
    if (!v1 && strcmp(api, "autoscaling/v2") != 0 && strcmp(api, "autoscaling/v2beta2") != 0)
        return mf_fail(m, yline(ymap_get(d, obj, "apiVersion")), "apiVersion",
                       "'%s' is not read (autoscaling/v2, v2beta2 or v1; v2beta1 was removed in "
                       "Kubernetes 1.25)",
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
        else if (k == NULL || !in_list(k, quiet))
            mf_warn(m, yline(kn), k ? k : "?", "unknown field, no simulated counterpart; ignored");
    }
    int rc = ywant_map(m, spec, "spec");
    if (rc != AS_OK) {
        if (spec == NULL)
            return mf_fail(m, kline, "spec", "missing");
        return rc;
    }
    bool has_max = false;
    for (yaml_node_pair_t *pr = spec->data.mapping.pairs.start; pr < spec->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *kn = yaml_document_get_node(d, pr->key);
        yaml_node_t *v = yaml_document_get_node(d, pr->value);
        const char *k = yscalar(kn);
        char f[MF_FIELD];
        snprintf(f, sizeof f, "spec.%s", k ? k : "?");
        rc = AS_OK;
        if (k == NULL) {
            mf_warn(m, yline(kn), f, "non-scalar key; ignored");
        } else if (strcmp(k, "scaleTargetRef") == 0) {
            /* the workload: in the simulator, the tier the policy scales */
        } else if (strcmp(k, "minReplicas") == 0) {
            if (ynull(v))
                continue;
            /* validation.go: minReplicas >= 1 unless the alpha HPAScaleToZero
             * gate is on (and then only with Object/External metrics) */
            const char *s = yscalar(v);
            if (s && strcmp(s, "0") == 0)
                return mf_fail(m, yline(v), f,
                               "0 needs the alpha HPAScaleToZero feature gate and an Object or "
                               "External metric; not simulated (use 1 or more)");
            rc = yint(m, v, f, 1, 1000000, &h->min);
            h->min_line = yline(v);
        } else if (strcmp(k, "maxReplicas") == 0) {
            rc = yint(m, v, f, 1, 1000000, &h->max);
            h->max_line = yline(v);
            has_max = true;
        } else if (v1 && strcmp(k, "targetCPUUtilizationPercentage") == 0) {
            if (ynull(v))
                continue;
            rc = yint(m, v, f, 1, INT_MAX, &h->target_pct);
            h->target_line = yline(v);
        } else if (!v1 && strcmp(k, "metrics") == 0) {
            rc = hpa_metrics(m, d, v, h);
        } else if (!v1 && strcmp(k, "behavior") == 0) {
            rc = hpa_behavior(m, d, v, h);
        } else {
            mf_warn(m, yline(kn), f, "unknown field for %s, no simulated counterpart; ignored",
                    api);
        }
        if (rc != AS_OK)
            return rc;
    }
    if (!has_max)
        return mf_fail(m, yline(spec), "spec.maxReplicas", "required");
    if (h->max < h->min)
        return mf_fail(m, h->max_line, "spec.maxReplicas", "%d is below minReplicas %d (line %d)",
                       h->max, h->min, h->min_line);
    return AS_OK;
}

/* Read the first HorizontalPodAutoscaler of a (multi-document) YAML file.
 * Other kinds (the Deployment it scales, a Service) are skipped; a `kind:
 * List` (kubectl get -o yaml) is searched through its items. The whole
 * stream is parsed, so a syntax error anywhere in the file is reported. */
static int hpa_read(mf *m, hpa_spec *h)
{
    hpa_defaults(h);
    FILE *f = fopen(m->path, "rb");
    if (f == NULL)
        return as_err_set(m->err, AS_EIO, "%s: cannot open: %s", m->path, strerror(errno));
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        return as_err_set(m->err, AS_ENOMEM, "out of memory");
    }
    yaml_parser_set_input_file(&parser, f);
    int rc = AS_OK, found = 0;
    char seen[200] = ""; /* other kinds, for the "no HPA" message */
    int first_line = 0;
    for (;;) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            const yaml_mark_t *mk = &parser.problem_mark;
            if (parser.error == YAML_MEMORY_ERROR)
                rc = as_err_set(m->err, AS_ENOMEM, "out of memory");
            else if (parser.context)
                rc = as_err_set(m->err, AS_EINVAL,
                                "%s:%d:%d: YAML syntax error: %s %s (started at line %d)", m->path,
                                (int)mk->line + 1, (int)mk->column + 1, parser.problem,
                                parser.context, (int)parser.context_mark.line + 1);
            else
                rc = as_err_set(m->err, AS_EINVAL, "%s:%d:%d: YAML syntax error: %s", m->path,
                                (int)mk->line + 1, (int)mk->column + 1,
                                parser.problem ? parser.problem : "unreadable");
            break;
        }
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root == NULL) { /* end of the stream */
            yaml_document_delete(&doc);
            break;
        }
        /* the objects of this document: itself, or the items of a List */
        yaml_node_t *objs[256];
        int nobj = 0;
        const char *kind = yscalar(ymap_get(&doc, root, "kind"));
        yaml_node_t *items = ymap_get(&doc, root, "items");
        if (kind && strcmp(kind, "List") == 0 && items && items->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = items->data.sequence.items.start;
                 it < items->data.sequence.items.top && nobj < 256; it++)
                objs[nobj++] = yaml_document_get_node(&doc, *it);
        } else {
            objs[nobj++] = root;
        }
        for (int i = 0; i < nobj && rc == AS_OK; i++) {
            yaml_node_t *o = objs[i];
            const char *k = yscalar(ymap_get(&doc, o, "kind"));
            int kl = yline(ymap_get(&doc, o, "kind"));
            if (first_line == 0)
                first_line = kl ? kl : yline(o);
            if (k == NULL || strcmp(k, "HorizontalPodAutoscaler") != 0) {
                size_t l = strlen(seen);
                snprintf(seen + l, sizeof seen - l, "%s%s at line %d", l ? ", " : "",
                         k ? k : "no kind", kl ? kl : yline(o));
                continue;
            }
            if (found++) {
                const char *nm = yscalar(ymap_get(&doc, ymap_get(&doc, o, "metadata"), "name"));
                mf_warn(m, kl, "kind",
                        "another HorizontalPodAutoscaler ('%s') ignored: the first one, at line "
                        "%d, is used",
                        nm ? nm : "?", h->line);
                continue;
            }
            rc = hpa_object(m, &doc, o, h);
        }
        yaml_document_delete(&doc);
        if (rc != AS_OK)
            break;
    }
    yaml_parser_delete(&parser);
    fclose(f);
    if (rc == AS_OK && !found)
        rc = mf_fail(m, first_line > 0 ? first_line : 1, NULL,
                     "no HorizontalPodAutoscaler in the file (found: %s)",
                     seen[0] ? seen : "nothing");
    return rc;
}

/* Change per second one policy allows at ref replicas, to compare
 * policies of different periods. */
static double policy_rate(const hpa_policy *p, int ref, bool up)
{
    double change = p->type == POL_PODS ? p->value : ref * p->value / 100.0;
    if (!up && change > ref)
        change = ref;
    return change / p->period;
}

/* Map the policies of one direction onto <dir>_pods, <dir>_percent and
 * <dir>_period. The hpa kind keeps one Pods and one Percent policy with
 * one period per direction; Kubernetes keeps a list, each policy with its
 * own periodSeconds. When they are all of one period and at most one per
 * type, the mapping is exact.
 * Otherwise the period is taken from the policy that matters: selectPolicy
 * Max applies the policy allowing the largest change (Min the smallest),
 * and which one that is depends on the replica count (a Percent policy
 * grows with it, a Pods policy does not), so they are compared by change
 * per second at the midpoint of minReplicas and maxReplicas, where the
 * workload typically runs. The other policy keeps its rate: its value is
 * rescaled to the chosen period (ceil, at least 1), e.g. Pods 4 per 60 s
 * becomes 1 per 15 s. That is right for a sustained ramp and slower in the
 * first seconds of a burst (the alternative, keeping the value, would be
 * 4x too fast for the whole ramp). A warning says what was done. */
static int hpa_apply_dir(mf *m, const hpa_spec *h, const hpa_dir *d, bool up)
{
    const char *pfx = up ? "up" : "down";
    const char *dname = up ? "scaleUp" : "scaleDown";
    char field[MF_FIELD], key[32];
    int ref = (h->min + h->max + 1) / 2;
    bool want_max = d->select != SEL_MIN;
    int rc;

    snprintf(field, sizeof field, "spec.behavior.%s.stabilizationWindowSeconds", dname);
    snprintf(key, sizeof key, "%s_stabilization", pfx);
    if ((rc = mf_set(m, d->line, field, key, "%ds", d->stab_s)) != AS_OK)
        return rc;
    snprintf(field, sizeof field, "spec.behavior.%s.selectPolicy", dname);
    snprintf(key, sizeof key, "%s_select", pfx);
    if ((rc = mf_set(m, d->sel_line ? d->sel_line : d->line, field, key, "%s",
                     sel_names[d->select])) != AS_OK)
        return rc;

    int best = 0, pick[2] = {-1, -1}, count[2] = {0, 0};
    bool periods_differ = false;
    for (int i = 0; i < d->npol; i++) {
        const hpa_policy *p = &d->pol[i];
        double r = policy_rate(p, ref, up), rb = policy_rate(&d->pol[best], ref, up);
        if (want_max ? r > rb : r < rb)
            best = i;
        count[p->type]++;
        int *k = &pick[p->type];
        if (*k < 0) {
            *k = i;
        } else {
            double rk = policy_rate(&d->pol[*k], ref, up);
            if (want_max ? r > rk : r < rk)
                *k = i;
        }
        if (p->period != d->pol[0].period)
            periods_differ = true;
    }
    int period = d->pol[best].period;
    int val[2] = {0, 0};
    for (int t = 0; t < 2; t++) {
        if (pick[t] < 0)
            continue;
        const hpa_policy *p = &d->pol[pick[t]];
        val[t] = p->value;
        if (p->period != period) {
            val[t] = (int)ceil((double)p->value * period / p->period);
            if (val[t] < 1)
                val[t] = 1;
        }
    }
    snprintf(field, sizeof field, "spec.behavior.%s.policies", dname);
    for (int t = 0; t < 2; t++)
        if (count[t] > 1)
            mf_warn(m, d->line, field,
                    "%d %s policies; the simulated hpa keeps one per type: the one allowing the "
                    "%s change at %d replicas (line %d)",
                    count[t], t == POL_PODS ? "Pods" : "Percent", want_max ? "largest" : "smallest",
                    ref, d->pol[pick[t]].line);
    if (periods_differ) {
        char what[200] = "";
        for (int t = 0; t < 2; t++)
            if (pick[t] >= 0 && d->pol[pick[t]].period != period) {
                size_t l = strlen(what);
                snprintf(what + l, sizeof what - l, "; %s %d per %ds becomes %d per %ds",
                         t == POL_PODS ? "Pods" : "Percent", d->pol[pick[t]].value,
                         d->pol[pick[t]].period, val[t], period);
            }
        mf_warn(m, d->pol[best].line, field,
                "policies have different periodSeconds but the simulated hpa has one %s_period: "
                "using %ds, of the %s policy, which allows the %s change per second at %d "
                "replicas (selectPolicy %s)%s",
                pfx, period, d->pol[best].type == POL_PODS ? "Pods" : "Percent",
                want_max ? "largest" : "smallest", ref, sel_api[d->select], what);
    }
    /* A scale-down Percent above 100 removes everything the floor allows,
     * exactly as 100 does (int(start * (1 - v/100)) <= 0 <= minReplicas). */
    if (!up && val[POL_PERCENT] > 100)
        val[POL_PERCENT] = 100;
    int line = d->line ? d->line : h->line;
    snprintf(key, sizeof key, "%s_pods", pfx);
    if ((rc = mf_set(m, pick[POL_PODS] >= 0 ? d->pol[pick[POL_PODS]].line : line, field, key, "%d",
                     val[POL_PODS])) != AS_OK)
        return rc;
    snprintf(key, sizeof key, "%s_percent", pfx);
    if ((rc = mf_set(m, pick[POL_PERCENT] >= 0 ? d->pol[pick[POL_PERCENT]].line : line, field, key,
                     "%d", val[POL_PERCENT])) != AS_OK)
        return rc;
    snprintf(key, sizeof key, "%s_period", pfx);
    return mf_set(m, d->pol[best].line ? d->pol[best].line : line, field, key, "%ds", period);
}

static int hpa_apply(mf *m, const hpa_spec *h)
{
    int rc;
    if (h->target_pct > 0 &&
        (rc = mf_set(m, h->target_line ? h->target_line : h->line,
                     h->target_line ? "target" : "spec.metrics (default cpu 80%)", "target",
                     "%.17g", h->target_pct / 100.0)) != AS_OK)
        return rc;
    /* Tolerance: KEP-4951 gives each direction its own (beta, gate
     * HPAConfigurableTolerance); without it the controller flag applies
     * (--horizontal-pod-autoscaler-tolerance, 0.1). The hpa kind has one
     * dead band for both directions: when they differ, the smaller one is
     * used, since it is the one that lets the HPA act (the other direction
     * then reacts to smaller deviations than in production). */
    double tu = h->up.tol_set ? h->up.tol : 0.1, td = h->down.tol_set ? h->down.tol : 0.1;
    int tl = h->up.tol_set ? h->up.tol_line : h->down.tol_line;
    if (tu != td)
        mf_warn(m, tl, "spec.behavior.*.tolerance",
                "scaleUp tolerance %g%s and scaleDown tolerance %g%s differ but the simulated "
                "hpa has one: using %g for both",
                tu, h->up.tol_set ? "" : " (the controller's default)", td,
                h->down.tol_set ? "" : " (the controller's default)", tu < td ? tu : td);
    if ((rc = mf_set(m, tl ? tl : h->line, "tolerance", "tolerance", "%.17g", tu < td ? tu : td)) !=
        AS_OK)
        return rc;
    if ((rc = hpa_apply_dir(m, h, &h->up, true)) != AS_OK)
        return rc;
    return hpa_apply_dir(m, h, &h->down, false);
}

/* ------------------------------------------------------------------ */
/* AWS scaling-policy JSON (jansson)                                   */

/* Line of the value at a dotted path ("ScalingPolicies[1].TargetValue")
 * in JSON text that jansson has already accepted, so the scanner can
 * assume it is well formed. 0 when the path is not there. */
typedef struct {
    const char *s;
    int line;
} jscan;

static void js_ws(jscan *j)
{
    while (*j->s == ' ' || *j->s == '\t' || *j->s == '\r' || *j->s == '\n') {
        if (*j->s == '\n')
            j->line++;
        j->s++;
    }
}

static void js_string(jscan *j, const char **start, size_t *len)
{
    j->s++; /* opening quote */
    *start = j->s;
    while (*j->s && *j->s != '"') {
        if (*j->s == '\\' && j->s[1])
            j->s++;
        j->s++;
    }
    *len = (size_t)(j->s - *start);
    if (*j->s)
        j->s++;
}

static void js_skip(jscan *j)
{
    js_ws(j);
    if (*j->s == '"') {
        const char *a;
        size_t n;
        js_string(j, &a, &n);
        return;
    }
    if (*j->s == '{' || *j->s == '[') {
        int depth = 0;
        do {
            if (*j->s == '"') {
                const char *a;
                size_t n;
                js_string(j, &a, &n);
                continue;
            }
            if (*j->s == '{' || *j->s == '[')
                depth++;
            else if (*j->s == '}' || *j->s == ']')
                depth--;
            else if (*j->s == '\n')
                j->line++;
            j->s++;
        } while (depth > 0 && *j->s);
        return;
    }
    while (*j->s && !strchr(",}] \t\r\n", *j->s))
        j->s++;
}

static int js_find(jscan *j, const char *path)
{
    js_ws(j);
    if (*path == '\0')
        return j->line;
    if (*path == '.')
        path++;
    if (*path == '[') {
        if (*j->s != '[')
            return 0;
        long want = strtol(path + 1, NULL, 10);
        const char *rest = strchr(path, ']');
        rest = rest ? rest + 1 : "";
        j->s++;
        for (long i = 0;; i++) {
            js_ws(j);
            if (*j->s == ']' || *j->s == '\0')
                return 0;
            if (i == want)
                return js_find(j, rest);
            js_skip(j);
            js_ws(j);
            if (*j->s == ',')
                j->s++;
        }
    }
    size_t seg = strcspn(path, ".[");
    if (*j->s != '{')
        return 0;
    j->s++;
    for (;;) {
        js_ws(j);
        if (*j->s != '"')
            return 0;
        const char *k;
        size_t n;
        js_string(j, &k, &n);
        js_ws(j);
        if (*j->s == ':')
            j->s++;
        if (n == seg && strncmp(k, path, n) == 0)
            return js_find(j, path + seg);
        js_skip(j);
        js_ws(j);
        if (*j->s == ',')
            j->s++;
        else
            return 0;
    }
}

/* Full dotted path of rel under the chosen policy, and its line. */
static const char *jfield(const mf *m, const char *rel, char *buf, size_t n)
{
    if (m->base[0] && rel[0])
        snprintf(buf, n, "%s.%s", m->base, rel);
    else
        snprintf(buf, n, "%s", m->base[0] ? m->base : rel);
    return buf;
}

static int jline(const mf *m, const char *rel)
{
    char full[MF_FIELD];
    jscan j = {m->text, 1};
    return js_find(&j, jfield(m, rel, full, sizeof full));
}

static int jfail(mf *m, const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int jfail(mf *m, const char *rel, const char *fmt, ...)
{
    char msg[400], full[MF_FIELD];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mf_fail(m, jline(m, rel), jfield(m, rel, full, sizeof full), "%s", msg);
}

static void jwarn(mf *m, const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void jwarn(mf *m, const char *rel, const char *fmt, ...)
{
    char msg[400], full[MF_FIELD];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mf_warn(m, jline(m, rel), jfield(m, rel, full, sizeof full), "%s", msg);
}

static int jset(mf *m, const char *rel, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int jset(mf *m, const char *rel, const char *key, const char *fmt, ...)
{
    char val[300], full[MF_FIELD];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof val, fmt, ap);
    va_end(ap);
    return mf_set(m, jline(m, rel), jfield(m, rel, full, sizeof full), key, "%s", val);
}

/* Fields of a policy that identify it or record its state: nothing to
 * simulate and nothing lost by not simulating them. */
static const char *const aws_identity[] = {
    "PolicyName",   "PolicyARN",        "PolicyType", "AutoScalingGroupName",
    "Alarms",       "ServiceNamespace", "ResourceId", "ScalableDimension",
    "CreationTime", "Enabled",          NULL};

/* Warn about every member of obj not in known (rel: obj's path). (the
 * identity fields are known at the top level of a policy) */
static void jwarn_unknown(mf *m, json_t *obj, const char *rel, const char *const *known)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        if (in_list(k, known) || (rel[0] == '\0' && in_list(k, aws_identity)))
            continue;
        char f[MF_FIELD];
        snprintf(f, sizeof f, "%s%s%s", rel, rel[0] ? "." : "", k);
        jwarn(m, f, "no simulated counterpart; ignored");
    }
}

/* A number member; absent (or null) returns false. */
static int jnum(mf *m, json_t *obj, const char *key, const char *rel, double *out, bool *present)
{
    json_t *v = json_object_get(obj, key);
    *present = v != NULL && !json_is_null(v);
    if (!*present)
        return AS_OK;
    if (!json_is_number(v))
        return jfail(m, rel, "must be a number");
    *out = json_number_value(v);
    return AS_OK;
}

/* Seconds (an integer >= 0). */
static int jsecs(mf *m, json_t *obj, const char *key, const char *rel, int *out, bool *present)
{
    double v = 0;
    int rc = jnum(m, obj, key, rel, &v, present);
    if (rc != AS_OK || !*present)
        return rc;
    if (v < 0 || v != floor(v) || v > 86400 * 7)
        return jfail(m, rel, "%g is not a whole number of seconds", v);
    *out = (int)v;
    return AS_OK;
}

static const char *jstr(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* PolicyType, or inferred from the configuration block present
 * (put-scaling-policy defaults PolicyType to SimpleScaling). */
static const char *aws_type(json_t *pol)
{
    const char *t = jstr(pol, "PolicyType");
    if (t)
        return t;
    if (json_object_get(pol, "TargetTrackingConfiguration") ||
        json_object_get(pol, "TargetTrackingScalingPolicyConfiguration"))
        return "TargetTrackingScaling";
    if (json_object_get(pol, "StepAdjustments") ||
        json_object_get(pol, "StepScalingPolicyConfiguration"))
        return "StepScaling";
    if (json_object_get(pol, "PredictiveScalingConfiguration"))
        return "PredictiveScaling";
    return "SimpleScaling";
}

/* A CPU utilisation metric in percent: the simulator's utilisation is the
 * busy fraction of the servers, so TargetValue 60 means target 0.6. The
 * predefined types ending in CPUUtilization (ASGAverageCPUUtilization,
 * ECSServiceAverageCPUUtilization, EC2SpotFleetRequestAverageCPUUtilization,
 * RDSReaderAverageCPUUtilization, ...) and a customized CPUUtilization
 * metric averaged over the group. */
static bool aws_cpu_metric(json_t *tt, const char **what)
{
    json_t *pre = json_object_get(tt, "PredefinedMetricSpecification");
    const char *t = jstr(pre, "PredefinedMetricType");
    if (t) {
        *what = t;
        size_t n = strlen(t);
        return n >= 14 && strcmp(t + n - 14, "CPUUtilization") == 0;
    }
    json_t *cus = json_object_get(tt, "CustomizedMetricSpecification");
    if (cus) {
        const char *name = jstr(cus, "MetricName"), *stat = jstr(cus, "Statistic");
        *what = name ? name : "a metric math expression";
        return name && strcmp(name, "CPUUtilization") == 0 && stat && strcmp(stat, "Average") == 0;
    }
    *what = "no metric";
    return false;
}

/* kind = target. Two shapes:
 *   EC2 Auto Scaling: TargetTrackingConfiguration {PredefinedMetricSpecification |
 *     CustomizedMetricSpecification, TargetValue, DisableScaleIn} and, at
 *     the policy level, EstimatedInstanceWarmup.
 *   Application Auto Scaling: TargetTrackingScalingPolicyConfiguration
 *     {..., TargetValue, DisableScaleIn, ScaleOutCooldown, ScaleInCooldown}.
 * Mapping: TargetValue of a CPU metric / 100 -> target; DisableScaleIn ->
 * disable_scale_in; EstimatedInstanceWarmup -> warmup; ScaleOut/InCooldown
 * -> scale_out_/scale_in_cooldown.
 * EC2 target tracking "can start scale-out immediately without waiting for
 * the cooldown period to end; instead, instances have a warmup" (EC2 user
 * guide, Scaling cooldowns): scale_out_cooldown = 0, warmup does the job.
 * Its scale-in can still be delayed by the group's DefaultCooldown, which
 * is not in the policy: scale_in_cooldown keeps the kind's 300 s (the
 * DefaultCooldown default). Application Auto Scaling has no instance
 * warmup (its cooldowns do that job): warmup = 0, and absent cooldowns keep
 * the kind's 300 s (the default for ECS, Spot Fleet, EMR, custom
 * resources; DynamoDB, Lambda and others default to 0 - set them in the
 * INI). The alarms (3 of 3 out, 15 of 15 in) are managed by AWS and are
 * not in the JSON: out_/in_datapoints keep the kind's values. */
static int aws_target(mf *m, json_t *pol)
{
    bool aas = json_object_get(pol, "TargetTrackingScalingPolicyConfiguration") != NULL;
    const char *blk =
        aas ? "TargetTrackingScalingPolicyConfiguration" : "TargetTrackingConfiguration";
    json_t *tt = json_object_get(pol, blk);
    if (!json_is_object(tt))
        return jfail(m, tt ? blk : "", "a TargetTrackingScaling policy needs %s (an object)",
                     tt ? blk : "TargetTrackingConfiguration");
    char f[MF_FIELD];
    int rc;
    double tv = 0;
    bool has;
    snprintf(f, sizeof f, "%s.TargetValue", blk);
    if ((rc = jnum(m, tt, "TargetValue", f, &tv, &has)) != AS_OK)
        return rc;
    if (!has)
        return jfail(m, blk, "TargetValue is required");
    const char *what;
    if (aws_cpu_metric(tt, &what)) {
        if ((rc = jset(m, f, "target", "%.17g", tv / 100.0)) != AS_OK)
            return rc;
    } else {
        char cur[64];
        jwarn(m, f,
              "TargetValue %g of %s has no simulated counterpart yet (only CPU utilisation is "
              "simulated): keeping target = %s",
              tv, what, mf_current(m, "target", cur, sizeof cur));
    }
    json_t *dis = json_object_get(tt, "DisableScaleIn");
    snprintf(f, sizeof f, "%s.DisableScaleIn", blk);
    if (dis && !json_is_null(dis)) {
        if (!json_is_boolean(dis))
            return jfail(m, f, "must be true or false");
        if ((rc = jset(m, f, "disable_scale_in", "%s", json_is_true(dis) ? "true" : "false")) !=
            AS_OK)
            return rc;
    }
    int s = 0;
    if (aas) {
        if ((rc = jset(m, blk, "warmup", "0s")) != AS_OK)
            return rc;
        snprintf(f, sizeof f, "%s.ScaleOutCooldown", blk);
        if ((rc = jsecs(m, tt, "ScaleOutCooldown", f, &s, &has)) != AS_OK ||
            (has && (rc = jset(m, f, "scale_out_cooldown", "%ds", s)) != AS_OK))
            return rc;
        snprintf(f, sizeof f, "%s.ScaleInCooldown", blk);
        if ((rc = jsecs(m, tt, "ScaleInCooldown", f, &s, &has)) != AS_OK ||
            (has && (rc = jset(m, f, "scale_in_cooldown", "%ds", s)) != AS_OK))
            return rc;
    } else {
        if ((rc = jset(m, blk, "scale_out_cooldown", "0s")) != AS_OK)
            return rc;
        if ((rc = jsecs(m, pol, "EstimatedInstanceWarmup", "EstimatedInstanceWarmup", &s, &has)) !=
                AS_OK ||
            (has && (rc = jset(m, "EstimatedInstanceWarmup", "warmup", "%ds", s)) != AS_OK))
            return rc;
    }
    static const char *const tt_known[] = {"TargetValue",
                                           "DisableScaleIn",
                                           "PredefinedMetricSpecification",
                                           "CustomizedMetricSpecification",
                                           "ScaleOutCooldown",
                                           "ScaleInCooldown",
                                           NULL};
    static const char *const tt_known_ec2[] = {"TargetValue", "DisableScaleIn",
                                               "PredefinedMetricSpecification",
                                               "CustomizedMetricSpecification", NULL};
    jwarn_unknown(m, tt, blk, aas ? tt_known : tt_known_ec2);
    static const char *const top[] = {"TargetTrackingConfiguration",
                                      "TargetTrackingScalingPolicyConfiguration",
                                      "EstimatedInstanceWarmup", NULL};
    jwarn_unknown(m, pol, "", top);
    return AS_OK;
}

/* One step policy read from JSON, before it is written out. */
typedef struct {
    bool out;         /* scale-out (steps_out) or scale-in */
    const char *type; /* change | exact | percent */
    char steps[256];
} aws_steps;

/* Direction and step list of a StepScaling policy (cfg: the object that
 * holds StepAdjustments; rel its path). AWS bounds are relative to the
 * alarm threshold in the metric's unit; for a CPU percentage alarm
 * MetricIntervalLowerBound 10 is 0.1 of the simulator's utilisation. */
static int aws_step_read(mf *m, json_t *cfg, const char *rel, aws_steps *o)
{
    char f[MF_FIELD];
    snprintf(f, sizeof f, "%s%sAdjustmentType", rel, rel[0] ? "." : "");
    const char *at = jstr(cfg, "AdjustmentType");
    if (at == NULL)
        return jfail(m, rel,
                     "AdjustmentType is required (ChangeInCapacity, ExactCapacity or "
                     "PercentChangeInCapacity)");
    if (strcmp(at, "ChangeInCapacity") == 0)
        o->type = "change";
    else if (strcmp(at, "ExactCapacity") == 0)
        o->type = "exact";
    else if (strcmp(at, "PercentChangeInCapacity") == 0)
        o->type = "percent";
    else
        return jfail(m, f, "'%s' is not ChangeInCapacity, ExactCapacity or PercentChangeInCapacity",
                     at);
    snprintf(f, sizeof f, "%s%sStepAdjustments", rel, rel[0] ? "." : "");
    json_t *sa = json_object_get(cfg, "StepAdjustments");
    if (!json_is_array(sa) || json_array_size(sa) == 0)
        return jfail(m, json_is_array(sa) ? f : rel, "StepAdjustments must be a non-empty list");
    size_t n = json_array_size(sa);
    int pos = 0, neg = 0;
    double minlo = INFINITY, maxhi = -INFINITY;
    o->steps[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        json_t *st = json_array_get(sa, i);
        char g[MF_FIELD];
        snprintf(g, sizeof g, "%s[%zu]", f, i);
        if (!json_is_object(st))
            return jfail(m, g, "must be an object");
        double lo = -INFINITY, hi = INFINITY, adj = 0;
        bool has_lo, has_hi, has_adj;
        int rc;
        char h[MF_FIELD];
        snprintf(h, sizeof h, "%s.ScalingAdjustment", g);
        if ((rc = jnum(m, st, "MetricIntervalLowerBound", g, &lo, &has_lo)) != AS_OK ||
            (rc = jnum(m, st, "MetricIntervalUpperBound", g, &hi, &has_hi)) != AS_OK ||
            (rc = jnum(m, st, "ScalingAdjustment", h, &adj, &has_adj)) != AS_OK)
            return rc;
        if (!has_adj || adj != floor(adj))
            return jfail(m, has_adj ? h : g, "ScalingAdjustment must be an integer");
        if (!has_lo)
            lo = -INFINITY;
        if (!has_hi)
            hi = INFINITY;
        pos += adj > 0;
        neg += adj < 0;
        minlo = lo < minlo ? lo : minlo;
        maxhi = hi > maxhi ? hi : maxhi;
        static const char *const known[] = {"MetricIntervalLowerBound", "MetricIntervalUpperBound",
                                            "ScalingAdjustment", NULL};
        jwarn_unknown(m, st, g, known);
        char lb[32] = "", ub[32] = "", one[96];
        if (has_lo)
            snprintf(lb, sizeof lb, "%.10g", lo / 100.0);
        if (has_hi)
            snprintf(ub, sizeof ub, "%.10g", hi / 100.0);
        snprintf(one, sizeof one, "%s%s:%s:%s%d", i ? ", " : "", lb, ub,
                 strcmp(o->type, "exact") == 0 || adj < 0 ? "" : "+", (int)adj);
        size_t l = strlen(o->steps);
        if (l + strlen(one) >= sizeof o->steps)
            return jfail(m, f, "too many steps to encode");
        memcpy(o->steps + l, one, strlen(one) + 1);
    }
    /* Direction. The simulated step policy adds capacity above its
     * out_threshold (alarm GreaterThanOrEqualToThreshold) and removes it
     * below in_threshold, so a scale-out policy has its steps at or above
     * the threshold and a scale-in policy at or below it. A policy that
     * adds capacity below its threshold watches a metric that falls as
     * load rises (free memory, say): not simulated. */
    bool above = minlo >= 0, below = maxhi <= 0;
    if (strcmp(o->type, "exact") != 0 && (pos || neg)) {
        if (pos && neg)
            return jfail(m, f,
                         "adds and removes capacity in one policy; AWS step policies "
                         "scale in one direction");
        o->out = pos > 0;
        if ((o->out && below && !above) || (!o->out && above && !below))
            return jfail(m, f,
                         "%s capacity %s the alarm threshold: a metric that falls as load rises; "
                         "the simulated step policy alarms on utilisation",
                         o->out ? "adds" : "removes", o->out ? "below" : "above");
        return AS_OK;
    }
    if (above == below)
        return jfail(m, f,
                     "cannot tell whether this policy scales out or in (its steps are on "
                     "both sides of the threshold)");
    o->out = above;
    return AS_OK;
}

/* kind = step: one or two StepScaling policies (the kind has a scale-out
 * and a scale-in side; a describe-policies file usually holds both).
 *   EC2: AdjustmentType, StepAdjustments, MinAdjustmentMagnitude,
 *        MetricAggregationType, EstimatedInstanceWarmup at the policy level.
 *   Application Auto Scaling: the same inside StepScalingPolicyConfiguration,
 *        plus Cooldown.
 * Mapping (per side: out_* or in_*): AdjustmentType -> *_type (change,
 * exact, percent); StepAdjustments -> steps_* (bounds / 100, see
 * aws_step_read); MinAdjustmentMagnitude -> *_min_magnitude; Cooldown
 * (AAS) -> cooldown; EstimatedInstanceWarmup (EC2) -> cooldown: during the
 * warmup EC2 counts the new instances as capacity, so only a larger step
 * adds more, and blocks scale-in, which is what the kind's cooldown does.
 * The alarm threshold is part of the CloudWatch alarm, not of the policy:
 * out_/in_threshold keep the kind's (or the INI's) values, with a warning. */
static int aws_step_one(mf *m, json_t *pol, bool *sides)
{
    bool aas = json_object_get(pol, "StepScalingPolicyConfiguration") != NULL;
    const char *rel = aas ? "StepScalingPolicyConfiguration" : "";
    json_t *cfg = aas ? json_object_get(pol, rel) : pol;
    if (!json_is_object(cfg))
        return jfail(m, rel, "must be an object");
    aws_steps s;
    int rc = aws_step_read(m, cfg, rel, &s);
    if (rc != AS_OK)
        return rc;
    const char *side = s.out ? "out" : "in";
    char key[32], f[MF_FIELD], cur[64];
    sides[s.out ? 0 : 1] = true;
    snprintf(f, sizeof f, "%s%sStepAdjustments", rel, rel[0] ? "." : "");
    snprintf(key, sizeof key, "steps_%s", side);
    if ((rc = jset(m, f, key, "%s", s.steps)) != AS_OK)
        return rc;
    snprintf(f, sizeof f, "%s%sAdjustmentType", rel, rel[0] ? "." : "");
    snprintf(key, sizeof key, "%s_type", side);
    if ((rc = jset(m, f, key, "%s", s.type)) != AS_OK)
        return rc;
    snprintf(key, sizeof key, "%s_threshold", side);
    snprintf(f, sizeof f, "%s%sStepAdjustments", rel, rel[0] ? "." : "");
    jwarn(m, f,
          "the alarm threshold is set in the CloudWatch alarm, not in the policy: keeping "
          "%s = %s; the step bounds are read as CPU percentage points relative to it",
          key, mf_current(m, key, cur, sizeof cur));
    int v = 0;
    bool has;
    snprintf(f, sizeof f, "%s%sMinAdjustmentMagnitude", rel, rel[0] ? "." : "");
    if ((rc = jsecs(m, cfg, "MinAdjustmentMagnitude", f, &v, &has)) != AS_OK)
        return rc;
    snprintf(key, sizeof key, "%s_min_magnitude", side);
    if (has && strcmp(s.type, "percent") != 0)
        jwarn(m, f, "applies to PercentChangeInCapacity only; ignored");
    else if (has && (rc = jset(m, f, key, "%d", v)) != AS_OK)
        return rc;
    const char *agg = jstr(cfg, "MetricAggregationType");
    snprintf(f, sizeof f, "%s%sMetricAggregationType", rel, rel[0] ? "." : "");
    if (agg && strcmp(agg, "Average") != 0)
        jwarn(m, f, "%s: the simulated alarm averages the utilisation (Average)", agg);
    if (aas) {
        snprintf(f, sizeof f, "%s.Cooldown", rel);
        if ((rc = jsecs(m, cfg, "Cooldown", f, &v, &has)) != AS_OK ||
            (has && (rc = jset(m, f, "cooldown", "%ds", v)) != AS_OK))
            return rc;
        static const char *const known[] = {
            "AdjustmentType",        "StepAdjustments", "MinAdjustmentMagnitude",
            "MetricAggregationType", "Cooldown",        NULL};
        jwarn_unknown(m, cfg, rel, known);
        static const char *const top[] = {"StepScalingPolicyConfiguration", NULL};
        jwarn_unknown(m, pol, "", top);
    } else {
        if ((rc = jsecs(m, pol, "EstimatedInstanceWarmup", "EstimatedInstanceWarmup", &v, &has)) !=
                AS_OK ||
            (has && (rc = jset(m, "EstimatedInstanceWarmup", "cooldown", "%ds", v)) != AS_OK))
            return rc;
        if (json_object_get(pol, "Cooldown"))
            jwarn(m, "Cooldown",
                  "EC2 uses Cooldown for SimpleScaling only; ignored for a "
                  "StepScaling policy (EstimatedInstanceWarmup applies)");
        static const char *const known[] = {"AdjustmentType",
                                            "StepAdjustments",
                                            "MinAdjustmentMagnitude",
                                            "MetricAggregationType",
                                            "EstimatedInstanceWarmup",
                                            "Cooldown",
                                            NULL};
        jwarn_unknown(m, pol, "", known);
    }
    return AS_OK;
}

/* kind = predictive: PredictiveScalingConfiguration {MetricSpecifications
 * [{TargetValue, PredefinedMetricPairSpecification |
 * PredefinedScalingMetricSpecification | Customized...}], Mode,
 * SchedulingBufferTime, MaxCapacityBreachBehavior, MaxCapacityBuffer}.
 * Mapping: TargetValue of the CPU pair (ASGCPUUtilization) or of the
 * ASGAverageCPUUtilization scaling metric / 100 -> target. The rest has no
 * key: Mode ForecastOnly (the AWS default) never scales, the simulator
 * always does (ForecastAndScale); SchedulingBufferTime is replaced by the
 * tier's boot time plus the decision interval; IncreaseMaxCapacity and
 * MaxCapacityBuffer are not simulated (the tier's max is a hard limit,
 * HonorMaxCapacity). Each is warned about when it changes the outcome. */
static int aws_predictive(mf *m, json_t *pol)
{
    const char *blk = "PredictiveScalingConfiguration";
    json_t *pc = json_object_get(pol, blk);
    if (!json_is_object(pc))
        return jfail(m, pc ? blk : "", "a PredictiveScaling policy needs %s (an object)", blk);
    int rc;
    json_t *ms = json_object_get(pc, "MetricSpecifications");
    char f[MF_FIELD], cur[64];
    snprintf(f, sizeof f, "%s.MetricSpecifications", blk);
    if (!json_is_array(ms) || json_array_size(ms) == 0)
        return jfail(m, ms ? f : blk, "MetricSpecifications must be a non-empty list");
    if (json_array_size(ms) > 1)
        jwarn(m, f, "%zu metric specifications; only the first is read (AWS allows one)",
              json_array_size(ms));
    json_t *spec = json_array_get(ms, 0);
    snprintf(f, sizeof f, "%s.MetricSpecifications[0]", blk);
    if (!json_is_object(spec))
        return jfail(m, f, "must be an object");
    double tv = 0;
    bool has;
    char g[MF_FIELD];
    snprintf(g, sizeof g, "%s.TargetValue", f);
    if ((rc = jnum(m, spec, "TargetValue", g, &tv, &has)) != AS_OK)
        return rc;
    if (!has)
        return jfail(m, f, "TargetValue is required");
    const char *pair =
        jstr(json_object_get(spec, "PredefinedMetricPairSpecification"), "PredefinedMetricType");
    const char *scal =
        jstr(json_object_get(spec, "PredefinedScalingMetricSpecification"), "PredefinedMetricType");
    if ((pair && strcmp(pair, "ASGCPUUtilization") == 0) ||
        (scal && strcmp(scal, "ASGAverageCPUUtilization") == 0)) {
        if ((rc = jset(m, g, "target", "%.17g", tv / 100.0)) != AS_OK)
            return rc;
    } else {
        jwarn(m, g,
              "TargetValue %g of %s has no simulated counterpart yet (only CPU utilisation is "
              "simulated): keeping target = %s",
              tv,
              pair   ? pair
              : scal ? scal
                     : "a customized metric",
              mf_current(m, "target", cur, sizeof cur));
    }
    static const char *const spec_known[] = {"TargetValue", "PredefinedMetricPairSpecification",
                                             "PredefinedScalingMetricSpecification",
                                             "PredefinedLoadMetricSpecification", NULL};
    jwarn_unknown(m, spec, f, spec_known);

    const char *mode = jstr(pc, "Mode");
    snprintf(f, sizeof f, "%s.Mode", blk);
    if (mode == NULL || strcmp(mode, "ForecastOnly") == 0)
        jwarn(m, mode ? f : blk,
              "Mode %s: AWS only forecasts and does not scale; simulated as ForecastAndScale",
              mode ? mode : "absent (ForecastOnly by default)");
    else if (strcmp(mode, "ForecastAndScale") != 0)
        return jfail(m, f, "'%s' is not ForecastOnly or ForecastAndScale", mode);
    int sbt = 0;
    snprintf(f, sizeof f, "%s.SchedulingBufferTime", blk);
    if ((rc = jsecs(m, pc, "SchedulingBufferTime", f, &sbt, &has)) != AS_OK)
        return rc;
    if (has && sbt >= 3600)
        return jfail(m, f, "%d must be below 3600 s", sbt);
    if (has)
        jwarn(m, f,
              "%d s has no counterpart: the simulated policy looks ahead by the tier's boot "
              "time plus the decision interval",
              sbt);
    const char *mcb = jstr(pc, "MaxCapacityBreachBehavior");
    snprintf(f, sizeof f, "%s.MaxCapacityBreachBehavior", blk);
    if (mcb && strcmp(mcb, "IncreaseMaxCapacity") == 0)
        jwarn(m, f, "not simulated: the tier's max is a hard limit (HonorMaxCapacity)");
    else if (mcb && strcmp(mcb, "HonorMaxCapacity") != 0)
        return jfail(m, f, "'%s' is not HonorMaxCapacity or IncreaseMaxCapacity", mcb);
    if (json_object_get(pc, "MaxCapacityBuffer")) {
        snprintf(f, sizeof f, "%s.MaxCapacityBuffer", blk);
        jwarn(m, f, "not simulated: the tier's max is a hard limit");
    }
    static const char *const pc_known[] = {"MetricSpecifications", "Mode",
                                           "SchedulingBufferTime", "MaxCapacityBreachBehavior",
                                           "MaxCapacityBuffer",    NULL};
    jwarn_unknown(m, pc, blk, pc_known);
    static const char *const top[] = {"PredictiveScalingConfiguration", NULL};
    jwarn_unknown(m, pol, "", top);
    return AS_OK;
}

static const char *aws_type_for_kind(const char *kind)
{
    if (strcmp(kind, "target") == 0)
        return "TargetTrackingScaling";
    if (strcmp(kind, "step") == 0)
        return "StepScaling";
    if (strcmp(kind, "predictive") == 0)
        return "PredictiveScaling";
    return NULL;
}

/* Common checks and the dispatch for one policy object. */
static int aws_policy(mf *m, json_t *pol, bool *sides)
{
    json_t *en = json_object_get(pol, "Enabled");
    if (json_is_false(en))
        jwarn(m, "Enabled", "false: AWS does not run this policy; simulated anyway");
    const char *kind = m->p->type->name;
    if (strcmp(kind, "target") == 0)
        return aws_target(m, pol);
    if (strcmp(kind, "step") == 0)
        return aws_step_one(m, pol, sides);
    return aws_predictive(m, pol);
}

static int aws_apply(mf *m)
{
    const char *want = aws_type_for_kind(m->p->type->name);
    FILE *f = fopen(m->path, "rb");
    if (f == NULL)
        return as_err_set(m->err, AS_EIO, "%s: cannot open: %s", m->path, strerror(errno));
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *t = realloc(text, cap);
            if (t == NULL) {
                free(text);
                fclose(f);
                return as_err_set(m->err, AS_ENOMEM, "out of memory");
            }
            text = t;
        }
        size_t got = fread(text + len, 1, 4096, f);
        len += got;
        if (got < 4096)
            break;
    }
    int ioerr = ferror(f);
    fclose(f);
    if (ioerr) {
        free(text);
        return as_err_set(m->err, AS_EIO, "%s: read error", m->path);
    }
    text[len] = '\0';
    m->text = text;

    /* DECODE_ANY so that a bare value is reported as "not an object" rather
     * than as a syntax error; duplicate keys are rejected (jansson would
     * otherwise keep the last one silently). */
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    int rc = AS_OK;
    bool sides[2] = {false, false};
    if (root == NULL) {
        rc = as_err_set(m->err, AS_EINVAL, "%s:%d:%d: JSON syntax error: %s", m->path, je.line,
                        je.column, je.text);
        goto done;
    }
    if (!json_is_object(root)) {
        rc = mf_fail(m, 1, NULL,
                     "the top level must be an object (a policy or {\"ScalingPolicies\": "
                     "[...]})");
        goto done;
    }
    json_t *list = json_object_get(root, "ScalingPolicies");
    if (list == NULL) {
        const char *t = aws_type(root);
        if (strcmp(t, want) != 0) {
            rc = jfail(m, json_object_get(root, "PolicyType") ? "PolicyType" : "",
                       "policy type %s does not match kind = %s, which reads %s", t,
                       m->p->type->name, want);
            goto done;
        }
        rc = aws_policy(m, root, sides);
    } else {
        if (!json_is_array(list)) {
            rc = jfail(m, "ScalingPolicies", "must be a list");
            goto done;
        }
        /* The first policy of the kind's type; for kind = step the first
         * of each direction, since the kind simulates a scale-out and a
         * scale-in policy together. */
        char found[200] = "";
        int used = 0;
        for (size_t i = 0; i < json_array_size(list) && rc == AS_OK; i++) {
            json_t *pol = json_array_get(list, i);
            if (!json_is_object(pol))
                continue;
            const char *t = aws_type(pol);
            size_t l = strlen(found);
            snprintf(found + l, sizeof found - l, "%s%s", l ? ", " : "", t);
            if (strcmp(t, want) != 0)
                continue;
            snprintf(m->base, sizeof m->base, "ScalingPolicies[%zu]", i);
            if (used && strcmp(want, "StepScaling") != 0) {
                jwarn(m, "", "another %s policy ignored: the first one is used", want);
                continue;
            }
            if (strcmp(want, "StepScaling") == 0) {
                /* skip a second policy of a side already set */
                aws_steps s;
                json_t *cfg = json_object_get(pol, "StepScalingPolicyConfiguration");
                as_err scratch = {0};
                as_err *keep = m->err;
                m->err = &scratch;
                int drc = aws_step_read(m, cfg ? cfg : pol,
                                        cfg ? "StepScalingPolicyConfiguration" : "", &s);
                m->err = keep;
                if (drc == AS_OK && sides[s.out ? 0 : 1]) {
                    jwarn(m, "", "another scale-%s step policy ignored: the first one is used",
                          s.out ? "out" : "in");
                    continue;
                }
            }
            used++;
            rc = aws_policy(m, pol, sides);
        }
        if (rc == AS_OK && used == 0) {
            m->base[0] = '\0';
            rc = jfail(m, "ScalingPolicies", "no %s policy for kind = %s (found: %s)", want,
                       m->p->type->name, found[0] ? found : "none");
        }
    }
    if (rc == AS_OK && strcmp(want, "StepScaling") == 0 && sides[0] != sides[1]) {
        char cur[64];
        m->base[0] = '\0';
        const char *other = sides[0] ? "steps_in" : "steps_out";
        mf_warn(m, 1, other,
                "the file holds a scale-%s policy only: the scale-%s side keeps %s = %s (the "
                "kind's or the INI's)",
                sides[0] ? "out" : "in", sides[0] ? "in" : "out", other,
                mf_current(m, other, cur, sizeof cur));
    }
done:
    json_decref(root);
    free(text);
    m->text = NULL;
    return rc;
}

/* ------------------------------------------------------------------ */

int sim_manifest_apply(const char *key, const char *path, sim_policy_cfg *p, FILE *warn,
                       as_err *err)
{
    mf *m = calloc(1, sizeof *m); /* ~10 KB of warned-field names: not on the stack */
    if (m == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    m->path = path;
    m->p = p;
    m->warn = warn;
    m->err = err;
    const char *kind = p->type->name;
    int rc;
    if (strcmp(key, "manifest") == 0) {
        if (strcmp(kind, "hpa") != 0)
            rc = as_err_set(err, AS_EINVAL,
                            "key 'manifest': a Kubernetes HPA manifest configures kind = hpa, not "
                            "kind = %s (AWS policies use aws_policy)",
                            kind);
        else {
            hpa_spec h;
            rc = hpa_read(m, &h);
            if (rc == AS_OK)
                rc = hpa_apply(m, &h);
        }
    } else if (strcmp(key, "aws_policy") == 0) {
        if (aws_type_for_kind(kind) == NULL)
            rc = as_err_set(err, AS_EINVAL,
                            "key 'aws_policy': an AWS scaling policy configures kind = target, "
                            "step or predictive, not kind = %s",
                            kind);
        else
            rc = aws_apply(m);
    } else {
        rc = as_err_set(err, AS_EINVAL, "key '%s': not a manifest key (manifest, aws_policy)", key);
    }
    free(m);
    return rc;
}

int sim_manifest_replicas(const char *path, int *min, int *max, as_err *err)
{
    mf *m = calloc(1, sizeof *m);
    if (m == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    m->path = path;
    m->err = err;
    hpa_spec h;
    int rc = hpa_read(m, &h);
    if (rc == AS_OK) {
        *min = h.min;
        *max = h.max;
    }
    free(m);
    return rc;
}
