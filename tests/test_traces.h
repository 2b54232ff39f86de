/* test_traces.h - what the trace tests share (test_traces*.c): a config
 * from key, value pairs, a stream opened from it, its rate at a time or as
 * a series, cmd_trace run in-process with its output captured, and a
 * time_s,rate CSV read by hand.
 * Owns: the streams, configs and series it returns (callers free them).
 * Invariant: the tests run from the project root (data in tests/data/,
 * traces in traces/); a config's relative paths are from tests/data.
 * Must not: hold state between tests. The helpers are static inline: each
 * test file uses a subset. */
#ifndef TEST_TRACES_H
#define TEST_TRACES_H

#include <criterion/criterion.h>

#include "as.h"
#include "cmd.h"
#include "sim_run.h"
#include "tr_trace.h"
#include "test_helpers.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define D(name) "tests/data/" name
#define KNOWN_SUM_42 490560.32496931241 /* recorded from this implementation */

/* ------------------------------------------------------------ helpers */

/* A config from NULL-terminated key, value pairs; every key must apply. */
static inline tr_config *cfg_of(const char *const *kv)
{
    tr_config *c = tr_config_new();
    cr_assert_not_null(c);
    tr_config_set_basedir(c, "tests/data");
    for (; kv && kv[0]; kv += 2) {
        as_err err = {0};
        int rc = tr_config_set(c, kv[0], kv[1], &err);
        cr_assert_eq(rc, AS_OK, "%s = %s: %s", kv[0], kv[1], err.msg);
    }
    return c;
}

static inline tr_stream *open_kv(const char *const *kv, uint64_t seed)
{
    tr_config *c = cfg_of(kv);
    as_err err = {0};
    tr_stream *s = tr_stream_open(c, seed, 30 * AS_DAY, &err);
    cr_assert_not_null(s, "open: %s", err.msg);
    tr_config_free(c); /* the stream must not depend on the config afterwards */
    return s;
}

static inline double rate_at(tr_stream *s, as_time t)
{
    double v = -1;
    as_err err = {0};
    int rc = tr_stream_rate(s, t, &v, &err);
    cr_assert_eq(rc, AS_OK, "rate at %lld: %s", (long long)t, err.msg);
    return v;
}

/* n rates at 0, step, 2 step, ... (caller frees). */
static inline double *series_of(const char *const *kv, uint64_t seed, as_time step, size_t n)
{
    tr_stream *s = open_kv(kv, seed);
    double *v = malloc(n * sizeof *v);
    cr_assert_not_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = rate_at(s, (as_time)i * step);
    tr_stream_free(s);
    return v;
}

static inline void tmp_path(char *buf, size_t n, const char *tag)
{
    snprintf(buf, n, "%s/as_traces_%s_%ld.tmp", th_tmpdir(), tag, (long)getpid());
}

/* Run cmd_trace with stdout and stderr captured into the given buffers. */
static inline int run_cmd(int argc, const char **argv, char *out, size_t nout, char *errb,
                          size_t nerr)
{
    char po[256], pe[256];
    tmp_path(po, sizeof po, "stdout");
    tmp_path(pe, sizeof pe, "stderr");
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(po, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    int fe = open(pe, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    dup2(fo, 1);
    dup2(fe, 2);
    int rc = cmd_trace(argc, (char **)argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(fo);
    close(fe);
    const char *paths[2] = {po, pe};
    char *bufs[2] = {out, errb};
    size_t ns[2] = {nout, nerr};
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(paths[i], "r");
        size_t got = f && bufs[i] ? fread(bufs[i], 1, ns[i] - 1, f) : 0;
        if (bufs[i])
            bufs[i][got] = '\0';
        if (f)
            fclose(f);
        unlink(paths[i]);
    }
    return rc;
}

static inline size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Load a time_s,rate CSV written by the CLI (through the reader itself
 * would be circular for convert; parse by hand). */
static inline size_t read_csv_rows(const char *path, double *t, double *v, size_t max)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[256];
    size_t n = 0;
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_assert_str_eq(line, "time_s,rate\n");
    while (n < max && fgets(line, sizeof line, f)) {
        cr_assert_eq(sscanf(line, "%lf,%lf", &t[n], &v[n]), 2, "row '%s'", line);
        n++;
    }
    fclose(f);
    return n;
}

/* Loading path fails with code and exactly msg, leaving no series. */
static inline void expect_error(const char *path, int code, const char *msg)
{
    tr_series s;
    as_err err = {0};
    cr_assert_eq(tr_series_load(path, &s, &err), code, "%s: %s", path, err.msg);
    cr_assert_str_eq(err.msg, msg);
    cr_assert_null(s.t);
    cr_assert_eq(s.n, 0);
}

#endif
