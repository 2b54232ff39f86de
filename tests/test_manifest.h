/* test_manifest.h - what the manifest tests share (test_manifest*.c): a
 * policy with its kind's defaults, the resolved value of a key as the
 * results file records it, a manifest applied with its warnings collected,
 * and the file:line: of a text in a data file.
 * Owns: the policies and warning buffers it returns (callers free them);
 * get() and at() return static buffers, valid until the next call.
 * Invariant: the tests run from the project root (data in tests/data/).
 * Must not: hold state between tests. The helpers are static inline: each
 * test file uses a subset. */
#ifndef TEST_MANIFEST_H
#define TEST_MANIFEST_H

#include "as_param.h"
#include "as_policy.h"
#include "sim_manifest.h"
#include "sim_results.h"
#include "sim_run.h"
#include "sim_scenario.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define D(name) "tests/data/" name

/* A policy as the loader has it after `kind = ...`: defaults applied. */
static inline sim_policy_cfg *mk_policy(const char *kind)
{
    sim_policy_cfg *p = calloc(1, sizeof *p);
    cr_assert_not_null(p);
    snprintf(p->name, sizeof p->name, "t");
    p->type = as_policy_type_find(kind);
    cr_assert_not_null(p->type, "kind %s", kind);
    p->cfg = calloc(1, p->type->config_size);
    cr_assert_not_null(p->cfg);
    p->type->defaults(p->cfg);
    return p;
}

static inline void free_policy(sim_policy_cfg *p)
{
    free(p->cfg);
    free(p);
}

/* The resolved value of key, formatted as the results file records it. */
static inline const char *get(const sim_policy_cfg *p, const char *key)
{
    static char buf[320];
    const as_param_def *d = as_param_find(p->type->params, key);
    cr_assert_not_null(d, "no key %s", key);
    as_param_format(d, p->cfg, buf, sizeof buf);
    return buf;
}

#define EXPECT(p, key, want)                                                                       \
    cr_expect_str_eq(get(p, key), want, "key %s = %s, want %s", key, get(p, key), want)

/* A warning sink that writes each line to a stream (ud). */
static inline void to_stream(void *ud, const char *line)
{
    fprintf((FILE *)ud, "%s\n", line);
}

/* Apply a manifest, collecting the warnings into *warn_out (caller frees). */
static inline int apply(const char *key, const char *path, sim_policy_cfg *p, char **warn_out,
                        as_err *e)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *w = open_memstream(&buf, &n);
    cr_assert_not_null(w);
    sim_warn sink = {to_stream, w, false};
    int rc = sim_manifest_apply(key, path, p, &sink, e);
    fclose(w);
    if (warn_out)
        *warn_out = buf;
    else
        free(buf);
    return rc;
}

/* "path:N:" where N is the line of the first occurrence of needle. */
static inline const char *at(const char *path, const char *needle)
{
    static char out[256];
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[512];
    int n = 0, found = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        if (strstr(line, needle)) {
            found = n;
            break;
        }
    }
    fclose(f);
    cr_assert(found > 0, "'%s' not in %s", needle, path);
    snprintf(out, sizeof out, "%s:%d:", path, found);
    return out;
}

static inline int count(const char *hay, const char *needle)
{
    int c = 0;
    for (const char *s = hay; (s = strstr(s, needle)) != NULL; s++)
        c++;
    return c;
}

#endif
