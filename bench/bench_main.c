/* bench_main.c - run_bench, the program of `make bench` (run from the
 * project root): every section of bench.h, then the peers (bench/peers.sh)
 * and the ratios ours/theirs of figures measured in this same run; the
 * table goes to stdout and to build/bench.csv.
 *
 *   build/release/bench/run_bench [--quick] [--no-peers] [--only SECTIONS]
 *                                 [--peers DIR] [--csv FILE]
 *
 * --quick (or BENCH_QUICK=1): fewer repetitions and a short peer set;
 * --only machine,forecast,policy,detect,analytic,memory,des,hdf5,sweep,report,
 * nodes selects sections; BENCH_PEERS=0 is --no-peers. The goals table closes
 * the run (bench_goals.c). */
#include "bench.h"
#include "sim_results.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* synthetic_seasonal.csv (time_s,rate) into a new array; NULL if absent */
static double *load_trace(const char *path, int *n)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    int cap = 32768, k = 0;
    double *y = malloc((size_t)cap * sizeof *y);
    char line[256];
    while (y && fgets(line, sizeof line, f)) {
        double t, v;
        if (sscanf(line, "%lf,%lf", &t, &v) != 2)
            continue; /* the header */
        if (k == cap) {
            double *g = realloc(y, (size_t)(cap *= 2) * sizeof *y);
            if (g == NULL) {
                free(y);
                y = NULL;
                break;
            }
            y = g;
        }
        y[k++] = v;
    }
    fclose(f);
    if (y == NULL || k == 0) {
        free(y);
        return NULL;
    }
    *n = k;
    return y;
}

static int wanted(const char *only, const char *section)
{
    if (only == NULL)
        return 1;
    size_t n = strlen(section);
    for (const char *p = only; (p = strstr(p, section)) != NULL; p += n)
        if ((p == only || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
            return 1;
    return 0;
}

/* ---- ratios ---- */

typedef struct ratio_ctx {
    bench_table *t;
    const bench_peers *p;
    int printed;
} ratio_ctx;

/* One comparison. ours_ns and theirs_ns are times per unit of work (ns);
 * ratio = ours / theirs (below 1: ours is faster). */
static void ratio(ratio_ctx *c, const char *name, double ours_ns, double theirs_ns,
                  const char *what)
{
    if (!isfinite(ours_ns) || !isfinite(theirs_ns) || theirs_ns <= 0)
        return;
    if (!c->printed) {
        printf("\n%-58s %13s %13s %12s %10s\n", "ratio (time per unit of work)", "ours",
               "theirs", "ours/theirs", "x faster");
        printf("%.*s\n", 110,
               "------------------------------------------------------------------------------"
               "------------------------------------------------------------------------------");
        c->printed = 1;
    }
    char o[32], th[32];
    if (ours_ns >= 1e6)
        snprintf(o, sizeof o, "%.3g ms", ours_ns / 1e6);
    else if (ours_ns >= 1e3)
        snprintf(o, sizeof o, "%.3g us", ours_ns / 1e3);
    else
        snprintf(o, sizeof o, "%.3g ns", ours_ns);
    if (theirs_ns >= 1e6)
        snprintf(th, sizeof th, "%.3g ms", theirs_ns / 1e6);
    else if (theirs_ns >= 1e3)
        snprintf(th, sizeof th, "%.3g us", theirs_ns / 1e3);
    else
        snprintf(th, sizeof th, "%.3g ns", theirs_ns);
    double r = ours_ns / theirs_ns;
    printf("%-58s %13s %13s %12.3g %10.3g\n", name, o, th, r, 1 / r);
    printf("    %s\n", what);
    char note[128];
    snprintf(note, sizeof note, "ours %s, theirs %s per unit; %.3gx faster", o, th, 1 / r);
    FILE *save = c->t->out;
    c->t->out = NULL; /* printed above in its own layout */
    bench_table_value(c->t, "ratio", name, r, "ours/theirs", note);
    c->t->out = save;
}

static void ratios(bench_table *t, const bench_peers *p)
{
    ratio_ctx c = {t, p, 0};
#define OURS(sec, name) bench_table_get(t, sec, name)
#define PEER(name) bench_peers_get(p, name)
    double hw_fit = PEER("hw_fixinit_fit_median") * 1e6 + PEER("hw_fixinit_forecast10_median") * 1e3;
    ratio(&c, "holt_winters online origin vs statsmodels HW fit+forecast",
          OURS("forecast", "holt_winters update+forecast(10)"), hw_fit,
          "per origin: our update+forecast(10) (refits on drift, amortized) vs statsmodels "
          "hw_fixinit fit+forecast(10)");
    ratio(&c, "holt_winters refit 4320 + forecast vs statsmodels HW",
          OURS("forecast", "holt_winters refit N=4320") + OURS("forecast", "holt_winters forecast(10)"),
          hw_fit, "fit on the same 3-day window, then forecast(10); ours a warm refit");
    ratio(&c, "holt_winters cold fit 4320 + forecast vs statsmodels HW",
          OURS("forecast", "holt_winters cold fit N=4320") +
              OURS("forecast", "holt_winters forecast(10)"),
          hw_fit, "like for like: the first fit (cold) on the same 3-day window, then forecast(10)");
    static const int ns[] = {100, 1000};
    for (int k = 0; k < 2; k++) {
        char name[96], ours[64], peer[64];
        snprintf(ours, sizeof ours, "linreg refit N=%d", ns[k]);
        snprintf(peer, sizeof peer, "lr_pandas_N%d_train_median", ns[k]);
        snprintf(name, sizeof name, "linreg refit N=%d vs pandas+sklearn train", ns[k]);
        ratio(&c, name, OURS("forecast", ours), PEER(peer) * 1e3,
              "features + least squares on the window (sklearn LinearRegression)");
        snprintf(peer, sizeof peer, "lr_numpy_N%d_train_median", ns[k]);
        snprintf(name, sizeof name, "linreg refit N=%d vs tuned numpy port train", ns[k]);
        ratio(&c, name, OURS("forecast", ours), PEER(peer) * 1e3,
              "the peers' hand-tuned numpy version of the same model");
        snprintf(ours, sizeof ours, "linreg N=%d update+forecast(10)", ns[k]);
        snprintf(peer, sizeof peer, "lr_pandas_N%d_forecast10_median", ns[k]);
        snprintf(name, sizeof name, "linreg N=%d 10-step forecast vs pandas", ns[k]);
        ratio(&c, name, OURS("forecast", ours), PEER(peer) * 1e3,
              "recursive 10-step forecast with its features (ours: update + forecast)");
        snprintf(peer, sizeof peer, "lr_numpy_N%d_forecast10_median", ns[k]);
        snprintf(name, sizeof name, "linreg N=%d 10-step forecast vs numpy port", ns[k]);
        ratio(&c, name, OURS("forecast", ours), PEER(peer) * 1e3, "same, tuned numpy");
    }
    double mm10 = OURS("des", "M/M/10 rho 0.9 (SimPy's queue)");
    ratio(&c, "DES M/M/10 events vs SimPy 2", 1e9 / mm10,
          1e9 / PEER("lam90_mu10_c10_simpy2_events_per_s"),
          "ns per event, same queue (lambda 90, mu 10, c 10)");
    ratio(&c, "DES M/M/10 events vs SimPy 4", 1e9 / mm10,
          1e9 / PEER("lam90_mu10_c10_simpy4_events_per_s"), "ns per event, same queue");
    ratio(&c, "DES M/M/10 events vs plain Python heap", 1e9 / mm10,
          1e9 / PEER("lam90_mu10_c10_heap_events_per_s"), "ns per event, same queue");
    /* measured in pairs in the des section (see bench_sim.c): the ratio
     * is the median of the pairs', the times are the medians of each side */
    double fr = OURS("des", "M/M/1 time per event: ours / mm1.c");
    double fl = OURS("des", "mm1.c floor (gcc -O3), alternating");
    if (isfinite(fr) && isfinite(fl))
        ratio(&c, "DES M/M/1 events vs mm1.c (the C floor)", fr * 1e9 / fl, 1e9 / fl,
              "ns per event, runs alternating; mm1.c does nothing but the queue (gcc -O3); "
              "above 1 is expected");
    double z = OURS("detect", "zscore pass over peers' trace");
    if (!isfinite(z))
        z = OURS("detect", "zscore observe");
    ratio(&c, "zscore vs pandas rolling (whole series)", z, PEER("zscore_pandas_per_sample"),
          "ns per sample, window 60, synthetic_seasonal.csv");
    ratio(&c, "zscore vs streaming Python loop", z, PEER("zscore_stream_py_per_sample"),
          "ns per sample, one observation at a time like ours");
#undef OURS
#undef PEER
    if (!c.printed)
        printf("\n(no ratios: no peer figures; see the notes above)\n");
}

/* Keep the peer figures the ratios use in the table (and the CSV). */
static void peer_rows(bench_table *t, const bench_peers *p)
{
    static const char *const keep[] = {
        "hw_fixinit_fit_median", "hw_fixinit_forecast10_median", "hw_fixinit_mase",
        "ses_fit_median", "lr_pandas_N100_train_median", "lr_pandas_N1000_train_median",
        "lr_numpy_N100_train_median", "lr_numpy_N1000_train_median",
        "lr_pandas_N100_forecast10_median", "lr_pandas_N1000_forecast10_median",
        "lr_numpy_N100_forecast10_median", "lr_numpy_N1000_forecast10_median",
        "lam90_mu10_c10_simpy2_events_per_s", "lam90_mu10_c10_simpy4_events_per_s",
        "lam90_mu10_c10_heap_events_per_s", "zscore_pandas_per_sample",
        "zscore_stream_py_per_sample", "zscore_anomalies", NULL};
    for (const char *const *k = keep; *k; k++)
        for (int i = p->n - 1; i >= 0; i--)
            if (strcmp(p->figs[i].name, *k) == 0) {
                bench_table_value(t, "peer", *k, p->figs[i].value, p->figs[i].unit, "");
                break;
            }
}

/* Options and the BENCH_QUICK / BENCH_PEERS environment; 0, or -1 after
 * printing the usage. */
static int parse_args(int argc, char **argv, bench_opts *o, const char **only,
                      const char **peers_dir, const char **csv, int *peers)
{
    const char *q = getenv("BENCH_QUICK"), *pe = getenv("BENCH_PEERS");
    o->quick = q && strcmp(q, "1") == 0;
    *peers = !(pe && strcmp(pe, "0") == 0);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (strcmp(a, "--quick") == 0)
            o->quick = 1;
        else if (strcmp(a, "--no-peers") == 0)
            *peers = 0;
        else if (strcmp(a, "--only") == 0 && more)
            *only = argv[++i];
        else if (strcmp(a, "--peers") == 0 && more)
            *peers_dir = argv[++i];
        else if (strcmp(a, "--csv") == 0 && more)
            *csv = argv[++i];
        else {
            fprintf(stderr, "usage: run_bench [--quick] [--no-peers] [--only SECTIONS] "
                            "[--peers DIR] [--csv FILE]\n");
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc == 5 && strcmp(argv[1], "--mem-child") == 0)
        return bench_mem_child(argv[2], argv[3], argv[4]);
    bench_opts o = {.root = ".",
                    .scenario = "bench/week3tier.ini",
                    .sweep = "bench/sweep.ini"};
    const char *only = NULL, *peers_dir = "../shared/peers", *csv = "build/bench.csv";
    int peers = 1;
    if (parse_args(argc, argv, &o, &only, &peers_dir, &csv, &peers) != 0)
        return 2;
    static char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        fprintf(stderr, "run_bench: cannot find its own executable\n");
        return 1;
    }
    exe[len] = '\0';
    o.exe = exe;
    o.peers = peers_dir; /* mm1.c, the C floor: timed even with --no-peers */
    sim_results_quiet();

    uint64_t t_start = bench_now_ns();
    o.nseries = 28 * 1440; /* four weeks of one-minute steps, daily season */
    o.series = bench_series_new(1440, o.nseries, 12345);
    char tpath[4200];
    snprintf(tpath, sizeof tpath, "%s/synthetic_seasonal.csv", peers_dir);
    o.trace = load_trace(tpath, &o.ntrace);
    if (o.series == NULL) {
        fprintf(stderr, "run_bench: out of memory\n");
        return 1;
    }

    printf("autoscale-sim benchmarks: medians over repetitions, min/max spread%s\n",
           o.quick ? " (quick)" : "");
    printf("forecasters: 1-minute steps, daily season 1440, horizon 10; %s\n\n",
           o.trace ? "zscore also on the peers' synthetic_seasonal.csv"
                   : "peers' trace not found: synthetic series only");
    bench_table t;
    bench_table_init(&t, stdout);
    bench_table_header(stdout);
    static const struct {
        const char *name;
        void (*fn)(bench_table *, const bench_opts *);
    } sections[] = {
        {"machine", bench_machine},      {"forecast", bench_forecasters},
        {"policy", bench_policies},      {"detect", bench_detectors},
        {"analytic", bench_analytic},    {"des", bench_des},
        {"memory", bench_memory},        {"hdf5", bench_hdf5},
        {"sweep", bench_sweep},          {"report", bench_report},
        {"nodes", bench_nodes},
    };
    char times[512] = "";
    size_t tl = 0;
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        if (!wanted(only, sections[i].name))
            continue;
        uint64_t t0 = bench_now_ns();
        sections[i].fn(&t, &o);
        tl += (size_t)snprintf(times + tl, sizeof times - tl, "%s %.1f s, ", sections[i].name,
                               (double)(bench_now_ns() - t0) * 1e-9);
        if (tl >= sizeof times)
            tl = sizeof times - 1;
    }
    bench_peers p = {0};
    if (peers) {
        char cmd[8500];
        printf("\npeers (%s), run one after another after our benchmarks:\n", peers_dir);
        snprintf(cmd, sizeof cmd, "%s%s/bench/peers.sh '%s' '%s/build'",
                 o.quick ? "BENCH_PEERS_QUICK=1 " : "", o.root, peers_dir, o.root);
        uint64_t t0 = bench_now_ns();
        if (bench_peers_run(&p, cmd, stdout) != 0)
            printf("# peers: bench/peers.sh failed\n");
        snprintf(times + tl, sizeof times - tl, "peers %.1f s, ",
                 (double)(bench_now_ns() - t0) * 1e-9);
        peer_rows(&t, &p);
    } else {
        printf("\npeers: skipped (--no-peers or BENCH_PEERS=0)\n");
    }
    ratios(&t, &p);
    bench_goals(&t, &p);

    double total = (double)(bench_now_ns() - t_start) * 1e-9;
    size_t te = strlen(times);
    if (te >= 2)
        times[te - 2] = '\0'; /* the last ", " */
    printf("\nrun_bench wall time: %.1f s (%s)\n", total, times);
    if (bench_table_csv(&t, csv) == 0)
        printf("table written to %s\n", csv);
    else
        fprintf(stderr, "run_bench: cannot write %s\n", csv);
    bench_peers_fini(&p);
    bench_table_fini(&t);
    free(o.series);
    free(o.trace);
    return 0;
}
