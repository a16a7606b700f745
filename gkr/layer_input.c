/* GKR_INPUT: values supplied from outside, by the verifier (public), by
 * the prover inside the proof (advice), committed, or drawn from the
 * transcript (a challenge).  The driver (gkr.c)
 * checks public and advice layers by evaluating them at every claimed
 * point, and committed ones by a batched Hyrax opening. */
#include "gkr_kind.h"
#include "hyrax.h"
#include "proof.h"

static uint32_t input_views(const gkr_layer *l, const gkr_view **out)
{
    (void)l;
    *out = NULL;
    return 0;
}

static zkm_status input_check(const gkr_circuit *c, uint32_t li, zkm_err *e)
{
    const gkr_input_params *p = &c->layers[li].p.input;
    if (p->visibility == GKR_INPUT_PUBLIC)
        return ZKM_OK;
    if (p->visibility == GKR_INPUT_CHALLENGE)
        return c->layers[li].nvars == 0
                   ? ZKM_OK
                   : zkm_fail(e, ZKM_EINVAL, "challenge layer %u must hold one value", li);
    if (p->visibility == GKR_INPUT_COMMITTED) {
        if (c->commit_col_vars < 1 || c->commit_col_vars > HYRAX_MAX_COL_VARS)
            return zkm_fail(e, ZKM_EINVAL,
                            "committed layer %u: the circuit's commitment columns (2^%u) are "
                            "out of range",
                            li, c->commit_col_vars);
        return p->external <= 1 ? ZKM_OK
                                : zkm_fail(e, ZKM_EINVAL, "committed layer %u: bad source", li);
    }
    if (p->visibility != GKR_INPUT_ADVICE)
        return zkm_fail(e, ZKM_EINVAL, "input layer %u: unknown visibility", li);
    if (p->encoding == GKR_ENC_FIELD || !gkr_encoding_ok(p->encoding, p->width))
        return zkm_fail(e, ZKM_EINVAL, "advice layer %u: bad encoding %u/%u", li, p->encoding,
                        p->width);
    if (p->len > ((uint64_t)1 << c->layers[li].nvars) || p->len > UINT32_MAX)
        return zkm_fail(e, ZKM_EINVAL, "advice layer %u: length %llu out of range", li,
                        (unsigned long long)p->len);
    return ZKM_OK;
}

static void input_digest(const gkr_layer *l, crypto_generichash_state *h)
{
    gkr_digest_u64(h, (uint64_t)l->p.input.visibility);
    gkr_digest_u64(h, l->p.input.encoding);
    gkr_digest_u64(h, l->p.input.width);
    gkr_digest_u64(h, l->p.input.visibility == GKR_INPUT_ADVICE ? l->p.input.len : 0);
    gkr_digest_u64(h, l->p.input.external);
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
    l->p.input.encoding = 0;
    l->p.input.width = 0;
    l->p.input.external = 0;
    l->p.input.len = (uint64_t)1 << nvars;
    return ZKM_OK;
}

zkm_status gkr_layer_committed(gkr_layer *l, uint32_t nvars, int external, zkm_err *e)
{
    zkm_status st = gkr_layer_input(l, nvars, GKR_INPUT_COMMITTED, e);
    if (!st)
        l->p.input.external = external != 0;
    return st;
}

zkm_status gkr_layer_advice(gkr_layer *l, uint32_t nvars, uint64_t len, unsigned encoding,
                            unsigned width, zkm_err *e)
{
    if (encoding == GKR_ENC_FIELD || !gkr_encoding_ok(encoding, width))
        return zkm_fail(e, ZKM_EINVAL, "advice layer: bad encoding %u/%u", encoding, width);
    zkm_status st = gkr_layer_input(l, nvars, GKR_INPUT_ADVICE, e);
    if (!st && len > ((uint64_t)1 << nvars))
        st = zkm_fail(e, ZKM_EINVAL, "advice layer: %llu values do not fit 2^%u",
                      (unsigned long long)len, nvars);
    if (!st) {
        l->p.input.encoding = (uint8_t)encoding;
        l->p.input.width = (uint8_t)width;
        l->p.input.len = len;
    }
    return st;
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
