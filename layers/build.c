/* The circuit builder, the range check shared by every rescaling op, and
 * witness helpers (lower.h). */
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* ------------------------------------------------------------ builder */

zkm_status lw_new(lw_builder *b, uint32_t *id, zkm_err *e)
{
    if (b->n == b->cap) {
        const uint32_t cap = b->cap ? 2 * b->cap : 64;
        gkr_layer *l = realloc(b->layers, cap * sizeof *l);
        if (!l)
            return zkm_fail(e, ZKM_ENOMEM, "out of memory building the circuit");
        b->layers = l;
        lw_meta *m = realloc(b->meta, cap * sizeof *m);
        if (!m)
            return zkm_fail(e, ZKM_ENOMEM, "out of memory building the circuit");
        b->meta = m;
        b->cap = cap;
    }
    memset(&b->layers[b->n], 0, sizeof b->layers[0]);
    b->meta[b->n] = (lw_meta){.node = b->cur_node, .role = LW_IN_ADVICE};
    *id = b->n++;
    return ZKM_OK;
}

zkm_status lw_public(lw_builder *b, uint32_t nvars, lw_in_role role, uint32_t *id, zkm_err *e)
{
    zkm_status st = lw_new(b, id, e);
    if (!st)
        st = gkr_layer_input(&b->layers[*id], nvars, GKR_INPUT_PUBLIC, e);
    if (!st)
        b->meta[*id].role = role;
    return st;
}

zkm_status lw_mask(lw_builder *b, uint32_t rb, uint32_t wb, uint32_t H, uint32_t W,
                   uint32_t *id, zkm_err *e)
{
    for (uint32_t k = 0; k < b->n_masks; k++) {
        const struct lw_mask *m = &b->masks[k];
        if (m->rb == rb && m->wb == wb && m->H == H && m->W == W) {
            *id = m->id;
            return ZKM_OK;
        }
    }
    if (b->n_masks == b->cap_masks) {
        const uint32_t cap = b->cap_masks ? 2 * b->cap_masks : 8;
        struct lw_mask *m = realloc(b->masks, cap * sizeof *m);
        if (!m)
            return zkm_fail(e, ZKM_ENOMEM, "out of memory building the circuit");
        b->masks = m;
        b->cap_masks = cap;
    }
    const uint32_t saved = b->cur_node;
    b->cur_node = LW_NONE;
    zkm_status st = lw_public(b, rb + wb, LW_IN_MASK, id, e);
    b->cur_node = saved;
    if (st)
        return st;
    b->masks[b->n_masks++] = (struct lw_mask){rb, wb, H, W, *id};
    return ZKM_OK;
}

gkr_view lw_view(const lw_builder *b, uint32_t id)
{
    return (gkr_view){.layer = id, .nvars = b->layers[id].nvars};
}

gkr_view lw_view_bcast_channels(const lw_builder *b, uint32_t id, uint32_t cb)
{
    uint8_t map[GKR_MAX_NVARS] = {0};
    const uint32_t n = b->layers[id].nvars;
    for (uint32_t i = 0; i < n; i++)
        map[i] = (uint8_t)i;
    return gkr_view_mapped(id, n, n + cb, map, GKR_VIEW_BROADCAST);
}

gkr_view lw_view_bcast_positions(const lw_builder *b, uint32_t id, uint32_t rb, uint32_t wb)
{
    uint8_t map[GKR_MAX_NVARS] = {0};
    const uint32_t n = b->layers[id].nvars;
    for (uint32_t i = 0; i < n; i++)
        map[i] = (uint8_t)(rb + wb + i);
    return gkr_view_mapped(id, n, n + rb + wb, map, GKR_VIEW_BROADCAST);
}

/* fr of +-2^k for any k < 254. */
static void fr_pow2(fr *out, uint32_t k, int negative)
{
    uint64_t limbs[4] = {0, 0, 0, 0};
    limbs[k / 64] = (uint64_t)1 << (k % 64);
    fr_from_limbs(out, limbs);
    if (negative)
        fr_neg(out, out);
}

/* A new eltwise layer with field coefficients. */
static zkm_status new_eltwise(lw_builder *b, uint32_t nvars, uint32_t n_src, const gkr_view *src,
                              uint32_t n_terms, const fr *coef, const uint32_t *start,
                              const uint32_t *fac, uint32_t flags, uint32_t *id, zkm_err *e)
{
    zkm_status st = lw_new(b, id, e);
    if (!st)
        st = gkr_layer_eltwise(&b->layers[*id], nvars, n_src, src, n_terms, coef, start, fac, e);
    if (!st)
        b->layers[*id].flags = flags;
    return st;
}

zkm_status lw_eltwise(lw_builder *b, const lw_sum *s, uint32_t flags, uint32_t *id, zkm_err *e)
{
    fr *coef = zkm_calloc(s->n_terms, sizeof(fr), "eltwise coefficients", e);
    if (!coef)
        return ZKM_ENOMEM;
    for (uint32_t t = 0; t < s->n_terms; t++)
        fr_set_i64(&coef[t], s->coef[t]);
    zkm_status st = new_eltwise(b, s->nvars, s->n_src, s->src, s->n_terms, coef, s->term_start,
                                s->factors, flags, id, e);
    free(coef);
    return st;
}

/* D's rows (lower.h): a digit of V of `width` bits at bit `pos`, or
 * (dup_of >= 0) row dup_of's limb plus 2^L - 2^width. */
typedef struct {
    uint32_t pos, width;
    int32_t dup_of;
} range_row;

#define RANGE_MAX_ROWS 96 /* s + B <= 62 + 32 bit rows; fewer with limbs */

/* The rows of r, in order; returns their number.  *top (may be NULL): the
 * row of u's top bit for a relu, else UINT32_MAX. */
static uint32_t range_rows(const lw_range *r, range_row *rows, uint32_t *top)
{
    const uint32_t L = r->limb ? r->limb : 1, s = r->shift, B = r->bits;
    const bool relu = r->out_kind == LW_OUT_RELU;
    /* fields (offset, width): rem, then u, or u's low bits and top bit */
    const uint32_t fo[3] = {0, s, s + B - 1}, fw[3] = {s, relu ? B - 1 : B, 1};
    uint32_t n = 0;
    if (top)
        *top = UINT32_MAX;
    for (uint32_t f = 0; f < (relu ? 3u : 2u); f++)
        for (uint32_t k = 0; k * L < fw[f]; k++) {
            const uint32_t w = fw[f] - k * L < L ? fw[f] - k * L : L;
            if (f == 2 && top)
                *top = n;
            rows[n++] = (range_row){fo[f] + k * L, w, -1};
        }
    const uint32_t limbs = n;
    for (uint32_t j = 0; r->limb && j < limbs; j++)
        if (rows[j].width < L)
            rows[n++] = (range_row){0, rows[j].width, (int32_t)j};
    return n;
}

/* The recomposition layer: S + 2^(s-1) + [signed] 2^(s+B-1)
 *   - sum over digit rows j of 2^pos_j D_j = 0. */
static zkm_status build_recompose(lw_builder *b, const lw_sum *s, lw_range *r,
                                  const range_row *rw, uint32_t n_rows, zkm_err *e)
{
    uint32_t rows = 0;
    while (rows < n_rows && rw[rows].dup_of < 0)
        rows++;
    const uint32_t ns = s->n_src + rows;
    const uint32_t nt = s->n_terms + rows + 1, nf = s->term_start[s->n_terms] + rows;
    gkr_view *src = zkm_calloc(ns, sizeof *src, "recomposition", e);
    fr *coef = zkm_calloc(nt, sizeof *coef, "recomposition", e);
    uint32_t *start = zkm_calloc(nt + 1, sizeof *start, "recomposition", e);
    uint32_t *fac = zkm_calloc(nf + 1, sizeof *fac, "recomposition", e);
    zkm_status st = ZKM_ENOMEM;
    if (!src || !coef || !start || !fac)
        goto done;
    memcpy(src, s->src, s->n_src * sizeof *src);
    for (uint32_t j = 0; j < rows; j++)
        src[s->n_src + j] = (gkr_view){.layer = r->d, .nvars = s->nvars,
                                       .offset = (uint64_t)j << s->nvars};
    for (uint32_t t = 0; t < s->n_terms; t++) {
        fr_set_i64(&coef[t], s->coef[t]);
        start[t] = s->term_start[t];
    }
    memcpy(fac, s->factors, s->term_start[s->n_terms] * sizeof *fac);
    uint32_t t = s->n_terms, f = s->term_start[s->n_terms];
    for (uint32_t j = 0; j < rows; j++, t++) {
        fr_pow2(&coef[t], rw[j].pos, 1);
        start[t] = f;
        fac[f++] = s->n_src + j;
    }
    /* the constant term (no factors) */
    fr c, p;
    fr_set_zero(&c);
    if (r->shift > 0) {
        fr_pow2(&p, r->shift - 1, 0);
        fr_add(&c, &c, &p);
    }
    if (r->is_signed) {
        fr_pow2(&p, r->shift + r->bits - 1, 0);
        fr_add(&c, &c, &p);
    }
    coef[t] = c;
    start[t] = f;
    const uint32_t terms = fr_is_zero(&c) ? nt - 1 : nt; /* no zero constant */
    start[terms] = f;
    st = new_eltwise(b, s->nvars, ns, src, terms, coef, start, fac, GKR_LAYER_ZERO, &r->zrec, e);
done:
    free(src);
    free(coef);
    free(start);
    free(fac);
    return st;
}

/* Limbs: the rows dup_j = limb_j + 2^L - 2^w_j, as one zero layer
 *   sum_j 2^((L + 2) k_j) (dup_j - limb_j - 2^L + 2^w_j) = 0
 * (k_j = 0, 1, ...).  Every row being looked up in 0 .. 2^L - 1, each
 * bracket lies in (-2^(L+1), 2^L), so the sum, far below the field's size,
 * is zero only if every bracket is. */
static zkm_status build_dups(lw_builder *b, uint32_t nvars, lw_range *r, const range_row *rw,
                             uint32_t n_rows, zkm_err *e)
{
    gkr_view src[2 * RANGE_MAX_ROWS];
    fr coef[2 * RANGE_MAX_ROWS + 1], p, k;
    uint32_t start[2 * RANGE_MAX_ROWS + 2], fac[2 * RANGE_MAX_ROWS], t = 0, kth = 0;
    fr_set_zero(&k);
    for (uint32_t j = 0; j < n_rows; j++) {
        if (rw[j].dup_of < 0)
            continue;
        const uint32_t w = (kth++) * (r->limb + 2);
        src[t] = (gkr_view){.layer = r->d, .nvars = nvars, .offset = (uint64_t)j << nvars};
        src[t + 1] = (gkr_view){.layer = r->d, .nvars = nvars,
                                .offset = (uint64_t)rw[j].dup_of << nvars};
        fr_pow2(&coef[t], w, 0);
        fr_pow2(&coef[t + 1], w, 1);
        start[t] = t;
        start[t + 1] = t + 1;
        fac[t] = t;
        fac[t + 1] = t + 1;
        /* the constant: 2^w (2^width - 2^L) */
        fr_pow2(&p, w + rw[j].width, 0);
        fr_add(&k, &k, &p);
        fr_pow2(&p, w + r->limb, 1);
        fr_add(&k, &k, &p);
        t += 2;
    }
    if (t == 0) {
        r->zdup = LW_NONE;
        return ZKM_OK;
    }
    coef[t] = k;
    start[t] = t;
    start[t + 1] = t;
    return new_eltwise(b, nvars, t, src, t + 1, coef, start, fac, GKR_LAYER_ZERO, &r->zdup, e);
}

/* q = sum over u's rows of 2^(pos-s) D_j [- 2^(B-1)], or
 * relu(q) = D_top * sum over the low rows of 2^(pos-s) D_j.  The sources
 * are u's rows in order (the top bit's last). */
static zkm_status build_output(lw_builder *b, uint32_t nvars, lw_range *r, const range_row *rw,
                               uint32_t n_rows, uint32_t top, zkm_err *e)
{
    gkr_view src[RANGE_MAX_ROWS];
    fr coef[RANGE_MAX_ROWS + 1];
    uint32_t start[RANGE_MAX_ROWS + 2], fac[2 * RANGE_MAX_ROWS], t = 0, f = 0, ns = 0;
    const bool relu = r->out_kind == LW_OUT_RELU;
    uint32_t top_src = 0;
    for (uint32_t j = 0; j < n_rows; j++)
        if (rw[j].dup_of < 0 && rw[j].pos >= r->shift) {
            if (j == top)
                top_src = ns;
            src[ns++] = (gkr_view){.layer = r->d, .nvars = nvars, .offset = (uint64_t)j << nvars};
        }
    for (uint32_t k = 0, j = 0; j < n_rows; j++) {
        if (rw[j].dup_of >= 0 || rw[j].pos < r->shift)
            continue;
        if (j != top) {
            fr_pow2(&coef[t], rw[j].pos - r->shift, 0);
            start[t++] = f;
            if (relu)
                fac[f++] = top_src;
            fac[f++] = k;
        }
        k++;
    }
    if (!relu && r->is_signed) {
        fr_pow2(&coef[t], r->bits - 1, 1);
        start[t++] = f;
    }
    start[t] = f;
    return new_eltwise(b, nvars, ns, src, t, coef, start, fac, 0, &r->out, e);
}

zkm_status lw_range_build(lw_builder *b, const lw_sum *s, uint32_t shift, uint32_t bits,
                          bool is_signed, lw_out out, lw_range *r, zkm_err *e)
{
    if (bits < 2 || bits > 32)
        return zkm_fail(e, ZKM_EINVAL, "range check of %u bits", bits);
    if (shift > 62)
        return zkm_fail(e, ZKM_EFORMAT, "a rescale by %u bits is beyond the prover's 62",
                        shift);
    *r = (lw_range){.shift = shift, .bits = bits, .limb = b->limb, .is_signed = is_signed,
                    .out_kind = out, .zbool = LW_NONE, .zdup = LW_NONE, .out = LW_NONE};
    range_row rw[RANGE_MAX_ROWS];
    uint32_t top;
    const uint32_t rows = range_rows(r, rw, &top);
    r->nb = lw_log2_ceil(rows);
    zkm_status st = lw_new(b, &r->d, e);
    if (!st)
        st = gkr_layer_advice(&b->layers[r->d], s->nvars + r->nb, (uint64_t)rows << s->nvars,
                              GKR_ENC_UINT, r->limb ? r->limb : 1, e);
    if (st)
        return st;
    const gkr_view dv = lw_view(b, r->d);
    if (r->limb) {
        st = build_dups(b, s->nvars, r, rw, rows, e);
        if (!st && b->n_lk == b->cap_lk) {
            const uint32_t cap = b->cap_lk ? 2 * b->cap_lk : 16;
            uint32_t *d = realloc(b->lk_d, cap * sizeof *d);
            if (!d)
                return zkm_fail(e, ZKM_ENOMEM, "out of memory building the circuit");
            b->lk_d = d;
            b->cap_lk = cap;
        }
        if (!st)
            b->lk_d[b->n_lk++] = r->d;
    } else {
        /* booleanity: D * D - D = 0 */
        const int64_t bc[2] = {1, -1};
        const uint32_t bstart[3] = {0, 2, 3}, bfac[3] = {0, 0, 0};
        const lw_sum bs = {.nvars = s->nvars + r->nb, .n_src = 1, .src = &dv, .n_terms = 2,
                           .coef = bc, .term_start = bstart, .factors = bfac};
        st = lw_eltwise(b, &bs, GKR_LAYER_ZERO, &r->zbool, e);
    }
    if (!st)
        st = build_recompose(b, s, r, rw, rows, e);
    if (!st && out != LW_OUT_NONE)
        st = build_output(b, s->nvars, r, rw, rows, top, e);
    return st;
}

/* ------------------------------------------------------------ witness */

fr *lw_values(lw_wit *w, uint32_t id)
{
    /* calloc: a large table comes straight from the kernel as zero pages,
     * not written, and a zero layer's are never written at all */
    if (!w->values[id])
        w->values[id] = zkm_calloc((size_t)1 << w->b->meta[id].nvars, sizeof(fr),
                                   "layer values", w->e);
    return w->values[id];
}

int32_t *lw_act(lw_wit *w, uint32_t node)
{
    if (!w->act[node]) {
        const size_t n = (size_t)1 << lw_frame_nvars(&w->nodes[node].frame);
        w->act[node] = zkm_calloc(n, sizeof(int32_t), "activations", w->e);
    }
    return w->act[node];
}

void lw_fr_set_i128(fr *out, __int128 v)
{
    if (v >= INT64_MIN && v <= INT64_MAX) {
        fr_set_i64(out, (int64_t)v);
        return;
    }
    const int neg = v < 0;
    unsigned __int128 a = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    uint64_t limbs[4] = {(uint64_t)a, (uint64_t)(a >> 64), 0, 0};
    fr_from_limbs(out, limbs);
    if (neg)
        fr_neg(out, out);
}

/* Logical index of frame position g, or UINT64_MAX outside the tensor. */
static uint64_t logical_index(const lw_frame *f, uint64_t g)
{
    const uint64_t x = g & (((uint64_t)1 << f->wb) - 1);
    const uint64_t y = (g >> f->wb) & (((uint64_t)1 << f->rb) - 1);
    const uint64_t c = g >> (f->wb + f->rb);
    if (x >= f->W || y >= f->H || c >= f->C)
        return UINT64_MAX;
    return (c * f->H + y) * f->W + x;
}

zkm_status lw_range_witness(lw_wit *w, uint32_t i, const lw_range *r, const __int128 *S,
                            const lw_frame *f, int32_t *act)
{
    const uint32_t nvars = w->b->meta[r->zrec].nvars;
    const size_t n = (size_t)1 << nvars;
    const __int128 lo = r->is_signed ? -((__int128)1 << (r->bits - 1)) : 0;
    const __int128 hi = r->is_signed ? ((__int128)1 << (r->bits - 1)) : ((__int128)1 << r->bits);
    range_row rw[RANGE_MAX_ROWS];
    const uint32_t rows = range_rows(r, rw, NULL);
    fr *D = NULL, *out = NULL;
    lw_smallfr sf = {0}, df = {0}; /* outputs: B-bit integers; digits: limbs */
    if (w->fill) {
        D = lw_values(w, r->d);
        if (!D || (r->zbool != LW_NONE && !lw_values(w, r->zbool)) ||
            !lw_values(w, r->zrec) || (r->zdup != LW_NONE && !lw_values(w, r->zdup)))
            return ZKM_ENOMEM;
        if (r->out != LW_NONE && (!(out = lw_values(w, r->out)) ||
                                  lw_smallfr_init(&sf, r->bits + !r->is_signed, n, w->e)))
            return ZKM_ENOMEM;
        /* digits are below 2^L: a signed table of L + 1 bits (none past 16) */
        if (lw_smallfr_init(&df, (r->limb ? r->limb : 1) + 1, n, w->e)) {
            lw_smallfr_free(&sf);
            return ZKM_ENOMEM;
        }
    }
    for (size_t g = 0; g < n; g++) {
        const __int128 q = lw_rescale(S[g], r->shift);
        if (q < lo || q >= hi) {
            const uint64_t li = f ? logical_index(f, g) : UINT64_MAX;
            char fmt[16];
            lw_smallfr_free(&sf);
            lw_smallfr_free(&df);
            zkm_qfmt_str(w->m->nodes[i].fmt, fmt, sizeof fmt);
            if (li == UINT64_MAX)
                return zkm_fail(w->e, ZKM_EFORMAT, "%s: a range check fails at frame entry "
                                "%zu (internal error)", w->m->nodes[i].name, g);
            if (r->is_signed)
                return zkm_fail(w->e, ZKM_EFORMAT, "%s: entry %llu is %lld, outside %s's "
                                "%lld..%lld", w->m->nodes[i].name, (unsigned long long)li,
                                (long long)q, fmt, (long long)lo, (long long)(hi - 1));
            return zkm_fail(w->e, ZKM_EFORMAT, "%s: a window difference at entry %llu needs "
                            "more than %u bits", w->m->nodes[i].name, (unsigned long long)li,
                            r->bits);
        }
        const int64_t res = r->is_signed && r->out_kind == LW_OUT_RELU && q < 0 ? 0 : (int64_t)q;
        if (act)
            act[g] = (int32_t)res;
        if (!w->fill)
            continue;
        const __int128 t = S[g] + (r->shift ? ((__int128)1 << (r->shift - 1)) : 0);
        /* V = rem + 2^s u, below 2^(s+B) <= 2^94 */
        const unsigned __int128 V = (unsigned __int128)(t - q * ((__int128)1 << r->shift)) +
                                    ((unsigned __int128)(q - lo) << r->shift);
        uint32_t dig[RANGE_MAX_ROWS];
        for (uint32_t j = 0; j < rows; j++) {
            dig[j] = rw[j].dup_of >= 0
                         ? dig[rw[j].dup_of] + (1u << r->limb) - (1u << rw[j].width)
                         : (uint32_t)(V >> rw[j].pos) & ((1u << rw[j].width) - 1);
            if (dig[j])
                lw_smallfr_set(&df, &D[((size_t)j << nvars) + g], dig[j]);
            if (w->lk_counts)
                w->lk_counts[dig[j]]++;
        }
        if (out)
            lw_smallfr_set(&sf, &out[g], res);
    }
    /* the rows past the last (zero) are looked up too */
    if (w->fill && w->lk_counts && r->limb)
        w->lk_counts[0] += (((size_t)1 << r->nb) - rows) << nvars;
    lw_smallfr_free(&sf);
    lw_smallfr_free(&df);
    return ZKM_OK;
}

lw_out lw_out_for(const lw_node *nodes, uint32_t i)
{
    return nodes[i].fused != LW_NONE ? LW_OUT_RELU : LW_OUT_Q;
}

void lw_set_layer(lw_node *nodes, uint32_t i, uint32_t id)
{
    nodes[i].layer = id;
    if (nodes[i].fused != LW_NONE)
        nodes[nodes[i].fused].layer = id;
}

/* ------------------------------------- ops that sum inputs, then range */

zkm_status lw_lower_sum_range(lw_builder *b, const zkm_model *m, lw_node *nodes, uint32_t i,
                              lw_out out, zkm_err *e)
{
    const zkm_node *d = &m->nodes[i];
    lw_node *x = &nodes[i];
    gkr_view src[2];
    const int64_t coef[2] = {1, 1};
    const uint32_t start[3] = {0, 1, 2}, fac[2] = {0, 1};
    for (uint32_t k = 0; k < d->n_in; k++)
        src[k] = lw_view(b, nodes[nodes[d->in[k]].storage].layer);
    const lw_sum s = {.nvars = lw_frame_nvars(&x->frame), .n_src = d->n_in, .src = src,
                      .n_terms = d->n_in, .coef = coef, .term_start = start, .factors = fac};
    zkm_status st = lw_range_build(b, &s, d->shift, d->fmt.bits, true, out, &x->range, e);
    if (!st)
        lw_set_layer(nodes, i, x->range.out);
    return st;
}

zkm_status lw_witness_sum_range(lw_wit *w, uint32_t i)
{
    const zkm_node *d = &w->m->nodes[i];
    const lw_node *x = &w->nodes[i];
    const size_t n = (size_t)1 << lw_frame_nvars(&x->frame);
    int32_t *act = lw_act(w, x->fused != LW_NONE ? x->fused : i);
    __int128 *S = zkm_calloc(n, sizeof *S, "sums", w->e);
    zkm_status st = ZKM_ENOMEM;
    if (act && S) {
        st = ZKM_OK;
        for (uint32_t k = 0; k < d->n_in && !st; k++) {
            const int32_t *a = w->act[w->nodes[d->in[k]].storage];
            if (!a)
                st = zkm_fail(w->e, ZKM_EINVAL, "%s: input not computed", d->name);
            for (size_t g = 0; a && g < n; g++)
                S[g] += a[g];
        }
        if (!st)
            st = lw_range_witness(w, i, &x->range, S, &x->frame, act);
    }
    free(S);
    return st;
}

zkm_status lw_smallfr_init(lw_smallfr *s, uint32_t bits, size_t uses, zkm_err *e)
{
    *s = (lw_smallfr){0};
    if (bits > 16 || ((size_t)1 << bits) > uses)
        return ZKM_OK; /* conversions one by one */
    s->lo = -((int64_t)1 << (bits - 1));
    s->hi = -s->lo - 1;
    s->table = zkm_alloc_array((size_t)1 << bits, sizeof(fr), "conversion table", e);
    if (!s->table)
        return ZKM_ENOMEM;
    for (int64_t v = s->lo; v <= s->hi; v++)
        fr_set_i64(&s->table[v - s->lo], v);
    return ZKM_OK;
}

void lw_smallfr_free(lw_smallfr *s)
{
    free(s->table);
    s->table = NULL;
}

const zkm_tensor *lw_find_tensor(const zkm_model *m, uint32_t i, const zkm_tensor_set *w,
                                 zkm_wrole role)
{
    const zkm_node *d = &m->nodes[i];
    for (uint32_t k = 0; k < d->n_w; k++)
        if (d->w[k].role == role)
            return zkm_tensor_set_find(w, d->w[k].name);
    return NULL;
}
