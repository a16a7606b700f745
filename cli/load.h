/* What the model commands (check, compile, run, commit, prove, verify) share:
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
    CLI_OPT_OUT = 1u << 5,    /* -o FILE (required)                         */
    CLI_OPT_THREADS = 1u << 6,/* --threads N                                */
    CLI_OPT_COM = 1u << 7,    /* --commitment FILE                          */
    CLI_OPT_KEY = 1u << 8,    /* --key FILE                                 */
    CLI_OPT_MODE = 1u << 9,   /* --private-input, --advice committed|clear, --zk */
    CLI_OPT_W_OR_COM = 1u << 10,/* W or --commitment, exactly one (with
                                   CLI_OPT_W and CLI_OPT_COM: verify)        */
    CLI_OPT_RANGE = 1u << 11    /* --range bits|lookup, --limb L            */
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
    uint32_t threads;       /* --threads N; 0: the online CPUs (cli_threads) */
    const char *commitment; /* --commitment FILE, or NULL                    */
    const char *key;        /* --key FILE, or NULL                           */
    int private_input;      /* --private-input                               */
    int advice_clear;       /* --advice clear                                */
    int zk;                 /* --zk                                          */
    uint32_t limb;          /* the lookup limb (--range lookup [--limb L]);
                               0: range checks by bits                       */
    uint32_t limb_set;      /* --limb L as given (0: not given)              */
} cli_args;

#define CLI_MAX_THREADS 1024

/* --threads N, else the number of online CPUs (at least 1). */
int cli_threads(const cli_args *a);

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
 * stderr) and what `need` asks for; the net runs on cli_threads(a) threads.  Returns an exit status; c is always
 * safe to pass to cli_close afterwards. */
int cli_open(const char *cmd, const cli_args *a, unsigned need, cli_ctx *c);
void cli_close(cli_ctx *c);

/* Read a model commitment (.zkc) and load it into c's net
 * (zkm_net_load_commitment: the net's mode gains ZKM_NET_COMMITTED_WEIGHTS).
 * An unreadable or malformed file is exit status 2 after a message; a
 * well-formed commitment to another circuit is ZKM_EREJECT: with reject set
 * the reason goes to reject (capacity reject_cap) and 1 is returned without
 * a message, otherwise it is exit status 2 after a message. */
int cli_load_commitment(const char *cmd, cli_ctx *c, const char *path, char *reject,
                        size_t reject_cap);

/* The proof mode in words: "public" or "committed" (the weights), then
 * "+private-input", "+clear-advice", "+zk" and "+lookupL" when set; into
 * buf.  mode: a mode word (ZKM_MODE_FLAGS, ZKM_MODE_LIMB). */
const char *cli_mode_str(char *buf, size_t n, unsigned mode);

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
#define CLI_ZKC_MAX_BYTES ((size_t)1 << 32)
#define CLI_KEY_MAX_BYTES ((size_t)1 << 16)

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

/* Read path and verify it against c's net (its mode set as the proof's
 * already); with check_input the proof must be for c's quantized inputs.
 * Returns an exit status for errors (an unreadable file, out of memory),
 * else 0 with *v filled; free v with cli_verdict_free.  cli_verify_bytes:
 * the same on the file's bytes, already read. */
int cli_verify_file(const char *cmd, const cli_ctx *c, const char *path, int check_input,
                    cli_verdict *v);
int cli_verify_bytes(const char *cmd, const cli_ctx *c, const char *path, const uint8_t *bytes,
                     size_t len, int check_input, cli_verdict *v);
void cli_verdict_free(cli_verdict *v);

/* The help lines for W and I, shared by the commands that take them. */
#define CLI_HELP_WEIGHTS_INPUT                                                           \
    "  --weights FILE    weights: a safetensors file, a .npy file, or a directory of\n"   \
    "                    .npy files, named as in PyTorch's state_dict\n"                  \
    "  --seed N          seeded random weights instead (PyTorch's default ranges)\n"     \
    "  --input FILE      the input: a .npy file (or safetensors, or a directory)\n"      \
    "  --input-seed N    a seeded random input, uniform in [0, 1) (default: seed 1)\n"

#define CLI_HELP_RANGE                                                                   \
    "  --range bits|lookup\n"                                                              \
    "                    range checks (rescale, relu, max-pool) by bit decomposition\n"    \
    "                    (the default) or by lookup in a table of 2^L entries (LogUp);\n"  \
    "                    the circuit differs: commit, prove and compile alike\n"           \
    "  --limb L          the lookup's limb size in bits (2..20, default 8)\n"

#define CLI_HELP_THREADS                                                                 \
    "  --threads N       threads for the curve arithmetic (commitments, openings);\n"     \
    "                    default: the online CPUs; 1 runs on one\n"

#endif
