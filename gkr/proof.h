/* Proof messages and the proof file format.
 *
 * While proving, each layer's messages accumulate in an fr_vec; the verifier
 * reads them back through an fr_cursor that refuses to read past the end.
 *
 * Proof bytes (all integers little-endian):
 *
 *   offset  size  field
 *   0       8     magic "ZKMPROOF"
 *   8       4     format version (GKR_PROOF_VERSION)
 *   12      32    circuit digest (BLAKE2b-256 of the circuit, see circuit.h)
 *   44      4     section count S (at most GKR_PROOF_MAX_SECTIONS)
 *   48      ...   S sections, each:
 *                   4   tag: 0 = claimed output, 1 + i = layer i's messages
 *                   4   element count n
 *                   32n canonical field elements (each < r)
 *
 * Tags strictly increase.  The decoder checks every length against the
 * bytes actually present before allocating, rejects non-canonical field
 * elements and trailing bytes, and never reads out of bounds.  Whether the
 * sections match the circuit is the verifier's business, not the decoder's. */
#ifndef ZKM_PROOF_H
#define ZKM_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "fr.h"
#include "zkm_err.h"

#define GKR_PROOF_MAGIC "ZKMPROOF"
#define GKR_PROOF_VERSION 1u
#define GKR_PROOF_HEADER_BYTES 48u
#define GKR_PROOF_MAX_SECTIONS (1u << 20)

typedef struct {
    fr *v;
    size_t n, cap;
} fr_vec;

/* Append n elements; returns ZKM_OK or ZKM_ENOMEM (recorded in e). */
zkm_status fr_vec_push(fr_vec *vec, const fr *a, size_t n, zkm_err *e);
void fr_vec_free(fr_vec *vec);

typedef struct {
    const fr *v;
    size_t n, pos;
} fr_cursor;

/* Point *out at the next k elements and advance; returns 0 (and leaves the
 * cursor alone) if fewer than k remain. */
int fr_cursor_take(fr_cursor *c, size_t k, const fr **out);

typedef struct {
    uint32_t tag;
    fr_vec msgs;
} gkr_section;

typedef struct {
    uint8_t digest[32];
    uint32_t n_sections;
    gkr_section *sections;
} gkr_proof;

/* Serialize into a fresh malloc'd buffer (*out, *out_len). */
zkm_status gkr_proof_encode(const gkr_proof *p, uint8_t **out, size_t *out_len, zkm_err *e);

/* Parse bytes into p (which the caller later releases with gkr_proof_free).
 * On any malformation returns ZKM_EFORMAT with the reason and leaves p
 * empty. */
zkm_status gkr_proof_decode(gkr_proof *p, const uint8_t *bytes, size_t len, zkm_err *e);

void gkr_proof_free(gkr_proof *p);

#endif
