/* Non-inline field operations: conversions, inversion, powers (the shared
 * bodies of mont4_impl.h with r's constants), and the batch inversion. */
#include "fr.h"

MONT4_FIELD_FUNCS(fr, fr_field, FR_BYTES)

void fr_set_i64(fr *out, int64_t x)
{
    if (x >= 0) {
        fr_set_u64(out, (uint64_t)x);
    } else {
        /* |INT64_MIN| fits in uint64_t */
        fr_set_u64(out, (uint64_t)0 - (uint64_t)x);
        fr_neg(out, out);
    }
}

void fr_batch_inv_var(fr *out, const fr *in, size_t n, fr *scratch)
{
    /* scratch[i] = product of the non-zero in[0..i] */
    fr acc, inv, t;
    fr_set_one(&acc);
    for (size_t i = 0; i < n; i++) {
        if (!fr_is_zero(&in[i]))
            fr_mul(&acc, &acc, &in[i]);
        scratch[i] = acc;
    }
    fr_inv_var(&inv, &acc);
    for (size_t i = n; i-- > 0;) {
        if (fr_is_zero(&in[i])) {
            fr_set_zero(&out[i]);
            continue;
        }
        if (i > 0)
            fr_mul(&t, &inv, &scratch[i - 1]);
        else
            t = inv;
        fr_mul(&inv, &inv, &in[i]);
        out[i] = t;
    }
}
