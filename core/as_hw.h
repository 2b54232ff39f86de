/* as_hw.h - holt_winters' trial run on a window (core/forecast/
 * fc_holt_winters.c), exposed so that a test can hold it against the
 * textbook recursion (tests/test_hw_score.c); no other caller.
 * Owns: nothing; the window and its buffers belong to the caller.
 * Invariant: as_hw_prepare and as_hw_score do the arithmetic of the
 * recursion of REFERENCE.md section 5 in the order it is written there, so
 * the score is the same to the bit as a step-by-step run with ring
 * indices; they never allocate.
 * Must not: print, read a clock or keep state between calls. */
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

#endif
