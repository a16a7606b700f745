/* The GKR driver: transcript set-up, claim bookkeeping between layers, proof
 * sections, and the final check of the public input layers. */
#include "gkr.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gkr_kind.h"
#include "mle.h"

#define GKR_PROTOCOL "zkm/gkr/v1"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* --- claims --- */

static zkm_status claims_add(gkr_claims *cl, const fr *point, const fr *value, zkm_err *e)
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
        cl->cap = cap;
    }
    if (cl->nvars)
        memcpy(cl->points + cl->n * cl->nvars, point, cl->nvars * sizeof(fr));
    cl->values[cl->n] = *value;
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

zkm_status gkr_send(gkr_pctx *x, const fr *v, size_t n, zkm_err *e)
{
    zkm_status st = fr_vec_push(x->msgs, v, n, e);
    if (!st)
        tr_absorb_frs(x->tr, "gkr/msg", v, n);
    return st;
}

zkm_status gkr_recv(gkr_vctx *x, const fr **v, size_t n, zkm_err *e)
{
    if (!fr_cursor_take(x->in, n, v))
        return zkm_fail(e, ZKM_EREJECT, "proof section ends early");
    tr_absorb_frs(x->tr, "gkr/msg", *v, n);
    return ZKM_OK;
}

/* --- views --- */

void gkr_view_table(fr *const *values, const gkr_circuit *c, const gkr_view *v, fr *table)
{
    const uint32_t ln = c->layers[v->layer].nvars;
    const fr *src = values[v->layer];
    if (v->nvars <= ln) {
        memcpy(table, src + v->offset, ((size_t)1 << v->nvars) * sizeof(fr));
    } else {
        size_t have = (size_t)1 << ln;
        memcpy(table, src, have * sizeof(fr));
        memset(table + have, 0, (((size_t)1 << v->nvars) - have) * sizeof(fr));
    }
}

/* The point on the viewed layer for point p on the view. */
static void view_point(const gkr_circuit *c, const gkr_view *v, const fr *p, fr *q)
{
    const uint32_t ln = c->layers[v->layer].nvars;
    const uint32_t k = v->nvars < ln ? v->nvars : ln;
    memcpy(q, p, k * sizeof(fr));
    for (uint32_t i = v->nvars; i < ln; i++) {
        if ((v->offset >> i) & 1)
            fr_set_one(&q[i]);
        else
            fr_set_zero(&q[i]);
    }
}

zkm_status gkr_prove_view(gkr_pctx *x, const gkr_view *v, const fr *p, const fr *view_value,
                          zkm_err *e)
{
    const uint32_t ln = x->c->layers[v->layer].nvars;
    fr q[GKR_MAX_NVARS], w;
    view_point(x->c, v, p, q);
    if (v->nvars <= ln) {
        w = *view_value;
    } else {
        fr *scratch = zkm_alloc_array(ln ? (size_t)1 << (ln - 1) : 1, sizeof(fr),
                                      "evaluation scratch", e);
        if (!scratch)
            return ZKM_ENOMEM;
        mle_eval(&w, x->values[v->layer], ln, q, scratch);
        free(scratch);
    }
    zkm_status st = gkr_send(x, &w, 1, e);
    if (!st)
        st = claims_add(&x->claims[v->layer], q, &w, e);
    return st;
}

zkm_status gkr_verify_view(gkr_vctx *x, const gkr_view *v, const fr *p, fr *view_value,
                           zkm_err *e)
{
    const uint32_t ln = x->c->layers[v->layer].nvars;
    fr q[GKR_MAX_NVARS];
    const fr *w;
    zkm_status st = gkr_recv(x, &w, 1, e);
    if (st)
        return st;
    view_point(x->c, v, p, q);
    st = claims_add(&x->claims[v->layer], q, w, e);
    if (st)
        return st;
    *view_value = *w;
    for (uint32_t i = ln; i < v->nvars; i++) {
        fr one, t;
        fr_set_one(&one);
        fr_sub(&t, &one, &p[i]);
        fr_mul(view_value, view_value, &t);
    }
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

static void absorb_statement(transcript *tr, const gkr_circuit *c, const uint8_t *digest,
                             fr *const *inputs, const fr *output)
{
    tr_init(tr, GKR_PROTOCOL);
    tr_absorb_bytes(tr, "gkr/circuit", digest, GKR_DIGEST_BYTES);
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gkr_layer *l = &c->layers[i];
        if (l->kind == GKR_INPUT && l->p.input.visibility == GKR_INPUT_PUBLIC) {
            tr_absorb_u64(tr, "gkr/input-layer", i);
            tr_absorb_frs(tr, "gkr/input", inputs[i], (size_t)1 << l->nvars);
        }
    }
    tr_absorb_frs(tr, "gkr/output", output, (size_t)1 << c->layers[0].nvars);
}

static uint32_t proved_layers(const gkr_circuit *c)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_layers; i++)
        n += c->layers[i].kind != GKR_INPUT;
    return n;
}

/* The output claim: a random point and the output's value there. */
static zkm_status output_claim(transcript *tr, const gkr_circuit *c, const fr *output,
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
    return claims_add(&cl[0], z, &v, e);
}

zkm_status gkr_prove(const gkr_circuit *c, fr *const *values, uint8_t **proof,
                     size_t *proof_len, gkr_stats *stats, zkm_err *e)
{
    double t0 = now_s();
    zkm_status st;
    gkr_proof P;
    gkr_scratch scratch;
    transcript tr;
    memset(&P, 0, sizeof P);
    memset(&scratch, 0, sizeof scratch);
    st = gkr_circuit_check(c, e);
    if (st)
        return st;
    gkr_claims *cl = claims_new(c, e);
    if (!cl)
        return ZKM_ENOMEM;
    P.sections = zkm_calloc(1 + proved_layers(c), sizeof(gkr_section), "proof sections", e);
    if (!P.sections) {
        st = ZKM_ENOMEM;
        goto done;
    }
    P.n_sections = 1 + proved_layers(c);
    gkr_circuit_digest(c, P.digest);
    absorb_statement(&tr, c, P.digest, values, values[0]);

    P.sections[0].tag = 0;
    st = fr_vec_push(&P.sections[0].msgs, values[0], (size_t)1 << c->layers[0].nvars, e);
    if (!st)
        st = output_claim(&tr, c, values[0], cl, e);
    uint32_t s = 1;
    for (uint32_t li = 0; li < c->n_layers && !st; li++) {
        const gkr_layer *l = &c->layers[li];
        if (l->kind == GKR_INPUT)
            continue;
        claims_draw_alpha(&cl[li], &tr);
        gkr_pctx x = {.c = c, .values = values, .tr = &tr, .msgs = &P.sections[s].msgs,
                      .claims = cl, .scratch = &scratch};
        P.sections[s].tag = 1 + li;
        st = gkr_kind_get(l->kind)->prove(&x, li, e);
        s++;
    }
    if (!st)
        st = gkr_proof_encode(&P, proof, proof_len, e);
    if (!st && stats) {
        stats->total_s = now_s() - t0;
        stats->input_eval_s = 0;
        stats->proof_bytes = *proof_len;
    }
done:
    scratch_free(&scratch);
    gkr_proof_free(&P);
    claims_free(cl, c->n_layers);
    return st;
}

zkm_status gkr_verify(const gkr_circuit *c, fr *const *inputs, const uint8_t *proof,
                      size_t proof_len, fr **output, gkr_stats *stats, zkm_err *e)
{
    double t0 = now_s(), t_in = 0;
    uint8_t digest[GKR_DIGEST_BYTES];
    gkr_proof P;
    transcript tr;
    fr *scratch = NULL;
    zkm_status st = gkr_circuit_check(c, e);
    if (st)
        return st;
    st = gkr_proof_decode(&P, proof, proof_len, e);
    if (st)
        return st;
    gkr_claims *cl = claims_new(c, e);
    if (!cl) {
        gkr_proof_free(&P);
        return ZKM_ENOMEM;
    }
    for (uint32_t i = 0; i < c->n_layers; i++) {
        if (c->layers[i].kind == GKR_INPUT && !inputs[i]) {
            st = zkm_fail(e, ZKM_EINVAL, "no values given for public input layer %u", i);
            goto done;
        }
    }
    gkr_circuit_digest(c, digest);
    if (memcmp(digest, P.digest, GKR_DIGEST_BYTES) != 0) {
        st = zkm_fail(e, ZKM_EREJECT, "the proof is for a different circuit (digest mismatch)");
        goto done;
    }
    const uint32_t want = 1 + proved_layers(c);
    if (P.n_sections != want) {
        st = zkm_fail(e, ZKM_EREJECT, "the proof has %u sections, this circuit needs %u",
                      P.n_sections, want);
        goto done;
    }
    const size_t out_len = (size_t)1 << c->layers[0].nvars;
    if (P.sections[0].tag != 0 || P.sections[0].msgs.n != out_len) {
        st = zkm_fail(e, ZKM_EREJECT, "the proof's output section does not hold %zu values",
                      out_len);
        goto done;
    }
    const fr *out_vals = P.sections[0].msgs.v;
    absorb_statement(&tr, c, digest, inputs, out_vals);
    st = output_claim(&tr, c, out_vals, cl, e);

    uint32_t s = 1;
    for (uint32_t li = 0; li < c->n_layers && !st; li++) {
        const gkr_layer *l = &c->layers[li];
        if (l->kind == GKR_INPUT)
            continue;
        const gkr_section *sec = &P.sections[s++];
        if (sec->tag != 1 + li) {
            st = zkm_fail(e, ZKM_EREJECT, "proof section for layer %u is missing", li);
            break;
        }
        fr_cursor in = {.v = sec->msgs.v, .n = sec->msgs.n, .pos = 0};
        claims_draw_alpha(&cl[li], &tr);
        gkr_vctx x = {.c = c, .tr = &tr, .in = &in, .claims = cl};
        st = gkr_kind_get(l->kind)->verify(&x, li, e);
        if (st == ZKM_EREJECT && e) {
            /* say where */
            char msg[sizeof e->msg];
            memcpy(msg, e->msg, sizeof msg);
            zkm_fail(e, ZKM_EREJECT, "layer %u (%s): %s", li, gkr_kind_name(l->kind), msg);
        }
        if (!st && in.pos != in.n)
            st = zkm_fail(e, ZKM_EREJECT, "layer %u: %zu unread elements in its proof section",
                          li, in.n - in.pos);
    }

    /* public input layers: the verifier evaluates them itself */
    double ti = now_s();
    for (uint32_t li = 0; li < c->n_layers && !st; li++) {
        const gkr_layer *l = &c->layers[li];
        if (l->kind != GKR_INPUT)
            continue;
        const uint32_t n = l->nvars;
        free(scratch);
        scratch = zkm_alloc_array(n ? (size_t)1 << (n - 1) : 1, sizeof(fr), "scratch", e);
        if (!scratch) {
            st = ZKM_ENOMEM;
            break;
        }
        for (size_t k = 0; k < cl[li].n && !st; k++) {
            fr v;
            mle_eval(&v, inputs[li], n, cl[li].points + k * n, scratch);
            if (!fr_eq(&v, &cl[li].values[k]))
                st = zkm_fail(e, ZKM_EREJECT,
                              "input layer %u: claim %zu does not match the public input", li,
                              k);
        }
    }
    t_in = now_s() - ti;
    if (!st && output) {
        *output = zkm_alloc_array(out_len, sizeof(fr), "output", e);
        if (!*output)
            st = ZKM_ENOMEM;
        else
            memcpy(*output, out_vals, out_len * sizeof(fr));
    }
    if (stats) {
        stats->total_s = now_s() - t0;
        stats->input_eval_s = t_in;
        stats->proof_bytes = proof_len;
    }
done:
    free(scratch);
    gkr_proof_free(&P);
    claims_free(cl, c->n_layers);
    return st;
}
