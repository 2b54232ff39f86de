/* test_cli.c - the simrun command line a user meets first: --version, a
 * mistyped command, --help-keys FILTER, the generated bash completion and
 * man page, the progress line's text, and results files that a subset of
 * the policies must not silently replace. */
#include "cli_progress.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(cmdline, .timeout = 120);

Test(cmdline, version_and_unknown_command)
{
    char out[4096], cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "%s --version", th_simrun_abspath());
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0);
    cr_assert(strncmp(out, "simrun (autoscale-sim) ", 23) == 0, "%s", out);
    snprintf(cmd, sizeof cmd, "cd %s && %s frobnicate", th_tmpdir(), th_simrun_abspath());
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 2);
    cr_assert(strstr(out, "unknown command 'frobnicate'") && strstr(out, " report ") &&
                  strstr(out, " trace "), "%s", out);
    cr_assert_null(strstr(out, "cannot open"), "%s", out);
}

Test(cmdline, help_keys_filters_and_shows_defaults)
{
    static char out[65536];
    char cmd[PATH_MAX + 64];
    snprintf(cmd, sizeof cmd, "%s --help-keys hpa", th_simrun_abspath());
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "kind = hpa:"), "%s", out);
    cr_assert_null(strstr(out, "kind = threshold:"), "the filter keeps hpa only");
    cr_assert_null(strstr(out, "[tier.NAME]"), "the filter keeps [policy.NAME] only");
    /* the HPA's defaults as the Kubernetes API has them, and the bounds */
    cr_assert(strstr(out, "default 0.8}") && strstr(out, "default 5m}"), "%s", out);
    cr_assert(strstr(out, "{allowed max|min|disabled; default max}"), "%s", out);
    snprintf(cmd, sizeof cmd, "%s --help-keys boot_time", th_simrun_abspath());
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "[tier.NAME]") && strstr(out, "default 1m}"), "%s", out);
    snprintf(cmd, sizeof cmd, "%s --help-keys nosuchkey", th_simrun_abspath());
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 2);
    cr_assert(strstr(out, "nosuchkey"), "%s", out);
}

Test(cmdline, completion_and_man_page_are_generated)
{
    static char out[65536];
    char cmd[PATH_MAX + 256];
    snprintf(cmd, sizeof cmd,
             "%s completion > %s/simrun.bash && bash -n %s/simrun.bash && "
             "grep -c 'tier.NAME.max' %s/simrun.bash",
             th_simrun_abspath(), th_tmpdir(), th_tmpdir(), th_tmpdir());
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    /* the keys of --set complete with the tier's name typed */
    snprintf(cmd, sizeof cmd, "bash -c 'source %s/simrun.bash; COMP_WORDS=(simrun x.ini --set "
                              "tier.web.boot_t); COMP_CWORD=3; _simrun; echo \"${COMPREPLY[@]}\"'",
             th_tmpdir());
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "tier.web.boot_time="), "%s", out);
    snprintf(cmd, sizeof cmd, "%s man > %s/simrun.1", th_simrun_abspath(), th_tmpdir());
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    if (system("command -v mandoc >/dev/null 2>&1 || command -v groff >/dev/null 2>&1") != 0)
        return; /* nothing here to render it with */
    snprintf(cmd, sizeof cmd, "cd %s && (mandoc -T utf8 simrun.1 2>/dev/null || groff -mandoc "
                              "-T utf8 simrun.1)", th_tmpdir());
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0);
    cr_assert(strstr(out, "SIMRUN(1)") && strstr(out, "boot_time"), "%.300s", out);
}

Test(cmdline, progress_counts_simulated_time_done)
{
    char t[256];
    /* before any simulated time: no speed, no estimate */
    sim_batch_progress p = {.done = 0, .n = 8, .sim_done = 0, .sim_total = 8 * 86400.0,
                            .elapsed = 3};
    cli_progress_batch_text(&p, t, sizeof t);
    cr_assert(strstr(t, "0/8 runs") && !strstr(t, "left") && !strstr(t, "per second"), "%s", t);
    /* a quarter simulated in 10 s, no run finished yet: 30 s left */
    p.sim_done = 2 * 86400.0;
    p.elapsed = 10;
    cli_progress_batch_text(&p, t, sizeof t);
    cr_assert(strstr(t, "25 %") && strstr(t, "about 30 s left"), "%s", t);
}

/* --policy writes its own file; --force over a fuller file says what goes */
Test(cmdline, subset_of_policies_never_silently_replaces_the_whole)
{
    static char out[65536];
    char cmd[PATH_MAX + 512], scen[PATH_MAX];
    cr_assert_not_null(realpath("scenarios/spike.ini", scen));
    const char *set = "--set scenario.duration=2h --no-report -q";
    snprintf(cmd, sizeof cmd, "cd %s && %s %s %s", th_tmpdir(), th_simrun_abspath(), scen, set);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "cd %s && %s %s --policy hpa %s && test -f results/spike-hpa.h5",
             th_tmpdir(), th_simrun_abspath(), scen, set);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "--policy hpa goes to its own file: %s", out);
    snprintf(cmd, sizeof cmd, "cd %s && %s %s --policy hpa -o results/spike.h5 --force %s",
             th_tmpdir(), th_simrun_abspath(), scen, set);
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    /* every run of the scenario but hpa is named as lost */
    const char *m = strstr(out, "(--force): ");
    int lost = 0, had = 0;
    cr_assert(m && sscanf(m, "(--force): %d of its %d runs will not be in the new file", &lost,
                          &had) == 2, "%s", out);
    cr_assert(had >= 2 && lost == had - 1, "%s", out);
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(m, "\n"), m);
    cr_assert(strstr(line, "static") && strstr(line, "oracle") && !strstr(line, " hpa"), "%s", out);
}

/* `-j2` (the value attached) is taken by every command with -j, as simrun
 * run takes it, and its value is checked the same way; report and tune
 * refused it as an unknown option. The files do not exist: the option must
 * get past the parser to the file's own error. */
Test(cmdline, every_command_takes_j_with_its_value_attached)
{
    char out[4096], cmd[PATH_MAX + 128];
    const char *const cmds[] = {"report none.h5", "tune none.ini --kind hpa", "none.ini"};
    for (int c = 0; c < 3; c++) {
        snprintf(cmd, sizeof cmd, "cd %s && %s %s -j2", th_tmpdir(), th_simrun_abspath(),
                 cmds[c]);
        cr_assert_eq(th_sh_out(cmd, out, sizeof out), 2, "%s: %s", cmds[c], out);
        cr_assert_null(strstr(out, "-j2"), "%s: -j2 refused: %s", cmds[c], out);
        cr_assert(strstr(out, "none."), "%s: the file's error expected: %s", cmds[c], out);
        snprintf(cmd, sizeof cmd, "cd %s && %s %s -j0", th_tmpdir(), th_simrun_abspath(),
                 cmds[c]);
        cr_assert_eq(th_sh_out(cmd, out, sizeof out), 2, "%s: %s", cmds[c], out);
        cr_assert(strstr(out, "-j") && strstr(out, "0") && !strstr(out, "unknown"),
                  "%s: -j0 refused as a value: %s", cmds[c], out);
        /* trailing junk is refused, never read as -j2 (run's atol did) */
        snprintf(cmd, sizeof cmd, "cd %s && %s %s -j2x", th_tmpdir(), th_simrun_abspath(),
                 cmds[c]);
        cr_assert_eq(th_sh_out(cmd, out, sizeof out), 2, "%s: %s", cmds[c], out);
        cr_assert(strstr(out, "2x") && !strstr(out, "unknown"), "%s: -j2x refused as a value: %s",
                  cmds[c], out);
    }
}
