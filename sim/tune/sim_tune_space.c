/* sim_tune_space.c - what `simrun tune` searches for each policy kind: the
 * keys, their ranges and their resolution, as one table.
 *
 * The resolution of a key is what its deployed form can express or what
 * a difference smaller than it cannot matter for: whole percents for a
 * utilisation target (the HPA's averageUtilization and the AWS
 * TargetValue are written so), 15 s for windows, periods and cooldowns
 * (the HPA's sync period; AWS evaluates each minute), whole pods and 5-10
 * percent steps for rate policies. The grid a run count is compared with
 * is the product of (range / resolution + 1) over the keys.
 * The ranges are those a person would try: a target from 30 % to 95 %,
 * windows up to 10 minutes. `--param policy.P.KEY=LO:HI[:STEP]` changes a
 * range or adds a numeric key of the kind.
 *
 * `--param policy.P.rps=LO:HI` (kind hpa) searches a Pods
 * requests-per-second metric (averageValue per pod) in place of the CPU
 * target. Why it is there: CPU utilisation saturates at the pod's limit,
 * so in an overload one reconcile asks for at most current / target pods,
 * and the next step waits for those pods to boot; a flash crowd of 8x
 * then takes several boot times to meet, however fast the behavior
 * policies allow (spike.ini: up_policies of 80 pods or 900 % per 15 s
 * change nothing), and the search buys it with a low target, paid in every
 * calm hour. A request rate does not saturate: the first reconcile asks
 * for the whole need. It is opt-in because it needs a custom metrics
 * pipeline (prometheus-adapter or the like) the cluster may not have. */
#include "sim_tune_int.h"

#include "as_param.h"
#include "as_policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct space_key {
    const char *key;
    double lo, hi, step;
} space_key;

typedef struct space {
    const char *kind;
    space_key keys[SIM_TUNE_MAXDIM];
    const char *fixed[4];          /* settings the written file implies */
    const char *below, *above;     /* keep below < above - gap (step thresholds) */
    double gap;
} space;

static const space spaces[] = {
    /* Kubernetes HPA: the target, the scale-down stabilization window and
     * the behavior policies (scale-up Pods and Percent, scale-down Percent
     * and its period: rule keys, below); spec.behavior must be there for
     * the controller to read any of them */
    {"hpa",
     {{"target", 0.30, 0.95, 0.01},
      {"down_stabilization", 0, 600, 15},
      {"up_pods", 1, 20, 1},
      {"up_percent", 10, 500, 10},
      {"down_percent", 5, 100, 5},
      {"down_period", 15, 600, 15}},
     {"behavior=true", NULL}, NULL, NULL, 0},
    /* AWS target tracking (EC2: no scale-out cooldown, the warmup does it) */
    {"target",
     {{"target", 0.30, 0.95, 0.01}, {"warmup", 0, 600, 15}},
     {"scale_out_cooldown=0s", NULL}, NULL, NULL, 0},
    /* AWS step scaling: the alarm thresholds that bound its steps, the cooldown */
    {"step",
     {{"out_threshold", 0.40, 0.95, 0.01}, {"in_threshold", 0.05, 0.60, 0.01},
      {"cooldown", 0, 600, 15}},
     {NULL}, "in_threshold", "out_threshold", 0.05},
    /* predictive (model-predictive control): the weight of the SLO penalty
     * against the price of instances, and how long a plan holds capacity
     * before scale-in */
    {"predictive",
     {{"risk", 0.1, 10.0, 0.1}, {"scale_in_window", 0, 1800, 60}},
     {NULL}, NULL, NULL, 0},
    /* aws_predictive (the forecast-and-target rule an AWS PredictiveScaling
     * policy configures): the target, when to fall back to reactive, the
     * scale-in margin */
    {"aws_predictive",
     {{"target", 0.30, 0.95, 0.01}, {"max_spread", 0.05, 2.0, 0.05},
      {"scale_in_margin", 0, 0.5, 0.05}},
     {NULL}, NULL, NULL, 0},
};
#define NSPACES (sizeof spaces / sizeof spaces[0])

/* Kind hpa keeps each direction's behavior policies as one text key
 * (up_policies = pods:4:15s, percent:100:15s). The tune searches their
 * numbers as these rule keys and writes them back into that text
 * (rules_render), the rest of the scenario's list kept as it was. A
 * numeric key per policy in the kind itself was the alternative; it
 * cannot say "two Percent policies with their own periods", which the
 * text (and the API) can. A type absent from the scenario's list starts
 * at the API's default (Pods 4, Percent 100); a period applies to every
 * policy of its direction. */
typedef struct rule_key {
    const char *key, *param, *type; /* type NULL: the direction's period */
    double max, dflt;
} rule_key;

static const rule_key rule_keys[] = {
    {"up_pods", "up_policies", "pods", 1e6, 4},
    {"up_percent", "up_policies", "percent", 1e6, 100},
    {"up_period", "up_policies", NULL, 1800, 15},
    {"down_pods", "down_policies", "pods", 1e6, 4},
    {"down_percent", "down_policies", "percent", 1e6, 100},
    {"down_period", "down_policies", NULL, 1800, 15},
};
#define NRULE_KEYS (sizeof rule_keys / sizeof rule_keys[0])

/* The rule key `key` of policy p's kind, or NULL. */
static const rule_key *rule_of(const sim_policy_cfg *p, const char *key)
{
    for (size_t i = 0; i < NRULE_KEYS; i++) {
        if (strcmp(rule_keys[i].key, key) != 0)
            continue;
        const as_param_def *d = as_param_find(p->type->params, rule_keys[i].param);
        return d && d->kind == AS_P_STRING ? &rule_keys[i] : NULL;
    }
    return NULL;
}

/* Is key the `rps` metric key of p's kind (an HPA, whose `metrics` text
 * takes pods:rps:averagevalue:V)? */
static int is_rps(const sim_policy_cfg *p, const char *key)
{
    const as_param_def *d = as_param_find(p->type->params, "metrics");
    return strcmp(key, "rps") == 0 && strcmp(p->type->name, "hpa") == 0 && d &&
           d->kind == AS_P_STRING;
}

/* The text of string key `key` of p's kind ("" when it has none). */
static const char *text_of(const sim_policy_cfg *p, const char *key)
{
    const as_param_def *d = as_param_find(p->type->params, key);
    return d && d->kind == AS_P_STRING ? (const char *)p->cfg + d->offset : "";
}

/* One "TYPE:VALUE:PERIOD" item of a rules text. */
typedef struct rule_item {
    char type[16], period[48];
    long value;
} rule_item;

/* The items of a rules text (the kind validated it when it loaded). */
static int rules_parse(const char *text, rule_item *it, int max)
{
    int n = 0;
    for (const char *q = text; *q && n < max;) {
        q += strspn(q, " \t,");
        size_t len = strcspn(q, ",");
        char item[64];
        snprintf(item, sizeof item, "%.*s", (int)len, q);
        if (sscanf(item, "%15[a-z]:%ld:%47[0-9a-z.]", it[n].type, &it[n].value,
                   it[n].period) == 3)
            n++;
        q += len;
    }
    return n;
}

/* The scenario's value of rule key k in the text. */
static double rule_value(const rule_key *k, const char *text)
{
    rule_item it[16];
    int n = rules_parse(text, it, 16);
    for (int i = 0; i < n; i++) {
        if (k->type == NULL) {
            as_time t;
            return as_parse_duration(it[i].period, &t, NULL) == AS_OK ? as_time_to_s(t)
                                                                        : k->dflt;
        }
        if (strcmp(it[i].type, k->type) == 0)
            return (double)it[i].value;
    }
    return k->dflt;
}

/* "policy.P.up_policies=..." for direction `dir` (0 up, 1 down) with the
 * searched rule keys' values (txt) written in; nothing when none is. */
static size_t rules_render(const sim_tune_result *r, int dir, char (*txt)[48], char *out,
                           size_t n)
{
    const char *param = dir ? "down_policies" : "up_policies";
    rule_item it[16];
    int ni = rules_parse(r->rules[dir], it, 16), any = 0;
    for (int i = 0; i < r->ndim; i++) {
        const rule_key *k = NULL;
        for (size_t j = 0; j < NRULE_KEYS; j++)
            if (strcmp(rule_keys[j].key, r->dim[i].key) == 0)
                k = &rule_keys[j];
        if (k == NULL || strcmp(k->param, param) != 0)
            continue;
        any = 1;
        int hit = 0;
        for (int j = 0; j < ni; j++) {
            if (k->type == NULL)
                snprintf(it[j].period, sizeof it[j].period, "%s", txt[i]);
            else if (strcmp(it[j].type, k->type) == 0)
                it[j].value = strtol(txt[i], NULL, 10), hit = 1;
        }
        if (k->type != NULL && !hit && ni < 16) {
            snprintf(it[ni].type, sizeof it[ni].type, "%s", k->type);
            snprintf(it[ni].period, sizeof it[ni].period, "%s", ni ? it[0].period : "15s");
            it[ni++].value = strtol(txt[i], NULL, 10);
        }
    }
    if (!any)
        return 0;
    size_t l = (size_t)snprintf(out, n, "policy.%s.%s=", r->policy, param);
    for (int j = 0; j < ni && l < n; j++) /* no blank: sets are split at blanks */
        l += (size_t)snprintf(out + l, n - l, "%s%s:%ld:%s", j ? "," : "", it[j].type,
                              it[j].value, it[j].period);
    return l;
}

static const space *space_of(const char *kind)
{
    for (size_t i = 0; i < NSPACES; i++)
        if (strcmp(spaces[i].kind, kind) == 0)
            return &spaces[i];
    return NULL;
}

int sim_tune_kind_check(const char *kind, as_err *err)
{
    if (space_of(kind) != NULL)
        return AS_OK;
    char list[200] = "";
    for (size_t i = 0; i < NSPACES; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", spaces[i].kind);
    }
    if (as_policy_type_find(kind) != NULL)
        return as_err_set(err, AS_EINVAL, "--kind %s: a %s policy has nothing to tune (kinds "
                          "that can be tuned: %s)", kind, kind, list);
    return as_err_set(err, AS_EINVAL, "--kind %s: not a policy kind (kinds that can be tuned: %s)",
                      kind, list);
}

const char *const *tune_fixed(const char *kind)
{
    const space *s = space_of(kind);
    return s ? s->fixed : NULL;
}

/* Set dimension d from key k of policy p (its type from the kind's table). */
static int dim_set(sim_tune_dim *d, const sim_policy_cfg *p, const char *key, double lo,
                   double hi, double step, as_err *err)
{
    const rule_key *rk = rule_of(p, key);
    as_param_def rdef = {0};
    if (rk != NULL) { /* a number inside up_/down_policies */
        rdef.kind = rk->type ? AS_P_INT : AS_P_DURATION;
        rdef.min = 1;
        rdef.max = rk->max;
    } else if (is_rps(p, key)) { /* the value of a pods:rps:averagevalue metric */
        rdef.kind = AS_P_INT;
        rdef.min = 1;
        rdef.max = 1e6;
    }
    const as_param_def *def = rk || rdef.kind ? &rdef : as_param_find(p->type->params, key);
    if (def == NULL || (def->kind != AS_P_DOUBLE && def->kind != AS_P_INT &&
                        def->kind != AS_P_DURATION)) {
        char keys[400] = "";
        for (const as_param_def *q = p->type->params; q && q->name; q++) {
            if (q->kind != AS_P_DOUBLE && q->kind != AS_P_INT && q->kind != AS_P_DURATION)
                continue;
            size_t l = strlen(keys);
            snprintf(keys + l, sizeof keys - l, "%s%s", l ? ", " : "", q->name);
        }
        for (size_t i = 0; i < NRULE_KEYS; i++) {
            size_t l = strlen(keys);
            if (rule_of(p, rule_keys[i].key))
                snprintf(keys + l, sizeof keys - l, ", %s", rule_keys[i].key);
        }
        if (is_rps(p, "rps")) {
            size_t l = strlen(keys);
            snprintf(keys + l, sizeof keys - l, ", rps");
        }
        return as_err_set(err, AS_EINVAL, "policy.%s.%s: kind %s has no numeric key '%s' "
                          "(keys: %s)", p->name, key, p->type->name, key, keys);
    }
    if (!(step > 0) || !(hi >= lo) || lo < def->min || hi > def->max)
        return as_err_set(err, AS_EINVAL, "policy.%s.%s: range %g:%g:%g must have step > 0 "
                          "and lie within %g..%g", p->name, key, lo, hi, step, def->min,
                          def->max);
    snprintf(d->name, sizeof d->name, "policy.%s.%s", p->name, key);
    d->key = d->name + strlen(d->name) - strlen(key);
    d->lo = lo;
    d->hi = hi;
    d->step = step;
    d->type = def->kind == AS_P_INT ? SIM_TUNE_INT
              : def->kind == AS_P_DURATION ? SIM_TUNE_DUR : SIM_TUNE_NUM;
    if (d->type == SIM_TUNE_INT && step != floor(step))
        return as_err_set(err, AS_EINVAL, "policy.%s.%s: a whole number; step %g", p->name,
                          key, step);
    return AS_OK;
}

/* A number or a duration (in seconds). */
static int num_or_dur(const char *s, double *v)
{
    as_time t;
    if (as_parse_double(s, v, NULL) == AS_OK)
        return 0;
    if (as_parse_duration(s, &t, NULL) == AS_OK) {
        *v = as_time_to_s(t);
        return 0;
    }
    return -1;
}

/* --param policy.P.KEY=LO:HI[:STEP] */
static int apply_param(sim_tune_result *r, const sim_policy_cfg *p, const char *arg, as_err *err)
{
    char name[128], a[64] = "", b[64] = "", c[64] = "";
    const char *eq = strchr(arg, '=');
    size_t pl = strlen(p->name);
    if (eq == NULL || (size_t)(eq - arg) >= sizeof name)
        return as_err_set(err, AS_EINVAL, "--param %s: expected policy.%s.KEY=LO:HI[:STEP]", arg,
                          p->name);
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
    if (strncmp(name, "policy.", 7) != 0 || strncmp(name + 7, p->name, pl) != 0 ||
        name[7 + pl] != '.')
        return as_err_set(err, AS_EINVAL, "--param %s: unknown parameter '%s': the tune searches "
                          "[policy.%s] (kind %s), so its parameters are policy.%s.KEY",
                          arg, name, p->name, p->type->name, p->name);
    const char *key = name + 8 + pl;
    int n = sscanf(eq + 1, "%63[^:]:%63[^:]:%63s", a, b, c);
    double lo, hi, step = 0;
    if (n < 2 || num_or_dur(a, &lo) || num_or_dur(b, &hi) || (n == 3 && num_or_dur(c, &step)))
        return as_err_set(err, AS_EINVAL, "--param %s: expected LO:HI[:STEP] (numbers or "
                          "durations)", arg);
    int i = 0;
    while (i < r->ndim && strcmp(r->dim[i].key, key) != 0)
        i++;
    if (i == r->ndim && r->ndim == SIM_TUNE_MAXDIM)
        return as_err_set(err, AS_EINVAL, "--param %s: at most %d parameters", arg,
                          SIM_TUNE_MAXDIM);
    if (n < 3)
        step = i < r->ndim ? r->dim[i].step : (hi - lo) / 20;
    if (!(step > 0))
        step = 1;
    int rc = dim_set(&r->dim[i], p, key, lo, hi, step, err);
    if (rc != AS_OK)
        return as_err_prefix(err, "--param: ");
    if (i == r->ndim)
        r->ndim++;
    return AS_OK;
}

/* With an rps key the CPU target is no longer searched (the HPA reads one
 * or the other); asking for both is an error. */
static int rps_replaces_target(sim_tune_result *r, const sim_policy_cfg *p, int user_target,
                               as_err *err)
{
    int rps = -1, tgt = -1;
    for (int i = 0; i < r->ndim; i++) {
        if (is_rps(p, r->dim[i].key))
            rps = i;
        if (strcmp(r->dim[i].key, "target") == 0)
            tgt = i;
    }
    if (rps < 0 || tgt < 0)
        return AS_OK;
    if (user_target)
        return as_err_set(err, AS_EINVAL, "--param policy.%s.rps and policy.%s.target: the HPA "
                          "scales on a requests-per-second metric or on CPU at a target, not "
                          "both; give one", p->name, p->name);
    memmove(&r->dim[tgt], &r->dim[tgt + 1], sizeof r->dim[0] * (size_t)(r->ndim - tgt - 1));
    r->ndim--;
    for (int i = tgt; i < r->ndim; i++) /* key points into name: follow the move */
        r->dim[i].key = strrchr(r->dim[i].name, '.') + 1;
    return AS_OK;
}

int tune_space_init(sim_tune_result *r, const sim_policy_cfg *p, const sim_tune_opts *o,
                    as_err *err)
{
    const space *s = space_of(p->type->name);
    if (s == NULL)
        return sim_tune_kind_check(p->type->name, err);
    r->ndim = 0;
    for (int i = 0; i < SIM_TUNE_MAXDIM && s->keys[i].key; i++) {
        const space_key *k = &s->keys[i];
        int rc = dim_set(&r->dim[r->ndim++], p, k->key, k->lo, k->hi, k->step, err);
        if (rc != AS_OK) /* a kind changed its keys: the table above must follow */
            return as_err_prefix(err, "the tune space of kind %s: ", s->kind);
    }
    double v;
    if (is_rps(p, "rps") && sscanf(text_of(p, "metrics"), " pods:rps:averagevalue:%lf", &v) == 1) {
        /* the scenario's HPA scales on requests per second: that is the key,
         * over the range a CPU target's 30 % to 95 % spans around 60 % */
        int rc = dim_set(&r->dim[r->ndim], p, "rps", fmax(1, floor(v / 2)),
                         fmax(2, ceil(v * 1.6)), 1, err);
        if (rc != AS_OK)
            return rc;
        r->ndim++;
    }
    int user_target = 0;
    for (int i = 0; i < o->nparams; i++) {
        int rc = apply_param(r, p, o->params[i], err);
        if (rc != AS_OK)
            return rc;
        user_target |= strstr(o->params[i], ".target=") != NULL;
    }
    int rc = rps_replaces_target(r, p, user_target, err);
    if (rc != AS_OK)
        return rc;
    for (int dir = 0; dir < 2; dir++) {
        const as_param_def *def =
            as_param_find(p->type->params, dir ? "down_policies" : "up_policies");
        r->rules[dir][0] = '\0';
        if (def && def->kind == AS_P_STRING)
            snprintf(r->rules[dir], sizeof r->rules[dir], "%s",
                     (const char *)p->cfg + def->offset);
    }
    r->grid = 1;
    for (int i = 0; i < r->ndim; i++) {
        sim_tune_dim *d = &r->dim[i];
        r->grid *= floor((d->hi - d->lo) / d->step + 1e-9) + 1;
        const rule_key *rk = rule_of(p, d->key);
        if (rk != NULL)
            r->dflt_x[i] = rule_value(rk, r->rules[rk->param[0] == 'd']);
        else if (is_rps(p, d->key)) /* the scenario's rps metric, or the middle */
            r->dflt_x[i] = sscanf(text_of(p, "metrics"), " pods:rps:averagevalue:%lf", &v) == 1
                               ? v : d->lo + floor((d->hi - d->lo) / d->step / 2) * d->step;
        else if (sim_emit_param(p, d->key, &r->dflt_x[i], err) != AS_OK)
            return err->code;
    }
    return AS_OK;
}

double tune_unit(const sim_tune_dim *d, double x)
{
    return d->hi > d->lo ? (x - d->lo) / (d->hi - d->lo) : 0.5;
}

/* Value of unit coordinate u on d's resolution, as text and as parsed. */
static double snap(const sim_tune_dim *d, double u, char *txt, size_t n)
{
    double steps = floor((d->hi - d->lo) / d->step + 1e-9);
    double k = round((u < 0 ? 0 : u > 1 ? 1 : u) * (d->hi - d->lo) / d->step);
    if (k > steps)
        k = steps;
    double v = d->lo + k * d->step;
    if (d->type == SIM_TUNE_INT)
        snprintf(txt, n, "%.0f", round(v));
    else if (d->type == SIM_TUNE_DUR)
        snprintf(txt, n, "%.6gs", round(v * 1000) / 1000);
    else
        snprintf(txt, n, "%.10g", v);
    return strtod(txt, NULL); /* the value the run will parse ("0.73", not 0.7300000000000001) */
}

void tune_render(const sim_tune_result *r, const double *u, double *x, char *sets, size_t n)
{
    const space *s = space_of(r->kind);
    char txt[SIM_TUNE_MAXDIM][48];
    double uu[SIM_TUNE_MAXDIM];
    memcpy(uu, u, sizeof(double) * (size_t)r->ndim);
    for (int i = 0; i < r->ndim; i++)
        x[i] = snap(&r->dim[i], uu[i], txt[i], sizeof txt[i]);
    if (s && s->below) { /* the pair must keep its order: move `below` down */
        int b = -1, a = -1;
        for (int i = 0; i < r->ndim; i++) {
            if (strcmp(r->dim[i].key, s->below) == 0)
                b = i;
            if (strcmp(r->dim[i].key, s->above) == 0)
                a = i;
        }
        if (a >= 0 && b >= 0 && x[b] > x[a] - s->gap) {
            uu[b] = tune_unit(&r->dim[b], x[a] - s->gap) - 1e-9;
            x[b] = snap(&r->dim[b], uu[b], txt[b], sizeof txt[b]);
            if (x[b] > x[a] - s->gap + 1e-9) /* below lo: step one down */
                x[b] = snap(&r->dim[b], uu[b] - r->dim[b].step / (r->dim[b].hi - r->dim[b].lo),
                            txt[b], sizeof txt[b]);
        }
    }
    size_t l = 0;
    sets[0] = '\0';
    for (int i = 0; s && s->fixed[i] && l < n; i++)
        l += (size_t)snprintf(sets + l, n - l, "%spolicy.%s.%s", l ? " " : "", r->policy,
                              s->fixed[i]);
    for (int i = 0; i < r->ndim && l < n; i++) {
        int rule = 0;
        for (size_t j = 0; j < NRULE_KEYS; j++)
            rule |= strcmp(rule_keys[j].key, r->dim[i].key) == 0; /* only kinds with rules take them */
        if (!rule && strcmp(r->kind, "hpa") == 0 && strcmp(r->dim[i].key, "rps") == 0)
            /* target = 0.8 is the kind's default, the value it takes as "not
             * given" beside metrics (the scenario's own target would be refused) */
            l += (size_t)snprintf(sets + l, n - l, "%spolicy.%s.target=0.8 policy.%s.metrics="
                                  "pods:rps:averagevalue:%s", l ? " " : "", r->policy,
                                  r->policy, txt[i]);
        else if (!rule)
            l += (size_t)snprintf(sets + l, n - l, "%s%s=%s", l ? " " : "", r->dim[i].name,
                                  txt[i]);
    }
    for (int dir = 0; dir < 2 && l + 1 < n; dir++) {
        size_t at = l + (l > 0);
        if (rules_render(r, dir, txt, sets + at, n - at) > 0) {
            if (l > 0)
                sets[l] = ' ';
            l = at + strlen(sets + at);
        }
    }
}
