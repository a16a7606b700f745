/* What the model commands (check, compile, run, prove, verify) share:
 * their options, loading a model, its weights and its input, and printing
 * the output.  Every function that can fail prints its own "zkm CMD: ..."
 * message on stderr and returns an exit status (cli.h), so a command is a
 * straight line of calls, each followed by "if (rc) goto done". */
#ifndef ZKM_CLI_LOAD_H
#define ZKM_CLI_LOAD_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "net.h"
#include "tensors.h"

/* Options a command accepts (cli_spec.accept). */
enum {
    CLI_OPT_BITS = 1u << 0,   /* --bits B                                   */
    CLI_OPT_JSON = 1u << 1,   /* --json                                     */
    CLI_OPT_W = 1u << 2,      /* --weights FILE | --seed N, exactly one      */
    CLI_OPT_I = 1u << 3,      /* --input FILE | --input-seed N, at most one  */
    CLI_OPT_FLOAT = 1u << 4,  /* --float                                    */
    CLI_OPT_OUT = 1u << 5     /* -o FILE (required)                         */
};

#define CLI_MAX_POS 2

typedef struct {
    const char *cmd;                   /* "check", ...                      */
    unsigned accept;                   /* CLI_OPT_*                         */
    unsigned n_pos;                    /* positional arguments required     */
    const char *pos_name[CLI_MAX_POS]; /* "MODEL.zkm", "PROOF.zkp"          */
    void (*help)(FILE *f);             /* the command's --help text         */
} cli_spec;

typedef struct {
    const char *pos[CLI_MAX_POS];
    uint32_t bits;          /* 0: formats as written                        */
    int json, use_float;
    const char *weights;    /* --weights FILE, or NULL                       */
    uint64_t seed;          /* --seed N when has_seed                        */
    int has_seed;
    const char *input;      /* --input FILE, or NULL                         */
    uint64_t input_seed;    /* --input-seed N when has_input_seed            */
    int has_input_seed;
    const char *out;        /* -o FILE                                       */
} cli_args;

/* Parse argv[1..argc) (argv[0] is the command name) against s.  Options
 * take their value as the next argument or after '=' (--bits=8); "--" ends
 * the options.  Returns -1 when the command should go on, otherwise the
 * exit status: 0 after printing --help on stdout, 2 after a message on
 * stderr for an unknown option, a missing or bad value, a missing or extra
 * positional argument, or a W/I/-o rule broken. */
int cli_args_parse(const cli_spec *s, int argc, char **argv, cli_args *a);

/* What cli_open loads. */
enum {
    CLI_NEED_NET = 1u << 0,     /* zkm_net_init                               */
    CLI_NEED_WEIGHTS = 1u << 1, /* W, set on the net (implies NET)            */
    CLI_NEED_INPUTS = 1u << 2,  /* I (default --input-seed 1), real and
                                   quantized (implies NET)                    */
    CLI_KEEP_WEIGHTS = 1u << 3  /* keep the real weights in cli_ctx.w (for the
                                   float reference)                           */
};

typedef struct {
    zkm_model *model;
    zkm_net *net;          /* NULL unless CLI_NEED_NET                     */
    zkm_tensor_set w;      /* the real weights (CLI_KEEP_WEIGHTS)          */
    zkm_tensor_set in;     /* the real inputs (CLI_NEED_INPUTS)            */
    zkm_qinputs q;         /* the same, quantized                         */
} cli_ctx;

/* Load the model a->pos[0] (checked with a->bits; diagnostics rendered on
 * stderr) and what `need` asks for.  Returns an exit status; c is always
 * safe to pass to cli_close afterwards. */
int cli_open(const char *cmd, const cli_args *a, unsigned need, cli_ctx *c);
void cli_close(cli_ctx *c);

/* The model's output node and its number of entries. */
const zkm_node *cli_output_node(const zkm_model *m);
uint64_t cli_output_count(const zkm_model *m);
/* The real value q * 2^-frac of an output integer (the output's frac). */
double cli_value(const zkm_model *m, int64_t q);
/* max_i |cli_value(out[i]) - ref[i]| over the output's entries. */
double cli_max_abs_diff(const zkm_model *m, const int64_t *out, const double *ref);
/* Index of the largest of n values (the first on a tie); 0 when n = 0. */
uint64_t cli_argmax_i64(const int64_t *v, uint64_t n);
uint64_t cli_argmax_f64(const double *v, uint64_t n);

/* The output table: index, integer, real value (q * 2^-frac), and when ref
 * is not NULL the float reference and the difference; then the argmax. */
void cli_print_output(const zkm_model *m, const int64_t *out, const double *ref);

/* "61,706" into buf. */
const char *cli_count(char *buf, size_t n, uint64_t v);

/* JSON: build objects with `bad |= json_object_set_new(o, key, value)`
 * (non-zero when either allocation failed, the value then released), so one
 * flag records whether the object is complete. */
/* o.output = the integers and, with with_values, o.values = their real
 * values and o.argmax.  Returns non-zero when memory ran out. */
int cli_json_output(json_t *o, const zkm_model *m, const int64_t *out, int with_values);
/* An array of n doubles (null for a non-finite one), or NULL when memory
 * ran out. */
json_t *cli_json_reals(const double *v, uint64_t n);
/* Print o as one line on stdout and release it; bad (or o NULL) prints
 * "zkm CMD: out of memory" instead.  Returns an exit status. */
int cli_json_print(const char *cmd, json_t *o, int bad);

/* ------------------------------------------------- proving and verifying */

#define CLI_PROOF_MAX_BYTES ((size_t)1 << 32)

/* Prove c's quantized inputs on c's net and write the proof to path
 * atomically, with a progress bar on a terminal if progress is set; *out
 * receives the output.  Returns an exit status (after a message naming
 * cmd). */
int cli_prove_to_file(const char *cmd, const cli_ctx *c, const char *path, int progress,
                      int64_t **out, zkm_prove_stats *s);

/* A verification's result: a rejection is a verdict, not an error. */
typedef struct {
    int accepted;
    char reason[256];
    zkm_verify_stats s;
    size_t file_bytes;
    int64_t *out;    /* the proven output (accepted)              */
    zkm_qinputs pub; /* the public input the proof carries        */
} cli_verdict;

/* Read path and verify it against c's net; with check_input the proof must
 * be for c's quantized inputs.  Returns an exit status for errors (an
 * unreadable file, out of memory), else 0 with *v filled; free v with
 * cli_verdict_free. */
int cli_verify_file(const char *cmd, const cli_ctx *c, const char *path, int check_input,
                    cli_verdict *v);
void cli_verdict_free(cli_verdict *v);

/* The help lines for W and I, shared by the commands that take them. */
#define CLI_HELP_WEIGHTS_INPUT                                                           \
    "  --weights FILE    weights: a safetensors file, a .npy file, or a directory of\n"   \
    "                    .npy files, named as in PyTorch's state_dict\n"                  \
    "  --seed N          seeded random weights instead (PyTorch's default ranges)\n"     \
    "  --input FILE      the input: a .npy file (or safetensors, or a directory)\n"      \
    "  --input-seed N    a seeded random input, uniform in [0, 1) (default: seed 1)\n"

#endif
