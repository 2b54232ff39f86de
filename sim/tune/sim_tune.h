/* sim_tune.h - the search behind `simrun tune`: from a scenario (traffic,
 * tiers, SLO) to the cheapest configuration of one policy kind that meets
 * the SLO, checked on a part of the trace the search never saw.
 * A layer of its own above sim/batch and below plots: it plans batches
 * (each run of it is an ordinary batch run, with the batch's worker
 * processes, MPI ranks, runs folder and resume), ranks their summary rows
 * and writes the configuration files (sim/config's writers); plots draws
 * what it returns, sim/cli prints it.
 *
 * The search (sim_tune_search.c says why this one):
 *  1. the held-out part: by default a replayed trace is split in time
 *     (the search sees [0, split); the chosen configuration, the
 *     scenario's own policy and the oracle are then run on [split, end)
 *     through [trace] skip, which nothing was chosen on); a generated
 *     trace with a random part is searched whole under the scenario's
 *     seed and held out as a new draw, the whole of it under the next
 *     seed (sim_tune.c says why);
 *  2. rung 0 is a scrambled-free Sobol design of n0 points over the whole
 *     space of the kind's keys (sim_tune_space.c); every later rung keeps
 *     the better half of the survivors of the one before and samples new
 *     Sobol points in a box half as wide around each, until the boxes are
 *     as narrow as the keys' resolution;
 *  3. configurations are ranked by one function of the summary row
 *     (sim_tune_score_of): meeting the SLO first, then total cost; among
 *     those that miss it, the least violation first.
 *
 * Owns: the output folder (marked .simrun-tune; never written into when
 * another program's, unless force), its files: per rung KIND-rN.h5 (every
 * run) and KIND-rN.plan (what the rung ran, for resume), KIND-check.h5
 * (the written file replayed on the search part), KIND-heldout.h5, the
 * configuration file and KIND-replay.ini.
 * Invariants: the candidates of a rung depend only on the scenario, the
 * options and the rows of the rungs before, so an interrupted tune asked
 * again plans the same runs and resumes (finished rungs from their files,
 * the rung under way from its runs folder); the numbers reported for the
 * chosen configuration on the held-out part are those of the written file
 * read back through `manifest =` / `aws_policy =`.
 * Must not: print (progress goes through the callback, errors through
 * as_err). */
#ifndef SIM_TUNE_H
#define SIM_TUNE_H

#include "as.h"
#include "sim_batch.h"
#include "sim_emit.h"
#include "sim_record.h"

#include <stdint.h>
#include <stdio.h>

#define SIM_TUNE_MAXDIM 8

/* What a tune is asked. */
typedef struct sim_tune_opts {
    const char *scenario;          /* the scenario file */
    const char *const *sets;       /* --set SECTION.KEY=VALUE, applied to every run */
    int nsets;
    const char *kind;              /* the policy kind to tune (hpa, target, step, predictive) */
    const char *const *params;     /* --param policy.P.KEY=LO:HI[:STEP]: change or add a key */
    int nparams;
    double split;                  /* share of the duration searched (0 < split < 1; 0:
                                    * not given, 0.75 when the part is held out in time) */
    int heldout;                   /* SIM_TUNE_HELDOUT_*: how the held-out part is made */
    const char *outdir;            /* the output folder */
    int jobs, fresh, force;
    int n0;                        /* rung 0's design size (0: 64, 32 for one or two keys) */
    int rungs;                     /* halving rungs after rung 0 (0: until the resolution) */
    uint64_t max_events, max_memory;
    /* progress of the batch under way (stage: "hpa rung 2/5"); may be NULL */
    void (*progress)(void *ud, const char *stage, const sim_batch_progress *p);
    void *progress_ud;
    FILE *warn;                    /* the manifest reader's warnings (NULL: none) */
} sim_tune_opts;

/* The held-out part: AUTO is DRAW for a generated trace with a random part
 * (tr_config_random) or the DES model on a generated trace, and TIME
 * otherwise or when a split is given. */
enum { SIM_TUNE_HELDOUT_AUTO, SIM_TUNE_HELDOUT_TIME, SIM_TUNE_HELDOUT_DRAW };

/* One key searched. */
typedef struct sim_tune_dim {
    char name[96];                 /* full name: policy.hpa.target */
    const char *key;               /* the kind's key (points into name) */
    double lo, hi, step;           /* range and resolution (durations in s) */
    int type;                      /* SIM_TUNE_NUM, _INT, _DUR */
} sim_tune_dim;
enum { SIM_TUNE_NUM, SIM_TUNE_INT, SIM_TUNE_DUR };

/* One configuration run on the search part. */
typedef struct sim_tune_point {
    char name[SIM_STR];            /* run name: POLICY.cNNN */
    double x[SIM_TUNE_MAXDIM];     /* its values (durations in s) */
    char sets[768];                /* the same as --set lines, space-separated */
    int rung;
    int frontier;                  /* on the cost-violation frontier */
    sim_summary_row row;
} sim_tune_point;

typedef struct sim_tune_result {
    char kind[SIM_STR];
    char policy[SIM_NAME_LEN];     /* the scenario's policy of that kind */
    char tuned[SIM_NAME_LEN];      /* the chosen one's section in the replay: POLICY_tuned */
    int ndim;
    sim_tune_dim dim[SIM_TUNE_MAXDIM];
    double dflt_x[SIM_TUNE_MAXDIM]; /* the scenario's values of those keys */
    char rules[2][256];            /* kind hpa: the scenario's up_/down_policies text,
                                    * which a searched policy value is written into */
    int npoints;
    sim_tune_point *points;        /* every configuration, in run order */
    int best;                      /* index of the chosen one (or the closest) */
    int meets;                     /* it meets the SLO on the search part */
    sim_summary_row dflt, oracle;  /* search part: the scenario's policy, the oracle */
    int has_oracle;
    sim_summary_row check;         /* the written file on the search part */
    int reproduced;                /* check equals the chosen run, column for column */
    sim_summary_row h_best, h_dflt, h_oracle; /* held-out part */
    int runs;                      /* runs on the search part (points + default + oracle) */
    int rungs;                     /* rungs run */
    double grid;                   /* runs of a grid at the keys' resolution */
    double split_s, end_s;         /* the held-out part is [split_s, end_s); a draw:
                                    * split_s = end_s, the whole run is searched */
    int draw;                      /* the held-out part is a new draw (held_seed) */
    uint64_t seed, held_seed;      /* the search's seed, the held-out part's */
    double unseen_from, unseen_to; /* where on the held-out part the oracle runs more
                                    * instances than anywhere on the search part (s from
                                    * the trace's start; unseen_to 0: nowhere) */
    double slo_latency, slo_percentile;
    char slo_text[256];            /* the whole SLO definition (sim_slo_describe) */
    sim_emit_format format;
    char file[1100];               /* the written configuration */
    char replay[1100];             /* the replay scenario */
    char outdir[1024];
    char search_files[1100];       /* "KIND-r0.h5 ... KIND-rN.h5" in outdir */
} sim_tune_result;

/* Run a tune; fills r (free with sim_tune_result_free). AS_EINVAL for bad
 * input (an unknown kind or key, a scenario without a policy of that
 * kind, a split outside (0, 1)), AS_EINTR when interrupted (the runs done
 * are kept: the same call resumes). Under mpirun, ranks above 0 serve the
 * batches and return AS_OK with r->npoints = 0. */
int sim_tune_run(const sim_tune_opts *o, sim_tune_result *r, as_err *err);
void sim_tune_result_free(sim_tune_result *r);

/* Can kind be tuned? AS_EINVAL with a message listing those that can. */
int sim_tune_kind_check(const char *kind, as_err *err);

/* The objective, in one place: what a summary row says about a
 * configuration. Only meets_slo, the cost columns and the violation are
 * read, here and nowhere else in the search, so a new SLO definition
 * (window compliance) changes this function only. */
typedef struct sim_tune_score {
    int meets;                     /* meets the scenario's SLO */
    double cost;                   /* total cost (infrastructure + SLO penalty) */
    double infra;                  /* infrastructure cost */
    double miss;                   /* violation: 0 when never violated */
} sim_tune_score;
sim_tune_score sim_tune_score_of(const sim_summary_row *r);
/* The verdict of r as tune and its outputs print it (its score's). */
int sim_tune_meets(const sim_summary_row *r);
/* What the held-out part says of the tuned configuration against the
 * scenario's default, both replayed there. CONFIRMED: the tuned one meets
 * the SLO, at a lower total cost than the default or where the default
 * misses. When neither meets it (a load the search never saw), BETTER says
 * the tuned one still did no worse on violation and cost less in total,
 * which is not a confirmation but is not a regression either. */
typedef enum sim_tune_heldout {
    SIM_HELDOUT_CONFIRMED,
    SIM_HELDOUT_COSTS_MORE, /* meets, but the default meets it cheaper */
    SIM_HELDOUT_BETTER,     /* both miss; tuned: less or equal violation, lower total */
    SIM_HELDOUT_MISSES,     /* misses, and does not do better than the default */
} sim_tune_heldout;
sim_tune_heldout sim_tune_heldout_of(const sim_summary_row *tuned, const sim_summary_row *dflt);
/* < 0 when a ranks before b: meeting the SLO, then cheaper; among misses,
 * less violation, then cheaper. Ties keep run order (the caller's). */
int sim_tune_cmp(const sim_summary_row *a, const sim_summary_row *b);
/* Mark r->points[i].frontier: no other point has both lower (or equal,
 * one lower) infrastructure cost and violation. Returns the count. */
int sim_tune_frontier(sim_tune_result *r);
/* Do two rows of one configuration agree in every column of the run's own
 * (all but the name and the ranking columns elastic_speedup and
 * deviation, which compare a run with the others of its file)? Bit for
 * bit; NaN equals NaN. */
int sim_tune_same_row(const sim_summary_row *a, const sim_summary_row *b);

/* The points (all, or the frontier's) as CSV: run, rung, one column per
 * key by its full name, the summary's cost and SLO columns, frontier,
 * chosen. */
void sim_tune_csv(FILE *f, const sim_tune_result *r, int frontier_only);
/* The whole result as JSON (search, keys, points, chosen, default,
 * oracle, check and held-out rows, files). */
int sim_tune_json(FILE *f, const sim_tune_result *r, as_err *err);
/* Write KIND-points.csv, KIND-frontier.csv and KIND-tune.json into the
 * output folder (nothing on MPI ranks above 0). */
int sim_tune_save(const sim_tune_result *r, as_err *err);

#endif
