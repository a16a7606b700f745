/* GKR with committed input layers (circuit.h GKR_INPUT_COMMITTED, gkr.h):
 * random circuits of every kind and the advice circuit of testutil.h, with
 * their input layers committed, some in the proof and some from outside.
 * Completeness at several matrix widths and thread counts; soundness: every
 * byte of the opening's sections and of the sent commitments changed,
 * another external commitment, a changed output, a missing commitment. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gkr.h"
#include "hyrax.h"
#include "mle.h"
#include "sumcheck.h"
#include "zk.h"
#include "testutil.h"

static tu_rng rng;

/* A circuit with values and, for its external committed layers, their
 * commitments and blinds. */
typedef struct {
    gkr_circuit c;
    fr **vals;
    hyrax_com *com;  /* n_layers */
    fr **blinds;     /* n_layers */
} cfx;

static void cfx_free(cfx *f)
{
    for (uint32_t i = 0; i < f->c.n_layers; i++) {
        hyrax_com_free(&f->com[i]);
        free(f->blinds[i]);
    }
    free(f->com);
    free(f->blinds);
    gkr_values_free(&f->c, f->vals);
    tu_inputs_free(&f->c, f->vals);
    gkr_circuit_free(&f->c);
}

/* Commit every input layer: layer i external when (i + parity) is odd,
 * parity 2: none external (every commitment in the proof); parity 3: the
 * layers of odd index stay public, the others are committed in the proof. */
static void commit_inputs(cfx *f, uint32_t col_vars, unsigned parity)
{
    f->c.commit_col_vars = col_vars;
    f->com = calloc(f->c.n_layers, sizeof *f->com);
    f->blinds = calloc(f->c.n_layers, sizeof *f->blinds);
    assert_non_null(f->com);
    assert_non_null(f->blinds);
    for (uint32_t i = 0; i < f->c.n_layers; i++) {
        gkr_layer *l = &f->c.layers[i];
        if (l->kind != GKR_INPUT)
            continue;
        const int ext = parity < 2 && ((i + parity) & 1) != 0;
        if (parity == 3 && (i & 1))
            continue;
        assert_int_equal(gkr_layer_committed(l, l->nvars, ext, NULL), ZKM_OK);
        if (!ext)
            continue;
        const size_t rows = hyrax_rows(l->nvars, col_vars);
        f->blinds[i] = malloc(rows * sizeof(fr));
        assert_non_null(f->blinds[i]);
        hyrax_random_blinds(f->blinds[i], rows);
        assert_int_equal(hyrax_commit(&f->com[i], f->vals[i], l->nvars, col_vars, f->blinds[i],
                                      1, NULL),
                         ZKM_OK);
    }
}

static const hyrax_com **com_ptrs(const cfx *f)
{
    const hyrax_com **p = calloc(f->c.n_layers, sizeof *p);
    assert_non_null(p);
    for (uint32_t i = 0; i < f->c.n_layers; i++)
        if (f->com[i].rows)
            p[i] = &f->com[i];
    return p;
}

/* Zero knowledge in every proof and verification when set. */
static int zk_mode;

/* Set up and tear down zero knowledge for one test. */
static int zk_on(void **state)
{
    (void)state;
    zk_mode = 1;
    return 0;
}

static int zk_off(void **state)
{
    (void)state;
    zk_mode = 0;
    return 0;
}

static void prove_h(const cfx *f, int threads, int hiding, uint8_t **proof, size_t *len)
{
    const hyrax_com **p = com_ptrs(f);
    gkr_prove_opts o = {.coms = p, .blinds = (const fr *const *)f->blinds, .threads = threads,
                        .hiding = hiding, .zk = zk_mode};
    zkm_err e = {0};
    zkm_status st = gkr_prove_ex(&f->c, f->vals, &o, proof, len, NULL, &e);
    if (st)
        fail_msg("prove: %s", e.msg);
    free(p);
}

static void prove(const cfx *f, int threads, uint8_t **proof, size_t *len)
{
    prove_h(f, threads, threads == 2, proof, len); /* both ways */
}

static zkm_status verify(const cfx *f, int threads, const uint8_t *proof, size_t len, zkm_err *e)
{
    const hyrax_com **p = com_ptrs(f);
    gkr_verify_opts o = {.coms = p, .threads = threads, .zk = zk_mode};
    zkm_status st = gkr_verify_ex(&f->c, f->vals, proof, len, NULL, NULL, &o, e);
    free(p);
    return st;
}

static void random_cfx(cfx *f, uint32_t col_vars, unsigned parity)
{
    memset(f, 0, sizeof *f);
    tu_random_circuit(&rng, &f->c, &f->vals, 4, 6, TU_KINDS_ALL);
    assert_int_equal(gkr_eval(&f->c, f->vals, NULL), ZKM_OK);
    commit_inputs(f, col_vars, parity);
}

/* Prove and verify random circuits at matrix widths 1, 3, ... b_max,
 * parities 0 .. parity_max (commit_inputs) and 1 and 2 threads; in zero
 * knowledge (zk_mode) a proof must also fail as one in the clear. */
static void complete(uint32_t b_max, unsigned parity_max)
{
    for (uint32_t b = 1; b <= b_max; b += 2)
        for (unsigned parity = 0; parity <= parity_max; parity++)
            for (int threads = 1; threads <= 2; threads++) {
                cfx f;
                random_cfx(&f, b, parity);
                uint8_t *proof;
                size_t len;
                prove(&f, threads, &proof, &len);
                zkm_err e = {0};
                zkm_status st = verify(&f, threads, proof, len, &e);
                if (st)
                    fail_msg("%sb %u parity %u threads %d: %s", zk_mode ? "zk: " : "", b,
                             parity, threads, e.msg);
                if (zk_mode) {
                    zk_mode = 0;
                    assert_int_equal(verify(&f, threads, proof, len, NULL), ZKM_EREJECT);
                    zk_mode = 1;
                }
                free(proof);
                cfx_free(&f);
            }
}

static void test_complete(void **state)
{
    (void)state;
    complete(5, 1);
}

/* The advice circuit: booleanity, recomposition and zero layers over
 * committed bits (as layers/ builds its range checks). */
static void test_advice_committed(void **state)
{
    (void)state;
    cfx f;
    memset(&f, 0, sizeof f);
    tu_advice_circuit(&rng, &f.c, &f.vals, 4, 1);
    assert_int_equal(gkr_eval(&f.c, f.vals, NULL), ZKM_OK);
    commit_inputs(&f, 3, 0);
    uint8_t *proof;
    size_t len;
    prove(&f, 1, &proof, &len);
    assert_int_equal(verify(&f, 1, proof, len, NULL), ZKM_OK);
    /* a bit that is not a bit: the booleanity layer is no longer zero and
     * the prover refuses before committing anything */
    fr two;
    fr_set_u64(&two, 2);
    f.vals[TU_ADV_BITS][0] = two;
    gkr_values_free(&f.c, f.vals);
    assert_int_equal(gkr_eval(&f.c, f.vals, NULL), ZKM_OK);
    uint8_t *bad = NULL;
    size_t blen = 0;
    const hyrax_com **p = com_ptrs(&f);
    gkr_prove_opts o = {.coms = p, .blinds = (const fr *const *)f.blinds};
    assert_int_equal(gkr_prove_ex(&f.c, f.vals, &o, &bad, &blen, NULL, NULL), ZKM_EINVAL);
    free(p);
    free(bad);
    free(proof);
    cfx_free(&f);
}

/* Every byte of the sections that carry commitments and the opening, and
 * a sample of the rest, changed: never accepted. */
static void test_sound(void **state)
{
    (void)state;
    cfx f;
    random_cfx(&f, 2, zk_mode ? 3 : 0);
    uint8_t *proof;
    size_t len;
    prove(&f, 1, &proof, &len);
    assert_int_equal(verify(&f, 1, proof, len, NULL), ZKM_OK);
    /* find the sections: commitments (points) and the opening (tags past
     * the layers') */
    gkr_proof P;
    assert_int_equal(gkr_proof_decode(&P, proof, len, NULL), ZKM_OK);
    size_t off = GKR_PROOF_HEADER_BYTES, n_flips = 0, n_points = 0;
    for (uint32_t s = 0; s < P.n_sections; s++) {
        const size_t bytes = gkr_section_bytes(&P.sections[s]);
        const int opening = P.sections[s].tag > f.c.n_layers;
        const int points = P.sections[s].encoding == GKR_ENC_G1;
        n_points += points ? P.sections[s].pts.n : 0;
        for (size_t k = GKR_PROOF_SECTION_HEADER_BYTES; k < bytes; k++) {
            if (!opening && tu_below(&rng, zk_mode ? 4 : 8) && (zk_mode || !points))
                continue; /* a sample of the GKR messages */
            const uint8_t mask = (uint8_t)(1 + tu_below(&rng, 255));
            proof[off + k] ^= mask;
            zkm_status st = verify(&f, 1, proof, len, NULL);
            proof[off + k] ^= mask;
            if (st != ZKM_EREJECT && st != ZKM_EFORMAT)
                fail_msg("byte %zu of section %u (tag %u) ^ %02x: status %d", k, s,
                         P.sections[s].tag, mask, (int)st);
            n_flips++;
        }
        off += bytes;
    }
    assert_true(n_points > 0);
    printf("# %zu byte changes rejected\n", n_flips);
    gkr_proof_free(&P);
    /* another external commitment: a row replaced by the generator */
    for (uint32_t i = 0; i < f.c.n_layers; i++) {
        if (!f.com[i].rows)
            continue;
        g1_affine keep = f.com[i].rows[0];
        g1_generator(&f.com[i].rows[0]);
        assert_int_equal(verify(&f, 1, proof, len, NULL), ZKM_EREJECT);
        f.com[i].rows[0] = keep;
        /* none at all, or one of another shape: a caller's error */
        hyrax_com moved = f.com[i];
        memset(&f.com[i], 0, sizeof f.com[i]);
        assert_int_equal(verify(&f, 1, proof, len, NULL), ZKM_EINVAL);
        f.com[i] = moved;
        f.com[i].col_vars++;
        assert_int_equal(verify(&f, 1, proof, len, NULL), ZKM_EINVAL);
        f.com[i].col_vars--;
    }
    assert_int_equal(verify(&f, 1, proof, len, NULL), ZKM_OK);
    /* another matrix width: the external commitments no longer fit
     * (EINVAL) or, with none, the circuit digest differs (EREJECT) */
    f.c.commit_col_vars++;
    const zkm_status st = verify(&f, 1, proof, len, NULL);
    assert_true(st == ZKM_EINVAL || st == ZKM_EREJECT);
    f.c.commit_col_vars--;
    free(proof);
    cfx_free(&f);
}

/* Zero knowledge: every point of the proof moved by H, by U and by G_0
 * (still valid encodings) and every scalar changed by one, one at a time:
 * each is rejected, so every commitment and response the prover sends is
 * checked by something, and so is every value a commitment holds
 * (including the rows of the sum-checks' masks, zk.h). */
static void test_zk_every_element(void **state)
{
    (void)state;
    cfx f;
    random_cfx(&f, 2, 3);
    uint8_t *proof, *bad;
    size_t len, blen;
    prove(&f, 1, &proof, &len);
    assert_int_equal(verify(&f, 1, proof, len, NULL), ZKM_OK);
    gkr_proof P;
    assert_int_equal(gkr_proof_decode(&P, proof, len, NULL), ZKM_OK);
    hyrax_gens g;
    hyrax_generators(&g);
    fr one;
    fr_set_one(&one);
    /* a point moved by H changes a blinding; by U, a committed value; by
     * G_0, a mask row's first value */
    const g1_affine *by[3] = {g.H, g.U, &g.G[0]};
    size_t n_pts = 0, n_frs = 0;
    for (uint32_t s = 0; s < P.n_sections; s++) {
        gkr_section *sec = &P.sections[s];
        for (size_t k = 0; k < sec->pts.n; k++, n_pts++) {
            g1_affine keep = sec->pts.v[k];
            for (int m = 0; m < 3; m++) {
                g1_jac t;
                g1_from_affine(&t, &keep);
                g1_add_mixed_var(&t, &t, by[m]);
                g1_to_affine(&sec->pts.v[k], &t);
                assert_int_equal(gkr_proof_encode(&P, &bad, &blen, NULL), ZKM_OK);
                zkm_status st = verify(&f, 1, bad, blen, NULL);
                if (st != ZKM_EREJECT)
                    fail_msg("point %zu of section %u (tag %u) moved by %s: status %d", k, s,
                             sec->tag, m == 0 ? "H" : m == 1 ? "U" : "G_0", (int)st);
                free(bad);
            }
            sec->pts.v[k] = keep;
        }
        if (sec->tag == 0 || sec->encoding != GKR_ENC_FIELD)
            continue;
        for (size_t k = 0; k < sec->msgs.n; k++, n_frs++) {
            fr keep = sec->msgs.v[k];
            fr_add(&sec->msgs.v[k], &keep, &one);
            assert_int_equal(gkr_proof_encode(&P, &bad, &blen, NULL), ZKM_OK);
            zkm_status st = verify(&f, 1, bad, blen, NULL);
            if (st != ZKM_EREJECT)
                fail_msg("scalar %zu of section %u (tag %u) changed: status %d", k, s, sec->tag,
                         (int)st);
            free(bad);
            sec->msgs.v[k] = keep;
        }
    }
    printf("# %zu points and %zu scalars changed, each rejected\n", n_pts, n_frs);
    assert_true(n_pts > 0 && n_frs > 0);
    gkr_proof_free(&P);
    free(proof);
    cfx_free(&f);
}

/* The decoder on 1, 2 and 3 threads (gkr_proof_decode_threads) against
 * gkr_proof_decode on a zero-knowledge proof, most of whose bytes are
 * points: the same sections; with a point replaced by a non-point (x = 0:
 * 3 is not a square), alone or with the proof also cut short in a later
 * section, the same status and message, naming that point; cut short
 * alone, the same message. */
static void test_decode_threads(void **state)
{
    (void)state;
    cfx f;
    random_cfx(&f, 2, 3);
    uint8_t *proof;
    size_t len;
    prove(&f, 1, &proof, &len);
    gkr_proof A, B;
    assert_int_equal(gkr_proof_decode(&A, proof, len, NULL), ZKM_OK);
    for (int threads = 1; threads <= 3; threads++) {
        assert_int_equal(gkr_proof_decode_threads(&B, proof, len, threads, NULL), ZKM_OK);
        assert_int_equal(B.n_sections, A.n_sections);
        for (uint32_t s = 0; s < A.n_sections; s++) {
            const gkr_section *x = &A.sections[s], *y = &B.sections[s];
            assert_int_equal(x->tag, y->tag);
            assert_int_equal(x->encoding, y->encoding);
            assert_int_equal(x->pts.n, y->pts.n);
            assert_int_equal(x->msgs.n, y->msgs.n);
            if (x->pts.n)
                assert_memory_equal(x->pts.v, y->pts.v, x->pts.n * sizeof *x->pts.v);
            if (x->msgs.n)
                assert_memory_equal(x->msgs.v, y->msgs.v, x->msgs.n * sizeof *x->msgs.v);
        }
        gkr_proof_free(&B);
    }
    /* where each section starts */
    size_t *at = calloc(A.n_sections + 1, sizeof *at), n_pts = 0;
    assert_non_null(at);
    at[0] = GKR_PROOF_HEADER_BYTES;
    for (uint32_t s = 0; s < A.n_sections; s++) {
        at[s + 1] = at[s] + gkr_section_bytes(&A.sections[s]);
        n_pts += A.sections[s].pts.n;
    }
    assert_int_equal(at[A.n_sections], len);
    assert_true(n_pts > 32);
    uint8_t *b = malloc(len);
    assert_non_null(b);
    size_t n_cases = 0;
    for (int rep = 0; rep < 60; rep++) {
        memcpy(b, proof, len);
        size_t blen = len;
        uint32_t s = (uint32_t)tu_below(&rng, A.n_sections);
        const int bad_point = rep % 3 != 2 && A.sections[s].pts.n > 0;
        size_t k = 0;
        char want[160] = "";
        if (bad_point) {
            k = tu_below(&rng, A.sections[s].pts.n);
            memset(b + at[s] + GKR_PROOF_SECTION_HEADER_BYTES + k * G1_BYTES, 0, G1_BYTES);
            snprintf(want, sizeof want, "proof section %u, point %zu: not a canonical curve point",
                     s, k);
        }
        /* cut short: alone, anywhere; with a bad point, in a later section
         * (within the point's own section the decoder finds the section
         * truncated before it reads its points, as it always did) */
        if (!bad_point || (rep % 3 == 1 && s + 1 < A.n_sections)) {
            const uint32_t t = bad_point ? s + 1 + (uint32_t)tu_below(&rng, A.n_sections - s - 1)
                                         : (uint32_t)tu_below(&rng, A.n_sections);
            blen = at[t] + tu_below(&rng, at[t + 1] - at[t]);
        }
        if (!bad_point && blen == len)
            continue;
        zkm_err e1, e2;
        const zkm_status s1 = gkr_proof_decode(&B, b, blen, &e1);
        gkr_proof_free(&B);
        assert_int_equal(s1, ZKM_EFORMAT);
        if (bad_point)
            assert_string_equal(e1.msg, want);
        for (int threads = 2; threads <= 3; threads++) {
            assert_int_equal(gkr_proof_decode_threads(&B, b, blen, threads, &e2), s1);
            assert_string_equal(e2.msg, e1.msg);
            assert_int_equal(B.n_sections, 0);
            assert_null(B.sections);
        }
        n_cases++;
    }
    printf("# %zu malformed proofs, %zu points: the same error on 1, 2 and 3 threads\n", n_cases,
           n_pts);
    free(b);
    free(at);
    gkr_proof_free(&A);
    free(proof);
    cfx_free(&f);
}

/* Blinding is real.  The test: prove the same statement (same circuit,
 * same committed inputs, so the same weights and activations) twice in
 * zero knowledge and compare the two proofs element by element.  Any value
 * the proof reveals that is a fixed function of the witness (a sum-check
 * message in the clear, an evaluation, a commitment without a fresh
 * blinding) would be equal in both; every element but the public output
 * must differ.  The same comparison on two proofs in the clear without
 * hiding finds the layers' messages equal (all but the opening's blinded
 * rounds), so the test can fail. */
static void test_zk_blinding(void **state)
{
    (void)state;
    cfx f;
    random_cfx(&f, 2, 3);
    uint8_t *p[2];
    size_t len[2];
    gkr_proof P[2];
    for (int clear = 1; clear >= 0; clear--) {
        zk_mode = !clear;
        for (int k = 0; k < 2; k++) {
            prove_h(&f, 1, !clear, &p[k], &len[k]);
            assert_int_equal(gkr_proof_decode(&P[k], p[k], len[k], NULL), ZKM_OK);
        }
        assert_int_equal(P[0].n_sections, P[1].n_sections);
        size_t same = 0, compared = 0, layers = 0;
        for (uint32_t s = 1; s < P[0].n_sections; s++) { /* section 0: the output */
            const gkr_section *a = &P[0].sections[s], *b = &P[1].sections[s];
            assert_int_equal(a->msgs.n, b->msgs.n);
            assert_int_equal(a->pts.n, b->pts.n);
            layers += a->tag <= f.c.n_layers ? a->msgs.n + a->pts.n : 0;
            for (size_t k = 0; k < a->msgs.n; k++, compared++)
                same += fr_eq(&a->msgs.v[k], &b->msgs.v[k]);
            for (size_t k = 0; k < a->pts.n; k++, compared++)
                same += g1_affine_eq(&a->pts.v[k], &b->pts.v[k]);
        }
        if (clear)
            assert_true(same >= layers && layers > 0); /* deterministic in the clear */
        else if (same)
            fail_msg("zero knowledge: %zu of %zu elements repeat between two proofs", same,
                     compared);
        assert_true(compared > 20);
        for (int k = 0; k < 2; k++) {
            gkr_proof_free(&P[k]);
            free(p[k]);
        }
    }
    zk_mode = 0;
    cfx_free(&f);
}

/* Hiding: two proofs of the same statement differ in every commitment row
 * they send; without it, the rows are the same (binding only). */
static void test_fresh_blinds(void **state)
{
    (void)state;
    cfx f;
    random_cfx(&f, 2, 2);
    uint8_t *p1, *p2, *p3;
    size_t l1, l2, l3;
    prove_h(&f, 1, 1, &p1, &l1);
    prove_h(&f, 1, 1, &p2, &l2);
    prove_h(&f, 1, 0, &p3, &l3);
    assert_int_equal(verify(&f, 1, p3, l3, NULL), ZKM_OK);
    gkr_proof C, D;
    assert_int_equal(gkr_proof_decode(&C, p3, l3, NULL), ZKM_OK);
    free(p3);
    prove_h(&f, 1, 0, &p3, &l3);
    assert_int_equal(l1, l2);
    gkr_proof A, B;
    assert_int_equal(gkr_proof_decode(&A, p1, l1, NULL), ZKM_OK);
    assert_int_equal(gkr_proof_decode(&B, p2, l2, NULL), ZKM_OK);
    size_t rows = 0;
    for (uint32_t s = 0; s < A.n_sections; s++)
        if (A.sections[s].encoding == GKR_ENC_G1 && A.sections[s].tag <= f.c.n_layers)
            for (size_t k = 0; k < A.sections[s].pts.n; k++, rows++)
                assert_false(g1_affine_eq(&A.sections[s].pts.v[k], &B.sections[s].pts.v[k]));
    assert_true(rows > 0);
    assert_int_equal(gkr_proof_decode(&D, p3, l3, NULL), ZKM_OK);
    for (uint32_t s = 0; s < C.n_sections; s++)
        if (C.sections[s].encoding == GKR_ENC_G1 && C.sections[s].tag <= f.c.n_layers)
            for (size_t k = 0; k < C.sections[s].pts.n; k++)
                assert_true(g1_affine_eq(&C.sections[s].pts.v[k], &D.sections[s].pts.v[k]));
    gkr_proof_free(&A);
    gkr_proof_free(&B);
    gkr_proof_free(&C);
    gkr_proof_free(&D);
    free(p1);
    free(p2);
    free(p3);
    cfx_free(&f);
}

/* Zero knowledge: random circuits of every kind with committed inputs (in
 * the proof, from outside) and public ones (parity 3). */
static void test_zk_complete(void **state)
{
    (void)state;
    complete(3, 3);
}

/* A verifier's zero-knowledge channel whose proof holds four points (the
 * generators G_0..G_3); set up in place (ch points into it). */
typedef struct {
    zk_ctx *z;
    hyrax_gens g;
    transcript tr;
    g1_cursor in;
    zk_chan ch;
} vchan;

static void vchan_init(vchan *v)
{
    zkm_err e;
    v->z = zk_ctx_new(0, 1, &e);
    assert_non_null(v->z);
    hyrax_generators(&v->g);
    tr_init(&v->tr, "test");
    v->in = (g1_cursor){.v = v->g.G, .n = 4};
    v->ch = (zk_chan){.tr = &v->tr, .zk = v->z, .in_pts = &v->in};
}

/* Sum-check masks take the next unused values of the rows, and a row
 * (ZK_ROW_WIDTH values) is received only when too few are left; a sum-check
 * without rounds has no mask; a proof that ends before a mask's row is
 * rejected.  Row values have no commitment of their own: a product of them
 * is refused (a bug in a layer, not a bad proof), while messages sent one
 * by one still multiply and a mask's sum may be equated with a product. */
static void test_zk_rows(void **state)
{
    (void)state;
    zkm_err e;
    vchan v;
    vchan_init(&v);
    zk_chan ch = v.ch;
    zk_form f, m[2], out;
    zk_form_init(&f);
    zk_form_init(&m[0]);
    zk_form_init(&m[1]);
    zk_form_init(&out);
    zk_mask a, b, c, d;
    assert_int_equal(ZK_ROW_WIDTH, 16);
    assert_int_equal(zk_chan_mask(&ch, 3, 2, &a, &e), ZKM_OK); /* 7 values: a row */
    assert_true(a.on);
    assert_int_equal(a.first, ZK_ROW | 0);
    assert_int_equal(v.in.pos, 1);
    assert_int_equal(zk_chan_mask(&ch, 5, 2, &b, &e), ZKM_OK); /* 11: 9 left, a row */
    assert_int_equal(b.first, ZK_ROW | 7);
    assert_int_equal(v.in.pos, 2);
    assert_int_equal(zk_chan_mask(&ch, 13, 1, &c, &e), ZKM_OK); /* 14: 14 left */
    assert_int_equal(c.first, ZK_ROW | 18);
    assert_int_equal(v.in.pos, 2);
    assert_int_equal(zk_chan_mask(&ch, 0, 2, &d, &e), ZKM_OK);
    assert_false(d.on);
    assert_int_equal(zk_chan_recv(&ch, "m", m, 2, &e), ZKM_OK);
    assert_int_equal(v.in.pos, 4);
    assert_int_equal(zk_chan_mask(&ch, 1, 1, &d, &e), ZKM_EREJECT); /* no row left */
    assert_int_equal(zk_mask_sum(&a, &f, &e), ZKM_OK);
    assert_int_equal(f.n, 7);
    assert_int_equal(zk_chan_mul(&ch, &out, &f, &m[0], &e), ZKM_EINVAL);
    assert_int_equal(zk_chan_mul(&ch, &out, &m[1], &f, &e), ZKM_EINVAL);
    assert_int_equal(zk_chan_mul(&ch, &out, &m[0], &m[1], &e), ZKM_OK);
    assert_int_equal(zk_chan_check(&ch, &f, &out, "test", &e), ZKM_OK);
    zk_form_free(&f);
    zk_form_free(&m[0]);
    zk_form_free(&m[1]);
    zk_form_free(&out);
    zk_ctx_free(v.z);
}

/* A masked sum-check (zk.h): no round value the prover sends equals its
 * own polynomial's value for that round at the same challenges, so none is
 * a fixed function of the tables; with the masks' random values all zero,
 * every one would.  One row holds the mask's 2 * 5 + 1 values. */
static void test_zk_masked_rounds(void **state)
{
    (void)state;
    enum { NV = 5, LEN = 1 << NV };
    zkm_err e;
    zk_ctx *z = zk_ctx_new(1, 1, &e);
    assert_non_null(z);
    fr A[LEN], B[LEN], a[LEN], b[LEN], r[NV];
    for (size_t i = 0; i < LEN; i++) {
        tu_fr(&rng, &A[i]);
        tu_fr(&rng, &B[i]);
    }
    memcpy(a, A, sizeof A);
    memcpy(b, B, sizeof B);
    fr_vec out = {0};
    g1_vec pts = {0};
    transcript tr;
    tr_init(&tr, "test");
    zk_chan ch = {.tr = &tr, .zk = z, .out = &out, .out_pts = &pts};
    fr *tabs[2] = {a, b};
    const unsigned ts[2] = {0, 2}, fac[2] = {0, 1};
    sc_poly p = {.n_tables = 2, .tables = tabs, .n_terms = 1, .term_start = ts, .factors = fac};
    assert_int_equal(sc_prove(&p, NV, &ch, r, &e), ZKM_OK);
    assert_int_equal(out.n, 2 * NV); /* the values at 0 and 2 of each round */
    assert_int_equal(pts.n, 1);
    size_t len = LEN;
    for (unsigned k = 0; k < NV; k++, len /= 2) {
        fr own[2], t, a2, b2;
        fr_set_zero(&own[0]);
        fr_set_zero(&own[1]);
        for (size_t i = 0; i < len / 2; i++) {
            fr_mul(&t, &A[2 * i], &B[2 * i]);
            fr_add(&own[0], &own[0], &t);
            fr_dbl(&a2, &A[2 * i + 1]);
            fr_sub(&a2, &a2, &A[2 * i]);
            fr_dbl(&b2, &B[2 * i + 1]);
            fr_sub(&b2, &b2, &B[2 * i]);
            fr_mul(&t, &a2, &b2);
            fr_add(&own[1], &own[1], &t);
        }
        assert_false(fr_eq(&own[0], &out.v[2 * k]));
        assert_false(fr_eq(&own[1], &out.v[2 * k + 1]));
        mle_fold(A, len, &r[k]);
        mle_fold(B, len, &r[k]);
    }
    fr_vec_free(&out);
    g1_vec_free(&pts);
    zk_ctx_free(z);
}

/* Products of products are expanded into terms of up to seven factors
 * (zk_chan_mul): chains, a product of two products and a product of a sum
 * of a product and a message are accepted, and the first product that
 * would have eight factors is refused (a bug in a layer, not a bad proof). */
static void test_zk_terms(void **state)
{
    (void)state;
    zkm_err e;
    vchan v;
    vchan_init(&v);
    zk_chan ch = v.ch;
    zk_form m[4], t1, t2, t4, t7, mix, out;
    zk_form *all[] = {&m[0], &m[1], &m[2], &m[3], &t1, &t2, &t4, &t7, &mix, &out};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        zk_form_init(all[i]);
    assert_int_equal(zk_chan_recv(&ch, "m", m, 4, &e), ZKM_OK);
    assert_int_equal(zk_chan_mul(&ch, &t1, &m[0], &m[1], &e), ZKM_OK);  /* 2 factors */
    assert_int_equal(zk_chan_mul(&ch, &t2, &m[2], &m[3], &e), ZKM_OK);  /* 2 */
    assert_int_equal(zk_chan_mul(&ch, &t4, &t1, &t2, &e), ZKM_OK);      /* 4 */
    assert_int_equal(zk_chan_mul(&ch, &out, &t4, &m[0], &e), ZKM_OK);   /* 5 */
    assert_int_equal(zk_chan_mul(&ch, &t7, &out, &t2, &e), ZKM_OK);     /* 7 */
    assert_int_equal(zk_chan_mul(&ch, &out, &t7, &m[1], &e), ZKM_EINVAL); /* 8 */
    assert_int_equal(zk_chan_mul(&ch, &out, &t4, &t4, &e), ZKM_EINVAL);   /* 8 */
    /* (t1 + m2 + 5) t7: t1 t7 has 9 factors */
    fr one, five;
    fr_set_one(&one);
    fr_set_u64(&five, 5);
    assert_int_equal(zk_form_copy(&mix, &t1, &e), ZKM_OK);
    assert_int_equal(zk_form_axpy(&mix, &one, &m[2], &e), ZKM_OK);
    zk_form_add_const(&mix, &five);
    assert_int_equal(zk_chan_mul(&ch, &out, &mix, &t7, &e), ZKM_EINVAL);
    /* (t1 + m2 + 5) t4: at most 6 factors, and out may alias a factor */
    assert_int_equal(zk_chan_mul(&ch, &mix, &mix, &t4, &e), ZKM_OK);
    assert_int_equal(zk_chan_mul(&ch, &out, &mix, &m[3], &e), ZKM_OK);
    assert_int_equal(zk_chan_check(&ch, &out, &m[0], "test", &e), ZKM_OK);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        zk_form_free(all[i]);
    zk_ctx_free(v.z);
}

static int setup(void **state)
{
    (void)state;
    tu_rng_init(&rng, tu_seed("test_commit"));
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_advice_committed),
        cmocka_unit_test(test_sound),
        cmocka_unit_test(test_fresh_blinds),
        cmocka_unit_test_setup_teardown(test_zk_complete, zk_on, zk_off),
        cmocka_unit_test_setup_teardown(test_sound, zk_on, zk_off),
        cmocka_unit_test_setup_teardown(test_zk_every_element, zk_on, zk_off),
        cmocka_unit_test(test_zk_masked_rounds),
        cmocka_unit_test_setup_teardown(test_decode_threads, zk_on, zk_off),
        cmocka_unit_test(test_zk_blinding),
        cmocka_unit_test(test_zk_rows),
        cmocka_unit_test(test_zk_terms),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
