/* as_hw.h - holt_winters' trial run (core/forecast/fc_holt_winters.c) and
 * fit on a window (core/forecast/fc_hw_fit.c), exposed so that tests can
 * hold the run against the textbook recursion, the fit against GSL's
 * nmsimplex2 and a warm fit against a cold one (tests/test_hw_score.c), and
 * `make bench` can time a cold fit alone (bench/bench_core.c); no other
 * caller.
 * Owns: nothing; the window and its buffers belong to the caller.
 * Invariant: as_hw_prepare and as_hw_score do the arithmetic of the
 * recursion of REFERENCE.md section 5 in the order it is written there, so
 * the score is the same to the bit as a step-by-step run with ring
 * indices; they never allocate.
 * as_hw_score_lanes gives each lane the same value to the bit as
 * as_hw_score with that lane's constants. as_hw_fit makes the decisions of
 * GSL's nmsimplex2 from the same start to the bit, and allocates nothing
 * (the fitter is taken beforehand).
 * Must not: print, read a clock or keep state between calls (beyond the
 * fitter's evaluation count). */
#ifndef AS_HW_H
#define AS_HW_H

#include <stdbool.h>

typedef struct as_hw_window {
    int m, W;        /* season, window (a multiple of m, at least 2 m) */
    bool mult;       /* multiplicative season */
    double phi;      /* trend damping */
    const double *y; /* W observations in time order (NAN = missing) */
    double *s0;      /* m doubles: the start season (window order) */
    double l0, b0;   /* the start level and trend */
    int ne;          /* finite observations in the last season (scored) */
} as_hw_window;

/* The heuristic start of the window (s0[], l0, b0) and ne: they do not
 * depend on the constants, so a fit computes them once. O(W). */
void as_hw_prepare(as_hw_window *w);

/* One trial run with constants (a, bb, g) from the prepared start over the
 * window from its second season on; leaves the final state in *l, *b and
 * season[] (m doubles, window order) and returns the mean squared one-step
 * error of the finite observations of the last season (0 if none). */
double as_hw_score(const as_hw_window *w, double a, double bb, double g, double *l, double *b,
                   double *season);

/* Trial runs scored together in one pass (fc_hw_fit.c says why 4). */
#define AS_HW_LANES 4

/* The score of as_hw_score for n <= AS_HW_LANES sets of constants c[k] =
 * (a, bb, g), into out[k], in one pass over the window; season is a work
 * area of AS_HW_LANES * m doubles. O(W - m) for all n. */
void as_hw_score_lanes(const as_hw_window *w, int n, const double (*c)[3], double *season,
                       double *out);

/* A fit's work area, taken once (as_hw_fitter_alloc) so that a fit never
 * allocates: the lanes' seasons of the trial runs. evals counts objective
 * evaluations over every fit as GSL's minimiser makes them (the cost
 * measure the tests hold warm fits to, with no clock); passes counts the
 * trial runs of AS_HW_LANES lanes (the cost in time). */
typedef struct as_hw_fitter {
    double *season;        /* AS_HW_LANES * m doubles */
    const as_hw_window *w; /* the window of the fit under way */
    long evals, passes;
} as_hw_fitter;

/* 0, or -1 when out of memory (as_hw_fitter_free frees what was taken). */
int as_hw_fitter_alloc(as_hw_fitter *f, int m);
void as_hw_fitter_free(as_hw_fitter *f);

/* A refit after the first fit starts at the last constants with a simplex
 * of AS_HW_WARM_STEP logits and stops at AS_HW_WARM_TOL; the first, cold
 * fit takes AS_HW_COLD_STEP and AS_HW_COLD_TOL. fc_holt_winters.c's hw_fit
 * says why. */
#define AS_HW_COLD_STEP 1.0
#define AS_HW_COLD_TOL 1e-3
#define AS_HW_WARM_STEP 0.3
#define AS_HW_WARM_TOL 1e-2

/* Fit c[] = (a, bb, g) on the prepared window by Nelder-Mead in logit space
 * from c[] with an initial simplex step of `step` logits, until the
 * simplex is under `tol` logits (its RMS distance to its centre) or
 * max_iter (>= 1) iterations. Every trial is held to the box [1e-4, 0.9999]
 * of the constants. Returns the best score (the mean squared one-step error
 * of the window's last season) and leaves the best constants in c[]. */
double as_hw_fit(as_hw_fitter *f, const as_hw_window *w, double c[3], double step, double tol,
                 int max_iter);

#endif
