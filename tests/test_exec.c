/* test_exec.c - core's execution (as_exec): instance lifecycle and its
 * counts, stale events, scale-in order, billing with granularity and
 * minimum, the quota and budget clamp, the choice of an instance type;
 * and the clamped conversion of drawn times (as.h). */
#include "as_exec.h"

#include <criterion/criterion.h>
#include <math.h>

/* One pool of `slots` slots, types small (1 unit, 0.36/h, boot 60 s) and
 * large (4 units, 1.08/h, boot 120 s), `initial` small ones ready. */
static as_pool_cfg pool_cfg(int slots, int initial)
{
    as_pool_cfg c = {.slots = slots,
                     .concurrency = 2,
                     .ntypes = 2,
                     .types = {{1, 0.36, 60 * AS_SEC}, {4, 1.08, 120 * AS_SEC}},
                     .type = 0,
                     .initial = initial,
                     .granularity = AS_SEC,
                     .minimum = 60 * AS_SEC};
    return c;
}

static as_exec *mk(const as_exec_limits *lim, int n, const as_pool_cfg *c)
{
    as_err e = {0};
    as_exec *x = as_exec_new(lim, n, c, &e);
    cr_assert_not_null(x, "%s", e.msg);
    return x;
}

Test(exec, lifecycle_keeps_counts_and_skips_stale_events)
{
    as_pool_cfg c = pool_cfg(4, 1);
    as_exec *x = mk(NULL, 1, &c);
    as_pool *p = &x->pools[0];
    cr_assert_eq(p->ready, 1);
    cr_assert_eq(p->units, 1);
    int k = as_pool_launch(p, 10 * AS_SEC);
    cr_assert_eq(k, 1, "the first free slot");
    cr_assert_eq(p->booting, 1);
    uint32_t gen = p->inst[k].gen;
    /* cancelled while booting: its boot event is stale afterwards */
    cr_assert_eq(as_pool_remove(p, k, 20 * AS_SEC), 0);
    cr_assert_eq(p->booting, 0);
    cr_assert_eq(as_pool_boot_done(p, k, gen, 70 * AS_SEC), AS_BOOT_STALE);
    cr_assert_eq(p->ready, 1, "a stale boot made an instance ready");
    /* a boot that ends: ready, its capacity counted */
    k = as_pool_launch(p, 30 * AS_SEC);
    cr_assert_eq(as_pool_boot_done(p, k, p->inst[k].gen, 90 * AS_SEC), AS_BOOT_READY);
    cr_assert_eq(p->ready, 2);
    cr_assert_eq(p->units, 2);
    cr_assert_eq(p->inst[k].ready_at, 90 * AS_SEC);
    /* a failed boot is billed and never serves */
    int f = as_pool_launch(p, 100 * AS_SEC);
    p->inst[f].fails = true;
    cr_assert_eq(as_pool_boot_done(p, f, p->inst[f].gen, 160 * AS_SEC), AS_BOOT_FAILED);
    cr_assert_eq(p->ready, 2);
    cr_assert_eq(p->inst[f].state, AS_INST_FREE);
    /* every slot busy: a launch finds none */
    for (int i = 0; i < 2; i++)
        cr_assert_geq(as_pool_launch(p, 200 * AS_SEC), 0);
    cr_assert_eq(as_pool_launch(p, 200 * AS_SEC), -1, "a fifth instance in four slots");
    as_exec_free(x);
    as_exec_free(NULL);
}

Test(exec, scale_in_takes_booting_newest_then_ready_in_order)
{
    as_pool_cfg c = pool_cfg(8, 0);
    for (int oldest = 0; oldest <= 1; oldest++) {
        c.oldest_first = oldest;
        as_exec *x = mk(NULL, 1, &c);
        as_pool *p = &x->pools[0];
        int r[3];
        for (int i = 0; i < 3; i++) {
            r[i] = as_pool_launch(p, i * AS_SEC);
            as_pool_boot_done(p, r[i], p->inst[r[i]].gen, (100 + 10 * i) * AS_SEC);
        }
        int b1 = as_pool_launch(p, 200 * AS_SEC), b2 = as_pool_launch(p, 300 * AS_SEC);
        cr_assert_eq(as_pool_victim(p), b2, "the newest booting first");
        as_pool_remove(p, b2, 310 * AS_SEC);
        cr_assert_eq(as_pool_victim(p), b1);
        as_pool_remove(p, b1, 310 * AS_SEC);
        cr_assert_eq(as_pool_victim(p), oldest ? r[0] : r[2], "scale-in order, oldest=%d",
                     oldest);
        as_exec_free(x);
    }
}

Test(exec, billing_rounds_up_to_granularity_and_minimum)
{
    as_pool_cfg c = pool_cfg(4, 0);
    c.drains = true;
    as_exec *x = mk(NULL, 1, &c);
    as_pool *p = &x->pools[0];
    /* 61.2 s billed per second: 62 s */
    int k = as_pool_launch(p, 0);
    cr_assert_float_eq(p->price_rate, 0.36, 1e-12);
    as_pool_boot_done(p, k, p->inst[k].gen, 60 * AS_SEC);
    cr_assert_eq(as_pool_remove(p, k, 61 * AS_SEC + 200 * AS_MSEC), 1, "a ready one drains");
    cr_assert_eq(p->draining, 1);
    cr_assert_float_eq(p->billed, 0.0, 0, "billed before it left");
    cr_assert(as_pool_drain_done(p, k, p->inst[k].gen, 61 * AS_SEC + 200 * AS_MSEC));
    cr_assert_float_eq(p->billed, 62 * 0.36 / 3600, 1e-15);
    cr_assert_float_eq(p->price_rate, 0.0, 1e-15);
    /* 10 s: the 60 s minimum; and an open instance billed at the end */
    k = as_pool_launch(p, 100 * AS_SEC);
    as_pool_remove(p, k, 110 * AS_SEC);
    cr_assert_float_eq(p->billed, (62 + 60) * 0.36 / 3600, 1e-15);
    as_pool_launch(p, 200 * AS_SEC);
    as_exec_bill_open(x, 290 * AS_SEC);
    cr_assert_float_eq(p->billed, (62 + 60 + 90) * 0.36 / 3600, 1e-15);
    as_exec_free(x);
}

Test(exec, quota_and_budget_clamp_scale_out_over_all_tiers)
{
    as_pool_cfg c[2] = {pool_cfg(20, 2), pool_cfg(20, 2)};
    as_exec_limits lim = {.max_instances = 5};
    as_exec *x = mk(&lim, 2, c);
    as_reason why = AS_R_SCALE_OUT;
    cr_assert_eq(as_exec_limit_out(x, 0, 4, &why), 3, "one instance left in the quota");
    cr_assert_eq(why, AS_R_QUOTA);
    why = AS_R_SCALE_IN;
    cr_assert_eq(as_exec_limit_out(x, 0, 1, &why), 1, "a scale-in is never limited");
    cr_assert_eq(why, AS_R_SCALE_IN);
    as_exec_free(x);
    /* four instances at 0.36/h open; a budget of 2.2/h leaves room for 2 */
    lim = (as_exec_limits){.budget = 2.2};
    x = mk(&lim, 2, c);
    why = AS_R_SCALE_OUT;
    cr_assert_eq(as_exec_limit_out(x, 1, 10, &why), 4);
    cr_assert_eq(why, AS_R_BUDGET);
    cr_assert_eq(as_exec_limit_out(x, 1, 3, &why), 3, "within the budget");
    as_exec_free(x);
}

Test(exec, cheapest_type_holds_the_peak_for_less)
{
    as_pool_cfg c = pool_cfg(40, 1);
    as_exec *x = mk(NULL, 1, &c);
    as_pool *p = &x->pools[0];
    int n;
    /* 8 units: 8 small at 0.36 = 2.88/h, or 2 large at 1.08 = 2.16/h */
    cr_assert_eq(as_pool_cheapest_type(p, 8, 1, 20, &n), 1);
    cr_assert_eq(n, 2);
    /* 1 unit: one small (0.36) beats one large (1.08) */
    cr_assert_eq(as_pool_cheapest_type(p, 1, 1, 20, &n), 0);
    cr_assert_eq(n, 1);
    /* a floor of 3 instances makes large cost 3.24 against 3 small 1.08 */
    cr_assert_eq(as_pool_cheapest_type(p, 3, 3, 20, &n), 0);
    as_exec_free(x);
}

Test(exec, bad_pool_configuration_is_refused)
{
    as_pool_cfg c = pool_cfg(4, 5);
    as_err e = {0};
    cr_assert_null(as_exec_new(NULL, 1, &c, &e));
    cr_assert_eq(e.code, AS_EINVAL);
    c = pool_cfg(4, 1);
    c.types[1].factor = 0;
    cr_assert_null(as_exec_new(NULL, 1, &c, &e));
}

Test(exec, drawn_times_are_clamped_before_conversion)
{
    /* the 6e22 s of a crash rate of 1e-20 per hour */
    cr_assert_eq(as_time_from_draw_s(6e22), AS_TIME_DRAW_MAX);
    cr_assert_eq(as_time_from_draw_s(INFINITY), AS_TIME_DRAW_MAX);
    cr_assert_eq(as_time_from_draw_s(NAN), 0);
    cr_assert_eq(as_time_from_draw_s(-3.0), 0);
    cr_assert_eq(as_time_from_draw_s(0.25), 250000);
    cr_assert_eq(as_time_from_draw_s(1.2345678), 1234568, "rounded to the nearest us");
    /* room left to add a time inside any run */
    cr_assert_gt(INT64_MAX - AS_TIME_DRAW_MAX, 365 * 1000 * AS_DAY);
    cr_assert_eq(as_draw_clamp_us(1e30), (double)AS_TIME_DRAW_MAX);
}

/* top, the end of the slots ever used: every slot at or beyond it is free
 * through launches and removals, and it never falls. */
Test(exec, slots_beyond_top_are_free)
{
    as_pool_cfg c = pool_cfg(12, 2);
    as_exec *x = mk(NULL, 1, &c);
    as_pool *p = &x->pools[0];
    cr_assert_eq(p->top, 2, "the initial instances");
    int last = p->top;
    for (int step = 0; step < 60; step++) {
        if (step % 3 == 2 && p->ready + p->booting > 0) {
            int v = as_pool_victim(p);
            cr_assert_geq(v, 0);
            as_pool_remove(p, v, step * AS_SEC);
        } else {
            as_pool_launch(p, step * AS_SEC);
        }
        cr_assert_geq(p->top, last, "top fell at step %d", step);
        last = p->top;
        for (int k = p->top; k < c.slots; k++)
            cr_assert_eq(p->inst[k].state, AS_INST_FREE, "slot %d beyond top %d", k, p->top);
        int open = 0;
        for (int k = 0; k < p->top; k++)
            open += p->inst[k].state != AS_INST_FREE;
        cr_assert_eq(open, p->ready + p->booting + p->draining, "step %d", step);
    }
    cr_assert_eq(p->top, c.slots, "the pool filled up once");
    as_exec_free(x);
}
