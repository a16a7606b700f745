#include "mle.h"

#include <string.h>

void mle_eq_eval(fr *out, const fr *a, const fr *b, unsigned n)
{
    fr acc, ab, t, one;
    fr_set_one(&one);
    fr_set_one(&acc);
    for (unsigned i = 0; i < n; i++) {
        /* a b + (1-a)(1-b) = 1 - a - b + 2ab */
        fr_mul(&ab, &a[i], &b[i]);
        fr_dbl(&ab, &ab);
        fr_add(&t, &a[i], &b[i]);
        fr_sub(&t, &ab, &t);
        fr_add(&t, &t, &one);
        fr_mul(&acc, &acc, &t);
    }
    *out = acc;
}

/* A point whose top coordinates are 0 or 1 (a claim on a block of a
 * layer): returns the count L of coordinates below them and sets *block to
 * their bits, so eq(z, .) is eq(z[0..L), .) on block *block and 0 elsewhere. */
static unsigned bool_top(const fr *z, unsigned n, size_t *block)
{
    fr one;
    fr_set_one(&one);
    unsigned L = n;
    *block = 0;
    while (L > 0 && (fr_is_zero(&z[L - 1]) || fr_eq(&z[L - 1], &one))) {
        L--;
        *block = *block << 1 | (size_t)fr_eq(&z[L], &one);
    }
    return L;
}

/* out[b] = scale * eq(z, bits(b)) for b < 2^n, 2^n multiplies. */
static void eq_table_full(fr *out, const fr *z, unsigned n, const fr *scale)
{
    if (scale)
        out[0] = *scale;
    else
        fr_set_one(&out[0]);
    /* After step i the first 2^(i+1) entries hold scale * eq(z, .) over
     * x_0..x_i: an entry with bit i set is prev * z_i, with bit i clear
     * prev * (1 - z_i) = prev - prev * z_i, one multiply per new entry. */
    for (unsigned i = 0; i < n; i++) {
        size_t half = (size_t)1 << i;
        for (size_t j = 0; j < half; j++) {
            fr hi;
            fr_mul(&hi, &out[j], &z[i]);
            fr_sub(&out[j], &out[j], &hi);
            out[j + half] = hi;
        }
    }
}

void mle_eq_table(fr *out, const fr *z, unsigned n, const fr *scale)
{
    size_t block;
    const unsigned L = bool_top(z, n, &block);
    if (L < n)
        memset(out, 0, ((size_t)1 << n) * sizeof(fr));
    eq_table_full(out + (block << L), z, L, scale);
}

void mle_eq_table_add(fr *out, const fr *z, unsigned n, const fr *scale, fr *scratch)
{
    size_t block;
    const unsigned L = bool_top(z, n, &block);
    const size_t len = (size_t)1 << L;
    eq_table_full(scratch, z, L, scale);
    out += block << L;
    for (size_t i = 0; i < len; i++)
        fr_add(&out[i], &out[i], &scratch[i]);
}

void mle_fold(fr *table, size_t len, const fr *r)
{
    size_t half = len / 2;
    for (size_t i = 0; i < half; i++) {
        fr d;
        fr_sub(&d, &table[2 * i + 1], &table[2 * i]);
        fr_mul(&d, &d, r);
        fr_add(&table[i], &table[2 * i], &d);
    }
}

void mle_eval(fr *out, const fr *table, unsigned n, const fr *point, fr *scratch)
{
    if (n == 0) {
        *out = table[0];
        return;
    }
    /* first fold reads the table, writes scratch */
    size_t half = (size_t)1 << (n - 1);
    for (size_t i = 0; i < half; i++) {
        fr d;
        fr_sub(&d, &table[2 * i + 1], &table[2 * i]);
        fr_mul(&d, &d, &point[0]);
        fr_add(&scratch[i], &table[2 * i], &d);
    }
    for (unsigned k = 1; k < n; k++) {
        mle_fold(scratch, half, &point[k]);
        half /= 2;
    }
    *out = scratch[0];
}

/* y += c * x for one entry x: no multiply when x is 0 or 1, nor when
 * sign = +-1 says c is 1 or -1 (sign = 0: another c). */
static inline void axpy1(fr *y, const fr *c, const fr *x, int sign)
{
    fr one, m;
    fr_set_one(&one);
    if (fr_is_zero(x))
        return;
    if (fr_eq(x, &one)) {
        fr_add(y, y, c);
    } else if (sign > 0) {
        fr_add(y, y, x);
    } else if (sign < 0) {
        fr_sub(y, y, x);
    } else {
        fr_mul(&m, c, x);
        fr_add(y, y, &m);
    }
}

void mle_eval_split(fr *out, const fr *table, unsigned n, unsigned nl, const fr *lo,
                    const fr *hi)
{
    const size_t nlo = (size_t)1 << nl, nhi = (size_t)1 << (n - nl);
    fr acc, s;
    fr_set_zero(&acc);
    for (size_t h = 0; h < nhi; h++) {
        const fr *row = table + h * nlo;
        fr_set_zero(&s);
        for (size_t l = 0; l < nlo; l++)
            axpy1(&s, &lo[l], &row[l], 0);
        fr_mul(&s, &s, &hi[h]);
        fr_add(&acc, &acc, &s);
    }
    *out = acc;
}

int mle_bits(const fr *x, size_t n, uint64_t *words)
{
    fr one;
    fr_set_one(&one);
    memset(words, 0, ((n + 63) / 64) * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++) {
        if (fr_eq(&x[i], &one))
            words[i >> 6] |= (uint64_t)1 << (i & 63);
        else if (!fr_is_zero(&x[i]))
            return 0;
    }
    return 1;
}

void mle_axpy(fr *y, const fr *c, const fr *x, size_t len)
{
    fr one, minus_one;
    fr_set_one(&one);
    fr_neg(&minus_one, &one);
    const int sign = fr_eq(c, &one) ? 1 : fr_eq(c, &minus_one) ? -1 : 0;
    for (size_t i = 0; i < len; i++)
        axpy1(&y[i], c, &x[i], sign);
}

void mle_dot(fr *out, const fr *table, const fr *weights, size_t len)
{
    fr acc, t;
    fr_set_zero(&acc);
    for (size_t i = 0; i < len; i++) {
        fr_mul(&t, &table[i], &weights[i]);
        fr_add(&acc, &acc, &t);
    }
    *out = acc;
}

void mle_shift_eval(fr *out, const fr *z, const fr *r, unsigned n, uint64_t c)
{
    /* w[carry]: weight of the low bits processed so far ending with that
     * carry into the next bit; bit i contributes eq1(z_i, q_i) eq1(r_i, q'_i)
     * with q'_i = (q_i + c_i + carry) mod 2, eq1(a, 1) = a, eq1(a, 0) = 1 - a */
    fr w[2], one;
    fr_set_one(&one);
    fr_set_one(&w[0]);
    fr_set_zero(&w[1]);
    if (n < 64 && (c >> n) != 0) { /* q + c always overflows */
        fr_set_zero(out);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        const unsigned ci = i < 64 ? (unsigned)((c >> i) & 1) : 0;
        fr zq[2], rq[2], nw[2], t;
        fr_sub(&zq[0], &one, &z[i]);
        zq[1] = z[i];
        fr_sub(&rq[0], &one, &r[i]);
        rq[1] = r[i];
        fr_set_zero(&nw[0]);
        fr_set_zero(&nw[1]);
        for (unsigned cin = 0; cin < 2; cin++)
            for (unsigned qi = 0; qi < 2; qi++) {
                const unsigned sum = qi + ci + cin;
                fr_mul(&t, &zq[qi], &rq[sum & 1]);
                fr_mul(&t, &t, &w[cin]);
                fr_add(&nw[sum >> 1], &nw[sum >> 1], &t);
            }
        w[0] = nw[0];
        w[1] = nw[1];
    }
    *out = w[0];
}
