/* Low-precision binary floating-point formats emulated with MPFR.
 *
 * A format is a significand of `prec` bits (the hidden bit included), normal
 * numbers from 2^emin up, the largest binade [2^emax, 2^(emax+1)), gradual
 * underflow (subnormals down to 2^(emin - prec + 1)), and round to nearest,
 * ties to even, after every operation:
 *
 *   name       prec  emin   emax  largest finite      overflow
 *   float64     53  -1022  1023   (2 - 2^-52) 2^1023   +-inf
 *   float32     24   -126   127   (2 - 2^-23) 2^127    +-inf
 *   bfloat16     8   -126   127   (2 - 2^-7)  2^127    +-inf
 *   float16     11    -14    15   65504                +-inf
 *   fp8-e4m3     4     -6     8   448                  saturates to +-448
 *   fp8-e5m2     3    -14    15   57344                +-inf
 *
 * fp8 formats as in the OCP 8-bit floating point specification (v1.0):
 * E4M3 has no infinities (its top code with mantissa 111 is NaN, so its
 * largest finite value is 1.75 * 2^8 = 448); a result beyond it is clamped
 * to +-448, the specification's "saturating" conversion, which is what
 * FP8 inference libraries use for E4M3.  E5M2 follows IEEE (infinities).
 *
 * How it is done.  MPFR rounds to a precision but has no subnormals and a
 * configurable exponent range (mpfr_set_emin/emax).  Inside an fe_scope the
 * exponent range is the format's, shifted so that MPFR's smallest positive
 * number, 2^(emin_mpfr - 1), is the format's smallest subnormal, and every
 * operation is followed by fe_fix (mpfr_subnormalize with the operation's
 * ternary value, which rounds once more only where the format has fewer
 * bits and never double-rounds, then E4M3's saturation).  That is the
 * emulation idiom of the MPFR manual (section "mpfr_subnormalize").
 *
 * Why changing the exponent range is safe here: MPFR keeps emin/emax per
 * thread (Debian's libmpfr is built thread-safe), fe_enter saves them and
 * fe_leave puts them back, nothing between the two calls touches an MPFR
 * number that lives outside the format (the evaluator reads only doubles
 * and numbers it rounded into the format inside the scope), and zkm reads
 * no MPFR flag anywhere.  A scope must not be entered while another is
 * open on the same thread. */
#ifndef ZKM_FPEMU_H
#define ZKM_FPEMU_H

#include <mpfr.h>
#include <stdbool.h>

typedef enum {
    FE_F64 = 0,
    FE_F32,
    FE_BF16,
    FE_F16,
    FE_E4M3,
    FE_E5M2,
    FE_COUNT
} fe_id;

typedef struct {
    const char *name;   /* "float16", "fp8-e4m3", ...                 */
    const char *alias;  /* short name: "f16", "e4m3", ...             */
    unsigned prec;      /* significand bits, hidden bit included      */
    int emin;           /* smallest normal: 2^emin                    */
    int emax;           /* largest binade: [2^emax, 2^(emax+1))       */
    double max;         /* largest finite value                       */
    bool saturate;      /* no infinities: overflow clamps to +-max    */
} fe_format;

/* The table above; NULL for an id out of range. */
const fe_format *fe_get(fe_id id);
/* By name or alias ("bfloat16" or "bf16"); NULL if unknown. */
const fe_format *fe_find(const char *name);

/* The saved exponent range of the thread. */
typedef struct {
    mpfr_exp_t emin, emax;
} fe_scope;

/* Save the exponent range into s and set the format's. */
void fe_enter(fe_scope *s, const fe_format *f);
/* Restore the range saved by fe_enter. */
void fe_leave(const fe_scope *s);

/* Inside a scope: x (precision f->prec) holds the result of one MPFR
 * operation rounded to nearest, which returned ternary t; make it the
 * format's correctly rounded result (subnormal rounding, saturation). */
void fe_fix(const fe_format *f, mpfr_t x, int t);

/* Inside a scope: x = v rounded into the format (x has precision f->prec). */
void fe_set_d(const fe_format *f, mpfr_t x, double v);

/* v rounded to the format, as a double (every value of every format is a
 * double).  Opens and closes its own scope. */
double fe_round(const fe_format *f, double v);

/* The format's unit in the last place at real value |x|: 2^(max(E, emin)
 * - prec + 1) where 2^E <= |x| < 2^(E+1) (the subnormal spacing for |x|
 * below 2^emin and for 0; the top binade's beyond the largest finite).
 * x may have any precision and exponent (call outside a scope). */
double fe_ulp(const fe_format *f, const mpfr_t x);

#endif
