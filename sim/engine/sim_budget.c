/* sim_budget.c - limits of a request-level run, checked before it starts
 * (see sim_budget.h).
 *
 * The event estimate is the mean rate times the duration times the events
 * of one request (its arrival, and one departure per visit): dropped
 * requests make it an upper bound. The mean is taken over at most 100k
 * tick times spread evenly over the run, from a replay of its own (the
 * run's replay is not disturbed): at most a few milliseconds, and within a
 * percent of the exact mean for the traces we have; an exact mean would
 * read every tick twice.
 *
 * Memory: the model holds requests waiting (at most each queue's cap) or in
 * service (at most the tier's servers), so with every cap set its memory
 * is bounded (sim_des_memory_bound). A tier without a cap gets the memory
 * left under max_memory, shared equally: a run that stays within it is
 * unchanged, and one that would outgrow it drops requests (counted as
 * clamped) instead of taking the machine's memory. A cap derived from
 * time (say an hour of backlog) would change runs that fit in memory. */
#include "sim_budget.h"

#include "as_param.h"
#include "sim_run.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SAMPLES 100000
#define DES_MAX_CAP 4e9 /* the largest queue_cap sim_des takes */
#define BOOK_BYTES (8.0 * 1024 * 1024)

static int sample_trace(const sim_scenario *sc, uint64_t seed, const volatile sig_atomic_t *stop,
                        sim_budget *b, as_err *err)
{
    tr_stream *s = tr_stream_open(sc->trace, seed, sc->duration, err);
    if (s == NULL)
        return err && err->code ? err->code : AS_EINVAL;
    as_time tick = sc->tick;
    int64_t nticks = (sc->duration + tick - 1) / tick;
    int64_t stride = nticks / MAX_SAMPLES + 1;
    double sum = 0;
    int64_t n = 0;
    int rc = AS_OK;
    for (int64_t k = 0; k < nticks && rc == AS_OK; k += stride, n++) {
        double rate;
        rc = tr_stream_rate(s, k * tick, &rate, err);
        if (rc == AS_OK && !(isfinite(rate) && rate >= 0))
            rc = as_err_set(err, AS_EINVAL, "trace gave an invalid rate %g at t=%gs", rate,
                            as_time_to_s(k * tick));
        if (rc != AS_OK)
            break;
        sum += rate;
        if (rate > b->peak_rate)
            b->peak_rate = rate;
        if ((n & 1023) == 1023 && stop && __atomic_load_n(stop, __ATOMIC_RELAXED))
            rc = as_err_set(err, AS_EINTR, "interrupted");
    }
    tr_stream_free(s);
    b->mean_rate = n > 0 ? sum / (double)n : 0.0;
    return rc;
}

/* Most servers tier c can have at once: every slot ready with the largest
 * type (a replacement holds two types at once). */
static double servers_bound(const sim_tier_cfg *c)
{
    int f = 1;
    for (int k = 0; k < c->ntypes; k++)
        f = c->types[k].factor > f ? c->types[k].factor : f;
    return (2.0 * c->max + 8) * f * c->concurrency;
}

static double mib(double bytes) { return bytes / (1024.0 * 1024.0); }

void sim_budget_book(const sim_scenario *sc, uint64_t max_memory, sim_des_book_cfg *bk)
{
    as_time slot = sc->slo_window < sc->record ? sc->slo_window : sc->record;
    /* about 8 MiB of latency histograms (an eighth of the memory limit at
     * most), and at least a window's records and a few more: requests
     * older than that (a backlog of hours without a timeout) are counted
     * at their age and flagged */
    double lim = (double)(max_memory ? max_memory : SIM_DEFAULT_MAX_MEMORY) / 8;
    double per = (double)(sc->ntiers + 1) * (double)sizeof(sim_des_hist);
    int64_t n = (int64_t)((lim < BOOK_BYTES ? lim : BOOK_BYTES) / per);
    int64_t least = sc->slo_window / sc->record + 4;
    n = n < least ? least : n;
    n = n > 4096 ? 4096 : n;
    *bk = (sim_des_book_cfg){.slot = slot,
                             .record = sc->record,
                             .slo_latency = sc->slo_latency,
                             .records = (int)n};
}

static int memory_caps(const sim_scenario *sc, double max_memory, sim_des_tier *tiers,
                       sim_budget *b, as_err *err)
{
    sim_des_tier t[SIM_MAX_TIERS] = {{0}};
    double dur = as_time_to_s(sc->duration);
    int unset = 0;
    for (int i = 0; i < sc->ntiers; i++) {
        t[i] = tiers[i];
        t[i].max_servers = (int)fmin(servers_bound(&sc->tiers[i]), 2e9);
        /* a queue cannot hold more than the visits the run makes to it */
        double visits = b->mean_rate * dur * tiers[i].visits * 1.1 + 1000;
        t[i].queue_cap = fmin(tiers[i].queue_cap, visits);
        unset += tiers[i].queue_cap <= 0;
    }
    sim_des_book_cfg bk;
    sim_budget_book(sc, (uint64_t)max_memory, &bk);
    double base = sim_des_memory_bound(sc->ntiers, t) + sim_des_book_bytes(sc->ntiers, &bk);
    if (base > max_memory)
        return as_err_set(err, AS_EINVAL,
                          "model = des: the run may take %.0f MiB (queue caps and servers), "
                          "more than the limit of %.0f MiB: lower queue_cap or raise the "
                          "limit (--max-memory)",
                          mib(base), mib(max_memory));
    double per = 0;
    if (unset > 0) {
        per = floor((max_memory - base) / sim_des_request_bytes() / unset);
        per = fmin(per, DES_MAX_CAP);
        if (per < 1)
            return as_err_set(err, AS_EINVAL,
                              "model = des: a limit of %.0f MiB leaves no room for queued "
                              "requests (the servers take %.0f MiB): raise it (--max-memory)",
                              mib(max_memory), mib(base));
    }
    b->memory = base;
    for (int i = 0; i < sc->ntiers; i++) {
        b->derived[i] = tiers[i].queue_cap <= 0;
        if (b->derived[i]) {
            tiers[i].queue_cap = per;
            b->memory += per * sim_des_request_bytes();
        }
    }
    return AS_OK;
}

int sim_budget_des(const sim_scenario *sc, uint64_t trace_seed, uint64_t max_events,
                   uint64_t max_memory, const volatile sig_atomic_t *stop, sim_des_tier *tiers,
                   sim_budget *out, as_err *err)
{
    memset(out, 0, sizeof *out);
    double lim_ev = (double)(max_events ? max_events : SIM_DEFAULT_MAX_EVENTS);
    double lim_mem = (double)(max_memory ? max_memory : SIM_DEFAULT_MAX_MEMORY);
    int rc = sample_trace(sc, trace_seed, stop, out, err);
    if (rc != AS_OK)
        return rc;
    double per_request = 1.0, dur = as_time_to_s(sc->duration);
    for (int i = 0; i < sc->ntiers; i++)
        per_request += tiers[i].visits;
    out->events = out->mean_rate * dur * per_request;
    if (out->events > lim_ev)
        return as_err_set(err, AS_EINVAL,
                          "model = des: the run would take about %.3g events (mean rate %.4g "
                          "req/s over %g s, %.3g events per request), more than the limit of "
                          "%.3g: shorten it, use model = analytic, or raise the limit "
                          "(--max-events)",
                          out->events, out->mean_rate, dur, per_request, lim_ev);
    return memory_caps(sc, lim_mem, tiers, out, err);
}

/* ---- limits as a user writes them ---- */

int sim_parse_count(const char *s, uint64_t *out, as_err *err)
{
    double v;
    if (as_parse_double(s, &v, err) != AS_OK)
        return AS_EINVAL;
    if (!(v >= 1) || v != floor(v) || v >= 1.8e19)
        return as_err_set(err, AS_EINVAL, "'%s' is not a whole number from 1 to 1.8e19", s);
    *out = (uint64_t)v;
    return AS_OK;
}

int sim_parse_bytes(const char *s, uint64_t *out, as_err *err)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v))
        return as_err_set(err, AS_EINVAL, "'%s' is not a size (e.g. 512M, 4G)", s);
    static const char units[] = "KMGT";
    const char *u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
    if (u) {
        v *= pow(1024.0, (double)(u - units + 1));
        end++;
        if (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0)
            end += strlen(end);
    } else if (strcmp(end, "B") == 0) {
        end++;
    }
    if (*end != '\0')
        return as_err_set(err, AS_EINVAL, "'%s' is not a size (e.g. 512M, 4G)", s);
    if (!(v >= 1024.0 * 1024.0) || v >= 1.8e19)
        return as_err_set(err, AS_EINVAL, "'%s' is outside 1M .. 16E bytes", s);
    *out = (uint64_t)v;
    return AS_OK;
}
