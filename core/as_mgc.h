/* as_mgc.h - the response-time law of an M/G/c FCFS tier on the log grid
 * (as_latdist.h), for any service law of as_svclaw.h, c from 1 up; the law
 * of several visits; the law of the served requests when clients give up.
 *   P(W > 0) = Erlang C(c, a)            (as_mgc_wait_params, as_queueing.h)
 *   E[W]     = Kimura's M/G/c interpolation (as_queueing.h). Not taken,
 *              measured against the DES on the cross-validation grid
 *              (tests/test_xval.c, 4 seeds x 5 batches a cell; README),
 *              each with the M/G/1 shape X_1 alone (below):
 *              two means that use the whole service law through E[m_c],
 *              m_c the least of c equilibrium excesses (light traffic:
 *              W_G / W_MMc -> c mu E[m_c], Burman & Smith (1983), Math.
 *              Oper. Res. 8:15-25; heavy traffic: -> (1 + cs2) / 2):
 *              (a) the mean of Tijms, van Hoorn & Federgruen's (1981) M/G/c
 *              state probabilities (Adv. Appl. Prob. 13:186-206: all c
 *              busy = one server c times as fast), by their generating
 *              function: W = W_MMc [(1 - rho) c mu E[m_c] + rho (1+cs2)/2],
 *              exact at c = 1 and for M/M/c. At c = 4, rho 0.8, lognormal
 *              cv 2 it moves the mean +4.0 -> +2.5 % and p99 +8.0 -> +6.8 %
 *              (still over 5 %), but the mean goes +37 % at c = 16, rho
 *              0.5, cv 2 (+92 % at cv 3), p95 +1.9 -> +15.8 % and p99 +5.2
 *              -> +14.5 % at c = 16, rho 0.8, cv 3, p99 +2.5 -> +8.6 % at
 *              c = 4, rho 0.8, deterministic: the fast single server is far
 *              too slow for heavy-tailed service at large c (what Ma & Mark
 *              (1995), Oper. Res. 43:158-165, bound with a threshold n_p);
 *              (b) 1/E[W] linear in rho between the same two limits: mean
 *              -5.8 % at the cell above, -13.5 % at cv 3, +7.6 % for
 *              deterministic at c = 4, rho 0.5; (c) a third moment: the
 *              exact M/H2/c mean (a quasi-birth-death process) of two
 *              exponential phases with the law's E[S], E[S^2], E[S^3]:
 *              -3.6 % at the cell above (P(W > 0) within 0.2 %), but -16 %
 *              at c = 4, rho 0.5, cv 2, -13 % at c = 16, rho 0.8, -39 % at
 *              c = 4, rho 0.5, cv 3: the lognormal's third moment comes
 *              from a far tail that two phases make a rare, very long
 *              class. A lead, prototyped outside the model: the same
 *              M/H2/c with E[m_2] (the two-server light-traffic limit) in
 *              place of E[S^3] (76 instead of 125 at cv 2) is within 4.6 %
 *              of the DES's mean in 11 of the 12 cv 2 and 3 cells of c = 4
 *              and 16 (the 12th, c = 16, rho 0.5, cv 3: -14.3 %, inside 4
 *              se of 20 %); at the cell above +2.9 % against the long runs'
 *              0.1616, P(W > 0) 0.609 against 0.607; with both in the law,
 *              that cell's p99 goes +8.0 -> +5.3 % (more in the README).
 *              But that criterion was picked on this grid, it does not
 *              cover cs2 < 1, and the QBD's c + 1 phases a level cost about
 *              c^4 / 4 operations a law (a second at c = 256, one law per
 *              (c, load bin)). Kimura's mean is within 4 standard errors of
 *              the DES's in every cell of the grid but two, both lognormal
 *              cv 2: c = 4, rho 0.5, +6.9 %; c = 16, rho 0.8, +8.9 % (4
 *              se: 3.7 and 7.8 %; and c = 64, rho 0.5, where the DES sees
 *              a few waits in 4e6 requests)
 *   W | W>0  = kappa X, kappa = E[W] / P(W > 0), X of mean 1 at the same
 *              load rho and service law (the scaling of an M/G/1 shape to
 *              M/G/c follows Boxma, Cohen & Huffels (1979), Oper. Res.
 *              27:1115-1127), the mixture
 *                X = w_A X_1 + (1 - w_A) X_c,
 *                w_A = 1 / (1 + 4 (1 - rho)^2 (c - 1)).
 *              While all c servers are busy they complete work as c
 *              superposed renewal processes, and a waiting arrival's wait
 *              is an M/G/1 wait of that process. Two renewal processes
 *              stand for it:
 *              X_1, the exact M/G/1 conditional wait (Pollaczek-Khinchine
 *              in Benes' form, the geometric compound of the equilibrium
 *              excess S_e), normalised to mean 1: one server of service
 *              S / c, whose long-run variance is the superposition's (the
 *              asymptotic method; right in heavy traffic);
 *              X_c, the geometric compound of m_c, the least of c
 *              independent copies of S_e, normalised to mean 1: the M/G/1
 *              of the superposition's stationary interval, whose
 *              equilibrium excess is m_c (the stationary-interval method;
 *              the residual services Nozaki & Ross (1978), J. Appl. Prob.
 *              15:826-834, assume, and the wait of light traffic, Burman &
 *              Smith (1983), Math. Oper. Res. 8:15-25).
 *              w_A is the weight Albin (1984), Oper. Res. 32:1133-1162, and
 *              Whitt's QNA (1983), Bell Syst. Tech. J. 62:2779-2815, give
 *              the asymptotic method for a superposition of c like renewal
 *              streams feeding a queue at load rho; both shapes having
 *              mean 1, the mixture's squared coefficient of variation is
 *              the same convex combination of theirs, as in QNA. Exact at
 *              c = 1 (w_A = 1) for every law and for M/M/c (both Exp(1)).
 *              Against long DES runs (16 seeds x 5 batches of 1e6) at c =
 *              4, rho 0.8, lognormal cv 2, p99 +5.5 % (X_1 alone, as
 *              before) -> -0.3 %; X_c alone: -11.2 % (README,
 *              cross-validation). Cost: X_c needs a table per class of c,
 *              each point a real FFT of 4096 points built on first use
 *              (X_1: 16384 for cs2 > 1.5); a law mixes 6 table laws
 *   R        = W (+) S, the tier's own service law (FCFS: a request's
 *              service does not depend on its wait)
 * Owns: as_mgc_shapes, the lazily built tables of X_1 and X_c for one
 * service law's shape (dist, cv: neither depends on the mean or lambda),
 * and its FFT workspace. Everything else works in caller-owned structs and
 * scratch (as_mgc_ws), so that runs in threads share nothing.
 * Invariant: every law returned has total mass 1.
 * Must not: print, read a clock, allocate outside as_mgc_shapes_new. */
#ifndef AS_MGC_H
#define AS_MGC_H

#include "as.h"
#include "as_latdist.h"
#include "as_queueing.h"
#include "as_svclaw.h"

/* The shape tables: at u = -ln(1 - rho) = 0.1 j, j < AS_MGC_NSHAPE (rho
 * up to 0.9992; beyond, the last point: the heavy-traffic limit of both
 * shapes is Exp(1) for every law), X_1 and X_c for 10 classes of c from 2
 * to 256 (as_mgc_shape.c), linear in u between two points and in 1/c
 * between two classes; beyond 256, towards the limit of X_c, Exp(1). */
#define AS_MGC_NSHAPE 72

typedef struct as_mgc_shapes as_mgc_shapes;

/* The tables for the shape of law s (its mean is irrelevant). NULL with err
 * filled on no memory. */
as_mgc_shapes *as_mgc_shapes_new(const as_svclaw *s, as_err *err);
void as_mgc_shapes_free(as_mgc_shapes *sh); /* NULL is a no-op */
/* X_1 at table point j, built on first use (exponential service: Exp(1),
 * no build; otherwise two real FFTs of at most 16384 points, under a
 * millisecond).
 * Borrowed: valid until the table is freed. */
const as_latdist *as_mgc_shape(as_mgc_shapes *sh, int j);
/* X = w_A X_1 + (1 - w_A) X_c at (c, rho) into out (mean 1), from the
 * tables (points built on first use, as above). */
void as_mgc_shape_at(as_mgc_shapes *sh, int c, double rho, as_latdist *out);
/* w_A(c, rho) = 1 / (1 + 4 (1 - rho)^2 (c - 1)); 1 at c <= 1. */
double as_mgc_shape_weight(int c, double rho);
/* How many table points have been built (for tests and the bench). */
int as_mgc_shapes_built(const as_mgc_shapes *sh);

/* Scratch laws for the functions below (about 7 KB; caller-owned); `d`
 * is the caller's own (no function here uses it), e.g. for an output. */
typedef struct as_mgc_ws {
    as_latdist a, b, c, d;
} as_mgc_ws;
/* Zero a workspace before its first use. */
void as_mgc_ws_init(as_mgc_ws *ws);

/* X_1 on the grid, computed directly: the exact M/G/1 conditional wait of
 * law s at load rho, mean 1. work holds at least 16384 doubles. */
void as_mgc_mg1_shape(const as_svclaw *s, double rho, as_latdist *out, double *work);
/* The geometric compound (parameter rho) of m_c, the least of c
 * independent equilibrium excesses of s, normalised to mean 1 (X_c; the
 * tables call this; c = 1: as_mgc_mg1_shape). */
void as_mgc_compound_shape(const as_svclaw *s, int c, double rho, as_latdist *out, double *work);

/* The service law on the grid: deterministic parts (a fixed service, the
 * uniform law's low end) in the shift, exact; the rest cell by cell, each
 * cell's mass at its conditional mean. */
void as_mgc_service_law(const as_svclaw *s, as_latdist *out);

/* The wait: an atom 1 - pw at 0 and pw kappa X (X at w's c and rho). */
void as_mgc_wait_law(as_mgc_shapes *sh, const as_mgc_wait *w, as_latdist *out, as_mgc_ws *ws);
/* The response R = W (+) S; S the service law on the grid. */
void as_mgc_resp_law(as_mgc_shapes *sh, const as_mgc_wait *w, const as_latdist *S,
                     as_latdist *out, as_mgc_ws *ws);

/* Clients that give up after waiting tmax (a fixed patience), stable tier
 * (w->stable). The M/M/c+D structure (Baccelli & Hebuterne 1981; Zeltyn &
 * Mandelbaum 2005, Queueing Systems 51) with the model's conditional wait
 * G: with O = pw / (1 - pw), below tmax the no-timeout law is kept and the
 * mass beyond it is shrunk by 1 - rho:
 *   D = 1 + O [G(T) + (1 - rho) Gbar(T)],
 *   P(give up) = O (1 - rho) Gbar(T) / D,  P(served at once) = 1 / D.
 * Exact for M/M/c+D. served_wait (may be NULL) gets the law of the served
 * requests' waits (mass 1). */
typedef struct as_mgc_abandon {
    double p_abandon; /* share of arrivals that give up */
    double p_zero;    /* share served at once */
    double w_served;  /* mean wait of the served, s */
} as_mgc_abandon;

void as_mgc_timeout_law(as_mgc_shapes *sh, const as_mgc_wait *w, double tmax,
                        as_mgc_abandon *ab /* OUT */, as_latdist *served_wait, as_mgc_ws *ws);
/* (served_wait must not be ws->a, b or c.) */

/* The law of the total of k visits of one request to a tier, k = floor(v)
 * + Bernoulli(v - floor(v)) as the request-level model draws it, each visit
 * independent with law r: (1 - f) r^(floor v) + f r^(floor v + 1). */
void as_mgc_visits_law(const as_latdist *r, double v, as_latdist *out, as_mgc_ws *ws);

#endif
