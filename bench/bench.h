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

void bench_field(void);
void bench_gkr(void);
/* LeNet-5 and VGG-16 (lang/examples, read from the working directory). */
void bench_net(void);

#endif
