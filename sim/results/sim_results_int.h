/* sim_results_int.h - what the files of sim/results share and nothing else
 * includes: the column list of every table, the compound type built from
 * it, the appendable table, attribute helpers, the no-follow file creation
 * and the translation of HDF5's error stack into one line.
 * Invariant: every HDF5 failure that reaches a caller is one as_err line
 * naming the file (and the errno when the library saw one); HDF5's own
 * printing stays off (sim_results_quiet).
 * Must not: be used from two threads of one process at once - Debian's
 * libhdf5 is built without thread safety; batches run in parallel as
 * processes (sim/batch). */
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
/* node layer (runs with node pools only): /runs/RUN/nodes/POOL, /runs/RUN/pods */
extern const sim_col sim_node_cols[], sim_pod_cols[];
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

/* Set err from the error stack HDF5 left for the call that just failed
 * (call it before any other HDF5 call: each one clears the stack):
 * "FILE: WHAT: strerror (errno N)" when the file driver saw an errno,
 * "FILE: WHAT: checksum mismatch (the file is damaged)" when a Fletcher-32
 * check failed (AS_EINVAL), else "FILE: WHAT" and HDF5's innermost reason.
 * Returns the code (AS_EIO or AS_EINVAL). */
int sim_h5_fail(as_err *err, const char *file, const char *what);

/* A file access property list with the writer's file driver
 * (sim_results_vfd.c: O_NOFOLLOW; a failed write poisons the file instead
 * of failing the call). Caller closes. */
hid_t sim_h5_fapl(void);
/* The errno of a failed write to file (0: none). Checked after every
 * write, flush and close of the writer: a file it is not 0 for is never
 * renamed into place. */
int sim_h5_io_errno(const char *file);
/* Forget file's failure (its partial file is removed). */
void sim_h5_forget(const char *file);
/* sim_h5_fail when file is poisoned, else AS_OK. */
int sim_h5_check(as_err *err, const char *file, const char *what);

/* A table being appended: rows buffered, written a chunk at a time. */
typedef struct sim_table {
    hid_t ds, type;
    hid_t loc;        /* where the dataset is made, until it is (else invalid) */
    const char *file; /* path of the file, for messages (borrowed) */
    char name[96];    /* dataset name under loc (made at the first write), for messages */
    size_t row_size;
    hsize_t written;
    size_t nbuf;
    size_t chunk; /* rows per chunk, and rows buffered before a write */
    char *buf;    /* chunk rows */
} sim_table;

/* Dataset `name` under loc: chunked for `rows` expected rows, shuffled,
 * deflated and Fletcher-32 checksummed. rows = 0 (unknown): made at its
 * first write, with a chunk no longer than its rows when they all fit in
 * the first one (its failure is then that write's). */
int sim_table_open(sim_table *tb, hid_t loc, const char *name, const char *file,
                   const sim_col *cols, size_t row_size, size_t rows, as_err *err);
int sim_table_append(sim_table *tb, const void *row, as_err *err);
int sim_table_flush(sim_table *tb, as_err *err);
/* Flush (unless err is NULL: a discarded table) and close; idempotent. */
int sim_table_close(sim_table *tb, as_err *err);

/* Scalar attributes (failures surface when the file is flushed). */
void sim_h5_attr_str(hid_t loc, const char *name, const char *value);
void sim_h5_attr_f64(hid_t loc, const char *name, double v);
void sim_h5_attr_u64(hid_t loc, const char *name, uint64_t v);
/* A group without object time stamps (so files are reproducible). */
hid_t sim_h5_group(hid_t loc, const char *name);
/* The root attributes and /tiers of a results file for scenario sc. */
void sim_h5_root_attrs(hid_t file, const sim_scenario *sc);

/* Give the open file a fixed metadata cache of 64 KiB. HDF5's default
 * (2 MiB, growing to 32 MiB) keeps the metadata of everything written
 * until the file is closed, about 85 KiB a run: merging a 200-run sweep
 * touched 17 MiB of fresh memory, and its page faults and cache misses
 * were over a third of the merge's CPU time (the instruction count hardly
 * changes). A merge appends and never reads back what it finished, so what
 * the cache evicts (written out early instead of at close) is not needed
 * again; 32 KiB was no faster, 256 KiB and 1 MiB slower. Not for the run
 * writer: its .partial file is to be readable at every completed run, and
 * evictions write metadata between flushes. */
void sim_h5_small_cache(hid_t file);

/* Create a new HDF5 file at partial, never through a link: anything at
 * that name that is not a plain file (a symlink, a folder, a FIFO) is
 * refused with AS_EEXIST; a plain file (left by an interrupted writer) is
 * removed first, and the file is then created with O_EXCL, so that a link
 * put there meanwhile fails instead of being followed. */
hid_t sim_h5_create(const char *partial, as_err *err);

/* sim_results_read.c, for the other reader files: a run's table
 * /runs/RUN/TABLE (or /runs/RUN/TABLE/ITEM when item is not NULL) read
 * into a fresh array (*rows, caller frees; untouched on error), and the
 * open file. */
typedef struct sim_reader sim_reader;
int sim_reader_run_table(sim_reader *r, const char *run, const char *table, const char *item,
                         const sim_col *cols, size_t row_size, void **rows, size_t *n,
                         as_err *err);
hid_t sim_reader_hid(const sim_reader *r);

#endif
