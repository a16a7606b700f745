/* zkm_net: lowering a model, running it, proving and verifying (net.h).
 *
 * The .zkp file:
 *   "ZKMP"  u32 version (2)  32-byte circuit digest (of the circuit in the
 *       proof's mode)  u32 mode (ZKM_NET_* flags)
 *   u32 number of public model inputs (0 with ZKM_NET_PRIVATE_INPUT), then
 *       per input: u64 count, u8 bytes per value, the values (little-endian
 *       two's complement)
 *   u64 length of the GKR proof, the GKR proof (gkr/proof.h; it carries the
 *       claimed output)
 * All integers little-endian.  The verifier rebuilds the circuit from the
 * model, so the digest only lets it say early that the proof is for another
 * model or bit-width; the GKR transcript absorbs the digest, the input and
 * the output anyway. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "gkr.h"
#include "net_impl.h"
#include "zkm_time.h"

#define ZKP_MAGIC "ZKMP"
#define ZKP_VERSION 2u
#define ZKC_MAGIC "ZKMC"
#define ZKC_VERSION 1u
#define ZKK_MAGIC "ZKMK"
#define ZKK_VERSION 1u
/* magic, version, circuit digest, weights digest, key, .zkc digest */
#define ZKK_BYTES (8 + 4 * 32)
#define ZKM_NET_MODES                                                                      \
    (ZKM_NET_ADVICE_CLEAR | ZKM_NET_COMMITTED_WEIGHTS | ZKM_NET_PRIVATE_INPUT | ZKM_NET_ZK)

/* ------------------------------------------------------------ building */

/* A relu is computed by the op before it (through a batchnorm) when that op
 * ends in a range check and the relu is its only reader. */
static void plan_fusion(const zkm_model *m, lw_node *nodes)
{
    for (uint32_t r = 0; r < m->n_nodes; r++) {
        if (m->nodes[r].op != ZKM_OP_RELU)
            continue;
        uint32_t t = m->nodes[r].in[0];
        if (nodes[t].readers != 1 || t == m->output)
            continue;
        if (m->nodes[t].op == ZKM_OP_BATCHNORM) {
            t = m->nodes[t].in[0];
            if (nodes[t].readers != 1 || t == m->output)
                continue;
        }
        const zkm_op op = m->nodes[t].op;
        if (op != ZKM_OP_DENSE && op != ZKM_OP_CONV2D && op != ZKM_OP_AVGPOOL &&
            op != ZKM_OP_ADD && op != ZKM_OP_RESCALE)
            continue;
        nodes[t].fused = r;
        nodes[r].fused_into = t;
    }
}

/* Give the output its own computed layer if it has none (an input or an
 * advice layer) or if another layer reads it (layer 0 is read by none). */
static zkm_status output_layer(zkm_net *n, zkm_err *e)
{
    lw_builder *b = &n->b;
    n->out_node = n->nodes[n->m->output].storage;
    n->out_id = n->nodes[n->out_node].layer;
    bool read = false;
    for (uint32_t id = 0; id < b->n && !read; id++) {
        gkr_view *v;
        const uint32_t nv = gkr_layer_views(&b->layers[id], &v);
        for (uint32_t k = 0; k < nv; k++)
            read |= v[k].layer == n->out_id;
    }
    if (!read && b->layers[n->out_id].kind != GKR_INPUT)
        return ZKM_OK;
    const gkr_view v = lw_view(b, n->out_id);
    const int64_t one = 1;
    const uint32_t start[2] = {0, 1}, fac[1] = {0};
    const lw_sum s = {.nvars = v.nvars, .n_src = 1, .src = &v, .n_terms = 1, .coef = &one,
                      .term_start = start, .factors = fac};
    b->cur_node = n->m->output;
    return lw_eltwise(b, &s, 0, &n->out_id, e);
}

/* Move the builder's layers into gkr order: the output last in builder
 * order (nothing reads it), then reversed. */
static zkm_status finish(zkm_net *n, zkm_err *e)
{
    lw_builder *b = &n->b;
    n->final_of = zkm_calloc(b->n, sizeof *n->final_of, "circuit order", e);
    if (!n->final_of)
        return ZKM_ENOMEM;
    uint32_t pos = 0;
    for (uint32_t id = 0; id < b->n; id++)
        if (id != n->out_id)
            n->final_of[id] = b->n - 1 - pos++;
    n->final_of[n->out_id] = 0;
    zkm_status st = gkr_circuit_init(&n->c, b->n, e);
    if (st)
        return st;
    for (uint32_t id = 0; id < b->n; id++) {
        gkr_layer *l = &n->c.layers[n->final_of[id]];
        *l = b->layers[id];
        b->meta[id].nvars = l->nvars;
        gkr_view *v;
        const uint32_t nv = gkr_layer_views(l, &v);
        for (uint32_t k = 0; k < nv; k++)
            v[k].layer = n->final_of[v[k].layer];
    }
    free(b->layers); /* the parameters now belong to the circuit */
    b->layers = NULL;
    /* the commitment matrices' width: about the square root of everything
     * the input layers hold (fixed by the model, whatever the mode) */
    uint64_t total = 0;
    for (uint32_t li = 0; li < n->c.n_layers; li++)
        if (n->c.layers[li].kind == GKR_INPUT)
            total += (uint64_t)1 << n->c.layers[li].nvars;
    uint32_t tv = 0;
    while (((uint64_t)1 << tv) < total)
        tv++;
    n->c.commit_col_vars = hyrax_col_vars_for(tv);
    return ZKM_OK;
}

/* Input layers' visibility from the mode and each layer's role. */
static zkm_status apply_mode(zkm_net *n, unsigned mode, zkm_err *e)
{
    for (uint32_t id = 0; id < n->b.n; id++) {
        gkr_layer *l = &n->c.layers[n->final_of[id]];
        if (l->kind != GKR_INPUT)
            continue;
        gkr_input_params *p = &l->p.input;
        p->external = 0;
        switch (n->b.meta[id].role) {
        case LW_IN_ADVICE:
            p->visibility = mode & ZKM_NET_ADVICE_CLEAR ? GKR_INPUT_ADVICE : GKR_INPUT_COMMITTED;
            break;
        case LW_IN_WEIGHT:
        case LW_IN_BIAS:
            p->visibility = mode & ZKM_NET_COMMITTED_WEIGHTS ? GKR_INPUT_COMMITTED
                                                             : GKR_INPUT_PUBLIC;
            p->external = (mode & ZKM_NET_COMMITTED_WEIGHTS) != 0;
            break;
        case LW_IN_MODEL:
            p->visibility = mode & ZKM_NET_PRIVATE_INPUT ? GKR_INPUT_COMMITTED : GKR_INPUT_PUBLIC;
            break;
        case LW_IN_MASK:
        case LW_IN_TABLE:
            p->visibility = GKR_INPUT_PUBLIC;
            break;
        case LW_IN_CHALLENGE:
            p->visibility = GKR_INPUT_CHALLENGE;
            break;
        }
    }
    n->mode = mode;
    zkm_status st = gkr_circuit_check(&n->c, e);
    if (st)
        return zkm_err_prefix(e, ZKM_EINVAL, "internal error: the lowered circuit is malformed: ");
    gkr_circuit_digest(&n->c, n->digest);
    return ZKM_OK;
}

zkm_status zkm_net_set_mode(zkm_net *n, unsigned mode, zkm_err *e)
{
    if (mode & ~(unsigned)ZKM_NET_MODES)
        return zkm_fail(e, ZKM_EINVAL, "unknown proof mode flags %#x", mode);
    if ((mode & ZKM_NET_ZK) && (mode & ZKM_NET_ADVICE_CLEAR))
        return zkm_fail(e, ZKM_EINVAL, "zero knowledge needs the advice committed, not in the "
                        "clear");
    return apply_mode(n, mode, e);
}

unsigned zkm_net_mode(const zkm_net *n)
{
    return n->mode;
}

void zkm_net_set_threads(zkm_net *n, int threads)
{
    n->threads = threads < 1 ? 1 : threads;
}

static zkm_status node_stats(zkm_net *n, zkm_err *e)
{
    n->stats = zkm_calloc(n->m->n_nodes, sizeof *n->stats, "statistics", e);
    if (!n->stats)
        return ZKM_ENOMEM;
    for (uint32_t i = 0; i < n->m->n_nodes; i++)
        n->stats[i].node = i;
    for (uint32_t id = 0; id < n->b.n; id++) {
        const uint32_t node = n->b.meta[id].node;
        if (node == LW_NONE)
            continue;
        const gkr_layer *l = &n->c.layers[n->final_of[id]];
        zkm_node_stats *s = &n->stats[node];
        s->layers++;
        s->ops += gkr_layer_ops(l);
        if (l->kind == GKR_INPUT && n->b.meta[id].role == LW_IN_ADVICE) {
            s->advice_values += l->p.input.len;
            s->advice_bits += l->p.input.len * l->p.input.width;
        } else if (l->kind == GKR_INPUT) {
            s->public_values += (uint64_t)1 << l->nvars;
        }
    }
    return ZKM_OK;
}

zkm_status zkm_net_init(const zkm_model *m, zkm_net **out, zkm_err *e)
{
    return zkm_net_init_ex(m, NULL, out, e);
}

unsigned zkm_net_limb(const zkm_net *n)
{
    return n->b.limb;
}

zkm_status zkm_net_init_ex(const zkm_model *m, const zkm_net_opts *o, zkm_net **out,
                           zkm_err *e)
{
    const unsigned limb = o ? o->limb : 0;
    if (limb && (limb < ZKM_LIMB_MIN || limb > ZKM_LIMB_MAX))
        return zkm_fail(e, ZKM_EINVAL, "a lookup limb of %u bits (from %u to %u)", limb,
                        ZKM_LIMB_MIN, ZKM_LIMB_MAX);
    zkm_net *n = zkm_calloc(1, sizeof *n, "net", e);
    if (!n)
        return ZKM_ENOMEM;
    n->m = m;
    n->b.limb = limb;
    n->nodes = zkm_calloc(m->n_nodes, sizeof *n->nodes, "nodes", e);
    zkm_status st = n->nodes ? ZKM_OK : ZKM_ENOMEM;
    for (uint32_t i = 0; i < m->n_nodes && !st; i++) {
        lw_node *x = &n->nodes[i];
        x->layer = x->fused = x->fused_into = LW_NONE;
        x->wl = x->bl = x->ml = x->al = x->dl = LW_NONE;
        x->range.out = LW_NONE;
    }
    if (!st)
        st = lw_layout(m, n->nodes, e);
    if (!st)
        plan_fusion(m, n->nodes);
    for (uint32_t i = 0; i < m->n_nodes && !st; i++) {
        const lw_op *op = lw_op_get(m->nodes[i].op);
        n->b.cur_node = i;
        if (op->lower)
            st = op->lower(&n->b, m, n->nodes, i, e);
    }
    if (!st)
        st = output_layer(n, e);
    if (!st)
        st = lw_lookup_build(&n->b, e);
    if (!st)
        st = finish(n, e);
    if (!st)
        st = node_stats(n, e);
    n->threads = 1;
    /* the digest a model commitment binds: the circuit's in the
     * committed-weights mode (advice committed, input public), whatever
     * mode the net is used in later */
    if (!st)
        st = apply_mode(n, ZKM_NET_COMMITTED_WEIGHTS, e);
    if (!st) {
        memcpy(n->com_circuit_digest, n->digest, GKR_DIGEST_BYTES);
        st = apply_mode(n, 0, e);
    }
    if (st) {
        zkm_net_free(n);
        return st;
    }
    *out = n;
    return ZKM_OK;
}

static void drop_commitment(zkm_net *n)
{
    for (uint32_t li = 0; n->wcom && li < n->c.n_layers; li++)
        hyrax_com_free(&n->wcom[li]);
    for (uint32_t li = 0; n->wblinds && li < n->c.n_layers; li++)
        free(n->wblinds[li]);
    free(n->wcom);
    free(n->wblinds);
    n->wcom = NULL;
    n->wblinds = NULL;
    n->have_key = false;
}

void zkm_net_free(zkm_net *n)
{
    if (!n)
        return;
    if (n->b.layers) { /* not moved into the circuit: free the parameters here */
        gkr_circuit tmp = {.n_layers = n->b.n, .layers = n->b.layers};
        gkr_circuit_free(&tmp);
    }
    free(n->b.meta);
    free(n->b.masks);
    free(n->b.lk_d);
    drop_commitment(n); /* before the circuit: it walks its layers */
    gkr_circuit_free(&n->c);
    free(n->final_of);
    free(n->nodes);
    free(n->stats);
    free(n->wdigest);
    lw_qweights_free(&n->qw);
    free(n);
}

const zkm_model *zkm_net_model(const zkm_net *n)
{
    return n->m;
}

const gkr_circuit *zkm_net_circuit(const zkm_net *n)
{
    return &n->c;
}

const zkm_node_stats *zkm_net_stats(const zkm_net *n)
{
    return n->stats;
}

/* ------------------------------------------------------------- weights */

/* BLAKE2b-256 of (label, node, integers little-endian): what the transcript
 * absorbs for a public table computed from these integers (gkr_digests). */
static void digest_ints(const char *label, uint32_t node, const void *v, size_t n, size_t width,
                        uint8_t out[32])
{
    crypto_generichash_state h;
    uint8_t buf[4096];
    crypto_generichash_init(&h, NULL, 0, 32);
    crypto_generichash_update(&h, (const uint8_t *)label, strlen(label) + 1);
    for (int k = 0; k < 4; k++)
        buf[k] = (uint8_t)(node >> (8 * k));
    crypto_generichash_update(&h, buf, 4);
    size_t fill = 0;
    for (size_t i = 0; i < n; i++) {
        const uint64_t x = width == 4 ? (uint64_t)(uint32_t)((const int32_t *)v)[i]
                                      : (uint64_t)((const int64_t *)v)[i];
        for (size_t k = 0; k < width; k++)
            buf[fill++] = (uint8_t)(x >> (8 * k));
        if (fill + 8 > sizeof buf) {
            crypto_generichash_update(&h, buf, fill);
            fill = 0;
        }
    }
    crypto_generichash_update(&h, buf, fill);
    crypto_generichash_final(&h, out, 32);
}

static zkm_status weight_digests(zkm_net *n, zkm_err *e)
{
    const zkm_model *m = n->m;
    free(n->wdigest);
    n->wdigest = zkm_calloc(m->n_nodes, sizeof *n->wdigest, "weight digests", e);
    if (!n->wdigest)
        return ZKM_ENOMEM;
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        const zkm_node *d = &m->nodes[i];
        if (d->op != ZKM_OP_DENSE && d->op != ZKM_OP_CONV2D)
            continue;
        const uint32_t out = d->op == ZKM_OP_DENSE ? d->u.dense.out : d->u.conv2d.out;
        const zkm_wtensor *wt = &d->w[0];
        digest_ints("zkm/weights", i, n->qw.p[i].w, wt->count, 4, n->wdigest[i][0]);
        if (n->qw.p[i].b)
            digest_ints("zkm/bias", i, n->qw.p[i].b, out, 8, n->wdigest[i][1]);
    }
    return ZKM_OK;
}

/* The digests standing for the public layers' values, by gkr index: the
 * weights' (computed once), the model inputs' (per proof); masks and other
 * small tables are absorbed as values (NULL). */
static const uint8_t **layer_digests(const zkm_net *n, const zkm_qinputs *in,
                                     uint8_t (*indig)[32], zkm_err *e)
{
    const uint8_t **d = zkm_calloc(n->c.n_layers, sizeof *d, "digests", e);
    if (!d)
        return NULL;
    for (uint32_t k = 0; k < n->m->n_inputs && !(n->mode & ZKM_NET_PRIVATE_INPUT); k++) {
        const zkm_node *x = &n->m->nodes[n->m->inputs[k]];
        digest_ints("zkm/input", n->m->inputs[k], in->q[k], zkm_shape_count(&x->shape), 4,
                    indig[k]);
    }
    for (uint32_t id = 0; id < n->b.n; id++) {
        const lw_meta *mt = &n->b.meta[id];
        const uint32_t li = n->final_of[id];
        const gkr_layer *l = &n->c.layers[li];
        if (l->kind != GKR_INPUT || l->p.input.visibility != GKR_INPUT_PUBLIC ||
            mt->node == LW_NONE)
            continue;
        if (mt->role == LW_IN_WEIGHT)
            d[li] = n->wdigest[mt->node][0];
        else if (mt->role == LW_IN_BIAS)
            d[li] = n->wdigest[mt->node][1];
        else if (mt->role == LW_IN_MODEL)
            d[li] = indig[mt->arg];
    }
    return d;
}

zkm_status zkm_net_set_weights(zkm_net *n, const zkm_tensor_set *w, char **report, zkm_err *e)
{
    if (report)
        *report = NULL;
    lw_qweights_free(&n->qw);
    n->have_weights = false;
    zkm_status st = lw_quantize_weights(n->m, w, &n->qw, report, e);
    const double t = zkm_now();
    if (!st)
        st = weight_digests(n, e);
    n->wdigest_s = zkm_now() - t;
    n->have_weights = st == ZKM_OK;
    return st;
}

zkm_status zkm_net_seeded_weights(const zkm_net *n, uint64_t seed, zkm_tensor_set *out,
                                  zkm_err *e)
{
    return lw_seeded_weights(n->m, seed, out, e);
}

zkm_status zkm_net_seeded_inputs(const zkm_net *n, uint64_t seed, zkm_tensor_set *out,
                                 zkm_err *e)
{
    return lw_seeded_inputs(n->m, seed, out, e);
}

zkm_status zkm_net_quantize_inputs(const zkm_net *n, const zkm_tensor_set *in, zkm_qinputs *out,
                                   zkm_err *e)
{
    return lw_quantize_inputs(n->m, in, out, e);
}

/* ------------------------------------------------------------- witness */

static void wit_free(lw_wit *w, uint32_t n_layers)
{
    if (w->act)
        for (uint32_t i = 0; i < w->m->n_nodes; i++)
            free(w->act[i]);
    free(w->act);
    if (w->values)
        for (uint32_t id = 0; id < n_layers; id++)
            free(w->values[id]);
    free(w->values);
    free(w->lk_counts);
}

static zkm_status wit_init(const zkm_net *n, const zkm_qinputs *in, bool fill, bool weights,
                           lw_wit *w, zkm_err *e)
{
    *w = (lw_wit){.m = n->m, .nodes = n->nodes, .b = &n->b, .qw = &n->qw, .in = in,
                  .fill = fill, .e = e};
    if (weights && !n->have_weights)
        return zkm_fail(e, ZKM_EINVAL, "no weights set");
    if (in && in->n != n->m->n_inputs)
        return zkm_fail(e, ZKM_EINVAL, "%u inputs for a model of %u", in->n, n->m->n_inputs);
    w->act = zkm_calloc(n->m->n_nodes, sizeof *w->act, "activations", e);
    w->values = zkm_calloc(n->b.n, sizeof *w->values, "layer values", e);
    if (fill && n->b.n_lk)
        w->lk_counts = zkm_calloc((size_t)1 << n->b.limb, sizeof *w->lk_counts,
                                  "lookup counts", e);
    return w->act && w->values && (w->lk_counts || !fill || !n->b.n_lk) ? ZKM_OK : ZKM_ENOMEM;
}

/* Masks: 1 on the H x W corner of a 2^rb x 2^wb frame. */
static zkm_status fill_masks(const zkm_net *n, lw_wit *w)
{
    for (uint32_t k = 0; k < n->b.n_masks; k++) {
        const struct lw_mask *mk = &n->b.masks[k];
        fr *v = lw_values(w, mk->id), one;
        if (!v)
            return ZKM_ENOMEM;
        fr_set_one(&one);
        for (uint32_t y = 0; y < mk->H; y++)
            for (uint32_t x = 0; x < mk->W; x++)
                v[((size_t)y << mk->wb) | x] = one;
    }
    return ZKM_OK;
}

/* Which public tables fill_publics fills. */
enum { PUB_INPUTS = 1u, PUB_WEIGHTS = 2u, PUB_MASKS = 4u, PUB_ALL = 7u };

/* Public layers: the model input, weights, biases, masks (those in what). */
static zkm_status fill_publics(const zkm_net *n, lw_wit *w, unsigned what)
{
    zkm_status st = ZKM_OK;
    for (uint32_t i = 0; i < n->m->n_nodes && !st; i++) {
        const lw_op *op = lw_op_get(n->m->nodes[i].op);
        const unsigned kind = n->m->nodes[i].op == ZKM_OP_INPUT ? PUB_INPUTS : PUB_WEIGHTS;
        if (op->publics && (what & kind))
            st = op->publics(w, i);
    }
    if (!st && w->fill && (what & PUB_MASKS))
        st = fill_masks(n, w);
    if (!st && (what & PUB_MASKS))
        st = lw_lookup_table(w);
    return st;
}

/* Every node's integers (and, with fill, its layers' values). */
static zkm_status run_witness(const zkm_net *n, lw_wit *w)
{
    zkm_status st = fill_publics(n, w, PUB_ALL);
    for (uint32_t i = 0; i < n->m->n_nodes && !st; i++) {
        const lw_op *op = lw_op_get(n->m->nodes[i].op);
        if (op->witness)
            st = op->witness(w, i);
    }
    return st;
}

/* The output node's entries from its frame. */
static zkm_status extract_output(const zkm_net *n, const int32_t *act, int64_t **out, zkm_err *e)
{
    const zkm_node *d = &n->m->nodes[n->m->output];
    const uint64_t cnt = zkm_shape_count(&d->shape);
    int64_t *o = zkm_calloc(cnt, sizeof *o, "output", e);
    if (!o)
        return ZKM_ENOMEM;
    for (uint64_t k = 0; k < cnt; k++)
        o[k] = act[lw_frame_index(&n->nodes[n->out_node].frame, k)];
    *out = o;
    return ZKM_OK;
}

zkm_status zkm_net_run(const zkm_net *n, const zkm_qinputs *in, int64_t **out, zkm_err *e)
{
    lw_wit w;
    zkm_status st = wit_init(n, in, false, true, &w, e);
    if (!st)
        st = run_witness(n, &w);
    if (!st)
        st = extract_output(n, w.act[n->out_node], out, e);
    wit_free(&w, n->b.n);
    return st;
}

/* --------------------------------------------------------- float reference */

zkm_status zkm_net_reference(const zkm_net *n, const zkm_tensor_set *w,
                             const zkm_tensor_set *in, double **out, zkm_err *e)
{
    const zkm_model *m = n->m;
    if (!n->have_weights)
        return zkm_fail(e, ZKM_EINVAL, "no weights set");
    double **val = zkm_calloc(m->n_nodes, sizeof *val, "reference", e);
    if (!val)
        return ZKM_ENOMEM;
    zkm_status st = ZKM_OK;
    for (uint32_t i = 0; i < m->n_nodes && !st; i++) {
        const zkm_node *d = &m->nodes[i];
        const uint64_t cnt = zkm_shape_count(&d->shape);
        if (!(val[i] = zkm_calloc(cnt, sizeof(double), "reference", e))) {
            st = ZKM_ENOMEM;
            break;
        }
        if (d->op == ZKM_OP_INPUT) {
            const zkm_tensor *t = lw_input_tensor(m, d->u.input.index, in);
            if (!t || t->count != cnt)
                st = zkm_fail(e, ZKM_EFORMAT, "no tensor of %llu values for input '%s'",
                              (unsigned long long)cnt, d->name);
            else
                memcpy(val[i], t->data, cnt * sizeof(double));
            continue;
        }
        const double *ins[2] = {val[d->in[0]], d->n_in > 1 ? val[d->in[1]] : NULL};
        st = lw_op_get(d->op)->reference(m, i, ins, w, val[i], e);
    }
    if (!st) {
        *out = val[m->output];
        val[m->output] = NULL;
    }
    for (uint32_t i = 0; i < m->n_nodes; i++)
        free(val[i]);
    free(val);
    return st;
}

/* ------------------------------------------------------- model commitment */

static void put_u32(uint8_t *p, uint32_t v);
static void put_u64(uint8_t *p, uint64_t v);
static uint32_t get_u32(const uint8_t *p);
static uint64_t get_u64(const uint8_t *p);

static bool is_weight_layer(const zkm_net *n, uint32_t id)
{
    const lw_in_role r = n->b.meta[id].role;
    return n->c.layers[n->final_of[id]].kind == GKR_INPUT && (r == LW_IN_WEIGHT || r == LW_IN_BIAS);
}

/* One digest of every quantized weight and bias (from their digests). */
static void weights_digest(const zkm_net *n, uint8_t out[32])
{
    crypto_generichash(out, 32, (const uint8_t *)n->wdigest,
                       (size_t)n->m->n_nodes * sizeof *n->wdigest, NULL, 0);
}

/* The blinding of row `row` of gkr layer li, from the owner's key. */
static void derive_blind(fr *out, const uint8_t key[32], uint32_t li, uint64_t row)
{
    static const char label[] = "zkm/zkc/blind";
    uint8_t msg[sizeof label + 12], wide[64];
    memcpy(msg, label, sizeof label);
    put_u32(msg + sizeof label, li);
    put_u64(msg + sizeof label + 4, row);
    crypto_generichash(wide, sizeof wide, msg, sizeof msg, key, 32);
    fr_from_wide(out, wide);
    sodium_memzero(wide, sizeof wide);
}

static zkm_status derive_blinds(zkm_net *n, const uint8_t key[32], zkm_err *e)
{
    for (uint32_t id = 0; id < n->b.n; id++) {
        if (!is_weight_layer(n, id))
            continue;
        const uint32_t li = n->final_of[id];
        const size_t rows = hyrax_rows(n->c.layers[li].nvars, n->c.commit_col_vars);
        free(n->wblinds[li]);
        n->wblinds[li] = zkm_alloc_array(rows, sizeof(fr), "commitment blindings", e);
        if (!n->wblinds[li])
            return ZKM_ENOMEM;
        for (size_t r = 0; r < rows; r++)
            derive_blind(&n->wblinds[li][r], key, li, r);
    }
    return ZKM_OK;
}

static zkm_status alloc_commitment(zkm_net *n, zkm_err *e)
{
    drop_commitment(n);
    n->wcom = zkm_calloc(n->c.n_layers, sizeof *n->wcom, "model commitment", e);
    n->wblinds = zkm_calloc(n->c.n_layers, sizeof *n->wblinds, "model commitment", e);
    return n->wcom && n->wblinds ? ZKM_OK : ZKM_ENOMEM;
}

zkm_status zkm_net_commit(zkm_net *n, uint8_t **zkc, size_t *zkc_len, uint8_t **key,
                          size_t *key_len, zkm_commit_stats *stats, zkm_err *e)
{
    const double t0 = zkm_now();
    const uint8_t *digest = n->com_circuit_digest;
    uint8_t k[32];
    lw_wit w;
    uint8_t *out = NULL, *kb = NULL;
    zkm_status st = wit_init(n, NULL, true, true, &w, e);
    if (!st)
        st = fill_publics(n, &w, PUB_WEIGHTS);
    if (!st)
        st = alloc_commitment(n, e);
    randombytes_buf(k, sizeof k);
    if (!st)
        st = derive_blinds(n, k, e);
    size_t len = 4 + 4 + GKR_DIGEST_BYTES + 4 + 4;
    uint32_t count = 0;
    uint64_t values = 0;
    for (uint32_t id = 0; id < n->b.n && !st; id++) {
        if (!is_weight_layer(n, id))
            continue;
        const uint32_t li = n->final_of[id];
        const uint32_t nv = n->c.layers[li].nvars;
        const fr *table = w.values[id] ? w.values[id] : lw_values(&w, id);
        if (!table) {
            st = ZKM_ENOMEM;
            break;
        }
        st = hyrax_commit(&n->wcom[li], table, nv, n->c.commit_col_vars, n->wblinds[li],
                          n->threads, e);
        len += 16 + n->wcom[li].n_rows * G1_RAW_BYTES;
        values += (uint64_t)1 << nv;
        count++;
    }
    if (!st && (!(out = malloc(len)) || !(kb = malloc(ZKK_BYTES))))
        st = zkm_fail(e, ZKM_ENOMEM, "out of memory writing the model commitment");
    if (!st) {
        uint8_t *p = out;
        memcpy(p, ZKC_MAGIC, 4);
        put_u32(p + 4, ZKC_VERSION);
        memcpy(p + 8, digest, GKR_DIGEST_BYTES);
        p += 8 + GKR_DIGEST_BYTES;
        put_u32(p, n->c.commit_col_vars);
        put_u32(p + 4, count);
        p += 8;
        for (uint32_t id = 0; id < n->b.n; id++) {
            if (!is_weight_layer(n, id))
                continue;
            const hyrax_com *c = &n->wcom[n->final_of[id]];
            put_u32(p, n->final_of[id]);
            put_u32(p + 4, c->nvars);
            put_u64(p + 8, c->n_rows);
            p += 16;
            for (size_t r = 0; r < c->n_rows; r++, p += G1_RAW_BYTES)
                g1_to_bytes_raw(p, &c->rows[r]);
        }
        memcpy(kb, ZKK_MAGIC, 4);
        put_u32(kb + 4, ZKK_VERSION);
        memcpy(kb + 8, digest, 32);
        weights_digest(n, kb + 40);
        memcpy(kb + 72, k, 32);
        crypto_generichash(kb + 104, 32, out, len, NULL, 0);
        memcpy(n->key_wdigest, kb + 40, 32);
        memcpy(n->zkc_digest, kb + 104, 32);
        *zkc = out;
        *zkc_len = len;
        *key = kb;
        *key_len = ZKK_BYTES;
        out = kb = NULL;
        n->have_key = true;
        if (stats)
            *stats = (zkm_commit_stats){.commit_s = zkm_now() - t0, .zkc_bytes = len,
                                        .values = values, .tables = count};
    } else {
        drop_commitment(n);
    }
    sodium_memzero(k, sizeof k);
    free(out);
    free(kb);
    if (w.act || w.values)
        wit_free(&w, n->b.n);
    return st;
}

zkm_status zkm_net_load_commitment(zkm_net *n, const uint8_t *b, size_t len, zkm_err *e)
{
    const double t0 = zkm_now();
    zkm_status st;
    if (len < 16 + GKR_DIGEST_BYTES || memcmp(b, ZKC_MAGIC, 4) != 0)
        return zkm_fail(e, ZKM_EFORMAT, "not a zkm model commitment (no ZKMC header)");
    if (get_u32(b + 4) != ZKC_VERSION)
        return zkm_fail(e, ZKM_EFORMAT, "model commitment version %u; this zkm reads version %u",
                        get_u32(b + 4), ZKC_VERSION);
    if (memcmp(b + 8, n->com_circuit_digest, GKR_DIGEST_BYTES) != 0)
        return zkm_fail(e, ZKM_EREJECT, "the model commitment is for another model, or another "
                        "bit-width or formats");
    size_t pos = 8 + GKR_DIGEST_BYTES;
    const uint32_t cols = get_u32(b + pos), count = get_u32(b + pos + 4);
    pos += 8;
    uint32_t want = 0;
    for (uint32_t id = 0; id < n->b.n; id++)
        want += is_weight_layer(n, id);
    if (cols != n->c.commit_col_vars || count != want)
        return zkm_fail(e, ZKM_EFORMAT, "the model commitment holds %u tables of 2^%u columns, "
                        "this model needs %u of 2^%u", count, cols, want, n->c.commit_col_vars);
    st = alloc_commitment(n, e);
    /* the tables in the order zkm_net_commit writes them */
    for (uint32_t id = 0; id < n->b.n && !st; id++) {
        if (!is_weight_layer(n, id))
            continue;
        const uint32_t li = n->final_of[id], nv = n->c.layers[li].nvars;
        const size_t rows = hyrax_rows(nv, cols);
        if (len - pos < 16 || get_u32(b + pos) != li || get_u32(b + pos + 4) != nv ||
            get_u64(b + pos + 8) != rows) {
            st = zkm_fail(e, ZKM_EFORMAT, "model commitment: table for layer %u is missing or "
                          "has another shape", li);
            break;
        }
        pos += 16;
        if ((len - pos) / G1_RAW_BYTES < rows) {
            st = zkm_fail(e, ZKM_EFORMAT, "model commitment: truncated in layer %u", li);
            break;
        }
        st = hyrax_com_alloc(&n->wcom[li], nv, cols, e);
        for (size_t r = 0; r < rows && !st; r++, pos += G1_RAW_BYTES)
            if (!g1_from_bytes_raw(&n->wcom[li].rows[r], b + pos))
                st = zkm_fail(e, ZKM_EFORMAT, "model commitment: layer %u, row %zu is not a "
                              "curve point", li, r);
    }
    if (!st && pos != len)
        st = zkm_fail(e, ZKM_EFORMAT, "model commitment has %zu trailing bytes", len - pos);
    if (!st)
        st = apply_mode(n, n->mode | ZKM_NET_COMMITTED_WEIGHTS, e);
    if (st) {
        drop_commitment(n);
        return st;
    }
    crypto_generichash(n->zkc_digest, 32, b, len, NULL, 0);
    n->com_load_s = zkm_now() - t0;
    return ZKM_OK;
}

zkm_status zkm_net_load_key(zkm_net *n, const uint8_t *b, size_t len, zkm_err *e)
{
    uint8_t wd[32];
    if (!n->wcom)
        return zkm_fail(e, ZKM_EINVAL, "load the model commitment before its key");
    if (len != ZKK_BYTES || memcmp(b, ZKK_MAGIC, 4) != 0 || get_u32(b + 4) != ZKK_VERSION)
        return zkm_fail(e, ZKM_EFORMAT, "not a zkm commitment key (version %u)", ZKK_VERSION);
    if (memcmp(b + 104, n->zkc_digest, 32) != 0)
        return zkm_fail(e, ZKM_EINVAL, "the key belongs to another model commitment (another "
                        "zkm commit run) than the .zkc given");
    if (memcmp(b + 8, n->com_circuit_digest, 32) != 0)
        return zkm_fail(e, ZKM_EINVAL, "the commitment key is for another model or bit-width");
    if (!n->have_weights)
        return zkm_fail(e, ZKM_EINVAL, "no weights set");
    weights_digest(n, wd);
    if (memcmp(b + 40, wd, 32) != 0)
        return zkm_fail(e, ZKM_EINVAL, "the commitment key was made for other weights than "
                        "these");
    zkm_status st = derive_blinds(n, b + 72, e);
    if (st)
        return st;
    memcpy(n->key_wdigest, wd, 32);
    n->have_key = true;
    return ZKM_OK;
}

/* --------------------------------------------------------------- proving */

/* Every layer's values: the ops' fills, then the layers they left to
 * gkr_eval_layer, in builder order (sources first). */
static zkm_status all_values(const zkm_net *n, lw_wit *w, fr **final)
{
    zkm_status st = run_witness(n, w);
    if (!st)
        st = lw_lookup_counts(w);
    for (uint32_t id = 0; id < n->b.n && !st; id++) {
        const uint32_t li = n->final_of[id];
        final[li] = w->values[id];
        if (n->b.meta[id].late) { /* gkr_prove_ex computes it */
            final[li] = lw_values(w, id);
            st = final[li] ? ZKM_OK : ZKM_ENOMEM;
            continue;
        }
        if (n->c.layers[li].kind == GKR_INPUT) {
            if (!w->values[id] && !lw_values(w, id)) /* an input no op filled: zeros */
                st = ZKM_ENOMEM;
            final[li] = w->values[id];
            continue;
        }
        if (w->values[id])
            continue;
        if (!lw_values(w, id)) {
            st = ZKM_ENOMEM;
            break;
        }
        final[li] = w->values[id];
        st = gkr_eval_layer(&n->c, li, final, w->values[id], w->e);
    }
    return st;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--)
        v = v << 8 | p[k];
    return v;
}

static unsigned value_bytes(uint32_t bits)
{
    return (bits + 7) / 8;
}

typedef struct {
    void (*fn)(void *, const char *, uint64_t, uint64_t);
    void *ctx;
} progress_fwd;

static void on_layer(void *ctx, uint32_t done, uint32_t total)
{
    progress_fwd *p = ctx;
    p->fn(p->ctx, "prove", done, total);
}

/* Pointers to the model commitment's tables by gkr index (malloc'd). */
static const hyrax_com **coms_of(const zkm_net *n)
{
    const hyrax_com **c = calloc(n->c.n_layers, sizeof *c);
    for (uint32_t li = 0; c && li < n->c.n_layers; li++)
        if (n->wcom && n->wcom[li].rows)
            c[li] = &n->wcom[li];
    return c;
}

zkm_status zkm_net_prove(const zkm_net *n, const zkm_qinputs *in, zkm_progress_fn progress,
                         void *progress_ctx, uint8_t **proof, size_t *proof_len, int64_t **out,
                         zkm_prove_stats *stats, zkm_err *e)
{
    const double t0 = zkm_now();
    const zkm_model *m = n->m;
    lw_wit w;
    uint8_t *gp = NULL, *buf = NULL;
    size_t glen = 0;
    gkr_stats gs;
    memset(&gs, 0, sizeof gs);
    fr **final = zkm_calloc(n->c.n_layers, sizeof *final, "layer values", e);
    double *layer_s = stats ? zkm_calloc(n->c.n_layers, sizeof *layer_s, "timing", e) : NULL;
    double *node_s = stats ? zkm_calloc(m->n_nodes ? m->n_nodes : 1, sizeof *node_s, "timing",
                                        e)
                           : NULL;
    zkm_status st = final && (!stats || (layer_s && node_s)) ? wit_init(n, in, true, true, &w, e)
                                                              : ZKM_ENOMEM;
    if (!st && (n->mode & ZKM_NET_COMMITTED_WEIGHTS)) {
        uint8_t wd[32];
        weights_digest(n, wd);
        if (!n->wcom || !n->have_key)
            st = zkm_fail(e, ZKM_EINVAL, "committed weights: no model commitment and key loaded");
        else if (memcmp(wd, n->key_wdigest, 32) != 0)
            st = zkm_fail(e, ZKM_EINVAL, "the model commitment was made for other weights");
    }
    if (st) {
        free(final);
        free(layer_s);
        free(node_s);
        if (w.act || w.values)
            wit_free(&w, n->b.n);
        return st;
    }
    if (progress)
        progress(progress_ctx, "witness", 0, 1);
    st = all_values(n, &w, final);
    if (!st && out)
        st = extract_output(n, w.act[n->out_node], out, e);
    const double t1 = zkm_now();
    if (progress)
        progress(progress_ctx, "witness", 1, 1);
    uint8_t (*indig)[32] = st ? NULL : zkm_calloc(m->n_inputs + 1, 32, "digests", e);
    const uint8_t **dig = indig ? layer_digests(n, in, indig, e) : NULL;
    if (!st && !dig)
        st = ZKM_ENOMEM;
    if (!st) {
        progress_fwd fwd = {progress, progress_ctx};
        gkr_prove_opts o = {.progress = progress ? on_layer : NULL, .ctx = &fwd,
                            .digests = dig, .threads = n->threads,
                            .hiding = (n->mode & ZKM_NET_PRIVATE_INPUT) != 0,
                            .zk = (n->mode & ZKM_NET_ZK) != 0, .layer_s = layer_s};
        if (n->mode & ZKM_NET_COMMITTED_WEIGHTS) {
            o.coms = (const hyrax_com *const *)coms_of(n);
            o.blinds = (const fr *const *)n->wblinds;
            if (!o.coms)
                st = zkm_fail(e, ZKM_ENOMEM, "out of memory");
        }
        if (!st)
            st = gkr_prove_ex(&n->c, final, &o, &gp, &glen, &gs, e);
        free((void *)o.coms);
    }
    free(dig);
    free(indig);
    const double t2 = zkm_now();
    const uint32_t n_pub = n->mode & ZKM_NET_PRIVATE_INPUT ? 0 : m->n_inputs;
    size_t len = 4 + 4 + GKR_DIGEST_BYTES + 4 + 4, in_bytes = 0;
    for (uint32_t k = 0; k < n_pub; k++) {
        const zkm_node *d = &m->nodes[m->inputs[k]];
        in_bytes += 9 + zkm_shape_count(&d->shape) * value_bytes(d->fmt.bits);
    }
    len += in_bytes + 8 + glen;
    if (!st && !(buf = malloc(len)))
        st = zkm_fail(e, ZKM_ENOMEM, "out of memory writing the proof");
    if (!st) {
        uint8_t *p = buf;
        memcpy(p, ZKP_MAGIC, 4);
        put_u32(p + 4, ZKP_VERSION);
        memcpy(p + 8, n->digest, GKR_DIGEST_BYTES);
        p += 8 + GKR_DIGEST_BYTES;
        put_u32(p, n->mode | n->b.limb << 8);
        put_u32(p + 4, n_pub);
        p += 8;
        for (uint32_t k = 0; k < n_pub; k++) {
            const zkm_node *d = &m->nodes[m->inputs[k]];
            const uint64_t cnt = zkm_shape_count(&d->shape);
            const unsigned vb = value_bytes(d->fmt.bits);
            put_u64(p, cnt);
            p[8] = (uint8_t)vb;
            p += 9;
            for (uint64_t j = 0; j < cnt; j++, p += vb)
                for (unsigned b = 0; b < vb; b++)
                    p[b] = (uint8_t)((uint32_t)in->q[k][j] >> (8 * b));
        }
        put_u64(p, glen);
        memcpy(p + 8, gp, glen);
        *proof = buf;
        *proof_len = len;
        buf = NULL;
        if (stats) {
            *stats = (zkm_prove_stats){.witness_s = t1 - t0, .proof_s = t2 - t1,
                                       .prove_s = zkm_now() - t0, .proof_bytes = len,
                                       .argument_bytes = len - gs.advice_bytes -
                                                         gs.output_bytes - in_bytes,
                                       .advice_bytes = gs.advice_bytes,
                                       .output_bytes = gs.output_bytes, .input_bytes = in_bytes,
                                       .commit_bytes = gs.commit_bytes,
                                       .commit_s = gs.commit_s, .node_s = node_s};
            for (uint32_t id = 0; id < n->b.n; id++)
                if (n->b.meta[id].node < m->n_nodes)
                    node_s[n->b.meta[id].node] += layer_s[n->final_of[id]];
            node_s = NULL;
        }
    }
    if (st && out) {
        free(*out);
        *out = NULL;
    }
    free(buf);
    free(gp);
    free(final);
    free(layer_s);
    free(node_s);
    wit_free(&w, n->b.n);
    return st;
}

/* ------------------------------------------------------------- verifying */

#define MODE_WORDS(m)                                                                      \
    ((m) & ZKM_NET_COMMITTED_WEIGHTS ? "committed" : "public"),                             \
        ((m) & ZKM_NET_PRIVATE_INPUT ? "private" : "public"),                                \
        ((m) & ZKM_NET_ADVICE_CLEAR ? "clear" : "committed"),                                \
        ((m) & ZKM_NET_ZK ? "" : "out")

zkm_status zkm_proof_mode(const uint8_t *proof, size_t len, unsigned *mode, zkm_err *e)
{
    if (len < 12 + GKR_DIGEST_BYTES || memcmp(proof, ZKP_MAGIC, 4) != 0)
        return zkm_fail(e, ZKM_EFORMAT, "not a zkm proof file (no ZKMP header)");
    if (get_u32(proof + 4) != ZKP_VERSION)
        return zkm_fail(e, ZKM_EFORMAT, "proof format version %u; this zkm reads version %u",
                        get_u32(proof + 4), ZKP_VERSION);
    *mode = get_u32(proof + 8 + GKR_DIGEST_BYTES);
    const unsigned limb = ZKM_MODE_LIMB(*mode);
    if (*mode & ~((unsigned)ZKM_NET_MODES | 0xff00u))
        return zkm_fail(e, ZKM_EFORMAT, "the proof names unknown mode flags %#x", *mode);
    if (limb && (limb < ZKM_LIMB_MIN || limb > ZKM_LIMB_MAX))
        return zkm_fail(e, ZKM_EFORMAT, "the proof names a lookup limb of %u bits", limb);
    return ZKM_OK;
}

/* Read the inputs of a .zkp (after the header) into q; *pos advances. */
static zkm_status read_inputs(const zkm_net *n, const uint8_t *b, size_t len, size_t *pos,
                              zkm_qinputs *q, zkm_err *e)
{
    const zkm_model *m = n->m;
    const uint32_t n_pub = n->mode & ZKM_NET_PRIVATE_INPUT ? 0 : m->n_inputs;
    if (len - *pos < 4 || get_u32(b + *pos) != n_pub)
        return zkm_fail(e, ZKM_EFORMAT, "the proof does not hold %u public model inputs", n_pub);
    *pos += 4;
    q->n = m->n_inputs;
    q->q = zkm_calloc(m->n_inputs ? m->n_inputs : 1, sizeof *q->q, "inputs", e);
    if (!q->q)
        return ZKM_ENOMEM;
    for (uint32_t k = 0; k < n_pub; k++) {
        const zkm_node *d = &m->nodes[m->inputs[k]];
        const uint64_t cnt = zkm_shape_count(&d->shape);
        const unsigned vb = value_bytes(d->fmt.bits);
        if (len - *pos < 9 || get_u64(b + *pos) != cnt || b[*pos + 8] != vb)
            return zkm_fail(e, ZKM_EFORMAT, "input '%s': the proof does not hold %llu values "
                            "of %u bytes", d->name, (unsigned long long)cnt, vb);
        *pos += 9;
        if ((len - *pos) / vb < cnt)
            return zkm_fail(e, ZKM_EFORMAT, "the proof ends inside input '%s'", d->name);
        if (!(q->q[k] = malloc(cnt * sizeof(int32_t))))
            return zkm_fail(e, ZKM_ENOMEM, "out of memory reading the input");
        const int64_t lo = -((int64_t)1 << (d->fmt.bits - 1)), hi = -lo - 1;
        for (uint64_t j = 0; j < cnt; j++, *pos += vb) {
            uint64_t u = 0;
            for (unsigned c = 0; c < vb; c++)
                u |= (uint64_t)b[*pos + c] << (8 * c);
            /* sign-extend from vb bytes */
            int64_t v = (int64_t)(u << (64 - 8 * vb)) >> (64 - 8 * vb);
            if (v < lo || v > hi)
                return zkm_fail(e, ZKM_EFORMAT, "input '%s': value %llu is %lld, outside %u bits",
                                d->name, (unsigned long long)j, (long long)v, d->fmt.bits);
            q->q[k][j] = (int32_t)v;
        }
    }
    return ZKM_OK;
}

/* An output element as a signed integer: x or x - r, whichever is small. */
static int fr_to_small(const fr *a, int64_t *out)
{
    uint64_t l[4];
    fr_to_limbs(l, a);
    if (!l[1] && !l[2] && !l[3] && l[0] <= (uint64_t)INT64_MAX) {
        *out = (int64_t)l[0];
        return 1;
    }
    fr neg;
    fr_neg(&neg, a);
    fr_to_limbs(l, &neg);
    if (!l[1] && !l[2] && !l[3] && l[0] <= (uint64_t)INT64_MAX) {
        *out = -(int64_t)l[0];
        return 1;
    }
    return 0;
}

zkm_status zkm_net_verify(const zkm_net *n, const uint8_t *proof, size_t proof_len,
                          int64_t **out, zkm_qinputs *in_out, zkm_verify_stats *stats,
                          zkm_err *e)
{
    const double t0 = zkm_now();
    zkm_qinputs q = {0};
    lw_wit w;
    fr **final = NULL, *output = NULL;
    double *layer_s = NULL;
    size_t pos = 8 + GKR_DIGEST_BYTES + 4;
    const bool pub_w = !(n->mode & ZKM_NET_COMMITTED_WEIGHTS);
    memset(&w, 0, sizeof w);
    unsigned mode;
    zkm_status st = zkm_proof_mode(proof, proof_len, &mode, e);
    if (st)
        return st;
    if (ZKM_MODE_FLAGS(mode) != n->mode)
        return zkm_fail(e, ZKM_EREJECT, "the proof was made with %s weights, %s input and %s "
                        "advice, with%s zero knowledge; the verifier expects %s weights, %s "
                        "input and %s advice, with%s zero knowledge",
                        MODE_WORDS(mode), MODE_WORDS(n->mode));
    if (ZKM_MODE_LIMB(mode) != n->b.limb)
        return zkm_fail(e, ZKM_EREJECT, "the proof's range checks are by %s (limb %u); the "
                        "verifier's by %s (limb %u)", ZKM_MODE_LIMB(mode) ? "lookup" : "bits",
                        ZKM_MODE_LIMB(mode), n->b.limb ? "lookup" : "bits", n->b.limb);
    if (memcmp(proof + 8, n->digest, GKR_DIGEST_BYTES) != 0)
        return zkm_fail(e, ZKM_EREJECT, "the proof is for another circuit: the model, its "
                        "formats or the bit-width differ");
    if (!pub_w && !n->wcom)
        return zkm_fail(e, ZKM_EINVAL, "committed weights: no model commitment loaded");
    st = read_inputs(n, proof, proof_len, &pos, &q, e);
    if (!st && (proof_len - pos < 8 || get_u64(proof + pos) != proof_len - pos - 8))
        st = zkm_fail(e, ZKM_EFORMAT, "the proof's GKR part is truncated or has bytes after it");
    if (!st)
        st = wit_init(n, &q, true, pub_w, &w, e);
    const double tw = zkm_now();
    if (!st)
        st = fill_publics(n, &w, PUB_MASKS | (pub_w ? PUB_WEIGHTS : 0) |
                                     (n->mode & ZKM_NET_PRIVATE_INPUT ? 0 : PUB_INPUTS));
    const double tw_fill = zkm_now() - tw;
    final = st ? NULL : zkm_calloc(n->c.n_layers, sizeof *final, "inputs", e);
    layer_s = st ? NULL : zkm_calloc(n->c.n_layers, sizeof *layer_s, "timing", e);
    if (!st && (!final || !layer_s))
        st = ZKM_ENOMEM;
    for (uint32_t id = 0; id < n->b.n && !st; id++) {
        const uint32_t li = n->final_of[id];
        const gkr_layer *l = &n->c.layers[li];
        if (l->kind == GKR_INPUT && l->p.input.visibility == GKR_INPUT_PUBLIC) {
            if (!w.values[id] && !lw_values(&w, id))
                st = ZKM_ENOMEM;
            final[li] = w.values[id];
        }
    }
    uint8_t (*indig)[32] = st ? NULL : zkm_calloc(n->m->n_inputs + 1, 32, "digests", e);
    const uint8_t **dig = indig ? layer_digests(n, &q, indig, e) : NULL;
    if (!st && !dig)
        st = ZKM_ENOMEM;
    gkr_stats gs;
    memset(&gs, 0, sizeof gs);
    if (!st) {
        gkr_verify_opts o = {.layer_s = layer_s, .digests = dig, .threads = n->threads,
                             .zk = (n->mode & ZKM_NET_ZK) != 0};
        if (!pub_w && !(o.coms = (const hyrax_com *const *)coms_of(n)))
            st = zkm_fail(e, ZKM_ENOMEM, "out of memory");
        if (!st)
            st = gkr_verify_ex(&n->c, final, proof + pos + 8, proof_len - pos - 8, &output, &gs,
                               &o, e);
        free((void *)o.coms);
    }
    free(dig);
    free(indig);
    if (!st && out) {
        int32_t *act = lw_act(&w, n->out_node);
        const size_t cnt = (size_t)1 << n->c.layers[0].nvars;
        for (size_t g = 0; act && g < cnt && !st; g++) {
            int64_t v;
            if (!fr_to_small(&output[g], &v) || v < INT32_MIN || v > INT32_MAX)
                st = zkm_fail(e, ZKM_EREJECT, "the proven output holds a value outside 32 bits");
            else
                act[g] = (int32_t)v;
        }
        if (!act)
            st = ZKM_ENOMEM;
        if (!st)
            st = extract_output(n, act, out, e);
    }
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->proof_bytes = proof_len;
        /* building the public tables, and digesting the weights (done once
         * when they were set, but the verifier's work all the same) */
        stats->weights_eval_s = pub_w ? tw_fill + n->wdigest_s : 0;
        stats->commit_s = gs.commit_s + (pub_w ? 0 : n->com_load_s);
        for (uint32_t id = 0; layer_s && id < n->b.n; id++) {
            const double t = layer_s[n->final_of[id]];
            const gkr_layer *l = &n->c.layers[n->final_of[id]];
            if (l->kind != GKR_INPUT)
                continue;
            if (l->p.input.visibility == GKR_INPUT_ADVICE)
                stats->advice_eval_s += t;
            else if (n->b.meta[id].role == LW_IN_MODEL)
                stats->input_eval_s += t;
            else if (n->b.meta[id].role == LW_IN_WEIGHT || n->b.meta[id].role == LW_IN_BIAS)
                stats->weights_eval_s += t;
        }
        stats->total_s = zkm_now() - t0 + (pub_w ? n->wdigest_s : n->com_load_s);
    }
    if (!st && in_out) {
        *in_out = q;
        q = (zkm_qinputs){0};
    }
    zkm_qinputs_free(&q);
    free(output);
    free(final);
    free(layer_s);
    if (w.act || w.values)
        wit_free(&w, n->b.n);
    return st;
}
