/* sim_manifest.h - the configuration people already run, as policy input:
 * Kubernetes HorizontalPodAutoscaler manifests (YAML, libyaml) for the
 * kinds flagged AS_KIND_CONF_K8S_HPA (hpa), and AWS scaling-policy JSON
 * (jansson) for those flagged AS_KIND_CONF_AWS_* (target, step, aws_predictive).
 * Owns: nothing after the call; values are written into the policy's
 * config through its parameter table (as_param_set), so they get the same
 * validation as INI keys. Explicit INI keys are applied afterwards and win.
 * Invariant: a file is read only if it is a regular file of at most 4 MB
 * nested at most 64 levels deep (sim_manifest_int.h), so that no input can
 * block, grow memory or take long; errors and warnings name the file and
 * line. Files: sim_manifest.c (these entry points, what the kinds'
 * configuration flags mean), sim_manifest_hpa.c and _hpa_map.c
 * (Kubernetes), sim_manifest_aws.c (AWS), sim_manifest_locate.c (lines in
 * JSON text).
 * Must not: print; warnings go to the caller's sink. */
#ifndef SIM_MANIFEST_H
#define SIM_MANIFEST_H

#include "sim_scenario.h"

#include <stddef.h>

/* Apply the manifest at path (already resolved against the scenario's
 * folder) to policy p (p->type set, p->cfg holding defaults). key is the
 * INI key that named it: "manifest" (kind hpa) or "aws_policy" (kind
 * target, step or aws_predictive). Warnings (fields with no simulated
 * counterpart, approximations) go to warn, one line each, once per field;
 * warn may be NULL. On error nothing is guaranteed about p->cfg (the
 * scenario fails to load anyway) and err reads "FILE:LINE: field: reason". */
int sim_manifest_apply(const char *key, const char *path, sim_policy_cfg *p, const sim_warn *warn,
                       as_err *err);

/* The kinds the file named by key ("manifest", "aws_policy") configures,
 * for messages and help: "target, step or aws_predictive". */
void sim_manifest_kinds(const char *key, char *buf, size_t n);

/* spec.minReplicas / spec.maxReplicas of the HorizontalPodAutoscaler in the
 * manifest at path (the same document sim_manifest_apply reads). The HPA
 * kind has no key for them: in the simulator they are the tier's min/max
 * ([tier.NAME] min, max), so the loader applies them there.
 * *min is 1 when the manifest leaves minReplicas out (the API default).
 * Validated like sim_manifest_apply (maxReplicas required, >= minReplicas);
 * gives no warnings. */
int sim_manifest_replicas(const char *path, int *min /* OUT */, int *max /* OUT */, as_err *err);

/* What one pod of the first workload (Deployment, StatefulSet, ReplicaSet,
 * DaemonSet or Pod) of the manifest at path requests: the sum over its
 * containers of resources.requests (else limits), CPU in millicores and
 * memory in MiB (sim_manifest_pod.c). */
int sim_manifest_pod_requests(const char *path, int64_t *cpu /* OUT */, int64_t *mem /* OUT */,
                              as_err *err);
/* Kubernetes quantities: CPU ("2", "0.5", "500m") in millicores, memory
 * ("512Mi", "4Gi", "2G") in whole MiB; > 0. Messages do not name a key. */
int sim_quantity_cpu(const char *v, int64_t *out, as_err *err);
int sim_quantity_mem(const char *v, int64_t *out, as_err *err);

#endif
