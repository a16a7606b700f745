/* The BN254 G1 group: points of y^2 = x^3 + 3 over F_p,
 *   p = 21888242871839275222246405745257275088696311157297823662689037894645226208583,
 * a group of prime order r (the modulus of fr.h; cofactor 1), so scalars
 * are fr elements and every curve point is in the group.
 *
 * Affine points use (0, 0) for the point at infinity (it is not on the
 * curve: 0 != 3).  Jacobian points (X, Y, Z) stand for (X/Z^2, Y/Z^3); Z = 0
 * is infinity.  Every operation allows its output to alias its inputs.
 * Functions ending in _var branch on their inputs (use them on public
 * values); g1_mul does not. */
#ifndef ZKM_G1_H
#define ZKM_G1_H

#include <stddef.h>
#include <stdint.h>

#include "fq.h"
#include "fr.h"

typedef struct {
    fq x, y;
} g1_affine;

typedef struct {
    fq x, y, z;
} g1_jac;

/* Compressed encoding: x as 32 little-endian bytes (x < p < 2^254), with
 * bit 7 of byte 31 set to y's parity (of the integer y in [0, p)); infinity
 * is bit 6 of byte 31 set and every other bit zero. */
#define G1_BYTES 32
/* Uncompressed: x then y, 32 little-endian bytes each; infinity is 64 zero
 * bytes (for files read often, where a square root per point would cost). */
#define G1_RAW_BYTES 64

void g1_generator(g1_affine *out);           /* (1, 2) */
void g1_affine_infinity(g1_affine *out);
/* Inline: the MSM's rounds test every pair. */
static inline int g1_affine_is_infinity(const g1_affine *a)
{
    return fq_is_zero(&a->x) & fq_is_zero(&a->y);
}
int g1_affine_on_curve(const g1_affine *a);  /* infinity counts as on it */
int g1_affine_eq(const g1_affine *a, const g1_affine *b);

void g1_set_infinity(g1_jac *out);
int g1_is_infinity(const g1_jac *a);
void g1_from_affine(g1_jac *out, const g1_affine *a);
/* One inversion. */
void g1_to_affine(g1_affine *out, const g1_jac *a);
/* out[i] = in[i] for i < n with one inversion in all; scratch holds n fq
 * elements owned by the caller (aliasing neither out nor in), and out must
 * not overlap in. */
void g1_batch_to_affine(g1_affine *out, const g1_jac *in, size_t n, fq *scratch);
/* g1_batch_to_affine for points whose Z may depend on secrets, in under
 * half its time: the product of the Z's is multiplied by a random non-zero
 * rho (libsodium's randombytes_buf) before a variable-time inversion
 * (fq_inv_var), so that the inversion's timing reveals nothing, then by rho
 * again.  Same contract and results (infinity included). */
void g1_batch_to_affine_blinded(g1_affine *out, const g1_jac *in, size_t n, fq *scratch);
/* Equality of the points represented (cross-multiplied, no inversion). */
int g1_eq(const g1_jac *a, const g1_jac *b);

void g1_neg(g1_jac *out, const g1_jac *a);
void g1_dbl(g1_jac *out, const g1_jac *a);
/* Complete: handles infinity and a == b (doubling) and a == -b, without a
 * branch (the doubling is computed every time and selected: about 1.5
 * times the time of g1_add_var in zkm-bench g1). */
void g1_add(g1_jac *out, const g1_jac *a, const g1_jac *b);
/* a + b for a != b (a = -b, or either infinity, still handled; a == b
 * gives infinity, not 2a): constant time, no doubling computed.  For a
 * fixed-base comb, whose partial sums never equal the next entry. */
void g1_add_mixed_distinct(g1_jac *out, const g1_jac *a, const g1_affine *b);
/* Complete additions as g1_add (the second with b affine) that branch on
 * the special cases: for public points (the verifier, commitments, the
 * buckets of g1_msm_var). */
void g1_add_var(g1_jac *out, const g1_jac *a, const g1_jac *b);
void g1_add_mixed_var(g1_jac *out, const g1_jac *a, const g1_affine *b);
/* out = k * a, for secret k: a fixed sequence of operations for every k. */
void g1_mul(g1_jac *out, const g1_jac *a, const fr *k);

void g1_to_bytes(uint8_t out[G1_BYTES], const g1_affine *a);
/* Returns 1 and sets out, or 0 (out set to infinity) if the bytes are not
 * the canonical encoding of a curve point: x >= p, x^3 + 3 not a square,
 * infinity with other bits set, or bit 6 set with bit 7. */
int g1_from_bytes_var(g1_affine *out, const uint8_t in[G1_BYTES]);
/* g1_from_bytes_var of n encodings, in[G1_BYTES * i ..] into out[i] (each
 * rejected one set to infinity); returns the index of the first rejected,
 * or n if none is.  The square roots in batches of up to 32
 * (fq_sqrt_many_var), on `threads` OpenMP threads (<= 1: the calling
 * thread): for the point sections of a proof. */
size_t g1_from_bytes_many_var(g1_affine *out, const uint8_t *in, size_t n, int threads);
void g1_to_bytes_raw(uint8_t out[G1_RAW_BYTES], const g1_affine *a);
/* Returns 1, or 0 (out infinity) unless x, y < p and the point is on the
 * curve or is the all-zero infinity. */
int g1_from_bytes_raw(g1_affine *out, const uint8_t in[G1_RAW_BYTES]);

/* Nothing-up-my-sleeve generators: out[i] for i < n is the point hashed
 * from (label, first + i), by try-and-increment over BLAKE2b: the x
 * candidate is a 64-byte hash of the label, index and counter reduced mod
 * p; the first candidate with x^3 + 3 a square gives the point, y's parity
 * from one more hash bit (g1.c documents the exact bytes hashed).  No one
 * knows a discrete-log relation between any two of them.  Not constant
 * time (labels are public). */
void g1_hash_generators(g1_affine *out, size_t n, const char *label, uint64_t first);

#endif
