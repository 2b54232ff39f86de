/* sim_batch.c - a batch from open to close: the shared memory of its
 * workers, the stop request of SIGINT/SIGTERM, the run (worker processes
 * and the merger, or MPI ranks), its outcome, and the final merge
 * (sim_batch.h; the processes are sim_batch_pool.c's and
 * sim_batch_merge.c's). */
#include "sim_batch_int.h"

#include "sim_results.h"
#include "sim_summary.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The stop request. A signal handler can only set a flag, so it is a
 * global; `volatile sig_atomic_t` is what C guarantees a handler may write
 * and its process read. No thread reads it: the workers are processes,
 * each with its own copy, set by the SIGTERM the coordinator forwards (or
 * by the terminal's SIGINT, which reaches them all). */
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

/* One MAP_SHARED mapping for everything the workers tell the coordinator:
 * it survives fork, and C11 atomics on it work across processes (they are
 * lock-free for int and long long on every platform we build for). */
static int map_shared(sim_batch *b, int n, int jobs, as_err *err)
{
    size_t o_done = align64(sizeof(sim_batch_shared));
    size_t o_rows = o_done + align64((size_t)n * sizeof(atomic_int));
    size_t o_tim = o_rows + align64((size_t)n * sizeof(sim_summary_row));
    size_t o_ws = o_tim + align64((size_t)n * sizeof(sim_timing_row));
    b->map_size = o_ws + align64((size_t)jobs * sizeof(sim_batch_wstate));
    b->map = mmap(NULL, b->map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b->map == MAP_FAILED) {
        b->map = NULL;
        return as_err_set(err, AS_ENOMEM, "out of memory (shared memory of %d runs)", n);
    }
    char *m = b->map; /* zero-filled: every atomic starts at 0 */
    b->sh = (sim_batch_shared *)m;
    b->done = (atomic_int *)(m + o_done);
    b->rows = (sim_summary_row *)(m + o_rows);
    b->timing = (sim_timing_row *)(m + o_tim);
    b->ws = (sim_batch_wstate *)(m + o_ws);
    b->nws = jobs;
    return AS_OK;
}

sim_batch *sim_batch_open(const sim_scenario *sc, const sim_plan *plan,
                          const sim_batch_opts *opts, as_err *err)
{
    sim_batch *b = calloc(1, sizeof *b);
    if (b == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory");
        return NULL;
    }
    b->sc = sc;
    b->plan = plan;
    b->o = *opts;
    b->lock_fd = -1;
    b->wake[0] = b->wake[1] = -1;
    b->stop = &g_stop;
    /* SIMRUN_KILL_AFTER=N, a test hook: the worker that completes the Nth
     * run of this invocation SIGKILLs the coordinator, a kill without
     * warning at a known point (a test polling the runs folder could see
     * the whole batch finish between two looks on a loaded machine). */
    const char *kill_after = getenv("SIMRUN_KILL_AFTER");
    b->kill_after = kill_after ? atoi(kill_after) : 0;
    snprintf(b->out, sizeof b->out, "%s", opts->out);
    snprintf(b->dir, sizeof b->dir, "%s.runs", opts->out);
    b->o.out = b->out;
    /* Keep freed memory for the next file. Every run, and every file the
     * merge copies, opens and closes an HDF5 file (a metadata cache of a
     * few hundred KB, chunk buffers); glibc would hand the top of the heap
     * back to the kernel each time and fault it in again: 7x the page
     * faults and 1.5x the CPU time of a sweep of short runs. The workers
     * and the merge inherit the setting. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 16 << 20);
    int jobs = opts->jobs < 1 ? 1 : opts->jobs;
    if (jobs > plan->n)
        jobs = plan->n > 0 ? plan->n : 1;
    /* a file size limit (ulimit -f) is then EFBIG, a write error like
     * ENOSPC, instead of a core dump; until close */
    struct sigaction ign = {0};
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGXFSZ, &ign, &b->old_xfsz);
    b->xfsz_saved = 1;
    if (map_shared(b, plan->n, jobs, err) != AS_OK || sim_batch_dir_open(b, err) != AS_OK) {
        sim_batch_close(b);
        return NULL;
    }
    return b;
}

int sim_batch_resumed(const sim_batch *b) { return b->resumed; }
int sim_batch_stale_pid(const sim_batch *b) { return b->stale_pid; }
const char *sim_batch_dir(const sim_batch *b) { return b->dir; }
sim_summary_row *sim_batch_rows(sim_batch *b) { return b->rows; }

int sim_batch_done(const sim_batch *b)
{
    int k = 0;
    for (int i = 0; i < b->plan->n; i++)
        k += atomic_load(&b->done[i]);
    return k;
}

/* ---- the run ---- */

/* After the workers: the first failure, or the stop (the complete runs
 * merged into OUT.partial), or AS_OK. */
static int outcome(sim_batch *b, int stopped, as_err *err)
{
    int failed = atomic_load(&b->sh->failed), done = sim_batch_done(b);
    if (!failed && !stopped && done == b->plan->n)
        return AS_OK; /* the merger goes on: sim_batch_finish */
    sim_batch_merger_stop(b, 0, NULL);
    if (failed > 0) {
        int code = b->sh->err.code != AS_OK ? b->sh->err.code : AS_EIO;
        as_err_set(err, code, "run %s: %s", b->plan->runs[failed - 1].name, b->sh->err.msg);
        if (code == AS_EINVAL) /* bad input: the same run fails again */
            sim_batch_dir_remove(b);
        return code;
    }
    if (done > 0) {
        char partial[1100];
        snprintf(partial, sizeof partial, "%s.partial", b->out);
        as_err e = {0};
        if (sim_batch_merge_now(b, partial, 1, &e) != AS_OK)
            return as_err_set(err, AS_EINTR, "interrupted (and %s)", e.msg);
    }
    return as_err_set(err, AS_EINTR, "interrupted");
}

int sim_batch_run(sim_batch *b, as_err *err)
{
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    g_stop = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    atomic_store(&b->sh->next, 0);
    atomic_store(&b->sh->failed, 0);
    if (!sim_batch_mpi_coordinate(b)) {
        sim_batch_merger_start(b);
        sim_batch_pool(b);
    }
    int rc = outcome(b, g_stop, err);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;
}

int sim_batch_finish(sim_batch *b, const char *baseline, as_err *err)
{
    int n = b->plan->n, base = 0;
    for (int i = 0; baseline && i < n; i++)
        if (strcmp(b->rows[i].run, baseline) == 0)
            base = i;
    sim_rank(b->rows, n, base);
    int rc = sim_batch_merger_stop(b, 1, err);
    if (rc == AS_OK)
        sim_batch_dir_remove(b);
    return rc;
}

void sim_batch_close(sim_batch *b)
{
    if (b == NULL)
        return;
    sim_batch_merger_stop(b, 0, NULL);
    for (int k = 0; k < 2; k++)
        if (b->wake[k] >= 0)
            close(b->wake[k]);
    sim_batch_dir_unlock(b);
    if (b->xfsz_saved)
        sigaction(SIGXFSZ, &b->old_xfsz, NULL);
    if (b->map)
        munmap(b->map, b->map_size);
    free(b);
}
