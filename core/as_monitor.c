/* as_monitor.c - sample ring with lag and window. O(window/scrape) per view;
 * views happen once per policy evaluation (every 15 s or more), so a
 * running sum, which would need care with NAN and eviction order, is not
 * worth it. */
#include "as_monitor.h"

#include <math.h>
#include <stdlib.h>

const char *const as_agg_names[] = {"mean", "max", "min", "last", "percentile", "rate", NULL};
const char *const as_signal_names[] = {"rps_per_pod", "queue", "inflight", "memory", NULL};

struct as_monitor {
    as_time window, lag;
    as_agg agg;
    double p;
    double *scratch; /* cap doubles, for percentiles */
    size_t cap, head, n; /* ring: oldest at head */
    as_time *t;
    double *v;
};

as_monitor *as_monitor_new(as_time scrape, as_time window, as_time lag, as_err *err)
{
    if (scrape <= 0 || window <= 0 || lag < 0) {
        as_err_set(err, AS_EINVAL, "monitor: scrape and window must be > 0, lag >= 0");
        return NULL;
    }
    as_monitor *m = calloc(1, sizeof *m);
    if (m == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory (monitor)");
        return NULL;
    }
    m->window = window;
    m->lag = lag;
    m->cap = (size_t)((window + lag) / scrape) + 4;
    m->t = malloc(m->cap * sizeof *m->t);
    m->v = malloc(m->cap * sizeof *m->v);
    m->scratch = malloc(m->cap * sizeof *m->scratch);
    if (m->t == NULL || m->v == NULL || m->scratch == NULL) {
        as_monitor_free(m);
        as_err_set(err, AS_ENOMEM, "out of memory (monitor)");
        return NULL;
    }
    return m;
}

void as_monitor_free(as_monitor *m)
{
    if (m == NULL)
        return;
    free(m->t);
    free(m->v);
    free(m->scratch);
    free(m);
}

void as_monitor_set_agg(as_monitor *m, as_agg agg, double p)
{
    m->agg = agg;
    m->p = p;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void as_monitor_push(as_monitor *m, as_time t, double value)
{
    size_t i = (m->head + m->n) % m->cap;
    if (m->n == m->cap) { /* full: overwrite the oldest */
        i = m->head;
        m->head = (m->head + 1) % m->cap;
        m->n--;
    }
    m->t[i] = t;
    m->v[i] = value;
    m->n++;
}

double as_monitor_view(const as_monitor *m, as_time now)
{
    as_time hi = now - m->lag, lo = hi - m->window;
    double acc = 0.0, first = NAN, prev = NAN, resets = 0.0;
    as_time t_first = 0, t_last = 0;
    size_t k = 0;
    /* oldest first, the ring's index wrapped by a compare (a division per
     * sample cost more than the rest of the view) */
    size_t i = m->head;
    if (m->agg == AS_AGG_MEAN) { /* the common case, without a switch per sample */
        for (size_t j = 0; j < m->n; j++, i = i + 1 == m->cap ? 0 : i + 1)
            if (m->t[i] > lo && m->t[i] <= hi && !isnan(m->v[i])) {
                acc += m->v[i];
                k++;
            }
        return k == 0 ? NAN : acc / (double)k;
    }
    if (m->agg == AS_AGG_RATE) { /* every run's request counter: the same, without the switch */
        for (size_t j = 0; j < m->n; j++, i = i + 1 == m->cap ? 0 : i + 1) {
            if (!(m->t[i] > lo && m->t[i] <= hi) || isnan(m->v[i]))
                continue;
            double v = m->v[i];
            if (k == 0) {
                first = v;
                t_first = m->t[i];
            } else if (v < prev) {
                resets += prev;
            }
            prev = v;
            t_last = m->t[i];
            k++;
        }
        if (k < 2 || t_last == t_first)
            return NAN;
        return (prev + resets - first) / as_time_to_s(t_last - t_first);
    }
    for (size_t j = 0; j < m->n; j++, i = i + 1 == m->cap ? 0 : i + 1) {
        if (!(m->t[i] > lo && m->t[i] <= hi) || isnan(m->v[i]))
            continue;
        double v = m->v[i];
        switch (m->agg) {
        case AS_AGG_MEAN:
            acc += v;
            break;
        case AS_AGG_MAX:
            acc = k == 0 || v > acc ? v : acc;
            break;
        case AS_AGG_MIN:
            acc = k == 0 || v < acc ? v : acc;
            break;
        case AS_AGG_LAST:
            acc = v;
            break;
        case AS_AGG_PERCENTILE:
            m->scratch[k] = v;
            break;
        case AS_AGG_RATE:
            if (k == 0) {
                first = v;
                t_first = m->t[i];
            } else if (v < prev) {
                resets += prev; /* counter reset: what was counted before it stays counted */
            }
            prev = v;
            t_last = m->t[i];
            break;
        }
        k++;
    }
    if (k == 0)
        return NAN;
    switch (m->agg) {
    case AS_AGG_MEAN:
        return acc / (double)k;
    case AS_AGG_PERCENTILE: {
        qsort(m->scratch, k, sizeof *m->scratch, cmp_double);
        size_t r = (size_t)ceil(m->p * (double)k);
        return m->scratch[r > 0 ? r - 1 : 0];
    }
    case AS_AGG_RATE:
        if (k < 2 || t_last == t_first)
            return NAN;
        return (prev + resets - first) / as_time_to_s(t_last - t_first);
    default:
        return acc;
    }
}

double as_monitor_last(const as_monitor *m, as_time now)
{
    as_time hi = now - m->lag;
    for (size_t j = m->n; j-- > 0;) {
        size_t i = (m->head + j) % m->cap;
        if (m->t[i] <= hi && !isnan(m->v[i]))
            return m->v[i];
    }
    return NAN;
}

as_time as_monitor_last_time(const as_monitor *m, as_time now)
{
    as_time hi = now - m->lag;
    for (size_t j = m->n; j-- > 0;) {
        size_t i = (m->head + j) % m->cap;
        if (m->t[i] <= hi && !isnan(m->v[i]))
            return m->t[i];
    }
    return -1;
}

as_time as_monitor_window(const as_monitor *m) { return m->window; }
