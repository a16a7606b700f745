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

static void print_report(const zkm_model *m, const cli_args *a, const cli_verdict *v)
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

static int print_json(const zkm_model *m, const cli_args *a, const cli_verdict *v)
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
    cli_verdict v;
    memset(&v, 0, sizeof v);
    int rc = cli_args_parse(&spec, argc, argv, &a);
    if (rc >= 0)
        return rc;
    const int check_input = a.input || a.has_input_seed;
    rc = cli_open("verify", &a, CLI_NEED_WEIGHTS | (check_input ? CLI_NEED_INPUTS : 0), &c);
    if (!rc)
        rc = cli_verify_file("verify", &c, a.pos[1], check_input, &v);
    if (!rc) {
        if (a.json)
            rc = print_json(c.model, &a, &v);
        else
            print_report(c.model, &a, &v);
        if (!rc && !v.accepted)
            rc = ZKM_EXIT_REJECT;
    }
    cli_verdict_free(&v);
    cli_close(&c);
    return rc;
}
