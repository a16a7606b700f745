/* GKR_ELTWISE: V(g) = sum_t c_t prod_{s in term t} S_s(g) entry by entry
 * (a term of no factors is the constant c_t).
 *
 * Reduction: one sum-check over g of W(g) * sum_t c_t prod S_s(g) (degree
 * 1 + longest term), ending in one claim per source at the same point r.
 * The verifier needs only W(r) = sum_k alpha_k eq(z_k, r): O(claims * nvars),
 * logarithmic in the layer. */
#include <stdlib.h>
#include <string.h>

#include "gkr_kind.h"
#include "mle.h"
#include "sumcheck.h"

static uint32_t elt_views(const gkr_layer *l, const gkr_view **out)
{
    *out = l->p.eltwise.src;
    return l->p.eltwise.n_src;
}

static zkm_status elt_check(const gkr_circuit *c, uint32_t li, zkm_err *e)
{
    const gkr_layer *l = &c->layers[li];
    const gkr_eltwise_params *p = &l->p.eltwise;
    for (uint32_t s = 0; s < p->n_src; s++)
        if (p->src[s].nvars != l->nvars)
            return zkm_fail(e, ZKM_EINVAL,
                            "layer %u (eltwise): source %u has 2^%u entries, the layer 2^%u", li,
                            s, p->src[s].nvars, l->nvars);
    if (p->n_terms == 0)
        return zkm_fail(e, ZKM_EINVAL, "layer %u (eltwise): no terms", li);
    if (p->term_start[0] != 0)
        return zkm_fail(e, ZKM_EINVAL, "layer %u (eltwise): terms must start at factor 0", li);
    /* boundaries first: they bound every factor index read below */
    for (uint32_t t = 0; t < p->n_terms; t++) {
        uint32_t a = p->term_start[t], b = p->term_start[t + 1];
        if (b < a || b - a >= SC_MAX_DEGREE)
            return zkm_fail(e, ZKM_EINVAL, "layer %u (eltwise): term %u has %d factors (0..%u)",
                            li, t, (int)b - (int)a, SC_MAX_DEGREE - 1);
    }
    for (uint32_t f = 0; f < p->term_start[p->n_terms]; f++)
        if (p->factors[f] >= p->n_src)
            return zkm_fail(e, ZKM_EINVAL, "layer %u (eltwise): factor %u reads source %u of %u",
                            li, f, p->factors[f], p->n_src);
    return ZKM_OK;
}

static void elt_digest(const gkr_layer *l, crypto_generichash_state *h)
{
    const gkr_eltwise_params *p = &l->p.eltwise;
    gkr_digest_u64(h, p->n_src);
    for (uint32_t s = 0; s < p->n_src; s++)
        gkr_digest_view(h, &p->src[s]);
    gkr_digest_u64(h, p->n_terms);
    gkr_digest_frs(h, p->coef, p->n_terms);
    for (uint32_t t = 0; t <= p->n_terms; t++)
        gkr_digest_u64(h, p->term_start[t]);
    for (uint32_t f = 0; f < p->term_start[p->n_terms]; f++)
        gkr_digest_u64(h, p->factors[f]);
}

static zkm_status elt_eval(const gkr_circuit *c, uint32_t li, fr *const *values, fr *out,
                           zkm_err *e)
{
    const gkr_layer *l = &c->layers[li];
    const gkr_eltwise_params *p = &l->p.eltwise;
    const size_t len = (size_t)1 << l->nvars;
    zkm_status st = ZKM_OK;
    const fr **src = calloc(p->n_src, sizeof *src);
    fr **owned = calloc(p->n_src, sizeof *owned);
    if (!src || !owned) {
        st = zkm_fail(e, ZKM_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t s = 0; s < p->n_src; s++) {
        const gkr_view *v = &p->src[s];
        if (!v->mapped && v->nvars <= c->layers[v->layer].nvars) {
            src[s] = values[v->layer] + v->offset;
            continue;
        }
        owned[s] = zkm_alloc_array(len, sizeof(fr), "eltwise source", e); /* a copy */
        if (!owned[s]) {
            st = ZKM_ENOMEM;
            goto done;
        }
        gkr_view_table(values, c, v, owned[s]);
        src[s] = owned[s];
    }
    for (size_t g = 0; g < len; g++) {
        fr acc, prod;
        fr_set_zero(&acc);
        for (uint32_t t = 0; t < p->n_terms; t++) {
            prod = p->coef[t];
            for (uint32_t f = p->term_start[t]; f < p->term_start[t + 1]; f++)
                fr_mul(&prod, &prod, &src[p->factors[f]][g]);
            fr_add(&acc, &acc, &prod);
        }
        out[g] = acc;
    }
done:
    if (owned)
        for (uint32_t s = 0; s < p->n_src; s++)
            free(owned[s]);
    free(owned);
    free(src);
    return st;
}

/* The sum-check polynomial: table 0 is W, table 1 + s is source s. */
typedef struct {
    unsigned *start, *factors;
} elt_terms;

static zkm_status elt_terms_make(const gkr_eltwise_params *p, elt_terms *t, zkm_err *e)
{
    uint32_t nf = p->term_start[p->n_terms];
    t->start = malloc((p->n_terms + 1) * sizeof(unsigned));
    t->factors = malloc((nf + p->n_terms) * sizeof(unsigned));
    if (!t->start || !t->factors) {
        free(t->start);
        free(t->factors);
        return zkm_fail(e, ZKM_ENOMEM, "out of memory");
    }
    unsigned k = 0;
    for (uint32_t tm = 0; tm < p->n_terms; tm++) {
        t->start[tm] = k;
        t->factors[k++] = 0;
        for (uint32_t f = p->term_start[tm]; f < p->term_start[tm + 1]; f++)
            t->factors[k++] = 1 + p->factors[f];
    }
    t->start[p->n_terms] = k;
    return ZKM_OK;
}

static unsigned elt_degree(const gkr_eltwise_params *p)
{
    unsigned d = 0;
    for (uint32_t t = 0; t < p->n_terms; t++)
        if (p->term_start[t + 1] - p->term_start[t] > d)
            d = p->term_start[t + 1] - p->term_start[t];
    return d + 1;
}

/* Shapes with a cheaper prover, sending the same messages:
 *   linear:  every term has at most one factor: P = W * L with
 *            L = sum_t c_t S_t (+ constants) built once;
 *   common:  every term is S* or S* * S_t for one source S*:
 *            P = W * S* * L with L = sum_t c_t (S_t or 1).
 * The sources outside the sum-check are then evaluated at its point. */
enum { ELT_GENERIC = 0, ELT_LINEAR, ELT_COMMON };

static int elt_form(const gkr_eltwise_params *p, uint32_t *common)
{
    /* the degree the verifier expects, so the forms cannot send another */
    const unsigned maxlen = elt_degree(p) - 1;
    if (maxlen == 1)
        return ELT_LINEAR;
    if (maxlen == 0)
        return ELT_GENERIC; /* constants only: degree 1, no source table */
    if (maxlen > 2)
        return ELT_GENERIC;
    const uint32_t first = p->term_start[0];
    if (p->term_start[1] == first)
        return ELT_GENERIC; /* a constant term: no common factor */
    for (uint32_t c = first; c < p->term_start[1]; c++) {
        const uint32_t s = p->factors[c];
        int ok = 1;
        for (uint32_t t = 0; t < p->n_terms && ok; t++) {
            const uint32_t a = p->term_start[t], b = p->term_start[t + 1];
            ok = (b - a == 1 && p->factors[a] == s) ||
                 (b - a == 2 && (p->factors[a] == s || p->factors[a + 1] == s));
        }
        if (ok) {
            *common = s;
            return ELT_COMMON;
        }
    }
    return ELT_GENERIC;
}

/* L = sum_t c_t * (the term's factor other than `skip`, or 1). */
static void elt_combine(const gkr_eltwise_params *p, fr *const *src, uint32_t skip, size_t len,
                        fr *L)
{
    fr one;
    fr_set_one(&one);
    memset(L, 0, len * sizeof(fr));
    for (uint32_t t = 0; t < p->n_terms; t++) {
        const uint32_t a = p->term_start[t], b = p->term_start[t + 1];
        const fr *S = NULL;
        for (uint32_t f = a; f < b; f++)
            if (p->factors[f] != skip || (b - a == 2 && p->factors[a] == p->factors[a + 1] &&
                                          f == a + 1))
                S = src[p->factors[f]];
        const fr *c = &p->coef[t];
        const int unit = fr_eq(c, &one);
        if (!S) { /* a constant */
            for (size_t g = 0; g < len; g++)
                fr_add(&L[g], &L[g], c);
            continue;
        }
        for (size_t g = 0; g < len; g++) {
            fr m;
            if (unit) {
                fr_add(&L[g], &L[g], &S[g]);
            } else {
                fr_mul(&m, c, &S[g]);
                fr_add(&L[g], &L[g], &m);
            }
        }
    }
}

static zkm_status elt_prove(gkr_pctx *x, uint32_t li, zkm_err *e)
{
    const gkr_layer *l = &x->c->layers[li];
    const gkr_eltwise_params *p = &l->p.eltwise;
    const uint32_t n = l->nvars;
    const size_t len = (size_t)1 << n;
    uint32_t common = UINT32_MAX;
    const int form = elt_form(p, &common);
    /* tables: 0 = W, 1 + s = source s, then L for the special forms */
    const unsigned nt = 1 + p->n_src + (form != ELT_GENERIC);
    zkm_status st = ZKM_OK;
    elt_terms terms = {0};
    fr r[GKR_MAX_NVARS];
    fr **tables = calloc(nt, sizeof(fr *));
    fr *scratch = NULL;
    if (!tables)
        return zkm_fail(e, ZKM_ENOMEM, "out of memory");
    for (unsigned j = 0; j < nt; j++) {
        tables[j] = zkm_alloc_array(len, sizeof(fr), "eltwise table", e);
        if (!tables[j]) {
            st = ZKM_ENOMEM;
            goto done;
        }
    }
    if (x->claims[li].n > 1) {
        scratch = zkm_alloc_array(len, sizeof(fr), "weights scratch", e);
        if (!scratch) {
            st = ZKM_ENOMEM;
            goto done;
        }
    }
    gkr_claims_weights(&x->claims[li], tables[0], scratch);
    for (uint32_t s = 0; s < p->n_src; s++)
        gkr_view_table(x->values, x->c, &p->src[s], tables[1 + s]);
    if (form == ELT_GENERIC) {
        st = elt_terms_make(p, &terms, e);
        if (st)
            goto done;
        sc_poly poly = {.n_tables = nt, .tables = tables, .n_terms = p->n_terms,
                        .coef = p->coef, .term_start = terms.start, .factors = terms.factors};
        st = sc_prove(&poly, n, x->tr, x->msgs, r, e);
    } else {
        fr *L = tables[nt - 1];
        elt_combine(p, tables + 1, form == ELT_COMMON ? common : UINT32_MAX, len, L);
        static const unsigned s2[2] = {0, 2}, f2[2] = {0, 1}, s3[2] = {0, 3}, f3[3] = {0, 1, 2};
        fr *tabs[3] = {tables[0], form == ELT_COMMON ? tables[1 + common] : L, L};
        if (form == ELT_COMMON) {
            /* S*'s own table is folded by the sum-check, so its entry 0 is
             * S*(r) afterwards */
            sc_poly poly = {.n_tables = 3, .tables = tabs, .n_terms = 1, .coef = NULL,
                            .term_start = s3, .factors = f3};
            st = sc_prove(&poly, n, x->tr, x->msgs, r, e);
        } else {
            sc_poly poly = {.n_tables = 2, .tables = tabs, .n_terms = 1, .coef = NULL,
                            .term_start = s2, .factors = f2};
            st = sc_prove(&poly, n, x->tr, x->msgs, r, e);
        }
        /* every other source at r: fold its table */
        for (uint32_t s = 0; s < p->n_src && !st; s++) {
            if (form == ELT_COMMON && s == common)
                continue;
            for (uint32_t i = 0; i < n; i++)
                mle_fold(tables[1 + s], len >> i, &r[i]);
        }
    }
    for (uint32_t s = 0; s < p->n_src && !st; s++)
        st = gkr_prove_view(x, &p->src[s], r, &tables[1 + s][0], e);
done:
    if (tables)
        for (unsigned j = 0; j < nt; j++)
            free(tables[j]);
    free(tables);
    free(scratch);
    free(terms.start);
    free(terms.factors);
    return st;
}

static zkm_status elt_verify(gkr_vctx *x, uint32_t li, zkm_err *e)
{
    const gkr_layer *l = &x->c->layers[li];
    const gkr_eltwise_params *p = &l->p.eltwise;
    fr r[GKR_MAX_NVARS], claim, w, acc, prod;
    gkr_claims_combined(&x->claims[li], &claim);
    zkm_status st = sc_verify(l->nvars, elt_degree(p), &claim, x->tr, x->in, r, e);
    if (st)
        return st;
    fr *sv = malloc(p->n_src * sizeof(fr));
    if (!sv)
        return zkm_fail(e, ZKM_ENOMEM, "out of memory");
    for (uint32_t s = 0; s < p->n_src && !st; s++)
        st = gkr_verify_view(x, &p->src[s], r, &sv[s], e);
    if (!st) {
        fr_set_zero(&acc);
        for (uint32_t t = 0; t < p->n_terms; t++) {
            prod = p->coef[t];
            for (uint32_t f = p->term_start[t]; f < p->term_start[t + 1]; f++)
                fr_mul(&prod, &prod, &sv[p->factors[f]]);
            fr_add(&acc, &acc, &prod);
        }
        gkr_claims_weight_at(&x->claims[li], r, &w);
        fr_mul(&acc, &acc, &w);
        if (!fr_eq(&acc, &claim))
            st = zkm_fail(e, ZKM_EREJECT, "final sum-check value does not match");
    }
    free(sv);
    return st;
}

static void elt_free(gkr_layer *l)
{
    gkr_eltwise_params *p = &l->p.eltwise;
    free(p->src);
    free(p->coef);
    free(p->term_start);
    free(p->factors);
    memset(p, 0, sizeof *p);
}

static uint64_t elt_ops(const gkr_layer *l)
{
    const gkr_eltwise_params *p = &l->p.eltwise;
    return ((uint64_t)1 << l->nvars) * (p->n_terms ? p->term_start[p->n_terms] : 0);
}

zkm_status gkr_layer_eltwise(gkr_layer *l, uint32_t nvars, uint32_t n_src, const gkr_view *src,
                             uint32_t n_terms, const fr *coef, const uint32_t *term_start,
                             const uint32_t *factors, zkm_err *e)
{
    gkr_eltwise_params p = {0};
    if (nvars > GKR_MAX_NVARS || n_src == 0 || n_terms == 0 || term_start[0] != 0)
        return zkm_fail(e, ZKM_EINVAL, "eltwise layer: bad sizes");
    const uint32_t nf = term_start[n_terms];
    if (nf > (1u << 20))
        return zkm_fail(e, ZKM_EINVAL, "eltwise layer: too many factors");
    p.n_src = n_src;
    p.n_terms = n_terms;
    p.src = malloc(n_src * sizeof(gkr_view));
    p.coef = malloc(n_terms * sizeof(fr));
    p.term_start = malloc((n_terms + 1) * sizeof(uint32_t));
    p.factors = malloc((nf ? nf : 1) * sizeof(uint32_t));
    if (!p.src || !p.coef || !p.term_start || !p.factors) {
        free(p.src);
        free(p.coef);
        free(p.term_start);
        free(p.factors);
        return zkm_fail(e, ZKM_ENOMEM, "out of memory building an eltwise layer");
    }
    memcpy(p.src, src, n_src * sizeof(gkr_view));
    memcpy(p.coef, coef, n_terms * sizeof(fr));
    memcpy(p.term_start, term_start, (n_terms + 1) * sizeof(uint32_t));
    memcpy(p.factors, factors, nf * sizeof(uint32_t));
    l->kind = GKR_ELTWISE;
    l->nvars = nvars;
    l->p.eltwise = p;
    return ZKM_OK;
}

const gkr_kind_ops gkr_eltwise_ops = {
    .name = "eltwise",
    .views = elt_views,
    .check = elt_check,
    .digest = elt_digest,
    .eval = elt_eval,
    .prove = elt_prove,
    .verify = elt_verify,
    .free_params = elt_free,
    .ops = elt_ops,
};
