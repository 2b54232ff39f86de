/* tr_input.c - the bytes under every trace reader: open a file (or
 * standard input), make sure it is what it claims to be, decompress it,
 * and hand out lines or the whole document, within size limits.
 *
 * Files are opened with O_NONBLOCK and checked with fstat before anything
 * is read: a FIFO would otherwise block forever and /dev/zero would be read
 * until memory runs out, so only regular files are read (and standard
 * input when the command reads a stream). Everything goes through zlib's
 * gzread, which passes plain bytes through unchanged ("transparent" mode)
 * and decompresses gzip data, so `x.log.gz` needs no zcat; the cost on a
 * plain file is one extra copy per 64 KiB, next to line parsing.
 *
 * One 64 KiB buffer is kept; while it still holds the start of the stream,
 * a rewind is free. That is what lets format detection look at the first
 * line of standard input (a pipe cannot seek) and still read it again. */
#include "tr_reader_int.h"

#include "as_name.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TR_BUF ((size_t)65536)

static bool is_stdin_name(const char *p)
{
    return strcmp(p, "-") == 0 || strcmp(p, "/dev/stdin") == 0;
}

static const char *kind_of(mode_t m)
{
    return S_ISFIFO(m)   ? "a FIFO"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
                         : "not a regular file";
}

static int read_error(tr_input *in, as_err *err)
{
    int code;
    const char *m = gzerror(in->gz, &code);
    if (code == Z_ERRNO)
        return as_err_set(err, AS_EIO, "%s:%ld: read error: %s", in->name, in->lineno + 1,
                          strerror(errno ? errno : EIO));
    if (code == Z_MEM_ERROR)
        return as_err_set(err, AS_ENOMEM, "%s: out of memory reading", in->name);
    if (strncmp(m, "<fd:", 4) == 0 && strstr(m, ": ")) /* zlib names the descriptor */
        m = strstr(m, ": ") + 2;
    return as_err_set(err, AS_EINVAL, "%s:%ld: corrupt gzip data: %s", in->name,
                      in->lineno + 1, m);
}

/* Append what the stream gives to buf[len, TR_BUF); sets eof at the end.
 * A gzip stream cut short shows as Z_BUF_ERROR at the end: an error, not
 * a silently shorter trace. */
static int read_more(tr_input *in, as_err *err)
{
    if (in->eof || in->len == TR_BUF)
        return AS_OK;
    errno = 0;
    int n = gzread(in->gz, in->buf + in->len, (unsigned)(TR_BUF - in->len));
    if (n < 0)
        return read_error(in, err);
    if (n == 0) {
        int code;
        gzerror(in->gz, &code);
        if (code == Z_BUF_ERROR)
            return as_err_set(err, AS_EINVAL, "%s: truncated gzip data (unexpected end of file)",
                              in->name);
        in->eof = true;
    }
    in->len += (size_t)n;
    return AS_OK;
}

/* Read until at least n bytes are buffered or the stream ends. */
static int read_at_least(tr_input *in, size_t n, as_err *err)
{
    while (in->len < n && !in->eof) {
        int rc = read_more(in, err);
        if (rc != AS_OK)
            return rc;
    }
    return AS_OK;
}

/* After the buffer is read up to its end: drop it, read the next one. */
static int next_buffer(tr_input *in, as_err *err)
{
    in->offset += (long long)in->len;
    in->pos = in->len = 0;
    return read_more(in, err);
}

/* name: the path as messages show it (tr_input.name). */
static int open_fd(const char *path, const char *name, bool std, bool allow_stdin, int *fd,
                   bool *seekable, as_err *err)
{
    *fd = std ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (*fd < 0)
        return as_err_set(err, AS_EIO, "%s: cannot open: %s", name, strerror(errno));
    struct stat st;
    int rc = AS_OK;
    if (fstat(*fd, &st) != 0)
        rc = as_err_set(err, AS_EIO, "%s: cannot open: %s", name, strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = as_err_set(err, AS_EIO, "%s: cannot open: %s", name, strerror(EISDIR));
    else if (!std && !S_ISREG(st.st_mode))
        rc = as_err_set(err, AS_EINVAL,
                        "%s: cannot open: %s, not a regular file (traces are read from "
                        "regular files%s)",
                        name, kind_of(st.st_mode),
                        allow_stdin ? " or '-' for standard input" : "");
    if (rc != AS_OK) {
        close(*fd);
        return rc;
    }
    /* O_NONBLOCK only guarded the open; on a regular file it changes
     * nothing, and standard input keeps the flags it was given. */
    *seekable = S_ISREG(st.st_mode);
    return AS_OK;
}

int tr_input_open(tr_input *in, const char *path, bool allow_stdin, as_err *err)
{
    memset(in, 0, sizeof *in);
    bool std = allow_stdin && is_stdin_name(path);
    /* every message shows the path escaped (as_name_printable): a file
     * name's control bytes never reach the terminal; 4 bytes a byte
     * (\xNN) leave it whole, so an extension stays at its end */
    const char *nm = std ? "<stdin>" : path;
    size_t n = 4 * strlen(nm) + 4;
    in->name = malloc(n);
    if (in->name != NULL)
        as_name_printable(nm, in->name, n);
    in->buf = malloc(TR_BUF);
    if (in->name == NULL || in->buf == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory opening a trace");
    int fd;
    int rc = open_fd(path, in->name, std, allow_stdin, &fd, &in->seekable, err);
    if (rc != AS_OK)
        return rc;
    if ((in->gz = gzdopen(fd, "rb")) == NULL) {
        close(fd);
        return as_err_set(err, AS_ENOMEM, "%s: out of memory", in->name);
    }
    gzbuffer(in->gz, (unsigned)TR_BUF);
    if ((rc = read_at_least(in, 3, err)) != AS_OK)
        return rc;
    /* A UTF-8 byte order mark (spreadsheet exports write one) is not text:
     * left in, it makes a headerless CSV's first row look like a header. */
    if (in->len >= 3 && memcmp(in->buf, "\xEF\xBB\xBF", 3) == 0)
        in->start = 3;
    in->pos = in->start;
    return AS_OK;
}

void tr_input_close(tr_input *in)
{
    if (in->gz)
        gzclose(in->gz);
    free(in->buf);
    free(in->line);
    free(in->name);
    memset(in, 0, sizeof *in);
}

static int grow_line(tr_input *in, size_t need, as_err *err)
{
    if (need <= in->cap)
        return AS_OK;
    size_t nc = in->cap ? in->cap : 256;
    while (nc < need)
        nc *= 2;
    char *p = realloc(in->line, nc);
    if (p == NULL)
        return as_err_set(err, AS_ENOMEM, "%s: out of memory reading a line", in->name);
    in->line = p;
    in->cap = nc;
    return AS_OK;
}

/* Copy buf[pos, pos + take) to the line at n; binary data is refused as
 * soon as it shows, not after a line of it has been gathered. */
static int append(tr_input *in, size_t n, size_t take, as_err *err)
{
    const char *s = in->buf + in->pos;
    if (memchr(s, '\0', take) != NULL)
        return as_err_set(err, AS_EINVAL, "%s:%ld: NUL byte in line (binary file?)", in->name,
                          in->lineno + 1);
    if (n + take > TR_LINE_MAX)
        return as_err_set(err, AS_EINVAL, "%s:%ld: line longer than %zu bytes (not a trace?)",
                          in->name, in->lineno + 1, TR_LINE_MAX);
    int rc = grow_line(in, n + take + 1, err);
    if (rc == AS_OK)
        memcpy(in->line + n, s, take);
    return rc;
}

int tr_input_line(tr_input *in, bool *got, as_err *err)
{
    size_t n = 0;
    bool ended = false;
    while (!ended) {
        if (in->pos == in->len) {
            if (in->eof)
                break;
            int rc = next_buffer(in, err);
            if (rc != AS_OK)
                return rc;
            continue;
        }
        size_t avail = in->len - in->pos;
        const char *e = memchr(in->buf + in->pos, '\n', avail);
        size_t take = e ? (size_t)(e - (in->buf + in->pos)) : avail;
        int rc = append(in, n, take, err);
        if (rc != AS_OK)
            return rc;
        n += take;
        in->pos += take + (e != NULL);
        ended = e != NULL;
    }
    if (n == 0 && !ended) {
        *got = false;
        return AS_OK;
    }
    int rc = grow_line(in, n + 1, err);
    if (rc != AS_OK)
        return rc;
    in->lineno++;
    while (n > 0 && in->line[n - 1] == '\r')
        n--;
    in->line[n] = '\0';
    *got = true;
    return AS_OK;
}

int tr_input_rewind(tr_input *in, as_err *err)
{
    in->lineno = 0;
    if (in->offset == 0) { /* the buffer still holds the start */
        in->pos = in->start < in->len ? in->start : in->len;
        return AS_OK;
    }
    if (!in->seekable)
        return as_err_set(err, AS_EIO,
                          "%s: cannot read standard input a second time (save it to a file)",
                          in->name);
    if (gzrewind(in->gz) != 0)
        return as_err_set(err, AS_EIO, "%s: cannot rewind: %s", in->name, strerror(errno));
    in->offset = 0;
    in->pos = in->len = 0;
    in->eof = false;
    int rc = read_at_least(in, in->start, err);
    if (rc == AS_OK)
        in->pos = in->start < in->len ? in->start : in->len;
    return rc;
}

const char *tr_input_peek(tr_input *in)
{
    for (;;) {
        const char *s = in->buf + in->pos, *end = in->buf + in->len;
        while (s < end && isspace((unsigned char)*s))
            s++;
        const char *e = s < end ? memchr(s, '\n', (size_t)(end - s)) : NULL;
        bool done = e != NULL || in->eof || in->len == TR_BUF;
        if (done || read_more(in, NULL) != AS_OK) {
            size_t n = (size_t)((e ? e : end) - s);
            if (grow_line(in, n + 1, NULL) != AS_OK)
                return NULL;
            memcpy(in->line, s, n);
            while (n > 0 && in->line[n - 1] == '\r')
                n--;
            in->line[n] = '\0';
            return in->line;
        }
    }
}

int tr_input_slurp(tr_input *in, size_t max, char **data, size_t *len, as_err *err)
{
    size_t cap = TR_BUF, n = 0;
    char *d = malloc(cap + 1);
    int rc = d ? AS_OK : as_err_set(err, AS_ENOMEM, "%s: out of memory", in->name);
    while (rc == AS_OK) {
        size_t avail = in->len - in->pos;
        if (n + avail > max) {
            rc = as_err_set(err, AS_EINVAL, "%s: larger than %zu MiB, the limit of a document "
                            "read whole", in->name, max >> 20);
            break;
        }
        if (n + avail > cap) {
            while (cap < n + avail)
                cap *= 2;
            char *nd = realloc(d, cap + 1);
            if (nd == NULL) {
                rc = as_err_set(err, AS_ENOMEM, "%s: out of memory", in->name);
                break;
            }
            d = nd;
        }
        memcpy(d + n, in->buf + in->pos, avail);
        n += avail;
        in->pos = in->len;
        if (in->eof)
            break;
        rc = next_buffer(in, err);
    }
    if (rc != AS_OK) {
        free(d);
        return rc;
    }
    d[n] = '\0';
    *data = d;
    *len = n;
    return AS_OK;
}
