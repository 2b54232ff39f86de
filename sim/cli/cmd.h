/* cmd.h - subcommands of simrun, one cmd_<name>.c each, dispatched from the
 * table in sim/cli/main.c. Each takes (argc, argv) with argv[0] the command name
 * and returns the process exit status: 0 ok, 2 bad input or usage (one
 * line on stderr naming file and line), 1 any other failure.
 * Must not: exit() or keep state between calls (tests call them directly). */
#ifndef SIM_CMD_H
#define SIM_CMD_H

/* simrun trace gen|convert|info ... (sim/cli/cmd_trace.c) */
int cmd_trace(int argc, char **argv);

/* simrun forecast TRACE ... (sim/cli/cmd_forecast.c) */
int cmd_forecast(int argc, char **argv);

/* simrun SCENARIO.ini / simrun run SCENARIO.ini (sim/cli/cmd_run.c) */
int cmd_run(int argc, char **argv);
/* simrun check SCENARIO.ini|RESULTS.h5 ... --baseline FILE (sim/cli/cmd_check.c) */
int cmd_check(int argc, char **argv);
/* simrun show FILE.h5 [RUN] (sim/cli/cmd_show.c) */
int cmd_show(int argc, char **argv);
/* simrun report FILE.h5 [-o DIR] [--format png|svg|pdf] (sim/cli/cmd_report.c) */
int cmd_report(int argc, char **argv);

/* simrun tune SCENARIO.ini --kind KIND ... (sim/cli/cmd_tune.c) */
int cmd_tune(int argc, char **argv);
/* simrun compare A.h5 B.h5 ... (sim/cli/cmd_compare.c) */
int cmd_compare(int argc, char **argv);

/* simrun bench SCENARIO.ini [--policy NAME]: ns per decide() (sim/cli/cmd_bench.c) */
int cmd_bench(int argc, char **argv);

#endif
