/* check_baseline.c - see check_baseline.h. */
#include "check_baseline.h"

#include "cli_text.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHK_LINE 1024

const char *const chk_metric_names[CHK_NMETRICS] = {
    [CHK_COST] = "cost_total",   [CHK_VIOL] = "slo_violation_s",
    [CHK_P95] = "p95",           [CHK_P99] = "p99",
    [CHK_THETA_U] = "theta_u",   [CHK_THETA_O] = "theta_o",
    [CHK_TAU_U] = "tau_u",       [CHK_TAU_O] = "tau_o",
    [CHK_INSTABILITY] = "instability", [CHK_ACTIONS] = "actions",
};

int chk_metric_find(const char *name)
{
    for (int m = 0; m < CHK_NMETRICS; m++)
        if (strcmp(chk_metric_names[m], name) == 0)
            return m;
    return -1;
}

double chk_metric_of(const sim_summary_row *r, int m)
{
    switch (m) {
    case CHK_COST: return r->cost_total;
    case CHK_VIOL: return r->slo_violation_s;
    case CHK_P95: return r->p95;
    case CHK_P99: return r->p99;
    case CHK_THETA_U: return r->theta_u;
    case CHK_THETA_O: return r->theta_o;
    case CHK_TAU_U: return r->tau_u;
    case CHK_TAU_O: return r->tau_o;
    case CHK_INSTABILITY: return r->instability;
    default: return (double)r->actions;
    }
}

/* Two passes (mean, then squared deviations): a few values, and the
 * one-pass formula loses digits when the spread is small next to the mean. */
chk_stat chk_stat_of(const double *x, int n)
{
    chk_stat s = {.seeds = n, .mean = 0, .sd = 0};
    int same = 1;
    for (int i = 0; i < n; i++) {
        s.mean += x[i];
        same &= x[i] == x[0];
    }
    /* equal values (a run the seed does not change) have no spread, and
     * their mean is the value itself, not its rounded n-fold sum over n */
    if (same) {
        s.mean = x[0];
        return s;
    }
    s.mean /= n;
    if (n < 2 || !isfinite(s.mean))
        return s;
    double ss = 0;
    for (int i = 0; i < n; i++)
        ss += (x[i] - s.mean) * (x[i] - s.mean);
    s.sd = sqrt(ss / (n - 1));
    return s;
}

int chk_judge(const chk_stat *base, const chk_stat *now, double k, double *tol, double *z)
{
    double se = sqrt(base->sd * base->sd / base->seeds + now->sd * now->sd / now->seeds);
    double b = base->mean, d = now->mean - b;
    *tol = fmax(k * se, fmax(CHK_REL_FLOOR * fabs(b), CHK_ABS_FLOOR));
    *z = se > 0 ? d / se : NAN;
    if (now->mean == b || (isnan(now->mean) && isnan(b)))
        return CHK_SAME;
    if (isnan(now->mean) || isnan(b))
        return CHK_REGRESSED;
    if (isinf(b)) /* from +inf to anything finite improves, to -inf too */
        return b > 0 ? CHK_IMPROVED : CHK_REGRESSED;
    if (isinf(now->mean))
        return now->mean > 0 ? CHK_REGRESSED : CHK_IMPROVED;
    if (d > *tol)
        return CHK_REGRESSED;
    return d < -*tol ? CHK_IMPROVED : CHK_WITHIN;
}

int chk_name_ok(const char *s)
{
    return s[0] != '\0' && strpbrk(s, ",\"\r\n") == NULL;
}

/* Parse a whole field as a double; nan and inf are accepted. */
static int parse_num(const char *s, double *v)
{
    char *end;
    errno = 0;
    if (*s == '\0')
        return -1;
    *v = strtod(s, &end);
    /* ERANGE on underflow (a subnormal value) is fine; on overflow it is not */
    return *end == '\0' && !(errno == ERANGE && isinf(*v)) ? 0 : -1;
}

static const char HEADER[] = "scenario,run,metric,seeds,mean,sd";
/* the header of the format before seeds (one run, fixed tolerances) */
static const char OLD_HEADER[] = "scenario,run,metric,value,abs_tol,rel_tol";

int chk_baseline_add(chk_baseline *b, const chk_row *row)
{
    if (b->n == b->cap) {
        int nc = b->cap ? b->cap * 2 : 256;
        chk_row *r = realloc(b->rows, (size_t)nc * sizeof *r);
        if (r == NULL)
            return 1;
        b->rows = r;
        b->cap = nc;
    }
    b->rows[b->n++] = *row;
    return 0;
}

void chk_baseline_free(chk_baseline *b)
{
    free(b->rows);
    b->rows = NULL;
    b->n = b->cap = 0;
}

/* Split line at commas into at most max fields; the count, or max + 1 when
 * there are more. */
static int split(char *line, char **field, int max)
{
    int nf = 0;
    for (char *p = line;;) {
        if (nf == max)
            return max + 1;
        field[nf++] = p;
        char *comma = strchr(p, ',');
        if (comma == NULL)
            return nf;
        *comma = '\0';
        p = comma + 1;
    }
}

/* One data line into *r; NULL, or why it is malformed (possibly written
 * into why[n]). */
static const char *parse_row(char *line, chk_row *r, char *why, size_t n)
{
    char *f[6];
    int nf = split(line, f, 6);
    if (nf != 6) {
        snprintf(why, n, "expected 6 fields (%s), found %s%d", HEADER, nf > 6 ? "more than " : "",
                 nf > 6 ? 6 : nf);
        return why;
    }
    double seeds;
    r->metric = chk_metric_find(f[2]);
    if (!chk_name_ok(f[0]) || strlen(f[0]) >= sizeof r->scen)
        return "scenario: empty or longer than 63 characters";
    if (!chk_name_ok(f[1]) || strlen(f[1]) >= sizeof r->run)
        return "run: empty or longer than 31 characters";
    if (r->metric < 0)
        return "metric: not one of cost_total, slo_violation_s, p95, p99, theta_u, theta_o, "
               "tau_u, tau_o, instability, actions";
    if (parse_num(f[3], &seeds) != 0 || seeds != floor(seeds) || seeds < 1 || seeds > 1e6)
        return "seeds: not a whole number in [1, 1000000]";
    if (parse_num(f[4], &r->s.mean) != 0)
        return "mean: not a number";
    if (parse_num(f[5], &r->s.sd) != 0 || !isfinite(r->s.sd) || r->s.sd < 0)
        return "sd: not a finite number >= 0";
    r->s.seeds = (int)seeds;
    snprintf(r->scen, sizeof r->scen, "%s", f[0]);
    snprintf(r->run, sizeof r->run, "%s", f[1]);
    return NULL;
}

/* A row of the same scenario, run and metric before row n; -1 if none. */
static int find_dup(const chk_baseline *b, const chk_row *r)
{
    /* O(n) per row, O(n^2) in all: a few thousand rows at most; a hash
     * would be faster but is not worth its code here. */
    for (int i = 0; i < b->n; i++)
        if (b->rows[i].metric == r->metric && strcmp(b->rows[i].scen, r->scen) == 0 &&
            strcmp(b->rows[i].run, r->run) == 0)
            return i;
    return -1;
}

/* The header line: 0, or 2 with a message. */
static int check_header(const chk_baseline *b, const char *line, int lineno)
{
    if (strcmp(line, HEADER) == 0)
        return 0;
    if (strcmp(line, OLD_HEADER) == 0)
        fprintf(stderr, "simrun check: %s:%d: a baseline of the old format (one seed, fixed "
                        "tolerances): remove it and record a new one with --update\n",
                cli_shown(b->path), lineno);
    else
        fprintf(stderr, "simrun check: %s:%d: expected the header '%s'\n", cli_shown(b->path),
                lineno, HEADER);
    return 2;
}

/* Read the lines of f; 0, 1 or 2 as chk_baseline_read. */
static int read_lines(chk_baseline *b, FILE *f)
{
    char line[CHK_LINE + 2];
    int lineno = 0, header = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
            fprintf(stderr, "simrun check: %s:%d: line longer than %d characters\n",
                    cli_shown(b->path), lineno, CHK_LINE);
            return 2;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue; /* blank lines (e.g. at the end) carry nothing */
        if (!header) {
            header = 1;
            if (check_header(b, line, lineno) != 0)
                return 2;
            continue;
        }
        chk_row r = {.line = lineno};
        char buf[128];
        const char *why = parse_row(line, &r, buf, sizeof buf);
        if (why) {
            fprintf(stderr, "simrun check: %s:%d: %s\n", cli_shown(b->path), lineno, why);
            return 2;
        }
        int dup = find_dup(b, &r);
        if (dup >= 0) {
            fprintf(stderr, "simrun check: %s:%d: duplicate of line %d (%s,%s,%s)\n",
                    cli_shown(b->path), lineno, b->rows[dup].line, r.scen, r.run,
                    chk_metric_names[r.metric]);
            return 2;
        }
        if (chk_baseline_add(b, &r) != 0) {
            fprintf(stderr, "simrun check: out of memory\n");
            return 1;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "simrun check: %s: read error\n", cli_shown(b->path));
        return 2;
    }
    if (!header) {
        fprintf(stderr, "simrun check: %s:1: empty file (expected the header '%s')\n",
                cli_shown(b->path), HEADER);
        return 2;
    }
    return 0;
}

int chk_baseline_read(chk_baseline *b, int *exists)
{
    FILE *f = fopen(b->path, "r");
    *exists = f != NULL;
    if (f == NULL) {
        if (errno == ENOENT)
            return 0;
        fprintf(stderr, "simrun check: %s: %s\n", cli_shown(b->path), strerror(errno));
        return 2;
    }
    int rc = read_lines(b, f);
    fclose(f);
    return rc;
}

static int cmp_row(const void *a, const void *b)
{
    const chk_row *x = a, *y = b;
    int c = strcmp(x->scen, y->scen);
    if (c == 0)
        c = strcmp(x->run, y->run);
    return c ? c : x->metric - y->metric;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as the same double:
 * 17 significant digits round-trip every double through strtod, and the
 * shorter forms keep 0.1 from printing as 0.10000000000000001. */
static void fmt_exact(double v, char *buf, size_t n)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (isnan(v) || strtod(buf, NULL) == v)
            return;
    }
}

int chk_baseline_write(const char *path, chk_row *rows, int n)
{
    qsort(rows, (size_t)n, sizeof *rows, cmp_row);
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        fprintf(stderr, "simrun check: cannot write %s: %s\n", cli_shown(tmp), strerror(errno));
        return 1;
    }
    fprintf(f, "%s\n", HEADER);
    for (int i = 0; i < n; i++) {
        char m[40], s[40];
        fmt_exact(rows[i].s.mean, m, sizeof m);
        fmt_exact(rows[i].s.sd, s, sizeof s);
        fprintf(f, "%s,%s,%s,%d,%s,%s\n", rows[i].scen, rows[i].run,
                chk_metric_names[rows[i].metric], rows[i].s.seeds, m, s);
    }
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "simrun check: cannot write %s: %s\n", cli_shown(path), strerror(errno));
        remove(tmp);
        return 1;
    }
    return 0;
}
