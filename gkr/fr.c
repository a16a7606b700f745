/* Non-inline field operations: conversions, inversion, powers. */
#include "fr.h"

#include <string.h>

static const uint64_t FR_MOD[4] = {FR_R0, FR_R1, FR_R2, FR_R3};
/* 2^512 mod r and 2^768 mod r (R^2 and R^3), for conversions into Montgomery
 * form. */
static const fr FR_RR = {{0x1bb8e645ae216da7ULL, 0x53fe3ab1e35c59e3ULL,
                          0x8c49833d53bb8085ULL, 0x0216d0b17f4e44a5ULL}};
static const fr FR_RRR = {{0x5e94d8e1b4bf0040ULL, 0x2a489cbe1cfbb6b8ULL,
                           0x893cc664a19fcfedULL, 0x0cf8594b7fcc657cULL}};

/* 1 if x >= r (little-endian limbs). */
static int geq_modulus(const uint64_t x[4])
{
    for (int i = 3; i >= 0; i--) {
        if (x[i] != FR_MOD[i])
            return x[i] > FR_MOD[i];
    }
    return 1;
}

static void sub_modulus(uint64_t x[4])
{
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        fr_u128 d = (fr_u128)x[i] - FR_MOD[i] - borrow;
        x[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
}

/* x (any 256-bit value, < 6r) -> x mod r, in place. */
static void reduce_limbs(uint64_t x[4])
{
    while (geq_modulus(x))
        sub_modulus(x);
}

void fr_from_limbs(fr *out, const uint64_t x[4])
{
    fr t;
    memcpy(t.v, x, sizeof t.v);
    reduce_limbs(t.v);
    fr_mul(out, &t, &FR_RR);
}

void fr_to_limbs(uint64_t x[4], const fr *a)
{
    const fr one_std = {{1, 0, 0, 0}};
    fr t;
    fr_mul(&t, a, &one_std);
    memcpy(x, t.v, sizeof t.v);
}

void fr_set_u64(fr *out, uint64_t x)
{
    const uint64_t l[4] = {x, 0, 0, 0};
    fr_from_limbs(out, l);
}

void fr_set_i64(fr *out, int64_t x)
{
    if (x >= 0) {
        fr_set_u64(out, (uint64_t)x);
    } else {
        /* |INT64_MIN| fits in uint64_t */
        fr_set_u64(out, (uint64_t)0 - (uint64_t)x);
        fr_neg(out, out);
    }
}

void fr_to_bytes(uint8_t out[FR_BYTES], const fr *a)
{
    uint64_t x[4];
    fr_to_limbs(x, a);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, x, FR_BYTES); /* the limbs already are the little-endian bytes */
#else
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            out[8 * i + j] = (uint8_t)(x[i] >> (8 * j));
#endif
}

static void load_le256(uint64_t x[4], const uint8_t in[32])
{
    for (int i = 0; i < 4; i++) {
        x[i] = 0;
        for (int j = 0; j < 8; j++)
            x[i] |= (uint64_t)in[8 * i + j] << (8 * j);
    }
}

int fr_from_bytes(fr *out, const uint8_t in[FR_BYTES])
{
    uint64_t x[4];
    load_le256(x, in);
    if (geq_modulus(x)) {
        fr_set_zero(out);
        return 0;
    }
    fr_from_limbs(out, x);
    return 1;
}

void fr_from_wide(fr *out, const uint8_t in[64])
{
    uint64_t lo[4], hi[4];
    fr a, b;
    load_le256(lo, in);
    load_le256(hi, in + 32);
    reduce_limbs(lo);
    reduce_limbs(hi);
    memcpy(a.v, lo, sizeof a.v);
    memcpy(b.v, hi, sizeof b.v);
    fr_mul(&a, &a, &FR_RR);   /* lo * 2^256          (Montgomery form of lo)       */
    fr_mul(&b, &b, &FR_RRR);  /* hi * 2^512          (Montgomery form of hi*2^256) */
    fr_add(out, &a, &b);
}

void fr_modulus_mpz(mpz_t x)
{
    mpz_import(x, 4, -1, sizeof(uint64_t), 0, 0, FR_MOD);
}

void fr_to_mpz(mpz_t x, const fr *a)
{
    uint64_t l[4];
    fr_to_limbs(l, a);
    mpz_import(x, 4, -1, sizeof(uint64_t), 0, 0, l);
}

void fr_from_mpz(fr *out, const mpz_t x)
{
    mpz_t m, t;
    uint64_t l[4] = {0, 0, 0, 0};
    size_t count = 0;
    mpz_inits(m, t, NULL);
    fr_modulus_mpz(m);
    mpz_mod(t, x, m); /* non-negative result */
    mpz_export(l, &count, -1, sizeof(uint64_t), 0, 0, t);
    fr_from_limbs(out, l);
    mpz_clears(m, t, NULL);
}

void fr_inv_var(fr *out, const fr *a)
{
    if (fr_is_zero(a)) {
        fr_set_zero(out);
        return;
    }
    mpz_t x, m;
    mpz_inits(x, m, NULL);
    fr_to_mpz(x, a);
    fr_modulus_mpz(m);
    mpz_invert(x, x, m);
    fr_from_mpz(out, x);
    mpz_clears(x, m, NULL);
}

void fr_batch_inv_var(fr *out, const fr *in, size_t n, fr *scratch)
{
    /* scratch[i] = product of the non-zero in[0..i] */
    fr acc, inv, t;
    fr_set_one(&acc);
    for (size_t i = 0; i < n; i++) {
        if (!fr_is_zero(&in[i]))
            fr_mul(&acc, &acc, &in[i]);
        scratch[i] = acc;
    }
    fr_inv_var(&inv, &acc);
    for (size_t i = n; i-- > 0;) {
        if (fr_is_zero(&in[i])) {
            fr_set_zero(&out[i]);
            continue;
        }
        if (i > 0)
            fr_mul(&t, &inv, &scratch[i - 1]);
        else
            t = inv;
        fr_mul(&inv, &inv, &in[i]);
        out[i] = t;
    }
}

/* out = table[idx] for idx < 16, reading every entry so that the memory
 * accesses do not depend on idx. */
static void select16(fr *out, const fr table[16], uint64_t idx)
{
    uint64_t r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    for (uint64_t j = 0; j < 16; j++) {
        uint64_t mask = 0 - (((j ^ idx) - 1) >> 63); /* all ones iff j == idx */
        r0 |= table[j].v[0] & mask;
        r1 |= table[j].v[1] & mask;
        r2 |= table[j].v[2] & mask;
        r3 |= table[j].v[3] & mask;
    }
    out->v[0] = r0;
    out->v[1] = r1;
    out->v[2] = r2;
    out->v[3] = r3;
}

void fr_pow(fr *out, const fr *a, const uint64_t e[4])
{
    /* Fixed 4-bit windows from the top: 14 products for the table, then
     * 252 squarings and 63 products whatever e is, with no branch on e or a
     * (square-and-multiply branched on every bit of e). */
    fr table[16], acc, t;
    fr_set_one(&table[0]);
    table[1] = *a;
    for (int i = 2; i < 16; i++)
        fr_mul(&table[i], &table[i - 1], &table[1]);
    select16(&acc, table, e[3] >> 60);
    for (int w = 62; w >= 0; w--) {
        for (int k = 0; k < 4; k++)
            fr_sqr(&acc, &acc);
        select16(&t, table, (e[w / 16] >> (4 * (w % 16))) & 15);
        fr_mul(&acc, &acc, &t);
    }
    *out = acc;
}
