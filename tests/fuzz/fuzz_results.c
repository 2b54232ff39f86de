/* fuzz_results.c - libFuzzer harness: the HDF5 results reader
 * (sim/results/sim_results.c) on a fuzzed file: sim_results_read_summary, a root
 * string and a numeric attribute, and the time series of the first run
 * named by the summary. Seeded with a small real results file. Bugs inside
 * libhdf5 itself (not instrumented) show up as SEGVs in its frames. */
#include "fuzz_common.h"
#include "sim_results.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    if (!quiet) {
        sim_results_quiet();
        quiet = 1;
    }
    char path[256];
    if (fuzz_write(path, sizeof path, "results", "h5", data, size) == NULL)
        return 0;
    as_err err = {0};
    sim_summary_row *rows = NULL;
    int n = 0;
    /* as show, report and check do: a file the library cannot read without
     * crashing is refused by the probe (a child process) first. The
     * commands give the probe 10 s (sim_results_probe_limit), which is
     * libFuzzer's -timeout here: a file on which libhdf5 loops would be
     * reported as a hang of the harness when the probe's refusal is the
     * designed outcome. 2 s is still some 1000 times what a small file
     * takes when it is readable. */
    if (sim_results_probe_within(path, 2.0, &err) != AS_OK) {
        if (err.msg[0] == '\0')
            abort();
        return 0;
    }
    if (sim_results_read_summary(path, &rows, &n, &err) == AS_OK) {
        if (n < 0)
            abort();
        char run[SIM_STR + 1];
        if (n > 0) {
            memcpy(run, rows[0].run, SIM_STR);
            run[SIM_STR] = '\0';
            sim_ts_row *ts = NULL;
            size_t k = 0;
            if (sim_results_read_timeseries(path, run, &ts, &k, &err) == AS_OK)
                free(ts);
        }
        free(rows);
    } else if (err.msg[0] == '\0') {
        abort(); /* a refused file must say why */
    }
    char buf[256];
    (void)sim_results_read_attr(path, "scenario_name", buf, sizeof buf, &err);
    double v;
    (void)sim_results_read_attr_f64(path, "slo_latency_s", &v, &err);
    return 0;
}
