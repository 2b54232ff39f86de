/* fuzz_prom.c - libFuzzer harness: the PROMETHEUS trace reader (traces/tr_reader.c),
 * loaded whole and replayed through tr_stream (see fuzz_trace_common.h). */
#include "fuzz_trace_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_trace_one("prom", "json", "prometheus", TR_FORMAT_PROMETHEUS, data, size);
    return 0;
}
