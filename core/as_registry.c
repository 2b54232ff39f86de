/* as_registry.c - the registry: every policy, forecaster and detector kind,
 * and the checks every kind must pass.
 * Each family is one list below, one line per kind, in the order --help
 * lists them; the copy-me templates have a list of their own, so that the
 * users' lists (as_*_types) never show them. The lists are X-macros so
 * that the one line both declares the kind's exported object and puts it
 * in the table; the alternative, an extern line plus a table line, is two
 * places to forget. */
#include "as_registry.h"

#include <string.h>

/* ---- the lists: one line per kind ------------------------------------- */

#define POLICY_KINDS(X) \
    X(as_pol_static)    \
    X(as_pol_threshold) \
    X(as_pol_hpa)       \
    X(as_pol_target)    \
    X(as_pol_step)      \
    X(as_pol_predictive) \
    X(as_pol_aws_predictive) \
    X(as_pol_hybrid)    \
    X(as_pol_oracle)
#define POLICY_TEMPLATES(X) X(as_pol_template)

#define FORECASTER_KINDS(X)  \
    X(as_fc_naive)           \
    X(as_fc_seasonal_naive)  \
    X(as_fc_ewma)            \
    X(as_fc_holt)            \
    X(as_fc_holt_winters)    \
    X(as_fc_seasonal_drift)  \
    X(as_fc_linreg)          \
    X(as_fc_ar)              \
    X(as_fc_auto)
#define FORECASTER_TEMPLATES(X) X(as_fc_template)

#define DETECTOR_KINDS(X) \
    X(as_det_zscore)      \
    X(as_det_mad)         \
    X(as_det_ewma_residual)
#define DETECTOR_TEMPLATES(X) X(as_det_template)

/* ---- the tables the lists expand to ----------------------------------- */

#define DECLARE_POLICY(k) extern const as_policy_type k;
#define DECLARE_FORECASTER(k) extern const as_forecaster_type k;
#define DECLARE_DETECTOR(k) extern const as_detector_type k;
#define ADDRESS(k) &k,

POLICY_KINDS(DECLARE_POLICY)
POLICY_TEMPLATES(DECLARE_POLICY)
FORECASTER_KINDS(DECLARE_FORECASTER)
FORECASTER_TEMPLATES(DECLARE_FORECASTER)
DETECTOR_KINDS(DECLARE_DETECTOR)
DETECTOR_TEMPLATES(DECLARE_DETECTOR)

static const as_policy_type *const policies[] = {POLICY_KINDS(ADDRESS) NULL};
static const as_policy_type *const policy_templates[] = {POLICY_TEMPLATES(ADDRESS) NULL};
static const as_forecaster_type *const forecasters[] = {FORECASTER_KINDS(ADDRESS) NULL};
static const as_forecaster_type *const forecaster_templates[] = {
    FORECASTER_TEMPLATES(ADDRESS) NULL};
static const as_detector_type *const detectors[] = {DETECTOR_KINDS(ADDRESS) NULL};
static const as_detector_type *const detector_templates[] = {DETECTOR_TEMPLATES(ADDRESS) NULL};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]) - 1) /* without the NULL */

/* ---- the users' lists and lookups (declared in the family headers) ---- */

const as_policy_type *const *as_policy_types(void) { return policies; }
const as_forecaster_type *const *as_forecaster_types(void) { return forecasters; }
const as_detector_type *const *as_detector_types(void) { return detectors; }

const as_policy_type *as_policy_type_find(const char *name)
{
    for (size_t i = 0; name && i < COUNT(policies); i++)
        if (strcmp(policies[i]->name, name) == 0)
            return policies[i];
    return NULL;
}

const as_forecaster_type *as_forecaster_type_find(const char *name)
{
    for (size_t i = 0; name && i < COUNT(forecasters); i++)
        if (strcmp(forecasters[i]->name, name) == 0)
            return forecasters[i];
    return NULL;
}

const as_detector_type *as_detector_type_find(const char *name)
{
    for (size_t i = 0; name && i < COUNT(detectors); i++)
        if (strcmp(detectors[i]->name, name) == 0)
            return detectors[i];
    return NULL;
}

unsigned as_policy_flags_of(const char *name)
{
    const as_policy_type *t = as_policy_type_find(name);
    return t ? t->flags : 0u;
}

/* ---- every kind, templates included ----------------------------------- */

const char *as_family_name(as_family f)
{
    static const char *const names[AS_FAMILY_COUNT] = {"policy", "forecaster", "detector"};
    return f >= 0 && f < AS_FAMILY_COUNT ? names[f] : "?";
}

const as_policy_type *as_registry_policy(size_t i)
{
    return i < COUNT(policies) ? policies[i]
           : i - COUNT(policies) < COUNT(policy_templates)
               ? policy_templates[i - COUNT(policies)]
               : NULL;
}

const as_forecaster_type *as_registry_forecaster(size_t i)
{
    return i < COUNT(forecasters) ? forecasters[i]
           : i - COUNT(forecasters) < COUNT(forecaster_templates)
               ? forecaster_templates[i - COUNT(forecasters)]
               : NULL;
}

const as_detector_type *as_registry_detector(size_t i)
{
    return i < COUNT(detectors) ? detectors[i]
           : i - COUNT(detectors) < COUNT(detector_templates)
               ? detector_templates[i - COUNT(detectors)]
               : NULL;
}

const as_kind *as_registry_kind(as_family f, size_t i)
{
    const as_policy_type *p;
    const as_forecaster_type *fc;
    const as_detector_type *d;
    switch (f) {
    case AS_FAMILY_POLICY:
        return (p = as_registry_policy(i)) ? &p->kind : NULL;
    case AS_FAMILY_FORECASTER:
        return (fc = as_registry_forecaster(i)) ? &fc->kind : NULL;
    case AS_FAMILY_DETECTOR:
        return (d = as_registry_detector(i)) ? &d->kind : NULL;
    default:
        return NULL;
    }
}

const as_kind *as_registry_find(as_family f, const char *name)
{
    const as_kind *k;
    for (size_t i = 0; name && (k = as_registry_kind(f, i)) != NULL; i++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

/* ---- the checks every kind passes ------------------------------------- */

/* Bytes a key's value takes in the config struct. */
static size_t param_size(const as_param_def *d)
{
    switch (d->kind) {
    case AS_P_DOUBLE:
    case AS_P_SECONDS:
        return sizeof(double);
    case AS_P_INT:
    case AS_P_ENUM:
        return sizeof(int);
    case AS_P_DURATION:
        return sizeof(as_time);
    case AS_P_BOOL:
        return sizeof(bool);
    case AS_P_U64:
        return sizeof(uint64_t);
    case AS_P_STRING:
    case AS_P_NAME:
    case AS_P_NAMES:
        return d->size;
    }
    return 0;
}

static bool name_ok(const char *s)
{
    if (s == NULL || *s == '\0')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* The rules of the shared head. */
static int check_head(as_family f, const as_kind *k, bool as_template, as_err *err)
{
    const char *fam = as_family_name(f);
    if (!name_ok(k->name))
        return as_err_set(err, AS_EINVAL, "%s '%s': the name is not [a-z0-9_]+", fam,
                          k->name ? k->name : "(null)");
    if (k->version < AS_KIND_VERSION_MIN || k->version > AS_KIND_VERSION)
        return as_err_set(err, AS_EINVAL, "%s '%s': version %d, expected %d to %d", fam,
                          k->name, k->version, AS_KIND_VERSION_MIN, AS_KIND_VERSION);
    if (((k->flags & AS_KIND_TEMPLATE) != 0) != as_template)
        return as_err_set(err, AS_EINVAL,
                          "%s '%s': AS_KIND_TEMPLATE is %s but the kind is in the %s list", fam,
                          k->name, as_template ? "clear" : "set",
                          as_template ? "templates'" : "users'");
    if (f != AS_FAMILY_POLICY && (k->flags & AS_KIND_POLICY_FLAGS))
        return as_err_set(err, AS_EINVAL, "%s '%s': carries policy flags %#x", fam, k->name,
                          k->flags & AS_KIND_POLICY_FLAGS);
    for (const as_param_def *d = k->params; d && d->name; d++) {
        if (!name_ok(d->name) || d->help == NULL || d->help[0] == '\0')
            return as_err_set(err, AS_EINVAL, "%s '%s': key '%s' needs a [a-z0-9_] name and a "
                              "help line", fam, k->name, d->name);
        if (d->offset + param_size(d) > k->config_size)
            return as_err_set(err, AS_EINVAL, "%s '%s': key '%s' lies outside config_size %zu",
                              fam, k->name, d->name, k->config_size);
    }
    return AS_OK;
}

int as_registry_check_policy(const as_policy_type *t, bool as_template, as_err *err)
{
    int rc = check_head(AS_FAMILY_POLICY, &t->kind, as_template, err);
    if (rc != AS_OK)
        return rc;
    unsigned aws = t->flags & AS_KIND_CONF_AWS;
    if (t->init == NULL || t->decide == NULL)
        return as_err_set(err, AS_EINVAL, "policy '%s': init and decide are required", t->name);
    if (t->default_interval <= 0)
        return as_err_set(err, AS_EINVAL, "policy '%s': default_interval must be > 0", t->name);
    if ((t->flags & AS_KIND_SEES_FUTURE) && !(t->flags & AS_KIND_NEEDS_FORECAST))
        return as_err_set(err, AS_EINVAL,
                          "policy '%s': AS_KIND_SEES_FUTURE without AS_KIND_NEEDS_FORECAST",
                          t->name);
    if (aws & (aws - 1))
        return as_err_set(err, AS_EINVAL, "policy '%s': more than one AWS policy type",
                          t->name);
    return AS_OK;
}

int as_registry_check_forecaster(const as_forecaster_type *t, bool as_template, as_err *err)
{
    int rc = check_head(AS_FAMILY_FORECASTER, &t->kind, as_template, err);
    if (rc == AS_OK && (t->init == NULL || t->update == NULL || t->forecast == NULL))
        rc = as_err_set(err, AS_EINVAL, "forecaster '%s': init, update and forecast are required",
                        t->name);
    return rc;
}

int as_registry_check_detector(const as_detector_type *t, bool as_template, as_err *err)
{
    int rc = check_head(AS_FAMILY_DETECTOR, &t->kind, as_template, err);
    if (rc == AS_OK && (t->init == NULL || t->observe == NULL))
        rc = as_err_set(err, AS_EINVAL, "detector '%s': init and observe are required", t->name);
    return rc;
}

int as_registry_check(as_err *err)
{
    int rc = AS_OK;
    const as_policy_type *p;
    for (size_t i = 0; rc == AS_OK && (p = as_registry_policy(i)) != NULL; i++)
        rc = as_registry_check_policy(p, i >= COUNT(policies), err);
    const as_forecaster_type *fc;
    for (size_t i = 0; rc == AS_OK && (fc = as_registry_forecaster(i)) != NULL; i++)
        rc = as_registry_check_forecaster(fc, i >= COUNT(forecasters), err);
    const as_detector_type *d;
    for (size_t i = 0; rc == AS_OK && (d = as_registry_detector(i)) != NULL; i++)
        rc = as_registry_check_detector(d, i >= COUNT(detectors), err);
    /* one name, one kind, in each family (the first would shadow the rest) */
    for (int f = 0; rc == AS_OK && f < AS_FAMILY_COUNT; f++) {
        const as_kind *k;
        for (size_t i = 0; rc == AS_OK && (k = as_registry_kind((as_family)f, i)) != NULL; i++)
            if (as_registry_find((as_family)f, k->name) != k)
                rc = as_err_set(err, AS_EINVAL, "%s '%s': registered twice",
                                as_family_name((as_family)f), k->name);
    }
    return rc;
}
