/* GKR completeness: random circuits of the generic, eltwise and matmul
 * kinds, depth 1..8, layers of up to 2^16 values, proven and verified; the
 * conv kind, mapped views, advice and zero layers and each eltwise prover
 * form on circuits of their own; the shift predicate's extension. */
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gkr.h"
#include "mle.h"
#include "sumcheck.h"
#include "transcript.h"
#include "testutil.h"

static uint64_t g_seed;

/* Prove and verify one circuit; returns the proof (caller frees). */
static uint8_t *prove_ok(const gkr_circuit *c, fr **values, size_t *len)
{
    zkm_err e;
    uint8_t *proof = NULL;
    zkm_status st = gkr_eval(c, values, &e);
    if (st)
        fail_msg("eval: %s", e.msg);
    st = gkr_prove(c, values, &proof, len, NULL, &e);
    if (st)
        fail_msg("prove: %s", e.msg);
    return proof;
}

static void roundtrip(tu_rng *g, uint32_t depth, uint32_t max_nvars, unsigned kinds)
{
    gkr_circuit c;
    fr **values;
    zkm_err e;
    size_t len;
    fr *out = NULL;
    tu_random_circuit(g, &c, &values, depth, max_nvars, kinds);
    uint8_t *proof = prove_ok(&c, values, &len);
    zkm_status st = gkr_verify(&c, values, proof, len, &out, NULL, &e);
    if (st)
        fail_msg("depth %u width 2^%u kinds %x: verify rejected an honest proof: %s", depth,
                 max_nvars, kinds, e.msg);
    /* the proven output is the evaluated output */
    assert_memory_equal(out, values[0], ((size_t)1 << c.layers[0].nvars) * sizeof(fr));
    free(out);
    free(proof);
    gkr_values_free(&c, values);
    tu_inputs_free(&c, values);
    gkr_circuit_free(&c);
}

static void test_complete_each_kind(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 1);
    const unsigned kinds[] = {1u << GKR_GENERIC, 1u << GKR_ELTWISE, 1u << GKR_MATMUL};
    for (unsigned k = 0; k < 3; k++)
        for (uint32_t depth = 1; depth <= 8; depth++)
            for (int rep = 0; rep < 3; rep++)
                roundtrip(&g, depth, 1 + (uint32_t)tu_below(&g, 8), kinds[k]);
}

static void test_complete_mixed(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 2);
    for (uint32_t depth = 1; depth <= 8; depth++)
        for (int rep = 0; rep < 6; rep++)
            roundtrip(&g, depth, 1 + (uint32_t)tu_below(&g, 10), TU_KINDS_ALL);
}

static void test_complete_wide(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 3);
    /* the widest layers the issue asks for, 2^16, at depths 1..3 */
    for (uint32_t w = 12; w <= 16; w += 2)
        roundtrip(&g, 1 + (uint32_t)tu_below(&g, 3), w, TU_KINDS_ALL);
}

/* A bit-decomposition range check, the way the layer library will prove
 * rescaling and ReLU: x (public, 2^4 values in [0, 2^W)) and its bits
 * (advice, bit plane i at block i of one layer) satisfy
 *   zero layer 1: b*b - b = 0            (booleanity, eltwise)
 *   zero layer 2: x - sum_i 2^i b_i = 0  (recomposition, eltwise over W
 *                                         block views of the bits)
 * and the output is x * x.  Layers: 0 out, 1 bool, 2 recomposition, 3 x,
 * 4 bits. */
enum { RC_W = 4, RC_N = 4 };

static void range_circuit(gkr_circuit *c)
{
    zkm_err e;
    assert_int_equal(gkr_circuit_init(c, 5, &e), ZKM_OK);
    gkr_view x = {.layer = 3, .nvars = RC_N, .offset = 0};
    gkr_view bits = {.layer = 4, .nvars = RC_N + 2, .offset = 0};
    fr one, neg1;
    fr_set_one(&one);
    fr_neg(&neg1, &one);
    /* out = x * x */
    const uint32_t sq_start[2] = {0, 2}, sq_f[2] = {0, 0};
    assert_int_equal(gkr_layer_eltwise(&c->layers[0], RC_N, 1, &x, 1, &one, sq_start, sq_f, &e),
                     ZKM_OK);
    /* b*b - b over the whole bits layer */
    const uint32_t b_start[3] = {0, 2, 3}, b_f[3] = {0, 0, 0};
    const fr b_coef[2] = {one, neg1};
    assert_int_equal(
        gkr_layer_eltwise(&c->layers[1], RC_N + 2, 1, &bits, 2, b_coef, b_start, b_f, &e),
        ZKM_OK);
    c->layers[1].flags = GKR_LAYER_ZERO;
    /* x - sum 2^i plane_i */
    gkr_view src[1 + RC_W];
    fr coef[1 + RC_W];
    uint32_t start[2 + RC_W], fac[1 + RC_W];
    src[0] = x;
    coef[0] = one;
    for (unsigned i = 0; i < RC_W; i++) {
        src[1 + i] = (gkr_view){.layer = 4, .nvars = RC_N, .offset = (uint64_t)i << RC_N};
        fr_set_u64(&coef[1 + i], (uint64_t)1 << i);
        fr_neg(&coef[1 + i], &coef[1 + i]);
    }
    for (unsigned t = 0; t <= RC_W + 1; t++)
        start[t] = t;
    for (unsigned t = 0; t <= RC_W; t++)
        fac[t] = t;
    assert_int_equal(
        gkr_layer_eltwise(&c->layers[2], RC_N, 1 + RC_W, src, 1 + RC_W, coef, start, fac, &e),
        ZKM_OK);
    c->layers[2].flags = GKR_LAYER_ZERO;
    assert_int_equal(gkr_layer_input(&c->layers[3], RC_N, GKR_INPUT_PUBLIC, &e), ZKM_OK);
    /* 4 planes of 16 bits: 64 values, in a layer of 2^(RC_N + 2) */
    assert_int_equal(gkr_layer_advice(&c->layers[4], RC_N + 2, RC_W << RC_N, GKR_ENC_UINT, 1, &e),
                     ZKM_OK);
    assert_int_equal(gkr_circuit_check(c, &e), ZKM_OK);
}

static void test_advice_and_zero_layers(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 4);
    gkr_circuit c;
    zkm_err e;
    range_circuit(&c);
    fr *values[5] = {NULL, NULL, NULL, NULL, NULL};
    fr xs[1 << RC_N], bits[1 << (RC_N + 2)];
    uint64_t xv[1 << RC_N];
    memset(bits, 0, sizeof bits);
    for (unsigned k = 0; k < (1u << RC_N); k++) {
        xv[k] = tu_below(&g, 1u << RC_W);
        fr_set_u64(&xs[k], xv[k]);
        for (unsigned i = 0; i < RC_W; i++)
            fr_set_u64(&bits[(i << RC_N) + k], (xv[k] >> i) & 1);
    }
    values[3] = xs;
    values[4] = bits;
    assert_int_equal(gkr_eval(&c, values, &e), ZKM_OK);
    uint8_t *proof;
    size_t len;
    gkr_stats ps, vs;
    if (gkr_prove(&c, values, &proof, &len, &ps, &e))
        fail_msg("prove: %s", e.msg);
    /* 64 one-bit values: 8 bytes of payload and a 12-byte section header */
    assert_int_equal(ps.advice_bytes, 12 + 8);
    /* 16 output values of 32 bytes and their section header */
    assert_int_equal(ps.output_bytes, 12 + 16 * 32);
    fr *pub[5] = {NULL, NULL, NULL, xs, NULL}; /* the verifier gets no bits */
    if (gkr_verify(&c, pub, proof, len, NULL, &vs, &e))
        fail_msg("verify: %s", e.msg);
    assert_int_equal(vs.advice_bytes, ps.advice_bytes);
    assert_int_equal(vs.output_bytes, ps.output_bytes);
    free(proof);
    gkr_values_free(&c, values);

    /* a wrong bit: the prover refuses (zero layer not zero) */
    fr_set_u64(&bits[0], 1 - (xv[0] & 1));
    assert_int_equal(gkr_eval(&c, values, &e), ZKM_OK);
    assert_int_equal(gkr_prove(&c, values, &proof, &len, NULL, &e), ZKM_EINVAL);
    gkr_values_free(&c, values);
    /* a value that is not a bit: refused before proving (the booleanity
     * zero layer is not zero) */
    fr_set_u64(&bits[0], 2);
    assert_int_equal(gkr_eval(&c, values, &e), ZKM_OK);
    assert_int_equal(gkr_prove(&c, values, &proof, &len, NULL, &e), ZKM_EINVAL);
    gkr_values_free(&c, values);
    gkr_circuit_free(&c);
}

/* Packed sections survive encode/decode for every width, at the extremes. */
static void test_packed_sections(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 5);
    zkm_err e;
    for (unsigned enc = GKR_ENC_UINT; enc <= GKR_ENC_SINT; enc++)
        for (unsigned w = 1; w <= 64; w++) {
            if (!gkr_encoding_ok(enc, w))
                continue;
            gkr_section sec = {.tag = 1, .encoding = (uint8_t)enc, .width = (uint8_t)w};
            gkr_proof P = {.n_sections = 1, .sections = &sec};
            fr v[37];
            for (unsigned k = 0; k < 37; k++) {
                /* the signed range is [lo, -(lo + 1)] */
                const int64_t lo = w == 64 ? INT64_MIN : -((int64_t)1 << (w - 1));
                uint64_t x;
                if (k == 0)
                    x = 0;
                else if (enc == GKR_ENC_UINT)
                    x = k == 1 ? ((uint64_t)1 << w) - 1 : tu_u64(&g) & (((uint64_t)1 << w) - 1);
                else
                    x = k == 1 ? (uint64_t)lo : k == 2 ? (uint64_t)(-(lo + 1)) :
                        (uint64_t)((int64_t)(tu_u64(&g) << (64 - w)) >> (64 - w));
                if (enc == GKR_ENC_UINT)
                    fr_set_u64(&v[k], x);
                else
                    fr_set_i64(&v[k], (int64_t)x);
            }
            sec.msgs.v = v;
            sec.msgs.n = 37;
            uint8_t *bytes;
            size_t len;
            if (gkr_proof_encode(&P, &bytes, &len, &e))
                fail_msg("encode %u/%u: %s", enc, w, e.msg);
            gkr_proof D;
            if (gkr_proof_decode(&D, bytes, len, &e))
                fail_msg("decode %u/%u: %s", enc, w, e.msg);
            assert_int_equal(D.sections[0].msgs.n, 37);
            assert_memory_equal(D.sections[0].msgs.v, v, sizeof v);
            gkr_proof_free(&D);
            free(bytes);
            /* one past the range does not encode */
            if (w < 63) {
                if (enc == GKR_ENC_UINT)
                    fr_set_u64(&v[5], (uint64_t)1 << w);
                else
                    fr_set_i64(&v[5], (int64_t)1 << (w - 1));
                assert_int_equal(gkr_proof_encode(&P, &bytes, &len, &e), ZKM_EINVAL);
            }
        }
}

/* A conv layer (layer 1) over an image layer (2) and a kernel layer (3),
 * read by a generic layer (0) with random gates, so the conv layer gets two
 * claims.  Returns the circuit; shifts random unless given. */
static void conv_circuit(tu_rng *g, gkr_circuit *c, uint32_t co, uint32_t ci, uint32_t p,
                         uint32_t t, uint32_t n_taps, const uint64_t *shift_in)
{
    zkm_err e;
    uint64_t shift[16];
    for (uint32_t k = 0; k < n_taps; k++)
        shift[k] = shift_in ? shift_in[k] : tu_below(g, (uint64_t)1 << p);
    assert_int_equal(gkr_circuit_init(c, 4, &e), ZKM_OK);
    gkr_view img = {.layer = 2, .nvars = ci + p, .offset = 0};
    gkr_view ker = {.layer = 3, .nvars = co + ci + t, .offset = 0};
    int64_t off[32]; /* a 1-D convolution: every tap a column shift */
    for (uint32_t k = 0; k < n_taps; k++) {
        off[2 * k] = 0;
        off[2 * k + 1] = (int64_t)shift[k];
    }
    assert_int_equal(
        gkr_layer_conv2d(&c->layers[1], co, ci, p, p, t, n_taps, off, img, ker, &e), ZKM_OK);
    const uint32_t n = co + p;
    size_t ng = (size_t)1 << n;
    gkr_gate *gates = calloc(ng, sizeof *gates);
    for (size_t k = 0; k < ng; k++)
        gates[k] = (gkr_gate){.out = (uint32_t)k,
                              .in0 = (uint32_t)tu_below(g, ng),
                              .in1 = (uint32_t)tu_below(g, ng),
                              .op = (uint8_t)tu_below(g, 3)};
    gkr_view v = {.layer = 1, .nvars = n, .offset = 0};
    assert_int_equal(gkr_layer_generic(&c->layers[0], n, 1, &v, ng, gates, &e), ZKM_OK);
    free(gates);
    assert_int_equal(gkr_layer_input(&c->layers[2], ci + p, GKR_INPUT_PUBLIC, &e), ZKM_OK);
    assert_int_equal(gkr_layer_input(&c->layers[3], co + ci + t, GKR_INPUT_PUBLIC, &e), ZKM_OK);
    assert_int_equal(gkr_circuit_check(c, &e), ZKM_OK);
}

static void conv_prove_verify(gkr_circuit *c, fr **values)
{
    zkm_err e;
    uint8_t *proof;
    size_t len;
    if (gkr_prove(c, values, &proof, &len, NULL, &e))
        fail_msg("prove: %s", e.msg);
    if (gkr_verify(c, values, proof, len, NULL, NULL, &e))
        fail_msg("verify rejected an honest conv proof: %s", e.msg);
    /* one flipped byte in the last section (the conv layer's) is rejected */
    proof[len - 40] ^= 1;
    const zkm_status st = gkr_verify(c, values, proof, len, NULL, NULL, &e);
    assert_true(st == ZKM_EREJECT || st == ZKM_EFORMAT);
    free(proof);
}

static void test_conv_random(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 6);
    for (int rep = 0; rep < 40; rep++) {
        uint32_t co = (uint32_t)tu_below(&g, 3), ci = (uint32_t)tu_below(&g, 3);
        uint32_t p = 1 + (uint32_t)tu_below(&g, 6), t = (uint32_t)tu_below(&g, 5);
        uint32_t n_taps = 1 + (uint32_t)tu_below(&g, (uint64_t)1 << t);
        gkr_circuit c;
        zkm_err e;
        conv_circuit(&g, &c, co, ci, p, t, n_taps, NULL);
        fr *values[4] = {NULL, NULL, NULL, NULL};
        const size_t ni = (size_t)1 << (ci + p), nk = (size_t)1 << (co + ci + t);
        values[2] = malloc(ni * sizeof(fr));
        values[3] = malloc(nk * sizeof(fr));
        for (size_t k = 0; k < ni; k++)
            tu_fr_small(&g, &values[2][k], 50);
        for (size_t k = 0; k < nk; k++)
            tu_fr_small(&g, &values[3][k], 50);
        assert_int_equal(gkr_eval(&c, values, &e), ZKM_OK);
        /* the layer's values by the definition, term by term */
        const gkr_conv_params *cp = &c.layers[1].p.conv;
        const size_t P = (size_t)1 << p, CI = (size_t)1 << ci, T = (size_t)1 << t;
        for (size_t o = 0; o < ((size_t)1 << co); o++)
            for (size_t q = 0; q < P; q++) {
                fr acc, m;
                fr_set_zero(&acc);
                for (size_t ch = 0; ch < CI; ch++)
                    for (uint32_t k = 0; k < n_taps; k++)
                        if (q + (uint64_t)cp->off[2 * k + 1] < P) {
                            fr_mul(&m, &values[3][(o * CI + ch) * T + k],
                                   &values[2][ch * P + q + (uint64_t)cp->off[2 * k + 1]]);
                            fr_add(&acc, &acc, &m);
                        }
                assert_true(fr_eq(&acc, &values[1][o * P + q]));
            }
        conv_prove_verify(&c, values);
        gkr_values_free(&c, values);
        free(values[2]);
        free(values[3]);
        gkr_circuit_free(&c);
    }
}

/* Output (y, x) of a direct 3x3 convolution with zero padding 1 of cin
 * H x W images (image c's pixel (y, x) at img[c * plane + y * stride + x])
 * by one output channel's kernel (ker[c * 9 + 3 dy + dx]). */
static int64_t direct_conv3x3(int cin, int H, int W, const int64_t *img, int plane, int stride,
                              const int64_t *ker, int y, int x)
{
    int64_t acc = 0;
    for (int c = 0; c < cin; c++)
        for (int k = 0; k < 9; k++) {
            const int yy = y + k / 3 - 1, xx = x + k % 3 - 1;
            if (yy >= 0 && yy < H && xx >= 0 && xx < W)
                acc += ker[c * 9 + k] * img[c * plane + yy * stride + xx];
        }
    return acc;
}

/* A real 2-D convolution: 2 input channels of 5x5, zero padding 1, a 3x3
 * kernel, 3 output channels.  Padded images are 7 rows of stride 8 (64
 * positions); tap (dy, dx) is the shift 8 dy + dx; output (y, x) sits at
 * position 8 y + x.  Checked against a direct integer convolution. */
static void test_conv_2d(void **state)
{
    (void)state;
    enum { H = 5, W = 5, STRIDE = 8, CIN = 2, COUT = 3 };
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 7);
    int64_t img[CIN][H][W], ker[COUT][CIN][3][3];
    for (int c = 0; c < CIN; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                img[c][y][x] = (int64_t)tu_below(&g, 255) - 127;
    for (int o = 0; o < COUT; o++)
        for (int c = 0; c < CIN; c++)
            for (int dy = 0; dy < 3; dy++)
                for (int dx = 0; dx < 3; dx++)
                    ker[o][c][dy][dx] = (int64_t)tu_below(&g, 255) - 127;
    uint64_t shift[9];
    for (int k = 0; k < 9; k++)
        shift[k] = (uint64_t)(STRIDE * (k / 3) + k % 3);
    gkr_circuit c;
    zkm_err e;
    /* co = 2 (4 >= 3 channels), ci = 1, p = 6, t = 4 */
    conv_circuit(&g, &c, 2, 1, 6, 4, 9, shift);
    fr *values[4] = {NULL, NULL, calloc(2 * 64, sizeof(fr)), calloc(4 * 2 * 16, sizeof(fr))};
    for (int ch = 0; ch < CIN; ch++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) /* padded: image pixel (y, x) at row y+1, column x+1 */
                fr_set_i64(&values[2][ch * 64 + (y + 1) * STRIDE + (x + 1)], img[ch][y][x]);
    for (int o = 0; o < COUT; o++)
        for (int ch = 0; ch < CIN; ch++)
            for (int k = 0; k < 9; k++)
                fr_set_i64(&values[3][(o * 2 + ch) * 16 + k], ker[o][ch][k / 3][k % 3]);
    assert_int_equal(gkr_eval(&c, values, &e), ZKM_OK);
    for (int o = 0; o < COUT; o++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                fr want;
                fr_set_i64(&want, direct_conv3x3(CIN, H, W, &img[0][0][0], H * W, W,
                                                 &ker[o][0][0][0], y, x));
                assert_true(fr_eq(&want, &values[1][o * 64 + y * STRIDE + x]));
            }
    conv_prove_verify(&c, values);
    gkr_values_free(&c, values);
    free(values[2]);
    free(values[3]);
    gkr_circuit_free(&c);
}

/* The 2-D kind with signed offsets and the image at the origin: a direct
 * integer convolution with zero padding 1 (3x3 kernel) on H x W images in
 * a frame of 2^pr rows and 2^pc columns, with H and W up to the frame's
 * size (no spare zero column needed: reads outside the frame are 0).  The
 * frame's entries outside the image are zero. */
static void test_conv_2d_origin(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 9);
    for (int rep = 0; rep < 12; rep++) {
        const uint32_t pr = 1 + (uint32_t)tu_below(&g, 3), pc = 1 + (uint32_t)tu_below(&g, 3);
        const int R = 1 << pr, C = 1 << pc;
        const int H = 1 + (int)tu_below(&g, (uint64_t)R), W = 1 + (int)tu_below(&g, (uint64_t)C);
        const uint32_t p = pr + pc, P = 1u << p, ci = 1, co = 1;
        const int CIN = 2, COUT = 2;
        int64_t off[18];
        for (int k = 0; k < 9; k++) {
            off[2 * k] = k / 3 - 1;
            off[2 * k + 1] = k % 3 - 1;
        }
        gkr_circuit c;
        zkm_err e;
        assert_int_equal(gkr_circuit_init(&c, 4, &e), ZKM_OK);
        gkr_view img = {.layer = 2, .nvars = ci + p};
        gkr_view ker = {.layer = 3, .nvars = co + ci + 4};
        assert_int_equal(gkr_layer_conv2d(&c.layers[1], co, ci, p, pc, 4, 9, off, img, ker, &e),
                         ZKM_OK);
        fr coef = {{0}};
        fr_set_u64(&coef, 1);
        const uint32_t ts[2] = {0, 1}, fs[1] = {0};
        gkr_view v = {.layer = 1, .nvars = co + p};
        assert_int_equal(gkr_layer_eltwise(&c.layers[0], co + p, 1, &v, 1, &coef, ts, fs, &e),
                         ZKM_OK);
        assert_int_equal(gkr_layer_input(&c.layers[2], ci + p, GKR_INPUT_PUBLIC, &e), ZKM_OK);
        assert_int_equal(gkr_layer_input(&c.layers[3], co + ci + 4, GKR_INPUT_PUBLIC, &e),
                         ZKM_OK);
        assert_int_equal(gkr_circuit_check(&c, &e), ZKM_OK);
        fr *values[4] = {NULL, NULL, calloc(2 * P, sizeof(fr)), calloc(2 * 2 * 16, sizeof(fr))};
        int64_t im[2][8][8] = {{{0}}}, kr[2][2][9];
        for (int ch = 0; ch < CIN; ch++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                    im[ch][y][x] = (int64_t)tu_below(&g, 255) - 127;
                    fr_set_i64(&values[2][ch * P + (uint32_t)(y * C + x)], im[ch][y][x]);
                }
        for (int o = 0; o < COUT; o++)
            for (int ch = 0; ch < CIN; ch++)
                for (int k = 0; k < 9; k++) {
                    kr[o][ch][k] = (int64_t)tu_below(&g, 255) - 127;
                    fr_set_i64(&values[3][(o * 2 + ch) * 16 + k], kr[o][ch][k]);
                }
        assert_int_equal(gkr_eval(&c, values, &e), ZKM_OK);
        for (int o = 0; o < COUT; o++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                    fr want;
                    fr_set_i64(&want, direct_conv3x3(CIN, H, W, &im[0][0][0], 64, 8, kr[o][0],
                                                     y, x));
                    assert_true(fr_eq(&want, &values[1][o * P + (uint32_t)(y * C + x)]));
                }
        conv_prove_verify(&c, values);
        /* a changed offset is another circuit: its digest, hence the proof, differs */
        uint8_t *proof;
        size_t len;
        assert_int_equal(gkr_prove(&c, values, &proof, &len, NULL, &e), ZKM_OK);
        c.layers[1].p.conv.off[0] = 0;
        assert_int_equal(gkr_verify(&c, values, proof, len, NULL, NULL, &e), ZKM_EREJECT);
        free(proof);
        gkr_values_free(&c, values);
        free(values[2]);
        free(values[3]);
        gkr_circuit_free(&c);
    }
}

/* Mapped views: an eltwise layer reads random rearrangements of an input
 * layer (permuted variables, constants, zero-extended or broadcast free
 * variables); its values match the definition computed index by index,
 * the proof verifies, and changing one map entry breaks it.  Every other
 * input holds bits, so the prover's 0/1 path reads its copy of the view. */
static void test_mapped_views(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 10);
    for (int rep = 0; rep < 60; rep++) {
        const uint32_t ln = 1 + (uint32_t)tu_below(&g, 6), vn = 1 + (uint32_t)tu_below(&g, 6);
        /* choose which view variables the layer's variables take */
        uint8_t map[GKR_MAX_NVARS] = {0};
        uint32_t perm[GKR_MAX_NVARS];
        for (uint32_t j = 0; j < vn; j++)
            perm[j] = j;
        for (uint32_t j = vn; j > 1; j--) {
            uint32_t k = (uint32_t)tu_below(&g, j), t = perm[j - 1];
            perm[j - 1] = perm[k];
            perm[k] = t;
        }
        uint32_t used = 0;
        for (uint32_t i = 0; i < ln; i++) {
            if (used < vn && tu_below(&g, 3) != 0)
                map[i] = (uint8_t)perm[used++];
            else
                map[i] = tu_below(&g, 2) ? GKR_VIEW_CONST1 : GKR_VIEW_CONST0;
        }
        const unsigned ext = (unsigned)tu_below(&g, 2);
        gkr_circuit c;
        zkm_err e;
        assert_int_equal(gkr_circuit_init(&c, 2, &e), ZKM_OK);
        gkr_view v = gkr_view_mapped(1, ln, vn, map, ext);
        /* out = view + view * view (a degree-2 term too) */
        fr coef[2];
        fr_set_u64(&coef[0], 1);
        fr_set_u64(&coef[1], 3);
        const uint32_t ts[3] = {0, 1, 3}, fs[3] = {0, 0, 0};
        assert_int_equal(gkr_layer_eltwise(&c.layers[0], vn, 1, &v, 2, coef, ts, fs, &e), ZKM_OK);
        assert_int_equal(gkr_layer_input(&c.layers[1], ln, GKR_INPUT_PUBLIC, &e), ZKM_OK);
        if (gkr_circuit_check(&c, &e))
            fail_msg("check: %s", e.msg);
        fr *values[2] = {NULL, calloc((size_t)1 << ln, sizeof(fr))};
        for (size_t i = 0; i < ((size_t)1 << ln); i++) {
            if (rep % 2)
                fr_set_u64(&values[1][i], tu_below(&g, 2));
            else
                tu_fr(&g, &values[1][i]);
        }
        assert_int_equal(gkr_eval(&c, values, &e), ZKM_OK);
        for (size_t j = 0; j < ((size_t)1 << vn); j++) {
            size_t idx = 0;
            uint32_t named = 0;
            for (uint32_t i = 0; i < ln; i++) {
                size_t bit;
                if (map[i] == GKR_VIEW_CONST0)
                    bit = 0;
                else if (map[i] == GKR_VIEW_CONST1)
                    bit = 1;
                else {
                    bit = (j >> map[i]) & 1;
                    named |= 1u << map[i];
                }
                idx |= bit << i;
            }
            fr x = values[1][idx], want, t;
            if (ext == GKR_VIEW_ZERO && (j & ~(size_t)named))
                fr_set_zero(&x);
            fr_mul(&t, &x, &x);
            fr_mul(&t, &t, &coef[1]);
            fr_add(&want, &x, &t);
            assert_true(fr_eq(&want, &values[0][j]));
        }
        uint8_t *proof;
        size_t len;
        assert_int_equal(gkr_prove(&c, values, &proof, &len, NULL, &e), ZKM_OK);
        if (gkr_verify(&c, values, proof, len, NULL, NULL, &e))
            fail_msg("verify rejected an honest mapped-view proof: %s", e.msg);
        /* another map or extension mode is another circuit (its digest differs) */
        if (ln >= 1) {
            gkr_view *w = &c.layers[0].p.eltwise.src[0];
            const uint8_t saved = w->map[0];
            w->map[0] = saved == GKR_VIEW_CONST0 ? GKR_VIEW_CONST1 : GKR_VIEW_CONST0;
            assert_int_equal(gkr_verify(&c, values, proof, len, NULL, NULL, &e), ZKM_EREJECT);
            w->map[0] = saved;
            w->ext ^= 1;
            assert_int_equal(gkr_verify(&c, values, proof, len, NULL, NULL, &e), ZKM_EREJECT);
            w->ext ^= 1;
            /* a view variable named twice is refused by the structural check */
            if (ln >= 2 && w->map[0] < GKR_VIEW_CONST0) {
                const uint8_t s1 = w->map[1];
                w->map[1] = w->map[0];
                assert_int_equal(gkr_circuit_check(&c, &e), ZKM_EINVAL);
                w->map[1] = s1;
            }
        }
        free(proof);
        gkr_values_free(&c, values);
        free(values[1]);
        gkr_circuit_free(&c);
    }
}

/* Each eltwise shape the prover treats specially (constants only, linear
 * with a constant, a common factor times a linear rest, booleanity) and a
 * generic one: evaluated, proven and verified; a proof of a changed output
 * value rejected. */
static void test_eltwise_forms(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 11);
    /* terms over sources 0, 1 (two input layers of 2^4) */
    static const struct {
        const char *what;
        uint32_t n_terms;
        int64_t coef[4];
        uint32_t start[5], fac[6];
    } forms[] = {
        {"constants only", 2, {5, 7}, {0, 0, 0}, {0}},
        {"linear with a constant", 3, {2, -1, 9}, {0, 1, 2, 2}, {0, 1}},
        {"common factor", 3, {1, 3, -2}, {0, 2, 3, 5}, {0, 1, 0, 1, 0}},
        {"booleanity", 2, {1, -1}, {0, 2, 3}, {0, 0, 0}},
        {"generic", 2, {1, 4}, {0, 3, 4}, {0, 1, 1, 0}},
    };
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        gkr_circuit c;
        zkm_err e;
        assert_int_equal(gkr_circuit_init(&c, 3, &e), ZKM_OK);
        const gkr_view src[2] = {{.layer = 1, .nvars = 4}, {.layer = 2, .nvars = 4}};
        fr coef[4];
        for (uint32_t t = 0; t < forms[f].n_terms; t++)
            fr_set_i64(&coef[t], forms[f].coef[t]);
        assert_int_equal(gkr_layer_eltwise(&c.layers[0], 4, 2, src, forms[f].n_terms, coef,
                                           forms[f].start, forms[f].fac, &e),
                         ZKM_OK);
        assert_int_equal(gkr_layer_input(&c.layers[1], 4, GKR_INPUT_PUBLIC, &e), ZKM_OK);
        assert_int_equal(gkr_layer_input(&c.layers[2], 4, GKR_INPUT_PUBLIC, &e), ZKM_OK);
        if (gkr_circuit_check(&c, &e))
            fail_msg("%s: %s", forms[f].what, e.msg);
        fr *values[3] = {NULL, malloc(16 * sizeof(fr)), malloc(16 * sizeof(fr))};
        for (int k = 0; k < 16; k++) {
            tu_fr_small(&g, &values[1][k], 50);
            tu_fr_small(&g, &values[2][k], 50);
        }
        assert_int_equal(gkr_eval(&c, values, &e), ZKM_OK);
        uint8_t *proof;
        size_t len;
        assert_int_equal(gkr_prove(&c, values, &proof, &len, NULL, &e), ZKM_OK);
        if (gkr_verify(&c, values, proof, len, NULL, NULL, &e))
            fail_msg("%s: honest proof rejected: %s", forms[f].what, e.msg);
        /* another output value is rejected */
        fr one;
        fr_set_one(&one);
        fr_add(&values[0][3], &values[0][3], &one);
        uint8_t *bad;
        size_t blen;
        assert_int_equal(gkr_prove(&c, values, &bad, &blen, NULL, &e), ZKM_OK);
        assert_int_equal(gkr_verify(&c, values, bad, blen, NULL, NULL, &e), ZKM_EREJECT);
        free(bad);
        free(proof);
        gkr_values_free(&c, values);
        free(values[1]);
        free(values[2]);
        gkr_circuit_free(&c);
    }
}

/* sc_prove_eq against sc_prove with the table W = scale * eq(z, .) multiplied
 * into every term: the shapes with loops of their own (one table, a product
 * of two, booleanity), a recomposition-like sum, constants, then random
 * polynomials; tables of bits, of small integers with runs of zeros, or
 * random; z with some coordinates 0 or 1, scale 0 now and then.  The same
 * messages, challenges and final table values; and sc_prove_eq_bits on a
 * table of bits, given only its bits, likewise. */
static const struct {
    unsigned n_tables, n_terms, start[5], fac[6];
    int64_t coef[4];
} eq_shapes[] = {
    {1, 1, {0, 1}, {0}, {1}},                            /* one table */
    {2, 1, {0, 2}, {0, 1}, {1}},                         /* a product of two */
    {1, 2, {0, 2, 3}, {0, 0, 0}, {1, -1}},               /* booleanity */
    {4, 3, {0, 1, 3, 5}, {0, 1, 2, 3, 2}, {1, 1, 1}},    /* L + A M + B M */
    {2, 3, {0, 0, 1, 3}, {1, 0, 1}, {9, -1, 4}},         /* constant, linear, square */
};

static void eq_table_entry(tu_rng *g, fr *out, int kind)
{
    if (kind == 0)
        fr_set_u64(out, tu_below(g, 2));
    else if (kind == 1) /* small, zero in runs */
        tu_fr_small(g, out, tu_below(g, 3) ? 0 : 3);
    else
        tu_fr(g, out);
}

/* Prove with sc_prove_eq (bits: sc_prove_eq_bits) and with sc_prove on W;
 * fails on any difference. */
static void eq_compare(tu_rng *g, const sc_poly *shape, unsigned n, int kind, int use_bits,
                       const char *what)
{
    const size_t len = (size_t)1 << n;
    const unsigned nt = shape->n_tables, n_terms = shape->n_terms;
    unsigned wstart[9], wfac[8 * SC_MAX_DEGREE + 8], wnf = 0;
    for (unsigned t = 0; t < n_terms; t++) {
        wstart[t] = wnf;
        wfac[wnf++] = 0;
        for (unsigned f = shape->term_start[t]; f < shape->term_start[t + 1]; f++)
            wfac[wnf++] = 1 + shape->factors[f];
    }
    wstart[n_terms] = wnf;
    fr *a[8], *b[9], z[12], scale, claim, one;
    fr_set_one(&one);
    uint64_t *bits = calloc((len + 63) / 64, sizeof(uint64_t));
    for (unsigned j = 0; j < nt; j++) {
        a[j] = malloc(len * sizeof(fr));
        b[j + 1] = malloc(len * sizeof(fr));
        for (size_t i = 0; i < len; i++)
            eq_table_entry(g, &b[j + 1][i], j ? (int)tu_below(g, 3) : kind);
        memcpy(a[j], b[j + 1], len * sizeof(fr));
    }
    if (use_bits)
        assert_int_equal(mle_bits(b[1], len, bits), 1);
    for (unsigned i = 0; i < n; i++) {
        const uint64_t w = tu_below(g, 8);
        if (w < 2)
            fr_set_u64(&z[i], w);
        else
            tu_fr(g, &z[i]);
    }
    const uint64_t sw = tu_below(g, 8);
    if (sw == 0)
        fr_set_zero(&scale);
    else if (sw < 4)
        tu_fr(g, &scale);
    else
        scale = one;
    b[0] = malloc(len * sizeof(fr));
    mle_eq_table(b[0], z, n, &scale);
    sc_poly pa = *shape, pb = *shape;
    pa.tables = a;
    pb.n_tables = nt + 1;
    pb.tables = b;
    pb.term_start = wstart;
    pb.factors = wfac;
    fr_set_zero(&claim); /* the true sum */
    for (size_t i = 0; i < len; i++)
        for (unsigned t = 0; t < n_terms; t++) {
            fr prod = shape->coef ? shape->coef[t] : one;
            for (unsigned f = wstart[t]; f < wstart[t + 1]; f++)
                fr_mul(&prod, &prod, &b[wfac[f]][i]);
            fr_add(&claim, &claim, &prod);
        }
    transcript ta, tb;
    tr_init(&ta, "zkm/test/eq");
    tr_init(&tb, "zkm/test/eq");
    fr_vec ma = {0}, mb = {0};
    fr ra[12], rb[12];
    zkm_err e;
    if (use_bits) /* only the folded table: a[0] is far longer than needed */
        assert_int_equal(sc_prove_eq_bits(&pa, bits, z, &scale, &claim, n, &(zk_chan){.tr = &ta, .out = &ma}, ra, &e),
                         ZKM_OK);
    else
        assert_int_equal(sc_prove_eq(&pa, z, &scale, &claim, n, &(zk_chan){.tr = &ta, .out = &ma}, ra, &e), ZKM_OK);
    assert_int_equal(sc_prove(&pb, n, &(zk_chan){.tr = &tb, .out = &mb}, rb, &e), ZKM_OK);
    assert_int_equal(ma.n, mb.n);
    for (size_t i = 0; i < ma.n; i++)
        if (!fr_eq(&ma.v[i], &mb.v[i]))
            fail_msg("%s, n %u, tables of kind %d%s: message %zu differs", what, n, kind,
                     use_bits ? " as bits" : "", i);
    if (n)
        assert_memory_equal(ra, rb, n * sizeof(fr));
    for (unsigned j = 0; j < nt; j++)
        if (!fr_eq(&a[j][0], &b[j + 1][0]))
            fail_msg("%s, n %u: table %u does not end at T(r)", what, n, j);
    for (unsigned j = 0; j < nt; j++) {
        free(a[j]);
        free(b[j + 1]);
    }
    free(b[0]);
    free(bits);
    fr_vec_free(&ma);
    fr_vec_free(&mb);
}

static void test_sumcheck_eq(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 12);
    const unsigned n_shapes = sizeof eq_shapes / sizeof eq_shapes[0];
    for (unsigned n = 0; n <= 10; n++) {
        for (unsigned rep = 0; rep < n_shapes + 12; rep++) {
            unsigned start[5], fac[4 * SC_MAX_DEGREE];
            fr coef[4];
            sc_poly p = {0};
            char what[32];
            if (rep < n_shapes) {
                p.n_tables = eq_shapes[rep].n_tables;
                p.n_terms = eq_shapes[rep].n_terms;
                memcpy(start, eq_shapes[rep].start, sizeof eq_shapes[rep].start);
                memcpy(fac, eq_shapes[rep].fac, sizeof eq_shapes[rep].fac);
                for (unsigned t = 0; t < p.n_terms; t++)
                    fr_set_i64(&coef[t], eq_shapes[rep].coef[t]);
                snprintf(what, sizeof what, "shape %u", rep);
            } else { /* terms of 0..3 factors (up to 7 now and then) */
                p.n_tables = rep % 3 == 0 ? 1 : 1 + (unsigned)tu_below(&g, 4);
                p.n_terms = 1 + (unsigned)tu_below(&g, 4);
                unsigned nf = 0;
                for (unsigned t = 0; t < p.n_terms; t++) {
                    const unsigned tl = (unsigned)tu_below(&g, rep % 5 ? 4 : SC_MAX_DEGREE);
                    start[t] = nf;
                    for (unsigned f = 0; f < tl; f++)
                        fac[nf++] = (unsigned)tu_below(&g, p.n_tables);
                    const uint64_t c = tu_below(&g, 3);
                    if (c == 2)
                        tu_fr(&g, &coef[t]);
                    else
                        fr_set_i64(&coef[t], c ? -1 : 1);
                }
                start[p.n_terms] = nf;
                snprintf(what, sizeof what, "random polynomial %u", rep);
            }
            p.term_start = start;
            p.factors = fac;
            p.coef = rep >= n_shapes && tu_below(&g, 4) == 0 ? NULL : coef;
            for (int kind = 0; kind < 3; kind++) {
                eq_compare(&g, &p, n, kind, 0, what);
                if (kind == 0 && p.n_tables == 1 && n > SC_BOOL_ROUNDS)
                    eq_compare(&g, &p, n, kind, 1, what);
            }
        }
    }
}

/* The table helpers with shortcuts against their definitions: eq tables of
 * points whose top coordinates are 0 or 1 (built on one block only),
 * evaluation from split eq tables, y += c x with 0/1 entries and c = +-1
 * added without multiplying, and the packing of bits. */
static void test_mle_fast_paths(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 13);
    for (unsigned n = 0; n <= 8; n++) {
        const size_t len = (size_t)1 << n;
        fr *t = malloc(len * sizeof(fr)), *u = malloc(len * sizeof(fr));
        fr *y = malloc(len * sizeof(fr)), *want = malloc(len * sizeof(fr));
        fr *scratch = malloc(len * sizeof(fr)), *lo = malloc(len * sizeof(fr));
        fr *hi = malloc(len * sizeof(fr));
        uint64_t words[4];
        for (int rep = 0; rep < 8; rep++) {
            fr z[8], scale, bz[8], e, v, w, c, one;
            fr_set_one(&one);
            const unsigned top = (unsigned)tu_below(&g, n + 1); /* Boolean coordinates */
            for (unsigned i = 0; i < n; i++) {
                if (i >= n - top)
                    fr_set_u64(&z[i], tu_below(&g, 2));
                else
                    tu_fr(&g, &z[i]);
            }
            tu_fr(&g, &scale);
            /* eq tables, set and added */
            mle_eq_table(t, z, n, &scale);
            for (size_t i = 0; i < len; i++)
                u[i] = t[i];
            mle_eq_table_add(u, z, n, &scale, scratch);
            for (size_t b = 0; b < len; b++) {
                for (unsigned i = 0; i < n; i++)
                    fr_set_u64(&bz[i], (b >> i) & 1);
                mle_eq_eval(&e, z, bz, n);
                fr_mul(&e, &e, &scale);
                assert_true(fr_eq(&t[b], &e));
                fr_add(&e, &e, &e);
                assert_true(fr_eq(&u[b], &e));
            }
            /* tables of bits, of small values with zeros, random */
            const int kind = rep % 3;
            for (size_t i = 0; i < len; i++) {
                if (kind == 0)
                    fr_set_u64(&t[i], tu_below(&g, 2));
                else if (kind == 1)
                    tu_fr_small(&g, &t[i], 2);
                else
                    tu_fr(&g, &t[i]);
            }
            const unsigned nl = (unsigned)tu_below(&g, n + 1);
            mle_eq_table(lo, z, nl, NULL);
            mle_eq_table(hi, z + nl, n - nl, NULL);
            mle_eval_split(&v, t, n, nl, lo, hi);
            mle_eval(&w, t, n, z, scratch);
            assert_true(fr_eq(&v, &w));
            /* y += c t for c = 1, -1, random */
            if (rep % 3 == 0)
                c = one;
            else if (rep % 3 == 1)
                fr_neg(&c, &one);
            else
                tu_fr(&g, &c);
            for (size_t i = 0; i < len; i++) {
                tu_fr(&g, &y[i]);
                fr_mul(&want[i], &c, &t[i]);
                fr_add(&want[i], &want[i], &y[i]);
            }
            mle_axpy(y, &c, t, len);
            assert_memory_equal(y, want, len * sizeof(fr));
            /* bits: packed for a table of bits, refused for random values */
            if (kind == 0) {
                assert_int_equal(mle_bits(t, len, words), 1);
                for (size_t i = 0; i < len; i++)
                    assert_int_equal((words[i / 64] >> (i % 64)) & 1, fr_eq(&t[i], &one));
            } else if (kind == 2) {
                assert_int_equal(mle_bits(t, len, words), 0);
            }
        }
        for (size_t i = 0; i < len; i++) /* one 2 among bits */
            fr_set_u64(&t[i], i == len / 2 ? 2 : i & 1);
        assert_int_equal(mle_bits(t, len, words), 0);
        free(t);
        free(u);
        free(y);
        free(want);
        free(scratch);
        free(lo);
        free(hi);
    }
}

/* the shift predicate's extension agrees with its definition on the cube
 * and is multilinear (checked at random points against the cube sum) */
static void test_shift_mle(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 8);
    for (unsigned n = 0; n <= 5; n++) {
        const size_t N = (size_t)1 << n;
        for (uint64_t cst = 0; cst <= N + 1; cst++) {
            fr z[5], r[5], got, want, ez, er, t;
            for (unsigned i = 0; i < n; i++) {
                tu_fr(&g, &z[i]);
                tu_fr(&g, &r[i]);
            }
            mle_shift_eval(&got, z, r, n, cst);
            fr_set_zero(&want);
            for (size_t q = 0; q < N; q++) {
                if (q + cst >= N)
                    continue;
                fr bq[5], bq2[5];
                for (unsigned i = 0; i < n; i++) {
                    fr_set_u64(&bq[i], (q >> i) & 1);
                    fr_set_u64(&bq2[i], ((q + cst) >> i) & 1);
                }
                mle_eq_eval(&ez, z, bq, n);
                mle_eq_eval(&er, r, bq2, n);
                fr_mul(&t, &ez, &er);
                fr_add(&want, &want, &t);
            }
            assert_true(fr_eq(&got, &want));
        }
    }
}

int main(void)
{
    g_seed = tu_seed("test_gkr");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_each_kind),
        cmocka_unit_test(test_complete_mixed),
        cmocka_unit_test(test_complete_wide),
        cmocka_unit_test(test_advice_and_zero_layers),
        cmocka_unit_test(test_packed_sections),
        cmocka_unit_test(test_shift_mle),
        cmocka_unit_test(test_conv_random),
        cmocka_unit_test(test_conv_2d),
        cmocka_unit_test(test_conv_2d_origin),
        cmocka_unit_test(test_mapped_views),
        cmocka_unit_test(test_eltwise_forms),
        cmocka_unit_test(test_sumcheck_eq),
        cmocka_unit_test(test_mle_fast_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
