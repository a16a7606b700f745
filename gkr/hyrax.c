/* Hyrax commitments and the batched opening described in hyrax.h. */
#include "hyrax.h"

#include "g1_mul.h"
#include "mle.h"
#include "msm.h"
#include "sumcheck.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Built at compile time by tools/gen_generators.c: G_0 .. G_{N-1}, H, U. */
extern const g1_affine zkm_hyrax_generator_table[HYRAX_N_GENERATORS + 2];

void hyrax_generators(hyrax_gens *out)
{
    out->G = zkm_hyrax_generator_table;
    out->H = &zkm_hyrax_generator_table[HYRAX_N_GENERATORS];
    out->U = &zkm_hyrax_generator_table[HYRAX_N_GENERATORS + 1];
}

uint32_t hyrax_col_vars_for(uint32_t nvars)
{
    /* a little under the square root: the prover's inner-product argument
     * costs a scalar multiplication per column, a row one addition per
     * entry it holds */
    uint32_t b = nvars / 2;
    if (b < 1)
        b = 1;
    return b > HYRAX_MAX_COL_VARS ? HYRAX_MAX_COL_VARS : b;
}

size_t hyrax_rows(uint32_t nvars, uint32_t col_vars)
{
    return nvars > col_vars ? (size_t)1 << (nvars - col_vars) : 1;
}

zkm_status hyrax_com_alloc(hyrax_com *out, uint32_t nvars, uint32_t col_vars, zkm_err *e)
{
    memset(out, 0, sizeof *out);
    if (col_vars < 1 || col_vars > HYRAX_MAX_COL_VARS || nvars > 40)
        return zkm_fail(e, ZKM_EINVAL, "hyrax: %u column variables, table of 2^%u", col_vars,
                        nvars);
    out->nvars = nvars;
    out->col_vars = col_vars;
    out->n_rows = hyrax_rows(nvars, col_vars);
    out->rows = zkm_alloc_array(out->n_rows, sizeof(g1_affine), "commitment rows", e);
    return out->rows ? ZKM_OK : ZKM_ENOMEM;
}

void hyrax_com_free(hyrax_com *c)
{
    free(c->rows);
    memset(c, 0, sizeof *c);
}

void hyrax_random_blinds(fr *out, size_t n)
{
    uint8_t wide[64];
    for (size_t i = 0; i < n; i++) {
        randombytes_buf(wide, sizeof wide);
        fr_from_wide(&out[i], wide);
    }
    sodium_memzero(wide, sizeof wide);
}

void hyrax_absorb_com(transcript *tr, const char *label, const hyrax_com *c)
{
    uint8_t hdr[16];
    for (int i = 0; i < 8; i++) {
        hdr[i] = (uint8_t)((uint64_t)c->nvars >> (8 * i));
        hdr[8 + i] = (uint8_t)((uint64_t)c->col_vars >> (8 * i));
    }
    tr_absorb_bytes(tr, label, hdr, sizeof hdr);
    /* the rows in chunks: one frame per chunk keeps the encoding buffer small */
    uint8_t buf[64 * G1_BYTES];
    for (size_t i = 0; i < c->n_rows; i += 64) {
        size_t k = c->n_rows - i < 64 ? c->n_rows - i : 64;
        for (size_t j = 0; j < k; j++)
            g1_to_bytes(buf + j * G1_BYTES, &c->rows[i + j]);
        tr_absorb_bytes(tr, "hyrax/rows", buf, k * G1_BYTES);
    }
}

zkm_status hyrax_commit(hyrax_com *out, const fr *table, uint32_t nvars, uint32_t col_vars,
                        const fr *blinds, int threads, zkm_err *e)
{
    zkm_status st = hyrax_com_alloc(out, nvars, col_vars, e);
    if (st != ZKM_OK)
        return st;
    hyrax_gens g;
    hyrax_generators(&g);
    size_t cols = nvars < col_vars ? (size_t)1 << nvars : (size_t)1 << col_vars;
    size_t rows = out->n_rows;
    int nt = threads < 1 ? 1 : threads;
    /* rows are independent: one thread per row, each an MSM on one thread */
    size_t sbytes = g1_msm_scratch_bytes(cols, 1);
    uint8_t *scratch = zkm_alloc_array((size_t)nt, sbytes ? sbytes : 1, "msm scratch", e);
    g1_jac *jac = zkm_alloc_array(rows, sizeof(g1_jac), "commitment rows", e);
    fq *inv = zkm_alloc_array(rows, sizeof(fq), "commitment rows", e);
    g1_fixed_table *ht = zkm_alloc_array(1, sizeof *ht, "blinding table", e);
    if (!scratch || !jac || !inv || !ht) {
        free(scratch);
        free(jac);
        free(inv);
        free(ht);
        hyrax_com_free(out);
        return ZKM_ENOMEM;
    }
    int blinded = 0;
    for (size_t i = 0; i < rows && !blinded; i++)
        blinded = !fr_is_zero(&blinds[i]);
    if (blinded)
        g1_fixed_init(ht, g.H);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1 && rows > 1)
    for (size_t i = 0; i < rows; i++) {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        g1_jac bh;
        g1_msm_var(&jac[i], g.G, table + i * cols, cols, scratch + (size_t)tid * sbytes, 1);
        if (blinded) {
            const g1_fixed_table *tp = ht;
            g1_fixed_lin(&bh, &tp, &blinds[i], 1);
            g1_add(&jac[i], &jac[i], &bh);
        }
    }
    g1_batch_to_affine(out->rows, jac, rows, inv);
    free(scratch);
    free(jac);
    free(inv);
    free(ht);
    return ZKM_OK;
}

/* ---- the batched opening ------------------------------------------------ */

/* One claim's split point: column part zc (b coordinates, zero-padded for
 * a table shorter than a row) and row part zr (nr coordinates). */
typedef struct {
    fr *zc;
    const fr *zr;
    uint32_t nr;
} split_claim;

static zkm_status split_claims(split_claim *sp, fr *zc_store, const hyrax_com *const *coms,
                               size_t n_tables, const hyrax_claim *claims, size_t n_claims,
                               uint32_t *b_out, zkm_err *e)
{
    uint32_t b = 0;
    for (size_t k = 0; k < n_claims; k++) {
        if (claims[k].table >= n_tables)
            return zkm_fail(e, ZKM_EINVAL, "hyrax: claim %zu names table %u of %zu", k,
                            claims[k].table, n_tables);
        const hyrax_com *c = coms[claims[k].table];
        if (k == 0)
            b = c->col_vars;
        if (c->col_vars != b || b < 1 || b > HYRAX_MAX_COL_VARS)
            return zkm_fail(e, ZKM_EINVAL, "hyrax: tables opened together differ in columns");
        split_claim *s = &sp[k];
        s->zc = zc_store + k * b;
        uint32_t nc = c->nvars < b ? c->nvars : b;
        for (uint32_t i = 0; i < b; i++) {
            if (i < nc)
                s->zc[i] = claims[k].point[i];
            else
                fr_set_zero(&s->zc[i]);
        }
        s->nr = c->nvars > b ? c->nvars - b : 0;
        s->zr = claims[k].point + nc;
    }
    *b_out = b;
    return ZKM_OK;
}

/* The most rows of any of the tables (at least 1). */
static size_t max_rows_of(const hyrax_com *const *coms, size_t n_tables)
{
    size_t m = 1;
    for (size_t t = 0; t < n_tables; t++)
        if (coms[t]->n_rows > m)
            m = coms[t]->n_rows;
    return m;
}

/* eqr (rows entries) = eq(zr, row) over the claim's rows. */
static void row_weights(fr *eqr, const split_claim *s)
{
    if (s->nr == 0)
        fr_set_one(&eqr[0]);
    else
        mle_eq_table(eqr, s->zr, s->nr, NULL);
}

/* u (2^b entries) = eqr^T T, the claim's row combination; *blind = the same
 * combination of the row blindings.  Rows are read in order (streaming);
 * the 0 and 1 entries of bit tables cost no multiplication.  Threads split
 * the columns. */
static void row_combination(fr *u, fr *blind, const fr *eqr, const hyrax_table *t,
                            uint32_t b, int threads)
{
    size_t N = (size_t)1 << b, rows = t->com->n_rows;
    if (t->com->nvars < b) {
        size_t len = (size_t)1 << t->com->nvars;
        memcpy(u, t->values, len * sizeof(fr));
        memset(u + len, 0, (N - len) * sizeof(fr));
        *blind = t->blinds[0];
        return;
    }
    int nt = threads < 1 ? 1 : threads;
    size_t chunks = nt > 1 && N >= 512 ? (size_t)nt : 1;
#pragma omp parallel for num_threads(nt) schedule(static) if (chunks > 1)
    for (size_t c = 0; c < chunks; c++) {
        const size_t lo = N * c / chunks, hi = N * (c + 1) / chunks;
        fr one, p;
        fr_set_one(&one);
        memset(u + lo, 0, (hi - lo) * sizeof(fr));
        for (size_t i = 0; i < rows; i++) {
            const fr *row = t->values + i * N;
            for (size_t j = lo; j < hi; j++) {
                if (fr_is_zero(&row[j]))
                    continue;
                if (fr_eq(&row[j], &one)) {
                    fr_add(&u[j], &u[j], &eqr[i]);
                } else {
                    fr_mul(&p, &eqr[i], &row[j]);
                    fr_add(&u[j], &u[j], &p);
                }
            }
        }
    }
    mle_dot(blind, t->blinds, eqr, rows);
}

/* An inner-product round challenge: 128 bits (the low half of a full
 * challenge), so folding a generator costs half a full scalar
 * multiplication; a cheating prover's success probability stays about
 * b / 2^128. */
static void ipa_challenge(transcript *tr, fr *c)
{
    uint64_t l[4];
    tr_challenge(tr, "hyrax/ipa-c", c);
    fr_to_limbs(l, c);
    l[2] = l[3] = 0;
    fr_from_limbs(c, l);
}

static void absorb_point(transcript *tr, const char *label, const g1_affine *p)
{
    uint8_t buf[G1_BYTES];
    g1_to_bytes(buf, p);
    tr_absorb_bytes(tr, label, buf, sizeof buf);
}

/* Prover of the inner-product argument: C = <a, G> + blind H with
 * <a, bv> = y (both already implied by the transcript), N = 2^b, x the
 * challenge that scales U.  In the clear it ends by sending a and the
 * blinding; with a zero-knowledge context zk, by the proof of knowledge of
 * them (hyrax.h). */
static zkm_status ipa_prove(transcript *tr, const fr *x, fr *a, fr *bv, fr blind, uint32_t b,
                            fr_vec *msgs, g1_vec *pts, zk_ctx *zk, int threads, zkm_err *e)
{
    hyrax_gens g;
    hyrax_generators(&g);
    size_t N = (size_t)1 << b;
    zkm_status st = ZKM_ENOMEM;
    g1_affine *G = zkm_alloc_array(N, sizeof(g1_affine), "ipa generators", e);
    g1_jac *Gj = zkm_alloc_array(N / 2, sizeof(g1_jac), "ipa generators", e);
    fq *inv = zkm_alloc_array(N / 2 + 2, sizeof(fq), "ipa generators", e);
    size_t sbytes = g1_msm_scratch_bytes(N / 2, threads);
    void *scratch = zkm_alloc_array(1, sbytes ? sbytes : 1, "msm scratch", e);
    g1_fixed_table *ht = zkm_alloc_array(1, sizeof *ht, "blinding table", e);
    if (!G || !Gj || !inv || !scratch || !ht)
        goto out;
    g1_fixed_init(ht, g.H);
    memcpy(G, g.G, N * sizeof(g1_affine));
    g1_jac U;
    g1_from_affine(&U, g.U);
    g1_mul_var(&U, &U, x);
    int nt = threads < 1 ? 1 : threads;
    for (size_t len = N; len > 1; len /= 2) {
        size_t half = len / 2;
        fr cl, cr, bl[2], c, cinv;
        mle_dot(&cl, a, bv + half, half);
        mle_dot(&cr, a + half, bv, half);
        hyrax_random_blinds(bl, 2);
        g1_jac LR[2], t;
        g1_msm_var(&LR[0], G + half, a, half, scratch, threads);
        g1_msm_var(&LR[1], G, a + half, half, scratch, threads);
        for (int s = 0; s < 2; s++) {
            g1_mul_var(&t, &U, s == 0 ? &cl : &cr);
            g1_add(&LR[s], &LR[s], &t);
            const g1_fixed_table *tp = ht;
            g1_fixed_lin(&t, &tp, &bl[s], 1);
            g1_add(&LR[s], &LR[s], &t);
        }
        g1_affine lr[2];
        g1_batch_to_affine(lr, LR, 2, inv);
        st = g1_vec_push(pts, lr, 2, e);
        if (st != ZKM_OK)
            goto out;
        absorb_point(tr, "hyrax/ipa-L", &lr[0]);
        absorb_point(tr, "hyrax/ipa-R", &lr[1]);
        ipa_challenge(tr, &c);
        fr_inv_var(&cinv, &c);
        /* a' = a_lo + c^-1 a_hi, b' = b_lo + c b_hi, G' = G_lo + c G_hi */
        for (size_t i = 0; i < half; i++) {
            fr p;
            fr_mul(&p, &cinv, &a[half + i]);
            fr_add(&a[i], &a[i], &p);
            fr_mul(&p, &c, &bv[half + i]);
            fr_add(&bv[i], &bv[i], &p);
        }
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1 && half >= 64)
        for (size_t i = 0; i < half; i++) {
            g1_jac hi;
            g1_from_affine(&hi, &G[half + i]);
            g1_mul_var(&hi, &hi, &c);
            g1_add_mixed_var(&Gj[i], &hi, &G[i]);
        }
        g1_batch_to_affine(G, Gj, half, inv);
        fr p;
        fr_mul(&p, &c, &bl[0]);
        fr_add(&blind, &blind, &p);
        fr_mul(&p, &cinv, &bl[1]);
        fr_add(&blind, &blind, &p);
    }
    if (!zk) {
        fr fin[2] = {a[0], blind};
        st = fr_vec_push(msgs, fin, 2, e);
        if (st == ZKM_OK)
            tr_absorb_frs(tr, "hyrax/ipa-final", fin, 2);
        goto out;
    }
    /* A = d G'_0 + (d b' x) U + s H; z1 = d + e a, z2 = s + e blind */
    {
        fr d, s, v, ch, z[2], w;
        g1_jac A, t;
        g1_affine Aa;
        hyrax_random_blinds(&d, 1);
        fr_mul(&v, &d, &bv[0]);
        fr_mul(&v, &v, x);
        st = zk_commit(zk, &Aa, &v, &s, 1, e);
        if (st != ZKM_OK)
            goto out;
        g1_from_affine(&A, &Aa);
        g1_from_affine(&t, &G[0]);
        g1_mul(&t, &t, &d);
        g1_add(&A, &A, &t);
        g1_to_affine(&Aa, &A);
        st = g1_vec_push(pts, &Aa, 1, e);
        if (st != ZKM_OK)
            goto out;
        absorb_point(tr, "hyrax/ipa-A", &Aa);
        tr_challenge(tr, "hyrax/ipa-e", &ch);
        fr_mul(&z[0], &ch, &a[0]);
        fr_add(&z[0], &z[0], &d);
        fr_mul(&z[1], &ch, &blind);
        fr_add(&z[1], &z[1], &s);
        st = fr_vec_push(msgs, z, 2, e);
        if (st != ZKM_OK)
            goto out;
        tr_absorb_frs(tr, "hyrax/ipa-z", z, 2);
        tr_challenge(tr, "hyrax/ipa-w", &w);
        sodium_memzero(&d, sizeof d);
        sodium_memzero(&s, sizeof s);
    }
out:
    free(G);
    free(Gj);
    free(inv);
    free(scratch);
    free(ht);
    return st;
}

/* A claim's value as a form: hidden (in zero knowledge, zk) or public. */
static zkm_status claim_form(const hyrax_claim *c, int zk, zk_form *out, zkm_err *e)
{
    fr one;
    fr_set_one(&one);
    if (zk && c->hid != ZK_NONE)
        return zk_form_set_hidden(out, c->hid, &one, e);
    zk_form_set_const(out, &c->value);
    return ZKM_OK;
}

/* The weights of the claims at the column point s: gamma_k = rho_k
 * eq(zc_k, s), so that the column sum-check's final value is <u*, eq(s)>
 * for the combination u* = sum_k gamma_k u_k. */
static void column_weights(fr *gamma, const split_claim *sp, const fr *rho, const fr *s,
                           uint32_t b, size_t K)
{
    for (size_t k = 0; k < K; k++) {
        mle_eq_eval(&gamma[k], sp[k].zc, s, b);
        fr_mul(&gamma[k], &gamma[k], &rho[k]);
    }
}

/* Verifier of the inner-product argument's rounds: read the 2b round points
 * (*LR), absorb them and draw the challenges c and their inverses. */
static zkm_status ipa_read_rounds(transcript *tr, g1_cursor *pts, uint32_t b,
                                  const g1_affine **LR, fr *c, fr *cinv, zkm_err *e)
{
    if (!g1_cursor_take(pts, 2 * (size_t)b, LR))
        return zkm_fail(e, ZKM_EREJECT, "commitment opening: proof ends before its %u round "
                        "points", 2 * b);
    for (uint32_t j = 0; j < b; j++) {
        absorb_point(tr, "hyrax/ipa-L", &(*LR)[2 * j]);
        absorb_point(tr, "hyrax/ipa-R", &(*LR)[2 * j + 1]);
        ipa_challenge(tr, &c[j]);
        if (fr_is_zero(&c[j]))
            return zkm_fail(e, ZKM_EREJECT, "commitment opening: zero challenge");
    }
    fr scratch_inv[HYRAX_MAX_COL_VARS];
    fr_batch_inv_var(cinv, c, b, scratch_inv);
    return ZKM_OK;
}

/* What the inner-product argument folds the generators and the vector
 * eq(s) into: G' = sum_i sv_i G_i with sv_i = prod_j c_j^(bit b-1-j of i),
 * and b' = prod_j (1 - s_m + c_j s_m) (round j folds bit m = b-1-j). */
static void ipa_fold_scalars(fr *sv, fr *bfin, const fr *c, const fr *s, uint32_t b)
{
    fr one, t, p;
    fr_set_one(&one);
    *bfin = one;
    sv[0] = one;
    for (uint32_t m = 0; m < b; m++) {
        size_t h = (size_t)1 << m;
        for (size_t i = 0; i < h; i++)
            fr_mul(&sv[h + i], &sv[i], &c[b - 1 - m]);
        fr_sub(&t, &one, &s[m]);
        fr_mul(&p, &c[b - 1 - m], &s[m]);
        fr_add(&t, &t, &p);
        fr_mul(bfin, bfin, &t);
    }
}

/* The column sum-check's claim: sum_k rho_k value_k, as a form (hid read
 * only in zero knowledge, zk). */
static zkm_status column_claim(const hyrax_claim *claims, int zk, const fr *rho, size_t K,
                               zk_form *out, zkm_err *e)
{
    zk_form t;
    zk_form_init(&t);
    fr zero;
    fr_set_zero(&zero);
    zk_form_set_const(out, &zero);
    zkm_status st = ZKM_OK;
    for (size_t k = 0; k < K && !st; k++) {
        st = claim_form(&claims[k], zk, &t, e);
        if (!st)
            st = zk_form_axpy(out, &rho[k], &t, e);
    }
    zk_form_free(&t);
    return st;
}

/* The verifier's column phase over a channel, rho drawn: the sum-check
 * from sum_k rho_k value_k to the column point s.  *target receives its
 * final value, which the inner-product argument then proves: in the clear
 * that constant; in zero knowledge a new hidden value t, recorded equal to
 * it (the sum-check's rounds may appear only in equalities: zk.h). */
static zkm_status column_verify(zk_chan *ch, const hyrax_claim *claims, const fr *rho,
                                uint32_t b, size_t K, fr *s, zk_form *target, zkm_err *e)
{
    zk_form claim;
    zk_form_init(&claim);
    zkm_status st = column_claim(claims, ch->zk != NULL, rho, K, &claim, e);
    if (!st)
        st = sc_verify_forms(ch, b, 2, &claim, s, e);
    if (!st && ch->zk) {
        st = zk_chan_recv(ch, "hyrax/t", target, 1, e);
        if (!st)
            st = zk_chan_check(ch, &claim, target, "commitment opening: column sum-check does "
                               "not close", e);
    } else if (!st) {
        st = zk_form_copy(target, &claim, e);
    }
    zk_form_free(&claim);
    return st;
}

/* Zero knowledge, prover: replay the verifier over the column sum-check and
 * t just sent (points from `at` on, numbered from `base`; scalars from
 * `at_s` on), from the transcript before them, to record the closing
 * equation; prove it.  *tf receives t as a form. */
static zkm_status open_mirror(zk_chan *zch, transcript *replay, size_t at, size_t at_s,
                              zk_pos base, const hyrax_claim *claims, const fr *rho,
                              uint32_t b, size_t K, zk_form *tf, zkm_err *e)
{
    const g1_vec *pts = zch->out_pts;
    const fr_vec *sc = zch->out;
    g1_cursor in = {.v = pts->v + at, .n = pts->n - at, .pos = 0};
    fr_cursor ins = {.v = sc->v + at_s, .n = sc->n - at_s, .pos = 0};
    zk_chan m = {.tr = replay, .zk = zch->zk, .in = &ins, .in_pts = &in, .mirror = 1,
                 .mirror_next = base};
    fr s[HYRAX_MAX_COL_VARS];
    zkm_status st = column_verify(&m, claims, rho, b, K, s, tf, e);
    if (!st && (in.pos != in.n || ins.pos != ins.n || memcmp(replay, zch->tr, sizeof *replay) != 0))
        st = zkm_fail(e, ZKM_EINVAL, "commitment opening: the prover's replay does not follow "
                      "its messages");
    return st ? st : zk_chan_flush(zch, e);
}

/* The prover in the clear (zch NULL: messages to msgs and pts) or in zero
 * knowledge (over zch). */
static zkm_status open_prove(transcript *tr, const hyrax_table *tables, size_t n_tables,
                             const hyrax_claim *claims, size_t n_claims, fr_vec *msgs,
                             g1_vec *pts, zk_chan *zch, int threads, zkm_err *e)
{
    if (n_claims == 0)
        return ZKM_OK;
    zkm_status st = ZKM_ENOMEM;
    const hyrax_com **coms = zkm_calloc(n_tables, sizeof *coms, "hyrax tables", e);
    split_claim *sp = zkm_calloc(n_claims, sizeof *sp, "hyrax claims", e);
    fr *zc = zkm_alloc_array(n_claims * HYRAX_MAX_COL_VARS, sizeof(fr), "hyrax claims", e);
    fr *u = NULL, *su = NULL, *E = NULL, *blinds = NULL, *eqr = NULL, *scal = NULL;
    fr **tabs = NULL;
    unsigned *ts = NULL, *fac = NULL;
    zk_form tf;
    zk_form_init(&tf);
    if (!coms || !sp || !zc)
        goto out;
    for (size_t t = 0; t < n_tables; t++)
        coms[t] = tables[t].com;
    uint32_t b;
    st = split_claims(sp, zc, coms, n_tables, claims, n_claims, &b, e);
    if (st != ZKM_OK)
        goto out;
    size_t N = (size_t)1 << b, K = n_claims, max_rows = max_rows_of(coms, n_tables);
    st = ZKM_ENOMEM;
    size_t KN;
    if (!zkm_mul_ok(K, N, &KN))
        goto out;
    u = zkm_alloc_array(KN, sizeof(fr), "hyrax row combinations", e);
    su = zkm_alloc_array(KN, sizeof(fr), "hyrax row combinations", e);
    E = zkm_alloc_array(KN, sizeof(fr), "hyrax column weights", e);
    blinds = zkm_alloc_array(K, sizeof(fr), "hyrax claims", e);
    scal = zkm_alloc_array(2 * K, sizeof(fr), "hyrax claims", e);
    eqr = zkm_alloc_array(max_rows, sizeof(fr), "hyrax row weights", e);
    tabs = zkm_calloc(2 * K, sizeof *tabs, "hyrax tables", e);
    ts = zkm_calloc(K + 1, sizeof *ts, "hyrax terms", e);
    fac = zkm_calloc(2 * K, sizeof *fac, "hyrax terms", e);
    if (!u || !su || !E || !blinds || !scal || !eqr || !tabs || !ts || !fac)
        goto out;
    tr_absorb_u64(tr, "hyrax/claims", K);
    for (size_t k = 0; k < K; k++) {
        row_weights(eqr, &sp[k]);
        row_combination(u + k * N, &blinds[k], eqr, &tables[claims[k].table], b, threads);
        mle_eq_table(E + k * N, sp[k].zc, b, NULL);
    }
    memcpy(su, u, KN * sizeof(fr));
    fr *rho = scal, *gamma = scal + K;
    tr_challenges(tr, "hyrax/rho", rho, K);
    for (size_t k = 0; k < K; k++) {
        tabs[k] = su + k * N;
        tabs[K + k] = E + k * N;
        ts[k] = (unsigned)(2 * k);
        fac[2 * k] = (unsigned)k;
        fac[2 * k + 1] = (unsigned)(K + k);
    }
    ts[K] = (unsigned)(2 * K);
    sc_poly poly = {.n_tables = (unsigned)(2 * K), .tables = tabs, .n_terms = (unsigned)K,
                    .coef = rho, .term_start = ts, .factors = fac};
    fr s[HYRAX_MAX_COL_VARS];
    zk_chan clear = {.tr = tr, .out = msgs, .out_pts = pts};
    zk_chan *ch = zch ? zch : &clear;
    const size_t at = pts->n, at_s = zch ? zch->out->n : 0;
    const zk_pos base = zch ? zk_next(zch->zk) : (zk_pos){0, 0, 0};
    transcript replay = *tr;
    st = sc_prove(&poly, b, ch, s, e);
    if (st != ZKM_OK)
        goto out;
    column_weights(gamma, sp, rho, s, b, K);
    if (zch) { /* t = sum_k gamma_k u_k(s) */
        fr tv, p;
        fr_set_zero(&tv);
        for (size_t k = 0; k < K; k++) {
            fr_mul(&p, &gamma[k], &su[k * N]);
            fr_add(&tv, &tv, &p);
        }
        st = zk_chan_send(ch, "hyrax/t", &tv, 1, NULL, e);
        if (st == ZKM_OK)
            st = open_mirror(zch, &replay, at, at_s, base, claims, rho, b, K, &tf, e);
        if (st != ZKM_OK)
            goto out;
    }
    /* u* = sum gamma_k u_k into su; blind* likewise; b vector eq(s) into E */
    fr blind;
    fr_set_zero(&blind);
    memset(su, 0, N * sizeof(fr));
    for (size_t k = 0; k < K; k++) {
        fr p;
        for (size_t j = 0; j < N; j++) {
            fr_mul(&p, &gamma[k], &u[k * N + j]);
            fr_add(&su[j], &su[j], &p);
        }
        fr_mul(&p, &gamma[k], &blinds[k]);
        fr_add(&blind, &blind, &p);
    }
    mle_eq_table(E, s, b, NULL);
    fr x;
    tr_challenge(tr, "hyrax/ipa-x", &x);
    if (zch) { /* P also holds x T, T the commitment of t: its blinding */
        fr tv, tb;
        zk_form_open(zch->zk, &tf, &tv, &tb);
        fr_mul(&tb, &tb, &x);
        fr_add(&blind, &blind, &tb);
    }
    st = ipa_prove(tr, &x, su, E, blind, b, ch->out, ch->out_pts, zch ? zch->zk : NULL, threads,
                   e);
out:
    free(coms);
    free(sp);
    free(zc);
    free(u);
    free(su);
    free(E);
    free(blinds);
    free(scal);
    free(eqr);
    free(tabs);
    free(ts);
    free(fac);
    zk_form_free(&tf);
    return st;
}

zkm_status hyrax_open_prove(transcript *tr, const hyrax_table *tables, size_t n_tables,
                            const hyrax_claim *claims, size_t n_claims, fr_vec *msgs,
                            g1_vec *pts, int threads, zkm_err *e)
{
    return open_prove(tr, tables, n_tables, claims, n_claims, msgs, pts, NULL, threads, e);
}

zkm_status hyrax_open_prove_zk(zk_chan *ch, const hyrax_table *tables, size_t n_tables,
                               const hyrax_claim *claims, size_t n_claims, int threads,
                               zkm_err *e)
{
    return open_prove(ch->tr, tables, n_tables, claims, n_claims, ch->out, ch->out_pts, ch,
                      threads, e);
}

zkm_status hyrax_open_verify(transcript *tr, const hyrax_com *const *coms, size_t n_tables,
                             const hyrax_claim *claims, size_t n_claims, fr_cursor *msgs,
                             g1_cursor *pts, int threads, zkm_err *e)
{
    if (n_claims == 0)
        return ZKM_OK;
    zkm_status st = ZKM_ENOMEM;
    split_claim *sp = zkm_calloc(n_claims, sizeof *sp, "hyrax claims", e);
    fr *zc = zkm_alloc_array(n_claims * HYRAX_MAX_COL_VARS, sizeof(fr), "hyrax claims", e);
    fr *scal = zkm_alloc_array(2 * n_claims, sizeof(fr), "hyrax claims", e);
    size_t *row_off = zkm_calloc(n_tables + 1, sizeof *row_off, "hyrax tables", e);
    zk_form tf;
    zk_form_init(&tf);
    g1_affine *P = NULL;
    fr *S = NULL, *eqs = NULL;
    void *scratch = NULL;
    if (!sp || !zc || !scal || !row_off)
        goto out;
    uint32_t b;
    st = split_claims(sp, zc, coms, n_tables, claims, n_claims, &b, e);
    if (st != ZKM_OK)
        goto out;
    size_t N = (size_t)1 << b, K = n_claims;
    /* MSM layout: every table's rows, then G_0..G_{N-1}, the 2b round
     * points, U, H */
    for (size_t t = 0; t < n_tables; t++)
        row_off[t + 1] = row_off[t] + coms[t]->n_rows;
    size_t n_rows = row_off[n_tables], n_pts = n_rows + N + 2 * b + 2,
           max_rows = max_rows_of(coms, n_tables);
    st = ZKM_ENOMEM;
    P = zkm_alloc_array(n_pts, sizeof(g1_affine), "hyrax check points", e);
    S = zkm_calloc(n_pts, sizeof(fr), "hyrax check scalars", e);
    eqs = zkm_alloc_array(max_rows, sizeof(fr), "hyrax eq table", e);
    size_t sbytes = g1_msm_scratch_bytes(n_pts, threads);
    scratch = zkm_alloc_array(1, sbytes ? sbytes : 1, "msm scratch", e);
    if (!P || !S || !eqs || !scratch)
        goto out;
    tr_absorb_u64(tr, "hyrax/claims", K);
    fr *rho = scal, *gamma = scal + K;
    tr_challenges(tr, "hyrax/rho", rho, K);
    fr p, s[HYRAX_MAX_COL_VARS];
    zk_chan ch = {.tr = tr, .in = msgs};
    st = column_verify(&ch, claims, rho, b, K, s, &tf, e);
    if (st != ZKM_OK) {
        zkm_err_prefix(e, ZKM_EREJECT, "commitment opening: ");
        goto out;
    }
    column_weights(gamma, sp, rho, s, b, K);
    /* row scalars: sum over claims of gamma_k eq(zr_k, row); the target t
     * is a constant in the clear */
    const fr ystar = tf.k;
    for (size_t k = 0; k < K; k++) {
        fr *lam = S + row_off[claims[k].table];
        if (sp[k].nr == 0)
            fr_add(&lam[0], &lam[0], &gamma[k]);
        else
            mle_eq_table_add(lam, sp[k].zr, sp[k].nr, &gamma[k], eqs);
    }
    for (size_t t = 0; t < n_tables; t++)
        memcpy(P + row_off[t], coms[t]->rows, coms[t]->n_rows * sizeof(g1_affine));
    /* the inner-product argument */
    hyrax_gens g;
    hyrax_generators(&g);
    fr x, c[HYRAX_MAX_COL_VARS], cinv[HYRAX_MAX_COL_VARS];
    tr_challenge(tr, "hyrax/ipa-x", &x);
    const g1_affine *LR;
    st = ipa_read_rounds(tr, pts, b, &LR, c, cinv, e);
    if (st != ZKM_OK)
        goto out;
    const fr *fin;
    if (!fr_cursor_take(msgs, 2, &fin)) {
        st = zkm_fail(e, ZKM_EREJECT, "commitment opening: proof ends before its final values");
        goto out;
    }
    tr_absorb_frs(tr, "hyrax/ipa-final", fin, 2);
    fr *sv = S + n_rows, bfin;
    ipa_fold_scalars(sv, &bfin, c, s, b);
    fr neg_a;
    fr_neg(&neg_a, &fin[0]);
    for (size_t i = 0; i < N; i++)
        fr_mul(&sv[i], &sv[i], &neg_a);
    memcpy(P + n_rows, g.G, N * sizeof(g1_affine));
    size_t o = n_rows + N;
    for (uint32_t j = 0; j < b; j++) {
        P[o + 2 * j] = LR[2 * j];
        S[o + 2 * j] = c[j];
        P[o + 2 * j + 1] = LR[2 * j + 1];
        S[o + 2 * j + 1] = cinv[j];
    }
    o += 2 * (size_t)b;
    /* U: x (y* - a b_final); H: -blind */
    P[o] = *g.U;
    fr_mul(&p, &fin[0], &bfin);
    fr_sub(&p, &ystar, &p);
    fr_mul(&S[o], &x, &p);
    P[o + 1] = *g.H;
    fr_neg(&S[o + 1], &fin[1]);
    g1_jac acc;
    g1_msm_var(&acc, P, S, n_pts, scratch, threads);
    if (!g1_is_infinity(&acc))
        st = zkm_fail(e, ZKM_EREJECT, "commitment opening: inner-product check fails");
    else
        st = ZKM_OK;
out:
    zk_form_free(&tf);
    free(sp);
    free(zc);
    free(scal);
    free(row_off);
    free(P);
    free(S);
    free(eqs);
    free(scratch);
    return st;
}

zkm_status hyrax_open_verify_zk(zk_chan *ch, const hyrax_com *const *coms, size_t n_tables,
                                const hyrax_claim *claims, size_t n_claims, int threads,
                                zkm_err *e)
{
    (void)threads; /* the final check (zk_finish) runs the multi-scalar multiplication */
    if (n_claims == 0)
        return ZKM_OK;
    transcript *tr = ch->tr;
    zk_ctx *zk = ch->zk;
    const size_t K = n_claims;
    zkm_status st = ZKM_ENOMEM;
    split_claim *sp = zkm_calloc(K, sizeof *sp, "hyrax claims", e);
    fr *zc = zkm_alloc_array(K * HYRAX_MAX_COL_VARS, sizeof(fr), "hyrax claims", e);
    fr *scal = zkm_alloc_array(2 * K, sizeof(fr), "hyrax claims", e);
    fr *lam = NULL, *eqs = NULL, *sv = NULL;
    zk_form Y;
    zk_form_init(&Y);
    if (!sp || !zc || !scal)
        goto out;
    uint32_t b;
    st = split_claims(sp, zc, coms, n_tables, claims, K, &b, e);
    if (st != ZKM_OK)
        goto out;
    const size_t N = (size_t)1 << b;
    const size_t max_rows = max_rows_of(coms, n_tables);
    st = ZKM_ENOMEM;
    lam = zkm_alloc_array(max_rows, sizeof(fr), "hyrax row scalars", e);
    eqs = zkm_alloc_array(max_rows, sizeof(fr), "hyrax eq table", e);
    sv = zkm_alloc_array(N, sizeof(fr), "hyrax generator scalars", e);
    if (!lam || !eqs || !sv)
        goto out;
    fr *rho = scal, *gamma = scal + K, s[HYRAX_MAX_COL_VARS];
    tr_absorb_u64(tr, "hyrax/claims", K);
    tr_challenges(tr, "hyrax/rho", rho, K);
    st = column_verify(ch, claims, rho, b, K, s, &Y, e);
    if (!st)
        st = zk_chan_flush(ch, e);
    if (st != ZKM_OK) {
        zkm_err_prefix(e, ZKM_EREJECT, "commitment opening: ");
        goto out;
    }
    column_weights(gamma, sp, rho, s, b, K);
    fr x, c[HYRAX_MAX_COL_VARS], cinv[HYRAX_MAX_COL_VARS], ech, w, ew, t, bfin;
    tr_challenge(tr, "hyrax/ipa-x", &x);
    const g1_affine *LR, *A;
    const fr *z;
    st = ipa_read_rounds(tr, ch->in_pts, b, &LR, c, cinv, e);
    if (st != ZKM_OK)
        goto out;
    if (!g1_cursor_take(ch->in_pts, 1, &A) || !fr_cursor_take(ch->in, 2, &z)) {
        st = zkm_fail(e, ZKM_EREJECT, "commitment opening: proof ends before its final proof");
        goto out;
    }
    absorb_point(tr, "hyrax/ipa-A", A);
    tr_challenge(tr, "hyrax/ipa-e", &ech);
    tr_absorb_frs(tr, "hyrax/ipa-z", z, 2);
    tr_challenge(tr, "hyrax/ipa-w", &w);
    /* w (z1 G' + z1 b' x U + z2 H - A - e P), where the folded commitment is
     * P = sum_rows lambda C + x Y + sum_j (c_j L_j + c_j^-1 R_j) */
    ipa_fold_scalars(sv, &bfin, c, s, b);
    fr_mul(&ew, &w, &ech);
    fr_neg(&ew, &ew);
    for (size_t tb = 0; tb < n_tables && !st; tb++) {
        const hyrax_com *cm = coms[tb];
        int used = 0;
        memset(lam, 0, cm->n_rows * sizeof(fr));
        for (size_t k = 0; k < K; k++) {
            if (claims[k].table != tb)
                continue;
            used = 1;
            if (sp[k].nr == 0)
                fr_add(&lam[0], &lam[0], &gamma[k]);
            else
                mle_eq_table_add(lam, sp[k].zr, sp[k].nr, &gamma[k], eqs);
        }
        for (size_t i = 0; used && i < cm->n_rows && !st; i++) {
            fr_mul(&t, &lam[i], &ew);
            if (!fr_is_zero(&t))
                st = zk_add_point(zk, &cm->rows[i], &t, e);
        }
    }
    hyrax_gens g;
    hyrax_generators(&g);
    fr wz1;
    fr_mul(&wz1, &w, &z[0]);
    for (size_t i = 0; i < N && !st; i++) {
        fr_mul(&t, &wz1, &sv[i]);
        st = zk_add_point(zk, &g.G[i], &t, e);
    }
    for (uint32_t j = 0; j < b && !st; j++) {
        fr_mul(&t, &ew, &c[j]);
        st = zk_add_point(zk, &LR[2 * j], &t, e);
        fr_mul(&t, &ew, &cinv[j]);
        if (!st)
            st = zk_add_point(zk, &LR[2 * j + 1], &t, e);
    }
    fr_neg(&t, &w);
    if (!st)
        st = zk_add_point(zk, A, &t, e);
    if (st != ZKM_OK)
        goto out;
    fr_mul(&t, &wz1, &bfin);
    fr_mul(&t, &t, &x);
    zk_add_u(zk, &t);
    fr_mul(&t, &w, &z[1]);
    zk_add_h(zk, &t);
    fr_mul(&t, &ew, &x);
    zk_add_form(zk, &t, &Y);
out:
    zk_form_free(&Y);
    free(sp);
    free(zc);
    free(scal);
    free(lam);
    free(eqs);
    free(sv);
    return st;
}
