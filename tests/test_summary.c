/* test_summary.c - the summary table's SLO header and verdict lines: the
 * whole SLO definition, the bound (a kind that sees the future) on its own
 * line, one verdict about deployable policies that never contradicts
 * itself, and the elastic speedup over one metric set for all runs. */
#include "sim_summary.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sim_summary_row row(const char *run, const char *kind, double cost, int meets)
{
    sim_summary_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.run, sizeof r.run, "%s", run);
    snprintf(r.kind, sizeof r.kind, "%s", kind);
    r.cost_total = cost;
    r.cost_infra = cost;
    r.meets_slo = meets;
    r.slo_windows = 2880;
    r.slo_compliance = meets ? 99.5 : 97.0;
    r.latency_at_p = 0.2;
    return r;
}

static const sim_slo_info slo = {.latency = 0.25, .percentile = 0.95, .window = 60,
                                 .objective = 0.99, .error_rate = -1, .from_max_violation = 0};

/* The text form of rows, in a buffer the caller frees. */
static char *text_of(const sim_summary_row *rows, int n, const sim_slo_info *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cr_assert_not_null(f);
    sim_summary_print(f, rows, NULL, n, SIM_FMT_TEXT, s);
    fclose(f);
    return buf;
}

static int count(const char *hay, const char *needle)
{
    int k = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        k++;
    return k;
}

Test(summary, one_run_without_a_bound_never_contradicts_itself)
{
    sim_summary_row r = row("hpa", "hpa", 33.4, 1);
    char *t = text_of(&r, 1, &slo);
    cr_expect_eq(count(t, "cheapest policy meeting the SLO: hpa"), 1, "%s", t);
    cr_expect_eq(count(t, "no policy meets"), 0, "%s", t);
    cr_expect_eq(count(t, "no deployable policy"), 0, "%s", t);
    free(t);
    r.meets_slo = 0;
    t = text_of(&r, 1, &slo);
    cr_expect_eq(count(t, "cheapest"), 0, "%s", t);
    cr_expect_eq(count(t, "no policy meets the SLO"), 1, "%s", t);
    free(t);
}

Test(summary, the_bound_has_its_own_line_and_the_verdict_a_ratio)
{
    sim_summary_row rows[3] = {row("hpa", "hpa", 33.41, 1), row("static", "static", 20.0, 0),
                               row("oracle", "oracle", 16.94, 1)};
    char *t = text_of(rows, 3, &slo);
    cr_expect_eq(count(t, "the least any policy could cost: oracle (total 16.94"), 1, "%s", t);
    /* the cheapest that meets is hpa (static is cheaper but misses); never the oracle */
    cr_expect_eq(count(t, "cheapest deployable policy meeting the SLO: hpa (total 33.41, 1.97x "
                          "the bound)"),
                 1, "%s", t);
    cr_expect_eq(count(t, "cheapest"), 1, "%s", t);
    cr_expect_eq(count(t, "no policy meets"), 0, "%s", t);
    cr_expect_eq(sim_summary_best(rows, 3), 0);
    cr_expect_eq(sim_summary_bound(rows, 3), 2);
    free(t);
    rows[0].meets_slo = 0; /* only the bound meets it */
    t = text_of(rows, 3, &slo);
    cr_expect_eq(count(t, "no deployable policy meets the SLO"), 1, "%s", t);
    cr_expect_eq(count(t, "cheapest"), 0, "%s", t);
    free(t);
}

/* An SLO out of reach (a service slower than the latency): the oracle goes
 * to max and misses, costing more than the runs that miss cheaply. It is
 * no bound then: never "the least any policy could cost", and a run that
 * meets is not given as a multiple of it. */
Test(summary, a_bound_that_misses_the_slo_is_not_called_the_least_cost)
{
    sim_summary_row rows[3] = {row("hpa", "hpa", 685.43, 0), row("static", "static", 20.0, 0),
                               row("oracle", "oracle", 1633.69, 0)};
    char *t = text_of(rows, 3, &slo);
    cr_expect_eq(count(t, "least any policy"), 0, "%s", t);
    cr_expect_eq(count(t, "oracle, which sees the future, misses the SLO itself (total 1633.69)"),
                 1, "%s", t);
    cr_expect_eq(count(t, "no deployable policy meets the SLO"), 1, "%s", t);
    free(t);
    rows[1].meets_slo = 1; /* a run that meets where the oracle did not */
    t = text_of(rows, 3, &slo);
    cr_expect_eq(count(t, "cheapest policy meeting the SLO: static (total 20.00)"), 1, "%s", t);
    cr_expect_eq(count(t, "the bound"), 0, "%s", t);
    free(t);
}

Test(summary, header_states_the_whole_definition_and_columns_sit_side_by_side)
{
    sim_summary_row r = row("hpa", "hpa", 33.4, 1);
    sim_slo_info s = slo;
    s.error_rate = 0.001;
    char *t = text_of(&r, 1, &s);
    cr_expect(strstr(t, "SLO: 95% of requests within 250.0ms in each 1 min window (by arrival) "
                        "with at most 0.1% failed, in >= 99% of windows\n") != NULL,
              "%s", t);
    const char *head = strstr(t, "policy ");
    cr_assert_not_null(head, "%s", t);
    const char *w = strstr(head, "windows"), *p = strstr(head, "p95 run"),
               *v = strstr(head, "verdict");
    cr_expect(w && p && v && w < p && p < v, "%s", t);
    cr_expect(strstr(t, "99.50%") && strstr(t, "200.0ms") && strstr(t, "meets"), "%s", t);
    free(t);
    s = slo; /* an old scenario's max_violation = 2% */
    s.objective = 0.98;
    s.from_max_violation = 1;
    t = text_of(&r, 1, &s);
    cr_expect(strstr(t, "in >= 98% of windows (max_violation = 2%: the share of windows that "
                        "may fail)") != NULL,
              "%s", t);
    free(t);
}

Test(summary, elastic_speedup_compares_every_run_over_one_metric_set)
{
    sim_summary_row rows[2] = {row("base", "static", 1, 1), row("oracle", "oracle", 1, 1)};
    rows[0].theta_u = 4, rows[0].theta_o = 2, rows[0].tau_u = 1, rows[0].tau_o = 1;
    rows[0].instability = 1;
    rows[1].theta_u = 0, rows[1].theta_o = 1, rows[1].tau_u = 0, rows[1].tau_o = 1;
    rows[1].instability = 0.25;
    sim_rank(rows, 2, 0);
    /* theta_u and tau_u are 0 in one run: both runs compare over theta_o,
     * tau_o, instability: (2/1 * 1/1 * 1/0.25)^(1/3) = 2 */
    cr_expect_float_eq(rows[1].elastic_speedup, 2.0, 1e-12);
    cr_expect_float_eq(rows[0].elastic_speedup, 1.0, 1e-12);
}

Test(summary, clamped_figures_are_said_to_be_lower_bounds)
{
    sim_summary_row rows[2] = {row("hpa", "hpa", 33.41, 1), row("static", "static", 20.0, 0)};
    char *t = text_of(rows, 2, &slo);
    cr_expect_eq(count(t, "hit a limit of the model"), 0, "%s", t);
    free(t);
    rows[1].clamped = 1234;
    t = text_of(rows, 2, &slo);
    cr_expect_eq(count(t, "note: static: 1234 requests hit a limit of the model"), 1, "%s", t);
    cr_expect_eq(count(t, "note: hpa"), 0, "%s", t);
    free(t);
}

/* Every row's figures sit under their header: a kind longer than the
 * column's usual width (aws_predictive) widens the column for all rows. */
Test(summary, a_long_kind_keeps_the_columns_in_line)
{
    sim_summary_row r[3] = {row("hpa", "hpa", 33.4, 1), row("aws", "aws_predictive", 35.3, 1),
                            row("a_rather_long_policy_name", "target", 36.0, 0)};
    char *t = text_of(r, 3, &slo);
    const char *head = strstr(t, "\npolicy");
    cr_assert_not_null(head, "%s", t);
    head++;
    /* the end of "total" in the header, and of each row's total figure */
    const char *tot = strstr(head, "total");
    cr_assert_not_null(tot);
    long want = (long)(tot - head) + 5;
    const char *figs[3] = {"33.40", "35.30", "36.00"};
    for (int i = 0; i < 3; i++) {
        const char *line = strstr(head, r[i].run);
        cr_assert_not_null(line, "%s", t);
        const char *fig = strstr(line, figs[i]);
        cr_assert_not_null(fig, "%s", t);
        cr_expect_eq((long)(fig - line) + 5, want, "%s: total ends at column %ld, header at %ld\n%s",
                     r[i].run, (long)(fig - line) + 5, want, t);
    }
    free(t);
}
