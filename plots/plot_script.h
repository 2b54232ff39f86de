/* plot_script.h - the gnuplot script writer of plots/ and its one quoting
 * function. Owns: a script being built in memory and its first error.
 *
 * THE RULE OF plots/ (every file here keeps it; README "Security"):
 * gnuplot runs shell commands: a line starting with '!', system("..."),
 * and `backquotes` anywhere outside a single-quoted string; inside a
 * double-quoted string backquotes run too, and a comment ending in '\'
 * swallows the next line. So:
 *  1. Text of this library (commands, colours, column numbers) is written
 *     with plot_gp_printf/plot_gp_puts, and their %s arguments are only
 *     literals of this library or strings returned by plot_gp_quote.
 *  2. Every other string (a name, a title built from one, a file name, a
 *     path, a legend entry) is written with plot_gp_str or plot_gp_comment,
 *     which go through plot_gp_quote: one single-quoted gnuplot string, a
 *     quote doubled (''), nothing else special inside it (gnuplot expands
 *     neither backquotes nor @macros between single quotes). A string with
 *     a control character (bytes 0x01-0x1f and 0x7f: a newline would end
 *     the string or the comment) is refused, never cleaned, and the
 *     script is not written.
 *  3. Names (scenario, run, kind, tier, reason) are checked against
 *     as_name_check (core/as_name.h) where they are read, so file names
 *     built from them are plain; data file paths are relative names made
 *     here (data/run01.dat), quoted like any string.
 *  4. plot_gp_finish lints the finished script (plot_gp_lint) and refuses
 *     it if a line starts with '!' or a backquote or system( stands outside
 *     a single-quoted string: a last gate against a mistake in rule 1.
 * HTML has its own rule: plot_html.h.
 *
 * Invariant: after the first error every call is a no-op, and finish
 * returns that error, so figure code needs no error checks per line.
 * Must not: run gnuplot (plot_gnuplot.h does) or touch files. */
#ifndef PLOT_SCRIPT_H
#define PLOT_SCRIPT_H

#include "as.h"

#include <stddef.h>

typedef struct plot_gp plot_gp;

/* A new, empty script; NULL when out of memory. */
plot_gp *plot_gp_new(void);
/* Free; NULL is a no-op. */
void plot_gp_free(plot_gp *g);

/* Script text of this library (rule 1): fmt is a literal. */
void plot_gp_printf(plot_gp *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void plot_gp_puts(plot_gp *g, const char *text);
/* s as one quoted string (rule 2); what names s in the error ("title",
 * "results file path"). */
void plot_gp_str(plot_gp *g, const char *what, const char *s);
/* A comment line "# label 'text'\n": label is a literal, text is quoted,
 * so a comment neither ends early nor ends in a backslash. */
void plot_gp_comment(plot_gp *g, const char *label, const char *what, const char *text);

/* Bytes written so far (where the next text will start). */
size_t plot_gp_len(plot_gp *g);

/* The quoting function (rule 2): s as a single-quoted gnuplot string into
 * out (n bytes, terminated). AS_EINVAL for a control character (the
 * message names `what`, shows s escaped and says which byte), AS_ERANGE
 * when out is too small (2 * strlen(s) + 3 always fits). */
int plot_gp_quote(const char *s, char *out, size_t n, const char *what, as_err *err);

/* NULL when script (len bytes) keeps rule 4, else what breaks it. */
const char *plot_gp_lint(const char *script, size_t len);

/* The finished script: AS_OK with *text (borrowed until plot_gp_free) and
 * *len; or the first error of any call above, AS_ENOMEM, or AS_EINVAL
 * when the lint fails. */
int plot_gp_finish(plot_gp *g, const char **text, size_t *len, as_err *err);

#endif
