/* test_traces_readers.c - suite "traces": the CSV, access-log and
 * Prometheus readers and every error message, `simrun trace convert`, and
 * replay options. Runs from the project root (data in tests/data/). */
#include "test_traces.h"

/* --------------------------------------------------------------- CSV */

Test(traces, csv_values_and_header)
{
    tr_series s;
    as_err err = {0};
    cr_assert_eq(tr_series_load(D("trace_basic.csv"), &s, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(s.n, 4);
    as_time et[] = {0, 60 * AS_SEC, 120 * AS_SEC, 180 * AS_SEC};
    double ev[] = {10, 20, 30.5, 0};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(s.t[i], et[i]);
        cr_assert_eq(s.rate[i], ev[i]);
    }
    tr_series_free(&s);
}

Test(traces, csv_iso8601_with_offsets_and_unix_seconds)
{
    as_err err = {0};
    tr_reader *r = tr_reader_open(D("trace_iso.csv"), TR_FORMAT_AUTO, 0, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(tr_reader_origin(r), (as_time)1451606400 * AS_SEC); /* 2016-01-01Z */
    as_time t;
    double v;
    bool more;
    as_time et[] = {0, 60 * AS_SEC, 120 * AS_SEC, 210 * AS_SEC + 500 * AS_MSEC};
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(tr_reader_next(r, &t, &v, &more, &err), AS_OK, "%s", err.msg);
        cr_assert(more);
        cr_assert_eq(t, et[i], "row %d: %lld", i, (long long)t);
        cr_assert_eq(v, 5.0 + i);
    }
    cr_assert_eq(tr_reader_next(r, &t, &v, &more, &err), AS_OK);
    cr_assert(!more);
    /* rewind gives the first sample again */
    cr_assert_eq(tr_reader_rewind(r, &err), AS_OK);
    cr_assert_eq(tr_reader_next(r, &t, &v, &more, &err), AS_OK);
    cr_assert(more && t == 0 && v == 5.0);
    tr_reader_free(r);

    tr_series s;
    cr_assert_eq(tr_series_load(D("trace_unix.csv"), &s, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(s.n, 3); /* no header: the first row is data */
    cr_assert_eq(s.t[2], 2 * AS_HOUR);
    cr_assert_eq(s.rate[0], 100.0);
    tr_series_free(&s);
}

Test(traces, csv_error_messages_name_file_and_line)
{
    expect_error(D("trace_bad_malformed.csv"), AS_EINVAL,
                 D("trace_bad_malformed.csv") ":4: malformed line, expected 2 comma-separated "
                                              "fields 'time,rate'");
    expect_error(D("trace_bad_fields.csv"), AS_EINVAL,
                 D("trace_bad_fields.csv") ":3: malformed line, expected 2 comma-separated "
                                           "fields 'time,rate'");
    expect_error(D("trace_bad_empty.csv"), AS_EINVAL,
                 D("trace_bad_empty.csv") ": empty trace (no samples)");
    expect_error(D("trace_bad_header_only.csv"), AS_EINVAL,
                 D("trace_bad_header_only.csv") ": empty trace (no samples)");
    expect_error(D("trace_bad_order.csv"), AS_EINVAL,
                 D("trace_bad_order.csv") ":5: time 90 s is not after the previous time 120 s "
                                          "(timestamps must increase)");
    expect_error(D("trace_bad_negative.csv"), AS_EINVAL,
                 D("trace_bad_negative.csv") ":3: negative rate -2");
    expect_error(D("trace_bad_nan.csv"), AS_EINVAL,
                 D("trace_bad_nan.csv") ":4: rate 'nan' is not finite");
    expect_error(D("trace_bad_inf.csv"), AS_EINVAL,
                 D("trace_bad_inf.csv") ":3: rate 'inf' is not finite");
    /* read by position, it replayed times as rates (exit 0) */
    expect_error(D("trace_bad_swapped_header.csv"), AS_EINVAL,
                 D("trace_bad_swapped_header.csv") ":1: the header names 'time_s' second: the "
                                                   "columns are time,rate, in that order");
    /* finite but no request rate (a wrong column or unit): it ran to exit 0 */
    expect_error(D("trace_bad_huge.csv"), AS_EINVAL,
                 D("trace_bad_huge.csv") ":3: rate 1e300 is above 1e+12 req/s");
    expect_error(D("trace_bad_time.csv"), AS_EINVAL,
                 D("trace_bad_time.csv") ":3: bad timestamp '2016-13-01T00:00:00Z' (seconds or "
                                         "ISO 8601 expected)");
    expect_error(D("trace_bad_rate.csv"), AS_EINVAL,
                 D("trace_bad_rate.csv") ":3: bad rate 'lots' (a number expected)");
    tr_series s;
    as_err err = {0};
    cr_assert_eq(tr_series_load(D("no_such.csv"), &s, &err), AS_EIO);
    cr_assert(strncmp(err.msg, D("no_such.csv") ": cannot open: ", 32) == 0, "%s", err.msg);
}

/* ------------------------------------------------------- access logs */

Test(traces, clf_buckets_in_utc_across_zones)
{
    tr_series s;
    as_err err = {0};
    tr_reader *r = tr_reader_open(D("clf_sample.log"), TR_FORMAT_AUTO, 60 * AS_SEC, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(tr_reader_format(r), TR_FORMAT_CLF);
    cr_assert_eq(tr_reader_origin(r), (as_time)804571200 * AS_SEC); /* 1995-07-01 04:00Z */
    tr_reader_free(r);
    cr_assert_eq(tr_series_load(D("clf_sample.log"), &s, &err), AS_OK, "%s", err.msg);
    double counts[] = {4, 1, 0, 1};
    cr_assert_eq(s.n, 4);
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(s.t[i], (as_time)i * AS_MIN);
        cr_assert_float_eq(s.rate[i] * 60, counts[i], 1e-9, "minute %zu", i);
    }
    tr_series_free(&s);
    cr_assert_eq(tr_series_load_fmt(D("clf_sample.log"), TR_FORMAT_CLF, 5 * AS_MIN, &s, &err),
                 AS_OK);
    cr_assert_eq(s.n, 1);
    cr_assert_float_eq(s.rate[0] * 300, 6.0, 1e-9);
    tr_series_free(&s);
}

Test(traces, clf_errors)
{
    expect_error(D("clf_bad_malformed.log"), AS_EINVAL,
                 D("clf_bad_malformed.log") ":2: malformed access log line (Common or Combined "
                                            "Log Format expected)");
    /* the message names the option that reads such a log */
    expect_error(D("clf_bad_order.log"), AS_EINVAL,
                 D("clf_bad_order.log") ":3: timestamp goes back more than 360s behind an "
                                        "earlier line (access log out of order; --sort or "
                                        "[trace] sort = true counts the whole log in any "
                                        "order)");
}

/* civil date from days since 1970 (inverse of the reader's), for the
 * generated log below. */
static void civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void clf_line(FILE *f, int64_t utc, int off_min, int k)
{
    static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t local = utc + off_min * 60;
    int y, m, d;
    int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400, sod = local - days * 86400;
    civil(days, &y, &m, &d);
    int a = off_min < 0 ? -off_min : off_min;
    if (k % 2)
        fprintf(f, "10.1.%d.%d - - [%02d/%s/%04d:%02d:%02d:%02d %c%02d%02d] \"GET /p/%d HTTP/1.1\" "
                   "200 %d\n",
                k % 200, k % 7, d, mon[m - 1], y, (int)(sod / 3600), (int)(sod / 60 % 60),
                (int)(sod % 60), off_min < 0 ? '-' : '+', a / 60, a % 60, k, 100 + k);
    else /* Combined */
        fprintf(f, "host%d.example.org - bob [%02d/%s/%04d:%02d:%02d:%02d %c%02d%02d] \"POST /x "
                   "HTTP/1.0\" 302 - \"http://ref/\" \"agent %d\"\n",
                k, d, mon[m - 1], y, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60),
                off_min < 0 ? '-' : '+', a / 60, a % 60, k);
}

Test(traces, convert_reproduces_per_minute_counts_of_generated_log)
{
    /* 90 minutes from 2024-02-28 23:10Z: local dates in the zones below
     * cross 29 Feb (leap day) and 1 Mar. Minute m has count[m] requests;
     * lines are in UTC order except pairs swapped across minute borders
     * (logs are written at completion), within the 5 min reorder window. */
    enum { MINUTES = 90 };
    static const int zones[] = {-7 * 60, 0, 5 * 60 + 30, -4 * 60, 13 * 60 + 45, -12 * 60, 60};
    const int64_t t0 = 1709161800; /* 2024-02-28T23:10:00Z */
    int count[MINUTES];
    for (int m = 0; m < MINUTES; m++)
        count[m] = (m * 7) % 5 + (m % 3 == 0 ? 0 : 2); /* includes empty minutes */
    count[0] = 2; /* first and last minutes non-empty: they bound the output */
    count[MINUTES - 1] = 3;
    int64_t *ts = malloc(sizeof *ts * 1000);
    int n = 0;
    for (int m = 0; m < MINUTES; m++)
        for (int i = 0; i < count[m]; i++)
            ts[n++] = t0 + m * 60 + (i * 13 + m) % 60;
    /* sort within minute (already) and swap some neighbours across minutes */
    for (int i = 5; i + 1 < n; i += 11) {
        int64_t x = ts[i];
        ts[i] = ts[i + 1];
        ts[i + 1] = x;
    }
    char log[256], out[256];
    tmp_path(log, sizeof log, "gen_log");
    tmp_path(out, sizeof out, "gen_out");
    strcat(log, ".log");
    FILE *f = fopen(log, "w");
    cr_assert_not_null(f);
    for (int i = 0; i < n; i++)
        clf_line(f, ts[i], zones[i % 7], i);
    fclose(f);

    const char *argv[] = {"trace", "convert", log, "--bucket", "60s", "-o", out};
    char eb[512];
    int rc = run_cmd(7, argv, NULL, 0, eb, sizeof eb);
    cr_assert_eq(rc, 0, "stderr: %s", eb);
    double t[200], v[200];
    size_t rows = read_csv_rows(out, t, v, 200);
    cr_assert_eq(rows, MINUTES);
    int sum = 0;
    for (int m = 0; m < MINUTES; m++) {
        cr_assert_eq(t[m], 60.0 * m);
        double c = v[m] * 60;
        cr_assert_eq(llround(c), count[m], "minute %d: %g vs %d", m, c, count[m]);
        cr_assert_float_eq(c, (double)count[m], 1e-6);
        sum += count[m];
    }
    cr_assert_eq(sum, n);

    /* --absolute writes Unix seconds. */
    const char *argv2[] = {"trace", "convert", log, "--absolute", "-o", out};
    cr_assert_eq(run_cmd(6, argv2, NULL, 0, eb, sizeof eb), 0, "%s", eb);
    read_csv_rows(out, t, v, 200);
    cr_assert_eq(t[0], (double)t0);
    unlink(log);
    unlink(out);
    free(ts);
}

Test(traces, convert_errors_exit_2_with_one_line)
{
    char eb[1024];
    const char *a[] = {"trace", "convert", D("clf_bad_order.log"), "-o", "/dev/null"};
    cr_assert_eq(run_cmd(5, a, NULL, 0, eb, sizeof eb), 2);
    cr_assert_eq(count_lines(eb), 1, "%s", eb);
    cr_assert(strstr(eb, D("clf_bad_order.log") ":3: ") != NULL, "%s", eb);
    const char *b[] = {"trace", "convert", D("missing.log")};
    cr_assert_eq(run_cmd(3, b, NULL, 0, eb, sizeof eb), 2);
    cr_assert(strstr(eb, D("missing.log") ": cannot open") != NULL, "%s", eb);
    const char *c[] = {"trace", "convert", D("clf_sample.log"), "--bucket", "fast"};
    cr_assert_eq(run_cmd(5, c, NULL, 0, eb, sizeof eb), 2);
    cr_assert_eq(count_lines(eb), 1, "%s", eb);
    const char *d[] = {"trace", "convert", "--help"};
    char ob[4096];
    cr_assert_eq(run_cmd(3, d, ob, sizeof ob, eb, sizeof eb), 0);
    cr_assert(strstr(ob, "usage: simrun trace convert") != NULL);
    const char *e[] = {"trace", "frobnicate"};
    cr_assert_eq(run_cmd(2, e, NULL, 0, eb, sizeof eb), 2);
    cr_assert_eq(count_lines(eb), 1, "%s", eb);
    const char *g[] = {"trace", "convert", D("clf_sample.log"), "-o", "/nonexistent/dir/x.csv"};
    cr_assert_eq(run_cmd(5, g, NULL, 0, eb, sizeof eb), 1);
    /* a failed convert written to a device leaves the device alone */
    struct stat st;
    cr_assert_eq(stat("/dev/null", &st), 0);
    cr_assert(S_ISCHR(st.st_mode), "/dev/null is no longer a device");
}

/* An error in the middle of a convert leaves neither half a trace under
 * the output's name nor a temporary file, and a file it would have
 * replaced is kept as it was. */
Test(traces, failed_convert_keeps_the_previous_output)
{
    char dir[256], out[512], eb[1024];
    tmp_path(dir, sizeof dir, "convdir");
    mkdir(dir, 0700);
    snprintf(out, sizeof out, "%s/out.csv", dir);
    const char *a[] = {"trace", "convert", D("clf_concat.log"), "-o", out};
    cr_assert_eq(run_cmd(5, a, NULL, 0, eb, sizeof eb), 2, "%s", eb);
    cr_assert(strstr(eb, ":16: timestamp goes back") != NULL, "%s", eb);
    DIR *d = opendir(dir);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.';
    closedir(d);
    cr_assert_eq(entries, 0, "a failed convert left %d file(s) in %s", entries, dir);
    FILE *f = fopen(out, "w");
    fputs("keep\n", f);
    fclose(f);
    cr_assert_eq(run_cmd(5, a, NULL, 0, eb, sizeof eb), 2);
    char buf[64] = {0};
    f = fopen(out, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(buf, sizeof buf, f));
    fclose(f);
    cr_assert_str_eq(buf, "keep\n");
    /* and a successful one replaces it, readable as any new file */
    const char *b[] = {"trace", "convert", D("clf_concat.log"), "--sort", "-o", out};
    cr_assert_eq(run_cmd(6, b, NULL, 0, eb, sizeof eb), 0, "%s", eb);
    double t[32], v[32];
    cr_assert_eq(read_csv_rows(out, t, v, 32), 15);
    char ref[512];
    snprintf(ref, sizeof ref, "%s/ref", dir);
    fclose(fopen(ref, "w"));
    struct stat st, sr;
    cr_assert_eq(stat(out, &st), 0);
    cr_assert_eq(stat(ref, &sr), 0);
    cr_assert_eq(st.st_mode & 0777, sr.st_mode & 0777, "mode %o, a new file gets %o",
                 st.st_mode & 0777, sr.st_mode & 0777);
    unlink(ref);
    unlink(out);
    rmdir(dir);
}

/* -------------------------------------------------------- Prometheus */

/* Several series are added only when asked: series = sum. */
Test(traces, prometheus_matrix_series_are_summed_with_series_sum)
{
    tr_series s;
    as_err err = {0};
    tr_read_opts o = {.series = "sum"};
    tr_reader *r = tr_reader_open_opts(D("prom_range.json"), &o, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(tr_reader_format(r), TR_FORMAT_PROMETHEUS);
    cr_assert_eq(tr_reader_origin(r), (as_time)1435781400 * AS_SEC);
    cr_assert_str_eq(tr_reader_series(r), "sum of 2 series");
    cr_assert_eq(tr_series_read(r, &s, &err), AS_OK, "%s", err.msg);
    tr_reader_free(r);
    double ev[] = {1.5, 12, 22.5, 30};
    cr_assert_eq(s.n, 4);
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(s.t[i], (as_time)(15 * i) * AS_SEC);
        cr_assert_float_eq(s.rate[i], ev[i], 1e-12);
    }
    tr_series_free(&s);
}

Test(traces, prometheus_errors)
{
    expect_error(D("prom_bad_inf.json"), AS_EINVAL,
                 D("prom_bad_inf.json") ": result[0].values[1]: rate '+Inf' is not finite");
    expect_error(D("prom_bad_huge.json"), AS_EINVAL,
                 D("prom_bad_huge.json") ": result[0].values[1]: rate 2e12 is above 1e+12 req/s");
    expect_error(D("prom_bad_vector.json"), AS_EINVAL,
                 D("prom_bad_vector.json") ": not a Prometheus query_range answer "
                                           "(data.resultType \"matrix\" with data.result "
                                           "expected)");
    expect_error(D("prom_empty.json"), AS_EINVAL, D("prom_empty.json") ": empty trace (no samples)");
    tr_series s;
    as_err err = {0};
    cr_assert_eq(tr_series_load(D("prom_bad_syntax.json"), &s, &err), AS_EINVAL);
    cr_assert(strncmp(err.msg, D("prom_bad_syntax.json") ":2: invalid JSON", 43) == 0, "%s",
              err.msg);
}

/* ------------------------------------------------------------ replay */

Test(traces, replay_step_linear_and_scales)
{
    const char *st[] = {"file", "trace_basic.csv", NULL};
    tr_stream *s = open_kv(st, 1);
    cr_assert_eq(rate_at(s, 30 * AS_SEC), 10.0);
    cr_assert_eq(rate_at(s, 60 * AS_SEC), 20.0);
    cr_assert_eq(rate_at(s, 179 * AS_SEC), 30.5);
    cr_assert_eq(rate_at(s, 180 * AS_SEC), 0.0);
    tr_stream_free(s);

    const char *li[] = {"file", "trace_basic.csv", "interpolate", "linear", NULL};
    s = open_kv(li, 1);
    cr_assert_float_eq(rate_at(s, 30 * AS_SEC), 15.0, 1e-12);
    cr_assert_float_eq(rate_at(s, 90 * AS_SEC), 25.25, 1e-12);
    tr_stream_free(s);

    const char *sc[] = {"file", "trace_basic.csv", "rate_scale", "2", "time_scale", "60", NULL};
    s = open_kv(sc, 1);
    cr_assert_eq(rate_at(s, 0), 20.0);
    cr_assert_eq(rate_at(s, AS_SEC), 40.0);  /* file minute 1 after 1 s */
    cr_assert_eq(rate_at(s, 2 * AS_SEC), 61.0);
    tr_stream_free(s);

    const char *so[] = {"file", "trace_basic.csv", "start", "1m", NULL};
    s = open_kv(so, 1);
    cr_assert_eq(rate_at(s, 0), 20.0);
    cr_assert_eq(rate_at(s, 60 * AS_SEC), 30.5);
    tr_stream_free(s);

    /* modifiers on top of a replayed file */
    const char *sp[] = {"file", "trace_basic.csv", "step", "1m, 3", NULL};
    s = open_kv(sp, 1);
    cr_assert_eq(rate_at(s, 0), 10.0);
    cr_assert_eq(rate_at(s, 60 * AS_SEC), 60.0);
    tr_stream_free(s);
}

Test(traces, replay_gaps_and_end)
{
    /* trace_gaps.csv: 0,60,120 then a gap to 600,660 (step 60 s). */
    const char *ho[] = {"file", "trace_gaps.csv", NULL};
    tr_stream *s = open_kv(ho, 1);
    cr_assert_eq(rate_at(s, 150 * AS_SEC), 30.0);
    cr_assert_eq(rate_at(s, 400 * AS_SEC), 30.0);
    cr_assert_eq(rate_at(s, 719 * AS_SEC), 50.0);
    cr_assert_eq(rate_at(s, 720 * AS_SEC), 0.0); /* at_end = zero */
    tr_stream_free(s);

    const char *ze[] = {"file", "trace_gaps.csv", "gaps", "zero", "at_end", "hold", NULL};
    s = open_kv(ze, 1);
    cr_assert_eq(rate_at(s, 150 * AS_SEC), 30.0); /* within one step of the sample */
    cr_assert_eq(rate_at(s, 180 * AS_SEC), 0.0);
    cr_assert_eq(rate_at(s, 599 * AS_SEC), 0.0);
    cr_assert_eq(rate_at(s, 600 * AS_SEC), 40.0);
    cr_assert_eq(rate_at(s, 5000 * AS_SEC), 50.0);
    tr_stream_free(s);

    const char *in[] = {"file", "trace_gaps.csv", "gaps", "interpolate", NULL};
    s = open_kv(in, 1);
    cr_assert_eq(rate_at(s, 90 * AS_SEC), 20.0); /* not a gap: step */
    cr_assert_float_eq(rate_at(s, 360 * AS_SEC), 35.0, 1e-12);
    tr_stream_free(s);

    const char *lo[] = {"file", "trace_gaps.csv", "at_end", "loop", NULL};
    s = open_kv(lo, 1);
    cr_assert_eq(rate_at(s, 700 * AS_SEC), 50.0);
    cr_assert_eq(rate_at(s, 720 * AS_SEC), 10.0);
    cr_assert_eq(rate_at(s, 780 * AS_SEC), 20.0);
    cr_assert_eq(rate_at(s, 10 * 720 * AS_SEC + 600 * AS_SEC), 40.0);
    tr_stream_free(s);
}

Test(traces, replay_read_error_is_sticky_and_names_line)
{
    const char *kv[] = {"file", "trace_bad_order.csv", NULL};
    tr_stream *s = open_kv(kv, 1);
    cr_assert_eq(rate_at(s, 30 * AS_SEC), 1.0);
    double v;
    as_err err = {0};
    cr_assert_eq(tr_stream_rate(s, 200 * AS_SEC, &v, &err), AS_EINVAL);
    cr_assert(strstr(err.msg, "tests/data/trace_bad_order.csv:5: ") == err.msg, "%s", err.msg);
    as_err err2 = {0};
    cr_assert_eq(tr_stream_rate(s, 300 * AS_SEC, &v, &err2), AS_EINVAL);
    cr_assert_str_eq(err2.msg, err.msg);
    tr_stream_free(s);
}

Test(traces, replay_clf_and_prometheus)
{
    const char *kv[] = {"file", "clf_sample.log", "bucket", "1m", NULL};
    tr_stream *s = open_kv(kv, 1);
    cr_assert_float_eq(rate_at(s, 30 * AS_SEC), 4.0 / 60, 1e-12);
    cr_assert_float_eq(rate_at(s, 150 * AS_SEC), 0.0, 1e-12);
    tr_stream_free(s);
    const char *pk[] = {"file", "prom_range.json", "format", "prometheus", "series", "sum", NULL};
    s = open_kv(pk, 1);
    cr_assert_float_eq(rate_at(s, 20 * AS_SEC), 12.0, 1e-12);
    tr_stream_free(s);
}

/* fuzz_clf: a one-line access log looped under time_scale 30 and read a
 * minute apart over 6 h re-read the file once per 1 s pass: 648,000
 * rewinds, 8 s under the sanitizers. Whole passes between two calls are
 * now skipped, not read. The values are those of the periodic trace. */
Test(traces, loop_skips_whole_passes_between_calls)
{
    const char *csv = th_write_tmp("loop2.csv", "time_s,rate\n0,3\n1,5\n");
    const char *kv[] = {"file", csv, "at_end", "loop", "time_scale", "30", NULL};
    tr_stream *s = open_kv(kv, 1);
    size_t calls = 0;
    for (as_time t = 0; t <= 6 * AS_HOUR; t += AS_MIN + 7 * AS_SEC / 30, calls++) {
        /* file time x = 30 t: a pass is 2 s, [0, 1) at 3 and [1, 2) at 5 */
        as_time x = 30 * t;
        double want = (x % (2 * AS_SEC)) < AS_SEC ? 3 : 5;
        cr_assert_eq(rate_at(s, t), want, "t %lld us", (long long)t);
    }
    cr_expect_leq(tr_stream_rewinds(s), 4 * calls, "%zu rewinds in %zu calls",
                  tr_stream_rewinds(s), calls);
    cr_expect_geq(tr_stream_rewinds(s), calls / 2); /* each call ends in a new pass */
    tr_stream_free(s);
}

/* tr_config_replay_end names the run time from which the stream gives
 * zero: the stream's own rate is positive just before it and zero at it,
 * under time_scale, start and skip; hold, loop and a run that ends first
 * give -1. (The loader warns with it when a run outlasts its file.) */
Test(traces, replay_end_is_where_the_stream_runs_out)
{
    char text[2048] = "time_s,rate\n";
    for (int k = 0; k <= 60; k++) /* 0..3600 s: the replay ends at 3660 s */
        snprintf(text + strlen(text), sizeof text - strlen(text), "%d,5\n", 60 * k);
    const char *csv = th_write_tmp("ends.csv", text);
    const char *const cases[][9] = {
        {"file", csv, NULL},
        {"file", csv, "time_scale", "7", NULL},
        {"file", csv, "time_scale", "0.37", "start", "90s", NULL},
        {"file", csv, "skip", "45s", "interpolate", "linear", NULL},
        {"file", csv, "start", "3001s", "skip", "1m", "time_scale", "3", NULL},
    };
    const as_time want[] = {3660 * AS_SEC, 3660 * AS_SEC / 7 + 1, 0, 3615 * AS_SEC, 0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tr_config *c = cfg_of(cases[i]);
        as_time end = -2;
        as_err err = {0};
        cr_assert_eq(tr_config_replay_end(c, 30 * AS_DAY, &end, &err), AS_OK, "%s", err.msg);
        cr_assert_gt(end, 0, "case %zu", i);
        if (want[i] > 0)
            cr_expect_eq(end, want[i], "case %zu: %lld us", i, (long long)end);
        tr_stream *s = tr_stream_open(c, 1, 30 * AS_DAY, &err);
        cr_assert_not_null(s, "%s", err.msg);
        cr_expect_gt(rate_at(s, end - 1), 0, "case %zu: just before %lld us", i, (long long)end);
        cr_expect_eq(rate_at(s, end), 0, "case %zu: at %lld us", i, (long long)end);
        tr_stream_free(s);
        cr_assert_eq(tr_config_replay_end(c, end, &end, &err), AS_OK);
        cr_expect_eq(end, -1, "case %zu: a run that ends with the file", i);
        tr_config_free(c);
    }
    const char *const lasting[][5] = {{"file", csv, "at_end", "hold", NULL},
                                      {"file", csv, "at_end", "loop", NULL},
                                      {"shape", "daily", NULL}};
    for (size_t i = 0; i < 3; i++) {
        tr_config *c = cfg_of(lasting[i]);
        as_time end = -2;
        cr_assert_eq(tr_config_replay_end(c, 30 * AS_DAY, &end, NULL), AS_OK);
        cr_expect_eq(end, -1, "lasting case %zu", i);
        tr_config_free(c);
    }
}
