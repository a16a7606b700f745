/* Real weights and inputs to the model's integers (lang/SPEC.md section 8):
 * batchnorm folded on the real values, then q = floor(v 2^f + 1/2) exactly,
 * and a value that does not fit its format is an error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "net_impl.h"

/* floor(v * 2^f + 1/2) in exact arithmetic: v * 2^f is exact in double, and
 * adding 1/2 in double could round (0.49999999999999994 + 0.5 = 1). */
static int quantize(double v, uint32_t f, double lo, double hi, double *out)
{
    const double y = ldexp(v, (int)f);
    if (!isfinite(y))
        return 0;
    const double fl = floor(y);
    const double q = fl + (y - fl >= 0.5 ? 1 : 0);
    if (q < lo || q > hi)
        return 0;
    *out = q;
    return 1;
}

/* Node i's real weight and bias, batchnorm folded: fresh arrays. */
static zkm_status folded(const zkm_model *m, uint32_t i, const zkm_tensor_set *w, double **W,
                         double **B, size_t *nw, uint32_t *out, zkm_err *e)
{
    const zkm_node *d = &m->nodes[i];
    const zkm_tensor *wt = lw_find_tensor(m, i, w, ZKM_W_WEIGHT), *bt = lw_find_tensor(m, i, w, ZKM_W_BIAS);
    const uint32_t bn = d->op == ZKM_OP_DENSE ? d->u.dense.bn : d->u.conv2d.bn;
    *out = d->op == ZKM_OP_DENSE ? d->u.dense.out : d->u.conv2d.out;
    *nw = wt->count;
    *W = malloc(wt->count * sizeof(double));
    *B = calloc(*out, sizeof(double));
    if (!*W || !*B)
        return zkm_fail(e, ZKM_ENOMEM, "out of memory folding weights");
    memcpy(*W, wt->data, wt->count * sizeof(double));
    if (bt)
        memcpy(*B, bt->data, *out * sizeof(double));
    if (bn == ZKM_NONE)
        return ZKM_OK;
    const zkm_tensor *g = lw_find_tensor(m, bn, w, ZKM_W_BN_WEIGHT), *be = lw_find_tensor(m, bn, w, ZKM_W_BN_BIAS);
    const zkm_tensor *mu = lw_find_tensor(m, bn, w, ZKM_W_BN_MEAN), *var = lw_find_tensor(m, bn, w, ZKM_W_BN_VAR);
    const size_t per = wt->count / *out;
    for (uint32_t c = 0; c < *out; c++) {
        const double scale = g->data[c] / sqrt(var->data[c] + m->nodes[bn].u.bn.eps);
        if (!isfinite(scale))
            return zkm_fail(e, ZKM_EFORMAT, "%s: batchnorm channel %u has scale %g (running_var "
                            "%g)", m->nodes[bn].name, c, scale, var->data[c]);
        for (size_t k = 0; k < per; k++)
            (*W)[c * per + k] *= scale;
        (*B)[c] = ((*B)[c] - mu->data[c]) * scale + be->data[c];
    }
    return ZKM_OK;
}

static zkm_status quantize_node(const zkm_model *m, uint32_t i, const zkm_tensor_set *w,
                                lw_qparams *q, zkm_err *e)
{
    const zkm_node *d = &m->nodes[i];
    double *W = NULL, *B = NULL;
    size_t nw;
    uint32_t out;
    zkm_status st = folded(m, i, w, &W, &B, &nw, &out, e);
    if (st)
        goto done;
    const double lo = -ldexp(1, (int)d->wfmt.bits - 1), hi = ldexp(1, (int)d->wfmt.bits - 1) - 1;
    const char *wname = d->w[0].name;
    q->w = malloc(nw * sizeof(int32_t));
    if (!q->w) {
        st = zkm_fail(e, ZKM_ENOMEM, "out of memory quantizing weights");
        goto done;
    }
    for (size_t k = 0; k < nw; k++) {
        double v;
        if (!quantize(W[k], d->wfmt.frac, lo, hi, &v)) {
            char f[16];
            zkm_qfmt_str(d->wfmt, f, sizeof f);
            const uint32_t bn = d->op == ZKM_OP_DENSE ? d->u.dense.bn : d->u.conv2d.bn;
            st = zkm_fail(e, ZKM_EFORMAT, "%s: element %zu is %.9g%s, outside %s (%g..%g)",
                          wname, k, W[k], bn != ZKM_NONE ? " after batchnorm folding" : "", f,
                          ldexp(lo, -(int)d->wfmt.frac), ldexp(hi, -(int)d->wfmt.frac));
            goto done;
        }
        q->w[k] = (int32_t)v;
    }
    const bool bias = d->op == ZKM_OP_DENSE ? (d->u.dense.bias || d->u.dense.bn != ZKM_NONE)
                                            : (d->u.conv2d.bias || d->u.conv2d.bn != ZKM_NONE);
    if (bias) {
        const uint32_t fb = m->nodes[d->in[0]].fmt.frac + d->wfmt.frac;
        q->b = malloc(out * sizeof(int64_t));
        if (!q->b) {
            st = zkm_fail(e, ZKM_ENOMEM, "out of memory quantizing weights");
            goto done;
        }
        for (uint32_t c = 0; c < out; c++) {
            double v;
            if (!quantize(B[c], fb, -0x1p62, 0x1p62 - 1, &v)) {
                st = zkm_fail(e, ZKM_EFORMAT, "%s: bias %u is %.9g, beyond 2^62 at frac %u",
                              d->name, c, B[c], fb);
                goto done;
            }
            q->b[c] = (int64_t)v;
        }
    }
done:
    free(W);
    free(B);
    return st;
}

void lw_qweights_free(struct zkm_qweights *q)
{
    if (!q || !q->p)
        return;
    for (uint32_t i = 0; i < q->n; i++) {
        free(q->p[i].w);
        free(q->p[i].b);
    }
    free(q->p);
    q->p = NULL;
}

zkm_status lw_quantize_weights(const zkm_model *m, const zkm_tensor_set *w,
                               struct zkm_qweights *out, char **report, zkm_err *e)
{
    size_t n = 0;
    for (uint32_t i = 0; i < m->n_nodes; i++)
        n += m->nodes[i].n_w;
    zkm_tensor_spec *spec = zkm_calloc(n ? n : 1, sizeof *spec, "weight list", e);
    if (!spec)
        return ZKM_ENOMEM;
    n = 0;
    for (uint32_t i = 0; i < m->n_nodes; i++)
        for (uint32_t k = 0; k < m->nodes[i].n_w; k++) {
            const zkm_wtensor *t = &m->nodes[i].w[k];
            spec[n].name = t->name;
            spec[n].rank = t->rank;
            for (uint32_t r = 0; r < t->rank; r++)
                spec[n].shape[r] = t->dim[r];
            n++;
        }
    zkm_status st = zkm_tensors_match(w, spec, n, report, e);
    free(spec);
    if (st)
        return st;
    out->n = m->n_nodes;
    out->p = zkm_calloc(m->n_nodes, sizeof *out->p, "weights", e);
    if (!out->p)
        return ZKM_ENOMEM;
    for (uint32_t i = 0; i < m->n_nodes && !st; i++)
        if (m->nodes[i].op == ZKM_OP_DENSE || m->nodes[i].op == ZKM_OP_CONV2D)
            st = quantize_node(m, i, w, &out->p[i], e);
    if (st)
        lw_qweights_free(out);
    return st;
}

static uint64_t fan_in(const zkm_model *m, uint32_t i)
{
    const zkm_node *d = &m->nodes[i];
    if (d->op == ZKM_OP_DENSE)
        return zkm_shape_count(&m->nodes[d->in[0]].shape);
    if (d->op == ZKM_OP_CONV2D)
        return (uint64_t)m->nodes[d->in[0]].shape.dim[0] * d->u.conv2d.kh * d->u.conv2d.kw;
    return 16; /* batchnorm: values in [-1/4, 1/4) */
}

zkm_status lw_seeded_weights(const zkm_model *m, uint64_t seed, zkm_tensor_set *out, zkm_err *e)
{
    zkm_tensor_set_init(out);
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        const zkm_node *d = &m->nodes[i];
        for (uint32_t k = 0; k < d->n_w; k++) {
            const zkm_wtensor *t = &d->w[k];
            uint64_t shape[4];
            for (uint32_t r = 0; r < t->rank; r++)
                shape[r] = t->dim[r];
            zkm_tensor x;
            zkm_status st = zkm_tensor_random(t->name, shape, t->rank, fan_in(m, i), seed,
                                              ZKM_TENSOR_RAND_WEIGHT, &x, e);
            if (st) {
                zkm_tensor_set_free(out);
                return st;
            }
            /* batchnorm: gamma 1 + w, beta w, mean w, var 1 + |w| */
            for (size_t j = 0; j < x.count; j++) {
                if (t->role == ZKM_W_BN_WEIGHT)
                    x.data[j] += 1;
                else if (t->role == ZKM_W_BN_VAR)
                    x.data[j] = 1 + fabs(x.data[j]);
            }
            x.dtype = ZKM_TENSOR_F32;
            st = zkm_tensor_set_add(out, &x, e);
            if (st) {
                zkm_tensor_free(&x);
                zkm_tensor_set_free(out);
                return st;
            }
        }
    }
    return ZKM_OK;
}

zkm_status lw_seeded_inputs(const zkm_model *m, uint64_t seed, zkm_tensor_set *out, zkm_err *e)
{
    zkm_tensor_set_init(out);
    for (uint32_t k = 0; k < m->n_inputs; k++) {
        const zkm_node *d = &m->nodes[m->inputs[k]];
        uint64_t shape[3];
        for (uint32_t r = 0; r < d->shape.rank; r++)
            shape[r] = d->shape.dim[r];
        zkm_tensor x;
        zkm_status st = zkm_tensor_random(d->name, shape, d->shape.rank, 1, seed,
                                          ZKM_TENSOR_RAND_INPUT, &x, e);
        if (!st)
            st = zkm_tensor_set_add(out, &x, e);
        if (st) {
            zkm_tensor_free(&x);
            zkm_tensor_set_free(out);
            return st;
        }
    }
    return ZKM_OK;
}

const zkm_tensor *lw_input_tensor(const zkm_model *m, uint32_t k, const zkm_tensor_set *in)
{
    const zkm_tensor *t = zkm_tensor_set_find(in, m->nodes[m->inputs[k]].name);
    if (!t && m->n_inputs == 1 && in->n == 1)
        t = &in->t[0];
    return t;
}

static bool shape_ok(const zkm_shape *s, const zkm_tensor *t)
{
    uint32_t off = 0;
    if (t->rank == s->rank + 1 && t->shape[0] == 1)
        off = 1; /* a batch of one */
    if (t->rank != s->rank + off)
        return false;
    for (uint32_t r = 0; r < s->rank; r++)
        if (t->shape[r + off] != s->dim[r])
            return false;
    return true;
}

zkm_status lw_quantize_inputs(const zkm_model *m, const zkm_tensor_set *in, zkm_qinputs *out,
                              zkm_err *e)
{
    out->n = m->n_inputs;
    out->q = zkm_calloc(m->n_inputs ? m->n_inputs : 1, sizeof *out->q, "inputs", e);
    if (!out->q)
        return ZKM_ENOMEM;
    for (uint32_t k = 0; k < m->n_inputs; k++) {
        const zkm_node *d = &m->nodes[m->inputs[k]];
        const zkm_tensor *t = lw_input_tensor(m, k, in);
        char want[64];
        zkm_shape_str(&d->shape, want, sizeof want);
        zkm_status st = ZKM_OK;
        if (!t)
            st = zkm_fail(e, ZKM_EFORMAT, "no tensor for input '%s' %s", d->name, want);
        else if (!shape_ok(&d->shape, t)) {
            char got[64];
            zkm_tensor_shape_str(t->shape, t->rank, got, sizeof got);
            st = zkm_fail(e, ZKM_EFORMAT, "input '%s': expected %s, found %s", d->name, want, got);
        }
        if (!st && !(out->q[k] = malloc(t->count * sizeof(int32_t))))
            st = zkm_fail(e, ZKM_ENOMEM, "out of memory quantizing the input");
        const double lo = -ldexp(1, (int)d->fmt.bits - 1), hi = ldexp(1, (int)d->fmt.bits - 1) - 1;
        for (size_t j = 0; !st && j < t->count; j++) {
            double v;
            if (!quantize(t->data[j], d->fmt.frac, lo, hi, &v)) {
                char f[16];
                zkm_qfmt_str(d->fmt, f, sizeof f);
                st = zkm_fail(e, ZKM_EFORMAT, "input '%s': element %zu is %.9g, outside %s "
                              "(%g..%g)", d->name, j, t->data[j], f, ldexp(lo, -(int)d->fmt.frac),
                              ldexp(hi, -(int)d->fmt.frac));
            } else {
                out->q[k][j] = (int32_t)v;
            }
        }
        if (st) {
            zkm_qinputs_free(out);
            return st;
        }
    }
    return ZKM_OK;
}

void zkm_qinputs_free(zkm_qinputs *q)
{
    if (!q || !q->q)
        return;
    for (uint32_t k = 0; k < q->n; k++)
        free(q->q[k]);
    free(q->q);
    q->q = NULL;
    q->n = 0;
}
