#include "mle.h"

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

void mle_eq_table(fr *out, const fr *z, unsigned n, const fr *scale)
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

void mle_eq_table_add(fr *out, const fr *z, unsigned n, const fr *scale, fr *scratch)
{
    size_t len = (size_t)1 << n;
    mle_eq_table(scratch, z, n, scale);
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
