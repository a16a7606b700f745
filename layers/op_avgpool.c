/* avgpool (window = stride = kh x kw, powers of two): the window sum
 * S = sum_w X_w, each X_w the input's frame with the window's low row and
 * column bits fixed (a mapped view), masked when windows are left over,
 * then the range check rescales by log2(kh kw) (plus any change of frac). */
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* X_w at the output's resolution: row bits j < a fixed to dy's, column
 * bits j < c to dx's. */
static gkr_view entry_view(uint32_t X, const lw_frame *fi,
                           const lw_frame *fo, uint32_t dy, uint32_t dx)
{
    const uint32_t a = fi->rb - fo->rb, c = fi->wb - fo->wb;
    uint8_t map[GKR_MAX_NVARS];
    uint32_t k = 0;
    for (uint32_t j = 0; j < fi->wb; j++, k++)
        map[k] = j < c ? (uint8_t)(((dx >> j) & 1) ? GKR_VIEW_CONST1 : GKR_VIEW_CONST0)
                       : (uint8_t)(j - c);
    for (uint32_t j = 0; j < fi->rb; j++, k++)
        map[k] = j < a ? (uint8_t)(((dy >> j) & 1) ? GKR_VIEW_CONST1 : GKR_VIEW_CONST0)
                       : (uint8_t)(fo->wb + j - a);
    for (uint32_t j = 0; j < fo->cb; j++, k++)
        map[k] = (uint8_t)(fo->wb + fo->rb + j);
    return gkr_view_mapped(X, k, lw_frame_nvars(fo), map, GKR_VIEW_ZERO);
}

static bool leftover(const zkm_node *d, const lw_frame *fi, const lw_frame *fo)
{
    return (uint64_t)fo->H * d->u.pool.kh < fi->H || (uint64_t)fo->W * d->u.pool.kw < fi->W;
}

static zkm_status avgpool_lower(lw_builder *b, const zkm_model *m, lw_node *nodes, uint32_t i,
                                zkm_err *e)
{
    const zkm_node *d = &m->nodes[i];
    lw_node *x = &nodes[i];
    const lw_node *in = &nodes[nodes[d->in[0]].storage];
    const lw_frame *fi = &in->frame, *fo = &x->frame;
    const uint32_t kh = d->u.pool.kh, kw = d->u.pool.kw, win = kh * kw;
    zkm_status st = ZKM_OK;
    if (leftover(d, fi, fo) && (st = lw_mask(b, fo->rb, fo->wb, fo->H, fo->W, &x->ml, e)))
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
        src[k] = entry_view(in->layer, fi, fo, k / kw, k % kw);
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
    for (size_t g = 0; g < NO; g++) {
        const uint64_t xx = g & ((1u << fo->wb) - 1), y = (g >> fo->wb) & ((1u << fo->rb) - 1);
        const uint64_t ch = g >> (fo->wb + fo->rb);
        if (x->ml != LW_NONE && (y >= fo->H || xx >= fo->W))
            continue;
        int64_t sum = 0;
        for (uint64_t dy = 0; dy < ((uint64_t)1 << a); dy++)
            for (uint64_t dx = 0; dx < ((uint64_t)1 << c); dx++)
                sum += X[(ch << (fi->rb + fi->wb)) | (((y << a) | dy) << fi->wb) | ((xx << c) | dx)];
        S[g] = sum;
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
    const zkm_node *d = &m->nodes[i];
    const zkm_shape *si = &m->nodes[d->in[0]].shape;
    const uint32_t H = si->dim[si->rank - 2], W = si->dim[si->rank - 1];
    const uint32_t C = si->rank == 3 ? si->dim[0] : 1;
    const uint32_t Ho = d->shape.dim[d->shape.rank - 2], Wo = d->shape.dim[d->shape.rank - 1];
    for (uint32_t c = 0; c < C; c++)
        for (uint32_t y = 0; y < Ho; y++)
            for (uint32_t x = 0; x < Wo; x++) {
                double s = 0;
                for (uint32_t dy = 0; dy < d->u.pool.kh; dy++)
                    for (uint32_t dx = 0; dx < d->u.pool.kw; dx++)
                        s += in[0][((size_t)c * H + y * d->u.pool.sh + dy) * W +
                                   x * d->u.pool.sw + dx];
                out[((size_t)c * Ho + y) * Wo + x] = s / ((double)d->u.pool.kh * d->u.pool.kw);
            }
    return ZKM_OK;
}

const lw_op lw_op_avgpool = {avgpool_lower, NULL, avgpool_witness, avgpool_reference};
