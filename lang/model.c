#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void zkm_nodes_free(zkm_node *nodes, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        zkm_node *x = &nodes[i];
        free(x->name);
        free(x->wname);
        for (uint32_t k = 0; k < x->n_w; k++)
            free(x->w[k].name);
        free(x->w);
    }
    free(nodes);
}

void zkm_model_free(zkm_model *m)
{
    if (!m)
        return;
    zkm_nodes_free(m->nodes, m->n_nodes);
    free(m->inputs);
    free(m->name);
    free(m->path);
    free(m);
}

static const char *const op_names[ZKM_OP_COUNT] = {
    [ZKM_OP_INPUT] = "input",         [ZKM_OP_DENSE] = "dense",
    [ZKM_OP_CONV2D] = "conv2d",       [ZKM_OP_RELU] = "relu",
    [ZKM_OP_MAXPOOL] = "maxpool",     [ZKM_OP_AVGPOOL] = "avgpool",
    [ZKM_OP_FLATTEN] = "flatten",     [ZKM_OP_RESHAPE] = "reshape",
    [ZKM_OP_ADD] = "add",             [ZKM_OP_BATCHNORM] = "batchnorm",
    [ZKM_OP_RESCALE] = "rescale",
};

const char *zkm_op_name(zkm_op op)
{
    return (unsigned)op < ZKM_OP_COUNT ? op_names[op] : "?";
}

uint64_t zkm_shape_count(const zkm_shape *s)
{
    uint64_t c = 1;
    for (uint32_t i = 0; i < s->rank && i < ZKM_MAX_RANK; i++)
        if (__builtin_mul_overflow(c, s->dim[i], &c))
            return UINT64_MAX;
    return c;
}

uint32_t zkm_model_find(const zkm_model *m, const char *name)
{
    for (uint32_t i = 0; i < m->n_nodes; i++)
        if (strcmp(m->nodes[i].name, name) == 0)
            return i;
    return ZKM_NONE;
}

/* snprintf that appends at *k and keeps counting past cap */
static void put(char *buf, size_t cap, size_t *k, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t cap, size_t *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(*k < cap ? buf + *k : NULL, *k < cap ? cap - *k : 0, fmt, ap);
    va_end(ap);
    if (n > 0)
        *k += (size_t)n;
}

size_t zkm_shape_str(const zkm_shape *s, char *buf, size_t cap)
{
    size_t k = 0;
    if (cap)
        buf[0] = '\0';
    put(buf, cap, &k, "[");
    for (uint32_t i = 0; i < s->rank && i < ZKM_MAX_RANK; i++)
        put(buf, cap, &k, "%s%u", i ? ", " : "", s->dim[i]);
    put(buf, cap, &k, "]");
    return k;
}

size_t zkm_qfmt_str(zkm_qfmt f, char *buf, size_t cap)
{
    size_t k = 0;
    if (cap)
        buf[0] = '\0';
    put(buf, cap, &k, "q%u.%u", f.bits, f.frac);
    return k;
}

static void pair(char *buf, size_t cap, size_t *k, const char *what, uint32_t h, uint32_t w)
{
    if (h == w)
        put(buf, cap, k, ", %s %u", what, h);
    else
        put(buf, cap, k, ", %s %ux%u", what, h, w);
}

size_t zkm_node_describe(const zkm_model *m, uint32_t i, char *buf, size_t cap)
{
    size_t k = 0;
    if (cap)
        buf[0] = '\0';
    if (i >= m->n_nodes)
        return 0;
    const zkm_node *n = &m->nodes[i];
    put(buf, cap, &k, "%s", zkm_op_name(n->op));
    switch (n->op) {
    case ZKM_OP_DENSE:
        put(buf, cap, &k, " %u -> %u%s", m->nodes[n->in[0]].shape.dim[0], n->u.dense.out,
            n->u.dense.bias ? ", bias" : "");
        if (n->u.dense.bn != ZKM_NONE)
            put(buf, cap, &k, ", folds %s", m->nodes[n->u.dense.bn].name);
        break;
    case ZKM_OP_CONV2D:
        put(buf, cap, &k, " %ux%u, %u channels", n->u.conv2d.kh, n->u.conv2d.kw,
            n->u.conv2d.out);
        if (n->u.conv2d.sh != 1 || n->u.conv2d.sw != 1)
            pair(buf, cap, &k, "stride", n->u.conv2d.sh, n->u.conv2d.sw);
        if (n->u.conv2d.ph || n->u.conv2d.pw)
            pair(buf, cap, &k, "padding", n->u.conv2d.ph, n->u.conv2d.pw);
        if (n->u.conv2d.bias)
            put(buf, cap, &k, ", bias");
        if (n->u.conv2d.bn != ZKM_NONE)
            put(buf, cap, &k, ", folds %s", m->nodes[n->u.conv2d.bn].name);
        break;
    case ZKM_OP_MAXPOOL:
    case ZKM_OP_AVGPOOL:
        put(buf, cap, &k, " %ux%u", n->u.pool.kh, n->u.pool.kw);
        pair(buf, cap, &k, "stride", n->u.pool.sh, n->u.pool.sw);
        break;
    case ZKM_OP_BATCHNORM:
        put(buf, cap, &k, " eps %g, folded into %s", n->u.bn.eps,
            m->nodes[n->u.bn.target].name);
        break;
    case ZKM_OP_RESCALE:
        put(buf, cap, &k, " >> %u", n->shift);
        break;
    case ZKM_OP_INPUT:
    case ZKM_OP_RELU:
    case ZKM_OP_FLATTEN:
    case ZKM_OP_RESHAPE:
    case ZKM_OP_ADD:
        break;
    }
    if (n->shift && n->op != ZKM_OP_RESCALE)
        put(buf, cap, &k, ", >> %u", n->shift);
    return k;
}
