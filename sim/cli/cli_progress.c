/* cli_progress.c - the progress line (cli_progress.h). One line rewritten
 * in place with '\r' and padded over the previous one; durations through
 * plots/plot_fmt.h, as in the report. */
#include "cli_progress.h"

#include "plot_fmt.h"

#include <math.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Draw text unless a line was drawn less than 0.2 s ago (force: always). */
static void draw(cli_progress *c, const char *text, int force)
{
    double t = now_s();
    if (!force && t - c->last < 0.2)
        return;
    c->last = t;
    int w = (int)strlen(text);
    fprintf(c->f, "\r%s%*s", text, c->width > w ? c->width - w : 0, "");
    fflush(c->f);
    c->width = w;
}

void cli_progress_batch_text(const sim_batch_progress *p, char *buf, size_t n)
{
    char tot[32], rate[32], left[32];
    double share = p->sim_total > 0 ? 100 * p->sim_done / p->sim_total : 0;
    snprintf(buf, n, "%d/%d runs done, %.0f %% of %s simulated", p->done, p->n, share,
             plot_fmt_span(p->sim_total, tot, sizeof tot));
    if (p->sim_done > 0 && p->elapsed >= 1) {
        double r = p->sim_done / p->elapsed;
        size_t k = strlen(buf);
        snprintf(buf + k, n - k, ", %s simulated per second, about %s left",
                 plot_fmt_span(r, rate, sizeof rate),
                 plot_fmt_span(fmax(0, p->sim_total - p->sim_done) / r, left, sizeof left));
    }
}

void cli_progress_batch(void *ud, const sim_batch_progress *p)
{
    char text[256];
    cli_progress_batch_text(p, text, sizeof text);
    draw(ud, text, p->done == p->n);
}

void cli_progress_report(void *ud, const plot_progress *p)
{
    char text[160];
    if (strcmp(p->phase, "data") == 0)
        snprintf(text, sizeof text, "report: data and script, run %d of %d", p->done + 1,
                 p->total);
    else if (p->done > 0)
        snprintf(text, sizeof text, "report: gnuplot drawing, figure %d of %d", p->done + 1,
                 p->total);
    else
        snprintf(text, sizeof text, "report: gnuplot drawing %d figures", p->total);
    draw(ud, text, 0);
}

void cli_progress_clear(cli_progress *c)
{
    if (c->width > 0)
        fprintf(c->f, "\r%*s\r", c->width, "");
    fflush(c->f);
    c->width = 0;
}
