/* Quantization drift: how far each arithmetic moves a model's values from
 * a high-precision reference, node by node and at the output, over a set
 * of inputs (`zkm drift`).
 *
 * Evaluations of one model on the same inputs:
 *   DR_REF    MPFR at precision prec on the real weights (batchnorm as
 *             written): the ground truth
 *   DR_FLOAT  a float format (fpemu.h): float64 and float32 in C, bfloat16,
 *             float16 and the fp8 formats emulated with MPFR
 *   DR_QREF   MPFR at precision prec on the circuit's integers at a
 *             bit-width B (weights and biases with batchnorm folded, and
 *             the input, quantized as the circuit holds them, then scaled
 *             back exactly): what quantizing the parameters and the input
 *             alone does
 *   DR_FIXED  the circuit's values at bit-width B (layers/trace.h: the same
 *             integers zkm_net_run computes), scaled back
 * and comparisons of pairs of them:
 *   every DR_FLOAT against DR_REF; for each bit-width DR_FIXED against
 *   DR_REF (all the drift), DR_FIXED against its DR_QREF (the rounding of
 *   the activations after every operation) and DR_QREF against DR_REF (the
 *   quantization of weights and input).
 *
 * Metrics per comparison and node, over every entry of every input both
 * evaluations ran on:
 *   max_abs  max |x - r|                 rms     sqrt(sum (x - r)^2 / count)
 *   rel_l2   sqrt(sum (x - r)^2 / sum r^2)  (over all inputs together)
 *   max_ulp  max |x - r| / ulp(r): a float format's ulp at r (fe_ulp), or
 *            for fixed point the step 2^-frac of the node's format
 * and at the output: top-1 agreement (the same first argmax as the
 * evaluation compared against).  An input an evaluation cannot run on (a
 * value outside a fixed-point format: the circuit refuses it, never
 * saturates) counts against its top-1 agreement and its accuracy and is
 * left out of the error metrics; entries that are infinite or NaN (a float
 * format overflowing) are counted apart and left out too.  A dense or
 * conv2d with a batchnorm folded into it is not compared between a folded
 * evaluation (DR_QREF, DR_FIXED) and an unfolded one: its values mean
 * different things there (the batchnorm node is compared instead).
 *
 * Library code: no exits, no output; MPFR's exponent range is changed only
 * inside fpemu.h's scopes, so run one measurement per thread at a time. */
#ifndef ZKM_DRIFT_H
#define ZKM_DRIFT_H

#include <jansson.h>
#include <mpfr.h>
#include <stdint.h>

#include "fpemu.h"
#include "model.h"
#include "net.h"
#include "tensors.h"
#include "zkm_err.h"
#include "zkm_strbuf.h"

#define DR_DEFAULT_PREC 256
#define DR_MIN_PREC 64
#define DR_MAX_PREC 65536

typedef enum { DR_REF = 0, DR_FLOAT, DR_QREF, DR_FIXED } dr_kind;

typedef struct {
    dr_kind kind;
    char name[32];     /* "mpfr-256", "float32", "q8-ref", "q8"            */
    fe_id fmt;         /* DR_FLOAT                                        */
    uint32_t bits;     /* DR_QREF, DR_FIXED: the bit-width                 */
    uint32_t width;    /* DR_QREF, DR_FIXED: its index in dr_spec.widths   */
    uint64_t ran;      /* inputs it ran on                                 */
    uint64_t failed;   /* inputs it could not run on                       */
    uint64_t correct;  /* labelled inputs whose argmax is the label        */
    char error[256];   /* the first failure's reason, "" if none           */
} dr_eval;

typedef struct {
    uint64_t count;      /* entries compared                              */
    uint64_t nonfinite;  /* entries left out: infinite or NaN             */
    double max_abs, sum_sq, sum_sq_ref;
    double max_ulp;      /* NAN when the comparison has no ulp            */
} dr_acc;

typedef struct {
    uint32_t eval, against; /* indices into dr_result.evals                 */
    dr_acc *node;           /* per model node; count 0: not compared         */
    uint64_t both;          /* inputs both evaluations ran on                */
    uint64_t top1;          /* of those, with the same argmax at the output  */
} dr_cmp;

typedef struct {
    const zkm_model *model; /* dr_spec.model                              */
    mpfr_prec_t prec;
    uint64_t inputs;        /* inputs measured                            */
    uint64_t labelled;      /* of which with a label                      */
    dr_eval *evals;         /* [0] is DR_REF                              */
    uint32_t n_evals;
    dr_cmp *cmps;
    uint32_t n_cmps;
} dr_result;

/* Input k (0 <= k < n_inputs) as real tensors named as the model's inputs
 * (*in initialised by the callee) and its label, or -1 without one. */
typedef zkm_status (*dr_input_fn)(void *ctx, uint64_t k, zkm_tensor_set *in, int64_t *label,
                                  zkm_err *e);

typedef struct {
    const zkm_model *model;        /* the model as written                    */
    const zkm_tensor_set *weights; /* its real weights (dr_check_weights)      */
    unsigned floats;               /* bit f set: evaluate fe_get(f)            */
    uint32_t n_widths;
    const uint32_t *widths;        /* bit-widths                               */
    /* per bit-width: the model checked at that width (zkm_check_opts.bits)
     * lowered, with the same weights set; or NULL, and why in net_errors
     * (e.g. a weight that does not fit the narrower format) */
    const zkm_net *const *nets;
    const char *const *net_errors;
    mpfr_prec_t prec;              /* DR_MIN_PREC .. DR_MAX_PREC               */
    uint64_t n_inputs;             /* >= 1                                     */
    dr_input_fn input;
    void *input_ctx;
    zkm_progress_fn progress;      /* may be NULL: ("inputs", done, total)     */
    void *progress_ctx;
} dr_spec;

/* Run every evaluation on every input and compare.  Fails (and *out stays
 * NULL) on a bad spec (ZKM_EINVAL), an input the reference cannot run on
 * (ZKM_EFORMAT, from the callback or a shape mismatch), out of memory. */
zkm_status dr_measure(const dr_spec *s, dr_result **out, zkm_err *e);
void dr_result_free(dr_result *r);

/* The comparison of evaluation `eval` against `against`, or NULL. */
const dr_cmp *dr_find_cmp(const dr_result *r, uint32_t eval, uint32_t against);

/* Derived metrics (NAN when undefined: nothing compared, sum r^2 = 0). */
double dr_rms(const dr_acc *a);
double dr_rel_l2(const dr_acc *a);
/* Top-1 agreement over every input measured; accuracy over the labelled
 * ones (NAN without labels). */
double dr_top1(const dr_result *r, const dr_cmp *c);
double dr_accuracy(const dr_result *r, const dr_eval *v);

/* The kind's name: "reference", "float", "quantized-reference", "fixed". */
const char *dr_kind_name(dr_kind k);

/* CSV, one header line then one row per comparison and node:
 *   model,inputs,prec,evaluation,kind,bits,against,node,name,op,is_output,
 *   entries,nonfinite,max_abs,rms,rel_l2,max_ulp,top1,accuracy,
 *   against_accuracy,failed,error
 * (bits empty for floats; metrics empty where undefined; top1, accuracy
 * and failed are the comparison's and repeat on its rows). */
void dr_csv(const dr_result *r, zkm_strbuf *sb);

/* The result as a JSON object (NULL when memory ran out):
 *   {"model", "inputs", "labelled", "prec",
 *    "evaluations": [{"name", "kind", "format" | "bits", "ran", "failed",
 *                     "accuracy", "error"}],
 *    "comparisons": [{"evaluation", "against", "inputs", "top1",
 *                     "output": METRICS,
 *                     "layers": [{"node", "name", "op", METRICS...}]}]}
 * METRICS: "entries", "nonfinite", "max_abs", "rms", "rel_l2", "max_ulp";
 * null for what is undefined (or not finite). */
json_t *dr_json(const dr_result *r);

#endif
