/* Inside layers/: how a model becomes circuit layers and their values.
 * Not for users of the library (see net.h).
 *
 * Frames.  Every tensor the circuit holds is a frame: channel c, row y,
 * column x at index (c << (rb + wb)) | (y << wb) | x, with 2^cb >= C
 * channels, 2^rb >= H rows, 2^wb >= W columns; entries outside the tensor
 * are zero (the frame invariant: every layer producing a frame keeps it, by
 * construction or by a public 0/1 mask).  A vector [N] is the frame
 * C = H = 1, W = N.  Frame sizes are chosen by layout.c so that a
 * convolution reads its input at the origin (the conv kind's signed
 * offsets give the zero padding), a stride or a pooling window selects
 * index bits (mapped views), and a residual add sees both operands in one
 * frame.
 *
 * Values.  Activations are int32 frames (every format has at most 32
 * bits).  The witness of a node is its frame; layer values are field
 * elements, filled by the op that created the layer.  Layers an op leaves
 * unfilled (NULL) are computed from their sources by gkr_eval_layer. */
#ifndef ZKM_LOWER_H
#define ZKM_LOWER_H

#include <stdbool.h>
#include <stdint.h>

#include "circuit.h"
#include "model.h"
#include "net.h"
#include "proof.h"

#define LW_NONE UINT32_MAX

typedef struct {
    uint32_t C, H, W;     /* the tensor                              */
    uint32_t cb, rb, wb;  /* log2 of the frame's channels, rows, columns */
} lw_frame;

static inline uint32_t lw_frame_nvars(const lw_frame *f)
{
    return f->cb + f->rb + f->wb;
}

/* The least k with 2^k >= x. */
static inline uint32_t lw_log2_ceil(uint64_t x)
{
    uint32_t k = 0;
    while (((uint64_t)1 << k) < x)
        k++;
    return k;
}

/* What an input layer holds, so prover and verifier fill it alike. */
typedef enum {
    LW_IN_MODEL = 0,  /* a model input (index in `arg`)              */
    LW_IN_WEIGHT,     /* node's weights, laid out by the op           */
    LW_IN_BIAS,       /* node's bias, one per output channel          */
    LW_IN_MASK,       /* 0/1 mask of a frame's valid positions        */
    LW_IN_ADVICE,     /* advice computed by the prover                */
    LW_IN_TABLE,      /* the lookup table 0 .. 2^limb - 1             */
    LW_IN_CHALLENGE   /* the lookup's challenge (GKR_INPUT_CHALLENGE) */
} lw_in_role;

typedef struct {
    uint32_t node;     /* model node that created the layer (LW_NONE: shared) */
    lw_in_role role;   /* input layers only                                   */
    uint32_t arg;      /* LW_IN_MODEL: the input's index                      */
    uint32_t nvars;    /* the layer's, recorded when the circuit is finished */
    bool late;         /* computed by the prover from the lookup's
                          challenge (gkr_prove_ex), not by the witness     */
} lw_meta;

/* Range check of a sum S (terms of an eltwise layer over `nvars`
 * variables): with s = shift and B = bits,
 *   S + 2^(s-1) [if s > 0] = q 2^s + rem,  0 <= rem < 2^s,
 *   signed:   -2^(B-1) <= q < 2^(B-1)     unsigned: 0 <= q < 2^B
 * that is, V = rem + 2^s u with u = q + 2^(B-1) (signed) or q is an
 * (s + B)-bit number.  An advice layer D holds V's digits in rows, and a
 * recomposition zero layer checks S + 2^(s-1) [+ 2^(s+B-1)] = sum of the
 * rows times their weights.  The digits are
 *   bits (limb = 0): row j = bit j of V, with a booleanity zero layer
 *       D*D - D;
 *   limbs (lookup, limb = L): V's fields rem (s bits) and u (B bits), or
 *       for a relu rem, u's low B-1 bits and its top bit, each cut into
 *       L-bit limbs from the bottom; every row of D is looked up in the
 *       table 0 .. 2^L - 1 (LogUp, lw_lookup_build), and a limb of w < L
 *       bits also gets a row "limb + 2^L - 2^w", looked up too, which
 *       bounds it by 2^w; a zero layer ties those rows to their limbs.
 * The output layer is q (LW_OUT_Q), relu(q) (LW_OUT_RELU, signed only) or
 * none. */
typedef enum { LW_OUT_NONE = 0, LW_OUT_Q, LW_OUT_RELU } lw_out;

typedef struct {
    uint32_t nvars;
    uint32_t n_src;
    const gkr_view *src;
    uint32_t n_terms;
    const int64_t *coef;      /* small integer coefficients */
    const uint32_t *term_start;
    const uint32_t *factors;
} lw_sum;

typedef struct {
    uint32_t d, zbool, zrec, zdup, out; /* builder ids (LW_NONE where absent:
                                           zbool with limbs, zdup without
                                           short limbs, out without output) */
    uint32_t shift, bits, nb;     /* nb: log2 of D's rows                         */
    uint32_t limb;                /* 0: bits; else the lookup's limb size L        */
    bool is_signed;
    lw_out out_kind;
} lw_range;

/* Per model node. */
typedef struct {
    lw_frame frame;     /* its frame (virtual nodes: the storage node's)      */
    uint32_t storage;   /* the node whose frame holds the values (itself for
                           nodes with a layer; flatten/reshape/batchnorm: the
                           node they pass through)                           */
    uint32_t layer;     /* builder id of the layer holding the values         */
    uint32_t fused;     /* a relu computed by this node's range check (the
                           relu node), or LW_NONE                             */
    uint32_t fused_into;/* relu nodes: the node computing them, else LW_NONE  */
    uint32_t readers;   /* nodes reading this one                             */
    /* the op's own layers (builder ids, LW_NONE when absent) */
    uint32_t wl, bl, ml, al;  /* weights, bias, mask, the op's main computed layer */
    uint32_t dl;              /* maxpool: the window differences               */
    lw_range range;           /* its range check (ops that rescale, relu, maxpool) */
} lw_node;

/* The circuit under construction, in forward order (builder ids: a layer
 * reads only smaller ids); net.c's finish() reverses it into gkr's order. */
typedef struct {
    gkr_layer *layers;
    lw_meta *meta;
    uint32_t n, cap;
    uint32_t cur_node;   /* node being lowered, recorded in meta      */
    /* shared masks: (rb, wb, H, W) -> builder id */
    struct lw_mask { uint32_t rb, wb, H, W, id; } *masks;
    uint32_t n_masks, cap_masks;
    /* range checks by lookup (limb > 0): every D layer to look up, and
     * (after lw_lookup_build) the challenge, table and multiplicities */
    uint32_t limb;
    uint32_t *lk_d;
    uint32_t n_lk, cap_lk;
    uint32_t lk_x, lk_t, lk_m;
} lw_builder;

/* Everything the witness needs, per node and per builder layer. */
typedef struct {
    const zkm_model *m;
    const lw_node *nodes;
    const lw_builder *b;
    const struct zkm_qweights *qw;
    const zkm_qinputs *in;
    int32_t **act;   /* per node with a layer: its frame (owned here)         */
    fr **values;     /* per builder layer: NULL until filled                  */
    bool fill;       /* false for zkm_net_run: integers only                 */
    uint64_t *lk_counts; /* with fill and lookups: how often each table entry
                            is looked up (2^limb counts)                      */
    zkm_err *e;
} lw_wit;

/* Quantized weights of one node (folded batchnorm included). */
typedef struct {
    int32_t *w;   /* dense [out][in]; conv2d [out][in][kh][kw] */
    int64_t *b;   /* [out], frac f_in + f_w; NULL without bias */
} lw_qparams;

struct zkm_qweights {
    uint32_t n;
    lw_qparams *p;
};

/* One operation: lower its node (creating layers), fill its public layers,
 * compute its witness, and its float reference on logical (C, H, W)
 * doubles.  NULL members: nothing to do. */
typedef struct {
    zkm_status (*lower)(lw_builder *b, const zkm_model *m, lw_node *nodes, uint32_t i,
                        zkm_err *e);
    /* fill the node's public weight and bias layers (prover and verifier) */
    zkm_status (*publics)(lw_wit *w, uint32_t i);
    zkm_status (*witness)(lw_wit *w, uint32_t i);
    zkm_status (*reference)(const zkm_model *m, uint32_t i, const double *const *in,
                            const zkm_tensor_set *weights, double *out, zkm_err *e);
} lw_op;

const lw_op *lw_op_get(zkm_op op);

extern const lw_op lw_op_input, lw_op_dense, lw_op_conv2d, lw_op_relu, lw_op_maxpool,
    lw_op_avgpool, lw_op_flatten, lw_op_add, lw_op_batchnorm, lw_op_rescale;

/* --- layout.c --- */
zkm_status lw_layout(const zkm_model *m, lw_node *nodes, zkm_err *e);
/* Frame index of logical entry i (row-major C, H, W) of node n's values. */
uint64_t lw_frame_index(const lw_frame *f, uint64_t i);

/* --- build.c --- */
/* A new layer (zeroed, kind GKR_INPUT, nvars 0) for the current node. */
zkm_status lw_new(lw_builder *b, uint32_t *id, zkm_err *e);
static inline gkr_layer *lw_layer(lw_builder *b, uint32_t id)
{
    return &b->layers[id];
}
zkm_status lw_public(lw_builder *b, uint32_t nvars, lw_in_role role, uint32_t *id, zkm_err *e);
/* The shared mask of frame (rb, wb) valid on H x W. */
zkm_status lw_mask(lw_builder *b, uint32_t rb, uint32_t wb, uint32_t H, uint32_t W,
                   uint32_t *id, zkm_err *e);
zkm_status lw_eltwise(lw_builder *b, const lw_sum *s, uint32_t flags, uint32_t *id, zkm_err *e);
zkm_status lw_range_build(lw_builder *b, const lw_sum *s, uint32_t shift, uint32_t bits,
                          bool is_signed, lw_out out, lw_range *r, zkm_err *e);
/* A plain view of a whole builder layer. */
gkr_view lw_view(const lw_builder *b, uint32_t id);
/* A frame layer's values broadcast over channels: mask (rb + wb variables)
 * read as a frame of cb + rb + wb variables. */
gkr_view lw_view_bcast_channels(const lw_builder *b, uint32_t id, uint32_t cb);
/* Per-channel values (cb variables) read as a frame (positions broadcast). */
gkr_view lw_view_bcast_positions(const lw_builder *b, uint32_t id, uint32_t rb, uint32_t wb);

/* Witness side of a range check: S over 2^nvars entries (int128 so any
 * exact sum fits); fills D's values, zeros the zero layers, fills the
 * output layer, and writes q (or relu(q)) into act (may be NULL).  A q out
 * of range at a frame position inside f (when f is not NULL) is
 * ZKM_EFORMAT naming node i. */
zkm_status lw_range_witness(lw_wit *w, uint32_t i, const lw_range *r, const __int128 *S,
                            const lw_frame *f, int32_t *act);

/* Range checks by lookup: once every node is lowered, the challenge, the
 * table 0 .. 2^L - 1 (public), the multiplicities (advice), a tree of
 * fractional sums (p, q) over each D layer's rows, sum 1 / (X - d), and
 * over the table, sum m_t / (X - t), and a zero layer saying that the
 * first sums add up to the second (LogUp, Haboeck 2022; the sums as GKR
 * layers as in Papini and Haboeck 2023).  Nothing without range checks. */
zkm_status lw_lookup_build(lw_builder *b, zkm_err *e);
/* The witness's side: the table's values (prover and verifier) ... */
zkm_status lw_lookup_table(lw_wit *w);
/* ... and the multiplicities from w->lk_counts (prover). */
zkm_status lw_lookup_counts(lw_wit *w);

/* Allocate values for builder layer id (2^nvars, zeroed) if not yet. */
fr *lw_values(lw_wit *w, uint32_t id);
/* A node's frame of activations, allocated on first use (zeroed). */
int32_t *lw_act(lw_wit *w, uint32_t node);

/* Output choice for an op ending in a range check: relu fused or q. */
lw_out lw_out_for(const lw_node *nodes, uint32_t i);
/* Record that node i's values live in layer id (and its fused relu's). */
void lw_set_layer(lw_node *nodes, uint32_t i, uint32_t id);

/* --- pool.c: what maxpool and avgpool share --- */
/* Do windows leave input rows or columns past the output (masked away)? */
bool lw_pool_leftover(const zkm_node *d, const lw_frame *fi, const lw_frame *fo);
/* The input X at the output's resolution: the window entry as top index
 * bits (top), or fixed to (dy, dx). */
gkr_view lw_pool_view(uint32_t X, const lw_frame *fi, const lw_frame *fo, bool top, uint32_t dy,
                      uint32_t dx);
/* Frame index in the input of window entry k = (dy << log2 kw) | dx of output
 * position g; *outside: g lies outside the output tensor. */
uint64_t lw_pool_src(const lw_frame *fi, const lw_frame *fo, uint64_t g, uint32_t k,
                     bool *outside);
void lw_pool_reference(const zkm_model *m, uint32_t i, const double *in, double *out, bool max);

/* The real tensor of node i with the given role, or NULL. */
const zkm_tensor *lw_find_tensor(const zkm_model *m, uint32_t i, const zkm_tensor_set *w,
                                 zkm_wrole role);

/* Ops whose S is the sum of their inputs' values (relu, add, rescale). */
zkm_status lw_lower_sum_range(lw_builder *b, const zkm_model *m, lw_node *nodes, uint32_t i,
                              lw_out out, zkm_err *e);
zkm_status lw_witness_sum_range(lw_wit *w, uint32_t i);

/* Integer rescale q = floor((s + 2^(shift-1)) / 2^shift). */
static inline __int128 lw_rescale(__int128 s, uint32_t shift)
{
    if (shift == 0)
        return s;
    __int128 t = s + ((__int128)1 << (shift - 1));
    return t >= 0 ? t >> shift : -((-t + ((__int128)1 << shift) - 1) >> shift);
}

void lw_fr_set_i128(fr *out, __int128 v);

/* Field elements of every integer of `bits` bits (two's complement), for
 * converting many small values by lookup: table[v + 2^(bits-1)]. */
typedef struct {
    fr *table;
    int64_t lo, hi;
} lw_smallfr;
/* A table for `uses` conversions: none (one by one) when it would have more
 * entries than uses, or bits > 16. */
zkm_status lw_smallfr_init(lw_smallfr *s, uint32_t bits, size_t uses, zkm_err *e);
static inline void lw_smallfr_set(const lw_smallfr *s, fr *out, int64_t v)
{
    if (s->table && v >= s->lo && v <= s->hi)
        *out = s->table[v - s->lo];
    else
        fr_set_i64(out, v);
}
void lw_smallfr_free(lw_smallfr *s);

#endif
