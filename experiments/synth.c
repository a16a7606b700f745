/* The synthetic shapes task and labelled data files (synth.h). */
#include "synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkm_rng.h"

const char *const syn_shapes_names[SYN_SHAPES_CLASSES] = {"hline", "vline", "box", "cross"};

void syn_free(syn_set *s)
{
    if (!s)
        return;
    free(s->x);
    free(s->y);
    memset(s, 0, sizeof *s);
}

/* Uniform in [0, 1): a multiple of 2^-53, exact in a double. */
static double u01(zkm_rng *g)
{
    return (double)(zkm_rng_u64(g) >> 11) * 0x1p-53;
}

static uint32_t below(zkm_rng *g, uint32_t n)
{
    return (uint32_t)zkm_rng_below(g, n);
}

#define S SYN_SHAPES_SIZE

static void rect(double *shape, uint32_t y0, uint32_t x0, uint32_t h, uint32_t w)
{
    for (uint32_t y = y0; y < y0 + h; y++)
        for (uint32_t x = x0; x < x0 + w; x++)
            shape[y * S + x] = 1;
}

/* One image of class c into img (S x S), from g. */
static void draw(zkm_rng *g, uint32_t c, double *img)
{
    double shape[S * S] = {0};
    switch (c) {
    case 0:
    case 1: {
        const uint32_t len = 5 + below(g, 8), th = 1 + below(g, 2);
        const uint32_t a = below(g, S - len + 1), b = below(g, S - th + 1);
        if (c == 0)
            rect(shape, b, a, th, len);
        else
            rect(shape, a, b, len, th);
        break;
    }
    case 2: {
        const uint32_t side = 5 + below(g, 7);
        const uint32_t y0 = below(g, S - side + 1), x0 = below(g, S - side + 1);
        rect(shape, y0, x0, 1, side);
        rect(shape, y0 + side - 1, x0, 1, side);
        rect(shape, y0, x0, side, 1);
        rect(shape, y0, x0 + side - 1, side, 1);
        break;
    }
    default: {
        const uint32_t arm = 2 + below(g, 3), size = 2 * arm + 1;
        const uint32_t y0 = below(g, S - size + 1), x0 = below(g, S - size + 1);
        rect(shape, y0 + arm, x0, 1, size);
        rect(shape, y0, x0 + arm, size, 1);
        break;
    }
    }
    const double level = 0.5 + 0.5 * u01(g);     /* the shape's intensity   */
    const double bg = 0.25 * u01(g);             /* background level        */
    const double noise = 0.05 + 0.35 * u01(g);   /* noise amplitude         */
    for (uint32_t k = 0; k < S * S; k++) {
        /* Irwin-Hall: four uniforms, centred (standard deviation 0.58) */
        const double z = u01(g) + u01(g) + u01(g) + u01(g) - 2;
        double v = bg + level * shape[k] + noise * z;
        img[k] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
    const uint32_t stray = below(g, 8);
    for (uint32_t k = 0; k < stray; k++)
        img[below(g, S * S)] = level * u01(g);
}

zkm_status syn_shapes(const char *split, uint64_t first, uint64_t n, syn_set *out, zkm_err *e)
{
    memset(out, 0, sizeof *out);
    if (strcmp(split, "train") != 0 && strcmp(split, "test") != 0)
        return zkm_fail(e, ZKM_EINVAL, "shapes: no split '%s' (train or test)", split);
    if (n == 0 || first > UINT64_MAX - n)
        return zkm_fail(e, ZKM_EINVAL, "shapes: bad sample range");
    char domain[32];
    snprintf(domain, sizeof domain, "zkm/shapes/v1/%s", split);
    out->n = n;
    out->classes = SYN_SHAPES_CLASSES;
    out->rank = 3;
    out->shape[0] = 1;
    out->shape[1] = out->shape[2] = S;
    out->per = S * S;
    out->x = zkm_alloc_array(n, S * S * sizeof(double), "shapes data", e);
    out->y = zkm_alloc_array(n, sizeof(int64_t), "shapes labels", e);
    if (!out->x || !out->y) {
        syn_free(out);
        return ZKM_ENOMEM;
    }
    for (uint64_t k = 0; k < n; k++) {
        zkm_rng g;
        zkm_rng_init(&g, first + k, domain);
        const uint32_t c = below(&g, SYN_SHAPES_CLASSES);
        out->y[k] = c;
        draw(&g, c, out->x + k * S * S);
    }
    return ZKM_OK;
}

#undef S

static zkm_status load_file(const char *path, uint64_t n, syn_set *out, zkm_err *e)
{
    zkm_tensor_set ts;
    zkm_status st = zkm_tensors_load(path, 0, &ts, e);
    if (st)
        return st;
    const zkm_tensor *x = zkm_tensor_set_find(&ts, "x"), *y = zkm_tensor_set_find(&ts, "y");
    if (!x || !y)
        st = zkm_fail(e, ZKM_EFORMAT, "%s: a data set needs tensors 'x' (inputs) and 'y' "
                      "(labels)%s", path, !x && !y ? "" : !x ? "; no 'x'" : "; no 'y'");
    else if (x->rank < 2 || x->rank > 4 || y->rank != 1 || x->shape[0] != y->shape[0] ||
             x->shape[0] == 0)
        st = zkm_fail(e, ZKM_EFORMAT, "%s: 'x' must be [N, ...] (1 to 3 more dimensions) and "
                      "'y' [N], N >= 1", path);
    uint64_t classes = 0;
    for (size_t k = 0; !st && k < y->count; k++) {
        const double v = y->data[k];
        if (!(v >= 0) || v != floor(v) || v > 65535)
            st = zkm_fail(e, ZKM_EFORMAT, "%s: label %zu is %g, not an integer in 0..65535",
                          path, k, v);
        else if ((uint64_t)v + 1 > classes)
            classes = (uint64_t)v + 1;
    }
    if (!st) {
        const uint64_t total = x->shape[0], take = n && n < total ? n : total;
        out->n = take;
        out->classes = (uint32_t)classes;
        out->rank = x->rank - 1;
        out->per = x->count / total;
        for (uint32_t r = 0; r < out->rank; r++)
            out->shape[r] = x->shape[r + 1];
        out->x = zkm_alloc_array(take, out->per * sizeof(double), "data set", e);
        out->y = zkm_alloc_array(take, sizeof(int64_t), "data set", e);
        if (!out->x || !out->y) {
            st = ZKM_ENOMEM;
        } else {
            memcpy(out->x, x->data, take * out->per * sizeof(double));
            for (uint64_t k = 0; k < take; k++)
                out->y[k] = (int64_t)y->data[k];
        }
    }
    zkm_tensor_set_free(&ts);
    if (st)
        syn_free(out);
    return st;
}

int syn_builtin(const char *spec)
{
    return !strcmp(spec, "shapes") || !strncmp(spec, "shapes:", 7);
}

/* Samples first .. first + n - 1 of a generated data set (syn_builtin). */
static zkm_status open_builtin(const char *spec, uint64_t first, uint64_t n, syn_set *out,
                               zkm_err *e)
{
    const char *split = spec[6] ? spec + 7 : "test";
    if (strcmp(split, "train") != 0 && strcmp(split, "test") != 0)
        return zkm_fail(e, ZKM_EFORMAT, "data set '%s': the shapes task has the splits "
                        "'train' and 'test'", spec);
    if (n == 0)
        return zkm_fail(e, ZKM_EINVAL, "the shapes task needs a number of samples");
    return syn_shapes(split, first, n, out, e);
}

zkm_status syn_open(const char *spec, uint64_t n, syn_set *out, zkm_err *e)
{
    memset(out, 0, sizeof *out);
    if (syn_builtin(spec))
        return open_builtin(spec, 0, n, out, e);
    return load_file(spec, n, out, e);
}

zkm_status syn_open_sample(const char *spec, uint64_t k, const char *name, zkm_tensor_set *out,
                           zkm_err *e)
{
    syn_set set;
    const int gen = syn_builtin(spec);
    memset(&set, 0, sizeof set);
    zkm_tensor_set_init(out);
    if (k == UINT64_MAX)
        return zkm_fail(e, ZKM_EINVAL, "data set %s: no sample %llu", spec,
                        (unsigned long long)k);
    zkm_status st = gen ? open_builtin(spec, k, 1, &set, e) : syn_open(spec, k + 1, &set, e);
    if (!st && !gen && set.n <= k)
        st = zkm_fail(e, ZKM_EFORMAT, "data set %s: no sample %llu (it has %llu)", spec,
                      (unsigned long long)k, (unsigned long long)set.n);
    if (!st)
        st = syn_sample(&set, gen ? 0 : k, name, out, e);
    syn_free(&set);
    return st;
}

zkm_status syn_sample(const syn_set *s, uint64_t k, const char *name, zkm_tensor_set *out,
                      zkm_err *e)
{
    zkm_tensor t;
    zkm_tensor_set_init(out);
    if (k >= s->n)
        return zkm_fail(e, ZKM_EINVAL, "sample %llu of %llu", (unsigned long long)k,
                        (unsigned long long)s->n);
    zkm_status st = zkm_tensor_init(&t, name, ZKM_TENSOR_F64, s->shape, s->rank, e);
    if (st)
        return st;
    memcpy(t.data, s->x + k * s->per, s->per * sizeof(double));
    st = zkm_tensor_set_add(out, &t, e);
    if (st)
        zkm_tensor_free(&t);
    return st;
}
