/* refnet: a second, deliberately naive implementation of the quantized
 * semantics of a checked model (lang/SPEC.md sections 6-8, lang/model.h),
 * for tests only.  It shares nothing with layers/ but the model IR and the
 * tensor sets, so a test can run both on the same model, weights and inputs
 * and demand the same integers.
 *
 * Everything is computed on logical [C, H, W] arrays with plain loops and
 * exact integer arithmetic (__int128 accumulators); reals are touched only
 * when weights and inputs are quantized and when a batchnorm is folded. */
#ifndef ZKM_REFNET_H
#define ZKM_REFNET_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "tensors.h"

/* Quantized inference of m.
 *
 * weights: real tensors named and shaped as the nodes' `w` arrays list them
 *   (SPEC section 7; tensors the model does not ask for are ignored).  A
 *   dense/conv2d with a batchnorm folded into it (u.dense.bn / u.conv2d.bn)
 *   uses W' and b' computed in double from the real tensors per SPEC
 *   section 8, then quantized; the batchnorm node itself passes its input
 *   through.
 * inputs: one real tensor per model input, named as the input node, with
 *   exactly the input's shape.
 *
 * Quantization of a real v at frac f is q = floor(v * 2^f + 1/2), exactly
 * (no double rounding).  Inputs use the input node's fmt and weights the
 * node's wfmt, both range-checked; biases use frac f_in + f_w with no bit
 * limit, refused only when |q| >= 2^62.
 *
 * Every node's result is range-checked against its fmt.bits; nodes that
 * rescale round by q = floor((s + 2^(shift-1)) / 2^shift).  The shift each
 * node carries is recomputed from the formats and must agree with
 * node.shift (likewise output shapes), so an inconsistent IR is an error
 * rather than a silent disagreement.
 *
 * On success returns 0 with *out a malloc'd array of the output node's
 * *n_out entries in row-major (C, H, W) order (free() it).  On failure
 * returns -1, *out = NULL, *n_out = 0, and one line in err (if errlen > 0)
 * naming the node and the reason. */
int refnet_run(const zkm_model *m, const zkm_tensor_set *weights, const zkm_tensor_set *inputs,
               int64_t **out, size_t *n_out, char *err, size_t errlen);

#endif
