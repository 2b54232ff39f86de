/* plot_outdir.c - output folders written whole, never through a link (the
 * invariants are in plot_outdir.h). Everything below the target goes
 * through descriptors: openat/mkdirat relative to the fresh temporary
 * folder, fstatat/unlinkat with AT_SYMLINK_NOFOLLOW when deleting, so a
 * link planted in a folder is never followed. The temporary folder is
 * made with mkdir (atomic; fails on anything already there, links
 * included) under a name of our pid, not mkdtemp: mkdtemp's 0700 would
 * need a chmod through the process-wide umask to give the report the
 * permissions of any other file the user creates. */
#include "plot_outdir.h"

#include "as_name.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* A path as messages show it (as_name_printable): the user's bytes, so a
 * control byte in a folder name never reaches the terminal. The buffer is
 * a compound literal of the calling block, valid for the call it is an
 * argument of. */
static const char *shown_path(const char *s, char *buf, size_t n)
{
    as_name_printable(s, buf, n);
    return buf;
}
#define SHOWN(s) shown_path((s), (char[1400]){0}, 1400)

/* Folders deeper than this below a target are not deleted (a --force on
 * someone's deep tree stops with an error instead of running out of
 * descriptors: one is open per level). */
#define RM_MAX_DEPTH 128

static const char marker_text[] =
    "This folder was made by simrun (a report or a forecast plot). simrun replaces\n"
    "it as a whole when it draws the same report again; a folder without this\n"
    "file is never emptied or written into without --force.\n";

/* Remove name (relative to dfd) and everything below it; links are removed
 * as links. 0 or -1 with errno. */
static int rm_at(int dfd, const char *name, int depth)
{
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlinkat(dfd, name, 0) == 0 || errno == ENOENT ? 0 : -1;
    if (depth >= RM_MAX_DEPTH) {
        errno = ELOOP;
        return -1;
    }
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return -1;
    }
    int rc = 0;
    /* two passes: readdir may miss entries while the folder changes */
    for (int pass = 0; pass < 2; pass++) {
        struct dirent *e;
        while (rc == 0 && (e = readdir(d)) != NULL)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                rc = rm_at(fd, e->d_name, depth + 1);
        if (rc != 0 || unlinkat(dfd, name, AT_REMOVEDIR) == 0) {
            closedir(d);
            return rc;
        }
        if (errno != ENOTEMPTY && errno != EEXIST)
            break;
        rewinddir(d);
    }
    int e = errno;
    closedir(d);
    errno = e;
    return -1;
}

int plot_rm_tree(const char *path, as_err *err)
{
    if (rm_at(AT_FDCWD, path, 0) != 0)
        return as_err_set(err, AS_EIO, "%s: cannot delete: %s", SHOWN(path), strerror(errno));
    return AS_OK;
}

/* Create path's folders (parents are the user's: links among them are
 * followed, as for any path given on a command line). */
static int mkdir_p(const char *path, as_err *err)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return as_err_set(err, AS_EIO, "%s: cannot create folder: %s", SHOWN(buf),
                              strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return as_err_set(err, AS_EIO, "%s: cannot create folder: %s", SHOWN(buf),
                              strerror(errno));
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return as_err_set(err, AS_EIO, "%s: not a folder", SHOWN(buf));
    return AS_OK;
}

/* The marker's "results file: " line names the folder's owner. */
static const char owner_key[] = "results file: ";

void plot_outdir_owner(const char *target, char *buf, size_t n)
{
    buf[0] = '\0';
    int dfd = open(target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int fd = dfd < 0 ? -1 : openat(dfd, PLOT_OUTDIR_MARKER, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    char text[4096];
    ssize_t got = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    if (got <= 0)
        return;
    text[got] = '\0';
    const char *p = strstr(text, owner_key);
    if (p == NULL)
        return;
    p += sizeof owner_key - 1;
    snprintf(buf, n, "%.*s", (int)strcspn(p, "\n"), p);
}

/* 1 when path is a folder (not a link to one) holding our marker. */
static int is_ours(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    int ok = fstatat(fd, PLOT_OUTDIR_MARKER, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
    close(fd);
    return ok;
}

/* AS_OK when the target may be replaced: absent, ours, or force. */
static int check_target(const plot_outdir *o, as_err *err)
{
    struct stat st;
    if (lstat(o->target, &st) != 0) {
        if (errno == ENOENT)
            return AS_OK;
        return as_err_set(err, AS_EIO, "%s: %s", o->shown, strerror(errno));
    }
    if (o->force)
        return AS_OK;
    if (S_ISLNK(st.st_mode))
        return as_err_set(err, AS_EEXIST,
                          "%s is a symbolic link: simrun does not write through links; use "
                          "--force to replace the link (what it points to is left alone)",
                          o->shown);
    if (!S_ISDIR(st.st_mode))
        return as_err_set(err, AS_EEXIST,
                          "%s exists and is not a folder; use --force to replace it", o->shown);
    if (!is_ours(o->target))
        return as_err_set(err, AS_EEXIST,
                          "%s exists and was not made by simrun (no %s in it); use --force to "
                          "replace it as a whole",
                          o->shown, PLOT_OUTDIR_MARKER);
    char had[1100];
    plot_outdir_owner(o->target, had, sizeof had);
    /* a marker without an owner is an older simrun's: replaced as before */
    if (o->owner[0] && had[0] && strcmp(had, o->owner) != 0)
        return as_err_set(err, AS_EEXIST,
                          "%s holds the report of %s, not of %s; choose another folder, or "
                          "use --force to replace it",
                          o->shown, SHOWN(had), SHOWN(o->owner));
    return AS_OK;
}

/* Split target into its parent (into parent) and its last name. */
static int split_target(plot_outdir *o, const char *target, char *parent, size_t n,
                        const char **base, as_err *err)
{
    size_t len = strlen(target);
    while (len > 1 && target[len - 1] == '/')
        len--;
    if (len >= sizeof o->target)
        return as_err_set(err, AS_EINVAL, "%s: path too long", SHOWN(target));
    memcpy(o->target, target, len);
    o->target[len] = '\0';
    as_name_printable(o->target, o->shown, sizeof o->shown);
    const char *slash = strrchr(o->target, '/');
    *base = slash ? slash + 1 : o->target;
    if (**base == '\0' || strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0)
        return as_err_set(err, AS_EINVAL,
                          "%s: an output folder must be a folder of its own (not /, . or ..)",
                          o->shown);
    if (slash == NULL)
        snprintf(parent, n, ".");
    else if (slash == o->target)
        snprintf(parent, n, "/");
    else
        snprintf(parent, n, "%.*s", (int)(slash - o->target), o->target);
    return AS_OK;
}

static int write_marker(plot_outdir *o, as_err *err)
{
    FILE *f = plot_outdir_fopen(o, PLOT_OUTDIR_MARKER, err);
    if (f == NULL)
        return AS_EIO;
    fputs(marker_text, f);
    if (o->owner[0])
        fprintf(f, "%s%s\n", owner_key, o->owner);
    return plot_outdir_fclose(o, f, PLOT_OUTDIR_MARKER, err);
}

int plot_outdir_check(const char *target, int force, const char *owner, as_err *err)
{
    plot_outdir o = {.fd = -1, .force = force};
    char parent[1024];
    const char *base = NULL;
    if (owner != NULL && strchr(owner, '\n') == NULL)
        snprintf(o.owner, sizeof o.owner, "%s", owner);
    int rc = split_target(&o, target, parent, sizeof parent, &base, err);
    return rc == AS_OK ? check_target(&o, err) : rc;
}

int plot_outdir_begin(plot_outdir *o, const char *target, int force, as_err *err)
{
    return plot_outdir_begin_for(o, target, force, NULL, err);
}

int plot_outdir_begin_for(plot_outdir *o, const char *target, int force, const char *owner,
                          as_err *err)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->force = force;
    /* a path with a line end cannot be one line of the marker: no owner */
    if (owner != NULL && strchr(owner, '\n') == NULL)
        snprintf(o->owner, sizeof o->owner, "%s", owner);
    char parent[1024];
    const char *base = NULL;
    int rc = split_target(o, target, parent, sizeof parent, &base, err);
    if (rc == AS_OK)
        rc = check_target(o, err);
    if (rc == AS_OK && strcmp(parent, "/") != 0 && strcmp(parent, ".") != 0)
        rc = mkdir_p(parent, err);
    if (rc != AS_OK)
        return rc;
    for (int k = 0;; k++) {
        snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp-%d-%d", parent, base, (int)getpid(), k);
        if (mkdir(o->tmp, 0777) == 0)
            break;
        if (errno != EEXIST || k >= 999) {
            rc = as_err_set(err, AS_EIO, "%s: cannot create folder: %s", SHOWN(o->tmp),
                            strerror(errno));
            o->tmp[0] = '\0';
            return rc;
        }
    }
    o->fd = open(o->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (o->fd < 0) {
        rc = as_err_set(err, AS_EIO, "%s: cannot open: %s", SHOWN(o->tmp), strerror(errno));
        plot_outdir_end(o);
        return rc;
    }
    if ((rc = write_marker(o, err)) != AS_OK)
        plot_outdir_end(o);
    return rc;
}

int plot_outdir_mkdir(plot_outdir *o, const char *rel, as_err *err)
{
    if (mkdirat(o->fd, rel, 0777) != 0)
        return as_err_set(err, AS_EIO, "%s/%s: cannot create folder: %s", o->shown, rel,
                          strerror(errno));
    return AS_OK;
}

FILE *plot_outdir_fopen(plot_outdir *o, const char *rel, as_err *err)
{
    int fd = openat(o->fd, rel, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        as_err_set(err, e == ENOMEM ? AS_ENOMEM : AS_EIO, "%s/%s: cannot write: %s", o->shown,
                   rel, strerror(e));
    }
    return f;
}

int plot_outdir_fclose(plot_outdir *o, FILE *f, const char *rel, as_err *err)
{
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return as_err_set(err, AS_EIO, "%s/%s: write failed (disk full?)", o->shown, rel);
    return AS_OK;
}

/* Swap tmp and target where the file system allows it; else two renames
 * (a reader may then see no target for a moment). Afterwards tmp names
 * whatever was at the target, if anything. */
static int swap_in(plot_outdir *o, as_err *err)
{
    if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->target, RENAME_NOREPLACE) == 0)
        return AS_OK;
    if (errno == EEXIST) {
        int rc = check_target(o, err); /* it appeared while we drew */
        if (rc != AS_OK)
            return rc;
        if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->target, RENAME_EXCHANGE) == 0)
            return AS_OK;
    }
    if (errno != EINVAL && errno != ENOSYS)
        return as_err_set(err, AS_EIO, "%s: cannot put in place: %s", o->shown,
                          strerror(errno));
    char old[1300];
    snprintf(old, sizeof old, "%s.old", o->tmp);
    struct stat st;
    int had = lstat(o->target, &st) == 0;
    if (had && rename(o->target, old) != 0)
        return as_err_set(err, AS_EIO, "%s: cannot move aside: %s", o->shown, strerror(errno));
    if (rename(o->tmp, o->target) != 0) {
        int e = errno;
        if (had)
            rename(old, o->target);
        return as_err_set(err, AS_EIO, "%s: cannot put in place: %s", o->shown, strerror(e));
    }
    if (had)
        rename(old, o->tmp);
    return AS_OK;
}

int plot_outdir_commit(plot_outdir *o, as_err *err)
{
    int rc = check_target(o, err);
    if (rc == AS_OK)
        rc = swap_in(o, err);
    if (rc != AS_OK)
        return rc;
    o->done = 1;
    if (rm_at(AT_FDCWD, o->tmp, 0) != 0)
        return as_err_set(err, AS_EIO,
                          "%s written, but the folder it replaced (now %s) cannot be deleted: %s",
                          o->shown, SHOWN(o->tmp), strerror(errno));
    return AS_OK;
}

void plot_outdir_end(plot_outdir *o)
{
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    if (!o->done && o->tmp[0] != '\0')
        rm_at(AT_FDCWD, o->tmp, 0);
    o->tmp[0] = '\0';
}
