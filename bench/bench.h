/* Benchmarks run by `make bench`.  Each bench_* function prints one JSON
 * object per measurement on stdout (jansson, compact, one line), with at
 * least the keys bench, size, threads, prove_s, verify_s, proof_bytes,
 * peak_rss_bytes (null where a key does not apply), and a human-readable
 * summary on stderr.  Times are medians of repeated runs where a run is
 * short. */
#ifndef ZKM_BENCH_H
#define ZKM_BENCH_H

#include <jansson.h>

#include "zkm_time.h"

/* Prints the object as one line on stdout and releases it. */
void bench_emit(json_t *obj);
/* A new object with bench, size and threads set and the other required keys
 * null. */
json_t *bench_obj(const char *name, double size);
/* Peak resident set size of this process in bytes (getrusage). */
long long bench_peak_rss(void);
/* The median of v[0..n) (sorts v in place, so v[0] and v[n-1] are then the
 * minimum and maximum). */
double bench_median(double *v, int n);
/* Run fn(arg) in a forked child (so its peak memory is its own) and wait;
 * a failure is reported on stderr, naming the workload. */
void bench_in_child(const char *name, int (*fn)(void *), void *arg);

void bench_field(void);
/* The base field, G1 operations and multi-scalar multiplication. */
void bench_g1(void);
void bench_gkr(void);
/* LeNet-5 and VGG-16 (lang/examples, read from the working directory). */
void bench_net(void);

#endif
