/* A seeded deterministic byte stream: libsodium's
 * randombytes_buf_deterministic (ChaCha20) keyed by BLAKE2b(seed, block
 * number).  For reproducible sample circuits, test data and seeded weights;
 * never for secrets (blinding uses randombytes_buf). */
#ifndef ZKM_RNG_H
#define ZKM_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t key[32];
    uint64_t block;
    uint8_t buf[1024];
    size_t pos;
} zkm_rng;

/* Same seed and domain, same stream.  domain separates independent streams
 * drawn from one user seed (e.g. "weights", "input"); NULL means "". */
void zkm_rng_init(zkm_rng *g, uint64_t seed, const char *domain);
void zkm_rng_bytes(zkm_rng *g, void *out, size_t n);
uint64_t zkm_rng_u64(zkm_rng *g);
/* Uniform in [0, n) for n > 0, without modulo bias. */
uint64_t zkm_rng_below(zkm_rng *g, uint64_t n);

#endif
