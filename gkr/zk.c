/* Message channels and the zero-knowledge machinery (zk.h). */
#include "zk.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "hyrax.h"
#include "mle.h"
#include "msm.h"
#include "sumcheck.h"

/* The most variables of the table of rows (2^30 values at most), and of
 * the products' sum-check (2^30 terms at most). */
#define ROWS_MAX_VARS 32
/* The most factors of a product term: its sum-check's degree is one more. */
#define TERM_MAX (SC_MAX_DEGREE - 1)

/* The capacity to grow cap to for need elements: doubling, from first. */
static size_t grown(size_t cap, size_t need, size_t first)
{
    size_t c = cap ? cap : first;
    while (c < need)
        c *= 2;
    return c;
}

static zkm_status grow(void **p, size_t size, size_t cap)
{
    void *q = realloc(*p, cap * size);
    if (!q)
        return ZKM_ENOMEM;
    *p = q;
    return ZKM_OK;
}

/* --- linear forms --- */

void zk_form_init(zk_form *f)
{
    memset(f, 0, sizeof *f);
}

void zk_form_free(zk_form *f)
{
    free(f->idx);
    free(f->c);
    memset(f, 0, sizeof *f);
}

void zk_form_set_const(zk_form *f, const fr *k)
{
    f->k = *k;
    f->n = 0;
}

static zkm_status form_reserve(zk_form *f, uint32_t n, zkm_err *e)
{
    if (n <= f->cap)
        return ZKM_OK;
    if (n > (1u << 24))
        return zkm_fail(e, ZKM_ENOMEM, "a linear form of %u terms is too long", n);
    const uint32_t cap = (uint32_t)grown(f->cap, n, 8);
    if (grow((void **)&f->idx, sizeof *f->idx, cap) || grow((void **)&f->c, sizeof *f->c, cap))
        return zkm_fail(e, ZKM_ENOMEM, "out of memory in a linear form");
    f->cap = cap;
    return ZKM_OK;
}

zkm_status zk_form_set_hidden(zk_form *f, uint32_t idx, const fr *c, zkm_err *e)
{
    zkm_status st = form_reserve(f, 1, e);
    if (st)
        return st;
    fr_set_zero(&f->k);
    f->n = 1;
    f->idx[0] = idx;
    f->c[0] = *c;
    return ZKM_OK;
}

zkm_status zk_form_copy(zk_form *dst, const zk_form *src, zkm_err *e)
{
    if (dst == src)
        return ZKM_OK;
    zkm_status st = form_reserve(dst, src->n, e);
    if (st)
        return st;
    dst->k = src->k;
    dst->n = src->n;
    if (src->n) {
        memcpy(dst->idx, src->idx, src->n * sizeof *src->idx);
        memcpy(dst->c, src->c, src->n * sizeof *src->c);
    }
    return ZKM_OK;
}

zkm_status zk_form_axpy(zk_form *y, const fr *a, const zk_form *x, zkm_err *e)
{
    fr t;
    fr_mul(&t, a, &x->k);
    fr_add(&y->k, &y->k, &t);
    if (x->n == 0)
        return ZKM_OK;
    zkm_status st = form_reserve(y, y->n + x->n, e);
    if (st)
        return st;
    for (uint32_t i = 0; i < x->n; i++) {
        y->idx[y->n + i] = x->idx[i];
        fr_mul(&y->c[y->n + i], a, &x->c[i]);
    }
    y->n += x->n;
    return ZKM_OK;
}

void zk_form_scale(zk_form *f, const fr *a)
{
    fr_mul(&f->k, &f->k, a);
    for (uint32_t i = 0; i < f->n; i++)
        fr_mul(&f->c[i], &f->c[i], a);
}

void zk_form_add_const(zk_form *f, const fr *k)
{
    fr_add(&f->k, &f->k, k);
}

/* f += c * hidden value idx */
static zkm_status form_push(zk_form *f, uint32_t idx, const fr *c, zkm_err *e)
{
    zkm_status st = form_reserve(f, f->n + 1, e);
    if (st)
        return st;
    f->idx[f->n] = idx;
    f->c[f->n++] = *c;
    return ZKM_OK;
}

/* --- the context --- */

typedef struct {
    zk_form x, y;
    uint32_t z;
} pending_prod;

/* A product term (series S_TERM): the product of nf factors, linear forms
 * over values with commitments of their own (messages, proven products). */
typedef struct {
    uint32_t nf;
    zk_form f[TERM_MAX];
} term;

typedef struct {
    zk_form d;
    const char *what;
} pending_eq;

/* One series of hidden values: the prover knows each one's value and
 * blinding, the verifier its commitment and its scalars in the final check
 * (acc) and in the equalities' sum (accd).  Row values (S_ROW, the masks'
 * coefficients) have no commitment and no blinding of their own (r is
 * zero): their rows do; value i sits at place i of the table of rows; both
 * sides keep their scalars in the equalities' sum.  Product terms (S_TERM) have neither commitment
 * nor blinding: both sides keep their scalars in the equalities' sum, the
 * prover their values. */
typedef struct {
    size_t n, cap;
    fr *m, *r;
    g1_affine *pt;
    fr *acc, *accd;
} series;

/* the series of hidden value idx: idx >> 30 */
enum { S_MSG, S_ROW, S_PROD, S_TERM, N_SERIES };

struct zk_ctx {
    int prover, threads;
    series s[N_SERIES];
    /* the rows: the prover's blindings, the verifier's commitments; rows_on:
     * sum-checks are masked (off while zk_finish proves the rows);
     * mask_used: the row values masks have taken */
    size_t n_rows, cap_rows;
    fr *row_blind;
    g1_affine *row_pt;
    int rows_on;
    size_t mask_used;
    pending_prod *prods;
    size_t n_prod, cap_prod;
    term *terms; /* S_TERM's, cap_terms of room */
    size_t cap_terms;
    pending_eq *eqs;
    size_t n_eq, cap_eq;
    /* verifier: the final check's scalars on U, H and other points; the
     * equalities' sum's scalar on U */
    fr acc_u, acc_h, accd_u;
    g1_vec xp;
    fr_vec xs;
    /* prover: sum_j w_j blinding(D_j) */
    fr dblind;
    g1_fixed_table *ut, *ht, *gt; /* gt: G_0 .. G_{ZK_ROW_WIDTH - 1} */
    hyrax_gens g;
};

zk_ctx *zk_ctx_new(int prover, int threads, zkm_err *e)
{
    zk_ctx *z = zkm_calloc(1, sizeof *z, "zero-knowledge state", e);
    if (!z)
        return NULL;
    z->prover = prover != 0;
    z->threads = threads < 1 ? 1 : threads;
    z->rows_on = 1;
    hyrax_generators(&z->g);
    if (z->prover) {
        z->ut = zkm_alloc_array(1, sizeof *z->ut, "commitment tables", e);
        z->ht = zkm_alloc_array(1, sizeof *z->ht, "commitment tables", e);
        z->gt = zkm_alloc_array(ZK_ROW_WIDTH, sizeof *z->gt, "commitment tables", e);
        if (!z->ut || !z->ht || !z->gt) {
            zk_ctx_free(z);
            return NULL;
        }
        g1_fixed_init(z->ut, z->g.U);
        g1_fixed_init(z->ht, z->g.H);
        for (unsigned k = 0; k < ZK_ROW_WIDTH; k++)
            g1_fixed_init(&z->gt[k], &z->g.G[k]);
    }
    return z;
}

static void pending_clear(zk_ctx *z)
{
    for (size_t i = 0; i < z->n_prod; i++) {
        zk_form_free(&z->prods[i].x);
        zk_form_free(&z->prods[i].y);
    }
    for (size_t i = 0; i < z->n_eq; i++)
        zk_form_free(&z->eqs[i].d);
    z->n_prod = z->n_eq = 0;
}

void zk_ctx_free(zk_ctx *z)
{
    if (!z)
        return;
    pending_clear(z);
    free(z->prods);
    free(z->eqs);
    for (size_t i = 0; i < z->s[S_TERM].n; i++)
        for (uint32_t k = 0; k < z->terms[i].nf; k++)
            zk_form_free(&z->terms[i].f[k]);
    free(z->terms);
    for (int k = 0; k < N_SERIES; k++) {
        free(z->s[k].m);
        free(z->s[k].r);
        free(z->s[k].pt);
        free(z->s[k].acc);
        free(z->s[k].accd);
    }
    free(z->row_blind);
    free(z->row_pt);
    g1_vec_free(&z->xp);
    fr_vec_free(&z->xs);
    free(z->ut);
    free(z->ht);
    free(z->gt);
    free(z);
}

zk_pos zk_next(const zk_ctx *z)
{
    return (zk_pos){.msg = (uint32_t)z->s[S_MSG].n, .row = (uint32_t)z->s[S_ROW].n,
                    .used = (uint32_t)z->mask_used};
}

/* Room for k more values in series s; returns the first new number.  New
 * scalars and (row values, terms) blindings are zero. */
static zkm_status series_add(zk_ctx *z, int s, size_t k, uint32_t *first, zkm_err *e)
{
    series *S = &z->s[s];
    if (S->n + k > ZK_INDEX)
        return zkm_fail(e, ZKM_ENOMEM, "too many hidden values");
    if (S->n + k > S->cap) {
        const size_t cap = grown(S->cap, S->n + k, 64);
        const int own = s == S_MSG || s == S_PROD; /* own commitments */
        int bad = z->prover ? grow((void **)&S->m, sizeof(fr), cap) ||
                                  grow((void **)&S->r, sizeof(fr), cap)
                            : grow((void **)&S->acc, sizeof(fr), cap) ||
                                  (own && grow((void **)&S->pt, sizeof(g1_affine), cap));
        bad = bad || ((!own || !z->prover) && grow((void **)&S->accd, sizeof(fr), cap));
        if (bad)
            return zkm_fail(e, ZKM_ENOMEM, "out of memory recording hidden values");
        S->cap = cap;
    }
    if (!z->prover)
        memset(S->acc + S->n, 0, k * sizeof(fr));
    if (S->accd)
        memset(S->accd + S->n, 0, k * sizeof(fr));
    if (z->prover && (s == S_ROW || s == S_TERM))
        memset(S->r + S->n, 0, k * sizeof(fr));
    *first = (uint32_t)S->n | (uint32_t)s << 30;
    S->n += k;
    return ZKM_OK;
}

/* Room for k more rows; *first: the first new row. */
static zkm_status rows_add(zk_ctx *z, size_t k, size_t *first, zkm_err *e)
{
    if (z->n_rows + k > z->cap_rows) {
        const size_t cap = grown(z->cap_rows, z->n_rows + k, 64);
        if (z->prover ? grow((void **)&z->row_blind, sizeof(fr), cap)
                      : grow((void **)&z->row_pt, sizeof(g1_affine), cap))
            return zkm_fail(e, ZKM_ENOMEM, "out of memory recording rows");
        z->cap_rows = cap;
    }
    *first = z->n_rows;
    z->n_rows += k;
    return ZKM_OK;
}

static series *series_of(zk_ctx *z, uint32_t idx)
{
    return &z->s[idx >> 30];
}

void zk_form_open(const zk_ctx *z, const zk_form *f, fr *value, fr *blind)
{
    fr v = f->k, b, t;
    fr_set_zero(&b);
    for (uint32_t i = 0; i < f->n; i++) {
        const series *S = &z->s[f->idx[i] >> 30];
        const uint32_t j = f->idx[i] & ZK_INDEX;
        fr_mul(&t, &f->c[i], &S->m[j]);
        fr_add(&v, &v, &t);
        fr_mul(&t, &f->c[i], &S->r[j]);
        fr_add(&b, &b, &t);
    }
    *value = v;
    *blind = b;
}

zkm_status zk_add_point(zk_ctx *z, const g1_affine *p, const fr *s, zkm_err *e)
{
    zkm_status st = g1_vec_push(&z->xp, p, 1, e);
    return st ? st : fr_vec_push(&z->xs, s, 1, e);
}

/* acc (or accd) += s f */
static void add_form_to(zk_ctx *z, int d, const fr *s, const zk_form *f)
{
    fr t;
    fr_mul(&t, s, &f->k);
    fr_add(d ? &z->accd_u : &z->acc_u, d ? &z->accd_u : &z->acc_u, &t);
    for (uint32_t i = 0; i < f->n; i++) {
        series *S = series_of(z, f->idx[i]);
        fr *a = (d ? S->accd : S->acc) + (f->idx[i] & ZK_INDEX);
        fr_mul(&t, s, &f->c[i]);
        fr_add(a, a, &t);
    }
}

void zk_add_form(zk_ctx *z, const fr *s, const zk_form *f)
{
    add_form_to(z, 0, s, f);
}

void zk_add_h(zk_ctx *z, const fr *s)
{
    fr_add(&z->acc_h, &z->acc_h, s);
}

void zk_add_u(zk_ctx *z, const fr *s)
{
    fr_add(&z->acc_u, &z->acc_u, s);
}

/* --- commitments --- */

/* Absorb n points' encodings under label, in frames of at most 8 points
 * (no allocation, so prover and verifier always frame them alike). */
static void absorb_points(transcript *tr, const char *label, const g1_affine *p, size_t n)
{
    uint8_t buf[8 * G1_BYTES];
    for (size_t at = 0; at < n; at += 8) {
        const size_t k = n - at < 8 ? n - at : 8;
        for (size_t i = 0; i < k; i++)
            g1_to_bytes(buf + i * G1_BYTES, &p[at + i]);
        tr_absorb_bytes(tr, label, buf, k * G1_BYTES);
    }
}

/* out = v U + r H (Jacobian), constant time in v and r.  (Tried on an
 * OpenMP team, the few multiplications of a message made LeNet-5's zk
 * prover slower on two threads: 0.29-0.34 s against 0.25-0.27 s, best of
 * 5, on this 2-core VM.) */
static void commit_jac(const zk_ctx *z, g1_jac *out, const fr *v, const fr *r)
{
    const g1_fixed_table *t[2] = {z->ut, z->ht};
    fr k[2] = {*v, *r};
    g1_fixed_lin(out, t, k, 2);
    sodium_memzero(k, sizeof k);
}

zkm_status zk_commit(zk_ctx *z, g1_affine *out, const fr *v, fr *r, size_t n, zkm_err *e)
{
    g1_jac *J = zkm_alloc_array(n ? n : 1, sizeof *J, "commitments", e);
    fq *inv = zkm_alloc_array(n + 2, sizeof *inv, "commitments", e);
    zkm_status st = ZKM_ENOMEM;
    if (J && inv) {
        hyrax_random_blinds(r, n);
        for (size_t i = 0; i < n; i++)
            commit_jac(z, &J[i], &v[i], &r[i]);
        g1_batch_to_affine_blinded(out, J, n, inv);
        st = ZKM_OK;
    }
    free(J);
    free(inv);
    return st;
}

/* --- the channel --- */

/* n points at infinity appended to v, to be overwritten by commitments. */
static zkm_status pts_pad(g1_vec *v, size_t n, zkm_err *e)
{
    g1_affine pad;
    g1_affine_infinity(&pad);
    zkm_status st = ZKM_OK;
    for (size_t i = 0; i < n && !st; i++)
        st = g1_vec_push(v, &pad, 1, e);
    return st;
}

/* Values in the clear: a clear channel's messages, and in zero knowledge
 * the masked sum-check rounds (with the sigma-protocol scalars). */
static zkm_status send_clear(zk_chan *ch, const char *label, const fr *v, size_t n, zkm_err *e)
{
    zkm_status st = fr_vec_push(ch->out, v, n, e);
    if (!st)
        tr_absorb_frs(ch->tr, label, v, n);
    return st;
}

static zkm_status recv_clear(zk_chan *ch, const char *label, zk_form *out, size_t n,
                             zkm_err *e)
{
    const fr *v;
    if (!fr_cursor_take(ch->in, n, &v))
        return zkm_fail(e, ZKM_EREJECT, "proof section ends early");
    tr_absorb_frs(ch->tr, label, v, n);
    for (size_t i = 0; i < n; i++)
        zk_form_set_const(&out[i], &v[i]);
    return ZKM_OK;
}

zkm_status zk_chan_send(zk_chan *ch, const char *label, const fr *v, size_t n, uint32_t *first,
                        zkm_err *e)
{
    if (first)
        *first = ZK_NONE;
    if (!ch->zk)
        return send_clear(ch, label, v, n, e);
    zk_ctx *z = ch->zk;
    uint32_t f;
    zkm_status st = series_add(z, S_MSG, n, &f, e);
    if (st)
        return st;
    size_t at = ch->out_pts->n;
    st = pts_pad(ch->out_pts, n, e);
    if (!st) {
        memcpy(z->s[S_MSG].m + f, v, n * sizeof(fr));
        st = zk_commit(z, ch->out_pts->v + at, v, z->s[S_MSG].r + f, n, e);
    }
    if (st) {
        z->s[S_MSG].n -= n;
        return st;
    }
    absorb_points(ch->tr, label, ch->out_pts->v + at, n);
    if (first)
        *first = f;
    return ZKM_OK;
}

/* A mirror's numbers for n messages received (sent before). */
static zkm_status mirror_take(zk_chan *ch, size_t n, uint32_t *first, zkm_err *e)
{
    uint32_t *next = &ch->mirror_next.msg;
    const size_t sent = ch->zk->s[S_MSG].n;
    if (n > sent || *next > sent - n)
        return zkm_fail(e, ZKM_EINVAL, "zero knowledge: the prover's replay reads past the "
                        "messages it sent");
    *first = *next | (uint32_t)S_MSG << 30;
    *next += (uint32_t)n;
    return ZKM_OK;
}

/* out[i] = hidden value first + i, for i < n. */
static zkm_status set_hidden(zk_form *out, uint32_t first, size_t n, zkm_err *e)
{
    fr one;
    fr_set_one(&one);
    for (size_t i = 0; i < n; i++) {
        zkm_status st = zk_form_set_hidden(&out[i], first + (uint32_t)i, &one, e);
        if (st)
            return st;
    }
    return ZKM_OK;
}

zkm_status zk_chan_recv(zk_chan *ch, const char *label, zk_form *out, size_t n, zkm_err *e)
{
    if (!ch->zk)
        return recv_clear(ch, label, out, n, e);
    const g1_affine *p;
    if (!g1_cursor_take(ch->in_pts, n, &p))
        return zkm_fail(e, ZKM_EREJECT, "proof section ends before its commitments");
    absorb_points(ch->tr, label, p, n);
    uint32_t f = 0;
    if (ch->mirror) {
        zkm_status st = mirror_take(ch, n, &f, e);
        if (st)
            return st;
    } else {
        zkm_status st = series_add(ch->zk, S_MSG, n, &f, e);
        if (st)
            return st;
        memcpy(ch->zk->s[S_MSG].pt + f, p, n * sizeof *p);
    }
    return set_hidden(out, f, n, e);
}

/* --- sum-check masks (zk.h) --- */

/* Room for nr more rows and their values; *f: the first value, *r0: the
 * first row. */
static zkm_status rows_new(zk_ctx *z, size_t nr, uint32_t *f, size_t *r0, zkm_err *e)
{
    zkm_status st = series_add(z, S_ROW, nr * ZK_ROW_WIDTH, f, e);
    if (!st && (st = rows_add(z, nr, r0, e)) != ZKM_OK)
        z->s[S_ROW].n -= nr * ZK_ROW_WIDTH;
    return st;
}

/* Prover: nr new rows of fresh random values, committed, sent and
 * absorbed. */
static zkm_status rows_commit(zk_chan *ch, size_t nr, zkm_err *e)
{
    zk_ctx *z = ch->zk;
    const size_t nv = nr * ZK_ROW_WIDTH, at = ch->out_pts->n;
    uint32_t f;
    size_t r0;
    zkm_status st = rows_new(z, nr, &f, &r0, e);
    if (st)
        return st;
    g1_jac *J = zkm_alloc_array(nr, sizeof *J, "mask rows", e);
    fq *inv = zkm_alloc_array(nr + 2, sizeof *inv, "mask rows", e);
    st = J && inv ? pts_pad(ch->out_pts, nr, e) : ZKM_ENOMEM;
    if (!st) {
        fr *v = z->s[S_ROW].m + (f & ZK_INDEX), *beta = z->row_blind + r0;
        hyrax_random_blinds(v, nv);
        hyrax_random_blinds(beta, nr);
        /* row j: sum_k v_{jW+k} G_k + beta_j H, constant time */
        const g1_fixed_table *t[ZK_ROW_WIDTH + 1];
        fr k[ZK_ROW_WIDTH + 1];
        for (unsigned i = 0; i < ZK_ROW_WIDTH; i++)
            t[i] = &z->gt[i];
        t[ZK_ROW_WIDTH] = z->ht;
        for (size_t j = 0; j < nr; j++) {
            memcpy(k, v + j * ZK_ROW_WIDTH, ZK_ROW_WIDTH * sizeof(fr));
            k[ZK_ROW_WIDTH] = beta[j];
            g1_fixed_lin(&J[j], t, k, ZK_ROW_WIDTH + 1);
        }
        sodium_memzero(k, sizeof k);
        g1_batch_to_affine_blinded(ch->out_pts->v + at, J, nr, inv);
        absorb_points(ch->tr, "zk/mask", ch->out_pts->v + at, nr);
    } else {
        ch->out_pts->n = at;
        z->s[S_ROW].n -= nv;
        z->n_rows -= nr;
    }
    free(J);
    free(inv);
    return st;
}

/* Verifier or mirror: nr rows received and absorbed. */
static zkm_status rows_recv(zk_chan *ch, size_t nr, zkm_err *e)
{
    zk_ctx *z = ch->zk;
    const size_t nv = nr * ZK_ROW_WIDTH;
    const g1_affine *p;
    if (!g1_cursor_take(ch->in_pts, nr, &p))
        return zkm_fail(e, ZKM_EREJECT, "proof section ends before a sum-check's mask");
    absorb_points(ch->tr, "zk/mask", p, nr);
    if (ch->mirror) {
        if (ch->mirror_next.row > z->s[S_ROW].n || nv > z->s[S_ROW].n - ch->mirror_next.row)
            return zkm_fail(e, ZKM_EINVAL, "zero knowledge: the prover's replay reads past "
                            "the rows it sent");
        ch->mirror_next.row += (uint32_t)nv;
        return ZKM_OK;
    }
    uint32_t f;
    size_t r0;
    zkm_status st = rows_new(z, nr, &f, &r0, e);
    if (st)
        return st;
    memcpy(z->row_pt + r0, p, nr * sizeof *p);
    return ZKM_OK;
}

zkm_status zk_chan_mask(zk_chan *ch, unsigned nvars, unsigned degree, zk_mask *m, zkm_err *e)
{
    zk_ctx *z = ch->zk;
    *m = (zk_mask){.on = z && z->rows_on && nvars > 0, .nvars = nvars, .degree = degree};
    if (!m->on)
        return ZKM_OK;
    if (nvars > 62 || degree == 0 || degree > 64)
        return zkm_fail(e, ZKM_EINVAL, "zero knowledge: a sum-check of %u rounds of degree %u",
                        nvars, degree);
    const size_t need = (size_t)nvars * degree + 1;
    size_t have = ch->mirror ? ch->mirror_next.row : z->s[S_ROW].n;
    size_t used = ch->mirror ? ch->mirror_next.used : z->mask_used;
    if (used > have)
        return zkm_fail(e, ZKM_EINVAL, "zero knowledge: the prover's replay lost its rows");
    if (have - used < need) {
        const size_t nr = (need - (have - used) + ZK_ROW_WIDTH - 1) / ZK_ROW_WIDTH;
        zkm_status st = z->prover && !ch->mirror ? rows_commit(ch, nr, e) : rows_recv(ch, nr, e);
        if (st)
            return st;
    }
    if (used + need > ZK_INDEX)
        return zkm_fail(e, ZKM_ENOMEM, "too many hidden values");
    m->first = (uint32_t)used | (uint32_t)S_ROW << 30;
    if (ch->mirror)
        ch->mirror_next.used = (uint32_t)(used + need);
    else
        z->mask_used = used + need;
    return ZKM_OK;
}

/* g_i(x) = sum_{j=1..d} c[j - 1] x^j */
static void mask_poly(fr *out, const fr *c, unsigned d, const fr *x)
{
    fr t = c[d - 1];
    for (unsigned j = d - 1; j-- > 0;) {
        fr_mul(&t, &t, x);
        fr_add(&t, &t, &c[j]);
    }
    fr_mul(out, &t, x);
}

/* 2^k, k < 64 */
static void pow2(fr *out, unsigned k)
{
    fr_set_u64(out, (uint64_t)1 << k);
}

/* Prover: v[0..d) += the mask's round k at 0, 2..d:
 *   2^(n-k-1) (c_0 + sum_{i<k} g_i(r_i) + g_k(x)) + 2^(n-k-2) sum_{i>k} g_i(1)
 * (the last term only when k < n - 1). */
static void mask_round(const zk_ctx *z, const zk_mask *m, unsigned k, const fr *r, fr *v)
{
    const unsigned n = m->nvars, d = m->degree;
    const fr *c = z->s[S_ROW].m + (m->first & ZK_INDEX);
    fr a = c[0], s, t, hi, base, x;
    for (unsigned i = 0; i < k; i++) {
        mask_poly(&t, c + 1 + (size_t)i * d, d, &r[i]);
        fr_add(&a, &a, &t);
    }
    pow2(&hi, n - k - 1);
    fr_mul(&base, &hi, &a);
    if (k + 1 < n) {
        fr_set_zero(&s);
        for (size_t j = 1 + (size_t)(k + 1) * d; j < 1 + (size_t)n * d; j++)
            fr_add(&s, &s, &c[j]);
        pow2(&t, n - k - 2);
        fr_mul(&t, &t, &s);
        fr_add(&base, &base, &t);
    }
    for (unsigned i = 0; i < d; i++) {
        fr_set_u64(&x, i ? i + 1 : 0);
        mask_poly(&t, c + 1 + (size_t)k * d, d, &x);
        fr_mul(&t, &t, &hi);
        fr_add(&t, &t, &base);
        fr_add(&v[i], &v[i], &t);
    }
    sodium_memzero(&a, sizeof a);
    sodium_memzero(&s, sizeof s);
    sodium_memzero(&t, sizeof t);
    sodium_memzero(&base, sizeof base);
}

zkm_status zk_chan_send_round(zk_chan *ch, const zk_mask *m, unsigned k, const fr *r,
                              const char *label, const fr *v, size_t n, zkm_err *e)
{
    if (!m->on)
        return zk_chan_send(ch, label, v, n, NULL, e);
    if (n != m->degree || k >= m->nvars)
        return zkm_fail(e, ZKM_EINVAL, "zero knowledge: round %u of %zu values under a mask "
                        "of %u rounds of degree %u", k, n, m->nvars, m->degree);
    fr w[SC_MAX_DEGREE];
    if (n > SC_MAX_DEGREE)
        return zkm_fail(e, ZKM_EINVAL, "zero knowledge: a round of %zu values", n);
    memcpy(w, v, n * sizeof(fr));
    mask_round(ch->zk, m, k, r, w);
    zkm_status st = send_clear(ch, label, w, n, e);
    sodium_memzero(w, sizeof w);
    return st;
}

zkm_status zk_chan_recv_round(zk_chan *ch, const zk_mask *m, const char *label, zk_form *out,
                              size_t n, zkm_err *e)
{
    return m->on ? recv_clear(ch, label, out, n, e) : zk_chan_recv(ch, label, out, n, e);
}

zkm_status zk_mask_sum(const zk_mask *m, zk_form *claim, zkm_err *e)
{
    if (!m->on)
        return ZKM_OK;
    fr c;
    pow2(&c, m->nvars);
    zkm_status st = form_push(claim, m->first, &c, e);
    pow2(&c, m->nvars - 1);
    for (uint32_t j = 1; j <= m->nvars * m->degree && !st; j++)
        st = form_push(claim, m->first + j, &c, e);
    return st;
}

zkm_status zk_mask_at(const zk_mask *m, const fr *r, zk_form *claim, zkm_err *e)
{
    if (!m->on)
        return ZKM_OK;
    fr c, x;
    fr_set_one(&c);
    fr_neg(&c, &c);
    zkm_status st = form_push(claim, m->first, &c, e);
    for (uint32_t i = 0; i < m->nvars && !st; i++) {
        fr_neg(&x, &r[i]); /* -r_i^j */
        for (uint32_t j = 1; j <= m->degree && !st; j++) {
            st = form_push(claim, m->first + 1 + i * m->degree + j - 1, &x, e);
            fr_mul(&x, &x, &r[i]);
        }
    }
    return st;
}

static int has_rows(const zk_form *f)
{
    for (uint32_t i = 0; i < f->n; i++)
        if (f->idx[i] >> 30 == S_ROW)
            return 1;
    return 0;
}

/* out = a b with a and b over values with commitments (messages, proven
 * products): a product of two non-constant forms becomes a proven product,
 * its proof given at the next flush. */
static zkm_status mul_proven(zk_chan *ch, zk_form *out, const zk_form *a, const zk_form *b,
                             zkm_err *e)
{
    zkm_status st;
    if (zk_form_is_const(a) || zk_form_is_const(b)) {
        const zk_form *k = zk_form_is_const(a) ? a : b, *f = k == a ? b : a;
        fr s = k->k;
        st = zk_form_copy(out, f, e);
        if (!st)
            zk_form_scale(out, &s);
        return st;
    }
    zk_ctx *z = ch->zk;
    if (z->n_prod == z->cap_prod) {
        const size_t cap = grown(z->cap_prod, z->n_prod + 1, 16);
        if (grow((void **)&z->prods, sizeof *z->prods, cap))
            return zkm_fail(e, ZKM_ENOMEM, "out of memory recording products");
        z->cap_prod = cap;
    }
    pending_prod *p = &z->prods[z->n_prod];
    zk_form_init(&p->x);
    zk_form_init(&p->y);
    uint32_t idx;
    st = zk_form_copy(&p->x, a, e);
    if (!st)
        st = zk_form_copy(&p->y, b, e);
    if (!st)
        st = series_add(z, S_PROD, 1, &idx, e);
    if (st) {
        zk_form_free(&p->x);
        zk_form_free(&p->y);
        return st;
    }
    p->z = idx;
    z->n_prod++;
    fr one;
    fr_set_one(&one);
    return zk_form_set_hidden(out, idx, &one, e);
}

/* One part of a factor of zk_chan_mul: c times the product of nf forms
 * (nf = 0: the constant c). */
typedef struct {
    fr c;
    uint32_t nf, term; /* term: its S_TERM number, or ZK_NONE */
    const zk_form *f[TERM_MAX];
} mul_part;

/* The parts of a: its terms, then the rest (one form, or a constant;
 * nothing if zero), which lin receives (room for a->n entries). */
static uint32_t mul_parts(const zk_ctx *z, const zk_form *a, zk_form *lin, mul_part *pt)
{
    uint32_t n = 0;
    lin->k = a->k;
    lin->n = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        if (a->idx[i] >> 30 != S_TERM) {
            lin->idx[lin->n] = a->idx[i];
            lin->c[lin->n++] = a->c[i];
            continue;
        }
        const term *t = &z->terms[a->idx[i] & ZK_INDEX];
        pt[n] = (mul_part){.c = a->c[i], .nf = t->nf, .term = a->idx[i]};
        for (uint32_t k = 0; k < t->nf; k++)
            pt[n].f[k] = &t->f[k];
        n++;
    }
    if (lin->n) {
        pt[n] = (mul_part){.nf = 1, .term = ZK_NONE, .f = {lin}};
        fr_set_one(&pt[n++].c);
    } else if (!fr_is_zero(&lin->k)) {
        pt[n++] = (mul_part){.c = lin->k, .term = ZK_NONE};
    }
    return n;
}

/* Room for k more terms (their factors may point into the old ones). */
static zkm_status terms_reserve(zk_ctx *z, size_t k, zkm_err *e)
{
    const size_t need = z->s[S_TERM].n + k;
    if (need <= z->cap_terms)
        return ZKM_OK;
    const size_t cap = grown(z->cap_terms, need, 16);
    if (grow((void **)&z->terms, sizeof *z->terms, cap))
        return zkm_fail(e, ZKM_ENOMEM, "out of memory recording products");
    z->cap_terms = cap;
    return ZKM_OK;
}

/* A new term, the product of the nf forms f (room reserved); the prover
 * records its value. */
static zkm_status term_new(zk_ctx *z, const zk_form *const *f, uint32_t nf, uint32_t *idx,
                           zkm_err *e)
{
    if (nf > TERM_MAX)
        return zkm_fail(e, ZKM_EINVAL, "zero knowledge: a product of %u factors (at most %d)",
                        nf, TERM_MAX);
    zkm_status st = series_add(z, S_TERM, 1, idx, e);
    if (st)
        return st;
    const uint32_t j = *idx & ZK_INDEX;
    term *t = &z->terms[j];
    fr v, x, b;
    fr_set_one(&v);
    t->nf = 0;
    for (uint32_t k = 0; k < nf && !st; k++) {
        zk_form_init(&t->f[k]);
        t->nf++;
        st = zk_form_copy(&t->f[k], f[k], e);
        if (!st && z->prover) {
            zk_form_open(z, f[k], &x, &b);
            fr_mul(&v, &v, &x);
        }
    }
    if (st) {
        for (uint32_t k = 0; k < t->nf; k++)
            zk_form_free(&t->f[k]);
        z->s[S_TERM].n--;
        return st;
    }
    if (z->prover)
        z->s[S_TERM].m[j] = v;
    return ZKM_OK;
}

/* out += the product of parts x and y: a new term unless one is constant. */
static zkm_status mul_pair(zk_ctx *z, zk_form *out, const mul_part *x, const mul_part *y,
                           zkm_err *e)
{
    fr c;
    fr_mul(&c, &x->c, &y->c);
    if (x->nf == 0 || y->nf == 0) {
        const mul_part *o = x->nf == 0 ? y : x;
        if (o->nf == 0) {
            fr_add(&out->k, &out->k, &c);
            return ZKM_OK;
        }
        /* c already holds o's coefficient: a form's is 1, a term's its own */
        return o->term == ZK_NONE ? zk_form_axpy(out, &c, o->f[0], e)
                                  : form_push(out, o->term, &c, e);
    }
    const zk_form *f[2 * TERM_MAX];
    memcpy(f, x->f, x->nf * sizeof *f);
    memcpy(f + x->nf, y->f, y->nf * sizeof *f);
    uint32_t idx;
    zkm_status st = term_new(z, f, x->nf + y->nf, &idx, e);
    return st ? st : form_push(out, idx, &c, e);
}

static uint32_t count_terms(const zk_form *a)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < a->n; i++)
        n += a->idx[i] >> 30 == S_TERM;
    return n;
}

zkm_status zk_chan_mul(zk_chan *ch, zk_form *out, const zk_form *a, const zk_form *b,
                       zkm_err *e)
{
    if (has_rows(a) || has_rows(b))
        return zkm_fail(e, ZKM_EINVAL, "zero knowledge: a product of row values "
                        "(a bug: they have no commitments of their own)");
    if (zk_form_is_const(a) || zk_form_is_const(b))
        return mul_proven(ch, out, a, b, e); /* a scaling */
    zk_ctx *z = ch->zk;
    const uint32_t ta = count_terms(a), tb = count_terms(b);
    zk_form la, lb, res;
    zk_form_init(&la);
    zk_form_init(&lb);
    zk_form_init(&res);
    mul_part *pa = zkm_alloc_array((size_t)ta + tb + 2, sizeof *pa, "products", e), *pb;
    zkm_status st = pa ? ZKM_OK : ZKM_ENOMEM;
    if (!st)
        st = form_reserve(&la, a->n, e);
    if (!st)
        st = form_reserve(&lb, b->n, e);
    if (!st)
        st = terms_reserve(z, ((size_t)ta + 1) * ((size_t)tb + 1), e);
    if (!st) {
        pb = pa + ta + 1;
        const uint32_t na = mul_parts(z, a, &la, pa), nb = mul_parts(z, b, &lb, pb);
        for (uint32_t i = 0; i < na && !st; i++)
            for (uint32_t j = 0; j < nb && !st; j++)
                st = mul_pair(z, &res, &pa[i], &pb[j], e);
    }
    if (!st)
        st = zk_form_copy(out, &res, e);
    free(pa);
    zk_form_free(&la);
    zk_form_free(&lb);
    zk_form_free(&res);
    return st;
}

zkm_status zk_chan_check(zk_chan *ch, const zk_form *a, const zk_form *b, const char *what,
                         zkm_err *e)
{
    fr mone;
    fr_set_one(&mone);
    fr_neg(&mone, &mone);
    if (zk_form_is_const(a) && zk_form_is_const(b)) {
        if (fr_eq(&a->k, &b->k))
            return ZKM_OK;
        return zkm_fail(e, ch->zk && ch->zk->prover ? ZKM_EINVAL : ZKM_EREJECT, "%s", what);
    }
    zk_ctx *z = ch->zk;
    if (z->n_eq == z->cap_eq) {
        const size_t cap = grown(z->cap_eq, z->n_eq + 1, 16);
        if (grow((void **)&z->eqs, sizeof *z->eqs, cap))
            return zkm_fail(e, ZKM_ENOMEM, "out of memory recording equalities");
        z->cap_eq = cap;
    }
    pending_eq *q = &z->eqs[z->n_eq];
    zk_form_init(&q->d);
    zkm_status st = zk_form_copy(&q->d, a, e);
    if (!st)
        st = zk_form_axpy(&q->d, &mone, b, e);
    if (st) {
        zk_form_free(&q->d);
        return st;
    }
    q->what = what;
    z->n_eq++;
    return ZKM_OK;
}

/* Hyrax's proof of product (Wahby et al. 2018, section 4): commitments
 * X = x U + rx H, Y = y U + ry H, Z = z U + rz H with z = x y.  The prover
 * sends Z, alpha = b1 U + b2 H, beta = b3 U + b4 H, delta = b1 Y + b5 H;
 * on challenge c it answers z1 = b1 + c x, z2 = b2 + c rx, z3 = b3 + c y,
 * z4 = b4 + c ry and z5 = b5 + c (rz - x ry), since Z = x Y + (rz - x ry) H.
 * The verifier's equations:
 *     alpha + c X = z1 U + z2 H
 *     beta  + c Y = z3 U + z4 H
 *     delta + c Z = z1 Y + z5 H. */
static zkm_status prove_product(zk_chan *ch, pending_prod *p, zkm_err *e)
{
    zk_ctx *z = ch->zk;
    fr x, rx, y, ry, v, rv, b[5], c, t, resp[5], w[3];
    zk_form_open(z, &p->x, &x, &rx);
    zk_form_open(z, &p->y, &y, &ry);
    fr_mul(&v, &x, &y);
    hyrax_random_blinds(&rv, 1);
    const uint32_t j = p->z & ZK_INDEX;
    z->s[S_PROD].m[j] = v;
    z->s[S_PROD].r[j] = rv;
    hyrax_random_blinds(b, 5);
    g1_jac J[4];
    fr dv, dr;
    commit_jac(z, &J[0], &v, &rv);
    commit_jac(z, &J[1], &b[0], &b[1]);
    commit_jac(z, &J[2], &b[2], &b[3]);
    fr_mul(&dv, &b[0], &y); /* delta = b1 Y + b5 H = b1 y U + (b1 ry + b5) H */
    fr_mul(&dr, &b[0], &ry);
    fr_add(&dr, &dr, &b[4]);
    commit_jac(z, &J[3], &dv, &dr);
    g1_affine P[4];
    fq inv[6];
    g1_batch_to_affine_blinded(P, J, 4, inv);
    zkm_status st = g1_vec_push(ch->out_pts, P, 4, e);
    if (st)
        return st;
    absorb_points(ch->tr, "zk/prod", P, 4);
    tr_challenge(ch->tr, "zk/prod-c", &c);
    const fr *sec[5] = {&x, &rx, &y, &ry, NULL};
    fr r5; /* rz - x ry */
    fr_mul(&r5, &x, &ry);
    fr_sub(&r5, &rv, &r5);
    sec[4] = &r5;
    for (int i = 0; i < 5; i++) {
        fr_mul(&t, &c, sec[i]);
        fr_add(&resp[i], &b[i], &t);
    }
    st = fr_vec_push(ch->out, resp, 5, e);
    if (st)
        return st;
    tr_absorb_frs(ch->tr, "zk/prod-z", resp, 5);
    tr_challenges(ch->tr, "zk/prod-w", w, 3);
    sodium_memzero(b, sizeof b);
    sodium_memzero(&r5, sizeof r5);
    return ZKM_OK;
}

static zkm_status verify_product(zk_chan *ch, pending_prod *p, zkm_err *e)
{
    zk_ctx *z = ch->zk;
    const g1_affine *P;
    const fr *resp;
    if (!g1_cursor_take(ch->in_pts, 4, &P) || !fr_cursor_take(ch->in, 5, &resp))
        return zkm_fail(e, ZKM_EREJECT, "proof section ends before a proof of product");
    const uint32_t j = p->z & ZK_INDEX;
    z->s[S_PROD].pt[j] = P[0];
    fr c, w[3], s, t;
    absorb_points(ch->tr, "zk/prod", P, 4);
    tr_challenge(ch->tr, "zk/prod-c", &c);
    tr_absorb_frs(ch->tr, "zk/prod-z", resp, 5);
    tr_challenges(ch->tr, "zk/prod-w", w, 3);
    /* w0 (alpha + c X - z1 U - z2 H) */
    zkm_status st = zk_add_point(z, &P[1], &w[0], e);
    fr_mul(&s, &w[0], &c);
    add_form_to(z, 0, &s, &p->x);
    fr_mul(&t, &w[0], &resp[0]);
    fr_sub(&z->acc_u, &z->acc_u, &t);
    fr_mul(&t, &w[0], &resp[1]);
    fr_sub(&z->acc_h, &z->acc_h, &t);
    /* w1 (beta + c Y - z3 U - z4 H) */
    if (!st)
        st = zk_add_point(z, &P[2], &w[1], e);
    fr_mul(&s, &w[1], &c);
    add_form_to(z, 0, &s, &p->y);
    fr_mul(&t, &w[1], &resp[2]);
    fr_sub(&z->acc_u, &z->acc_u, &t);
    fr_mul(&t, &w[1], &resp[3]);
    fr_sub(&z->acc_h, &z->acc_h, &t);
    /* w2 (delta + c Z - z1 Y - z5 H) */
    if (!st)
        st = zk_add_point(z, &P[3], &w[2], e);
    fr_mul(&s, &w[2], &c);
    fr_add(&z->s[S_PROD].acc[j], &z->s[S_PROD].acc[j], &s);
    fr_mul(&s, &w[2], &resp[0]);
    fr_neg(&s, &s);
    add_form_to(z, 0, &s, &p->y);
    fr_mul(&t, &w[2], &resp[4]);
    fr_sub(&z->acc_h, &z->acc_h, &t);
    return st;
}

zkm_status zk_chan_flush(zk_chan *ch, zkm_err *e)
{
    zk_ctx *z = ch->zk;
    if (!z)
        return ZKM_OK;
    zkm_status st = ZKM_OK;
    for (size_t i = 0; i < z->n_prod && !st; i++)
        st = z->prover ? prove_product(ch, &z->prods[i], e) : verify_product(ch, &z->prods[i], e);
    for (size_t i = 0; i < z->n_eq && !st; i++) {
        fr w, v, bl, t;
        tr_challenge(ch->tr, "zk/eq-w", &w);
        if (z->prover) {
            zk_form_open(z, &z->eqs[i].d, &v, &bl);
            if (!fr_is_zero(&v))
                st = zkm_fail(e, ZKM_EINVAL, "zero knowledge: %s (the witness is wrong)",
                              z->eqs[i].what);
            fr_mul(&t, &w, &bl);
            fr_add(&z->dblind, &z->dblind, &t);
            const zk_form *d = &z->eqs[i].d;
            for (uint32_t k = 0; k < d->n; k++) { /* what zk_finish proves */
                const uint32_t q = d->idx[k] >> 30;
                if (q == S_ROW || q == S_TERM) {
                    fr *a = &z->s[q].accd[d->idx[k] & ZK_INDEX];
                    fr_mul(&t, &w, &d->c[k]);
                    fr_add(a, a, &t);
                }
            }
        } else {
            add_form_to(z, 1, &w, &z->eqs[i].d);
        }
    }
    pending_clear(z);
    return st;
}

/* --- zk_finish's proofs --- */

/* A prover's replay of the verifier's relations over what it sends from
 * now on (zk_finish's proofs, as mirror_layer in gkr.c for a layer). */
typedef struct {
    transcript tr;
    zk_pos base;
    size_t at, at_s;
    g1_cursor in;
    fr_cursor ins;
} mirror_replay;

static void replay_begin(const zk_chan *ch, mirror_replay *r)
{
    r->tr = *ch->tr;
    r->base = zk_next(ch->zk);
    r->at = ch->out_pts->n;
    r->at_s = ch->out->n;
}

/* The mirror channel reading the points and scalars sent since
 * replay_begin. */
static zk_chan replay_chan(const zk_chan *ch, mirror_replay *r)
{
    r->in = (g1_cursor){.v = ch->out_pts->v + r->at, .n = ch->out_pts->n - r->at, .pos = 0};
    r->ins = (fr_cursor){.v = ch->out->v + r->at_s, .n = ch->out->n - r->at_s, .pos = 0};
    return (zk_chan){.tr = &r->tr, .zk = ch->zk, .in = &r->ins, .in_pts = &r->in, .mirror = 1,
                     .mirror_next = r->base};
}

/* ZKM_EINVAL (a bug) unless the replay read every point and scalar and
 * ended where the prover's transcript is. */
static zkm_status replay_end(const zk_chan *ch, const mirror_replay *r, const char *what, zkm_err *e)
{
    if (r->in.pos != r->in.n || r->ins.pos != r->ins.n || memcmp(&r->tr, ch->tr, sizeof r->tr) != 0)
        return zkm_fail(e, ZKM_EINVAL, "zero knowledge: the prover's replay of %s does not "
                        "follow its messages", what);
    return ZKM_OK;
}

/* --- the products' sum (zk_finish) --- */

/* The variables of a table of n entries: the least v with 2^v >= n. */
static uint32_t vars_for(size_t n)
{
    uint32_t v = 0;
    while (((size_t)1 << v) < n)
        v++;
    return v;
}

/* The terms' most factors. */
static uint32_t terms_degree(const zk_ctx *z)
{
    uint32_t d = 0;
    for (size_t j = 0; j < z->s[S_TERM].n; j++)
        d = z->terms[j].nf > d ? z->terms[j].nf : d;
    return d;
}

/* The verifier's relations for P = sum_j a_j prod_m F_mj (a: the terms'
 * scalars in the equalities' sum, 2^nv entries, zero past the terms; F_mj:
 * factor m of term j, 1 past its last), also replayed by the prover: P
 * received (*pf), the sum-check of a(x) prod_m F_m(x) from P to a point s,
 * the forms X_m = F_m(s) (linear in the factors, whose values have
 * commitments) multiplied by proven products, and the closing equation
 * recorded. */
static zkm_status terms_relations(zk_chan *ch, const fr *a, uint32_t nv, uint32_t deg,
                                  zk_form *pf, zkm_err *e)
{
    zk_ctx *z = ch->zk;
    const size_t n = z->s[S_TERM].n, len = (size_t)1 << nv;
    zk_form claim, x, prod;
    zk_form_init(&claim);
    zk_form_init(&x);
    zk_form_init(&prod);
    fr s[ROWS_MAX_VARS], as;
    fr *E = zkm_alloc_array(len, sizeof(fr), "product scalars", e);
    zkm_status st = E ? zk_chan_recv(ch, "zk/terms-p", pf, 1, e) : ZKM_ENOMEM;
    if (!st)
        st = zk_form_copy(&claim, pf, e);
    if (!st)
        st = sc_verify_forms(ch, nv, deg + 1, &claim, s, e);
    if (!st) {
        mle_eq_table(E, s, nv, NULL);
        mle_dot(&as, E, a, len);
        zk_form_set_const(&prod, &as);
    }
    for (uint32_t m = 0; m < deg && !st; m++) {
        fr_set_zero(&x.k);
        x.n = 0;
        for (size_t j = 0; j < n && !st; j++) {
            if (m < z->terms[j].nf)
                st = zk_form_axpy(&x, &E[j], &z->terms[j].f[m], e);
            else
                fr_add(&x.k, &x.k, &E[j]);
        }
        if (!st)
            st = mul_proven(ch, &prod, &prod, &x, e);
    }
    if (!st)
        st = zk_chan_check(ch, &claim, &prod, "zero knowledge: the products' sum-check does "
                           "not close", e);
    zk_form_free(&claim);
    zk_form_free(&x);
    zk_form_free(&prod);
    free(E);
    return st;
}

/* a (2^nv entries) = each term's scalar in the equalities' sum; zero past
 * the terms. */
static void terms_scalars(const zk_ctx *z, fr *a, uint32_t nv)
{
    const series *S = &z->s[S_TERM];
    memset(a, 0, ((size_t)1 << nv) * sizeof(fr));
    memcpy(a, S->accd, S->n * sizeof(fr));
}

/* Prover: P = sum_j a_j (term j) sent and proven; *pblind receives P's
 * blinding. */
static zkm_status terms_prove(zk_chan *ch, fr *pblind, zkm_err *e)
{
    zk_ctx *z = ch->zk;
    const size_t n = z->s[S_TERM].n;
    const uint32_t nv = vars_for(n), deg = terms_degree(z);
    const size_t len = (size_t)1 << nv, words = (deg + 2) * len;
    fr *a = zkm_alloc_array(words, sizeof(fr), "the products' tables", e);
    zk_form pf;
    zk_form_init(&pf);
    if (!a)
        return ZKM_ENOMEM;
    /* a, then its copy and the factor tables, folded by the sum-check */
    fr *ta = a + len, *tabs[TERM_MAX + 1];
    unsigned ts[2] = {0, deg + 1}, fac[TERM_MAX + 1];
    terms_scalars(z, a, nv);
    memcpy(ta, a, len * sizeof(fr));
    memset(ta + len, 0, deg * len * sizeof(fr));
    fr p, v, bl;
    fr_set_zero(&p);
    for (uint32_t m = 0; m <= deg; m++) {
        tabs[m] = ta + m * len;
        fac[m] = m;
    }
    for (size_t j = 0; j < n; j++) {
        for (uint32_t m = 0; m < deg; m++) {
            if (m < z->terms[j].nf)
                zk_form_open(z, &z->terms[j].f[m], &tabs[m + 1][j], &bl);
            else
                fr_set_one(&tabs[m + 1][j]);
        }
        fr_mul(&v, &a[j], &z->s[S_TERM].m[j]);
        fr_add(&p, &p, &v);
    }
    sc_poly poly = {.n_tables = deg + 1, .tables = tabs, .n_terms = 1, .term_start = ts,
                    .factors = fac};
    mirror_replay rp;
    replay_begin(ch, &rp);
    fr r[ROWS_MAX_VARS];
    uint32_t pid;
    zkm_status st = zk_chan_send(ch, "zk/terms-p", &p, 1, &pid, e);
    if (!st)
        st = sc_prove(&poly, nv, ch, r, e);
    if (!st) {
        zk_chan m = replay_chan(ch, &rp);
        st = terms_relations(&m, a, nv, deg, &pf, e);
    }
    if (!st)
        st = replay_end(ch, &rp, "the products' sum", e);
    if (!st)
        st = zk_chan_flush(ch, e);
    if (!st)
        *pblind = z->s[S_MSG].r[pid];
    sodium_memzero(a, words * sizeof(fr));
    free(a);
    zk_form_free(&pf);
    return st;
}

/* Verifier: P received (*pf) and checked. */
static zkm_status terms_verify(zk_chan *ch, zk_form *pf, zkm_err *e)
{
    zk_ctx *z = ch->zk;
    const series *S = &z->s[S_TERM];
    for (size_t i = 0; i < S->n; i++)
        if (!fr_is_zero(&S->acc[i]))
            return zkm_fail(e, ZKM_EINVAL, "zero knowledge: a product outside the equalities "
                            "(a bug)");
    const uint32_t nv = vars_for(S->n);
    fr *a = zkm_alloc_array((size_t)1 << nv, sizeof(fr), "product scalars", e);
    if (!a)
        return ZKM_ENOMEM;
    terms_scalars(z, a, nv);
    zkm_status st = terms_relations(ch, a, nv, terms_degree(z), pf, e);
    if (!st)
        st = zk_chan_flush(ch, e);
    free(a);
    return st;
}

/* --- the rows' inner product (zk_finish) --- */

/* The variables of the table of rows: ZK_ROW_VARS for the columns, enough
 * for the rows above them. */
static uint32_t rows_nvars(size_t n_rows)
{
    return vars_for(n_rows) + ZK_ROW_VARS;
}

/* The table's Hyrax commitment, as the verifier forms it: the rows, then
 * points at infinity (rows of zeros with blinding zero) up to a power of
 * two.  *com owns its rows. */
static zkm_status rows_com(const zk_ctx *z, uint32_t nv, hyrax_com *com, zkm_err *e)
{
    zkm_status st = hyrax_com_alloc(com, nv, ZK_ROW_VARS, e);
    if (st)
        return st;
    memcpy(com->rows, z->row_pt, z->n_rows * sizeof(g1_affine));
    for (size_t i = z->n_rows; i < com->n_rows; i++)
        g1_affine_infinity(&com->rows[i]);
    return ZKM_OK;
}

/* The verifier's relations for Y = <a, M> (a: 2^nv scalars), also replayed
 * by the prover: Y received (*yf), the sum-check of a(x) M(x) from Y to the
 * point r, M(r) received (*mf), and the closing equation recorded. */
static zkm_status rows_relations(zk_chan *ch, const fr *a, uint32_t nv, fr *r, zk_form *yf,
                                 zk_form *mf, zkm_err *e)
{
    zk_form claim, expect;
    zk_form_init(&claim);
    zk_form_init(&expect);
    fr ar, *scratch = zkm_alloc_array((size_t)1 << (nv - 1), sizeof(fr), "row scalars", e);
    zkm_status st = scratch ? zk_chan_recv(ch, "zk/rows-y", yf, 1, e) : ZKM_ENOMEM;
    if (!st)
        st = zk_form_copy(&claim, yf, e);
    if (!st)
        st = sc_verify_forms(ch, nv, 2, &claim, r, e);
    if (!st)
        st = zk_chan_recv(ch, "zk/rows-m", mf, 1, e);
    if (!st) {
        mle_eval(&ar, a, nv, r, scratch);
        st = zk_form_axpy(&expect, &ar, mf, e);
    }
    if (!st)
        st = zk_chan_check(ch, &claim, &expect, "zero knowledge: the sum-check rounds' inner "
                           "product does not close", e);
    zk_form_free(&claim);
    zk_form_free(&expect);
    free(scratch);
    return st;
}

/* a (2^nv entries) = each row value's scalar in the equalities' sum, at
 * its place in the table of rows; zero past them. */
static void rows_scalars(const zk_ctx *z, fr *a, uint32_t nv)
{
    const series *S = &z->s[S_ROW];
    memset(a, 0, ((size_t)1 << nv) * sizeof(fr));
    for (size_t i = 0; i < S->n; i++)
        a[i] = S->accd[i];
}

/* Prover: Y = <a, M> sent and proven; *yblind receives Y's blinding. */
static zkm_status rows_prove(zk_chan *ch, fr *yblind, zkm_err *e)
{
    zk_ctx *z = ch->zk;
    const series *S = &z->s[S_ROW];
    const uint32_t nv = rows_nvars(z->n_rows);
    const size_t len = (size_t)1 << nv, n_rows = len / ZK_ROW_WIDTH;
    fr *a = zkm_alloc_array(4 * len + n_rows, sizeof(fr), "the table of rows", e);
    zk_form yf, mf;
    zk_form_init(&yf);
    zk_form_init(&mf);
    if (!a)
        return ZKM_ENOMEM;
    fr *M = a + len, *ta = M + len, *tm = ta + len, *blinds = tm + len;
    rows_scalars(z, a, nv);
    memset(M, 0, len * sizeof(fr));
    for (size_t i = 0; i < S->n; i++)
        M[i] = S->m[i];
    memcpy(blinds, z->row_blind, z->n_rows * sizeof(fr));
    memset(blinds + z->n_rows, 0, (n_rows - z->n_rows) * sizeof(fr));
    memcpy(ta, a, len * sizeof(fr));
    memcpy(tm, M, len * sizeof(fr));
    fr y, mv, r[ROWS_MAX_VARS], rr[ROWS_MAX_VARS];
    mle_dot(&y, M, a, len);
    mirror_replay rp;
    replay_begin(ch, &rp);
    uint32_t yid, mid;
    fr *tabs[2] = {ta, tm};
    const unsigned ts[2] = {0, 2}, fac[2] = {0, 1};
    sc_poly poly = {.n_tables = 2, .tables = tabs, .n_terms = 1, .term_start = ts,
                    .factors = fac};
    zkm_status st = zk_chan_send(ch, "zk/rows-y", &y, 1, &yid, e);
    if (!st)
        st = sc_prove(&poly, nv, ch, r, e);
    mv = tm[0];
    if (!st)
        st = zk_chan_send(ch, "zk/rows-m", &mv, 1, &mid, e);
    if (!st) {
        zk_chan m = replay_chan(ch, &rp);
        st = rows_relations(&m, a, nv, rr, &yf, &mf, e);
    }
    if (!st)
        st = replay_end(ch, &rp, "the rows' inner product", e);
    if (!st)
        st = zk_chan_flush(ch, e);
    if (!st) {
        /* the prover's opening reads the table and its blindings, not the
         * rows' points */
        const hyrax_com com = {.nvars = nv, .col_vars = ZK_ROW_VARS, .n_rows = n_rows};
        const hyrax_table t = {.com = &com, .values = M, .blinds = blinds};
        const hyrax_claim c = {.table = 0, .point = r, .value = mv, .hid = mid};
        st = hyrax_open_prove_zk(ch, &t, 1, &c, 1, z->threads, e);
    }
    if (!st)
        *yblind = z->s[S_MSG].r[yid];
    sodium_memzero(a, (4 * len + n_rows) * sizeof(fr));
    free(a);
    zk_form_free(&yf);
    zk_form_free(&mf);
    return st;
}

/* Verifier: Y = <a, M> received (*yf) and checked. */
static zkm_status rows_verify(zk_chan *ch, zk_form *yf, zkm_err *e)
{
    zk_ctx *z = ch->zk;
    const series *S = &z->s[S_ROW];
    for (size_t i = 0; i < S->n; i++)
        if (!fr_is_zero(&S->acc[i]))
            return zkm_fail(e, ZKM_EINVAL, "zero knowledge: a row value outside "
                            "the equalities (a bug)");
    const uint32_t nv = rows_nvars(z->n_rows);
    fr *a = zkm_alloc_array((size_t)1 << nv, sizeof(fr), "the table of rows", e);
    if (!a)
        return ZKM_ENOMEM;
    hyrax_com com;
    memset(&com, 0, sizeof com);
    zk_form mf;
    zk_form_init(&mf);
    fr r[ROWS_MAX_VARS];
    rows_scalars(z, a, nv);
    zkm_status st = rows_relations(ch, a, nv, r, yf, &mf, e);
    if (!st)
        st = zk_chan_flush(ch, e);
    if (!st)
        st = rows_com(z, nv, &com, e);
    if (!st) {
        const hyrax_com *cp = &com;
        fr zero;
        fr_set_zero(&zero);
        const hyrax_claim c = {.table = 0, .point = r, .value = zero, .hid = mf.idx[0]};
        st = hyrax_open_verify_zk(ch, &cp, 1, &c, 1, z->threads, e);
    }
    free(a);
    hyrax_com_free(&com);
    zk_form_free(&mf);
    return st;
}

/* A message standing in for a part of the equalities' sum (P for the
 * terms, Y for the row values), proven (prove: *blind receives its
 * blinding) or checked (verify: *f receives it); it joins the sum with
 * scalar 1 in place of that part. */
static zkm_status stand_in(zk_chan *ch, zkm_status (*prove)(zk_chan *, fr *, zkm_err *),
                           zkm_status (*verify)(zk_chan *, zk_form *, zkm_err *), zkm_err *e)
{
    zk_ctx *z = ch->zk;
    fr t;
    zk_form f;
    zk_form_init(&f);
    zkm_status st = z->prover ? prove(ch, &t, e) : verify(ch, &f, e);
    if (!st && z->prover) {
        fr_add(&z->dblind, &z->dblind, &t);
    } else if (!st) {
        fr_set_one(&t);
        add_form_to(z, 1, &t, &f);
    }
    zk_form_free(&f);
    return st;
}

zkm_status zk_finish(zk_chan *ch, zkm_err *e)
{
    zk_ctx *z = ch->zk;
    if (!z)
        return ZKM_OK;
    if (z->n_prod || z->n_eq)
        return zkm_fail(e, ZKM_EINVAL, "zero knowledge: relations left unproven");
    fr ch_e, w, s, t;
    /* the terms' part of the equalities' sum, as one message P (its
     * sum-check masked), then the row values' part as one message Y */
    zkm_status st = z->s[S_TERM].n ? stand_in(ch, terms_prove, terms_verify, e) : ZKM_OK;
    z->rows_on = 0;
    if (!st && z->n_rows)
        st = stand_in(ch, rows_prove, rows_verify, e);
    if (st)
        return st;
    if (z->prover) {
        g1_affine R;
        fr zs, zero;
        fr_set_zero(&zero);
        st = zk_commit(z, &R, &zero, &s, 1, e);
        if (st)
            return st;
        st = g1_vec_push(ch->out_pts, &R, 1, e);
        if (st)
            return st;
        absorb_points(ch->tr, "zk/eq-R", &R, 1);
        tr_challenge(ch->tr, "zk/eq-e", &ch_e);
        fr_mul(&t, &ch_e, &z->dblind);
        fr_add(&zs, &s, &t);
        st = fr_vec_push(ch->out, &zs, 1, e);
        if (st)
            return st;
        tr_absorb_frs(ch->tr, "zk/eq-z", &zs, 1);
        tr_challenge(ch->tr, "zk/eq-w", &w);
        sodium_memzero(&s, sizeof s);
        return ZKM_OK;
    }
    const g1_affine *R;
    const fr *zs;
    if (!g1_cursor_take(ch->in_pts, 1, &R) || !fr_cursor_take(ch->in, 1, &zs))
        return zkm_fail(e, ZKM_EREJECT, "proof ends before its proof of equalities");
    absorb_points(ch->tr, "zk/eq-R", R, 1);
    tr_challenge(ch->tr, "zk/eq-e", &ch_e);
    tr_absorb_frs(ch->tr, "zk/eq-z", zs, 1);
    tr_challenge(ch->tr, "zk/eq-w", &w);
    /* w (zs H - R - e D*), D* = sum_j w_j D_j */
    fr_mul(&t, &w, zs);
    fr_add(&z->acc_h, &z->acc_h, &t);
    fr_neg(&t, &w);
    st = zk_add_point(z, R, &t, e);
    if (st)
        return st;
    fr_mul(&s, &w, &ch_e);
    fr_neg(&s, &s);
    fr_mul(&t, &s, &z->accd_u);
    fr_add(&z->acc_u, &z->acc_u, &t);
    static const int with_pts[2] = {S_MSG, S_PROD}; /* row values: in Y */
    for (int q = 0; q < 2; q++) {
        series *S = &z->s[with_pts[q]];
        for (size_t i = 0; i < S->n; i++) {
            fr_mul(&t, &s, &S->accd[i]);
            fr_add(&S->acc[i], &S->acc[i], &t);
        }
    }
    /* one multi-scalar multiplication over everything */
    size_t n = z->s[S_MSG].n + z->s[S_PROD].n + z->xp.n + 2;
    g1_affine *P = zkm_alloc_array(n, sizeof *P, "final check", e);
    fr *S = zkm_alloc_array(n, sizeof *S, "final check", e);
    size_t sb = g1_msm_scratch_bytes(n, z->threads);
    void *scratch = zkm_alloc_array(1, sb ? sb : 1, "final check", e);
    st = ZKM_ENOMEM;
    if (P && S && scratch) {
        size_t o = 0;
        for (int q = 0; q < 2; q++) {
            const series *Q = &z->s[with_pts[q]];
            memcpy(P + o, Q->pt, Q->n * sizeof *P);
            memcpy(S + o, Q->acc, Q->n * sizeof *S);
            o += Q->n;
        }
        if (z->xp.n) {
            memcpy(P + o, z->xp.v, z->xp.n * sizeof *P);
            memcpy(S + o, z->xs.v, z->xs.n * sizeof *S);
        }
        o += z->xp.n;
        P[o] = *z->g.U;
        S[o++] = z->acc_u;
        P[o] = *z->g.H;
        S[o++] = z->acc_h;
        g1_jac acc;
        g1_msm_var(&acc, P, S, n, scratch, z->threads);
        st = g1_is_infinity(&acc)
                 ? ZKM_OK
                 : zkm_fail(e, ZKM_EREJECT,
                            "zero knowledge: the committed relations do not hold (a sum-check, "
                            "product or opening fails)");
    }
    free(P);
    free(S);
    free(scratch);
    return st;
}
