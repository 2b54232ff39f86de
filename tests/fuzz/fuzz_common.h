/* fuzz_common.h - helpers shared by the libFuzzer harnesses of tests/fuzz/.
 * Owns: one temporary file per harness and process (/tmp/fuzz_NAME_PID.EXT),
 * rewritten for every input: the readers under test take a path, not a
 * buffer. Must not: keep state between inputs beyond that path. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write data to /tmp/fuzz_<name>_<pid>.<ext>; returns the path (static
 * buffer, one per call site) or NULL when the file cannot be written. */
static inline const char *fuzz_write(char *path, size_t n, const char *name, const char *ext,
                                     const uint8_t *data, size_t size)
{
    snprintf(path, n, "/tmp/fuzz_%s_%d.%s", name, (int)getpid(), ext);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return NULL;
    if (size > 0 && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return NULL;
    }
    fclose(f);
    return path;
}

/* A small selector derived from the input, for options the format itself
 * does not carry (so that one input always takes the same path). */
static inline unsigned fuzz_pick(const uint8_t *data, size_t size)
{
    unsigned h = 2166136261u;
    for (size_t i = 0; i < size && i < 64; i++)
        h = (h ^ data[i]) * 16777619u;
    return h ^ (unsigned)size;
}

#endif
