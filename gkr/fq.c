/* Non-inline base-field operations: the shared bodies of mont4_impl.h with
 * p's constants, plus the square root and the inverses. */
#include "fq.h"

MONT4_FIELD_FUNCS(fq, fq_field, FQ_BYTES)

/* p - 2 and (p + 1) / 4 */
static const uint64_t FQ_P_MINUS_2[4] = {FQ_P0 - 2, FQ_P1, FQ_P2, FQ_P3};
static const uint64_t FQ_SQRT_EXP[4] = {0x4f082305b61f3f52ULL, 0x65e05aa45a1c72a3ULL,
                                        0x6e14116da0605617ULL, 0x0c19139cb84c680aULL};

void fq_inv(fq *out, const fq *a)
{
    fq_pow(out, a, FQ_P_MINUS_2);
}

/* x = x / 2^k mod p for x < p and 0 < k < 64: x plus the multiple m p
 * that clears its low k bits (m = -x p^-1 mod 2^k, as in a Montgomery
 * reduction), shifted; (x + m p) / 2^k < p + p / 2^k, so one conditional
 * subtraction. */
static void halve_k(fq *x, int k)
{
    uint64_t m = (x->v[0] * FQ_NINV) & (((uint64_t)1 << k) - 1), t[5], carry = 0;
    for (int i = 0; i < 4; i++)
        t[i] = mont4_mac64(m, fq_field.k[i], x->v[i], &carry);
    t[4] = carry;
    for (int i = 0; i < 4; i++)
        x->v[i] = (t[i] >> k) | (t[i + 1] << (64 - k));
    mont4_reduce_once(x->v, x->v[0], x->v[1], x->v[2], x->v[3], fq_field.k);
}

/* ---- 256-bit integers as two 128-bit halves, for fq_inv_binary_var ---- */

typedef struct {
    mont4_u128 lo, hi;
} u256;

static inline u256 u256_of(const uint64_t x[4])
{
    u256 r = {(mont4_u128)x[1] << 64 | x[0], (mont4_u128)x[3] << 64 | x[2]};
    return r;
}

static inline void u256_store(uint64_t x[4], u256 a)
{
    x[0] = (uint64_t)a.lo;
    x[1] = (uint64_t)(a.lo >> 64);
    x[2] = (uint64_t)a.hi;
    x[3] = (uint64_t)(a.hi >> 64);
}

static inline int u256_cmp(u256 a, u256 b)
{
    if (a.hi != b.hi)
        return a.hi > b.hi ? 1 : -1;
    return a.lo == b.lo ? 0 : a.lo > b.lo ? 1 : -1;
}

static inline u256 u256_sub(u256 a, u256 b)
{
    u256 r = {a.lo - b.lo, a.hi - b.hi - (a.lo < b.lo)};
    return r;
}

static inline u256 u256_add(u256 a, u256 b)
{
    u256 r = {a.lo + b.lo, 0};
    r.hi = a.hi + b.hi + (r.lo < a.lo);
    return r;
}

static inline int ctz128(mont4_u128 x)
{
    return (uint64_t)x ? __builtin_ctzll((uint64_t)x) : 64 + __builtin_ctzll((uint64_t)(x >> 64));
}

/* a (not 0) shifted right until odd; *t = the shift. */
static inline u256 u256_shr_odd(u256 a, int *t)
{
    if (a.lo == 0) {
        *t = 128 + ctz128(a.hi);
        a.lo = a.hi >> (*t - 128);
        a.hi = 0;
        return a;
    }
    *t = ctz128(a.lo);
    if (*t) {
        a.lo = (a.lo >> *t) | (a.hi << (128 - *t));
        a.hi >>= *t;
    }
    return a;
}

/* a << t for 0 <= t < 256 (the caller knows it does not overflow) */
static inline u256 u256_shl(u256 a, int t)
{
    if (t >= 128) {
        a.hi = a.lo << (t - 128);
        a.lo = 0;
    } else if (t) {
        a.hi = (a.hi << t) | (a.lo >> (128 - t));
        a.lo <<= t;
    }
    return a;
}

void fq_inv_binary_var(fq *out, const fq *a)
{
    /* Kaliski's almost inverse (IEEE Trans. Computers 44(8), 1995), with
     * the shifts taken a run of zero bits at a time, on the representation
     * A = a 2^256 as an integer: u = p, v = A, r = 0, s = 1, then while
     * u != v (both odd): the larger loses the smaller, r += s or s += r,
     * and its zero bits are shifted out while the other coefficient is
     * shifted left as far, k counting the bits.  p = u s + v r holds
     * throughout, so r, s <= p while u, v >= 1, and at u = v = 1 a last
     * step (s += r, r *= 2) leaves r < 2p with p - r = A^-1 2^k mod p,
     * k <= 2 * 254 + 1.  Then A^-1 2^k times C = 2^(768 - k), by a
     * Montgomery product (which divides by 2^256), is a^-1 2^256, the
     * representation of a^-1; C is 2^768 mod p halved k times. */
    if (fq_is_zero(a)) {
        fq_set_zero(out);
        return;
    }
    const u256 p = u256_of(fq_field.k);
    u256 u = p, v = u256_of(a->v), r = {0, 0}, s = {1, 0};
    int k, t, c;
    v = u256_shr_odd(v, &k); /* r = 0: nothing to shift */
    while ((c = u256_cmp(u, v)) != 0) {
        if (c > 0) {
            u = u256_shr_odd(u256_sub(u, v), &t);
            r = u256_add(r, s);
            s = u256_shl(s, t);
        } else {
            v = u256_shr_odd(u256_sub(v, u), &t);
            s = u256_add(s, r);
            r = u256_shl(r, t);
        }
        k += t;
    }
    r = u256_shl(r, 1); /* the last step (its s is not needed) */
    k++;
    if (u256_cmp(r, p) >= 0)
        r = u256_sub(r, p);
    fq x, C;
    u256_store(x.v, u256_sub(p, r)); /* r != 0: a is invertible */
    memcpy(C.v, fq_field.r3, sizeof C.v);
    for (int left = k; left > 0; left -= 63)
        halve_k(&C, left < 63 ? left : 63);
    fq_mul(out, &x, &C);
}

/* The exponentiation by (p + 1) / 4 of the square roots: left to right
 * over the fixed exponent with 5-bit sliding windows, 251 squarings and 53
 * products (the fixed 4-bit windows of fq_pow take 329 operations).  The
 * schedule is a list of steps: square sqr times, then multiply by
 * a^(2 odd + 1) (the first step sets x to it instead; odd SQRT_NO_PRODUCT:
 * squarings only, the exponent's trailing zeros).  It depends only on the
 * exponent, so the time does not depend on a. */
#define SQRT_WINDOW 5
#define SQRT_ODD (1 << (SQRT_WINDOW - 1)) /* a^1, a^3, ..., a^31 */
#define SQRT_MAX_STEPS 64                 /* 40 for this exponent */
#define SQRT_NO_PRODUCT 0xff

typedef struct {
    uint8_t sqr, odd;
} sqrt_step;

static int exp_bit(int i)
{
    return (int)((FQ_SQRT_EXP[i / 64] >> (i % 64)) & 1);
}

/* The steps (at most SQRT_MAX_STEPS); returns how many. */
static int sqrt_schedule(sqrt_step st[SQRT_MAX_STEPS])
{
    int n = 0, i = 251, zeros = 0; /* the exponent has 252 bits */
    while (i >= 0) {
        if (!exp_bit(i)) {
            zeros++;
            i--;
            continue;
        }
        /* the window: bits i down to j, j the lowest set bit within reach */
        int j = i - SQRT_WINDOW + 1 < 0 ? 0 : i - SQRT_WINDOW + 1;
        while (!exp_bit(j))
            j++;
        unsigned v = 0;
        for (int k = i; k >= j; k--)
            v = 2 * v + (unsigned)exp_bit(k);
        st[n] = (sqrt_step){(uint8_t)(n ? zeros + i - j + 1 : 0), (uint8_t)(v / 2)};
        n++;
        zeros = 0;
        i = j - 1;
    }
    if (zeros)
        st[n++] = (sqrt_step){(uint8_t)zeros, SQRT_NO_PRODUCT};
    return n;
}

/* x[l] = a[l]^((p + 1) / 4) for each of the `lanes` lanes (1 or 2 at the
 * call sites, so the lane loops unroll), by the n steps st of
 * sqrt_schedule.  Two lanes interleave two independent chains, which the
 * processor overlaps (the time a root measured in fq.h). */
static inline __attribute__((always_inline)) void sqrt_pow_lanes(fq *x, const fq *a, int lanes,
                                                                 const sqrt_step *st, int n)
{
    fq odd[2][SQRT_ODD], a2[2]; /* odd[l][i] = a[l]^(2i + 1) */
    for (int l = 0; l < lanes; l++) {
        odd[l][0] = a[l];
        fq_sqr(&a2[l], &a[l]);
    }
    for (int i = 1; i < SQRT_ODD; i++)
        for (int l = 0; l < lanes; l++)
            fq_mul(&odd[l][i], &odd[l][i - 1], &a2[l]);
    for (int l = 0; l < lanes; l++)
        x[l] = odd[l][st[0].odd];
    for (int k = 1; k < n; k++) {
        for (int q = 0; q < st[k].sqr; q++)
            for (int l = 0; l < lanes; l++)
                fq_sqr(&x[l], &x[l]);
        if (st[k].odd != SQRT_NO_PRODUCT)
            for (int l = 0; l < lanes; l++)
                fq_mul(&x[l], &x[l], &odd[l][st[k].odd]);
    }
}

/* ---- eight lanes at a time: AVX-512 IFMA (fq.h's fq8) ---- */
#if FQ_IFMA
/* sqrt_pow_lanes on nv (1 or 2) vectors of eight lanes: x[v] for v < nv. */
FQ8_INLINE void fq8_sqrt_pow(fq8 *x, const fq8 *a, int nv, const sqrt_step *st, int n)
{
    fq8 odd[2][SQRT_ODD], a2[2];
    for (int v = 0; v < nv; v++) {
        odd[v][0] = a[v];
        fq8_sqr(&a2[v], &a[v]);
    }
    for (int i = 1; i < SQRT_ODD; i++)
        for (int v = 0; v < nv; v++)
            fq8_mul(&odd[v][i], &odd[v][i - 1], &a2[v]);
    for (int v = 0; v < nv; v++)
        x[v] = odd[v][st[0].odd];
    for (int k = 1; k < n; k++) {
        for (int q = 0; q < st[k].sqr; q++)
            for (int v = 0; v < nv; v++)
                fq8_sqr(&x[v], &x[v]);
        if (st[k].odd != SQRT_NO_PRODUCT)
            for (int v = 0; v < nv; v++)
                fq8_mul(&x[v], &x[v], &odd[v][st[k].odd]);
    }
}

/* s[0..8 nv) = a[i]^((p + 1) / 4), the same elements as sqrt_pow_lanes
 * gives (fq8_store reduces fully) */
static void sqrt_pow_ifma(fq *s, const fq *a, int nv, const sqrt_step *st, int n)
{
    fq8 x[2], y[2];
    for (int v = 0; v < nv; v++)
        fq8_load(&x[v], a + 8 * v);
    if (nv == 2)
        fq8_sqrt_pow(y, x, 2, st, n);
    else
        fq8_sqrt_pow(y, x, 1, st, n);
    for (int v = 0; v < nv; v++)
        fq8_store(s + 8 * v, &y[v]);
}
#endif /* FQ_IFMA */

int fq_sqrt_var(fq *out, const fq *a)
{
    /* p = 3 mod 4: if a is a square, a^((p+1)/4) squares to a^((p+1)/2) =
     * a * a^((p-1)/2) = a. */
    fq s, c;
    sqrt_step st[SQRT_MAX_STEPS];
    sqrt_pow_lanes(&s, a, 1, st, sqrt_schedule(st));
    fq_sqr(&c, &s);
    if (!fq_eq(&c, a))
        return 0;
    *out = s;
    return 1;
}

/* ok[i] and out[i] from the candidate root s of a[i] (a[i] is read before
 * out[i] is written). */
static inline void sqrt_check(fq *out, uint8_t *ok, const fq *s, const fq *a)
{
    fq c;
    fq_sqr(&c, s);
    *ok = (uint8_t)fq_eq(&c, a);
    if (*ok)
        *out = *s;
}

void fq_sqrt_many_var(fq *out, uint8_t *ok, const fq *a, size_t n)
{
    size_t i = 0;
    sqrt_step st[SQRT_MAX_STEPS];
    const int ns = sqrt_schedule(st);
#if FQ_IFMA
    for (; i + 8 <= n;) {
        fq s[16];
        const int nv = i + 16 <= n ? 2 : 1;
        sqrt_pow_ifma(s, a + i, nv, st, ns);
        for (int l = 0; l < 8 * nv; l++)
            sqrt_check(&out[i + (size_t)l], &ok[i + (size_t)l], &s[l], &a[i + (size_t)l]);
        i += 8 * (size_t)nv;
    }
#endif
    for (; i + 2 <= n; i += 2) {
        fq s[2];
        sqrt_pow_lanes(s, a + i, 2, st, ns);
        for (int l = 0; l < 2; l++)
            sqrt_check(&out[i + l], &ok[i + l], &s[l], &a[i + l]);
    }
    if (i < n)
        ok[i] = (uint8_t)fq_sqrt_var(&out[i], &a[i]);
}

int fq_is_odd(const fq *a)
{
    uint64_t x[4];
    fq_to_limbs(x, a);
    return (int)(x[0] & 1);
}
