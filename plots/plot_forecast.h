/* plot_forecast.h - the figure of `simrun forecast --plot DIR`: mean
 * absolute error by horizon step, one line per forecaster.
 * Owns: the folder DIR (forecast_by_horizon.dat, forecast.gp, the PNG,
 * gnuplot.log, the marker), written whole like a report (plot_outdir.h).
 * Invariant: the trace's file name and the forecaster specs reach the
 * script only through plot_gp_str (plot_script.h): a name with a quote
 * is drawn as it is, one with a control character is refused.
 * Must not: print or exit. */
#ifndef PLOT_FORECAST_H
#define PLOT_FORECAST_H

#include "as.h"

#include <stddef.h>

typedef struct plot_forecast_in {
    const char *dir;            /* output folder */
    int force;                  /* replace a DIR simrun did not make */
    const char *trace;          /* the trace file as given (the title shows its base name) */
    const char *const *names;   /* per forecaster: its spec, as the legend shows it */
    int n;                      /* forecasters */
    int horizon;                /* steps */
    const double *mae;          /* n x horizon, row per forecaster; NaN where none */
    const char *step;           /* the grid step, for the axis ("60s") */
    const char *gnuplot;        /* program; NULL: "gnuplot" */
} plot_forecast_in;

/* Write and draw DIR/forecast_by_horizon.png. AS_EINVAL for a name with a
 * control character, AS_EEXIST for a DIR simrun did not make (without
 * force), AS_ENOTFOUND / AS_EIO as plot_gnuplot_run. */
int plot_forecast_by_horizon(const plot_forecast_in *in, as_err *err);

#endif
