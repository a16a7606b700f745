/* Scalar multiplications on G1 beyond g1_mul (g1.h): a faster one for
 * public scalars, and a fixed-base one for many secret scalars times the
 * same point (commitment blindings). */
#ifndef ZKM_G1_MUL_H
#define ZKM_G1_MUL_H

#include "fr.h"
#include "g1.h"

/* out = k * a for a public k: width-5 NAF, about 254 doublings and 43
 * additions.  Variable time. */
void g1_mul_var(g1_jac *out, const g1_jac *a, const fr *k);

/* d * 16^w * P for every 4-bit window w < 64 and digit d < 16. */
#define G1_FIXED_WINDOWS 64
typedef struct {
    g1_affine t[G1_FIXED_WINDOWS][16];
} g1_fixed_table;

/* Fill t for the point p (about 1,000 additions and 4 inversions, one for
 * 16 windows; 32 KiB of stack). */
void g1_fixed_init(g1_fixed_table *t, const g1_affine *p);
/* out = k * P for t made from P: 64 mixed additions, each of a table entry
 * chosen by scanning all 16 of its window with masks, so the sequence of
 * operations and memory reads does not depend on k. */
void g1_fixed_mul(g1_jac *out, const g1_fixed_table *t, const fr *k);

#endif
