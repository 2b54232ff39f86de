/* cli_text.c - the legend under simrun's summary table. The columns are
 * sim_summary.c's; their meaning is spelled out here rather than in wider
 * column heads, which would not fit 100 columns. */
#include "cli_text.h"

#include "as_name.h"

const char *cli_shown(const char *s)
{
    static char buf[8][2048];
    static unsigned k;
    char *b = buf[k++ % 8];
    as_name_printable(s ? s : "", b, sizeof buf[0]);
    return b;
}

void cli_print_legend(FILE *f)
{
    fputs("columns: total = infra + penalty (price units); windows = % of SLO windows\n"
          "  that held; pNN run, p99 = response-time percentiles over the whole run;\n"
          "  errors = % of requests that failed (gave up or dropped); mean inst = mean\n"
          "  instances over all tiers; actions = scaling actions; theta_U = under-\n"
          "  provisioning accuracy (% of the demand missing, averaged over time; 0 is\n"
          "  best); e-speed = elastic speedup against the first run (geometric mean of\n"
          "  the SPEC elasticity metrics' ratios; > 1 is better); verdict = meets or\n"
          "  misses the SLO, bound for a run that sees the future. All columns:\n"
          "  simrun show FILE --csv, and README \"Results file\".\n",
          f);
}
