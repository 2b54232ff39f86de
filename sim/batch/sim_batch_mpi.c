/* sim_batch_mpi.c - many machines: a batch over mpirun's ranks (a build
 * with make MPI=1, which defines AS_MPI).
 * Rank 0 hands out run indices one at a time (a slow run never stalls a
 * queue: the next index goes to whichever rank asks first) and stores
 * every result: a worker rank runs into a private temporary file and sends
 * its bytes, so no shared filesystem is needed. Rank 0 then merges exactly
 * as with local workers, so the results equal those of -j 1. A worker rank
 * runs each run in a child process, as local workers do, so that a write
 * error or a libhdf5 crash ends the child and is reported, not the rank. */
#include "sim_batch_int.h"

#ifdef AS_MPI
#include "sim_results.h"

#include <errno.h>
#include <fcntl.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { TAG_MSG = 1, TAG_DATA = 2, TAG_INDEX = 3 };
typedef struct mpi_msg {
    int index;   /* -1: just asking for work */
    int status;  /* AS_OK or the failure code */
    long nbytes; /* size of the file that follows (TAG_DATA) */
    double wall;
    char msg[512];
} mpi_msg;

typedef struct rank_job {
    const sim_runspec *rs;
    const char *path;
    const sim_batch_opts *opts;
} rank_job;

static int rank_run(void *arg, void *out, as_err *err)
{
    const rank_job *j = arg;
    sim_summary_row row;
    sim_timing_row tr = {0};
    sim_run_opts o = {.max_events = j->opts->max_events, .max_memory = j->opts->max_memory};
    int rc = sim_batch_run_one(j->rs, j->path, &o, &row, &tr, err);
    memcpy(out, &tr.wall_s, sizeof tr.wall_s);
    return rc;
}

/* Send the file of the run just done (after the TAG_MSG that announced it). */
static void send_file(const char *path, long nbytes)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc((size_t)nbytes);
    size_t got = f && buf ? fread(buf, 1, (size_t)nbytes, f) : 0;
    if (f)
        fclose(f);
    MPI_Send(buf ? buf : "", (int)got, MPI_BYTE, 0, TAG_DATA, MPI_COMM_WORLD);
    free(buf);
    unlink(path);
}

static int serve(const sim_plan *plan, const sim_batch_opts *opts)
{
    char tmpl[] = "/tmp/simrun-mpi-XXXXXX";
    char *tmp = mkdtemp(tmpl);
    char path[1200];
    snprintf(path, sizeof path, "%s/run.h5", tmp ? tmp : "/tmp");
    mpi_msg m = {.index = -1};
    for (;;) {
        MPI_Send(&m, (int)sizeof m, MPI_BYTE, 0, TAG_MSG, MPI_COMM_WORLD);
        if (m.index >= 0 && m.status == AS_OK && m.nbytes > 0)
            send_file(path, m.nbytes);
        int idx;
        MPI_Recv(&idx, 1, MPI_INT, 0, TAG_INDEX, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (idx < 0)
            break;
        memset(&m, 0, sizeof m);
        m.index = idx;
        as_err err = {0};
        rank_job j = {&plan->runs[idx], path, opts};
        m.status = tmp ? sim_batch_in_child(rank_run, &j, &m.wall, sizeof m.wall, &err)
                       : as_err_set(&err, AS_EIO, "cannot create a temporary folder");
        snprintf(m.msg, sizeof m.msg, "%s", err.msg);
        struct stat st;
        m.nbytes = m.status == AS_OK && stat(path, &st) == 0 ? (long)st.st_size : 0;
    }
    if (tmp)
        rmdir(tmp);
    return 0;
}

int sim_batch_mpi_worker(const sim_plan *plan, const sim_batch_opts *opts, int *status)
{
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0)
        return 0;
    *status = serve(plan, opts);
    return 1;
}

/* Store the bytes of run i's file as OUT.runs/NAME.h5 (through .partial,
 * never through a link) and take its summary row. */
static int store(sim_batch *b, int i, const char *buf, long nbytes, double wall, int src)
{
    char path[1300], part[1320];
    sim_batch_run_file(b, i, path, sizeof path);
    snprintf(part, sizeof part, "%s.partial", path);
    struct stat st;
    if (lstat(part, &st) == 0 && S_ISREG(st.st_mode))
        unlink(part);
    int fd = buf ? open(part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644) : -1;
    int ok = fd >= 0 && write(fd, buf, (size_t)nbytes) == (ssize_t)nbytes;
    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    ok = ok && rename(part, path) == 0;
    sim_summary_row *r = NULL;
    int n = 0;
    as_err e = {0};
    if (ok && sim_results_read_summary(path, &r, &n, &e) == AS_OK && n == 1) {
        b->rows[i] = r[0];
        const sim_runspec *rs = &b->plan->runs[i];
        snprintf(b->timing[i].run, sizeof b->timing[i].run, "%s", rs->name);
        b->timing[i].wall_s = wall;
        b->timing[i].sim_per_wall = wall > 0 ? as_time_to_s(rs->sc->duration) / wall : 0;
        atomic_store(&b->done[i], 1);
    } else if (!atomic_load(&b->sh->failed)) {
        atomic_store(&b->sh->failed, i + 1);
        as_err_set(&b->sh->err, AS_EIO, "cannot store the result of rank %d in %s: %s", src,
                   path, ok ? e.msg : strerror(errno));
    }
    free(r);
    return ok;
}

static void receive(sim_batch *b, const mpi_msg *m, int src)
{
    if (m->index < 0 || m->index >= b->plan->n)
        return;
    if (m->status == AS_OK && m->nbytes > 0) {
        char *buf = malloc((size_t)m->nbytes);
        MPI_Recv(buf ? buf : (char[1]){0}, buf ? (int)m->nbytes : 0, MPI_BYTE, src, TAG_DATA,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        store(b, m->index, buf, m->nbytes, m->wall, src);
        free(buf);
    } else if (m->status != AS_OK && !atomic_load(&b->sh->failed)) {
        atomic_store(&b->sh->failed, m->index + 1);
        as_err_set(&b->sh->err, m->status, "%s (rank %d)", m->msg, src);
    }
}

int sim_batch_mpi_coordinate(sim_batch *b)
{
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size <= 1)
        return 0;
    const sim_plan *plan = b->plan;
    int next = 0, active = size - 1;
    double t0 = sim_batch_now();
    while (active > 0) {
        mpi_msg m;
        MPI_Status st;
        MPI_Recv(&m, (int)sizeof m, MPI_BYTE, MPI_ANY_SOURCE, TAG_MSG, MPI_COMM_WORLD, &st);
        receive(b, &m, st.MPI_SOURCE);
        while (next < plan->n && atomic_load(&b->done[next]))
            next++;
        int idx = next < plan->n && !atomic_load(&b->sh->failed) && !*b->stop ? next++ : -1;
        MPI_Send(&idx, 1, MPI_INT, st.MPI_SOURCE, TAG_INDEX, MPI_COMM_WORLD);
        if (idx < 0)
            active--;
        sim_batch_report(b, t0);
    }
    return 1;
}

#else

int sim_batch_mpi_worker(const sim_plan *plan, const sim_batch_opts *opts, int *status)
{
    (void)plan;
    (void)opts;
    (void)status;
    return 0;
}

int sim_batch_mpi_coordinate(sim_batch *b)
{
    (void)b;
    return 0;
}

#endif
