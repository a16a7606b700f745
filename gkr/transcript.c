#include "transcript.h"

#include <string.h>

enum { TR_BYTES = 1, TR_U64 = 2, TR_FRS = 3, TR_CHALLENGE = 4, TR_INIT = 5 };

static void put_le(uint8_t *out, uint64_t x, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (uint8_t)(x >> (8 * i));
}

/* kind | label length | label | data length */
static void frame(transcript *t, int kind, const char *label, uint64_t data_len)
{
    uint8_t hdr[1 + 4];
    size_t ll = strlen(label);
    uint8_t dl[8];
    hdr[0] = (uint8_t)kind;
    put_le(hdr + 1, ll, 4);
    crypto_generichash_update(&t->h, hdr, sizeof hdr);
    crypto_generichash_update(&t->h, (const uint8_t *)label, ll);
    put_le(dl, data_len, 8);
    crypto_generichash_update(&t->h, dl, sizeof dl);
}

void tr_init(transcript *t, const char *label)
{
    crypto_generichash_init(&t->h, NULL, 0, crypto_generichash_BYTES_MAX);
    frame(t, TR_INIT, label, 0);
}

void tr_absorb_bytes(transcript *t, const char *label, const void *data, size_t n)
{
    frame(t, TR_BYTES, label, n);
    crypto_generichash_update(&t->h, data, n);
}

void tr_absorb_u64(transcript *t, const char *label, uint64_t x)
{
    uint8_t b[8];
    put_le(b, x, 8);
    frame(t, TR_U64, label, 8);
    crypto_generichash_update(&t->h, b, 8);
}

void tr_absorb_frs(transcript *t, const char *label, const fr *a, size_t n)
{
    enum { CHUNK = 128 };
    uint8_t buf[CHUNK * FR_BYTES];
    frame(t, TR_FRS, label, (uint64_t)n * FR_BYTES);
    while (n) {
        size_t k = n < CHUNK ? n : CHUNK;
        for (size_t i = 0; i < k; i++)
            fr_to_bytes(buf + i * FR_BYTES, &a[i]);
        crypto_generichash_update(&t->h, buf, k * FR_BYTES);
        a += k;
        n -= k;
    }
}

void tr_absorb_fr(transcript *t, const char *label, const fr *a)
{
    tr_absorb_frs(t, label, a, 1);
}

void tr_challenge(transcript *t, const char *label, fr *out)
{
    crypto_generichash_state copy;
    uint8_t wide[64];
    frame(t, TR_CHALLENGE, label, 0);
    copy = t->h;
    crypto_generichash_final(&copy, wide, sizeof wide);
    fr_from_wide(out, wide);
    sodium_memzero(&copy, sizeof copy);
}

void tr_challenges(transcript *t, const char *label, fr *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tr_challenge(t, label, &out[i]);
}
