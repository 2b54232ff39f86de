/* sim_results_probe.c - read a results file given by a user in a child
 * process first, within a time limit.
 * Debian's libhdf5 1.10 crashes (heap overflows, absurd allocations) and
 * loops on some damaged files (found by make fuzz); a child turns a crash
 * into a refusal naming the file, and a child that takes longer than the
 * limit is killed and the file refused. The child dies with simrun
 * (PR_SET_PDEATHSIG), so killing simrun leaves no reader behind.
 * Costs one extra read of the file and a fork (about a millisecond). The
 * limit is wall time on the monotonic clock (no simulated result depends
 * on it). */
#include "sim_results.h"
#include "sim_results_int.h"
#include "as_name.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The child may take this much memory beyond what it has at the fork
 * (RLIMIT_AS): more than the largest buffer it reads (512 MB) with room
 * for the library. A damaged variable-length size in a 6 KB file made
 * libhdf5 1.10 ask for 4 GB, and simrun show peaked at 4.2 GB on it. */
#define PROBE_MEM (2048.0 * 1024 * 1024)
/* The child's exit status when the library ran out of that memory. */
#define PROBE_NOMEM 3

static void probe_cap_memory(void)
{
    char buf[64] = "";
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    ssize_t k = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    struct rlimit rl;
    if (k <= 0 || getrlimit(RLIMIT_AS, &rl) != 0)
        return;
    buf[k] = '\0';
    double have = strtod(buf, NULL) * (double)sysconf(_SC_PAGESIZE);
    rlim_t want = (rlim_t)(have + PROBE_MEM);
    if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
        want = rl.rlim_max;
    rl.rlim_cur = want;
    setrlimit(RLIMIT_AS, &rl);
}

static herr_t resource_error(unsigned n, const H5E_error2_t *e, void *ud)
{
    (void)n;
    if (e->maj_num == H5E_RESOURCE)
        *(int *)ud = 1;
    return 0;
}

/* After a failed read: the library could not get memory, so the file is
 * refused (the parent would ask for the same memory reading it). */
static void exit_if_out_of_memory(void)
{
    int nomem = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, resource_error, &nomem);
    if (nomem)
        _exit(PROBE_NOMEM);
}

static herr_t probe_attr(hid_t loc, const char *name, const H5A_info_t *info, void *ud)
{
    (void)info;
    (void)ud;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0)
        return 0;
    hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : 0;
    size_t sz = t >= 0 ? H5Tget_size(t) : 0;
    if (n > 0 && sz > 0 && (double)n * (double)sz < 64e6) {
        void *buf = malloc((size_t)n * sz);
        if (buf) {
            if (H5Aread(a, t, buf) < 0)
                exit_if_out_of_memory();
            free(buf);
        }
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    H5Aclose(a);
    return 0;
}

static herr_t probe_obj(hid_t loc, const char *name, const H5O_info_t *info, void *ud)
{
    (void)ud;
    hid_t o = H5Oopen(loc, name, H5P_DEFAULT);
    if (o < 0)
        return 0;
    hsize_t idx = 0;
    H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, probe_attr, NULL);
    if (info->type == H5O_TYPE_DATASET) {
        hid_t t = H5Dget_type(o), sp = H5Dget_space(o);
        hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : 0;
        size_t sz = t >= 0 ? H5Tget_size(t) : 0;
        if (n > 0 && sz > 0 && (double)n * (double)sz < 512e6) {
            void *buf = malloc((size_t)n * sz);
            if (buf) {
                if (H5Dread(o, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
                    exit_if_out_of_memory();
                free(buf);
            }
        }
        if (sp >= 0)
            H5Sclose(sp);
        if (t >= 0)
            H5Tclose(t);
    }
    H5Oclose(o);
    return 0;
}

/* Sanitizer runtimes (make asan, make fuzz) export this; a weak reference
 * is null in a normal build. */
extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

/* The child dies of what kills it, and only the parent reads how: handlers
 * and death hooks inherited from the parent are dropped. Under libFuzzer
 * the parent's death hook records the parent's input as a crash of the
 * harness, although the parent refuses the file and goes on. */
static void probe_child_drop_handlers(void)
{
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(NULL);
}

/* The child: walk every attribute and dataset of the file, then _exit
 * (no atexit handlers: the parent's stdio buffers and HDF5 state are
 * copies). */
static void probe_child(const char *path, pid_t parent)
{
    /* killed with simrun; the parent may have died before prctl */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(1);
    probe_child_drop_handlers();
    probe_cap_memory();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fis_hdf5(path) > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT) : -1;
    if (f >= 0) {
        hsize_t idx = 0;
        H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, probe_attr, NULL);
        H5Ovisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, probe_obj, NULL);
        H5Fclose(f);
    }
    _exit(0);
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wait for pid at most limit_s seconds (polled every 1 to 20 ms: a healthy
 * file is read in a few ms); 1 and *status when it ended, 0 when it was
 * killed at the limit. */
static int wait_within(pid_t pid, double limit_s, int *status)
{
    double deadline = mono_s() + limit_s, step = 0.001;
    for (;;) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid)
            return 1;
        if (w < 0 && errno != EINTR)
            return 1; /* not our child any more: nothing to wait for */
        if (mono_s() >= deadline) {
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            return 0;
        }
        struct timespec ts = {0, (long)(step * 1e9)};
        nanosleep(&ts, NULL);
        step = step * 2 > 0.02 ? 0.02 : step * 2;
    }
}

double sim_results_probe_limit(const char *path)
{
    struct stat st;
    double mb = stat(path, &st) == 0 ? (double)st.st_size / 1e6 : 0;
    /* a healthy file reads at well over 20 MB/s even on a busy disk */
    return 10.0 + mb / 20.0;
}

int sim_results_probe_within(const char *path, double limit_s, as_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        char shown[1024];
        as_name_printable(path, shown, sizeof shown);
        return as_err_set(err, AS_EINVAL, "%s: no such file", shown);
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return AS_OK; /* cannot isolate: read it directly */
    if (pid == 0)
        probe_child(path, parent);
    int status = 0;
    if (!wait_within(pid, limit_s, &status))
        return as_err_set(err, AS_EINVAL,
                          "%s: refused: the HDF5 library was still reading it after %.0f s (a "
                          "damaged file can make it loop)",
                          path, limit_s);
    if (WIFSIGNALED(status))
        return as_err_set(err, AS_EINVAL,
                          "%s: damaged: the HDF5 library crashed reading it (signal %d)", path,
                          WTERMSIG(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) == PROBE_NOMEM)
        return as_err_set(err, AS_EINVAL,
                          "%s: refused: the HDF5 library asked for more than %.0f GiB of memory "
                          "reading it (a damaged length can make it)",
                          path, PROBE_MEM / (1024.0 * 1024 * 1024));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return as_err_set(err, AS_EINVAL, "%s: damaged: the HDF5 library failed reading it",
                          path);
    return AS_OK;
}

int sim_results_probe(const char *path, as_err *err)
{
    return sim_results_probe_within(path, sim_results_probe_limit(path), err);
}
