/* The BN254 scalar field F_r,
 *   r = 21888242871839275222246405745257275088548364400416034343698204186575808495617
 * (254 bits), the order of the BN254 G1 group.
 *
 * An fr holds a field element in Montgomery form (a * 2^256 mod r) over four
 * little-endian 64-bit limbs, always fully reduced (< r), so two equal
 * elements have equal limbs and fr_eq is a limb compare.
 *
 * Every operation allows its output to alias its inputs.  Arithmetic is
 * branch-free on the values (constant time) except where the name ends in
 * _var.  Hot operations are inline, in fr_impl.h. */
#ifndef ZKM_FR_H
#define ZKM_FR_H

#include <stddef.h>
#include <stdint.h>
#include <gmp.h>

typedef struct {
    uint64_t v[4];
} fr;

#define FR_BYTES 32

/* out = 0, 1, or the element represented by the integer x. */
static inline void fr_set_zero(fr *out);
static inline void fr_set_one(fr *out);
void fr_set_u64(fr *out, uint64_t x);
void fr_set_i64(fr *out, int64_t x);          /* negative x gives r - |x| */

static inline int fr_is_zero(const fr *a);
static inline int fr_eq(const fr *a, const fr *b);

static inline void fr_add(fr *out, const fr *a, const fr *b);
static inline void fr_sub(fr *out, const fr *a, const fr *b);
static inline void fr_neg(fr *out, const fr *a);
static inline void fr_dbl(fr *out, const fr *a);
static inline void fr_mul(fr *out, const fr *a, const fr *b);
static inline void fr_sqr(fr *out, const fr *a);

/* out = a^-1; the inverse of 0 is defined as 0.  Not constant time. */
void fr_inv_var(fr *out, const fr *a);

/* out[i] = in[i]^-1 for i < n with one inversion (Montgomery's trick); zero
 * entries map to zero.  scratch holds n elements owned by the caller; out may
 * equal in, scratch must not alias either. */
void fr_batch_inv_var(fr *out, const fr *in, size_t n, fr *scratch);

/* out = a^e for the 256-bit exponent e (little-endian limbs). */
void fr_pow(fr *out, const fr *a, const uint64_t e[4]);

/* out = x mod r for any integer x (negative values wrap). */
void fr_from_mpz(fr *out, const mpz_t x);
/* x = the integer in [0, r) that a represents. */
void fr_to_mpz(mpz_t x, const fr *a);
/* x = r */
void fr_modulus_mpz(mpz_t x);

/* Canonical encoding: the integer in [0, r), 32 bytes little-endian. */
void fr_to_bytes(uint8_t out[FR_BYTES], const fr *a);
/* Decode; returns 1 on success, 0 (leaving out zero) if the value is >= r. */
int fr_from_bytes(fr *out, const uint8_t in[FR_BYTES]);

/* out = the element whose standard (non-Montgomery) limbs are x[0..3] reduced
 * mod r, and the reverse.  x may be any 256-bit value. */
void fr_from_limbs(fr *out, const uint64_t x[4]);
void fr_to_limbs(uint64_t x[4], const fr *a);

/* out = (lo + hi * 2^256) mod r from 512 little-endian bits: the way
 * challenges are drawn, with statistical distance < 2^-250 from uniform. */
void fr_from_wide(fr *out, const uint8_t in[64]);

#include "fr_impl.h"

#endif
