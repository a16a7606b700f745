/* dense: y = W x + b as a matrix-vector product (Thaler's matrix
 * sum-check) whose columns follow the input's frame: column g of the
 * public weight matrix holds W[., i] where i is the logical entry stored at
 * frame position g (zero columns elsewhere), so a flattened image is read
 * where it lies and flatten costs nothing.  Then the range check. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

static zkm_status dense_lower(lw_builder *b, const zkm_model *m, lw_node *nodes, uint32_t i,
                              zkm_err *e)
{
    const zkm_node *d = &m->nodes[i];
    lw_node *x = &nodes[i];
    const lw_node *in = &nodes[nodes[d->in[0]].storage];
    const uint32_t nf = lw_frame_nvars(&in->frame), mb = lw_frame_nvars(&x->frame);
    if (nf + mb > 32)
        return zkm_fail(e, ZKM_EFORMAT, "%s: a %u x 2^%u weight matrix is beyond the prover's "
                        "2^32 entries", d->name, d->u.dense.out, nf);
    zkm_status st = lw_public(b, mb + nf, LW_IN_WEIGHT, &x->wl, e);
    if (!st)
        st = lw_new(b, &x->al, e);
    if (!st)
        st = gkr_layer_matmul(lw_layer(b, x->al), mb, nf, 0, lw_view(b, x->wl),
                              lw_view(b, in->layer), e);
    if (st)
        return st;
    const bool bias = d->u.dense.bias || d->u.dense.bn != ZKM_NONE;
    if (bias && (st = lw_public(b, mb, LW_IN_BIAS, &x->bl, e)))
        return st;
    gkr_view src[2] = {lw_view(b, x->al), bias ? lw_view(b, x->bl) : lw_view(b, x->al)};
    const int64_t coef[2] = {1, 1};
    const uint32_t start[3] = {0, 1, 2}, fac[2] = {0, 1};
    const lw_sum s = {.nvars = mb, .n_src = bias ? 2 : 1, .src = src, .n_terms = bias ? 2 : 1,
                      .coef = coef, .term_start = start, .factors = fac};
    st = lw_range_build(b, &s, d->shift, d->fmt.bits, true, lw_out_for(nodes, i), &x->range, e);
    if (!st)
        lw_set_layer(nodes, i, x->range.out);
    return st;
}

static zkm_status dense_publics(lw_wit *w, uint32_t i)
{
    const zkm_node *d = &w->m->nodes[i];
    const lw_node *x = &w->nodes[i];
    const lw_frame *fi = &w->nodes[w->nodes[d->in[0]].storage].frame;
    const uint32_t nf = lw_frame_nvars(fi), out = d->u.dense.out;
    const uint64_t n_in = zkm_shape_count(&w->m->nodes[d->in[0]].shape);
    const lw_qparams *q = &w->qw->p[i];
    if (!w->fill)
        return ZKM_OK;
    fr *W = lw_values(w, x->wl);
    lw_smallfr sf;
    if (!W || lw_smallfr_init(&sf, d->wfmt.bits, n_in * out, w->e))
        return ZKM_ENOMEM;
    for (uint64_t k = 0; k < n_in; k++) {
        const uint64_t g = lw_frame_index(fi, k);
        for (uint32_t r = 0; r < out; r++)
            lw_smallfr_set(&sf, &W[((size_t)r << nf) + g], q->w[(size_t)r * n_in + k]);
    }
    lw_smallfr_free(&sf);
    if (x->bl != LW_NONE) {
        fr *B = lw_values(w, x->bl);
        if (!B)
            return ZKM_ENOMEM;
        for (uint32_t r = 0; r < out; r++)
            fr_set_i64(&B[r], q->b[r]);
    }
    return ZKM_OK;
}

static zkm_status dense_witness(lw_wit *w, uint32_t i)
{
    const zkm_node *d = &w->m->nodes[i];
    const lw_node *x = &w->nodes[i];
    const uint32_t src = w->nodes[d->in[0]].storage;
    const lw_frame *fi = &w->nodes[src].frame;
    const uint64_t n_in = zkm_shape_count(&w->m->nodes[d->in[0]].shape);
    const uint32_t out = d->u.dense.out;
    const size_t NO = (size_t)1 << lw_frame_nvars(&x->frame);
    const lw_qparams *q = &w->qw->p[i];
    const int32_t *in = w->act[src];
    zkm_status st = ZKM_ENOMEM;
    int64_t *xs = zkm_calloc(n_in, sizeof *xs, "dense input", w->e);
    __int128 *S = zkm_calloc(NO, sizeof *S, "dense sums", w->e);
    if (!xs || !S || !in)
        goto done;
    for (uint64_t k = 0; k < n_in; k++)
        xs[k] = in[lw_frame_index(fi, k)];
    const uint32_t bi = w->m->nodes[d->in[0]].fmt.bits, bw = d->wfmt.bits;
    const bool small = (double)n_in * ldexp(1, (int)(bi + bw - 2)) < 0x1p62;
    for (uint32_t r = 0; r < out; r++) {
        const int32_t *row = q->w + (size_t)r * n_in;
        __int128 acc;
        if (small) {
            int64_t a = 0;
            for (uint64_t k = 0; k < n_in; k++)
                a += row[k] * xs[k];
            acc = a;
        } else {
            acc = 0;
            for (uint64_t k = 0; k < n_in; k++)
                acc += (__int128)row[k] * xs[k];
        }
        S[r] = acc;
    }
    if (w->fill) {
        fr *va = lw_values(w, x->al);
        if (!va)
            goto done;
        for (uint32_t r = 0; r < out; r++)
            lw_fr_set_i128(&va[r], S[r]);
    }
    if (x->bl != LW_NONE)
        for (uint32_t r = 0; r < out; r++)
            S[r] += q->b[r];
    {
        int32_t *act = lw_act(w, x->fused != LW_NONE ? x->fused : i);
        st = act ? lw_range_witness(w, i, &x->range, S, &x->frame, act) : ZKM_ENOMEM;
    }
done:
    free(xs);
    free(S);
    return st;
}

static zkm_status dense_reference(const zkm_model *m, uint32_t i, const double *const *in,
                                  const zkm_tensor_set *ws, double *out, zkm_err *e)
{
    const zkm_node *d = &m->nodes[i];
    const uint64_t n_in = zkm_shape_count(&m->nodes[d->in[0]].shape);
    const zkm_tensor *wt = lw_find_tensor(m, i, ws, ZKM_W_WEIGHT);
    const zkm_tensor *bt = lw_find_tensor(m, i, ws, ZKM_W_BIAS);
    if (!wt)
        return zkm_fail(e, ZKM_EINVAL, "%s: no weights", d->name);
    for (uint32_t r = 0; r < d->u.dense.out; r++) {
        double acc = bt ? bt->data[r] : 0;
        for (uint64_t k = 0; k < n_in; k++)
            acc += wt->data[(size_t)r * n_in + k] * in[0][k];
        out[r] = acc;
    }
    return ZKM_OK;
}

const lw_op lw_op_dense = {dense_lower, dense_publics, dense_witness, dense_reference};
