/* sim_results_h5.c - the HDF5 pieces every file of sim/results uses: the
 * column lists and compound types of the tables, appendable chunked
 * tables, attributes, groups, no-follow file creation, and one-line
 * messages from HDF5's error stack.
 * Tables are 1-D datasets of a compound type (one member per column), so
 * h5py reads them as structured arrays and pandas.DataFrame(f["summary"][:])
 * names the columns. Datasets are chunked (up to SIM_CHUNK_ROWS rows),
 * shuffled, deflated and Fletcher-32 checksummed, and extended as rows
 * arrive. Object time stamps are turned off so that the same scenario and
 * seed give identical files apart from the root attribute `created`. */
#include "sim_results_int.h"

#include "as_name.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* The column lists of every table: one place names the members of each
 * compound type, for the writer and the reader alike. */
#define F(s, m) {#m, SIM_C_F64, offsetof(s, m)}
#define I(s, m) {#m, SIM_C_I32, offsetof(s, m)}
#define S(s, m) {#m, SIM_C_STR, offsetof(s, m)}

const sim_col sim_ts_cols[] = {
    F(sim_ts_row, t),     F(sim_ts_row, rate),    F(sim_ts_row, forecast), F(sim_ts_row, lo),
    F(sim_ts_row, hi),    F(sim_ts_row, ready),   F(sim_ts_row, booting),  F(sim_ts_row, p50),
    F(sim_ts_row, p95),   F(sim_ts_row, p99),     F(sim_ts_row, cost_rate),
    F(sim_ts_row, cost),  F(sim_ts_row, violation), F(sim_ts_row, good),
    F(sim_ts_row, errors), F(sim_ts_row, retries), {0}};
const sim_col sim_tier_cols[] = {
    F(sim_tier_row, t),       F(sim_tier_row, ready),    F(sim_tier_row, booting),
    F(sim_tier_row, draining), F(sim_tier_row, utilization), F(sim_tier_row, queue),
    F(sim_tier_row, p50),     F(sim_tier_row, p95),      F(sim_tier_row, p99),
    F(sim_tier_row, arrivals), F(sim_tier_row, dropped), F(sim_tier_row, timeouts),
    F(sim_tier_row, demand),
    F(sim_tier_row, inflight), F(sim_tier_row, memory), F(sim_tier_row, seen_utilization),
    F(sim_tier_row, seen_rate), {0}};
const sim_col sim_node_cols[] = {
    F(sim_node_row, t),           F(sim_node_row, ready),
    F(sim_node_row, booting),     F(sim_node_row, cpu_requested),
    F(sim_node_row, cpu_allocatable), F(sim_node_row, mem_requested),
    F(sim_node_row, mem_allocatable), F(sim_node_row, cost_rate),
    F(sim_node_row, cost),        F(sim_node_row, interruptions), {0}};
const sim_col sim_pod_cols[] = {F(sim_pod_row, t),          F(sim_pod_row, pending),
                                F(sim_pod_row, starts),     F(sim_pod_row, delay_mean),
                                F(sim_pod_row, delay_max),  {0}};
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
    F(sim_summary_row, clamped),      F(sim_summary_row, requests),
    F(sim_summary_row, errors),       F(sim_summary_row, timeouts),
    F(sim_summary_row, retries),      F(sim_summary_row, unfinished),
    F(sim_summary_row, slo_windows),  F(sim_summary_row, slo_compliance),
    F(sim_summary_row, latency_at_p), {0}};
const sim_col sim_timing_cols[] = {S(sim_timing_row, run), F(sim_timing_row, wall_s),
                                  F(sim_timing_row, sim_per_wall), {0}};
const sim_col sim_trace_cols[] = {F(sim_trace_row, t), F(sim_trace_row, rate), {0}};

void sim_results_quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* libhdf5 1.10 closes every file still open at exit (H5_term_library,
 * registered with atexit when the library starts) and crashes doing so on
 * a file whose flush failed (disk full, a file size limit): a write error
 * would end in SIGSEGV after our message. We close every file we open, so
 * that handler has nothing else to do; it is turned off before the library
 * starts (H5dont_atexit does not start it). Cost: HDF5's free lists are
 * not handed back at exit (still reachable, not leaks). The alternative, a
 * file driver that swallows writes after the first failure so that the
 * close succeeds, is more code and still reads back chunks never written. */
__attribute__((constructor)) static void no_hdf5_atexit(void)
{
    H5dont_atexit();
}

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

/* ---- errors ---- */

typedef struct stack_scan {
    int errnum;          /* first "errno = N" the file driver wrote, 0 if none */
    int checksum;        /* a checksum failed */
    char innermost[160]; /* the deepest description, for other failures */
} stack_scan;

static herr_t scan_entry(unsigned n, const H5E_error2_t *e, void *ud)
{
    stack_scan *s = ud;
    const char *d = e->desc ? e->desc : "";
    if (n == 0)
        snprintf(s->innermost, sizeof s->innermost, "%s", d);
    const char *p = strstr(d, "errno = ");
    if (p && s->errnum == 0)
        s->errnum = atoi(p + 8);
    if (strcasestr(d, "fletcher32") || strcasestr(d, "checksum"))
        s->checksum = 1;
    return 0;
}

int sim_h5_fail(as_err *err, const char *path, const char *what)
{
    int e = sim_h5_io_errno(path);
    char file[1100]; /* the path as messages show it: the user's bytes */
    as_name_printable(path, file, sizeof file);
    if (e > 0)
        return as_err_set(err, AS_EIO, "%s: %s: %s (errno %d)", file, what, strerror(e), e);
    stack_scan s = {0};
    /* walking from the innermost entry: entry 0 is where it failed */
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, scan_entry, &s);
    if (s.checksum)
        return as_err_set(err, AS_EINVAL, "%s: %s: checksum mismatch (the file is damaged)",
                          file, what);
    if (s.errnum == ENOMEM) /* a driver's allocation, not the disk */
        return as_err_set(err, AS_ENOMEM, "%s: %s: out of memory", file, what);
    if (s.errnum > 0)
        return as_err_set(err, AS_EIO, "%s: %s: %s (errno %d)", file, what, strerror(s.errnum),
                          s.errnum);
    if (s.innermost[0])
        return as_err_set(err, AS_EIO, "%s: %s (HDF5: %s)", file, what, s.innermost);
    return as_err_set(err, AS_EIO, "%s: %s", file, what);
}

int sim_h5_check(as_err *err, const char *file, const char *what)
{
    int e = sim_h5_io_errno(file);
    if (e == 0)
        return AS_OK;
    return as_err_set(err, AS_EIO, "%s: %s: %s (errno %d)", file, what, strerror(e), e);
}

/* ---- tables ---- */

/* rows: the expected row count (0 = unknown). A chunk holds at most
 * SIM_CHUNK_ROWS rows, and no more than a run needs: a partly filled chunk
 * is stored whole, and deflating the padding of a short run's chunks was
 * most of a batch of short runs' time. */
static size_t chunk_rows(size_t rows)
{
    if (rows == 0)
        return 1024;
    return rows > SIM_CHUNK_ROWS ? SIM_CHUNK_ROWS : rows;
}

/* The dataset of tb under tb->loc, chunked by `chunk` rows. */
static int table_create(sim_table *tb, size_t chunk, as_err *err)
{
    hsize_t dim = 0, maxdim = H5S_UNLIMITED, ch = chunk;
    hid_t space = H5Screate_simple(1, &dim, &maxdim);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &ch);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    /* last in the pipeline: the checksum covers the bytes on disk, so a
     * flipped bit is refused on reading instead of decoded into numbers
     * (4 bytes and one pass over each compressed chunk) */
    H5Pset_fletcher32(dcpl);
    H5Pset_obj_track_times(dcpl, 0);
    /* no chunk cache: rows reach HDF5 a whole chunk at a time (the buffer
     * below), so a cached chunk is never written again, and the default
     * cache (1 MiB a dataset) kept the last chunk of every table: a one-week
     * run's peak grew by about 6 MiB with it. A flush of a part (at the
     * end, or a checkpoint) reads its chunk back once when it goes on. */
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0, H5D_CHUNK_CACHE_W0_DEFAULT);
    tb->ds = H5Dcreate2(tb->loc, tb->name, tb->type, space, H5P_DEFAULT, dcpl, dapl);
    H5Pclose(dapl);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Idec_ref(tb->loc);
    tb->loc = H5I_INVALID_HID;
    return tb->ds < 0 ? sim_h5_fail(err, tb->file, "cannot create a dataset") : AS_OK;
}

int sim_table_open(sim_table *tb, hid_t loc, const char *name, const char *file,
                   const sim_col *cols, size_t row_size, size_t rows, as_err *err)
{
    memset(tb, 0, sizeof *tb);
    tb->ds = tb->loc = H5I_INVALID_HID;
    tb->file = file;
    if ((size_t)snprintf(tb->name, sizeof tb->name, "%s", name) >= sizeof tb->name)
        return as_err_set(err, AS_EINVAL, "%s: dataset name %.40s... is too long", file, name);
    tb->row_size = row_size;
    tb->type = sim_h5_type(cols, row_size);
    tb->chunk = chunk_rows(rows);
    tb->buf = malloc(tb->chunk * row_size);
    if (tb->buf == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    /* (held until the dataset is made: the caller may close its handle) */
    if (H5Iinc_ref(loc) < 0)
        return sim_h5_fail(err, file, "cannot create a dataset");
    tb->loc = loc;
    /* a table of unknown length is made at its first write, so that one
     * that ends within its first chunk gets a chunk of its own length:
     * the actions of a short run, 1024 rows of 72 bytes for a few dozen */
    return rows > 0 ? table_create(tb, tb->chunk, err) : AS_OK;
}

/* Write the buffered rows; `last`: no row follows (the chunk of a table
 * made now is then no longer than its rows). */
static int table_flush(sim_table *tb, int last, as_err *err)
{
    if (tb->ds < 0 && tb->loc > 0) {
        size_t ch = last && tb->nbuf < tb->chunk ? (tb->nbuf > 0 ? tb->nbuf : 1) : tb->chunk;
        int rc = table_create(tb, ch, err);
        if (rc != AS_OK)
            return rc;
    }
    if (tb->nbuf == 0)
        return AS_OK;
    hsize_t start = tb->written, count = tb->nbuf, size = tb->written + tb->nbuf;
    char what[128];
    snprintf(what, sizeof what, "cannot write %s", tb->name);
    if (H5Dset_extent(tb->ds, &size) < 0)
        return sim_h5_fail(err, tb->file, what);
    hid_t fs = H5Dget_space(tb->ds);
    hid_t ms = H5Screate_simple(1, &count, NULL);
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL);
    herr_t rc = H5Dwrite(tb->ds, tb->type, ms, fs, H5P_DEFAULT, tb->buf);
    int code = rc < 0 ? sim_h5_fail(err, tb->file, what) : sim_h5_check(err, tb->file, what);
    H5Sclose(ms);
    H5Sclose(fs);
    if (code != AS_OK)
        return code;
    tb->written = size;
    tb->nbuf = 0;
    return AS_OK;
}

int sim_table_flush(sim_table *tb, as_err *err)
{
    if (tb->nbuf == 0)
        return AS_OK;
    return table_flush(tb, 0, err);
}

int sim_table_append(sim_table *tb, const void *row, as_err *err)
{
    memcpy(tb->buf + tb->nbuf * tb->row_size, row, tb->row_size);
    if (++tb->nbuf == tb->chunk)
        return sim_table_flush(tb, err);
    return AS_OK;
}

int sim_table_close(sim_table *tb, as_err *err)
{
    int rc = AS_OK;
    if (err && (tb->ds >= 0 || tb->loc > 0))
        rc = table_flush(tb, 1, err);
    if (tb->ds >= 0) {
        /* closing writes the chunks still in HDF5's chunk cache: a failure
         * here loses rows as surely as one in H5Dwrite */
        char what[128];
        snprintf(what, sizeof what, "cannot write %s", tb->name);
        if (H5Dclose(tb->ds) < 0 && err && rc == AS_OK)
            rc = sim_h5_fail(err, tb->file, what);
        else if (err && rc == AS_OK)
            rc = sim_h5_check(err, tb->file, what);
    }
    if (tb->loc > 0)
        H5Idec_ref(tb->loc);
    if (tb->type > 0)
        H5Tclose(tb->type);
    free(tb->buf);
    memset(tb, 0, sizeof *tb);
    tb->ds = tb->loc = H5I_INVALID_HID;
    return rc;
}

/* ---- attributes and groups ---- */

void sim_h5_attr_str(hid_t loc, const char *name, const char *value)
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

void sim_h5_attr_f64(hid_t loc, const char *name, double v)
{
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, H5T_NATIVE_DOUBLE, s, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
    H5Sclose(s);
}

void sim_h5_attr_u64(hid_t loc, const char *name, uint64_t v)
{
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, H5T_NATIVE_UINT64, s, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_UINT64, &v);
    H5Aclose(a);
    H5Sclose(s);
}

hid_t sim_h5_group(hid_t loc, const char *name)
{
    hid_t p = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(p, 0);
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, p, H5P_DEFAULT);
    H5Pclose(p);
    return g;
}

/* ---- files ---- */

/* See sim_results_int.h. Resizing off: the adaptive modes would grow it
 * back to the default's 32 MiB. */
void sim_h5_small_cache(hid_t file)
{
    H5AC_cache_config_t c = {.version = H5AC__CURR_CACHE_CONFIG_VERSION};
    if (H5Fget_mdc_config(file, &c) < 0)
        return;
    c.set_initial_size = 1;
    c.initial_size = c.max_size = 64 * 1024;
    c.min_size = c.min_size < c.max_size ? c.min_size : c.max_size;
    c.incr_mode = H5C_incr__off;
    c.flash_incr_mode = H5C_flash_incr__off;
    c.decr_mode = H5C_decr__off;
    H5Fset_mdc_config(file, &c);
}

hid_t sim_h5_create(const char *partial, as_err *err)
{
    struct stat st;
    if (lstat(partial, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            as_err_set(err, AS_EEXIST,
                       "%s exists and is not a plain file (a %s); simrun never writes through it: "
                       "remove it",
                       partial, S_ISLNK(st.st_mode) ? "symbolic link" : "folder or device");
            return H5I_INVALID_HID;
        }
        if (unlink(partial) != 0) {
            as_err_set(err, AS_EIO, "%s: cannot replace: %s", partial, strerror(errno));
            return H5I_INVALID_HID;
        }
    } else if (errno != ENOENT) {
        as_err_set(err, AS_EIO, "%s: %s", partial, strerror(errno));
        return H5I_INVALID_HID;
    }
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = sim_h5_fapl();
    H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED);
    /* H5F_ACC_EXCL is O_CREAT|O_EXCL, and the driver adds O_NOFOLLOW: a
     * link that appeared since the lstat above fails here, not followed */
    hid_t f = H5Fcreate(partial, H5F_ACC_EXCL, fcpl, fapl);
    if (f < 0)
        sim_h5_fail(err, partial, "cannot create (does the folder exist and is it writable?)");
    H5Pclose(fcpl);
    H5Pclose(fapl);
    return f;
}
