/* zkm run: the quantized inference, exactly what a proof would attest;
 * with --float also the float reference on the same weights and input. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "load.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: zkm run MODEL.zkm (--weights FILE | --seed N)\n"
            "               [--input FILE | --input-seed N] [--bits B] [--float] [--json]\n\n"
            "Run the quantized model on integers, as the prover does, and print the output\n"
            "integers, their real values (q * 2^-frac) and the index of the largest.\n"
            "A value that does not fit its format anywhere is an error naming the node.\n\n"
            "options:\n"
            CLI_HELP_WEIGHTS_INPUT
            "  --bits B          re-target every format to B bits (2..32)\n"
            "  --float           also run the float reference (double, real weights,\n"
            "                    batchnorm unfolded) and print the difference\n"
            "  --json            print one JSON object on stdout instead of the table\n");
}

static const cli_spec spec = {
    .cmd = "run",
    .accept = CLI_OPT_BITS | CLI_OPT_JSON | CLI_OPT_W | CLI_OPT_I | CLI_OPT_FLOAT,
    .n_pos = 1,
    .pos_name = {"MODEL.zkm"},
    .help = help,
};

static int print_json(const zkm_model *m, const int64_t *out, const double *ref)
{
    json_t *o = json_object();
    int bad = json_object_set_new(o, "model", json_string(m->name));
    bad |= cli_json_output(o, m, out, 1);
    if (ref) {
        const uint64_t n = cli_output_count(m);
        bad |= json_object_set_new(o, "reference", cli_json_reals(ref, n));
        bad |= json_object_set_new(o, "reference_argmax",
                                   json_integer((json_int_t)cli_argmax_f64(ref, n)));
        bad |= json_object_set_new(o, "max_abs_diff", json_real(cli_max_abs_diff(m, out, ref)));
    }
    return cli_json_print("run", o, bad);
}

int cmd_run(int argc, char **argv)
{
    cli_args a;
    cli_ctx c;
    zkm_err e;
    int64_t *out = NULL;
    double *ref = NULL;
    int rc = cli_args_parse(&spec, argc, argv, &a);
    if (rc >= 0)
        return rc;
    zkm_err_clear(&e);
    rc = cli_open("run", &a,
                  CLI_NEED_WEIGHTS | CLI_NEED_INPUTS | (a.use_float ? CLI_KEEP_WEIGHTS : 0), &c);
    if (!rc) {
        zkm_status st = zkm_net_run(c.net, &c.q, &out, &e);
        if (!st && a.use_float)
            st = zkm_net_reference(c.net, &c.w, &c.in, &ref, &e);
        if (st) {
            fprintf(stderr, "zkm run: %s: %s\n", a.pos[0], e.msg);
            rc = cli_exit_for(st);
        }
    }
    if (!rc && a.json)
        rc = print_json(c.model, out, ref);
    else if (!rc)
        cli_print_output(c.model, out, ref);
    free(out);
    free(ref);
    cli_close(&c);
    return rc;
}
