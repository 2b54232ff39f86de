/* sim_scenario_policy.c - [policy.NAME] sections: one run each.
 * A policy's keys are read in three stages, so that their order in the
 * file does not matter: `kind` first (it says which keys exist and gives
 * their defaults), then the real autoscaler's configuration named by
 * `manifest` or `aws_policy` (sim_manifest.c), then every other key, which
 * wins over the manifest. The keys every kind has are tables here; the
 * kind's own keys are its parameter table (as_policy_type.params). */
#include "sim_scenario_int.h"

#include "as_detect.h"
#include "as_forecast.h"
#include "as_kind.h"
#include "as_monitor.h"
#include "as_name.h"
#include "sim_manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* The keys of every kind. */
static const as_param_def policy_params[] = {
    {"interval", AS_P_DURATION, offsetof(sim_policy_cfg, interval), 1e-3, 10 * SIM_YEAR_S, NULL, 0,
     "evaluation period (default: the real system's; at least 1ms)"},
    {"tiers", AS_P_NAMES, offsetof(sim_policy_cfg, tiers), 0, 0, NULL,
     sizeof(((sim_policy_cfg *)0)->tiers),
     "tiers this policy scales, e.g. web,app (default: every autoscaled tier)"},
    {"bottleneck", AS_P_BOOL, offsetof(sim_policy_cfg, bottleneck), 0, 0, NULL, 0,
     "true: scale out only the tier whose latency is furthest over its share"},
    {"vertical", AS_P_BOOL, offsetof(sim_policy_cfg, vertical), 0, 0, NULL, 0,
     "true: also move tiers between instance types (cheapest for the capacity)"},
    {0},
};

static const as_param_def policy_monitor_params[] = {
    {"metric_scrape", AS_P_DURATION, offsetof(sim_policy_cfg, m_scrape), 1e-3, 3600, NULL, 0,
     "this policy's scrape interval (default: [monitoring])"},
    {"metric_window", AS_P_DURATION, offsetof(sim_policy_cfg, m_window), 1e-3, 86400, NULL, 0,
     "this policy's averaging window"},
    {"metric_lag", AS_P_DURATION, offsetof(sim_policy_cfg, m_lag), 0, 86400, NULL, 0,
     "this policy's reporting delay"},
    {"metric_aggregation", AS_P_ENUM, offsetof(sim_policy_cfg, m_agg), 0, 0, as_agg_names, 0,
     "this policy's window reduction"},
    {0},
};

/* Kinds that want a forecast (predictive, aws_predictive, hybrid); the names are checked
 * against the registries once every key is read (policy_check). */
static const as_param_def forecast_params[] = {
    {"forecaster", AS_P_NAME, offsetof(sim_policy_cfg, forecaster), 0, 0, NULL, SIM_NAME_LEN,
     "forecaster of a predictive kind (default auto; holt_winters, linreg, ...)"},
    {"season", AS_P_DURATION, offsetof(sim_policy_cfg, season), 0, 86400.0 * 28, NULL, 0,
     "season length the forecaster assumes (0 = none)"},
    {"coverage", AS_P_DOUBLE, offsetof(sim_policy_cfg, coverage), 0.5, 0.999, NULL, 0,
     "central coverage of the forecast interval"},
    {"detector", AS_P_NAME, offsetof(sim_policy_cfg, detector), 0, 0, NULL, SIM_NAME_LEN,
     "anomaly detector on the observed rate (zscore, mad, ewma_residual, none)"},
    {0},
};

/* Read by policy_prepare, before the tables. */
static const char *const early_keys[] = {"kind", "manifest", "aws_policy", NULL};

static const char *policy_inst(const sim_scenario *s, int i)
{
    return i < s->npolicies ? s->policies[i].name : NULL;
}

static int policy_add(sim_loader *L, const char *name, int line)
{
    sim_policy_cfg *p = &L->s->policies[L->s->npolicies];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->line = line;
    return L->s->npolicies++;
}

static void *policy_obj(sim_loader *L, const sim_entry *e)
{
    return &L->s->policies[e->inst];
}

static void *forecast_obj(sim_loader *L, const sim_entry *e)
{
    sim_policy_cfg *p = &L->s->policies[e->inst];
    return (p->type->flags & AS_KIND_NEEDS_FORECAST) ? p : NULL;
}

/* The forecast keys' defaults: the same for every kind that has them. */
static void forecast_defaults(sim_policy_cfg *p)
{
    snprintf(p->forecaster, sizeof p->forecaster, "auto");
    p->season = AS_DAY;
    p->coverage = 0.9;
    snprintf(p->detector, sizeof p->detector, "zscore");
}

/* For --help-keys: the forecast keys' defaults exist before any kind. */
static const void *forecast_help_defaults(void)
{
    static sim_policy_cfg p;
    forecast_defaults(&p);
    return &p;
}

/* kind = NAME: the kind's config with its defaults, and the defaults of
 * the keys every kind has. */
static int set_kind(sim_loader *L, const sim_entry *e, as_err *err)
{
    sim_policy_cfg *p = &L->s->policies[e->inst];
    const as_policy_type *t = as_policy_type_find(e->value);
    if (t == NULL) {
        char known[256] = "";
        for (const as_policy_type *const *k = as_policy_types(); *k; k++) {
            size_t l = strlen(known);
            snprintf(known + l, sizeof known - l, "%s%s", l ? ", " : "", (*k)->name);
        }
        return as_err_set(err, AS_EINVAL, "key 'kind': unknown policy kind '%s' (known: %s)",
                          e->value, known);
    }
    p->type = t;
    free(p->cfg);
    p->cfg = calloc(1, t->config_size ? t->config_size : 1);
    if (p->cfg == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    if (t->defaults)
        t->defaults(p->cfg);
    p->interval = t->default_interval;
    p->m_agg = -1;
    forecast_defaults(p);
    return AS_OK;
}

/* manifest = FILE (kind hpa) or aws_policy = FILE (target, step,
 * aws_predictive), relative to the scenario's folder. */
static int set_manifest(sim_loader *L, const sim_entry *e, as_err *err)
{
    sim_policy_cfg *p = &L->s->policies[e->inst];
    char full[2048];
    if (e->value[0] == '/')
        snprintf(full, sizeof full, "%s", e->value);
    else
        snprintf(full, sizeof full, "%s/%s", L->basedir, e->value);
    int rc = sim_manifest_apply(e->key, full, p, L->warn, err);
    if (rc == AS_OK && strcmp(e->key, "manifest") == 0)
        rc = sim_manifest_replicas(full, &p->min, &p->max, err);
    return rc;
}

/* The entries of policy sections with one of keys, in file order, through set(). */
static int each_key(sim_loader *L, const char *const *keys,
                    int (*set)(sim_loader *L, const sim_entry *e, as_err *err), as_err *err)
{
    for (int i = 0; i < L->n; i++) {
        const sim_entry *e = &L->e[i];
        bool match = false;
        for (const char *const *k = keys; *k; k++)
            match |= strcmp(e->key, *k) == 0;
        if (e->sec != &sim_policy_section || !match)
            continue;
        int rc = set(L, e, err);
        if (rc != AS_OK)
            return rc == AS_ENOMEM ? rc : sim_ld_where(L, e, err);
    }
    return AS_OK;
}

static int policy_prepare(sim_loader *L, as_err *err)
{
    static const char *const kind[] = {"kind", NULL};
    static const char *const files[] = {"manifest", "aws_policy", NULL};
    int rc = each_key(L, kind, set_kind, err);
    if (rc != AS_OK)
        return rc;
    for (int i = 0; i < L->s->npolicies; i++)
        if (L->s->policies[i].type == NULL)
            return as_err_set(err, AS_EINVAL, "%s:%d: [policy.%s] missing key 'kind'", L->path,
                              L->s->policies[i].line, L->s->policies[i].name);
    /* the real autoscaler's configuration, before the explicit keys */
    return each_key(L, files, set_manifest, err);
}

/* The kind's own keys, and the message for a key no table has. */
static int kind_key(sim_loader *L, const sim_entry *e, as_err *err)
{
    sim_policy_cfg *p = &L->s->policies[e->inst];
    static const as_param_def none[] = {{0}};
    int rc = as_param_set(p->type->params ? p->type->params : none, p->cfg, e->key, e->value, err);
    if (rc != AS_ENOTFOUND)
        return rc;
    char known[400] = "";
    size_t l = 0;
    for (const as_param_def *d = p->type->params; d && d->name; d++)
        l += (size_t)snprintf(known + l, l < sizeof known ? sizeof known - l : 0, "%s%s",
                              l ? ", " : "", d->name);
    bool fc = p->type->flags & AS_KIND_NEEDS_FORECAST;
    char shown[300]; /* the file's text: no raw control byte in a message */
    as_name_printable(e->key, shown, sizeof shown);
    return as_err_set(err, AS_EINVAL,
                      "unknown key '%s' for kind %s (its keys: %s; every kind: kind, interval, "
                      "tiers, bottleneck, vertical, metric_*, manifest, aws_policy%s)",
                      shown, p->type->name, known[0] ? known : "none",
                      fc ? ", forecaster, season, coverage, detector" : "");
}

/* `tiers` into the mask, now that every tier is known. */
static int resolve_tiers(sim_loader *L, int i, as_err *err)
{
    sim_policy_cfg *p = &L->s->policies[i];
    p->tiers_mask = 0;
    char buf[sizeof p->tiers];
    snprintf(buf, sizeof buf, "%s", p->tiers);
    const char *bare;
    const sim_section *tiers = sim_section_find("tier", &bare);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int ti = sim_section_inst(tiers, L->s, tok);
        if (ti < 0)
            return sim_ld_fail_at(L, &sim_policy_section, i, "tiers", err, "no [tier.%s]", tok);
        p->tiers_mask |= 1u << ti;
    }
    return AS_OK;
}

/* A static policy holds `instances` in every tier it scales; the engine
 * keeps a tier within [min, max], so a count outside that range would run
 * as min or max while the results name the count asked for. A static
 * count is a plan, not a load the tier meets: it is refused, naming both
 * values, rather than clamped. */
static int check_static(sim_loader *L, int i, as_err *err)
{
    const sim_policy_cfg *p = &L->s->policies[i];
    const as_param_def *d = as_param_find(p->type->params, "instances");
    if (strcmp(p->type->name, "static") != 0 || d == NULL || d->kind != AS_P_INT)
        return AS_OK;
    int n = *(const int *)(const void *)((const char *)p->cfg + d->offset);
    for (int t = 0; n > 0 && t < L->s->ntiers; t++) {
        const sim_tier_cfg *c = &L->s->tiers[t];
        if (!c->autoscale || (p->tiers_mask != 0 && !(p->tiers_mask >> t & 1u)))
            continue;
        if (n > c->max || n < c->min)
            return sim_ld_fail_at(L, &sim_policy_section, i, "instances", err,
                                  "%d is %s [tier.%s] %s = %d (a static count is held as "
                                  "given, never clamped: change one of them)",
                                  n, n > c->max ? "above" : "below", c->name,
                                  n > c->max ? "max" : "min", n > c->max ? c->max : c->min);
    }
    return AS_OK;
}

/* A kind's init names the key it refuses ("key 'NAME': ..."): the message
 * points at that key's line (or its --set), not at the section's. */
static int probe_failed(sim_loader *L, int i, as_err *err)
{
    const sim_policy_cfg *p = &L->s->policies[i];
    char key[SIM_KEY_LEN];
    const sim_entry *hit = NULL;
    if (err->code == AS_EINVAL && sscanf(err->msg, "key '%63[^']'", key) == 1)
        for (int k = 0; k < L->n; k++)
            if (L->e[k].sec == &sim_policy_section && L->e[k].inst == i &&
                strcmp(L->e[k].key, key) == 0)
                hit = &L->e[k]; /* the last one set wins, as it did */
    if (hit)
        return sim_ld_where(L, hit, err);
    return as_err_prefix(err, "%s:%d: [policy.%s] ", L->path, p->line, p->name);
}

static int policy_check(sim_loader *L, as_err *err)
{
    sim_scenario *s = L->s;
    for (int i = 0; i < s->npolicies; i++) {
        sim_policy_cfg *p = &s->policies[i];
        int rc = resolve_tiers(L, i, err);
        if (rc != AS_OK)
            return rc;
        if (as_forecaster_type_find(p->forecaster) == NULL)
            return sim_ld_fail_at(L, &sim_policy_section, i, "forecaster", err,
                                  "unknown kind '%s'", p->forecaster);
        if (strcmp(p->detector, "none") != 0 && as_detector_type_find(p->detector) == NULL)
            return sim_ld_fail_at(L, &sim_policy_section, i, "detector", err,
                                  "unknown kind '%s'", p->detector);
        as_policy *probe = as_policy_new(p->type, p->cfg, err);
        if (probe == NULL)
            return probe_failed(L, i, err);
        as_policy_free(probe);
        if ((rc = check_static(L, i, err)) != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* kind, manifest, aws_policy, then each kind's own keys with its
 * defaults; filter: a kind prints that kind's keys only (f NULL: count). */
static int policy_help(FILE *f, const char *filter)
{
    int n = 0;
    if (filter == NULL) {
        fprintf(f, "    %-20s one of:", "kind");
        for (const as_policy_type *const *k = as_policy_types(); *k; k++)
            fprintf(f, " %s", (*k)->name);
        char kinds[128];
        sim_manifest_kinds("manifest", kinds, sizeof kinds);
        fprintf(f, "\n    %-20s Kubernetes HPA manifest (YAML) for kind = %s; INI keys override "
                   "it\n", "manifest", kinds);
        sim_manifest_kinds("aws_policy", kinds, sizeof kinds);
        fprintf(f, "    %-20s AWS scaling policy (JSON) for kind = %s\n", "aws_policy", kinds);
        n += 3;
    }
    for (const as_policy_type *const *k = as_policy_types(); *k; k++) {
        const as_policy_type *t = *k;
        if (t->params == NULL || t->params[0].name == NULL ||
            (filter != NULL && strcmp(filter, t->name) != 0))
            continue;
        for (const as_param_def *d = t->params; d->name; d++)
            n++;
        if (f == NULL)
            continue;
        void *cfg = t->config_size ? calloc(1, t->config_size) : NULL;
        if (cfg != NULL && t->defaults)
            t->defaults(cfg);
        fprintf(f, "    kind = %s:\n", t->name);
        for (const as_param_def *d = t->params; d->name; d++)
            sim_help_key(f, 6, d, NULL, cfg);
        free(cfg);
    }
    return n;
}

const sim_section sim_policy_section = {
    .name = "policy",
    .flags = SIM_SEC_NAMED,
    .help_name = "policy.NAME",
    .plural = "policies",
    .max = SIM_MAX_POLICIES,
    .inst = policy_inst,
    .add = policy_add,
    .early = early_keys,
    .tables = {{policy_params, policy_obj, NULL},
               {policy_monitor_params, policy_obj, NULL},
               {forecast_params, forecast_obj, " (predictive, aws_predictive, hybrid)",
                forecast_help_defaults}},
    .other = kind_key,
    .prepare = policy_prepare,
    .check = policy_check,
    .help = policy_help,
};
