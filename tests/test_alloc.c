/* test_alloc.c - the test of the allocation counter behind the "no
 * allocation per call" conformance checks. The test binary is linked
 * with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,... (Makefile:
 * TEST_WRAP), so the project's calls land in tests/test_helpers.c and go
 * on to the real allocator (the sanitizers' under make asan). Why
 * link-time wrapping and not a replacement malloc: the sanitizers own
 * malloc, and glibc has no hooks any more; the cost is that allocations
 * inside shared libraries (GSL's gsl_vector_alloc, for one) are not
 * counted. */
#include "as_kind.h"
#include "as_registry.h"
#include "test_alloc.h"

#include <criterion/criterion.h>
#include <stdlib.h>

/* The wrappers and the counter are in tests/test_helpers.c, with the
 * failing allocator of the out-of-memory tests: a symbol can be wrapped
 * only once. */

/* The counter must see the library's allocations, or every "no
 * allocation" check would pass whatever the code does. */
Test(alloc, counter_sees_allocations_in_the_core_library)
{
    const as_kind *k = as_registry_kind(AS_FAMILY_POLICY, 0);
    cr_assert_not_null(k);
    long before = test_alloc_count();
    void *cfg = as_kind_config_new(k, NULL); /* one calloc in core/as_kind.c */
    long after = test_alloc_count();
    cr_assert_not_null(cfg);
    free(cfg);
    cr_expect_eq(after - before, 1, "core's calloc counted %ld times (is TEST_WRAP linked?)",
                 after - before);
}
