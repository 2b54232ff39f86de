/* sim_tune.c - a tune from start to end (sim_tune.h): the scenario and its
 * policy of the kind, the split, the rungs of the search as batches, then
 * the chosen configuration written (sim/config's writers), read back
 * through the replay scenario and run on the search part (it must give
 * the chosen run's numbers) and on the held-out part, next to the
 * scenario's own policy and the oracle. */
#include "sim_tune_int.h"

#include "as_param.h"
#include "as_policy.h"
#include "sim_summary.h"
#include "tr_trace.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Load the scenario at path with the user's sets, then extra (space-
 * separated --set lines, may be NULL), then more (may be NULL or ""). */
sim_scenario *tune_load(tuner *T, const char *path, const char *extra, const char *more1,
                          const char *more2, as_err *err)
{
    int n = 0;
    for (int i = 0; i < T->o->nsets; i++)
        T->ov[n++] = T->o->sets[i];
    const char *more[2] = {more1, more2};
    for (int i = 0; i < 2; i++)
        if (more[i] && more[i][0])
            T->ov[n++] = more[i];
    int k = 0;
    for (const char *p = extra; p && *p && k < (int)(sizeof T->ovtext / sizeof T->ovtext[0]);) {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        snprintf(T->ovtext[k], sizeof T->ovtext[k], "%.*s", (int)len, p);
        T->ov[n++] = T->ovtext[k++];
        p += len + (sp != NULL);
    }
    return sim_scenario_load(path, T->ov, n, err);
}

/* How the held-out part is made (SIM_TUNE_HELDOUT_*). A replayed file is
 * one draw of its traffic: only its future was not seen. A generated
 * trace is the user's description of the traffic, events at their times
 * included: split in time, the search never sees what the description
 * puts after the split (spike.ini's crowd at 38 h of 48), and a choice on
 * it cannot be confirmed by any split of one draw. A new draw of the same
 * description holds every event with other noise: what the search chose
 * on one draw must hold on another. Without a random part (no noise, no
 * on/off, the analytic model) another seed gives the same run: no test. */
static int heldout_mode(const sim_tune_opts *o, const sim_scenario *b, int *mode, as_err *err)
{
    int random = tr_config_random(b->trace) ||
                 (b->model == SIM_MODEL_DES && tr_config_generated(b->trace));
    if (o->heldout == SIM_TUNE_HELDOUT_DRAW && o->split > 0)
        return as_err_set(err, AS_EINVAL, "--split %g: a held-out draw is searched whole; "
                          "--split goes with --heldout time", o->split);
    if (o->heldout == SIM_TUNE_HELDOUT_DRAW && !random)
        return as_err_set(err, AS_EINVAL, "--heldout draw: %s %s: another seed gives the same "
                          "traffic; use --heldout time", o->scenario,
                          tr_config_generated(b->trace)
                              ? "generates its trace with no random part (no noise, no onoff, "
                                "the analytic model)"
                              : "replays a file");
    *mode = o->heldout;
    if (o->heldout == SIM_TUNE_HELDOUT_AUTO)
        *mode = random && !(o->split > 0) ? SIM_TUNE_HELDOUT_DRAW : SIM_TUNE_HELDOUT_TIME;
    return AS_OK;
}

/* The search part and the held-out part: a split in time, or the whole
 * run under the scenario's seed and under the next one (a draw). */
static int parts(tuner *T, as_err *err)
{
    const sim_tune_opts *o = T->o;
    const sim_scenario *b = T->base;
    sim_tune_result *r = T->r;
    int mode = SIM_TUNE_HELDOUT_TIME, rc = heldout_mode(o, b, &mode, err);
    if (rc != AS_OK)
        return rc;
    r->seed = b->seed;
    r->end_s = as_time_to_s(b->duration);
    if (mode == SIM_TUNE_HELDOUT_DRAW) {
        r->draw = 1;
        r->held_seed = b->seed + 1;
        r->split_s = r->end_s;
        T->split_set[0] = T->held_dur[0] = '\0';
        snprintf(T->held_at, sizeof T->held_at, "scenario.seed=%" PRIu64, r->held_seed);
        return AS_OK;
    }
    double share = o->split > 0 ? o->split : 0.75;
    /* the held-out part starts on a record boundary, so its rows line up */
    as_time split = (as_time)floor((double)b->duration * share / (double)b->record) * b->record;
    if (split <= 0 || split >= b->duration)
        return as_err_set(err, AS_EINVAL, "--split %g of %s leaves no search or no held-out "
                          "part (record interval %gs)", share, o->scenario,
                          as_time_to_s(b->record));
    char d1[32], d2[32];
    as_duration_format(split, d1, sizeof d1);
    as_duration_format(b->duration - split, d2, sizeof d2);
    snprintf(T->split_set, sizeof T->split_set, "scenario.duration=%s", d1);
    snprintf(T->held_dur, sizeof T->held_dur, "scenario.duration=%s", d2);
    snprintf(T->held_at, sizeof T->held_at, "trace.skip=%s", d1);
    r->split_s = as_time_to_s(split);
    r->held_seed = b->seed;
    return AS_OK;
}

/* The scenario's policy of the kind, the oracle, the parts. */
static int setup(tuner *T, as_err *err)
{
    const sim_tune_opts *o = T->o;
    sim_tune_result *r = T->r;
    if (o->split != 0 && !(o->split > 0 && o->split < 1))
        return as_err_set(err, AS_EINVAL, "--split %g: the share searched must be between 0 "
                          "and 1 (e.g. 0.75)", o->split);
    if ((T->base = tune_load(T, o->scenario, NULL, NULL, NULL, err)) == NULL)
        return err->code;
    const sim_scenario *b = T->base;
    T->pol = T->oracle = -1;
    for (int p = 0; p < b->npolicies; p++) {
        if (T->pol < 0 && strcmp(b->policies[p].type->name, o->kind) == 0)
            T->pol = p;
        if (T->oracle < 0 && (b->policies[p].type->flags & AS_KIND_SEES_FUTURE))
            T->oracle = p;
    }
    if (T->pol < 0)
        return as_err_set(err, AS_EINVAL, "%s has no [policy.NAME] of kind %s: add one (kind = "
                          "%s; its keys are the starting point and the default compared "
                          "with)", o->scenario, o->kind, o->kind);
    const sim_policy_cfg *p = &b->policies[T->pol];
    snprintf(r->kind, sizeof r->kind, "%s", o->kind);
    snprintf(r->policy, sizeof r->policy, "%s", p->name);
    snprintf(r->tuned, sizeof r->tuned, "%.24s_tuned", p->name);
    r->has_oracle = T->oracle >= 0;
    r->format = sim_emit_format_of(p);
    r->slo_latency = b->slo_latency;
    r->slo_percentile = b->slo_percentile;
    sim_slo_info slo;
    sim_slo_info_of(b, &slo);
    sim_slo_describe(&slo, r->slo_text, sizeof r->slo_text);
    int rc = tune_space_init(r, p, o, err);
    if (rc == AS_OK)
        rc = parts(T, err);
    if (rc != AS_OK)
        return rc;
    T->search = tune_load(T, o->scenario, NULL, T->split_set, NULL, err);
    return T->search ? AS_OK : err->code;
}

static int known(const sim_tune_result *r, const char *sets, int upto)
{
    for (int i = 0; i < upto; i++)
        if (strcmp(r->points[i].sets, sets) == 0)
            return 1;
    return 0;
}

/* Add run rs of policy p of sc, named name, with settings params. */
static void add_run(sim_plan *plan, const sim_scenario *sc, int p, const char *name,
                    const char *params)
{
    sim_runspec *rs = &plan->runs[plan->n++];
    rs->sc = sc;
    rs->policy = p;
    rs->seed = sc->seed;
    snprintf(rs->name, sizeof rs->name, "%s", name);
    snprintf(rs->params, sizeof rs->params, "%s", params);
}

/* Rung k: plan the new points (appended to r->points) and run them. */
static int rung(tuner *T, int k, int nrungs, double *u, int nu, as_err *err)
{
    sim_tune_result *r = T->r;
    sim_plan plan = {0};
    int first = r->npoints, extra = k == 0 ? 1 + r->has_oracle : 0, rc = AS_OK;
    sim_tune_point *pts = realloc(r->points, sizeof *pts * (size_t)(r->npoints + nu));
    plan.runs = calloc((size_t)(nu + extra), sizeof *plan.runs);
    plan.scen = calloc((size_t)nu, sizeof *plan.scen);
    if (pts) r->points = pts;
    if (pts == NULL || plan.runs == NULL || plan.scen == NULL) {
        free(plan.runs);
        free(plan.scen);
        return as_err_set(err, AS_ENOMEM, "out of memory");
    }
    if (k == 0) { /* the scenario's own policy and the oracle, as they are */
        add_run(&plan, T->search, T->pol, r->policy, "");
        if (r->has_oracle)
            add_run(&plan, T->search, T->oracle, T->search->policies[T->oracle].name, "");
    }
    for (int i = 0; i < nu && rc == AS_OK; i++) {
        sim_tune_point *pt = &r->points[r->npoints];
        memset(pt, 0, sizeof *pt);
        tune_render(r, u + (size_t)i * SIM_TUNE_MAXDIM, pt->x, pt->sets, sizeof pt->sets);
        if (known(r, pt->sets, r->npoints))
            continue; /* the resolution made it a point already run */
        as_err e = {0};
        sim_scenario *sc = tune_load(T, T->o->scenario, pt->sets, T->split_set, NULL, &e);
        if (sc == NULL) {
            if (e.code != AS_EINVAL)
                rc = as_err_set(err, e.code, "%s", e.msg);
            continue; /* a point the kind refuses (keys out of order) is no candidate */
        }
        plan.scen[plan.nscen++] = sc;
        snprintf(pt->name, sizeof pt->name, "%.20s.c%03d", r->policy, r->npoints);
        pt->rung = k;
        add_run(&plan, sc, T->pol, pt->name, pt->sets);
        r->npoints++;
    }
    sim_summary_row *rows = calloc((size_t)plan.n + 1, sizeof *rows);
    char name[64], stage[96];
    snprintf(name, sizeof name, "%s-r%d", r->kind, k);
    snprintf(stage, sizeof stage, "%s rung %d/%d", r->kind, k + 1, nrungs);
    if (rows == NULL)
        rc = as_err_set(err, AS_ENOMEM, "out of memory");
    if (rc == AS_OK && plan.n > 0)
        rc = tune_batch(T->o, r->outdir, name, T->search, &plan, stage, rows, err);
    if (rc == AS_OK && k == 0) {
        r->dflt = rows[0];
        if (r->has_oracle)
            r->oracle = rows[1];
    }
    for (int i = first; rc == AS_OK && i < r->npoints; i++)
        r->points[i].row = rows[extra + i - first];
    if (rc == AS_OK && plan.n > 0) {
        size_t l = strlen(r->search_files);
        snprintf(r->search_files + l, sizeof r->search_files - l, "%s%s.h5", l ? " " : "", name);
    }
    r->runs += plan.n;
    free(rows);
    sim_plan_free(&plan);
    return rc;
}

static int search(tuner *T, as_err *err)
{
    sim_tune_result *r = T->r;
    int nrungs = tune_rung_count(r, T->o), rc = AS_OK;
    size_t cap = 1024;
    double *u = malloc(sizeof *u * SIM_TUNE_MAXDIM * cap);
    if (u == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    for (int k = 0; k < nrungs && rc == AS_OK; k++) {
        int nu = tune_candidates(r, T->o, k, u, (int)cap);
        if (nu < 0)
            rc = as_err_set(err, AS_ENOMEM, "out of memory");
        else if (nu > 0)
            rc = rung(T, k, nrungs, u, nu, err);
        r->rungs = k + 1;
    }
    free(u);
    if (rc == AS_OK && r->npoints == 0)
        rc = as_err_set(err, AS_EINVAL, "no configuration of the space could be loaded");
    if (rc != AS_OK)
        return rc;
    r->best = tune_best(r);
    r->meets = sim_tune_score_of(&r->points[r->best].row).meets;
    sim_tune_frontier(r);
    return AS_OK;
}

int sim_tune_run(const sim_tune_opts *o, sim_tune_result *r, as_err *err)
{
    memset(r, 0, sizeof *r);
    r->best = -1;
    int rc = sim_tune_kind_check(o->kind, err);
    if (rc != AS_OK)
        return rc;
    tuner T = {.o = o, .r = r};
    T.ov = calloc((size_t)o->nsets + 64, sizeof *T.ov);
    if (T.ov == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    snprintf(r->outdir, sizeof r->outdir, "%s", o->outdir);
    sim_scenario *chosen = NULL;
    rc = setup(&T, err);
    if (rc == AS_OK && !tune_mpi_worker())
        rc = tune_outdir(o->outdir, o->force, err);
    if (rc == AS_OK)
        rc = search(&T, err);
    if (rc == AS_OK)
        rc = tune_write_outputs(&T, &chosen, err);
    if (rc == AS_OK)
        rc = tune_replay(&T, chosen, err);
    sim_scenario_free(chosen);
    sim_scenario_free(T.search);
    sim_scenario_free(T.base);
    free(T.ov);
    return rc;
}

void sim_tune_result_free(sim_tune_result *r)
{
    if (r == NULL)
        return;
    free(r->points);
    r->points = NULL;
    r->npoints = 0;
}
