/* plot_html.h - HTML output of plots/: the one escaping function.
 * Owns: nothing (writes to a stream it is given).
 * The rule for HTML (plot_script.h has gnuplot's): every string that is
 * not a literal of this library, in a text node or in an attribute value
 * (always double-quoted), goes through plot_html_esc: & < > " ' become
 * entities, control characters (a results file may hold any byte) become
 * U+FFFD, so no input can open a tag, close an attribute or start a
 * script. href and src values are file names this library made from
 * checked names (as_name.h), escaped all the same.
 * Must not: write anything but the escaped text. */
#ifndef PLOT_HTML_H
#define PLOT_HTML_H

#include <stdio.h>

/* Write s escaped for an HTML text node or a double-quoted attribute. */
void plot_html_esc(FILE *f, const char *s);

#endif
