/* sim_batch_merge.c - the results file of a batch, merged from its runs'
 * files by a child process (a write error, or a libhdf5 crash after one,
 * ends the child, never the coordinator).
 * While the workers run, a merger process copies each run into
 * OUT.runs/.merged.h5 (a name no run can have: names do not start with a
 * dot) as soon as it and every run before it are complete, so that
 * the merge, about a quarter of the CPU time of a sweep of short runs,
 * overlaps the simulation instead of following it; when all are complete
 * the coordinator ranks the summary rows, the merger writes /summary and
 * /timing, and the coordinator renames the file to OUT. Until then OUT and
 * OUT.partial are not touched, and a killed batch leaves its half-merged
 * file only inside OUT.runs/. It copies in run order, so the file
 * does not depend on the worker count. The coordinator steers it through
 * the shared mapping (merge_cmd); a stopped or failed batch aborts it (its
 * partial file goes) and, when stopped, merges the complete runs at once. */
#include "sim_batch_int.h"

#include "sim_results.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

enum { MERGE_GO = 0, MERGE_FINISH = 1, MERGE_ABORT = 2 };

/* ---- all at once ---- */

typedef struct merge_job {
    const sim_batch *b;
    const char *path;
    int only_done;
} merge_job;

static int merge_fn(void *arg, void *out, as_err *err)
{
    (void)out;
    const merge_job *j = arg;
    const sim_batch *b = j->b;
    int n = b->plan->n, k = 0;
    sim_summary_row *rows = calloc((size_t)n + 1, sizeof *rows);
    sim_timing_row *tim = calloc((size_t)n + 1, sizeof *tim);
    sim_results_merger *m = rows && tim ? sim_results_merge_begin(j->path, b->sc, err) : NULL;
    int rc = m ? AS_OK : rows && tim ? err->code : as_err_set(err, AS_ENOMEM, "out of memory");
    for (int i = 0; i < n && rc == AS_OK; i++) {
        if (j->only_done && !atomic_load(&b->done[i]))
            continue;
        char path[1300];
        sim_batch_run_file(b, i, path, sizeof path);
        rc = sim_results_merge_add(m, path, b->plan->runs[i].name, err);
        rows[k] = b->rows[i];
        tim[k++] = b->timing[i];
    }
    if (rc == AS_OK)
        rc = sim_results_merge_end(m, rows, tim, k, err);
    else
        sim_results_merge_abort(m);
    free(rows);
    free(tim);
    return rc;
}

int sim_batch_merge_now(const sim_batch *b, const char *path, int only_done, as_err *err)
{
    merge_job j = {b, path, only_done};
    int rc = sim_batch_in_child(merge_fn, &j, NULL, 0, err);
    if (rc != AS_OK && strstr(err->msg, "its process died"))
        as_err_prefix(err, "merging into %s: ", path);
    return rc;
}

/* ---- while the runs go on ---- */

static void merger_fail(sim_batch *b, const as_err *e)
{
    b->sh->merge_err = *e;
    atomic_store(&b->sh->merge_state, 2);
}

/* Sleep until a worker or the coordinator writes to the wake-up pipe
 * (at most 100 ms: a missed byte only delays), and empty it. Polling the
 * shared flags with naps of 1 to 20 ms was the alternative: 12 % of the
 * merger's CPU time went to the wake-ups of a sweep of short runs, and a
 * nap could delay the end of the batch by 20 ms. */
static void wait_wake(const sim_batch *b)
{
    struct pollfd p = {.fd = b->wake[0], .events = POLLIN};
    if (poll(&p, 1, 100) > 0) {
        char buf[256];
        while (read(b->wake[0], buf, sizeof buf) > 0)
            ;
    }
}

void sim_batch_merger_wake(const sim_batch *b)
{
    if (b->wake[1] < 0)
        return;
    ssize_t k = write(b->wake[1], "", 1); /* full (EAGAIN): the merger has bytes to read */
    (void)k;
}

/* The merger process: copy run `next` once it is complete, finish when
 * told. Signals are the coordinator's business: it tells it to abort. */
static void merger(sim_batch *b, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(0);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    sim_results_io_slot(&b->sh->merge_io);
    as_err e = {0};
    char merged[1200];
    snprintf(merged, sizeof merged, "%s/.merged.h5", b->dir);
    sim_results_merger *m = sim_results_merge_begin(merged, b->sc, &e);
    if (m == NULL) {
        merger_fail(b, &e);
        _exit(0);
    }
    if (b->wake[1] >= 0)
        close(b->wake[1]); /* the coordinator's and the workers' end */
    int n = b->plan->n, next = 0;
    for (;;) {
        int cmd = atomic_load(&b->sh->merge_cmd);
        if (cmd == MERGE_ABORT) {
            sim_results_merge_abort(m);
            _exit(0);
        }
        if (next < n && atomic_load(&b->done[next])) {
            char path[1300];
            sim_batch_run_file(b, next, path, sizeof path);
            if (sim_results_merge_add(m, path, b->plan->runs[next].name, &e) != AS_OK) {
                sim_results_merge_abort(m);
                merger_fail(b, &e);
                _exit(0);
            }
            next++;
            continue;
        }
        if (cmd == MERGE_FINISH && next == n) {
            if (sim_results_merge_end(m, b->rows, b->timing, n, &e) != AS_OK)
                merger_fail(b, &e);
            else
                atomic_store(&b->sh->merge_state, 1);
            _exit(0);
        }
        wait_wake(b);
    }
}

void sim_batch_merger_start(sim_batch *b)
{
    atomic_store(&b->sh->merge_cmd, MERGE_GO);
    atomic_store(&b->sh->merge_state, 0);
    if (b->wake[0] < 0 && pipe2(b->wake, O_CLOEXEC | O_NONBLOCK) != 0)
        b->wake[0] = b->wake[1] = -1; /* none: the merger looks every 100 ms */
    fflush(NULL);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0)
        merger(b, parent);
    b->merger = pid > 0 ? pid : 0; /* no merger: sim_batch_merger_stop merges at once */
}

/* The merged file into place. */
static int publish(const sim_batch *b, const char *merged, as_err *err)
{
    if (rename(merged, b->out) != 0)
        return as_err_set(err, AS_EIO, "cannot rename %s to %s: %s", merged, b->out,
                          strerror(errno));
    return AS_OK;
}

static int merger_status(sim_batch *b, int st, as_err *err)
{
    int state = atomic_load(&b->sh->merge_state);
    if (state == 1)
        return AS_OK;
    if (state == 2)
        return as_err_set(err, b->sh->merge_err.code ? b->sh->merge_err.code : AS_EIO, "%s",
                          b->sh->merge_err.msg);
    if (b->sh->merge_io.code != AS_OK) /* it crashed after a failed write */
        return as_err_set(err, AS_EIO, "%s", b->sh->merge_io.msg);
    return as_err_set(err, AS_EIO, "merging into %s: its process died (status %d)", b->out, st);
}

int sim_batch_merger_stop(sim_batch *b, int finish, as_err *err)
{
    char merged[1200];
    snprintf(merged, sizeof merged, "%s/.merged.h5", b->dir);
    if (b->merger <= 0) {
        if (!finish)
            return AS_OK;
        int rc = sim_batch_merge_now(b, merged, 0, err);
        return rc == AS_OK ? publish(b, merged, err) : rc;
    }
    atomic_store(&b->sh->merge_cmd, finish ? MERGE_FINISH : MERGE_ABORT);
    sim_batch_merger_wake(b);
    int st = 0;
    while (waitpid(b->merger, &st, 0) < 0 && errno == EINTR)
        ;
    b->merger = 0;
    if (!finish)
        return AS_OK;
    int rc = merger_status(b, st, err);
    return rc == AS_OK ? publish(b, merged, err) : rc;
}
