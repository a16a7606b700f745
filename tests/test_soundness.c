/* GKR soundness: tampered proofs, statements and circuits are rejected.
 *
 * Six small circuits:
 *   demo    gkr_sample_demo (matmul, eltwise, generic; fixed seed)
 *   fixed   tu_random_circuit from a fixed seed, depth 3, widths <= 2^4,
 *           the first such seed whose circuit has all three kinds
 *   run     tu_random_circuit from this run's seed, depth 3, widths <= 2^4
 *   deep    tu_random_circuit from this run's seed, depth 5, widths <= 2^5
 *   advice  tu_advice_circuit from this run's seed, 2^2 outputs: advice
 *           layers (1-bit bits, random-width signed and unsigned values)
 *           between computed layers, zero layers (booleanity, and a
 *           recomposition the output also reads)
 *   advice2 the same shape with 2-bit wide bits, so a non-boolean bit still
 *           encodes
 * and for each:
 *   - every single-byte change of the proof (three replacement values per
 *     byte), every truncation and appended bytes are rejected;
 *   - a changed claimed output, public input, sum-check message or layer
 *     value, re-encoded into a well-formed proof, is rejected (EREJECT);
 *   - a changed gate, coefficient, factor or view in the verifier's circuit
 *     changes the digest and is rejected, also when the proof's digest is
 *     replaced by the changed circuit's;
 *   - a proof checked against another circuit is rejected;
 *   - a cheating prover that runs gkr_prove on inconsistent layer values
 *     is rejected whenever a claim weighs the changed entry;
 *   - with a replica of the prover's driver (checked to give gkr_prove's
 *     bytes exactly): a prover that absorbs the true public input but proves
 *     a different one is rejected whenever a claim weighs the changed entry
 *     (only the verifier's own evaluation of the input layers can catch it),
 *     and an output or input changed so that its
 *     multilinear extension at the honest claim points stays the same is
 *     rejected (only the transcript's binding of output and input catches
 *     it).
 * Advice and zero layers besides:
 *   - every bit of every advice value flipped in the proof bytes (still a
 *     well-formed proof), and every advice value changed within its range and
 *     re-encoded, is rejected;
 *   - a change of an advice layer's encoding, width, length or visibility,
 *     or of a layer's GKR_LAYER_ZERO flag, changes the circuit digest and is
 *     rejected;
 *   - the replica, which unlike gkr_prove does not refuse a witness that
 *     violates a zero layer, proves such witnesses (a non-boolean bit that
 *     still recomposes, a wrong recomposition, a zero layer's values forged
 *     to zero, advice non-zero past its length): all rejected;
 *   - a proof for other advice within range verifies exactly when the zero
 *     layers still hold (advice is the prover's to choose). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "circuit.h"
#include "gkr.h"
#include "gkr_kind.h"
#include "mle.h"
#include "proof.h"
#include "sample.h"
#include "testutil.h"
#include "transcript.h"

enum { FX_DEMO, FX_FIXED, FX_RUN, FX_DEEP, FX_ADVICE, FX_ADVICE2, FX_COUNT };

/* Proofs up to this size get every byte changed; longer ones a sample. */
#define EXHAUSTIVE_BYTES 8192

typedef tu_fixture fixture;

static uint64_t g_seed;
static fixture g_fx[FX_COUNT];

/* ---------------------------------------------------------------- helpers */

static int is_advice(const gkr_layer *l)
{
    return l->kind == GKR_INPUT && l->p.input.visibility == GKR_INPUT_ADVICE;
}

static int is_public(const gkr_layer *l)
{
    return l->kind == GKR_INPUT && l->p.input.visibility == GKR_INPUT_PUBLIC;
}

static int uses_kind(const gkr_circuit *c, gkr_kind k)
{
    for (uint32_t i = 0; i < c->n_layers; i++)
        if (c->layers[i].kind == k)
            return 1;
    return 0;
}

static int setup(void **state)
{
    (void)state;
    zkm_err e;
    fixture *f = &g_fx[FX_DEMO];
    f->name = "demo";
    f->demo = 1;
    if (gkr_sample_demo(&f->c, &f->vals, 1, &e)) {
        fprintf(stderr, "gkr_sample_demo: %s\n", e.msg);
        return -1;
    }
    tu_fixture_prove(f);

    f = &g_fx[FX_FIXED];
    f->name = "fixed";
    for (uint64_t s = 1;; s++) {
        tu_rng g;
        tu_rng_init(&g, s);
        tu_random_circuit(&g, &f->c, &f->vals, 3, 4, TU_KINDS_ALL);
        if (uses_kind(&f->c, GKR_GENERIC) && uses_kind(&f->c, GKR_ELTWISE) &&
            uses_kind(&f->c, GKR_MATMUL))
            break;
        tu_inputs_free(&f->c, f->vals);
        gkr_circuit_free(&f->c);
    }
    tu_fixture_prove(f);

    f = &g_fx[FX_RUN];
    f->name = "run";
    tu_rng g;
    tu_rng_init(&g, g_seed);
    tu_random_circuit(&g, &f->c, &f->vals, 3, 4, TU_KINDS_ALL);
    tu_fixture_prove(f);

    f = &g_fx[FX_DEEP];
    f->name = "deep";
    tu_random_circuit(&g, &f->c, &f->vals, 5, 5, TU_KINDS_ALL);
    tu_fixture_prove(f);

    f = &g_fx[FX_ADVICE];
    f->name = "advice";
    tu_advice_circuit(&g, &f->c, &f->vals, 2, 1);
    tu_fixture_prove(f);

    f = &g_fx[FX_ADVICE2];
    f->name = "advice2";
    tu_advice_circuit(&g, &f->c, &f->vals, 2, 2);
    tu_fixture_prove(f);

    for (int i = 0; i < FX_COUNT; i++) {
        f = &g_fx[i];
        printf("# %s: %u layers (", f->name, f->c.n_layers);
        for (uint32_t l = 0; l < f->c.n_layers; l++) {
            const gkr_layer *L = &f->c.layers[l];
            printf("%s%s 2^%u", l ? ", " : "", gkr_kind_name(L->kind), L->nvars);
            if (is_advice(L))
                printf(" advice %s%u x %llu", L->p.input.encoding == GKR_ENC_SINT ? "i" : "u",
                       L->p.input.width, (unsigned long long)L->p.input.len);
            if (L->flags & GKR_LAYER_ZERO)
                printf(" zero");
        }
        printf("), proof %zu bytes\n", f->len);
    }
    fflush(stdout);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < FX_COUNT; i++)
        tu_fixture_free(&g_fx[i]);
    return 0;
}

static zkm_status verify_bytes(const fixture *f, const uint8_t *b, size_t n, zkm_err *e)
{
    fr *out = NULL;
    zkm_err_clear(e);
    zkm_status st = gkr_verify(&f->c, f->vals, b, n, &out, NULL, e);
    /* output is written only on acceptance */
    if (st != ZKM_OK)
        assert_null(out);
    free(out);
    return st;
}

static void expect_reject(const fixture *f, const uint8_t *b, size_t n, const char *what)
{
    zkm_err e;
    zkm_status st = verify_bytes(f, b, n, &e);
    if (st != ZKM_EREJECT)
        fail_msg("%s: %s: verify returned %s (%s), want proof rejected", f->name, what,
                 zkm_status_str(st), e.msg);
    assert_int_equal(e.code, ZKM_EREJECT);
}

static void expect_format(const fixture *f, const uint8_t *b, size_t n, const char *what)
{
    zkm_err e;
    zkm_status st = verify_bytes(f, b, n, &e);
    if (st != ZKM_EFORMAT)
        fail_msg("%s: %s: verify returned %s (%s), want malformed input", f->name, what,
                 zkm_status_str(st), e.msg);
}

static void decode_ok(const fixture *f, gkr_proof *P)
{
    zkm_err e;
    if (gkr_proof_decode(P, f->proof, f->len, &e))
        fail_msg("%s: decode: %s", f->name, e.msg);
}

/* Encode P and expect the verifier to reject it (EREJECT). */
static void expect_reject_proof(const fixture *f, const gkr_proof *P, const char *what)
{
    zkm_err e;
    uint8_t *b;
    size_t n;
    if (gkr_proof_encode(P, &b, &n, &e))
        fail_msg("encode: %s", e.msg);
    expect_reject(f, b, n, what);
    free(b);
}

static void fr_add_u64(fr *a, uint64_t k)
{
    fr t;
    fr_set_u64(&t, k);
    fr_add(a, a, &t);
}

/* f(point) for a table of 2^n entries */
static void eval_mle(fr *out, const fr *tab, uint32_t n, const fr *point)
{
    fr *scratch = malloc((n ? (size_t)1 << (n - 1) : 1) * sizeof(fr));
    assert_non_null(scratch);
    mle_eval(out, tab, n, point, scratch);
    free(scratch);
}

/* The integer in [-(r-1)/2, (r-1)/2] that a stands for. */
static void fr_signed_mpz(mpz_t x, const fr *a)
{
    mpz_t r;
    mpz_init(r);
    fr_modulus_mpz(r);
    fr_to_mpz(x, a);
    mpz_mul_2exp(x, x, 1);
    if (mpz_cmp(x, r) > 0) {
        mpz_tdiv_q_2exp(x, x, 1);
        mpz_sub(x, x, r);
    } else {
        mpz_tdiv_q_2exp(x, x, 1);
    }
    mpz_clear(r);
}

/* 1 if a is an integer that a packed section of encoding enc and width w
 * holds: [0, 2^w) unsigned, [-2^(w-1), 2^(w-1)) signed. */
static int fits(const fr *a, unsigned enc, unsigned w)
{
    mpz_t x, lo, hi;
    mpz_inits(x, lo, hi, NULL);
    fr_signed_mpz(x, a);
    if (enc == GKR_ENC_UINT) {
        mpz_set_ui(lo, 0);
        mpz_setbit(hi, w);
    } else {
        mpz_setbit(hi, w - 1);
        mpz_neg(lo, hi);
    }
    const int ok = mpz_cmp(x, lo) >= 0 && mpz_cmp(x, hi) < 0;
    mpz_clears(x, lo, hi, NULL);
    return ok;
}

/* a (which fits) with bit j of its w-bit encoding flipped: another value in
 * range. */
static void advice_flip(fr *a, unsigned enc, unsigned w, unsigned j)
{
    mpz_t x, m;
    mpz_inits(x, m, NULL);
    assert_true(fits(a, enc, w));
    fr_signed_mpz(x, a);
    mpz_setbit(m, w);
    if (mpz_sgn(x) < 0)
        mpz_add(x, x, m); /* two's complement */
    mpz_combit(x, j);
    if (enc == GKR_ENC_SINT && mpz_tstbit(x, w - 1))
        mpz_sub(x, x, m); /* sign extension */
    fr_from_mpz(a, x);
    assert_true(fits(a, enc, w));
    mpz_clears(x, m, NULL);
}

/* Where section s of a (well-formed) proof starts: its 12-byte header. */
static size_t section_offset(const uint8_t *b, uint32_t s)
{
    size_t off = GKR_PROOF_HEADER_BYTES;
    for (uint32_t k = 0; k < s; k++) {
        const uint8_t *h = b + off;
        const uint64_t n = (uint64_t)h[8] | (uint64_t)h[9] << 8 | (uint64_t)h[10] << 16 |
                           (uint64_t)h[11] << 24;
        off += 12 + (h[4] == GKR_ENC_FIELD ? n * FR_BYTES : (n * h[5] + 7) / 8);
    }
    return off;
}

/* 1 if every zero layer of an evaluation is zero. */
static int zero_layers_hold(const gkr_circuit *c, fr *const *values)
{
    for (uint32_t i = 0; i < c->n_layers; i++) {
        if (!(c->layers[i].flags & GKR_LAYER_ZERO))
            continue;
        for (size_t k = 0; k < ((size_t)1 << c->layers[i].nvars); k++)
            if (!fr_is_zero(&values[i][k]))
                return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ tests */

static void test_honest(void **state)
{
    (void)state;
    for (int i = 0; i < FX_COUNT; i++) {
        const fixture *f = &g_fx[i];
        zkm_err e;
        fr *out = NULL;
        if (gkr_verify(&f->c, f->vals, f->proof, f->len, &out, NULL, &e))
            fail_msg("%s: honest proof rejected: %s", f->name, e.msg);
        assert_memory_equal(out, f->vals[0], ((size_t)1 << f->c.layers[0].nvars) * sizeof(fr));
        free(out);
    }
}

/* Every byte position, three replacements each: x^0x01, x^0x80 and x^k for a
 * random non-zero k.  The verifier's verdict must agree with the decoder:
 * bytes it cannot parse are EFORMAT, bytes it parses are EREJECT. */
static void test_every_byte(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0xb17e);
    for (int i = 0; i < FX_COUNT; i++) {
        const fixture *f = &g_fx[i];
        uint8_t *b = malloc(f->len);
        size_t n_format = 0, n_reject = 0;
        assert_non_null(b);
        memcpy(b, f->proof, f->len);
        const int all = f->len <= EXHAUSTIVE_BYTES;
        size_t n_pos = 0;
        for (size_t pos = 0; pos < f->len; pos++) {
            /* a long proof: the header and a random sample of the rest */
            if (!all && pos >= GKR_PROOF_HEADER_BYTES &&
                tu_below(&g, f->len) >= EXHAUSTIVE_BYTES)
                continue;
            n_pos++;
            uint8_t xs[3] = {0x01, 0x80, (uint8_t)(1 + tu_below(&g, 255))};
            for (int k = 0; k < 3; k++) {
                zkm_err e;
                gkr_proof P;
                b[pos] ^= xs[k];
                zkm_status st = verify_bytes(f, b, f->len, &e);
                zkm_status ds = gkr_proof_decode(&P, b, f->len, NULL);
                gkr_proof_free(&P);
                b[pos] ^= xs[k];
                if (st == ZKM_OK)
                    fail_msg("%s: byte %zu ^ 0x%02x: the changed proof is accepted", f->name,
                             pos, xs[k]);
                if (ds != ZKM_OK && st != ZKM_EFORMAT)
                    fail_msg("%s: byte %zu ^ 0x%02x: undecodable, but verify says %s", f->name,
                             pos, xs[k], zkm_status_str(st));
                if (ds == ZKM_OK && st != ZKM_EREJECT)
                    fail_msg("%s: byte %zu ^ 0x%02x: decodable, but verify says %s (%s)",
                             f->name, pos, xs[k], zkm_status_str(st), e.msg);
                /* the header: magic and version are format errors, the digest
                 * a different circuit */
                if (pos < 12)
                    assert_int_equal(st, ZKM_EFORMAT);
                else if (pos < 44)
                    assert_int_equal(st, ZKM_EREJECT);
                if (st == ZKM_EFORMAT)
                    n_format++;
                else
                    n_reject++;
            }
        }
        assert_memory_equal(b, f->proof, f->len);
        printf("# %s: %zu byte changes (%s): %zu malformed, %zu rejected\n", f->name,
               3 * n_pos, all ? "every byte" : "sampled", n_format, n_reject);
        /* most bytes are inside field elements: those changes must parse */
        assert_true(n_reject > n_format);
        free(b);
    }
}

static void test_truncated_and_extended(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x7e57);
    for (int i = 0; i < FX_COUNT; i++) {
        const fixture *f = &g_fx[i];
        for (size_t n = 0; n < f->len; n++)
            expect_format(f, f->proof, n, "truncated");
        /* gkr_verify must not read past len: an exact-size copy for ASan */
        for (size_t n = 0; n < f->len; n += 1 + tu_below(&g, 64)) {
            uint8_t *b = malloc(n ? n : 1);
            assert_non_null(b);
            memcpy(b, f->proof, n);
            expect_format(f, b, n, "truncated copy");
            free(b);
        }
        static const size_t extra[] = {1, 31, 32, 33, 40, 64};
        for (size_t k = 0; k < sizeof extra / sizeof extra[0]; k++) {
            for (int fill = 0; fill < 3; fill++) {
                uint8_t *b = malloc(f->len + extra[k]);
                assert_non_null(b);
                memcpy(b, f->proof, f->len);
                if (fill == 0)
                    memset(b + f->len, 0, extra[k]);
                else if (fill == 1)
                    memset(b + f->len, 0xff, extra[k]);
                else
                    tu_bytes(&g, b + f->len, extra[k]);
                expect_format(f, b, f->len + extra[k], "bytes appended");
                free(b);
            }
        }
        /* a well-formed extra section (empty, after the last tag) parses, but
         * the circuit has no such layer */
        {
            gkr_proof P;
            decode_ok(f, &P);
            gkr_section *s = realloc(P.sections, (P.n_sections + 1) * sizeof *s);
            assert_non_null(s);
            P.sections = s;
            memset(&s[P.n_sections], 0, sizeof *s);
            s[P.n_sections].tag = s[P.n_sections - 1].tag + 1;
            P.n_sections++;
            expect_reject_proof(f, &P, "an extra empty section");
            fr z;
            fr_set_zero(&z);
            assert_int_equal(fr_vec_push(&s[P.n_sections - 1].msgs, &z, 1, NULL), ZKM_OK);
            expect_reject_proof(f, &P, "an extra section");
            gkr_proof_free(&P);
        }
    }
}

static void test_changed_output(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x0a7);
    for (int i = 0; i < FX_COUNT; i++) {
        const fixture *f = &g_fx[i];
        gkr_proof P;
        decode_ok(f, &P);
        assert_int_equal(P.sections[0].tag, 0);
        fr_vec *out = &P.sections[0].msgs;
        assert_int_equal(out->n, (size_t)1 << f->c.layers[0].nvars);
        for (size_t k = 0; k < out->n; k++) {
            const fr saved = out->v[k];
            fr_add_u64(&out->v[k], 1);
            expect_reject_proof(f, &P, "output + 1");
            tu_fr(&g, &out->v[k]);
            expect_reject_proof(f, &P, "random output");
            fr_neg(&out->v[k], &saved);
            if (!fr_eq(&out->v[k], &saved))
                expect_reject_proof(f, &P, "negated output");
            out->v[k] = saved;
        }
        /* a whole output swapped for another (rotated by one) */
        if (out->n > 1) {
            fr first = out->v[0];
            memmove(out->v, out->v + 1, (out->n - 1) * sizeof(fr));
            out->v[out->n - 1] = first;
            if (memcmp(out->v, f->vals[0], out->n * sizeof(fr)) != 0)
                expect_reject_proof(f, &P, "rotated output");
        }
        /* too few or too many outputs */
        out->n--;
        expect_reject_proof(f, &P, "one output missing");
        out->n++;
        fr z;
        fr_set_zero(&z);
        assert_int_equal(fr_vec_push(out, &z, 1, NULL), ZKM_OK);
        expect_reject_proof(f, &P, "one output extra");
        gkr_proof_free(&P);
    }
}

static void test_changed_input(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x1297);
    for (int i = 0; i < FX_COUNT; i++) {
        const fixture *f = &g_fx[i];
        int n_layers_tried = 0;
        for (uint32_t li = 0; li < f->c.n_layers; li++) {
            /* advice comes with the proof: see test_advice_values */
            if (!is_public(&f->c.layers[li]))
                continue;
            n_layers_tried++;
            const size_t len = (size_t)1 << f->c.layers[li].nvars;
            fr *in = f->vals[li];
            /* every position of a small layer; first, last and 30 random ones
             * of a larger one */
            const size_t tries = len <= 32 ? len : 32;
            for (size_t t = 0; t < tries; t++) {
                size_t k = len <= 32 ? t : t == 0 ? 0 : t == 1 ? len - 1 : tu_below(&g, len);
                const fr saved = in[k];
                fr_add_u64(&in[k], 1);
                expect_reject(f, f->proof, f->len, "input + 1");
                tu_fr(&g, &in[k]);
                expect_reject(f, f->proof, f->len, "random input");
                in[k] = saved;
            }
            /* two entries swapped */
            if (len > 1 && !fr_eq(&in[0], &in[len - 1])) {
                fr t = in[0];
                in[0] = in[len - 1];
                in[len - 1] = t;
                expect_reject(f, f->proof, f->len, "inputs swapped");
                in[len - 1] = in[0];
                in[0] = t;
            }
        }
        assert_true(n_layers_tried >= 1);
        /* and the untouched inputs still verify */
        zkm_err e;
        assert_int_equal(verify_bytes(f, f->proof, f->len, &e), ZKM_OK);
    }
}

/* Every element of every layer section: + 1 and re-encode.  Also a section
 * one element short or long, a section dropped, two sections' messages
 * swapped. */
static void test_changed_messages(void **state)
{
    (void)state;
    for (int i = 0; i < FX_COUNT; i++) {
        const fixture *f = &g_fx[i];
        gkr_proof P;
        decode_ok(f, &P);
        size_t n_elems = 0;
        for (uint32_t s = 1; s < P.n_sections; s++) {
            fr_vec *m = &P.sections[s].msgs;
            const unsigned enc = P.sections[s].encoding, width = P.sections[s].width;
            for (size_t k = 0; k < m->n; k++, n_elems++) {
                const fr saved = m->v[k];
                fr_add_u64(&m->v[k], 1);
                if (enc != GKR_ENC_FIELD && !fits(&m->v[k], enc, width)) {
                    /* an advice value at the top of its range: - 1 instead */
                    m->v[k] = saved;
                    fr t;
                    fr_set_one(&t);
                    fr_sub(&m->v[k], &m->v[k], &t);
                    assert_true(fits(&m->v[k], enc, width));
                }
                expect_reject_proof(f, &P, "message + 1");
                fr_set_zero(&m->v[k]);
                if (!fr_eq(&saved, &m->v[k]))
                    expect_reject_proof(f, &P, "message zeroed");
                m->v[k] = saved;
            }
            if (m->n) {
                m->n--;
                expect_reject_proof(f, &P, "section one element short");
                m->n++;
            }
            fr z;
            fr_set_zero(&z);
            assert_int_equal(fr_vec_push(m, &z, 1, NULL), ZKM_OK);
            expect_reject_proof(f, &P, "section one element long");
            m->n--;
            /* messages of two sections swapped, with their encodings (tags
             * kept) */
            if (s + 1 < P.n_sections &&
                (P.sections[s].msgs.n != P.sections[s + 1].msgs.n ||
                 memcmp(P.sections[s].msgs.v, P.sections[s + 1].msgs.v,
                        P.sections[s].msgs.n * sizeof(fr)) != 0)) {
                gkr_section t = P.sections[s];
                P.sections[s] = P.sections[s + 1];
                P.sections[s].tag = t.tag;
                t.tag = P.sections[s + 1].tag;
                P.sections[s + 1] = t;
                expect_reject_proof(f, &P, "sections swapped");
                t = P.sections[s];
                P.sections[s] = P.sections[s + 1];
                P.sections[s].tag = t.tag;
                t.tag = P.sections[s + 1].tag;
                P.sections[s + 1] = t;
            }
        }
        /* each section dropped (the tags still increase) */
        for (uint32_t s = 0; s < P.n_sections; s++) {
            gkr_section saved = P.sections[s];
            gkr_section *all = P.sections;
            gkr_section *fewer = malloc((P.n_sections - 1) * sizeof *fewer + 1);
            assert_non_null(fewer);
            memcpy(fewer, all, s * sizeof *fewer);
            memcpy(fewer + s, all + s + 1, (P.n_sections - 1 - s) * sizeof *fewer);
            P.sections = fewer;
            P.n_sections--;
            expect_reject_proof(f, &P, "section dropped");
            P.n_sections++;
            P.sections = all;
            free(fewer);
            assert_int_equal(P.sections[s].tag, saved.tag);
        }
        /* a layer section renumbered to another (free) tag */
        for (uint32_t s = 1; s < P.n_sections; s++) {
            const uint32_t tag = P.sections[s].tag;
            const uint32_t next = s + 1 < P.n_sections ? P.sections[s + 1].tag : UINT32_MAX;
            if (tag + 1 < next) {
                P.sections[s].tag = tag + 1;
                expect_reject_proof(f, &P, "section renumbered");
                P.sections[s].tag = tag;
            }
        }
        /* the unchanged proof re-encodes to an accepted proof */
        {
            zkm_err e;
            uint8_t *b;
            size_t n;
            assert_int_equal(gkr_proof_encode(&P, &b, &n, &e), ZKM_OK);
            assert_int_equal(n, f->len);
            assert_memory_equal(b, f->proof, n);
            assert_int_equal(verify_bytes(f, b, n, &e), ZKM_OK);
            free(b);
        }
        printf("# %s: %zu layer messages changed one at a time\n", f->name, n_elems);
        gkr_proof_free(&P);
    }
}

/* ------------------------------------------------------- changed circuits */

typedef struct {
    fixture *f;
    size_t n_valid, n_invalid;
} circ_ctx;

/* The circuit has just been changed: if it is still a valid circuit, its
 * digest must differ and the proof must be rejected, as is; and with the
 * proof's digest replaced by the changed circuit's, so that the rejection
 * comes from the protocol, not from the digest comparison. */
static void changed_circuit(circ_ctx *x, const char *what)
{
    fixture *f = x->f;
    zkm_err e;
    uint8_t d[GKR_DIGEST_BYTES];
    gkr_circuit_digest(&f->c, d);
    if (memcmp(d, f->digest, sizeof d) == 0)
        fail_msg("%s: %s: the circuit digest did not change", f->name, what);
    if (gkr_circuit_check(&f->c, &e) != ZKM_OK) {
        x->n_invalid++;
        return;
    }
    x->n_valid++;
    expect_reject(f, f->proof, f->len, what);
    /* and for that reason */
    zkm_err_clear(&e);
    assert_int_equal(gkr_verify(&f->c, f->vals, f->proof, f->len, NULL, NULL, &e), ZKM_EREJECT);
    if (!strstr(e.msg, "digest"))
        fail_msg("%s: %s: rejected, but not for the digest: %s", f->name, what, e.msg);
    gkr_proof P;
    decode_ok(f, &P);
    memcpy(P.digest, d, sizeof d);
    expect_reject_proof(f, &P, what);
    gkr_proof_free(&P);
}

/* The change has been undone: the circuit is the original again. */
static void restored(const fixture *f)
{
    uint8_t d[GKR_DIGEST_BYTES];
    gkr_circuit_digest(&f->c, d);
    assert_memory_equal(d, f->digest, sizeof d);
}

#define TRY(x, lvalue, newval, what)                                                         \
    do {                                                                                     \
        __typeof__(lvalue) saved_ = (lvalue);                                                \
        if ((__typeof__(lvalue))(newval) != saved_) {                                        \
            (lvalue) = (newval);                                                             \
            changed_circuit((x), (what));                                                    \
            (lvalue) = saved_;                                                               \
            restored((x)->f);                                                                \
        }                                                                                    \
    } while (0)

/* Every other readable layer, and the neighbouring blocks. */
static void try_view(circ_ctx *x, uint32_t li, gkr_view *v, const char *what)
{
    const gkr_circuit *c = &x->f->c;
    const gkr_view saved = *v;
    for (uint32_t L = li + 1; L < c->n_layers; L++) {
        if (L == saved.layer)
            continue;
        v->layer = L;
        v->offset = 0;
        changed_circuit(x, what);
        *v = saved;
        restored(x->f);
    }
    const uint64_t step = (uint64_t)1 << v->nvars;
    TRY(x, v->offset, saved.offset + step, what);
    if (saved.offset >= step)
        TRY(x, v->offset, saved.offset - step, what);
    TRY(x, v->offset, saved.offset + step / 2, what); /* unaligned or (nvars 0) next */
}

static void test_changed_circuit(void **state)
{
    (void)state;
    for (int i = 0; i < FX_COUNT; i++) {
        circ_ctx x = {.f = &g_fx[i]};
        gkr_circuit *c = &x.f->c;
        size_t valid_by_kind[GKR_KIND_COUNT] = {0}, n_advice = 0, n_flag = 0;
        for (uint32_t li = 0; li < c->n_layers; li++) {
            gkr_layer *l = &c->layers[li];
            const size_t before = x.n_valid;
            if (l->kind == GKR_GENERIC) {
                gkr_generic_params *p = &l->p.generic;
                const uint64_t out_len = (uint64_t)1 << l->nvars;
                for (size_t k = 0; k < p->n_gates; k++) {
                    gkr_gate *gt = &p->gates[k];
                    const uint64_t l0 = (uint64_t)1 << p->src[gt->src0].nvars;
                    const uint64_t l1 = (uint64_t)1 << p->src[gt->src1].nvars;
                    TRY(&x, gt->op, (gt->op + 1) % 3, "gate op");
                    TRY(&x, gt->op, (gt->op + 2) % 3, "gate op");
                    TRY(&x, gt->in0, (gt->in0 + 1) % l0, "gate in0");
                    TRY(&x, gt->in1, (gt->in1 + 1) % l1, "gate in1");
                    TRY(&x, gt->out, (gt->out + 1) % out_len, "gate out");
                    if (p->n_src > 1) {
                        TRY(&x, gt->src0, (gt->src0 + 1) % p->n_src, "gate src0");
                        TRY(&x, gt->src1, (gt->src1 + 1) % p->n_src, "gate src1");
                    }
                }
                /* one gate fewer */
                if (p->n_gates > 1)
                    TRY(&x, p->n_gates, p->n_gates - 1, "gate removed");
                for (uint32_t s = 0; s < p->n_src; s++)
                    try_view(&x, li, &p->src[s], "generic view");
            } else if (l->kind == GKR_ELTWISE) {
                gkr_eltwise_params *p = &l->p.eltwise;
                for (uint32_t t = 0; t < p->n_terms; t++) {
                    fr one, saved = p->coef[t];
                    fr_set_one(&one);
                    fr_add(&p->coef[t], &p->coef[t], &one);
                    changed_circuit(&x, "eltwise coefficient + 1");
                    fr_set_zero(&p->coef[t]);
                    if (!fr_eq(&saved, &p->coef[t]))
                        changed_circuit(&x, "eltwise coefficient zeroed");
                    p->coef[t] = saved;
                    restored(x.f);
                }
                if (p->n_src > 1)
                    for (uint32_t k = 0; k < p->term_start[p->n_terms]; k++)
                        TRY(&x, p->factors[k], (p->factors[k] + 1) % p->n_src, "eltwise factor");
                if (p->n_terms > 1)
                    TRY(&x, p->n_terms, p->n_terms - 1, "eltwise term removed");
                for (uint32_t s = 0; s < p->n_src; s++)
                    try_view(&x, li, &p->src[s], "eltwise view");
            } else if (l->kind == GKR_MATMUL) {
                gkr_matmul_params *p = &l->p.matmul;
                for (int s = 0; s < 2; s++)
                    try_view(&x, li, &p->src[s], "matmul view");
            } else if (is_advice(l)) {
                gkr_input_params *p = &l->p.input;
                TRY(&x, p->width, p->width + 1, "advice width + 1");
                TRY(&x, p->width, p->width - 1, "advice width - 1");
                TRY(&x, p->len, p->len + 1, "advice length + 1");
                if (p->len > 0)
                    TRY(&x, p->len, p->len - 1, "advice length - 1");
                TRY(&x, p->len, 0, "advice length 0");
                TRY(&x, p->encoding, p->encoding == GKR_ENC_UINT ? GKR_ENC_SINT : GKR_ENC_UINT,
                    "advice signedness");
                TRY(&x, p->encoding, GKR_ENC_FIELD, "advice as field elements");
                TRY(&x, p->visibility, GKR_INPUT_PUBLIC, "advice made public");
                n_advice += x.n_valid - before;
            }
            /* the zero flag, set or cleared */
            const size_t before_flag = x.n_valid;
            TRY(&x, l->flags, l->flags ^ GKR_LAYER_ZERO, "zero flag");
            n_flag += x.n_valid - before_flag;
            if (l->kind != GKR_INPUT)
                valid_by_kind[l->kind] += before_flag - before;
        }
        printf("# %s: %zu circuit changes still valid circuits (generic %zu, eltwise %zu, "
               "matmul %zu), %zu invalid\n",
               x.f->name, x.n_valid, valid_by_kind[GKR_GENERIC], valid_by_kind[GKR_ELTWISE],
               valid_by_kind[GKR_MATMUL], x.n_invalid);
        printf("# %s: %zu valid changes of advice layers, %zu of zero flags\n", x.f->name,
               n_advice, n_flag);
        /* the advice circuits: at least three valid changes of each advice
         * layer (a width, a length, made public); the flag cleared on the
         * zero layer the output reads and set on the computed layer t (the
         * others would leave an unread layer, or flag the output) */
        if (i == FX_ADVICE || i == FX_ADVICE2) {
            assert_true(n_advice >= 3 * 3);
            assert_int_equal(n_flag, 2);
        }
        /* the fixed circuits offer valid changes of every kind they use (a
         * random one may have no other layer a view could read) */
        for (int k = GKR_GENERIC; k < GKR_KIND_COUNT && (i == FX_DEMO || i == FX_FIXED); k++)
            if (uses_kind(c, (gkr_kind)k) && valid_by_kind[k] == 0)
                fail_msg("%s: no valid change of a %s layer was tried", x.f->name,
                         gkr_kind_name((gkr_kind)k));
    }
}

/* A proof for one circuit, with the other circuit (and its inputs). */
static void test_cross_circuit(void **state)
{
    (void)state;
    for (int a = 0; a < FX_COUNT; a++) {
        for (int b = 0; b < FX_COUNT; b++) {
            if (a == b || memcmp(g_fx[a].digest, g_fx[b].digest, GKR_DIGEST_BYTES) == 0)
                continue;
            const fixture *fa = &g_fx[a], *fb = &g_fx[b];
            expect_reject(fb, fa->proof, fa->len, "proof of another circuit");
            gkr_proof P;
            decode_ok(fa, &P);
            memcpy(P.digest, fb->digest, GKR_DIGEST_BYTES);
            expect_reject_proof(fb, &P, "proof of another circuit, digest replaced");
            gkr_proof_free(&P);
        }
    }
}

/* ---------------------------------------------- a replica of the driver */

/* The prover's driver as gkr.h describes it (labels as in gkr.c), built on
 * the kinds' interface in gkr_kind.h (so it follows that internal header):
 * absorb the digest, each public input layer, then each advice layer's first
 * len values (both from `absorbed`; the advice also goes into the proof,
 * from `absorbed`), then the claimed output (values[0]); draw z0 for the
 * output claim, then a point for each zero layer, claimed 0; then reduce
 * every computed layer with its kind's prover over `values`.  Sections in
 * tag order: the output, then each computed or advice layer.  Unlike
 * gkr_prove it does not check the witness (zero layers zero, advice zero
 * past its length).  With absorbed == values it must produce gkr_prove's
 * bytes.  *claims_out (if not NULL) receives every layer's claims. */
static void claims_release(gkr_claims *cl, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        free(cl[i].points);
        free(cl[i].values);
        free(cl[i].alpha);
        free(cl[i].hid);
    }
    free(cl);
}

static uint8_t *replica_prove(const gkr_circuit *c, fr *const *absorbed, fr *const *values,
                              size_t *len, gkr_claims **claims_out)
{
    zkm_err e;
    transcript tr;
    gkr_claims *cl = calloc(c->n_layers, sizeof *cl);
    uint32_t *sec_of = calloc(c->n_layers, sizeof *sec_of);
    assert_true(cl && sec_of);
    uint32_t n_sections = 1;
    for (uint32_t i = 0; i < c->n_layers; i++) {
        cl[i].nvars = c->layers[i].nvars;
        if (c->layers[i].kind != GKR_INPUT || is_advice(&c->layers[i]))
            sec_of[i] = n_sections++;
    }
    gkr_proof P = {.n_sections = n_sections};
    P.sections = calloc(P.n_sections, sizeof *P.sections);
    assert_non_null(P.sections);
    gkr_circuit_digest(c, P.digest);

    tr_init(&tr, "zkm/gkr/v1");
    tr_absorb_bytes(&tr, "gkr/circuit", P.digest, GKR_DIGEST_BYTES);
    for (uint32_t i = 0; i < c->n_layers; i++) {
        if (!is_public(&c->layers[i]))
            continue;
        tr_absorb_u64(&tr, "gkr/input-layer", i);
        tr_absorb_frs(&tr, "gkr/input", absorbed[i], (size_t)1 << c->layers[i].nvars);
    }
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gkr_layer *l = &c->layers[i];
        if (!is_advice(l))
            continue;
        tr_absorb_u64(&tr, "gkr/advice-layer", i);
        tr_absorb_frs(&tr, "gkr/advice", absorbed[i], l->p.input.len);
        gkr_section *sec = &P.sections[sec_of[i]];
        sec->encoding = l->p.input.encoding;
        sec->width = l->p.input.width;
        if (l->p.input.len)
            assert_int_equal(fr_vec_push(&sec->msgs, absorbed[i], l->p.input.len, &e), ZKM_OK);
    }
    const uint32_t n0 = c->layers[0].nvars;
    tr_absorb_frs(&tr, "gkr/output", values[0], (size_t)1 << n0);
    assert_int_equal(fr_vec_push(&P.sections[0].msgs, values[0], (size_t)1 << n0, &e), ZKM_OK);

    /* the output claim, then "zero at a random point" for each zero layer */
    fr z[GKR_MAX_NVARS], v;
    tr_challenges(&tr, "gkr/z0", z, n0);
    eval_mle(&v, values[0], n0, z);
    tu_claim_push(&cl[0], z, &v);
    fr_set_zero(&v);
    for (uint32_t i = 1; i < c->n_layers; i++) {
        if (!(c->layers[i].flags & GKR_LAYER_ZERO))
            continue;
        tr_challenges(&tr, "gkr/zero-z", z, c->layers[i].nvars);
        tu_claim_push(&cl[i], z, &v);
    }

    gkr_scratch scratch; /* the kinds' reusable tables */
    memset(&scratch, 0, sizeof scratch);
    for (uint32_t li = 0; li < c->n_layers; li++) {
        const gkr_layer *l = &c->layers[li];
        if (l->kind == GKR_INPUT)
            continue;
        assert_true(cl[li].n >= 1);
        if (cl[li].n == 1)
            fr_set_one(&cl[li].alpha[0]);
        else
            tr_challenges(&tr, "gkr/alpha", cl[li].alpha, cl[li].n);
        gkr_section *sec = &P.sections[sec_of[li]];
        zk_chan ch = {.tr = &tr, .out = &sec->msgs};
        gkr_pctx x = {.c = c, .values = values, .tr = &tr, .ch = &ch, .claims = cl,
                      .scratch = &scratch};
        if (gkr_kind_get(l->kind)->prove(&x, li, &e))
            fail_msg("replica: layer %u: %s", li, e.msg);
    }
    for (uint32_t i = 0; i < c->n_layers; i++)
        if (sec_of[i])
            P.sections[sec_of[i]].tag = 1 + i;
    free(sec_of);
    for (unsigned k = 0; k < GKR_SCRATCH_SLOTS; k++)
        free(scratch.buf[k]);
    uint8_t *out;
    if (gkr_proof_encode(&P, &out, len, &e))
        fail_msg("replica: encode: %s", e.msg);
    gkr_proof_free(&P);
    if (claims_out)
        *claims_out = cl;
    else
        claims_release(cl, c->n_layers);
    return out;
}

/* eq(z, bits(b)) over n coordinates */
static void eq_index(fr *out, const fr *z, uint32_t n, size_t b)
{
    fr bits[GKR_MAX_NVARS];
    for (uint32_t i = 0; i < n; i++) {
        if ((b >> i) & 1)
            fr_set_one(&bits[i]);
        else
            fr_set_zero(&bits[i]);
    }
    mle_eq_eval(out, z, bits, n);
}

/* Solve the k x k system A x = b (row-major, destroyed) by elimination;
 * returns 0 if A is singular. */
static int solve(fr *A, fr *b, fr *x, size_t k)
{
    for (size_t col = 0; col < k; col++) {
        size_t piv = col;
        while (piv < k && fr_is_zero(&A[piv * k + col]))
            piv++;
        if (piv == k)
            return 0;
        if (piv != col) {
            for (size_t j = 0; j < k; j++) {
                fr t = A[col * k + j];
                A[col * k + j] = A[piv * k + j];
                A[piv * k + j] = t;
            }
            fr t = b[col];
            b[col] = b[piv];
            b[piv] = t;
        }
        fr inv;
        fr_inv_var(&inv, &A[col * k + col]);
        for (size_t r = 0; r < k; r++) {
            if (r == col || fr_is_zero(&A[r * k + col]))
                continue;
            fr m, t;
            fr_mul(&m, &A[r * k + col], &inv);
            for (size_t j = col; j < k; j++) {
                fr_mul(&t, &m, &A[col * k + j]);
                fr_sub(&A[r * k + j], &A[r * k + j], &t);
            }
            fr_mul(&t, &m, &b[col]);
            fr_sub(&b[r], &b[r], &t);
        }
    }
    for (size_t r = 0; r < k; r++) {
        fr inv;
        fr_inv_var(&inv, &A[r * k + r]);
        fr_mul(&x[r], &b[r], &inv);
    }
    return 1;
}

/* Change tab (2^n entries) at k + 1 distinct entries among those flagged in
 * cov, so that its extension at each of the k points (n coordinates each)
 * stays the same.  Returns 0 if no such change was found (too few entries,
 * or every random choice of entries gave a singular system). */
static int change_keeping_points(tu_rng *g, fr *tab, uint32_t n, const uint8_t *cov,
                                 const fr *points, size_t k)
{
    const size_t len = (size_t)1 << n;
    size_t ncov = 0;
    for (size_t i = 0; i < len; i++)
        ncov += cov[i] != 0;
    if (k + 1 > ncov)
        return 0;
    size_t *idx = malloc((k + 1) * sizeof *idx);
    fr *A = malloc((k * k + 1) * sizeof(fr)), *b = malloc((k + 1) * sizeof(fr)),
       *d = malloc((k + 1) * sizeof(fr));
    assert_true(idx && A && b && d);
    int found = 0;
    for (int attempt = 0; attempt < 200 && !found; attempt++) {
        for (size_t j = 0; j <= k; j++) {
            int fresh;
            do {
                idx[j] = tu_below(g, len);
                fresh = cov[idx[j]] != 0;
                for (size_t i = 0; i < j; i++)
                    fresh &= idx[i] != idx[j];
            } while (!fresh);
        }
        /* d_0 random non-zero; sum_j d_j eq(z_i, idx_j) = 0 for every point i */
        fr d0, t;
        do
            tu_fr(g, &d0);
        while (fr_is_zero(&d0));
        for (size_t i = 0; i < k; i++) {
            for (size_t j = 0; j < k; j++)
                eq_index(&A[i * k + j], points + i * n, n, idx[j + 1]);
            eq_index(&t, points + i * n, n, idx[0]);
            fr_mul(&t, &t, &d0);
            fr_neg(&b[i], &t);
        }
        if (k && !solve(A, b, d, k))
            continue;
        fr_add(&tab[idx[0]], &tab[idx[0]], &d0);
        for (size_t j = 0; j < k; j++)
            fr_add(&tab[idx[j + 1]], &tab[idx[j + 1]], &d[j]);
        found = 1;
    }
    free(idx);
    free(A);
    free(b);
    free(d);
    return found;
}

/* 1 if some claim in cl gives entry k a non-zero weight eq(point, bits(k)):
 * a change of that entry changes a claimed value. */
static int entry_visible_from(const gkr_claims *cl, size_t k, size_t first)
{
    for (size_t j = first; j < cl->n; j++) {
        fr w;
        eq_index(&w, cl->points + j * cl->nvars, cl->nvars, k);
        if (!fr_is_zero(&w))
            return 1;
    }
    return 0;
}

static int entry_visible(const gkr_claims *cl, size_t k)
{
    return entry_visible_from(cl, k, 0);
}

/* gkr_prove on values that are not the circuit's evaluation: each entry of
 * each computed layer changed in turn, the layers above left as they were.
 * The claimed output is then still true, so soundness alone does not demand
 * a rejection; but a changed entry that some claim on its layer weighs
 * (always so for the output) makes that layer's claim false, and that must be
 * rejected.  An entry no claim weighs (outside every block read, or in a row
 * a matrix product above never reaches) changes nothing the proof says.  A
 * zero layer's own claim (its first, "0 at a random point") is not taken
 * from its values but from its definition: a changed entry of a zero layer
 * is visible only through the layers that read it; gkr_prove refuses such
 * values, the replica proves them. */
static void test_cheating_prover(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0xc4ea);
    for (int i = 0; i < FX_COUNT; i++) {
        fixture *f = &g_fx[i];
        const gkr_circuit *c = &f->c;
        size_t n_visible = 0, n_invisible = 0, n_middle = 0, n_zero = 0, n_zero_visible = 0;
        for (uint32_t L = 0; L < c->n_layers; L++) {
            if (c->layers[L].kind == GKR_INPUT)
                continue;
            const size_t len = (size_t)1 << c->layers[L].nvars;
            for (size_t k = 0; k < len; k++) {
                const fr saved = f->vals[L][k];
                fr_add_u64(&f->vals[L][k], 1 + tu_below(&g, 1000));
                uint8_t *proof, *rep;
                size_t n, rn;
                zkm_err e;
                gkr_claims *cl;
                const zkm_status ps = gkr_prove(c, f->vals, &proof, &n, NULL, &e);
                rep = replica_prove(c, f->vals, f->vals, &rn, &cl);
                f->vals[L][k] = saved;
                if (c->layers[L].flags & GKR_LAYER_ZERO) {
                    /* gkr_prove refuses a zero layer that is not zero; the
                     * replica proves it anyway */
                    if (ps != ZKM_EINVAL)
                        fail_msg("%s: zero layer %u entry %zu changed: prove says %s", f->name,
                                 L, k, zkm_status_str(ps));
                    proof = rep;
                    n = rn;
                    rep = NULL;
                    n_zero++;
                } else {
                    if (ps)
                        fail_msg("%s: prove on changed values: %s", f->name, e.msg);
                    assert_int_equal(rn, n);
                    assert_memory_equal(rep, proof, n);
                }
                const int zero_layer = (c->layers[L].flags & GKR_LAYER_ZERO) != 0;
                const int visible = entry_visible_from(&cl[L], k, zero_layer ? 1 : 0);
                n_zero_visible += zero_layer && visible;
                zkm_status st = verify_bytes(f, proof, n, &e);
                if (visible && st != ZKM_EREJECT)
                    fail_msg("%s: layer %u entry %zu changed: verify says %s", f->name, L, k,
                             zkm_status_str(st));
                if (!visible && st != ZKM_OK && st != ZKM_EREJECT)
                    fail_msg("%s: layer %u entry %zu: verify says %s", f->name, L, k,
                             zkm_status_str(st));
                if (visible) {
                    n_visible++;
                    n_middle += L > 0;
                } else {
                    n_invisible++;
                }
                claims_release(cl, c->n_layers);
                free(rep);
                free(proof);
            }
        }
        printf("# %s: %zu cheating proofs rejected (%zu below the output, %zu of %zu in zero "
               "layers), %zu entries no claim weighs\n", f->name, n_visible, n_middle,
               n_zero_visible, n_zero, n_invisible);
        assert_true(n_visible > 0);
        /* the recomposition layer is read by the output */
        if (i == FX_ADVICE || i == FX_ADVICE2)
            assert_true(n_zero_visible > 0);
        if (i == FX_DEMO || i == FX_FIXED)
            assert_true(n_middle > 0);
    }
}

static void test_replica_driver(void **state)
{
    (void)state;
    for (int i = 0; i < FX_COUNT; i++) {
        const fixture *f = &g_fx[i];
        size_t n;
        uint8_t *b = replica_prove(&f->c, f->vals, f->vals, &n, NULL);
        if (n != f->len || memcmp(b, f->proof, n) != 0)
            fail_msg("%s: the replica of the driver does not reproduce gkr_prove", f->name);
        free(b);
    }
}

/* Proves the statement for other public inputs while absorbing the true
 * ones: the transcript is the verifier's, every layer reduction is honest,
 * and only the verifier's evaluation of the input layers can object.  The
 * same for advice: the true advice sent (and absorbed), other advice proven.
 * Advice changed within its range and sent is another witness, which the
 * verifier accepts exactly when the zero layers still hold. */
static void test_lying_about_inputs(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x11e5);
    for (int i = 0; i < FX_COUNT; i++) {
        fixture *f = &g_fx[i];
        const gkr_circuit *c = &f->c;
        size_t n_tried = 0, n_unseen = 0, n_adv_ok = 0, n_adv_bad = 0;
        fr **other = calloc(c->n_layers, sizeof *other);
        assert_non_null(other);
        for (uint32_t L = 0; L < c->n_layers; L++) {
            if (c->layers[L].kind != GKR_INPUT)
                continue;
            const size_t len = (size_t)1 << c->layers[L].nvars;
            other[L] = malloc(len * sizeof(fr));
            assert_non_null(other[L]);
            memcpy(other[L], f->vals[L], len * sizeof(fr));
        }
        for (uint32_t L = 0; L < c->n_layers; L++) {
            if (c->layers[L].kind != GKR_INPUT)
                continue;
            const gkr_layer *l = &c->layers[L];
            const size_t len = (size_t)1 << l->nvars;
            const int adv = is_advice(l);
            /* every entry of a small layer, 64 random ones of a larger one */
            for (size_t t = 0; t < (len <= 64 ? len : 64); t++) {
                const size_t k = len <= 64 ? t : tu_below(&g, len);
                const int sent = adv && k < l->p.input.len; /* an advice value in the proof */
                zkm_err e;
                size_t n;
                gkr_claims *cl;
                const fr saved = other[L][k];
                if (sent)
                    advice_flip(&other[L][k], l->p.input.encoding, l->p.input.width,
                                (unsigned)tu_below(&g, l->p.input.width));
                else
                    fr_add_u64(&other[L][k], 1 + tu_below(&g, 1000));
                assert_int_equal(gkr_eval(c, other, &e), ZKM_OK);
                uint8_t *b;
                if (!adv) {
                    /* consistent: a valid proof, but for the other inputs (if
                     * they still satisfy the zero layers) */
                    b = replica_prove(c, other, other, &n, NULL);
                    if (verify_bytes(f, b, n, &e) != ZKM_EREJECT)
                        fail_msg("%s: a proof for other inputs is not rejected", f->name);
                    fr *out = NULL;
                    const int holds = zero_layers_hold(c, other);
                    zkm_status st = gkr_verify(c, other, b, n, &out, NULL, &e);
                    if (holds && st)
                        fail_msg("%s: replica proof for the changed inputs: %s", f->name, e.msg);
                    if (!holds && st != ZKM_EREJECT)
                        fail_msg("%s: inputs violating a zero layer: verify says %s", f->name,
                                 zkm_status_str(st));
                    free(out);
                    free(b);
                } else if (sent) {
                    /* other advice, sent: another witness */
                    const int holds = zero_layers_hold(c, other);
                    b = replica_prove(c, other, other, &n, NULL);
                    fr *out = NULL;
                    zkm_err_clear(&e);
                    zkm_status st = gkr_verify(c, f->vals, b, n, &out, NULL, &e);
                    if (holds != (st == ZKM_OK))
                        fail_msg("%s: advice layer %u entry %zu changed, zero layers %s: verify "
                                 "says %s (%s)", f->name, L, k, holds ? "hold" : "violated",
                                 zkm_status_str(st), e.msg);
                    if (holds)
                        assert_memory_equal(out, other[0],
                                            ((size_t)1 << c->layers[0].nvars) * sizeof(fr));
                    else
                        assert_int_equal(st, ZKM_EREJECT);
                    free(out);
                    uint8_t *pb;
                    size_t pn;
                    st = gkr_prove(c, other, &pb, &pn, NULL, &e);
                    if (holds) {
                        assert_int_equal(st, ZKM_OK);
                        assert_int_equal(pn, n);
                        assert_memory_equal(pb, b, n);
                        free(pb);
                        n_adv_ok++;
                    } else {
                        assert_int_equal(st, ZKM_EINVAL);
                        n_adv_bad++;
                    }
                    free(b);
                } else {
                    /* advice non-zero past its length: gkr_prove refuses */
                    uint8_t *pb;
                    size_t pn;
                    assert_int_equal(gkr_prove(c, other, &pb, &pn, NULL, &e), ZKM_EINVAL);
                }
                /* lying: the true inputs absorbed (and the true advice sent), the
                 * other ones proven */
                b = replica_prove(c, f->vals, other, &n, &cl);
                const int visible = entry_visible(&cl[L], k);
                zkm_status st = verify_bytes(f, b, n, &e);
                if (visible && st != ZKM_EREJECT)
                    fail_msg("%s: input layer %u entry %zu proven with another value: verify "
                             "says %s", f->name, L, k, zkm_status_str(st));
                if (!visible && st != ZKM_OK && st != ZKM_EREJECT)
                    fail_msg("%s: input layer %u entry %zu: verify says %s", f->name, L, k,
                             zkm_status_str(st));
                n_tried += visible;
                n_unseen += !visible;
                claims_release(cl, c->n_layers);
                free(b);
                gkr_values_free(c, other);
                other[L][k] = saved;
            }
        }
        for (uint32_t L = 0; L < c->n_layers; L++)
            if (c->layers[L].kind == GKR_INPUT)
                free(other[L]);
        free(other);
        printf("# %s: %zu proofs for other inputs rejected, %zu entries no claim weighs\n",
               f->name, n_tried, n_unseen);
        if (i == FX_DEMO || i == FX_FIXED)
            assert_true(n_tried > 0);
        if (i == FX_ADVICE || i == FX_ADVICE2) {
            /* bits flipped break the recomposition; s and u are free */
            printf("# %s: other advice: %zu valid witnesses accepted, %zu violating a zero "
                   "layer rejected\n", f->name, n_adv_ok, n_adv_bad);
            assert_true(n_adv_bad > 0);
        }
    }
}

/* Outputs and inputs changed where the honest claims cannot see it: the
 * extension at every claimed point is kept, so the unchanged proof would
 * pass if the transcript did not absorb them. */
static void test_transcript_binding(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0xb1d0);
    for (int i = 0; i < FX_COUNT; i++) {
        fixture *f = &g_fx[i];
        const gkr_circuit *c = &f->c;
        gkr_claims *cl;
        size_t n, n_inputs = 0;
        uint8_t *b = replica_prove(c, f->vals, f->vals, &n, &cl);
        assert_memory_equal(b, f->proof, n);
        free(b);

        /* the output, changed at two or more entries, same value at z0 */
        const uint32_t n0 = c->layers[0].nvars;
        gkr_proof P;
        decode_ok(f, &P);
        fr *out = P.sections[0].msgs.v;
        fr before, after;
        eval_mle(&before, out, n0, cl[0].points);
        uint8_t *all = malloc((size_t)1 << n0);
        assert_non_null(all);
        memset(all, 1, (size_t)1 << n0);
        const int changed = change_keeping_points(&g, out, n0, all, cl[0].points, 1);
        free(all);
        if (changed) {
            eval_mle(&after, out, n0, cl[0].points);
            assert_true(fr_eq(&before, &after));
            expect_reject_proof(f, &P, "output changed, same value at z0");
        } else {
            assert_int_equal(n0, 0);
        }
        gkr_proof_free(&P);

        /* each public input layer, changed keeping its value at every claimed
         * point (advice values so changed would not fit their width) */
        for (uint32_t L = 0; L < c->n_layers; L++) {
            if (!is_public(&c->layers[L]))
                continue;
            const uint32_t nv = c->layers[L].nvars;
            const size_t len = (size_t)1 << nv;
            fr *saved = malloc(len * sizeof(fr));
            assert_non_null(saved);
            memcpy(saved, f->vals[L], len * sizeof(fr));
            /* among the entries the claims weigh */
            uint8_t *cov = malloc(len);
            assert_non_null(cov);
            for (size_t k = 0; k < len; k++)
                cov[k] = (uint8_t)entry_visible(&cl[L], k);
            const int hidden = change_keeping_points(&g, f->vals[L], nv, cov, cl[L].points,
                                                     cl[L].n);
            free(cov);
            if (hidden) {
                for (size_t k = 0; k < cl[L].n; k++) {
                    eval_mle(&after, f->vals[L], nv, cl[L].points + k * nv);
                    assert_true(fr_eq(&after, &cl[L].values[k]));
                }
                expect_reject(f, f->proof, f->len, "input changed, same values at the claims");
                n_inputs++;
            } else {
                printf("# %s: input layer %u (2^%u entries, %zu claims) cannot be changed "
                       "invisibly\n", f->name, L, nv, cl[L].n);
            }
            memcpy(f->vals[L], saved, len * sizeof(fr));
            free(saved);
        }
        printf("# %s: %zu input layers changed invisibly to the claims, rejected\n", f->name,
               n_inputs);
        if (i == FX_DEMO)
            assert_true(n_inputs > 0);
        claims_release(cl, c->n_layers);
    }
}

/* ------------------------------------------------ advice and zero layers */

/* Every bit of every advice value flipped in the proof bytes: the proof
 * still parses (another value in range) and is rejected.  And every advice
 * value changed within its range (one bit of its encoding flipped, or
 * zeroed) and re-encoded: rejected; so are the same values declared with
 * another width or signedness, and one value more or fewer. */
static void test_advice_values(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0xadf1);
    for (int i = FX_ADVICE; i <= FX_ADVICE2; i++) {
        const fixture *f = &g_fx[i];
        gkr_proof P;
        decode_ok(f, &P);
        uint8_t *b = malloc(f->len);
        assert_non_null(b);
        memcpy(b, f->proof, f->len);
        size_t n_bits = 0, n_values = 0, n_sections = 0;
        for (uint32_t s = 0; s < P.n_sections; s++) {
            gkr_section *sec = &P.sections[s];
            if (sec->encoding == GKR_ENC_FIELD)
                continue;
            n_sections++;
            const uint32_t li = sec->tag - 1;
            assert_true(li < f->c.n_layers && is_advice(&f->c.layers[li]));
            const size_t pl = section_offset(f->proof, s) + 12;
            const unsigned w = sec->width;
            for (size_t k = 0; k < sec->msgs.n; k++, n_values++) {
                /* in the bytes */
                for (unsigned j = 0; j < w; j++, n_bits++) {
                    const size_t bit = k * w + j;
                    zkm_err e;
                    gkr_proof Q;
                    b[pl + bit / 8] ^= (uint8_t)(1u << (bit % 8));
                    assert_int_equal(gkr_proof_decode(&Q, b, f->len, &e), ZKM_OK);
                    /* exactly that value changed, as the bit says */
                    fr want = P.sections[s].msgs.v[k];
                    advice_flip(&want, sec->encoding, w, j);
                    assert_true(fr_eq(&Q.sections[s].msgs.v[k], &want));
                    gkr_proof_free(&Q);
                    expect_reject(f, b, f->len, "an advice bit flipped");
                    b[pl + bit / 8] ^= (uint8_t)(1u << (bit % 8));
                }
                /* in the values, re-encoded */
                const fr saved = sec->msgs.v[k];
                advice_flip(&sec->msgs.v[k], sec->encoding, w, (unsigned)tu_below(&g, w));
                expect_reject_proof(f, &P, "an advice value changed in range");
                if (!fr_is_zero(&saved)) {
                    fr_set_zero(&sec->msgs.v[k]);
                    expect_reject_proof(f, &P, "an advice value zeroed");
                }
                sec->msgs.v[k] = saved;
            }
            /* the same values declared with a wider width, or with the other
             * signedness (one bit wider or narrower, or as wide) where they
             * all still fit: the verifier absorbs the same values, only the
             * declaration differs from the circuit's */
            const uint8_t enc = sec->encoding, w0 = sec->width;
            for (int v = 0; v < 4; v++) {
                sec->encoding = v == 0 ? enc : (uint8_t)(GKR_ENC_UINT + GKR_ENC_SINT - enc);
                sec->width = (uint8_t)(v == 3 ? w0 : v == 2 ? w0 - 1 : w0 + 1);
                if (!gkr_encoding_ok(sec->encoding, sec->width))
                    continue;
                int all_fit = 1;
                for (size_t k = 0; k < sec->msgs.n; k++)
                    all_fit &= fits(&sec->msgs.v[k], sec->encoding, sec->width);
                if (all_fit)
                    expect_reject_proof(f, &P, "advice re-declared");
            }
            sec->encoding = enc;
            sec->width = w0;
            /* one value more (0) or fewer */
            fr z;
            fr_set_zero(&z);
            assert_int_equal(fr_vec_push(&sec->msgs, &z, 1, NULL), ZKM_OK);
            expect_reject_proof(f, &P, "an advice value more");
            sec->msgs.n--;
            if (sec->msgs.n > 0) { /* an empty section has no value to drop */
                sec->msgs.n--;
                expect_reject_proof(f, &P, "an advice value fewer");
                sec->msgs.n++;
            }
        }
        {
            /* untouched, it re-encodes to the honest proof */
            uint8_t *re;
            size_t rn;
            assert_int_equal(gkr_proof_encode(&P, &re, &rn, NULL), ZKM_OK);
            assert_int_equal(rn, f->len);
            assert_memory_equal(re, f->proof, rn);
            free(re);
        }
        assert_memory_equal(b, f->proof, f->len);
        free(b);
        gkr_proof_free(&P);
        printf("# %s: %zu advice sections, %zu values, %zu bits flipped, all rejected\n",
               f->name, n_sections, n_values, n_bits);
        assert_int_equal(n_sections, 3);
    }
}

/* Inputs of a fixture copied into fresh arrays (every input layer). */
static fr **inputs_copy(const fixture *f)
{
    const gkr_circuit *c = &f->c;
    fr **w = calloc(c->n_layers, sizeof *w);
    assert_non_null(w);
    for (uint32_t L = 0; L < c->n_layers; L++) {
        if (c->layers[L].kind != GKR_INPUT)
            continue;
        const size_t len = ((size_t)1 << c->layers[L].nvars) * sizeof(fr);
        w[L] = malloc(len);
        assert_non_null(w[L]);
        memcpy(w[L], f->vals[L], len);
    }
    return w;
}

static void inputs_release(const gkr_circuit *c, fr **w)
{
    gkr_values_free(c, w);
    for (uint32_t L = 0; L < c->n_layers; L++)
        if (c->layers[L].kind == GKR_INPUT)
            free(w[L]);
    free(w);
}

/* A witness w (inputs set, not yet evaluated) that violates a zero layer,
 * or advice past its length: gkr_prove refuses it, the replica proves it,
 * and gkr_verify (given w's public inputs) rejects the proof.  forge: the
 * zero layer's values are replaced by zeros after evaluation, so the
 * prover also claims it is zero.  Returns the zero-layer pattern (bit L set
 * if zero layer L holds). */
static unsigned prove_violation(const fixture *f, fr **w, uint32_t forge, const char *what)
{
    const gkr_circuit *c = &f->c;
    zkm_err e;
    assert_int_equal(gkr_eval(c, w, &e), ZKM_OK);
    unsigned holds = 0;
    for (uint32_t L = 0; L < c->n_layers; L++) {
        if (!(c->layers[L].flags & GKR_LAYER_ZERO))
            continue;
        int zero = 1;
        for (size_t k = 0; k < ((size_t)1 << c->layers[L].nvars); k++)
            zero &= fr_is_zero(&w[L][k]);
        holds |= (unsigned)zero << L;
    }
    uint8_t *b;
    size_t n;
    fr *out = NULL;
    zkm_status st;
    if (forge) {
        memset(w[forge], 0, ((size_t)1 << c->layers[forge].nvars) * sizeof(fr));
        /* not gkr_eval's values: gkr_prove's witness check cannot tell, but
         * whatever it proves must not verify */
        if (gkr_prove(c, w, &b, &n, NULL, &e) == ZKM_OK) {
            st = gkr_verify(c, w, b, n, &out, NULL, &e);
            if (st != ZKM_EREJECT)
                fail_msg("%s: %s: gkr_prove's proof: verify says %s", f->name, what,
                         zkm_status_str(st));
            free(b);
        }
    } else if (gkr_prove(c, w, &b, &n, NULL, &e) != ZKM_EINVAL) {
        fail_msg("%s: %s: gkr_prove does not refuse the witness", f->name, what);
    }
    b = replica_prove(c, w, w, &n, NULL);
    zkm_err_clear(&e);
    st = gkr_verify(c, w, b, n, &out, NULL, &e);
    if (st != ZKM_EREJECT)
        fail_msg("%s: %s: verify says %s (%s)", f->name, what, zkm_status_str(st), e.msg);
    assert_null(out);
    free(b);
    gkr_values_free(c, w);
    return holds;
}

static void test_zero_layer_violations(void **state)
{
    (void)state;
    const unsigned bool_bit = 1u << TU_ADV_BOOL, rec_bit = 1u << TU_ADV_R;
    size_t n_cases = 0;
    for (int i = FX_ADVICE; i <= FX_ADVICE2; i++) {
        const fixture *f = &g_fx[i];
        const gkr_circuit *c = &f->c;
        const uint32_t N = c->layers[TU_ADV_X].nvars;
        const size_t len = (size_t)1 << N;
        const gkr_input_params *bits = &c->layers[TU_ADV_BITS].p.input;
        for (size_t k = 0; k < len; k++) {
            fr **w;
            /* control: x = 2 with its true bits (0, 1, 0) is a valid witness */
            w = inputs_copy(f);
            fr_set_u64(&w[TU_ADV_X][k], 2);
            for (unsigned p = 0; p < TU_ADV_PLANES; p++)
                fr_set_u64(&w[TU_ADV_BITS][((size_t)p << N) + k], p == 1);
            {
                zkm_err e;
                uint8_t *b;
                size_t n;
                assert_int_equal(gkr_eval(c, w, &e), ZKM_OK);
                assert_true(zero_layers_hold(c, w));
                if (gkr_prove(c, w, &b, &n, NULL, &e))
                    fail_msg("%s: prove: %s", f->name, e.msg);
                if (gkr_verify(c, w, b, n, NULL, NULL, &e))
                    fail_msg("%s: verify: %s", f->name, e.msg);
                free(b);
                gkr_values_free(c, w);
            }
            /* a non-boolean bit that recomposes: 2 = 2*1 + 0 */
            if (bits->width >= 2) {
                fr_set_u64(&w[TU_ADV_BITS][k], 2);
                fr_set_u64(&w[TU_ADV_BITS][len + k], 0);
                assert_int_equal(prove_violation(f, w, 0, "bit 2, recomposing"), rec_bit);
                assert_int_equal(prove_violation(f, w, TU_ADV_BOOL,
                                                 "bit 2, booleanity forged to zero"),
                                 rec_bit);
                n_cases += 2;
            }
            inputs_release(c, w);

            /* a wrong recomposition: each bit of x flipped */
            for (unsigned p = 0; p < TU_ADV_PLANES; p++) {
                w = inputs_copy(f);
                fr *bit = &w[TU_ADV_BITS][((size_t)p << N) + k];
                fr_set_u64(bit, fr_is_zero(bit));
                assert_int_equal(prove_violation(f, w, 0, "a bit flipped"), bool_bit);
                assert_int_equal(prove_violation(f, w, TU_ADV_R, "recomposition forged to zero"),
                                 bool_bit);
                inputs_release(c, w);
                n_cases += 2;
            }
            /* the fourth plane (past the bits layer's length) set: a bit,
             * but not sent */
            w = inputs_copy(f);
            fr_set_u64(&w[TU_ADV_BITS][((size_t)TU_ADV_PLANES << N) + k], 1);
            assert_int_equal(prove_violation(f, w, 0, "bits past the advice length"),
                             bool_bit | rec_bit);
            inputs_release(c, w);
            n_cases++;
            /* s and u past their lengths */
            for (uint32_t L = TU_ADV_S; L <= TU_ADV_U; L += TU_ADV_U - TU_ADV_S) {
                if (k < c->layers[L].p.input.len)
                    continue;
                w = inputs_copy(f);
                fr_set_u64(&w[L][k], 1);
                assert_int_equal(prove_violation(f, w, 0, "advice past its length"),
                                 bool_bit | rec_bit);
                inputs_release(c, w);
                n_cases++;
            }
        }
    }
    printf("# %zu witnesses violating a zero layer or an advice length, rejected\n", n_cases);
}

int main(void)
{
    g_seed = tu_seed("test_soundness");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_honest),
        cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_truncated_and_extended),
        cmocka_unit_test(test_changed_output),
        cmocka_unit_test(test_changed_input),
        cmocka_unit_test(test_changed_messages),
        cmocka_unit_test(test_changed_circuit),
        cmocka_unit_test(test_cross_circuit),
        cmocka_unit_test(test_cheating_prover),
        cmocka_unit_test(test_replica_driver),
        cmocka_unit_test(test_lying_about_inputs),
        cmocka_unit_test(test_transcript_binding),
        cmocka_unit_test(test_advice_values),
        cmocka_unit_test(test_zero_layer_violations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
