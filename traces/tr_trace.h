/* tr_trace.h - where traffic enters the simulator: the [trace] section of a
 * scenario, synthetic generators, readers of recorded traces, and replay.
 * Owns: trace configurations, replay streams and loaded series.
 * Invariant: a replay stream is asked for non-decreasing times and answers
 * a finite rate >= 0 (requests per second); same config and seed give the
 * same rates bit for bit; recorded files are read streaming (a file of
 * several GB never sits in memory), except Prometheus JSON (whole, at most
 * TR_DOC_MAX) and sorted access logs (8 bytes per bucket of their span).
 * Must not: include anything of sim/ or of core/ beyond as.h and
 * as_param.h (shared time, error and value-parsing types). */
#ifndef TR_TRACE_H
#define TR_TRACE_H

#include "as.h"

#include <stdint.h>
#include <stdbool.h>

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
/* The first event a run of `duration` (from `skip` into the trace) never
 * sees: a spike that ends before the run starts or starts at or after its
 * end, a ramp or step that starts at or after its end (one that starts
 * before the run is in force throughout). Returns 0 when every event is
 * seen; else 1 with *key ("spike", "ramp", "step"), *nth (0-based among
 * that key's values, in the order they were set) and why (n bytes, e.g.
 * "starts at 50h, at or after the run's end at 48h"). */
int tr_config_unseen(const tr_config *c, as_time duration, const char **key /* OUT */,
                     int *nth /* OUT */, char *why, size_t n);
/* The run times at which the replay of c's file reads its last sample
 * (*last) and has read past it (*end: one step, the smallest spacing,
 * after it), through start, skip and time_scale as the replay computes
 * them (0 when before the run); -1 for a synthetic trace or a file of one
 * sample. Reads the file through. */
int tr_config_file_last(const tr_config *c, as_time *last /* OUT */, as_time *end /* OUT */,
                        as_err *err);
/* Where a run of `duration` outruns its replayed file: *end is the run
 * time (skip taken off) from which the replay gives zero load under
 * at_end = zero, one step (the smallest spacing) after the file's last
 * sample, through start and time_scale as the replay computes it; -1 when
 * the replay lasts the whole run (or is synthetic, or at_end is hold or
 * loop, or the file holds one sample). Reads the file through. */
int tr_config_replay_end(const tr_config *c, as_time duration, as_time *end /* OUT */,
                         as_err *err);
/* The wall-clock time of replay time 0, for time axes: true with
 * *epoch_us (microseconds since 1970-01-01 UTC) and *utc_offset_s (the
 * zone the file was written in, seconds east of UTC) when the config
 * replays a file whose times are dates (tr_reader_clock) at time_scale 1;
 * false for a synthetic trace, a file of plain seconds, another speed, or
 * a file that cannot be read (the run itself reports that). Opens the file
 * (an access log or CSV: its first line; Prometheus: the whole answer). */
bool tr_config_clock(const tr_config *c, int64_t *epoch_us /* OUT */,
                     int32_t *utc_offset_s /* OUT */);
/* True when the trace is generated (no file) and draws from its seed:
 * noise (Poisson, or Gaussian with noise_sd > 0) or on/off periods.
 * Another seed then gives another draw of the same traffic; a replayed
 * file is one draw whatever the seed. */
bool tr_config_random(const tr_config *c);
/* True when the trace is generated (no file is replayed). */
bool tr_config_generated(const tr_config *c);
/* One line per key for --help and the README. */
void tr_config_help(void (*line)(const char *key, const char *help, void *ud), void *ud);

/* Replay: the arrival rate in effect at any simulated time. */
typedef struct tr_stream tr_stream;
/* seed drives every random part of the trace; duration bounds the replay. */
tr_stream *tr_stream_open(const tr_config *c, uint64_t seed, as_time duration, as_err *err);
void tr_stream_free(tr_stream *s);
/* Malformed lines of the replayed file skipped under [trace] skip_bad in
 * the current pass over it (0 for a synthetic trace). */
size_t tr_stream_skipped(const tr_stream *s);
/* How many times a looped replay has gone back to the file's start (0 for
 * a synthetic trace): whole passes that no call lands in are skipped, not
 * read, so this grows with the calls, not with the passes they span. */
size_t tr_stream_rewinds(const tr_stream *s);
/* Rate (req/s) at time t; t must not decrease between calls. A read error
 * of a recorded file is AS_EIO/AS_EINVAL naming file and line. */
int tr_stream_rate(tr_stream *s, as_time t, double *rate, as_err *err);
/* A hint: the caller will ask mostly at multiples of step. A synthetic
 * daily shape whose day is a whole number of steps (at most 86400) and
 * that runs past a day then keeps its daily factor by time of day,
 * computed once (the same bits as without the hint). Out of memory: no
 * table, nothing else changes. */
void tr_stream_tabulate(tr_stream *s, as_time step);

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

/* How a recorded file is read. Zero-initialised means: format by extension
 * then content, 60 s access-log buckets, no malformed line tolerated, no
 * bucket limit, access logs streamed (not sorted), a Prometheus answer
 * must hold exactly one series, and "-" is a file named "-". */
typedef struct tr_read_opts {
    tr_format format;   /* TR_FORMAT_AUTO picks (see above) */
    as_time bucket;     /* access-log bucket width; 0 = 60 s */
    size_t skip_bad;    /* malformed lines (points) skipped before one is an
                         * error; the count is tr_reader_skipped() */
    size_t max_buckets; /* access log: refuse a span of more buckets than
                         * this (0 = none; sorting uses TR_MAX_BUCKETS then) */
    bool sort;          /* access log: read it whole and count every line in
                         * its bucket, whatever the order (concatenated logs);
                         * memory is 8 bytes per bucket of the span */
    const char *series; /* Prometheus: NULL = the result must hold one series;
                         * "sum" adds all; "LABEL=VALUE[,...]" (also in the
                         * {label="value"} form error messages print) picks
                         * the one series with those labels. Copied. */
    bool allow_stdin;   /* "-" and /dev/stdin read standard input (once:
                         * such a reader cannot be rewound past its buffer) */
} tr_read_opts;

/* Default bucket limit of `simrun trace info|convert` (--max-buckets). */
#define TR_MAX_BUCKETS ((size_t)10000000)
/* Largest rate, req/s: of [trace] base and rate_scale, and of a sample in
 * a trace file (past it, a file holds a wrong column or unit, not traffic;
 * read as is, a rate of 1e300 ran to exit 0). */
#define TR_RATE_MAX 1e12

/* A recorded file read sample by sample (streaming, except Prometheus JSON
 * which jansson can only load whole, and sorted access logs). Only regular
 * files are read (a FIFO or a device is refused at open, never waited on),
 * plain or gzip-compressed (by content), a UTF-8 byte order mark skipped;
 * a line may not exceed TR_LINE_MAX bytes nor a JSON document TR_DOC_MAX.
 * Caller owns it; tr_reader_free. The first sample is read at open, so an
 * empty file fails here. */
typedef struct tr_reader tr_reader;
#define TR_LINE_MAX ((size_t)1 << 20)  /* 1 MiB */
#define TR_DOC_MAX ((size_t)256 << 20) /* 256 MiB */
tr_reader *tr_reader_open_opts(const char *path, const tr_read_opts *o, as_err *err);
/* The same with defaults but format and bucket (bucket ignored by other
 * formats). */
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
/* Whether the origin is a wall-clock time (access logs, Prometheus, ISO
 * 8601 dates in CSV; not a CSV of plain seconds), and the zone the file
 * was written in, seconds east of UTC (the first access-log line's; 0 for
 * Prometheus and CSV, which are shown in UTC). */
bool tr_reader_clock(const tr_reader *r, int32_t *utc_offset_s /* OUT, may be NULL */);
/* Nominal spacing of samples when the format defines it (the access-log
 * bucket; the smallest spacing of a Prometheus answer), else 0. */
as_time tr_reader_step(const tr_reader *r);
/* Malformed lines (points) skipped so far under skip_bad, in this pass
 * over the file; the message of the first one (borrowed, "" if none). */
size_t tr_reader_skipped(const tr_reader *r);
const char *tr_reader_first_skipped(const tr_reader *r);
/* Prometheus "NaN" samples left out as gaps (0 for other formats). */
size_t tr_reader_nan_gaps(const tr_reader *r);
/* Which series a Prometheus reader reads, e.g. `{instance="a:9090"}` or
 * "sum of 3 series" (borrowed; "" for other formats). */
const char *tr_reader_series(const tr_reader *r);

/* tr_series_load with an explicit format and access-log bucket. Both
 * refuse an access log spanning more than TR_MAX_BUCKETS buckets. */
int tr_series_load_fmt(const char *path, tr_format fmt, as_time bucket, tr_series *out,
                       as_err *err);
/* Every remaining sample of an open reader into a series (caller frees). */
int tr_series_read(tr_reader *r, tr_series *out, as_err *err);

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
