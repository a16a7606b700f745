/* maxpool (window = stride = kh x kw, powers of two, at most 4 entries):
 * the maxima M are advice; the circuit proves, for every window entry X_w,
 *   Dl_w = M - X_w >= 0      (Dl's bits: a range check of B bits)
 *   prod_w Dl_w = 0          (M is one of the entries)
 * so M is the maximum.  Dl is one layer whose top index bits are the window
 * entry, read from the input's frame through a view that moves the low row
 * and column bits to the top.  Windows reaching past the output (a last row
 * or column left over) read the input through the output's mask, so every
 * entry outside the output is a maximum of zeros. */
#include <stdlib.h>
#include <string.h>

#include "lower.h"

static zkm_status maxpool_lower(lw_builder *b, const zkm_model *m, lw_node *nodes, uint32_t i,
                                zkm_err *e)
{
    const zkm_node *d = &m->nodes[i];
    lw_node *x = &nodes[i];
    const lw_node *in = &nodes[nodes[d->in[0]].storage];
    const lw_frame *fi = &in->frame, *fo = &x->frame;
    const uint32_t win = d->u.pool.kh * d->u.pool.kw, wb = (fi->rb - fo->rb) + (fi->wb - fo->wb);
    const uint32_t no = lw_frame_nvars(fo);
    if (win > 4)
        return zkm_fail(e, ZKM_EFORMAT, "%s: the prover supports max-pooling windows of at "
                        "most 4 entries (this one has %u)", d->name, win);
    zkm_status st = lw_new(b, &x->al, e); /* M */
    if (!st)
        st = gkr_layer_advice(lw_layer(b, x->al), no, (uint64_t)1 << no, GKR_ENC_SINT,
                              d->fmt.bits, e);
    if (!st && lw_pool_leftover(d, fi, fo))
        st = lw_mask(b, fo->rb, fo->wb, fo->H, fo->W, &x->ml, e);
    if (st)
        return st;
    /* Dl = M - X [* mask] */
    gkr_view src[3] = {lw_view_bcast_channels(b, x->al, wb), lw_pool_view(in->layer, fi, fo, true, 0, 0)};
    uint32_t ns = 2, fac[3] = {0, 1, 2}, start[3] = {0, 1, 2};
    if (x->ml != LW_NONE) {
        src[ns++] = lw_view_bcast_channels(b, x->ml, fo->cb + wb);
        start[2] = 3;
    }
    const int64_t coef[2] = {1, -1};
    const lw_sum dl = {.nvars = no + wb, .n_src = ns, .src = src, .n_terms = 2, .coef = coef,
                       .term_start = start, .factors = fac};
    st = lw_eltwise(b, &dl, 0, &x->dl, e);
    if (st)
        return st;
    const uint32_t dl_id = x->dl;
    /* Dl in [0, 2^B) */
    const gkr_view dv = lw_view(b, dl_id);
    const int64_t one = 1;
    const uint32_t s1[2] = {0, 1}, f1[1] = {0};
    const lw_sum ds = {.nvars = no + wb, .n_src = 1, .src = &dv, .n_terms = 1, .coef = &one,
                       .term_start = s1, .factors = f1};
    st = lw_range_build(b, &ds, 0, d->fmt.bits, false, LW_OUT_NONE, &x->range, e);
    if (st)
        return st;
    /* prod_w Dl_w = 0 */
    gkr_view blocks[4];
    uint32_t pf[4], ps[2] = {0, win};
    for (uint32_t k = 0; k < win; k++) {
        blocks[k] = (gkr_view){.layer = dl_id, .nvars = no, .offset = (uint64_t)k << no};
        pf[k] = k;
    }
    const lw_sum prod = {.nvars = no, .n_src = win, .src = blocks, .n_terms = 1, .coef = &one,
                         .term_start = ps, .factors = pf};
    uint32_t zp;
    st = lw_eltwise(b, &prod, GKR_LAYER_ZERO, &zp, e);
    if (!st)
        lw_set_layer(nodes, i, x->al);
    return st;
}

static zkm_status maxpool_witness(lw_wit *w, uint32_t i)
{
    const zkm_node *d = &w->m->nodes[i];
    const lw_node *x = &w->nodes[i];
    const uint32_t srcn = w->nodes[d->in[0]].storage;
    const lw_frame *fi = &w->nodes[srcn].frame, *fo = &x->frame;
    const uint32_t a = fi->rb - fo->rb, c = fi->wb - fo->wb, no = lw_frame_nvars(fo);
    const uint32_t win = 1u << (a + c);
    const size_t NO = (size_t)1 << no;
    const int32_t *X = w->act[srcn];
    int32_t *M = lw_act(w, i);
    __int128 *S = zkm_calloc(NO << (a + c), sizeof *S, "max-pool differences", w->e);
    zkm_status st = ZKM_ENOMEM;
    if (!X || !M || !S)
        goto done;
    for (size_t g = 0; g < NO; g++) {
        int64_t v[4], mx = INT64_MIN;
        for (uint32_t k = 0; k < win; k++) {
            bool out;
            const uint64_t src = lw_pool_src(fi, fo, g, k, &out);
            v[k] = out && x->ml != LW_NONE ? 0 : X[src];
            if (v[k] > mx)
                mx = v[k];
        }
        M[g] = (int32_t)mx;
        for (uint32_t k = 0; k < win; k++)
            S[((size_t)k << no) + g] = mx - v[k];
    }
    st = lw_range_witness(w, i, &x->range, S, NULL, NULL);
    if (st || !w->fill)
        goto done;
    fr *vm = lw_values(w, x->al), *vd = lw_values(w, x->dl);
    lw_smallfr sf; /* maxima of B bits, differences in [0, 2^B) */
    if (!vm || !vd || lw_smallfr_init(&sf, d->fmt.bits + 1, NO << (a + c), w->e)) {
        st = ZKM_ENOMEM;
        goto done;
    }
    for (size_t g = 0; g < NO; g++)
        lw_smallfr_set(&sf, &vm[g], M[g]);
    for (size_t g = 0; g < (NO << (a + c)); g++)
        lw_smallfr_set(&sf, &vd[g], (int64_t)S[g]);
    lw_smallfr_free(&sf);
done:
    free(S);
    return st;
}

static zkm_status maxpool_reference(const zkm_model *m, uint32_t i, const double *const *in,
                                    const zkm_tensor_set *ws, double *out, zkm_err *e)
{
    (void)ws;
    (void)e;
    lw_pool_reference(m, i, in[0], out, true);
    return ZKM_OK;
}

const lw_op lw_op_maxpool = {maxpool_lower, NULL, maxpool_witness, maxpool_reference};
