/* test_hpa_upstream.h - what the ports of the Kubernetes HPA controller's
 * test tables share (test_hpa_upstream*.c): the upstream tests' constants
 * (now, the zero time, the CPU initialization period, the readiness delay,
 * the tolerance) and the per-pod attributes written one character a pod.
 * Owns nothing: constants and pure functions of their arguments.
 * Invariant: the constants are the upstream defaultTesting* values; a case
 * that needs others says so in its table.
 * Must not: hold pointers in a case (Criterion copies parameters into the
 * test's process). The helpers are static inline: each file uses a subset. */
#ifndef TEST_HPA_UPSTREAM_H
#define TEST_HPA_UPSTREAM_H

#include "as_hpa.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#define S(x) ((as_time)(x) * AS_SEC)
#define NOW S(1000000)          /* time.Now() */
#define ZERO (-S(1000000000))   /* the zero time.Time: long before now */
#define CPU_INIT S(120)         /* defaultTestingCPUInitializationPeriod */
#define DELAY S(10)             /* defaultTestingDelayOfInitialReadinessStatus */
#define MP 10                   /* pods per case at most */

static const as_hpa_tol TOL = {0.1, 0.1}; /* defaultTestingTolerance */

/* Per-pod attributes written as strings, one character per pod (an empty
 * string: every pod takes the default). Parameters are copied into the
 * test's process (not shared), so they hold arrays, never pointers. */
static inline int ready_of(const char *s, int i) /* 'T' (default), 'F', '-' no condition */
{
    char c = s && s[i] ? s[i] : 'T';
    return c == 'F' ? AS_HPA_COND_FALSE : c == '-' ? AS_HPA_COND_NONE : AS_HPA_COND_TRUE;
}

static inline int phase_of(const char *s, int i) /* 'R' (default), 'P', 'F', 'S' */
{
    char c = s && s[i] ? s[i] : 'R';
    return c == 'P' ? AS_HPA_PENDING : c == 'F' ? AS_HPA_FAILED
                                   : c == 'S' ? AS_HPA_SUCCEEDED
                                              : AS_HPA_RUNNING;
}

static inline as_time start_of(const char *s, int i) /* 'z' zero (default), 'h' hot, 'c' cool */
{
    char c = s && s[i] ? s[i] : 'z';
    return c == 'h' ? NOW : c == 'c' ? NOW - S(180) : ZERO;
}

static inline bool flag_of(const char *s, int i) { return s && s[i] == '1'; }

/* horizontal_test.go's generateScalingRules(pods, podsPeriod, percent, percentPeriod, window) */
typedef struct ctl_rules {
    bool set;
    int pods, pods_period, percent, percent_period, window;
} ctl_rules;

/* A behavior's rules from generateScalingRules' arguments (unset: the
 * defaults of the direction). */
static inline void rules_of(const ctl_rules *g, as_hpa_rules *r, bool up)
{
    as_hpa_rules_unset(r);
    if (g->set) {
        r->window_s = g->window;
        r->select = AS_HPA_SELECT_MAX;
        if (g->pods)
            r->pol[r->npol++] = (as_hpa_policy){AS_HPA_POLICY_PODS, g->pods, g->pods_period};
        if (g->percent)
            r->pol[r->npol++] =
                (as_hpa_policy){AS_HPA_POLICY_PERCENT, g->percent, g->percent_period};
    }
    as_hpa_rules_fill(r, up);
}

#endif
