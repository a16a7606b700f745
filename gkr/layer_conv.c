/* GKR_CONV: multi-channel convolution as a sum of shifted products.
 *
 * For claims (z_q, z_o) with weights alpha_j, let
 *   Kz_j(c, k) = sum_o eq(z_o,j, o) K[o, c, k]
 *   F(c, q')   = sum_j alpha_j sum_k Kz_j(c, k) eq(z_q,j, q' - off_k)
 * (over the q for which q + off_k lies in the image).
 * Then sum_j alpha_j O(z_o,j, z_q,j) = sum_{c, q'} I(c, q') F(c, q'): one
 * degree-2 sum-check over the input (ci + p variables) ends at (r_c, r_q)
 * with the prover's I(r) (a claim on the input view) and f = F(r).  Since
 *   F(r) = sum_j alpha_j sum_k K(z_o,j, r_c, k) S_k(z_q,j, r_q)
 * with S_k the shift predicate (a product of one mle_shift_eval per image
 * dimension: rows and columns shift separately), a second degree-2
 * sum-check over the t tap variables ends at r_k with one claim
 * K(z_o,j, r_c, r_k) per claim j, and the verifier finishes with
 *   sum_k eq(r_k, k) S_k(z_q,j, r_q)  over the n_taps taps:
 * O(n_taps * p) field operations, independent of the multiply count
 * 2^(co + ci + p) * n_taps the layer attests.  The prover's work is about
 * (n_taps + 5) * 2^(ci + p) + 2^(co + ci + t) multiplies per claim. */
#include <stdlib.h>
#include <string.h>

#include "gkr_kind.h"
#include "mle.h"
#include "sumcheck.h"

static uint32_t conv_views(const gkr_layer *l, const gkr_view **out)
{
    *out = l->p.conv.src;
    return 2;
}

static zkm_status conv_check(const gkr_circuit *c, uint32_t li, zkm_err *e)
{
    const gkr_layer *l = &c->layers[li];
    const gkr_conv_params *p = &l->p.conv;
    if ((uint64_t)p->co + p->p != l->nvars || (uint64_t)p->ci + p->p > GKR_MAX_NVARS ||
        (uint64_t)p->co + p->ci + p->t > GKR_MAX_NVARS || p->t > 16)
        return zkm_fail(e, ZKM_EINVAL, "layer %u (conv): sizes do not fit", li);
    if (p->n_taps == 0 || p->n_taps > ((uint32_t)1 << p->t))
        return zkm_fail(e, ZKM_EINVAL, "layer %u (conv): %u taps for 2^%u slots", li, p->n_taps,
                        p->t);
    if (p->pc > p->p)
        return zkm_fail(e, ZKM_EINVAL, "layer %u (conv): %u column bits of %u", li, p->pc, p->p);
    for (uint32_t k = 0; k < p->n_taps; k++) {
        const int64_t rows = (int64_t)1 << (p->p - p->pc), cols = (int64_t)1 << p->pc;
        if (p->off[2 * k] <= -rows || p->off[2 * k] >= rows || p->off[2 * k + 1] <= -cols ||
            p->off[2 * k + 1] >= cols)
            return zkm_fail(e, ZKM_EINVAL, "layer %u (conv): tap %u shifts past the image", li, k);
    }
    if (p->src[0].nvars != p->ci + p->p || p->src[1].nvars != p->co + p->ci + p->t)
        return zkm_fail(e, ZKM_EINVAL, "layer %u (conv): operand views have the wrong size", li);
    return ZKM_OK;
}

static void conv_digest(const gkr_layer *l, crypto_generichash_state *h)
{
    const gkr_conv_params *p = &l->p.conv;
    gkr_digest_u64(h, p->co);
    gkr_digest_u64(h, p->ci);
    gkr_digest_u64(h, p->p);
    gkr_digest_u64(h, p->t);
    gkr_digest_u64(h, p->pc);
    gkr_digest_u64(h, p->n_taps);
    for (uint32_t k = 0; k < 2 * p->n_taps; k++)
        gkr_digest_u64(h, (uint64_t)p->off[k]);
    gkr_digest_view(h, &p->src[0]);
    gkr_digest_view(h, &p->src[1]);
}

/* The kernel claim's point for output claim z: K's index is
 * (o * 2^ci + c) * 2^t + k, so K at (r_k, r_c, z_o). */
static void kernel_point(const gkr_conv_params *p, const fr *z, const fr *rc, const fr *rk,
                         fr *pt)
{
    memcpy(pt, rk, p->t * sizeof(fr));
    memcpy(pt + p->t, rc, p->ci * sizeof(fr));
    memcpy(pt + p->t + p->ci, z + p->p, p->co * sizeof(fr));
}

/* dst[q] += w * src[q + off_k] over the positions q whose shifted position
 * lies in the image (rows of 2^pc columns, 2^(p - pc) rows). */
static void shift_acc(const gkr_conv_params *p, uint32_t k, const fr *w, const fr *src, fr *dst)
{
    const int64_t rows = (int64_t)1 << (p->p - p->pc), cols = (int64_t)1 << p->pc;
    const int64_t dy = p->off[2 * k], dx = p->off[2 * k + 1];
    const int64_t y0 = dy < 0 ? -dy : 0, y1 = dy > 0 ? rows - dy : rows;
    const int64_t x0 = dx < 0 ? -dx : 0, x1 = dx > 0 ? cols - dx : cols;
    const int64_t delta = dy * cols + dx;
    fr t;
    for (int64_t y = y0; y < y1; y++)
        for (int64_t x = x0; x < x1; x++) {
            const int64_t q = y * cols + x;
            fr_mul(&t, w, &src[q + delta]);
            fr_add(&dst[q], &dst[q], &t);
        }
}

/* Tap k with its row offset, to group the taps by row. */
typedef struct {
    int64_t dy;
    uint32_t k;
} conv_tap;

static int tap_cmp(const void *a, const void *b)
{
    const conv_tap *x = a, *y = b;
    return x->dy < y->dy ? -1 : x->dy > y->dy ? 1 : (x->k > y->k) - (x->k < y->k);
}

/* F(c, q') += sum_k w[k] eq(z_q, q' - off_k) over the q' with q' - off_k in
 * the image, where eq(z_q, (y, x)) = ey[y] ex[x] (one channel c: F and w
 * are its rows).  The shift is separable: per row offset dy,
 * G(x') = sum over its taps of w_k ex(x' - dx_k), then
 * F(y', x') += ey(y' - dy) G(x'): n_taps * cols + (row offsets) * rows * cols
 * multiplies instead of n_taps * rows * cols.  taps: sorted by dy. */
static void conv_F_channel(const gkr_conv_params *p, const conv_tap *taps, const fr *w,
                           const fr *ey, const fr *ex, fr *G, fr *F)
{
    const int64_t rows = (int64_t)1 << (p->p - p->pc), cols = (int64_t)1 << p->pc;
    fr t;
    for (uint32_t a = 0, b; a < p->n_taps; a = b) {
        const int64_t dy = taps[a].dy;
        memset(G, 0, (size_t)cols * sizeof(fr));
        for (b = a; b < p->n_taps && taps[b].dy == dy; b++) {
            const uint32_t k = taps[b].k;
            const int64_t dx = p->off[2 * k + 1];
            if (fr_is_zero(&w[k]))
                continue;
            for (int64_t x = dx > 0 ? dx : 0; x < (dx < 0 ? cols + dx : cols); x++) {
                fr_mul(&t, &w[k], &ex[x - dx]);
                fr_add(&G[x], &G[x], &t);
            }
        }
        for (int64_t y = dy > 0 ? dy : 0; y < (dy < 0 ? rows + dy : rows); y++)
            for (int64_t x = 0; x < cols; x++) {
                fr_mul(&t, &ey[y - dy], &G[x]);
                fr_add(&F[y * cols + x], &F[y * cols + x], &t);
            }
    }
}

static zkm_status conv_eval(const gkr_circuit *c, uint32_t li, fr *const *values, fr *out,
                            zkm_err *e)
{
    const gkr_conv_params *p = &c->layers[li].p.conv;
    const size_t P = (size_t)1 << p->p, CI = (size_t)1 << p->ci, CO = (size_t)1 << p->co;
    const size_t T = (size_t)1 << p->t;
    fr *I, *K;
    zkm_status st = gkr_view_alloc2(values, c, p->src, &I, &K, e);
    if (st)
        return st;
    for (size_t o = 0; o < CO; o++)
        for (size_t ch = 0; ch < CI; ch++)
            for (uint32_t k = 0; k < p->n_taps; k++) {
                const fr w = K[(o * CI + ch) * T + k];
                if (fr_is_zero(&w))
                    continue;
                shift_acc(p, k, &w, I + ch * P, out + o * P);
            }
    free(I);
    free(K);
    return ZKM_OK;
}

/* The predicate "input index = output index + c" on n bits, both in range,
 * for a signed c (mle_shift_eval takes c >= 0; a negative shift is the
 * positive one read the other way). */
static void shift_pred(fr *out, const fr *z, const fr *r, unsigned n, int64_t c)
{
    if (c >= 0)
        mle_shift_eval(out, z, r, n, (uint64_t)c);
    else
        mle_shift_eval(out, r, z, n, (uint64_t)-c);
}

/* G_j(k) = S_k(z_q, r_q) for k < n_taps, else 0, over 2^t taps:
 * columns are the low pc variables, rows the rest. */
static void tap_weights(const gkr_conv_params *p, const fr *zq, const fr *rq, fr *G)
{
    for (size_t k = 0; k < ((size_t)1 << p->t); k++) {
        if (k < p->n_taps) {
            fr row;
            shift_pred(&G[k], zq, rq, p->pc, p->off[2 * k + 1]);
            shift_pred(&row, zq + p->pc, rq + p->pc, p->p - p->pc, p->off[2 * k]);
            fr_mul(&G[k], &G[k], &row);
        } else {
            fr_set_zero(&G[k]);
        }
    }
}

static zkm_status conv_prove(gkr_pctx *x, uint32_t li, zkm_err *e)
{
    const gkr_conv_params *p = &x->c->layers[li].p.conv;
    const gkr_claims *cl = &x->claims[li];
    const size_t P = (size_t)1 << p->p, CI = (size_t)1 << p->ci, CO = (size_t)1 << p->co;
    const size_t T = (size_t)1 << p->t, nc = cl->n;
    fr r[GKR_MAX_NVARS], rk[16], pt[GKR_MAX_NVARS], t;
    zkm_status st = ZKM_ENOMEM;
    const size_t cols = (size_t)1 << p->pc, rows = P >> p->pc;
    fr *I = NULL, *ownK = NULL, *F = NULL, *eqo = NULL, *eqq = NULL, *Kz = NULL, *eqc = NULL;
    conv_tap *taps = malloc(p->n_taps * sizeof *taps);
    fr **tables = calloc(2 * nc, sizeof(fr *));
    unsigned *start = malloc((nc + 1) * sizeof(unsigned));
    unsigned *factors = malloc(2 * nc * sizeof(unsigned));
    if (!tables || !start || !factors || !taps)
        goto done;
    for (uint32_t k = 0; k < p->n_taps; k++)
        taps[k] = (conv_tap){p->off[2 * k], k};
    qsort(taps, p->n_taps, sizeof *taps, tap_cmp);
    /* I is folded by the sum-check, the kernel only read (in place if it can) */
    I = gkr_view_alloc(x->values, x->c, &p->src[0], e);
    const fr *K = I ? gkr_view_read(x->values, x->c, &p->src[1], &ownK, e) : NULL;
    if (!K)
        goto done;
    F = zkm_alloc_array(CI * P, sizeof(fr), "conv F", e);
    eqo = zkm_alloc_array(CO, sizeof(fr), "conv eq", e);
    eqq = zkm_alloc_array(rows + 2 * cols, sizeof(fr), "conv eq", e); /* ey, ex, G */
    Kz = zkm_alloc_array(nc * CI * T, sizeof(fr), "conv Kz", e);
    eqc = zkm_alloc_array(CI, sizeof(fr), "conv eq", e);
    if (!F || !eqo || !eqq || !Kz || !eqc)
        goto done;

    /* F(c, q') and Kz_j */
    memset(F, 0, CI * P * sizeof(fr));
    for (size_t j = 0; j < nc; j++) {
        const fr *z = cl->points + j * cl->nvars; /* z_q = z[0..p), z_o = z[p..p+co) */
        fr *kz = Kz + j * CI * T;
        mle_eq_table(eqo, z + p->p, p->co, NULL);
        /* eq(z_q, .) by rows and columns; F carries alpha_j, Kz_j does not */
        fr *ey = eqq, *ex = eqq + rows;
        mle_eq_table(ex, z, p->pc, NULL);
        mle_eq_table(ey, z + p->pc, p->p - p->pc, &cl->alpha[j]);
        memset(kz, 0, CI * T * sizeof(fr));
        for (size_t o = 0; o < CO; o++) /* padded channels and taps cost nothing */
            mle_axpy(kz, &eqo[o], K + o * CI * T, CI * T);
        for (size_t ch = 0; ch < CI; ch++)
            conv_F_channel(p, taps, kz + ch * T, ey, ex, ex + cols, F + ch * P);
    }

    /* sum-check 1: sum_{c, q'} I * F */
    {
        static const unsigned s1[2] = {0, 2}, f1[2] = {0, 1};
        fr *tabs[2] = {I, F};
        sc_poly poly = {.n_tables = 2, .tables = tabs, .n_terms = 1, .coef = NULL,
                        .term_start = s1, .factors = f1};
        st = sc_prove(&poly, p->ci + p->p, x->ch, r, e);
        if (st)
            goto done;
    }
    const fr *rq = r, *rc = r + p->p;
    st = gkr_prove_view(x, &p->src[0], r, &I[0], e);
    if (!st)
        st = gkr_send(x, &F[0], 1, NULL, e);
    if (st)
        goto done;

    /* sum-check 2 over the taps: sum_j alpha_j [sum_c eq(r_c, c) Kz_j(c, k)] G_j(k) */
    mle_eq_table(eqc, rc, p->ci, NULL);
    for (size_t j = 0; j < nc; j++) {
        const fr *z = cl->points + j * cl->nvars;
        fr *A = tables[2 * j] = zkm_alloc_array(T, sizeof(fr), "conv taps", e);
        fr *G = tables[2 * j + 1] = zkm_alloc_array(T, sizeof(fr), "conv taps", e);
        if (!A || !G) {
            st = ZKM_ENOMEM;
            goto done;
        }
        memset(A, 0, T * sizeof(fr));
        for (size_t ch = 0; ch < CI; ch++)
            for (size_t k = 0; k < T; k++) {
                fr_mul(&t, &eqc[ch], &Kz[(j * CI + ch) * T + k]);
                fr_add(&A[k], &A[k], &t);
            }
        tap_weights(p, z, rq, G);
        start[j] = 2 * j;
        factors[2 * j] = 2 * j;
        factors[2 * j + 1] = 2 * j + 1;
    }
    start[nc] = 2 * nc;
    {
        sc_poly poly = {.n_tables = 2 * nc, .tables = tables, .n_terms = nc,
                        .coef = cl->alpha, .term_start = start, .factors = factors};
        st = sc_prove(&poly, p->t, x->ch, rk, e);
    }
    /* one kernel claim per output claim: K at (r_k, r_c, z_o,j) */
    for (size_t j = 0; j < nc && !st; j++) {
        kernel_point(p, cl->points + j * cl->nvars, rc, rk, pt);
        st = gkr_prove_view(x, &p->src[1], pt, &tables[2 * j][0], e);
    }
done:
    if (tables)
        for (size_t j = 0; j < 2 * nc; j++)
            free(tables[j]);
    free(tables);
    free(start);
    free(factors);
    free(I);
    free(ownK);
    free(F);
    free(eqo);
    free(eqq);
    free(Kz);
    free(eqc);
    free(taps);
    if (st == ZKM_ENOMEM && e && e->code != ZKM_ENOMEM)
        zkm_fail(e, ZKM_ENOMEM, "out of memory in a conv layer");
    return st;
}

static zkm_status conv_verify(gkr_vctx *x, uint32_t li, zkm_err *e)
{
    const gkr_conv_params *p = &x->c->layers[li].p.conv;
    const gkr_claims *cl = &x->claims[li];
    const size_t T = (size_t)1 << p->t;
    fr r[GKR_MAX_NVARS], rk[16], pt[GKR_MAX_NVARS];
    zk_form claim, iv, f, t, acc, kv;
    zk_form_init(&claim);
    zk_form_init(&iv);
    zk_form_init(&f);
    zk_form_init(&t);
    zk_form_init(&acc);
    zk_form_init(&kv);
    fr *G = NULL;
    zkm_status st = gkr_claims_combined_form(cl, &claim, e);
    if (!st)
        st = sc_verify_forms(x->ch, p->ci + p->p, 2, &claim, r, e);
    if (!st)
        st = gkr_verify_view(x, &p->src[0], r, &iv, e);
    if (!st)
        st = gkr_recv(x, &f, 1, e);
    if (!st)
        st = zk_chan_mul(x->ch, &t, &iv, &f, e);
    if (!st)
        st = zk_chan_check(x->ch, &t, &claim,
                           "final value of the input sum-check does not match", e);
    const fr *rq = r, *rc = r + p->p;
    /* the tap sum-check starts from f */
    if (!st)
        st = sc_verify_forms(x->ch, p->t, 2, &f, rk, e);
    if (!st && !(G = zkm_alloc_array(T, sizeof(fr), "conv taps", e)))
        st = ZKM_ENOMEM;
    for (size_t j = 0; j < cl->n && !st; j++) {
        const fr *z = cl->points + j * cl->nvars;
        fr g;
        kernel_point(p, z, rc, rk, pt);
        st = gkr_verify_view(x, &p->src[1], pt, &kv, e);
        if (st)
            break;
        /* G_j(r_k) = sum_{k < n_taps} eq(r_k, k) S_k(z_q, r_q) */
        tap_weights(p, z, rq, G);
        for (uint32_t i = 0; i < p->t; i++)
            mle_fold(G, T >> i, &rk[i]);
        fr_mul(&g, &G[0], &cl->alpha[j]);
        st = zk_form_axpy(&acc, &g, &kv, e);
    }
    free(G);
    if (!st)
        st = zk_chan_check(x->ch, &acc, &f, "final value of the tap sum-check does not match",
                           e);
    zk_form_free(&claim);
    zk_form_free(&iv);
    zk_form_free(&f);
    zk_form_free(&t);
    zk_form_free(&acc);
    zk_form_free(&kv);
    return st;
}

static void conv_free(gkr_layer *l)
{
    free(l->p.conv.off);
    l->p.conv.off = NULL;
}

static uint64_t conv_ops(const gkr_layer *l)
{
    const gkr_conv_params *p = &l->p.conv;
    return ((uint64_t)1 << (p->co + p->ci + p->p)) * p->n_taps;
}

zkm_status gkr_layer_conv2d(gkr_layer *l, uint32_t co, uint32_t ci, uint32_t p, uint32_t pc,
                            uint32_t t, uint32_t n_taps, const int64_t *off, gkr_view input,
                            gkr_view kernel, zkm_err *e)
{
    if ((uint64_t)co + p > GKR_MAX_NVARS || pc > p || t > 16 || n_taps == 0 ||
        n_taps > (1u << t))
        return zkm_fail(e, ZKM_EINVAL, "conv layer: bad sizes");
    int64_t *o = malloc(2 * (size_t)n_taps * sizeof *o);
    if (!o)
        return zkm_fail(e, ZKM_ENOMEM, "out of memory building a conv layer");
    memcpy(o, off, 2 * (size_t)n_taps * sizeof *o);
    l->kind = GKR_CONV;
    l->nvars = co + p;
    l->p.conv = (gkr_conv_params){.co = co, .ci = ci, .p = p, .t = t, .pc = pc, .n_taps = n_taps,
                                  .off = o, .src = {input, kernel}};
    return ZKM_OK;
}

const gkr_kind_ops gkr_conv_ops = {
    .name = "conv",
    .views = conv_views,
    .check = conv_check,
    .digest = conv_digest,
    .eval = conv_eval,
    .prove = conv_prove,
    .verify = conv_verify,
    .free_params = conv_free,
    .ops = conv_ops,
};
