/* sim_results_vfd.c - the HDF5 file driver results files are written
 * with: POSIX pread/pwrite like HDF5's default sec2 driver (same feature
 * flags, so the same file layout), plus what sec2 cannot do:
 *  - it opens with O_NOFOLLOW, so a file is never written through a link;
 *  - a failed write poisons the file instead of failing the call: the
 *    errno is recorded under the file's name and the write reports
 *    success. libhdf5 1.10 crashes in some of its error paths after a
 *    failed write (H5Ocopy on a full disk ends in H5T_close_real), and
 *    closing a file whose flush failed leaves its library state broken;
 *    with the failure kept out of the library, the writer finds it
 *    (sim_h5_io_errno) after each write, flush and close, and a poisoned
 *    file is never renamed into place. The cost: work between the failure
 *    and that check (at most one chunk or one copied run) is wasted. When
 *    the table of poisoned files is full, writes fail as with sec2;
 *  - the first write error is also copied where the caller asked
 *    (sim_results_io_slot), for a parent process;
 *  - SIMRUN_FAIL_WRITE=BYTES:ERRNO makes every write past BYTES written by
 *    the process fail with ERRNO: I/O errors the tests cannot get from a
 *    small filesystem or a file size limit (EIO, EDQUOT), without
 *    LD_PRELOAD.
 * It takes no file locks (batches lock their own folder) and keeps no
 * driver information in the superblock: the files are plain HDF5 files
 * that any reader opens with its default driver. Only writing uses it. */
#include "sim_results_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct vfd_file {
    H5FD_t pub; /* must be first: HDF5 sees this */
    int fd;
    haddr_t eoa, eof;
    dev_t dev;
    ino_t ino;
    char name[1024];
} vfd_file;

/* Poisoned files: name and errno, until the name is created anew or
 * forgotten (its partial file removed). */
#define MAX_POISONED 32
static struct poisoned {
    char name[1024];
    int errnum;
} g_poisoned[MAX_POISONED];
static int g_npoisoned;
static as_err *g_io_slot;
/* SIMRUN_FAIL_WRITE */
static long long g_fail_after = -1, g_written;
static int g_fail_errno;

#define MAXADDR (((haddr_t)1 << (8 * sizeof(off_t) - 1)) - 1)

static struct poisoned *find(const char *name)
{
    for (int i = 0; i < g_npoisoned; i++)
        if (strcmp(g_poisoned[i].name, name) == 0)
            return &g_poisoned[i];
    return NULL;
}

void sim_h5_forget(const char *file)
{
    struct poisoned *p = find(file);
    if (p)
        *p = g_poisoned[--g_npoisoned];
}

int sim_h5_io_errno(const char *file)
{
    const struct poisoned *p = g_npoisoned > 0 ? find(file) : NULL;
    return p ? p->errnum : 0;
}

/* Poison f with errnum; 0 when recorded (the write may report success),
 * -1 when the table is full (it must fail). */
static int poison(const vfd_file *f, int errnum)
{
    if (g_io_slot && g_io_slot->code == AS_OK)
        as_err_set(g_io_slot, AS_EIO, "%s: write failed: %s (errno %d)", f->name,
                   strerror(errnum), errnum);
    if (find(f->name))
        return 0;
    if (g_npoisoned == MAX_POISONED)
        return -1;
    struct poisoned *p = &g_poisoned[g_npoisoned++];
    snprintf(p->name, sizeof p->name, "%s", f->name);
    p->errnum = errnum;
    return 0;
}

static H5FD_t *vfd_open(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr)
{
    (void)fapl;
    (void)maxaddr;
    int o = (flags & H5F_ACC_RDWR ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC;
    o |= (flags & H5F_ACC_TRUNC ? O_TRUNC : 0) | (flags & H5F_ACC_CREAT ? O_CREAT : 0) |
         (flags & H5F_ACC_EXCL ? O_EXCL : 0);
    int fd = open(name, o, 0666);
    struct stat st;
    int e = fd < 0 || fstat(fd, &st) != 0 ? errno : 0;
    vfd_file *f = e == 0 ? calloc(1, sizeof *f) : NULL;
    if (f == NULL) {
        /* out of memory is said as such (not a stale errno), and a file
         * this call created is not left behind */
        if (e == 0) {
            e = ENOMEM;
            if (o & O_EXCL)
                unlink(name);
        }
        char msg[1200];
        snprintf(msg, sizeof msg, "cannot open '%s', errno = %d, error message = '%s'", name, e,
                 strerror(e));
        H5Epush2(H5E_DEFAULT, __FILE__, __func__, __LINE__, H5E_ERR_CLS, H5E_FILE, H5E_CANTOPENFILE,
                 "%s", msg);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (flags & (H5F_ACC_TRUNC | H5F_ACC_CREAT))
        sim_h5_forget(name); /* a new file of an old name */
    f->fd = fd;
    f->eof = (haddr_t)st.st_size;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    snprintf(f->name, sizeof f->name, "%s", name);
    return &f->pub;
}

static herr_t vfd_close(H5FD_t *file)
{
    vfd_file *f = (vfd_file *)file;
    int rc = close(f->fd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static int vfd_cmp(const H5FD_t *a, const H5FD_t *b)
{
    const vfd_file *x = (const vfd_file *)a, *y = (const vfd_file *)b;
    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static herr_t vfd_query(const H5FD_t *file, unsigned long *flags)
{
    (void)file;
    /* sec2's flags: the same aggregation, hence the same file layout */
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA |
             H5FD_FEAT_DATA_SIEVE | H5FD_FEAT_AGGREGATE_SMALLDATA |
             H5FD_FEAT_POSIX_COMPAT_HANDLE | H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
    return 0;
}

static haddr_t vfd_get_eoa(const H5FD_t *file, H5FD_mem_t type)
{
    (void)type;
    return ((const vfd_file *)file)->eoa;
}

static herr_t vfd_set_eoa(H5FD_t *file, H5FD_mem_t type, haddr_t addr)
{
    (void)type;
    ((vfd_file *)file)->eoa = addr;
    return 0;
}

static haddr_t vfd_get_eof(const H5FD_t *file, H5FD_mem_t type)
{
    (void)type;
    return ((const vfd_file *)file)->eof;
}

static herr_t vfd_get_handle(H5FD_t *file, hid_t fapl, void **handle)
{
    (void)fapl;
    *handle = &((vfd_file *)file)->fd;
    return 0;
}

static herr_t vfd_read(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size,
                       void *buf)
{
    (void)type;
    (void)dxpl;
    vfd_file *f = (vfd_file *)file;
    char *p = buf;
    while (size > 0) {
        ssize_t k = pread(f->fd, p, size, (off_t)addr);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0) { /* past the end of the file: zeros, as sec2 */
            memset(p, 0, size);
            break;
        }
        p += k;
        addr += (haddr_t)k;
        size -= (size_t)k;
    }
    return 0;
}

static herr_t vfd_write(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size,
                        const void *buf)
{
    (void)type;
    (void)dxpl;
    vfd_file *f = (vfd_file *)file;
    const char *p = buf;
    haddr_t end = addr + size;
    while (size > 0) {
        ssize_t k;
        if (g_fail_after >= 0 && g_written + (long long)size > g_fail_after) {
            k = -1;
            errno = g_fail_errno;
        } else {
            k = pwrite(f->fd, p, size, (off_t)addr);
        }
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int e = k < 0 ? errno : ENOSPC;
            if (poison(f, e) == 0)
                return 0;
            char msg[1200];
            snprintf(msg, sizeof msg, "write to '%s' failed, errno = %d, error message = '%s'",
                     f->name, e, strerror(e));
            H5Epush2(H5E_DEFAULT, __FILE__, __func__, __LINE__, H5E_ERR_CLS, H5E_IO,
                     H5E_WRITEERROR, "%s", msg);
            return -1;
        }
        g_written += k;
        p += k;
        addr += (haddr_t)k;
        size -= (size_t)k;
    }
    if (end > f->eof)
        f->eof = end;
    return 0;
}

static herr_t vfd_truncate(H5FD_t *file, hid_t dxpl, hbool_t closing)
{
    (void)dxpl;
    (void)closing;
    vfd_file *f = (vfd_file *)file;
    if (f->eoa == f->eof)
        return 0;
    if (ftruncate(f->fd, (off_t)f->eoa) != 0 && poison(f, errno) != 0)
        return -1;
    f->eof = f->eoa;
    return 0;
}

static const H5FD_class_t vfd_class = {
    .name = "simrun_posix",
    .maxaddr = MAXADDR,
    .fc_degree = H5F_CLOSE_WEAK,
    .open = vfd_open,         /* O_NOFOLLOW always */
    .close = vfd_close,
    .cmp = vfd_cmp,           /* same device and inode: the same file */
    .query = vfd_query,
    .get_eoa = vfd_get_eoa,
    .set_eoa = vfd_set_eoa,
    .get_eof = vfd_get_eof,
    .get_handle = vfd_get_handle,
    .read = vfd_read,
    .write = vfd_write,       /* a failure poisons the file */
    .truncate = vfd_truncate, /* to the end of allocation, at close */
    .fl_map = H5FD_FLMAP_DICHOTOMY,
};

/* Registered once per process (a forked child inherits it). */
static hid_t driver(void)
{
    static hid_t id = H5I_INVALID_HID;
    if (id >= 0 && H5Iis_valid(id) > 0)
        return id;
    const char *inject = getenv("SIMRUN_FAIL_WRITE");
    long long after = -1;
    int e = 0;
    if (inject && sscanf(inject, "%lld:%d", &after, &e) == 2 && after >= 0 && e > 0) {
        g_fail_after = after;
        g_fail_errno = e;
    }
    id = H5FDregister(&vfd_class);
    return id;
}

hid_t sim_h5_fapl(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t d = driver();
    if (fapl >= 0 && d >= 0)
        H5Pset_driver(fapl, d, NULL);
    return fapl;
}

void sim_results_io_slot(as_err *slot)
{
    g_io_slot = slot;
}
