/* input: a public input layer holding the quantized model input in its
 * frame (the proof file carries the values). */

#include "lower.h"

static zkm_status input_lower(lw_builder *b, const zkm_model *m, lw_node *nodes, uint32_t i,
                              zkm_err *e)
{
    lw_node *x = &nodes[i];
    zkm_status st = lw_public(b, lw_frame_nvars(&x->frame), LW_IN_MODEL, &x->al, e);
    if (!st) {
        b->meta[x->al].arg = m->nodes[i].u.input.index;
        lw_set_layer(nodes, i, x->al);
    }
    return st;
}

/* The frame from the quantized input (prover and verifier alike). */
static zkm_status input_publics(lw_wit *w, uint32_t i)
{
    const lw_node *x = &w->nodes[i];
    const int32_t *q = w->in->q[w->m->nodes[i].u.input.index];
    const uint64_t n = zkm_shape_count(&w->m->nodes[i].shape);
    int32_t *act = lw_act(w, i);
    if (!act)
        return ZKM_ENOMEM;
    for (uint64_t k = 0; k < n; k++)
        act[lw_frame_index(&x->frame, k)] = q[k];
    if (!w->fill)
        return ZKM_OK;
    fr *v = lw_values(w, x->al);
    if (!v)
        return ZKM_ENOMEM;
    for (uint64_t k = 0; k < n; k++)
        fr_set_i64(&v[lw_frame_index(&x->frame, k)], q[k]);
    return ZKM_OK;
}

/* no reference: zkm_net_reference takes the real inputs themselves */
const lw_op lw_op_input = {input_lower, input_publics, NULL, NULL};
