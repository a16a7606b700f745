/* Evaluating a checked model (lang/model.h) in other arithmetics than the
 * circuit's: IEEE binary32 and binary64 in C, and MPFR, either at a high
 * precision (the ground truth) or emulating a low-precision format
 * (fpemu.h).  Every evaluator gives every node's values, row-major, one
 * array per node.
 *
 * One order of operations for all of them (the float reference of layers/,
 * zkm_net_reference, uses the same, so binary64 here gives its numbers bit
 * for bit), each operation rounded to the arithmetic's format:
 *   dense     acc = bias (or 0); for each input k: acc = acc + w[k] * x[k]
 *   conv2d    the same over (input channel, kernel row, kernel column),
 *             skipping the taps that fall in the zero padding
 *   relu      x > 0 ? x : 0
 *   maxpool   the first maximum over the window, row by row
 *   avgpool   acc = 0; acc = acc + x over the window; then acc / (kh * kw)
 *   add       a + b
 *   batchnorm ((x - mean) / sqrt(var + eps)) * gamma + beta
 *   flatten, reshape, rescale: the values unchanged
 * Weights, biases, batchnorm tensors, eps and inputs are rounded into the
 * format once, first.  Products and sums are never fused or reordered (the
 * build uses -std=c11, which turns floating-point contraction off).
 *
 * Library code: no exits, no output, every allocation checked and freed. */
#ifndef ZKM_DRIFT_EVAL_H
#define ZKM_DRIFT_EVAL_H

#include <mpfr.h>
#include <stdbool.h>
#include <stdint.h>

#include "fpemu.h"
#include "model.h"
#include "net.h"
#include "tensors.h"
#include "zkm_err.h"

/* The real tensor of node i with the given role, or NULL. */
const zkm_tensor *dr_tensor(const zkm_model *m, uint32_t i, const zkm_tensor_set *w,
                            zkm_wrole role);

/* The tensor for model input k: by its name, or the only tensor of a set
 * for a model of one input (as zkm_net_quantize_inputs finds it); NULL when
 * there is none or it has not the input's number of entries. */
const zkm_tensor *dr_input(const zkm_model *m, uint32_t k, const zkm_tensor_set *in);

/* Check that w holds exactly the tensors m needs (names, shapes), as
 * zkm_net_set_weights does before it quantizes; ZKM_EFORMAT and *report as
 * zkm_tensors_match gives them otherwise (report may be NULL). */
zkm_status dr_check_weights(const zkm_model *m, const zkm_tensor_set *w, char **report,
                            zkm_err *e);

/* Per-node arrays of doubles (n_nodes of them, node i's of its
 * zkm_shape_count entries), zeroed; NULL when memory ran out. */
double **dr_dvals_new(const zkm_model *m, zkm_err *e);
void dr_dvals_free(const zkm_model *m, double **v);

/* The index of the largest of n values (the first on a tie). */
uint64_t dr_argmax(const double *v, uint64_t n);

/* The input entry that conv2d node d (input shape si) reads for kernel
 * tap (c, dy, dx) of output position (y, x), or -1 where the tap falls in
 * the zero padding. */
static inline int64_t dr_conv_src(const zkm_node *d, const zkm_shape *si, uint32_t c, uint32_t y,
                                  uint32_t x, uint32_t dy, uint32_t dx)
{
    const int64_t yy = (int64_t)y * d->u.conv2d.sh + dy - d->u.conv2d.ph;
    const int64_t xi = (int64_t)x * d->u.conv2d.sw + dx - d->u.conv2d.pw;
    if (yy < 0 || yy >= si->dim[1] || xi < 0 || xi >= si->dim[2])
        return -1;
    return ((int64_t)c * si->dim[1] + yy) * si->dim[2] + xi;
}

/* --------------------------------------------------- IEEE inference in C */

/* The model in C's float (FE_F32) or double (FE_F64) on the real weights
 * (batchnorm as written) and inputs; *vals (free with dr_dvals_free) holds
 * every node's values, widened to double.  w must match the model
 * (dr_check_weights). */
zkm_status dr_native(const zkm_model *m, const zkm_tensor_set *w, const zkm_tensor_set *in,
                     fe_id fmt, double ***vals, zkm_err *e);

/* ------------------------------------------------------------- MPFR */

/* A model prepared for MPFR evaluation (its weights converted once), with
 * the buffers of one evaluation. */
typedef struct dr_mp dr_mp;

/* On the real weights w (batchnorm as written): with f NULL at precision
 * prec (>= 64) and MPFR's default exponent range, every operation rounded
 * to nearest at that precision; otherwise in format f (fpemu.h), prec
 * ignored.  w must match the model. */
zkm_status dr_mp_real(const zkm_model *m, const zkm_tensor_set *w, const fe_format *f,
                      mpfr_prec_t prec, dr_mp **out, zkm_err *e);

/* On the circuit's integers: net's weights and biases (batchnorm folded)
 * scaled back to reals, q * 2^-frac, exactly, at precision prec (>= 64).
 * The batchnorm nodes then pass their input through, and the nodes follow
 * the net's model (its formats give the fracs). */
zkm_status dr_mp_quant(const zkm_net *net, mpfr_prec_t prec, dr_mp **out, zkm_err *e);

/* Evaluate: real inputs in (dr_mp_real) or quantized inputs q (dr_mp_quant;
 * each q * 2^-frac of its input's format).  *vals points to the prepared
 * model's buffers: vals[i][k] is entry k of node i, valid until the next
 * dr_mp_run or dr_mp_free. */
zkm_status dr_mp_run(dr_mp *p, const zkm_tensor_set *in, const zkm_qinputs *q,
                     mpfr_t *const **vals, zkm_err *e);

void dr_mp_free(dr_mp *p);

#endif
