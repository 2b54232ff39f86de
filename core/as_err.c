/* as_err.c - error context helpers and seed derivation. */
#include "as.h"

#include <stdio.h>
#include <string.h>

/* A message is one line of text whatever it quotes: a control byte
 * (below 0x20, and DEL) that came with a value from a file, a key or a
 * path is written \n, \r, \t or \xNN, so an error printed to a terminal
 * cannot move the cursor, retitle the window or start a line that looks
 * like ours. Bytes from 0x80 stay (UTF-8 names read as typed). In place,
 * cut to the buffer; the common message has no such byte and is not
 * copied. */
static void msg_one_line(char *msg, size_t cap)
{
    size_t i = 0;
    while (msg[i] && (unsigned char)msg[i] >= 0x20 && msg[i] != 0x7f)
        i++;
    if (msg[i] == '\0')
        return;
    char out[sizeof(((as_err *)0)->msg)];
    size_t k = 0, n = cap < sizeof out ? cap : sizeof out;
    memcpy(out, msg, i);
    k = i;
    for (; msg[i] && k + 1 < n; i++) {
        unsigned char c = (unsigned char)msg[i];
        char esc[5] = {(char)c, 0};
        if (c == '\n' || c == '\r' || c == '\t')
            snprintf(esc, sizeof esc, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        else if (c < 0x20 || c == 0x7f)
            snprintf(esc, sizeof esc, "\\x%02x", c);
        size_t l = strlen(esc);
        if (k + l >= n)
            break;
        memcpy(out + k, esc, l);
        k += l;
    }
    out[k] = '\0';
    memcpy(msg, out, k + 1);
}

int as_err_set(as_err *err, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    msg_one_line(err->msg, sizeof err->msg);
    return code;
}

int as_err_prefix(as_err *err, const char *fmt, ...)
{
    if (err == NULL)
        return AS_EINVAL;
    char pre[256], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t lp = strnlen(pre, sizeof pre), lo = strnlen(old, sizeof old);
    if (lp > sizeof err->msg - 1)
        lp = sizeof err->msg - 1;
    if (lo > sizeof err->msg - 1 - lp)
        lo = sizeof err->msg - 1 - lp;
    memcpy(err->msg, pre, lp);
    memcpy(err->msg + lp, old, lo);
    err->msg[lp + lo] = '\0';
    msg_one_line(err->msg, sizeof err->msg);
    return err->code;
}

uint64_t as_seed_derive(uint64_t seed, uint64_t stream)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
