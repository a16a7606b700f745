/* zkm demo: prove and verify the built-in sample circuits.  The verifier
 * side rebuilds its own circuit and public input and reads the proof back
 * from the file, sharing nothing with the prover but those bytes. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gkr.h"
#include "sample.h"
#include "zkm_file.h"

#define PROOF_MAX_BYTES ((size_t)1 << 31)

static void help(FILE *f)
{
    fprintf(f,
            "usage: zkm demo [--seed N] [--size K] [--out DIR] [--json]\n\n"
            "Prove and verify two built-in sample circuits, each proof written to a file\n"
            "and verified from that file by a verifier that rebuilds the circuit itself:\n"
            "  dense   a small circuit using every layer kind: y = W x (matrix product),\n"
            "          z = y*y + 3y (element-wise), then pairwise gates (generic)\n"
            "  random  Libra's random depth-3 circuit with 2^K gates per layer\n\n"
            "options:\n"
            "  --seed N   seed for the sample inputs and wiring (default 1)\n"
            "  --size K   log2 of the random circuit's gates per layer, 1..22 (default 16)\n"
            "  --out DIR  keep the proofs in DIR (default: a temporary directory, removed)\n"
            "  --json     print one JSON object on stdout instead of the report\n");
}

typedef zkm_status (*builder)(gkr_circuit *, fr ***, void *, zkm_err *);

typedef struct {
    uint64_t seed;
    uint32_t size;
} demo_args;

static zkm_status build_dense(gkr_circuit *c, fr ***in, void *a, zkm_err *e)
{
    return gkr_sample_demo(c, in, ((demo_args *)a)->seed, e);
}

static zkm_status build_random(gkr_circuit *c, fr ***in, void *a, zkm_err *e)
{
    demo_args *d = a;
    return gkr_sample_libra(c, in, 3, d->size, d->seed, e);
}

typedef struct {
    const char *name;
    uint32_t layers;
    uint64_t ops;
    double prove_s, verify_s, input_eval_s;
    size_t proof_bytes, output_bytes;
    int accepted;
    char reason[256];
} demo_result;

static int run_sample(const char *name, builder build, demo_args *args, const char *path,
                      demo_result *res, zkm_err *e)
{
    gkr_circuit pc, vc;
    fr **pin = NULL, **vin = NULL, *out = NULL;
    uint8_t *proof = NULL, *bytes = NULL;
    size_t len = 0, blen = 0;
    gkr_stats ps, vs;
    int have_p = 0, have_v = 0;
    zkm_status st;
    memset(res, 0, sizeof *res);
    res->name = name;

    /* prover */
    st = build(&pc, &pin, args, e);
    have_p = !st;
    if (!st)
        st = gkr_eval(&pc, pin, e);
    if (!st)
        st = gkr_prove(&pc, pin, &proof, &len, &ps, e);
    if (!st)
        st = zkm_write_file_atomic(path, proof, len, e);
    if (st)
        goto done;
    res->layers = pc.n_layers;
    for (uint32_t i = 0; i < pc.n_layers; i++)
        res->ops += gkr_layer_ops(&pc.layers[i]);
    res->prove_s = ps.total_s;
    res->proof_bytes = ps.proof_bytes;
    res->output_bytes = ps.output_bytes;
    const size_t n_out = (size_t)1 << pc.layers[0].nvars;

    /* verifier: its own circuit and public input, the proof from the file */
    st = build(&vc, &vin, args, e);
    have_v = !st;
    if (!st)
        st = zkm_read_file(path, PROOF_MAX_BYTES, &bytes, &blen, e);
    if (st)
        goto done;
    st = gkr_verify(&vc, vin, bytes, blen, &out, &vs, e);
    res->verify_s = vs.total_s;
    res->input_eval_s = vs.input_eval_s;
    res->accepted = st == ZKM_OK;
    if (st == ZKM_EREJECT || st == ZKM_EFORMAT) {
        snprintf(res->reason, sizeof res->reason, "%s", e->msg);
        st = ZKM_OK; /* a rejection is a result, reported by the caller */
    } else if (!st && memcmp(out, pin[0], n_out * sizeof(fr)) != 0) {
        res->accepted = 0;
        snprintf(res->reason, sizeof res->reason, "verified output differs from the prover's");
    }
done:
    if (have_p) {
        gkr_values_free(&pc, pin);
        gkr_sample_inputs_free(&pc, pin);
        gkr_circuit_free(&pc);
    }
    if (have_v) {
        gkr_sample_inputs_free(&vc, vin);
        gkr_circuit_free(&vc);
    }
    free(out);
    free(proof);
    free(bytes);
    return st;
}

static void report(const demo_result *r, const char *path)
{
    char a[32], b[32], c[32], d[32];
    printf("%-7s %u layers, %llu gates/multiplies\n", r->name, r->layers,
           (unsigned long long)r->ops);
    /* the file also carries the claimed output; the rest is the argument */
    const double out_b = (double)r->output_bytes;
    printf("        prove  %-10s proof file %s = claimed output %s + argument %s -> %s\n",
           cli_seconds(a, sizeof a, r->prove_s), cli_bytes(b, sizeof b, (double)r->proof_bytes),
           cli_bytes(c, sizeof c, out_b), cli_bytes(d, sizeof d, (double)r->proof_bytes - out_b),
           path);
    printf("        verify %-10s (%s evaluating the public input)  %s%s%s\n",
           cli_seconds(c, sizeof c, r->verify_s), cli_seconds(d, sizeof d, r->input_eval_s),
           r->accepted ? "ACCEPTED" : "REJECTED", r->accepted ? "" : ": ", r->reason);
}

int cmd_demo(int argc, char **argv)
{
    demo_args args = {.seed = 1, .size = 16};
    const char *outdir = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint64_t v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help(stdout);
            return ZKM_EXIT_OK;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--seed") || !strcmp(a, "--size") || !strcmp(a, "--out")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "zkm demo: %s needs a value\n", a);
                return ZKM_EXIT_USAGE;
            }
            const char *val = argv[++i];
            if (!strcmp(a, "--out")) {
                outdir = val;
            } else if (!strcmp(a, "--seed")) {
                if (!cli_parse_u64("demo", a, val, 0, UINT64_MAX, &v))
                    return ZKM_EXIT_USAGE;
                args.seed = v;
            } else {
                if (!cli_parse_u64("demo", a, val, 1, 22, &v))
                    return ZKM_EXIT_USAGE;
                args.size = (uint32_t)v;
            }
        } else {
            fprintf(stderr, "zkm demo: unknown option '%s' (see zkm demo --help)\n", a);
            return ZKM_EXIT_USAGE;
        }
    }

    char tmpdir[] = "/tmp/zkm-demo-XXXXXX";
    const char *dir = outdir;
    if (!dir) {
        if (!mkdtemp(tmpdir)) {
            perror("zkm demo: mkdtemp");
            return ZKM_EXIT_USAGE;
        }
        dir = tmpdir;
    }
    char paths[2][4096];
    snprintf(paths[0], sizeof paths[0], "%s/dense.zkp", dir);
    snprintf(paths[1], sizeof paths[1], "%s/random.zkp", dir);

    demo_result res[2];
    zkm_err e;
    zkm_err_clear(&e);
    int rc = ZKM_EXIT_OK;
    const char *names[2] = {"dense", "random"};
    builder builders[2] = {build_dense, build_random};
    for (int s = 0; s < 2 && rc == ZKM_EXIT_OK; s++) {
        if (!json && s == 1 && isatty(STDERR_FILENO))
            fprintf(stderr, "proving the random circuit (2^%u gates per layer)...\n", args.size);
        zkm_status st = run_sample(names[s], builders[s], &args, paths[s], &res[s], &e);
        if (st) {
            fprintf(stderr, "zkm demo: %s: %s\n", names[s], e.msg);
            rc = cli_exit_for(st);
        } else if (!res[s].accepted) {
            rc = ZKM_EXIT_REJECT;
        }
        if (!st && !json)
            report(&res[s], outdir ? paths[s] : "(temporary file)");
    }
    if (json && rc != ZKM_EXIT_USAGE) {
        json_t *o = json_object(), *arr = json_array();
        for (int s = 0; s < 2; s++) {
            json_t *r = json_object();
            json_object_set_new(r, "name", json_string(res[s].name));
            json_object_set_new(r, "layers", json_integer(res[s].layers));
            json_object_set_new(r, "gates", json_integer((json_int_t)res[s].ops));
            json_object_set_new(r, "prove_s", json_real(res[s].prove_s));
            json_object_set_new(r, "verify_s", json_real(res[s].verify_s));
            json_object_set_new(r, "verify_input_eval_s", json_real(res[s].input_eval_s));
            json_object_set_new(r, "proof_bytes", json_integer((json_int_t)res[s].proof_bytes));
            json_object_set_new(r, "output_bytes",
                                json_integer((json_int_t)res[s].output_bytes));
            json_object_set_new(r, "accepted", json_boolean(res[s].accepted));
            if (!res[s].accepted)
                json_object_set_new(r, "reason", json_string(res[s].reason));
            json_array_append_new(arr, r);
        }
        json_object_set_new(o, "samples", arr);
        json_object_set_new(o, "accepted", json_boolean(rc == ZKM_EXIT_OK));
        char *txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (txt)
            puts(txt);
        free(txt);
        json_decref(o);
    }
    if (!outdir) {
        unlink(paths[0]);
        unlink(paths[1]);
        rmdir(tmpdir);
    }
    return rc;
}
