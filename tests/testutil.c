#include "testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

uint64_t tu_seed(const char *program)
{
    const char *env = getenv("ZKM_TEST_SEED");
    uint64_t seed;
    if (sodium_init() < 0) {
        fprintf(stderr, "sodium_init failed\n");
        abort();
    }
    if (env && *env)
        seed = strtoull(env, NULL, 10);
    else
        seed = ((uint64_t)randombytes_random() << 32) | randombytes_random();
    printf("# %s: seed %" PRIu64 " (replay with ZKM_TEST_SEED=%" PRIu64 ")\n", program,
           seed, seed);
    fflush(stdout);
    return seed;
}

static void refill(tu_rng *g)
{
    uint8_t seed[randombytes_SEEDBYTES];
    uint8_t msg[8];
    for (int i = 0; i < 8; i++)
        msg[i] = (uint8_t)(g->block >> (8 * i));
    crypto_generichash(seed, sizeof seed, msg, sizeof msg, g->key, sizeof g->key);
    randombytes_buf_deterministic(g->buf, sizeof g->buf, seed);
    g->block++;
    g->pos = 0;
}

void tu_rng_init(tu_rng *g, uint64_t seed)
{
    uint8_t s[8];
    for (int i = 0; i < 8; i++)
        s[i] = (uint8_t)(seed >> (8 * i));
    crypto_generichash(g->key, sizeof g->key, s, sizeof s, NULL, 0);
    g->block = 0;
    refill(g);
}

void tu_bytes(tu_rng *g, void *out, size_t n)
{
    uint8_t *o = out;
    while (n) {
        if (g->pos == sizeof g->buf)
            refill(g);
        size_t k = sizeof g->buf - g->pos;
        if (k > n)
            k = n;
        memcpy(o, g->buf + g->pos, k);
        g->pos += k;
        o += k;
        n -= k;
    }
}

uint64_t tu_u64(tu_rng *g)
{
    uint8_t b[8];
    uint64_t x = 0;
    tu_bytes(g, b, 8);
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)b[i] << (8 * i);
    return x;
}

uint64_t tu_below(tu_rng *g, uint64_t n)
{
    /* rejection sampling: no modulo bias */
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = tu_u64(g);
    while (x >= lim);
    return x % n;
}

void tu_fr(tu_rng *g, fr *out)
{
    uint8_t w[64];
    tu_bytes(g, w, sizeof w);
    fr_from_wide(out, w);
}
