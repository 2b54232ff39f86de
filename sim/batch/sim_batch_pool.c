/* sim_batch_pool.c - runs on worker processes.
 * Each worker is a fork of the coordinator that takes run indices from a
 * shared atomic counter and writes each run into its own file, so the
 * simulation and the HDF5 writing of N runs go on in parallel. Threads
 * were the alternative: Debian's libhdf5 is not thread-safe, so every
 * write went through one lock and -j 2 ran at the speed of -j 1. A worker
 * has its own copy of libhdf5; what it tells the coordinator (run done,
 * its summary and timing rows, how far it is, the first failure) goes
 * through one MAP_SHARED mapping (sim_batch_int.h).
 * Workers die with the coordinator (PR_SET_PDEATHSIG), get SIGTERM from it
 * when it is stopped, and leave with _exit: the coordinator's stdio
 * buffers and atexit handlers are not theirs. */
#include "sim_batch_int.h"

#include "sim_results.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double sim_batch_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int sim_batch_run_one(const sim_runspec *rs, const char *path, const sim_run_opts *base,
                      sim_summary_row *row, sim_timing_row *tr, as_err *err)
{
    double t0 = sim_batch_now();
    sim_results *res = sim_results_create(path, rs->sc, 1, err);
    if (res == NULL)
        return err->code;
    sim_run_opts o = *base;
    o.record_trace = 1;
    o.name = rs->name;
    o.params = rs->params;
    o.seed = &rs->seed;
    int rc = sim_results_run(res, rs->sc, rs->policy, &o, row, err);
    double wall = sim_batch_now() - t0;
    snprintf(tr->run, sizeof tr->run, "%s", rs->name);
    tr->wall_s = wall;
    tr->sim_per_wall = wall > 0 ? as_time_to_s(rs->sc->duration) / wall : 0;
    if (rc == AS_OK)
        rc = sim_results_timing(res, tr, err);
    if (rc == AS_OK)
        return sim_results_commit(res, row, 1, err);
    sim_results_abort(res, 1);
    return rc;
}

static void store_frac(sim_batch_wstate *w, double f)
{
    unsigned long long u;
    memcpy(&u, &f, sizeof u);
    atomic_store_explicit(&w->frac, u, memory_order_relaxed);
}

static double load_frac(sim_batch_wstate *w)
{
    unsigned long long u = atomic_load_explicit(&w->frac, memory_order_relaxed);
    double f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static void frac_cb(void *ud, double f)
{
    store_frac(ud, f);
}

/* The first failure wins; the others stop after their current run. */
static void fail(sim_batch *b, int run, const as_err *e)
{
    int none = 0;
    if (atomic_compare_exchange_strong(&b->sh->failed, &none, run + 1))
        b->sh->err = *e;
}

static void worker(sim_batch *b, int w, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(0);
    sim_batch_wstate *ws = &b->ws[w];
    sim_results_io_slot(&ws->io);
    const sim_plan *plan = b->plan;
    for (;;) {
        int i = atomic_fetch_add(&b->sh->next, 1);
        if (i >= plan->n || *b->stop || atomic_load(&b->sh->failed))
            break;
        if (atomic_load(&b->done[i]))
            continue;
        atomic_store(&ws->run, i);
        char path[1300];
        sim_batch_run_file(b, i, path, sizeof path);
        as_err e = {0};
        sim_run_opts o = {.stop = b->stop, .progress = frac_cb, .progress_ud = ws,
                          .max_events = b->o.max_events, .max_memory = b->o.max_memory};
        int rc = sim_batch_run_one(&plan->runs[i], path, &o, &b->rows[i], &b->timing[i], &e);
        store_frac(ws, 0);
        if (rc == AS_OK) {
            atomic_store(&b->done[i], 1);
            sim_batch_merger_wake(b);
            atomic_store(&ws->run, -1);
            if (b->kill_after > 0 && sim_batch_done(b) - b->resumed >= b->kill_after) {
                kill(parent, SIGKILL); /* SIMRUN_KILL_AFTER: this worker dies with it */
                pause();
            }
            continue;
        }
        if (rc != AS_EINTR && !*b->stop)
            fail(b, i, &e);
        break;
    }
    _exit(0);
}

void sim_batch_report(sim_batch *b, double t0)
{
    if (b->o.progress == NULL)
        return;
    const sim_plan *plan = b->plan;
    sim_batch_progress p = {.n = plan->n, .elapsed = sim_batch_now() - t0};
    for (int i = 0; i < plan->n; i++) {
        double d = as_time_to_s(plan->runs[i].sc->duration);
        p.sim_total += d;
        if (atomic_load(&b->done[i])) {
            p.done++;
            p.sim_done += d;
        }
    }
    for (int k = 0; k < b->nws; k++) {
        int i = atomic_load(&b->ws[k].run);
        if (i >= 0 && i < plan->n && !atomic_load(&b->done[i]))
            p.sim_done += load_frac(&b->ws[k]) * as_time_to_s(plan->runs[i].sc->duration);
    }
    b->o.progress(b->o.progress_ud, &p);
}

/* Reap the workers; one killed by a signal is the batch's failure. */
static void reap(sim_batch *b, const pid_t *pids, int n)
{
    for (int k = 0; k < n; k++) {
        int st = 0;
        while (waitpid(pids[k], &st, 0) < 0 && errno == EINTR)
            ;
        if (!WIFSIGNALED(st))
            continue;
        int i = atomic_load(&b->ws[k].run);
        as_err e = b->ws[k].io; /* a write error the crash followed */
        if (e.code == AS_OK)
            as_err_set(&e, AS_EIO, "the worker process running it died of signal %d (%s)",
                       WTERMSIG(st), strsignal(WTERMSIG(st)));
        fail(b, i >= 0 ? i : 0, &e);
    }
}

void sim_batch_pool(sim_batch *b)
{
    int fds[2];
    pid_t *pids = calloc((size_t)b->nws, sizeof *pids);
    if (pids == NULL || pipe2(fds, O_CLOEXEC) != 0) {
        as_err e = {0};
        as_err_set(&e, AS_ENOMEM, "cannot start worker processes: %s", strerror(errno));
        fail(b, 0, &e);
        free(pids);
        return;
    }
    fflush(NULL);
    pid_t parent = getpid();
    int started = 0;
    for (int k = 0; k < b->nws; k++)
        atomic_store(&b->ws[k].run, -1);
    for (; started < b->nws; started++) {
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]); /* the write end stays open until the worker exits */
            worker(b, started, parent);
        }
        if (pid < 0) {
            as_err e = {0};
            as_err_set(&e, AS_ENOMEM, "cannot start a worker process: %s", strerror(errno));
            fail(b, 0, &e);
            break;
        }
        pids[started] = pid;
    }
    close(fds[1]);
    /* the pipe reads end-of-file when the last worker has exited */
    double t0 = sim_batch_now();
    int forwarded = 0;
    for (;;) {
        sim_batch_report(b, t0);
        if (*b->stop && !forwarded) {
            for (int k = 0; k < started; k++)
                kill(pids[k], SIGTERM);
            forwarded = 1;
        }
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int r = poll(&p, 1, 200);
        if (r > 0)
            break;
    }
    close(fds[0]);
    reap(b, pids, started);
    free(pids);
}

/* ---- one job in a child ---- */

typedef struct child_box {
    int status;
    as_err err;
    as_err io; /* the first write error, should the child crash after it */
    char out[]; /* out_size bytes */
} child_box;

int sim_batch_in_child(int (*fn)(void *arg, void *out, as_err *err), void *arg, void *out,
                       size_t out_size, as_err *err)
{
    size_t size = sizeof(child_box) + out_size;
    child_box *box = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (box == MAP_FAILED)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    box->status = AS_EIO;
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        sim_results_io_slot(&box->io);
        box->status = fn(arg, box->out, &box->err);
        _exit(0);
    }
    int st = 0, rc;
    while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    if (pid < 0)
        rc = as_err_set(err, AS_ENOMEM, "cannot start a process: %s", strerror(errno));
    else if (WIFSIGNALED(st) && box->io.code != AS_OK)
        rc = as_err_set(err, AS_EIO, "%s", box->io.msg);
    else if (WIFSIGNALED(st))
        rc = as_err_set(err, AS_EIO, "its process died of signal %d (%s)", WTERMSIG(st),
                        strsignal(WTERMSIG(st)));
    else if ((rc = box->status) != AS_OK)
        as_err_set(err, rc, "%s", box->err.msg);
    else if (out_size > 0)
        memcpy(out, box->out, out_size);
    munmap(box, size);
    return rc;
}
