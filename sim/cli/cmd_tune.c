/* cmd_tune.c - `simrun tune SCENARIO.ini --kind hpa [--kind target ...]`:
 * the cheapest configuration of a policy kind that meets the scenario's
 * SLO, searched on the first part of the trace and checked on the rest.
 * This file parses options and prints; the search is sim/tune's, the
 * figure plots/plot_tune's. */
#include "as_name.h"
#include "as_param.h"
#include "cli_text.h"
#include "cmd.h"
#include "plot_tune.h"
#include "sim_results.h"
#include "sim_scenario.h"
#include "sim_summary.h"
#include "sim_tune.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fputs("usage: simrun tune SCENARIO.ini --kind KIND [--kind KIND ...] [options]\n"
          "\n"
          "Searches the keys of a policy kind (hpa, target, step, predictive,\n"
          "aws_predictive) for the cheapest configuration that meets the scenario's\n"
          "SLO. The scenario's first [policy.NAME] of that kind is the starting point\n"
          "and the default it is compared with. The chosen configuration, written as\n"
          "a file you can deploy and read back through a replay scenario, is then run\n"
          "on a held-out part the search never saw, next to the default and the\n"
          "oracle. A replayed trace is split in time: the search runs on its first\n"
          "part (--split), the held-out part is the rest. A generated trace with a\n"
          "random part (noise, onoff, the des model) is searched whole and held out\n"
          "as a new draw: the same events, the whole run, under the next seed.\n"
          "\n"
          "options:\n"
          "  --kind KIND              policy kind to tune (repeatable)\n"
          "  --heldout time|draw      how the held-out part is made: the rest of the\n"
          "                           trace after --split, or a new draw (the default\n"
          "                           for a generated trace with a random part)\n"
          "  --split F                share of the duration searched (default 0.75;\n"
          "                           implies --heldout time)\n"
          "  --param NAME=LO:HI[:STEP] change the range of a key or add one, e.g.\n"
          "                           --param policy.hpa.target=0.5:0.9:0.01; for hpa,\n"
          "                           --param policy.hpa.rps=20:80 searches a Pods\n"
          "                           requests-per-second metric instead of the CPU\n"
          "                           target (needs a custom metrics adapter)\n"
          "  --set SECTION.KEY=VALUE  override a scenario key for every run (repeatable)\n"
          "  -o DIR                   output folder (default results/<scenario>-tune)\n"
          "  -j N                     runs at once, each in a worker process (default:\n"
          "                           the number of cores)\n"
          "  --n0 N                   configurations of the first design (default 64;\n"
          "                           32 with one or two keys)\n"
          "  --rungs N                at most N halving rungs after the first\n"
          "  --format text|csv|json   how the frontier and the verdict are printed\n"
          "  --no-plot                do not draw the frontier figure\n"
          "  --fresh                  do not resume: run everything again\n"
          "  --force                  write into a folder simrun tune did not make\n"
          "  -q, --quiet              no progress line\n"
          "  -h, --help               this text\n"
          "\n"
          "Writes into DIR: KIND-tuned.yaml (an autoscaling/v2 HPA manifest) or\n"
          "KIND-tuned.json (an AWS policy) or KIND-tuned.ini (the INI section, for kinds\n"
          "with no such file), KIND-replay.ini (the scenario plus [policy.P_tuned]\n"
          "reading that file), KIND-r*.h5 (every run of the search), KIND-check.h5,\n"
          "KIND-heldout.h5, KIND-frontier.csv, KIND-points.csv, KIND-tune.json and\n"
          "KIND-figures/frontier.png. Interrupted, the same command resumes.\n"
          "exit status: 0 done, 1 no configuration meets the SLO (the closest is\n"
          "printed and written) or another failure, 2 bad input, 130 interrupted\n",
          f);
}

typedef struct tune_args {
    const char *scen, *out;
    const char **sets, **kinds, **params;
    int nsets, nkinds, nparams, fresh, force, quiet, plot, format;
    long jobs, n0, rungs;
    double split;
    int heldout;
} tune_args;

static int whole(const char *opt, const char *v, long *out)
{
    if (as_parse_int(v, out, NULL) != AS_OK || *out < 1) {
        fprintf(stderr, "simrun tune: %s: '%s' is not a whole number >= 1\n", opt, v);
        return 2;
    }
    return 0;
}

static int value_opt(tune_args *a, const char *o, const char *v)
{
    if (strcmp(o, "-o") == 0)
        a->out = v;
    else if (strcmp(o, "--set") == 0)
        a->sets[a->nsets++] = v;
    else if (strcmp(o, "--kind") == 0)
        a->kinds[a->nkinds++] = v;
    else if (strcmp(o, "--param") == 0)
        a->params[a->nparams++] = v;
    else if (strcmp(o, "-j") == 0)
        return whole(o, v, &a->jobs) ? -1 : 1;
    else if (strcmp(o, "--n0") == 0)
        return whole(o, v, &a->n0) ? -1 : 1;
    else if (strcmp(o, "--rungs") == 0)
        return whole(o, v, &a->rungs) ? -1 : 1;
    else if (strcmp(o, "--split") == 0) {
        if (as_parse_double(v, &a->split, NULL) != AS_OK || !(a->split > 0 && a->split < 1)) {
            fprintf(stderr, "simrun tune: --split: '%s' is not a share between 0 and 1 (e.g. "
                    "0.75 or 75%%)\n", v);
            return -1;
        }
    } else if (strcmp(o, "--heldout") == 0) {
        static const char *const names[] = {"auto", "time", "draw", NULL};
        if (as_parse_enum(v, names, &a->heldout, NULL) != AS_OK) {
            fprintf(stderr, "simrun tune: --heldout: '%s' is not time or draw\n", v);
            return -1;
        }
    } else if (strcmp(o, "--format") == 0) {
        static const char *const names[] = {"text", "csv", "json", NULL};
        int k;
        if (as_parse_enum(v, names, &k, NULL) != AS_OK) {
            fprintf(stderr, "simrun tune: --format: '%s' is not text, csv or json\n", v);
            return -1;
        }
        a->format = k == 0 ? SIM_FMT_TEXT : k == 1 ? SIM_FMT_CSV : SIM_FMT_JSON;
    } else
        return 0;
    return 1;
}

static int flag_opt(tune_args *a, const char *o)
{
    if (strcmp(o, "--fresh") == 0)
        a->fresh = 1;
    else if (strcmp(o, "--force") == 0)
        a->force = 1;
    else if (strcmp(o, "--no-plot") == 0)
        a->plot = 0;
    else if (strcmp(o, "-q") == 0 || strcmp(o, "--quiet") == 0)
        a->quiet = 1;
    else
        return 0;
    return 1;
}

static int parse_args(tune_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        int k = i + 1 < argc ? value_opt(a, o, argv[i + 1]) : 0;
        if (k < 0)
            return 2;
        if (k > 0) {
            i++;
            continue;
        }
        if (flag_opt(a, o))
            continue;
        if (strncmp(o, "-j", 2) == 0 && o[2] != '\0') { /* -j2, as simrun run takes it */
            if (value_opt(a, "-j", o + 2) < 0)
                return 2;
            continue;
        }
        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (o[0] == '-' || a->scen != NULL) {
            fprintf(stderr, "simrun tune: %s '%s' (see simrun tune --help)\n",
                    o[0] == '-' ? "unknown or incomplete option" : "one scenario at a time, not",
                    o);
            return 2;
        }
        a->scen = o;
    }
    if (a->scen == NULL || a->nkinds == 0) {
        fprintf(stderr, "simrun tune: %s\n", a->scen ? "--kind KIND is required (hpa, target, "
                "step, predictive or aws_predictive)" : "a scenario is required (see simrun tune --help)");
        return 2;
    }
    as_err err = {0};
    for (int i = 0; i < a->nkinds; i++)
        if (sim_tune_kind_check(a->kinds[i], &err) != AS_OK) {
            fprintf(stderr, "simrun tune: %s\n", err.msg);
            return 2;
        }
    return -1;
}

/* ---- printing ---- */

static const char *lat(double s, char *b, size_t n)
{
    if (!isfinite(s))
        snprintf(b, n, "-");
    else if (s < 1)
        snprintf(b, n, "%.1f ms", s * 1000);
    else if (s < 600)
        snprintf(b, n, "%.1f s", s);
    else
        snprintf(b, n, "%.1f min", s / 60);
    return b;
}

static void dur(double s, char *b, size_t n)
{
    as_duration_format((as_time)llround(s * 1e6), b, n);
}

/* One line of the comparison: a row on the search part and on the held-out part. */
static void row_line(const char *what, const sim_summary_row *s, const sim_summary_row *h)
{
    char a[32], b[32];
    printf("%-22s %9.2f %9.2f %8.0fs %10s %-6s | %9.2f %9.2f %8.0fs %10s %-6s\n", what,
           s->cost_total, s->cost_infra, s->slo_violation_s, lat(s->p95, a, sizeof a),
           sim_tune_meets(s) ? "meets" : "misses", h->cost_total, h->cost_infra, h->slo_violation_s,
           lat(h->p95, b, sizeof b), sim_tune_meets(h) ? "meets" : "misses");
}

static void print_points(const sim_tune_result *r, int frontier_only)
{
    printf("%-16s", "run");
    for (int i = 0; i < r->ndim; i++)
        printf(" %*s", (int)strlen(r->dim[i].name) > 10 ? (int)strlen(r->dim[i].name) : 10,
               r->dim[i].name);
    printf(" %9s %9s %9s %10s %s\n", "infra", "total", "SLO viol", "p95", "verdict");
    for (int k = 0; k < r->npoints; k++) {
        const sim_tune_point *p = &r->points[k];
        if (frontier_only && !p->frontier)
            continue;
        char b[32];
        printf("%-16s", p->name);
        for (int i = 0; i < r->ndim; i++) {
            int w = (int)strlen(r->dim[i].name) > 10 ? (int)strlen(r->dim[i].name) : 10;
            if (r->dim[i].type == SIM_TUNE_DUR)
                printf(" %*.0fs", w - 1, p->x[i]);
            else
                printf(" %*.10g", w, p->x[i]);
        }
        printf(" %9.2f %9.2f %8.0fs %10s %s%s\n", p->row.cost_infra, p->row.cost_total,
               p->row.slo_violation_s, lat(p->row.p95, b, sizeof b),
               sim_tune_meets(&p->row) ? "meets" : "misses", k == r->best ? "  <- chosen" : "");
    }
}

/* What to do about a held-out load the search never saw: where it is, and
 * the split that would show it to the search. Such a split leaves a
 * held-out part without it, which can then confirm the price of the calm
 * hours only: the line says so rather than promise a validation no split
 * of one trace can give. */
static void print_unseen(const sim_tune_result *r)
{
    if (!(r->unseen_to > 0))
        return;
    if (r->draw) { /* both parts hold every event: the draw's noise went higher */
        printf("  it is at %.1f h to %.1f h of the new draw\n", r->unseen_from / 3600,
               r->unseen_to / 3600);
        return;
    }
    /* hours from the trace's start, as a scenario's spike = line gives them */
    double a = r->unseen_from / 3600, b = r->unseen_to / 3600;
    double f = ceil(r->unseen_to / r->end_s * 100) / 100;
    if (f < 0.99)
        printf("  it is at %.1f h to %.1f h: --split %.2f would let the search size for it; "
               "the held-out part after it then tests calm hours only, so to confirm a choice "
               "on such a load the trace must hold it twice\n", a, b, f);
    else
        printf("  it is at %.1f h to %.1f h, at the trace's end: no split shows it to the "
               "search and leaves a held-out part after it; the trace must hold it twice\n",
               a, b);
}

static void print_text(const sim_tune_result *r, const char *scen)
{
    char a[32], b[32];
    dur(r->split_s, a, sizeof a);
    dur(r->end_s, b, sizeof b);
    if (r->draw)
        printf("\ntune %s, kind %s ([policy.%s]): search on [0, %s) under seed %" PRIu64
               ", held out: a new draw of the generated trace, [0, %s) under seed %" PRIu64 "\n",
               scen, r->kind, r->policy, b, r->seed, b, r->held_seed);
    else
        printf("\ntune %s, kind %s ([policy.%s]): search on [0, %s), held out [%s, %s)\n", scen,
               r->kind, r->policy, a, a, b);
    printf("SLO: %s\n", r->slo_text);
    printf("runs: %d on the search part in %d rungs, where a grid at the same resolution "
           "(%d keys) has %.3g; %d more to check the written file and the held-out part\n",
           r->runs, r->rungs, r->ndim, r->grid, 1 + 2 + r->has_oracle);
    printf("\nfrontier (infrastructure cost against SLO violation, search part):\n");
    print_points(r, 1);
    const sim_tune_point *best = &r->points[r->best];
    if (!r->meets)
        printf("\nno configuration of kind %s meets the SLO on the search part; the closest "
               "(least violation) is %s:\n  %s\n", r->kind, best->name, best->sets);
    else
        printf("\nchosen: %s\n  %s\n", best->name, best->sets);
    printf("\n%-22s %9s %9s %9s %10s %-6s | %9s %9s %9s %10s %-6s\n", "", "total", "infra",
           "SLO viol", "p95", "", "total", "infra", "SLO viol", "p95", "");
    printf("%-22s %-49s | held-out part\n", "", "search part");
    char what[64];
    snprintf(what, sizeof what, "default (%s)", r->policy);
    row_line(what, &r->dflt, &r->h_dflt);
    snprintf(what, sizeof what, "tuned (%s)", r->tuned);
    row_line(what, &r->check, &r->h_best);
    if (r->has_oracle)
        row_line("oracle (bound)", &r->oracle, &r->h_oracle);
    printf("against the default on the search part: total %+.2f = infrastructure %+.2f, "
           "SLO penalty %+.2f\n", r->check.cost_total - r->dflt.cost_total,
           r->check.cost_infra - r->dflt.cost_infra,
           r->check.cost_penalty - r->dflt.cost_penalty);
    static const char *const verdict[] = {
        [SIM_HELDOUT_CONFIRMED] = "confirmed: the tuned configuration meets the SLO there at a "
                                  "lower total cost than the default (or where the default "
                                  "misses it)",
        [SIM_HELDOUT_COSTS_MORE] = "not confirmed: the tuned configuration meets the SLO but "
                                   "costs more than the default there",
        [SIM_HELDOUT_BETTER] = "not confirmed: neither the tuned configuration nor the default "
                               "meets the SLO there; the tuned one has no more violation and a "
                               "lower total cost",
        [SIM_HELDOUT_MISSES] = "not confirmed: the tuned configuration misses the SLO there",
    };
    printf("held-out part: %s\n", verdict[sim_tune_heldout_of(&r->h_best, &r->h_dflt)]);
    if (r->has_oracle) /* the oracle sizes to the load itself: its peak is the part's need */
        printf("peak need: the oracle runs up to %.0f instances on the held-out part, %.0f on "
               "the search part%s\n", r->h_oracle.peak_instances, r->oracle.peak_instances,
               !(r->h_oracle.peak_instances > r->oracle.peak_instances) ? ""
               : r->draw ? ": the new draw's noise peaks higher"
                         : ": the held-out part holds a load the search never saw");
    print_unseen(r);
    printf("written: %s (%s)\n", cli_shown(r->file),
           r->format == SIM_EMIT_HPA   ? "Kubernetes autoscaling/v2 HorizontalPodAutoscaler"
           : r->format == SIM_EMIT_AWS ? "AWS EC2 target-tracking policy"
                                       : "INI section: no deployable format for this kind");
    /* a command to paste: the path is the user's (-o DIR), quoted as one
     * shell word whatever it holds; the duration and the policy name are
     * quoted alike, so the line is one rule, not a judgement per field */
    char q[3][4 * sizeof r->replay + 8];
    as_shell_quote(r->replay, q[0], sizeof q[0]);
    as_shell_quote(a, q[1], sizeof q[1]);
    as_shell_quote(r->tuned, q[2], sizeof q[2]);
    if (r->draw) /* the search ran the scenario whole */
        printf("replay:  simrun %s --policy %s   (reproduces the chosen run: %s)\n", q[0], q[2],
               r->reproduced ? "yes, bit for bit" : "NO");
    else
        printf("replay:  simrun %s --set scenario.duration=%s --policy %s   (reproduces the "
               "chosen run: %s)\n", q[0], q[1], q[2], r->reproduced ? "yes, bit for bit" : "NO");
    printf("every run: %s in %s\n", r->search_files, cli_shown(r->outdir));
}

/* ---- the command ---- */

static void progress(void *ud, const char *stage, const sim_batch_progress *p)
{
    (void)ud;
    double rate = p->elapsed > 0 ? p->sim_done / p->elapsed : 0;
    fprintf(stderr, "\r%s: %d/%d runs  %.3g sim-s/s   ", stage, p->done, p->n, rate);
}

static int status_of(int code)
{
    return code == AS_EINVAL || code == AS_EEXIST ? 2 : code == AS_EINTR ? 130 : 1;
}

/* One kind: search, save, draw, print. The exit status. */
static int tune_kind(const tune_args *a, const char *kind, sim_tune_result *r)
{
    char dir[1024], figs[1100];
    as_err err = {0};
    if (a->out)
        snprintf(dir, sizeof dir, "%s", a->out);
    else {
        /* results/<scenario name>-tune, as run writes results/<name>.h5 */
        sim_scenario *sc = sim_scenario_load(a->scen, a->sets, a->nsets, &err);
        if (sc == NULL) {
            fprintf(stderr, "simrun tune: %s\n", err.msg);
            return err.code == AS_ENOMEM ? 1 : 2;
        }
        snprintf(dir, sizeof dir, "results/%s-tune", sc->name);
        sim_scenario_free(sc);
    }
    sim_tune_opts o = {.scenario = a->scen, .sets = a->sets, .nsets = a->nsets, .kind = kind,
                       .params = a->params, .nparams = a->nparams, .split = a->split,
                       .heldout = a->heldout,
                       .outdir = dir, .jobs = (int)a->jobs, .fresh = a->fresh,
                       .force = a->force, .n0 = (int)a->n0, .rungs = (int)a->rungs,
                       .warn = stderr};
    int show = !a->quiet && isatty(2);
    if (show)
        o.progress = progress;
    int rc = sim_tune_run(&o, r, &err);
    if (show)
        fprintf(stderr, "\r%*s\r", 70, "");
    if (rc != AS_OK) {
        fprintf(stderr, "simrun tune: %s%s\n", err.msg,
                rc == AS_EINTR ? "; run the same command again to resume" : "");
        return status_of(rc);
    }
    if (r->npoints == 0) /* an MPI rank above 0: rank 0 reports */
        return 0;
    if ((rc = sim_tune_save(r, &err)) != AS_OK) {
        fprintf(stderr, "simrun tune: %s\n", err.msg);
        return 1;
    }
    snprintf(figs, sizeof figs, "%s/%s-figures", dir, kind);
    if (a->plot && plot_tune_frontier(r, figs, a->force, NULL, &err) != AS_OK)
        fprintf(stderr, "simrun tune: figure: %s (the results are complete)\n", err.msg);
    if (a->format == SIM_FMT_CSV)
        sim_tune_csv(stdout, r, 1);
    else if (a->format == SIM_FMT_JSON)
        sim_tune_json(stdout, r, &err);
    else
        print_text(r, a->scen);
    if (a->format == SIM_FMT_TEXT && a->plot)
        printf("figure: %s/frontier.png\n", cli_shown(figs));
    if (!r->reproduced) {
        fprintf(stderr, "simrun tune: the written %s does not reproduce the chosen run\n",
                cli_shown(r->file));
        return 1;
    }
    return r->meets ? 0 : 1;
}

int cmd_tune(int argc, char **argv)
{
    tune_args a = {.plot = 1, .format = SIM_FMT_TEXT,
                   .jobs = sysconf(_SC_NPROCESSORS_ONLN)};
    a.sets = calloc((size_t)argc + 1, sizeof *a.sets);
    a.kinds = calloc((size_t)argc + 1, sizeof *a.kinds);
    a.params = calloc((size_t)argc + 1, sizeof *a.params);
    int status = 1;
    if (a.sets == NULL || a.kinds == NULL || a.params == NULL)
        fprintf(stderr, "simrun tune: out of memory\n");
    else if ((status = parse_args(&a, argc, argv)) < 0) {
        sim_results_quiet();
        status = 0;
        int best_k = -1;
        double best_cost = 0;
        for (int k = 0; k < a.nkinds && (status == 0 || status == 1); k++) {
            sim_tune_result r;
            int st = tune_kind(&a, a.kinds[k], &r);
            if (st == 0 && r.npoints > 0 && (best_k < 0 || r.h_best.cost_total < best_cost)) {
                best_k = k;
                best_cost = r.h_best.cost_total;
            }
            status = st > status ? st : status;
            sim_tune_result_free(&r);
        }
        if (a.nkinds > 1 && best_k >= 0 && a.format == SIM_FMT_TEXT)
            printf("\ncheapest kind on the held-out part: %s (total %.2f)\n", a.kinds[best_k],
                   best_cost);
    }
    free(a.sets);
    free(a.kinds);
    free(a.params);
    return status;
}
