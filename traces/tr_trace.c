/* tr_trace.c - the [trace] section (tr_config): its keys, their parsing
 * and checks, and --help. What a run sees of it, the rate at each time, is
 * tr_stream.c (the formula is at the top of that file). */
#include "tr_config_impl.h"

#include "as_param.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const shape_names[] = {"flat", "daily", "weekly", NULL};
static const char *const trend_names[] = {"linear", "exponential", NULL};
static const char *const noise_names[] = {"none", "gaussian", "poisson", NULL};
static const char *const interp_names[] = {"step", "linear", NULL};
static const char *const gaps_names[] = {"zero", "hold", "interpolate", NULL};
static const char *const end_names[] = {"zero", "hold", "loop", NULL};
static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

#define OFF(f) offsetof(struct tr_config, f)
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
     "after the last sample (plus one step): zero, hold, or loop the file (a run that outlasts "
     "the file under zero is warned at load)"},
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

tr_reader *tr_config_open_file(const tr_config *c, as_err *err)
{
    char path[2 * TR_PATH];
    tr_read_opts o;
    resolve_path(c, path, sizeof path);
    reader_opts(c, &o);
    return tr_reader_open_opts(path, &o, err);
}

/* The run times at which the replay of c's file reads its last sample
 * (*run_last) and has read past it (*run_end: one step, the smallest
 * spacing, after it), through start, skip and time_scale; -1 for a file of
 * one sample. Reads the file through. */
static int file_run_end(const tr_config *c, double *run_last, double *run_end, as_err *err)
{
    *run_last = *run_end = -1;
    tr_reader *r = tr_config_open_file(c, err);
    if (r == NULL)
        return err && err->code ? err->code : AS_EINVAL;
    as_time t, last = 0, step = 0;
    double v;
    bool more = true, first = true;
    int rc;
    while ((rc = tr_reader_next(r, &t, &v, &more, err)) == AS_OK && more) {
        as_time d = t - last;
        if (!first && d > 0 && (step == 0 || d < step))
            step = d;
        last = t;
        first = false;
    }
    tr_reader_free(r);
    if (rc != AS_OK || step == 0)
        return rc;
    /* the replay reads file time llround(start + u * time_scale) at trace
     * time u = t + skip: the first u at which that reaches last + step */
    double u = ceil(((double)(last + step) - 0.5 - (double)c->start) / c->time_scale);
    double run = u - (double)c->skip;
    *run_end = run <= 0 ? 0 : run;
    u = ceil(((double)last - 0.5 - (double)c->start) / c->time_scale);
    run = u - (double)c->skip;
    *run_last = run <= 0 ? 0 : run;
    return AS_OK;
}

int tr_config_replay_end(const tr_config *c, as_time duration, as_time *end, as_err *err)
{
    *end = -1;
    if (c->file[0] == '\0' || c->at_end != END_ZERO)
        return AS_OK;
    double run_last, run;
    int rc = file_run_end(c, &run_last, &run, err);
    if (rc == AS_OK && run >= 0 && run < (double)duration)
        *end = (as_time)run;
    return rc;
}

int tr_config_file_last(const tr_config *c, as_time *last, as_time *end, as_err *err)
{
    *last = *end = -1;
    if (c->file[0] == '\0')
        return AS_OK;
    double run_last, run;
    int rc = file_run_end(c, &run_last, &run, err);
    if (rc == AS_OK && run_last >= 0) {
        *last = run_last < 9e18 ? (as_time)run_last : INT64_MAX;
        *end = run < 9e18 ? (as_time)run : INT64_MAX;
    }
    return rc;
}

bool tr_config_clock(const tr_config *c, int64_t *epoch_us, int32_t *utc_offset_s)
{
    /* a replay at another speed has no wall clock to show */
    if (c->file[0] == '\0' || c->time_scale != 1)
        return false;
    as_err e = {0};
    tr_reader *r = tr_config_open_file(c, &e);
    int32_t zone = 0;
    bool known = r != NULL && tr_reader_clock(r, &zone);
    if (known) {
        *epoch_us = tr_reader_origin(r) + c->start;
        *utc_offset_s = zone;
    }
    tr_reader_free(r);
    return known;
}

bool tr_config_generated(const tr_config *c) { return c->file[0] == '\0'; }

bool tr_config_random(const tr_config *c)
{
    int noise = c->noise == NOISE_POISSON || (c->noise == NOISE_GAUSSIAN && c->noise_sd > 0);
    return tr_config_generated(c) && (noise || c->nonoff > 0);
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
        tr_reader *r = tr_config_open_file(c, err);
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
