/* sim_batch_dir.c - the runs folder OUT.runs/ of a batch: created and
 * marked by simrun (.simrun), locked while a batch uses it (lock, holding
 * the pid of the simrun that has it), resumed from when its plan.txt holds
 * this plan's fingerprint, else emptied.
 * The lock is flock(2) on OUT.runs/lock: the kernel drops it when the
 * holder dies, so a killed simrun never leaves a lock that blocks; the pid
 * it wrote stays behind and tells the next simrun whose lock it took over.
 * Worker processes inherit the lock, so a coordinator killed by SIGKILL
 * holds it until its workers (killed with it, PR_SET_PDEATHSIG) are gone.
 * fcntl locks were the alternative: they are per process and not
 * inherited, so the workers of a killed coordinator would keep writing
 * into a folder another simrun had taken.
 * Every entry is opened or removed relative to the folder's descriptor,
 * opened with O_NOFOLLOW, and with O_NOFOLLOW or unlinkat, which removes a
 * link and never what it points to. */
#include "sim_batch_int.h"

#include "as_name.h"

#include "sim_results.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The folder as messages show it (as_name_printable): a path is the
 * user's bytes. The buffer is a compound literal of the calling block,
 * valid for the as_err_set call it is an argument of. */
static const char *shown_dir(const char *s, char *buf, size_t n)
{
    as_name_printable(s, buf, n);
    return buf;
}
#define SHOWN(s) shown_dir((s), (char[1400]){0}, 1400)

#define MARKER ".simrun"
#define LOCK "lock"
#define PLAN "plan.txt"
#define MARKER_TEXT "a runs folder of simrun: the complete runs of a batch\n"

void sim_batch_run_file(const sim_batch *b, int i, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s.h5", b->dir, b->plan->runs[i].name);
}

/* A runs folder left by another scenario, other overrides, another seed
 * or other settings of a run is never resumed from (sim_batch.h). */
uint64_t sim_batch_fingerprint(const sim_scenario *sc, const sim_plan *plan)
{
    uint64_t h = 1469598103934665603ULL;
#define MIX(p, n)                                                                             \
    for (size_t k_ = 0; k_ < (n); k_++)                                                       \
        h = (h ^ ((const unsigned char *)(p))[k_]) * 1099511628211ULL;
    MIX(sc->text, strlen(sc->text));
    MIX(sc->overrides, strlen(sc->overrides));
    MIX(&sc->seed, sizeof sc->seed);
    for (int i = 0; i < plan->n; i++) {
        MIX(plan->runs[i].name, strlen(plan->runs[i].name));
        MIX(&plan->runs[i].seed, sizeof plan->runs[i].seed);
        MIX(plan->runs[i].params, strlen(plan->runs[i].params));
    }
#undef MIX
    return h;
}

/* The folders above path (results/ for results/NAME.h5). */
static int mkdir_parents(const char *path)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return 0;
}

/* Remove every entry of the folder fd (except the lock and the marker
 * when keep_ours). unlinkat without AT_REMOVEDIR removes files and links
 * themselves; a sub-folder is left alone (EISDIR). Takes fd. */
static void empty_dir(int fd, int keep_ours)
{
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        if (keep_ours && (strcmp(n, LOCK) == 0 || strcmp(n, MARKER) == 0))
            continue;
        unlinkat(dirfd(d), n, 0);
    }
    closedir(d);
}

static int is_file_at(int dfd, const char *name)
{
    struct stat st;
    return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

static int write_file_at(int dfd, const char *name, const char *text)
{
    int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    size_t n = strlen(text);
    int ok = write(fd, text, n) == (ssize_t)n;
    return close(fd) == 0 && ok ? 0 : -1;
}

/* Open b->dir as a folder of ours: create and mark it, or refuse what is
 * there (a link, a file, a folder simrun did not make) unless force, which
 * replaces a link or file and takes a foreign folder. *foreign: a forced
 * foreign folder (to be emptied). Returns the folder's descriptor or -1. */
static int claim(sim_batch *b, int *foreign, as_err *err)
{
    struct stat st;
    *foreign = 0;
    if (lstat(b->dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
        const char *what = S_ISLNK(st.st_mode) ? "a symbolic link" : "not a folder";
        if (!b->o.force) {
            as_err_set(err, AS_EEXIST,
                       "%s is %s; simrun never writes or deletes through it: remove it, or use "
                       "--force to replace it (not what it points to)",
                       b->dir, what);
            return -1;
        }
        if (unlink(b->dir) != 0) {
            as_err_set(err, AS_EIO, "%s: cannot remove: %s", SHOWN(b->dir), strerror(errno));
            return -1;
        }
    }
    int created = mkdir_parents(b->dir) == 0 && mkdir(b->dir, 0777) == 0;
    if (!created && errno != EEXIST) {
        as_err_set(err, AS_EIO, "cannot create %s: %s", SHOWN(b->dir), strerror(errno));
        return -1;
    }
    int fd = open(b->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        as_err_set(err, AS_EIO, "cannot open %s: %s", SHOWN(b->dir), strerror(errno));
        return -1;
    }
    if (created && write_file_at(fd, MARKER, MARKER_TEXT) != 0) {
        as_err_set(err, AS_EIO, "cannot write in %s: %s", SHOWN(b->dir), strerror(errno));
        close(fd);
        return -1;
    }
    /* plan.txt alone: a folder of a simrun from before the marker */
    if (!is_file_at(fd, MARKER) && !is_file_at(fd, PLAN)) {
        DIR *d = fdopendir(dup(fd));
        int entries = 0;
        for (struct dirent *e; d && (e = readdir(d)) != NULL;)
            entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
                       strcmp(e->d_name, LOCK) != 0;
        if (d)
            closedir(d);
        if (entries > 0 && !b->o.force) {
            close(fd);
            as_err_set(err, AS_EEXIST,
                       "%s exists and was not made by simrun; move it away, or use --force to "
                       "empty it",
                       b->dir);
            return -1;
        }
        *foreign = entries > 0;
    }
    return fd;
}

static int pid_alive(int pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

static int read_pid(int fd)
{
    char buf[32] = "";
    ssize_t k = pread(fd, buf, sizeof buf - 1, 0);
    buf[k > 0 ? k : 0] = '\0';
    return atoi(buf);
}

/* flock the lock file of the folder dfd. A holder that is alive refuses
 * at once; the workers of a dead one are being killed (PR_SET_PDEATHSIG):
 * wait for them up to 3 s. */
static int take_lock(sim_batch *b, int dfd, as_err *err)
{
    int fd = openat(dfd, LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return as_err_set(err, AS_EIO, "%s/%s: %s", SHOWN(b->dir), LOCK, strerror(errno));
    for (int tries = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; tries++) {
        int busy = errno == EWOULDBLOCK, pid = read_pid(fd);
        if (!busy || pid_alive(pid) || tries >= 300) {
            close(fd);
            if (pid > 0)
                return as_err_set(err, AS_EIO,
                                  "%s is in use by another simrun (pid %d); wait for it to end "
                                  "or stop it",
                                  b->dir, pid);
            return as_err_set(err, AS_EIO, "%s is in use by another simrun", SHOWN(b->dir));
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    b->lock_fd = fd;
    return AS_OK;
}

/* The folder and lock we locked are still the ones at b->dir (a holder
 * that finished removes both: our lock is then on a file nobody sees). */
static int still_linked(const sim_batch *b, int dfd)
{
    struct stat a, c, l, m;
    return fstat(dfd, &a) == 0 && lstat(b->dir, &c) == 0 && a.st_ino == c.st_ino &&
           a.st_dev == c.st_dev && fstat(b->lock_fd, &l) == 0 &&
           fstatat(dfd, LOCK, &m, AT_SYMLINK_NOFOLLOW) == 0 && l.st_ino == m.st_ino;
}

/* Keep the runs of a folder whose plan.txt is this plan's; returns how
 * many were complete. */
static int resume(sim_batch *b, int dfd)
{
    int resumed = 0;
    for (int i = 0; i < b->plan->n; i++) {
        char name[300], path[1300];
        snprintf(name, sizeof name, "%s.h5", b->plan->runs[i].name);
        if (!is_file_at(dfd, name))
            continue;
        sim_batch_run_file(b, i, path, sizeof path);
        sim_summary_row *r = NULL;
        int n = 0;
        as_err e = {0};
        if (sim_results_read_summary(path, &r, &n, &e) == AS_OK && n == 1 &&
            strcmp(r[0].run, b->plan->runs[i].name) == 0) {
            b->rows[i] = r[0];
            snprintf(b->timing[i].run, sizeof b->timing[i].run, "%s", r[0].run);
            atomic_store(&b->done[i], 1);
            resumed++;
        }
        free(r);
    }
    return resumed;
}

static int plan_matches(int dfd, uint64_t fp)
{
    int fd = openat(dfd, PLAN, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char line[64] = "";
    ssize_t k = read(fd, line, sizeof line - 1);
    close(fd);
    line[k > 0 ? k : 0] = '\0';
    unsigned long long old = 0;
    return sscanf(line, "%llx", &old) == 1 && old == fp;
}

/* Locked folder dfd: resume or empty it, mark it, write the plan. */
static int prepare(sim_batch *b, int dfd, int foreign, as_err *err)
{
    int old = read_pid(b->lock_fd);
    if (old > 0 && old != (int)getpid())
        b->stale_pid = old;
    char pid[32];
    snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    if (ftruncate(b->lock_fd, 0) != 0 || pwrite(b->lock_fd, pid, strlen(pid), 0) < 0)
        return as_err_set(err, AS_EIO, "%s/%s: %s", SHOWN(b->dir), LOCK, strerror(errno));
    uint64_t fp = sim_batch_fingerprint(b->sc, b->plan);
    if (!foreign && !b->o.fresh && plan_matches(dfd, fp))
        b->resumed = resume(b, dfd);
    else
        empty_dir(dup(dfd), 1);
    char text[32];
    snprintf(text, sizeof text, "%llx\n", (unsigned long long)fp);
    if (write_file_at(dfd, MARKER, MARKER_TEXT) != 0 ||
        write_file_at(dfd, PLAN, text) != 0)
        return as_err_set(err, AS_EIO, "cannot write in %s: %s", SHOWN(b->dir), strerror(errno));
    return AS_OK;
}

int sim_batch_dir_open(sim_batch *b, as_err *err)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        int foreign = 0;
        int dfd = claim(b, &foreign, err);
        if (dfd < 0)
            return err->code;
        int rc = take_lock(b, dfd, err);
        if (rc == AS_OK && !still_linked(b, dfd)) {
            sim_batch_dir_unlock(b);
            close(dfd);
            continue;
        }
        if (rc == AS_OK)
            rc = prepare(b, dfd, foreign, err);
        close(dfd);
        if (rc != AS_OK)
            sim_batch_dir_unlock(b);
        return rc;
    }
    return as_err_set(err, AS_EIO, "%s keeps being removed while simrun takes it", SHOWN(b->dir));
}

void sim_batch_dir_remove(sim_batch *b)
{
    int fd = open(b->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    empty_dir(fd, 0);
    rmdir(b->dir);
}

void sim_batch_dir_unlock(sim_batch *b)
{
    if (b->lock_fd < 0)
        return;
    /* an orderly end clears the pid: a pid left in the file means its
     * simrun was killed */
    if (ftruncate(b->lock_fd, 0) != 0) {
        /* the lock goes with the descriptor anyway */
    }
    close(b->lock_fd);
    b->lock_fd = -1;
}
