/* cli_gen.h - the bash completion script and the man page of simrun, both
 * generated from the tables the program itself uses: the command table of
 * main.c and the scenario's key tables (sim_scenario_print_keys), so that
 * neither can list a command or key simrun does not take.
 * Owns: nothing beyond the text it prints.
 * Must not: read files or the environment; it prints to the stream given. */
#ifndef CLI_GEN_H
#define CLI_GEN_H

#include <stdio.h>

typedef struct cli_cmd_doc {
    const char *name, *help;
} cli_cmd_doc;

/* `simrun completion`: a bash script (source it, or drop it into
 * /etc/bash_completion.d/simrun). */
void cli_gen_completion(FILE *f, const cli_cmd_doc *cmds, int n);
/* `simrun man`: simrun.1 in mdoc (man ./simrun.1). */
void cli_gen_man(FILE *f, const cli_cmd_doc *cmds, int n, const char *version);

#endif
