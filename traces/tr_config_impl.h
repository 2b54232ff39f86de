/* tr_config_impl.h - the [trace] section's layout, shared by tr_trace.c
 * (the keys and their checks) and tr_stream.c (the rate a run sees).
 * Private to traces/: nothing outside the layer includes it. */
#ifndef TR_CONFIG_IMPL_H
#define TR_CONFIG_IMPL_H

#include "tr_trace.h"

#include <stdbool.h>
#include <stddef.h>

#define TR_MAX_EVENTS 64 /* per kind; a scenario with more is a mistake */
#define TR_MAX_ONOFF 8
#define TR_PATH 1024
#define AS_WEEK (7 * AS_DAY)

enum { SHAPE_FLAT, SHAPE_DAILY, SHAPE_WEEKLY };
enum { TREND_LINEAR, TREND_EXP };
enum { NOISE_NONE, NOISE_GAUSSIAN, NOISE_POISSON };
enum { INTERP_STEP, INTERP_LINEAR };
enum { GAPS_ZERO, GAPS_HOLD, GAPS_INTERP };
enum { END_ZERO, END_HOLD, END_LOOP };

typedef struct tr_spike {
    as_time start, rise, length, decay;
    double factor;
} tr_spike;
typedef struct tr_ramp {
    as_time start, length;
    double factor;
} tr_ramp;
typedef struct tr_step {
    as_time start;
    double factor;
} tr_step;
typedef struct tr_onoff {
    as_time mean_on, mean_off;
    double factor;
} tr_onoff;

/* Flat on purpose (no pointers): a stream copies it, so the caller may
 * free the config as soon as tr_stream_open returns. */
struct tr_config {
    char basedir[TR_PATH];
    /* synthetic shape */
    int shape;
    double base, daily_amp, weekly_amp, weekend_factor;
    as_time daily_peak, weekly_peak, start_time;
    int start_day;
    /* modifiers (synthetic and replay) */
    double trend;
    int trend_type;
    int noise;
    double noise_sd;
    as_time noise_step;
    double rate_scale;
    as_time skip;       /* the run starts this far into the trace */
    /* replay */
    char file[TR_PATH];
    int format, interp, gaps, at_end;
    double time_scale;
    as_time start, bucket;
    int skip_bad;
    bool sort;
    char series[256];
    /* events */
    int nspike, nramp, nstep, nonoff;
    tr_spike spike[TR_MAX_EVENTS];
    tr_ramp ramp[TR_MAX_EVENTS];
    tr_step step[TR_MAX_EVENTS];
    tr_onoff onoff[TR_MAX_ONOFF];
    /* which table keys were given explicitly (shape presets, conflicts) */
    unsigned char given[32];
};

/* Scalar keys. Index order matters only for `given`; keys after K_FILE are
 * replay-only, keys before K_TREND are synthetic-only. */
enum {
    K_SHAPE, K_BASE, K_DAILY_AMP, K_DAILY_PEAK, K_WEEKLY_AMP, K_WEEKLY_PEAK, K_WEEKEND,
    K_START_DAY, K_START_TIME, K_TREND, K_TREND_TYPE, K_NOISE, K_NOISE_SD, K_NOISE_STEP,
    K_RATE_SCALE, K_SKIP, K_FILE, K_FORMAT, K_TIME_SCALE, K_START, K_INTERP, K_GAPS, K_BUCKET,
    K_AT_END, K_SKIP_BAD, K_SORT, K_SERIES, K_COUNT
};

/* The recorded file of a replay config, opened with its reader options. */
tr_reader *tr_config_open_file(const tr_config *c, as_err *err);

#endif
