/* cmd_trace.c - `simrun trace gen|convert|info`: generate a synthetic trace
 * from a scenario's [trace] section, convert a recorded trace (an access
 * log, Prometheus JSON, CSV) to the time_s,rate CSV every tool here reads,
 * and summarise a trace (statistics, gaps, period).
 *
 * Exit status: 0 ok; 2 bad input or usage, with one line on stderr naming
 * the file (and line); 1 anything else (out of memory, cannot write).
 *
 * `gen` loads the scenario as a run does (every key checked, file and line
 * in messages), uses its [trace] section and [scenario] duration, seed and
 * tick, and writes at most SIM_MAX_TICKS rows (checked before writing).
 * Paths and arguments in messages are shown escaped (as_name_printable). */
#include "cmd.h"
#include "sim_run.h"
#include "sim_scenario.h"

#include "as_name.h"
#include "as_param.h"
#include "tr_trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_OTHER = 1, EXIT_INPUT = 2 };

/* Bad input is the user's to fix (exit 2); the rest is ours or the
 * system's (exit 1). */
static int exit_for(int rc)
{
    switch (rc) {
    case AS_OK:
        return EXIT_OK;
    case AS_EINVAL:
    case AS_ENOTFOUND:
    case AS_ERANGE:
    case AS_EIO: /* only used for inputs here: a missing or unreadable file */
        return EXIT_INPUT;
    default:
        return EXIT_OTHER;
    }
}

static int fail(int code, const char *msg)
{
    fprintf(stderr, "simrun trace: %s\n", msg);
    return code;
}

/* A path or argument as messages show it (as_name_printable): the user's
 * bytes, so an escape sequence or a newline in a file name never reaches
 * the terminal raw nor splits the message's one line. */
static const char *shown(const char *s, char *buf, size_t n)
{
    as_name_printable(s ? s : "stdout", buf, n);
    return buf;
}

/* arg is the user's text (an option, a path), shown escaped; a message
 * already made printable (a parser's err.msg) goes through usage_msg. */
static int usage_msg(const char *sub, const char *msg)
{
    fprintf(stderr, "simrun trace %s: %s (see simrun trace %s --help)\n", sub, msg, sub);
    return EXIT_INPUT;
}

static int usage_error(const char *sub, const char *fmt, const char *arg)
{
    char msg[1024], a[600];
    snprintf(msg, sizeof msg, fmt, shown(arg, a, sizeof a));
    fprintf(stderr, "simrun trace %s: %s (see simrun trace %s --help)\n", sub, msg, sub);
    return EXIT_INPUT;
}

/* An output CSV. A regular file (new, or one being replaced) is written
 * to a temporary file beside it and renamed into place only when the whole
 * trace was written, so an error never leaves half a trace under the
 * final name nor destroys the file it would have replaced. Anything else
 * (stdout, /dev/null, a FIFO, a terminal) is written in place and never
 * removed or replaced. */
typedef struct out_file {
    FILE *f;
    const char *path; /* for messages; NULL = stdout */
    char tmp[4096];   /* "" when written in place */
} out_file;

static FILE *out_open(out_file *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (path == NULL || strcmp(path, "-") == 0)
        return o->f = stdout;
    o->path = path;
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return o->f = fopen(path, "w");
    if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s.partial-XXXXXX", path) >= sizeof o->tmp) {
        errno = ENAMETOOLONG;
        o->tmp[0] = '\0';
        return NULL;
    }
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        o->tmp[0] = '\0';
        return NULL;
    }
    mode_t mask = umask(0); /* mkstemp makes 0600; a trace is as readable as any file */
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    if ((o->f = fdopen(fd, "w")) == NULL) {
        close(fd);
        unlink(o->tmp);
    }
    return o->f;
}

/* Close (unless stdout), put the file in place when ok, and report a write
 * error: disk full shows here. */
static int out_close(out_file *o, bool ok)
{
    int bad = ferror(o->f);
    if (o->f == stdout)
        bad |= fflush(o->f) != 0;
    else
        bad |= fclose(o->f) != 0;
    int e = errno;
    if (o->tmp[0] != '\0' && ok && !bad && rename(o->tmp, o->path) != 0) {
        bad = 1;
        e = errno;
    }
    if (o->tmp[0] != '\0' && (!ok || bad))
        unlink(o->tmp);
    if (bad) {
        char b[600];
        fprintf(stderr, "simrun trace: %s: write error: %s\n", shown(o->path, b, sizeof b),
                strerror(e));
        return EXIT_OTHER;
    }
    return EXIT_OK;
}

static void print_time(FILE *f, as_time t)
{
    if (t % AS_SEC == 0)
        fprintf(f, "%lld", (long long)(t / AS_SEC));
    else
        fprintf(f, "%.6f", as_time_to_s(t));
}

/* ---------------------------------------------------------------- gen */

static int parse_seed(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    while (*s == ' ')
        s++;
    if (*s == '-' || *s == '\0')
        return AS_EINVAL;
    unsigned long long v = strtoull(s, &end, 0);
    while (*end == ' ')
        end++;
    if (*end != '\0' || errno == ERANGE)
        return AS_EINVAL;
    *out = v;
    return AS_OK;
}

/* The rows gen would write, checked before anything is written: a long
 * duration at a tiny step (a year at 1 ms is 3e10 rows, about 600 GB)
 * would fill the disk. The bound is the most ticks a run takes
 * (SIM_MAX_TICKS): no run replays a longer trace at one rate a tick, so a
 * longer one is a mistake, not a trace anybody can use here. */
static int gen_rows_check(as_time duration, as_time step, bool dur_given, bool step_given)
{
    long long rows = (long long)((duration - 1) / step) + 1;
    if (rows <= SIM_MAX_TICKS)
        return EXIT_OK;
    char d[32], st[32], msg[400];
    as_duration_format(duration, d, sizeof d);
    as_duration_format(step, st, sizeof st);
    snprintf(msg, sizeof msg,
             "%s%s at %s%s is %lld rows, more than %lld (the most ticks a run takes); use a "
             "longer --step",
             dur_given ? "--duration " : "duration ", d, step_given ? "--step " : "step ", st,
             rows, SIM_MAX_TICKS);
    return usage_msg("gen", msg);
}

static void help_line(const char *key, const char *help, void *ud)
{
    fprintf(ud, "  %-17s %s\n", key, help);
}

static void gen_help(FILE *f)
{
    fputs("usage: simrun trace gen SCENARIO.ini [-o OUT.csv] [--duration D] [--step S] "
          "[--seed N]\n"
          "Write the arrival rate of the scenario's [trace] section as time_s,rate CSV\n"
          "(to stdout without -o): exactly the rates a run of the scenario replays. Duration,\n"
          "seed and step default to the scenario's duration, seed and tick. At most 4e8\n"
          "rows (duration / step; the most ticks a run takes), about 20 bytes each: more\n"
          "is refused before anything is written.\n\n[trace] keys:\n",
          f);
    tr_config_help(help_line, f);
}

static int cmd_gen(int argc, char **argv)
{
    const char *ini = NULL, *out = NULL, *o_dur = NULL, *o_step = NULL, *o_seed = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            gen_help(stdout);
            return EXIT_OK;
        }
        const char **slot = strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 ? &out
                            : strcmp(a, "--duration") == 0                     ? &o_dur
                            : strcmp(a, "--step") == 0                         ? &o_step
                            : strcmp(a, "--seed") == 0                         ? &o_seed
                                                                               : NULL;
        if (slot) {
            if (i + 1 >= argc)
                return usage_error("gen", "option %s needs a value", a);
            *slot = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("gen", "unknown option '%s'", a);
        } else if (ini == NULL) {
            ini = a;
        } else {
            return usage_error("gen", "unexpected argument '%s'", a);
        }
    }
    if (ini == NULL)
        return usage_msg("gen", "missing SCENARIO.ini");

    /* the scenario loader validates the whole file (every key, file and
     * line in messages), and the stream is seeded as a run seeds it, so
     * the CSV is exactly the trace that simrun replays */
    int code = EXIT_OK;
    char msg[1200];
    tr_stream *s = NULL;
    FILE *f = NULL;
    out_file of;
    as_err lerr = {0};
    sim_scenario *sc = sim_scenario_load(ini, NULL, 0, &lerr);
    if (sc == NULL)
        return fail(lerr.code == AS_ENOMEM ? EXIT_OTHER : EXIT_INPUT, lerr.msg);
    struct {
        as_time duration, tick;
        uint64_t seed;
    } g = {sc->duration, sc->tick, sc->seed};
    as_err err = {0};
    as_time step = g.tick > 0 ? g.tick : 60 * AS_SEC;
    if ((o_dur && as_parse_duration(o_dur, &g.duration, &err)) ||
        (o_step && as_parse_duration(o_step, &step, &err))) {
        code = usage_msg("gen", err.msg);
        goto out;
    }
    if (o_seed && parse_seed(o_seed, &g.seed)) {
        code = usage_error("gen", "--seed '%s' is not an unsigned integer", o_seed);
        goto out;
    }
    if (step <= 0 || g.duration <= 0) {
        code = usage_msg("gen", "duration and step must be > 0");
        goto out;
    }
    if ((code = gen_rows_check(g.duration, step, o_dur != NULL, o_step != NULL)) != EXIT_OK)
        goto out;
    char b[600];
    if ((s = tr_stream_open(sc->trace, sim_trace_seed(g.seed), g.duration, &err)) == NULL) {
        snprintf(msg, sizeof msg, "%s: [trace] %s", shown(ini, b, sizeof b), err.msg);
        code = fail(exit_for(err.code), msg);
        goto out;
    }
    if ((f = out_open(&of, out)) == NULL) {
        snprintf(msg, sizeof msg, "%s: cannot write: %s", shown(out, b, sizeof b),
                 strerror(errno));
        code = fail(EXIT_OTHER, msg);
        goto out;
    }
    fputs("time_s,rate\n", f);
    for (as_time t = 0; t < g.duration; t += step) {
        double v;
        int rc = tr_stream_rate(s, t, &v, &err);
        if (rc != AS_OK) {
            code = fail(exit_for(rc), err.msg);
            break;
        }
        print_time(f, t);
        fprintf(f, ",%.10g\n", v);
    }
    int cc = out_close(&of, code == EXIT_OK);
    if (code == EXIT_OK)
        code = cc;
    if (code == EXIT_OK && tr_stream_skipped(s) > 0)
        fprintf(stderr, "simrun trace gen: %s: [trace] skip_bad: skipped %zu malformed line%s of "
                "the file\n", ini, tr_stream_skipped(s), tr_stream_skipped(s) == 1 ? "" : "s");
out:
    tr_stream_free(s);
    sim_scenario_free(sc);
    return code;
}

/* ---------------------------------------------------- convert and info */

typedef struct file_opts {
    const char *in, *out;
    tr_read_opts r;
    bool absolute;
} file_opts;

#define FILE_OPTS_DEFAULT                                                              \
    {.r = {.format = TR_FORMAT_AUTO, .bucket = 60 * AS_SEC, .max_buckets = TR_MAX_BUCKETS, \
           .allow_stdin = true}}

/* A decimal count (no sign, no base prefix). */
static bool parse_count(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    if (*s < '0' || *s > '9')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || errno == ERANGE || v > SIZE_MAX)
        return false;
    *out = (size_t)v;
    return true;
}

static bool takes_value(const char *a, bool with_out)
{
    static const char *const names[] = {"--bucket", "--format", "--skip-bad", "--max-buckets",
                                        "--series", NULL};
    for (int i = 0; names[i]; i++)
        if (strcmp(a, names[i]) == 0)
            return true;
    return with_out && (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0);
}

/* One option with its value v. */
static int set_value_opt(const char *sub, const char *a, const char *v, file_opts *o)
{
    as_err err = {0};
    size_t n;
    if (strcmp(a, "--bucket") == 0) {
        if (as_parse_duration(v, &o->r.bucket, &err) != AS_OK || o->r.bucket <= 0)
            {
            char m[400];
            snprintf(m, sizeof m, "--bucket: %s", err.code ? err.msg : "must be > 0");
            return usage_msg(sub, m);
        }
    } else if (strcmp(a, "--format") == 0) {
        int f;
        if (as_parse_enum(v, tr_format_names, &f, &err) != AS_OK)
            {
            char m[400];
            snprintf(m, sizeof m, "--format: %s", err.msg);
            return usage_msg(sub, m);
        }
        o->r.format = (tr_format)f;
    } else if (strcmp(a, "--skip-bad") == 0) {
        if (!parse_count(v, &n))
            return usage_error(sub, "--skip-bad '%s' is not a count of lines", v);
        o->r.skip_bad = n;
    } else if (strcmp(a, "--max-buckets") == 0) {
        if (!parse_count(v, &n) || n == 0)
            return usage_error(sub, "--max-buckets '%s' is not a positive integer", v);
        o->r.max_buckets = n;
    } else if (strcmp(a, "--series") == 0) {
        o->r.series = v;
    } else {
        o->out = v;
    }
    return EXIT_OK;
}

static int parse_file_opts(const char *sub, int argc, char **argv, file_opts *o, bool with_out,
                           void (*help)(FILE *), bool *helped)
{
    *helped = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(stdout);
            *helped = true;
            return EXIT_OK;
        }
        if (takes_value(a, with_out)) {
            if (i + 1 >= argc)
                return usage_error(sub, "option %s needs a value", a);
            int code = set_value_opt(sub, a, argv[++i], o);
            if (code != EXIT_OK)
                return code;
        } else if (strcmp(a, "--sort") == 0) {
            o->r.sort = true;
        } else if (with_out && strcmp(a, "--absolute") == 0) {
            o->absolute = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error(sub, "unknown option '%s'", a);
        } else if (o->in == NULL) {
            o->in = a; /* "-" is standard input */
        } else {
            return usage_error(sub, "unexpected argument '%s'", a);
        }
    }
    if (o->in == NULL)
        return usage_msg(sub, "missing input FILE (or - for standard input)");
    return EXIT_OK;
}

#define READ_OPTS_HELP                                                                        \
    "FILE may be gzip-compressed; - (or /dev/stdin) reads standard input.\n"                  \
    "  --format F        auto (default: by extension, then content), csv, clf, prometheus\n"  \
    "  --bucket D        access logs: width of the buckets lines are counted in (60s)\n"      \
    "  --sort            access logs: count the whole log in any order (concatenated\n"       \
    "                    logs); without it a line over 5 min older than the newest is\n"     \
    "                    an error\n"                                                          \
    "  --max-buckets N   access logs: refuse a log spanning more buckets (10000000)\n"        \
    "  --series SEL      Prometheus: LABEL=VALUE[,LABEL=VALUE] picks one series of\n"         \
    "                    several, sum adds them (without it, several series are an error)\n" \
    "  --skip-bad N      skip up to N malformed lines (points), counted in the output;\n"     \
    "                    without it the first one is an error naming file and line\n"

static void convert_help(FILE *f)
{
    fputs("usage: simrun trace convert FILE [options] [--absolute] [-o OUT.csv]\n"
          "Read a recorded trace (access log in Common/Combined Log Format, Prometheus\n"
          "query_range JSON, or CSV) and write time_s,rate CSV (stdout without -o).\n"
          "Access-log lines are counted per --bucket of UTC time, each line's zone offset\n"
          "applied; rate = count / bucket. time_s starts at 0 at the first bucket, or is\n"
          "Unix seconds with --absolute. Prometheus NaN samples are left out (gaps).\n" READ_OPTS_HELP,
          f);
}

/* What was tolerated, on stderr, after a successful read. */
static void note_tolerated(const char *sub, const tr_reader *r, size_t skip_bad)
{
    if (tr_reader_skipped(r) > 0)
        fprintf(stderr, "simrun trace %s: skipped %zu malformed line%s (--skip-bad %zu); the first: %s\n",
                sub, tr_reader_skipped(r), tr_reader_skipped(r) == 1 ? "" : "s", skip_bad,
                tr_reader_first_skipped(r));
    if (tr_reader_nan_gaps(r) > 0)
        fprintf(stderr, "simrun trace %s: %zu NaN sample%s left out (gaps)\n", sub,
                tr_reader_nan_gaps(r), tr_reader_nan_gaps(r) == 1 ? "" : "s");
}

static int cmd_convert(int argc, char **argv)
{
    file_opts o = FILE_OPTS_DEFAULT;
    bool helped;
    int code = parse_file_opts("convert", argc, argv, &o, true, convert_help, &helped);
    if (code != EXIT_OK || helped)
        return code;
    as_err err = {0};
    tr_reader *r = tr_reader_open_opts(o.in, &o.r, &err);
    if (r == NULL)
        return fail(exit_for(err.code), err.msg);
    out_file of;
    FILE *f = out_open(&of, o.out);
    if (f == NULL) {
        char msg[1200], b[600];
        snprintf(msg, sizeof msg, "%s: cannot write: %s", shown(o.out, b, sizeof b),
                 strerror(errno));
        tr_reader_free(r);
        return fail(EXIT_OTHER, msg);
    }
    as_time origin = o.absolute ? tr_reader_origin(r) : 0;
    fputs("time_s,rate\n", f);
    for (;;) {
        as_time t;
        double v;
        bool more;
        int rc = tr_reader_next(r, &t, &v, &more, &err);
        if (rc != AS_OK) {
            code = fail(exit_for(rc), err.msg);
            break;
        }
        if (!more)
            break;
        print_time(f, t + origin);
        /* 10 significant digits: count = rate * bucket survives exactly. */
        fprintf(f, ",%.10g\n", v);
    }
    if (code == EXIT_OK)
        note_tolerated("convert", r, o.r.skip_bad);
    tr_reader_free(r);
    int cc = out_close(&of, code == EXIT_OK);
    return code != EXIT_OK ? code : cc;
}

static void info_help(FILE *f)
{
    fputs("usage: simrun trace info FILE [options]\n"
          "Print samples, duration, spacing, rate min/mean/max, gaps (spacing > 1.5 x the\n"
          "median), runs of zero rate, the period found by autocorrelation, and what was\n"
          "tolerated (malformed lines skipped, Prometheus NaN samples read as gaps).\n" READ_OPTS_HELP,
          f);
}

static const char *dur(as_time t, char *buf, size_t n)
{
    double s = as_time_to_s(t);
    if (t >= 2 * AS_DAY)
        snprintf(buf, n, "%.2f d", s / 86400);
    else if (t >= 2 * AS_HOUR)
        snprintf(buf, n, "%.2f h", s / 3600);
    else if (t >= 2 * AS_MIN)
        snprintf(buf, n, "%.1f min", s / 60);
    else
        snprintf(buf, n, "%g s", s);
    return buf;
}

/* The statistics lines of `trace info`. */
static void print_stats(const tr_series_info *in)
{
    char a[64], b[64], c[64];
    printf("samples:    %zu\n", in->n);
    printf("duration:   %s (%.0f s)\n", dur(in->duration, a, sizeof a),
           as_time_to_s(in->duration));
    as_duration_format(in->step, a, sizeof a);
    printf("step:       %s (median spacing)\n", a);
    printf("rate:       min %.6g  mean %.6g  max %.6g req/s\n", in->min, in->mean, in->max);
    if (in->gaps == 0)
        printf("gaps:       none\n");
    else
        printf("gaps:       %zu, %s missing in total, longest %s at t = %s\n", in->gaps,
               dur(in->gap_total, a, sizeof a), dur(in->gap_longest, b, sizeof b),
               dur(in->gap_longest_at, c, sizeof c));
    if (in->zeros == 0)
        printf("zeros:      none\n");
    else
        printf("zeros:      %zu samples, longest run %s at t = %s\n", in->zeros,
               dur(in->zero_run_longest, a, sizeof a), dur(in->zero_run_at, b, sizeof b));
    as_duration_format(in->acf_resolution, a, sizeof a);
    if (in->period > 0)
        printf("period:     %.2f h (%.3f d), autocorrelation %.2f on %s bins\n",
               as_time_to_s(in->period) / 3600, as_time_to_s(in->period) / 86400,
               in->period_acf, a);
    else
        printf("period:     none found (autocorrelation on %s bins)\n", a);
}

/* One reader for the whole command: standard input can be read once. */
static int cmd_info(int argc, char **argv)
{
    file_opts o = FILE_OPTS_DEFAULT;
    bool helped;
    int code = parse_file_opts("info", argc, argv, &o, false, info_help, &helped);
    if (code != EXIT_OK || helped)
        return code;
    as_err err = {0};
    tr_series s;
    tr_series_info in;
    tr_reader *r = tr_reader_open_opts(o.in, &o.r, &err);
    if (r == NULL)
        return fail(exit_for(err.code), err.msg);
    int rc = tr_series_read(r, &s, &err);
    if (rc == AS_OK && (rc = tr_series_analyze(&s, &in, &err)) != AS_OK)
        tr_series_free(&s);
    if (rc != AS_OK) {
        tr_reader_free(r);
        return fail(exit_for(rc), err.msg);
    }
    char b[600];
    printf("file:       %s\n", shown(o.in, b, sizeof b));
    printf("format:     %s\n", tr_format_names[tr_reader_format(r)]);
    if (tr_reader_format(r) == TR_FORMAT_PROMETHEUS)
        printf("series:     %s\n", tr_reader_series(r));
    print_stats(&in);
    if (o.r.skip_bad > 0 && tr_reader_skipped(r) == 0)
        printf("skipped:    none (--skip-bad %zu)\n", o.r.skip_bad);
    else if (o.r.skip_bad > 0)
        printf("skipped:    %zu malformed line%s (--skip-bad %zu); the first: %s\n",
               tr_reader_skipped(r), tr_reader_skipped(r) == 1 ? "" : "s", o.r.skip_bad,
               tr_reader_first_skipped(r));
    if (tr_reader_nan_gaps(r) > 0)
        printf("nan:        %zu NaN sample%s left out (gaps)\n", tr_reader_nan_gaps(r),
               tr_reader_nan_gaps(r) == 1 ? "" : "s");
    tr_series_free(&s);
    tr_reader_free(r);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_OTHER;
}

/* ------------------------------------------------------------ dispatch */

static const struct trace_sub {
    const char *name;
    int (*fn)(int argc, char **argv); /* argv[0] is the subcommand */
    const char *help;
} subs[] = {
    {"gen", cmd_gen, "generate a trace from a scenario's [trace] section"},
    {"convert", cmd_convert, "convert an access log / Prometheus JSON / CSV to time_s,rate CSV"},
    {"info", cmd_info, "summarise a trace: statistics, gaps, period"},
};

static void trace_help(FILE *f)
{
    fputs("usage: simrun trace <command> [options]   (simrun trace <command> --help)\n", f);
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        fprintf(f, "  %-8s %s\n", subs[i].name, subs[i].help);
}

int cmd_trace(int argc, char **argv)
{
    if (argc < 2)
        return fail(EXIT_INPUT, "missing command: gen, convert or info (see simrun trace --help)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        trace_help(stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "simrun trace: unknown command '%s' (gen, convert, info)\n", argv[1]);
    return EXIT_INPUT;
}
