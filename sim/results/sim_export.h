/* sim_export.h - the tables of a results file as CSV and JSON, under the
 * names and in the units of the HDF5 file: one name per metric in all
 * three formats (`p95` is seconds everywhere, `meets_slo` is the same
 * column in /summary, a CSV header and a JSON key).
 * Owns: nothing; it formats rows it is given or reads (never writes) a
 * results file.
 * Invariants: the columns and their order are the HDF5 column lists
 * (sim_results_h5.c), so a column added there appears here with no edit;
 * every column has a unit in sim_export_unit (a test holds the two to each
 * other). Strings are written escaped (JSON by jansson; CSV quoted when
 * they hold a comma, a quote or a line end), numbers with 10 significant
 * digits, a missing value (NaN) as an empty CSV field or JSON null.
 * Derived fields (not stored): JSON `meets_slo` is true/false (the file
 * holds 0/1 in an int32), and an action's `tier_name` next to its `tier`
 * index.
 * Must not: print anything but the table asked for. */
#ifndef SIM_EXPORT_H
#define SIM_EXPORT_H

#include "as.h"
#include "sim_results.h"

#include <stdio.h>

/* Summary rows: a header line then one line per row. params (NULL: none)
 * holds each row's sweep point ("policy.hpa.target=0.6 ..."): one column
 * per distinct key, named in full, after kind (a text, empty where a run
 * has no value). */
void sim_export_summary_csv(FILE *f, const sim_summary_row *rows, const char *const *params,
                            int n);
/* Summary rows as a JSON array of objects, the sweep's parameters as
 * string keys after kind (null where a run has none). AS_ENOMEM or
 * AS_EIO. */
int sim_export_summary_json(FILE *f, const sim_summary_row *rows, const char *const *params,
                            int n, as_err *err);

/* One run of a results file as one JSON object:
 *   {"run", "kind", "summary": {...}, "tiers": [names, by index],
 *    "actions": [{t, tier, tier_name, from, raw, to, reason, utilization,
 *                 rate}], "timeseries": [{t, rate, ...}]}
 * AS_EINVAL for a file or run that is not there (the message names them). */
int sim_export_run_json(FILE *f, const char *path, const char *run, as_err *err);

/* The unit of a column of /summary, /runs/RUN/timeseries or actions ("s",
 * "req/s", "price units", "boolean", "" for a name or a plain count), or
 * NULL for a name that is not a column. */
const char *sim_export_unit(const char *column);
/* The column names of /summary in file order, NULL-terminated (borrowed). */
const char *const *sim_export_summary_names(void);

#endif
