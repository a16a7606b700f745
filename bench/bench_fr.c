/* Field benchmarks: latency of the hot F_r operations.
 *
 * Each operation runs as one dependent chain (every result feeds the next
 * call), so the time per call is its latency and the compiler cannot drop or
 * overlap the work; the chain's final value is written to a volatile sink.
 * The reported figure is the median over BF_RUNS chains. */
#include "bench.h"
#include "fr.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define BF_CHAIN (1u << 24)
#define BF_RUNS 5

static volatile uint64_t bf_sink;

typedef enum { BF_MUL, BF_SQR, BF_ADD } bf_op;

/* Seconds for one chain of n calls of op.  The operand is a fixed non-trivial
 * element; the noinline keeps each chain's loop a separate, simple body. */
static __attribute__((noinline)) double bf_chain(bf_op op, uint32_t n)
{
    fr a, b;
    fr_set_u64(&a, 0x9e3779b97f4a7c15ULL);
    fr_set_u64(&b, 0xc2b2ae3d27d4eb4fULL);
    fr_sqr(&b, &b);
    double t0 = zkm_now();
    switch (op) {
    case BF_MUL:
        for (uint32_t i = 0; i < n; i++)
            fr_mul(&a, &a, &b);
        break;
    case BF_SQR:
        for (uint32_t i = 0; i < n; i++)
            fr_sqr(&a, &a);
        break;
    case BF_ADD:
        for (uint32_t i = 0; i < n; i++)
            fr_add(&a, &a, &b);
        break;
    }
    double t = zkm_now() - t0;
    bf_sink = a.v[0] ^ a.v[1] ^ a.v[2] ^ a.v[3];
    return t;
}

static void bf_measure(const char *name, bf_op op)
{
    double t[BF_RUNS];
    bf_chain(op, BF_CHAIN / 16); /* warm up caches and clock */
    for (int r = 0; r < BF_RUNS; r++)
        t[r] = bf_chain(op, BF_CHAIN);
    double ns = bench_median(t, BF_RUNS) / BF_CHAIN * 1e9;
    fprintf(stderr, "%-8s %7.2f ns/op (median of %d chains of %u; min %.2f, max %.2f)\n",
            name, ns, BF_RUNS, BF_CHAIN, t[0] / BF_CHAIN * 1e9,
            t[BF_RUNS - 1] / BF_CHAIN * 1e9);
    json_t *obj = bench_obj(name, (double)BF_CHAIN);
    json_object_set_new(obj, "ns_per_op", json_real(ns));
    bench_emit(obj);
}

void bench_field(void)
{
    bf_measure("fr_mul", BF_MUL);
    bf_measure("fr_sqr", BF_SQR);
    bf_measure("fr_add", BF_ADD);
}
