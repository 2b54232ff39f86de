/* sim_manifest_pod.c - what a tier's pods request, read from a Kubernetes
 * workload manifest (`[tier.NAME] pod_manifest = FILE`), and the
 * Kubernetes quantities (CPU "500m", memory "512Mi") the node layer reads.
 *
 * The first Deployment, StatefulSet, ReplicaSet, DaemonSet or Pod of the
 * (multi-document) file gives the pod template: its requests are the sum
 * over spec(.template.spec).containers of resources.requests, a container
 * without a request taking its limit (as the API server defaults it).
 * initContainers and overhead (which change a pod's effective request) are
 * refused as not modelled; other fields (extended resources among them)
 * do not affect CPU and memory and are ignored. A container with
 * neither request nor limit is an error: the scheduler would count 0 and
 * place any number of such pods. */
#include "sim_manifest_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_MILLICORES ((int64_t)1 << 40)
#define MAX_MIB ((int64_t)1 << 40)

/* ---- quantities ---- */

int sim_quantity_cpu(const char *v, int64_t *out, as_err *err)
{
    char buf[64];
    size_t n = strlen(v);
    if (n == 0 || n >= sizeof buf)
        return as_err_set(err, AS_EINVAL, "'%s' is not a CPU quantity (2, 0.5, 500m)", v);
    memcpy(buf, v, n + 1);
    double scale = 1000;
    if (buf[n - 1] == 'm') {
        buf[n - 1] = '\0';
        scale = 1;
    }
    double x;
    as_err e2 = {0};
    if (as_parse_double(buf, &x, &e2) != AS_OK || !(x > 0) || x * scale > (double)MAX_MILLICORES)
        return as_err_set(err, AS_EINVAL, "'%s' is not a CPU quantity > 0 (2, 0.5, 500m)", v);
    double m = x * scale;
    if (m != (double)(int64_t)m)
        return as_err_set(err, AS_EINVAL, "'%s': CPU is counted in whole millicores", v);
    *out = (int64_t)m;
    return AS_OK;
}

int sim_quantity_mem(const char *v, int64_t *out, as_err *err)
{
    static const struct {
        const char *sfx;
        double mib;
    } units[] = {
        {"Ki", 1.0 / 1024}, {"Mi", 1}, {"Gi", 1024}, {"Ti", 1048576},
        {"k", 1e3 / 1048576}, {"M", 1e6 / 1048576}, {"G", 1e9 / 1048576}, {"T", 1e12 / 1048576},
    };
    char buf[64];
    size_t n = strlen(v);
    if (n == 0 || n >= sizeof buf)
        return as_err_set(err, AS_EINVAL, "'%s' is not a memory quantity (512Mi, 4Gi)", v);
    memcpy(buf, v, n + 1);
    double unit = -1;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        size_t k = strlen(units[u].sfx);
        if (n > k && strcmp(buf + n - k, units[u].sfx) == 0) {
            buf[n - k] = '\0';
            unit = units[u].mib;
            break;
        }
    }
    double x;
    as_err e2 = {0};
    if (unit < 0 || as_parse_double(buf, &x, &e2) != AS_OK || !(x > 0) ||
        x * unit > (double)MAX_MIB)
        return as_err_set(err, AS_EINVAL,
                          "'%s' is not a memory quantity > 0 with a unit (512Mi, 4Gi, 2G)", v);
    double mib = x * unit;
    *out = (int64_t)mib;
    if (*out < 1 || mib != (double)*out)
        return as_err_set(err, AS_EINVAL, "'%s': memory is counted in whole MiB here", v);
    return AS_OK;
}

/* ---- the manifest ---- */

static const yaml_node_t *get(yaml_document_t *d, const yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const yaml_node_t *k = yaml_document_get_node(d, p->key);
        if (k && k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
            return yaml_document_get_node(d, p->value);
    }
    return NULL;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int line_of(const yaml_node_t *n) { return n ? (int)n->start_mark.line + 1 : 0; }

/* One resource of container c: its request, else its limit. */
static int container_res(mf *m, yaml_document_t *d, const yaml_node_t *c, int idx,
                         const char *res, int64_t *sum)
{
    const yaml_node_t *r = get(d, c, "resources");
    const yaml_node_t *v = get(d, get(d, r, "requests"), res);
    const char *from = "requests";
    if (scalar(v) == NULL) {
        v = get(d, get(d, r, "limits"), res);
        from = "limits";
    }
    char field[96];
    snprintf(field, sizeof field, "containers[%d].resources.%s.%s", idx,
             scalar(v) ? from : "requests", res);
    if (scalar(v) == NULL)
        return sim_mf_fail(m, line_of(c), field,
                           "not given (nor a limit): the scheduler would count 0");
    int64_t q;
    as_err e2 = {0};
    int rc = strcmp(res, "cpu") == 0 ? sim_quantity_cpu(scalar(v), &q, &e2)
                                     : sim_quantity_mem(scalar(v), &q, &e2);
    if (rc != AS_OK)
        return sim_mf_fail(m, line_of(v), field, "%s", e2.msg);
    *sum += q;
    return AS_OK;
}

/* The pod template of a workload document (NULL: not a workload). */
static const yaml_node_t *pod_spec(yaml_document_t *d, const yaml_node_t *root)
{
    static const char *const workloads[] = {"Deployment", "StatefulSet", "ReplicaSet",
                                            "DaemonSet", NULL};
    const char *kind = scalar(get(d, root, "kind"));
    if (kind && strcmp(kind, "Pod") == 0)
        return get(d, root, "spec");
    if (kind && sim_mf_in_list(kind, workloads))
        return get(d, get(d, get(d, root, "spec"), "template"), "spec");
    return NULL;
}

static int pod_requests(mf *m, yaml_document_t *d, const yaml_node_t *spec, int64_t *cpu,
                        int64_t *mem)
{
    /* a pod's effective request also counts init containers (the larger of
     * their largest and the containers' sum) and overhead: not modelled */
    static const char *const unmodelled[] = {"initContainers", "overhead"};
    for (int u = 0; u < 2; u++)
        if (get(d, spec, unmodelled[u]) != NULL)
            return sim_mf_fail(m, line_of(get(d, spec, unmodelled[u])), unmodelled[u],
                               "not modelled (give cpu_request and memory_request instead)");
    const yaml_node_t *cs = get(d, spec, "containers");
    if (cs == NULL || cs->type != YAML_SEQUENCE_NODE || cs->data.sequence.items.top ==
                                                            cs->data.sequence.items.start)
        return sim_mf_fail(m, line_of(spec), "spec.containers", "no containers");
    *cpu = *mem = 0;
    int idx = 0, rc = AS_OK;
    for (yaml_node_item_t *it = cs->data.sequence.items.start;
         rc == AS_OK && it < cs->data.sequence.items.top; it++, idx++) {
        const yaml_node_t *c = yaml_document_get_node(d, *it);
        rc = container_res(m, d, c, idx, "cpu", cpu);
        if (rc == AS_OK)
            rc = container_res(m, d, c, idx, "memory", mem);
    }
    return rc;
}

static int read_pod(mf *m, int64_t *cpu, int64_t *mem)
{
    int rc = sim_mf_load(m, "a Kubernetes manifest");
    if (rc != AS_OK)
        return rc;
    int deep = sim_mf_yaml_too_deep(m->text, m->len, SIM_MANIFEST_MAX_DEPTH);
    if (deep > 0)
        return sim_mf_fail(m, deep, NULL, "nested deeper than %d levels (not a manifest)",
                           SIM_MANIFEST_MAX_DEPTH);
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return as_err_set(m->err, AS_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)m->text, m->len);
    bool found = false;
    while (rc == AS_OK && !found) {
        yaml_document_t doc;
        if (!yaml_parser_load(&parser, &doc)) {
            rc = sim_mf_yaml_syntax_error(m, &parser);
            break;
        }
        const yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (root == NULL) {
            yaml_document_delete(&doc);
            break;
        }
        if ((rc = sim_mf_yaml_dup_key(m, &doc)) != AS_OK) {
            yaml_document_delete(&doc);
            break;
        }
        const yaml_node_t *spec = pod_spec(&doc, root);
        if (spec) {
            found = true;
            rc = pod_requests(m, &doc, spec, cpu, mem);
        }
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    if (rc == AS_OK && !found)
        rc = sim_mf_fail(m, 1, NULL, "no Deployment, StatefulSet, ReplicaSet, DaemonSet or Pod");
    return rc;
}

int sim_manifest_pod_requests(const char *path, int64_t *cpu, int64_t *mem, as_err *err)
{
    mf *m = calloc(1, sizeof *m);
    if (m == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    m->file = path;
    as_name_printable(path, m->shown, sizeof m->shown);
    m->path = m->shown;
    m->err = err;
    int rc = read_pod(m, cpu, mem);
    free(m->text);
    free(m);
    return rc;
}
