/* Inline bodies of the hot field operations declared in fr.h.
 *
 * Two implementations of add, sub and mul:
 *   fr_*_portable  C with unsigned __int128, for any 64-bit GCC or Clang;
 *   fr_*_adx       x86-64 inline assembly (MULX, ADCX, ADOX), used when the
 *                  compiler targets BMI2 and ADX (-march=native on such a
 *                  machine) and optimizes (fr_mul_adx needs 13 registers,
 *                  more than -O0 leaves free).  Define FR_NO_ASM to force C.
 * fr_add/fr_sub/fr_mul pick one; the portable versions stay defined either
 * way so the tests can compare the two on the same inputs. */
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

#if defined(__x86_64__) && defined(__ADX__) && defined(__BMI2__) && \
    defined(__OPTIMIZE__) && !defined(FR_NO_ASM)
#define FR_ASM 1
#else
#define FR_ASM 0
#endif

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

/* ---- portable C ---------------------------------------------------------- */

/* a + b + *carry (carry 0 or 1); the carry out replaces *carry. */
static inline uint64_t fr_adc64(uint64_t a, uint64_t b, uint64_t *carry)
{
    fr_u128 s = (fr_u128)a + b + *carry;
    *carry = (uint64_t)(s >> 64);
    return (uint64_t)s;
}

/* a - b - *borrow (borrow 0 or 1); the borrow out replaces *borrow. */
static inline uint64_t fr_sbb64(uint64_t a, uint64_t b, uint64_t *borrow)
{
    fr_u128 d = (fr_u128)a - b - *borrow;
    *borrow = (uint64_t)(d >> 64) & 1;
    return (uint64_t)d;
}

/* a * b + c + *carry, low word returned, high word into *carry; cannot
 * overflow 128 bits. */
static inline uint64_t fr_mac64(uint64_t a, uint64_t b, uint64_t c, uint64_t *carry)
{
    fr_u128 x = (fr_u128)a * b + c + *carry;
    *carry = (uint64_t)(x >> 64);
    return (uint64_t)x;
}

/* t (< 2r) -> t mod r: subtract r and keep the difference unless it borrowed. */
static inline void fr_reduce_once(fr *out, uint64_t t0, uint64_t t1, uint64_t t2,
                                  uint64_t t3)
{
    uint64_t borrow = 0, s0, s1, s2, s3;
    s0 = fr_sbb64(t0, FR_R0, &borrow);
    s1 = fr_sbb64(t1, FR_R1, &borrow);
    s2 = fr_sbb64(t2, FR_R2, &borrow);
    s3 = fr_sbb64(t3, FR_R3, &borrow);
    uint64_t keep = 0 - borrow; /* all ones if t < r */
    out->v[0] = (t0 & keep) | (s0 & ~keep);
    out->v[1] = (t1 & keep) | (s1 & ~keep);
    out->v[2] = (t2 & keep) | (s2 & ~keep);
    out->v[3] = (t3 & keep) | (s3 & ~keep);
}

static inline void fr_add_portable(fr *out, const fr *a, const fr *b)
{
    /* a + b < 2r < 2^255: no carry out of the top limb. */
    uint64_t carry = 0, t0, t1, t2, t3;
    t0 = fr_adc64(a->v[0], b->v[0], &carry);
    t1 = fr_adc64(a->v[1], b->v[1], &carry);
    t2 = fr_adc64(a->v[2], b->v[2], &carry);
    t3 = a->v[3] + b->v[3] + carry;
    fr_reduce_once(out, t0, t1, t2, t3);
}

static inline void fr_sub_portable(fr *out, const fr *a, const fr *b)
{
    uint64_t borrow = 0, t0, t1, t2, t3;
    t0 = fr_sbb64(a->v[0], b->v[0], &borrow);
    t1 = fr_sbb64(a->v[1], b->v[1], &borrow);
    t2 = fr_sbb64(a->v[2], b->v[2], &borrow);
    t3 = fr_sbb64(a->v[3], b->v[3], &borrow);
    /* add r back if a < b */
    uint64_t m = 0 - borrow, carry = 0;
    out->v[0] = fr_adc64(t0, FR_R0 & m, &carry);
    out->v[1] = fr_adc64(t1, FR_R1 & m, &carry);
    out->v[2] = fr_adc64(t2, FR_R2 & m, &carry);
    out->v[3] = t3 + (FR_R3 & m) + carry;
}

/* One step of the Montgomery product by coarsely integrated operand
 * scanning: t = (t + a*bi + m*r) / 2^64 with m chosen to clear the low word.
 * r's top limb is below 2^62, so for a, b < r the running value stays below
 * 2r and needs no fifth limb (the "no-carry" variant). */
#define FR_CIOS_STEP(bi_)                                                     \
    do {                                                                      \
        const uint64_t bi = (bi_);                                            \
        uint64_t A = 0, C = 0, m, x;                                          \
        x = fr_mac64(a0, bi, t0, &A);                                         \
        m = x * FR_NINV;                                                      \
        (void)fr_mac64(m, FR_R0, x, &C);                                      \
        x = fr_mac64(a1, bi, t1, &A);                                         \
        t0 = fr_mac64(m, FR_R1, x, &C);                                       \
        x = fr_mac64(a2, bi, t2, &A);                                         \
        t1 = fr_mac64(m, FR_R2, x, &C);                                       \
        x = fr_mac64(a3, bi, t3, &A);                                         \
        t2 = fr_mac64(m, FR_R3, x, &C);                                       \
        t3 = C + A;                                                           \
    } while (0)

/* Montgomery product a*b*2^-256 mod r. */
static inline void fr_mul_portable(fr *out, const fr *a, const fr *b)
{
    const uint64_t a0 = a->v[0], a1 = a->v[1], a2 = a->v[2], a3 = a->v[3];
    const uint64_t b0 = b->v[0], b1 = b->v[1], b2 = b->v[2], b3 = b->v[3];
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    FR_CIOS_STEP(b0);
    FR_CIOS_STEP(b1);
    FR_CIOS_STEP(b2);
    FR_CIOS_STEP(b3);
    fr_reduce_once(out, t0, t1, t2, t3);
}

#undef FR_CIOS_STEP

/* ---- x86-64 with BMI2 and ADX -------------------------------------------- */
#if FR_ASM

/* r and -r^-1 mod 2^64 as memory operands (MULX, SUB and IMUL take them from
 * memory; a register each would not fit).  Unused in files that never call
 * fr_mul. */
static const uint64_t fr_asm_k[5] __attribute__((unused, aligned(64))) = {
    FR_R0, FR_R1, FR_R2, FR_R3, FR_NINV};

static inline void fr_add_adx(fr *out, const fr *a, const fr *b)
{
    uint64_t t0 = a->v[0], t1 = a->v[1], t2 = a->v[2], t3 = a->v[3];
    uint64_t s0, s1, s2, s3;
    __asm__("addq %[b0], %[t0]\n\t"
            "adcq %[b1], %[t1]\n\t"
            "adcq %[b2], %[t2]\n\t"
            "adcq %[b3], %[t3]\n\t"
            /* a + b < 2r < 2^255; subtract r unless that borrows */
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
            : [b0] "m"(b->v[0]), [b1] "m"(b->v[1]), [b2] "m"(b->v[2]), [b3] "m"(b->v[3]),
              [q0] "m"(fr_asm_k[0]), [q1] "m"(fr_asm_k[1]), [q2] "m"(fr_asm_k[2]),
              [q3] "m"(fr_asm_k[3])
            : "cc");
    out->v[0] = t0;
    out->v[1] = t1;
    out->v[2] = t2;
    out->v[3] = t3;
}

static inline void fr_sub_adx(fr *out, const fr *a, const fr *b)
{
    uint64_t t0 = a->v[0], t1 = a->v[1], t2 = a->v[2], t3 = a->v[3];
    uint64_t s0, s1, s2, m;
    __asm__("subq %[b0], %[t0]\n\t"
            "sbbq %[b1], %[t1]\n\t"
            "sbbq %[b2], %[t2]\n\t"
            "sbbq %[b3], %[t3]\n\t"
            /* m = all ones if a < b; then add r & m */
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
              [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [m] "=&r"(m)
            : [b0] "m"(b->v[0]), [b1] "m"(b->v[1]), [b2] "m"(b->v[2]), [b3] "m"(b->v[3]),
              [q0] "m"(fr_asm_k[0]), [q1] "m"(fr_asm_k[1]), [q2] "m"(fr_asm_k[2]),
              [q3] "m"(fr_asm_k[3])
            : "cc");
    out->v[0] = t0;
    out->v[1] = t1;
    out->v[2] = t2;
    out->v[3] = t3;
}

/* The same CIOS as fr_mul_portable, with the two additions of each step on
 * separate carry flags (ADCX uses CF, ADOX uses OF) so they interleave.
 *
 * Multiply step i: (A, t3..t0) += a * b_i.
 * Reduce step: m = t0 * NINV; (t3..t0) = (A, t3..t0 + m*r) / 2^64.  The low
 * word t0 + lo(m*r0) is 0 by the choice of m, so its carry is just
 * (t0 != 0): computed at once (-1 + t0 carries iff t0 != 0) rather than
 * after the MULX, which takes one cycle off the dependency chain. */
#define FR_ADX_REDUCE                   \
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

#define FR_ADX_MULSTEP(bi)              \
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
static inline void fr_mul_adx(fr *out, const fr *a, const fr *b)
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
            FR_ADX_REDUCE
            FR_ADX_MULSTEP("8")
            FR_ADX_REDUCE
            FR_ADX_MULSTEP("16")
            FR_ADX_REDUCE
            FR_ADX_MULSTEP("24")
            FR_ADX_REDUCE
            /* t < 2r: subtract r unless that borrows */
            "movq %[t0], %[lo]\n\t"
            "subq %[q0], %[lo]\n\t"
            "movq %[t1], %[hi]\n\t"
            "sbbq %[q1], %[hi]\n\t"
            "movq %[t2], %[A]\n\t"
            "sbbq %[q2], %[A]\n\t"
            "movq %[t3], %%rdx\n\t"
            "sbbq %[q3], %%rdx\n\t"
            "cmovncq %[lo], %[t0]\n\t"
            "cmovncq %[hi], %[t1]\n\t"
            "cmovncq %[A], %[t2]\n\t"
            "cmovncq %%rdx, %[t3]\n\t"
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),
              [A] "=&r"(A), [lo] "=&r"(lo), [hi] "=&r"(hi), "=&d"(rdx)
            : [a0] "r"(a->v[0]), [a1] "r"(a->v[1]), [a2] "r"(a->v[2]), [a3] "r"(a->v[3]),
              [bp] "r"(b->v),
              [q0] "m"(fr_asm_k[0]), [q1] "m"(fr_asm_k[1]), [q2] "m"(fr_asm_k[2]),
              [q3] "m"(fr_asm_k[3]), [ninv] "m"(fr_asm_k[4])
            : "cc", "memory");
    out->v[0] = t0;
    out->v[1] = t1;
    out->v[2] = t2;
    out->v[3] = t3;
}

#undef FR_ADX_REDUCE
#undef FR_ADX_MULSTEP

#endif /* FR_ASM */

/* ---- the operations of fr.h ---------------------------------------------- */

static inline void fr_add(fr *out, const fr *a, const fr *b)
{
#if FR_ASM
    fr_add_adx(out, a, b);
#else
    fr_add_portable(out, a, b);
#endif
}

static inline void fr_sub(fr *out, const fr *a, const fr *b)
{
#if FR_ASM
    fr_sub_adx(out, a, b);
#else
    fr_sub_portable(out, a, b);
#endif
}

static inline void fr_mul(fr *out, const fr *a, const fr *b)
{
#if FR_ASM
    fr_mul_adx(out, a, b);
#else
    fr_mul_portable(out, a, b);
#endif
}

static inline void fr_dbl(fr *out, const fr *a)
{
    fr_add(out, a, a);
}

static inline void fr_neg(fr *out, const fr *a)
{
    fr z;
    fr_set_zero(&z);
    fr_sub(out, &z, a);
}

/* A dedicated squaring (10 instead of 16 word products, then a separate
 * reduction) measured no faster along a dependency chain, so sqr is mul. */
static inline void fr_sqr(fr *out, const fr *a)
{
    fr_mul(out, a, a);
}

#endif
