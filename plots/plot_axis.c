/* plot_axis.c - axes a reader does not have to decode.
 * Time: when the trace carried dates (the results file's start_epoch_s),
 * a time axis in the trace's own zone, with weekdays once the span passes a
 * day or a midnight ("Sat 12:00"); otherwise hours or days since the start, and h:min in
 * zoom panels. Tick steps come from a list of round durations, so a
 * two-hour zoom ticks every 15 minutes on the quarter, not every 13.
 * Latency: tick marks labelled with their unit (200 ms, 2 s, 15 min), on
 * log axes as on linear ones, instead of gnuplot's bare 100000. Labels
 * are this file's own text, still written through plot_gp_str. */
#include "plot_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Round tick steps of a time axis, s. */
static const double time_steps[] = {60,    120,   300,   600,    900,    1800,   3600,  7200,
                                    10800, 21600, 43200, 86400, 172800, 604800, 1209600};

static double time_step(double span, int most)
{
    for (size_t k = 0; k < sizeof time_steps / sizeof time_steps[0]; k++)
        if (span / time_steps[k] <= most)
            return time_steps[k];
    return 2592000; /* 30 days */
}

/* "UTC" or "UTC-04:00". */
static void zone_name(double off, char *buf, size_t n)
{
    if (off == 0) {
        snprintf(buf, n, "UTC");
        return;
    }
    int m = (int)lround(fabs(off) / 60);
    snprintf(buf, n, "UTC%c%02d:%02d", off < 0 ? '-' : '+', m / 60, m % 60);
}

static void clock_axis(plot_rep *R, double t0, double t1, int zoom)
{
    plot_gp *g = R->gp;
    double x0 = R->epoch + R->utc_offset, span = t1 - t0;
    double step = time_step(span, zoom ? 6 : 12);
    double first = ceil((t0 + x0) / step) * step;
    plot_gp_printf(g, "set xdata time\nset timefmt '%%s'\ntx(t) = t + %.3f\n"
                      "set xrange [%.3f:%.3f]\nset xtics %.0f, %.0f\n",
                   x0, t0 + x0, t1 + x0, first, step);
    if (step >= 86400)
        plot_gp_puts(g, "set format x '%a %d %b'\n");
    else if (span > 86400 || (!zoom && floor((t0 + x0) / 86400) != floor((t1 + x0) / 86400)))
        /* past a day, or across a midnight: which day each tick is on */
        plot_gp_puts(g, "set format x '%a %H:%M'\n");
    else
        plot_gp_puts(g, "set format x '%H:%M'\n");
    /* the start's date in the label: tick labels name weekdays at most */
    time_t when = (time_t)floor(t0 + x0);
    struct tm tm;
    char day[64], zone[32], label[160];
    gmtime_r(&when, &tm);
    strftime(day, sizeof day, "%a %d %b %Y", &tm);
    zone_name(R->utc_offset, zone, sizeof zone);
    snprintf(label, sizeof label, "time (%s), from %s", zone, day);
    plot_gp_puts(g, "set xlabel ");
    plot_gp_str(g, "axis label", label);
    plot_gp_puts(g, "\n");
}

void plot_time_axis(plot_rep *R, double t0, double t1, int zoom)
{
    plot_gp *g = R->gp;
    if (R->has_clock) {
        clock_axis(R, t0, t1, zoom);
        return;
    }
    if (zoom) {
        /* relative time with gnuplot's %tH:%tM (hours past 24 allowed) */
        double step = time_step(t1 - t0, 6);
        plot_gp_printf(g, "set xdata time\nset timefmt '%%s'\ntx(t) = t\nset xrange [%.3f:%.3f]\n"
                          "set xtics %.0f, %.0f\nset format x '%%tH:%%tM'\n"
                          "set xlabel 'time since the start (h:min)'\n",
                       t0, t1, ceil(t0 / step) * step, step);
        return;
    }
    plot_gp_printf(g, "set xdata\nset format x '%%g'\nset xtics autofreq\ntx(t) = t / %g\n"
                      "set xrange [%g:%g]\nset xlabel 'time since the start (%s)'\n",
                   R->tu, t0 / R->tu, t1 / R->tu, R->tu_label);
}

/* Round latencies for log axes, s. */
static const double lat_marks[] = {1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02,  0.05,
                                   0.1,  0.2,  0.5,  1,    2,    5,    10,   20,    30,
                                   60,   120,  300,  600,  1200, 1800, 3600, 7200,  21600,
                                   43200, 86400, 172800, 604800};

/* Write ticks v[0..n) (ms) as the axis' tic list, each with its unit. */
static void put_tics(plot_rep *R, const char *axis, const double *v, int n)
{
    plot_gp *g = R->gp;
    plot_gp_printf(g, "set %stics (", strcmp(axis, "y") == 0 ? "y" : strcmp(axis, "y2") == 0
                                                                          ? "y2"
                                                                          : "x");
    for (int k = 0; k < n; k++) {
        char lbl[48];
        plot_fmt_latency(v[k] / 1e3, lbl, sizeof lbl);
        plot_gp_puts(g, k ? ", " : "");
        plot_gp_str(g, "tick label", lbl);
        plot_gp_printf(g, " %.6g", v[k]);
    }
    plot_gp_puts(g, ")\n");
}

void plot_latency_tics(plot_rep *R, const char *axis, double lo, double hi, int logscale)
{
    enum { MAXT = 40 };
    double v[MAXT];
    int n = 0;
    if (!(hi > lo) || !(lo >= 0))
        return;
    if (logscale) {
        /* at most ~7 marks, evenly spread in log space */
        double min_gap = log10(hi / fmax(lo, 1e-9)) / 7;
        double last = -INFINITY;
        for (size_t k = 0; k < sizeof lat_marks / sizeof lat_marks[0] && n < MAXT; k++) {
            double ms = lat_marks[k] * 1e3;
            if (ms < lo || ms > hi || log10(ms) - last < min_gap * 0.999)
                continue;
            v[n++] = ms;
            last = log10(ms);
        }
    } else {
        double raw = (hi - lo) / 6, mag = pow(10, floor(log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag
                                                                                           : 10 * mag;
        for (double x = ceil(lo / step) * step; x <= hi * (1 + 1e-9) && n < MAXT; x += step)
            v[n++] = fabs(x) < step * 1e-9 ? 0 : x;
    }
    if (n >= 2)
        put_tics(R, axis, v, n);
}

const char *plot_money_unit(const plot_rep *R)
{
    return R->currency[0] ? R->currency : "price units";
}
