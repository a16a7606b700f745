/* Every node's integers of one quantized inference (trace.h).
 *
 * The witness functions of layers/ write a node's values into its frame
 * (lw_wit.act).  Two things hide values there: a relu fused into the op
 * before it (the op writes relu(q) into the relu's frame and keeps no q),
 * and nodes without a layer (flatten, reshape, batchnorm), which read their
 * storage node's frame.  So the trace runs the witness on a copy of the
 * net's node table in which no relu is fused (the op keeps q and the trace
 * applies the relu itself, as the fused range check would: relu(q) at every
 * frame position), then reads each node's entries through its storage
 * node's frame. */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

#include "net_impl.h"

static void free_act(const zkm_model *m, int32_t **act)
{
    if (act)
        for (uint32_t i = 0; i < m->n_nodes; i++)
            free(act[i]);
    free(act);
}

void zkm_trace_free(const zkm_net *n, int64_t **vals)
{
    if (!vals)
        return;
    for (uint32_t i = 0; i < n->m->n_nodes; i++)
        free(vals[i]);
    free(vals);
}

/* The relu node r computed by node t's range check: relu of t's q. */
static zkm_status apply_relu(lw_wit *w, uint32_t t, uint32_t r)
{
    const size_t len = (size_t)1 << lw_frame_nvars(&w->nodes[t].frame);
    const int32_t *q = w->act[t];
    int32_t *out = lw_act(w, r);
    if (!q || !out)
        return q ? ZKM_ENOMEM : zkm_fail(w->e, ZKM_EINVAL, "%s: not computed", w->m->nodes[t].name);
    if (((size_t)1 << lw_frame_nvars(&w->nodes[r].frame)) != len)
        return zkm_fail(w->e, ZKM_EINVAL, "%s: frame differs from %s's (internal error)",
                        w->m->nodes[r].name, w->m->nodes[t].name);
    for (size_t g = 0; g < len; g++)
        out[g] = q[g] > 0 ? q[g] : 0;
    return ZKM_OK;
}

zkm_status zkm_net_trace(const zkm_net *n, const zkm_qinputs *in, int64_t ***vals, zkm_err *e)
{
    const zkm_model *m = n->m;
    *vals = NULL;
    if (!n->have_weights)
        return zkm_fail(e, ZKM_EINVAL, "no weights set");
    if (!in || in->n != m->n_inputs)
        return zkm_fail(e, ZKM_EINVAL, "%u inputs for a model of %u", in ? in->n : 0,
                        m->n_inputs);
    lw_node *nodes = zkm_calloc(m->n_nodes, sizeof *nodes, "trace nodes", e);
    int64_t **v = zkm_calloc(m->n_nodes, sizeof *v, "trace", e);
    lw_wit w = {.m = m, .b = &n->b, .qw = &n->qw, .in = in, .fill = false, .e = e};
    w.act = zkm_calloc(m->n_nodes, sizeof *w.act, "activations", e);
    zkm_status st = nodes && v && w.act ? ZKM_OK : ZKM_ENOMEM;
    if (!st) {
        memcpy(nodes, n->nodes, m->n_nodes * sizeof *nodes);
        for (uint32_t i = 0; i < m->n_nodes; i++)
            if (nodes[i].fused != LW_NONE) {
                nodes[i].fused = LW_NONE;
                nodes[i].range.out_kind = LW_OUT_Q;
            }
        w.nodes = nodes;
    }
    /* as run_witness in net.c: the public tables (integers only), then
     * every node in order */
    for (uint32_t i = 0; i < m->n_nodes && !st; i++) {
        const lw_op *op = lw_op_get(m->nodes[i].op);
        if (op->publics)
            st = op->publics(&w, i);
    }
    for (uint32_t i = 0; i < m->n_nodes && !st; i++) {
        const lw_op *op = lw_op_get(m->nodes[i].op);
        if (op->witness)
            st = op->witness(&w, i);
        if (!st && n->nodes[i].fused != LW_NONE)
            st = apply_relu(&w, i, n->nodes[i].fused);
    }
    for (uint32_t i = 0; i < m->n_nodes && !st; i++) {
        const uint64_t cnt = zkm_shape_count(&m->nodes[i].shape);
        const uint32_t s = nodes[i].storage;
        if (!w.act[s]) {
            st = zkm_fail(e, ZKM_EINVAL, "%s: no values (internal error)", m->nodes[i].name);
            break;
        }
        if (!(v[i] = zkm_calloc(cnt, sizeof *v[i], "trace", e))) {
            st = ZKM_ENOMEM;
            break;
        }
        for (uint64_t k = 0; k < cnt; k++)
            v[i][k] = w.act[s][lw_frame_index(&nodes[s].frame, k)];
    }
    free_act(m, w.act);
    free(nodes);
    if (st) {
        zkm_trace_free(n, v);
        return st;
    }
    *vals = v;
    return ZKM_OK;
}

zkm_status zkm_net_qparams(const zkm_net *n, uint32_t i, const int32_t **w, size_t *nw,
                           const int64_t **b, zkm_err *e)
{
    const zkm_model *m = n->m;
    if (i >= m->n_nodes || (m->nodes[i].op != ZKM_OP_DENSE && m->nodes[i].op != ZKM_OP_CONV2D))
        return zkm_fail(e, ZKM_EINVAL, "node %u has no weights", i);
    if (!n->have_weights)
        return zkm_fail(e, ZKM_EINVAL, "no weights set");
    *w = n->qw.p[i].w;
    *nw = m->nodes[i].w[0].count;
    *b = n->qw.p[i].b;
    return ZKM_OK;
}
