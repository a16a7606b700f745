#include "zkm_rng.h"

#include <string.h>
#include <sodium.h>

static void refill(zkm_rng *g)
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

void zkm_rng_init(zkm_rng *g, uint64_t seed, const char *domain)
{
    crypto_generichash_state h;
    uint8_t s[8];
    for (int i = 0; i < 8; i++)
        s[i] = (uint8_t)(seed >> (8 * i));
    crypto_generichash_init(&h, NULL, 0, sizeof g->key);
    crypto_generichash_update(&h, (const uint8_t *)"zkm/rng/v1", 10);
    crypto_generichash_update(&h, s, sizeof s);
    if (domain)
        crypto_generichash_update(&h, (const uint8_t *)domain, strlen(domain));
    crypto_generichash_final(&h, g->key, sizeof g->key);
    g->block = 0;
    refill(g);
}

void zkm_rng_bytes(zkm_rng *g, void *out, size_t n)
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

uint64_t zkm_rng_u64(zkm_rng *g)
{
    uint8_t b[8];
    uint64_t x = 0;
    zkm_rng_bytes(g, b, 8);
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)b[i] << (8 * i);
    return x;
}

uint64_t zkm_rng_below(zkm_rng *g, uint64_t n)
{
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do
        x = zkm_rng_u64(g);
    while (x >= lim);
    return x % n;
}
