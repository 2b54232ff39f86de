/* test_batch.c - sweeps, repetitions, runs on worker processes, resume
 * and MPI (the safety of a batch is test_batch_safety.c). */
#include "sim_sweep.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

Test(batch, sweep_values)
{
    char v[16][64];
    cr_assert_eq(sim_sweep_values("0.4:0.8:0.1", v, 16, NULL), 5);
    cr_assert_str_eq(v[0], "0.4");
    cr_assert_str_eq(v[4], "0.8");
    cr_assert_eq(sim_sweep_values("30s:90s:30s", v, 16, NULL), 3);
    cr_assert_str_eq(v[2], "90s");
    cr_assert_eq(sim_sweep_values(" 30s, 90s ,5m", v, 16, NULL), 3);
    cr_assert_str_eq(v[1], "90s");
    as_err e = {0};
    cr_assert_eq(sim_sweep_values("1:0:1", v, 16, &e), -1);
    cr_assert_eq(sim_sweep_values("0:100:1", v, 16, &e), -1);
    cr_assert(strstr(e.msg, "more than 16"), "%s", e.msg);
}

Test(batch, plan_expands_policy_keys_per_policy)
{
    as_err e = {0};
    sim_scenario *s = sim_scenario_load("tests/data/sweep.ini", NULL, 0, &e);
    cr_assert_not_null(s, "%s", e.msg);
    sim_plan p;
    cr_assert_eq(sim_plan_build("tests/data/sweep.ini", NULL, 0, s, NULL, 0, 1000, &p, &e),
                 AS_OK, "%s", e.msg);
    /* hpa: 4 targets x 3 boot times x 2 reps; threshold: 3 boot times x 2 reps */
    cr_assert_eq(p.n, 24 + 6);
    cr_assert_str_eq(p.runs[0].name, "hpa.p000.r0");
    cr_assert_neq(p.runs[0].seed, p.runs[1].seed, "repetitions get their own seeds");
    cr_assert_eq(p.runs[0].seed, p.runs[2].seed, "points share the seeds of a repetition");
    cr_assert(strstr(p.runs[0].params, "target=0.5") && strstr(p.runs[0].params, "boot_time=30s"),
              "%s", p.runs[0].params);
    cr_assert_eq(p.runs[24].sc->tiers[0].boot_time, 30 * AS_SEC);
    sim_plan_free(&p);
    /* a grid too large is refused before any work */
    cr_assert_eq(sim_plan_build("tests/data/sweep.ini", NULL, 0, s, NULL, 0, 10, &p, &e),
                 AS_EINVAL);
    cr_assert(strstr(e.msg, "30 runs") && strstr(e.msg, "--max-runs"), "%s", e.msg);
    sim_scenario_free(s);
}

Test(batch, worker_processes_do_not_change_datasets, .timeout = 120)
{
    const char *dir = th_tmpdir();
    char cmd[1024], out[16384];
    for (int j = 1; j <= 2; j++) {
        snprintf(cmd, sizeof cmd,
                 "%s tests/data/sweep.ini -q --no-report --force -j %d -o %s/j%d.h5",
                 th_simrun_path(), j, dir, j);
        cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    }
    const char *objs[] = {"/runs", "/summary", "/trace"};
    for (int k = 0; k < 3; k++) {
        snprintf(cmd, sizeof cmd, "h5diff %s/j1.h5 %s/j2.h5 %s %s", dir, dir, objs[k], objs[k]);
        cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s differs: %s", objs[k], out);
    }
    snprintf(cmd, sizeof cmd, "%s show %s/j2.h5 --csv | wc -l", th_simrun_path(), dir);
    th_sh_out(cmd, out, sizeof out);
    cr_assert_eq(atoi(out), 31, "30 runs and a header: %s", out);
    struct stat st;
    snprintf(cmd, sizeof cmd, "%s/j2.h5.runs", dir);
    cr_assert_neq(stat(cmd, &st), 0, "the runs folder is removed when complete");
}

Test(batch, killed_batch_resumes_to_the_same_file, .timeout = 180)
{
    const char *dir = th_tmpdir();
    char cmd[1024], out[16384], ref[256], res[256], runs[300];
    snprintf(ref, sizeof ref, "%s/ref.h5", dir);
    snprintf(res, sizeof res, "%s/res.h5", dir);
    snprintf(runs, sizeof runs, "%s.runs", res);
    const char *longer = "--set scenario.duration=12h";
    snprintf(cmd, sizeof cmd, "%s tests/data/sweep.ini %s -q --no-report --force -j 2 -o %s",
             th_simrun_path(), longer, ref);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);

    /* killed without warning when its 4th run is complete: the hook
     * SIMRUN_KILL_AFTER makes the point of the kill the program's, not a
     * poll's, so a fast machine cannot finish the batch first */
    snprintf(cmd, sizeof cmd,
             "SIMRUN_KILL_AFTER=4 %s tests/data/sweep.ini %s -q --no-report --force -j 1 -o %s; "
             "echo status=$?",
             th_simrun_path(), longer, res);
    th_sh_out(cmd, out, sizeof out);
    cr_assert(strstr(out, "status=137"), "not killed (128 + SIGKILL): %s", out);
    snprintf(cmd, sizeof cmd, "ls %s 2>/dev/null | grep -c '\\.h5$'", runs);
    th_sh_out(cmd, out, sizeof out);
    int complete = atoi(out);
    cr_assert(complete >= 4 && complete < 30, "%d of 30 runs complete at the kill", complete);
    struct stat st;
    cr_assert_neq(stat(res, &st), 0, "no results file after a kill");

    snprintf(cmd, sizeof cmd, "%s tests/data/sweep.ini %s --no-report --force -j 2 -o %s",
             th_simrun_path(), longer, res);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "resuming:"), "no resume: %s", out);
    const char *objs[] = {"/runs", "/summary", "/trace"};
    for (int k = 0; k < 3; k++) {
        snprintf(cmd, sizeof cmd, "h5diff %s %s %s %s", ref, res, objs[k], objs[k]);
        cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s differs: %s", objs[k], out);
    }
}

Test(batch, bad_sweep_value_names_the_line)
{
    const char *dir = th_tmpdir();
    char path[256], cmd[512], out[4096];
    snprintf(path, sizeof path, "%s/badsweep.ini", dir);
    FILE *f = fopen(path, "w");
    fputs("[scenario]\nduration = 1h\n[policy.h]\nkind = hpa\n[sweep]\npolicy.h.target = 0.5, "
          "lots\n",
          f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s %s -q --no-report -o %s/bs.h5", th_simrun_path(), path, dir);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "badsweep.ini:6: [sweep] key 'policy.h.target': value 'lots'") &&
                  strstr(out, "'lots' is not a number"),
              "%s", out);
}

Test(batch_slow, mpi_ranks_give_the_results_of_one_thread, .timeout = 180)
{
    const char *mpi = getenv("SIMRUN_MPI");
    if (mpi == NULL || access(mpi, X_OK) != 0 || system("command -v mpirun >/dev/null") != 0)
        cr_skip_test("no MPI build of simrun (make MPI=1) or no mpirun");
    const char *dir = th_tmpdir();
    char cmd[1024], out[16384];
    snprintf(cmd, sizeof cmd,
             "%s tests/data/sweep.ini -q --no-report --force -j 1 -o %s/mpi_ref.h5",
             th_simrun_path(), dir);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    /* root may run mpirun only when it says so; loopback only */
    snprintf(cmd, sizeof cmd,
             "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "
             "mpirun --oversubscribe -np 3 %s tests/data/sweep.ini -q --no-report --force "
             "-o %s/mpi.h5",
             mpi, dir);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    const char *objs[] = {"/runs", "/summary", "/trace"};
    for (int k = 0; k < 3; k++) {
        snprintf(cmd, sizeof cmd, "h5diff %s/mpi_ref.h5 %s/mpi.h5 %s %s", dir, dir, objs[k],
                 objs[k]);
        cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s differs: %s", objs[k], out);
    }
}
