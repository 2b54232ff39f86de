/* sim_sweep.c - expansion of [sweep] grids into runs: every selected
 * policy times the points of the sweep keys that vary it times the
 * repetitions. A point is the scenario loaded again with one --set per
 * swept key, so it gets every check a scenario gets. */
#include "sim_sweep.h"

#include "as_name.h"
#include "as_param.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 10000 /* values of one sweep key */

int sim_sweep_values(const char *spec, char (*out)[64], int max, as_err *err)
{
    if (strchr(spec, ':') != NULL && strchr(spec, ',') == NULL) {
        /* lo:hi:step, numbers or durations */
        char a[64], b[64], c[64];
        if (sscanf(spec, " %63[^:]:%63[^:]:%63s", a, b, c) != 3)
            return as_err_set(err, AS_EINVAL, "'%s': a range is lo:hi:step", spec), -1;
        double lo, hi, st;
        as_time tlo, thi, tst;
        int dur = 0;
        if (as_parse_double(a, &lo, NULL) || as_parse_double(b, &hi, NULL) ||
            as_parse_double(c, &st, NULL)) {
            if (as_parse_duration(a, &tlo, NULL) || as_parse_duration(b, &thi, NULL) ||
                as_parse_duration(c, &tst, NULL))
                return as_err_set(err, AS_EINVAL,
                                  "'%s': lo, hi and step must be numbers or durations", spec),
                       -1;
            dur = 1;
            lo = (double)tlo;
            hi = (double)thi;
            st = (double)tst;
        }
        if (!(st > 0) || hi < lo)
            return as_err_set(err, AS_EINVAL, "'%s': needs step > 0 and hi >= lo", spec), -1;
        double count = floor((hi - lo) / st + 1e-9) + 1;
        if (count > max)
            return as_err_set(err, AS_EINVAL, "'%s': %.0f values, more than %d", spec, count,
                              max),
                   -1;
        int n = (int)count;
        for (int i = 0; i < n; i++) {
            double v = lo + i * st;
            if (dur)
                as_duration_format((as_time)llround(v), out[i], 64);
            else
                snprintf(out[i], 64, "%.12g", v);
        }
        return n;
    }
    int n = 0;
    const char *p = spec;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len > 0 && p[len - 1] == ' ')
            len--;
        if (len == 0 || len >= 64)
            return as_err_set(err, AS_EINVAL, "'%s': empty or over-long value in the list", spec),
                   -1;
        if (n == max)
            return as_err_set(err, AS_EINVAL, "'%s': more than %d values", spec, max), -1;
        memcpy(out[n], p, len);
        out[n][len] = '\0';
        n++;
        if (e == NULL)
            break;
        p = e + 1;
    }
    if (n == 0)
        return as_err_set(err, AS_EINVAL, "empty value list"), -1;
    return n;
}

/* Does sweep key k vary policy `name`? */
static int key_applies(const char *key, const char *name)
{
    if (strncmp(key, "policy.", 7) != 0)
        return 1;
    const char *rest = key + 7, *dot = strrchr(rest, '.');
    return dot && (size_t)(dot - rest) == strlen(name) && strncmp(rest, name, strlen(name)) == 0;
}

/* A sweep key that names a manifest: its point reads another file, whose
 * warnings the base scenario's load has not given. */
static bool names_a_file(const char *key)
{
    const char *k = strrchr(key, '.');
    return k && (strcmp(k + 1, "manifest") == 0 || strcmp(k + 1, "aws_policy") == 0);
}

/* What building a plan shares between its steps. */
typedef struct planner {
    const char *path;                /* the scenario file */
    char shown[1024];                /* path as messages show it */
    const char *const *sets;
    int nsets;
    sim_scenario *base;
    char (*vals[SIM_MAX_SWEEP])[64]; /* the values of each sweep key */
    int nv[SIM_MAX_SWEEP];
    const char **ov;                 /* sets, then one override per swept key */
    char (*pov)[640];                /* the text of those overrides */
} planner;

static bool selected(const char *name, const char *const *only, int nonly)
{
    for (int i = 0; i < nonly; i++)
        if (strcmp(only[i], name) == 0)
            return true;
    return nonly == 0;
}

static int plan_values(planner *P, as_err *err)
{
    for (int k = 0; k < P->base->nsweep; k++) {
        P->vals[k] = calloc(MAX_VALUES, 64);
        if (P->vals[k] == NULL)
            return as_err_set(err, AS_ENOMEM, "out of memory");
        P->nv[k] = sim_sweep_values(P->base->sweep[k].values, P->vals[k], MAX_VALUES, err);
        if (P->nv[k] < 0)
            return as_err_prefix(err, "%s:%d: [sweep] key '%s': ", P->shown,
                                 P->base->sweep[k].line, P->base->sweep[k].key);
    }
    return AS_OK;
}

/* Runs of the plan, counted first, so a grid of millions is refused
 * before any work (a double: the product may not fit a long). */
static double plan_count(const planner *P, const char *const *only, int nonly)
{
    const sim_scenario *b = P->base;
    double total = 0;
    for (int p = 0; p < b->npolicies; p++) {
        if (!selected(b->policies[p].name, only, nonly))
            continue;
        double pts = 1;
        for (int k = 0; k < b->nsweep; k++)
            if (key_applies(b->sweep[k].key, b->policies[p].name))
                pts *= P->nv[k];
        total += pts * b->repetitions;
    }
    return total;
}

/* A point's scenario refused: the loader named the value as an override
 * ("--set KEY=VALUE: ..."), which the user never typed; name the file and
 * the line of the [sweep] key instead, as every other scenario error does. */
static void sweep_error(const planner *P, const int *keys, int nkeys, const char *params,
                        as_err *err)
{
    for (int j = 0; j < nkeys; j++) {
        char head[700];
        char pov[640];
        as_name_printable(P->pov[j], pov, sizeof pov); /* as the loader shows it */
        int hl = snprintf(head, sizeof head, "--set %s: ", pov);
        if (hl > 0 && (size_t)hl < sizeof head && strncmp(err->msg, head, (size_t)hl) == 0) {
            const struct sim_sweep_key *k = &P->base->sweep[keys[j]];
            char rest[sizeof err->msg];
            snprintf(rest, sizeof rest, "%s", err->msg + hl);
            as_err_set(err, err->code, "%s:%d: [sweep] key '%s': value '%s': %s", P->shown,
                       k->line, k->key, P->pov[j] + strlen(k->key) + 1, rest);
            return;
        }
    }
    as_err_prefix(err, "%s: [sweep] point %s: ", P->shown, params);
}

/* The scenario of point pt of policy pname over sweep keys keys[0..nkeys-1]
 * (its params text into params). */
static const sim_scenario *plan_point(planner *P, sim_plan *plan, const int *keys, int nkeys,
                                      long pt, char *params, size_t np, as_err *err)
{
    const sim_scenario *b = P->base;
    long rem = pt;
    bool files = false;
    for (int j = nkeys - 1; j >= 0; j--) {
        int k = keys[j];
        int vi = (int)(rem % P->nv[k]);
        rem /= P->nv[k];
        snprintf(P->pov[j], 640, "%s=%s", b->sweep[k].key, P->vals[k][vi]);
        P->ov[P->nsets + j] = P->pov[j];
        files |= names_a_file(b->sweep[k].key);
    }
    params[0] = '\0';
    /* full key names (policy.hpa.target): a bare "target" could be a
     * policy's or a tier's, and the columns of every output are named
     * after them */
    for (int j = 0; j < nkeys; j++) {
        size_t l = strlen(params);
        snprintf(params + l, np - l, "%s%s", l ? " " : "", P->pov[j]);
    }
    /* the points' other warnings are the base's, already given */
    sim_load_opts o = {.overrides = P->ov, .noverrides = P->nsets + nkeys,
                       .warn = files ? b->warn : NULL};
    sim_scenario *ps = sim_scenario_open(P->path, &o, err);
    if (ps == NULL) {
        sweep_error(P, keys, nkeys, params, err);
        return NULL;
    }
    plan->scen[plan->nscen++] = ps;
    return ps;
}

static void plan_runs(const planner *P, sim_plan *plan, const sim_scenario *sc, int p,
                      const char *params, long pt, bool swept)
{
    const sim_scenario *b = P->base;
    for (int r = 0; r < b->repetitions; r++) {
        sim_runspec *rs = &plan->runs[plan->n++];
        rs->sc = sc;
        rs->policy = p;
        rs->point = (int)pt;
        rs->rep = r;
        rs->seed = b->repetitions > 1 ? as_seed_derive(b->seed, 1000 + (uint64_t)r) : b->seed;
        snprintf(rs->params, sizeof rs->params, "%s", params);
        char suffix[32] = "";
        if (swept)
            snprintf(suffix, sizeof suffix, ".p%03ld", pt);
        if (b->repetitions > 1) {
            size_t l = strlen(suffix);
            snprintf(suffix + l, sizeof suffix - l, ".r%d", r);
        }
        snprintf(rs->name, sizeof rs->name, "%.*s%s", (int)(SIM_STR - 1 - strlen(suffix)),
                 b->policies[p].name, suffix);
    }
}

/* Every point (and repetition) of policy p. */
static int plan_policy(planner *P, sim_plan *plan, int p, as_err *err)
{
    const sim_scenario *b = P->base;
    int keys[SIM_MAX_SWEEP], nkeys = 0;
    for (int k = 0; k < b->nsweep; k++)
        if (key_applies(b->sweep[k].key, b->policies[p].name))
            keys[nkeys++] = k;
    long npts = 1;
    for (int j = 0; j < nkeys; j++)
        npts *= P->nv[keys[j]];
    for (long pt = 0; pt < npts; pt++) {
        const sim_scenario *sc = b;
        char params[sizeof plan->runs[0].params] = "";
        if (nkeys > 0 &&
            (sc = plan_point(P, plan, keys, nkeys, pt, params, sizeof params, err)) == NULL)
            return err ? err->code : AS_EINVAL;
        plan_runs(P, plan, sc, p, params, pt, nkeys > 0);
    }
    return AS_OK;
}

static int by_run_name(const void *a, const void *b)
{
    const sim_runspec *x = *(const sim_runspec *const *)a, *y = *(const sim_runspec *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : x < y ? -1 : x > y; /* ties in plan order, for the message */
}

/* Run names are keys of the results file: a policy named like a sweep
 * point of another ("hpa.p001"), or two long names cut to the same
 * SIM_STR - 1 characters, would collide. Sorted: n log n. */
static int plan_unique(const planner *P, const sim_plan *plan, as_err *err)
{
    const sim_runspec **by = malloc((size_t)plan->n * sizeof *by + 1);
    if (by == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    for (int i = 0; i < plan->n; i++)
        by[i] = &plan->runs[i];
    qsort(by, (size_t)plan->n, sizeof *by, by_run_name);
    int rc = AS_OK;
    for (int i = 1; i < plan->n && rc == AS_OK; i++)
        if (strcmp(by[i]->name, by[i - 1]->name) == 0)
            rc = as_err_set(err, AS_EINVAL,
                            "%s: two runs would be named '%s' (of policies %s and %s); rename "
                            "a policy",
                            P->shown, by[i]->name, P->base->policies[by[i - 1]->policy].name,
                            P->base->policies[by[i]->policy].name);
    free(by);
    return rc;
}

int sim_plan_build(const char *path, const char *const *sets, int nsets, sim_scenario *base,
                   const char *const *only, int nonly, long max_runs, sim_plan *plan,
                   as_err *err)
{
    memset(plan, 0, sizeof *plan);
    planner P = {.path = path, .sets = sets, .nsets = nsets, .base = base};
    as_name_printable(path, P.shown, sizeof P.shown);
    if (base->npolicies == 0)
        return as_err_set(err, AS_EINVAL, "%s: no [policy.NAME] section: nothing to run", P.shown);
    int rc = plan_values(&P, err);
    double total = rc == AS_OK ? plan_count(&P, only, nonly) : 0;
    if (rc == AS_OK && total > (double)max_runs)
        rc = as_err_set(err, AS_EINVAL,
                        "%s: the sweep expands to %.0f runs, more than %ld; pass --max-runs N "
                        "to allow it",
                        P.shown, total, max_runs);
    if (rc == AS_OK) {
        plan->runs = calloc((size_t)total + 1, sizeof *plan->runs);
        plan->scen = calloc((size_t)total + 1, sizeof *plan->scen);
        P.ov = calloc((size_t)nsets + SIM_MAX_SWEEP + 1, sizeof *P.ov);
        P.pov = calloc(SIM_MAX_SWEEP, sizeof *P.pov);
        if (plan->runs == NULL || plan->scen == NULL || P.ov == NULL || P.pov == NULL)
            rc = as_err_set(err, AS_ENOMEM, "out of memory");
    }
    for (int i = 0; rc == AS_OK && i < nsets; i++)
        P.ov[i] = sets[i];
    for (int p = 0; rc == AS_OK && p < base->npolicies; p++)
        if (selected(base->policies[p].name, only, nonly))
            rc = plan_policy(&P, plan, p, err);
    if (rc == AS_OK)
        rc = plan_unique(&P, plan, err);
    free(P.ov);
    free(P.pov);
    for (int k = 0; k < base->nsweep; k++)
        free(P.vals[k]);
    if (rc != AS_OK)
        sim_plan_free(plan);
    return rc;
}

void sim_plan_free(sim_plan *plan)
{
    for (int i = 0; i < plan->nscen; i++)
        sim_scenario_free(plan->scen[i]);
    free(plan->scen);
    free(plan->runs);
    memset(plan, 0, sizeof *plan);
}
