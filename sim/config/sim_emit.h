/* sim_emit.h - the configuration people deploy, written from a loaded
 * policy: a Kubernetes autoscaling/v2 HorizontalPodAutoscaler manifest
 * with its behavior block (libyaml's emitter, sim_emit_hpa.c) for kind =
 * hpa, an AWS scaling-policy JSON (jansson, sim_emit_aws.c) for kind =
 * target or step, and a replay scenario that reads one of them back
 * (sim_emit_replay.c). The readers are sim_manifest.c's.
 * Owns: nothing after a call; every value is read from the policy's typed
 * config through its parameter table, never from text.
 * Invariant: a file written here and read back through `manifest =` or
 * `aws_policy =` gives the policy the same value for every key the file
 * carries; a value the format cannot carry exactly (a target that is not
 * a whole percent, a window that is not whole seconds, an empty policy
 * list) is refused with AS_EINVAL naming the key, never rounded silently.
 * Keys a format has no field for (an alarm threshold, which is the
 * CloudWatch alarm's) are listed by sim_emit_carries so that the replay
 * scenario keeps them as INI keys.
 * Must not: print, or open files (the caller opens and closes them). */
#ifndef SIM_EMIT_H
#define SIM_EMIT_H

#include "sim_scenario.h"

#include <stdio.h>

/* What a policy kind is written as. */
typedef enum sim_emit_format {
    SIM_EMIT_NONE,     /* no deployable file: the INI section is the output */
    SIM_EMIT_HPA,      /* Kubernetes HPA manifest (YAML), INI key `manifest` */
    SIM_EMIT_AWS       /* AWS scaling policy (JSON), INI key `aws_policy` */
} sim_emit_format;

/* The format of policy p's kind (from its configuration flags). */
sim_emit_format sim_emit_format_of(const sim_policy_cfg *p);
/* The INI key that reads format f back ("manifest", "aws_policy"; NULL
 * for SIM_EMIT_NONE) and the usual file extension ("yaml", "json", "ini"). */
const char *sim_emit_key(sim_emit_format f);
const char *sim_emit_ext(sim_emit_format f);
/* Does the file of policy p's kind carry key (a key of the kind)? 0 for a
 * key the deployed system keeps elsewhere (alarm thresholds) or not at all. */
int sim_emit_carries(const sim_policy_cfg *p, const char *key);

/* Policy number `policy` of sc as a HorizontalPodAutoscaler manifest. The
 * policy must scale one tier (scaleTargetRef is the Deployment named after
 * it); minReplicas and maxReplicas are its bounds. */
int sim_emit_hpa(FILE *f, const sim_scenario *sc, int policy, as_err *err);
/* Policy number `policy` of sc as an EC2 Auto Scaling policy JSON:
 * TargetTrackingScaling (kind target) or StepScaling (kind step: a
 * {"ScalingPolicies": [out, in]} pair). */
int sim_emit_aws(FILE *f, const sim_scenario *sc, int policy, as_err *err);

/* The typed value of key in policy p's config, as a double (durations in
 * seconds, enums and booleans as their index). AS_ENOTFOUND when the kind
 * has no such key. */
int sim_emit_param(const sim_policy_cfg *p, const char *key, double *v, as_err *err);

/* The replay scenario: sc's text (the file it was loaded from) with
 *  - every [policy.*] section as it was, and a new [policy.NEW] that is
 *    policy `policy`'s section without the keys in drop[] (those the file
 *    carries), plus `KEY = file` (KEY from sim_emit_key(format), file
 *    relative to the replay scenario's folder) and `extra` lines (the
 *    --set options that named the policy, "key=value" each);
 *  - no [sweep] section;
 *  - the paths it names (trace file, manifests) made absolute, since the
 *    replay scenario is written in another folder.
 * A line it cannot rewrite safely (a path with ';' or '#') is AS_EINVAL. */
typedef struct sim_replay_spec {
    int policy;                 /* index in sc->policies */
    const char *new_name;       /* name of the new section's policy */
    sim_emit_format format;     /* SIM_EMIT_NONE: no file key */
    const char *file;           /* the written file, relative to the replay's folder */
    const char *const *drop;    /* keys not copied into the new section */
    int ndrop;
    const char *const *extra;   /* "key=value" lines added to it */
    int nextra;
} sim_replay_spec;
int sim_emit_replay(FILE *f, const sim_scenario *sc, const sim_replay_spec *spec, as_err *err);

#endif
