/* Helpers shared by the test programs: a seeded deterministic generator
 * (libsodium's randombytes_buf_deterministic) whose seed is printed, so any
 * failure can be replayed with ZKM_TEST_SEED=<seed>. */
#ifndef ZKM_TESTUTIL_H
#define ZKM_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "fr.h"

typedef struct {
    uint8_t key[32];
    uint64_t block;
    uint8_t buf[1024];
    size_t pos;
} tu_rng;

/* The seed for this run: ZKM_TEST_SEED if set, else fresh randomness.  Prints
 * "# <program>: seed <n> (replay with ZKM_TEST_SEED=<n>)" once. */
uint64_t tu_seed(const char *program);

void tu_rng_init(tu_rng *g, uint64_t seed);
void tu_bytes(tu_rng *g, void *out, size_t n);
uint64_t tu_u64(tu_rng *g);
/* uniform in [0, n) for n > 0 */
uint64_t tu_below(tu_rng *g, uint64_t n);
/* uniform field element */
void tu_fr(tu_rng *g, fr *out);

#endif
