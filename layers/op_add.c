/* add: S = a + b in their shared frame, then the range check (a shift when
 * the output frac is lower, and the output's bits: a sum that does not fit
 * is an error, never saturated). */
#include "lower.h"

static zkm_status add_lower(lw_builder *b, const zkm_model *m, lw_node *nodes, uint32_t i,
                            zkm_err *e)
{
    return lw_lower_sum_range(b, m, nodes, i, lw_out_for(nodes, i), e);
}

static zkm_status add_reference(const zkm_model *m, uint32_t i, const double *const *in,
                                const zkm_tensor_set *ws, double *out, zkm_err *e)
{
    (void)ws;
    (void)e;
    const uint64_t n = zkm_shape_count(&m->nodes[i].shape);
    for (uint64_t k = 0; k < n; k++)
        out[k] = in[0][k] + in[1][k];
    return ZKM_OK;
}

const lw_op lw_op_add = {add_lower, NULL, lw_witness_sum_range, add_reference};
