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

/* 1 when s holds a byte a terminal acts on or that is not ASCII (a line
 * end is the end of a message, and allowed). */
static int has_raw_byte(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\n') || (unsigned char)*s >= 0x7f)
            return 1;
    return 0;
}

/* A path is the user's bytes: every command's message shows an escape
 * sequence or a byte that is not UTF-8 in it as \xNN (as_name_printable),
 * never raw. Traces, results files, baselines and report folders all
 * printed them as given. */
Test(cmdline, messages_show_hostile_paths_escaped)
{
    static char out[16384];
    char cmd[PATH_MAX + 512];
    /* ESC [ 2 J clears a terminal; \377 is no UTF-8 */
    const char *bad = "x\033[2J\377";
    th_write_tmp("t.csv", "time_s,rate\n0,1\n60,2\n");
    th_write_tmp("s.ini", "[scenario]\nduration = 1h\n[tier.web]\nservice_time = 50ms\n"
                          "[policy.s]\nkind = static\n");
    const char *const cmds[] = {
        "trace info '%s.csv'", "trace convert '%s.csv'", "trace convert t.csv -o /proc/'%s.csv'",
        "trace gen '%s.ini'", "trace gen s.ini --step '%s'", "show '%s.h5'", "report '%s.h5'",
        "compare '%s.h5' '%s.h5'", "forecast '%s.csv'", "check --baseline '%s.csv' s.ini",
        "s.ini -o /proc/'%s.h5' --no-report -q", "s.ini --set 'tier.web.max=%s' -q",
        "bench '%s.ini'", "show --frob'%s'", "report r.h5 -o /proc/'%s'/r",
        "report r.h5 -o r.h5/'%s'",
    };
    snprintf(cmd, sizeof cmd, "cd %s && %s s.ini -o r.h5 --no-report -q", th_tmpdir(),
             th_simrun_abspath());
    cr_assert_eq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char args[512];
        snprintf(args, sizeof args, cmds[i], bad, bad);
        snprintf(cmd, sizeof cmd, "cd %s && %s %s", th_tmpdir(), th_simrun_abspath(), args);
        int st = th_sh_out(cmd, out, sizeof out);
        cr_expect(st == 1 || st == 2, "%s: exit %d: %s", cmds[i], st, out);
        cr_expect(strstr(out, "x\\x1b[2J\\xff") != NULL, "%s: the path escaped: %s", cmds[i],
                  out);
        cr_expect(!has_raw_byte(out), "%s: a raw byte reached the terminal", cmds[i]);
    }
}

/* gnuplot's failure names a command to rerun the script: the report
 * folder in it is one shell word (as_shell_quote), whatever it holds. */
Test(cmdline, gnuplot_rerun_hint_quotes_the_folder)
{
    static char out[16384];
    char cmd[PATH_MAX + 512];
    th_write_tmp("s.ini", "[scenario]\nduration = 1h\n[tier.web]\nservice_time = 50ms\n"
                          "[policy.s]\nkind = static\n");
    const char *gp = th_write_tmp("gp", "#!/bin/sh\necho 'bad line' >&2\nexit 1\n");
    snprintf(cmd, sizeof cmd, "cd %s && chmod +x gp && %s s.ini -o r.h5 --no-report -q && "
             "%s report r.h5 -o \"rep's \\$(x)\" --gnuplot %s", th_tmpdir(), th_simrun_abspath(),
             th_simrun_abspath(), gp);
    cr_assert_neq(th_sh_out(cmd, out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "rerun with: cd 'rep'\\''s $(x)' && gnuplot report.gp") != NULL, "%s",
              out);
}
