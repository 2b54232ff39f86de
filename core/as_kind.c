/* as_kind.c - the one new/free path of every plug-in instance.
 * An instance is one calloc'd block: the family's struct (as_instance
 * first), padded to max_align_t, then kind->state_size bytes of state, so a
 * kind never allocates its own state struct and cannot forget to free it.
 * Kinds still allocate in init() what depends on their settings (windows,
 * GSL workspaces) and release it in fini(). */
#include "as_kind.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *as_kind_config_new(const as_kind *kind, as_err *err)
{
    void *cfg = calloc(1, kind->config_size ? kind->config_size : 1);
    if (cfg == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory for the settings of '%s'", kind->name);
        return NULL;
    }
    if (kind->defaults)
        kind->defaults(cfg);
    return cfg;
}

void as_instance_free(as_instance *in)
{
    if (in == NULL)
        return;
    if (in->kind->fini)
        in->kind->fini(in->state);
    free(in);
}

void *as_instance_new(const as_kind *kind, const char *family, size_t head, const void *cfg,
                      as_instance_init_fn init, const void *arg, as_err *err)
{
    assert(family != NULL && init != NULL && head >= sizeof(as_instance));
    if (kind == NULL) {
        as_err_set(err, AS_EINVAL, "%s: no kind", family);
        return NULL;
    }
    if (kind->version < AS_KIND_VERSION_MIN || kind->version > AS_KIND_VERSION) {
        as_err_set(err, AS_EINVAL, "%s '%s': interface version %d, this build has %d", family,
                   kind->name ? kind->name : "?", kind->version, AS_KIND_VERSION);
        return NULL;
    }
    const size_t align = _Alignof(max_align_t);
    size_t off = (head + align - 1) / align * align;
    if (kind->state_size > SIZE_MAX - off) {
        as_err_set(err, AS_ENOMEM, "%s '%s': state too large", family, kind->name);
        return NULL;
    }
    as_instance *in = calloc(1, off + kind->state_size);
    if (in == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory creating %s '%s'", family, kind->name);
        return NULL;
    }
    in->kind = kind;
    in->state = kind->state_size ? (unsigned char *)in + off : NULL;
    void *tmp = NULL;
    if (cfg == NULL && (cfg = tmp = as_kind_config_new(kind, err)) == NULL) {
        as_instance_free(in);
        return NULL;
    }
    int rc = init(in, cfg, arg, err);
    free(tmp);
    if (rc != AS_OK) {
        as_instance_free(in); /* fini accepts a state whose init failed */
        return NULL;
    }
    return in;
}
