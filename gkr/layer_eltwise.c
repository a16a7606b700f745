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
        if ((src[s] = gkr_view_block(values, c, v)))
            continue;
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

static unsigned elt_degree(const gkr_eltwise_params *p)
{
    unsigned d = 0;
    for (uint32_t t = 0; t < p->n_terms; t++)
        if (p->term_start[t + 1] - p->term_start[t] > d)
            d = p->term_start[t + 1] - p->term_start[t];
    return d + 1;
}

/* How the prover writes the polynomial P that W multiplies (the sum-check
 * sends the same messages whatever it picks; the degree is the verifier's):
 *   LINEAR: every term has at most one factor: P = L, the whole sum built
 *           once as one table;
 *   POWER:  every factor reads one source S (booleanity S S - S): P is the
 *           terms over one copy of S (sc_prove_eq's 0/1 rounds apply);
 *   COMMON: every term is S* or S* S_t for one source S*: P = S* L with
 *           L = sum_t c_t (S_t or 1);
 *   SPLIT:  anything else: P = L + the terms of two or more factors over
 *           copies of their sources, L = the terms of at most one factor
 *           (no L when no term has a factor: P is the constants).
 * Sources without a copy in P are evaluated at the sum-check's point
 * afterwards. */
enum { ELT_SPLIT = 0, ELT_LINEAR, ELT_POWER, ELT_COMMON };

static int elt_form(const gkr_eltwise_params *p, uint32_t *common)
{
    /* the degree the verifier expects, so the forms cannot send another */
    const unsigned maxlen = elt_degree(p) - 1;
    if (maxlen == 1)
        return ELT_LINEAR;
    if (maxlen == 0)
        return ELT_SPLIT; /* constants only: degree 1, no table */
    uint32_t f = 0;
    while (f < p->term_start[p->n_terms] && p->factors[f] == p->factors[0])
        f++;
    if (f == p->term_start[p->n_terms]) {
        *common = p->factors[0];
        return ELT_POWER;
    }
    if (maxlen > 2)
        return ELT_SPLIT;
    const uint32_t first = p->term_start[0];
    if (p->term_start[1] == first)
        return ELT_SPLIT; /* a constant term: no common factor */
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
    return ELT_SPLIT;
}

/* P for the sum-check: tables (copies of sources, or L), terms over them. */
typedef struct {
    unsigned n_tables;
    fr **tables;      /* n_tables + 1: [0] is W's place (several claims) */
    uint32_t *copies; /* per P table: the source it copies, UINT32_MAX for L */
    uint32_t *tab_of; /* per source: its P table, or UINT32_MAX */
    uint8_t *in_L;    /* per layer term: summed into L */
    uint32_t skip;    /* COMMON: S*, the factor L leaves out */
    unsigned n_terms;
    fr *coef;
    unsigned *start, *factors;
} elt_poly;

static void elt_poly_free(elt_poly *P)
{
    free(P->tables);
    free(P->copies);
    free(P->tab_of);
    free(P->in_L);
    free(P->coef);
    free(P->start);
    free(P->factors);
}

/* P's table copying source s (made on first use). */
static unsigned elt_copy_of(elt_poly *P, uint32_t s)
{
    if (P->tab_of[s] == UINT32_MAX) {
        P->copies[P->n_tables] = s;
        P->tab_of[s] = P->n_tables++;
    }
    return P->tab_of[s];
}

/* A new term of P: its coefficient (NULL: 1), no factors yet. */
static void elt_new_term(elt_poly *P, unsigned *nf, const fr *c)
{
    P->start[P->n_terms] = *nf;
    if (c)
        P->coef[P->n_terms] = *c;
    else
        fr_set_one(&P->coef[P->n_terms]);
    P->n_terms++;
}

static zkm_status elt_poly_make(const gkr_eltwise_params *p, elt_poly *P, zkm_err *e)
{
    const uint32_t nf_layer = p->term_start[p->n_terms];
    uint32_t common = UINT32_MAX;
    const int form = elt_form(p, &common);
    *P = (elt_poly){.skip = form == ELT_COMMON ? common : UINT32_MAX};
    P->tables = calloc(p->n_src + 2, sizeof(fr *));
    P->copies = malloc((p->n_src + 1) * sizeof(uint32_t));
    P->tab_of = malloc(p->n_src * sizeof(uint32_t));
    P->in_L = calloc(p->n_terms, 1);
    P->coef = malloc((p->n_terms + 1) * sizeof(fr));
    P->start = malloc((p->n_terms + 2) * sizeof(unsigned));
    P->factors = malloc((nf_layer + 2) * sizeof(unsigned));
    if (!P->tables || !P->copies || !P->tab_of || !P->in_L || !P->coef || !P->start ||
        !P->factors) {
        elt_poly_free(P);
        return zkm_fail(e, ZKM_ENOMEM, "out of memory");
    }
    for (uint32_t s = 0; s < p->n_src; s++)
        P->tab_of[s] = UINT32_MAX;
    unsigned nf = 0;
    if (form == ELT_POWER || form == ELT_COMMON)
        elt_copy_of(P, common);
    if (form == ELT_POWER) {
        for (uint32_t t = 0; t < p->n_terms; t++) {
            elt_new_term(P, &nf, &p->coef[t]);
            for (uint32_t f = p->term_start[t]; f < p->term_start[t + 1]; f++)
                P->factors[nf++] = 0;
        }
        P->start[P->n_terms] = nf;
        return ZKM_OK;
    }
    const int with_L = form != ELT_SPLIT || elt_degree(p) > 1;
    for (uint32_t t = 0; t < p->n_terms; t++)
        P->in_L[t] = with_L && (form != ELT_SPLIT ||
                                p->term_start[t + 1] - p->term_start[t] <= 1);
    int any_L = 0;
    for (uint32_t t = 0; t < p->n_terms; t++)
        any_L |= P->in_L[t];
    if (any_L) { /* the term L, or S* L */
        elt_new_term(P, &nf, NULL);
        if (form == ELT_COMMON)
            P->factors[nf++] = 0;
        P->copies[P->n_tables] = UINT32_MAX;
        P->factors[nf++] = P->n_tables++;
    }
    for (uint32_t t = 0; t < p->n_terms; t++) {
        if (P->in_L[t])
            continue;
        elt_new_term(P, &nf, &p->coef[t]);
        for (uint32_t f = p->term_start[t]; f < p->term_start[t + 1]; f++)
            P->factors[nf++] = elt_copy_of(P, p->factors[f]);
    }
    P->start[P->n_terms] = nf;
    return ZKM_OK;
}

/* L = sum over the terms in L of c_t * (the term's factor besides one
 * occurrence of S*, or 1), from the sources' entries val. */
static void elt_fill_L(const gkr_eltwise_params *p, const elt_poly *P, const fr *const *val,
                       fr *L, size_t len)
{
    memset(L, 0, len * sizeof(fr));
    for (uint32_t t = 0; t < p->n_terms; t++) {
        if (!P->in_L[t])
            continue;
        uint32_t other = UINT32_MAX;
        int skipped = 0;
        for (uint32_t f = p->term_start[t]; f < p->term_start[t + 1]; f++) {
            if (p->factors[f] == P->skip && !skipped)
                skipped = 1;
            else
                other = p->factors[f];
        }
        if (other == UINT32_MAX) { /* a constant */
            for (size_t g = 0; g < len; g++)
                fr_add(&L[g], &L[g], &p->coef[t]);
            continue;
        }
        mle_axpy(L, &p->coef[t], val[other], len);
    }
}

/* W * P for sc_prove: table 0 is W, a factor of every term. */
static zkm_status elt_times_W(const elt_poly *P, unsigned **start, unsigned **factors,
                              zkm_err *e)
{
    const unsigned nf = P->start[P->n_terms];
    *start = malloc((P->n_terms + 1) * sizeof(unsigned));
    *factors = malloc((nf + P->n_terms) * sizeof(unsigned));
    if (!*start || !*factors)
        return zkm_fail(e, ZKM_ENOMEM, "out of memory");
    unsigned k = 0;
    for (unsigned t = 0; t < P->n_terms; t++) {
        (*start)[t] = k;
        (*factors)[k++] = 0;
        for (unsigned f = P->start[t]; f < P->start[t + 1]; f++)
            (*factors)[k++] = 1 + P->factors[f];
    }
    (*start)[P->n_terms] = k;
    return ZKM_OK;
}

/* One sum-check over g of W(g) P(g): with one claim W = alpha eq(z, .) is
 * never built (sc_prove_eq, or sc_prove_eq_bits given P's table as bits);
 * otherwise W is table 0 of sc_prove. */
static zkm_status elt_sumcheck(gkr_pctx *x, uint32_t li, elt_poly *P, const uint64_t *bits,
                               fr *W, fr *tmp, fr *r, zkm_err *e)
{
    const gkr_claims *cl = &x->claims[li];
    const uint32_t n = x->c->layers[li].nvars;
    if (cl->n == 1) {
        sc_poly poly = {.n_tables = P->n_tables, .tables = P->tables + 1,
                        .n_terms = P->n_terms, .coef = P->coef, .term_start = P->start,
                        .factors = P->factors};
        fr claim;
        gkr_claims_combined(cl, &claim);
        if (bits)
            return sc_prove_eq_bits(&poly, bits, cl->points, &cl->alpha[0], &claim, n, x->ch,
                                    r, e);
        return sc_prove_eq(&poly, cl->points, &cl->alpha[0], &claim, n, x->ch, r, e);
    }
    unsigned *start = NULL, *factors = NULL;
    zkm_status st = elt_times_W(P, &start, &factors, e);
    if (!st) {
        P->tables[0] = W;
        gkr_claims_weights(cl, W, tmp);
        sc_poly poly = {.n_tables = P->n_tables + 1, .tables = P->tables,
                        .n_terms = P->n_terms, .coef = P->coef, .term_start = start,
                        .factors = factors};
        st = sc_prove(&poly, n, x->ch, r, e);
    }
    free(start);
    free(factors);
    return st;
}

/* Every source's value at the sum-check's point r, sent and claimed: its
 * copy in P, folded to it, or an evaluation of its entries val[s] from the
 * eq tables of r's halves (shared; entries 0 and 1 cost additions). */
static zkm_status elt_sources_at(gkr_pctx *x, uint32_t li, const elt_poly *P,
                                 const fr *const *val, const fr *r, zkm_err *e)
{
    const gkr_layer *l = &x->c->layers[li];
    const gkr_eltwise_params *p = &l->p.eltwise;
    const uint32_t n = l->nvars, nl = n / 2;
    zkm_status st = ZKM_OK;
    fr *eq = NULL;
    for (uint32_t s = 0; s < p->n_src && !st; s++) {
        fr v;
        if (P->tab_of[s] != UINT32_MAX) {
            v = P->tables[1 + P->tab_of[s]][0];
        } else {
            if (!eq) {
                eq = zkm_alloc_array(((size_t)1 << nl) + ((size_t)1 << (n - nl)), sizeof(fr),
                                     "eq tables", e);
                if (!eq)
                    return ZKM_ENOMEM;
                mle_eq_table(eq, r, nl, NULL);
                mle_eq_table(eq + ((size_t)1 << nl), r + nl, n - nl, NULL);
            }
            mle_eval_split(&v, val[s], n, nl, eq, eq + ((size_t)1 << nl));
        }
        st = gkr_prove_view(x, &p->src[s], r, &v, e);
    }
    free(eq);
    return st;
}

/* The sources' entries for reading (val[s]): a block of its layer in
 * place, else a copy in cache made once, for the sources without a copy in
 * P (they are evaluated after the sum-check from these) and, when `also`
 * names one, that source.  Returns the copies made; with cache NULL, only
 * counts them. */
static size_t elt_read_sources(gkr_pctx *x, const gkr_eltwise_params *p, const elt_poly *P,
                               uint32_t also, const fr **val, fr *cache, size_t len)
{
    size_t nm = 0;
    for (uint32_t s = 0; s < p->n_src; s++) {
        if (P->tab_of[s] != UINT32_MAX && s != also)
            continue;
        if (!(val[s] = gkr_view_block(x->values, x->c, &p->src[s]))) {
            if (cache)
                gkr_view_table(x->values, x->c, &p->src[s], cache + nm * len);
            val[s] = cache ? cache + nm * len : NULL;
            nm++;
        }
    }
    return nm;
}

static zkm_status elt_prove(gkr_pctx *x, uint32_t li, zkm_err *e)
{
    const gkr_layer *l = &x->c->layers[li];
    const gkr_eltwise_params *p = &l->p.eltwise;
    const uint32_t n = l->nvars;
    const size_t len = (size_t)1 << n;
    const int one_claim = x->claims[li].n == 1;
    fr r[GKR_MAX_NVARS], *block = NULL;
    uint64_t *bits = NULL;
    const fr **val = NULL;
    elt_poly P;
    zkm_status st = elt_poly_make(p, &P, e);
    if (st)
        return st;
    /* P's one table copying a 0/1 source, with one claim: handed to
     * sc_prove_eq_bits as bits, read where the source is, not copied */
    uint32_t solo = UINT32_MAX;
    if (one_claim && P.n_tables == 1 && P.copies[0] != UINT32_MAX && n > SC_BOOL_ROUNDS)
        solo = P.copies[0];
    /* scratch slot 1: the sources' copies, then W's scratch (several claims);
     * slot 0: P's tables, then W, or with bits P's table after the bucketed
     * rounds only (an entry at least in each: never empty) */
    val = calloc(p->n_src, sizeof *val);
    if (!val) {
        st = zkm_fail(e, ZKM_ENOMEM, "out of memory");
        goto done;
    }
    const size_t nm = elt_read_sources(x, p, &P, solo, val, NULL, len);
    fr *cache = gkr_scratch_get(x, 1, (nm + !one_claim) * len + 1, e);
    if (!cache) {
        st = ZKM_ENOMEM;
        goto done;
    }
    elt_read_sources(x, p, &P, solo, val, cache, len);
    if (solo != UINT32_MAX && (bits = malloc(((len + 63) / 64) * sizeof(uint64_t))) &&
        !mle_bits(val[solo], len, bits)) {
        free(bits); /* not 0/1 (or no memory for the bits): P's table is a copy */
        bits = NULL;
    }
    const size_t nt = P.n_tables + !one_claim;
    block = gkr_scratch_get(x, 0, bits ? len >> SC_BOOL_ROUNDS : nt * len + 1, e);
    if (!block) {
        st = ZKM_ENOMEM;
        goto done;
    }
    if (bits)
        P.tables[1] = block;
    for (unsigned j = 0; j < P.n_tables && !bits; j++) { /* copies first: L may read them */
        const uint32_t s = P.copies[j];
        fr *T = P.tables[1 + j] = block + j * len;
        if (s == UINT32_MAX)
            continue;
        if (val[s])
            memcpy(T, val[s], len * sizeof(fr));
        else
            gkr_view_table(x->values, x->c, &p->src[s], T);
        val[s] = T;
    }
    for (unsigned j = 0; j < P.n_tables && !bits; j++)
        if (P.copies[j] == UINT32_MAX)
            elt_fill_L(p, &P, val, P.tables[1 + j], len);
    st = elt_sumcheck(x, li, &P, bits, bits ? NULL : block + P.n_tables * len,
                      cache + nm * len, r, e);
    if (!st)
        st = elt_sources_at(x, li, &P, val, r, e);
done:
    elt_poly_free(&P);
    free(bits);
    free(val);
    return st;
}

static zkm_status elt_verify(gkr_vctx *x, uint32_t li, zkm_err *e)
{
    const gkr_layer *l = &x->c->layers[li];
    const gkr_eltwise_params *p = &l->p.eltwise;
    fr r[GKR_MAX_NVARS], w;
    zk_form claim, acc, prod;
    zk_form_init(&claim);
    zk_form_init(&acc);
    zk_form_init(&prod);
    zk_form *sv = zkm_calloc(p->n_src, sizeof *sv, "eltwise sources", e);
    zkm_status st = sv ? gkr_claims_combined_form(&x->claims[li], &claim, e) : ZKM_ENOMEM;
    if (!st)
        st = sc_verify_forms(x->ch, l->nvars, elt_degree(p), &claim, r, e);
    for (uint32_t s = 0; s < p->n_src && !st; s++)
        st = gkr_verify_view(x, &p->src[s], r, &sv[s], e);
    /* sum_t coef_t prod_{f in t} sv[f]: one product per factor past the
     * first (the coefficient scales for free) */
    for (uint32_t t = 0; t < p->n_terms && !st; t++) {
        zk_form_set_const(&prod, &p->coef[t]);
        for (uint32_t f = p->term_start[t]; f < p->term_start[t + 1] && !st; f++)
            st = zk_chan_mul(x->ch, &prod, &prod, &sv[p->factors[f]], e);
        fr one;
        fr_set_one(&one);
        if (!st)
            st = zk_form_axpy(&acc, &one, &prod, e);
    }
    if (!st) {
        gkr_claims_weight_at(&x->claims[li], r, &w);
        zk_form_scale(&acc, &w);
        st = zk_chan_check(x->ch, &acc, &claim, "final sum-check value does not match", e);
    }
    zk_form_free(&claim);
    zk_form_free(&acc);
    zk_form_free(&prod);
    for (uint32_t s = 0; sv && s < p->n_src; s++)
        zk_form_free(&sv[s]);
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
