/* sim_rowlog.c - a sink that keeps a run's rows in memory, in the order
 * they came, and hands them to another sink later (sim_engine_int.h):
 * the oracle's passes (sim_refine.c) each record into it, and only the
 * pass that is kept reaches the results. The alternative, passes without
 * rows and the kept plan run once more with them, costs a whole run; the
 * log costs the rows of one run in memory (spike.ini, 2 d: about 9000
 * rows, 2 MB). The log grows by doubling, so a run allocates at a few of
 * its record rows and never in a tick or an event of the request level. */
#include "sim_engine_int.h"

#include <stdlib.h>
#include <string.h>

enum { LOG_ROW, LOG_TIER, LOG_ACTION, LOG_TRACE, LOG_NODE, LOG_POD };

struct sim_rowlog_ent {
    int kind, idx; /* idx: the tier or node pool */
    union {
        sim_ts_row ts;
        sim_tier_row tier;
        sim_action_row action;
        sim_node_row node;
        sim_pod_row pod;
        double trace[2];
    } u;
};

/* A new entry at the end of the log (NULL, err filled: no memory). */
static sim_rowlog_ent *push(sim_rowlog *L, int kind, int idx, as_err *err)
{
    if (L->n == L->cap) {
        size_t cap = L->cap ? 2 * L->cap : 1024;
        sim_rowlog_ent *e = realloc(L->e, cap * sizeof *e);
        if (e == NULL) {
            as_err_set(err, AS_ENOMEM, "out of memory (the oracle's rows)");
            return NULL;
        }
        L->e = e;
        L->cap = cap;
    }
    sim_rowlog_ent *x = &L->e[L->n++];
    x->kind = kind;
    x->idx = idx;
    return x;
}

static int log_row(void *ud, const sim_ts_row *row, as_err *err)
{
    sim_rowlog_ent *x = push(ud, LOG_ROW, 0, err);
    if (x == NULL)
        return AS_ENOMEM;
    x->u.ts = *row;
    return AS_OK;
}

static int log_tier(void *ud, int tier, const sim_tier_row *row, as_err *err)
{
    sim_rowlog_ent *x = push(ud, LOG_TIER, tier, err);
    if (x == NULL)
        return AS_ENOMEM;
    x->u.tier = *row;
    return AS_OK;
}

static int log_action(void *ud, const sim_action_row *row, as_err *err)
{
    sim_rowlog_ent *x = push(ud, LOG_ACTION, 0, err);
    if (x == NULL)
        return AS_ENOMEM;
    x->u.action = *row;
    return AS_OK;
}

static int log_trace(void *ud, double t, double rate, as_err *err)
{
    sim_rowlog_ent *x = push(ud, LOG_TRACE, 0, err);
    if (x == NULL)
        return AS_ENOMEM;
    x->u.trace[0] = t;
    x->u.trace[1] = rate;
    return AS_OK;
}

static int log_node(void *ud, int pool, const sim_node_row *row, as_err *err)
{
    sim_rowlog_ent *x = push(ud, LOG_NODE, pool, err);
    if (x == NULL)
        return AS_ENOMEM;
    x->u.node = *row;
    return AS_OK;
}

static int log_pod(void *ud, const sim_pod_row *row, as_err *err)
{
    sim_rowlog_ent *x = push(ud, LOG_POD, 0, err);
    if (x == NULL)
        return AS_ENOMEM;
    x->u.pod = *row;
    return AS_OK;
}

sim_sink sim_rowlog_sink(sim_rowlog *L, const sim_sink *to)
{
    /* the callbacks `to` has, and only those: the engine skips what a
     * sink does not keep, and the passes must run as the kept one would */
    return (sim_sink){.ud = L,
                      .row = to->row ? log_row : NULL,
                      .tier_row = to->tier_row ? log_tier : NULL,
                      .action = to->action ? log_action : NULL,
                      .trace = to->trace ? log_trace : NULL,
                      .node_row = to->node_row ? log_node : NULL,
                      .pod_row = to->pod_row ? log_pod : NULL};
}

void sim_rowlog_clear(sim_rowlog *L) { L->n = 0; }

int sim_rowlog_replay(const sim_rowlog *L, const sim_sink *to, as_err *err)
{
    int rc = AS_OK;
    for (size_t i = 0; rc == AS_OK && i < L->n; i++) {
        const sim_rowlog_ent *x = &L->e[i];
        switch (x->kind) {
        case LOG_ROW:
            rc = to->row(to->ud, &x->u.ts, err);
            break;
        case LOG_TIER:
            rc = to->tier_row(to->ud, x->idx, &x->u.tier, err);
            break;
        case LOG_ACTION:
            rc = to->action(to->ud, &x->u.action, err);
            break;
        case LOG_TRACE:
            rc = to->trace(to->ud, x->u.trace[0], x->u.trace[1], err);
            break;
        case LOG_NODE:
            rc = to->node_row(to->ud, x->idx, &x->u.node, err);
            break;
        default:
            rc = to->pod_row(to->ud, &x->u.pod, err);
            break;
        }
    }
    return rc;
}

void sim_rowlog_fini(sim_rowlog *L)
{
    free(L->e);
    memset(L, 0, sizeof *L);
}
