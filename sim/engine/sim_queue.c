/* sim_queue.c - binary heap of events, (time, prio, seq) order.
 * O(log n) per push and pop; a calendar queue would be O(1) but the heap's
 * total order is what makes runs reproducible, and n stays small (a few
 * events per tier and policy, plus one per booting or draining instance). */
#include "sim_queue.h"

#include <assert.h>
#include <stdlib.h>

static int before(const sim_event *x, const sim_event *y)
{
    if (x->t != y->t)
        return x->t < y->t;
    if (x->prio != y->prio)
        return x->prio < y->prio;
    return x->seq < y->seq;
}

int sim_queue_init(sim_queue *q, size_t cap, as_err *err)
{
    q->n = 0;
    q->cap = cap ? cap : 64;
    q->next_seq = 0;
    q->now = 0;
    q->heap = malloc(q->cap * sizeof *q->heap);
    if (q->heap == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory (event queue)");
    return AS_OK;
}

void sim_queue_fini(sim_queue *q)
{
    free(q->heap);
    q->heap = NULL;
    q->n = q->cap = 0;
}

int sim_queue_push(sim_queue *q, as_time t, int prio, int type, int a, int b, uint32_t gen)
{
    assert(t >= q->now);
    if (q->n == q->cap) {
        sim_event *h = realloc(q->heap, 2 * q->cap * sizeof *h);
        if (h == NULL)
            return AS_ENOMEM;
        q->heap = h;
        q->cap *= 2;
    }
    sim_event e = {t, prio, q->next_seq++, type, a, b, gen};
    size_t i = q->n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&e, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = e;
    return AS_OK;
}

int sim_queue_pop(sim_queue *q, sim_event *out)
{
    if (q->n == 0)
        return 0;
    *out = q->heap[0];
    sim_event last = q->heap[--q->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const sim_event *best = &last;
        if (l < q->n && before(&q->heap[l], best)) {
            m = l;
            best = &q->heap[l];
        }
        if (r < q->n && before(&q->heap[r], best))
            m = r;
        if (m == i)
            break;
        q->heap[i] = q->heap[m];
        i = m;
    }
    if (q->n > 0)
        q->heap[i] = last;
    q->now = out->t;
    return 1;
}

void sim_queue_advance(sim_queue *q, as_time t)
{
    assert(t >= q->now);
    q->now = t;
}
