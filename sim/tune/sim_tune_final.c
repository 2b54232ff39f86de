/* sim_tune_final.c - after the search: the chosen configuration written as
 * its deployable file (sim_emit.h) and a replay scenario that reads it,
 * then read back and run: on the search part, where it must give the
 * chosen run's numbers (the check), and on the held-out part, next to the
 * scenario's own policy and the oracle. Reporting the held-out numbers of
 * the file read back, not of the settings in memory, is what makes the
 * written file trustworthy: anything the format cannot carry shows here. */
#include "sim_tune_int.h"

#include "as_param.h"
#include "sim_results_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The chosen settings as an INI section, for kinds without a file format. */
static int emit_ini(FILE *f, const sim_tune_result *r, const char *sets)
{
    fprintf(f, "; simrun tune: the configuration chosen for [policy.%s]\n[policy.%s]\nkind = %s\n",
            r->policy, r->tuned, r->kind);
    size_t pl = strlen(r->policy) + 8;
    for (const char *p = sets; *p;) {
        const char *sp = strchr(p, ' '), *eq = strchr(p, '=');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        if (eq && eq > p + pl && (size_t)(eq - p) < len)
            fprintf(f, "%.*s = %.*s\n", (int)(eq - p - pl), p + pl, (int)(p + len - eq - 1),
                    eq + 1);
        p += len + (sp != NULL);
    }
    return ferror(f) ? AS_EIO : AS_OK;
}

/* Where rank 0's text goes: the output folder, or a private folder on the
 * other MPI ranks (which read the same files, sent by rank 0). */
static int put(tuner *T, const char *name, char **text, size_t len, char *path, size_t n,
               as_err *err)
{
    int rc = tune_mpi_share(text, err);
    if (rc != AS_OK)
        return rc;
    if (tune_mpi_worker()) {
        if (T->tmpdir[0] == '\0') {
            snprintf(T->tmpdir, sizeof T->tmpdir, "/tmp/simrun-tune-XXXXXX");
            if (mkdtemp(T->tmpdir) == NULL)
                return as_err_set(err, AS_EIO, "cannot create a temporary folder");
        }
        snprintf(path, n, "%s/%s", T->tmpdir, name);
        return tune_write_file(T->tmpdir, name, *text, strlen(*text), err);
    }
    snprintf(path, n, "%s/%s", T->r->outdir, name);
    return tune_write_file(T->r->outdir, name, *text, len, err);
}

/* Keys of the new section: dropped from the copy of the scenario's section
 * (the file carries them, or a new value replaces them) and added back as
 * INI lines when the file does not carry them. */
typedef struct keyset {
    const char *drop[64];
    char extra[64][200];
    const char *extra_p[64];
    int ndrop, nextra;
} keyset;

static void key_value(keyset *K, const sim_policy_cfg *p, const char *key, const char *val,
                      int carried)
{
    if (K->ndrop < 64)
        K->drop[K->ndrop++] = key;
    if (!carried && K->nextra < 64) {
        snprintf(K->extra[K->nextra], sizeof K->extra[0], "%s=%s", key, val);
        K->extra_p[K->nextra] = K->extra[K->nextra];
        K->nextra++;
    }
    (void)p;
}

/* Every "policy.P.KEY=VALUE" of text (space-separated) or of the user's sets. */
static void collect(keyset *K, const tuner *T, const sim_policy_cfg *p, const char *text,
                    char (*keys)[96], int *nkeys)
{
    char pre[80];
    snprintf(pre, sizeof pre, "policy.%s.", p->name);
    size_t pl = strlen(pre);
    for (int s = -1; s < T->o->nsets; s++) {
        const char *p0 = s < 0 ? text : T->o->sets[s];
        for (const char *q = p0; q && *q;) {
            const char *sp = s < 0 ? strchr(q, ' ') : NULL, *eq = strchr(q, '=');
            size_t len = sp ? (size_t)(sp - q) : strlen(q);
            if (strncmp(q, pre, pl) == 0 && eq && (size_t)(eq - q) < len && *nkeys < 64) {
                snprintf(keys[*nkeys], 96, "%.*s", (int)(eq - q - (long)pl), q + pl);
                char val[160];
                snprintf(val, sizeof val, "%.*s", (int)(q + len - eq - 1), eq + 1);
                int carried = T->r->format != SIM_EMIT_NONE && sim_emit_carries(p, keys[*nkeys]);
                int seen = 0;
                for (int i = 0; i < K->ndrop; i++)
                    seen |= strcmp(K->drop[i], keys[*nkeys]) == 0;
                if (!seen)
                    key_value(K, p, keys[(*nkeys)++], val, carried);
            }
            q += len + (sp != NULL);
        }
    }
}

int tune_write_outputs(tuner *T, sim_scenario **chosen, as_err *err)
{
    sim_tune_result *r = T->r;
    const sim_tune_point *best = &r->points[r->best];
    *chosen = tune_load(T, T->o->scenario, best->sets, T->split_set, NULL, err);
    if (*chosen == NULL)
        return err->code;
    const sim_policy_cfg *p = &(*chosen)->policies[T->pol];
    char fname[96], rname[96];
    snprintf(fname, sizeof fname, "%s-tuned.%s", r->kind, sim_emit_ext(r->format));
    snprintf(rname, sizeof rname, "%s-replay.ini", r->kind);
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (m == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    int rc = r->format == SIM_EMIT_HPA   ? sim_emit_hpa(m, *chosen, T->pol, err)
             : r->format == SIM_EMIT_AWS ? sim_emit_aws(m, *chosen, T->pol, err)
                                         : emit_ini(m, r, best->sets);
    fclose(m);
    if (rc == AS_OK)
        rc = put(T, fname, &text, len, r->file, sizeof r->file, err);
    free(text);
    if (rc != AS_OK)
        return rc;
    /* the replay scenario: [policy.P_tuned] reads the file */
    keyset K = {.ndrop = 0};
    char keys[64][96];
    int nkeys = 0;
    K.drop[K.ndrop++] = "manifest";
    K.drop[K.ndrop++] = "aws_policy";
    collect(&K, T, p, best->sets, keys, &nkeys);
    sim_replay_spec spec = {T->pol, r->tuned, r->format, fname, K.drop, K.ndrop,
                            K.extra_p, K.nextra};
    text = NULL;
    if ((m = open_memstream(&text, &len)) == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    rc = sim_emit_replay(m, *chosen, &spec, err);
    fclose(m);
    if (rc == AS_OK)
        rc = put(T, rname, &text, len, r->replay, sizeof r->replay, err);
    free(text);
    return rc;
}

static int index_of(const sim_scenario *sc, const char *name)
{
    for (int i = 0; i < sc->npolicies; i++)
        if (strcmp(sc->policies[i].name, name) == 0)
            return i;
    return -1;
}

/* s without the blanks after a comma: a list key ("pods:4:15s,
 * percent:100:15s") reads the same either way, and the tune writes it
 * without them (its sets are split at blanks). */
static void squeeze(char *s)
{
    char *o = s;
    for (const char *q = s; *q; q++)
        if (!((*q == ' ' || *q == '\t') && o > s && (o[-1] == ',')))
            *o++ = *q;
    *o = '\0';
}

/* The policy read back must be the one the tune ran, key for key. */
static int same_policy(const sim_policy_cfg *a, const sim_policy_cfg *b, const char *file,
                       as_err *err)
{
    for (const as_param_def *d = a->type->params; d && d->name; d++) {
        char x[300], y[300];
        as_param_format(d, a->cfg, x, sizeof x);
        as_param_format(d, b->cfg, y, sizeof y);
        if (d->kind == AS_P_STRING)
            squeeze(x), squeeze(y);
        if (strcmp(x, y) != 0)
            return as_err_set(err, AS_EIO, "%s read back gives %s where the tune ran %s", file,
                              y, x);
    }
    return AS_OK;
}

/* Where the held-out part needs more than the search part ever did: the
 * oracle sizes to the load itself, so its instances above its search-part
 * peak mark a load the search never saw (read from KIND-heldout.h5; rank 0
 * only). Nothing is set when the file cannot be read: the peak line still
 * says that there is such a load, only not where. */
static void locate_unseen(tuner *T)
{
    sim_tune_result *r = T->r;
    if (!r->has_oracle || tune_mpi_worker() ||
        !(r->h_oracle.peak_instances > r->oracle.peak_instances))
        return;
    char path[1200];
    snprintf(path, sizeof path, "%s/%s-heldout.h5", r->outdir, r->kind);
    as_err e = {0};
    sim_reader *rd = sim_reader_open(path, &e);
    sim_ts_row *ts = NULL;
    size_t n = 0;
    if (rd == NULL ||
        sim_reader_timeseries(rd, T->base->policies[T->oracle].name, &ts, &n, &e) != AS_OK)
        n = 0;
    double rec = as_time_to_s(T->base->record), from = r->draw ? 0 : r->split_s;
    for (size_t i = 0; i < n; i++) {
        if (!(ts[i].ready + ts[i].booting > r->oracle.peak_instances))
            continue;
        if (r->unseen_to <= 0) /* t ends the interval: the load began in it */
            r->unseen_from = from + ts[i].t - rec;
        r->unseen_to = from + ts[i].t;
    }
    free(ts);
    sim_reader_close(rd);
}

int tune_replay(tuner *T, const sim_scenario *chosen, as_err *err)
{
    sim_tune_result *r = T->r;
    sim_scenario *rs = tune_load(T, r->replay, NULL, T->split_set, NULL, err), *rh = NULL;
    if (rs == NULL)
        return as_err_prefix(err, "the replay scenario: ");
    int tuned = index_of(rs, r->tuned), dflt = index_of(rs, r->policy), rc = AS_OK;
    int orc = r->has_oracle ? index_of(rs, chosen->policies[T->oracle].name) : -1;
    if (tuned < 0 || dflt < 0)
        rc = as_err_set(err, AS_EIO, "%s: [policy.%s] missing", r->replay, r->tuned);
    if (rc == AS_OK)
        rc = same_policy(&chosen->policies[T->pol], &rs->policies[tuned], r->file, err);
    sim_runspec runs[3];
    sim_summary_row rows[3];
    sim_plan plan = {.n = 1, .runs = runs};
    char name[64];
    memset(runs, 0, sizeof runs);
    if (rc == AS_OK) {
        /* the chosen settings in the plan: a resumed tune whose choice
         * changed (another rule, another --split) runs the check again */
        runs[0] = (sim_runspec){.sc = rs, .policy = tuned, .seed = rs->seed};
        snprintf(runs[0].name, sizeof runs[0].name, "%s", r->tuned);
        snprintf(runs[0].params, sizeof runs[0].params, "%s", r->points[r->best].sets);
        snprintf(name, sizeof name, "%s-check", r->kind);
        rc = tune_batch(T->o, r->outdir, name, rs, &plan, "check", rows, err);
    }
    if (rc == AS_OK) {
        r->check = rows[0];
        r->reproduced = sim_tune_same_row(&rows[0], &r->points[r->best].row);
        rh = tune_load(T, r->replay, NULL, T->held_at, T->held_dur, err);
        if (rh == NULL)
            rc = as_err_prefix(err, "the replay scenario (held-out part): ");
    }
    if (rc == AS_OK) {
        int idx[3] = {dflt, tuned, orc};
        plan.n = 0;
        for (int i = 0; i < 3; i++)
            if (idx[i] >= 0) {
                runs[plan.n] = (sim_runspec){.sc = rh, .policy = idx[i], .seed = rh->seed};
                snprintf(runs[plan.n].name, sizeof runs[0].name, "%s", rh->policies[idx[i]].name);
                if (i == 1)
                    snprintf(runs[plan.n].params, sizeof runs[0].params, "%s",
                             r->points[r->best].sets);
                plan.n++;
            }
        snprintf(name, sizeof name, "%s-heldout", r->kind);
        rc = tune_batch(T->o, r->outdir, name, rh, &plan, "held-out", rows, err);
    }
    if (rc == AS_OK) {
        r->h_dflt = rows[0];
        r->h_best = rows[1];
        if (orc >= 0)
            r->h_oracle = rows[2];
        locate_unseen(T);
    }
    sim_scenario_free(rs);
    sim_scenario_free(rh);
    if (T->tmpdir[0]) {
        char p[200];
        snprintf(p, sizeof p, "%s/%s-tuned.%s", T->tmpdir, r->kind, sim_emit_ext(r->format));
        unlink(p);
        unlink(r->replay);
        rmdir(T->tmpdir);
    }
    return rc;
}
