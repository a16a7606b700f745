/* The .zkm front end: golden diagnostics for bad files (tests/golden/parser:
 * NAME.zkm and the exact rendering NAME.err), every example model checked
 * against its shapes and parameter counts, the IR's details, and a few
 * thousand random inputs that must never crash or leak.
 *
 * ZKM_GOLDEN_DIR overrides the golden directory (default
 * tests/golden/parser, relative to the repository root where make check
 * runs); ZKM_GOLDEN_UPDATE=1 rewrites the .err files from the current
 * output instead of comparing (review the diff before committing). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "parse.h"
#include "testutil.h"

static uint64_t g_seed;

static const char *golden_dir(void)
{
    const char *d = getenv("ZKM_GOLDEN_DIR");
    return d && *d ? d : "tests/golden/parser";
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap + 1);
    size_t k;
    while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            char *nb = realloc(b, 2 * cap + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b)
        b[n] = '\0';
    *len = n;
    return b;
}

/* The whole rendering of d, malloc'd. */
static char *render(const zkm_diags *d)
{
    size_t n = zkm_diags_format(d, NULL, 0);
    char *s = malloc(n + 1);
    assert_non_null(s);
    assert_int_equal(zkm_diags_format(d, s, n + 1), n);
    return s;
}

/* Parse and check src as file `name`; returns the status, the model (or
 * NULL) and the rendered diagnostics. */
static zkm_status run(const char *name, const char *src, size_t len, const zkm_check_opts *o,
                      zkm_model **m, char **out)
{
    zkm_diags d;
    zkm_diags_init(&d);
    zkm_model *mm = NULL;
    zkm_status st = zkm_model_from_source(name, src, len, o, &mm, &d);
    if (out)
        *out = render(&d);
    if (st == ZKM_OK)
        assert_int_equal(d.n_errors, 0);
    else if (st == ZKM_EFORMAT)
        assert_true(d.n_errors > 0);
    zkm_diags_free(&d);
    if (m)
        *m = mm;
    else
        zkm_model_free(mm);
    return st;
}

/* ------------------------------------------------------------------ */
/* Golden diagnostics                                                  */

typedef struct {
    char name[256];
} golden;

static int cmp_golden(const void *a, const void *b)
{
    return strcmp(((const golden *)a)->name, ((const golden *)b)->name);
}

static golden *list_golden(size_t *n)
{
    DIR *dir = opendir(golden_dir());
    golden *v = NULL;
    size_t cap = 0;
    *n = 0;
    if (!dir)
        return NULL;
    struct dirent *e;
    while ((e = readdir(dir))) {
        size_t l = strlen(e->d_name);
        if (l < 5 || l >= sizeof v->name || strcmp(e->d_name + l - 4, ".zkm") != 0)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            golden *nv = realloc(v, cap * sizeof *v);
            assert_non_null(nv);
            v = nv;
        }
        memcpy(v[*n].name, e->d_name, l - 4);
        v[*n].name[l - 4] = '\0';
        (*n)++;
    }
    closedir(dir);
    qsort(v, *n, sizeof *v, cmp_golden);
    return v;
}

static void test_golden_one(void **state)
{
    const golden *g = *state;
    char path[600], file[300];
    size_t len, elen;
    snprintf(path, sizeof path, "%s/%s.zkm", golden_dir(), g->name);
    snprintf(file, sizeof file, "%s.zkm", g->name);
    char *src = read_all(path, &len);
    assert_non_null(src);
    char *got;
    zkm_status st = run(file, src, len, NULL, NULL, &got);
    if (st != ZKM_EFORMAT)
        fail_msg("%s: expected the file to be refused (status %d)", file, st);
    snprintf(path, sizeof path, "%s/%s.err", golden_dir(), g->name);
    const char *upd = getenv("ZKM_GOLDEN_UPDATE");
    if (upd && *upd == '1') {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fputs(got, f);
        fclose(f);
    } else {
        char *want = read_all(path, &elen);
        if (!want)
            fail_msg("%s: missing %s; its output is:\n%s", file, path, got);
        if (strcmp(want, got) != 0)
            fail_msg("%s: diagnostics differ\n--- expected\n%s--- got\n%s", file, want, got);
        free(want);
    }
    free(got);
    free(src);
}

/* ------------------------------------------------------------------ */
/* The examples                                                        */

static zkm_model *load_example(const char *name, const zkm_check_opts *o, char **text)
{
    char path[300], *out;
    size_t len;
    snprintf(path, sizeof path, "lang/examples/%s.zkm", name);
    char *src = read_all(path, &len);
    if (!src)
        fail_msg("cannot read %s", path);
    zkm_model *m;
    zkm_status st = run(path, src, len, o, &m, &out);
    if (st != ZKM_OK)
        fail_msg("%s does not check (status %d):\n%s", path, st, out);
    assert_string_equal(out, "");
    free(out);
    if (text)
        *text = src;
    else
        free(src);
    return m;
}

static void with_commas(uint64_t v, char *buf, size_t cap)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    size_t k = 0;
    for (int i = 0; i < n && k + 1 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = '\0';
}

static void test_examples(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        uint64_t params;
        uint32_t out;
    } ex[] = {
        {"mlp", 101770, 10},           {"lenet5", 61706, 10},
        {"lenet_cifar", 62006, 10},    {"vgg11", 9750922, 10},
        {"vgg16", 15245130, 10},       {"resnet_small", 9978, 10},
        {"deepprove_cnn", 262666, 10}, {"deepprove_dense", 3962890, 10},
    };
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        char *text, num[32];
        zkm_model *m = load_example(ex[i].name, NULL, &text);
        assert_string_equal(m->name, ex[i].name);
        if (m->params != ex[i].params)
            fail_msg("%s: %llu parameters, expected %llu", ex[i].name,
                     (unsigned long long)m->params, (unsigned long long)ex[i].params);
        /* the count its comment states */
        with_commas(ex[i].params, num, sizeof num);
        if (!strstr(text, num))
            fail_msg("%s.zkm does not state its parameter count %s", ex[i].name, num);
        const zkm_node *o = &m->nodes[m->output];
        assert_int_equal(o->shape.rank, 1);
        assert_int_equal(o->shape.dim[0], ex[i].out);
        /* IR invariants: topological, counts add up, weights named */
        uint64_t p = 0, macs = 0;
        for (uint32_t k = 0; k < m->n_nodes; k++) {
            const zkm_node *n = &m->nodes[k];
            for (uint32_t j = 0; j < n->n_in; j++)
                assert_true(n->in[j] < k);
            p += n->params;
            macs += n->macs;
            assert_int_equal(n->shift, n->acc_frac - n->fmt.frac);
            for (uint32_t j = 0; j < n->n_w; j++)
                assert_non_null(strstr(n->w[j].name, n->wname));
        }
        assert_int_equal(p, m->params);
        assert_int_equal(macs, m->macs);
        free(text);
        zkm_model_free(m);
    }
}

static void expect_node(const zkm_model *m, uint32_t i, const char *name, zkm_op op,
                        uint32_t rank, uint32_t d0, uint32_t d1, uint32_t d2)
{
    const zkm_node *n = &m->nodes[i];
    if (strcmp(n->name, name) != 0 || n->op != op || n->shape.rank != rank
        || n->shape.dim[0] != d0 || (rank > 1 && n->shape.dim[1] != d1)
        || (rank > 2 && n->shape.dim[2] != d2)) {
        char s[64];
        zkm_shape_str(&n->shape, s, sizeof s);
        fail_msg("node %u: %s %s %s, expected %s %s rank %u [%u, %u, %u]", i, n->name,
                 zkm_op_name(n->op), s, name, zkm_op_name(op), rank, d0, d1, d2);
    }
}

static void test_lenet5(void **state)
{
    (void)state;
    zkm_model *m = load_example("lenet5", NULL, NULL);
    assert_int_equal(m->n_nodes, 13);
    assert_int_equal(m->n_inputs, 1);
    assert_int_equal(m->inputs[0], 0);
    expect_node(m, 0, "x", ZKM_OP_INPUT, 3, 1, 28, 28);
    expect_node(m, 1, "conv1/conv2d", ZKM_OP_CONV2D, 3, 6, 28, 28);
    expect_node(m, 2, "conv1/relu", ZKM_OP_RELU, 3, 6, 28, 28);
    expect_node(m, 3, "conv1", ZKM_OP_MAXPOOL, 3, 6, 14, 14);
    expect_node(m, 4, "conv2/conv2d", ZKM_OP_CONV2D, 3, 16, 10, 10);
    expect_node(m, 5, "conv2/relu", ZKM_OP_RELU, 3, 16, 10, 10);
    expect_node(m, 6, "conv2", ZKM_OP_MAXPOOL, 3, 16, 5, 5);
    expect_node(m, 7, "fc1/flatten", ZKM_OP_FLATTEN, 1, 400, 0, 0);
    expect_node(m, 8, "fc1/dense", ZKM_OP_DENSE, 1, 120, 0, 0);
    expect_node(m, 9, "fc1", ZKM_OP_RELU, 1, 120, 0, 0);
    expect_node(m, 10, "fc2/dense", ZKM_OP_DENSE, 1, 84, 0, 0);
    expect_node(m, 11, "fc2", ZKM_OP_RELU, 1, 84, 0, 0);
    expect_node(m, 12, "fc3", ZKM_OP_DENSE, 1, 10, 0, 0);
    assert_int_equal(m->output, 12);

    const zkm_node *c1 = &m->nodes[1];
    assert_int_equal(c1->n_in, 1);
    assert_int_equal(c1->in[0], 0);
    assert_int_equal(c1->u.conv2d.out, 6);
    assert_int_equal(c1->u.conv2d.kh, 5);
    assert_int_equal(c1->u.conv2d.kw, 5);
    assert_int_equal(c1->u.conv2d.sh, 1);
    assert_int_equal(c1->u.conv2d.ph, 2);
    assert_int_equal(c1->u.conv2d.pw, 2);
    assert_true(c1->u.conv2d.bias);
    assert_int_equal(c1->u.conv2d.bn, ZKM_NONE);
    assert_string_equal(c1->wname, "conv1");
    assert_int_equal(c1->n_w, 2);
    assert_string_equal(c1->w[0].name, "conv1.weight");
    assert_int_equal(c1->w[0].role, ZKM_W_WEIGHT);
    assert_int_equal(c1->w[0].rank, 4);
    assert_int_equal(c1->w[0].dim[0], 6);
    assert_int_equal(c1->w[0].dim[1], 1);
    assert_int_equal(c1->w[0].dim[2], 5);
    assert_int_equal(c1->w[0].dim[3], 5);
    assert_string_equal(c1->w[1].name, "conv1.bias");
    assert_int_equal(c1->w[1].count, 6);
    assert_int_equal(c1->params, 156);
    assert_int_equal(c1->macs, 6 * 28 * 28 * 25);
    assert_int_equal(c1->loc.line, 13);
    assert_int_equal(c1->loc.col, 11);

    const zkm_node *p1 = &m->nodes[3];
    assert_int_equal(p1->u.pool.kh, 2);
    assert_int_equal(p1->u.pool.sh, 2);

    const zkm_node *fc1 = &m->nodes[8];
    assert_int_equal(fc1->u.dense.out, 120);
    assert_string_equal(fc1->w[0].name, "fc1.weight");
    assert_int_equal(fc1->w[0].rank, 2);
    assert_int_equal(fc1->w[0].dim[0], 120);
    assert_int_equal(fc1->w[0].dim[1], 400);
    assert_int_equal(fc1->params, 48120);

    /* formats: q8.4 activations, q8.6 weights, shift 4 + 6 - 4 */
    assert_int_equal(m->act.bits, 8);
    assert_int_equal(m->act.frac, 4);
    assert_int_equal(m->weights.frac, 6);
    assert_int_equal(fc1->fmt.bits, 8);
    assert_int_equal(fc1->fmt.frac, 4);
    assert_int_equal(fc1->wfmt.frac, 6);
    assert_int_equal(fc1->acc_frac, 10);
    assert_int_equal(fc1->shift, 6);
    assert_int_equal(m->nodes[2].shift, 0);

    char buf[128];
    zkm_node_describe(m, 1, buf, sizeof buf);
    assert_string_equal(buf, "conv2d 5x5, 6 channels, padding 2, bias, >> 6");
    zkm_node_describe(m, 3, buf, sizeof buf);
    assert_string_equal(buf, "maxpool 2x2, stride 2");
    zkm_node_describe(m, 8, buf, sizeof buf);
    assert_string_equal(buf, "dense 400 -> 120, bias, >> 6");
    zkm_shape_str(&m->nodes[0].shape, buf, sizeof buf);
    assert_string_equal(buf, "[1, 28, 28]");
    zkm_qfmt_str(m->nodes[0].fmt, buf, sizeof buf);
    assert_string_equal(buf, "q8.4");
    /* snprintf-like truncation */
    assert_int_equal(zkm_shape_str(&m->nodes[0].shape, buf, 4), 11);
    assert_string_equal(buf, "[1,");
    assert_int_equal(zkm_model_find(m, "conv2"), 6);
    assert_int_equal(zkm_model_find(m, "nope"), ZKM_NONE);
    zkm_model_free(m);
}

static void test_vgg16(void **state)
{
    (void)state;
    zkm_model *m = load_example("vgg16", NULL, NULL);
    uint32_t convs = 0, pools = 0, dense = 0;
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        const zkm_node *n = &m->nodes[i];
        if (n->op == ZKM_OP_CONV2D) {
            convs++;
            assert_int_equal(n->u.conv2d.kh, 3);
            assert_int_equal(n->u.conv2d.ph, 1);
            /* padding 1 keeps the size */
            assert_int_equal(n->shape.dim[1], m->nodes[n->in[0]].shape.dim[1]);
        }
        pools += n->op == ZKM_OP_MAXPOOL;
        dense += n->op == ZKM_OP_DENSE;
    }
    assert_int_equal(convs, 13);
    assert_int_equal(pools, 5);
    assert_int_equal(dense, 3);
    uint32_t i = zkm_model_find(m, "conv5_3");
    assert_int_not_equal(i, ZKM_NONE);
    expect_node(m, i, "conv5_3", ZKM_OP_MAXPOOL, 3, 512, 1, 1);
    assert_int_equal(m->macs, 313725952);
    zkm_model_free(m);
}

static void test_resnet_fold(void **state)
{
    (void)state;
    zkm_model *m = load_example("resnet_small", NULL, NULL);
    uint32_t c = zkm_model_find(m, "layer1.0.conv2"), b = zkm_model_find(m, "layer1.0.bn2");
    uint32_t add = zkm_model_find(m, "block1/add"), stem = zkm_model_find(m, "stem");
    assert_int_not_equal(c, ZKM_NONE);
    assert_int_equal(b, c + 1);
    assert_int_equal(m->nodes[c].u.conv2d.bn, b);
    assert_false(m->nodes[c].u.conv2d.bias);
    assert_int_equal(m->nodes[c].n_w, 1);
    assert_int_equal(m->nodes[b].u.bn.target, c);
    assert_true(m->nodes[b].u.bn.eps == 1e-5);
    assert_int_equal(m->nodes[b].n_w, 4);
    assert_string_equal(m->nodes[b].w[2].name, "layer1.0.bn2.running_mean");
    assert_int_equal(m->nodes[b].w[3].role, ZKM_W_BN_VAR);
    assert_int_equal(m->nodes[b].w[3].dim[0], 16);
    assert_int_equal(m->nodes[b].wfmt.frac, m->nodes[c].wfmt.frac);
    /* the residual add reads the block's last batchnorm and the stem */
    assert_int_equal(m->nodes[add].n_in, 2);
    assert_int_equal(m->nodes[add].in[0], b);
    assert_int_equal(m->nodes[add].in[1], stem);
    uint32_t pool = zkm_model_find(m, "fc/avgpool");
    assert_int_equal(m->nodes[pool].shift, 8);
    assert_int_equal(m->nodes[pool].acc_frac, 12);
    expect_node(m, pool, "fc/avgpool", ZKM_OP_AVGPOOL, 3, 16, 1, 1);
    zkm_model_free(m);
}

/* Language features not in the examples, checked through the IR. */
static void test_features(void **state)
{
    (void)state;
    const char *src =
        "# features\n"
        "model feat {\n"
        "  bits 12                  # frac follows: 12 - 4 = 8\n"
        "  weights frac 9\n"
        "  input img [2, 8, 8] frac 6\n"
        "  input v [16] frac 5\n"
        "  a = conv2d(img, 4, [3, 1], [1, 2], padding=[1, 0], bias=false, wfrac=10,)\n"
        "  b = a |> relu; c = b |> avgpool([2, 4], stride=[2, 4], frac=5)\n"
        "  d = reshape(c, [-1]) |> add(v)\n"
        "    |> rescale(shift=2, bits=10)\n"
        "  e = d |> reshape(shape=[2, 4, 2]) |> flatten |> dense(out=3, bias=false)\n"
        "  /* a block comment\n"
        "     over lines */ f = rescale(e, frac=1)\n"
        "  output f\n"
        "}\n";
    char *out;
    zkm_model *m;
    zkm_status st = run("feat.zkm", src, strlen(src), NULL, &m, &out);
    if (st)
        fail_msg("status %d:\n%s", st, out);
    free(out);
    assert_int_equal(m->n_inputs, 2);
    assert_int_equal(m->act.bits, 12);
    assert_int_equal(m->act.frac, 8);
    assert_int_equal(m->weights.bits, 12);
    assert_int_equal(m->weights.frac, 9);
    const zkm_node *img = &m->nodes[m->inputs[0]];
    assert_int_equal(img->fmt.bits, 12);
    assert_int_equal(img->fmt.frac, 6);
    const zkm_node *a = &m->nodes[zkm_model_find(m, "a")];
    assert_int_equal(a->u.conv2d.kh, 3);
    assert_int_equal(a->u.conv2d.kw, 1);
    assert_int_equal(a->u.conv2d.sh, 1);
    assert_int_equal(a->u.conv2d.sw, 2);
    assert_int_equal(a->u.conv2d.pw, 0);
    assert_false(a->u.conv2d.bias);
    assert_int_equal(a->n_w, 1);
    assert_int_equal(a->shape.dim[1], 8);
    assert_int_equal(a->shape.dim[2], 4);
    assert_int_equal(a->wfmt.frac, 10);
    assert_int_equal(a->acc_frac, 16);
    assert_int_equal(a->shift, 8);
    const zkm_node *c = &m->nodes[zkm_model_find(m, "c")];
    expect_node(m, zkm_model_find(m, "c"), "c", ZKM_OP_AVGPOOL, 3, 4, 4, 1);
    assert_int_equal(c->acc_frac, 11); /* 8 + log2(8) */
    assert_int_equal(c->shift, 6);
    uint32_t add = zkm_model_find(m, "d/add");
    expect_node(m, add, "d/add", ZKM_OP_ADD, 1, 16, 0, 0);
    assert_int_equal(m->nodes[add].in[1], m->inputs[1]);
    const zkm_node *d = &m->nodes[zkm_model_find(m, "d")];
    assert_int_equal(d->op, ZKM_OP_RESCALE);
    assert_int_equal(d->fmt.bits, 10);
    assert_int_equal(d->fmt.frac, 3);
    assert_int_equal(d->shift, 2);
    const zkm_node *e = &m->nodes[zkm_model_find(m, "e")];
    assert_int_equal(e->wfmt.frac, 9);
    assert_int_equal(e->n_w, 1);
    assert_string_equal(e->w[0].name, "e.weight");
    const zkm_node *f = &m->nodes[m->output];
    assert_string_equal(f->name, "f");
    assert_int_equal(f->shift, 7);
    assert_int_equal(f->loc.line, 13);
    zkm_model_free(m);

    /* settings in any order: the weights follow the model's bits */
    const char *order = "model o {\n  weights frac 9\n  bits 12\n  input x [4]\n"
                        "  y = dense(x, 2) |> relu\n  output y\n}\n";
    assert_int_equal(run("o.zkm", order, strlen(order), NULL, &m, NULL), ZKM_OK);
    assert_int_equal(m->weights.bits, 12);
    assert_int_equal(m->weights.frac, 9);
    assert_int_equal(m->nodes[1].wfmt.frac, 9);
    assert_int_equal(m->nodes[1].shift, 9);
    zkm_model_free(m);
    const char *wb = "model o { bits 16; weights bits 10; input x [4]; y = dense(x, 2); output y }";
    assert_int_equal(run("o.zkm", wb, strlen(wb), NULL, &m, NULL), ZKM_OK);
    assert_int_equal(m->act.frac, 12);
    assert_int_equal(m->weights.bits, 10);
    assert_int_equal(m->weights.frac, 8);
    zkm_model_free(m);
}

static void test_bits_override(void **state)
{
    (void)state;
    zkm_check_opts o;
    zkm_check_opts_default(&o);
    o.bits = 16;
    zkm_model *m = load_example("lenet5", &o, NULL);
    for (uint32_t i = 0; i < m->n_nodes; i++) {
        assert_int_equal(m->nodes[i].fmt.bits, 16);
        assert_int_equal(m->nodes[i].fmt.frac, 12);
        if (m->nodes[i].op == ZKM_OP_DENSE) {
            assert_int_equal(m->nodes[i].wfmt.frac, 14);
            assert_int_equal(m->nodes[i].shift, 14);
        }
    }
    zkm_model_free(m);
    o.bits = 4; /* activations q4.0, weights q4.2 */
    m = load_example("resnet_small", &o, NULL);
    assert_int_equal(m->act.frac, 0);
    assert_int_equal(m->weights.frac, 2);
    zkm_model_free(m);

    /* 2 bits leave activations frac -2 */
    o.bits = 2;
    char path[] = "lang/examples/mlp.zkm", *out;
    size_t len;
    char *src = read_all(path, &len);
    assert_non_null(src);
    assert_int_equal(run("mlp.zkm", src, len, &o, NULL, &out), ZKM_EFORMAT);
    assert_non_null(strstr(out, "with the bit-width set to 2, the model's default format (q8.4) "
                                "would need frac -2"));
    free(out);
    o.bits = 1;
    zkm_diags d;
    zkm_diags_init(&d);
    zkm_model *mm;
    assert_int_equal(zkm_model_from_source("mlp.zkm", src, len, &o, &mm, &d), ZKM_EINVAL);
    assert_null(mm);
    zkm_diags_free(&d);
    free(src);
}

static void test_limits(void **state)
{
    (void)state;
    zkm_check_opts o;
    zkm_check_opts_default(&o);
    o.max_macs = 300000; /* lenet5 has 416,520: conv2 (240,000 more) crosses it */
    char *out;
    size_t len;
    char *src = read_all("lang/examples/lenet5.zkm", &len);
    assert_non_null(src);
    assert_int_equal(run("lenet5.zkm", src, len, &o, NULL, &out), ZKM_EFORMAT);
    assert_non_null(strstr(out, "lenet5.zkm:14:11: error: 'conv2/conv2d' (conv2d) brings the "
                                "model to 357600 multiply-accumulates, over the limit of 300000"));
    free(out);
    zkm_check_opts_default(&o);
    o.max_params = 50000;
    assert_int_equal(run("lenet5.zkm", src, len, &o, NULL, &out), ZKM_EFORMAT);
    assert_non_null(strstr(out, "'fc1/dense' (dense) brings the model to 50692 parameters"));
    free(out);
    o.max_params = 0; /* no limit */
    o.max_entries = 1000;
    assert_int_equal(run("lenet5.zkm", src, len, &o, NULL, &out), ZKM_EFORMAT);
    assert_non_null(strstr(out, "'conv1/conv2d' (conv2d) brings the model to 5488 activation "
                                "entries, over the limit of 1000"));
    free(out);
    o.max_entries = 0;
    o.max_macs = 0;
    assert_int_equal(run("lenet5.zkm", src, len, &o, NULL, &out), ZKM_OK);
    free(out);
    free(src);
}

static void test_srcmap(void **state)
{
    (void)state;
    zkm_srcmap m;
    zkm_err e;
    uint32_t l, c;
    size_t n;
    const char *s = "ab\r\ncd\n\nxyz\n";
    assert_int_equal(zkm_srcmap_init(&m, "f", s, strlen(s), &e), ZKM_OK);
    assert_int_equal(m.n_lines, 5);
    zkm_srcmap_locate(&m, 0, &l, &c);
    assert_int_equal(l, 1);
    assert_int_equal(c, 1);
    zkm_srcmap_locate(&m, 5, &l, &c);
    assert_int_equal(l, 2);
    assert_int_equal(c, 2);
    zkm_srcmap_locate(&m, 8, &l, &c);
    assert_int_equal(l, 4);
    assert_int_equal(c, 1);
    zkm_srcmap_locate(&m, (uint32_t)strlen(s), &l, &c); /* end of file after a newline */
    assert_int_equal(l, 4);
    assert_int_equal(c, 4);
    zkm_srcmap_locate(&m, 999, &l, &c);
    assert_int_equal(l, 4);
    const char *t = zkm_srcmap_line(&m, 1, &n);
    assert_int_equal(n, 2); /* without the \r */
    assert_memory_equal(t, "ab", 2);
    zkm_srcmap_line(&m, 3, &n);
    assert_int_equal(n, 0);
    zkm_srcmap_free(&m);
    assert_int_equal(zkm_srcmap_init(&m, NULL, "", 0, &e), ZKM_OK);
    zkm_srcmap_locate(&m, 0, &l, &c);
    assert_int_equal(l, 1);
    assert_int_equal(c, 1);
    zkm_srcmap_free(&m);
}

static void test_render(void **state)
{
    (void)state;
    zkm_diags d;
    zkm_diags_init(&d);
    /* a long line is shown as a window around the column */
    char src[600];
    memset(src, 'a', 500);
    memcpy(src + 300, "$$", 2);
    src[500] = '\n';
    src[501] = '\0';
    zkm_err e;
    assert_int_equal(zkm_diags_set_source(&d, "long.zkm", src, 501, &e), ZKM_OK);
    zkm_diag_add(&d, ZKM_DIAG_ERROR, 300, "here");
    char *out = render(&d);
    const char *nl = strchr(out, '\n');
    assert_non_null(nl);
    assert_memory_equal(out, "long.zkm:1:301: error: here\n...", 31);
    const char *l2 = nl + 1, *l3 = strchr(l2, '\n') + 1;
    assert_int_equal(strchr(l2, '\n') - l2, 3 + 140 + 3);
    assert_int_equal(strchr(l3, '^') - l3, 3 + 70);
    assert_int_equal(l2[3 + 70], '$');
    /* snprintf-like: a short buffer gets a prefix and the full length */
    char small[10];
    assert_int_equal(zkm_diags_format(&d, small, sizeof small), strlen(out));
    assert_string_equal(small, "long.zkm:");
    free(out);
    /* the list stops at ZKM_DIAG_MAX and says so */
    for (int i = 0; i < 150; i++)
        zkm_diag_add(&d, ZKM_DIAG_ERROR, 0, "e%d", i);
    assert_int_equal(d.n, ZKM_DIAG_MAX);
    assert_int_equal(d.n_errors, 151);
    assert_true(d.truncated);
    out = render(&d);
    assert_non_null(strstr(out, "long.zkm: error: too many errors; stopped after 100\n"));
    free(out);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_true(zkm_diags_print(&d, f) > 0);
    fclose(f);
    zkm_diags_free(&d);
}

static void test_parse_api(void **state)
{
    (void)state;
    zkm_diags d;
    zkm_diags_init(&d);
    zkm_ast *a;
    /* too large: refused before reading */
    assert_int_equal(zkm_parse("big.zkm", "", ZKM_SRC_MAX + 1, &a, &d), ZKM_EFORMAT);
    assert_null(a);
    assert_int_equal(d.n, 1);
    assert_non_null(strstr(d.v[0].msg, "model file too large"));
    /* a second parse replaces the source and the diagnostics */
    const char *ok = "model m { input x [2]; y = relu(x); output y }";
    assert_int_equal(zkm_parse("ok.zkm", ok, strlen(ok), &a, &d), ZKM_OK);
    assert_int_equal(d.n, 0);
    assert_string_equal(d.map.path, "ok.zkm");
    assert_string_equal(a->name, "m");
    assert_int_equal(a->n_stmts, 3);
    assert_int_equal(a->stmts[1].kind, ZKM_STMT_BIND);
    assert_string_equal(a->stmts[1].u.bind.stages[0].op, "relu");
    zkm_ast_free(a);
    /* NUL bytes are just bad bytes */
    const char nul[] = "model m {\0 }";
    assert_int_equal(zkm_parse("nul.zkm", nul, sizeof nul - 1, &a, &d), ZKM_EFORMAT);
    assert_non_null(strstr(d.v[0].msg, "unexpected byte 0x00"));
    zkm_diags_free(&d);
}

/* ------------------------------------------------------------------ */
/* Random inputs: bytes, token soups, mutated examples                 */

static const char *const vocab[] = {
    "model", "input", "output", "bits", "frac", "weights", "as", "true", "false", "m", "x",
    "y", "z", "c1", "fc.1", "dense", "conv2d", "relu", "maxpool", "avgpool", "flatten",
    "reshape", "add", "batchnorm", "rescale", "kernel", "channels", "stride", "padding",
    "window", "shape", "shift", "eps", "bias", "wbits", "wfrac", "out", "0", "1", "2", "3",
    "16", "-1", "1e-5", "2.5", "99999999999999999999", "1e999", "12ab", "|>", "(", ")", "[",
    "]", "{", "}", ",", "=", "-", ";", "\n", "\n", "\n", " ", "\t", "# c\n", "/*", "*/",
    "/* c */", "$", "\"", "\xc3\xa9", "\xff", "->", ".", "as", "[1, 28, 28]", "[3, 32, 32]",
};

static const char *const examples[] = {"mlp", "lenet5", "lenet_cifar", "resnet_small",
                                       "deepprove_cnn", "vgg11"};

static void fuzz_one(const char *src, size_t len)
{
    zkm_diags d;
    zkm_diags_init(&d);
    zkm_model *m = NULL;
    zkm_status st = zkm_model_from_source("fuzz.zkm", src, len, NULL, &m, &d);
    if (st != ZKM_OK && st != ZKM_EFORMAT)
        fail_msg("status %d on a random input", st);
    if (st == ZKM_OK) {
        assert_non_null(m);
        assert_int_equal(d.n_errors, 0);
    } else {
        assert_null(m);
        assert_true(d.n_errors > 0);
    }
    char *out = render(&d);
    free(out);
    zkm_model_free(m);
    zkm_diags_free(&d);
}

static void test_random(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 0x7a6b);
    char *ex[sizeof examples / sizeof examples[0]];
    size_t exlen[sizeof examples / sizeof examples[0]];
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        char path[200];
        snprintf(path, sizeof path, "lang/examples/%s.zkm", examples[i]);
        ex[i] = read_all(path, &exlen[i]);
        assert_non_null(ex[i]);
    }
    char *buf = malloc(8192);
    assert_non_null(buf);
    for (int it = 0; it < 10000; it++) {
        size_t len = 0;
        unsigned kind = (unsigned)tu_below(&g, 3);
        if (kind == 0) { /* random bytes, sometimes framed as a model */
            size_t n = (size_t)tu_below(&g, 300);
            if (tu_below(&g, 2)) {
                memcpy(buf, "model m {\n", 10);
                len = 10;
            }
            tu_bytes(&g, buf + len, n);
            len += n;
        } else if (kind == 1) { /* a soup of tokens */
            size_t n = (size_t)tu_below(&g, 120);
            if (tu_below(&g, 2)) {
                memcpy(buf, "model m {\n", 10);
                len = 10;
            }
            for (size_t k = 0; k < n; k++) {
                const char *t = vocab[tu_below(&g, sizeof vocab / sizeof vocab[0])];
                size_t tl = strlen(t);
                if (len + tl + 1 >= 8192)
                    break;
                memcpy(buf + len, t, tl);
                len += tl;
                if (tu_below(&g, 2))
                    buf[len++] = ' ';
            }
        } else { /* an example with a few edits */
            size_t e = (size_t)tu_below(&g, sizeof examples / sizeof examples[0]);
            len = exlen[e] < 8000 ? exlen[e] : 8000;
            memcpy(buf, ex[e], len);
            unsigned edits = 1 + (unsigned)tu_below(&g, 4);
            for (unsigned k = 0; k < edits && len > 0; k++) {
                size_t at = (size_t)tu_below(&g, len);
                switch (tu_below(&g, 4)) {
                case 0: /* flip a byte */
                    buf[at] = (char)tu_below(&g, 256);
                    break;
                case 1: { /* delete a run */
                    size_t n = 1 + (size_t)tu_below(&g, 16);
                    if (at + n > len)
                        n = len - at;
                    memmove(buf + at, buf + at + n, len - at - n);
                    len -= n;
                    break;
                }
                case 2: { /* insert a token */
                    const char *t = vocab[tu_below(&g, sizeof vocab / sizeof vocab[0])];
                    size_t tl = strlen(t);
                    if (len + tl < 8192) {
                        memmove(buf + at + tl, buf + at, len - at);
                        memcpy(buf + at, t, tl);
                        len += tl;
                    }
                    break;
                }
                default: { /* swap a digit */
                    if (buf[at] >= '0' && buf[at] <= '9')
                        buf[at] = (char)('0' + tu_below(&g, 10));
                    break;
                }
                }
            }
        }
        fuzz_one(buf, len);
    }
    free(buf);
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
        free(ex[i]);
}

int main(void)
{
    g_seed = tu_seed("test_parser");
    size_t ng;
    golden *gv = list_golden(&ng);
    if (ng < 30) {
        fprintf(stderr, "test_parser: only %zu golden files in %s (run from the repository "
                        "root, or set ZKM_GOLDEN_DIR)\n", ng, golden_dir());
        free(gv);
        return 1;
    }
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_examples),   cmocka_unit_test(test_lenet5),
        cmocka_unit_test(test_vgg16),      cmocka_unit_test(test_resnet_fold),
        cmocka_unit_test(test_features),   cmocka_unit_test(test_bits_override),
        cmocka_unit_test(test_limits),     cmocka_unit_test(test_srcmap),
        cmocka_unit_test(test_render),     cmocka_unit_test(test_parse_api),
        cmocka_unit_test(test_random),
    };
    const size_t nf = sizeof fixed / sizeof fixed[0];
    struct CMUnitTest *tests = calloc(nf + ng, sizeof *tests);
    if (!tests)
        return 1;
    memcpy(tests, fixed, sizeof fixed);
    for (size_t i = 0; i < ng; i++) {
        tests[nf + i].name = gv[i].name;
        tests[nf + i].test_func = test_golden_one;
        tests[nf + i].initial_state = &gv[i];
    }
    int r = _cmocka_run_group_tests("test_parser", tests, nf + ng, NULL, NULL);
    free(tests);
    free(gv);
    return r;
}
