/* What maxpool and avgpool share: both read kh x kw windows (a power of two
 * each, equal to the stride) of the input's frame, whose low log2(kh) row
 * bits and log2(kw) column bits number the window's entries. */
#include <math.h>

#include "lower.h"

bool lw_pool_leftover(const zkm_node *d, const lw_frame *fi, const lw_frame *fo)
{
    return (uint64_t)fo->H * d->u.pool.kh < fi->H || (uint64_t)fo->W * d->u.pool.kw < fi->W;
}

/* X read at the output's resolution.  top: the window entry k = (dy << c) |
 * dx becomes the view's top index bits (a view of 2^(no + a + c) entries);
 * otherwise it is fixed to (dy, dx) (a view of 2^no entries). */
gkr_view lw_pool_view(uint32_t X, const lw_frame *fi, const lw_frame *fo, bool top, uint32_t dy,
                      uint32_t dx)
{
    const uint32_t a = fi->rb - fo->rb, c = fi->wb - fo->wb, no = lw_frame_nvars(fo);
    uint8_t map[GKR_MAX_NVARS];
    uint32_t k = 0;
    for (uint32_t j = 0; j < fi->wb; j++, k++)
        map[k] = j >= c ? (uint8_t)(j - c)
                 : top  ? (uint8_t)(no + j)
                        : (uint8_t)(((dx >> j) & 1) ? GKR_VIEW_CONST1 : GKR_VIEW_CONST0);
    for (uint32_t j = 0; j < fi->rb; j++, k++)
        map[k] = j >= a ? (uint8_t)(fo->wb + j - a)
                 : top  ? (uint8_t)(no + c + j)
                        : (uint8_t)(((dy >> j) & 1) ? GKR_VIEW_CONST1 : GKR_VIEW_CONST0);
    for (uint32_t j = 0; j < fo->cb; j++, k++)
        map[k] = (uint8_t)(fo->wb + fo->rb + j);
    return gkr_view_mapped(X, k, no + (top ? a + c : 0), map, GKR_VIEW_ZERO);
}

uint64_t lw_pool_src(const lw_frame *fi, const lw_frame *fo, uint64_t g, uint32_t k, bool *outside)
{
    const uint32_t a = fi->rb - fo->rb, c = fi->wb - fo->wb;
    const uint64_t x = g & (((uint64_t)1 << fo->wb) - 1);
    const uint64_t y = (g >> fo->wb) & (((uint64_t)1 << fo->rb) - 1);
    const uint64_t ch = g >> (fo->wb + fo->rb);
    const uint64_t dy = k >> c, dx = k & (((uint64_t)1 << c) - 1);
    *outside = y >= fo->H || x >= fo->W;
    return (ch << (fi->rb + fi->wb)) | (((y << a) | dy) << fi->wb) | ((x << c) | dx);
}

void lw_pool_reference(const zkm_model *m, uint32_t i, const double *in, double *out, bool max)
{
    const zkm_node *d = &m->nodes[i];
    const zkm_shape *si = &m->nodes[d->in[0]].shape;
    const uint32_t H = si->dim[si->rank - 2], W = si->dim[si->rank - 1];
    const uint32_t C = si->rank == 3 ? si->dim[0] : 1;
    const uint32_t Ho = d->shape.dim[d->shape.rank - 2], Wo = d->shape.dim[d->shape.rank - 1];
    for (uint32_t c = 0; c < C; c++)
        for (uint32_t y = 0; y < Ho; y++)
            for (uint32_t x = 0; x < Wo; x++) {
                double acc = max ? -INFINITY : 0;
                for (uint32_t dy = 0; dy < d->u.pool.kh; dy++)
                    for (uint32_t dx = 0; dx < d->u.pool.kw; dx++) {
                        const double v = in[((size_t)c * H + (size_t)y * d->u.pool.sh + dy) * W +
                                            (size_t)x * d->u.pool.sw + dx];
                        acc = max ? (v > acc ? v : acc) : acc + v;
                    }
                out[((size_t)c * Ho + y) * Wo + x] =
                    max ? acc : acc / ((double)d->u.pool.kh * d->u.pool.kw);
            }
}
