/* tr_stream.c - the replay stream (tr_stream): the rate a run sees at each
 * time, from the [trace] section that tr_trace.c checks.
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
 * Cost per tr_stream_rate: two cos() (the daily one read from a table
 * when tabulated), a loop over the configured events (at most
 * TR_MAX_EVENTS, a constant of the config, not of the run; skipped when
 * there are none) and the random draws that fell due (none looked for
 * before the next is due); no allocation. A replayed file advances one
 * line at a time. */
#include "tr_config_impl.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

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
    as_time pass_len, prev_pass; /* the last two loop_off increments */
    size_t rewinds;
    /* noise */
    gsl_rng *noise_rng;
    int64_t noise_k;        /* index of the next noise_step boundary to draw */
    double noise_factor;
    /* on/off processes */
    gsl_rng *onoff_rng[TR_MAX_ONOFF];
    bool on[TR_MAX_ONOFF];
    as_time next_switch[TR_MAX_ONOFF];
    /* the daily factor 1 + daily_amp cos(...) by time of day, at multiples
     * of day_step (tr_stream_tabulate); 0: not computed yet */
    double *day_tab;
    as_time day_step;
    /* the time whose entry is day_tab[day_next_i] (-1: none known): a run
     * at day_step ticks finds its entry with no division */
    as_time day_next_t, day_next_i;
    /* advance_random has nothing to do before this time (the next switch or
     * noise draw), so that a call between two skips it */
    as_time random_due;
    bool plain; /* no trend and no events: modifiers() is 1 exactly */
};

void tr_stream_free(tr_stream *s)
{
    if (s == NULL)
        return;
    tr_reader_free(s->r);
    gsl_rng_free(s->noise_rng);
    for (int i = 0; i < TR_MAX_ONOFF; i++)
        gsl_rng_free(s->onoff_rng[i]);
    free(s->day_tab);
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
        as_time off = s->prev_t + s->step_min;
        s->prev_pass = s->pass_len;
        s->pass_len = off - s->loop_off;
        s->loop_off = off;
        s->rewinds++;
        if ((rc = tr_reader_rewind(s->r, err)) != AS_OK)
            return rc;
        return replay_read(s, err); /* the first sample again, shifted */
    }
    return AS_OK;
}

/* The file's rate at file time x; x never decreases between calls. */
static int replay_at(tr_stream *s, as_time x, double *v, as_err *err)
{
    /* Once two passes had the same length, every later pass repeats them
     * shifted: whole passes before x are skipped, not read (a short trace
     * looped under a large time_scale would otherwise be re-read thousands
     * of times per call). */
    as_time p = s->pass_len;
    if (p > 0 && p == s->prev_pass && s->have_next && x - s->next_t > p) {
        as_time k = (x - s->next_t) / p;
        s->prev_t += k * p;
        s->next_t += k * p;
        s->loop_off += k * p;
    }
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

static double daily_factor(const tr_config *c, as_time tod)
{
    return 1 + c->daily_amp * cos(2 * M_PI * (double)(tod - c->daily_peak) / (double)AS_DAY);
}

/* The daily factor's table entry for time t, or NULL (no table, or t not
 * at a multiple of its step); *tod = t's time of day. The entry after the
 * last one found is kept with its time, so a run at the table's step
 * reaches it without the three 64-bit divisions (a week of week3tier.ini
 * at 1 s ticks does 605 k). */
static double *day_entry(tr_stream *s, as_time t, as_time *tod)
{
    as_time i;
    if (s->day_tab && t == s->day_next_t) {
        i = s->day_next_i;
        *tod = i * s->day_step;
    } else {
        *tod = (s->c.start_time + t) % AS_DAY;
        if (!(s->day_tab && *tod >= 0 && *tod % s->day_step == 0))
            return NULL;
        i = *tod / s->day_step;
    }
    s->day_next_t = t + s->day_step;
    s->day_next_i = (i + 1) * s->day_step < AS_DAY ? i + 1 : 0; /* (step divides a day) */
    return &s->day_tab[i];
}

static double synth_shape(tr_stream *s, as_time t)
{
    const tr_config *c = &s->c;
    double v = c->base;
    if (c->daily_amp != 0) {
        as_time tod;
        double *e = day_entry(s, t, &tod);
        if (e == NULL)
            v *= daily_factor(c, tod);
        else /* (a factor of exactly 0 is computed again: still the same bits) */
            v *= *e != 0 ? *e : (*e = daily_factor(c, tod));
    }
    if (c->weekly_amp == 0 && c->weekend_factor == 1)
        return v;
    as_time tow = ((as_time)c->start_day * AS_DAY + c->start_time + t) % AS_WEEK;
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
    double m = s->plain ? 1.0 : modifiers(s, t); /* (the same bits: 1 * (1 + 0)) */
    *v = u * s->c.rate_scale * m * onoff_mul(s);
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
        if (when > t) {
            s->random_due = when;
            return AS_OK;
        }
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
    s->plain = k->trend == 0 && k->nramp == 0 && k->nstep == 0 && k->nspike == 0;
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
        if ((s->r = tr_config_open_file(k, err)) == NULL)
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

/* The table costs a day's steps of doubles (675 KB at 1 s), filled as
 * the run reaches them (calloc: a page untouched costs nothing); beyond a
 * day every call reads it in place of a cos (a week of week3tier.ini at
 * 1 s ticks: 7 % of its instructions were the trace, a third of that the
 * cos). At most TR_DAY_TAB_MAX entries: a finer step keeps the cos. */
#define TR_DAY_TAB_MAX 86400
void tr_stream_tabulate(tr_stream *s, as_time step)
{
    const tr_config *c = &s->c;
    if (s->day_tab || s->r || c->daily_amp == 0 || step <= 0 || AS_DAY % step != 0 ||
        AS_DAY / step > TR_DAY_TAB_MAX || s->duration + c->skip <= AS_DAY)
        return;
    s->day_tab = calloc((size_t)(AS_DAY / step), sizeof *s->day_tab); /* NULL: the cos */
    s->day_step = step;
    s->day_next_t = -1;
}

size_t tr_stream_skipped(const tr_stream *s) { return s->r ? tr_reader_skipped(s->r) : 0; }

size_t tr_stream_rewinds(const tr_stream *s) { return s->rewinds; }

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
    int rc = u >= s->random_due ? advance_random(s, u, &s->error) : AS_OK;
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
