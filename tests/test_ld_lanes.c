/* test_ld_lanes.c - the convolution of as_latdist (and its normalisation)
 * at every vector width the processor runs (2, 4 and 8 doubles) gives the
 * same bits, on seeded random laws of many ranges (short ones exercise
 * the scalar ends, long ones the vector body), with atoms and shifts; and a mixture (axpy) of laws of the
 * same shift equals, at every width, the point-by-point sum it was written
 * as before its range was found once (the reference below). Widths the processor lacks are skipped
 * (as_latdist_lanes returns 0), the SSE2 one always runs. Quantiles taken
 * together (one walk, then a search) and a tail given its total are the
 * same bits as the one-at-a-time functions. */
#include "as_latdist.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static uint64_t st = 0x9E3779B97F4A7C15ull;
static double unif(void)
{
    st ^= st >> 12;
    st ^= st << 25;
    st ^= st >> 27;
    return ((double)((st * 0x2545F4914F6CDD1Dull) >> 11) + 0.5) / 9007199254740992.0;
}

static void random_law(as_latdist *d)
{
    memset(d, 0, sizeof *d);
    as_latdist_clear(d);
    int lo = (int)(unif() * 200), len = 1 + (int)(unif() * 130);
    if (lo + len > AS_LD_N)
        len = AS_LD_N - lo;
    for (int k = lo; k < lo + len; k++)
        as_latdist_add(d, as_latdist_x(k) * (1 + 0.05 * unif()), unif() < 0.1 ? 0 : unif());
    d->zero = unif() < 0.5 ? unif() : 0;
    d->shift = unif() < 0.5 ? unif() * 0.01 : 0;
}

Test(ld_lanes, every_width_gives_the_same_bits)
{
    static as_latdist a, b, ref, got, refn, gotn;
    int widths[] = {2, 4, 8}, ran = 0;
    for (int c = 0; c < 300; c++) {
        random_law(&a);
        random_law(&b);
        cr_assert_eq(as_latdist_lanes(2), 2);
        memset(&ref, 0, sizeof ref);
        as_latdist_conv(&ref, &a, &b);
        cr_assert(as_latdist_total(&ref) > 0);
        refn = ref; /* normalised at 2 lanes too */
        as_latdist_normalize(&refn);
        for (int w = 1; w < 3; w++) {
            if (as_latdist_lanes(widths[w]) != widths[w])
                continue;
            ran++;
            memset(&got, 0, sizeof got);
            as_latdist_conv(&got, &a, &b);
            cr_assert(got.lo == ref.lo && got.hi == ref.hi && got.shift == ref.shift &&
                          memcmp(&got.zero, &ref.zero, sizeof ref.zero) == 0,
                      "width %d: range or atom differs", widths[w]);
            cr_assert(memcmp(got.m + ref.lo, ref.m + ref.lo,
                             (size_t)(ref.hi - ref.lo + 1) * sizeof(double)) == 0,
                      "width %d: masses differ (case %d)", widths[w], c);
            gotn = got;
            as_latdist_normalize(&gotn);
            cr_assert(memcmp(gotn.m, refn.m, sizeof refn.m) == 0 &&
                          memcmp(&gotn.zero, &refn.zero, sizeof refn.zero) == 0,
                      "width %d: normalised masses differ (case %d)", widths[w], c);
        }
    }
    as_latdist_lanes(0);
    cr_log_info("wider widths compared: %d", ran);
}

Test(ld_lanes, mixture_equals_points_added_one_by_one)
{
    static as_latdist a, o1, o2;
    /* at every width the processor runs (the mixtures take the
     * convolution's: 2 lanes, else 4) */
    for (int c = 0; c < 300; c++) {
        const int widths[] = {2, 4, 8};
        if (as_latdist_lanes(widths[c % 3]) != widths[c % 3])
            continue;
        random_law(&a);
        a.shift = 0;
        memset(&o1, 0, sizeof o1);
        as_latdist_clear(&o1);
        as_latdist_add(&o1, c % 2 ? 0.5 : 1e-5, 0.25); /* a point of its own: ranges merge */
        o2 = o1;
        double w = 0.1 + unif();
        as_latdist_axpy(&o1, w, &a);
        o2.zero += w * a.zero;
        for (int k = a.lo; k <= a.hi; k++)
            if (a.m[k] != 0) {
                o2.m[k] += w * a.m[k];
                o2.lo = k < o2.lo ? k : o2.lo;
                o2.hi = k > o2.hi ? k : o2.hi;
            }
        cr_assert(o1.lo == o2.lo && o1.hi == o2.hi, "case %d: range %d..%d against %d..%d", c,
                  o1.lo, o1.hi, o2.lo, o2.hi);
        cr_assert(memcmp(o1.m, o2.m, sizeof o1.m) == 0 && o1.zero == o2.zero, "case %d", c);
    }
    as_latdist_lanes(0);
}

static bool same_bits(double x, double y) { return memcmp(&x, &y, sizeof x) == 0; }

Test(ld_lanes, quantiles_together_equal_one_at_a_time)
{
    static as_latdist a;
    const double p[] = {0.0, 1e-9, 0.01, 0.5, 0.9, 0.95, 0.99, 0.999999, 1.0};
    const int np = (int)(sizeof p / sizeof p[0]);
    int cases = 0;
    for (int c = 0; c < 400; c++) {
        random_law(&a);
        if (c % 7 == 0) /* an atom alone, then the atom with most of the mass */
            as_latdist_clear(&a), a.zero = 0.5;
        else if (c % 7 == 1)
            a.zero = 1e3;
        else if (c % 7 == 2) /* holes in the range */
            for (int k = a.lo; k <= a.hi; k += 3)
                a.m[k] = 0;
        double q[16];
        as_latdist_quantiles(&a, np, p, q);
        for (int i = 0; i < np; i++) {
            double r = as_latdist_quantile(&a, p[i]);
            cr_assert(same_bits(q[i], r), "case %d, p %g: %.17g against %.17g", c, p[i], q[i],
                      r);
        }
        double t = as_latdist_x((c * 7) % AS_LD_N) + a.shift;
        cr_assert(same_bits(as_latdist_tail_tot(&a, t, as_latdist_total(&a)),
                            as_latdist_tail(&a, t)));
        cases++;
    }
    static as_latdist empty;
    memset(&empty, 0, sizeof empty);
    as_latdist_clear(&empty);
    double q[2];
    as_latdist_quantiles(&empty, 2, p + 3, q);
    cr_assert(isnan(q[0]) && isnan(q[1]), "an empty law has no quantile");
    cr_log_info("laws compared: %d", cases);
}

/* out1 += w a, out2 += w a in one pass: the same bits as the two calls,
 * whatever the shifts (equal, a's lower or higher than an output's, an
 * empty output that takes a's) and ranges. */
Test(ld_lanes, mixture_into_two_equals_two_mixtures)
{
    static as_latdist a, o1, o2, r1, r2;
    int fused = 0;
    for (int c = 0; c < 300; c++) {
        random_law(&a);
        random_law(&o1);
        random_law(&o2);
        if (c % 4 == 0) /* the common case: every shift the same */
            o1.shift = o2.shift = a.shift;
        else if (c % 4 == 1) { /* an empty output takes a's shift */
            as_latdist_clear(&o1);
            o2.shift = a.shift;
        }
        fused += o1.shift == a.shift && o2.shift == a.shift;
        r1 = o1;
        r2 = o2;
        double w = 0.1 + unif();
        as_latdist_axpy2(&o1, &o2, w, &a);
        as_latdist_axpy(&r1, w, &a);
        as_latdist_axpy(&r2, w, &a);
        cr_assert(memcmp(&o1, &r1, sizeof o1) == 0, "case %d: first output differs", c);
        cr_assert(memcmp(&o2, &r2, sizeof o2) == 0, "case %d: second output differs", c);
    }
    cr_assert(fused > 50, "the one-pass path ran %d times", fused);
}

/* Normalising (two lanes a vector) divides each mass as a scalar multiply
 * by 1 / total does. */
Test(ld_lanes, normalize_equals_scalar_multiply)
{
    static as_latdist a, r;
    for (int c = 0; c < 200; c++) {
        random_law(&a);
        r = a;
        double t = as_latdist_normalize(&a), inv = 1.0 / t;
        cr_assert(same_bits(t, as_latdist_total(&r)));
        r.zero *= inv;
        for (int k = r.lo; k <= r.hi; k++)
            r.m[k] *= inv;
        cr_assert(memcmp(&a, &r, sizeof a) == 0, "case %d", c);
    }
}
