/* test_results_table.c - the appendable tables of sim/results: a table of
 * unknown length (a run's actions) is made at its first write, chunked by
 * its own rows when they all fit in one chunk, and by the full chunk when
 * more follow (more rows, or a checkpoint's write before the end); an
 * empty one still exists. Rows read back as written in every case. */
#include "sim_results.h"
#include "sim_results_int.h"
#include "test_helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* Write n action rows (t = i) to table `name` of f, opened for `rows`
 * expected rows (0: unknown); a checkpoint flush after `flush_at` rows
 * (< 0: none). */
static void write_table(hid_t f, const char *file, const char *name, size_t rows, int n,
                        int flush_at)
{
    sim_table tb;
    as_err e = {0};
    cr_assert_eq(sim_table_open(&tb, f, name, file, sim_action_cols, sizeof(sim_action_row),
                                rows, &e),
                 AS_OK, "%s", e.msg);
    for (int i = 0; i < n; i++) {
        sim_action_row r = {.t = i, .tier = 0, .from = i, .raw = i + 1, .to = i + 1};
        snprintf(r.reason, sizeof r.reason, "r%d", i);
        cr_assert_eq(sim_table_append(&tb, &r, &e), AS_OK, "%s", e.msg);
        if (i + 1 == flush_at)
            cr_assert_eq(sim_table_flush(&tb, &e), AS_OK, "%s", e.msg);
    }
    cr_assert_eq(sim_table_close(&tb, &e), AS_OK, "%s", e.msg);
}

/* Chunk length and row count of dataset name; every row's t == its index. */
static void check_table(hid_t f, const char *name, hsize_t want_chunk, hsize_t want_rows)
{
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    cr_assert_geq(ds, 0, "%s is missing", name);
    hid_t dcpl = H5Dget_create_plist(ds), space = H5Dget_space(ds);
    hsize_t chunk = 0, rows = 0;
    cr_assert_eq(H5Pget_chunk(dcpl, 1, &chunk), 1);
    H5Sget_simple_extent_dims(space, &rows, NULL);
    cr_expect_eq(chunk, want_chunk, "%s: chunk of %llu rows, want %llu", name,
                 (unsigned long long)chunk, (unsigned long long)want_chunk);
    cr_assert_eq(rows, want_rows, "%s: %llu rows", name, (unsigned long long)rows);
    if (rows > 0) {
        hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(double));
        H5Tinsert(t, "t", 0, H5T_NATIVE_DOUBLE);
        double *v = calloc(rows, sizeof *v);
        cr_assert_geq(H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
        for (hsize_t i = 0; i < rows; i++)
            cr_assert_eq(v[i], (double)i, "%s row %llu", name, (unsigned long long)i);
        free(v);
        H5Tclose(t);
    }
    H5Sclose(space);
    H5Pclose(dcpl);
    H5Dclose(ds);
}

/* A new file in the test's folder (its path in path). */
static hid_t new_file(char *path, size_t n, const char *name)
{
    snprintf(path, n, "%s/%s", th_tmpdir(), name);
    as_err e = {0};
    hid_t f = sim_h5_create(path, &e);
    cr_assert_geq(f, 0, "%s", e.msg);
    return f;
}

/* Close f (written) and open it again for reading. */
static hid_t reopen(hid_t f, const char *path)
{
    cr_assert_geq(H5Fclose(f), 0);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "%s", path);
    return f;
}

Test(results_table, a_table_of_unknown_length_is_chunked_by_its_rows)
{
    char path[512];
    hid_t f = new_file(path, sizeof path, "t.h5");
    write_table(f, path, "short", 0, 30, -1);
    write_table(f, path, "empty", 0, 0, -1);
    write_table(f, path, "long", 0, 1500, -1);
    write_table(f, path, "checkpointed", 0, 30, 10);
    write_table(f, path, "one_chunk_exactly", 0, 1024, -1);
    f = reopen(f, path);
    check_table(f, "short", 30, 30);
    check_table(f, "empty", 1, 0);
    check_table(f, "long", 1024, 1500);
    /* written before its end: more rows may follow, the full chunk */
    check_table(f, "checkpointed", 1024, 30);
    check_table(f, "one_chunk_exactly", 1024, 1024);
    H5Fclose(f);
}

/* A table given its length keeps the chunk of that length, however many
 * rows come (a run's time series: duration / record + 1). */
Test(results_table, a_table_of_known_length_is_chunked_by_it)
{
    char path[512];
    hid_t f = new_file(path, sizeof path, "k.h5");
    write_table(f, path, "known", 121, 300, -1);
    write_table(f, path, "known_short", 121, 30, -1);
    f = reopen(f, path);
    check_table(f, "known", 121, 300);
    check_table(f, "known_short", 121, 30);
    H5Fclose(f);
}

/* A name longer than the table keeps is refused, never cut short into
 * another dataset's name. */
Test(results_table, a_name_too_long_is_refused)
{
    char path[512], name[200];
    hid_t f = new_file(path, sizeof path, "n.h5");
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    sim_table tb;
    as_err e = {0};
    cr_assert_eq(sim_table_open(&tb, f, name, path, sim_action_cols, sizeof(sim_action_row), 0, &e),
                 AS_EINVAL);
    cr_assert(strstr(e.msg, "too long") && strstr(e.msg, path), "%s", e.msg);
    cr_assert_eq(sim_table_close(&tb, &e), AS_OK);
    name[95] = '\0'; /* 95 bytes: the longest kept */
    write_table(f, path, name, 0, 3, -1);
    f = reopen(f, path);
    check_table(f, name, 3, 3);
    H5Fclose(f);
}
