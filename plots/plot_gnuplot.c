/* plot_gnuplot.c - gnuplot children: fork, feed each its script through a
 * pipe, wait, read what it said; up to `procs` of them at once, driven by
 * one poll loop (no thread: the children do the work, we only move bytes). Its stdout and stderr go to an anonymous
 * temporary file rather than a second pipe: gnuplot may write more than a
 * pipe holds while we are still writing its script, and a file cannot
 * deadlock. A second pipe (O_CLOEXEC) tells a failed chdir or exec apart
 * from a running gnuplot: it reads 0 bytes once exec succeeded. */
#include "plot_gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* First line of gnuplot's output that carries an error ("line N: ..."
 * and not a warning), else its first non-blank line. */
static void first_error(const char *log, char *buf, size_t n)
{
    const char *best = NULL;
    for (const char *p = log; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *q = p;
        while (q < p + len && (*q == ' ' || *q == '\t'))
            q++;
        if (q < p + len) {
            if (best == NULL)
                best = q;
            /* the error, not a warning that came before it */
            int warn = strncmp(q, "Warning", 7) == 0 || strstr(q, "warning:") != NULL;
            if (!warn && (strncmp(q, "line ", 5) == 0 || strstr(q, "rror") != NULL)) {
                best = q;
                break;
            }
        }
        p = e ? e + 1 : NULL;
    }
    if (best == NULL) {
        snprintf(buf, n, "(no message)");
        return;
    }
    const char *e = strchr(best, '\n');
    snprintf(buf, n, "%.*s", (int)(e ? e - best : (long)strlen(best)), best);
}

/* The child: stdin from in, stdout and stderr to log, in the folder; only
 * async-signal-safe calls until exec. Reports a failure through ex. */
static void child(int in, int log, int dirfd, int ex, const char *prog)
{
    int what[2] = {0, 0};
    if (dup2(in, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
        what[0] = 1;
    else if (fchdir(dirfd) != 0)
        what[0] = 2;
    else {
        char *argv[] = {(char *)prog, NULL};
        execvp(prog, argv);
        what[0] = 3;
    }
    what[1] = errno;
    ssize_t wr = write(ex, what, sizeof what);
    (void)wr;
    _exit(127);
}

/* Start gnuplot in dirfd; *in is the write end of its stdin. */
static int spawn(const plot_gnuplot_pool *job, const char *prog, int logfd, pid_t *pid, int *in,
                 as_err *err)
{
    int pin[2], ex[2];
    if (pipe2(pin, O_CLOEXEC) != 0)
        return as_err_set(err, AS_EIO, "pipe: %s", strerror(errno));
    if (pipe2(ex, O_CLOEXEC) != 0) {
        close(pin[0]);
        close(pin[1]);
        return as_err_set(err, AS_EIO, "pipe: %s", strerror(errno));
    }
    fflush(NULL);
    *pid = fork();
    if (*pid < 0) {
        int e = errno;
        close(pin[0]);
        close(pin[1]);
        close(ex[0]);
        close(ex[1]);
        return as_err_set(err, AS_EIO, "fork: %s", strerror(e));
    }
    if (*pid == 0)
        child(pin[0], logfd, job->dirfd, ex[1], prog);
    close(pin[0]);
    close(ex[1]);
    int what[2];
    ssize_t got;
    do
        got = read(ex[0], what, sizeof what);
    while (got < 0 && errno == EINTR);
    close(ex[0]);
    if (got != (ssize_t)sizeof what) {
        *in = pin[1];
        return AS_OK;
    }
    close(pin[1]);
    waitpid(*pid, NULL, 0);
    if (what[0] == 3)
        return as_err_set(err, AS_ENOTFOUND,
                          "cannot run '%s': %s (install gnuplot, e.g. apt-get install "
                          "gnuplot-nox; the data and %s are in %s)",
                          prog, strerror(what[1]), job->rerun, job->shown);
    return as_err_set(err, AS_EIO, "cannot start gnuplot in %s: %s", job->shown,
                      strerror(what[1]));
}

/* The whole of the captured output (caller frees; NULL when empty). */
static char *read_log(FILE *log)
{
    fflush(log);
    if (fseek(log, 0, SEEK_END) != 0)
        return NULL;
    long sz = ftell(log);
    if (sz <= 0)
        return NULL;
    char *text = malloc((size_t)sz + 1);
    if (text == NULL)
        return NULL;
    rewind(log);
    size_t r = fread(text, 1, (size_t)sz, log);
    text[r] = '\0';
    return text;
}

/* Keep text as gnuplot.log in the folder: created new, never through a
 * symlink (O_NOFOLLOW), replacing a log of our own. */
static void keep_log(int dirfd, const char *text)
{
    unlinkat(dirfd, "gnuplot.log", 0);
    int fd = openat(dirfd, "gnuplot.log", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    0666);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        return;
    }
    fputs(text, f);
    fclose(f);
}

/* ---- the pool ---- */

#define TICK_MS 200

typedef struct slot {
    pid_t pid;              /* 0: free */
    int in;                 /* write end of its stdin; -1 once closed */
    FILE *log;              /* its stdout and stderr */
    int piece;
    size_t pos;             /* bytes of head + piece written */
} slot;

typedef struct outcome {
    int status;             /* from waitpid */
    int wrote_all;          /* gnuplot read the whole piece */
    char *log;              /* what it said (NULL: nothing) */
} outcome;

typedef struct pool_run {
    const plot_gnuplot_pool *p;
    slot *s;
    int ns;
    outcome *out;           /* per piece */
    int done;
    int fatal;              /* first error starting a gnuplot (then none is started) */
    as_err ferr;
} pool_run;

static int start(pool_run *r, slot *s, int piece)
{
    const plot_gnuplot_pool *p = r->p;
    s->log = tmpfile();
    if (s->log == NULL)
        return as_err_set(&r->ferr, AS_EIO, "cannot create a temporary file: %s",
                          strerror(errno));
    /* not inherited by the other children (dup2 in child() clears it on 1 and 2) */
    fcntl(fileno(s->log), F_SETFD, FD_CLOEXEC);
    int rc = spawn(p, p->prog ? p->prog : "gnuplot", fileno(s->log), &s->pid, &s->in,
                   &r->ferr);
    if (rc != AS_OK) {
        fclose(s->log);
        s->log = NULL;
        s->pid = 0;
        return rc;
    }
    fcntl(s->in, F_SETFL, fcntl(s->in, F_GETFL) | O_NONBLOCK);
    s->piece = piece;
    s->pos = 0;
    return AS_OK;
}

/* Write what the pipe takes of head + piece; closes it when all is
 * written or gnuplot stopped reading (EPIPE, not SIGPIPE: see draw). */
static void feed(pool_run *r, slot *s)
{
    const plot_gnuplot_pool *p = r->p;
    size_t head = p->cut[0], a = p->cut[s->piece], b = p->cut[s->piece + 1];
    size_t total = head + (b - a);
    while (s->pos < total) {
        const char *src = s->pos < head ? p->script + s->pos : p->script + a + (s->pos - head);
        size_t len = s->pos < head ? head - s->pos : total - s->pos;
        ssize_t w = write(s->in, src, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN)
            return;
        if (w <= 0)
            break;
        s->pos += (size_t)w;
    }
    r->out[s->piece].wrote_all = s->pos == total;
    close(s->in);
    s->in = -1;
}

/* Reap the slot's gnuplot if it has ended (wait: block until it does). */
static int reap(pool_run *r, slot *s, int wait)
{
    int status = 0;
    pid_t w;
    do
        w = waitpid(s->pid, &status, wait ? 0 : WNOHANG);
    while (w < 0 && errno == EINTR);
    if (w == 0)
        return 0;
    outcome *o = &r->out[s->piece];
    o->status = w == s->pid ? status : 0;
    o->log = read_log(s->log);
    fclose(s->log);
    s->log = NULL;
    s->pid = 0;
    r->done++;
    return 1;
}

/* One turn: start pieces in free slots, move bytes, reap. 0 when nothing
 * is left to do. */
static int turn(pool_run *r, int *next)
{
    const plot_gnuplot_pool *p = r->p;
    int active = 0, nf = 0, reaped = 0;
    struct pollfd pf[64];
    for (int k = 0; k < r->ns; k++) {
        slot *s = &r->s[k];
        if (s->pid == 0 && *next < p->n && r->fatal == AS_OK) {
            int rc = start(r, s, *next);
            if (rc != AS_OK)
                r->fatal = rc;
            else
                (*next)++;
        }
        if (s->pid != 0) {
            active++;
            if (s->in >= 0)
                pf[nf++] = (struct pollfd){.fd = s->in, .events = POLLOUT};
        }
    }
    if (active == 0)
        return 0;
    /* no pipe to fill: wait for the children a little at a time (a blocking
     * waitpid on one would leave the others' slots idle) */
    int pr = poll(pf, (nfds_t)nf, nf > 0 ? TICK_MS : 10);
    for (int k = 0; k < r->ns; k++) {
        slot *s = &r->s[k];
        if (s->pid == 0)
            continue;
        if (s->in >= 0)
            for (int j = 0; j < nf; j++)
                if (pf[j].fd == s->in && pf[j].revents != 0)
                    feed(r, s);
        if (s->in < 0)
            reaped += reap(r, s, 0);
    }
    if (p->tick && (reaped || pr == 0))
        p->tick(p->tick_ud, r->done, p->n);
    return 1;
}

/* Every outcome's log in piece order into gnuplot.log; *warnings = its
 * lines of gnuplot's output. */
static void keep_logs(const plot_gnuplot_pool *p, const outcome *out, int *warnings)
{
    char *all = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&all, &len);
    if (m == NULL)
        return;
    for (int k = 0; k < p->n; k++) {
        if (out[k].log == NULL)
            continue;
        if (p->n > 1)
            fprintf(m, "# figure %s:\n", p->name && p->name[k] ? p->name[k] : "?");
        fputs(out[k].log, m);
        if (out[k].log[0] && out[k].log[strlen(out[k].log) - 1] != '\n')
            fputc('\n', m);
        for (const char *c = out[k].log; warnings != NULL && *c; c++)
            *warnings += *c == '\n';
    }
    fclose(m);
    if (len > 0)
        keep_log(p->dirfd, all);
    free(all);
}

/* The error of the first piece that failed, or AS_OK. */
static int verdict(const plot_gnuplot_pool *p, const outcome *out, as_err *err)
{
    int first = -1, more = 0;
    for (int k = 0; k < p->n; k++) {
        int st = out[k].status;
        int bad = WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0) || !out[k].wrote_all;
        if (bad && first < 0)
            first = k;
        else if (bad)
            more++;
    }
    if (first < 0)
        return AS_OK;
    const outcome *o = &out[first];
    char what[200] = "", others[64] = "", line[256];
    if (p->name && p->name[first])
        snprintf(what, sizeof what, " on figure %s", p->name[first]);
    if (more > 0)
        snprintf(others, sizeof others, " (and on %d other figure%s)", more, more == 1 ? "" : "s");
    first_error(o->log ? o->log : "", line, sizeof line);
    if (WIFSIGNALED(o->status))
        return as_err_set(err, AS_EIO, "gnuplot was killed by signal %d%s%s (%s); see %s/gnuplot.log",
                          WTERMSIG(o->status), what, others, line, p->shown);
    if (WIFEXITED(o->status) && WEXITSTATUS(o->status) != 0)
        return as_err_set(err, AS_EIO,
                          "gnuplot failed%s (exit %d)%s: %s; all output in %s/gnuplot.log, rerun "
                          "with: cd %s && gnuplot %s",
                          what, WEXITSTATUS(o->status), others, line, p->shown, p->shown, p->rerun);
    return as_err_set(err, AS_EIO, "gnuplot stopped reading its script%s%s: %s", what, others,
                      line);
}

int plot_gnuplot_procs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

int plot_gnuplot_draw(const plot_gnuplot_pool *p, int *warnings, as_err *err)
{
    if (warnings != NULL)
        *warnings = 0;
    if (p->n <= 0)
        return AS_OK;
    pool_run r = {.p = p, .fatal = AS_OK};
    r.ns = p->procs < 1 ? 1 : p->procs > 64 ? 64 : p->procs;
    if (r.ns > p->n)
        r.ns = p->n;
    r.s = calloc((size_t)r.ns, sizeof *r.s);
    r.out = calloc((size_t)p->n, sizeof *r.out);
    if (r.s == NULL || r.out == NULL) {
        free(r.s);
        free(r.out);
        return as_err_set(err, AS_ENOMEM, "out of memory");
    }
    /* a gnuplot that dies early must give EPIPE, not kill us with
     * SIGPIPE: the old action is restored once all are done */
    struct sigaction ign = {0}, old;
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old);
    int next = 0;
    while (turn(&r, &next))
        ;
    sigaction(SIGPIPE, &old, NULL);
    int rc = r.fatal;
    if (rc != AS_OK) {
        if (err != NULL)
            *err = r.ferr;
    } else {
        keep_logs(p, r.out, warnings);
        rc = verdict(p, r.out, err);
    }
    for (int k = 0; k < p->n; k++)
        free(r.out[k].log);
    free(r.out);
    free(r.s);
    return rc;
}

/* The single job's tick, without the counts. */
static void job_tick(void *ud, int done, int n)
{
    (void)done;
    (void)n;
    const plot_gnuplot_job *job = ud;
    job->tick(job->tick_ud);
}

int plot_gnuplot_run(const plot_gnuplot_job *job, int *warnings, as_err *err)
{
    size_t cut[2] = {0, job->len};
    plot_gnuplot_pool p = {job->dirfd, job->shown, job->rerun, job->prog, job->script, cut,
                           NULL, 1, 1, job->tick ? job_tick : NULL, (void *)job};
    return plot_gnuplot_draw(&p, warnings, err);
}
