/* sim_manifest_int.h - what the manifest readers share inside sim/config:
 * sim_manifest.c (entry points, which kind reads which file, the file,
 * messages), sim_manifest_hpa.c (Kubernetes HPA YAML), sim_manifest_pod.c
 * (a workload's pod requests; with sim_manifest_hpa.c the only files that
 * include yaml.h), sim_manifest_hpa_map.c (the HPA into the hpa kind's
 * keys), sim_manifest_aws.c (AWS; the only one that includes jansson.h) and
 * sim_manifest_locate.c (the line of a JSON value and the nesting depth,
 * found in the raw text).
 * Invariant: every message goes through sim_mf_warn / sim_mf_fail, so it
 * names the file, the line when known, and the field.
 * Must not: be included outside sim/config/sim_manifest*.c. */
#ifndef SIM_MANIFEST_INT_H
#define SIM_MANIFEST_INT_H

#include "sim_manifest.h"

#include <stdbool.h>
#include <stddef.h>

/* Fields remembered for "once per field" warnings; later ones warn each time. */
#define MF_MAX_WARNED 64
/* A field path as shown in messages ("spec.behavior.scaleUp.policies[0].type"). */
#define MF_FIELD 160
/* Largest manifest or AWS policy file read: a `kubectl get hpa -A -o yaml`
 * List of a couple of thousand HPAs; one manifest is a few KB. */
#define SIM_MANIFEST_MAX_BYTES ((size_t)4 << 20)
/* Deepest nesting of mappings and lists accepted. A `kind: List` of HPAs
 * is 8 levels deep (the List, items, the HPA, spec, behavior, scaleUp,
 * policies, one policy), an AWS describe output 7. The limit is checked
 * before the document is built: libyaml's scanner takes time quadratic in
 * the depth of flow collections (a 2 MB file of '[' took hours). */
#define SIM_MANIFEST_MAX_DEPTH 64

/* One reading: where messages point, where values go. */
typedef struct mf {
    const char *file;      /* the manifest as given */
    const char *path;      /* the same as messages show it (as_name_printable) */
    char shown[1024];
    sim_policy_cfg *p;     /* NULL: parse and validate only */
    const sim_warn *warn;  /* may be NULL */
    as_err *err;
    char warned[MF_MAX_WARNED][MF_FIELD]; /* fields already warned about */
    int nwarned;
    char *text;            /* the whole file (sim_mf_load), NUL-terminated */
    size_t len;
    const char *aws_type;  /* AWS: the PolicyType the kind reads */
    char base[64];         /* AWS: path of the chosen policy ("" or "ScalingPolicies[1]") */
} mf;

/* ---- sim_manifest.c ---- */

/* Read m->file into m->text: a regular file of at most
 * SIM_MANIFEST_MAX_BYTES (what names it in messages: "a Kubernetes
 * manifest"). */
int sim_mf_load(mf *m, const char *what);

/* "FILE:LINE: warning: [policy.NAME] FIELD: MSG" to the sink, once per field. */
void sim_mf_warn(mf *m, int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "FILE:LINE: FIELD: MSG" into m->err; returns AS_EINVAL. line 0: no line. */
int sim_mf_fail(mf *m, int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A field not modelled: sim_mf_fail, or under --lenient (m->warn->lenient)
 * sim_mf_warn and m->p->approximate = true (returns AS_OK). */
int sim_mf_unmodelled(mf *m, int line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Write key = value through the policy's table (as an INI key would be);
 * a rejected value names the field it came from, then the key. */
int sim_mf_set(mf *m, int line, const char *field, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The current value of key, for messages ("keeping out_threshold = 0.7"). */
const char *sim_mf_current(const mf *m, const char *key, char *buf, size_t n);
bool sim_mf_in_list(const char *s, const char *const *list);

/* ---- sim_manifest_hpa.c: a HorizontalPodAutoscaler as read ---- */

enum { HPA_SEL_MAX, HPA_SEL_MIN, HPA_SEL_DISABLED };      /* selectPolicy */
extern const char *const sim_hpa_sel_api[];               /* "Max", "Min", "Disabled" */
enum { HPA_POL_PODS, HPA_POL_PERCENT };                   /* HPAScalingPolicy type */
#define HPA_MAX_POLICIES 16

typedef struct sim_hpa_policy {
    int type;   /* HPA_POL_* */
    int value;  /* pods, or percent */
    int period; /* periodSeconds */
    int line;
} sim_hpa_policy;

/* One direction of spec.behavior (HPAScalingRules), defaults filled in. */
typedef struct sim_hpa_dir {
    int line;   /* of scaleUp/scaleDown; 0 = absent (all defaults) */
    int stab_s; /* stabilizationWindowSeconds */
    int select; /* HPA_SEL_* */
    int sel_line;
    int npol;
    sim_hpa_policy pol[HPA_MAX_POLICIES];
    bool tol_set; /* tolerance given (KEP-4951); else the controller flag */
    double tol;
    int tol_line;
} sim_hpa_dir;

/* One item of spec.metrics as read; sim_mf_hpa_map picks its signal. */
enum { HPA_SRC_RESOURCE, HPA_SRC_PODS, HPA_SRC_OBJECT, HPA_SRC_EXTERNAL };
enum { HPA_TGT_UTIL, HPA_TGT_AVG, HPA_TGT_VALUE }; /* Utilization, AverageValue, Value */
#define HPA_MAX_METRICS 8
typedef struct sim_hpa_metric {
    int src;               /* HPA_SRC_* (ContainerResource: RESOURCE) */
    char name[64];         /* resource name (cpu, memory) or metric.name */
    char name_field[MF_FIELD];
    int name_line;
    int ttype;             /* HPA_TGT_* */
    char value[32];        /* the target as written: "70", "500m", "256Mi" */
    char field[MF_FIELD];  /* of the value */
    int line;              /* of the value */
} sim_hpa_metric;

typedef struct sim_hpa_spec {
    int line;      /* of the HPA's `kind:` */
    char name[64]; /* metadata.name, for messages */
    int min, max;
    int min_line, max_line;
    int target_pct;  /* v1 targetCPUUtilizationPercentage, or the default 80 */
    int target_line; /* 0 = the API default (no metrics listed) */
    int metrics_line;
    sim_hpa_metric met[HPA_MAX_METRICS]; /* spec.metrics; none: target_pct */
    int nmet;
    bool behavior; /* spec.behavior present: else the controller's legacy path */
    sim_hpa_dir up, down;
} sim_hpa_spec;

/* The first HorizontalPodAutoscaler of m->path: validated, written into
 * m->p when apply (through sim_mf_hpa_map), its spec.minReplicas /
 * maxReplicas returned. */
int sim_mf_hpa(mf *m, bool apply, int *min /* OUT */, int *max /* OUT */);

/* YAML helpers shared with sim_manifest_pod.c: the error of a failed
 * load, and the line of the first collection nested deeper than max (0:
 * none) found with the event parser before any document is built. */
struct yaml_parser_s;
int sim_mf_yaml_syntax_error(mf *m, const struct yaml_parser_s *parser);
int sim_mf_yaml_too_deep(const char *text, size_t len, int max);
/* AS_EINVAL naming the second line of a key given twice in one mapping. */
struct yaml_document_s;
int sim_mf_yaml_dup_key(mf *m, struct yaml_document_s *doc);
/* ---- sim_manifest_hpa_map.c ---- */

/* Write a read HPA into the hpa kind's keys (m->p). */
int sim_mf_hpa_map(mf *m, const sim_hpa_spec *h);

/* ---- sim_manifest_aws.c ---- */

/* The AWS policy of m->text for m->aws_type, written into m->p. */
int sim_mf_aws(mf *m);

/* ---- sim_manifest_locate.c ---- */

/* Line (from 1) of the value at a dotted path ("ScalingPolicies[1].TargetValue")
 * in JSON text that jansson has already accepted; 0 when it is not there. */
int sim_mf_json_line(const char *text, const char *path);
/* Line of the first '[' or '{' nested deeper than max in JSON text (brackets
 * inside strings do not count); 0 when none is. Linear in the text. */
int sim_mf_json_too_deep(const char *text, size_t len, int max);

#endif
