/* Public-scalar and fixed-base multiplication, and fixed-base linear
 * combinations (g1_mul.h). */
#include "g1_mul.h"

#include <string.h>
#include <sodium.h>

/* Width-5 NAF digits of the 256-bit integer x (little-endian limbs), least
 * significant first: each digit is 0 or odd in [-15, 15], and a non-zero
 * digit is followed by at least four zeros.  Returns the digit count. */
static int wnaf5(int8_t digits[257], const uint64_t xin[4])
{
    uint64_t x[5] = {xin[0], xin[1], xin[2], xin[3], 0};
    int n = 0;
    for (;;) {
        if ((x[0] | x[1] | x[2] | x[3] | x[4]) == 0)
            break;
        int d = 0;
        if (x[0] & 1) {
            d = (int)(x[0] & 31);
            if (d > 16)
                d -= 32;
            /* x -= d (d odd, |d| < 16) */
            if (d > 0) {
                uint64_t borrow = (uint64_t)d;
                for (int i = 0; i < 5 && borrow; i++) {
                    uint64_t t = x[i];
                    x[i] = t - borrow;
                    borrow = t < borrow;
                }
            } else {
                uint64_t carry = (uint64_t)-d;
                for (int i = 0; i < 5 && carry; i++) {
                    x[i] += carry;
                    carry = x[i] < carry;
                }
            }
        }
        digits[n++] = (int8_t)d;
        /* x >>= 1 */
        for (int i = 0; i < 4; i++)
            x[i] = x[i] >> 1 | x[i + 1] << 63;
        x[4] >>= 1;
    }
    return n;
}

void g1_mul_var(g1_jac *out, const g1_jac *a, const fr *k)
{
    uint64_t x[4];
    fr_to_limbs(x, k);
    int8_t digits[257];
    const int n = wnaf5(digits, x);
    /* odd multiples P, 3P, ..., 15P */
    g1_jac odd[8], twice;
    odd[0] = *a;
    g1_dbl(&twice, a);
    for (int i = 1; i < 8; i++)
        g1_add_var(&odd[i], &odd[i - 1], &twice);
    g1_jac acc;
    g1_set_infinity(&acc);
    for (int i = n; i-- > 0;) {
        g1_dbl(&acc, &acc);
        const int d = digits[i];
        if (d > 0) {
            g1_add_var(&acc, &acc, &odd[(d - 1) / 2]);
        } else if (d < 0) {
            g1_jac m;
            g1_neg(&m, &odd[(-d - 1) / 2]);
            g1_add_var(&acc, &acc, &m);
        }
    }
    *out = acc;
}

void g1_fixed_init(g1_fixed_table *t, const g1_affine *p)
{
    /* windows GROUP at a time, brought to affine by one inversion */
    enum { GROUP = 16 };
    g1_jac jac[GROUP][16], base;
    fq scratch[GROUP * 16];
    g1_from_affine(&base, p);
    for (int w0 = 0; w0 < G1_FIXED_WINDOWS; w0 += GROUP) {
        for (int w = 0; w < GROUP; w++) {
            /* base = 16^(w0 + w) P; jac[w][d] = d * base */
            g1_set_infinity(&jac[w][0]);
            for (int d = 1; d < 16; d++)
                g1_add_var(&jac[w][d], &jac[w][d - 1], &base);
            g1_dbl(&base, &jac[w][8]); /* 16 * base */
        }
        g1_batch_to_affine(t->t[w0], jac[0], GROUP * 16, scratch);
    }
#if FQ_IFMA
    for (int s = 0; s < G1_FIXED_WINDOWS / 8; s++)
        for (int d = 1; d <= 8; d++)
            for (int l = 0; l < 8; l++) {
                const g1_affine *e = &t->t[8 * s + l][d];
                const fq *c[2] = {&e->x, &e->y};
                for (int i = 0; i < 2; i++) {
                    const uint64_t *v = c[i]->v, m = FQ8_MASK;
                    uint64_t(*o)[8] = t->lanes[s][d - 1][i];
                    o[0][l] = v[0] & m;
                    o[1][l] = (v[0] >> 52 | v[1] << 12) & m;
                    o[2][l] = (v[1] >> 40 | v[2] << 24) & m;
                    o[3][l] = (v[2] >> 28 | v[3] << 36) & m;
                    o[4][l] = v[3] >> 16;
                }
            }
#endif
}

void g1_fixed_mul(g1_jac *out, const g1_fixed_table *t, const fr *k)
{
    uint64_t x[4];
    fr_to_limbs(x, k);
    g1_jac acc;
    g1_set_infinity(&acc);
    for (int w = 0; w < G1_FIXED_WINDOWS; w++) {
        const uint64_t d = (x[w / 16] >> (4 * (w % 16))) & 15;
        /* the entry for d, read by masks over all 16 */
        uint64_t sel[8] = {0};
        for (uint64_t j = 0; j < 16; j++) {
            const uint64_t mask = (uint64_t)0 - (uint64_t)(j == d);
            uint64_t v[8];
            memcpy(v, &t->t[w][j], sizeof v);
            for (int i = 0; i < 8; i++)
                sel[i] |= v[i] & mask;
        }
        g1_affine e;
        memcpy(&e, sel, sizeof e);
        /* acc = (k mod 16^w) P and e = d 16^w P with k mod 16^w < 16^w <= d
         * 16^w and k < r: acc = e only if both are infinity (handled), so
         * the doubling case never arises */
        g1_add_mixed_distinct(&acc, &acc, &e);
    }
    *out = acc;
    memset(x, 0, sizeof x);
}

#if FQ_IFMA
/* ---- g1_fixed_lin in eight lanes (FQ_IFMA) ---------------------------------
 *
 * The lanes' sums are in homogeneous projective coordinates (X/Z, Y/Z),
 * infinity (0, 1, 0), added by the complete formulas of Renes, Costello and
 * Batina (eprint 2015/1060, for a = 0: algorithm 8, mixed, 11M; algorithm 7,
 * 12M), as g1.c's g1_mul.  A lane's sum may then be infinity (before its
 * first non-zero digit) or equal the entry it adds, which happens when a
 * table appears twice in t (k P + k P meets the same window terms twice) or
 * the bases are otherwise related: complete formulas are right for any
 * bases, with no case to select.  madd-2007-bl (7M + 4S, g1.c's
 * add_mixed_core) costs about as much (a square is 0.9 of a product here)
 * but is not complete.
 * The formulas end in three sums of two products, each taken with one
 * reduction (fq8_mul2), which saves 3 of the 11 reductions of a step.
 * Every fq8 value stays below 2p (fq.h's bounds): table entries are below
 * p, sums and differences are reduced by fq8_addr and fq8_subr, fq8_mul2's
 * results by one fq8_csub. */
typedef struct {
    fq8 x, y, z;
} p8;

/* o = 9 a (3b, for b = 3) */
FQ8_INLINE void fq8_mul9(fq8 *o, const fq8 *a)
{
    fq8 t;
    fq8_addr(&t, a, a);
    fq8_addr(&t, &t, &t);
    fq8_addr(&t, &t, &t);
    fq8_addr(o, &t, a);
}

/* The last lines of algorithms 7 and 8: X3 = t3 t1 - t4 y3 (as t3 t1 +
 * t4 (2p - y3)), Y3 = t1 z3 + y3 t0, Z3 = z3 t4 + t0 t3. */
FQ8_INLINE void p8_finish(p8 *o, const fq8 *t0, const fq8 *t1, const fq8 *t3, const fq8 *t4,
                          const fq8 *y3, const fq8 *z3)
{
    fq8 zero, ny3;
    FQ8_UNROLL
    for (int j = 0; j < 5; j++)
        zero.l[j] = _mm512_setzero_si512();
    fq8_sub(&ny3, &zero, y3, FQ8_2P);
    fq8_mul2(&o->x, t3, t1, t4, &ny3);
    fq8_csub(&o->x, FQ8_2P);
    fq8_mul2(&o->y, t1, z3, y3, t0);
    fq8_csub(&o->y, FQ8_2P);
    fq8_mul2(&o->z, z3, t4, t0, t3);
    fq8_csub(&o->z, FQ8_2P);
}

/* o = a + (x2, y2), an affine point other than infinity (algorithm 8) */
FQ8_INLINE void p8_add_mixed(p8 *o, const p8 *a, const fq8 *x2, const fq8 *y2)
{
    fq8 t0, t1, t2, t3, t4, x3, y3, z3;
    fq8_mul(&t0, &a->x, x2);
    fq8_mul(&t1, &a->y, y2);
    fq8_addr(&t3, x2, y2);
    fq8_addr(&t4, &a->x, &a->y);
    fq8_mul(&t3, &t3, &t4);
    fq8_addr(&t4, &t0, &t1);
    fq8_subr(&t3, &t3, &t4); /* X1 Y2 + X2 Y1 */
    fq8_mul(&t4, y2, &a->z);
    fq8_addr(&t4, &t4, &a->y); /* Y1 + Y2 Z1 */
    fq8_mul(&y3, x2, &a->z);
    fq8_addr(&y3, &y3, &a->x); /* X1 + X2 Z1 */
    fq8_addr(&x3, &t0, &t0);
    fq8_addr(&t0, &x3, &t0);
    fq8_mul9(&t2, &a->z);
    fq8_addr(&z3, &t1, &t2);
    fq8_subr(&t1, &t1, &t2);
    fq8_mul9(&y3, &y3);
    p8_finish(o, &t0, &t1, &t3, &t4, &y3, &z3);
}

/* o = a + b (algorithm 7) */
static void p8_add(p8 *o, const p8 *a, const p8 *b)
{
    fq8 t0, t1, t2, t3, t4, x3, y3, z3;
    fq8_mul(&t0, &a->x, &b->x);
    fq8_mul(&t1, &a->y, &b->y);
    fq8_mul(&t2, &a->z, &b->z);
    fq8_addr(&t3, &a->x, &a->y);
    fq8_addr(&t4, &b->x, &b->y);
    fq8_mul(&t3, &t3, &t4);
    fq8_addr(&t4, &t0, &t1);
    fq8_subr(&t3, &t3, &t4);
    fq8_addr(&t4, &a->y, &a->z);
    fq8_addr(&x3, &b->y, &b->z);
    fq8_mul(&t4, &t4, &x3);
    fq8_addr(&x3, &t1, &t2);
    fq8_subr(&t4, &t4, &x3);
    fq8_addr(&x3, &a->x, &a->z);
    fq8_addr(&y3, &b->x, &b->z);
    fq8_mul(&x3, &x3, &y3);
    fq8_addr(&y3, &t0, &t2);
    fq8_subr(&y3, &x3, &y3);
    fq8_addr(&x3, &t0, &t0);
    fq8_addr(&t0, &x3, &t0);
    fq8_mul9(&t2, &t2);
    fq8_addr(&z3, &t1, &t2);
    fq8_subr(&t1, &t1, &t2);
    fq8_mul9(&y3, &y3);
    p8_finish(o, &t0, &t1, &t3, &t4, &y3, &z3);
}

/* k (< r < 2^254) as 64 signed digits in [-7, 8], k = sum_w d[w] 16^w: a
 * nibble plus the carry in above 8 becomes itself - 16 with a carry out.
 * The top nibble is at most 3, so no carry leaves it. */
static void signed_digits(int8_t d[G1_FIXED_WINDOWS], const fr *k)
{
    uint64_t x[4];
    fr_to_limbs(x, k);
    uint32_t carry = 0;
    for (int w = 0; w < G1_FIXED_WINDOWS; w++) {
        const uint32_t v = (uint32_t)(x[w / 16] >> (4 * (w % 16)) & 15) + carry;
        carry = (v + 7) >> 4;
        d[w] = (int8_t)((int32_t)v - (int32_t)(carry << 4));
    }
    sodium_memzero(x, sizeof x);
}

/* (x, y) = in lane l, the entry for the digit d_l (lane l of d) of window
 * 8s + l: every entry of the step read and the lane's kept by a mask, the
 * negation chosen by one; lanes with d_l = 0 get entry 1 (unused) */
FQ8_INLINE void fixed_select(fq8 *x, fq8 *y, const g1_fixed_table *t, int s, __m512i d)
{
    const __m512i a = _mm512_abs_epi64(d);
    const uint64_t(*e)[2][5][8] = t->lanes[s];
    FQ8_UNROLL
    for (int j = 0; j < 5; j++) {
        x->l[j] = _mm512_loadu_si512(e[0][0][j]);
        y->l[j] = _mm512_loadu_si512(e[0][1][j]);
    }
    for (int v = 2; v <= 8; v++) {
        const __mmask8 m = _mm512_cmpeq_epi64_mask(a, fq8_bc((uint64_t)v));
        FQ8_UNROLL
        for (int j = 0; j < 5; j++) {
            x->l[j] = _mm512_mask_mov_epi64(x->l[j], m, _mm512_loadu_si512(e[v - 1][0][j]));
            y->l[j] = _mm512_mask_mov_epi64(y->l[j], m, _mm512_loadu_si512(e[v - 1][1][j]));
        }
    }
    fq8 zero, neg;
    FQ8_UNROLL
    for (int j = 0; j < 5; j++)
        zero.l[j] = _mm512_setzero_si512();
    fq8_sub(&neg, &zero, y, FQ8_P); /* p - y, y below p */
    fq8_blend(y, _mm512_cmplt_epi64_mask(d, _mm512_setzero_si512()), &neg);
}

void g1_fixed_lin(g1_jac *out, const g1_fixed_table *const *t, const fr *k, size_t n)
{
    fq one, x, y, z, zz;
    fq_set_one(&one);
    p8 acc;
    FQ8_UNROLL
    for (int j = 0; j < 5; j++)
        acc.x.l[j] = acc.z.l[j] = _mm512_setzero_si512();
    fq8_set1(&acc.y, &one);
    int8_t d[G1_FIXED_WINDOWS];
    for (size_t i = 0; i < n; i++) {
        signed_digits(d, &k[i]);
        for (int s = 0; s < G1_FIXED_WINDOWS / 8; s++) {
            const __m512i dv = _mm512_cvtepi8_epi64(_mm_loadl_epi64((const __m128i *)(d + 8 * s)));
            fq8 ex, ey;
            p8 sum;
            fixed_select(&ex, &ey, t[i], s, dv);
            p8_add_mixed(&sum, &acc, &ex, &ey);
            const __mmask8 live = _mm512_test_epi64_mask(dv, dv); /* digit 0: unchanged */
            fq8_blend(&acc.x, live, &sum.x);
            fq8_blend(&acc.y, live, &sum.y);
            fq8_blend(&acc.z, live, &sum.z);
        }
    }
    sodium_memzero(d, sizeof d);
    /* lane l += lane l + h for h = 4, 2, 1: the total in lane 0 */
    for (int h = 4; h >= 1; h /= 2) {
        const __m512i idx = _mm512_setr_epi64(h, h + 1, h + 2, h + 3, h + 4, h + 5, h + 6, h + 7);
        p8 b;
        FQ8_UNROLL
        for (int j = 0; j < 5; j++) { /* lanes past 7 wrap: their sums are unused */
            b.x.l[j] = _mm512_permutexvar_epi64(idx, acc.x.l[j]);
            b.y.l[j] = _mm512_permutexvar_epi64(idx, acc.y.l[j]);
            b.z.l[j] = _mm512_permutexvar_epi64(idx, acc.z.l[j]);
        }
        p8_add(&acc, &acc, &b);
    }
    fq8_lane_get(&x, &acc.x, 0);
    fq8_lane_get(&y, &acc.y, 0);
    fq8_lane_get(&z, &acc.z, 0);
    /* (X/Z, Y/Z) is (XZ / Z^2, Y Z^2 / Z^3); infinity as g1_set_infinity's */
    fq_sqr(&zz, &z);
    fq_mul(&out->x, &x, &z);
    fq_mul(&out->y, &y, &zz);
    out->z = z;
    const uint64_t inf = 0 - (uint64_t)fq_is_zero(&z);
    for (int i = 0; i < 4; i++) {
        out->x.v[i] ^= (out->x.v[i] ^ one.v[i]) & inf;
        out->y.v[i] ^= (out->y.v[i] ^ one.v[i]) & inf;
    }
}
#else
void g1_fixed_lin(g1_jac *out, const g1_fixed_table *const *t, const fr *k, size_t n)
{
    g1_jac acc, term;
    g1_set_infinity(&acc);
    for (size_t i = 0; i < n; i++) {
        g1_fixed_mul(&term, t[i], &k[i]);
        g1_add(&acc, &acc, &term);
    }
    *out = acc;
}
#endif
