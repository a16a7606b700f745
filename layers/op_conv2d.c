/* conv2d: a conv layer over the input's frame at full resolution (stride
 * 1, the image at the origin, taps at signed offsets (dy - ph, dx - pw)),
 * then S = A[strided] + bias, masked to the output's valid positions when
 * the frame is larger than the output, then the range check (rescale to
 * the output format, with a following relu fused when it is the only
 * reader).
 *
 * Layers: weights K (public, (o * 2^cbi + c) * 2^t + k with k = dy kw + dx),
 * bias (public, per output channel), A (conv), the range check's layers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

static bool needs_mask(const lw_frame *f)
{
    return f->H < (1u << f->rb) || f->W < (1u << f->wb);
}

/* A's view at the output's resolution: the stride keeps the index bits
 * whose low log2(s) row and column bits are zero. */
static gkr_view strided(uint32_t A, const lw_frame *fi, const lw_frame *fo)
{
    const uint32_t a = fi->rb - fo->rb, c = fi->wb - fo->wb;
    uint8_t map[GKR_MAX_NVARS];
    uint32_t k = 0;
    for (uint32_t j = 0; j < fi->wb; j++, k++)
        map[k] = j < c ? GKR_VIEW_CONST0 : (uint8_t)(j - c);
    for (uint32_t j = 0; j < fi->rb; j++, k++)
        map[k] = j < a ? GKR_VIEW_CONST0 : (uint8_t)(fo->wb + j - a);
    for (uint32_t j = 0; j < fo->cb; j++, k++)
        map[k] = (uint8_t)(fo->wb + fo->rb + j);
    return gkr_view_mapped(A, k, lw_frame_nvars(fo), map, GKR_VIEW_ZERO);
}

static zkm_status conv_lower(lw_builder *b, const zkm_model *m, lw_node *nodes, uint32_t i,
                             zkm_err *e)
{
    const zkm_node *d = &m->nodes[i];
    lw_node *x = &nodes[i];
    const lw_node *in = &nodes[nodes[d->in[0]].storage];
    const lw_frame *fi = &in->frame, *fo = &x->frame;
    const uint32_t kh = d->u.conv2d.kh, kw = d->u.conv2d.kw, taps = kh * kw;
    const uint32_t t = lw_log2_ceil(taps);
    if (t > 16)
        return zkm_fail(e, ZKM_EFORMAT, "%s: a %ux%u kernel has more taps than the prover's "
                        "2^16", d->name, kh, kw);
    zkm_status st = lw_public(b, fo->cb + fi->cb + t, LW_IN_WEIGHT, &x->wl, e);
    if (st)
        return st;
    int64_t *off = zkm_calloc(2 * (size_t)taps, sizeof *off, "conv taps", e);
    if (!off)
        return ZKM_ENOMEM;
    for (uint32_t k = 0; k < taps; k++) {
        off[2 * k] = (int64_t)(k / kw) - d->u.conv2d.ph;
        off[2 * k + 1] = (int64_t)(k % kw) - d->u.conv2d.pw;
    }
    st = lw_new(b, &x->al, e);
    if (!st)
        st = gkr_layer_conv2d(lw_layer(b, x->al), fo->cb, fi->cb, fi->rb + fi->wb, fi->wb, t,
                              taps, off, lw_view(b, in->layer), lw_view(b, x->wl), e);
    free(off);
    if (st)
        return st;
    const bool bias = d->u.conv2d.bias || d->u.conv2d.bn != ZKM_NONE;
    if (bias && (st = lw_public(b, fo->cb, LW_IN_BIAS, &x->bl, e)))
        return st;
    if (needs_mask(fo) && (st = lw_mask(b, fo->rb, fo->wb, fo->H, fo->W, &x->ml, e)))
        return st;

    gkr_view src[3];
    uint32_t ns = 0;
    src[ns++] = fi->rb == fo->rb && fi->wb == fo->wb ? lw_view(b, x->al)
                                                      : strided(x->al, fi, fo);
    if (bias)
        src[ns++] = lw_view_bcast_positions(b, x->bl, fo->rb, fo->wb);
    if (x->ml != LW_NONE)
        src[ns++] = lw_view_bcast_channels(b, x->ml, fo->cb);
    /* S = A [* mask] + bias [* mask] */
    const int64_t coef[2] = {1, 1};
    uint32_t start[3] = {0}, fac[4], nf = 0, nt = 0;
    const uint32_t mask = bias ? 2 : 1;
    fac[nf++] = 0;
    if (x->ml != LW_NONE)
        fac[nf++] = mask;
    start[++nt] = nf;
    if (bias) {
        fac[nf++] = 1;
        if (x->ml != LW_NONE)
            fac[nf++] = mask;
        start[++nt] = nf;
    }
    const lw_sum s = {.nvars = lw_frame_nvars(fo), .n_src = ns, .src = src, .n_terms = nt,
                      .coef = coef, .term_start = start, .factors = fac};
    st = lw_range_build(b, &s, d->shift, d->fmt.bits, true, lw_out_for(nodes, i), &x->range, e);
    if (!st)
        lw_set_layer(nodes, i, x->range.out);
    return st;
}

static zkm_status conv_publics(lw_wit *w, uint32_t i)
{
    const zkm_node *d = &w->m->nodes[i];
    const lw_node *x = &w->nodes[i];
    const lw_qparams *q = &w->qw->p[i];
    const uint32_t ci = w->m->nodes[d->in[0]].shape.dim[0], co = d->u.conv2d.out;
    const uint32_t taps = d->u.conv2d.kh * d->u.conv2d.kw;
    const uint32_t cbi = w->nodes[w->nodes[d->in[0]].storage].frame.cb;
    const uint32_t t = w->b->meta[x->wl].nvars - cbi - x->frame.cb;
    if (!w->fill)
        return ZKM_OK;
    fr *K = lw_values(w, x->wl);
    lw_smallfr sf;
    if (!K || lw_smallfr_init(&sf, d->wfmt.bits, (size_t)co * ci * taps, w->e))
        return ZKM_ENOMEM;
    for (uint32_t o = 0; o < co; o++)
        for (uint32_t c = 0; c < ci; c++)
            for (uint32_t k = 0; k < taps; k++)
                lw_smallfr_set(&sf, &K[((((size_t)o << cbi) + c) << t) + k],
                               q->w[((size_t)o * ci + c) * taps + k]);
    lw_smallfr_free(&sf);
    if (x->bl != LW_NONE) {
        fr *B = lw_values(w, x->bl);
        if (!B)
            return ZKM_ENOMEM;
        for (uint32_t o = 0; o < co; o++)
            fr_set_i64(&B[o], q->b[o]);
    }
    return ZKM_OK;
}

/* A[o][y][x] over the input's whole frame (taps reading outside it add 0),
 * exactly; ACC is int64_t when no sum can overflow it, else __int128. */
#define CONV_KERNEL(NAME, ACC)                                                                 \
    static void NAME(const zkm_node *d, uint32_t ci, const lw_frame *fi, const int32_t *in,   \
                     const int32_t *wt, ACC *A)                                                \
    {                                                                                          \
        const int64_t R = (int64_t)1 << fi->rb, C = (int64_t)1 << fi->wb, P = R * C;          \
        const uint32_t kh = d->u.conv2d.kh, kw = d->u.conv2d.kw;                               \
        for (uint32_t o = 0; o < d->u.conv2d.out; o++)                                        \
            for (uint32_t c = 0; c < ci; c++)                                                  \
                for (uint32_t k = 0; k < kh * kw; k++) {                                       \
                    const int64_t wv = wt[((size_t)o * ci + c) * kh * kw + k];                 \
                    if (!wv)                                                                   \
                        continue;                                                              \
                    const int64_t dy = (int64_t)(k / kw) - d->u.conv2d.ph;                    \
                    const int64_t dx = (int64_t)(k % kw) - d->u.conv2d.pw;                    \
                    const int64_t y0 = dy < 0 ? -dy : 0, y1 = dy > 0 ? R - dy : R;             \
                    const int64_t x0 = dx < 0 ? -dx : 0, x1 = dx > 0 ? C - dx : C;             \
                    const int32_t *src = in + (int64_t)c * P;                                  \
                    ACC *dst = A + (int64_t)o * P;                                             \
                    for (int64_t y = y0; y < y1; y++) {                                        \
                        const int32_t *s = src + (y + dy) * C + dx;                            \
                        ACC *t = dst + y * C;                                                  \
                        for (int64_t x = x0; x < x1; x++)                                      \
                            t[x] += (ACC)(wv * s[x]);                                          \
                    }                                                                          \
                }                                                                              \
    }
CONV_KERNEL(conv_acc64, int64_t)
CONV_KERNEL(conv_acc128, __int128)

static zkm_status conv_witness(lw_wit *w, uint32_t i)
{
    const zkm_node *d = &w->m->nodes[i];
    const lw_node *x = &w->nodes[i];
    const uint32_t src = w->nodes[d->in[0]].storage;
    const lw_frame *fi = &w->nodes[src].frame, *fo = &x->frame;
    const uint32_t ci = w->m->nodes[d->in[0]].shape.dim[0];
    const size_t P = (size_t)1 << (fi->rb + fi->wb), NA = P << fo->cb;
    const size_t NO = (size_t)1 << lw_frame_nvars(fo);
    const int32_t *in = w->act[src];
    const lw_qparams *q = &w->qw->p[i];
    /* |sum| <= taps * ci * 2^(bi-1) * 2^(bw-1) */
    const uint32_t bi = w->m->nodes[d->in[0]].fmt.bits, bw = d->wfmt.bits;
    const double bound = (double)d->u.conv2d.kh * d->u.conv2d.kw * ci * ldexp(1, (int)(bi + bw - 2));
    zkm_status st = ZKM_ENOMEM;
    __int128 *A = zkm_calloc(NA, sizeof *A, "conv sums", w->e);
    __int128 *S = zkm_calloc(NO, sizeof *S, "conv sums", w->e);
    if (!A || !S || !in)
        goto done;
    if (bound < 0x1p62) {
        int64_t *a64 = zkm_calloc(NA, sizeof *a64, "conv sums", w->e);
        if (!a64)
            goto done;
        conv_acc64(d, ci, fi, in, q->w, a64);
        for (size_t g = 0; g < NA; g++)
            A[g] = a64[g];
        free(a64);
    } else {
        conv_acc128(d, ci, fi, in, q->w, A);
    }
    if (w->fill) {
        fr *va = lw_values(w, x->al);
        if (!va)
            goto done;
        for (size_t g = 0; g < NA; g++)
            lw_fr_set_i128(&va[g], A[g]);
    }
    /* S at the output's resolution: strided entry, bias, mask */
    const uint32_t a = fi->rb - fo->rb, c = fi->wb - fo->wb;
    for (uint64_t o = 0; o < (1u << fo->cb); o++)
        for (uint64_t y = 0; y < (1u << fo->rb); y++)
            for (uint64_t xx = 0; xx < (1u << fo->wb); xx++) {
                const size_t g = (o << (fo->rb + fo->wb)) | (y << fo->wb) | xx;
                if (y >= fo->H || xx >= fo->W) {
                    if (x->ml != LW_NONE)
                        continue; /* masked to 0 */
                }
                __int128 v = A[(o << (fi->rb + fi->wb)) | ((y << a) << fi->wb) | (xx << c)];
                if (x->bl != LW_NONE && o < d->u.conv2d.out)
                    v += q->b[o];
                S[g] = v;
            }
    {
        const uint32_t out = x->fused != LW_NONE ? x->fused : i;
        int32_t *act = lw_act(w, out);
        st = act ? lw_range_witness(w, i, &x->range, S, fo, act) : ZKM_ENOMEM;
    }
done:
    free(A);
    free(S);
    return st;
}

static zkm_status conv_reference(const zkm_model *m, uint32_t i, const double *const *in,
                                 const zkm_tensor_set *ws, double *out, zkm_err *e)
{
    const zkm_node *d = &m->nodes[i];
    const zkm_shape *si = &m->nodes[d->in[0]].shape;
    const uint32_t ci = si->dim[0], H = si->dim[1], W = si->dim[2];
    const uint32_t co = d->shape.dim[0], Ho = d->shape.dim[1], Wo = d->shape.dim[2];
    const zkm_tensor *wt = lw_find_tensor(m, i, ws, ZKM_W_WEIGHT);
    const zkm_tensor *bt = lw_find_tensor(m, i, ws, ZKM_W_BIAS);
    if (!wt)
        return zkm_fail(e, ZKM_EINVAL, "%s: no weights", d->name);
    const uint32_t kh = d->u.conv2d.kh, kw = d->u.conv2d.kw;
    for (uint32_t o = 0; o < co; o++)
        for (uint32_t y = 0; y < Ho; y++)
            for (uint32_t x = 0; x < Wo; x++) {
                double acc = bt ? bt->data[o] : 0;
                for (uint32_t c = 0; c < ci; c++)
                    for (uint32_t dy = 0; dy < kh; dy++)
                        for (uint32_t dx = 0; dx < kw; dx++) {
                            const int64_t yy = (int64_t)y * d->u.conv2d.sh + dy - d->u.conv2d.ph;
                            const int64_t xx = (int64_t)x * d->u.conv2d.sw + dx - d->u.conv2d.pw;
                            if (yy < 0 || yy >= H || xx < 0 || xx >= W)
                                continue;
                            acc += wt->data[(((size_t)o * ci + c) * kh + dy) * kw + dx] *
                                   in[0][((size_t)c * H + (size_t)yy) * W + (size_t)xx];
                        }
                out[((size_t)o * Ho + y) * Wo + x] = acc;
            }
    return ZKM_OK;
}

const lw_op lw_op_conv2d = {conv_lower, conv_publics, conv_witness, conv_reference};
