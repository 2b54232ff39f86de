/* tr_trace.h - where traffic enters the simulator: the [trace] section of a
 * scenario, synthetic generators, readers of recorded traces, and replay.
 * Owns: trace configurations, replay streams and loaded series.
 * Invariant: a replay stream is asked for non-decreasing times and answers
 * a finite rate >= 0 (requests per second); same config and seed give the
 * same rates bit for bit; recorded files are read streaming (a file of
 * several GB never sits in memory).
 * Must not: include anything of sim/ or of core/ beyond as.h and
 * as_param.h (shared time, error and value-parsing types). */
#ifndef TR_TRACE_H
#define TR_TRACE_H

#include "as.h"

#include <stdint.h>

typedef struct tr_config tr_config;

/* A configuration with the defaults of a synthetic trace. Caller owns it. */
tr_config *tr_config_new(void);
void tr_config_free(tr_config *c);
/* Directory against which relative file paths in the config are resolved
 * (the scenario file's directory). Copied. */
void tr_config_set_basedir(tr_config *c, const char *dir);
/* Apply one [trace] key. Unknown key: AS_ENOTFOUND; bad value: AS_EINVAL.
 * Messages name the key but not the file/line (the caller prefixes them).
 * Some keys (e.g. spike) may be given several times. */
int tr_config_set(tr_config *c, const char *key, const char *value, as_err *err);
/* Cross-key checks once every key is set (e.g. a file exists). */
int tr_config_check(const tr_config *c, as_err *err);
/* One line per key for --help and the README. */
void tr_config_help(void (*line)(const char *key, const char *help, void *ud), void *ud);

/* Replay: the arrival rate in effect at any simulated time. */
typedef struct tr_stream tr_stream;
/* seed drives every random part of the trace; duration bounds the replay. */
tr_stream *tr_stream_open(const tr_config *c, uint64_t seed, as_time duration, as_err *err);
void tr_stream_free(tr_stream *s);
/* Rate (req/s) at time t; t must not decrease between calls. A read error
 * of a recorded file is AS_EIO/AS_EINVAL naming file and line. */
int tr_stream_rate(tr_stream *s, as_time t, double *rate, as_err *err);

/* A whole series in memory (for forecast evaluation and `trace info`). */
typedef struct tr_series {
    size_t n;
    as_time *t;   /* sample times, increasing */
    double *rate; /* requests per second */
} tr_series;
/* Load a recorded trace file (CSV, access log, Prometheus JSON; format
 * by content or extension). Caller frees with tr_series_free. */
int tr_series_load(const char *path, tr_series *out, as_err *err);
void tr_series_free(tr_series *s);

/* ---- Additions (traces engineer): readers, analysis. ------------------
 * Times of a loaded series and of a reader are rebased so that the first
 * sample is at t = 0 (the trace starts at its first sample); the absolute
 * time of that sample is kept as the reader's origin. */

#include <stdbool.h>
#include <stdio.h>

/* Formats of recorded traces. TR_FORMAT_AUTO picks by extension (.csv,
 * .log, .json), then by content (a '{' starts JSON; a "[date] \"" line
 * is an access log; otherwise CSV). */
typedef enum tr_format {
    TR_FORMAT_AUTO,
    TR_FORMAT_CSV,        /* time,rate rows; time in seconds or ISO 8601 */
    TR_FORMAT_CLF,        /* Common/Combined Log Format, counted in buckets */
    TR_FORMAT_PROMETHEUS  /* query_range JSON, resultType "matrix" */
} tr_format;
/* Names as written in [trace] format = ..., indexed by tr_format; NULL-ended. */
extern const char *const tr_format_names[];

/* A recorded file read sample by sample (streaming, except Prometheus JSON
 * which jansson can only load whole). Caller owns it; tr_reader_free. */
typedef struct tr_reader tr_reader;
/* bucket: width of an access-log bucket (ignored by other formats). The
 * first sample is read at open, so an empty file fails here. */
tr_reader *tr_reader_open(const char *path, tr_format fmt, as_time bucket, as_err *err);
void tr_reader_free(tr_reader *r);
/* Next sample: AS_OK and *more = true with *t (rebased) and *rate set, or
 * AS_OK and *more = false at the end. Errors name "FILE:LINE: ...". */
int tr_reader_next(tr_reader *r, as_time *t /* OUT */, double *rate /* OUT */,
                   bool *more /* OUT */, as_err *err);
/* Back to the first sample (used to loop a replay). */
int tr_reader_rewind(tr_reader *r, as_err *err);
/* The format actually read (never AUTO). */
tr_format tr_reader_format(const tr_reader *r);
/* Absolute time of t = 0 in microseconds since the Unix epoch when the
 * file carries absolute times (access logs, Prometheus, ISO 8601 or Unix
 * seconds in CSV); for CSV the first time value as written. */
as_time tr_reader_origin(const tr_reader *r);
/* Nominal spacing of samples when the format defines it (the access-log
 * bucket), else 0. */
as_time tr_reader_step(const tr_reader *r);

/* tr_series_load with an explicit format and access-log bucket. */
int tr_series_load_fmt(const char *path, tr_format fmt, as_time bucket, tr_series *out,
                       as_err *err);

/* Summary of a series, as printed by `simrun trace info`. */
typedef struct tr_series_info {
    size_t n;                 /* samples */
    as_time duration;         /* last - first + step */
    as_time step;             /* median spacing of samples */
    double min, mean, max;    /* rate over samples (req/s) */
    size_t gaps;              /* spacings > 1.5 x step */
    as_time gap_total;        /* time missing in those gaps (beyond one step) */
    as_time gap_longest, gap_longest_at;
    size_t zeros;             /* samples with rate 0 */
    as_time zero_run_longest, zero_run_at; /* longest run of zero samples */
    as_time period;           /* detected by autocorrelation; 0 = none */
    double period_acf;        /* autocorrelation at that lag */
    as_time acf_resolution;   /* bin width the autocorrelation was computed on */
} tr_series_info;
/* O(n + B^2/2) where B <= 4096 bins (the series is averaged into bins first). */
int tr_series_analyze(const tr_series *s, tr_series_info *out /* OUT */, as_err *err);

#endif
