/* Dense multilinear tables.
 *
 * A table of 2^n field elements is the multilinear extension
 *   f(x_0, ..., x_{n-1}) = sum_b  table[b] * eq(x, bits(b))
 * where variable x_i is bit i of the index (x_0 the least significant).
 * Folding binds x_0 first, so sum-check challenges come out in the order
 * r_0, r_1, ... matching the point's coordinates. */
#ifndef ZKM_MLE_H
#define ZKM_MLE_H

#include <stddef.h>
#include <stdint.h>

#include "fr.h"

/* eq(a, b) = prod_i (a_i b_i + (1 - a_i)(1 - b_i)) over n coordinates. */
void mle_eq_eval(fr *out, const fr *a, const fr *b, unsigned n);

/* out[b] = scale * eq(z, bits(b)) for all b < 2^n, using 2^n multiplies,
 * or 2^L when the coordinates of z past the first L are all 0 or 1 (a
 * claim on a block: the table is zero outside it).  scale == NULL means 1. */
void mle_eq_table(fr *out, const fr *z, unsigned n, const fr *scale);

/* out[b] += scale * eq(z, bits(b)); scratch holds 2^n elements (costs as
 * mle_eq_table). */
void mle_eq_table_add(fr *out, const fr *z, unsigned n, const fr *scale, fr *scratch);

/* Bind x_0 := r in place: table[i] = table[2i] + r (table[2i+1] - table[2i])
 * for i < len/2.  len is the current length (even). */
void mle_fold(fr *table, size_t len, const fr *r);

/* out = f(point) for the table of 2^n entries; scratch holds 2^(n-1)
 * elements (none for n == 0).  The table is not modified. */
void mle_eval(fr *out, const fr *table, unsigned n, const fr *point, fr *scratch);

/* out = f(point) for the table of 2^n entries from the eq tables of the
 * point's halves, built by the caller so tables evaluated at one point share
 * them: lo = eq(point[0..nl), .) (2^nl entries), hi = eq(point[nl..n), .)
 * (2^(n-nl)).  2^(n-nl) multiplies plus one per entry other than 0 and 1:
 * none per entry for a table of bits. */
void mle_eval_split(fr *out, const fr *table, unsigned n, unsigned nl, const fr *lo,
                    const fr *hi);

/* The multilinear extension of the shift-by-c predicate on n-bit indices,
 *   S_c(z, r) = sum over q, q' in {0,1}^n with q' = q + c (no overflow past
 *               2^n) of eq(z, q) eq(r, q'),
 * in O(n) by running the carry of q + c bit by bit. */
void mle_shift_eval(fr *out, const fr *z, const fr *r, unsigned n, uint64_t c);

/* words[i / 64] bit i % 64 = (x[i] == 1) for i < n, packed; returns 1 if
 * every entry is 0 or 1, else 0 (words then partly written). */
int mle_bits(const fr *x, size_t n, uint64_t *words);

/* y[i] += c * x[i] for i < len; entries of x equal to 0 or 1 cost no
 * multiply (tables of bits, and public tables padded with zeros). */
void mle_axpy(fr *y, const fr *c, const fr *x, size_t len);

/* out = sum_b table[b] * weights[b] over len entries. */
void mle_dot(fr *out, const fr *table, const fr *weights, size_t len);

#endif
