/* sim_results.h - the HDF5 results file: the writer (sim_results.c:
 * streaming, chunked, compressed, checksummed), the merge of per-run files
 * (sim_results_merge.c), one-call readers (sim_results_read.c, which also
 * has the reader object of sim_results_read.h) and the probe of files given
 * by users (sim_results_probe.c).
 * Owns: the file, its open datasets and their row buffers.
 * Invariant: a file is written under NAME.partial (never through a link:
 * anything there that is not a plain file is refused) and renamed to NAME
 * only when complete; every completed run is flushed, so a killed process
 * leaves a .partial file that h5dump opens with those runs intact. Rows
 * are buffered in chunks of SIM_CHUNK_ROWS and appended: no whole-run
 * buffers. Every failure is one as_err line naming the file (and errno).
 * The only layer that includes hdf5.h.
 * Must not: be called from two threads at once (Debian's libhdf5 is not
 * thread-safe); sim/batch runs in parallel with processes.
 * Layout: see README.md, "Results file". */
#ifndef SIM_RESULTS_H
#define SIM_RESULTS_H

#include "as.h"
#include "sim_record.h"
#include "sim_run.h"
#include "sim_scenario.h"

#include <stdint.h>

#define SIM_CHUNK_ROWS 4096

typedef struct sim_results sim_results;
typedef struct sim_run_writer sim_run_writer;

/* Create PATH.partial (refusing an existing PATH unless force, and
 * anything at PATH.partial that is not a plain file) and write the root
 * attributes. */
sim_results *sim_results_create(const char *path, const sim_scenario *sc, int force,
                                as_err *err);
/* Append one row of /trace (time s, rate req/s). */
int sim_results_trace(sim_results *r, double t, double rate, as_err *err);
/* Begin run `name` of policy number `policy`; params (may be "") are the
 * sweep point's settings, stored as the group's attribute sweep_params. */
sim_run_writer *sim_results_run_begin(sim_results *r, const sim_scenario *sc, int policy,
                                      const char *name, const char *params, as_err *err);
int sim_run_row(sim_run_writer *w, const sim_ts_row *row, as_err *err);
int sim_run_tier_row(sim_run_writer *w, int tier, const sim_tier_row *row, as_err *err);
/* The node layer's rows (runs with node pools only). */
int sim_run_node_row(sim_run_writer *w, int pool, const sim_node_row *row, as_err *err);
int sim_run_pod_row(sim_run_writer *w, const sim_pod_row *row, as_err *err);
int sim_run_action(sim_run_writer *w, const sim_action_row *row, as_err *err);
/* Flush and close the run, append its summary row, flush the file. */
int sim_results_run_end(sim_results *r, sim_run_writer *w, const sim_summary_row *sum,
                        as_err *err);
/* Close a run that failed or was interrupted (no summary row). */
void sim_results_run_discard(sim_run_writer *w);
/* The sink that appends a run's rows to w (and /trace rows to r). */
sim_sink sim_results_sink(sim_results *r, sim_run_writer *w);
/* Run policy number `policy` of sc (sim_run_policy) recorded into r:
 * begins the run group, runs, and ends it with the summary row (a failed
 * run's group stays incomplete in the .partial file). */
int sim_results_run(sim_results *r, const sim_scenario *sc, int policy,
                    const sim_run_opts *opts, sim_summary_row *sum, as_err *err);
/* Append one /timing row and flush it. */
int sim_results_timing(sim_results *r, const sim_timing_row *timing, as_err *err);
/* Rewrite /summary with the final rows (ranking filled in), close, rename. */
int sim_results_commit(sim_results *r, const sim_summary_row *rows, int n, as_err *err);
/* Build path from complete per-run files (each written by its own
 * sim_results), in the given order: root attributes from sc, every
 * /runs/NAME group and the /trace of the first file copied as they are,
 * /summary and /timing from rows and timings. Written as path.partial and
 * renamed when complete. */
int sim_results_merge(const char *path, const sim_scenario *sc, const char *const *files,
                      const char *const *names, int n, const sim_summary_row *rows,
                      const sim_timing_row *timings, as_err *err);
/* The same one run at a time, as runs complete: begin creates
 * path.partial with the root attributes; add copies /runs/NAME of file
 * (and, the first time, its /trace); end writes /summary and /timing,
 * closes and renames (and frees m, as abort does, removing the partial
 * file). */
typedef struct sim_results_merger sim_results_merger;
sim_results_merger *sim_results_merge_begin(const char *path, const sim_scenario *sc,
                                            as_err *err);
int sim_results_merge_add(sim_results_merger *m, const char *file, const char *name,
                          as_err *err);
int sim_results_merge_end(sim_results_merger *m, const sim_summary_row *rows,
                          const sim_timing_row *timings, int n, as_err *err);
void sim_results_merge_abort(sim_results_merger *m);
/* Close without writing the rows still buffered; remove the partial file
 * when discard, else keep it (with every run ended before). */
void sim_results_abort(sim_results *r, int discard);

/* Reading back (show/report/check). Caller frees *rows with free(). */
int sim_results_read_summary(const char *path, sim_summary_row **rows, int *n, as_err *err);
/* Read a root string attribute into buf. */
int sim_results_read_attr(const char *path, const char *name, char *buf, size_t n, as_err *err);
/* Read a root numeric attribute. */
int sim_results_read_attr_f64(const char *path, const char *name, double *v, as_err *err);
/* Read a whole timeseries of RUN (caller frees). */
int sim_results_read_timeseries(const char *path, const char *run, sim_ts_row **rows,
                                size_t *n, as_err *err);

/* Read every dataset and attribute of a results file given by a user in a
 * child process first. Debian's libhdf5 1.10 can crash (heap overflows,
 * absurd allocations) or loop on some damaged files (found by make fuzz);
 * this turns a crash, or a read still going at the time limit
 * (sim_results_probe_limit), into AS_EINVAL naming the file instead of a
 * signal or a hang. A file that passes is then read normally. Costs one
 * extra read of the file. */
int sim_results_probe(const char *path, as_err *err);
/* The same with an explicit limit in seconds. */
int sim_results_probe_within(const char *path, double limit_s, as_err *err);
/* The default limit for path: 10 s plus 1 s per 20 MB. */
double sim_results_probe_limit(const char *path);

/* Silence HDF5's automatic error printing (once, from main). */
void sim_results_quiet(void);
/* Also write the first write error of this process ("FILE: write failed:
 * strerror (errno N)") into *slot as it happens (NULL: nowhere): a parent
 * whose child process writes learns why even when libhdf5 then crashes
 * (1.10 does in some error paths, e.g. H5Ocopy on a full disk). */
void sim_results_io_slot(as_err *slot);

/* The version written into every results file (tool_version), for --version. */
const char *sim_results_tool_version(void);

#endif
