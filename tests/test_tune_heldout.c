/* test_tune_heldout.c - simrun tune's held-out part: a generated trace with
 * a random part is searched whole and held out as a new draw (the next
 * seed), which is exactly the replay scenario run under that seed; a
 * replayed trace is split in time; --split means a split in time, and a
 * draw where another seed changes nothing is refused. A tune asked again
 * with another split reads back nothing of the first one. */
#include "test_helpers.h"
#include "sim_results.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TUNE "tune --set scenario.duration=4h --kind hpa --n0 8 --rungs 1 -j 2 -q --no-plot"

/* Run `simrun tune SCENARIO TUNE EXTRA -o th_path(sub)`; its exit status. */
static int tune(const char *scen, const char *extra, const char *sub, char *buf, size_t n)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s %s %s -o %s", th_simrun_path(), TUNE, scen, extra,
             th_path(sub));
    return th_sh_out(cmd, buf, n);
}

static json_t *tune_json(const char *sub)
{
    char path[600];
    snprintf(path, sizeof path, "%s/hpa-tune.json", th_path(sub));
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    cr_assert_not_null(j, "%s: %s", path, je.text);
    return j;
}

static double jnum(json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

/* The row of run `name` in the file at path. */
static sim_summary_row row_of(const char *path, const char *name)
{
    sim_summary_row *rows = NULL, r = {0};
    int n = 0, found = 0;
    as_err err = {0};
    cr_assert_eq(sim_results_read_summary(path, &rows, &n, &err), AS_OK, "%s: %s", path, err.msg);
    for (int i = 0; i < n; i++)
        if (strcmp(rows[i].run, name) == 0) {
            r = rows[i];
            found = 1;
        }
    free(rows);
    cr_assert(found, "%s: no run %s", path, name);
    return r;
}

Test(tune_heldout, a_generated_trace_is_held_out_as_a_new_draw, .timeout = 240)
{
    static char buf[65536];
    int st = tune("scenarios/spike.ini", "", "draw", buf, sizeof buf);
    cr_assert(st == 0 || st == 1, "status %d: %s", st, buf);
    cr_assert(strstr(buf, "search on [0, 4h) under seed 42, held out: a new draw of the "
                          "generated trace, [0, 4h) under seed 43"), "%s", buf);
    json_t *j = tune_json("draw");
    cr_expect_str_eq(json_string_value(json_object_get(j, "heldout_by")), "draw");
    cr_expect_eq(jnum(j, "seed"), 42);
    cr_expect_eq(jnum(j, "heldout_seed"), 43);
    cr_expect(jnum(j, "search_s") == 14400 && jnum(j, "end_s") == 14400, "the search is whole");
    json_decref(j);
    /* the held-out rows are the replay scenario run whole under seed 43 */
    char cmd[2048], path[600], out[600];
    snprintf(path, sizeof path, "%s/hpa-heldout.h5", th_path("draw"));
    snprintf(out, sizeof out, "%s", th_path("draw43.h5"));
    snprintf(cmd, sizeof cmd, "%s %s/hpa-replay.ini --set scenario.seed=43 --set "
             "scenario.duration=4h -o %s --force --no-report -q -j 1", th_simrun_path(),
             th_path("draw"), out);
    cr_assert_eq(th_sh_out(cmd, buf, sizeof buf), 0, "%s", buf);
    const char *runs[] = {"hpa", "hpa_tuned", "oracle"};
    for (int i = 0; i < 3; i++) {
        sim_summary_row a = row_of(path, runs[i]), b = row_of(out, runs[i]);
        cr_expect(a.cost_infra == b.cost_infra && a.slo_violation_s == b.slo_violation_s &&
                      a.p95 == b.p95 && a.actions == b.actions,
                  "%s: held-out %.17g %.17g, seed 43 %.17g %.17g", runs[i], a.cost_infra,
                  a.p95, b.cost_infra, b.p95);
    }
    /* and another draw than the search's: the tuned run's check (seed 42) differs */
    snprintf(path, sizeof path, "%s/hpa-check.h5", th_path("draw"));
    sim_summary_row c = row_of(path, "hpa_tuned"), h = row_of(out, "hpa_tuned");
    cr_expect(c.cost_infra != h.cost_infra || c.p95 != h.p95, "the same draw twice");
}

Test(tune_heldout, a_replayed_trace_is_split_in_time, .timeout = 240)
{
    static char buf[65536];
    int st = tune("scenarios/nasa.ini", "", "nasa", buf, sizeof buf);
    cr_assert(st == 0 || st == 1, "status %d: %s", st, buf);
    cr_assert(strstr(buf, "search on [0, 3h), held out [3h, 4h)"), "%s", buf);
    json_t *j = tune_json("nasa");
    cr_expect_str_eq(json_string_value(json_object_get(j, "heldout_by")), "time");
    cr_expect(jnum(j, "search_s") == 10800 && jnum(j, "end_s") == 14400);
    json_decref(j);
    cr_assert_eq(tune("scenarios/nasa.ini", "--heldout draw", "nasa_draw", buf, sizeof buf), 2,
                 "%s", buf);
    cr_expect(strstr(buf, "--heldout draw: scenarios/nasa.ini replays a file"), "%s", buf);
}

Test(tune_heldout, a_split_is_in_time_and_a_draw_needs_a_random_part, .timeout = 240)
{
    static char buf[65536];
    int st = tune("scenarios/spike.ini", "--split 0.5", "half", buf, sizeof buf);
    cr_assert(st == 0 || st == 1, "status %d: %s", st, buf);
    json_t *j = tune_json("half");
    cr_expect_str_eq(json_string_value(json_object_get(j, "heldout_by")), "time");
    cr_expect(jnum(j, "search_s") == 7200, "%g", jnum(j, "search_s"));
    json_decref(j);
    cr_expect_eq(tune("scenarios/spike.ini", "--heldout draw --split 0.5", "x", buf, sizeof buf),
                 2, "%s", buf);
    cr_expect(strstr(buf, "--split goes with --heldout time"), "%s", buf);
    cr_expect_eq(tune("scenarios/spike.ini", "--heldout draw --set trace.noise=none", "x", buf,
                      sizeof buf), 2, "%s", buf);
    cr_expect(strstr(buf, "with no random part"), "%s", buf);
    cr_expect_eq(tune("scenarios/spike.ini", "--heldout dra", "x", buf, sizeof buf), 2, "%s",
                 buf);
    cr_expect(strstr(buf, "--heldout: 'dra' is not time or draw"), "%s", buf);
    /* no noise: nothing to draw, so the default is a split in time */
    st = tune("scenarios/spike.ini", "--set trace.noise=none", "flat", buf, sizeof buf);
    cr_assert(st == 0 || st == 1, "status %d: %s", st, buf);
    cr_expect(strstr(buf, "search on [0, 3h), held out [3h, 4h)"), "%s", buf);
}

/* The same folder, another split: the batches of the first tune are not
 * read back as the second's (they ran another duration). */
Test(tune_heldout, a_tune_asked_again_with_another_split_reads_back_nothing, .timeout = 240)
{
    static char first[65536], again[65536], fresh[65536];
    int st = tune("scenarios/spike.ini", "--split 0.75 --format csv", "same", first,
                  sizeof first);
    cr_assert(st == 0 || st == 1, "status %d: %s", st, first);
    st = tune("scenarios/spike.ini", "--split 0.5 --format csv", "same", again, sizeof again);
    cr_assert(st == 0 || st == 1, "status %d: %s", st, again);
    st = tune("scenarios/spike.ini", "--split 0.5 --format csv", "other", fresh, sizeof fresh);
    cr_assert(st == 0 || st == 1, "status %d: %s", st, fresh);
    cr_expect_str_eq(again, fresh, "the second tune in the same folder is a fresh one's");
    cr_expect_str_neq(again, first, "the second split reads back the first's numbers");
}
