/* test_detect.c - anomaly detector kinds, wrapper and registry.
 * The rolling z-score is checked against the pandas figures of
 * peers/zscore_pandas.py on a hermetic copy of the synthetic trace
 * (tests/data/synthetic_seasonal.csv; tests run from the project root),
 * plus hand-computed scores, and a conformance battery over every
 * registered kind, the copy-me template included (the registry's rules,
 * gaps, spikes, constants, interleaved instances, no allocation in
 * observe, the time rule). */
#include "as_detect.h"
#include "as_registry.h"
#include "test_alloc.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    _Alignas(16) unsigned char bytes[256];
} cfg_buf;

static as_detector *make(const char *name, const char *const *kv)
{
    const as_detector_type *t = as_detector_type_find(name);
    cr_assert_not_null(t, "kind %s not registered", name);
    cr_assert_leq(t->config_size, sizeof(cfg_buf));
    cfg_buf cb;
    memset(&cb, 0, sizeof cb);
    t->defaults(cb.bytes);
    for (; kv && *kv; kv += 2) {
        as_err err = {0};
        cr_assert_eq(as_param_set(t->params, cb.bytes, kv[0], kv[1], &err), AS_OK, "%s", err.msg);
    }
    as_err err = {0};
    as_detector *d = as_detector_new(t, cb.bytes, &err);
    cr_assert_not_null(d, "%s: %s", name, err.msg);
    return d;
}

Test(detect, registry_lists_every_kind)
{
    for (const as_detector_type *const *t = as_detector_types(); *t; t++)
        cr_expect_eq(as_detector_type_find((*t)->name), *t);
    cr_expect_not_null(as_detector_type_find("zscore"));
    cr_expect_not_null(as_detector_type_find("mad"));
    cr_expect_not_null(as_detector_type_find("ewma_residual"));
    cr_expect_null(as_detector_type_find("isolation_forest"));
    as_detector_free(NULL);
}

Test(detect, zscore_matches_pandas_on_synthetic_trace)
{
    FILE *f = fopen("tests/data/synthetic_seasonal.csv", "r");
    cr_assert_not_null(f, "run the tests from the project root");
    char line[128];
    cr_assert_not_null(fgets(line, sizeof line, f)); /* header */
    as_detector *d = make("zscore", (const char *const[]){"window", "60", "threshold", "3", NULL});
    long long ts;
    double y, sum = 0, absmax = 0;
    int n = 0, flagged = 0, over = 0;
    while (fgets(line, sizeof line, f) && sscanf(line, "%lld,%lf", &ts, &y) == 2) {
        bool flag;
        double z = as_detector_observe(d, (as_time)ts * AS_SEC, y, &flag);
        n++;
        if (n < 60) {
            cr_assert_eq(z, 0.0); /* warming up: pandas gives NaN here */
            continue;
        }
        sum += z;
        absmax = fmax(absmax, fabs(z));
        flagged += flag;
        over += fabs(z) > 3;
    }
    fclose(f);
    as_detector_free(d);
    cr_expect_eq(n, 20160);
    cr_expect_eq(flagged, 64);
    cr_expect_eq(over, 64);
    cr_expect(fabs(sum - 759.306) < 5e-4, "sum of z %.6f", sum);
    cr_expect(fabs(absmax - 3.94135) < 5e-6, "max |z| %.7f", absmax);
}

Test(detect, zscore_hand_computed)
{
    /* window 4 over 1, 2, 3, 10: mean 4, sample var (9+4+1+36)/3 = 50/3,
     * z = 6 / sqrt(50/3) = 1.4697; then 2, 3, 10, 5: mean 5, var
     * (9+4+25+0)/3 = 38/3, z = 0 */
    as_detector *d = make("zscore", (const char *const[]){"window", "4", "threshold", "1.4", NULL});
    bool flag;
    for (double y = 1; y <= 3; y++)
        cr_expect_eq(as_detector_observe(d, 0, y, &flag), 0.0);
    double z = as_detector_observe(d, 0, 10, &flag);
    cr_expect(fabs(z - 6 / sqrt(50.0 / 3)) < 1e-12, "z %.15g", z);
    cr_expect(flag);
    cr_expect(fabs(as_detector_observe(d, 0, 5, &flag)) < 1e-12);
    cr_expect(!flag);
    /* a gap is skipped: the window stays 2, 3, 10, 5 */
    cr_expect_eq(as_detector_observe(d, 0, NAN, &flag), 0.0);
    cr_expect(!flag);
    z = as_detector_observe(d, 0, 3, &flag); /* 3, 10, 5, 3: mean 5.25 */
    double var = (2.25 * 2.25 + 4.75 * 4.75 + .25 * .25 + 2.25 * 2.25) / 3;
    cr_expect(fabs(z - (3 - 5.25) / sqrt(var)) < 1e-12, "z %.15g", z);
    as_detector_free(d);
}

Test(detect, zscore_long_run_does_not_drift)
{
    /* a large level and many steps: running sums of y^2 would lose the
     * variance to cancellation; the exact recomputation keeps it */
    as_detector *d = make("zscore", (const char *const[]){"window", "10", NULL});
    bool flag;
    double z = 0;
    for (long i = 0; i < 200003; i++)
        z = as_detector_observe(d, 0, 1e9 + (double)(i % 10), &flag);
    /* last window is 1e9 + {4..9, 0..3}; last value 1e9 + 2, mean 1e9 + 4.5 */
    double sd = sqrt(82.5 / 9);
    cr_expect(fabs(z - (-2.5 / sd)) < 1e-6, "z %.9f", z);
    as_detector_free(d);
}

Test(detect, mad_hand_computed_and_robust)
{
    /* previous 5: 10, 11, 12, 13, 100 -> median 12, |dev| 2,1,0,1,88 ->
     * MAD 1, scale 1.4826: y = 15 scores 3/1.4826 = 2.0235 */
    as_detector *d = make("mad", (const char *const[]){"window", "5", "threshold", "3", NULL});
    bool flag;
    const double ys[] = {10, 11, 12, 13, 100};
    for (int i = 0; i < 5; i++)
        cr_expect_eq(as_detector_observe(d, 0, ys[i], &flag), 0.0);
    double z = as_detector_observe(d, 0, 15, &flag);
    cr_expect(fabs(z - 3 / 1.4826) < 1e-12, "z %.15g", z);
    cr_expect(!flag);
    /* window now 11, 12, 13, 100, 15: median 13, devs 2,1,0,87,2 -> MAD 2;
     * y = 40 -> 27 / 2.9652 = 9.1057: flagged despite the earlier 100 */
    z = as_detector_observe(d, 0, 40, &flag);
    cr_expect(fabs(z - 27 / (2 * 1.4826)) < 1e-12, "z %.15g", z);
    cr_expect(flag);
    as_detector_free(d);
}

Test(detect, mad_even_window_median)
{
    /* previous 4: 1, 2, 3, 4 -> median 2.5, devs 1.5 .5 .5 1.5 -> MAD 1 */
    as_detector *d = make("mad", (const char *const[]){"window", "4", NULL});
    bool flag;
    for (double y = 1; y <= 4; y++)
        as_detector_observe(d, 0, y, &flag);
    double z = as_detector_observe(d, 0, 5.5, &flag);
    cr_expect(fabs(z - 3 / 1.4826) < 1e-12, "z %.15g", z);
    as_detector_free(d);
}

Test(detect, ewma_residual_hand_computed)
{
    /* alpha .5, beta .5, warmup 2: 10 (level 10), 12 (e=2, var 4, level
     * 11), 10 (e=-1, scored: z = -1/2; var = max(1/2, .5) -> 2.5, level 10.5) */
    const char *const kv[] = {"alpha", "0.5", "beta", "0.5", "warmup", "2", "threshold", "3", NULL};
    as_detector *d = make("ewma_residual", kv);
    bool flag;
    cr_expect_eq(as_detector_observe(d, 0, 10, &flag), 0.0);
    cr_expect_eq(as_detector_observe(d, 0, 12, &flag), 0.0);
    cr_expect(fabs(as_detector_observe(d, 0, 10, &flag) + 0.5) < 1e-12);
    /* next: e = 20 - 10.5 = 9.5, z = 9.5 / sqrt(2.5) = 6.008: flagged */
    double z = as_detector_observe(d, 0, 20, &flag);
    cr_expect(fabs(z - 9.5 / sqrt(2.5)) < 1e-12, "z %.15g", z);
    cr_expect(flag);
    as_detector_free(d);
}

/* Deterministic noise for the spike tests. */
static double noise(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    double u = ((*s * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
    return 2 * u - 1; /* uniform in [-1, 1): sd 0.577 */
}

/* One test per registered kind, templates included: indices, not
 * pointers, since Criterion may run each test in a fresh process where
 * the registry's addresses differ. Adding a kind needs no edit here. */
static int kind_idx[256];

static size_t kind_params(void)
{
    size_t n = 0;
    for (; n < 256 && as_registry_detector(n); n++)
        kind_idx[n] = (int)n;
    return n;
}

#define FOR_EVERY_KIND(test)                          \
    ParameterizedTestParameters(detect, test)         \
    {                                                 \
        size_t n = kind_params();                     \
        return cr_make_param_array(int, kind_idx, n); \
    }

FOR_EVERY_KIND(conformance)
FOR_EVERY_KIND(conformance_no_allocation_in_observe)
FOR_EVERY_KIND(conformance_time_going_back_aborts)

ParameterizedTest(int *idx, detect, conformance)
{
    const as_detector_type *t = as_registry_detector((size_t)*idx);
    cr_assert_not_null(t);
    bool tmpl = (t->flags & AS_KIND_TEMPLATE) != 0;
    as_err e0 = {0};
    cr_expect_eq(as_registry_check_detector(t, tmpl, &e0), AS_OK, "%s", e0.msg);
    cr_expect_eq(as_registry_find(AS_FAMILY_DETECTOR, t->name), &t->kind, "%s", t->name);
    cr_expect_eq(as_detector_type_find(t->name), tmpl ? NULL : t, "%s", t->name);
    /* default config (NULL), then: noise with a spike, gaps, zeros, a constant
     * and a step off the constant; scores finite, spikes flagged, quiet
     * stretches not */
    as_err err = {0};
    as_detector *d = as_detector_new(t, NULL, &err);
    as_detector *other = as_detector_new(t, NULL, &err);
    as_detector *solo = as_detector_new(t, NULL, &err);
    cr_assert(d && other && solo, "%s: %s", t->name, err.msg);
    uint64_t s1 = 5, s2 = 6, s3 = 5;
    int flagged_quiet = 0;
    for (long i = 0; i < 3000; i++) {
        double y = 100 + 5 * noise(&s1);
        double ys = 100 + 5 * noise(&s3);
        if (i == 2000)
            y = ys = 200; /* a spike far outside */
        if (i % 50 == 7)
            y = ys = NAN;
        bool f1, f2, f3;
        double z = as_detector_observe(d, i * AS_SEC, y, &f1);
        double zo = as_detector_observe(other, i * AS_SEC, 1e6 * noise(&s2), &f2);
        double zs = as_detector_observe(solo, i * AS_SEC, ys, &f3);
        cr_assert(isfinite(z) && isfinite(zo), "%s step %ld", t->name, i);
        cr_assert(z == zs && f1 == f3, "%s: interleaved instance differs at %ld", t->name, i);
        if (isnan(y))
            cr_assert(z == 0 && !f1, "%s: a gap must score 0", t->name);
        if (i == 2000)
            cr_expect(f1, "%s missed the spike (z %g)", t->name, z);
        else if (i > 200 && i < 2000)
            flagged_quiet += f1;
    }
    /* uniform noise has no tails beyond 1.73 sd: nothing quiet is flagged */
    cr_expect_eq(flagged_quiet, 0, "%s flagged %d quiet samples", t->name, flagged_quiet);
    as_detector_free(d);
    as_detector_free(other);
    as_detector_free(solo);

    const double consts[] = {0.0, 42.0};
    for (int c = 0; c < 2; c++) {
        d = as_detector_new(t, NULL, NULL);
        for (long i = 0; i < 500; i++) {
            bool f;
            double z = as_detector_observe(d, i * AS_SEC, consts[c], &f);
            cr_assert(isfinite(z) && z == 0 && !f, "%s constant %g: z %g", t->name, consts[c], z);
        }
        bool f;
        double z = as_detector_observe(d, 500 * AS_SEC, consts[c] + 1, &f);
        cr_assert(isfinite(z), "%s step off a constant: %g", t->name, z);
        z = as_detector_observe(d, 501 * AS_SEC, INFINITY, &f);
        cr_assert(z == 0 && !f, "%s: inf is a missing sample", t->name);
        as_detector_free(d);
    }
}

/* observe() takes no memory: every allocator call of the project is
 * counted (tests/test_alloc.c) over 3000 observations with gaps. */
ParameterizedTest(int *idx, detect, conformance_no_allocation_in_observe)
{
    const as_detector_type *t = as_registry_detector((size_t)*idx);
    as_err err = {0};
    long at_new = test_alloc_count();
    as_detector *d = as_detector_new(t, NULL, &err);
    cr_assert_not_null(d, "%s: %s", t->name, err.msg);
    cr_assert_gt(test_alloc_count(), at_new, "the allocation counter sees nothing");
    uint64_t s = 11;
    long before = test_alloc_count();
    for (long i = 0; i < 3000; i++) {
        bool f;
        as_detector_observe(d, i * AS_SEC, i % 50 == 7 ? NAN : 100 + 5 * noise(&s), &f);
    }
    long calls = test_alloc_count() - before;
    as_detector_free(d);
    cr_expect_eq(calls, 0, "%s: %ld allocations in 3000 observations", t->name, calls);
}

/* A driver that goes back in time has a bug: the wrapper asserts (test
 * builds keep asserts on). Equal times are allowed. */
ParameterizedTest(int *idx, detect, conformance_time_going_back_aborts, .signal = SIGABRT)
{
    const as_detector_type *t = as_registry_detector((size_t)*idx);
    as_detector *d = as_detector_new(t, NULL, NULL);
    cr_assert_not_null(d);
    bool f;
    as_detector_observe(d, 10 * AS_SEC, 1.0, &f);
    as_detector_observe(d, 10 * AS_SEC, 1.0, &f);
    th_expect_crash();
    as_detector_observe(d, 10 * AS_SEC - 1, 1.0, &f); /* aborts */
    as_detector_free(d);
}
