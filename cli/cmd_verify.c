/* zkm verify: check a proof file against the model and the public weights,
 * sharing nothing with the prover but the file.  A proof that does not
 * verify, is malformed, or was made for another model, bit-width or (when
 * one is given) input is rejected: exit 1, the reason on stderr or in the
 * JSON. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "load.h"
#include "zkm_file.h"

#define PROOF_MAX_BYTES ((size_t)1 << 32)

static void help(FILE *f)
{
    fprintf(f,
            "usage: zkm verify MODEL.zkm PROOF.zkp (--weights FILE | --seed N)\n"
            "                  [--input FILE | --input-seed N] [--bits B] [--json]\n\n"
            "Verify a proof made by zkm prove and print the output it proves.\n"
            "The weights are public in this version: give the same --weights FILE or\n"
            "--seed N as the prover; the verifier evaluates them itself.  Give the same\n"
            "--bits as the prover too: the proof is bound to the circuit's digest.\n"
            "The proof carries its public input; with --input or --input-seed it must be\n"
            "that input, otherwise the proof is rejected (\"the proof is for another input\").\n\n"
            "options:\n"
            "  --weights FILE    the weights the proof was made with (safetensors, .npy, or a\n"
            "                    directory of .npy files)\n"
            "  --seed N          or the seed they were made from\n"
            "  --input FILE      require the proof to be for this input (.npy)\n"
            "  --input-seed N    require the proof to be for this seeded input\n"
            "  --bits B          the bit-width the proof was made at (2..32)\n"
            "  --json            print one JSON object on stdout instead of the report\n\n"
            "exit status: 0 accepted, 1 rejected, 2 bad usage or malformed input\n");
}

static const cli_spec spec = {
    .cmd = "verify",
    .accept = CLI_OPT_BITS | CLI_OPT_JSON | CLI_OPT_W | CLI_OPT_I,
    .n_pos = 2,
    .pos_name = {"MODEL.zkm", "PROOF.zkp"},
    .help = help,
};

typedef struct {
    int accepted;
    char reason[256];
    zkm_verify_stats s;
    size_t file_bytes;
    int64_t *out;
    zkm_qinputs pub; /* the public input the proof carries */
} verdict;

static int same_inputs(const zkm_model *m, const zkm_qinputs *x, const zkm_qinputs *y)
{
    if (x->n != y->n || x->n != m->n_inputs)
        return 0;
    for (uint32_t i = 0; i < x->n; i++) {
        const uint64_t n = zkm_shape_count(&m->nodes[m->inputs[i]].shape);
        if (memcmp(x->q[i], y->q[i], n * sizeof x->q[i][0]) != 0)
            return 0;
    }
    return 1;
}

/* Read and verify; a rejection is a verdict, not an error.  Returns an exit
 * status for errors (unreadable file, out of memory), else 0. */
static int verify(const cli_ctx *c, const cli_args *a, int check_input, verdict *v)
{
    uint8_t *bytes = NULL;
    zkm_err e;
    zkm_err_clear(&e);
    zkm_status st = zkm_read_file(a->pos[1], PROOF_MAX_BYTES, &bytes, &v->file_bytes, &e);
    if (st) {
        fprintf(stderr, "zkm verify: %s\n", e.msg);
        return ZKM_EXIT_USAGE;
    }
    st = zkm_net_verify(c->net, bytes, v->file_bytes, &v->out, &v->pub, &v->s, &e);
    free(bytes);
    v->accepted = st == ZKM_OK;
    if (st == ZKM_EREJECT || st == ZKM_EFORMAT) {
        snprintf(v->reason, sizeof v->reason, "%s", e.msg[0] ? e.msg : zkm_status_str(st));
    } else if (st) {
        fprintf(stderr, "zkm verify: %s: %s\n", a->pos[1], e.msg);
        return cli_exit_for(st);
    } else if (check_input && !same_inputs(c->model, &v->pub, &c->q)) {
        v->accepted = 0;
        snprintf(v->reason, sizeof v->reason, "the proof is for another input");
    }
    return ZKM_EXIT_OK;
}

static void print_report(const zkm_model *m, const cli_args *a, const verdict *v)
{
    char b[5][32];
    if (!v->accepted) {
        fprintf(stderr, "zkm verify: %s: rejected: %s\n", a->pos[1], v->reason);
        return;
    }
    printf("model %s at %u bits: proof %s (%s) ACCEPTED\n", m->name, m->act.bits, a->pos[1],
           cli_bytes(b[0], 32, (double)v->file_bytes));
    printf("  verify %s (weights %s, input %s, advice %s)\n",
           cli_seconds(b[1], 32, v->s.total_s), cli_seconds(b[2], 32, v->s.weights_eval_s),
           cli_seconds(b[3], 32, v->s.input_eval_s), cli_seconds(b[4], 32, v->s.advice_eval_s));
    cli_print_output(m, v->out, NULL);
}

static int print_json(const zkm_model *m, const cli_args *a, const verdict *v)
{
    json_t *o = json_object();
    int bad = json_object_set_new(o, "model", json_string(m->name));
    bad |= json_object_set_new(o, "proof", json_string(a->pos[1]));
    bad |= json_object_set_new(o, "accepted", json_boolean(v->accepted));
    if (!v->accepted)
        bad |= json_object_set_new(o, "reason", json_string(v->reason));
    bad |= json_object_set_new(o, "verify_s", json_real(v->s.total_s));
    bad |= json_object_set_new(o, "weights_eval_s", json_real(v->s.weights_eval_s));
    bad |= json_object_set_new(o, "input_eval_s", json_real(v->s.input_eval_s));
    bad |= json_object_set_new(o, "advice_eval_s", json_real(v->s.advice_eval_s));
    bad |= json_object_set_new(o, "proof_bytes", json_integer((json_int_t)v->file_bytes));
    if (v->accepted)
        bad |= cli_json_output(o, m, v->out, 0);
    return cli_json_print("verify", o, bad);
}

int cmd_verify(int argc, char **argv)
{
    cli_args a;
    cli_ctx c;
    verdict v;
    memset(&v, 0, sizeof v);
    int rc = cli_args_parse(&spec, argc, argv, &a);
    if (rc >= 0)
        return rc;
    const int check_input = a.input || a.has_input_seed;
    rc = cli_open("verify", &a, CLI_NEED_WEIGHTS | (check_input ? CLI_NEED_INPUTS : 0), &c);
    if (!rc)
        rc = verify(&c, &a, check_input, &v);
    if (!rc) {
        if (a.json)
            rc = print_json(c.model, &a, &v);
        else
            print_report(c.model, &a, &v);
        if (!rc && !v.accepted)
            rc = ZKM_EXIT_REJECT;
    }
    free(v.out);
    zkm_qinputs_free(&v.pub);
    cli_close(&c);
    return rc;
}
