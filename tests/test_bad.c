/* test_bad.c - robustness (suite "bad"): every case of the tests/bad/ corpus
 * run through simrun as a process, regressions found by the fuzzers
 * (tests/fuzz/), and whole runs under numerically hostile inputs.
 *
 * A corpus case is tests/bad/NAME.expect, one directive per line ('#'
 * starts a comment):
 *   args: ARG ...            simrun's arguments, split on blanks; @BAD@ is
 *                            tests/bad, @TMP@ a fresh folder of the case,
 *                            @OUT@ the results file @TMP@/out.h5
 *   setup: unreadable SRC DST  copy tests/bad/SRC to @TMP@/DST, chmod 000
 *                            (skipped with a message where that does not
 *                            block reading, e.g. as root)
 *   expect: TEXT             a substring the stderr line must contain
 *   match: REGEX             an extended regex it must match
 *   reject: TEXT             a substring it must not contain
 * Every case must: exit with status 2 (not a signal, within 60 s), print
 * exactly one line on stderr, and leave nothing in @TMP@ (no results file,
 * no .partial, no .runs folder). */
#include "test_helpers.h"
#include "sim_results.h"
#include "sim_run.h"
#include "sim_summary.h"
#include "sim_scenario.h"
#include "tr_trace.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BAD_DIR "tests/bad"

/* ---- running simrun ---------------------------------------------------- */

typedef struct proc_result {
    int signaled, sig, status, timed_out;
    double wall_s;
    char err[4096], out[4096];
} proc_result;

static void slurp(const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return;
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = '\0';
    fclose(f);
}

/* Run simrun with argv (argv[0] ignored) from the project root, stdin from
 * /dev/null, stdout and stderr captured in capdir; killed after timeout_s. */
static void run_simrun(char *const *argv, const char *capdir, int timeout_s, proc_result *r)
{
    memset(r, 0, sizeof *r);
    char outp[512], errp[512];
    snprintf(outp, sizeof outp, "%s/stdout", capdir);
    snprintf(errp, sizeof errp, "%s/stderr", capdir);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1, "fork: %s", strerror(errno));
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int out = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0)
            _exit(127);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execv(th_simrun_path(), argv);
        _exit(127);
    }
    int st = 0;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            break;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (t1.tv_sec - t0.tv_sec > timeout_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            r->timed_out = 1;
            break;
        }
        usleep(5000);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    r->signaled = WIFSIGNALED(st);
    r->sig = r->signaled ? WTERMSIG(st) : 0;
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    slurp(errp, r->err, sizeof r->err);
    slurp(outp, r->out, sizeof r->out);
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d != NULL) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char p[1024];
                snprintf(p, sizeof p, "%s/%s", path, e->d_name);
                rm_rf(p);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = a ? fopen(to, "wb") : NULL;
    if (b == NULL) {
        if (a)
            fclose(a);
        return -1;
    }
    char buf[8192];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, a)) > 0)
        fwrite(buf, 1, k, b);
    fclose(a);
    return fclose(b);
}

/* ---- the corpus -------------------------------------------------------- */

struct bad_case {
    char name[96];
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct bad_case *)a)->name, ((const struct bad_case *)b)->name);
}

static void free_cases(struct criterion_test_params *crp)
{
    cr_free(crp->params);
}

ParameterizedTestParameters(bad, corpus)
{
    size_t n = 0, cap = 256;
    struct bad_case *c = cr_malloc(cap * sizeof *c);
    DIR *d = opendir(BAD_DIR);
    if (d != NULL && c != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL && n < cap) {
            size_t len = strlen(e->d_name);
            if (len > 7 && len < sizeof c->name + 7 &&
                strcmp(e->d_name + len - 7, ".expect") == 0) {
                memset(&c[n], 0, sizeof c[n]);
                memcpy(c[n].name, e->d_name, len - 7);
                n++;
            }
        }
        closedir(d);
    }
    qsort(c, n, sizeof *c, by_name);
    return cr_make_param_array(struct bad_case, c, n, free_cases);
}

/* Replace @BAD@, @TMP@ and @OUT@ in word. */
static void expand(const char *word, const char *tmp, char *out, size_t n)
{
    size_t k = 0;
    out[0] = '\0';
    for (const char *p = word; *p && k + 1 < n;) {
        const char *rep = NULL;
        char buf[512];
        if (strncmp(p, "@BAD@", 5) == 0) {
            rep = BAD_DIR;
        } else if (strncmp(p, "@TMP@", 5) == 0) {
            rep = tmp;
        } else if (strncmp(p, "@OUT@", 5) == 0) {
            snprintf(buf, sizeof buf, "%s/out.h5", tmp);
            rep = buf;
        }
        if (rep != NULL) {
            k += (size_t)snprintf(out + k, n - k, "%s", rep);
            p += 5;
        } else {
            out[k++] = *p++;
            out[k] = '\0';
        }
    }
    if (k >= n)
        out[n - 1] = '\0';
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
    return s;
}

/* A case's .expect file: the command's arguments, what its one stderr line
 * must and must not say, and the files its setup lines put in place. */
typedef struct bad_expect {
    char args[2048];
    char expect[16][512], match[8][512], reject[8][512], setup_files[8][256];
    int ne, nm, nr, ns;
    int skip; /* the setup cannot work here (chmod 000 readable: root) */
    char skip_msg[512];
} bad_expect;

/* "setup: unreadable SRC DST": BAD_DIR/SRC copied to tmp/DST, mode 000. */
static void setup_unreadable(const char *v, const char *path, const char *tmp,
                             const char *name, bad_expect *x)
{
    char kind[32], src[200], dst[200];
    cr_assert_eq(sscanf(v, "%31s %199s %199s", kind, src, dst), 3, "%s: setup '%s'", path, v);
    cr_assert_str_eq(kind, "unreadable", "%s: unknown setup '%s'", path, kind);
    char from[512], to[512];
    snprintf(from, sizeof from, "%s/%s", BAD_DIR, src);
    snprintf(to, sizeof to, "%s/%s", tmp, dst);
    cr_assert_eq(copy_file(from, to), 0, "%s: cannot copy %s", path, from);
    cr_assert_eq(chmod(to, 0), 0);
    snprintf(x->setup_files[x->ns++], sizeof x->setup_files[0], "%s", dst);
    FILE *probe = fopen(to, "r");
    if (probe != NULL) {
        fclose(probe);
        x->skip = 1;
        snprintf(x->skip_msg, sizeof x->skip_msg,
                 "%s: chmod 000 does not block reading here (running as root?); case skipped",
                 name);
    }
}

/* Read BAD_DIR/NAME.expect into x (its setup lines done in tmp). */
static void read_expect(const char *name, const char *tmp, bad_expect *x)
{
    char path[512], line[2048];
    snprintf(path, sizeof path, "%s/%s.expect", BAD_DIR, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    memset(x, 0, sizeof *x);
    while (fgets(line, sizeof line, f) != NULL) {
        char *l = trim(line);
        if (*l == '\0' || *l == '#')
            continue;
        char *colon = strchr(l, ':');
        cr_assert_not_null(colon, "%s: bad line '%s'", path, l);
        *colon = '\0';
        char *v = trim(colon + 1);
        if (strcmp(l, "args") == 0)
            snprintf(x->args, sizeof x->args, "%s", v);
        else if (strcmp(l, "expect") == 0 && x->ne < 16)
            snprintf(x->expect[x->ne++], sizeof x->expect[0], "%s", v);
        else if (strcmp(l, "match") == 0 && x->nm < 8)
            snprintf(x->match[x->nm++], sizeof x->match[0], "%s", v);
        else if (strcmp(l, "reject") == 0 && x->nr < 8)
            snprintf(x->reject[x->nr++], sizeof x->reject[0], "%s", v);
        else if (strcmp(l, "setup") == 0 && x->ns < 8)
            setup_unreadable(v, path, tmp, name, x);
        else
            cr_assert_fail("%s: unknown directive '%s'", path, l);
    }
    fclose(f);
    cr_assert(x->args[0] != '\0', "%s: no args", path);
    cr_assert(x->ne + x->nm > 0, "%s: no expect or match line", path);
}

/* stderr is one line that says what x expects and nothing it rejects. */
static void check_message(const char *name, const char *msg, const bad_expect *x)
{
    size_t len = strlen(msg);
    int nl = 0;
    for (size_t i = 0; i < len; i++)
        nl += msg[i] == '\n';
    cr_expect(len > 1 && nl == 1 && msg[len - 1] == '\n',
              "%s: expected exactly one line on stderr, got %d line(s): '%s'", name, nl, msg);
    for (int i = 0; i < x->ne; i++)
        cr_expect(strstr(msg, x->expect[i]) != NULL, "%s: stderr lacks '%s': %s", name,
                  x->expect[i], msg);
    for (int i = 0; i < x->nm; i++) {
        regex_t re;
        cr_assert_eq(regcomp(&re, x->match[i], REG_EXTENDED | REG_NOSUB), 0,
                     "%s: bad regex '%s'", name, x->match[i]);
        cr_expect(regexec(&re, msg, 0, NULL, 0) == 0, "%s: stderr does not match /%s/: %s",
                  name, x->match[i], msg);
        regfree(&re);
    }
    for (int i = 0; i < x->nr; i++)
        cr_expect(strstr(msg, x->reject[i]) == NULL, "%s: stderr has '%s': %s", name,
                  x->reject[i], msg);
}

/* Nothing left behind in tmp but the setup's files: no results file, no
 * .partial, no .runs folder. */
static void check_nothing_left(const char *name, const char *tmp, const bad_expect *x)
{
    DIR *d = opendir(tmp);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int ours = 0;
        for (int i = 0; i < x->ns; i++)
            ours |= strcmp(e->d_name, x->setup_files[i]) == 0;
        cr_expect(ours, "%s: simrun left %s/%s behind", name, tmp, e->d_name);
    }
    closedir(d);
}

ParameterizedTest(struct bad_case *c, bad, corpus, .timeout = 90)
{
    char tmp[256], cap[256];
    snprintf(tmp, sizeof tmp, "%s/simbad_%s_%d", th_tmpdir(), c->name, (int)getpid());
    snprintf(cap, sizeof cap, "%s/simbad_%s_%d.cap", th_tmpdir(), c->name, (int)getpid());
    rm_rf(tmp);
    rm_rf(cap);
    cr_assert_eq(mkdir(tmp, 0755), 0);
    cr_assert_eq(mkdir(cap, 0755), 0);

    static bad_expect x; /* 20 KB: off the test's stack */
    read_expect(c->name, tmp, &x);
    if (x.skip) {
        rm_rf(tmp);
        rm_rf(cap);
        cr_skip_test("%s", x.skip_msg);
    }

    /* argv from the blank-separated words of args */
    char *argv[64], words[64][1024];
    int argc = 0;
    argv[argc++] = (char *)th_simrun_path();
    for (char *w = strtok(x.args, " \t"); w != NULL && argc < 63; w = strtok(NULL, " \t")) {
        expand(w, tmp, words[argc], sizeof words[0]);
        argv[argc] = words[argc];
        argc++;
    }
    argv[argc] = NULL;

    proc_result r;
    run_simrun(argv, cap, 60, &r);
    const char *msg = r.err;
    cr_expect(!r.timed_out, "%s: simrun did not finish within 60 s", c->name);
    cr_expect(!r.signaled, "%s: simrun died of signal %d; stderr: %s", c->name, r.sig, msg);
    cr_expect_eq(r.status, 2, "%s: exit status %d, expected 2; stderr: %s", c->name, r.status,
                 msg);
    check_message(c->name, msg, &x);
    check_nothing_left(c->name, tmp, &x);
    rm_rf(tmp);
    rm_rf(cap);
}

/* Every data file of the corpus is used by some case (catches typos). */
Test(bad, corpus_files_are_used)
{
    DIR *d = opendir(BAD_DIR);
    cr_assert_not_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)) != NULL) {
        const char *dot = strrchr(e->d_name, '.');
        if (e->d_name[0] == '.' || dot == NULL || strcmp(dot, ".expect") == 0 ||
            strcmp(e->d_name, "README.md") == 0)
            continue;
        n++;
        /* grep the .expect and .ini files for the name */
        char cmd[600];
        snprintf(cmd, sizeof cmd, "grep -qF -- '%s' %s/*.expect %s/*.ini tests/test_bad.c",
                 e->d_name, BAD_DIR, BAD_DIR);
        cr_expect_eq(system(cmd), 0, "%s/%s is not used by any case", BAD_DIR, e->d_name);
    }
    closedir(d);
    cr_assert(n > 20, "the corpus has only %d data files", n);
}

/* ---- fuzzer findings and hangs (regressions) -------------------------- */

static void tmpdir_for(const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "%s/simbad_%s_%d", th_tmpdir(), name, (int)getpid());
    rm_rf(buf);
    cr_assert_eq(mkdir(buf, 0755), 0);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

/* fuzz_clf: two access-log lines 8000 years apart (the fuzzer's find:
 * year 9915). Loading the log expands the gap into one zero sample per
 * bucket without bound (4.2e9 samples at 60 s; a century already takes
 * ~17 s and 800 MB): `simrun trace info` hangs and eats memory. It must
 * finish (an answer or a clear refusal, exit 0 or 2) in bounded time. */
Test(bad, clf_huge_gap_does_not_hang, .timeout = 60)
{
    char dir[256], log[512], cap[512];
    tmpdir_for("clfgap", dir, sizeof dir);
    snprintf(log, sizeof log, "%s/gap.log", dir);
    snprintf(cap, sizeof cap, "%s/cap", dir);
    mkdir(cap, 0755);
    write_file(log, "10.0.0.1 - - [01/Jul/1995:00:00:01 -0400] \"GET / HTTP/1.0\" 200 1\n"
                    "10.0.0.1 - - [01/Jul/9915:00:00:01 -0400] \"GET / HTTP/1.0\" 200 1\n");
    char *argv[] = {(char *)th_simrun_path(), "trace", "info", log, NULL};
    proc_result r;
    run_simrun(argv, cap, 10, &r); /* ~1 GB in 10 s when it does expand the gap */
    cr_expect(!r.timed_out, "simrun trace info on a log with an 8000-year gap ran over 10 s");
    cr_expect(!r.signaled, "died of signal %d", r.sig);
    cr_expect(r.status == 0 || r.status == 2, "exit %d: %s", r.status, r.err);
    rm_rf(dir);
}

/* fuzz_clf: two lines a year apart (1994, 1995) read whole at 1 s
 * buckets expanded the gap into 31.6 M zero samples (500 MB, 10.5 s under
 * the sanitizers: a slow unit). A whole load now holds an access log to
 * the bucket limit of `trace info` and says so; 60 s buckets still load. */
Test(bad, clf_year_gap_at_one_second_is_refused_when_loaded_whole)
{
    const char *p = "tests/fuzz/regressions/clf_gap_year_1s.log";
    tr_series s = {0};
    as_err e = {0};
    cr_assert_eq(tr_series_load_fmt(p, TR_FORMAT_CLF, AS_SEC, &s, &e), AS_EINVAL);
    cr_expect(strstr(e.msg, "more than the limit of 10000000") != NULL, "%s", e.msg);
    cr_expect_eq(s.n, 0);
    /* at a minute the same year is 525,600 buckets: within the limit, so
     * the reader goes on to the malformed third line */
    as_err e2 = {0};
    cr_assert_eq(tr_series_load_fmt(p, TR_FORMAT_CLF, AS_MIN, &s, &e2), AS_EINVAL);
    cr_expect(strstr(e2.msg, ":3: malformed access log line") != NULL, "%s", e2.msg);
}

/* fuzz_prom: a timestamp beyond int64 microseconds (1e300 s) is not range
 * checked: llround overflows, and the series gets a negative step
 * (trace info prints "step: -9223372036852775808us"). */
Test(bad, prom_huge_timestamp_is_refused_by_the_reader)
{
    char dir[256], p[512];
    tmpdir_for("promts", dir, sizeof dir);
    snprintf(p, sizeof p, "%s/huge.json", dir);
    write_file(p, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":"
                  "[{\"metric\":{},\"values\":[[1e300,\"1\"],[2,\"1\"]]}]}}\n");
    tr_series s = {0};
    as_err e = {0};
    int rc = tr_series_load(p, &s, &e);
    if (rc == AS_OK) {
        for (size_t i = 1; i < s.n; i++)
            cr_expect_gt(s.t[i], s.t[i - 1], "times of a loaded series must increase");
        tr_series_free(&s);
    }
    cr_expect_eq(rc, AS_EINVAL, "a timestamp of 1e300 s was accepted");
    cr_expect(strstr(e.msg, "timestamp") != NULL, "%s", e.msg);
    rm_rf(dir);
}

/* A /summary written by another tool (h5py) with only some of our columns
 * is read as if complete: the missing columns come back as zeros and
 * `simrun show` prints a table of zeros with exit 0. */
Test(bad, results_summary_missing_columns_is_refused)
{
    sim_summary_row *rows = NULL;
    int n = 0;
    as_err e = {0};
    int rc = sim_results_read_summary(BAD_DIR "/results_foreign_summary.h5", &rows, &n, &e);
    free(rows);
    cr_expect_eq(rc, AS_EINVAL, "a /summary without cost_total, p95, ... was accepted (%d rows)",
                 n);
}

/* fuzz_results: a results file with a few flipped bits (BAD_DIR
 * "/results_bitflip.h5") reads back with cost_penalty NaN; `simrun show`
 * exits 0 printing "-nan" and both "cheapest policy meeting the SLO: hpa"
 * and "no policy meets the SLO". */
Test(bad, results_bitflip_is_not_shown_as_valid, .timeout = 30)
{
    char dir[256];
    tmpdir_for("bitflip", dir, sizeof dir);
    char *argv[] = {(char *)th_simrun_path(), "show", BAD_DIR "/results_bitflip.h5", NULL};
    proc_result r;
    run_simrun(argv, dir, 20, &r);
    cr_expect(!r.signaled && !r.timed_out, "signal %d", r.sig);
    cr_expect(strstr(r.out, "nan") == NULL, "show prints NaN: %s", r.out);
    cr_expect(!(strstr(r.out, "cheapest policy meeting the SLO") &&
                strstr(r.out, "no policy meets the SLO")),
              "show contradicts itself: %s", r.out);
    rm_rf(dir);
}

/* ---- numbers through whole runs --------------------------------------- */

static void expect_finite_summary(const sim_summary_row *s, const char *what)
{
    const double v[] = {s->cost_infra,    s->cost_penalty,      s->cost_total, s->slo_violation_s,
                        s->slo_violation_pct, s->p50,           s->p95,        s->p99,
                        s->latency_max,   s->dropped,           s->mean_instances,
                        s->peak_instances, s->theta_u,          s->theta_o,    s->tau_u,
                        s->tau_o,         s->instability,       s->jitter,     s->elastic_speedup,
                        s->deviation};
    static const char *const names[] = {
        "cost_infra", "cost_penalty", "cost_total", "slo_violation_s", "slo_violation_pct",
        "p50",        "p95",          "p99",        "latency_max",     "dropped",
        "mean_instances", "peak_instances", "theta_u", "theta_o",      "tau_u",
        "tau_o",      "instability",  "jitter",     "elastic_speedup", "deviation"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        cr_expect(isfinite(v[i]), "%s, run %s: %s = %g", what, s->run, names[i], v[i]);
    cr_expect_geq(s->cost_total, 0, "%s: %s", what, s->run);
    cr_expect_geq(s->slo_violation_pct, 0, "%s: %s", what, s->run);
    cr_expect_leq(s->slo_violation_pct, 100.0 + 1e-9, "%s: %s", what, s->run);
    cr_expect(s->p50 <= s->p95 && s->p95 <= s->p99, "%s, run %s: p50 %g p95 %g p99 %g", what,
              s->run, s->p50, s->p95, s->p99);
}

/* Load path with overrides, run every policy in-process (no results file),
 * rank, check every summary is finite. Returns the wall time. */
static double run_all(const char *path, const char *const *sets, int nsets, const char *what,
                      sim_summary_row *out, int max_out)
{
    as_err e = {0};
    sim_scenario *sc = sim_scenario_load(path, sets, nsets, &e);
    cr_assert_not_null(sc, "%s: %s", what, e.msg);
    int n = sc->npolicies;
    sim_summary_row *rows = calloc((size_t)n, sizeof *rows);
    cr_assert_not_null(rows);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int p = 0; p < n; p++) {
        sim_run_opts o = {0};
        cr_assert_eq(sim_run_policy(sc, p, NULL, &o, &rows[p], &e), AS_OK, "%s: policy %s: %s",
                     what, sc->policies[p].name, e.msg);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sim_rank(rows, n, 0);
    for (int p = 0; p < n; p++)
        expect_finite_summary(&rows[p], what);
    for (int p = 0; p < n && p < max_out; p++)
        out[p] = rows[p];
    free(rows);
    sim_scenario_free(sc);
    return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* Arrivals at 1000 times what the tier can ever serve (max 2 instances x
 * 4 slots / 50 ms = 160 req/s, offered 160000 req/s) for 6 hours. */
Test(bad, overload_1000x_stays_finite, .timeout = 120)
{
    const char *sets[] = {"trace.base=160000", "tier.web.max=2", "tier.web.min=1",
                          "tier.web.initial=2", "scenario.duration=6h"};
    sim_summary_row rows[4];
    run_all(BAD_DIR "/numeric.ini", sets, 5, "1000x overload", rows, 4);
    cr_expect_gt(rows[0].slo_violation_pct, 99.0, "a 1000x overload must violate the SLO");
    /* a backlog of ~6h x 159840 req/s over 160 req/s: the last requests
     * wait ~2e7 s; the summary may not claim less than a day */
    cr_expect_gt(rows[0].p99, 86400.0, "p99 %g s under a 1000x overload", rows[0].p99);
}

/* A recorded trace whose rate swings a million-fold (0.01 <-> 10000 req/s)
 * every 10 minutes, with long runs of zeros between bursts. */
Test(bad, million_fold_rates_and_zero_runs_stay_finite, .timeout = 120)
{
    char dir[256], csv[512], ini[512];
    tmpdir_for("numtrace", dir, sizeof dir);
    snprintf(csv, sizeof csv, "%s/swing.csv", dir);
    snprintf(ini, sizeof ini, "%s/swing.ini", dir);
    FILE *f = fopen(csv, "w");
    cr_assert_not_null(f);
    fprintf(f, "time,rate\n");
    for (int i = 0; i < 6 * 24 * 2; i++) {  /* 2 days of 10-minute samples */
        int hour = (i / 6) % 24;
        double r = hour < 6 ? 0.0 : (i % 2 ? 10000.0 : 0.01);  /* 6 h of zeros a day */
        fprintf(f, "%d,%g\n", i * 600, r);
    }
    fclose(f);
    char text[2048];
    snprintf(text, sizeof text,
             "[scenario]\nname = swing\nduration = 2d\ntick = 1s\nrecord = 60s\n"
             "[trace]\nfile = %s\n"
             "[tier.web]\nservice_time = 50ms\nconcurrency = 4\nmin = 0\nmax = 400\n"
             "initial = 1\nboot_time = 60s\n"
             "[slo]\nlatency = 250ms\npenalty = 50\n"
             "[policy.static]\nkind = static\ninstances = 10\n"
             "[policy.hpa]\nkind = hpa\n[policy.target]\nkind = target\n"
             "[policy.predictive]\nkind = predictive\n[policy.hybrid]\nkind = hybrid\n"
             "[policy.oracle]\nkind = oracle\n",
             csv);
    write_file(ini, text);
    sim_summary_row rows[6];
    run_all(ini, NULL, 0, "million-fold swing", rows, 6);
    rm_rf(dir);
}

/* A whole day without a single request. */
Test(bad, all_zero_trace_stays_finite, .timeout = 60)
{
    const char *sets[] = {"trace.base=0", "scenario.duration=1d"};
    sim_summary_row rows[4];
    run_all(BAD_DIR "/numeric.ini", sets, 2, "zero trace", rows, 4);
    cr_expect_eq(rows[0].slo_violation_s, 0, "no requests, no violation");
}

/* Zero ready instances and a non-zero load for the whole run (min = 0,
 * initial = 0, a static policy that keeps it): every request waits. */
Test(bad, zero_capacity_stays_finite, .timeout = 60)
{
    const char *sets[] = {"tier.web.min=0", "tier.web.initial=0", "scenario.duration=6h",
                          "trace.base=10"};
    sim_summary_row rows[4];
    run_all(BAD_DIR "/numeric.ini", sets, 4, "zero capacity", rows, 4);
    cr_expect_eq(rows[0].mean_instances, 0);
    cr_expect_gt(rows[0].slo_violation_pct, 99.0);
}

/* A year at 60 s ticks (525600 ticks per policy, every policy kind); a year
 * at 1 s ticks is measured by hand (see the robustness report). The
 * longest case of the suite: in `make test-slow` (suite *_slow). */
Test(bad_slow, year_at_60s_ticks_finishes, .timeout = 300)
{
    const char *sets[] = {"scenario.duration=365d", "scenario.tick=60s", "scenario.record=1h",
                          "trace.base=200"};
    sim_summary_row rows[4];
    double wall = run_all(BAD_DIR "/numeric.ini", sets, 4, "a year at 60 s ticks", rows, 4);
    cr_log_info("a year at 60 s ticks, 4 policies: %.1f s", wall);
    cr_expect_lt(wall, 240.0, "a year at 60 s ticks took %.0f s", wall);
    /* the cost of a year of the static policy: 2 instances x 8760 h x 0.10 */
    cr_expect_float_eq(rows[0].cost_infra, 2 * 8760 * 0.10, 1.0, "%g", rows[0].cost_infra);
}

/* The predictive policy at 60 s ticks (scrape 15 s) sees no rate (NaN in
 * /runs/RUN/actions), forecasts 0, scales to min after the first evaluation
 * and stays there: 88 % of a 2-day spike.ini run in violation, against
 * 0.4 % at 1 s ticks. The other kinds are unaffected by the tick. */
Test(bad, predictive_sees_a_rate_at_60s_ticks, .timeout = 120)
{
    const char *sets[] = {"scenario.tick=60s"};
    const char *only = "predictive";
    as_err e = {0};
    sim_scenario *sc = sim_scenario_load("scenarios/spike.ini", sets, 1, &e);
    cr_assert_not_null(sc, "%s", e.msg);
    int p = -1;
    for (int i = 0; i < sc->npolicies; i++)
        if (strcmp(sc->policies[i].name, only) == 0)
            p = i;
    cr_assert_geq(p, 0, "spike.ini has no [policy.predictive]");
    sim_summary_row row;
    sim_run_opts o = {0};
    cr_assert_eq(sim_run_policy(sc, p, NULL, &o, &row, &e), AS_OK, "%s", e.msg);
    cr_expect_lt(row.slo_violation_pct, 5.0,
                 "predictive at 60 s ticks: %.1f %% of the run in violation, mean %.2f instances",
                 row.slo_violation_pct, row.mean_instances);
    sim_scenario_free(sc);
}

/* A current results file whose /summary holds a value no run produces
 * (a NaN cost, as a flipped bit leaves it) is refused, not shown. */
Test(bad, damaged_summary_values_are_refused, .timeout = 60)
{
    char dir[256], cmd[2048];
    tmpdir_for("damaged", dir, sizeof dir);
    snprintf(cmd, sizeof cmd,
             "%s scenarios/spike.ini --set scenario.duration=1h --policy hpa -q --no-report "
             "-o %s/d.h5 && /usr/bin/python3 -c 'import h5py, numpy as np; "
             "f = h5py.File(\"%s/d.h5\", \"r+\"); s = f[\"summary\"][:]; "
             "s[\"cost_penalty\"][0] = np.nan; f[\"summary\"][...] = s' && "
             "%s show %s/d.h5 2>&1; echo \"exit $?\"",
             th_simrun_path(), dir, dir, th_simrun_path(), dir);
    FILE *p = popen(cmd, "r");
    char out[4096] = "";
    size_t k = fread(out, 1, sizeof out - 1, p);
    out[k] = '\0';
    pclose(p);
    cr_expect(strstr(out, "exit 2") != NULL, "%s", out);
    cr_expect(strstr(out, "damaged") != NULL, "%s", out);
    rm_rf(dir);
}

/* Files on which libhdf5 1.10 itself overflows a heap buffer or asks for
 * terabytes (found by make fuzz): show, check and report refuse them with
 * exit 2 (the probe reads them in a child process first), never a signal. */
Test(bad, files_that_crash_libhdf5_are_refused, .timeout = 60)
{
    for (int i = 1; i <= 4; i++) {
        char cmd[1024], path[256];
        snprintf(path, sizeof path, "tests/fuzz/regressions/results_libhdf5_crash_%d.h5", i);
        const char *subs[] = {"show %s", "check %s --baseline /dev/null", "report %s -o /tmp/r%d"};
        for (int k = 0; k < 3; k++) {
            char sub[512];
            snprintf(sub, sizeof sub, subs[k], path, (int)getpid());
            snprintf(cmd, sizeof cmd, "%s %s > /dev/null 2>&1", th_simrun_path(), sub);
            int st = system(cmd);
            cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s: status %d", sub, st);
        }
    }
}
