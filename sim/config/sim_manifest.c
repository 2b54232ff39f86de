/* sim_manifest.c - Kubernetes HPA manifests and AWS scaling-policy JSON as
 * policy input: the entry points, which kind reads which file, reading the
 * file, and the messages every reader uses.
 *
 * Both readers work the same way: walk the document, check every field the
 * simulator has a counterpart for, write it through the policy's own
 * parameter table (as_param_set, as an INI key would be), and report every
 * other field once to the warning sink with its file and line, so that
 * nothing in a production configuration is dropped silently. Errors name
 * the file, the line and the field ("hpa.yaml:14: spec.maxReplicas: ...").
 * The field mappings are described in sim_manifest_hpa.c and
 * sim_manifest_aws.c. */
#include "sim_manifest_int.h"

#include "as_kind.h"
#include "as_name.h"
#include "as_param.h"
#include "sim_file.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What each configuration flag of a policy kind (as_kind.h) means to the
 * readers: the INI key that names the file and, for AWS, the PolicyType
 * the kind simulates. The kinds say which flag they carry (pol_hpa.c:
 * AS_KIND_CONF_K8S_HPA, ...); no kind name appears here. */
static const struct mf_conf {
    unsigned flag;        /* AS_KIND_CONF_* */
    const char *key;      /* key of [policy.NAME] that names the file */
    const char *aws_type; /* aws_policy: the PolicyType the kind simulates */
} mf_confs[] = {
    {AS_KIND_CONF_K8S_HPA, "manifest", NULL},
    {AS_KIND_CONF_AWS_TARGET, "aws_policy", "TargetTrackingScaling"},
    {AS_KIND_CONF_AWS_STEP, "aws_policy", "StepScaling"},
    {AS_KIND_CONF_AWS_PREDICTIVE, "aws_policy", "PredictiveScaling"},
};
#define MF_NCONFS (sizeof mf_confs / sizeof mf_confs[0])

/* The row of key for a kind with flags, NULL when the key does not
 * configure it. */
static const struct mf_conf *conf_of(const char *key, unsigned flags)
{
    for (size_t i = 0; i < MF_NCONFS; i++)
        if (strcmp(mf_confs[i].key, key) == 0 && (flags & mf_confs[i].flag))
            return &mf_confs[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* messages and the parameter table                                   */

void sim_mf_warn(mf *m, int line, const char *field, const char *fmt, ...)
{
    if (m->warn == NULL || m->warn->fn == NULL)
        return;
    for (int i = 0; i < m->nwarned; i++)
        if (strcmp(m->warned[i], field) == 0)
            return; /* once per field */
    if (m->nwarned < MF_MAX_WARNED)
        snprintf(m->warned[m->nwarned++], MF_FIELD, "%s", field);
    char msg[512], out[1024], where[64] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(where, sizeof where, ":%d", line);
    char pol[SIM_NAME_LEN + 16] = "";
    if (m->p != NULL)
        snprintf(pol, sizeof pol, "[policy.%s] ", m->p->name);
    snprintf(out, sizeof out, "%s%s: warning: %s%s: %s", m->path, where, pol, field, msg);
    m->warn->fn(m->warn->ud, out);
}

int sim_mf_fail(mf *m, int line, const char *field, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char where[64] = "";
    if (line > 0)
        snprintf(where, sizeof where, ":%d", line);
    if (field != NULL && field[0] != '\0')
        return as_err_set(m->err, AS_EINVAL, "%s%s: %s: %s", m->path, where, field, msg);
    return as_err_set(m->err, AS_EINVAL, "%s%s: %s", m->path, where, msg);
}

/* A field with no simulated counterpart: an error naming file, line and
 * field, or under --lenient a warning, the policy then marked approximate.
 * Quietly simulating something else (the alternative) gives numbers that
 * look right and are not. */
int sim_mf_unmodelled(mf *m, int line, const char *field, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (m->warn == NULL || !m->warn->lenient)
        return sim_mf_fail(m, line, field, "%s: not modelled by the simulator (--lenient: a "
                                           "warning, the run marked approximate)",
                           msg);
    if (m->p != NULL)
        m->p->approximate = true;
    sim_mf_warn(m, line, field, "%s: not modelled; ignored (--lenient: run approximate)", msg);
    return AS_OK;
}

/* A rejected value names the manifest field it came from, then the key
 * ("hpa.yaml:12: behavior.scaleDown.policies[0].value: key 'down_percent': ..."). */
int sim_mf_set(mf *m, int line, const char *field, const char *key, const char *fmt, ...)
{
    if (m->p == NULL)
        return AS_OK;
    char val[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(val, sizeof val, fmt, ap);
    va_end(ap);
    int rc = as_param_set(m->p->type->params, m->p->cfg, key, val, m->err);
    if (rc == AS_ENOTFOUND) /* the readers name keys of the kinds */
        return sim_mf_fail(m, line, field, "kind %s has no key '%s'", m->p->type->name, key);
    if (rc != AS_OK) {
        if (line > 0)
            as_err_prefix(m->err, "%s:%d: %s: ", m->path, line, field);
        else
            as_err_prefix(m->err, "%s: %s: ", m->path, field);
    }
    return rc;
}

const char *sim_mf_current(const mf *m, const char *key, char *buf, size_t n)
{
    const as_param_def *d = m->p ? as_param_find(m->p->type->params, key) : NULL;
    if (d == NULL)
        snprintf(buf, n, "?");
    else
        as_param_format(d, m->p->cfg, buf, n);
    return buf;
}

bool sim_mf_in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

int sim_mf_load(mf *m, const char *what)
{
    return sim_file_read(m->file, what, SIM_MANIFEST_MAX_BYTES, &m->text, &m->len, m->err);
}

/* A reading of the file at path; caller frees with mf_free. */
static mf *mf_new(const char *path, as_err *err)
{
    mf *m = calloc(1, sizeof *m); /* ~10 KB of warned-field names: not on the stack */
    if (m == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory");
        return NULL;
    }
    m->file = path;
    as_name_printable(path, m->shown, sizeof m->shown);
    m->path = m->shown;
    m->err = err;
    return m;
}

static void mf_free(mf *m)
{
    if (m == NULL)
        return;
    free(m->text);
    free(m);
}

/* ------------------------------------------------------------------ */

void sim_manifest_kinds(const char *key, char *buf, size_t n)
{
    size_t k = 0, count = 0, total = 0;
    const as_policy_type *const *t;
    for (t = as_policy_types(); *t; t++)
        total += conf_of(key, (*t)->flags) != NULL;
    buf[0] = '\0';
    for (t = as_policy_types(); *t && k < n; t++) {
        if (conf_of(key, (*t)->flags) == NULL)
            continue;
        count++;
        const char *sep = count == 1 ? "" : count == total ? " or " : ", ";
        k += (size_t)snprintf(buf + k, n - k, "%s%s", sep, (*t)->name);
    }
}

static int check_kind(const char *key, const as_policy_type *type, const struct mf_conf **row,
                      as_err *err)
{
    if ((*row = conf_of(key, type->flags)) != NULL)
        return AS_OK;
    bool known_key = false;
    for (size_t i = 0; i < MF_NCONFS; i++)
        known_key |= strcmp(mf_confs[i].key, key) == 0;
    if (!known_key)
        return as_err_set(err, AS_EINVAL, "key '%s': not a manifest key (manifest, aws_policy)",
                          key);
    char kinds[128];
    sim_manifest_kinds(key, kinds, sizeof kinds);
    if (strcmp(key, "manifest") == 0)
        return as_err_set(err, AS_EINVAL,
                          "key 'manifest': a Kubernetes HPA manifest configures kind = %s, not "
                          "kind = %s (AWS policies use aws_policy)",
                          kinds, type->name);
    return as_err_set(err, AS_EINVAL,
                      "key 'aws_policy': an AWS scaling policy configures kind = %s, not kind = %s",
                      kinds, type->name);
}

int sim_manifest_apply(const char *key, const char *path, sim_policy_cfg *p, const sim_warn *warn,
                       as_err *err)
{
    const struct mf_conf *row = NULL;
    int rc = check_kind(key, p->type, &row, err);
    if (rc != AS_OK)
        return rc;
    mf *m = mf_new(path, err);
    if (m == NULL)
        return AS_ENOMEM;
    m->p = p;
    m->warn = warn;
    m->aws_type = row->aws_type;
    if (row->aws_type == NULL) {
        int mn, mx;
        rc = sim_mf_hpa(m, true, &mn, &mx);
    } else {
        rc = sim_mf_aws(m);
    }
    mf_free(m);
    return rc;
}

int sim_manifest_replicas(const char *path, int *min, int *max, as_err *err)
{
    mf *m = mf_new(path, err);
    if (m == NULL)
        return AS_ENOMEM;
    /* the fields were judged by sim_manifest_apply: here an unmodelled
     * one is passed over without a word */
    static const sim_warn judged = {NULL, NULL, true};
    m->warn = &judged;
    int rc = sim_mf_hpa(m, false, min, max);
    mf_free(m);
    return rc;
}
