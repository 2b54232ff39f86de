/* fc_hw_fit.c - holt_winters' fit (as_hw.h): Nelder-Mead on the logits of
 * (a, B, G) whose trials are scored AS_HW_LANES at a time in one pass over
 * the window.
 * Why lanes: a trial run is bound by the latency of the recursion's
 * dependency chain (l -> base -> lnew -> b -> base: 3 multiplies and 4
 * adds, ~5.4 ns a step), which leaves the core's floating-point pipes
 * mostly idle. Four independent runs interleaved step by step cost about
 * what one does (their chains overlap), so each Nelder-Mead iteration
 * scores all its possible next trials at once: the reflection, the
 * expansion and both contractions (the outside one as it would be taken
 * after the reflection replaced the worst corner, the inside one as it
 * would be taken from the worst corner itself), then keeps the one the
 * rules pick. The shrink, rare, is one more pass of three lanes.
 * What it must keep: the decisions, corners, centre, size and stop of
 * GSL's nmsimplex2 to the bit (the corner moves, the centre's running
 * update, the size's running sum S2 and its dnrm2/ddot arithmetic are
 * written out in the same operations and order), so every fit, every
 * forecast and every dataset stay as they were with GSL's minimiser
 * (tests/test_hw_score.c holds each fit to GSL's on random and real
 * windows). evals still counts the objective evaluations GSL's minimiser
 * would make (the cost the warm/cold test compares); passes counts the
 * trial runs this one makes.
 * Cost at 4320 points (m = 1440), measured in one process: a pass of 4
 * lanes takes 1.0 to 1.1 times one trial run (the lanes read the start
 * season where they share it, so a pass copies none); a warm refit a step
 * after the last fit makes 63 trials in 31 passes (0.5 of the time of
 * GSL's fit), the first, cold fit 231 trials in 123 passes. Shrinks are rare
 * (none in those), so scoring the shrink's corners in the same pass (8
 * lanes) would buy nothing. Not taken: scoring two iterations ahead (16
 * lanes: more work than the chain's latency hides with SSE2's two-wide
 * vectors); the SSE and its gradient in one pass with BFGS (a gradient
 * method stops in the nearest valley of this multimodal score, and the
 * fits would change: see fc_holt_winters.c).
 * No allocation after as_hw_fitter_alloc; no I/O. */
#include "as_hw.h"
#include "fc_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HW_SMIN 1e-3 /* multiplicative factor bounds, as fc_holt_winters.c */
#define HW_SMAX 1e3
#define NL AS_HW_LANES /* 4: lanes_add is written for it */
#define NP 4 /* corners of the simplex in 3 dimensions */

static double clamp_s(double s) { return s < HW_SMIN ? HW_SMIN : s > HW_SMAX ? HW_SMAX : s; }
static double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }
static double logit(double p) { return log(p / (1.0 - p)); }

/* ---- trial runs, NL at a time ---- */

/* Two lanes in one SSE2 register (GCC's vector extension, which clang
 * reads too): element-wise IEEE operations, so each element rounds as the
 * scalar code does (no contraction into FMA: ISO C mode, no -march). */
typedef double hw_v2 __attribute__((vector_size(16)));

static hw_v2 v2_load(const double *p)
{
    hw_v2 v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* The constants and state of two lanes. */
typedef struct hw_pair {
    hw_v2 a, bb, g, a1, g1, c1; /* constants, 1 - a, 1 - G, (1 - B) phi */
    hw_v2 l, b, e;              /* level, trend, sum of squared errors */
} hw_pair;

static hw_pair pair_load(const double *a, const double *bb, const double *g, double phi,
                         const double *lv, const double *bv, const double *sse)
{
    const hw_v2 one = {1.0, 1.0}, ph = {phi, phi};
    hw_pair p = {.a = v2_load(a), .bb = v2_load(bb), .g = v2_load(g), .l = v2_load(lv),
                 .b = v2_load(bv), .e = sse ? v2_load(sse) : (hw_v2){0.0, 0.0}};
    p.a1 = one - p.a;
    p.g1 = one - p.g;
    p.c1 = (one - p.bb) * ph;
    return p;
}

static void pair_store(const hw_pair *p, double *lv, double *bv, double *sse)
{
    memcpy(lv, &p->l, sizeof p->l);
    memcpy(bv, &p->b, sizeof p->b);
    if (sse)
        memcpy(sse, &p->e, sizeof p->e);
}

/* One step of two lanes on observation yv (finite) with their slots' values
 * sv, whose new values go to s[0..2). */
static inline void pair_step(hw_pair *p, hw_v2 ph, hw_v2 yv, hw_v2 sv, double *s)
{
    hw_v2 base = p->l + ph * p->b;
    hw_v2 f = base + sv;
    hw_v2 lnew = p->a * (yv - sv) + p->a1 * base;
    hw_v2 snew = p->g * (yv - base) + p->g1 * sv;
    memcpy(s, &snew, sizeof snew);
    p->b = p->bb * (lnew - p->l) + p->c1 * p->b;
    p->l = lnew;
    p->e = p->e + (yv - f) * (yv - f);
}

/* The additive recursion of fc_holt_winters.c's hw_season over one season
 * y[0..m) for NL = 4 lanes (seasons interleaved: sp[j * NL + k] is slot j
 * of lane k), each lane with the same operations in the same order as
 * there, so each lane's values are the same to the bit as a run of its
 * own. The lanes share the branch on a missing observation. s0, when not
 * NULL, is the season every lane starts from (the run's first season): it
 * is read from there, so a pass copies no start season per lane. Written on two
 * registers of two lanes, each pair's state in locals: left to itself the
 * compiler vectorised part of the step and kept the rest on the stack,
 * where store-to-load forwarding lengthened the chain (4 lanes cost 1.5
 * times one lane). */
static void lanes_add(const double *restrict y, int m, double phi, const double *restrict a,
                      const double *restrict bb, const double *restrict g, double *restrict lv,
                      double *restrict bv, const double *restrict s0, double *restrict sp,
                      double *restrict sse)
{
    const hw_v2 ph = {phi, phi};
    hw_pair p0 = pair_load(a, bb, g, phi, lv, bv, sse);
    hw_pair p1 = pair_load(a + 2, bb + 2, g + 2, phi, lv + 2, bv + 2, sse ? sse + 2 : NULL);
    for (int j = 0; j < m; j++) {
        const double yj = y[j];
        double *restrict s = sp + (size_t)j * NL;
        if (!isfinite(yj)) {
            if (s0) /* the slot keeps its start value */
                for (int k = 0; k < NL; k++)
                    s[k] = s0[j];
            p0.l = p0.l + ph * p0.b;
            p0.b = p0.b * ph;
            p1.l = p1.l + ph * p1.b;
            p1.b = p1.b * ph;
            continue;
        }
        const hw_v2 yv = {yj, yj};
        hw_v2 sv0, sv1;
        if (s0) {
            sv0 = (hw_v2){s0[j], s0[j]};
            sv1 = sv0;
        } else {
            sv0 = v2_load(s);
            sv1 = v2_load(s + 2);
        }
        pair_step(&p0, ph, yv, sv0, s);
        pair_step(&p1, ph, yv, sv1, s + 2);
    }
    pair_store(&p0, lv, bv, sse);
    pair_store(&p1, lv + 2, bv + 2, sse ? sse + 2 : NULL);
}

/* The multiplicative recursion (fc_holt_winters.c's hw_step) for NL lanes,
 * lane after lane within each step: its branches (fc_safe_div, the factor
 * clamp) keep it scalar, but the lanes' chains still overlap. */
static void lanes_mult(const double *y, int m, double phi, const double *a, const double *bb,
                       const double *g, double *lv, double *bv, const double *s0, double *sp,
                       double *sse)
{
    for (int j = 0; j < m; j++) {
        const double yj = y[j];
        for (int k = 0; k < NL; k++) {
            double base = lv[k] + phi * bv[k], s = s0 ? s0[j] : sp[(size_t)j * NL + k];
            double f = base * s;
            if (!isfinite(yj)) {
                sp[(size_t)j * NL + k] = s;
                lv[k] = base;
                bv[k] *= phi;
                continue;
            }
            double lnew = a[k] * fc_safe_div(yj, s, base) + (1.0 - a[k]) * base;
            sp[(size_t)j * NL + k] = clamp_s(g[k] * fc_safe_div(yj, base, s) + (1.0 - g[k]) * s);
            bv[k] = bb[k] * (lnew - lv[k]) + (1.0 - bb[k]) * phi * bv[k];
            lv[k] = lnew;
            if (sse)
                sse[k] += (yj - f) * (yj - f);
        }
    }
}

void as_hw_score_lanes(const as_hw_window *w, int n, const double (*c)[3], double *season,
                       double *out)
{
    const int m = w->m, W = w->W;
    double a[NL], bb[NL], g[NL], l[NL], b[NL], sse[NL];
    for (int k = 0; k < NL; k++) {
        const double *ck = c[k < n ? k : 0]; /* idle lanes repeat the first */
        a[k] = ck[0];
        bb[k] = ck[1];
        g[k] = ck[2];
        l[k] = w->l0;
        b[k] = w->b0;
        sse[k] = 0.0;
    }
    for (int i = m; i < W; i += m) {
        double *acc = i == W - m ? sse : NULL; /* the last season is scored */
        const double *s0 = i == m ? w->s0 : NULL;
        if (w->mult)
            lanes_mult(w->y + i, m, w->phi, a, bb, g, l, b, s0, season, acc);
        else
            lanes_add(w->y + i, m, w->phi, a, bb, g, l, b, s0, season, acc);
    }
    for (int k = 0; k < n; k++)
        out[k] = w->ne ? sse[k] / w->ne : 0.0;
}

/* ---- the objective ---- */

/* The box of the constants, in logits: [1e-4, 0.9999] (fc_holt_winters.c
 * says why). */
#define HW_LOGIT_MAX 9.2102403669758 /* logit(0.9999) = -logit(1e-4) */

static double box(double x)
{
    return x < -HW_LOGIT_MAX ? -HW_LOGIT_MAX : x > HW_LOGIT_MAX ? HW_LOGIT_MAX : x;
}

/* The objective at n <= NL points x[k] (logits of a, B, G), in one pass. A
 * trial outside the box is scored at its projection onto the box, times 1
 * + its distance to it: a plain projection leaves the objective flat out
 * there, and on a flat plateau the simplex reflects for ever instead of
 * shrinking. Finite always (1e300 at worst): the decisions below compare
 * values, and GSL's minimiser, whose decisions they repeat, stopped with an
 * error on inf/NAN. */
static void objective(as_hw_fitter *f, int n, const double (*x)[3], double *val)
{
    double c[NL][3], out[NL];
    for (int k = 0; k < n; k++) {
        out[k] = 0;
        for (int i = 0; i < 3; i++) {
            double v = box(x[k][i]);
            out[k] += fabs(x[k][i] - v);
            c[k][i] = logistic(v);
        }
    }
    as_hw_score_lanes(f->w, n, (const double (*)[3])c, f->season, val);
    for (int k = 0; k < n; k++) {
        double v = val[k] * (1.0 + out[k]);
        val[k] = isfinite(v) && v < 1e300 ? v : 1e300;
    }
    f->passes++;
}

/* ---- Nelder-Mead ---- */

/* The simplex: NP corners, their values, the centre and the running sum S2
 * of the corners' squared distances to it over NP (its square root is the
 * size the stop tests). */
typedef struct nm_state {
    double x[NP][3], y[NP], c[3], S2;
} nm_state;

/* BLAS dnrm2 of 3 values as GSL's CBLAS computes it (scaled sum of squares
 * from the first non-zero), so S2 rounds as it did there. */
static double nrm2(const double v[3])
{
    double scale = 0.0, ssq = 1.0;
    for (int i = 0; i < 3; i++) {
        if (v[i] != 0.0) {
            double ax = fabs(v[i]);
            if (scale < ax) {
                ssq = 1.0 + ssq * (scale / ax) * (scale / ax);
                scale = ax;
            } else {
                ssq += (ax / scale) * (ax / scale);
            }
        }
    }
    return scale * sqrt(ssq);
}

static void nm_center(nm_state *s)
{
    for (int j = 0; j < 3; j++) {
        s->c[j] = 0.0;
        for (int i = 0; i < NP; i++)
            s->c[j] += 1.0 * s->x[i][j];
        s->c[j] *= 1.0 / NP;
    }
}

/* S2 from scratch; returns the size. */
static double nm_size(nm_state *s)
{
    double ss = 0.0;
    for (int i = 0; i < NP; i++) {
        double d[3];
        for (int j = 0; j < 3; j++)
            d[j] = s->x[i][j] + -1.0 * s->c[j];
        double t = nrm2(d);
        ss += t * t;
    }
    s->S2 = ss / NP;
    return sqrt(ss / NP);
}

/* Corner `hi` moved by coeff through the centre c of all corners (-1: its
 * reflection, -2: the expansion, 0.5: the contraction) into xc. */
static void nm_move(const double c[3], const double row[3], double coeff, double xc[3])
{
    const double al = (1 - coeff) * NP / (NP - 1.0), be = (NP * coeff - 1.0) / (NP - 1.0);
    for (int j = 0; j < 3; j++) {
        xc[j] = c[j];
        xc[j] *= al;
        xc[j] += be * row[j];
    }
}

/* The centre after corner `old` is replaced by x (the running update). */
static void nm_shift(double c[3], const double old[3], const double x[3])
{
    for (int j = 0; j < 3; j++)
        c[j] += -(1.0 / NP) * old[j];
    for (int j = 0; j < 3; j++)
        c[j] += (1.0 / NP) * x[j];
}

/* Replace corner i by x (value v), updating S2 and the centre. */
static void nm_update(nm_state *s, int i, const double x[3], double v)
{
    double delta[3], xmc[3], dot = 0.0;
    for (int j = 0; j < 3; j++) {
        delta[j] = x[j] + -1.0 * s->x[i][j];
        xmc[j] = s->x[i][j] + -1.0 * s->c[j];
    }
    double d = nrm2(delta);
    for (int j = 0; j < 3; j++)
        dot += xmc[j] * delta[j];
    s->S2 += (2.0 / NP) * dot + ((NP - 1.0) / NP) * (d * d / NP);
    nm_shift(s->c, s->x[i], x);
    memcpy(s->x[i], x, sizeof s->x[i]);
    s->y[i] = v;
}

/* Shrink every corner but the best halfway to it: one pass of 3 lanes. */
static void nm_shrink(as_hw_fitter *f, nm_state *s, int lo)
{
    double x[NL][3], v[NL];
    int idx[NP - 1], n = 0;
    for (int i = 0; i < NP; i++) {
        if (i == lo)
            continue;
        for (int j = 0; j < 3; j++)
            s->x[i][j] = 0.5 * (s->x[i][j] + s->x[lo][j]);
        memcpy(x[n], s->x[i], sizeof x[n]);
        idx[n++] = i;
    }
    objective(f, n, (const double (*)[3])x, v);
    f->evals += n;
    for (int k = 0; k < n; k++)
        s->y[idx[k]] = v[k];
    nm_center(s);
    nm_size(s);
}

/* One iteration: the worst (hi), second worst (s_hi) and best (lo)
 * corners picked as GSL's nmsimplex2 picks them (ties included); then the
 * reflection, the expansion and the two contractions scored in one pass and
 * the rules applied in their order. Returns the size. */
static double nm_iterate(as_hw_fitter *f, nm_state *s)
{
    int hi = 0, s_hi = 1, lo = 0;
    double dhi = s->y[0], dlo = s->y[0], ds_hi = s->y[1];
    for (int i = 1; i < NP; i++) {
        double v = s->y[i];
        if (v < dlo) {
            dlo = v;
            lo = i;
        } else if (v > dhi) {
            ds_hi = dhi;
            s_hi = hi;
            dhi = v;
            hi = i;
        } else if (v > ds_hi) {
            ds_hi = v;
            s_hi = i;
        }
    }
    enum { R, E, CI, CO };
    double x[NL][3], v[NL], c2[3];
    nm_move(s->c, s->x[hi], -1.0, x[R]);
    nm_move(s->c, s->x[hi], -2.0, x[E]);
    nm_move(s->c, s->x[hi], 0.5, x[CI]);
    memcpy(c2, s->c, sizeof c2); /* the centre once the reflection took hi */
    nm_shift(c2, s->x[hi], x[R]);
    nm_move(c2, x[R], 0.5, x[CO]);
    objective(f, NL, (const double (*)[3])x, v);
    f->evals++;
    if (v[R] < s->y[lo]) {
        f->evals++;
        if (v[E] < s->y[lo])
            nm_update(s, hi, x[E], v[E]);
        else
            nm_update(s, hi, x[R], v[R]);
    } else if (v[R] > s->y[s_hi]) {
        int k = CI;
        if (v[R] <= s->y[hi]) {
            nm_update(s, hi, x[R], v[R]);
            k = CO;
        }
        f->evals++;
        if (v[k] <= s->y[hi])
            nm_update(s, hi, x[k], v[k]);
        else
            nm_shrink(f, s, lo);
    } else {
        nm_update(s, hi, x[R], v[R]);
    }
    return s->S2 > 0 ? sqrt(s->S2) : nm_size(s);
}

int as_hw_fitter_alloc(as_hw_fitter *f, int m)
{
    *f = (as_hw_fitter){0};
    f->season = calloc((size_t)m * NL, sizeof *f->season);
    return f->season ? 0 : -1;
}

void as_hw_fitter_free(as_hw_fitter *f)
{
    free(f->season);
    *f = (as_hw_fitter){0};
}

/* The start: c[] (in logits, held to the box) and a corner `step` further
 * along each axis, scored in one pass; then iterations until the size is
 * under tol or max_iter. The best corner is the result (the first of equal
 * values, as gsl_vector_min_index). */
double as_hw_fit(as_hw_fitter *f, const as_hw_window *w, double c[3], double step, double tol,
                 int max_iter)
{
    f->w = w;
    nm_state s;
    for (int i = 0; i < NP; i++)
        for (int j = 0; j < 3; j++)
            s.x[i][j] = box(logit(c[j]));
    for (int i = 1; i < NP; i++)
        s.x[i][i - 1] += step;
    objective(f, NP, (const double (*)[3])s.x, s.y);
    f->evals += NP;
    nm_center(&s);
    nm_size(&s);
    for (int it = 0; it < max_iter; it++)
        if (nm_iterate(f, &s) < tol)
            break;
    int lo = 0;
    for (int i = 1; i < NP; i++)
        if (s.y[i] < s.y[lo])
            lo = i;
    for (int j = 0; j < 3; j++)
        c[j] = logistic(box(s.x[lo][j]));
    return s.y[lo];
}
