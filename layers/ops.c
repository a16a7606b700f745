/* The table of operations: one entry per zkm_op, each in its own file. */
#include "lower.h"

const lw_op *lw_op_get(zkm_op op)
{
    static const lw_op *const table[ZKM_OP_COUNT] = {
        [ZKM_OP_INPUT] = &lw_op_input,     [ZKM_OP_DENSE] = &lw_op_dense,
        [ZKM_OP_CONV2D] = &lw_op_conv2d,   [ZKM_OP_RELU] = &lw_op_relu,
        [ZKM_OP_MAXPOOL] = &lw_op_maxpool, [ZKM_OP_AVGPOOL] = &lw_op_avgpool,
        [ZKM_OP_FLATTEN] = &lw_op_flatten, [ZKM_OP_RESHAPE] = &lw_op_flatten,
        [ZKM_OP_ADD] = &lw_op_add,         [ZKM_OP_BATCHNORM] = &lw_op_batchnorm,
        [ZKM_OP_RESCALE] = &lw_op_rescale,
    };
    return (unsigned)op < ZKM_OP_COUNT ? table[op] : NULL;
}
