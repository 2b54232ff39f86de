/* sim_emit_replay.c - the replay scenario of sim_emit.h: the scenario's own
 * text, line by line, with a new [policy.NEW] section that reads the
 * written file. Working on the text, not on the loaded struct, keeps the
 * user's comments and every key as written, and needs no INI writer for
 * each key of each section; the cost is a small line parser that must
 * read sections, keys and inline comments as inih does ("key = value",
 * "key: value", "; comment" after whitespace). The result is loaded again
 * by the caller, who compares the policy it gets with the one it wrote:
 * a line this parser misread cannot pass unnoticed. */
#include "sim_emit.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line of the text, split. */
typedef struct ini_line {
    char section[128]; /* current section ("" before the first) */
    char key[128];     /* "" when not a key line */
    const char *val;   /* value start, in the line (key lines) */
    size_t vlen;       /* value length, inline comment and blanks cut */
    int header;        /* a [section] line */
} ini_line;

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static void parse_line(const char *line, size_t len, ini_line *L)
{
    L->key[0] = '\0';
    L->header = 0;
    const char *s = skip_ws(line), *end = line + len;
    if (s >= end || *s == ';' || *s == '#')
        return;
    if (*s == '[') {
        const char *c = memchr(s, ']', (size_t)(end - s));
        if (c) {
            snprintf(L->section, sizeof L->section, "%.*s", (int)(c - s - 1), s + 1);
            L->header = 1;
        }
        return;
    }
    const char *sep = s;
    while (sep < end && *sep != '=' && *sep != ':')
        sep++;
    if (sep == end)
        return;
    const char *ke = sep;
    while (ke > s && (ke[-1] == ' ' || ke[-1] == '\t'))
        ke--;
    snprintf(L->key, sizeof L->key, "%.*s", (int)(ke - s), s);
    const char *v = skip_ws(sep + 1), *ve = v;
    while (ve < end && !((*ve == ';' || *ve == '#') && ve > v && (ve[-1] == ' ' || ve[-1] == '\t')))
        ve++;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r' || ve[-1] == '\n'))
        ve--;
    L->val = v;
    L->vlen = (size_t)(ve - v);
}

/* Is this key line a path relative to the scenario's folder? */
static int is_path_key(const ini_line *L)
{
    if (strcmp(L->section, "trace") == 0)
        return strcmp(L->key, "file") == 0;
    return strncmp(L->section, "policy.", 7) == 0 &&
           (strcmp(L->key, "manifest") == 0 || strcmp(L->key, "aws_policy") == 0);
}

/* "key = /absolute/path" for a relative path value. */
static int abs_line(const sim_scenario *sc, const ini_line *L, char *out, size_t n, as_err *err)
{
    char rel[PATH_MAX], dir[PATH_MAX], full[2 * PATH_MAX + 2];
    snprintf(rel, sizeof rel, "%.*s", (int)L->vlen, L->val);
    if (rel[0] == '/') {
        snprintf(full, sizeof full, "%s", rel);
    } else {
        snprintf(dir, sizeof dir, "%s", sc->path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        char real[PATH_MAX];
        if (realpath(dir, real) == NULL)
            return as_err_set(err, AS_EIO, "%s: cannot resolve the scenario's folder", sc->path);
        snprintf(full, sizeof full, "%s/%s", real, rel);
    }
    if (strpbrk(full, ";#\n\r") != NULL)
        return as_err_set(err, AS_EINVAL,
                          "[%s] %s: the path %s has a ';', '#' or line break, which a scenario "
                          "file cannot hold after the key",
                          L->section, L->key, full);
    snprintf(out, n, "%s = %s\n", L->key, full);
    return AS_OK;
}

static int dropped(const sim_replay_spec *sp, const char *key)
{
    for (int i = 0; i < sp->ndrop; i++)
        if (strcmp(sp->drop[i], key) == 0)
            return 1;
    return 0;
}

/* Text of the new section, collected while the text is copied. */
typedef struct buf {
    char *s;
    size_t n, cap;
} buf;

static int buf_add(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *p = realloc(b->s, cap);
        if (p == NULL)
            return -1;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
    return 0;
}

/* One line: copied to f (the scenario) and, in the tuned policy's
 * section, to the new section. */
static int one_line(FILE *f, const sim_scenario *sc, const sim_replay_spec *sp, const char *line,
                    size_t len, ini_line *L, int *drop_cont, buf *sec, as_err *err)
{
    char pol[160], path_line[2 * PATH_MAX + 300];
    snprintf(pol, sizeof pol, "policy.%s", sc->policies[sp->policy].name);
    int was_key = L->key[0] != '\0';
    parse_line(line, len, L);
    int cont = !L->header && L->key[0] == '\0' && (line[0] == ' ' || line[0] == '\t') &&
               *skip_ws(line) != '\0' && *skip_ws(line) != '\n' && was_key;
    const char *text = line;
    size_t tlen = len;
    if (L->key[0] && is_path_key(L) && L->vlen > 0) {
        int rc = abs_line(sc, L, path_line, sizeof path_line, err);
        if (rc != AS_OK)
            return rc;
        text = path_line;
        tlen = strlen(path_line);
    }
    if (strcmp(L->section, "sweep") != 0)
        fwrite(text, 1, tlen, f);
    if (strcmp(L->section, pol) != 0 || L->header) {
        *drop_cont = 0;
        return AS_OK;
    }
    if (cont ? *drop_cont : (L->key[0] && dropped(sp, L->key))) {
        *drop_cont = 1;
        return AS_OK;
    }
    *drop_cont = 0;
    if (buf_add(sec, text, tlen) != 0 || (tlen && text[tlen - 1] != '\n' && buf_add(sec, "\n", 1)))
        return as_err_set(err, AS_ENOMEM, "out of memory");
    return AS_OK;
}

int sim_emit_replay(FILE *f, const sim_scenario *sc, const sim_replay_spec *sp, as_err *err)
{
    if (sc->text == NULL)
        return as_err_set(err, AS_EINVAL, "the scenario's text is not kept");
    fprintf(f, "; replay scenario written by simrun tune from %s: the scenario as it was,\n"
               "; plus [policy.%s], the chosen configuration read back from its file\n\n",
            sc->path, sp->new_name);
    ini_line L = {0};
    buf sec = {0};
    int drop_cont = 0, rc = AS_OK;
    for (const char *p = sc->text; *p && rc == AS_OK;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
        rc = one_line(f, sc, sp, p, len, &L, &drop_cont, &sec, err);
        p += len;
    }
    if (rc == AS_OK) {
        fprintf(f, "\n[policy.%s]\n%s", sp->new_name, sec.s ? sec.s : "");
        const char *key = sim_emit_key(sp->format);
        if (key)
            fprintf(f, "%s = %s\n", key, sp->file);
        for (int i = 0; i < sp->nextra; i++) {
            const char *eq = strchr(sp->extra[i], '=');
            if (eq)
                fprintf(f, "%.*s = %s\n", (int)(eq - sp->extra[i]), sp->extra[i], eq + 1);
        }
        if (ferror(f))
            rc = as_err_set(err, AS_EIO, "replay scenario: write failed");
    }
    free(sec.s);
    return rc;
}
