/* Proof decoder robustness.  gkr_proof_decode and gkr_verify fed
 *   (a) random byte strings of random lengths 0..4096, bare, behind a valid
 *       magic and version, and shaped like a proof of the circuit;
 *   (b) random mutations of valid proofs: bit flips, section counts, tags
 *       and element counts overwritten with random and extreme values,
 *       sections duplicated, dropped, swapped and cut short, truncation,
 *       appended bytes;
 *   (c) headers declaring huge section or element counts with few bytes
 *       present: ZKM_EFORMAT, and nothing huge allocated (checked with the
 *       sanitizer's allocation hook under SAN=1, with an address-space limit
 *       otherwise);
 *   (d) non-canonical field elements (r, r + 1, 2^255, 2^256 - 1, ...);
 *   (e) byte-exact round trips through decode and encode.
 * Every outcome is checked for consistency: the decoder says OK or
 * ZKM_EFORMAT and leaves the proof empty on failure; what it accepts
 * re-encodes to the same bytes; the verifier reports ZKM_EFORMAT exactly for
 * what the decoder refuses, and ZKM_EREJECT for anything decodable that is not
 * the honest proof.  Under SAN=1 the program also checks that LeakSanitizer
 * is active and finds no leak. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "circuit.h"
#include "gkr.h"
#include "proof.h"
#include "sample.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define TD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TD_ASAN 1
#endif
#endif

#ifdef TD_ASAN
#include <sanitizer/lsan_interface.h>
/* sanitizer/allocator_interface.h is not shipped with every compiler */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
static volatile size_t g_max_alloc;
static void on_malloc(const volatile void *p, size_t size)
{
    (void)p;
    if (size > g_max_alloc)
        g_max_alloc = size;
}
static void on_free(const volatile void *p)
{
    (void)p;
}
#endif

typedef struct {
    const char *name;
    gkr_circuit c;
    fr **vals;
    int demo;
    uint8_t *proof;
    size_t len;
} fixture;

enum { N_FX = 3 };
static uint64_t g_seed;
static fixture g_fx[N_FX];
static uint8_t g_r_le[FR_BYTES]; /* r, little-endian */

/* ---------------------------------------------------------------- helpers */

static void put32(uint8_t *p, uint32_t x)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    assert_non_null(p);
    return p;
}

static void fixture_prove(fixture *f)
{
    zkm_err e;
    if (gkr_eval(&f->c, f->vals, &e))
        fail_msg("%s: eval: %s", f->name, e.msg);
    if (gkr_prove(&f->c, f->vals, &f->proof, &f->len, NULL, &e))
        fail_msg("%s: prove: %s", f->name, e.msg);
}

static void fixture_free(fixture *f)
{
    if (!f->c.layers)
        return;
    free(f->proof);
    gkr_values_free(&f->c, f->vals);
    if (f->demo)
        gkr_sample_inputs_free(&f->c, f->vals);
    else
        tu_inputs_free(&f->c, f->vals);
    gkr_circuit_free(&f->c);
    memset(f, 0, sizeof *f);
}

static int setup(void **state)
{
    (void)state;
    zkm_err e;
    tu_rng g;
#ifdef TD_ASAN
    __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
#endif
    {
        mpz_t r;
        mpz_init(r);
        fr_modulus_mpz(r);
        memset(g_r_le, 0, sizeof g_r_le);
        mpz_export(g_r_le, NULL, -1, 1, 0, 0, r);
        mpz_clear(r);
    }
    g_fx[0].name = "demo";
    g_fx[0].demo = 1;
    if (gkr_sample_demo(&g_fx[0].c, &g_fx[0].vals, 7, &e)) {
        fprintf(stderr, "gkr_sample_demo: %s\n", e.msg);
        return -1;
    }
    fixture_prove(&g_fx[0]);
    tu_rng_init(&g, g_seed);
    g_fx[1].name = "random-small";
    tu_random_circuit(&g, &g_fx[1].c, &g_fx[1].vals, 3, 4, TU_KINDS_ALL);
    fixture_prove(&g_fx[1]);
    g_fx[2].name = "random-deep";
    tu_random_circuit(&g, &g_fx[2].c, &g_fx[2].vals, 6, 6, TU_KINDS_ALL);
    fixture_prove(&g_fx[2]);
    for (int i = 0; i < N_FX; i++)
        printf("# %s: %u layers, proof %zu bytes\n", g_fx[i].name, g_fx[i].c.n_layers,
               g_fx[i].len);
    fflush(stdout);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < N_FX; i++)
        fixture_free(&g_fx[i]);
    return 0;
}

/* The proof format of proof.h, decided independently of the library: 1 if
 * the bytes are a well-formed proof. */

static int ref_canonical(const uint8_t *x)
{
    for (int i = FR_BYTES - 1; i >= 0; i--)
        if (x[i] != g_r_le[i])
            return x[i] < g_r_le[i];
    return 0; /* x == r */
}

static int ref_well_formed(const uint8_t *b, size_t n)
{
    if (n < GKR_PROOF_HEADER_BYTES || memcmp(b, GKR_PROOF_MAGIC, 8) != 0 ||
        get32(b + 8) != GKR_PROOF_VERSION)
        return 0;
    const uint32_t ns = get32(b + 44);
    if (ns > GKR_PROOF_MAX_SECTIONS)
        return 0;
    size_t off = GKR_PROOF_HEADER_BYTES;
    int64_t prev = -1;
    for (uint32_t s = 0; s < ns; s++) {
        if (n - off < 8)
            return 0;
        const uint32_t tag = get32(b + off), cnt = get32(b + off + 4);
        off += 8;
        if ((int64_t)tag <= prev)
            return 0;
        prev = tag;
        if ((uint64_t)cnt * FR_BYTES > n - off)
            return 0;
        for (uint32_t k = 0; k < cnt; k++, off += FR_BYTES)
            if (!ref_canonical(b + off))
                return 0;
    }
    return off == n;
}

/* Outcome counters, printed per test. */
typedef struct {
    size_t ok, format, reject;
} tally;

/* Decode and verify b against fixture f and check that the outcomes agree
 * (see the file comment).  honest: b is f's honest proof. */
static void check_bytes(const fixture *f, const uint8_t *b, size_t n, tally *t, const char *what)
{
    gkr_proof P;
    zkm_err e;
    zkm_status ds = gkr_proof_decode(&P, b, n, &e);
    if (ds != ZKM_OK) {
        if (ds != ZKM_EFORMAT)
            fail_msg("%s (%zu bytes): decode returned %s (%s), want malformed input", what, n,
                     zkm_status_str(ds), e.msg);
        assert_int_equal(e.code, ZKM_EFORMAT);
        /* "leaves p empty" */
        assert_int_equal(P.n_sections, 0);
        assert_null(P.sections);
    } else {
        uint8_t *re;
        size_t rn;
        if (gkr_proof_encode(&P, &re, &rn, &e))
            fail_msg("%s: re-encode: %s", what, e.msg);
        if (rn != n || memcmp(re, b, n) != 0)
            fail_msg("%s: decode + encode changed the bytes (%zu -> %zu)", what, n, rn);
        free(re);
    }
    gkr_proof_free(&P);
    assert_int_equal(P.n_sections, 0);
    if ((ds == ZKM_OK) != ref_well_formed(b, n))
        fail_msg("%s (%zu bytes): decode says %s, the format of proof.h says %s", what, n,
                 zkm_status_str(ds), ref_well_formed(b, n) ? "well formed" : "malformed");

    const int honest = n == f->len && memcmp(b, f->proof, n) == 0;
    fr *out = NULL;
    zkm_err_clear(&e);
    zkm_status vs = gkr_verify(&f->c, f->vals, b, n, &out, NULL, &e);
    free(out);
    zkm_status want = ds != ZKM_OK ? ZKM_EFORMAT : honest ? ZKM_OK : ZKM_EREJECT;
    if (vs != want)
        fail_msg("%s (%zu bytes): verify returned %s (%s), want %s", what, n, zkm_status_str(vs),
                 e.msg, zkm_status_str(want));
    if (t) {
        if (vs == ZKM_OK)
            t->ok++;
        else if (vs == ZKM_EFORMAT)
            t->format++;
        else
            t->reject++;
    }
}

static void tally_print(const char *test, const tally *t)
{
    printf("# %s: %zu accepted, %zu malformed, %zu rejected\n", test, t->ok, t->format,
           t->reject);
}

/* A canonical random field element's bytes, or (sometimes) raw bytes. */
static void rand_elem(tu_rng *g, uint8_t out[FR_BYTES], int canonical)
{
    if (canonical) {
        fr a;
        tu_fr(g, &a);
        fr_to_bytes(out, &a);
    } else {
        tu_bytes(g, out, FR_BYTES);
    }
}

static uint32_t extreme_u32(tu_rng *g, uint32_t near)
{
    static const uint32_t v[] = {0, 1, 2, 0x7fffffffu, 0x80000000u, 0xffffffffu, 0xfffffffeu,
                                 GKR_PROOF_MAX_SECTIONS, GKR_PROOF_MAX_SECTIONS + 1,
                                 0x08000000u, 0x07ffffffu};
    switch (tu_below(g, 4)) {
    case 0:
        return v[tu_below(g, sizeof v / sizeof v[0])];
    case 1:
        return near + 1;
    case 2:
        return near - 1;
    default:
        return (uint32_t)tu_u64(g);
    }
}

/* --------------------------------------------- (e) round trips and honesty */

static void test_roundtrip(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x4747);
    for (int i = 0; i < N_FX; i++)
        check_bytes(&g_fx[i], g_fx[i].proof, g_fx[i].len, NULL, g_fx[i].name);
    /* more circuits of every kind and shape */
    for (int rep = 0; rep < 40; rep++) {
        fixture f = {.name = "random"};
        tu_random_circuit(&g, &f.c, &f.vals, 1 + (uint32_t)tu_below(&g, 5),
                          1 + (uint32_t)tu_below(&g, 7), TU_KINDS_ALL);
        fixture_prove(&f);
        check_bytes(&f, f.proof, f.len, NULL, "random circuit");
        /* section structure: output first, one per computed layer */
        gkr_proof P;
        zkm_err e;
        assert_int_equal(gkr_proof_decode(&P, f.proof, f.len, &e), ZKM_OK);
        assert_int_equal(P.sections[0].tag, 0);
        uint32_t computed = 0;
        for (uint32_t l = 0; l < f.c.n_layers; l++)
            computed += f.c.layers[l].kind != GKR_INPUT;
        assert_int_equal(P.n_sections, 1 + computed);
        uint8_t d[GKR_DIGEST_BYTES];
        gkr_circuit_digest(&f.c, d);
        assert_memory_equal(P.digest, d, sizeof d);
        gkr_proof_free(&P);
        fixture_free(&f);
    }
    /* a proof with no sections round-trips too (and the verifier refuses it) */
    uint8_t hdr[GKR_PROOF_HEADER_BYTES];
    memcpy(hdr, g_fx[0].proof, sizeof hdr);
    put32(hdr + 44, 0);
    check_bytes(&g_fx[0], hdr, sizeof hdr, NULL, "no sections");
    /* no bytes at all, and a NULL pointer with length 0 */
    check_bytes(&g_fx[0], hdr, 0, NULL, "empty");
    gkr_proof P;
    assert_int_equal(gkr_proof_decode(&P, NULL, 0, NULL), ZKM_EFORMAT);
    gkr_proof_free(&P);
}

/* ------------------------------------------------------ (a) random strings */

static void test_random_bytes(void **state)
{
    (void)state;
    tu_rng g;
    tally t = {0};
    tu_rng_init(&g, g_seed ^ 0xa0a0);
    uint8_t *b = xmalloc(4096 + 64);
    for (int rep = 0; rep < 10000; rep++) {
        const fixture *f = &g_fx[tu_below(&g, N_FX)];
        size_t n = tu_below(&g, 4097);
        tu_bytes(&g, b, n);
        const int mode = rep % 3;
        if (mode >= 1 && n >= 12) {
            /* behind a valid magic and version */
            memcpy(b, GKR_PROOF_MAGIC, 8);
            put32(b + 8, GKR_PROOF_VERSION);
        }
        if (mode == 2 && n >= GKR_PROOF_HEADER_BYTES) {
            /* and a small section count */
            put32(b + 44, (uint32_t)tu_below(&g, 8));
        }
        /* an exact-size copy, so ASan sees any read past the end */
        uint8_t *c = xmalloc(n);
        memcpy(c, b, n);
        check_bytes(f, c, n, &t, "random bytes");
        free(c);
    }
    free(b);
    tally_print("random bytes", &t);
    assert_int_equal(t.ok, 0);
}

/* Random but well-formed proofs: a valid header (the fixture's digest or a
 * random one), a few sections with increasing tags and random counts, or the
 * exact section layout of the honest proof with random canonical elements,
 * which the verifier has to take through every layer before rejecting. */
static void test_random_structured(void **state)
{
    (void)state;
    tu_rng g;
    tally t = {0};
    tu_rng_init(&g, g_seed ^ 0xa1a1);
    for (int rep = 0; rep < 6000; rep++) {
        const fixture *f = &g_fx[tu_below(&g, N_FX)];
        gkr_proof H;
        zkm_err e;
        assert_int_equal(gkr_proof_decode(&H, f->proof, f->len, &e), ZKM_OK);
        const int same_layout = tu_below(&g, 2);
        const uint32_t ns = same_layout ? H.n_sections : (uint32_t)tu_below(&g, 7);
        size_t cap = GKR_PROOF_HEADER_BYTES + 8 * (size_t)ns + 64;
        uint32_t counts[64];
        for (uint32_t s = 0; s < ns; s++) {
            counts[s] = same_layout ? (uint32_t)H.sections[s].msgs.n : (uint32_t)tu_below(&g, 12);
            cap += (size_t)counts[s] * FR_BYTES;
        }
        uint8_t *b = xmalloc(cap);
        memcpy(b, f->proof, GKR_PROOF_HEADER_BYTES);
        if (tu_below(&g, 4) == 0)
            tu_bytes(&g, b + 12, GKR_DIGEST_BYTES);
        put32(b + 44, ns);
        size_t off = GKR_PROOF_HEADER_BYTES;
        uint32_t tag = 0;
        const int raw = tu_below(&g, 8) == 0; /* non-canonical elements likely */
        for (uint32_t s = 0; s < ns; s++) {
            if (same_layout)
                tag = H.sections[s].tag;
            else
                tag += s == 0 ? (uint32_t)tu_below(&g, 2) : 1 + (uint32_t)tu_below(&g, 2);
            if (tu_below(&g, 50) == 0)
                tag = (uint32_t)tu_u64(&g); /* out of order, sometimes */
            put32(b + off, tag);
            put32(b + off + 4, counts[s]);
            off += 8;
            for (uint32_t k = 0; k < counts[s]; k++, off += FR_BYTES)
                rand_elem(&g, b + off, !raw);
        }
        size_t n = off;
        if (tu_below(&g, 10) == 0) {
            size_t extra = 1 + tu_below(&g, 40);
            tu_bytes(&g, b + n, extra);
            n += extra;
        }
        gkr_proof_free(&H);
        check_bytes(f, b, n, &t, same_layout ? "random proof, honest layout" : "random proof");
        free(b);
    }
    tally_print("random structured proofs", &t);
    assert_int_equal(t.ok, 0);
    /* most of them parse, so the verifier itself did the rejecting */
    assert_true(t.reject > t.format);
}

/* ------------------------------------------------------------ (b) mutations */

typedef struct {
    uint32_t tag, count;
    uint8_t *payload;
    size_t plen;
} msec;

typedef struct {
    uint8_t hdr[GKR_PROOF_HEADER_BYTES];
    msec s[64];
    size_t n;
    uint8_t trail[64];
    size_t tlen;
} model;

static void model_parse(model *m, const uint8_t *b, size_t len)
{
    memset(m, 0, sizeof *m);
    memcpy(m->hdr, b, GKR_PROOF_HEADER_BYTES);
    size_t off = GKR_PROOF_HEADER_BYTES;
    m->n = get32(b + 44);
    assert_true(m->n <= 64);
    for (size_t s = 0; s < m->n; s++) {
        m->s[s].tag = get32(b + off);
        m->s[s].count = get32(b + off + 4);
        m->s[s].plen = (size_t)m->s[s].count * FR_BYTES;
        m->s[s].payload = xmalloc(m->s[s].plen);
        memcpy(m->s[s].payload, b + off + 8, m->s[s].plen);
        off += 8 + m->s[s].plen;
    }
    assert_int_equal(off, len);
}

static void model_free(model *m)
{
    for (size_t s = 0; s < m->n; s++)
        free(m->s[s].payload);
    m->n = 0;
}

static uint8_t *model_bytes(const model *m, size_t *len)
{
    size_t n = GKR_PROOF_HEADER_BYTES + m->tlen;
    for (size_t s = 0; s < m->n; s++)
        n += 8 + m->s[s].plen;
    uint8_t *b = xmalloc(n), *w = b + GKR_PROOF_HEADER_BYTES;
    memcpy(b, m->hdr, GKR_PROOF_HEADER_BYTES);
    for (size_t s = 0; s < m->n; s++) {
        put32(w, m->s[s].tag);
        put32(w + 4, m->s[s].count);
        memcpy(w + 8, m->s[s].payload, m->s[s].plen);
        w += 8 + m->s[s].plen;
    }
    memcpy(w, m->trail, m->tlen);
    *len = n;
    return b;
}

/* One structural change of the model. */
static void mutate_model(tu_rng *g, model *m)
{
    const size_t s = m->n ? tu_below(g, m->n) : 0;
    switch (tu_below(g, 9)) {
    case 0: /* section count field */
        put32(m->hdr + 44, extreme_u32(g, get32(m->hdr + 44)));
        break;
    case 1: /* a tag */
        if (m->n)
            m->s[s].tag = tu_below(g, 3) == 0 && s > 0 ? m->s[s - 1].tag
                                                        : extreme_u32(g, m->s[s].tag);
        break;
    case 2: /* an element count, the payload left as it is */
        if (m->n)
            m->s[s].count = extreme_u32(g, m->s[s].count);
        break;
    case 3: /* duplicate a section, with or without fixing the count */
        if (m->n && m->n < 64) {
            memmove(&m->s[s + 1], &m->s[s], (m->n - s) * sizeof(msec));
            m->s[s + 1].payload = xmalloc(m->s[s].plen);
            memcpy(m->s[s + 1].payload, m->s[s].payload, m->s[s].plen);
            m->n++;
            if (tu_below(g, 2))
                put32(m->hdr + 44, get32(m->hdr + 44) + 1);
            if (tu_below(g, 2))
                m->s[s + 1].tag++; /* a duplicate that is in order */
        }
        break;
    case 4: /* drop a section */
        if (m->n) {
            free(m->s[s].payload);
            memmove(&m->s[s], &m->s[s + 1], (m->n - s - 1) * sizeof(msec));
            m->n--;
            if (tu_below(g, 2))
                put32(m->hdr + 44, get32(m->hdr + 44) - 1);
        }
        break;
    case 5: /* swap two sections, tags and all or payloads only */
        if (m->n > 1) {
            size_t t = tu_below(g, m->n);
            msec x = m->s[s];
            m->s[s] = m->s[t];
            m->s[t] = x;
            if (tu_below(g, 2)) {
                uint32_t tag = m->s[s].tag;
                m->s[s].tag = m->s[t].tag;
                m->s[t].tag = tag;
            }
        }
        break;
    case 6: /* cut a section's payload short, with or without fixing its count */
        if (m->n && m->s[s].plen) {
            size_t cut = 1 + tu_below(g, m->s[s].plen);
            m->s[s].plen -= cut;
            if (tu_below(g, 2) && m->s[s].plen % FR_BYTES == 0)
                m->s[s].count = (uint32_t)(m->s[s].plen / FR_BYTES);
        }
        break;
    case 7: /* grow a section by one random element, with or without the count */
        if (m->n) {
            uint8_t *p = xmalloc(m->s[s].plen + FR_BYTES);
            memcpy(p, m->s[s].payload, m->s[s].plen);
            rand_elem(g, p + m->s[s].plen, tu_below(g, 4) != 0);
            free(m->s[s].payload);
            m->s[s].payload = p;
            m->s[s].plen += FR_BYTES;
            if (tu_below(g, 2))
                m->s[s].count++;
        }
        break;
    default: /* trailing bytes */
        m->tlen = 1 + tu_below(g, sizeof m->trail);
        tu_bytes(g, m->trail, m->tlen);
        break;
    }
}

/* One byte-level change of the encoding (b has room for len + 64 bytes). */
static void mutate_bytes(tu_rng *g, uint8_t *b, size_t *len)
{
    size_t n = *len;
    switch (tu_below(g, 6)) {
    case 0:
    case 1: { /* flip 1..8 random bits */
        unsigned k = 1 + (unsigned)tu_below(g, 8);
        for (unsigned i = 0; i < k && n; i++) {
            size_t bit = tu_below(g, 8 * n);
            b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        break;
    }
    case 2: /* overwrite a byte */
        if (n)
            b[tu_below(g, n)] = (uint8_t)tu_u64(g);
        break;
    case 3: /* truncate */
        *len = tu_below(g, n + 1);
        break;
    case 4: /* overwrite an aligned 32-bit word of the framing with an extreme value */
        if (n >= 4) {
            size_t at = 4 * tu_below(g, n / 4);
            put32(b + at, extreme_u32(g, get32(b + at)));
        }
        break;
    default: /* append */
    {
        size_t k = 1 + tu_below(g, 64);
        tu_bytes(g, b + n, k);
        *len = n + k;
        break;
    }
    }
}

static void test_mutations(void **state)
{
    (void)state;
    tu_rng g;
    tally t = {0};
    tu_rng_init(&g, g_seed ^ 0xb0b0);
    for (int rep = 0; rep < 20000; rep++) {
        const fixture *f = &g_fx[tu_below(&g, N_FX)];
        model m;
        size_t n;
        model_parse(&m, f->proof, f->len);
        const unsigned structural = (unsigned)tu_below(&g, 3);
        for (unsigned k = 0; k < structural; k++)
            mutate_model(&g, &m);
        uint8_t *enc = model_bytes(&m, &n);
        model_free(&m);
        uint8_t *b = xmalloc(n + 64 * 4);
        memcpy(b, enc, n);
        free(enc);
        const unsigned bytewise = (structural == 0 ? 1 : 0) + (unsigned)tu_below(&g, 3);
        for (unsigned k = 0; k < bytewise; k++)
            mutate_bytes(&g, b, &n);
        uint8_t *c = xmalloc(n); /* exact size for ASan */
        memcpy(c, b, n);
        free(b);
        check_bytes(f, c, n, &t, "mutated proof");
        free(c);
    }
    tally_print("mutated proofs", &t);
    assert_true(t.format > 0 && t.reject > 0);
}

/* The framing rules one at a time, on an honest proof. */
static void test_framing_rules(void **state)
{
    (void)state;
    for (int fi = 0; fi < N_FX; fi++) {
        const fixture *f = &g_fx[fi];
        uint8_t *b = xmalloc(2 * f->len + 64);
        const uint32_t ns = get32(f->proof + 44);
        size_t offs[64], off = GKR_PROOF_HEADER_BYTES;
        assert_true(ns >= 2 && ns <= 64);
        for (uint32_t s = 0; s < ns; s++) {
            offs[s] = off;
            off += 8 + (size_t)get32(f->proof + off + 4) * FR_BYTES;
        }
#define RESET() memcpy(b, f->proof, f->len)
#define FORMAT(what, n)                                                                      \
    do {                                                                                     \
        gkr_proof P_;                                                                        \
        zkm_err e_;                                                                          \
        if (gkr_proof_decode(&P_, b, (n), &e_) != ZKM_EFORMAT)                               \
            fail_msg("%s: %s: not refused as malformed", f->name, what);                     \
        check_bytes(f, b, (n), NULL, what);                                                  \
    } while (0)
        RESET();
        b[0] ^= 0x20; /* "zKMPROOF" */
        FORMAT("bad magic", f->len);
        for (uint32_t v = 0; v < 4; v++) {
            if (v == GKR_PROOF_VERSION)
                continue;
            RESET();
            put32(b + 8, v);
            FORMAT("other version", f->len);
        }
        for (uint32_t s = 1; s < ns; s++) {
            const uint32_t prev = get32(f->proof + offs[s - 1]);
            RESET();
            put32(b + offs[s], prev);
            FORMAT("tag repeated", f->len);
            if (prev > 0) {
                RESET();
                put32(b + offs[s], prev - 1);
                FORMAT("tag decreasing", f->len);
            }
            RESET();
            put32(b + offs[s], 0);
            FORMAT("tag back to 0", f->len);
        }
        for (uint32_t s = 0; s < ns; s++) {
            const uint32_t cnt = get32(f->proof + offs[s] + 4);
            RESET();
            put32(b + offs[s] + 4, cnt + 1);
            FORMAT("count one too large", f->len);
        }
        /* the last section one element short: 32 trailing bytes */
        RESET();
        put32(b + offs[ns - 1] + 4, get32(f->proof + offs[ns - 1] + 4) - 1);
        FORMAT("count one too small at the end", f->len);
        /* section count one too small: a whole section trailing */
        RESET();
        put32(b + 44, ns - 1);
        FORMAT("section count one too small", f->len);
        RESET();
        put32(b + 44, ns + 1);
        FORMAT("section count one too large", f->len);
        /* ... unless the extra section is there */
        RESET();
        put32(b + 44, ns + 1);
        put32(b + f->len, 0xfffffff0u);
        put32(b + f->len + 4, 0);
        check_bytes(f, b, f->len + 8, NULL, "extra empty section");
        {
            gkr_proof P;
            zkm_err e;
            assert_int_equal(gkr_proof_decode(&P, b, f->len + 8, &e), ZKM_OK);
            assert_int_equal(P.n_sections, ns + 1);
            gkr_proof_free(&P);
        }
        /* and a section duplicated in full (same tag) */
        RESET();
        put32(b + 44, ns + 1);
        memcpy(b + f->len, f->proof + offs[ns - 1], f->len - offs[ns - 1]);
        FORMAT("last section duplicated", f->len + (f->len - offs[ns - 1]));
#undef RESET
#undef FORMAT
        free(b);
    }
}

/* -------------------------------------------------------- (c) huge counts */

/* Watch allocations while running f: the largest single request must stay
 * below limit bytes.  Under ASan the allocation hook records every request;
 * otherwise an address-space limit makes a huge request fail, which the
 * decoder would report as ZKM_ENOMEM instead of ZKM_EFORMAT. */
typedef struct {
    struct rlimit saved;
    int limited;
} alloc_watch;

static void watch_begin(alloc_watch *w, size_t limit)
{
    w->limited = 0;
#ifdef TD_ASAN
    (void)limit;
    g_max_alloc = 0;
#else
    /* the current address space, from /proc/self/statm (pages) */
    FILE *fp = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (fp) {
        if (fscanf(fp, "%lu", &pages) != 1)
            pages = 0;
        fclose(fp);
    }
    if (pages && getrlimit(RLIMIT_AS, &w->saved) == 0) {
        struct rlimit r = w->saved;
        rlim_t want = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + (rlim_t)limit +
                      ((rlim_t)8 << 20);
        if (r.rlim_max == RLIM_INFINITY || want <= r.rlim_max) {
            r.rlim_cur = want;
            w->limited = setrlimit(RLIMIT_AS, &r) == 0;
        }
    }
#endif
}

/* 1 if an allocation above limit was seen (or attempted) since watch_begin. */
static int watch_end(alloc_watch *w, size_t limit)
{
#ifdef TD_ASAN
    (void)w;
    return g_max_alloc > limit;
#else
    (void)limit;
    if (w->limited)
        assert_int_equal(setrlimit(RLIMIT_AS, &w->saved), 0);
    return 0; /* a refused huge request shows up as ZKM_ENOMEM */
#endif
}

/* The watch itself catches a huge request. */
static void watch_self_test(void)
{
    alloc_watch w;
    const size_t limit = 1 << 20;
    watch_begin(&w, limit);
    void *volatile p = malloc((size_t)1 << 32);
#ifdef TD_ASAN
    free(p);
    assert_true(watch_end(&w, limit));
#else
    const int refused = p == NULL;
    free(p);
    watch_end(&w, limit);
    if (w.limited)
        assert_true(refused);
    else
        printf("# no address-space limit available: allocation sizes are not checked\n");
#endif
}

static size_t watch_max(void)
{
#ifdef TD_ASAN
    return g_max_alloc;
#else
    return 0;
#endif
}

static void expect_format_small(const fixture *f, const uint8_t *b, size_t n, const char *what)
{
    alloc_watch w;
    gkr_proof P;
    zkm_err e;
    /* nothing in a refused proof needs more than a few times its size */
    const size_t limit = 4 * n + 4096;
    watch_begin(&w, limit);
    zkm_status ds = gkr_proof_decode(&P, b, n, &e);
    fr *out = NULL;
    zkm_status vs = gkr_verify(&f->c, f->vals, b, n, &out, NULL, NULL);
    if (watch_end(&w, limit))
        fail_msg("%s: an allocation of %zu bytes (limit %zu)", what, watch_max(), limit);
    if (ds != ZKM_EFORMAT || vs != ZKM_EFORMAT)
        fail_msg("%s (%zu bytes): decode %s, verify %s, want malformed input", what, n,
                 zkm_status_str(ds), zkm_status_str(vs));
    assert_int_equal(P.n_sections, 0);
    assert_null(out);
}

static void test_huge_counts(void **state)
{
    (void)state;
    const fixture *f = &g_fx[0];
    watch_self_test();
    uint8_t *b = xmalloc(GKR_PROOF_HEADER_BYTES + 3 * 8 + 4096);
    memcpy(b, f->proof, GKR_PROOF_HEADER_BYTES);
    static const uint32_t counts[] = {0xffffffffu, 0xfffffffeu, 0x80000000u, 0x7fffffffu,
                                      1u << 27, 1u << 20, 1000, 2};
    static const size_t present[] = {0, 1, 31, 32, 33, 63, 64, 1000, 4096};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        for (size_t j = 0; j < sizeof present / sizeof present[0]; j++) {
            if ((uint64_t)present[j] >= (uint64_t)counts[i] * FR_BYTES)
                continue;
            char what[96];
            /* one section declaring counts[i] elements */
            put32(b + 44, 1);
            put32(b + 48, 0);
            put32(b + 52, counts[i]);
            memset(b + 56, 0, present[j]);
            snprintf(what, sizeof what, "one section of %u elements, %zu bytes present",
                     counts[i], present[j]);
            expect_format_small(f, b, 56 + present[j], what);
            /* the huge one second, after a valid empty section */
            put32(b + 44, 2);
            put32(b + 52, 0);
            put32(b + 56, 1);
            put32(b + 60, counts[i]);
            memset(b + 64, 0, present[j]);
            snprintf(what, sizeof what, "second section of %u elements, %zu bytes present",
                     counts[i], present[j]);
            expect_format_small(f, b, 64 + present[j], what);
        }
    }
    /* huge section counts with a few bytes */
    static const uint32_t nsec[] = {0xffffffffu, 0x80000000u, 0x7fffffffu,
                                    GKR_PROOF_MAX_SECTIONS + 1, GKR_PROOF_MAX_SECTIONS,
                                    1u << 16, 3};
    for (size_t i = 0; i < sizeof nsec / sizeof nsec[0]; i++) {
        for (size_t j = 0; j < sizeof present / sizeof present[0]; j++) {
            if ((uint64_t)present[j] >= (uint64_t)nsec[i] * 8)
                continue;
            char what[96];
            put32(b + 44, nsec[i]);
            /* empty sections with increasing tags, as far as the bytes go */
            memset(b + 48, 0, present[j]);
            for (size_t k = 0; 8 * k + 8 <= present[j]; k++)
                put32(b + 48 + 8 * k, (uint32_t)k);
            snprintf(what, sizeof what, "%u sections, %zu bytes present", nsec[i], present[j]);
            expect_format_small(f, b, 48 + present[j], what);
        }
    }
    free(b);

    /* the section limit itself: GKR_PROOF_MAX_SECTIONS empty sections parse,
     * one more is refused even with all its bytes present */
    const size_t nmax = GKR_PROOF_MAX_SECTIONS;
    const size_t len = GKR_PROOF_HEADER_BYTES + 8 * (nmax + 1);
    b = xmalloc(len);
    memcpy(b, f->proof, GKR_PROOF_HEADER_BYTES);
    for (size_t k = 0; k <= nmax; k++) {
        put32(b + GKR_PROOF_HEADER_BYTES + 8 * k, (uint32_t)k);
        put32(b + GKR_PROOF_HEADER_BYTES + 8 * k + 4, 0);
    }
    put32(b + 44, (uint32_t)nmax);
    check_bytes(f, b, len - 8, NULL, "GKR_PROOF_MAX_SECTIONS sections");
    put32(b + 44, (uint32_t)nmax + 1);
    gkr_proof P;
    zkm_err e;
    assert_int_equal(gkr_proof_decode(&P, b, len, &e), ZKM_EFORMAT);
    assert_int_equal(gkr_verify(&f->c, f->vals, b, len, NULL, NULL, &e), ZKM_EFORMAT);
    free(b);
}

/* ------------------------------------------- (d) non-canonical elements */

static void test_noncanonical(void **state)
{
    (void)state;
    mpz_t r, v;
    mpz_inits(r, v, NULL);
    fr_modulus_mpz(r);
    /* values >= r: r, r + 1, r + 2^64, 2^254 + r - 1 (< 2^255), 2^255,
     * 2^256 - 1; values < r: 0, 1, r - 1 */
    enum { N_BAD = 6, N_GOOD = 3 };
    uint8_t bad[N_BAD][FR_BYTES], good[N_GOOD][FR_BYTES];
    for (int i = 0; i < N_BAD + N_GOOD; i++) {
        /* v = (pow >= 0 ? 2^pow : 0) + (with_r ? r : 0) + d */
        static const struct {
            int pow, with_r, d;
        } spec[N_BAD + N_GOOD] = {{-1, 1, 0},  {-1, 1, 1},  {64, 1, 0}, {254, 1, -1}, {255, 0, 0},
                                  {256, 0, -1}, {-1, 0, 0}, {-1, 0, 1}, {-1, 1, -1}};
        mpz_set_ui(v, 0);
        if (spec[i].pow >= 0)
            mpz_setbit(v, (mp_bitcnt_t)spec[i].pow);
        if (spec[i].with_r)
            mpz_add(v, v, r);
        if (spec[i].d > 0)
            mpz_add_ui(v, v, (unsigned long)spec[i].d);
        else if (spec[i].d < 0)
            mpz_sub_ui(v, v, (unsigned long)-spec[i].d);
        uint8_t *out = i < N_BAD ? bad[i] : good[i - N_BAD];
        memset(out, 0, FR_BYTES);
        assert_true(mpz_sizeinbase(v, 2) <= 256);
        mpz_export(out, NULL, -1, 1, 0, 0, v);
        if (i < N_BAD)
            assert_true(mpz_cmp(v, r) >= 0);
    }
    mpz_clears(r, v, NULL);

    tally t = {0};
    for (int fi = 0; fi < N_FX; fi++) {
        const fixture *f = &g_fx[fi];
        uint8_t *b = xmalloc(f->len);
        memcpy(b, f->proof, f->len);
        /* every element of every section */
        size_t off = GKR_PROOF_HEADER_BYTES;
        const uint32_t ns = get32(b + 44);
        for (uint32_t s = 0; s < ns; s++) {
            const uint32_t cnt = get32(b + off + 4);
            off += 8;
            for (uint32_t k = 0; k < cnt; k++, off += FR_BYTES) {
                uint8_t saved[FR_BYTES];
                memcpy(saved, b + off, FR_BYTES);
                for (int i = 0; i < N_BAD; i++) {
                    gkr_proof P;
                    zkm_err e;
                    memcpy(b + off, bad[i], FR_BYTES);
                    assert_int_equal(gkr_proof_decode(&P, b, f->len, &e), ZKM_EFORMAT);
                    assert_int_equal(P.n_sections, 0);
                    check_bytes(f, b, f->len, &t, "non-canonical element");
                }
                for (int i = 0; i < N_GOOD; i++) {
                    memcpy(b + off, good[i], FR_BYTES);
                    check_bytes(f, b, f->len, &t, "canonical element replaced");
                }
                memcpy(b + off, saved, FR_BYTES);
            }
        }
        assert_int_equal(off, f->len);
        free(b);
    }
    tally_print("replaced elements", &t);
}

/* ------------------------------------------------------ leak detection */

#ifdef TD_ASAN
static void test_leak_sanitizer_active(void **state)
{
    (void)state;
    /* A child that leaks on purpose must be caught. */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, 2);
        void *volatile p = malloc(4321);
        p = NULL;
        (void)p;
        _exit(__lsan_do_recoverable_leak_check() ? 42 : 0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 42)
        fail_msg("LeakSanitizer did not report a deliberate leak (child exit %d)",
                 WEXITSTATUS(status));
    /* and this process has leaked nothing so far */
    if (__lsan_do_recoverable_leak_check() != 0)
        fail_msg("LeakSanitizer found leaks (report above)");
}
#endif

int main(void)
{
    g_seed = tu_seed("test_decode");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_random_structured),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_framing_rules),
        cmocka_unit_test(test_huge_counts),
        cmocka_unit_test(test_noncanonical),
#ifdef TD_ASAN
        cmocka_unit_test(test_leak_sanitizer_active),
#endif
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
