/* fuzz_manifest.c - libFuzzer harness: Kubernetes HPA YAML and AWS policy
 * JSON (sim/config/sim_manifest.c). The input is written as .yaml and applied to an
 * hpa policy (sim_manifest_apply with key "manifest", then
 * sim_manifest_replicas), and as .json applied to a target, step or
 * predictive policy (key "aws_policy"); the kind is picked from the input.
 * Warnings go to a sink that drops them, so that their code runs too. */
#include "as_policy.h"
#include "fuzz_common.h"
#include "sim_manifest.h"

#include <stdlib.h>
#include <string.h>

static void drop(void *ud, const char *line)
{
    (void)ud;
    (void)line;
}
static const sim_warn sink = {drop, NULL, false};

static void apply(const char *kind, const char *key, const char *path)
{
    sim_policy_cfg p;
    memset(&p, 0, sizeof p);
    snprintf(p.name, sizeof p.name, "fuzz");
    p.type = as_policy_type_find(kind);
    if (p.type == NULL)
        abort();
    p.cfg = calloc(1, p.type->config_size ? p.type->config_size : 1);
    if (p.cfg == NULL)
        return;
    p.type->defaults(p.cfg);
    as_err err = {0};
    int rc = sim_manifest_apply(key, path, &p, &sink, &err);
    if (rc != AS_OK && err.msg[0] == '\0')
        abort(); /* a refused manifest must say why */
    if (strcmp(key, "manifest") == 0) {
        int mn = 0, mx = 0;
        err.msg[0] = '\0';
        rc = sim_manifest_replicas(path, &mn, &mx, &err);
        if (rc == AS_OK && (mn < 0 || mx < mn))
            abort(); /* sim_manifest.h: maxReplicas >= minReplicas */
        if (rc != AS_OK && err.msg[0] == '\0')
            abort();
    }
    free(p.cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char ypath[256], jpath[256];
    static const char *const aws[] = {"target", "step", "predictive"};
    if (fuzz_write(ypath, sizeof ypath, "manifest", "yaml", data, size) != NULL)
        apply("hpa", "manifest", ypath);
    if (fuzz_write(jpath, sizeof jpath, "manifest", "json", data, size) != NULL)
        apply(aws[fuzz_pick(data, size) % 3], "aws_policy", jpath);
    return 0;
}
