/* sim_scenario.c - INI scenario loading with inih: the file, the entries,
 * the --set overrides and the passes over the section table.
 *
 * The file is read whole (its text goes into the results file), parsed by
 * inih through a reader that counts lines, and every (section, key, value,
 * line) is collected first; --set overrides replace the file's entry or
 * add one to a section the file has. Then the table of sections
 * (sim_scenario_sections.c) drives four passes: every entry finds its
 * section and instance; each section's prepare stage runs (a policy's
 * kind and manifest); every key is set through its section's tables;
 * each section's rules between keys are checked. So the order of keys in
 * the file does not matter, and every message can name the line. The only
 * file that includes ini.h. */
#include "sim_scenario_int.h"

#include "as_monitor.h"
#include "as_name.h"
#include "sim_file.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_ld_defaults(sim_scenario *s)
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
    s->max_violation = -1;
    s->slo_window = 60 * AS_SEC;
    s->slo_objective = 0.99;
    s->slo_max_errors = -1;
    s->backoff = 100 * AS_MSEC;
    s->backoff_max = 10 * AS_SEC;
    s->scrape = 15 * AS_SEC;
    s->window = 60 * AS_SEC;
    s->lag = 0;
    s->noise = 0.0;
    s->repetitions = 1;
    s->noise_type = SIM_NOISE_MULTIPLICATIVE;
    s->aggregation = AS_AGG_MEAN;
    s->agg_percentile = 0.95;
    s->boot_outlier_factor = 5.0;
    sim_nodes_defaults(&s->nodes);
}

/* ---- collecting entries ---- */

static char *reader(char *str, int num, void *stream)
{
    sim_loader *L = stream;
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

static sim_entry *entry_add(sim_loader *L, const char *section, const char *key, const char *value,
                            int line, int set_index)
{
    if (L->n == L->cap) {
        int ncap = L->cap ? L->cap * 2 : 64;
        sim_entry *ne = realloc(L->e, (size_t)ncap * sizeof *ne);
        if (ne == NULL) {
            L->oom = true;
            return NULL;
        }
        L->e = ne;
        L->cap = ncap;
    }
    sim_entry *e = &L->e[L->n];
    memset(e, 0, sizeof *e);
    snprintf(e->section, sizeof e->section, "%s", section);
    snprintf(e->key, sizeof e->key, "%s", key);
    e->value = strdup(value);
    if (e->value == NULL) {
        L->oom = true;
        return NULL;
    }
    e->line = line;
    e->set_index = set_index;
    e->inst = -1;
    L->n++;
    return e;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    sim_loader *L = user;
    if (L->n >= SIM_MAX_KEYS) { /* inih reads on; the keys are not kept */
        if (L->too_many == 0)
            L->too_many = L->line;
        return 1;
    }
    entry_add(L, section, name, value, L->line, -1);
    return 1;
}

static void free_entries(sim_loader *L)
{
    for (int i = 0; i < L->n; i++)
        free(L->e[i].value);
    free(L->e);
    L->e = NULL;
    L->n = L->cap = 0;
}

/* The file's text (a regular file, at most SIM_SCENARIO_MAX_BYTES, no NUL)
 * into entries. */
static int read_entries(sim_loader *L, as_err *err)
{
    size_t len;
    int rc = sim_file_read(L->file, "a scenario file", SIM_SCENARIO_MAX_BYTES, &L->s->text, &len,
                           err);
    if (rc != AS_OK)
        return rc;
    if (memchr(L->s->text, '\0', len) != NULL)
        return as_err_set(err, AS_EINVAL, "%s: binary data (a NUL byte), not an INI file", L->path);
    L->text = L->s->text;
    int perr = ini_parse_stream(reader, L, handler, L);
    if (L->oom)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    if (L->long_line)
        return as_err_set(err, AS_EINVAL, "%s:%d: line longer than %d characters", L->path,
                          L->long_line, INI_MAX_LINE - 2);
    if (perr != 0)
        return as_err_set(err, AS_EINVAL,
                          "%s:%d: syntax error (expected '[section]' or 'key = value')", L->path,
                          perr);
    if (L->too_many)
        return as_err_set(err, AS_EINVAL, "%s:%d: more than %d keys: not a scenario", L->path,
                          L->too_many, SIM_MAX_KEYS);
    if (L->n == 0)
        return as_err_set(err, AS_EINVAL, "%s: empty scenario (no keys)", L->path);
    L->nfile = L->n;
    return AS_OK;
}

/* ---- --set overrides ---- */

/* Split "a.b.key=value" into section "a.b", key, value. */
static int split_override(const char *arg, char *sec, size_t ns, char *key, size_t nk,
                          const char **value, as_err *err)
{
    char shown[300]; /* the user's text, one printable line */
    as_name_printable(arg, shown, sizeof shown);
    const char *eq = strchr(arg, '=');
    if (eq == NULL)
        return as_err_set(err, AS_EINVAL, "--set %s: expected SECTION.KEY=VALUE", shown);
    const char *dot = NULL;
    for (const char *p = arg; p < eq; p++)
        if (*p == '.')
            dot = p;
    if (dot == NULL || dot == arg || dot + 1 == eq)
        return as_err_set(err, AS_EINVAL, "--set %s: expected SECTION.KEY=VALUE", shown);
    if ((size_t)(dot - arg) >= ns || (size_t)(eq - dot - 1) >= nk)
        return as_err_set(err, AS_EINVAL, "--set %s: name too long", shown);
    memcpy(sec, arg, (size_t)(dot - arg));
    sec[dot - arg] = '\0';
    memcpy(key, dot + 1, (size_t)(eq - dot - 1));
    key[eq - dot - 1] = '\0';
    *value = eq + 1;
    return AS_OK;
}

/* One override: replace the file's entry for the key (keeping its place,
 * so its section's stages see it where the file had it), or add one; a
 * section that reads its own keys (the trace's repeatable events) always
 * gets one more. Whether the section exists is checked with the others. */
static int merge_override(sim_loader *L, int i, as_err *err)
{
    char sec[SIM_KEY_LEN], key[SIM_KEY_LEN];
    const char *value = NULL, *inst;
    int rc = split_override(L->ov[i], sec, sizeof sec, key, sizeof key, &value, err);
    if (rc != AS_OK)
        return rc;
    const sim_section *def = sim_section_find(sec, &inst);
    sim_entry *hit = NULL;
    for (int j = 0; j < L->n && !(def && (def->flags & SIM_SEC_OWN_KEYS)); j++)
        if (strcmp(L->e[j].section, sec) == 0 && strcmp(L->e[j].key, key) == 0)
            hit = &L->e[j];
    if (hit == NULL)
        return entry_add(L, sec, key, value, 0, i) ? AS_OK
                                                   : as_err_set(err, AS_ENOMEM, "out of memory");
    char *v = strdup(value);
    if (v == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    free(hit->value);
    hit->value = v;
    hit->set_index = i;
    return AS_OK;
}

static int merge_overrides(sim_loader *L, int nov, as_err *err)
{
    sim_scenario *s = L->s;
    size_t olen = 0;
    for (int i = 0; i < nov; i++) {
        int rc = merge_override(L, i, err);
        if (rc != AS_OK)
            return rc;
        olen += (size_t)snprintf(s->overrides + olen, sizeof s->overrides - olen, "%s%s",
                                 i ? "\n" : "", L->ov[i]);
        if (olen >= sizeof s->overrides)
            olen = sizeof s->overrides - 1;
    }
    return AS_OK;
}

/* ---- pass 1: every entry in its section and instance ---- */

static int by_section_key(const void *a, const void *b, void *ctx)
{
    const sim_entry *e = ctx;
    const sim_entry *x = &e[*(const int *)a], *y = &e[*(const int *)b];
    int c = strcmp(x->section, y->section);
    if (c == 0)
        c = strcmp(x->key, y->key);
    return c ? c : *(const int *)a - *(const int *)b;
}

/* first[i]: the earliest entry with entry i's section and key, or -1 when
 * i is that one. Sorted, so that a file of many keys costs n log n. */
static int *first_of_each(const sim_loader *L)
{
    int *order = malloc((size_t)L->n * sizeof *order);
    int *first = malloc((size_t)L->n * sizeof *first);
    if (order == NULL || first == NULL) {
        free(order);
        free(first);
        return NULL;
    }
    for (int i = 0; i < L->n; i++)
        order[i] = i;
    qsort_r(order, (size_t)L->n, sizeof *order, by_section_key, L->e);
    for (int k = 0; k < L->n; k++) {
        bool same = k > 0 && strcmp(L->e[order[k]].section, L->e[order[k - 1]].section) == 0 &&
                    strcmp(L->e[order[k]].key, L->e[order[k - 1]].key) == 0;
        first[order[k]] = same ? (first[order[k - 1]] < 0 ? order[k - 1] : first[order[k - 1]])
                               : -1;
    }
    free(order);
    return first;
}

static bool in_list(const char *s, const char *const *list)
{
    for (; list && *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

static int count_inst(const sim_section *sec, const sim_scenario *s)
{
    int n = 0;
    while (sec->inst(s, n) != NULL)
        n++;
    return n;
}

/* The instance of a named section: found, or made for a section of the
 * file; a --set never makes one (a typo would build another system). */
static int place_inst(sim_loader *L, sim_entry *e, const char *inst, bool added, as_err *err)
{
    const sim_section *sec = e->sec;
    as_err e2 = {0};
    if (as_name_check(inst, &e2) != AS_OK)
        return as_err_set(err, AS_EINVAL, "bad %s name: %s", sec->name, e2.msg);
    if (strlen(inst) >= SIM_NAME_LEN) /* stored in results in fields of that size */
        return as_err_set(err, AS_EINVAL, "bad %s name: longer than %d bytes", sec->name,
                          SIM_NAME_LEN - 1);
    e->inst = sim_section_inst(sec, L->s, inst);
    if (e->inst >= 0)
        return AS_OK;
    if (added) {
        char known[256];
        sim_section_list(sec, L->s, known, sizeof known);
        return as_err_set(err, AS_EINVAL,
                          "no [%s.%s] in %s (%s: %s); --set changes a section of the file, it "
                          "never adds one",
                          sec->name, inst, L->path, sec->plural, known);
    }
    if (count_inst(sec, L->s) == sec->max)
        return as_err_set(err, AS_EINVAL, "more than %d %s", sec->max, sec->plural);
    e->inst = sec->add(L, inst, e->line);
    return AS_OK;
}

static int place_entry(sim_loader *L, sim_entry *e, int first, bool added, as_err *err)
{
    const char *inst = NULL;
    const sim_section *sec = sim_section_find(e->section, &inst);
    bool repeats = sec && ((sec->flags & SIM_SEC_OWN_KEYS) || in_list(e->key, sec->repeat));
    if (first >= 0 && e->set_index < 0 && !repeats)
        return as_err_set(err, AS_EINVAL, "duplicate key '%s' (first set at line %d)", e->key,
                          L->e[first].line);
    if (sec == NULL) {
        char known[256] = "";
        size_t k = 0;
        for (const sim_section *const *p = sim_sections; *p; p++)
            k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", k ? ", " : "",
                                  (*p)->help_name ? (*p)->help_name : (*p)->name);
        return as_err_set(err, AS_EINVAL, "unknown section (known: %s)", known);
    }
    e->sec = sec;
    e->inst = -1;
    return (sec->flags & SIM_SEC_NAMED) ? place_inst(L, e, inst, added, err) : AS_OK;
}

/* A named section with a default instance (the tier "app") has it when
 * the file has none of its sections. */
static void add_defaults(sim_loader *L)
{
    for (const sim_section *const *p = sim_sections; *p; p++)
        if ((*p)->bare != NULL && count_inst(*p, L->s) == 0)
            (*p)->add(L, (*p)->bare, 0);
}

static int pass_sections(sim_loader *L, as_err *err)
{
    int *first = first_of_each(L);
    if (first == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    int rc = AS_OK;
    for (int i = 0; i < L->n && rc == AS_OK; i++) {
        if (i == L->nfile)
            add_defaults(L); /* before the keys a --set adds, so that they find it */
        if ((rc = place_entry(L, &L->e[i], first[i], i >= L->nfile, err)) != AS_OK)
            rc = sim_ld_where(L, &L->e[i], err);
    }
    if (rc == AS_OK && L->n == L->nfile)
        add_defaults(L);
    free(first);
    return rc;
}

/* ---- pass 3: every key through its section ---- */

static int unknown_key(const sim_section *sec, const char *key, as_err *err)
{
    char known[400] = "";
    size_t k = 0;
    for (int t = 0; t < SIM_SEC_TABLES; t++)
        for (const as_param_def *d = sec->tables[t].defs; d && d->name && k < sizeof known; d++)
            k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", k ? ", " : "", d->name);
    for (const sim_key *c = sec->custom; c && c->name && k < sizeof known; c++)
        k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", k ? ", " : "", c->name);
    char shown[300];
    as_name_printable(key, shown, sizeof shown);
    return as_err_set(err, AS_EINVAL, "unknown key '%s' (known: %s)", shown, known);
}

static int apply_key(sim_loader *L, const sim_entry *e, as_err *err)
{
    const sim_section *sec = e->sec;
    if (sec->flags & SIM_SEC_OWN_KEYS)
        return sec->other(L, e, err);
    for (const sim_key *c = sec->custom; c && c->name; c++)
        if (strcmp(c->name, e->key) == 0)
            return c->set(L, e, err);
    for (int t = 0; t < SIM_SEC_TABLES; t++) {
        const sim_table *tb = &sec->tables[t];
        void *obj = tb->defs ? tb->obj(L, e) : NULL;
        if (obj != NULL && as_param_find(tb->defs, e->key) != NULL)
            return as_param_set(tb->defs, obj, e->key, e->value, err);
    }
    int rc = sec->other ? sec->other(L, e, err) : AS_ENOTFOUND;
    return rc == AS_ENOTFOUND ? unknown_key(sec, e->key, err) : rc;
}

static int pass_keys(sim_loader *L, as_err *err)
{
    for (int i = 0; i < L->n; i++) {
        const sim_entry *e = &L->e[i];
        if (in_list(e->key, e->sec->early))
            continue;
        int rc = apply_key(L, e, err);
        if (rc != AS_OK)
            return rc == AS_ENOMEM ? rc : sim_ld_where(L, e, err);
    }
    return AS_OK;
}

/* ---- the passes ---- */

static int run_passes(sim_loader *L, int nov, as_err *err)
{
    int rc = merge_overrides(L, nov, err);
    if (rc == AS_OK)
        rc = pass_sections(L, err);
    for (const sim_section *const *p = sim_sections; *p && rc == AS_OK; p++)
        if ((*p)->prepare)
            rc = (*p)->prepare(L, err);
    if (rc == AS_OK)
        rc = pass_keys(L, err);
    for (const sim_section *const *p = sim_sections; *p && rc == AS_OK; p++)
        if ((*p)->check)
            rc = (*p)->check(L, err);
    return rc;
}

/* Folder of path (for relative file names in it) and the name its file
 * name gives: up to the first '.' ("spike.ini" -> "spike"). */
static void names_of(const char *path, sim_loader *L)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(L->basedir, sizeof L->basedir, ".");
    else
        snprintf(L->basedir, sizeof L->basedir, "%.*s", (int)(slash - path), path);
    if (L->basedir[0] == '\0')
        snprintf(L->basedir, sizeof L->basedir, "/");
    const char *base = slash ? slash + 1 : path;
    const char *dot = strchr(base, '.');
    snprintf(L->default_name, sizeof L->default_name, "%.*s",
             (int)(dot ? (size_t)(dot - base) : strlen(base)), base);
}

sim_scenario *sim_scenario_open(const char *path, const sim_load_opts *opts, as_err *err)
{
    static const sim_load_opts no_opts = {0};
    if (opts == NULL)
        opts = &no_opts;
    sim_scenario *s = calloc(1, sizeof *s);
    if (s == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory");
        return NULL;
    }
    sim_ld_defaults(s);
    snprintf(s->path, sizeof s->path, "%s", path);
    s->warn = opts->warn;
    sim_loader L = {.file = path, .path = L.shown, .s = s, .ov = opts->overrides,
                    .warn = opts->warn};
    as_name_printable(path, L.shown, sizeof L.shown);
    names_of(path, &L);
    int rc = AS_OK;
    if ((s->trace = tr_config_new()) == NULL)
        rc = as_err_set(err, AS_ENOMEM, "out of memory");
    else
        tr_config_set_basedir(s->trace, L.basedir);
    if (rc == AS_OK)
        rc = read_entries(&L, err);
    if (rc == AS_OK)
        rc = run_passes(&L, opts->noverrides, err);
    free_entries(&L);
    if (rc != AS_OK) {
        sim_scenario_free(s);
        return NULL;
    }
    return s;
}

sim_scenario *sim_scenario_load(const char *path, const char *const *overrides, int noverrides,
                                as_err *err)
{
    sim_load_opts o = {.overrides = overrides, .noverrides = noverrides};
    return sim_scenario_open(path, &o, err);
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

