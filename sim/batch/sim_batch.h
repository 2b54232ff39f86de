/* sim_batch.h - a batch: every run of a plan (sim_sweep.h), each into its
 * own file in OUT.runs/, on worker processes (or MPI ranks), merged in run
 * order into OUT when all are complete.
 * Owns: the folder OUT.runs/ (created and marked by simrun, locked while a
 * batch uses it, emptied only when it is simrun's or --force says so), the
 * worker processes and the memory they share with the coordinator.
 * Invariants:
 *  - the worker count cannot change a dataset: each run writes its own file
 *    and the merge copies them in run order, so -j 1 and -j N are
 *    bit-identical;
 *  - a run's file appears in OUT.runs/ only when complete (renamed from
 *    NAME.h5.partial); an interrupted, failed or killed batch keeps every
 *    completed run, and the same command again resumes from them (a folder
 *    left by another scenario, other overrides or another seed is not
 *    resumed from, see the fingerprint in sim_batch_dir.c);
 *  - only worker and merger processes write HDF5: the coordinator reads
 *    the kept runs' summaries and forks, so a write error (disk full) or a
 *    libhdf5 crash ends a child, never the coordinator;
 *  - nothing is deleted through a symbolic link.
 * Must not: print (the CLI prints; errors come back in as_err) or be
 * called from two threads. Above sim/results and sim/engine, below plots
 * and sim/cli. */
#ifndef SIM_BATCH_H
#define SIM_BATCH_H

#include "as.h"
#include "sim_record.h"
#include "sim_scenario.h"
#include "sim_sweep.h"

#include <stdint.h>

typedef struct sim_batch sim_batch;

/* Where a batch is, for a progress line. */
typedef struct sim_batch_progress {
    int done, n;            /* runs complete, runs in the plan */
    double sim_done;        /* simulated seconds done, running runs included */
    double sim_total;       /* simulated seconds of the whole plan */
    double elapsed;         /* wall seconds since the workers started */
} sim_batch_progress;

typedef struct sim_batch_opts {
    const char *out; /* the results file; runs go to OUT.runs/ */
    int jobs;        /* worker processes (>= 1; fewer when the plan is smaller) */
    int fresh;       /* discard runs kept from an earlier invocation */
    int force;       /* take over an OUT.runs/ simrun did not make (emptying its
                      * files) or a link there (replacing the link itself) */
    uint64_t max_events, max_memory; /* every run's sim_run_opts (0: defaults) */
    /* called about five times a second while runs go on; may be NULL */
    void (*progress)(void *ud, const sim_batch_progress *p);
    void *progress_ud;
} sim_batch_opts;

/* Prepare OUT.runs/ for plan (borrowed with sc, both valid until close):
 * create and mark it, or take the lock of an existing one of ours and
 * keep its complete runs when they are this plan's. NULL with err set:
 * AS_EEXIST when OUT.runs is not simrun's or is a link (without force);
 * AS_EIO when another simrun holds it (its pid in the message) or the
 * folder cannot be written. */
sim_batch *sim_batch_open(const sim_scenario *sc, const sim_plan *plan,
                          const sim_batch_opts *opts, as_err *err);
/* Runs found complete by open (resumed), and the pid of a dead simrun
 * whose lock open took over (0: none). */
int sim_batch_resumed(const sim_batch *b);
/* What a batch of plan on sc computes, as a 64-bit FNV-1a of the
 * scenario's text, its overrides (--set lines: the duration of a part, a
 * skip) and seed, and each run's name, seed and settings: equal
 * fingerprints, equal runs. */
uint64_t sim_batch_fingerprint(const sim_scenario *sc, const sim_plan *plan);
int sim_batch_stale_pid(const sim_batch *b);
/* OUT.runs (borrowed). */
const char *sim_batch_dir(const sim_batch *b);

/* Run every run not complete yet. SIGINT and SIGTERM stop it (handlers
 * are installed for the call; from open to close SIGXFSZ is ignored, so
 * that a file size limit is a write error). Returns AS_OK when every run
 * is complete; AS_EINTR when stopped (the complete runs are also merged
 * into OUT.partial); else the
 * first failure, err = "run NAME: why". The complete runs stay in
 * OUT.runs/ except after a failure of the input itself (AS_EINVAL: a run
 * that fails fails again), which removes the folder. */
int sim_batch_run(sim_batch *b, as_err *err);
/* Runs complete, and their summary rows in plan order (borrowed, valid
 * until close; a row of a run not complete is zeros). */
int sim_batch_done(const sim_batch *b);
sim_summary_row *sim_batch_rows(sim_batch *b);
/* Every run complete: fill the ranking columns against the run named
 * baseline (NULL or not found: the first run), merge the runs into OUT
 * (the merger process has copied them as they completed; see
 * sim_batch_merge.c) and remove OUT.runs/. */
int sim_batch_finish(sim_batch *b, const char *baseline, as_err *err);
/* Release the lock and the workers' memory; OUT.runs/ stays unless
 * finished. NULL is a no-op. */
void sim_batch_close(sim_batch *b);

/* Under mpirun (a build with AS_MPI): on ranks above 0, serve rank 0's
 * batch of plan (each run in a private temporary file, sent back) and
 * return 1 with *status the exit status; on rank 0 and in builds without
 * MPI, return 0 (rank 0's sim_batch_run hands runs to the ranks). */
int sim_batch_mpi_worker(const sim_plan *plan, const sim_batch_opts *opts, int *status);

#endif
