/* GKR_MATMUL: C = A B with A 2^m x 2^k, B 2^k x 2^n, row-major.
 *
 * For a claim at z = (z_j, z_i) (the column coordinates are the low bits of
 * C's index):  C(z_i, z_j) = sum_l A(z_i, l) B(l, z_j).  The prover binds the
 * row of A and the column of B with eq tables (2^(m+k) + 2^(k+n) multiplies),
 * then runs one degree-2 sum-check over l, 2^k entries, for all claims at
 * once (weighted by alpha_k).  It ends with A(z_i, r) and B(r, z_j) per claim,
 * and the verifier's final check costs O(claims): logarithmic in the layer,
 * independent of the 2^(m+k+n) multiplications it attests. */
#include <stdlib.h>
#include <string.h>

#include "gkr_kind.h"
#include "mle.h"
#include "sumcheck.h"

static uint32_t mm_views(const gkr_layer *l, const gkr_view **out)
{
    *out = l->p.matmul.src;
    return 2;
}

static zkm_status mm_check(const gkr_circuit *c, uint32_t li, zkm_err *e)
{
    const gkr_layer *l = &c->layers[li];
    const gkr_matmul_params *p = &l->p.matmul;
    if ((uint64_t)p->m + p->k > GKR_MAX_NVARS || (uint64_t)p->k + p->n > GKR_MAX_NVARS ||
        (uint64_t)p->m + p->n != l->nvars)
        return zkm_fail(e, ZKM_EINVAL, "layer %u (matmul): 2^%u x 2^%u x 2^%u does not fit 2^%u",
                        li, p->m, p->k, p->n, l->nvars);
    if (p->src[0].nvars != p->m + p->k || p->src[1].nvars != p->k + p->n)
        return zkm_fail(e, ZKM_EINVAL, "layer %u (matmul): operand views have the wrong size", li);
    return ZKM_OK;
}

static void mm_digest(const gkr_layer *l, crypto_generichash_state *h)
{
    const gkr_matmul_params *p = &l->p.matmul;
    gkr_digest_u64(h, p->m);
    gkr_digest_u64(h, p->k);
    gkr_digest_u64(h, p->n);
    gkr_digest_view(h, &p->src[0]);
    gkr_digest_view(h, &p->src[1]);
}

/* The points of the operand claims for a claim z on C and the inner point r:
 * A's index is i * 2^k + l, so A at (r, z_i); B's is l * 2^n + j, so B at
 * (z_j, r). */
static void mm_points(const gkr_matmul_params *p, const fr *z, const fr *r, fr *pa, fr *pb)
{
    memcpy(pa, r, p->k * sizeof(fr));
    memcpy(pa + p->k, z + p->n, p->m * sizeof(fr));
    memcpy(pb, z, p->n * sizeof(fr));
    memcpy(pb + p->n, r, p->k * sizeof(fr));
}

static zkm_status mm_eval(const gkr_circuit *c, uint32_t li, fr *const *values, fr *out,
                          zkm_err *e)
{
    const gkr_matmul_params *p = &c->layers[li].p.matmul;
    const size_t M = (size_t)1 << p->m, K = (size_t)1 << p->k, N = (size_t)1 << p->n;
    fr *A, *B, t;
    zkm_status st = gkr_view_alloc2(values, c, p->src, &A, &B, e);
    if (st)
        return st;
    /* out is zeroed by the caller; i-l-j order streams rows of B */
    for (size_t i = 0; i < M; i++)
        for (size_t l = 0; l < K; l++) {
            const fr a = A[i * K + l];
            if (fr_is_zero(&a))
                continue;
            for (size_t j = 0; j < N; j++) {
                fr_mul(&t, &a, &B[l * N + j]);
                fr_add(&out[i * N + j], &out[i * N + j], &t);
            }
        }
    free(A);
    free(B);
    return ZKM_OK;
}

static zkm_status mm_prove(gkr_pctx *x, uint32_t li, zkm_err *e)
{
    const gkr_matmul_params *p = &x->c->layers[li].p.matmul;
    const gkr_claims *cl = &x->claims[li];
    const size_t M = (size_t)1 << p->m, K = (size_t)1 << p->k, N = (size_t)1 << p->n;
    const size_t nc = cl->n;
    fr *ownA = NULL, *ownB = NULL, *eqi = NULL, *eqj = NULL;
    fr **tables = calloc(2 * nc, sizeof(fr *));
    unsigned *start = malloc((nc + 1) * sizeof(unsigned));
    unsigned *factors = malloc(2 * nc * sizeof(unsigned));
    fr r[GKR_MAX_NVARS], pa[GKR_MAX_NVARS], pb[GKR_MAX_NVARS];
    zkm_status st = ZKM_OK;
    if (!tables || !start || !factors) {
        st = zkm_fail(e, ZKM_ENOMEM, "out of memory");
        goto done;
    }
    /* the operands are only read: in place when they are blocks (a public
     * weight matrix is) */
    const fr *A = gkr_view_read(x->values, x->c, &p->src[0], &ownA, e);
    const fr *B = A ? gkr_view_read(x->values, x->c, &p->src[1], &ownB, e) : NULL;
    if (!B) {
        st = ZKM_ENOMEM;
        goto done;
    }
    eqi = zkm_alloc_array(M, sizeof(fr), "matmul eq", e);
    eqj = zkm_alloc_array(N, sizeof(fr), "matmul eq", e);
    if (!eqi || !eqj) {
        st = ZKM_ENOMEM;
        goto done;
    }
    for (size_t c = 0; c < nc; c++) {
        const fr *z = cl->points + c * cl->nvars; /* z_j = z[0..n), z_i = z[n..n+m) */
        fr *Ac = tables[2 * c] = zkm_alloc_array(K, sizeof(fr), "matmul row", e);
        fr *Bc = tables[2 * c + 1] = zkm_alloc_array(K, sizeof(fr), "matmul column", e);
        if (!Ac || !Bc) {
            st = ZKM_ENOMEM;
            goto done;
        }
        mle_eq_table(eqi, z + p->n, p->m, NULL);
        mle_eq_table(eqj, z, p->n, NULL);
        /* Ac(l) = sum_i eq(z_i, i) A(i, l) (zero padding costs nothing) */
        memset(Ac, 0, K * sizeof(fr));
        for (size_t i = 0; i < M; i++)
            mle_axpy(Ac, &eqi[i], A + i * K, K);
        /* Bc(l) = sum_j eq(z_j, j) B(l, j) */
        for (size_t l = 0; l < K; l++)
            mle_dot(&Bc[l], B + l * N, eqj, N);
        start[c] = 2 * c;
        factors[2 * c] = 2 * c;
        factors[2 * c + 1] = 2 * c + 1;
    }
    start[nc] = 2 * nc;
    sc_poly poly = {.n_tables = 2 * nc, .tables = tables, .n_terms = nc, .coef = cl->alpha,
                    .term_start = start, .factors = factors};
    st = sc_prove(&poly, p->k, x->ch, r, e);
    for (size_t c = 0; c < nc && !st; c++) {
        mm_points(p, cl->points + c * cl->nvars, r, pa, pb);
        st = gkr_prove_view(x, &p->src[0], pa, &tables[2 * c][0], e);
        if (!st)
            st = gkr_prove_view(x, &p->src[1], pb, &tables[2 * c + 1][0], e);
    }
done:
    if (tables)
        for (size_t c = 0; c < 2 * nc; c++)
            free(tables[c]);
    free(tables);
    free(start);
    free(factors);
    free(ownA);
    free(ownB);
    free(eqi);
    free(eqj);
    return st;
}

static zkm_status mm_verify(gkr_vctx *x, uint32_t li, zkm_err *e)
{
    const gkr_matmul_params *p = &x->c->layers[li].p.matmul;
    const gkr_claims *cl = &x->claims[li];
    fr r[GKR_MAX_NVARS], pa[GKR_MAX_NVARS], pb[GKR_MAX_NVARS];
    zk_form claim, acc, a, b, t;
    zk_form_init(&claim);
    zk_form_init(&acc);
    zk_form_init(&a);
    zk_form_init(&b);
    zk_form_init(&t);
    zkm_status st = gkr_claims_combined_form(cl, &claim, e);
    if (!st)
        st = sc_verify_forms(x->ch, p->k, 2, &claim, r, e);
    for (size_t c = 0; c < cl->n && !st; c++) {
        /* the claims list of layer li does not grow while it is reduced */
        mm_points(p, cl->points + c * cl->nvars, r, pa, pb);
        st = gkr_verify_view(x, &p->src[0], pa, &a, e);
        if (!st)
            st = gkr_verify_view(x, &p->src[1], pb, &b, e);
        if (!st)
            st = zk_chan_mul(x->ch, &t, &a, &b, e);
        if (!st)
            st = zk_form_axpy(&acc, &cl->alpha[c], &t, e);
    }
    if (!st)
        st = zk_chan_check(x->ch, &acc, &claim, "final sum-check value does not match", e);
    zk_form_free(&claim);
    zk_form_free(&acc);
    zk_form_free(&a);
    zk_form_free(&b);
    zk_form_free(&t);
    return st;
}

static uint64_t mm_ops(const gkr_layer *l)
{
    const gkr_matmul_params *p = &l->p.matmul;
    return (uint64_t)1 << (p->m + p->k + p->n);
}

zkm_status gkr_layer_matmul(gkr_layer *l, uint32_t m, uint32_t k, uint32_t n, gkr_view a,
                            gkr_view b, zkm_err *e)
{
    if ((uint64_t)m + n > GKR_MAX_NVARS || (uint64_t)m + k > GKR_MAX_NVARS ||
        (uint64_t)k + n > GKR_MAX_NVARS)
        return zkm_fail(e, ZKM_EINVAL, "matmul layer 2^%u x 2^%u x 2^%u is too large", m, k, n);
    l->kind = GKR_MATMUL;
    l->nvars = m + n;
    l->p.matmul.m = m;
    l->p.matmul.k = k;
    l->p.matmul.n = n;
    l->p.matmul.src[0] = a;
    l->p.matmul.src[1] = b;
    return ZKM_OK;
}

const gkr_kind_ops gkr_matmul_ops = {
    .name = "matmul",
    .views = mm_views,
    .check = mm_check,
    .digest = mm_digest,
    .eval = mm_eval,
    .prove = mm_prove,
    .verify = mm_verify,
    .free_params = NULL,
    .ops = mm_ops,
};
