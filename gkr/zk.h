/* Message channels, and the zero-knowledge machinery behind them.
 *
 * A channel carries the prover's messages to the verifier through the
 * Fiat-Shamir transcript.  In the clear, a message is a field element,
 * appended to the proof and absorbed.  In zero knowledge (Hyrax, Wahby et
 * al. 2018) it is a "hidden value": the prover sends the Pedersen
 * commitment
 *     C = v U + r H        (U, H: hyrax_generators; r from libsodium)
 * and absorbs C instead (a sum-check round's values share one vector
 * commitment instead: zk_chan_send_round).  The verifier then computes on
 * linear forms over hidden values,
 *     F = k + sum_i c_i v_{idx_i}       (public k and c_i)
 * whose commitment sum_i c_i C_i + k U it could form, but never does: every
 * relation it must check is recorded and all of them are checked at the end
 * by one multi-scalar multiplication.  Relations:
 *   - a product of two forms (zk_chan_mul): a "term", the product of up to
 *     seven factors over values with commitments, with no commitment of its
 *     own, so it may appear only in equalities.  At zk_finish the terms'
 *     coefficients a_j in the equalities' weighted sum are public; the
 *     prover commits P = sum_j a_j term_j, proves it with a sum-check of
 *     a(x) prod_m F_m(x) over the terms (F_m: the multilinear extension of
 *     the terms' factor m, 1 past a term's last), which ends in one product
 *     of the forms F_m(s), given Hyrax's proof-of-product (three points,
 *     five scalars, a challenge) per factor past the first; P then stands in
 *     for every term;
 *   - an equality of two forms (zk_chan_check): their difference D must be a
 *     commitment to 0, D = delta H.  Each D gets a random weight w_j, drawn
 *     after every point in it is fixed; at the end the prover shows it
 *     knows delta* with sum_j w_j D_j = delta* H (a Schnorr proof on H).  A
 *     D with a non-zero U part makes that sum one too except with
 *     probability 1/r per check, and then delta* would be a discrete
 *     logarithm of U to the base H.
 * Products and equalities are recorded while a layer is verified and
 * proven after its messages (zk_chan_flush; terms at zk_finish), so the prover can
 * produce them by replaying the verifier's computation over its own
 * messages ("mirror" mode) once it has sent them.  Nothing the proof shows
 * is then other than commitments with fresh random blindings, responses of
 * honest-verifier zero-knowledge sigma protocols, and delta*, the discrete
 * logarithm of a point the verifier computes itself.
 *
 * In the clear every form is a constant (n = 0), and zk_chan_mul and
 * zk_chan_check are field operations and an immediate comparison. */
#ifndef ZKM_ZK_H
#define ZKM_ZK_H

#include <stddef.h>
#include <stdint.h>

#include "fr.h"
#include "g1.h"
#include "g1_mul.h"
#include "proof.h"
#include "transcript.h"
#include "zkm_err.h"

/* Hidden values are numbered in four series: messages (0, 1, ...),
 * sum-check round values (ZK_ROW | 0, 1, ...), proven products (ZK_PROD |
 * 0, 1, ...) and product terms (ZK_TERM | 0, 1, ...), so the numbers the
 * verifier and the replaying prover give to messages agree even though the
 * products are numbered when they are recorded. */
#define ZK_ROW 0x40000000u
#define ZK_PROD 0x80000000u
#define ZK_TERM 0xc0000000u
#define ZK_INDEX 0x3fffffffu

typedef struct {
    fr k;           /* constant part */
    uint32_t n, cap;
    uint32_t *idx;  /* n hidden values */
    fr *c;          /* their coefficients */
} zk_form;

void zk_form_init(zk_form *f); /* the constant 0, no storage */
void zk_form_free(zk_form *f);
void zk_form_set_const(zk_form *f, const fr *k);
/* f = c * hidden value idx */
zkm_status zk_form_set_hidden(zk_form *f, uint32_t idx, const fr *c, zkm_err *e);
zkm_status zk_form_copy(zk_form *dst, const zk_form *src, zkm_err *e);
/* y += a x (y and x distinct) */
zkm_status zk_form_axpy(zk_form *y, const fr *a, const zk_form *x, zkm_err *e);
void zk_form_scale(zk_form *f, const fr *a);
void zk_form_add_const(zk_form *f, const fr *k);
static inline int zk_form_is_const(const zk_form *f)
{
    return f->n == 0;
}

/* Per-proof zero-knowledge state: the hidden values, the pending
 * relations, and (verifier) the accumulated final check. */
typedef struct zk_ctx zk_ctx;

/* A prover's (prover != 0) or a verifier's; threads for the final check.
 * NULL with e set if allocation fails. */
zk_ctx *zk_ctx_new(int prover, int threads, zkm_err *e);
void zk_ctx_free(zk_ctx *z);

/* Where the two series of messages are (zk_next). */
typedef struct {
    uint32_t msg, row;
} zk_pos;

typedef struct {
    transcript *tr;
    zk_ctx *zk;          /* NULL: in the clear */
    /* prover: messages go to out (clear) or out_pts (zk), sigma-protocol
     * scalars to out */
    fr_vec *out;
    g1_vec *out_pts;
    /* verifier: messages come from in (clear) or in_pts (zk), sigma
     * scalars from in */
    fr_cursor *in;
    g1_cursor *in_pts;
    /* a prover replaying the verifier over its own messages: hidden values
     * received are numbered from mirror_next (in_pts reads what it sent) */
    int mirror;
    zk_pos mirror_next;
} zk_chan;

/* The numbers the next message and round value sent (or received) get. */
zk_pos zk_next(const zk_ctx *z);

/* Prover: send n messages (absorbed under label).  *first (may be NULL)
 * receives the first one's number in zero knowledge, ZK_NONE in the
 * clear. */
#define ZK_NONE UINT32_MAX
zkm_status zk_chan_send(zk_chan *ch, const char *label, const fr *v, size_t n, uint32_t *first,
                        zkm_err *e);
/* Verifier: receive n messages as forms (constants in the clear, hidden
 * values in zero knowledge); out[0..n) must be initialised forms.
 * ZKM_EREJECT if the section runs out. */
zkm_status zk_chan_recv(zk_chan *ch, const char *label, zk_form *out, size_t n, zkm_err *e);

/* Sum-check round values (sumcheck.c).  In the clear, as zk_chan_send and
 * zk_chan_recv.  In zero knowledge a round's n values are packed into
 * ceil(n / ZK_ROW_WIDTH) rows, each sent as one Pedersen vector commitment
 *     C = sum_k v_k G_k + beta H       (G_k, H: hyrax_generators)
 * rather than one commitment per value.  A row value has no commitment of
 * its own, so it may appear only in equalities (zk_chan_check), never in a
 * product: its coefficients in the equalities' weighted sum are proven at
 * zk_finish by one inner product against the table of every row (see
 * there). */
#define ZK_ROW_VARS 2u
#define ZK_ROW_WIDTH (1u << ZK_ROW_VARS)
zkm_status zk_chan_send_round(zk_chan *ch, const char *label, const fr *v, size_t n,
                              zkm_err *e);
zkm_status zk_chan_recv_round(zk_chan *ch, const char *label, zk_form *out, size_t n,
                              zkm_err *e);

/* Verifier (or mirror): out = a b.  A product of two non-constant forms
 * becomes a form over terms, proven at zk_finish; ZKM_EINVAL if a term
 * would have more than seven factors, or a factor holds round values. */
zkm_status zk_chan_mul(zk_chan *ch, zk_form *out, const zk_form *a, const zk_form *b,
                       zkm_err *e);
/* Verifier (or mirror): a = b, else ZKM_EREJECT with `what` (in the clear
 * at once; in zero knowledge at zk_chan_flush or zk_finish). */
zkm_status zk_chan_check(zk_chan *ch, const zk_form *a, const zk_form *b, const char *what,
                         zkm_err *e);
/* Prove (prover) or check (verifier) the products and equalities recorded
 * since the last flush, in order, over the channel.  Nothing in the clear.
 * A prover whose recorded equality does not hold fails with ZKM_EINVAL (a
 * bug: the witness is wrong). */
zkm_status zk_chan_flush(zk_chan *ch, zkm_err *e);

/* The prover's value and blinding of a form. */
void zk_form_open(const zk_ctx *z, const zk_form *f, fr *value, fr *blind);

/* Verifier: add s * P for an arbitrary point to the final check. */
zkm_status zk_add_point(zk_ctx *z, const g1_affine *p, const fr *s, zkm_err *e);
/* Verifier: add s * (the commitment of form f) to the final check. */
void zk_add_form(zk_ctx *z, const fr *s, const zk_form *f);
/* Verifier: add s * H, s * U to the final check. */
void zk_add_h(zk_ctx *z, const fr *s);
void zk_add_u(zk_ctx *z, const fr *s);

/* Finish (after the last flush).  First the terms (zk_chan_mul), proven by
 * one message P and a sum-check whose rounds are rows.  Then, if round
 * values were sent in rows: their coefficients a in the equalities' weighted sum D* are public
 * by now, so the prover commits Y = <a, M> (M: the table of every row,
 * row-major, ZK_ROW_WIDTH columns) as a new message and proves it with a
 * sum-check of a(x) M(x) over the table's cube (its rounds one commitment
 * per value), which ends in a claim on M at one point, opened (zero
 * knowledge) with the rows as M's Hyrax commitment; Y then stands in D* for
 * every row value.  Then the Schnorr proof for the equalities, and
 * (verifier) the final multi-scalar multiplication; ZKM_EREJECT if it is
 * not the identity. */
zkm_status zk_finish(zk_chan *ch, zkm_err *e);

/* Prover: commitments v_i U + r_i H to n values with fresh random r_i
 * (written to r, n entries). */
zkm_status zk_commit(zk_ctx *z, g1_affine *out, const fr *v, fr *r, size_t n, zkm_err *e);

#endif
