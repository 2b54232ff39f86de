/* sim_budget.h - the work and memory a request-level run (model = des) may
 * take, decided before it starts.
 * Owns: the estimate of a run's events (from the trace's mean rate, the
 * duration and the visits per request), the bound on its memory, and the
 * queue caps it gives tiers whose scenario sets none; plus the parsing of
 * the limits as a user writes them (--max-events, --max-memory).
 * Invariant: a run that passes has a memory bound within max_memory by
 * construction (every tier's queue has a cap), so an overloaded run drops
 * requests instead of growing; a run within its limits is not changed.
 * Must not: run the model, print, or read a clock. */
#ifndef SIM_BUDGET_H
#define SIM_BUDGET_H

#include "sim_des.h"
#include "sim_scenario.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct sim_budget {
    double mean_rate, peak_rate; /* of the trace, sampled at up to 100k tick times, req/s */
    double events;               /* expected events: arrivals + one per visit */
    double memory;               /* bound on the model's bytes, caps included */
    bool derived[SIM_MAX_TIERS]; /* the tier's queue cap was derived from max_memory */
} sim_budget;

/* Check a request-level run of sc against max_events and max_memory (0:
 * the defaults of sim_run.h) and give every tier of tiers[] (sc's tiers,
 * in order) without a queue_cap one derived from the memory left. Samples
 * the trace replayed with trace_seed (what the run replays). stop: as in
 * sim_run_opts. AS_EINVAL naming the limit and the option that raises it
 * when the run would exceed one; AS_EINTR when stopped. */
int sim_budget_des(const sim_scenario *sc, uint64_t trace_seed, uint64_t max_events,
                   uint64_t max_memory, const volatile sig_atomic_t *stop,
                   sim_des_tier *tiers /* IN/OUT */, sim_budget *out /* OUT */, as_err *err);

/* The arrival book of a request-level run of sc (sim_des.h): slots of
 * min(SLO window, record), records of the scenario, about 8 MiB of them
 * (an eighth of max_memory at most; 0: the default limit). */
void sim_budget_book(const sim_scenario *sc, uint64_t max_memory, sim_des_book_cfg *bk /* OUT */);

/* "1e10", "20000000000": a whole count >= 1 (exponents allowed). */
int sim_parse_count(const char *s, uint64_t *out, as_err *err);
/* "512M", "4g", "1.5GiB", "1000000": bytes >= 1 MiB (suffixes K, M, G, T
 * in either case are powers of 1024, with or without "iB"/"B"). */
int sim_parse_bytes(const char *s, uint64_t *out, as_err *err);

#endif
