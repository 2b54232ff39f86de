/* test_alloc.h - allocation counter of the test binary (tests/test_helpers.c
 * implements it; tests/test_alloc.c tests it).
 * Owns: nothing; it only declares.
 * Invariant: every malloc, calloc, realloc and strdup call made by the project's
 * code (core, traces, sim, tests) adds one; calls made inside shared
 * libraries (GSL, HDF5, libc itself) are not seen.
 * Must not: be used for anything but counting. */
#ifndef TEST_ALLOC_H
#define TEST_ALLOC_H

/* Allocator calls so far in this process. */
long test_alloc_count(void);

#endif
