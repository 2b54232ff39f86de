/* cmd_run.c - `simrun SCENARIO.ini`: run every policy of a scenario (times
 * its sweep points and repetitions) on N threads, write the results file,
 * print the summary table.
 *
 * Each run writes its own file in OUT.runs/ (renamed into place only when
 * complete), and the results file is merged from them in run order when
 * all are done. So the thread count cannot change a dataset; an
 * interrupted or killed batch keeps every completed run, and running the
 * same command again resumes: runs whose file exists are not run again. */
#include "as_param.h"
#include "cmd.h"
#include "plot_report.h"
#include "sim_budget.h"
#include "sim_results.h"
#include "sim_run.h"
#include "sim_scenario.h"
#include "sim_summary.h"
#include "sim_sweep.h"

#include <dirent.h>
#ifdef AS_MPI
#include <mpi.h>
#endif
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop;
/* --max-events, --max-memory: the request-level model's limits for every
 * run of the batch (0: the engine's defaults) */
static uint64_t g_max_events, g_max_memory;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void usage(FILE *f)
{
    fputs("usage: simrun [run] SCENARIO.ini [options]\n"
          "\n"
          "Runs every [policy.NAME] of the scenario (times the points of its [sweep]\n"
          "grid and its repetitions) on its trace, writes the results to\n"
          "results/NAME.h5, prints one summary row per run and draws the report in\n"
          "reports/NAME/.\n"
          "\n"
          "options:\n"
          "  -o FILE                  results file (default results/<scenario name>.h5)\n"
          "  --set SECTION.KEY=VALUE  override a scenario key (repeatable), e.g.\n"
          "                           --set scenario.duration=6h --set tier.web.max=40\n"
          "  --policy NAME            run only this policy (repeatable)\n"
          "  -j N                     run N runs at once (default: the number of cores);\n"
          "                           the results do not depend on N\n"
          "  --force                  overwrite an existing results file, and replace a\n"
          "                           report folder that simrun did not make\n"
          "  --fresh                  do not resume: discard runs kept from an earlier,\n"
          "                           interrupted invocation\n"
          "  --max-runs N             refuse sweeps of more runs than N (default 100000)\n"
          "  --max-events N           model = des: refuse a run expected to take more\n"
          "                           events than N (default 1e10)\n"
          "  --max-memory SIZE        model = des: refuse a run that may need more memory\n"
          "                           (default 2G); queues without queue_cap are capped\n"
          "                           to fit it, and requests beyond are dropped\n"
          "  --baseline NAME          run the elastic speedup is measured against\n"
          "                           (default: the first run)\n"
          "  --format text|csv|json   summary format on stdout (default text)\n"
          "  --no-report              do not draw the gnuplot report\n"
          "  -q, --quiet              no progress line and no table\n"
          "  --help-keys              list every scenario key\n"
          "  -h, --help               this text\n"
          "\n"
          "Interrupted (Ctrl-C) or killed, the completed runs stay in FILE.runs/ (and,\n"
          "after Ctrl-C, in FILE.partial); the same command again resumes from them.\n"
          "exit status: 0 done, 2 bad input (one line naming file, line and key),\n"
          "1 other failure, 130 interrupted\n",
          f);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the batch ---- */

typedef struct batch {
    const sim_plan *plan;
    char dir[1100];
    int next;              /* next run index to take (atomic) */
    int *done;             /* 1 when runs[i] is complete */
    sim_summary_row *rows; /* per run */
    sim_timing_row *timing;
    double *frac;          /* per worker: share of its current run done */
    int failed;            /* a run failed: stop taking new ones */
    as_err err;            /* the first failure */
    int err_run;
    pthread_mutex_t lock;
} batch;

typedef struct worker {
    batch *b;
    int id;
} worker;

static void run_file(const batch *b, int i, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s.h5", b->dir, b->plan->runs[i].name);
}

static void frac_cb(void *ud, double f)
{
    *(double *)ud = f;
}

/* One run into its own file at path (renamed into place when complete). */
static int run_one(const sim_runspec *rs, const char *path, sim_summary_row *row,
                   sim_timing_row *tr, double *frac, as_err *err)
{
    double t0 = now_s();
    *frac = 0;
    sim_results *res = sim_results_create(path, rs->sc, 1, err);
    int rc = res ? AS_OK : err->code;
    sim_run_opts o = {.stop = &g_stop,
                      .record_trace = 1,
                      .progress = frac_cb,
                      .progress_ud = frac,
                      .name = rs->name,
                      .params = rs->params,
                      .seed = &rs->seed,
                      .max_events = g_max_events,
                      .max_memory = g_max_memory};
    if (rc == AS_OK)
        rc = sim_results_run(res, rs->sc, rs->policy, &o, row, err);
    double wall = now_s() - t0;
    snprintf(tr->run, sizeof tr->run, "%s", rs->name);
    tr->wall_s = wall;
    tr->sim_per_wall = wall > 0 ? as_time_to_s(rs->sc->duration) / wall : 0;
    if (rc == AS_OK)
        rc = sim_results_timing(res, tr, err);
    if (rc == AS_OK) {
        rc = sim_results_commit(res, row, 1, err);
        res = NULL;
    }
    if (res)
        sim_results_abort(res, 1);
    *frac = 0;
    return rc;
}

static void *work(void *arg)
{
    worker *w = arg;
    batch *b = w->b;
    for (;;) {
        int i = __atomic_fetch_add(&b->next, 1, __ATOMIC_SEQ_CST);
        if (i >= b->plan->n || g_stop || __atomic_load_n(&b->failed, __ATOMIC_SEQ_CST))
            break;
        if (b->done[i])
            continue;
        char path[1300];
        run_file(b, i, path, sizeof path);
        as_err err = {0};
        int rc = run_one(&b->plan->runs[i], path, &b->rows[i], &b->timing[i], &b->frac[w->id],
                         &err);
        if (rc == AS_OK) {
            __atomic_store_n(&b->done[i], 1, __ATOMIC_SEQ_CST);
            continue;
        }
        if (rc == AS_EINTR || g_stop)
            break;
        pthread_mutex_lock(&b->lock);
        if (!b->failed) {
            b->err = err;
            b->err_run = i;
            __atomic_store_n(&b->failed, 1, __ATOMIC_SEQ_CST);
        }
        pthread_mutex_unlock(&b->lock);
        break;
    }
    return NULL;
}

#ifdef AS_MPI
/* ---- many machines: MPI ----
 * Rank 0 hands out run indices one at a time (a slow run never stalls a
 * queue: the next index goes to whichever rank asks first) and writes every
 * result: a worker runs into a private temporary file and sends its bytes,
 * so no shared filesystem is needed. Rank 0 then merges exactly as with
 * threads, so the results equal those of -j 1. */
enum { TAG_MSG = 1, TAG_DATA = 2, TAG_INDEX = 3 };
typedef struct mpi_msg {
    int index;   /* -1: just asking for work */
    int status;  /* AS_OK or the failure code */
    long nbytes; /* size of the file that follows (TAG_DATA) */
    double wall;
    char msg[512];
} mpi_msg;

static int mpi_worker(const sim_plan *plan)
{
    char tmpl[] = "/tmp/simrun-mpi-XXXXXX";
    char *tmp = mkdtemp(tmpl);
    mpi_msg m = {.index = -1};
    for (;;) {
        MPI_Send(&m, (int)sizeof m, MPI_BYTE, 0, TAG_MSG, MPI_COMM_WORLD);
        if (m.index >= 0 && m.status == AS_OK && m.nbytes > 0) {
            char path[1200];
            snprintf(path, sizeof path, "%s/run.h5", tmp);
            FILE *f = fopen(path, "rb");
            char *buf = malloc((size_t)m.nbytes);
            size_t got = f && buf ? fread(buf, 1, (size_t)m.nbytes, f) : 0;
            if (f)
                fclose(f);
            MPI_Send(buf ? buf : "", (int)got, MPI_BYTE, 0, TAG_DATA, MPI_COMM_WORLD);
            free(buf);
            unlink(path);
        }
        int idx;
        MPI_Recv(&idx, 1, MPI_INT, 0, TAG_INDEX, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (idx < 0)
            break;
        memset(&m, 0, sizeof m);
        m.index = idx;
        char path[1200];
        snprintf(path, sizeof path, "%s/run.h5", tmp ? tmp : "/tmp");
        as_err err = {0};
        sim_summary_row row;
        sim_timing_row tr;
        double frac;
        m.status = tmp ? run_one(&plan->runs[idx], path, &row, &tr, &frac, &err)
                       : as_err_set(&err, AS_EIO, "cannot create a temporary folder");
        m.wall = tr.wall_s;
        snprintf(m.msg, sizeof m.msg, "%s", err.msg);
        struct stat st;
        m.nbytes = m.status == AS_OK && stat(path, &st) == 0 ? (long)st.st_size : 0;
    }
    if (tmp)
        rmdir(tmp);
    return 0;
}

static void mpi_coordinate(batch *b, int size)
{
    const sim_plan *plan = b->plan;
    int next = 0, active = size - 1;
    while (active > 0) {
        mpi_msg m;
        MPI_Status st;
        MPI_Recv(&m, (int)sizeof m, MPI_BYTE, MPI_ANY_SOURCE, TAG_MSG, MPI_COMM_WORLD, &st);
        int src = st.MPI_SOURCE;
        if (m.index >= 0 && m.status == AS_OK && m.nbytes > 0) {
            char *buf = malloc((size_t)m.nbytes);
            MPI_Recv(buf, (int)m.nbytes, MPI_BYTE, src, TAG_DATA, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            char path[1300], part[1320];
            run_file(b, m.index, path, sizeof path);
            snprintf(part, sizeof part, "%s.partial", path);
            FILE *f = buf ? fopen(part, "wb") : NULL;
            int ok = f && fwrite(buf, 1, (size_t)m.nbytes, f) == (size_t)m.nbytes;
            if (f)
                ok = fclose(f) == 0 && ok;
            ok = ok && rename(part, path) == 0;
            free(buf);
            sim_summary_row *r = NULL;
            int n = 0;
            as_err e = {0};
            if (ok && sim_results_read_summary(path, &r, &n, &e) == AS_OK && n == 1) {
                b->rows[m.index] = r[0];
                snprintf(b->timing[m.index].run, sizeof b->timing[m.index].run, "%s",
                         plan->runs[m.index].name);
                b->timing[m.index].wall_s = m.wall;
                b->timing[m.index].sim_per_wall =
                    m.wall > 0 ? as_time_to_s(plan->runs[m.index].sc->duration) / m.wall : 0;
                b->done[m.index] = 1;
            } else if (!b->failed) {
                b->failed = 1;
                b->err_run = m.index;
                as_err_set(&b->err, AS_EIO, "cannot store the result of rank %d", src);
            }
            free(r);
        } else if (m.index >= 0 && m.status != AS_OK && !b->failed) {
            b->failed = 1;
            b->err_run = m.index;
            as_err_set(&b->err, m.status, "%s (rank %d)", m.msg, src);
        }
        while (next < plan->n && b->done[next])
            next++;
        int idx = next < plan->n && !b->failed && !g_stop ? next++ : -1;
        MPI_Send(&idx, 1, MPI_INT, src, TAG_INDEX, MPI_COMM_WORLD);
        if (idx < 0)
            active--;
    }
}
#endif

/* A fingerprint of what the batch computes: a runs folder left by another
 * scenario, other overrides or another seed is never resumed from. */
static uint64_t fingerprint(const sim_scenario *sc, const sim_plan *plan)
{
    uint64_t h = 1469598103934665603ULL;
#define MIX(p, n)                                                                             \
    for (size_t k_ = 0; k_ < (n); k_++)                                                       \
        h = (h ^ ((const unsigned char *)(p))[k_]) * 1099511628211ULL;
    MIX(sc->text, strlen(sc->text));
    MIX(sc->overrides, strlen(sc->overrides));
    MIX(&sc->seed, sizeof sc->seed);
    for (int i = 0; i < plan->n; i++) {
        MIX(plan->runs[i].name, strlen(plan->runs[i].name));
        MIX(&plan->runs[i].seed, sizeof plan->runs[i].seed);
    }
#undef MIX
    return h;
}

static int mkdir_p(const char *path)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(dir, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char p[1400];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* Prepare OUT.runs/: resume from a matching one, else start it anew.
 * Returns the number of runs found complete, or -1 (message printed). */
static int prepare_dir(batch *b, uint64_t fp, int fresh)
{
    char plan_path[1200], line[64];
    snprintf(plan_path, sizeof plan_path, "%s/plan.txt", b->dir);
    struct stat st;
    int resumed = 0;
    if (stat(b->dir, &st) == 0) {
        FILE *f = fopen(plan_path, "r");
        unsigned long long old = 0;
        int match = f && fgets(line, sizeof line, f) && sscanf(line, "%llx", &old) == 1 &&
                    old == fp;
        if (f)
            fclose(f);
        if (!match || fresh) {
            rm_dir(b->dir);
        } else {
            for (int i = 0; i < b->plan->n; i++) {
                char p[1300];
                run_file(b, i, p, sizeof p);
                sim_summary_row *r = NULL;
                int n = 0;
                as_err e = {0};
                if (stat(p, &st) == 0 && sim_results_read_summary(p, &r, &n, &e) == AS_OK &&
                    n == 1) {
                    b->rows[i] = r[0];
                    b->done[i] = 1;
                    snprintf(b->timing[i].run, sizeof b->timing[i].run, "%s", r[0].run);
                    resumed++;
                }
                free(r);
            }
        }
    }
    if (mkdir_p(b->dir) != 0) {
        fprintf(stderr, "simrun: cannot create %s: %s\n", b->dir, strerror(errno));
        return -1;
    }
    FILE *f = fopen(plan_path, "w");
    if (f == NULL || fprintf(f, "%llx\n", (unsigned long long)fp) < 0) {
        fprintf(stderr, "simrun: cannot write %s\n", plan_path);
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    return resumed;
}

static int merge(batch *b, const sim_scenario *sc, const char *out, int only_done, as_err *err)
{
    const sim_plan *plan = b->plan;
    char(*paths)[1300] = calloc((size_t)plan->n + 1, sizeof *paths);
    const char **files = calloc((size_t)plan->n + 1, sizeof *files);
    const char **names = calloc((size_t)plan->n + 1, sizeof *names);
    sim_summary_row *rows = calloc((size_t)plan->n + 1, sizeof *rows);
    sim_timing_row *tim = calloc((size_t)plan->n + 1, sizeof *tim);
    int rc = AS_ENOMEM, k = 0;
    if (paths && files && names && rows && tim) {
        for (int i = 0; i < plan->n; i++) {
            if (only_done && !b->done[i])
                continue;
            run_file(b, i, paths[k], sizeof paths[k]);
            files[k] = paths[k];
            names[k] = plan->runs[i].name;
            rows[k] = b->rows[i];
            tim[k] = b->timing[i];
            k++;
        }
        rc = sim_results_merge(out, sc, files, names, k, rows, tim, err);
    } else {
        as_err_set(err, AS_ENOMEM, "out of memory");
    }
    free(paths);
    free(files);
    free(names);
    free(rows);
    free(tim);
    return rc;
}

/* Mean and 95% confidence half-width of repetitions, per policy and point. */
static void print_repetitions(const sim_plan *plan, const sim_summary_row *rows)
{
    printf("\nrepetitions: mean +- 95%% confidence half-width\n");
    printf("%-22s %4s %22s %22s %20s\n", "run", "n", "total cost", "SLO violation s",
           "p95 ms");
    for (int i = 0; i < plan->n; i++) {
        if (plan->runs[i].rep != 0)
            continue;
        double s[3] = {0}, ss[3] = {0};
        int n = 0;
        for (int j = i; j < plan->n && plan->runs[j].policy == plan->runs[i].policy &&
                        plan->runs[j].point == plan->runs[i].point && plan->runs[j].sc == plan->runs[i].sc;
             j++) {
            double v[3] = {rows[j].cost_total, rows[j].slo_violation_s, rows[j].p95 * 1000};
            for (int k = 0; k < 3; k++) {
                s[k] += v[k];
                ss[k] += v[k] * v[k];
            }
            n++;
        }
        /* Student t quantiles (two-sided 95%) for small n, 1.96 beyond 30 */
        static const double t95[] = {0,     12.71, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
                                     2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                                     2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
                                     2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
        double t = n - 1 < 31 ? t95[n - 1 > 0 ? n - 1 : 0] : 1.96;
        char name[SIM_STR + 8];
        snprintf(name, sizeof name, "%.*s", (int)(strlen(plan->runs[i].name) - 3),
                 plan->runs[i].name);
        printf("%-22s %4d", name, n);
        for (int k = 0; k < 3; k++) {
            double m = s[k] / n, var = n > 1 ? (ss[k] - n * m * m) / (n - 1) : 0;
            double hw = n > 1 ? t * sqrt(var > 0 ? var : 0) / sqrt(n) : 0;
            printf(" %12.3f +- %6.3f", m, hw);
        }
        printf("\n");
    }
}

int cmd_run(int argc, char **argv)
{
    const char *scen = NULL, *out = NULL, *baseline = NULL;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    const char **only = calloc((size_t)argc + 1, sizeof *only);
    int nsets = 0, nonly = 0, force = 0, fresh = 0, quiet = 0, format = SIM_FMT_TEXT,
        status = 1, report = 1;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN), max_runs = 100000;
    sim_scenario *sc = NULL;
    sim_plan plan = {0};
    batch b = {0};
    pthread_mutex_init(&b.lock, NULL);
    if (sets == NULL || only == NULL) {
        fprintf(stderr, "simrun: out of memory\n");
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_next = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            status = 0;
            goto done;
        } else if (strcmp(a, "--help-keys") == 0) {
            sim_scenario_print_keys(stdout);
            status = 0;
            goto done;
        } else if (strcmp(a, "-o") == 0 && has_next) {
            out = argv[++i];
        } else if (strcmp(a, "--set") == 0 && has_next) {
            sets[nsets++] = argv[++i];
        } else if (strncmp(a, "--set=", 6) == 0) {
            sets[nsets++] = a + 6;
        } else if (strcmp(a, "--policy") == 0 && has_next) {
            only[nonly++] = argv[++i];
        } else if (strcmp(a, "--baseline") == 0 && has_next) {
            baseline = argv[++i];
        } else if ((strcmp(a, "-j") == 0 || strcmp(a, "--max-runs") == 0) && has_next) {
            as_err e = {0};
            long v;
            if (as_parse_int(argv[i + 1], &v, &e) != AS_OK || v < 1) {
                fprintf(stderr, "simrun: %s: '%s' is not a whole number >= 1\n", a, argv[i + 1]);
                status = 2;
                goto done;
            }
            if (a[1] == 'j')
                jobs = v;
            else
                max_runs = v;
            i++;
        } else if ((strcmp(a, "--max-events") == 0 || strcmp(a, "--max-memory") == 0) &&
                   has_next) {
            as_err e = {0};
            int rc = a[6] == 'e' ? sim_parse_count(argv[i + 1], &g_max_events, &e)
                                 : sim_parse_bytes(argv[i + 1], &g_max_memory, &e);
            if (rc != AS_OK) {
                fprintf(stderr, "simrun: %s: %s\n", a, e.msg);
                status = 2;
                goto done;
            }
            i++;
        } else if (strncmp(a, "-j", 2) == 0 && a[2] >= '1' && a[2] <= '9') {
            jobs = atol(a + 2);
        } else if (strcmp(a, "--format") == 0 && has_next) {
            const char *v = argv[++i];
            if (strcmp(v, "csv") == 0)
                format = SIM_FMT_CSV;
            else if (strcmp(v, "json") == 0)
                format = SIM_FMT_JSON;
            else if (strcmp(v, "text") == 0)
                format = SIM_FMT_TEXT;
            else {
                fprintf(stderr, "simrun: --format: '%s' is not text, csv or json\n", v);
                status = 2;
                goto done;
            }
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "--fresh") == 0) {
            fresh = 1;
        } else if (strcmp(a, "--no-report") == 0) {
            report = 0;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "simrun: unknown or incomplete option '%s' (see simrun --help)\n", a);
            status = 2;
            goto done;
        } else if (scen == NULL) {
            scen = a;
        } else {
            fprintf(stderr, "simrun: one scenario at a time ('%s' and '%s')\n", scen, a);
            status = 2;
            goto done;
        }
    }
    if (scen == NULL) {
        usage(stderr);
        status = 2;
        goto done;
    }
    if (jobs < 1)
        jobs = 1;
    as_err err = {0};
    sc = sim_scenario_load(scen, sets, nsets, &err);
    if (sc == NULL) {
        fprintf(stderr, "simrun: %s\n", err.msg);
        status = err.code == AS_EINVAL || err.code == AS_EIO ? 2 : 1;
        goto done;
    }
    for (int k = 0; k < nonly; k++) {
        int found = 0;
        for (int p = 0; p < sc->npolicies; p++)
            found |= strcmp(sc->policies[p].name, only[k]) == 0;
        if (!found) {
            fprintf(stderr, "simrun: --policy %s: %s has no [policy.%s]\n", only[k], scen,
                    only[k]);
            status = 2;
            goto done;
        }
    }
    if (sim_plan_build(scen, sets, nsets, sc, only, nonly, max_runs, &plan, &err) != AS_OK) {
        fprintf(stderr, "simrun: %s\n", err.msg);
        status = err.code == AS_ENOMEM ? 1 : 2;
        goto done;
    }
    char outbuf[1024];
    if (out == NULL) {
        snprintf(outbuf, sizeof outbuf, "results/%s.h5", sc->name);
        out = outbuf;
    }
    struct stat st;
    if (!force && stat(out, &st) == 0) {
        fprintf(stderr, "simrun: %s exists; use --force to overwrite it\n", out);
        status = 2;
        goto done;
    }
    sim_results_quiet();
#ifdef AS_MPI
    int mpi_rank = 0, mpi_size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
    if (mpi_rank > 0) { /* a worker: runs what rank 0 hands out, writes nothing itself */
        status = mpi_worker(&plan);
        goto done;
    }
#endif
    b.plan = &plan;
    snprintf(b.dir, sizeof b.dir, "%s.runs", out);
    b.done = calloc((size_t)plan.n + 1, sizeof *b.done);
    b.rows = calloc((size_t)plan.n + 1, sizeof *b.rows);
    b.timing = calloc((size_t)plan.n + 1, sizeof *b.timing);
    b.frac = calloc((size_t)jobs, sizeof *b.frac);
    if (!b.done || !b.rows || !b.timing || !b.frac) {
        fprintf(stderr, "simrun: out of memory\n");
        goto done;
    }
    int resumed = prepare_dir(&b, fingerprint(sc, &plan), fresh);
    if (resumed < 0)
        goto done;
    if (resumed > 0 && !quiet)
        fprintf(stderr, "simrun: resuming: %d of %d runs already complete in %s\n", resumed,
                plan.n, b.dir);

    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    g_stop = 0;

#ifdef AS_MPI
    if (mpi_size > 1) {
        mpi_coordinate(&b, mpi_size);
        jobs = 0; /* no local threads: the ranks did the runs */
    }
#endif
    if (jobs > plan.n)
        jobs = plan.n > 0 ? plan.n : 1;
    pthread_t *th = calloc((size_t)jobs + 1, sizeof *th);
    worker *ws = calloc((size_t)jobs + 1, sizeof *ws);
    if (th == NULL || ws == NULL) {
        free(th);
        free(ws);
        fprintf(stderr, "simrun: out of memory\n");
        goto done;
    }
    double t0 = now_s();
    for (long k = 0; k < jobs; k++) {
        ws[k] = (worker){&b, (int)k};
        pthread_create(&th[k], NULL, work, &ws[k]);
    }
    /* the progress line: on a terminal only, and not with -q */
    int show = !quiet && isatty(2);
    double sim_total = 0;
    for (int i = 0; i < plan.n; i++)
        sim_total += as_time_to_s(plan.runs[i].sc->duration);
    for (;;) {
        int ndone = 0;
        double sim_done = 0;
        for (int i = 0; i < plan.n; i++)
            if (__atomic_load_n(&b.done[i], __ATOMIC_SEQ_CST)) {
                ndone++;
                sim_done += as_time_to_s(plan.runs[i].sc->duration);
            }
        if (ndone == plan.n || g_stop || jobs == 0 ||
            __atomic_load_n(&b.failed, __ATOMIC_SEQ_CST) ||
            __atomic_load_n(&b.next, __ATOMIC_SEQ_CST) >= plan.n + jobs)
            break;
        for (long k = 0; k < jobs; k++)
            sim_done += b.frac[k] * (sim_total / (plan.n ? plan.n : 1));
        if (show) {
            double el = now_s() - t0, rate = el > 0 ? sim_done / el : 0;
            double left = rate > 0 ? (sim_total - sim_done) / rate : 0;
            fprintf(stderr, "\r%d/%d runs  %.3g sim-s/s  %.0fs left   ", ndone, plan.n, rate,
                    left);
        }
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (long k = 0; k < jobs; k++)
        pthread_join(th[k], NULL);
    free(th);
    free(ws);
    if (show)
        fprintf(stderr, "\r%*s\r", 60, "");
    int ndone = 0;
    for (int i = 0; i < plan.n; i++)
        ndone += b.done[i];
    if (b.failed) {
        /* a run that fails fails again: nothing to resume from */
        fprintf(stderr, "simrun: run %s: %s\n", plan.runs[b.err_run].name, b.err.msg);
        status = b.err.code == AS_EINVAL ? 2 : 1;
        rm_dir(b.dir);
        goto done;
    }
    if (g_stop || ndone < plan.n) {
        char partial[1100];
        snprintf(partial, sizeof partial, "%s.partial", out);
        if (ndone > 0 && merge(&b, sc, partial, 1, &err) != AS_OK)
            fprintf(stderr, "simrun: %s\n", err.msg);
        fprintf(stderr,
                "simrun: interrupted; %d of %d runs complete (kept in %s/%s); run the same "
                "command again to resume\n",
                ndone, plan.n, b.dir, ndone > 0 ? " and FILE.partial" : "");
        status = 130;
        goto done;
    }
    int base = 0;
    for (int i = 0; baseline && i < plan.n; i++)
        if (strcmp(b.rows[i].run, baseline) == 0)
            base = i;
    sim_rank(b.rows, plan.n, base);
    if (merge(&b, sc, out, 0, &err) != AS_OK) {
        fprintf(stderr, "simrun: %s\n", err.msg);
        goto done;
    }
    rm_dir(b.dir);
    if (!quiet || format != SIM_FMT_TEXT) {
        if (format == SIM_FMT_TEXT) {
            char dur[32];
            as_duration_format(sc->duration, dur, sizeof dur);
            printf("%s: %d run(s) of %s simulated time -> %s\n", sc->name, plan.n, dur, out);
        }
        sim_summary_print(stdout, b.rows, plan.n, format, sc->slo_latency, sc->slo_percentile);
        if (format == SIM_FMT_TEXT && sc->repetitions > 1)
            print_repetitions(&plan, b.rows);
    }
    status = 0;
    if (report) {
        /* all run threads are done: the HDF5 reader may run. The folder
         * is reports/<scenario_name> as the results file names it (plots/
         * checks that name); --force also replaces a folder simrun did not
         * make there */
        plot_report_opts ro = {PLOT_PNG, NULL, 0, force, 0};
        plot_report_info info = {0};
        if (plot_report_ex(out, NULL, &ro, &info, &err) != AS_OK) {
            fprintf(stderr, "simrun: report: %s (the results file is complete)\n", err.msg);
            status = 1;
        } else if (!quiet && format == SIM_FMT_TEXT) {
            printf("report: %s/index.html\n", info.outdir);
        }
    }
done:
    sim_plan_free(&plan);
    sim_scenario_free(sc);
    free(b.done);
    free(b.rows);
    free(b.timing);
    free(b.frac);
    pthread_mutex_destroy(&b.lock);
    free(sets);
    free(only);
    return status;
}
