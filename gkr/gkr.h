/* GKR prover and verifier over the layered circuits of circuit.h.
 *
 * Protocol (one transcript, "zkm/gkr/v1"): absorb the circuit digest, every
 * public input layer (or a digest standing for it, gkr_digests), every
 * advice layer (sent in the proof) and the claimed output; draw a point z
 * and reduce the claim "output(z) = v" layer by layer, with "0 at a random
 * point" for each zero layer.  Each non-input layer combines the claims made
 * on it with random coefficients (one claim needs none) and runs its kind's
 * reduction, which ends in claims on the layers it reads.  Input layers,
 * public and advice, are finally checked by evaluating their multilinear
 * extension at each claimed point; the claims on committed layers are
 * proven together by one Hyrax opening (hyrax.h).  Commitments (the
 * caller's and those the prover sends) are absorbed with the statement,
 * after the advice and before the output.  Challenge input layers
 * (GKR_INPUT_CHALLENGE) are drawn next, in layer order, and the prover
 * computes the layers that depend on them only then.
 *
 * gkr_eval, gkr_prove and gkr_verify each run gkr_circuit_check first and
 * fail with ZKM_EINVAL on a malformed circuit. */
#ifndef ZKM_GKR_H
#define ZKM_GKR_H

#include <stddef.h>
#include <stdint.h>

#include "circuit.h"
#include "hyrax.h"
#include "proof.h"

/* Fill values[i] for every non-input layer of a circuit, given
 * values[i] (2^nvars entries, caller-owned) for every input layer, public or
 * advice.  Arrays
 * it allocates are released by gkr_values_free. */
zkm_status gkr_eval(const gkr_circuit *c, fr **values, zkm_err *e);
/* out (2^nvars entries, zeroed by the caller) = the values of non-input
 * layer li computed from the layers it reads (values[j], j > li). */
zkm_status gkr_eval_layer(const gkr_circuit *c, uint32_t li, fr *const *values, fr *out,
                          zkm_err *e);
/* Free values[i] for the non-input layers and set them to NULL. */
void gkr_values_free(const gkr_circuit *c, fr **values);

typedef struct {
    double total_s;        /* whole call                                      */
    double input_eval_s;   /* verifier: absorbing and evaluating the input
                              layers, public and advice                        */
    size_t proof_bytes;    /* the whole proof                                 */
    size_t output_bytes;   /* of which the claimed output's section           */
    size_t advice_bytes;   /* of which advice sections (headers included)     */
    size_t commit_bytes;   /* of which commitments sent and their opening     */
    double commit_s;       /* prover: committing the layers it sends and
                              opening every committed layer; verifier: the
                              opening's check                                  */
} gkr_stats;

/* Public input digests: digests[i], when digests and digests[i] are not
 * NULL, is absorbed into the transcript in place of public input layer i's
 * values (32 bytes).  The caller must make it a binding commitment to
 * exactly those values (a hash of what they are computed from), the same
 * on both sides; it saves hashing large public tables (weights) at every
 * proof.  Other layers' entries are ignored. */
typedef const uint8_t *const *gkr_digests;

/* Prover options: progress(ctx, done, total) after each proven layer;
 * for each external committed layer i, coms[i] its commitment and
 * blinds[i] its row blindings (coms and blinds may be NULL if there is no
 * such layer); threads for the curve arithmetic (<= 1: one); hiding: the
 * commitments the prover sends get random blindings (else none: they are
 * then binding but not hiding, which costs nothing when the proof reveals
 * linear combinations of the same values anyway, outside zero knowledge). */
typedef struct {
    void (*progress)(void *ctx, uint32_t done, uint32_t total);
    void *ctx;
    gkr_digests digests;
    const hyrax_com *const *coms;
    const fr *const *blinds;
    int threads;
    int hiding;
    int zk; /* zero knowledge (zk.h): implies hiding; no advice in the clear */
    double *layer_s; /* if not NULL (c->n_layers entries, the caller's):
                        layer_s[i] += the time spent proving computed layer
                        i (its sum-checks and zero-knowledge relations) */
} gkr_prove_opts;

/* Prove that values (as filled by gkr_eval) are the circuit's evaluation
 * and that every zero layer is zero.  Advice layers' values travel in the
 * proof.  The layers that depend on a challenge layer (and the challenge
 * layers' single values) are overwritten once the challenges are drawn:
 * their tables must be allocated, their contents are ignored.  Fails with ZKM_EINVAL if a zero layer is not zero (checked before
 * proving) or an advice value does not fit its width (found when the proof
 * is encoded, after the proving work).
 * Fails with ZKM_EINVAL if an external committed layer has no commitment
 * in o or one of another shape.
 * Writes a fresh malloc'd proof to *proof / *proof_len.  stats may be NULL. */
zkm_status gkr_prove(const gkr_circuit *c, fr *const *values, uint8_t **proof,
                     size_t *proof_len, gkr_stats *stats, zkm_err *e);
/* The same with options (o may be NULL). */
zkm_status gkr_prove_ex(const gkr_circuit *c, fr *const *values, const gkr_prove_opts *o,
                        uint8_t **proof, size_t *proof_len, gkr_stats *stats, zkm_err *e);

/* Verify proof bytes for a circuit whose public input layers hold
 * inputs[i] (entries for other layers, advice and challenges included, are
 * ignored and may be NULL).
 * Returns ZKM_OK if the proof is accepted; ZKM_EFORMAT if the bytes are
 * malformed; ZKM_EREJECT with the reason if the proof does not verify.  On
 * acceptance, if output is not NULL, *output receives a malloc'd copy of the
 * proven output (2^nvars of layer 0).  stats may be NULL. */
zkm_status gkr_verify(const gkr_circuit *c, fr *const *inputs, const uint8_t *proof,
                      size_t proof_len, fr **output, gkr_stats *stats, zkm_err *e);
/* Verifier options: if layer_s is not NULL (c->n_layers entries, the
 * caller's), layer_s[i] += the time spent on input layer i (absorbing it
 * into the transcript and evaluating it at its claims); digests, coms
 * (external commitments) and threads as for the prover. */
typedef struct {
    double *layer_s;
    gkr_digests digests;
    const hyrax_com *const *coms;
    int threads;
    int zk; /* the proof is zero-knowledge */
} gkr_verify_opts;

zkm_status gkr_verify_ex(const gkr_circuit *c, fr *const *inputs, const uint8_t *proof,
                         size_t proof_len, fr **output, gkr_stats *stats,
                         const gkr_verify_opts *o, zkm_err *e);

#endif
