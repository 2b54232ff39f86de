/* as_csv.h - one CSV field as RFC 4180 has it, for every CSV the project
 * writes (the results exports of sim/results, bench's tables).
 * Owns: nothing (a pure function over strings).
 * Invariant: the field reads back as the string: quoted, with its quotes
 * doubled, exactly when it holds a comma, a double quote, CR or LF, and as
 * is otherwise; so a hostile run or tier name cannot add a column or a row.
 * Must not: print or allocate: it formats into the caller's buffer (core
 * has no I/O), and the caller writes it. */
#ifndef AS_CSV_H
#define AS_CSV_H

#include <stddef.h>

/* The buffer a field of a string of at most len bytes needs: every byte a
 * doubled quote, the two quotes around, the terminator. */
#define AS_CSV_FIELD_SIZE(len) (2 * (size_t)(len) + 3)

/* s as one CSV field in buf (n bytes, always terminated); returns buf.
 * A buffer smaller than AS_CSV_FIELD_SIZE(strlen(s)) cuts the field: size
 * it for the longest string the caller can have. O(length). */
const char *as_csv_field(const char *s, char *buf, size_t n);

#endif
