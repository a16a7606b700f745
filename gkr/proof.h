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
 *                   4   tag: 0 = claimed output, 1 + i = layer i (its
 *                       messages, or its values for an advice input layer)
 *                   1   encoding (gkr_encoding)
 *                   1   width: bits per value for packed encodings, else 0
 *                   2   reserved, zero
 *                   4   value count n
 *                   payload: GKR_ENC_FIELD: 32n bytes, canonical field
 *                       elements (each < r); GKR_ENC_G1: 32n bytes,
 *                       compressed curve points (g1.h); GKR_ENC_UINT / GKR_ENC_SINT:
 *                       ceil(n * width / 8) bytes, value k in bits
 *                       [k*width, (k+1)*width) counted from bit 0 of byte 0,
 *                       unsigned or two's complement, unused bits zero.
 *
 * Tags strictly increase.  The decoder checks every length against the
 * bytes actually present before allocating, rejects non-canonical field
 * elements, encodings of points not on the curve or not canonical, non-zero
 * padding or reserved bits, and trailing bytes, and never
 * reads out of bounds.  Whether the sections match the circuit is the
 * verifier's business, not the decoder's. */
#ifndef ZKM_PROOF_H
#define ZKM_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "fr.h"
#include "g1.h"
#include "zkm_err.h"

#define GKR_PROOF_MAGIC "ZKMPROOF"
#define GKR_PROOF_VERSION 6u
#define GKR_PROOF_HEADER_BYTES 48u
#define GKR_PROOF_SECTION_HEADER_BYTES 12u
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

/* The same for curve points. */
typedef struct {
    g1_affine *v;
    size_t n, cap;
} g1_vec;

zkm_status g1_vec_push(g1_vec *vec, const g1_affine *a, size_t n, zkm_err *e);
void g1_vec_free(g1_vec *vec);

typedef struct {
    const g1_affine *v;
    size_t n, pos;
} g1_cursor;

int g1_cursor_take(g1_cursor *c, size_t k, const g1_affine **out);

typedef enum {
    GKR_ENC_FIELD = 0, /* canonical 32-byte field elements  */
    GKR_ENC_UINT = 1,  /* packed unsigned, width 1..63 bits */
    GKR_ENC_SINT = 2,  /* packed two's complement, 2..64     */
    GKR_ENC_G1 = 3     /* compressed curve points            */
} gkr_encoding;

typedef struct {
    uint32_t tag;
    uint8_t encoding; /* gkr_encoding */
    uint8_t width;    /* bits per value, 0 for GKR_ENC_FIELD and GKR_ENC_G1 */
    fr_vec msgs;      /* the values, decoded to field elements (not G1)   */
    g1_vec pts;       /* GKR_ENC_G1: the points                          */
} gkr_section;

/* Whether width suits encoding (GKR_ENC_FIELD and GKR_ENC_G1 need 0). */
int gkr_encoding_ok(unsigned encoding, unsigned width);

/* Bytes a section's payload takes. */
size_t gkr_section_payload_bytes(unsigned encoding, unsigned width, size_t n);


/* Bytes a section takes in the file, its header included. */
size_t gkr_section_bytes(const gkr_section *sec);

typedef struct {
    uint8_t digest[32];
    uint32_t n_sections;
    gkr_section *sections;
} gkr_proof;

/* Serialize into a fresh malloc'd buffer (*out, *out_len).  Fails with
 * ZKM_EINVAL if a value of a packed section does not fit its width. */
zkm_status gkr_proof_encode(const gkr_proof *p, uint8_t **out, size_t *out_len, zkm_err *e);

/* Parse bytes into p (which the caller later releases with gkr_proof_free).
 * On any malformation returns ZKM_EFORMAT with the reason and leaves p
 * empty. */
zkm_status gkr_proof_decode(gkr_proof *p, const uint8_t *bytes, size_t len, zkm_err *e);
/* The same, the curve points' square roots (most of the time for a proof
 * with point sections) on `threads` OpenMP threads (<= 1: the calling
 * thread); gkr_proof_decode is this on one.  The result and the error
 * reported are the same on any number of threads. */
zkm_status gkr_proof_decode_threads(gkr_proof *p, const uint8_t *bytes, size_t len, int threads,
                                    zkm_err *e);

void gkr_proof_free(gkr_proof *p);

#endif
