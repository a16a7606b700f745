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

void sc_interpolate(fr *out, const fr *vals, unsigned d, const fr *x)
{
    /* Lagrange on nodes 0..d: w_i = prod_{j != i} (x - j) / (i - j), with the
     * numerators from prefix and suffix products (no division by x - j). */
    fr diff[SC_MAX_DEGREE + 1], pre[SC_MAX_DEGREE + 2], suf[SC_MAX_DEGREE + 2];
    fr den[SC_MAX_DEGREE + 1], deninv[SC_MAX_DEGREE + 1], scratch[SC_MAX_DEGREE + 1];
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
        /* prod_{j != i} (i - j) = i! * (d - i)! * (-1)^(d - i) */
        fr acc, f;
        fr_set_one(&acc);
        for (unsigned j = 0; j <= d; j++) {
            if (j == i)
                continue;
            fr_set_i64(&f, (int64_t)i - (int64_t)j);
            fr_mul(&acc, &acc, &f);
        }
        den[i] = acc;
    }
    fr_batch_inv_var(deninv, den, d + 1, scratch);
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

zkm_status sc_prove(sc_poly *p, unsigned nvars, transcript *t, fr_vec *out, fr *r,
                    zkm_err *e)
{
    /* a polynomial without terms is sent as degree 1, all zero */
    const unsigned d = sc_degree(p);
    if (d > SC_MAX_DEGREE)
        return zkm_fail(e, ZKM_EINVAL, "sum-check degree %u above %u", d, SC_MAX_DEGREE);
    if (nvars == 0)
        return ZKM_OK;
    const unsigned np = d + 1; /* evaluation points 0..d */
    fr *ev = malloc(sizeof(fr) * p->n_tables * np);
    fr *acc = malloc(sizeof(fr) * p->n_terms * np);
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
        sc_interpolate(claim, vals, degree, &r[k]);
    }
    return ZKM_OK;
}
