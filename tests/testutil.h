/* Helpers shared by the test programs: a seeded deterministic generator
 * (zkm_rng) whose seed is printed, so any failure can be replayed with
 * ZKM_TEST_SEED=<seed>; and random circuits of every layer kind. */
#ifndef ZKM_TESTUTIL_H
#define ZKM_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "circuit.h"
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

#endif
