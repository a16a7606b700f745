/* Proof decoder robustness, format version 6 (proof.h).  gkr_proof_decode
 * and gkr_verify fed
 *   (a) random byte strings of random lengths 0..4096, bare, behind a valid
 *       magic and version, and shaped like a proof of the circuit;
 *   (b) random mutations of valid proofs: bit flips, section counts, tags,
 *       encodings, widths, reserved bytes and value counts overwritten with
 *       random and extreme values, sections duplicated, dropped, swapped,
 *       re-encoded and cut short, truncation, appended bytes;
 *   (c) headers declaring huge section or value counts (field elements and
 *       packed integers down to 1 bit) with few bytes present: ZKM_EFORMAT,
 *       and nothing huge allocated (checked with the sanitizer's allocation
 *       hook under SAN=1, with an address-space limit otherwise);
 *   (d) non-canonical field elements (r, r + 1, 2^255, 2^256 - 1, ...);
 *   (e) byte-exact round trips through decode and encode, of proofs with
 *       and without advice sections;
 *   (f) packed sections: every encoding and width decoded against an
 *       independent unpacking (two's complement sign extension for
 *       GKR_ENC_SINT), known answers for the bit order, non-zero padding
 *       bits, non-zero reserved bytes, and every encoding/width pair.
 * Every outcome is checked for consistency: the decoder says OK or
 * ZKM_EFORMAT and leaves the proof empty on failure; what it accepts
 * re-encodes to the same bytes; an independent reference parser of the
 * documented format agrees with it on every input; the verifier reports
 * ZKM_EFORMAT exactly for what the decoder refuses, and ZKM_EREJECT for
 * anything decodable that is not the honest proof.  Under SAN=1 the program
 * also checks that LeakSanitizer is active and finds no leak. */
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

/* The layout of proof.h, written out again: a 48-byte proof header, then
 * sections of a 12-byte header and a payload. */
enum {
    HDR = 48,     /* magic 8, version 6, digest 32, section count 4 */
    SEC_HDR = 12, /* tag 4, encoding 1, width 1, reserved 2, count 4 */
    ENC_FIELD = 0,
    ENC_UINT = 1,
    ENC_SINT = 2,
    ENC_G1 = 3
};

typedef tu_fixture fixture;

enum { N_FX = 5, FX_ADVICE = 3, FX_ADVICE_WIDE = 4 };
static uint64_t g_seed;
static fixture g_fx[N_FX];
static uint8_t g_r_le[FR_BYTES]; /* r, little-endian */
static mpz_t g_p;                /* the base field's modulus */

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

/* A section header: tag, encoding, width, reserved zero, count. */
static void put_sec(uint8_t *p, uint32_t tag, unsigned enc, unsigned width, uint32_t count)
{
    put32(p, tag);
    p[4] = (uint8_t)enc;
    p[5] = (uint8_t)width;
    p[6] = p[7] = 0;
    put32(p + 8, count);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    assert_non_null(p);
    return p;
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
        mpz_init_set_str(g_p, "21888242871839275222246405745257275088696311157297823662689037894"
                              "645226208583", 10);
    }
    g_fx[0].name = "demo";
    g_fx[0].demo = 1;
    if (gkr_sample_demo(&g_fx[0].c, &g_fx[0].vals, 7, &e)) {
        fprintf(stderr, "gkr_sample_demo: %s\n", e.msg);
        return -1;
    }
    tu_fixture_prove(&g_fx[0]);
    tu_rng_init(&g, g_seed);
    g_fx[1].name = "random-small";
    tu_random_circuit(&g, &g_fx[1].c, &g_fx[1].vals, 3, 4, TU_KINDS_ALL);
    tu_fixture_prove(&g_fx[1]);
    g_fx[2].name = "random-deep";
    tu_random_circuit(&g, &g_fx[2].c, &g_fx[2].vals, 6, 6, TU_KINDS_ALL);
    tu_fixture_prove(&g_fx[2]);
    /* advice sections (1-bit, signed and unsigned) between the computed
     * layers' sections, and zero layers */
    g_fx[FX_ADVICE].name = "advice";
    tu_advice_circuit(&g, &g_fx[FX_ADVICE].c, &g_fx[FX_ADVICE].vals, 2, 1);
    tu_fixture_prove(&g_fx[FX_ADVICE]);
    g_fx[FX_ADVICE_WIDE].name = "advice-wide";
    tu_advice_circuit(&g, &g_fx[FX_ADVICE_WIDE].c, &g_fx[FX_ADVICE_WIDE].vals, 3, 5);
    tu_fixture_prove(&g_fx[FX_ADVICE_WIDE]);
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
        tu_fixture_free(&g_fx[i]);
    mpz_clear(g_p);
    return 0;
}

/* The proof format of proof.h, decided independently of the library. */

/* Whether width suits encoding: field elements have width 0, unsigned
 * integers 1..63 bits, two's complement integers 2..64 bits. */
static int ref_width_ok(unsigned enc, unsigned width)
{
    if (enc == ENC_FIELD || enc == ENC_G1)
        return width == 0;
    if (enc == ENC_UINT)
        return width >= 1 && width <= 63;
    if (enc == ENC_SINT)
        return width >= 2 && width <= 64;
    return 0;
}

/* Payload bytes of n values: 32 each, or ceil(n * width / 8). */
static uint64_t ref_payload(unsigned enc, unsigned width, uint64_t n)
{
    if (enc == ENC_FIELD || enc == ENC_G1)
        return n * FR_BYTES;
    return (n * width + 7) / 8; /* n < 2^32, width <= 255: no overflow */
}

/* A compressed point (g1.h): x in the low 254 bits (little-endian), bit 7
 * of the last byte y's parity, bit 6 infinity (then nothing else set); x < p
 * with x^3 + 3 a square mod p (BN254 G1 has no point with y = 0, so either
 * parity names a point). */
static int ref_point(const uint8_t *b)
{
    const unsigned flags = b[31] >> 6;
    if (flags & 1) {
        if (b[31] != 0x40)
            return 0;
        for (int i = 0; i < 31; i++)
            if (b[i])
                return 0;
        return 1;
    }
    uint8_t x[32];
    memcpy(x, b, 32);
    x[31] &= 0x3f;
    mpz_t X, t;
    mpz_inits(X, t, NULL);
    mpz_import(X, 32, -1, 1, 0, 0, x);
    int ok = mpz_cmp(X, g_p) < 0;
    if (ok) {
        mpz_powm_ui(t, X, 3, g_p);
        mpz_add_ui(t, t, 3);
        mpz_mod(t, t, g_p);
        ok = mpz_legendre(t, g_p) == 1;
    }
    mpz_clears(X, t, NULL);
    return ok;
}

static int ref_canonical(const uint8_t *x)
{
    for (int i = FR_BYTES - 1; i >= 0; i--)
        if (x[i] != g_r_le[i])
            return x[i] < g_r_le[i];
    return 0; /* x == r */
}

/* 1 if the bytes are a well-formed proof. */
static int ref_well_formed(const uint8_t *b, size_t n)
{
    if (n < HDR || memcmp(b, "ZKMPROOF", 8) != 0 || get32(b + 8) != 6)
        return 0;
    const uint32_t ns = get32(b + 44);
    if (ns > (1u << 20))
        return 0;
    size_t off = HDR;
    int64_t prev = -1;
    for (uint32_t s = 0; s < ns; s++) {
        if (n - off < SEC_HDR)
            return 0;
        const uint8_t *h = b + off;
        const uint32_t tag = get32(h), cnt = get32(h + 8);
        const unsigned enc = h[4], width = h[5];
        off += SEC_HDR;
        if ((int64_t)tag <= prev || h[6] != 0 || h[7] != 0 || !ref_width_ok(enc, width))
            return 0;
        prev = tag;
        const uint64_t bytes = ref_payload(enc, width, cnt);
        if (bytes > n - off)
            return 0;
        if (enc == ENC_FIELD || enc == ENC_G1) {
            for (uint32_t k = 0; k < cnt; k++)
                if (!(enc == ENC_FIELD ? ref_canonical : ref_point)(b + off + (size_t)k * FR_BYTES))
                    return 0;
        } else {
            /* the used bits end inside the last byte: the rest of it is zero */
            const uint64_t used = (uint64_t)cnt * width;
            if (used % 8 && (b[off + bytes - 1] >> (used % 8)) != 0)
                return 0;
        }
        off += bytes;
    }
    return off == n;
}

/* Bits [pos, pos + w) of a payload of plen bytes, as an integer (bit 0 of
 * byte 0 first); bytes past plen read as zero. */
static uint64_t tb_get(const uint8_t *p, size_t plen, uint64_t pos, unsigned w)
{
    unsigned __int128 acc = 0;
    const size_t at = pos / 8;
    for (unsigned i = 0; i < 9 && at + i < plen; i++)
        acc |= (unsigned __int128)p[at + i] << (8 * i);
    acc >>= pos % 8;
    const uint64_t mask = w == 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
    return (uint64_t)acc & mask;
}

/* OR the w-bit integer v into bits [pos, pos + w) of a zeroed payload. */
static void tb_put(uint8_t *p, size_t plen, uint64_t pos, uint64_t v, unsigned w)
{
    const uint64_t mask = w == 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
    unsigned __int128 acc = (unsigned __int128)(v & mask) << (pos % 8);
    const size_t at = pos / 8;
    for (unsigned i = 0; i < 9 && at + i < plen; i++)
        p[at + i] |= (uint8_t)(acc >> (8 * i));
}

/* The canonical bytes of the field element a packed w-bit value stands
 * for: the integer itself, or for GKR_ENC_SINT with the top bit set, the
 * integer minus 2^w (sign extension), reduced mod r. */
static void ref_value(uint8_t out[FR_BYTES], unsigned enc, unsigned w, uint64_t bits)
{
    mpz_t v, t;
    mpz_inits(v, t, NULL);
    mpz_import(v, 1, -1, sizeof bits, 0, 0, &bits);
    if (enc == ENC_SINT && mpz_tstbit(v, w - 1)) {
        mpz_set_ui(t, 0);
        mpz_setbit(t, w);
        mpz_sub(v, v, t);
    }
    fr_modulus_mpz(t);
    mpz_mod(v, v, t); /* into [0, r) */
    memset(out, 0, FR_BYTES);
    mpz_export(out, NULL, -1, 1, 0, 0, v);
    mpz_clears(v, t, NULL);
}

/* A random w-bit pattern, often an extreme one (0, all ones, the top bit
 * alone, all but the top bit). */
static uint64_t rand_bits(tu_rng *g, unsigned w)
{
    const uint64_t mask = w == 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
    switch (tu_below(g, 8)) {
    case 0: return 0;
    case 1: return mask;
    case 2: return (uint64_t)1 << (w - 1);
    case 3: return mask >> 1;
    case 4: return 1;
    default: return tu_u64(g) & mask;
    }
}

/* Fill a packed payload of cnt values with random bits, padding zero. */
static void rand_packed_payload(tu_rng *g, uint8_t *p, size_t plen, uint32_t cnt, unsigned w)
{
    memset(p, 0, plen);
    for (uint32_t k = 0; k < cnt; k++)
        tb_put(p, plen, (uint64_t)k * w, rand_bits(g, w), w);
}

/* The sections of a well-formed proof. */
typedef struct {
    size_t off; /* of the section header */
    uint32_t tag, count;
    unsigned enc, width;
    size_t plen; /* payload bytes, after the header */
} secinfo;

static uint32_t walk(const uint8_t *b, size_t len, secinfo *si, uint32_t max)
{
    assert_true(ref_well_formed(b, len));
    const uint32_t ns = get32(b + 44);
    assert_true(ns <= max);
    size_t off = HDR;
    for (uint32_t s = 0; s < ns; s++) {
        si[s].off = off;
        si[s].tag = get32(b + off);
        si[s].enc = b[off + 4];
        si[s].width = b[off + 5];
        si[s].count = get32(b + off + 8);
        si[s].plen = (size_t)ref_payload(si[s].enc, si[s].width, si[s].count);
        off += SEC_HDR + si[s].plen;
    }
    assert_int_equal(off, len);
    return ns;
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

static int is_advice_layer(const gkr_layer *l)
{
    return l->kind == GKR_INPUT && l->p.input.visibility == GKR_INPUT_ADVICE;
}

/* The section structure of an honest proof: the output (field elements)
 * first, then one section per computed layer (field elements) or advice
 * layer (its encoding and width, its first len values), in layer order,
 * tag 1 + layer; the circuit's digest. */
static void check_structure(const fixture *f)
{
    gkr_proof P;
    zkm_err e;
    assert_int_equal(gkr_proof_decode(&P, f->proof, f->len, &e), ZKM_OK);
    uint8_t d[GKR_DIGEST_BYTES];
    gkr_circuit_digest(&f->c, d);
    assert_memory_equal(P.digest, d, sizeof d);
    assert_true(P.n_sections >= 1);
    assert_int_equal(P.sections[0].tag, 0);
    assert_int_equal(P.sections[0].encoding, ENC_FIELD);
    assert_int_equal(P.sections[0].msgs.n, (size_t)1 << f->c.layers[0].nvars);
    assert_memory_equal(P.sections[0].msgs.v, f->vals[0], P.sections[0].msgs.n * sizeof(fr));
    uint32_t s = 1;
    for (uint32_t l = 0; l < f->c.n_layers; l++) {
        const gkr_layer *L = &f->c.layers[l];
        if (L->kind == GKR_INPUT && !is_advice_layer(L))
            continue;
        assert_true(s < P.n_sections);
        const gkr_section *sec = &P.sections[s++];
        assert_int_equal(sec->tag, 1 + l);
        if (L->kind != GKR_INPUT) {
            assert_int_equal(sec->encoding, ENC_FIELD);
            assert_int_equal(sec->width, 0);
            continue;
        }
        assert_int_equal(sec->encoding, L->p.input.encoding);
        assert_int_equal(sec->width, L->p.input.width);
        assert_int_equal(sec->msgs.n, L->p.input.len);
        if (sec->msgs.n)
            assert_memory_equal(sec->msgs.v, f->vals[l], sec->msgs.n * sizeof(fr));
    }
    assert_int_equal(P.n_sections, s);
    gkr_proof_free(&P);
}

static void test_roundtrip(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x4747);
    for (int i = 0; i < N_FX; i++) {
        check_bytes(&g_fx[i], g_fx[i].proof, g_fx[i].len, NULL, g_fx[i].name);
        check_structure(&g_fx[i]);
    }
    /* more circuits of every kind and shape */
    for (int rep = 0; rep < 40; rep++) {
        fixture f = {.name = "random"};
        tu_random_circuit(&g, &f.c, &f.vals, 1 + (uint32_t)tu_below(&g, 5),
                          1 + (uint32_t)tu_below(&g, 7), TU_KINDS_ALL);
        tu_fixture_prove(&f);
        check_bytes(&f, f.proof, f.len, NULL, "random circuit");
        check_structure(&f);
        tu_fixture_free(&f);
    }
    /* circuits with advice sections of random encodings, widths and lengths
     * (the bits layer 1..8 bits wide) */
    size_t n_packed = 0;
    for (int rep = 0; rep < 30; rep++) {
        fixture f = {.name = "advice"};
        tu_advice_circuit(&g, &f.c, &f.vals, 1 + (uint32_t)tu_below(&g, 4),
                          1 + (unsigned)tu_below(&g, 8));
        tu_fixture_prove(&f);
        check_bytes(&f, f.proof, f.len, NULL, "advice circuit");
        check_structure(&f);
        secinfo si[16];
        const uint32_t ns = walk(f.proof, f.len, si, 16);
        for (uint32_t s = 0; s < ns; s++)
            n_packed += si[s].enc != ENC_FIELD;
        tu_fixture_free(&f);
    }
    assert_int_equal(n_packed, 30 * 3);
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

/* A random valid encoding and width. */
static void rand_encoding(tu_rng *g, unsigned *enc, unsigned *width)
{
    switch (tu_below(g, 3)) {
    case 0:
        *enc = ENC_FIELD;
        *width = 0;
        break;
    case 1:
        *enc = ENC_UINT;
        *width = 1 + (unsigned)tu_below(g, 63);
        break;
    default:
        *enc = ENC_SINT;
        *width = 2 + (unsigned)tu_below(g, 63);
        break;
    }
}

/* Random but well-formed proofs: a valid header (the fixture's digest or a
 * random one), a few sections with increasing tags, random encodings and
 * random counts, or the exact section layout of the honest proof with random
 * canonical elements and random packed values, which the verifier has to
 * take through every layer before rejecting. */
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
        size_t cap = GKR_PROOF_HEADER_BYTES + SEC_HDR * (size_t)ns + 64;
        uint32_t counts[64];
        unsigned encs[64], widths[64];
        for (uint32_t s = 0; s < ns; s++) {
            if (same_layout) {
                counts[s] = (uint32_t)H.sections[s].msgs.n;
                encs[s] = H.sections[s].encoding;
                widths[s] = H.sections[s].width;
            } else {
                counts[s] = (uint32_t)tu_below(&g, 12);
                rand_encoding(&g, &encs[s], &widths[s]);
            }
            cap += (size_t)ref_payload(encs[s], widths[s], counts[s]);
        }
        uint8_t *b = xmalloc(cap);
        memcpy(b, f->proof, GKR_PROOF_HEADER_BYTES);
        if (tu_below(&g, 4) == 0)
            tu_bytes(&g, b + 12, GKR_DIGEST_BYTES);
        put32(b + 44, ns);
        size_t off = GKR_PROOF_HEADER_BYTES;
        uint32_t tag = 0;
        const int raw = tu_below(&g, 8) == 0; /* non-canonical elements, padding likely */
        for (uint32_t s = 0; s < ns; s++) {
            if (same_layout)
                tag = H.sections[s].tag;
            else
                tag += s == 0 ? (uint32_t)tu_below(&g, 2) : 1 + (uint32_t)tu_below(&g, 2);
            if (tu_below(&g, 50) == 0)
                tag = (uint32_t)tu_u64(&g); /* out of order, sometimes */
            put_sec(b + off, tag, encs[s], widths[s], counts[s]);
            off += SEC_HDR;
            const size_t plen = (size_t)ref_payload(encs[s], widths[s], counts[s]);
            if (encs[s] == ENC_FIELD) {
                for (uint32_t k = 0; k < counts[s]; k++)
                    rand_elem(&g, b + off + (size_t)k * FR_BYTES, !raw);
            } else if (raw) {
                tu_bytes(&g, b + off, plen); /* padding bits random */
            } else {
                rand_packed_payload(&g, b + off, plen, counts[s], widths[s]);
            }
            off += plen;
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
    uint8_t enc, width, res[2];
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
    secinfo si[64];
    memset(m, 0, sizeof *m);
    memcpy(m->hdr, b, GKR_PROOF_HEADER_BYTES);
    m->n = walk(b, len, si, 64);
    for (size_t s = 0; s < m->n; s++) {
        msec *x = &m->s[s];
        x->tag = si[s].tag;
        x->count = si[s].count;
        x->enc = (uint8_t)si[s].enc;
        x->width = (uint8_t)si[s].width;
        x->plen = si[s].plen;
        x->payload = xmalloc(x->plen);
        memcpy(x->payload, b + si[s].off + SEC_HDR, x->plen);
    }
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
        n += SEC_HDR + m->s[s].plen;
    uint8_t *b = xmalloc(n), *w = b + GKR_PROOF_HEADER_BYTES;
    memcpy(b, m->hdr, GKR_PROOF_HEADER_BYTES);
    for (size_t s = 0; s < m->n; s++) {
        const msec *x = &m->s[s];
        put32(w, x->tag);
        w[4] = x->enc;
        w[5] = x->width;
        w[6] = x->res[0];
        w[7] = x->res[1];
        put32(w + 8, x->count);
        memcpy(w + SEC_HDR, x->payload, x->plen);
        w += SEC_HDR + x->plen;
    }
    memcpy(w, m->trail, m->tlen);
    *len = n;
    return b;
}

/* Clear the bits of a packed payload past count values (if the section's
 * encoding is a valid packed one). */
static void zero_padding(msec *x)
{
    if (x->enc == ENC_FIELD || !ref_width_ok(x->enc, x->width))
        return;
    for (uint64_t bit = (uint64_t)x->count * x->width; bit < 8 * (uint64_t)x->plen; bit++)
        x->payload[bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

static uint8_t extreme_u8(tu_rng *g, uint8_t near)
{
    static const uint8_t v[] = {0, 1, 2, 3, 4, 7, 8, 31, 32, 33, 62, 63, 64, 65, 127, 128, 255};
    switch (tu_below(g, 4)) {
    case 0:
    case 1:
        return v[tu_below(g, sizeof v / sizeof v[0])];
    case 2:
        return (uint8_t)(near + (tu_below(g, 2) ? 1 : -1));
    default:
        return (uint8_t)tu_u64(g);
    }
}

/* One structural change of the model. */
static void mutate_model(tu_rng *g, model *m)
{
    const size_t s = m->n ? tu_below(g, m->n) : 0;
    msec *x = &m->s[s];
    switch (tu_below(g, 13)) {
    case 0: /* section count field */
        put32(m->hdr + 44, extreme_u32(g, get32(m->hdr + 44)));
        break;
    case 1: /* a tag */
        if (m->n)
            x->tag = tu_below(g, 3) == 0 && s > 0 ? m->s[s - 1].tag : extreme_u32(g, x->tag);
        break;
    case 2: /* a value count, the payload left as it is */
        if (m->n)
            x->count = extreme_u32(g, x->count);
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
            free(x->payload);
            memmove(&m->s[s], &m->s[s + 1], (m->n - s - 1) * sizeof(msec));
            m->n--;
            if (tu_below(g, 2))
                put32(m->hdr + 44, get32(m->hdr + 44) - 1);
        }
        break;
    case 5: /* swap two sections, tags and all or everything but the tags */
        if (m->n > 1) {
            size_t t = tu_below(g, m->n);
            msec y = m->s[s];
            m->s[s] = m->s[t];
            m->s[t] = y;
            if (tu_below(g, 2)) {
                uint32_t tag = m->s[s].tag;
                m->s[s].tag = m->s[t].tag;
                m->s[t].tag = tag;
            }
        }
        break;
    case 6: /* cut a section's payload short, with or without fixing its count */
        if (m->n && x->plen) {
            size_t cut = 1 + tu_below(g, x->plen);
            x->plen -= cut;
            if (tu_below(g, 2)) {
                if ((x->enc == ENC_FIELD || x->enc == ENC_G1) && x->width == 0 &&
                    x->plen % FR_BYTES == 0)
                    x->count = (uint32_t)(x->plen / FR_BYTES);
                else if (x->enc != ENC_FIELD && x->enc != ENC_G1 &&
                         ref_width_ok(x->enc, x->width))
                    x->count = (uint32_t)(8 * x->plen / x->width);
            }
        }
        break;
    case 7: /* grow a section by one random value, with or without the count */
        if (m->n) {
            size_t grow;
            if ((x->enc == ENC_FIELD || x->enc == ENC_G1) && x->width == 0)
                grow = FR_BYTES;
            else if (ref_width_ok(x->enc, x->width))
                grow = (size_t)ref_payload(x->enc, x->width, (uint64_t)x->count + 1) -
                       (size_t)ref_payload(x->enc, x->width, x->count); /* 0 in the padding */
            else
                grow = 1 + tu_below(g, 8);
            uint8_t *p = xmalloc(x->plen + grow);
            memcpy(p, x->payload, x->plen);
            if (x->enc == ENC_FIELD && x->width == 0)
                rand_elem(g, p + x->plen, tu_below(g, 4) != 0);
            else
                tu_bytes(g, p + x->plen, grow);
            free(x->payload);
            x->payload = p;
            x->plen += grow;
            if (tu_below(g, 2)) {
                x->count++;
                if (x->enc != ENC_FIELD && tu_below(g, 4) != 0) {
                    /* the new value's bits random, the rest of the last byte zero */
                    const uint64_t at = (uint64_t)(x->count - 1) * x->width;
                    if (ref_width_ok(x->enc, x->width) && at + x->width <= 8 * (uint64_t)x->plen)
                        tb_put(x->payload, x->plen, at, tu_u64(g), x->width);
                    zero_padding(x);
                }
            }
        }
        break;
    case 8: /* the encoding byte, the payload left as it is */
        if (m->n)
            x->enc = tu_below(g, 2) ? (uint8_t)tu_below(g, 4) : extreme_u8(g, x->enc);
        break;
    case 9: /* the width byte, the payload left as it is */
        if (m->n)
            x->width = extreme_u8(g, x->width);
        break;
    case 10: /* a reserved byte */
        if (m->n)
            x->res[tu_below(g, 2)] = (uint8_t)(1 + tu_below(g, 255));
        break;
    case 11: /* re-encode a section: another valid encoding, width and count, a
              * well-formed random payload */
        if (m->n) {
            unsigned enc, width;
            rand_encoding(g, &enc, &width);
            x->enc = (uint8_t)enc;
            x->width = (uint8_t)width;
            /* a new count, or the old one if small (it may have been made
             * huge by an earlier mutation) */
            if (tu_below(g, 2) || x->count > 4096)
                x->count = (uint32_t)tu_below(g, 70);
            free(x->payload);
            x->plen = (size_t)ref_payload(enc, width, x->count);
            x->payload = xmalloc(x->plen);
            if (enc == ENC_FIELD)
                for (uint32_t k = 0; k < x->count; k++)
                    rand_elem(g, x->payload + (size_t)k * FR_BYTES, 1);
            else
                rand_packed_payload(g, x->payload, x->plen, x->count, width);
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
    switch (tu_below(g, 7)) {
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
    case 4: /* overwrite a 32-bit word (sections start at any byte: packed
             * payloads have any length) with an extreme value */
        if (n >= 4) {
            size_t at = tu_below(g, n - 3);
            put32(b + at, extreme_u32(g, get32(b + at)));
        }
        break;
    case 5: /* overwrite a byte with an extreme encoding or width */
        if (n) {
            size_t at = tu_below(g, n);
            b[at] = extreme_u8(g, b[at]);
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
    size_t n_packed = 0, n_in_padding = 0;
    for (int fi = 0; fi < N_FX; fi++) {
        const fixture *f = &g_fx[fi];
        uint8_t *b = xmalloc(2 * f->len + 64);
        secinfo si[64];
        const uint32_t ns = walk(f->proof, f->len, si, 64);
        assert_true(ns >= 2);
#define RESET() memcpy(b, f->proof, f->len)
#define FORMAT(what, n)                                                                      \
    do {                                                                                     \
        gkr_proof P_;                                                                        \
        zkm_err e_;                                                                          \
        if (gkr_proof_decode(&P_, b, (n), &e_) != ZKM_EFORMAT)                               \
            fail_msg("%s: %s: not refused as malformed", f->name, what);                     \
        check_bytes(f, b, (n), NULL, what);                                                  \
    } while (0)
/* well formed, and (not being the honest proof) rejected by the verifier */
#define DECODES(what, n)                                                                     \
    do {                                                                                     \
        gkr_proof P_;                                                                        \
        zkm_err e_;                                                                          \
        if (gkr_proof_decode(&P_, b, (n), &e_) != ZKM_OK)                                    \
            fail_msg("%s: %s: refused: %s", f->name, what, e_.msg);                          \
        gkr_proof_free(&P_);                                                                 \
        check_bytes(f, b, (n), NULL, what);                                                  \
    } while (0)
        RESET();
        b[0] ^= 0x20; /* "zKMPROOF" */
        FORMAT("bad magic", f->len);
        for (uint32_t v = 0; v < 8; v++) {
            if (v == GKR_PROOF_VERSION)
                continue;
            RESET();
            put32(b + 8, v); /* versions 1 to 5 are earlier formats, 7 a later one */
            FORMAT("other version", f->len);
        }
        for (uint32_t s = 1; s < ns; s++) {
            const uint32_t prev = si[s - 1].tag;
            RESET();
            put32(b + si[s].off, prev);
            FORMAT("tag repeated", f->len);
            if (prev > 0) {
                RESET();
                put32(b + si[s].off, prev - 1);
                FORMAT("tag decreasing", f->len);
            }
            RESET();
            put32(b + si[s].off, 0);
            FORMAT("tag back to 0", f->len);
        }
        for (uint32_t s = 0; s < ns; s++) {
            const secinfo *x = &si[s];
            const uint8_t *pl = f->proof + x->off + SEC_HDR;
            n_packed += x->enc != ENC_FIELD;
            RESET();
            put32(b + x->off + 8, x->count + 1);
            if (ref_payload(x->enc, x->width, (uint64_t)x->count + 1) == x->plen) {
                /* a packed value more fits the padding, which is zero: one
                 * more value, 0 */
                DECODES("count one too large, inside the padding", f->len);
                n_in_padding++;
            } else if (x->enc == ENC_FIELD || s + 1 == ns) {
                FORMAT("count one too large", f->len);
            } else {
                /* a packed section growing into the next one's header */
                check_bytes(f, b, f->len, NULL, "count one too large");
            }
            if (x->count) {
                /* one value short: its bytes trailing or in the next
                 * section, or its bits padding (refused unless zero) */
                RESET();
                put32(b + x->off + 8, x->count - 1);
                const int last = s + 1 == ns;
                if (ref_payload(x->enc, x->width, (uint64_t)x->count - 1) != x->plen) {
                    if (last)
                        FORMAT("count one too small at the end", f->len);
                    else
                        check_bytes(f, b, f->len, NULL, "count one too small");
                } else if (tb_get(pl, x->plen, (uint64_t)(x->count - 1) * x->width, x->width)) {
                    FORMAT("count one too small, a non-zero value left in the padding", f->len);
                } else {
                    DECODES("count one too small, a zero value left in the padding", f->len);
                }
            }
            /* reserved bytes */
            static const uint8_t nz[] = {1, 0x80, 0xff};
            for (int r = 0; r < 2; r++)
                for (size_t k = 0; k < sizeof nz; k++) {
                    RESET();
                    b[x->off + 6 + r] = nz[k];
                    FORMAT("reserved byte not zero", f->len);
                }
            /* the encoding, and the width */
            for (unsigned v = 0; v < 8; v++) {
                static const uint8_t encs[] = {0, 1, 2, 3, 4, 0x7f, 0x80, 0xff};
                static const uint8_t widths[] = {0, 1, 2, 8, 63, 64, 65, 0xff};
                for (int which = 0; which < 2; which++) {
                    unsigned enc = x->enc, width = x->width;
                    if (which == 0)
                        enc = encs[v];
                    else
                        width = widths[v];
                    if (enc == x->enc && width == x->width)
                        continue;
                    RESET();
                    b[x->off + 4] = (uint8_t)enc;
                    b[x->off + 5] = (uint8_t)width;
                    if (!ref_width_ok(enc, width))
                        FORMAT("bad encoding or width", f->len);
                    else if (ref_payload(enc, width, x->count) != x->plen && s + 1 == ns)
                        FORMAT("other encoding or width, another payload size at the end",
                               f->len);
                    else
                        check_bytes(f, b, f->len, NULL, "other encoding or width");
                }
            }
            if (x->enc != ENC_FIELD) {
                /* the width one smaller or larger, if valid */
                for (int d = -1; d <= 1; d += 2) {
                    const unsigned width = x->width + (unsigned)d;
                    if (!ref_width_ok(x->enc, width))
                        continue;
                    RESET();
                    b[x->off + 5] = (uint8_t)width;
                    check_bytes(f, b, f->len, NULL, "width changed by one");
                }
                /* SINT <-> UINT, same width: same bytes, other values */
                const unsigned other = x->enc == ENC_UINT ? ENC_SINT : ENC_UINT;
                if (ref_width_ok(other, x->width)) {
                    RESET();
                    b[x->off + 4] = (uint8_t)other;
                    DECODES("signed <-> unsigned", f->len);
                }
                /* every padding bit */
                for (uint64_t bit = (uint64_t)x->count * x->width; bit < 8 * (uint64_t)x->plen;
                     bit++) {
                    RESET();
                    b[x->off + SEC_HDR + bit / 8] ^= (uint8_t)(1u << (bit % 8));
                    FORMAT("a padding bit set", f->len);
                }
            }
        }
        /* section count one too small: a whole section trailing */
        RESET();
        put32(b + 44, ns - 1);
        FORMAT("section count one too small", f->len);
        RESET();
        put32(b + 44, ns + 1);
        FORMAT("section count one too large", f->len);
        /* ... unless the extra section is there, empty, of any encoding */
        for (unsigned k = 0; k < 4; k++) {
            static const uint8_t ew[4][2] = {
                {ENC_FIELD, 0}, {ENC_UINT, 1}, {ENC_SINT, 64}, {ENC_G1, 0}};
            RESET();
            put32(b + 44, ns + 1);
            put_sec(b + f->len, 0xfffffff0u, ew[k][0], ew[k][1], 0);
            check_bytes(f, b, f->len + SEC_HDR, NULL, "extra empty section");
            gkr_proof P;
            zkm_err e;
            assert_int_equal(gkr_proof_decode(&P, b, f->len + SEC_HDR, &e), ZKM_OK);
            assert_int_equal(P.n_sections, ns + 1);
            assert_int_equal(P.sections[ns].encoding, ew[k][0]);
            assert_int_equal(P.sections[ns].width, ew[k][1]);
            gkr_proof_free(&P);
        }
        /* and a section duplicated in full (same tag) */
        RESET();
        put32(b + 44, ns + 1);
        memcpy(b + f->len, f->proof + si[ns - 1].off, f->len - si[ns - 1].off);
        FORMAT("last section duplicated", f->len + (f->len - si[ns - 1].off));
#undef RESET
#undef FORMAT
#undef DECODES
        free(b);
    }
    printf("# %zu packed sections, %zu with room for a value in the padding\n", n_packed,
           n_in_padding);
    assert_true(n_packed >= 6);
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
    uint8_t *b = xmalloc(GKR_PROOF_HEADER_BYTES + 3 * SEC_HDR + 4096);
    memcpy(b, f->proof, GKR_PROOF_HEADER_BYTES);
    static const uint32_t counts[] = {0xffffffffu, 0xfffffffeu, 0x80000000u, 0x7fffffffu,
                                      1u << 27, 1u << 20, 1000, 2};
    static const size_t present[] = {0, 1, 31, 32, 33, 63, 64, 1000, 4096};
    /* field elements, and packed values down to one bit each (2^32 - 1 of
     * them take 512 MiB, and would decode to 128 GiB) */
    static const uint8_t encs[][2] = {{ENC_FIELD, 0}, {ENC_UINT, 1}, {ENC_UINT, 7},
                                      {ENC_UINT, 63}, {ENC_SINT, 2},  {ENC_SINT, 64}};
    size_t n_cases = 0;
    for (size_t ei = 0; ei < sizeof encs / sizeof encs[0]; ei++) {
        const unsigned enc = encs[ei][0], width = encs[ei][1];
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
            for (size_t j = 0; j < sizeof present / sizeof present[0]; j++) {
                if ((uint64_t)present[j] >= ref_payload(enc, width, counts[i]))
                    continue;
                char what[128];
                n_cases++;
                /* one section declaring counts[i] values */
                put32(b + 44, 1);
                put_sec(b + 48, 0, enc, width, counts[i]);
                memset(b + 60, 0, present[j]);
                snprintf(what, sizeof what, "one section of %u values (%u/%u), %zu bytes present",
                         counts[i], enc, width, present[j]);
                expect_format_small(f, b, 60 + present[j], what);
                /* the huge one second, after a valid empty section */
                put32(b + 44, 2);
                put_sec(b + 48, 0, ENC_FIELD, 0, 0);
                put_sec(b + 60, 1, enc, width, counts[i]);
                memset(b + 72, 0, present[j]);
                snprintf(what, sizeof what,
                         "second section of %u values (%u/%u), %zu bytes present", counts[i],
                         enc, width, present[j]);
                expect_format_small(f, b, 72 + present[j], what);
                /* all-ones bytes, so no value or padding bit is zero */
                memset(b + 72, 0xff, present[j]);
                expect_format_small(f, b, 72 + present[j], what);
            }
        }
    }
    printf("# %zu huge value counts refused\n", n_cases);
    /* huge section counts with a few bytes */
    static const uint32_t nsec[] = {0xffffffffu, 0x80000000u, 0x7fffffffu,
                                    GKR_PROOF_MAX_SECTIONS + 1, GKR_PROOF_MAX_SECTIONS,
                                    1u << 16, 3};
    for (size_t i = 0; i < sizeof nsec / sizeof nsec[0]; i++) {
        for (size_t j = 0; j < sizeof present / sizeof present[0]; j++) {
            if ((uint64_t)present[j] >= (uint64_t)nsec[i] * SEC_HDR)
                continue;
            char what[96];
            put32(b + 44, nsec[i]);
            /* empty sections with increasing tags, as far as the bytes go */
            memset(b + 48, 0, present[j]);
            for (size_t k = 0; SEC_HDR * k + SEC_HDR <= present[j]; k++)
                put_sec(b + 48 + SEC_HDR * k, (uint32_t)k, k % 2 ? ENC_UINT : ENC_FIELD,
                        k % 2 ? 1 : 0, 0);
            snprintf(what, sizeof what, "%u sections, %zu bytes present", nsec[i], present[j]);
            expect_format_small(f, b, 48 + present[j], what);
        }
    }
    free(b);

    /* the section limit itself: GKR_PROOF_MAX_SECTIONS empty sections parse,
     * one more is refused even with all its bytes present */
    const size_t nmax = GKR_PROOF_MAX_SECTIONS;
    const size_t len = GKR_PROOF_HEADER_BYTES + SEC_HDR * (nmax + 1);
    b = xmalloc(len);
    memcpy(b, f->proof, GKR_PROOF_HEADER_BYTES);
    for (size_t k = 0; k <= nmax; k++)
        put_sec(b + GKR_PROOF_HEADER_BYTES + SEC_HDR * k, (uint32_t)k, (unsigned)(k % 3),
                (unsigned)(k % 3 == 0 ? 0 : k % 3 == 1 ? 1 + k % 63 : 2 + k % 63), 0);
    put32(b + 44, (uint32_t)nmax);
    check_bytes(f, b, len - SEC_HDR, NULL, "GKR_PROOF_MAX_SECTIONS sections");
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
        /* every element of every field section */
        secinfo si[64];
        const uint32_t ns = walk(b, f->len, si, 64);
        for (uint32_t s = 0; s < ns; s++) {
            if (si[s].enc != ENC_FIELD)
                continue;
            size_t off = si[s].off + SEC_HDR;
            for (uint32_t k = 0; k < si[s].count; k++, off += FR_BYTES) {
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
        assert_memory_equal(b, f->proof, f->len);
        free(b);
    }
    tally_print("replaced elements", &t);
}

/* ---------------------------------------------------- (f) packed sections */

/* Hand-built proof bytes with the fixture's header: optionally a field
 * section (tag 0, the element 1) first, then one section (tag, encoding,
 * width, count and the given payload), then optionally an empty field
 * section (tag + 1). */
static uint8_t *build_proof(const fixture *f, int lead, uint32_t tag, unsigned enc,
                            unsigned width, uint32_t cnt, const uint8_t *payload, size_t plen,
                            int trail, size_t *len)
{
    const size_t n = HDR + (lead ? SEC_HDR + FR_BYTES : 0) + SEC_HDR + plen + (trail ? SEC_HDR : 0);
    uint8_t *b = xmalloc(n), *w = b + HDR;
    memcpy(b, f->proof, HDR);
    put32(b + 44, (uint32_t)(1 + (lead != 0) + (trail != 0)));
    if (lead) {
        put_sec(w, 0, ENC_FIELD, 0, 1);
        memset(w + SEC_HDR, 0, FR_BYTES);
        w[SEC_HDR] = 1;
        w += SEC_HDR + FR_BYTES;
    }
    put_sec(w, tag, enc, width, cnt);
    if (plen)
        memcpy(w + SEC_HDR, payload, plen);
    w += SEC_HDR + plen;
    if (trail)
        put_sec(w, tag + 1, ENC_FIELD, 0, 0);
    *len = n;
    return b;
}

/* Random packed sections of every encoding and width: the decoded field
 * elements are the packed integers (sign-extended for GKR_ENC_SINT), and the
 * encoder packs those elements into the same bytes. */
static void test_packed_decode(void **state)
{
    (void)state;
    tu_rng g;
    tally t = {0};
    tu_rng_init(&g, g_seed ^ 0xfacc);
    const fixture *f = &g_fx[0];
    size_t n_values = 0, n_sections = 0;
    for (unsigned enc = ENC_UINT; enc <= ENC_SINT; enc++) {
        for (unsigned w = 1; w <= 64; w++) {
            if (!ref_width_ok(enc, w))
                continue;
            for (int rep = 0; rep < 10; rep++) {
                const uint32_t cnt = rep == 0   ? 0
                                     : rep == 1 ? 1
                                     : rep == 2 ? 8
                                     : rep == 3 ? 300 + (uint32_t)tu_below(&g, 300)
                                                : 1 + (uint32_t)tu_below(&g, 40);
                const size_t plen = (size_t)ref_payload(enc, w, cnt);
                uint64_t *v = xmalloc(cnt * sizeof *v);
                uint8_t *pl = xmalloc(plen);
                memset(pl, 0, plen);
                for (uint32_t k = 0; k < cnt; k++) {
                    v[k] = rand_bits(&g, w);
                    tb_put(pl, plen, (uint64_t)k * w, v[k], w);
                }
                for (uint32_t k = 0; k < cnt; k++)
                    assert_true(tb_get(pl, plen, (uint64_t)k * w, w) == v[k]);
                const int lead = tu_below(&g, 2), trail = tu_below(&g, 2);
                const uint32_t tag = (uint32_t)(lead ? 1 + tu_below(&g, 1000) : tu_below(&g, 1000));
                size_t n;
                uint8_t *b = build_proof(f, lead, tag, enc, w, cnt, pl, plen, trail, &n);
                check_bytes(f, b, n, &t, "packed section");

                gkr_proof P;
                zkm_err e;
                if (gkr_proof_decode(&P, b, n, &e))
                    fail_msg("%u/%u, %u values: %s", enc, w, cnt, e.msg);
                assert_int_equal(P.n_sections, 1 + lead + trail);
                const gkr_section *sec = &P.sections[lead];
                assert_int_equal(sec->tag, tag);
                assert_int_equal(sec->encoding, enc);
                assert_int_equal(sec->width, w);
                assert_int_equal(sec->msgs.n, cnt);
                fr *want = xmalloc(cnt * sizeof *want);
                for (uint32_t k = 0; k < cnt; k++) {
                    uint8_t wb[FR_BYTES], gb[FR_BYTES];
                    ref_value(wb, enc, w, v[k]);
                    fr_to_bytes(gb, &sec->msgs.v[k]);
                    if (memcmp(wb, gb, FR_BYTES) != 0)
                        fail_msg("%s %u-bit value %u (bits %#llx) decoded wrong",
                                 enc == ENC_UINT ? "unsigned" : "signed", w, k,
                                 (unsigned long long)v[k]);
                    assert_true(fr_from_bytes(&want[k], wb));
                }
                gkr_proof_free(&P);

                /* the encoder, from the expected elements */
                gkr_section secs[3];
                memset(secs, 0, sizeof secs);
                fr one;
                fr_set_one(&one);
                gkr_proof Q = {.n_sections = (uint32_t)(1 + lead + trail), .sections = secs};
                memcpy(Q.digest, b + 12, GKR_DIGEST_BYTES);
                if (lead)
                    secs[0].msgs = (fr_vec){.v = &one, .n = 1, .cap = 1};
                secs[lead] = (gkr_section){.tag = tag, .encoding = (uint8_t)enc, .width = (uint8_t)w,
                                           .msgs = {.v = want, .n = cnt, .cap = cnt}};
                if (trail)
                    secs[lead + 1].tag = tag + 1;
                uint8_t *re;
                size_t rn;
                if (gkr_proof_encode(&Q, &re, &rn, &e))
                    fail_msg("encode %u/%u: %s", enc, w, e.msg);
                assert_int_equal(rn, n);
                assert_memory_equal(re, b, n);
                free(re);
                free(want);
                free(b);
                free(pl);
                free(v);
                n_values += cnt;
                n_sections++;
            }
        }
    }
    printf("# %zu packed sections, %zu values decoded\n", n_sections, n_values);
    assert_int_equal(t.ok, 0);
    assert_int_equal(t.format, 0);
}

/* The bit order of proof.h on known answers: value k in bits
 * [k*width, (k+1)*width), from bit 0 of byte 0, two's complement for
 * GKR_ENC_SINT. */
static void test_packed_known_answers(void **state)
{
    (void)state;
    static const struct {
        unsigned enc, width, n;
        int64_t v[9];
        size_t plen;
        uint8_t bytes[24];
    } kat[] = {
        {ENC_UINT, 3, 5, {1, 2, 3, 4, 5}, 2, {0xd1, 0x58}},
        {ENC_UINT, 1, 9, {1, 0, 1, 1, 0, 0, 0, 0, 1}, 2, {0x0d, 0x01}},
        {ENC_SINT, 4, 4, {-1, 7, -8, 0}, 2, {0x7f, 0x08}},
        {ENC_SINT, 2, 4, {-2, -1, 0, 1}, 1, {0x4e}},
        {ENC_UINT, 63, 1, {INT64_MAX}, 8, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
        {ENC_SINT, 64, 3, {INT64_MIN, -1, INT64_MAX}, 24,
         {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
        {ENC_SINT, 12, 2, {-2048, 2047}, 3, {0x00, 0xf8, 0x7f}},
    };
    const fixture *f = &g_fx[0];
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        size_t n;
        uint8_t *b = build_proof(f, 0, 1, kat[i].enc, kat[i].width, kat[i].n, kat[i].bytes,
                                 kat[i].plen, 0, &n);
        assert_true(ref_well_formed(b, n));
        check_bytes(f, b, n, NULL, "known answer");
        gkr_proof P;
        zkm_err e;
        assert_int_equal(gkr_proof_decode(&P, b, n, &e), ZKM_OK);
        assert_int_equal(P.sections[0].msgs.n, kat[i].n);
        for (unsigned k = 0; k < kat[i].n; k++) {
            fr want;
            fr_set_i64(&want, kat[i].v[k]);
            if (!fr_eq(&want, &P.sections[0].msgs.v[k]))
                fail_msg("known answer %zu, value %u: not %lld", i, k, (long long)kat[i].v[k]);
        }
        gkr_proof_free(&P);
        free(b);
    }
}

/* Bits past the last value of a packed section must be zero: each one set
 * alone is refused, in the last section and in one followed by another. */
static void test_packed_padding(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x9add);
    const fixture *f = &g_fx[0];
    size_t n_bits = 0;
    for (unsigned enc = ENC_UINT; enc <= ENC_SINT; enc++) {
        for (unsigned w = 1; w <= 64; w++) {
            if (!ref_width_ok(enc, w))
                continue;
            for (uint32_t cnt = 1; cnt <= 9; cnt++) {
                const uint64_t used = (uint64_t)cnt * w;
                if (used % 8 == 0)
                    continue;
                const size_t plen = (size_t)ref_payload(enc, w, cnt);
                uint8_t *pl = xmalloc(plen);
                rand_packed_payload(&g, pl, plen, cnt, w);
                const int lead = tu_below(&g, 2), trail = (int)(cnt % 2);
                size_t n;
                uint8_t *b = build_proof(f, lead, 3, enc, w, cnt, pl, plen, trail, &n);
                const size_t at = HDR + (lead ? SEC_HDR + FR_BYTES : 0) + SEC_HDR;
                check_bytes(f, b, n, NULL, "padding zero");
                gkr_proof P;
                assert_int_equal(gkr_proof_decode(&P, b, n, NULL), ZKM_OK);
                gkr_proof_free(&P);
                for (uint64_t bit = used; bit < 8 * (uint64_t)plen; bit++, n_bits++) {
                    b[at + bit / 8] ^= (uint8_t)(1u << (bit % 8));
                    assert_int_equal(gkr_proof_decode(&P, b, n, NULL), ZKM_EFORMAT);
                    check_bytes(f, b, n, NULL, "a padding bit set");
                    b[at + bit / 8] ^= (uint8_t)(1u << (bit % 8));
                }
                /* all padding bits at once */
                b[at + plen - 1] |= (uint8_t)(0xffu << (used % 8));
                assert_int_equal(gkr_proof_decode(&P, b, n, NULL), ZKM_EFORMAT);
                check_bytes(f, b, n, NULL, "every padding bit set");
                free(b);
                free(pl);
            }
        }
    }
    printf("# %zu padding bits refused\n", n_bits);
}

/* The two reserved bytes of a section header must be zero. */
static void test_reserved_bytes(void **state)
{
    (void)state;
    const fixture *f = &g_fx[0];
    static const struct {
        unsigned enc, width, cnt;
    } shape[] = {{ENC_FIELD, 0, 1}, {ENC_FIELD, 0, 0}, {ENC_UINT, 5, 3}, {ENC_UINT, 1, 0},
                 {ENC_SINT, 64, 2}, {ENC_SINT, 2, 4}};
    uint8_t pl[64];
    memset(pl, 0, sizeof pl);
    for (size_t i = 0; i < sizeof shape / sizeof shape[0]; i++) {
        for (int lead = 0; lead < 2; lead++) {
            size_t n;
            const size_t plen = (size_t)ref_payload(shape[i].enc, shape[i].width, shape[i].cnt);
            uint8_t *b = build_proof(f, lead, 1, shape[i].enc, shape[i].width, shape[i].cnt, pl,
                                     plen, !lead, &n);
            const size_t at = HDR + (lead ? SEC_HDR + FR_BYTES : 0);
            check_bytes(f, b, n, NULL, "reserved bytes zero");
            for (int r = 6; r <= 7; r++) {
                for (unsigned v = 1; v <= 255; v++) {
                    gkr_proof P;
                    b[at + r] = (uint8_t)v;
                    assert_int_equal(gkr_proof_decode(&P, b, n, NULL), ZKM_EFORMAT);
                    check_bytes(f, b, n, NULL, "a reserved byte not zero");
                    b[at + r] = 0;
                }
            }
            /* the leading section's reserved bytes too */
            if (lead) {
                gkr_proof P;
                b[HDR + 7] = 0x01;
                assert_int_equal(gkr_proof_decode(&P, b, n, NULL), ZKM_EFORMAT);
                check_bytes(f, b, n, NULL, "a reserved byte not zero");
            }
            free(b);
        }
    }
}

/* Every encoding/width byte pair: only field elements of width 0, unsigned
 * integers of 1..63 bits and two's complement ones of 2..64 bits parse.
 * gkr_encoding_ok and gkr_section_payload_bytes follow the same rules. */
static void test_encoding_rules(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0xe1c0);
    const fixture *f = &g_fx[0];
    for (unsigned enc = 0; enc < 300; enc++)
        for (unsigned w = 0; w < 300; w++)
            if (gkr_encoding_ok(enc, w) != ref_width_ok(enc, w))
                fail_msg("gkr_encoding_ok(%u, %u) = %d", enc, w, gkr_encoding_ok(enc, w));
    assert_false(gkr_encoding_ok(0xffffffffu, 0));
    assert_false(gkr_encoding_ok(ENC_UINT, 0xffffffffu));
    assert_false(gkr_encoding_ok(ENC_SINT, 0x100u + 8));
    for (unsigned enc = 0; enc <= ENC_G1; enc++)
        for (unsigned w = 0; w <= 64; w++) {
            if (!ref_width_ok(enc, w))
                continue;
            for (int i = 0; i < 40; i++) {
                static const uint32_t big[] = {0xffffffffu, 0xfffffff8u, 0xfffffff7u,
                                               0x80000001u, 0x7fffffffu};
                const uint64_t n = i < 20 ? (uint64_t)i : i < 25 ? big[i - 20] : (uint32_t)tu_u64(&g);
                if (gkr_section_payload_bytes(enc, w, n) != ref_payload(enc, w, n))
                    fail_msg("gkr_section_payload_bytes(%u, %u, %llu) = %zu, want %llu", enc, w,
                             (unsigned long long)n, gkr_section_payload_bytes(enc, w, n),
                             (unsigned long long)ref_payload(enc, w, n));
            }
        }

    uint8_t zeros[FR_BYTES * 3];
    memset(zeros, 0, sizeof zeros);
    size_t n_ok = 0;
    for (unsigned enc = 0; enc < 256; enc++) {
        for (unsigned w = 0; w < 256; w++) {
            const int good = ref_width_ok(enc, w);
            /* the verifier too, for the first encodings and the last */
            const int full = enc <= 4 || enc == 0xff;
            for (uint32_t cnt = 0; cnt <= 3; cnt += 3) {
                /* payload sizes: the rules' own, the packed size, 96 */
                const size_t sizes[3] = {good ? (size_t)ref_payload(enc, w, cnt) : 0,
                                         (size_t)((cnt * w + 7) / 8), (size_t)FR_BYTES * cnt};
                for (int k = 0; k < 3; k++) {
                    if (good && k > 0 && sizes[k] == sizes[0])
                        continue;
                    size_t n;
                    uint8_t *b = build_proof(f, 0, 0, enc, w, cnt, zeros, sizes[k], 0, &n);
                    gkr_proof P;
                    const zkm_status ds = gkr_proof_decode(&P, b, n, NULL);
                    gkr_proof_free(&P);
                    /* zero bytes are no curve point (3 is not a square mod p) */
                    const int want = good && k == 0 && (enc != ENC_G1 || cnt == 0);
                    if ((ds == ZKM_OK) != want || ref_well_formed(b, n) != want)
                        fail_msg("encoding %u, width %u, %u values in %zu bytes: decode %s, want "
                                 "%s", enc, w, cnt, sizes[k], zkm_status_str(ds),
                                 want ? "ok" : "malformed");
                    n_ok += ds == ZKM_OK;
                    if (full)
                        check_bytes(f, b, n, NULL, "encoding and width");
                    free(b);
                }
            }
        }
    }
    /* 63 + 63 + 1 valid pairs, each with 0 and 3 values, and the points'
     * encoding with 0 values */
    assert_int_equal(n_ok, 2 * (63 + 63 + 1) + 1);
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
        cmocka_unit_test(test_packed_decode),
        cmocka_unit_test(test_packed_known_answers),
        cmocka_unit_test(test_packed_padding),
        cmocka_unit_test(test_reserved_bytes),
        cmocka_unit_test(test_encoding_rules),
#ifdef TD_ASAN
        cmocka_unit_test(test_leak_sanitizer_active),
#endif
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
