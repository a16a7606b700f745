/* The model evaluated with MPFR (eval.h): at a high precision as the
 * ground truth, or emulating a low-precision format (fpemu.h). */
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "trace.h"

typedef struct {
    mpfr_t *w, *b;     /* dense, conv2d: weights and bias (b NULL: none) */
    size_t nw, nb;
    mpfr_t *bn[4];     /* batchnorm (real weights): gamma, beta, mean, var */
    size_t nbn;
    mpfr_t eps;        /* initialised with bn[3]                          */
} mp_node;

struct dr_mp {
    const zkm_model *m;
    const fe_format *f;   /* NULL: precision prec, default exponent range */
    mpfr_prec_t prec;     /* of every number held                        */
    bool quant;           /* the circuit's weights, batchnorm folded      */
    mp_node *p;           /* per node                                     */
    mpfr_t **vals;        /* per node: its values                         */
    uint64_t *cnt;        /* per node: entries                            */
    mpfr_t t1, t2;        /* scratch                                      */
};

static const mpfr_rnd_t RN = MPFR_RNDN;

/* One rounded operation: in a format, its correct rounding there. */
#define OP(p, x, call)                                                                     \
    do {                                                                                   \
        const int t_ = (call);                                                             \
        if ((p)->f)                                                                        \
            fe_fix((p)->f, (x), t_);                                                       \
    } while (0)

static mpfr_t *mp_array(size_t n, mpfr_prec_t prec, zkm_err *e)
{
    mpfr_t *a = zkm_calloc(n ? n : 1, sizeof *a, "MPFR values", e);
    if (a)
        for (size_t k = 0; k < n; k++)
            mpfr_init2(a[k], prec);
    return a;
}

static void mp_array_free(mpfr_t *a, size_t n)
{
    if (!a)
        return;
    for (size_t k = 0; k < n; k++)
        mpfr_clear(a[k]);
    free(a);
}

static void set_d(const dr_mp *p, mpfr_t x, double v)
{
    if (p->f)
        fe_set_d(p->f, x, v);
    else
        mpfr_set_d(x, v, RN); /* exact: prec >= 64 */
}

/* q * 2^-frac, exactly (prec >= 64 holds any int64). */
static void set_q(mpfr_t x, int64_t q, uint32_t frac)
{
    mpfr_set_si(x, (long)q, RN);
    mpfr_mul_2si(x, x, -(long)frac, RN);
}

void dr_mp_free(dr_mp *p)
{
    if (!p)
        return;
    const zkm_model *m = p->m;
    for (uint32_t i = 0; p->p && i < m->n_nodes; i++) {
        mp_node *n = &p->p[i];
        mp_array_free(n->w, n->nw);
        mp_array_free(n->b, n->nb);
        for (int k = 0; k < 4; k++)
            mp_array_free(n->bn[k], n->nbn);
        if (n->bn[3])
            mpfr_clear(n->eps);
    }
    for (uint32_t i = 0; p->vals && p->cnt && i < m->n_nodes; i++)
        mp_array_free(p->vals[i], p->cnt[i]);
    mpfr_clear(p->t1);
    mpfr_clear(p->t2);
    free(p->p);
    free(p->vals);
    free(p->cnt);
    free(p);
}

/* The common part: the object, value buffers and scratch. */
static zkm_status mp_new(const zkm_model *m, const fe_format *f, mpfr_prec_t prec, bool quant,
                         dr_mp **out, zkm_err *e)
{
    if (!f && (prec < 64 || prec > MPFR_PREC_MAX))
        return zkm_fail(e, ZKM_EINVAL, "MPFR precision %ld: expected at least 64 bits",
                        (long)prec);
    dr_mp *p = zkm_calloc(1, sizeof *p, "MPFR model", e);
    if (!p)
        return ZKM_ENOMEM;
    p->m = m;
    p->f = f;
    p->prec = f ? (mpfr_prec_t)f->prec : prec;
    p->quant = quant;
    mpfr_init2(p->t1, p->prec);
    mpfr_init2(p->t2, p->prec);
    p->p = zkm_calloc(m->n_nodes, sizeof *p->p, "MPFR model", e);
    p->vals = zkm_calloc(m->n_nodes, sizeof *p->vals, "MPFR model", e);
    p->cnt = zkm_calloc(m->n_nodes, sizeof *p->cnt, "MPFR model", e);
    zkm_status st = p->p && p->vals && p->cnt ? ZKM_OK : ZKM_ENOMEM;
    for (uint32_t i = 0; i < m->n_nodes && !st; i++) {
        p->cnt[i] = zkm_shape_count(&m->nodes[i].shape);
        if (!(p->vals[i] = mp_array(p->cnt[i], p->prec, e)))
            st = ZKM_ENOMEM;
    }
    if (!st)
        *out = p;
    else
        dr_mp_free(p);
    return st;
}

/* n values of tensor t into a fresh array, rounded into p's arithmetic. */
static mpfr_t *from_tensor(const dr_mp *p, const zkm_tensor *t, size_t n, zkm_err *e)
{
    mpfr_t *a = mp_array(n, p->prec, e);
    if (a)
        for (size_t k = 0; k < n; k++)
            set_d(p, a[k], t->data[k]);
    return a;
}

zkm_status dr_mp_real(const zkm_model *m, const zkm_tensor_set *w, const fe_format *f,
                      mpfr_prec_t prec, dr_mp **out, zkm_err *e)
{
    dr_mp *p = NULL;
    zkm_status st = mp_new(m, f, prec, false, &p, e);
    if (st)
        return st;
    fe_scope sc;
    if (f)
        fe_enter(&sc, f);
    for (uint32_t i = 0; i < m->n_nodes && !st; i++) {
        const zkm_node *d = &m->nodes[i];
        mp_node *n = &p->p[i];
        if (d->op == ZKM_OP_DENSE || d->op == ZKM_OP_CONV2D) {
            const zkm_tensor *wt = dr_tensor(m, i, w, ZKM_W_WEIGHT);
            const zkm_tensor *bt = dr_tensor(m, i, w, ZKM_W_BIAS);
            if (!wt) {
                st = zkm_fail(e, ZKM_EINVAL, "%s: no weights", d->name);
                break;
            }
            n->nw = wt->count;
            if (!(n->w = from_tensor(p, wt, wt->count, e)))
                st = ZKM_ENOMEM;
            if (!st && bt && !(n->nb = bt->count, n->b = from_tensor(p, bt, bt->count, e)))
                st = ZKM_ENOMEM;
        } else if (d->op == ZKM_OP_BATCHNORM) {
            static const zkm_wrole roles[4] = {ZKM_W_BN_WEIGHT, ZKM_W_BN_BIAS, ZKM_W_BN_MEAN,
                                               ZKM_W_BN_VAR};
            n->nbn = d->shape.rank == 3 ? d->shape.dim[0] : zkm_shape_count(&d->shape);
            for (int k = 0; k < 4 && !st; k++) {
                const zkm_tensor *t = dr_tensor(m, i, w, roles[k]);
                if (!t || t->count != n->nbn)
                    st = zkm_fail(e, ZKM_EINVAL, "%s: batchnorm tensors missing", d->name);
                else if (!(n->bn[k] = from_tensor(p, t, n->nbn, e)))
                    st = ZKM_ENOMEM;
            }
            if (!st) {
                mpfr_init2(n->eps, p->prec);
                set_d(p, n->eps, d->u.bn.eps);
            }
        }
    }
    if (f)
        fe_leave(&sc);
    if (st)
        dr_mp_free(p);
    else
        *out = p;
    return st;
}

zkm_status dr_mp_quant(const zkm_net *net, mpfr_prec_t prec, dr_mp **out, zkm_err *e)
{
    const zkm_model *m = zkm_net_model(net);
    dr_mp *p = NULL;
    zkm_status st = mp_new(m, NULL, prec, true, &p, e);
    if (st)
        return st;
    for (uint32_t i = 0; i < m->n_nodes && !st; i++) {
        const zkm_node *d = &m->nodes[i];
        if (d->op != ZKM_OP_DENSE && d->op != ZKM_OP_CONV2D)
            continue;
        mp_node *n = &p->p[i];
        const int32_t *qw;
        const int64_t *qb;
        size_t nw;
        if ((st = zkm_net_qparams(net, i, &qw, &nw, &qb, e)))
            break;
        const uint32_t fw = d->wfmt.frac, fb = m->nodes[d->in[0]].fmt.frac + fw;
        const size_t nb = d->op == ZKM_OP_DENSE ? d->u.dense.out : d->u.conv2d.out;
        n->nw = nw;
        if (!(n->w = mp_array(nw, p->prec, e))) {
            st = ZKM_ENOMEM;
            break;
        }
        for (size_t k = 0; k < nw; k++)
            set_q(n->w[k], qw[k], fw);
        if (qb) {
            n->nb = nb;
            if (!(n->b = mp_array(nb, p->prec, e))) {
                st = ZKM_ENOMEM;
                break;
            }
            for (size_t k = 0; k < nb; k++)
                set_q(n->b[k], qb[k], fb);
        }
    }
    if (st)
        dr_mp_free(p);
    else
        *out = p;
    return st;
}

/* ------------------------------------------------------------ evaluation */

static void dense(dr_mp *p, uint32_t i)
{
    const zkm_model *m = p->m;
    const zkm_node *d = &m->nodes[i];
    const mp_node *n = &p->p[i];
    const uint64_t n_in = p->cnt[d->in[0]];
    mpfr_t *x = p->vals[d->in[0]], *o = p->vals[i];
    for (uint32_t r = 0; r < d->u.dense.out; r++) {
        if (n->b)
            mpfr_set(o[r], n->b[r], RN);
        else
            mpfr_set_zero(o[r], 1);
        const mpfr_t *w = n->w + (size_t)r * n_in;
        for (uint64_t k = 0; k < n_in; k++) {
            OP(p, p->t1, mpfr_mul(p->t1, w[k], x[k], RN));
            OP(p, o[r], mpfr_add(o[r], o[r], p->t1, RN));
        }
    }
}

static void conv2d(dr_mp *p, uint32_t i)
{
    const zkm_model *m = p->m;
    const zkm_node *d = &m->nodes[i];
    const mp_node *n = &p->p[i];
    const zkm_shape *si = &m->nodes[d->in[0]].shape;
    const uint32_t ci = si->dim[0];
    const uint32_t Ho = d->shape.dim[1], Wo = d->shape.dim[2];
    const uint32_t kh = d->u.conv2d.kh, kw = d->u.conv2d.kw;
    mpfr_t *x = p->vals[d->in[0]], *out = p->vals[i];
    for (uint32_t oc = 0; oc < d->u.conv2d.out; oc++)
        for (uint32_t y = 0; y < Ho; y++)
            for (uint32_t xx = 0; xx < Wo; xx++) {
                mpfr_ptr o = out[((size_t)oc * Ho + y) * Wo + xx];
                if (n->b)
                    mpfr_set(o, n->b[oc], RN);
                else
                    mpfr_set_zero(o, 1);
                for (uint32_t c = 0; c < ci; c++)
                    for (uint32_t dy = 0; dy < kh; dy++)
                        for (uint32_t dx = 0; dx < kw; dx++) {
                            const int64_t xk = dr_conv_src(d, si, c, y, xx, dy, dx);
                            if (xk < 0)
                                continue;
                            OP(p, p->t1,
                               mpfr_mul(p->t1, n->w[(((size_t)oc * ci + c) * kh + dy) * kw + dx],
                                        x[xk], RN));
                            OP(p, o, mpfr_add(o, o, p->t1, RN));
                        }
            }
}

static void pool(dr_mp *p, uint32_t i)
{
    const zkm_model *m = p->m;
    const zkm_node *d = &m->nodes[i];
    const bool max = d->op == ZKM_OP_MAXPOOL;
    const zkm_shape *si = &m->nodes[d->in[0]].shape;
    const uint32_t H = si->dim[si->rank - 2], W = si->dim[si->rank - 1];
    const uint32_t C = si->rank == 3 ? si->dim[0] : 1;
    const uint32_t Ho = d->shape.dim[d->shape.rank - 2], Wo = d->shape.dim[d->shape.rank - 1];
    mpfr_t *x = p->vals[d->in[0]], *out = p->vals[i];
    for (uint32_t c = 0; c < C; c++)
        for (uint32_t y = 0; y < Ho; y++)
            for (uint32_t xx = 0; xx < Wo; xx++) {
                mpfr_ptr o = out[((size_t)c * Ho + y) * Wo + xx];
                if (max)
                    mpfr_set_inf(o, -1);
                else
                    mpfr_set_zero(o, 1);
                for (uint32_t dy = 0; dy < d->u.pool.kh; dy++)
                    for (uint32_t dx = 0; dx < d->u.pool.kw; dx++) {
                        mpfr_srcptr a = x[((size_t)c * H + (size_t)y * d->u.pool.sh + dy) * W +
                                          (size_t)xx * d->u.pool.sw + dx];
                        if (!max)
                            OP(p, o, mpfr_add(o, o, a, RN));
                        else if (mpfr_greater_p(a, o))
                            mpfr_set(o, a, RN);
                    }
                if (!max)
                    OP(p, o, mpfr_div_ui(o, o, (unsigned long)d->u.pool.kh * d->u.pool.kw, RN));
            }
}

static void batchnorm(dr_mp *p, uint32_t i)
{
    const zkm_node *d = &p->m->nodes[i];
    const mp_node *n = &p->p[i];
    const uint64_t cnt = p->cnt[i], per = cnt / n->nbn;
    mpfr_t *x = p->vals[d->in[0]], *o = p->vals[i];
    for (uint64_t k = 0; k < cnt; k++) {
        const uint64_t c = k / per;
        OP(p, p->t1, mpfr_sub(p->t1, x[k], n->bn[2][c], RN));
        OP(p, p->t2, mpfr_add(p->t2, n->bn[3][c], n->eps, RN));
        OP(p, p->t2, mpfr_sqrt(p->t2, p->t2, RN));
        OP(p, p->t1, mpfr_div(p->t1, p->t1, p->t2, RN));
        OP(p, p->t1, mpfr_mul(p->t1, p->t1, n->bn[0][c], RN));
        OP(p, o[k], mpfr_add(o[k], p->t1, n->bn[1][c], RN));
    }
}

static zkm_status input(dr_mp *p, uint32_t i, const zkm_tensor_set *in, const zkm_qinputs *q,
                        zkm_err *e)
{
    const zkm_node *d = &p->m->nodes[i];
    mpfr_t *o = p->vals[i];
    if (p->quant) {
        if (!q || d->u.input.index >= q->n || !q->q[d->u.input.index])
            return zkm_fail(e, ZKM_EINVAL, "no quantized values for input '%s'", d->name);
        for (uint64_t k = 0; k < p->cnt[i]; k++)
            set_q(o[k], q->q[d->u.input.index][k], d->fmt.frac);
        return ZKM_OK;
    }
    const zkm_tensor *t = in ? dr_input(p->m, d->u.input.index, in) : NULL;
    if (!t)
        return zkm_fail(e, ZKM_EFORMAT, "no tensor of %llu values for input '%s'",
                        (unsigned long long)p->cnt[i], d->name);
    for (uint64_t k = 0; k < p->cnt[i]; k++)
        set_d(p, o[k], t->data[k]);
    return ZKM_OK;
}

zkm_status dr_mp_run(dr_mp *p, const zkm_tensor_set *in, const zkm_qinputs *q,
                     mpfr_t *const **vals, zkm_err *e)
{
    const zkm_model *m = p->m;
    zkm_status st = ZKM_OK;
    fe_scope sc;
    if (p->f)
        fe_enter(&sc, p->f);
    for (uint32_t i = 0; i < m->n_nodes && !st; i++) {
        const zkm_node *d = &m->nodes[i];
        mpfr_t *o = p->vals[i], *x = d->n_in ? p->vals[d->in[0]] : NULL;
        switch (d->op) {
        case ZKM_OP_INPUT:
            st = input(p, i, in, q, e);
            break;
        case ZKM_OP_DENSE:
            dense(p, i);
            break;
        case ZKM_OP_CONV2D:
            conv2d(p, i);
            break;
        case ZKM_OP_RELU:
            for (uint64_t k = 0; k < p->cnt[i]; k++)
                if (mpfr_sgn(x[k]) > 0)
                    mpfr_set(o[k], x[k], RN);
                else
                    mpfr_set_zero(o[k], 1);
            break;
        case ZKM_OP_MAXPOOL:
        case ZKM_OP_AVGPOOL:
            pool(p, i);
            break;
        case ZKM_OP_ADD:
            for (uint64_t k = 0; k < p->cnt[i]; k++)
                OP(p, o[k], mpfr_add(o[k], x[k], p->vals[d->in[1]][k], RN));
            break;
        case ZKM_OP_BATCHNORM:
            if (!p->quant) {
                batchnorm(p, i);
                break;
            }
            /* folded into the node before: its values pass through */
            /* fall through */
        case ZKM_OP_FLATTEN:
        case ZKM_OP_RESHAPE:
        case ZKM_OP_RESCALE:
            for (uint64_t k = 0; k < p->cnt[i]; k++)
                mpfr_set(o[k], x[k], RN);
            break;
        default:
            st = zkm_fail(e, ZKM_EINVAL, "%s: unknown operation", d->name);
        }
    }
    if (p->f)
        fe_leave(&sc);
    if (!st)
        *vals = p->vals;
    return st;
}
