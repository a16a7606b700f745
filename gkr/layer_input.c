/* GKR_INPUT: values supplied from outside.  Public input layers are checked
 * by the driver (gkr.c), which evaluates them at every claimed point. */
#include "gkr_kind.h"

static uint32_t input_views(const gkr_layer *l, const gkr_view **out)
{
    (void)l;
    *out = NULL;
    return 0;
}

static zkm_status input_check(const gkr_circuit *c, uint32_t li, zkm_err *e)
{
    if (c->layers[li].p.input.visibility != GKR_INPUT_PUBLIC)
        return zkm_fail(e, ZKM_EINVAL, "input layer %u: unknown visibility", li);
    return ZKM_OK;
}

static void input_digest(const gkr_layer *l, crypto_generichash_state *h)
{
    gkr_digest_u64(h, (uint64_t)l->p.input.visibility);
}

static zkm_status input_never(const gkr_circuit *c, uint32_t li, fr *const *values, fr *out,
                              zkm_err *e)
{
    (void)c;
    (void)values;
    (void)out;
    return zkm_fail(e, ZKM_EINVAL, "layer %u is an input layer: nothing to evaluate", li);
}

static zkm_status input_prove(gkr_pctx *x, uint32_t li, zkm_err *e)
{
    (void)x;
    return zkm_fail(e, ZKM_EINVAL, "layer %u is an input layer: nothing to prove", li);
}

static zkm_status input_verify(gkr_vctx *x, uint32_t li, zkm_err *e)
{
    (void)x;
    return zkm_fail(e, ZKM_EINVAL, "layer %u is an input layer: nothing to verify", li);
}

static uint64_t input_ops(const gkr_layer *l)
{
    (void)l;
    return 0;
}

zkm_status gkr_layer_input(gkr_layer *l, uint32_t nvars, gkr_visibility vis, zkm_err *e)
{
    if (nvars > GKR_MAX_NVARS)
        return zkm_fail(e, ZKM_EINVAL, "input layer of 2^%u values is too large", nvars);
    l->kind = GKR_INPUT;
    l->nvars = nvars;
    l->p.input.visibility = vis;
    return ZKM_OK;
}

const gkr_kind_ops gkr_input_ops = {
    .name = "input",
    .views = input_views,
    .check = input_check,
    .digest = input_digest,
    .eval = input_never,
    .prove = input_prove,
    .verify = input_verify,
    .free_params = NULL,
    .ops = input_ops,
};
