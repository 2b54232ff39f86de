/* test_plot.c - the pieces of plots/ that keep inputs in their place: the
 * gnuplot quoting function and the script lint (plot_script.h), the HTML
 * escape (plot_html.h), output folders swapped in whole without following
 * links (plot_outdir.h), and the O(n log n) Pareto front against the
 * pairwise definition. Works in the test's own folder (th_tmpdir). */
#include "plot_html.h"
#include "plot_int.h"
#include "plot_outdir.h"
#include "plot_script.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- quoting ----------------------------------------------------------- */

Test(plot_script, quote_doubles_quotes_and_keeps_the_rest)
{
    char q[128];
    as_err e = {0};
    cr_assert_eq(plot_gp_quote("web", q, sizeof q, "tier", &e), AS_OK);
    cr_assert_str_eq(q, "'web'");
    cr_assert_eq(plot_gp_quote("a'.system('touch M').'", q, sizeof q, "tier", &e), AS_OK);
    cr_assert_str_eq(q, "'a''.system(''touch M'').'''");
    cr_assert_eq(plot_gp_quote("`id` @x \\", q, sizeof q, "t", &e), AS_OK);
    cr_assert_str_eq(q, "'`id` @x \\'");
    cr_assert_eq(plot_gp_quote("", q, sizeof q, "t", &e), AS_OK);
    cr_assert_str_eq(q, "''");
    cr_assert_eq(plot_gp_quote("caf\xc3\xa9", q, sizeof q, "t", &e), AS_OK);
    /* 2 * strlen + 3 always fits; one byte less does not */
    const char *s = "''''";
    cr_assert_eq(plot_gp_quote(s, q, 2 * strlen(s) + 3, "t", &e), AS_OK);
    cr_assert_eq(plot_gp_quote(s, q, 2 * strlen(s) + 2, "t", &e), AS_ERANGE);
}

Test(plot_script, quote_refuses_every_control_character)
{
    for (int c = 1; c < 0x80; c++) {
        if (c >= 0x20 && c != 0x7f)
            continue;
        char s[8] = {'a', (char)c, 'b', '\0'}, q[32];
        as_err e = {0};
        cr_assert_eq(plot_gp_quote(s, q, sizeof q, "run kind", &e), AS_EINVAL, "byte %d", c);
        cr_assert(strstr(e.msg, "run kind") && strstr(e.msg, "at byte 2"), "%s", e.msg);
        for (const char *p = e.msg; *p; p++)
            cr_assert((unsigned char)*p >= 0x20, "control byte in the message: %s", e.msg);
    }
}

/* The writer refuses the whole script once one string is refused. */
Test(plot_script, a_refused_string_stops_the_script)
{
    plot_gp *g = plot_gp_new();
    cr_assert_not_null(g);
    plot_gp_puts(g, "set title ");
    plot_gp_str(g, "title", "x\n!touch MARKER");
    plot_gp_puts(g, "\nplot 1\n");
    const char *t = NULL;
    size_t n = 0;
    as_err e = {0};
    cr_assert_eq(plot_gp_finish(g, &t, &n, &e), AS_EINVAL);
    cr_assert_null(t);
    cr_assert(strstr(e.msg, "title \"x\\n!touch MARKER\"") != NULL, "%s", e.msg);
    plot_gp_free(g);
    /* a well-quoted one passes, comments included */
    g = plot_gp_new();
    plot_gp_comment(g, "results file:", "results file path", "a'b\\");
    plot_gp_puts(g, "set title ");
    plot_gp_str(g, "title", "x'; system('id'); `id`");
    plot_gp_puts(g, "\n");
    cr_assert_eq(plot_gp_finish(g, &t, &n, &e), AS_OK, "%s", e.msg);
    cr_assert_str_eq(t, "# results file: 'a''b\\'\nset title 'x''; system(''id''); `id`'\n");
    plot_gp_free(g);
}

Test(plot_script, lint)
{
    const char *ok[] = {
        "set title 'a' font ',13'\nplot 'data/x.dat' using 1:2 title 'it''s'\n",
        "# comment with ' and ` and system(x)\nU = 60  # units\n",
        "set title '`id` system(1) !x'\n", "plot 1, \\\n     2\n", "",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        cr_assert_null(plot_gp_lint(ok[i], strlen(ok[i])), "case %zu: %s", i,
                       plot_gp_lint(ok[i], strlen(ok[i])));
    const char *bad[] = {
        "!touch x\n",          "set x\n  !id\n",        "set title `id`\n",
        "print system('id')\n", "print system ('id')\n", "set title \"a\"\n",
        "# end \\\n!id\n",      "set title 'open\n",     "set title 'a\nb'\n",
        "set title 'a'\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not_null(plot_gp_lint(bad[i], strlen(bad[i])), "accepted case %zu", i);
}

/* ---- HTML ------------------------------------------------------------- */

Test(plot_html, escape_text_and_attributes)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    plot_html_esc(f, "<script>alert('x')</script>&\"a\"\x01\x1b[2J");
    fclose(f);
    cr_assert_str_eq(buf, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;a&quot;"
                          "\xef\xbf\xbd\xef\xbf\xbd[2J");
    free(buf);
}

/* ---- output folders ---------------------------------------------------- */

static char tdir[128];

static void tdir_init(void)
{
    snprintf(tdir, sizeof tdir, "%s", th_tmpdir());
}

static const char *tp(char *buf, const char *rel)
{
    snprintf(buf, 300, "%s/%s", tdir, rel);
    return buf;
}

static void put(const char *rel, const char *text)
{
    char p[300];
    FILE *f = fopen(tp(p, rel), "w");
    cr_assert_not_null(f, "%s", p);
    fputs(text, f);
    fclose(f);
}

static int has(const char *rel)
{
    char p[300];
    struct stat st;
    return lstat(tp(p, rel), &st) == 0;
}

static int entries(const char *rel)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "ls -A %s/%s | wc -l", tdir, rel);
    FILE *f = popen(cmd, "r");
    int k = -1;
    cr_assert_eq(fscanf(f, "%d", &k), 1);
    pclose(f);
    return k;
}

/* Build target with one file `name` holding text; commit. */
static int write_dir(const char *target, int force, const char *name, as_err *e)
{
    char p[300];
    plot_outdir o;
    int rc = plot_outdir_begin(&o, tp(p, target), force, e);
    if (rc != AS_OK)
        return rc;
    FILE *f = plot_outdir_fopen(&o, name, e);
    cr_assert_not_null(f, "%s", e->msg);
    fputs("new\n", f);
    cr_assert_eq(plot_outdir_fclose(&o, f, name, e), AS_OK);
    rc = plot_outdir_commit(&o, e);
    plot_outdir_end(&o);
    return rc;
}

TestSuite(plot_outdir, .init = tdir_init);

Test(plot_outdir, new_ours_foreign_forced)
{
    as_err e = {0};
    cr_assert_eq(write_dir("a/b/rep", 0, "one.txt", &e), AS_OK, "%s", e.msg);
    cr_assert(has("a/b/rep/one.txt") && has("a/b/rep/" PLOT_OUTDIR_MARKER));
    /* ours: replaced whole, no temporary folder left beside it */
    cr_assert_eq(write_dir("a/b/rep", 0, "two.txt", &e), AS_OK, "%s", e.msg);
    cr_assert(has("a/b/rep/two.txt") && !has("a/b/rep/one.txt"));
    cr_assert_eq(entries("a/b"), 1);
    /* foreign: refused without force, untouched */
    char p[300];
    cr_assert_eq(mkdir(tp(p, "mine"), 0755), 0);
    put("mine/notes", "mine\n");
    cr_assert_eq(write_dir("mine", 0, "x", &e), AS_EEXIST);
    cr_assert(strstr(e.msg, "--force") != NULL, "%s", e.msg);
    cr_assert(has("mine/notes") && !has("mine/x"));
    cr_assert_eq(entries(""), 2, "a temporary folder was left");
    cr_assert_eq(write_dir("mine", 1, "x", &e), AS_OK, "%s", e.msg);
    cr_assert(!has("mine/notes") && has("mine/x"));
    /* not a folder of its own */
    cr_assert_eq(write_dir(".", 1, "x", &e), AS_EINVAL);
    cr_assert_eq(write_dir("a/..", 1, "x", &e), AS_EINVAL);
}

Test(plot_outdir, links_are_removed_not_followed)
{
    as_err e = {0};
    char p[300], q[300];
    cr_assert_eq(mkdir(tp(p, "outside"), 0755), 0);
    put("outside/keep", "keep\n");
    put("victim", "precious\n");
    /* an old report of ours holding links to a file and to a folder */
    cr_assert_eq(write_dir("rep", 0, "index.html", &e), AS_OK, "%s", e.msg);
    cr_assert_eq(unlink(tp(p, "rep/index.html")), 0);
    cr_assert_eq(symlink(tp(q, "victim"), p), 0);
    cr_assert_eq(symlink(tp(q, "outside"), tp(p, "rep/data")), 0);
    cr_assert_eq(write_dir("rep", 0, "index.html", &e), AS_OK, "%s", e.msg);
    char buf[32] = {0};
    FILE *f = fopen(tp(p, "victim"), "r");
    cr_assert(fgets(buf, sizeof buf, f) != NULL);
    fclose(f);
    cr_assert_str_eq(buf, "precious\n");
    cr_assert(has("outside/keep"));
    /* the target itself a link: refused, then replaced as a link */
    cr_assert_eq(symlink(tp(q, "outside"), tp(p, "link")), 0);
    cr_assert_eq(write_dir("link", 0, "x", &e), AS_EEXIST);
    cr_assert_eq(write_dir("link", 1, "x", &e), AS_OK, "%s", e.msg);
    cr_assert(has("outside/keep") && !has("outside/x") && has("link/x"));
    /* plot_rm_tree on a tree with a link inside */
    cr_assert_eq(mkdir(tp(p, "tree"), 0755), 0);
    cr_assert_eq(symlink(tp(q, "outside"), tp(p, "tree/l")), 0);
    cr_assert_eq(plot_rm_tree(tp(p, "tree"), &e), AS_OK, "%s", e.msg);
    cr_assert(!has("tree") && has("outside/keep"));
    cr_assert_eq(plot_rm_tree(tp(p, "tree"), &e), AS_OK, "absent is fine");
}

Test(plot_outdir, failure_leaves_the_target_alone)
{
    as_err e = {0};
    cr_assert_eq(write_dir("rep", 0, "old", &e), AS_OK, "%s", e.msg);
    char p[300];
    plot_outdir o;
    cr_assert_eq(plot_outdir_begin(&o, tp(p, "rep"), 0, &e), AS_OK, "%s", e.msg);
    FILE *f = plot_outdir_fopen(&o, "half", &e);
    cr_assert_not_null(f);
    fclose(f);
    /* a file is never opened twice (O_EXCL): no write through a planted link */
    cr_assert_null(plot_outdir_fopen(&o, "half", &e));
    plot_outdir_end(&o); /* no commit: the temporary folder goes */
    cr_assert(has("rep/old") && !has("rep/half"));
    cr_assert_eq(entries(""), 1);
}

/* ---- Pareto front ------------------------------------------------------ */

Test(plot_pareto, matches_the_pairwise_definition)
{
    srand(7);
    for (int round = 0; round < 200; round++) {
        int n = 1 + rand() % 60;
        sim_summary_row *r = calloc((size_t)n, sizeof *r);
        int *front = calloc((size_t)n, sizeof *front);
        for (int i = 0; i < n; i++) {
            /* few distinct values: many ties in cost, in p95, in both */
            r[i].cost_total = rand() % 8;
            r[i].p95 = (rand() % 8) * 0.1;
            int odd = rand() % 40;
            if (odd == 0)
                r[i].cost_total = NAN;
            else if (odd == 1)
                r[i].p95 = INFINITY;
        }
        as_err e = {0};
        cr_assert_eq(plot_pareto(r, n, front, &e), AS_OK);
        for (int i = 0; i < n; i++) {
            int dom = !isfinite(r[i].cost_total) || !isfinite(r[i].p95);
            for (int j = 0; j < n && !dom; j++)
                dom = j != i && r[j].cost_total <= r[i].cost_total && r[j].p95 <= r[i].p95 &&
                      (r[j].cost_total < r[i].cost_total || r[j].p95 < r[i].p95);
            cr_assert_eq(front[i], !dom, "round %d run %d", round, i);
        }
        free(r);
        free(front);
    }
}
