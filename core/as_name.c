/* as_name.c - the name rule (as_name.h): one character class, checked in
 * one place. A whitelist rather than a list of bad characters: quoting
 * rules differ between gnuplot, HTML, shells and file systems, and a
 * whitelist is right for all of them at once. */
#include "as_name.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

void as_name_printable(const char *s, char *buf, size_t n)
{
    if (n == 0)
        return;
    size_t o = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char tmp[8];
        if (c == '\n')
            snprintf(tmp, sizeof tmp, "\\n");
        else if (c == '\r')
            snprintf(tmp, sizeof tmp, "\\r");
        else if (c == '\t')
            snprintf(tmp, sizeof tmp, "\\t");
        else if (c == '\\' || c == '"')
            snprintf(tmp, sizeof tmp, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
        else
            snprintf(tmp, sizeof tmp, "%c", c);
        size_t k = strlen(tmp);
        if (o + k + 4 > n) { /* room for "..." and the terminator */
            if (n >= 4) {
                memcpy(buf + (o < n - 4 ? o : n - 4), "...", 3);
                o = (o < n - 4 ? o : n - 4) + 3;
            }
            break;
        }
        memcpy(buf + o, tmp, k);
        o += k;
    }
    buf[o < n ? o : n - 1] = '\0';
}

int as_name_check(const char *name, as_err *err)
{
    static const char rule[] =
        "a name may hold only letters, digits, '.', '_' and '-', and may not start with '.'";
    char shown[96];
    if (name == NULL || name[0] == '\0')
        return as_err_set(err, AS_EINVAL, "empty name: %s", rule);
    as_name_printable(name, shown, sizeof shown);
    size_t len = strlen(name);
    if (len > AS_NAME_MAX)
        return as_err_set(err, AS_EINVAL, "name \"%s\" is %zu bytes long (at most %d)", shown,
                          len, AS_NAME_MAX);
    if (name[0] == '.')
        return as_err_set(err, AS_EINVAL, "name \"%s\" starts with '.': %s", shown, rule);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (name_char(c))
            continue;
        char q[8];
        as_name_printable((const char[]){(char)c, '\0'}, q, sizeof q);
        return as_err_set(err, AS_EINVAL, "name \"%s\" has %s%s%s at byte %zu: %s", shown,
                          c == ' ' ? "a space" : "'", c == ' ' ? "" : q, c == ' ' ? "" : "'",
                          i + 1, rule);
    }
    return AS_OK;
}

int as_reason_check(const char *reason, as_err *err)
{
    static const char pre[] = "resize:";
    if (reason == NULL || strncmp(reason, pre, sizeof pre - 1) != 0)
        return as_name_check(reason, err);
    const char *from = reason + sizeof pre - 1, *gt = strchr(from, '>');
    char a[AS_NAME_MAX + 1];
    size_t la = gt ? (size_t)(gt - from) : 0;
    if (gt == NULL || la > AS_NAME_MAX)
        return as_name_check(reason, err); /* not the move's shape: the name rule says why */
    memcpy(a, from, la);
    a[la] = '\0';
    int rc = as_name_check(a, err);
    return rc != AS_OK ? rc : as_name_check(gt + 1, err);
}

int as_shell_quote(const char *s, char *buf, size_t n)
{
    bool plain = true, bare = *s != '\0' && *s != '='; /* zsh expands =cmd to its path */
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        plain &= c >= 0x20 && c < 0x7f;
        bare &= name_char(c) || strchr("/:=,+@%", c) != NULL; /* no shell meaning */
    }
    size_t o = 0;
    char tmp[8];
    if (bare) {
        if (strlen(s) >= n)
            goto small;
        memcpy(buf, s, strlen(s) + 1);
        return 0;
    }
    if (n < 3)
        goto small;
    if (!plain)
        buf[o++] = '$';
    buf[o++] = '\'';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (plain && c == '\'')
            snprintf(tmp, sizeof tmp, "'\\''"); /* close, an escaped quote, reopen */
        else if (!plain && (c == '\'' || c == '\\'))
            snprintf(tmp, sizeof tmp, "\\%c", c);
        else if (!plain && (c < 0x20 || c >= 0x7f))
            snprintf(tmp, sizeof tmp, "\\x%02x", c);
        else
            snprintf(tmp, sizeof tmp, "%c", c);
        size_t k = strlen(tmp);
        if (o + k + 2 > n) /* room for the closing quote and the terminator */
            goto small;
        memcpy(buf + o, tmp, k);
        o += k;
    }
    buf[o++] = '\'';
    buf[o] = '\0';
    return 0;
small:
    if (n > 0)
        buf[0] = '\0';
    return -1;
}
