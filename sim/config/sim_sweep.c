/* sim_sweep.c - expansion of [sweep] grids into runs. */
#include "sim_sweep.h"

#include "as_param.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 10000

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

int sim_plan_build(const char *path, const char *const *sets, int nsets, sim_scenario *base,
                   const char *const *only, int nonly, long max_runs, sim_plan *plan,
                   as_err *err)
{
    memset(plan, 0, sizeof *plan);
    if (base->npolicies == 0)
        return as_err_set(err, AS_EINVAL, "%s: no [policy.NAME] section: nothing to run", path);
    int nk = base->nsweep;
    char(*vals[16])[64] = {0};
    int nv[16] = {0};
    int rc = AS_OK;
    for (int k = 0; k < nk; k++) {
        vals[k] = calloc(MAX_VALUES, 64);
        if (vals[k] == NULL) {
            rc = as_err_set(err, AS_ENOMEM, "out of memory");
            goto done;
        }
        nv[k] = sim_sweep_values(base->sweep[k].values, vals[k], MAX_VALUES, err);
        if (nv[k] < 0) {
            rc = as_err_prefix(err, "%s:%d: [sweep] key '%s': ", path, base->sweep[k].line,
                               base->sweep[k].key);
            goto done;
        }
    }
    /* count first, so a grid of millions is refused before any work */
    double total = 0;
    for (int p = 0; p < base->npolicies; p++) {
        int sel = nonly == 0;
        for (int i = 0; i < nonly; i++)
            sel |= strcmp(only[i], base->policies[p].name) == 0;
        if (!sel)
            continue;
        double pts = 1;
        for (int k = 0; k < nk; k++)
            if (key_applies(base->sweep[k].key, base->policies[p].name))
                pts *= nv[k];
        total += pts * base->repetitions;
    }
    if (total > (double)max_runs) {
        rc = as_err_set(err, AS_EINVAL,
                        "%s: the sweep expands to %.0f runs, more than %ld; pass --max-runs N "
                        "to allow it",
                        path, total, max_runs);
        goto done;
    }
    plan->runs = calloc((size_t)total + 1, sizeof *plan->runs);
    plan->scen = calloc((size_t)total + 1, sizeof *plan->scen);
    if (plan->runs == NULL || plan->scen == NULL) {
        rc = as_err_set(err, AS_ENOMEM, "out of memory");
        goto done;
    }
    const char **ov = calloc((size_t)nsets + 17, sizeof *ov);
    char(*pov)[640] = calloc(16, 640);
    if (ov == NULL || pov == NULL) {
        free(ov);
        free(pov);
        rc = as_err_set(err, AS_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < nsets; i++)
        ov[i] = sets[i];
    for (int p = 0; p < base->npolicies && rc == AS_OK; p++) {
        const char *pname = base->policies[p].name;
        int sel = nonly == 0;
        for (int i = 0; i < nonly; i++)
            sel |= strcmp(only[i], pname) == 0;
        if (!sel)
            continue;
        int keys[16], nkeys = 0;
        for (int k = 0; k < nk; k++)
            if (key_applies(base->sweep[k].key, pname))
                keys[nkeys++] = k;
        long npts = 1;
        for (int j = 0; j < nkeys; j++)
            npts *= nv[keys[j]];
        for (long pt = 0; pt < npts && rc == AS_OK; pt++) {
            const sim_scenario *sc = base;
            char params[256] = "";
            if (nkeys > 0) {
                long rem = pt;
                for (int j = nkeys - 1; j >= 0; j--) {
                    int k = keys[j];
                    int vi = (int)(rem % nv[k]);
                    rem /= nv[k];
                    snprintf(pov[j], 640, "%s=%s", base->sweep[k].key, vals[k][vi]);
                    ov[nsets + j] = pov[j];
                }
                for (int j = 0; j < nkeys; j++) {
                    size_t l = strlen(params);
                    const char *kk = strrchr(base->sweep[keys[j]].key, '.') + 1;
                    snprintf(params + l, sizeof params - l, "%s%s=%s", l ? " " : "", kk,
                             strchr(pov[j], '=') + 1);
                }
                sim_scenario *ps = sim_scenario_load(path, ov, nsets + nkeys, err);
                if (ps == NULL) {
                    rc = as_err_prefix(err, "[sweep] point %s: ", params);
                    break;
                }
                plan->scen[plan->nscen++] = ps;
                sc = ps;
            }
            for (int r = 0; r < base->repetitions; r++) {
                sim_runspec *rs = &plan->runs[plan->n++];
                rs->sc = sc;
                rs->policy = p;
                rs->point = (int)pt;
                rs->rep = r;
                rs->seed = base->repetitions > 1 ? as_seed_derive(base->seed, 1000 + (uint64_t)r)
                                                 : base->seed;
                snprintf(rs->params, sizeof rs->params, "%s", params);
                char suffix[32] = "";
                if (nkeys > 0)
                    snprintf(suffix, sizeof suffix, ".p%03ld", pt);
                if (base->repetitions > 1) {
                    size_t l = strlen(suffix);
                    snprintf(suffix + l, sizeof suffix - l, ".r%d", r);
                }
                snprintf(rs->name, sizeof rs->name, "%.*s%s",
                         (int)(SIM_STR - 1 - strlen(suffix)), pname, suffix);
            }
        }
    }
    free(ov);
    free(pov);
done:
    for (int k = 0; k < nk; k++)
        free(vals[k]);
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
