/* Inline bodies of the hot field operations declared in fr.h. */
#ifndef ZKM_FR_IMPL_H
#define ZKM_FR_IMPL_H

typedef unsigned __int128 fr_u128;

#define FR_R0 0x43e1f593f0000001ULL
#define FR_R1 0x2833e84879b97091ULL
#define FR_R2 0xb85045b68181585dULL
#define FR_R3 0x30644e72e131a029ULL
/* -r^-1 mod 2^64 */
#define FR_NINV 0xc2e1f593efffffffULL
/* 2^256 mod r: the Montgomery form of 1 */
#define FR_ONE0 0xac96341c4ffffffbULL
#define FR_ONE1 0x36fc76959f60cd29ULL
#define FR_ONE2 0x666ea36f7879462eULL
#define FR_ONE3 0x0e0a77c19a07df2fULL

static inline void fr_set_zero(fr *out)
{
    out->v[0] = out->v[1] = out->v[2] = out->v[3] = 0;
}

static inline void fr_set_one(fr *out)
{
    out->v[0] = FR_ONE0;
    out->v[1] = FR_ONE1;
    out->v[2] = FR_ONE2;
    out->v[3] = FR_ONE3;
}

static inline int fr_is_zero(const fr *a)
{
    return (a->v[0] | a->v[1] | a->v[2] | a->v[3]) == 0;
}

static inline int fr_eq(const fr *a, const fr *b)
{
    return ((a->v[0] ^ b->v[0]) | (a->v[1] ^ b->v[1]) | (a->v[2] ^ b->v[2]) |
            (a->v[3] ^ b->v[3])) == 0;
}

/* t (< 2r) -> t mod r: subtract r and keep the difference unless it borrowed. */
static inline void fr_reduce_once(fr *out, uint64_t t0, uint64_t t1, uint64_t t2,
                                  uint64_t t3)
{
    fr_u128 d;
    uint64_t s0, s1, s2, s3, borrow;
    d = (fr_u128)t0 - FR_R0;
    s0 = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) & 1;
    d = (fr_u128)t1 - FR_R1 - borrow;
    s1 = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) & 1;
    d = (fr_u128)t2 - FR_R2 - borrow;
    s2 = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) & 1;
    d = (fr_u128)t3 - FR_R3 - borrow;
    s3 = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) & 1;
    uint64_t keep = 0 - borrow; /* all ones if t < r */
    out->v[0] = (t0 & keep) | (s0 & ~keep);
    out->v[1] = (t1 & keep) | (s1 & ~keep);
    out->v[2] = (t2 & keep) | (s2 & ~keep);
    out->v[3] = (t3 & keep) | (s3 & ~keep);
}

static inline void fr_add(fr *out, const fr *a, const fr *b)
{
    /* a + b < 2r < 2^255: no carry out of the top limb. */
    fr_u128 c;
    uint64_t t0, t1, t2, t3;
    c = (fr_u128)a->v[0] + b->v[0];
    t0 = (uint64_t)c;
    c = (fr_u128)a->v[1] + b->v[1] + (uint64_t)(c >> 64);
    t1 = (uint64_t)c;
    c = (fr_u128)a->v[2] + b->v[2] + (uint64_t)(c >> 64);
    t2 = (uint64_t)c;
    t3 = a->v[3] + b->v[3] + (uint64_t)(c >> 64);
    fr_reduce_once(out, t0, t1, t2, t3);
}

static inline void fr_dbl(fr *out, const fr *a)
{
    fr_add(out, a, a);
}

static inline void fr_sub(fr *out, const fr *a, const fr *b)
{
    fr_u128 d;
    uint64_t t0, t1, t2, t3, borrow;
    d = (fr_u128)a->v[0] - b->v[0];
    t0 = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) & 1;
    d = (fr_u128)a->v[1] - b->v[1] - borrow;
    t1 = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) & 1;
    d = (fr_u128)a->v[2] - b->v[2] - borrow;
    t2 = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) & 1;
    d = (fr_u128)a->v[3] - b->v[3] - borrow;
    t3 = (uint64_t)d;
    borrow = (uint64_t)(d >> 64) & 1;
    /* add r back if a < b */
    uint64_t m = 0 - borrow;
    fr_u128 c;
    c = (fr_u128)t0 + (FR_R0 & m);
    out->v[0] = (uint64_t)c;
    c = (fr_u128)t1 + (FR_R1 & m) + (uint64_t)(c >> 64);
    out->v[1] = (uint64_t)c;
    c = (fr_u128)t2 + (FR_R2 & m) + (uint64_t)(c >> 64);
    out->v[2] = (uint64_t)c;
    out->v[3] = t3 + (FR_R3 & m) + (uint64_t)(c >> 64);
}

static inline void fr_neg(fr *out, const fr *a)
{
    fr z;
    fr_set_zero(&z);
    fr_sub(out, &z, a);
}

/* Montgomery product a*b*2^-256 mod r by coarsely integrated operand scanning.
 * r's top limb is below 2^62, so the running value never needs a fifth limb
 * (the "no-carry" variant): each outer step keeps t < 2r. */
static inline void fr_mul(fr *out, const fr *a, const fr *b)
{
    const uint64_t a0 = a->v[0], a1 = a->v[1], a2 = a->v[2], a3 = a->v[3];
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (int i = 0; i < 4; i++) {
        const uint64_t bi = b->v[i];
        fr_u128 A, C;
        uint64_t m, x;

        A = (fr_u128)a0 * bi + t0;
        x = (uint64_t)A;
        m = x * FR_NINV;
        C = (fr_u128)m * FR_R0 + x;

        A = (fr_u128)a1 * bi + t1 + (uint64_t)(A >> 64);
        x = (uint64_t)A;
        C = (fr_u128)m * FR_R1 + x + (uint64_t)(C >> 64);
        t0 = (uint64_t)C;

        A = (fr_u128)a2 * bi + t2 + (uint64_t)(A >> 64);
        x = (uint64_t)A;
        C = (fr_u128)m * FR_R2 + x + (uint64_t)(C >> 64);
        t1 = (uint64_t)C;

        A = (fr_u128)a3 * bi + t3 + (uint64_t)(A >> 64);
        x = (uint64_t)A;
        C = (fr_u128)m * FR_R3 + x + (uint64_t)(C >> 64);
        t2 = (uint64_t)C;

        t3 = (uint64_t)(C >> 64) + (uint64_t)(A >> 64);
    }
    fr_reduce_once(out, t0, t1, t2, t3);
}

static inline void fr_sqr(fr *out, const fr *a)
{
    fr_mul(out, a, a);
}

#endif
