/* GKR benchmarks: Libra's random depth-3 circuit and 2^20-entry structured
 * layers.  Each workload runs in a forked child so peak_rss_bytes is its
 * own. */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "gkr.h"
#include "sample.h"
#include "zkm_rng.h"

/* Prove and verify c `reps` times; emit one line. */
static int measure(const char *name, double size, const gkr_circuit *c, fr **values, int reps,
                   const char *note)
{
    zkm_err e;
    double tp[9], tv[9], te = 0;
    size_t bytes = 0, out_b = 0;
    double t0 = zkm_now();
    if (gkr_eval(c, values, &e)) {
        fprintf(stderr, "%s: eval: %s\n", name, e.msg);
        return 1;
    }
    te = zkm_now() - t0;
    for (int r = 0; r < reps; r++) {
        uint8_t *proof;
        gkr_stats ps, vs;
        if (gkr_prove(c, values, &proof, &bytes, &ps, &e)) {
            fprintf(stderr, "%s: prove: %s\n", name, e.msg);
            return 1;
        }
        if (gkr_verify(c, values, proof, bytes, NULL, &vs, &e)) {
            fprintf(stderr, "%s: verify rejected: %s\n", name, e.msg);
            free(proof);
            return 1;
        }
        tp[r] = ps.total_s;
        tv[r] = vs.total_s;
        out_b = ps.output_bytes;
        free(proof);
    }
    double mp = bench_median(tp, reps), mv = bench_median(tv, reps);
    json_t *o = bench_obj(name, size);
    json_object_set_new(o, "prove_s", json_real(mp));
    json_object_set_new(o, "verify_s", json_real(mv));
    /* the file carries the claimed output; argument_bytes is the rest */
    json_object_set_new(o, "proof_bytes", json_integer((json_int_t)bytes));
    json_object_set_new(o, "argument_bytes", json_integer((json_int_t)(bytes - out_b)));
    json_object_set_new(o, "peak_rss_bytes", json_integer(bench_peak_rss()));
    json_object_set_new(o, "witness_s", json_real(te));
    json_object_set_new(o, "runs", json_integer(reps));
    if (note)
        json_object_set_new(o, "note", json_string(note));
    bench_emit(o);
    fprintf(stderr,
            "%-22s size %-8.0f prove %7.3f s  verify %7.3f s  argument %7zu B (+ %zu B output)"
            "  median of %d\n",
            name, size, mp, mv, bytes - out_b, out_b, reps);
    return 0;
}

static int run_libra(uint32_t nvars)
{
    gkr_circuit c;
    fr **values;
    zkm_err e;
    if (gkr_sample_libra(&c, &values, 3, nvars, 1, &e)) {
        fprintf(stderr, "libra sample: %s\n", e.msg);
        return 1;
    }
    char name[64];
    snprintf(name, sizeof name, "random-depth3-2^%u", nvars);
    int rc = measure(name, (double)((size_t)1 << nvars), &c, values,
                     nvars <= 16 ? 5 : nvars <= 18 ? 3 : 1,
                     "gates per layer; Libra (CRYPTO 2019) took 10.8 s for 2^20 on one core");
    gkr_values_free(&c, values);
    gkr_sample_inputs_free(&c, values);
    gkr_circuit_free(&c);
    return rc;
}

/* One structured layer over public inputs with 2^20 entries. */
static int run_structured(int matmul)
{
    gkr_circuit c;
    zkm_err e;
    zkm_rng g;
    zkm_status st = gkr_circuit_init(&c, 3, &e);
    zkm_rng_init(&g, 2, "bench/structured");
    if (!st && matmul) {
        /* 1024 x 1024 matrix (layer 1) times a 1024-vector (layer 2) */
        gkr_view a = {.layer = 1, .nvars = 20, .offset = 0};
        gkr_view b = {.layer = 2, .nvars = 10, .offset = 0};
        st = gkr_layer_matmul(&c.layers[0], 10, 10, 0, a, b, &e);
        if (!st)
            st = gkr_layer_input(&c.layers[1], 20, GKR_INPUT_PUBLIC, &e);
        if (!st)
            st = gkr_layer_input(&c.layers[2], 10, GKR_INPUT_PUBLIC, &e);
    } else if (!st) {
        /* entry-wise product of two 2^20 vectors */
        gkr_view src[2] = {{.layer = 1, .nvars = 20, .offset = 0},
                           {.layer = 2, .nvars = 20, .offset = 0}};
        const uint32_t start[2] = {0, 2}, factors[2] = {0, 1};
        fr one;
        fr_set_one(&one);
        st = gkr_layer_eltwise(&c.layers[0], 20, 2, src, 1, &one, start, factors, &e);
        if (!st)
            st = gkr_layer_input(&c.layers[1], 20, GKR_INPUT_PUBLIC, &e);
        if (!st)
            st = gkr_layer_input(&c.layers[2], 20, GKR_INPUT_PUBLIC, &e);
    }
    if (!st)
        st = gkr_circuit_check(&c, &e);
    if (st) {
        fprintf(stderr, "structured sample: %s\n", e.msg);
        return 1;
    }
    fr *values[3] = {NULL, NULL, NULL};
    for (int i = 1; i < 3; i++) {
        size_t len = (size_t)1 << c.layers[i].nvars;
        values[i] = malloc(len * sizeof(fr));
        for (size_t k = 0; k < len; k++)
            fr_set_i64(&values[i][k], (int64_t)zkm_rng_below(&g, 255) - 127);
    }
    int rc = measure(matmul ? "matvec-1024x1024" : "eltwise-product-2^20", (double)(1 << 20), &c,
                     values, 3,
                     matmul ? "matrix entries; public operands evaluated by the verifier"
                            : "entries; public operands evaluated by the verifier");
    gkr_values_free(&c, values);
    free(values[1]);
    free(values[2]);
    gkr_circuit_free(&c);
    return rc;
}

static int libra_child(void *nvars)
{
    return run_libra(*(const uint32_t *)nvars);
}

static int structured_child(void *matmul)
{
    return run_structured(*(const int *)matmul);
}

void bench_gkr(void)
{
    static const uint32_t sizes[3] = {16, 18, 20};
    static const int kinds[2] = {0, 1}; /* eltwise, matmul */
    for (int k = 0; k < 3; k++)
        bench_in_child("random-depth3", libra_child, (void *)&sizes[k]);
    for (int k = 0; k < 2; k++)
        bench_in_child(kinds[k] ? "matvec" : "eltwise-product", structured_child,
                       (void *)&kinds[k]);
}
