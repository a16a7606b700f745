/* Shared by the zkm subcommands: exit statuses, option helpers, output. */
#ifndef ZKM_CLI_H
#define ZKM_CLI_H

#include <stdint.h>

#include "zkm_err.h"

enum {
    ZKM_EXIT_OK = 0,       /* success, proof accepted        */
    ZKM_EXIT_REJECT = 1,   /* proof rejected                 */
    ZKM_EXIT_USAGE = 2     /* bad usage or malformed input   */
};

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} cli_command;

/* Parse a decimal unsigned integer in [lo, hi] for option opt; on error
 * print "zkm CMD: ..." and return 0. */
int cli_parse_u64(const char *cmd, const char *opt, const char *s, uint64_t lo, uint64_t hi,
                  uint64_t *out);

/* Exit status for a library status: ZKM_EREJECT -> 1, anything else -> 2. */
int cli_exit_for(zkm_status st);

/* Human-readable byte count ("3.2 KB") into buf. */
const char *cli_bytes(char *buf, size_t n, double bytes);
/* Human-readable duration ("12.3 ms") into buf. */
const char *cli_seconds(char *buf, size_t n, double s);

/* The subcommands: argv[0] is the command's name. */
int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_prove(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

#endif
