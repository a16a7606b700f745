/* Montgomery arithmetic over four 64-bit limbs, written once for every
 * 254-bit prime field of the project (fr.h: the BN254 scalar field, fq.h:
 * the BN254 base field).
 *
 * An element is four little-endian limbs holding x * 2^256 mod m, always
 * fully reduced (< m).  A field is described by a mont4_field constant:
 *   k     the modulus limbs m0..m3, then -m^-1 mod 2^64;
 *   one   2^256 mod m (the Montgomery form of 1);
 *   r2    2^512 mod m and r3 = 2^768 mod m (conversions into the form).
 * Every function here takes the field (or its k) as a parameter and is
 * inlined into a per-field wrapper that passes a static const mont4_field,
 * so the constants are compile-time: immediates in the C, RIP-relative
 * memory operands in the assembly.  MONT4_FIELD_INLINE and
 * MONT4_FIELD_FUNCS below generate the wrappers (fr_add, fq_add, ...).
 *
 * Requirements on m, both met by the BN254 primes: m odd, m < 2^254 (so
 * a + b < 2m < 2^255 never carries out of the top limb, and the CIOS
 * product needs no fifth limb: that needs m3 < 2^63 - 1).
 *
 * Two implementations of add, sub, mul and sqr:
 *   mont4_*_portable  C with unsigned __int128, for any 64-bit GCC or Clang;
 *   mont4_*_adx       x86-64 inline assembly (MULX, ADCX, ADOX), used when
 *                     the compiler targets BMI2 and ADX (-march=native on
 *                     such a machine) and optimizes (mont4_mul_adx needs 13
 *                     registers, more than -O0 leaves free).  Define
 *                     MONT4_NO_ASM (or FR_NO_ASM) to force C.
 * mont4_add/sub/mul/sqr pick one; the portable versions stay defined either way
 * so the tests can compare the two on the same inputs.  All of these are
 * constant time; the helpers whose name ends in _var are not. */
#ifndef ZKM_MONT4_IMPL_H
#define ZKM_MONT4_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <gmp.h>

typedef unsigned __int128 mont4_u128;

typedef struct {
    uint64_t k[5];
    uint64_t one[4];
    uint64_t r2[4];
    uint64_t r3[4];
} mont4_field;

#if defined(__x86_64__) && defined(__ADX__) && defined(__BMI2__) && \
    defined(__OPTIMIZE__) && !defined(FR_NO_ASM) && !defined(MONT4_NO_ASM)
#define MONT4_ASM 1
#else
#define MONT4_ASM 0
#endif

/* Inlined whatever the optimizer thinks: the constants must propagate. */
#define MONT4_INLINE static inline __attribute__((always_inline))

MONT4_INLINE int mont4_is_zero(const uint64_t a[4])
{
    return (a[0] | a[1] | a[2] | a[3]) == 0;
}

MONT4_INLINE int mont4_eq(const uint64_t a[4], const uint64_t b[4])
{
    return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0;
}

/* ---- portable C ---------------------------------------------------------- */

/* a + b + *carry (carry 0 or 1); the carry out replaces *carry. */
MONT4_INLINE uint64_t mont4_adc64(uint64_t a, uint64_t b, uint64_t *carry)
{
    mont4_u128 s = (mont4_u128)a + b + *carry;
    *carry = (uint64_t)(s >> 64);
    return (uint64_t)s;
}

/* a - b - *borrow (borrow 0 or 1); the borrow out replaces *borrow. */
MONT4_INLINE uint64_t mont4_sbb64(uint64_t a, uint64_t b, uint64_t *borrow)
{
    mont4_u128 d = (mont4_u128)a - b - *borrow;
    *borrow = (uint64_t)(d >> 64) & 1;
    return (uint64_t)d;
}

/* a * b + c + *carry, low word returned, high word into *carry; cannot
 * overflow 128 bits. */
MONT4_INLINE uint64_t mont4_mac64(uint64_t a, uint64_t b, uint64_t c, uint64_t *carry)
{
    mont4_u128 x = (mont4_u128)a * b + c + *carry;
    *carry = (uint64_t)(x >> 64);
    return (uint64_t)x;
}

/* t (< 2m) -> t mod m: subtract m and keep the difference unless it
 * borrowed. */
MONT4_INLINE void mont4_reduce_once(uint64_t out[4], uint64_t t0, uint64_t t1, uint64_t t2,
                                    uint64_t t3, const uint64_t k[5])
{
    uint64_t borrow = 0, s0, s1, s2, s3;
    s0 = mont4_sbb64(t0, k[0], &borrow);
    s1 = mont4_sbb64(t1, k[1], &borrow);
    s2 = mont4_sbb64(t2, k[2], &borrow);
    s3 = mont4_sbb64(t3, k[3], &borrow);
    uint64_t keep = 0 - borrow; /* all ones if t < m */
    out[0] = (t0 & keep) | (s0 & ~keep);
    out[1] = (t1 & keep) | (s1 & ~keep);
    out[2] = (t2 & keep) | (s2 & ~keep);
    out[3] = (t3 & keep) | (s3 & ~keep);
}

MONT4_INLINE void mont4_add_portable(uint64_t out[4], const uint64_t a[4], const uint64_t b[4],
                                     const uint64_t k[5])
{
    /* a + b < 2m < 2^255: no carry out of the top limb. */
    uint64_t carry = 0, t0, t1, t2, t3;
    t0 = mont4_adc64(a[0], b[0], &carry);
    t1 = mont4_adc64(a[1], b[1], &carry);
    t2 = mont4_adc64(a[2], b[2], &carry);
    t3 = a[3] + b[3] + carry;
    mont4_reduce_once(out, t0, t1, t2, t3, k);
}

MONT4_INLINE void mont4_sub_portable(uint64_t out[4], const uint64_t a[4], const uint64_t b[4],
                                     const uint64_t k[5])
{
    uint64_t borrow = 0, t0, t1, t2, t3;
    t0 = mont4_sbb64(a[0], b[0], &borrow);
    t1 = mont4_sbb64(a[1], b[1], &borrow);
    t2 = mont4_sbb64(a[2], b[2], &borrow);
    t3 = mont4_sbb64(a[3], b[3], &borrow);
    /* add m back if a < b */
    uint64_t mask = 0 - borrow, carry = 0;
    out[0] = mont4_adc64(t0, k[0] & mask, &carry);
    out[1] = mont4_adc64(t1, k[1] & mask, &carry);
    out[2] = mont4_adc64(t2, k[2] & mask, &carry);
    out[3] = t3 + (k[3] & mask) + carry;
}

/* One step of the Montgomery product by coarsely integrated operand
 * scanning: t = (t + a*bi + q*m) / 2^64 with q chosen to clear the low
 * word.  m's top limb is below 2^62, so for a, b < m the running value stays
 * below 2m and needs no fifth limb (the "no-carry" variant). */
#define MONT4_CIOS_STEP(bi_)                                                  \
    do {                                                                      \
        const uint64_t bi = (bi_);                                            \
        uint64_t A = 0, C = 0, q, x;                                          \
        x = mont4_mac64(a0, bi, t0, &A);                                      \
        q = x * k[4];                                                         \
        (void)mont4_mac64(q, k[0], x, &C);                                    \
        x = mont4_mac64(a1, bi, t1, &A);                                      \
        t0 = mont4_mac64(q, k[1], x, &C);                                     \
        x = mont4_mac64(a2, bi, t2, &A);                                      \
        t1 = mont4_mac64(q, k[2], x, &C);                                     \
        x = mont4_mac64(a3, bi, t3, &A);                                      \
        t2 = mont4_mac64(q, k[3], x, &C);                                     \
        t3 = C + A;                                                           \
    } while (0)

/* Montgomery product a*b*2^-256 mod m. */
MONT4_INLINE void mont4_mul_portable(uint64_t out[4], const uint64_t a[4], const uint64_t b[4],
                                     const uint64_t k[5])
{
    const uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    const uint64_t b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    MONT4_CIOS_STEP(b0);
    MONT4_CIOS_STEP(b1);
    MONT4_CIOS_STEP(b2);
    MONT4_CIOS_STEP(b3);
    mont4_reduce_once(out, t0, t1, t2, t3, k);
}

#undef MONT4_CIOS_STEP

/* Montgomery square a*a*2^-256 mod m: a CIOS product whose rows skip what
 * the symmetry of a*a gives twice.  Row i adds
 *     a_i (a_i 2^(64i) + 2 sum_{j>i} a_j 2^(64j)),
 * taking a_i a_j (i < j) once against a word of the doubled tail, whose
 * words are a_{i+1} << 1 (a_i's top bit is not part of the tail), then
 * those of 2a: rows of 4, 3, 2 and 1 word products, 10 in all against the
 * product's 16 (the reduction's 16 stay).  Each row adds less than 2^319
 * (a < m < 2^254, so 2a < 2^255), so the running value stays below 2^320
 * and each reduction step leaves it below 2^256; the result, (a^2 + Q m) /
 * 2^256 with Q < 2^256, is below m / 4 + m: one conditional subtraction. */
#define MONT4_SQR_REDUCE                                                      \
    do {                                                                      \
        uint64_t q = t0 * k[4], C = 0;                                        \
        (void)mont4_mac64(q, k[0], t0, &C);                                   \
        t0 = mont4_mac64(q, k[1], t1, &C);                                    \
        t1 = mont4_mac64(q, k[2], t2, &C);                                    \
        t2 = mont4_mac64(q, k[3], t3, &C);                                    \
        t3 = C + A;                                                           \
    } while (0)

MONT4_INLINE void mont4_sqr_portable(uint64_t out[4], const uint64_t a[4], const uint64_t k[5])
{
    const uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    /* the doubled tails' words: a1 << 1, (2a)_2, (2a)_3; a2 << 1; a3 << 1 */
    const uint64_t d01 = a1 << 1, d2 = a2 << 1 | a1 >> 63, d3 = a3 << 1 | a2 >> 63,
                   d12 = a2 << 1, d23 = a3 << 1;
    uint64_t t0, t1, t2, t3, A = 0;
    t0 = mont4_mac64(a0, a0, 0, &A);
    t1 = mont4_mac64(a0, d01, 0, &A);
    t2 = mont4_mac64(a0, d2, 0, &A);
    t3 = mont4_mac64(a0, d3, 0, &A);
    MONT4_SQR_REDUCE;
    A = 0;
    t1 = mont4_mac64(a1, a1, t1, &A);
    t2 = mont4_mac64(a1, d12, t2, &A);
    t3 = mont4_mac64(a1, d3, t3, &A);
    MONT4_SQR_REDUCE;
    A = 0;
    t2 = mont4_mac64(a2, a2, t2, &A);
    t3 = mont4_mac64(a2, d23, t3, &A);
    MONT4_SQR_REDUCE;
    A = 0;
    t3 = mont4_mac64(a3, a3, t3, &A);
    MONT4_SQR_REDUCE;
    mont4_reduce_once(out, t0, t1, t2, t3, k);
}

#undef MONT4_SQR_REDUCE

/* ---- x86-64 with BMI2 and ADX -------------------------------------------- */
#if MONT4_ASM

/* k[] is read through "m" operands: with k a static const array known at
 * the call site these are RIP-relative addresses and cost no register
 * (MULX, SUB and IMUL take them from memory; a register each would not
 * fit). */
MONT4_INLINE void mont4_add_adx(uint64_t out[4], const uint64_t a[4], const uint64_t b[4],
                                const uint64_t k[5])
{
    uint64_t t0 = a[0], t1 = a[1], t2 = a[2], t3 = a[3];
    uint64_t s0, s1, s2, s3;
    __asm__("addq %[b0], %[t0]\n\t"
            "adcq %[b1], %[t1]\n\t"
            "adcq %[b2], %[t2]\n\t"
            "adcq %[b3], %[t3]\n\t"
            /* a + b < 2m < 2^255; subtract m unless that borrows */
            "movq %[t0], %[s0]\n\t"
            "subq %[q0], %[s0]\n\t"
            "movq %[t1], %[s1]\n\t"
            "sbbq %[q1], %[s1]\n\t"
            "movq %[t2], %[s2]\n\t"
            "sbbq %[q2], %[s2]\n\t"
            "movq %[t3], %[s3]\n\t"
            "sbbq %[q3], %[s3]\n\t"
            "cmovncq %[s0], %[t0]\n\t"
            "cmovncq %[s1], %[t1]\n\t"
            "cmovncq %[s2], %[t2]\n\t"
            "cmovncq %[s3], %[t3]\n\t"
            : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3),
              [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3)
            : [b0] "m"(b[0]), [b1] "m"(b[1]), [b2] "m"(b[2]), [b3] "m"(b[3]),
              [q0] "m"(k[0]), [q1] "m"(k[1]), [q2] "m"(k[2]), [q3] "m"(k[3])
            : "cc");
    out[0] = t0;
    out[1] = t1;
    out[2] = t2;
    out[3] = t3;
}

MONT4_INLINE void mont4_sub_adx(uint64_t out[4], const uint64_t a[4], const uint64_t b[4],
                                const uint64_t k[5])
{
    uint64_t t0 = a[0], t1 = a[1], t2 = a[2], t3 = a[3];
    uint64_t s0, s1, s2, mask;
    __asm__("subq %[b0], %[t0]\n\t"
            "sbbq %[b1], %[t1]\n\t"
            "sbbq %[b2], %[t2]\n\t"
            "sbbq %[b3], %[t3]\n\t"
            /* mask = all ones if a < b; then add m & mask */
            "sbbq %[m], %[m]\n\t"
            "movq %[q0], %[s0]\n\t"
            "andq %[m], %[s0]\n\t"
            "movq %[q1], %[s1]\n\t"
            "andq %[m], %[s1]\n\t"
            "movq %[q2], %[s2]\n\t"
            "andq %[m], %[s2]\n\t"
            "andq %[q3], %[m]\n\t"
            "addq %[s0], %[t0]\n\t"
            "adcq %[s1], %[t1]\n\t"
            "adcq %[s2], %[t2]\n\t"
            "adcq %[m], %[t3]\n\t"
            : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3),
              [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [m] "=&r"(mask)
            : [b0] "m"(b[0]), [b1] "m"(b[1]), [b2] "m"(b[2]), [b3] "m"(b[3]),
              [q0] "m"(k[0]), [q1] "m"(k[1]), [q2] "m"(k[2]), [q3] "m"(k[3])
            : "cc");
    out[0] = t0;
    out[1] = t1;
    out[2] = t2;
    out[3] = t3;
}

/* The same CIOS as mont4_mul_portable, with the two additions of each step
 * on separate carry flags (ADCX uses CF, ADOX uses OF) so they interleave.
 *
 * Multiply step i: (A, t3..t0) += a * b_i.
 * Reduce step: q = t0 * NINV; (t3..t0) = (A, t3..t0 + q*m) / 2^64.  The low
 * word t0 + lo(q*m0) is 0 by the choice of q, so its carry is just
 * (t0 != 0): computed at once (-1 + t0 carries iff t0 != 0) rather than
 * after the MULX, which takes one cycle off the dependency chain. */
#define MONT4_ADX_REDUCE                \
    "movq %[ninv], %%rdx\n\t"           \
    "imulq %[t0], %%rdx\n\t"            \
    "xorl %k[lo], %k[lo]\n\t"           \
    "movq $-1, %[lo]\n\t"               \
    "adcxq %[t0], %[lo]\n\t"            \
    "mulxq %[q0], %[lo], %[t0]\n\t"     \
    "adcxq %[t1], %[t0]\n\t"            \
    "mulxq %[q1], %[lo], %[t1]\n\t"     \
    "adoxq %[lo], %[t0]\n\t"            \
    "adcxq %[t2], %[t1]\n\t"            \
    "mulxq %[q2], %[lo], %[t2]\n\t"     \
    "adoxq %[lo], %[t1]\n\t"            \
    "adcxq %[t3], %[t2]\n\t"            \
    "mulxq %[q3], %[lo], %[t3]\n\t"     \
    "adoxq %[lo], %[t2]\n\t"            \
    "movl $0, %k[lo]\n\t"               \
    "adcxq %[lo], %[t3]\n\t"            \
    "adoxq %[A], %[t3]\n\t"

#define MONT4_ADX_MULSTEP(bi)           \
    "xorl %k[lo], %k[lo]\n\t"           \
    "movq " bi "(%[bp]), %%rdx\n\t"      \
    "mulxq %[a0], %[lo], %[A]\n\t"      \
    "adoxq %[lo], %[t0]\n\t"            \
    "adcxq %[A], %[t1]\n\t"             \
    "mulxq %[a1], %[lo], %[A]\n\t"      \
    "adoxq %[lo], %[t1]\n\t"            \
    "adcxq %[A], %[t2]\n\t"             \
    "mulxq %[a2], %[lo], %[A]\n\t"      \
    "adoxq %[lo], %[t2]\n\t"            \
    "adcxq %[A], %[t3]\n\t"             \
    "mulxq %[a3], %[lo], %[A]\n\t"      \
    "adoxq %[lo], %[t3]\n\t"            \
    "movl $0, %k[lo]\n\t"               \
    "adcxq %[lo], %[A]\n\t"             \
    "adoxq %[lo], %[A]\n\t"

/* 13 registers: t0..t3, A, lo, hi, rdx, a0..a3 and b's address.  b is read
 * through that one register (with a "memory" clobber) because Clang gives
 * separate "m" operands separate address registers and runs out. */
/* The end of mont4_mul_adx and mont4_sqr_adx: t < 2m, subtract m unless
 * that borrows (into lo, hi, A and rdx, kept on no borrow). */
#define MONT4_ADX_SUBM                  \
    "movq %[t0], %[lo]\n\t"             \
    "subq %[q0], %[lo]\n\t"             \
    "movq %[t1], %[hi]\n\t"             \
    "sbbq %[q1], %[hi]\n\t"             \
    "movq %[t2], %[A]\n\t"              \
    "sbbq %[q2], %[A]\n\t"              \
    "movq %[t3], %%rdx\n\t"             \
    "sbbq %[q3], %%rdx\n\t"             \
    "cmovncq %[lo], %[t0]\n\t"          \
    "cmovncq %[hi], %[t1]\n\t"          \
    "cmovncq %[A], %[t2]\n\t"           \
    "cmovncq %%rdx, %[t3]\n\t"

MONT4_INLINE void mont4_mul_adx(uint64_t out[4], const uint64_t a[4], const uint64_t b[4],
                                const uint64_t k[5])
{
    uint64_t t0, t1, t2, t3, A, lo, hi, rdx;
    __asm__(/* multiply step 0: t = a * b0 */
            "xorl %k[lo], %k[lo]\n\t"
            "movq (%[bp]), %%rdx\n\t"
            "mulxq %[a0], %[t0], %[t1]\n\t"
            "mulxq %[a1], %[lo], %[t2]\n\t"
            "adoxq %[lo], %[t1]\n\t"
            "mulxq %[a2], %[lo], %[t3]\n\t"
            "adoxq %[lo], %[t2]\n\t"
            "mulxq %[a3], %[lo], %[A]\n\t"
            "adoxq %[lo], %[t3]\n\t"
            "movl $0, %k[lo]\n\t"
            "adoxq %[lo], %[A]\n\t"
            MONT4_ADX_REDUCE
            MONT4_ADX_MULSTEP("8")
            MONT4_ADX_REDUCE
            MONT4_ADX_MULSTEP("16")
            MONT4_ADX_REDUCE
            MONT4_ADX_MULSTEP("24")
            MONT4_ADX_REDUCE
            MONT4_ADX_SUBM
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),
              [A] "=&r"(A), [lo] "=&r"(lo), [hi] "=&r"(hi), "=&d"(rdx)
            : [a0] "r"(a[0]), [a1] "r"(a[1]), [a2] "r"(a[2]), [a3] "r"(a[3]),
              [bp] "r"(b),
              [q0] "m"(k[0]), [q1] "m"(k[1]), [q2] "m"(k[2]), [q3] "m"(k[3]),
              [ninv] "m"(k[4])
            : "cc", "memory");
    out[0] = t0;
    out[1] = t1;
    out[2] = t2;
    out[3] = t3;
}

/* mont4_sqr_portable's rows and bounds, each reduction step interleaved
 * as in mont4_mul_adx.  10 registers: t0..t3, A, lo, hi, rdx and the
 * addresses of a and of the doubled words (both arrays also "m"
 * operands, so the compiler knows what is read). */
MONT4_INLINE void mont4_sqr_adx(uint64_t out[4], const uint64_t a[4], const uint64_t k[5])
{
    /* s = a1 << 1, (2a)_2, (2a)_3, a2 << 1, a3 << 1: the row multiplicands */
    const uint64_t s[5] = {a[1] << 1, a[2] << 1 | a[1] >> 63, a[3] << 1 | a[2] >> 63, a[2] << 1,
                           a[3] << 1};
    uint64_t t0, t1, t2, t3, A, lo, hi, rdx;
    __asm__(/* row 0: t = a0 (a0, s0, s1, s2) */
            "xorl %k[lo], %k[lo]\n\t"
            "movq (%[ap]), %%rdx\n\t"
            "mulxq %%rdx, %[t0], %[t1]\n\t"
            "mulxq (%[sp]), %[lo], %[t2]\n\t"
            "adoxq %[lo], %[t1]\n\t"
            "mulxq 8(%[sp]), %[lo], %[t3]\n\t"
            "adoxq %[lo], %[t2]\n\t"
            "mulxq 16(%[sp]), %[lo], %[A]\n\t"
            "adoxq %[lo], %[t3]\n\t"
            "movl $0, %k[lo]\n\t"
            "adoxq %[lo], %[A]\n\t"
            MONT4_ADX_REDUCE
            /* row 1: t1.. += a1 (a1, s3, s2) */
            "xorl %k[lo], %k[lo]\n\t"
            "movq 8(%[ap]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[A]\n\t"
            "adoxq %[lo], %[t1]\n\t"
            "adcxq %[A], %[t2]\n\t"
            "mulxq 24(%[sp]), %[lo], %[A]\n\t"
            "adoxq %[lo], %[t2]\n\t"
            "adcxq %[A], %[t3]\n\t"
            "mulxq 16(%[sp]), %[lo], %[A]\n\t"
            "adoxq %[lo], %[t3]\n\t"
            "movl $0, %k[lo]\n\t"
            "adcxq %[lo], %[A]\n\t"
            "adoxq %[lo], %[A]\n\t"
            MONT4_ADX_REDUCE
            /* row 2: t2.. += a2 (a2, s4) */
            "xorl %k[lo], %k[lo]\n\t"
            "movq 16(%[ap]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[A]\n\t"
            "adoxq %[lo], %[t2]\n\t"
            "adcxq %[A], %[t3]\n\t"
            "mulxq 32(%[sp]), %[lo], %[A]\n\t"
            "adoxq %[lo], %[t3]\n\t"
            "movl $0, %k[lo]\n\t"
            "adcxq %[lo], %[A]\n\t"
            "adoxq %[lo], %[A]\n\t"
            MONT4_ADX_REDUCE
            /* row 3: t3.. += a3 a3 */
            "movq 24(%[ap]), %%rdx\n\t"
            "mulxq %%rdx, %[lo], %[A]\n\t"
            "addq %[lo], %[t3]\n\t"
            "adcq $0, %[A]\n\t"
            MONT4_ADX_REDUCE
            MONT4_ADX_SUBM
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),
              [A] "=&r"(A), [lo] "=&r"(lo), [hi] "=&r"(hi), "=&d"(rdx)
            : [ap] "r"(a), [sp] "r"(s), "m"(*(const uint64_t(*)[4])a),
              "m"(*(const uint64_t(*)[5])s),
              [q0] "m"(k[0]), [q1] "m"(k[1]), [q2] "m"(k[2]), [q3] "m"(k[3]),
              [ninv] "m"(k[4])
            : "cc");
    out[0] = t0;
    out[1] = t1;
    out[2] = t2;
    out[3] = t3;
}

#undef MONT4_ADX_REDUCE
#undef MONT4_ADX_MULSTEP
#undef MONT4_ADX_SUBM

#endif /* MONT4_ASM */

/* ---- the dispatching operations ------------------------------------------ */

/* add, sub and mul: the assembly when it is compiled in, else the C. */
#if MONT4_ASM
#define MONT4_OP(op) mont4_##op##_adx
#else
#define MONT4_OP(op) mont4_##op##_portable
#endif
#define MONT4_BINARY(op)                                                                   \
    MONT4_INLINE void mont4_##op(uint64_t out[4], const uint64_t a[4], const uint64_t b[4], \
                                 const uint64_t k[5])                                      \
    {                                                                                      \
        MONT4_OP(op)(out, a, b, k);                                                        \
    }
MONT4_BINARY(add)
MONT4_BINARY(sub)
MONT4_BINARY(mul)
#undef MONT4_BINARY

MONT4_INLINE void mont4_sqr(uint64_t out[4], const uint64_t a[4], const uint64_t k[5])
{
    MONT4_OP(sqr)(out, a, k);
}
#undef MONT4_OP

MONT4_INLINE void mont4_neg(uint64_t out[4], const uint64_t a[4], const uint64_t k[5])
{
    static const uint64_t zero[4] = {0, 0, 0, 0};
    mont4_sub(out, zero, a, k);
}

/* The inline operations of a field type T (a struct holding uint64_t v[4])
 * whose constants are the static const mont4_field F, all forced inline
 * (left to itself GCC made out-of-line copies of fr_mul): T_set_zero, _set_one,
 * _is_zero, _eq, _add, _sub, _neg, _dbl, _mul, _sqr and the portable
 * _add/_sub/_mul/_sqr the tests compare against.  sqr is the dedicated
 * square (10 word products in the rows instead of 16, the reduction
 * interleaved as in the product): in a dependency chain about 10% less time
 * than mul, two chains interleaved about 15% less (the assembly; the C 2%
 * and 11%).  A square with the reduction done apart from the rows measured
 * slower than mul along a chain: its four reduction steps wait for the whole
 * square. */
#define MONT4_FIELD_INLINE(T, F)                                                                   \
    MONT4_INLINE void T##_set_zero(T *out) { memset(out->v, 0, sizeof out->v); }                   \
    MONT4_INLINE void T##_set_one(T *out) { memcpy(out->v, (F).one, sizeof out->v); }              \
    MONT4_INLINE int T##_is_zero(const T *a) { return mont4_is_zero(a->v); }                       \
    MONT4_INLINE int T##_eq(const T *a, const T *b) { return mont4_eq(a->v, b->v); }               \
    MONT4_INLINE void T##_add(T *out, const T *a, const T *b)                                      \
    {                                                                                              \
        mont4_add(out->v, a->v, b->v, (F).k);                                                      \
    }                                                                                              \
    MONT4_INLINE void T##_sub(T *out, const T *a, const T *b)                                      \
    {                                                                                              \
        mont4_sub(out->v, a->v, b->v, (F).k);                                                      \
    }                                                                                              \
    MONT4_INLINE void T##_mul(T *out, const T *a, const T *b)                                      \
    {                                                                                              \
        mont4_mul(out->v, a->v, b->v, (F).k);                                                      \
    }                                                                                              \
    MONT4_INLINE void T##_neg(T *out, const T *a) { mont4_neg(out->v, a->v, (F).k); }              \
    MONT4_INLINE void T##_dbl(T *out, const T *a) { mont4_add(out->v, a->v, a->v, (F).k); }        \
    MONT4_INLINE void T##_sqr(T *out, const T *a) { mont4_sqr(out->v, a->v, (F).k); }              \
    MONT4_INLINE void T##_add_portable(T *out, const T *a, const T *b)                             \
    {                                                                                              \
        mont4_add_portable(out->v, a->v, b->v, (F).k);                                             \
    }                                                                                              \
    MONT4_INLINE void T##_sub_portable(T *out, const T *a, const T *b)                             \
    {                                                                                              \
        mont4_sub_portable(out->v, a->v, b->v, (F).k);                                             \
    }                                                                                              \
    MONT4_INLINE void T##_mul_portable(T *out, const T *a, const T *b)                             \
    {                                                                                              \
        mont4_mul_portable(out->v, a->v, b->v, (F).k);                                             \
    }                                                                                              \
    MONT4_INLINE void T##_sqr_portable(T *out, const T *a)                                         \
    {                                                                                              \
        mont4_sqr_portable(out->v, a->v, (F).k);                                                   \
    }

/* ---- conversions, inversion, powers (MONT4_FIELD_FUNCS: one copy a field) */

/* 1 if x >= m (x any 256-bit value).  Branches on x. */
MONT4_INLINE int mont4_geq_var(const uint64_t x[4], const uint64_t k[5])
{
    for (int i = 3; i >= 0; i--) {
        if (x[i] != k[i])
            return x[i] > k[i];
    }
    return 1;
}

/* x (any 256-bit value, < 6m since m > 2^253) -> x mod m, in place. */
MONT4_INLINE void mont4_reduce_var(uint64_t x[4], const uint64_t k[5])
{
    while (mont4_geq_var(x, k)) {
        uint64_t borrow = 0;
        for (int i = 0; i < 4; i++)
            x[i] = mont4_sbb64(x[i], k[i], &borrow);
    }
}

MONT4_INLINE void mont4_load_le(uint64_t x[4], const uint8_t in[32])
{
    for (int i = 0; i < 4; i++) {
        x[i] = 0;
        for (int j = 0; j < 8; j++)
            x[i] |= (uint64_t)in[8 * i + j] << (8 * j);
    }
}

MONT4_INLINE void mont4_store_le(uint8_t out[32], const uint64_t x[4])
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(out, x, 32); /* the limbs already are the little-endian bytes */
#else
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            out[8 * i + j] = (uint8_t)(x[i] >> (8 * j));
#endif
}

/* out = the element for the integer x (any 256-bit value), x mod m. */
MONT4_INLINE void mont4_from_limbs(uint64_t out[4], const uint64_t x[4], const mont4_field *f)
{
    uint64_t t[4];
    memcpy(t, x, sizeof t);
    mont4_reduce_var(t, f->k);
    mont4_mul(out, t, f->r2, f->k);
}

/* x = the integer in [0, m) that a represents (a Montgomery product by 1). */
MONT4_INLINE void mont4_to_limbs(uint64_t x[4], const uint64_t a[4], const mont4_field *f)
{
    static const uint64_t one_std[4] = {1, 0, 0, 0};
    mont4_mul(x, a, one_std, f->k);
}

/* Canonical decoding; 0 (out zero) if the value is >= m. */
MONT4_INLINE int mont4_from_bytes(uint64_t out[4], const uint8_t in[32], const mont4_field *f)
{
    uint64_t x[4];
    mont4_load_le(x, in);
    if (mont4_geq_var(x, f->k)) {
        memset(out, 0, 4 * sizeof(uint64_t));
        return 0;
    }
    mont4_mul(out, x, f->r2, f->k);
    return 1;
}

MONT4_INLINE void mont4_to_bytes(uint8_t out[32], const uint64_t a[4], const mont4_field *f)
{
    uint64_t x[4];
    mont4_to_limbs(x, a, f);
    mont4_store_le(out, x);
}

/* out = (lo + hi * 2^256) mod m for 64 little-endian bytes. */
MONT4_INLINE void mont4_from_wide(uint64_t out[4], const uint8_t in[64], const mont4_field *f)
{
    uint64_t lo[4], hi[4];
    mont4_load_le(lo, in);
    mont4_load_le(hi, in + 32);
    mont4_reduce_var(lo, f->k);
    mont4_reduce_var(hi, f->k);
    mont4_mul(lo, lo, f->r2, f->k); /* lo * 2^256: the Montgomery form of lo        */
    mont4_mul(hi, hi, f->r3, f->k); /* hi * 2^512: the Montgomery form of hi*2^256  */
    mont4_add(out, lo, hi, f->k);
}

MONT4_INLINE void mont4_modulus_mpz(mpz_t x, const mont4_field *f)
{
    mpz_import(x, 4, -1, sizeof(uint64_t), 0, 0, f->k);
}

MONT4_INLINE void mont4_to_mpz(mpz_t x, const uint64_t a[4], const mont4_field *f)
{
    uint64_t l[4];
    mont4_to_limbs(l, a, f);
    mpz_import(x, 4, -1, sizeof(uint64_t), 0, 0, l);
}

/* out = x mod m for any integer x (negative values wrap). */
MONT4_INLINE void mont4_from_mpz(uint64_t out[4], const mpz_t x, const mont4_field *f)
{
    mpz_t m, t;
    uint64_t l[4] = {0, 0, 0, 0};
    size_t count = 0;
    mpz_inits(m, t, NULL);
    mont4_modulus_mpz(m, f);
    mpz_mod(t, x, m); /* non-negative result */
    mpz_export(l, &count, -1, sizeof(uint64_t), 0, 0, t);
    mont4_from_limbs(out, l, f);
    mpz_clears(m, t, NULL);
}

/* out = a^-1 (0 for 0) through GMP.  Not constant time. */
MONT4_INLINE void mont4_inv_var(uint64_t out[4], const uint64_t a[4], const mont4_field *f)
{
    if (mont4_is_zero(a)) {
        memset(out, 0, 4 * sizeof(uint64_t));
        return;
    }
    mpz_t x, m;
    mpz_inits(x, m, NULL);
    mont4_to_mpz(x, a, f);
    mont4_modulus_mpz(m, f);
    mpz_invert(x, x, m);
    mont4_from_mpz(out, x, f);
    mpz_clears(x, m, NULL);
}

/* out = table[idx] for idx < 16, reading every entry so that the memory
 * accesses do not depend on idx. */
MONT4_INLINE void mont4_select16(uint64_t out[4], const uint64_t table[16][4], uint64_t idx)
{
    uint64_t r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    for (uint64_t j = 0; j < 16; j++) {
        uint64_t mask = 0 - (((j ^ idx) - 1) >> 63); /* all ones iff j == idx */
        r0 |= table[j][0] & mask;
        r1 |= table[j][1] & mask;
        r2 |= table[j][2] & mask;
        r3 |= table[j][3] & mask;
    }
    out[0] = r0;
    out[1] = r1;
    out[2] = r2;
    out[3] = r3;
}

/* out = a^e for the 256-bit exponent e (little-endian limbs).  Fixed 4-bit
 * windows from the top: 14 products for the table, then 252 squarings and
 * 63 products whatever e is, with no branch on e or a (square-and-multiply
 * branched on every bit of e). */
MONT4_INLINE void mont4_pow(uint64_t out[4], const uint64_t a[4], const uint64_t e[4],
                            const mont4_field *f)
{
    uint64_t table[16][4], acc[4], t[4];
    memcpy(table[0], f->one, sizeof table[0]);
    memcpy(table[1], a, sizeof table[1]);
    for (int i = 2; i < 16; i++)
        mont4_mul(table[i], table[i - 1], table[1], f->k);
    mont4_select16(acc, (const uint64_t(*)[4])table, e[3] >> 60);
    for (int w = 62; w >= 0; w--) {
        for (int j = 0; j < 4; j++)
            mont4_sqr(acc, acc, f->k);
        mont4_select16(t, (const uint64_t(*)[4])table, (e[w / 16] >> (4 * (w % 16))) & 15);
        mont4_mul(acc, acc, t, f->k);
    }
    memcpy(out, acc, sizeof acc);
}

/* The out-of-line operations every field has, defined in the field's .c
 * file: T_from_limbs, _to_limbs, _set_u64, _to_bytes, _from_bytes,
 * _from_wide, _modulus_mpz, _to_mpz, _from_mpz, _inv_var, _pow (contracts in
 * fr.h). */
#define MONT4_FIELD_FUNCS(T, F, BYTES)                                                   \
    void T##_from_limbs(T *out, const uint64_t x[4])                                     \
    {                                                                                    \
        mont4_from_limbs(out->v, x, &(F));                                               \
    }                                                                                    \
    void T##_to_limbs(uint64_t x[4], const T *a) { mont4_to_limbs(x, a->v, &(F)); }      \
    void T##_set_u64(T *out, uint64_t x)                                                 \
    {                                                                                    \
        const uint64_t l[4] = {x, 0, 0, 0};                                              \
        mont4_from_limbs(out->v, l, &(F));                                               \
    }                                                                                    \
    void T##_to_bytes(uint8_t out[BYTES], const T *a)                                    \
    {                                                                                    \
        mont4_to_bytes(out, a->v, &(F));                                                 \
    }                                                                                    \
    int T##_from_bytes(T *out, const uint8_t in[BYTES])                                  \
    {                                                                                    \
        return mont4_from_bytes(out->v, in, &(F));                                       \
    }                                                                                    \
    void T##_from_wide(T *out, const uint8_t in[64])                                     \
    {                                                                                    \
        mont4_from_wide(out->v, in, &(F));                                               \
    }                                                                                    \
    void T##_modulus_mpz(mpz_t x) { mont4_modulus_mpz(x, &(F)); }                        \
    void T##_to_mpz(mpz_t x, const T *a) { mont4_to_mpz(x, a->v, &(F)); }                \
    void T##_from_mpz(T *out, const mpz_t x) { mont4_from_mpz(out->v, x, &(F)); }        \
    void T##_inv_var(T *out, const T *a) { mont4_inv_var(out->v, a->v, &(F)); }          \
    void T##_pow(T *out, const T *a, const uint64_t e[4])                                \
    {                                                                                    \
        mont4_pow(out->v, a->v, e, &(F));                                                \
    }

#endif
