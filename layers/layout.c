/* Frame sizes for every node (lower.h).
 *
 * Constraints, for each node with a frame (rb rows and wb column bits):
 *   - it holds its tensor: 2^rb >= H, 2^wb >= W;
 *   - a conv2d reads its input at the origin and writes its full-resolution
 *     (stride 1) result into the input's frame, so that frame also holds
 *     the stride-1 output (H + 2 ph - kh + 1 rows, likewise columns); with a
 *     stride s (a power of two) the output's frame is the input's divided by
 *     s (the stride keeps index bits whose low log2 s bits are zero);
 *   - a pooling window (window = stride, a power of two) divides the frame
 *     the same way;
 *   - relu, rescale, add and batchnorm keep the frame; an add's operands share it;
 *   - dense reads any frame (its weight columns follow the frame) and writes
 *     a vector; flatten and reshape pass their input's frame through.
 * The divisions are equalities between frames: sizes grow until every
 * constraint holds (a monotone fixpoint); a model whose constraints cannot
 * all hold (a cycle of strides through an add) is refused. */
#include <stdlib.h>

#include "lower.h"

static uint32_t log2_exact(uint32_t x)
{
    return (x & (x - 1)) == 0 ? lw_log2_ceil(x) : UINT32_MAX;
}

/* (C, H, W) of a shape: vectors are 1 x 1 x N, matrices 1 x H x W. */
static void shape_chw(const zkm_shape *s, uint32_t *C, uint32_t *H, uint32_t *W)
{
    *C = *H = 1;
    if (s->rank == 1) {
        *W = s->dim[0];
    } else if (s->rank == 2) {
        *H = s->dim[0];
        *W = s->dim[1];
    } else {
        *C = s->dim[0];
        *H = s->dim[1];
        *W = s->dim[2];
    }
}

uint64_t lw_frame_index(const lw_frame *f, uint64_t i)
{
    const uint64_t x = i % f->W, y = (i / f->W) % f->H, c = i / ((uint64_t)f->W * f->H);
    return (c << (f->rb + f->wb)) | (y << f->wb) | x;
}

typedef struct {
    uint32_t from, to; /* frame(to) = frame(from) / 2^(dr, dw) */
    uint32_t dr, dw;
} edge;

static zkm_status refuse(const zkm_model *m, uint32_t i, zkm_err *e, const char *why)
{
    return zkm_fail(e, ZKM_EFORMAT, "%s: %s (%s:%u:%u)", m->nodes[i].name, why, m->path,
                    m->nodes[i].loc.line, m->nodes[i].loc.col);
}

zkm_status lw_layout(const zkm_model *m, lw_node *nodes, zkm_err *e)
{
    const uint32_t n = m->n_nodes;
    edge *edges = zkm_calloc(2 * (size_t)n + 1, sizeof *edges, "layout edges", e);
    if (!edges)
        return ZKM_ENOMEM;
    uint32_t ne = 0;
    zkm_status st = ZKM_OK;

    for (uint32_t i = 0; i < n; i++) {
        const zkm_node *d = &m->nodes[i];
        lw_node *x = &nodes[i];
        x->storage = i;
        for (uint32_t k = 0; k < d->n_in; k++)
            nodes[d->in[k]].readers++;
        uint32_t C, H, W;
        shape_chw(&d->shape, &C, &H, &W);
        x->frame = (lw_frame){.C = C, .H = H, .W = W, .cb = lw_log2_ceil(C), .rb = lw_log2_ceil(H),
                              .wb = lw_log2_ceil(W)};
        if (!lw_op_get(d->op)->lower) { /* passes its input's values through */
            x->storage = nodes[d->in[0]].storage;
            continue;
        }
        const uint32_t src = d->n_in ? nodes[d->in[0]].storage : LW_NONE;
        switch (d->op) {
        case ZKM_OP_CONV2D: {
            const zkm_node *in = &m->nodes[d->in[0]];
            if (src != d->in[0] && in->op != ZKM_OP_BATCHNORM)
                { st = refuse(m, i, e, "the prover needs a conv2d's input as an image, not "
                                       "reshaped from another shape"); goto done; }
            const uint32_t a = log2_exact(d->u.conv2d.sh), b = log2_exact(d->u.conv2d.sw);
            if (a == UINT32_MAX || b == UINT32_MAX)
                { st = refuse(m, i, e, "the prover supports conv2d strides that are powers "
                                       "of two"); goto done; }
            lw_frame *fi = &nodes[src].frame;
            const uint64_t h1 = (uint64_t)fi->H + 2 * d->u.conv2d.ph - d->u.conv2d.kh + 1;
            const uint64_t w1 = (uint64_t)fi->W + 2 * d->u.conv2d.pw - d->u.conv2d.kw + 1;
            if (lw_log2_ceil(h1) > fi->rb)
                fi->rb = lw_log2_ceil(h1);
            if (lw_log2_ceil(w1) > fi->wb)
                fi->wb = lw_log2_ceil(w1);
            edges[ne++] = (edge){src, i, a, b};
            break;
        }
        case ZKM_OP_MAXPOOL:
        case ZKM_OP_AVGPOOL: {
            const uint32_t a = log2_exact(d->u.pool.kh), b = log2_exact(d->u.pool.kw);
            if (d->u.pool.sh != d->u.pool.kh || d->u.pool.sw != d->u.pool.kw || a == UINT32_MAX ||
                b == UINT32_MAX)
                { st = refuse(m, i, e, "the prover supports pooling windows equal to their "
                                       "stride, with power-of-two sides"); goto done; }
            if (src != d->in[0] && m->nodes[d->in[0]].op != ZKM_OP_BATCHNORM)
                { st = refuse(m, i, e, "the prover needs a pooling input as an image, not "
                                       "reshaped from another shape"); goto done; }
            edges[ne++] = (edge){src, i, a, b};
            break;
        }
        case ZKM_OP_RELU:
        case ZKM_OP_RESCALE:
        case ZKM_OP_ADD: {
            /* entry by entry: the values keep their input's frame (a relu
             * after a flatten works on the image frame) */
            const lw_frame *f0 = &nodes[src].frame;
            x->frame = *f0;
            for (uint32_t k = 0; k < d->n_in; k++) {
                const lw_frame *fk = &nodes[nodes[d->in[k]].storage].frame;
                if (fk->C != f0->C || fk->H != f0->H || fk->W != f0->W)
                    { st = refuse(m, i, e, "the prover needs both operands of an add laid out "
                                           "alike (one of them is reshaped)"); goto done; }
                edges[ne++] = (edge){nodes[d->in[k]].storage, i, 0, 0};
            }
            break;
        }
        default:
            break;
        }
    }

    /* grow frames until every division holds exactly */
    for (uint32_t round = 0;; round++) {
        bool changed = false;
        for (uint32_t k = 0; k < ne; k++) {
            lw_frame *f = &nodes[edges[k].from].frame, *t = &nodes[edges[k].to].frame;
            if (f->rb < t->rb + edges[k].dr)
                f->rb = t->rb + edges[k].dr, changed = true;
            if (f->wb < t->wb + edges[k].dw)
                f->wb = t->wb + edges[k].dw, changed = true;
            if (t->rb < f->rb - edges[k].dr)
                t->rb = f->rb - edges[k].dr, changed = true;
            if (t->wb < f->wb - edges[k].dw)
                t->wb = f->wb - edges[k].dw, changed = true;
            if (f->rb > 24 || f->wb > 24 || t->rb > 24 || t->wb > 24) {
                st = refuse(m, edges[k].to, e, "cannot lay out the image frames: strides "
                                               "and adds disagree");
                goto done;
            }
        }
        if (!changed)
            break;
        if (round > 4 * n + 64) {
            st = refuse(m, n - 1, e, "cannot lay out the image frames");
            goto done;
        }
    }
    for (uint32_t i = 0; i < n; i++)
        if (nodes[i].storage != i)
            nodes[i].frame = nodes[nodes[i].storage].frame;
    for (uint32_t i = 0; i < n; i++)
        if (lw_frame_nvars(&nodes[i].frame) > 30) {
            st = refuse(m, i, e, "its frame exceeds 2^30 entries");
            goto done;
        }
done:
    free(edges);
    return st;
}
