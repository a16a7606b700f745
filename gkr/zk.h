/* Message channels, and the zero-knowledge machinery behind them.
 *
 * A channel carries the prover's messages to the verifier through the
 * Fiat-Shamir transcript.  In the clear, a message is a field element,
 * appended to the proof and absorbed.  In zero knowledge (Hyrax, Wahby et
 * al. 2018) it is a "hidden value": the prover sends the Pedersen
 * commitment
 *     C = v U + r H        (U, H: hyrax_generators; r from libsodium)
 * and absorbs C instead (sum-check rounds go in the clear, under a
 * committed random mask: zk_chan_mask).  The verifier then computes on
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
 * row values, the sum-check masks' coefficients (ZK_ROW | 0, 1, ...), proven products (ZK_PROD |
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

/* Where the series of messages and of row values are, and how many row
 * values masks have taken (zk_next). */
typedef struct {
    uint32_t msg, row, used;
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

/* The numbers the next message and row value sent (or received) get, and
 * how many row values masks have taken. */
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

/* Sum-check rounds (sumcheck.c), masked in zero knowledge as in Libra (Xie
 * et al. 2019).  Before a sum-check of n rounds of degree d the prover
 * fixes a random mask
 *     g(x) = c_0 + sum_{i<n} sum_{j=1..d} c_ij x_i^j
 * (nd + 1 hidden coefficients) and runs the sum-check on f + g from the
 * claim H + G, G = sum of g over the cube = 2^n c_0 + 2^(n-1) sum c_ij: the
 * verifier adds G's form to its claim (zk_mask_sum) and, after the last
 * round, subtracts g(r) = c_0 + sum c_ij r_i^j (zk_mask_at), so the claim
 * it ends with is f(r) again, a linear form.  The rounds themselves go in
 * the clear.  Zero knowledge: a round's values at 0, 2..d are f's plus g's,
 * and the map from the mask's coefficients to g's nd round values has full
 * rank for every choice of challenges (g_k gives each round's values at
 * 2..d; c_0 and the one free direction of each g_k give its values at 0
 * through a matrix whose consecutive row differences are independent), so
 * the values are uniform whatever f is.  Soundness: the mask is committed
 * before the sum-check's first challenge, and G and g(r) are forms over
 * its committed coefficients.
 *
 * The coefficients are hidden values of the row series: the prover commits
 * them in rows of ZK_ROW_WIDTH fresh random values, each row one Pedersen
 * vector commitment
 *     C = sum_k v_k G_k + beta H       (G_k, H: hyrax_generators),
 * before the first sum-check that needs them, and a mask takes the next
 * unused values of the rows (so masks share rows, and prover, verifier and
 * the prover's replay take them alike).  A row value has no commitment of
 * its own, so it may appear only in equalities (zk_chan_check), never in a
 * product: its coefficients in the equalities' weighted sum are proven at
 * zk_finish by one inner product against the table of every row (see
 * there).  In the clear, or while zk_finish proves the rows (whose own
 * sum-check sends one commitment per value instead), there is no mask. */
#define ZK_ROW_VARS 4u
#define ZK_ROW_WIDTH (1u << ZK_ROW_VARS)

typedef struct {
    int on;            /* masked: zero knowledge, rows on, nvars > 0 */
    uint32_t first;    /* c_0's number; c_ij's is first + 1 + i d + j - 1 */
    unsigned nvars, degree;
} zk_mask;

/* Prover, verifier or mirror: the mask of a sum-check of nvars rounds of
 * degree `degree` (values per round), committing (receiving) rows as
 * needed.  m->on = 0 where there is none. */
zkm_status zk_chan_mask(zk_chan *ch, unsigned nvars, unsigned degree, zk_mask *m, zkm_err *e);
/* Prover: send round k's n values v (the round polynomial of f at 0, 2..d),
 * plus the mask's (r: the challenges of rounds 0..k-1).  In the clear as
 * zk_chan_send; in zero knowledge without a mask, one commitment each. */
zkm_status zk_chan_send_round(zk_chan *ch, const zk_mask *m, unsigned k, const fr *r,
                              const char *label, const fr *v, size_t n, zkm_err *e);
/* Verifier (or mirror): receive a round's n values; constants where the
 * round goes in the clear. */
zkm_status zk_chan_recv_round(zk_chan *ch, const zk_mask *m, const char *label, zk_form *out,
                              size_t n, zkm_err *e);
/* Verifier: claim += G (before the first round); claim -= g(r) (after the
 * last; r: the n challenges).  Nothing without a mask. */
zkm_status zk_mask_sum(const zk_mask *m, zk_form *claim, zkm_err *e);
zkm_status zk_mask_at(const zk_mask *m, const fr *r, zk_form *claim, zkm_err *e);

/* Verifier (or mirror): out = a b.  A product of two non-constant forms
 * becomes a form over terms, proven at zk_finish; ZKM_EINVAL if a term
 * would have more than seven factors, or a factor holds row values. */
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
 * one message P and a (masked) sum-check.  Then, if there are rows: the row
 * values' coefficients a in the equalities' weighted sum D* are public by
 * now, so the prover commits Y = <a, M> (M: the table of every row,
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
