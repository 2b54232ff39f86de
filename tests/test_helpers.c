/* test_helpers.c - see test_helpers.h. Three parts: output capture (hooks
 * of the Criterion runner and a constructor in each test process), files
 * and processes, and the failing allocator (link-time --wrap). */
#include "test_alloc.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- output capture ----
 * Criterion runs every test in a child process of the runner, started by
 * exec of this binary (so constructors run again in it), and reports
 * assertions through its own socket, not through the child's stderr. The
 * runner makes a log folder before the first test and names it in the
 * environment; each test process sends its stdout and stderr (and its
 * children's) to wPID.log there. The first failed assertion renames the log
 * SUITE.TEST.PID.log (the only moment the process knows its test's name:
 * criterion_current_test points into a stack frame that is gone at exit);
 * a normal exit renames a log still called wPID.log to pPID.log. After the
 * last test the runner prints the logs of failed tests, the wPID.log of
 * processes that never exited normally (crashes, timeouts), and the pPID.log
 * that a sanitizer wrote into after the test (leak reports), then removes
 * the folder. The alternative, cr_redirect_stdout() in each suite, needs
 * every test file to opt in and loses the output of a crash. */

#define TH_ENV_DIR "TH_CAPTURE_DIR"
#define TH_ENV_RUNNER "TH_CAPTURE_RUNNER"
#define TH_LOG_MAX 16384 /* bytes of a log printed after a failure (its end) */

static char capture_log[512]; /* this process's log while it is wPID.log */

/* Rename wPID.log to name (under the log folder); stop renaming after. */
static void capture_rename(const char *name)
{
    const char *dir = getenv(TH_ENV_DIR);
    if (capture_log[0] == '\0' || dir == NULL)
        return;
    char to[768];
    snprintf(to, sizeof to, "%s/%s", dir, name);
    fflush(stdout);
    rename(capture_log, to);
    capture_log[0] = '\0';
}

void __real_criterion_send_assert(struct criterion_assert_stats *stats);
void __wrap_criterion_send_assert(struct criterion_assert_stats *stats);

/* Linked with -Wl,--wrap=criterion_send_assert: every cr_assert of the
 * suite calls it on failure (and, with --full-stats, on success). */
void __wrap_criterion_send_assert(struct criterion_assert_stats *stats)
{
    if (!stats->passed && criterion_current_test != NULL) {
        char name[600];
        snprintf(name, sizeof name, "%s.%s.%d.log", criterion_current_test->category,
                 criterion_current_test->name, (int)getpid());
        capture_rename(name);
    }
    __real_criterion_send_assert(stats);
}

/* A test that expects its process to die (.signal = SIGABRT) drops its
 * log and its stderr first: the crash is the passing case, and a passing
 * test prints nothing. Output up to here is lost with the log, which is
 * why it is called right before the statement that must crash. */
void th_expect_crash(void)
{
    fflush(stdout);
    fflush(stderr);
    int fd = open("/dev/null", O_WRONLY);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    if (capture_log[0] != '\0')
        unlink(capture_log);
    capture_log[0] = '\0';
}

static void tmpdir_remove(void);

static void at_exit(void)
{
    tmpdir_remove();
    char name[64];
    snprintf(name, sizeof name, "p%d.log", (int)getpid());
    capture_rename(name);
}

__attribute__((constructor)) static void capture_start(void)
{
    const char *dir = getenv(TH_ENV_DIR), *runner = getenv(TH_ENV_RUNNER);
    atexit(at_exit);
    /* only in a test process: a child of the runner that named the folder */
    if (dir == NULL || runner == NULL || atoi(runner) != (int)getppid())
        return;
    snprintf(capture_log, sizeof capture_log, "%s/w%d.log", dir, (int)getpid());
    FILE *f = fopen(capture_log, "w");
    if (f == NULL) {
        capture_log[0] = '\0';
        return;
    }
    fflush(stdout);
    fflush(stderr);
    dup2(fileno(f), 1);
    dup2(fileno(f), 2);
    fclose(f);
    /* line-buffered: a crash loses at most the line being written */
    setvbuf(stdout, NULL, _IOLBF, 0);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    const char *no = getenv("TH_NO_CAPTURE");
    if (no && *no && strcmp(no, "0") != 0)
        return;
    char tmpl[] = "/tmp/simtest_logs_XXXXXX";
    if (mkdtemp(tmpl) == NULL)
        return; /* no capture: tests print to the terminal as before */
    char pid[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    setenv(TH_ENV_DIR, tmpl, 1);
    setenv(TH_ENV_RUNNER, pid, 1);
}

/* Print the end of one log to stderr, framed with the test's name. */
static void print_log(const char *path, const char *title)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    if (n <= 0) {
        fclose(f);
        return;
    }
    fprintf(stderr, "---- output of %s%s ----\n", title, n > TH_LOG_MAX ? " (its end)" : "");
    fseek(f, n > TH_LOG_MAX ? n - TH_LOG_MAX : 0, SEEK_SET);
    char buf[4096];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, k, stderr);
    fprintf(stderr, "---- end of %s ----\n", title);
    fclose(f);
}

static int rm_entry(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(p);
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* 1 when the file holds a sanitizer's report */
static int has_report(const char *path)
{
    char *s = th_slurp(path, NULL);
    int yes = s != NULL && strstr(s, "Sanitizer") != NULL;
    free(s);
    return yes;
}

/* 1 when f is "<c>PID.log" */
static int is_pid_log(const char *f, char c)
{
    size_t n = strspn(f + 1, "0123456789");
    return f[0] == c && n > 0 && strcmp(f + 1 + n, ".log") == 0;
}

/* A sanitizer's report written when a test process exits (LeakSanitizer)
 * comes after Criterion has counted the test as passed, and Criterion
 * ignores that process's exit status: the runner fails the run itself, by
 * ending with status 1 once Criterion is done. */
static int sanitizer_reported;

static void fail_run(void)
{
    if (sanitizer_reported) {
        fflush(NULL);
        _exit(1);
    }
}

/* Print the logs that explain a failure (see the comment at the top): the
 * SUITE.TEST.PID.log of failed assertions, wPID.log of processes that did
 * not exit normally, pPID.log with a sanitizer's report. */
ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    const char *dir = getenv(TH_ENV_DIR);
    if (dir == NULL)
        return;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        const char *f = e->d_name;
        char path[1024], title[600];
        snprintf(path, sizeof path, "%s/%s", dir, f);
        if (f[0] == '.' || (is_pid_log(f, 'p') && !has_report(path)))
            continue;
        if (is_pid_log(f, 'p') && !sanitizer_reported) {
            sanitizer_reported = 1;
            atexit(fail_run);
        }
        if (is_pid_log(f, 'w') || is_pid_log(f, 'p'))
            snprintf(title, sizeof title, "a test process that %s (%s)",
                     f[0] == 'w' ? "crashed or timed out" : "a sanitizer reported on", f);
        else
            snprintf(title, sizeof title, "%.*s", (int)(strrchr(f, '.') - f), f);
        print_log(path, title);
    }
    if (d)
        closedir(d);
    rm_tree(dir);
    if (sanitizer_reported)
        fprintf(stderr, "a sanitizer reported on a test process (above): the run fails\n");
}

/* ---- files ---- */

static char tmpdir[256];

/* TH_KEEP=1 in the environment keeps it for a look (its path on stderr). */
static void tmpdir_remove(void)
{
    if (tmpdir[0] != '\0' && getenv("TH_KEEP") != NULL)
        fprintf(stderr, "kept %s\n", tmpdir);
    else if (tmpdir[0] != '\0')
        rm_tree(tmpdir);
    tmpdir[0] = '\0';
}

const char *th_tmpdir(void)
{
    if (tmpdir[0] == '\0') {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/simtest_XXXXXX");
        cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
    }
    return tmpdir;
}

const char *th_path(const char *name)
{
    static char ring[64][512];
    static int next;
    char *p = ring[next++ % 64];
    snprintf(p, 512, "%s/%s", th_tmpdir(), name);
    return p;
}

void th_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s: %s", path, strerror(errno));
    fputs(text, f);
    cr_assert_eq(fclose(f), 0, "cannot write %s", path);
}

const char *th_write_tmp(const char *name, const char *text)
{
    const char *p = th_path(name);
    th_write(p, text);
    return p;
}

char *th_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);
    for (size_t k; s != NULL && (k = fread(s + len, 1, cap - len - 1, f)) > 0;) {
        len += k;
        if (cap - len - 1 == 0) {
            char *t = realloc(s, cap *= 2);
            if (t == NULL)
                free(s);
            s = t;
        }
    }
    fclose(f);
    if (s != NULL)
        s[len] = '\0';
    if (n)
        *n = len;
    return s;
}

int th_files_equal(const char *a, const char *b)
{
    size_t na, nb;
    char *x = th_slurp(a, &na), *y = th_slurp(b, &nb);
    int eq = x != NULL && y != NULL && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return eq;
}

sim_scenario *th_scenario(const char *ini, const char *const *sets, int nsets, as_err *err)
{
    return sim_scenario_load(th_write_tmp("scenario.ini", ini), sets, nsets, err);
}

/* ---- processes ---- */

const char *th_simrun_path(void)
{
    const char *s = getenv("SIMRUN");
    return s && *s ? s : "bin/simrun";
}

const char *th_simrun_abspath(void)
{
    static char abs[PATH_MAX];
    const char *s = th_simrun_path();
    if (realpath(s, abs) == NULL)
        snprintf(abs, sizeof abs, "%s", s);
    return abs;
}

int th_sh_out(const char *cmd, char *out, size_t n)
{
    size_t len = strlen(cmd) + sizeof " 2>&1";
    char *full = malloc(len);
    cr_assert_not_null(full);
    snprintf(full, len, "%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    free(full);
    cr_assert_not_null(p, "popen: %s", strerror(errno));
    size_t k = fread(out, 1, n - 1, p);
    out[k] = '\0';
    char rest[4096];
    while (fread(rest, 1, sizeof rest, p) > 0)
        ;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int status_of(int st)
{
    if (st == -1)
        return -1;
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}

/* Run cmd (a shell command line) with stdout and stderr to files of the
 * temporary folder, then read them back. */
static int sh_capture(th_out *o, const char *cmd)
{
    static int seq;
    char out[600], err[600];
    snprintf(out, sizeof out, "%s/stdout", th_tmpdir());
    snprintf(err, sizeof err, "%s/stderr", th_tmpdir());
    size_t len = strlen(cmd) + 2 * 600 + 64;
    char *full = malloc(len);
    cr_assert_not_null(full);
    snprintf(full, len, "( %s ) >%s.%d 2>%s.%d </dev/null", cmd, out, seq, err, seq);
    fflush(NULL);
    o->status = status_of(system(full));
    free(full);
    char po[640], pe[640];
    snprintf(po, sizeof po, "%s.%d", out, seq);
    snprintf(pe, sizeof pe, "%s.%d", err, seq);
    seq++;
    o->out = th_slurp(po, NULL);
    o->err = th_slurp(pe, NULL);
    cr_assert(o->out && o->err, "cannot read the output of: %s", cmd);
    remove(po);
    remove(pe);
    return o->status;
}

static int vsh(th_out *o, const char *prefix, const char *fmt, va_list ap)
{
    char args[8192], cmd[8704];
    int n = vsnprintf(args, sizeof args, fmt, ap);
    cr_assert(n >= 0 && (size_t)n < sizeof args, "command too long");
    snprintf(cmd, sizeof cmd, "%s%s", prefix, args);
    return sh_capture(o, cmd);
}

int th_simrun(th_out *o, const char *fmt, ...)
{
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s ", th_simrun_path());
    va_list ap;
    va_start(ap, fmt);
    int st = vsh(o, prefix, fmt, ap);
    va_end(ap);
    return st;
}

int th_sh(th_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int st = vsh(o, "", fmt, ap);
    va_end(ap);
    return st;
}

int th_cmd(th_out *o, int (*cmd)(int, char **), int argc, char **argv)
{
    char po[600], pe[600];
    snprintf(po, sizeof po, "%s/cmd.stdout", th_tmpdir());
    snprintf(pe, sizeof pe, "%s/cmd.stderr", th_tmpdir());
    fflush(NULL);
    int save1 = dup(1), save2 = dup(2);
    FILE *fo = fopen(po, "w"), *fe = fopen(pe, "w");
    cr_assert(save1 >= 0 && save2 >= 0 && fo && fe, "cannot capture output");
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    fclose(fo);
    fclose(fe);
    o->status = cmd(argc, argv);
    fflush(NULL);
    dup2(save1, 1);
    dup2(save2, 2);
    close(save1);
    close(save2);
    o->out = th_slurp(po, NULL);
    o->err = th_slurp(pe, NULL);
    cr_assert(o->out && o->err, "cannot read the captured output");
    return o->status;
}

void th_out_free(th_out *o)
{
    free(o->out);
    free(o->err);
    o->out = o->err = NULL;
}

/* ---- failing allocator ----
 * The wrappers count calls only while armed, and track live blocks in an
 * open-addressing set (linear probing, tombstones), so that a leak on an
 * error path is found in the plain test build too, not only under ASan.
 * The set is guarded by a mutex: runs may allocate from several threads.
 * A block allocated before arming and freed after is not in the set and
 * is ignored; a realloc of such a block is not tracked either. */

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
void __wrap_free(void *p);

#define SET_BITS 17
#define SET_SIZE (1u << SET_BITS)
#define TOMB ((void *)1)

static atomic_int armed, fail_once;
static atomic_long calls, fail_at;
static atomic_long every_call; /* test_alloc_count(): always counted */
static pthread_mutex_t set_lock = PTHREAD_MUTEX_INITIALIZER;
static void *set[SET_SIZE];
static long live, used; /* under set_lock */
static int overflow;

static size_t slot_of(const void *p)
{
    return (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull) >> (64 - SET_BITS);
}

static void track_add(void *p)
{
    if (p == NULL || !atomic_load(&armed))
        return;
    pthread_mutex_lock(&set_lock);
    if (used + 1 >= (long)(SET_SIZE * 3 / 4)) {
        overflow = 1;
    } else {
        size_t i = slot_of(p);
        while (set[i] != NULL && set[i] != TOMB)
            i = (i + 1) & (SET_SIZE - 1);
        if (set[i] == NULL)
            used++;
        set[i] = p;
        live++;
    }
    pthread_mutex_unlock(&set_lock);
}

/* 1 when p was tracked (and is no more) */
static int track_del(void *p)
{
    if (p == NULL || !atomic_load(&armed))
        return 0;
    int found = 0;
    pthread_mutex_lock(&set_lock);
    for (size_t i = slot_of(p); set[i] != NULL; i = (i + 1) & (SET_SIZE - 1))
        if (set[i] == p) {
            set[i] = TOMB;
            live--;
            found = 1;
            break;
        }
    pthread_mutex_unlock(&set_lock);
    return found;
}

long test_alloc_count(void)
{
    return atomic_load_explicit(&every_call, memory_order_relaxed);
}

static int fail_now(void)
{
    atomic_fetch_add_explicit(&every_call, 1, memory_order_relaxed);
    if (!atomic_load(&armed))
        return 0;
    long c = atomic_fetch_add(&calls, 1) + 1, at = atomic_load(&fail_at);
    return at > 0 && (atomic_load(&fail_once) ? c == at : c >= at);
}

/* NULL with errno ENOMEM, as libc's allocators fail: callers that report
 * strerror(errno) must say "out of memory", not a stale error */
static void *fail_null(void)
{
    errno = ENOMEM;
    return NULL;
}

void *__wrap_malloc(size_t n)
{
    if (fail_now())
        return fail_null();
    void *p = __real_malloc(n);
    track_add(p);
    return p;
}

void *__wrap_calloc(size_t k, size_t n)
{
    if (fail_now())
        return fail_null();
    void *p = __real_calloc(k, n);
    track_add(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    if (p != NULL && n == 0) { /* frees p: not an allocation */
        track_del(p);
        return __real_realloc(p, n);
    }
    if (fail_now())
        return fail_null(); /* p stays valid and tracked, as realloc leaves it */
    int was = p == NULL;
    /* untrack first: once realloc has moved the block, another thread may
     * be given p's address */
    if (p != NULL)
        was = track_del(p);
    void *q = __real_realloc(p, n);
    if (q == NULL && p != NULL && was)
        track_add(p);
    else if (q != NULL && was)
        track_add(q);
    return q;
}

char *__wrap_strdup(const char *s)
{
    if (fail_now())
        return fail_null();
    size_t n = strlen(s) + 1;
    char *p = __real_malloc(n);
    if (p != NULL) {
        memcpy(p, s, n);
        track_add(p);
    }
    return p;
}

void __wrap_free(void *p)
{
    track_del(p);
    __real_free(p);
}

static void arm(long n, int once)
{
    pthread_mutex_lock(&set_lock);
    memset(set, 0, sizeof set);
    live = used = 0;
    overflow = 0;
    pthread_mutex_unlock(&set_lock);
    atomic_store(&calls, 0);
    atomic_store(&fail_at, n);
    atomic_store(&fail_once, once);
    atomic_store(&armed, 1);
}

void th_alloc_fail_from(long n)
{
    arm(n, 0);
}

void th_alloc_fail_once(long n)
{
    arm(n, 1);
}

void th_alloc_reset(void)
{
    atomic_store(&armed, 0);
    atomic_store(&fail_at, 0);
}

long th_alloc_calls(void)
{
    return atomic_load(&calls);
}

long th_alloc_live(void)
{
    pthread_mutex_lock(&set_lock);
    long n = overflow ? -1 : live;
    pthread_mutex_unlock(&set_lock);
    return n;
}

/* A crash in the middle of a sweep says which allocation it was (ASan
 * prints its own report with the stack, so the handler is not installed
 * under it). */
static const char *sweep_what;
static long sweep_n;

#ifndef __SANITIZE_ADDRESS__
static void sweep_crash(int sig)
{
    char msg[256];
    int k = snprintf(msg, sizeof msg, "enomem sweep: %s crashed (signal %d) with allocation %ld "
                                      "failing\n",
                     sweep_what ? sweep_what : "?", sig, sweep_n);
    if (k > 0)
        (void)!write(2, msg, (size_t)k);
    signal(sig, SIG_DFL);
    raise(sig);
}
#endif

long th_enomem_sweep(const char *what, th_op op, void *ctx, long max, int *other)
{
#ifndef __SANITIZE_ADDRESS__
    signal(SIGSEGV, sweep_crash);
    signal(SIGBUS, sweep_crash);
    signal(SIGABRT, sweep_crash);
#endif
    sweep_what = what;
    as_err err = {0};
    th_alloc_fail_from(0);
    int rc = op(ctx, &err);
    long total = th_alloc_calls(), left = th_alloc_live();
    th_alloc_reset();
    cr_assert_eq(rc, AS_OK, "%s fails without an injected failure: %s", what, err.msg);
    cr_assert_eq(left, 0, "%s leaves %ld block(s) behind on success", what, left);
    cr_assert_gt(total, 0, "%s allocates nothing: the sweep would test nothing", what);
    cr_assert_leq(total, max, "%s makes %ld allocations, more than the %ld expected", what,
                  total, max);
    int n_other = 0, n_absorbed = 0;
    for (int once = 0; once <= 1; once++)
        for (long n = 1; n <= total; n++) {
            sweep_n = n;
            as_err e = {0};
            arm(n, once);
            rc = op(ctx, &e);
            long calls_n = th_alloc_calls();
            left = th_alloc_live();
            th_alloc_reset();
            cr_assert_eq(left, 0, "%s leaks %ld block(s) when allocation %ld of %ld fails%s (%s)",
                         what, left, n, total, once ? " (only that one)" : "", e.msg);
            /* "from it on" is "only that one" when no later allocation
             * was asked for (the failing one was the last) */
            if (rc == AS_OK && (once || calls_n == n) && other != NULL) {
                /* a failure that was absorbed: allowed when the code has a
                 * fallback, logged so that a silent one can be reviewed */
                n_absorbed++;
                fprintf(stderr, "%s: allocation %ld of %ld failing%s is absorbed\n", what, n,
                        total, once ? " (only that one)" : " (and every later one)");
                continue;
            }
            cr_assert_neq(rc, AS_OK, "%s succeeded although allocation %ld of %ld %s (%ld calls)",
                          what, n, total,
                          once ? "failed (only that one)" : "and every later one failed", calls_n);
            cr_assert(e.msg[0] != '\0',
                      "%s: allocation %ld failing gives code %d with no message", what, n, rc);
            cr_assert(rc == AS_ENOMEM || other != NULL,
                      "%s: allocation %ld of %ld failing%s gives code %d, not AS_ENOMEM: %s", what,
                      n, total, once ? " (only that one)" : "", rc, e.msg);
            if (rc != AS_ENOMEM) {
                n_other++;
                fprintf(stderr, "%s: allocation %ld of %ld failing%s gives code %d: %s\n", what,
                        n, total, once ? " (only that one)" : "", rc, e.msg);
            }
        }
    sweep_what = NULL;
    fprintf(stderr,
            "enomem sweep: %s: %ld allocation(s), each made to fail (from it on, and alone): "
            "%d other code(s), %d absorbed\n",
            what, total, n_other, n_absorbed);
    if (other)
        *other = n_other + n_absorbed;
    return total;
}
