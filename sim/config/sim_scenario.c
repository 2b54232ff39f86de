/* sim_scenario.c - INI scenario loading with inih.
 * The file is read into memory (its text goes into the results file), parsed
 * by inih through a reader that counts lines, and every (section, key, value,
 * line) is collected first; --set overrides replace or add entries; then the
 * entries are applied section by section through typed parameter tables, so
 * a policy's `kind` may come after its other keys and every message can name
 * the line. */
#include "sim_scenario.h"

#include "as_detect.h"
#include "as_forecast.h"
#include "as_monitor.h"
#include "as_param.h"
#include "sim_manifest.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct entry {
    char section[64];
    char key[64];
    char *value;
    int line;      /* 0 for --set */
    int set_index; /* index of the --set argument, or -1 */
} entry;

typedef struct loader {
    const char *path;
    const char *text; /* reader position */
    int line;         /* line number of the last line handed to inih */
    int long_line;    /* first line longer than inih accepts, 0 = none */
    entry *e;
    int n, cap;
    int oom;
    char basedir[1024]; /* folder of the scenario, for relative paths */
} loader;

/* ---- tables of the fixed sections ---- */

static const char *const model_names[] = {"analytic", "des", NULL};
static const char *const dist_names[] = {"exponential", "deterministic", "uniform", "normal",
                                         "lognormal", NULL};
static const char *const scalein_names[] = {"newest", "oldest", NULL};
static const char *const noise_type_names[] = {"multiplicative", "additive", NULL};

#define YEAR_S (86400.0 * 366)

static const as_param_def scenario_params[] = {
    {"name", AS_P_STRING, offsetof(sim_scenario, name), 0, 0, NULL, 64,
     "short name; the results file is results/NAME.h5"},
    {"description", AS_P_STRING, offsetof(sim_scenario, description), 0, 0, NULL, 256,
     "one line shown in reports"},
    {"duration", AS_P_DURATION, offsetof(sim_scenario, duration), 1e-3, 10 * YEAR_S, NULL, 0,
     "simulated time of one run (e.g. 2d)"},
    {"tick", AS_P_DURATION, offsetof(sim_scenario, tick), 1e-3, 3600, NULL, 0,
     "step of the analytic latency model (e.g. 1s)"},
    {"record", AS_P_DURATION, offsetof(sim_scenario, record), 1e-3, 86400, NULL, 0,
     "interval of the recorded time series (e.g. 60s)"},
    {"seed", AS_P_STRING, 0, 0, 0, NULL, 0, "seed of every random stream (integer)"},
    {"model", AS_P_ENUM, offsetof(sim_scenario, model), 0, 0, model_names, 0,
     "latency model: analytic (Erlang C + fluid backlog) or des (request level)"},
    {"max_instances", AS_P_INT, offsetof(sim_scenario, max_instances), 0, 1000000, NULL, 0,
     "quota of instances over all tiers; scale-out beyond it is refused (0 = none)"},
    {"budget", AS_P_DOUBLE, offsetof(sim_scenario, budget), 0, 1e9, NULL, 0,
     "cap on the cost per hour of all tiers; scale-out beyond it is refused (0 = none)"},
    {0},
};

static const as_param_def tier_params[] = {
    {"service_time", AS_P_DURATION, offsetof(sim_tier_cfg, service_time), 1e-6, 3600, NULL, 0,
     "mean service time of one request (e.g. 100ms)"},
    {"service_dist", AS_P_ENUM, offsetof(sim_tier_cfg, service_dist), 0, 0, dist_names, 0,
     "service-time distribution"},
    {"service_cv", AS_P_DOUBLE, offsetof(sim_tier_cfg, service_cv), 0, 10, NULL, 0,
     "coefficient of variation of service times (uniform, normal, lognormal)"},
    {"concurrency", AS_P_INT, offsetof(sim_tier_cfg, concurrency), 1, 100000, NULL, 0,
     "requests one instance serves at once (servers per instance)"},
    {"min", AS_P_INT, offsetof(sim_tier_cfg, min), 0, 100000, NULL, 0, "minimum instances"},
    {"max", AS_P_INT, offsetof(sim_tier_cfg, max), 1, 100000, NULL, 0, "maximum instances"},
    {"initial", AS_P_INT, offsetof(sim_tier_cfg, initial), 0, 100000, NULL, 0,
     "instances ready at the start"},
    {"boot_time", AS_P_DURATION, offsetof(sim_tier_cfg, boot_time), 0, 86400, NULL, 0,
     "mean time from request to ready"},
    {"boot_jitter", AS_P_DURATION, offsetof(sim_tier_cfg, boot_jitter), 0, 86400, NULL, 0,
     "spread of the boot time (half-width for uniform, sd for normal/lognormal)"},
    {"boot_dist", AS_P_ENUM, offsetof(sim_tier_cfg, boot_dist), 0, 0, dist_names, 0,
     "boot-time distribution (deterministic = fixed)"},
    {"drain_time", AS_P_DURATION, offsetof(sim_tier_cfg, drain_time), 0, 86400, NULL, 0,
     "time a removed instance keeps finishing in-flight work (billed)"},
    {"price", AS_P_DOUBLE, offsetof(sim_tier_cfg, price_per_hour), 0, 1e6, NULL, 0,
     "price per instance-hour"},
    {"billing_granularity", AS_P_DURATION, offsetof(sim_tier_cfg, billing_granularity), 1e-6,
     86400, NULL, 0, "billing unit (1s, 1h)"},
    {"billing_minimum", AS_P_DURATION, offsetof(sim_tier_cfg, billing_minimum), 0, 86400, NULL,
     0, "minimum billed time per instance (e.g. 60s)"},
    {"visits", AS_P_DOUBLE, offsetof(sim_tier_cfg, visits), 0, 1000, NULL, 0,
     "visits of this tier per end-to-end request"},
    {"autoscale", AS_P_BOOL, offsetof(sim_tier_cfg, autoscale), 0, 0, NULL, 0,
     "false: the tier stays at its initial count"},
    {"scale_in", AS_P_ENUM, offsetof(sim_tier_cfg, scale_in), 0, 0, scalein_names, 0,
     "which ready instances are removed first"},
    {"queue_cap", AS_P_DOUBLE, offsetof(sim_tier_cfg, queue_cap), 0, 1e12, NULL, 0,
     "queued requests beyond which arrivals are dropped (0 = unbounded)"},
    {"memory_base", AS_P_DOUBLE, offsetof(sim_tier_cfg, memory_base), 0, 1e9, NULL, 0,
     "memory of an idle instance, MB"},
    {"memory_per_request", AS_P_DOUBLE, offsetof(sim_tier_cfg, memory_per_request), 0, 1e9,
     NULL, 0, "memory per request in flight, MB"},
    {0},
};

static const as_param_def slo_params[] = {
    {"latency", AS_P_DURATION, 0, 1e-6, 86400, NULL, 0,
     "end-to-end response-time target at the percentile"},
    {"percentile", AS_P_DOUBLE, offsetof(sim_scenario, slo_percentile), 0.5, 0.9999, NULL, 0,
     "percentile the target applies to (0.95 or 95%)"},
    {"penalty", AS_P_DOUBLE, offsetof(sim_scenario, penalty_per_hour), 0, 1e9, NULL, 0,
     "cost of one hour of SLO violation"},
    {"max_violation", AS_P_DOUBLE, offsetof(sim_scenario, max_violation), 0, 1, NULL, 0,
     "share of time in violation that still counts as meeting the SLO (1%)"},
    {0},
};

static const as_param_def monitoring_params[] = {
    {"scrape", AS_P_DURATION, offsetof(sim_scenario, scrape), 1e-3, 3600, NULL, 0,
     "metric scrape interval"},
    {"window", AS_P_DURATION, offsetof(sim_scenario, window), 1e-3, 86400, NULL, 0,
     "averaging window of what a policy sees"},
    {"lag", AS_P_DURATION, offsetof(sim_scenario, lag), 0, 86400, NULL, 0,
     "delay before a sample is visible"},
    {"noise", AS_P_DOUBLE, offsetof(sim_scenario, noise), 0, 1e6, NULL, 0,
     "Gaussian noise on each sample: sd relative (0.05 = 5%) or absolute"},
    {"noise_type", AS_P_ENUM, offsetof(sim_scenario, noise_type), 0, 0, noise_type_names, 0,
     "multiplicative: x (1 + noise N(0,1)); additive: x + noise N(0,1)"},
    {"aggregation", AS_P_ENUM, offsetof(sim_scenario, aggregation), 0, 0, as_agg_names, 0,
     "reduction of the window: mean, max, min, last, percentile (rate is used for counters)"},
    {"percentile", AS_P_DOUBLE, offsetof(sim_scenario, agg_percentile), 0, 1, NULL, 0,
     "percentile for aggregation = percentile"},
    {0},
};

static const as_param_def faults_params[] = {
    {"crash_rate", AS_P_DOUBLE, offsetof(sim_scenario, crash_rate), 0, 1e6, NULL, 0,
     "instance crashes per ready instance-hour"},
    {"boot_failure", AS_P_DOUBLE, offsetof(sim_scenario, boot_failure), 0, 1, NULL, 0,
     "probability that a boot fails (billed, never ready)"},
    {"boot_outlier", AS_P_DOUBLE, offsetof(sim_scenario, boot_outlier), 0, 1, NULL, 0,
     "probability that a boot takes boot_outlier_factor times longer"},
    {"boot_outlier_factor", AS_P_DOUBLE, offsetof(sim_scenario, boot_outlier_factor), 1, 1000,
     NULL, 0, "how much longer an outlier boot takes (default 5)"},
    {"metric_delay", AS_P_DURATION, offsetof(sim_scenario, metric_delay), 0, 86400, NULL, 0,
     "extra reporting delay of every metric"},
    {"metric_outage", AS_P_STRING, 0, 0, 0, NULL, 0,
     "START, LENGTH: the monitor sees nothing in this window (repeatable)"},
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

static const as_param_def forecast_params[] = {
    {"forecaster", AS_P_STRING, offsetof(sim_policy_cfg, forecaster), 0, 0, NULL, SIM_NAME_LEN,
     "forecaster kind of a predictive policy (holt_winters, linreg, ...)"},
    {"season", AS_P_DURATION, offsetof(sim_policy_cfg, season), 0, 86400.0 * 28, NULL, 0,
     "season length the forecaster assumes (0 = none)"},
    {"coverage", AS_P_DOUBLE, offsetof(sim_policy_cfg, coverage), 0.5, 0.999, NULL, 0,
     "central coverage of the forecast interval"},
    {"detector", AS_P_STRING, offsetof(sim_policy_cfg, detector), 0, 0, NULL, SIM_NAME_LEN,
     "anomaly detector on the observed rate (zscore, mad, ewma_residual, none)"},
    {0},
};

static void tier_defaults(sim_tier_cfg *t, const char *name)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->service_time = 100 * AS_MSEC;
    t->service_dist = SIM_DIST_EXP;
    t->service_cv = 1.0;
    t->concurrency = 1;
    t->min = 1;
    t->max = 100;
    t->initial = 1;
    t->boot_time = 60 * AS_SEC;
    t->boot_jitter = 0;
    t->boot_dist = SIM_DIST_DET;
    t->drain_time = 0;
    t->price_per_hour = 0.1;
    t->billing_granularity = AS_SEC;
    t->billing_minimum = 60 * AS_SEC;
    t->visits = 1.0;
    t->autoscale = true;
    t->scale_in = SIM_SCALEIN_NEWEST;
}

static void scenario_defaults(sim_scenario *s)
{
    snprintf(s->name, sizeof s->name, "scenario");
    s->duration = AS_DAY;
    s->tick = AS_SEC;
    s->record = 60 * AS_SEC;
    s->seed = 1;
    s->model = SIM_MODEL_ANALYTIC;
    s->slo_latency = 0.5;
    s->slo_percentile = 0.95;
    s->penalty_per_hour = 0.0;
    s->max_violation = 0.01;
    s->scrape = 15 * AS_SEC;
    s->window = 60 * AS_SEC;
    s->lag = 0;
    s->noise = 0.0;
    s->repetitions = 1;
    s->noise_type = SIM_NOISE_MULTIPLICATIVE;
    s->aggregation = AS_AGG_MEAN;
    s->agg_percentile = 0.95;
    s->boot_outlier_factor = 5.0;
}

/* ---- collecting entries ---- */

static char *reader(char *str, int num, void *stream)
{
    loader *L = stream;
    if (*L->text == '\0')
        return NULL;
    const char *nl = strchr(L->text, '\n');
    size_t len = nl ? (size_t)(nl - L->text) + 1 : strlen(L->text);
    L->line++;
    if (len > (size_t)num - 1) {
        if (L->long_line == 0)
            L->long_line = L->line;
        len = (size_t)num - 1;
        memcpy(str, L->text, len);
        str[len] = '\0';
        L->text = nl ? nl + 1 : L->text + strlen(L->text);
        return str;
    }
    memcpy(str, L->text, len);
    str[len] = '\0';
    L->text += len;
    return str;
}

static entry *entry_add(loader *L, const char *section, const char *key, const char *value,
                        int line, int set_index)
{
    if (L->n == L->cap) {
        int ncap = L->cap ? L->cap * 2 : 64;
        entry *ne = realloc(L->e, (size_t)ncap * sizeof *ne);
        if (ne == NULL) {
            L->oom = 1;
            return NULL;
        }
        L->e = ne;
        L->cap = ncap;
    }
    entry *e = &L->e[L->n];
    memset(e, 0, sizeof *e);
    snprintf(e->section, sizeof e->section, "%s", section);
    snprintf(e->key, sizeof e->key, "%s", key);
    e->value = strdup(value);
    if (e->value == NULL) {
        L->oom = 1;
        return NULL;
    }
    e->line = line;
    e->set_index = set_index;
    L->n++;
    return e;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    loader *L = user;
    entry_add(L, section, name, value, L->line, -1);
    return 1;
}

/* ---- applying entries ---- */

static int where(const loader *L, const entry *e, const char *const *ov, as_err *err)
{
    if (e->set_index >= 0)
        return as_err_prefix(err, "--set %s: ", ov[e->set_index]);
    return as_err_prefix(err, "%s:%d: [%s] ", L->path, e->line, e->section);
}

static int apply_table(const loader *L, const entry *e, const as_param_def *defs, void *obj,
                       const char *const *ov, as_err *err)
{
    int rc = as_param_set(defs, obj, e->key, e->value, err);
    if (rc == AS_ENOTFOUND) {
        char known[400] = "";
        for (const as_param_def *d = defs; d->name; d++) {
            size_t l = strlen(known);
            snprintf(known + l, sizeof known - l, "%s%s", l ? ", " : "", d->name);
        }
        as_err_set(err, AS_EINVAL, "unknown key '%s' (known: %s)", e->key, known);
        rc = AS_EINVAL;
    }
    if (rc != AS_OK)
        return where(L, e, ov, err);
    return AS_OK;
}

/* types = NAME:FACTOR:PRICE:BOOT, ... (e.g. small:1:0.05:60s, large:4:0.18:2m) */
static int parse_types(sim_tier_cfg *t, const char *value, as_err *err)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", value);
    t->ntypes = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char name[64], fs[64], ps[64], bs[64];
        if (sscanf(tok, " %63[^:]:%63[^:]:%63[^:]:%63s", name, fs, ps, bs) != 4)
            return as_err_set(err, AS_EINVAL,
                              "key 'types': '%s' is not NAME:FACTOR:PRICE:BOOT (e.g. "
                              "large:4:0.18:2m)",
                              tok);
        if (t->ntypes == 8 || strlen(name) >= sizeof t->types[0].name)
            return as_err_set(err, AS_EINVAL, "key 'types': at most 8 types of short names");
        struct sim_itype *it = &t->types[t->ntypes];
        long f;
        as_err e2 = {0};
        if (as_parse_int(fs, &f, &e2) != AS_OK || f < 1 || f > 1024)
            return as_err_set(err, AS_EINVAL, "key 'types': %s: factor '%s' is not in [1, 1024]",
                              name, fs);
        if (as_parse_double(ps, &it->price, &e2) != AS_OK || it->price < 0)
            return as_err_set(err, AS_EINVAL, "key 'types': %s: price '%s' is not >= 0", name,
                              ps);
        if (as_parse_duration(bs, &it->boot, &e2) != AS_OK)
            return as_err_set(err, AS_EINVAL, "key 'types': %s: boot %s", name, e2.msg);
        for (int k = 0; k < t->ntypes; k++)
            if (strcmp(t->types[k].name, name) == 0)
                return as_err_set(err, AS_EINVAL, "key 'types': '%s' given twice", name);
        snprintf(it->name, sizeof it->name, "%s", name);
        it->factor = (int)f;
        t->ntypes++;
    }
    if (t->ntypes == 0)
        return as_err_set(err, AS_EINVAL, "key 'types': empty list");
    return AS_OK;
}

static bool valid_name(const char *s)
{
    if (*s == '\0' || strlen(s) >= SIM_NAME_LEN)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
            return false;
    return true;
}

static int find_tier(sim_scenario *s, const char *name)
{
    for (int i = 0; i < s->ntiers; i++)
        if (strcmp(s->tiers[i].name, name) == 0)
            return i;
    return -1;
}

static int find_policy(sim_scenario *s, const char *name)
{
    for (int i = 0; i < s->npolicies; i++)
        if (strcmp(s->policies[i].name, name) == 0)
            return i;
    return -1;
}

static int load_file(const char *path, char **text, as_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return as_err_set(err, AS_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return as_err_set(err, AS_EIO, "%s: is a directory, not a scenario file", path);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return as_err_set(err, AS_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (st.st_size > 16 * 1024 * 1024) {
        fclose(f);
        return as_err_set(err, AS_EINVAL, "%s: %lld bytes is too large for a scenario file", path,
                          (long long)st.st_size);
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        fclose(f);
        return as_err_set(err, AS_ENOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    buf[n] = '\0';
    if (memchr(buf, '\0', n) != NULL) {
        free(buf);
        return as_err_set(err, AS_EINVAL, "%s: binary data (a NUL byte), not an INI file", path);
    }
    *text = buf;
    return AS_OK;
}

/* Split "a.b.key=value" into section "a.b", key, value. */
static int split_override(const char *arg, char *sec, size_t ns, char *key, size_t nk,
                          const char **value, as_err *err)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL)
        return as_err_set(err, AS_EINVAL, "--set %s: expected SECTION.KEY=VALUE", arg);
    const char *dot = NULL;
    for (const char *p = arg; p < eq; p++)
        if (*p == '.')
            dot = p;
    if (dot == NULL || dot == arg || dot + 1 == eq)
        return as_err_set(err, AS_EINVAL, "--set %s: expected SECTION.KEY=VALUE", arg);
    if ((size_t)(dot - arg) >= ns || (size_t)(eq - dot - 1) >= nk)
        return as_err_set(err, AS_EINVAL, "--set %s: name too long", arg);
    memcpy(sec, arg, (size_t)(dot - arg));
    sec[dot - arg] = '\0';
    memcpy(key, dot + 1, (size_t)(eq - dot - 1));
    key[eq - dot - 1] = '\0';
    *value = eq + 1;
    return AS_OK;
}

static void dirname_of(const char *path, char *out, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(out, n, ".");
    else
        snprintf(out, n, "%.*s", (int)(slash - path), path);
    if (out[0] == '\0')
        snprintf(out, n, "/");
}

static int apply_all(loader *L, sim_scenario *s, const char *const *ov, as_err *err)
{
    /* pass 1: create tiers and policies in order of first appearance, and
     * reject unknown sections and duplicate keys */
    for (int i = 0; i < L->n; i++) {
        entry *e = &L->e[i];
        for (int j = 0; j < i; j++) {
            entry *f = &L->e[j];
            if (strcmp(e->section, f->section) == 0 && strcmp(e->key, f->key) == 0 &&
                e->set_index < 0 && strcmp(e->section, "trace") != 0 &&
                strcmp(e->key, "metric_outage") != 0) {
                as_err_set(err, AS_EINVAL, "duplicate key '%s' (first set at line %d)", e->key,
                           f->line);
                return where(L, e, ov, err);
            }
        }
        const char *sec = e->section;
        if (strcmp(sec, "scenario") == 0 || strcmp(sec, "trace") == 0 ||
            strcmp(sec, "slo") == 0 || strcmp(sec, "monitoring") == 0 ||
            strcmp(sec, "sweep") == 0 || strcmp(sec, "faults") == 0)
            continue;
        if (strncmp(sec, "tier.", 5) == 0 || strcmp(sec, "tier") == 0) {
            const char *name = sec[4] ? sec + 5 : "app";
            if (!valid_name(name)) {
                as_err_set(err, AS_EINVAL, "bad tier name '%s' (letters, digits, _ and -)", name);
                return where(L, e, ov, err);
            }
            if (find_tier(s, name) < 0) {
                if (s->ntiers == SIM_MAX_TIERS) {
                    as_err_set(err, AS_EINVAL, "more than %d tiers", SIM_MAX_TIERS);
                    return where(L, e, ov, err);
                }
                tier_defaults(&s->tiers[s->ntiers++], name);
            }
            continue;
        }
        if (strncmp(sec, "policy.", 7) == 0) {
            const char *name = sec + 7;
            if (!valid_name(name)) {
                as_err_set(err, AS_EINVAL, "bad policy name '%s' (letters, digits, _ and -)",
                           name);
                return where(L, e, ov, err);
            }
            if (find_policy(s, name) < 0) {
                if (s->npolicies == SIM_MAX_POLICIES) {
                    as_err_set(err, AS_EINVAL, "more than %d policies", SIM_MAX_POLICIES);
                    return where(L, e, ov, err);
                }
                sim_policy_cfg *p = &s->policies[s->npolicies++];
                snprintf(p->name, sizeof p->name, "%s", name);
                p->line = e->line;
            }
            continue;
        }
        as_err_set(err, AS_EINVAL,
                   "unknown section (known: scenario, trace, tier.NAME, slo, monitoring, "
                   "policy.NAME, faults, sweep)");
        return where(L, e, ov, err);
    }
    if (s->ntiers == 0)
        tier_defaults(&s->tiers[s->ntiers++], "app");

    /* pass 2: the kind of each policy, then its other keys */
    for (int i = 0; i < L->n; i++) {
        entry *e = &L->e[i];
        if (strncmp(e->section, "policy.", 7) != 0 || strcmp(e->key, "kind") != 0)
            continue;
        sim_policy_cfg *p = &s->policies[find_policy(s, e->section + 7)];
        const as_policy_type *t = as_policy_type_find(e->value);
        if (t == NULL) {
            char known[256] = "";
            for (const as_policy_type *const *k = as_policy_types(); *k; k++) {
                size_t l = strlen(known);
                snprintf(known + l, sizeof known - l, "%s%s", l ? ", " : "", (*k)->name);
            }
            as_err_set(err, AS_EINVAL, "key 'kind': unknown policy kind '%s' (known: %s)",
                       e->value, known);
            return where(L, e, ov, err);
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
        snprintf(p->forecaster, sizeof p->forecaster, "holt_winters");
        p->season = AS_DAY;
        p->coverage = 0.9;
        snprintf(p->detector, sizeof p->detector, "zscore");
    }
    for (int i = 0; i < s->npolicies; i++)
        if (s->policies[i].type == NULL)
            return s->policies[i].line > 0
                       ? as_err_set(err, AS_EINVAL, "%s:%d: [policy.%s] missing key 'kind'",
                                    L->path, s->policies[i].line, s->policies[i].name)
                       : as_err_set(err, AS_EINVAL,
                                    "--set: [policy.%s] is not in %s and has no 'kind'",
                                    s->policies[i].name, L->path);

    /* pass 2b: manifests of the real autoscaler, before explicit keys */
    for (int i = 0; i < L->n; i++) {
        entry *e = &L->e[i];
        if (strncmp(e->section, "policy.", 7) != 0 ||
            (strcmp(e->key, "manifest") != 0 && strcmp(e->key, "aws_policy") != 0))
            continue;
        sim_policy_cfg *p = &s->policies[find_policy(s, e->section + 7)];
        char full[2048];
        if (e->value[0] == '/')
            snprintf(full, sizeof full, "%s", e->value);
        else
            snprintf(full, sizeof full, "%s/%s", L->basedir, e->value);
        if (sim_manifest_apply(e->key, full, p, stderr, err) != AS_OK)
            return where(L, e, ov, err);
        if (strcmp(e->key, "manifest") == 0 &&
            sim_manifest_replicas(full, &p->min, &p->max, err) != AS_OK)
            return where(L, e, ov, err);
    }

    /* pass 3: every other key */
    for (int i = 0; i < L->n; i++) {
        entry *e = &L->e[i];
        const char *sec = e->section;
        int rc = AS_OK;
        if (strcmp(sec, "scenario") == 0) {
            if (strcmp(e->key, "seed") == 0) {
                char *end;
                errno = 0;
                const char *v = e->value;
                unsigned long long seed = strtoull(v, &end, 10);
                if (end == v || *end != '\0' || errno == ERANGE || v[0] == '-') {
                    as_err_set(err, AS_EINVAL, "key 'seed': '%s' is not a non-negative integer",
                               v);
                    return where(L, e, ov, err);
                }
                s->seed = seed;
                continue;
            }
            rc = apply_table(L, e, scenario_params, s, ov, err);
        } else if (strcmp(sec, "trace") == 0) {
            rc = tr_config_set(s->trace, e->key, e->value, err);
            if (rc == AS_ENOTFOUND)
                rc = as_err_set(err, AS_EINVAL, "unknown key '%s' (see simrun --help-keys)",
                                e->key);
            if (rc != AS_OK)
                return where(L, e, ov, err);
        } else if (strncmp(sec, "tier", 4) == 0) {
            sim_tier_cfg *t = &s->tiers[find_tier(s, sec[4] ? sec + 5 : "app")];
            if (strcmp(e->key, "types") == 0) {
                if (parse_types(t, e->value, err) != AS_OK)
                    return where(L, e, ov, err);
                continue;
            }
            if (strcmp(e->key, "type") == 0) {
                snprintf(t->type_name, sizeof t->type_name, "%s", e->value);
                continue;
            }
            rc = apply_table(L, e, tier_params, t, ov, err);
        } else if (strcmp(sec, "slo") == 0) {
            if (strcmp(e->key, "latency") == 0) {
                as_time v = 0;
                int prc = as_parse_duration(e->value, &v, err);
                if (prc == AS_OK && v <= 0)
                    prc = as_err_set(err, AS_EINVAL, "must be > 0");
                if (prc != AS_OK) {
                    as_err_prefix(err, "key 'latency': ");
                    return where(L, e, ov, err);
                }
                s->slo_latency = as_time_to_s(v);
                continue;
            }
            rc = apply_table(L, e, slo_params, s, ov, err);
        } else if (strcmp(sec, "monitoring") == 0) {
            rc = apply_table(L, e, monitoring_params, s, ov, err);
        } else if (strcmp(sec, "faults") == 0 && strcmp(e->key, "metric_outage") == 0) {
            /* START, LENGTH */
            char a[64], b[64];
            as_time st = 0, ln = 0;
            if (sscanf(e->value, " %63[^,], %63s", a, b) != 2 ||
                as_parse_duration(a, &st, NULL) != AS_OK ||
                as_parse_duration(b, &ln, NULL) != AS_OK || ln <= 0) {
                as_err_set(err, AS_EINVAL,
                           "key 'metric_outage': '%s' is not START, LENGTH (e.g. 6h, 10m)",
                           e->value);
                return where(L, e, ov, err);
            }
            if (s->noutages == 16) {
                as_err_set(err, AS_EINVAL, "key 'metric_outage': at most 16");
                return where(L, e, ov, err);
            }
            s->outage_start[s->noutages] = st;
            s->outage_len[s->noutages++] = ln;
        } else if (strcmp(sec, "faults") == 0) {
            rc = apply_table(L, e, faults_params, s, ov, err);
        } else if (strcmp(sec, "sweep") == 0) {
            if (strcmp(e->key, "repetitions") == 0) {
                long v;
                if (as_parse_int(e->value, &v, err) != AS_OK || v < 1 || v > 100000) {
                    as_err_set(err, AS_EINVAL,
                               "key 'repetitions': '%s' is not a whole number in [1, 100000]",
                               e->value);
                    return where(L, e, ov, err);
                }
                s->repetitions = (int)v;
                continue;
            }
            if (strchr(e->key, '.') == NULL || s->nsweep == 16 ||
                strlen(e->key) >= sizeof s->sweep[0].key ||
                strlen(e->value) >= sizeof s->sweep[0].values) {
                as_err_set(err, AS_EINVAL,
                           "key '%s': expected SECTION.KEY = v1,v2,... or lo:hi:step "
                           "(at most 16 keys)",
                           e->key);
                return where(L, e, ov, err);
            }
            struct sim_sweep_key *k = &s->sweep[s->nsweep++];
            snprintf(k->key, sizeof k->key, "%s", e->key);
            snprintf(k->values, sizeof k->values, "%s", e->value);
            k->line = e->line;
        } else if (strncmp(sec, "policy.", 7) == 0) {
            if (strcmp(e->key, "kind") == 0 || strcmp(e->key, "manifest") == 0 ||
                strcmp(e->key, "aws_policy") == 0)
                continue;
            sim_policy_cfg *p = &s->policies[find_policy(s, sec + 7)];
            if (strcmp(e->key, "interval") == 0) {
                as_time v = 0;
                rc = as_parse_duration(e->value, &v, err);
                if (rc == AS_OK && v <= 0)
                    rc = as_err_set(err, AS_EINVAL, "must be > 0");
                if (rc != AS_OK) {
                    as_err_prefix(err, "key 'interval': ");
                    return where(L, e, ov, err);
                }
                p->interval = v;
                continue;
            }
            if (strcmp(e->key, "tiers") == 0) {
                /* a comma-separated list of tier names */
                char buf[256];
                snprintf(buf, sizeof buf, "%s", e->value);
                p->tiers_mask = 0;
                char *save = NULL;
                for (char *tok = strtok_r(buf, ", ", &save); tok;
                     tok = strtok_r(NULL, ", ", &save)) {
                    int ti = find_tier(s, tok);
                    if (ti < 0) {
                        as_err_set(err, AS_EINVAL, "key 'tiers': no [tier.%s]", tok);
                        return where(L, e, ov, err);
                    }
                    p->tiers_mask |= 1u << ti;
                }
                continue;
            }
            if (strcmp(e->key, "vertical") == 0) {
                if (as_parse_bool(e->value, &p->vertical, err) != AS_OK) {
                    as_err_prefix(err, "key 'vertical': ");
                    return where(L, e, ov, err);
                }
                continue;
            }
            if (strcmp(e->key, "bottleneck") == 0) {
                if (as_parse_bool(e->value, &p->bottleneck, err) != AS_OK) {
                    as_err_prefix(err, "key 'bottleneck': ");
                    return where(L, e, ov, err);
                }
                continue;
            }
            if (as_param_find(policy_monitor_params, e->key)) {
                if ((rc = apply_table(L, e, policy_monitor_params, p, ov, err)) != AS_OK)
                    return rc;
                continue;
            }
            if (p->type->wants_forecast && as_param_find(forecast_params, e->key)) {
                if ((rc = apply_table(L, e, forecast_params, p, ov, err)) != AS_OK)
                    return rc;
                if (strcmp(e->key, "forecaster") == 0 &&
                    as_forecaster_type_find(p->forecaster) == NULL) {
                    as_err_set(err, AS_EINVAL, "key 'forecaster': unknown kind '%s'",
                               p->forecaster);
                    return where(L, e, ov, err);
                }
                if (strcmp(e->key, "detector") == 0 && strcmp(p->detector, "none") != 0 &&
                    as_detector_type_find(p->detector) == NULL) {
                    as_err_set(err, AS_EINVAL, "key 'detector': unknown kind '%s'", p->detector);
                    return where(L, e, ov, err);
                }
                continue;
            }
            static const as_param_def none[] = {{0}};
            rc = as_param_set(p->type->params ? p->type->params : none, p->cfg, e->key,
                              e->value, err);
            if (rc == AS_ENOTFOUND) {
                char known[400] = "kind, interval";
                for (const as_param_def *d = p->type->params; d && d->name; d++) {
                    size_t l = strlen(known);
                    snprintf(known + l, sizeof known - l, ", %s", d->name);
                }
                rc = as_err_set(err, AS_EINVAL, "unknown key '%s' for kind %s (known: %s)",
                                e->key, p->type->name, known);
            }
            if (rc != AS_OK)
                return where(L, e, ov, err);
        }
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* "FILE:LINE: [SECTION] key 'KEY': " for the entry that set key (the last
 * one, as it wins), "--set ...: " for an override, or "FILE: [SECTION] "
 * when the value is a default. */
static int fail_at(const loader *L, const char *const *ov, const char *section,
                   const char *key, as_err *err, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static int fail_at(const loader *L, const char *const *ov, const char *section,
                   const char *key, as_err *err, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const entry *hit = NULL;
    for (int i = 0; i < L->n; i++)
        if (strcmp(L->e[i].section, section) == 0 && strcmp(L->e[i].key, key) == 0)
            hit = &L->e[i];
    if (hit && hit->set_index >= 0)
        return as_err_set(err, AS_EINVAL, "--set %s: %s", ov[hit->set_index], msg);
    if (hit)
        return as_err_set(err, AS_EINVAL, "%s:%d: [%s] key '%s': %s", L->path, hit->line,
                          section, key, msg);
    return as_err_set(err, AS_EINVAL, "%s: [%s] %s", L->path, section, msg);
}

/* Cross-key rules, checked once every key is set; each names the key (and
 * its line) whose value breaks the rule. Also resolves the instance types. */
static int check(const loader *L, const char *const *ov, sim_scenario *s, as_err *err)
{
    const char *p = s->path;
    if (s->tick > s->duration)
        return fail_at(L, ov, "scenario", "tick", err, "tick is longer than duration");
    if (s->record < s->tick || s->record % s->tick != 0)
        return fail_at(L, ov, "scenario", "record", err, "record must be a whole multiple of tick");
    if (s->duration / s->tick > 400000000LL)
        return fail_at(L, ov, "scenario", "duration", err,
                       "duration/tick is over 4e8 ticks; use a longer tick");
    for (int i = 0; i < s->ntiers; i++) {
        sim_tier_cfg *t = &s->tiers[i];
        char sec[64];
        snprintf(sec, sizeof sec, "tier.%s", t->name);
        if (t->min > t->max)
            return fail_at(L, ov, sec, "min", err, "min (%d) is greater than max (%d)", t->min,
                           t->max);
        if (t->initial < t->min || t->initial > t->max)
            return fail_at(L, ov, sec, "initial", err,
                           "initial (%d) is outside [min, max] = [%d, %d]", t->initial, t->min,
                           t->max);
        if (t->boot_time >= s->duration)
            return fail_at(L, ov, sec, "boot_time", err,
                           "boot_time is not shorter than the run's duration");
        if (t->max == 0 && t->visits > 0)
            return fail_at(L, ov, sec, "max", err, "max is 0 but the tier has load");
        /* the instance types, resolved once every key is read */
        sim_tier_cfg *tw = t;
        if (tw->ntypes == 0) {
            tw->ntypes = 1;
            snprintf(tw->types[0].name, sizeof tw->types[0].name, "default");
            tw->types[0].factor = 1;
            tw->types[0].price = t->price_per_hour;
            tw->types[0].boot = t->boot_time;
        }
        tw->type = 0;
        if (t->type_name[0]) {
            tw->type = -1;
            for (int k = 0; k < t->ntypes; k++)
                if (strcmp(t->types[k].name, t->type_name) == 0)
                    tw->type = k;
            if (tw->type < 0)
                return fail_at(L, ov, sec, "type", err, "no type '%s' in 'types'", t->type_name);
        }
        for (int k = 0; k < t->ntypes; k++)
            if (t->types[k].boot >= s->duration)
                return fail_at(L, ov, sec, "types", err,
                               "type %s boots longer than the run lasts", t->types[k].name);
    }
    if (s->aggregation == AS_AGG_RATE)
        return fail_at(L, ov, "monitoring", "aggregation", err,
                       "aggregation = rate applies to counters only (the request rate is "
                       "always one); use mean, max, min, last or percentile");
    if (s->window < s->scrape)
        return fail_at(L, ov, "monitoring", "window", err,
                       "window is shorter than the scrape interval");
    for (int i = 0; i < s->npolicies; i++) {
        as_policy *probe = as_policy_new(s->policies[i].type, s->policies[i].cfg, err);
        if (probe == NULL)
            return as_err_prefix(err, "%s:%d: [policy.%s] ", p, s->policies[i].line,
                                 s->policies[i].name);
        as_policy_free(probe);
    }
    return tr_config_check(s->trace, err) == AS_OK ? AS_OK
                                                   : as_err_prefix(err, "%s: [trace] ", p);
}

sim_scenario *sim_scenario_load(const char *path, const char *const *overrides, int noverrides,
                                as_err *err)
{
    sim_scenario *s = calloc(1, sizeof *s);
    if (s == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory");
        return NULL;
    }
    scenario_defaults(s);
    snprintf(s->path, sizeof s->path, "%s", path);
    loader L = {.path = path};
    int rc = load_file(path, &s->text, err);
    if (rc != AS_OK)
        goto fail;
    s->trace = tr_config_new();
    if (s->trace == NULL) {
        rc = as_err_set(err, AS_ENOMEM, "out of memory");
        goto fail;
    }
    char dir[1024];
    dirname_of(path, dir, sizeof dir);
    tr_config_set_basedir(s->trace, dir);
    snprintf(L.basedir, sizeof L.basedir, "%s", dir);
    /* default name: the file name without extension */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(s->name, sizeof s->name, "%.*s",
             (int)(strchr(base, '.') ? (size_t)(strchr(base, '.') - base) : strlen(base)), base);

    L.text = s->text;
    int perr = ini_parse_stream(reader, &L, handler, &L);
    if (L.oom) {
        rc = as_err_set(err, AS_ENOMEM, "out of memory");
        goto fail;
    }
    if (L.long_line) {
        rc = as_err_set(err, AS_EINVAL, "%s:%d: line longer than %d characters", path,
                        L.long_line, INI_MAX_LINE - 2);
        goto fail;
    }
    if (perr != 0) {
        rc = as_err_set(err, AS_EINVAL,
                        "%s:%d: syntax error (expected '[section]' or 'key = value')", path,
                        perr);
        goto fail;
    }
    if (L.n == 0) {
        rc = as_err_set(err, AS_EINVAL, "%s: empty scenario (no keys)", path);
        goto fail;
    }
    size_t olen = 0;
    for (int i = 0; i < noverrides; i++) {
        char sec[64], key[64];
        const char *value = NULL;
        if ((rc = split_override(overrides[i], sec, sizeof sec, key, sizeof key, &value, err)))
            goto fail;
        /* replace the file's entry (keeping its place) or add a new one */
        entry *hit = NULL;
        for (int j = 0; j < L.n; j++)
            if (strcmp(L.e[j].section, sec) == 0 && strcmp(L.e[j].key, key) == 0)
                hit = &L.e[j];
        if (hit && strcmp(sec, "trace") != 0) {
            char *v = strdup(value);
            if (v == NULL) {
                rc = as_err_set(err, AS_ENOMEM, "out of memory");
                goto fail;
            }
            free(hit->value);
            hit->value = v;
            hit->set_index = i;
        } else if (entry_add(&L, sec, key, value, 0, i) == NULL) {
            rc = as_err_set(err, AS_ENOMEM, "out of memory");
            goto fail;
        }
        olen += (size_t)snprintf(s->overrides + olen, sizeof s->overrides - olen, "%s%s",
                                 i ? "\n" : "", overrides[i]);
        if (olen >= sizeof s->overrides)
            olen = sizeof s->overrides - 1;
    }
    if ((rc = apply_all(&L, s, overrides, err)) != AS_OK)
        goto fail;
    if ((rc = check(&L, overrides, s, err)) != AS_OK)
        goto fail;
    for (int i = 0; i < L.n; i++)
        free(L.e[i].value);
    free(L.e);
    return s;
fail:
    for (int i = 0; i < L.n; i++)
        free(L.e[i].value);
    free(L.e);
    sim_scenario_free(s);
    return NULL;
}

void sim_scenario_free(sim_scenario *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < s->npolicies; i++)
        free(s->policies[i].cfg);
    tr_config_free(s->trace);
    free(s->text);
    free(s);
}

static void print_table(FILE *f, const char *section, const as_param_def *defs)
{
    fprintf(f, "  [%s]\n", section);
    for (const as_param_def *d = defs; d->name; d++)
        fprintf(f, "    %-20s %s\n", d->name, d->help);
}

static void trace_line(const char *key, const char *help, void *ud)
{
    fprintf((FILE *)ud, "    %-20s %s\n", key, help);
}

void sim_scenario_print_keys(void *stream)
{
    FILE *f = stream;
    print_table(f, "scenario", scenario_params);
    fprintf(f, "  [trace]\n");
    tr_config_help(trace_line, f);
    print_table(f, "tier.NAME", tier_params);
    fprintf(f, "    %-20s instance types NAME:FACTOR:PRICE:BOOT, ... (FACTOR x concurrency "
               "servers each)\n",
            "types");
    fprintf(f, "    %-20s the initial type (default: the first)\n", "type");
    print_table(f, "slo", slo_params);
    print_table(f, "monitoring", monitoring_params);
    print_table(f, "faults", faults_params);
    fprintf(f, "  [policy.NAME]\n    %-20s one of:", "kind");
    for (const as_policy_type *const *k = as_policy_types(); *k; k++)
        fprintf(f, " %s", (*k)->name);
    fprintf(f, "\n    %-20s evaluation period (default: the real system's)\n", "interval");
    fprintf(f, "    %-20s tiers this policy scales, e.g. web,app (default: every autoscaled tier)\n",
            "tiers");
    fprintf(f, "    %-20s true: scale out only the tier whose latency is furthest over its share\n",
            "bottleneck");
    fprintf(f, "    %-20s true: also move tiers between instance types (cheapest for the capacity)\n",
            "vertical");
    fprintf(f, "    %-20s Kubernetes HPA manifest (YAML) for kind = hpa; INI keys override it\n",
            "manifest");
    fprintf(f, "    %-20s AWS scaling policy (JSON) for kind = target, step, predictive\n",
            "aws_policy");
    for (const as_param_def *d = policy_monitor_params; d->name; d++)
        fprintf(f, "    %-20s %s\n", d->name, d->help);
    for (const as_param_def *d = forecast_params; d->name; d++)
        fprintf(f, "    %-20s %s (predictive, hybrid)\n", d->name, d->help);
    for (const as_policy_type *const *k = as_policy_types(); *k; k++) {
        if ((*k)->params == NULL || (*k)->params[0].name == NULL)
            continue;
        fprintf(f, "    kind = %s:\n", (*k)->name);
        for (const as_param_def *d = (*k)->params; d->name; d++)
            fprintf(f, "      %-18s %s\n", d->name, d->help);
    }
}
