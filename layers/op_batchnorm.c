/* batchnorm: folded into the dense or conv2d before it (quant.c), so it
 * has no layer; its float reference applies it as written. */
#include <math.h>

#include "lower.h"

static zkm_status bn_reference(const zkm_model *m, uint32_t i, const double *const *in,
                               const zkm_tensor_set *ws, double *out, zkm_err *e)
{
    const zkm_node *d = &m->nodes[i];
    const zkm_tensor *t[4] = {NULL, NULL, NULL, NULL}; /* gamma, beta, mean, var */
    for (uint32_t k = 0; k < d->n_w; k++) {
        const zkm_tensor *x = zkm_tensor_set_find(ws, d->w[k].name);
        switch (d->w[k].role) {
        case ZKM_W_BN_WEIGHT: t[0] = x; break;
        case ZKM_W_BN_BIAS: t[1] = x; break;
        case ZKM_W_BN_MEAN: t[2] = x; break;
        case ZKM_W_BN_VAR: t[3] = x; break;
        default: break;
        }
    }
    if (!t[0] || !t[1] || !t[2] || !t[3])
        return zkm_fail(e, ZKM_EINVAL, "%s: batchnorm tensors missing", d->name);
    const uint64_t n = zkm_shape_count(&d->shape);
    const uint64_t C = d->shape.rank == 3 ? d->shape.dim[0] : n, per = n / C;
    for (uint64_t k = 0; k < n; k++) {
        const uint64_t c = k / per;
        out[k] = (in[0][k] - t[2]->data[c]) / sqrt(t[3]->data[c] + d->u.bn.eps) * t[0]->data[c] +
                 t[1]->data[c];
    }
    return ZKM_OK;
}

const lw_op lw_op_batchnorm = {NULL, NULL, NULL, bn_reference};
