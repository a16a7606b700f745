/* zkm: the command.  Thin: each subcommand parses its flags and calls the
 * library. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "cli.h"

static const cli_command commands[] = {
    {"check", "parse and check a model; print its nodes, shapes and parameter count", cmd_check},
    {"compile", "circuit statistics: layers, operations, advice and public values", cmd_compile},
    {"run", "quantized inference (and with --float the float reference)", cmd_run},
    {"commit", "commit to the weights: the public model commitment and its secret key",
     cmd_commit},
    {"prove", "prove an inference and write the proof file", cmd_prove},
    {"verify", "verify a proof file against the model and the weights or their commitment",
     cmd_verify},
    {"demo", "prove and verify LeNet-5 (or --samples: built-in circuits) and report", cmd_demo},
    {"drift", "quantization drift against an MPFR reference: float formats, bit-widths",
     cmd_drift},
    {"sweep", "run a sweep spec: prove, verify, drift per point; one CSV row per run",
     cmd_sweep},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: zkm COMMAND [ARGS]\n\n"
               "Prove neural-network inference with GKR and sum-check.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'zkm COMMAND --help' for a command's options.\n"
               "Exit status: 0 success or proof accepted, 1 proof rejected, 2 bad usage or "
               "malformed input.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return ZKM_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return ZKM_EXIT_OK;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "zkm: libsodium failed to initialise\n");
        return ZKM_EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "zkm: unknown command '%s' (run 'zkm --help' for the list)\n", argv[1]);
    return ZKM_EXIT_USAGE;
}
