/* sim_des_book.c - the arrival book of the request-level model (see
 * sim_des.h): what became of the requests by the slot they arrived in, and
 * their latencies by the record interval they arrived in (a visit's by the
 * interval it joined the tier in), so that both models report latency by
 * arrival interval. A ring of `nrec` records of `spr` slots each; record r
 * sits at r % nrec while base <= r < base + nrec. A request whose record
 * was forgotten (released, or forced when the ring had to move on) still
 * counts in the whole-run histograms, not here. */
#include "sim_des_int.h"

#include <stdlib.h>
#include <string.h>

double des_book_bytes(int ntiers, int nrec, int spr)
{
    return (double)nrec * ((double)(ntiers + 1) * (double)sizeof(sim_des_hist) +
                           (double)sizeof(des_brec) + (double)spr * (double)sizeof(des_bslot));
}

double sim_des_book_bytes(int ntiers, const sim_des_book_cfg *bk)
{
    if (bk == NULL || bk->slot <= 0)
        return 0;
    return des_book_bytes(ntiers, bk->records, (int)(bk->record / bk->slot));
}

int des_book_alloc(sim_des *d, as_err *err)
{
    des_book *b = &d->book;
    b->slots = calloc((size_t)b->nrec * (size_t)b->spr, sizeof *b->slots);
    b->recs = calloc((size_t)b->nrec, sizeof *b->recs);
    if (b->slots == NULL || b->recs == NULL)
        goto nomem;
    for (int r = 0; r < b->nrec; r++)
        for (int k = 0; k <= d->ntiers; k++)
            if ((b->recs[r].h[k] = des_hist_new()) == NULL)
                goto nomem;
    return AS_OK;
nomem:
    des_book_free(d);
    return as_err_set(err, AS_ENOMEM, "des: out of memory (arrival book)");
}

void des_book_free(sim_des *d)
{
    des_book *b = &d->book;
    for (int r = 0; b->recs && r < b->nrec; r++)
        for (int k = 0; k <= SIM_DES_MAX_TIERS; k++)
            free(b->recs[r].h[k]);
    free(b->recs);
    free(b->slots);
    b->recs = NULL;
    b->slots = NULL;
    b->nrec = 0;
}

static int64_t rec_of(const des_book *b, as_time t) { return t / b->slot / b->spr; }

static des_bslot *slot_at(des_book *b, as_time t)
{
    int64_t k = t / b->slot;
    return &b->slots[k % ((int64_t)b->nrec * b->spr)];
}

static int held(const des_book *b, int64_t r) { return r >= b->base && r < b->base + b->nrec; }

static void forget(des_book *b, int64_t r)
{
    des_brec *R = &b->recs[r % b->nrec];
    for (int k = 0; k <= SIM_DES_MAX_TIERS && R->h[k]; k++)
        sim_des_hist_reset(R->h[k]);
    R->unfinished = 0;
    memset(&b->slots[(r % b->nrec) * b->spr], 0, (size_t)b->spr * sizeof *b->slots);
}

void des_book_on_arrival(sim_des *d, as_time t, int retry)
{
    des_book *b = &d->book;
    if (b->nrec == 0)
        return;
    while (rec_of(b, t) >= b->base + b->nrec) { /* (the engine makes room first) */
        sim_des_force(d);
        forget(b, b->base);
        b->base++;
    }
    des_bslot *s = slot_at(b, t);
    s->arrivals++;
    s->retries += retry != 0;
}

/* kind: 0 served, 1 failed, 2 flagged unfinished (lat_us is a floor). */
void des_book_on_finish(sim_des *d, as_time t_sys, int served, as_time lat_us, int failed)
{
    des_book *b = &d->book;
    int64_t r = b->nrec ? rec_of(b, t_sys) : -1;
    if (!held(b, r))
        return;
    des_bslot *s = slot_at(b, t_sys);
    s->finished++;
    if (failed) {
        s->errors++;
        return;
    }
    des_brec *R = &b->recs[r % b->nrec];
    sim_des_hist_record(R->h[0], lat_us);
    if (served == 1 && (double)lat_us <= b->lat_us)
        s->good++;
    if (served != 1)
        R->unfinished++;
}

void des_book_on_visit(sim_des *d, int tier, as_time t_join, as_time lat_us)
{
    des_book *b = &d->book;
    int64_t r = b->nrec ? rec_of(b, t_join) : -1;
    if (held(b, r))
        sim_des_hist_record(b->recs[r % b->nrec].h[1 + tier], lat_us);
}

/* ---- public ---- */

int sim_des_records_held(const sim_des *d) { return d->book.nrec; }

uint64_t sim_des_unfinished(const sim_des *d) { return d->book.unfinished; }

as_time sim_des_final_until(const sim_des *d)
{
    const des_book *b = &d->book;
    if (b->nrec == 0)
        return d->now;
    int64_t r = b->base;
    for (; r < b->base + b->nrec; r++) {
        if (!d->drained && (r + 1) * b->rec > d->now)
            break;
        const des_bslot *s = &b->slots[(r % b->nrec) * b->spr];
        int fin = 1;
        for (int k = 0; k < b->spr && fin; k++)
            fin = s[k].arrivals == s[k].finished;
        if (!fin)
            break;
    }
    if (d->drained && r == b->base + b->nrec)
        return INT64_MAX / 2;
    return r * b->rec;
}

void sim_des_slot_get(const sim_des *d, int64_t k, sim_des_slot *out)
{
    const des_book *b = &d->book;
    memset(out, 0, sizeof *out);
    if (b->nrec == 0 || !held(b, k / b->spr))
        return;
    const des_bslot *s = &b->slots[k % ((int64_t)b->nrec * b->spr)];
    *out = (sim_des_slot){.arrivals = s->arrivals,
                          .finished = s->finished,
                          .good = s->good,
                          .errors = s->errors,
                          .retries = s->retries};
}

double sim_des_record_quantile(const sim_des *d, int64_t r, int tier, double p)
{
    const des_book *b = &d->book;
    if (b->nrec == 0 || !held(b, r) || tier < -1 || tier >= d->ntiers)
        return NAN;
    return sim_des_hist_quantile2(b->recs[r % b->nrec].h[1 + tier], NULL, p);
}

void sim_des_release(sim_des *d, int64_t r)
{
    des_book *b = &d->book;
    for (; b->nrec && b->base < r; b->base++)
        forget(b, b->base);
}

int sim_des_room(const sim_des *d, as_time t)
{
    const des_book *b = &d->book;
    return b->nrec == 0 || t <= 0 || rec_of(b, t - 1) < b->base + b->nrec;
}

void sim_des_force(sim_des *d)
{
    des_book *b = &d->book;
    if (b->nrec == 0)
        return;
    des_brec *R = &b->recs[b->base % b->nrec];
    des_bslot *s = &b->slots[(b->base % b->nrec) * b->spr];
    for (int k = 0; k < b->spr; k++) {
        uint64_t u = s[k].arrivals - s[k].finished;
        if (u == 0)
            continue;
        /* each waited at least from the end of its slot to now */
        as_time end = (b->base * b->spr + k + 1) * b->slot;
        sim_des_hist_record_n(R->h[0], d->now > end ? d->now - end : 0, u);
        s[k].finished = s[k].arrivals;
        R->unfinished += u;
        b->unfinished += u;
    }
}
