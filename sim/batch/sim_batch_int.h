/* sim_batch_int.h - what the files of sim/batch share: the batch object,
 * the memory its worker processes share with the coordinator, and the
 * helpers of the runs folder, the worker pool and MPI.
 * Invariant: the shared arrays are written by workers and read by the
 * coordinator only through C11 atomics (done[], the workers' states) or
 * after an atomic store that publishes them (rows[i] and timing[i] before
 * done[i] = 1; err before the worker exits, read after it is reaped). */
#ifndef SIM_BATCH_INT_H
#define SIM_BATCH_INT_H

#include "sim_batch.h"
#include "sim_run.h"

#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

/* Atomics shared between processes must not hide a lock (a lock in one
 * process's memory would not exclude the other). */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2,
               "the batch needs lock-free atomic int and long long");

/* What one worker process is doing, for the progress line. */
typedef struct sim_batch_wstate {
    atomic_int run;        /* index of its current run, -1 between runs */
    atomic_ullong frac;    /* share of it done, a double's bits */
    as_err io;             /* its first write error (read after it is reaped) */
} sim_batch_wstate;

/* Shared by the coordinator and its workers (one MAP_SHARED mapping). */
typedef struct sim_batch_shared {
    atomic_int next;       /* the next run index to take */
    atomic_int failed;     /* 0, or 1 + the index of the first run that failed */
    as_err err;            /* that failure, written by the worker that set failed */
    atomic_int merge_cmd;  /* to the merger: go on, finish, abort (sim_batch_merge.c) */
    atomic_int merge_state; /* from it: 0 running, 1 done, 2 failed (merge_err) */
    as_err merge_err;
    as_err merge_io;       /* its first write error, should it then crash */
} sim_batch_shared;

struct sim_batch {
    const sim_scenario *sc;
    const sim_plan *plan;
    sim_batch_opts o;
    char out[1024];
    char dir[1100];         /* OUT.runs */
    int lock_fd;            /* OUT.runs/lock, flock'ed; -1 when none */
    int resumed;            /* runs found complete by open */
    pid_t merger;           /* the merger process, 0 when none */
    int wake[2];            /* the merger's wake-up pipe (sim_batch_merge.c);
                             * -1 when none */
    int stale_pid;          /* a dead holder's lock taken over */
    volatile sig_atomic_t *stop; /* set by SIGINT/SIGTERM (sim_batch.c) */
    int kill_after;         /* SIMRUN_KILL_AFTER (sim_batch.c); 0: off */
    struct sigaction old_xfsz;   /* SIGXFSZ is ignored from open to close */
    int xfsz_saved;
    /* one shared mapping: */
    void *map;
    size_t map_size;
    sim_batch_shared *sh;
    atomic_int *done;       /* per run: 1 when its file is complete */
    sim_summary_row *rows;  /* per run */
    sim_timing_row *timing; /* per run */
    sim_batch_wstate *ws;   /* per worker */
    int nws;
};

/* ---- the runs folder (sim_batch_dir.c) ---- */

/* OUT.runs/NAME.h5 of run i. */
void sim_batch_run_file(const sim_batch *b, int i, char *buf, size_t n);
/* Create or take over b->dir, lock it, and resume from it or empty it. */
int sim_batch_dir_open(sim_batch *b, as_err *err);
/* Remove every entry of b->dir (never following a link) and the folder. */
void sim_batch_dir_remove(sim_batch *b);
/* Unlock and close the lock file (the folder stays). */
void sim_batch_dir_unlock(sim_batch *b);

/* ---- runs in processes (sim_batch_pool.c) ---- */

/* One run into its own file at path (renamed into place when complete;
 * on failure the partial file is removed), with the stop flag, progress
 * and limits of base (the run's name, settings and seed are rs's). */
int sim_batch_run_one(const sim_runspec *rs, const char *path, const sim_run_opts *base,
                      sim_summary_row *row, sim_timing_row *tr, as_err *err);
/* Run every run not done on b->o.jobs worker processes; returns when all
 * have exited. A failure is in b->sh->failed and b->sh->err. */
void sim_batch_pool(sim_batch *b);
/* fn(arg, out, err) in a child process: out (out_size bytes, may be 0) and
 * err come back through shared memory. Returns fn's status, or AS_EIO
 * when the child died (signal in the message). */
int sim_batch_in_child(int (*fn)(void *arg, void *out, as_err *err), void *arg, void *out,
                       size_t out_size, as_err *err);
/* Wall seconds on a monotonic clock (for /timing and progress). */
double sim_batch_now(void);
/* Report progress through b->o.progress. */
void sim_batch_report(sim_batch *b, double t0);

/* ---- merging (sim_batch_merge.c) ---- */

/* Merge the runs (those complete when only_done) into path, in a child. */
int sim_batch_merge_now(const sim_batch *b, const char *path, int only_done, as_err *err);
/* Start the merger process, which copies runs into OUT.partial as they
 * complete (none started: stop merges at once). */
void sim_batch_merger_start(sim_batch *b);
/* Tell the merger that a run is complete or a command is set (a worker
 * calls it after done[i] = 1; never blocks). */
void sim_batch_merger_wake(const sim_batch *b);
/* finish: every run complete and the rows ranked: the merger writes the
 * summary and renames OUT.partial to OUT; else it is aborted (its partial
 * file removed). Returns the merge's status. */
int sim_batch_merger_stop(sim_batch *b, int finish, as_err *err);

/* ---- MPI (sim_batch_mpi.c) ---- */

/* Under mpirun with more than one rank, rank 0 hands the runs to the
 * others and stores their files; returns 1 when it did, 0 otherwise. */
int sim_batch_mpi_coordinate(sim_batch *b);

#endif
