/* avgpool (window = stride = kh x kw, powers of two): the window sum
 * S = sum_w X_w, each X_w the input's frame with the window's low row and
 * column bits fixed (a mapped view), masked when windows are left over,
 * then the range check rescales by log2(kh kw) (plus any change of frac). */
#include <stdlib.h>
#include <string.h>

#include "lower.h"

static zkm_status avgpool_lower(lw_builder *b, const zkm_model *m, lw_node *nodes, uint32_t i,
                                zkm_err *e)
{
    const zkm_node *d = &m->nodes[i];
    lw_node *x = &nodes[i];
    const lw_node *in = &nodes[nodes[d->in[0]].storage];
    const lw_frame *fi = &in->frame, *fo = &x->frame;
    const uint32_t kh = d->u.pool.kh, kw = d->u.pool.kw, win = kh * kw;
    zkm_status st = ZKM_OK;
    if (lw_pool_leftover(d, fi, fo) && (st = lw_mask(b, fo->rb, fo->wb, fo->H, fo->W, &x->ml, e)))
        return st;
    const bool mask = x->ml != LW_NONE;
    gkr_view *src = zkm_calloc(win + 1, sizeof *src, "avgpool views", e);
    int64_t *coef = zkm_calloc(win, sizeof *coef, "avgpool terms", e);
    uint32_t *start = zkm_calloc(win + 1, sizeof *start, "avgpool terms", e);
    uint32_t *fac = zkm_calloc(2 * (size_t)win, sizeof *fac, "avgpool terms", e);
    if (!src || !coef || !start || !fac) {
        st = ZKM_ENOMEM;
        goto done;
    }
    uint32_t nf = 0;
    for (uint32_t k = 0; k < win; k++) {
        src[k] = lw_pool_view(in->layer, fi, fo, false, k / kw, k % kw);
        coef[k] = 1;
        start[k] = nf;
        fac[nf++] = k;
        if (mask)
            fac[nf++] = win;
    }
    start[win] = nf;
    if (mask)
        src[win] = lw_view_bcast_channels(b, x->ml, fo->cb);
    const lw_sum s = {.nvars = lw_frame_nvars(fo), .n_src = win + (mask ? 1 : 0), .src = src,
                      .n_terms = win, .coef = coef, .term_start = start, .factors = fac};
    st = lw_range_build(b, &s, d->shift, d->fmt.bits, true, lw_out_for(nodes, i), &x->range, e);
    if (!st)
        lw_set_layer(nodes, i, x->range.out);
done:
    free(src);
    free(coef);
    free(start);
    free(fac);
    return st;
}

static zkm_status avgpool_witness(lw_wit *w, uint32_t i)
{
    const zkm_node *d = &w->m->nodes[i];
    const lw_node *x = &w->nodes[i];
    const uint32_t srcn = w->nodes[d->in[0]].storage;
    const lw_frame *fi = &w->nodes[srcn].frame, *fo = &x->frame;
    const uint32_t a = fi->rb - fo->rb, c = fi->wb - fo->wb;
    const size_t NO = (size_t)1 << lw_frame_nvars(fo);
    const int32_t *X = w->act[srcn];
    int32_t *act = lw_act(w, x->fused != LW_NONE ? x->fused : i);
    __int128 *S = zkm_calloc(NO, sizeof *S, "avgpool sums", w->e);
    zkm_status st = ZKM_ENOMEM;
    if (!X || !act || !S)
        goto done;
    const uint32_t win = 1u << (a + c);
    for (size_t g = 0; g < NO; g++) {
        int64_t sum = 0;
        bool out = false;
        for (uint32_t k = 0; k < win; k++)
            sum += X[lw_pool_src(fi, fo, g, k, &out)];
        S[g] = out && x->ml != LW_NONE ? 0 : sum;
    }
    st = lw_range_witness(w, i, &x->range, S, fo, act);
done:
    free(S);
    return st;
}

static zkm_status avgpool_reference(const zkm_model *m, uint32_t i, const double *const *in,
                                    const zkm_tensor_set *ws, double *out, zkm_err *e)
{
    (void)ws;
    (void)e;
    lw_pool_reference(m, i, in[0], out, false);
    return ZKM_OK;
}

const lw_op lw_op_avgpool = {avgpool_lower, NULL, avgpool_witness, avgpool_reference};
