/* The drift measurement (experiments/): float formats, evaluators, trace,
 * data set, training.
 *
 *   - fpemu: known values (fp8 E4M3's 448 and its saturation, E5M2's and
 *     float16's overflow to infinity, the smallest subnormals, ties to
 *     even); every format's rounding of random doubles, midpoints and
 *     near-midpoints against a reference written here from the formats'
 *     bit layouts (every code decoded, the nearest value found by search,
 *     ties to the even code); every sum and product of two fp8 values (all
 *     65536 pairs, exact in double) and random float16 and bfloat16 pairs
 *     through MPFR scopes against the same reference; float16 arithmetic
 *     against the compiler's _Float16 where it has one; float32 against
 *     C's float;
 *   - the evaluators: MPFR emulating binary32 and binary64 gives C's float
 *     and double inference bit for bit at every node (so the arithmetic
 *     and the order of operations are the same), and C's double gives
 *     zkm_net_reference's numbers bit for bit; the MPFR reference at 256
 *     bits agrees with double inference to within double rounding (relative
 *     L2 error below 2^-40 at every node, while float32's is above it at
 *     every dense and conv2d);
 *   - a tiny model (conv2d, relu, avgpool, maxpool, add, flatten, dense)
 *     computed exactly with GMP rationals: the MPFR reference at 2048 bits
 *     equals it at every entry of every node (and at 64 bits does not), on
 *     the real weights and on the circuit's integers (dr_mp_quant);
 *   - zkm_net_trace gives zkm_net_run's output on every example, and a
 *     fused relu's values are relu of its op's values;
 *   - drift shrinks as the bit-width grows (the trained models and the
 *     seeded MLP), the float formats rank by precision, and the trained
 *     models run at 8 bits and up without overflow on the test inputs;
 *   - the shapes data set: determinism, prefixes, ranges, a file round
 *     trip and malformed files; training: deterministic, the loss falls;
 *     the shipped weights still classify the test split;
 *   - the CSV and JSON reports' shape.
 *
 * Run from the repository root (make check does): models are read from
 * lang/examples, tests/models and experiments/models.  Random choices come
 * from the printed seed; replay with ZKM_TEST_SEED=<seed>. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <gmp.h>
#include <math.h>
#include <mpfr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "drift.h"
#include "eval.h"
#include "fpemu.h"
#include "net.h"
#include "srcmap.h"
#include "synth.h"
#include "tensors.h"
#include "testutil.h"
#include "trace.h"
#include "train.h"
#include "zkm_file.h"

static uint64_t g_seed;
static char g_dir[256];

/* ------------------------------------------------------------- helpers */

static zkm_model *model_src(const char *path, const char *src, size_t len, uint32_t bits)
{
    zkm_check_opts o;
    zkm_check_opts_default(&o);
    o.bits = bits;
    zkm_diags d;
    zkm_diags_init(&d);
    zkm_model *m = NULL;
    zkm_status st = zkm_model_from_source(path, src, len, &o, &m, &d);
    if (st)
        zkm_diags_print(&d, stderr);
    zkm_diags_free(&d);
    assert_int_equal(st, ZKM_OK);
    return m;
}

static zkm_model *model_at(const char *path, uint32_t bits)
{
    uint8_t *src = NULL;
    size_t len = 0;
    zkm_err e;
    if (zkm_read_file(path, ZKM_SRC_MAX, &src, &len, &e))
        fail_msg("%s (run from the repository root)", e.msg);
    zkm_model *m = model_src(path, (const char *)src, len, bits);
    free(src);
    return m;
}

static zkm_net *net_of(const zkm_model *m, const zkm_tensor_set *w)
{
    zkm_net *n = NULL;
    zkm_err e;
    zkm_err_clear(&e);
    if (zkm_net_init(m, &n, &e) || (w && zkm_net_set_weights(n, w, NULL, &e)))
        fail_msg("%s: %s", m->name, e.msg);
    return n;
}

/* The weights of a model: its shipped file if there is one, else seeded. */
static void weights_for(const char *path, const zkm_model *m, uint64_t seed, zkm_tensor_set *w)
{
    zkm_err e;
    zkm_err_clear(&e);
    char st_path[512];
    snprintf(st_path, sizeof st_path, "%.*s.safetensors", (int)(strlen(path) - 4), path);
    if (access(st_path, R_OK) == 0) {
        assert_int_equal(zkm_tensors_load(st_path, 0, w, &e), ZKM_OK);
    } else {
        zkm_net *n = net_of(m, NULL);
        assert_int_equal(zkm_net_seeded_weights(n, seed, w, &e), ZKM_OK);
        zkm_net_free(n);
    }
    assert_int_equal(dr_check_weights(m, w, NULL, &e), ZKM_OK);
}

static void seeded_inputs(const zkm_model *m, uint64_t seed, zkm_tensor_set *in)
{
    zkm_err e;
    zkm_net *n = net_of(m, NULL);
    assert_int_equal(zkm_net_seeded_inputs(n, seed, in, &e), ZKM_OK);
    zkm_net_free(n);
}

/* The models every evaluator test runs on: small examples and test models
 * covering every operation (batchnorm, avgpool, add, rescale, strides). */
static const char *const models[] = {
    "experiments/models/shapes_mlp.zkm", "experiments/models/shapes_cnn.zkm",
    "lang/examples/mlp.zkm",             "lang/examples/lenet5.zkm",
    "lang/examples/resnet_small.zkm",    "tests/models/residual_bn.zkm",
    "tests/models/odd_sizes.zkm",
};
#define N_MODELS (sizeof models / sizeof models[0])

/* ------------------------------------------------- float formats: known */

static void test_fe_known(void **state)
{
    (void)state;
    const fe_format *e4 = fe_find("e4m3"), *e5 = fe_find("fp8-e5m2"), *h = fe_find("float16");
    const fe_format *bf = fe_find("bf16"), *s = fe_find("float32");
    assert_non_null(e4);
    assert_ptr_equal(e4, fe_get(FE_E4M3));
    assert_null(fe_find("float8"));
    /* E4M3: largest 448, no infinities: beyond it, saturation */
    assert_true(fe_round(e4, 448) == 448);
    assert_true(fe_round(e4, 449) == 448);
    assert_true(fe_round(e4, 464) == 448);
    assert_true(fe_round(e4, 500) == 448);
    assert_true(fe_round(e4, 1e30) == 448);
    assert_true(fe_round(e4, -1e30) == -448);
    assert_true(fe_round(e4, INFINITY) == 448);
    assert_true(fe_round(e4, 416) == 416);   /* 1.101b * 2^8 */
    assert_true(fe_round(e4, 424) == 416);
    assert_true(fe_round(e4, 432) == 448);   /* tie of 1.101b and 1.110b: the even */
    assert_true(fe_round(e4, 400) == 384);   /* tie of 1.100b and 1.101b: the even */
    /* subnormals: 2^-9 the smallest, 2^-6 the smallest normal */
    assert_true(fe_round(e4, 0x1p-9) == 0x1p-9);
    assert_true(fe_round(e4, 0x1p-10) == 0);          /* tie between 0 and 2^-9: 0 */
    assert_true(fe_round(e4, 0x1.0001p-10) == 0x1p-9);
    assert_true(fe_round(e4, 3 * 0x1p-10) == 2 * 0x1p-9); /* tie 1, 2 (x 2^-9): 2 */
    assert_true(fe_round(e4, 5 * 0x1p-10) == 2 * 0x1p-9); /* tie 2, 3: 2 */
    assert_true(fe_round(e4, 7 * 0x1p-10) == 4 * 0x1p-9); /* tie 3, 4: 4 */
    assert_true(fe_round(e4, 0x1.cp-7) == 0x1.cp-7);  /* largest subnormal 7 * 2^-9 */
    assert_true(fe_round(e4, 1.0625) == 1);           /* tie 1, 1.125: 1 */
    assert_true(fe_round(e4, 1.1875) == 1.25);        /* tie 1.125, 1.25: 1.25 */
    /* E5M2: largest 57344, then infinity from the midpoint 61440 on */
    assert_true(fe_round(e5, 57344) == 57344);
    assert_true(fe_round(e5, 61439) == 57344);
    assert_true(isinf(fe_round(e5, 61440)));
    assert_true(fe_round(e5, 0x1p-16) == 0x1p-16);
    assert_true(fe_round(e5, 0x1p-17) == 0);
    assert_true(fe_round(e5, 1.125) == 1);            /* tie 1, 1.25: 1 */
    assert_true(fe_round(e5, 1.375) == 1.5);          /* tie 1.25, 1.5: 1.5 */
    /* float16: 65504, infinity from 65520; subnormals to 2^-24 */
    assert_true(fe_round(h, 65504) == 65504);
    assert_true(fe_round(h, 65519.99) == 65504);
    assert_true(isinf(fe_round(h, 65520)));
    assert_true(fe_round(h, 0x1p-24) == 0x1p-24);
    assert_true(fe_round(h, 0x1.8p-24) == 0x1p-23);   /* tie 1, 2 (x 2^-24): 2 */
    assert_true(fe_round(h, 0x1p-25) == 0);
    assert_true(fe_round(h, 1 + 0x1p-11) == 1);       /* tie: even */
    assert_true(fe_round(h, 1 + 3 * 0x1p-11) == 1 + 0x1p-9);
    assert_true(fe_round(h, 0.1) == 0x1.998p-4);
    /* bfloat16: float32's exponents, 8 bits */
    assert_true(fe_round(bf, 1 + 0x1p-8) == 1);
    assert_true(fe_round(bf, 1 + 3 * 0x1p-8) == 1 + 0x1p-6);
    assert_true(fe_round(bf, 0x1p-133) == 0x1p-133);
    assert_true(fe_round(bf, 0x1p-134) == 0);
    assert_true(isinf(fe_round(bf, 0x1.ffp127)));
    assert_true(fe_round(bf, 0x1.fep127) == 0x1.fep127);
    /* float32: what C's conversion gives */
    tu_rng g;
    tu_rng_init(&g, g_seed);
    for (int k = 0; k < 100000; k++) {
        double v;
        uint64_t bits = tu_u64(&g);
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            continue;
        const float f = (float)v;
        const double r = fe_round(s, v);
        if (!(r == (double)f || (isinf(r) && isinf(f) && (r > 0) == (f > 0))))
            fail_msg("float32: %a gives %a, C %a", v, r, (double)f);
    }
    /* float64 is the identity on doubles; the exponent range is restored */
    const mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
    assert_true(fe_round(fe_get(FE_F64), 0x1p-1074) == 0x1p-1074);
    assert_true(fe_round(fe_get(FE_F64), 0.1) == 0.1);
    assert_true(mpfr_get_emin() == emin && mpfr_get_emax() == emax);
    /* ulps: at 1, at a subnormal, beyond the largest */
    mpfr_t x;
    mpfr_init2(x, 256);
    mpfr_set_d(x, 1.5, MPFR_RNDN);
    assert_true(fe_ulp(h, x) == 0x1p-10);
    assert_true(fe_ulp(e4, x) == 0.125);
    mpfr_set_d(x, 0x1p-30, MPFR_RNDN);
    assert_true(fe_ulp(h, x) == 0x1p-24);
    mpfr_set_zero(x, 1);
    assert_true(fe_ulp(e4, x) == 0x1p-9);
    mpfr_set_d(x, 1e9, MPFR_RNDN);
    assert_true(fe_ulp(e4, x) == 32);
    mpfr_clear(x);
}

/* ---------------------------------------- float formats: bit layouts */

/* A reference for rounding to a format, from its bit layout alone: every
 * finite non-negative value with its code, sorted. */
typedef struct {
    double *v;
    uint32_t *code;
    size_t n;
    double max;
    bool saturate;
} layout;

/* ebits exponent bits, mbits stored mantissa bits, bias 2^(ebits-1) - 1;
 * ieee: the top exponent is infinity/NaN; otherwise (E4M3) only the top
 * code is NaN. */
static void layout_init(layout *L, unsigned ebits, unsigned mbits, bool ieee)
{
    const uint32_t codes = 1u << (ebits + mbits), top = (1u << ebits) - 1;
    const int bias = (1 << (ebits - 1)) - 1;
    L->v = malloc(codes * sizeof *L->v);
    L->code = malloc(codes * sizeof *L->code);
    L->n = 0;
    L->saturate = !ieee;
    for (uint32_t c = 0; c < codes; c++) {
        const uint32_t ex = c >> mbits, man = c & ((1u << mbits) - 1);
        if (ieee && ex == top)
            continue;
        if (!ieee && c == codes - 1)
            continue;
        const double v = ex == 0 ? ldexp((double)man, 1 - bias - (int)mbits)
                                 : ldexp(1.0 + ldexp((double)man, -(int)mbits), (int)ex - bias);
        L->v[L->n] = v;
        L->code[L->n++] = c;
    }
    /* codes increase with the value: already sorted */
    for (size_t k = 1; k < L->n; k++)
        assert_true(L->v[k] > L->v[k - 1]);
    L->max = L->v[L->n - 1];
}

static void layout_free(layout *L)
{
    free(L->v);
    free(L->code);
}

/* x rounded to nearest, ties to the even code; beyond the largest finite
 * value: saturation, or infinity from the midpoint between it and the next
 * power of two on (that next value would have an even code). */
static double layout_round(const layout *L, double x)
{
    const double a = fabs(x), sg = x < 0 ? -1 : 1;
    if (a >= L->max) {
        if (L->saturate)
            return sg * L->max;
        const double next = ldexp(1.0, ilogb(L->max) + 1);
        return a >= (L->max + next) / 2 ? sg * INFINITY : sg * L->max;
    }
    size_t lo = 0, hi = L->n - 1; /* v[lo] <= a < v[hi] */
    while (hi - lo > 1) {
        const size_t mid = (lo + hi) / 2;
        if (L->v[mid] <= a)
            lo = mid;
        else
            hi = mid;
    }
    const double dl = a - L->v[lo], dh = L->v[hi] - a;
    if (dl < dh || (dl == dh && !(L->code[lo] & 1)))
        return sg * L->v[lo];
    return sg * L->v[hi];
}

static bool same(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* One operation (0 add, 1 mul) of a and b in format f through an MPFR
 * scope, as the evaluator does it. */
static double emu_op(const fe_format *f, int op, double a, double b)
{
    fe_scope sc;
    mpfr_t x, y, r;
    mpfr_inits2((mpfr_prec_t)f->prec, x, y, r, (mpfr_ptr)0);
    fe_enter(&sc, f);
    fe_set_d(f, x, a);
    fe_set_d(f, y, b);
    fe_fix(f, r, op ? mpfr_mul(r, x, y, MPFR_RNDN) : mpfr_add(r, x, y, MPFR_RNDN));
    const double v = mpfr_get_d(r, MPFR_RNDN);
    fe_leave(&sc);
    mpfr_clears(x, y, r, (mpfr_ptr)0);
    return v;
}

static void check_format(const fe_format *f, const layout *L, tu_rng *g)
{
    /* every value, every midpoint and its neighbours, both signs */
    for (size_t k = 0; k < L->n; k++) {
        const double pts[4] = {L->v[k], k + 1 < L->n ? (L->v[k] + L->v[k + 1]) / 2 : L->max * 1.5,
                               0, 0};
        double q[6] = {pts[0], pts[1], nextafter(pts[1], 0), nextafter(pts[1], INFINITY),
                       nextafter(pts[0], INFINITY), nextafter(pts[0], 0)};
        for (int j = 0; j < 6; j++)
            for (int sg = -1; sg <= 1; sg += 2) {
                const double x = sg * q[j], want = layout_round(L, x), got = fe_round(f, x);
                if (!same(got, want))
                    fail_msg("%s: %a rounds to %a, expected %a", f->name, x, got, want);
            }
    }
    /* random doubles over the format's range and beyond */
    for (int k = 0; k < 200000; k++) {
        const double m = 1 + (double)(tu_u64(g) >> 11) * 0x1p-53;
        const int ex = (int)tu_below(g, (uint64_t)(f->emax - f->emin + 2 * (int)f->prec + 8)) +
                       f->emin - (int)f->prec - 4;
        const double x = (tu_below(g, 2) ? -1 : 1) * ldexp(m, ex);
        const double want = layout_round(L, x), got = fe_round(f, x);
        if (!same(got, want))
            fail_msg("%s: %a rounds to %a, expected %a", f->name, x, got, want);
    }
}

static void test_fe_layouts(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 1);
    struct {
        fe_id id;
        unsigned e, m;
        bool ieee;
    } fs[] = {{FE_E4M3, 4, 3, false}, {FE_E5M2, 5, 2, true}, {FE_F16, 5, 10, true},
              {FE_BF16, 8, 7, true}};
    for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
        layout L;
        const fe_format *f = fe_get(fs[i].id);
        layout_init(&L, fs[i].e, fs[i].m, fs[i].ieee);
        assert_true(L.max == f->max);
        check_format(f, &L, &g);
        /* operations: exact in double for these pairs, then rounded once */
        if (fs[i].e + fs[i].m <= 7) { /* fp8: every pair */
            for (size_t a = 0; a < L.n; a++)
                for (size_t b = 0; b < L.n; b++)
                    for (int sa = -1; sa <= 1; sa += 2)
                        for (int op = 0; op < 2; op++) {
                            const double x = sa * L.v[a], y = L.v[b];
                            const double want = layout_round(&L, op ? x * y : x + y);
                            const double got = emu_op(f, op, x, y);
                            if (!same(got, want))
                                fail_msg("%s: %a %c %a = %a, expected %a", f->name, x,
                                         op ? '*' : '+', y, got, want);
                        }
        } else {
            for (int k = 0; k < 100000; k++) {
                const size_t ia = tu_below(&g, L.n);
                const double x = (tu_below(&g, 2) ? -1 : 1) * L.v[ia];
                /* float16: any pair's sum is exact in double; bfloat16: a
                 * partner within 16 binades (128 values each) */
                size_t j = tu_below(&g, L.n);
                if (fs[i].id == FE_BF16) {
                    const long off = (long)tu_below(&g, 4097) - 2048, t = (long)ia + off;
                    j = t < 0 ? 0 : t >= (long)L.n ? L.n - 1 : (size_t)t;
                }
                const double y = L.v[j];
                for (int op = 0; op < 2; op++) {
                    const double exact = op ? x * y : x + y;
                    const double want = layout_round(&L, exact), got = emu_op(f, op, x, y);
                    if (!same(got, want))
                        fail_msg("%s: %a %c %a = %a, expected %a", f->name, x, op ? '*' : '+',
                                 y, got, want);
                }
            }
        }
        layout_free(&L);
    }
#ifdef __FLT16_MAX__
    /* float16 arithmetic against the compiler's: each result assigned,
     * so rounded to _Float16 (GCC evaluates in float and rounds) */
    const fe_format *h = fe_get(FE_F16);
    for (int k = 0; k < 200000; k++) {
        uint16_t ba = (uint16_t)tu_u64(&g), bb = (uint16_t)tu_u64(&g);
        _Float16 a, b;
        memcpy(&a, &ba, 2);
        memcpy(&b, &bb, 2);
        if (!isfinite((double)a) || !isfinite((double)b))
            continue;
        const _Float16 s = a + b, p = a * b;
        if (!same(emu_op(h, 0, (double)a, (double)b), (double)s) ||
            !same(emu_op(h, 1, (double)a, (double)b), (double)p))
            fail_msg("float16: %a, %a: emulated %a %a, _Float16 %a %a", (double)a, (double)b,
                     emu_op(h, 0, (double)a, (double)b), emu_op(h, 1, (double)a, (double)b),
                     (double)s, (double)p);
    }
#else
    printf("# skip float16 against _Float16: the compiler has no _Float16\n");
#endif
}

/* ------------------------------------------------------------ evaluators */

/* Node values as doubles from a prepared MPFR model. */
static double **mp_doubles(const zkm_model *m, mpfr_t *const *v)
{
    double **d = calloc(m->n_nodes, sizeof *d);
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        const uint64_t cnt = zkm_shape_count(&m->nodes[i].shape);
        d[i] = malloc(cnt * sizeof(double));
        for (uint64_t k = 0; k < cnt; k++)
            d[i][k] = mpfr_get_d(v[i][k], MPFR_RNDN);
    }
    return d;
}

/* Relative L2 error of node values x against MPFR reference r. */
static double rel_l2(uint64_t cnt, const double *x, mpfr_t *const r)
{
    mpfr_t d;
    mpfr_init2(d, 256);
    double se = 0, sr = 0;
    for (uint64_t k = 0; k < cnt; k++) {
        mpfr_sub_d(d, r[k], x[k], MPFR_RNDN);
        const double ek = mpfr_get_d(d, MPFR_RNDN), rk = mpfr_get_d(r[k], MPFR_RNDN);
        se += ek * ek;
        sr += rk * rk;
    }
    mpfr_clear(d);
    return sr > 0 ? sqrt(se / sr) : sqrt(se);
}

static void test_native_vs_mpfr(void **state)
{
    (void)state;
    zkm_err e;
    zkm_err_clear(&e);
    for (size_t mi = 0; mi < N_MODELS; mi++) {
        zkm_model *m = model_at(models[mi], 0);
        zkm_tensor_set w, in;
        weights_for(models[mi], m, g_seed, &w);
        seeded_inputs(m, g_seed + 1, &in);
        dr_mp *p32 = NULL, *p64 = NULL, *ref = NULL;
        assert_int_equal(dr_mp_real(m, &w, fe_get(FE_F32), 0, &p32, &e), ZKM_OK);
        assert_int_equal(dr_mp_real(m, &w, fe_get(FE_F64), 0, &p64, &e), ZKM_OK);
        assert_int_equal(dr_mp_real(m, &w, NULL, 256, &ref, &e), ZKM_OK);
        double **n32 = NULL, **n64 = NULL, *netref = NULL;
        assert_int_equal(dr_native(m, &w, &in, FE_F32, &n32, &e), ZKM_OK);
        assert_int_equal(dr_native(m, &w, &in, FE_F64, &n64, &e), ZKM_OK);
        mpfr_t *const *v;
        assert_int_equal(dr_mp_run(p32, &in, NULL, &v, &e), ZKM_OK);
        double **e32 = mp_doubles(m, v);
        assert_int_equal(dr_mp_run(p64, &in, NULL, &v, &e), ZKM_OK);
        double **e64 = mp_doubles(m, v);
        mpfr_t *const *r;
        assert_int_equal(dr_mp_run(ref, &in, NULL, &r, &e), ZKM_OK);
        /* zkm_net_reference: the float reference of layers/ */
        zkm_net *net = net_of(m, &w);
        assert_int_equal(zkm_net_reference(net, &w, &in, &netref, &e), ZKM_OK);
        for (uint32_t i = 0; i < m->n_nodes; i++) {
            const uint64_t cnt = zkm_shape_count(&m->nodes[i].shape);
            for (uint64_t k = 0; k < cnt; k++) {
                if (!same(n32[i][k], e32[i][k]))
                    fail_msg("%s: node %s entry %llu: float %a, MPFR binary32 %a", m->name,
                             m->nodes[i].name, (unsigned long long)k, n32[i][k], e32[i][k]);
                if (!same(n64[i][k], e64[i][k]))
                    fail_msg("%s: node %s entry %llu: double %a, MPFR binary64 %a", m->name,
                             m->nodes[i].name, (unsigned long long)k, n64[i][k], e64[i][k]);
            }
            const double r64 = rel_l2(cnt, n64[i], r[i]), r32 = rel_l2(cnt, n32[i], r[i]);
            if (!(r64 <= 0x1p-40))
                fail_msg("%s: node %s: double against MPFR-256: relative L2 %g", m->name,
                         m->nodes[i].name, r64);
            /* float32 is measurably worse wherever something was computed */
            if (m->nodes[i].op == ZKM_OP_DENSE || m->nodes[i].op == ZKM_OP_CONV2D)
                assert_true(r32 > 0x1p-40 && r32 < 0x1p-16);
        }
        const uint64_t n_out = zkm_shape_count(&m->nodes[m->output].shape);
        for (uint64_t k = 0; k < n_out; k++)
            if (!same(n64[m->output][k], netref[k]))
                fail_msg("%s: output %llu: double %a, zkm_net_reference %a", m->name,
                         (unsigned long long)k, n64[m->output][k], netref[k]);
        printf("#   %s: float32 and float64 = their MPFR emulation at every node; float64 = "
               "zkm_net_reference\n", m->name);
        free(netref);
        zkm_net_free(net);
        dr_dvals_free(m, n32);
        dr_dvals_free(m, n64);
        dr_dvals_free(m, e32);
        dr_dvals_free(m, e64);
        dr_mp_free(p32);
        dr_mp_free(p64);
        dr_mp_free(ref);
        zkm_tensor_set_free(&w);
        zkm_tensor_set_free(&in);
        zkm_model_free(m);
    }
}

/* ------------------------------------------------- exact: GMP rationals */

static const char tiny_src[] =
    "model tiny {\n"
    "  input x [1, 4, 4]\n"
    "  c1 = conv2d(x, channels=2, kernel=3, padding=1) |> relu\n"
    "  p1 = avgpool(c1, 2)\n"
    "  p2 = maxpool(c1, 2)\n"
    "  s = add(p1, p2)\n"
    "  fc = flatten(s) |> dense(3)\n"
    "  output fc\n"
    "}\n";

/* The tiny model in exact rationals: weights W (conv, 2x1x3x3), b1 [2],
 * V (dense, 3x8), b2 [3]; input x [16].  out[i]: node i's values. */
static void tiny_exact(const zkm_model *m, mpq_t *W, mpq_t *b1, mpq_t *V, mpq_t *b2, mpq_t *x,
                       mpq_t **out)
{
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        const zkm_node *d = &m->nodes[i];
        const uint64_t cnt = zkm_shape_count(&d->shape);
        out[i] = malloc(cnt * sizeof(mpq_t));
        for (uint64_t k = 0; k < cnt; k++)
            mpq_init(out[i][k]);
        mpq_t *a = d->n_in ? out[d->in[0]] : NULL, t;
        mpq_init(t);
        switch (d->op) {
        case ZKM_OP_INPUT:
            for (uint64_t k = 0; k < cnt; k++)
                mpq_set(out[i][k], x[k]);
            break;
        case ZKM_OP_CONV2D:
            for (int o = 0; o < 2; o++)
                for (int y = 0; y < 4; y++)
                    for (int z = 0; z < 4; z++) {
                        mpq_set(out[i][(o * 4 + y) * 4 + z], b1[o]);
                        for (int dy = 0; dy < 3; dy++)
                            for (int dz = 0; dz < 3; dz++) {
                                const int yy = y + dy - 1, zz = z + dz - 1;
                                if (yy < 0 || yy >= 4 || zz < 0 || zz >= 4)
                                    continue;
                                mpq_mul(t, W[(o * 3 + dy) * 3 + dz], a[yy * 4 + zz]);
                                mpq_add(out[i][(o * 4 + y) * 4 + z], out[i][(o * 4 + y) * 4 + z],
                                        t);
                            }
                    }
            break;
        case ZKM_OP_RELU:
            for (uint64_t k = 0; k < cnt; k++)
                if (mpq_sgn(a[k]) > 0)
                    mpq_set(out[i][k], a[k]);
            break;
        case ZKM_OP_AVGPOOL:
        case ZKM_OP_MAXPOOL:
            for (int c = 0; c < 2; c++)
                for (int y = 0; y < 2; y++)
                    for (int z = 0; z < 2; z++) {
                        mpq_ptr o = out[i][(c * 2 + y) * 2 + z];
                        for (int k = 0; k < 4; k++) {
                            mpq_srcptr v = a[(c * 4 + 2 * y + k / 2) * 4 + 2 * z + k % 2];
                            if (d->op == ZKM_OP_AVGPOOL)
                                mpq_add(o, o, v);
                            else if (k == 0 || mpq_cmp(v, o) > 0)
                                mpq_set(o, v);
                        }
                        if (d->op == ZKM_OP_AVGPOOL) {
                            mpq_set_ui(t, 4, 1);
                            mpq_div(o, o, t);
                        }
                    }
            break;
        case ZKM_OP_ADD:
            for (uint64_t k = 0; k < cnt; k++)
                mpq_add(out[i][k], a[k], out[d->in[1]][k]);
            break;
        case ZKM_OP_FLATTEN:
            for (uint64_t k = 0; k < cnt; k++)
                mpq_set(out[i][k], a[k]);
            break;
        case ZKM_OP_DENSE:
            for (int r = 0; r < 3; r++) {
                mpq_set(out[i][r], b2[r]);
                for (int k = 0; k < 8; k++) {
                    mpq_mul(t, V[r * 8 + k], a[k]);
                    mpq_add(out[i][r], out[i][r], t);
                }
            }
            break;
        default:
            fail_msg("tiny: unexpected operation");
        }
        mpq_clear(t);
    }
}

static mpq_t *q_array(size_t n)
{
    mpq_t *a = malloc(n * sizeof(mpq_t));
    for (size_t k = 0; k < n; k++)
        mpq_init(a[k]);
    return a;
}

static void q_array_free(mpq_t *a, size_t n)
{
    for (size_t k = 0; k < n; k++)
        mpq_clear(a[k]);
    free(a);
}

/* Every entry of every node of v equal to exact (or, with !equal, at least
 * one differs). */
static void compare_exact(const zkm_model *m, mpfr_t *const *v, mpq_t **exact, bool equal,
                          const char *what)
{
    uint64_t differ = 0, total = 0;
    for (uint32_t i = 0; i < m->n_nodes; i++)
        for (uint64_t k = 0; k < zkm_shape_count(&m->nodes[i].shape); k++, total++)
            if (mpfr_cmp_q(v[i][k], exact[i][k]) != 0) {
                if (equal)
                    fail_msg("%s: node %s entry %llu differs from the exact value", what,
                             m->nodes[i].name, (unsigned long long)k);
                differ++;
            }
    if (!equal && !differ)
        fail_msg("%s: every entry exact (the exact comparison would not see a rounding)", what);
    printf("#   %s: %llu of %llu entries differ from the exact values\n", what,
           (unsigned long long)differ, (unsigned long long)total);
}

static void test_exact_rational(void **state)
{
    (void)state;
    zkm_err e;
    zkm_err_clear(&e);
    zkm_model *m = model_src("tiny.zkm", tiny_src, sizeof tiny_src - 1, 0);
    zkm_net *n0 = net_of(m, NULL);
    for (uint64_t seed = g_seed; seed < g_seed + 3; seed++) {
        zkm_tensor_set w, in;
        assert_int_equal(zkm_net_seeded_weights(n0, seed, &w, &e), ZKM_OK);
        assert_int_equal(zkm_net_seeded_inputs(n0, seed, &in, &e), ZKM_OK);
        mpq_t *W = q_array(18), *b1 = q_array(2), *V = q_array(24), *b2 = q_array(3),
              *x = q_array(16), *exact[16];
        const zkm_tensor *t;
        t = zkm_tensor_set_find(&w, "c1.weight");
        for (int k = 0; k < 18; k++)
            mpq_set_d(W[k], t->data[k]);
        t = zkm_tensor_set_find(&w, "c1.bias");
        for (int k = 0; k < 2; k++)
            mpq_set_d(b1[k], t->data[k]);
        t = zkm_tensor_set_find(&w, "fc.weight");
        for (int k = 0; k < 24; k++)
            mpq_set_d(V[k], t->data[k]);
        t = zkm_tensor_set_find(&w, "fc.bias");
        for (int k = 0; k < 3; k++)
            mpq_set_d(b2[k], t->data[k]);
        for (int k = 0; k < 16; k++)
            mpq_set_d(x[k], in.t[0].data[k]);
        tiny_exact(m, W, b1, V, b2, x, exact);
        dr_mp *p = NULL;
        mpfr_t *const *v;
        assert_int_equal(dr_mp_real(m, &w, NULL, 2048, &p, &e), ZKM_OK);
        assert_int_equal(dr_mp_run(p, &in, NULL, &v, &e), ZKM_OK);
        compare_exact(m, v, exact, true, "MPFR 2048 bits, real weights");
        dr_mp_free(p);
        assert_int_equal(dr_mp_real(m, &w, NULL, 64, &p, &e), ZKM_OK);
        assert_int_equal(dr_mp_run(p, &in, NULL, &v, &e), ZKM_OK);
        compare_exact(m, v, exact, false, "MPFR 64 bits, real weights");
        dr_mp_free(p);
        for (uint32_t i = 0; i < m->n_nodes; i++)
            q_array_free(exact[i], zkm_shape_count(&m->nodes[i].shape));

        /* the circuit's integers, scaled back: q8.6 weights, bias at frac
         * 4 + 6, q8.4 input; at 256 bits every value is exact */
        zkm_net *n = net_of(m, &w);
        zkm_qinputs q = {0};
        assert_int_equal(zkm_net_quantize_inputs(n, &in, &q, &e), ZKM_OK);
        const int32_t *qw;
        const int64_t *qb;
        size_t nw;
        assert_int_equal(zkm_net_qparams(n, 1, &qw, &nw, &qb, &e), ZKM_OK);
        assert_int_equal(nw, 18);
        for (int k = 0; k < 18; k++)
            mpq_set_si(W[k], qw[k], 64);
        for (int k = 0; k < 2; k++) {
            mpq_set_si(b1[k], qb[k], 1);
            mpq_div_2exp(b1[k], b1[k], 10);
        }
        const uint32_t fc = zkm_model_find(m, "fc");
        assert_int_equal(zkm_net_qparams(n, fc, &qw, &nw, &qb, &e), ZKM_OK);
        assert_int_equal(nw, 24);
        for (int k = 0; k < 24; k++)
            mpq_set_si(V[k], qw[k], 64);
        for (int k = 0; k < 3; k++) {
            mpq_set_si(b2[k], qb[k], 1);
            mpq_div_2exp(b2[k], b2[k], 10);
        }
        for (int k = 0; k < 16; k++)
            mpq_set_si(x[k], q.q[0][k], 16);
        for (int k = 0; k < 16; k++)
            mpq_canonicalize(x[k]);
        for (int k = 0; k < 18; k++)
            mpq_canonicalize(W[k]);
        for (int k = 0; k < 24; k++)
            mpq_canonicalize(V[k]);
        assert_int_equal(zkm_net_qparams(n, 2, &qw, &nw, &qb, &e), ZKM_EINVAL); /* a relu */
        tiny_exact(m, W, b1, V, b2, x, exact);
        assert_int_equal(dr_mp_quant(n, 256, &p, &e), ZKM_OK);
        assert_int_equal(dr_mp_run(p, NULL, &q, &v, &e), ZKM_OK);
        compare_exact(m, v, exact, true, "MPFR 256 bits, the circuit's integers");
        dr_mp_free(p);
        for (uint32_t i = 0; i < m->n_nodes; i++)
            q_array_free(exact[i], zkm_shape_count(&m->nodes[i].shape));
        zkm_qinputs_free(&q);
        zkm_net_free(n);
        q_array_free(W, 18);
        q_array_free(b1, 2);
        q_array_free(V, 24);
        q_array_free(b2, 3);
        q_array_free(x, 16);
        zkm_tensor_set_free(&w);
        zkm_tensor_set_free(&in);
    }
    zkm_net_free(n0);
    zkm_model_free(m);
}

/* ----------------------------------------------------------------- trace */

static void test_trace(void **state)
{
    (void)state;
    zkm_err e;
    zkm_err_clear(&e);
    const uint32_t bits[] = {0, 12};
    for (size_t mi = 0; mi < N_MODELS; mi++)
        for (size_t bi = 0; bi < 2; bi++) {
            zkm_model *m = model_at(models[mi], bits[bi]);
            zkm_tensor_set w, in;
            weights_for(models[mi], m, g_seed, &w);
            seeded_inputs(m, g_seed + 2, &in);
            zkm_net *n = net_of(m, &w);
            zkm_qinputs q = {0};
            int64_t *out = NULL, **t = NULL;
            assert_int_equal(zkm_net_quantize_inputs(n, &in, &q, &e), ZKM_OK);
            const zkm_status st = zkm_net_run(n, &q, &out, &e);
            const zkm_status st2 = zkm_net_trace(n, &q, &t, &e);
            assert_int_equal(st, st2); /* an overflow in both, or none */
            if (!st) {
                const uint64_t n_out = zkm_shape_count(&m->nodes[m->output].shape);
                for (uint64_t k = 0; k < n_out; k++)
                    assert_int_equal(t[m->output][k], out[k]);
                uint32_t relus = 0, negatives = 0;
                for (uint32_t i = 0; i < m->n_nodes; i++) {
                    const zkm_node *d = &m->nodes[i];
                    const uint64_t cnt = zkm_shape_count(&d->shape);
                    if (d->op == ZKM_OP_INPUT)
                        for (uint64_t k = 0; k < cnt; k++)
                            assert_int_equal(t[i][k], q.q[d->u.input.index][k]);
                    if (d->op == ZKM_OP_FLATTEN)
                        assert_memory_equal(t[i], t[d->in[0]], cnt * sizeof(int64_t));
                    if (d->op != ZKM_OP_RELU)
                        continue;
                    relus++;
                    for (uint64_t k = 0; k < cnt; k++) {
                        const int64_t a = t[d->in[0]][k];
                        assert_int_equal(t[i][k], a > 0 ? a : 0);
                        negatives += a < 0;
                    }
                }
                /* the values before a relu are there, negatives included */
                if (relus)
                    assert_true(negatives > 0);
                zkm_trace_free(n, t);
            }
            free(out);
            zkm_qinputs_free(&q);
            zkm_net_free(n);
            zkm_tensor_set_free(&w);
            zkm_tensor_set_free(&in);
            zkm_model_free(m);
        }
}

/* ----------------------------------------------------------- the driver */

typedef struct {
    const zkm_model *m;
    const syn_set *data;
    uint64_t seed;
} inputs_ctx;

static zkm_status give_input(void *ctx, uint64_t k, zkm_tensor_set *in, int64_t *label,
                             zkm_err *e)
{
    const inputs_ctx *c = ctx;
    if (c->data) {
        *label = c->data->y[k];
        return syn_sample(c->data, k, c->m->nodes[c->m->inputs[0]].name, in, e);
    }
    *label = -1;
    seeded_inputs(c->m, c->seed + k, in);
    return ZKM_OK;
}

typedef struct {
    zkm_model *models[8];
    zkm_net *nets[8];
} widths_t;

/* dr_measure on a model file at the given bit-widths, floats as asked. */
static dr_result *measure(const char *path, const uint32_t *widths, uint32_t nw, unsigned floats,
                          uint64_t n_inputs, const syn_set *data, zkm_tensor_set *w,
                          zkm_model **base, widths_t *keep)
{
    zkm_err e;
    zkm_err_clear(&e);
    *base = model_at(path, 0);
    weights_for(path, *base, g_seed, w);
    const char *errs[8] = {0};
    for (uint32_t k = 0; k < nw; k++) {
        keep->models[k] = model_at(path, widths[k]);
        keep->nets[k] = net_of(keep->models[k], w);
    }
    inputs_ctx ic = {.m = *base, .data = data, .seed = g_seed};
    const dr_spec s = {.model = *base, .weights = w, .floats = floats, .n_widths = nw,
                       .widths = widths, .nets = (const zkm_net *const *)keep->nets,
                       .net_errors = errs, .prec = 256, .n_inputs = n_inputs,
                       .input = give_input, .input_ctx = &ic};
    dr_result *r = NULL;
    if (dr_measure(&s, &r, &e))
        fail_msg("dr_measure: %s", e.msg);
    return r;
}

static void measure_free(dr_result *r, zkm_model *base, zkm_tensor_set *w, widths_t *keep,
                         uint32_t nw)
{
    dr_result_free(r);
    for (uint32_t k = 0; k < nw; k++) {
        zkm_net_free(keep->nets[k]);
        zkm_model_free(keep->models[k]);
    }
    zkm_tensor_set_free(w);
    zkm_model_free(base);
}

/* The evaluation named name. */
static uint32_t eval_index(const dr_result *r, const char *name)
{
    for (uint32_t k = 0; k < r->n_evals; k++)
        if (!strcmp(r->evals[k].name, name))
            return k;
    fail_msg("no evaluation %s", name);
    return 0;
}

static void test_drift_shrinks(void **state)
{
    (void)state;
    static const char *const paths[] = {"experiments/models/shapes_mlp.zkm",
                                        "experiments/models/shapes_cnn.zkm",
                                        "lang/examples/mlp.zkm"};
    const uint32_t widths[] = {8, 10, 12, 14, 16};
    const uint32_t nw = sizeof widths / sizeof widths[0];
    syn_set data;
    zkm_err e;
    assert_int_equal(syn_open("shapes", 6, &data, &e), ZKM_OK);
    for (size_t pi = 0; pi < 3; pi++) {
        zkm_tensor_set w;
        zkm_model *base;
        widths_t keep = {0};
        const bool shapes = pi < 2;
        dr_result *r = measure(paths[pi], widths, nw, 0, 6, shapes ? &data : NULL, &w, &base,
                               &keep);
        const zkm_model *m = r->model;
        assert_int_equal(r->inputs, 6);
        assert_int_equal(r->labelled, shapes ? 6 : 0);
        assert_int_equal(r->n_evals, 1 + 2 * nw);
        assert_int_equal(r->n_cmps, 3 * nw);
        double prev_all = INFINITY, prev_act = INFINITY, prev_q = INFINITY;
        for (uint32_t k = 0; k < nw; k++) {
            char name[16];
            snprintf(name, sizeof name, "q%u", widths[k]);
            const uint32_t x = eval_index(r, name);
            assert_int_equal(r->evals[x].kind, DR_FIXED);
            assert_int_equal(r->evals[x - 1].kind, DR_QREF);
            /* the trained models stay inside their formats here */
            if (shapes)
                assert_int_equal(r->evals[x].failed, 0);
            if (r->evals[x].failed)
                continue;
            const double all = dr_rel_l2(&dr_find_cmp(r, x, 0)->node[m->output]);
            const double act = dr_rel_l2(&dr_find_cmp(r, x, x - 1)->node[m->output]);
            const double q = dr_rel_l2(&dr_find_cmp(r, x - 1, 0)->node[m->output]);
            printf("#   %s at %u bits: relative L2 %.3g (weights and input %.3g, activations "
                   "%.3g)\n", m->name, widths[k], all, q, act);
            assert_true(all > 0 && all < prev_all);
            assert_true(act > 0 && act < prev_act);
            assert_true(q > 0 && q < prev_q);
            prev_all = all;
            prev_act = act;
            prev_q = q;
        }
        assert_true(prev_all < 1e-2);
        measure_free(r, base, &w, &keep, nw);
    }
    syn_free(&data);
}

static void test_float_ranking(void **state)
{
    (void)state;
    zkm_tensor_set w;
    zkm_model *base;
    widths_t keep = {0};
    syn_set data;
    zkm_err e;
    assert_int_equal(syn_open("shapes", 4, &data, &e), ZKM_OK);
    dr_result *r = measure("experiments/models/shapes_cnn.zkm", NULL, 0, (1u << FE_COUNT) - 1,
                           4, &data, &w, &base, &keep);
    const zkm_model *m = r->model;
    /* fewer significand bits, more drift: float64, float32, float16 (11),
     * bfloat16 (8), E4M3 (4), E5M2 (3) */
    const char *order[] = {"float64", "float32", "float16", "bfloat16", "fp8-e4m3", "fp8-e5m2"};
    double prev = 0;
    for (int k = 0; k < 6; k++) {
        const dr_cmp *c = dr_find_cmp(r, eval_index(r, order[k]), 0);
        const double v = dr_rel_l2(&c->node[m->output]);
        printf("#   %s: relative L2 %.3g, max ulp %.3g\n", order[k], v,
               c->node[m->output].max_ulp);
        assert_true(v > prev);
        prev = v;
        /* every node compared, none left out */
        for (uint32_t i = 0; i < m->n_nodes; i++)
            assert_int_equal(c->node[i].count, 4 * zkm_shape_count(&m->nodes[i].shape));
    }
    /* float64's error is a few roundings */
    assert_true(dr_rel_l2(&dr_find_cmp(r, eval_index(r, "float64"), 0)->node[m->output]) <
                0x1p-45);
    /* the reports' shape: a header and one row per comparison and node;
     * JSON objects for every evaluation and comparison */
    zkm_strbuf sb = {0};
    dr_csv(r, &sb);
    assert_false(sb.failed);
    size_t lines = 0;
    for (size_t k = 0; k < sb.len; k++)
        lines += sb.s[k] == '\n';
    assert_int_equal(lines, 1 + (size_t)r->n_cmps * m->n_nodes);
    assert_non_null(strstr(sb.s, "model,inputs,prec,evaluation,kind,bits,against,node,name,op,"));
    assert_non_null(strstr(sb.s, "shapes_cnn,4,256,fp8-e4m3,float,,mpfr-256,8,\"fc\",dense,1,16,"));
    free(sb.s);
    json_t *j = dr_json(r);
    assert_non_null(j);
    assert_int_equal(json_array_size(json_object_get(j, "evaluations")), r->n_evals);
    assert_int_equal(json_array_size(json_object_get(j, "comparisons")), r->n_cmps);
    assert_int_equal(json_integer_value(json_object_get(j, "labelled")), 4);
    json_decref(j);
    measure_free(r, base, &w, &keep, 0);
    syn_free(&data);
}

/* ------------------------------------------------------------- data set */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb;
    (void)flag;
    (void)f;
    return remove(p);
}

static void test_dataset(void **state)
{
    (void)state;
    zkm_err e;
    syn_set a, b, c;
    assert_int_equal(syn_open("shapes", 300, &a, &e), ZKM_OK);
    assert_int_equal(syn_open("shapes:test", 50, &b, &e), ZKM_OK);
    assert_int_equal(syn_open("shapes:train", 50, &c, &e), ZKM_OK);
    assert_int_equal(a.n, 300);
    assert_int_equal(a.per, 256);
    assert_int_equal(a.classes, 4);
    /* a prefix is the same samples; train and test differ */
    assert_memory_equal(a.x, b.x, 50 * 256 * sizeof(double));
    assert_memory_equal(a.y, b.y, 50 * sizeof(int64_t));
    assert_true(memcmp(a.x, c.x, 50 * 256 * sizeof(double)) != 0);
    uint32_t per_class[4] = {0};
    for (uint64_t k = 0; k < a.n; k++) {
        assert_true(a.y[k] >= 0 && a.y[k] < 4);
        per_class[a.y[k]]++;
        for (uint64_t j = 0; j < 256; j++)
            assert_true(a.x[k * 256 + j] >= 0 && a.x[k * 256 + j] <= 1);
    }
    for (int k = 0; k < 4; k++)
        assert_true(per_class[k] > 40);
    /* sample 17 alone, from its own range */
    syn_set one;
    assert_int_equal(syn_shapes("test", 17, 1, &one, &e), ZKM_OK);
    assert_memory_equal(one.x, a.x + 17 * 256, 256 * sizeof(double));
    assert_int_equal(one.y[0], a.y[17]);
    syn_free(&one);
    assert_int_equal(syn_open("shapes:valid", 5, &one, &e), ZKM_EFORMAT);
    assert_int_equal(syn_open("shapes", 0, &one, &e), ZKM_EINVAL);
    /* a file: x and y, round trip */
    char path[512];
    snprintf(path, sizeof path, "%s/data.safetensors", g_dir);
    zkm_tensor_set s;
    zkm_tensor_set_init(&s);
    zkm_tensor x, y;
    const uint64_t xs[4] = {50, 1, 16, 16}, ys[1] = {50};
    assert_int_equal(zkm_tensor_init(&x, "x", ZKM_TENSOR_F32, xs, 4, &e), ZKM_OK);
    assert_int_equal(zkm_tensor_init(&y, "y", ZKM_TENSOR_I64, ys, 1, &e), ZKM_OK);
    for (size_t k = 0; k < x.count; k++)
        x.data[k] = (double)(float)b.x[k];
    for (size_t k = 0; k < 50; k++)
        y.data[k] = (double)b.y[k];
    assert_int_equal(zkm_tensor_set_add(&s, &x, &e), ZKM_OK);
    assert_int_equal(zkm_tensor_set_add(&s, &y, &e), ZKM_OK);
    assert_int_equal(zkm_safetensors_write(path, &s, &e), ZKM_OK);
    syn_set f;
    assert_int_equal(syn_open(path, 0, &f, &e), ZKM_OK);
    assert_int_equal(f.n, 50);
    assert_int_equal(f.rank, 3);
    assert_int_equal(f.per, 256);
    assert_memory_equal(f.y, b.y, 50 * sizeof(int64_t));
    syn_free(&f);
    assert_int_equal(syn_open(path, 20, &f, &e), ZKM_OK);
    assert_int_equal(f.n, 20);
    zkm_tensor_set w1;
    assert_int_equal(syn_sample(&f, 19, "img", &w1, &e), ZKM_OK);
    assert_int_equal(w1.n, 1);
    assert_string_equal(w1.t[0].name, "img");
    assert_int_equal(w1.t[0].rank, 3);
    assert_true(w1.t[0].data[5] == (double)(float)b.x[19 * 256 + 5]);
    zkm_tensor_set_free(&w1);
    assert_int_equal(syn_sample(&f, 20, "img", &w1, &e), ZKM_EINVAL);
    syn_free(&f);
    /* malformed: a fractional label, no y, a missing file */
    ((zkm_tensor *)zkm_tensor_set_find(&s, "y"))->dtype = ZKM_TENSOR_F64;
    ((zkm_tensor *)zkm_tensor_set_find(&s, "y"))->data[3] = 1.5;
    assert_int_equal(zkm_safetensors_write(path, &s, &e), ZKM_OK);
    assert_int_equal(syn_open(path, 0, &f, &e), ZKM_EFORMAT);
    assert_non_null(strstr(e.msg, "label 3 is 1.5"));
    zkm_tensor_set_free(&s);
    zkm_tensor_set_init(&s);
    assert_int_equal(zkm_tensor_init(&x, "x", ZKM_TENSOR_F32, xs, 4, &e), ZKM_OK);
    assert_int_equal(zkm_tensor_set_add(&s, &x, &e), ZKM_OK);
    assert_int_equal(zkm_safetensors_write(path, &s, &e), ZKM_OK);
    assert_int_equal(syn_open(path, 0, &f, &e), ZKM_EFORMAT);
    assert_non_null(strstr(e.msg, "no 'y'"));
    zkm_tensor_set_free(&s);
    snprintf(path, sizeof path, "%s/missing.safetensors", g_dir);
    assert_int_not_equal(syn_open(path, 0, &f, &e), ZKM_OK);
    syn_free(&a);
    syn_free(&b);
    syn_free(&c);
}

/* ------------------------------------------------------------- training */

typedef struct {
    double loss[4];
    uint32_t n;
} losses;

static void on_epoch(void *ctx, uint32_t epoch, double loss, double pen, double acc)
{
    (void)pen;
    (void)acc;
    losses *l = ctx;
    if (epoch <= 4)
        l->loss[l->n++] = loss;
}

static void test_training(void **state)
{
    (void)state;
    zkm_err e;
    zkm_err_clear(&e);
    zkm_model *m = model_at("experiments/models/shapes_mlp.zkm", 0);
    syn_set tr, te;
    assert_int_equal(syn_open("shapes:train", 2000, &tr, &e), ZKM_OK);
    assert_int_equal(syn_open("shapes:test", 200, &te, &e), ZKM_OK);
    trn_opts o;
    trn_opts_default(&o);
    o.epochs = 4;
    o.lr = 0.1;
    zkm_tensor_set w1, w2;
    losses l1 = {0}, l2 = {0};
    assert_int_equal(trn_train(m, &tr, &o, on_epoch, &l1, &w1, &e), ZKM_OK);
    assert_int_equal(trn_train(m, &tr, &o, on_epoch, &l2, &w2, &e), ZKM_OK);
    /* deterministic: the same weights bit for bit, float32 values */
    assert_int_equal(w1.n, 4);
    for (size_t t = 0; t < w1.n; t++) {
        assert_string_equal(w1.t[t].name, w2.t[t].name);
        assert_int_equal(w1.t[t].dtype, ZKM_TENSOR_F32);
        assert_memory_equal(w1.t[t].data, w2.t[t].data, w1.t[t].count * sizeof(double));
        for (size_t j = 0; j < w1.t[t].count; j++)
            assert_true(w1.t[t].data[j] == (double)(float)w1.t[t].data[j] &&
                        fabs(w1.t[t].data[j]) <= 0.9 * 2);
    }
    assert_int_equal(l1.n, 4);
    assert_true(l1.loss[3] < l1.loss[0]);
    assert_memory_equal(l1.loss, l2.loss, sizeof l1.loss);
    /* another seed, other weights */
    o.seed = 2;
    zkm_tensor_set w3;
    assert_int_equal(trn_train(m, &tr, &o, NULL, NULL, &w3, &e), ZKM_OK);
    assert_true(memcmp(w1.t[0].data, w3.t[0].data, w1.t[0].count * sizeof(double)) != 0);
    double acc;
    assert_int_equal(trn_accuracy(m, &w1, &te, &acc, &e), ZKM_OK);
    printf("#   shapes_mlp after 4 epochs on 2000 samples: loss %.3f -> %.3f, test accuracy "
           "%.1f%%\n", l1.loss[0], l1.loss[3], 100 * acc);
    assert_true(acc > 0.4); /* chance: 0.25 */
    /* refused: a batchnorm, a data set of another shape, a divergence */
    zkm_model *bn = model_at("tests/models/residual_bn.zkm", 0);
    zkm_tensor_set w4;
    assert_int_equal(trn_train(bn, &tr, &o, NULL, NULL, &w4, &e), ZKM_EINVAL);
    zkm_model_free(bn);
    zkm_model *mlp = model_at("lang/examples/mlp.zkm", 0);
    assert_int_equal(trn_train(mlp, &tr, &o, NULL, NULL, &w4, &e), ZKM_EINVAL);
    zkm_model_free(mlp);
    o.lr = 10;
    o.range_penalty = 1000;
    assert_int_equal(trn_train(m, &tr, &o, NULL, NULL, &w4, &e), ZKM_EINVAL);
    assert_non_null(strstr(e.msg, "diverged"));
    /* the shipped weights (make models) still classify the test split */
    const char *shipped[2] = {"experiments/models/shapes_mlp", "experiments/models/shapes_cnn"};
    const double least[2] = {0.8, 0.95};
    for (int k = 0; k < 2; k++) {
        char p[256];
        snprintf(p, sizeof p, "%s.zkm", shipped[k]);
        zkm_model *sm = model_at(p, 0);
        zkm_tensor_set sw;
        weights_for(p, sm, 0, &sw);
        assert_int_equal(trn_accuracy(sm, &sw, &te, &acc, &e), ZKM_OK);
        printf("#   %s: float64 accuracy on 200 test samples %.1f%%\n", sm->name, 100 * acc);
        assert_true(acc >= least[k]);
        zkm_tensor_set_free(&sw);
        zkm_model_free(sm);
    }
    zkm_tensor_set_free(&w1);
    zkm_tensor_set_free(&w2);
    zkm_tensor_set_free(&w3);
    syn_free(&tr);
    syn_free(&te);
    zkm_model_free(m);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/zkm-drift-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    g_seed = tu_seed("test_drift");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fe_known),
        cmocka_unit_test(test_fe_layouts),
        cmocka_unit_test(test_native_vs_mpfr),
        cmocka_unit_test(test_exact_rational),
        cmocka_unit_test(test_trace),
        cmocka_unit_test(test_drift_shrinks),
        cmocka_unit_test(test_float_ranking),
        cmocka_unit_test(test_dataset),
        cmocka_unit_test(test_training),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
