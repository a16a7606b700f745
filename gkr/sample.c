#include "sample.h"

#include <stdlib.h>
#include <string.h>

#include "zkm_rng.h"

static void rand_fr(zkm_rng *g, fr *out)
{
    uint8_t w[64];
    zkm_rng_bytes(g, w, sizeof w);
    fr_from_wide(out, w);
}

void gkr_sample_inputs_free(const gkr_circuit *c, fr **inputs)
{
    if (!inputs)
        return;
    for (uint32_t i = 0; i < c->n_layers; i++)
        if (c->layers[i].kind == GKR_INPUT)
            free(inputs[i]);
    free(inputs);
}

/* Random values for every input layer of c. */
static zkm_status fill_inputs(const gkr_circuit *c, fr ***inputs, zkm_rng *g, int small,
                              zkm_err *e)
{
    fr **in = zkm_calloc(c->n_layers, sizeof(fr *), "input pointers", e);
    if (!in)
        return ZKM_ENOMEM;
    for (uint32_t i = 0; i < c->n_layers; i++) {
        if (c->layers[i].kind != GKR_INPUT)
            continue;
        size_t len = (size_t)1 << c->layers[i].nvars;
        in[i] = zkm_alloc_array(len, sizeof(fr), "input values", e);
        if (!in[i]) {
            gkr_sample_inputs_free(c, in);
            return ZKM_ENOMEM;
        }
        for (size_t k = 0; k < len; k++) {
            if (small)
                fr_set_i64(&in[i][k], (int64_t)zkm_rng_below(g, 255) - 127);
            else
                rand_fr(g, &in[i][k]);
        }
    }
    *inputs = in;
    return ZKM_OK;
}

zkm_status gkr_sample_libra(gkr_circuit *c, fr ***inputs, uint32_t depth, uint32_t nvars,
                            uint64_t seed, zkm_err *e)
{
    zkm_rng g;
    zkm_status st;
    if (depth == 0 || nvars == 0 || nvars > 28)
        return zkm_fail(e, ZKM_EINVAL, "sample circuit: depth >= 1 and 1 <= nvars <= 28");
    const size_t n = (size_t)1 << nvars;
    zkm_rng_init(&g, seed, "sample/libra");
    gkr_gate *gates = zkm_alloc_array(n, sizeof(gkr_gate), "gates", e);
    if (!gates)
        return ZKM_ENOMEM;
    st = gkr_circuit_init(c, depth + 1, e);
    for (uint32_t i = 0; i < depth && !st; i++) {
        for (size_t k = 0; k < n; k++) {
            uint64_t r = zkm_rng_u64(&g);
            gates[k].out = (uint32_t)k;
            gates[k].op = (r & 1) ? GKR_GATE_MUL : GKR_GATE_ADD;
            gates[k].in0 = (uint32_t)((r >> 1) & (n - 1));
            gates[k].in1 = (uint32_t)((r >> 32) & (n - 1));
            gates[k].src0 = gates[k].src1 = 0;
        }
        gkr_view v = {.layer = i + 1, .nvars = nvars, .offset = 0};
        st = gkr_layer_generic(&c->layers[i], nvars, 1, &v, n, gates, e);
    }
    free(gates);
    if (!st)
        st = gkr_layer_input(&c->layers[depth], nvars, GKR_INPUT_PUBLIC, e);
    if (!st)
        st = gkr_circuit_check(c, e);
    if (!st)
        st = fill_inputs(c, inputs, &g, 0, e);
    if (st)
        gkr_circuit_free(c);
    return st;
}

zkm_status gkr_sample_demo(gkr_circuit *c, fr ***inputs, uint64_t seed, zkm_err *e)
{
    enum { PAIRS = 0, SQ = 1, DENSE = 2, X = 3, WEIGHTS = 4 }; /* layer indices */
    zkm_rng g;
    zkm_status st;
    zkm_rng_init(&g, seed, "sample/demo");
    st = gkr_circuit_init(c, 5, e);
    if (st)
        return st;
    /* layer 2: y = W x, W 16x16 (m = 4, k = 4), x a column (n = 0) */
    gkr_view w = {.layer = WEIGHTS, .nvars = 8, .offset = 0};
    gkr_view x = {.layer = X, .nvars = 4, .offset = 0};
    if (!st)
        st = gkr_layer_matmul(&c->layers[DENSE], 4, 4, 0, w, x, e);
    /* layer 1: z = y*y + 3y */
    if (!st) {
        gkr_view y = {.layer = DENSE, .nvars = 4, .offset = 0};
        const uint32_t start[3] = {0, 2, 3}, factors[3] = {0, 0, 0};
        fr coef[2];
        fr_set_one(&coef[0]);
        fr_set_u64(&coef[1], 3);
        st = gkr_layer_eltwise(&c->layers[SQ], 4, 1, &y, 2, coef, start, factors, e);
    }
    /* layer 0: out[i] = z[2i] * z[2i+1] + (x[i] - x[i+8]) */
    if (!st) {
        gkr_view src[2] = {{.layer = SQ, .nvars = 4, .offset = 0},
                           {.layer = X, .nvars = 4, .offset = 0}};
        gkr_gate gates[16];
        for (uint32_t i = 0; i < 8; i++) {
            gates[2 * i] = (gkr_gate){.out = i, .in0 = 2 * i, .in1 = 2 * i + 1,
                                      .op = GKR_GATE_MUL, .src0 = 0, .src1 = 0};
            gates[2 * i + 1] = (gkr_gate){.out = i, .in0 = i, .in1 = i + 8,
                                          .op = GKR_GATE_SUB, .src0 = 1, .src1 = 1};
        }
        st = gkr_layer_generic(&c->layers[PAIRS], 3, 2, src, 16, gates, e);
    }
    if (!st)
        st = gkr_layer_input(&c->layers[X], 4, GKR_INPUT_PUBLIC, e);
    if (!st)
        st = gkr_layer_input(&c->layers[WEIGHTS], 8, GKR_INPUT_PUBLIC, e);
    if (!st)
        st = gkr_circuit_check(c, e);
    if (!st)
        st = fill_inputs(c, inputs, &g, 1, e);
    if (st)
        gkr_circuit_free(c);
    return st;
}
