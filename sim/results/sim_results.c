/* sim_results.c - the HDF5 writer of results files: the root attributes,
 * /trace, one group per run (timeseries, actions, tiers), /summary and
 * /timing, streamed as the run goes (sim_results_int.h has the tables).
 * A file is written as NAME.partial and renamed to NAME when complete; a
 * failed write leaves one as_err line naming the file and the errno. */
#include "sim_results.h"
#include "sim_results_int.h"

#include "as_param.h"
#include "tr_trace.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef AS_VERSION
#define AS_VERSION "0.1.0"
#endif

const char *sim_results_tool_version(void) { return AS_VERSION; }
#ifndef AS_GIT_REV
#define AS_GIT_REV "unknown"
#endif

struct sim_run_writer {
    sim_results *res; /* the file it writes into (borrowed) */
    hid_t group;
    sim_table ts, actions;
    int ntiers;
    sim_table tiers[SIM_MAX_TIERS];
    int npools;                       /* node pools (0: no node layer) */
    sim_table nodes[SIM_MAX_NODEPOOLS], pods;
};

struct sim_results {
    hid_t file;
    char path[1100], partial[1110];
    sim_table trace, summary, timing;
};

static void tier_attrs(hid_t g, const sim_tier_cfg *t, int index)
{
    char buf[64];
    /* the number /runs/RUN/actions and the tier tables use for this tier
     * (the group itself is listed by name, not in scenario order) */
    sim_h5_attr_f64(g, "index", index);
    as_duration_format(t->service_time, buf, sizeof buf);
    sim_h5_attr_str(g, "service_time", buf);
    sim_h5_attr_f64(g, "concurrency", t->concurrency);
    sim_h5_attr_f64(g, "min", t->min);
    sim_h5_attr_f64(g, "max", t->max);
    sim_h5_attr_f64(g, "initial", t->initial);
    as_duration_format(t->boot_time, buf, sizeof buf);
    sim_h5_attr_str(g, "boot_time", buf);
    sim_h5_attr_f64(g, "price", t->price_per_hour);
    sim_h5_attr_f64(g, "visits", t->visits);
    sim_h5_attr_f64(g, "autoscale", t->autoscale);
}

void sim_h5_root_attrs(hid_t file, const sim_scenario *sc)
{
    sim_h5_attr_str(file, "tool", "autoscale-sim simrun");
    sim_h5_attr_str(file, "tool_version", AS_VERSION);
    sim_h5_attr_str(file, "git_revision", AS_GIT_REV);
    sim_h5_attr_str(file, "scenario_name", sc->name);
    sim_h5_attr_str(file, "scenario_path", sc->path);
    sim_h5_attr_str(file, "scenario_text", sc->text);
    sim_h5_attr_str(file, "overrides", sc->overrides);
    sim_h5_attr_str(file, "description", sc->description);
    sim_h5_attr_u64(file, "seed", sc->seed);
    sim_h5_attr_str(file, "model", sc->model == SIM_MODEL_DES ? "des" : "analytic");
    sim_h5_attr_f64(file, "duration_s", as_time_to_s(sc->duration));
    sim_h5_attr_f64(file, "tick_s", as_time_to_s(sc->tick));
    sim_h5_attr_f64(file, "record_s", as_time_to_s(sc->record));
    sim_h5_attr_f64(file, "slo_latency_s", sc->slo_latency);
    sim_h5_attr_f64(file, "slo_percentile", sc->slo_percentile);
    sim_h5_attr_f64(file, "slo_window_s", as_time_to_s(sc->slo_window));
    sim_h5_attr_f64(file, "slo_objective", sc->slo_objective);
    sim_h5_attr_f64(file, "slo_error_rate", sc->slo_max_errors);
    sim_h5_attr_f64(file, "slo_from_max_violation", sc->max_violation >= 0);
    sim_h5_attr_f64(file, "timeout_s", as_time_to_s(sc->timeout));
    sim_h5_attr_f64(file, "retries", sc->retries);
    sim_h5_attr_f64(file, "slo_penalty_per_hour", sc->penalty_per_hour);
    /* the wall-clock time of t = 0 when the trace's times are dates, so
     * that reports can show clock time and weekdays */
    int64_t epoch_us = 0;
    int32_t zone = 0;
    if (tr_config_clock(sc->trace, &epoch_us, &zone)) {
        sim_h5_attr_f64(file, "start_epoch_s", (double)epoch_us / 1e6);
        sim_h5_attr_f64(file, "start_utc_offset_s", zone);
    }
    char now[64];
    time_t tt = time(NULL);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&tt));
    sim_h5_attr_str(file, "created", now);
    hid_t tiers = sim_h5_group(file, "tiers");
    for (int i = 0; i < sc->ntiers; i++) {
        hid_t g = sim_h5_group(tiers, sc->tiers[i].name);
        tier_attrs(g, &sc->tiers[i], i);
        H5Gclose(g);
    }
    H5Gclose(tiers);
}

sim_results *sim_results_create(const char *path, const sim_scenario *sc, int force, as_err *err)
{
    struct stat st;
    if (!force && lstat(path, &st) == 0) {
        as_err_set(err, AS_EEXIST, "%s exists; use --force to overwrite it", path);
        return NULL;
    }
    sim_results *r = calloc(1, sizeof *r);
    if (r == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(r->path, sizeof r->path, "%s", path);
    snprintf(r->partial, sizeof r->partial, "%s.partial", path);
    r->file = sim_h5_create(r->partial, err);
    if (r->file < 0) {
        free(r);
        return NULL;
    }
    sim_h5_root_attrs(r->file, sc);
    hid_t runs = sim_h5_group(r->file, "runs");
    H5Gclose(runs);
    size_t records = (size_t)(sc->duration / sc->record) + 1;
    if (sim_table_open(&r->trace, r->file, "/trace", r->partial, sim_trace_cols,
                       sizeof(sim_trace_row), records, err) ||
        sim_table_open(&r->summary, r->file, "/summary", r->partial, sim_summary_cols,
                       sizeof(sim_summary_row), 1, err) ||
        sim_table_open(&r->timing, r->file, "/timing", r->partial, sim_timing_cols,
                       sizeof(sim_timing_row), 1, err)) {
        sim_results_abort(r, 1);
        return NULL;
    }
    return r;
}

int sim_results_trace(sim_results *r, double t, double rate, as_err *err)
{
    sim_trace_row row = {t, rate};
    return sim_table_append(&r->trace, &row, err);
}

/* The attributes of /runs/NAME: the policy, its settings and every
 * resolved parameter under its INI key (prefixed so that no key can
 * collide with the others). */
static void run_attrs(hid_t g, const sim_policy_cfg *p, const char *params)
{
    sim_h5_attr_str(g, "kind", p->type->name);
    sim_h5_attr_str(g, "policy", p->name);
    sim_h5_attr_str(g, "sweep_params", params ? params : "");
    /* only when set, so that every other file stays as it was */
    if (p->approximate)
        sim_h5_attr_str(g, "approximate",
                        "its manifest or AWS policy has fields the simulator does not model, "
                        "passed over under --lenient");
    char buf[256];
    as_duration_format(p->interval, buf, sizeof buf);
    sim_h5_attr_str(g, "evaluation_interval", buf);
    for (const as_param_def *d = p->type->params; d && d->name; d++) {
        char key[96];
        snprintf(key, sizeof key, "param.%s", d->name);
        as_param_format(d, p->cfg, buf, sizeof buf);
        sim_h5_attr_str(g, key, buf);
    }
    if (p->type->flags & AS_KIND_NEEDS_FORECAST) {
        sim_h5_attr_str(g, "param.forecaster", p->forecaster);
        as_duration_format(p->season, buf, sizeof buf);
        sim_h5_attr_str(g, "param.season", buf);
        sim_h5_attr_str(g, "param.detector", p->detector);
    }
}

/* The node layer's tables: one per node pool under nodes/, and pods. */
static int node_tables(sim_run_writer *w, const sim_scenario *sc, const char *name,
                       size_t records, as_err *err)
{
    const char *file = w->res->partial;
    int rc = sim_table_open(&w->pods, w->group, "pods", file, sim_pod_cols, sizeof(sim_pod_row),
                            records, err);
    snprintf(w->pods.name, sizeof w->pods.name, "/runs/%s/pods", name);
    hid_t ng = sim_h5_group(w->group, "nodes");
    for (int i = 0; rc == AS_OK && i < sc->nnodepools; i++) {
        rc = sim_table_open(&w->nodes[i], ng, sc->nodepools[i].name, file, sim_node_cols,
                            sizeof(sim_node_row), records, err);
        snprintf(w->nodes[i].name, sizeof w->nodes[i].name, "/runs/%s/nodes/%s", name,
                 sc->nodepools[i].name);
    }
    if (ng >= 0)
        H5Gclose(ng);
    return rc;
}

static int run_tables(sim_run_writer *w, const sim_scenario *sc, const char *name, as_err *err)
{
    const char *file = w->res->partial;
    char ds[160];
    size_t records = (size_t)(sc->duration / sc->record) + 1;
    snprintf(ds, sizeof ds, "/runs/%s/timeseries", name);
    int rc = sim_table_open(&w->ts, w->group, "timeseries", file, sim_ts_cols, sizeof(sim_ts_row),
                            records, err);
    snprintf(w->ts.name, sizeof w->ts.name, "%s", ds);
    if (rc == AS_OK) {
        rc = sim_table_open(&w->actions, w->group, "actions", file, sim_action_cols,
                            sizeof(sim_action_row), 0, err);
        snprintf(w->actions.name, sizeof w->actions.name, "/runs/%s/actions", name);
    }
    hid_t tg = sim_h5_group(w->group, "tiers");
    for (int i = 0; rc == AS_OK && i < sc->ntiers; i++) {
        rc = sim_table_open(&w->tiers[i], tg, sc->tiers[i].name, file, sim_tier_cols,
                            sizeof(sim_tier_row), records, err);
        snprintf(w->tiers[i].name, sizeof w->tiers[i].name, "/runs/%s/tiers/%s", name,
                 sc->tiers[i].name);
    }
    if (tg >= 0)
        H5Gclose(tg);
    if (rc == AS_OK && sc->nnodepools > 0)
        rc = node_tables(w, sc, name, records, err);
    return rc;
}

sim_run_writer *sim_results_run_begin(sim_results *r, const sim_scenario *sc, int policy,
                                      const char *name, const char *params, as_err *err)
{
    sim_run_writer *w = calloc(1, sizeof *w);
    if (w == NULL) {
        as_err_set(err, AS_ENOMEM, "out of memory");
        return NULL;
    }
    w->res = r;
    w->ts.ds = w->actions.ds = H5I_INVALID_HID;
    for (int i = 0; i < SIM_MAX_TIERS; i++)
        w->tiers[i].ds = H5I_INVALID_HID;
    for (int i = 0; i < SIM_MAX_NODEPOOLS; i++)
        w->nodes[i].ds = H5I_INVALID_HID;
    w->pods.ds = H5I_INVALID_HID;
    char path[128];
    snprintf(path, sizeof path, "/runs/%s", name);
    w->group = sim_h5_group(r->file, path);
    if (w->group < 0) {
        sim_h5_fail(err, r->partial, "cannot create a run's group");
        free(w);
        return NULL;
    }
    run_attrs(w->group, &sc->policies[policy], params);
    w->ntiers = sc->ntiers;
    w->npools = sc->nnodepools;
    if (run_tables(w, sc, name, err) != AS_OK) {
        sim_results_run_discard(w);
        return NULL;
    }
    return w;
}

int sim_run_row(sim_run_writer *w, const sim_ts_row *row, as_err *err)
{
    return sim_table_append(&w->ts, row, err);
}

int sim_run_tier_row(sim_run_writer *w, int tier, const sim_tier_row *row, as_err *err)
{
    return sim_table_append(&w->tiers[tier], row, err);
}

int sim_run_node_row(sim_run_writer *w, int pool, const sim_node_row *row, as_err *err)
{
    return sim_table_append(&w->nodes[pool], row, err);
}

int sim_run_pod_row(sim_run_writer *w, const sim_pod_row *row, as_err *err)
{
    return sim_table_append(&w->pods, row, err);
}

int sim_run_action(sim_run_writer *w, const sim_action_row *row, as_err *err)
{
    return sim_table_append(&w->actions, row, err);
}

void sim_results_run_discard(sim_run_writer *w)
{
    if (w == NULL)
        return;
    sim_table_close(&w->ts, NULL);
    sim_table_close(&w->actions, NULL);
    for (int i = 0; i < w->ntiers; i++)
        sim_table_close(&w->tiers[i], NULL);
    for (int i = 0; i < w->npools; i++)
        sim_table_close(&w->nodes[i], NULL);
    if (w->npools > 0)
        sim_table_close(&w->pods, NULL);
    if (w->group >= 0)
        H5Gclose(w->group);
    free(w);
}

int sim_results_timing(sim_results *r, const sim_timing_row *timing, as_err *err)
{
    int rc = sim_table_append(&r->timing, timing, err);
    if (rc == AS_OK)
        rc = sim_table_flush(&r->timing, err);
    return rc;
}

int sim_results_run_end(sim_results *r, sim_run_writer *w, const sim_summary_row *sum,
                        as_err *err)
{
    int rc = sim_table_close(&w->ts, err);
    if (rc == AS_OK)
        rc = sim_table_close(&w->actions, err);
    for (int i = 0; rc == AS_OK && i < w->ntiers; i++)
        rc = sim_table_close(&w->tiers[i], err);
    for (int i = 0; rc == AS_OK && i < w->npools; i++)
        rc = sim_table_close(&w->nodes[i], err);
    if (rc == AS_OK && w->npools > 0)
        rc = sim_table_close(&w->pods, err);
    sim_results_run_discard(w); /* what is left after a failure */
    if (rc != AS_OK)
        return rc;
    if ((rc = sim_table_append(&r->summary, sum, err)) ||
        (rc = sim_table_flush(&r->summary, err)) || (rc = sim_table_flush(&r->trace, err)))
        return rc;
    if (H5Fflush(r->file, H5F_SCOPE_GLOBAL) < 0)
        return sim_h5_fail(err, r->partial, "cannot flush");
    return sim_h5_check(err, r->partial, "cannot flush");
}

int sim_results_commit(sim_results *r, const sim_summary_row *rows, int n, as_err *err)
{
    /* the summary rows were appended run by run; rewrite them with the
     * ranking columns that need every run */
    int rc = sim_table_flush(&r->summary, err);
    if (rc == AS_OK && n > 0 && (hsize_t)n == r->summary.written &&
        H5Dwrite(r->summary.ds, r->summary.type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) < 0)
        rc = sim_h5_fail(err, r->partial, "cannot write /summary");
    if (rc == AS_OK)
        rc = sim_table_close(&r->trace, err);
    if (rc == AS_OK)
        rc = sim_table_close(&r->summary, err);
    if (rc == AS_OK)
        rc = sim_table_close(&r->timing, err);
    if (rc != AS_OK) {
        sim_results_abort(r, 1);
        return rc;
    }
    rc = H5Fclose(r->file) < 0 ? sim_h5_fail(err, r->partial, "cannot close")
                               : sim_h5_check(err, r->partial, "cannot close");
    r->file = H5I_INVALID_HID;
    if (rc == AS_OK && rename(r->partial, r->path) != 0)
        rc = as_err_set(err, AS_EIO, "cannot rename %s to %s", r->partial, r->path);
    if (rc != AS_OK) {
        unlink(r->partial);
        sim_h5_forget(r->partial);
    }
    free(r);
    return rc;
}

void sim_results_abort(sim_results *r, int discard)
{
    if (r == NULL)
        return;
    sim_table_close(&r->trace, NULL);
    sim_table_close(&r->summary, NULL);
    sim_table_close(&r->timing, NULL);
    if (r->file >= 0)
        H5Fclose(r->file);
    if (discard) {
        unlink(r->partial);
        sim_h5_forget(r->partial);
    }
    free(r);
}

/* ---- the sink the engine writes through ---- */

static int sink_row(void *ud, const sim_ts_row *row, as_err *err)
{
    return sim_run_row(ud, row, err);
}

static int sink_tier_row(void *ud, int tier, const sim_tier_row *row, as_err *err)
{
    return sim_run_tier_row(ud, tier, row, err);
}

static int sink_node_row(void *ud, int pool, const sim_node_row *row, as_err *err)
{
    return sim_run_node_row(ud, pool, row, err);
}

static int sink_pod_row(void *ud, const sim_pod_row *row, as_err *err)
{
    return sim_run_pod_row(ud, row, err);
}

static int sink_action(void *ud, const sim_action_row *row, as_err *err)
{
    return sim_run_action(ud, row, err);
}

static int sink_trace(void *ud, double t, double rate, as_err *err)
{
    return sim_results_trace(((sim_run_writer *)ud)->res, t, rate, err);
}

/* A figure of the whole run: an attribute of its group. */
static int sink_attr(void *ud, const char *key, double value, as_err *err)
{
    (void)err;
    sim_h5_attr_f64(((sim_run_writer *)ud)->group, key, value);
    return AS_OK;
}

sim_sink sim_results_sink(sim_results *r, sim_run_writer *w)
{
    (void)r;
    return (sim_sink){.ud = w, .row = sink_row, .tier_row = sink_tier_row,
                      .action = sink_action, .trace = sink_trace,
                      .node_row = sink_node_row, .pod_row = sink_pod_row,
                      .attr = sink_attr};
}

int sim_results_run(sim_results *r, const sim_scenario *sc, int policy,
                    const sim_run_opts *opts, sim_summary_row *sum, as_err *err)
{
    const char *name = opts && opts->name ? opts->name : sc->policies[policy].name;
    sim_run_writer *w = sim_results_run_begin(r, sc, policy, name, opts ? opts->params : "", err);
    if (w == NULL)
        return err->code;
    sim_sink sink = sim_results_sink(r, w);
    int rc = sim_run_policy(sc, policy, &sink, opts, sum, err);
    if (rc == AS_OK)
        return sim_results_run_end(r, w, sum, err);
    sim_results_run_discard(w); /* the group stays incomplete in the .partial file */
    return rc;
}
