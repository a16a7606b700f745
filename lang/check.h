/* The checker: from the AST of a .zkm file to the model IR (model.h).
 *
 * It resolves names (undefined, used before definition, duplicate, unused),
 * binds each operation's arguments (unknown, missing, repeated, mistyped,
 * out of range), applies every shape rule and the quantization rules of
 * lang/SPEC.md, folds batchnorm into the dense/conv2d before it, and keeps
 * running totals of the circuit's size so that a model too large for the
 * configured limits is refused, naming the layer that crosses a limit,
 * before anything of that size is allocated (the checker itself allocates
 * only per-node records).  All problems become diagnostics; it goes on after
 * an error where it can, so one run reports as much as possible. */
#ifndef ZKM_CHECK_H
#define ZKM_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "model.h"
#include "srcmap.h"
#include "zkm_err.h"

/* Defaults for zkm_check_opts. */
#define ZKM_LIMIT_MACS ((uint64_t)1 << 32)    /* multiply-accumulates        */
#define ZKM_LIMIT_ENTRIES ((uint64_t)1 << 28) /* activation entries, summed   */
#define ZKM_LIMIT_PARAMS ((uint64_t)1 << 28)  /* parameters                   */
#define ZKM_MAX_NODES 65536u                  /* operations in one model      */

typedef struct {
    uint64_t max_macs;     /* 0: no limit */
    uint64_t max_entries;  /* 0: no limit */
    uint64_t max_params;   /* 0: no limit */
    /* 0: formats as written.  2..32: every format in the model (defaults,
     * inputs, weights, per-layer) becomes this many bits and keeps its
     * integer bits, i.e. (b, f) -> (bits, f + bits - b); see SPEC.md. */
    uint32_t bits;
} zkm_check_opts;

/* The default limits, no bit-width override. */
void zkm_check_opts_default(zkm_check_opts *o);

/* Check a parsed model.  d must be the diagnostics the AST was parsed with
 * (its source map gives the nodes' lines and columns).  o may be NULL for
 * the defaults.  Returns ZKM_OK and the model in *out (free with
 * zkm_model_free); ZKM_EFORMAT when the model has errors (in d; *out is
 * NULL); ZKM_EINVAL for a bad option (o->bits outside 0, 2..32);
 * ZKM_ENOMEM. */
zkm_status zkm_check(const zkm_ast *ast, const zkm_check_opts *o, zkm_model **out,
                     zkm_diags *d);

/* zkm_parse then zkm_check: source text to model, every diagnostic in d
 * (initialised by the caller with zkm_diags_init). */
zkm_status zkm_model_from_source(const char *path, const char *src, size_t len,
                                 const zkm_check_opts *o, zkm_model **out, zkm_diags *d);

#endif
