/* test_export.c - CSV and JSON of the summary carry every /summary column
 * under its HDF5 name, each with a unit, whatever branch added it. */
#include "as_csv.h"
#include "sim_export.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole of what f received. */
static char *slurp(FILE *f)
{
    long n = ftell(f);
    char *s = calloc(1, (size_t)n + 1);
    rewind(f);
    cr_assert(s != NULL && fread(s, 1, (size_t)n, f) == (size_t)n);
    return s;
}

Test(export, every_summary_column_has_a_unit_and_is_exported)
{
    sim_summary_row r;
    memset(&r, 0, sizeof r);
    snprintf(r.run, sizeof r.run, "hpa");
    snprintf(r.kind, sizeof r.kind, "hpa");
    r.slo_compliance = 99.5;
    r.latency_at_p = 0.25;
    r.forecast_mase = NAN;
    FILE *c = tmpfile(), *j = tmpfile();
    cr_assert(c && j);
    sim_export_summary_csv(c, &r, NULL, 1);
    cr_assert_eq(sim_export_summary_json(j, &r, NULL, 1, NULL), AS_OK);
    char *csv = slurp(c), *json = slurp(j);
    int n = 0;
    for (const char *const *k = sim_export_summary_names(); *k; k++, n++) {
        cr_expect(sim_export_unit(*k) != NULL, "column %s has no unit", *k);
        char key[64];
        snprintf(key, sizeof key, "\"%s\":", *k);
        cr_expect(strstr(json, key) != NULL, "JSON lacks %s:\n%s", *k, json);
        size_t len = strlen(*k);
        const char *h = csv;
        while ((h = strstr(h, *k)) != NULL &&
               !((h == csv || h[-1] == ',') && (h[len] == ',' || h[len] == '\n')))
            h++;
        cr_expect(h != NULL && h < strchr(csv, '\n'), "CSV header lacks %s: %s", *k, csv);
    }
    /* the SLO's columns are among them, under their file names */
    cr_expect(strstr(csv, ",slo_windows,slo_compliance,latency_at_p\n") != NULL, "%s", csv);
    cr_expect(strstr(json, "\"slo_compliance\": 99.5") != NULL, "%s", json);
    cr_expect(strstr(json, "\"forecast_mase\": null") != NULL, "%s", json);
    cr_expect(sim_export_unit("no_such_column") == NULL);
    cr_expect_gt(n, 30);
    free(csv);
    free(json);
    fclose(c);
    fclose(j);
}

/* RFC 4180: quoted exactly when a comma, a quote, CR or LF is in it, its
 * quotes doubled; a buffer too small cuts it, always terminated. */
Test(export, csv_field_quotes_what_would_split_a_row)
{
    char q[AS_CSV_FIELD_SIZE(16)];
    cr_expect_str_eq(as_csv_field("hpa.p000", q, sizeof q), "hpa.p000");
    cr_expect_str_eq(as_csv_field("", q, sizeof q), "");
    cr_expect_str_eq(as_csv_field("a,b", q, sizeof q), "\"a,b\"");
    cr_expect_str_eq(as_csv_field("say \"hi\"", q, sizeof q), "\"say \"\"hi\"\"\"");
    cr_expect_str_eq(as_csv_field("a\rb", q, sizeof q), "\"a\rb\"");
    cr_expect_str_eq(as_csv_field("a\nb", q, sizeof q), "\"a\nb\"");
    cr_expect_str_eq(as_csv_field("\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"", q, sizeof q),
                     "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"",
                     "16 quotes fit AS_CSV_FIELD_SIZE(16)");
    char small[4];
    cr_expect_str_eq(as_csv_field("abcdef", small, sizeof small), "abc");
}
