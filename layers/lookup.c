/* Range checks by lookup (LogUp): the fractional sums as circuit layers.
 *
 * Every range check's D layer (lower.h) holds digits that must lie in the
 * table T = 0 .. 2^L - 1.  With multiplicities m_t (advice: how often t is
 * looked up) and X drawn once everything is committed (a challenge layer),
 *     sum over every D entry d of 1 / (X - d)  =  sum_t m_t / (X - t)
 * holds as rational functions, and so at a random X except with
 * probability (entries + 2^L) / r, only if every d is in T (Haboeck,
 * "Multivariate lookups based on logarithmic derivatives", 2022).  Each sum
 * is computed by a binary tree of fractions p / q, a level halving the
 * entries by the top variable:
 *     p' = p_lo q_hi + p_hi q_lo,   q' = q_lo q_hi
 * the first level reading D (p = 1, q = X - d) or T and m (p = m, q = X - t)
 * directly (Papini and Haboeck, "Improving logarithmic derivative lookups
 * using GKR", 2023, prove the same tree with GKR).  The roots of the D
 * trees are added up by a chain of fraction sums over one entry, and a last
 * zero layer says that the total minus the table's sum is zero:
 *     A q_T - p_T B = 0.
 * Cross-multiplied, the check is a polynomial identity in X for an honest
 * witness, so it holds even where X hits a digit or a table entry (a q of
 * zero): nothing needs reporting, and a cheating witness passes only at
 * roots of a non-zero polynomial, probability at most (entries + 2^L) / r. */
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* An eltwise layer from small coefficients, computed after the challenge. */
static zkm_status late(lw_builder *b, uint32_t nvars, uint32_t n_src, const gkr_view *src,
                       uint32_t n_terms, const int64_t *coef, const uint32_t *start,
                       const uint32_t *fac, uint32_t flags, uint32_t *id, zkm_err *e)
{
    const lw_sum s = {.nvars = nvars, .n_src = n_src, .src = src, .n_terms = n_terms,
                      .coef = coef, .term_start = start, .factors = fac};
    zkm_status st = lw_eltwise(b, &s, flags, id, e);
    if (!st)
        b->meta[*id].late = true;
    return st;
}

/* The halves of layer id (nv variables, nv >= 1) by its top variable. */
static void halves(const lw_builder *b, uint32_t id, gkr_view *lo, gkr_view *hi)
{
    const uint32_t nv = b->layers[id].nvars;
    *lo = (gkr_view){.layer = id, .nvars = nv - 1, .offset = 0};
    *hi = (gkr_view){.layer = id, .nvars = nv - 1, .offset = (uint64_t)1 << (nv - 1)};
}

/* The challenge read as a layer of nv variables (every entry X). */
static gkr_view challenge(const lw_builder *b, uint32_t nv)
{
    uint8_t map[GKR_MAX_NVARS] = {0};
    return gkr_view_mapped(b->lk_x, 0, nv, map, GKR_VIEW_BROADCAST);
}

/* One level: (p', q') from (p, q). */
static zkm_status level(lw_builder *b, uint32_t *p, uint32_t *q, zkm_err *e)
{
    gkr_view src[4];
    halves(b, *p, &src[0], &src[1]);
    halves(b, *q, &src[2], &src[3]);
    const uint32_t nv = src[0].nvars;
    /* p_lo q_hi + p_hi q_lo */
    const int64_t pc[2] = {1, 1}, qc[1] = {1};
    const uint32_t ps[3] = {0, 2, 4}, pf[4] = {0, 3, 1, 2}, qs[2] = {0, 2}, qf[2] = {2, 3};
    zkm_status st = late(b, nv, 4, src, 2, pc, ps, pf, 0, p, e);
    return st ? st : late(b, nv, 4, src, 1, qc, qs, qf, 0, q, e);
}

/* The first level over a D layer (nv >= 1): p = (X - lo) + (X - hi),
 * q = (X - lo)(X - hi). */
static zkm_status leaves_d(lw_builder *b, uint32_t d, uint32_t *p, uint32_t *q, zkm_err *e)
{
    gkr_view src[3];
    halves(b, d, &src[1], &src[2]);
    const uint32_t nv = src[1].nvars;
    src[0] = challenge(b, nv);
    const int64_t pc[3] = {2, -1, -1}, qc[4] = {1, -1, -1, 1};
    const uint32_t ps[4] = {0, 1, 2, 3}, pf[3] = {0, 1, 2};
    const uint32_t qs[5] = {0, 2, 4, 6, 8}, qf[8] = {0, 0, 0, 1, 0, 2, 1, 2};
    zkm_status st = late(b, nv, 3, src, 3, pc, ps, pf, 0, p, e);
    return st ? st : late(b, nv, 3, src, 4, qc, qs, qf, 0, q, e);
}

/* The same over a D of one entry: p = 1, q = X - d. */
static zkm_status leaf_one(lw_builder *b, uint32_t d, uint32_t *p, uint32_t *q, zkm_err *e)
{
    const gkr_view src[2] = {challenge(b, 0), lw_view(b, d)};
    const int64_t pc[1] = {1}, qc[2] = {1, -1};
    const uint32_t ps[2] = {0, 0}, pf[1] = {0}, qs[3] = {0, 1, 2}, qf[2] = {0, 1};
    zkm_status st = late(b, 0, 2, src, 1, pc, ps, pf, 0, p, e); /* a constant: no factor */
    return st ? st : late(b, 0, 2, src, 2, qc, qs, qf, 0, q, e);
}

/* The table's first level: p = m_lo (X - T_hi) + m_hi (X - T_lo),
 * q = (X - T_lo)(X - T_hi). */
static zkm_status leaves_table(lw_builder *b, uint32_t *p, uint32_t *q, zkm_err *e)
{
    gkr_view src[5];
    halves(b, b->lk_m, &src[1], &src[2]);
    halves(b, b->lk_t, &src[3], &src[4]);
    const uint32_t nv = src[1].nvars;
    src[0] = challenge(b, nv);
    /* sources: X, m_lo, m_hi, T_lo, T_hi */
    const int64_t pc[4] = {1, -1, 1, -1}, qc[4] = {1, -1, -1, 1};
    const uint32_t ps[5] = {0, 2, 4, 6, 8}, pf[8] = {0, 1, 1, 4, 0, 2, 2, 3};
    const uint32_t qs[5] = {0, 2, 4, 6, 8}, qf[8] = {0, 0, 0, 3, 0, 4, 3, 4};
    zkm_status st = late(b, nv, 5, src, 4, pc, ps, pf, 0, p, e);
    return st ? st : late(b, nv, 5, src, 4, qc, qs, qf, 0, q, e);
}

/* A tree over D (or the table) down to one entry. */
static zkm_status tree(lw_builder *b, uint32_t d, uint32_t *p, uint32_t *q, zkm_err *e)
{
    zkm_status st;
    if (d == b->lk_m)
        st = leaves_table(b, p, q, e);
    else if (b->layers[d].nvars == 0)
        return leaf_one(b, d, p, q, e);
    else
        st = leaves_d(b, d, p, q, e);
    while (!st && b->layers[*p].nvars > 0)
        st = level(b, p, q, e);
    return st;
}

zkm_status lw_lookup_build(lw_builder *b, zkm_err *e)
{
    if (b->n_lk == 0)
        return ZKM_OK;
    const uint32_t saved = b->cur_node;
    b->cur_node = LW_NONE;
    /* the multiplicities count up to every entry of every D */
    uint64_t total = (uint64_t)1 << b->limb;
    for (uint32_t k = 0; k < b->n_lk; k++)
        total += (uint64_t)1 << b->layers[b->lk_d[k]].nvars;
    const uint32_t width = lw_log2_ceil(total + 1);
    zkm_status st = lw_new(b, &b->lk_x, e);
    if (!st)
        st = gkr_layer_input(&b->layers[b->lk_x], 0, GKR_INPUT_CHALLENGE, e);
    if (!st) {
        b->meta[b->lk_x].role = LW_IN_CHALLENGE;
        st = lw_public(b, b->limb, LW_IN_TABLE, &b->lk_t, e);
    }
    if (!st)
        st = lw_new(b, &b->lk_m, e);
    if (!st)
        st = gkr_layer_advice(&b->layers[b->lk_m], b->limb, (uint64_t)1 << b->limb,
                              GKR_ENC_UINT, width, e);
    uint32_t A = LW_NONE, B = LW_NONE, pt, qt;
    for (uint32_t k = 0; k < b->n_lk && !st; k++) {
        uint32_t p, q;
        st = tree(b, b->lk_d[k], &p, &q, e);
        if (st || k == 0) {
            A = p;
            B = q;
            continue;
        }
        /* A' = A q + p B, B' = B q */
        const gkr_view src[4] = {lw_view(b, A), lw_view(b, B), lw_view(b, p), lw_view(b, q)};
        const int64_t ac[2] = {1, 1}, bc[1] = {1};
        const uint32_t as[3] = {0, 2, 4}, af[4] = {0, 3, 2, 1}, bs[2] = {0, 2}, bf[2] = {1, 3};
        st = late(b, 0, 4, src, 2, ac, as, af, 0, &A, e);
        if (!st)
            st = late(b, 0, 4, src, 1, bc, bs, bf, 0, &B, e);
    }
    if (!st)
        st = tree(b, b->lk_m, &pt, &qt, e);
    if (!st) { /* A q_T - p_T B = 0 */
        const gkr_view src[4] = {lw_view(b, A), lw_view(b, B), lw_view(b, pt), lw_view(b, qt)};
        const int64_t zc[2] = {1, -1};
        const uint32_t zs[3] = {0, 2, 4}, zf[4] = {0, 3, 2, 1};
        uint32_t z;
        st = late(b, 0, 4, src, 2, zc, zs, zf, GKR_LAYER_ZERO, &z, e);
    }
    b->cur_node = saved;
    return st;
}

zkm_status lw_lookup_table(lw_wit *w)
{
    const lw_builder *b = w->b;
    if (b->n_lk == 0 || !w->fill)
        return ZKM_OK;
    fr *t = lw_values(w, b->lk_t);
    if (!t)
        return ZKM_ENOMEM;
    for (uint64_t v = 0; v < ((uint64_t)1 << b->limb); v++)
        fr_set_i64(&t[v], (int64_t)v);
    return ZKM_OK;
}

zkm_status lw_lookup_counts(lw_wit *w)
{
    const lw_builder *b = w->b;
    if (b->n_lk == 0 || !w->fill)
        return ZKM_OK;
    fr *m = lw_values(w, b->lk_m);
    if (!m || !w->lk_counts)
        return m ? zkm_fail(w->e, ZKM_EINVAL, "lookup: no counts kept") : ZKM_ENOMEM;
    for (uint64_t v = 0; v < ((uint64_t)1 << b->limb); v++) {
        uint64_t limbs[4] = {w->lk_counts[v], 0, 0, 0};
        fr_from_limbs(&m[v], limbs);
    }
    return ZKM_OK;
}
