/* Sum-check for a sum of products of multilinear tables:
 *
 *   P(x) = sum_t coef[t] * prod_{j in term t} T_j(x),   claim = sum_{x in {0,1}^n} P(x)
 *
 * Round k sends the round polynomial p_k (degree d = the longest term) as its
 * values at 0, 2, 3, ..., d; the verifier recovers p_k(1) = claim - p_k(0).
 * Each message is absorbed into the transcript before the round's challenge
 * r_k is drawn.  The prover folds every table once per round, so its cost
 * is linear in the table length (about (d + 1) * 2^n multiplies per
 * factor of each term). */
#ifndef ZKM_SUMCHECK_H
#define ZKM_SUMCHECK_H

#include "fr.h"
#include "proof.h"
#include "transcript.h"
#include "zk.h"
#include "zkm_err.h"

#define SC_MAX_DEGREE 8

typedef struct {
    unsigned n_tables;
    fr **tables;               /* each of 2^nvars entries; folded in place    */
    unsigned n_terms;
    const fr *coef;            /* n_terms coefficients; NULL means all 1       */
    const unsigned *term_start;/* n_terms + 1 offsets into factors             */
    const unsigned *factors;   /* table index of each factor                   */
} sc_poly;

/* Longest term of p, at least 1: the degree of the round polynomials. */
unsigned sc_degree(const sc_poly *p);

/* Run the prover over n variables, appending n * degree elements to out and
 * writing the challenges to r[0..n-1].  On return tables[j][0] = T_j(r).
 * Fails only on allocation failure or a degree above SC_MAX_DEGREE. */
zkm_status sc_prove(sc_poly *p, unsigned nvars, zk_chan *ch, fr *r, zkm_err *e);

/* sc_prove for the polynomial W * P, where W = scale * eq(z, .) (z: nvars
 * coordinates) is a factor of every term and p describes P: rounds of
 * degree 1 + the longest term of p (a term may have no factors).  claim
 * must be the true sum over the cube of W * P.  Sends the same messages,
 * draws the same challenges and leaves the same tables[j][0] = T_j(r) as
 * sc_prove on p with a table for W multiplied into every term, but never
 * builds nor folds W (the eq factor of each round is split off, and one
 * value per round comes from the claim), and when p has a single table
 * whose entries are all 0 or 1 (booleanity), its first rounds cost
 * additions only.  Fails only on allocation failure or a degree above
 * SC_MAX_DEGREE. */
zkm_status sc_prove_eq(sc_poly *p, const fr *z, const fr *scale, const fr *claim,
                       unsigned nvars, zk_chan *ch, fr *r, zkm_err *e);

/* The bucketed rounds of sc_prove_eq over a 0/1 table. */
#define SC_BOOL_ROUNDS 3

/* sc_prove_eq when p has one table of 0/1 entries, given as bits (entry i
 * is bit i % 64 of bits[i / 64], mle_bits), so the caller need not copy it:
 * tables[0] only receives the table after SC_BOOL_ROUNDS folds, 2^(nvars -
 * SC_BOOL_ROUNDS) entries, and holds T(r) at [0] on return.  Needs nvars >
 * SC_BOOL_ROUNDS (else ZKM_EINVAL). */
zkm_status sc_prove_eq_bits(sc_poly *p, const uint64_t *bits, const fr *z, const fr *scale,
                            const fr *claim, unsigned nvars, zk_chan *ch, fr *r, zkm_err *e);

/* Verify n rounds of a degree-`degree` sum-check.  *claim holds the claimed
 * sum on entry and, on success, the value P(r) the caller must check against
 * the final evaluations.  Returns ZKM_EREJECT if the messages run out. */
zkm_status sc_verify(unsigned nvars, unsigned degree, fr *claim, transcript *t,
                     fr_cursor *in, fr *r, zkm_err *e);

/* sc_verify over a channel (zk.h), the claim a linear form: in the clear
 * it reads and absorbs exactly what sc_verify does; in zero knowledge the
 * rounds are masked (zk_chan_mask): they are read in the clear, after the
 * mask's rows, the mask's sum over the cube is added to the claim first and
 * its value at r taken from it last, so the claim ends a form over hidden
 * values.  (Without a mask, while zk_finish proves the rows, each round
 * value is a hidden value of its own.) */
zkm_status sc_verify_forms(zk_chan *ch, unsigned nvars, unsigned degree, zk_form *claim, fr *r,
                           zkm_err *e);

/* out = p(x) for the polynomial of degree d with values vals[0..d] at 0..d. */
void sc_interpolate(fr *out, const fr *vals, unsigned d, const fr *x);

#endif
