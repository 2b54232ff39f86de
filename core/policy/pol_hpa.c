/* pol_hpa.c - the `hpa` policy: the Kubernetes Horizontal Pod Autoscaler,
 * as the controller in kubernetes/kubernetes pkg/controller/podautoscaler
 * computes it (the arithmetic is core/as_hpa.h; this file maps a tier onto
 * pods and metrics and keeps one HPA's history).
 *
 * One evaluation is one reconcile (every 15 s by default, the sync period):
 *  1. the first one records the current count as a recommendation, which
 *     holds a scale-down for the first stabilization window
 *     (recordInitialRecommendation);
 *  2. current outside [min, max]: go to the bound, no metric read;
 *  3. one proposal per metric (`metrics`, or CPU utilisation at `target`);
 *     the largest wins; a metric without a value takes no part, and if any
 *     metric lacks one the HPA does not scale down (computeReplicasForMetrics);
 *  4. without `behavior`: the largest recommendation of the downscale
 *     window, then at most max(2 x current, 4) (the legacy path); with it:
 *     stabilization windows, then every scaling policy over its own period
 *     from the scale events of this HPA (convertDesiredReplicasWithBehaviorRate).
 *
 * The tier as pods: a ready instance is a Running, Ready pod that started
 * when it was requested and became Ready when it became ready; a booting
 * one is a Pending pod (no container runs, no metric: unready). A pod has a
 * CPU metric once a sample taken after it became ready is visible (the
 * readiness rules then decide whether it counts), any other metric once a
 * whole window of samples after it became ready is (before that the tier's
 * average over the window is not what the new pod reports: a rate over
 * [1m] of its own counter has no value yet either); else it is missing.
 * Every pod with a metric carries the tier's average. CPU usage is the
 * busy fraction times the pod's CPU limit (`cpu_limit` cores), so the
 * utilisation of the request (`cpu_request`) exceeds 100 % when the limit
 * is above the request, as GetResourceUtilizationRatio reports it.
 *
 * Keys (defaults = Kubernetes defaults):
 *   metrics = auto            SOURCE:SIGNAL:TYPE:VALUE, ... (below); auto:
 *                             resource:cpu:utilization at `target`
 *   target = 0.8              CPU averageUtilization 80 % (DefaultCPUUtilization)
 *   tolerance = 0.1           --horizontal-pod-autoscaler-tolerance
 *   down_stabilization = 300s --horizontal-pod-autoscaler-downscale-stabilization,
 *                             or behavior.scaleDown.stabilizationWindowSeconds
 *   cpu_initialization_period = 300s, initial_readiness_delay = 30s (flags)
 *   cpu_request = 1, cpu_limit = 1 (cores), memory_request = 0 (MB; needed
 *                             for a memory Utilization metric)
 *   behavior = false          spec.behavior present; only then are these read:
 *   up_stabilization = 0s     behavior.scaleUp.stabilizationWindowSeconds
 *   up_policies = pods:4:15s, percent:100:15s    TYPE:VALUE:PERIOD, ...
 *   up_select = max, down_select = max           selectPolicy max|min|disabled
 *   down_policies = percent:100:15s
 *   up_tolerance, down_tolerance = -1            behavior tolerance (-1: the flag)
 * Setting a behavior key while behavior = false is an error: Kubernetes
 * reads spec.behavior only when it is there.
 *
 * Metrics (SOURCE:SIGNAL:TYPE:VALUE), VALUE in the signal's unit:
 *   resource:cpu:utilization:80    percent of cpu_request
 *   resource:cpu:averagevalue:0.5  cores per pod (500m)
 *   resource:memory:utilization:70 percent of memory_request
 *   resource:memory:averagevalue:512  MB per pod
 *   pods:rps:averagevalue:50       requests/s per pod (also queue, inflight per pod)
 *   object:rps:value:1000          the tier's requests/s (an Ingress's rate)
 *   object:queue:averagevalue:10   the tier's queue per pod
 *   external:queue:value:100       (External: the same signals, a queue's length)
 *
 * Memory: the history lives in arrays sized at init for one evaluation
 * per second over the longest window or period (3600 s at most, as the API
 * bounds them); decide() never allocates. */
#include "as_hpa.h"
#include "as_name.h"
#include "as_policy.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METRICS_TEXT 512
#define RULES_TEXT 256
#define MAX_METRICS 8

static const char *const select_names[] = {"max", "min", "disabled", NULL};
static const char *const src_names[] = {"resource", "pods", "object", "external", NULL};
static const char *const sig_names[] = {"cpu", "memory", "rps", "queue", "inflight", NULL};
static const char *const tgt_names[] = {"utilization", "averagevalue", "value", NULL};
enum { SRC_RESOURCE, SRC_PODS, SRC_OBJECT, SRC_EXTERNAL };
enum { SIG_CPU, SIG_MEMORY, SIG_RPS, SIG_QUEUE, SIG_INFLIGHT };
enum { TGT_UTIL, TGT_AVG, TGT_VALUE };

#define UP_DEFAULT "pods:4:15s, percent:100:15s"
#define DOWN_DEFAULT "percent:100:15s"

typedef struct {
    char metrics[METRICS_TEXT];
    double target;
    double tolerance;
    as_time down_stabilization;
    as_time cpu_init, readiness_delay;
    double cpu_request, cpu_limit, memory_request;
    bool behavior;
    as_time up_stabilization;
    char up_policies[RULES_TEXT], down_policies[RULES_TEXT];
    int up_select, down_select;
    double up_tolerance, down_tolerance;
} hpa_cfg;

static const as_param_def params[] = {
    {"metrics", AS_P_STRING, offsetof(hpa_cfg, metrics), 0, 0, NULL, METRICS_TEXT,
     "SOURCE:SIGNAL:TYPE:VALUE, ... (pods:rps:averagevalue:50); auto: cpu at `target`"},
    {"target", AS_P_DOUBLE, offsetof(hpa_cfg, target), 0.01, 100.0, NULL, 0,
     "CPU utilisation of the request when metrics = auto (0.8 or 80%)"},
    {"tolerance", AS_P_DOUBLE, offsetof(hpa_cfg, tolerance), 0.0, 1.0, NULL, 0,
     "no change while 1 - tolerance <= usage/target <= 1 + tolerance (controller flag)"},
    {"down_stabilization", AS_P_DURATION, offsetof(hpa_cfg, down_stabilization), 0, 3600, NULL,
     0, "downscale stabilization window (the flag; with behavior, scaleDown's window)"},
    {"cpu_initialization_period", AS_P_DURATION, offsetof(hpa_cfg, cpu_init), 0, 86400, NULL, 0,
     "new pods whose CPU sample predates one window of readiness are left out"},
    {"initial_readiness_delay", AS_P_DURATION, offsetof(hpa_cfg, readiness_delay), 0, 86400,
     NULL, 0, "a pod unready this soon after start was never ready"},
    {"cpu_request", AS_P_DOUBLE, offsetof(hpa_cfg, cpu_request), 0.001, 1e6, NULL, 0,
     "CPU request of a pod, cores"},
    {"cpu_limit", AS_P_DOUBLE, offsetof(hpa_cfg, cpu_limit), 0.001, 1e6, NULL, 0,
     "CPU a pod uses when all its servers are busy (its limit), cores"},
    {"memory_request", AS_P_DOUBLE, offsetof(hpa_cfg, memory_request), 0.0, 1e9, NULL, 0,
     "memory request of a pod, MB (for memory utilization metrics)"},
    {"behavior", AS_P_BOOL, offsetof(hpa_cfg, behavior), 0, 0, NULL, 0,
     "spec.behavior present (false: the legacy path, scale-up at most max(2 x current, 4))"},
    {"up_stabilization", AS_P_DURATION, offsetof(hpa_cfg, up_stabilization), 0, 3600, NULL, 0,
     "behavior.scaleUp.stabilizationWindowSeconds"},
    {"up_policies", AS_P_STRING, offsetof(hpa_cfg, up_policies), 0, 0, NULL, RULES_TEXT,
     "behavior.scaleUp.policies: pods|percent:VALUE:PERIOD, ..."},
    {"up_select", AS_P_ENUM, offsetof(hpa_cfg, up_select), 0, 0, select_names, 0,
     "behavior.scaleUp.selectPolicy: max, min, disabled"},
    {"up_tolerance", AS_P_DOUBLE, offsetof(hpa_cfg, up_tolerance), -1.0, 100.0, NULL, 0,
     "behavior.scaleUp.tolerance (-1: the controller's tolerance)"},
    {"down_policies", AS_P_STRING, offsetof(hpa_cfg, down_policies), 0, 0, NULL, RULES_TEXT,
     "behavior.scaleDown.policies: pods|percent:VALUE:PERIOD, ..."},
    {"down_select", AS_P_ENUM, offsetof(hpa_cfg, down_select), 0, 0, select_names, 0,
     "behavior.scaleDown.selectPolicy: max, min, disabled"},
    {"down_tolerance", AS_P_DOUBLE, offsetof(hpa_cfg, down_tolerance), -1.0, 1.0, NULL, 0,
     "behavior.scaleDown.tolerance (-1: the controller's tolerance)"},
    {0},
};

static void defaults(void *cfg)
{
    hpa_cfg *c = cfg;
    memset(c, 0, sizeof *c);
    snprintf(c->metrics, sizeof c->metrics, "auto");
    c->target = 0.8;
    c->tolerance = 0.1;
    c->down_stabilization = 300 * AS_SEC;
    c->cpu_init = 300 * AS_SEC;
    c->readiness_delay = 30 * AS_SEC;
    c->cpu_request = 1.0;
    c->cpu_limit = 1.0;
    c->behavior = false;
    c->up_stabilization = 0;
    snprintf(c->up_policies, sizeof c->up_policies, "%s", UP_DEFAULT);
    snprintf(c->down_policies, sizeof c->down_policies, "%s", DOWN_DEFAULT);
    c->up_select = c->down_select = AS_HPA_SELECT_MAX;
    c->up_tolerance = c->down_tolerance = -1.0;
}

typedef struct {
    int src, sig, tgt;
    int64_t target; /* percent (utilization) or milli-units */
} hpa_metric;

typedef struct {
    hpa_cfg cfg;
    hpa_metric m[MAX_METRICS];
    int nm;
    as_hpa_spec spec; /* min, max set at each evaluation */
    as_hpa_tol tol;
    as_hpa_hist hist;
    void *mem; /* one block behind the history arrays */
} hpa_state;

/* ---- configuration ---- */

static int find_name(const char *const *names, const char *s, size_t n)
{
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == n && strncmp(names[i], s, n) == 0)
            return i;
    return -1;
}

/* The next comma-separated item of *p, trimmed, into buf. */
static bool next_item(const char **p, char *buf, size_t n)
{
    while (**p == ' ' || **p == '\t' || **p == ',')
        (*p)++;
    if (**p == '\0')
        return false;
    size_t len = strcspn(*p, ",");
    size_t k = len;
    while (k > 0 && ((*p)[k - 1] == ' ' || (*p)[k - 1] == '\t'))
        k--;
    snprintf(buf, n, "%.*s", (int)(k < n ? k : n - 1), *p);
    *p += len;
    return true;
}

/* AS_OK, or AS_EINVAL naming key when the comma-separated list text has
 * an empty item ("pods:4:15s," ",a" "a,,b"): next_item skips commas, so a
 * stray one would otherwise pass as a list of fewer items. A blank text
 * is no list (the callers say what that means). */
static int check_items(const char *key, const char *t, as_err *err)
{
    const char *all = t;
    if (t[strspn(t, " \t")] == '\0')
        return AS_OK;
    for (;;) {
        t += strspn(t, " \t");
        if (*t == ',' || *t == '\0') {
            char shown[160];
            as_name_printable(all, shown, sizeof shown);
            return as_err_set(err, AS_EINVAL,
                              "key '%s': '%s' has an empty item (a comma with nothing before "
                              "or after it)",
                              key, shown);
        }
        t += strcspn(t, ",");
        if (*t == '\0')
            return AS_OK;
        t++;
    }
}

/* A metric value: "80", "80%" (utilization), "0.5" or "500m". */
static int metric_value(const char *v, bool util, int64_t *out)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || !isfinite(x) || x <= 0)
        return -1;
    if (util) {
        if (*end == '%')
            end++;
        if (*end != '\0' || x != floor(x) || x > 1e6)
            return -1;
        *out = (int64_t)x;
        return 0;
    }
    if (*end == 'm') { /* a Quantity in milli-units */
        end++;
        x /= 1000.0;
    }
    if (*end != '\0' || x > 1e12)
        return -1;
    *out = llround(x * 1000.0);
    return *out > 0 ? 0 : -1;
}

/* One SOURCE:SIGNAL:TYPE:VALUE item. */
static int parse_metric(const char *item, hpa_metric *m, as_err *err)
{
    const char *f[4];
    size_t len[4];
    const char *p = item;
    for (int i = 0; i < 4; i++) {
        f[i] = p;
        len[i] = i < 3 ? strcspn(p, ":") : strlen(p);
        if (i < 3 && p[len[i]] != ':')
            return as_err_set(err, AS_EINVAL,
                              "key 'metrics': '%s' is not SOURCE:SIGNAL:TYPE:VALUE", item);
        p += len[i] + 1;
    }
    m->src = find_name(src_names, f[0], len[0]);
    m->sig = find_name(sig_names, f[1], len[1]);
    m->tgt = find_name(tgt_names, f[2], len[2]);
    if (m->src < 0 || m->sig < 0 || m->tgt < 0)
        return as_err_set(err, AS_EINVAL,
                          "key 'metrics': '%s': source is resource|pods|object|external, signal "
                          "cpu|memory|rps|queue|inflight, type utilization|averagevalue|value",
                          item);
    bool resource = m->src == SRC_RESOURCE, res_sig = m->sig <= SIG_MEMORY;
    if (resource != res_sig || (resource && m->tgt == TGT_VALUE) ||
        (!resource && m->tgt == TGT_UTIL) || (m->src == SRC_PODS && m->tgt != TGT_AVG))
        return as_err_set(err, AS_EINVAL,
                          "key 'metrics': '%s': resource metrics are cpu or memory with "
                          "utilization or averagevalue; pods metrics take averagevalue; object "
                          "and external metrics value or averagevalue",
                          item);
    if (metric_value(f[3], m->tgt == TGT_UTIL, &m->target) != 0)
        return as_err_set(err, AS_EINVAL, "key 'metrics': '%s': '%s' is not a positive %s", item,
                          f[3], m->tgt == TGT_UTIL ? "whole percent" : "number");
    return AS_OK;
}

static int parse_metrics(hpa_state *s, as_err *err)
{
    const hpa_cfg *c = &s->cfg;
    if (strcmp(c->metrics, "auto") == 0) {
        long pct = lround(c->target * 100.0);
        if (pct < 1)
            return as_err_set(err, AS_EINVAL, "key 'target': %g is below 1%%", c->target);
        s->m[0] = (hpa_metric){SRC_RESOURCE, SIG_CPU, TGT_UTIL, pct};
        s->nm = 1;
        return AS_OK;
    }
    if (c->target != 0.8)
        return as_err_set(err, AS_EINVAL,
                          "key 'target': not read when metrics is set (write the CPU target "
                          "into metrics, e.g. resource:cpu:utilization:%.0f)",
                          c->target * 100.0);
    char item[128];
    const char *p = c->metrics;
    if (check_items("metrics", p, err) != AS_OK)
        return AS_EINVAL;
    while (next_item(&p, item, sizeof item)) {
        if (s->nm == MAX_METRICS)
            return as_err_set(err, AS_EINVAL, "key 'metrics': more than %d metrics", MAX_METRICS);
        int rc = parse_metric(item, &s->m[s->nm], err);
        if (rc != AS_OK)
            return rc;
        if (s->m[s->nm].sig == SIG_MEMORY && s->m[s->nm].tgt == TGT_UTIL &&
            c->memory_request <= 0)
            return as_err_set(err, AS_EINVAL,
                              "key 'memory_request': a memory utilization metric needs the pods' "
                              "memory request (MB)");
        s->nm++;
    }
    return AS_OK;
}

/* "pods:4:15s, percent:100:15s" into r->pol. */
static int parse_rules(const char *key, const char *text, as_hpa_rules *r, as_err *err)
{
    char item[64];
    const char *p = text;
    if (check_items(key, text, err) != AS_OK)
        return AS_EINVAL;
    while (next_item(&p, item, sizeof item)) {
        char type[16], period[32];
        long value;
        char tail;
        if (r->npol == AS_HPA_MAX_POLICIES)
            return as_err_set(err, AS_EINVAL, "key '%s': more than %d policies", key,
                              AS_HPA_MAX_POLICIES);
        as_hpa_policy *pol = &r->pol[r->npol];
        as_time per = 0;
        as_err e2 = {0};
        if (sscanf(item, "%15[a-z]:%ld:%31[0-9a-z.]%c", type, &value, period, &tail) != 3 ||
            (strcmp(type, "pods") != 0 && strcmp(type, "percent") != 0) || value < 1 ||
            value > 1000000 || as_parse_duration(period, &per, &e2) != AS_OK || per % AS_SEC ||
            per < AS_SEC || per > 1800 * AS_SEC)
            return as_err_set(err, AS_EINVAL,
                              "key '%s': '%s' is not pods|percent:VALUE:PERIOD (VALUE >= 1, "
                              "PERIOD whole seconds in [1s, 1800s])",
                              key, item);
        pol->type = strcmp(type, "pods") == 0 ? AS_HPA_POLICY_PODS : AS_HPA_POLICY_PERCENT;
        pol->value = (int)value;
        pol->period_s = (int)(per / AS_SEC);
        r->npol++;
    }
    if (r->npol == 0) /* validation.go: "must specify at least one Policy" */
        return as_err_set(err, AS_EINVAL, "key '%s': no policy", key);
    return AS_OK;
}

/* Without behavior, a behavior key may not be set (as_hpa.h: the legacy
 * path reads none of them). */
static int check_legacy(const hpa_cfg *c, as_err *err)
{
    const char *key = NULL;
    if (c->up_stabilization != 0)
        key = "up_stabilization";
    else if (strcmp(c->up_policies, UP_DEFAULT) != 0)
        key = "up_policies";
    else if (strcmp(c->down_policies, DOWN_DEFAULT) != 0)
        key = "down_policies";
    else if (c->up_select != AS_HPA_SELECT_MAX)
        key = "up_select";
    else if (c->down_select != AS_HPA_SELECT_MAX)
        key = "down_select";
    else if (c->up_tolerance >= 0)
        key = "up_tolerance";
    else if (c->down_tolerance >= 0)
        key = "down_tolerance";
    if (key == NULL)
        return AS_OK;
    return as_err_set(err, AS_EINVAL,
                      "key '%s' is a behavior field: set behavior = true (without spec.behavior "
                      "Kubernetes takes the legacy path and reads none of it)",
                      key);
}

static int setup_spec(hpa_state *s, as_err *err)
{
    const hpa_cfg *c = &s->cfg;
    as_hpa_spec *sp = &s->spec;
    sp->behavior = c->behavior;
    sp->down_flag = c->down_stabilization;
    sp->up_factor = 2.0;  /* scaleUpLimitFactor */
    sp->up_minimum = 4.0; /* scaleUpLimitMinimum */
    as_hpa_rules_unset(&sp->up);
    as_hpa_rules_unset(&sp->down);
    s->tol = (as_hpa_tol){c->tolerance, c->tolerance};
    if (!c->behavior)
        return check_legacy(c, err);
    sp->up.window_s = (int)(c->up_stabilization / AS_SEC);
    sp->down.window_s = (int)(c->down_stabilization / AS_SEC);
    sp->up.select = c->up_select;
    sp->down.select = c->down_select;
    int rc = parse_rules("up_policies", c->up_policies, &sp->up, err);
    if (rc == AS_OK)
        rc = parse_rules("down_policies", c->down_policies, &sp->down, err);
    if (c->up_tolerance >= 0)
        s->tol.up = c->up_tolerance;
    if (c->down_tolerance >= 0)
        s->tol.down = c->down_tolerance;
    return rc;
}

/* Also after a failed init (the wrapper calls it then): mem may be NULL. */
static void fini(void *state)
{
    hpa_state *s = state;
    free(s->mem);
}

/* The history's memory depends on the windows and periods: one block,
 * taken here. */
static int init(void *state, const void *cfg, as_err *err)
{
    hpa_state *s = state;
    s->cfg = *(const hpa_cfg *)cfg;
    int rc = parse_metrics(s, err);
    if (rc == AS_OK)
        rc = setup_spec(s, err);
    if (rc != AS_OK)
        return rc;
    /* one evaluation per second over the longest window or period */
    const hpa_cfg *c = &s->cfg;
    as_time win = c->up_stabilization > c->down_stabilization ? c->up_stabilization
                                                              : c->down_stabilization;
    as_hpa_hist *h = &s->hist;
    h->cap_rec = (int)(win / AS_SEC) + 2;
    h->cap_up = as_hpa_longest_period(&s->spec.up) + 2;
    h->cap_down = as_hpa_longest_period(&s->spec.down) + 2;
    size_t bytes = sizeof(as_hpa_rec) * (size_t)h->cap_rec +
                   sizeof(as_hpa_event) * (size_t)(h->cap_up + h->cap_down);
    s->mem = malloc(bytes);
    if (s->mem == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    h->rec = s->mem;
    h->up = (as_hpa_event *)(h->rec + h->cap_rec);
    h->down = h->up + h->cap_up;
    return AS_OK;
}

/* ---- one evaluation ---- */

/* The tier's pods summed by group (as_hpa.h), each ready pod with a
 * sample carrying `value` (milli-units), every pod requesting `request`. */
static void tier_pods(const hpa_state *s, const as_observation *obs, bool cpu, int64_t value,
                      int64_t request, as_hpa_pods *out)
{
    memset(out, 0, sizeof *out);
    as_hpa_pod p = {.phase = AS_HPA_PENDING, .has_request = true, .request = request};
    for (int i = 0; i < obs->booting; i++)
        as_hpa_pods_add(out, &p, AS_HPA_UNREADY);
    p = (as_hpa_pod){.phase = AS_HPA_RUNNING,
                     .ready = AS_HPA_COND_TRUE,
                     .has_start = true,
                     .value = value,
                     .metric_time = obs->metric_time,
                     .metric_window = obs->metric_window,
                     .has_request = true,
                     .request = request};
    if (obs->pods == NULL) { /* no per-instance detail: long ready, measured */
        p.start = p.transition = obs->now - 365 * AS_DAY;
        p.has_metric = true;
        for (int i = 0; i < obs->ready; i++)
            as_hpa_pods_add(out, &p, AS_HPA_READY);
        return;
    }
    for (int i = 0; i < obs->npods; i++) {
        p.start = obs->pods[i].start;
        p.transition = obs->pods[i].ready;
        as_time covered = obs->pods[i].ready + (cpu ? 0 : obs->metric_window);
        p.has_metric = obs->metric_time >= 0 && covered <= obs->metric_time;
        as_hpa_pods_add(out, &p,
                        as_hpa_group_pod(&p, cpu, obs->now, s->cfg.cpu_init,
                                         s->cfg.readiness_delay));
    }
}

/* The signal of a metric: per pod for resource and pods metrics, the
 * tier's total for object and external ones (NAN: missing). */
static double signal_of(const hpa_state *s, const hpa_metric *m, const as_observation *obs)
{
    double ready = obs->ready > 0 ? obs->ready : NAN;
    bool per_pod = m->src == SRC_RESOURCE || m->src == SRC_PODS;
    switch (m->sig) {
    case SIG_CPU: /* cores: the busy fraction at the pod's limit */
        return obs->utilization * s->cfg.cpu_limit;
    case SIG_MEMORY:
        return obs->signal[AS_SIG_MEMORY];
    case SIG_RPS:
        return per_pod ? obs->signal[AS_SIG_RPS_POD] : obs->rate;
    case SIG_QUEUE:
        return per_pod ? obs->signal[AS_SIG_QUEUE] / ready : obs->signal[AS_SIG_QUEUE];
    default:
        return per_pod ? obs->signal[AS_SIG_INFLIGHT] / ready : obs->signal[AS_SIG_INFLIGHT];
    }
}

/* What signal_of reads for the configured metrics beyond utilization (the
 * driver monitors only these: a view of each of the four signals, every
 * 15 s on every tier, was 4 % of a week of week3tier.ini, which reads CPU
 * only; the rate and latency views 2.5 %). */
static unsigned signals(const void *state)
{
    const hpa_state *s = state;
    static const int sig_of[] = {[SIG_CPU] = -1,
                                 [SIG_MEMORY] = AS_SIG_MEMORY,
                                 [SIG_RPS] = AS_SIG_RPS_POD,
                                 [SIG_QUEUE] = AS_SIG_QUEUE,
                                 [SIG_INFLIGHT] = AS_SIG_INFLIGHT};
    unsigned mask = 0;
    for (int i = 0; i < s->nm; i++) {
        const hpa_metric *m = &s->m[i];
        bool per_pod = m->src == SRC_RESOURCE || m->src == SRC_PODS;
        int k = sig_of[m->sig];
        if (m->sig == SIG_RPS && !per_pod) /* a tier's rate */
            mask |= AS_OBS_RATE;
        else if (k >= 0)
            mask |= 1u << k;
    }
    return mask;
}

/* computeReplicasForMetric; *ratio gets the usage ratio it acted on. */
static int proposal(const hpa_state *s, const hpa_metric *m, const as_observation *obs,
                    double *ratio)
{
    double v = signal_of(s, m, obs);
    *ratio = NAN;
    if (!isfinite(v) || v < 0)
        return AS_HPA_INVALID; /* the metrics API returned nothing */
    /* in milli-units rounded up, as Quantity.MilliValue() gives it (less
     * 1e-6 so that 0.6 x 1000 = 600.0000000000001 stays 600) */
    int64_t milli = (int64_t)ceil(v * 1000.0 - 1e-6);
    int cur = obs->current;
    if (m->src == SRC_OBJECT || m->src == SRC_EXTERNAL) {
        *ratio = m->tgt == TGT_VALUE ? (double)milli / (double)m->target
                                     : (double)milli / ((double)m->target * cur);
        if (m->tgt == TGT_VALUE)
            return as_hpa_value_replicas(cur, cur, obs->ready, milli, m->target, s->tol);
        return as_hpa_average_replicas(cur, milli, m->target, s->tol, NULL);
    }
    bool cpu = m->sig == SIG_CPU;
    double req = cpu ? s->cfg.cpu_request : s->cfg.memory_request;
    as_hpa_pods pods;
    tier_pods(s, obs, cpu, milli, llround(req * 1000.0), &pods);
    if (m->tgt == TGT_UTIL) {
        int util = 0;
        int n = as_hpa_resource_replicas(cur, (int)m->target, &pods, s->tol, &util);
        *ratio = (double)util / (double)m->target;
        return n;
    }
    int64_t usage = 0;
    int n = as_hpa_plain_replicas(cur, m->target, &pods, s->tol, &usage);
    *ratio = (double)usage / (double)m->target;
    return n;
}

/* The decision's reason from where the reconcile stopped. */
static as_reason reason_of(const hpa_state *s, const as_hpa_outcome *o, int cur, double ratio)
{
    switch (o->step) {
    case AS_HPA_STEP_ABOVE_MAX:
        return AS_R_AT_MAX;
    case AS_HPA_STEP_BELOW_MIN:
        return AS_R_AT_MIN;
    case AS_HPA_STEP_INVALID:
    case AS_HPA_STEP_DISABLED:
        return AS_R_MISSING_METRIC;
    }
    if (o->desired != o->stabilized) {
        if (o->cond == AS_HPA_UP_LIMIT || o->cond == AS_HPA_DOWN_LIMIT)
            return AS_R_RATE_LIMITED;
        return o->cond == AS_HPA_TOO_MANY ? AS_R_AT_MAX : AS_R_AT_MIN;
    }
    if (o->stabilized != o->proposal)
        return AS_R_STABILIZED;
    if (o->desired != cur)
        return o->desired > cur ? AS_R_SCALE_OUT : AS_R_SCALE_IN;
    return as_hpa_within(s->tol, ratio) ? AS_R_TOLERANCE : AS_R_NONE;
}

static void decide(void *state, const as_observation *obs, const as_forecast_view *fc,
                   as_decision *out)
{
    (void)fc;
    hpa_state *s = state;
    int prop[MAX_METRICS], best = -1;
    double ratio[MAX_METRICS];
    for (int i = 0; i < s->nm; i++) {
        prop[i] = proposal(s, &s->m[i], obs, &ratio[i]);
        if (prop[i] != AS_HPA_INVALID && (best < 0 || prop[i] > prop[best]))
            best = i;
    }
    s->spec.min = obs->min;
    s->spec.max = obs->max;
    as_hpa_outcome o;
    as_hpa_reconcile(&s->hist, &s->spec, obs->now, obs->current, prop, s->nm, &o);
    out->raw = o.proposal == AS_HPA_INVALID ? obs->current : o.proposal;
    out->desired = o.desired;
    out->reason = reason_of(s, &o, obs->current, best >= 0 ? ratio[best] : NAN);
}

const as_policy_type as_pol_hpa = {
    .version = 2,
    .name = "hpa",
    .flags = AS_KIND_CONF_K8S_HPA,
    .state_size = sizeof(hpa_state),
    .config_size = sizeof(hpa_cfg),
    .params = params,
    .defaults = defaults,
    .fini = fini,
    .default_interval = 15 * AS_SEC, /* --horizontal-pod-autoscaler-sync-period */
    .init = init,
    .decide = decide,
    .signals = signals,
};
