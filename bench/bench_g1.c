/* Group benchmarks: the base field multiply and square, square roots (one
 * chain, two chains interleaved by fq_sqrt_many_var, and a batch of 4096 in
 * one call: eight lanes at a time where FQ_IFMA), the three inversions (GMP's,
 * the constant-time power, and the allocation-free one of the MSM's
 * batches), G1 additions and doubling (as dependent chains: latency per
 * operation), g1_mul, decoding compressed points one by one and in a batch
 * (g1_from_bytes_many_var, 1 and 2 threads), a proof of 64 point sections
 * decoded by gkr_proof_decode_threads on 1 and 2 threads, and g1_msm_var per
 * point for full 254-bit scalars at 2803 (the LeNet-5 zero-knowledge
 * verifier's final check), 2^12, 12288 (the size of the VGG-16 verifier's
 * opening with committed weights) and 2^16 points and for bits and 8-bit
 * signed scalars at 2^16, on 1 and 2 threads.  Times are medians of
 * several runs; the MSMs run in a forked child (their scratch and points
 * are its own peak memory).  The prover's constant-time commitments:
 * g1_fixed_lin of 1, 2 (v U + r H) and 5 terms (a row of four values and
 * its blinding) against as many g1_fixed_mul summed by g1_add, and
 * g1_batch_to_affine_blinded against g1_batch_to_affine for 1 and 4 points,
 * each pair measured in alternation, with the fastest run as well as the
 * median (this VM is noisy). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "fq.h"
#include "g1.h"
#include "g1_mul.h"
#include "msm.h"
#include "proof.h"
#include "zkm_err.h"
#include "zkm_rng.h"

#define BG_RUNS 5

static volatile uint64_t bg_sink;

typedef enum {
    BG_FQ_MUL,
    BG_FQ_SQR,
    BG_FQ_SQRT,
    BG_FQ_SQRT_MANY,
    BG_FQ_INV_VAR,
    BG_FQ_INV,
    BG_FQ_INV_BINARY,
    BG_MADD_VAR,
    BG_MADD_DISTINCT,
    BG_ADD_VAR,
    BG_ADD,
    BG_DBL,
    BG_MUL
} bg_op;

static const struct {
    const char *name;
    uint32_t chain;
} BG_OPS[] = {
    [BG_FQ_MUL] = {"fq_mul", 1u << 24},
    [BG_FQ_SQR] = {"fq_sqr", 1u << 24},
    [BG_FQ_SQRT] = {"fq_sqrt_var", 1u << 13},
    [BG_FQ_SQRT_MANY] = {"fq_sqrt_many_var", 1u << 13},
    [BG_FQ_INV_VAR] = {"fq_inv_var", 1u << 14},
    [BG_FQ_INV] = {"fq_inv", 1u << 11},
    [BG_FQ_INV_BINARY] = {"fq_inv_binary_var", 1u << 14},
    [BG_MADD_VAR] = {"g1_add_mixed_var", 1u << 18},
    [BG_MADD_DISTINCT] = {"g1_add_mixed_distinct", 1u << 18},
    [BG_ADD_VAR] = {"g1_add_var", 1u << 18},
    [BG_ADD] = {"g1_add", 1u << 18},
    [BG_DBL] = {"g1_dbl", 1u << 18},
    [BG_MUL] = {"g1_mul", 1u << 8},
};

/* Seconds for a chain of n dependent calls of op (for fq_sqrt_many_var,
 * n roots: two chains of n / 2, a call taking one root of each). */
static __attribute__((noinline)) double bg_chain(bg_op op, uint32_t n)
{
    fq a, b, x[2], y[2];
    uint8_t ok[2];
    g1_affine pa;
    g1_jac acc, pj;
    fr k;
    fq_set_u64(&a, 0x9e3779b97f4a7c15ULL);
    fq_set_u64(&b, 0xc2b2ae3d27d4eb4fULL);
    g1_hash_generators(&pa, 1, "zkm/bench/g1", 0);
    g1_from_affine(&pj, &pa);
    g1_dbl(&acc, &pj);
    fr_set_u64(&k, 0x9e3779b97f4a7c15ULL);
    fr_sqr(&k, &k);
    double t0 = zkm_now();
    switch (op) {
    case BG_FQ_MUL:
        for (uint32_t i = 0; i < n; i++)
            fq_mul(&a, &a, &b);
        break;
    case BG_FQ_SQR:
        for (uint32_t i = 0; i < n; i++)
            fq_sqr(&a, &a);
        break;
    case BG_FQ_SQRT: /* through squares and non-squares alike */
        for (uint32_t i = 0; i < n; i++) {
            fq_add(&a, &a, &b);
            fq_sqrt_var(&b, &a); /* b unchanged for a non-square */
        }
        break;
    case BG_FQ_SQRT_MANY:
        x[0] = y[1] = a;
        x[1] = y[0] = b;
        for (uint32_t i = 0; i < n / 2; i++) {
            fq_add(&x[0], &x[0], &y[0]);
            fq_add(&x[1], &x[1], &y[1]);
            fq_sqrt_many_var(y, ok, x, 2);
        }
        a = y[0];
        break;
    case BG_FQ_INV_VAR:
        for (uint32_t i = 0; i < n; i++) {
            fq_inv_var(&b, &a);
            fq_add(&a, &a, &b);
        }
        break;
    case BG_FQ_INV:
        for (uint32_t i = 0; i < n; i++) {
            fq_inv(&b, &a);
            fq_add(&a, &a, &b);
        }
        break;
    case BG_FQ_INV_BINARY:
        for (uint32_t i = 0; i < n; i++) {
            fq_inv_binary_var(&b, &a);
            fq_add(&a, &a, &b);
        }
        break;
    case BG_MADD_VAR:
        for (uint32_t i = 0; i < n; i++)
            g1_add_mixed_var(&acc, &acc, &pa);
        break;
    case BG_MADD_DISTINCT: /* acc = (i + 2) P is never P */
        for (uint32_t i = 0; i < n; i++)
            g1_add_mixed_distinct(&acc, &acc, &pa);
        break;
    case BG_ADD_VAR:
        for (uint32_t i = 0; i < n; i++)
            g1_add_var(&acc, &acc, &pj);
        break;
    case BG_ADD:
        for (uint32_t i = 0; i < n; i++)
            g1_add(&acc, &acc, &pj);
        break;
    case BG_DBL:
        for (uint32_t i = 0; i < n; i++)
            g1_dbl(&acc, &acc);
        break;
    case BG_MUL:
        for (uint32_t i = 0; i < n; i++)
            g1_mul(&acc, &acc, &k);
        break;
    }
    double t = zkm_now() - t0;
    bg_sink = a.v[0] ^ acc.x.v[0] ^ acc.z.v[1];
    return t;
}

static void bg_op_measure(bg_op op)
{
    double t[BG_RUNS];
    uint32_t n = BG_OPS[op].chain;
    bg_chain(op, n / 16); /* warm up */
    for (int r = 0; r < BG_RUNS; r++)
        t[r] = bg_chain(op, n);
    double ns = bench_median(t, BG_RUNS) / n * 1e9;
    fprintf(stderr, "%-21s %9.1f ns/op (median of %d chains of %u)\n", BG_OPS[op].name, ns,
            BG_RUNS, n);
    json_t *obj = bench_obj(BG_OPS[op].name, (double)n);
    json_object_set_new(obj, "ns_per_op", json_real(ns));
    bench_emit(obj);
}

/* ---- MSM ------------------------------------------------------------------ */

typedef enum { BG_FULL, BG_BITS, BG_I8 } bg_scalars;

typedef struct {
    size_t n;
    bg_scalars kind;
    int runs;
} bg_msm_job;

static const char *const BG_MSM_NAMES[] = {"msm_full", "msm_bits", "msm_i8"};

/* n distinct points: multiples of a hashed point by consecutive steps. */
static int bg_points(g1_affine *pts, size_t n)
{
    g1_affine base;
    g1_jac acc, step;
    g1_jac *jac = malloc(n * sizeof *jac);
    fq *scratch = malloc(n * sizeof *scratch);
    if (!jac || !scratch) {
        free(jac);
        free(scratch);
        return 1;
    }
    g1_hash_generators(&base, 1, "zkm/bench/msm", 0);
    g1_from_affine(&step, &base);
    g1_dbl(&acc, &step);
    for (size_t i = 0; i < n; i++) {
        jac[i] = acc;
        g1_add_var(&acc, &acc, &step);
        g1_add_mixed_var(&step, &step, &base);
    }
    g1_batch_to_affine(pts, jac, n, scratch);
    free(jac);
    free(scratch);
    return 0;
}

static int bg_msm_child(void *arg)
{
    const bg_msm_job *job = arg;
    size_t n = job->n;
    g1_affine *pts = malloc(n * sizeof *pts);
    fr *k = malloc(n * sizeof *k);
    zkm_rng g;
    if (!pts || !k || bg_points(pts, n))
        return 1;
    zkm_rng_init(&g, 1, "bench/msm");
    for (size_t i = 0; i < n; i++) {
        uint8_t w[64];
        switch (job->kind) {
        case BG_FULL:
            zkm_rng_bytes(&g, w, sizeof w);
            fr_from_wide(&k[i], w);
            break;
        case BG_BITS:
            fr_set_u64(&k[i], zkm_rng_below(&g, 2));
            break;
        case BG_I8:
            fr_set_i64(&k[i], (int64_t)zkm_rng_below(&g, 256) - 128);
            break;
        }
    }
    for (int threads = 1; threads <= 2; threads++) {
        size_t bytes = g1_msm_scratch_bytes(n, threads);
        void *scratch = zkm_alloc_array(bytes, 1, "msm scratch", NULL);
        double t[BG_RUNS];
        g1_jac out;
        if (!scratch)
            return 1;
        g1_msm_var(&out, pts, k, n, scratch, threads); /* warm up */
        for (int r = 0; r < job->runs; r++) {
            double t0 = zkm_now();
            g1_msm_var(&out, pts, k, n, scratch, threads);
            t[r] = zkm_now() - t0;
        }
        bg_sink = out.x.v[0];
        free(scratch);
        double s = bench_median(t, job->runs);
        fprintf(stderr, "%-10s n %-6zu threads %d  %8.4f s  %8.3f us/point (median of %d)\n",
                BG_MSM_NAMES[job->kind], n, threads, s, s / (double)n * 1e6, job->runs);
        json_t *obj = bench_obj(BG_MSM_NAMES[job->kind], (double)n);
        json_object_set_new(obj, "threads", json_integer(threads));
        json_object_set_new(obj, "s", json_real(s));
        json_object_set_new(obj, "us_per_point", json_real(s / (double)n * 1e6));
        json_object_set_new(obj, "scratch_bytes", json_integer((json_int_t)bytes));
        json_object_set_new(obj, "peak_rss_bytes", json_integer(bench_peak_rss()));
        json_object_set_new(obj, "runs", json_integer(job->runs));
        bench_emit(obj);
    }
    free(pts);
    free(k);
    return 0;
}

/* ---- decoding --------------------------------------------------------------- */

#define BG_DECODE_N 4096
#define BG_DECODE_SECTIONS 64

/* Seconds (median) for fq_sqrt_many_var of the x^3 + 3 of n points, in
 * place, in one call. */
static double bg_sqrt_batch(const g1_affine *pts, size_t n)
{
    fq *a = malloc(n * sizeof *a), *y = malloc(n * sizeof *y);
    uint8_t *ok = malloc(n);
    double t[BG_RUNS];
    if (!a || !y || !ok) {
        free(a);
        free(y);
        free(ok);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        fq_sqr(&a[i], &pts[i].x);
        fq_mul(&a[i], &a[i], &pts[i].x);
        fq_set_u64(&y[i], 3);
        fq_add(&a[i], &a[i], &y[i]);
    }
    for (int r = 0; r < BG_RUNS; r++) {
        double t0 = zkm_now();
        fq_sqrt_many_var(y, ok, a, n);
        t[r] = zkm_now() - t0;
    }
    bg_sink = y[n - 1].v[0] ^ ok[0];
    free(a);
    free(y);
    free(ok);
    return bench_median(t, BG_RUNS);
}

/* Seconds (median) for gkr_proof_decode_threads of a proof holding the n
 * points in BG_DECODE_SECTIONS sections, on `threads` threads; -1 on
 * failure. */
static double bg_proof_decode(const g1_affine *pts, size_t n, int threads)
{
    gkr_section sec[BG_DECODE_SECTIONS];
    gkr_proof p = {.n_sections = BG_DECODE_SECTIONS, .sections = sec};
    memset(sec, 0, sizeof sec);
    memset(p.digest, 0, sizeof p.digest);
    for (uint32_t s = 0; s < BG_DECODE_SECTIONS; s++) {
        size_t lo = n * s / BG_DECODE_SECTIONS, hi = n * (s + 1) / BG_DECODE_SECTIONS;
        sec[s].tag = s;
        sec[s].encoding = GKR_ENC_G1;
        sec[s].pts.v = (g1_affine *)(pts + lo);
        sec[s].pts.n = hi - lo;
    }
    uint8_t *bytes;
    size_t len;
    double t[BG_RUNS];
    if (gkr_proof_encode(&p, &bytes, &len, NULL))
        return -1;
    for (int r = 0; r < BG_RUNS; r++) {
        gkr_proof q;
        double t0 = zkm_now();
        zkm_status st = gkr_proof_decode_threads(&q, bytes, len, threads, NULL);
        t[r] = zkm_now() - t0;
        gkr_proof_free(&q);
        if (st) {
            free(bytes);
            return -1;
        }
    }
    free(bytes);
    return bench_median(t, BG_RUNS);
}

static void bg_emit_per_point(const char *name, size_t n, int threads, double s)
{
    fprintf(stderr, "%-22s n %-6zu threads %d  %8.3f us/point (median of %d)\n", name, n,
            threads, s / (double)n * 1e6, BG_RUNS);
    json_t *obj = bench_obj(name, (double)n);
    json_object_set_new(obj, "threads", json_integer(threads));
    json_object_set_new(obj, "s", json_real(s));
    json_object_set_new(obj, "us_per_point", json_real(s / (double)n * 1e6));
    bench_emit(obj);
}

/* Compressed points decoded one by one (g1_from_bytes_var) and in a batch
 * (g1_from_bytes_many_var on 1 and 2 threads): microseconds a point. */
static int bg_decode_child(void *arg)
{
    (void)arg;
    const size_t n = BG_DECODE_N;
    g1_affine *pts = malloc(n * sizeof *pts);
    uint8_t *enc = malloc(n * G1_BYTES);
    if (!pts || !enc || bg_points(pts, n))
        return 1;
    for (size_t i = 0; i < n; i++)
        g1_to_bytes(enc + i * G1_BYTES, &pts[i]);
    for (int mode = 0; mode < 3; mode++) { /* one by one; batch on 1, 2 threads */
        double t[BG_RUNS];
        for (int r = 0; r < BG_RUNS; r++) {
            double t0 = zkm_now();
            if (mode == 0) {
                for (size_t i = 0; i < n; i++)
                    if (!g1_from_bytes_var(&pts[i], enc + i * G1_BYTES))
                        return 1;
            } else if (g1_from_bytes_many_var(pts, enc, n, mode) != n) {
                return 1;
            }
            t[r] = zkm_now() - t0;
        }
        bg_sink = pts[n - 1].x.v[0];
        bg_emit_per_point(mode == 0 ? "g1_from_bytes_var" : "g1_from_bytes_many_var", n,
                          mode == 0 ? 1 : mode, bench_median(t, BG_RUNS));
    }
    /* the square roots alone, one batch (per point: per root) */
    double s = bg_sqrt_batch(pts, n);
    if (s < 0)
        return 1;
    bg_emit_per_point(FQ_IFMA ? "fq_sqrt_many_var_batch_ifma" : "fq_sqrt_many_var_batch", n, 1,
                      s);
    for (int threads = 1; threads <= 2; threads++) {
        s = bg_proof_decode(pts, n, threads);
        if (s < 0)
            return 1;
        bg_emit_per_point("gkr_proof_decode", n, threads, s);
    }
    free(pts);
    free(enc);
    return 0;
}

/* ---- fixed-base commitments ------------------------------------------------ */

#define BG_FIXED_TERMS 5
#define BG_FIXED_CALLS 128
#define BG_FIXED_RUNS 9

typedef enum { BG_LIN, BG_LIN_SUM, BG_AFF, BG_AFF_BLINDED } bg_fixed_op;

static const char *const BG_FIXED_NAMES[] = {"g1_fixed_lin", "g1_fixed_mul_sum",
                                             "g1_batch_to_affine",
                                             "g1_batch_to_affine_blinded"};

/* Seconds for BG_FIXED_CALLS calls of op on n terms: scalars k and tables
 * t, or the points pts (a scalar changes between calls, as the points
 * would). */
static __attribute__((noinline)) double bg_fixed_run(bg_fixed_op op, size_t n,
                                                     const g1_fixed_table *const *t, fr *k,
                                                     const g1_jac *pts)
{
    g1_jac acc, term;
    g1_affine aff[BG_FIXED_TERMS];
    fq scratch[BG_FIXED_TERMS];
    fr one;
    uint64_t sink = 0;
    fr_set_u64(&one, 1);
    double t0 = zkm_now();
    for (uint32_t c = 0; c < BG_FIXED_CALLS; c++) {
        switch (op) {
        case BG_LIN:
            g1_fixed_lin(&acc, t, k, n);
            sink ^= acc.x.v[0];
            break;
        case BG_LIN_SUM:
            g1_fixed_mul(&acc, t[0], &k[0]);
            for (size_t i = 1; i < n; i++) {
                g1_fixed_mul(&term, t[i], &k[i]);
                g1_add(&acc, &acc, &term);
            }
            sink ^= acc.x.v[0];
            break;
        case BG_AFF:
            g1_batch_to_affine(aff, pts, n, scratch);
            sink ^= aff[0].x.v[0];
            break;
        case BG_AFF_BLINDED:
            g1_batch_to_affine_blinded(aff, pts, n, scratch);
            sink ^= aff[0].x.v[0];
            break;
        }
        fr_add(&k[0], &k[0], &one);
    }
    double s = zkm_now() - t0;
    bg_sink = sink;
    return s;
}

/* The pairs (new, old) for n terms, run by run in alternation. */
static void bg_fixed_pair(bg_fixed_op a, bg_fixed_op b, size_t n,
                          const g1_fixed_table *const *t, fr *k, const g1_jac *pts)
{
    const bg_fixed_op ops[2] = {a, b};
    double tm[2][BG_FIXED_RUNS];
    bg_fixed_run(a, n, t, k, pts); /* warm up */
    bg_fixed_run(b, n, t, k, pts);
    for (int r = 0; r < BG_FIXED_RUNS; r++)
        for (int i = 0; i < 2; i++)
            tm[i][r] = bg_fixed_run(ops[(i + r) % 2], n, t, k, pts) / BG_FIXED_CALLS * 1e9;
    for (int i = 0; i < 2; i++) {
        /* tm[i][r] timed ops[(i + r) % 2]: sort each op's runs out */
        double v[BG_FIXED_RUNS];
        for (int r = 0; r < BG_FIXED_RUNS; r++)
            v[r] = tm[(i + r) % 2][r];
        const double med = bench_median(v, BG_FIXED_RUNS);
        fprintf(stderr, "%-26s n %zu  %9.1f ns/op median, %9.1f best (of %d runs of %d)\n",
                BG_FIXED_NAMES[ops[i]], n, med, v[0], BG_FIXED_RUNS, BG_FIXED_CALLS);
        json_t *obj = bench_obj(BG_FIXED_NAMES[ops[i]], (double)n);
        json_object_set_new(obj, "ns_per_op", json_real(med));
        json_object_set_new(obj, "best_ns_per_op", json_real(v[0]));
        json_object_set_new(obj, "ifma", json_boolean(FQ_IFMA));
        bench_emit(obj);
    }
}

static int bg_fixed_child(void *arg)
{
    (void)arg;
    g1_affine p[BG_FIXED_TERMS];
    g1_fixed_table *tab[BG_FIXED_TERMS];
    const g1_fixed_table *t[BG_FIXED_TERMS];
    g1_jac pts[BG_FIXED_TERMS], q;
    fr k[BG_FIXED_TERMS];
    zkm_rng g;
    zkm_rng_init(&g, 1, "bench/fixed");
    g1_hash_generators(p, BG_FIXED_TERMS, "zkm/bench/fixed", 0);
    g1_from_affine(&q, &p[0]);
    for (size_t i = 0; i < BG_FIXED_TERMS; i++) {
        uint8_t w[64];
        tab[i] = malloc(sizeof *tab[i]);
        if (!tab[i])
            return 1;
        g1_fixed_init(tab[i], &p[i]);
        t[i] = tab[i];
        zkm_rng_bytes(&g, w, sizeof w);
        fr_from_wide(&k[i], w);
        g1_dbl(&q, &q); /* Z != 1 */
        pts[i] = q;
    }
    static const size_t lin_n[] = {1, 2, 5}, aff_n[] = {1, 4};
    for (size_t i = 0; i < sizeof lin_n / sizeof lin_n[0]; i++)
        bg_fixed_pair(BG_LIN, BG_LIN_SUM, lin_n[i], t, k, pts);
    for (size_t i = 0; i < sizeof aff_n / sizeof aff_n[0]; i++)
        bg_fixed_pair(BG_AFF_BLINDED, BG_AFF, aff_n[i], t, k, pts);
    for (size_t i = 0; i < BG_FIXED_TERMS; i++)
        free(tab[i]);
    return 0;
}

void bench_g1(void)
{
    for (bg_op op = BG_FQ_MUL; op <= BG_MUL; op++)
        bg_op_measure(op);
    bench_in_child("g1_fixed_lin", bg_fixed_child, NULL);
    bench_in_child("g1_from_bytes", bg_decode_child, NULL);
    static const bg_msm_job jobs[] = {
        {2803, BG_FULL, 5},     {1u << 12, BG_FULL, 5}, {12288, BG_FULL, 5},
        {1u << 16, BG_FULL, 3},
        {1u << 16, BG_BITS, 5}, {1u << 16, BG_I8, 5},
    };
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
        bench_in_child(BG_MSM_NAMES[jobs[i].kind], bg_msm_child, (void *)&jobs[i]);
}
