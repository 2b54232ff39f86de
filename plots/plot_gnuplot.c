/* plot_gnuplot.c - one gnuplot child: fork, feed the script through a
 * pipe, wait, read what it said. Its stdout and stderr go to an anonymous
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

/* Start gnuplot; *in is the write end of its stdin. */
static int spawn(const plot_gnuplot_job *job, const char *prog, int logfd, pid_t *pid, int *in,
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

#define TICK_MS 200

/* Write the script to fd; 0 when gnuplot stopped reading. gnuplot reads
 * its script as it draws, so most of its time is spent here, waiting for
 * room in the pipe: the pipe is non-blocking and polled, so that the job's
 * tick runs meanwhile. A gnuplot that dies early must give EPIPE, not kill
 * us with SIGPIPE: the old action is restored right after. */
static int feed(int fd, const plot_gnuplot_job *job)
{
    struct sigaction ign = {0}, old;
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    const char *p = job->script;
    size_t left = job->len;
    int all = 1;
    while (left > 0) {
        struct pollfd pf = {.fd = fd, .events = POLLOUT};
        int r = poll(&pf, 1, TICK_MS);
        if (r == 0 || (r < 0 && errno == EINTR)) {
            if (job->tick)
                job->tick(job->tick_ud);
            continue;
        }
        ssize_t w = r > 0 ? write(fd, p, left) : -1;
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0) {
            all = 0;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    close(fd);
    sigaction(SIGPIPE, &old, NULL);
    return all;
}

/* Wait for the child, ticking meanwhile. */
static void wait_child(pid_t pid, const plot_gnuplot_job *job, int *status)
{
    for (;;) {
        pid_t w = waitpid(pid, status, job->tick ? WNOHANG : 0);
        if (w == pid || (w < 0 && errno != EINTR))
            return;
        if (w == 0) {
            job->tick(job->tick_ud);
            poll(NULL, 0, 50);
        }
    }
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

int plot_gnuplot_run(const plot_gnuplot_job *job, int *warnings, as_err *err)
{
    const char *prog = job->prog ? job->prog : "gnuplot";
    if (warnings != NULL)
        *warnings = 0;
    FILE *log = tmpfile();
    if (log == NULL)
        return as_err_set(err, AS_EIO, "cannot create a temporary file: %s", strerror(errno));
    pid_t pid = 0;
    int in = -1;
    int rc = spawn(job, prog, fileno(log), &pid, &in, err);
    if (rc != AS_OK) {
        fclose(log);
        return rc;
    }
    int wrote_all = feed(in, job);
    int status = 0;
    wait_child(pid, job, &status);
    char *text = read_log(log);
    fclose(log);
    if (text != NULL) {
        for (const char *c = text; warnings != NULL && *c; c++)
            *warnings += *c == '\n';
        keep_log(job->dirfd, text);
    }
    char first[256];
    first_error(text ? text : "", first, sizeof first);
    free(text);
    if (WIFSIGNALED(status))
        return as_err_set(err, AS_EIO, "gnuplot was killed by signal %d (%s); see %s/gnuplot.log",
                          WTERMSIG(status), first, job->shown);
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return as_err_set(err, AS_EIO,
                          "gnuplot failed (exit %d): %s; all output in %s/gnuplot.log, rerun "
                          "with: cd %s && gnuplot %s",
                          WEXITSTATUS(status), first, job->shown, job->shown, job->rerun);
    if (!wrote_all)
        return as_err_set(err, AS_EIO, "gnuplot stopped reading its script: %s", first);
    return AS_OK;
}
