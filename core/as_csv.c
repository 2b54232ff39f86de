/* as_csv.c - one CSV field (as_csv.h). */
#include "as_csv.h"

#include <string.h>

const char *as_csv_field(const char *s, char *buf, size_t n)
{
    if (n == 0)
        return buf;
    size_t k = 0;
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote && k + 1 < n)
        buf[k++] = '"';
    for (; *s && k + 1 < n; s++) {
        if (*s == '"') {
            if (k + 2 >= n)
                break;
            buf[k++] = '"';
        }
        buf[k++] = *s;
    }
    if (quote && k + 1 < n)
        buf[k++] = '"';
    buf[k] = '\0';
    return buf;
}
