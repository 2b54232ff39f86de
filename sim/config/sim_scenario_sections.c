/* sim_scenario_sections.c - the sections of a scenario file and their keys:
 * one row per section in sim_sections[], each with its parameter tables
 * (as_param_def: kind, bounds, help), the keys of a shape of their own
 * (instance types, metric outages, sweep grids) and its stages. To add a
 * key: a line in the section's table; to add a section: a row here (and
 * its field in sim_scenario). [policy.NAME] is in sim_scenario_policy.c,
 * the cross-key rules in sim_scenario_check.c. */
#include "sim_scenario_int.h"

#include "as_monitor.h"
#include "as_name.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const model_names[] = {"analytic", "des", NULL};
static const char *const dist_names[] = {"exponential", "deterministic", "uniform", "normal",
                                         "lognormal", NULL};
static const char *const scalein_names[] = {"newest", "oldest", NULL};
static const char *const noise_type_names[] = {"multiplicative", "additive", NULL};

#define MAX_TYPE_FACTOR 1024 /* servers of the largest instance type, in units of concurrency */
#define MAX_REPETITIONS 100000

/* ---- [scenario] ---- */

static const as_param_def scenario_params[] = {
    {"name", AS_P_NAME, offsetof(sim_scenario, name), 0, 0, NULL, sizeof(((sim_scenario *)0)->name),
     "short name (letters, digits, . _ -; default: the file name); results/NAME.h5"},
    {"description", AS_P_STRING, offsetof(sim_scenario, description), 0, 0, NULL, 256,
     "one line shown in reports"},
    {"duration", AS_P_DURATION, offsetof(sim_scenario, duration), 1e-3, 10 * SIM_YEAR_S, NULL, 0,
     "simulated time of one run (e.g. 2d)"},
    {"tick", AS_P_DURATION, offsetof(sim_scenario, tick), 1e-3, 3600, NULL, 0,
     "step of the analytic latency model (e.g. 1s)"},
    {"record", AS_P_DURATION, offsetof(sim_scenario, record), 1e-3, 86400, NULL, 0,
     "interval of the recorded time series (e.g. 60s)"},
    {"seed", AS_P_U64, offsetof(sim_scenario, seed), 0, 0, NULL, 0,
     "seed of every random stream (integer)"},
    {"model", AS_P_ENUM, offsetof(sim_scenario, model), 0, 0, model_names, 0,
     "latency model: analytic (Erlang C + fluid backlog) or des (request level)"},
    {"max_instances", AS_P_INT, offsetof(sim_scenario, max_instances), 0, 1000000, NULL, 0,
     "quota of instances over all tiers; scale-out beyond it is refused (0 = none)"},
    {"budget", AS_P_DOUBLE, offsetof(sim_scenario, budget), 0, 1e9, NULL, 0,
     "cap on the cost per hour of all tiers; scale-out beyond it is refused (0 = none)"},
    {0},
};

static void *scenario_obj(sim_loader *L, const sim_entry *e)
{
    (void)e;
    return L->s;
}

static const sim_section scenario_section = {
    .name = "scenario",
    .tables = {{scenario_params, scenario_obj, NULL}},
    .check = sim_check_scenario,
};

/* ---- [trace]: the trace library's own keys ---- */

static int trace_set(sim_loader *L, const sim_entry *e, as_err *err)
{
    int rc = tr_config_set(L->s->trace, e->key, e->value, err);
    if (rc == AS_ENOTFOUND) {
        char shown[300]; /* the file's text: no raw control byte in a message */
        as_name_printable(e->key, shown, sizeof shown);
        rc = as_err_set(err, AS_EINVAL, "unknown key '%s' (see simrun --help-keys)", shown);
    }
    return rc;
}

typedef struct trace_help_ctx {
    FILE *f;            /* NULL: count only */
    const char *filter; /* a key name, or NULL for every key */
    int n;
} trace_help_ctx;

static void trace_line(const char *key, const char *help, void *ud)
{
    trace_help_ctx *c = ud;
    if (c->filter != NULL && strcmp(c->filter, key) != 0)
        return;
    c->n++;
    if (c->f != NULL)
        fprintf(c->f, "    %-20s %s\n", key, help);
}

/* The trace library's keys (their defaults are in their help text). */
static int trace_help(FILE *f, const char *filter)
{
    trace_help_ctx c = {f, filter, 0};
    tr_config_help(trace_line, &c);
    return c.n;
}

static const sim_section trace_section = {
    .name = "trace",
    .flags = SIM_SEC_OWN_KEYS,
    .other = trace_set,
    .check = sim_check_trace,
    .help = trace_help,
};

/* ---- [tier.NAME] ---- */

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
    {"type", AS_P_NAME, offsetof(sim_tier_cfg, type_name), 0, 0, NULL, SIM_TYPE_NAME_LEN,
     "the initial type (default: the first)"},
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

static const char *tier_inst(const sim_scenario *s, int i)
{
    return i < s->ntiers ? s->tiers[i].name : NULL;
}

static int tier_add(sim_loader *L, const char *name, int line)
{
    (void)line;
    tier_defaults(&L->s->tiers[L->s->ntiers], name);
    return L->s->ntiers++;
}

static void *tier_obj(sim_loader *L, const sim_entry *e)
{
    return &L->s->tiers[e->inst];
}

/* One NAME:FACTOR:PRICE:BOOT of `types` into it. */
static int parse_type(const char *tok, struct sim_itype *it, as_err *err)
{
    char name[64], fs[64], ps[64], bs[64];
    if (sscanf(tok, " %63[^:]:%63[^:]:%63[^:]:%63s", name, fs, ps, bs) != 4)
        return as_err_set(err, AS_EINVAL,
                          "key 'types': '%s' is not NAME:FACTOR:PRICE:BOOT (e.g. large:4:0.18:2m)",
                          tok);
    as_err e2 = {0};
    if (as_name_check(name, &e2) != AS_OK || strlen(name) >= sizeof it->name)
        return as_err_set(err, AS_EINVAL, "key 'types': %s",
                          e2.msg[0] ? e2.msg : "a type name is at most 15 bytes");
    long f;
    if (as_parse_int(fs, &f, &e2) != AS_OK || f < 1 || f > MAX_TYPE_FACTOR)
        return as_err_set(err, AS_EINVAL, "key 'types': %s: factor '%s' is not in [1, %d]", name,
                          fs, MAX_TYPE_FACTOR);
    if (as_parse_double(ps, &it->price, &e2) != AS_OK || it->price < 0)
        return as_err_set(err, AS_EINVAL, "key 'types': %s: price '%s' is not >= 0", name, ps);
    if (as_parse_duration(bs, &it->boot, &e2) != AS_OK)
        return as_err_set(err, AS_EINVAL, "key 'types': %s: boot %s", name, e2.msg);
    snprintf(it->name, sizeof it->name, "%s", name);
    it->factor = (int)f;
    return AS_OK;
}

/* types = NAME:FACTOR:PRICE:BOOT, ... (e.g. small:1:0.05:60s, large:4:0.18:2m) */
static int set_types(sim_loader *L, const sim_entry *e, as_err *err)
{
    sim_tier_cfg *t = &L->s->tiers[e->inst];
    struct sim_itype types[SIM_MAX_TYPES];
    int n = 0;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", e->value);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (n == SIM_MAX_TYPES)
            return as_err_set(err, AS_EINVAL, "key 'types': at most %d types", SIM_MAX_TYPES);
        if (parse_type(tok, &types[n], err) != AS_OK)
            return AS_EINVAL;
        for (int k = 0; k < n; k++)
            if (strcmp(types[k].name, types[n].name) == 0)
                return as_err_set(err, AS_EINVAL, "key 'types': '%s' given twice", types[n].name);
        n++;
    }
    if (n == 0)
        return as_err_set(err, AS_EINVAL, "key 'types': empty list");
    memcpy(t->types, types, (size_t)n * sizeof types[0]);
    t->ntypes = n;
    return AS_OK;
}

static const sim_key tier_keys[] = {
    {"types", set_types,
     "instance types NAME:FACTOR:PRICE:BOOT, ... (FACTOR x concurrency servers each)"},
    /* the node layer's (sim_scenario_nodes.c) */
    {"cpu_request", sim_set_cpu_request,
     "CPU one pod requests of a node, with [nodepool.NAME] (0.5, 500m)"},
    {"memory_request", sim_set_mem_request,
     "memory one pod requests of a node, with [nodepool.NAME] (512Mi, 1Gi)"},
    {"pod_manifest", sim_set_pod_manifest,
     "Kubernetes workload YAML whose containers' requests are the pods' (the keys above win)"},
    {0},
};

static const sim_section tier_section = {
    .name = "tier",
    .flags = SIM_SEC_NAMED,
    .help_name = "tier.NAME",
    .plural = "tiers",
    .bare = "app",
    .max = SIM_MAX_TIERS,
    .inst = tier_inst,
    .add = tier_add,
    .custom = tier_keys,
    .tables = {{tier_params, tier_obj, NULL}},
    .check = sim_check_tiers,
};

/* ---- [slo], [monitoring], [faults] ---- */

static const as_param_def slo_params[] = {
    {"latency", AS_P_SECONDS, offsetof(sim_scenario, slo_latency), 1e-6, 86400, NULL, 0,
     "L: end-to-end response time the share `percentile` of requests must be within"},
    {"percentile", AS_P_DOUBLE, offsetof(sim_scenario, slo_percentile), 0.5, 0.9999, NULL, 0,
     "p: share of each window's requests to serve within latency (0.95 or 95%)"},
    {"window", AS_P_DURATION, offsetof(sim_scenario, slo_window), 1e-3, 10 * SIM_YEAR_S, NULL, 0,
     "W: the SLO is judged per window of this length, by arrival (default 1m; a multiple "
     "of tick, and of record or a divisor of it)"},
    {"error_rate", AS_P_DOUBLE, offsetof(sim_scenario, slo_max_errors), 0, 1, NULL, 0,
     "optional: share of a window's requests that may fail (give up, be dropped); "
     "a window over it fails too"},
    {"penalty", AS_P_DOUBLE, offsetof(sim_scenario, penalty_per_hour), 0, 1e9, NULL, 0,
     "cost of one hour of failed windows"},
    {"max_violation", AS_P_DOUBLE, offsetof(sim_scenario, max_violation), 0, 1, NULL, 0,
     "the old form of objective: the share of windows that may fail (1% = objective 99%); "
     "not with objective"},
    {0},
};

/* objective = O, in (0, 100%]: 0 would pass a run whose every window
 * fails, so the bound is open there (a table's bounds are closed). */
static int set_objective(sim_loader *L, const sim_entry *e, as_err *err)
{
    double v = 0;
    int rc = as_parse_double(e->value, &v, err);
    if (rc == AS_OK && !(v > 0 && v <= 1))
        rc = as_err_set(err, AS_EINVAL, "%s is outside (0, 100%%]", e->value);
    if (rc != AS_OK)
        return as_err_prefix(err, "key 'objective': ");
    L->s->slo_objective = v;
    L->s->slo_objective_set = true;
    return AS_OK;
}

static const sim_key slo_keys[] = {
    {"objective", set_objective,
     "O: share of windows that must hold for the run to meet the SLO, in (0, 100%] "
     "(default 99%)"},
    {0},
};

static const sim_section slo_section = {
    .name = "slo",
    .custom = slo_keys,
    .tables = {{slo_params, scenario_obj, NULL}},
    .check = sim_check_slo,
};

/* [clients]: what clients do when served late (sim_check_slo checks them). */
static const as_param_def clients_params[] = {
    {"timeout", AS_P_DURATION, offsetof(sim_scenario, timeout), 0, 86400, NULL, 0,
     "a request still waiting this long after it arrived gives up: an error, never served "
     "(> 0; without the key clients wait forever)"},
    {"retries", AS_P_INT, offsetof(sim_scenario, retries), 0, 10, NULL, 0,
     "a request that gave up or was dropped comes back as a new arrival, at most this many "
     "times"},
    {"backoff", AS_P_DURATION, offsetof(sim_scenario, backoff), 1e-3, 3600, NULL, 0,
     "wait before retry k: min(backoff 2^(k-1), backoff_max), uniform on [b/2, b] (100ms)"},
    {"backoff_max", AS_P_DURATION, offsetof(sim_scenario, backoff_max), 1e-3, 86400, NULL, 0,
     "cap of the backoff (10s)"},
    {0},
};

static const sim_section clients_section = {
    .name = "clients",
    .tables = {{clients_params, scenario_obj, NULL}},
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

static const sim_section monitoring_section = {
    .name = "monitoring",
    .tables = {{monitoring_params, scenario_obj, NULL}},
    .check = sim_check_monitoring,
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
    {0},
};

/* metric_outage = START, LENGTH: one more window (the key repeats). */
static int set_outage(sim_loader *L, const sim_entry *e, as_err *err)
{
    sim_scenario *s = L->s;
    as_time st, ln;
    if (as_parse_span(e->value, &st, &ln, err) != AS_OK)
        return as_err_prefix(err, "key 'metric_outage': ");
    if (s->noutages == SIM_MAX_OUTAGES)
        return as_err_set(err, AS_EINVAL, "key 'metric_outage': at most %d", SIM_MAX_OUTAGES);
    s->outage_start[s->noutages] = st;
    s->outage_len[s->noutages++] = ln;
    return AS_OK;
}

static const sim_key faults_keys[] = {
    {"metric_outage", set_outage,
     "START, LENGTH: the monitor sees nothing in this window (repeatable)"},
    {0},
};
static const char *const faults_repeat[] = {"metric_outage", NULL};

static const sim_section faults_section = {
    .name = "faults",
    .repeat = faults_repeat,
    .custom = faults_keys,
    .tables = {{faults_params, scenario_obj, NULL}},
};

/* ---- [sweep] ---- */

static const as_param_def sweep_params[] = {
    {"repetitions", AS_P_INT, offsetof(sim_scenario, repetitions), 1, MAX_REPETITIONS, NULL, 0,
     "runs per point, each with a seed derived from the scenario's"},
    {0},
};

/* The section.key a grid key varies must exist: a sweep point is a set of
 * --set overrides, and those never add a section. */
static int sweep_target(sim_loader *L, const char *key, as_err *err)
{
    const char *dot = strrchr(key, '.');
    char section[SIM_KEY_LEN];
    snprintf(section, sizeof section, "%.*s", (int)(dot - key), key);
    const char *inst = NULL;
    const sim_section *sec = sim_section_find(section, &inst);
    if (sec == NULL)
        return as_err_set(err, AS_EINVAL, "key '%s': no section [%s]", key, section);
    if ((sec->flags & SIM_SEC_NAMED) && sim_section_inst(sec, L->s, inst) < 0) {
        char known[256];
        sim_section_list(sec, L->s, known, sizeof known);
        return as_err_set(err, AS_EINVAL, "key '%s': no [%s] (%s: %s)", key, section, sec->plural,
                          known);
    }
    return AS_OK;
}

/* SECTION.KEY = v1,v2,... or lo:hi:step (expanded by sim_sweep). */
static int sweep_key(sim_loader *L, const sim_entry *e, as_err *err)
{
    sim_scenario *s = L->s;
    if (strchr(e->key, '.') == NULL || s->nsweep == SIM_MAX_SWEEP ||
        strlen(e->key) >= sizeof s->sweep[0].key || strlen(e->value) >= sizeof s->sweep[0].values)
        return as_err_set(err, AS_EINVAL,
                          "key '%s': expected SECTION.KEY = v1,v2,... or lo:hi:step "
                          "(at most %d keys)",
                          e->key, SIM_MAX_SWEEP);
    int rc = sweep_target(L, e->key, err);
    if (rc != AS_OK)
        return rc;
    struct sim_sweep_key *k = &s->sweep[s->nsweep++];
    snprintf(k->key, sizeof k->key, "%s", e->key);
    snprintf(k->values, sizeof k->values, "%s", e->value);
    k->line = e->line;
    return AS_OK;
}

static int sweep_help(FILE *f, const char *filter)
{
    if (filter != NULL || f == NULL)
        return 0;
    fprintf(f, "    %-20s values of one key per run: v1,v2,... or lo:hi:step (e.g. "
               "policy.hpa.target = 0.5:0.8:0.1)\n",
            "SECTION.KEY");
    return 1;
}

static const sim_section sweep_section = {
    .name = "sweep",
    .tables = {{sweep_params, scenario_obj, NULL}},
    .other = sweep_key,
    .help = sweep_help,
};

/* ---- the table ---- */

const sim_section *const sim_sections[] = {
    &scenario_section,   &trace_section,      &tier_section,
    &sim_nodepool_section, &sim_nodes_section, &slo_section, &clients_section,
    &monitoring_section, &faults_section,     &sim_policy_section, &sweep_section,
    NULL,
};

const sim_section *sim_section_find(const char *section, const char **inst)
{
    *inst = NULL;
    for (const sim_section *const *p = sim_sections; *p; p++) {
        const sim_section *sec = *p;
        size_t len = strlen(sec->name);
        if (strncmp(section, sec->name, len) != 0)
            continue;
        if (section[len] == '\0' && !(sec->flags & SIM_SEC_NAMED))
            return sec;
        if (section[len] == '\0' && sec->bare != NULL) {
            *inst = sec->bare;
            return sec;
        }
        if (section[len] == '.' && (sec->flags & SIM_SEC_NAMED)) {
            *inst = section + len + 1;
            return sec;
        }
    }
    return NULL;
}

int sim_section_inst(const sim_section *sec, const sim_scenario *s, const char *name)
{
    const char *n;
    for (int i = 0; (n = sec->inst(s, i)) != NULL; i++)
        if (strcmp(n, name) == 0)
            return i;
    return -1;
}

void sim_section_list(const sim_section *sec, const sim_scenario *s, char *buf, size_t n)
{
    size_t k = 0;
    const char *name;
    buf[0] = '\0';
    for (int i = 0; (name = sec->inst(s, i)) != NULL && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "", name);
    if (buf[0] == '\0')
        snprintf(buf, n, "none");
}
