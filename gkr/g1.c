/* The BN254 G1 group (g1.h): Jacobian arithmetic for y^2 = x^3 + 3, the
 * constant-time scalar multiplication, encodings and hashing to the curve.
 *
 * Formulas (Explicit-Formulas Database names, all for a = 0):
 *   doubling   dbl-2009-l     2M + 5S, also right for infinity (Z3 = 2YZ);
 *   addition   add-2007-bl   11M + 5S;
 *   mixed      madd-2007-bl   7M + 4S;
 * and for g1_mul the complete projective formulas of Renes, Costello and
 * Batina (eprint 2015/1060, algorithms 7 and 9), which have no exceptional
 * inputs and so need no branch.  The group has prime order, so no point has
 * y = 0 and the doubling never meets a point of order 2.
 *
 * Constant-time functions decide the special cases (infinity, a == b,
 * a == -b) by computing every candidate and selecting with masks; the _var
 * versions branch. */
#include "g1.h"

#include <string.h>
#include <sodium.h>

/* 2 and 3 (the curve's b) in Montgomery form */
static const fq FQ_TWO = {{0xa6ba871b8b1e1b3aULL, 0x14f1d651eb8e167bULL, 0xccdd46def0f28c58ULL,
                           0x1c14ef83340fbe5eULL}};
static const fq CURVE_B = {{0x7a17caa950ad28d7ULL, 0x1f6ac17ae15521b9ULL, 0x334bea4e696bd284ULL,
                            0x2a1f6744ce179d8eULL}};

/* all ones if bit is 1, zero if 0 */
static inline uint64_t mask_of(int bit)
{
    return 0 - (uint64_t)(bit & 1);
}

/* out = a where mask is all ones, unchanged where it is zero. */
static inline void fq_cmov(fq *out, const fq *a, uint64_t mask)
{
    for (int i = 0; i < 4; i++)
        out->v[i] ^= (out->v[i] ^ a->v[i]) & mask;
}

static inline void jac_cmov(g1_jac *out, const g1_jac *a, uint64_t mask)
{
    fq_cmov(&out->x, &a->x, mask);
    fq_cmov(&out->y, &a->y, mask);
    fq_cmov(&out->z, &a->z, mask);
}

/* out = x^3 + 3 */
static void curve_rhs(fq *out, const fq *x)
{
    fq t;
    fq_sqr(&t, x);
    fq_mul(&t, &t, x);
    fq_add(out, &t, &CURVE_B);
}

/* ---- affine -------------------------------------------------------------- */

void g1_generator(g1_affine *out)
{
    fq_set_one(&out->x);
    out->y = FQ_TWO;
}

void g1_affine_infinity(g1_affine *out)
{
    fq_set_zero(&out->x);
    fq_set_zero(&out->y);
}

int g1_affine_on_curve(const g1_affine *a)
{
    fq l, r;
    fq_sqr(&l, &a->y);
    curve_rhs(&r, &a->x);
    return fq_eq(&l, &r) | g1_affine_is_infinity(a);
}

int g1_affine_eq(const g1_affine *a, const g1_affine *b)
{
    return fq_eq(&a->x, &b->x) & fq_eq(&a->y, &b->y);
}

/* ---- Jacobian ------------------------------------------------------------ */

void g1_set_infinity(g1_jac *out)
{
    fq_set_one(&out->x);
    fq_set_one(&out->y);
    fq_set_zero(&out->z);
}

int g1_is_infinity(const g1_jac *a)
{
    return fq_is_zero(&a->z);
}

void g1_from_affine(g1_jac *out, const g1_affine *a)
{
    g1_jac inf;
    uint64_t m = mask_of(g1_affine_is_infinity(a));
    g1_set_infinity(&inf);
    out->x = a->x;
    out->y = a->y;
    fq_set_one(&out->z);
    jac_cmov(out, &inf, m);
}

/* x = X / Z^2, y = Y / Z^3 given zinv = 1/Z (0 for infinity gives (0, 0)). */
static void affine_from_zinv(g1_affine *out, const g1_jac *a, const fq *zinv)
{
    fq z2, z3;
    fq_sqr(&z2, zinv);
    fq_mul(&z3, &z2, zinv);
    fq_mul(&out->x, &a->x, &z2);
    fq_mul(&out->y, &a->y, &z3);
}

void g1_to_affine(g1_affine *out, const g1_jac *a)
{
    fq zinv;
    fq_inv(&zinv, &a->z); /* the inverse of 0 is 0: infinity becomes (0, 0) */
    affine_from_zinv(out, a, &zinv);
}

/* g1_batch_to_affine, and with blinded set g1_batch_to_affine_blinded. */
static void batch_to_affine(g1_affine *out, const g1_jac *in, size_t n, fq *scratch,
                            int blinded)
{
    /* Montgomery's trick with Z = 0 replaced by 1 (selected, not branched):
     * scratch[i] = product of the Z_j for j < i. */
    fq acc, inv, one, z, zinv, zero;
    fq_set_one(&one);
    fq_set_zero(&zero);
    acc = one;
    for (size_t i = 0; i < n; i++) {
        z = in[i].z;
        fq_cmov(&z, &one, mask_of(fq_is_zero(&z)));
        scratch[i] = acc;
        fq_mul(&acc, &acc, &z);
    }
    if (blinded) {
        /* acc rho is uniform on the non-zero elements whatever acc is */
        uint8_t wide[64];
        fq rho;
        do {
            randombytes_buf(wide, sizeof wide);
            fq_from_wide(&rho, wide);
        } while (fq_is_zero(&rho));
        fq_mul(&acc, &acc, &rho);
        fq_inv_var(&inv, &acc);
        fq_mul(&inv, &inv, &rho);
        sodium_memzero(wide, sizeof wide);
        sodium_memzero(&rho, sizeof rho);
    } else {
        fq_inv(&inv, &acc);
    }
    for (size_t i = n; i-- > 0;) {
        uint64_t inf = mask_of(fq_is_zero(&in[i].z));
        z = in[i].z;
        fq_cmov(&z, &one, inf);
        fq_mul(&zinv, &inv, &scratch[i]);
        fq_mul(&inv, &inv, &z);
        fq_cmov(&zinv, &zero, inf);
        affine_from_zinv(&out[i], &in[i], &zinv);
    }
}

void g1_batch_to_affine(g1_affine *out, const g1_jac *in, size_t n, fq *scratch)
{
    batch_to_affine(out, in, n, scratch, 0);
}

void g1_batch_to_affine_blinded(g1_affine *out, const g1_jac *in, size_t n, fq *scratch)
{
    batch_to_affine(out, in, n, scratch, 1);
}

/* The two points brought to a common denominator: Z1^2, Z2^2, U1 = X1 Z2^2,
 * U2 = X2 Z1^2, S1 = Y1 Z2^3, S2 = Y2 Z1^3 (equal U and S: the same point). */
static void cross_terms(const g1_jac *a, const g1_jac *b, fq *z1z1, fq *z2z2, fq *u1, fq *u2,
                        fq *s1, fq *s2)
{
    fq_sqr(z1z1, &a->z);
    fq_sqr(z2z2, &b->z);
    fq_mul(u1, &a->x, z2z2);
    fq_mul(u2, &b->x, z1z1);
    fq_mul(s1, &a->y, &b->z);
    fq_mul(s1, s1, z2z2);
    fq_mul(s2, &b->y, &a->z);
    fq_mul(s2, s2, z1z1);
}

int g1_eq(const g1_jac *a, const g1_jac *b)
{
    fq z1z1, z2z2, u1, u2, s1, s2;
    int ai = g1_is_infinity(a), bi = g1_is_infinity(b);
    cross_terms(a, b, &z1z1, &z2z2, &u1, &u2, &s1, &s2);
    int same = fq_eq(&u1, &u2) & fq_eq(&s1, &s2);
    return (ai & bi) | (!ai & !bi & same);
}

void g1_neg(g1_jac *out, const g1_jac *a)
{
    out->x = a->x;
    fq_neg(&out->y, &a->y);
    out->z = a->z;
}

void g1_dbl(g1_jac *out, const g1_jac *a)
{
    fq A, B, C, D, E, F, z3, t;
    fq_mul(&z3, &a->y, &a->z);
    fq_dbl(&z3, &z3);        /* Z3 = 2*Y1*Z1 */
    fq_sqr(&A, &a->x);       /* A = X1^2 */
    fq_sqr(&B, &a->y);       /* B = Y1^2 */
    fq_sqr(&C, &B);          /* C = B^2 */
    fq_add(&D, &a->x, &B);
    fq_sqr(&D, &D);
    fq_sub(&D, &D, &A);
    fq_sub(&D, &D, &C);
    fq_dbl(&D, &D);          /* D = 2*((X1+B)^2-A-C) */
    fq_dbl(&E, &A);
    fq_add(&E, &E, &A);      /* E = 3*A */
    fq_sqr(&F, &E);          /* F = E^2 */
    fq_dbl(&t, &D);
    fq_sub(&out->x, &F, &t); /* X3 = F-2*D */
    fq_sub(&t, &D, &out->x);
    fq_mul(&t, &E, &t);
    fq_dbl(&C, &C);
    fq_dbl(&C, &C);
    fq_dbl(&C, &C);
    fq_sub(&out->y, &t, &C); /* Y3 = E*(D-X3)-8*C */
    out->z = z3;
}

/* a + b by add-2007-bl, right unless a or b is infinity or their x agree:
 * *h_zero says U1 == U2 (same x), *r_zero S1 == S2 (then a == b). */
static void add_core(g1_jac *out, const g1_jac *a, const g1_jac *b, int *h_zero, int *r_zero)
{
    fq z1z1, z2z2, u1, u2, s1, s2, h, i, j, r, v, t;
    cross_terms(a, b, &z1z1, &z2z2, &u1, &u2, &s1, &s2);
    fq_sub(&h, &u2, &u1);
    fq_sub(&r, &s2, &s1);
    *h_zero = fq_is_zero(&h);
    *r_zero = fq_is_zero(&r);
    fq_dbl(&i, &h);
    fq_sqr(&i, &i);          /* I = (2*H)^2 */
    fq_mul(&j, &h, &i);      /* J = H*I */
    fq_dbl(&r, &r);          /* r = 2*(S2-S1) */
    fq_mul(&v, &u1, &i);     /* V = U1*I */
    fq_add(&t, &a->z, &b->z);
    fq_sqr(&t, &t);
    fq_sub(&t, &t, &z1z1);
    fq_sub(&t, &t, &z2z2);
    fq_mul(&out->z, &t, &h); /* Z3 = ((Z1+Z2)^2-Z1Z1-Z2Z2)*H */
    fq_sqr(&t, &r);
    fq_sub(&t, &t, &j);
    fq_sub(&t, &t, &v);
    fq_sub(&out->x, &t, &v); /* X3 = r^2-J-2*V */
    fq_sub(&t, &v, &out->x);
    fq_mul(&t, &r, &t);
    fq_mul(&s1, &s1, &j);
    fq_dbl(&s1, &s1);
    fq_sub(&out->y, &t, &s1); /* Y3 = r*(V-X3)-2*S1*J */
}

/* a + b by madd-2007-bl (b's Z = 1), with the same proviso and flags. */
static void add_mixed_core(g1_jac *out, const g1_jac *a, const g1_affine *b, int *h_zero,
                           int *r_zero)
{
    fq z1z1, u2, s2, h, hh, i, j, r, v, t;
    fq_sqr(&z1z1, &a->z);
    fq_mul(&u2, &b->x, &z1z1);
    fq_mul(&s2, &b->y, &a->z);
    fq_mul(&s2, &s2, &z1z1);
    fq_sub(&h, &u2, &a->x);
    fq_sub(&r, &s2, &a->y);
    *h_zero = fq_is_zero(&h);
    *r_zero = fq_is_zero(&r);
    fq_sqr(&hh, &h);         /* HH = H^2 */
    fq_dbl(&i, &hh);
    fq_dbl(&i, &i);          /* I = 4*HH */
    fq_mul(&j, &h, &i);      /* J = H*I */
    fq_dbl(&r, &r);          /* r = 2*(S2-Y1) */
    fq_mul(&v, &a->x, &i);   /* V = X1*I */
    fq_add(&t, &a->z, &h);
    fq_sqr(&t, &t);
    fq_sub(&t, &t, &z1z1);
    fq_sub(&t, &t, &hh);     /* Z3 = (Z1+H)^2-Z1Z1-HH, written last */
    fq_mul(&s2, &a->y, &j);
    fq_dbl(&s2, &s2);        /* 2*Y1*J */
    fq_sqr(&hh, &r);
    fq_sub(&hh, &hh, &j);
    fq_sub(&hh, &hh, &v);
    fq_sub(&out->x, &hh, &v); /* X3 = r^2-J-2*V */
    fq_sub(&v, &v, &out->x);
    fq_mul(&v, &r, &v);
    fq_sub(&out->y, &v, &s2); /* Y3 = r*(V-X3)-2*Y1*J */
    out->z = t;
}

void g1_add(g1_jac *out, const g1_jac *a, const g1_jac *b)
{
    g1_jac sum, d;
    int hz, rz;
    add_core(&sum, a, b, &hz, &rz);
    g1_dbl(&d, a);
    /* x equal with y different (a == -b) leaves Z3 = 0: infinity already */
    jac_cmov(&sum, &d, mask_of(hz & rz));
    jac_cmov(&sum, a, mask_of(g1_is_infinity(b)));
    jac_cmov(&sum, b, mask_of(g1_is_infinity(a)));
    *out = sum;
}

void g1_add_mixed_distinct(g1_jac *out, const g1_jac *a, const g1_affine *b)
{
    g1_jac sum, bj;
    int hz, rz;
    add_mixed_core(&sum, a, b, &hz, &rz);
    g1_from_affine(&bj, b);
    jac_cmov(&sum, a, mask_of(g1_affine_is_infinity(b)));
    jac_cmov(&sum, &bj, mask_of(g1_is_infinity(a)));
    *out = sum;
}

void g1_add_var(g1_jac *out, const g1_jac *a, const g1_jac *b)
{
    int hz, rz;
    if (g1_is_infinity(a)) {
        *out = *b;
        return;
    }
    if (g1_is_infinity(b)) {
        *out = *a;
        return;
    }
    g1_jac sum;
    add_core(&sum, a, b, &hz, &rz);
    if (hz && rz)
        g1_dbl(out, a);
    else
        *out = sum; /* infinity (Z3 = 0) when hz alone */
}

void g1_add_mixed_var(g1_jac *out, const g1_jac *a, const g1_affine *b)
{
    int hz, rz;
    if (g1_affine_is_infinity(b)) {
        *out = *a;
        return;
    }
    if (g1_is_infinity(a)) {
        g1_from_affine(out, b);
        return;
    }
    g1_jac sum;
    add_mixed_core(&sum, a, b, &hz, &rz);
    if (hz && rz)
        g1_dbl(out, a);
    else
        *out = sum;
}

/* ---- constant-time scalar multiplication --------------------------------- */

/* Homogeneous projective (X/Z, Y/Z), infinity (0, 1, 0): the coordinates of
 * the complete formulas. */
typedef struct {
    fq x, y, z;
} proj;

/* out = 9*a (3*b for b = 3) by additions */
static inline void fq_mul9(fq *out, const fq *a)
{
    fq t;
    fq_dbl(&t, a);
    fq_dbl(&t, &t);
    fq_dbl(&t, &t);
    fq_add(out, &t, a);
}

/* Algorithm 7 of Renes-Costello-Batina: complete addition for a = 0,
 * 12M + 2 multiplications by 3b. */
static void proj_add(proj *out, const proj *p, const proj *q)
{
    fq t0, t1, t2, t3, t4, x3, y3, z3;
    fq_mul(&t0, &p->x, &q->x);
    fq_mul(&t1, &p->y, &q->y);
    fq_mul(&t2, &p->z, &q->z);
    fq_add(&t3, &p->x, &p->y);
    fq_add(&t4, &q->x, &q->y);
    fq_mul(&t3, &t3, &t4);
    fq_add(&t4, &t0, &t1);
    fq_sub(&t3, &t3, &t4);
    fq_add(&t4, &p->y, &p->z);
    fq_add(&x3, &q->y, &q->z);
    fq_mul(&t4, &t4, &x3);
    fq_add(&x3, &t1, &t2);
    fq_sub(&t4, &t4, &x3);
    fq_add(&x3, &p->x, &p->z);
    fq_add(&y3, &q->x, &q->z);
    fq_mul(&x3, &x3, &y3);
    fq_add(&y3, &t0, &t2);
    fq_sub(&y3, &x3, &y3);
    fq_dbl(&x3, &t0);
    fq_add(&t0, &x3, &t0);
    fq_mul9(&t2, &t2);
    fq_add(&z3, &t1, &t2);
    fq_sub(&t1, &t1, &t2);
    fq_mul9(&y3, &y3);
    fq_mul(&x3, &t4, &y3);
    fq_mul(&t2, &t3, &t1);
    fq_sub(&x3, &t2, &x3);
    fq_mul(&y3, &y3, &t0);
    fq_mul(&t1, &t1, &z3);
    fq_add(&y3, &t1, &y3);
    fq_mul(&t0, &t0, &t3);
    fq_mul(&z3, &z3, &t4);
    fq_add(&z3, &z3, &t0);
    out->x = x3;
    out->y = y3;
    out->z = z3;
}

/* Algorithm 9: doubling for a = 0, 6M + 2S + 1 multiplication by 3b. */
static void proj_dbl(proj *out, const proj *p)
{
    fq t0, t1, t2, x3, y3, z3;
    fq_sqr(&t0, &p->y);
    fq_dbl(&z3, &t0);
    fq_dbl(&z3, &z3);
    fq_dbl(&z3, &z3);
    fq_mul(&t1, &p->y, &p->z);
    fq_sqr(&t2, &p->z);
    fq_mul9(&t2, &t2);
    fq_mul(&x3, &t2, &z3);
    fq_add(&y3, &t0, &t2);
    fq_mul(&z3, &t1, &z3);
    fq_dbl(&t1, &t2);
    fq_add(&t2, &t1, &t2);
    fq_sub(&t0, &t0, &t2);
    fq_mul(&y3, &t0, &y3);
    fq_add(&y3, &x3, &y3);
    fq_mul(&t1, &p->x, &p->y);
    fq_mul(&x3, &t0, &t1);
    fq_dbl(&x3, &x3);
    out->x = x3;
    out->y = y3;
    out->z = z3;
}

/* (X, Y, Z) Jacobian -> (X*Z, Y, Z^3); infinity -> (0, 1, 0). */
static void proj_from_jac(proj *out, const g1_jac *a)
{
    fq one, z2;
    fq_set_one(&one);
    fq_mul(&out->x, &a->x, &a->z);
    out->y = a->y;
    fq_cmov(&out->y, &one, mask_of(g1_is_infinity(a)));
    fq_sqr(&z2, &a->z);
    fq_mul(&out->z, &z2, &a->z);
}

/* (X, Y, Z) projective -> (X*Z, Y*Z^2, Z) Jacobian. */
static void jac_from_proj(g1_jac *out, const proj *a)
{
    fq z2;
    fq_sqr(&z2, &a->z);
    fq_mul(&out->x, &a->x, &a->z);
    fq_mul(&out->y, &a->y, &z2);
    out->z = a->z;
}

/* out = table[idx] for idx < 16, reading every entry. */
static void proj_select16(proj *out, const proj table[16], uint64_t idx)
{
    memset(out, 0, sizeof *out);
    for (uint64_t j = 0; j < 16; j++) {
        uint64_t m = 0 - (((j ^ idx) - 1) >> 63); /* all ones iff j == idx */
        for (int i = 0; i < 4; i++) {
            out->x.v[i] |= table[j].x.v[i] & m;
            out->y.v[i] |= table[j].y.v[i] & m;
            out->z.v[i] |= table[j].z.v[i] & m;
        }
    }
}

void g1_mul(g1_jac *out, const g1_jac *a, const fr *k)
{
    /* Fixed 4-bit windows over all 256 bits of k from the top: 14 table
     * entries, then 252 doublings and 63 additions for every k, the table
     * read in full each time. */
    proj table[16], acc, t;
    uint64_t e[4];
    fq_set_zero(&table[0].x);
    fq_set_one(&table[0].y);
    fq_set_zero(&table[0].z);
    proj_from_jac(&table[1], a);
    for (int i = 2; i < 16; i += 2) {
        proj_dbl(&table[i], &table[i / 2]);
        proj_add(&table[i + 1], &table[i], &table[1]);
    }
    fr_to_limbs(e, k);
    proj_select16(&acc, table, e[3] >> 60);
    for (int w = 62; w >= 0; w--) {
        for (int j = 0; j < 4; j++)
            proj_dbl(&acc, &acc);
        proj_select16(&t, table, (e[w / 16] >> (4 * (w % 16))) & 15);
        proj_add(&acc, &acc, &t);
    }
    jac_from_proj(out, &acc);
}

/* ---- encodings ----------------------------------------------------------- */

#define G1_FLAG_ODD 0x80      /* byte 31: y is odd */
#define G1_FLAG_INFINITY 0x40 /* byte 31: the point at infinity */

void g1_to_bytes(uint8_t out[G1_BYTES], const g1_affine *a)
{
    /* infinity is (0, 0): x gives zero bytes and y even, so only its flag
     * needs setting */
    int inf = g1_affine_is_infinity(a);
    fq_to_bytes(out, &a->x);
    out[31] |= (uint8_t)((fq_is_odd(&a->y) << 7) | (inf << 6));
}

/* The checks of a compressed encoding before the square root: returns 0
 * for a bad encoding (out infinity), 1 for infinity (out set), 2 for a
 * candidate x (out->x set, *rhs = x^3 + 3, whose root is y). */
static int decode_x(g1_affine *out, fq *rhs, const uint8_t in[G1_BYTES])
{
    uint8_t xb[FQ_BYTES];
    g1_affine_infinity(out);
    if (in[31] & G1_FLAG_INFINITY) {
        if (in[31] != G1_FLAG_INFINITY)
            return 0;
        for (int i = 0; i < 31; i++)
            if (in[i])
                return 0;
        return 1;
    }
    memcpy(xb, in, sizeof xb);
    xb[31] &= (uint8_t)~G1_FLAG_ODD;
    if (!fq_from_bytes(&out->x, xb))
        return 0;
    curve_rhs(rhs, &out->x);
    return 2;
}

/* out->y = the root y (ok: rhs was a square) or its negation, as the
 * encoding's parity bit says; returns ok, out infinity if not. */
static int decode_y(g1_affine *out, const fq *y, int ok, const uint8_t in[G1_BYTES])
{
    if (!ok) {
        g1_affine_infinity(out);
        return 0;
    }
    /* y != 0 (no point of order 2), so -y has the other parity */
    out->y = *y;
    if (fq_is_odd(&out->y) != !!(in[31] & G1_FLAG_ODD))
        fq_neg(&out->y, &out->y);
    return 1;
}

int g1_from_bytes_var(g1_affine *out, const uint8_t in[G1_BYTES])
{
    fq y2, y;
    int kind = decode_x(out, &y2, in);
    if (kind < 2)
        return kind;
    return decode_y(out, &y, fq_sqrt_var(&y, &y2), in);
}

/* Points decoded together by fq_sqrt_many_var, a block per task. */
#define G1_DECODE_BLOCK 32

/* g1_from_bytes_var of the n <= G1_DECODE_BLOCK points from in; returns
 * the index of the first rejected, or n. */
static size_t decode_block(g1_affine *out, const uint8_t *in, size_t n)
{
    fq rhs[G1_DECODE_BLOCK] = {{{0}}}, y[G1_DECODE_BLOCK];
    uint8_t ok[G1_DECODE_BLOCK];
    size_t idx[G1_DECODE_BLOCK], k = 0, first = n;
    for (size_t i = 0; i < n; i++) {
        int kind = decode_x(&out[i], &rhs[k], in + i * G1_BYTES);
        if (kind == 2)
            idx[k++] = i;
        else if (kind == 0 && first == n)
            first = i;
    }
    fq_sqrt_many_var(y, ok, rhs, k);
    for (size_t j = 0; j < k; j++)
        if (!decode_y(&out[idx[j]], &y[j], ok[j], in + idx[j] * G1_BYTES) && idx[j] < first)
            first = idx[j];
    return first;
}

size_t g1_from_bytes_many_var(g1_affine *out, const uint8_t *in, size_t n, int threads)
{
    size_t blocks = (n + G1_DECODE_BLOCK - 1) / G1_DECODE_BLOCK, first = n;
    int nt = threads < 1 ? 1 : threads;
    (void)nt;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) reduction(min : first) \
    if (nt > 1 && blocks > 1)
#endif
    for (size_t b = 0; b < blocks; b++) {
        size_t lo = b * G1_DECODE_BLOCK;
        size_t len = n - lo < G1_DECODE_BLOCK ? n - lo : G1_DECODE_BLOCK;
        size_t f = lo + decode_block(out + lo, in + lo * G1_BYTES, len);
        if (f < lo + len && f < first)
            first = f;
    }
    return first;
}

void g1_to_bytes_raw(uint8_t out[G1_RAW_BYTES], const g1_affine *a)
{
    fq_to_bytes(out, &a->x);
    fq_to_bytes(out + FQ_BYTES, &a->y);
}

int g1_from_bytes_raw(g1_affine *out, const uint8_t in[G1_RAW_BYTES])
{
    g1_affine p;
    int ok = fq_from_bytes(&p.x, in);
    ok &= fq_from_bytes(&p.y, in + FQ_BYTES);
    ok &= g1_affine_on_curve(&p); /* (0, 0) included */
    g1_affine_infinity(out);
    if (ok)
        *out = p;
    return ok;
}

/* ---- hashing to the curve ------------------------------------------------ */

/* Generator (label, index) is found by try-and-increment over counter =
 * 0, 1, ... with the message
 *     m = "zkm/g1/hash-to-curve/v1"      (23 bytes, no terminator)
 *         || le64(strlen(label)) || label || le64(index) || le32(counter)
 * x = BLAKE2b-512(m || 0x00) read as a 64-byte little-endian integer mod p;
 * the first counter with x^3 + 3 a square gives the point (x, y), y the
 * root whose parity is bit 0 of byte 0 of BLAKE2b-256(m || 0x01).  (Both
 * unkeyed crypto_generichash.) */
#define G1_HASH_PREFIX "zkm/g1/hash-to-curve/v1"

static void le_store(uint8_t *out, uint64_t x, int bytes)
{
    for (int i = 0; i < bytes; i++)
        out[i] = (uint8_t)(x >> (8 * i));
}

/* hash of m || tag, outlen bytes */
static void hash_msg(uint8_t *out, size_t outlen, const char *label, size_t label_len,
                     uint64_t index, uint32_t counter, uint8_t tag)
{
    crypto_generichash_state st;
    uint8_t buf[8];
    crypto_generichash_init(&st, NULL, 0, outlen);
    crypto_generichash_update(&st, (const uint8_t *)G1_HASH_PREFIX,
                              sizeof G1_HASH_PREFIX - 1);
    le_store(buf, label_len, 8);
    crypto_generichash_update(&st, buf, 8);
    crypto_generichash_update(&st, (const uint8_t *)label, label_len);
    le_store(buf, index, 8);
    crypto_generichash_update(&st, buf, 8);
    le_store(buf, counter, 4);
    crypto_generichash_update(&st, buf, 4);
    crypto_generichash_update(&st, &tag, 1);
    crypto_generichash_final(&st, out, outlen);
}

static void hash_one(g1_affine *out, const char *label, size_t label_len, uint64_t index)
{
    uint8_t h[64];
    fq y2;
    for (uint32_t counter = 0;; counter++) {
        hash_msg(h, 64, label, label_len, index, counter, 0);
        fq_from_wide(&out->x, h);
        curve_rhs(&y2, &out->x);
        if (!fq_sqrt_var(&out->y, &y2))
            continue; /* each candidate is a square with probability about 1/2 */
        hash_msg(h, 32, label, label_len, index, counter, 1);
        if (fq_is_odd(&out->y) != (h[0] & 1))
            fq_neg(&out->y, &out->y);
        return;
    }
}

void g1_hash_generators(g1_affine *out, size_t n, const char *label, uint64_t first)
{
    size_t len = strlen(label);
    for (size_t i = 0; i < n; i++)
        hash_one(&out[i], label, len, first + i);
}
