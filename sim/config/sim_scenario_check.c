/* sim_scenario_check.c - where a scenario error points, and the rules
 * between keys of the fixed sections (tick and duration, min and max,
 * window and scrape...), checked once every key is set. Each message names
 * the key whose value breaks the rule, at the line that set it. */
#include "sim_scenario_int.h"

#include "as_monitor.h"
#include "as_name.h"
#include "as_svclaw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* s as a message shows it (as_name_printable): a section name or a --set
 * argument is the user's text, and a newline or an escape sequence in it
 * split the message's one line or reached the terminal raw. */
static const char *shown(const char *s, char *buf, size_t n)
{
    as_name_printable(s, buf, n);
    return buf;
}

int sim_ld_where(const sim_loader *L, const sim_entry *e, as_err *err)
{
    char b[300];
    if (e->set_index >= 0)
        return as_err_prefix(err, "--set %s: ", shown(L->ov[e->set_index], b, sizeof b));
    return as_err_prefix(err, "%s:%d: [%s] ", L->path, e->line,
                         shown(e->section, b, sizeof b));
}

int sim_ld_fail_at(const sim_loader *L, const sim_section *sec, int inst, const char *key,
                   as_err *err, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const sim_entry *hit = NULL;
    for (int i = 0; i < L->n; i++)
        if (L->e[i].sec == sec && L->e[i].inst == inst && strcmp(L->e[i].key, key) == 0)
            hit = &L->e[i];
    char b[300];
    if (hit && hit->set_index >= 0)
        return as_err_set(err, AS_EINVAL, "--set %s: %s", shown(L->ov[hit->set_index], b, sizeof b),
                          msg);
    if (hit)
        return as_err_set(err, AS_EINVAL, "%s:%d: [%s] key '%s': %s", L->path, hit->line,
                          shown(hit->section, b, sizeof b), key, msg);
    if (inst >= 0)
        return as_err_set(err, AS_EINVAL, "%s: [%s.%s] %s", L->path, sec->name,
                          sec->inst(L->s, inst), msg);
    return as_err_set(err, AS_EINVAL, "%s: [%s] %s", L->path, sec->name, msg);
}

static const sim_section *section(const char *name)
{
    const char *inst;
    return sim_section_find(name, &inst);
}

/* The default name is the file name without its extension; it must be a
 * name too (it becomes results/NAME.h5 and reports/NAME/). */
static int check_name(sim_loader *L, const sim_section *sec, as_err *err)
{
    for (int i = 0; i < L->n; i++)
        if (L->e[i].sec == sec && strcmp(L->e[i].key, "name") == 0)
            return AS_OK; /* given, and checked as it was set */
    as_err e2 = {0};
    if (L->default_name[0] == '\0')
        return as_err_set(err, AS_EINVAL,
                          "%s: the file name gives no scenario name (nothing before its first "
                          "'.'); set [scenario] name",
                          L->path);
    if (as_name_check(L->default_name, &e2) != AS_OK)
        return as_err_set(err, AS_EINVAL,
                          "%s: the scenario name comes from the file name, and %s; set "
                          "[scenario] name",
                          L->path, e2.msg);
    if (strlen(L->default_name) >= sizeof L->s->name)
        return as_err_set(err, AS_EINVAL,
                          "%s: the scenario name comes from the file name, which is longer than "
                          "%zu bytes; set [scenario] name",
                          L->path, sizeof L->s->name - 1);
    snprintf(L->s->name, sizeof L->s->name, "%s", L->default_name);
    return AS_OK;
}

int sim_check_scenario(sim_loader *L, as_err *err)
{
    const sim_section *sec = section("scenario");
    sim_scenario *s = L->s;
    if (s->tick > s->duration)
        return sim_ld_fail_at(L, sec, -1, "tick", err, "tick is longer than duration");
    if (s->record < s->tick || s->record % s->tick != 0)
        return sim_ld_fail_at(L, sec, -1, "record", err, "record must be a whole multiple of tick");
    if (s->duration / s->tick > SIM_MAX_TICKS)
        return sim_ld_fail_at(L, sec, -1, "duration", err,
                              "duration/tick is over 4e8 ticks; use a longer tick");
    return check_name(L, sec, err);
}

/* 1 when the key of section name was set by --set (or a sweep's point). */
static bool set_by_override(const sim_loader *L, const char *name, const char *key)
{
    const sim_section *sec = section(name);
    for (int i = 0; i < L->n; i++)
        if (L->e[i].sec == sec && L->e[i].set_index >= 0 && strcmp(L->e[i].key, key) == 0)
            return true;
    return false;
}

/* A spike, ramp or step the run never sees is refused at its line: a
 * mistyped time (38h in a one-day run) ran to exit 0 without it. Not when
 * the duration or skip comes from --set or a sweep: a window of the run
 * (simrun tune's search and held-out parts, a short trial) leaves events
 * out on purpose. */
static int check_events_seen(sim_loader *L, as_err *err)
{
    const char *key;
    int nth;
    char why[160];
    if (set_by_override(L, "scenario", "duration") || set_by_override(L, "trace", "skip") ||
        !tr_config_unseen(L->s->trace, L->s->duration, &key, &nth, why, sizeof why))
        return AS_OK;
    const sim_section *sec = section("trace");
    for (int i = 0, k = 0; i < L->n; i++)
        if (L->e[i].sec == sec && strcmp(L->e[i].key, key) == 0 && k++ == nth) {
            as_err_set(err, AS_EINVAL, "key '%s': %s: the run never sees it", key, why);
            return sim_ld_where(L, &L->e[i], err);
        }
    return as_err_set(err, AS_EINVAL, "%s: [trace] key '%s': %s: the run never sees it", L->path,
                      key, why);
}

/* t exactly (as a key takes it back), and in days or hours beside it
 * when that form is long: "28172m (19.56 d)". */
static void span_text(as_time t, char *buf, size_t n)
{
    char exact[32];
    as_duration_format(t, exact, sizeof exact);
    double s = as_time_to_s(t);
    if (s >= 2 * 86400.0 && t % AS_DAY != 0)
        snprintf(buf, n, "%s (%.2f d)", exact, s / 86400.0);
    else if (s >= 2 * 3600.0 && t % AS_HOUR != 0 && t % AS_DAY != 0)
        snprintf(buf, n, "%s (%.2f h)", exact, s / 3600.0);
    else
        snprintf(buf, n, "%s", exact);
}

static bool given(const sim_loader *L, const sim_section *sec, const char *key)
{
    for (int i = 0; i < L->n; i++)
        if (L->e[i].sec == sec && strcmp(L->e[i].key, key) == 0)
            return true;
    return false;
}

/* "FILE:LINE: " (or "--set ...: ", or "FILE: ") where key of [sec] (inst,
 * -1: none) was set, for a warning's start. */
static void where_set(const sim_loader *L, const sim_section *sec, int inst, const char *key,
                      char *buf, size_t n)
{
    char b[300];
    snprintf(buf, n, "%s: ", L->path);
    for (int i = 0; i < L->n; i++)
        if (L->e[i].sec == sec && L->e[i].inst == inst && strcmp(L->e[i].key, key) == 0)
            snprintf(buf, n, L->e[i].set_index >= 0 ? "--set %s: " : "%s:%d: ",
                     L->e[i].set_index >= 0 ? shown(L->ov[L->e[i].set_index], b, sizeof b)
                                            : L->path,
                     L->e[i].line);
}

/* A replay that runs out before the run ends gives zero load from there
 * on (at_end = zero): a duration longer than the file, or a start too
 * late, ran to exit 0 on hours of idle service that every policy then
 * "met". It is a warning with the way out, at the line of `file`; the file
 * is read through for it only when a warning sink listens. */
static int warn_replay_end(sim_loader *L, as_err *err)
{
    if (L->warn == NULL || L->warn->fn == NULL)
        return AS_OK;
    as_time end, dur = L->s->duration;
    if (tr_config_replay_end(L->s->trace, dur, &end, err) != AS_OK)
        return as_err_prefix(err, "%s: [trace] ", L->path);
    if (end < 0)
        return AS_OK;
    char where[400], at[48], exact[32], total[48], rest[48];
    where_set(L, section("trace"), -1, "file", where, sizeof where);
    span_text(end, at, sizeof at);
    as_duration_format(end, exact, sizeof exact);
    span_text(dur, total, sizeof total);
    span_text(dur - end, rest, sizeof rest);
    char line[900];
    snprintf(line, sizeof line,
             "%swarning: [trace] file: the replay runs out at %s of the %s run (one step after "
             "the file's last sample); its last %s run at zero load (at_end = zero): set "
             "duration = %s, an earlier start, or at_end = hold or loop",
             where, at, total, rest, exact);
    L->warn->fn(L->warn->ud, line);
    return AS_OK;
}

/* The other way round: a run whose duration is not set (the default 1d)
 * ends before the replayed file's last sample, so a 45-day trace replayed
 * without `duration` was one day of it, told only by the header's "of 1d
 * simulated time". A warning with the duration that replays it whole; a
 * duration that is set (in the file or by a --set) is taken as meant. */
static int warn_file_longer(sim_loader *L, as_err *err)
{
    if (L->warn == NULL || L->warn->fn == NULL || given(L, section("scenario"), "duration"))
        return AS_OK;
    as_time last, end, dur = L->s->duration;
    if (tr_config_file_last(L->s->trace, &last, &end, err) != AS_OK)
        return as_err_prefix(err, "%s: [trace] ", L->path);
    if (last < dur)
        return AS_OK;
    char total[48], at[48], exact[32], line[600];
    span_text(dur, total, sizeof total);
    span_text(last, at, sizeof at);
    as_duration_format(end, exact, sizeof exact);
    snprintf(line, sizeof line,
             "%s: warning: [scenario] duration is not set: the run lasts the default %s and "
             "stops short of the replayed file, whose last sample comes at %s of run time; set "
             "duration = %s to replay it whole (or a shorter one on purpose)",
             L->path, total, at, exact);
    L->warn->fn(L->warn->ud, line);
    return AS_OK;
}

int sim_check_trace(sim_loader *L, as_err *err)
{
    if (tr_config_check(L->s->trace, err) != AS_OK)
        return as_err_prefix(err, "%s: [trace] ", L->path);
    int rc = check_events_seen(L, err);
    if (rc == AS_OK)
        rc = warn_replay_end(L, err);
    return rc == AS_OK ? warn_file_longer(L, err) : rc;
}

/* The instance types of a tier, resolved once every key is read: without
 * `types`, one type of factor 1 at `price` and `boot_time`. */
static int resolve_types(sim_loader *L, const sim_section *sec, int i, as_err *err)
{
    sim_tier_cfg *t = &L->s->tiers[i];
    if (t->ntypes == 0) {
        t->ntypes = 1;
        snprintf(t->types[0].name, sizeof t->types[0].name, "default");
        t->types[0].factor = 1;
        t->types[0].price = t->price_per_hour;
        t->types[0].boot = t->boot_time;
    }
    t->type = 0;
    if (t->type_name[0]) {
        t->type = -1;
        for (int k = 0; k < t->ntypes; k++)
            if (strcmp(t->types[k].name, t->type_name) == 0)
                t->type = k;
        if (t->type < 0)
            return sim_ld_fail_at(L, sec, i, "type", err, "no type '%s' in 'types'", t->type_name);
    }
    for (int k = 0; k < t->ntypes; k++)
        if (t->types[k].boot >= L->s->duration)
            return sim_ld_fail_at(L, sec, i, "types", err,
                                  "type %s boots longer than the run lasts", t->types[k].name);
    return AS_OK;
}

int sim_check_tiers(sim_loader *L, as_err *err)
{
    const sim_section *sec = section("tier");
    sim_scenario *s = L->s;
    for (int i = 0; i < s->ntiers; i++) {
        const sim_tier_cfg *t = &s->tiers[i];
        if (t->min > t->max)
            return sim_ld_fail_at(L, sec, i, "min", err, "min (%d) is greater than max (%d)",
                                  t->min, t->max);
        if (t->initial < t->min || t->initial > t->max)
            return sim_ld_fail_at(L, sec, i, "initial", err,
                                  "initial (%d) is outside [min, max] = [%d, %d]", t->initial,
                                  t->min, t->max);
        if (t->boot_time >= s->duration)
            return sim_ld_fail_at(L, sec, i, "boot_time", err,
                                  "boot_time is not shorter than the run's duration");
        if (t->max == 0 && t->visits > 0)
            return sim_ld_fail_at(L, sec, i, "max", err, "max is 0 but the tier has load");
        int rc = resolve_types(L, sec, i, err);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

int sim_check_monitoring(sim_loader *L, as_err *err)
{
    const sim_section *sec = section("monitoring");
    if (L->s->aggregation == AS_AGG_RATE)
        return sim_ld_fail_at(L, sec, -1, "aggregation", err,
                              "aggregation = rate applies to counters only (the request rate is "
                              "always one); use mean, max, min, last or percentile");
    if (L->s->window < L->s->scrape)
        return sim_ld_fail_at(L, sec, -1, "window", err,
                              "window is shorter than the scrape interval");
    return AS_OK;
}


/* An SLO latency below what a tier's service alone takes for the SLO's
 * share of requests can be met by no count of instances: every run misses
 * it, the oracle goes to max. It is a warning (a user may study a failing
 * set-up), at the line of `latency`. A request visits a tier of visits >=
 * 1 at least once (the request level draws floor(visits) visits and one
 * more with the fraction), so its latency is at least one service there. */
static void warn_slo_reach(const sim_loader *L)
{
    const sim_scenario *s = L->s;
    if (L->warn == NULL || L->warn->fn == NULL || !(s->slo_percentile > 0) ||
        !(s->slo_percentile < 1))
        return;
    for (int i = 0; i < s->ntiers; i++) {
        const sim_tier_cfg *t = &s->tiers[i];
        as_svclaw law;
        as_err e = {0};
        if (!(t->visits >= 1) ||
            as_svclaw_init(&law, t->service_dist, as_time_to_s(t->service_time),
                           t->service_dist == SIM_DIST_EXP ? 1.0 : t->service_cv,
                           &e) != AS_OK)
            continue;
        double q = as_svclaw_quantile(&law, s->slo_percentile);
        if (!(q > s->slo_latency))
            continue;
        char where[400], b[300], line[900];
        where_set(L, section("slo"), -1, "latency", where, sizeof where);
        snprintf(line, sizeof line,
                 "%swarning: [slo] latency: %.4g ms is below what tier %s's service alone takes "
                 "for %g%% of requests (%.4g ms, with no wait): no count of instances meets the "
                 "SLO",
                 where, s->slo_latency * 1e3, shown(t->name, b, sizeof b),
                 s->slo_percentile * 100, q * 1e3);
        L->warn->fn(L->warn->ud, line);
    }
}

/* The SLO and the clients: windows that tile the run and its records, one
 * form of the objective, a timeout that lets a request be served, a
 * backoff cap above the backoff. */
int sim_check_slo(sim_loader *L, as_err *err)
{
    const sim_section *sec = section("slo"), *cl = section("clients");
    sim_scenario *s = L->s;
    char w[32], d[32];
    as_duration_format(s->slo_window, w, sizeof w);
    as_duration_format(s->duration, d, sizeof d);
    if (s->slo_window > s->duration)
        return sim_ld_fail_at(L, sec, -1, "window", err,
                              "the window (%s) is longer than the run (duration %s)", w, d);
    if (s->slo_window % s->tick != 0)
        return sim_ld_fail_at(L, sec, -1, "window", err,
                              "the window (%s) must be a multiple of tick", w);
    if (s->slo_window % s->record != 0 && s->record % s->slo_window != 0)
        return sim_ld_fail_at(L, sec, -1, "window", err,
                              "the window (%s) must be a multiple of [scenario] record or "
                              "divide it", w);
    if (s->max_violation >= 0) {
        if (s->slo_objective_set)
            return sim_ld_fail_at(L, sec, -1, "max_violation", err,
                                  "give objective or max_violation (its old form), not both");
        if (!(s->max_violation < 1))
            return sim_ld_fail_at(L, sec, -1, "max_violation", err,
                                  "max_violation = 100%% would let every window fail");
        s->slo_objective = 1.0 - s->max_violation;
    }
    if (given(L, cl, "timeout") && s->timeout <= 0)
        return sim_ld_fail_at(L, cl, -1, "timeout", err,
                              "must be > 0 (leave it out: clients then wait forever)");
    if (s->backoff_max < s->backoff)
        return sim_ld_fail_at(L, cl, -1, "backoff_max", err, "backoff_max is below backoff");
    warn_slo_reach(L);
    return AS_OK;
}
