/* fuzz_ini.c - libFuzzer harness: the scenario loader (sim/config/sim_scenario.c)
 * and the value parsers behind it (core/as_param.c). The input is written
 * whole as an INI file; its last line (when it looks like SECTION.KEY=VALUE)
 * is also given as a --set override, so override parsing gets the same
 * bytes. A loaded scenario is freed: leaks show up under LeakSanitizer. */
#include "fuzz_common.h"
#include "sim_scenario.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[256];
    if (fuzz_write(path, sizeof path, "ini", "ini", data, size) == NULL)
        return 0;
    /* the last line as an override (no NUL inside, at most 1 KB) */
    char ov[1024];
    size_t start = size;
    while (start > 0 && data[start - 1] != '\n')
        start--;
    size_t len = size - start;
    const char *ovs[1];
    int nov = 0;
    if (len > 0 && len < sizeof ov && memchr(data + start, '\0', len) == NULL &&
        memchr(data + start, '=', len) != NULL) {
        memcpy(ov, data + start, len);
        ov[len] = '\0';
        ovs[0] = ov;
        nov = 1;
    }
    as_err err = {0};
    sim_scenario *s = sim_scenario_load(path, nov ? ovs : NULL, nov, &err);
    if (s == NULL && err.msg[0] == '\0')
        abort(); /* a refused scenario must say why */
    if (s == NULL && strchr(err.msg, '\n') != NULL)
        abort(); /* ... in one line */
    sim_scenario_free(s);
    /* the same file once more without the override */
    if (nov) {
        err.code = 0;
        err.msg[0] = '\0';
        s = sim_scenario_load(path, NULL, 0, &err);
        if (s == NULL && err.msg[0] == '\0')
            abort();
        sim_scenario_free(s);
    }
    return 0;
}
