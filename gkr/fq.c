/* Non-inline base-field operations: the shared bodies of mont4_impl.h with
 * p's constants, plus the square root and the constant-time inverse. */
#include "fq.h"

MONT4_FIELD_FUNCS(fq, fq_field, FQ_BYTES)

/* p - 2 and (p + 1) / 4 */
static const uint64_t FQ_P_MINUS_2[4] = {FQ_P0 - 2, FQ_P1, FQ_P2, FQ_P3};
static const uint64_t FQ_SQRT_EXP[4] = {0x4f082305b61f3f52ULL, 0x65e05aa45a1c72a3ULL,
                                        0x6e14116da0605617ULL, 0x0c19139cb84c680aULL};

void fq_inv(fq *out, const fq *a)
{
    fq_pow(out, a, FQ_P_MINUS_2);
}

int fq_sqrt_var(fq *out, const fq *a)
{
    /* p = 3 mod 4: if a is a square, a^((p+1)/4) squares to a^((p+1)/2) =
     * a * a^((p-1)/2) = a. */
    fq s, c;
    fq_pow(&s, a, FQ_SQRT_EXP);
    fq_sqr(&c, &s);
    if (!fq_eq(&c, a))
        return 0;
    *out = s;
    return 1;
}

int fq_is_odd(const fq *a)
{
    uint64_t x[4];
    fq_to_limbs(x, a);
    return (int)(x[0] & 1);
}
