/* Hyrax polynomial commitments over BN254 G1, and one batched opening of
 * any number of claims on any number of committed tables.
 *
 * Layout.  A table of 2^n entries is a matrix of 2^b columns (index bits
 * x_0 .. x_{b-1}, the low variables of mle.h) and 2^(n-b) rows (x_b ..); a
 * table shorter than a row is zero-extended to one row.  Row i is committed
 * as the Pedersen vector commitment
 *     C_i = sum_j T[i, j] G_j + beta_i H
 * with public generators G_j, H (hyrax_generators) and a blinding beta_i
 * that hides the row.  b is one number for every table opened together
 * (the circuit fixes it), at most HYRAX_MAX_COL_VARS.
 *
 * Opening.  A claim says T_c(z) = v for table c and point z.  Split z into
 * its row part z_r and column part z_c: then v = <u, eq(z_c)> where
 * u = eq(z_r)^T T_c is the row combination, whose commitment the verifier
 * forms from the row commitments alone.  For K claims (transcript
 * "hyrax/..." labels):
 *   1. draw rho_k; sum-check over the b column variables of
 *        sum_j sum_k rho_k u_k(j) eq(z_c,k, j) = sum_k rho_k v_k
 *      (degree 2), ending at a column point s;
 *   2. the sum-check's last claim, sum_k rho_k eq(z_c,k, s) u_k(s), is
 *      <u*, eq(s)> for the vector u* = sum_k gamma_k u_k with public
 *      weights gamma_k = rho_k eq(z_c,k, s), whose commitment is the sum
 *      over tables and rows of (sum_k gamma_k eq(z_r,k, row)) C_row: no
 *      value per claim need be sent;
 *   3. a Bulletproofs-style inner-product argument proves that: b rounds of
 *      two blinded points (L, R), then the folded scalar and blinding.
 * The verifier's work is one multi-scalar multiplication over every row
 * commitment, 2^b generators and 2b round points, plus O(K 2^b) field
 * operations: the square root of the committed length, not the length.
 *
 * Not zero knowledge by itself: the sum-check's messages and the final
 * scalar are linear combinations of committed values.  Blindings come from libsodium's
 * CSPRNG (hyrax_random_blinds) or from the caller. */
#ifndef ZKM_HYRAX_H
#define ZKM_HYRAX_H

#include <stddef.h>
#include <stdint.h>

#include "fr.h"
#include "g1.h"
#include "proof.h"
#include "transcript.h"
#include "zk.h"
#include "zkm_err.h"

#define HYRAX_MAX_COL_VARS 13u
#define HYRAX_N_GENERATORS ((size_t)1 << HYRAX_MAX_COL_VARS)

/* The public generators, derived with g1_hash_generators: G_j =
 * (label "zkm/hyrax/G", index j), H = ("zkm/hyrax/H", 0), U = ("zkm/hyrax/U",
 * 0).  A table built into the library (computed at build time by the same
 * derivation; tests compare the two). */
typedef struct {
    const g1_affine *G; /* HYRAX_N_GENERATORS */
    const g1_affine *H, *U;
} hyrax_gens;

void hyrax_generators(hyrax_gens *out);

/* The column count for tables of at most 2^nvars entries: a little under
 * the square root, b = floor(nvars / 2) clamped to [1, HYRAX_MAX_COL_VARS]. */
uint32_t hyrax_col_vars_for(uint32_t nvars);

/* Rows of a 2^nvars table with 2^col_vars columns: 2^(nvars - col_vars),
 * or 1 if the table is shorter than a row. */
size_t hyrax_rows(uint32_t nvars, uint32_t col_vars);

typedef struct {
    uint32_t nvars, col_vars;
    size_t n_rows;
    g1_affine *rows;
} hyrax_com;

/* Commit to table (2^nvars entries) with the given blinds (n_rows).
 * threads as for g1_msm_var. */
zkm_status hyrax_commit(hyrax_com *out, const fr *table, uint32_t nvars, uint32_t col_vars,
                        const fr *blinds, int threads, zkm_err *e);
/* Allocate out->rows for n_rows points (to be decoded into). */
zkm_status hyrax_com_alloc(hyrax_com *out, uint32_t nvars, uint32_t col_vars, zkm_err *e);
void hyrax_com_free(hyrax_com *c);

/* n fresh uniformly random field elements from libsodium's CSPRNG. */
void hyrax_random_blinds(fr *out, size_t n);

/* A claim: table `table` (an index into the caller's arrays) at point
 * (the table's nvars coordinates, x_0 first) has value `value` (in zero
 * knowledge: hidden value number hid of the channel's context, or value
 * when hid is ZK_NONE). */
typedef struct {
    uint32_t table;
    const fr *point;
    fr value;
    uint32_t hid;
} hyrax_claim;

/* The prover's view of one committed table. */
typedef struct {
    const hyrax_com *com;
    const fr *values; /* 2^com->nvars */
    const fr *blinds; /* com->n_rows  */
} hyrax_table;

/* Prove every claim (each true of its table: not checked).  Every table
 * must share col_vars.  Appends field elements to msgs and round points to
 * pts; the transcript must already hold the commitments and the claims'
 * values (the caller's protocol absorbed them).  n_claims may be 0 (then
 * nothing is sent). */
zkm_status hyrax_open_prove(transcript *tr, const hyrax_table *tables, size_t n_tables,
                            const hyrax_claim *claims, size_t n_claims, fr_vec *msgs,
                            g1_vec *pts, int threads, zkm_err *e);

/* Verify: ZKM_OK if every claim holds of its committed table, ZKM_EREJECT
 * with the reason otherwise (including messages running out).  Leaves the
 * cursors past what it read; the caller checks they are exhausted. */
zkm_status hyrax_open_verify(transcript *tr, const hyrax_com *const *coms, size_t n_tables,
                             const hyrax_claim *claims, size_t n_claims, fr_cursor *msgs,
                             g1_cursor *pts, int threads, zkm_err *e);

/* Zero knowledge (zk.h): the same opening with every value hidden.  The
 * column sum-check's messages are hidden values, its last claim is sent as
 * one more (t, which the argument then proves in its place: the round
 * values may only appear in equalities, zk.h), the closing equation is
 * recorded on the channel (and flushed), and the
 * inner-product argument ends, instead of sending the folded scalar a and
 * blinding beta, with a proof of knowledge of them: A = d (G' + b' x U) +
 * s H, challenge e, answers z1 = d + e a, z2 = s + e beta.  The verifier's
 * equation (everything the argument folds, with a random weight) joins the
 * channel's final check (zk_finish), so its points cost no separate
 * multi-scalar multiplication. */
zkm_status hyrax_open_prove_zk(zk_chan *ch, const hyrax_table *tables, size_t n_tables,
                               const hyrax_claim *claims, size_t n_claims, int threads,
                               zkm_err *e);
zkm_status hyrax_open_verify_zk(zk_chan *ch, const hyrax_com *const *coms, size_t n_tables,
                                const hyrax_claim *claims, size_t n_claims, int threads,
                                zkm_err *e);

/* Absorb a commitment's rows (compressed encodings) under label. */
void hyrax_absorb_com(transcript *tr, const char *label, const hyrax_com *c);

#endif
