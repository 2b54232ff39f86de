/* sim_scenario_int.h - what the scenario loader's files share inside
 * sim/config: the entries read from the file, the loader state, and the
 * table of sections (sim_scenario_sections.c) that says, per section, how
 * its instances are made, which keys it has and how they are checked.
 * Invariant: the loader is driven by the table alone: a section or key is
 * known because a row says so, never because of a comparison in the
 * loader's code.
 * Must not: be included outside sim/config/sim_scenario*.c. */
#ifndef SIM_SCENARIO_INT_H
#define SIM_SCENARIO_INT_H

#include "as_param.h"
#include "sim_scenario.h"

#include <stdbool.h>
#include <stdio.h>

/* Keys of one scenario, --set included: five times what the largest
 * scenario can hold (32 policies of ~50 keys, 8 tiers, 4 x 64 trace
 * events), small enough that their memory stays a few MB whatever the file. */
#define SIM_MAX_KEYS 10000
/* A year in seconds, for the upper bounds of durations (10 years: no run
 * is that long, and far from the 285 years as_time holds). */
#define SIM_YEAR_S (86400.0 * 366)
/* A section or key name as stored (longer ones are cut, and then unknown). */
#define SIM_KEY_LEN 64

typedef struct sim_section sim_section;

/* One "key = value" of the file or of a --set. */
typedef struct sim_entry {
    char section[SIM_KEY_LEN];
    char key[SIM_KEY_LEN];
    char *value;
    int line;               /* 0 for a key a --set adds */
    int set_index;          /* index of the --set argument, or -1 */
    const sim_section *sec; /* its section, once known */
    int inst;               /* its tier or policy (named sections), else -1 */
} sim_entry;

typedef struct sim_loader {
    const char *file;       /* the scenario file as given */
    const char *path;       /* the same as messages show it (as_name_printable) */
    char shown[1024];
    sim_scenario *s;
    const char *const *ov;  /* the --set arguments */
    const sim_warn *warn;   /* may be NULL */
    sim_entry *e;
    int n, cap;
    int nfile;              /* entries 0..nfile-1 are the file's (some replaced by a --set) */
    char basedir[1024];     /* folder of the scenario, for relative paths */
    char default_name[256]; /* the scenario name the file name gives */
    /* the INI reader */
    const char *text;       /* reader position */
    int line;               /* line number of the last line handed to inih */
    int long_line;          /* first line longer than inih accepts, 0 = none */
    int too_many;           /* line of the first key beyond SIM_MAX_KEYS, 0 = none */
    bool oom;
} sim_loader;

/* A key whose value has a shape only its section reads (a list of
 * records, a repeated window); set() validates and stores it, nothing is
 * written on rejection, and the message starts with "key 'NAME': ". */
typedef struct sim_key {
    const char *name;
    int (*set)(sim_loader *L, const sim_entry *e, as_err *err);
    const char *help;
} sim_key;

/* A parameter table of a section and the struct its keys are written
 * into for entry e (NULL: the table does not apply to e, e.g. forecast
 * keys of a kind without a forecast). */
typedef struct sim_table {
    const as_param_def *defs;
    void *(*obj)(sim_loader *L, const sim_entry *e);
    const char *note; /* added to the help lines of its keys */
    /* --help-keys: the config its defaults are read from when obj cannot
     * give one before a key is set (NULL: obj's, or none shown) */
    const void *(*help_defaults)(void);
} sim_table;

#define SIM_SEC_NAMED 1u    /* [name.NAME]: one instance per NAME (tiers, policies) */
#define SIM_SEC_OWN_KEYS 2u /* every key goes to other(), repeats included; a --set adds one */
#define SIM_SEC_TABLES 4    /* most parameter tables of one section */

struct sim_section {
    const char *name;          /* as written: [name] or [name.NAME] */
    unsigned flags;            /* SIM_SEC_* */
    const char *help_name;     /* header of its help: "tier.NAME" */
    /* SIM_SEC_NAMED */
    const char *plural;        /* "tiers", for messages */
    const char *bare;          /* the instance a bare [name] means ("app"), NULL: none */
    int max;                   /* most instances */
    const char *(*inst)(const sim_scenario *s, int i); /* name of instance i, NULL past the end */
    int (*add)(sim_loader *L, const char *name, int line); /* a new instance with defaults */
    /* keys */
    const char *const *repeat; /* keys that may be given more than once */
    const char *const *early;  /* keys read by prepare(), skipped afterwards */
    const sim_key *custom;     /* NULL-name terminated, or NULL */
    sim_table tables[SIM_SEC_TABLES];
    /* a key no table has: AS_ENOTFOUND when unknown (the loader then lists
     * the known ones), NULL: every other key is unknown */
    int (*other)(sim_loader *L, const sim_entry *e, as_err *err);
    /* stages: after every section is known; after every key is set */
    int (*prepare)(sim_loader *L, as_err *err);
    int (*check)(sim_loader *L, as_err *err);
    /* help lines beyond the tables' (filter: as sim_scenario_print_keys;
     * NULL or one the section matched: all); the count of key lines */
    int (*help)(FILE *f, const char *filter);
};

/* The sections, in the order of --help-keys and of the checks; NULL-terminated. */
extern const sim_section *const sim_sections[];

/* The section of "tier.web" (*inst = "web"), of "tier" (*inst = its bare
 * instance) or of "slo" (*inst = NULL); NULL when there is none. */
const sim_section *sim_section_find(const char *section, const char **inst);
/* Index of instance name in a named section, -1 when there is none. */
int sim_section_inst(const sim_section *sec, const sim_scenario *s, const char *name);
/* "web, app" (at most n bytes), "none" when there are none. */
void sim_section_list(const sim_section *sec, const sim_scenario *s, char *buf, size_t n);

/* Prefix err with where e came from: "FILE:LINE: [section] " or "--set ARG: ". */
int sim_ld_where(const sim_loader *L, const sim_entry *e, as_err *err);
/* An error of a rule between keys, naming the entry that set key in
 * instance inst (-1: none) of sec (the last, as it wins): "FILE:LINE:
 * [SECTION] key 'KEY': MSG", "--set ARG: MSG", or "FILE: [SECTION] MSG"
 * when key has its default. */
int sim_ld_fail_at(const sim_loader *L, const sim_section *sec, int inst, const char *key,
                   as_err *err, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* [policy.NAME] (sim_scenario_policy.c). */
extern const sim_section sim_policy_section;
/* [nodepool.NAME], [nodes], the tiers' pod requests and their defaults
 * (sim_scenario_nodes.c). */
extern const sim_section sim_nodepool_section, sim_nodes_section;
int sim_set_cpu_request(sim_loader *L, const sim_entry *e, as_err *err);
int sim_set_mem_request(sim_loader *L, const sim_entry *e, as_err *err);
int sim_set_pod_manifest(sim_loader *L, const sim_entry *e, as_err *err);
void sim_nodes_defaults(sim_nodes_cfg *n);

/* The cross-key rules of the fixed sections (sim_scenario_check.c), run
 * once every key is set. sim_check_tiers also resolves instance types. */
int sim_check_scenario(sim_loader *L, as_err *err);
int sim_check_trace(sim_loader *L, as_err *err);
int sim_check_tiers(sim_loader *L, as_err *err);
int sim_check_monitoring(sim_loader *L, as_err *err);
/* [slo] and [clients]; derives the objective from max_violation. */
int sim_check_slo(sim_loader *L, as_err *err);

/* The defaults of a scenario's own fields ([scenario], [slo], [monitoring]...). */
void sim_ld_defaults(sim_scenario *s);
/* One line of --help-keys: the key, its help, its allowed values (bounds,
 * choices) and, when cfg is given, its default as a value it accepts. */
void sim_help_key(FILE *f, int indent, const as_param_def *d, const char *note, const void *cfg);

#endif
