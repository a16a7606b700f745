/* Tests of the BN254 base field (gkr/fq.h) and the G1 group (gkr/g1.h).
 *
 * The references never go through the code under test: a field element's
 * value is read from its raw Montgomery limbs with GMP (after checking the
 * limbs are < p), and group results are compared with an affine model of
 * the curve written with mpz (chord and tangent, inversions by
 * mpz_invert), points read out of Jacobian coordinates by GMP.  The
 * generators are recomputed from the byte string documented in g1.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h> /* before gmp.h, for gmp_fprintf */
#include <stdlib.h>
#include <string.h>
#include <gmp.h>
#include <sodium.h>

#include "fq.h"
#include "g1.h"
#include "testutil.h"

#define N_RANDOM 2000
#define N_POINTS 100

static const char P_DECIMAL[] =
    "21888242871839275222246405745257275088696311157297823662689037894645226208583";
static const char R_DECIMAL[] =
    "21888242871839275222246405745257275088548364400416034343698204186575808495617";

static tu_rng rng;
static mpz_t P, R, RM, RINV, SQRT_EXP; /* p, r, 2^256 mod p, its inverse, (p+1)/4 */

/* ---- field reference ------------------------------------------------------ */

static int raw_below_p(const fq *a)
{
    static const uint64_t p[4] = {FQ_P0, FQ_P1, FQ_P2, FQ_P3};
    for (int i = 3; i >= 0; i--)
        if (a->v[i] != p[i])
            return a->v[i] < p[i];
    return 0;
}

/* x = the value a represents; fails the test if a's limbs are not < p. */
static void fval(mpz_t x, const fq *a)
{
    assert_true(raw_below_p(a));
    mpz_import(x, 4, -1, sizeof(uint64_t), 0, 0, a->v);
    mpz_mul(x, x, RINV);
    mpz_mod(x, x, P);
}

/* out = the element for x mod p (any integer x). */
static void fmake(fq *out, const mpz_t x)
{
    mpz_t t;
    size_t count = 0;
    mpz_init(t);
    mpz_mod(t, x, P);
    mpz_mul(t, t, RM);
    mpz_mod(t, t, P);
    memset(out->v, 0, sizeof out->v);
    mpz_export(out->v, &count, -1, sizeof(uint64_t), 0, 0, t);
    mpz_clear(t);
}

static void fmake_si(fq *out, long v)
{
    mpz_t t;
    mpz_init_set_si(t, v);
    fmake(out, t);
    mpz_clear(t);
}

static int fmatch(const fq *got, const mpz_t want)
{
    fq w;
    fmake(&w, want);
    if (memcmp(got->v, w.v, sizeof w.v) == 0)
        return 1;
    gmp_fprintf(stderr, "# fq mismatch: want %Zd\n#   got raw %016llx %016llx %016llx %016llx\n",
                want, (unsigned long long)got->v[3], (unsigned long long)got->v[2],
                (unsigned long long)got->v[1], (unsigned long long)got->v[0]);
    return 0;
}

#define CHECK_FQ(got, want) assert_true(fmatch((got), (want)))

static void rand_mod(mpz_t x, const mpz_t m)
{
    uint8_t buf[64];
    tu_bytes(&rng, buf, sizeof buf);
    mpz_import(x, sizeof buf, -1, 1, 0, 0, buf);
    mpz_mod(x, x, m);
}

/* Edge values: small, p - small, halves, powers of two, and raw limb
 * patterns at word boundaries. */
#define N_EDGES 24
static fq EDGES[N_EDGES];

static void make_edges(void)
{
    mpz_t x;
    mpz_init(x);
    size_t n = 0;
    static const long small[] = {0, 1, 2, 3, -1, -2, -3};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
        fmake_si(&EDGES[n++], small[i]);
    mpz_sub_ui(x, P, 1);
    mpz_fdiv_q_2exp(x, x, 1);
    fmake(&EDGES[n++], x); /* (p-1)/2 */
    mpz_add_ui(x, x, 1);
    fmake(&EDGES[n++], x); /* (p+1)/2 */
    static const unsigned bits[] = {63, 64, 128, 192, 253};
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        mpz_set_ui(x, 0);
        mpz_setbit(x, bits[i]);
        fmake(&EDGES[n++], x);
        mpz_sub_ui(x, x, 1);
        fmake(&EDGES[n++], x);
    }
    static const fq raw[] = {{{1, 0, 0, 0}},
                             {{0, 0, 0, 1}},
                             {{UINT64_MAX, UINT64_MAX, UINT64_MAX, 0}},
                             {{FQ_P0 - 1, FQ_P1, FQ_P2, FQ_P3}},
                             {{0, FQ_P1, FQ_P2, FQ_P3}}};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        EDGES[n++] = raw[i];
    assert_int_equal(n, N_EDGES);
    mpz_clear(x);
}

/* Edge k for k < N_EDGES, then random: uniform, small signed, edges. */
static void sample_fq(fq *out, size_t k)
{
    if (k < N_EDGES) {
        *out = EDGES[k];
        return;
    }
    mpz_t x;
    mpz_init(x);
    switch (tu_below(&rng, 8)) {
    case 0:
        *out = EDGES[tu_below(&rng, N_EDGES)];
        break;
    case 1:
        mpz_set_ui(x, tu_u64(&rng) >> tu_below(&rng, 64));
        if (tu_below(&rng, 2))
            mpz_neg(x, x);
        fmake(out, x);
        break;
    default:
        rand_mod(x, P);
        fmake(out, x);
    }
    mpz_clear(x);
}

/* ---- field tests ---------------------------------------------------------- */

typedef void (*binop_fn)(fq *, const fq *, const fq *);
typedef void (*binop_ref)(mpz_t, const mpz_t, const mpz_t);
typedef void (*unop_fn)(fq *, const fq *);
typedef void (*unop_ref)(mpz_t, const mpz_t);

static void w_add(fq *o, const fq *a, const fq *b) { fq_add(o, a, b); }
static void w_sub(fq *o, const fq *a, const fq *b) { fq_sub(o, a, b); }
static void w_mul(fq *o, const fq *a, const fq *b) { fq_mul(o, a, b); }
static void w_addp(fq *o, const fq *a, const fq *b) { fq_add_portable(o, a, b); }
static void w_subp(fq *o, const fq *a, const fq *b) { fq_sub_portable(o, a, b); }
static void w_mulp(fq *o, const fq *a, const fq *b) { fq_mul_portable(o, a, b); }
static void w_neg(fq *o, const fq *a) { fq_neg(o, a); }
static void w_dbl(fq *o, const fq *a) { fq_dbl(o, a); }
static void w_sqr(fq *o, const fq *a) { fq_sqr(o, a); }
static void w_sqrp(fq *o, const fq *a) { fq_sqr_portable(o, a); }
static void r_add(mpz_t o, const mpz_t a, const mpz_t b) { mpz_add(o, a, b); }
static void r_sub(mpz_t o, const mpz_t a, const mpz_t b) { mpz_sub(o, a, b); }
static void r_mul(mpz_t o, const mpz_t a, const mpz_t b) { mpz_mul(o, a, b); }
static void r_neg(mpz_t o, const mpz_t a) { mpz_neg(o, a); }
static void r_dbl(mpz_t o, const mpz_t a) { mpz_mul_2exp(o, a, 1); }
static void r_sqr(mpz_t o, const mpz_t a) { mpz_mul(o, a, a); }
static void r_inv(mpz_t o, const mpz_t a)
{
    if (mpz_sgn(a) == 0)
        mpz_set_ui(o, 0);
    else
        assert_true(mpz_invert(o, a, P));
}

/* The operations under test with their GMP references; an entry has
 * either the binary or the unary pair. */
static const struct {
    const char *name;
    binop_fn f2;
    binop_ref g2;
    unop_fn f1;
    unop_ref g1;
} FQ_OPS[] = {
    {"add", w_add, r_add, NULL, NULL},       {"sub", w_sub, r_sub, NULL, NULL},
    {"mul", w_mul, r_mul, NULL, NULL},       {"add_portable", w_addp, r_add, NULL, NULL},
    {"sub_portable", w_subp, r_sub, NULL, NULL}, {"mul_portable", w_mulp, r_mul, NULL, NULL},
    {"neg", NULL, NULL, w_neg, r_neg},       {"dbl", NULL, NULL, w_dbl, r_dbl},
    {"sqr", NULL, NULL, w_sqr, r_sqr},       {"sqr_portable", NULL, NULL, w_sqrp, r_sqr},
    {"inv_var", NULL, NULL, fq_inv_var, r_inv},
    {"inv", NULL, NULL, fq_inv, r_inv},      {"inv_binary", NULL, NULL, fq_inv_binary_var, r_inv},
};

/* Every operation on the pair (a, b) against GMP: the result, and the same
 * result with the output aliasing each input (both, for binary ones). */
static void check_ops_on(const fq *a, const fq *b, int with_inverses)
{
    mpz_t va, vb, want;
    mpz_inits(va, vb, want, NULL);
    fval(va, a);
    fval(vb, b);
    for (size_t i = 0; i < sizeof FQ_OPS / sizeof FQ_OPS[0]; i++) {
        fq o, x = *a, y = *b;
        if (FQ_OPS[i].f2) {
            FQ_OPS[i].g2(want, va, vb);
            FQ_OPS[i].f2(&o, a, b);
            if (!fmatch(&o, want))
                fail_msg("fq_%s", FQ_OPS[i].name);
            FQ_OPS[i].f2(&x, &x, b);
            FQ_OPS[i].f2(&y, a, &y);
            assert_memory_equal(x.v, o.v, sizeof o.v);
            assert_memory_equal(y.v, o.v, sizeof o.v);
            FQ_OPS[i].g2(want, va, va);
            x = *a;
            FQ_OPS[i].f2(&x, &x, &x);
        } else {
            if (FQ_OPS[i].f1 == fq_inv && !with_inverses)
                continue;
            FQ_OPS[i].g1(want, va);
            FQ_OPS[i].f1(&x, &x);
        }
        if (!fmatch(&x, want))
            fail_msg("fq_%s aliased", FQ_OPS[i].name);
    }
    mpz_clears(va, vb, want, NULL);
}

static void test_fq_constants(void **state)
{
    (void)state;
    mpz_t m, x;
    mpz_inits(m, x, NULL);
    fq_modulus_mpz(m);
    assert_int_equal(mpz_cmp(m, P), 0);
    assert_int_equal((uint64_t)(FQ_P0 * FQ_NINV), UINT64_MAX);
    assert_int_equal(mpz_fdiv_ui(P, 4), 3);
    fq a;
    fq_set_one(&a);
    mpz_set_ui(x, 1);
    CHECK_FQ(&a, x);
    fq_set_zero(&a);
    assert_true(fq_is_zero(&a));
    /* the constants of fq_field: 2^256, 2^512, 2^768 mod p */
    for (int e = 1; e <= 3; e++) {
        const uint64_t *c = e == 1 ? fq_field.one : e == 2 ? fq_field.r2 : fq_field.r3;
        mpz_import(x, 4, -1, sizeof(uint64_t), 0, 0, c);
        mpz_set_ui(m, 0);
        mpz_setbit(m, 256 * (unsigned)e);
        mpz_mod(m, m, P);
        assert_int_equal(mpz_cmp(x, m), 0);
    }
    printf("# fq: %s arithmetic\n", FQ_ASM ? "x86-64 ADX assembly" : "portable C");
    mpz_clears(m, x, NULL);
}

/* Every edge pair, then random pairs. */
static void test_fq_arith(void **state)
{
    (void)state;
    for (size_t k = 0; k < N_EDGES * N_EDGES + N_RANDOM; k++) {
        fq a, b;
        if (k < N_EDGES * N_EDGES) {
            a = EDGES[k / N_EDGES];
            b = EDGES[k % N_EDGES];
        } else {
            sample_fq(&a, N_EDGES);
            sample_fq(&b, N_EDGES);
        }
        check_ops_on(&a, &b, k % 8 == 0); /* fq_inv costs a 256-bit power */
    }
}

/* The inline operations called directly, with the aliasing visible to the
 * compiler, and the two code paths bit for bit. */
static void test_fq_inline(void **state)
{
    (void)state;
    for (size_t k = 0; k < 5 * N_RANDOM; k++) {
        fq a, b, x, y;
        sample_fq(&a, k % (N_EDGES + N_RANDOM));
        sample_fq(&b, N_EDGES);
        fq_mul_portable(&y, &a, &b);
        x = a;
        fq_mul(&x, &x, &b);
        assert_memory_equal(x.v, y.v, sizeof y.v);
        fq_mul_portable(&y, &a, &a);
        x = a;
        fq_sqr(&x, &x);
        assert_memory_equal(x.v, y.v, sizeof y.v);
        fq_sqr_portable(&x, &a);
        assert_memory_equal(x.v, y.v, sizeof y.v);
        fq_add_portable(&y, &a, &b);
        x = b;
        fq_add(&x, &a, &x);
        assert_memory_equal(x.v, y.v, sizeof y.v);
        fq_sub_portable(&y, &a, &b);
        x = a;
        fq_sub(&x, &x, &b);
        assert_memory_equal(x.v, y.v, sizeof y.v);
        fq_sub_portable(&y, &b, &a);
        x = a;
        fq_sub(&x, &b, &x);
        assert_memory_equal(x.v, y.v, sizeof y.v);
        x = a;
        fq_sub(&x, &x, &x);
        assert_true(fq_is_zero(&x));
        assert_int_equal(fq_eq(&a, &b), memcmp(a.v, b.v, sizeof a.v) == 0);
    }
}

/* The dedicated squarings (assembly and C) at the edges of their carries
 * and reduction (tu_sqr_edges), against GMP and the products a * a. */
static void test_fq_sqr_edges(void **state)
{
    (void)state;
    static const uint64_t p[4] = {FQ_P0, FQ_P1, FQ_P2, FQ_P3};
    uint64_t raw[128][4];
    const size_t n = tu_sqr_edges(raw, 128, p);
    assert_true(n >= 20);
    mpz_t va, want;
    mpz_inits(va, want, NULL);
    for (size_t k = 0; k < n; k++) {
        fq a, x, y;
        memcpy(a.v, raw[k], sizeof a.v);
        fval(va, &a);
        mpz_mul(want, va, va);
        fq_sqr(&x, &a);
        CHECK_FQ(&x, want);
        fq_sqr_portable(&y, &a);
        assert_memory_equal(x.v, y.v, sizeof y.v);
        fq_mul(&y, &a, &a);
        assert_memory_equal(x.v, y.v, sizeof y.v);
        fq_mul_portable(&y, &a, &a);
        assert_memory_equal(x.v, y.v, sizeof y.v);
        x = a;
        fq_sqr(&x, &x);
        assert_memory_equal(x.v, y.v, sizeof y.v);
    }
    printf("# %zu squaring edge inputs\n", n);
    mpz_clears(va, want, NULL);
}

static void test_fq_pow_sqrt(void **state)
{
    (void)state;
    mpz_t va, ve, want;
    mpz_inits(va, ve, want, NULL);
    for (size_t k = 0; k < N_EDGES + 200; k++) {
        fq a, o;
        uint64_t e[4];
        sample_fq(&a, k);
        fval(va, &a);
        for (int i = 0; i < 4; i++)
            e[i] = tu_u64(&rng) >> (k % 3 == 0 ? 60 : 0);
        mpz_import(ve, 4, -1, sizeof(uint64_t), 0, 0, e);
        mpz_powm(want, va, ve, P);
        fq_pow(&o, &a, e);
        CHECK_FQ(&o, want);
    }
    /* square roots: of every square (both roots accepted), none of a
     * non-square; p = 3 mod 4 makes -1 a non-square */
    size_t squares = 0, non = 0;
    for (size_t k = 0; k < N_EDGES + 500; k++) {
        fq a, s, o;
        sample_fq(&a, k);
        fval(va, &a);
        fq_sqr(&s, &a);
        assert_int_equal(fq_sqrt_var(&o, &s), 1);
        fval(want, &o);
        mpz_mul(want, want, want);
        mpz_mul(ve, va, va);
        assert_true(mpz_congruent_p(want, ve, P));
        int legendre = mpz_legendre(va, P);
        o = a;
        int ok = fq_sqrt_var(&o, &o); /* aliased */
        assert_int_equal(ok, legendre >= 0);
        if (ok) {
            fq t;
            fq_sqr(&t, &o);
            assert_true(fq_eq(&t, &a));
            squares++;
        } else {
            non++;
        }
    }
    assert_true(squares > 100 && non > 100);
    fq m1, o;
    fmake_si(&m1, -1);
    assert_int_equal(fq_sqrt_var(&o, &m1), 0);
    fmake_si(&m1, 3); /* so no point has x = 0 */
    assert_int_equal(fq_sqrt_var(&o, &m1), 0);
    fq_set_zero(&m1);
    assert_int_equal(fq_sqrt_var(&o, &m1), 1);
    assert_true(fq_is_zero(&o));
    mpz_clears(va, ve, want, NULL);
}

static void put_mpz(uint8_t *out, const mpz_t x)
{
    size_t count = 0;
    memset(out, 0, 32);
    assert_true(mpz_sizeinbase(x, 2) <= 256);
    mpz_export(out, &count, -1, 1, 0, 0, x);
}

static int decode_mpz(fq *out, const mpz_t x)
{
    uint8_t buf[FQ_BYTES];
    put_mpz(buf, x);
    memset(out, 0x5a, sizeof *out);
    return fq_from_bytes(out, buf);
}

static void test_fq_conversions(void **state)
{
    (void)state;
    mpz_t x, y;
    mpz_inits(x, y, NULL);
    for (size_t k = 0; k < N_EDGES + N_RANDOM; k++) {
        fq a, b;
        uint8_t buf[FQ_BYTES], wide[64];
        uint64_t l[4];
        sample_fq(&a, k);
        fval(x, &a);
        /* bytes: the value little-endian, and back */
        fq_to_bytes(buf, &a);
        mpz_import(y, FQ_BYTES, -1, 1, 0, 0, buf);
        assert_int_equal(mpz_cmp(x, y), 0);
        assert_int_equal(fq_from_bytes(&b, buf), 1);
        assert_true(fq_eq(&a, &b));
        /* mpz, limbs, parity */
        fq_to_mpz(y, &a);
        assert_int_equal(mpz_cmp(x, y), 0);
        mpz_sub(y, y, P); /* negative input wraps */
        fq_from_mpz(&b, y);
        assert_true(fq_eq(&a, &b));
        fq_to_limbs(l, &a);
        mpz_import(y, 4, -1, sizeof(uint64_t), 0, 0, l);
        assert_int_equal(mpz_cmp(x, y), 0);
        assert_int_equal(fq_is_odd(&a), mpz_odd_p(x) != 0);
        /* any 256-bit limbs reduce */
        for (int i = 0; i < 4; i++)
            l[i] = tu_u64(&rng);
        fq_from_limbs(&b, l);
        mpz_import(y, 4, -1, sizeof(uint64_t), 0, 0, l);
        CHECK_FQ(&b, y);
        /* 64 bytes mod p */
        tu_bytes(&rng, wide, sizeof wide);
        if (k % 3 == 0)
            memset(wide, 0xff, k % 2 ? 64 : 32);
        mpz_import(y, 64, -1, 1, 0, 0, wide);
        fq_from_wide(&b, wide);
        CHECK_FQ(&b, y);
        uint64_t u = tu_u64(&rng) >> tu_below(&rng, 64);
        fq_set_u64(&b, u);
        mpz_import(y, 1, -1, sizeof u, 0, 0, &u);
        CHECK_FQ(&b, y);
    }
    /* decoding: p - 1 is the largest accepted value */
    fq o;
    mpz_sub_ui(x, P, 1);
    assert_int_equal(decode_mpz(&o, x), 1);
    CHECK_FQ(&o, x);
    static const unsigned long above[] = {0, 1, 2, 1000};
    for (size_t i = 0; i < sizeof above / sizeof above[0]; i++) {
        mpz_add_ui(x, P, above[i]);
        assert_int_equal(decode_mpz(&o, x), 0);
        assert_true(fq_is_zero(&o));
    }
    static const unsigned top[] = {254, 255, 256};
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++) {
        mpz_set_ui(x, 0);
        mpz_setbit(x, top[i]);
        mpz_sub_ui(x, x, 1);
        assert_int_equal(decode_mpz(&o, x), 0);
    }
    /* p with one lower word changed: the comparison reaches word 0 */
    uint64_t w[4] = {FQ_P0 - 1, FQ_P1, FQ_P2, FQ_P3};
    mpz_import(x, 4, -1, sizeof(uint64_t), 0, 0, w);
    assert_int_equal(decode_mpz(&o, x), 1);
    w[0] = FQ_P0;
    w[1] = FQ_P1 - 1;
    w[2] = FQ_P2 + 1;
    mpz_import(x, 4, -1, sizeof(uint64_t), 0, 0, w);
    assert_int_equal(decode_mpz(&o, x), 0);
    mpz_clears(x, y, NULL);
}

/* ---- curve reference ------------------------------------------------------ */

typedef struct {
    mpz_t x, y;
    int inf;
} rpt;

static void rpt_init(rpt *a)
{
    mpz_inits(a->x, a->y, NULL);
    a->inf = 1;
}

static void rpt_clear(rpt *a)
{
    mpz_clears(a->x, a->y, NULL);
}

static void rpt_copy(rpt *o, const rpt *a)
{
    mpz_set(o->x, a->x);
    mpz_set(o->y, a->y);
    o->inf = a->inf;
}

static void rpt_neg(rpt *o, const rpt *a)
{
    rpt_copy(o, a);
    if (!a->inf) {
        mpz_sub(o->y, P, a->y);
        mpz_mod(o->y, o->y, P);
    }
}

/* o = a + b by the chord and tangent rules. */
static void rpt_add(rpt *o, const rpt *a, const rpt *b)
{
    if (a->inf) {
        rpt_copy(o, b);
        return;
    }
    if (b->inf) {
        rpt_copy(o, a);
        return;
    }
    mpz_t l, t, x3;
    mpz_inits(l, t, x3, NULL);
    if (mpz_cmp(a->x, b->x) == 0) {
        mpz_add(t, a->y, b->y);
        mpz_mod(t, t, P);
        if (mpz_sgn(t) == 0) { /* b = -a */
            o->inf = 1;
            goto done;
        }
        mpz_mul(l, a->x, a->x); /* tangent: 3x^2 / 2y */
        mpz_mul_ui(l, l, 3);
        mpz_mul_ui(t, a->y, 2);
    } else {
        mpz_sub(l, b->y, a->y);
        mpz_sub(t, b->x, a->x);
    }
    mpz_mod(t, t, P);
    assert_true(mpz_invert(t, t, P));
    mpz_mul(l, l, t);
    mpz_mod(l, l, P);
    mpz_mul(x3, l, l);
    mpz_sub(x3, x3, a->x);
    mpz_sub(x3, x3, b->x);
    mpz_mod(x3, x3, P);
    mpz_sub(t, a->x, x3);
    mpz_mul(t, t, l);
    mpz_sub(t, t, a->y);
    mpz_mod(o->y, t, P);
    mpz_set(o->x, x3);
    o->inf = 0;
done:
    mpz_clears(l, t, x3, NULL);
}

/* o = k * a for k >= 0, double and add from the top bit. */
static void rpt_mul(rpt *o, const rpt *a, const mpz_t k)
{
    rpt acc, base;
    rpt_init(&acc);
    rpt_init(&base);
    rpt_copy(&base, a);
    for (size_t i = mpz_sizeinbase(k, 2); i-- > 0;) {
        rpt_add(&acc, &acc, &acc);
        if (mpz_tstbit(k, i))
            rpt_add(&acc, &acc, &base);
    }
    rpt_copy(o, &acc);
    rpt_clear(&acc);
    rpt_clear(&base);
}

static int rpt_on_curve(const rpt *a)
{
    if (a->inf)
        return 1;
    mpz_t l, r;
    mpz_inits(l, r, NULL);
    mpz_mul(l, a->y, a->y);
    mpz_powm_ui(r, a->x, 3, P);
    mpz_add_ui(r, r, 3);
    int ok = mpz_congruent_p(l, r, P);
    mpz_clears(l, r, NULL);
    return ok;
}

/* A uniformly random curve point (every point is in the group: cofactor
 * 1): random x until x^3 + 3 is a square, y = a random one of its roots. */
static void rpt_random(rpt *o)
{
    mpz_t rhs;
    mpz_init(rhs);
    for (;;) {
        rand_mod(o->x, P);
        mpz_powm_ui(rhs, o->x, 3, P);
        mpz_add_ui(rhs, rhs, 3);
        mpz_mod(rhs, rhs, P);
        if (mpz_legendre(rhs, P) == 1)
            break;
    }
    mpz_powm(o->y, rhs, SQRT_EXP, P);
    if (tu_below(&rng, 2))
        mpz_sub(o->y, P, o->y);
    o->inf = 0;
    assert_true(rpt_on_curve(o));
    mpz_clear(rhs);
}

static void rpt_from_affine(rpt *o, const g1_affine *a)
{
    fval(o->x, &a->x);
    fval(o->y, &a->y);
    o->inf = mpz_sgn(o->x) == 0 && mpz_sgn(o->y) == 0;
}

/* Reads (X / Z^2, Y / Z^3) with GMP. */
static void rpt_from_jac(rpt *o, const g1_jac *a)
{
    mpz_t z, t;
    mpz_inits(z, t, NULL);
    fval(z, &a->z);
    fval(o->x, &a->x);
    fval(o->y, &a->y);
    o->inf = mpz_sgn(z) == 0;
    if (!o->inf) {
        assert_true(mpz_invert(z, z, P));
        mpz_mul(t, z, z);
        mpz_mul(o->x, o->x, t);
        mpz_mod(o->x, o->x, P);
        mpz_mul(t, t, z);
        mpz_mul(o->y, o->y, t);
        mpz_mod(o->y, o->y, P);
    }
    mpz_clears(z, t, NULL);
}

static void affine_of(g1_affine *o, const rpt *a)
{
    if (a->inf) {
        fq_set_zero(&o->x);
        fq_set_zero(&o->y);
        return;
    }
    fmake(&o->x, a->x);
    fmake(&o->y, a->y);
}

/* A Jacobian representation of a with a random Z (infinity: random X, Y and
 * Z = 0), or Z = 1 when plain. */
static void jac_of(g1_jac *o, const rpt *a, int plain)
{
    mpz_t z, t;
    mpz_inits(z, t, NULL);
    do
        rand_mod(z, P);
    while (mpz_sgn(z) == 0);
    if (plain)
        mpz_set_ui(z, 1);
    if (a->inf) {
        sample_fq(&o->x, N_EDGES);
        sample_fq(&o->y, N_EDGES);
        fq_set_zero(&o->z);
    } else {
        mpz_mul(t, z, z);
        mpz_mul(t, t, a->x);
        fmake(&o->x, t);
        mpz_powm_ui(t, z, 3, P);
        mpz_mul(t, t, a->y);
        fmake(&o->y, t);
        fmake(&o->z, z);
    }
    mpz_clears(z, t, NULL);
}

static int rpt_eq(const rpt *a, const rpt *b)
{
    if (a->inf || b->inf)
        return a->inf == b->inf;
    return mpz_cmp(a->x, b->x) == 0 && mpz_cmp(a->y, b->y) == 0;
}

static int jac_matches(const g1_jac *got, const rpt *want)
{
    rpt g;
    rpt_init(&g);
    rpt_from_jac(&g, got);
    int ok = rpt_eq(&g, want);
    if (!ok) {
        if (want->inf)
            fprintf(stderr, "# want infinity\n");
        else
            gmp_fprintf(stderr, "# want (%Zx, %Zx)\n", want->x, want->y);
        if (g.inf)
            fprintf(stderr, "#  got infinity\n");
        else
            gmp_fprintf(stderr, "#  got (%Zx, %Zx)\n", g.x, g.y);
    }
    rpt_clear(&g);
    return ok;
}

#define CHECK_PT(got, want) assert_true(jac_matches((got), (want)))

static int setup(void **state)
{
    (void)state;
    mpz_inits(P, R, RM, RINV, SQRT_EXP, NULL);
    assert_int_equal(mpz_set_str(P, P_DECIMAL, 10), 0);
    assert_int_equal(mpz_set_str(R, R_DECIMAL, 10), 0);
    mpz_setbit(RM, 256);
    mpz_mod(RM, RM, P);
    assert_true(mpz_invert(RINV, RM, P));
    mpz_add_ui(SQRT_EXP, P, 1);
    mpz_fdiv_q_2exp(SQRT_EXP, SQRT_EXP, 2);
    make_edges();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mpz_clears(P, R, RM, RINV, SQRT_EXP, NULL);
    return 0;
}

/* ---- group tests ---------------------------------------------------------- */

static void rpt_generator(rpt *g)
{
    mpz_set_ui(g->x, 1);
    mpz_set_ui(g->y, 2);
    g->inf = 0;
}

static void test_known_answers(void **state)
{
    (void)state;
    rpt g, t, want;
    rpt_init(&g);
    rpt_init(&t);
    rpt_init(&want);
    rpt_generator(&g);
    assert_true(rpt_on_curve(&g));
    /* the standard 2G, through the reference and the code */
    static const char *const two_g[2] = {
        "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3",
        "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"};
    assert_int_equal(mpz_set_str(want.x, two_g[0], 16), 0);
    assert_int_equal(mpz_set_str(want.y, two_g[1], 16), 0);
    want.inf = 0;
    rpt_add(&t, &g, &g);
    assert_true(rpt_eq(&t, &want));

    g1_affine ga, a2;
    g1_jac j, k;
    g1_generator(&ga);
    rpt_from_affine(&t, &ga);
    assert_true(rpt_eq(&t, &g));
    assert_true(g1_affine_on_curve(&ga));
    g1_from_affine(&j, &ga);
    g1_dbl(&k, &j);
    CHECK_PT(&k, &want);
    g1_add(&k, &j, &j);
    CHECK_PT(&k, &want);
    g1_add_mixed_var(&k, &j, &ga);
    CHECK_PT(&k, &want);
    fr two;
    fr_set_u64(&two, 2);
    g1_mul(&k, &j, &two);
    CHECK_PT(&k, &want);
    g1_to_affine(&a2, &k);
    affine_of(&ga, &want);
    assert_true(g1_affine_eq(&a2, &ga));

    /* the reference: r G = infinity, (r - 1) G = -G, so G has order r */
    rpt_mul(&t, &g, R);
    assert_true(t.inf);
    mpz_t rm1;
    mpz_init(rm1);
    mpz_sub_ui(rm1, R, 1);
    rpt_mul(&t, &g, rm1);
    rpt_neg(&want, &g);
    assert_true(rpt_eq(&t, &want));
    /* and the code: (r - 1) G = -G, plus G is infinity */
    fr k1;
    fr_from_mpz(&k1, rm1);
    g1_mul(&k, &j, &k1);
    CHECK_PT(&k, &want);
    g1_add(&k, &k, &j);
    assert_true(g1_is_infinity(&k));
    mpz_clear(rm1);
    rpt_clear(&g);
    rpt_clear(&t);
    rpt_clear(&want);
}

/* Sums of every special kind, for the constant-time and _var additions,
 * with random Z and every aliasing (g1_add_mixed_distinct unless a == b,
 * outside its contract). */
static void check_sum(const rpt *a, const rpt *b)
{
    rpt want;
    rpt_init(&want);
    rpt_add(&want, a, b);
    g1_jac ja, jb, o, x;
    g1_affine ab;
    jac_of(&ja, a, 0);
    jac_of(&jb, b, 0);
    affine_of(&ab, b);
    void (*adds[2])(g1_jac *, const g1_jac *, const g1_jac *) = {g1_add, g1_add_var};
    void (*madds[2])(g1_jac *, const g1_jac *, const g1_affine *) = {g1_add_mixed_distinct,
                                                                     g1_add_mixed_var};
    const int same = !a->inf && rpt_eq(a, b);
    for (int v = 0; v < 2; v++) {
        adds[v](&o, &ja, &jb);
        CHECK_PT(&o, &want);
        x = ja;
        adds[v](&x, &x, &jb);
        CHECK_PT(&x, &want);
        x = jb;
        adds[v](&x, &ja, &x);
        CHECK_PT(&x, &want);
        if (v == 0 && same)
            continue;
        madds[v](&o, &ja, &ab);
        CHECK_PT(&o, &want);
        x = ja;
        madds[v](&x, &x, &ab);
        CHECK_PT(&x, &want);
    }
    /* doubling and negation */
    rpt_add(&want, a, a);
    g1_dbl(&o, &ja);
    CHECK_PT(&o, &want);
    x = ja;
    g1_dbl(&x, &x);
    CHECK_PT(&x, &want);
    x = ja;
    g1_add(&x, &x, &x);
    CHECK_PT(&x, &want);
    rpt_neg(&want, a);
    g1_neg(&o, &ja);
    CHECK_PT(&o, &want);
    rpt_clear(&want);
}

static void test_add_cases(void **state)
{
    (void)state;
    rpt inf, a, b, na;
    rpt_init(&inf);
    rpt_init(&a);
    rpt_init(&b);
    rpt_init(&na);
    for (int k = 0; k < N_POINTS; k++) {
        rpt_random(&a);
        rpt_random(&b);
        rpt_neg(&na, &a);
        check_sum(&a, &b);
        check_sum(&a, &a);   /* doubling */
        check_sum(&a, &na);  /* a + (-a) */
        check_sum(&a, &inf);
        check_sum(&inf, &a);
    }
    check_sum(&inf, &inf);
    rpt_clear(&inf);
    rpt_clear(&a);
    rpt_clear(&b);
    rpt_clear(&na);
}

static void test_laws(void **state)
{
    (void)state;
    rpt ra, rb, rc;
    rpt_init(&ra);
    rpt_init(&rb);
    rpt_init(&rc);
    for (int k = 0; k < N_POINTS; k++) {
        g1_jac a, b, c, x, y, t, inf;
        rpt_random(&ra);
        rpt_random(&rb);
        rpt_random(&rc);
        jac_of(&a, &ra, 0);
        jac_of(&b, &rb, 0);
        jac_of(&c, &rc, 0);
        g1_set_infinity(&inf);
        /* commutative, associative */
        g1_add(&x, &a, &b);
        g1_add(&y, &b, &a);
        assert_true(g1_eq(&x, &y));
        g1_add(&t, &a, &b);
        g1_add(&x, &t, &c);
        g1_add(&t, &b, &c);
        g1_add_var(&y, &a, &t);
        assert_true(g1_eq(&x, &y));
        /* identity and inverse */
        g1_add(&x, &a, &inf);
        assert_true(g1_eq(&x, &a));
        g1_neg(&t, &a);
        g1_add(&x, &a, &t);
        assert_true(g1_is_infinity(&x));
        g1_add_var(&x, &t, &a);
        assert_true(g1_is_infinity(&x));
        /* doubling = adding to itself, mixed = full */
        g1_dbl(&x, &a);
        g1_add_var(&y, &a, &a);
        assert_true(g1_eq(&x, &y));
        g1_affine bb;
        affine_of(&bb, &rb);
        g1_add_mixed_distinct(&x, &a, &bb);
        g1_add(&y, &a, &b);
        assert_true(g1_eq(&x, &y));
        /* eq: the same point with another Z; different points */
        jac_of(&x, &ra, 0);
        assert_true(g1_eq(&x, &a));
        assert_false(g1_eq(&a, &b));
        assert_false(g1_eq(&a, &inf));
        assert_false(g1_eq(&inf, &a));
        g1_neg(&t, &a);
        assert_false(g1_eq(&t, &a));
    }
    g1_jac i1, i2;
    g1_set_infinity(&i1);
    rc.inf = 1;
    jac_of(&i2, &rc, 0); /* random X, Y with Z = 0 */
    assert_true(g1_eq(&i1, &i2));
    /* (0, 0, 0) is infinity too, and equal to no point (its cross products
     * with any point are all zero) */
    memset(&i2, 0, sizeof i2);
    assert_true(g1_eq(&i1, &i2));
    g1_jac x;
    jac_of(&x, &ra, 0);
    assert_false(g1_eq(&i2, &x));
    assert_false(g1_eq(&x, &i2));
    rpt_clear(&ra);
    rpt_clear(&rb);
    rpt_clear(&rc);
}

static void check_mul(const rpt *a, const mpz_t k)
{
    rpt want;
    mpz_t km;
    rpt_init(&want);
    mpz_init(km);
    mpz_mod(km, k, R);
    rpt_mul(&want, a, km);
    g1_jac ja, o;
    fr kf;
    jac_of(&ja, a, 0);
    fr_from_mpz(&kf, k);
    g1_mul(&o, &ja, &kf);
    CHECK_PT(&o, &want);
    g1_mul(&ja, &ja, &kf); /* aliased */
    CHECK_PT(&ja, &want);
    rpt_clear(&want);
    mpz_clear(km);
}

static void test_mul(void **state)
{
    (void)state;
    rpt a, inf;
    mpz_t k;
    rpt_init(&a);
    rpt_init(&inf);
    mpz_init(k);
    static const long fixed[] = {0, 1, 2, 3, 15, 16, 17, -1, -2};
    for (int n = 0; n < 24; n++) {
        rpt_random(&a);
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
            mpz_set_si(k, fixed[i]);
            check_mul(&a, k);
        }
        mpz_set_ui(k, 0);
        mpz_setbit(k, 4 * (unsigned)n + 200);
        check_mul(&a, k);
        mpz_fdiv_q_2exp(k, R, 1); /* (r - 1) / 2 and (r + 1) / 2 */
        check_mul(&a, k);
        mpz_add_ui(k, k, 1);
        check_mul(&a, k);
        rand_mod(k, R);
        check_mul(&a, k);
        check_mul(&inf, k);
    }
    /* (a + b) P = aP + bP */
    for (int n = 0; n < 8; n++) {
        fr x, y, s;
        g1_jac p, px, py, ps, sum;
        rpt_random(&a);
        jac_of(&p, &a, 0);
        tu_fr(&rng, &x);
        tu_fr(&rng, &y);
        fr_add(&s, &x, &y);
        g1_mul(&px, &p, &x);
        g1_mul(&py, &p, &y);
        g1_mul(&ps, &p, &s);
        g1_add(&sum, &px, &py);
        assert_true(g1_eq(&sum, &ps));
    }
    rpt_clear(&a);
    rpt_clear(&inf);
    mpz_clear(k);
}

static void test_affine(void **state)
{
    (void)state;
    enum { N = 37 };
    rpt ref[N];
    g1_jac jac[N];
    g1_affine aff[N], one;
    fq scratch[N];
    for (int i = 0; i < N; i++) {
        rpt_init(&ref[i]);
        if (i % 5 != 2) /* some infinity */
            rpt_random(&ref[i]);
        jac_of(&jac[i], &ref[i], i % 7 == 3);
        memset(&scratch[i], 0xa5, sizeof scratch[i]);
    }
    static const size_t sizes[] = {0, 1, 2, 3, N};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        memset(aff, 0x5a, sizeof aff);
        g1_batch_to_affine(aff, jac, sizes[s], scratch);
        for (size_t i = 0; i < sizes[s]; i++) {
            rpt got;
            rpt_init(&got);
            rpt_from_affine(&got, &aff[i]);
            assert_true(rpt_eq(&got, &ref[i]));
            assert_int_equal(g1_affine_is_infinity(&aff[i]), ref[i].inf);
            assert_true(g1_affine_on_curve(&aff[i]));
            g1_to_affine(&one, &jac[i]);
            assert_true(g1_affine_eq(&one, &aff[i]));
            g1_jac back;
            g1_from_affine(&back, &aff[i]);
            assert_true(g1_eq(&back, &jac[i]));
            assert_int_equal(g1_is_infinity(&back), ref[i].inf);
            rpt_clear(&got);
        }
    }
    /* points off the curve */
    g1_affine off = aff[0];
    fq_add(&off.y, &off.y, &off.x);
    assert_false(g1_affine_on_curve(&off));
    fq_set_zero(&off.x); /* (0, y): x^3 + 3 = 3 is not a square */
    assert_false(g1_affine_on_curve(&off));
    g1_affine_infinity(&off);
    assert_true(g1_affine_on_curve(&off));
    assert_true(g1_affine_is_infinity(&off));
    for (int i = 0; i < N; i++)
        rpt_clear(&ref[i]);
}

/* g1_batch_to_affine_blinded against g1_batch_to_affine and the reference:
 * random Z, Z = 1, infinity (with arbitrary X, Y) first, last, between and
 * everywhere, batches of 0, 1, 2, 3, 4 and N points. */
static void test_affine_blinded(void **state)
{
    (void)state;
    enum { N = 29 };
    rpt ref[N];
    g1_jac jac[N];
    g1_affine want[N], got[N];
    fq scratch[N];
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < N; i++) {
            rpt_init(&ref[i]);
            const int inf = round == 3 || (round == 1 && (i == 0 || i == N - 1 || i % 4 == 2)) ||
                            (round == 2 && i % 2 == 1);
            if (!inf)
                rpt_random(&ref[i]);
            jac_of(&jac[i], &ref[i], i % 7 == 3);
        }
        static const size_t sizes[] = {0, 1, 2, 3, 4, N};
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            memset(want, 0x5a, sizeof want);
            memset(got, 0xa5, sizeof got);
            g1_batch_to_affine(want, jac, sizes[s], scratch);
            g1_batch_to_affine_blinded(got, jac, sizes[s], scratch);
            for (size_t i = 0; i < sizes[s]; i++) {
                rpt r;
                rpt_init(&r);
                rpt_from_affine(&r, &got[i]);
                assert_true(rpt_eq(&r, &ref[i]));
                assert_true(g1_affine_eq(&got[i], &want[i]));
                assert_int_equal(g1_affine_is_infinity(&got[i]), ref[i].inf);
                rpt_clear(&r);
            }
            /* untouched past n */
            for (size_t i = sizes[s]; i < N; i++)
                assert_int_equal(got[i].x.v[0], 0xa5a5a5a5a5a5a5a5ULL);
        }
        for (int i = 0; i < N; i++)
            rpt_clear(&ref[i]);
    }
}

static void test_encoding_round_trip(void **state)
{
    (void)state;
    rpt a;
    rpt_init(&a);
    mpz_t x;
    mpz_init(x);
    for (int k = 0; k < 4 * N_POINTS; k++) {
        g1_affine p, q;
        uint8_t c[G1_BYTES], raw[G1_RAW_BYTES];
        if (k == 0)
            a.inf = 1;
        else
            rpt_random(&a);
        affine_of(&p, &a);
        g1_to_bytes(c, &p);
        if (a.inf) {
            for (int i = 0; i < 31; i++)
                assert_int_equal(c[i], 0);
            assert_int_equal(c[31], 0x40);
        } else {
            /* x little-endian in the low 254 bits, y's parity in bit 255 */
            assert_int_equal((c[31] >> 7) & 1, mpz_odd_p(a.y) != 0);
            assert_int_equal((c[31] >> 6) & 1, 0);
            c[31] &= 0x3f;
            mpz_import(x, G1_BYTES, -1, 1, 0, 0, c);
            assert_int_equal(mpz_cmp(x, a.x), 0);
            g1_to_bytes(c, &p);
        }
        memset(&q, 0x5a, sizeof q);
        assert_int_equal(g1_from_bytes_var(&q, c), 1);
        assert_true(g1_affine_eq(&p, &q));
        /* raw: x then y little-endian, infinity 64 zero bytes */
        g1_to_bytes_raw(raw, &p);
        mpz_import(x, 32, -1, 1, 0, 0, raw);
        assert_int_equal(a.inf ? mpz_sgn(x) : mpz_cmp(x, a.x), 0);
        mpz_import(x, 32, -1, 1, 0, 0, raw + 32);
        assert_int_equal(a.inf ? mpz_sgn(x) : mpz_cmp(x, a.y), 0);
        memset(&q, 0x5a, sizeof q);
        assert_int_equal(g1_from_bytes_raw(&q, raw), 1);
        assert_true(g1_affine_eq(&p, &q));
    }
    mpz_clear(x);
    rpt_clear(&a);
}


static void expect_reject(const uint8_t c[G1_BYTES])
{
    g1_affine q;
    memset(&q, 0x5a, sizeof q);
    assert_int_equal(g1_from_bytes_var(&q, c), 0);
    assert_true(g1_affine_is_infinity(&q));
}

static void expect_reject_raw(const uint8_t raw[G1_RAW_BYTES])
{
    g1_affine q;
    memset(&q, 0x5a, sizeof q);
    assert_int_equal(g1_from_bytes_raw(&q, raw), 0);
    assert_true(g1_affine_is_infinity(&q));
}

static void test_encoding_rejects(void **state)
{
    (void)state;
    uint8_t c[G1_BYTES], raw[G1_RAW_BYTES];
    mpz_t x, rhs;
    mpz_inits(x, rhs, NULL);

    /* x >= p, with either parity */
    static const unsigned long above[] = {0, 1, 7};
    for (size_t i = 0; i < sizeof above / sizeof above[0]; i++) {
        mpz_add_ui(x, P, above[i]);
        put_mpz(c, x);
        expect_reject(c);
        c[31] |= 0x80;
        expect_reject(c);
    }
    memset(c, 0xff, sizeof c);
    c[31] = 0x3f; /* 2^254 - 1 */
    expect_reject(c);
    c[31] = 0xbf;
    expect_reject(c);
    /* x with x^3 + 3 not a square (x = 0 among them: all-zero bytes) */
    memset(c, 0, sizeof c);
    expect_reject(c);
    int found = 0;
    while (found < 20) {
        rand_mod(x, P);
        mpz_powm_ui(rhs, x, 3, P);
        mpz_add_ui(rhs, rhs, 3);
        if (mpz_legendre(rhs, P) != -1)
            continue;
        put_mpz(c, x);
        c[31] |= (uint8_t)(found & 1) << 7;
        expect_reject(c);
        found++;
    }
    /* infinity: only 0x40 in byte 31 and zeros elsewhere */
    for (int i = 0; i < 31; i++) {
        memset(c, 0, sizeof c);
        c[31] = 0x40;
        c[i] = (uint8_t)(1u << (i % 8));
        expect_reject(c);
    }
    for (int bit = 0; bit < 6; bit++) {
        memset(c, 0, sizeof c);
        c[31] = (uint8_t)(0x40 | (1u << bit));
        expect_reject(c);
    }
    memset(c, 0, sizeof c);
    c[31] = 0xc0; /* both flags */
    expect_reject(c);
    /* a valid point's x with the infinity flag, alone or with bit 7 */
    rpt a;
    rpt_init(&a);
    rpt_random(&a);
    put_mpz(c, a.x);
    c[31] |= 0x40;
    expect_reject(c);
    c[31] |= 0x80;
    expect_reject(c);

    /* raw: off the curve, coordinates >= p (also p + y, the same residue),
     * partial zeros */
    put_mpz(raw, a.x);
    mpz_add_ui(x, a.y, 1);
    mpz_mod(x, x, P);
    put_mpz(raw + 32, x);
    expect_reject_raw(raw);
    put_mpz(raw + 32, a.y);
    g1_affine q;
    assert_int_equal(g1_from_bytes_raw(&q, raw), 1);
    mpz_add(x, a.y, P);
    if (mpz_sizeinbase(x, 2) <= 256) {
        put_mpz(raw + 32, x);
        expect_reject_raw(raw);
    }
    put_mpz(raw + 32, a.y);
    mpz_add(x, a.x, P);
    put_mpz(raw, x);
    expect_reject_raw(raw);
    put_mpz(raw, P);
    expect_reject_raw(raw);
    memset(raw, 0, sizeof raw);
    put_mpz(raw + 32, a.y); /* (0, y) */
    expect_reject_raw(raw);
    memset(raw, 0, sizeof raw);
    put_mpz(raw, a.x); /* (x, 0) */
    expect_reject_raw(raw);
    memset(raw, 0, sizeof raw);
    raw[63] = 0x40; /* a compressed-style flag is not infinity here */
    expect_reject_raw(raw);
    memset(raw, 0, sizeof raw);
    assert_int_equal(g1_from_bytes_raw(&q, raw), 1);
    assert_true(g1_affine_is_infinity(&q));
    rpt_clear(&a);
    mpz_clears(x, rhs, NULL);
}

/* fq_inv_binary_var against GMP (the operation tables test it on the edges
 * too): representations with long runs of zero bits at the bottom (a
 * whole low limb of zeros among them, the algorithm's longest shifts),
 * powers of two, and random elements. */
static void test_fq_inv_binary(void **state)
{
    (void)state;
    mpz_t va, want;
    mpz_inits(va, want, NULL);
    for (int k = 0; k < 3 * 254 + 2000; k++) {
        fq a, o;
        if (k < 254) { /* representation 2^k */
            memset(a.v, 0, sizeof a.v);
            a.v[k / 64] = (uint64_t)1 << (k % 64);
        } else if (k < 3 * 254) { /* random high bits over k' zero bits */
            int z = (k - 254) % 254;
            sample_fq(&a, N_EDGES);
            for (int i = 0; i < z; i++)
                a.v[i / 64] &= ~((uint64_t)1 << (i % 64));
            if (fq_is_zero(&a))
                a.v[3] = 1;
        } else {
            sample_fq(&a, tu_below(&rng, N_EDGES + 1));
        }
        fval(va, &a);
        r_inv(want, va);
        fq_inv_binary_var(&o, &a);
        CHECK_FQ(&o, want);
    }
    mpz_clears(va, want, NULL);
}

/* fq_sqrt_many_var against fq_sqrt_var one by one: squares, non-squares
 * and zero in every position of every length up to 9 (pairs and the odd
 * one out), the same roots and flags, roots left alone where there is none
 * (out filled beforehand), and in place (out == a). */
/* fq_sqrt_many_var against fq_sqrt_var on batches of 0 to 9 elements and
 * of sizes around the IFMA path's groups of eight and sixteen (FQ_IFMA),
 * with their remainders on the 64-bit code. */
static void test_fq_sqrt_many(void **state)
{
    (void)state;
    enum { N = 41 };
    static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 23, 24, 32, 33, 41};
    printf("# fq: square roots %s\n", FQ_IFMA ? "eight at a time (AVX-512 IFMA)" : "in 64-bit code");
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const size_t n = sizes[si];
        for (int rep = 0; rep < (n < 10 ? 20 : 6); rep++) {
            fq a[N], out[N], inplace[N], mark;
            uint8_t ok[N], ok2[N];
            fmake_si(&mark, 12345);
            for (size_t i = 0; i < n; i++) {
                fq x;
                sample_fq(&x, tu_below(&rng, N_EDGES + 50));
                switch (tu_below(&rng, 4)) {
                case 0: /* a square */
                    fq_sqr(&a[i], &x);
                    break;
                case 1: /* zero */
                    fq_set_zero(&a[i]);
                    break;
                default: /* anything: about half non-squares */
                    a[i] = x;
                }
                out[i] = mark;
            }
            memset(ok, 0xee, sizeof ok);
            fq_sqrt_many_var(out, ok, a, n);
            memcpy(inplace, a, sizeof a);
            fq_sqrt_many_var(inplace, ok2, inplace, n);
            for (size_t i = 0; i < n; i++) {
                fq want;
                int w = fq_sqrt_var(&want, &a[i]);
                assert_int_equal(ok[i], w);
                assert_int_equal(ok2[i], w);
                if (w) {
                    mpz_t va, root;
                    mpz_inits(va, root, NULL);
                    fval(va, &a[i]);
                    mpz_powm(root, va, SQRT_EXP, P); /* the documented root */
                    CHECK_FQ(&want, root);
                    mpz_clears(va, root, NULL);
                    assert_true(fq_eq(&out[i], &want));
                    assert_true(fq_eq(&inplace[i], &want));
                } else {
                    assert_true(fq_eq(&out[i], &mark));
                    assert_true(fq_eq(&inplace[i], &a[i]));
                }
            }
        }
    }
}

/* A large batch (the IFMA path's lanes, FQ_IFMA): every edge value, the
 * raw squaring edges, their squares, and random elements, against
 * fq_sqrt_var and GMP's a^((p+1)/4). */
static void test_fq_sqrt_many_large(void **state)
{
    (void)state;
    enum { N = 2048 };
    static const uint64_t p[4] = {FQ_P0, FQ_P1, FQ_P2, FQ_P3};
    fq *a = malloc(N * sizeof *a), *out = malloc(N * sizeof *out);
    uint8_t *ok = malloc(N);
    uint64_t raw[128][4];
    assert_non_null(a);
    assert_non_null(out);
    assert_non_null(ok);
    const size_t n_raw = tu_sqr_edges(raw, 128, p);
    size_t n = 0;
    for (size_t i = 0; i < N_EDGES; i++) {
        a[n++] = EDGES[i];
        fq_sqr(&a[n++], &EDGES[i]);
    }
    for (size_t i = 0; i < n_raw; i++) {
        memcpy(a[n].v, raw[i], sizeof a[n].v);
        fq_sqr(&a[n + 1], &a[n]);
        n += 2;
    }
    for (; n < N; n++) {
        sample_fq(&a[n], N_EDGES + n);
        if (n % 3 == 0)
            fq_sqr(&a[n], &a[n]);
    }
    fq_sqrt_many_var(out, ok, a, N);
    size_t squares = 0;
    mpz_t va, root;
    mpz_inits(va, root, NULL);
    for (size_t i = 0; i < N; i++) {
        fq want;
        const int w = fq_sqrt_var(&want, &a[i]);
        assert_int_equal(ok[i], w);
        if (!w)
            continue;
        squares++;
        assert_memory_equal(out[i].v, want.v, sizeof want.v);
        fval(va, &a[i]);
        mpz_powm(root, va, SQRT_EXP, P);
        CHECK_FQ(&out[i], root);
    }
    assert_true(squares > N / 3 && squares < N);
    mpz_clears(va, root, NULL);
    free(a);
    free(out);
    free(ok);
}

/* A random encoding for the batch decoder: a valid point (sometimes a
 * repeat of an earlier one, or its negation), infinity, or one of the
 * rejected kinds of test_encoding_rejects. */
static void random_encoding(uint8_t c[G1_BYTES], const uint8_t *earlier, size_t n_earlier,
                            int bad_ok)
{
    rpt a;
    mpz_t x, rhs;
    rpt_init(&a);
    mpz_inits(x, rhs, NULL);
    unsigned kind = (unsigned)tu_below(&rng, bad_ok ? 12 : 8);
    if ((kind == 1 || kind == 2) && n_earlier == 0)
        kind = 0;
    switch (kind) {
    case 1: /* a repeat */
        memcpy(c, earlier + G1_BYTES * tu_below(&rng, n_earlier), G1_BYTES);
        break;
    case 2: /* the negation of an earlier one, unless that is infinity */
        memcpy(c, earlier + G1_BYTES * tu_below(&rng, n_earlier), G1_BYTES);
        if (c[31] != 0x40)
            c[31] ^= 0x80;
        break;
    case 3: /* infinity */
        memset(c, 0, G1_BYTES);
        c[31] = 0x40;
        break;
    case 8: /* x >= p */
        mpz_add_ui(x, P, tu_below(&rng, 8));
        put_mpz(c, x);
        c[31] |= (uint8_t)(tu_below(&rng, 2) << 7);
        break;
    case 9: /* x^3 + 3 not a square */
        do {
            rand_mod(x, P);
            mpz_powm_ui(rhs, x, 3, P);
            mpz_add_ui(rhs, rhs, 3);
        } while (mpz_legendre(rhs, P) != -1);
        put_mpz(c, x);
        c[31] |= (uint8_t)(tu_below(&rng, 2) << 7);
        break;
    case 10: /* infinity with another bit set */
        memset(c, 0, G1_BYTES);
        c[31] = 0x40;
        c[tu_below(&rng, 32)] |= (uint8_t)(1u << tu_below(&rng, 8)) | (uint8_t)0x80;
        if (c[31] == 0x40)
            c[0] |= 1;
        break;
    case 11: /* a valid x with the infinity flag */
        rpt_random(&a);
        put_mpz(c, a.x);
        c[31] |= 0x40;
        break;
    default: { /* a valid point */
        g1_affine p;
        rpt_random(&a);
        affine_of(&p, &a);
        g1_to_bytes(c, &p);
    }
    }
    mpz_clears(x, rhs, NULL);
    rpt_clear(&a);
}

/* g1_from_bytes_many_var against g1_from_bytes_var one by one, on 1, 2
 * and 3 threads, for lengths around the decoder's blocks of 32: every
 * output the same, and the index of the first rejected encoding (n when
 * all are accepted). */
static void test_decode_many(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 3, 31, 32, 33, 64, 65, 200};
    enum { MAX = 200 };
    uint8_t *enc = malloc(MAX * G1_BYTES);
    g1_affine *want = malloc(MAX * sizeof *want), *got = malloc(MAX * sizeof *got);
    assert_non_null(enc);
    assert_non_null(want);
    assert_non_null(got);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        for (int rep = 0; rep < 6; rep++) {
            /* reps 0, 1: all valid; 2 to 4: some rejects; 5: the last only */
            int bad_ok = rep >= 2 && rep <= 4;
            for (size_t i = 0; i < n; i++)
                random_encoding(enc + G1_BYTES * i, enc, i, bad_ok && tu_below(&rng, 4) == 0);
            if (rep == 5 && n > 0)
                memset(enc + G1_BYTES * (n - 1), 0xff, G1_BYTES);
            size_t first = n;
            for (size_t i = 0; i < n; i++) {
                memset(&want[i], 0x5a, sizeof want[i]);
                if (!g1_from_bytes_var(&want[i], enc + G1_BYTES * i) && first == n)
                    first = i;
            }
            for (int threads = 0; threads <= 3; threads++) {
                memset(got, 0xa5, MAX * sizeof *got);
                assert_int_equal(g1_from_bytes_many_var(got, enc, n, threads), first);
                for (size_t i = 0; i < n; i++)
                    assert_true(g1_affine_eq(&got[i], &want[i]));
            }
        }
    }
    free(enc);
    free(want);
    free(got);
}

/* The generator of (label, index) computed from the byte string that g1.c
 * documents, with one-shot hashes and GMP. */
static void spec_generator(rpt *o, const char *label, uint64_t index)
{
    uint8_t msg[128], h[64];
    size_t len = strlen(label), n = 0;
    assert_true(23 + 8 + len + 8 + 4 + 1 <= sizeof msg);
    memcpy(msg, "zkm/g1/hash-to-curve/v1", 23);
    n = 23;
    for (int i = 0; i < 8; i++)
        msg[n++] = (uint8_t)((uint64_t)len >> (8 * i));
    memcpy(msg + n, label, len);
    n += len;
    for (int i = 0; i < 8; i++)
        msg[n++] = (uint8_t)(index >> (8 * i));
    mpz_t rhs;
    mpz_init(rhs);
    for (uint32_t counter = 0;; counter++) {
        for (int i = 0; i < 4; i++)
            msg[n + i] = (uint8_t)(counter >> (8 * i));
        msg[n + 4] = 0;
        crypto_generichash(h, 64, msg, n + 5, NULL, 0);
        mpz_import(o->x, 64, -1, 1, 0, 0, h);
        mpz_mod(o->x, o->x, P);
        mpz_powm_ui(rhs, o->x, 3, P);
        mpz_add_ui(rhs, rhs, 3);
        mpz_mod(rhs, rhs, P);
        if (mpz_legendre(rhs, P) != 1)
            continue;
        mpz_powm(o->y, rhs, SQRT_EXP, P);
        msg[n + 4] = 1;
        crypto_generichash(h, 32, msg, n + 5, NULL, 0);
        if ((mpz_odd_p(o->y) != 0) != (h[0] & 1))
            mpz_sub(o->y, P, o->y);
        o->inf = 0;
        break;
    }
    mpz_clear(rhs);
}

static void test_hash_generators(void **state)
{
    (void)state;
    enum { N = 48 };
    g1_affine g[N], h[N], o[N];
    g1_hash_generators(g, N, "zkm/test/generators", 0);
    g1_hash_generators(h, N, "zkm/test/generators", 0);
    g1_hash_generators(o, N, "zkm/test/generatorz", 0);
    for (int i = 0; i < N; i++) {
        assert_true(g1_affine_on_curve(&g[i]));
        assert_false(g1_affine_is_infinity(&g[i]));
        assert_true(g1_affine_eq(&g[i], &h[i])); /* deterministic */
        for (int j = 0; j < i; j++)
            assert_false(g1_affine_eq(&g[i], &g[j]) || fq_eq(&g[i].x, &g[j].x));
        for (int j = 0; j < N; j++)
            assert_false(fq_eq(&g[i].x, &o[j].x)); /* another label */
    }
    /* first offsets the index */
    g1_hash_generators(h, 5, "zkm/test/generators", 40);
    for (int i = 0; i < 5; i++)
        assert_true(g1_affine_eq(&h[i], &g[40 + i]));
    /* the documented construction, byte for byte */
    rpt want, got;
    rpt_init(&want);
    rpt_init(&got);
    for (int i = 0; i < N; i += 7) {
        spec_generator(&want, "zkm/test/generators", (uint64_t)i);
        rpt_from_affine(&got, &g[i]);
        assert_true(rpt_eq(&got, &want));
    }
    spec_generator(&want, "", 1ULL << 40);
    g1_hash_generators(h, 1, "", 1ULL << 40);
    rpt_from_affine(&got, &h[0]);
    assert_true(rpt_eq(&got, &want));
    /* parity of y is not always the same (it comes from its own hash) */
    int odd = 0;
    for (int i = 0; i < N; i++)
        odd += fq_is_odd(&g[i].y);
    assert_true(odd > 0 && odd < N);
    rpt_clear(&want);
    rpt_clear(&got);
}

int main(void)
{
    tu_rng_init(&rng, tu_seed("test_g1"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fq_constants),
        cmocka_unit_test(test_fq_arith),
        cmocka_unit_test(test_fq_inline),
        cmocka_unit_test(test_fq_sqr_edges),
        cmocka_unit_test(test_fq_pow_sqrt),
        cmocka_unit_test(test_fq_conversions),
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_add_cases),
        cmocka_unit_test(test_laws),
        cmocka_unit_test(test_mul),
        cmocka_unit_test(test_affine),
        cmocka_unit_test(test_affine_blinded),
        cmocka_unit_test(test_encoding_round_trip),
        cmocka_unit_test(test_encoding_rejects),
        cmocka_unit_test(test_fq_inv_binary),
        cmocka_unit_test(test_fq_sqrt_many),
        cmocka_unit_test(test_fq_sqrt_many_large),
        cmocka_unit_test(test_decode_many),
        cmocka_unit_test(test_hash_generators),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
