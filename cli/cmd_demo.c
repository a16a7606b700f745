/* zkm demo: prove and verify LeNet-5 (or another model file) with seeded
 * public weights and a seeded input.  The proof goes to a file; the verifier
 * parses the model file again, builds its own net and its own weights from
 * the seed, and checks the proof from the file's bytes: it shares nothing
 * with the prover but the file and the model.
 *
 * zkm demo --samples keeps the first demo: the built-in sample circuits,
 * proven and verified the same way (the verifier rebuilds its own circuit
 * and public input). */
#include <jansson.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gkr.h"
#include "load.h"
#include "progress.h"
#include "sample.h"
#include "zkm_file.h"


#define DEMO_MODEL "lang/examples/lenet5.zkm"

static void help(FILE *f)
{
    fprintf(f,
            "usage: zkm demo [--model FILE] [--seed N] [--input-seed N] [--out DIR] [--json]\n"
            "       zkm demo --samples [--seed N] [--size K] [--out DIR] [--json]\n\n"
            "Prove and verify LeNet-5 (" DEMO_MODEL ") with seeded public\n"
            "weights and a seeded input.  The proof is written to a file and verified from\n"
            "that file by a verifier that parses the model again and builds its own weights\n"
            "from the seed: it shares nothing with the prover but the file and the model.\n"
            "The proof is made in the default mode: weights and input public, the advice\n"
            "(range-check bits, max-pool maxima) committed in the proof (Hyrax); for\n"
            "committed weights see zkm commit and zkm prove --commitment.\n\n"
            "options:\n"
            "  --model FILE     prove this model instead (default " DEMO_MODEL ",\n"
            "                   looked up in the working directory, then next to zkm's\n"
            "                   build directory)\n"
            "  --seed N         seed of the public weights (default 1)\n"
            "  --input-seed N   seed of the input, uniform in [0, 1) (default 1)\n"
            "  --out DIR        keep the proof in DIR (default: a temporary directory,\n"
            "                   removed)\n"
            "  --json           print one JSON object on stdout instead of the report\n\n"
            "--samples: the built-in sample circuits instead, each proven and verified the\n"
            "same way:\n"
            "  dense   a small circuit using three layer kinds: y = W x (matrix product),\n"
            "          z = y*y + 3y (element-wise), then pairwise gates (generic)\n"
            "  random  Libra's random depth-3 circuit with 2^K gates per layer\n"
            "  --seed N   seed for the sample inputs and wiring (default 1)\n"
            "  --size K   log2 of the random circuit's gates per layer, 1..22 (default 16);\n"
            "             implies --samples\n");
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
        st = zkm_read_file(path, CLI_PROOF_MAX_BYTES, &bytes, &blen, e);
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


typedef struct {
    const char *model;  /* --model FILE, or NULL for the default          */
    const char *outdir; /* --out DIR, or NULL for a temporary directory   */
    uint64_t seed, input_seed;
    uint32_t size;
    int json, samples, has_input_seed;
} demo_opts;

/* A fresh temporary directory in tmp (a "/tmp/zkm-demo-XXXXXX" buffer)
 * unless --out was given.  NULL after printing a message. */
static const char *proof_dir(const demo_opts *o, char *tmp)
{
    if (o->outdir)
        return o->outdir;
    if (!mkdtemp(tmp)) {
        perror("zkm demo: mkdtemp");
        return NULL;
    }
    return tmp;
}

/* ------------------------------------------------------------ samples */

static int demo_samples(const demo_opts *o)
{
    demo_args args = {.seed = o->seed, .size = o->size};
    const int json = o->json;
    char tmpdir[] = "/tmp/zkm-demo-XXXXXX";
    const char *dir = proof_dir(o, tmpdir);
    if (!dir)
        return ZKM_EXIT_USAGE;
    char paths[2][4096];
    snprintf(paths[0], sizeof paths[0], "%s/dense.zkp", dir);
    snprintf(paths[1], sizeof paths[1], "%s/random.zkp", dir);

    demo_result res[2];
    int ran = 0; /* samples with a result in res */
    zkm_err e;
    zkm_err_clear(&e);
    int rc = ZKM_EXIT_OK;
    const char *names[2] = {"dense", "random"};
    builder builders[2] = {build_dense, build_random};
    for (int s = 0; s < 2 && rc == ZKM_EXIT_OK; s++) {
        if (!json && s == 1 && isatty(STDERR_FILENO))
            fprintf(stderr, "proving the random circuit (2^%u gates per layer)...\n", args.size);
        zkm_status st = run_sample(names[s], builders[s], &args, paths[s], &res[s], &e);
        ran += st == ZKM_OK;
        if (st) {
            fprintf(stderr, "zkm demo: %s: %s\n", names[s], e.msg);
            rc = cli_exit_for(st);
        } else if (!res[s].accepted) {
            rc = ZKM_EXIT_REJECT;
        }
        if (!st && !json)
            report(&res[s], o->outdir ? paths[s] : "(temporary file)");
    }
    if (json && rc != ZKM_EXIT_USAGE) {
        json_t *jo = json_object(), *arr = json_array();
        int bad = !arr;
        for (int s = 0; s < ran; s++) {
            json_t *r = json_object();
            bad |= json_object_set_new(r, "name", json_string(res[s].name));
            bad |= json_object_set_new(r, "layers", json_integer(res[s].layers));
            bad |= json_object_set_new(r, "gates", json_integer((json_int_t)res[s].ops));
            bad |= json_object_set_new(r, "prove_s", json_real(res[s].prove_s));
            bad |= json_object_set_new(r, "verify_s", json_real(res[s].verify_s));
            bad |= json_object_set_new(r, "verify_input_eval_s", json_real(res[s].input_eval_s));
            bad |= json_object_set_new(r, "proof_bytes",
                                       json_integer((json_int_t)res[s].proof_bytes));
            bad |= json_object_set_new(r, "output_bytes",
                                       json_integer((json_int_t)res[s].output_bytes));
            bad |= json_object_set_new(r, "accepted", json_boolean(res[s].accepted));
            if (!res[s].accepted)
                bad |= json_object_set_new(r, "reason", json_string(res[s].reason));
            bad |= json_array_append_new(arr, r);
        }
        bad |= json_object_set_new(jo, "samples", arr);
        bad |= json_object_set_new(jo, "accepted", json_boolean(rc == ZKM_EXIT_OK));
        const int jrc = cli_json_print("demo", jo, bad);
        if (rc == ZKM_EXIT_OK)
            rc = jrc;
    }
    if (!o->outdir) {
        unlink(paths[0]);
        unlink(paths[1]);
        rmdir(tmpdir);
    }
    return rc;
}

/* -------------------------------------------------------------- model */

/* The model file: --model as given; by default DEMO_MODEL in the working
 * directory, else next to the build directory of this executable
 * (build/zkm -> build/../lang/examples/...), else where make install puts
 * it (bin/zkm -> share/zkm/examples/).  NULL after a message. */
static const char *model_path(const demo_opts *o, char *buf, size_t cap)
{
    if (o->model) {
        if (access(o->model, R_OK) != 0) {
            fprintf(stderr, "zkm demo: --model %s: cannot read the model file: %s\n", o->model,
                    strerror(errno));
            return NULL;
        }
        return o->model;
    }
    if (access(DEMO_MODEL, R_OK) == 0)
        return DEMO_MODEL;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, cap, "%s/../%s", exe, DEMO_MODEL); /* build/zkm in the tree */
            if (access(buf, R_OK) == 0)
                return buf;
            snprintf(buf, cap, "%s/../share/zkm/examples/lenet5.zkm", exe); /* installed */
            if (access(buf, R_OK) == 0)
                return buf;
        }
    }
    fprintf(stderr,
            "zkm demo: the LeNet-5 model file " DEMO_MODEL " was not found in the working\n"
            "directory, next to this zkm's build directory, nor in its installed\n"
            "share/zkm/examples: give --model FILE (or use zkm demo --samples)\n");
    return NULL;
}

typedef struct {
    char name[128];      /* the model's name (model NAME { ... })          */
    uint64_t params;
    uint32_t bits, layers;
    unsigned mode;       /* the proof mode (the default: 0)               */
    int threads;
    zkm_prove_stats ps;
    zkm_verify_stats vs;
    int64_t *out;        /* the proven output (verifier's side)          */
    uint64_t n_out;
    uint64_t argmax;
    double argmax_value;
    char out_desc[160]; /* "fc3 [10] q8.4"                              */
    int accepted;
    char reason[256];
} model_result;

/* The cli_args cli_open takes for a seeded model. */
static cli_args seeded_args(const char *path, const demo_opts *o)
{
    cli_args a;
    memset(&a, 0, sizeof a);
    a.pos[0] = path;
    a.seed = o->seed;
    a.has_seed = 1;
    a.input_seed = o->input_seed;
    a.has_input_seed = 1;
    return a;
}

/* The prover: its own model, net, weights and input; the proof to path. */
static int prove_side(const char *mpath, const demo_opts *o, const char *path, model_result *r)
{
    cli_args a = seeded_args(mpath, o);
    cli_ctx c;
    int64_t *out = NULL;
    int rc = cli_open("demo", &a, CLI_NEED_WEIGHTS | CLI_NEED_INPUTS, &c);
    if (!rc) {
        snprintf(r->name, sizeof r->name, "%s", c.model->name);
        r->params = c.model->params;
        r->bits = c.model->act.bits;
        r->layers = zkm_net_circuit(c.net)->n_layers;
        r->mode = zkm_net_mode(c.net);
        r->threads = cli_threads(&a);
        rc = cli_prove_to_file("demo", &c, path, !o->json, &out, &r->ps);
        free(r->ps.node_s); /* per-node times: not reported by the demo */
        r->ps.node_s = NULL;
    }
    free(out);
    cli_close(&c);
    return rc;
}

/* The verifier: the model parsed again, its own net and weights from the
 * seed, its own seeded input to compare with the one the proof carries, the
 * proof from the file's bytes.  A rejection is a result (r->accepted 0),
 * not an error. */
static int verify_side(const char *mpath, const demo_opts *o, const char *path, model_result *r)
{
    cli_args a = seeded_args(mpath, o);
    cli_ctx c;
    cli_verdict v;
    memset(&v, 0, sizeof v);
    int rc = cli_open("demo", &a, CLI_NEED_WEIGHTS | CLI_NEED_INPUTS, &c);
    if (!rc)
        rc = cli_verify_file("demo", &c, path, 1, &v);
    if (!rc) {
        r->accepted = v.accepted;
        r->vs = v.s;
        snprintf(r->reason, sizeof r->reason, "%s", v.reason);
        r->out = v.out;
        v.out = NULL;
    }
    if (!rc && r->accepted) {
        const zkm_model *m = c.model;
        const zkm_node *on = cli_output_node(m);
        char shape[64], fmt[32];
        zkm_shape_str(&on->shape, shape, sizeof shape);
        zkm_qfmt_str(on->fmt, fmt, sizeof fmt);
        snprintf(r->out_desc, sizeof r->out_desc, "%s %s %s", on->name, shape, fmt);
        r->n_out = cli_output_count(m);
        r->argmax = cli_argmax_i64(r->out, r->n_out);
        r->argmax_value = cli_value(m, r->out[r->argmax]);
    }
    cli_verdict_free(&v);
    cli_close(&c);
    return rc;
}

static void model_report(const char *mpath, const demo_opts *o, const model_result *r,
                         const char *shown)
{
    char b[6][32];
    const zkm_prove_stats *p = &r->ps;
    printf("model    %s (%s): %s parameters, %u bits, %u circuit layers\n", r->name, mpath,
           cli_count(b[0], 32, r->params), r->bits, r->layers);
    printf("         public weights from --seed %llu, public input from --input-seed %llu,\n"
           "         advice (range-check bits, max-pool maxima) committed in the proof\n",
           (unsigned long long)o->seed, (unsigned long long)o->input_seed);
    printf("prove    %s (witness %s + proof %s, of which commitments %s), %d thread%s\n",
           cli_seconds(b[0], 32, p->prove_s), cli_seconds(b[1], 32, p->witness_s),
           cli_seconds(b[2], 32, p->proof_s), cli_seconds(b[3], 32, p->commit_s), r->threads,
           r->threads == 1 ? "" : "s");
    printf("proof    %s = argument %s (of which commitments %s) + advice in the clear %s\n"
           "         + output %s + input %s -> %s\n",
           cli_bytes(b[0], 32, (double)p->proof_bytes),
           cli_bytes(b[1], 32, (double)p->argument_bytes),
           cli_bytes(b[2], 32, (double)p->commit_bytes),
           cli_bytes(b[3], 32, (double)p->advice_bytes),
           cli_bytes(b[4], 32, (double)p->output_bytes),
           cli_bytes(b[5], 32, (double)p->input_bytes), shown);
    printf("verify   %s (of which %s evaluating the public weights, %s checking the\n"
           "         commitments), from the file by a separately built verifier: %s%s%s\n",
           cli_seconds(b[0], 32, r->vs.total_s), cli_seconds(b[1], 32, r->vs.weights_eval_s),
           cli_seconds(b[2], 32, r->vs.commit_s), r->accepted ? "ACCEPTED" : "REJECTED",
           r->accepted ? "" : ": ", r->reason);
    if (r->accepted)
        printf("output   %s, argmax %llu (value %.6g)\n", r->out_desc,
               (unsigned long long)r->argmax, r->argmax_value);
}

static int model_json(const char *mpath, const demo_opts *o, const model_result *r,
                      const char *kept)
{
    const zkm_prove_stats *p = &r->ps;
    char ms[64];
    json_t *j = json_object();
    int bad = json_object_set_new(j, "model", json_string(r->name));
    bad |= json_object_set_new(j, "model_file", json_string(mpath));
    bad |= json_object_set_new(j, "parameters", json_integer((json_int_t)r->params));
    bad |= json_object_set_new(j, "bits", json_integer(r->bits));
    bad |= json_object_set_new(j, "circuit_layers", json_integer(r->layers));
    bad |= json_object_set_new(j, "seed", json_integer((json_int_t)o->seed));
    bad |= json_object_set_new(j, "input_seed", json_integer((json_int_t)o->input_seed));
    bad |= json_object_set_new(j, "proof", kept ? json_string(kept) : json_null());
    bad |= json_object_set_new(j, "mode", json_string(cli_mode_str(ms, sizeof ms, r->mode)));
    bad |= json_object_set_new(j, "threads", json_integer(r->threads));
    bad |= json_object_set_new(j, "prove_s", json_real(p->prove_s));
    bad |= json_object_set_new(j, "witness_s", json_real(p->witness_s));
    bad |= json_object_set_new(j, "proof_s", json_real(p->proof_s));
    bad |= json_object_set_new(j, "commit_s", json_real(p->commit_s));
    bad |= json_object_set_new(j, "proof_bytes", json_integer((json_int_t)p->proof_bytes));
    bad |= json_object_set_new(j, "argument_bytes", json_integer((json_int_t)p->argument_bytes));
    bad |= json_object_set_new(j, "commit_bytes", json_integer((json_int_t)p->commit_bytes));
    bad |= json_object_set_new(j, "advice_bytes", json_integer((json_int_t)p->advice_bytes));
    bad |= json_object_set_new(j, "output_bytes", json_integer((json_int_t)p->output_bytes));
    bad |= json_object_set_new(j, "input_bytes", json_integer((json_int_t)p->input_bytes));
    bad |= json_object_set_new(j, "verify_s", json_real(r->vs.total_s));
    bad |= json_object_set_new(j, "weights_eval_s", json_real(r->vs.weights_eval_s));
    bad |= json_object_set_new(j, "advice_eval_s", json_real(r->vs.advice_eval_s));
    bad |= json_object_set_new(j, "input_eval_s", json_real(r->vs.input_eval_s));
    bad |= json_object_set_new(j, "verify_commit_s", json_real(r->vs.commit_s));
    bad |= json_object_set_new(j, "accepted", json_boolean(r->accepted));
    if (r->accepted) {
        json_t *q = json_array();
        for (uint64_t i = 0; q && i < r->n_out; i++)
            bad |= json_array_append_new(q, json_integer((json_int_t)r->out[i]));
        bad |= json_object_set_new(j, "output", q);
        bad |= json_object_set_new(j, "argmax", json_integer((json_int_t)r->argmax));
    } else {
        bad |= json_object_set_new(j, "reason", json_string(r->reason));
    }
    return cli_json_print("demo", j, bad);
}

static int demo_model(const demo_opts *o)
{
    char found[PATH_MAX + 64];
    const char *mpath = model_path(o, found, sizeof found);
    if (!mpath)
        return ZKM_EXIT_USAGE;
    char tmpdir[] = "/tmp/zkm-demo-XXXXXX";
    const char *dir = proof_dir(o, tmpdir);
    if (!dir)
        return ZKM_EXIT_USAGE;

    /* the proof file is named after the model file: lenet5.zkm -> lenet5.zkp */
    char path[PATH_MAX + 128], stem[PATH_MAX + 64];
    const char *base = strrchr(mpath, '/');
    snprintf(stem, sizeof stem, "%s", base ? base + 1 : mpath);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = '\0';
    snprintf(path, sizeof path, "%s/%s.zkp", dir, stem);

    model_result r;
    memset(&r, 0, sizeof r);
    int rc = prove_side(mpath, o, path, &r);
    if (!rc)
        rc = verify_side(mpath, o, path, &r);
    if (!rc) {
        if (o->json)
            rc = model_json(mpath, o, &r, o->outdir ? path : NULL);
        else
            model_report(mpath, o, &r, o->outdir ? path : "(temporary file)");
        if (!rc && !r.accepted)
            rc = ZKM_EXIT_REJECT;
    }
    free(r.out);
    if (!o->outdir) {
        unlink(path);
        rmdir(tmpdir);
    }
    return rc;
}

/* ---------------------------------------------------------- options */

int cmd_demo(int argc, char **argv)
{
    demo_opts o = {.seed = 1, .input_seed = 1, .size = 16};
    int has_size = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint64_t v;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help(stdout);
            return ZKM_EXIT_OK;
        } else if (!strcmp(a, "--json")) {
            o.json = 1;
        } else if (!strcmp(a, "--samples")) {
            o.samples = 1;
        } else if (!strcmp(a, "--seed") || !strcmp(a, "--size") || !strcmp(a, "--out") ||
                   !strcmp(a, "--model") || !strcmp(a, "--input-seed")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "zkm demo: %s needs a value\n", a);
                return ZKM_EXIT_USAGE;
            }
            const char *val = argv[++i];
            if (!strcmp(a, "--out")) {
                o.outdir = val;
            } else if (!strcmp(a, "--model")) {
                o.model = val;
            } else if (!strcmp(a, "--seed")) {
                if (!cli_parse_u64("demo", a, val, 0, UINT64_MAX, &v))
                    return ZKM_EXIT_USAGE;
                o.seed = v;
            } else if (!strcmp(a, "--input-seed")) {
                if (!cli_parse_u64("demo", a, val, 0, UINT64_MAX, &v))
                    return ZKM_EXIT_USAGE;
                o.input_seed = v;
                o.has_input_seed = 1;
            } else {
                if (!cli_parse_u64("demo", a, val, 1, 22, &v))
                    return ZKM_EXIT_USAGE;
                o.size = (uint32_t)v;
                has_size = 1;
            }
        } else {
            fprintf(stderr, "zkm demo: unknown option '%s' (see zkm demo --help)\n", a);
            return ZKM_EXIT_USAGE;
        }
    }
    if (has_size && o.model) {
        fprintf(stderr, "zkm demo: --size is for the sample circuits (--samples), not --model\n");
        return ZKM_EXIT_USAGE;
    }
    o.samples |= has_size; /* --size K alone: the sample circuits, as before */
    if (o.samples && (o.model || o.has_input_seed)) {
        fprintf(stderr, "zkm demo: --samples proves the built-in circuits: it takes no %s\n",
                o.model ? "--model" : "--input-seed");
        return ZKM_EXIT_USAGE;
    }
    return o.samples ? demo_samples(&o) : demo_model(&o);
}
