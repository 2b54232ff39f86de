/* sim_slo.h - the SLO verdict of a run, window by window, the same for
 * both latency models: the objective "a share p of requests served within
 * L" (and, optionally, "at most a share e of requests fail") must hold in
 * each window of length W; the run meets the SLO when the share of windows
 * that hold reaches the objective O.
 * Requests are counted by the interval they arrived in (both models), in
 * slots of length min(W, record) fed in time order once final (analytic:
 * at the slot's end; request level: once every request of the slot has
 * finished). A request that failed (gave up, was dropped) is not served
 * within L.
 * Owns: the window being filled, a ring of the latest judged windows (for
 * the violation share of the record rows still pending) and the totals.
 * Must not: know which model fed it, allocate after sim_slo_init. */
#ifndef SIM_SLO_H
#define SIM_SLO_H

#include "as.h"

#include <stdbool.h>

typedef struct sim_slo_def {
    double latency;    /* L, s */
    double p;          /* share of requests within L, 0 < p < 1 */
    as_time window;    /* W */
    double objective;  /* O: share of windows that must hold, 0 < O <= 1 */
    double max_errors; /* e: share of requests that may fail; < 0: no such objective */
} sim_slo_def;

typedef struct sim_slo {
    sim_slo_def def;
    as_time duration;
    /* the window being filled */
    as_time w_start;
    double w_req, w_good, w_err;
    /* judged windows, the latest wcap of them */
    as_time *wend;
    bool *wbad;
    int wcap, wn;         /* window number n is at n % wcap; wn kept */
    as_time judged_until; /* every window ending at or before it is judged */
    /* totals */
    long windows, met;
    double violated_s;    /* length of the windows that failed, s */
    double req, good, err; /* requests, served within L, failed */
} sim_slo;

/* keep: how many judged windows the caller may still ask about (the
 * record rows it holds back). AS_ENOMEM on no memory. */
int sim_slo_init(sim_slo *S, const sim_slo_def *def, as_time duration, int keep, as_err *err);
void sim_slo_fini(sim_slo *S);
/* A final slot [t0, t1): req requests arrived, good of them served within
 * L, err failed. Slots come in time order and tile the run; a window is
 * judged when a slot ends on its end (or on the run's end). */
void sim_slo_add(sim_slo *S, as_time t0, as_time t1, double req, double good, double err);
/* Judge the window under way (the run ended inside it). */
void sim_slo_finish(sim_slo *S);
/* Seconds of [r0, r1) that lie in judged windows that failed. */
double sim_slo_violated(const sim_slo *S, as_time r0, as_time r1);
/* The end of the window holding time t (t < the run's end). */
as_time sim_slo_window_end(const sim_slo *S, as_time t);

#endif
