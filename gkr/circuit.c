#include "circuit.h"

#include <stdlib.h>
#include <string.h>

#include "gkr_kind.h"

/* The one place that lists the kinds. */
static const gkr_kind_ops *const kind_table[GKR_KIND_COUNT] = {
    [GKR_INPUT] = &gkr_input_ops,
    [GKR_GENERIC] = &gkr_generic_ops,
    [GKR_ELTWISE] = &gkr_eltwise_ops,
    [GKR_MATMUL] = &gkr_matmul_ops,
    [GKR_CONV] = &gkr_conv_ops,
};

const gkr_kind_ops *gkr_kind_get(gkr_kind k)
{
    return (unsigned)k < GKR_KIND_COUNT ? kind_table[k] : NULL;
}

const char *gkr_kind_name(gkr_kind k)
{
    const gkr_kind_ops *ops = gkr_kind_get(k);
    return ops ? ops->name : "unknown";
}

zkm_status gkr_circuit_init(gkr_circuit *c, uint32_t n_layers, zkm_err *e)
{
    c->n_layers = 0;
    c->layers = zkm_calloc(n_layers, sizeof(gkr_layer), "circuit layers", e);
    if (!c->layers)
        return ZKM_ENOMEM;
    c->n_layers = n_layers;
    return ZKM_OK;
}

void gkr_circuit_free(gkr_circuit *c)
{
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gkr_kind_ops *ops = gkr_kind_get(c->layers[i].kind);
        if (ops && ops->free_params)
            ops->free_params(&c->layers[i]);
    }
    free(c->layers);
    c->layers = NULL;
    c->n_layers = 0;
}

uint32_t gkr_layer_views(gkr_layer *l, gkr_view **out)
{
    const gkr_kind_ops *ops = gkr_kind_get(l->kind);
    const gkr_view *v = NULL;
    const uint32_t n = ops && ops->views ? ops->views(l, &v) : 0;
    *out = (gkr_view *)v; /* the views live in l's parameters, which the caller may change */
    return n;
}

uint64_t gkr_layer_ops(const gkr_layer *l)
{
    const gkr_kind_ops *ops = gkr_kind_get(l->kind);
    return ops && ops->ops ? ops->ops(l) : 0;
}

static zkm_status check_view(const gkr_circuit *c, uint32_t li, const gkr_view *v, zkm_err *e)
{
    if (v->layer <= li || v->layer >= c->n_layers)
        return zkm_fail(e, ZKM_EINVAL, "layer %u reads layer %u: only layers %u..%u are below it",
                        li, v->layer, li + 1, c->n_layers - 1);
    if (v->nvars > GKR_MAX_NVARS)
        return zkm_fail(e, ZKM_EINVAL, "layer %u: view of 2^%u entries is too large", li, v->nvars);
    uint32_t ln = c->layers[v->layer].nvars;
    if (v->mapped) {
        uint32_t named = 0; /* view variables named so far, as a bit set */
        if (v->mapped != 1 || v->ext > GKR_VIEW_BROADCAST)
            return zkm_fail(e, ZKM_EINVAL, "layer %u: view of layer %u has a bad mode", li,
                            v->layer);
        for (uint32_t i = 0; i < ln; i++) {
            const unsigned m = v->map[i];
            if (m == GKR_VIEW_CONST0 || m == GKR_VIEW_CONST1)
                continue;
            if (m >= v->nvars || ((named >> m) & 1))
                return zkm_fail(e, ZKM_EINVAL,
                                "layer %u: view of layer %u maps variable %u to %u, out of "
                                "range or taken",
                                li, v->layer, i, m);
            named |= (uint32_t)1 << m;
        }
        for (uint32_t i = ln; i < GKR_MAX_NVARS; i++)
            if (v->map[i])
                return zkm_fail(e, ZKM_EINVAL, "layer %u: view of layer %u maps a variable "
                                "the layer does not have", li, v->layer);
        if (v->offset != 0)
            return zkm_fail(e, ZKM_EINVAL, "layer %u: a mapped view has no offset", li);
        return ZKM_OK;
    }
    for (uint32_t i = 0; i < GKR_MAX_NVARS; i++)
        if (v->map[i] || v->ext)
            return zkm_fail(e, ZKM_EINVAL, "layer %u: an unmapped view of layer %u carries a map",
                            li, v->layer);
    if (v->nvars <= ln) {
        uint64_t len = (uint64_t)1 << v->nvars;
        if (v->offset % len != 0 || v->offset > ((uint64_t)1 << ln) - len)
            return zkm_fail(e, ZKM_EINVAL,
                            "layer %u: view [%llu, +2^%u) of layer %u is unaligned or outside it",
                            li, (unsigned long long)v->offset, v->nvars, v->layer);
    } else if (v->offset != 0) {
        return zkm_fail(e, ZKM_EINVAL,
                        "layer %u: a zero-extended view of layer %u must start at 0", li,
                        v->layer);
    }
    return ZKM_OK;
}

zkm_status gkr_circuit_check(const gkr_circuit *c, zkm_err *e)
{
    if (c->n_layers < 2)
        return zkm_fail(e, ZKM_EINVAL, "a circuit needs an output layer and an input layer");
    if (c->layers[0].kind == GKR_INPUT)
        return zkm_fail(e, ZKM_EINVAL, "layer 0 (the output) is an input layer");
    if (c->layers[0].flags & GKR_LAYER_ZERO)
        return zkm_fail(e, ZKM_EINVAL, "layer 0 (the output) cannot be a zero layer");
    for (uint32_t i = 0; i < c->n_layers; i++) {
        if (c->layers[i].flags & ~(uint32_t)GKR_LAYER_ZERO)
            return zkm_fail(e, ZKM_EINVAL, "layer %u: unknown flags %#x", i, c->layers[i].flags);
        if (c->layers[i].kind == GKR_INPUT && (c->layers[i].flags & GKR_LAYER_ZERO))
            return zkm_fail(e, ZKM_EINVAL, "layer %u: an input layer cannot be a zero layer", i);
    }
    /* sizes first: views below shift by the sizes of the layers they read */
    for (uint32_t i = 0; i < c->n_layers; i++)
        if (c->layers[i].nvars > GKR_MAX_NVARS)
            return zkm_fail(e, ZKM_EINVAL, "layer %u: 2^%u values exceeds the limit 2^%u", i,
                            c->layers[i].nvars, GKR_MAX_NVARS);
    uint8_t *read = zkm_calloc(c->n_layers, 1, "layer flags", e);
    if (!read)
        return ZKM_ENOMEM;
    zkm_status st = ZKM_OK;
    for (uint32_t i = 0; i < c->n_layers && !st; i++) {
        const gkr_layer *l = &c->layers[i];
        const gkr_kind_ops *ops = gkr_kind_get(l->kind);
        if (!ops) {
            st = zkm_fail(e, ZKM_EINVAL, "layer %u: unknown kind %d", i, (int)l->kind);
            break;
        }
        const gkr_view *views;
        uint32_t nv = ops->views(l, &views);
        if (l->kind != GKR_INPUT && nv == 0) {
            st = zkm_fail(e, ZKM_EINVAL, "layer %u (%s) reads no layer", i, ops->name);
            break;
        }
        for (uint32_t k = 0; k < nv && !st; k++) {
            st = check_view(c, i, &views[k], e);
            if (!st)
                read[views[k].layer] = 1;
        }
        if (!st)
            st = ops->check(c, i, e);
    }
    for (uint32_t i = 1; i < c->n_layers && !st; i++) {
        if (!read[i] && !(c->layers[i].flags & GKR_LAYER_ZERO))
            st = zkm_fail(e, ZKM_EINVAL, "layer %u is not read by any layer above it", i);
    }
    free(read);
    return st;
}

void gkr_digest_u64(crypto_generichash_state *h, uint64_t x)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(x >> (8 * i));
    crypto_generichash_update(h, b, 8);
}

void gkr_digest_view(crypto_generichash_state *h, const gkr_view *v)
{
    gkr_digest_u64(h, v->layer);
    gkr_digest_u64(h, v->nvars);
    gkr_digest_u64(h, v->offset);
    gkr_digest_u64(h, v->mapped);
    if (v->mapped) {
        gkr_digest_u64(h, v->ext);
        crypto_generichash_update(h, v->map, GKR_MAX_NVARS);
    }
}

gkr_view gkr_view_mapped(uint32_t layer, uint32_t layer_nvars, uint32_t nvars,
                         const uint8_t *map, unsigned ext)
{
    gkr_view v = {.layer = layer, .nvars = nvars, .mapped = 1, .ext = (uint8_t)ext};
    for (uint32_t i = 0; i < layer_nvars && i < GKR_MAX_NVARS; i++)
        v.map[i] = map[i];
    return v;
}

void gkr_digest_frs(crypto_generichash_state *h, const fr *a, size_t n)
{
    uint8_t b[FR_BYTES];
    for (size_t i = 0; i < n; i++) {
        fr_to_bytes(b, &a[i]);
        crypto_generichash_update(h, b, FR_BYTES);
    }
}

void gkr_circuit_digest(const gkr_circuit *c, uint8_t out[GKR_DIGEST_BYTES])
{
    static const char label[] = "zkm/circuit/v3";
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, GKR_DIGEST_BYTES);
    crypto_generichash_update(&h, (const uint8_t *)label, sizeof label);
    gkr_digest_u64(&h, c->n_layers);
    gkr_digest_u64(&h, c->commit_col_vars);
    for (uint32_t i = 0; i < c->n_layers; i++) {
        const gkr_layer *l = &c->layers[i];
        const gkr_kind_ops *ops = gkr_kind_get(l->kind);
        gkr_digest_u64(&h, (uint64_t)l->kind);
        gkr_digest_u64(&h, l->nvars);
        gkr_digest_u64(&h, l->flags);
        if (ops)
            ops->digest(l, &h);
    }
    crypto_generichash_final(&h, out, GKR_DIGEST_BYTES);
}
