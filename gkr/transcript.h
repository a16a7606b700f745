/* Fiat-Shamir transcript over BLAKE2b (libsodium crypto_generichash).
 *
 * Every absorb is framed as  kind byte | label length (u32) | label |
 * data length (u64) | data,  all little-endian, so no two different absorb
 * sequences feed the hash the same bytes.  A challenge absorbs its own frame
 * and then reads 64 bytes from a copy of the state, reduced mod r
 * (statistical distance < 2^-250 from uniform), so successive challenges with
 * the same label differ and every challenge depends on everything absorbed
 * before it.
 *
 * Field elements are absorbed in their canonical 32-byte encoding, so the
 * transcript does not depend on the internal representation. */
#ifndef ZKM_TRANSCRIPT_H
#define ZKM_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>
#include <sodium.h>

#include "fr.h"

typedef struct {
    crypto_generichash_state h;
} transcript;

/* Start a transcript for the protocol named by label (e.g. "zkm/gkr/v1"). */
void tr_init(transcript *t, const char *label);

void tr_absorb_bytes(transcript *t, const char *label, const void *data, size_t n);
void tr_absorb_u64(transcript *t, const char *label, uint64_t x);
void tr_absorb_fr(transcript *t, const char *label, const fr *a);
/* n elements framed as one absorb of 32*n bytes */
void tr_absorb_frs(transcript *t, const char *label, const fr *a, size_t n);

/* One challenge, or n challenges drawn one after another. */
void tr_challenge(transcript *t, const char *label, fr *out);
void tr_challenges(transcript *t, const char *label, fr *out, size_t n);

#endif
