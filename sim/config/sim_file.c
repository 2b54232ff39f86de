/* sim_file.c - regular files only, read with a cap (see sim_file.h).
 *
 * The file is opened with O_NONBLOCK so that a FIFO without a writer does
 * not block the open, then fstat() on the open descriptor (not stat() on
 * the path, which could change in between) decides: anything but a
 * regular file is refused before a byte is read, which is what stops
 * /dev/zero growing memory forever. The size from fstat is a first check
 * only: the read itself stops one byte past the limit, so a file that
 * grows while it is read, or reports a wrong size (files under /proc
 * report 0), is still bounded. */
#include "sim_file.h"

#include "as_name.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes asked of each read() when the size is not known in advance. */
#define READ_CHUNK 65536

static const char *file_type(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO (named pipe)";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

/* Read fd to its end or to max + 1 bytes, whichever comes first. */
static int read_capped(int fd, const char *path, size_t hint, size_t max, char **text,
                       size_t *len, as_err *err)
{
    size_t cap = (hint < max ? hint : max) + 1, n = 0;
    char *buf = malloc(cap + 1);
    if (buf == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    for (;;) {
        if (n == cap) {
            if (n > max)
                break;
            size_t ncap = cap + (cap < READ_CHUNK ? READ_CHUNK : cap);
            if (ncap > max + 1)
                ncap = max + 1;
            char *nb = realloc(buf, ncap + 1);
            if (nb == NULL) {
                free(buf);
                return as_err_set(err, AS_ENOMEM, "out of memory");
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            return as_err_set(err, AS_EIO, "%s: read error: %s", path, strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return AS_OK;
}

int sim_file_read(const char *file, const char *what, size_t max_bytes, char **text, size_t *len,
                  as_err *err)
{
    char path[1024]; /* as messages show it */
    as_name_printable(file, path, sizeof path);
    *text = NULL;
    *len = 0;
    int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return as_err_set(err, AS_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    int rc = AS_OK;
    if (fstat(fd, &st) != 0)
        rc = as_err_set(err, AS_EIO, "%s: cannot open: %s", path, strerror(errno));
    else if (S_ISDIR(st.st_mode))
        rc = as_err_set(err, AS_EIO, "%s: is a directory, not %s", path, what);
    else if (!S_ISREG(st.st_mode))
        rc = as_err_set(err, AS_EINVAL, "%s: is %s, not %s", path, file_type(st.st_mode), what);
    else if ((unsigned long long)st.st_size > max_bytes)
        rc = as_err_set(err, AS_EINVAL, "%s: %lld bytes is too large for %s (at most %zu)", path,
                        (long long)st.st_size, what, max_bytes);
    if (rc == AS_OK)
        rc = read_capped(fd, path, (size_t)st.st_size, max_bytes, text, len, err);
    close(fd);
    if (rc == AS_OK && *len > max_bytes) {
        free(*text);
        *text = NULL;
        *len = 0;
        rc = as_err_set(err, AS_EINVAL, "%s: more than %zu bytes: too large for %s", path,
                        max_bytes, what);
    }
    return rc;
}
