/* main.c - the simrun command: a table of subcommands (as git's commands[]).
 * To add a command: write sim/cli/cmd_<name>.c with int cmd_<name>(argc, argv),
 * declare it in sim/cmd.h and add a row to `commands` below. */
#include "cli_gen.h"
#include "cmd.h"
#include "sim_results.h"

#include <gsl/gsl_errno.h>
#ifdef AS_MPI
#include <mpi.h>
#endif
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"run", cmd_run, "run every policy of a scenario (the default for a .ini file)"},
    {"show", cmd_show, "print the summary of a results file"},
    {"report", cmd_report, "draw the gnuplot report of a results file"},
    {"tune", cmd_tune, "find the cheapest configuration of a policy kind that meets the SLO"},
    {"compare", cmd_compare, "compare the summaries of two results files, run by run"},
    {"bench", cmd_bench, "time the decisions of a scenario's policies"},
    {"check", cmd_check, "compare scaling quality with a baseline (the CI gate)"},
    {"trace", cmd_trace, "generate, convert and inspect traces"},
    {"forecast", cmd_forecast, "evaluate forecasters on a trace (accuracy and speed)"},
};

#define NCMD (sizeof commands / sizeof commands[0])

/* simrun completion | man: generated from the table above. */
static int generated(const char *what)
{
    cli_cmd_doc docs[NCMD];
    for (size_t i = 0; i < NCMD; i++)
        docs[i] = (cli_cmd_doc){commands[i].name, commands[i].help};
    if (strcmp(what, "man") == 0)
        cli_gen_man(stdout, docs, (int)NCMD, sim_results_tool_version());
    else
        cli_gen_completion(stdout, docs, (int)NCMD);
    return fflush(stdout) == 0 ? 0 : 1;
}

static void usage(FILE *f)
{
    fputs("usage: simrun SCENARIO.ini [options]      run a scenario (see simrun run --help)\n"
          "       simrun COMMAND [args] [--help]\n\ncommands:\n",
          f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fputs("  completion print the bash completion script (simrun completion > simrun.bash)\n"
          "  man        print the man page (simrun man > simrun.1; man ./simrun.1)\n"
          "\nsimrun --version prints the version; simrun --help-keys [FILTER] the scenario keys.\n",
          f);
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
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("simrun (autoscale-sim) %s\n", sim_results_tool_version());
        return 0;
    }
    for (size_t i = 0; i < NCMD; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    if (strcmp(argv[1], "completion") == 0 || strcmp(argv[1], "man") == 0)
        return generated(argv[1]);
    /* simrun SCENARIO.ini [...] is simrun run SCENARIO.ini [...]; a bare
     * word that is no file is a mistyped command, not a scenario */
    if (argv[1][0] != '-' && !strchr(argv[1], '.') && !strchr(argv[1], '/') &&
        access(argv[1], F_OK) != 0) {
        fprintf(stderr, "simrun: unknown command '%s'; commands:", argv[1]);
        for (size_t i = 0; i < NCMD; i++)
            fprintf(stderr, " %s", commands[i].name);
        fprintf(stderr, " completion man (or a scenario file: simrun SCENARIO.ini)\n");
        return 2;
    }
    argv[0] = (char *)"run";
    return cmd_run(argc, argv);
}
