/* Training a .zkm model on labelled data: plain mini-batch SGD in double,
 * softmax cross-entropy on the output, for the small example models of the
 * drift experiments (experiments/models/, `make models`).
 *
 * The forward pass is dr_native's binary64 inference (eval.h), the same
 * numbers `zkm drift` reports as float64; the backward pass is written
 * here for dense, conv2d, relu, maxpool (the gradient goes to the window's
 * first maximum), avgpool, flatten, reshape, add and rescale (batchnorm is
 * refused: its running statistics would need training-mode batches).
 *
 * Two constraints keep the trained model inside its fixed-point formats,
 * so that its circuit runs (a value outside a format is an error there,
 * never saturated):
 *   - after every step each weight is clipped to weight_clip times its
 *     format's range, e.g. a q8.6 weight at the default 0.9: |w| <= 0.9 * 2;
 *   - a penalty range_penalty * (|v| - L)^2 on every value v of every
 *     dense, conv2d, avgpool, add and rescale beyond L = range_frac times
 *     its format's range (q8.4 at the default 0.5: L = 0.5 * 8 = 4), added to
 *     the loss.
 *
 * Deterministic: the initial weights are the seeded ones of `--seed`
 * (zkm_tensor_random: PyTorch's default initialization distribution), the
 * order of the samples in each epoch a Fisher-Yates shuffle drawn from
 * zkm_rng_init(seed, "zkm/train/shuffle"), and every operation is a
 * sequential double operation; exp and log come from the C library, so two
 * machines with the same libm give the same weights bit for bit.
 *
 * Library code: no exits, no output (progress through the callback). */
#ifndef ZKM_TRAIN_H
#define ZKM_TRAIN_H

#include <stdint.h>

#include "model.h"
#include "synth.h"
#include "tensors.h"
#include "zkm_err.h"

typedef struct {
    uint64_t seed;        /* initial weights and sample order              */
    uint32_t epochs;      /* passes over the training set                  */
    uint32_t batch;       /* samples per step                              */
    double lr;            /* learning rate of the first epoch              */
    double lr_decay;      /* the rate is multiplied by this after each epoch */
    double weight_clip;   /* fraction of a weight format's range (0: none)  */
    double range_frac;    /* penalty threshold, fraction of a format's range */
    double range_penalty; /* penalty weight (0: none)                      */
} trn_opts;

/* The defaults: seed 1, 20 epochs, batch 16, lr 0.05, decay 0.9, clip
 * 0.9, range 0.5 with weight 0.1. */
void trn_opts_default(trn_opts *o);

/* One line of progress per epoch: the mean loss (cross-entropy plus the
 * range penalty) and the training accuracy during the epoch. */
typedef void (*trn_log_fn)(void *ctx, uint32_t epoch, double loss, double penalty,
                           double accuracy);

/* Train m on data (each sample in the model's single input's shape, labels
 * below the output's size).  *w (initialised here, free with
 * zkm_tensor_set_free) receives the weights as float32 values, named as in
 * the model (dtype f32, so a safetensors file of them holds exactly
 * these).  ZKM_EINVAL for a model this trainer cannot train (several
 * inputs, a batchnorm), data that does not fit it, or a loss that becomes
 * infinite or NaN (diverged: the rate or the penalty is too large). */
zkm_status trn_train(const zkm_model *m, const syn_set *data, const trn_opts *o, trn_log_fn log,
                     void *log_ctx, zkm_tensor_set *w, zkm_err *e);

/* The fraction of data m classifies right in binary64 with weights w
 * (the first argmax of the output against the label). */
zkm_status trn_accuracy(const zkm_model *m, const zkm_tensor_set *w, const syn_set *data,
                        double *acc, zkm_err *e);

#endif
