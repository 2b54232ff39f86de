/* plot_gnuplot.c - a pool of gnuplot children: fork, feed each figure
 * after figure through a pipe, read what it says, wait for it; up to
 * `procs` of them at once, driven by one poll loop (no thread: the
 * children do the work, we only move bytes). Each child's stdout and
 * stderr come back through a second pipe that the same loop drains while
 * it writes: gnuplot may write more than a pipe holds while we are still
 * writing its script, and a pipe read only after the writing would
 * deadlock. A third pipe (O_CLOEXEC) tells a failed chdir or exec apart
 * from a running gnuplot: it reads 0 bytes once exec succeeded.
 * A program that reads its script to EOF before it draws (a wrapper that
 * saves stdin to a file, say) would wait for ever on a pipe kept open for
 * the next figure. So a child that has its whole piece, has said nothing
 * and used no CPU for the pool's stall time (stall_ms, 5 s by default) gets
 * its stdin closed: a line reader (gnuplot) just ends after the piece, a
 * reader to EOF now draws it. From then on every piece goes to a process
 * of its own, its stdin closed after it. A child that then still does
 * nothing for 24 times the stall time (2 minutes) is killed and its piece
 * failed, named in the error: no program given as gnuplot hangs a report.
 * CPU time is read from /proc/PID/stat; without it, silence alone counts
 * (closing stdin is harmless either way: the figure is still drawn). */
#include "plot_gnuplot.h"

#include "as_name.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
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
    setpgid(0, 0); /* its own group: a stuck one is killed with what it started */
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

/* What each piece ends with: gnuplot prints it to stderr once it has drawn
 * the piece (print writes to stderr, unbuffered, after all that the piece
 * made gnuplot say), so the slot knows it is free and which output was
 * that piece's. Not in report.gp; it passes the lint (plot_script.h). */
static const char marker_cmd[] = "\nprint '@@simrun: figure done@@'\n";
static const char marker[] = "@@simrun: figure done@@\n";

/* Milliseconds of the monotonic clock. */
static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CPU clock ticks the process has used (user + system); -1: unknown. */
static long long cpu_ticks(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    /* after the command's name (which may hold spaces and parentheses):
     * state, then fields 4..13, then utime and stime (fields 14 and 15) */
    const char *p = strrchr(buf, ')');
    long long ut = 0, st = 0;
    if (p == NULL || sscanf(p + 2, "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %lld %lld", &ut,
                            &st) != 2)
        return -1;
    return ut + st;
}

typedef struct slot {
    pid_t pid;              /* 0: no gnuplot */
    int in;                 /* write end of its stdin; -1 once closed */
    int out;                /* read end of its stdout and stderr; -1 at EOF */
    int piece;              /* drawing this piece; -1: free */
    int fresh;              /* nothing sent yet: the head goes first */
    size_t pos;             /* bytes of the piece's text written */
    char *buf;              /* output since the last marker */
    size_t len, cap;
    long long quiet;        /* when it last did something we saw (now_ms) */
    long long cpu;          /* its CPU ticks then */
} slot;

typedef struct outcome {
    int status;             /* gnuplot's, when it ended while drawing the piece */
    int failed;             /* 1: it did (no marker came) */
    int killed;             /* 1: killed after sitting idle with its stdin closed */
    char *log;              /* what gnuplot said while drawing it (NULL: nothing) */
} outcome;

typedef struct pool_run {
    const plot_gnuplot_pool *p;
    slot *s;
    int ns;
    outcome *out;           /* per piece */
    int next, done;
    int fatal;              /* first error starting a gnuplot (then none is started) */
    as_err ferr;
    int one_each;           /* a piece per process, its stdin closed after it */
    long long stall;        /* ms of idleness before stdin is closed */
} pool_run;

/* A new gnuplot for the slot. */
static int start(pool_run *r, slot *s)
{
    const plot_gnuplot_pool *p = r->p;
    int po[2];
    if (s->buf == NULL && (s->buf = malloc(s->cap = 8192)) == NULL)
        return as_err_set(&r->ferr, AS_ENOMEM, "out of memory");
    if (pipe2(po, O_CLOEXEC) != 0)
        return as_err_set(&r->ferr, AS_EIO, "pipe: %s", strerror(errno));
    int rc = spawn(p, p->prog ? p->prog : "gnuplot", po[1], &s->pid, &s->in, &r->ferr);
    close(po[1]);
    if (rc != AS_OK) {
        close(po[0]);
        s->pid = 0;
        return rc;
    }
    fcntl(s->in, F_SETFL, fcntl(s->in, F_GETFL) | O_NONBLOCK);
    fcntl(po[0], F_SETFL, fcntl(po[0], F_GETFL) | O_NONBLOCK);
    s->out = po[0];
    s->fresh = 1;
    s->len = 0;
    s->quiet = now_ms();
    s->cpu = -1;
    return AS_OK;
}

/* The three parts of what the slot sends for its piece: the head (to a
 * fresh gnuplot only), the piece, the marker command. */
static void parts(const pool_run *r, const slot *s, const char *txt[3], size_t len[3])
{
    const plot_gnuplot_pool *p = r->p;
    txt[0] = p->script;
    len[0] = s->fresh ? p->cut[0] : 0;
    txt[1] = p->script + p->cut[s->piece];
    len[1] = p->cut[s->piece + 1] - p->cut[s->piece];
    txt[2] = marker_cmd;
    len[2] = sizeof marker_cmd - 1;
}

/* Write what the pipe takes; EPIPE (not SIGPIPE: see draw) when gnuplot
 * ended: the end of its output tells what happened. */
static void feed(pool_run *r, slot *s)
{
    const char *txt[3];
    size_t len[3];
    parts(r, s, txt, len);
    size_t total = len[0] + len[1] + len[2];
    while (s->pos < total) {
        size_t at = s->pos, k = 0;
        while (at >= len[k]) {
            at -= len[k];
            k++;
        }
        ssize_t w = write(s->in, txt[k] + at, len[k] - at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (errno != EAGAIN) {
                close(s->in);
                s->in = -1;
            }
            return;
        }
        s->pos += (size_t)w;
        s->quiet = now_ms();
    }
    if (r->one_each) { /* all sent: its end of input ends the piece */
        close(s->in);
        s->in = -1;
    }
}

/* The piece is done: its output so far is its log. */
static void piece_done(pool_run *r, slot *s, size_t loglen, int failed, int status)
{
    outcome *o = &r->out[s->piece];
    o->failed = failed;
    o->status = status;
    if (loglen > 0 && (o->log = malloc(loglen + 1)) != NULL) {
        memcpy(o->log, s->buf, loglen);
        o->log[loglen] = '\0';
    }
    s->piece = -1;
    s->fresh = 0;
    r->done++;
}

/* Read gnuplot's output; a marker ends the piece; EOF: gnuplot ended
 * (an error, or stdin closed at the end), reap it. */
static void drain(pool_run *r, slot *s)
{
    for (;;) {
        if (s->cap - s->len < 4096) {
            size_t cap = s->cap ? 2 * s->cap : 8192;
            char *b = realloc(s->buf, cap);
            if (b == NULL) { /* the rest of its output is lost; the piece is not */
                s->len = 0;
                continue;
            }
            s->buf = b;
            s->cap = cap;
        }
        ssize_t got = read(s->out, s->buf + s->len, s->cap - s->len - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && errno == EAGAIN)
            break;
        if (got <= 0) {
            close(s->out);
            s->out = -1;
            break;
        }
        s->len += (size_t)got;
        s->quiet = now_ms();
    }
    s->buf[s->len] = '\0';
    char *m = s->piece >= 0 ? strstr(s->buf, marker) : NULL;
    if (m != NULL) {
        size_t used = (size_t)(m - s->buf) + sizeof marker - 1;
        piece_done(r, s, (size_t)(m - s->buf), 0, 0);
        memmove(s->buf, s->buf + used, s->len - used + 1);
        s->len -= used;
    }
    if (s->out >= 0)
        return;
    int status = 0;
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (s->in >= 0)
        close(s->in);
    s->in = -1;
    s->pid = 0;
    if (s->piece >= 0) /* it ended before the marker: this piece failed */
        piece_done(r, s, s->len, 1, status);
    s->len = 0;
}

/* A child drawing a piece: CPU it used counts as activity, like bytes
 * moved. Idle with its whole piece sent: its stdin is closed (see the
 * file's head). Idle for KILL_TIMES the stall time: killed. */
#define KILL_TIMES 24
static void watch(pool_run *r, slot *s, long long now)
{
    long long c = cpu_ticks(s->pid);
    if (c >= 0 && c != s->cpu) {
        s->cpu = c;
        s->quiet = now;
        return;
    }
    long long idle = now - s->quiet;
    const char *txt[3];
    size_t len[3];
    parts(r, s, txt, len);
    if (s->in >= 0 && s->pos == len[0] + len[1] + len[2] && idle >= r->stall) {
        close(s->in);
        s->in = -1;
        s->quiet = now;
        r->one_each = 1;
    } else if (idle >= KILL_TIMES * r->stall && !r->out[s->piece].killed) {
        kill(-s->pid, SIGKILL); /* its group; drain() reaps it and fails its piece */
        r->out[s->piece].killed = 1;
    }
}

/* One turn: give free slots a piece (a new gnuplot where none runs), close
 * the stdin of those with none left, move bytes. 0 when all is done. */
static int turn(pool_run *r)
{
    const plot_gnuplot_pool *p = r->p;
    int nf = 0, before = r->done;
    struct pollfd pf[2 * 64];
    slot *of[2 * 64];
    for (int k = 0; k < r->ns; k++) {
        slot *s = &r->s[k];
        if (s->piece < 0 && s->in >= 0 && (r->next >= p->n || r->fatal != AS_OK || r->one_each)) {
            close(s->in); /* nothing more for it: gnuplot ends at EOF */
            s->in = -1;
        }
        /* a free slot takes a piece: a new gnuplot where none runs (one
         * whose stdin is closed is left to end first) */
        if (s->piece < 0 && (s->pid == 0 || s->in >= 0) && r->next < p->n &&
            r->fatal == AS_OK) {
            int rc = s->pid ? AS_OK : start(r, s);
            if (rc != AS_OK)
                r->fatal = rc;
            else {
                s->piece = r->next++;
                s->pos = 0;
            }
        }
        if (s->pid == 0)
            continue;
        if (s->in >= 0 && s->piece >= 0) {
            const char *txt[3];
            size_t len[3];
            parts(r, s, txt, len);
            if (s->pos < len[0] + len[1] + len[2]) {
                of[nf] = s;
                pf[nf++] = (struct pollfd){.fd = s->in, .events = POLLOUT};
            }
        }
        of[nf] = s;
        pf[nf++] = (struct pollfd){.fd = s->out, .events = POLLIN};
    }
    if (nf == 0)
        return 0;
    int pr = poll(pf, (nfds_t)nf, TICK_MS);
    for (int j = 0; pr > 0 && j < nf; j++) {
        if (pf[j].revents == 0 || of[j]->pid == 0)
            continue;
        if (pf[j].events == POLLOUT && of[j]->in == pf[j].fd)
            feed(r, of[j]);
        else if (pf[j].events == POLLIN && of[j]->out == pf[j].fd)
            drain(r, of[j]);
    }
    long long now = now_ms();
    for (int k = 0; k < r->ns; k++)
        if (r->s[k].pid != 0 && r->s[k].piece >= 0)
            watch(r, &r->s[k], now);
    if (p->tick && (r->done != before || pr == 0))
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

/* The pool's stall time in ms. */
static long long stall_of(const plot_gnuplot_pool *p)
{
    return p->stall_ms > 0 ? p->stall_ms : 5000;
}

/* The error of the first piece that failed, or AS_OK. */
static int verdict(const plot_gnuplot_pool *p, const outcome *out, as_err *err)
{
    int first = -1, more = 0;
    for (int k = 0; k < p->n; k++) {
        int bad = out[k].failed;
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
    char cd[4200]; /* a command to paste: the folder as one shell word */
    as_shell_quote(p->dir ? p->dir : p->shown, cd, sizeof cd);
    if (o->killed)
        return as_err_set(err, AS_EIO,
                          "'%s' did nothing for %lld s%s, neither drawing nor ending, and was "
                          "killed%s; the data and %s are in %s",
                          p->prog ? p->prog : "gnuplot", (KILL_TIMES * stall_of(p) + 999) / 1000,
                          what, others, p->rerun, p->shown);
    if (WIFSIGNALED(o->status))
        return as_err_set(err, AS_EIO, "gnuplot was killed by signal %d%s%s (%s); see %s/gnuplot.log",
                          WTERMSIG(o->status), what, others, line, p->shown);
    if (WIFEXITED(o->status) && WEXITSTATUS(o->status) != 0)
        return as_err_set(err, AS_EIO,
                          "gnuplot failed%s (exit %d)%s: %s; all output in %s/gnuplot.log, rerun "
                          "with: cd %s && gnuplot %s",
                          what, WEXITSTATUS(o->status), others, line, p->shown, cd, p->rerun);
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
    pool_run r = {.p = p, .fatal = AS_OK, .stall = stall_of(p)};
    r.ns = p->procs < 1 ? 1 : p->procs > 64 ? 64 : p->procs;
    if (r.ns > p->n)
        r.ns = p->n;
    r.s = calloc((size_t)r.ns, sizeof *r.s);
    for (int k = 0; r.s != NULL && k < r.ns; k++)
        r.s[k] = (slot){.in = -1, .out = -1, .piece = -1};
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
    while (turn(&r))
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
    for (int k = 0; k < r.ns; k++)
        free(r.s[k].buf);
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
                           NULL, 1, 1, job->tick ? job_tick : NULL, (void *)job, job->dir, 0};
    return plot_gnuplot_draw(&p, warnings, err);
}
