/* Mini-batch SGD for .zkm models (train.h). */
#include "train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "zkm_rng.h"

void trn_opts_default(trn_opts *o)
{
    *o = (trn_opts){.seed = 1, .epochs = 20, .batch = 16, .lr = 0.05, .lr_decay = 0.9,
                    .weight_clip = 0.9, .range_frac = 0.5, .range_penalty = 0.1};
}

/* Largest magnitude of a format: 2^(bits - frac - 1). */
static double fmt_range(zkm_qfmt f)
{
    return ldexp(1.0, (int)f.bits - (int)f.frac - 1);
}

static zkm_status check_model(const zkm_model *m, const syn_set *d, zkm_err *e)
{
    if (m->n_inputs != 1)
        return zkm_fail(e, ZKM_EINVAL, "%s: the trainer takes models of one input", m->name);
    for (uint32_t i = 0; i < m->n_nodes; i++)
        if (m->nodes[i].op == ZKM_OP_BATCHNORM)
            return zkm_fail(e, ZKM_EINVAL, "%s: the trainer cannot train a batchnorm",
                            m->nodes[i].name);
    const zkm_node *in = &m->nodes[m->inputs[0]];
    if (zkm_shape_count(&in->shape) != d->per)
        return zkm_fail(e, ZKM_EINVAL, "the data's samples have %llu entries, input '%s' %llu",
                        (unsigned long long)d->per, in->name,
                        (unsigned long long)zkm_shape_count(&in->shape));
    if (zkm_shape_count(&m->nodes[m->output].shape) < d->classes)
        return zkm_fail(e, ZKM_EINVAL, "the data has %u classes, the output %llu entries",
                        d->classes, (unsigned long long)zkm_shape_count(&m->nodes[m->output].shape));
    return ZKM_OK;
}

/* The seeded weights of `zkm --seed` (zkm_net_seeded_weights). */
static zkm_status init_weights(const zkm_model *m, uint64_t seed, zkm_tensor_set *w, zkm_err *e)
{
    zkm_net *n = NULL;
    zkm_tensor_set_init(w);
    zkm_status st = zkm_net_init(m, &n, e);
    if (!st)
        st = zkm_net_seeded_weights(n, seed, w, e);
    zkm_net_free(n);
    return st;
}

/* Gradients: per node, per weight tensor of the node (in zkm_node.w order). */
typedef struct {
    double ***gw;   /* gw[i][k]: gradient of node i's k-th tensor */
    double **g;     /* per node: d loss / d value */
} grads;

static void grads_free(const zkm_model *m, grads *G)
{
    for (uint32_t i = 0; G->gw && i < m->n_nodes; i++) {
        for (uint32_t k = 0; G->gw[i] && k < m->nodes[i].n_w; k++)
            free(G->gw[i][k]);
        free(G->gw[i]);
    }
    dr_dvals_free(m, G->g);
    free(G->gw);
}

static zkm_status grads_init(const zkm_model *m, grads *G, zkm_err *e)
{
    G->gw = zkm_calloc(m->n_nodes, sizeof *G->gw, "gradients", e);
    G->g = dr_dvals_new(m, e);
    if (!G->gw || !G->g)
        return ZKM_ENOMEM;
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        const zkm_node *d = &m->nodes[i];
        if (!d->n_w)
            continue;
        if (!(G->gw[i] = zkm_calloc(d->n_w, sizeof *G->gw[i], "gradients", e)))
            return ZKM_ENOMEM;
        for (uint32_t k = 0; k < d->n_w; k++)
            if (!(G->gw[i][k] = zkm_calloc(d->w[k].count, sizeof(double), "gradients", e)))
                return ZKM_ENOMEM;
    }
    return ZKM_OK;
}

/* The index in zkm_node.w of the tensor with this role. */
static uint32_t w_index(const zkm_node *d, zkm_wrole role)
{
    for (uint32_t k = 0; k < d->n_w; k++)
        if (d->w[k].role == role)
            return k;
    return UINT32_MAX;
}

/* Backward through node i: G->g[i] is complete; add to its inputs' and
 * parameters' gradients. */
static void backward(const zkm_model *m, const zkm_tensor_set *w, double *const *v, grads *G,
                     uint32_t i)
{
    const zkm_node *d = &m->nodes[i];
    const double *g = G->g[i];
    const uint64_t cnt = zkm_shape_count(&d->shape);
    if (d->op == ZKM_OP_INPUT)
        return;
    const double *x = v[d->in[0]];
    double *gx = G->g[d->in[0]];
    switch (d->op) {
    case ZKM_OP_DENSE: {
        const uint64_t n_in = zkm_shape_count(&m->nodes[d->in[0]].shape);
        const double *W = dr_tensor(m, i, w, ZKM_W_WEIGHT)->data;
        double *gW = G->gw[i][w_index(d, ZKM_W_WEIGHT)];
        const uint32_t bi = w_index(d, ZKM_W_BIAS);
        for (uint32_t r = 0; r < d->u.dense.out; r++) {
            if (bi != UINT32_MAX)
                G->gw[i][bi][r] += g[r];
            for (uint64_t k = 0; k < n_in; k++) {
                gW[(size_t)r * n_in + k] += g[r] * x[k];
                gx[k] += W[(size_t)r * n_in + k] * g[r];
            }
        }
        break;
    }
    case ZKM_OP_CONV2D: {
        const zkm_shape *si = &m->nodes[d->in[0]].shape;
        const uint32_t ci = si->dim[0];
        const uint32_t Ho = d->shape.dim[1], Wo = d->shape.dim[2];
        const uint32_t kh = d->u.conv2d.kh, kw = d->u.conv2d.kw;
        const double *K = dr_tensor(m, i, w, ZKM_W_WEIGHT)->data;
        double *gK = G->gw[i][w_index(d, ZKM_W_WEIGHT)];
        const uint32_t bi = w_index(d, ZKM_W_BIAS);
        for (uint32_t oc = 0; oc < d->u.conv2d.out; oc++)
            for (uint32_t y = 0; y < Ho; y++)
                for (uint32_t xx = 0; xx < Wo; xx++) {
                    const double go = g[((size_t)oc * Ho + y) * Wo + xx];
                    if (bi != UINT32_MAX)
                        G->gw[i][bi][oc] += go;
                    for (uint32_t c = 0; c < ci; c++)
                        for (uint32_t dy = 0; dy < kh; dy++)
                            for (uint32_t dx = 0; dx < kw; dx++) {
                                const int64_t xk = dr_conv_src(d, si, c, y, xx, dy, dx);
                                if (xk < 0)
                                    continue;
                                const size_t ki = (((size_t)oc * ci + c) * kh + dy) * kw + dx;
                                gK[ki] += go * x[xk];
                                gx[xk] += K[ki] * go;
                            }
                }
        break;
    }
    case ZKM_OP_RELU:
        for (uint64_t k = 0; k < cnt; k++)
            if (x[k] > 0)
                gx[k] += g[k];
        break;
    case ZKM_OP_MAXPOOL:
    case ZKM_OP_AVGPOOL: {
        const bool max = d->op == ZKM_OP_MAXPOOL;
        const zkm_shape *si = &m->nodes[d->in[0]].shape;
        const uint32_t H = si->dim[si->rank - 2], W = si->dim[si->rank - 1];
        const uint32_t C = si->rank == 3 ? si->dim[0] : 1;
        const uint32_t Ho = d->shape.dim[d->shape.rank - 2], Wo = d->shape.dim[d->shape.rank - 1];
        const double win = (double)d->u.pool.kh * d->u.pool.kw;
        for (uint32_t c = 0; c < C; c++)
            for (uint32_t y = 0; y < Ho; y++)
                for (uint32_t xx = 0; xx < Wo; xx++) {
                    const double go = g[((size_t)c * Ho + y) * Wo + xx];
                    size_t best = SIZE_MAX;
                    double acc = -INFINITY;
                    for (uint32_t dy = 0; dy < d->u.pool.kh; dy++)
                        for (uint32_t dx = 0; dx < d->u.pool.kw; dx++) {
                            const size_t xk = ((size_t)c * H + (size_t)y * d->u.pool.sh + dy) * W +
                                              (size_t)xx * d->u.pool.sw + dx;
                            if (!max)
                                gx[xk] += go / win;
                            else if (x[xk] > acc)
                                acc = x[xk], best = xk;
                        }
                    if (max && best != SIZE_MAX)
                        gx[best] += go;
                }
        break;
    }
    case ZKM_OP_ADD:
        for (uint64_t k = 0; k < cnt; k++) {
            gx[k] += g[k];
            G->g[d->in[1]][k] += g[k];
        }
        break;
    default: /* flatten, reshape, rescale: the identity */
        for (uint64_t k = 0; k < cnt; k++)
            gx[k] += g[k];
        break;
    }
}

/* Range penalty of node i's values v (added to G->g[i]); returns its loss. */
static double penalty(const trn_opts *o, const zkm_node *d, const double *v, double *g)
{
    /* the operations whose result can leave its format (relu, maxpool,
     * flatten and reshape keep their input's values or fewer) */
    if (o->range_penalty <= 0 || (d->op != ZKM_OP_DENSE && d->op != ZKM_OP_CONV2D &&
                                  d->op != ZKM_OP_AVGPOOL && d->op != ZKM_OP_ADD &&
                                  d->op != ZKM_OP_RESCALE))
        return 0;
    const double lim = o->range_frac * fmt_range(d->fmt);
    double loss = 0;
    for (uint64_t k = 0; k < zkm_shape_count(&d->shape); k++) {
        const double a = fabs(v[k]) - lim;
        if (a > 0) {
            loss += o->range_penalty * a * a;
            g[k] += 2 * o->range_penalty * a * (v[k] > 0 ? 1 : -1);
        }
    }
    return loss;
}

/* Softmax cross-entropy of output z (n entries) against label y: the loss,
 * and its gradient added to g. */
static double xent(const double *z, uint64_t n, int64_t y, double *g)
{
    double mx = z[0], sum = 0;
    for (uint64_t k = 1; k < n; k++)
        if (z[k] > mx)
            mx = z[k];
    for (uint64_t k = 0; k < n; k++)
        sum += exp(z[k] - mx);
    for (uint64_t k = 0; k < n; k++)
        g[k] += exp(z[k] - mx) / sum - (k == (uint64_t)y ? 1 : 0);
    return log(sum) - (z[y] - mx);
}

/* One SGD step: w -= rate * gw, then the clip; gradients zeroed. */
static void step(const zkm_model *m, zkm_tensor_set *w, grads *G, double rate, const trn_opts *o)
{
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        const zkm_node *d = &m->nodes[i];
        for (uint32_t k = 0; k < d->n_w; k++) {
            zkm_tensor *t = (zkm_tensor *)zkm_tensor_set_find(w, d->w[k].name);
            const double lim = d->w[k].role == ZKM_W_WEIGHT && o->weight_clip > 0
                                   ? o->weight_clip * fmt_range(d->wfmt)
                                   : INFINITY;
            for (size_t j = 0; j < t->count; j++) {
                double x = t->data[j] - rate * G->gw[i][k][j];
                t->data[j] = x > lim ? lim : x < -lim ? -lim : x;
                G->gw[i][k][j] = 0;
            }
        }
    }
}

zkm_status trn_train(const zkm_model *m, const syn_set *data, const trn_opts *o, trn_log_fn log,
                     void *log_ctx, zkm_tensor_set *w, zkm_err *e)
{
    zkm_tensor_set_init(w);
    zkm_status st = check_model(m, data, e);
    if (st)
        return st;
    if (o->batch == 0 || !(o->lr > 0))
        return zkm_fail(e, ZKM_EINVAL, "train: batch and learning rate must be positive");
    const zkm_node *inode = &m->nodes[m->inputs[0]];
    const uint64_t n_out = zkm_shape_count(&m->nodes[m->output].shape);
    grads G = {0};
    uint64_t *order = zkm_calloc(data->n, sizeof *order, "sample order", e);
    if (!order)
        return ZKM_ENOMEM;
    st = init_weights(m, o->seed, w, e);
    if (!st)
        st = grads_init(m, &G, e);
    zkm_rng g;
    zkm_rng_init(&g, o->seed, "zkm/train/shuffle");
    for (uint64_t k = 0; k < data->n; k++)
        order[k] = k;
    double rate = o->lr;
    for (uint32_t ep = 0; ep < o->epochs && !st; ep++) {
        for (uint64_t k = data->n - 1; k > 0; k--) {
            const uint64_t j = zkm_rng_below(&g, k + 1), t = order[k];
            order[k] = order[j];
            order[j] = t;
        }
        double loss = 0, pen = 0;
        uint64_t right = 0;
        for (uint64_t k = 0; k < data->n && !st; k++) {
            zkm_tensor_set in;
            double **v = NULL;
            const uint64_t s = order[k];
            st = syn_sample(data, s, inode->name, &in, e);
            if (!st)
                st = dr_native(m, w, &in, FE_F64, &v, e);
            zkm_tensor_set_free(&in);
            if (st)
                break;
            for (uint32_t i = 0; i < m->n_nodes; i++)
                memset(G.g[i], 0, zkm_shape_count(&m->nodes[i].shape) * sizeof(double));
            const double *z = v[m->output];
            right += dr_argmax(z, n_out) == (uint64_t)data->y[s];
            loss += xent(z, n_out, data->y[s], G.g[m->output]);
            for (uint32_t i = 0; i < m->n_nodes; i++)
                pen += penalty(o, &m->nodes[i], v[i], G.g[i]);
            for (uint32_t i = m->n_nodes; i-- > 0;)
                backward(m, w, v, &G, i);
            dr_dvals_free(m, v);
            if ((k + 1) % o->batch == 0 || k + 1 == data->n) {
                const uint64_t in_batch = (k % o->batch) + 1;
                step(m, w, &G, rate / (double)in_batch, o);
            }
        }
        if (!st && !isfinite(loss + pen))
            st = zkm_fail(e, ZKM_EINVAL, "training diverged in epoch %u (loss %g): lower the "
                          "learning rate or the range penalty", ep + 1, loss + pen);
        if (!st && log)
            log(log_ctx, ep + 1, (loss + pen) / (double)data->n, pen / (double)data->n,
                (double)right / (double)data->n);
        rate *= o->lr_decay;
    }
    /* the weights as float32 values, as a float32 file holds them */
    for (size_t t = 0; !st && t < w->n; t++) {
        w->t[t].dtype = ZKM_TENSOR_F32;
        for (size_t j = 0; j < w->t[t].count; j++)
            w->t[t].data[j] = (double)(float)w->t[t].data[j];
    }
    grads_free(m, &G);
    free(order);
    if (st)
        zkm_tensor_set_free(w);
    return st;
}

zkm_status trn_accuracy(const zkm_model *m, const zkm_tensor_set *w, const syn_set *data,
                        double *acc, zkm_err *e)
{
    zkm_status st = check_model(m, data, e);
    const uint64_t n_out = zkm_shape_count(&m->nodes[m->output].shape);
    uint64_t right = 0;
    for (uint64_t k = 0; k < data->n && !st; k++) {
        zkm_tensor_set in;
        double **v = NULL;
        st = syn_sample(data, k, m->nodes[m->inputs[0]].name, &in, e);
        if (!st)
            st = dr_native(m, w, &in, FE_F64, &v, e);
        zkm_tensor_set_free(&in);
        if (!st)
            right += dr_argmax(v[m->output], n_out) == (uint64_t)data->y[k];
        dr_dvals_free(m, v);
    }
    if (!st)
        *acc = data->n ? (double)right / (double)data->n : 0;
    return st;
}
