/* sim_results_int.h - what the writer (sim_results.c) and the reader
 * (sim_results_read.c) of results files share, and nothing else includes:
 * the column list of every table and the compound type built from it. */
#ifndef SIM_RESULTS_INT_H
#define SIM_RESULTS_INT_H

#include "sim_results.h"

#include <hdf5.h>

enum { SIM_C_F64, SIM_C_I32, SIM_C_STR };
typedef struct sim_col {
    const char *name; /* member name in the file */
    int type;         /* SIM_C_* */
    size_t off;       /* offset in the row struct */
} sim_col;

typedef struct sim_trace_row {
    double t, rate;
} sim_trace_row;

/* NULL-name terminated column lists of /runs/RUN/timeseries, the tier
 * tables, actions, /summary, /timing and /trace. */
extern const sim_col sim_ts_cols[], sim_tier_cols[], sim_action_cols[], sim_summary_cols[],
    sim_timing_cols[], sim_trace_cols[];

/* The memory compound type of a row struct; HDF5 matches members by name,
 * so a file with extra columns still reads. Caller closes it. */
hid_t sim_h5_type(const sim_col *cols, size_t size);

/* A dataset is one of our tables: one-dimensional, of a compound type with
 * every member of cols (extra members are fine). Else AS_EINVAL naming
 * path, dataset and the first missing column. */
int sim_h5_check_table(hid_t ds, const sim_col *cols, const char *path, const char *name,
                       as_err *err);

#endif
