/* The GKR driver: transcript set-up, views, claim bookkeeping between
 * layers, proof sections, and the final check of the input layers (public
 * and advice). */
#include "gkr.h"

#include <stdlib.h>
#include <string.h>

#include "gkr_kind.h"
#include "mle.h"
#include "zkm_time.h"

#define GKR_PROTOCOL "zkm/gkr/v1"

/* --- claims --- */

static zkm_status claims_add(gkr_claims *cl, const fr *point, const fr *value, uint32_t hid,
                             zkm_err *e)
{
    if (cl->n == cl->cap) {
        size_t cap = cl->cap ? 2 * cl->cap : 4;
        size_t nv = cl->nvars ? cl->nvars : 1;
        fr *p = realloc(cl->points, cap * nv * sizeof(fr));
        if (!p)
            return zkm_fail(e, ZKM_ENOMEM, "out of memory recording claims");
        cl->points = p;
        fr *v = realloc(cl->values, cap * sizeof(fr));
        if (!v)
            return zkm_fail(e, ZKM_ENOMEM, "out of memory recording claims");
        cl->values = v;
        fr *a = realloc(cl->alpha, cap * sizeof(fr));
        if (!a)
            return zkm_fail(e, ZKM_ENOMEM, "out of memory recording claims");
        cl->alpha = a;
        uint32_t *h = realloc(cl->hid, cap * sizeof *h);
        if (!h)
            return zkm_fail(e, ZKM_ENOMEM, "out of memory recording claims");
        cl->hid = h;
        cl->cap = cap;
    }
    if (cl->nvars)
        memcpy(cl->points + cl->n * cl->nvars, point, cl->nvars * sizeof(fr));
    cl->values[cl->n] = *value;
    cl->hid[cl->n] = hid;
    cl->n++;
    return ZKM_OK;
}

static gkr_claims *claims_new(const gkr_circuit *c, zkm_err *e)
{
    gkr_claims *cl = zkm_calloc(c->n_layers, sizeof(gkr_claims), "claims", e);
    if (cl)
        for (uint32_t i = 0; i < c->n_layers; i++)
            cl[i].nvars = c->layers[i].nvars;
    return cl;
}

static void claims_free(gkr_claims *cl, uint32_t n)
{
    if (!cl)
        return;
    for (uint32_t i = 0; i < n; i++) {
        free(cl[i].points);
        free(cl[i].values);
        free(cl[i].alpha);
        free(cl[i].hid);
    }
    free(cl);
}

/* Random combination coefficients for the claims on one layer. */
static void claims_draw_alpha(gkr_claims *cl, transcript *tr)
{
    if (cl->n == 1)
        fr_set_one(&cl->alpha[0]);
    else
        tr_challenges(tr, "gkr/alpha", cl->alpha, cl->n);
}

void gkr_claims_combined(const gkr_claims *cl, fr *out)
{
    fr acc, t;
    fr_set_zero(&acc);
    for (size_t k = 0; k < cl->n; k++) {
        fr_mul(&t, &cl->alpha[k], &cl->values[k]);
        fr_add(&acc, &acc, &t);
    }
    *out = acc;
}

/* Claim k's value as a form: hidden or public. */
static zkm_status claim_form(const gkr_claims *cl, size_t k, zk_form *out, zkm_err *e)
{
    fr one;
    fr_set_one(&one);
    if (cl->hid[k] != ZK_NONE)
        return zk_form_set_hidden(out, cl->hid[k], &one, e);
    zk_form_set_const(out, &cl->values[k]);
    return ZKM_OK;
}

zkm_status gkr_claims_combined_form(const gkr_claims *cl, zk_form *out, zkm_err *e)
{
    zk_form t;
    zk_form_init(&t);
    fr zero;
    fr_set_zero(&zero);
    zk_form_set_const(out, &zero);
    zkm_status st = ZKM_OK;
    for (size_t k = 0; k < cl->n && !st; k++) {
        st = claim_form(cl, k, &t, e);
        if (!st)
            st = zk_form_axpy(out, &cl->alpha[k], &t, e);
    }
    zk_form_free(&t);
    return st;
}

void gkr_claims_weights(const gkr_claims *cl, fr *W, fr *scratch)
{
    mle_eq_table(W, cl->points, cl->nvars, &cl->alpha[0]);
    for (size_t k = 1; k < cl->n; k++)
        mle_eq_table_add(W, cl->points + k * cl->nvars, cl->nvars, &cl->alpha[k], scratch);
}

void gkr_claims_weight_at(const gkr_claims *cl, const fr *r, fr *out)
{
    fr acc, t;
    fr_set_zero(&acc);
    for (size_t k = 0; k < cl->n; k++) {
        mle_eq_eval(&t, cl->points + k * cl->nvars, r, cl->nvars);
        fr_mul(&t, &t, &cl->alpha[k]);
        fr_add(&acc, &acc, &t);
    }
    *out = acc;
}

/* --- scratch --- */

fr *gkr_scratch_get(gkr_pctx *x, unsigned slot, size_t n, zkm_err *e)
{
    gkr_scratch *s = x->scratch;
    if (slot >= GKR_SCRATCH_SLOTS) {
        zkm_fail(e, ZKM_EINVAL, "scratch slot %u out of range", slot);
        return NULL;
    }
    if (s->cap[slot] < n) {
        free(s->buf[slot]);
        s->cap[slot] = 0;
        s->buf[slot] = zkm_alloc_array(n, sizeof(fr), "prover table", e);
        if (!s->buf[slot])
            return NULL;
        s->cap[slot] = n;
    }
    return s->buf[slot];
}

static void scratch_free(gkr_scratch *s)
{
    for (unsigned i = 0; i < GKR_SCRATCH_SLOTS; i++)
        free(s->buf[i]);
}

/* --- messages --- */

zkm_status gkr_send(gkr_pctx *x, const fr *v, size_t n, uint32_t *first, zkm_err *e)
{
    return zk_chan_send(x->ch, "gkr/msg", v, n, first, e);
}

zkm_status gkr_recv(gkr_vctx *x, zk_form *out, size_t n, zkm_err *e)
{
    return zk_chan_recv(x->ch, "gkr/msg", out, n, e);
}

/* --- views --- */

/* Any view as a map (circuit.h): map[i] for each of the layer's variables;
 * returns ext.  A view variable no layer variable names is free. */
static unsigned view_map(const gkr_circuit *c, const gkr_view *v, uint8_t map[GKR_MAX_NVARS])
{
    const uint32_t ln = c->layers[v->layer].nvars;
    if (v->mapped) {
        memcpy(map, v->map, GKR_MAX_NVARS);
        return v->ext;
    }
    memset(map, 0, GKR_MAX_NVARS);
    for (uint32_t i = 0; i < ln; i++)
        map[i] = i < v->nvars ? (uint8_t)i
                              : (uint8_t)(((v->offset >> i) & 1) ? GKR_VIEW_CONST1 : GKR_VIEW_CONST0);
    return GKR_VIEW_ZERO;
}

/* Free view variables as a bit set. */
static uint64_t view_free(const gkr_circuit *c, const gkr_view *v, const uint8_t *map)
{
    uint64_t named = 0;
    for (uint32_t i = 0; i < c->layers[v->layer].nvars; i++)
        if (map[i] < GKR_VIEW_CONST0)
            named |= (uint64_t)1 << map[i];
    return (((uint64_t)1 << v->nvars) - 1) & ~named;
}

void gkr_view_table(fr *const *values, const gkr_circuit *c, const gkr_view *v, fr *table)
{
    const uint32_t ln = c->layers[v->layer].nvars;
    const fr *src = values[v->layer];
    const size_t len = (size_t)1 << v->nvars;
    if (!v->mapped) {
        if (v->nvars <= ln) {
            memcpy(table, src + v->offset, len * sizeof(fr));
        } else {
            size_t have = (size_t)1 << ln;
            memcpy(table, src, have * sizeof(fr));
            memset(table + have, 0, (len - have) * sizeof(fr));
        }
        return;
    }
    /* pos_mask[j]: the layer bit view bit j lands on (free bits: none) */
    uint8_t map[GKR_MAX_NVARS];
    const unsigned ext = view_map(c, v, map);
    const uint64_t free_bits = view_free(c, v, map);
    uint64_t base = 0, pos_mask[GKR_MAX_NVARS] = {0};
    for (uint32_t i = 0; i < ln; i++) {
        if (map[i] == GKR_VIEW_CONST1)
            base |= (uint64_t)1 << i;
        else if (map[i] < GKR_VIEW_CONST0)
            pos_mask[map[i]] = (uint64_t)1 << i;
    }
    for (size_t j = 0; j < len; j++) {
        if (ext == GKR_VIEW_ZERO && (j & free_bits)) {
            fr_set_zero(&table[j]);
            continue;
        }
        uint64_t idx = base;
        for (uint32_t b = 0; b < v->nvars; b++)
            if ((j >> b) & 1)
                idx |= pos_mask[b];
        table[j] = src[idx];
    }
}

fr *gkr_view_alloc(fr *const *values, const gkr_circuit *c, const gkr_view *v, zkm_err *e)
{
    fr *t = zkm_alloc_array((size_t)1 << v->nvars, sizeof(fr), "operand table", e);
    if (t)
        gkr_view_table(values, c, v, t);
    return t;
}

zkm_status gkr_view_alloc2(fr *const *values, const gkr_circuit *c, const gkr_view src[2],
                           fr **a, fr **b, zkm_err *e)
{
    *a = gkr_view_alloc(values, c, &src[0], e);
    *b = *a ? gkr_view_alloc(values, c, &src[1], e) : NULL;
    if (*b)
        return ZKM_OK;
    free(*a);
    *a = NULL;
    return ZKM_ENOMEM;
}

/* The point q on the viewed layer for point p on the view; returns the
 * factor f with view(p) = f * layer(q) (1 unless free variables are
 * zero-extended). */
static fr view_point(const gkr_circuit *c, const gkr_view *v, const fr *p, fr *q)
{
    const uint32_t ln = c->layers[v->layer].nvars;
    uint8_t map[GKR_MAX_NVARS];
    const unsigned ext = view_map(c, v, map);
    const uint64_t free_bits = view_free(c, v, map);
    fr f, one, t;
    fr_set_one(&one);
    f = one;
    for (uint32_t i = 0; i < ln; i++) {
        if (map[i] == GKR_VIEW_CONST0)
            fr_set_zero(&q[i]);
        else if (map[i] == GKR_VIEW_CONST1)
            q[i] = one;
        else
            q[i] = p[map[i]];
    }
    if (ext == GKR_VIEW_ZERO)
        for (uint32_t j = 0; j < v->nvars; j++)
            if ((free_bits >> j) & 1) {
                fr_sub(&t, &one, &p[j]);
                fr_mul(&f, &f, &t);
            }
    return f;
}

zkm_status gkr_prove_view(gkr_pctx *x, const gkr_view *v, const fr *p, const fr *view_value,
                          zkm_err *e)
{
    const uint32_t ln = x->c->layers[v->layer].nvars;
    fr q[GKR_MAX_NVARS], w;
    const fr f = view_point(x->c, v, p, q);
    fr one;
    fr_set_one(&one);
    if (fr_eq(&f, &one)) {
        w = *view_value;
    } else if (!fr_is_zero(&f)) {
        fr inv;
        fr_inv_var(&inv, &f);
        fr_mul(&w, view_value, &inv);
    } else { /* the view is 0 at p whatever the layer: evaluate the layer */
        fr *scratch = zkm_alloc_array(ln ? (size_t)1 << (ln - 1) : 1, sizeof(fr),
                                      "evaluation scratch", e);
        if (!scratch)
            return ZKM_ENOMEM;
        mle_eval(&w, x->values[v->layer], ln, q, scratch);
        free(scratch);
    }
    uint32_t hid;
    zkm_status st = gkr_send(x, &w, 1, &hid, e);
    if (!st)
        st = claims_add(&x->claims[v->layer], q, &w, hid, e);
    return st;
}

zkm_status gkr_verify_view(gkr_vctx *x, const gkr_view *v, const fr *p, zk_form *view_value,
                           zkm_err *e)
{
    fr q[GKR_MAX_NVARS];
    zkm_status st = gkr_recv(x, view_value, 1, e);
    if (st)
        return st;
    const fr f = view_point(x->c, v, p, q);
    if (x->record_claims) {
        /* a received value is a constant in the clear, one hidden value in
         * zero knowledge */
        fr zero;
        fr_set_zero(&zero);
        const int hidden = !zk_form_is_const(view_value);
        st = claims_add(&x->claims[v->layer], q, hidden ? &zero : &view_value->k,
                        hidden ? view_value->idx[0] : ZK_NONE, e);
        if (st)
            return st;
    }
    zk_form_scale(view_value, &f);
    return ZKM_OK;
}

/* --- evaluation --- */

void gkr_values_free(const gkr_circuit *c, fr **values)
{
    for (uint32_t i = 0; i < c->n_layers; i++) {
        if (c->layers[i].kind != GKR_INPUT) {
            free(values[i]);
            values[i] = NULL;
        }
    }
}

zkm_status gkr_eval_layer(const gkr_circuit *c, uint32_t li, fr *const *values, fr *out,
                          zkm_err *e)
{
    if (li >= c->n_layers || c->layers[li].kind == GKR_INPUT)
        return zkm_fail(e, ZKM_EINVAL, "layer %u is not a computed layer", li);
    return gkr_kind_get(c->layers[li].kind)->eval(c, li, values, out, e);
}

zkm_status gkr_eval(const gkr_circuit *c, fr **values, zkm_err *e)
{
    zkm_status st = gkr_circuit_check(c, e);
    if (st)
        return st;
    for (uint32_t i = 0; i < c->n_layers; i++)
        if (c->layers[i].kind != GKR_INPUT)
            values[i] = NULL;
    for (uint32_t i = c->n_layers; i-- > 0;) {
        const gkr_layer *l = &c->layers[i];
        if (l->kind == GKR_INPUT) {
            if (!values[i])
                return zkm_fail(e, ZKM_EINVAL, "no values for input layer %u", i);
            continue;
        }
        size_t len = (size_t)1 << l->nvars;
        values[i] = zkm_alloc_array(len, sizeof(fr), "layer values", e);
        if (!values[i])
            goto fail;
        memset(values[i], 0, len * sizeof(fr));
        if (gkr_kind_get(l->kind)->eval(c, i, values, values[i], e))
            goto fail;
    }
    return ZKM_OK;
fail:
    gkr_values_free(c, values);
    return e ? e->code : ZKM_ENOMEM;
}

/* --- transcript set-up shared by prover and verifier --- */

static int is_advice(const gkr_layer *l)
{
    return l->kind == GKR_INPUT && l->p.input.visibility == GKR_INPUT_ADVICE;
}

static int is_challenge(const gkr_layer *l)
{
    return l->kind == GKR_INPUT && l->p.input.visibility == GKR_INPUT_CHALLENGE;
}

/* dep[i] = 1 for the challenge layers and every layer reading one, directly
 * or not (a layer reads only larger indices). */
static void challenge_deps(const gkr_circuit *c, uint8_t *dep)
{
    for (uint32_t i = c->n_layers; i-- > 0;) {
        const gkr_layer *l = &c->layers[i];
        dep[i] = (uint8_t)is_challenge(l);
        const gkr_view *v;
        const uint32_t nv = l->kind == GKR_INPUT ? 0 : gkr_kind_get(l->kind)->views(l, &v);
        for (uint32_t k = 0; k < nv && !dep[i]; k++)
            dep[i] = dep[v[k].layer];
    }
}

/* Draw the challenge layers' values (after the statement). */
static void draw_challenges(transcript *tr, const gkr_circuit *c, fr *const *tables)
{
    for (uint32_t i = 0; i < c->n_layers; i++)
        if (is_challenge(&c->layers[i])) {
            tr_absorb_u64(tr, "gkr/challenge-layer", i);
            tr_challenge(tr, "gkr/challenge", &tables[i][0]);
        }
}

static int is_committed(const gkr_layer *l)
{
    return l->kind == GKR_INPUT && l->p.input.visibility == GKR_INPUT_COMMITTED;
}

/* A committed layer whose commitment travels in the proof. */
static int sends_commitment(const gkr_layer *l)
{
    return is_committed(l) && !l->p.input.external;
}

static int has_committed(const gkr_circuit *c)
{
    for (uint32_t i = 0; i < c->n_layers; i++)
        if (is_committed(&c->layers[i]))
            return 1;
    return 0;
}

/* A layer with a section of its own: computed layers (their messages),
 * advice (its values) and committed layers the prover commits (their rows). */
static int has_section(const gkr_layer *l)
{
    return l->kind != GKR_INPUT || is_advice(l) || sends_commitment(l);
}

/* Everything the statement and the prover's advice fix, before any
 * challenge: digest, public inputs, advice, claimed output.  tables[i] holds
 * input layer i's values (public or advice). */
/* layer_s (may be NULL): time spent on each input layer, added; *in_s: their
 * total, added. */
static void absorb_statement(transcript *tr, const gkr_circuit *c, int zk, const uint8_t *digest,
                             fr *const *tables, const hyrax_com *const *coms,
                             const fr *output, gkr_digests digests, double *layer_s,
                             double *in_s)
{
    tr_init(tr, GKR_PROTOCOL);
    tr_absorb_bytes(tr, "gkr/circuit", digest, GKR_DIGEST_BYTES);
    if (zk)
        tr_absorb_u64(tr, "gkr/zero-knowledge", 1);
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gkr_layer *l = &c->layers[i];
        if (l->kind == GKR_INPUT && l->p.input.visibility == GKR_INPUT_PUBLIC) {
            const double t = zkm_now();
            tr_absorb_u64(tr, "gkr/input-layer", i);
            if (digests && digests[i])
                tr_absorb_bytes(tr, "gkr/input-digest", digests[i], GKR_DIGEST_BYTES);
            else
                tr_absorb_frs(tr, "gkr/input", tables[i], (size_t)1 << l->nvars);
            const double dt = zkm_now() - t;
            *in_s += dt;
            if (layer_s)
                layer_s[i] += dt;
        }
    }
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gkr_layer *l = &c->layers[i];
        if (is_advice(l)) {
            const double t = zkm_now();
            tr_absorb_u64(tr, "gkr/advice-layer", i);
            tr_absorb_frs(tr, "gkr/advice", tables[i], l->p.input.len);
            const double dt = zkm_now() - t;
            *in_s += dt;
            if (layer_s)
                layer_s[i] += dt;
        }
    }
    for (uint32_t i = 0; i < c->n_layers; i++) {
        if (is_committed(&c->layers[i])) {
            const double t = zkm_now();
            tr_absorb_u64(tr, "gkr/committed-layer", i);
            hyrax_absorb_com(tr, "gkr/commitment", coms[i]);
            const double dt = zkm_now() - t;
            *in_s += dt;
            if (layer_s)
                layer_s[i] += dt;
        }
    }
    tr_absorb_frs(tr, "gkr/output", output, (size_t)1 << c->layers[0].nvars);
}

/* Reset stats and record how the proof's bytes split: tags past the
 * layers' (1 + n_layers on) are the opening's. */
/* Section tags, in the order sections appear:
 *   0            the claimed output;
 *   1 + i        layer i's: a computed layer's messages (in zero knowledge
 *                their commitments and the proofs of product's points), an
 *                advice layer's values, a committed layer's rows;
 *   1 + n + i    zero knowledge only: computed layer i's sigma-protocol
 *                scalars (n = the layer count);
 *   F, F + 1     the final field elements and points: the opening of the
 *                committed layers, and in zero knowledge the input layers'
 *                equalities and the Schnorr proof for all of them
 *                (F = 1 + n in the clear, 1 + 2n in zero knowledge; present
 *                in zero knowledge or when there are committed layers). */
static uint32_t final_tag(const gkr_circuit *c, int zk)
{
    return 1 + (zk ? 2 : 1) * c->n_layers;
}

static int has_final(const gkr_circuit *c, int zk)
{
    return zk || has_committed(c);
}

static uint32_t proof_sections(const gkr_circuit *c, int zk)
{
    uint32_t n = 1;
    for (uint32_t i = 0; i < c->n_layers; i++)
        n += has_section(&c->layers[i]) + (zk && c->layers[i].kind != GKR_INPUT);
    return n + (has_final(c, zk) ? 2 : 0);
}

static void proof_sizes(const gkr_circuit *c, int zk, const gkr_proof *P, size_t len,
                        gkr_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    stats->proof_bytes = len;
    for (uint32_t k = 0; k < P->n_sections; k++) {
        const gkr_section *sec = &P->sections[k];
        const uint32_t t = sec->tag;
        if (t == 0)
            stats->output_bytes = gkr_section_bytes(sec);
        else if (sec->encoding == GKR_ENC_UINT || sec->encoding == GKR_ENC_SINT)
            stats->advice_bytes += gkr_section_bytes(sec);
        else if (t >= final_tag(c, zk) ||
                 (t <= c->n_layers && sends_commitment(&c->layers[t - 1])))
            stats->commit_bytes += gkr_section_bytes(sec);
    }
}

/* The output claim: a random point and the output's value there; then
 * "zero at a random point" for every zero layer. */
static zkm_status seed_claims(transcript *tr, const gkr_circuit *c, const fr *output,
                              gkr_claims *cl, zkm_err *e)
{
    const uint32_t n0 = c->layers[0].nvars;
    fr z[GKR_MAX_NVARS], v;
    tr_challenges(tr, "gkr/z0", z, n0);
    fr *scratch = zkm_alloc_array(n0 ? (size_t)1 << (n0 - 1) : 1, sizeof(fr), "scratch", e);
    if (!scratch)
        return ZKM_ENOMEM;
    mle_eval(&v, output, n0, z, scratch);
    free(scratch);
    zkm_status st = claims_add(&cl[0], z, &v, ZK_NONE, e);
    fr_set_zero(&v);
    for (uint32_t i = 1; i < c->n_layers && !st; i++) {
        if (!(c->layers[i].flags & GKR_LAYER_ZERO))
            continue;
        tr_challenges(tr, "gkr/zero-z", z, c->layers[i].nvars);
        st = claims_add(&cl[i], z, &v, ZK_NONE, e);
    }
    return st;
}

/* Prover-side sanity: zero layers are zero, advice is zero past its length,
 * for the layers i with dep[i] == late (dep from challenge_deps: 0 before
 * the challenges are drawn, 1 after).  A failure here is a bug in whoever
 * built the witness, caught before a proof that cannot verify is produced. */
static zkm_status check_witness(const gkr_circuit *c, fr *const *values, const uint8_t *dep,
                                uint8_t late, zkm_err *e)
{
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gkr_layer *l = &c->layers[i];
        if (dep[i] != late)
            continue;
        size_t from = (l->flags & GKR_LAYER_ZERO) ? 0 : is_advice(l) ? l->p.input.len : SIZE_MAX;
        for (size_t k = from; k < ((size_t)1 << l->nvars); k++)
            if (!fr_is_zero(&values[i][k]))
                return zkm_fail(e, ZKM_EINVAL, "layer %u must be zero at %zu but is not%s", i,
                                k, is_advice(l) ? " (advice past its length)" : "");
    }
    return ZKM_OK;
}

zkm_status gkr_prove(const gkr_circuit *c, fr *const *values, uint8_t **proof,
                     size_t *proof_len, gkr_stats *stats, zkm_err *e)
{
    return gkr_prove_ex(c, values, NULL, proof, proof_len, stats, e);
}

/* The claims made on committed layers, as the opening takes them:
 * table k is the k-th committed layer (tab_of[li] = k).  *out and *n_out
 * are the caller's to free. */
static zkm_status committed_claims(const gkr_circuit *c, const gkr_claims *cl,
                                   const uint32_t *tab_of, hyrax_claim **out, size_t *n_out,
                                   zkm_err *e)
{
    size_t n = 0;
    for (uint32_t li = 0; li < c->n_layers; li++)
        if (is_committed(&c->layers[li]))
            n += cl[li].n;
    *n_out = n;
    *out = zkm_calloc(n ? n : 1, sizeof(hyrax_claim), "commitment claims", e);
    if (!*out)
        return ZKM_ENOMEM;
    size_t k = 0;
    for (uint32_t li = 0; li < c->n_layers; li++) {
        if (!is_committed(&c->layers[li]))
            continue;
        for (size_t j = 0; j < cl[li].n; j++, k++) {
            (*out)[k].table = tab_of[li];
            (*out)[k].point = cl[li].points + j * cl[li].nvars;
            (*out)[k].value = cl[li].values[j];
            (*out)[k].hid = cl[li].hid[j];
        }
    }
    return ZKM_OK;
}

/* Whether an external commitment fits committed layer li. */
static int com_fits(const gkr_circuit *c, uint32_t li, const hyrax_com *com)
{
    return com && com->nvars == c->layers[li].nvars && com->col_vars == c->commit_col_vars &&
           com->n_rows == hyrax_rows(com->nvars, com->col_vars);
}

/* Prover state for committed layers: each one's commitment and blinds
 * (external ones borrowed from the options, the rest made here). */
typedef struct {
    hyrax_com *own;        /* n_layers: commitments made here  */
    fr **own_blinds;       /* n_layers                         */
    const hyrax_com **com; /* n_layers: every committed layer's */
    const fr **blinds;     /* n_layers                         */
    uint32_t *tab_of;      /* n_layers: index among committed   */
    uint32_t n_tab;
} commit_state;

static void commit_state_free(commit_state *cs, uint32_t n_layers)
{
    if (cs->own)
        for (uint32_t i = 0; i < n_layers; i++)
            hyrax_com_free(&cs->own[i]);
    if (cs->own_blinds)
        for (uint32_t i = 0; i < n_layers; i++)
            free(cs->own_blinds[i]);
    free(cs->own);
    free(cs->own_blinds);
    free(cs->com);
    free(cs->blinds);
    free(cs->tab_of);
    memset(cs, 0, sizeof *cs);
}

static zkm_status commit_state_init(commit_state *cs, const gkr_circuit *c, fr *const *values,
                                    const gkr_prove_opts *o, zkm_err *e)
{
    const uint32_t n = c->n_layers;
    memset(cs, 0, sizeof *cs);
    cs->own = zkm_calloc(n, sizeof *cs->own, "commitments", e);
    cs->own_blinds = zkm_calloc(n, sizeof *cs->own_blinds, "commitments", e);
    cs->com = zkm_calloc(n, sizeof *cs->com, "commitments", e);
    cs->blinds = zkm_calloc(n, sizeof *cs->blinds, "commitments", e);
    cs->tab_of = zkm_calloc(n, sizeof *cs->tab_of, "commitments", e);
    if (!cs->own || !cs->own_blinds || !cs->com || !cs->blinds || !cs->tab_of)
        return ZKM_ENOMEM;
    for (uint32_t li = 0; li < n; li++) {
        const gkr_layer *l = &c->layers[li];
        if (!is_committed(l))
            continue;
        cs->tab_of[li] = cs->n_tab++;
        if (l->p.input.external) {
            const hyrax_com *com = o && o->coms ? o->coms[li] : NULL;
            const fr *bl = o && o->blinds ? o->blinds[li] : NULL;
            if (!com_fits(c, li, com) || !bl)
                return zkm_fail(e, ZKM_EINVAL,
                                "committed layer %u: no commitment of its shape was given", li);
            cs->com[li] = com;
            cs->blinds[li] = bl;
            continue;
        }
        size_t rows = hyrax_rows(l->nvars, c->commit_col_vars);
        cs->own_blinds[li] = zkm_alloc_array(rows, sizeof(fr), "blinds", e);
        if (!cs->own_blinds[li])
            return ZKM_ENOMEM;
        if (o && o->hiding)
            hyrax_random_blinds(cs->own_blinds[li], rows);
        else
            memset(cs->own_blinds[li], 0, rows * sizeof(fr));
        zkm_status st = hyrax_commit(&cs->own[li], values[li], l->nvars, c->commit_col_vars,
                                     cs->own_blinds[li], o ? o->threads : 1, e);
        if (st)
            return st;
        cs->com[li] = &cs->own[li];
        cs->blinds[li] = cs->own_blinds[li];
    }
    return ZKM_OK;
}

/* The prover's sections, in tag order; sec_of[li] and scal_of[li] the
 * layer's (NULL where it has none). */
static zkm_status layout_sections(gkr_proof *P, const gkr_circuit *c, int zk,
                                  gkr_section **sec_of, gkr_section **scal_of, zkm_err *e)
{
    const uint32_t ns = proof_sections(c, zk), n = c->n_layers;
    P->sections = zkm_calloc(ns, sizeof(gkr_section), "proof sections", e);
    if (!P->sections)
        return ZKM_ENOMEM;
    P->n_sections = ns;
    uint32_t s = 1;
    for (uint32_t li = 0; li < n; li++) {
        const gkr_layer *l = &c->layers[li];
        if (!has_section(l))
            continue;
        gkr_section *sec = &P->sections[s++];
        sec->tag = 1 + li;
        sec_of[li] = sec;
        if (is_advice(l)) {
            sec->encoding = l->p.input.encoding;
            sec->width = l->p.input.width;
        } else if (sends_commitment(l) || zk) {
            sec->encoding = GKR_ENC_G1;
        }
    }
    for (uint32_t li = 0; zk && li < n; li++)
        if (c->layers[li].kind != GKR_INPUT) {
            scal_of[li] = &P->sections[s++];
            scal_of[li]->tag = 1 + n + li;
        }
    if (has_final(c, zk)) {
        P->sections[s].tag = final_tag(c, zk);
        P->sections[s + 1].tag = final_tag(c, zk) + 1;
        P->sections[s + 1].encoding = GKR_ENC_G1;
    }
    return ZKM_OK;
}

/* Zero knowledge, prover: replay the verifier of layer li over the messages
 * just sent (the layer's points, numbered from `base`, and its scalars in
 * the clear, from `at_s` on in sc), from the transcript as it was before
 * them (*replay), recording the products and equalities to prove; the
 * replay must end where the prover's transcript is. */
static zkm_status mirror_layer(const gkr_circuit *c, uint32_t li, gkr_claims *cl, zk_ctx *zk,
                               transcript *replay, const transcript *tr, zk_pos base,
                               const gkr_section *sec, const fr_vec *sc, size_t at_s,
                               zkm_err *e)
{
    g1_cursor in = {.v = sec->pts.v, .n = sec->pts.n, .pos = 0};
    fr_cursor ins = {.v = sc->v + at_s, .n = sc->n - at_s, .pos = 0};
    zk_chan ch = {.tr = replay, .zk = zk, .in = &ins, .in_pts = &in, .mirror = 1,
                  .mirror_next = base};
    gkr_vctx x = {.c = c, .tr = replay, .ch = &ch, .claims = cl, .record_claims = 0};
    zkm_status st = gkr_kind_get(c->layers[li].kind)->verify(&x, li, e);
    if (st == ZKM_EREJECT)
        st = zkm_fail(e, ZKM_EINVAL, "layer %u: the prover's replay rejects (the witness is "
                      "wrong)", li);
    if (!st && (in.pos != in.n || ins.pos != ins.n || memcmp(replay, tr, sizeof *tr) != 0))
        st = zkm_fail(e, ZKM_EINVAL, "layer %u: the prover's replay does not follow its "
                      "messages", li);
    return st;
}

/* The claims on input layers that are neither committed nor zero: their
 * values are the verifier's to compute; claims made of hidden values
 * (zero knowledge) become equalities to prove. */
static zkm_status check_input_claims(const gkr_circuit *c, uint32_t li, const fr *table,
                                     const gkr_claims *cl, zk_chan *ch, zkm_err *e);

/* Prover: compute the layers that depend on the challenges just drawn
 * (dep from challenge_deps; the output, which the statement fixed, must not
 * be one), then check that those which must be zero are. */
static zkm_status eval_after_challenges(const gkr_circuit *c, fr *const *values,
                                        const uint8_t *dep, zkm_err *e)
{
    if (dep[0])
        return zkm_fail(e, ZKM_EINVAL, "the output layer depends on a challenge");
    for (uint32_t i = c->n_layers; i-- > 0;) {
        const gkr_layer *l = &c->layers[i];
        if (!dep[i] || l->kind == GKR_INPUT)
            continue;
        memset(values[i], 0, ((size_t)1 << l->nvars) * sizeof(fr));
        zkm_status st = gkr_kind_get(l->kind)->eval(c, i, values, values[i], e);
        if (st)
            return st;
    }
    return check_witness(c, values, dep, 1, e);
}

zkm_status gkr_prove_ex(const gkr_circuit *c, fr *const *values, const gkr_prove_opts *o,
                        uint8_t **proof, size_t *proof_len, gkr_stats *stats, zkm_err *e)
{
    double t0 = zkm_now(), t_commit = 0;
    const int zkm = o && o->zk;
    const int threads = o ? o->threads : 1;
    zkm_status st;
    gkr_proof P;
    gkr_scratch scratch;
    transcript tr;
    commit_state cs;
    zk_ctx *zk = NULL;
    hyrax_claim *hc = NULL;
    hyrax_table *ht = NULL;
    gkr_section **sec_of = NULL, **scal_of = NULL;
    memset(&P, 0, sizeof P);
    memset(&scratch, 0, sizeof scratch);
    memset(&cs, 0, sizeof cs);
    uint8_t *dep = NULL;
    st = gkr_circuit_check(c, e);
    if (!st && !(dep = zkm_calloc(c->n_layers, 1, "layer dependencies", e)))
        st = ZKM_ENOMEM;
    if (!st) {
        challenge_deps(c, dep);
        st = check_witness(c, values, dep, 0, e);
    }
    for (uint32_t li = 0; li < c->n_layers && !st && zkm; li++)
        if (is_advice(&c->layers[li]))
            st = zkm_fail(e, ZKM_EINVAL, "zero knowledge needs every advice layer committed "
                          "(layer %u is sent in the clear)", li);
    if (st) {
        free(dep);
        return st;
    }
    gkr_claims *cl = claims_new(c, e);
    if (!cl) {
        free(dep);
        return ZKM_ENOMEM;
    }
    sec_of = zkm_calloc(c->n_layers, sizeof *sec_of, "sections", e);
    scal_of = zkm_calloc(c->n_layers, sizeof *scal_of, "sections", e);
    if (!sec_of || !scal_of) {
        st = ZKM_ENOMEM;
        goto done;
    }
    st = layout_sections(&P, c, zkm, sec_of, scal_of, e);
    if (!st && zkm && !(zk = zk_ctx_new(1, threads, e)))
        st = ZKM_ENOMEM;
    if (st)
        goto done;
    double tc = zkm_now();
    gkr_prove_opts co = o ? *o : (gkr_prove_opts){0};
    co.hiding = co.hiding || zkm;
    st = commit_state_init(&cs, c, values, &co, e);
    t_commit += zkm_now() - tc;
    if (st)
        goto done;
    gkr_circuit_digest(c, P.digest);
    double in_s = 0;
    absorb_statement(&tr, c, zkm, P.digest, values, cs.com, values[0], o ? o->digests : NULL,
                     NULL, &in_s);
    draw_challenges(&tr, c, values);
    st = eval_after_challenges(c, values, dep, e);

    if (!st)
        st = fr_vec_push(&P.sections[0].msgs, values[0], (size_t)1 << c->layers[0].nvars, e);
    for (uint32_t li = 0; li < c->n_layers && !st; li++) {
        const gkr_layer *l = &c->layers[li];
        if (is_advice(l))
            st = fr_vec_push(&sec_of[li]->msgs, values[li], l->p.input.len, e);
        else if (sends_commitment(l))
            st = g1_vec_push(&sec_of[li]->pts, cs.com[li]->rows, cs.com[li]->n_rows, e);
    }
    if (!st)
        st = seed_claims(&tr, c, values[0], cl, e);
    for (uint32_t li = 0; li < c->n_layers && !st; li++) {
        const gkr_layer *l = &c->layers[li];
        if (l->kind == GKR_INPUT)
            continue;
        const double tl = o && o->layer_s ? zkm_now() : 0;
        claims_draw_alpha(&cl[li], &tr);
        gkr_section *sec = sec_of[li];
        zk_chan ch = {.tr = &tr, .zk = zk, .out = zkm ? &scal_of[li]->msgs : &sec->msgs,
                      .out_pts = &sec->pts};
        transcript replay = tr;
        const zk_pos base = zk ? zk_next(zk) : (zk_pos){0, 0, 0};
        const size_t at_s = ch.out->n;
        gkr_pctx x = {.c = c, .values = values, .tr = &tr, .ch = &ch, .claims = cl,
                      .scratch = &scratch};
        st = gkr_kind_get(l->kind)->prove(&x, li, e);
        if (!st && zk)
            st = mirror_layer(c, li, cl, zk, &replay, &tr, base, sec, ch.out, at_s, e);
        if (!st)
            st = zk_chan_flush(&ch, e);
        if (o && o->layer_s)
            o->layer_s[li] += zkm_now() - tl;
        if (o && o->progress)
            o->progress(o->ctx, li + 1, c->n_layers);
    }
    if (!st && has_final(c, zkm)) {
        tc = zkm_now();
        gkr_section *fs = &P.sections[P.n_sections - 2], *ps = &P.sections[P.n_sections - 1];
        zk_chan ch = {.tr = &tr, .zk = zk, .out = &fs->msgs, .out_pts = &ps->pts};
        for (uint32_t li = 0; li < c->n_layers && !st && zk; li++)
            if (c->layers[li].kind == GKR_INPUT && !is_committed(&c->layers[li]))
                st = check_input_claims(c, li, values[li], &cl[li], &ch, e);
        if (!st)
            st = zk_chan_flush(&ch, e);
        size_t nc = 0;
        if (!st && cs.n_tab) {
            ht = zkm_calloc(cs.n_tab, sizeof *ht, "commitment tables", e);
            st = ht ? committed_claims(c, cl, cs.tab_of, &hc, &nc, e) : ZKM_ENOMEM;
            for (uint32_t li = 0; li < c->n_layers && !st; li++)
                if (is_committed(&c->layers[li]))
                    ht[cs.tab_of[li]] = (hyrax_table){.com = cs.com[li], .values = values[li],
                                                      .blinds = cs.blinds[li]};
            if (!st)
                st = zk ? hyrax_open_prove_zk(&ch, ht, cs.n_tab, hc, nc, threads, e)
                        : hyrax_open_prove(&tr, ht, cs.n_tab, hc, nc, &fs->msgs, &ps->pts,
                                           threads, e);
        }
        if (!st)
            st = zk_finish(&ch, e);
        t_commit += zkm_now() - tc;
    }
    if (!st)
        st = gkr_proof_encode(&P, proof, proof_len, e);
    if (!st && stats) {
        proof_sizes(c, zkm, &P, *proof_len, stats);
        stats->commit_s = t_commit;
        stats->total_s = zkm_now() - t0;
    }
done:
    free(dep);
    free(sec_of);
    free(scal_of);
    free(hc);
    free(ht);
    zk_ctx_free(zk);
    commit_state_free(&cs, c->n_layers);
    scratch_free(&scratch);
    gkr_proof_free(&P);
    claims_free(cl, c->n_layers);
    return st;
}

/* Match the decoded sections to the circuit's layers (sec_of, scal_of as
 * for layout_sections, whose layout they must have); check their sizes;
 * build the advice tables (2^nvars, zero past the sent values). */
static zkm_status bind_sections(const gkr_circuit *c, int zk, const gkr_proof *P, fr **tables,
                                const gkr_section **sec_of, const gkr_section **scal_of,
                                zkm_err *e)
{
    const uint32_t n = c->n_layers;
    gkr_proof want;
    memset(&want, 0, sizeof want);
    gkr_section **wsec = zkm_calloc(n, sizeof *wsec, "sections", e);
    gkr_section **wscal = zkm_calloc(n, sizeof *wscal, "sections", e);
    zkm_status st = wsec && wscal ? layout_sections(&want, c, zk, wsec, wscal, e) : ZKM_ENOMEM;
    if (!st && P->n_sections != want.n_sections)
        st = zkm_fail(e, ZKM_EREJECT, "the proof has %u sections, this circuit needs %u%s",
                      P->n_sections, want.n_sections, zk ? " in zero knowledge" : "");
    for (uint32_t s = 0; s < want.n_sections && !st; s++) {
        const gkr_section *got = &P->sections[s], *w = &want.sections[s];
        if (got->tag != w->tag || got->encoding != w->encoding || got->width != w->width)
            st = zkm_fail(e, ZKM_EREJECT, "proof section %u has tag %u, encoding %u/%u; this "
                          "circuit%s expects tag %u, encoding %u/%u", s, got->tag,
                          got->encoding, got->width, zk ? " in zero knowledge" : "", w->tag,
                          w->encoding, w->width);
    }
    for (uint32_t li = 0; li < n && !st; li++) {
        sec_of[li] = wsec[li] ? &P->sections[wsec[li] - want.sections] : NULL;
        scal_of[li] = wscal[li] ? &P->sections[wscal[li] - want.sections] : NULL;
    }
    gkr_proof_free(&want);
    free(wsec);
    free(wscal);
    if (st)
        return st;
    const size_t out_len = (size_t)1 << c->layers[0].nvars;
    if (P->sections[0].msgs.n != out_len)
        return zkm_fail(e, ZKM_EREJECT, "the proof's output section does not hold %zu values",
                        out_len);
    for (uint32_t li = 0; li < n; li++) {
        const gkr_layer *l = &c->layers[li];
        const gkr_section *sec = sec_of[li];
        if (sends_commitment(l)) {
            const size_t rows = hyrax_rows(l->nvars, c->commit_col_vars);
            if (sec->pts.n != rows)
                return zkm_fail(e, ZKM_EREJECT,
                                "committed layer %u: its section does not hold %zu row "
                                "commitments",
                                li, rows);
        }
        if (!is_advice(l))
            continue;
        if (zk)
            return zkm_fail(e, ZKM_EREJECT, "advice layer %u is in the clear in a "
                            "zero-knowledge proof", li);
        if (sec->msgs.n != l->p.input.len)
            return zkm_fail(e, ZKM_EREJECT,
                            "advice layer %u: the proof sends %zu values, the circuit expects "
                            "%llu",
                            li, sec->msgs.n, (unsigned long long)l->p.input.len);
        const size_t len = (size_t)1 << l->nvars;
        tables[li] = zkm_alloc_array(len, sizeof(fr), "advice values", e);
        if (!tables[li])
            return ZKM_ENOMEM;
        if (sec->msgs.n)
            memcpy(tables[li], sec->msgs.v, sec->msgs.n * sizeof(fr));
        memset(tables[li] + sec->msgs.n, 0, (len - sec->msgs.n) * sizeof(fr));
    }
    return ZKM_OK;
}

/* A claim whose point ends in Boolean coordinates (a block view's offset)
 * is the extension of one block of the table at its remaining coordinates:
 * it costs the block's length, not the table's. */
static zkm_status check_input_claims(const gkr_circuit *c, uint32_t li, const fr *table,
                                     const gkr_claims *cl, zk_chan *ch, zkm_err *e)
{
    const uint32_t n = c->layers[li].nvars;
    if (cl->n == 0)
        return ZKM_OK;
    fr *scratch = zkm_alloc_array(n ? (size_t)1 << (n - 1) : 1, sizeof(fr), "scratch", e);
    if (!scratch)
        return ZKM_ENOMEM;
    fr zero, one, v;
    fr_set_zero(&zero);
    fr_set_one(&one);
    zk_form f, g;
    zk_form_init(&f);
    zk_form_init(&g);
    zkm_status st = ZKM_OK;
    for (size_t k = 0; k < cl->n && !st; k++) {
        const fr *p = cl->points + k * n;
        uint32_t L = n;
        size_t block = 0;
        while (L > 0 && (fr_eq(&p[L - 1], &zero) || fr_eq(&p[L - 1], &one))) {
            L--;
            block = block << 1 | (size_t)fr_eq(&p[L], &one);
        }
        mle_eval(&v, table + (block << L), L, p, scratch);
        if (cl->hid[k] == ZK_NONE) {
            if (!fr_eq(&v, &cl->values[k]))
                st = zkm_fail(e, ZKM_EREJECT, "%s layer %u: claim %zu does not match its values",
                              is_advice(&c->layers[li]) ? "advice" : "public input", li, k);
            continue;
        }
        zk_form_set_const(&g, &v);
        st = zk_form_set_hidden(&f, cl->hid[k], &one, e);
        if (!st)
            st = zk_chan_check(ch, &f, &g, "a public input layer's claim does not match its "
                               "values", e);
    }
    zk_form_free(&f);
    zk_form_free(&g);
    free(scratch);
    return st;
}

zkm_status gkr_verify(const gkr_circuit *c, fr *const *inputs, const uint8_t *proof,
                      size_t proof_len, fr **output, gkr_stats *stats, zkm_err *e)
{
    return gkr_verify_ex(c, inputs, proof, proof_len, output, stats, NULL, e);
}

zkm_status gkr_verify_ex(const gkr_circuit *c, fr *const *inputs, const uint8_t *proof,
                         size_t proof_len, fr **output, gkr_stats *stats,
                         const gkr_verify_opts *o, zkm_err *e)
{
    double *layer_s = o ? o->layer_s : NULL;
    const int zkm = o && o->zk;
    const int threads = o ? o->threads : 1;
    double t0 = zkm_now(), t_in = 0;
    uint8_t digest[GKR_DIGEST_BYTES];
    gkr_proof P;
    transcript tr;
    fr **tables = NULL;
    const gkr_section **sec_of = NULL, **scal_of = NULL;
    hyrax_com *sent = NULL;
    const hyrax_com **coms = NULL;
    uint32_t *tab_of = NULL, n_tab = 0;
    hyrax_claim *hc = NULL;
    zk_ctx *zk = NULL;
    zkm_status st = gkr_circuit_check(c, e);
    if (st)
        return st;
    st = gkr_proof_decode(&P, proof, proof_len, e);
    if (st)
        return st;
    gkr_claims *cl = claims_new(c, e);
    tables = zkm_calloc(c->n_layers, sizeof *tables, "input tables", e);
    sec_of = zkm_calloc(c->n_layers, sizeof *sec_of, "sections", e);
    scal_of = zkm_calloc(c->n_layers, sizeof *scal_of, "sections", e);
    sent = zkm_calloc(c->n_layers, sizeof *sent, "commitments", e);
    coms = zkm_calloc(c->n_layers, sizeof *coms, "commitments", e);
    tab_of = zkm_calloc(c->n_layers, sizeof *tab_of, "commitments", e);
    if (!cl || !tables || !sec_of || !scal_of || !sent || !coms || !tab_of ||
        (zkm && !(zk = zk_ctx_new(0, threads, e)))) {
        st = ZKM_ENOMEM;
        goto done;
    }
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gkr_layer *l = &c->layers[i];
        if (is_committed(l)) {
            tab_of[i] = n_tab++;
            if (l->p.input.external) {
                coms[i] = o && o->coms ? o->coms[i] : NULL;
                if (!com_fits(c, i, coms[i])) {
                    st = zkm_fail(e, ZKM_EINVAL,
                                  "committed layer %u: no commitment of its shape was given", i);
                    goto done;
                }
            }
            continue;
        }
        if (is_challenge(l)) {
            if (!(tables[i] = zkm_calloc(1, sizeof(fr), "challenge", e))) {
                st = ZKM_ENOMEM;
                goto done;
            }
            continue;
        }
        if (l->kind == GKR_INPUT && !is_advice(l) && !inputs[i]) {
            st = zkm_fail(e, ZKM_EINVAL, "no values given for public input layer %u", i);
            goto done;
        }
        if (l->kind == GKR_INPUT && !is_advice(l))
            tables[i] = inputs[i];
    }
    gkr_circuit_digest(c, digest);
    if (memcmp(digest, P.digest, GKR_DIGEST_BYTES) != 0) {
        st = zkm_fail(e, ZKM_EREJECT, "the proof is for a different circuit (digest mismatch)");
        goto done;
    }
    st = bind_sections(c, zkm, &P, tables, sec_of, scal_of, e);
    if (st)
        goto done;
    for (uint32_t i = 0; i < c->n_layers; i++) {
        if (!sends_commitment(&c->layers[i]))
            continue;
        /* the rows stay in the decoded proof: borrowed, never freed here */
        sent[i] = (hyrax_com){.nvars = c->layers[i].nvars, .col_vars = c->commit_col_vars,
                              .n_rows = sec_of[i]->pts.n, .rows = sec_of[i]->pts.v};
        coms[i] = &sent[i];
    }
    const fr *out_vals = P.sections[0].msgs.v;
    const size_t out_len = P.sections[0].msgs.n;
    absorb_statement(&tr, c, zkm, digest, tables, coms, out_vals, o ? o->digests : NULL,
                     layer_s, &t_in);
    draw_challenges(&tr, c, tables);
    st = seed_claims(&tr, c, out_vals, cl, e);

    for (uint32_t li = 0; li < c->n_layers && !st; li++) {
        const gkr_layer *l = &c->layers[li];
        if (l->kind == GKR_INPUT)
            continue;
        const gkr_section *sec = sec_of[li], *ss = zkm ? scal_of[li] : sec;
        fr_cursor in = {.v = ss->msgs.v, .n = ss->msgs.n, .pos = 0};
        g1_cursor pin = {.v = sec->pts.v, .n = sec->pts.n, .pos = 0};
        zk_chan ch = {.tr = &tr, .zk = zk, .in = &in, .in_pts = &pin};
        claims_draw_alpha(&cl[li], &tr);
        gkr_vctx x = {.c = c, .tr = &tr, .ch = &ch, .claims = cl, .record_claims = 1};
        st = gkr_kind_get(l->kind)->verify(&x, li, e);
        if (!st)
            st = zk_chan_flush(&ch, e);
        if (st == ZKM_EREJECT) /* say where */
            zkm_err_prefix(e, ZKM_EREJECT, "layer %u (%s): ", li, gkr_kind_name(l->kind));
        if (!st && (in.pos != in.n || pin.pos != pin.n))
            st = zkm_fail(e, ZKM_EREJECT, "layer %u: %zu unread elements in its proof section",
                          li, (in.n - in.pos) + (pin.n - pin.pos));
    }

    const gkr_section *fs = has_final(c, zkm) ? &P.sections[P.n_sections - 2] : NULL;
    const gkr_section *ps = has_final(c, zkm) ? &P.sections[P.n_sections - 1] : NULL;
    fr_cursor fin = {.v = fs ? fs->msgs.v : NULL, .n = fs ? fs->msgs.n : 0, .pos = 0};
    g1_cursor pin = {.v = ps ? ps->pts.v : NULL, .n = ps ? ps->pts.n : 0, .pos = 0};
    zk_chan fch = {.tr = &tr, .zk = zk, .in = &fin, .in_pts = &pin};
    /* input layers, public or advice: the verifier evaluates them itself */
    for (uint32_t li = 0; li < c->n_layers && !st; li++) {
        if (c->layers[li].kind != GKR_INPUT || is_committed(&c->layers[li]))
            continue;
        const double t = zkm_now();
        st = check_input_claims(c, li, tables[li], &cl[li], &fch, e);
        const double dt = zkm_now() - t;
        t_in += dt;
        if (layer_s)
            layer_s[li] += dt;
    }
    if (!st)
        st = zk_chan_flush(&fch, e);
    /* committed layers: one opening for all their claims */
    double t_open = zkm_now();
    if (!st && n_tab) {
        const hyrax_com **tabs = zkm_calloc(n_tab, sizeof *tabs, "commitments", e);
        size_t nc;
        st = tabs ? committed_claims(c, cl, tab_of, &hc, &nc, e) : ZKM_ENOMEM;
        for (uint32_t li = 0; li < c->n_layers && !st; li++)
            if (is_committed(&c->layers[li]))
                tabs[tab_of[li]] = coms[li];
        if (!st)
            st = zk ? hyrax_open_verify_zk(&fch, tabs, n_tab, hc, nc, threads, e)
                    : hyrax_open_verify(&tr, tabs, n_tab, hc, nc, &fin, &pin, threads, e);
        free(tabs);
    }
    if (!st)
        st = zk_finish(&fch, e);
    if (!st && (fin.pos != fin.n || pin.pos != pin.n))
        st = zkm_fail(e, ZKM_EREJECT, "%s: unread elements in the proof's final sections",
                      zkm ? "zero knowledge" : "commitment opening");
    t_open = zkm_now() - t_open;
    if (!st && output) {
        *output = zkm_alloc_array(out_len, sizeof(fr), "output", e);
        if (!*output)
            st = ZKM_ENOMEM;
        else
            memcpy(*output, out_vals, out_len * sizeof(fr));
    }
    if (stats) {
        proof_sizes(c, zkm, &P, proof_len, stats);
        stats->total_s = zkm_now() - t0;
        stats->input_eval_s = t_in;
        stats->commit_s = t_open;
    }
done:
    zk_ctx_free(zk);
    free(sent);
    free(coms);
    free(tab_of);
    free(hc);
    if (tables)
        for (uint32_t i = 0; i < c->n_layers; i++)
            if (is_advice(&c->layers[i]) || is_challenge(&c->layers[i]))
                free(tables[i]);
    free(tables);
    free(sec_of);
    free(scal_of);
    gkr_proof_free(&P);
    claims_free(cl, c->n_layers);
    return st;
}
