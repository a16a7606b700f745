/* Low-precision formats through MPFR (fpemu.h). */
#include "fpemu.h"

#include <math.h>
#include <string.h>

static const fe_format formats[FE_COUNT] = {
    [FE_F64] = {"float64", "f64", 53, -1022, 1023, 0x1.fffffffffffffp+1023, false},
    [FE_F32] = {"float32", "f32", 24, -126, 127, 0x1.fffffep+127, false},
    [FE_BF16] = {"bfloat16", "bf16", 8, -126, 127, 0x1.fep+127, false},
    [FE_F16] = {"float16", "f16", 11, -14, 15, 65504.0, false},
    [FE_E4M3] = {"fp8-e4m3", "e4m3", 4, -6, 8, 448.0, true},
    [FE_E5M2] = {"fp8-e5m2", "e5m2", 3, -14, 15, 57344.0, false},
};

const fe_format *fe_get(fe_id id)
{
    return (unsigned)id < FE_COUNT ? &formats[id] : NULL;
}

const fe_format *fe_find(const char *name)
{
    for (unsigned i = 0; i < FE_COUNT; i++)
        if (!strcmp(name, formats[i].name) || !strcmp(name, formats[i].alias))
            return &formats[i];
    return NULL;
}

/* MPFR writes x = m 2^e with 1/2 <= m < 1, so the format's normal binade
 * [2^E, 2^(E+1)) has MPFR exponent E + 1.  The smallest subnormal
 * 2^(emin - prec + 1) must be MPFR's smallest positive number 2^(emin_mpfr
 * - 1): emin_mpfr = emin - prec + 2; the largest binade gives emax + 1
 * (E4M3's 480 = 1.875 * 2^8 fits there, then saturates to 448). */
void fe_enter(fe_scope *s, const fe_format *f)
{
    s->emin = mpfr_get_emin();
    s->emax = mpfr_get_emax();
    mpfr_set_emin(f->emin - (int)f->prec + 2);
    mpfr_set_emax(f->emax + 1);
}

void fe_leave(const fe_scope *s)
{
    mpfr_set_emin(s->emin);
    mpfr_set_emax(s->emax);
}

void fe_fix(const fe_format *f, mpfr_t x, int t)
{
    mpfr_subnormalize(x, t, MPFR_RNDN);
    if (f->saturate && !mpfr_nan_p(x) && (mpfr_inf_p(x) || mpfr_cmp_d(x, f->max) > 0 ||
                                          mpfr_cmp_d(x, -f->max) < 0))
        mpfr_set_d(x, mpfr_sgn(x) < 0 ? -f->max : f->max, MPFR_RNDN);
}

void fe_set_d(const fe_format *f, mpfr_t x, double v)
{
    fe_fix(f, x, mpfr_set_d(x, v, MPFR_RNDN));
}

double fe_round(const fe_format *f, double v)
{
    fe_scope s;
    mpfr_t x;
    mpfr_init2(x, (mpfr_prec_t)f->prec);
    fe_enter(&s, f);
    fe_set_d(f, x, v);
    const double r = mpfr_get_d(x, MPFR_RNDN); /* exact: a double holds it */
    fe_leave(&s);
    mpfr_clear(x);
    return r;
}

double fe_ulp(const fe_format *f, const mpfr_t x)
{
    long E = f->emin;
    if (mpfr_regular_p(x)) {
        E = (long)mpfr_get_exp(x) - 1;
        if (E < f->emin)
            E = f->emin;
        if (E > f->emax)
            E = f->emax;
    } else if (mpfr_inf_p(x)) {
        E = f->emax;
    }
    return ldexp(1.0, (int)(E - (long)f->prec + 1));
}
