/* Multi-scalar multiplication on BN254 G1 (Pippenger's bucket method).
 *
 * Committed values in zkML are mostly small integers (weights, bits,
 * remainders), as field elements k or r - k for small k.  g1_msm_var reads
 * each scalar as the signed integer of least magnitude it represents and
 * sizes its windows by the largest magnitude present, so a vector of bits
 * costs about one addition per non-zero entry and 8-bit weights a few more,
 * far below full 254-bit scalars.  Full-size scalars are split in two
 * halves of 128 bits by the curve's endomorphism (GLV).  Where FQ_IFMA
 * (fq.h) the additions run eight at a time in AVX-512 IFMA vectors (about
 * half the time for full scalars; the same result).
 *
 * Variable time in the scalars (their sizes and digits choose the work):
 * meant for commitments whose timing is not an attacker's to observe. */
#ifndef ZKM_MSM_H
#define ZKM_MSM_H

#include <stddef.h>

#include "fr.h"
#include "g1.h"

/* Bytes of scratch g1_msm_var needs for n points on `threads` threads
 * (threads < 1 counts as 1): about 100 bytes a point plus 190 bytes a
 * point and 25 KB a thread (so about 290 bytes a point on one thread, 480
 * on two), and where FQ_IFMA (fq.h) up to 165 KB more a thread. */
size_t g1_msm_scratch_bytes(size_t n, int threads);

/* out = sum over i < n of scalars[i] * points[i].  scratch is
 * g1_msm_scratch_bytes(n, threads) bytes owned by the caller, 64-byte
 * aligned (zkm_alloc_array gives that).  threads <= 1 runs on the calling
 * thread; more runs an OpenMP team of that many (but fewer than 256 points
 * always run on the calling thread).  n = 0 gives infinity.  points may
 * include infinity.  No allocation. */
void g1_msm_var(g1_jac *out, const g1_affine *points, const fr *scalars, size_t n,
                void *scratch, int threads);

#endif
