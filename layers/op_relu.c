/* relu: max(x, 0).  After a dense, conv2d, avgpool, add or rescale that only
 * it reads, the relu is computed by that op's range check (the sign bit
 * times the magnitude bits) and this node adds nothing.  Otherwise it is a
 * range check of its own with no shift: the bits of x + 2^(B-1). */
#include "lower.h"

static zkm_status relu_lower(lw_builder *b, const zkm_model *m, lw_node *nodes, uint32_t i,
                             zkm_err *e)
{
    if (nodes[i].fused_into != LW_NONE)
        return ZKM_OK; /* the layer was set by the node computing it */
    return lw_lower_sum_range(b, m, nodes, i, LW_OUT_RELU, e);
}

static zkm_status relu_witness(lw_wit *w, uint32_t i)
{
    return w->nodes[i].fused_into != LW_NONE ? ZKM_OK : lw_witness_sum_range(w, i);
}

static zkm_status relu_reference(const zkm_model *m, uint32_t i, const double *const *in,
                                 const zkm_tensor_set *ws, double *out, zkm_err *e)
{
    (void)ws;
    (void)e;
    const uint64_t n = zkm_shape_count(&m->nodes[i].shape);
    for (uint64_t k = 0; k < n; k++)
        out[k] = in[0][k] > 0 ? in[0][k] : 0;
    return ZKM_OK;
}

const lw_op lw_op_relu = {relu_lower, NULL, relu_witness, relu_reference};
