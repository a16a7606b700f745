/* Helpers shared by the test programs: a seeded deterministic generator
 * (zkm_rng) whose seed is printed, so any failure can be replayed with
 * ZKM_TEST_SEED=<seed>; and random circuits of every layer kind. */
#ifndef ZKM_TESTUTIL_H
#define ZKM_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "circuit.h"
#include "gkr_kind.h"
#include "fr.h"
#include "zkm_rng.h"

typedef zkm_rng tu_rng;

/* The seed for this run: ZKM_TEST_SEED if set, else fresh randomness.  Prints
 * "# <program>: seed <n> (replay with ZKM_TEST_SEED=<n>)". */
uint64_t tu_seed(const char *program);

static inline void tu_rng_init(tu_rng *g, uint64_t seed) { zkm_rng_init(g, seed, "test"); }
static inline void tu_bytes(tu_rng *g, void *out, size_t n) { zkm_rng_bytes(g, out, n); }
static inline uint64_t tu_u64(tu_rng *g) { return zkm_rng_u64(g); }
static inline uint64_t tu_below(tu_rng *g, uint64_t n) { return zkm_rng_below(g, n); }
/* uniform field element */
void tu_fr(tu_rng *g, fr *out);
/* small field element in [-bound, bound] */
void tu_fr_small(tu_rng *g, fr *out, int64_t bound);

/* Raw Montgomery limbs, each below the modulus m (little-endian limbs, m
 * odd and below 2^254), at the edges of a Montgomery squaring: zero and
 * single words, all-ones words, the top bits of the words the square
 * doubles, m - 1 and its neighbours, and values whose 512-bit square has
 * its low half 0 or just below 2^256 (the reduction's quotient smallest or
 * largest).  Writes at most max; returns how many. */
size_t tu_sqr_edges(uint64_t (*out)[4], size_t max, const uint64_t m[4]);

/* Kinds a random circuit may use (bit 1 << gkr_kind). */
#define TU_KINDS_ALL ((1u << GKR_GENERIC) | (1u << GKR_ELTWISE) | (1u << GKR_MATMUL))

/* A random checked circuit with `depth` computed layers (kinds drawn from
 * `kinds`, layer sizes 2^1..2^max_nvars, layers reading any lower layer
 * through full, block and zero-extended views) over one or two public input
 * layers, and random input values (*inputs: array of n_layers pointers,
 * non-NULL for input layers; free with tu_inputs_free).  Aborts on failure. */
void tu_random_circuit(tu_rng *g, gkr_circuit *c, fr ***inputs, uint32_t depth,
                       uint32_t max_nvars, unsigned kinds);
void tu_inputs_free(const gkr_circuit *c, fr **inputs);

/* A circuit with its inputs, evaluated layers, honest proof and digest. */
typedef struct {
    const char *name;
    gkr_circuit c;
    fr **vals;          /* inputs (owned by the builder) and evaluated layers */
    int demo;           /* inputs from gkr_sample_demo, not tu_random_circuit */
    uint8_t *proof;
    size_t len;
    uint8_t digest[GKR_DIGEST_BYTES];
} tu_fixture;

/* Evaluate f's circuit, prove it and record its digest; fails the running
 * cmocka test on any error. */
void tu_fixture_prove(tu_fixture *f);
/* Release everything f holds and zero it (a zeroed fixture is a no-op). */
void tu_fixture_free(tu_fixture *f);

/* A checked circuit with advice input layers of every packed encoding and
 * zero layers: the bit-decomposition range check of test_gkr.c grown so that
 * advice sections sit between computed layers' sections.  With N = nvars:
 *   0  out    eltwise 2^N: x*x + s + t + r            (r is zero: read, yet
 *                                                     a zero layer)
 *   1  bool   eltwise 2^(N+2), GKR_LAYER_ZERO: b*b - b over the bits layer
 *   2  s      advice GKR_ENC_SINT, random width 2..64, random length 0..2^N
 *   3  r      eltwise 2^N, GKR_LAYER_ZERO: x - sum_{i<3} 2^i plane_i, plane
 *             i the block [i*2^N, (i+1)*2^N) of the bits layer
 *   4  t      eltwise 2^N: u*u
 *   5  x      public input, 2^N values in [0, 8)
 *   6  bits   advice GKR_ENC_UINT of width bits_width (>= 1), length 3*2^N:
 *             the three bit planes of x (the fourth block is zero)
 *   7  u      advice GKR_ENC_UINT, random width 1..63, random length 0..2^N
 * Advice values are random in their range (extremes included), zero past
 * their length.  *inputs as for tu_random_circuit (every input layer, advice
 * included, has its 2^nvars values; free with tu_inputs_free); the caller
 * runs gkr_eval.  Aborts on failure. */
enum {
    TU_ADV_OUT = 0, TU_ADV_BOOL, TU_ADV_S, TU_ADV_R, TU_ADV_T, TU_ADV_X, TU_ADV_BITS, TU_ADV_U,
    TU_ADV_LAYERS
};
#define TU_ADV_PLANES 3u
void tu_advice_circuit(tu_rng *g, gkr_circuit *c, fr ***inputs, uint32_t nvars,
                       unsigned bits_width);

/* Append a claim in the clear to cl (for replicas of gkr_prove's driver;
 * room for exactly the claims made, as the kinds' own bookkeeping grows
 * the arrays when full).  Aborts on failure. */
void tu_claim_push(gkr_claims *cl, const fr *point, const fr *value);

#endif
