/* Layered arithmetic circuits as plain data.
 *
 * layers[0] is the output layer; a layer reads only layers with a larger
 * index, so the array runs from output to inputs.  Layer i holds 2^nvars
 * values (entries past the meaningful ones are zero).  Input layers carry
 * values supplied from outside; every other layer is a function of the
 * layers it reads, through one of the kinds below.
 *
 * A layer reads a lower layer through a view: an aligned block of it (offset
 * a multiple of the block length), the whole layer zero-extended to a
 * longer table, or a mapped view (gkr_view below) that rearranges, fixes,
 * zero-extends or broadcasts its index bits.  A claim on the view at a point is a claim on the layer
 * at a related point (see gkr_kind.h), which is how gates reach any lower
 * layer, and how one input layer can hold several tensors.
 *
 * Kinds (gkr_kind): each is one file gkr/layer_<kind>.c filling one entry of
 * the table in circuit.c; its parameters are one member of the union in
 * gkr_layer, valid only for that kind. */
#ifndef ZKM_CIRCUIT_H
#define ZKM_CIRCUIT_H

#include <stddef.h>
#include <stdint.h>

#include "fr.h"
#include "zkm_err.h"

/* Largest layer: 2^GKR_MAX_NVARS values. */
#define GKR_MAX_NVARS 32u
#define GKR_DIGEST_BYTES 32u

typedef enum {
    GKR_INPUT = 0,   /* values from outside                                  */
    GKR_GENERIC,     /* sparse add/sub/mul gates (Libra two-phase prover)    */
    GKR_ELTWISE,     /* V(g) = sum_t c_t prod_{s in t} S_s(g)                */
    GKR_MATMUL,      /* C = A B, Thaler's matrix sum-check                   */
    GKR_CONV,        /* multi-channel convolution as shifted products        */
    GKR_KIND_COUNT
} gkr_kind;

/* A mapped view (mapped = 1) rearranges the layer's variables: layer
 * variable i takes view variable map[i], or the constant 0 or 1
 * (GKR_VIEW_CONST0 / GKR_VIEW_CONST1).  Each view variable is named by at
 * most one layer variable; a view variable named by none is "free": the
 * view's entry is the layer's entry when every free variable is 0 and 0
 * otherwise (ext = GKR_VIEW_ZERO, a zero-extension), or the layer's entry
 * whatever the free variables (ext = GKR_VIEW_BROADCAST).  So one view
 * expresses a strided sub-image (fix the low bit of the row and column
 * indices), a broadcast of a per-channel bias over positions or of a
 * per-position mask over channels, and a transposition of index groups.
 * An unmapped view (mapped = 0, the default of an initializer that names
 * only layer, nvars and offset) is the aligned block or zero-extension
 * described above; it is the mapped view with map[i] = i and the high
 * variables fixed to offset's bits. */
#define GKR_VIEW_CONST0 0xFEu
#define GKR_VIEW_CONST1 0xFFu
enum { GKR_VIEW_ZERO = 0, GKR_VIEW_BROADCAST = 1 };

typedef struct {
    uint32_t layer;  /* the layer read; larger than the reader's index        */
    uint32_t nvars;  /* the view has 2^nvars entries                          */
    uint64_t offset; /* unmapped views: first entry, a multiple of 2^nvars; 0
                        if the view is longer than the layer (zero-extended)   */
    uint8_t mapped;  /* 1: map and ext below define the view                  */
    uint8_t ext;     /* GKR_VIEW_ZERO or GKR_VIEW_BROADCAST                   */
    uint8_t map[GKR_MAX_NVARS]; /* per layer variable (mapped views)          */
} gkr_view;

/* A mapped view of layer `layer` (of layer_nvars variables) with nvars
 * variables: map[0 .. layer_nvars) as described above. */
gkr_view gkr_view_mapped(uint32_t layer, uint32_t layer_nvars, uint32_t nvars,
                         const uint8_t *map, unsigned ext);

/* GKR_INPUT */
typedef enum {
    GKR_INPUT_PUBLIC = 0,   /* the verifier holds the values and evaluates them */
    GKR_INPUT_ADVICE = 1,   /* the prover supplies them inside the proof, packed
                               to `width` bits; the verifier evaluates them     */
    GKR_INPUT_COMMITTED = 2,/* Hyrax-committed (hyrax.h): the verifier sees a
                               commitment, and the claims on the layer are
                               proven by one batched opening                    */
    GKR_INPUT_CHALLENGE = 3 /* one value (nvars 0) drawn from the transcript
                               once the statement is fixed (public inputs,
                               advice and commitments, output): layers reading
                               it are computed by the prover after the draw
                               (a lookup's fractional sums, for instance)       */
} gkr_visibility;

typedef struct {
    gkr_visibility visibility;
    uint8_t encoding; /* GKR_INPUT_ADVICE: GKR_ENC_UINT or GKR_ENC_SINT (proof.h) */
    uint8_t width;    /* GKR_INPUT_ADVICE: bits per value                      */
    uint8_t external; /* GKR_INPUT_COMMITTED: 1 if the commitment comes from
                         outside the proof (a model commitment), 0 if the
                         prover commits and sends it in the proof             */
    uint64_t len;     /* GKR_INPUT_ADVICE: values sent; the rest are zero      */
} gkr_input_params;

/* GKR_GENERIC: V(out) = sum over the gates writing out of
 *   ADD: U(in0) + U(in1)   SUB: U(in0) - U(in1)   MUL: U(in0) * U(in1)
 * where input k of a gate is entry in_k of source view src_k. */
typedef enum { GKR_GATE_ADD = 0, GKR_GATE_SUB = 1, GKR_GATE_MUL = 2 } gkr_gate_op;

typedef struct {
    uint32_t out, in0, in1;
    uint8_t op;          /* gkr_gate_op */
    uint8_t src0, src1;  /* index into the layer's source views */
} gkr_gate;

typedef struct {
    uint32_t n_src;      /* 1..255 */
    gkr_view *src;
    size_t n_gates;
    gkr_gate *gates;
} gkr_generic_params;

/* GKR_ELTWISE: every source view has the layer's length; term t multiplies
 * the sources factors[term_start[t] .. term_start[t+1]-1] and scales by
 * coef[t]. */
typedef struct {
    uint32_t n_src;
    gkr_view *src;
    uint32_t n_terms;
    fr *coef;
    uint32_t *term_start; /* n_terms + 1 */
    uint32_t *factors;
} gkr_eltwise_params;

/* GKR_MATMUL: C (2^m x 2^n) = A (2^m x 2^k) * B (2^k x 2^n), all row-major:
 * entry (i, j) of C is at index i * 2^n + j.  The layer has m + n variables,
 * view a has m + k, view b has k + n.  n = 0 is a matrix-vector product. */
typedef struct {
    uint32_t m, k, n;
    gkr_view src[2]; /* src[0] = A, src[1] = B */
} gkr_matmul_params;

/* Layer flags. */
enum {
    /* Every value of the layer must be zero: a constraint (booleanity,
     * recomposition, ...).  The verifier seeds it with the claim "0 at a
     * random point"; no layer needs to read it. */
    GKR_LAYER_ZERO = 1u
};

/* GKR_CONV: for output channel o and position q = (y, x),
 *   O[o, q] = sum_c sum_{k < n_taps} K[o, c, k] * I[c, (y + dy_k, x + dx_k)]
 * where a term is 0 unless 0 <= y + dy_k < 2^(p - pc) and
 * 0 <= x + dx_k < 2^pc.  Positions are q = y * 2^pc + x: images of up to
 * 2^pc columns and 2^(p - pc) rows, so a kernel tap is a signed offset and
 * a 2-D convolution with zero padding is this sum with the image at the
 * origin (pc = p and offsets (0, s >= 0) is a 1-D shift by s).
 * Layouts: O at index o * 2^p + q (layer of co + p variables); view src[0]
 * = I at c * 2^p + q (ci + p variables); view src[1] = K at
 * (o * 2^ci + c) * 2^t + k (co + ci + t variables, taps k >= n_taps zero). */
typedef struct {
    uint32_t co, ci, p, t; /* log2 sizes */
    uint32_t pc;           /* column bits, <= p           */
    uint32_t n_taps;       /* 1 .. 2^t                   */
    int64_t *off;          /* 2 * n_taps: (dy_k, dx_k)    */
    gkr_view src[2];       /* src[0] = I, src[1] = K      */
} gkr_conv_params;

typedef struct {
    gkr_kind kind;
    uint32_t nvars;
    uint32_t flags; /* GKR_LAYER_* */
    union {
        gkr_input_params input;     /* kind == GKR_INPUT   */
        gkr_generic_params generic; /* kind == GKR_GENERIC */
        gkr_eltwise_params eltwise; /* kind == GKR_ELTWISE */
        gkr_matmul_params matmul;   /* kind == GKR_MATMUL  */
        gkr_conv_params conv;       /* kind == GKR_CONV    */
    } p;
} gkr_layer;

typedef struct {
    uint32_t n_layers;
    gkr_layer *layers;
    /* Column variables of every committed layer's Hyrax matrix (1 ..
     * HYRAX_MAX_COL_VARS); required when the circuit has committed layers. */
    uint32_t commit_col_vars;
} gkr_circuit;

/* An empty circuit of n layers (all zero: kind GKR_INPUT, nvars 0); fill
 * each with one of the gkr_layer_* constructors. */
zkm_status gkr_circuit_init(gkr_circuit *c, uint32_t n_layers, zkm_err *e);
void gkr_circuit_free(gkr_circuit *c);

/* Constructors: copy their array arguments, so the caller keeps ownership of
 * what it passes.  They check only what they need to allocate safely; call
 * gkr_circuit_check on the finished circuit. */
zkm_status gkr_layer_input(gkr_layer *l, uint32_t nvars, gkr_visibility vis, zkm_err *e);
/* An advice input layer: its first len values are integers that fit `width`
 * bits, unsigned (GKR_ENC_UINT) or two's complement (GKR_ENC_SINT), sent in
 * the proof; the rest of its 2^nvars values are zero. */
zkm_status gkr_layer_advice(gkr_layer *l, uint32_t nvars, uint64_t len, unsigned encoding,
                            unsigned width, zkm_err *e);
/* A committed input layer (external: see gkr_input_params). */
zkm_status gkr_layer_committed(gkr_layer *l, uint32_t nvars, int external, zkm_err *e);
zkm_status gkr_layer_generic(gkr_layer *l, uint32_t nvars, uint32_t n_src, const gkr_view *src,
                             size_t n_gates, const gkr_gate *gates, zkm_err *e);
zkm_status gkr_layer_eltwise(gkr_layer *l, uint32_t nvars, uint32_t n_src, const gkr_view *src,
                             uint32_t n_terms, const fr *coef, const uint32_t *term_start,
                             const uint32_t *factors, zkm_err *e);
zkm_status gkr_layer_matmul(gkr_layer *l, uint32_t m, uint32_t k, uint32_t n, gkr_view a,
                            gkr_view b, zkm_err *e);

/* A 2-D convolution over 2^(p - pc) x 2^pc images; off holds (dy_k, dx_k)
 * for each tap (pc = p and offsets (0, s) make a 1-D shift by s). */
zkm_status gkr_layer_conv2d(gkr_layer *l, uint32_t co, uint32_t ci, uint32_t p, uint32_t pc,
                            uint32_t t, uint32_t n_taps, const int64_t *off, gkr_view input,
                            gkr_view kernel, zkm_err *e);

/* Structural check: kinds and sizes in range, every view inside a lower
 * layer, every gate and factor index valid, layer 0 not an input nor a zero
 * layer, no input layer flagged zero, and every layer but the output and the
 * zero layers read by some layer.  Returns ZKM_EINVAL with the first problem
 * found. */
zkm_status gkr_circuit_check(const gkr_circuit *c, zkm_err *e);

/* BLAKE2b-256 over a canonical serialization of the whole circuit: any
 * change to a kind, size, view, gate or coefficient changes it. */
void gkr_circuit_digest(const gkr_circuit *c, uint8_t out[GKR_DIGEST_BYTES]);

/* Name of a kind ("input", "generic", ...). */
const char *gkr_kind_name(gkr_kind k);

/* The views layer l reads (*out points into its parameters, so a caller
 * building a circuit may renumber them); 0 for input layers. */
uint32_t gkr_layer_views(gkr_layer *l, gkr_view **out);

/* Number of multiply-or-add operations a layer performs to compute its
 * values (gates for generic layers, 2^(m+k+n) for matrix products): the
 * circuit size used in statistics. */
uint64_t gkr_layer_ops(const gkr_layer *l);

#endif
