/* cmd_compare.c - placeholder replaced below */
#include "cmd.h"
int cmd_compare(int argc, char **argv) { (void)argc; (void)argv; return 2; }
