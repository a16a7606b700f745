/* zkm-train: train a .zkm model on a labelled data set with plain SGD in
 * double (experiments/train.h) and write its weights as a safetensors file.
 * `make models` runs it for the models of experiments/models/.
 *
 *   zkm-train MODEL.zkm -o WEIGHTS.safetensors [--data SPEC] [--test-data SPEC]
 *             [--train N] [--test N] [--epochs N] [--batch N] [--lr X]
 *             [--decay X] [--seed N] [--clip X] [--range X] [--penalty X]
 *
 * Progress (one line per epoch) and the final float accuracy on the test
 * data go to stderr.  Exit status 0, or 2 on bad usage or input (nothing
 * written). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "srcmap.h"
#include "synth.h"
#include "train.h"
#include "zkm_file.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: zkm-train MODEL.zkm -o WEIGHTS.safetensors [options]\n\n"
            "Train the model with mini-batch SGD in double (softmax cross-entropy; weights\n"
            "clipped to their fixed-point formats; values kept inside theirs by a penalty)\n"
            "and write its weights (float32).  Deterministic for given options.\n\n"
            "options:\n"
            "  --data SPEC   training data: shapes (the synthetic task's training split;\n"
            "                default) or a file with tensors x and y (experiments/synth.h)\n"
            "  --test-data SPEC  data for the final accuracy (default: shapes:test with\n"
            "                --data shapes, else none)\n"
            "  --train N     training samples, the first N (default 4000)\n"
            "  --test N      test samples, the first N (default 1000)\n"
            "  --epochs N    passes over the training data (default 20)\n"
            "  --batch N     samples per step (default 16)\n"
            "  --lr X        learning rate (default 0.05)\n"
            "  --decay X     learning rate factor after each epoch (default 0.9)\n"
            "  --seed N      initial weights (as zkm --seed N) and sample order (default 1)\n"
            "  --clip X      clip each weight to X times its format's range (default 0.9)\n"
            "  --range X     penalise values beyond X times their format's range (default\n"
            "                0.5)\n"
            "  --penalty X   weight of that penalty (default 0.1; 0: none)\n");
}

static int num(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    if (!s)
        return 0; /* the caller says the value is missing */
    const double v = strtod(s, &end);
    if (!*s || errno || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "zkm-train: %s %s: expected a number from %g to %g\n", opt, s, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

static void on_epoch(void *ctx, uint32_t epoch, double loss, double pen, double acc)
{
    (void)ctx;
    fprintf(stderr, "epoch %3u  loss %.5f (range penalty %.5f)  train accuracy %.2f%%\n", epoch,
            loss, pen, 100 * acc);
}

static zkm_model *load_model(const char *path)
{
    uint8_t *src = NULL;
    size_t len = 0;
    zkm_err e;
    zkm_err_clear(&e);
    if (zkm_read_file(path, ZKM_SRC_MAX, &src, &len, &e)) {
        fprintf(stderr, "zkm-train: %s\n", e.msg);
        return NULL;
    }
    zkm_diags d;
    zkm_diags_init(&d);
    zkm_model *m = NULL;
    zkm_status st = zkm_model_from_source(path, (const char *)src, len, NULL, &m, &d);
    if (d.n || d.truncated)
        zkm_diags_print(&d, stderr);
    if (st && d.n_errors == 0)
        fprintf(stderr, "zkm-train: %s: %s\n", path, zkm_status_str(st));
    zkm_diags_free(&d);
    free(src);
    return st ? NULL : m;
}

int main(int argc, char **argv)
{
    const char *model = NULL, *out = NULL, *data = "shapes", *test = NULL;
    double ntrain = 4000, ntest = 1000, epochs = 20, batch = 16, seed = 1;
    trn_opts o;
    trn_opts_default(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int ok = 1;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "-o")) {
            out = v, ok = v != NULL, i++;
        } else if (!strcmp(a, "--data")) {
            data = v, ok = v != NULL, i++;
        } else if (!strcmp(a, "--test-data")) {
            test = v, ok = v != NULL, i++;
        } else if (!strcmp(a, "--train")) {
            ok = num(a, v, 1, 1e7, &ntrain), i++;
        } else if (!strcmp(a, "--test")) {
            ok = num(a, v, 1, 1e7, &ntest), i++;
        } else if (!strcmp(a, "--epochs")) {
            ok = num(a, v, 0, 1e5, &epochs), i++;
        } else if (!strcmp(a, "--batch")) {
            ok = num(a, v, 1, 1e6, &batch), i++;
        } else if (!strcmp(a, "--lr")) {
            ok = num(a, v, 1e-9, 10, &o.lr), i++;
        } else if (!strcmp(a, "--decay")) {
            ok = num(a, v, 0, 1, &o.lr_decay), i++;
        } else if (!strcmp(a, "--clip")) {
            ok = num(a, v, 0, 1, &o.weight_clip), i++;
        } else if (!strcmp(a, "--range")) {
            ok = num(a, v, 0, 1, &o.range_frac), i++;
        } else if (!strcmp(a, "--penalty")) {
            ok = num(a, v, 0, 1e6, &o.range_penalty), i++;
        } else if (!strcmp(a, "--seed")) {
            ok = num(a, v, 0, 9007199254740992.0, &seed), i++;
        } else if (a[0] == '-' || model) {
            fprintf(stderr, "zkm-train: unexpected argument '%s'\n", a);
            return 2;
        } else {
            model = a;
        }
        if (!ok) {
            if (!v && a[0] == '-')
                fprintf(stderr, "zkm-train: %s needs a value\n", a);
            return 2;
        }
    }
    if (!model || !out) {
        usage(stderr);
        return 2;
    }
    o.epochs = (uint32_t)epochs;
    o.batch = (uint32_t)batch;
    o.seed = (uint64_t)seed;

    zkm_err e;
    zkm_err_clear(&e);
    zkm_model *m = load_model(model);
    if (!m)
        return 2;
    syn_set tr = {0}, te = {0};
    const int shapes = !strcmp(data, "shapes");
    if (!test && shapes)
        test = "shapes:test";
    zkm_status st = syn_open(shapes ? "shapes:train" : data, (uint64_t)ntrain, &tr, &e);
    if (!st && test)
        st = syn_open(test, (uint64_t)ntest, &te, &e);
    zkm_tensor_set w;
    zkm_tensor_set_init(&w);
    if (!st)
        st = trn_train(m, &tr, &o, on_epoch, NULL, &w, &e);
    double acc = 0;
    if (!st && test)
        st = trn_accuracy(m, &w, &te, &acc, &e);
    if (!st && test)
        fprintf(stderr, "%s: float64 accuracy on %llu test samples (%s): %.2f%%\n", m->name,
                (unsigned long long)te.n, test, 100 * acc);
    if (!st)
        st = zkm_safetensors_write(out, &w, &e);
    if (st)
        fprintf(stderr, "zkm-train: %s\n", e.msg);
    zkm_tensor_set_free(&w);
    syn_free(&tr);
    syn_free(&te);
    zkm_model_free(m);
    return st ? 2 : 0;
}
