/* The checked model: what a .zkm file means (lang/SPEC.md), as plain data.
 *
 * The checker (check.h) builds it from the AST; layers/ lowers it to a
 * circuit and computes its witness; the weight loaders fill the tensors it
 * asks for.  Nothing here points back into the AST or the source text.
 *
 * Nodes are in topological order (every input of node i is a node < i), one
 * per operation: a pipeline `y = x |> conv2d(...) |> relu` gives two nodes.
 *
 *   shapes   rank 1: [N] (a vector)      rank 2: [H, W]
 *            rank 3: [C, H, W] (channels, height, width; PyTorch's layout
 *            without the batch dimension)
 *   formats  a value v is held as the integer q with v ~ q * 2^-frac, in
 *            `bits` bits two's complement: -2^(bits-1) <= q < 2^(bits-1)
 *
 * Products are summed exactly; an operation that rescales (dense, conv2d,
 * avgpool, add, rescale) turns its exact sum s, held at frac acc_frac, into
 * its output by a right shift of `shift` = acc_frac - fmt.frac bits,
 * rounding to nearest with ties toward +infinity:
 *     q = floor((s + 2^(shift-1)) / 2^shift)      (q = s when shift = 0)
 * and a q outside the output's bits is an error at run time, never a
 * silent saturation. */
#ifndef ZKM_MODEL_H
#define ZKM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZKM_NONE UINT32_MAX
#define ZKM_MAX_RANK 3u
/* A format's bit-width (`bits`, `wbits`, zkm's --bits B) */
#define ZKM_BITS_MIN 2u
#define ZKM_BITS_MAX 32u

typedef enum {
    ZKM_OP_INPUT = 0, /* a model input                                        */
    ZKM_OP_DENSE,     /* y = W x + b            x: [in] -> [out]              */
    ZKM_OP_CONV2D,    /* 2-D cross-correlation, PyTorch's Conv2d (groups = 1) */
    ZKM_OP_RELU,      /* max(x, 0)                                            */
    ZKM_OP_MAXPOOL,   /* max over each window                                 */
    ZKM_OP_AVGPOOL,   /* mean over each window (a power-of-two window)        */
    ZKM_OP_FLATTEN,   /* [C, H, W] or [H, W] -> [C*H*W] in row-major order    */
    ZKM_OP_RESHAPE,   /* same entries, same order, another shape              */
    ZKM_OP_ADD,       /* x + y, same shape and frac                           */
    ZKM_OP_BATCHNORM, /* folded into the dense/conv2d before it (u.bn.target) */
    ZKM_OP_RESCALE    /* an explicit right shift                              */
} zkm_op;
#define ZKM_OP_COUNT 11u

typedef struct {
    uint32_t rank;               /* 1..3                         */
    uint32_t dim[ZKM_MAX_RANK];  /* dim[0..rank), each >= 1      */
} zkm_shape;

typedef struct {
    uint32_t bits; /* 2..32 */
    uint32_t frac; /* 0..32 */
} zkm_qfmt;

/* What a weight tensor is for, so no one has to compare names. */
typedef enum {
    ZKM_W_WEIGHT = 0,   /* dense [out, in]; conv2d [out, in, kh, kw]  */
    ZKM_W_BIAS,         /* [out]                                      */
    ZKM_W_BN_WEIGHT,    /* batchnorm gamma [C]                        */
    ZKM_W_BN_BIAS,      /* batchnorm beta [C]                         */
    ZKM_W_BN_MEAN,      /* running_mean [C]                           */
    ZKM_W_BN_VAR        /* running_var [C]                            */
} zkm_wrole;

/* One tensor the weights file must provide, named and shaped as PyTorch's
 * state_dict has it: "<wname>.weight", "<wname>.bias",
 * "<wname>.running_mean", "<wname>.running_var". */
typedef struct {
    char *name;
    zkm_wrole role;
    uint32_t rank;     /* 1, 2 or 4 */
    uint32_t dim[4];
    uint64_t count;    /* product of dim[0..rank) */
} zkm_wtensor;

/* Where a node was written: byte offset and 1-based line and column (bytes)
 * in the model file (zkm_model.path). */
typedef struct {
    uint32_t off, line, col;
} zkm_loc;

typedef struct {
    zkm_op op;
    char *name;        /* unique: a value name, or "<binding>/<op>" (then "#2", "#3"...)
                          for an unnamed step inside a pipeline              */
    char *wname;       /* weight-name prefix: dense, conv2d, batchnorm; else NULL */
    uint32_t n_in;     /* 0 (input), 1, or 2 (add)                            */
    uint32_t in[2];    /* the nodes read, in argument order                   */
    zkm_shape shape;   /* output shape                                        */
    zkm_qfmt fmt;      /* output format                                       */
    zkm_qfmt wfmt;     /* dense, conv2d: weight format; batchnorm: its
                          target's; otherwise {0, 0}                          */
    uint32_t acc_frac; /* frac of the exact result before the output rescale  */
    uint32_t shift;    /* acc_frac - fmt.frac (0 for the ops that keep the
                          input's format)                                     */
    union {
        struct {       /* ZKM_OP_INPUT */
            uint32_t index;  /* position among the model's inputs */
        } input;
        struct {       /* ZKM_OP_DENSE: in features = shape of in[0] */
            uint32_t out;
            bool bias;
            uint32_t bn;     /* batchnorm folded in, or ZKM_NONE */
        } dense;
        struct {       /* ZKM_OP_CONV2D: in channels = dim[0] of in[0] */
            uint32_t out;    /* output channels */
            uint32_t kh, kw; /* kernel  */
            uint32_t sh, sw; /* stride  */
            uint32_t ph, pw; /* zero padding on each side */
            bool bias;
            uint32_t bn;     /* batchnorm folded in, or ZKM_NONE */
        } conv2d;
        struct {       /* ZKM_OP_MAXPOOL, ZKM_OP_AVGPOOL (no padding);
                          avgpool: acc_frac = input frac + log2(kh*kw) */
            uint32_t kh, kw;
            uint32_t sh, sw;
        } pool;
        struct {       /* ZKM_OP_BATCHNORM: y = (x - mean) / sqrt(var + eps) * gamma + beta,
                          folded into node `target` (its only reader is this node);
                          the batchnorm itself computes nothing */
            double eps;
            uint32_t target;
        } bn;
    } u;               /* ZKM_OP_RELU, _FLATTEN, _RESHAPE (target = shape),
                          _ADD, _RESCALE (shift above) have no member     */
    zkm_wtensor *w;    /* tensors expected for this node */
    uint32_t n_w;
    uint64_t params;   /* parameters as PyTorch counts them (batchnorm: gamma
                          and beta; the running statistics are buffers)  */
    uint64_t macs;     /* multiply-accumulates (dense, conv2d)           */
    zkm_loc loc;       /* the operation (or the input's name) in the source */
} zkm_node;

typedef struct {
    char *name;        /* model NAME { ... } */
    char *path;        /* the source file, as given to the parser */
    zkm_node *nodes;
    uint32_t n_nodes;
    uint32_t *inputs;  /* input nodes in declaration order */
    uint32_t n_inputs;
    uint32_t output;   /* the node named by `output` */
    zkm_qfmt act;      /* model-wide activation format (after any override) */
    zkm_qfmt weights;  /* model-wide weight format                          */
    uint64_t params, macs; /* totals over the nodes */
} zkm_model;

void zkm_model_free(zkm_model *m);
/* Free n nodes (their names and weight lists) and the array. */
void zkm_nodes_free(zkm_node *nodes, uint32_t n);

/* "dense", "conv2d", ... (the names the language uses). */
const char *zkm_op_name(zkm_op op);

/* Number of entries of a shape. */
uint64_t zkm_shape_count(const zkm_shape *s);

/* The node named name, or ZKM_NONE. */
uint32_t zkm_model_find(const zkm_model *m, const char *name);

/* Text for `zkm check` and messages; each writes at most cap bytes
 * (NUL-terminated when cap > 0) and returns the full length, like snprintf.
 *   zkm_shape_str     "[6, 28, 28]"
 *   zkm_qfmt_str      "q8.4" (bits 8, frac 4)
 *   zkm_node_describe the operation and its parameters, e.g.
 *                     "conv2d 5x5, 6 channels, padding 2, bias",
 *                     "maxpool 2x2, stride 2", "dense 400 -> 120, bias",
 *                     "batchnorm eps 1e-05, folded into c1/conv2d" */
size_t zkm_shape_str(const zkm_shape *s, char *buf, size_t cap);
size_t zkm_qfmt_str(zkm_qfmt f, char *buf, size_t cap);
size_t zkm_node_describe(const zkm_model *m, uint32_t i, char *buf, size_t cap);

#endif
