/* sim_file.h - reading one configuration input (scenario, manifest, AWS
 * policy) whole, with a size limit.
 * Owns: sim_file_read and the text it returns (the caller frees it).
 * Paths in its messages go through as_name_printable (core/as_name.h), as
 * every path in a message of the configuration layer does: one line,
 * nothing but printable text.
 * Invariant: only a regular file is read: a FIFO, a device (/dev/zero), a
 * socket or a directory is refused at once, without blocking on it and
 * without reading it; never more than the caller's limit is read, whatever
 * the file claims its size is; the text is NUL-terminated.
 * Must not: parse anything, or touch a file it was not given. */
#ifndef SIM_FILE_H
#define SIM_FILE_H

#include "as.h"

#include <stddef.h>

/* Read the regular file at path into *text (caller frees; *len bytes plus a
 * NUL, which may also occur inside). what names the input in messages, with
 * its article: "a scenario file". Errors: "PATH: cannot open: REASON"
 * (AS_EIO), "PATH: is a directory, not a scenario file" (AS_EIO), "PATH:
 * is a FIFO, not a scenario file" (AS_EINVAL), "PATH: N bytes is too large
 * for a scenario file (at most M)" (AS_EINVAL). */
int sim_file_read(const char *path, const char *what, size_t max_bytes, char **text /* OUT */,
                  size_t *len /* OUT */, as_err *err);

#endif
