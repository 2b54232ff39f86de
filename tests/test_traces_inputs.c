/* test_traces_inputs.c - suite "traces": what the readers accept as input
 * (devices and FIFOs refused, standard input, gzip, a UTF-8 BOM, the
 * bucket limit) and readers that do not give up too easily (skipped bad
 * lines, concatenated logs, several Prometheus series, NaN, long lines and
 * binary input). Runs from the project root (data in tests/data/). */
#include "test_helpers.h"
#include "test_traces.h"

/* ------------------------------------- inputs: files, stdin, gzip, BOM */

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <zlib.h>

/* cmd_trace with standard input fed through a pipe by a child process, so
 * that inputs larger than a pipe buffer stream as they do from zcat. */
static int run_cmd_stdin(const void *data, size_t n, int argc, const char **argv, char *out,
                         size_t nout, char *errb, size_t nerr)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        close(p[0]);
        signal(SIGPIPE, SIG_DFL);
        const char *c = data;
        while (n > 0) {
            ssize_t w = write(p[1], c, n);
            if (w <= 0)
                _exit(1);
            c += w;
            n -= (size_t)w;
        }
        _exit(0);
    }
    close(p[1]);
    int saved = dup(0);
    dup2(p[0], 0);
    close(p[0]);
    int rc = run_cmd(argc, argv, out, nout, errb, nerr);
    dup2(saved, 0);
    close(saved);
    waitpid(pid, NULL, 0);
    return rc;
}

static void gzip_file(const char *path, const char *data, size_t n)
{
    gzFile g = gzopen(path, "wb");
    cr_assert_not_null(g);
    cr_assert_eq(gzwrite(g, data, (unsigned)n), (int)n);
    cr_assert_eq(gzclose(g), Z_OK);
}

/* /dev/zero used to be read until memory ran out (200 MB/s), and a FIFO
 * blocked forever: both are refused at open, before any read. */
Test(traces, devices_and_fifos_are_refused_not_read, .timeout = 20)
{
    as_err err = {0};
    tr_reader *r = tr_reader_open("/dev/zero", TR_FORMAT_AUTO, 0, &err);
    cr_assert_null(r);
    cr_assert_eq(err.code, AS_EINVAL);
    cr_assert_str_eq(err.msg, "/dev/zero: cannot open: a character device, not a regular file "
                              "(traces are read from regular files)");
    char fifo[256];
    tmp_path(fifo, sizeof fifo, "fifo");
    unlink(fifo);
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    /* no writer: a blocking open would never return (the .timeout fails it) */
    r = tr_reader_open(fifo, TR_FORMAT_CSV, 0, &err);
    cr_assert_null(r);
    cr_assert(strstr(err.msg, ": cannot open: a FIFO, not a regular file") != NULL, "%s", err.msg);
    /* the same through a scenario's [trace] file and through the CLI */
    const char *kv[] = {"file", fifo, NULL};
    tr_config *c = cfg_of(kv);
    cr_assert_eq(tr_config_check(c, &err), AS_EINVAL);
    cr_assert(strstr(err.msg, "a FIFO") != NULL, "%s", err.msg);
    tr_config_free(c);
    char eb[1024];
    const char *a[] = {"trace", "info", "/dev/zero"};
    cr_assert_eq(run_cmd(3, a, NULL, 0, eb, sizeof eb), 2);
    cr_assert_eq(count_lines(eb), 1, "%s", eb);
    cr_assert(strstr(eb, "or '-' for standard input") != NULL, "%s", eb);
    const char *b[] = {"trace", "convert", fifo, "-o", "/dev/null"};
    cr_assert_eq(run_cmd(5, b, NULL, 0, eb, sizeof eb), 2);
    cr_assert(strstr(eb, "a FIFO") != NULL, "%s", eb);
    unlink(fifo);
}

/* `zcat x.gz | simrun trace info -`: standard input, more than one read
 * buffer of it, format found by content, same numbers as the file. */
Test(traces, dash_reads_standard_input_from_a_pipe)
{
    size_t n;
    char *csv = th_slurp("traces/nasa_http_jul1995_1min.csv", &n);
    cr_assert_not_null(csv);
    cr_assert_gt(n, 4 * 65536, "the input must span several read buffers");
    static char ob[4096], eb[1024];
    const char *a[] = {"trace", "info", "-"};
    cr_assert_eq(run_cmd_stdin(csv, n, 3, a, ob, sizeof ob, eb, sizeof eb), 0, "%s", eb);
    cr_assert(strstr(ob, "format:     csv\n") != NULL, "%s", ob);
    cr_assert(strstr(ob, "samples:    39692\n") != NULL, "%s", ob);
    const char *b[] = {"trace", "info", "/dev/stdin"};
    cr_assert_eq(run_cmd_stdin(csv, n, 3, b, ob, sizeof ob, eb, sizeof eb), 0, "%s", eb);
    cr_assert(strstr(ob, "samples:    39692\n") != NULL, "%s", ob);
    free(csv);
    /* an access log by content, converted from a pipe */
    char *log = th_slurp(D("clf_sample.log"), &n);
    cr_assert_not_null(log);
    char out[256];
    tmp_path(out, sizeof out, "stdin_conv");
    const char *c[] = {"trace", "convert", "-", "-o", out};
    cr_assert_eq(run_cmd_stdin(log, n, 5, c, NULL, 0, eb, sizeof eb), 0, "%s", eb);
    double t[8], v[8];
    cr_assert_eq(read_csv_rows(out, t, v, 8), 4);
    cr_assert_float_eq(v[0] * 60, 4.0, 1e-9);
    unlink(out);
    free(log);
    /* "-" is a file name where a command does not read a stream */
    as_err err = {0};
    cr_assert_null(tr_reader_open("-", TR_FORMAT_CSV, 0, &err));
    cr_assert_str_eq(err.msg, "-: cannot open: No such file or directory");
}

/* `.gz` failed with "NUL byte"; gzip data is read by content, from a
 * file or a pipe, and a cut or corrupt one is an error, not a shorter trace. */
Test(traces, gzip_files_are_read)
{
    size_t n;
    char *csv = th_slurp("traces/nasa_http_jul1995_1min.csv", &n);
    cr_assert_not_null(csv);
    char gz[256], cut[256];
    tmp_path(gz, sizeof gz, "nasa");
    strcat(gz, ".csv.gz");
    gzip_file(gz, csv, n);
    tr_series plain, packed;
    as_err err = {0};
    cr_assert_eq(tr_series_load("traces/nasa_http_jul1995_1min.csv", &plain, &err), AS_OK);
    cr_assert_eq(tr_series_load(gz, &packed, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(packed.n, plain.n);
    cr_assert_eq(memcmp(packed.rate, plain.rate, plain.n * sizeof *plain.rate), 0);
    cr_assert_eq(memcmp(packed.t, plain.t, plain.n * sizeof *plain.t), 0);
    tr_series_free(&packed);
    size_t zn;
    char *z = th_slurp(gz, &zn);
    cr_assert_not_null(z);
    static char ob[4096], eb[1024];
    const char *a[] = {"trace", "info", "-"};
    cr_assert_eq(run_cmd_stdin(z, zn, 3, a, ob, sizeof ob, eb, sizeof eb), 0, "%s", eb);
    cr_assert(strstr(ob, "samples:    39692\n") != NULL, "%s", ob);
    /* cut in the middle */
    tmp_path(cut, sizeof cut, "cut");
    strcat(cut, ".csv.gz");
    FILE *f = fopen(cut, "wb");
    fwrite(z, 1, zn / 2, f);
    fclose(f);
    cr_assert_eq(tr_series_load(cut, &packed, &err), AS_EINVAL);
    cr_assert(strstr(err.msg, "truncated gzip data") != NULL, "%s", err.msg);
    /* corrupt after the header */
    memset(z + 20, 0xA5, 64);
    f = fopen(cut, "wb");
    fwrite(z, 1, zn, f);
    fclose(f);
    cr_assert_eq(tr_series_load(cut, &packed, &err), AS_EINVAL);
    cr_assert(strstr(err.msg, "corrupt gzip data") != NULL, "%s", err.msg);
    tr_series_free(&plain);
    unlink(gz);
    unlink(cut);
    free(z);
    free(csv);
}

/* A headerless CSV starting with a UTF-8 BOM lost its first sample (taken
 * for a header) and shifted by one step. */
Test(traces, utf8_bom_is_skipped_before_the_header_is_detected)
{
    tr_series s;
    as_err err = {0};
    cr_assert_eq(tr_series_load(D("trace_bom_headerless.csv"), &s, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(s.n, 3);
    cr_assert_eq(s.rate[0], 5.0);
    cr_assert_eq(s.t[2], 120 * AS_SEC);
    tr_series_free(&s);
    cr_assert_eq(tr_series_load(D("trace_bom_header.csv"), &s, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(s.rate[0], 5.0);
    tr_series_free(&s);
    /* from a pipe too (the BOM check reads before the format is known) */
    size_t n;
    char *b = th_slurp(D("trace_bom_headerless.csv"), &n);
    cr_assert_not_null(b);
    char ob[4096], eb[512];
    const char *a[] = {"trace", "info", "-"};
    cr_assert_eq(run_cmd_stdin(b, n, 3, a, ob, sizeof ob, eb, sizeof eb), 0, "%s", eb);
    cr_assert(strstr(ob, "samples:    3\n") != NULL, "%s", ob);
    free(b);
}

/* Two access-log lines a day apart with --bucket 1ms built 86.4 M buckets
 * (2.3 GB); the bucket count is now limited, and a flag raises it. */
Test(traces, bucket_count_is_limited_unless_raised, .timeout = 60)
{
    char log[256], out[256], eb[1024], ob[4096];
    tmp_path(log, sizeof log, "daylog");
    tmp_path(out, sizeof out, "daylog_out");
    FILE *f = fopen(log, "w");
    fputs("10.0.0.1 - - [01/Jul/1995:00:00:01 -0400] \"GET / HTTP/1.0\" 200 1\n"
          "10.0.0.1 - - [02/Jul/1995:00:00:01 -0400] \"GET / HTTP/1.0\" 200 1\n",
          f);
    fclose(f);
    const char *a[] = {"trace", "info", log, "--format", "clf", "--bucket", "1ms"};
    cr_assert_eq(run_cmd(7, a, NULL, 0, eb, sizeof eb), 2);
    cr_assert_eq(count_lines(eb), 1, "%s", eb);
    cr_assert(strstr(eb, ":2: the log now spans 1 days, 86400001 buckets of 1ms, more than the "
                         "limit of 10000000") != NULL, "%s", eb);
    cr_assert(strstr(eb, "--max-buckets") != NULL, "%s", eb);
    const char *b[] = {"trace", "convert", log, "--format", "clf", "--bucket", "1ms", "-o", out};
    cr_assert_eq(run_cmd(9, b, NULL, 0, eb, sizeof eb), 2);
    cr_assert_eq(access(out, F_OK), -1, "convert left an output behind");
    /* a smaller case both ways: 86401 buckets of 1 s */
    const char *c[] = {"trace", "info", log, "--format", "clf", "--bucket", "1s",
                       "--max-buckets", "86400"};
    cr_assert_eq(run_cmd(9, c, NULL, 0, eb, sizeof eb), 2);
    c[8] = "86401";
    cr_assert_eq(run_cmd(9, c, ob, sizeof ob, eb, sizeof eb), 0, "%s", eb);
    cr_assert(strstr(ob, "samples:    86401\n") != NULL, "%s", ob);
    const char *d[] = {"trace", "info", log, "--max-buckets", "0"};
    cr_assert_eq(run_cmd(5, d, NULL, 0, eb, sizeof eb), 2);
    cr_assert(strstr(eb, "--max-buckets '0' is not a positive integer") != NULL, "%s", eb);
    unlink(log);
}

/* ------------------------------- readers that do not give up too easily */

Test(traces, skip_bad_skips_up_to_n_lines_and_counts_them)
{
    tr_series s;
    as_err err = {0};
    /* without it, the first bad line is the error, as before */
    expect_error(D("trace_skip.csv"), AS_EINVAL,
                 D("trace_skip.csv") ":3: bad rate 'two' (a number expected)");
    tr_read_opts o = {.skip_bad = 1};
    tr_reader *r = tr_reader_open_opts(D("trace_skip.csv"), &o, &err);
    cr_assert_not_null(r, "the first bad line is after the first sample: %s", err.msg);
    cr_assert_eq(tr_series_read(r, &s, &err), AS_EINVAL);
    cr_assert_str_eq(err.msg, D("trace_skip.csv") ":5: malformed line, expected 2 "
                              "comma-separated fields 'time,rate' (2 malformed lines, more "
                              "than skip_bad = 1)");
    tr_reader_free(r);
    o.skip_bad = 2;
    r = tr_reader_open_opts(D("trace_skip.csv"), &o, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(tr_series_read(r, &s, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(tr_reader_skipped(r), 2);
    cr_assert_str_eq(tr_reader_first_skipped(r),
                     D("trace_skip.csv") ":3: bad rate 'two' (a number expected)");
    double ev[] = {1, 3, 5};
    cr_assert_eq(s.n, 3);
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(s.t[i], (as_time)(120 * i) * AS_SEC);
        cr_assert_eq(s.rate[i], ev[i]);
    }
    tr_series_free(&s);
    /* a rewind (a looped replay) counts the same lines again, not twice */
    cr_assert_eq(tr_reader_rewind(r, &err), AS_OK);
    cr_assert_eq(tr_series_read(r, &s, &err), AS_OK);
    cr_assert_eq(tr_reader_skipped(r), 2);
    tr_series_free(&s);
    tr_reader_free(r);
}

Test(traces, skip_bad_in_access_logs_prometheus_cli_and_config)
{
    as_err err = {0};
    tr_series s;
    tr_read_opts o = {.skip_bad = 1};
    tr_reader *r = tr_reader_open_opts(D("clf_bad_malformed.log"), &o, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(tr_series_read(r, &s, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(tr_reader_skipped(r), 1);
    cr_assert_eq(s.n, 1);
    cr_assert_float_eq(s.rate[0] * 60, 1.0, 1e-12);
    tr_series_free(&s);
    tr_reader_free(r);
    expect_error(D("prom_bad_point.json"), AS_EINVAL,
                 D("prom_bad_point.json") ": result[0].values[1]: bad value 'oops'");
    r = tr_reader_open_opts(D("prom_bad_point.json"), &o, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(tr_reader_skipped(r), 1);
    tr_reader_free(r);
    /* trace info reports the count */
    char ob[4096], eb[512];
    const char *a[] = {"trace", "info", D("trace_skip.csv"), "--skip-bad", "5"};
    cr_assert_eq(run_cmd(5, a, ob, sizeof ob, eb, sizeof eb), 0, "%s", eb);
    cr_assert(strstr(ob, "skipped:    2 malformed lines (--skip-bad 5); the first: " D(
                             "trace_skip.csv") ":3: bad rate 'two'") != NULL,
              "%s", ob);
    cr_assert(strstr(ob, "samples:    3\n") != NULL, "%s", ob);
    /* and so does convert, on stderr, beside a complete output */
    const char *b[] = {"trace", "convert", D("trace_skip.csv"), "--skip-bad", "2", "-o",
                       "/dev/null"};
    cr_assert_eq(run_cmd(7, b, NULL, 0, eb, sizeof eb), 0, "%s", eb);
    cr_assert(strstr(eb, "skipped 2 malformed lines (--skip-bad 2)") != NULL, "%s", eb);
    /* [trace] skip_bad for runs; the stream reports the count */
    const char *bad[] = {"file", "trace_skip.csv", NULL};
    tr_config *c = cfg_of(bad);
    cr_assert_null(tr_stream_open(c, 1, AS_DAY, &err)); /* it reads two samples ahead */
    cr_assert(strstr(err.msg, "trace_skip.csv:3: bad rate 'two'") != NULL, "%s", err.msg);
    tr_config_free(c);
    tr_stream *st;
    const char *kv[] = {"file", "trace_skip.csv", "skip_bad", "2", NULL};
    st = open_kv(kv, 1);
    cr_assert_eq(rate_at(st, 150 * AS_SEC), 3.0);
    cr_assert_eq(rate_at(st, 250 * AS_SEC), 5.0);
    cr_assert_eq(tr_stream_skipped(st), 2);
    tr_stream_free(st);
}

/* Two logs concatenated out of order: refused with the option's name, or
 * counted whole with it (per-minute sums of both logs). */
Test(traces, concatenated_access_logs_are_sorted_with_sort)
{
    as_err err = {0};
    tr_series s;
    cr_assert_eq(tr_series_load(D("clf_concat.log"), &s, &err), AS_EINVAL);
    cr_assert(strstr(err.msg, D("clf_concat.log") ":16: timestamp goes back") != NULL, "%s",
              err.msg);
    cr_assert(strstr(err.msg, "--sort or [trace] sort = true") != NULL, "%s", err.msg);
    tr_read_opts o = {.sort = true};
    tr_reader *r = tr_reader_open_opts(D("clf_concat.log"), &o, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(tr_reader_origin(r), (as_time)804592800 * AS_SEC); /* 1995-07-01T10:00Z */
    cr_assert_eq(tr_series_read(r, &s, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(s.n, 15);
    for (size_t i = 0; i < s.n; i++) {
        cr_assert_eq(s.t[i], (as_time)i * AS_MIN);
        cr_assert_float_eq(s.rate[i] * 60, 3.0, 1e-12, "minute %zu", i);
    }
    tr_series_free(&s);
    tr_reader_free(r);
    /* sorting a log whose lines run backwards, from the CLI */
    char eb[512], out[256];
    tmp_path(out, sizeof out, "concat");
    const char *a[] = {"trace", "convert", D("clf_concat.log"), "--sort", "-o", out};
    cr_assert_eq(run_cmd(6, a, NULL, 0, eb, sizeof eb), 0, "%s", eb);
    double t[32], v[32];
    cr_assert_eq(read_csv_rows(out, t, v, 32), 15);
    unlink(out);
    /* and in a replay */
    const char *kv[] = {"file", "clf_concat.log", "sort", "true", NULL};
    tr_stream *st = open_kv(kv, 1);
    cr_assert_float_eq(rate_at(st, 14 * AS_MIN + 30 * AS_SEC), 3.0 / 60, 1e-12);
    tr_stream_free(st);
    /* sort on a CSV is an error, not ignored */
    cr_assert_null(tr_reader_open_opts(D("trace_basic.csv"), &o, &err));
    cr_assert_str_eq(err.msg, D("trace_basic.csv") ": sorting applies to access logs only, "
                                                   "and this file reads as csv");
}

/* A result with several series was summed silently (the mean doubled). */
Test(traces, prometheus_several_series_are_chosen_or_refused)
{
    as_err err = {0};
    tr_series s;
    cr_assert_eq(tr_series_load(D("prom_range.json"), &s, &err), AS_EINVAL);
    cr_assert_str_eq(err.msg, D("prom_range.json") ": 2 series in the answer; pick one with "
                                                   "--series LABEL=VALUE ([trace] series), or "
                                                   "add them with --series sum: "
                                                   "{instance=\"a:9090\"}, {instance=\"b:9090\"}");
    /* by label, in the plain or the listed form */
    const char *sel[] = {"instance=a:9090", "{instance=\"b:9090\"}"};
    double first[] = {1.5, 10};
    for (int k = 0; k < 2; k++) {
        tr_read_opts o = {.series = sel[k]};
        tr_reader *r = tr_reader_open_opts(D("prom_range.json"), &o, &err);
        cr_assert_not_null(r, "%s: %s", sel[k], err.msg);
        cr_assert_eq(tr_series_read(r, &s, &err), AS_OK);
        cr_assert_eq(s.n, 3);
        cr_assert_eq(s.rate[0], first[k]);
        cr_assert_eq(s.rate[2], first[k] == 10 ? 30.0 : 2.5);
        cr_assert_str_eq(tr_reader_series(r), k ? "{instance=\"b:9090\"}" : "{instance=\"a:9090\"}");
        tr_series_free(&s);
        tr_reader_free(r);
    }
    tr_read_opts none = {.series = "instance=c"};
    cr_assert_null(tr_reader_open_opts(D("prom_range.json"), &none, &err));
    cr_assert(strstr(err.msg, "no series match 'instance=c' (one must): {instance=\"a:9090\"}") !=
                  NULL,
              "%s", err.msg);
    tr_read_opts bad = {.series = "instance"};
    cr_assert_null(tr_reader_open_opts(D("prom_range.json"), &bad, &err));
    cr_assert(strstr(err.msg, "series 'instance': expected sum or LABEL=VALUE") != NULL, "%s",
              err.msg);
    tr_read_opts csv = {.series = "sum"};
    cr_assert_null(tr_reader_open_opts(D("trace_basic.csv"), &csv, &err));
    cr_assert(strstr(err.msg, "a series is chosen in Prometheus answers only") != NULL, "%s",
              err.msg);
    /* the CLI and the [trace] key */
    char ob[4096], eb[1024];
    const char *a[] = {"trace", "info", D("prom_range.json"), "--series", "instance=b:9090"};
    cr_assert_eq(run_cmd(5, a, ob, sizeof ob, eb, sizeof eb), 0, "%s", eb);
    cr_assert(strstr(ob, "mean 20 ") != NULL, "%s", ob);
    const char *b[] = {"trace", "info", D("prom_range.json")};
    cr_assert_eq(run_cmd(3, b, NULL, 0, eb, sizeof eb), 2);
    cr_assert_eq(count_lines(eb), 1, "%s", eb);
    const char *kv[] = {"file", "prom_range.json", "series", "instance=b:9090", NULL};
    tr_stream *st = open_kv(kv, 1);
    cr_assert_eq(rate_at(st, 20 * AS_SEC), 20.0);
    tr_stream_free(st);
}

/* rate() answers "NaN" routinely: a gap, under the trace's gap policy. */
Test(traces, prometheus_nan_is_a_gap)
{
    as_err err = {0};
    tr_reader *r = tr_reader_open(D("prom_nan_gap.json"), TR_FORMAT_AUTO, 0, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_assert_eq(tr_reader_nan_gaps(r), 1);
    cr_assert_eq(tr_reader_step(r), 15 * AS_SEC, "the step counts the NaN sample's time");
    tr_series s;
    cr_assert_eq(tr_series_read(r, &s, &err), AS_OK);
    tr_reader_free(r);
    as_time et[] = {0, 15, 45, 60};
    double ev[] = {2, 4, 6, 8};
    cr_assert_eq(s.n, 4);
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(s.t[i], et[i] * AS_SEC);
        cr_assert_eq(s.rate[i], ev[i]);
    }
    tr_series_info in;
    cr_assert_eq(tr_series_analyze(&s, &in, &err), AS_OK);
    cr_assert_eq(in.gaps, 1);
    cr_assert_eq(in.gap_total, 15 * AS_SEC);
    tr_series_free(&s);
    /* the replay: gaps = zero gives 0 in the hole (after one step), hold
     * keeps 4, interpolate draws the line from 4 to 6 */
    const char *pol[] = {"zero", "hold", "interpolate"};
    double at35[] = {0, 4, 5.5}; /* at t = 37.5 s: 4 + 2 * 22.5 / 30 */
    for (int k = 0; k < 3; k++) {
        const char *kv[] = {"file", "prom_nan_gap.json", "gaps", pol[k], NULL};
        tr_stream *st = open_kv(kv, 1);
        cr_assert_eq(rate_at(st, 10 * AS_SEC), 2.0);
        cr_assert_float_eq(rate_at(st, 37500 * AS_MSEC), at35[k], 1e-12, "gaps = %s", pol[k]);
        cr_assert_eq(rate_at(st, 50 * AS_SEC), 6.0);
        tr_stream_free(st);
    }
    char ob[4096], eb[512];
    const char *a[] = {"trace", "info", D("prom_nan_gap.json")};
    cr_assert_eq(run_cmd(3, a, ob, sizeof ob, eb, sizeof eb), 0, "%s", eb);
    cr_assert(strstr(ob, "nan:        1 NaN sample left out (gaps)\n") != NULL, "%s", ob);
    cr_assert(strstr(ob, "series:     {__name__=\"http_requests\",job=\"api\"}\n") != NULL, "%s",
              ob);
    /* a last NaN: the sample before it stands alone */
    cr_assert_eq(tr_series_load(D("prom_bad_nan.json"), &s, &err), AS_OK, "%s", err.msg);
    cr_assert_eq(s.n, 1);
    tr_series_free(&s);
}

/* Lines longer than 1 MiB (e.g. /dev/zero piped in) end the read, with
 * bounded memory, instead of growing without limit. */
Test(traces, long_lines_and_binary_input_are_refused)
{
    size_t n = TR_LINE_MAX + 10;
    char *b = malloc(n);
    memset(b, '7', n);
    char eb[512];
    const char *a[] = {"trace", "info", "-"};
    cr_assert_eq(run_cmd_stdin(b, n, 3, a, NULL, 0, eb, sizeof eb), 2);
    cr_assert(strstr(eb, "<stdin>:1: line longer than 1048576 bytes") != NULL, "%s", eb);
    memset(b, 0, n);
    cr_assert_eq(run_cmd_stdin(b, n, 3, a, NULL, 0, eb, sizeof eb), 2);
    cr_assert(strstr(eb, "<stdin>:1: NUL byte in line (binary file?)") != NULL, "%s", eb);
    free(b);
}

/* A field of the file quoted in a reader's message is escaped by the one
 * rule of every message (as_err_set, core/as_err.c): an escape sequence in
 * a rate, a timestamp or a Prometheus value never reaches the terminal raw
 * (ESC ] 0 ; retitles a terminal window). */
Test(traces, fields_in_messages_are_shown_escaped)
{
    char eb[512];
    const char *a[] = {"trace", "info", "-"};
    const char csv_rate[] = "time,rate\n0,1\n60,\x1b]0;owned\x07\n";
    const char csv_time[] = "time,rate\n0,1\n6\x1b[2J0,2\n";
    const char *in[] = {csv_rate, csv_time};
    const char *want[] = {"<stdin>:3: bad rate '\\x1b]0;owned\\x07'",
                          "<stdin>:3: bad timestamp '6\\x1b[2J0'"};
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(run_cmd_stdin(in[i], strlen(in[i]), 3, a, NULL, 0, eb, sizeof eb), 2);
        cr_expect(strstr(eb, want[i]) != NULL, "%s", eb);
        cr_expect(strchr(eb, '\x1b') == NULL, "a raw ESC reached the message: %s", eb);
    }
    const char *p = th_path("esc.json");
    th_write(p, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":"
                "{},\"values\":[[0,\"1\"],[60,\"\\u001b[31m\"]]}]}}");
    as_err err = {0};
    tr_series s = {0};
    cr_assert_neq(tr_series_load(p, &s, &err), AS_OK);
    cr_expect(strstr(err.msg, "bad value '\\x1b[31m'") != NULL, "%s", err.msg);
    cr_expect(strchr(err.msg, '\x1b') == NULL, "a raw ESC reached the message: %s", err.msg);
    tr_series_free(&s);
}
