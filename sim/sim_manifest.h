/* sim_manifest.h - the configuration people already run, as policy input:
 * Kubernetes HorizontalPodAutoscaler manifests (YAML, libyaml) for
 * kind = hpa, and AWS scaling-policy JSON (jansson) for kind = target,
 * step or predictive.
 * Owns: nothing after the call; values are written into the policy's
 * config through its parameter table (as_param_set), so they get the same
 * validation as INI keys. Explicit INI keys are applied afterwards and win.
 * Errors and warnings name the file and line. */
#ifndef SIM_MANIFEST_H
#define SIM_MANIFEST_H

#include "sim_scenario.h"

#include <stdio.h>

/* Apply the manifest at path (already resolved against the scenario's
 * folder) to policy p (p->type set, p->cfg holding defaults). key is the
 * INI key that named it: "manifest" or "aws_policy". Warnings (fields with
 * no simulated counterpart) go to warn, one line each; warn may be NULL. */
int sim_manifest_apply(const char *key, const char *path, sim_policy_cfg *p, FILE *warn,
                       as_err *err);

#endif
