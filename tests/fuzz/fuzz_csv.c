/* fuzz_csv.c - libFuzzer harness: the CSV trace reader (traces/tr_reader.c),
 * loaded whole and replayed through tr_stream (see fuzz_trace_common.h). */
#include "fuzz_trace_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_trace_one("csv", "csv", "csv", TR_FORMAT_CSV, data, size);
    return 0;
}
