/* The test oracle tests/refnet.c pinned to hand-computed integers.
 *
 * Each case is a tiny model written inline, real weights and inputs chosen
 * so that the quantized values are easy to follow, and the exact integers
 * worked out by hand in the comments (never recomputed by code that could
 * share the oracle's mistakes):
 *   - dense: a full example with bias, and the rounding of negative ties;
 *   - the quantization of inputs: ties toward +infinity, the largest double
 *     below 1/2, the format's edges, values refused;
 *   - conv2d with padding (an asymmetric kernel, so a flipped or shifted
 *     kernel shows), and with stride, two channels in and out and a bias;
 *   - relu, maxpool (floor mode, rectangular windows), avgpool with ties,
 *     add, rescale, flatten and reshape;
 *   - batchnorm folded into a dense without bias and a conv2d with bias,
 *     against the folded layer written out by hand;
 *   - every error: out-of-range inputs and weights, a bias beyond 2^62,
 *     missing and mis-shaped tensors, overflow of dense, add, avgpool and
 *     rescale outputs, a batchnorm variance making sqrt(var + eps) NaN;
 *   - rescale against floor() in double on random 16-bit values;
 *   - LeNet-5 and the small ResNet of lang/examples on seeded weights
 *     (run from the repository root, as make check does). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "refnet.h"
#include "tensors.h"
#include "testutil.h"

static uint64_t g_seed;

/* ------------------------------------------------------------ helpers */

static zkm_model *model(const char *src)
{
    zkm_diags d;
    zkm_diags_init(&d);
    zkm_model *m = NULL;
    zkm_status st = zkm_model_from_source("t.zkm", src, strlen(src), NULL, &m, &d);
    if (st != ZKM_OK)
        zkm_diags_print(&d, stderr);
    zkm_diags_free(&d);
    assert_int_equal(st, ZKM_OK);
    assert_non_null(m);
    return m;
}

/* A test case's model (from src) and its empty weights and inputs. */
static zkm_model *case_open(const char *src, zkm_tensor_set *w, zkm_tensor_set *in)
{
    zkm_tensor_set_init(w);
    zkm_tensor_set_init(in);
    return model(src);
}

static void case_free(zkm_model *m, zkm_tensor_set *w, zkm_tensor_set *in)
{
    zkm_tensor_set_free(w);
    zkm_tensor_set_free(in);
    zkm_model_free(m);
}

/* Add tensor name of the given shape and values to s. */
static void put(zkm_tensor_set *s, const char *name, const uint64_t *shape, uint32_t rank,
                const double *v)
{
    zkm_tensor t;
    zkm_err e;
    assert_int_equal(zkm_tensor_init(&t, name, ZKM_TENSOR_F64, shape, rank, &e), ZKM_OK);
    if (t.count)
        memcpy(t.data, v, t.count * sizeof *v);
    assert_int_equal(zkm_tensor_set_add(s, &t, &e), ZKM_OK);
}
#define SHAPE(...) (const uint64_t[]){__VA_ARGS__}, (uint32_t)(sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t))
#define VALS(...) (const double[]){__VA_ARGS__}

/* Run and demand exactly want[0..n). */
static void expect_out(const zkm_model *m, const zkm_tensor_set *w, const zkm_tensor_set *in,
                       const int64_t *want, size_t n)
{
    int64_t *out = NULL;
    size_t n_out = 0;
    char err[256];
    int rc = refnet_run(m, w, in, &out, &n_out, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "refnet_run: %s\n", err);
    assert_int_equal(rc, 0);
    assert_int_equal(n_out, n);
    for (size_t k = 0; k < n; k++) {
        if (out[k] != want[k])
            fprintf(stderr, "entry %zu: got %lld, want %lld\n", k, (long long)out[k],
                    (long long)want[k]);
        assert_int_equal(out[k], want[k]);
    }
    free(out);
}
#define EXPECT(m, w, in, ...)                                                                \
    expect_out(m, w, in, (const int64_t[]){__VA_ARGS__},                                    \
               sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

/* Run and demand a refusal whose message holds each of the given strings
 * (NULL-terminated list). */
static void expect_fail(const zkm_model *m, const zkm_tensor_set *w, const zkm_tensor_set *in,
                        ...)
{
    int64_t *out = (int64_t *)1;
    size_t n_out = 7;
    char err[256];
    int rc = refnet_run(m, w, in, &out, &n_out, err, sizeof err);
    assert_int_equal(rc, -1);
    assert_null(out);
    assert_int_equal(n_out, 0);
    assert_null(strchr(err, '\n'));
    va_list ap;
    va_start(ap, in);
    const char *s;
    while ((s = va_arg(ap, const char *))) {
        if (!strstr(err, s))
            fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err, s);
        assert_non_null(strstr(err, s));
    }
    va_end(ap);
}
#define FAIL(m, w, in, ...) expect_fail(m, w, in, __VA_ARGS__, (const char *)NULL)

/* ---------------------------------------------------------------- dense */

static const char *DENSE2 = "model t {\n"
                            "  input x [2]\n"
                            "  y = dense(x, 2)\n"
                            "  output y\n"
                            "}\n";

static void test_dense(void **state)
{
    (void)state;
    zkm_model *m = model(DENSE2);
    /* q8.4 activations, q8.6 weights: shift 4 + 6 - 4 = 6, bias at frac 10 */
    assert_int_equal(m->nodes[1].shift, 6);
    zkm_tensor_set w, in;
    zkm_tensor_set_init(&w);
    zkm_tensor_set_init(&in);
    /* x = [1.5, -0.75] -> [24, -12]
     * W = [[0.5, 0.25], [-1, 1.984375]] -> [[32, 16], [-64, 127]]
     * b = [0.1, -0.3] -> floor(102.4 + .5) = 102, floor(-307.2 + .5) = -307
     * s0 = 24*32 - 12*16 + 102 = 678      -> floor(710 / 64)   = 11
     * s1 = -24*64 - 12*127 - 307 = -3367 -> floor(-3335 / 64) = -53 */
    put(&in, "x", SHAPE(2), VALS(1.5, -0.75));
    put(&w, "y.weight", SHAPE(2, 2), VALS(0.5, 0.25, -1, 1.984375));
    put(&w, "y.bias", SHAPE(2), VALS(0.1, -0.3));
    EXPECT(m, &w, &in, 11, -53);
    case_free(m, &w, &in);
}

static void test_dense_rounding(void **state)
{
    (void)state;
    zkm_tensor_set w, in;
    zkm_model *m = case_open("model t {\n  input x [2]\n  y = dense(x, 8, bias=false)\n  output y\n}\n", &w, &in);
    /* x = [1/16, 0] -> [1, 0], so s = the weight's integer in column 0;
     * column 1 multiplies 0.  shift 6: q = floor((s + 32) / 64)
     *   s = -32 -> 0    -33 -> -1    32 -> 1    31 -> 0
     *   s = -96 -> -1   -97 -> -2   127 -> 2  -128 -> -2 */
    put(&in, "x", SHAPE(2), VALS(0.0625, 0));
    put(&w, "y.weight", SHAPE(8, 2),
        VALS(-32 / 64., 1, -33 / 64., 1, 32 / 64., 1, 31 / 64., 1, -96 / 64., 1, -97 / 64., 1,
             127 / 64., 1, -128 / 64., 1));
    EXPECT(m, &w, &in, 0, -1, 1, 0, -1, -2, 2, -2);
    case_free(m, &w, &in);
}

/* ------------------------------------------------------ quantization */

static const char *IDENT8 = "model t {\n"
                            "  input x [8]\n"
                            "  y = rescale(x, 0)\n"
                            "  output y\n"
                            "}\n";

static void test_input_quantize(void **state)
{
    (void)state;
    zkm_tensor_set w, in;
    zkm_model *m = case_open(IDENT8, &w, &in);
    /* at frac 4, v * 16 =
     *   2.5 -> 3, -2.5 -> -2, 0.5 -> 1, -0.5 -> 0 (ties toward +infinity),
     *   0.49999999999999994 -> 0 (floor(v*16 + 0.5) in double would give 1),
     *   127 -> 127, -128.5 -> -128 (rounds into range), -128 -> -128 */
    double below_half = nextafter(0.5, 0.0) / 16;
    put(&in, "x", SHAPE(8),
        VALS(0.15625, -0.15625, 0.03125, -0.03125, below_half, 7.9375, -8.03125, -8.0));
    EXPECT(m, &w, &in, 3, -2, 1, 0, 0, 127, -128, -128);
    case_free(m, &w, &in);
}

static void test_input_refused(void **state)
{
    (void)state;
    zkm_model *m = model("model t {\n  input x [1]\n  y = rescale(x, 0)\n  output y\n}\n");
    zkm_tensor_set w;
    zkm_tensor_set_init(&w);
    /* 7.96875 * 16 = 127.5 rounds up to 128; -8.0625 * 16 = -129 */
    static const double bad[] = {7.96875, 8.0, -8.0625, 1e300, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zkm_tensor_set in;
        zkm_tensor_set_init(&in);
        put(&in, "x", SHAPE(1), &bad[i]);
        FAIL(m, &w, &in, "input 'x'", "q8.4");
        zkm_tensor_set_free(&in);
    }
    /* missing, misnamed and mis-shaped inputs */
    zkm_tensor_set in;
    zkm_tensor_set_init(&in);
    FAIL(m, &w, &in, "input 'x'", "no input tensor");
    put(&in, "xx", SHAPE(1), VALS(1));
    FAIL(m, &w, &in, "no input tensor");
    put(&in, "x", SHAPE(1, 1), VALS(1));
    FAIL(m, &w, &in, "wrong shape");
    case_free(m, &w, &in);
}

static void test_weights_refused(void **state)
{
    (void)state;
    zkm_tensor_set w, in;
    zkm_model *m = case_open(DENSE2, &w, &in);
    put(&in, "x", SHAPE(2), VALS(1, 1));
    /* missing weight, then missing bias */
    FAIL(m, &w, &in, "dense 'y'", "y.weight", "missing");
    put(&w, "y.weight", SHAPE(2, 2), VALS(0, 0, 0, 2.0)); /* 2.0 -> 128 > 127 in q8.6 */
    FAIL(m, &w, &in, "y.bias", "missing");
    put(&w, "y.bias", SHAPE(2), VALS(0, 0));
    FAIL(m, &w, &in, "dense 'y'", "y.weight[3]", "q8.6");
    zkm_tensor_set_free(&w);

    /* -1.9921875 * 64 = -127.5 -> -127 and -2.0 -> -128 fit; a bias of
     * 2^52 at frac 10 is 2^62: refused; 2^51 is accepted */
    zkm_tensor_set_init(&w);
    put(&w, "y.weight", SHAPE(2, 2), VALS(-1.9921875, -2.0, 0, 0));
    put(&w, "y.bias", SHAPE(2), VALS(0x1p52, 0));
    FAIL(m, &w, &in, "dense 'y'", "bias");
    zkm_tensor_set_free(&w);
    zkm_tensor_set_init(&w);
    put(&w, "y.weight", SHAPE(2, 2), VALS(-1.9921875, -2.0, 0, 0));
    put(&w, "y.bias", SHAPE(2), VALS(-0x1p51, 0));
    /* x = [16, 16]; s0 = -127*16 - 128*16 - 2^61: far outside q8.4 */
    FAIL(m, &w, &in, "dense 'y'", "outside q8.4");
    zkm_tensor_set_free(&w);

    /* mis-shaped weight */
    zkm_tensor_set_init(&w);
    put(&w, "y.weight", SHAPE(4), VALS(0, 0, 0, 0));
    put(&w, "y.bias", SHAPE(2), VALS(0, 0));
    FAIL(m, &w, &in, "y.weight", "wrong shape");
    case_free(m, &w, &in);
}

/* -------------------------------------------------------------- conv2d */

static void test_conv2d_padding(void **state)
{
    (void)state;
    zkm_model *m = model("model t {\n"
                         "  bits 16 frac 0\n"
                         "  weights bits 8 frac 0\n"
                         "  input x [1, 3, 3]\n"
                         "  y = conv2d(x, 1, kernel=3, padding=1)\n"
                         "  output y\n"
                         "}\n");
    assert_int_equal(m->nodes[1].shift, 0);
    zkm_tensor_set w, in;
    zkm_tensor_set_init(&w);
    zkm_tensor_set_init(&in);
    /* x = [[1,2,3],[4,5,6],[7,8,9]], W = [[1,2,0],[0,3,0],[0,0,-1]], b = 1:
     * y[i][j] = x[i-1][j-1] + 2 x[i-1][j] + 3 x[i][j] - x[i+1][j+1] + 1,
     * zero outside:
     *   (0,0)  0 + 0 + 3 - 5 + 1 = -1     (0,1)  0 + 0 + 6 - 6 + 1 = 1
     *   (0,2)  0 + 0 + 9 - 0 + 1 = 10     (1,0)  0 + 2 + 12 - 8 + 1 = 7
     *   (1,1)  1 + 4 + 15 - 9 + 1 = 12    (1,2)  2 + 6 + 18 - 0 + 1 = 27
     *   (2,0)  0 + 8 + 21 + 1 = 30        (2,1)  4 + 10 + 24 + 1 = 39
     *   (2,2)  5 + 12 + 27 + 1 = 45 */
    put(&in, "x", SHAPE(1, 3, 3), VALS(1, 2, 3, 4, 5, 6, 7, 8, 9));
    put(&w, "y.weight", SHAPE(1, 1, 3, 3), VALS(1, 2, 0, 0, 3, 0, 0, 0, -1));
    put(&w, "y.bias", SHAPE(1), VALS(1));
    EXPECT(m, &w, &in, -1, 1, 10, 7, 12, 27, 30, 39, 45);
    case_free(m, &w, &in);
}

static void test_conv2d_stride(void **state)
{
    (void)state;
    zkm_model *m = model("model t {\n"
                         "  bits 16 frac 0\n"
                         "  weights bits 8 frac 0\n"
                         "  input x [2, 4, 4] frac 1\n"
                         "  y = conv2d(x, 2, kernel=2, stride=2)\n"
                         "  output y\n"
                         "}\n");
    assert_int_equal(m->nodes[1].shift, 1);
    zkm_tensor_set w, in;
    zkm_tensor_set_init(&w);
    zkm_tensor_set_init(&in);
    /* frac 1: channel 0 holds the integers 0..15 (reals k/2), channel 1 all 1.
     * out 0: W[0][0] = [[1,0],[0,0]], W[0][1] = [[0,0],[0,1]], bias 0
     *   s = x0[2i][2j] + x1[2i+1][2j+1] = 8i + 2j + 1: 1, 3, 9, 11
     * out 1: W[1][0] = [[0,0],[0,1]], W[1][1] = [[-1,-1],[-1,0]], bias 2.5 -> 5
     *   s = x0[2i+1][2j+1] - 3 + 5 = 8i + 2j + 7: 7, 9, 15, 17
     * shift 1, q = floor((s + 1) / 2): 1, 2, 5, 6 and 4, 5, 8, 9 */
    double x[32];
    for (int k = 0; k < 16; k++) {
        x[k] = k / 2.0;
        x[16 + k] = 0.5;
    }
    put(&in, "x", SHAPE(2, 4, 4), x);
    put(&w, "y.weight", SHAPE(2, 2, 2, 2),
        VALS(1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, -1, -1, -1, 0));
    put(&w, "y.bias", SHAPE(2), VALS(0, 2.5));
    EXPECT(m, &w, &in, 1, 2, 5, 6, 4, 5, 8, 9);
    case_free(m, &w, &in);
}

/* ------------------------------------------------ relu and pooling */

static void test_relu(void **state)
{
    (void)state;
    zkm_tensor_set w, in;
    zkm_model *m = case_open("model t {\n  input x [5]\n  y = relu(x)\n  output y\n}\n", &w, &in);
    /* -1 -> -16 -> 0, 0, 0.5 -> 8, -1/16 -> -1 -> 0, 7.9375 -> 127 */
    put(&in, "x", SHAPE(5), VALS(-1, 0, 0.5, -0.0625, 7.9375));
    EXPECT(m, &w, &in, 0, 0, 8, 0, 127);
    case_free(m, &w, &in);
}

static void test_maxpool(void **state)
{
    (void)state;
    zkm_tensor_set w, in;
    zkm_model *m = case_open("model t {\n  bits 8 frac 0\n  input x [2, 3, 5]\n"
                         "  y = maxpool(x, 2)\n  output y\n}\n", &w, &in);
    /* floor mode: [2, 1, 2]; row 2 and column 4 belong to no window
     * ch 0: {1,5,3,-4} -> 5, {2,0,7,8} -> 8
     * ch 1: {-5,-6,-9,-10} -> -5, {-7,-8,-3,-20} -> -3 (all negative) */
    put(&in, "x", SHAPE(2, 3, 5),
        VALS(1, 5, 2, 0, 99, 3, -4, 7, 8, 99, 100, 100, 100, 100, 100,
             -5, -6, -7, -8, 50, -9, -10, -3, -20, 50, 50, 50, 50, 50, 50));
    EXPECT(m, &w, &in, 5, 8, -5, -3);
    zkm_tensor_set_free(&in);
    zkm_model_free(m);

    /* window 2x1, stride 1x2 on [1, 3, 3]: out [1, 2, 2], window (i, j)
     * covers rows i..i+1 of column 2j
     * x = [[9,1,4],[2,8,3],[5,7,6]]: {9,2} 9, {4,3} 4, {2,5} 5, {3,6} 6 */
    m = model("model t {\n  bits 8 frac 0\n  input x [1, 3, 3]\n"
              "  y = maxpool(x, window=[2, 1], stride=[1, 2])\n  output y\n}\n");
    zkm_tensor_set_init(&in);
    put(&in, "x", SHAPE(1, 3, 3), VALS(9, 1, 4, 2, 8, 3, 5, 7, 6));
    EXPECT(m, &w, &in, 9, 4, 5, 6);
    case_free(m, &w, &in);
}

static void test_avgpool(void **state)
{
    (void)state;
    zkm_model *m = model("model t {\n  input x [2, 2, 6]\n  y = avgpool(x, 2)\n  output y\n}\n");
    assert_int_equal(m->nodes[1].shift, 2);
    zkm_tensor_set w, in;
    zkm_tensor_set_init(&w);
    zkm_tensor_set_init(&in);
    /* integers (inputs are these / 16):
     * ch 0 rows [1,2, 3,-7, 3,3] and [1,0, -5,-1, 3,2]
     *   sums 4, -10, 11 -> floor((s + 2) / 4) = 1, -2 (tie -2.5), 3 (2.75)
     * ch 1 rows [-3,-1, 0,0, 127,127] and [-1,-1, 0,-1, 127,127]
     *   sums -6, -1, 508 -> -1 (tie -1.5), 0 (-0.25), 127 */
    static const int q[24] = {1, 2, 3, -7, 3, 3, 1, 0, -5, -1, 3, 2,
                              -3, -1, 0, 0, 127, 127, -1, -1, 0, -1, 127, 127};
    double x[24];
    for (int k = 0; k < 24; k++)
        x[k] = q[k] / 16.0;
    put(&in, "x", SHAPE(2, 2, 6), x);
    EXPECT(m, &w, &in, 1, -2, 3, -1, 0, 127);
    zkm_model_free(m);

    /* frac=6 keeps the sum unshifted: 508 does not fit q8.6 */
    m = model("model t {\n  input x [2, 2, 6]\n  y = avgpool(x, 2, frac=6)\n  output y\n}\n");
    assert_int_equal(m->nodes[1].shift, 0);
    FAIL(m, &w, &in, "avgpool 'y'", "entry 5", "508", "q8.6");
    case_free(m, &w, &in);
}

/* ------------------------------------------- add, rescale, reshaping */

static void test_add(void **state)
{
    (void)state;
    zkm_tensor_set w, in;
    zkm_model *m = case_open("model t {\n  input a [3]\n  input b [3]\n"
                         "  y = add(a, b)\n  output y\n}\n", &w, &in);
    /* [16, -32, 56] + [4, -16, 16] = [20, -48, 72] */
    put(&in, "a", SHAPE(3), VALS(1, -2, 3.5));
    put(&in, "b", SHAPE(3), VALS(0.25, -1, 1));
    EXPECT(m, &w, &in, 20, -48, 72);
    zkm_tensor_set_free(&in);

    /* 7 + 7 = 224 > 127 */
    zkm_tensor_set_init(&in);
    put(&in, "a", SHAPE(3), VALS(0, 7, 0));
    put(&in, "b", SHAPE(3), VALS(0, 7, 0));
    FAIL(m, &w, &in, "add 'y'", "entry 1", "224", "q8.4");
    zkm_tensor_set_free(&in);
    zkm_model_free(m);

    /* frac=3: shift 1.  [17, -33, 56] + [4, 0, 16] = [21, -33, 72]
     * -> floor((s + 1) / 2) = 11, -16 (tie -16.5), 36 */
    m = model("model t {\n  input a [3]\n  input b [3]\n"
              "  y = add(a, b, frac=3)\n  output y\n}\n");
    assert_int_equal(m->nodes[2].shift, 1);
    zkm_tensor_set_init(&in);
    put(&in, "a", SHAPE(3), VALS(17 / 16., -33 / 16., 56 / 16.));
    put(&in, "b", SHAPE(3), VALS(4 / 16., 0, 1));
    EXPECT(m, &w, &in, 11, -16, 36);
    case_free(m, &w, &in);

    /* add(x, x): one node read twice */
    m = model("model t {\n  input x [2]\n  y = add(x, x, bits=9, frac=4)\n  output y\n}\n");
    zkm_tensor_set_init(&w);
    zkm_tensor_set_init(&in);
    put(&in, "x", SHAPE(2), VALS(7.9375, -8));
    EXPECT(m, &w, &in, 254, -256);
    case_free(m, &w, &in);
}

static void test_rescale(void **state)
{
    (void)state;
    zkm_tensor_set w, in;
    zkm_model *m = case_open("model t {\n  input x [4]\n  y = rescale(x, 2)\n  output y\n}\n", &w, &in);
    /* [7, -6, -10, 5] -> floor((s + 2) / 4) = 2, -1 (tie), -2 (tie), 1 */
    put(&in, "x", SHAPE(4), VALS(7 / 16., -6 / 16., -10 / 16., 5 / 16.));
    EXPECT(m, &w, &in, 2, -1, -2, 1);
    zkm_model_free(m);

    /* rescale to frac 3 is a shift by 1: 4, -3 (tie), -5 (tie), 3 (tie) */
    m = model("model t {\n  input x [4]\n  y = rescale(x, frac=3)\n  output y\n}\n");
    EXPECT(m, &w, &in, 4, -3, -5, 3);
    zkm_tensor_set_free(&in);
    zkm_model_free(m);

    /* 127 -> floor(128 / 2) = 64, outside q4.3 */
    m = model("model t {\n  input x [1]\n  y = rescale(x, 1, bits=4)\n  output y\n}\n");
    zkm_tensor_set_init(&in);
    put(&in, "x", SHAPE(1), VALS(7.9375));
    FAIL(m, &w, &in, "rescale 'y'", "127", "64", "q4.3");
    case_free(m, &w, &in);
}

static void test_rescale_random(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x7265666e6574ULL);
    zkm_tensor_set w;
    zkm_tensor_set_init(&w);
    for (uint32_t k = 1; k <= 15; k++) {
        char src[160];
        snprintf(src, sizeof src,
                 "model t {\n  bits 16 frac 15\n  input x [64]\n  y = rescale(x, %u)\n"
                 "  output y\n}\n", k);
        zkm_model *m = model(src);
        double x[64];
        int64_t want[64];
        for (int i = 0; i < 64; i++) {
            int64_t q = (int64_t)tu_below(&g, 65536) - 32768;
            if (i < 4) /* the extremes and a tie */
                q = i == 0 ? -32768 : i == 1 ? 32767 : i == 2 ? -(1 << (k - 1)) : 1 << (k - 1);
            x[i] = ldexp((double)q, -15);
            /* round half up, in double (exact at these sizes) */
            want[i] = (int64_t)floor((double)q / (double)(1 << k) + 0.5);
        }
        zkm_tensor_set in;
        zkm_tensor_set_init(&in);
        put(&in, "x", SHAPE(64), x);
        expect_out(m, &w, &in, want, 64);
        zkm_tensor_set_free(&in);
        zkm_model_free(m);
    }
    zkm_tensor_set_free(&w);
}

static void test_flatten_reshape(void **state)
{
    (void)state;
    zkm_tensor_set w, in;
    zkm_model *m = case_open("model t {\n  bits 8 frac 0\n  input x [2, 2, 3]\n"
                         "  y = flatten(x) |> reshape([3, -1]) |> reshape(shape=[1, 4, 3])"
                         " |> flatten\n  output y\n}\n", &w, &in);
    put(&in, "x", SHAPE(2, 2, 3), VALS(5, -4, 3, -2, 1, 0, 11, -10, 9, -8, 7, -6));
    EXPECT(m, &w, &in, 5, -4, 3, -2, 1, 0, 11, -10, 9, -8, 7, -6);
    case_free(m, &w, &in);

    /* dense after flatten reads the row-major order: W picks (c=1, h=0, w=2)
     * = entry 8 and (c=0, h=1, w=0) = entry 3, frac 0 everywhere */
    m = model("model t {\n  bits 8 frac 0\n  weights bits 8 frac 0\n  input x [2, 2, 3]\n"
              "  y = flatten(x) |> dense(2, bias=false)\n  output y\n}\n");
    zkm_tensor_set_init(&w);
    zkm_tensor_set_init(&in);
    put(&in, "x", SHAPE(2, 2, 3), VALS(5, -4, 3, -2, 1, 0, 11, -10, 9, -8, 7, -6));
    double wt[24] = {0};
    wt[8] = 1;       /* row 0 picks entry 8 = 9 */
    wt[12 + 3] = -3; /* row 1 gives -3 * entry 3 = 6 */
    put(&w, "y.weight", SHAPE(2, 12), wt);
    EXPECT(m, &w, &in, 9, 6);
    case_free(m, &w, &in);
}

/* ----------------------------------------------------------- batchnorm */

static void test_batchnorm_dense(void **state)
{
    (void)state;
    zkm_tensor_set w, in;
    zkm_model *m = case_open("model t {\n  input x [2]\n"
                         "  y = dense(x, 2, bias=false) as fc |> batchnorm(eps=1)\n"
                         "  output y\n}\n", &w, &in);
    /* W = [[0.5, -0.25], [1, 0.125]], no bias
     * gamma [2, 0.5], beta [0.1, -0.2], mean [0.3, 1], var [3, 0], eps 1
     * scale = [2 / sqrt(4), 0.5 / sqrt(1)] = [1, 0.5]
     * W' = [[0.5, -0.25], [0.5, 0.0625]] -> q8.6 [[32, -16], [32, 4]]
     * b' = [-0.3 * 1 + 0.1, -1 * 0.5 - 0.2] = [-0.2, -0.7]
     *   at frac 10: floor(-204.8 + .5) = -205, floor(-716.8 + .5) = -717
     * x = [1, -0.5] -> [16, -8]
     * s0 = 512 + 128 - 205 = 435  -> floor(467 / 64)  = 7
     * s1 = 512 - 32 - 717 = -237  -> floor(-205 / 64) = -4 */
    put(&in, "x", SHAPE(2), VALS(1, -0.5));
    put(&w, "fc.weight", SHAPE(2, 2), VALS(0.5, -0.25, 1, 0.125));
    put(&w, "y.weight", SHAPE(2), VALS(2, 0.5));
    put(&w, "y.bias", SHAPE(2), VALS(0.1, -0.2));
    put(&w, "y.running_mean", SHAPE(2), VALS(0.3, 1));
    put(&w, "y.running_var", SHAPE(2), VALS(3, 0));
    EXPECT(m, &w, &in, 7, -4);

    /* the same layer folded by hand */
    zkm_model *m2 = model(DENSE2);
    zkm_tensor_set w2;
    zkm_tensor_set_init(&w2);
    put(&w2, "y.weight", SHAPE(2, 2), VALS(0.5, -0.25, 0.5, 0.0625));
    put(&w2, "y.bias", SHAPE(2), VALS(-0.2, -0.7));
    EXPECT(m2, &w2, &in, 7, -4);
    zkm_tensor_set_free(&w2);
    zkm_model_free(m2);

    /* var + eps < 0: no scale */
    zkm_tensor_set_free(&w);
    zkm_tensor_set_init(&w);
    put(&w, "fc.weight", SHAPE(2, 2), VALS(0.5, -0.25, 1, 0.125));
    put(&w, "y.weight", SHAPE(2), VALS(2, 0.5));
    put(&w, "y.bias", SHAPE(2), VALS(0.1, -0.2));
    put(&w, "y.running_mean", SHAPE(2), VALS(0.3, 1));
    put(&w, "y.running_var", SHAPE(2), VALS(3, -2));
    FAIL(m, &w, &in, "batchnorm 'y'", "channel 1");
    zkm_tensor_set_free(&w);

    /* gamma 8: W'[0][0] = 0.5 * 8 / 2 = 2 -> 128, outside q8.6 */
    zkm_tensor_set_init(&w);
    put(&w, "fc.weight", SHAPE(2, 2), VALS(0.5, -0.25, 1, 0.125));
    put(&w, "y.weight", SHAPE(2), VALS(8, 0.5));
    put(&w, "y.bias", SHAPE(2), VALS(0.1, -0.2));
    put(&w, "y.running_mean", SHAPE(2), VALS(0.3, 1));
    put(&w, "y.running_var", SHAPE(2), VALS(3, 0));
    FAIL(m, &w, &in, "dense 'fc'", "fc.weight[0]", "q8.6");
    zkm_tensor_set_free(&w);

    /* a missing running statistic */
    zkm_tensor_set_init(&w);
    put(&w, "fc.weight", SHAPE(2, 2), VALS(0.5, -0.25, 1, 0.125));
    put(&w, "y.weight", SHAPE(2), VALS(2, 0.5));
    put(&w, "y.bias", SHAPE(2), VALS(0.1, -0.2));
    put(&w, "y.running_mean", SHAPE(2), VALS(0.3, 1));
    FAIL(m, &w, &in, "y.running_var", "missing");
    case_free(m, &w, &in);
}

static void test_batchnorm_conv2d(void **state)
{
    (void)state;
    zkm_tensor_set w, in;
    zkm_model *m = case_open("model t {\n"
                         "  bits 16 frac 0\n"
                         "  weights bits 8 frac 2\n"
                         "  input x [1, 2, 2]\n"
                         "  y = conv2d(x, 2, kernel=1) as conv |> batchnorm(eps=1) |> relu as r\n"
                         "    |> rescale(0)\n"
                         "  output y\n"
                         "}\n", &w, &in);
    /* 1x1 kernels W = [0.5, 1], bias [0.5, -1]
     * gamma [2, 1], beta [0, 0.75], mean [0.25, 1], var [0, 3], eps 1
     * scale [2 / 1, 1 / 2] = [2, 0.5]
     * W' = [1, 0.5] -> frac 2: [4, 2]
     * b' = [(0.5 - 0.25) * 2 + 0, (-1 - 1) * 0.5 + 0.75] = [0.5, -0.25] -> [2, -1]
     * x = [1, 2, -3, 5]; shift 0 + 2 - 0 = 2: q = floor((s + 2) / 4)
     * c0: s = 4x + 2 = 6, 10, -10, 22 -> 2, 3, -2, 6
     * c1: s = 2x - 1 = 1, 3, -7, 9    -> 0, 1, -2, 2
     * relu: c0 -2 -> 0 and c1 -2 -> 0 */
    put(&in, "x", SHAPE(1, 2, 2), VALS(1, 2, -3, 5));
    put(&w, "conv.weight", SHAPE(2, 1, 1, 1), VALS(0.5, 1));
    put(&w, "conv.bias", SHAPE(2), VALS(0.5, -1));
    put(&w, "y.weight", SHAPE(2), VALS(2, 1));
    put(&w, "y.bias", SHAPE(2), VALS(0, 0.75));
    put(&w, "y.running_mean", SHAPE(2), VALS(0.25, 1));
    put(&w, "y.running_var", SHAPE(2), VALS(0, 3));
    EXPECT(m, &w, &in, 2, 3, 0, 6, 0, 1, 0, 2);
    case_free(m, &w, &in);
}

/* ------------------------------------------------------------ overflow */

static void test_overflow(void **state)
{
    (void)state;
    zkm_tensor_set w, in;
    zkm_model *m = case_open(DENSE2, &w, &in);
    /* 7 * 1.984375 -> 112 * 127 = 14224 -> floor(14256 / 64) = 222 > 127
     * -7 * 1.984375 -> -14224 -> floor(-14192 / 64) = -222 < -128 */
    put(&in, "x", SHAPE(2), VALS(7, 0));
    put(&w, "y.weight", SHAPE(2, 2), VALS(0, 0, 1.984375, 0));
    put(&w, "y.bias", SHAPE(2), VALS(0, 0));
    FAIL(m, &w, &in, "dense 'y'", "entry 1", "14224", "222", "q8.4");
    zkm_tensor_set_free(&w);
    zkm_tensor_set_init(&w);
    put(&w, "y.weight", SHAPE(2, 2), VALS(-1.984375, 0, 0, 0));
    put(&w, "y.bias", SHAPE(2), VALS(0, 0));
    FAIL(m, &w, &in, "dense 'y'", "entry 0", "-222");
    zkm_tensor_set_free(&w);

    /* the edges fit: x = [127, -128] through the identity (64 at frac 6):
     * s0 = 8128 -> floor(8160 / 64) = 127, s1 = -8192 -> floor(-8160 / 64) = -128 */
    zkm_tensor_set_free(&in);
    zkm_tensor_set_init(&in);
    put(&in, "x", SHAPE(2), VALS(7.9375, -8));
    zkm_tensor_set_init(&w);
    put(&w, "y.weight", SHAPE(2, 2), VALS(1, 0, 0, 1));
    put(&w, "y.bias", SHAPE(2), VALS(0, 0));
    EXPECT(m, &w, &in, 127, -128);
    zkm_tensor_set_free(&w);
    /* a bias of 31 at frac 10: 8159 -> floor(8191 / 64) = 127 still;
     * of 32: 8160 -> floor(8192 / 64) = 128, refused */
    zkm_tensor_set_init(&w);
    put(&w, "y.weight", SHAPE(2, 2), VALS(1, 0, 0, 1));
    put(&w, "y.bias", SHAPE(2), VALS(31 / 1024., 0));
    EXPECT(m, &w, &in, 127, -128);
    zkm_tensor_set_free(&w);
    zkm_tensor_set_init(&w);
    put(&w, "y.weight", SHAPE(2, 2), VALS(1, 0, 0, 1));
    put(&w, "y.bias", SHAPE(2), VALS(32 / 1024., 0));
    FAIL(m, &w, &in, "dense 'y'", "entry 0", "8160", "128");
    case_free(m, &w, &in);
}

/* ------------------------------------------ whole examples, seeded */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = malloc(1 << 20);
    size_t n = b ? fread(b, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (b)
        b[n] = '\0';
    *len = n;
    return b;
}

/* Seeded weights for every tensor m lists (running_var kept positive) and
 * seeded inputs in [0, 1). */
static void seeded(const zkm_model *m, uint64_t seed, zkm_tensor_set *w, zkm_tensor_set *in)
{
    zkm_err e;
    zkm_tensor_set_init(w);
    zkm_tensor_set_init(in);
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        const zkm_node *n = &m->nodes[i];
        if (n->op == ZKM_OP_INPUT) {
            uint64_t sh[3];
            for (uint32_t k = 0; k < n->shape.rank; k++)
                sh[k] = n->shape.dim[k];
            zkm_tensor t;
            assert_int_equal(zkm_tensor_random(n->name, sh, n->shape.rank, 1, seed,
                                               ZKM_TENSOR_RAND_INPUT, &t, &e),
                             ZKM_OK);
            assert_int_equal(zkm_tensor_set_add(in, &t, &e), ZKM_OK);
        }
        uint64_t fan_in = 1;
        for (uint32_t k = 0; k < n->n_w; k++)
            if (n->w[k].role == ZKM_W_WEIGHT)
                for (uint32_t d = 1; d < n->w[k].rank; d++)
                    fan_in *= n->w[k].dim[d];
        for (uint32_t k = 0; k < n->n_w; k++) {
            const zkm_wtensor *wt = &n->w[k];
            uint64_t sh[4];
            for (uint32_t d = 0; d < wt->rank; d++)
                sh[d] = wt->dim[d];
            zkm_tensor t;
            assert_int_equal(zkm_tensor_random(wt->name, sh, wt->rank, fan_in, seed,
                                               ZKM_TENSOR_RAND_WEIGHT, &t, &e),
                             ZKM_OK);
            for (size_t j = 0; j < t.count; j++) {
                if (wt->role == ZKM_W_BN_VAR)
                    t.data[j] = 1 + fabs(t.data[j]);
                if (wt->role == ZKM_W_BN_WEIGHT)
                    t.data[j] = 0.5 + fabs(t.data[j]);
            }
            assert_int_equal(zkm_tensor_set_add(w, &t, &e), ZKM_OK);
        }
    }
}

static void run_example(const char *path, size_t n_out_want, double max_seconds)
{
    size_t len;
    char *src = read_file(path, &len);
    if (!src)
        fprintf(stderr, "cannot read %s (run from the repository root)\n", path);
    assert_non_null(src);
    zkm_diags d;
    zkm_diags_init(&d);
    zkm_model *m = NULL;
    zkm_status st = zkm_model_from_source(path, src, len, NULL, &m, &d);
    zkm_diags_free(&d);
    free(src);
    assert_int_equal(st, ZKM_OK);

    zkm_tensor_set w, in;
    seeded(m, g_seed, &w, &in);
    int64_t *out1 = NULL, *out2 = NULL;
    size_t n1 = 0, n2 = 0;
    char err[256];
    clock_t t0 = clock();
    int rc = refnet_run(m, &w, &in, &out1, &n1, err, sizeof err);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("# %s: %.3f s\n", path, secs);
    if (rc)
        fprintf(stderr, "%s: %s\n", path, err);
    assert_int_equal(rc, 0);
    assert_int_equal(n1, n_out_want);
    assert_true(secs < max_seconds);
    /* deterministic, and not trivially zero */
    assert_int_equal(refnet_run(m, &w, &in, &out2, &n2, err, sizeof err), 0);
    assert_int_equal(n2, n1);
    assert_memory_equal(out1, out2, n1 * sizeof *out1);
    int nonzero = 0;
    for (size_t k = 0; k < n1; k++)
        nonzero |= out1[k] != 0;
    assert_true(nonzero);
    free(out1);
    free(out2);

    /* the same run with one tensor gone is refused */
    const char *gone = w.t[0].name;
    zkm_tensor_set w2;
    zkm_tensor_set_init(&w2);
    for (size_t k = 1; k < w.n; k++) {
        zkm_tensor t;
        zkm_err e;
        assert_int_equal(zkm_tensor_init(&t, w.t[k].name, ZKM_TENSOR_F64, w.t[k].shape,
                                         w.t[k].rank, &e), ZKM_OK);
        memcpy(t.data, w.t[k].data, t.count * sizeof *t.data);
        assert_int_equal(zkm_tensor_set_add(&w2, &t, &e), ZKM_OK);
    }
    FAIL(m, &w2, &in, gone, "missing");
    zkm_tensor_set_free(&w2);
    case_free(m, &w, &in);
}

static void test_lenet5(void **state)
{
    (void)state;
    run_example("lang/examples/lenet5.zkm", 10, 1.0);
}

static void test_resnet_small(void **state)
{
    (void)state;
    run_example("lang/examples/resnet_small.zkm", 10, 10.0);
}

int main(void)
{
    g_seed = tu_seed("test_refnet");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense),           cmocka_unit_test(test_dense_rounding),
        cmocka_unit_test(test_input_quantize),  cmocka_unit_test(test_input_refused),
        cmocka_unit_test(test_weights_refused), cmocka_unit_test(test_conv2d_padding),
        cmocka_unit_test(test_conv2d_stride),   cmocka_unit_test(test_relu),
        cmocka_unit_test(test_maxpool),         cmocka_unit_test(test_avgpool),
        cmocka_unit_test(test_add),             cmocka_unit_test(test_rescale),
        cmocka_unit_test(test_rescale_random),  cmocka_unit_test(test_flatten_reshape),
        cmocka_unit_test(test_batchnorm_dense), cmocka_unit_test(test_batchnorm_conv2d),
        cmocka_unit_test(test_overflow),        cmocka_unit_test(test_lenet5),
        cmocka_unit_test(test_resnet_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
