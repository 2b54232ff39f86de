/* as_kind.h - what every plug-in kind of every family (policy, forecaster,
 * anomaly detector) has in common: the head of its const type object, the
 * flags that tell the rest of the program what it may do with a kind (in
 * place of comparing names), and the one path that creates and frees an
 * instance of any kind.
 * Owns: as_instance, the block each family wrapper allocates: the type
 * pointer and the time rule, then the family's own fields, then
 * kind->state_size zeroed bytes of the kind's state (the gsl_rng pattern).
 * Invariants: a type object is const, `version` first, and is listed in
 * core/as_registry.c; init() fills the zeroed state and fini() (may be
 * NULL) releases what init() took, accepting a zeroed state or whatever a
 * failed init() left; the times given to one instance never decrease.
 * Must not: read a clock, print, or include sim/. */
#ifndef AS_KIND_H
#define AS_KIND_H

#include "as.h"
#include "as_param.h"

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>

/* The interface version every kind in the tree is written against. A
 * field added at the end of a type object bumps it, and the wrappers gate
 * the new method on it (as SQLite's os.c does with iVersion): a kind of an
 * older version (>= AS_KIND_VERSION_MIN) is still taken, its newer methods
 * read as absent. 2: as_policy_type.signals. */
#define AS_KIND_VERSION 2
#define AS_KIND_VERSION_MIN 1

/* Flags: what a kind is, so that no caller ever compares a kind's name.
 * Policy flags on a forecaster or a detector are refused by
 * as_registry_check(). */
enum {
    /* A copy-me example (pol_template.c, fc_template.c,
     * det_template.c): registered so that it
     * compiles and passes the conformance tests, but not a kind users pick:
     * as_*_types() do not list it and as_*_type_find() do not find it. */
    AS_KIND_TEMPLATE = 1u << 0,
    /* Policy: decide() reads a forecast view; the driver must give one. */
    AS_KIND_NEEDS_FORECAST = 1u << 1,
    /* Policy: its view is the true future (the oracle). The driver feeds
     * it the trace at tick resolution instead of a forecaster; results
     * rank it apart, as an offline bound nobody can deploy. Implies
     * AS_KIND_NEEDS_FORECAST. */
    AS_KIND_SEES_FUTURE = 1u << 2,
    /* Policy: a Kubernetes HorizontalPodAutoscaler manifest configures it
     * (INI key `manifest`). */
    AS_KIND_CONF_K8S_HPA = 1u << 3,
    /* Policy: an AWS scaling policy of PolicyType TargetTrackingScaling,
     * StepScaling or PredictiveScaling configures it (INI key
     * `aws_policy`). At most one of the three. */
    AS_KIND_CONF_AWS_TARGET = 1u << 4,
    AS_KIND_CONF_AWS_STEP = 1u << 5,
    AS_KIND_CONF_AWS_PREDICTIVE = 1u << 6,
};

#define AS_KIND_CONF_AWS \
    (AS_KIND_CONF_AWS_TARGET | AS_KIND_CONF_AWS_STEP | AS_KIND_CONF_AWS_PREDICTIVE)
/* Flags only a policy may carry. */
#define AS_KIND_POLICY_FLAGS \
    (AS_KIND_NEEDS_FORECAST | AS_KIND_SEES_FUTURE | AS_KIND_CONF_K8S_HPA | AS_KIND_CONF_AWS)

/* The head of every type object, by position. Each family's type struct
 * puts it first twice over, in an anonymous union: as the named member
 * `kind` (a real as_kind, for the generic code below) and as anonymous
 * fields (so that callers keep writing t->name, t->params). Reading one
 * through the other is the common-initial-sequence rule of C11 6.5.2.3. */
#define AS_KIND_HEAD                                                                    \
    int version;                 /* AS_KIND_VERSION; first, so the struct can grow */  \
    const char *name;            /* matched against the INI's kind/forecaster/detector */ \
    unsigned flags;              /* AS_KIND_* */                                        \
    size_t state_size;           /* bytes of state the wrapper allocates, zeroed */     \
    size_t config_size;          /* bytes of the kind's config struct (0: none) */      \
    const as_param_def *params;  /* its keys, NULL-name terminated (NULL: none) */      \
    void (*defaults)(void *cfg); /* fill a zeroed config; NULL: zeroes are defaults */  \
    void (*fini)(void *state);   /* release what init() took; NULL: nothing to release */

typedef struct as_kind {
    AS_KIND_HEAD
} as_kind;

/* The generic part of every instance; the first member of as_policy,
 * as_forecaster and as_detector. */
typedef struct as_instance {
    const as_kind *kind; /* the type object (borrowed: static) */
    void *state;         /* kind->state_size bytes after the family's head; NULL if 0 */
    as_time last_t;      /* time of the last timed call */
    bool started;        /* a timed call happened */
} as_instance;

/* The family's half of _new: set the family's fields of `in` and call the
 * kind's init() with cfg (never NULL here) and the family's extra `arg`. */
typedef int (*as_instance_init_fn)(as_instance *in, const void *cfg, const void *arg,
                                   as_err *err);

/* The one constructor behind as_policy_new, as_forecaster_new and
 * as_detector_new. Checks the kind (non-NULL, interface version: AS_EINVAL),
 * allocates `head` bytes (the family's struct, as_instance first) plus
 * kind->state_size bytes of zeroed state in one block, supplies the kind's
 * default config when cfg is NULL, calls init, and frees everything when
 * anything fails. `family` names the family in messages. Caller owns the
 * result; free it with as_instance_free. */
void *as_instance_new(const as_kind *kind, const char *family, size_t head, const void *cfg,
                      as_instance_init_fn init, const void *arg, as_err *err);

/* Calls the kind's fini (even after a failed init) and frees the block.
 * NULL is a no-op. */
void as_instance_free(as_instance *in);

/* A kind's default config: config_size bytes (at least 1), zeroed, then
 * defaults(). Caller owns it (free()). NULL and AS_ENOMEM on failure. */
void *as_kind_config_new(const as_kind *kind, as_err *err);

/* The time rule every wrapper applies on every timed call: a driver that
 * goes back in time has a bug, so this asserts (debug and test builds). */
static inline void as_instance_tick(as_instance *in, as_time t)
{
    assert(!in->started || t >= in->last_t); /* time never goes back */
    in->last_t = t;
    in->started = true;
}

#endif
