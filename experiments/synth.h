/* Labelled data for measuring accuracy: a deterministic synthetic
 * classification task generated here (nothing downloaded), or a file.
 *
 * The task "shapes": 1 x 16 x 16 grayscale images in [0, 1] of one of four
 * shapes drawn at a random place and size, over a random background level
 * with random per-pixel noise and a few stray pixels:
 *   0 hline   a horizontal bar, 5..12 long, 1 or 2 thick
 *   1 vline   a vertical bar, the same transposed
 *   2 box     a square outline, side 5..11
 *   3 cross   a plus sign, arms 2..4 long
 * Sample k of a split depends only on (split, k): it is drawn from the
 * stream zkm_rng_init(k, "zkm/shapes/v1/" SPLIT) (common/zkm_rng.h), so the
 * first N samples of a split are the same whatever N, and on every
 * platform (the generator uses IEEE double additions and multiplications
 * only, no library function).  Splits: "train" and "test".
 *
 * A file: a safetensors file or a directory of .npy files (lang/tensors.h)
 * holding "x", the inputs [N, ...] (one sample per leading index, in the
 * model input's shape), and "y", the labels [N], integers >= 0.
 *
 * Library code: no exits, no output. */
#ifndef ZKM_SYNTH_H
#define ZKM_SYNTH_H

#include <stdint.h>

#include "tensors.h"
#include "zkm_err.h"

#define SYN_SHAPES_SIZE 16u
#define SYN_SHAPES_CLASSES 4u

typedef struct {
    uint64_t n;        /* samples                                    */
    uint32_t classes;  /* labels are 0 .. classes - 1                */
    uint32_t rank;     /* one sample's shape (1..3)                  */
    uint64_t shape[3];
    uint64_t per;      /* entries per sample                         */
    double *x;         /* n * per values, sample after sample        */
    int64_t *y;        /* n labels                                   */
} syn_set;

/* The class names of the shapes task ("hline", ...). */
extern const char *const syn_shapes_names[SYN_SHAPES_CLASSES];

/* Samples first .. first + n - 1 of the shapes task's split ("train" or
 * "test"); n >= 1.  *out is initialised here (syn_free). */
zkm_status syn_shapes(const char *split, uint64_t first, uint64_t n, syn_set *out, zkm_err *e);

/* A data set named by spec: "shapes" (the test split), "shapes:test",
 * "shapes:train", or a path (see above).  At most n samples (the first);
 * n = 0 means all of a file (the shapes task needs n >= 1).  ZKM_EFORMAT
 * for an unknown name or a malformed file (naming what is wrong), ZKM_EIO
 * for an unreadable one. */
zkm_status syn_open(const char *spec, uint64_t n, syn_set *out, zkm_err *e);

/* Whether spec names a generated data set ("shapes", "shapes:SPLIT"), which
 * syn_open never reads from a file, even one of that name. */
int syn_builtin(const char *spec);

void syn_free(syn_set *s);

/* Sample k (from 0) of the data set spec, as syn_sample gives it; of a
 * generated one only that sample is made, so any k costs the same.
 * ZKM_EFORMAT for a file with k samples or fewer. */
zkm_status syn_open_sample(const char *spec, uint64_t k, const char *name, zkm_tensor_set *out,
                           zkm_err *e);

/* Sample k as a set of one f64 tensor named name with the sample's shape
 * (*out is initialised here). */
zkm_status syn_sample(const syn_set *s, uint64_t k, const char *name, zkm_tensor_set *out,
                      zkm_err *e);

#endif
