/* sim_results_read_nodes.c - reading the node layer's tables of a run
 * (/runs/RUN/nodes/POOL, /runs/RUN/pods; see sim_results_read.h). Pool
 * names come from the file and are checked with as_name_check before
 * anyone (a report) puts them anywhere. */
#include "sim_results_int.h"
#include "sim_results_read.h"

#include "as_name.h"

#include <stdio.h>

int sim_reader_node_pools(sim_reader *r, const char *run, char (*names)[SIM_STR], int max,
                          int *n, as_err *err)
{
    char path[2 * SIM_STR + 32];
    snprintf(path, sizeof path, "/runs/%s/nodes", run);
    *n = 0;
    hid_t file = sim_reader_hid(r);
    if (H5Lexists(file, "/runs", H5P_DEFAULT) <= 0)
        return AS_OK;
    char rp[2 * SIM_STR + 32];
    snprintf(rp, sizeof rp, "/runs/%s", run);
    if (H5Lexists(file, rp, H5P_DEFAULT) <= 0 || H5Lexists(file, path, H5P_DEFAULT) <= 0)
        return AS_OK; /* a run without node pools */
    hid_t g = H5Gopen2(file, path, H5P_DEFAULT);
    if (g < 0)
        return as_err_set(err, AS_EINVAL, "%s: cannot open %s", sim_reader_path(r), path);
    H5G_info_t gi;
    int rc = AS_OK;
    if (H5Gget_info(g, &gi) < 0 || gi.nlinks > (hsize_t)max)
        rc = as_err_set(err, AS_EINVAL, "%s: %s lists no or too many node pools",
                        sim_reader_path(r), path);
    for (int i = 0; rc == AS_OK && i < (int)gi.nlinks; i++) {
        if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, (hsize_t)i, names[i], SIM_STR,
                               H5P_DEFAULT) < 0 ||
            as_name_check(names[i], NULL) != AS_OK)
            rc = as_err_set(err, AS_EINVAL, "%s: %s holds a pool that is not a valid name",
                            sim_reader_path(r), path);
        else
            (*n)++;
    }
    H5Gclose(g);
    if (rc != AS_OK)
        *n = 0;
    return rc;
}

int sim_reader_node_series(sim_reader *r, const char *run, const char *pool,
                           sim_node_row **rows, size_t *n, as_err *err)
{
    void *buf = NULL;
    int rc = sim_reader_run_table(r, run, "nodes", pool, sim_node_cols, sizeof(sim_node_row),
                                  &buf, n, err);
    if (rc == AS_OK)
        *rows = buf;
    return rc;
}

int sim_reader_pod_series(sim_reader *r, const char *run, sim_pod_row **rows, size_t *n,
                          as_err *err)
{
    void *buf = NULL;
    int rc = sim_reader_run_table(r, run, "pods", NULL, sim_pod_cols, sizeof(sim_pod_row), &buf,
                                  n, err);
    if (rc == AS_OK)
        *rows = buf;
    return rc;
}
