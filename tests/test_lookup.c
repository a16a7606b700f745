/* Range checks by lookup (layers/lookup.c) against a cheating prover.
 *
 * A range check's digits (the D layer, lower.h) are committed advice in the
 * default mode: nothing but the LogUp argument keeps a digit inside the
 * table 0 .. 2^L - 1, and nothing but a short limb's dup row (digit +
 * 2^L - 2^w, looked up too) keeps it below 2^w.  (Advice in the clear is
 * packed in L bits, which bounds every row by itself.)  A cheating prover
 * chooses D and the multiplicities m freely before the challenge X, then
 * the fractions' layers after it.  So, on two nets lowered from one small
 * model with every kind of range check (a relu's, a max-pool's, a plain
 * rescale's; 8 bits with limb 4, 16 bits with limb 8: full limbs, short
 * limbs with dup rows, rows past the last), from the honest witness
 * (zkm_net_prove's, rebuilt through the lw_* internals):
 *   - control: it proves (zkm_net_prove and gkr_prove) and verifies, and a
 *     replica of gkr_prove's driver gives gkr_prove's proof but for the
 *     randomly blinded opening, and a proof gkr_verify accepts;
 *   1 a digit outside the table, the counts honest over the digits: a full
 *     limb + 2^L and the next limb - 1, or a digit - 2^w (negative) and the
 *     next + 1, so that V still recomposes and only the lookup objects (in
 *     the output's range check also across its fields: a quotient or a
 *     relu's sign off by one claimed); and 2^L alone;
 *   2 the counts forged for such a digit: it counted as d mod 2^L, 0 or
 *     2^L - 1 (the counts then total the lookups, as honest ones do); and
 *     for the honest digits a count moved, added or removed;
 *   3 a short limb of w bits holding 2^w .. 2^L - 1 (in the table): by a
 *     carry into the next limb (the output's remainder or a relu's low
 *     bits: its quotient or sign off by one) with its dup row honest (out
 *     of the table) or kept (the dup zero layer objects); with its dup kept
 *     and another dup row of the entry raised to cancel it (only the dup
 *     layer's weights object); and the digit alone;
 *   4 a digit changed within its range, dups and counts honest: the lookup
 *     balances and the recomposition objects (the digits are V's unique
 *     expansion, so no in-range change keeps V); a table entry in a row
 *     past the last, which only the lookup reads: accepted (the statement
 *     is the same), 2^L there is not.
 * Each cheating witness must be refused by gkr_prove (ZKM_EINVAL, naming
 * the zero layer its witness check meets first), and proved anyway by the
 * replica, which checks nothing, must be rejected by gkr_verify
 * (ZKM_EREJECT) at the first layer that lies (the message names it).  The
 * late layers are the prover's to compute after X, so gkr_prove, which
 * computes them itself, cannot be fooled by zeroing them beforehand, as
 * test_soundness does with other zero layers; the replica draws X, computes
 * them, and for some witnesses then forges one entry of one late layer (the
 * D total, the table's root, the first level over D, over m) so that the
 * lookup's zero layer holds and the lie sits in that layer alone: rejected
 * there.  Every other defence (recomposition, dups, a max-pool's product)
 * is checked to hold where a case says only the lookup objects.
 *
 * The entries and rows changed come from the printed seed; replay with
 * ZKM_TEST_SEED=<seed>. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "check.h"
#include "gkr.h"
#include "gkr_kind.h"
#include "hyrax.h"
#include "lower.h"
#include "mle.h"
#include "net.h"
#include "net_impl.h"
#include "testutil.h"
#include "transcript.h"

/* Every kind of range check: a rescale with its relu fused (remainder,
 * the relu's low bits and its sign bit: the convolution's, and the output
 * layer's, whose quotient is the claimed output), a max-pool's window
 * differences (unsigned, no remainder) and a rescale alone (a signed
 * quotient: the first dense layer's). */
static const char MODEL_SRC[] =
    "model tiny {\n"
    "  bits 8 frac 4\n"
    "  input x [1, 6, 6]\n"
    "  a = conv2d(x, 2, kernel=3, padding=1) |> relu |> maxpool(2)\n"
    "  b = flatten(a) |> dense(6)\n"
    "  c = dense(b, 4) |> relu\n"
    "  output c\n"
    "}\n";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ------------------------------------------------------------ fixtures */

/* A row of a range check's D layer: a digit of `width` bits at bit `pos` of
 * V, or (dup_of >= 0) row dup_of's digit + 2^L - 2^width.  The same rows,
 * in the same order, as layers/build.c's range_rows (lower.h documents
 * them); test_honest checks the honest witness against them. */
typedef struct {
    uint32_t pos, width;
    int32_t dup_of;
    uint32_t field; /* 0: the remainder, 1: the quotient (a relu's low bits), 2: a relu's sign */
} row;

#define MAX_ROWS 96

/* A range check: its node, whether its result is the model's output, its
 * D layer (gkr index), the variables of one row (the checked sum's frame),
 * its rows (the digits first, then the dups) and log2 of D's rows (those
 * past n_rows are zero). */
typedef struct {
    uint32_t node;
    int output;
    uint32_t d, nv;
    uint32_t n_rows, n_digits, nb;
    row rows[MAX_ROWS];
} rcheck;

/* The zero layers, by what they say: the lookup's sums agree, a range
 * check's digits recompose its value, its dup rows are its short limbs
 * shifted, or anything else (a max-pool's product of differences). */
enum { Z_LOOKUP = 1u, Z_REC = 2u, Z_DUP = 4u, Z_OTHER = 8u };

typedef struct {
    const char *name;
    uint32_t bits, limb;
    zkm_model *m;
    zkm_net *n;
    const gkr_circuit *c;
    fr **in;            /* the honest input layers by gkr index (NULL for the rest) */
    uint64_t *counts;   /* the honest multiplicities as the library counted them */
    fr *out;            /* the honest output (layer 0) */
    uint8_t *late;      /* per gkr index: depends on the challenge */
    uint8_t *zkind;     /* per gkr index: Z_* for a zero layer, else 0 */
    rcheck *rc;
    uint32_t n_rc;
    uint32_t lk_m, zero; /* gkr indices: the multiplicities, the lookup's zero layer */
    int ready, tried;
} fixture;

/* The rows of the range checks (a relu's: remainder, low bits, sign; a
 * max-pool's: differences; a rescale's: remainder, quotient):
 *   8 bits, limb 4:  6 = 4 + 2, 7 = 4 + 3, 1;  8 = 4 + 4;  6 = 4 + 2, 8 = 4 + 4
 *   16 bits, limb 8: 14 = 8 + 6, 15 = 8 + 7, 1;  16 = 8 + 8;  14 = 8 + 6, 16 = 8 + 8
 * so both have full limbs followed by others, short limbs (with dup rows,
 * three in a relu's check) and rows past the last (the rescale's D). */
static fixture g_fx[] = {{.name = "tiny", .bits = 8, .limb = 4},
                         {.name = "tiny", .bits = 16, .limb = 8}};

static uint64_t g_seed;

/* layers/build.c's range_rows for r. */
static uint32_t rows_of(const lw_range *r, row *rows)
{
    const uint32_t L = r->limb, s = r->shift, B = r->bits;
    const int relu = r->out_kind == LW_OUT_RELU;
    const uint32_t fo[3] = {0, s, s + B - 1}, fw[3] = {s, relu ? B - 1 : B, 1};
    uint32_t n = 0;
    for (uint32_t fl = 0; fl < (relu ? 3u : 2u); fl++)
        for (uint32_t k = 0; k * L < fw[fl]; k++)
            rows[n++] = (row){fo[fl] + k * L, fw[fl] - k * L < L ? fw[fl] - k * L : L, -1, fl};
    const uint32_t digits = n;
    for (uint32_t j = 0; j < digits; j++)
        if (rows[j].width < L)
            rows[n++] = (row){0, rows[j].width, (int32_t)j, rows[j].field};
    return n;
}

/* Layers that depend on a challenge layer (gkr.c's challenge_deps). */
static void find_late(const gkr_circuit *c, uint8_t *late)
{
    for (uint32_t i = c->n_layers; i-- > 0;) {
        const gkr_layer *l = &c->layers[i];
        late[i] = l->kind == GKR_INPUT && l->p.input.visibility == GKR_INPUT_CHALLENGE;
        const gkr_view *v;
        const uint32_t nv = l->kind == GKR_INPUT ? 0 : gkr_kind_get(l->kind)->views(l, &v);
        for (uint32_t k = 0; k < nv && !late[i]; k++)
            late[i] = late[v[k].layer];
    }
}

/* The honest witness's input layers, as zkm_net_prove computes them
 * (layers/net.c's all_values, up to the layers gkr_eval computes). */
static void honest_inputs(fixture *f, const zkm_qinputs *q)
{
    const zkm_net *n = f->n;
    const lw_builder *b = &n->b;
    zkm_err e;
    zkm_err_clear(&e);
    lw_wit w = {.m = n->m, .nodes = n->nodes, .b = b, .qw = &n->qw, .in = q, .fill = true,
                .e = &e};
    w.act = calloc(n->m->n_nodes, sizeof *w.act);
    w.values = calloc(b->n, sizeof *w.values);
    w.lk_counts = calloc((size_t)1 << b->limb, sizeof *w.lk_counts);
    assert_true(w.act && w.values && w.lk_counts);
    zkm_status st = ZKM_OK;
    for (uint32_t i = 0; i < n->m->n_nodes && !st; i++) {
        const lw_op *op = lw_op_get(n->m->nodes[i].op);
        if (op->publics)
            st = op->publics(&w, i);
    }
    for (uint32_t k = 0; k < b->n_masks && !st; k++) { /* net.c's fill_masks */
        const struct lw_mask *mk = &b->masks[k];
        fr *v = lw_values(&w, mk->id);
        assert_non_null(v);
        for (uint32_t y = 0; y < mk->H; y++)
            for (uint32_t x = 0; x < mk->W; x++)
                fr_set_one(&v[((size_t)y << mk->wb) | x]);
    }
    if (!st)
        st = lw_lookup_table(&w);
    for (uint32_t i = 0; i < n->m->n_nodes && !st; i++) {
        const lw_op *op = lw_op_get(n->m->nodes[i].op);
        if (op->witness)
            st = op->witness(&w, i);
    }
    if (!st)
        st = lw_lookup_counts(&w);
    if (st)
        fail_msg("%s: witness: %s", f->name, e.msg);
    f->in = calloc(f->c->n_layers, sizeof *f->in);
    assert_non_null(f->in);
    for (uint32_t id = 0; id < b->n; id++) {
        const uint32_t li = n->final_of[id];
        if (f->c->layers[li].kind != GKR_INPUT)
            continue;
        /* an input no op filled (the challenge): zeros */
        f->in[li] = w.values[id] ? w.values[id] : lw_values(&w, id);
        assert_non_null(f->in[li]);
        w.values[id] = NULL;
    }
    f->counts = w.lk_counts;
    for (uint32_t i = 0; i < n->m->n_nodes; i++)
        free(w.act[i]);
    for (uint32_t id = 0; id < b->n; id++)
        free(w.values[id]);
    free(w.act);
    free(w.values);
}

/* -------------------------------------------------------------- helpers */

/* The integer a small field element stands for (x or x - r); *ok = 0 for
 * any other element. */
static int64_t small_of(const fr *a, int *ok)
{
    uint64_t l[4];
    fr neg;
    fr_to_limbs(l, a);
    *ok = 1;
    if (!l[1] && !l[2] && !l[3] && l[0] <= (uint64_t)INT64_MAX)
        return (int64_t)l[0];
    fr_neg(&neg, a);
    fr_to_limbs(l, &neg);
    if (!l[1] && !l[2] && !l[3] && l[0] <= (uint64_t)INT64_MAX)
        return -(int64_t)l[0];
    *ok = 0;
    return 0;
}

static fr *digit_at(fr **w, const rcheck *r, uint32_t j, size_t g)
{
    return &w[r->d][((size_t)j << r->nv) + g];
}

static int64_t digit(fr **w, const rcheck *r, uint32_t j, size_t g)
{
    int ok;
    const int64_t v = small_of(digit_at(w, r, j, g), &ok);
    assert_true(ok);
    return v;
}

static void set_digit(fr **w, const rcheck *r, uint32_t j, size_t g, int64_t v)
{
    fr_set_i64(digit_at(w, r, j, g), v);
}

/* The dup rows of entry g from their digits, as the honest prover writes
 * them: digit + 2^L - 2^width. */
static void redo_dups(const fixture *f, fr **w, const rcheck *r, size_t g)
{
    for (uint32_t j = r->n_digits; j < r->n_rows; j++)
        set_digit(w, r, j, g,
                  digit(w, r, (uint32_t)r->rows[j].dup_of, g) + ((int64_t)1 << f->limb) -
                      ((int64_t)1 << r->rows[j].width));
}

/* The multiplicities counted honestly over every entry of every D layer:
 * how often each table entry occurs (an entry outside the table has no
 * count to go to). */
static void recount(const fixture *f, fr **w)
{
    const uint64_t T = (uint64_t)1 << f->limb;
    uint64_t *cnt = calloc(T, sizeof *cnt);
    assert_non_null(cnt);
    for (uint32_t k = 0; k < f->n_rc; k++) {
        const rcheck *r = &f->rc[k];
        for (size_t x = 0; x < ((size_t)1 << f->c->layers[r->d].nvars); x++) {
            int ok;
            const int64_t v = small_of(&w[r->d][x], &ok);
            if (ok && v >= 0 && (uint64_t)v < T)
                cnt[v]++;
        }
    }
    for (uint64_t t = 0; t < T; t++)
        fr_set_u64(&w[f->lk_m][t], cnt[t]);
    free(cnt);
}

/* A copy of the honest input layers (the rest NULL, for gkr_eval to
 * fill); free with witness_free. */
static fr **witness_copy(const fixture *f)
{
    const gkr_circuit *c = f->c;
    fr **w = calloc(c->n_layers, sizeof *w);
    assert_non_null(w);
    for (uint32_t li = 0; li < c->n_layers; li++) {
        if (!f->in[li])
            continue;
        const size_t len = ((size_t)1 << c->layers[li].nvars) * sizeof(fr);
        w[li] = malloc(len);
        assert_non_null(w[li]);
        memcpy(w[li], f->in[li], len);
    }
    return w;
}

/* Free a witness: its input layers and those computed into it. */
static void witness_free(const fixture *f, fr **w)
{
    for (uint32_t li = 0; li < f->c->n_layers; li++)
        free(w[li]);
    free(w);
}

/* Compute the late layers (those after the challenge) but `skip`, from the
 * layers they read, as gkr_prove does once it has drawn the challenge. */
static void eval_late(const fixture *f, fr **w, uint32_t skip)
{
    zkm_err e;
    for (uint32_t li = f->c->n_layers; li-- > 0;) {
        if (!f->late[li] || f->c->layers[li].kind == GKR_INPUT || li == skip)
            continue;
        memset(w[li], 0, ((size_t)1 << f->c->layers[li].nvars) * sizeof(fr));
        assert_int_equal(gkr_eval_layer(f->c, li, w, w[li], &e), ZKM_OK);
    }
}

/* Whether zero layer li is not zero. */
static int nonzero(const fixture *f, fr **w, uint32_t li)
{
    for (size_t k = 0; k < ((size_t)1 << f->c->layers[li].nvars); k++)
        if (!fr_is_zero(&w[li][k]))
            return 1;
    return 0;
}

/* Z_* bits of the zero layers that are not zero. */
static unsigned violated(const fixture *f, fr **w)
{
    unsigned v = 0;
    for (uint32_t li = 0; li < f->c->n_layers; li++)
        if (f->zkind[li] && nonzero(f, w, li))
            v |= f->zkind[li];
    return v;
}

/* The first computed layer (in the order the verifier reduces them) whose
 * values are not what its sources give, or that must be zero and is not:
 * where the verifier must find the lie.  UINT32_MAX if there is none. */
static uint32_t first_lie(const fixture *f, fr **w)
{
    const gkr_circuit *c = f->c;
    zkm_err e;
    for (uint32_t li = 0; li < c->n_layers; li++) {
        if (c->layers[li].kind == GKR_INPUT)
            continue;
        const size_t len = (size_t)1 << c->layers[li].nvars;
        fr *t = calloc(len, sizeof *t);
        assert_non_null(t);
        assert_int_equal(gkr_eval_layer(c, li, w, t, &e), ZKM_OK);
        int lie = memcmp(t, w[li], len * sizeof *t) != 0;
        for (size_t k = 0; k < len && !lie && (c->layers[li].flags & GKR_LAYER_ZERO); k++)
            lie = !fr_is_zero(&t[k]);
        free(t);
        if (lie)
            return li;
    }
    return UINT32_MAX;
}

static fixture *fx_get(void **state)
{
    fixture *f = *state;
    if (f->ready)
        return f;
    if (f->tried)
        fail_msg("%s/limb %u: no fixture (its first test says why)", f->name, f->limb);
    f->tried = 1;
    zkm_check_opts o;
    zkm_check_opts_default(&o);
    o.bits = f->bits;
    zkm_diags d;
    zkm_diags_init(&d);
    if (zkm_model_from_source("tiny.zkm", MODEL_SRC, strlen(MODEL_SRC), &o, &f->m, &d)) {
        zkm_diags_print(&d, stderr);
        fail_msg("the test model does not check");
    }
    zkm_diags_free(&d);
    zkm_err e;
    zkm_err_clear(&e);
    const zkm_net_opts no = {.limb = f->limb};
    if (zkm_net_init_ex(f->m, &no, &f->n, &e))
        fail_msg("zkm_net_init_ex: %s", e.msg);
    f->c = zkm_net_circuit(f->n);
    zkm_tensor_set w, in;
    zkm_qinputs q;
    assert_int_equal(zkm_net_seeded_weights(f->n, 1, &w, &e), ZKM_OK);
    assert_int_equal(zkm_net_seeded_inputs(f->n, 1, &in, &e), ZKM_OK);
    assert_int_equal(zkm_net_set_weights(f->n, &w, NULL, &e), ZKM_OK);
    assert_int_equal(zkm_net_quantize_inputs(f->n, &in, &q, &e), ZKM_OK);
    /* the whole stack first: zkm_net_prove and zkm_net_verify agree */
    uint8_t *proof;
    size_t len;
    const double t0 = now();
    if (zkm_net_prove(f->n, &q, NULL, NULL, &proof, &len, NULL, NULL, &e))
        fail_msg("%s: zkm_net_prove: %s", f->name, e.msg);
    const double t1 = now();
    if (zkm_net_verify(f->n, proof, len, NULL, NULL, NULL, &e))
        fail_msg("%s: zkm_net_verify: %s", f->name, e.msg);
    free(proof);
    honest_inputs(f, &q);
    zkm_qinputs_free(&q);
    zkm_tensor_set_free(&w);
    zkm_tensor_set_free(&in);

    const gkr_circuit *c = f->c;
    const lw_builder *b = &f->n->b;
    f->late = calloc(c->n_layers, 1);
    f->zkind = calloc(c->n_layers, 1);
    f->rc = calloc(b->n_lk, sizeof *f->rc);
    assert_true(f->late && f->zkind && f->rc);
    find_late(c, f->late);
    f->lk_m = f->n->final_of[b->lk_m];
    for (uint32_t li = 0; li < c->n_layers; li++)
        if (c->layers[li].flags & GKR_LAYER_ZERO) {
            f->zkind[li] = f->late[li] ? Z_LOOKUP : Z_OTHER;
            if (f->late[li])
                f->zero = li;
        }
    assert_int_equal(c->layers[f->zero].nvars, 0);
    for (uint32_t i = 0; i < f->m->n_nodes; i++) {
        const lw_range *r = &f->n->nodes[i].range;
        uint32_t k = 0;
        while (k < b->n_lk && b->lk_d[k] != r->d)
            k++;
        if (k == b->n_lk || r->limb == 0)
            continue;
        rcheck *x = &f->rc[f->n_rc++];
        x->node = i;
        x->output = i == f->m->output || f->n->nodes[i].fused == f->m->output;
        x->d = f->n->final_of[r->d];
        x->nv = b->meta[r->zrec].nvars;
        x->nb = r->nb;
        x->n_rows = rows_of(r, x->rows);
        x->n_digits = 0;
        while (x->n_digits < x->n_rows && x->rows[x->n_digits].dup_of < 0)
            x->n_digits++;
        assert_int_equal(c->layers[x->d].nvars, x->nv + x->nb);
        /* the default mode: D committed, so that nothing but the lookup
         * bounds its entries (advice in the clear is packed in L bits) */
        assert_int_equal(c->layers[x->d].p.input.visibility, GKR_INPUT_COMMITTED);
        f->zkind[f->n->final_of[r->zrec]] = Z_REC;
        if (r->zdup != LW_NONE)
            f->zkind[f->n->final_of[r->zdup]] = Z_DUP;
    }
    assert_int_equal(f->n_rc, b->n_lk);
    fr **hw = witness_copy(f);
    assert_int_equal(gkr_eval(c, hw, &e), ZKM_OK);
    const size_t n_out = (size_t)1 << c->layers[0].nvars;
    f->out = malloc(n_out * sizeof(fr));
    assert_non_null(f->out);
    memcpy(f->out, hw[0], n_out * sizeof(fr));
    witness_free(f, hw);
    uint32_t n_late = 0;
    for (uint32_t li = 0; li < c->n_layers; li++)
        n_late += f->late[li];
    printf("# %s at %u bits, limb %u: %u layers (%u after the challenge), %u range checks, "
           "proved by zkm_net_prove in %.3f s\n",
           f->name, f->bits, f->limb, c->n_layers, n_late, f->n_rc, t1 - t0);
    f->ready = 1;
    return f;
}

static int fx_free(void **state)
{
    fixture *f = *state;
    if (f->in)
        for (uint32_t li = 0; li < f->c->n_layers; li++)
            free(f->in[li]);
    free(f->in);
    free(f->counts);
    free(f->out);
    free(f->late);
    free(f->zkind);
    free(f->rc);
    zkm_net_free(f->n);
    zkm_model_free(f->m);
    memset(f, 0, sizeof *f);
    return 0;
}

/* ---------------------------------------------- a replica of the driver */

/* Where a cheating prover puts its lie after the challenge: entry `entry` of
 * late layer `layer` changed so that the lookup's zero layer holds, every
 * late layer reading it (up to the zero layer) computed from it. */
typedef struct {
    uint32_t layer;
    size_t entry;
} forge;

/* Apply g to w (late layers computed).  Every late layer is, entry by
 * entry, of degree one in any single entry of a layer below it (the
 * fractions' sums and products take each operand once), so the zero
 * layer's value is z0 + delta * c for a change delta of the entry: two
 * evaluations give c, and delta = -z0 / c.  Returns 0 if c is zero (the
 * zero layer does not depend on that entry at this challenge). */
static int apply_forge(const fixture *f, fr **w, const forge *g)
{
    fr *x = &w[g->layer][g->entry], *z = &w[f->zero][0];
    const fr x0 = *x, z0 = *z;
    fr one, c, d;
    fr_set_one(&one);
    fr_add(x, &x0, &one);
    eval_late(f, w, g->layer);
    fr_sub(&c, z, &z0);
    if (fr_is_zero(&c)) {
        *x = x0;
        eval_late(f, w, g->layer);
        return 0;
    }
    fr_inv_var(&c, &c);
    fr_mul(&d, &z0, &c);
    fr_sub(x, &x0, &d);
    eval_late(f, w, g->layer);
    assert_true(fr_is_zero(z));
    return 1;
}

/* An input layer of that visibility. */
static int is_input(const gkr_layer *l, gkr_visibility v)
{
    return l->kind == GKR_INPUT && l->p.input.visibility == v;
}

/* gkr_prove's driver (gkr.c, labels as there) for the nets' circuits in
 * the default mode, without zero knowledge: public inputs absorbed as
 * values (no digests), the advice committed with zero blinds (gkr_prove
 * hides only when asked to), the challenge drawn after the statement, then the late layers
 * computed, the claims seeded and every computed layer reduced by its
 * kind's prover, then one Hyrax opening of the committed layers.  Unlike
 * gkr_prove it checks no zero layer, and it applies g (if not NULL) once
 * the late layers are computed: gkr_prove would compute them again and
 * refuse, and forging them beforehand cannot work, since they depend on
 * the challenge (*forged: whether g could be applied).  On the honest
 * witness it gives gkr_prove's bytes but the opening's (test_honest). */
static uint8_t *replica_prove(const fixture *f, fr **w, const forge *g, size_t *len,
                              int *forged)
{
    const gkr_circuit *c = f->c;
    const uint32_t n = c->n_layers;
    zkm_err e;
    zkm_err_clear(&e);
    transcript tr;
    gkr_claims *cl = calloc(n, sizeof *cl);
    uint32_t *sec_of = calloc(n, sizeof *sec_of), *tab_of = calloc(n, sizeof *tab_of);
    hyrax_com *com = calloc(n, sizeof *com);
    fr **blinds = calloc(n, sizeof *blinds);
    assert_true(cl && sec_of && tab_of && com && blinds);
    uint32_t n_sec = 1, n_tab = 0;
    for (uint32_t li = 0; li < n; li++) {
        const gkr_layer *l = &c->layers[li];
        cl[li].nvars = l->nvars;
        assert_false(is_input(l, GKR_INPUT_ADVICE));
        assert_true(!is_input(l, GKR_INPUT_COMMITTED) || !l->p.input.external);
        if (l->kind != GKR_INPUT || is_input(l, GKR_INPUT_COMMITTED))
            sec_of[li] = n_sec++;
        if (is_input(l, GKR_INPUT_COMMITTED))
            tab_of[li] = n_tab++;
    }
    gkr_proof P = {.n_sections = n_sec + (n_tab ? 2 : 0)};
    P.sections = calloc(P.n_sections, sizeof *P.sections);
    assert_non_null(P.sections);
    for (uint32_t li = 0; li < n; li++) {
        const gkr_layer *l = &c->layers[li];
        gkr_section *s = &P.sections[sec_of[li]];
        if (!sec_of[li])
            continue;
        s->tag = 1 + li;
        if (is_input(l, GKR_INPUT_COMMITTED)) {
            s->encoding = GKR_ENC_G1;
            const size_t rows = hyrax_rows(l->nvars, c->commit_col_vars);
            blinds[li] = calloc(rows, sizeof(fr));
            assert_non_null(blinds[li]);
            assert_int_equal(hyrax_commit(&com[li], w[li], l->nvars, c->commit_col_vars,
                                          blinds[li], 1, &e), ZKM_OK);
        }
    }
    if (n_tab) {
        P.sections[n_sec].tag = 1 + n;
        P.sections[n_sec + 1].tag = 2 + n;
        P.sections[n_sec + 1].encoding = GKR_ENC_G1;
    }
    gkr_circuit_digest(c, P.digest);

    /* the statement, the challenge, the late layers */
    tr_init(&tr, "zkm/gkr/v1");
    tr_absorb_bytes(&tr, "gkr/circuit", P.digest, GKR_DIGEST_BYTES);
    for (uint32_t li = 0; li < n; li++)
        if (is_input(&c->layers[li], GKR_INPUT_PUBLIC)) {
            tr_absorb_u64(&tr, "gkr/input-layer", li);
            tr_absorb_frs(&tr, "gkr/input", w[li], (size_t)1 << c->layers[li].nvars);
        }
    for (uint32_t li = 0; li < n; li++)
        if (is_input(&c->layers[li], GKR_INPUT_COMMITTED)) {
            tr_absorb_u64(&tr, "gkr/committed-layer", li);
            hyrax_absorb_com(&tr, "gkr/commitment", &com[li]);
        }
    const uint32_t n0 = c->layers[0].nvars;
    tr_absorb_frs(&tr, "gkr/output", w[0], (size_t)1 << n0);
    for (uint32_t li = 0; li < n; li++)
        if (is_input(&c->layers[li], GKR_INPUT_CHALLENGE)) {
            tr_absorb_u64(&tr, "gkr/challenge-layer", li);
            tr_challenge(&tr, "gkr/challenge", &w[li][0]);
        }
    eval_late(f, w, UINT32_MAX);
    *forged = g ? apply_forge(f, w, g) : 0;

    /* the sections the statement fixed, the claims, the layers */
    assert_int_equal(fr_vec_push(&P.sections[0].msgs, w[0], (size_t)1 << n0, &e), ZKM_OK);
    for (uint32_t li = 0; li < n; li++)
        if (is_input(&c->layers[li], GKR_INPUT_COMMITTED))
            assert_int_equal(g1_vec_push(&P.sections[sec_of[li]].pts, com[li].rows,
                                         com[li].n_rows, &e), ZKM_OK);
    fr z[GKR_MAX_NVARS], v;
    fr *scratch = malloc((n0 ? (size_t)1 << (n0 - 1) : 1) * sizeof(fr));
    assert_non_null(scratch);
    tr_challenges(&tr, "gkr/z0", z, n0);
    mle_eval(&v, w[0], n0, z, scratch);
    free(scratch);
    tu_claim_push(&cl[0], z, &v);
    fr_set_zero(&v);
    for (uint32_t li = 1; li < n; li++)
        if (c->layers[li].flags & GKR_LAYER_ZERO) {
            tr_challenges(&tr, "gkr/zero-z", z, c->layers[li].nvars);
            tu_claim_push(&cl[li], z, &v);
        }
    gkr_scratch sc;
    memset(&sc, 0, sizeof sc);
    for (uint32_t li = 0; li < n; li++) {
        const gkr_layer *l = &c->layers[li];
        if (l->kind == GKR_INPUT)
            continue;
        assert_true(cl[li].n >= 1);
        if (cl[li].n == 1)
            fr_set_one(&cl[li].alpha[0]);
        else
            tr_challenges(&tr, "gkr/alpha", cl[li].alpha, cl[li].n);
        gkr_section *s = &P.sections[sec_of[li]];
        zk_chan ch = {.tr = &tr, .out = &s->msgs, .out_pts = &s->pts};
        gkr_pctx x = {.c = c, .values = w, .tr = &tr, .ch = &ch, .claims = cl, .scratch = &sc};
        if (gkr_kind_get(l->kind)->prove(&x, li, &e))
            fail_msg("replica: layer %u: %s", li, e.msg);
    }
    for (unsigned k = 0; k < GKR_SCRATCH_SLOTS; k++)
        free(sc.buf[k]);

    /* the opening of the committed layers, for every claim on them */
    if (n_tab) {
        size_t nc = 0, k = 0;
        for (uint32_t li = 0; li < n; li++)
            if (is_input(&c->layers[li], GKR_INPUT_COMMITTED))
                nc += cl[li].n;
        hyrax_claim *hc = calloc(nc ? nc : 1, sizeof *hc);
        hyrax_table *ht = calloc(n_tab, sizeof *ht);
        assert_true(hc && ht);
        for (uint32_t li = 0; li < n; li++) {
            if (!is_input(&c->layers[li], GKR_INPUT_COMMITTED))
                continue;
            ht[tab_of[li]] = (hyrax_table){.com = &com[li], .values = w[li], .blinds = blinds[li]};
            for (size_t j = 0; j < cl[li].n; j++, k++)
                hc[k] = (hyrax_claim){.table = tab_of[li],
                                      .point = cl[li].points + j * cl[li].nvars,
                                      .value = cl[li].values[j], .hid = cl[li].hid[j]};
        }
        assert_int_equal(hyrax_open_prove(&tr, ht, n_tab, hc, nc, &P.sections[n_sec].msgs,
                                          &P.sections[n_sec + 1].pts, 1, &e), ZKM_OK);
        free(hc);
        free(ht);
    }
    uint8_t *out;
    assert_int_equal(gkr_proof_encode(&P, &out, len, &e), ZKM_OK);
    gkr_proof_free(&P);
    for (uint32_t li = 0; li < n; li++) {
        free(cl[li].points);
        free(cl[li].values);
        free(cl[li].alpha);
        free(cl[li].hid);
        hyrax_com_free(&com[li]);
        free(blinds[li]);
    }
    free(cl);
    free(sec_of);
    free(tab_of);
    free(com);
    free(blinds);
    return out;
}

/* ------------------------------------------------------------ the tests */

/* The layer number an error message starts with ("layer %u ..."). */
static uint32_t layer_named(const zkm_err *e, const char *fmt)
{
    unsigned li;
    if (sscanf(e->msg, fmt, &li) != 1)
        fail_msg("'%s' names no layer", e->msg);
    return li;
}

/* A cheating witness w (its input layers a changed copy of the honest
 * ones; r: the range check changed, or NULL): gkr_prove refuses it
 * (ZKM_EINVAL), naming the zero layer its witness check finds first (those
 * the challenge does not reach before it is drawn, then the lookup's); the
 * replica's proof, and its proofs with each forge of fg (n_fg of them)
 * applied, are rejected (ZKM_EREJECT) by gkr_verify at the first layer
 * that lies.  Returns the Z_* bits of the zero layers the witness
 * violates; *n_proofs counts the rejected proofs. */
static unsigned expect_cheat(const fixture *f, const rcheck *r, fr **w, const char *what,
                             const forge *fg, size_t n_fg, size_t *n_proofs)
{
    const gkr_circuit *c = f->c;
    char where[256];
    snprintf(where, sizeof where, "%s limb %u: %s%s%s", f->name, f->limb,
             r ? f->m->nodes[r->node].name : "", r ? "'s range check: " : "", what);
    zkm_err e;
    zkm_err_clear(&e);
    assert_int_equal(gkr_eval(c, w, &e), ZKM_OK);
    uint8_t *b;
    size_t len;
    zkm_status st = gkr_prove(c, w, &b, &len, NULL, &e);
    if (st != ZKM_EINVAL)
        fail_msg("%s: gkr_prove says %s, want the witness refused", where, zkm_status_str(st));
    const uint32_t refused = layer_named(&e, "layer %u must be zero");
    unsigned v = 0;
    for (size_t k = 0; k <= n_fg; k++) {
        const forge *g = k ? &fg[k - 1] : NULL;
        int forged;
        b = replica_prove(f, w, g, &len, &forged);
        if (!g) {
            v = violated(f, w);
            uint32_t want = UINT32_MAX;
            for (uint32_t li = 0; li < c->n_layers && want == UINT32_MAX; li++)
                if (f->zkind[li] && !f->late[li] && nonzero(f, w, li))
                    want = li;
            if (want == UINT32_MAX)
                want = f->zero;
            if (refused != want)
                fail_msg("%s: gkr_prove refuses at layer %u, want %u (%s)", where, refused, want,
                         e.msg);
        } else if (!forged) {
            free(b);
            continue;
        }
        const uint32_t lie = first_lie(f, w);
        if (lie == UINT32_MAX)
            fail_msg("%s: the witness does not lie", where);
        fr *out = NULL;
        zkm_err_clear(&e);
        st = gkr_verify(c, w, b, len, &out, NULL, &e);
        free(b);
        if (st != ZKM_EREJECT)
            fail_msg("%s%s: gkr_verify says %s, want the proof rejected", where,
                     g ? " (forged)" : "", zkm_status_str(st));
        assert_null(out);
        const uint32_t at = layer_named(&e, "layer %u (");
        if (at != lie)
            fail_msg("%s%s: rejected at layer %u, but the first lie is at %u (%s)", where,
                     g ? " (forged)" : "", at, lie, e.msg);
        (*n_proofs)++;
    }
    return v;
}

/* The replica's proof a and gkr_prove's b of the same witness: the same
 * sections but the commitment opening's (the last two), which the
 * inner-product argument blinds at random in every proof. */
static void same_but_opening(const fixture *f, const uint8_t *a, size_t alen, const uint8_t *b,
                             size_t blen)
{
    gkr_proof P, Q;
    assert_int_equal(gkr_proof_decode(&P, a, alen, NULL), ZKM_OK);
    assert_int_equal(gkr_proof_decode(&Q, b, blen, NULL), ZKM_OK);
    assert_memory_equal(P.digest, Q.digest, sizeof P.digest);
    assert_int_equal(P.n_sections, Q.n_sections);
    assert_true(P.n_sections > 2);
    for (uint32_t s = 0; s < P.n_sections; s++) {
        const gkr_section *x = &P.sections[s], *y = &Q.sections[s];
        const int opening = s + 2 >= P.n_sections;
        if (x->tag != y->tag || x->encoding != y->encoding || x->width != y->width ||
            x->msgs.n != y->msgs.n || x->pts.n != y->pts.n ||
            (!opening && x->msgs.n && memcmp(x->msgs.v, y->msgs.v, x->msgs.n * sizeof(fr))) ||
            (!opening && x->pts.n && memcmp(x->pts.v, y->pts.v, x->pts.n * sizeof(g1_affine))))
            fail_msg("%s limb %u: the replica of the driver differs from gkr_prove in section "
                     "%u (tag %u)", f->name, f->limb, s, x->tag);
    }
    gkr_proof_free(&P);
    gkr_proof_free(&Q);
}

static void test_honest(void **state)
{
    fixture *f = fx_get(state);
    const gkr_circuit *c = f->c;
    fr **w = witness_copy(f);
    zkm_err e;
    zkm_err_clear(&e);
    /* the rows as the test reads them: digits within their widths, dups
     * their digit + 2^L - 2^w, the rows past the last zero, and the
     * multiplicities the counts of all those */
    for (uint32_t k = 0; k < f->n_rc; k++) {
        const rcheck *r = &f->rc[k];
        for (size_t g = 0; g < ((size_t)1 << r->nv); g++) {
            for (uint32_t j = 0; j < r->n_rows; j++) {
                const row *rj = &r->rows[j];
                const int64_t d = digit(w, r, j, g);
                if (rj->dup_of < 0)
                    assert_true(d >= 0 && d < ((int64_t)1 << rj->width));
                else
                    assert_int_equal(d, digit(w, r, (uint32_t)rj->dup_of, g) +
                                            ((int64_t)1 << f->limb) - ((int64_t)1 << rj->width));
            }
            for (uint32_t j = r->n_rows; j < (1u << r->nb); j++)
                assert_int_equal(digit(w, r, j, g), 0);
        }
    }
    const size_t T = (size_t)1 << f->limb;
    fr *m = malloc(T * sizeof(fr));
    assert_non_null(m);
    memcpy(m, w[f->lk_m], T * sizeof(fr));
    recount(f, w);
    assert_memory_equal(m, w[f->lk_m], T * sizeof(fr));
    free(m);
    assert_int_equal(gkr_eval(c, w, &e), ZKM_OK);
    uint8_t *b, *rb;
    size_t len, rlen;
    int forged;
    if (gkr_prove(c, w, &b, &len, NULL, &e))
        fail_msg("%s limb %u: gkr_prove: %s", f->name, f->limb, e.msg);
    if (gkr_verify(c, w, b, len, NULL, NULL, &e))
        fail_msg("%s limb %u: gkr_verify: %s", f->name, f->limb, e.msg);
    rb = replica_prove(f, w, NULL, &rlen, &forged);
    assert_non_null(rb);
    same_but_opening(f, b, len, rb, rlen);
    if (gkr_verify(c, w, rb, rlen, NULL, NULL, &e))
        fail_msg("%s limb %u: the replica's honest proof: gkr_verify: %s", f->name, f->limb,
                 e.msg);
    assert_int_equal(violated(f, w), 0);
    assert_int_equal(first_lie(f, w), UINT32_MAX);
    free(b);
    free(rb);
    witness_free(f, w);
}

/* An entry of range check r whose digit j lies in [lo, hi] (honest
 * witness), at random; 0 if there is none. */
static int pick(tu_rng *g, const fixture *f, const rcheck *r, uint32_t j, int64_t lo,
                int64_t hi, size_t *out)
{
    const size_t n = (size_t)1 << r->nv, start = tu_below(g, n);
    for (size_t t = 0; t < n; t++) {
        const size_t x = (start + t) % n;
        const int64_t d = digit(f->in, r, j, x);
        if (d >= lo && d <= hi) {
            *out = x;
            return 1;
        }
    }
    return 0;
}

/* Where the lies go after the challenge, each on its own: an entry of the
 * D side's total A and of the table's root numerator p_T (the zero layer's
 * sources), and of the first level of the tree over D (range check r's)
 * and over the multiplicities (where the trees read committed layers).
 * Zeroing the zero layer itself, test_soundness's forge, would prove the
 * same bytes as no forge here: an eltwise layer's prover reads only its
 * sources, and the zero layer's claim is 0 whatever its values. */
#define N_FORGES 4

/* The first late layer reading layer src. */
static uint32_t late_reader(const fixture *f, uint32_t src)
{
    for (uint32_t li = 0; li < f->c->n_layers; li++) {
        const gkr_layer *l = &f->c->layers[li];
        const gkr_view *v;
        if (!f->late[li] || l->kind == GKR_INPUT)
            continue;
        const uint32_t k = gkr_kind_get(l->kind)->views(l, &v);
        for (uint32_t j = 0; j < k; j++)
            if (v[j].layer == src)
                return li;
    }
    fail_msg("%s limb %u: no late layer reads layer %u", f->name, f->limb, src);
    return UINT32_MAX;
}

static void forges_for(const fixture *f, tu_rng *g, const rcheck *r, forge *out)
{
    const gkr_layer *z = &f->c->layers[f->zero];
    const gkr_view *v;
    assert_int_equal(gkr_kind_get(z->kind)->views(z, &v), 4);
    out[0] = (forge){v[0].layer, 0};
    out[1] = (forge){v[2].layer, 0};
    for (int side = 0; side < 2; side++) {
        const uint32_t li = late_reader(f, side ? f->lk_m : r->d);
        out[2 + side] = (forge){li, tu_below(g, (size_t)1 << f->c->layers[li].nvars)};
    }
}

/* Whether digit k of r may trade 2^w for one unit of digit k + 1 (V stays
 * the same) with nothing but the lookup to object: k + 1 holds V's next
 * bits, either in the same field (the op's output stays the same) or in
 * the range check of the model's output (a carry across fields claims a
 * quotient off by one with a remainder out of range, or a relu's sign bit
 * off by one with its low bits out of range: the claimed output changes
 * unless the relu hides it; elsewhere the layers reading the op's output
 * would have to change too). */
static int can_carry(const rcheck *r, uint32_t k)
{
    if (k + 1 >= r->n_digits)
        return 0;
    assert_int_equal(r->rows[k + 1].pos, r->rows[k].pos + r->rows[k].width);
    return r->rows[k].field == r->rows[k + 1].field || r->output;
}

/* Whether that carry changes the claimed output. */
static int claims_other(const rcheck *r, uint32_t k)
{
    return can_carry(r, k) && r->rows[k].field != r->rows[k + 1].field;
}

/* d_k += sign 2^w_k, d_(k+1) -= sign at entry x of w: V the same. */
static void carry(fr **w, const rcheck *r, uint32_t k, size_t x, int sign)
{
    set_digit(w, r, k, x, digit(w, r, k, x) + sign * ((int64_t)1 << r->rows[k].width));
    set_digit(w, r, k + 1, x, digit(w, r, k + 1, x) - sign);
}

/* The digit rows a case picks from. */
enum { ROWS_ANY, ROWS_SHORT, ROWS_CARRY, ROWS_FULL_CARRY, ROWS_SHORT_CARRY };

/* A digit row of r of that sort, at random; UINT32_MAX if there is none. */
static uint32_t some_row(tu_rng *g, const fixture *f, const rcheck *r, int sort)
{
    uint32_t k, pick_k = UINT32_MAX, seen = 0;
    for (k = 0; k < r->n_digits; k++) {
        const int full = r->rows[k].width == f->limb, c = can_carry(r, k);
        const int ok = sort == ROWS_ANY || (sort == ROWS_SHORT && !full) ||
                       (sort == ROWS_CARRY && c) || (sort == ROWS_FULL_CARRY && full && c) ||
                       (sort == ROWS_SHORT_CARRY && !full && c);
        if (ok && tu_below(g, ++seen) == 0)
            pick_k = k;
    }
    return pick_k;
}

/* The remainder's top row (below the quotient's first), or UINT32_MAX
 * without a remainder. */
static uint32_t rem_top(const rcheck *r)
{
    uint32_t k = 0;
    while (k < r->n_digits && r->rows[k].field == 0)
        k++;
    return k ? k - 1 : UINT32_MAX;
}

/* A limb's largest digit. */
static int64_t top_of(const rcheck *r, uint32_t k)
{
    return ((int64_t)1 << r->rows[k].width) - 1;
}

/* Case 1: a digit outside the table, the multiplicities counted honestly
 * over the digits as they are (the table side cannot balance). */
static void test_out_of_table(void **state)
{
    fixture *f = fx_get(state);
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x0a ^ f->limb);
    size_t n_cases = 0, n_proofs = 0, n_outputs = 0;
    int forging = 1; /* the first witness of the first kind only */
    forge fg[N_FORGES];
    for (uint32_t q = 0; q < f->n_rc; q++) {
        const rcheck *r = &f->rc[q];
        forges_for(f, &g, r, fg);
        fr **w;
        size_t x;
        /* a full limb carrying 2^L from the next one: the digit
         * 2^L .. 2^(L+1) - 1, V the same */
        uint32_t k = some_row(&g, f, r, ROWS_FULL_CARRY);
        assert_true(k != UINT32_MAX);
        if (pick(&g, f, r, k + 1, 1, top_of(r, k + 1), &x)) {
            w = witness_copy(f);
            carry(w, r, k, x, 1);
            redo_dups(f, w, r, x);
            recount(f, w);
            assert_int_equal(expect_cheat(f, r, w, "a limb + 2^L, the next - 1", fg,
                                          forging ? N_FORGES : 0, &n_proofs), Z_LOOKUP);
            witness_free(f, w);
            forging = 0;
            n_cases++;
            n_outputs += claims_other(r, k);
        }
        /* a digit lending 2^w to the next one: the digit negative (a field
         * element near the modulus), V the same; then, in the output's
         * range check, the remainder's top limb lending to the quotient
         * (q + 1 claimed) */
        for (int out = 0; out < 2; out++) {
            k = !out ? some_row(&g, f, r, ROWS_CARRY)
                     : r->output ? rem_top(r) : UINT32_MAX;
            if (k == UINT32_MAX || !pick(&g, f, r, k + 1, 0, top_of(r, k + 1) - 1, &x))
                continue;
            w = witness_copy(f);
            carry(w, r, k, x, -1);
            redo_dups(f, w, r, x);
            recount(f, w);
            assert_int_equal(expect_cheat(f, r, w,
                                          out ? "the output's quotient + 1, its remainder - 2^s"
                                              : "a digit - 2^w, the next + 1",
                                          NULL, 0, &n_proofs), Z_LOOKUP);
            witness_free(f, w);
            n_cases++;
            n_outputs += claims_other(r, k);
        }
        /* the digit 2^L alone: the recomposition fails too */
        k = some_row(&g, f, r, ROWS_ANY);
        w = witness_copy(f);
        x = tu_below(&g, (size_t)1 << r->nv);
        set_digit(w, r, k, x, (int64_t)1 << f->limb);
        redo_dups(f, w, r, x);
        recount(f, w);
        const unsigned v = expect_cheat(f, r, w, "a digit 2^L", NULL, 0, &n_proofs);
        assert_int_equal(v & (Z_LOOKUP | Z_REC), Z_LOOKUP | Z_REC);
        witness_free(f, w);
        n_cases++;
    }
    assert_true(n_outputs > 0);
    printf("# %s limb %u: %zu witnesses with a digit outside the table (%zu across the "
           "output's fields) refused, %zu proofs of them rejected\n", f->name, f->limb, n_cases,
           n_outputs, n_proofs);
}

/* Case 2: multiplicities that do not count the digits: an out-of-range
 * digit counted as if it were some t of the table (the counts then add up
 * to the number of lookups, as an honest table side's do), and, for the
 * honest digits, a count moved, added or removed. */
static void test_multiplicities(void **state)
{
    fixture *f = fx_get(state);
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x0b ^ f->limb);
    const uint64_t T = (uint64_t)1 << f->limb;
    size_t n_cases = 0, n_proofs = 0;
    forge fg[N_FORGES];
    /* a range check, a full limb and an entry where the next limb can lend */
    const rcheck *r = NULL;
    uint32_t k = UINT32_MAX;
    size_t x;
    for (uint32_t q = 0, q0 = (uint32_t)tu_below(&g, f->n_rc); q < f->n_rc && !r; q++) {
        r = &f->rc[(q0 + q) % f->n_rc];
        k = some_row(&g, f, r, ROWS_FULL_CARRY);
        if (k == UINT32_MAX || !pick(&g, f, r, k + 1, 1, top_of(r, k + 1), &x))
            r = NULL;
    }
    assert_non_null(r);
    forges_for(f, &g, r, fg);
    const int64_t d = digit(f->in, r, k, x);
    /* d + 2^L counted as d (what it is mod 2^L), as 0, as 2^L - 1 */
    const uint64_t as[3] = {(uint64_t)d, 0, T - 1};
    for (int a = 0; a < 3; a++) {
        fr **w = witness_copy(f);
        carry(w, r, k, x, 1);
        redo_dups(f, w, r, x);
        recount(f, w);
        fr one;
        fr_set_one(&one);
        fr_add(&w[f->lk_m][as[a]], &w[f->lk_m][as[a]], &one);
        assert_int_equal(expect_cheat(f, r, w, "a digit 2^L + d counted in the table", fg,
                                      a == 0 ? N_FORGES : 0, &n_proofs), Z_LOOKUP);
        witness_free(f, w);
        n_cases++;
    }
    /* the honest digits: one count moved to another entry, one more, one
     * fewer */
    for (int a = 0; a < 3; a++) {
        fr **w = witness_copy(f);
        uint64_t from;
        do
            from = tu_below(&g, T);
        while (f->counts[from] == 0);
        const uint64_t to = (from + 1 + tu_below(&g, T - 1)) % T;
        fr one;
        fr_set_one(&one);
        if (a != 1)
            fr_sub(&w[f->lk_m][from], &w[f->lk_m][from], &one);
        if (a != 2)
            fr_add(&w[f->lk_m][to], &w[f->lk_m][to], &one);
        static const char *const what[3] = {"a count moved", "a count added",
                                            "a count removed"};
        assert_int_equal(expect_cheat(f, NULL, w, what[a], NULL, 0, &n_proofs), Z_LOOKUP);
        witness_free(f, w);
        n_cases++;
    }
    printf("# %s limb %u: %zu witnesses with wrong multiplicities refused, %zu proofs of them "
           "rejected\n", f->name, f->limb, n_cases, n_proofs);
}

/* Case 3: a short limb (w < L bits) holding a digit in 2^w .. 2^L - 1,
 * in the table, so that only its dup row (digit + 2^L - 2^w, then 2^L or
 * more) can object: with the dup row honest the lookup fails, with the dup
 * row left in the table the dup zero layer fails.  By a carry into the
 * next limb, V the same (a short limb is its field's last, so in these
 * nets the output's check: its quotient or sign off by one), also with a
 * second dup row off to cancel the first; and by the digit alone. */
static void test_short_limbs(void **state)
{
    fixture *f = fx_get(state);
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x0c ^ f->limb);
    size_t n_cases = 0, n_proofs = 0, n_carries = 0, n_pairs = 0;
    int forging = 1; /* the first witness of the first kind only */
    forge fg[N_FORGES];
    for (uint32_t q = 0; q < f->n_rc; q++) {
        const rcheck *r = &f->rc[q];
        forges_for(f, &g, r, fg);
        size_t x;
        uint32_t k = some_row(&g, f, r, ROWS_SHORT_CARRY);
        for (int dups = 0; k != UINT32_MAX && dups < 2; dups++) {
            if (!pick(&g, f, r, k + 1, 1, top_of(r, k + 1), &x))
                break;
            fr **w = witness_copy(f);
            carry(w, r, k, x, 1);
            if (!dups)
                redo_dups(f, w, r, x);
            recount(f, w);
            assert_int_equal(expect_cheat(f, r, w,
                                          dups ? "a short limb + 2^w, its dup kept"
                                               : "a short limb + 2^w, the next - 1",
                                          fg, forging && !dups ? N_FORGES : 0, &n_proofs),
                             dups ? Z_DUP : Z_LOOKUP);
            witness_free(f, w);
            forging &= dups;
            n_cases++;
            n_carries++;
        }
        /* the output's remainder: its top limb (short) + 2^w and its dup
         * kept, the quotient - 1, and another dup row of the entry raised
         * by 2^w, in the table: the dup zero layer's brackets are -2^w and
         * +2^w, which only its weights 2^((L+2) j) keep from cancelling */
        k = r->output ? rem_top(r) : UINT32_MAX;
        for (uint32_t j = r->n_digits; k != UINT32_MAX && j < r->n_rows; j++) {
            const int64_t up = (int64_t)1 << r->rows[k].width;
            const size_t n = (size_t)1 << r->nv, start = tu_below(&g, n);
            assert_true(r->rows[k].width < f->limb);
            if (r->rows[j].dup_of == (int32_t)k)
                continue;
            size_t t;
            for (t = 0; t < n; t++) {
                x = (start + t) % n;
                if (digit(f->in, r, k + 1, x) >= 1 &&
                    digit(f->in, r, j, x) + up < ((int64_t)1 << f->limb))
                    break;
            }
            if (t == n)
                continue;
            fr **w = witness_copy(f);
            carry(w, r, k, x, 1);
            set_digit(w, r, j, x, digit(w, r, j, x) + up);
            recount(f, w);
            assert_int_equal(expect_cheat(f, r, w, "two dup rows off by -2^w and +2^w", NULL, 0,
                                          &n_proofs), Z_DUP);
            witness_free(f, w);
            n_cases++;
            n_pairs++;
        }
        k = some_row(&g, f, r, ROWS_SHORT);
        for (int dups = 0; k != UINT32_MAX && dups < 2; dups++) {
            const int64_t w0 = (int64_t)1 << r->rows[k].width, T = (int64_t)1 << f->limb;
            fr **w = witness_copy(f);
            x = tu_below(&g, (size_t)1 << r->nv);
            set_digit(w, r, k, x, w0 + (int64_t)tu_below(&g, (uint64_t)(T - w0)));
            if (!dups)
                redo_dups(f, w, r, x);
            recount(f, w);
            const unsigned v = expect_cheat(f, r, w,
                                            dups ? "a short limb >= 2^w, its dup kept"
                                                 : "a short limb >= 2^w",
                                            NULL, 0, &n_proofs);
            assert_int_equal(v & (Z_LOOKUP | Z_REC | Z_DUP), (dups ? Z_DUP : Z_LOOKUP) | Z_REC);
            witness_free(f, w);
            n_cases++;
        }
    }
    assert_true(n_carries > 0 && n_pairs > 0);
    printf("# %s limb %u: %zu witnesses with a short limb out of its range (%zu by a carry, "
           "%zu with two dup rows off) refused, %zu proofs of them rejected\n", f->name, f->limb,
           n_cases, n_carries, n_pairs, n_proofs);
}

/* Case 4, the controls: a digit changed within its range, dups and counts
 * honest: the lookup balances and the recomposition objects (the digits
 * are V's expansion in the rows' widths, unique when each is in range, so
 * no in-range change keeps V).  The rows past the last, which the lookup
 * reads and nothing else: an entry of the table there is accepted (D is
 * committed, and nothing asks for zeros past its advice length; the
 * statement is the same), 2^L is not. */
static void test_in_range(void **state)
{
    fixture *f = fx_get(state);
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x0d ^ f->limb);
    const int64_t T = (int64_t)1 << f->limb;
    size_t n_cases = 0, n_proofs = 0, n_accepted = 0;
    for (uint32_t q = 0; q < f->n_rc; q++) {
        const rcheck *r = &f->rc[q];
        const uint32_t k = some_row(&g, f, r, ROWS_ANY);
        const size_t x = tu_below(&g, (size_t)1 << r->nv);
        const int64_t w0 = (int64_t)1 << r->rows[k].width;
        fr **w = witness_copy(f);
        set_digit(w, r, k, x, (digit(w, r, k, x) + 1 + (int64_t)tu_below(&g, w0 - 1)) % w0);
        redo_dups(f, w, r, x);
        recount(f, w);
        const unsigned v = expect_cheat(f, r, w, "a digit changed in range", NULL, 0, &n_proofs);
        assert_int_equal(v & (Z_LOOKUP | Z_REC | Z_DUP), Z_REC);
        witness_free(f, w);
        n_cases++;
        if ((1u << r->nb) == r->n_rows)
            continue;
        const uint32_t j = r->n_rows + (uint32_t)tu_below(&g, (1u << r->nb) - r->n_rows);
        for (int out = 0; out < 2; out++) {
            w = witness_copy(f);
            set_digit(w, r, j, x, out ? T : 1 + (int64_t)tu_below(&g, (uint64_t)T - 1));
            recount(f, w);
            if (out) {
                assert_int_equal(expect_cheat(f, r, w, "2^L past the last row", NULL, 0,
                                              &n_proofs), Z_LOOKUP);
                witness_free(f, w);
                n_cases++;
                continue;
            }
            zkm_err e;
            uint8_t *b;
            size_t len;
            int forged;
            assert_int_equal(gkr_eval(f->c, w, &e), ZKM_OK);
            if (gkr_prove(f->c, w, &b, &len, NULL, &e))
                fail_msg("%s limb %u: a digit in range past the last row: gkr_prove: %s",
                         f->name, f->limb, e.msg);
            if (gkr_verify(f->c, w, b, len, NULL, NULL, &e))
                fail_msg("%s limb %u: a digit in range past the last row: gkr_verify: %s",
                         f->name, f->limb, e.msg);
            free(b);
            b = replica_prove(f, w, NULL, &len, &forged);
            assert_non_null(b);
            if (gkr_verify(f->c, w, b, len, NULL, NULL, &e))
                fail_msg("%s limb %u: a digit in range past the last row: the replica's proof: "
                         "gkr_verify: %s", f->name, f->limb, e.msg);
            free(b);
            assert_memory_equal(w[0], f->out, ((size_t)1 << f->c->layers[0].nvars) * sizeof(fr));
            witness_free(f, w);
            n_accepted++;
        }
    }
    assert_true(n_accepted > 0);
    printf("# %s limb %u: %zu witnesses with digits in range refused, %zu proofs of them "
           "rejected; %zu with a table entry past the last row accepted\n", f->name, f->limb,
           n_cases, n_proofs, n_accepted);
}

int main(void)
{
    g_seed = tu_seed("test_lookup");
    static const struct {
        const char *what;
        CMUnitTestFunction f;
    } per_net[] = {
        {"the honest witness proves and verifies; the replica proves as gkr_prove", test_honest},
        {"a digit outside the table: refused, rejected", test_out_of_table},
        {"multiplicities not counting the digits: refused, rejected", test_multiplicities},
        {"a short limb past its width: refused, rejected", test_short_limbs},
        {"a digit changed in range: refused, rejected; a table entry past the last row: "
         "accepted", test_in_range},
    };
    enum { N_NETS = sizeof g_fx / sizeof g_fx[0], N_PER = sizeof per_net / sizeof per_net[0] };
    struct CMUnitTest tests[N_NETS * N_PER];
    static char names[N_NETS][N_PER][160];
    for (size_t i = 0; i < N_NETS; i++)
        for (size_t k = 0; k < N_PER; k++) {
            snprintf(names[i][k], sizeof names[i][k], "%s, %u bits, limb %u: %s", g_fx[i].name,
                     g_fx[i].bits, g_fx[i].limb, per_net[k].what);
            tests[i * N_PER + k] = (struct CMUnitTest){names[i][k], per_net[k].f, NULL, NULL,
                                                       &g_fx[i]};
        }
    const double t0 = now();
    const int rc = cmocka_run_group_tests_name("test_lookup", tests, NULL, NULL);
    printf("# test_lookup: %.1f s\n", now() - t0);
    for (size_t i = 0; i < N_NETS; i++) {
        void *s = &g_fx[i];
        fx_free(&s);
    }
    return rc;
}
