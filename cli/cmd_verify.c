/* zkm verify: check a proof file against the model and the public weights
 * or the model commitment, sharing nothing with the prover but the files.
 * The proof names its mode (public or committed weights, public or private
 * input, committed or clear advice); the verifier sets the same before
 * verifying and needs the weights or the commitment accordingly.  A proof
 * that does not verify, is malformed, or was made for another model,
 * bit-width, commitment or (when one is given) input is rejected: exit 1,
 * the reason on stderr or in the JSON. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "load.h"
#include "zkm_file.h"
#include "zkm_time.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: zkm verify MODEL.zkm PROOF.zkp (--weights FILE | --seed N |\n"
            "                  --commitment MODEL.zkc) [--input FILE | --input-seed N]\n"
            "                  [--bits B] [--threads N] [--json]\n\n"
            "Verify a proof made by zkm prove and print the output it proves.\n"
            "The proof says how it was made.  Public weights (the default): give the same\n"
            "--weights FILE or --seed N as the prover; the verifier evaluates them itself.\n"
            "Committed weights (zkm prove --commitment): give the model commitment\n"
            "MODEL.zkc (zkm commit) instead; the verifier never sees the weights.\n"
            "Give the same --bits as the prover too: the proof is bound to the circuit's\n"
            "digest.  A proof with a public input carries it; with --input or --input-seed\n"
            "it must be that input, otherwise the proof is rejected (\"the proof is for\n"
            "another input\").  A proof made with --private-input shows only the output.\n\n"
            "options:\n"
            "  --weights FILE    the weights the proof was made with (safetensors, .npy, or a\n"
            "                    directory of .npy files)\n"
            "  --seed N          or the seed they were made from\n"
            "  --commitment MODEL.zkc\n"
            "                    the model commitment (zkm commit), for a proof made with\n"
            "                    committed weights\n"
            "  --input FILE      require the proof to be for this input (.npy)\n"
            "  --input-seed N    require the proof to be for this seeded input\n"
            "  --bits B          the bit-width the proof was made at (2..32)\n"
            CLI_HELP_THREADS
            "  --json            print one JSON object on stdout instead of the report\n\n"
            "exit status: 0 accepted, 1 rejected, 2 bad usage or malformed input (a\n"
            "malformed commitment, the weights missing or given where the proof needs\n"
            "--commitment, an unreadable file)\n");
}

static const cli_spec spec = {
    .cmd = "verify",
    .accept = CLI_OPT_BITS | CLI_OPT_JSON | CLI_OPT_W | CLI_OPT_I | CLI_OPT_THREADS |
              CLI_OPT_COM | CLI_OPT_W_OR_COM,
    .n_pos = 2,
    .pos_name = {"MODEL.zkm", "PROOF.zkp"},
    .help = help,
};

/* What the user gave against what the proof needs (mode read from it). */
static int check_flags(const cli_args *a, unsigned mode)
{
    const char *p = a->pos[1];
    if ((mode & ZKM_NET_COMMITTED_WEIGHTS) && !a->commitment) {
        fprintf(stderr, "zkm verify: %s: the proof was made with committed weights: give "
                "--commitment MODEL.zkc (the model commitment) instead of %s; its verifier "
                "never sees the weights\n", p, a->weights ? "--weights" : "--seed");
        return ZKM_EXIT_USAGE;
    }
    if (!(mode & ZKM_NET_COMMITTED_WEIGHTS) && a->commitment) {
        fprintf(stderr, "zkm verify: %s: the proof was made with public weights: give "
                "--weights FILE or --seed N instead of --commitment\n", p);
        return ZKM_EXIT_USAGE;
    }
    if ((mode & ZKM_NET_PRIVATE_INPUT) && (a->input || a->has_input_seed)) {
        fprintf(stderr, "zkm verify: %s: the proof was made with --private-input: it does "
                "not show its input, so %s cannot be checked\n", p,
                a->input ? "--input" : "--input-seed");
        return ZKM_EXIT_USAGE;
    }
    return ZKM_EXIT_OK;
}

static void print_report(const zkm_model *m, const cli_args *a, const char *mode,
                         const cli_verdict *v)
{
    char b[6][32];
    if (!v->accepted) {
        fprintf(stderr, "zkm verify: %s: rejected: %s\n", a->pos[1], v->reason);
        return;
    }
    const int threads = cli_threads(a);
    printf("model %s at %u bits: proof %s (%s) ACCEPTED\n", m->name, m->act.bits, a->pos[1],
           cli_bytes(b[0], 32, (double)v->file_bytes));
    if (a->commitment)
        printf("  mode   %s: weights committed in %s\n", mode, a->commitment);
    else if (a->weights)
        printf("  mode   %s: weights from %s\n", mode, a->weights);
    else
        printf("  mode   %s: weights from --seed %llu\n", mode, (unsigned long long)a->seed);
    printf("  verify %s (weights %s, input %s, advice %s, commitments %s), %d thread%s\n",
           cli_seconds(b[1], 32, v->s.total_s), cli_seconds(b[2], 32, v->s.weights_eval_s),
           cli_seconds(b[3], 32, v->s.input_eval_s), cli_seconds(b[4], 32, v->s.advice_eval_s),
           cli_seconds(b[5], 32, v->s.commit_s), threads, threads == 1 ? "" : "s");
    cli_print_output(m, v->out, NULL);
}

static int print_json(const zkm_model *m, const cli_args *a, const char *mode,
                      const cli_verdict *v)
{
    json_t *o = json_object();
    int bad = json_object_set_new(o, "model", json_string(m->name));
    bad |= json_object_set_new(o, "proof", json_string(a->pos[1]));
    bad |= json_object_set_new(o, "mode", mode ? json_string(mode) : json_null());
    bad |= json_object_set_new(o, "threads", json_integer(cli_threads(a)));
    bad |= json_object_set_new(o, "accepted", json_boolean(v->accepted));
    if (!v->accepted)
        bad |= json_object_set_new(o, "reason", json_string(v->reason));
    bad |= json_object_set_new(o, "verify_s", json_real(v->s.total_s));
    bad |= json_object_set_new(o, "weights_eval_s", json_real(v->s.weights_eval_s));
    bad |= json_object_set_new(o, "input_eval_s", json_real(v->s.input_eval_s));
    bad |= json_object_set_new(o, "advice_eval_s", json_real(v->s.advice_eval_s));
    bad |= json_object_set_new(o, "commit_s", json_real(v->s.commit_s));
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
    uint8_t *bytes = NULL;
    size_t len = 0;
    unsigned mode = 0;
    char ms[64];
    zkm_err e;
    memset(&v, 0, sizeof v);
    memset(&c, 0, sizeof c);
    zkm_err_clear(&e);
    int rc = cli_args_parse(&spec, argc, argv, &a);
    if (rc >= 0)
        return rc;
    rc = ZKM_EXIT_OK;
    const int check_input = a.input || a.has_input_seed;
    const int has_w = a.weights || a.has_seed;

    /* the proof first: its mode says what the verifier needs */
    if (zkm_read_file(a.pos[1], CLI_PROOF_MAX_BYTES, &bytes, &len, &e)) {
        fprintf(stderr, "zkm verify: %s\n", e.msg);
        return ZKM_EXIT_USAGE;
    }
    /* unreadable mode: the proof is malformed, and verifying it rejects it */
    const int known = zkm_proof_mode(bytes, len, &mode, &e) == ZKM_OK;
    if (known)
        rc = check_flags(&a, mode);
    if (known) /* the circuit follows the proof's range checks */
        a.limb = ZKM_MODE_LIMB(mode);
    if (!rc)
        rc = cli_open("verify", &a,
                      CLI_NEED_NET | (has_w ? CLI_NEED_WEIGHTS : 0) |
                          (check_input ? CLI_NEED_INPUTS : 0),
                      &c);
    if (!rc && known && zkm_net_set_mode(c.net, ZKM_MODE_FLAGS(mode), &e)) {
        fprintf(stderr, "zkm verify: %s\n", e.msg);
        rc = ZKM_EXIT_USAGE;
    }
    int rejected = 0;
    if (!rc && a.commitment) {
        /* reading the commitment is the verifier's work: timed */
        const double t0 = zkm_now();
        rc = cli_load_commitment("verify", &c, a.commitment, v.reason, sizeof v.reason);
        if (rc == ZKM_EXIT_REJECT) {
            rejected = 1;
            rc = ZKM_EXIT_OK;
            v.file_bytes = v.s.proof_bytes = len;
            v.s.total_s = v.s.commit_s = zkm_now() - t0;
        }
    }
    if (!rc && !rejected)
        rc = cli_verify_bytes("verify", &c, a.pos[1], bytes, len, check_input, &v);
    free(bytes);
    if (!rc) {
        const char *mstr = known ? cli_mode_str(ms, sizeof ms, mode) : NULL;
        if (a.json)
            rc = print_json(c.model, &a, mstr, &v);
        else
            print_report(c.model, &a, mstr, &v);
        if (!rc && !v.accepted)
            rc = ZKM_EXIT_REJECT;
    }
    cli_verdict_free(&v);
    cli_close(&c);
    return rc;
}
