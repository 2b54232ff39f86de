/* sim_manifest_locate.c - where things are in the raw text of a JSON
 * policy: the line of the value at a dotted path, for messages (jansson
 * keeps no positions), and the line where nesting first gets too deep.
 * (YAML needs no locator: libyaml keeps a start mark on every node.)
 *
 * The path scanner runs on text jansson has already accepted, so it can
 * assume JSON is well formed; it is called once per message, and each
 * call is linear in the text (bounded by SIM_MANIFEST_MAX_BYTES). */
#include "sim_manifest_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *s;
    int line;
} jscan;

static void js_ws(jscan *j)
{
    while (*j->s == ' ' || *j->s == '\t' || *j->s == '\r' || *j->s == '\n') {
        if (*j->s == '\n')
            j->line++;
        j->s++;
    }
}

static void js_string(jscan *j, const char **start, size_t *len)
{
    j->s++; /* opening quote */
    *start = j->s;
    while (*j->s && *j->s != '"') {
        if (*j->s == '\\' && j->s[1])
            j->s++;
        j->s++;
    }
    *len = (size_t)(j->s - *start);
    if (*j->s)
        j->s++;
}

static void js_skip(jscan *j)
{
    js_ws(j);
    if (*j->s == '"') {
        const char *a;
        size_t n;
        js_string(j, &a, &n);
        return;
    }
    if (*j->s == '{' || *j->s == '[') {
        int depth = 0;
        do {
            if (*j->s == '"') {
                const char *a;
                size_t n;
                js_string(j, &a, &n);
                continue;
            }
            if (*j->s == '{' || *j->s == '[')
                depth++;
            else if (*j->s == '}' || *j->s == ']')
                depth--;
            else if (*j->s == '\n')
                j->line++;
            j->s++;
        } while (depth > 0 && *j->s);
        return;
    }
    while (*j->s && !strchr(",}] \t\r\n", *j->s))
        j->s++;
}

static int js_find(jscan *j, const char *path);

/* path starts with "[N]": the Nth item of the array at j. */
static int js_find_item(jscan *j, const char *path)
{
    if (*j->s != '[')
        return 0;
    long want = strtol(path + 1, NULL, 10);
    const char *rest = strchr(path, ']');
    rest = rest ? rest + 1 : "";
    j->s++;
    for (long i = 0;; i++) {
        js_ws(j);
        if (*j->s == ']' || *j->s == '\0')
            return 0;
        if (i == want)
            return js_find(j, rest);
        js_skip(j);
        js_ws(j);
        if (*j->s == ',')
            j->s++;
    }
}

static int js_find(jscan *j, const char *path)
{
    js_ws(j);
    if (*path == '\0')
        return j->line;
    if (*path == '.')
        path++;
    if (*path == '[')
        return js_find_item(j, path);
    size_t seg = strcspn(path, ".[");
    if (*j->s != '{')
        return 0;
    j->s++;
    for (;;) {
        js_ws(j);
        if (*j->s != '"')
            return 0;
        const char *k;
        size_t n;
        js_string(j, &k, &n);
        js_ws(j);
        if (*j->s == ':')
            j->s++;
        if (n == seg && strncmp(k, path, n) == 0)
            return js_find(j, path + seg);
        js_skip(j);
        js_ws(j);
        if (*j->s == ',')
            j->s++;
        else
            return 0;
    }
}

int sim_mf_json_line(const char *text, const char *path)
{
    jscan j = {text, 1};
    return js_find(&j, path);
}

int sim_mf_json_too_deep(const char *text, size_t len, int max)
{
    int depth = 0, line = 1;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\n')
            line++;
        if (in_string) {
            if (c == '\\')
                i++; /* an escaped quote does not end the string (\n is not a newline) */
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                return line;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 0;
}
