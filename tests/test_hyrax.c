/* Tests of the Hyrax commitments and the batched opening (gkr/hyrax.h).
 *
 * Completeness: random tables shorter than a row, one row, many rows, with
 * claims at random points and at points with Boolean coordinates, several
 * claims per table and several tables, accepted.  Soundness: a wrong claimed
 * value, any changed message element, any changed round point, another
 * table's commitment, a changed row commitment, a claim moved to another
 * table: rejected.  The built-in generator table equals its derivation,
 * and the scalar multiplications of g1_mul.h agree with g1_mul (g1_fixed_lin
 * with the sum of g1_mul's). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "g1_mul.h"
#include "hyrax.h"
#include "mle.h"
#include "testutil.h"

static tu_rng rng;

static void test_generator_table(void **state)
{
    (void)state;
    hyrax_gens g;
    hyrax_generators(&g);
    g1_affine *d = malloc(HYRAX_N_GENERATORS * sizeof *d);
    assert_non_null(d);
    g1_hash_generators(d, HYRAX_N_GENERATORS, "zkm/hyrax/G", 0);
    for (size_t i = 0; i < HYRAX_N_GENERATORS; i++)
        assert_true(g1_affine_eq(&d[i], &g.G[i]));
    g1_affine h, u;
    g1_hash_generators(&h, 1, "zkm/hyrax/H", 0);
    g1_hash_generators(&u, 1, "zkm/hyrax/U", 0);
    assert_true(g1_affine_eq(&h, g.H));
    assert_true(g1_affine_eq(&u, g.U));
    assert_false(g1_affine_eq(g.H, g.U));
    assert_false(g1_affine_eq(g.H, &g.G[0]));
    free(d);
}

/* g1_mul_var and g1_fixed_mul against g1_mul: edge scalars (0, 1, 2,
 * 15, 16, 17, 2^128 - 1, r - 1, r - 2) and random ones, full and 128-bit. */
static void test_scalar_mul(void **state)
{
    (void)state;
    g1_fixed_table *t = malloc(sizeof *t);
    assert_non_null(t);
    hyrax_gens g;
    hyrax_generators(&g);
    g1_fixed_init(t, g.H);
    g1_jac h;
    g1_from_affine(&h, g.H);
    for (int i = 0; i < 60; i++) {
        fr k;
        static const int64_t small[] = {0, 1, 2, 15, 16, 17, -1, -2};
        if (i < 8) {
            fr_set_i64(&k, small[i]);
        } else if (i == 8) {
            const uint64_t l[4] = {~(uint64_t)0, ~(uint64_t)0, 0, 0};
            fr_from_limbs(&k, l);
        } else {
            tu_fr(&rng, &k);
            if (i % 2) { /* 128 bits, as the inner-product challenges */
                uint64_t l[4];
                fr_to_limbs(l, &k);
                l[2] = l[3] = 0;
                fr_from_limbs(&k, l);
            }
        }
        g1_jac want, got;
        g1_mul(&want, &h, &k);
        g1_mul_var(&got, &h, &k);
        assert_true(g1_eq(&want, &got));
        g1_fixed_mul(&got, t, &k);
        assert_true(g1_eq(&want, &got));
    }
    free(t);
}

/* The scalar with limbs l (reduced mod r). */
static void fr_of_limbs(fr *k, uint64_t l0, uint64_t l1, uint64_t l2, uint64_t l3)
{
    const uint64_t l[4] = {l0, l1, l2, l3};
    fr_from_limbs(k, l);
}

/* A scalar at an edge of the 4-bit windows or their signed digits (c picks
 * which): 0, 1, 2, 8, 9, r - 1, r - 2, 16^w, 16^w - 1, 8 * 16^w, 2^252 - 1
 * (every nibble below r's top one 15), every nibble 8 (digits 8, no carry)
 * or 9 (a carry into every window), and random ones with most windows zero
 * or with the windows of one lane only. */
#define N_EDGE_KINDS 16
static void edge_scalar(fr *k, int c)
{
    static const int ws[] = {1, 7, 8, 15, 16, 31, 56, 63};
    const int w = ws[tu_below(&rng, 8)];
    uint64_t l[4] = {0, 0, 0, 0};
    switch (c) {
    case 0: case 1: case 2: case 3: case 4:
        fr_set_i64(k, (const int64_t[]){0, 1, 2, 8, 9}[c]);
        return;
    case 5: case 6:
        fr_set_i64(k, c == 5 ? -1 : -2);
        return;
    case 7: case 8: case 9: /* 16^w, 16^w - 1, 8 * 16^w */
        l[w / 16] = (uint64_t)(c == 9 ? 8 : 1) << (4 * (w % 16));
        if (c == 8)
            for (int i = 0; i < 4; i++) /* subtract 1: borrow through zero limbs */
                if (l[i]-- != 0)
                    break;
        fr_from_limbs(k, l);
        return;
    case 10:
        fr_of_limbs(k, ~0ULL, ~0ULL, ~0ULL, 0x0fffffffffffffffULL);
        return;
    case 11:
        fr_of_limbs(k, 0x8888888888888888ULL, 0x8888888888888888ULL, 0x8888888888888888ULL,
                    0x0888888888888888ULL);
        return;
    case 12:
        fr_of_limbs(k, 0x9999999999999999ULL, 0x9999999999999999ULL, 0x9999999999999999ULL,
                    0x0999999999999999ULL);
        return;
    case 13: case 14: { /* random nibbles in a few windows, or in windows = j mod 8 */
        const uint64_t j = tu_below(&rng, 8);
        for (int v = 0; v < 63; v++) {
            const int keep = c == 13 ? tu_below(&rng, 8) == 0 : (uint64_t)v % 8 == j;
            if (keep)
                l[v / 16] |= tu_below(&rng, 16) << (4 * (v % 16));
        }
        fr_from_limbs(k, l);
        return;
    }
    default:
        tu_fr(&rng, k);
        return;
    }
}

/* g1_fixed_lin over the tables ts[idx[i]] against the sum of g1_mul's of
 * their points pj[idx[i]]; returns whether the sum is infinity. */
static int check_lin(g1_fixed_table *const *ts, const g1_jac *pj, const size_t *idx,
                     const fr *k, size_t n)
{
    const g1_fixed_table *t[8];
    g1_jac want, term, got;
    assert_true(n <= 8);
    g1_set_infinity(&want);
    for (size_t i = 0; i < n; i++) {
        t[i] = ts[idx[i]];
        g1_mul(&term, &pj[idx[i]], &k[i]);
        g1_add(&want, &want, &term);
    }
    memset(&got, 0xa5, sizeof got);
    g1_fixed_lin(&got, t, k, n);
    assert_true(g1_eq(&want, &got));
    assert_int_equal(g1_is_infinity(&got), g1_is_infinity(&want));
    return g1_is_infinity(&got);
}

/* g1_fixed_lin against g1_mul for n = 0..6 distinct bases in random order
 * with random and edge scalars, every scalar zero, and a base repeated:
 * k and r - k (infinity), equal scalars (a lane's sum meets its own entry:
 * 3 * 16^j twice), both among other bases. */
static void test_fixed_lin(void **state)
{
    (void)state;
    enum { NB = 6 };
    g1_affine p[NB];
    g1_jac pj[NB];
    g1_fixed_table *ts[NB];
    g1_hash_generators(p, NB, "zkm/test/fixed_lin", 0);
    for (size_t b = 0; b < NB; b++) {
        ts[b] = malloc(sizeof *ts[b]);
        assert_non_null(ts[b]);
        g1_fixed_init(ts[b], &p[b]);
        g1_from_affine(&pj[b], &p[b]);
    }
    size_t idx[8];
    fr k[8];
    for (size_t n = 0; n <= NB; n++) {
        for (int trial = 0; trial < 12; trial++) {
            for (size_t i = 0; i < n; i++) { /* distinct bases, shuffled */
                idx[i] = i;
                size_t j = (size_t)tu_below(&rng, i + 1);
                idx[i] = idx[j];
                idx[j] = i;
            }
            for (size_t i = 0; i < n; i++) {
                if (trial < 4)
                    tu_fr(&rng, &k[i]);
                else
                    edge_scalar(&k[i], (int)tu_below(&rng, N_EDGE_KINDS));
            }
            check_lin(ts, pj, idx, k, n);
        }
        for (size_t i = 0; i < n; i++) /* every scalar zero */
            fr_set_zero(&k[i]);
        assert_true(check_lin(ts, pj, idx, k, n));
        for (int c = 0; c < N_EDGE_KINDS && n > 0; c++) { /* every edge in every position */
            for (size_t i = 0; i < n; i++)
                edge_scalar(&k[i], (c + (int)i) % N_EDGE_KINDS);
            check_lin(ts, pj, idx, k, n);
        }
    }
    /* a base repeated: {b, b} and {b, c, b, d} */
    for (int trial = 0; trial < 2 * N_EDGE_KINDS; trial++) {
        const size_t b = (size_t)tu_below(&rng, NB), c = (b + 1) % NB, d = (b + 2) % NB;
        if (trial == 0) { /* 3 * 16^5: only lane 5, one window */
            fr_of_limbs(&k[0], (uint64_t)3 << 20, 0, 0, 0);
        } else {
            edge_scalar(&k[0], trial % N_EDGE_KINDS);
        }
        fr_neg(&k[1], &k[0]);
        idx[0] = idx[1] = b;
        assert_true(check_lin(ts, pj, idx, k, 2));
        k[1] = k[0];
        check_lin(ts, pj, idx, k, 2);
        /* b, c, b, d with k, m, -k or k, m, k, m' */
        idx[1] = c;
        idx[2] = b;
        idx[3] = d;
        edge_scalar(&k[1], (int)tu_below(&rng, N_EDGE_KINDS));
        fr_neg(&k[2], &k[0]);
        fr_set_zero(&k[3]);
        check_lin(ts, pj, idx, k, 4);
        k[2] = k[0];
        tu_fr(&rng, &k[3]);
        check_lin(ts, pj, idx, k, 4);
    }
    for (size_t b = 0; b < NB; b++)
        free(ts[b]);
}

/* A set of committed tables with claims on them, and the proof. */
typedef struct {
    size_t n_tables, n_claims;
    uint32_t b;
    hyrax_com com[4];
    fr *values[4], *blinds[4];
    hyrax_claim claims[16];
    fr points[16][24];
    fr_vec msgs;
    g1_vec pts;
} setup;

static void setup_free(setup *s)
{
    for (size_t t = 0; t < s->n_tables; t++) {
        hyrax_com_free(&s->com[t]);
        free(s->values[t]);
        free(s->blinds[t]);
    }
    fr_vec_free(&s->msgs);
    g1_vec_free(&s->pts);
    memset(s, 0, sizeof *s);
}

/* Tables of 2^nv[t] entries (small values when small_vals: the MSM's fast
 * path), claims_per[t] claims each; boolean_hi: a claim's top coordinates
 * are 0/1 (as GKR's block views make them). */
static void build(setup *s, uint32_t b, size_t n_tables, const uint32_t *nv,
                  const size_t *claims_per, int small_vals, int boolean_hi, int threads)
{
    memset(s, 0, sizeof *s);
    s->b = b;
    s->n_tables = n_tables;
    for (size_t t = 0; t < n_tables; t++) {
        size_t len = (size_t)1 << nv[t], rows = hyrax_rows(nv[t], b);
        s->values[t] = malloc(len * sizeof(fr));
        s->blinds[t] = malloc(rows * sizeof(fr));
        assert_non_null(s->values[t]);
        assert_non_null(s->blinds[t]);
        for (size_t i = 0; i < len; i++) {
            if (small_vals)
                tu_fr_small(&rng, &s->values[t][i], 127);
            else
                tu_fr(&rng, &s->values[t][i]);
        }
        hyrax_random_blinds(s->blinds[t], rows);
        assert_int_equal(hyrax_commit(&s->com[t], s->values[t], nv[t], b, s->blinds[t], threads,
                                      NULL),
                         ZKM_OK);
        assert_int_equal(s->com[t].n_rows, rows);
        fr *scratch = malloc(len * sizeof(fr));
        assert_non_null(scratch);
        for (size_t k = 0; k < claims_per[t]; k++) {
            size_t c = s->n_claims++;
            assert_true(c < 16);
            for (uint32_t i = 0; i < nv[t]; i++) {
                if (boolean_hi && i + 2 >= nv[t])
                    (tu_below(&rng, 2) ? fr_set_one : fr_set_zero)(&s->points[c][i]);
                else
                    tu_fr(&rng, &s->points[c][i]);
            }
            s->claims[c].table = (uint32_t)t;
            s->claims[c].point = s->points[c];
            mle_eval(&s->claims[c].value, s->values[t], nv[t], s->points[c], scratch);
        }
        free(scratch);
    }
}

static void tables_of(const setup *s, hyrax_table *ht, const hyrax_com **coms)
{
    for (size_t t = 0; t < s->n_tables; t++) {
        ht[t] = (hyrax_table){.com = &s->com[t], .values = s->values[t], .blinds = s->blinds[t]};
        coms[t] = &s->com[t];
    }
}

static void prove(setup *s, int threads)
{
    hyrax_table ht[4];
    const hyrax_com *coms[4];
    tables_of(s, ht, coms);
    transcript tr;
    tr_init(&tr, "test");
    assert_int_equal(hyrax_open_prove(&tr, ht, s->n_tables, s->claims, s->n_claims, &s->msgs,
                                      &s->pts, threads, NULL),
                     ZKM_OK);
}

/* Verify s's proof (with its claims and commitments as they are now). */
static zkm_status verify(const setup *s, int threads, zkm_err *e)
{
    hyrax_table ht[4];
    const hyrax_com *coms[4];
    tables_of(s, ht, coms);
    transcript tr;
    tr_init(&tr, "test");
    fr_cursor fc = {.v = s->msgs.v, .n = s->msgs.n};
    g1_cursor gc = {.v = s->pts.v, .n = s->pts.n};
    zkm_status st = hyrax_open_verify(&tr, coms, s->n_tables, s->claims, s->n_claims, &fc, &gc,
                                      threads, e);
    if (st == ZKM_OK && (fc.pos != fc.n || gc.pos != gc.n))
        return ZKM_EFORMAT; /* the caller's check: everything read */
    return st;
}

static void test_complete(void **state)
{
    (void)state;
    /* shorter than a row, exactly a row, several rows, mixed; b from 1 */
    static const struct {
        uint32_t b;
        size_t n;
        uint32_t nv[4];
        size_t per[4];
        int small, boolean;
    } cases[] = {
        {3, 1, {2}, {1}, 0, 0},          {3, 1, {3}, {1}, 0, 0},
        {3, 1, {7}, {3}, 0, 0},          {1, 1, {4}, {2}, 1, 0},
        {4, 3, {2, 4, 9}, {2, 1, 3}, 1, 1}, {5, 4, {0, 5, 8, 10}, {1, 2, 2, 4}, 1, 0},
        {6, 2, {11, 6}, {2, 2}, 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int threads = 1; threads <= 2; threads++) {
            setup s;
            build(&s, cases[i].b, cases[i].n, cases[i].nv, cases[i].per, cases[i].small,
                  cases[i].boolean, threads);
            prove(&s, threads);
            zkm_err e = {0};
            zkm_status st = verify(&s, threads, &e);
            if (st != ZKM_OK)
                print_error("case %zu threads %d: %s\n", i, threads, e.msg);
            assert_int_equal(st, ZKM_OK);
            /* proof size: 2b round points; sum-check 2b + 2 finals, whatever
             * the number of claims */
            assert_int_equal(s.pts.n, 2 * (size_t)cases[i].b);
            assert_int_equal(s.msgs.n, 2 * (size_t)cases[i].b + 2);
            setup_free(&s);
        }
    }
}

/* Every way of changing the proof or the statement is rejected. */
static void test_sound(void **state)
{
    (void)state;
    const uint32_t nv[3] = {3, 6, 9};
    const size_t per[3] = {1, 2, 2};
    setup s;
    build(&s, 4, 3, nv, per, 1, 0, 1);
    prove(&s, 1);
    assert_int_equal(verify(&s, 1, NULL), ZKM_OK);
    fr one;
    fr_set_one(&one);
    /* a claimed value off by one */
    for (size_t k = 0; k < s.n_claims; k++) {
        fr_add(&s.claims[k].value, &s.claims[k].value, &one);
        assert_int_equal(verify(&s, 1, NULL), ZKM_EREJECT);
        fr_sub(&s.claims[k].value, &s.claims[k].value, &one);
    }
    /* any message element */
    for (size_t i = 0; i < s.msgs.n; i++) {
        fr_add(&s.msgs.v[i], &s.msgs.v[i], &one);
        assert_int_equal(verify(&s, 1, NULL), ZKM_EREJECT);
        fr_sub(&s.msgs.v[i], &s.msgs.v[i], &one);
    }
    /* any round point: replaced by another valid point */
    hyrax_gens g;
    hyrax_generators(&g);
    for (size_t i = 0; i < s.pts.n; i++) {
        g1_affine keep = s.pts.v[i];
        s.pts.v[i] = g.G[i];
        assert_int_equal(verify(&s, 1, NULL), ZKM_EREJECT);
        s.pts.v[i] = keep;
    }
    /* a row commitment changed; tables' commitments swapped */
    for (size_t t = 0; t < s.n_tables; t++) {
        g1_affine keep = s.com[t].rows[0];
        s.com[t].rows[0] = *g.U;
        assert_int_equal(verify(&s, 1, NULL), ZKM_EREJECT);
        s.com[t].rows[0] = keep;
    }
    /* a claim moved to a table of the same size: the last table recommitted
     * to other values */
    {
        hyrax_com other;
        fr *vals = malloc(((size_t)1 << 9) * sizeof(fr));
        assert_non_null(vals);
        for (size_t i = 0; i < ((size_t)1 << 9); i++)
            tu_fr_small(&rng, &vals[i], 127);
        assert_int_equal(hyrax_commit(&other, vals, 9, 4, s.blinds[2], 1, NULL), ZKM_OK);
        hyrax_com keep = s.com[2];
        s.com[2] = other;
        assert_int_equal(verify(&s, 1, NULL), ZKM_EREJECT);
        s.com[2] = keep;
        hyrax_com_free(&other);
        free(vals);
    }
    /* messages missing at the end, or extra */
    s.msgs.n--;
    assert_int_equal(verify(&s, 1, NULL), ZKM_EREJECT);
    s.msgs.n++;
    s.pts.n--;
    assert_int_equal(verify(&s, 1, NULL), ZKM_EREJECT);
    s.pts.n++;
    assert_int_equal(verify(&s, 1, NULL), ZKM_OK);
    setup_free(&s);
}

/* Blinding: the same tables committed twice give different rows, and two
 * openings of the same claims differ. */
static void test_blinding(void **state)
{
    (void)state;
    const uint32_t nv[1] = {6};
    const size_t per[1] = {1};
    setup a;
    build(&a, 3, 1, nv, per, 1, 0, 1);
    hyrax_com again;
    fr *bl = malloc(a.com[0].n_rows * sizeof(fr));
    assert_non_null(bl);
    hyrax_random_blinds(bl, a.com[0].n_rows);
    assert_int_equal(hyrax_commit(&again, a.values[0], 6, 3, bl, 1, NULL), ZKM_OK);
    for (size_t i = 0; i < again.n_rows; i++)
        assert_false(g1_affine_eq(&again.rows[i], &a.com[0].rows[i]));
    hyrax_com_free(&again);
    free(bl);
    prove(&a, 1);
    fr_vec m1 = a.msgs;
    g1_vec p1 = a.pts;
    memset(&a.msgs, 0, sizeof a.msgs);
    memset(&a.pts, 0, sizeof a.pts);
    prove(&a, 1);
    assert_false(g1_affine_eq(&p1.v[0], &a.pts.v[0]));
    fr_vec_free(&m1);
    g1_vec_free(&p1);
    setup_free(&a);
}

static int setup_rng(void **state)
{
    (void)state;
    tu_rng_init(&rng, tu_seed("test_hyrax"));
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generator_table),
        cmocka_unit_test(test_scalar_mul),
        cmocka_unit_test(test_fixed_lin),
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_sound),
        cmocka_unit_test(test_blinding),
    };
    return cmocka_run_group_tests(tests, setup_rng, NULL);
}
