/* as_hw.h - holt_winters' trial run and fit on a window (core/forecast/
 * fc_holt_winters.c), exposed so that tests can hold the run against the
 * textbook recursion and a warm fit against a cold one
 * (tests/test_hw_score.c); no other caller.
 * Owns: nothing; the window and its buffers belong to the caller.
 * Invariant: as_hw_prepare and as_hw_score do the arithmetic of the
 * recursion of REFERENCE.md section 5 in the order it is written there, so
 * the score is the same to the bit as a step-by-step run with ring
 * indices; they never allocate.
 * as_hw_fit allocates nothing (the fitter is taken beforehand).
 * Must not: print, read a clock or keep state between calls (beyond the
 * fitter's evaluation count). */
#ifndef AS_HW_H
#define AS_HW_H

#include <gsl/gsl_multimin.h>
#include <stdbool.h>

typedef struct as_hw_window {
    int m, W;        /* season, window (a multiple of m, at least 2 m) */
    bool mult;       /* multiplicative season */
    double phi;      /* trend damping */
    const double *y; /* W observations in time order (NAN = missing) */
    double *s0;      /* m doubles: the start season (window order) */
    double l0, b0;   /* the start level and trend */
} as_hw_window;

/* The heuristic start of the window (s0[], l0, b0): it does not depend on
 * the constants, so a fit computes it once. O(W). */
void as_hw_prepare(as_hw_window *w);

/* One trial run with constants (a, bb, g) from the prepared start over the
 * window from its second season on; leaves the final state in *l, *b and
 * season[] (m doubles, window order) and returns the mean squared one-step
 * error of the finite observations of the last season (0 if none). */
double as_hw_score(const as_hw_window *w, double a, double bb, double g, double *l, double *b,
                   double *season);

/* A fit's work area, taken once (as_hw_fitter_alloc) so that a fit never
 * allocates: GSL's Nelder-Mead and its vectors, and a season for the trial
 * runs. evals counts objective evaluations over every fit (the cost measure
 * the tests hold warm fits to, with no clock). */
typedef struct as_hw_fitter {
    gsl_multimin_fminimizer *nm;
    gsl_vector *x, *step;
    double *season;        /* m doubles */
    const as_hw_window *w; /* the window of the fit under way */
    long evals;
} as_hw_fitter;

/* 0, or -1 when out of memory (as_hw_fitter_free frees what was taken). */
int as_hw_fitter_alloc(as_hw_fitter *f, int m);
void as_hw_fitter_free(as_hw_fitter *f);

/* A refit after the first fit starts at the last constants with a simplex
 * of AS_HW_WARM_STEP logits and stops at AS_HW_WARM_TOL (the first, cold
 * fit: step 1, tolerance 1e-3); fc_holt_winters.c's hw_fit says why. */
#define AS_HW_WARM_STEP 0.3
#define AS_HW_WARM_TOL 1e-2

/* Fit c[] = (a, bb, g) on the prepared window by Nelder-Mead in logit space
 * from c[] with an initial simplex step of `step` logits, until the
 * simplex is under `tol` logits or max_iter iterations. Every trial is held
 * to the box [1e-4, 0.9999] of the constants. Returns the best score (the
 * mean squared one-step error of the window's last season) and leaves the
 * best constants in c[], or returns NAN and leaves c[] alone when GSL
 * refuses to start. */
double as_hw_fit(as_hw_fitter *f, const as_hw_window *w, double c[3], double step, double tol,
                 int max_iter);

#endif
