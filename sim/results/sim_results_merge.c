/* sim_results_merge.c - one results file from complete per-run files:
 * every /runs/NAME group (and the /trace of the first file) is copied as
 * it is with H5Ocopy, which moves the chunks already compressed and
 * checksummed, so the merged datasets are the per-run ones bit for bit;
 * /summary and /timing are written last from the rows the caller gives
 * (their ranking columns need every run). Runs can be added one at a time
 * as they complete (a batch merges while its workers run). */
#include "sim_results.h"
#include "sim_results_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sim_results_merger {
    hid_t file, runs;
    int added;
    char path[1100], partial[1110];
};

/* Copy spath of src (the file `file`) to dpath under dst. A failed write
 * names the merged file; any other failure the source. */
static int copy_object(const sim_results_merger *m, hid_t src, const char *spath, hid_t dst,
                       const char *dpath, const char *file, as_err *err)
{
    char what[160];
    snprintf(what, sizeof what, "cannot write %s", spath);
    if (H5Ocopy(src, spath, dst, dpath, H5P_DEFAULT, H5P_DEFAULT) >= 0)
        return sim_h5_check(err, m->partial, what);
    int e = sim_h5_io_errno(m->partial);
    if (e > 0)
        return as_err_set(err, AS_EIO, "%s: cannot write %s: %s (errno %d)", m->partial, spath,
                          strerror(e), e);
    snprintf(what, sizeof what, "cannot copy %s", spath);
    return sim_h5_fail(err, file, what);
}

sim_results_merger *sim_results_merge_begin(const char *path, const sim_scenario *sc,
                                            as_err *err)
{
    sim_results_merger *m = calloc(1, sizeof *m);
    if (m == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory");
        return NULL;
    }
    m->runs = H5I_INVALID_HID;
    snprintf(m->path, sizeof m->path, "%s", path);
    snprintf(m->partial, sizeof m->partial, "%s.partial", path);
    m->file = sim_h5_create(m->partial, err);
    if (m->file < 0) {
        free(m);
        return NULL;
    }
    sim_h5_small_cache(m->file);
    sim_h5_root_attrs(m->file, sc);
    m->runs = sim_h5_group(m->file, "runs");
    return m;
}

/* Open a complete run's file for reading. One of up to CORE_MAX bytes is
 * read whole into memory (HDF5's core driver, no backing store): copying
 * a run reads its metadata in about 50 small pieces, each a pread through
 * the default driver; with the small cache of merge_begin, those were a
 * quarter of the merge of 200 short runs (0.122 s of CPU against 0.093 s,
 * medians of 7). A bigger file is
 * read in place, so that the merge's memory does not grow with a run's
 * length; so is one the core driver is refused for. */
#define CORE_MAX (4 << 20)

static hid_t open_source(const char *file)
{
    struct stat st;
    hid_t fapl = H5I_INVALID_HID;
    if (stat(file, &st) == 0 && st.st_size <= CORE_MAX)
        fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_fapl_core(fapl, 64 * 1024, 0) < 0) {
        H5Pclose(fapl);
        fapl = H5I_INVALID_HID;
    }
    hid_t src = H5Fopen(file, H5F_ACC_RDONLY, fapl >= 0 ? fapl : H5P_DEFAULT);
    if (fapl >= 0)
        H5Pclose(fapl);
    return src;
}

int sim_results_merge_add(sim_results_merger *m, const char *file, const char *name,
                          as_err *err)
{
    hid_t src = open_source(file);
    if (src < 0)
        return sim_h5_fail(err, file, "cannot open");
    char sp[128];
    snprintf(sp, sizeof sp, "/runs/%s", name);
    int rc = copy_object(m, src, sp, m->runs, name, file, err);
    if (rc == AS_OK && m->added == 0)
        rc = copy_object(m, src, "/trace", m->file, "trace", file, err);
    H5Fclose(src);
    m->added += rc == AS_OK;
    return rc;
}

static int write_rows(hid_t f, const char *file, const char *name, const sim_col *cols,
                      size_t row_size, const void *rows, int n, as_err *err)
{
    sim_table tb;
    int rc = sim_table_open(&tb, f, name, file, cols, row_size, (size_t)n, err);
    for (int i = 0; i < n && rc == AS_OK; i++)
        rc = sim_table_append(&tb, (const char *)rows + (size_t)i * row_size, err);
    if (rc == AS_OK)
        rc = sim_table_close(&tb, err);
    else
        sim_table_close(&tb, NULL);
    return rc;
}

int sim_results_merge_end(sim_results_merger *m, const sim_summary_row *rows,
                          const sim_timing_row *timings, int n, as_err *err)
{
    H5Gclose(m->runs);
    m->runs = H5I_INVALID_HID;
    int rc = write_rows(m->file, m->partial, "/summary", sim_summary_cols,
                        sizeof(sim_summary_row), rows, n, err);
    if (rc == AS_OK)
        rc = write_rows(m->file, m->partial, "/timing", sim_timing_cols, sizeof(sim_timing_row),
                        timings, n, err);
    if (H5Fclose(m->file) < 0 && rc == AS_OK)
        rc = sim_h5_fail(err, m->partial, "cannot close");
    else if (rc == AS_OK)
        rc = sim_h5_check(err, m->partial, "cannot close");
    m->file = H5I_INVALID_HID;
    if (rc == AS_OK && rename(m->partial, m->path) != 0)
        rc = as_err_set(err, AS_EIO, "cannot rename %s to %s", m->partial, m->path);
    if (rc != AS_OK) {
        unlink(m->partial);
        sim_h5_forget(m->partial);
    }
    free(m);
    return rc;
}

void sim_results_merge_abort(sim_results_merger *m)
{
    if (m == NULL)
        return;
    if (m->runs >= 0)
        H5Gclose(m->runs);
    if (m->file >= 0)
        H5Fclose(m->file);
    unlink(m->partial);
    sim_h5_forget(m->partial);
    free(m);
}

int sim_results_merge(const char *path, const sim_scenario *sc, const char *const *files,
                      const char *const *names, int n, const sim_summary_row *rows,
                      const sim_timing_row *timings, as_err *err)
{
    sim_results_merger *m = sim_results_merge_begin(path, sc, err);
    if (m == NULL)
        return err ? err->code : AS_EIO;
    for (int i = 0; i < n; i++)
        if (sim_results_merge_add(m, files[i], names[i], err) != AS_OK) {
            sim_results_merge_abort(m);
            return err ? err->code : AS_EIO;
        }
    return sim_results_merge_end(m, rows, timings, n, err);
}
