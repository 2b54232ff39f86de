/* test_report_hostile.c - hostile names and folders against the reports
 * (issue 17, items 1-7 as far as they concern reports): names holding a
 * newline, quotes or backquotes reach no gnuplot command, a report never
 * writes into a folder simrun did not make (without --force), never
 * follows a symlink, and replaces its folder as a whole.
 * Everything goes through the simrun program ($SIMRUN, else bin/simrun),
 * started with an argv (no shell), so that a name reaches simrun byte for
 * byte and the same tests can be pointed at an older simrun. Crafted
 * results files are made with h5py from a real one. A command run by
 * gnuplot would create a file named MARKER...: after each case no such
 * file exists anywhere in the test folder or the working folder, and no
 * .gp script written holds a `!` line, a backquote or a system( call
 * outside a single-quoted string. */
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char hdir[256];              /* this test's folder (absolute) */
static char root[PATH_MAX];         /* the project root (the tests run there) */
static char simrun_bin[PATH_MAX];   /* absolute path of simrun */
static char out_log[300];           /* stdout and stderr of the last simrun */

static void hostile_init(void)
{
    cr_assert_not_null(getcwd(root, sizeof root));
    const char *s = getenv("SIMRUN");
    if (s == NULL || *s == '\0')
        s = "bin/simrun";
    cr_assert_not_null(realpath(s, simrun_bin), "no simrun at %s", s);
    snprintf(hdir, sizeof hdir, "%s", th_tmpdir());
    snprintf(out_log, sizeof out_log, "%s/simrun.log", hdir);
}

/* (TH_KEEP=1 keeps the folder for a look: test_helpers.h) */
TestSuite(hostile, .init = hostile_init, .timeout = 180);

/* Run simrun with argv[] (NULL-terminated, argv[0] = the command such as
 * "report") in folder cwd; output to out_log. Returns the exit status, or
 * 128 + signal. */
static int simrun_in(const char *cwd, const char *const *args)
{
    char *argv[32];
    int n = 0;
    argv[n++] = simrun_bin;
    for (; args[n - 1] != NULL && n < 31; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int fd = open(out_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || chdir(cwd) != 0)
            _exit(126);
        execv(simrun_bin, argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

static void copy_file(const char *src, const char *dst)
{
    char *t = th_slurp(src, NULL);
    cr_assert_not_null(t, "%s", src);
    spit(dst, t);
    free(t);
}

static const char *hpath(char *buf, size_t n, const char *rel)
{
    snprintf(buf, n, "%s/%s", hdir, rel);
    return buf;
}

/* ---- what must hold after every case ---------------------------------- */

static int markers;
static int scripts;
static char bad_script[600];

/* The gnuplot rules a script must keep, checked with a small lexer:
 * outside single-quoted strings (where gnuplot expands nothing) and
 * comments, no backquote and no system(; no double-quoted string holding
 * a backquote (gnuplot expands those inside "..."); no line that starts
 * with '!' (a shell command). Returns NULL or what is wrong. */
static const char *script_problem(const char *s)
{
    int bol = 1;
    for (const char *p = s; *p; p++) {
        if (bol) {
            const char *q = p;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == '!')
                return "a line starts with '!'";
        }
        bol = *p == '\n';
        if (*p == '#') { /* comment to the end of the line */
            while (p[1] && p[1] != '\n')
                p++;
            continue;
        }
        if (*p == '\'') { /* '' is a quote inside */
            for (p++; *p && !(*p == '\'' && p[1] != '\''); p++) {
                if (*p == '\n')
                    return "a newline inside a single-quoted string";
                if (*p == '\'')
                    p++;
            }
            if (*p == '\0')
                return "an unterminated single-quoted string";
            continue;
        }
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '`')
                    return "a backquote inside a double-quoted string";
                if (*p == '\\' && p[1])
                    p++;
            }
            if (*p == '\0')
                return "an unterminated double-quoted string";
            continue;
        }
        if (*p == '`')
            return "a backquote outside a string";
        if (strncmp(p, "system", 6) == 0) {
            const char *q = p + 6;
            while (*q == ' ')
                q++;
            if (*q == '(')
                return "system( outside a string";
        }
    }
    return NULL;
}

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    const char *base = path + ftw->base;
    if (strncmp(base, "MARKER", 6) == 0)
        markers++;
    size_t n = strlen(base);
    if (flag == FTW_F && n > 3 && strcmp(base + n - 3, ".gp") == 0) {
        scripts++;
        char *t = th_slurp(path, NULL);
        const char *why = t ? script_problem(t) : NULL;
        if (why != NULL && bad_script[0] == '\0')
            snprintf(bad_script, sizeof bad_script, "%s: %s", path, why);
        free(t);
    }
    return 0;
}

/* No MARKER file anywhere under the test folder or in the working folder,
 * and every .gp script under the test folder keeps the rules. */
static void assert_nothing_ran(const char *what)
{
    markers = scripts = 0;
    bad_script[0] = '\0';
    cr_assert_eq(nftw(hdir, visit, 16, FTW_PHYS), 0);
    char p[PATH_MAX + 16];
    snprintf(p, sizeof p, "%s/MARKER", root);
    int in_root = access(p, F_OK) == 0;
    if (in_root)
        unlink(p);
    cr_assert(markers == 0 && !in_root, "%s: a command from the input ran (MARKER made)", what);
    cr_assert(bad_script[0] == '\0', "%s: %s", what, bad_script);
}

static void assert_log_has(const char *needle)
{
    char *t = th_slurp(out_log, NULL);
    cr_assert_not_null(t);
    cr_assert(strstr(t, needle) != NULL, "expected \"%s\" in simrun's output:\n%s", needle, t);
    free(t);
}

/* ---- inputs ------------------------------------------------------------ */

/* A results file of scenario sc (2 simulated hours) at hdir/name. */
static void results_of(const char *sc, const char *name, const char *const *extra)
{
    char scen[PATH_MAX + 32], out[400];
    snprintf(scen, sizeof scen, "%s/scenarios/%s.ini", root, sc);
    const char *args[24] = {scen, "--set", "scenario.duration=2h", "-q", "--force",
                            "--no-report", "-j", "1", "-o", hpath(out, sizeof out, name)};
    int n = 10;
    for (int i = 0; extra && extra[i] && n < 23; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    cr_assert_eq(simrun_in(hdir, args), 0, "simrun %s failed", sc);
}

/* Copy hdir/src to hdir/dst with h5py, changing what of `old` to `neu`:
 * "kind" sets the kind of run old in /summary and /runs/old; "tier"
 * renames tier old everywhere. */
static void craft(const char *src, const char *dst, const char *what, const char *old,
                  const char *neu)
{
    char py[400], s[400], d[400];
    hpath(py, sizeof py, "craft.py");
    spit(py, "import h5py, shutil, sys\n"
             "src, dst, what, old, new = sys.argv[1:6]\n"
             "shutil.copy(src, dst)\n"
             "f = h5py.File(dst, 'r+')\n"
             "if what == 'kind':\n"
             "    s = f['summary'][:]\n"
             "    for i in range(len(s)):\n"
             "        if s['run'][i].decode() == old:\n"
             "            s['kind'][i] = new.encode()\n"
             "    f['summary'][...] = s\n"
             "    f['runs/' + old].attrs['kind'] = new.encode()\n"
             "elif what == 'clamped':\n"
             "    s = f['summary'][:]\n"
             "    for i in range(len(s)):\n"
             "        if s['run'][i].decode() == old:\n"
             "            s['clamped'][i] = float(new)\n"
             "    f['summary'][...] = s\n"
             "elif what == 'tier':\n"
             "    f.move('tiers/' + old, 'tiers/' + new)\n"
             "    for r in f['runs']:\n"
             "        f.move('runs/%s/tiers/%s' % (r, old), 'runs/%s/tiers/%s' % (r, new))\n"
             "    t = f.attrs['scenario_text']\n"
             "    t = t.decode() if isinstance(t, bytes) else t\n"
             "    f.attrs['scenario_text'] = t.replace('[tier.%s]' % old,\n"
             "                                         '[tier.%s]' % new).encode()\n"
             "f.close()\n");
    const char *argv[] = {"/usr/bin/python3", py, hpath(s, sizeof s, src),
                          hpath(d, sizeof d, dst), what, old, neu, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        execv(argv[0], (char **)argv);
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "crafting %s failed", dst);
}

/* ---- command execution through gnuplot -------------------------------- */

Test(hostile, scenario_file_name_with_a_newline)
{
    char src[PATH_MAX + 32], ini[400];
    snprintf(src, sizeof src, "%s/scenarios/spike.ini", root);
    /* without its name = line, a scenario is named after its file */
    char *text = th_slurp(src, NULL);
    cr_assert_not_null(text);
    char *line = strstr(text, "\nname = spike\n");
    cr_assert_not_null(line);
    memmove(line + 1, line + 14, strlen(line + 14) + 1);
    spit(hpath(ini, sizeof ini, "s\n!touch MARKER\n.ini"), text);
    free(text);
    /* no -o: the results path and the report folder come from the name */
    const char *args[] = {ini, "--set", "scenario.duration=2h", "-q", "-j", "1", NULL};
    int st = simrun_in(hdir, args);
    assert_nothing_ran("scenario file name");
    cr_assert_neq(st, 0, "a report of a scenario named with a newline was drawn");
}

Test(hostile, set_scenario_name)
{
    char ini[PATH_MAX + 32];
    snprintf(ini, sizeof ini, "%s/scenarios/spike.ini", root);
    const char *args[] = {ini, "--set", "scenario.duration=2h", "--set",
                          "scenario.name=x\n!touch MARKER\n", "-q", "-j", "1", NULL};
    int st = simrun_in(hdir, args);
    assert_nothing_ran("--set scenario.name");
    cr_assert_neq(st, 0);
}

Test(hostile, results_path_of_report)
{
    results_of("spike", "ok.h5", (const char *[]){"--policy", "hpa", NULL});
    char ok[400], bad[400], rep[400];
    hpath(ok, sizeof ok, "ok.h5");
    hpath(bad, sizeof bad, "r\n!touch MARKER\n.h5");
    cr_assert_eq(rename(ok, bad), 0);
    const char *args[] = {"report", bad, "-o", hpath(rep, sizeof rep, "rep"), NULL};
    int st = simrun_in(hdir, args);
    assert_nothing_ran("simrun report PATH");
    cr_assert_eq(st, 2, "exit %d", st);
    assert_log_has("control character");
}

Test(hostile, results_path_of_compare_plot)
{
    /* the compare figure's title holds both file names: a newline is bad
     * input (exit 2, as for report), not a failure of simrun (it was 1) */
    results_of("spike", "ok.h5", (const char *[]){"--policy", "hpa", NULL});
    char ok[400], bad[400], pl[400];
    hpath(ok, sizeof ok, "ok.h5");
    hpath(bad, sizeof bad, "c\n!touch MARKER\n.h5");
    cr_assert_eq(link(ok, bad), 0);
    const char *args[] = {"compare", ok, bad, "--plot", hpath(pl, sizeof pl, "pl"), NULL};
    int st = simrun_in(hdir, args);
    assert_nothing_ran("simrun compare --plot");
    cr_assert_eq(st, 2, "exit %d", st);
    assert_log_has("control character");
}

Test(hostile, results_path_of_run)
{
    char ini[PATH_MAX + 32], out[400];
    snprintf(ini, sizeof ini, "%s/scenarios/spike.ini", root);
    const char *args[] = {ini,  "--set", "scenario.duration=2h", "--policy", "hpa", "-q",
                          "-j", "1",     "-o", hpath(out, sizeof out, "o\n!touch MARKER\n.h5"),
                          NULL};
    int st = simrun_in(hdir, args);
    assert_nothing_ran("simrun -o PATH");
    cr_assert_neq(st, 0);
}

Test(hostile, run_kind_in_a_crafted_results_file)
{
    results_of("spike", "ok.h5", (const char *[]){"--policy", "hpa", "--policy", "static", NULL});
    craft("ok.h5", "kind.h5", "kind", "hpa", "\n!touch MARKER #");
    char h5[400], rep[400];
    const char *args[] = {"report", hpath(h5, sizeof h5, "kind.h5"), "-o",
                          hpath(rep, sizeof rep, "rep"), NULL};
    int st = simrun_in(hdir, args);
    assert_nothing_ran("run kind");
    cr_assert_eq(st, 2, "exit %d", st);
    assert_log_has(h5);
    assert_log_has("\"\\n!touch MARKER #\"");
}

/* not hostile, but read the same way: a run whose figures hit a limit of
 * the model is named in the report as well as under the summary table */
Test(hostile, clamped_figures_are_named_in_the_report)
{
    results_of("spike", "ok.h5", (const char *[]){"--policy", "hpa", "--policy", "static", NULL});
    craft("ok.h5", "clamped.h5", "clamped", "static", "4321");
    char h5[400], rep[400], idx[420];
    const char *args[] = {"report", hpath(h5, sizeof h5, "clamped.h5"), "-o",
                          hpath(rep, sizeof rep, "rep"), NULL};
    int st = simrun_in(hdir, args);
    cr_assert_eq(st, 0, "exit %d", st);
    snprintf(idx, sizeof idx, "%s/index.html", rep);
    char *html = th_slurp(idx, NULL);
    cr_assert_not_null(html);
    cr_expect_not_null(strstr(html, "static: 4321 requests hit a limit of the model"), "%s", idx);
    cr_expect_null(strstr(html, "hpa: 0 requests"), "%s", idx);
    free(html);
}

Test(hostile, tier_name_in_a_crafted_results_file)
{
    /* three tiers: tier names appear in legends only when there are several */
    results_of("multitier", "ok.h5", (const char *[]){"--policy", "hpa", NULL});
    craft("ok.h5", "tier.h5", "tier", "app", "a'.system('touch MARKER').'");
    char h5[400], rep[400];
    const char *args[] = {"report", hpath(h5, sizeof h5, "tier.h5"), "-o",
                          hpath(rep, sizeof rep, "rep"), NULL};
    int st = simrun_in(hdir, args);
    assert_nothing_ran("tier name");
    cr_assert_eq(st, 2, "exit %d", st);
    assert_log_has("a'.system('touch MARKER').'");
}

/* A trace file name reaches forecast --plot's title: quotes are quoted,
 * a control character is refused, and nothing runs either way. */
Test(hostile, forecast_plot_trace_names)
{
    const char *names[] = {"t'.system('touch MARKER1').'.csv", "t\n!touch MARKER2\n.csv",
                           "t`touch MARKER3`.csv", "t'`touch MARKER4`'.csv",
                           "t' ; system('touch MARKER5') ; '.csv"};
    char src[PATH_MAX + 48];
    snprintf(src, sizeof src, "%s/tests/data/synthetic_seasonal.csv", root);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char tr[400], plot[400], rel[32];
        copy_file(src, hpath(tr, sizeof tr, names[i]));
        snprintf(rel, sizeof rel, "fc%zu", i);
        const char *args[] = {"forecast", tr, "--forecaster", "seasonal_naive,ewma",
                              "--horizon", "3", "--stride", "240", "--plot",
                              hpath(plot, sizeof plot, rel), NULL};
        int st = simrun_in(hdir, args);
        assert_nothing_ran(names[i]);
        if (strchr(names[i], '\n') != NULL) {
            cr_assert_eq(st, 2, "%s: exit %d", names[i], st);
            assert_log_has("control character");
        } else {
            /* drawn, with the name shown as it is */
            cr_assert_eq(st, 0, "%s: exit %d", names[i], st);
            char gp[450];
            snprintf(gp, sizeof gp, "%s/forecast.gp", plot);
            char *t = th_slurp(gp, NULL);
            cr_assert_not_null(t);
            cr_assert(strstr(t, "set title 'Forecast error by horizon - t") != NULL, "%s", t);
            free(t);
        }
    }
}

/* ---- folders ------------------------------------------------------------ */

static int exists(const char *rel)
{
    char p[400];
    struct stat st;
    return lstat(hpath(p, sizeof p, rel), &st) == 0;
}

static int is_regular(const char *rel)
{
    char p[400];
    struct stat st;
    return lstat(hpath(p, sizeof p, rel), &st) == 0 && S_ISREG(st.st_mode);
}

static int report_into(const char *h5, const char *dir, int force)
{
    char a[400], b[400];
    const char *args[] = {"report", hpath(a, sizeof a, h5), "-o", hpath(b, sizeof b, dir),
                          force ? "--force" : NULL, NULL};
    return simrun_in(hdir, args);
}

Test(hostile, foreign_folder_needs_force)
{
    results_of("spike", "ok.h5", (const char *[]){"--policy", "hpa", NULL});
    char p[400];
    cr_assert_eq(mkdir(hpath(p, sizeof p, "mine"), 0755), 0);
    spit(hpath(p, sizeof p, "mine/notes.txt"), "my notes\n");
    int st = report_into("ok.h5", "mine", 0);
    cr_assert_neq(st, 0, "wrote into a folder simrun did not make");
    assert_log_has("--force");
    cr_assert(is_regular("mine/notes.txt"), "a foreign folder was emptied");
    cr_assert(!exists("mine/index.html") && !exists("mine/report.gp"),
              "wrote into a folder simrun did not make");
    /* --force replaces it as a whole */
    cr_assert_eq(report_into("ok.h5", "mine", 1), 0);
    cr_assert(is_regular("mine/index.html") && !exists("mine/notes.txt"));
    /* now it is ours: a second report needs no --force */
    cr_assert_eq(report_into("ok.h5", "mine", 0), 0);
}

Test(hostile, run_does_not_write_into_a_foreign_reports_folder)
{
    /* -o x.h5 draws reports/x/: a folder of that name simrun did not make
     * is refused before anything runs, and replaced whole with --force */
    char p[400], ini[PATH_MAX + 32];
    cr_assert_eq(mkdir(hpath(p, sizeof p, "reports"), 0755), 0);
    cr_assert_eq(mkdir(hpath(p, sizeof p, "reports/x"), 0755), 0);
    spit(hpath(p, sizeof p, "reports/x/notes.txt"), "mine\n");
    snprintf(ini, sizeof ini, "%s/scenarios/spike.ini", root);
    const char *args[] = {ini, "--set", "scenario.duration=2h", "--policy", "hpa",
                          "-q", "-j", "1", "-o", "x.h5", NULL};
    cr_assert_eq(simrun_in(hdir, args), 2);
    cr_assert(is_regular("reports/x/notes.txt") && !exists("reports/x/index.html"));
    cr_assert(!exists("x.h5"), "refused before any run: no results file");
    const char *forced[] = {ini, "--set", "scenario.duration=2h", "--policy", "hpa", "-q",
                            "-j", "1", "-o", "x.h5", "--force", NULL};
    cr_assert_eq(simrun_in(hdir, forced), 0);
    cr_assert(is_regular("reports/x/index.html") && !exists("reports/x/notes.txt"));
    cr_assert(!exists("reports/spike"), "the report follows the results file's name");
}

Test(hostile, symlinks_are_not_followed)
{
    results_of("spike", "ok.h5", (const char *[]){"--policy", "hpa", NULL});
    char p[400], v[400];
    spit(hpath(v, sizeof v, "victim.txt"), "precious\n");
    /* a symlinked index.html inside a report folder of ours */
    cr_assert_eq(report_into("ok.h5", "rep", 0), 0);
    cr_assert_eq(unlink(hpath(p, sizeof p, "rep/index.html")), 0);
    cr_assert_eq(symlink(v, p), 0);
    cr_assert_eq(report_into("ok.h5", "rep", 0), 0);
    char *t = th_slurp(v, NULL);
    cr_assert_str_eq(t, "precious\n", "the target of a symlinked index.html was overwritten");
    free(t);
    cr_assert(is_regular("rep/index.html"));
    /* the report folder itself a symlink to someone's folder */
    cr_assert_eq(mkdir(hpath(p, sizeof p, "theirs"), 0755), 0);
    spit(hpath(p, sizeof p, "theirs/keep.txt"), "keep\n");
    cr_assert_eq(symlink(hpath(p, sizeof p, "theirs"), hpath(v, sizeof v, "link")), 0);
    cr_assert_neq(report_into("ok.h5", "link", 0), 0);
    cr_assert(is_regular("theirs/keep.txt") && !exists("theirs/index.html"));
    cr_assert_eq(report_into("ok.h5", "link", 1), 0);
    cr_assert(is_regular("theirs/keep.txt") && !exists("theirs/index.html"),
              "--force wrote through a symlink");
    struct stat st;
    cr_assert(lstat(hpath(p, sizeof p, "link"), &st) == 0 && S_ISDIR(st.st_mode));
}

Test(hostile, stale_figures_do_not_survive)
{
    results_of("spike", "three.h5",
               (const char *[]){"--policy", "hpa", "--policy", "static", "--policy", "oracle",
                                NULL});
    results_of("spike", "one.h5", (const char *[]){"--policy", "hpa", NULL});
    cr_assert_eq(report_into("three.h5", "rep", 0), 0);
    cr_assert(is_regular("rep/run03_oracle.png"));
    /* the folder shows three.h5: another file's report replaces it only
     * with --force, and then as a whole */
    cr_assert_neq(report_into("one.h5", "rep", 0), 0);
    cr_assert(is_regular("rep/run03_oracle.png"));
    cr_assert_eq(report_into("one.h5", "rep", 1), 0);
    cr_assert(is_regular("rep/run01_hpa.png"));
    cr_assert(!exists("rep/run02_static.png") && !exists("rep/run03_oracle.png") &&
                  !exists("rep/data/run03.dat"),
              "figures of the earlier report survived");
}
