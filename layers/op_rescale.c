/* rescale: an explicit right shift, proven by the range check. */
#include <string.h>

#include "lower.h"

static zkm_status rescale_lower(lw_builder *b, const zkm_model *m, lw_node *nodes, uint32_t i,
                                zkm_err *e)
{
    return lw_lower_sum_range(b, m, nodes, i, lw_out_for(nodes, i), e);
}

/* The real value is unchanged; only its precision is. */
static zkm_status rescale_reference(const zkm_model *m, uint32_t i, const double *const *in,
                                    const zkm_tensor_set *ws, double *out, zkm_err *e)
{
    (void)ws;
    (void)e;
    memcpy(out, in[0], zkm_shape_count(&m->nodes[i].shape) * sizeof(double));
    return ZKM_OK;
}

const lw_op lw_op_rescale = {rescale_lower, NULL, lw_witness_sum_range, rescale_reference};
