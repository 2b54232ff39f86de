/* plot_script.c - the gnuplot script writer and its quoting function (the
 * rule is in plot_script.h). The script is built in an open_memstream
 * buffer: one allocation pattern for every figure, and the whole text is
 * at hand for the lint, the .gp file and the pipe. Quoting refuses rather
 * than cleans: a name with a newline is an error the user must see, and a
 * cleaned string would be a second quoting rule to keep in step. */
#include "plot_script.h"

#include "as_name.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct plot_gp {
    FILE *f;        /* memstream over buf/len */
    char *buf;
    size_t len;
    int rc;         /* first error, sticky */
    as_err err;
};

plot_gp *plot_gp_new(void)
{
    plot_gp *g = calloc(1, sizeof *g);
    if (g == NULL)
        return NULL;
    g->f = open_memstream(&g->buf, &g->len);
    if (g->f == NULL) {
        free(g);
        return NULL;
    }
    return g;
}

void plot_gp_free(plot_gp *g)
{
    if (g == NULL)
        return;
    if (g->f != NULL)
        fclose(g->f);
    free(g->buf);
    free(g);
}

size_t plot_gp_len(plot_gp *g)
{
    long at = g->rc == AS_OK ? ftell(g->f) : -1;
    return at > 0 ? (size_t)at : 0;
}

void plot_gp_printf(plot_gp *g, const char *fmt, ...)
{
    if (g->rc != AS_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(g->f, fmt, ap);
    va_end(ap);
}

void plot_gp_puts(plot_gp *g, const char *text)
{
    if (g->rc == AS_OK)
        fputs(text, g->f);
}

int plot_gp_quote(const char *s, char *out, size_t n, const char *what, as_err *err)
{
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            char shown[200], ch[8];
            as_name_printable(s, shown, sizeof shown);
            as_name_printable((const char[]){(char)c, '\0'}, ch, sizeof ch);
            return as_err_set(err, AS_EINVAL,
                              "%s \"%s\" has a control character ('%s' at byte %zu): refused, "
                              "as a gnuplot script would run what follows it",
                              what, shown, ch, i + 1);
        }
    }
    size_t o = 0;
    if (n < 3)
        return as_err_set(err, AS_ERANGE, "%s too long for a gnuplot string", what);
    out[o++] = '\'';
    for (; *s; s++) {
        size_t need = *s == '\'' ? 2 : 1;
        if (o + need + 2 > n)
            return as_err_set(err, AS_ERANGE, "%s too long for a gnuplot string", what);
        if (*s == '\'')
            out[o++] = '\'';
        out[o++] = *s;
    }
    out[o++] = '\'';
    out[o] = '\0';
    return AS_OK;
}

void plot_gp_str(plot_gp *g, const char *what, const char *s)
{
    if (g->rc != AS_OK)
        return;
    size_t n = 2 * strlen(s) + 3;
    char stack[512];
    char *q = n <= sizeof stack ? stack : malloc(n);
    if (q == NULL) {
        g->rc = as_err_set(&g->err, AS_ENOMEM, "out of memory");
        return;
    }
    g->rc = plot_gp_quote(s, q, n, what, &g->err);
    if (g->rc == AS_OK)
        fputs(q, g->f);
    if (q != stack)
        free(q);
}

void plot_gp_comment(plot_gp *g, const char *label, const char *what, const char *text)
{
    plot_gp_printf(g, "# %s ", label);
    plot_gp_str(g, what, text);
    plot_gp_puts(g, "\n");
}

/* Skip a single-quoted string starting at s[*i] (the quote); 0 when it
 * does not end on its line. */
static int skip_single(const char *s, size_t len, size_t *i)
{
    for (size_t k = *i + 1; k < len; k++) {
        if (s[k] == '\n')
            return 0;
        if (s[k] == '\'') {
            if (k + 1 < len && s[k + 1] == '\'') {
                k++;
                continue;
            }
            *i = k;
            return 1;
        }
    }
    return 0;
}

const char *plot_gp_lint(const char *s, size_t len)
{
    int bol = 1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (bol) {
            size_t k = i;
            while (k < len && (s[k] == ' ' || s[k] == '\t'))
                k++;
            if (k < len && s[k] == '!')
                return "a line starts with '!' (a shell command)";
        }
        bol = c == '\n';
        if (c == '#') {
            while (i + 1 < len && s[i + 1] != '\n')
                i++;
            if (s[i] == '\\')
                return "a comment ends in a backslash (it would swallow the next line)";
        } else if (c == '\'') {
            if (!skip_single(s, len, &i))
                return "a single-quoted string does not end on its line";
        } else if (c == '"') {
            return "a double-quoted string (gnuplot expands backquotes inside those)";
        } else if (c == '`') {
            return "a backquote outside a single-quoted string";
        } else if (c == 's' && len - i >= 7 && memcmp(s + i, "system", 6) == 0) {
            size_t k = i + 6;
            while (k < len && s[k] == ' ')
                k++;
            if (k < len && s[k] == '(')
                return "system( outside a single-quoted string";
        } else if (c != '\n' && c != '\t' && (unsigned char)c < 0x20) {
            return "a control character";
        }
    }
    return NULL;
}

int plot_gp_finish(plot_gp *g, const char **text, size_t *len, as_err *err)
{
    if (g->rc == AS_OK && fflush(g->f) != 0)
        g->rc = as_err_set(&g->err, AS_ENOMEM, "out of memory");
    if (g->rc != AS_OK) {
        if (err != NULL)
            *err = g->err;
        return g->rc;
    }
    const char *why = plot_gp_lint(g->buf, g->len);
    if (why != NULL)
        return as_err_set(err, AS_EINVAL, "refusing to run a gnuplot script with %s", why);
    *text = g->buf;
    *len = g->len;
    return AS_OK;
}
