/* zkm prove: prove one quantized inference and write the .zkp file
 * (atomically: a failed run never leaves a partial file). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "cli.h"
#include "load.h"
#include "progress.h"
#include "zkm_file.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: zkm prove MODEL.zkm (--weights FILE | --seed N)\n"
            "                 [--input FILE | --input-seed N] [--bits B] -o PROOF.zkp\n"
            "                 [--commitment MODEL.zkc [--key FILE]] [--private-input]\n"
            "                 [--advice committed|clear] [--zk] [--range bits|lookup [--limb L]]\n"
            "                 [--threads N] [--json]\n\n"
            "Run the quantized model and prove the run with GKR; write the proof file.\n"
            "The proof carries the circuit digest (the model at this bit-width and in this\n"
            "mode), the claimed output, a Hyrax commitment to the advice (range-check bits,\n"
            "max-pool maxima) with its opening, and the public input.  By default the\n"
            "weights are public: the verifier is given the same --weights FILE or --seed N.\n"
            "With --commitment they are committed: the prover still needs the weights\n"
            "(to compute), the verifier only MODEL.zkc (see zkm commit).\n"
            "On a terminal, a progress bar is drawn on stderr while proving.\n\n"
            "options:\n"
            CLI_HELP_WEIGHTS_INPUT
            "  --bits B          re-target every format to B bits (2..32); verify at the same\n"
            "  -o, --output FILE the proof file to write (replaced atomically)\n"
            "  --commitment MODEL.zkc\n"
            "                    committed weights: prove against this model commitment\n"
            "                    (zkm commit, made from the same weights); the verifier then\n"
            "                    needs MODEL.zkc instead of the weights (zero knowledge only\n"
            "                    with --zk: otherwise the sum-check messages are in the clear)\n"
            "  --key FILE        the commitment's secret key (default: MODEL.zkc.key)\n"
            "  --private-input   commit the model input in the proof instead of including it:\n"
            "                    only the output is public\n"
            "  --advice committed|clear\n"
            "                    the advice committed in the proof (the default), or packed\n"
            "                    in the clear as in earlier versions (larger proofs)\n"
            "  --zk              zero knowledge: every message of the proof is a Pedersen\n"
            "                    commitment, its relations proven by sigma protocols (Hyrax);\n"
            "                    with --commitment and --private-input the proof shows nothing\n"
            "                    but the output (needs the advice committed)\n"
            CLI_HELP_RANGE
            CLI_HELP_THREADS
            "  --json            print one JSON object on stdout instead of the report\n\n"
            "exit status: 0 proof written, 2 bad usage or input (malformed commitment, a key\n"
            "for other weights, a value outside its format, a failed write)\n");
}

static const cli_spec spec = {
    .cmd = "prove",
    .accept = CLI_OPT_BITS | CLI_OPT_JSON | CLI_OPT_W | CLI_OPT_I | CLI_OPT_OUT |
              CLI_OPT_THREADS | CLI_OPT_COM | CLI_OPT_KEY | CLI_OPT_MODE | CLI_OPT_RANGE,
    .n_pos = 1,
    .pos_name = {"MODEL.zkm"},
    .help = help,
};

/* The mode from the flags; with --commitment, the commitment and its key
 * loaded (every failure is bad input: exit 2). */
static int set_mode(const cli_args *a, cli_ctx *c)
{
    zkm_err e;
    zkm_err_clear(&e);
    const unsigned mode = (a->private_input ? ZKM_NET_PRIVATE_INPUT : 0u) |
                          (a->advice_clear ? ZKM_NET_ADVICE_CLEAR : 0u) |
                          (a->zk ? ZKM_NET_ZK : 0u);
    if (zkm_net_set_mode(c->net, mode, &e)) {
        fprintf(stderr, "zkm prove: %s\n", e.msg);
        return ZKM_EXIT_USAGE;
    }
    if (!a->commitment)
        return ZKM_EXIT_OK;
    int rc = cli_load_commitment("prove", c, a->commitment, NULL, 0);
    if (rc)
        return rc;
    char dflt[4096];
    const char *kpath = a->key;
    if (!kpath) {
        if ((size_t)snprintf(dflt, sizeof dflt, "%s.key", a->commitment) >= sizeof dflt) {
            fprintf(stderr, "zkm prove: --commitment %s: path too long\n", a->commitment);
            return ZKM_EXIT_USAGE;
        }
        kpath = dflt;
    }
    uint8_t *key = NULL;
    size_t len = 0;
    zkm_status st = zkm_read_file(kpath, CLI_KEY_MAX_BYTES, &key, &len, &e);
    if (st) {
        fprintf(stderr, "zkm prove: the commitment's secret key: %s%s\n", e.msg,
                a->key ? "" : " (written by zkm commit beside MODEL.zkc; or give --key FILE)");
        return ZKM_EXIT_USAGE;
    }
    st = zkm_net_load_key(c->net, key, len, &e);
    sodium_memzero(key, len);
    free(key);
    if (st) {
        fprintf(stderr, "zkm prove: %s: %s\n", kpath, e.msg);
        return ZKM_EXIT_USAGE;
    }
    return ZKM_EXIT_OK;
}

static void print_report(const zkm_model *m, const char *path, unsigned mode, int threads,
                         const zkm_prove_stats *s, const int64_t *out)
{
    char b[6][64];
    printf("model %s at %u bits: proof written to %s\n", m->name, m->act.bits, path);
    printf("  mode   %s (weights %s, input %s, advice %s, %szero knowledge)\n",
           cli_mode_str(b[0], 64, mode),
           mode & ZKM_NET_COMMITTED_WEIGHTS ? "committed" : "public",
           mode & ZKM_NET_PRIVATE_INPUT ? "committed" : "public",
           mode & ZKM_NET_ADVICE_CLEAR ? "in the clear" : "committed",
           mode & ZKM_NET_ZK ? "" : "not ");
    printf("  time   %s = witness %s + proof %s (of which commitments %s), %d thread%s\n",
           cli_seconds(b[0], 32, s->prove_s), cli_seconds(b[1], 32, s->witness_s),
           cli_seconds(b[2], 32, s->proof_s), cli_seconds(b[3], 32, s->commit_s), threads,
           threads == 1 ? "" : "s");
    printf("  proof  %s = argument %s (of which commitments %s) + advice %s + output %s"
           " + input %s\n",
           cli_bytes(b[0], 32, (double)s->proof_bytes),
           cli_bytes(b[1], 32, (double)s->argument_bytes),
           cli_bytes(b[2], 32, (double)s->commit_bytes),
           cli_bytes(b[3], 32, (double)s->advice_bytes),
           cli_bytes(b[4], 32, (double)s->output_bytes),
           cli_bytes(b[5], 32, (double)s->input_bytes));
    cli_print_output(m, out, NULL);
}

static int print_json(const zkm_model *m, const char *path, unsigned mode, int threads,
                      const zkm_prove_stats *s, const int64_t *out)
{
    char ms[64];
    json_t *o = json_object();
    int bad = json_object_set_new(o, "model", json_string(m->name));
    bad |= json_object_set_new(o, "proof", json_string(path));
    bad |= json_object_set_new(o, "mode", json_string(cli_mode_str(ms, sizeof ms, mode)));
    bad |= json_object_set_new(o, "threads", json_integer(threads));
    bad |= json_object_set_new(o, "prove_s", json_real(s->prove_s));
    bad |= json_object_set_new(o, "witness_s", json_real(s->witness_s));
    bad |= json_object_set_new(o, "proof_s", json_real(s->proof_s));
    bad |= json_object_set_new(o, "commit_s", json_real(s->commit_s));
    bad |= json_object_set_new(o, "proof_bytes", json_integer((json_int_t)s->proof_bytes));
    bad |= json_object_set_new(o, "argument_bytes", json_integer((json_int_t)s->argument_bytes));
    bad |= json_object_set_new(o, "commit_bytes", json_integer((json_int_t)s->commit_bytes));
    bad |= json_object_set_new(o, "advice_bytes", json_integer((json_int_t)s->advice_bytes));
    bad |= json_object_set_new(o, "output_bytes", json_integer((json_int_t)s->output_bytes));
    bad |= json_object_set_new(o, "input_bytes", json_integer((json_int_t)s->input_bytes));
    json_t *nodes = json_array();
    bad |= json_object_set_new(o, "nodes", nodes);
    for (uint32_t i = 0; nodes && s->node_s && i < m->n_nodes; i++) {
        json_t *x = json_object();
        bad |= json_object_set_new(x, "node", json_string(m->nodes[i].name));
        bad |= json_object_set_new(x, "prove_s", json_real(s->node_s[i]));
        bad |= json_array_append_new(nodes, x);
    }
    bad |= cli_json_output(o, m, out, 0);
    return cli_json_print("prove", o, bad);
}

int cmd_prove(int argc, char **argv)
{
    cli_args a;
    cli_ctx c;
    zkm_prove_stats s = {0};
    int64_t *out = NULL;
    int rc = cli_args_parse(&spec, argc, argv, &a);
    if (rc >= 0)
        return rc;
    rc = cli_open("prove", &a, CLI_NEED_WEIGHTS | CLI_NEED_INPUTS, &c);
    if (!rc)
        rc = set_mode(&a, &c);
    if (!rc)
        rc = cli_prove_to_file("prove", &c, a.out, 1, &out, &s);
    if (!rc) {
        const unsigned mode = zkm_net_mode(c.net) | zkm_net_limb(c.net) << 8;
        if (a.json)
            rc = print_json(c.model, a.out, mode, cli_threads(&a), &s, out);
        else
            print_report(c.model, a.out, mode, cli_threads(&a), &s, out);
    }
    free(out);
    free(s.node_s);
    cli_close(&c);
    return rc;
}
