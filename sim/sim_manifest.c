/* sim_manifest.c - Kubernetes HPA and AWS policy input (not yet built). */
#include "sim_manifest.h"

int sim_manifest_apply(const char *key, const char *path, sim_policy_cfg *p, FILE *warn,
                       as_err *err)
{
    (void)p;
    (void)warn;
    return as_err_set(err, AS_EINVAL, "key '%s': reading %s is not supported yet", key, path);
}
