/* main.c - the simrun command: a table of subcommands (as git's commands[]).
 * To add a command: write sim/cli/cmd_<name>.c with int cmd_<name>(argc, argv),
 * declare it in sim/cmd.h and add a row to `commands` below. */
#include "cmd.h"

#include <gsl/gsl_errno.h>
#ifdef AS_MPI
#include <mpi.h>
#endif
#include <stdio.h>
#include <string.h>

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"run", cmd_run, "run every policy of a scenario (the default for a .ini file)"},
    {"show", cmd_show, "print the summary of a results file"},
    {"report", cmd_report, "draw the gnuplot report of a results file"},
    {"bench", cmd_bench, "time the decisions of a scenario's policies"},
    {"check", cmd_check, "compare scaling quality with a baseline (the CI gate)"},
    {"trace", cmd_trace, "generate, convert and inspect traces"},
    {"forecast", cmd_forecast, "evaluate forecasters on a trace (accuracy and speed)"},
};

static void usage(FILE *f)
{
    fputs("usage: simrun SCENARIO.ini [options]      run a scenario (see simrun run --help)\n"
          "       simrun COMMAND [args] [--help]\n\ncommands:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fputs("\nsimrun replays a traffic trace through a simulated cluster and the same\n"
          "monitor -> forecast -> policy -> execution loop a live autoscaler runs, and\n"
          "stores every run in an HDF5 results file (see README.md).\n",
          f);
}

static int dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
#ifdef AS_MPI
    /* built with make MPI=1: under mpirun, rank 0 coordinates and writes,
     * the other ranks run what it hands out (sim/cli/cmd_run.c) */
    MPI_Init(&argc, &argv);
    int rc = dispatch(argc, argv);
    MPI_Finalize();
    return rc;
#else
    return dispatch(argc, argv);
#endif
}

static int dispatch(int argc, char **argv)
{
    /* Library code reports errors by status; GSL's default handler aborts. */
    gsl_set_error_handler_off();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    /* simrun SCENARIO.ini [...] is simrun run SCENARIO.ini [...] */
    if (argv[1][0] != '-' || strchr(argv[1], '.')) {
        argv[0] = (char *)"run";
        return cmd_run(argc, argv);
    }
    return cmd_run(argc, argv);
}
