/* tr_trace.c - the [trace] section (tr_config), the synthetic generator and
 * the replay stream (tr_stream).
 *
 * The rate at time t is a product of independent parts:
 *
 *   rate(t) = max(0, U(t) * rate_scale * trend(t) * events(t) * onoff(t) * noise(t))
 *
 *   U       the synthetic shape  base * daily(t) * weekly(t) * weekend(t),
 *           or a recorded file replayed at start + t * time_scale;
 *   trend   linear (1 + trend * days) or exponential ((1 + trend)^days);
 *   events  product of ramps and steps, times 1 + the sum of the spikes'
 *           extra (spikes add: two flash crowds overlapping add up);
 *   onoff   product over on/off processes of FACTOR while ON, 1 while OFF;
 *   noise   a factor drawn once per noise_step and held in between.
 *
 * `skip` shifts all of it: a run with skip = D sees at t what a run
 * without it sees at t + D (the random parts are drawn from 0 as usual,
 * so they agree too); `simrun tune` replays its held-out part so.
 *
 * U, trend and events are pure functions of (config, t). The random parts
 * (onoff, noise) are streams drawn strictly in time order, one draw per
 * noise_step and per on/off switch whatever the caller's tick, so the
 * value at t depends only on (config, seed, t) as long as t never goes
 * back. Each has its own mt19937 seeded with as_seed_derive(seed, k), so
 * adding a spike does not change the noise a run sees.
 *
 * Cost per tr_stream_rate: two cos(), a loop over the configured events
 * (at most TR_MAX_EVENTS, a constant of the config, not of the run) and the
 * random draws that fell due; no allocation. A replayed file advances one
 * line at a time. */
#include "tr_trace.h"

#include "as_param.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static const char *const shape_names[] = {"flat", "daily", "weekly", NULL};
static const char *const trend_names[] = {"linear", "exponential", NULL};
static const char *const noise_names[] = {"none", "gaussian", "poisson", NULL};
static const char *const interp_names[] = {"step", "linear", NULL};
static const char *const gaps_names[] = {"zero", "hold", "interpolate", NULL};
static const char *const end_names[] = {"zero", "hold", "loop", NULL};
static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

#define OFF(f) offsetof(struct tr_config, f)
/* Scalar keys. Index order matters only for `given`; keys after K_FILE are
 * replay-only, keys before K_TREND are synthetic-only. */
enum {
    K_SHAPE, K_BASE, K_DAILY_AMP, K_DAILY_PEAK, K_WEEKLY_AMP, K_WEEKLY_PEAK, K_WEEKEND,
    K_START_DAY, K_START_TIME, K_TREND, K_TREND_TYPE, K_NOISE, K_NOISE_SD, K_NOISE_STEP,
    K_RATE_SCALE, K_SKIP, K_FILE, K_FORMAT, K_TIME_SCALE, K_START, K_INTERP, K_GAPS, K_BUCKET,
    K_AT_END, K_SKIP_BAD, K_SORT, K_SERIES, K_COUNT
};
static const as_param_def keys[] = {
    {"shape", AS_P_ENUM, OFF(shape), 0, 0, shape_names, 0,
     "preset amplitudes (daily: daily_amplitude 0.5; weekly: also "
     "weekend_factor 0.6); explicit keys win"},
    {"base", AS_P_DOUBLE, OFF(base), 0, TR_RATE_MAX, NULL, 0,
     "mean rate in req/s; the mean over whole days (weeks with weekly terms)"},
    {"daily_amplitude", AS_P_DOUBLE, OFF(daily_amp), 0, 1, NULL, 0,
     "relative swing of the daily cosine, 0..1: rate = base*(1 + A*cos(2pi(tod - peak)/1d))"},
    {"daily_peak", AS_P_DURATION, OFF(daily_peak), 0, 86400, NULL, 0,
     "time of day of the daily peak"},
    {"weekly_amplitude", AS_P_DOUBLE, OFF(weekly_amp), 0, 1, NULL, 0,
     "relative swing of a weekly cosine, 0..1"},
    {"weekly_peak", AS_P_DURATION, OFF(weekly_peak), 0, 604800, NULL, 0,
     "time after Monday 00:00 of the weekly peak (60h = Wednesday noon)"},
    {"weekend_factor", AS_P_DOUBLE, OFF(weekend_factor), 0, 1000, NULL, 0,
     "Saturday and Sunday run at this times weekdays; normalised so the weekly mean is "
     "base"},
    {"start_day", AS_P_ENUM, OFF(start_day), 0, 0, day_names, 0,
     "day of week at t = 0"},
    {"start_time", AS_P_DURATION, OFF(start_time), 0, 86400, NULL, 0,
     "time of day at t = 0 (0s = midnight)"},
    {"trend", AS_P_DOUBLE, OFF(trend), -1, 1000, NULL, 0,
     "growth per day as a fraction of the start level, e.g. 0.01 or 1%"},
    {"trend_type", AS_P_ENUM, OFF(trend_type), 0, 0, trend_names, 0,
     "linear: 1 + trend*days (floored at 0); exponential: (1 + trend)^days"},
    {"noise", AS_P_ENUM, OFF(noise), 0, 0, noise_names, 0,
     "gaussian multiplies by 1 + noise_sd*N(0,1); poisson draws the count of each "
     "noise_step"},
    {"noise_sd", AS_P_DOUBLE, OFF(noise_sd), 0, 10, NULL, 0,
     "relative standard deviation of gaussian noise"},
    {"noise_step", AS_P_DURATION, OFF(noise_step), 0.001, 86400, NULL, 0,
     "noise is drawn once per noise_step and held in between"},
    {"rate_scale", AS_P_DOUBLE, OFF(rate_scale), 0, TR_RATE_MAX, NULL, 0,
     "multiply every rate"},
    {"skip", AS_P_DURATION, OFF(skip), 0, 3.2e10, NULL, 0,
     "start the run this far into the trace: time t of the run sees what t + skip of a run "
     "without it sees (file, events, noise alike); e.g. the held-out part of simrun tune"},
    {"file", AS_P_STRING, OFF(file), 0, 0, NULL, TR_PATH,
     "replay a recorded trace instead of the synthetic shape (relative to the scenario's "
     "directory); spike/ramp/step/onoff/trend/noise still apply on top"},
    {"format", AS_P_ENUM, OFF(format), 0, 0, tr_format_names, 0,
     "auto: by extension, then content"},
    {"time_scale", AS_P_DOUBLE, OFF(time_scale), 1e-6, 1e6, NULL, 0,
     "replay speed: 30 plays 30 file days per simulated day (rates are not scaled)"},
    {"start", AS_P_DURATION, OFF(start), 0, 3.2e10, NULL, 0,
     "offset into the file (after its first sample) at which the replay starts"},
    {"interpolate", AS_P_ENUM, OFF(interp), 0, 0, interp_names, 0,
     "step: a sample holds until the next; linear: straight line between samples"},
    {"gaps", AS_P_ENUM, OFF(gaps), 0, 0, gaps_names, 0,
     "spacing > 1.5 x the smallest spacing is a gap: zero (after one step), hold the last "
     "value, interpolate linearly"},
    {"bucket", AS_P_DURATION, OFF(bucket), 0.001, 86400, NULL, 0,
     "width of the buckets an access log is counted in"},
    {"at_end", AS_P_ENUM, OFF(at_end), 0, 0, end_names, 0,
     "after the last sample (plus one step): zero, hold, or loop the file"},
    {"skip_bad", AS_P_INT, OFF(skip_bad), 0, 1e9, NULL, 0,
     "skip up to N malformed lines (points) of the file instead of refusing it; the first "
     "one past N is the error"},
    {"sort", AS_P_BOOL, OFF(sort), 0, 0, NULL, 0,
     "access log: count the whole log in any order (concatenated logs), 8 bytes per bucket "
     "of its span, instead of streaming with a 5 min reorder window"},
    {"series", AS_P_STRING, OFF(series), 0, 0, NULL, 256,
     "Prometheus answer with several series: LABEL=VALUE[,LABEL=VALUE] picks one, sum adds "
     "them (default: the answer must hold one series)"},
    {NULL, 0, 0, 0, 0, NULL, 0, NULL},
};
#undef OFF

static const struct {
    const char *key, *help;
} event_keys[] = {
    {"spike", "START, RISE, LENGTH, FACTOR[, DECAY]: flash crowd, rises linearly over RISE to "
              "FACTOR x, holds LENGTH, decays over DECAY (default RISE); repeatable, adds"},
    {"ramp", "START, LENGTH, FACTOR: level moves linearly to FACTOR x over LENGTH and stays; "
             "repeatable, multiplies"},
    {"step", "START, FACTOR: level jumps to FACTOR x at START; repeatable, multiplies"},
    {"onoff", "MEAN_ON, MEAN_OFF, FACTOR: two-state Markov bursts (exponential ON and OFF "
              "times), FACTOR x while ON; repeatable"},
};

tr_config *tr_config_new(void)
{
    tr_config *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->shape = SHAPE_FLAT;
    c->base = 100;
    c->daily_peak = 14 * AS_HOUR;
    c->weekly_peak = 2 * AS_DAY + 12 * AS_HOUR;
    c->weekend_factor = 1;
    c->trend_type = TREND_LINEAR;
    c->noise = NOISE_NONE;
    c->noise_sd = 0.1;
    c->noise_step = 60 * AS_SEC;
    c->rate_scale = 1;
    c->format = TR_FORMAT_AUTO;
    c->time_scale = 1;
    c->interp = INTERP_STEP;
    c->gaps = GAPS_HOLD;
    c->bucket = 60 * AS_SEC;
    c->at_end = END_ZERO;
    return c;
}

void tr_config_free(tr_config *c) { free(c); }

void tr_config_set_basedir(tr_config *c, const char *dir)
{
    snprintf(c->basedir, sizeof c->basedir, "%s", dir ? dir : "");
}

/* Split "a, b, c" into at most max trimmed fields (in place in buf). */
static int split_fields(char *buf, char **f, int max)
{
    int n = 0;
    char *p = buf;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        size_t l = strlen(p);
        while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\t'))
            p[--l] = '\0';
        if (n == max)
            return max + 1;
        f[n++] = p;
        if (!comma)
            return n;
        p = comma + 1;
    }
}

static int field_duration(const char *key, const char *name, const char *s, as_time *out,
                          as_err *err)
{
    if (as_parse_duration(s, out, err) != AS_OK)
        return as_err_prefix(err, "key '%s': %s: ", key, name);
    return AS_OK;
}

static int field_factor(const char *key, const char *s, double *out, as_err *err)
{
    if (as_parse_double(s, out, err) != AS_OK)
        return as_err_prefix(err, "key '%s': FACTOR: ", key);
    if (*out < 0)
        return as_err_set(err, AS_EINVAL, "key '%s': FACTOR %s must be >= 0", key, s);
    return AS_OK;
}

static int set_event(tr_config *c, int kind, const char *key, const char *value, as_err *err)
{
    static const int nmin[] = {4, 3, 2, 3}, nmax[] = {5, 3, 2, 3};
    static const char *const usage[] = {"START, RISE, LENGTH, FACTOR[, DECAY]",
                                        "START, LENGTH, FACTOR", "START, FACTOR",
                                        "MEAN_ON, MEAN_OFF, FACTOR"};
    char buf[256], *f[6];
    if (strlen(value) >= sizeof buf)
        return as_err_set(err, AS_EINVAL, "key '%s': value too long", key);
    memcpy(buf, value, strlen(value) + 1);
    int n = split_fields(buf, f, 5);
    if (n < nmin[kind] || n > nmax[kind])
        return as_err_set(err, AS_EINVAL, "key '%s': expected %s, got '%s'", key, usage[kind],
                          value);
    int full = kind == 3 ? c->nonoff >= TR_MAX_ONOFF
               : kind == 0 ? c->nspike >= TR_MAX_EVENTS
               : kind == 1 ? c->nramp >= TR_MAX_EVENTS
                           : c->nstep >= TR_MAX_EVENTS;
    if (full)
        return as_err_set(err, AS_EINVAL, "key '%s': too many (at most %d)", key,
                          kind == 3 ? TR_MAX_ONOFF : TR_MAX_EVENTS);
    switch (kind) {
    case 0: {
        tr_spike e;
        if (field_duration(key, "START", f[0], &e.start, err) ||
            field_duration(key, "RISE", f[1], &e.rise, err) ||
            field_duration(key, "LENGTH", f[2], &e.length, err) ||
            field_factor(key, f[3], &e.factor, err))
            return err ? err->code : AS_EINVAL;
        e.decay = e.rise;
        if (n == 5 && field_duration(key, "DECAY", f[4], &e.decay, err))
            return err ? err->code : AS_EINVAL;
        c->spike[c->nspike++] = e;
        break;
    }
    case 1: {
        tr_ramp e;
        if (field_duration(key, "START", f[0], &e.start, err) ||
            field_duration(key, "LENGTH", f[1], &e.length, err) ||
            field_factor(key, f[2], &e.factor, err))
            return err ? err->code : AS_EINVAL;
        c->ramp[c->nramp++] = e;
        break;
    }
    case 2: {
        tr_step e;
        if (field_duration(key, "START", f[0], &e.start, err) ||
            field_factor(key, f[1], &e.factor, err))
            return err ? err->code : AS_EINVAL;
        c->step[c->nstep++] = e;
        break;
    }
    default: {
        tr_onoff e;
        if (field_duration(key, "MEAN_ON", f[0], &e.mean_on, err) ||
            field_duration(key, "MEAN_OFF", f[1], &e.mean_off, err) ||
            field_factor(key, f[2], &e.factor, err))
            return err ? err->code : AS_EINVAL;
        if (e.mean_on <= 0 || e.mean_off <= 0)
            return as_err_set(err, AS_EINVAL, "key '%s': MEAN_ON and MEAN_OFF must be > 0",
                              key);
        c->onoff[c->nonoff++] = e;
        break;
    }
    }
    return AS_OK;
}

int tr_config_set(tr_config *c, const char *key, const char *value, as_err *err)
{
    for (int k = 0; k < 4; k++)
        if (strcmp(key, event_keys[k].key) == 0)
            return set_event(c, k, key, value, err);
    int rc = as_param_set(keys, c, key, value, err);
    if (rc == AS_OK)
        c->given[as_param_find(keys, key) - keys] = 1;
    return rc;
}

static void resolve_path(const tr_config *c, char *out, size_t n)
{
    if (c->file[0] == '/' || c->basedir[0] == '\0')
        snprintf(out, n, "%s", c->file);
    else
        snprintf(out, n, "%s/%s", c->basedir, c->file);
}

/* How the replayed file is read. Standard input is not offered: a run
 * opens the file once to check it and again per run and per loop. */
static void reader_opts(const tr_config *c, tr_read_opts *o)
{
    *o = (tr_read_opts){.format = (tr_format)c->format, .bucket = c->bucket,
                        .skip_bad = (size_t)c->skip_bad, .sort = c->sort,
                        .series = c->series[0] ? c->series : NULL};
}

static tr_reader *open_file(const tr_config *c, as_err *err)
{
    char path[2 * TR_PATH];
    tr_read_opts o;
    resolve_path(c, path, sizeof path);
    reader_opts(c, &o);
    return tr_reader_open_opts(path, &o, err);
}

bool tr_config_clock(const tr_config *c, int64_t *epoch_us, int32_t *utc_offset_s)
{
    /* a replay at another speed has no wall clock to show */
    if (c->file[0] == '\0' || c->time_scale != 1)
        return false;
    as_err e = {0};
    tr_reader *r = open_file(c, &e);
    int32_t zone = 0;
    bool known = r != NULL && tr_reader_clock(r, &zone);
    if (known) {
        *epoch_us = tr_reader_origin(r) + c->start;
        *utc_offset_s = zone;
    }
    tr_reader_free(r);
    return known;
}

/* A run sees trace times [skip, skip + duration): an event wholly outside
 * it changes nothing the run replays, and is a mistyped time or a run too
 * short for what the file describes; the loader refuses it. */
int tr_config_unseen(const tr_config *c, as_time duration, const char **key, int *nth,
                     char *why, size_t n)
{
    as_time lo = c->skip, hi = c->skip + duration; /* both below 2^55 us */
    char a[32], b[32];
    as_duration_format(hi, b, sizeof b);
    const char *const names[] = {"spike", "ramp", "step"};
    const int counts[] = {c->nspike, c->nramp, c->nstep};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < counts[k]; i++) {
            as_time start = k == 0 ? c->spike[i].start : k == 1 ? c->ramp[i].start
                                                                 : c->step[i].start;
            as_time end = k == 0 ? start + c->spike[i].rise + c->spike[i].length +
                                       c->spike[i].decay
                                 : INT64_MAX;
            *key = names[k];
            *nth = i;
            if (start >= hi) {
                as_duration_format(start, a, sizeof a);
                snprintf(why, n, "starts at %s, at or after the run's end at %s%s", a, b,
                         lo > 0 ? " (skip + duration)" : " (its duration)");
                return 1;
            }
            if (end <= lo) {
                as_duration_format(end, a, sizeof a);
                as_duration_format(lo, b, sizeof b);
                snprintf(why, n, "ends at %s, before the run starts at %s (skip)", a, b);
                return 1;
            }
        }
    return 0;
}

int tr_config_check(const tr_config *c, as_err *err)
{
    bool replay = c->file[0] != '\0';
    for (int k = 0; k < K_COUNT; k++) {
        if (!c->given[k])
            continue;
        if (replay && k < K_TREND)
            return as_err_set(err, AS_EINVAL,
                              "key '%s' shapes a synthetic trace and cannot be combined with "
                              "'file' (use rate_scale, spike, ramp, step, onoff, trend)",
                              keys[k].name);
        if (!replay && k > K_FILE)
            return as_err_set(err, AS_EINVAL, "key '%s' applies to a replayed file: set 'file'",
                              keys[k].name);
    }
    if (c->trend_type == TREND_EXP && c->trend <= -1)
        return as_err_set(err, AS_EINVAL, "key 'trend': exponential growth needs trend > -1");
    if (replay) {
        /* Opening reads the first sample: an empty or malformed file, or a
         * wrong format, fails now rather than in the middle of a run. */
        tr_reader *r = open_file(c, err);
        if (r == NULL)
            return err ? err->code : AS_EINVAL;
        tr_reader_free(r);
    }
    return AS_OK;
}

void tr_config_help(void (*line)(const char *key, const char *help, void *ud), void *ud)
{
    /* the defaults shown are those of a fresh config: the loader's own */
    tr_config *def = tr_config_new();
    for (const as_param_def *d = keys; d->name; d++) {
        char text[1024], more[400];
        as_param_describe(d, def, more, sizeof more);
        snprintf(text, sizeof text, "%s%s", d->help, more);
        line(d->name, text, ud);
        if (d - keys == K_RATE_SCALE)
            for (int k = 0; k < 4; k++)
                line(event_keys[k].key, event_keys[k].help, ud);
    }
    tr_config_free(def);
}

/* ---------------------------------------------------------------------
 * The stream. */

struct tr_stream {
    tr_config c;          /* a copy, presets applied */
    as_time duration;
    double weekday_mul, weekend_mul; /* weekend_factor normalised over a week */
    bool failed;          /* a read error is sticky: every later call repeats it */
    as_err error;
    as_time last_t;
    /* replay */
    tr_reader *r;
    as_time prev_t, next_t; /* samples around the file time, loop offset included */
    double prev_v, next_v;
    bool have_next;
    as_time step_min;       /* smallest spacing seen: the nominal sample step */
    as_time loop_off;       /* added to file times after each loop */
    /* noise */
    gsl_rng *noise_rng;
    int64_t noise_k;        /* index of the next noise_step boundary to draw */
    double noise_factor;
    /* on/off processes */
    gsl_rng *onoff_rng[TR_MAX_ONOFF];
    bool on[TR_MAX_ONOFF];
    as_time next_switch[TR_MAX_ONOFF];
};

void tr_stream_free(tr_stream *s)
{
    if (s == NULL)
        return;
    tr_reader_free(s->r);
    gsl_rng_free(s->noise_rng);
    for (int i = 0; i < TR_MAX_ONOFF; i++)
        gsl_rng_free(s->onoff_rng[i]);
    free(s);
}

static gsl_rng *rng_new(uint64_t seed, uint64_t stream)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    if (g)
        gsl_rng_set(g, (unsigned long)as_seed_derive(seed, stream));
    return g;
}

/* An exponential duration in microseconds, at least 1 us so time moves. */
static as_time draw_exp(gsl_rng *g, as_time mean)
{
    double d = gsl_ran_exponential(g, (double)mean);
    return d < 1 ? 1 : d > 9e15 ? (as_time)9e15 : (as_time)d;
}

static int replay_read(tr_stream *s, as_err *err)
{
    as_time t;
    double v;
    bool more;
    int rc = tr_reader_next(s->r, &t, &v, &more, err);
    if (rc != AS_OK)
        return rc;
    if (more) {
        s->next_t = t + s->loop_off;
        s->next_v = v;
        s->have_next = true;
        as_time d = s->next_t - s->prev_t;
        if (d > 0 && (s->step_min == 0 || d < s->step_min))
            s->step_min = d;
        return AS_OK;
    }
    s->have_next = false;
    if (s->c.at_end == END_LOOP && s->step_min > 0) {
        /* One pass lasts from the first sample to one step after the last. */
        s->loop_off = s->prev_t + s->step_min;
        if ((rc = tr_reader_rewind(s->r, err)) != AS_OK)
            return rc;
        return replay_read(s, err); /* the first sample again, shifted */
    }
    return AS_OK;
}

/* The file's rate at file time x; x never decreases between calls. */
static int replay_at(tr_stream *s, as_time x, double *v, as_err *err)
{
    while (s->have_next && s->next_t <= x) {
        s->prev_t = s->next_t;
        s->prev_v = s->next_v;
        int rc = replay_read(s, err);
        if (rc != AS_OK)
            return rc;
    }
    const tr_config *c = &s->c;
    if (!s->have_next) {
        /* After the last sample: it holds for one step, then at_end. */
        bool inside = s->step_min == 0 || x < s->prev_t + s->step_min;
        *v = inside || c->at_end == END_HOLD ? s->prev_v : 0;
        return AS_OK;
    }
    as_time d = s->next_t - s->prev_t;
    bool gap = 2 * d > 3 * s->step_min;
    double lin = s->prev_v + (s->next_v - s->prev_v) * (double)(x - s->prev_t) / (double)d;
    if (!gap)
        *v = c->interp == INTERP_LINEAR ? lin : s->prev_v;
    else if (c->gaps == GAPS_INTERP)
        *v = lin;
    else if (c->gaps == GAPS_HOLD || x < s->prev_t + s->step_min)
        *v = s->prev_v;
    else
        *v = 0;
    return AS_OK;
}

static double synth_shape(const tr_stream *s, as_time t)
{
    const tr_config *c = &s->c;
    double v = c->base;
    as_time tod = (c->start_time + t) % AS_DAY;
    as_time tow = ((as_time)c->start_day * AS_DAY + c->start_time + t) % AS_WEEK;
    if (c->daily_amp != 0)
        v *= 1 + c->daily_amp * cos(2 * M_PI * (double)(tod - c->daily_peak) / (double)AS_DAY);
    if (c->weekly_amp != 0)
        v *= 1 + c->weekly_amp *
                     cos(2 * M_PI * (double)(tow - c->weekly_peak) / (double)AS_WEEK);
    if (c->weekend_factor != 1)
        v *= tow >= 5 * AS_DAY ? s->weekend_mul : s->weekday_mul;
    return v;
}

/* Trend and events: deterministic multipliers shared by both modes. */
static double modifiers(const tr_stream *s, as_time t)
{
    const tr_config *c = &s->c;
    double m = 1, days = (double)t / (double)AS_DAY;
    if (c->trend != 0) {
        if (c->trend_type == TREND_EXP)
            m = exp(days * log1p(c->trend));
        else
            m = fmax(0, 1 + c->trend * days);
    }
    for (int i = 0; i < c->nramp; i++) {
        const tr_ramp *e = &c->ramp[i];
        if (t >= e->start + e->length)
            m *= e->factor;
        else if (t > e->start)
            m *= 1 + (e->factor - 1) * (double)(t - e->start) / (double)e->length;
    }
    for (int i = 0; i < c->nstep; i++)
        if (t >= c->step[i].start)
            m *= c->step[i].factor;
    double extra = 0;
    for (int i = 0; i < c->nspike; i++) {
        const tr_spike *e = &c->spike[i];
        as_time a = t - e->start, hold = e->rise + e->length;
        double x = e->factor - 1;
        if (a < 0 || a >= hold + e->decay)
            continue;
        if (a < e->rise)
            extra += x * (double)a / (double)e->rise;
        else if (a < hold)
            extra += x;
        else
            extra += x * (1 - (double)(a - hold) / (double)e->decay);
    }
    return m * (1 + extra);
}

static double onoff_mul(const tr_stream *s)
{
    double m = 1;
    for (int i = 0; i < s->c.nonoff; i++)
        if (s->on[i])
            m *= s->c.onoff[i].factor;
    return m;
}

/* Everything but noise, at time t (t non-decreasing). */
static int level_at(tr_stream *s, as_time t, double *v, as_err *err)
{
    double u;
    if (s->r) {
        double x = (double)s->c.start + (double)t * s->c.time_scale;
        int rc = replay_at(s, (as_time)llround(x), &u, err);
        if (rc != AS_OK)
            return rc;
    } else {
        u = synth_shape(s, t);
    }
    *v = u * s->c.rate_scale * modifiers(s, t) * onoff_mul(s);
    return AS_OK;
}

/* Apply, in time order, every on/off switch and noise draw due by t.
 * Switches win ties, so a noise draw sees the state in force at its time. */
static int advance_random(tr_stream *s, as_time t, as_err *err)
{
    const tr_config *c = &s->c;
    for (;;) {
        int who = -1;
        as_time when = INT64_MAX;
        for (int i = 0; i < c->nonoff; i++)
            if (s->next_switch[i] < when) {
                when = s->next_switch[i];
                who = i;
            }
        as_time nb = c->noise != NOISE_NONE ? s->noise_k * c->noise_step : INT64_MAX;
        if (nb < when) {
            when = nb;
            who = -2;
        }
        if (when > t)
            return AS_OK;
        if (who >= 0) {
            s->on[who] = !s->on[who];
            const tr_onoff *e = &c->onoff[who];
            s->next_switch[who] =
                when + draw_exp(s->onoff_rng[who], s->on[who] ? e->mean_on : e->mean_off);
            continue;
        }
        if (c->noise == NOISE_GAUSSIAN) {
            s->noise_factor = 1 + c->noise_sd * gsl_ran_gaussian(s->noise_rng, 1.0);
        } else {
            double lv;
            int rc = level_at(s, when, &lv, err);
            if (rc != AS_OK)
                return rc;
            double mean = lv * as_time_to_s(c->noise_step);
            if (mean <= 0)
                s->noise_factor = 1;
            else if (mean < 1e7)
                s->noise_factor = gsl_ran_poisson(s->noise_rng, mean) / mean;
            else /* gsl_ran_poisson returns unsigned int; the normal limit is exact enough */
                s->noise_factor = 1 + gsl_ran_gaussian(s->noise_rng, 1.0) / sqrt(mean);
        }
        s->noise_k++;
    }
}

tr_stream *tr_stream_open(const tr_config *c, uint64_t seed, as_time duration, as_err *err)
{
    if (tr_config_check(c, err) != AS_OK)
        return NULL;
    tr_stream *s = calloc(1, sizeof *s);
    if (s == NULL) {
        as_err_set(err, AS_ENOMEM, "trace: out of memory");
        return NULL;
    }
    s->c = *c;
    s->duration = duration;
    tr_config *k = &s->c;
    /* Shape presets fill only what the user did not set. */
    if (k->shape >= SHAPE_DAILY && !k->given[K_DAILY_AMP])
        k->daily_amp = 0.5;
    if (k->shape == SHAPE_WEEKLY && !k->given[K_WEEKEND])
        k->weekend_factor = 0.6;
    /* Five weekdays at w and two weekend days at f*w average to 1. */
    s->weekday_mul = 7 / (5 + 2 * k->weekend_factor);
    s->weekend_mul = k->weekend_factor * s->weekday_mul;
    s->noise_factor = 1;
    if (k->noise != NOISE_NONE && (s->noise_rng = rng_new(seed, 1)) == NULL)
        goto nomem;
    for (int i = 0; i < k->nonoff; i++) {
        if ((s->onoff_rng[i] = rng_new(seed, 100 + (uint64_t)i)) == NULL)
            goto nomem;
        /* Start in the stationary distribution; exponential times are
         * memoryless, so the first residual time is a fresh draw. */
        const tr_onoff *e = &k->onoff[i];
        double p_on = (double)e->mean_on / (double)(e->mean_on + e->mean_off);
        s->on[i] = gsl_rng_uniform(s->onoff_rng[i]) < p_on;
        s->next_switch[i] = draw_exp(s->onoff_rng[i], s->on[i] ? e->mean_on : e->mean_off);
    }
    if (k->file[0]) {
        if ((s->r = open_file(k, err)) == NULL)
            goto fail;
        s->step_min = tr_reader_step(s->r);
        bool more;
        if (tr_reader_next(s->r, &s->prev_t, &s->prev_v, &more, err) != AS_OK ||
            replay_read(s, err) != AS_OK)
            goto fail;
    }
    return s;
nomem:
    as_err_set(err, AS_ENOMEM, "trace: out of memory");
fail:
    tr_stream_free(s);
    return NULL;
}

size_t tr_stream_skipped(const tr_stream *s) { return s->r ? tr_reader_skipped(s->r) : 0; }

int tr_stream_rate(tr_stream *s, as_time t, double *rate, as_err *err)
{
    if (s->failed) {
        if (err)
            *err = s->error;
        return s->error.code;
    }
    if (t < s->last_t || t < 0)
        return as_err_set(err, AS_ERANGE, "trace: time %.6f s is before %.6f s (times must not "
                          "decrease)", as_time_to_s(t), as_time_to_s(s->last_t));
    s->last_t = t;
    as_time u = t + s->c.skip; /* both below 2^55 us: no overflow */
    double v;
    int rc = advance_random(s, u, &s->error);
    if (rc == AS_OK)
        rc = level_at(s, u, &v, &s->error);
    if (rc != AS_OK) {
        s->failed = true;
        if (err)
            *err = s->error;
        return rc;
    }
    v *= s->noise_factor;
    *rate = v > 0 ? v : 0; /* gaussian noise or falling trends may go below 0 */
    return AS_OK;
}
