/* fuzz_trace_common.h - the body shared by the trace-reader harnesses
 * (fuzz_csv, fuzz_clf, fuzz_prom): load the file whole (tr_series_load_fmt,
 * then tr_series_analyze), then replay it through a tr_config whose `file`
 * key points at it (tr_stream_open / tr_stream_rate) with replay options
 * picked from the input. Must not: keep state between inputs. */
#ifndef FUZZ_TRACE_COMMON_H
#define FUZZ_TRACE_COMMON_H

#include "fuzz_common.h"
#include "tr_trace.h"

#include <math.h>
#include <stdlib.h>

static void fuzz_trace_one(const char *name, const char *ext, const char *fmt_name,
                           tr_format fmt, const uint8_t *data, size_t size)
{
    char path[256];
    if (fuzz_write(path, sizeof path, name, ext, data, size) == NULL)
        return;
    unsigned pick = fuzz_pick(data, size);
    as_err err = {0};
    tr_series s = {0};
    as_time bucket = (pick & 1) ? AS_SEC : AS_MIN;
    /* What tr_series_load_fmt does, with a span limit of 2^20 buckets in
     * place of TR_MAX_BUCKETS (1e7): a log whose dates are months apart is
     * a legitimate file that fills millions of zero buckets, which takes
     * over libFuzzer's 10 s -timeout under the sanitizers and would be
     * reported as a hang. The limit's own path is still exercised. */
    tr_read_opts ro = {.format = fmt, .bucket = bucket, .max_buckets = (size_t)1 << 20};
    tr_reader *rd = tr_reader_open_opts(path, &ro, &err);
    int loaded = rd != NULL ? tr_series_read(rd, &s, &err) : AS_EINVAL;
    tr_reader_free(rd);
    if (loaded == AS_OK) {
        tr_series_info info;
        (void)tr_series_analyze(&s, &info, &err);
        for (size_t i = 0; i < s.n; i++)
            if (!isfinite(s.rate[i]) || s.rate[i] < 0 || (i > 0 && s.t[i] <= s.t[i - 1]))
                abort(); /* the reader's contract: finite rates >= 0, increasing times */
        tr_series_free(&s);
    }

    static const char *const interp[] = {"step", "linear"};
    static const char *const gaps[] = {"zero", "hold", "interpolate"};
    static const char *const at_end[] = {"zero", "hold", "loop"};
    tr_config *c = tr_config_new();
    if (c == NULL)
        return;
    err.code = 0;
    int rc = tr_config_set(c, "file", path, &err);
    if (rc == AS_OK)
        rc = tr_config_set(c, "format", fmt_name, &err);
    if (rc == AS_OK)
        rc = tr_config_set(c, "interpolate", interp[(pick >> 1) % 2], &err);
    if (rc == AS_OK)
        rc = tr_config_set(c, "gaps", gaps[(pick >> 2) % 3], &err);
    if (rc == AS_OK)
        rc = tr_config_set(c, "at_end", at_end[(pick >> 4) % 3], &err);
    if (rc == AS_OK && (pick >> 6) % 4 == 0)
        rc = tr_config_set(c, "time_scale", "30", &err);
    if (rc == AS_OK && fmt == TR_FORMAT_CLF)
        rc = tr_config_set(c, "bucket", (pick & 1) ? "1s" : "60s", &err);
    if (rc == AS_OK)
        rc = tr_config_check(c, &err);
    if (rc == AS_OK) {
        tr_stream *st = tr_stream_open(c, 7, 6 * AS_HOUR, &err);
        if (st != NULL) {
            /* 361 queries a minute apart over the 6 h replay */
            for (as_time t = 0; t <= 6 * AS_HOUR; t += AS_MIN) {
                double r;
                if (tr_stream_rate(st, t, &r, &err) != AS_OK)
                    break;
                if (!isfinite(r) || r < 0)
                    abort(); /* tr_trace.h: a finite rate >= 0 */
            }
            tr_stream_free(st);
        }
    }
    tr_config_free(c);
}

#endif
