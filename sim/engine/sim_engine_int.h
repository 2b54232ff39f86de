/* sim_engine_int.h - what the files of the engine share, and nothing else
 * includes: the engine's state, one tier's state, the event types and the
 * functions one file of the engine calls in another.
 *   sim_engine.c   new / free (setup of tiers, monitors, forecasters, DES)
 *   sim_run.c      the event loop: step, run, one handler per event type
 *   sim_measure.c  the latency models per tick, scrapes, retries (analytic)
 *   sim_rows.c     slots (end-to-end law, SLO windows), records, the rows
 *                  held back until their requests and windows are final
 *   sim_act.c      evaluations and what they change: scaling, resizing,
 *                  faults (the instances themselves are core's as_exec)
 *   sim_run_summary.c  the summary row of a finished run
 *   sim_refine.c   the oracle's passes at the request level (sim_refine)
 *   sim_rowlog.c   a run's rows held in memory (the oracle's passes)
 * Invariant: only sim_run.c pops events; every handler takes `now` from
 * the event it handles. */
#ifndef SIM_ENGINE_INT_H
#define SIM_ENGINE_INT_H

#include "as_detect.h"
#include "as_exec.h"
#include "as_forecast.h"
#include "as_monitor.h"
#include "as_policy.h"
#include "as_quality.h"
#include "sim_des.h"
#include "sim_engine.h"
#include "sim_latency.h"
#include "sim_nodes.h"
#include "sim_queue.h"
#include "sim_slo.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>

typedef struct sim_tier {
    const sim_tier_cfg *cfg;
    as_pool *P;              /* its instances (in the engine's as_exec) */
    double mu, f, slo_share; /* service rate; Allen-Cunneen factor (for policies that
                              * still ask for it); per-visit latency budget */
    as_time data_age;        /* mean age of the rate a policy sees */
    as_time resize_until;     /* a type change is in progress until then */
    as_time next_vertical;    /* when the type is next reconsidered */
    double peak_want;         /* largest recommendation since, in base units */
    sim_tierlat lat;       /* the analytic model (also sizing under either model) */
    as_sizer sizer;        /* what policies ask the model (sim_act.c) */
    struct sim_engine *R;  /* (the sizer's context) */
    gsl_rng *rng;          /* boot times, monitoring noise */
    as_monitor *mon_util, *mon_rate, *mon_lat; /* what the policy sees */
    as_monitor *mon_sig[AS_SIG_COUNT];         /* and the further signals (as_signal) */
    unsigned sigs;             /* what the policy reads (as_policy_signals): the other
                                * signals are neither scraped nor viewed, nor the rate
                                * and latency views */
    as_pod *pods;              /* ready instances as pods, refilled at each evaluation */
    as_policy *policy;
    as_forecaster *fc;
    as_detector *det;
    int horizon;
    double *fmean, *flo, *fhi; /* forecast buffers, length horizon */
    double last_fc[3];         /* forecast made for "now", for the record */
    bool have_fc;              /* fmean[0] holds a forecast for the next evaluation */
    /* forecast accuracy: one-step MASE against in-sample seasonal naive */
    double fc_err, fc_scale;
    long fc_n, fc_sn;
    double *season_ring;       /* the last m observed rates (m = season steps) */
    int season_m, season_n, season_head;
    /* accumulators: interval (record) and scrape */
    double i_arr, i_util, i_queue, i_drop, i_ready, i_inflight, i_units, i_timeouts;
    double s_util, s_time, s_lat, s_w;
    double s_queue, s_inflight; /* scrape: integrals of waiting and in-flight requests */
    double s_arr;             /* the request counter at the last scrape */
    double d_queue;           /* DES: queue integral of the interval at the last scrape */
    double arrivals_total;    /* the request counter the monitor scrapes */
    double d_busy, d_cap, d_arr; /* DES: interval totals at the last scrape */
    double s_busy, s_cap;     /* DES: busy and capacity server-seconds of this scrape */
    double d_drop;            /* DES: requests dropped so far */
    double d_timeouts;        /* DES: visits that gave up so far */
    double d_capdrop;         /* DES: of which by a derived queue cap (clamped) */
    bool derived_cap;         /* DES: the queue cap is derived, not the scenario's */
    int faults;               /* crashes and failed boots */
    as_quality quality;
    double ready_time;        /* integral of ready instances, s */
} sim_tier;

struct sim_engine {
    const sim_scenario *sc;
    const sim_policy_cfg *pc;
    const sim_sink *sink;    /* where rows go (NULL: nowhere) */
    sim_run_opts opts;       /* copied; its pointers borrowed */
    char name[SIM_STR];      /* the run's name */
    sim_queue q;             /* every event but the tick */
    as_time tick_next;       /* the next tick (priority 4, see sim_run.c); -1: none left */
    tr_stream *trace;
    as_exec *ex;             /* the instances of every tier */
    sim_tier tiers[SIM_MAX_TIERS];
    int nt;
    /* future arrival rates at tick resolution, for oracle views */
    double *ring;
    size_t ring_cap;
    as_time ring_t0;   /* time of ring[ring_head] */
    size_t ring_head, ring_n;
    as_time horizon_t; /* how far ahead the ring reaches */
    double *oracle_buf;
    int *oracle_lift;  /* the view's lift, step by step (the oracle only) */
    struct sim_refine *refine; /* the oracle's refinement (borrowed; NULL: none) */
    /* run-wide accumulators */
    double i_rate, i_time;
    double max_lat;
    /* requests (attempts) of the slot, the record and the run */
    double s_req;
    double i_req, i_good, i_err, i_retries;
    double req_total, err_total, retries_total;
    /* the SLO, its slots, the end-to-end laws (analytic) */
    sim_slo slo;
    as_time slot;                 /* min(window, record) */
    as_time slot_at;              /* the next multiple of slot a tick may end at */
    as_time slo_fed;              /* slots fed to slo up to here */
    as_latdist e2e[2];            /* a slot's law; scratch */
    as_latdist rec_e2e, run_e2e;  /* mixtures of the record, of the run */
    /* retries (analytic): requests arriving per tick, by attempt */
    double *retry;                /* retries x rlen */
    int rlen, rhead;
    /* record rows held back until final (sim_rows.c) */
    struct sim_pend *pend;
    int pcap, pn, phead;
    int64_t rec_index;            /* records closed so far */
    int64_t des_next;             /* the request level's next record to harvest */
    int actions;
    double pctl;
    as_time scrape;   /* this policy's view of monitoring */
    gsl_rng *fault_rng;
    sim_des *des;     /* request-level model (model = des), else NULL */
    sim_nodes *nodes; /* the node layer (scenarios with node pools), else NULL */
    /* the loop */
    uint64_t ticks, steps;
    bool done;        /* the end event ran */
    int rc;           /* a failed step's status: the engine is then unusable */
    as_err errbuf;    /* the message of the step under way */
    as_err *err;      /* = &errbuf */
};

/* sim_run.c */
int sim_push(sim_engine *R, as_time t, int type, int a, int b, uint32_t gen);

/* sim_measure.c */
int sim_ring_fill(sim_engine *R, as_time upto);
/* Rate at tick time t (t = ring_t0 + k*tick, k < ring_n). Inline: every
 * tick reads its own rate, t = ring_t0: the ring's head, no division and
 * no clamp (a call with them was 16 instructions a tick). */
static inline double sim_ring_at(const sim_engine *R, as_time t)
{
    if (t == R->ring_t0 && R->ring_n > 0)
        return R->ring[R->ring_head];
    size_t k = (size_t)((t - R->ring_t0) / R->sc->tick);
    if (k >= R->ring_n)
        k = R->ring_n ? R->ring_n - 1 : 0;
    k += R->ring_head;
    return R->ring[k >= R->ring_cap ? k - R->ring_cap : k];
}
void sim_ring_pop(sim_engine *R);
int sim_tick(sim_engine *R, as_time now);
void sim_scrape(sim_engine *R, as_time now);

/* sim_rows.c */
/* One record held back: its rows, filled but for what is not final yet. */
typedef struct sim_pend {
    as_time t0, t1;
    int64_t index;                 /* record number (t1 / record - 1) */
    bool final;                    /* every request of it has finished (request level) */
    sim_ts_row ts;
    sim_tier_row tr[SIM_MAX_TIERS];
} sim_pend;
int sim_rows_init(sim_engine *R, as_err *err);
void sim_rows_fini(sim_engine *R);
/* The analytic slot [t0, t1) is over: its end-to-end law and SLO counts. */
void sim_slot_close(sim_engine *R, as_time t0, as_time t1);
/* The record interval ending now. */
int sim_record(sim_engine *R, as_time now);
/* The request level's records that became final: their latencies and
 * counts into the rows held back, their slots to the SLO. */
void sim_rows_harvest(sim_engine *R);
/* The run is over: drain the request level, judge the last window, hand
 * every held-back row to the sink. */
int sim_rows_finish(sim_engine *R, as_time now);
/* The billed cost of every tier (and node) at now. */
double sim_billed_at(const sim_engine *R, as_time now);
/* b plus what pool P's bill says at now: closed instances, then every open
 * one rounded up to its granularity (added to b term by term, so that the
 * sum over tiers is the same floating-point sum whatever the pools). */
double sim_pool_bill_add(const as_pool *P, as_time now, double b);

/* sim_act.c */
/* The least servers meeting tier ud's SLO share at rate (as_sizer). */
int sim_tier_servers(void *ud, double rate, int cmax);
/* as_sizer.max_rate of tier ud: sim_tierlat_max_rate at its SLO share. */
double sim_tier_max_rate(void *ud, int servers);
int sim_eval(sim_engine *R, int ti, as_time now);
int sim_launch(sim_engine *R, int ti, as_time now, bool *made);
int sim_retire(sim_engine *R, int ti, int k, uint32_t gen, as_time now);
int sim_boot_done(sim_engine *R, int ti, int k, uint32_t gen, as_time now);
int sim_schedule_crash(sim_engine *R, int ti, as_time now);
int sim_crash(sim_engine *R, int ti, as_time now);

/* sim_refine.c */
/* The oracle's refinement at the request level: what one pass measured of
 * each SLO window and what the next pass adds to the oracle's plan.
 * Allocated once per run of the oracle, before its first pass; the engine
 * only reads lift (sim_act.c) and writes bad and tier (sim_rows.c). */
typedef struct sim_refine {
    int nt, nw;            /* tiers; SLO windows of the run */
    as_time window;        /* W */
    int *lift;             /* nt x nw: instances added to tier t's plan in window w */
    int *cap;              /* nt: the largest lift of a tier (its max instances) */
    unsigned char *sat;    /* nt x nw: the plan of tier t reached its max there (this pass) */
    unsigned char *bad;    /* nw: the window failed in the last pass */
    unsigned char *fails;  /* nw: the passes in which it failed */
    signed char *tier;     /* nw: the tier to raise there (-1: none) */
    int passes;            /* passes run so far */
} sim_refine;
/* sim_rowlog.c: a run's rows kept in memory, in order, for another sink. */
typedef struct sim_rowlog_ent sim_rowlog_ent;
typedef struct sim_rowlog {
    sim_rowlog_ent *e;
    size_t n, cap;
} sim_rowlog; /* zeroed: empty */
/* A sink into L that keeps what `to` keeps (borrowed during the call). */
sim_sink sim_rowlog_sink(sim_rowlog *L, const sim_sink *to);
void sim_rowlog_clear(sim_rowlog *L);
/* Hand every row of L to `to`, in the order they came. */
int sim_rowlog_replay(const sim_rowlog *L, const sim_sink *to, as_err *err);
void sim_rowlog_fini(sim_rowlog *L);

/* Whether policy number `policy` of sc is run in refined passes. */
bool sim_refine_wanted(const sim_scenario *sc, int policy);
/* Refined passes of the oracle; as sim_run_policy. */
int sim_refine_run(const sim_scenario *sc, int policy, const sim_sink *sink,
                   const sim_run_opts *opts, sim_summary_row *sum, as_err *err);
/* Window w's verdict in this pass, record r holding its end (sim_rows.c). */
void sim_refine_note(sim_engine *R, int64_t r, int64_t w, bool bad);
/* Tier ti's plan at now wanted raw instances with a view from now + boot
 * on (sim_act.c): at its max, no lift there can do more. */
void sim_refine_planned(sim_engine *R, int ti, as_time now, as_time boot, int raw, int max);

/* sim_run_summary.c */
void sim_engine_summarize(const sim_engine *R, sim_summary_row *sum);

#endif
