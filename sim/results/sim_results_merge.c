/* sim_results_merge.c - one results file from complete per-run files:
 * every /runs/NAME group (and the /trace of the first file) is copied as
 * it is with H5Ocopy, which moves the chunks already compressed and
 * checksummed, so the merged datasets are the per-run ones bit for bit;
 * /summary and /timing are written from the rows the caller gives. */
#include "sim_results.h"
#include "sim_results_int.h"

#include <stdio.h>
#include <unistd.h>

static int copy_object(hid_t src, const char *spath, hid_t dst, const char *dpath,
                       const char *file, as_err *err)
{
    if (H5Ocopy(src, spath, dst, dpath, H5P_DEFAULT, H5P_DEFAULT) < 0) {
        char what[160];
        snprintf(what, sizeof what, "cannot copy %s", spath);
        return sim_h5_fail(err, file, what);
    }
    return AS_OK;
}

static int copy_runs(hid_t f, const char *const *files, const char *const *names, int n,
                     as_err *err)
{
    hid_t runs = sim_h5_group(f, "runs");
    int rc = AS_OK;
    for (int i = 0; i < n && rc == AS_OK; i++) {
        hid_t src = H5Fopen(files[i], H5F_ACC_RDONLY, H5P_DEFAULT);
        if (src < 0) {
            rc = sim_h5_fail(err, files[i], "cannot open");
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

int sim_results_merge(const char *path, const sim_scenario *sc, const char *const *files,
                      const char *const *names, int n, const sim_summary_row *rows,
                      const sim_timing_row *timings, as_err *err)
{
    char partial[1200];
    snprintf(partial, sizeof partial, "%s.partial", path);
    hid_t f = sim_h5_create(partial, err);
    if (f < 0)
        return err ? err->code : AS_EIO;
    sim_h5_root_attrs(f, sc);
    int rc = copy_runs(f, files, names, n, err);
    if (rc == AS_OK)
        rc = write_rows(f, partial, "/summary", sim_summary_cols, sizeof(sim_summary_row), rows,
                        n, err);
    if (rc == AS_OK)
        rc = write_rows(f, partial, "/timing", sim_timing_cols, sizeof(sim_timing_row), timings,
                        n, err);
    if (H5Fclose(f) < 0 && rc == AS_OK)
        rc = sim_h5_fail(err, partial, "cannot close");
    if (rc == AS_OK && rename(partial, path) != 0)
        rc = as_err_set(err, AS_EIO, "cannot rename %s to %s", partial, path);
    if (rc != AS_OK)
        unlink(partial);
    return rc;
}
