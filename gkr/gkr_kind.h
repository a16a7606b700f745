/* The interface between the GKR driver (gkr.c) and the layer kinds
 * (layer_*.c).  Not for users of the library.
 *
 * Claims.  Every claim on a layer is a pair (point, value) meaning
 * "the layer's multilinear extension at point equals value".  When the
 * driver reaches a layer it draws a coefficient alpha_k per claim (alpha = 1
 * for a single claim); the kind then proves
 *     sum_k alpha_k value_k = sum_g W(g) V(g),   W(g) = sum_k alpha_k eq(z_k, g)
 * reducing it to claims on the layers it reads.
 *
 * Views.  A claim on a view at point p (the view's nvars coordinates) becomes
 * a claim on the viewed layer L:
 *   block view (nvars <= L.nvars):   point p || bits(offset >> nvars), and the
 *                                    view's value is the layer's value;
 *   zero-extended (nvars > L.nvars): point p[0 .. L.nvars), and the view's
 *                                    value is the layer's value times
 *                                    prod_{i >= L.nvars} (1 - p_i);
 *   mapped (circuit.h):              layer coordinate i is p[map[i]] or its
 *                                    constant; the view's value is the
 *                                    layer's times prod (1 - p_j) over free
 *                                    coordinates j (zero-extension) or
 *                                    exactly the layer's (broadcast).
 * The prover sends the layer's value; gkr_prove_view / gkr_verify_view do
 * the bookkeeping on both sides so kinds stay symmetric. */
#ifndef ZKM_GKR_KIND_H
#define ZKM_GKR_KIND_H

#include <sodium.h>

#include "circuit.h"
#include "proof.h"
#include "transcript.h"
#include "zk.h"

typedef struct {
    uint32_t nvars;
    size_t n, cap;
    fr *points; /* n * nvars */
    fr *values; /* n: the values (the verifier's are 0 where hid says) */
    uint32_t *hid; /* n: in zero knowledge, the value's number as a hidden
                      value (zk.h), ZK_NONE for a public one (values) */
    fr *alpha;  /* n, set by the driver before the layer is reduced */
} gkr_claims;

/* Large prover tables live in a few numbered slots reused from layer to
 * layer, so the kernel does not fault in fresh pages for every layer. */
#define GKR_SCRATCH_SLOTS 8

typedef struct {
    fr *buf[GKR_SCRATCH_SLOTS];
    size_t cap[GKR_SCRATCH_SLOTS];
} gkr_scratch;

typedef struct {
    const gkr_circuit *c;
    fr *const *values;  /* every layer's 2^nvars values */
    transcript *tr;     /* ch->tr */
    zk_chan *ch;        /* the current layer's messages */
    gkr_claims *claims; /* one per layer */
    gkr_scratch *scratch;
} gkr_pctx;

/* The verifier's side.  Values the prover sends are linear forms (zk.h):
 * constants in the clear, forms over hidden values in zero knowledge; a
 * kind multiplies them with zk_chan_mul and compares them with
 * zk_chan_check.  The prover also runs a kind's verify, over its own
 * messages (ch->mirror), to prove the products and equalities it records;
 * claims are then not recorded again (record_claims = 0). */
typedef struct {
    const gkr_circuit *c;
    transcript *tr;     /* ch->tr */
    zk_chan *ch;
    gkr_claims *claims;
    int record_claims;
} gkr_vctx;

typedef struct {
    const char *name;
    /* The views this layer reads (*out points into the layer's parameters). */
    uint32_t (*views)(const gkr_layer *l, const gkr_view **out);
    /* Kind-specific structural checks; views are already checked. */
    zkm_status (*check)(const gkr_circuit *c, uint32_t li, zkm_err *e);
    /* Feed the parameters to the circuit digest. */
    void (*digest)(const gkr_layer *l, crypto_generichash_state *h);
    /* out (2^nvars, zeroed by the caller) = the layer's values. */
    zkm_status (*eval)(const gkr_circuit *c, uint32_t li, fr *const *values, fr *out,
                       zkm_err *e);
    zkm_status (*prove)(gkr_pctx *x, uint32_t li, zkm_err *e);
    zkm_status (*verify)(gkr_vctx *x, uint32_t li, zkm_err *e);
    void (*free_params)(gkr_layer *l);
    uint64_t (*ops)(const gkr_layer *l);
} gkr_kind_ops;

extern const gkr_kind_ops gkr_input_ops;
extern const gkr_kind_ops gkr_generic_ops;
extern const gkr_kind_ops gkr_eltwise_ops;
extern const gkr_kind_ops gkr_matmul_ops;
extern const gkr_kind_ops gkr_conv_ops;

/* The ops of a kind (NULL for an unknown kind). */
const gkr_kind_ops *gkr_kind_get(gkr_kind k);

/* --- helpers for kinds (gkr.c) --- */

/* A table of at least n elements in scratch slot (< GKR_SCRATCH_SLOTS),
 * uninitialised, valid until the slot is asked for again; NULL (with e set)
 * if allocation fails.  Owned by the prover context: do not free. */
fr *gkr_scratch_get(gkr_pctx *x, unsigned slot, size_t n, zkm_err *e);

/* Send n prover messages over the channel (absorbed); *first as for
 * zk_chan_send (may be NULL). */
zkm_status gkr_send(gkr_pctx *x, const fr *v, size_t n, uint32_t *first, zkm_err *e);
/* Receive n messages as forms (absorbed); ZKM_EREJECT if the section runs
 * out. */
zkm_status gkr_recv(gkr_vctx *x, zk_form *out, size_t n, zkm_err *e);

/* The combined claim sum_k alpha_k value_k: the prover's value, and the
 * verifier's form. */
void gkr_claims_combined(const gkr_claims *cl, fr *out);
zkm_status gkr_claims_combined_form(const gkr_claims *cl, zk_form *out, zkm_err *e);
/* W = sum_k alpha_k eq(z_k, .) over 2^nvars entries (W allocated by the
 * caller, scratch of 2^nvars needed only when there are several claims). */
void gkr_claims_weights(const gkr_claims *cl, fr *W, fr *scratch);
/* sum_k alpha_k eq(z_k, r). */
void gkr_claims_weight_at(const gkr_claims *cl, const fr *r, fr *out);

/* Copy view v's 2^v.nvars entries into table (mapping, zero-extending or
 * broadcasting as the view says). */
void gkr_view_table(fr *const *values, const gkr_circuit *c, const gkr_view *v, fr *table);
/* The same into a fresh array (free with free()); NULL with e set if
 * allocation fails. */
fr *gkr_view_alloc(fr *const *values, const gkr_circuit *c, const gkr_view *v, zkm_err *e);
/* View v's entries read in place when v is an aligned block of its layer
 * (the layer's values from v's offset), else NULL. */
static inline const fr *gkr_view_block(fr *const *values, const gkr_circuit *c,
                                       const gkr_view *v)
{
    return !v->mapped && v->nvars <= c->layers[v->layer].nvars ? values[v->layer] + v->offset
                                                               : NULL;
}
/* View v's entries for reading: in place (*owned = NULL) when it is a
 * block, else a fresh copy (*owned, free with free()); NULL with e set if
 * allocation fails. */
static inline const fr *gkr_view_read(fr *const *values, const gkr_circuit *c, const gkr_view *v,
                                      fr **owned, zkm_err *e)
{
    const fr *own = gkr_view_block(values, c, v);
    *owned = own ? NULL : gkr_view_alloc(values, c, v, e);
    return own ? own : *owned;
}
/* Both operands of a two-operand kind (matmul, conv): both or neither. */
zkm_status gkr_view_alloc2(fr *const *values, const gkr_circuit *c, const gkr_view src[2],
                           fr **a, fr **b, zkm_err *e);

/* Prover: the view v at point p has value view_value (v.nvars-coordinate
 * point); send the viewed layer's value and record the claim on it. */
zkm_status gkr_prove_view(gkr_pctx *x, const gkr_view *v, const fr *p, const fr *view_value,
                          zkm_err *e);
/* Verifier: receive the viewed layer's value, record the claim, and return
 * the view's value at p in *view_value (an initialised form). */
zkm_status gkr_verify_view(gkr_vctx *x, const gkr_view *v, const fr *p, zk_form *view_value,
                           zkm_err *e);

/* Digest helpers: little-endian integers and field elements. */
void gkr_digest_u64(crypto_generichash_state *h, uint64_t x);
void gkr_digest_view(crypto_generichash_state *h, const gkr_view *v);
void gkr_digest_frs(crypto_generichash_state *h, const fr *a, size_t n);

#endif
