/* sim_tune_int.h - what the files of sim/tune share: the space of a kind
 * (sim_tune_space.c), the search (sim_tune_search.c), the batches and
 * their resume (sim_tune_batch.c), the driver (sim_tune.c). */
#ifndef SIM_TUNE_INT_H
#define SIM_TUNE_INT_H

#include "sim_tune.h"

/* ---- a tune under way (sim_tune.c, sim_tune_final.c) ---- */

/* Everything a tune holds while it runs. */
typedef struct tuner {
    const sim_tune_opts *o;
    sim_tune_result *r;
    sim_scenario *base;       /* the scenario with the user's --set */
    sim_scenario *search;     /* the same on the search part */
    int pol, oracle;          /* policy indices (oracle -1: none) */
    /* --set lines of the parts ("": none): the search's duration; the
     * held-out part's duration and where it is (trace.skip=, or for a
     * draw scenario.seed=) */
    char split_set[64], held_dur[64], held_at[64];
    const char **ov;          /* room for the overrides of one load */
    char ovtext[2 * SIM_TUNE_MAXDIM + 8][160];
    char tmpdir[64];          /* MPI ranks above 0: where the replay files are */
} tuner;

/* Load the scenario at path with the user's --set, then more1 and more2
 * (--set lines, may be NULL), then extra (space-separated --set lines,
 * may be NULL). */
sim_scenario *tune_load(tuner *T, const char *path, const char *extra, const char *more1,
                        const char *more2, as_err *err);
/* Write the chosen configuration (its file, the replay scenario); *chosen
 * is its scenario on the search part (caller frees). */
int tune_write_outputs(tuner *T, sim_scenario **chosen, as_err *err);
/* Run the written file on the search part (the check) and, with the
 * scenario's policy and the oracle, on the held-out part. */
int tune_replay(tuner *T, const sim_scenario *chosen, as_err *err);

/* ---- the space (sim_tune_space.c) ---- */

/* Fill r->dim, r->ndim, r->dflt_x and r->grid for policy p of the kind,
 * with the --param changes of o. AS_EINVAL naming the parameter for an
 * unknown one. */
int tune_space_init(sim_tune_result *r, const sim_policy_cfg *p, const sim_tune_opts *o,
                    as_err *err);
/* A point of the unit cube to values on the keys' resolution (x) and the
 * --set text of them (space-separated, the kind's fixed settings first). */
void tune_render(const sim_tune_result *r, const double *u, double *x, char *sets, size_t n);
/* The unit-cube coordinate of value x of dimension d. */
double tune_unit(const sim_tune_dim *d, double x);
/* Settings the written file implies for every candidate of the kind
 * ("scale_out_cooldown=0s" for EC2 target tracking): NULL-terminated. */
const char *const *tune_fixed(const char *kind);

/* ---- the search (sim_tune_search.c) ---- */

/* The candidates of rung k (0: the design) as unit-cube points into u
 * (room for max points of SIM_TUNE_MAXDIM); returns the count, 0 when the
 * search is over. Reads the ranked points of r. */
int tune_candidates(const sim_tune_result *r, const sim_tune_opts *o, int k, double *u, int max);
/* Rungs the search will run (rung 0 included). */
int tune_rung_count(const sim_tune_result *r, const sim_tune_opts *o);
/* Index of the best point (sim_tune_cmp), -1 when none. */
int tune_best(const sim_tune_result *r);

/* ---- batches (sim_tune_batch.c) ---- */

/* A batch of a tune: plan into DIR/NAME.h5, its rows into rows[] (plan
 * order). Resumes from DIR/NAME.plan and the finished file, or from the
 * batch's runs folder; under MPI, rank 0 runs it and the other ranks
 * serve it and receive the rows. */
int tune_batch(const sim_tune_opts *o, const char *dir, const char *name, const sim_scenario *sc,
               const sim_plan *plan, const char *stage, sim_summary_row *rows, as_err *err);
/* 1 on MPI ranks above 0 (they write no file), else 0. */
int tune_mpi_worker(void);
/* Rank 0 sends text to every rank (MPI only; elsewhere a no-op): on
 * ranks above 0 *text becomes a malloc'ed copy. */
int tune_mpi_share(char **text, as_err *err);
/* The output folder: created and marked, or ours, or refused. */
int tune_outdir(const char *dir, int force, as_err *err);
/* Write text to DIR/NAME whole (a temporary file renamed, no link followed). */
int tune_write_file(const char *dir, const char *name, const char *text, size_t len,
                    as_err *err);

#endif
