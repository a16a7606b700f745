/* GKR_GENERIC: sparse add/sub/mul gates, proven with Libra's linear-time
 * two-phase sum-check.
 *
 * The sources are laid side by side in one table U (largest first, so each
 * starts at a multiple of its own length).  With W(g) = sum_k alpha_k
 * eq(z_k, g), the combined claim is
 *   sum_g W(g) V(g) = sum_gates W(g) * { U(x) + c U(y) (ADD c=1, SUB c=-1),
 *                                        U(x) U(y)     (MUL) }.
 * Phase 1 (over x):  sum_x U(x) H1(x) + H2(x), with
 *   H1[x] += W(g) U(y) (MUL),  H1[x] += W(g), H2[x] += c W(g) U(y) (ADD/SUB).
 * Phase 2 (over y, x bound to rx):  sum_y U(y) G1(y) + G2(y), with
 *   G1[y] += W(g) eq(rx, x) U(rx) (MUL),  G1[y] += c W(g) eq(rx, x),
 *   G2[y] += W(g) eq(rx, x) U(rx) (ADD/SUB).
 * Each phase is a degree-2 sum-check over U's length; the tables are built
 * with one pass over the gates.  The verifier's final check needs the wiring
 * predicates at (rx, ry): one pass over the gates with eq tables, linear in
 * the layer (this is the fallback kind; structured kinds avoid it). */
#include <stdlib.h>
#include <string.h>

#include "gkr_kind.h"
#include "mle.h"
#include "sumcheck.h"

#define GEN_MAX_SRC 255u

/* Gate loops touch tables at random indices (the wiring is arbitrary), so
 * they are bound by memory latency; prefetching the entries a later gate
 * will touch lets those misses overlap. */
#define GEN_AHEAD 16
#define GEN_PREFETCH(p) __builtin_prefetch((p), 1, 0)

static uint32_t gen_views(const gkr_layer *l, const gkr_view **out)
{
    *out = l->p.generic.src;
    return l->p.generic.n_src;
}

/* Offsets of the sources in U and U's variable count. */
static void gen_layout(const gkr_generic_params *p, uint64_t *off, uint32_t *u_nvars)
{
    uint64_t pos = 0;
    /* place by decreasing length (ties by index): every offset is aligned */
    for (uint32_t nv = GKR_MAX_NVARS + 1; nv-- > 0;)
        for (uint32_t s = 0; s < p->n_src; s++)
            if (p->src[s].nvars == nv) {
                off[s] = pos;
                pos += (uint64_t)1 << nv;
            }
    uint32_t u = 0;
    while (((uint64_t)1 << u) < pos)
        u++;
    *u_nvars = u;
}

static zkm_status gen_check(const gkr_circuit *c, uint32_t li, zkm_err *e)
{
    const gkr_layer *l = &c->layers[li];
    const gkr_generic_params *p = &l->p.generic;
    uint64_t off[GEN_MAX_SRC];
    uint32_t u;
    if (p->n_src == 0 || p->n_src > GEN_MAX_SRC)
        return zkm_fail(e, ZKM_EINVAL, "layer %u (generic): %u sources (1..%u)", li, p->n_src,
                        GEN_MAX_SRC);
    for (uint32_t s = 0; s < p->n_src; s++)
        if (p->src[s].nvars > 31)
            return zkm_fail(e, ZKM_EINVAL, "layer %u (generic): source %u is too long", li, s);
    gen_layout(p, off, &u);
    if (u > GKR_MAX_NVARS || l->nvars > 32)
        return zkm_fail(e, ZKM_EINVAL, "layer %u (generic): sources too large", li);
    const uint64_t out_len = (uint64_t)1 << l->nvars;
    for (size_t i = 0; i < p->n_gates; i++) {
        const gkr_gate *g = &p->gates[i];
        if (g->op > GKR_GATE_MUL || g->out >= out_len || g->src0 >= p->n_src ||
            g->src1 >= p->n_src || g->in0 >= ((uint64_t)1 << p->src[g->src0].nvars) ||
            g->in1 >= ((uint64_t)1 << p->src[g->src1].nvars))
            return zkm_fail(e, ZKM_EINVAL, "layer %u (generic): gate %zu is out of range", li, i);
    }
    return ZKM_OK;
}

static void gen_digest(const gkr_layer *l, crypto_generichash_state *h)
{
    const gkr_generic_params *p = &l->p.generic;
    enum { G = 15, CHUNK = 256 };
    uint8_t buf[CHUNK * G];
    gkr_digest_u64(h, p->n_src);
    for (uint32_t s = 0; s < p->n_src; s++)
        gkr_digest_view(h, &p->src[s]);
    gkr_digest_u64(h, p->n_gates);
    size_t k = 0;
    for (size_t i = 0; i < p->n_gates; i++) {
        const gkr_gate *g = &p->gates[i];
        uint8_t *b = buf + k * G;
        for (int j = 0; j < 4; j++) {
            b[j] = (uint8_t)(g->out >> (8 * j));
            b[4 + j] = (uint8_t)(g->in0 >> (8 * j));
            b[8 + j] = (uint8_t)(g->in1 >> (8 * j));
        }
        b[12] = g->op;
        b[13] = g->src0;
        b[14] = g->src1;
        if (++k == CHUNK) {
            crypto_generichash_update(h, buf, k * G);
            k = 0;
        }
    }
    crypto_generichash_update(h, buf, k * G);
}

/* U (2^u entries): the sources side by side, zero after them. */
static void gen_fill_u(const gkr_circuit *c, fr *const *values, const gkr_generic_params *p,
                       const uint64_t *off, uint32_t u, fr *U)
{
    const size_t len = (size_t)1 << u;
    uint64_t used = 0;
    for (uint32_t s = 0; s < p->n_src; s++) {
        gkr_view_table(values, c, &p->src[s], U + off[s]);
        used += (uint64_t)1 << p->src[s].nvars;
    }
    memset(U + used, 0, (len - used) * sizeof(fr));
}

static zkm_status gen_eval(const gkr_circuit *c, uint32_t li, fr *const *values, fr *out,
                           zkm_err *e)
{
    const gkr_generic_params *p = &c->layers[li].p.generic;
    uint64_t off[GEN_MAX_SRC];
    uint32_t u;
    gen_layout(p, off, &u);
    fr *U = zkm_alloc_array((size_t)1 << u, sizeof(fr), "generic layer inputs", e);
    if (!U)
        return ZKM_ENOMEM;
    gen_fill_u(c, values, p, off, u, U);
    for (size_t i = 0; i < p->n_gates; i++) {
        const gkr_gate *g = &p->gates[i];
        const fr *a = &U[off[g->src0] + g->in0], *b = &U[off[g->src1] + g->in1];
        if (i + GEN_AHEAD < p->n_gates) {
            const gkr_gate *h = &p->gates[i + GEN_AHEAD];
            GEN_PREFETCH(&U[off[h->src0] + h->in0]);
            GEN_PREFETCH(&U[off[h->src1] + h->in1]);
            GEN_PREFETCH(&out[h->out]);
        }
        fr t;
        if (g->op == GKR_GATE_MUL)
            fr_mul(&t, a, b);
        else if (g->op == GKR_GATE_ADD)
            fr_add(&t, a, b);
        else
            fr_sub(&t, a, b);
        fr_add(&out[g->out], &out[g->out], &t);
    }
    free(U);
    return ZKM_OK;
}

/* Degree-2 sum-check of sum_x T0(x) T1(x) + T2(x). */
static zkm_status gen_sumcheck(gkr_pctx *x, fr *T0, fr *T1, fr *T2, uint32_t u, fr *r,
                               zkm_err *e)
{
    static const unsigned start[3] = {0, 2, 3};
    static const unsigned factors[3] = {0, 1, 2};
    fr *tables[3] = {T0, T1, T2};
    sc_poly poly = {.n_tables = 3, .tables = tables, .n_terms = 2, .coef = NULL,
                    .term_start = start, .factors = factors};
    return sc_prove(&poly, u, x->ch, r, e);
}

/* Send each source's value at point r (u coordinates).  With a single source
 * as long as U, that value is U(r) itself. */
static zkm_status gen_send_sources(gkr_pctx *x, const gkr_generic_params *p, uint32_t u,
                                   const fr *r, const fr *u_at_r, zkm_err *e)
{
    if (p->n_src == 1 && p->src[0].nvars == u)
        return gkr_prove_view(x, &p->src[0], r, u_at_r, e);
    for (uint32_t s = 0; s < p->n_src; s++) {
        const uint32_t nv = p->src[s].nvars;
        fr *tab = gkr_view_alloc(x->values, x->c, &p->src[s], e);
        if (!tab)
            return ZKM_ENOMEM;
        /* the source's value at r's first nv coordinates: fold the copy */
        for (uint32_t i = 0; i < nv; i++)
            mle_fold(tab, (size_t)1 << (nv - i), &r[i]);
        zkm_status st = gkr_prove_view(x, &p->src[s], r, &tab[0], e);
        free(tab);
        if (st)
            return st;
    }
    return ZKM_OK;
}

/* Verifier side: receive the sources' values at r and recombine U(r). */
static zkm_status gen_recv_sources(gkr_vctx *x, const gkr_generic_params *p, const uint64_t *off,
                                   uint32_t u, const fr *r, zk_form *u_at_r, zkm_err *e)
{
    fr sel, one, t;
    fr_set_one(&one);
    fr_set_zero(&t);
    zk_form_set_const(u_at_r, &t);
    zk_form v;
    zk_form_init(&v);
    zkm_status st = ZKM_OK;
    for (uint32_t s = 0; s < p->n_src && !st; s++) {
        st = gkr_verify_view(x, &p->src[s], r, &v, e);
        if (st)
            break;
        /* selector of the block at off[s]: eq(bits of off, r) over the high coordinates */
        sel = one;
        for (uint32_t i = p->src[s].nvars; i < u; i++) {
            if ((off[s] >> i) & 1)
                fr_mul(&sel, &sel, &r[i]);
            else {
                fr_sub(&t, &one, &r[i]);
                fr_mul(&sel, &sel, &t);
            }
        }
        st = zk_form_axpy(u_at_r, &sel, &v, e);
    }
    zk_form_free(&v);
    return st;
}

static zkm_status gen_prove(gkr_pctx *x, uint32_t li, zkm_err *e)
{
    const gkr_layer *l = &x->c->layers[li];
    const gkr_generic_params *p = &l->p.generic;
    const size_t out_len = (size_t)1 << l->nvars;
    uint64_t off[GEN_MAX_SRC];
    uint32_t u;
    gen_layout(p, off, &u);
    const size_t len = (size_t)1 << u;
    fr rx[GKR_MAX_NVARS], ry[GKR_MAX_NVARS], ux, t;
    zkm_status st;
    fr *W = gkr_scratch_get(x, 0, out_len, e);
    fr *U = gkr_scratch_get(x, 1, len, e);
    fr *U2 = gkr_scratch_get(x, 2, len, e);
    fr *A = gkr_scratch_get(x, 3, len, e);
    fr *B = gkr_scratch_get(x, 4, len, e);
    fr *eqx = gkr_scratch_get(x, 5, len > out_len ? len : out_len, e);
    if (!W || !U || !U2 || !A || !B || !eqx)
        return e ? e->code : ZKM_ENOMEM;
    gen_fill_u(x->c, x->values, p, off, u, U);
    gkr_claims_weights(&x->claims[li], W, eqx);
    memcpy(U2, U, len * sizeof(fr));

    /* phase 1: A = H1, B = H2 */
    memset(A, 0, len * sizeof(fr));
    memset(B, 0, len * sizeof(fr));
    for (size_t i = 0; i < p->n_gates; i++) {
        const gkr_gate *g = &p->gates[i];
        const size_t gx = off[g->src0] + g->in0, gy = off[g->src1] + g->in1;
        const fr *w = &W[g->out];
        if (i + GEN_AHEAD < p->n_gates) {
            const gkr_gate *h = &p->gates[i + GEN_AHEAD];
            GEN_PREFETCH(&W[h->out]);
            GEN_PREFETCH(&U[off[h->src1] + h->in1]);
            GEN_PREFETCH(&A[off[h->src0] + h->in0]);
            GEN_PREFETCH(&B[off[h->src0] + h->in0]);
        }
        fr_mul(&t, w, &U[gy]);
        if (g->op == GKR_GATE_MUL) {
            fr_add(&A[gx], &A[gx], &t);
        } else {
            fr_add(&A[gx], &A[gx], w);
            if (g->op == GKR_GATE_ADD)
                fr_add(&B[gx], &B[gx], &t);
            else
                fr_sub(&B[gx], &B[gx], &t);
        }
    }
    st = gen_sumcheck(x, U, A, B, u, rx, e);
    if (st)
        return st;
    ux = U[0];
    st = gen_send_sources(x, p, u, rx, &ux, e);
    if (st)
        return st;

    /* phase 2: A = G1, B = G2, U2 the unfolded inputs */
    mle_eq_table(eqx, rx, u, NULL);
    memset(A, 0, len * sizeof(fr));
    memset(B, 0, len * sizeof(fr));
    for (size_t i = 0; i < p->n_gates; i++) {
        const gkr_gate *g = &p->gates[i];
        const size_t gx = off[g->src0] + g->in0, gy = off[g->src1] + g->in1;
        fr wx;
        if (i + GEN_AHEAD < p->n_gates) {
            const gkr_gate *h = &p->gates[i + GEN_AHEAD];
            GEN_PREFETCH(&W[h->out]);
            GEN_PREFETCH(&eqx[off[h->src0] + h->in0]);
            GEN_PREFETCH(&A[off[h->src1] + h->in1]);
            GEN_PREFETCH(&B[off[h->src1] + h->in1]);
        }
        fr_mul(&wx, &W[g->out], &eqx[gx]);
        if (g->op == GKR_GATE_MUL) {
            fr_mul(&t, &wx, &ux);
            fr_add(&A[gy], &A[gy], &t);
        } else {
            if (g->op == GKR_GATE_ADD)
                fr_add(&A[gy], &A[gy], &wx);
            else
                fr_sub(&A[gy], &A[gy], &wx);
            fr_mul(&t, &wx, &ux);
            fr_add(&B[gy], &B[gy], &t);
        }
    }
    st = gen_sumcheck(x, U2, A, B, u, ry, e);
    if (st)
        return st;
    return gen_send_sources(x, p, u, ry, &U2[0], e);
}

static zkm_status gen_verify(gkr_vctx *x, uint32_t li, zkm_err *e)
{
    const gkr_layer *l = &x->c->layers[li];
    const gkr_generic_params *p = &l->p.generic;
    const size_t out_len = (size_t)1 << l->nvars;
    uint64_t off[GEN_MAX_SRC];
    uint32_t u;
    gen_layout(p, off, &u);
    const size_t len = (size_t)1 << u;
    fr rx[GKR_MAX_NVARS], ry[GKR_MAX_NVARS];
    zk_form claim, ux, uy, fm, gm;
    zk_form_init(&claim);
    zk_form_init(&ux);
    zk_form_init(&uy);
    zk_form_init(&fm);
    zk_form_init(&gm);
    fr *W = NULL, *scratch = NULL, *eqx = NULL, *eqy = NULL;
    zkm_status st = gkr_claims_combined_form(&x->claims[li], &claim, e);
    if (!st)
        st = sc_verify_forms(x->ch, u, 2, &claim, rx, e);
    if (!st)
        st = gen_recv_sources(x, p, off, u, rx, &ux, e);
    if (!st)
        st = sc_verify_forms(x->ch, u, 2, &claim, ry, e);
    if (!st)
        st = gen_recv_sources(x, p, off, u, ry, &uy, e);
    if (st)
        goto done;

    /* wiring predicates at (rx, ry), weighted by W */
    W = zkm_alloc_array(out_len, sizeof(fr), "generic weights", e);
    scratch = zkm_alloc_array(out_len, sizeof(fr), "scratch", e);
    eqx = zkm_alloc_array(len, sizeof(fr), "eq table", e);
    eqy = zkm_alloc_array(len, sizeof(fr), "eq table", e);
    if (!W || !scratch || !eqx || !eqy) {
        st = ZKM_ENOMEM;
        goto done;
    }
    gkr_claims_weights(&x->claims[li], W, scratch);
    mle_eq_table(eqx, rx, u, NULL);
    mle_eq_table(eqy, ry, u, NULL);
    fr mul, lin, liny, t;
    fr_set_zero(&mul);
    fr_set_zero(&lin);
    fr_set_zero(&liny);
    for (size_t i = 0; i < p->n_gates; i++) {
        const gkr_gate *g = &p->gates[i];
        if (i + GEN_AHEAD < p->n_gates) {
            const gkr_gate *h = &p->gates[i + GEN_AHEAD];
            GEN_PREFETCH(&W[h->out]);
            GEN_PREFETCH(&eqx[off[h->src0] + h->in0]);
            GEN_PREFETCH(&eqy[off[h->src1] + h->in1]);
        }
        fr_mul(&t, &W[g->out], &eqx[off[g->src0] + g->in0]);
        fr_mul(&t, &t, &eqy[off[g->src1] + g->in1]);
        if (g->op == GKR_GATE_MUL) {
            fr_add(&mul, &mul, &t);
        } else {
            fr_add(&lin, &lin, &t);
            if (g->op == GKR_GATE_ADD)
                fr_add(&liny, &liny, &t);
            else
                fr_sub(&liny, &liny, &t);
        }
    }
    /* expected = uy (mul ux + liny) + lin ux */
    st = zk_form_copy(&fm, &ux, e);
    if (!st) {
        zk_form_scale(&fm, &mul);
        zk_form_add_const(&fm, &liny);
        st = zk_chan_mul(x->ch, &gm, &uy, &fm, e);
    }
    if (!st)
        st = zk_form_axpy(&gm, &lin, &ux, e);
    if (!st)
        st = zk_chan_check(x->ch, &gm, &claim, "final sum-check value does not match", e);
done:
    zk_form_free(&claim);
    zk_form_free(&ux);
    zk_form_free(&uy);
    zk_form_free(&fm);
    zk_form_free(&gm);
    free(W);
    free(scratch);
    free(eqx);
    free(eqy);
    return st;
}

static void gen_free(gkr_layer *l)
{
    free(l->p.generic.src);
    free(l->p.generic.gates);
    memset(&l->p.generic, 0, sizeof l->p.generic);
}

static uint64_t gen_ops(const gkr_layer *l)
{
    return l->p.generic.n_gates;
}

zkm_status gkr_layer_generic(gkr_layer *l, uint32_t nvars, uint32_t n_src, const gkr_view *src,
                             size_t n_gates, const gkr_gate *gates, zkm_err *e)
{
    if (nvars > GKR_MAX_NVARS || n_src == 0 || n_src > GEN_MAX_SRC || n_gates > UINT32_MAX)
        return zkm_fail(e, ZKM_EINVAL, "generic layer: bad sizes");
    gkr_generic_params p = {0};
    p.n_src = n_src;
    p.n_gates = n_gates;
    p.src = malloc(n_src * sizeof(gkr_view));
    p.gates = zkm_alloc_array(n_gates ? n_gates : 1, sizeof(gkr_gate), "gates", e);
    if (!p.src || !p.gates) {
        free(p.src);
        free(p.gates);
        return zkm_fail(e, ZKM_ENOMEM, "out of memory building a generic layer");
    }
    memcpy(p.src, src, n_src * sizeof(gkr_view));
    memcpy(p.gates, gates, n_gates * sizeof(gkr_gate));
    l->kind = GKR_GENERIC;
    l->nvars = nvars;
    l->p.generic = p;
    return ZKM_OK;
}

const gkr_kind_ops gkr_generic_ops = {
    .name = "generic",
    .views = gen_views,
    .check = gen_check,
    .digest = gen_digest,
    .eval = gen_eval,
    .prove = gen_prove,
    .verify = gen_verify,
    .free_params = gen_free,
    .ops = gen_ops,
};
