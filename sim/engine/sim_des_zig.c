/* sim_des_zig.c - the tables of the exponential ziggurat and its slow path
 * (see sim_des_rng.h). The tables are computed once per process from the
 * two constants (Marsaglia and Tsang's recurrence) and only read after:
 * pthread_once makes the first call from several threads safe. */
#include "sim_des_rng.h"

#include <math.h>
#include <pthread.h>

static des_zig zig;
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

/* Strip 0 is the base (width q = v / f(r), its part beyond r stands for the
 * tail); strips 255 .. 1 go up from x_255 = r to x_1, and x_0 = 0 bounds
 * the top one (its k is 0: every point in it is tested). */
static void zig_build(void)
{
    const double m = 9007199254740992.0; /* 2^53 */
    const double v = DES_ZIG_V;
    double de = DES_ZIG_R, tde = de;
    double q = v / exp(-de);
    zig.ke[0] = (uint64_t)(de / q * m);
    zig.ke[1] = 0;
    zig.we[0] = q / m;
    zig.we[255] = de / m;
    zig.fe[0] = 1;
    zig.fe[255] = exp(-de);
    for (int i = 254; i >= 1; i--) {
        de = -log(v / de + exp(-de));
        zig.ke[i + 1] = (uint64_t)(de / tde * m);
        tde = de;
        zig.fe[i] = exp(-de);
        zig.we[i] = de / m;
    }
}

const des_zig *des_zig_tables(void)
{
    pthread_once(&zig_once, zig_build);
    return &zig;
}

double des_exp_slow(const des_zig *z, const gsl_rng *r, int i, double x)
{
    for (;;) {
        if (i == 0) /* the tail: r plus an Exp(1), by memorylessness */
            return DES_ZIG_R - log(des_uniform_pos(r));
        /* a point uniform in the strip's box, below the curve? */
        if (z->fe[i] + des_uniform(r) * (z->fe[i - 1] - z->fe[i]) < exp(-x))
            return x;
        uint64_t ri = des_word2(r) >> 3;
        i = (int)(ri & 0xff);
        ri >>= 8;
        x = (double)(int64_t)ri * z->we[i];
        if (ri < z->ke[i])
            return x;
    }
}
