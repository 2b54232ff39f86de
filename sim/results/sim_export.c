/* sim_export.c - CSV and JSON under the HDF5 column names (the rule is in
 * sim_export.h). Rows are walked through the column lists of
 * sim_results_h5.c (name, type, offset), so no format spells a column by
 * hand. JSON goes through jansson: strings from a results file are
 * someone else's bytes, and a hand-written "%s" would let a quote in a run
 * name break the document. */
#include "sim_export.h"
#include "as_csv.h"
#include "sim_results_int.h"
#include "sim_results_read.h"
#include "sim_summary.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Every column of the tables that are exported, with its unit. A column of
 * the same name means the same thing in every table (t is seconds since
 * the scenario start everywhere). */
static const struct {
    const char *name, *unit;
} units[] = {
    {"run", ""},
    {"kind", ""},
    {"cost_infra", "price units"},
    {"cost_penalty", "price units"},
    {"cost_total", "price units"},
    {"slo_violation_s", "s"},
    {"slo_violation_pct", "%"},
    {"p50", "s"},
    {"p95", "s"},
    {"p99", "s"},
    {"latency_max", "s"},
    {"dropped", "requests"},
    {"mean_instances", "instances"},
    {"peak_instances", "instances"},
    {"actions", "count"},
    {"meets_slo", "boolean"},
    {"theta_u", "%"},
    {"theta_o", "%"},
    {"tau_u", "%"},
    {"tau_o", "%"},
    {"instability", "%"},
    {"jitter", "adaptations/min"},
    {"elastic_speedup", "ratio"},
    {"deviation", "%"},
    {"faults", "count"},
    {"forecast_mase", "ratio"},
    {"clamped", "requests"},
    {"requests", "requests"},
    {"errors", "requests"},
    {"timeouts", "requests"},
    {"retries", "requests"},
    {"unfinished", "requests"},
    {"slo_windows", "count"},
    {"slo_compliance", "%"},
    {"latency_at_p", "s"},
    /* time series and actions */
    {"t", "s"},
    {"rate", "req/s"},
    {"forecast", "req/s"},
    {"lo", "req/s"},
    {"hi", "req/s"},
    {"ready", "instances"},
    {"booting", "instances"},
    {"cost_rate", "price units/h"},
    {"cost", "price units"},
    {"violation", "fraction"},
    {"good", "fraction"},
    {"tier", "index"},
    {"tier_name", ""},
    {"from", "instances"},
    {"raw", "instances"},
    {"to", "instances"},
    {"reason", ""},
    {"utilization", "fraction"},
};

const char *sim_export_unit(const char *column)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(units[i].name, column) == 0)
            return units[i].unit;
    return NULL;
}

const char *const *sim_export_summary_names(void)
{
    enum { MAXCOLS = 64 };
    static const char *names[MAXCOLS + 1];
    if (names[0] == NULL) {
        int k = 0;
        for (const sim_col *c = sim_summary_cols; c->name && k < MAXCOLS; c++)
            names[k++] = c->name;
        names[k] = NULL;
    }
    return names;
}

/* ---- CSV ---- */

/* The fields of cols[from, to) (to < 0: to the end) of row, each after a
 * comma but the row's first. */
static void csv_fields(FILE *f, const sim_col *cols, int from, int to, const void *row)
{
    for (const sim_col *c = cols + from; c->name && (to < 0 || c < cols + to); c++) {
        if (c != cols)
            fputc(',', f);
        const char *p = (const char *)row + c->off;
        if (c->type == SIM_C_STR) {
            char s[SIM_STR + 1], q[AS_CSV_FIELD_SIZE(SIM_STR)];
            memcpy(s, p, SIM_STR);
            s[SIM_STR] = '\0';
            fputs(as_csv_field(s, q, sizeof q), f);
        } else if (c->type == SIM_C_I32) {
            int32_t v;
            memcpy(&v, p, sizeof v);
            if (strcmp(sim_export_unit(c->name) ? sim_export_unit(c->name) : "", "boolean") == 0)
                fputs(v ? "true" : "false", f);
            else
                fprintf(f, "%d", (int)v);
        } else {
            double v;
            memcpy(&v, p, sizeof v);
            if (isfinite(v))
                fprintf(f, "%.10g", v);
        }
    }
}

/* The columns of /summary up to and including kind: a sweep's parameter
 * columns follow them. */
static int lead_cols(void)
{
    int k = 0;
    while (sim_summary_cols[k].name && strcmp(sim_summary_cols[k].name, "kind") != 0)
        k++;
    return sim_summary_cols[k].name ? k + 1 : 0;
}

void sim_export_summary_csv(FILE *f, const sim_summary_row *rows, const char *const *params,
                            int n)
{
    char keys[SIM_MAX_PARAM_COLS][128], q[AS_CSV_FIELD_SIZE(256)];
    int nk = params ? sim_params_keys(params, n, keys, SIM_MAX_PARAM_COLS) : 0, lead = lead_cols();
    for (const sim_col *c = sim_summary_cols; c->name; c++) {
        fprintf(f, "%s%s", c == sim_summary_cols ? "" : ",", c->name);
        for (int k = 0; c - sim_summary_cols == lead - 1 && k < nk; k++) {
            fputc(',', f);
            fputs(as_csv_field(keys[k], q, sizeof q), f);
        }
    }
    fputc('\n', f);
    for (int i = 0; i < n; i++) {
        csv_fields(f, sim_summary_cols, 0, lead, &rows[i]);
        for (int k = 0; k < nk; k++) {
            char v[256];
            fputc(',', f);
            fputs(as_csv_field(sim_params_value(params[i], keys[k], v, sizeof v), q, sizeof q), f);
        }
        csv_fields(f, sim_summary_cols, lead, -1, &rows[i]);
        fputc('\n', f);
    }
}

/* ---- JSON ---- */

/* One row as an object; NULL when out of memory. */
static json_t *json_row(const sim_col *cols, const void *row)
{
    json_t *o = json_object();
    for (const sim_col *c = cols; o && c->name; c++) {
        const char *p = (const char *)row + c->off;
        json_t *v;
        if (c->type == SIM_C_STR) {
            char s[SIM_STR + 1];
            memcpy(s, p, SIM_STR);
            s[SIM_STR] = '\0';
            /* a damaged file may hold bytes that are not UTF-8: jansson
             * refuses those, so they are shown as '?' */
            v = json_string(s);
            if (v == NULL) {
                for (char *q = s; *q; q++)
                    if ((unsigned char)*q >= 0x80)
                        *q = '?';
                v = json_string(s);
            }
        } else if (c->type == SIM_C_I32) {
            int32_t x;
            memcpy(&x, p, sizeof x);
            const char *u = sim_export_unit(c->name);
            v = u && strcmp(u, "boolean") == 0 ? json_boolean(x) : json_integer(x);
        } else {
            double x;
            memcpy(&x, p, sizeof x);
            v = isfinite(x) ? json_real(x) : json_null();
        }
        if (v == NULL || json_object_set_new(o, c->name, v) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static json_t *json_rows(const sim_col *cols, const void *rows, size_t n, size_t size)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *o = json_row(cols, (const char *)rows + i * size);
        if (o == NULL || json_array_append_new(a, o) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* Write and free j. */
static int json_out(FILE *f, json_t *j, as_err *err)
{
    if (j == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    /* JSON_PRESERVE_ORDER: the keys in the order of the file's columns */
    int rc = json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(j);
    if (rc != 0)
        return as_err_set(err, AS_EIO, "cannot write JSON");
    fputc('\n', f);
    return AS_OK;
}

/* A sweep's parameter columns into the objects of a (one per row), after
 * kind; a run outside the sweep has null. NULL when out of memory. */
static json_t *json_params(json_t *a, const char *const *params, int n)
{
    char keys[SIM_MAX_PARAM_COLS][128];
    int nk = sim_params_keys(params, n, keys, SIM_MAX_PARAM_COLS), lead = lead_cols();
    for (int i = 0; a && i < n; i++) {
        json_t *o = json_array_get(a, (size_t)i), *rebuilt = json_object();
        const char *key;
        json_t *v;
        int col = 0;
        /* jansson keeps insertion order: rebuild the object to put the
         * parameters after kind */
        json_object_foreach(o, key, v)
        {
            if (rebuilt && json_object_set(rebuilt, key, v) != 0)
                rebuilt = (json_decref(rebuilt), NULL);
            if (++col != lead)
                continue;
            for (int k = 0; rebuilt && k < nk; k++) {
                char b[256];
                sim_params_value(params[i], keys[k], b, sizeof b);
                if (json_object_set_new(rebuilt, keys[k], b[0] ? json_string(b) : json_null()))
                    rebuilt = (json_decref(rebuilt), NULL);
            }
        }
        if (rebuilt == NULL || json_array_set_new(a, (size_t)i, rebuilt) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

int sim_export_summary_json(FILE *f, const sim_summary_row *rows, const char *const *params,
                            int n, as_err *err)
{
    json_t *a = json_rows(sim_summary_cols, rows, (size_t)(n > 0 ? n : 0), sizeof *rows);
    return json_out(f, params && a ? json_params(a, params, n) : a, err);
}

/* The actions of a run, each with the name of its tier. */
static json_t *json_actions(const sim_action_row *ac, size_t n, const sim_tier_info *tiers,
                            int ntier)
{
    json_t *a = json_rows(sim_action_cols, ac, n, sizeof *ac);
    for (size_t i = 0; a && i < n; i++) {
        json_t *o = json_array_get(a, i);
        int k = ac[i].tier;
        json_t *name = k >= 0 && k < ntier ? json_string(tiers[k].name) : json_null();
        /* tier_name right after tier: rebuild the object in that order */
        json_t *copy = json_object();
        const char *key;
        json_t *v;
        int bad = name == NULL || copy == NULL;
        json_object_foreach(o, key, v)
        {
            if (bad)
                break;
            bad |= json_object_set(copy, key, v) != 0;
            if (!bad && strcmp(key, "tier") == 0)
                bad |= json_object_set(copy, "tier_name", name) != 0;
        }
        json_decref(name);
        if (bad || json_array_set_new(a, i, copy) != 0) {
            json_decref(copy);
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* The run's object from what the reader gives; NULL with err set. */
static json_t *run_object(sim_reader *rd, const sim_summary_row *s, as_err *err)
{
    sim_tier_info *tiers = NULL;
    sim_action_row *ac = NULL;
    sim_ts_row *ts = NULL;
    int ntier = 0;
    size_t na = 0, nts = 0;
    json_t *o = NULL;
    if (sim_reader_tiers(rd, &tiers, &ntier, err) == AS_OK &&
        sim_reader_actions(rd, s->run, &ac, &na, err) == AS_OK &&
        sim_reader_timeseries(rd, s->run, &ts, &nts, err) == AS_OK) {
        json_t *names = json_array();
        for (int k = 0; names && k < ntier; k++)
            if (json_array_append_new(names, json_string(tiers[k].name)) != 0) {
                json_decref(names);
                names = NULL;
            }
        json_t *sum = json_row(sim_summary_cols, s), *act = json_actions(ac, na, tiers, ntier),
               *series = json_rows(sim_ts_cols, ts, nts, sizeof *ts);
        json_t *head = json_row(sim_summary_cols, s); /* run and kind, first */
        if (names && sum && act && series && head) {
            /* every call runs: a _set_new takes its value even when it
             * fails (jansson frees it), so nothing leaks on the way out */
            o = json_object();
            int bad = o == NULL;
            bad |= json_object_set(o, "run", json_object_get(head, "run"));
            bad |= json_object_set(o, "kind", json_object_get(head, "kind"));
            bad |= json_object_set_new(o, "summary", sum);
            bad |= json_object_set_new(o, "tiers", names);
            bad |= json_object_set_new(o, "actions", act);
            bad |= json_object_set_new(o, "timeseries", series);
            sum = names = act = series = NULL;
            if (bad) {
                json_decref(o);
                o = NULL;
            }
        }
        json_decref(head);
        json_decref(sum);
        json_decref(names);
        json_decref(act);
        json_decref(series);
        if (o == NULL)
            as_err_set(err, AS_ENOMEM, "out of memory");
    }
    free(tiers);
    free(ac);
    free(ts);
    return o;
}

int sim_export_run_json(FILE *f, const char *path, const char *run, as_err *err)
{
    sim_reader *rd = sim_reader_open(path, err);
    if (rd == NULL)
        return AS_EINVAL;
    sim_summary_row *rows = NULL;
    int n = 0, rc = sim_reader_summary(rd, &rows, &n, err);
    int k = -1;
    for (int i = 0; rc == AS_OK && i < n; i++)
        if (strcmp(rows[i].run, run) == 0)
            k = i;
    if (rc == AS_OK && k < 0)
        rc = as_err_set(err, AS_EINVAL, "%s has no run '%s'", path, run);
    json_t *o = NULL;
    if (rc == AS_OK && (o = run_object(rd, &rows[k], err)) == NULL)
        rc = err && err->code ? err->code : AS_ENOMEM;
    if (rc == AS_OK)
        rc = json_out(f, o, err);
    free(rows);
    sim_reader_close(rd);
    return rc;
}
