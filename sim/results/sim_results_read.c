/* sim_results_read.c - read-only access to a results file: the reader
 * object of reports, and the one-call readers of show, check and batches.
 * Tables are read the way sim_results.c writes them: a memory compound type
 * built from a column list, so HDF5 matches members by name. A file written
 * by a later version with extra columns still reads; a file missing one of
 * these columns fails with a message naming the file and the dataset.
 * The column lists are sim_results_h5.c's (sim_results_int.h). A chunk
 * whose Fletcher-32 checksum fails is refused as a damaged file. */
#include "sim_results_read.h"
#include "sim_results_int.h"

#include "as_name.h"
#include "as_param.h"

#include <hdf5.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct sim_reader {
    hid_t file;
    char path[1024]; /* as messages show it (as_name_printable) */
};

/* Open path; with `whole`, also check that it has /summary and /runs (the
 * one-call readers look for just what they read). */
static sim_reader *reader_open(const char *path, int whole, as_err *err)
{
    /* HDF5 prints its error stack by default; our messages replace it */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    char shown[sizeof ((sim_reader *)0)->path];
    as_name_printable(path, shown, sizeof shown); /* the user's bytes: never raw in a message */
    struct stat st;
    if (stat(path, &st) != 0) {
        as_err_set(err, AS_EINVAL, "%s: no such file", shown);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        as_err_set(err, AS_EINVAL, "%s: not a regular file", shown);
        return NULL;
    }
    /* H5Fis_hdf5 checks the signature only; a truncated file passes it and
     * fails in H5Fopen (end of file below the superblock's end address) */
    if (H5Fis_hdf5(path) <= 0) {
        as_err_set(err, AS_EINVAL, "%s: not an HDF5 file (or truncated)", shown);
        return NULL;
    }
    sim_reader *r = calloc(1, sizeof *r);
    if (r == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(r->path, sizeof r->path, "%s", shown);
    r->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (r->file < 0) {
        as_err_set(err, AS_EINVAL, "%s: cannot open as HDF5 (truncated or damaged?)", shown);
        free(r);
        return NULL;
    }
    if (whole && (H5Lexists(r->file, "summary", H5P_DEFAULT) <= 0 ||
                  H5Lexists(r->file, "runs", H5P_DEFAULT) <= 0)) {
        as_err_set(err, AS_EINVAL, "%s: not a simrun results file (no /summary or /runs)", shown);
        sim_reader_close(r);
        return NULL;
    }
    return r;
}

sim_reader *sim_reader_open(const char *path, as_err *err)
{
    return reader_open(path, 1, err);
}

void sim_reader_close(sim_reader *r)
{
    if (r == NULL)
        return;
    if (r->file >= 0)
        H5Fclose(r->file);
    free(r);
}

const char *sim_reader_path(const sim_reader *r) { return r->path; }

/* Why H5Dread failed: a checksum mismatch (a flipped bit) says so, other
 * failures are columns we cannot convert or a truncated file. */
static int read_failed(const char *path, const char *name, as_err *err)
{
    char what[160];
    snprintf(what, sizeof what, "cannot read %s", name);
    as_err e = {0};
    if (sim_h5_fail(&e, path, what) == AS_EINVAL)
        return as_err_set(err, AS_EINVAL, "%s", e.msg);
    return as_err_set(err, AS_EINVAL,
                      "%s: cannot read %s (unexpected columns, or the file is truncated)", path,
                      name);
}

/* Read dataset `name` into a fresh array of n rows of row_size bytes. An
 * empty dataset gives *rows = NULL, *n = 0. */
static int read_table(sim_reader *r, const char *name, const sim_col *cols, size_t row_size,
                      void **rows, size_t *n, as_err *err)
{
    *rows = NULL;
    *n = 0;
    /* H5Dopen2 on "/runs/x/y" fails cleanly when a link on the way is missing */
    hid_t ds = H5Dopen2(r->file, name, H5P_DEFAULT);
    if (ds < 0)
        return as_err_set(err, AS_EINVAL, "%s: no dataset %s (not a simrun results file?)",
                          r->path, name);
    if (sim_h5_check_table(ds, cols, r->path, name, err) != AS_OK) {
        H5Dclose(ds);
        return AS_EINVAL;
    }
    hid_t sp = H5Dget_space(ds);
    hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (sp >= 0)
        H5Sclose(sp);
    hid_t t = sim_h5_type(cols, row_size);
    void *buf = np > 0 ? calloc((size_t)np, row_size) : NULL;
    int rc = AS_OK;
    if (np < 0)
        rc = as_err_set(err, AS_EINVAL, "%s: %s is damaged", r->path, name);
    else if (np > 0 && buf == NULL)
        rc = as_err_set(err, AS_ENOMEM, "%s: out of memory reading %s", r->path, name);
    else if (np > 0 && H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        rc = read_failed(r->path, name, err);
    H5Tclose(t);
    H5Dclose(ds);
    if (rc != AS_OK) {
        free(buf);
        return rc;
    }
    *rows = buf;
    *n = (size_t)(np > 0 ? np : 0);
    return AS_OK;
}

/* String attribute `name` of object loc into a malloc'd string. Handles
 * both fixed-length (what sim_results.c writes) and variable-length strings
 * (what h5py writes by default), so hand-edited files read too. */
static int attr_string(hid_t loc, const char *name, char **out, const char *path, as_err *err)
{
    *out = NULL;
    if (H5Aexists(loc, name) <= 0)
        return as_err_set(err, AS_ENOTFOUND, "%s: no attribute %s", path, name);
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t ft = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    int rc = AS_OK;
    if (a < 0 || ft < 0 || H5Tget_class(ft) != H5T_STRING) {
        rc = as_err_set(err, AS_EINVAL, "%s: attribute %s is not a string", path, name);
    } else if (H5Tis_variable_str(ft) > 0) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        char *v = NULL;
        if (H5Aread(a, mt, &v) < 0 || v == NULL)
            rc = as_err_set(err, AS_EINVAL, "%s: cannot read attribute %s", path, name);
        else if ((*out = strdup(v)) == NULL)
            rc = as_err_set(err, AS_ENOMEM, "out of memory");
        if (v != NULL)
            H5free_memory(v);
        H5Tclose(mt);
    } else {
        size_t len = H5Tget_size(ft);
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, len + 1);
        H5Tset_strpad(mt, H5T_STR_NULLTERM);
        char *v = calloc(len + 2, 1);
        if (v == NULL)
            rc = as_err_set(err, AS_ENOMEM, "out of memory");
        else if (H5Aread(a, mt, v) < 0)
            rc = as_err_set(err, AS_EINVAL, "%s: cannot read attribute %s", path, name);
        if (rc == AS_OK)
            *out = v;
        else
            free(v);
        H5Tclose(mt);
    }
    if (ft >= 0)
        H5Tclose(ft);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

static int attr_number(hid_t loc, const char *name, double *v, const char *path, as_err *err)
{
    if (H5Aexists(loc, name) <= 0)
        return as_err_set(err, AS_ENOTFOUND, "%s: no attribute %s", path, name);
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    int rc = AS_OK;
    /* H5Aread converts any integer or float type to double */
    if (a < 0 || H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0)
        rc = as_err_set(err, AS_EINVAL, "%s: attribute %s is not a number", path, name);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

int sim_reader_attr_alloc(sim_reader *r, const char *name, char **out, as_err *err)
{
    int rc = attr_string(r->file, name, out, r->path, err);
    return rc == AS_ENOTFOUND ? as_err_set(err, AS_EINVAL, "%s: no attribute %s", r->path, name)
                              : rc;
}

int sim_reader_attr(sim_reader *r, const char *name, char *buf, size_t n, int optional,
                    as_err *err)
{
    buf[0] = '\0';
    char *v = NULL;
    int rc = attr_string(r->file, name, &v, r->path, err);
    if (rc == AS_ENOTFOUND)
        return optional ? AS_OK : as_err_set(err, AS_EINVAL, "%s: no attribute %s", r->path, name);
    if (rc == AS_OK)
        snprintf(buf, n, "%s", v);
    free(v);
    return rc;
}

int sim_reader_attr_f64(sim_reader *r, const char *name, double *v, int optional, double dflt,
                        as_err *err)
{
    int rc = attr_number(r->file, name, v, r->path, err);
    if (rc == AS_ENOTFOUND) {
        *v = dflt;
        return optional ? AS_OK : as_err_set(err, AS_EINVAL, "%s: no attribute %s", r->path, name);
    }
    return rc;
}

typedef struct attr_walk {
    sim_attr *a;
    int n, cap, nomem;
    const char *path;
} attr_walk;

static herr_t one_attr(hid_t loc, const char *name, const H5A_info_t *info, void *ud)
{
    (void)info;
    attr_walk *w = ud;
    if (w->n == w->cap) {
        int cap = w->cap ? 2 * w->cap : 16;
        sim_attr *a = cap <= 4096 ? realloc(w->a, (size_t)cap * sizeof *a) : NULL;
        if (a == NULL) {
            w->nomem = cap <= 4096;
            return 1; /* stop: out of memory, or a file with absurdly many */
        }
        w->a = a;
        w->cap = cap;
    }
    sim_attr *at = &w->a[w->n++];
    snprintf(at->name, sizeof at->name, "%s", name);
    char *str = NULL;
    double v = 0;
    if (attr_string(loc, name, &str, w->path, NULL) == AS_OK)
        snprintf(at->value, sizeof at->value, "%s", str);
    else if (attr_number(loc, name, &v, w->path, NULL) == AS_OK)
        snprintf(at->value, sizeof at->value, "%.10g", v);
    else
        snprintf(at->value, sizeof at->value, "(not a string or a number)");
    free(str);
    return 0;
}

int sim_reader_group_attrs(sim_reader *r, const char *group, sim_attr **attrs, int *n,
                           as_err *err)
{
    *attrs = NULL;
    *n = 0;
    hid_t g = H5Oopen(r->file, group, H5P_DEFAULT);
    if (g < 0)
        return as_err_set(err, AS_EINVAL, "%s: no group %s", r->path, group);
    attr_walk w = {.path = r->path};
    hsize_t idx = 0;
    herr_t st = H5Aiterate2(g, H5_INDEX_NAME, H5_ITER_INC, &idx, one_attr, &w);
    H5Oclose(g);
    if (w.nomem || st < 0) {
        free(w.a);
        return w.nomem ? as_err_set(err, AS_ENOMEM, "out of memory")
                       : as_err_set(err, AS_EINVAL, "%s: cannot list the attributes of %s",
                                    r->path, group);
    }
    *attrs = w.a;
    *n = w.n;
    return AS_OK;
}

int sim_reader_summary(sim_reader *r, sim_summary_row **rows, int *n, as_err *err)
{
    void *buf = NULL;
    size_t k = 0;
    int rc = read_table(r, "/summary", sim_summary_cols, sizeof(sim_summary_row), &buf, &k, err);
    if (rc != AS_OK)
        return rc;
    for (size_t i = 0; i < k; i++) { /* a damaged file must not leave unterminated names */
        sim_summary_row *s = (sim_summary_row *)buf + i;
        s->run[SIM_STR - 1] = s->kind[SIM_STR - 1] = '\0';
    }
    *rows = buf;
    *n = (int)k;
    return AS_OK;
}

/* The optional sweep_params attribute of run group g into buf. */
static int run_params(sim_reader *r, const char *g, char *buf, size_t n, as_err *err)
{
    buf[0] = '\0';
    hid_t grp = H5Gopen2(r->file, g, H5P_DEFAULT);
    if (grp < 0)
        return as_err_set(err, AS_EINVAL, "%s: cannot open %s", r->path, g);
    char *v = NULL;
    int rc = attr_string(grp, "sweep_params", &v, r->path, err);
    H5Gclose(grp);
    if (rc == AS_ENOTFOUND)
        return AS_OK;
    if (rc == AS_OK)
        snprintf(buf, n, "%s", v);
    free(v);
    return rc;
}

int sim_reader_runs(sim_reader *r, sim_run_info **runs, int *n, as_err *err)
{
    sim_summary_row *rows = NULL;
    int k = 0;
    int rc = sim_reader_summary(r, &rows, &k, err);
    if (rc != AS_OK)
        return rc;
    sim_run_info *out = calloc(k > 0 ? (size_t)k : 1, sizeof *out);
    if (out == NULL) {
        free(rows);
        return as_err_set(err, AS_ENOMEM, "out of memory");
    }
    for (int i = 0; i < k && rc == AS_OK; i++) {
        char g[SIM_STR + 8];
        snprintf(g, sizeof g, "/runs/%s", rows[i].run);
        if (rows[i].run[0] == '\0' || strchr(rows[i].run, '/') ||
            H5Lexists(r->file, g, H5P_DEFAULT) <= 0)
            rc = as_err_set(err, AS_EINVAL, "%s: /summary names run '%s' but %s is missing",
                            r->path, rows[i].run, g);
        snprintf(out[i].name, sizeof out[i].name, "%s", rows[i].run);
        snprintf(out[i].kind, sizeof out[i].kind, "%s", rows[i].kind);
        if (rc == AS_OK)
            rc = run_params(r, g, out[i].params, sizeof out[i].params, err);
    }
    free(rows);
    if (rc != AS_OK) {
        free(out);
        return rc;
    }
    *runs = out;
    *n = k;
    return AS_OK;
}

/* Where "[tier.NAME]" starts in the scenario text (SIZE_MAX if absent). */
static size_t tier_pos(const char *text, const char *name)
{
    char key[SIM_STR + 8];
    snprintf(key, sizeof key, "[tier.%s]", name);
    const char *p = text ? strstr(text, key) : NULL;
    return p ? (size_t)(p - text) : (size_t)-1;
}

int sim_reader_tiers(sim_reader *r, sim_tier_info **tiers, int *n, as_err *err)
{
    hid_t g = H5Gopen2(r->file, "/tiers", H5P_DEFAULT);
    if (g < 0)
        return as_err_set(err, AS_EINVAL, "%s: no group /tiers", r->path);
    /* /tiers does not track creation order, so names come sorted; the
     * actions table refers to tiers by scenario index, so they are put back
     * below in that order: each tier's attribute `index`, or in files
     * written before it, the order of their [tier.NAME] sections in
     * scenario_text.
     * H5Gget_info + H5Lget_name_by_idx rather than H5Literate: the same
     * calls in HDF5 1.10 (Debian) and 1.12+ */
    H5G_info_t gi;
    int rc = AS_OK, ntiers = 0;
    sim_tier_info *out = NULL;
    if (H5Gget_info(g, &gi) < 0)
        rc = as_err_set(err, AS_EINVAL, "%s: cannot list /tiers", r->path);
    else if (gi.nlinks == 0 || gi.nlinks > 64)
        rc = as_err_set(err, AS_EINVAL, "%s: /tiers holds %llu tiers", r->path,
                        (unsigned long long)gi.nlinks);
    else if ((out = calloc((size_t)gi.nlinks, sizeof *out)) == NULL)
        rc = as_err_set(err, AS_ENOMEM, "out of memory");
    else
        ntiers = (int)gi.nlinks;
    for (int i = 0; rc == AS_OK && i < ntiers; i++)
        if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)i, out[i].name,
                               sizeof out[i].name, H5P_DEFAULT) < 0)
            rc = as_err_set(err, AS_EINVAL, "%s: cannot list /tiers", r->path);
    /* the order of the tiers in the scenario's text (files without it keep
     * HDF5's order); out of memory is an error, not another order */
    char *text = NULL;
    if (rc == AS_OK && attr_string(r->file, "scenario_text", &text, r->path, NULL) == AS_ENOMEM)
        rc = as_err_set(err, AS_ENOMEM, "out of memory");
    double *key = rc == AS_OK ? calloc((size_t)ntiers, sizeof *key) : NULL;
    if (rc == AS_OK && key == NULL)
        rc = as_err_set(err, AS_ENOMEM, "out of memory");
    for (int i = 0; rc == AS_OK && i < ntiers; i++) {
        sim_tier_info *ti = &out[i];
        hid_t tg = H5Gopen2(g, ti->name, H5P_DEFAULT);
        if (tg < 0) {
            rc = as_err_set(err, AS_EINVAL, "%s: cannot open /tiers/%s", r->path, ti->name);
            break;
        }
        char *st = NULL;
        as_time d = 0;
        int arc = attr_string(tg, "service_time", &st, r->path, err);
        if (arc == AS_ENOMEM)
            rc = arc; /* memory, not a bad file */
        else if (arc != AS_OK || as_parse_duration(st, &d, NULL) != AS_OK || d <= 0)
            rc = as_err_set(err, AS_EINVAL, "%s: /tiers/%s has no valid service_time", r->path,
                            ti->name);
        free(st);
        ti->service_time_s = as_time_to_s(d);
        if (rc == AS_OK && (attr_number(tg, "concurrency", &ti->concurrency, r->path, err) ||
                            ti->concurrency <= 0))
            rc = as_err_set(err, AS_EINVAL, "%s: /tiers/%s has no valid concurrency", r->path,
                            ti->name);
        /* optional ones: older files may lack them */
        if (attr_number(tg, "visits", &ti->visits, r->path, NULL) != AS_OK || !(ti->visits > 0))
            ti->visits = 1;
        if (attr_number(tg, "price", &ti->price, r->path, NULL) != AS_OK)
            ti->price = NAN;
        if (attr_number(tg, "min", &ti->min, r->path, NULL) != AS_OK)
            ti->min = NAN;
        if (attr_number(tg, "max", &ti->max, r->path, NULL) != AS_OK)
            ti->max = NAN;
        ti->throughput = rc == AS_OK ? ti->concurrency / ti->service_time_s : 0;
        if (attr_number(tg, "index", &key[i], r->path, NULL) != AS_OK || !(key[i] >= 0))
            key[i] = 1e9 + (double)tier_pos(text, ti->name);
        H5Gclose(tg);
    }
    /* insertion sort by index: a handful of tiers */
    for (int i = 1; rc == AS_OK && i < ntiers; i++) {
        sim_tier_info v = out[i];
        double kv = key[i];
        int j = i - 1;
        while (j >= 0 && key[j] > kv) {
            out[j + 1] = out[j];
            key[j + 1] = key[j];
            j--;
        }
        out[j + 1] = v;
        key[j + 1] = kv;
    }
    free(key);
    free(text);
    H5Gclose(g);
    if (rc != AS_OK) {
        free(out);
        return rc;
    }
    *tiers = out;
    *n = ntiers;
    return AS_OK;
}

int sim_reader_trace(sim_reader *r, double **t, double **rate, size_t *n, as_err *err)
{
    void *buf = NULL;
    size_t k = 0;
    *t = *rate = NULL;
    *n = 0;
    int rc = read_table(r, "/trace", sim_trace_cols, sizeof(sim_trace_row), &buf, &k, err);
    if (rc != AS_OK || k == 0)
        return rc;
    double *a = malloc(k * sizeof *a), *b = malloc(k * sizeof *b);
    if (a == NULL || b == NULL) {
        free(a);
        free(b);
        free(buf);
        return as_err_set(err, AS_ENOMEM, "out of memory");
    }
    const sim_trace_row *tr = buf;
    for (size_t i = 0; i < k; i++) {
        a[i] = tr[i].t;
        b[i] = tr[i].rate;
    }
    free(buf);
    *t = a;
    *rate = b;
    *n = k;
    return AS_OK;
}

/* For the run readers here and in the other reader files of sim/results
 * (sim_results_int.h). */
int sim_reader_run_table(sim_reader *r, const char *run, const char *table, const char *item,
                         const sim_col *cols, size_t row_size, void **rows, size_t *n,
                         as_err *err)
{
    char name[3 * SIM_STR + 32];
    snprintf(name, sizeof name, "/runs/%s/%s%s%s", run, table, item ? "/" : "", item ? item : "");
    return read_table(r, name, cols, row_size, rows, n, err);
}

int sim_reader_timeseries(sim_reader *r, const char *run, sim_ts_row **rows, size_t *n,
                          as_err *err)
{
    void *buf = NULL;
    int rc = sim_reader_run_table(r, run, "timeseries", NULL, sim_ts_cols, sizeof(sim_ts_row),
                                  &buf, n, err);
    if (rc == AS_OK)
        *rows = buf;
    return rc;
}

int sim_reader_tier_series(sim_reader *r, const char *run, const char *tier,
                           sim_tier_row **rows, size_t *n, as_err *err)
{
    void *buf = NULL;
    int rc = sim_reader_run_table(r, run, "tiers", tier, sim_tier_cols, sizeof(sim_tier_row),
                                  &buf, n, err);
    if (rc == AS_OK)
        *rows = buf;
    return rc;
}

int sim_reader_actions(sim_reader *r, const char *run, sim_action_row **rows, size_t *n,
                       as_err *err)
{
    void *buf = NULL;
    int rc = sim_reader_run_table(r, run, "actions", NULL, sim_action_cols,
                                  sizeof(sim_action_row), &buf, n, err);
    if (rc != AS_OK)
        return rc;
    for (size_t i = 0; i < *n; i++)
        ((sim_action_row *)buf)[i].reason[SIM_STR - 1] = '\0';
    *rows = buf;
    return AS_OK;
}

/* ---- one call, one open: show, check and the batch's resume ---- */

/* Values no run can produce mean a damaged file (or one edited by hand):
 * refuse it rather than print numbers that are not results. */
static int check_summary(const char *path, const sim_summary_row *rows, int n, as_err *err)
{
    for (int i = 0; i < n; i++) {
        const sim_summary_row *x = &rows[i];
        const double must[] = {x->cost_infra, x->cost_penalty, x->cost_total,
                               x->slo_violation_s, x->p50, x->p95, x->p99, x->mean_instances};
        bool ok = (x->meets_slo == 0 || x->meets_slo == 1) && x->actions >= 0;
        for (size_t j = 0; j < sizeof must / sizeof must[0]; j++)
            ok = ok && isfinite(must[j]) && must[j] >= 0;
        if (!ok)
            return as_err_set(err, AS_EINVAL,
                              "%s: /summary row %d holds values no run produces (the file is "
                              "damaged)",
                              path, i + 1);
    }
    return AS_OK;
}

int sim_results_read_summary(const char *path, sim_summary_row **rows, int *n, as_err *err)
{
    sim_reader *r = reader_open(path, 0, err);
    if (r == NULL)
        return err ? err->code : AS_EINVAL;
    sim_summary_row *buf = NULL;
    int k = 0;
    int rc = sim_reader_summary(r, &buf, &k, err);
    sim_reader_close(r);
    if (rc == AS_OK)
        rc = check_summary(path, buf, k, err);
    if (rc != AS_OK) {
        free(buf);
        return rc;
    }
    *rows = buf;
    *n = k;
    return AS_OK;
}

int sim_results_read_timeseries(const char *path, const char *run, sim_ts_row **rows,
                                size_t *n, as_err *err)
{
    sim_reader *r = reader_open(path, 0, err);
    if (r == NULL)
        return err ? err->code : AS_EINVAL;
    int rc = sim_reader_timeseries(r, run, rows, n, err);
    sim_reader_close(r);
    return rc;
}

int sim_results_read_attr(const char *path, const char *name, char *buf, size_t n, as_err *err)
{
    sim_reader *r = reader_open(path, 0, err);
    if (r == NULL)
        return err ? err->code : AS_EINVAL;
    int rc = sim_reader_attr(r, name, buf, n, 0, err);
    sim_reader_close(r);
    return rc;
}

int sim_results_read_attr_f64(const char *path, const char *name, double *v, as_err *err)
{
    sim_reader *r = reader_open(path, 0, err);
    if (r == NULL)
        return err ? err->code : AS_EINVAL;
    int rc = sim_reader_attr_f64(r, name, v, 0, 0, err);
    sim_reader_close(r);
    return rc;
}


hid_t sim_reader_hid(const sim_reader *r) { return r->file; }
