/* The body of dr_native for one C type, included by native.c with
 *   T      float or double
 *   SQRT   sqrtf or sqrt
 *   NATIVE the function's name
 * Every operation is one C operation on T, rounded to T (FLT_EVAL_METHOD
 * is 0 on the targets zkm builds for, and -std=c11 keeps GCC from fusing a
 * multiply and an add); the order is eval.h's.  Node values are kept in
 * v (dr_dvals_new), widened to double: every T is a double exactly, so
 * reading one back as (T) gives the T again. */

static zkm_status NATIVE(const zkm_model *m, const zkm_tensor_set *ws, const zkm_tensor_set *in,
                         double **v, zkm_err *e)
{
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        const zkm_node *d = &m->nodes[i];
        const uint64_t cnt = zkm_shape_count(&d->shape);
        double *o = v[i];
        const double *x = d->n_in ? v[d->in[0]] : NULL;
        switch (d->op) {
        case ZKM_OP_INPUT: {
            const zkm_tensor *t = dr_input(m, d->u.input.index, in);
            if (!t)
                return zkm_fail(e, ZKM_EFORMAT, "no tensor of %llu values for input '%s'",
                                (unsigned long long)cnt, d->name);
            for (uint64_t k = 0; k < cnt; k++)
                o[k] = (T)t->data[k];
            break;
        }
        case ZKM_OP_DENSE: {
            const uint64_t n_in = zkm_shape_count(&m->nodes[d->in[0]].shape);
            const zkm_tensor *wt = dr_tensor(m, i, ws, ZKM_W_WEIGHT);
            const zkm_tensor *bt = dr_tensor(m, i, ws, ZKM_W_BIAS);
            for (uint32_t r = 0; r < d->u.dense.out; r++) {
                T acc = bt ? (T)bt->data[r] : (T)0;
                for (uint64_t k = 0; k < n_in; k++) {
                    const T p = (T)wt->data[(size_t)r * n_in + k] * (T)x[k];
                    acc = acc + p;
                }
                o[r] = acc;
            }
            break;
        }
        case ZKM_OP_CONV2D: {
            const zkm_shape *si = &m->nodes[d->in[0]].shape;
            const uint32_t ci = si->dim[0];
            const uint32_t Ho = d->shape.dim[1], Wo = d->shape.dim[2];
            const uint32_t kh = d->u.conv2d.kh, kw = d->u.conv2d.kw;
            const zkm_tensor *wt = dr_tensor(m, i, ws, ZKM_W_WEIGHT);
            const zkm_tensor *bt = dr_tensor(m, i, ws, ZKM_W_BIAS);
            for (uint32_t oc = 0; oc < d->u.conv2d.out; oc++)
                for (uint32_t y = 0; y < Ho; y++)
                    for (uint32_t xx = 0; xx < Wo; xx++) {
                        T acc = bt ? (T)bt->data[oc] : (T)0;
                        for (uint32_t c = 0; c < ci; c++)
                            for (uint32_t dy = 0; dy < kh; dy++)
                                for (uint32_t dx = 0; dx < kw; dx++) {
                                    const int64_t xk = dr_conv_src(d, si, c, y, xx, dy, dx);
                                    if (xk < 0)
                                        continue;
                                    const T p =
                                        (T)wt->data[(((size_t)oc * ci + c) * kh + dy) * kw + dx] *
                                        (T)x[xk];
                                    acc = acc + p;
                                }
                        o[((size_t)oc * Ho + y) * Wo + xx] = acc;
                    }
            break;
        }
        case ZKM_OP_RELU:
            for (uint64_t k = 0; k < cnt; k++)
                o[k] = x[k] > 0 ? x[k] : 0;
            break;
        case ZKM_OP_MAXPOOL:
        case ZKM_OP_AVGPOOL: {
            const bool max = d->op == ZKM_OP_MAXPOOL;
            const zkm_shape *si = &m->nodes[d->in[0]].shape;
            const uint32_t H = si->dim[si->rank - 2], W = si->dim[si->rank - 1];
            const uint32_t C = si->rank == 3 ? si->dim[0] : 1;
            const uint32_t Ho = d->shape.dim[d->shape.rank - 2];
            const uint32_t Wo = d->shape.dim[d->shape.rank - 1];
            const T div = (T)((double)d->u.pool.kh * d->u.pool.kw);
            for (uint32_t c = 0; c < C; c++)
                for (uint32_t y = 0; y < Ho; y++)
                    for (uint32_t xx = 0; xx < Wo; xx++) {
                        T acc = max ? (T)-INFINITY : (T)0;
                        for (uint32_t dy = 0; dy < d->u.pool.kh; dy++)
                            for (uint32_t dx = 0; dx < d->u.pool.kw; dx++) {
                                const size_t xk =
                                    ((size_t)c * H + (size_t)y * d->u.pool.sh + dy) * W +
                                    (size_t)xx * d->u.pool.sw + dx;
                                const T a = (T)x[xk];
                                acc = max ? (a > acc ? a : acc) : acc + a;
                            }
                        o[((size_t)c * Ho + y) * Wo + xx] = max ? acc : acc / div;
                    }
            break;
        }
        case ZKM_OP_ADD: {
            const double *y = v[d->in[1]];
            for (uint64_t k = 0; k < cnt; k++)
                o[k] = (T)x[k] + (T)y[k];
            break;
        }
        case ZKM_OP_BATCHNORM: {
            const zkm_tensor *g = dr_tensor(m, i, ws, ZKM_W_BN_WEIGHT);
            const zkm_tensor *be = dr_tensor(m, i, ws, ZKM_W_BN_BIAS);
            const zkm_tensor *mu = dr_tensor(m, i, ws, ZKM_W_BN_MEAN);
            const zkm_tensor *var = dr_tensor(m, i, ws, ZKM_W_BN_VAR);
            const uint64_t C = d->shape.rank == 3 ? d->shape.dim[0] : cnt, per = cnt / C;
            const T eps = (T)d->u.bn.eps;
            for (uint64_t k = 0; k < cnt; k++) {
                const uint64_t c = k / per;
                const T t1 = (T)x[k] - (T)mu->data[c];
                const T t2 = (T)var->data[c] + eps;
                const T t3 = SQRT(t2);
                const T t4 = t1 / t3;
                const T t5 = t4 * (T)g->data[c];
                o[k] = t5 + (T)be->data[c];
            }
            break;
        }
        case ZKM_OP_FLATTEN:
        case ZKM_OP_RESHAPE:
        case ZKM_OP_RESCALE:
            memcpy(o, x, cnt * sizeof *o);
            break;
        default:
            return zkm_fail(e, ZKM_EINVAL, "%s: unknown operation", d->name);
        }
    }
    return ZKM_OK;
}
