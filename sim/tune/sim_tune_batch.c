/* sim_tune_batch.c - the batches of a tune and what makes them resumable:
 * each is an ordinary sim/batch batch into OUTDIR/NAME.h5, with its plan
 * written beside it (NAME.plan: one line per run, name, seed and
 * settings). A finished batch whose plan file says the same is read back
 * instead of run; an unfinished one resumes from its runs folder
 * (sim_batch.h), so an interrupted tune asked again loses no run.
 * Under mpirun the ranks above 0 follow the same sequence of batches:
 * rank 0 tells them whether a batch runs (it may be read back) and, after
 * it, sends them its rows, from which they plan the next rung as rank 0
 * does. */
#include "sim_tune_int.h"

#include "sim_results.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef AS_MPI
#include <mpi.h>
#endif

#define MARKER ".simrun-tune"

/* ---- MPI ---- */

static int mpi_size(void)
{
#ifdef AS_MPI
    int init = 0, size = 1;
    MPI_Initialized(&init);
    if (init)
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
#else
    return 1;
#endif
}

int tune_mpi_worker(void)
{
#ifdef AS_MPI
    int rank = 0;
    if (mpi_size() > 1)
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank > 0;
#else
    return 0;
#endif
}

/* Rank 0's n bytes at p to every rank. */
static void bcast(void *p, size_t n)
{
#ifdef AS_MPI
    if (mpi_size() > 1)
        MPI_Bcast(p, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD);
#else
    (void)p;
    (void)n;
#endif
}

int tune_mpi_share(char **text, as_err *err)
{
    if (mpi_size() <= 1)
        return AS_OK;
    long n = tune_mpi_worker() ? 0 : (long)strlen(*text) + 1;
    bcast(&n, sizeof n);
    if (tune_mpi_worker() && (*text = calloc((size_t)n, 1)) == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    bcast(*text, (size_t)n);
    return AS_OK;
}

/* ---- files ---- */

int tune_write_file(const char *dir, const char *name, const char *text, size_t len, as_err *err)
{
    char tmp[1300], path[1300];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    int ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        return as_err_set(err, AS_EIO, "%s: cannot write: %s (errno %d)", path, strerror(e), e);
    }
    return AS_OK;
}

static int mkdirs(const char *dir)
{
    char d[1024];
    snprintf(d, sizeof d, "%s", dir);
    for (char *p = d + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(d, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(d, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

int tune_outdir(const char *dir, int force, as_err *err)
{
    struct stat st;
    char marker[1100];
    snprintf(marker, sizeof marker, "%s/%s", dir, MARKER);
    if (lstat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return as_err_set(err, AS_EEXIST, "%s exists and is not a folder%s", dir,
                          S_ISLNK(st.st_mode) ? " (a symbolic link)" : "");
    if (lstat(dir, &st) == 0 && lstat(marker, &st) != 0 && !force) {
        /* a folder that holds anything and is not ours is left alone */
        int empty = 1;
        DIR *d = opendir(dir);
        for (struct dirent *e; d && (e = readdir(d)) != NULL;)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                empty = 0;
        if (d)
            closedir(d);
        if (!empty)
            return as_err_set(err, AS_EEXIST, "%s exists and was not made by simrun tune; use "
                              "--force to write into it", dir);
    }
    if (mkdirs(dir) != 0)
        return as_err_set(err, AS_EIO, "%s: cannot create: %s", dir, strerror(errno));
    return tune_write_file(dir, MARKER, "made by simrun tune\n", 20, err);
}

/* ---- batches ---- */

typedef struct prog_ctx {
    const sim_tune_opts *o;
    const char *stage;
} prog_ctx;

static void on_progress(void *ud, const sim_batch_progress *p)
{
    const prog_ctx *c = ud;
    c->o->progress(c->o->progress_ud, c->stage, p);
}

/* The plan as text, for NAME.plan: the batch's fingerprint first, so that
 * a tune asked again with another --split, --set or scenario file reads
 * back no batch of the earlier one, then a line per run. */
static char *plan_text(const sim_scenario *sc, const sim_plan *plan)
{
    size_t cap = 64 + (size_t)plan->n * (SIM_STR + sizeof plan->runs[0].params + 32);
    char *t = malloc(cap), *p = t;
    if (t)
        p += snprintf(p, cap, "fingerprint\t%016" PRIx64 "\n", sim_batch_fingerprint(sc, plan));
    for (int i = 0; t && i < plan->n; i++) {
        const sim_runspec *rs = &plan->runs[i];
        p += snprintf(p, cap - (size_t)(p - t), "%s\t%" PRIu64 "\t%s\n", rs->name, rs->seed,
                      rs->params);
    }
    return t;
}

/* The whole of a small file (caller frees); NULL when absent. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return NULL;
    char *t = NULL;
    size_t n = 0, cap = 0;
    for (int c; (c = fgetc(f)) != EOF;) {
        if (n + 2 > cap) {
            char *p = realloc(t, cap = cap ? 2 * cap : 4096);
            if (p == NULL)
                break;
            t = p;
        }
        t[n++] = (char)c;
    }
    if (t)
        t[n] = '\0';
    fclose(f);
    return t;
}

/* The rows of a finished batch, when its plan file matches. */
static int read_back(const char *dir, const char *name, const char *text, const sim_plan *plan,
                     sim_summary_row *rows)
{
    char path[1300];
    snprintf(path, sizeof path, "%s/%s.plan", dir, name);
    char *kept = slurp(path);
    int same = kept && strcmp(kept, text) == 0;
    free(kept);
    if (!same)
        return 0;
    snprintf(path, sizeof path, "%s/%s.h5", dir, name);
    sim_summary_row *r = NULL;
    int nr = 0, ok = 0;
    as_err e = {0};
    if (access(path, F_OK) == 0 && sim_results_read_summary(path, &r, &nr, &e) == AS_OK &&
        nr == plan->n) {
        ok = 1;
        for (int i = 0; i < nr; i++)
            ok &= strcmp(r[i].run, plan->runs[i].name) == 0;
        if (ok)
            memcpy(rows, r, sizeof *rows * (size_t)nr);
    }
    free(r);
    return ok;
}

/* Run the batch on this machine's workers (or as MPI's rank 0). */
static int run_batch(const sim_tune_opts *o, const char *out, const sim_scenario *sc,
                     const sim_plan *plan, const char *stage, sim_summary_row *rows, as_err *err)
{
    prog_ctx pc = {o, stage};
    sim_batch_opts bo = {.out = out, .jobs = o->jobs, .fresh = o->fresh, .force = o->force,
                         .max_events = o->max_events, .max_memory = o->max_memory};
    if (o->progress) {
        bo.progress = on_progress;
        bo.progress_ud = &pc;
    }
    sim_batch *b = sim_batch_open(sc, plan, &bo, err);
    if (b == NULL)
        return err->code;
    int rc = sim_batch_run(b, err);
    if (rc == AS_EINTR)
        as_err_set(err, AS_EINTR, "%s: interrupted; %d of %d runs complete are kept in %s/",
                   stage, sim_batch_done(b), plan->n, sim_batch_dir(b));
    else if (rc != AS_OK)
        as_err_prefix(err, "%s: ", stage);
    else if ((rc = sim_batch_finish(b, NULL, err)) != AS_OK)
        as_err_prefix(err, "%s: ", stage);
    else
        memcpy(rows, sim_batch_rows(b), sizeof *rows * (size_t)plan->n);
    sim_batch_close(b);
    return rc;
}

int tune_batch(const sim_tune_opts *o, const char *dir, const char *name, const sim_scenario *sc,
               const sim_plan *plan, const char *stage, sim_summary_row *rows, as_err *err)
{
    int need = 1, rc = AS_OK;
    if (tune_mpi_worker()) {
        bcast(&need, sizeof need);
        if (need) {
            sim_batch_opts wo = {.max_events = o->max_events, .max_memory = o->max_memory};
            int status = 0;
            sim_batch_mpi_worker(plan, &wo, &status);
        }
        bcast(&rc, sizeof rc);
        if (rc == AS_OK)
            bcast(rows, sizeof *rows * (size_t)plan->n);
        return rc;
    }
    char out[1300];
    snprintf(out, sizeof out, "%s/%s.h5", dir, name);
    char *text = plan_text(sc, plan);
    if (text == NULL)
        rc = as_err_set(err, AS_ENOMEM, "out of memory");
    else if (!o->fresh && read_back(dir, name, text, plan, rows))
        need = 0;
    bcast(&need, sizeof need);
    if (rc == AS_OK && need) {
        char pname[300];
        snprintf(pname, sizeof pname, "%s.plan", name);
        unlink(out); /* a file of another plan, in our folder */
        rc = tune_write_file(dir, pname, text, strlen(text), err);
        if (rc == AS_OK)
            rc = run_batch(o, out, sc, plan, stage, rows, err);
    }
    free(text);
    bcast(&rc, sizeof rc);
    if (rc == AS_OK)
        bcast(rows, sizeof *rows * (size_t)plan->n);
    return rc;
}
