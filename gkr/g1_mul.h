/* Scalar multiplications on G1 beyond g1_mul (g1.h): a faster one for
 * public scalars, and fixed-base ones for secret scalars times points known
 * in advance (commitments and their blindings): one scalar, or a short
 * linear combination. */
#ifndef ZKM_G1_MUL_H
#define ZKM_G1_MUL_H

#include "fr.h"
#include "g1.h"

/* out = k * a for a public k: width-5 NAF, about 254 doublings and 43
 * additions.  Variable time. */
void g1_mul_var(g1_jac *out, const g1_jac *a, const fr *k);

/* d * 16^w * P for every 4-bit window w < 64 and digit d < 16.  Where
 * FQ_IFMA, also entries 1..8 again for g1_fixed_lin's eight lanes: lanes[s]
 * [d - 1][c][j][l] is limb j (radix 2^52) of coordinate c (0: x, 1: y) of
 * d * 16^w * P, w = 8s + l, so that one step reads eight windows' entries
 * as vectors.  (The layout thus depends on FQ_IFMA: code using a table must
 * be compiled with the library's flags.) */
#define G1_FIXED_WINDOWS 64
typedef struct {
    g1_affine t[G1_FIXED_WINDOWS][16];
#if FQ_IFMA
    uint64_t lanes[G1_FIXED_WINDOWS / 8][8][2][5][8];
#endif
} g1_fixed_table;

/* Fill t for the point p (about 1,000 additions and 4 inversions, one for
 * 16 windows; 32 KiB of stack).  A table is 64 KiB, 104 KiB where
 * FQ_IFMA. */
void g1_fixed_init(g1_fixed_table *t, const g1_affine *p);
/* out = k * P for t made from P: 64 mixed additions, each of a table entry
 * chosen by scanning all 16 of its window with masks, so the sequence of
 * operations and memory reads does not depend on k. */
void g1_fixed_mul(g1_jac *out, const g1_fixed_table *t, const fr *k);
/* out = sum_{i < n} k[i] * P_i, t[i] made from P_i by g1_fixed_init (the
 * same table may appear more than once; n = 0 gives infinity); constant
 * time in the k[i]: the sequence of operations and of memory addresses read
 * depends only on n.  Where FQ_IFMA, the n * 64 window terms are summed
 * eight at a time in the lanes of AVX-512 IFMA vectors (lane l takes the
 * windows w = l mod 8 of every scalar, as signed digits in [-7, 8]; a step
 * reads all eight entries of its windows and keeps each lane's by a mask)
 * by complete formulas, then the lanes are added: 8n + 3 vector additions,
 * a quarter to a third of the time of n g1_fixed_mul and n - 1 g1_add
 * (zkm-bench g1, best runs: 12 us against 36 to 39 for n = 2, 27 against
 * 88 to 98 for n = 5).  Otherwise it is exactly those. */
void g1_fixed_lin(g1_jac *out, const g1_fixed_table *const *t, const fr *k, size_t n);

#endif
