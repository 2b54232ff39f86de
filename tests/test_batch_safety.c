/* test_batch_safety.c - a batch never loses or destroys work (sim/batch):
 * a second simrun on the same output refuses while the first one runs and
 * takes over from a killed one; a folder simrun did not make is never
 * emptied without --force; nothing is deleted or written through a
 * symbolic link; a write error (disk full, a file size limit) stops the
 * batch with one line, keeps every complete run, and the same command
 * resumes; SIGTERM stops the workers and keeps their runs. */
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static int has_text(const char *path, const char *text)
{
    char buf[256] = "";
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[k] = '\0';
    return strcmp(buf, text) == 0;
}

static int count_runs(const char *runs)
{
    char cmd[512], out[64];
    snprintf(cmd, sizeof cmd, "ls %s 2>/dev/null | grep -c '\\.h5$'", runs);
    th_sh_out(cmd, out, sizeof out);
    return atoi(out);
}

/* Start simrun with argv (NULL-terminated, without argv[0]) in the
 * background, its output to /dev/null; limit_kb > 0 sets a file size
 * limit first. */
static pid_t spawn(char *const *args, long limit_kb)
{
    pid_t pid = fork();
    if (pid == 0) {
        char *argv[32] = {(char *)th_simrun_path()};
        for (int i = 0; args[i] && i < 30; i++)
            argv[i + 1] = args[i];
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        if (limit_kb > 0) {
            struct rlimit rl = {(rlim_t)limit_kb * 1024, (rlim_t)limit_kb * 1024};
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        execv(th_simrun_path(), argv);
        _exit(127);
    }
    return pid;
}

static int wait_status(pid_t pid)
{
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
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

static void expect_gone(pid_t pid)
{
    int ok = 0;
    for (int i = 0; i < 500 && !(ok = gone(pid)); i++)
        sleep_ms(10);
    if (!ok)
        kill(pid, SIGKILL);
    cr_assert(ok, "process %d outlived the simrun that started it", (int)pid);
}

static pid_t child_of(pid_t parent)
{
    char cmd[128], out[64];
    snprintf(cmd, sizeof cmd, "pgrep -P %d | head -1", (int)parent);
    th_sh_out(cmd, out, sizeof out);
    return (pid_t)atoi(out);
}

/* The short batch most tests use: one run of spike.ini. */
#define ONE_RUN "scenarios/spike.ini --set scenario.duration=1h --policy hpa --no-report"

Test(safety_slow, a_second_simrun_refuses_and_a_killed_ones_lock_is_taken_over, .timeout = 240)
{
    const char *dir = th_tmpdir();
    char out_h5[256], lock[300], cmd[1024], out[8192], pid_s[32];
    snprintf(out_h5, sizeof out_h5, "%s/lk.h5", dir);
    snprintf(lock, sizeof lock, "%s.runs/lock", out_h5);
    char ini[] = "tests/data/sweep.ini", set[] = "--set", dur[] = "scenario.duration=2d",
         q[] = "-q", nr[] = "--no-report", j[] = "-j", one[] = "1", o[] = "-o";
    char *args[] = {ini, set, dur, q, nr, j, one, o, out_h5, NULL};
    pid_t a = spawn(args, 0);
    snprintf(pid_s, sizeof pid_s, "%d\n", (int)a);
    for (int i = 0; i < 3000 && !has_text(lock, pid_s); i++)
        sleep_ms(10);
    cr_assert(has_text(lock, pid_s), "the first simrun wrote no lock");

    snprintf(cmd, sizeof cmd, "%s %s --set %s -q --no-report -j 1 -o %s", th_simrun_path(), ini,
             dur, out_h5);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 1, "%s", out);
    char pid_text[64];
    snprintf(pid_text, sizeof pid_text, "pid %d", (int)a);
    cr_assert(strstr(out, "in use by another simrun") && strstr(out, pid_text), "%s", out);
    cr_assert(has_text(lock, pid_s), "the refused simrun touched the lock");

    pid_t worker = child_of(a);
    cr_assert_gt(worker, 0, "no worker process");
    kill(a, SIGKILL);
    waitpid(a, NULL, 0);
    expect_gone(worker);
    snprintf(cmd, sizeof cmd, "%s %s --set %s --no-report --format csv -j 2 -o %s",
             th_simrun_path(), ini, dur, out_h5);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "taking over") && strstr(out, pid_text), "%s", out);
}

Test(safety, a_folder_simrun_did_not_make_is_not_emptied_without_force, .timeout = 60)
{
    const char *dir = th_tmpdir();
    char runs[256], precious[300], cmd[1024], out[4096];
    snprintf(runs, sizeof runs, "%s/f.h5.runs", dir);
    snprintf(precious, sizeof precious, "%s/precious.txt", runs);
    mkdir(runs, 0777);
    write_text(precious, "mine\n");
    snprintf(cmd, sizeof cmd, "%s %s -q -o %s/f.h5", th_simrun_path(), ONE_RUN, dir);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "was not made by simrun") && strstr(out, "--force"), "%s", out);
    cr_assert(has_text(precious, "mine\n"), "a folder simrun did not make was emptied");

    snprintf(cmd, sizeof cmd, "%s %s -q --force -o %s/f.h5", th_simrun_path(), ONE_RUN, dir);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    cr_assert_neq(access(runs, F_OK), 0, "the runs folder stays after a complete batch");
}

Test(safety, nothing_is_deleted_through_a_link, .timeout = 60)
{
    const char *dir = th_tmpdir();
    char victim[256], precious[300], runs[256], cmd[1024], out[4096];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(precious, sizeof precious, "%s/precious.txt", victim);
    mkdir(victim, 0777);
    write_text(precious, "mine\n");

    /* OUT.runs is a link to another folder */
    snprintf(runs, sizeof runs, "%s/l.h5.runs", dir);
    cr_assert_eq(symlink(victim, runs), 0);
    snprintf(cmd, sizeof cmd, "%s %s -q -o %s/l.h5", th_simrun_path(), ONE_RUN, dir);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "symbolic link"), "%s", out);
    snprintf(cmd, sizeof cmd, "%s %s -q --force --fresh -o %s/l.h5", th_simrun_path(), ONE_RUN,
             dir);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(has_text(precious, "mine\n"), "the link's target was emptied");

    /* a link inside a runs folder of ours, emptied for another plan */
    char ours[256], link[300], marker[300], victim_file[300];
    snprintf(ours, sizeof ours, "%s/m.h5.runs", dir);
    snprintf(marker, sizeof marker, "%s/.simrun", ours);
    snprintf(link, sizeof link, "%s/junk.h5", ours);
    snprintf(victim_file, sizeof victim_file, "%s/file.txt", dir);
    mkdir(ours, 0777);
    write_text(marker, "\n");
    write_text(victim_file, "mine\n");
    cr_assert_eq(symlink(victim_file, link), 0);
    snprintf(cmd, sizeof cmd, "%s %s -q -o %s/m.h5", th_simrun_path(), ONE_RUN, dir);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(has_text(victim_file, "mine\n"), "a link in the runs folder was followed");
    cr_assert(has_text(precious, "mine\n"));
}

Test(safety, nothing_is_written_through_a_link_at_the_partial_file, .timeout = 120)
{
    const char *dir = th_tmpdir();
    char victim[256], partial[256], cmd[1024], out[4096];
    snprintf(victim, sizeof victim, "%s/victim.txt", dir);
    snprintf(partial, sizeof partial, "%s/p.h5.partial", dir);
    write_text(victim, "mine\n");
    cr_assert_eq(symlink(victim, partial), 0);
    /* a complete batch merges inside p.h5.runs/ and renames: the link
     * stays as it is */
    snprintf(cmd, sizeof cmd, "%s %s -q -o %s/p.h5", th_simrun_path(), ONE_RUN, dir);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(has_text(victim, "mine\n"), "the link's target was overwritten");
    /* an interrupted one merges its complete runs into p.h5.partial:
     * refused, and the runs are kept */
    char out_h5[256], runs[300];
    snprintf(out_h5, sizeof out_h5, "%s/p2.h5", dir);
    snprintf(runs, sizeof runs, "%s.runs", out_h5);
    snprintf(partial, sizeof partial, "%s.partial", out_h5);
    cr_assert_eq(symlink(victim, partial), 0);
    char ini[] = "tests/data/sweep.ini", set[] = "--set", dur[] = "scenario.duration=12h",
         nr[] = "--no-report", j[] = "-j", one[] = "1", o[] = "-o";
    char *args[] = {ini, set, dur, nr, j, one, o, out_h5, NULL};
    pid_t a = spawn(args, 0);
    for (int i = 0; i < 6000 && count_runs(runs) < 2; i++)
        sleep_ms(10);
    kill(a, SIGTERM);
    cr_assert_eq(wait_status(a), 130);
    cr_assert_geq(count_runs(runs), 2);
    cr_assert(has_text(victim, "mine\n"), "the link's target was overwritten");
}

/* One line on stderr, naming a file and the errno, nothing from HDF5. */
static void expect_one_line(const char *out, const char *errtext)
{
    cr_assert(strchr(out, '\n') == strrchr(out, '\n'), "more than one line: %s", out);
    cr_assert(strstr(out, errtext) && strstr(out, ".h5"), "%s", out);
    cr_assert(strstr(out, "HDF5") == NULL, "%s", out);
    cr_assert(strstr(out, "run the same command again"), "%s", out);
}

static void expect_same(const char *a, const char *b)
{
    char cmd[1024], out[8192];
    const char *objs[] = {"/runs", "/summary", "/trace"};
    for (int k = 0; k < 3; k++) {
        snprintf(cmd, sizeof cmd, "h5diff %s %s %s %s", a, b, objs[k], objs[k]);
        cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s differs: %s", objs[k], out);
    }
}

Test(safety_slow, disk_full_keeps_the_complete_runs_and_the_same_command_resumes, .timeout = 240)
{
    const char *dir = th_tmpdir();
    char fs[256], cmd[1024], out[8192], runs[300];
    snprintf(fs, sizeof fs, "%s/fs", dir);
    mkdir(fs, 0777);
    if (mount("tmpfs", fs, "tmpfs", 0, "size=2m") != 0)
        cr_skip_test("cannot mount a 2 MB tmpfs here (%s)", strerror(errno));
    snprintf(runs, sizeof runs, "%s/out.h5.runs", fs);
    snprintf(cmd, sizeof cmd, "%s scenarios/spike.ini -q --no-report -j 2 -o %s/out.h5",
             th_simrun_path(), fs);
    char full[8192];
    int st_full = th_sh_out(cmd, full, sizeof full), st = st_full;
    int kept = count_runs(runs);
    if (st == 1 && kept > 0) {
        mount("tmpfs", fs, "tmpfs", MS_REMOUNT, "size=64m");
        snprintf(cmd, sizeof cmd, "%s scenarios/spike.ini --no-report -j 2 -o %s/out.h5",
                 th_simrun_path(), fs);
        st = th_sh_out(cmd, out, sizeof out);
    }
    /* the resumed file, out of the small filesystem before it goes */
    char cmd2[1024], out2[4096], res[300], ref[300];
    snprintf(res, sizeof res, "%s/resumed.h5", dir);
    snprintf(ref, sizeof ref, "%s/ref.h5", dir);
    snprintf(cmd2, sizeof cmd2, "cp %s/out.h5 %s", fs, res);
    int copied = st == 0 && th_sh_out(cmd2, out2, sizeof out2) == 0;
    umount2(fs, MNT_DETACH); /* before any assert: a failed test leaves no mount */
    snprintf(cmd2, sizeof cmd2, "%s scenarios/spike.ini -q --no-report -j 1 -o %s",
             th_simrun_path(), ref);
    cr_assert_eq(th_sh_out(cmd2, out2, sizeof out2), 0, "%s", out2);
    if (copied)
        expect_same(ref, res);
    cr_assert_eq(st_full, 1, "%s", full);
    expect_one_line(full, "No space left on device (errno 28)");
    cr_assert_gt(kept, 0, "no complete run kept after the disk filled");
    cr_assert_eq(st, 0, "%s", out);
    cr_assert(strstr(out, "resuming:"), "%s", out);
}

Test(safety, a_file_size_limit_stops_the_merge_and_the_same_command_merges, .timeout = 180)
{
    const char *dir = th_tmpdir();
    char out_h5[256], runs[300], ref[256], cmd[1024], out[8192];
    snprintf(out_h5, sizeof out_h5, "%s/fz.h5", dir);
    snprintf(runs, sizeof runs, "%s.runs", out_h5);
    snprintf(ref, sizeof ref, "%s/fzref.h5", dir);
    snprintf(cmd, sizeof cmd, "%s tests/data/sweep.ini -q --no-report -j 2 -o %s", th_simrun_path(),
             ref);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    /* each run's file is ~30 KB, the merged file ~0.9 MB */
    snprintf(cmd, sizeof cmd,
             "ulimit -f 600 && exec %s tests/data/sweep.ini -q --no-report -j 2 -o %s",
             th_simrun_path(), out_h5);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 1, "%s", out);
    expect_one_line(out, "File too large (errno 27)");
    cr_assert(strstr(out, "fz.h5.runs/.merged.h5"), "%s", out);
    cr_assert_eq(count_runs(runs), 30, "%s", out);
    snprintf(cmd, sizeof cmd, "%s tests/data/sweep.ini --no-report -j 2 -o %s", th_simrun_path(),
             out_h5);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "resuming: 30 of 30"), "%s", out);
    expect_same(ref, out_h5);
}

Test(safety_slow, sigterm_stops_the_workers_and_keeps_their_runs, .timeout = 240)
{
    const char *dir = th_tmpdir();
    char out_h5[256], runs[300], partial[300], ref[256], cmd[1024], out[8192];
    snprintf(out_h5, sizeof out_h5, "%s/tm.h5", dir);
    snprintf(runs, sizeof runs, "%s.runs", out_h5);
    snprintf(partial, sizeof partial, "%s.partial", out_h5);
    snprintf(ref, sizeof ref, "%s/tmref.h5", dir);
    const char *longer = "--set scenario.duration=12h";
    snprintf(cmd, sizeof cmd, "%s tests/data/sweep.ini %s -q --no-report -j 2 -o %s",
             th_simrun_path(), longer, ref);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    char ini[] = "tests/data/sweep.ini", set[] = "--set", dur[] = "scenario.duration=12h",
         q[] = "-q", nr[] = "--no-report", j[] = "-j", two[] = "2", o[] = "-o";
    char *args[] = {ini, set, dur, q, nr, j, two, o, out_h5, NULL};
    pid_t a = spawn(args, 0);
    for (int i = 0; i < 6000 && count_runs(runs) < 3; i++)
        sleep_ms(10);
    pid_t worker = child_of(a);
    kill(a, SIGTERM);
    int st = wait_status(a);
    if (worker > 0)
        expect_gone(worker);
    cr_assert_eq(st, 130, "status %d", st);
    cr_assert_geq(count_runs(runs), 3);
    cr_assert_eq(access(partial, F_OK), 0, "no FILE.partial with the complete runs");
    snprintf(cmd, sizeof cmd, "%s tests/data/sweep.ini %s --no-report -j 1 -o %s", th_simrun_path(),
             longer, out_h5);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "resuming:"), "%s", out);
    expect_same(ref, out_h5);
}

/* EIO (or EDQUOT) from the writer's file driver (SIMRUN_FAIL_WRITE=BYTES:
 * ERRNO fails every write past BYTES in each process), where a small
 * filesystem only gives ENOSPC. */
Test(safety, an_io_error_stops_the_batch_and_the_same_command_resumes, .timeout = 180)
{
    const char *dir = th_tmpdir();
    char out_h5[256], runs[300], ref[256], cmd[1024], out[8192];
    snprintf(out_h5, sizeof out_h5, "%s/eio.h5", dir);
    snprintf(runs, sizeof runs, "%s.runs", out_h5);
    snprintf(ref, sizeof ref, "%s/eioref.h5", dir);
    snprintf(cmd, sizeof cmd, "%s tests/data/sweep.ini -q --no-report -j 1 -o %s", th_simrun_path(),
             ref);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    /* a run's file is ~30 KB: a few runs complete before the error */
    snprintf(cmd, sizeof cmd,
             "SIMRUN_FAIL_WRITE=200000:5 %s tests/data/sweep.ini -q --no-report -j 1 -o %s",
             th_simrun_path(), out_h5);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 1, "%s", out);
    expect_one_line(out, "Input/output error (errno 5)");
    int kept = count_runs(runs);
    cr_assert(kept > 0 && kept < 30, "%d runs kept: %s", kept, out);
    snprintf(cmd, sizeof cmd, "%s tests/data/sweep.ini --no-report -j 2 -o %s", th_simrun_path(),
             out_h5);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    char resumed[64];
    snprintf(resumed, sizeof resumed, "resuming: %d of 30", kept);
    cr_assert(strstr(out, resumed), "%s", out);
    expect_same(ref, out_h5);
}
