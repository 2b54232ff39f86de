/* as_registry.h - the one list of every plug-in kind of every family.
 * Owns: the registry tables (core/as_registry.c): the kinds users pick,
 * by family, then the copy-me templates; lookup by name and iteration.
 * Invariant: as_registry_check() holds for every table (versions, unique
 * names, methods, documented keys, flags that fit the family and the
 * table); the conformance tests run it.
 * Must not: read a clock, print, or include sim/.
 * To add a kind: its file in core/policy/, core/forecast/ or core/detect/
 * (copy the family's template) and one line in the family's list in
 * as_registry.c. The user-facing lists and lookups are declared in
 * as_policy.h, as_forecast.h and as_detect.h. */
#ifndef AS_REGISTRY_H
#define AS_REGISTRY_H

#include "as_detect.h"
#include "as_forecast.h"
#include "as_kind.h"
#include "as_policy.h"

typedef enum as_family {
    AS_FAMILY_POLICY,
    AS_FAMILY_FORECASTER,
    AS_FAMILY_DETECTOR,
    AS_FAMILY_COUNT
} as_family;

/* "policy", "forecaster", "detector". */
const char *as_family_name(as_family f);

/* Every kind of a family, templates included (users' kinds first, in
 * --help order, then the templates): the i-th, NULL past the end. For the
 * conformance tests and any tool that must see every kind. */
const as_policy_type *as_registry_policy(size_t i);
const as_forecaster_type *as_registry_forecaster(size_t i);
const as_detector_type *as_registry_detector(size_t i);
/* The same as the generic head. */
const as_kind *as_registry_kind(as_family f, size_t i);

/* Any kind of a family by name, templates included (NULL: none). Users'
 * lookups go through as_policy_type_find and its siblings instead, which
 * never return a template. */
const as_kind *as_registry_find(as_family f, const char *name);

/* Check every registered kind: interface version, a name of [a-z0-9_]
 * unique in its family, the family's methods present, every key inside
 * the config struct and with a help line, flags that belong to the family,
 * AS_KIND_TEMPLATE exactly on the templates, SEES_FUTURE only with
 * NEEDS_FORECAST, at most one AWS policy type and a positive default
 * interval.
 * AS_OK, or AS_EINVAL naming the first kind and rule broken. */
int as_registry_check(as_err *err);

/* The same rules for one kind, as if it were in the templates' list
 * (as_template) or the users'; the uniqueness of names is checked by
 * as_registry_check only. */
int as_registry_check_policy(const as_policy_type *t, bool as_template, as_err *err);
int as_registry_check_forecaster(const as_forecaster_type *t, bool as_template, as_err *err);
int as_registry_check_detector(const as_detector_type *t, bool as_template, as_err *err);

#endif
