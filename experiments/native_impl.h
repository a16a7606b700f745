/* The body of dr_native for one C type, included by native.c with
 *   T      float or double
 *   SQRT   sqrtf or sqrt
 *   NATIVE the function's name
 * Every operation is one C operation on T, rounded to T (FLT_EVAL_METHOD
 * is 0 on the targets zkm builds for, and -std=c11 keeps GCC from fusing a
 * multiply and an add); the order is eval.h's. */

static zkm_status NATIVE(const zkm_model *m, const zkm_tensor_set *ws, const zkm_tensor_set *in,
                         double **out, zkm_err *e)
{
    T **v = zkm_calloc(m->n_nodes, sizeof *v, "float inference", e);
    zkm_status st = v ? ZKM_OK : ZKM_ENOMEM;
    for (uint32_t i = 0; i < m->n_nodes && !st; i++) {
        const zkm_node *d = &m->nodes[i];
        const uint64_t cnt = zkm_shape_count(&d->shape);
        T *o = v[i] = zkm_calloc(cnt, sizeof(T), "float inference", e);
        if (!o) {
            st = ZKM_ENOMEM;
            break;
        }
        const T *x = d->n_in ? v[d->in[0]] : NULL;
        switch (d->op) {
        case ZKM_OP_INPUT: {
            const zkm_tensor *t = dr_input(m, d->u.input.index, in);
            if (!t) {
                st = zkm_fail(e, ZKM_EFORMAT, "no tensor of %llu values for input '%s'",
                              (unsigned long long)cnt, d->name);
                break;
            }
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
                    const T p = (T)wt->data[(size_t)r * n_in + k] * x[k];
                    acc = acc + p;
                }
                o[r] = acc;
            }
            break;
        }
        case ZKM_OP_CONV2D: {
            const zkm_shape *si = &m->nodes[d->in[0]].shape;
            const uint32_t ci = si->dim[0], H = si->dim[1], W = si->dim[2];
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
                                    const int64_t yy =
                                        (int64_t)y * d->u.conv2d.sh + dy - d->u.conv2d.ph;
                                    const int64_t xi =
                                        (int64_t)xx * d->u.conv2d.sw + dx - d->u.conv2d.pw;
                                    if (yy < 0 || yy >= H || xi < 0 || xi >= W)
                                        continue;
                                    const T p =
                                        (T)wt->data[(((size_t)oc * ci + c) * kh + dy) * kw + dx] *
                                        x[((size_t)c * H + (size_t)yy) * W + (size_t)xi];
                                    acc = acc + p;
                                }
                        o[((size_t)oc * Ho + y) * Wo + xx] = acc;
                    }
            break;
        }
        case ZKM_OP_RELU:
            for (uint64_t k = 0; k < cnt; k++)
                o[k] = x[k] > 0 ? x[k] : (T)0;
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
                                const T a = x[((size_t)c * H + (size_t)y * d->u.pool.sh + dy) * W +
                                              (size_t)xx * d->u.pool.sw + dx];
                                acc = max ? (a > acc ? a : acc) : acc + a;
                            }
                        o[((size_t)c * Ho + y) * Wo + xx] = max ? acc : acc / div;
                    }
            break;
        }
        case ZKM_OP_ADD: {
            const T *y = v[d->in[1]];
            for (uint64_t k = 0; k < cnt; k++)
                o[k] = x[k] + y[k];
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
                const T t1 = x[k] - (T)mu->data[c];
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
            memcpy(o, x, cnt * sizeof(T));
            break;
        default:
            st = zkm_fail(e, ZKM_EINVAL, "%s: unknown operation", d->name);
        }
    }
    for (uint32_t i = 0; i < m->n_nodes && !st; i++) {
        const uint64_t cnt = zkm_shape_count(&m->nodes[i].shape);
        if (!(out[i] = zkm_calloc(cnt, sizeof(double), "float inference", e))) {
            st = ZKM_ENOMEM;
            break;
        }
        for (uint64_t k = 0; k < cnt; k++)
            out[i][k] = (double)v[i][k];
    }
    if (v)
        for (uint32_t i = 0; i < m->n_nodes; i++)
            free(v[i]);
    free(v);
    return st;
}
