/* as.h - common definitions of the autoscaling core: simulated time, status
 * codes and the error context every fallible call fills.
 * Owns: nothing; it only declares.
 * Invariant: core/ never reads a clock; time is always an argument (as_time).
 * Must not: include anything of sim/, traces/ or plots/, print, or exit. */
#ifndef AS_H
#define AS_H

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Simulated time in microseconds since the scenario start. Integer so that
 * ties are exact and long runs do not drift; convert to seconds only at I/O. */
typedef int64_t as_time;

#define AS_USEC ((as_time)1)
#define AS_MSEC ((as_time)1000)
#define AS_SEC ((as_time)1000000)
#define AS_MIN (60 * AS_SEC)
#define AS_HOUR (60 * AS_MIN)
#define AS_DAY (24 * AS_HOUR)

static inline double as_time_to_s(as_time t) { return (double)t / 1e6; }

/* Longest duration a random draw may give: 2^62 us, about 146,000 years.
 * Far past the end of any run, and small enough that now + draw cannot
 * overflow. Converting a draw without this clamp is undefined beyond 2^63
 * us: a near-zero crash rate's 6e22 s draw once put an event at INT64_MIN
 * and the run never ended. */
#define AS_TIME_DRAW_MAX ((as_time)1 << 62)

/* A drawn duration in microseconds clamped to [0, AS_TIME_DRAW_MAX] (NaN
 * gives 0), still a double: for callers that round their own way. */
static inline double as_draw_clamp_us(double us)
{
    if (!(us > 0))
        return 0.0;
    return us < (double)AS_TIME_DRAW_MAX ? us : (double)AS_TIME_DRAW_MAX;
}

/* A drawn duration in seconds as as_time: clamped as above, then rounded to
 * the nearest microsecond (halves away from zero, as llround). Every random
 * draw of a time goes through this or as_draw_clamp_us. */
static inline as_time as_time_from_draw_s(double s)
{
    return (as_time)llround(as_draw_clamp_us(s * 1e6));
}

/* Status codes: 0 is success, every other value names one failure class. */
enum {
    AS_OK = 0,     /* success */
    AS_EINVAL = 1, /* bad input: value, key, syntax (exit code 2 in the CLI) */
    AS_ENOMEM = 2, /* allocation failed */
    AS_EIO = 3,    /* a file could not be read or written */
    AS_ERANGE = 4, /* a value is outside what the model can represent */
    AS_EEXIST = 5, /* refusing to overwrite an existing file */
    AS_EINTR = 6,  /* interrupted by the user */
    AS_ENOTFOUND = 7 /* a named thing (kind, run, key) does not exist */
};

/* Caller-owned error context: a code and one line of text that names the
 * file, line and key where the input allows. */
typedef struct as_err {
    int code;
    char msg[512];
} as_err;

/* Fill err (may be NULL) and return code. printf-style message; control
 * bytes in it (a value quoted from a file) are written \n, \t, \xNN, so
 * the message stays one line of printable text (as_err.c). */
int as_err_set(as_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix an existing message, e.g. with "file:line: ". Returns err->code. */
int as_err_prefix(as_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* splitmix64: derive independent seeds for each component from one seed. */
uint64_t as_seed_derive(uint64_t seed, uint64_t stream);

#endif
