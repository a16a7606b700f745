#include "testutil.h"

#include "proof.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <gmp.h>
#include <cmocka.h>

#include "gkr.h"
#include "sample.h"

uint64_t tu_seed(const char *program)
{
    const char *env = getenv("ZKM_TEST_SEED");
    uint64_t seed;
    if (sodium_init() < 0) {
        fprintf(stderr, "sodium_init failed\n");
        abort();
    }
    if (env && *env)
        seed = strtoull(env, NULL, 10);
    else
        seed = ((uint64_t)randombytes_random() << 32) | randombytes_random();
    printf("# %s: seed %" PRIu64 " (replay with ZKM_TEST_SEED=%" PRIu64 ")\n", program,
           seed, seed);
    fflush(stdout);
    return seed;
}

void tu_fr(tu_rng *g, fr *out)
{
    uint8_t w[64];
    tu_bytes(g, w, sizeof w);
    fr_from_wide(out, w);
}

void tu_fr_small(tu_rng *g, fr *out, int64_t bound)
{
    fr_set_i64(out, (int64_t)tu_below(g, (uint64_t)(2 * bound + 1)) - bound);
}

static void die(const char *what, const zkm_err *e)
{
    fprintf(stderr, "tu_random_circuit: %s: %s\n", what, e ? e->msg : "");
    abort();
}

/* A view of layer L (2^nl entries) with 2^vn entries: a random aligned
 * block, or the whole layer zero-extended. */
static gkr_view rand_view(tu_rng *g, uint32_t L, uint32_t nl, uint32_t vn)
{
    gkr_view v = {.layer = L, .nvars = vn, .offset = 0};
    if (vn <= nl)
        v.offset = tu_below(g, (uint64_t)1 << (nl - vn)) << vn;
    return v;
}

void tu_random_circuit(tu_rng *g, gkr_circuit *c, fr ***inputs, uint32_t depth,
                       uint32_t max_nvars, unsigned kinds)
{
    zkm_err e;
    const uint32_t n_in = 1 + (uint32_t)tu_below(g, 2);
    const uint32_t L = depth + n_in;
    uint32_t *nv = calloc(L, sizeof *nv);
    uint32_t (*req)[4] = calloc(L, sizeof *req);
    uint32_t *nreq = calloc(L, sizeof *nreq);
    if (!nv || !req || !nreq || gkr_circuit_init(c, L, &e))
        die("init", NULL);
    for (uint32_t i = 0; i < L; i++)
        nv[i] = 1 + (uint32_t)tu_below(g, max_nvars);
    /* every layer must be read: a chain, plus each extra input read by a
     * random computed layer */
    for (uint32_t i = 0; i < depth; i++)
        req[i][nreq[i]++] = i + 1;
    for (uint32_t j = depth + 1; j < L; j++) {
        uint32_t i = (uint32_t)tu_below(g, depth);
        req[i][nreq[i]++] = j;
    }
    for (uint32_t j = depth; j < L; j++)
        if (gkr_layer_input(&c->layers[j], nv[j], GKR_INPUT_PUBLIC, &e))
            die("input", &e);

    unsigned avail[GKR_KIND_COUNT], na = 0;
    for (unsigned k = 0; k < GKR_KIND_COUNT; k++)
        if (kinds & (1u << k))
            avail[na++] = k;
    for (uint32_t i = 0; i < depth; i++) {
        gkr_kind kind = (gkr_kind)avail[tu_below(g, na)];
        if (kind == GKR_MATMUL && nreq[i] > 2)
            kind = (kinds & (1u << GKR_GENERIC)) ? GKR_GENERIC : GKR_ELTWISE;
        /* sources: the required ones plus up to two random lower layers */
        uint32_t srcl[6], ns = 0;
        for (uint32_t k = 0; k < nreq[i]; k++)
            srcl[ns++] = req[i][k];
        uint32_t extra = (uint32_t)tu_below(g, 3);
        for (uint32_t k = 0; k < extra; k++)
            srcl[ns++] = i + 1 + (uint32_t)tu_below(g, L - i - 1);
        const uint32_t n = nv[i];
        gkr_layer *l = &c->layers[i];
        zkm_status st = ZKM_OK;
        if (kind == GKR_GENERIC) {
            gkr_view views[6];
            for (uint32_t s = 0; s < ns; s++) {
                uint32_t vn = nv[srcl[s]];
                if (tu_below(g, 4) == 0)
                    vn = (uint32_t)tu_below(g, vn + 1); /* a block */
                views[s] = rand_view(g, srcl[s], nv[srcl[s]], vn);
            }
            size_t ng = ((size_t)1 << n) + tu_below(g, ((size_t)1 << n) / 4 + 1);
            gkr_gate *gates = calloc(ng, sizeof *gates);
            if (!gates)
                die("gates", NULL);
            for (size_t k = 0; k < ng; k++) {
                gkr_gate *gt = &gates[k];
                gt->out = k < ((size_t)1 << n) ? (uint32_t)k
                                               : (uint32_t)tu_below(g, (uint64_t)1 << n);
                gt->op = (uint8_t)tu_below(g, 3);
                gt->src0 = (uint8_t)tu_below(g, ns);
                gt->src1 = (uint8_t)tu_below(g, ns);
                gt->in0 = (uint32_t)tu_below(g, (uint64_t)1 << views[gt->src0].nvars);
                gt->in1 = (uint32_t)tu_below(g, (uint64_t)1 << views[gt->src1].nvars);
            }
            st = gkr_layer_generic(l, n, ns, views, ng, gates, &e);
            free(gates);
        } else if (kind == GKR_ELTWISE) {
            gkr_view views[6];
            for (uint32_t s = 0; s < ns; s++)
                views[s] = rand_view(g, srcl[s], nv[srcl[s]], n);
            /* term s < ns multiplies source s by up to two random sources (so
             * every source is read); then up to two random extra terms */
            uint32_t nt = ns + (uint32_t)tu_below(g, 3), start[9], factors[27], nf = 0;
            fr coef[8];
            for (uint32_t t = 0; t < nt; t++) {
                start[t] = nf;
                uint32_t len = 1 + (uint32_t)tu_below(g, 3);
                for (uint32_t f = 0; f < len; f++)
                    factors[nf++] = (f == 0 && t < ns) ? t : (uint32_t)tu_below(g, ns);
                if (tu_below(g, 2))
                    tu_fr(g, &coef[t]);
                else
                    tu_fr_small(g, &coef[t], 3);
            }
            start[nt] = nf;
            st = gkr_layer_eltwise(l, n, ns, views, nt, coef, start, factors, &e);
        } else {
            uint32_t m = (uint32_t)tu_below(g, n + 1), nn = n - m;
            uint32_t k = (uint32_t)tu_below(g, 4);
            uint32_t la = srcl[0];
            uint32_t lb = ns > 1 ? srcl[1] : i + 1 + (uint32_t)tu_below(g, L - i - 1);
            gkr_view a = rand_view(g, la, nv[la], m + k);
            gkr_view b = rand_view(g, lb, nv[lb], k + nn);
            st = gkr_layer_matmul(l, m, k, nn, a, b, &e);
        }
        if (st)
            die("layer", &e);
    }
    if (gkr_circuit_check(c, &e))
        die("check", &e);

    fr **in = calloc(L, sizeof *in);
    if (!in)
        die("inputs", NULL);
    for (uint32_t j = depth; j < L; j++) {
        size_t len = (size_t)1 << nv[j];
        in[j] = malloc(len * sizeof(fr));
        if (!in[j])
            die("inputs", NULL);
        for (size_t k = 0; k < len; k++) {
            if (tu_below(g, 2))
                tu_fr(g, &in[j][k]);
            else
                tu_fr_small(g, &in[j][k], 100);
        }
    }
    *inputs = in;
    free(nv);
    free(req);
    free(nreq);
}

void tu_inputs_free(const gkr_circuit *c, fr **inputs)
{
    for (uint32_t i = 0; i < c->n_layers; i++)
        if (c->layers[i].kind == GKR_INPUT)
            free(inputs[i]);
    free(inputs);
}

/* A random w-bit integer, an extreme one now and then: unsigned in
 * [0, 2^w) or, signed, in [-2^(w-1), 2^(w-1)). */
static void rand_packed(tu_rng *g, fr *out, int is_signed, unsigned w)
{
    const uint64_t mask = w == 64 ? ~(uint64_t)0 : ((uint64_t)1 << w) - 1;
    uint64_t bits;
    switch (tu_below(g, 6)) {
    case 0: bits = 0; break;
    case 1: bits = mask; break;                         /* max, or -1 */
    case 2: bits = (uint64_t)1 << (w - 1); break;       /* min signed */
    case 3: bits = mask >> 1; break;                    /* max signed */
    default: bits = tu_u64(g) & mask; break;
    }
    if (is_signed && ((bits >> (w - 1)) & 1))
        fr_set_i64(out, (int64_t)(bits | ~mask)); /* sign-extended */
    else
        fr_set_u64(out, bits);
}

static unsigned rand_width(tu_rng *g, unsigned lo, unsigned hi)
{
    switch (tu_below(g, 4)) {
    case 0: return lo;
    case 1: return hi;
    default: return lo + (unsigned)tu_below(g, hi - lo + 1);
    }
}

void tu_advice_circuit(tu_rng *g, gkr_circuit *c, fr ***inputs, uint32_t nvars,
                       unsigned bits_width)
{
    zkm_err e;
    const uint32_t N = nvars;
    const size_t len = (size_t)1 << N;
    if (gkr_circuit_init(c, TU_ADV_LAYERS, &e))
        die("init", &e);
    const gkr_view x = {.layer = TU_ADV_X, .nvars = N, .offset = 0};
    const gkr_view s = {.layer = TU_ADV_S, .nvars = N, .offset = 0};
    const gkr_view t = {.layer = TU_ADV_T, .nvars = N, .offset = 0};
    const gkr_view r = {.layer = TU_ADV_R, .nvars = N, .offset = 0};
    const gkr_view u = {.layer = TU_ADV_U, .nvars = N, .offset = 0};
    const gkr_view bits = {.layer = TU_ADV_BITS, .nvars = N + 2, .offset = 0};
    fr one, neg1;
    fr_set_one(&one);
    fr_neg(&neg1, &one);
    /* out = x*x + s + t + r */
    {
        const gkr_view src[4] = {x, s, t, r};
        const fr coef[4] = {one, one, one, one};
        const uint32_t start[5] = {0, 2, 3, 4, 5}, fac[5] = {0, 0, 1, 2, 3};
        if (gkr_layer_eltwise(&c->layers[TU_ADV_OUT], N, 4, src, 4, coef, start, fac, &e))
            die("out", &e);
    }
    /* b*b - b */
    {
        const fr coef[2] = {one, neg1};
        const uint32_t start[3] = {0, 2, 3}, fac[3] = {0, 0, 0};
        if (gkr_layer_eltwise(&c->layers[TU_ADV_BOOL], N + 2, 1, &bits, 2, coef, start, fac, &e))
            die("bool", &e);
        c->layers[TU_ADV_BOOL].flags = GKR_LAYER_ZERO;
    }
    /* x - sum 2^i plane_i */
    {
        gkr_view src[1 + TU_ADV_PLANES];
        fr coef[1 + TU_ADV_PLANES];
        uint32_t start[2 + TU_ADV_PLANES], fac[1 + TU_ADV_PLANES];
        src[0] = x;
        coef[0] = one;
        for (unsigned i = 0; i < TU_ADV_PLANES; i++) {
            src[1 + i] = (gkr_view){.layer = TU_ADV_BITS, .nvars = N, .offset = (uint64_t)i << N};
            fr_set_u64(&coef[1 + i], (uint64_t)1 << i);
            fr_neg(&coef[1 + i], &coef[1 + i]);
        }
        for (unsigned k = 0; k <= TU_ADV_PLANES + 1; k++)
            start[k] = k;
        for (unsigned k = 0; k <= TU_ADV_PLANES; k++)
            fac[k] = k;
        if (gkr_layer_eltwise(&c->layers[TU_ADV_R], N, 1 + TU_ADV_PLANES, src, 1 + TU_ADV_PLANES,
                              coef, start, fac, &e))
            die("recomposition", &e);
        c->layers[TU_ADV_R].flags = GKR_LAYER_ZERO;
    }
    /* t = u*u */
    {
        const uint32_t start[2] = {0, 2}, fac[2] = {0, 0};
        if (gkr_layer_eltwise(&c->layers[TU_ADV_T], N, 1, &u, 1, &one, start, fac, &e))
            die("t", &e);
    }
    const unsigned ws = rand_width(g, 2, 64), wu = rand_width(g, 1, 63);
    /* lengths 0..2^N (an empty advice section included) */
    const uint64_t ls = tu_below(g, 4) == 0 ? len : tu_below(g, len + 1);
    const uint64_t lu = tu_below(g, 4) == 0 ? len : tu_below(g, len + 1);
    if (gkr_layer_input(&c->layers[TU_ADV_X], N, GKR_INPUT_PUBLIC, &e) ||
        gkr_layer_advice(&c->layers[TU_ADV_S], N, ls, GKR_ENC_SINT, ws, &e) ||
        gkr_layer_advice(&c->layers[TU_ADV_BITS], N + 2, (uint64_t)TU_ADV_PLANES << N,
                         GKR_ENC_UINT, bits_width, &e) ||
        gkr_layer_advice(&c->layers[TU_ADV_U], N, lu, GKR_ENC_UINT, wu, &e))
        die("inputs", &e);
    if (gkr_circuit_check(c, &e))
        die("check", &e);

    fr **in = calloc(TU_ADV_LAYERS, sizeof *in);
    if (!in)
        die("inputs", NULL);
    for (uint32_t j = 0; j < TU_ADV_LAYERS; j++) {
        if (c->layers[j].kind != GKR_INPUT)
            continue;
        in[j] = calloc((size_t)1 << c->layers[j].nvars, sizeof(fr)); /* zero */
        if (!in[j])
            die("inputs", NULL);
    }
    for (size_t k = 0; k < len; k++) {
        const uint64_t xv = tu_below(g, 1u << TU_ADV_PLANES);
        fr_set_u64(&in[TU_ADV_X][k], xv);
        for (unsigned i = 0; i < TU_ADV_PLANES; i++)
            fr_set_u64(&in[TU_ADV_BITS][((size_t)i << N) + k], (xv >> i) & 1);
    }
    for (size_t k = 0; k < ls; k++)
        rand_packed(g, &in[TU_ADV_S][k], 1, ws);
    for (size_t k = 0; k < lu; k++)
        rand_packed(g, &in[TU_ADV_U][k], 0, wu);
    *inputs = in;
}

void tu_fixture_prove(tu_fixture *f)
{
    zkm_err e;
    if (gkr_eval(&f->c, f->vals, &e))
        fail_msg("%s: eval: %s", f->name, e.msg);
    if (gkr_prove(&f->c, f->vals, &f->proof, &f->len, NULL, &e))
        fail_msg("%s: prove: %s", f->name, e.msg);
    gkr_circuit_digest(&f->c, f->digest);
}

void tu_fixture_free(tu_fixture *f)
{
    if (!f->c.layers)
        return;
    free(f->proof);
    gkr_values_free(&f->c, f->vals);
    if (f->demo)
        gkr_sample_inputs_free(&f->c, f->vals);
    else
        tu_inputs_free(&f->c, f->vals);
    gkr_circuit_free(&f->c);
    memset(f, 0, sizeof *f);
}

/* 1 if x < m (four little-endian limbs). */
static int limbs_below(const uint64_t x[4], const uint64_t m[4])
{
    for (int i = 3; i >= 0; i--)
        if (x[i] != m[i])
            return x[i] < m[i];
    return 0;
}

size_t tu_sqr_edges(uint64_t (*out)[4], size_t max, const uint64_t m[4])
{
    const uint64_t ONES = UINT64_MAX, TOP = (uint64_t)1 << 63;
    const uint64_t fixed[][4] = {
        {0, 0, 0, 0},          {1, 0, 0, 0},          {0, 1, 0, 0},
        {0, 0, 1, 0},          {0, 0, 0, 1},          {ONES, 0, 0, 0},
        {ONES, ONES, 0, 0},    {ONES, ONES, ONES, 0}, {0, TOP, 0, 0},
        {0, 0, TOP, 0},        {TOP, TOP, TOP, 0},    {ONES, TOP, TOP, m[3] >> 1},
        {0, TOP, TOP, m[3]},   {ONES, ONES, ONES, m[3] - 1},
        {m[0] - 1, m[1], m[2], m[3]}, {m[0] - 2, m[1], m[2], m[3]},
        {0, m[1], m[2], m[3]}, {m[0], m[1], m[2], m[3] - 1},
        {m[0], m[1] - 1, m[2], m[3]}, {m[0], m[1], m[2] - 1, m[3]},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && n < max; i++)
        if (limbs_below(fixed[i], m))
            memcpy(out[n++], fixed[i], sizeof out[0]);
    /* x^2 = c mod 2^256 for c = 2^256 - 7, - 15, ... (each 1 mod 8, so a
     * square of odd numbers): lifted a bit at a time (x^2 = c mod 2^k, k >=
     * 3, gives x or x + 2^(k-1) mod 2^(k+1)); of the four roots +-x,
     * +-x + 2^255, those below m.  The low half of such a square is c. */
    mpz_t c, x, t, w, two256;
    mpz_inits(c, x, t, w, two256, NULL);
    mpz_setbit(two256, 256);
    for (unsigned d = 7; d < 7 + 8 * 64 && n < max; d += 8) {
        mpz_sub_ui(c, two256, d);
        mpz_set_ui(x, 1);
        for (unsigned k = 3; k < 256; k++) {
            mpz_mul(t, x, x);
            mpz_sub(t, t, c);
            if (mpz_tstbit(t, k)) /* x < 2^(k-1): this adds 2^(k-1) */
                mpz_setbit(x, k - 1);
        }
        for (int r = 0; r < 4 && n < max; r++) {
            mpz_set(w, x);
            if (r & 1)
                mpz_sub(w, two256, w);
            if (r & 2) {
                mpz_set_ui(t, 0);
                mpz_setbit(t, 255);
                mpz_add(w, w, t);
            }
            mpz_fdiv_r_2exp(w, w, 256);
            uint64_t v[4] = {0, 0, 0, 0};
            size_t cnt = 0;
            mpz_export(v, &cnt, -1, sizeof(uint64_t), 0, 0, w);
            mpz_mul(t, w, w);
            mpz_fdiv_r_2exp(t, t, 256);
            assert_int_equal(mpz_cmp(t, c), 0);
            if (limbs_below(v, m))
                memcpy(out[n++], v, sizeof out[0]);
        }
    }
    mpz_clears(c, x, t, w, two256, NULL);
    return n;
}

void tu_claim_push(gkr_claims *cl, const fr *point, const fr *value)
{
    const size_t nv = cl->nvars ? cl->nvars : 1;
    cl->points = realloc(cl->points, (cl->n + 1) * nv * sizeof(fr));
    cl->values = realloc(cl->values, (cl->n + 1) * sizeof(fr));
    cl->alpha = realloc(cl->alpha, (cl->n + 1) * sizeof(fr));
    cl->hid = realloc(cl->hid, (cl->n + 1) * sizeof(uint32_t));
    assert_true(cl->points && cl->values && cl->alpha && cl->hid);
    if (cl->nvars)
        memcpy(cl->points + cl->n * cl->nvars, point, cl->nvars * sizeof(fr));
    cl->values[cl->n] = *value;
    cl->hid[cl->n] = ZK_NONE;
    cl->n++;
    cl->cap = cl->n;
}
