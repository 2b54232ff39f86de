/* as_name.h - the one rule for names that become file names, HDF5 paths,
 * gnuplot strings and HTML: scenario, run, policy, kind, tier, reason (an
 * action reason may also be a move between two names: as_reason_check).
 * Owns: nothing (pure functions over strings).
 * Invariant: a name that passes as_name_check is 1..AS_NAME_MAX bytes of
 * ASCII letters, digits, '.', '_' and '-', and does not start with '.'; so
 * it is never a path ("/", "..", hidden files), never holds a quote, a
 * backquote, a space or a control character, and needs no escaping in a
 * file name, a gnuplot string or HTML. Callers check names where they
 * enter (a scenario at load, a results file at read), not where they are
 * used, and prefix the message with the file (and line) they came from.
 * Also the one way a string is shown in a message (as_name_printable) or
 * in a command line printed for a user to paste (as_shell_quote).
 * Must not: print, allocate, or know where a name came from. */
#ifndef AS_NAME_H
#define AS_NAME_H

#include "as.h"

#include <stddef.h>

/* Longest accepted name, in bytes. A sanity cap, not a buffer size: it
 * keeps NAME.partial, NAME.runs/ and reports/NAME/run01_NAME.png under a
 * file system's 255-byte name limit. Callers with smaller buffers (results
 * store names in 32-byte fields) check their own length. */
#define AS_NAME_MAX 128

/* AS_OK when name follows the rule above; AS_EINVAL otherwise, with a
 * message showing the name in printable form (as_name_printable) and what
 * is wrong with it, e.g.
 *   name "a\n!touch x" has '\n' at byte 2: a name may hold only letters,
 *   digits, '.', '_' and '-', and may not start with '.'
 * err may be NULL. O(length). */
int as_name_check(const char *name, as_err *err);

/* An action's reason: a name, or the vertical move "resize:FROM>TO" whose
 * FROM and TO are names (instance types). ':' and '>' need no escaping in
 * a data file's quoted string, a gnuplot string or HTML text, and no
 * reason becomes a file name. AS_OK or AS_EINVAL with as_name_check's
 * message (for the part that fails). err may be NULL. */
int as_reason_check(const char *reason, as_err *err);

/* Copy s into buf (n > 0 bytes, always terminated) for an error message:
 * printable ASCII as is, backslash and double quote escaped, \n \r \t as
 * such, every other byte as \xNN; cut with "..." when longer than fits.
 * So a hostile name in a message cannot move the cursor, clear a
 * terminal, or start a new line. */
void as_name_printable(const char *s, char *buf, size_t n);

/* Copy s into buf (n > 0 bytes, always terminated) as one shell word that
 * a user can paste into sh, bash or zsh and get s back, byte for byte: as
 * is when it is made only of name characters and / : = , + @ % (no shell
 * gives those a meaning, so common paths print as before); else
 * 'single-quoted', each ' written '\'' (nothing is expanded inside single
 * quotes: $(...), backquotes, $VAR, spaces, globs and ! stay text). A
 * string with a byte that is not printable ASCII (a control byte, a
 * newline, UTF-8 or not) is written $'...' with such bytes as \xNN and
 * ' and \ escaped, so that no raw control byte reaches the terminal and
 * the command stays on one line; $'...' is in bash, zsh, ksh and POSIX
 * sh since 2024 (dash lacks it). Returns 0, or -1 when buf is too small
 * (then buf holds "" : a cut word would name another file). O(length). */
int as_shell_quote(const char *s, char *buf, size_t n);

#endif
