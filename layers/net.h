/* A checked model with its weights, ready to run, prove and verify.
 *
 *   zkm_model (lang/)  --zkm_net_init-->  zkm_net: the model, its frame layout,
 *                                         its circuit, its quantized weights
 *   zkm_net + inputs   --zkm_net_run-->   the quantized output (integers)
 *                      --zkm_net_prove--> proof bytes (.zkp)
 *   zkm_net + proof    --zkm_net_verify-> accepted or rejected, the output
 *
 * The circuit depends only on the model (its shapes and formats), never on
 * the weights: prover and verifier build it independently from the model
 * file.  In this version the weights are public: the verifier is given the
 * same weights (file or seed) and evaluates their multilinear extensions
 * itself, or a model commitment (zkm_net_commit) stands for them; the model
 * input travels inside the proof file unless it is private; the advice
 * (bits of every range check, the max-pool maxima) is committed inside the
 * proof (see the proof modes below).
 *
 * zkm_net_run and the prover compute the same integers with the same code
 * (the per-operation witness functions of layers/); the float reference
 * (zkm_net_reference) runs the model in double on the real weights. */
#ifndef ZKM_NET_H
#define ZKM_NET_H

#include <stddef.h>
#include <stdint.h>

#include "circuit.h"
#include "model.h"
#include "tensors.h"
#include "zkm_err.h"

typedef struct zkm_net zkm_net;

/* Build the layout and the circuit of a model (no weights yet).  Fails with
 * ZKM_EFORMAT and a message naming the node for a model the prover cannot
 * lay out (see lang/SPEC.md, "What the prover supports"). */
zkm_status zkm_net_init(const zkm_model *m, zkm_net **out, zkm_err *e);

/* Range checks (rescale, relu, max-pool): by bit decomposition (limb 0,
 * the default) or by lookup in the table 0 .. 2^limb - 1 (LogUp), limb in
 * ZKM_LIMB_MIN .. ZKM_LIMB_MAX.  The circuit, its digest and so the model
 * commitment differ between the two. */
#define ZKM_LIMB_MIN 2u
#define ZKM_LIMB_MAX 20u
/* The limb of `--range lookup` without `--limb` (zkm's commands, and a sweep
 * spec's `lookup`). */
#define ZKM_LIMB_DEFAULT 8u
typedef struct {
    unsigned limb;
} zkm_net_opts;
/* zkm_net_init with options (o may be NULL: the defaults). */
zkm_status zkm_net_init_ex(const zkm_model *m, const zkm_net_opts *o, zkm_net **out,
                           zkm_err *e);
/* The net's lookup limb (0: range checks by bits). */
unsigned zkm_net_limb(const zkm_net *n);
void zkm_net_free(zkm_net *n);

const zkm_model *zkm_net_model(const zkm_net *n);
const gkr_circuit *zkm_net_circuit(const zkm_net *n);

/* The weights: real-valued tensors named as in the model (lang/SPEC.md
 * section 7), checked with zkm_tensors_match (any problem is ZKM_EFORMAT,
 * *report as zkm_tensors_match gives it, may be NULL), batchnorm folded,
 * then quantized (section 8).  A value that does not fit its format is
 * ZKM_EFORMAT naming the tensor, the element and the value. */
zkm_status zkm_net_set_weights(zkm_net *n, const zkm_tensor_set *w, char **report, zkm_err *e);

/* The tensors zkm_net_set_weights expects, seeded (zkm_tensor_random,
 * ZKM_TENSOR_RAND_WEIGHT with each layer's fan-in; batchnorm: gamma 1 + w,
 * beta w, mean w, var 1 + |w| with w seeded in [-1/4, 1/4) as documented in
 * SPEC.md).  *out is initialised here. */
zkm_status zkm_net_seeded_weights(const zkm_net *n, uint64_t seed, zkm_tensor_set *out,
                                  zkm_err *e);

/* Model inputs as real tensors, one per model input, named by the input's
 * name; seeded ones are uniform in [0, 1). */
zkm_status zkm_net_seeded_inputs(const zkm_net *n, uint64_t seed, zkm_tensor_set *out,
                                 zkm_err *e);

/* Quantized inputs: q[i] holds the model's i-th input (zkm_model.inputs) in
 * row-major (C, H, W) order, zkm_shape_count entries, each in its format's
 * bits.  From real tensors: each input found by its name; a set holding
 * exactly one tensor also matches a model with exactly one input whatever its
 * name; a leading dimension of 1 (a batch of one) is accepted. */
typedef struct {
    uint32_t n;
    int32_t **q;
} zkm_qinputs;

zkm_status zkm_net_quantize_inputs(const zkm_net *n, const zkm_tensor_set *in, zkm_qinputs *out,
                                   zkm_err *e);
void zkm_qinputs_free(zkm_qinputs *q);

/* The quantized inference.  *out (malloc'd, free()) receives the output
 * node's zkm_shape_count integers in row-major order, in the output node's
 * format.  A value that does not fit its bits anywhere is ZKM_EFORMAT naming
 * the node, the entry and the value ("fc1/dense: entry 17 is 301, outside
 * q8.4's -128..127").  Weights must be set. */
zkm_status zkm_net_run(const zkm_net *n, const zkm_qinputs *in, int64_t **out, zkm_err *e);

/* The float reference: the same model in double on the real weights w
 * (the set given to zkm_net_set_weights; batchnorm applied as written, not
 * folded, no rounding), from the real inputs.  *out: the output node's
 * entries. */
zkm_status zkm_net_reference(const zkm_net *n, const zkm_tensor_set *w,
                             const zkm_tensor_set *in, double **out, zkm_err *e);

/* ---------------------------------------------------------- proof modes */

/* What the proof commits to instead of showing (lang/SPEC.md section 13).
 * The default (0): weights public (the verifier is given them), model input
 * public (inside the proof file), advice (bits, remainders, maxima)
 * committed inside the proof. */
enum {
    ZKM_NET_ADVICE_CLEAR = 1u,      /* advice packed in the clear instead       */
    ZKM_NET_COMMITTED_WEIGHTS = 2u, /* weights in a model commitment (.zkc)      */
    ZKM_NET_PRIVATE_INPUT = 4u,     /* the model input committed in the proof    */
    ZKM_NET_ZK = 8u                 /* zero knowledge (gkr/zk.h): every message
                                       committed; needs the advice committed     */
};

/* Set the mode (ZKM_NET_* flags): the circuit and its digest change with
 * it (ZKM_NET_ZK changes the protocol, not the circuit), so prover and
 * verifier must agree.  ZKM_EINVAL for unknown flags, and for zero knowledge
 * with the advice in the clear. */
zkm_status zkm_net_set_mode(zkm_net *n, unsigned mode, zkm_err *e);
/* A .zkp records a mode word: the ZKM_NET_* flags, and the lookup limb
 * (0: range checks by bits) in bits 8 to 15. */
#define ZKM_MODE_FLAGS(w) ((w) & 0xffu)
#define ZKM_MODE_LIMB(w) (((w) >> 8) & 0xffu)
unsigned zkm_net_mode(const zkm_net *n);
/* Threads for the curve arithmetic (commitments, openings); <= 1: one. */
void zkm_net_set_threads(zkm_net *n, int threads);

/* ----------------------------------------------------- model commitment */

typedef struct {
    double commit_s;    /* committing every weight and bias table */
    size_t zkc_bytes;
    uint64_t values;    /* weight and bias entries committed (padding included) */
    uint32_t tables;
} zkm_commit_stats;

/* Commit to the weights (set before): *zkc (malloc'd) is the public model
 * commitment file, *key (malloc'd) the owner's secret key file, which the
 * prover needs again (it derives the commitment's blindings).  The .zkc
 * records the format version, the circuit digest of the committed-weights
 * mode at this bit-width, and one Hyrax commitment per weight or bias
 * table; the key file the circuit digest, a digest of the quantized weights
 * (so proving with other weights fails early), 32 random bytes and a digest
 * of the .zkc (so a key from another commit run fails early).  The net's
 * mode is left alone.  stats may be NULL. */
zkm_status zkm_net_commit(zkm_net *n, uint8_t **zkc, size_t *zkc_len, uint8_t **key,
                          size_t *key_len, zkm_commit_stats *stats, zkm_err *e);

/* Read a .zkc for this model: ZKM_EFORMAT for malformed bytes (bad magic,
 * version, sizes, a point not on the curve, trailing bytes), ZKM_EREJECT if
 * it commits to another circuit.  Sets the mode's ZKM_NET_COMMITTED_WEIGHTS
 * flag. */
zkm_status zkm_net_load_commitment(zkm_net *n, const uint8_t *zkc, size_t len, zkm_err *e);
/* The prover's key for the loaded commitment: ZKM_EFORMAT if malformed,
 * ZKM_EINVAL if it belongs to another circuit, another .zkc or other
 * weights than those set. */
zkm_status zkm_net_load_key(zkm_net *n, const uint8_t *key, size_t len, zkm_err *e);

/* ------------------------------------------------------------- proving */

/* Called between phases of a long proof (phase "witness", "prove"; done out
 * of total units).  Library code never prints: the command draws the bar. */
typedef void (*zkm_progress_fn)(void *ctx, const char *phase, uint64_t done, uint64_t total);

typedef struct {
    double prove_s;       /* the whole call: witness_s + proof_s (and the file) */
    double witness_s;     /* integer inference and layer values             */
    double proof_s;       /* the GKR proof                                  */
    size_t proof_bytes;   /* the .zkp file                                  */
    size_t argument_bytes;/* of which the argument: all but the three below */
    size_t advice_bytes;  /* of which advice travelling in the clear        */
    size_t output_bytes;  /* of which the claimed output                    */
    size_t input_bytes;   /* of which the public model input                */
    size_t commit_bytes;  /* of the argument: commitments sent and opening   */
    double commit_s;      /* of proof_s: committing and the opening         */
    double *node_s;       /* the model's n_nodes entries (malloc'd: free
                             it): node_s[i] = the time spent proving the
                             computed layers node i lowers to           */
} zkm_prove_stats;

/* Prove the inference on in; *proof (malloc'd) is a whole .zkp file: a
 * header (magic, version, the circuit digest), the public input, the GKR
 * proof (which carries the output).  If out is not NULL, *out receives the
 * output as zkm_net_run gives it (computed by the same witness).  A value
 * out of range fails as in zkm_net_run, before any proving.  progress and
 * stats may be NULL. */
zkm_status zkm_net_prove(const zkm_net *n, const zkm_qinputs *in, zkm_progress_fn progress,
                         void *progress_ctx, uint8_t **proof, size_t *proof_len, int64_t **out,
                         zkm_prove_stats *stats, zkm_err *e);

typedef struct {
    double total_s;       /* everything the verifier computes, parsing included */
    double weights_eval_s;/* of which evaluating the public weights' extensions */
    double input_eval_s;  /* of which the model input's                         */
    double advice_eval_s; /* of which the advice's in the clear (bits, maxima)  */
    double commit_s;      /* of which the commitment opening's check             */
    size_t proof_bytes;
} zkm_verify_stats;

/* Verify a .zkp file against this net (model and public weights).
 * ZKM_OK: accepted, *out (if not NULL) = the proven output as in
 * zkm_net_run and, if in_out is not NULL, the public input it was proven on
 * (free with zkm_qinputs_free).  ZKM_EREJECT: the proof does not verify (the
 * reason in e).  ZKM_EFORMAT: the bytes are not a .zkp file for this
 * model (wrong magic, version, model, truncated, ...). */
/* The mode word a .zkp file was made in (ZKM_EFORMAT if it is not one):
 * the verifier builds its net with the same limb (zkm_net_init_ex) and sets
 * the same flags (zkm_net_set_mode, and for committed weights the model
 * commitment) before zkm_net_verify. */
zkm_status zkm_proof_mode(const uint8_t *proof, size_t proof_len, unsigned *mode, zkm_err *e);

zkm_status zkm_net_verify(const zkm_net *n, const uint8_t *proof, size_t proof_len,
                          int64_t **out, zkm_qinputs *in_out, zkm_verify_stats *stats,
                          zkm_err *e);

/* ---------------------------------------------------------- statistics */

typedef struct {
    uint32_t node;          /* model node                                  */
    uint32_t layers;        /* circuit layers it lowers to, inputs included */
    uint64_t ops;           /* gkr_layer_ops summed                        */
    uint64_t advice_values; /* advice entries                              */
    uint64_t advice_bits;   /* advice bits (values x width)                */
    uint64_t public_values; /* public input entries (weights, masks)       */
} zkm_node_stats;

/* One entry per model node (n_nodes of them), in node order. */
const zkm_node_stats *zkm_net_stats(const zkm_net *n);

#endif
