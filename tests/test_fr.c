/* Tests of the BN254 scalar field (gkr/fr.h) against GMP.
 *
 * The reference never goes through the code under test: an element's value
 * is read from its raw Montgomery limbs (value = limbs * 2^-256 mod r, after
 * checking limbs < r), and an expected result is turned into the limbs it
 * must have (x * 2^256 mod r).  So every check also proves the output fully
 * reduced.  Inputs are edge cases (small values, r - k, limb boundaries, in
 * both the standard and the Montgomery representation) and seeded random
 * elements. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h> /* before gmp.h, for gmp_fprintf */
#include <stdlib.h>
#include <string.h>
#include <gmp.h>

#include "fr.h"
#include "testutil.h"

#define N_RANDOM 3000
#define MAX_EDGES 64

static const char R_DECIMAL[] =
    "21888242871839275222246405745257275088548364400416034343698204186575808495617";

static tu_rng rng;
static mpz_t R, RMONT, RINV, TWO256; /* r, 2^256 mod r, 2^-256 mod r, 2^256 */
static fr EDGES[MAX_EDGES];
static size_t n_edges;

/* ---- reference conversions ------------------------------------------------ */

static void limbs_to_mpz(mpz_t x, const uint64_t v[4])
{
    mpz_import(x, 4, -1, sizeof(uint64_t), 0, 0, v);
}

/* x must be in [0, 2^256). */
static void mpz_to_limbs(uint64_t v[4], const mpz_t x)
{
    size_t count = 0;
    assert_true(mpz_sgn(x) >= 0 && mpz_sizeinbase(x, 2) <= 256);
    memset(v, 0, 4 * sizeof(uint64_t));
    mpz_export(v, &count, -1, sizeof(uint64_t), 0, 0, x);
    assert_true(count <= 4);
}

static int raw_reduced(const fr *a)
{
    static const uint64_t r[4] = {FR_R0, FR_R1, FR_R2, FR_R3};
    for (int i = 3; i >= 0; i--) {
        if (a->v[i] != r[i])
            return a->v[i] < r[i];
    }
    return 0;
}

/* x = the value a represents; fails the test if a's limbs are not < r. */
static void val(mpz_t x, const fr *a)
{
    assert_true(raw_reduced(a));
    limbs_to_mpz(x, a->v);
    mpz_mul(x, x, RINV);
    mpz_mod(x, x, R);
}

/* out = the element for x mod r (any integer x). */
static void make(fr *out, const mpz_t x)
{
    mpz_t t;
    mpz_init(t);
    mpz_mod(t, x, R);
    mpz_mul(t, t, RMONT);
    mpz_mod(t, t, R);
    mpz_to_limbs(out->v, t);
    mpz_clear(t);
}

static void make_ui(fr *out, unsigned long x)
{
    mpz_t t;
    mpz_init_set_ui(t, x);
    make(out, t);
    mpz_clear(t);
}

static void mpz_set_u64(mpz_t x, uint64_t u)
{
    limbs_to_mpz(x, (const uint64_t[4]){u, 0, 0, 0});
}

static void mpz_set_i64(mpz_t x, int64_t i)
{
    mpz_set_u64(x, i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i);
    if (i < 0)
        mpz_neg(x, x);
}

static void print_fr(const char *label, const fr *a)
{
    fprintf(stderr, "#   %s raw limbs %016llx %016llx %016llx %016llx\n", label,
            (unsigned long long)a->v[3], (unsigned long long)a->v[2],
            (unsigned long long)a->v[1], (unsigned long long)a->v[0]);
}

/* 1 if got is exactly the element for want mod r; else prints both. */
static int matches(const fr *got, const mpz_t want)
{
    fr w;
    make(&w, want);
    if (memcmp(got->v, w.v, sizeof w.v) == 0)
        return 1;
    gmp_fprintf(stderr, "# mismatch: want value %Zd\n", want);
    print_fr("got ", got);
    print_fr("want", &w);
    if (!raw_reduced(got))
        fprintf(stderr, "#   (got is not reduced: limbs >= r)\n");
    return 0;
}

#define CHECK_FR(got, want) assert_true(matches((got), (want)))
#define CHECK_SAME(x, y) assert_memory_equal((x)->v, (y)->v, sizeof(x)->v)

/* ---- inputs --------------------------------------------------------------- */

static uint64_t special_word(void)
{
    static const uint64_t w[] = {0,
                                 1,
                                 2,
                                 UINT64_MAX,
                                 UINT64_MAX - 1,
                                 1ULL << 63,
                                 (1ULL << 63) - 1,
                                 1ULL << 32,
                                 0xffffffffULL,
                                 FR_R0,
                                 FR_R1,
                                 FR_R2,
                                 FR_R3,
                                 FR_R0 - 1,
                                 FR_R3 - 1,
                                 FR_R3 + 1};
    uint64_t k = tu_below(&rng, sizeof w / sizeof w[0] + 4);
    return k < sizeof w / sizeof w[0] ? w[k] : tu_u64(&rng);
}

/* Random element: mostly uniform raw limbs, some with boundary words in the
 * limbs, some small integers and their negatives, some edge cases. */
static void rand_fr(fr *out)
{
    uint64_t kind = tu_below(&rng, 10);
    if (kind == 9) {
        *out = EDGES[tu_below(&rng, n_edges)];
        return;
    }
    if (kind == 8) {
        mpz_t x;
        mpz_init(x);
        mpz_set_u64(x, tu_u64(&rng) >> tu_below(&rng, 64));
        if (tu_below(&rng, 2))
            mpz_neg(x, x);
        make(out, x);
        mpz_clear(x);
        return;
    }
    do {
        for (int i = 0; i < 4; i++)
            out->v[i] = kind >= 6 ? special_word() : tu_u64(&rng);
        if (tu_below(&rng, 4))
            out->v[3] &= (1ULL << 62) - 1; /* r < 2^254: mostly accepted */
    } while (!raw_reduced(out));
}

/* Edge i for i < n_edges, then random elements. */
static void sample(fr *out, size_t i)
{
    if (i < n_edges)
        *out = EDGES[i];
    else
        rand_fr(out);
}

/* Arbitrary 256-bit words (not reduced). */
static void rand_limbs(uint64_t x[4])
{
    uint64_t kind = tu_below(&rng, 4);
    for (int i = 0; i < 4; i++)
        x[i] = kind == 0 ? special_word() : tu_u64(&rng);
}

static void add_edge_mpz(const mpz_t x)
{
    assert_true(n_edges < MAX_EDGES);
    make(&EDGES[n_edges++], x);
}

static void add_edge_raw(uint64_t v0, uint64_t v1, uint64_t v2, uint64_t v3)
{
    fr a = {{v0, v1, v2, v3}};
    assert_true(raw_reduced(&a));
    assert_true(n_edges < MAX_EDGES);
    EDGES[n_edges++] = a;
}

static int setup(void **state)
{
    (void)state;
    mpz_inits(R, RMONT, RINV, TWO256, NULL);
    assert_int_equal(mpz_set_str(R, R_DECIMAL, 10), 0);
    mpz_setbit(TWO256, 256);
    mpz_mod(RMONT, TWO256, R);
    assert_true(mpz_invert(RINV, RMONT, R));

    /* standard values */
    mpz_t x;
    mpz_init(x);
    static const long small[] = {0, 1, 2, 3, -1, -2, -3};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
        mpz_set_si(x, small[i]);
        add_edge_mpz(x);
    }
    static const unsigned bits[] = {32, 63, 64, 65, 127, 128, 129, 191, 192, 193, 252, 253};
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        mpz_set_ui(x, 0);
        mpz_setbit(x, bits[i]);
        add_edge_mpz(x); /* 2^k */
        mpz_sub_ui(x, x, 1);
        add_edge_mpz(x); /* 2^k - 1 */
    }
    mpz_sub_ui(x, R, 1);
    mpz_fdiv_q_2exp(x, x, 1);
    add_edge_mpz(x); /* (r-1)/2 */
    mpz_add_ui(x, x, 1);
    add_edge_mpz(x); /* (r+1)/2 */
    mpz_set_ui(x, 0);
    mpz_setbit(x, 64);
    mpz_sub(x, R, x);
    add_edge_mpz(x); /* r - 2^64 */
    mpz_clear(x);

    /* Montgomery limbs at word boundaries */
    add_edge_raw(1, 0, 0, 0);
    add_edge_raw(UINT64_MAX, 0, 0, 0);
    add_edge_raw(0, 1, 0, 0);
    add_edge_raw(UINT64_MAX, UINT64_MAX, 0, 0);
    add_edge_raw(0, 0, 1, 0);
    add_edge_raw(UINT64_MAX, UINT64_MAX, UINT64_MAX, 0);
    add_edge_raw(0, 0, 0, 1);
    add_edge_raw(0, 0, 0, 1ULL << 61);
    add_edge_raw(0, 0, 0, FR_R3);
    add_edge_raw(UINT64_MAX, UINT64_MAX, UINT64_MAX, FR_R3 - 1);
    add_edge_raw(FR_R0 - 1, FR_R1, FR_R2, FR_R3); /* raw r - 1 */
    add_edge_raw(FR_R0 - 2, FR_R1, FR_R2, FR_R3);
    add_edge_raw(FR_R0, FR_R1, FR_R2, FR_R3 - 1);
    add_edge_raw(0, FR_R1, FR_R2, FR_R3);
    add_edge_raw(FR_ONE0 - 1, FR_ONE1, FR_ONE2, FR_ONE3); /* raw one - 1 */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mpz_clears(R, RMONT, RINV, TWO256, NULL);
    return 0;
}

/* ---- generic drivers ------------------------------------------------------ */

typedef void (*binop_fn)(fr *, const fr *, const fr *);
typedef void (*binop_ref)(mpz_t, const mpz_t, const mpz_t);
typedef void (*unop_fn)(fr *, const fr *);
typedef void (*unop_ref)(mpz_t, const mpz_t);

/* f against g on every pair of edges and N_RANDOM random pairs, with the
 * output aliasing each input. */
static void check_binop(binop_fn f, binop_ref g)
{
    mpz_t va, vb, want;
    mpz_inits(va, vb, want, NULL);
    size_t total = n_edges * n_edges + N_RANDOM;
    for (size_t k = 0; k < total; k++) {
        fr a, b, o, x;
        if (k < n_edges * n_edges) {
            a = EDGES[k / n_edges];
            b = EDGES[k % n_edges];
        } else {
            rand_fr(&a);
            rand_fr(&b);
        }
        val(va, &a);
        val(vb, &b);
        g(want, va, vb);
        f(&o, &a, &b);
        CHECK_FR(&o, want);
        x = a;
        f(&x, &x, &b);
        CHECK_SAME(&x, &o);
        x = b;
        f(&x, &a, &x);
        CHECK_SAME(&x, &o);
        x = a;
        f(&o, &a, &a);
        f(&x, &x, &x);
        CHECK_SAME(&x, &o);
    }
    mpz_clears(va, vb, want, NULL);
}

static void check_unop(unop_fn f, unop_ref g)
{
    mpz_t va, want;
    mpz_inits(va, want, NULL);
    for (size_t k = 0; k < n_edges + N_RANDOM; k++) {
        fr a, o, x;
        sample(&a, k);
        val(va, &a);
        g(want, va);
        f(&o, &a);
        CHECK_FR(&o, want);
        x = a;
        f(&x, &x);
        CHECK_SAME(&x, &o);
    }
    mpz_clears(va, want, NULL);
}

static void ref_add(mpz_t o, const mpz_t a, const mpz_t b) { mpz_add(o, a, b); }
static void ref_sub(mpz_t o, const mpz_t a, const mpz_t b) { mpz_sub(o, a, b); }
static void ref_mul(mpz_t o, const mpz_t a, const mpz_t b) { mpz_mul(o, a, b); }
static void ref_neg(mpz_t o, const mpz_t a) { mpz_neg(o, a); }
static void ref_dbl(mpz_t o, const mpz_t a) { mpz_mul_2exp(o, a, 1); }
static void ref_sqr(mpz_t o, const mpz_t a) { mpz_mul(o, a, a); }
static void ref_inv(mpz_t o, const mpz_t a)
{
    if (mpz_sgn(a) == 0)
        mpz_set_ui(o, 0);
    else
        assert_true(mpz_invert(o, a, R));
}

/* The inline operations through plain functions, so their addresses can be
 * passed around. */
static void w_add(fr *o, const fr *a, const fr *b) { fr_add(o, a, b); }
static void w_sub(fr *o, const fr *a, const fr *b) { fr_sub(o, a, b); }
static void w_mul(fr *o, const fr *a, const fr *b) { fr_mul(o, a, b); }
static void w_add_portable(fr *o, const fr *a, const fr *b) { fr_add_portable(o, a, b); }
static void w_sub_portable(fr *o, const fr *a, const fr *b) { fr_sub_portable(o, a, b); }
static void w_mul_portable(fr *o, const fr *a, const fr *b) { fr_mul_portable(o, a, b); }
static void w_neg(fr *o, const fr *a) { fr_neg(o, a); }
static void w_dbl(fr *o, const fr *a) { fr_dbl(o, a); }
static void w_sqr(fr *o, const fr *a) { fr_sqr(o, a); }
static void w_sqr_portable(fr *o, const fr *a) { fr_sqr_portable(o, a); }

/* ---- tests ---------------------------------------------------------------- */

static void test_constants(void **state)
{
    (void)state;
    mpz_t m, x;
    mpz_inits(m, x, NULL);
    fr_modulus_mpz(m);
    assert_int_equal(mpz_cmp(m, R), 0);
    assert_int_equal(mpz_sizeinbase(R, 2), 254);

    /* -r^-1 mod 2^64 */
    assert_int_equal((uint64_t)(FR_R0 * FR_NINV), UINT64_MAX);

    fr a;
    fr_set_one(&a);
    mpz_set_ui(x, 1);
    CHECK_FR(&a, x);
    fr_set_zero(&a);
    mpz_set_ui(x, 0);
    CHECK_FR(&a, x);
    mpz_clears(m, x, NULL);
}

static void test_eq_is_zero(void **state)
{
    (void)state;
    fr z, a, b;
    fr_set_zero(&z);
    assert_true(fr_is_zero(&z));
    for (size_t k = 0; k < n_edges + N_RANDOM; k++) {
        sample(&a, k);
        b = a;
        assert_true(fr_eq(&a, &b));
        assert_int_equal(fr_is_zero(&a), a.v[0] == 0 && a.v[1] == 0 && a.v[2] == 0 &&
                                             a.v[3] == 0);
        /* differ in one limb */
        b.v[k % 4] ^= 1ULL << (k % 64);
        assert_false(fr_eq(&a, &b));
        rand_fr(&b);
        assert_int_equal(fr_eq(&a, &b), memcmp(a.v, b.v, sizeof a.v) == 0);
    }
}

static void test_add(void **state)
{
    (void)state;
    check_binop(w_add, ref_add);
    check_binop(w_add_portable, ref_add);
}

static void test_sub(void **state)
{
    (void)state;
    check_binop(w_sub, ref_sub);
    check_binop(w_sub_portable, ref_sub);
}

static void test_mul(void **state)
{
    (void)state;
    check_binop(w_mul, ref_mul);
    check_binop(w_mul_portable, ref_mul);
}

static void test_neg(void **state)
{
    (void)state;
    check_unop(w_neg, ref_neg);
}

static void test_dbl(void **state)
{
    (void)state;
    check_unop(w_dbl, ref_dbl);
}

static void test_sqr(void **state)
{
    (void)state;
    check_unop(w_sqr, ref_sqr);
    check_unop(w_sqr_portable, ref_sqr);
}

/* The dedicated squarings (assembly and C) at the edges of their carries
 * and reduction (tu_sqr_edges), against GMP and the products a * a. */
static void test_sqr_edges(void **state)
{
    (void)state;
    static const uint64_t r[4] = {FR_R0, FR_R1, FR_R2, FR_R3};
    uint64_t raw[128][4];
    const size_t n = tu_sqr_edges(raw, 128, r);
    assert_true(n >= 20);
    mpz_t va, want;
    mpz_inits(va, want, NULL);
    for (size_t k = 0; k < n; k++) {
        fr a, x, y;
        memcpy(a.v, raw[k], sizeof a.v);
        val(va, &a);
        mpz_mul(want, va, va);
        fr_sqr(&x, &a);
        CHECK_FR(&x, want);
        fr_sqr_portable(&y, &a);
        CHECK_SAME(&x, &y);
        fr_mul(&y, &a, &a);
        CHECK_SAME(&x, &y);
        fr_mul_portable(&y, &a, &a);
        CHECK_SAME(&x, &y);
        x = a;
        fr_sqr(&x, &x);
        CHECK_SAME(&x, &y);
    }
    printf("# %zu squaring edge inputs\n", n);
    mpz_clears(va, want, NULL);
}

/* The assembly (when built) and the portable C agree bit for bit. */
static void test_asm_matches_portable(void **state)
{
    (void)state;
    printf("# fr: %s arithmetic\n", FR_ASM ? "x86-64 ADX assembly" : "portable C");
    for (size_t k = 0; k < 10 * N_RANDOM; k++) {
        fr a, b, x, y;
        sample(&a, k % (n_edges + N_RANDOM));
        rand_fr(&b);
        fr_mul(&x, &a, &b);
        fr_mul_portable(&y, &a, &b);
        CHECK_SAME(&x, &y);
        fr_sqr(&x, &a);
        fr_mul_portable(&y, &a, &a);
        CHECK_SAME(&x, &y);
        fr_sqr_portable(&y, &a);
        CHECK_SAME(&x, &y);
        fr_add(&x, &a, &b);
        fr_add_portable(&y, &a, &b);
        CHECK_SAME(&x, &y);
        fr_sub(&x, &a, &b);
        fr_sub_portable(&y, &a, &b);
        CHECK_SAME(&x, &y);
        fr_sub(&x, &b, &a);
        fr_sub_portable(&y, &b, &a);
        CHECK_SAME(&x, &y);
    }
}

/* The inline operations called directly (not through a pointer), with the
 * aliasing visible to the compiler. */
static void test_inline_aliasing(void **state)
{
    (void)state;
    mpz_t va, vb, want;
    mpz_inits(va, vb, want, NULL);
    for (size_t k = 0; k < N_RANDOM; k++) {
        fr a, b, x;
        sample(&a, k);
        rand_fr(&b);
        val(va, &a);
        val(vb, &b);

        mpz_mul(want, va, vb);
        x = a;
        fr_mul(&x, &x, &b);
        CHECK_FR(&x, want);
        x = b;
        fr_mul(&x, &a, &x);
        CHECK_FR(&x, want);
        mpz_mul(want, va, va);
        x = a;
        fr_mul(&x, &x, &x);
        CHECK_FR(&x, want);
        x = a;
        fr_sqr(&x, &x);
        CHECK_FR(&x, want);

        mpz_add(want, va, vb);
        x = a;
        fr_add(&x, &x, &b);
        CHECK_FR(&x, want);
        x = b;
        fr_add(&x, &a, &x);
        CHECK_FR(&x, want);
        mpz_mul_2exp(want, va, 1);
        x = a;
        fr_add(&x, &x, &x);
        CHECK_FR(&x, want);
        x = a;
        fr_dbl(&x, &x);
        CHECK_FR(&x, want);

        mpz_sub(want, va, vb);
        x = a;
        fr_sub(&x, &x, &b);
        CHECK_FR(&x, want);
        x = b;
        fr_sub(&x, &a, &x);
        CHECK_FR(&x, want);
        x = a;
        fr_sub(&x, &x, &x);
        assert_true(fr_is_zero(&x));
        mpz_neg(want, va);
        x = a;
        fr_neg(&x, &x);
        CHECK_FR(&x, want);

        /* elements inside an array, indexed */
        fr arr[3] = {a, b, a};
        size_t i = k % 3, j = (k + 1) % 3;
        fr_mul(&arr[i], &arr[j], &arr[i]);
        mpz_mul(want, i == 1 ? vb : va, j == 1 ? vb : va);
        CHECK_FR(&arr[i], want);
    }
    mpz_clears(va, vb, want, NULL);
}

static void test_inv_var(void **state)
{
    (void)state;
    fr z, o;
    fr_set_zero(&z);
    fr_inv_var(&o, &z);
    assert_true(fr_is_zero(&o));
    fr_inv_var(&z, &z);
    assert_true(fr_is_zero(&z));
    check_unop(fr_inv_var, ref_inv);
}

static void check_batch(size_t n, int zero_permille, int in_place)
{
    fr *in = malloc((n ? n : 1) * sizeof *in);
    fr *out = malloc((n ? n : 1) * sizeof *out);
    fr *scratch = malloc((n ? n : 1) * sizeof *scratch);
    assert_non_null(in);
    assert_non_null(out);
    assert_non_null(scratch);
    mpz_t va, want;
    mpz_inits(va, want, NULL);
    for (size_t i = 0; i < n; i++) {
        if ((int)tu_below(&rng, 1000) < zero_permille)
            fr_set_zero(&in[i]);
        else
            rand_fr(&in[i]);
        memset(&scratch[i], 0xa5, sizeof scratch[i]);
    }
    fr *dst = in_place ? in : out;
    fr *orig = malloc((n ? n : 1) * sizeof *orig);
    assert_non_null(orig);
    memcpy(orig, in, n * sizeof *in);
    fr_batch_inv_var(dst, in, n, scratch);
    for (size_t i = 0; i < n; i++) {
        val(va, &orig[i]);
        ref_inv(want, va);
        CHECK_FR(&dst[i], want);
        if (!in_place)
            CHECK_SAME(&in[i], &orig[i]); /* input untouched */
    }
    mpz_clears(va, want, NULL);
    free(orig);
    free(in);
    free(out);
    free(scratch);
}

static void test_batch_inv_var(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 3, 7, 16, 100, 257, 1000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (int in_place = 0; in_place < 2; in_place++) {
            check_batch(sizes[s], 0, in_place);
            check_batch(sizes[s], 100, in_place);
            check_batch(sizes[s], 500, in_place);
            check_batch(sizes[s], 1000, in_place); /* all zero */
        }
    }
    /* zeros first and last */
    fr in[4], out[4], scratch[4];
    fr_set_zero(&in[0]);
    make_ui(&in[1], 2);
    make_ui(&in[2], 3);
    fr_set_zero(&in[3]);
    fr_batch_inv_var(out, in, 4, scratch);
    assert_true(fr_is_zero(&out[0]));
    assert_true(fr_is_zero(&out[3]));
    fr t;
    fr_mul(&t, &out[1], &in[1]);
    fr one;
    fr_set_one(&one);
    CHECK_SAME(&t, &one);
    fr_mul(&t, &out[2], &in[2]);
    CHECK_SAME(&t, &one);
}

static void check_pow(const fr *a, const uint64_t e[4])
{
    mpz_t va, ve, want;
    mpz_inits(va, ve, want, NULL);
    val(va, a);
    limbs_to_mpz(ve, e);
    mpz_powm(want, va, ve, R);
    fr o, x = *a;
    fr_pow(&o, a, e);
    CHECK_FR(&o, want);
    fr_pow(&x, &x, e);
    CHECK_SAME(&x, &o);
    mpz_clears(va, ve, want, NULL);
}

static void test_pow(void **state)
{
    (void)state;
    const uint64_t e0[4] = {0, 0, 0, 0};
    const uint64_t e1[4] = {1, 0, 0, 0};
    const uint64_t e2[4] = {2, 0, 0, 0};
    const uint64_t e17[4] = {17, 0, 0, 0};
    const uint64_t rm1[4] = {FR_R0 - 1, FR_R1, FR_R2, FR_R3};
    const uint64_t rm2[4] = {FR_R0 - 2, FR_R1, FR_R2, FR_R3};
    const uint64_t ones[4] = {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
    const uint64_t top[4] = {0, 0, 0, 1ULL << 63};
    const uint64_t *fixed[] = {e0, e1, e2, e17, rm1, rm2, ones, top};
    fr one, o;
    fr_set_one(&one);

    for (size_t k = 0; k < n_edges + 100; k++) {
        fr a;
        sample(&a, k);
        for (size_t j = 0; j < sizeof fixed / sizeof fixed[0]; j++)
            check_pow(&a, fixed[j]);
        /* a^0 = 1 (also for a = 0, as GMP has it); a^(r-1) = 1 for a != 0 */
        fr_pow(&o, &a, e0);
        CHECK_SAME(&o, &one);
        fr_pow(&o, &a, rm1);
        if (fr_is_zero(&a))
            assert_true(fr_is_zero(&o));
        else
            CHECK_SAME(&o, &one);
        /* a^(r-2) is the inverse */
        fr inv;
        fr_pow(&o, &a, rm2);
        fr_inv_var(&inv, &a);
        CHECK_SAME(&o, &inv);
    }
    for (size_t k = 0; k < 300; k++) {
        fr a;
        uint64_t e[4];
        rand_fr(&a);
        for (int i = 0; i < 4; i++)
            e[i] = tu_u64(&rng);
        check_pow(&a, e);
        rand_limbs(e);
        check_pow(&a, e);
    }
}

static void test_set_u64(void **state)
{
    (void)state;
    static const uint64_t fixed[] = {0, 1, 2, 0xffffffffULL, 1ULL << 32, 1ULL << 63,
                                     (1ULL << 63) - 1, UINT64_MAX - 1, UINT64_MAX};
    mpz_t want;
    mpz_init(want);
    for (size_t k = 0; k < N_RANDOM; k++) {
        uint64_t x = k < sizeof fixed / sizeof fixed[0] ? fixed[k]
                                                         : tu_u64(&rng) >> tu_below(&rng, 64);
        fr o;
        fr_set_u64(&o, x);
        mpz_set_u64(want, x);
        CHECK_FR(&o, want);
    }
    mpz_clear(want);
}

static void test_set_i64(void **state)
{
    (void)state;
    static const int64_t fixed[] = {0,         1,         -1,        2,         -2,
                                    INT64_MAX, INT64_MIN, INT64_MIN + 1, INT64_MAX - 1,
                                    INT32_MIN, INT32_MAX};
    mpz_t want;
    mpz_init(want);
    for (size_t k = 0; k < N_RANDOM; k++) {
        int64_t x = k < sizeof fixed / sizeof fixed[0]
                        ? fixed[k]
                        : (int64_t)(tu_u64(&rng) >> tu_below(&rng, 64));
        fr o;
        fr_set_i64(&o, x);
        mpz_set_i64(want, x);
        CHECK_FR(&o, want);
        /* negative x is r - |x| */
        if (x < 0) {
            fr p;
            fr_set_u64(&p, (uint64_t)0 - (uint64_t)x);
            fr_add(&p, &p, &o);
            assert_true(fr_is_zero(&p));
        }
    }
    mpz_clear(want);
}

static void check_from_mpz(const mpz_t x)
{
    mpz_t copy;
    mpz_init_set(copy, x);
    fr o;
    fr_from_mpz(&o, x);
    CHECK_FR(&o, x);
    assert_int_equal(mpz_cmp(copy, x), 0);
    mpz_clear(copy);
}

static void test_from_mpz(void **state)
{
    (void)state;
    mpz_t x;
    mpz_init(x);

    static const long small[] = {0, 1, -1, 2, -2};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
        mpz_set_si(x, small[i]);
        check_from_mpz(x);
    }
    /* multiples of r and neighbours, both signs */
    for (long k = -5; k <= 5; k++) {
        for (long d = -1; d <= 1; d++) {
            mpz_mul_si(x, R, k);
            if (d < 0)
                mpz_sub_ui(x, x, 1);
            else if (d > 0)
                mpz_add_ui(x, x, 1);
            check_from_mpz(x);
        }
    }
    /* powers of two up to well past 2^512, both signs */
    for (unsigned b = 0; b <= 1100; b += (b < 300 ? 1 : 37)) {
        mpz_set_ui(x, 0);
        mpz_setbit(x, b);
        check_from_mpz(x);
        mpz_sub_ui(x, x, 1);
        check_from_mpz(x);
        mpz_neg(x, x);
        check_from_mpz(x);
    }
    /* random sizes from 0 to 1200 bits, both signs */
    uint8_t buf[150];
    for (size_t k = 0; k < N_RANDOM; k++) {
        size_t len = tu_below(&rng, sizeof buf + 1);
        tu_bytes(&rng, buf, len);
        mpz_import(x, len, -1, 1, 0, 0, buf);
        if (tu_below(&rng, 2))
            mpz_neg(x, x);
        check_from_mpz(x);
    }
    mpz_clear(x);
}

static void test_to_mpz(void **state)
{
    (void)state;
    mpz_t got, want;
    mpz_inits(got, want, NULL);
    for (size_t k = 0; k < n_edges + N_RANDOM; k++) {
        fr a;
        sample(&a, k);
        val(want, &a);
        mpz_set_si(got, -12345); /* overwritten, not added to */
        fr_to_mpz(got, &a);
        assert_int_equal(mpz_cmp(got, want), 0);
        assert_true(mpz_sgn(got) >= 0 && mpz_cmp(got, R) < 0);
        /* and back */
        fr b;
        fr_from_mpz(&b, got);
        CHECK_SAME(&b, &a);
    }
    mpz_clears(got, want, NULL);
}

static void check_limbs(const uint64_t x[4])
{
    mpz_t vx, got;
    mpz_inits(vx, got, NULL);
    limbs_to_mpz(vx, x);
    fr o, y;
    fr_from_limbs(&o, x);
    CHECK_FR(&o, vx);
    /* output aliasing the input words */
    memcpy(y.v, x, sizeof y.v);
    fr_from_limbs(&y, y.v);
    CHECK_SAME(&y, &o);

    uint64_t back[4];
    fr_to_limbs(back, &o);
    limbs_to_mpz(got, back);
    mpz_mod(vx, vx, R);
    assert_int_equal(mpz_cmp(got, vx), 0); /* x mod r, so < r */
    fr_to_limbs(y.v, &y);                  /* aliasing */
    assert_memory_equal(y.v, back, sizeof back);
    mpz_clears(vx, got, NULL);
}

static void test_limbs(void **state)
{
    (void)state;
    uint64_t x[4];
    /* k*r - 1, k*r, k*r + 1 for every k with k*r + 1 < 2^256 */
    mpz_t m;
    mpz_init(m);
    for (unsigned long k = 0; k <= 6; k++) {
        for (int d = -1; d <= 1; d++) {
            mpz_mul_ui(m, R, k);
            if (d < 0 && k == 0)
                continue;
            if (d < 0)
                mpz_sub_ui(m, m, 1);
            if (d > 0)
                mpz_add_ui(m, m, 1);
            if (mpz_sizeinbase(m, 2) > 256)
                continue;
            mpz_to_limbs(x, m);
            check_limbs(x);
        }
    }
    mpz_clear(m);
    const uint64_t fixed[][4] = {
        {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX},
        {UINT64_MAX, 0, 0, 0},
        {0, 1, 0, 0},
        {UINT64_MAX, UINT64_MAX, 0, 0},
        {0, 0, 1, 0},
        {0, 0, 0, 1},
        {0, 0, 0, 1ULL << 61},
        {0, 0, 0, 1ULL << 63},
        {UINT64_MAX, UINT64_MAX, UINT64_MAX, 0},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check_limbs(fixed[i]);
    for (size_t k = 0; k < N_RANDOM; k++) {
        rand_limbs(x);
        check_limbs(x);
    }
    /* to_limbs on elements: the standard value */
    mpz_t want, got;
    mpz_inits(want, got, NULL);
    for (size_t k = 0; k < n_edges + N_RANDOM; k++) {
        fr a;
        sample(&a, k);
        fr_to_limbs(x, &a);
        val(want, &a);
        limbs_to_mpz(got, x);
        assert_int_equal(mpz_cmp(got, want), 0);
    }
    mpz_clears(want, got, NULL);
}

static void test_bytes_round_trip(void **state)
{
    (void)state;
    mpz_t want, got;
    mpz_inits(want, got, NULL);
    for (size_t k = 0; k < n_edges + N_RANDOM; k++) {
        fr a, b;
        uint8_t buf[FR_BYTES];
        sample(&a, k);
        fr_to_bytes(buf, &a);
        /* 32 bytes little-endian of the value */
        val(want, &a);
        mpz_import(got, FR_BYTES, -1, 1, 0, 0, buf);
        assert_int_equal(mpz_cmp(got, want), 0);
        memset(&b, 0x5a, sizeof b);
        assert_int_equal(fr_from_bytes(&b, buf), 1);
        CHECK_SAME(&b, &a);
    }
    mpz_clears(want, got, NULL);
}

static int decode_mpz(fr *out, const mpz_t x)
{
    uint8_t buf[FR_BYTES] = {0};
    size_t count = 0;
    assert_true(mpz_sizeinbase(x, 2) <= 256);
    mpz_export(buf, &count, -1, 1, 0, 0, x);
    memset(out, 0x5a, sizeof *out);
    return fr_from_bytes(out, buf);
}

static void test_from_bytes_rejects(void **state)
{
    (void)state;
    mpz_t x;
    mpz_init(x);
    fr o;

    /* r - 1 is the largest accepted value */
    mpz_sub_ui(x, R, 1);
    assert_int_equal(decode_mpz(&o, x), 1);
    CHECK_FR(&o, x);
    mpz_set_ui(x, 0);
    assert_int_equal(decode_mpz(&o, x), 1);
    assert_true(fr_is_zero(&o));

    /* r, r + 1, ..., 2^256 - 1 are rejected, leaving zero */
    static const unsigned long above[] = {0, 1, 2, 0xffffffffUL};
    for (size_t i = 0; i < sizeof above / sizeof above[0]; i++) {
        mpz_add_ui(x, R, above[i]);
        assert_int_equal(decode_mpz(&o, x), 0);
        assert_true(fr_is_zero(&o));
    }
    mpz_set_ui(x, 0);
    mpz_setbit(x, 256);
    mpz_sub_ui(x, x, 1);
    assert_int_equal(decode_mpz(&o, x), 0);
    assert_true(fr_is_zero(&o));
    mpz_set_ui(x, 0);
    mpz_setbit(x, 255);
    assert_int_equal(decode_mpz(&o, x), 0);
    mpz_set_ui(x, 0);
    mpz_setbit(x, 254);
    assert_int_equal(decode_mpz(&o, x), 0);
    /* r with only the lowest word changed: the comparison reaches word 0 */
    uint64_t w[4] = {FR_R0 - 1, FR_R1, FR_R2, FR_R3};
    limbs_to_mpz(x, w);
    assert_int_equal(decode_mpz(&o, x), 1);
    w[0] = FR_R0;
    limbs_to_mpz(x, w);
    assert_int_equal(decode_mpz(&o, x), 0);
    w[0] = 0;
    w[1] = FR_R1 + 1;
    limbs_to_mpz(x, w);
    assert_int_equal(decode_mpz(&o, x), 0);
    w[1] = FR_R1 - 1;
    w[0] = UINT64_MAX;
    limbs_to_mpz(x, w);
    assert_int_equal(decode_mpz(&o, x), 1);
    CHECK_FR(&o, x);

    /* random 256-bit strings: accepted exactly when below r */
    size_t accepted = 0, rejected = 0;
    for (size_t k = 0; k < N_RANDOM; k++) {
        uint8_t buf[FR_BYTES];
        tu_bytes(&rng, buf, sizeof buf);
        if (k % 3 == 0)
            buf[31] &= 0x3f; /* below 2^254: about 3/4 of these are < r */
        mpz_import(x, FR_BYTES, -1, 1, 0, 0, buf);
        memset(&o, 0x5a, sizeof o);
        int ok = fr_from_bytes(&o, buf);
        if (mpz_cmp(x, R) < 0) {
            assert_int_equal(ok, 1);
            CHECK_FR(&o, x);
            accepted++;
        } else {
            assert_int_equal(ok, 0);
            assert_true(fr_is_zero(&o));
            rejected++;
        }
    }
    assert_true(accepted > 100 && rejected > 100);
    mpz_clear(x);
}

static void check_wide(const uint8_t in[64])
{
    mpz_t x;
    mpz_init(x);
    mpz_import(x, 64, -1, 1, 0, 0, in); /* lo + hi * 2^256 */
    fr o;
    fr_from_wide(&o, in);
    CHECK_FR(&o, x);
    mpz_clear(x);
}

static void test_from_wide(void **state)
{
    (void)state;
    uint8_t in[64];
    memset(in, 0xff, sizeof in);
    check_wide(in);
    memset(in, 0, sizeof in);
    check_wide(in);
    in[32] = 1; /* 2^256 */
    check_wide(in);
    memset(in, 0xff, 32); /* 2^257 - 1 */
    check_wide(in);
    memset(in, 0, sizeof in);
    memset(in + 32, 0xff, 32); /* (2^256 - 1) * 2^256 */
    check_wide(in);
    /* lo = r, hi = r; lo = r - 1, hi = r - 1 */
    uint64_t r[4] = {FR_R0, FR_R1, FR_R2, FR_R3};
    for (int d = 0; d <= 1; d++) {
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 8; j++) {
                in[8 * i + j] = (uint8_t)(r[i] >> (8 * j));
                in[32 + 8 * i + j] = (uint8_t)(r[i] >> (8 * j));
            }
        }
        check_wide(in);
        r[0]--;
    }
    for (size_t k = 0; k < N_RANDOM; k++) {
        tu_bytes(&rng, in, sizeof in);
        if (k % 4 == 1)
            memset(in + 32, 0, 32);
        if (k % 4 == 2)
            memset(in, 0xff, 32);
        check_wide(in);
    }
}

static void test_laws(void **state)
{
    (void)state;
    fr one, zero;
    fr_set_one(&one);
    fr_set_zero(&zero);
    for (size_t k = 0; k < n_edges + N_RANDOM; k++) {
        fr a, b, c, x, y, t;
        sample(&a, k);
        rand_fr(&b);
        rand_fr(&c);

        fr_add(&x, &a, &b);
        fr_add(&y, &b, &a);
        CHECK_SAME(&x, &y);
        fr_mul(&x, &a, &b);
        fr_mul(&y, &b, &a);
        CHECK_SAME(&x, &y);

        fr_add(&t, &a, &b);
        fr_add(&x, &t, &c);
        fr_add(&t, &b, &c);
        fr_add(&y, &a, &t);
        CHECK_SAME(&x, &y);
        fr_mul(&t, &a, &b);
        fr_mul(&x, &t, &c);
        fr_mul(&t, &b, &c);
        fr_mul(&y, &a, &t);
        CHECK_SAME(&x, &y);

        fr_add(&t, &b, &c);
        fr_mul(&x, &a, &t);
        fr_mul(&t, &a, &b);
        fr_mul(&y, &a, &c);
        fr_add(&y, &t, &y);
        CHECK_SAME(&x, &y);

        fr_sub(&x, &a, &b); /* (a - b) + b = a */
        fr_add(&x, &x, &b);
        CHECK_SAME(&x, &a);
        fr_neg(&t, &b); /* a - b = a + (-b) */
        fr_add(&x, &a, &t);
        fr_sub(&y, &a, &b);
        CHECK_SAME(&x, &y);
        fr_neg(&x, &a); /* -(-a) = a, a + (-a) = 0 */
        fr_neg(&y, &x);
        CHECK_SAME(&y, &a);
        fr_add(&y, &a, &x);
        CHECK_SAME(&y, &zero);

        fr_add(&x, &a, &zero);
        CHECK_SAME(&x, &a);
        fr_mul(&x, &a, &one);
        CHECK_SAME(&x, &a);
        fr_mul(&x, &a, &zero);
        CHECK_SAME(&x, &zero);
        fr_dbl(&x, &a);
        fr_add(&y, &a, &a);
        CHECK_SAME(&x, &y);
        fr_sqr(&x, &a);
        fr_mul(&y, &a, &a);
        CHECK_SAME(&x, &y);

        fr_inv_var(&x, &a);
        fr_mul(&y, &a, &x);
        CHECK_SAME(&y, fr_is_zero(&a) ? &zero : &one);
        fr_inv_var(&y, &x); /* (a^-1)^-1 = a */
        CHECK_SAME(&y, &a);
    }
}

int main(void)
{
    tu_rng_init(&rng, tu_seed("test_fr"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_eq_is_zero),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_sub),
        cmocka_unit_test(test_mul),
        cmocka_unit_test(test_neg),
        cmocka_unit_test(test_dbl),
        cmocka_unit_test(test_sqr),
        cmocka_unit_test(test_sqr_edges),
        cmocka_unit_test(test_asm_matches_portable),
        cmocka_unit_test(test_inline_aliasing),
        cmocka_unit_test(test_inv_var),
        cmocka_unit_test(test_batch_inv_var),
        cmocka_unit_test(test_pow),
        cmocka_unit_test(test_set_u64),
        cmocka_unit_test(test_set_i64),
        cmocka_unit_test(test_from_mpz),
        cmocka_unit_test(test_to_mpz),
        cmocka_unit_test(test_limbs),
        cmocka_unit_test(test_bytes_round_trip),
        cmocka_unit_test(test_from_bytes_rejects),
        cmocka_unit_test(test_from_wide),
        cmocka_unit_test(test_laws),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
