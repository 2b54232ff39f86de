/* sim_manifest_hpa_map.c - a HorizontalPodAutoscaler, as sim_manifest_hpa.c
 * read it, written into the keys of kind = hpa: target, tolerance, and per
 * direction the stabilization window, selectPolicy and the scaling
 * policies, which the kind holds as one Pods and one Percent policy of one
 * period (hpa_apply_dir says how a longer list is mapped). */
#include "sim_manifest_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const sel_names[] = {"max", "min", "disabled"}; /* the kind's up_/down_select */

/* Change per second one policy allows at ref replicas, to compare
 * policies of different periods. */
static double policy_rate(const sim_hpa_policy *p, int ref, bool up)
{
    double change = p->type == HPA_POL_PODS ? p->value : ref * p->value / 100.0;
    if (!up && change > ref)
        change = ref;
    return change / p->period;
}

/* What one direction's policy list becomes in the kind (see hpa_apply_dir). */
typedef struct hpa_pick {
    int best;     /* the policy that matters: its period is used */
    int pick[2];  /* per type (POL_*), the one kept; -1 = none of the type */
    int count[2]; /* policies per type */
    bool periods_differ;
    int period;
    int val[2];   /* value per type, at period */
} hpa_pick;

static void hpa_pick_policies(const sim_hpa_dir *d, int ref, bool up, hpa_pick *k)
{
    bool want_max = d->select != HPA_SEL_MIN;
    *k = (hpa_pick){.pick = {-1, -1}};
    for (int i = 0; i < d->npol; i++) {
        const sim_hpa_policy *p = &d->pol[i];
        double r = policy_rate(p, ref, up), rb = policy_rate(&d->pol[k->best], ref, up);
        if (want_max ? r > rb : r < rb)
            k->best = i;
        k->count[p->type]++;
        int *pk = &k->pick[p->type];
        if (*pk < 0) {
            *pk = i;
        } else {
            double rk = policy_rate(&d->pol[*pk], ref, up);
            if (want_max ? r > rk : r < rk)
                *pk = i;
        }
        if (p->period != d->pol[0].period)
            k->periods_differ = true;
    }
    k->period = d->pol[k->best].period;
    for (int t = 0; t < 2; t++) {
        if (k->pick[t] < 0)
            continue;
        const sim_hpa_policy *p = &d->pol[k->pick[t]];
        k->val[t] = p->value;
        if (p->period != k->period) {
            k->val[t] = (int)ceil((double)p->value * k->period / p->period);
            if (k->val[t] < 1)
                k->val[t] = 1;
        }
    }
}

static void hpa_warn_policies(mf *m, const sim_hpa_dir *d, const hpa_pick *k, int ref,
                              const char *field, const char *pfx)
{
    const char *size = d->select != HPA_SEL_MIN ? "largest" : "smallest";
    for (int t = 0; t < 2; t++)
        if (k->count[t] > 1)
            sim_mf_warn(m, d->line, field,
                        "%d %s policies; the simulated hpa keeps one per type: the one allowing "
                        "the %s change at %d replicas (line %d)",
                        k->count[t], t == HPA_POL_PODS ? "Pods" : "Percent", size, ref,
                        d->pol[k->pick[t]].line);
    if (!k->periods_differ)
        return;
    char what[200] = "";
    for (int t = 0; t < 2; t++)
        if (k->pick[t] >= 0 && d->pol[k->pick[t]].period != k->period) {
            size_t l = strlen(what);
            snprintf(what + l, sizeof what - l, "; %s %d per %ds becomes %d per %ds",
                     t == HPA_POL_PODS ? "Pods" : "Percent", d->pol[k->pick[t]].value,
                     d->pol[k->pick[t]].period, k->val[t], k->period);
        }
    sim_mf_warn(m, d->pol[k->best].line, field,
                "policies have different periodSeconds but the simulated hpa has one %s_period: "
                "using %ds, of the %s policy, which allows the %s change per second at %d "
                "replicas (selectPolicy %s)%s",
                pfx, k->period, d->pol[k->best].type == HPA_POL_PODS ? "Pods" : "Percent", size,
                ref, sim_hpa_sel_api[d->select], what);
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
static int hpa_apply_dir(mf *m, const sim_hpa_spec *h, const sim_hpa_dir *d, bool up)
{
    const char *pfx = up ? "up" : "down";
    const char *dname = up ? "scaleUp" : "scaleDown";
    char field[MF_FIELD], key[32];
    int ref = (h->min + h->max + 1) / 2;
    int rc;

    snprintf(field, sizeof field, "spec.behavior.%s.stabilizationWindowSeconds", dname);
    snprintf(key, sizeof key, "%s_stabilization", pfx);
    if ((rc = sim_mf_set(m, d->line, field, key, "%ds", d->stab_s)) != AS_OK)
        return rc;
    snprintf(field, sizeof field, "spec.behavior.%s.selectPolicy", dname);
    snprintf(key, sizeof key, "%s_select", pfx);
    if ((rc = sim_mf_set(m, d->sel_line ? d->sel_line : d->line, field, key, "%s",
                         sel_names[d->select])) != AS_OK)
        return rc;

    hpa_pick k;
    hpa_pick_policies(d, ref, up, &k);
    snprintf(field, sizeof field, "spec.behavior.%s.policies", dname);
    hpa_warn_policies(m, d, &k, ref, field, pfx);
    /* A scale-down Percent above 100 removes everything the floor allows,
     * exactly as 100 does (int(start * (1 - v/100)) <= 0 <= minReplicas). */
    if (!up && k.val[HPA_POL_PERCENT] > 100)
        k.val[HPA_POL_PERCENT] = 100;
    int line = d->line ? d->line : h->line;
    int pods = k.pick[HPA_POL_PODS], pct = k.pick[HPA_POL_PERCENT];
    snprintf(key, sizeof key, "%s_pods", pfx);
    if ((rc = sim_mf_set(m, pods >= 0 ? d->pol[pods].line : line, field, key, "%d",
                         k.val[HPA_POL_PODS])) != AS_OK)
        return rc;
    snprintf(key, sizeof key, "%s_percent", pfx);
    if ((rc = sim_mf_set(m, pct >= 0 ? d->pol[pct].line : line, field, key, "%d",
                         k.val[HPA_POL_PERCENT])) != AS_OK)
        return rc;
    snprintf(key, sizeof key, "%s_period", pfx);
    return sim_mf_set(m, d->pol[k.best].line ? d->pol[k.best].line : line, field, key, "%ds",
                      k.period);
}

int sim_mf_hpa_map(mf *m, const sim_hpa_spec *h)
{
    int rc;
    if (h->target_pct > 0 &&
        (rc = sim_mf_set(m, h->target_line ? h->target_line : h->line,
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
        sim_mf_warn(m, tl, "spec.behavior.*.tolerance",
                    "scaleUp tolerance %g%s and scaleDown tolerance %g%s differ but the "
                    "simulated hpa has one: using %g for both",
                    tu, h->up.tol_set ? "" : " (the controller's default)", td,
                    h->down.tol_set ? "" : " (the controller's default)", tu < td ? tu : td);
    if ((rc = sim_mf_set(m, tl ? tl : h->line, "tolerance", "tolerance", "%.17g",
                         tu < td ? tu : td)) != AS_OK)
        return rc;
    if ((rc = hpa_apply_dir(m, h, &h->up, true)) != AS_OK)
        return rc;
    return hpa_apply_dir(m, h, &h->down, false);
}

