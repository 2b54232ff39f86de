/* test_helpers.h - shared helpers of the Criterion suite: a temporary
 * folder per test, files from strings, scenarios from strings, simrun as a
 * child process or a command in-process with captured output, and a
 * failing allocator for out-of-memory tests.
 * Owns: the test's temporary folder (removed when the test process exits)
 * and the buffers of th_out; every other result is caller-owned.
 * Invariant: every test process starts with the allocator disarmed; the
 * suite runs from the project root (scenarios/, tests/data/).
 * Must not: be linked into simrun (it defines __wrap_malloc and friends,
 * which only the test binary is linked to use: see the Makefile).
 *
 * Output capture: every test process writes its stdout and stderr (and
 * those of the children it starts) to a log file, so that passing tests
 * print nothing; the log of a failing or crashing test is printed after the
 * run. TH_NO_CAPTURE=1 in the environment turns this off (for debugging). */
#ifndef TEST_HELPERS_H
#define TEST_HELPERS_H

#include "as.h"
#include "sim_scenario.h"

#include <stddef.h>

/* ---- output ---- */

/* Call right before the statement that must crash a death test
 * (.signal = ...): the expected crash then prints nothing. */
void th_expect_crash(void);

/* ---- files ---- */

/* This test's temporary folder (created on first use, removed with its
 * contents when the test process exits). Borrowed, valid for the test. */
const char *th_tmpdir(void);
/* th_tmpdir()/name. Borrowed: one of 64 rotating buffers, so that a test
 * may hold a few paths at once (th_path("a"), th_path("b")); copy one that
 * must outlive 64 more calls. No other helper uses them. */
const char *th_path(const char *name);
/* Write text to path (replacing it); fails the test on error. */
void th_write(const char *path, const char *text);
/* Write text to th_path(name) and return that path. */
const char *th_write_tmp(const char *name, const char *text);
/* The whole file, NUL-terminated (caller frees); *n its length (may be
 * NULL). NULL when the file cannot be read. */
char *th_slurp(const char *path, size_t *n);
/* 1 when both files exist and have the same bytes. */
int th_files_equal(const char *a, const char *b);

/* Load a scenario written as a string (through a file in th_tmpdir(), so
 * that errors name a file and line as users see them). NULL and err set on
 * error, exactly as sim_scenario_load. */
sim_scenario *th_scenario(const char *ini, const char *const *sets, int nsets, as_err *err);

/* ---- processes ---- */

/* What a command printed and how it ended. */
typedef struct th_out {
    int status;  /* exit status; 128 + signal number when killed */
    char *out;   /* stdout, NUL-terminated (owned; th_out_free) */
    char *err;   /* stderr, NUL-terminated (owned; th_out_free) */
} th_out;

/* The simrun under test: $SIMRUN, or bin/simrun. */
const char *th_simrun_path(void);
/* The same as an absolute path, for a command run in another folder
 * (`cd DIR && SIMRUN ...`). Borrowed (one static buffer). */
const char *th_simrun_abspath(void);
/* Run cmd through /bin/sh with stderr into stdout, the first n - 1 bytes
 * of it into out (NUL-terminated; the rest is read and dropped, so that the
 * command never dies of SIGPIPE). Returns its exit status, -1 when a
 * signal ended it. For asserts on what a user sees in a terminal, where
 * the order of the two streams matters; th_sh keeps them apart. */
int th_sh_out(const char *cmd, char *out, size_t n);
/* Run `SIMRUN ARGS` through /bin/sh (ARGS formatted from fmt; quote paths
 * yourself), capturing stdout and stderr apart. Returns o->status. */
int th_simrun(th_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run any shell command the same way. */
int th_sh(th_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Call a command in-process (cmd_report, cmd_check, ...) with its stdout
 * and stderr captured; o->status is its return value. */
int th_cmd(th_out *o, int (*cmd)(int, char **), int argc, char **argv);
void th_out_free(th_out *o);

/* ---- failing allocator ----
 * The test binary is linked with -Wl,--wrap=malloc,calloc,realloc,strdup,
 * free: every allocation of the project's code goes through these counters.
 * Allocations made inside shared libraries (HDF5, GSL, libyaml, jansson,
 * inih, libc's own) are not seen: their failure cannot be injected here. */

/* Arm: allocation number n from now (1-based) and every later one fail
 * (return NULL) until th_alloc_reset(); n = 0 counts without failing.
 * Also starts tracking live blocks (th_alloc_live). */
void th_alloc_fail_from(long n);
/* The same, but only allocation number n fails (a transient failure). */
void th_alloc_fail_once(long n);
/* Disarm and stop tracking. */
void th_alloc_reset(void);
/* Allocation calls since the last arm (failed ones included). */
long th_alloc_calls(void);
/* Blocks allocated since the last arm and not freed yet: a leak when the
 * operation has cleaned up. */
long th_alloc_live(void);

/* An operation under test: returns AS_OK, or an error code with err set;
 * it must free whatever it allocated, on every path. */
typedef int (*th_op)(void *ctx, as_err *err);
/* Counts the T allocations of a clean run of op, then for n = 1 .. T runs
 * op twice: with allocation n and every later one failing, and with only
 * allocation n failing. Every run must leave no block behind. With every
 * later one failing, op must return an error (not AS_OK) with a message.
 * The code must be AS_ENOMEM, and with only one failing op must not
 * succeed (a fallback that absorbs the failure gives another result than
 * asked, silently). With other non-NULL, both are allowed instead, logged
 * (to the test's output) and counted in *other. Fails the test otherwise,
 * or when op fails with nothing failing, or when T > max (an operation
 * that changed shape). Returns T. */
long th_enomem_sweep(const char *what, th_op op, void *ctx, long max, int *other);

#endif
