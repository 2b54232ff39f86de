/* test_results.c - the results layer (sim/results): Fletcher-32 checksums
 * refuse a flipped bit, a write error is one line naming the file and the
 * errno, a link at NAME.partial is never written through, and the probe of
 * a user's file has a time limit and leaves no reader behind. */
#include "sim_results.h"
#include "sim_results_read.h"
#include "sim_scenario.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A file that is not a results file at all: a dataset of a million
 * one-byte chunks, one of them written. libhdf5 1.10 walks every chunk
 * of a read one by one: minutes on one machine, 3.9 s on another (its
 * memory), so no test times it against a limit. */
#define SLOW_FILE "tests/fuzz/regressions/results_libhdf5_slow_chunks.h5"
/* 10 KB found by make fuzz on which libhdf5 1.10 loops: still reading
 * after 120 s, on the CPU alone; the tests that need a file the library
 * cannot finish use this one. */
#define LOOP_FILE "tests/fuzz/regressions/results_libhdf5_loop.h5"
/* 6 KB found by make fuzz whose damaged variable-length attribute makes
 * libhdf5 1.10 ask for 4 GB (simrun show peaked at 4.2 GB on it). */
#define VLEN_FILE "tests/fuzz/regressions/results_libhdf5_vlen_4g.h5"

static sim_scenario *load(const char *duration)
{
    char set[64];
    snprintf(set, sizeof set, "scenario.duration=%s", duration);
    const char *ov[] = {set};
    as_err e = {0};
    sim_scenario *s = sim_scenario_load("scenarios/spike.ini", ov, 1, &e);
    cr_assert_not_null(s, "%s", e.msg);
    return s;
}

/* A one-run results file of spike.ini's first policy at path. */
static void write_results(const char *path)
{
    char cmd[1024], out[4096];
    snprintf(cmd, sizeof cmd,
             "%s scenarios/spike.ini --set scenario.duration=1h --policy hpa -q --no-report "
             "--force -o %s",
             th_simrun_path(), path);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
}

/* Byte offset and size of the first chunk of dataset ds (h5py). */
static void chunk_of(const char *path, const char *ds, long *off, long *size)
{
    char cmd[1024], out[4096];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import h5py; d = h5py.File(\"%s\", \"r\")[\"%s\"]; "
             "i = d.id.get_chunk_info(0); print(int(d.fletcher32), i.byte_offset, i.size)'",
             path, ds);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    int fl = 0;
    cr_assert_eq(sscanf(out, "%d %ld %ld", &fl, off, size), 3, "%s", out);
    cr_assert_eq(fl, 1, "%s of %s has no Fletcher-32 filter", ds, path);
}

static void flip_byte(const char *path, long at)
{
    int fd = open(path, O_RDWR);
    cr_assert_geq(fd, 0);
    unsigned char c;
    cr_assert_eq(pread(fd, &c, 1, at), 1);
    c ^= 0x10;
    cr_assert_eq(pwrite(fd, &c, 1, at), 1);
    close(fd);
}

Test(results, every_table_is_checksummed_and_a_flipped_bit_is_refused, .timeout = 60)
{
    const char *dir = th_tmpdir();
    char path[256], cmd[1024], out[4096];
    snprintf(path, sizeof path, "%s/sum.h5", dir);
    write_results(path);
    long off, size;
    chunk_of(path, "runs/hpa/timeseries", &off, &size);
    chunk_of(path, "trace", &off, &size);
    chunk_of(path, "timing", &off, &size);
    chunk_of(path, "summary", &off, &size);
    snprintf(cmd, sizeof cmd, "%s show %s", th_simrun_path(), path);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "the intact file: %s", out);

    flip_byte(path, off + size / 2);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 2, "a flipped bit in /summary: %s", out);
    cr_assert(strstr(out, path) && strstr(out, "checksum"), "%s", out);
    cr_assert(strstr(out, "\n") == strrchr(out, '\n'), "one line: %s", out);
}

Test(results, a_flipped_bit_in_a_run_is_refused_by_the_reader, .timeout = 60)
{
    const char *dir = th_tmpdir();
    char path[256];
    snprintf(path, sizeof path, "%s/ts.h5", dir);
    write_results(path);
    long off, size;
    chunk_of(path, "runs/hpa/timeseries", &off, &size);
    flip_byte(path, off + size / 3);
    sim_ts_row *ts = NULL;
    size_t n = 0;
    as_err e = {0};
    cr_assert_eq(sim_results_read_timeseries(path, "hpa", &ts, &n, &e), AS_EINVAL);
    cr_assert(strstr(e.msg, path) && strstr(e.msg, "/runs/hpa/timeseries") &&
                  strstr(e.msg, "checksum mismatch"),
              "%s", e.msg);
    free(ts);
}

/* A file size limit makes every write past it fail with EFBIG: the run
 * stops with one message naming the file and the errno, and libhdf5
 * prints nothing (its error stack is read, not printed). */
Test(results, a_write_error_is_one_line_with_file_and_errno, .timeout = 60)
{
    const char *dir = th_tmpdir();
    char path[256], errpath[300];
    snprintf(path, sizeof path, "%s/efbig.h5", dir);
    snprintf(errpath, sizeof errpath, "%s/efbig.stderr", dir);
    sim_scenario *sc = load("2d");
    int saved = dup(2), fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq(fd, 0);
    dup2(fd, 2);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {64 * 1024, 64 * 1024};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
    sim_results_quiet();
    as_err e = {0};
    sim_results *r = sim_results_create(path, sc, 1, &e);
    cr_assert_not_null(r, "%s", e.msg);
    sim_summary_row row;
    int rc = sim_results_run(r, sc, 0, NULL, &row, &e);
    dup2(saved, 2);
    close(fd);
    cr_assert_eq(rc, AS_EIO, "a 2-day run fit in 64 KB? (%d: %s)", rc, e.msg);
    cr_assert(strstr(e.msg, "efbig.h5.partial") && strstr(e.msg, "errno 27") &&
                  strstr(e.msg, strerror(EFBIG)),
              "%s", e.msg);
    struct stat st;
    cr_assert_eq(stat(errpath, &st), 0);
    cr_assert_eq(st.st_size, 0, "libhdf5 printed on stderr (see %s)", errpath);
    /* the batch leaves the handles to the process's end; a library caller
     * that goes on closes them */
    sim_results_abort(r, 1);
    cr_assert_neq(access(path, F_OK), 0);
    sim_scenario_free(sc);
}

Test(results, a_link_at_the_partial_name_is_never_written_through, .timeout = 60)
{
    const char *dir = th_tmpdir();
    char victim[256], link[300], path[256], stale[300];
    snprintf(victim, sizeof victim, "%s/victim.txt", dir);
    snprintf(path, sizeof path, "%s/linked.h5", dir);
    snprintf(link, sizeof link, "%s.partial", path);
    FILE *f = fopen(victim, "w");
    fputs("precious\n", f);
    fclose(f);
    unlink(link);
    cr_assert_eq(symlink(victim, link), 0);
    sim_scenario *sc = load("1h");
    sim_results_quiet();
    as_err e = {0};
    cr_assert_null(sim_results_create(path, sc, 1, &e));
    cr_assert_eq(e.code, AS_EEXIST);
    cr_assert(strstr(e.msg, link) && strstr(e.msg, "symbolic link"), "%s", e.msg);
    const char *files[] = {victim};
    const char *names[] = {"x"};
    sim_summary_row row = {0};
    sim_timing_row tim = {0};
    cr_assert_eq(sim_results_merge(path, sc, files, names, 0, &row, &tim, &e), AS_EEXIST);
    char buf[64] = "";
    f = fopen(victim, "r");
    cr_assert(fgets(buf, sizeof buf, f) != NULL);
    fclose(f);
    cr_assert_str_eq(buf, "precious\n", "the link's target was written");

    /* a plain file left there by an interrupted writer is replaced */
    snprintf(path, sizeof path, "%s/stale.h5", dir);
    snprintf(stale, sizeof stale, "%s.partial", path);
    f = fopen(stale, "w");
    fputs("junk", f);
    fclose(f);
    sim_results *r = sim_results_create(path, sc, 1, &e);
    cr_assert_not_null(r, "%s", e.msg);
    cr_assert_eq(sim_results_run(r, sc, 0, NULL, &row, &e), AS_OK, "%s", e.msg);
    cr_assert_eq(sim_results_commit(r, &row, 1, &e), AS_OK, "%s", e.msg);
    sim_summary_row *rows = NULL;
    int n = 0;
    cr_assert_eq(sim_results_read_summary(path, &rows, &n, &e), AS_OK, "%s", e.msg);
    cr_assert_eq(n, 1);
    free(rows);
    sim_scenario_free(sc);
}

Test(results, the_probe_refuses_a_file_it_cannot_read_in_time, .timeout = 60)
{
    as_err e = {0};
    /* (the fuzz harness outlived libFuzzer's -timeout on this file; it now
     * probes with a 2 s limit) */
    cr_assert_eq(sim_results_probe_within(LOOP_FILE, 1.0, &e), AS_EINVAL);
    cr_assert(strstr(e.msg, LOOP_FILE) && strstr(e.msg, "still reading it after 1 s"), "%s",
              e.msg);
    /* a real results file passes well within the limit */
    cr_assert_eq(sim_results_probe_within("tests/fuzz/corpus/results/small.h5", 5.0, &e), AS_OK,
                 "%s", e.msg);
    cr_assert_geq(sim_results_probe_limit(SLOW_FILE), 10.0);
}

/* A handler the parent has (here one that leaves a mark, as libFuzzer's
 * death hook writes the parent's input out as a crash) must not run in the
 * probe: the child dies of libhdf5's own SIGSEGV and the parent reports the
 * signal. results_libhdf5_crash_5.h5 (found by make fuzz) makes libhdf5
 * 1.10 read address 0x4c in H5A__close. */
static char mark_path[512];
static void leave_mark(int sig)
{
    int fd = open(mark_path, O_WRONLY | O_CREAT, 0600);
    if (fd >= 0)
        close(fd);
    _exit(100 + sig);
}

Test(results, the_probe_child_runs_no_handler_of_its_parent, .timeout = 60)
{
    snprintf(mark_path, sizeof mark_path, "%s", th_path("probe_mark"));
    unlink(mark_path);
    void (*old_segv)(int) = signal(SIGSEGV, leave_mark);
    void (*old_abrt)(int) = signal(SIGABRT, leave_mark);
    as_err e = {0};
    int st = sim_results_probe_within("tests/fuzz/regressions/results_libhdf5_crash_5.h5", 30.0,
                                      &e);
    signal(SIGSEGV, old_segv);
    signal(SIGABRT, old_abrt);
    cr_assert_eq(st, AS_EINVAL);
    cr_expect(strstr(e.msg, "crashed reading it (signal") != NULL, "%s", e.msg);
    cr_expect(access(mark_path, F_OK) != 0, "the parent's handler ran in the probe: %s", e.msg);
}

Test(results_slow, show_refuses_a_file_that_keeps_libhdf5_busy, .timeout = 90)
{
    char cmd[512], out[4096];
    snprintf(cmd, sizeof cmd, "%s show %s", th_simrun_path(), LOOP_FILE);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "still reading it after"), "%s", out);
    /* the million chunks: refused, at the limit or as no results file,
     * whichever the library's speed here makes it */
    snprintf(cmd, sizeof cmd, "%s show %s", th_simrun_path(), SLOW_FILE);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, SLOW_FILE), "%s", out);
}

/* The pid of a child of parent (from /proc), 0 when it has none. */
static pid_t child_of(pid_t parent)
{
    char cmd[256], out[64];
    snprintf(cmd, sizeof cmd, "pgrep -P %d | head -1", (int)parent);
    th_sh_out(cmd, out, sizeof out);
    return (pid_t)atoi(out);
}

/* Gone, or a zombie nobody waits for any more. */
static int gone(pid_t pid)
{
    char path[64], buf[512] = "";
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 1;
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[k] = '\0';
    const char *p = strrchr(buf, ')');
    return p && p[1] == ' ' && p[2] == 'Z';
}

Test(results, killing_simrun_kills_the_probe, .timeout = 60)
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(th_simrun_path(), th_simrun_path(), "show", LOOP_FILE, (char *)NULL);
        _exit(127);
    }
    pid_t probe = 0;
    for (int i = 0; i < 500 && probe == 0; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        probe = child_of(pid);
    }
    cr_assert_gt(probe, 0, "simrun show started no probe");
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    int ok = 0;
    for (int i = 0; i < 500 && !(ok = gone(probe)); i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (!ok)
        kill(probe, SIGKILL);
    cr_assert(ok, "the probe (pid %d) outlived simrun", (int)probe);
}

/* The probe's child has 2 GiB beyond what it had at the fork: the file is
 * refused in a moment, not read at 4 GB. (Under the sanitizers the child's
 * allocator dies at the limit instead: refused as a failed read.) */
extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

Test(results, the_probe_refuses_a_file_that_asks_for_too_much_memory, .timeout = 60)
{
    /* under the sanitizers the child's allocator reports the failed
     * allocation as a bug and aborts: make test checks the real build */
    if (__sanitizer_set_death_callback)
        cr_skip_test("the child's allocator reports at the cap under the sanitizers");
    as_err e = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(sim_results_probe_within(VLEN_FILE, 30.0, &e), AS_EINVAL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_assert(strstr(e.msg, VLEN_FILE) && (strstr(e.msg, "more than 2 GiB of memory") ||
                                           strstr(e.msg, "failed reading it")),
              "%s", e.msg);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    cr_assert_lt(s, 25.0, "the probe took %.1f s: it read the 4 GB", s);
    /* simrun itself: the probe refuses it (before the cap, the probe let
     * it through after 4 GB and show refused it as "no dataset /summary") */
    char cmd[512], out[8192];
    snprintf(cmd, sizeof cmd, "%s show %s", th_simrun_path(), VLEN_FILE);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "more than 2 GiB of memory") || strstr(out, "failed reading it"), "%s",
              out);
}
