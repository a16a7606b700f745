/* zkm prove: prove one quantized inference and write the .zkp file
 * (atomically: a failed run never leaves a partial file). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "load.h"
#include "progress.h"
#include "zkm_file.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: zkm prove MODEL.zkm (--weights FILE | --seed N)\n"
            "                 [--input FILE | --input-seed N] [--bits B] -o PROOF.zkp [--json]\n\n"
            "Run the quantized model and prove the run with GKR; write the proof file.\n"
            "The proof carries the circuit digest (the model at this bit-width), the public\n"
            "input, the claimed output and the advice; the weights are public in this\n"
            "version: the verifier is given the same --weights FILE or --seed N.\n"
            "On a terminal, a progress bar is drawn on stderr while proving.\n\n"
            "options:\n"
            CLI_HELP_WEIGHTS_INPUT
            "  --bits B          re-target every format to B bits (2..32); verify with the same\n"
            "  -o, --output FILE the proof file to write (replaced atomically)\n"
            "  --json            print one JSON object on stdout instead of the report\n");
}

static const cli_spec spec = {
    .cmd = "prove",
    .accept = CLI_OPT_BITS | CLI_OPT_JSON | CLI_OPT_W | CLI_OPT_I | CLI_OPT_OUT,
    .n_pos = 1,
    .pos_name = {"MODEL.zkm"},
    .help = help,
};

static void print_report(const zkm_model *m, const char *path, const zkm_prove_stats *s,
                         const int64_t *out)
{
    char b[6][32];
    printf("model %s at %u bits: proof written to %s\n", m->name, m->act.bits, path);
    printf("  time   %s = witness %s + proof %s\n", cli_seconds(b[0], 32, s->prove_s),
           cli_seconds(b[1], 32, s->witness_s), cli_seconds(b[2], 32, s->proof_s));
    printf("  proof  %s = argument %s + advice %s + output %s + input %s\n",
           cli_bytes(b[0], 32, (double)s->proof_bytes),
           cli_bytes(b[1], 32, (double)s->argument_bytes),
           cli_bytes(b[2], 32, (double)s->advice_bytes),
           cli_bytes(b[3], 32, (double)s->output_bytes),
           cli_bytes(b[4], 32, (double)s->input_bytes));
    cli_print_output(m, out, NULL);
}

static int print_json(const zkm_model *m, const char *path, const zkm_prove_stats *s,
                      const int64_t *out)
{
    json_t *o = json_object();
    int bad = json_object_set_new(o, "model", json_string(m->name));
    bad |= json_object_set_new(o, "proof", json_string(path));
    bad |= json_object_set_new(o, "prove_s", json_real(s->prove_s));
    bad |= json_object_set_new(o, "witness_s", json_real(s->witness_s));
    bad |= json_object_set_new(o, "proof_s", json_real(s->proof_s));
    bad |= json_object_set_new(o, "proof_bytes", json_integer((json_int_t)s->proof_bytes));
    bad |= json_object_set_new(o, "argument_bytes", json_integer((json_int_t)s->argument_bytes));
    bad |= json_object_set_new(o, "advice_bytes", json_integer((json_int_t)s->advice_bytes));
    bad |= json_object_set_new(o, "output_bytes", json_integer((json_int_t)s->output_bytes));
    bad |= json_object_set_new(o, "input_bytes", json_integer((json_int_t)s->input_bytes));
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
        rc = cli_prove_to_file("prove", &c, a.out, 1, &out, &s);
    if (!rc && a.json)
        rc = print_json(c.model, a.out, &s, out);
    else if (!rc)
        print_report(c.model, a.out, &s, out);
    free(out);
    cli_close(&c);
    return rc;
}
