/* sim_tune_out.c - a tune's result as CSV and JSON, and the files of them
 * in the output folder. Every key searched is a column named in full
 * (policy.hpa.target), as in sweeps. */
#include "sim_tune_int.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void csv_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, ",%.10g", v);
    else
        fputs(",", f);
}

void sim_tune_csv(FILE *f, const sim_tune_result *r, int frontier_only)
{
    fputs("run,rung", f);
    for (int i = 0; i < r->ndim; i++)
        fprintf(f, ",%s%s", r->dim[i].name, r->dim[i].type == SIM_TUNE_DUR ? "_s" : "");
    fputs(",cost_total,cost_infra,cost_penalty,slo_violation_s,p95_s,p99_s,mean_instances,"
          "meets_slo,frontier,chosen\n", f);
    for (int k = 0; k < r->npoints; k++) {
        const sim_tune_point *p = &r->points[k];
        if (frontier_only && !p->frontier)
            continue;
        fprintf(f, "%s,%d", p->name, p->rung);
        for (int i = 0; i < r->ndim; i++)
            csv_num(f, p->x[i]);
        const sim_summary_row *s = &p->row;
        double v[] = {s->cost_total, s->cost_infra, s->cost_penalty, s->slo_violation_s,
                      s->p95, s->p99, s->mean_instances};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            csv_num(f, v[i]);
        fprintf(f, ",%d,%d,%d\n", sim_tune_meets(s), p->frontier, k == r->best);
    }
}

static json_t *jnum(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *jrow(const sim_summary_row *s)
{
    json_t *o = json_object();
    json_object_set_new(o, "run", json_string(s->run));
    json_object_set_new(o, "cost_total", jnum(s->cost_total));
    json_object_set_new(o, "cost_infra", jnum(s->cost_infra));
    json_object_set_new(o, "cost_penalty", jnum(s->cost_penalty));
    json_object_set_new(o, "slo_violation_s", jnum(s->slo_violation_s));
    json_object_set_new(o, "p95_s", jnum(s->p95));
    json_object_set_new(o, "p99_s", jnum(s->p99));
    json_object_set_new(o, "mean_instances", jnum(s->mean_instances));
    json_object_set_new(o, "meets_slo", json_boolean(sim_tune_meets(s)));
    return o;
}

static json_t *jpoint(const sim_tune_result *r, int k)
{
    const sim_tune_point *p = &r->points[k];
    json_t *o = jrow(&p->row), *params = json_object();
    json_object_set_new(o, "run", json_string(p->name));
    json_object_set_new(o, "rung", json_integer(p->rung));
    for (int i = 0; i < r->ndim; i++)
        json_object_set_new(params, r->dim[i].name, jnum(p->x[i]));
    json_object_set_new(o, "params", params);
    json_object_set_new(o, "frontier", json_boolean(p->frontier));
    return o;
}

int sim_tune_json(FILE *f, const sim_tune_result *r, as_err *err)
{
    json_t *o = json_object(), *keys = json_array(), *pts = json_array();
    json_object_set_new(o, "kind", json_string(r->kind));
    json_object_set_new(o, "policy", json_string(r->policy));
    json_object_set_new(o, "search_s", json_real(r->split_s));
    json_object_set_new(o, "end_s", json_real(r->end_s));
    json_object_set_new(o, "heldout_by", json_string(r->draw ? "draw" : "time"));
    json_object_set_new(o, "seed", json_integer((json_int_t)r->seed));
    json_object_set_new(o, "heldout_seed", json_integer((json_int_t)r->held_seed));
    json_object_set_new(o, "runs", json_integer(r->runs));
    json_object_set_new(o, "rungs", json_integer(r->rungs));
    json_object_set_new(o, "grid_runs", json_real(r->grid));
    for (int i = 0; i < r->ndim; i++) {
        const sim_tune_dim *d = &r->dim[i];
        json_array_append_new(keys, json_pack("{s:s, s:f, s:f, s:f, s:f}", "name", d->name,
                                              "lo", d->lo, "hi", d->hi, "step", d->step,
                                              "default", r->dflt_x[i]));
    }
    json_object_set_new(o, "keys", keys);
    for (int k = 0; k < r->npoints; k++)
        json_array_append_new(pts, jpoint(r, k));
    json_object_set_new(o, "points", pts);
    if (r->best >= 0)
        json_object_set_new(o, "chosen", jpoint(r, r->best));
    json_object_set_new(o, "meets_slo", json_boolean(r->meets));
    json_object_set_new(o, "default", jrow(&r->dflt));
    if (r->has_oracle)
        json_object_set_new(o, "oracle", jrow(&r->oracle));
    json_object_set_new(o, "check", jrow(&r->check));
    json_object_set_new(o, "reproduced", json_boolean(r->reproduced));
    json_t *h = json_object();
    json_object_set_new(h, "default", jrow(&r->h_dflt));
    json_object_set_new(h, "tuned", jrow(&r->h_best));
    if (r->has_oracle)
        json_object_set_new(h, "oracle", jrow(&r->h_oracle));
    if (r->unseen_to > 0) { /* a held-out load the search never saw, s from the start */
        json_object_set_new(h, "unseen_from_s", json_real(r->unseen_from));
        json_object_set_new(h, "unseen_to_s", json_real(r->unseen_to));
    }
    json_object_set_new(o, "heldout", h);
    json_object_set_new(o, "file", json_string(r->file));
    json_object_set_new(o, "replay", json_string(r->replay));
    int rc = json_dumpf(o, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 ? AS_OK : AS_EIO;
    fputc('\n', f);
    json_decref(o);
    return rc == AS_OK ? AS_OK : as_err_set(err, AS_EIO, "JSON: write failed");
}

/* One file of the output folder, written through memory. */
static int save(const sim_tune_result *r, const char *suffix, int what, as_err *err)
{
    char name[96], *text = NULL;
    size_t len = 0;
    snprintf(name, sizeof name, "%s-%s", r->kind, suffix);
    FILE *m = open_memstream(&text, &len);
    if (m == NULL)
        return as_err_set(err, AS_ENOMEM, "out of memory");
    int rc = AS_OK;
    if (what == 2)
        rc = sim_tune_json(m, r, err);
    else
        sim_tune_csv(m, r, what);
    fclose(m);
    if (rc == AS_OK)
        rc = tune_write_file(r->outdir, name, text, len, err);
    free(text);
    return rc;
}

int sim_tune_save(const sim_tune_result *r, as_err *err)
{
    if (tune_mpi_worker() || r->npoints == 0)
        return AS_OK;
    int rc = save(r, "points.csv", 0, err);
    if (rc == AS_OK)
        rc = save(r, "frontier.csv", 1, err);
    if (rc == AS_OK)
        rc = save(r, "tune.json", 2, err);
    return rc;
}
