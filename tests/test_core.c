/* Unit tests of the proof system's building blocks:
 *   - the Fiat-Shamir transcript: a known-answer vector, recomputed here
 *     independently from the documented framing with libsodium and GMP, and
 *     sensitivity of every challenge to every absorbed byte and label;
 *   - multilinear tables: eq tables against eq evaluations, evaluation
 *     against the defining sum over the hypercube, folding, weighted sums;
 *   - sum-check: random sums of products proven and verified, the fast-path
 *     shapes against the generic loop message by message, wrong claims and
 *     truncated messages, interpolation;
 *   - gkr_circuit_check: every structural mistake it must catch. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gmp.h>
#include <sodium.h>

#include "circuit.h"
#include "fr.h"
#include "gkr.h"
#include "mle.h"
#include "sumcheck.h"
#include "testutil.h"
#include "transcript.h"

static uint64_t g_seed;

/* ---------------------------------------------------------------- helpers */

/* The canonical integer of a as 64 big-endian hex digits. */
static void fr_hex(const fr *a, char out[65])
{
    uint8_t b[FR_BYTES];
    fr_to_bytes(b, a);
    for (int i = 0; i < FR_BYTES; i++)
        snprintf(out + 2 * i, 3, "%02x", b[FR_BYTES - 1 - i]);
}

static void check_fr_eq(const fr *a, const fr *b, const char *what, const char *file, int line)
{
    if (!fr_eq(a, b)) {
        char ha[65], hb[65];
        fr_hex(a, ha);
        fr_hex(b, hb);
        fail_msg("%s:%d: %s: 0x%s != 0x%s", file, line, what, ha, hb);
    }
}
#define ASSERT_FR_EQ(a, b, what) check_fr_eq((a), (b), (what), __FILE__, __LINE__)

static fr *fr_array(size_t n)
{
    fr *p = malloc((n ? n : 1) * sizeof(fr));
    assert_non_null(p);
    return p;
}

static void rand_frs(tu_rng *g, fr *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tu_fr(g, &a[i]);
}

/* eq(z, bits(b)) computed with mle_eq_eval. */
static void eq_at_index(fr *out, const fr *z, unsigned n, size_t b)
{
    fr bits[GKR_MAX_NVARS];
    for (unsigned i = 0; i < n; i++) {
        if ((b >> i) & 1)
            fr_set_one(&bits[i]);
        else
            fr_set_zero(&bits[i]);
    }
    mle_eq_eval(out, z, bits, n);
}

/* f(point) by the definition: sum_b table[b] eq(point, bits(b)). */
static void naive_eval(fr *out, const fr *table, unsigned n, const fr *point)
{
    fr acc, t;
    fr_set_zero(&acc);
    for (size_t b = 0; b < ((size_t)1 << n); b++) {
        eq_at_index(&t, point, n, b);
        fr_mul(&t, &t, &table[b]);
        fr_add(&acc, &acc, &t);
    }
    *out = acc;
}

/* f(point) with mle_eval and a scratch of its own. */
static void eval_at(fr *out, const fr *table, unsigned n, const fr *point)
{
    fr *scratch = fr_array(n ? (size_t)1 << (n - 1) : 1);
    mle_eval(out, table, n, point, scratch);
    free(scratch);
}

/* ------------------------------------------------------------- transcript */

/* A transcript script: the known-answer sequence and its one-field variants. */
typedef struct {
    const char *init_label;
    const char *bytes_label;
    const uint8_t *data;
    size_t data_len;
    const char *u64_label;
    uint64_t u64;
    const char *fr_label;
    uint64_t fr_val;
    const char *ch_label;
} tr_script;

/* r in decimal, as DESIGN.md gives it */
#define R_DEC                                                                               \
    "21888242871839275222246405745257275088548364400416034343698204186575808495617"

static const uint8_t ABC[3] = {'a', 'b', 'c'};
static const tr_script KAT = {"zkm/test", "x", ABC, 3, "n", 7, "f", 5, "c"};

/* The three challenges of the known-answer sequence, computed once with this
 * implementation (and checked against the independent recomputation below):
 * canonical integers, big-endian hex. */
static const char *const KAT_HEX[3] = {
    "2bd0ddba51a1464da0812b38e8bd79b4ce28ab1a609dfc72a5dad51314b6140e",
    "0689e6d2cc2e1c333d9273990661d6ff8eca5251140a33ba436f7a7b32d34bc7",
    "203892df40b85f753c9a37c52f59f7aa8524558bb0b616adc0346d2b000d3f0c",
};

static void run_script(const tr_script *s, fr out[3])
{
    transcript t;
    fr v;
    tr_init(&t, s->init_label);
    tr_absorb_bytes(&t, s->bytes_label, s->data, s->data_len);
    tr_absorb_u64(&t, s->u64_label, s->u64);
    fr_set_u64(&v, s->fr_val);
    tr_absorb_fr(&t, s->fr_label, &v);
    tr_challenges(&t, s->ch_label, out, 3);
}

/* The documented frame: kind byte | label length (u32 LE) | label | data
 * length (u64 LE); kinds as numbered in transcript.c. */
enum { K_BYTES = 1, K_U64 = 2, K_FRS = 3, K_CHALLENGE = 4, K_INIT = 5 };

static void ref_frame(crypto_generichash_state *h, uint8_t kind, const char *label,
                      uint64_t data_len)
{
    uint8_t b[1 + 4 + 8];
    uint32_t ll = (uint32_t)strlen(label);
    b[0] = kind;
    for (int i = 0; i < 4; i++)
        b[1 + i] = (uint8_t)(ll >> (8 * i));
    crypto_generichash_update(h, b, 5);
    crypto_generichash_update(h, (const uint8_t *)label, ll);
    for (int i = 0; i < 8; i++)
        b[5 + i] = (uint8_t)(data_len >> (8 * i));
    crypto_generichash_update(h, b + 5, 8);
}

/* The challenges of the script by the documented construction: BLAKE2b-512
 * over the frames, each challenge the digest of a copy of the state after
 * its own frame, read as a 512-bit little-endian integer reduced mod r. */
static void ref_script(const tr_script *s, mpz_t out[3])
{
    crypto_generichash_state h, copy;
    uint8_t b[32], wide[64];
    mpz_t r;
    mpz_init_set_str(r, R_DEC, 10);
    crypto_generichash_init(&h, NULL, 0, 64);
    ref_frame(&h, K_INIT, s->init_label, 0);
    ref_frame(&h, K_BYTES, s->bytes_label, s->data_len);
    crypto_generichash_update(&h, s->data, s->data_len);
    ref_frame(&h, K_U64, s->u64_label, 8);
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(s->u64 >> (8 * i));
    crypto_generichash_update(&h, b, 8);
    ref_frame(&h, K_FRS, s->fr_label, 32);
    memset(b, 0, sizeof b);
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(s->fr_val >> (8 * i));
    crypto_generichash_update(&h, b, 32);
    for (int k = 0; k < 3; k++) {
        ref_frame(&h, K_CHALLENGE, s->ch_label, 0);
        copy = h;
        crypto_generichash_final(&copy, wide, sizeof wide);
        mpz_import(out[k], sizeof wide, -1, 1, 0, 0, wide);
        mpz_mod(out[k], out[k], r);
    }
    mpz_clear(r);
}

static void test_transcript_kat(void **state)
{
    (void)state;
    fr ch[3];
    mpz_t want, got, ref[3], r;
    mpz_inits(want, got, ref[0], ref[1], ref[2], r, NULL);
    /* the modulus is the one DESIGN.md names */
    fr_modulus_mpz(r);
    assert_int_equal(mpz_set_str(want, R_DEC, 10), 0);
    assert_int_equal(mpz_cmp(r, want), 0);

    run_script(&KAT, ch);
    ref_script(&KAT, ref);
    for (int k = 0; k < 3; k++) {
        char hex[65];
        fr_hex(&ch[k], hex);
        fr_to_mpz(got, &ch[k]);
        /* the independent construction gives the same integer ... */
        if (mpz_cmp(got, ref[k]) != 0)
            fail_msg("challenge %d: implementation 0x%s differs from the documented "
                     "construction 0x%s", k, hex, mpz_get_str(NULL, 16, ref[k]));
        /* ... and so does the pinned vector */
        assert_int_equal(mpz_set_str(want, KAT_HEX[k], 16), 0);
        if (mpz_cmp(got, want) != 0)
            fail_msg("challenge %d: 0x%s, known answer 0x%s", k, hex, KAT_HEX[k]);
    }
    mpz_clears(want, got, ref[0], ref[1], ref[2], r, NULL);
}

static void test_transcript_deterministic(void **state)
{
    (void)state;
    fr a[3], b[3];
    run_script(&KAT, a);
    run_script(&KAT, b);
    for (int k = 0; k < 3; k++)
        ASSERT_FR_EQ(&a[k], &b[k], "same sequence, same challenge");
    /* successive challenges with one label differ */
    assert_false(fr_eq(&a[0], &a[1]));
    assert_false(fr_eq(&a[1], &a[2]));
    assert_false(fr_eq(&a[0], &a[2]));
    /* tr_challenges is tr_challenge n times */
    transcript t;
    fr v, c[3];
    tr_init(&t, "zkm/test");
    tr_absorb_bytes(&t, "x", ABC, 3);
    tr_absorb_u64(&t, "n", 7);
    fr_set_u64(&v, 5);
    tr_absorb_frs(&t, "f", &v, 1);
    for (int k = 0; k < 3; k++)
        tr_challenge(&t, "c", &c[k]);
    for (int k = 0; k < 3; k++)
        ASSERT_FR_EQ(&a[k], &c[k], "tr_challenges vs tr_challenge");
}

static void test_transcript_sensitivity(void **state)
{
    (void)state;
    static const uint8_t ABD[3] = {'a', 'b', 'd'};
    static const uint8_t ABC_FLIP[3] = {'a', 'b', 'c' ^ 0x80};
    tr_script v[16];
    int nv = 0;
    tr_script s;
#define VARIANT(field, value) (s = KAT, s.field = (value), v[nv++] = s)
    VARIANT(init_label, "zkm/tesT");
    VARIANT(init_label, "zkm/test ");
    VARIANT(bytes_label, "y");
    VARIANT(bytes_label, "");
    VARIANT(data, ABD);
    VARIANT(data, ABC_FLIP);
    VARIANT(data_len, 2);
    VARIANT(u64_label, "N");
    VARIANT(u64, 8);
    VARIANT(u64, 7 | (1ull << 63));
    VARIANT(fr_label, "g");
    VARIANT(fr_val, 6);
    VARIANT(ch_label, "d");
#undef VARIANT
    fr base[3], other[3];
    run_script(&KAT, base);
    for (int i = 0; i < nv; i++) {
        run_script(&v[i], other);
        for (int k = 0; k < 3; k++)
            if (fr_eq(&base[k], &other[k]))
                fail_msg("variant %d: challenge %d unchanged", i, k);
        /* and each variant is what the documented construction gives */
        mpz_t ref[3], got;
        mpz_inits(ref[0], ref[1], ref[2], got, NULL);
        ref_script(&v[i], ref);
        for (int k = 0; k < 3; k++) {
            fr_to_mpz(got, &other[k]);
            assert_int_equal(mpz_cmp(got, ref[k]), 0);
        }
        mpz_clears(ref[0], ref[1], ref[2], got, NULL);
    }

    /* framing: "ab" then "c" is not "abc"; one element of 2 words is not two
     * absorbs; an empty label is not a missing absorb */
    transcript t1, t2;
    fr c1, c2, two[2];
    tr_init(&t1, "zkm/test");
    tr_absorb_bytes(&t1, "x", ABC, 3);
    tr_init(&t2, "zkm/test");
    tr_absorb_bytes(&t2, "x", ABC, 2);
    tr_absorb_bytes(&t2, "x", ABC + 2, 1);
    tr_challenge(&t1, "c", &c1);
    tr_challenge(&t2, "c", &c2);
    assert_false(fr_eq(&c1, &c2));

    fr_set_u64(&two[0], 1);
    fr_set_u64(&two[1], 2);
    tr_init(&t1, "zkm/test");
    tr_absorb_frs(&t1, "f", two, 2);
    tr_init(&t2, "zkm/test");
    tr_absorb_fr(&t2, "f", &two[0]);
    tr_absorb_fr(&t2, "f", &two[1]);
    tr_challenge(&t1, "c", &c1);
    tr_challenge(&t2, "c", &c2);
    assert_false(fr_eq(&c1, &c2));

    /* a label's bytes cannot slide into the data: label "xa", data "bc" */
    tr_init(&t1, "zkm/test");
    tr_absorb_bytes(&t1, "x", ABC, 3);
    tr_init(&t2, "zkm/test");
    tr_absorb_bytes(&t2, "xa", ABC + 1, 2);
    tr_challenge(&t1, "c", &c1);
    tr_challenge(&t2, "c", &c2);
    assert_false(fr_eq(&c1, &c2));

    tr_init(&t1, "zkm/test");
    tr_absorb_bytes(&t1, "", NULL, 0);
    tr_init(&t2, "zkm/test");
    tr_challenge(&t1, "c", &c1);
    tr_challenge(&t2, "c", &c2);
    assert_false(fr_eq(&c1, &c2));

    /* every single-bit change of a random absorb changes the challenge */
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x7472);
    uint8_t data[64];
    tu_bytes(&g, data, sizeof data);
    tr_init(&t1, "zkm/test");
    tr_absorb_bytes(&t1, "x", data, sizeof data);
    tr_challenge(&t1, "c", &c1);
    for (size_t bit = 0; bit < 8 * sizeof data; bit++) {
        data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        tr_init(&t2, "zkm/test");
        tr_absorb_bytes(&t2, "x", data, sizeof data);
        tr_challenge(&t2, "c", &c2);
        data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (fr_eq(&c1, &c2))
            fail_msg("flipping bit %zu left the challenge unchanged", bit);
    }
}

/* -------------------------------------------------------------------- mle */

static void test_mle_eq_table(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x6d01);
    for (unsigned n = 0; n <= 10; n++) {
        const size_t len = (size_t)1 << n;
        fr z[10], scale, t;
        fr *tab = fr_array(len), *scaled = fr_array(len), *acc = fr_array(len),
           *init = fr_array(len), *scratch = fr_array(len);
        rand_frs(&g, z, n);
        tu_fr(&g, &scale);
        mle_eq_table(tab, z, n, NULL);
        mle_eq_table(scaled, z, n, &scale);
        rand_frs(&g, init, len);
        memcpy(acc, init, len * sizeof(fr));
        mle_eq_table_add(acc, z, n, &scale, scratch);
        fr sum;
        fr_set_zero(&sum);
        for (size_t b = 0; b < len; b++) {
            eq_at_index(&t, z, n, b);
            ASSERT_FR_EQ(&tab[b], &t, "eq table vs eq eval");
            fr_add(&sum, &sum, &tab[b]);
            fr_mul(&t, &t, &scale);
            ASSERT_FR_EQ(&scaled[b], &t, "scaled eq table");
            fr_add(&t, &t, &init[b]);
            ASSERT_FR_EQ(&acc[b], &t, "eq table add");
        }
        /* eq(z, .) sums to 1 over the hypercube */
        fr one;
        fr_set_one(&one);
        ASSERT_FR_EQ(&sum, &one, "sum of eq table");
        /* NULL scale into _add means 1 */
        memcpy(acc, init, len * sizeof(fr));
        mle_eq_table_add(acc, z, n, NULL, scratch);
        for (size_t b = 0; b < len; b++) {
            fr_add(&t, &init[b], &tab[b]);
            ASSERT_FR_EQ(&acc[b], &t, "eq table add, scale 1");
        }
        /* eq is symmetric and is the indicator on boolean points */
        fr w[10], e1, e2;
        rand_frs(&g, w, n);
        mle_eq_eval(&e1, z, w, n);
        mle_eq_eval(&e2, w, z, n);
        ASSERT_FR_EQ(&e1, &e2, "eq symmetric");
        free(tab);
        free(scaled);
        free(acc);
        free(init);
        free(scratch);
    }
}

static void test_mle_eval_fold(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x6d02);
    for (unsigned n = 0; n <= 10; n++) {
        for (int rep = 0; rep < 3; rep++) {
            const size_t len = (size_t)1 << n;
            fr *tab = fr_array(len), *copy = fr_array(len), *w = fr_array(len);
            fr pt[10], a, b, t;
            rand_frs(&g, tab, len);
            rand_frs(&g, pt, n);
            memcpy(copy, tab, len * sizeof(fr));
            eval_at(&a, tab, n, pt);
            naive_eval(&b, tab, n, pt);
            ASSERT_FR_EQ(&a, &b, "mle_eval vs the sum over the hypercube");
            assert_memory_equal(tab, copy, len * sizeof(fr)); /* not modified */
            /* on the hypercube the extension is the table */
            if (n <= 6) {
                for (size_t x = 0; x < len; x++) {
                    fr bits[10];
                    for (unsigned i = 0; i < n; i++) {
                        if ((x >> i) & 1)
                            fr_set_one(&bits[i]);
                        else
                            fr_set_zero(&bits[i]);
                    }
                    eval_at(&t, tab, n, bits);
                    ASSERT_FR_EQ(&t, &tab[x], "extension on the hypercube");
                }
            }
            /* mle_dot with the eq table is evaluation */
            mle_eq_table(w, pt, n, NULL);
            mle_dot(&t, tab, w, len);
            ASSERT_FR_EQ(&t, &a, "dot with eq table");
            /* fold one variable at a time: the rest evaluates at the rest */
            size_t cur = len;
            for (unsigned k = 0; k < n; k++) {
                mle_fold(copy, cur, &pt[k]);
                cur /= 2;
                eval_at(&t, copy, n - k - 1, pt + k + 1);
                ASSERT_FR_EQ(&t, &a, "fold then evaluate");
            }
            ASSERT_FR_EQ(&copy[0], &a, "fully folded table");
            free(tab);
            free(copy);
            free(w);
        }
    }
}

/* --------------------------------------------------------------- sumcheck */

/* sum_t coef_t prod_{j in t} vals[j] */
static void poly_at(fr *out, const sc_poly *p, const fr *vals)
{
    fr acc, prod;
    fr_set_zero(&acc);
    for (unsigned t = 0; t < p->n_terms; t++) {
        if (p->coef)
            prod = p->coef[t];
        else
            fr_set_one(&prod);
        for (unsigned f = p->term_start[t]; f < p->term_start[t + 1]; f++)
            fr_mul(&prod, &prod, &vals[p->factors[f]]);
        fr_add(&acc, &acc, &prod);
    }
    *out = acc;
}

/* The sum over the hypercube of the polynomial on tables orig (2^n each). */
static void poly_sum(fr *out, const sc_poly *p, fr *const *orig, unsigned n)
{
    fr acc, v, vals[8];
    fr_set_zero(&acc);
    for (size_t x = 0; x < ((size_t)1 << n); x++) {
        for (unsigned j = 0; j < p->n_tables; j++)
            vals[j] = orig[j][x];
        poly_at(&v, p, vals);
        fr_add(&acc, &acc, &v);
    }
    *out = acc;
}

/* The polynomial at point r from the tables' extensions. */
static void poly_eval(fr *out, const sc_poly *p, fr *const *orig, unsigned n, const fr *r)
{
    fr vals[8];
    for (unsigned j = 0; j < p->n_tables; j++)
        eval_at(&vals[j], orig[j], n, r);
    poly_at(out, p, vals);
}

static void sc_transcript(transcript *t, const fr *claim)
{
    tr_init(t, "zkm/test/sumcheck");
    tr_absorb_fr(t, "claim", claim);
}

/* Prove p (tables copied from orig) over n variables; returns the messages
 * and the challenges; checks the documented postconditions. */
static void prove_poly(const sc_poly *shape, fr *const *orig, unsigned n, const fr *claim,
                       fr_vec *msgs, fr *r, fr *final_tables)
{
    const size_t len = (size_t)1 << n;
    fr *tables[8];
    zkm_err e;
    for (unsigned j = 0; j < shape->n_tables; j++) {
        tables[j] = fr_array(len);
        memcpy(tables[j], orig[j], len * sizeof(fr));
    }
    sc_poly p = *shape;
    p.tables = tables;
    transcript t;
    sc_transcript(&t, claim);
    memset(msgs, 0, sizeof *msgs);
    zkm_status st = sc_prove(&p, n, &(zk_chan){.tr = &t, .out = msgs}, r, &e);
    if (st)
        fail_msg("sc_prove: %s", e.msg);
    assert_int_equal(msgs->n, (size_t)n * sc_degree(&p));
    for (unsigned j = 0; j < p.n_tables; j++) {
        fr want;
        eval_at(&want, orig[j], n, r);
        ASSERT_FR_EQ(&tables[j][0], &want, "table folded to T_j(r)");
        if (final_tables)
            final_tables[j] = tables[j][0];
        free(tables[j]);
    }
}

static void random_poly(tu_rng *g, sc_poly *p, unsigned *start, unsigned *factors, fr *coef,
                        unsigned max_len)
{
    p->n_tables = 1 + (unsigned)tu_below(g, 5);
    p->n_terms = 1 + (unsigned)tu_below(g, 4);
    unsigned nf = 0;
    for (unsigned t = 0; t < p->n_terms; t++) {
        start[t] = nf;
        unsigned len = 1 + (unsigned)tu_below(g, max_len);
        for (unsigned f = 0; f < len; f++)
            factors[nf++] = (unsigned)tu_below(g, p->n_tables);
        tu_fr(g, &coef[t]);
    }
    start[p->n_terms] = nf;
    p->coef = tu_below(g, 2) ? coef : NULL;
    p->term_start = start;
    p->factors = factors;
    p->tables = NULL;
}

static void test_sumcheck_random(void **state)
{
    (void)state;
    tu_rng g;
    zkm_err e;
    tu_rng_init(&g, g_seed ^ 0x5c01);
    for (unsigned n = 0; n <= 10; n++) {
        for (int rep = 0; rep < (n <= 6 ? 12 : 3); rep++) {
            const size_t len = (size_t)1 << n;
            sc_poly p;
            unsigned start[5], factors[4 * SC_MAX_DEGREE];
            fr coef[4];
            /* the longest term reaches SC_MAX_DEGREE now and then */
            random_poly(&g, &p, start, factors, coef, rep % 4 == 0 ? SC_MAX_DEGREE : 3);
            fr *orig[5];
            for (unsigned j = 0; j < p.n_tables; j++) {
                orig[j] = fr_array(len);
                rand_frs(&g, orig[j], len);
            }
            const unsigned d = sc_degree(&p);
            fr sum, r[10], rv[10], claim, want;
            fr_vec msgs;
            poly_sum(&sum, &p, orig, n);
            prove_poly(&p, orig, n, &sum, &msgs, r, NULL);

            /* honest run: accepted, same point, final claim = P(r) */
            transcript t;
            sc_transcript(&t, &sum);
            claim = sum;
            fr_cursor in = {.v = msgs.v, .n = msgs.n, .pos = 0};
            zkm_status st = sc_verify(n, d, &claim, &t, &in, rv, &e);
            if (st)
                fail_msg("n %u degree %u: sc_verify: %s", n, d, e.msg);
            assert_int_equal(in.pos, msgs.n);
            if (n)
                assert_memory_equal(r, rv, n * sizeof(fr));
            poly_eval(&want, &p, orig, n, rv);
            ASSERT_FR_EQ(&claim, &want, "final claim = P(r)");

            /* a wrong claimed sum ends in a value that is not P(r) */
            sc_transcript(&t, &sum);
            fr_set_one(&claim);
            fr_add(&claim, &claim, &sum);
            in.pos = 0;
            assert_int_equal(sc_verify(n, d, &claim, &t, &in, rv, &e), ZKM_OK);
            poly_eval(&want, &p, orig, n, rv);
            assert_false(fr_eq(&claim, &want));

            /* a changed message likewise */
            if (n) {
                size_t k = tu_below(&g, msgs.n);
                fr one;
                fr_set_one(&one);
                fr_add(&msgs.v[k], &msgs.v[k], &one);
                sc_transcript(&t, &sum);
                claim = sum;
                in.pos = 0;
                assert_int_equal(sc_verify(n, d, &claim, &t, &in, rv, &e), ZKM_OK);
                poly_eval(&want, &p, orig, n, rv);
                assert_false(fr_eq(&claim, &want));
                fr_sub(&msgs.v[k], &msgs.v[k], &one);
            }

            /* every truncation runs out of messages */
            for (size_t cut = 0; cut < msgs.n; cut++) {
                sc_transcript(&t, &sum);
                claim = sum;
                fr_cursor tin = {.v = msgs.v, .n = cut, .pos = 0};
                zkm_err_clear(&e);
                assert_int_equal(sc_verify(n, d, &claim, &t, &tin, rv, &e), ZKM_EREJECT);
                assert_int_equal(e.code, ZKM_EREJECT);
            }
            fr_vec_free(&msgs);
            for (unsigned j = 0; j < p.n_tables; j++)
                free(orig[j]);
        }
    }
}

/* Two polynomials that are the same function but take different code paths
 * must send the same messages, draw the same challenges and end with the
 * same table values (perm[j] = where table j of a sits in b). */
static void compare_shapes(const sc_poly *a, fr *const *orig_a, const sc_poly *b,
                           fr *const *orig_b, const unsigned *perm, unsigned n, const char *what)
{
    fr sum_a, sum_b, ra[10], rb[10], fa[8], fb[8];
    fr_vec ma, mb;
    poly_sum(&sum_a, a, orig_a, n);
    poly_sum(&sum_b, b, orig_b, n);
    ASSERT_FR_EQ(&sum_a, &sum_b, what);
    prove_poly(a, orig_a, n, &sum_a, &ma, ra, fa);
    prove_poly(b, orig_b, n, &sum_b, &mb, rb, fb);
    assert_int_equal(sc_degree(a), sc_degree(b));
    assert_int_equal(ma.n, mb.n);
    for (size_t i = 0; i < ma.n; i++)
        if (!fr_eq(&ma.v[i], &mb.v[i]))
            fail_msg("%s, n = %u: message %zu differs", what, n, i);
    if (n)
        assert_memory_equal(ra, rb, n * sizeof(fr));
    for (unsigned j = 0; j < a->n_tables; j++)
        ASSERT_FR_EQ(&fa[j], &fb[perm[j]], what);
    /* and both verify */
    transcript t;
    zkm_err e;
    fr claim = sum_a, rv[10], want;
    sc_transcript(&t, &sum_a);
    fr_cursor in = {.v = ma.v, .n = ma.n, .pos = 0};
    assert_int_equal(sc_verify(n, sc_degree(a), &claim, &t, &in, rv, &e), ZKM_OK);
    poly_eval(&want, a, orig_a, n, rv);
    ASSERT_FR_EQ(&claim, &want, what);
    fr_vec_free(&ma);
    fr_vec_free(&mb);
}

static void test_sumcheck_fast_paths(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x5c02);
    static const unsigned id[4] = {0, 1, 2, 3};
    for (unsigned n = 0; n <= 10; n++) {
        const size_t len = (size_t)1 << n;
        fr *T[4], *P[3], c, coef3[3], coef2[2];
        for (unsigned j = 0; j < 4; j++) {
            T[j] = fr_array(len);
            rand_frs(&g, T[j], len);
        }
        tu_fr(&g, &c);

        /* A*B + C, no coefficients: the fast path */
        static const unsigned ab_c_start[3] = {0, 2, 3}, ab_c_f[3] = {0, 1, 2};
        const sc_poly ab_c = {.n_tables = 3, .n_terms = 2, .coef = NULL,
                              .term_start = ab_c_start, .factors = ab_c_f};
        /* B*A + C: same function, generic loop */
        static const unsigned ba_c_f[3] = {1, 0, 2};
        const sc_poly ba_c = {.n_tables = 3, .n_terms = 2, .coef = NULL,
                              .term_start = ab_c_start, .factors = ba_c_f};
        compare_shapes(&ab_c, T, &ba_c, T, id, n, "A*B + C vs B*A + C");
        /* A*B + C + 0*C */
        static const unsigned ab_c0_start[4] = {0, 2, 3, 4}, ab_c0_f[4] = {0, 1, 2, 2};
        fr_set_one(&coef3[0]);
        fr_set_one(&coef3[1]);
        fr_set_zero(&coef3[2]);
        const sc_poly ab_c0 = {.n_tables = 3, .n_terms = 3, .coef = coef3,
                               .term_start = ab_c0_start, .factors = ab_c0_f};
        compare_shapes(&ab_c, T, &ab_c0, T, id, n, "A*B + C vs A*B + C + 0*C");
        /* C + A*B with the tables permuted (C, A, B) */
        static const unsigned c_ab_start[3] = {0, 1, 3}, c_ab_f[3] = {0, 1, 2};
        static const unsigned perm_cab[3] = {1, 2, 0};
        P[0] = T[2];
        P[1] = T[0];
        P[2] = T[1];
        const sc_poly c_ab = {.n_tables = 3, .n_terms = 2, .coef = NULL,
                              .term_start = c_ab_start, .factors = c_ab_f};
        compare_shapes(&ab_c, T, &c_ab, P, perm_cab, n, "A*B + C vs C + A*B");
        /* an unused fourth table takes the generic loop too */
        const sc_poly ab_c4 = {.n_tables = 4, .n_terms = 2, .coef = NULL,
                               .term_start = ab_c_start, .factors = ab_c_f};
        compare_shapes(&ab_c, T, &ab_c4, T, id, n, "A*B + C vs A*B + C with a spare table");

        /* c*A*B*C: the fast path, with and without a coefficient */
        static const unsigned abc_start[2] = {0, 3}, abc_f[3] = {0, 1, 2};
        const sc_poly abc = {.n_tables = 3, .n_terms = 1, .coef = &c, .term_start = abc_start,
                             .factors = abc_f};
        static const unsigned cab_f[3] = {2, 0, 1};
        const sc_poly cab = {.n_tables = 3, .n_terms = 1, .coef = &c, .term_start = abc_start,
                             .factors = cab_f};
        compare_shapes(&abc, T, &cab, T, id, n, "c*A*B*C vs c*C*A*B");
        static const unsigned abc0_start[3] = {0, 3, 4}, abc0_f[4] = {0, 1, 2, 0};
        coef2[0] = c;
        fr_set_zero(&coef2[1]);
        const sc_poly abc0 = {.n_tables = 3, .n_terms = 2, .coef = coef2,
                              .term_start = abc0_start, .factors = abc0_f};
        compare_shapes(&abc, T, &abc0, T, id, n, "c*A*B*C vs c*A*B*C + 0*A");
        const sc_poly abc1 = {.n_tables = 3, .n_terms = 1, .coef = NULL,
                              .term_start = abc_start, .factors = abc_f};
        const sc_poly cab1 = {.n_tables = 3, .n_terms = 1, .coef = NULL,
                              .term_start = abc_start, .factors = cab_f};
        compare_shapes(&abc1, T, &cab1, T, id, n, "A*B*C vs C*A*B");
        for (unsigned j = 0; j < 4; j++)
            free(T[j]);
    }
}

static void test_sumcheck_limits(void **state)
{
    (void)state;
    zkm_err e;
    transcript t;
    fr claim, r[4], tab[16];
    fr *tables[1] = {tab};
    fr_vec msgs = {0};
    for (int i = 0; i < 16; i++)
        fr_set_u64(&tab[i], (uint64_t)i);
    /* a term longer than SC_MAX_DEGREE is refused */
    unsigned start[2] = {0, SC_MAX_DEGREE + 1}, factors[SC_MAX_DEGREE + 1] = {0};
    sc_poly p = {.n_tables = 1, .tables = tables, .n_terms = 1, .coef = NULL,
                 .term_start = start, .factors = factors};
    tr_init(&t, "zkm/test");
    assert_int_equal(sc_prove(&p, 4, &(zk_chan){.tr = &t, .out = &msgs}, r, &e), ZKM_EINVAL);
    assert_int_equal(msgs.n, 0);
    /* degrees 0 and above the maximum are refused by the verifier */
    fr_cursor in = {.v = tab, .n = 16, .pos = 0};
    fr_set_zero(&claim);
    assert_int_equal(sc_verify(2, 0, &claim, &t, &in, r, &e), ZKM_EINVAL);
    assert_int_equal(sc_verify(2, SC_MAX_DEGREE + 1, &claim, &t, &in, r, &e), ZKM_EINVAL);
    /* no terms: degree 1, all-zero messages */
    p.n_terms = 0;
    start[0] = 0;
    assert_int_equal(sc_degree(&p), 1);
    tr_init(&t, "zkm/test");
    assert_int_equal(sc_prove(&p, 4, &(zk_chan){.tr = &t, .out = &msgs}, r, &e), ZKM_OK);
    assert_int_equal(msgs.n, 4);
    for (size_t i = 0; i < msgs.n; i++)
        assert_true(fr_is_zero(&msgs.v[i]));
    fr_vec_free(&msgs);
}

static void test_interpolate(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x1a01);
    for (unsigned d = 1; d <= SC_MAX_DEGREE; d++) {
        for (int rep = 0; rep < 20; rep++) {
            fr a[SC_MAX_DEGREE + 1], vals[SC_MAX_DEGREE + 1], x, got, want;
            rand_frs(&g, a, d + 1);
            /* p(x) by Horner */
#define HORNER(out, xx)                                                                     \
    do {                                                                                   \
        fr acc_ = a[d];                                                                    \
        for (unsigned i_ = d; i_-- > 0;) {                                                 \
            fr_mul(&acc_, &acc_, &(xx));                                                   \
            fr_add(&acc_, &acc_, &a[i_]);                                                  \
        }                                                                                  \
        (out) = acc_;                                                                      \
    } while (0)
            for (unsigned i = 0; i <= d; i++) {
                fr xi;
                fr_set_u64(&xi, i);
                HORNER(vals[i], xi);
            }
            /* random points, the nodes themselves, and a few small integers */
            for (int k = 0; k < 4 + (int)d + 3; k++) {
                if (k < 4)
                    tu_fr(&g, &x);
                else
                    fr_set_i64(&x, (int64_t)k - 4 - 1); /* -1 .. d+1 */
                HORNER(want, x);
                sc_interpolate(&got, vals, d, &x);
                ASSERT_FR_EQ(&got, &want, "interpolation");
            }
#undef HORNER
        }
    }
}

/* ---------------------------------------------------------- circuit check */

/* A small valid circuit using every kind and every view form:
 *   L0 generic (2 outputs)   reads L1 (whole) and a block of L3
 *   L1 eltwise (4)           reads L2 and a block of L4: y*y + 3 b
 *   L2 matmul 2x2 * 2x2      reads L3 and a block of L4
 *   L3 input (4), L4 input (8) */
static void build_base(gkr_circuit *c)
{
    zkm_err e;
    assert_int_equal(gkr_circuit_init(c, 5, &e), ZKM_OK);
    gkr_view g_src[2] = {{.layer = 1, .nvars = 2, .offset = 0},
                         {.layer = 3, .nvars = 1, .offset = 2}};
    gkr_gate gates[2] = {
        {.out = 0, .in0 = 0, .in1 = 1, .op = GKR_GATE_MUL, .src0 = 0, .src1 = 0},
        {.out = 1, .in0 = 2, .in1 = 1, .op = GKR_GATE_ADD, .src0 = 0, .src1 = 1},
    };
    assert_int_equal(gkr_layer_generic(&c->layers[0], 1, 2, g_src, 2, gates, &e), ZKM_OK);
    gkr_view e_src[2] = {{.layer = 2, .nvars = 2, .offset = 0},
                         {.layer = 4, .nvars = 2, .offset = 4}};
    fr coef[2];
    fr_set_one(&coef[0]);
    fr_set_u64(&coef[1], 3);
    const uint32_t start[3] = {0, 2, 3}, factors[3] = {0, 0, 1};
    assert_int_equal(gkr_layer_eltwise(&c->layers[1], 2, 2, e_src, 2, coef, start, factors, &e),
                     ZKM_OK);
    gkr_view a = {.layer = 3, .nvars = 2, .offset = 0}, b = {.layer = 4, .nvars = 2, .offset = 0};
    assert_int_equal(gkr_layer_matmul(&c->layers[2], 1, 1, 1, a, b, &e), ZKM_OK);
    assert_int_equal(gkr_layer_input(&c->layers[3], 2, GKR_INPUT_PUBLIC, &e), ZKM_OK);
    assert_int_equal(gkr_layer_input(&c->layers[4], 3, GKR_INPUT_PUBLIC, &e), ZKM_OK);
}

static void expect_einval(const gkr_circuit *c, const char *what)
{
    zkm_err e;
    zkm_err_clear(&e);
    zkm_status st = gkr_circuit_check(c, &e);
    if (st != ZKM_EINVAL)
        fail_msg("%s: gkr_circuit_check returned %s, want invalid argument", what,
                 zkm_status_str(st));
    assert_int_equal(e.code, ZKM_EINVAL);
    assert_true(e.msg[0] != '\0');
}

static void expect_ok(const gkr_circuit *c, const uint8_t *digest, const char *what)
{
    zkm_err e;
    uint8_t d[GKR_DIGEST_BYTES];
    if (gkr_circuit_check(c, &e))
        fail_msg("%s: the restored circuit fails its check: %s", what, e.msg);
    gkr_circuit_digest(c, d);
    assert_memory_equal(d, digest, GKR_DIGEST_BYTES);
}

/* Apply `change`, expect the check to fail, apply `undo`, expect it to pass. */
#define BAD(what, change, undo)                                                              \
    do {                                                                                     \
        change;                                                                              \
        expect_einval(&c, what);                                                             \
        undo;                                                                                \
        expect_ok(&c, digest, what);                                                         \
        n_cases++;                                                                           \
    } while (0)

/* Swap in a layer built by a constructor (held in a 1-layer circuit so it
 * can be freed) for layer li. */
static void swap_layer(gkr_circuit *c, uint32_t li, gkr_circuit *holder)
{
    gkr_layer t = c->layers[li];
    c->layers[li] = holder->layers[0];
    holder->layers[0] = t;
}

static void test_circuit_check(void **state)
{
    (void)state;
    gkr_circuit c;
    zkm_err e;
    uint8_t digest[GKR_DIGEST_BYTES];
    int n_cases = 0;
    build_base(&c);
    if (gkr_circuit_check(&c, &e))
        fail_msg("base circuit: %s", e.msg);
    gkr_circuit_digest(&c, digest);

    /* the base circuit is a working circuit */
    {
        fr in3[4], in4[8];
        fr *vals[5] = {NULL, NULL, NULL, in3, in4};
        uint8_t *proof;
        size_t len;
        for (int i = 0; i < 4; i++)
            fr_set_i64(&in3[i], i - 2);
        for (int i = 0; i < 8; i++)
            fr_set_i64(&in4[i], 3 * i - 7);
        assert_int_equal(gkr_eval(&c, vals, &e), ZKM_OK);
        assert_int_equal(gkr_prove(&c, vals, &proof, &len, NULL, &e), ZKM_OK);
        if (gkr_verify(&c, vals, proof, len, NULL, NULL, &e))
            fail_msg("base circuit: %s", e.msg);
        free(proof);
        gkr_values_free(&c, vals);
    }

    gkr_generic_params *G = &c.layers[0].p.generic;
    gkr_eltwise_params *E = &c.layers[1].p.eltwise;
    gkr_matmul_params *M = &c.layers[2].p.matmul;
    uint64_t u64;
    uint32_t u32;

    /* views: itself, a higher layer, past the last layer */
    BAD("eltwise view reads itself", E->src[0].layer = 1, E->src[0].layer = 2);
    BAD("eltwise view reads a higher layer", E->src[0].layer = 0, E->src[0].layer = 2);
    BAD("matmul view reads itself", M->src[1].layer = 2, M->src[1].layer = 4);
    BAD("matmul view reads a higher layer", M->src[0].layer = 1, M->src[0].layer = 3);
    BAD("generic view reads itself", G->src[1].layer = 0, G->src[1].layer = 3);
    BAD("view past the last layer", M->src[1].layer = 5, M->src[1].layer = 4);
    BAD("view of layer 2^32-1", M->src[1].layer = UINT32_MAX, M->src[1].layer = 4);
    /* views out of range or unaligned */
    BAD("block view past the end", M->src[1].offset = 8, M->src[1].offset = 0);
    BAD("block view far past the end", (u64 = E->src[1].offset, E->src[1].offset = 1ull << 40),
        E->src[1].offset = u64);
    BAD("block view at 2^64 - 4", E->src[1].offset = UINT64_MAX - 3, E->src[1].offset = 4);
    BAD("unaligned block view", M->src[1].offset = 2, M->src[1].offset = 0);
    BAD("unaligned small block view", G->src[1].offset = 1, G->src[1].offset = 2);
    BAD("zero-extended view with an offset",
        (G->src[0].nvars = 3, G->src[0].offset = 4), (G->src[0].nvars = 2, G->src[0].offset = 0));
    BAD("view of 2^33 entries", G->src[0].nvars = 33, G->src[0].nvars = 2);
    /* a layer nobody reads: L0 reads L2 instead of L1 */
    BAD("computed layer not read", G->src[0].layer = 2, G->src[0].layer = 1);
    BAD("input layer not read", (M->src[0].layer = 4, G->src[1].layer = 4),
        (M->src[0].layer = 3, G->src[1].layer = 3));
    /* the output is an input layer */
    {
        gkr_layer saved = c.layers[0];
        BAD("output layer is an input",
            (c.layers[0].kind = GKR_INPUT, c.layers[0].p.input.visibility = GKR_INPUT_PUBLIC),
            c.layers[0] = saved);
    }
    BAD("fewer than two layers", c.n_layers = 1, c.n_layers = 5);
    /* kinds and sizes */
    BAD("unknown kind", c.layers[2].kind = GKR_KIND_COUNT, c.layers[2].kind = GKR_MATMUL);
    BAD("layer of 2^33 values", c.layers[4].nvars = 33, c.layers[4].nvars = 3);
    BAD("input with an unknown visibility", c.layers[3].p.input.visibility = (gkr_visibility)1,
        c.layers[3].p.input.visibility = GKR_INPUT_PUBLIC);
    /* eltwise */
    BAD("eltwise factor index out of range", E->factors[2] = 2, E->factors[2] = 1);
    BAD("eltwise factor index 2^32-1", E->factors[0] = UINT32_MAX, E->factors[0] = 0);
    BAD("eltwise term ending before it starts", (E->term_start[1] = 3, E->term_start[2] = 2),
        (E->term_start[1] = 2, E->term_start[2] = 3));
    BAD("eltwise no terms", E->n_terms = 0, E->n_terms = 2);
    BAD("eltwise first term not at 0", E->term_start[0] = 1, E->term_start[0] = 0);
    BAD("eltwise source of the wrong size", (E->src[1].nvars = 3, E->src[1].offset = 0),
        (E->src[1].nvars = 2, E->src[1].offset = 4));
    BAD("eltwise without sources", E->n_src = 0, E->n_src = 2);
    {
        /* a term of SC_MAX_DEGREE factors leaves no room for the weight */
        gkr_circuit h;
        gkr_view v = {.layer = 2, .nvars = 2, .offset = 0};
        uint32_t st[2] = {0, SC_MAX_DEGREE}, f[SC_MAX_DEGREE] = {0};
        fr one;
        fr_set_one(&one);
        assert_int_equal(gkr_circuit_init(&h, 1, &e), ZKM_OK);
        assert_int_equal(gkr_layer_eltwise(&h.layers[0], 2, 1, &v, 1, &one, st, f, &e), ZKM_OK);
        /* L4 is still read by L2 */
        BAD("eltwise term of SC_MAX_DEGREE factors", swap_layer(&c, 1, &h), swap_layer(&c, 1, &h));
        gkr_circuit_free(&h);
        /* SC_MAX_DEGREE - 1 factors is fine */
        st[1] = SC_MAX_DEGREE - 1;
        assert_int_equal(gkr_circuit_init(&h, 1, &e), ZKM_OK);
        assert_int_equal(gkr_layer_eltwise(&h.layers[0], 2, 1, &v, 1, &one, st, f, &e), ZKM_OK);
        swap_layer(&c, 1, &h);
        if (gkr_circuit_check(&c, &e))
            fail_msg("eltwise term of %u factors: %s", SC_MAX_DEGREE - 1, e.msg);
        swap_layer(&c, 1, &h);
        gkr_circuit_free(&h);
    }
    /* matmul */
    BAD("matmul m + n != nvars", M->m = 2, M->m = 1);
    BAD("matmul n + m != nvars", M->n = 0, M->n = 1);
    BAD("matmul A of the wrong size", M->src[0].nvars = 3, M->src[0].nvars = 2);
    BAD("matmul B of the wrong size", M->src[1].nvars = 1, M->src[1].nvars = 2);
    BAD("matmul k without matching operands", M->k = 2, M->k = 1);
    BAD("matmul k huge", M->k = 40, M->k = 1);
    /* generic gates */
    BAD("gate output out of range", G->gates[0].out = 2, G->gates[0].out = 0);
    BAD("gate output 2^32-1", G->gates[1].out = UINT32_MAX, G->gates[1].out = 1);
    BAD("gate in0 out of range", G->gates[0].in0 = 4, G->gates[0].in0 = 0);
    BAD("gate in1 out of range (small source)", G->gates[1].in1 = 2, G->gates[1].in1 = 1);
    BAD("gate in1 2^32-1", (u32 = G->gates[0].in1, G->gates[0].in1 = UINT32_MAX),
        G->gates[0].in1 = u32);
    BAD("gate src0 out of range", G->gates[0].src0 = 2, G->gates[0].src0 = 0);
    BAD("gate src1 out of range", G->gates[1].src1 = 255, G->gates[1].src1 = 1);
    BAD("gate with an unknown op", G->gates[0].op = 3, G->gates[0].op = GKR_GATE_MUL);
    BAD("gate reading past a block source", G->gates[1].in1 = 3, G->gates[1].in1 = 1);
    BAD("generic without sources", G->n_src = 0, G->n_src = 2);

    /* constructors refuse sizes they cannot hold */
    {
        gkr_layer l;
        gkr_view v = {.layer = 1, .nvars = 2, .offset = 0};
        fr one;
        uint32_t st[2] = {0, 1}, f[1] = {0};
        fr_set_one(&one);
        assert_int_equal(gkr_layer_matmul(&l, 20, 20, 20, v, v, &e), ZKM_EINVAL);
        assert_int_equal(gkr_layer_input(&l, 33, GKR_INPUT_PUBLIC, &e), ZKM_EINVAL);
        assert_int_equal(gkr_layer_eltwise(&l, 2, 0, &v, 1, &one, st, f, &e), ZKM_EINVAL);
        assert_int_equal(gkr_layer_generic(&l, 2, 0, &v, 0, NULL, &e), ZKM_EINVAL);
    }
    assert_true(n_cases >= 40);
    gkr_circuit_free(&c);
}

int main(void)
{
    g_seed = tu_seed("test_core");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transcript_kat),
        cmocka_unit_test(test_transcript_deterministic),
        cmocka_unit_test(test_transcript_sensitivity),
        cmocka_unit_test(test_mle_eq_table),
        cmocka_unit_test(test_mle_eval_fold),
        cmocka_unit_test(test_sumcheck_random),
        cmocka_unit_test(test_sumcheck_fast_paths),
        cmocka_unit_test(test_sumcheck_limits),
        cmocka_unit_test(test_interpolate),
        cmocka_unit_test(test_circuit_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
