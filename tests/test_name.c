/* test_name.c - the name rule of core/as_name.h: what passes, what is
 * refused and how the message shows a hostile name; shell quoting of a
 * string for a command line to paste. */
#include "as_name.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

Test(name, accepts_the_names_simrun_writes)
{
    const char *ok[] = {"spike", "hpa", "hpa.p003.r2", "web", "scale_out", "holt-winters",
                        "A1", "x.", "a..b", "0"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        as_err e = {0};
        cr_assert_eq(as_name_check(ok[i], &e), AS_OK, "%s: %s", ok[i], e.msg);
    }
    char longest[AS_NAME_MAX + 1];
    memset(longest, 'a', AS_NAME_MAX);
    longest[AS_NAME_MAX] = '\0';
    cr_assert_eq(as_name_check(longest, NULL), AS_OK);
}

Test(name, refuses_paths_quotes_and_control_characters)
{
    const char *bad[] = {"",          ".",          "..",        ".hidden",   "../x",
                         "a/b",       "a b",        "a\n!touch", "x'y",       "x\"y",
                         "a`id`",     "a;b",        "a$b",       "a\\b",      "a\tb",
                         "\x7f",      "caf\xc3\xa9", "a'.system('touch M').'", "<b>",
                         "\n!touch MARKER #"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        as_err e = {0};
        cr_assert_eq(as_name_check(bad[i], &e), AS_EINVAL, "accepted \"%s\"", bad[i]);
        cr_assert_eq(e.code, AS_EINVAL);
        cr_assert(strstr(e.msg, "name") != NULL, "%s", e.msg);
        /* the message is one printable line, whatever the name holds */
        for (const char *p = e.msg; *p; p++)
            cr_assert((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f,
                      "byte 0x%02x in message of case %zu", (unsigned char)*p, i);
    }
    char toolong[AS_NAME_MAX + 2];
    memset(toolong, 'a', AS_NAME_MAX + 1);
    toolong[AS_NAME_MAX + 1] = '\0';
    as_err e = {0};
    cr_assert_eq(as_name_check(toolong, &e), AS_EINVAL);
    cr_assert(strstr(e.msg, "at most") != NULL, "%s", e.msg);
    cr_assert_eq(as_name_check(NULL, NULL), AS_EINVAL);
}

Test(name, message_names_the_byte)
{
    as_err e = {0};
    cr_assert_eq(as_name_check("ab\n!touch x", &e), AS_EINVAL);
    cr_assert(strstr(e.msg, "\"ab\\n!touch x\"") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "'\\n' at byte 3") != NULL, "%s", e.msg);
    cr_assert_eq(as_name_check("a b", &e), AS_EINVAL);
    cr_assert(strstr(e.msg, "a space at byte 2") != NULL, "%s", e.msg);
    cr_assert_eq(as_name_check(".x", &e), AS_EINVAL);
    cr_assert(strstr(e.msg, "starts with '.'") != NULL, "%s", e.msg);
}

Test(name, printable_escapes_and_cuts)
{
    char b[64];
    as_name_printable("a\x1b[2Jb\"\\", b, sizeof b);
    cr_assert_str_eq(b, "a\\x1b[2Jb\\\"\\\\");
    as_name_printable("", b, sizeof b);
    cr_assert_str_eq(b, "");
    char small[8];
    as_name_printable("abcdefghijkl", small, sizeof small);
    cr_assert_str_eq(small, "abcd...");
    char tiny[1];
    as_name_printable("abc", tiny, sizeof tiny);
    cr_assert_str_eq(tiny, "");
}

/* Action reasons: names, and the vertical move between two instance types
 * (the engine writes resize:FROM>TO); anything else in that shape is
 * refused as a name would be. */
Test(name, reasons_are_names_or_a_resize_between_two)
{
    const char *ok[] = {"scale_up", "at_max", "resize:small>large", "resize:m5.large>m5.xlarge"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        cr_expect_eq(as_reason_check(ok[i], NULL), AS_OK, "%s", ok[i]);
    const char *bad[] = {"resize:small",  "resize:>large", "resize:small>",
                         "resize:a>b>c",  "resize:a\"b>c", "resize:a>b;rm",
                         "up:down",       "resize:.x>y",   "resize:a>b\n",
                         "x resize:a>b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        as_err e = {0};
        cr_expect_eq(as_reason_check(bad[i], &e), AS_EINVAL, "%s", bad[i]);
        cr_expect(e.msg[0] != '\0', "%s: no message", bad[i]);
    }
}

/* What `shell` prints for `printf %s WORD`, WORD as as_shell_quote writes
 * it: the string itself when the quoting is right. */
static char *through_shell(const char *shell, const char *s, char *got, size_t n)
{
    char q[1024], path[64], cmd[128];
    cr_assert_eq(as_shell_quote(s, q, sizeof q), 0);
    snprintf(path, sizeof path, "%s/simtest_quote_%d.sh", th_tmpdir(), (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "printf %%s %s\n", q);
    fclose(f);
    snprintf(cmd, sizeof cmd, "%s %s", shell, path);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t k = fread(got, 1, n - 1, p);
    got[k] = '\0';
    cr_assert_eq(pclose(p), 0, "%s failed on %s", shell, q);
    unlink(path);
    return got;
}

/* A path in a command line simrun prints for pasting comes back byte for
 * byte: spaces, quotes, $(...), backquotes and globs stay text. */
Test(name, shell_quote_round_trips_through_a_shell)
{
    static const char *const plain[] = {
        "results/hpa-replay.ini", "my dir/it's here.ini", "$(touch /tmp/x) `id` $HOME *.ini",
        "'", "''", "a'b'c", "back\\slash \"dq\"", "", "=ls", "a=b:c,d+e@f%g",
    };
    char got[512];
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        cr_expect_str_eq(through_shell("sh", plain[i], got, sizeof got), plain[i]);
        cr_expect_str_eq(through_shell("bash", plain[i], got, sizeof got), plain[i]);
    }
    char q[64];
    cr_assert_eq(as_shell_quote("it's", q, sizeof q), 0);
    cr_expect_str_eq(q, "'it'\\''s'");
    cr_assert_eq(as_shell_quote("results/spike-tune/hpa-replay.ini", q, sizeof q), 0);
    cr_expect_str_eq(q, "results/spike-tune/hpa-replay.ini", "a plain path prints as is");
    cr_assert_eq(as_shell_quote("=ls", q, sizeof q), 0);
    cr_expect_str_eq(q, "'=ls'", "zsh expands a bare =ls");
    cr_assert_eq(as_shell_quote("", q, sizeof q), 0);
    cr_expect_str_eq(q, "''", "an empty word is still a word");
    /* not printable ASCII: one line, no raw byte, and still the same bytes */
    static const char *const raw[] = {"a\nb", "x\033[2J\377'\\y", "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        cr_assert_eq(as_shell_quote(raw[i], q, sizeof q), 0);
        for (const char *c = q; *c; c++)
            cr_expect((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f, "%zu: raw byte", i);
        cr_expect_str_eq(through_shell("bash", raw[i], got, sizeof got), raw[i]);
    }
    /* too small: nothing rather than a cut word naming another file */
    cr_expect_eq(as_shell_quote("abcdef", q, 5), -1);
    cr_expect_str_eq(q, "");
}

/* Every error message is one printable line, whatever value it quotes
 * (core/as_err.c): control bytes become \n, \t, \xNN in as_err_set and
 * as_err_prefix; bytes from 0x80 (UTF-8) stay; a plain message is as
 * formatted; the result is cut to the buffer, always terminated. */
Test(name, error_messages_are_one_printable_line)
{
    as_err e = {0};
    cr_assert_eq(as_err_set(&e, AS_EINVAL, "key 'kind': unknown '%s'", "hp\x1b]0;x\x07\n"),
                 AS_EINVAL);
    cr_expect_str_eq(e.msg, "key 'kind': unknown 'hp\\x1b]0;x\\x07\\n'");
    as_err_set(&e, AS_EIO, "caf\xc3\xa9\t%d", 7);
    cr_expect_str_eq(e.msg, "caf\xc3\xa9\\t7");
    as_err_set(&e, AS_EIO, "plain message 100%%");
    cr_expect_str_eq(e.msg, "plain message 100%");
    as_err_set(&e, AS_EINVAL, "x");
    cr_assert_eq(as_err_prefix(&e, "%s:3: ", "a\rb.ini"), AS_EINVAL);
    cr_expect_str_eq(e.msg, "a\\rb.ini:3: x");
    char big[600];
    memset(big, '\x01', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    as_err_set(&e, AS_EINVAL, "%s", big);
    cr_expect_lt(strlen(e.msg), sizeof e.msg);
    cr_expect_eq(strlen(e.msg) % 4, 0, "cut inside an escape: %zu", strlen(e.msg));
    cr_expect(strchr(e.msg, '\x01') == NULL);
}
