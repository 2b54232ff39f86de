/* fuzz_report.c - libFuzzer harness: the report writer (plots/) on results
 * files whose names and texts are the fuzzer's. The input is fields split
 * at NUL bytes:
 *   0 results file name   1 scenario_name   2 description   3 overrides
 *   4 name of run 1       5 kind of run 1   6 name of run 2  7 kind of run 2
 *   8 name of tier 1      9 name of tier 2  10 reason of run 1's actions
 *   11 report folder name
 * A missing or empty field keeps the template's value. The template is a
 * real results file (tests/fuzz/report_base.h5: multitier.ini, 1 h, runs
 * hpa and target, tiers web, app and db; $FUZZ_REPORT_BASE overrides),
 * edited here with HDF5: attributes rewritten, /summary's run and kind
 * fields set, groups renamed, action reasons set. The report is written
 * without running gnuplot (only the script matters), then:
 *  - a report written: report.gp has no line starting with '!', and no
 *    system(, backquote or double quote outside a comment or a single-
 *    quoted string (this library writes none, so any would come from the
 *    input), checked here and by plot_gp_lint; index.html holds no
 *    "<script";
 *  - a report refused: a one-line message, and no folder left behind
 *    (neither the report nor a temporary one).
 * Everything lives in /tmp/fuzz_report_PID/, emptied after every input. */
#include "fuzz_common.h"
#include "plot_outdir.h"
#include "plot_report.h"
#include "plot_script.h"
#include "sim_results.h"

#include <dirent.h>
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { F_FILE, F_SCEN, F_DESC, F_OVER, F_RUN1, F_KIND1, F_RUN2, F_KIND2, F_TIER1, F_TIER2,
       F_REASON, F_OUT, NFIELD };

static char *base_bytes;
static size_t base_len;
static char work[128];

static void load_base(void)
{
    const char *p = getenv("FUZZ_REPORT_BASE");
    FILE *f = fopen(p && *p ? p : "tests/fuzz/report_base.h5", "rb");
    if (f == NULL) {
        fprintf(stderr, "fuzz_report: no template (run from the project root or set "
                        "FUZZ_REPORT_BASE)\n");
        abort();
    }
    fseek(f, 0, SEEK_END);
    base_len = (size_t)ftell(f);
    rewind(f);
    base_bytes = malloc(base_len);
    if (base_bytes == NULL || fread(base_bytes, 1, base_len, f) != base_len)
        abort();
    fclose(f);
    snprintf(work, sizeof work, "/tmp/fuzz_report_%d", (int)getpid());
    mkdir(work, 0777);
    sim_results_quiet();
}

/* Set a root string attribute (fixed length, as simrun writes them). */
static void set_attr(hid_t file, const char *name, const char *v)
{
    if (H5Aexists(file, name) > 0)
        H5Adelete(file, name);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(v) + 1);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(file, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        H5Awrite(a, t, v);
        H5Aclose(a);
    }
    H5Sclose(sp);
    H5Tclose(t);
}

/* In dataset path, set string member `member` of row `row` (-1: every row)
 * to v (cut to the member's size). */
static void set_member(hid_t file, const char *path, const char *member, int row, const char *v)
{
    hid_t ds = H5Dopen2(file, path, H5P_DEFAULT);
    if (ds < 0)
        return;
    hid_t ft = H5Dget_type(ds), mt = H5Tget_native_type(ft, H5T_DIR_ASCEND);
    hid_t sp = H5Dget_space(ds);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    int idx = H5Tget_member_index(mt, member);
    size_t rs = H5Tget_size(mt);
    char *buf = n > 0 ? calloc((size_t)n, rs) : NULL;
    if (idx >= 0 && buf != NULL && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
        size_t off = H5Tget_member_offset(mt, (unsigned)idx);
        hid_t st = H5Tget_member_type(mt, (unsigned)idx);
        size_t sz = H5Tget_size(st);
        H5Tclose(st);
        for (hssize_t i = 0; i < n; i++)
            if (row < 0 || i == row) {
                memset(buf + (size_t)i * rs + off, 0, sz);
                memcpy(buf + (size_t)i * rs + off, v, strlen(v) < sz ? strlen(v) : sz - 1);
            }
        H5Dwrite(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    }
    free(buf);
    H5Sclose(sp);
    H5Tclose(mt);
    H5Tclose(ft);
    H5Dclose(ds);
}

static void move(hid_t file, const char *from, const char *to)
{
    H5Lmove(file, from, file, to, H5P_DEFAULT, H5P_DEFAULT);
}

static void rename_tier(hid_t file, const char *old, const char *neu, const char *runs[2])
{
    char a[600], b[600];
    snprintf(a, sizeof a, "/tiers/%s", old);
    snprintf(b, sizeof b, "/tiers/%s", neu);
    move(file, a, b);
    for (int r = 0; r < 2; r++) {
        snprintf(a, sizeof a, "/runs/%s/tiers/%s", runs[r], old);
        snprintf(b, sizeof b, "/runs/%s/tiers/%s", runs[r], neu);
        move(file, a, b);
    }
}

/* Copy the template to path and apply the fields. */
static int make_file(const char *path, const char *fld[NFIELD])
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    fwrite(base_bytes, 1, base_len, f);
    fclose(f);
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (file < 0)
        return -1;
    if (fld[F_SCEN])
        set_attr(file, "scenario_name", fld[F_SCEN]);
    if (fld[F_DESC])
        set_attr(file, "description", fld[F_DESC]);
    if (fld[F_OVER])
        set_attr(file, "overrides", fld[F_OVER]);
    const char *runs[2] = {"hpa", "target"};
    if (fld[F_REASON])
        set_member(file, "/runs/hpa/actions", "reason", -1, fld[F_REASON]);
    for (int r = 0; r < 2; r++) {
        const char *name = fld[r ? F_RUN2 : F_RUN1], *kind = fld[r ? F_KIND2 : F_KIND1];
        if (kind)
            set_member(file, "/summary", "kind", r, kind);
        if (name) {
            char a[64], b[600];
            snprintf(a, sizeof a, "/runs/%s", runs[r]);
            snprintf(b, sizeof b, "/runs/%s", name);
            set_member(file, "/summary", "run", r, name);
            if (H5Lmove(file, a, file, b, H5P_DEFAULT, H5P_DEFAULT) >= 0)
                runs[r] = name;
        }
    }
    if (fld[F_TIER1])
        rename_tier(file, "web", fld[F_TIER1], runs);
    if (fld[F_TIER2])
        rename_tier(file, "app", fld[F_TIER2], runs);
    H5Fclose(file);
    return 0;
}

/* Independent of plot_gp_lint: 1 when the script has a line starting with
 * '!', or a backquote or system( outside comments and single-quoted
 * strings (the only place input may stand: names are checked, and the
 * results path is quoted in a comment), or a double quote. */
static int dangerous(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || s[i - 1] == '\n') {
            size_t k = i;
            while (k < n && (s[k] == ' ' || s[k] == '\t'))
                k++;
            if (k < n && s[k] == '!')
                return 1;
        }
        if (s[i] == '#') {
            while (i + 1 < n && s[i + 1] != '\n')
                i++;
        } else if (s[i] == '\'') {
            size_t k = i + 1; /* '' is a quote inside */
            for (;;) {
                if (k >= n || s[k] == '\n')
                    return 1; /* a string that does not end on its line */
                if (s[k] == '\'' && k + 1 < n && s[k + 1] == '\'')
                    k += 2;
                else if (s[k] == '\'')
                    break;
                else
                    k++;
            }
            i = k;
        } else if (s[i] == '`' || s[i] == '"') {
            return 1;
        } else if (n - i >= 7 && memcmp(s + i, "system", 6) == 0) {
            size_t k = i + 6;
            while (k < n && s[k] == ' ')
                k++;
            if (k < n && s[k] == '(')
                return 1;
        }
    }
    return 0;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *text = NULL;
    FILE *m = open_memstream(&text, n);
    char buf[4096];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, r, m);
    fclose(f);
    fclose(m);
    return text;
}

/* The checks on a written report. */
static void check_report(const char *dir)
{
    char p[1200];
    size_t n = 0;
    snprintf(p, sizeof p, "%s/report.gp", dir);
    char *gp = slurp(p, &n);
    if (gp == NULL)
        abort(); /* a report without its script */
    if (dangerous(gp, n) || plot_gp_lint(gp, n) != NULL)
        abort(); /* a shell command, a backquote or system( outside a string */
    free(gp);
    snprintf(p, sizeof p, "%s/index.html", dir);
    char *html = slurp(p, &n);
    if (html == NULL)
        abort();
    if (memmem(html, n, "<script", 7) != NULL)
        abort(); /* we write no script: this came from the input */
    free(html);
}

/* Entries left in the work folder besides the results file. */
static int leftovers(const char *h5name)
{
    DIR *d = opendir(work);
    int k = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, h5name))
            k++;
    if (d)
        closedir(d);
    return k;
}

/* A file or folder name inside the work folder: no '/', not . or .. */
static void as_file_name(char *dst, size_t n, const char *src, const char *dflt)
{
    snprintf(dst, n, "%s", src && *src ? src : dflt);
    for (char *c = dst; *c; c++)
        if (*c == '/')
            *c = '_';
    if (strcmp(dst, ".") == 0 || strcmp(dst, "..") == 0)
        snprintf(dst, n, "%s", dflt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (base_bytes == NULL)
        load_base();
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *fld[NFIELD] = {0};
    size_t at = 0;
    for (int k = 0; k < NFIELD && at <= size; k++) {
        fld[k] = copy[at] ? copy + at : NULL;
        at += strlen(copy + at) + 1;
    }
    char h5name[256], outname[256], h5[512], out[512];
    as_file_name(h5name, sizeof h5name, fld[F_FILE], "r.h5");
    as_file_name(outname, sizeof outname, fld[F_OUT], "rep");
    if (strcmp(h5name, outname) == 0)
        snprintf(outname, sizeof outname, "rep");
    snprintf(h5, sizeof h5, "%s/%s", work, h5name);
    snprintf(out, sizeof out, "%s/%s", work, outname);
    if (make_file(h5, fld) == 0) {
        plot_report_opts o = {PLOT_PNG, NULL, 0, 0, 1};
        as_err err = {0};
        int rc = plot_report_ex(h5, out, &o, NULL, &err);
        if (rc == AS_OK)
            check_report(out);
        else if (err.msg[0] == '\0' || strchr(err.msg, '\n') != NULL)
            abort(); /* a refusal says why, in one line */
        else if (leftovers(h5name) != 0)
            abort(); /* a refused report leaves nothing behind */
    }
    plot_rm_tree(out, NULL);
    unlink(h5);
    free(copy);
    return 0;
}
