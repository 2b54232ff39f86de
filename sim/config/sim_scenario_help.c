/* sim_scenario_help.c - `simrun --help-keys [FILTER]`: every section's keys
 * from the same tables the loader reads (sim_sections), each with its
 * allowed values (the bounds and choices the loader enforces) and its
 * default (formatted by as_param_format from a scenario built with the
 * loader's own defaults), so the help cannot drift from what is accepted.
 * Policy keys shared by every kind are set by `kind = ...`, so they show
 * no default here unless their table gives one that holds for every kind
 * (the forecast keys); a kind's own keys show its defaults() values. */
#include "sim_scenario_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sim_help_key(FILE *f, int indent, const as_param_def *d, const char *note, const void *cfg)
{
    char a[400];
    as_param_describe(d, cfg, a, sizeof a);
    fprintf(f, "%*s%-*s %s%s%s\n", indent, "", 24 - indent, d->name, d->help, note ? note : "", a);
}

/* The config the defaults of table t of sec come from (NULL: none shown). */
static const void *defaults_of(sim_loader *L, const sim_section *sec, int t, int *inst)
{
    if (sec->tables[t].help_defaults)
        return sec->tables[t].help_defaults();
    if (strcmp(sec->name, "policy") == 0 || sec->tables[t].obj == NULL)
        return NULL; /* set by kind = ..., not before */
    if ((sec->flags & SIM_SEC_NAMED) && *inst < 0) {
        if (sec->add == NULL)
            return NULL;
        *inst = sec->add(L, "NAME", 0); /* one instance with its defaults */
    }
    sim_entry e = {.inst = *inst};
    return sec->tables[t].obj(L, &e);
}

/* Whether the filter selects the whole section. */
static int whole(const sim_section *sec, const char *filter)
{
    return filter == NULL || strcmp(filter, sec->name) == 0 ||
           (sec->help_name && strcmp(filter, sec->help_name) == 0);
}

static int section_keys(FILE *f, sim_loader *L, const sim_section *sec, const char *filter)
{
    int all = whole(sec, filter), n = 0, head = 0, inst = -1;
    /* a policy kind ("hpa") selects the keys of every policy, and help()
     * prints that kind's own */
    int kind = !all && sec->help && sec->help(NULL, filter) > 0;
    const char *hname = sec->help_name ? sec->help_name : sec->name;
    for (int t = 0; t < SIM_SEC_TABLES; t++) {
        const void *cfg = NULL;
        int got = 0;
        for (const as_param_def *d = sec->tables[t].defs; d && d->name; d++) {
            if (!all && !kind && strcmp(filter, d->name) != 0)
                continue;
            if (!head++)
                fprintf(f, "  [%s]\n", hname);
            if (!got++)
                cfg = defaults_of(L, sec, t, &inst);
            sim_help_key(f, 4, d, sec->tables[t].note, cfg);
            n++;
        }
    }
    for (const sim_key *c = sec->custom; c && c->name; c++) {
        if (!all && !kind && strcmp(filter, c->name) != 0)
            continue;
        if (!head++)
            fprintf(f, "  [%s]\n", hname);
        fprintf(f, "    %-20s %s\n", c->name, c->help);
        n++;
    }
    if (sec->help && (all || kind)) {
        if (!head++)
            fprintf(f, "  [%s]\n", hname);
        n += sec->help(f, all ? NULL : filter);
    }
    return n;
}

int sim_scenario_print_keys(void *stream, const char *filter)
{
    FILE *f = stream;
    sim_scenario *s = calloc(1, sizeof *s);
    if (s == NULL)
        return 0;
    sim_ld_defaults(s);
    sim_loader L = {.s = s};
    int n = 0;
    for (const sim_section *const *p = sim_sections; *p; p++)
        n += section_keys(f, &L, *p, filter);
    free(s);
    return n;
}
