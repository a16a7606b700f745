/* Inside a quantized inference: every node's integers, and the integer
 * weights the circuit uses.  For measurements (experiments/drift.h), not
 * for proving: zkm_net_run stays the one canonical inference, and
 * zkm_net_trace computes the same integers with the same per-operation
 * witness code (a test checks that the outputs agree). */
#ifndef ZKM_TRACE_H
#define ZKM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "net.h"

/* Run the quantized model on in and give every node's values: (*vals)[i]
 * (malloc'd) holds node i's zkm_shape_count entries in row-major order, in
 * node i's format (q with value q * 2^-frac).  A relu that the circuit
 * computes inside the op before it still gets its own values, and that op
 * its values before the relu; a dense or conv2d with a batchnorm folded
 * into it holds the folded (post-batchnorm) values, as does the batchnorm
 * node; flatten and reshape hold their input's entries.  Fails as
 * zkm_net_run does (a value that does not fit its format is ZKM_EFORMAT
 * naming the node).  Free with zkm_trace_free. */
zkm_status zkm_net_trace(const zkm_net *n, const zkm_qinputs *in, int64_t ***vals, zkm_err *e);
void zkm_trace_free(const zkm_net *n, int64_t **vals);

/* The integer weights and bias of dense or conv2d node i as the circuit
 * holds them (batchnorm folded, lang/SPEC.md section 8): *w has *nw entries
 * in PyTorch's layout ([out][in] or [out][in][kh][kw]) at the node's
 * weight frac; *b has one entry per output (channel) at frac
 * frac(input) + frac(weights), or is NULL without a bias.  The pointers
 * belong to the net.  ZKM_EINVAL for another kind of node or a net without
 * weights. */
zkm_status zkm_net_qparams(const zkm_net *n, uint32_t i, const int32_t **w, size_t *nw,
                           const int64_t **b, zkm_err *e);

#endif
