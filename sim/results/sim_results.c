/* sim_results.c - HDF5 writer and reader of results files.
 * Tables are 1-D datasets of a compound type (one member per column), so
 * h5py reads them as structured arrays and pandas.DataFrame(f["summary"][:])
 * names the columns. Datasets are chunked (up to SIM_CHUNK_ROWS rows), shuffled
 * and deflated, and extended as rows arrive. Object time stamps are turned
 * off so that the same scenario and seed give identical files apart from
 * the root attribute `created`. */
#include "sim_results.h"
#include "sim_results_int.h"

#include "as_param.h"

#include <errno.h>
#include <hdf5.h>
#include <pthread.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AS_VERSION
#define AS_VERSION "0.1.0"
#endif
#ifndef AS_GIT_REV
#define AS_GIT_REV "unknown"
#endif

/* The column lists of every table, shared with the reader through
 * sim_results_int.h: one place names the members of each compound type. */
#define F(s, m) {#m, SIM_C_F64, offsetof(s, m)}
#define I(s, m) {#m, SIM_C_I32, offsetof(s, m)}
#define S(s, m) {#m, SIM_C_STR, offsetof(s, m)}

const sim_col sim_ts_cols[] = {
    F(sim_ts_row, t),     F(sim_ts_row, rate),    F(sim_ts_row, forecast), F(sim_ts_row, lo),
    F(sim_ts_row, hi),    F(sim_ts_row, ready),   F(sim_ts_row, booting),  F(sim_ts_row, p50),
    F(sim_ts_row, p95),   F(sim_ts_row, p99),     F(sim_ts_row, cost_rate),
    F(sim_ts_row, cost),  F(sim_ts_row, violation), {0}};
const sim_col sim_tier_cols[] = {
    F(sim_tier_row, t),       F(sim_tier_row, ready),    F(sim_tier_row, booting),
    F(sim_tier_row, draining), F(sim_tier_row, utilization), F(sim_tier_row, queue),
    F(sim_tier_row, p50),     F(sim_tier_row, p95),      F(sim_tier_row, p99),
    F(sim_tier_row, arrivals), F(sim_tier_row, dropped), F(sim_tier_row, demand),
    F(sim_tier_row, inflight), F(sim_tier_row, memory), F(sim_tier_row, seen_utilization),
    F(sim_tier_row, seen_rate), {0}};
const sim_col sim_action_cols[] = {
    F(sim_action_row, t),    I(sim_action_row, tier),   I(sim_action_row, from),
    I(sim_action_row, raw),  I(sim_action_row, to),     S(sim_action_row, reason),
    F(sim_action_row, utilization), F(sim_action_row, rate), {0}};
const sim_col sim_summary_cols[] = {
    S(sim_summary_row, run),          S(sim_summary_row, kind),
    F(sim_summary_row, cost_infra),   F(sim_summary_row, cost_penalty),
    F(sim_summary_row, cost_total),   F(sim_summary_row, slo_violation_s),
    F(sim_summary_row, slo_violation_pct), F(sim_summary_row, p50),
    F(sim_summary_row, p95),          F(sim_summary_row, p99),
    F(sim_summary_row, latency_max),  F(sim_summary_row, dropped),
    F(sim_summary_row, mean_instances), F(sim_summary_row, peak_instances),
    I(sim_summary_row, actions),      I(sim_summary_row, meets_slo),
    F(sim_summary_row, theta_u),      F(sim_summary_row, theta_o),
    F(sim_summary_row, tau_u),        F(sim_summary_row, tau_o),
    F(sim_summary_row, instability),  F(sim_summary_row, jitter),
    F(sim_summary_row, elastic_speedup), F(sim_summary_row, deviation),
    I(sim_summary_row, faults), F(sim_summary_row, forecast_mase),
    F(sim_summary_row, clamped), {0}};
const sim_col sim_timing_cols[] = {S(sim_timing_row, run), F(sim_timing_row, wall_s),
                                  F(sim_timing_row, sim_per_wall), {0}};
const sim_col sim_trace_cols[] = {F(sim_trace_row, t), F(sim_trace_row, rate), {0}};

/* A table being appended: rows buffered, written a chunk at a time. */
typedef struct table {
    hid_t ds, type;
    size_t row_size;
    hsize_t written;
    size_t nbuf;
    size_t chunk; /* rows per chunk, and rows buffered before a write */
    char *buf;    /* chunk rows */
} table;

struct sim_run_writer {
    sim_results *res;   /* the file it writes into (borrowed) */
    hid_t group;
    table ts, actions;
    int ntiers;
    table tiers[SIM_MAX_TIERS];
};

struct sim_results {
    hid_t file;
    char path[1100], partial[1110];
    table trace, summary, timing;
};

/* Debian's HDF5 is built without thread safety: every call into it from
 * this module holds this lock, so runs on several threads can each write
 * their own file. Contention is low: a run touches HDF5 once per 4096 rows. */
static pthread_mutex_t h5_lock = PTHREAD_MUTEX_INITIALIZER;
#define LOCKED(type, call)                                                                    \
    do {                                                                                      \
        pthread_mutex_lock(&h5_lock);                                                         \
        type rv_ = call;                                                                      \
        pthread_mutex_unlock(&h5_lock);                                                       \
        return rv_;                                                                           \
    } while (0)

void sim_results_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static void sim_results_abort_nl(sim_results *r, int discard);

hid_t sim_h5_type(const sim_col *cols, size_t size)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, size);
    hid_t s = H5Tcopy(H5T_C_S1);
    H5Tset_size(s, SIM_STR);
    H5Tset_strpad(s, H5T_STR_NULLTERM);
    for (const sim_col *c = cols; c->name; c++)
        H5Tinsert(t, c->name, c->off,
                  c->type == SIM_C_F64 ? H5T_NATIVE_DOUBLE : c->type == SIM_C_I32 ? H5T_NATIVE_INT32 : s);
    H5Tclose(s);
    return t;
}

int sim_h5_check_table(hid_t ds, const sim_col *cols, const char *path, const char *name,
                       as_err *err)
{
    hid_t sp = H5Dget_space(ds);
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (sp >= 0)
        H5Sclose(sp);
    if (rank != 1)
        return as_err_set(err, AS_EINVAL, "%s: %s is not a table (rank %d, not a simrun file?)",
                          path, name, rank);
    hid_t ft = H5Dget_type(ds);
    int rc = AS_OK;
    if (ft < 0 || H5Tget_class(ft) != H5T_COMPOUND) {
        rc = as_err_set(err, AS_EINVAL, "%s: %s is not a table of named columns", path, name);
    } else {
        for (const sim_col *c = cols; c->name; c++)
            if (H5Tget_member_index(ft, c->name) < 0) {
                rc = as_err_set(err, AS_EINVAL,
                                "%s: %s has no column '%s' (not a simrun results file, or "
                                "one of another version)",
                                path, name, c->name);
                break;
            }
    }
    if (ft >= 0)
        H5Tclose(ft);
    return rc;
}

static hid_t gcpl(void)
{
    hid_t p = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(p, 0);
    return p;
}

/* rows: the expected row count (0 = unknown). A chunk holds at most
 * SIM_CHUNK_ROWS rows, and no more than a run needs: a partly filled chunk
 * is stored whole, and deflating the padding of a short run's chunks was
 * most of a batch of short runs' time. */
static size_t chunk_rows(size_t rows)
{
    if (rows == 0)
        return 1024;
    return rows < 64 ? 64 : rows > SIM_CHUNK_ROWS ? SIM_CHUNK_ROWS : rows;
}

static int table_open(table *tb, hid_t loc, const char *name, const sim_col *cols, size_t row_size,
                      size_t rows,
                      as_err *err)
{
    memset(tb, 0, sizeof *tb);
    tb->ds = H5I_INVALID_HID;
    tb->row_size = row_size;
    tb->type = sim_h5_type(cols, row_size);
    tb->chunk = chunk_rows(rows);
    hsize_t dim = 0, maxdim = H5S_UNLIMITED, chunk = tb->chunk;
    hid_t space = H5Screate_simple(1, &dim, &maxdim);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    H5Pset_obj_track_times(dcpl, 0);
    tb->ds = H5Dcreate2(loc, name, tb->type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    tb->buf = malloc(tb->chunk * row_size);
    if (tb->ds < 0 || tb->buf == NULL)
        return as_err_set(err, AS_EIO, "cannot create dataset '%s'", name);
    return AS_OK;
}

static int table_flush(table *tb, as_err *err)
{
    if (tb->nbuf == 0)
        return AS_OK;
    hsize_t start = tb->written, count = tb->nbuf, size = tb->written + tb->nbuf;
    if (H5Dset_extent(tb->ds, &size) < 0)
        return as_err_set(err, AS_EIO, "cannot extend dataset");
    hid_t fs = H5Dget_space(tb->ds);
    hid_t ms = H5Screate_simple(1, &count, NULL);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL);
    herr_t rc = H5Dwrite(tb->ds, tb->type, ms, fs, H5P_DEFAULT, tb->buf);
    H5Sclose(ms);
    H5Sclose(fs);
    if (rc < 0)
        return as_err_set(err, AS_EIO, "cannot write dataset (disk full?)");
    tb->written = size;
    tb->nbuf = 0;
    return AS_OK;
}

static int table_append(table *tb, const void *row, as_err *err)
{
    memcpy(tb->buf + tb->nbuf * tb->row_size, row, tb->row_size);
    if (++tb->nbuf == tb->chunk)
        return table_flush(tb, err);
    return AS_OK;
}

static int table_close(table *tb, as_err *err)
{
    int rc = AS_OK;
    if (tb->ds >= 0) {
        rc = table_flush(tb, err);
        H5Dclose(tb->ds);
    }
    if (tb->type > 0)
        H5Tclose(tb->type);
    free(tb->buf);
    memset(tb, 0, sizeof *tb);
    tb->ds = H5I_INVALID_HID;
    return rc;
}

static void attr_str(hid_t loc, const char *name, const char *value)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(value) + 1);
    H5Tset_strpad(t, H5T_STR_NULLTERM);
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, t, value);
    H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
}

static void attr_f64(hid_t loc, const char *name, double v)
{
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, H5T_NATIVE_DOUBLE, s, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
    H5Sclose(s);
}

static void attr_u64(hid_t loc, const char *name, uint64_t v)
{
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, H5T_NATIVE_UINT64, s, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_UINT64, &v);
    H5Aclose(a);
    H5Sclose(s);
}

static hid_t group_new(hid_t loc, const char *name)
{
    hid_t p = gcpl();
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, p, H5P_DEFAULT);
    H5Pclose(p);
    return g;
}

static void tier_attrs(hid_t g, const sim_tier_cfg *t)
{
    char buf[64];
    as_duration_format(t->service_time, buf, sizeof buf);
    attr_str(g, "service_time", buf);
    attr_f64(g, "concurrency", t->concurrency);
    attr_f64(g, "min", t->min);
    attr_f64(g, "max", t->max);
    attr_f64(g, "initial", t->initial);
    as_duration_format(t->boot_time, buf, sizeof buf);
    attr_str(g, "boot_time", buf);
    attr_f64(g, "price", t->price_per_hour);
    attr_f64(g, "visits", t->visits);
    attr_f64(g, "autoscale", t->autoscale);
}

static void root_attrs(hid_t file, const sim_scenario *sc)
{
    attr_str(file, "tool", "autoscale-sim simrun");
    attr_str(file, "tool_version", AS_VERSION);
    attr_str(file, "git_revision", AS_GIT_REV);
    attr_str(file, "scenario_name", sc->name);
    attr_str(file, "scenario_path", sc->path);
    attr_str(file, "scenario_text", sc->text);
    attr_str(file, "overrides", sc->overrides);
    attr_str(file, "description", sc->description);
    attr_u64(file, "seed", sc->seed);
    attr_str(file, "model", sc->model == SIM_MODEL_DES ? "des" : "analytic");
    attr_f64(file, "duration_s", as_time_to_s(sc->duration));
    attr_f64(file, "tick_s", as_time_to_s(sc->tick));
    attr_f64(file, "record_s", as_time_to_s(sc->record));
    attr_f64(file, "slo_latency_s", sc->slo_latency);
    attr_f64(file, "slo_percentile", sc->slo_percentile);
    attr_f64(file, "slo_penalty_per_hour", sc->penalty_per_hour);
    char now[64];
    time_t tt = time(NULL);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
    attr_str(file, "created", now);
    hid_t tiers = group_new(file, "tiers");
    for (int i = 0; i < sc->ntiers; i++) {
        hid_t g = group_new(tiers, sc->tiers[i].name);
        tier_attrs(g, &sc->tiers[i]);
        H5Gclose(g);
    }
    H5Gclose(tiers);
}

static sim_results *sim_results_create_nl(const char *path, const sim_scenario *sc, int force, as_err *err)
{
    struct stat st;
    if (!force && stat(path, &st) == 0) {
        as_err_set(err, AS_EEXIST, "%s exists; use --force to overwrite it", path);
        return NULL;
    }
    sim_results *r = calloc(1, sizeof *r);
    if (r == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(r->path, sizeof r->path, "%s", path);
    snprintf(r->partial, sizeof r->partial, "%s.partial", path);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED);
    r->file = H5Fcreate(r->partial, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    if (r->file < 0) {
        as_err_set(err, AS_EIO, "%s: cannot create (does the folder exist and is it writable?)",
                   r->partial);
        free(r);
        return NULL;
    }
    root_attrs(r->file, sc);
    hid_t runs = group_new(r->file, "runs");
    H5Gclose(runs);
    size_t records = (size_t)(sc->duration / sc->record) + 1;
    if (table_open(&r->trace, r->file, "trace", sim_trace_cols, sizeof(sim_trace_row), records,
                   err) ||
        table_open(&r->summary, r->file, "summary", sim_summary_cols, sizeof(sim_summary_row), 64,
                   err) ||
        table_open(&r->timing, r->file, "timing", sim_timing_cols, sizeof(sim_timing_row), 64,
                   err)) {
        sim_results_abort_nl(r, 1);
        return NULL;
    }
    return r;
}

static int sim_results_trace_nl(sim_results *r, double t, double rate, as_err *err)
{
    sim_trace_row row = {t, rate};
    return table_append(&r->trace, &row, err);
}

static sim_run_writer *run_begin_nl(sim_results *r, const sim_scenario *sc, int policy,
                                    const char *name, const char *params, as_err *err)
{
    const sim_policy_cfg *p = &sc->policies[policy];
    sim_run_writer *w = calloc(1, sizeof *w);
    if (w)
        w->res = r;
    if (w == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory");
        return NULL;
    }
    char path[128];
    snprintf(path, sizeof path, "/runs/%s", name);
    w->group = group_new(r->file, path);
    if (w->group < 0) {
        free(w);
        as_err_set(err, AS_EIO, "cannot create group %s", path);
        return NULL;
    }
    attr_str(w->group, "kind", p->type->name);
    attr_str(w->group, "policy", p->name);
    attr_str(w->group, "sweep_params", params ? params : "");
    char buf[256];
    as_duration_format(p->interval, buf, sizeof buf);
    attr_str(w->group, "evaluation_interval", buf);
    /* every resolved parameter, under its INI key (prefixed so that no key
     * can collide with the attributes above) */
    for (const as_param_def *d = p->type->params; d && d->name; d++) {
        char key[96];
        snprintf(key, sizeof key, "param.%s", d->name);
        as_param_format(d, p->cfg, buf, sizeof buf);
        attr_str(w->group, key, buf);
    }
    if (p->type->wants_forecast) {
        attr_str(w->group, "param.forecaster", p->forecaster);
        as_duration_format(p->season, buf, sizeof buf);
        attr_str(w->group, "param.season", buf);
        attr_str(w->group, "param.detector", p->detector);
    }
    w->ntiers = sc->ntiers;
    size_t records = (size_t)(sc->duration / sc->record) + 1;
    int rc = table_open(&w->ts, w->group, "timeseries", sim_ts_cols, sizeof(sim_ts_row), records,
                        err);
    if (rc == AS_OK)
        rc = table_open(&w->actions, w->group, "actions", sim_action_cols, sizeof(sim_action_row), 0,
                        err);
    hid_t tg = group_new(w->group, "tiers");
    for (int i = 0; rc == AS_OK && i < sc->ntiers; i++)
        rc = table_open(&w->tiers[i], tg, sc->tiers[i].name, sim_tier_cols, sizeof(sim_tier_row),
                        records,
                        err);
    H5Gclose(tg);
    if (rc != AS_OK) {
        table_close(&w->ts, NULL);
        table_close(&w->actions, NULL);
        for (int i = 0; i < w->ntiers; i++)
            table_close(&w->tiers[i], NULL);
        H5Gclose(w->group);
        free(w);
        return NULL;
    }
    return w;
}

static int sim_run_row_nl(sim_run_writer *w, const sim_ts_row *row, as_err *err)
{
    return table_append(&w->ts, row, err);
}

static int sim_run_tier_row_nl(sim_run_writer *w, int tier, const sim_tier_row *row, as_err *err)
{
    return table_append(&w->tiers[tier], row, err);
}

static int sim_run_action_nl(sim_run_writer *w, const sim_action_row *row, as_err *err)
{
    return table_append(&w->actions, row, err);
}

static void sim_results_run_discard_nl(sim_run_writer *w)
{
    if (w == NULL)
        return;
    table_close(&w->ts, NULL);
    table_close(&w->actions, NULL);
    for (int i = 0; i < w->ntiers; i++)
        table_close(&w->tiers[i], NULL);
    H5Gclose(w->group);
    free(w);
}

static int sim_results_timing_nl(sim_results *r, const sim_timing_row *timing, as_err *err)
{
    int rc = table_append(&r->timing, timing, err);
    if (rc == AS_OK)
        rc = table_flush(&r->timing, err);
    return rc;
}

static int sim_results_run_end_nl(sim_results *r, sim_run_writer *w, const sim_summary_row *sum,
                        as_err *err)
{
    int rc = table_close(&w->ts, err);
    if (table_close(&w->actions, err) != AS_OK)
        rc = AS_EIO;
    for (int i = 0; i < w->ntiers; i++)
        if (table_close(&w->tiers[i], err) != AS_OK)
            rc = AS_EIO;
    H5Gclose(w->group);
    free(w);
    if (rc != AS_OK)
        return rc;
    if ((rc = table_append(&r->summary, sum, err)) || (rc = table_flush(&r->summary, err)) ||
        (rc = table_flush(&r->trace, err)))
        return rc;
    if (H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0)
        return as_err_set(err, AS_EIO, "%s: flush failed", r->partial);
    return AS_OK;
}

static int sim_results_commit_nl(sim_results *r, const sim_summary_row *rows, int n, as_err *err)
{
    /* the summary rows were appended run by run; rewrite them with the
     * ranking columns that need every run */
    int rc = table_flush(&r->summary, err);
    if (rc == AS_OK && n > 0 && (hsize_t)n == r->summary.written &&
        H5Dwrite(r->summary.ds, r->summary.type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) < 0)
        rc = as_err_set(err, AS_EIO, "cannot write /summary");
    if (table_close(&r->trace, err) || table_close(&r->summary, err) ||
        table_close(&r->timing, err))
        rc = AS_EIO;
    if (H5Fclose(r->file) < 0 && rc == AS_OK)
        rc = as_err_set(err, AS_EIO, "%s: close failed", r->partial);
    r->file = H5I_INVALID_HID;
    if (rc == AS_OK && rename(r->partial, r->path) != 0)
        rc = as_err_set(err, AS_EIO, "cannot rename %s to %s", r->partial, r->path);
    if (rc != AS_OK)
        unlink(r->partial);
    free(r);
    return rc;
}

static void sim_results_abort_nl(sim_results *r, int discard)
{
    if (r == NULL)
        return;
    table_close(&r->trace, NULL);
    table_close(&r->summary, NULL);
    table_close(&r->timing, NULL);
    if (r->file >= 0)
        H5Fclose(r->file);
    if (discard)
        unlink(r->partial);
    free(r);
}

/* ---- reading ---- */

static hid_t open_ro(const char *path, as_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        as_err_set(err, AS_EIO, "%s: no such file", path);
        return H5I_INVALID_HID;
    }
    if (H5Fis_hdf5(path) <= 0) {
        as_err_set(err, AS_EINVAL, "%s: not an HDF5 file (or truncated)", path);
        return H5I_INVALID_HID;
    }
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        as_err_set(err, AS_EINVAL, "%s: cannot open as HDF5", path);
    return f;
}

static int read_table(hid_t f, const char *name, const sim_col *cols, size_t row_size, void **rows,
                      size_t *n, const char *path, as_err *err)
{
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    if (ds < 0)
        return as_err_set(err, AS_EINVAL, "%s: no dataset %s (not a simrun results file?)",
                          path, name);
    if (sim_h5_check_table(ds, cols, path, name, err) != AS_OK) {
        H5Dclose(ds);
        return AS_EINVAL;
    }
    hid_t sp = H5Dget_space(ds);
    hssize_t np = H5Sget_simple_extent_npoints(sp);
    H5Sclose(sp);
    hid_t t = sim_h5_type(cols, row_size);
    void *buf = np > 0 ? calloc((size_t)np, row_size) : NULL;
    int rc = AS_OK;
    if (np < 0 || (np > 0 && buf == NULL))
        rc = as_err_set(err, AS_ENOMEM, "%s: cannot read %s", path, name);
    else if (np > 0 && H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        rc = as_err_set(err, AS_EINVAL, "%s: %s has an unexpected layout", path, name);
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

static int sim_results_read_summary_nl(const char *path, sim_summary_row **rows, int *n, as_err *err)
{
    hid_t f = open_ro(path, err);
    if (f < 0)
        return err ? err->code : AS_EIO;
    void *buf = NULL;
    size_t k = 0;
    int rc = read_table(f, "/summary", sim_summary_cols, sizeof(sim_summary_row), &buf, &k, path,
                        err);
    H5Fclose(f);
    /* values no run can produce mean a damaged file: refuse it rather than
     * print numbers that are not results */
    sim_summary_row *sr = buf;
    for (size_t i = 0; rc == AS_OK && i < k; i++) {
        sim_summary_row *x = &sr[i];
        x->run[SIM_STR - 1] = x->kind[SIM_STR - 1] = '\0';
        const double must[] = {x->cost_infra, x->cost_penalty, x->cost_total,
                               x->slo_violation_s, x->p50, x->p95, x->p99, x->mean_instances};
        bool ok = (x->meets_slo == 0 || x->meets_slo == 1) && x->actions >= 0;
        for (size_t j = 0; j < sizeof must / sizeof must[0]; j++)
            ok = ok && isfinite(must[j]) && must[j] >= 0;
        if (!ok)
            rc = as_err_set(err, AS_EINVAL,
                            "%s: /summary row %zu holds values no run produces (the file is "
                            "damaged)",
                            path, i + 1);
    }
    if (rc == AS_OK) {
        *rows = buf;
        *n = (int)k;
    } else {
        free(buf);
    }
    return rc;
}

static int sim_results_read_timeseries_nl(const char *path, const char *run, sim_ts_row **rows,
                                size_t *n, as_err *err)
{
    hid_t f = open_ro(path, err);
    if (f < 0)
        return err ? err->code : AS_EIO;
    char name[128];
    snprintf(name, sizeof name, "/runs/%s/timeseries", run);
    void *buf = NULL;
    int rc = read_table(f, name, sim_ts_cols, sizeof(sim_ts_row), &buf, n, path, err);
    H5Fclose(f);
    if (rc == AS_OK)
        *rows = buf;
    return rc;
}

static int sim_results_read_attr_nl(const char *path, const char *name, char *buf, size_t n, as_err *err)
{
    hid_t f = open_ro(path, err);
    if (f < 0)
        return err ? err->code : AS_EIO;
    int rc = AS_OK;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    if (a < 0) {
        rc = as_err_set(err, AS_EINVAL, "%s: no attribute %s", path, name);
    } else {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, n);
        H5Tset_strpad(t, H5T_STR_NULLTERM);
        if (H5Aread(a, t, buf) < 0)
            rc = as_err_set(err, AS_EINVAL, "%s: attribute %s is not a string", path, name);
        buf[n - 1] = '\0';
        H5Tclose(t);
        H5Aclose(a);
    }
    H5Fclose(f);
    return rc;
}

static int sim_results_read_attr_f64_nl(const char *path, const char *name, double *v, as_err *err)
{
    hid_t f = open_ro(path, err);
    if (f < 0)
        return err ? err->code : AS_EIO;
    int rc = AS_OK;
    hid_t a = H5Aopen(f, name, H5P_DEFAULT);
    if (a < 0 || H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0)
        rc = as_err_set(err, AS_EINVAL, "%s: no numeric attribute %s", path, name);
    if (a >= 0)
        H5Aclose(a);
    H5Fclose(f);
    return rc;
}

/* ---- locked entry points ---- */

sim_results *sim_results_create(const char *path, const sim_scenario *sc, int force, as_err *err)
{
    LOCKED(sim_results *, sim_results_create_nl(path, sc, force, err));
}

int sim_results_trace(sim_results *r, double t, double rate, as_err *err)
{
    LOCKED(int, sim_results_trace_nl(r, t, rate, err));
}

int sim_run_row(sim_run_writer *w, const sim_ts_row *row, as_err *err)
{
    LOCKED(int, sim_run_row_nl(w, row, err));
}

int sim_run_tier_row(sim_run_writer *w, int tier, const sim_tier_row *row, as_err *err)
{
    LOCKED(int, sim_run_tier_row_nl(w, tier, row, err));
}

int sim_run_action(sim_run_writer *w, const sim_action_row *row, as_err *err)
{
    LOCKED(int, sim_run_action_nl(w, row, err));
}

int sim_results_timing(sim_results *r, const sim_timing_row *timing, as_err *err)
{
    LOCKED(int, sim_results_timing_nl(r, timing, err));
}

int sim_results_run_end(sim_results *r, sim_run_writer *w, const sim_summary_row *sum,
                        as_err *err)
{
    LOCKED(int, sim_results_run_end_nl(r, w, sum, err));
}

int sim_results_commit(sim_results *r, const sim_summary_row *rows, int n, as_err *err)
{
    LOCKED(int, sim_results_commit_nl(r, rows, n, err));
}

int sim_results_read_summary(const char *path, sim_summary_row **rows, int *n, as_err *err)
{
    LOCKED(int, sim_results_read_summary_nl(path, rows, n, err));
}

int sim_results_read_timeseries(const char *path, const char *run, sim_ts_row **rows,
                                size_t *n, as_err *err)
{
    LOCKED(int, sim_results_read_timeseries_nl(path, run, rows, n, err));
}

int sim_results_read_attr(const char *path, const char *name, char *buf, size_t n, as_err *err)
{
    LOCKED(int, sim_results_read_attr_nl(path, name, buf, n, err));
}

int sim_results_read_attr_f64(const char *path, const char *name, double *v, as_err *err)
{
    LOCKED(int, sim_results_read_attr_f64_nl(path, name, v, err));
}

void sim_results_run_discard(sim_run_writer *w)
{
    pthread_mutex_lock(&h5_lock);
    sim_results_run_discard_nl(w);
    pthread_mutex_unlock(&h5_lock);
}

void sim_results_abort(sim_results *r, int discard)
{
    pthread_mutex_lock(&h5_lock);
    sim_results_abort_nl(r, discard);
    pthread_mutex_unlock(&h5_lock);
}

sim_run_writer *sim_results_run_begin(sim_results *r, const sim_scenario *sc, int policy,
                                      const char *name, const char *params, as_err *err)
{
    LOCKED(sim_run_writer *, run_begin_nl(r, sc, policy, name, params, err));
}

static int copy_object(hid_t src, const char *spath, hid_t dst, const char *dpath,
                       const char *file, as_err *err)
{
    /* H5Ocopy moves the chunks as they are (already compressed), so the
     * copy's datasets are the source's bit for bit */
    if (H5Ocopy(src, spath, dst, dpath, H5P_DEFAULT, H5P_DEFAULT) < 0)
        return as_err_set(err, AS_EIO, "%s: cannot copy %s", file, spath);
    return AS_OK;
}

static int merge_nl(const char *path, const sim_scenario *sc, const char *const *files,
                    const char *const *names, int n, const sim_summary_row *rows,
                    const sim_timing_row *timings, as_err *err)
{
    char partial[1200];
    snprintf(partial, sizeof partial, "%s.partial", path);
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED);
    hid_t f = H5Fcreate(partial, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    if (f < 0)
        return as_err_set(err, AS_EIO, "%s: cannot create", partial);
    root_attrs(f, sc);
    hid_t runs = group_new(f, "runs");
    int rc = AS_OK;
    for (int i = 0; i < n && rc == AS_OK; i++) {
        hid_t src = H5Fopen(files[i], H5F_ACC_RDONLY, H5P_DEFAULT);
        if (src < 0) {
            rc = as_err_set(err, AS_EIO, "%s: cannot open", files[i]);
            break;
        }
        char sp[128];
        snprintf(sp, sizeof sp, "/runs/%s", names[i]);
        rc = copy_object(src, sp, runs, names[i], files[i], err);
        if (rc == AS_OK && i == 0)
            rc = copy_object(src, "/trace", f, "trace", files[i], err);
        H5Fclose(src);
    }
    H5Gclose(runs);
    table sum, tim;
    if (rc == AS_OK &&
        (rc = table_open(&sum, f, "summary", sim_summary_cols, sizeof(sim_summary_row),
                         (size_t)n, err)) ==
            AS_OK) {
        for (int i = 0; i < n && rc == AS_OK; i++)
            rc = table_append(&sum, &rows[i], err);
        if (table_close(&sum, err) != AS_OK)
            rc = AS_EIO;
    }
    if (rc == AS_OK &&
        (rc = table_open(&tim, f, "timing", sim_timing_cols, sizeof(sim_timing_row), (size_t)n,
                         err)) ==
            AS_OK) {
        for (int i = 0; i < n && rc == AS_OK; i++)
            rc = table_append(&tim, &timings[i], err);
        if (table_close(&tim, err) != AS_OK)
            rc = AS_EIO;
    }
    if (H5Fclose(f) < 0 && rc == AS_OK)
        rc = as_err_set(err, AS_EIO, "%s: close failed", partial);
    if (rc == AS_OK && rename(partial, path) != 0)
        rc = as_err_set(err, AS_EIO, "cannot rename %s to %s", partial, path);
    return rc;
}

int sim_results_merge(const char *path, const sim_scenario *sc, const char *const *files,
                      const char *const *names, int n, const sim_summary_row *rows,
                      const sim_timing_row *timings, as_err *err)
{
    LOCKED(int, merge_nl(path, sc, files, names, n, rows, timings, err));
}

/* ---- probe: read everything in a child ---- */

static herr_t probe_attr(hid_t loc, const char *name, const H5A_info_t *info, void *ud)
{
    (void)info;
    (void)ud;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return 0;
    hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : 0;
    size_t sz = t >= 0 ? H5Tget_size(t) : 0;
    if (n > 0 && sz > 0 && (double)n * (double)sz < 64e6) {
        void *buf = malloc((size_t)n * sz);
        if (buf) {
            H5Aread(a, t, buf);
            free(buf);
        }
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    H5Aclose(a);
    return 0;
}

static herr_t probe_obj(hid_t loc, const char *name, const H5O_info_t *info, void *ud)
{
    (void)ud;
    hid_t o = H5Oopen(loc, name, H5P_DEFAULT);
    if (o < 0)
        return 0;
    hsize_t idx = 0;
    H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, probe_attr, NULL);
    if (info->type == H5O_TYPE_DATASET) {
        hid_t t = H5Dget_type(o), sp = H5Dget_space(o);
        hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : 0;
        size_t sz = t >= 0 ? H5Tget_size(t) : 0;
        if (n > 0 && sz > 0 && (double)n * (double)sz < 512e6) {
            void *buf = malloc((size_t)n * sz);
            if (buf) {
                H5Dread(o, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
                free(buf);
            }
        }
        if (sp >= 0)
            H5Sclose(sp);
        if (t >= 0)
            H5Tclose(t);
    }
    H5Oclose(o);
    return 0;
}

int sim_results_probe(const char *path, as_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return as_err_set(err, AS_EINVAL, "%s: no such file", path);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return AS_OK; /* cannot isolate: read it directly */
    if (pid == 0) {
        /* child: limit memory so an absurd allocation fails instead of
         * swapping, then walk the whole file */
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        hid_t f = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
        if (f >= 0) {
            hsize_t idx = 0;
            H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, probe_attr, NULL);
            H5Ovisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, probe_obj, NULL);
            H5Fclose(f);
        }
        _exit(0);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return AS_OK;
    if (WIFSIGNALED(status))
        return as_err_set(err, AS_EINVAL,
                          "%s: damaged: the HDF5 library crashed reading it (signal %d)", path,
                          WTERMSIG(status));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return as_err_set(err, AS_EINVAL, "%s: damaged: the HDF5 library failed reading it",
                          path);
    return AS_OK;
}

static int sink_row(void *ud, const sim_ts_row *row, as_err *err)
{
    return sim_run_row(ud, row, err);
}

static int sink_tier_row(void *ud, int tier, const sim_tier_row *row, as_err *err)
{
    return sim_run_tier_row(ud, tier, row, err);
}

static int sink_action(void *ud, const sim_action_row *row, as_err *err)
{
    return sim_run_action(ud, row, err);
}

static int sink_trace(void *ud, double t, double rate, as_err *err)
{
    return sim_results_trace(((sim_run_writer *)ud)->res, t, rate, err);
}

sim_sink sim_results_sink(sim_results *r, sim_run_writer *w)
{
    (void)r;
    return (sim_sink){.ud = w, .row = sink_row, .tier_row = sink_tier_row,
                      .action = sink_action, .trace = sink_trace};
}

int sim_results_run(sim_results *r, const sim_scenario *sc, int policy,
                    const sim_run_opts *opts, sim_summary_row *sum, as_err *err)
{
    const char *name = opts && opts->name ? opts->name : sc->policies[policy].name;
    sim_run_writer *w = sim_results_run_begin(r, sc, policy, name, opts ? opts->params : "", err);
    if (w == NULL)
        return err->code;
    sim_sink sink = sim_results_sink(r, w);
    int rc = sim_run_policy(sc, policy, &sink, opts, sum, err);
    if (rc == AS_OK)
        return sim_results_run_end(r, w, sum, err);
    sim_results_run_discard(w); /* the group stays incomplete in the .partial file */
    return rc;
}
