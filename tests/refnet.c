/* refnet: the test oracle of refnet.h.  Written from lang/SPEC.md and
 * lang/model.h alone; see the header for the contract.
 *
 * Layout: every value is a flat int64_t array in row-major order of its
 * shape ([N], [H, W] or [C, H, W]); x[(c * H + h) * W + w] is entry
 * (c, h, w).  One array per node, freed after its last reader.
 *
 * Sizes: entries are at most 32 bits (formats are 2..32 bits), weights at
 * most 32 bits and biases below 2^62 in magnitude, so a product is below
 * 2^62 and a dot product of K terms below K * 2^62 + 2^62; K is at most a
 * weight tensor's element count (<= 2^40), far inside __int128. */
#include "refnet.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef __int128 i128;

#define RN_MAX_BIAS_D 0x1p62      /* |quantized bias| must stay below */
#define RN_MAX_SHIFT 100u         /* far above any shift the SPEC allows */

typedef struct {
    const zkm_model *m;
    const zkm_tensor_set *weights;
    const zkm_tensor_set *inputs;
    char *err;
    size_t errlen;
} rn_ctx;

/* ------------------------------------------------------------------ */
/* Messages                                                            */

static int rn_fail(rn_ctx *c, uint32_t ni, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Write "OP 'NAME': <message>" (or just the message when ni is ZKM_NONE)
 * into the caller's buffer; returns -1 so callers can `return rn_fail()`. */
static int rn_fail(rn_ctx *c, uint32_t ni, const char *fmt, ...)
{
    if (!c->err || c->errlen == 0)
        return -1;
    size_t k = 0;
    if (ni != ZKM_NONE) {
        const zkm_node *n = &c->m->nodes[ni];
        int r = snprintf(c->err, c->errlen, "%s '%s': ", zkm_op_name(n->op),
                         n->name ? n->name : "?");
        if (r < 0)
            r = 0;
        k = (size_t)r;
        if (k >= c->errlen)
            return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + k, c->errlen - k, fmt, ap);
    va_end(ap);
    return -1;
}

/* Decimal text of v (buf of at least 42 bytes). */
static const char *i128_str(i128 v, char *buf)
{
    char tmp[42];
    int k = 0, j = 0;
    unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
    do {
        tmp[k++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    if (v < 0)
        buf[j++] = '-';
    while (k)
        buf[j++] = tmp[--k];
    buf[j] = '\0';
    return buf;
}

/* "q8.4 (-128..127)" */
static const char *fmt_str(zkm_qfmt f, char *buf, size_t cap)
{
    long long lim = 1LL << (f.bits - 1);
    snprintf(buf, cap, "q%u.%u (%lld..%lld)", f.bits, f.frac, -lim, lim - 1);
    return buf;
}

/* ------------------------------------------------------------------ */
/* Arithmetic                                                          */

/* -2^(bits-1) <= q < 2^(bits-1) */
static bool fits_bits(i128 q, uint32_t bits)
{
    i128 lim = (i128)1 << (bits - 1);
    return q >= -lim && q < lim;
}

/* floor(v * 2^frac + 1/2), exactly.  Adding 1/2 in double could round
 * (0.49999999999999994 + 0.5 is 1.0), so the halves are compared instead:
 * y = v * 2^frac is exact (a power-of-two scaling that does not overflow)
 * and y - floor(y) is exact wherever the comparison with 1/2 depends on it
 * (for |y| >= 1 it is a multiple of y's ulp; for -1 < y < 0 it is 1 - |y|,
 * exact when |y| >= 1/2 and above 1/2 anyway otherwise).  Returns -1 for a
 * non-finite v or a result of magnitude 2^62 or more. */
static int quantize(double v, uint32_t frac, i128 *q)
{
    if (!isfinite(v))
        return -1;
    double y = ldexp(v, (int)frac);
    if (!isfinite(y))
        return -1;
    double fl = floor(y);
    /* doubles near 2^62 are 1024 apart, so |fl| < 2^62 leaves |fl + 1| < 2^62 */
    if (!(fabs(fl) < RN_MAX_BIAS_D))
        return -1;
    *q = (i128)(int64_t)fl + (y - fl >= 0.5 ? 1 : 0);
    return 0;
}

/* floor((s + 2^(shift-1)) / 2^shift), s when shift = 0.  Written with C's
 * truncating division and an explicit correction toward -infinity, not with
 * >>, so nothing depends on how a compiler shifts negative numbers. */
static i128 round_shift(i128 s, uint32_t shift)
{
    if (shift == 0)
        return s;
    i128 d = (i128)1 << shift;
    i128 t = s + d / 2;
    i128 q = t / d;
    if (t % d != 0 && t < 0)
        q -= 1;
    return q;
}

/* Entry k of node ni's result from its exact value s: rescaled by the
 * node's shift and range-checked against its bits. */
static int put_result(rn_ctx *c, uint32_t ni, size_t k, i128 s, int64_t *dst)
{
    const zkm_node *n = &c->m->nodes[ni];
    i128 q = round_shift(s, n->shift);
    if (!fits_bits(q, n->fmt.bits)) {
        char b1[42], b2[42], f[64];
        if (n->shift)
            return rn_fail(c, ni, "entry %zu: exact value %s shifted right by %u gives %s, outside %s",
                           k, i128_str(s, b1), n->shift, i128_str(q, b2),
                           fmt_str(n->fmt, f, sizeof f));
        return rn_fail(c, ni, "entry %zu: value %s is outside %s", k, i128_str(q, b2),
                       fmt_str(n->fmt, f, sizeof f));
    }
    dst[k] = (int64_t)q;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Checking the IR against what this file expects                      */

static bool same_shape(const zkm_shape *a, const zkm_shape *b)
{
    if (a->rank != b->rank)
        return false;
    for (uint32_t k = 0; k < a->rank; k++)
        if (a->dim[k] != b->dim[k])
            return false;
    return true;
}

static bool fmt_ok(zkm_qfmt f) { return f.bits >= 2 && f.bits <= 32 && f.frac <= 32; }

/* log2 of v if v is a power of two, else -1. */
static int log2_exact(uint64_t v)
{
    if (v == 0 || (v & (v - 1)) != 0)
        return -1;
    int k = 0;
    while (v > 1) {
        v >>= 1;
        k++;
    }
    return k;
}

/* Output [C, floor((H + 2p - k) / s) + 1, ...] of a window op, or false if
 * the window does not fit. */
static bool window_dim(uint32_t in, uint32_t k, uint32_t s, uint32_t pad, uint32_t *out)
{
    uint64_t padded = (uint64_t)in + 2 * (uint64_t)pad;
    if (k == 0 || s == 0 || k > padded)
        return false;
    *out = (uint32_t)((padded - k) / s + 1);
    return true;
}

/* Recompute node ni's shape, shift and format relations from its inputs
 * and compare with what the IR says. */
static int validate(rn_ctx *c, uint32_t ni)
{
    const zkm_model *m = c->m;
    const zkm_node *n = &m->nodes[ni];
    char f1[64], f2[64];
    uint32_t want_in = n->op == ZKM_OP_INPUT ? 0 : n->op == ZKM_OP_ADD ? 2 : 1;
    if ((unsigned)n->op >= ZKM_OP_COUNT)
        return rn_fail(c, ni, "unknown operation %d", (int)n->op);
    if (n->n_in != want_in)
        return rn_fail(c, ni, "has %u inputs, expected %u", n->n_in, want_in);
    for (uint32_t k = 0; k < n->n_in; k++)
        if (n->in[k] >= ni)
            return rn_fail(c, ni, "reads node %u, not an earlier node", n->in[k]);
    if (!fmt_ok(n->fmt))
        return rn_fail(c, ni, "format q%u.%u out of range", n->fmt.bits, n->fmt.frac);
    if (n->shape.rank < 1 || n->shape.rank > ZKM_MAX_RANK)
        return rn_fail(c, ni, "rank %u", n->shape.rank);

    const zkm_node *a = n->n_in > 0 ? &m->nodes[n->in[0]] : NULL;
    zkm_shape want = {0};
    int64_t shift = 0; /* expected right shift */
    bool keeps_fmt = false;
    switch (n->op) {
    case ZKM_OP_INPUT:
        want = n->shape;
        break;
    case ZKM_OP_DENSE:
        if (a->shape.rank != 1)
            return rn_fail(c, ni, "input '%s' is not a vector", a->name);
        if (!fmt_ok(n->wfmt))
            return rn_fail(c, ni, "weight format q%u.%u out of range", n->wfmt.bits,
                           n->wfmt.frac);
        want.rank = 1;
        want.dim[0] = n->u.dense.out;
        shift = (int64_t)a->fmt.frac + n->wfmt.frac - n->fmt.frac;
        break;
    case ZKM_OP_CONV2D:
        if (a->shape.rank != 3)
            return rn_fail(c, ni, "input '%s' is not [C, H, W]", a->name);
        if (!fmt_ok(n->wfmt))
            return rn_fail(c, ni, "weight format q%u.%u out of range", n->wfmt.bits,
                           n->wfmt.frac);
        want.rank = 3;
        want.dim[0] = n->u.conv2d.out;
        if (!window_dim(a->shape.dim[1], n->u.conv2d.kh, n->u.conv2d.sh, n->u.conv2d.ph,
                        &want.dim[1]) ||
            !window_dim(a->shape.dim[2], n->u.conv2d.kw, n->u.conv2d.sw, n->u.conv2d.pw,
                        &want.dim[2]))
            return rn_fail(c, ni, "kernel does not fit the padded input");
        shift = (int64_t)a->fmt.frac + n->wfmt.frac - n->fmt.frac;
        break;
    case ZKM_OP_MAXPOOL:
    case ZKM_OP_AVGPOOL: {
        uint32_t kh = n->u.pool.kh, kw = n->u.pool.kw;
        if (a->shape.rank != 3)
            return rn_fail(c, ni, "input '%s' is not [C, H, W]", a->name);
        want.rank = 3;
        want.dim[0] = a->shape.dim[0];
        if (!window_dim(a->shape.dim[1], kh, n->u.pool.sh, 0, &want.dim[1]) ||
            !window_dim(a->shape.dim[2], kw, n->u.pool.sw, 0, &want.dim[2]))
            return rn_fail(c, ni, "window does not fit the input");
        if (n->op == ZKM_OP_MAXPOOL) {
            keeps_fmt = true;
        } else {
            int l = log2_exact((uint64_t)kh * kw);
            if (l < 0)
                return rn_fail(c, ni, "window %ux%u is not a power of two", kh, kw);
            shift = (int64_t)a->fmt.frac + l - n->fmt.frac;
        }
        break;
    }
    case ZKM_OP_RELU:
    case ZKM_OP_BATCHNORM:
        want = a->shape;
        keeps_fmt = true;
        break;
    case ZKM_OP_FLATTEN:
        if (a->shape.rank < 2)
            return rn_fail(c, ni, "flattens a vector");
        want.rank = 1;
        want.dim[0] = (uint32_t)zkm_shape_count(&a->shape);
        keeps_fmt = true;
        break;
    case ZKM_OP_RESHAPE:
        if (zkm_shape_count(&n->shape) != zkm_shape_count(&a->shape))
            return rn_fail(c, ni, "changes the number of entries");
        want = n->shape;
        keeps_fmt = true;
        break;
    case ZKM_OP_ADD: {
        const zkm_node *b = &m->nodes[n->in[1]];
        if (!same_shape(&a->shape, &b->shape))
            return rn_fail(c, ni, "adds different shapes");
        if (a->fmt.frac != b->fmt.frac)
            return rn_fail(c, ni, "adds different fracs %u and %u", a->fmt.frac, b->fmt.frac);
        want = a->shape;
        shift = (int64_t)a->fmt.frac - n->fmt.frac;
        break;
    }
    case ZKM_OP_RESCALE:
        want = a->shape;
        shift = (int64_t)a->fmt.frac - n->fmt.frac;
        break;
    }
    if (!same_shape(&want, &n->shape))
        return rn_fail(c, ni, "IR shape disagrees with the operation's shape rule");
    if (keeps_fmt && (a->fmt.bits != n->fmt.bits || a->fmt.frac != n->fmt.frac))
        return rn_fail(c, ni, "format %s differs from its input's %s", fmt_str(n->fmt, f1, 64),
                       fmt_str(a->fmt, f2, 64));
    if (shift < 0 || shift > RN_MAX_SHIFT)
        return rn_fail(c, ni, "rescale shift %lld out of range", (long long)shift);
    if ((int64_t)n->shift != shift)
        return rn_fail(c, ni, "IR shift %u, expected %lld from the formats", n->shift,
                       (long long)shift);

    if (n->op == ZKM_OP_BATCHNORM) {
        uint32_t t = n->u.bn.target;
        if (t != n->in[0])
            return rn_fail(c, ni, "is not folded into the node it reads");
        const zkm_node *tn = &m->nodes[t];
        uint32_t back = tn->op == ZKM_OP_DENSE    ? tn->u.dense.bn
                        : tn->op == ZKM_OP_CONV2D ? tn->u.conv2d.bn
                                                  : ZKM_NONE;
        if (back != ni)
            return rn_fail(c, ni, "its target '%s' does not point back to it", tn->name);
    }
    if (n->op == ZKM_OP_DENSE || n->op == ZKM_OP_CONV2D) {
        uint32_t bn = n->op == ZKM_OP_DENSE ? n->u.dense.bn : n->u.conv2d.bn;
        if (bn != ZKM_NONE &&
            (bn >= m->n_nodes || m->nodes[bn].op != ZKM_OP_BATCHNORM ||
             m->nodes[bn].u.bn.target != ni))
            return rn_fail(c, ni, "folded batchnorm %u does not point back to it", bn);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Weights                                                             */

/* The tensor node ni lists with role r, looked up in the weights and
 * shape-checked; *t = NULL when the node lists none (an error if
 * required). */
static int get_w(rn_ctx *c, uint32_t ni, zkm_wrole r, bool required, const zkm_tensor **t)
{
    const zkm_node *n = &c->m->nodes[ni];
    const zkm_wtensor *wt = NULL;
    *t = NULL;
    for (uint32_t k = 0; k < n->n_w; k++)
        if (n->w[k].role == r)
            wt = &n->w[k];
    if (!wt) {
        if (required)
            return rn_fail(c, ni, "lists no weight tensor of role %d", (int)r);
        return 0;
    }
    const zkm_tensor *x = zkm_tensor_set_find(c->weights, wt->name);
    if (!x)
        return rn_fail(c, ni, "weight tensor '%s' missing", wt->name);
    bool ok = x->rank == wt->rank;
    for (uint32_t k = 0; ok && k < wt->rank; k++)
        ok = x->shape[k] == wt->dim[k];
    if (!ok)
        return rn_fail(c, ni, "weight tensor '%s' has the wrong shape", wt->name);
    *t = x;
    return 0;
}

/* Quantized weights of dense/conv2d node ni: *wq its out * per_out weights
 * in PyTorch order ([out, in] or [out, C, kh, kw]) at wfmt, *bq its out
 * biases at frac f_in + f_w (zero without a bias), with the batchnorm
 * folded in when there is one. */
static int layer_params(rn_ctx *c, uint32_t ni, uint32_t out, uint64_t per_out, int64_t **wq,
                        i128 **bq)
{
    const zkm_model *m = c->m;
    const zkm_node *n = &m->nodes[ni];
    bool has_bias = n->op == ZKM_OP_DENSE ? n->u.dense.bias : n->u.conv2d.bias;
    uint32_t bn = n->op == ZKM_OP_DENSE ? n->u.dense.bn : n->u.conv2d.bn;
    uint32_t bfrac = m->nodes[n->in[0]].fmt.frac + n->wfmt.frac;
    const zkm_tensor *W, *B, *G = NULL, *Be = NULL, *Mu = NULL, *Var = NULL;
    double eps = 0;
    char f[64];

    *wq = NULL;
    *bq = NULL;
    if (get_w(c, ni, ZKM_W_WEIGHT, true, &W) || get_w(c, ni, ZKM_W_BIAS, has_bias, &B))
        return -1;
    if (W->count != (uint64_t)out * per_out)
        return rn_fail(c, ni, "weight tensor '%s' has %zu entries, expected %llu", W->name,
                       W->count, (unsigned long long)out * per_out);
    if (B && B->count != out)
        return rn_fail(c, ni, "bias tensor '%s' has %zu entries, expected %u", B->name,
                       B->count, out);
    if (bn != ZKM_NONE) {
        if (get_w(c, bn, ZKM_W_BN_WEIGHT, true, &G) || get_w(c, bn, ZKM_W_BN_BIAS, true, &Be) ||
            get_w(c, bn, ZKM_W_BN_MEAN, true, &Mu) || get_w(c, bn, ZKM_W_BN_VAR, true, &Var))
            return -1;
        if (G->count != out || Be->count != out || Mu->count != out || Var->count != out)
            return rn_fail(c, bn, "statistics have the wrong length (expected %u)", out);
        eps = m->nodes[bn].u.bn.eps;
    }

    /* + 1: never calloc(0) */
    *wq = calloc((size_t)(out * per_out) + 1, sizeof **wq);
    *bq = calloc((size_t)out + 1, sizeof **bq);
    if (!*wq || !*bq)
        return rn_fail(c, ni, "out of memory");
    for (uint32_t o = 0; o < out; o++) {
        double b = B ? B->data[o] : 0.0;
        double scale = 1.0;
        if (bn != ZKM_NONE) {
            scale = G->data[o] / sqrt(Var->data[o] + eps);
            if (!isfinite(scale))
                return rn_fail(c, bn, "channel %u: gamma / sqrt(var + eps) is not finite", o);
            b = (b - Mu->data[o]) * scale + Be->data[o];
        }
        for (uint64_t k = 0; k < per_out; k++) {
            size_t idx = (size_t)(o * per_out + k);
            double v = W->data[idx];
            if (bn != ZKM_NONE)
                v = v * scale;
            i128 q;
            if (quantize(v, n->wfmt.frac, &q) || !fits_bits(q, n->wfmt.bits))
                return rn_fail(c, ni, "weight %s[%zu] = %.17g%s does not fit %s", W->name, idx,
                               v, bn != ZKM_NONE ? " (batchnorm folded)" : "",
                               fmt_str(n->wfmt, f, sizeof f));
            (*wq)[idx] = (int64_t)q;
        }
        if ((B || bn != ZKM_NONE) && quantize(b, bfrac, &(*bq)[o]))
            return rn_fail(c, ni, "bias of output %u = %.17g at frac %u is not finite or reaches "
                           "2^62 in magnitude", o, b, bfrac);
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Operations: each fills y (the node's entries) from its inputs       */

static int run_input(rn_ctx *c, uint32_t ni, int64_t *y)
{
    const zkm_node *n = &c->m->nodes[ni];
    const zkm_tensor *t = zkm_tensor_set_find(c->inputs, n->name);
    char f[64];
    if (!t)
        return rn_fail(c, ni, "no input tensor named '%s'", n->name);
    bool ok = t->rank == n->shape.rank;
    for (uint32_t k = 0; ok && k < n->shape.rank; k++)
        ok = t->shape[k] == n->shape.dim[k];
    if (!ok)
        return rn_fail(c, ni, "input tensor has the wrong shape");
    for (size_t k = 0; k < t->count; k++) {
        i128 q;
        if (quantize(t->data[k], n->fmt.frac, &q) || !fits_bits(q, n->fmt.bits))
            return rn_fail(c, ni, "entry %zu = %.17g does not fit %s", k, t->data[k],
                           fmt_str(n->fmt, f, sizeof f));
        y[k] = (int64_t)q;
    }
    return 0;
}

static int run_dense(rn_ctx *c, uint32_t ni, const int64_t *x, int64_t *y)
{
    const zkm_node *n = &c->m->nodes[ni];
    uint32_t out = n->u.dense.out;
    uint32_t in = c->m->nodes[n->in[0]].shape.dim[0];
    int64_t *w;
    i128 *b;
    int rc = layer_params(c, ni, out, in, &w, &b);
    for (uint32_t o = 0; rc == 0 && o < out; o++) {
        i128 s = b[o];
        for (uint32_t i = 0; i < in; i++)
            s += (i128)w[(size_t)o * in + i] * x[i];
        rc = put_result(c, ni, o, s, y);
    }
    free(w);
    free(b);
    return rc;
}

static int run_conv2d(rn_ctx *c, uint32_t ni, const int64_t *x, int64_t *y)
{
    const zkm_node *n = &c->m->nodes[ni];
    const zkm_shape *is = &c->m->nodes[n->in[0]].shape;
    int64_t C = is->dim[0], H = is->dim[1], W = is->dim[2];
    int64_t O = n->u.conv2d.out, OH = n->shape.dim[1], OW = n->shape.dim[2];
    int64_t kh = n->u.conv2d.kh, kw = n->u.conv2d.kw;
    int64_t sh = n->u.conv2d.sh, sw = n->u.conv2d.sw;
    int64_t ph = n->u.conv2d.ph, pw = n->u.conv2d.pw;
    int64_t *w;
    i128 *b;
    int rc = layer_params(c, ni, (uint32_t)O, (uint64_t)(C * kh * kw), &w, &b);
    for (int64_t o = 0; rc == 0 && o < O; o++)
        for (int64_t oy = 0; rc == 0 && oy < OH; oy++)
            for (int64_t ox = 0; rc == 0 && ox < OW; ox++) {
                i128 s = b[o];
                for (int64_t ci = 0; ci < C; ci++)
                    for (int64_t ky = 0; ky < kh; ky++)
                        for (int64_t kx = 0; kx < kw; kx++) {
                            int64_t iy = oy * sh + ky - ph, ix = ox * sw + kx - pw;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                continue; /* zero padding */
                            s += (i128)w[((o * C + ci) * kh + ky) * kw + kx] *
                                 x[(ci * H + iy) * W + ix];
                        }
                rc = put_result(c, ni, (size_t)((o * OH + oy) * OW + ox), s, y);
            }
    free(w);
    free(b);
    return rc;
}

/* maxpool and avgpool: max or exact sum over each window */
static int run_pool(rn_ctx *c, uint32_t ni, const int64_t *x, int64_t *y)
{
    const zkm_node *n = &c->m->nodes[ni];
    const zkm_shape *is = &c->m->nodes[n->in[0]].shape;
    int64_t C = is->dim[0], H = is->dim[1], W = is->dim[2];
    int64_t OH = n->shape.dim[1], OW = n->shape.dim[2];
    int64_t kh = n->u.pool.kh, kw = n->u.pool.kw, sh = n->u.pool.sh, sw = n->u.pool.sw;
    bool is_max = n->op == ZKM_OP_MAXPOOL;
    for (int64_t ch = 0; ch < C; ch++)
        for (int64_t oy = 0; oy < OH; oy++)
            for (int64_t ox = 0; ox < OW; ox++) {
                i128 s = is_max ? x[(ch * H + oy * sh) * W + ox * sw] : 0;
                for (int64_t ky = 0; ky < kh; ky++)
                    for (int64_t kx = 0; kx < kw; kx++) {
                        int64_t v = x[(ch * H + oy * sh + ky) * W + ox * sw + kx];
                        if (is_max)
                            s = v > s ? v : s;
                        else
                            s += v;
                    }
                if (put_result(c, ni, (size_t)((ch * OH + oy) * OW + ox), s, y))
                    return -1;
            }
    return 0;
}

/* relu, flatten, reshape, batchnorm, rescale, add: entry by entry */
static int run_entrywise(rn_ctx *c, uint32_t ni, const int64_t *x, const int64_t *x2, int64_t *y,
                         size_t count)
{
    zkm_op op = c->m->nodes[ni].op;
    for (size_t k = 0; k < count; k++) {
        i128 s = x[k];
        if (op == ZKM_OP_RELU && s < 0)
            s = 0;
        if (op == ZKM_OP_ADD)
            s += x2[k];
        if (put_result(c, ni, k, s, y))
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */

int refnet_run(const zkm_model *m, const zkm_tensor_set *weights, const zkm_tensor_set *inputs,
               int64_t **out, size_t *n_out, char *err, size_t errlen)
{
    rn_ctx c = {m, weights, inputs, err, errlen};
    if (err && errlen)
        err[0] = '\0';
    if (!out || !n_out)
        return rn_fail(&c, ZKM_NONE, "refnet_run: out and n_out are required");
    *out = NULL;
    *n_out = 0;
    if (!m || !weights || !inputs)
        return rn_fail(&c, ZKM_NONE, "refnet_run: model, weights and inputs are required");
    if (m->n_nodes == 0 || m->output >= m->n_nodes)
        return rn_fail(&c, ZKM_NONE, "model has no valid output node");

    int64_t **val = calloc(m->n_nodes, sizeof *val);
    uint32_t *last = calloc(m->n_nodes, sizeof *last); /* last reader of each node */
    int rc = 0;
    if (!val || !last) {
        rc = rn_fail(&c, ZKM_NONE, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < m->n_nodes; i++)
        for (uint32_t k = 0; k < m->nodes[i].n_in && k < 2; k++)
            if (m->nodes[i].in[k] < m->n_nodes)
                last[m->nodes[i].in[k]] = i;

    for (uint32_t i = 0; i < m->n_nodes && rc == 0; i++) {
        const zkm_node *n = &m->nodes[i];
        if ((rc = validate(&c, i)) != 0)
            break;
        uint64_t count = zkm_shape_count(&n->shape);
        if (count > SIZE_MAX / sizeof(int64_t) || !(val[i] = calloc(count, sizeof(int64_t)))) {
            rc = rn_fail(&c, i, "out of memory for %llu entries", (unsigned long long)count);
            break;
        }
        const int64_t *x = n->n_in > 0 ? val[n->in[0]] : NULL;
        const int64_t *x2 = n->n_in > 1 ? val[n->in[1]] : NULL;
        switch (n->op) {
        case ZKM_OP_INPUT:
            rc = run_input(&c, i, val[i]);
            break;
        case ZKM_OP_DENSE:
            rc = run_dense(&c, i, x, val[i]);
            break;
        case ZKM_OP_CONV2D:
            rc = run_conv2d(&c, i, x, val[i]);
            break;
        case ZKM_OP_MAXPOOL:
        case ZKM_OP_AVGPOOL:
            rc = run_pool(&c, i, x, val[i]);
            break;
        default: /* relu, flatten, reshape, add, batchnorm, rescale */
            rc = run_entrywise(&c, i, x, x2, val[i], (size_t)count);
            break;
        }
        for (uint32_t k = 0; k < n->n_in; k++) {
            uint32_t j = n->in[k];
            if (last[j] == i && j != m->output) {
                free(val[j]);
                val[j] = NULL;
            }
        }
    }
    if (rc == 0) {
        *out = val[m->output];
        *n_out = (size_t)zkm_shape_count(&m->nodes[m->output].shape);
        val[m->output] = NULL;
    }
done:
    if (val)
        for (uint32_t i = 0; i < m->n_nodes; i++)
            free(val[i]);
    free(val);
    free(last);
    return rc ? -1 : 0;
}
