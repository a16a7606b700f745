/* IEEE binary32 and binary64 inference in C (eval.h), and what the
 * evaluators share: finding tensors and checking the weights. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

/* No contraction of a * b + c into a fused multiply-add: GCC does not
 * contract in ISO C mode (-std=c11, which the build uses; GCC ignores the
 * STDC FP_CONTRACT pragma).  test_drift checks it: the MPFR emulation of
 * binary32 and binary64 must give these functions' numbers bit for bit. */

const zkm_tensor *dr_tensor(const zkm_model *m, uint32_t i, const zkm_tensor_set *w,
                            zkm_wrole role)
{
    const zkm_node *d = &m->nodes[i];
    for (uint32_t k = 0; k < d->n_w; k++)
        if (d->w[k].role == role)
            return zkm_tensor_set_find(w, d->w[k].name);
    return NULL;
}

const zkm_tensor *dr_input(const zkm_model *m, uint32_t k, const zkm_tensor_set *in)
{
    const zkm_node *d = &m->nodes[m->inputs[k]];
    const zkm_tensor *t = zkm_tensor_set_find(in, d->name);
    if (!t && m->n_inputs == 1 && in->n == 1)
        t = &in->t[0];
    return t && t->count == zkm_shape_count(&d->shape) ? t : NULL;
}

zkm_status dr_check_weights(const zkm_model *m, const zkm_tensor_set *w, char **report,
                            zkm_err *e)
{
    size_t n = 0;
    if (report)
        *report = NULL;
    for (uint32_t i = 0; i < m->n_nodes; i++)
        n += m->nodes[i].n_w;
    zkm_tensor_spec *spec = zkm_calloc(n ? n : 1, sizeof *spec, "weight list", e);
    if (!spec)
        return ZKM_ENOMEM;
    n = 0;
    for (uint32_t i = 0; i < m->n_nodes; i++)
        for (uint32_t k = 0; k < m->nodes[i].n_w; k++, n++) {
            const zkm_wtensor *t = &m->nodes[i].w[k];
            spec[n].name = t->name;
            spec[n].rank = t->rank;
            for (uint32_t r = 0; r < t->rank; r++)
                spec[n].shape[r] = t->dim[r];
        }
    zkm_status st = zkm_tensors_match(w, spec, n, report, e);
    free(spec);
    return st;
}

double **dr_dvals_new(const zkm_model *m, zkm_err *e)
{
    double **v = zkm_calloc(m->n_nodes, sizeof *v, "node values", e);
    for (uint32_t i = 0; v && i < m->n_nodes; i++) {
        v[i] = zkm_calloc(zkm_shape_count(&m->nodes[i].shape), sizeof *v[i], "node values", e);
        if (!v[i]) {
            dr_dvals_free(m, v);
            return NULL;
        }
    }
    return v;
}

void dr_dvals_free(const zkm_model *m, double **v)
{
    if (!v)
        return;
    for (uint32_t i = 0; i < m->n_nodes; i++)
        free(v[i]);
    free(v);
}

uint64_t dr_argmax(const double *v, uint64_t n)
{
    uint64_t best = 0;
    for (uint64_t k = 1; k < n; k++)
        if (v[k] > v[best])
            best = k;
    return best;
}

#define T float
#define SQRT sqrtf
#define NATIVE native_f32
#include "native_impl.h"
#undef T
#undef SQRT
#undef NATIVE

#define T double
#define SQRT sqrt
#define NATIVE native_f64
#include "native_impl.h"
#undef T
#undef SQRT
#undef NATIVE

zkm_status dr_native(const zkm_model *m, const zkm_tensor_set *w, const zkm_tensor_set *in,
                     fe_id fmt, double ***vals, zkm_err *e)
{
    if (fmt != FE_F32 && fmt != FE_F64)
        return zkm_fail(e, ZKM_EINVAL, "C has no native %s", fe_get(fmt) ? fe_get(fmt)->name : "format");
    double **v = dr_dvals_new(m, e);
    if (!v)
        return ZKM_ENOMEM;
    zkm_status st = fmt == FE_F32 ? native_f32(m, w, in, v, e) : native_f64(m, w, in, v, e);
    if (st) {
        dr_dvals_free(m, v);
        return st;
    }
    *vals = v;
    return ZKM_OK;
}
