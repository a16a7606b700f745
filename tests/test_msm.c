/* Tests of the multi-scalar multiplication g1_msm_var (gkr/msm.h).
 *
 * Two references: the naive sum of g1_mul(k_i, P_i) or g1_mul_var (small
 * n), and, for every n, points of known discrete logarithm P_i = t_i G,
 * where the sum is (sum k_i t_i) G: one field dot product and one g1_mul.  Scalars of every
 * shape the window choice depends on (full, small signed, bits, zeros,
 * single bit lengths, the sign boundary (r - 1) / 2), points with infinity,
 * repeats and negations, on 1, 2 and 3 threads, with scratch of exactly
 * g1_msm_scratch_bytes filled with garbage. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "g1_mul.h"
#include "msm.h"
#include "testutil.h"
#include "zkm_err.h"

static tu_rng rng;

typedef enum {
    K_FULL,    /* uniform in [0, r) */
    K_SMALL,   /* [-255, 255] */
    K_BITS,    /* {0, 1} */
    K_SIGNS,   /* {-1, 0, 1} */
    K_ZERO,    /* all zero */
    K_LENGTHS, /* +-(random of a random bit length 1..253) */
    K_EDGES,   /* (r +- 1) / 2, r - 1, 2^k, 2^k - 1, ... */
    K_SPARSE,  /* mostly zero, the rest full */
    K_KINDS
} scalar_kind;

static const char *const KIND_NAMES[K_KINDS] = {"full",    "small", "bits",  "signs",
                                                "zero",    "bit lengths", "edges", "sparse"};

/* (r - 1) / 2, the largest scalar read as positive */
static const uint64_t HALF_R[4] = {0xa1f0fac9f8000000ULL, 0x9419f4243cdcb848ULL,
                                   0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};

/* l = a random integer of exactly b bits (0 < b <= 256) */
static void random_bits(uint64_t l[4], unsigned b)
{
    for (int i = 0; i < 4; i++)
        l[i] = tu_u64(&rng);
    for (unsigned i = b; i < 256; i++)
        l[i / 64] &= ~(1ULL << (i % 64));
    l[(b - 1) / 64] |= 1ULL << ((b - 1) % 64);
}

static void scalar_of_kind(fr *k, scalar_kind kind)
{
    uint64_t l[4] = {0, 0, 0, 0};
    switch (kind) {
    case K_FULL:
        tu_fr(&rng, k);
        return;
    case K_SMALL:
        tu_fr_small(&rng, k, 255);
        return;
    case K_BITS:
        fr_set_u64(k, tu_below(&rng, 2));
        return;
    case K_SIGNS:
        tu_fr_small(&rng, k, 1);
        return;
    case K_ZERO:
        fr_set_zero(k);
        return;
    case K_LENGTHS:
        random_bits(l, 1 + (unsigned)tu_below(&rng, 253));
        fr_from_limbs(k, l);
        if (tu_below(&rng, 2))
            fr_neg(k, k);
        return;
    case K_EDGES: {
        fr one;
        fr_set_one(&one);
        switch (tu_below(&rng, 6)) {
        case 0: /* (r - 1) / 2: the largest read as positive */
            fr_from_limbs(k, HALF_R);
            break;
        case 1: /* (r + 1) / 2 = -(r - 1) / 2 */
            fr_from_limbs(k, HALF_R);
            fr_add(k, k, &one);
            break;
        case 2: /* r - 1 */
            fr_neg(k, &one);
            break;
        case 3: /* 2^j for a window boundary j */
        case 4: { /* 2^j - 1 */
            unsigned j = (unsigned)tu_below(&rng, 253);
            l[j / 64] = 1ULL << (j % 64);
            fr_from_limbs(k, l);
            if (tu_below(&rng, 2))
                fr_sub(k, k, &one);
            break;
        }
        default:
            fr_set_u64(k, 1);
        }
        if (tu_below(&rng, 4) == 0)
            fr_neg(k, k);
        return;
    }
    case K_SPARSE:
        if (tu_below(&rng, 10) == 0)
            tu_fr(&rng, k);
        else
            fr_set_zero(k);
        return;
    default:
        fail();
    }
}

/* n affine points with known logs t[i]: consecutive steps of a random
 * point from a random start, then some infinities, repeats and negations. */
static void make_points(g1_affine *pts, fr *t, size_t n)
{
    g1_jac g, q, cur;
    g1_affine ga;
    fr s;
    if (n == 0)
        return;
    g1_jac *jac = malloc(n * sizeof *jac);
    fq *scratch = malloc(n * sizeof *scratch);
    assert_non_null(jac);
    assert_non_null(scratch);
    g1_generator(&ga);
    g1_from_affine(&g, &ga);
    tu_fr(&rng, &t[0]);
    tu_fr(&rng, &s);
    g1_mul(&cur, &g, &t[0]);
    g1_mul(&q, &g, &s);
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            g1_add_var(&cur, &cur, &q);
            fr_add(&t[i], &t[i - 1], &s);
        }
        jac[i] = cur;
    }
    g1_batch_to_affine(pts, jac, n, scratch);
    for (size_t i = 0; i < n; i++) {
        size_t j = tu_below(&rng, n);
        switch (tu_below(&rng, 16)) {
        case 0:
            g1_affine_infinity(&pts[i]);
            fr_set_zero(&t[i]);
            break;
        case 1: /* repeat */
            pts[i] = pts[j];
            t[i] = t[j];
            break;
        case 2: /* negation */
            pts[i] = pts[j];
            fq_neg(&pts[i].y, &pts[i].y);
            fr_neg(&t[i], &t[j]);
            break;
        default:
            break;
        }
    }
    free(jac);
    free(scratch);
}

/* (sum k_i t_i) G */
static void log_reference(g1_jac *out, const fr *k, const fr *t, size_t n)
{
    fr acc, x;
    g1_affine ga;
    g1_jac g;
    fr_set_zero(&acc);
    for (size_t i = 0; i < n; i++) {
        fr_mul(&x, &k[i], &t[i]);
        fr_add(&acc, &acc, &x);
    }
    g1_generator(&ga);
    g1_from_affine(&g, &ga);
    g1_mul(out, &g, &acc);
}

/* How check_sum checks the log reference itself: not, or against the sum
 * of the k_i P_i by g1_mul and g1_add, or by the variable-time g1_mul_var
 * and g1_add_var. */
typedef enum { NAIVE_NONE, NAIVE_CT, NAIVE_VAR } naive_kind;

static void naive_reference(g1_jac *out, const g1_affine *pts, const fr *k, size_t n,
                            naive_kind naive)
{
    g1_set_infinity(out);
    for (size_t i = 0; i < n; i++) {
        g1_jac p, x;
        g1_from_affine(&p, &pts[i]);
        if (naive == NAIVE_VAR) {
            g1_mul_var(&x, &p, &k[i]);
            g1_add_var(out, out, &x);
        } else {
            g1_mul(&x, &p, &k[i]);
            g1_add(out, out, &x);
        }
    }
}

static void run_msm(g1_jac *out, const g1_affine *pts, const fr *k, size_t n, int threads)
{
    size_t bytes = g1_msm_scratch_bytes(n, threads);
    assert_true(bytes > 0 && bytes < ((size_t)1 << 32));
    void *scratch = zkm_alloc_array(bytes, 1, "scratch", NULL);
    assert_non_null(scratch);
    memset(scratch, 0xa5, bytes);
    memset(out, 0x5a, sizeof *out);
    g1_msm_var(out, pts, k, n, scratch, threads);
    free(scratch);
}

/* The MSM of the n points (logs t) and scalars on 0 to 3 threads against
 * the log reference, itself checked as naive says; what names the scalars
 * in a failure. */
static void check_sum(const g1_affine *pts, const fr *k, const fr *t, size_t n,
                      naive_kind naive, const char *what)
{
    g1_jac want, got;
    log_reference(&want, k, t, n);
    if (naive != NAIVE_NONE) {
        g1_jac slow;
        naive_reference(&slow, pts, k, n, naive);
        assert_true(g1_eq(&slow, &want));
    }
    for (int threads = 0; threads <= 3; threads++) {
        run_msm(&got, pts, k, n, threads);
        if (!g1_eq(&got, &want))
            fprintf(stderr, "# msm of %zu %s scalars on %d threads differs\n", n, what,
                    threads);
        assert_true(g1_eq(&got, &want));
    }
}

/* check_sum of n points and scalars of the kind. */
static void check_msm(size_t n, scalar_kind kind, int naive)
{
    size_t alloc = n ? n : 1;
    g1_affine *pts = malloc(alloc * sizeof *pts);
    fr *t = malloc(alloc * sizeof *t), *k = malloc(alloc * sizeof *k);
    assert_non_null(pts);
    assert_non_null(t);
    assert_non_null(k);
    make_points(pts, t, n);
    for (size_t i = 0; i < n; i++)
        scalar_of_kind(&k[i], kind);
    check_sum(pts, k, t, n, naive ? NAIVE_CT : NAIVE_NONE, KIND_NAMES[kind]);
    free(pts);
    free(t);
    free(k);
}

static void test_empty_and_tiny(void **state)
{
    (void)state;
    g1_jac out;
    run_msm(&out, NULL, NULL, 0, 1);
    assert_true(g1_is_infinity(&out));
    run_msm(&out, NULL, NULL, 0, 2);
    assert_true(g1_is_infinity(&out));
    for (size_t n = 1; n <= 5; n++)
        for (int kind = 0; kind < K_KINDS; kind++)
            for (int rep = 0; rep < 3; rep++)
                check_msm(n, (scalar_kind)kind, 1);
}

/* n = 1: k P for k at every bit length and both signs, against g1_mul. */
static void test_single_scalars(void **state)
{
    (void)state;
    g1_affine p;
    g1_jac pj, want, got;
    g1_hash_generators(&p, 1, "zkm/test/msm", 0);
    g1_from_affine(&pj, &p);
    for (unsigned b = 0; b <= 253; b++) {
        for (int neg = 0; neg < 2; neg++) {
            uint64_t l[4] = {0, 0, 0, 0};
            fr k;
            if (b > 0)
                random_bits(l, b);
            fr_from_limbs(&k, l);
            if (neg)
                fr_neg(&k, &k);
            g1_mul(&want, &pj, &k);
            run_msm(&got, &p, &k, 1, 1);
            assert_true(g1_eq(&got, &want));
        }
    }
}

static void test_small_sizes(void **state)
{
    (void)state;
    static const size_t sizes[] = {6, 7, 16, 31, 33, 64};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int kind = 0; kind < K_KINDS; kind++)
            check_msm(sizes[s], (scalar_kind)kind, sizes[s] <= 16);
}

/* Sizes around the point where the threads start, odd and even. */
static void test_threaded_sizes(void **state)
{
    (void)state;
    static const size_t sizes[] = {255, 256, 257, 301, 1000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int kind = 0; kind < K_KINDS; kind++)
            check_msm(sizes[s], (scalar_kind)kind, 0);
}

/* Large enough for wide windows (c above 8). */
static void test_large(void **state)
{
    (void)state;
    check_msm(4096, K_FULL, 0);
    check_msm(4097, K_SMALL, 0);
    check_msm(1 << 13, K_BITS, 0);
}

/* The same point many times, and a point with its negation: buckets meet
 * equal and opposite points (doubling and cancellation in the additions). */
static void test_repeated_points(void **state)
{
    (void)state;
    enum { N = 300 };
    g1_affine pts[N];
    fr k[N], t;
    g1_jac want, got, p;
    g1_hash_generators(&pts[0], 1, "zkm/test/msm", 1);
    for (int kind = 0; kind < K_KINDS; kind++) {
        fr_set_zero(&t);
        for (int i = 0; i < N; i++) {
            pts[i] = pts[0];
            if (i % 3 == 1)
                fq_neg(&pts[i].y, &pts[0].y);
            scalar_of_kind(&k[i], (scalar_kind)kind);
            if (i % 3 == 1)
                fr_sub(&t, &t, &k[i]);
            else
                fr_add(&t, &t, &k[i]);
        }
        g1_from_affine(&p, &pts[0]);
        g1_mul(&want, &p, &t);
        for (int threads = 1; threads <= 2; threads++) {
            run_msm(&got, pts, k, N, threads);
            assert_true(g1_eq(&got, &want));
        }
        /* equal scalars: every point lands in the same bucket */
        fr one;
        fr_set_u64(&one, 5);
        for (int i = 0; i < N; i++)
            k[i] = one;
        fr_set_zero(&t);
        for (int i = 0; i < N; i++) {
            if (i % 3 == 1)
                fr_sub(&t, &t, &one);
            else
                fr_add(&t, &t, &one);
        }
        g1_mul(&want, &p, &t);
        run_msm(&got, pts, k, N, 2);
        assert_true(g1_eq(&got, &want));
    }
}

/* Scalars for the endomorphism split (GLV) of full-size scalars: lambda
 * (k1 = 0, k2 = 1: the first half of the term skipped), -lambda,
 * lambda^2 = -lambda - 1, lambda +- small, multiples of lambda, values just
 * above 128 bits (where the split starts to pay) and around 2^128 and
 * (r - 1) / 2, mixed with full, small and zero scalars. */
static void glv_scalar(fr *k)
{
    static const uint64_t lambda[4] = {0x8b17ea66b99c90ddULL, 0x5bfc41088d8daaa7ULL,
                                       0xb3c4d79d41a91758ULL, 0};
    uint64_t l[4] = {0, 0, 0, 0};
    fr lam, s;
    fr_from_limbs(&lam, lambda);
    switch (tu_below(&rng, 10)) {
    case 0:
        *k = lam;
        break;
    case 1:
        fr_neg(k, &lam);
        break;
    case 2:
        fr_sqr(k, &lam);
        break;
    case 3: /* lambda + small */
        tu_fr_small(&rng, &s, 3);
        fr_add(k, &lam, &s);
        break;
    case 4: /* small * lambda */
        tu_fr_small(&rng, &s, 1000);
        fr_mul(k, &lam, &s);
        break;
    case 5: /* 129 to 140 bits */
        random_bits(l, 129 + (unsigned)tu_below(&rng, 12));
        fr_from_limbs(k, l);
        break;
    case 6: /* 2^128 +- small */
        l[2] = 1;
        fr_from_limbs(k, l);
        tu_fr_small(&rng, &s, 2);
        fr_add(k, k, &s);
        break;
    case 7: /* (r - 1) / 2 +- small: both signs of the largest magnitudes */
        fr_from_limbs(k, HALF_R);
        tu_fr_small(&rng, &s, 2);
        fr_add(k, k, &s);
        break;
    case 8:
        tu_fr_small(&rng, k, tu_below(&rng, 2) ? 1 : 255);
        break;
    default:
        tu_fr(&rng, k);
    }
    if (tu_below(&rng, 3) == 0)
        fr_neg(k, k);
}

static void test_glv_scalars(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 40, 300, 1500};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        g1_affine *pts = malloc(n * sizeof *pts);
        fr *t = malloc(n * sizeof *t), *k = malloc(n * sizeof *k);
        assert_non_null(pts);
        assert_non_null(t);
        assert_non_null(k);
        for (int rep = 0; rep < 3; rep++) {
            make_points(pts, t, n);
            for (size_t i = 0; i < n; i++)
                glv_scalar(&k[i]);
            check_sum(pts, k, t, n, n <= 40 ? NAIVE_VAR : NAIVE_NONE, "GLV");
        }
        free(pts);
        free(t);
        free(k);
    }
}

/* Buckets full of collisions: the points are a few P_j and their
 * negations (and infinity), the scalars a few values, so the affine rounds
 * meet P + P (doubling), P + (-P) (infinity), infinity + Q and sums that
 * collide again in later rounds, in batches large enough to be batched;
 * against the naive reference and the logs, on 0 to 3 threads. */
static void test_bucket_collisions(void **state)
{
    (void)state;
    enum { N = 1200, BASES = 4 };
    static g1_affine pts[N];
    static fr k[N], t[N];
    g1_affine base[BASES];
    fr tb[BASES];
    make_points(base, tb, BASES);
    for (int j = 0; j < BASES; j++)
        if (g1_affine_is_infinity(&base[j])) { /* make_points may leave one */
            g1_generator(&base[j]);
            fr_set_one(&tb[j]);
        }
    for (int shape = 0; shape < 4; shape++) {
        fr vals[4];
        for (int v = 0; v < 4; v++) {
            if (shape == 3)
                tu_fr(&rng, &vals[v]); /* full scalars: the GLV halves collide */
            else
                fr_set_u64(&vals[v], (uint64_t)(v + 1) << (20 * shape));
        }
        for (size_t i = 0; i < N; i++) {
            int j = (int)tu_below(&rng, shape == 0 ? 1 : BASES);
            pts[i] = base[j];
            t[i] = tb[j];
            switch (tu_below(&rng, 8)) {
            case 0:
            case 1:
            case 2: /* the negation */
                fq_neg(&pts[i].y, &pts[i].y);
                fr_neg(&t[i], &t[i]);
                break;
            case 3:
                g1_affine_infinity(&pts[i]);
                fr_set_zero(&t[i]);
                break;
            default:
                break;
            }
            k[i] = vals[tu_below(&rng, shape == 0 ? 1 : 4)];
        }
        check_sum(pts, k, t, N, NAIVE_VAR, "colliding");
    }
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The fastest of three runs on one thread. */
static double msm_seconds(const g1_affine *pts, const fr *k, size_t n)
{
    size_t bytes = g1_msm_scratch_bytes(n, 1);
    void *scratch = zkm_alloc_array(bytes, 1, "scratch", NULL);
    assert_non_null(scratch);
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        g1_jac out;
        double t0 = cpu_seconds();
        g1_msm_var(&out, pts, k, n, scratch, 1);
        double t = cpu_seconds() - t0;
        best = t < best ? t : best;
    }
    free(scratch);
    return best;
}

/* Small scalars, negative ones included (r - k), cost about one addition
 * per point: far below full scalars (about 30 times at this size; the
 * margin absorbs a noisy machine).  The only test of a cost, not a value. */
static void test_small_scalars_are_cheap(void **state)
{
    (void)state;
    enum { N = 2048 };
    static g1_affine pts[N];
    static fr t[N], k[N];
    make_points(pts, t, N);
    for (size_t i = 0; i < N; i++)
        scalar_of_kind(&k[i], K_FULL);
    double full = msm_seconds(pts, k, N);
    for (size_t i = 0; i < N; i++)
        scalar_of_kind(&k[i], K_SIGNS);
    double signs = msm_seconds(pts, k, N);
    for (size_t i = 0; i < N; i++)
        fr_set_i64(&k[i], (int64_t)tu_below(&rng, 256) - 128);
    double i8 = msm_seconds(pts, k, N);
    printf("# %d points, one thread: full %.2f ms, {-1, 0, 1} %.3f ms, 8-bit %.3f ms\n", N,
           1e3 * full, 1e3 * signs, 1e3 * i8);
    assert_true(signs * 8 < full);
    assert_true(i8 * 4 < full);
}

static void test_scratch_bytes(void **state)
{
    (void)state;
    size_t prev = 0;
    for (size_t n = 1; n < (1u << 20); n *= 2) {
        size_t b1 = g1_msm_scratch_bytes(n, 1), b2 = g1_msm_scratch_bytes(n, 2);
        assert_true(b1 >= prev);
        /* magnitudes, digits, sorted points (twice the points for the
         * endomorphism split), a copy for each of two threads: under 300
         * bytes a point on one thread, 500 on two, for large n */
        if (n >= 4096)
            assert_true(b1 < 300 * n && b2 < 500 * n);
        prev = b1;
    }
    assert_int_equal(g1_msm_scratch_bytes(10, 0), g1_msm_scratch_bytes(10, 1));
    assert_int_equal(g1_msm_scratch_bytes(10, -3), g1_msm_scratch_bytes(10, 1));
    assert_int_equal(g1_msm_scratch_bytes(SIZE_MAX / 16, 1), SIZE_MAX);
}

int main(void)
{
    tu_rng_init(&rng, tu_seed("test_msm"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_tiny),
        cmocka_unit_test(test_single_scalars),
        cmocka_unit_test(test_small_sizes),
        cmocka_unit_test(test_threaded_sizes),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_repeated_points),
        cmocka_unit_test(test_glv_scalars),
        cmocka_unit_test(test_bucket_collisions),
        cmocka_unit_test(test_small_scalars_are_cheap),
        cmocka_unit_test(test_scratch_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
