#include "sumcheck.h"

#include "mle.h"

#include <stdlib.h>
#include <string.h>

unsigned sc_degree(const sc_poly *p)
{
    unsigned d = 1;
    for (unsigned t = 0; t < p->n_terms; t++) {
        unsigned len = p->term_start[t + 1] - p->term_start[t];
        if (len > d)
            d = len;
    }
    return d;
}

/* deninv[i] = 1 / prod_{j != i} (i - j) for the nodes 0..d: the Lagrange
 * denominators, which depend only on d. */
static void lagrange_den_inv(fr *deninv, unsigned d)
{
    fr den[SC_MAX_DEGREE + 1], scratch[SC_MAX_DEGREE + 1], f;
    for (unsigned i = 0; i <= d; i++) {
        fr_set_one(&den[i]);
        for (unsigned j = 0; j <= d; j++) {
            if (j == i)
                continue;
            fr_set_i64(&f, (int64_t)i - (int64_t)j);
            fr_mul(&den[i], &den[i], &f);
        }
    }
    fr_batch_inv_var(deninv, den, d + 1, scratch);
}

/* Lagrange on nodes 0..d: w_i = prod_{j != i} (x - j) * deninv[i], with the
 * numerators from prefix and suffix products (no division by x - j). */
static void interpolate_with(fr *out, const fr *vals, unsigned d, const fr *x, const fr *deninv)
{
    fr diff[SC_MAX_DEGREE + 1], pre[SC_MAX_DEGREE + 2], suf[SC_MAX_DEGREE + 2];
    for (unsigned j = 0; j <= d; j++) {
        fr fj;
        fr_set_u64(&fj, j);
        fr_sub(&diff[j], x, &fj);
    }
    fr_set_one(&pre[0]);
    for (unsigned j = 0; j <= d; j++)
        fr_mul(&pre[j + 1], &pre[j], &diff[j]);
    fr_set_one(&suf[d + 1]);
    for (unsigned j = d + 1; j-- > 0;)
        fr_mul(&suf[j], &suf[j + 1], &diff[j]);
    fr sum, t;
    fr_set_zero(&sum);
    for (unsigned i = 0; i <= d; i++) {
        fr_mul(&t, &pre[i], &suf[i + 1]);
        fr_mul(&t, &t, &deninv[i]);
        fr_mul(&t, &t, &vals[i]);
        fr_add(&sum, &sum, &t);
    }
    *out = sum;
}

void sc_interpolate(fr *out, const fr *vals, unsigned d, const fr *x)
{
    fr deninv[SC_MAX_DEGREE + 1];
    lagrange_den_inv(deninv, d);
    interpolate_with(out, vals, d, x, deninv);
}

/* --- fast paths ---------------------------------------------------------
 * The shapes that carry almost all of the work get their own loops:
 *   SC_AB_C:  A*B + C     (generic layers, both phases)
 *   SC_ABC:   c * A*B*C   (element-wise products weighted by W)
 *   SC_AB:    c * A*B     (a linear combination weighted by W)
 * Each round folds the previous challenge into the tables in the same pass
 * that computes the round's values, so every table is read once per round.
 * They send exactly what the generic loop sends. */
typedef enum { SC_GENERIC, SC_AB_C, SC_ABC, SC_AB } sc_shape;

static sc_shape shape_of(const sc_poly *p)
{
    const unsigned *s = p->term_start, *f = p->factors;
    if (p->n_tables == 3 && p->n_terms == 2 && !p->coef && s[0] == 0 && s[1] == 2 &&
        s[2] == 3 && f[0] == 0 && f[1] == 1 && f[2] == 2)
        return SC_AB_C;
    if (p->n_tables == 3 && p->n_terms == 1 && s[0] == 0 && s[1] == 3 && f[0] == 0 &&
        f[1] == 1 && f[2] == 2)
        return SC_ABC;
    if (p->n_tables == 2 && p->n_terms == 1 && s[0] == 0 && s[1] == 2 && f[0] == 0 && f[1] == 1)
        return SC_AB;
    return SC_GENERIC;
}

/* Load the pair (x0, x1) of entries 2i, 2i+1 of T's current round; when
 * fold is set, first bind the previous challenge r: the pair comes from
 * entries 4i..4i+3 of the previous round's table and is stored back. */
static inline void pair_at(fr *T, size_t i, int fold, const fr *r, fr *x0, fr *x1)
{
    if (fold) {
        fr d;
        fr_sub(&d, &T[4 * i + 1], &T[4 * i]);
        fr_mul(&d, &d, r);
        fr_add(x0, &T[4 * i], &d);
        fr_sub(&d, &T[4 * i + 3], &T[4 * i + 2]);
        fr_mul(&d, &d, r);
        fr_add(x1, &T[4 * i + 2], &d);
        T[2 * i] = *x0;
        T[2 * i + 1] = *x1;
    } else {
        *x0 = T[2 * i];
        *x1 = T[2 * i + 1];
    }
}

/* value at 2 of the line through (0, x0), (1, x1) */
static inline void at_two(fr *out, const fr *x0, const fr *x1)
{
    fr d;
    fr_sub(&d, x1, x0);
    fr_add(out, x1, &d);
}

static zkm_status sc_prove_fast(sc_poly *p, sc_shape shape, unsigned nvars, transcript *t,
                                fr_vec *out, fr *r, zkm_err *e)
{
    fr *A = p->tables[0], *B = p->tables[1], *C = shape == SC_AB ? NULL : p->tables[2];
    size_t len = (size_t)1 << nvars;
    for (unsigned k = 0; k < nvars; k++, len /= 2) {
        const size_t half = len / 2;
        const int fold = k > 0;
        const fr *rp = fold ? &r[k - 1] : NULL;
        fr msg[3];
        if (shape != SC_ABC) { /* A*B, plus C for SC_AB_C */
            fr s0, s2, c0, c1;
            fr_set_zero(&s0);
            fr_set_zero(&s2);
            fr_set_zero(&c0);
            fr_set_zero(&c1);
            for (size_t i = 0; i < half; i++) {
                fr a0, a1, b0, b1, a2, b2, m;
                pair_at(A, i, fold, rp, &a0, &a1);
                pair_at(B, i, fold, rp, &b0, &b1);
                fr_mul(&m, &a0, &b0);
                fr_add(&s0, &s0, &m);
                at_two(&a2, &a0, &a1);
                at_two(&b2, &b0, &b1);
                fr_mul(&m, &a2, &b2);
                fr_add(&s2, &s2, &m);
                if (C) {
                    fr x0, x1;
                    pair_at(C, i, fold, rp, &x0, &x1);
                    fr_add(&c0, &c0, &x0);
                    fr_add(&c1, &c1, &x1);
                }
            }
            /* the linear term at 2 is 2 C(1) - C(0), summed once */
            fr c2;
            fr_dbl(&c2, &c1);
            fr_sub(&c2, &c2, &c0);
            fr_add(&msg[0], &s0, &c0);
            fr_add(&msg[1], &s2, &c2);
        } else {
            fr s0, s2, s3;
            fr_set_zero(&s0);
            fr_set_zero(&s2);
            fr_set_zero(&s3);
            for (size_t i = 0; i < half; i++) {
                fr a0, a1, b0, b1, c0, c1, da, db, dc, a, b, c, m;
                pair_at(A, i, fold, rp, &a0, &a1);
                pair_at(B, i, fold, rp, &b0, &b1);
                pair_at(C, i, fold, rp, &c0, &c1);
                fr_mul(&m, &a0, &b0);
                fr_mul(&m, &m, &c0);
                fr_add(&s0, &s0, &m);
                fr_sub(&da, &a1, &a0);
                fr_sub(&db, &b1, &b0);
                fr_sub(&dc, &c1, &c0);
                fr_add(&a, &a1, &da);
                fr_add(&b, &b1, &db);
                fr_add(&c, &c1, &dc);
                fr_mul(&m, &a, &b);
                fr_mul(&m, &m, &c);
                fr_add(&s2, &s2, &m);
                fr_add(&a, &a, &da);
                fr_add(&b, &b, &db);
                fr_add(&c, &c, &dc);
                fr_mul(&m, &a, &b);
                fr_mul(&m, &m, &c);
                fr_add(&s3, &s3, &m);
            }
            msg[0] = s0;
            msg[1] = s2;
            msg[2] = s3;
        }
        const unsigned d = shape == SC_ABC ? 3 : 2;
        for (unsigned x = 0; p->coef && x < d; x++) /* SC_AB_C has none */
            fr_mul(&msg[x], &msg[x], p->coef);
        zkm_status st = fr_vec_push(out, msg, d, e);
        if (st)
            return st;
        tr_absorb_frs(t, "sc/round", msg, d);
        tr_challenge(t, "sc/r", &r[k]);
    }
    /* bind the last challenge: two entries left per table */
    for (unsigned j = 0; j < (shape == SC_AB ? 2u : 3u); j++)
        mle_fold(p->tables[j], 2, &r[nvars - 1]);
    return ZKM_OK;
}

zkm_status sc_prove(sc_poly *p, unsigned nvars, transcript *t, fr_vec *out, fr *r,
                    zkm_err *e)
{
    /* a polynomial without terms is sent as degree 1, all zero */
    const unsigned d = sc_degree(p);
    if (d > SC_MAX_DEGREE)
        return zkm_fail(e, ZKM_EINVAL, "sum-check degree %u above %u", d, SC_MAX_DEGREE);
    if (nvars == 0)
        return ZKM_OK;
    const sc_shape shape = shape_of(p);
    if (shape != SC_GENERIC)
        return sc_prove_fast(p, shape, nvars, t, out, r, e);
    const unsigned np = d + 1; /* evaluation points 0..d */
    fr *ev = malloc(sizeof(fr) * (p->n_tables + 1) * np);
    fr *acc = malloc(sizeof(fr) * (p->n_terms + 1) * np);
    if (!ev || !acc) {
        free(ev);
        free(acc);
        return zkm_fail(e, ZKM_ENOMEM, "out of memory in sum-check");
    }
    zkm_status st = ZKM_OK;
    size_t len = (size_t)1 << nvars;
    for (unsigned k = 0; k < nvars; k++, len /= 2) {
        const size_t half = len / 2;
        memset(acc, 0, sizeof(fr) * p->n_terms * np);
        for (size_t i = 0; i < half; i++) {
            for (unsigned j = 0; j < p->n_tables; j++) {
                const fr *T = p->tables[j];
                fr *ej = ev + j * np, diff;
                ej[0] = T[2 * i];
                ej[1] = T[2 * i + 1];
                fr_sub(&diff, &ej[1], &ej[0]);
                for (unsigned x = 2; x <= d; x++)
                    fr_add(&ej[x], &ej[x - 1], &diff);
            }
            for (unsigned tm = 0; tm < p->n_terms; tm++) {
                const unsigned *f = p->factors + p->term_start[tm];
                const unsigned len_t = p->term_start[tm + 1] - p->term_start[tm];
                fr *at = acc + tm * np;
                for (unsigned x = 0; x <= d; x++) {
                    if (x == 1)
                        continue;
                    fr prod = ev[f[0] * np + x];
                    for (unsigned q = 1; q < len_t; q++)
                        fr_mul(&prod, &prod, &ev[f[q] * np + x]);
                    fr_add(&at[x], &at[x], &prod);
                }
            }
        }
        /* message: sum_t coef_t * acc_t at 0, 2..d */
        fr msg[SC_MAX_DEGREE];
        unsigned m = 0;
        for (unsigned x = 0; x <= d; x++) {
            if (x == 1)
                continue;
            fr s, c;
            fr_set_zero(&s);
            for (unsigned tm = 0; tm < p->n_terms; tm++) {
                if (p->coef) {
                    fr_mul(&c, &acc[tm * np + x], &p->coef[tm]);
                    fr_add(&s, &s, &c);
                } else {
                    fr_add(&s, &s, &acc[tm * np + x]);
                }
            }
            msg[m++] = s;
        }
        st = fr_vec_push(out, msg, d, e);
        if (st)
            break;
        tr_absorb_frs(t, "sc/round", msg, d);
        tr_challenge(t, "sc/r", &r[k]);
        for (unsigned j = 0; j < p->n_tables; j++)
            mle_fold(p->tables[j], len, &r[k]);
    }
    free(ev);
    free(acc);
    return st;
}

zkm_status sc_verify(unsigned nvars, unsigned degree, fr *claim, transcript *t,
                     fr_cursor *in, fr *r, zkm_err *e)
{
    if (degree > SC_MAX_DEGREE || degree == 0)
        return zkm_fail(e, ZKM_EINVAL, "sum-check degree %u out of range", degree);
    fr deninv[SC_MAX_DEGREE + 1];
    lagrange_den_inv(deninv, degree);
    for (unsigned k = 0; k < nvars; k++) {
        const fr *msg;
        if (!fr_cursor_take(in, degree, &msg))
            return zkm_fail(e, ZKM_EREJECT, "proof ends inside sum-check round %u", k);
        fr vals[SC_MAX_DEGREE + 1];
        vals[0] = msg[0];
        fr_sub(&vals[1], claim, &msg[0]);
        for (unsigned x = 2; x <= degree; x++)
            vals[x] = msg[x - 1];
        tr_absorb_frs(t, "sc/round", msg, degree);
        tr_challenge(t, "sc/r", &r[k]);
        interpolate_with(claim, vals, degree, &r[k], deninv);
    }
    return ZKM_OK;
}
