/* Public-scalar and fixed-base multiplication (g1_mul.h). */
#include "g1_mul.h"

#include <string.h>

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
