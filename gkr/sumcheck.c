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

/* The Lagrange basis on nodes 0..d at x: L[i] = prod_{j != i} (x - j) *
 * deninv[i], the numerators from prefix and suffix products (no division
 * by x - j). */
static void lagrange_basis(fr *L, unsigned d, const fr *x, const fr *deninv)
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
    for (unsigned i = 0; i <= d; i++) {
        fr_mul(&L[i], &pre[i], &suf[i + 1]);
        fr_mul(&L[i], &L[i], &deninv[i]);
    }
}

/* The polynomial with values vals at 0..d, at x. */
static void interpolate_with(fr *out, const fr *vals, unsigned d, const fr *x, const fr *deninv)
{
    fr L[SC_MAX_DEGREE + 1], sum, t;
    lagrange_basis(L, d, x, deninv);
    fr_set_zero(&sum);
    for (unsigned i = 0; i <= d; i++) {
        fr_mul(&t, &L[i], &vals[i]);
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

/* v[x] for x = 2 .. np-1 on the line through (0, v[0]) and (1, v[1]). */
static inline void line_values(fr *v, unsigned np)
{
    if (np <= 2)
        return;
    fr diff;
    fr_sub(&diff, &v[1], &v[0]);
    for (unsigned x = 2; x < np; x++)
        fr_add(&v[x], &v[x - 1], &diff);
}

/* value at 2 of the line through (0, x0), (1, x1) */
static inline void at_two(fr *out, const fr *x0, const fr *x1)
{
    fr d;
    fr_sub(&d, x1, x0);
    fr_add(out, x1, &d);
}

static zkm_status sc_prove_fast(sc_poly *p, sc_shape shape, unsigned nvars, zk_chan *ch,
                                fr *r, zkm_err *e)
{
    fr *A = p->tables[0], *B = p->tables[1], *C = shape == SC_AB ? NULL : p->tables[2];
    size_t len = (size_t)1 << nvars;
    zk_mask mask;
    zkm_status st = zk_chan_mask(ch, nvars, shape == SC_ABC ? 3 : 2, &mask, e);
    if (st)
        return st;
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
        st = zk_chan_send_round(ch, &mask, k, r, "sc/round", msg, d, e);
        if (st)
            return st;
        tr_challenge(ch->tr, "sc/r", &r[k]);
    }
    /* bind the last challenge: two entries left per table */
    for (unsigned j = 0; j < (shape == SC_AB ? 2u : 3u); j++)
        mle_fold(p->tables[j], 2, &r[nvars - 1]);
    return ZKM_OK;
}

zkm_status sc_prove(sc_poly *p, unsigned nvars, zk_chan *ch, fr *r, zkm_err *e)
{
    /* a polynomial without terms is sent as degree 1, all zero */
    const unsigned d = sc_degree(p);
    if (d > SC_MAX_DEGREE)
        return zkm_fail(e, ZKM_EINVAL, "sum-check degree %u above %u", d, SC_MAX_DEGREE);
    if (nvars == 0)
        return ZKM_OK;
    const sc_shape shape = shape_of(p);
    if (shape != SC_GENERIC)
        return sc_prove_fast(p, shape, nvars, ch, r, e);
    const unsigned np = d + 1; /* evaluation points 0..d */
    fr *ev = malloc(sizeof(fr) * (p->n_tables + 1) * np);
    fr *acc = malloc(sizeof(fr) * (p->n_terms + 1) * np);
    if (!ev || !acc) {
        free(ev);
        free(acc);
        return zkm_fail(e, ZKM_ENOMEM, "out of memory in sum-check");
    }
    zk_mask mask;
    zkm_status st = zk_chan_mask(ch, nvars, d, &mask, e);
    size_t len = (size_t)1 << nvars;
    for (unsigned k = 0; k < nvars && !st; k++, len /= 2) {
        const size_t half = len / 2;
        memset(acc, 0, sizeof(fr) * p->n_terms * np);
        for (size_t i = 0; i < half; i++) {
            for (unsigned j = 0; j < p->n_tables; j++) {
                const fr *T = p->tables[j];
                fr *ej = ev + j * np;
                ej[0] = T[2 * i];
                ej[1] = T[2 * i + 1];
                line_values(ej, np);
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
        st = zk_chan_send_round(ch, &mask, k, r, "sc/round", msg, d, e);
        if (st)
            break;
        tr_challenge(ch->tr, "sc/r", &r[k]);
        for (unsigned j = 0; j < p->n_tables; j++)
            mle_fold(p->tables[j], len, &r[k]);
    }
    free(ev);
    free(acc);
    return st;
}

/* --- sum-check of eq(z, .) times a polynomial (sc_prove_eq) --------------
 * With W = scale * eq(z, .) the round polynomial factors as
 *   p_k(x) = c_k eq1(z_k, x) q_k(x),   c_k = scale prod_{i<k} eq1(z_i, r_i),
 *   q_k(x) = sum_i eq(z_{>k}, i) P(r_{<k}, x, i),
 * eq1(a, x) = (1 - a)(1 - x) + a x.  q_k has degree d - 1 (d = deg p_k): the
 * prover evaluates it at 0, 2, .., d-1, recovers q_k(1) from the reduced
 * claim s_k = claim_k / c_k = q_{k-1}(r_{k-1}), since
 * s_k = (1 - z_k) q_k(0) + z_k q_k(1), extrapolates q_k(d) and sends
 * c_k eq1(z_k, x) q_k(x) at 0, 2..d: the values sc_prove computes from a W
 * table, exactly.  q_k(1) is evaluated directly when z_k = 0 (or, in round
 * 0, when scale = 0).  eq(z_{>k}, i) is lo[i mod 2^nl] * hi[i >> nl], two
 * tables of about 2^((n-k)/2) entries rebuilt each round.
 *
 * When P is a polynomial in one table T of 0/1 entries (booleanity), the
 * first SC_BOOL_ROUNDS rounds need no multiplication per entry: after j
 * rounds an entry of T is determined by the 2^j bits it folds, so round j
 * adds each eq weight into the bucket of its pair's 2^(j+1) bits and
 * evaluates P once per bucket; then T is rebuilt from its bytes by lookup. */
#define SC_NP (SC_MAX_DEGREE + 1) /* stride of the per-table line values */
#define SC_BOOL_CODES 256 /* pair patterns of the last bucket round: 2^(2^3) */

enum { CK_ONE, CK_NEG, CK_MUL }; /* how a term's coefficient is applied */
enum { EQ_GENERIC, EQ_A, EQ_AB };  /* P = any terms, one table, T0 * T1 */

typedef struct {
    sc_poly *p;
    const fr *z;
    unsigned n, d;
    uint8_t *ck;           /* per term */
    int shape;
    fr *v;                 /* n_tables * SC_NP line values of one pair */
    fr *lo, *hi;           /* the split eq tables of the round */
    fr *zinv;              /* 1 / z_k, 0 where z_k = 0 */
    fr c, s;               /* c_k and the reduced claim s_k */
    int s_known;
    fr deninv[SC_NP];      /* Lagrange denominators on the nodes 0..d-1 */
    zk_chan *ch;
    zk_mask mask;
    fr *r;
} eq_state;

static inline void term_add(fr *acc, const fr *prod, unsigned ck, const fr *coef)
{
    fr m;
    if (ck == CK_ONE) {
        fr_add(acc, acc, prod);
    } else if (ck == CK_NEG) {
        fr_sub(acc, acc, prod);
    } else {
        fr_mul(&m, prod, coef);
        fr_add(acc, acc, &m);
    }
}

/* acc[x] += w * val[x] for x < ne, x = 1 only if want1. */
static inline void add_scaled(fr *acc, const fr *w, const fr *val, unsigned ne, int want1)
{
    fr m;
    for (unsigned x = 0; x < ne; x++) {
        if (x == 1 && !want1)
            continue;
        fr_mul(&m, w, &val[x]);
        fr_add(&acc[x], &acc[x], &m);
    }
}

/* val[x] = P at x for x < ne (x = 1 only if want1) from the tables' line
 * values v[j * SC_NP + x], skipping the terms with a factor whose line is
 * zero (bit j of zero, for j < 64).  Returns 0 if every term was skipped:
 * P is zero on the whole line. */
static int terms_at(const sc_poly *p, const uint8_t *ck, const fr *v, uint64_t zero,
                    unsigned ne, int want1, fr *val)
{
    fr one, prod;
    int any = 0;
    fr_set_one(&one);
    for (unsigned x = 0; x < ne; x++)
        fr_set_zero(&val[x]);
    for (unsigned t = 0; t < p->n_terms; t++) {
        const unsigned a = p->term_start[t], b = p->term_start[t + 1];
        const fr *coef = p->coef ? &p->coef[t] : NULL;
        unsigned f = a;
        while (f < b && !(p->factors[f] < 64 && ((zero >> p->factors[f]) & 1)))
            f++;
        if (f < b)
            continue;
        any = 1;
        for (unsigned x = 0; x < ne; x++) {
            if (x == 1 && !want1)
                continue;
            if (a == b) { /* a constant */
                term_add(&val[x], &one, ck[t], coef);
                continue;
            }
            prod = v[p->factors[a] * SC_NP + x];
            for (f = a + 1; f < b; f++)
                fr_mul(&prod, &prod, &v[p->factors[f] * SC_NP + x]);
            term_add(&val[x], &prod, ck[t], coef);
        }
    }
    return any;
}

/* Variables of the round's eq(z_{>k}, .) kept in hi: balances the two
 * tables, or, with 2^cb buckets, the lo table against 2^cb products per hi
 * entry. */
static unsigned eq_hi_vars(unsigned m, unsigned cb)
{
    return m > cb ? (m - cb) / 2 : 0;
}

/* The round's eq tables over the 2^m pair indices; returns nl. */
static unsigned eq_round_tables(eq_state *st, unsigned k, unsigned cb)
{
    const unsigned m = st->n - k - 1, nh = eq_hi_vars(m, cb), nl = m - nh;
    mle_eq_table(st->lo, st->z + k + 1, nl, NULL);
    mle_eq_table(st->hi, st->z + k + 1 + nl, nh, NULL);
    return nl;
}

/* P on the line of pair i (tables folded by rp first when fold) at x < ne,
 * x = 1 only if want1; returns 0 when P is zero on the whole line, so its
 * eq weight adds nothing.  The two shapes behind most layers (one table;
 * a product of two with coefficient 1) skip the general term loop. */
static inline int eq_pair(eq_state *st, size_t i, int fold, const fr *rp, unsigned ne,
                          int want1, fr *val)
{
    const sc_poly *p = st->p;
    uint64_t zero = 0;
    for (unsigned j = 0; j < p->n_tables; j++) {
        fr *vj = st->v + j * SC_NP;
        pair_at(p->tables[j], i, fold, rp, &vj[0], &vj[1]);
        if (j < 64 && fr_is_zero(&vj[0]) && fr_is_zero(&vj[1]))
            zero |= (uint64_t)1 << j;
        else
            line_values(vj, ne);
    }
    const fr *A = st->v, *B = st->v + SC_NP;
    switch (st->shape) {
    case EQ_A:
        if (zero & 1)
            return 0;
        for (unsigned x = 0; x < ne; x++)
            val[x] = A[x];
        return 1;
    case EQ_AB:
        if (zero & 3)
            return 0;
        for (unsigned x = 0; x < ne; x++)
            if (x != 1 || want1)
                fr_mul(&val[x], &A[x], &B[x]);
        return 1;
    default:
        return terms_at(p, st->ck, st->v, zero, ne, want1, val);
    }
}

/* q[x] for x < ne over the half pairs of the tables, folding r first when fold. */
static void eq_pairs(eq_state *st, size_t half, unsigned nl, int fold, const fr *rp, unsigned ne,
                     int want1, fr *q)
{
    const size_t nlo = (size_t)1 << nl, nhi = half >> nl;
    fr val[SC_NP], acc[SC_NP];
    for (unsigned x = 0; x < ne; x++)
        fr_set_zero(&q[x]);
    for (size_t h = 0; h < nhi; h++) {
        for (unsigned x = 0; x < ne; x++)
            fr_set_zero(&acc[x]);
        for (size_t l = 0; l < nlo; l++) {
            if (!eq_pair(st, h * nlo + l, fold, rp, ne, want1, val))
                continue;
            add_scaled(acc, &st->lo[l], val, ne, want1);
        }
        add_scaled(q, &st->hi[h], acc, ne, want1);
    }
}

/* vals[c] for c < 2^(2^j): the value after j folds (challenges r) of an
 * entry whose 2^j folded bits are c. */
static void bool_values(fr *vals, const fr *r, unsigned j)
{
    fr eqr[1u << SC_BOOL_ROUNDS];
    mle_eq_table(eqr, r, j, NULL);
    fr_set_zero(&vals[0]);
    for (unsigned c = 1; c < (1u << (1u << j)); c++)
        fr_add(&vals[c], &vals[c & (c - 1)], &eqr[__builtin_ctz(c)]);
}

/* Bucket round j of a 0/1 table (bits, packed): q[x] for x < ne.  B and Bh
 * hold 2^(2^(j+1)) elements. */
static void eq_buckets(eq_state *st, const uint64_t *bits, unsigned j, size_t half, unsigned nl,
                       unsigned ne, int want1, fr *B, fr *Bh, fr *q)
{
    const unsigned cb = 2u << j, ncodes = 1u << cb, hb = cb / 2;
    const uint64_t mask = ncodes - 1;
    const size_t nlo = (size_t)1 << nl, nhi = half >> nl;
    fr vals[1u << (1u << (SC_BOOL_ROUNDS - 1))], val[SC_NP], m;
    bool_values(vals, st->r, j);
    memset(B, 0, ncodes * sizeof(fr));
    for (size_t h = 0; h < nhi; h++) {
        memset(Bh, 0, ncodes * sizeof(fr));
        for (size_t l = 0; l < nlo; l++) {
            const size_t pos = (h * nlo + l) * cb;
            const unsigned code = (unsigned)((bits[pos >> 6] >> (pos & 63)) & mask);
            fr_add(&Bh[code], &Bh[code], &st->lo[l]);
        }
        for (unsigned c = 0; c < ncodes; c++) {
            if (fr_is_zero(&Bh[c]))
                continue;
            fr_mul(&m, &st->hi[h], &Bh[c]);
            fr_add(&B[c], &B[c], &m);
        }
    }
    for (unsigned x = 0; x < ne; x++)
        fr_set_zero(&q[x]);
    for (unsigned c = 0; c < ncodes; c++) {
        if (fr_is_zero(&B[c]))
            continue;
        st->v[0] = vals[c & ((1u << hb) - 1)];
        st->v[1] = vals[c >> hb];
        line_values(st->v, ne);
        terms_at(st->p, st->ck, st->v, 0, ne, want1, val);
        add_scaled(q, &B[c], val, ne, want1);
    }
}

/* End of round k with q[x] computed for x < ne (q[1] if want1): send
 * p_k at 0, 2..d, draw r_k, move to the next round's c and s. */
static zkm_status eq_finish_round(eq_state *st, unsigned k, int want1, fr *q, zkm_err *e)
{
    const unsigned d = st->d;
    const fr *zk = &st->z[k];
    fr one, e1, step, xd, msg[SC_MAX_DEGREE], t;
    fr_set_one(&one);
    fr_sub(&e1, &one, zk); /* eq1(z_k, 0) */
    if (!want1) {          /* s_k = (1 - z_k) q(0) + z_k q(1) */
        fr_mul(&t, &e1, &q[0]);
        fr_sub(&t, &st->s, &t);
        fr_mul(&q[1], &t, &st->zinv[k]);
    }
    fr_set_u64(&xd, d);
    interpolate_with(&q[d], q, d - 1, &xd, st->deninv);
    fr_dbl(&step, zk);
    fr_sub(&step, &step, &one); /* eq1(z_k, x + 1) - eq1(z_k, x) */
    for (unsigned x = 0; x <= d; x++) {
        if (x != 1) {
            fr_mul(&t, &st->c, &e1);
            fr_mul(&msg[x ? x - 1 : 0], &t, &q[x]);
        }
        fr_add(&e1, &e1, &step);
    }
    zkm_status s = zk_chan_send_round(st->ch, &st->mask, k, st->r, "sc/round", msg, d, e);
    if (s)
        return s;
    tr_challenge(st->ch->tr, "sc/r", &st->r[k]);
    interpolate_with(&st->s, q, d - 1, &st->r[k], st->deninv);
    st->s_known = 1;
    fr_mul(&t, &step, &st->r[k]);
    fr_sub(&e1, &one, zk);
    fr_add(&t, &t, &e1);
    fr_mul(&st->c, &st->c, &t);
    return ZKM_OK;
}

/* The degree of W * P: 1 + the longest term of p (which may be 0). */
static unsigned eq_degree(const sc_poly *p)
{
    unsigned longest = 0;
    for (unsigned tm = 0; tm < p->n_terms; tm++)
        if (p->term_start[tm + 1] - p->term_start[tm] > longest)
            longest = p->term_start[tm + 1] - p->term_start[tm];
    return longest + 1;
}

/* sc_prove_eq's rounds, nvars >= 1; with bits, p has one table of 0/1
 * entries given by bits, nvars > SC_BOOL_ROUNDS, and tables[0] is the
 * 2^(nvars - SC_BOOL_ROUNDS) entries it is rebuilt into. */
static zkm_status eq_prove(sc_poly *p, const uint64_t *bits, const fr *z, const fr *scale,
                           const fr *claim, unsigned nvars, zk_chan *ch, fr *r, zkm_err *e)
{
    const unsigned d = eq_degree(p);
    const size_t len = (size_t)1 << nvars;
    unsigned max_nl = 0, max_nh = 0; /* the largest split tables over the rounds */
    for (unsigned k = 0; k < nvars; k++) {
        const unsigned m = nvars - k - 1, cb = bits && k < SC_BOOL_ROUNDS ? 2u << k : 0;
        const unsigned nh = eq_hi_vars(m, cb);
        max_nl = m - nh > max_nl ? m - nh : max_nl;
        max_nh = nh > max_nh ? nh : max_nh;
    }
    const size_t nfr = (size_t)p->n_tables * SC_NP + ((size_t)1 << max_nl) +
                       ((size_t)1 << max_nh) + 2 * ((size_t)nvars + 1) +
                       (bits ? 2 * SC_BOOL_CODES : 0);
    fr *mem = malloc(nfr * sizeof(fr));
    uint8_t *ck = malloc(p->n_terms ? p->n_terms : 1);
    if (!mem || !ck) {
        free(mem);
        free(ck);
        return zkm_fail(e, ZKM_ENOMEM, "out of memory in sum-check");
    }
    eq_state st = {.p = p, .z = z, .n = nvars, .d = d, .ck = ck, .ch = ch, .r = r};
    st.v = mem;
    st.lo = st.v + (size_t)p->n_tables * SC_NP;
    st.hi = st.lo + ((size_t)1 << max_nl);
    st.zinv = st.hi + ((size_t)1 << max_nh);
    fr *zs = st.zinv + nvars + 1, *B = zs + nvars + 1, *Bh = B + SC_BOOL_CODES;
    fr one, minus_one, q[SC_NP];
    fr_set_one(&one);
    fr_neg(&minus_one, &one);
    for (unsigned tm = 0; tm < p->n_terms; tm++)
        ck[tm] = !p->coef || fr_eq(&p->coef[tm], &one)  ? CK_ONE
                 : fr_eq(&p->coef[tm], &minus_one)       ? CK_NEG
                                                          : CK_MUL;
    const unsigned *ts = p->term_start, *tf = p->factors;
    if (p->n_terms == 1 && ck[0] == CK_ONE && ts[0] == 0 && ts[1] == 1 && tf[0] == 0 &&
        p->n_tables == 1)
        st.shape = EQ_A;
    else if (p->n_terms == 1 && ck[0] == CK_ONE && ts[0] == 0 && ts[1] == 2 && tf[0] == 0 &&
             tf[1] == 1 && p->n_tables == 2)
        st.shape = EQ_AB;
    else
        st.shape = EQ_GENERIC;
    /* 1 / z_k and 1 / scale in one inversion (zero stays zero) */
    memcpy(st.zinv, z, nvars * sizeof(fr));
    st.zinv[nvars] = *scale;
    fr_batch_inv_var(st.zinv, st.zinv, nvars + 1, zs);
    st.c = *scale;
    st.s_known = !fr_is_zero(scale);
    if (st.s_known)
        fr_mul(&st.s, claim, &st.zinv[nvars]);
    lagrange_den_inv(st.deninv, d - 1);

    zkm_status s = zk_chan_mask(ch, nvars, d, &st.mask, e);
    unsigned k = 0;
    if (bits) {
        for (; k < SC_BOOL_ROUNDS && !s; k++) {
            const int want1 = !st.s_known || fr_is_zero(&st.zinv[k]);
            const unsigned nl = eq_round_tables(&st, k, 2u << k);
            eq_buckets(&st, bits, k, len >> (k + 1), nl, want1 && d < 2 ? 2 : d, want1, B, Bh, q);
            s = eq_finish_round(&st, k, want1, q, e);
        }
        /* T after SC_BOOL_ROUNDS folds, from its bytes */
        fr *T = p->tables[0];
        bool_values(B, r, SC_BOOL_ROUNDS);
        for (size_t i = 0; i < len >> SC_BOOL_ROUNDS; i++)
            T[i] = B[(bits[i >> 3] >> ((i & 7) * 8)) & 0xff];
    }
    const unsigned k0 = k;
    for (; k < nvars && !s; k++) {
        const int want1 = !st.s_known || fr_is_zero(&st.zinv[k]);
        const unsigned nl = eq_round_tables(&st, k, 0);
        eq_pairs(&st, len >> (k + 1), nl, k > k0, k > k0 ? &r[k - 1] : NULL,
                 want1 && d < 2 ? 2 : d, want1, q);
        s = eq_finish_round(&st, k, want1, q, e);
    }
    /* bind the last challenge: two entries left per table */
    for (unsigned j = 0; j < p->n_tables && !s; j++)
        mle_fold(p->tables[j], 2, &r[nvars - 1]);
    free(mem);
    free(ck);
    return s;
}

zkm_status sc_prove_eq(sc_poly *p, const fr *z, const fr *scale, const fr *claim,
                       unsigned nvars, zk_chan *ch, fr *r, zkm_err *e)
{
    const unsigned d = eq_degree(p);
    if (d > SC_MAX_DEGREE)
        return zkm_fail(e, ZKM_EINVAL, "sum-check degree %u above %u", d, SC_MAX_DEGREE);
    if (nvars == 0)
        return ZKM_OK;
    uint64_t *bits = NULL;
    if (p->n_tables == 1 && nvars > SC_BOOL_ROUNDS) {
        const size_t len = (size_t)1 << nvars;
        bits = malloc(((len + 63) / 64) * sizeof(uint64_t));
        if (!bits)
            return zkm_fail(e, ZKM_ENOMEM, "out of memory in sum-check");
        if (!mle_bits(p->tables[0], len, bits)) {
            free(bits);
            bits = NULL;
        }
    }
    zkm_status st = eq_prove(p, bits, z, scale, claim, nvars, ch, r, e);
    free(bits);
    return st;
}

zkm_status sc_prove_eq_bits(sc_poly *p, const uint64_t *bits, const fr *z, const fr *scale,
                            const fr *claim, unsigned nvars, zk_chan *ch, fr *r, zkm_err *e)
{
    const unsigned d = eq_degree(p);
    if (d > SC_MAX_DEGREE || p->n_tables != 1 || nvars <= SC_BOOL_ROUNDS)
        return zkm_fail(e, ZKM_EINVAL, "sum-check over bits: one table, %u variables and "
                        "degree %u out of range", nvars, d);
    return eq_prove(p, bits, z, scale, claim, nvars, ch, r, e);
}

zkm_status sc_verify(unsigned nvars, unsigned degree, fr *claim, transcript *t,
                     fr_cursor *in, fr *r, zkm_err *e)
{
    zk_chan ch = {.tr = t, .in = in};
    zk_form f;
    zk_form_init(&f);
    zk_form_set_const(&f, claim);
    zkm_status st = sc_verify_forms(&ch, nvars, degree, &f, r, e);
    if (!st)
        *claim = f.k;
    return st;
}

zkm_status sc_verify_forms(zk_chan *ch, unsigned nvars, unsigned degree, zk_form *claim, fr *r,
                           zkm_err *e)
{
    if (degree > SC_MAX_DEGREE || degree == 0)
        return zkm_fail(e, ZKM_EINVAL, "sum-check degree %u out of range", degree);
    fr deninv[SC_MAX_DEGREE + 1];
    lagrange_den_inv(deninv, degree);
    zk_form msg[SC_MAX_DEGREE];
    for (unsigned x = 0; x < degree; x++)
        zk_form_init(&msg[x]);
    zk_mask mask;
    zkm_status st = zk_chan_mask(ch, nvars, degree, &mask, e);
    if (st == ZKM_EREJECT)
        zkm_fail(e, ZKM_EREJECT, "proof ends before a sum-check's mask");
    if (!st)
        st = zk_mask_sum(&mask, claim, e);
    /* the claim is a * (*claim) + b: rounds in the clear only scale it */
    fr a, b;
    fr_set_one(&a);
    fr_set_zero(&b);
    for (unsigned k = 0; k < nvars && !st; k++) {
        st = zk_chan_recv_round(ch, &mask, "sc/round", msg, degree, e);
        if (st) {
            if (st == ZKM_EREJECT)
                zkm_fail(e, ZKM_EREJECT, "proof ends inside sum-check round %u", k);
            break;
        }
        tr_challenge(ch->tr, "sc/r", &r[k]);
        /* p(r) = sum_x L_x(r) p(x) with p(1) = claim - p(0):
         *      = L_1 claim + (L_0 - L_1) p(0) + sum_{x >= 2} L_x p(x) */
        fr L[SC_MAX_DEGREE + 1], t;
        lagrange_basis(L, degree, &r[k], deninv);
        fr_sub(&L[0], &L[0], &L[1]);
        int clear = 1;
        for (unsigned x = 0; x < degree; x++)
            clear &= zk_form_is_const(&msg[x]);
        if (clear) {
            fr_mul(&a, &a, &L[1]);
            fr_mul(&b, &b, &L[1]);
            for (unsigned x = 0; x < degree; x++) {
                fr_mul(&t, &L[x ? x + 1 : 0], &msg[x].k);
                fr_add(&b, &b, &t);
            }
            continue;
        }
        /* hidden round values: the claim as one form */
        fr_mul(&a, &a, &L[1]);
        zk_form_scale(claim, &a);
        fr_mul(&b, &b, &L[1]);
        zk_form_add_const(claim, &b);
        fr_set_one(&a);
        fr_set_zero(&b);
        for (unsigned x = 0; x < degree && !st; x++)
            st = zk_form_axpy(claim, &L[x ? x + 1 : 0], &msg[x], e);
    }
    zk_form_scale(claim, &a);
    zk_form_add_const(claim, &b);
    if (!st)
        st = zk_mask_at(&mask, r, claim, e);
    for (unsigned x = 0; x < degree; x++)
        zk_form_free(&msg[x]);
    return st;
}
