/* Weights and inputs (lang/tensors.h):
 *   - round trips of every dtype and rank 0..4 through the .npy and
 *     safetensors writers and loaders, and the writers' exact bytes;
 *   - hand-built files, byte by byte from the published formats:
 *     little- and big-endian .npy, versions 1.0/2.0/3.0, bool/u8/i8,
 *     Fortran order, safetensors with metadata, BF16, empty and scalar
 *     tensors; a directory of .npy files; zkm_tensors_load's dispatch;
 *   - every class of malformed input refused with its message: truncation
 *     at every length, bad magic, header length beyond the file, non-JSON,
 *     bad offsets, unknown dtypes, absurd shapes, Fortran and object
 *     arrays, integers beyond 2^53, non-finite values; and thousands of
 *     random mutations of valid files, which must never crash;
 *   - seeded random tensors: a known answer recomputed from libsodium,
 *     determinism, independence across seeds/names/kinds, the range;
 *   - the matching of a tensor set against expected names and shapes.
 * Fixtures are written at run time into a temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ftw.h>
#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tensors.h"
#include "testutil.h"

static uint64_t g_seed;
static char g_dir[256];

/* -------------------------------------------------------------- helpers */

typedef struct {
    uint8_t *b;
    size_t n, cap;
} bb;

static void bb_put(bb *x, const void *p, size_t n)
{
    if (x->n + n > x->cap) {
        x->cap = (x->n + n) * 2 + 16;
        x->b = realloc(x->b, x->cap);
        assert_non_null(x->b);
    }
    if (n)
        memcpy(x->b + x->n, p, n);
    x->n += n;
}
static void bb_str(bb *x, const char *s) { bb_put(x, s, strlen(s)); }
static void bb_u8(bb *x, uint8_t v) { bb_put(x, &v, 1); }
static void bb_le(bb *x, uint64_t v, int k)
{
    for (int i = 0; i < k; i++)
        bb_u8(x, (uint8_t)(v >> (8 * i)));
}
static void bb_be(bb *x, uint64_t v, int k)
{
    for (int i = k - 1; i >= 0; i--)
        bb_u8(x, (uint8_t)(v >> (8 * i)));
}
static uint32_t f32_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
}
static uint64_t f64_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}

/* A .npy file per the format: magic, version major.0, header length (u16 for
 * 1.0, u32 otherwise), dict, spaces up to a multiple of 64, '\n', data. */
static bb npy_bytes(int major, const char *dict, const bb *data)
{
    bb x = {0};
    bb_put(&x, "\x93NUMPY", 6);
    bb_u8(&x, (uint8_t)major);
    bb_u8(&x, 0);
    const size_t pre = major == 1 ? 10 : 12, hl = strlen(dict) + 1;
    const size_t pad = (64 - (pre + hl) % 64) % 64;
    bb_le(&x, hl + pad, major == 1 ? 2 : 4);
    bb_str(&x, dict);
    for (size_t i = 0; i < pad; i++)
        bb_u8(&x, ' ');
    bb_u8(&x, '\n');
    if (data)
        bb_put(&x, data->b, data->n);
    return x;
}

/* A safetensors file: u64 LE header length, the JSON, the data. */
static bb st_bytes(const char *json, const bb *data)
{
    bb x = {0};
    bb_le(&x, strlen(json), 8);
    bb_str(&x, json);
    if (data)
        bb_put(&x, data->b, data->n);
    return x;
}

static void assert_values(const zkm_tensor *t, const double *want, size_t n)
{
    assert_int_equal(t->count, n);
    for (size_t i = 0; i < n; i++)
        if (f64_bits(t->data[i]) != f64_bits(want[i]))
            fail_msg("%s: element %zu is %.17g, want %.17g", t->name, i, t->data[i], want[i]);
}

static void assert_shape(const zkm_tensor *t, uint32_t rank, const uint64_t *shape)
{
    char a[200], b[200];
    zkm_tensor_shape_str(t->shape, t->rank, a, sizeof a);
    zkm_tensor_shape_str(shape, rank, b, sizeof b);
    assert_string_equal(a, b);
}

static void npy_ok(const bb *x, zkm_tensor *t)
{
    zkm_err e;
    zkm_err_clear(&e);
    if (zkm_npy_parse(x->b, x->n, "x", "f.npy", t, &e))
        fail_msg("valid .npy refused: %s", e.msg);
}

/* Parsing must fail with code and a message holding want. */
#define NPY_BAD(x, code, want) npy_bad((x).b, (x).n, code, want, __LINE__)
static void npy_bad(const uint8_t *b, size_t n, zkm_status code, const char *want, int line)
{
    zkm_err e;
    zkm_tensor t;
    zkm_err_clear(&e);
    zkm_status st = zkm_npy_parse(b, n, "x", "f.npy", &t, &e);
    if (st != code || !strstr(e.msg, want) || strncmp(e.msg, "f.npy: x: ", 10) != 0)
        fail_msg("line %d: got status %d \"%s\", want %d with \"%s\"", line, st, e.msg, code,
                 want);
    assert_null(t.name);
    assert_null(t.data);
}

#define ST_BAD(x, code, want) st_bad((x).b, (x).n, code, want, __LINE__)
static void st_bad(const uint8_t *b, size_t n, zkm_status code, const char *want, int line)
{
    zkm_err e;
    zkm_tensor_set s;
    zkm_err_clear(&e);
    zkm_status st = zkm_st_parse(b, n, "m.safetensors", &s, &e);
    if (st != code || !strstr(e.msg, want) || strncmp(e.msg, "m.safetensors: ", 15) != 0)
        fail_msg("line %d: got status %d \"%s\", want %d with \"%s\"", line, st, e.msg, code,
                 want);
    assert_int_equal(s.n, 0);
    assert_null(s.t);
}

static char *path_in(const char *rel)
{
    static char p[1024];
    snprintf(p, sizeof p, "%s/%s", g_dir, rel);
    return p;
}

static void write_bytes(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* A random value exactly representable in dt. */
static double rand_value(tu_rng *g, zkm_tensor_dtype dt)
{
    const double sign = tu_below(g, 2) ? -1.0 : 1.0;
    switch (dt) {
    case ZKM_TENSOR_BOOL: return (double)tu_below(g, 2);
    case ZKM_TENSOR_U8: return (double)tu_below(g, 256);
    case ZKM_TENSOR_I8: return (double)tu_below(g, 256) - 128;
    case ZKM_TENSOR_U16: return (double)tu_below(g, 65536);
    case ZKM_TENSOR_I16: return (double)tu_below(g, 65536) - 32768;
    case ZKM_TENSOR_U32: return (double)tu_below(g, (uint64_t)1 << 32);
    case ZKM_TENSOR_I32: return (double)tu_below(g, (uint64_t)1 << 32) - 2147483648.0;
    case ZKM_TENSOR_U64: return (double)tu_below(g, ((uint64_t)1 << 53) + 1);
    case ZKM_TENSOR_I64: return (double)tu_below(g, ((uint64_t)1 << 54) + 1) - 0x1p53;
    /* m * 2^e with m and e inside each format's precision and range */
    case ZKM_TENSOR_F16:
        return sign * ldexp((double)tu_below(g, 2048), (int)tu_below(g, 30) - 24);
    case ZKM_TENSOR_BF16:
        return sign * ldexp((double)tu_below(g, 256), (int)tu_below(g, 254) - 133);
    case ZKM_TENSOR_F32:
        return sign * ldexp((double)tu_below(g, 1u << 24), (int)tu_below(g, 254) - 149);
    case ZKM_TENSOR_F64:
    default: {
        double d;
        do {
            uint64_t b = tu_u64(g);
            memcpy(&d, &b, 8);
        } while (!isfinite(d));
        return d;
    }
    }
}

static void rand_tensor(tu_rng *g, zkm_tensor *t, const char *name, zkm_tensor_dtype dt,
                        uint32_t rank)
{
    uint64_t shape[ZKM_TENSOR_MAX_RANK];
    zkm_err e;
    for (uint32_t i = 0; i < rank; i++)
        shape[i] = tu_below(g, 8) == 0 ? 0 : 1 + tu_below(g, 4);
    if (zkm_tensor_init(t, name, dt, shape, rank, &e))
        fail_msg("init: %s", e.msg);
    for (size_t i = 0; i < t->count; i++)
        t->data[i] = rand_value(g, dt);
}

static void assert_same_tensor(const zkm_tensor *a, const zkm_tensor *b)
{
    assert_string_equal(a->name, b->name);
    assert_int_equal(a->dtype, b->dtype);
    assert_shape(a, b->rank, b->shape);
    assert_values(a, b->data, b->count);
}

/* ------------------------------------------------------------ round trips */

static void test_npy_roundtrip(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 1);
    for (int dt = 0; dt < ZKM_TENSOR_DTYPE_COUNT; dt++) {
        if (dt == ZKM_TENSOR_BF16)
            continue;
        for (uint32_t rank = 0; rank <= 4; rank++)
            for (int rep = 0; rep < 4; rep++) {
                zkm_tensor t, u;
                zkm_err e;
                uint8_t *b;
                size_t n;
                rand_tensor(&g, &t, "w", (zkm_tensor_dtype)dt, rank);
                if (zkm_npy_encode(&t, &b, &n, &e))
                    fail_msg("encode %s: %s", zkm_tensor_dtype_name(t.dtype), e.msg);
                /* numpy's layout: version 1.0, header ends in '\n', data at a
                 * multiple of 64 */
                assert_memory_equal(b, "\x93NUMPY\x01\x00", 8);
                size_t hl = b[8] | (size_t)b[9] << 8;
                assert_int_equal((10 + hl) % 64, 0);
                assert_int_equal(b[10 + hl - 1], '\n');
                assert_int_equal(n, 10 + hl + t.count * zkm_tensor_dtype_size(t.dtype));
                if (zkm_npy_parse(b, n, "w", NULL, &u, &e))
                    fail_msg("parse %s rank %u: %s", zkm_tensor_dtype_name(t.dtype), rank,
                             e.msg);
                assert_same_tensor(&u, &t);
                free(b);
                zkm_tensor_free(&u);
                zkm_tensor_free(&t);
            }
    }
    /* through a file, named by its stem */
    zkm_tensor t, u;
    zkm_err e;
    rand_tensor(&g, &t, "ignored", ZKM_TENSOR_F32, 3);
    if (zkm_npy_write(path_in("conv1.weight.npy"), &t, &e))
        fail_msg("write: %s", e.msg);
    if (zkm_npy_read(path_in("conv1.weight.npy"), 0, &u, &e))
        fail_msg("read: %s", e.msg);
    assert_string_equal(u.name, "conv1.weight");
    assert_shape(&u, t.rank, t.shape);
    assert_values(&u, t.data, t.count);
    zkm_tensor_free(&u);
    zkm_tensor_free(&t);
    unlink(path_in("conv1.weight.npy"));
}

static void test_st_roundtrip(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 2);
    for (int rep = 0; rep < 12; rep++) {
        zkm_tensor_set s, r;
        zkm_err e;
        zkm_tensor_set_init(&s);
        /* every dtype at several ranks in one file */
        for (int dt = 0; dt < ZKM_TENSOR_DTYPE_COUNT; dt++)
            for (uint32_t rank = 0; rank <= 4; rank += 1 + (uint32_t)tu_below(&g, 2)) {
                char name[64];
                zkm_tensor t;
                snprintf(name, sizeof name, "layer%d.%s.r%u", rep,
                         zkm_tensor_dtype_name((zkm_tensor_dtype)dt), rank);
                rand_tensor(&g, &t, name, (zkm_tensor_dtype)dt, rank);
                if (zkm_tensor_set_add(&s, &t, &e))
                    fail_msg("add: %s", e.msg);
            }
        uint8_t *b;
        size_t n;
        if (zkm_st_encode(&s, &b, &n, &e))
            fail_msg("encode: %s", e.msg);
        /* header padded to 8, each tensor aligned to its element size */
        uint64_t hn = 0;
        for (int i = 0; i < 8; i++)
            hn |= (uint64_t)b[i] << (8 * i);
        assert_int_equal(hn % 8, 0);
        json_error_t je;
        json_t *root = json_loadb((const char *)b + 8, hn, 0, &je);
        assert_non_null(root);
        for (size_t i = 0; i < s.n; i++) {
            json_t *o = json_object_get(root, s.t[i].name);
            assert_non_null(o);
            json_int_t beg = json_integer_value(json_array_get(json_object_get(o, "data_offsets"), 0));
            assert_int_equal((size_t)beg % zkm_tensor_dtype_size(s.t[i].dtype), 0);
        }
        json_decref(root);
        if (zkm_st_parse(b, n, NULL, &r, &e))
            fail_msg("parse: %s", e.msg);
        assert_int_equal(r.n, s.n);
        for (size_t i = 0; i < s.n; i++)
            assert_same_tensor(&r.t[i], &s.t[i]);
        free(b);
        zkm_tensor_set_free(&r);
        if (rep == 0) {
            if (zkm_safetensors_write(path_in("model.safetensors"), &s, &e))
                fail_msg("write: %s", e.msg);
            if (zkm_tensors_load(path_in("model.safetensors"), 0, &r, &e))
                fail_msg("load: %s", e.msg);
            assert_int_equal(r.n, s.n);
            for (size_t i = 0; i < s.n; i++)
                assert_same_tensor(&r.t[i], &s.t[i]);
            zkm_tensor_set_free(&r);
            unlink(path_in("model.safetensors"));
        }
        zkm_tensor_set_free(&s);
    }
}

/* The writers' bytes, spelled out from numpy's and safetensors' writers. */
static void test_writer_bytes(void **state)
{
    (void)state;
    zkm_tensor t;
    zkm_err e;
    const uint64_t shape[2] = {2, 3};
    assert_int_equal(zkm_tensor_init(&t, "w", ZKM_TENSOR_F32, shape, 2, &e), ZKM_OK);
    for (int i = 0; i < 6; i++)
        t.data[i] = i + 0.5;
    uint8_t *b;
    size_t n;
    assert_int_equal(zkm_npy_encode(&t, &b, &n, &e), ZKM_OK);
    /* numpy: the sorted dict, 21 - len("2") spare spaces, then spaces and
     * '\n' to 128 bytes: HEADER_LEN = 118 */
    bb want = {0};
    bb_put(&want, "\x93NUMPY\x01\x00\x76\x00", 10);
    bb_str(&want, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    for (int i = 0; i < 20 + 38; i++)
        bb_u8(&want, ' ');
    bb_u8(&want, '\n');
    assert_int_equal(want.n, 128);
    for (int i = 0; i < 6; i++)
        bb_le(&want, f32_bits((float)(i + 0.5)), 4);
    assert_int_equal(n, want.n);
    assert_memory_equal(b, want.b, n);
    free(b);
    free(want.b);

    zkm_tensor_free(&t);

    /* integer dtypes refuse non-integers, naming the element */
    zkm_tensor_set s;
    zkm_tensor v;
    const uint64_t one = 1;
    zkm_tensor_set_init(&s);
    assert_int_equal(zkm_tensor_init(&t, "w", ZKM_TENSOR_I64, shape, 2, &e), ZKM_OK);
    for (int i = 0; i < 6; i++)
        t.data[i] = i - 3;
    t.data[4] = 1.5;
    assert_int_equal(zkm_npy_encode(&t, &b, &n, &e), ZKM_EINVAL);
    assert_string_equal(e.msg, "w: element [1, 1] is 1.5, not an integer in "
                               "[-9007199254740992, 9007199254740992]");
    t.data[4] = 1;
    assert_int_equal(zkm_tensor_init(&v, "b", ZKM_TENSOR_F32, &one, 1, &e), ZKM_OK);
    v.data[0] = -1;
    assert_int_equal(zkm_tensor_set_add(&s, &t, &e), ZKM_OK);
    assert_int_equal(zkm_tensor_set_add(&s, &v, &e), ZKM_OK);
    assert_int_equal(zkm_st_encode(&s, &b, &n, &e), ZKM_OK);
    /* i64 first (larger elements), compact JSON padded with spaces to 8 */
    const char *js = "{\"w\":{\"dtype\":\"I64\",\"shape\":[2,3],\"data_offsets\":[0,48]},"
                     "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[48,52]}}";
    const size_t jl = strlen(js), hn = (jl + 7) / 8 * 8;
    want = (bb){0};
    bb_le(&want, hn, 8);
    bb_str(&want, js);
    for (size_t i = jl; i < hn; i++)
        bb_u8(&want, ' ');
    const int64_t iv[6] = {-3, -2, -1, 0, 1, 2};
    for (int i = 0; i < 6; i++)
        bb_le(&want, (uint64_t)iv[i], 8);
    bb_le(&want, f32_bits(-1.0f), 4);
    assert_int_equal(n, want.n);
    assert_memory_equal(b, want.b, n);
    free(want.b);
    free(b);
    zkm_tensor_set_free(&s);
}

/* ------------------------------------------------------ hand-built files */

static void test_npy_handbuilt(void **state)
{
    (void)state;
    zkm_tensor t;
    bb d = {0}, x;

    /* v1.0 '<f4' (2, 3) */
    for (int i = 1; i <= 6; i++)
        bb_le(&d, f32_bits((float)i / 4), 4);
    x = npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", &d);
    npy_ok(&x, &t);
    const uint64_t s23[2] = {2, 3};
    const double v23[6] = {0.25, 0.5, 0.75, 1, 1.25, 1.5};
    assert_int_equal(t.dtype, ZKM_TENSOR_F32);
    assert_shape(&t, 2, s23);
    assert_values(&t, v23, 6);
    zkm_tensor_free(&t);
    free(x.b);
    d.n = 0;

    /* big-endian float64, int32, uint16, float16 */
    const double vbe[3] = {-1.5, 0x1p-1074, 1e300};
    for (int i = 0; i < 3; i++)
        bb_be(&d, f64_bits(vbe[i]), 8);
    x = npy_bytes(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }", &d);
    npy_ok(&x, &t);
    assert_int_equal(t.dtype, ZKM_TENSOR_F64);
    assert_values(&t, vbe, 3);
    zkm_tensor_free(&t);
    free(x.b);
    d.n = 0;
    bb_be(&d, (uint32_t)-7, 4);
    bb_be(&d, 0x7fffffff, 4);
    x = npy_bytes(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", &d);
    npy_ok(&x, &t);
    const double vi4[2] = {-7, 2147483647.0};
    assert_values(&t, vi4, 2);
    zkm_tensor_free(&t);
    free(x.b);
    d.n = 0;
    bb_be(&d, 0xfffe, 2);
    bb_be(&d, 0x3c00, 2); /* f16 1.0 read as u16 */
    x = npy_bytes(1, "{'descr': '>u2', 'fortran_order': False, 'shape': (2,), }", &d);
    npy_ok(&x, &t);
    const double vu2[2] = {65534, 15360};
    assert_values(&t, vu2, 2);
    zkm_tensor_free(&t);
    free(x.b);
    d.n = 0;
    bb_be(&d, 0xc000, 2);
    bb_be(&d, 0x3c00, 2);
    x = npy_bytes(1, "{'descr': '>f2', 'fortran_order': False, 'shape': (2,), }", &d);
    npy_ok(&x, &t);
    assert_values(&t, (double[]){-2, 1}, 2);
    free(x.b);
    zkm_tensor_free(&t);
    d.n = 0;
    /* float16 bit patterns: 1, -2, max, smallest subnormal, smallest normal,
     * nearest to 1/3 */
    const uint16_t h[6] = {0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x3555};
    const double hv[6] = {1, -2, 65504, 0x1p-24, 0x1p-14, 0.333251953125};
    for (int i = 0; i < 6; i++)
        bb_le(&d, h[i], 2);
    x = npy_bytes(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (6,), }", &d);
    npy_ok(&x, &t);
    assert_int_equal(t.dtype, ZKM_TENSOR_F16);
    assert_values(&t, hv, 6);
    zkm_tensor_free(&t);
    free(x.b);
    d.n = 0;

    /* v2.0 header (u32 length), '<i8' (2, 2), keys in another order, double
     * quotes, no trailing comma */
    const int64_t i8v[4] = {-((int64_t)1 << 53), -1, 0, (int64_t)1 << 53};
    for (int i = 0; i < 4; i++)
        bb_le(&d, (uint64_t)i8v[i], 8);
    x = npy_bytes(2, "{\"shape\": (2, 2), \"fortran_order\": False, \"descr\": \"<i8\"}", &d);
    assert_int_equal(x.b[6], 2);
    npy_ok(&x, &t);
    const double vi8[4] = {-0x1p53, -1, 0, 0x1p53};
    assert_int_equal(t.dtype, ZKM_TENSOR_I64);
    assert_values(&t, vi8, 4);
    zkm_tensor_free(&t);
    free(x.b);
    d.n = 0;

    /* v3.0 '|u1', Python 2 long dims */
    bb_u8(&d, 0);
    bb_u8(&d, 255);
    x = npy_bytes(3, "{'descr': '|u1', 'fortran_order': False, 'shape': (1L, 2L), }", &d);
    npy_ok(&x, &t);
    const double vu1[2] = {0, 255};
    assert_int_equal(t.dtype, ZKM_TENSOR_U8);
    assert_values(&t, vu1, 2);
    zkm_tensor_free(&t);
    free(x.b);
    d.n = 0;

    /* bool and int8 */
    const uint8_t bo[4] = {0, 1, 1, 0};
    bb_put(&d, bo, 4);
    x = npy_bytes(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", &d);
    npy_ok(&x, &t);
    const double vbo[4] = {0, 1, 1, 0};
    assert_int_equal(t.dtype, ZKM_TENSOR_BOOL);
    assert_values(&t, vbo, 4);
    zkm_tensor_free(&t);
    free(x.b);
    d.n = 0;
    bb_u8(&d, 0x80);
    bb_u8(&d, 0x7f);
    bb_u8(&d, 0xff);
    x = npy_bytes(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }", &d);
    npy_ok(&x, &t);
    const double vi1[3] = {-128, 127, -1};
    assert_values(&t, vi1, 3);
    zkm_tensor_free(&t);
    free(x.b);
    d.n = 0;

    /* scalar and empty */
    bb_le(&d, f64_bits(2.5), 8);
    x = npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", &d);
    npy_ok(&x, &t);
    assert_int_equal(t.rank, 0);
    assert_values(&t, (double[]){2.5}, 1);
    zkm_tensor_free(&t);
    free(x.b);
    x = npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 0), }", NULL);
    npy_ok(&x, &t);
    assert_int_equal(t.count, 0);
    assert_int_equal(t.rank, 2);
    zkm_tensor_free(&t);
    free(x.b);
    d.n = 0;

    /* Fortran order is transposed into C order: (2, 3) stored column by
     * column, and a (2, 3, 4) array whose first index varies fastest */
    const int32_t col[6] = {1, 4, 2, 5, 3, 6};
    for (int i = 0; i < 6; i++)
        bb_le(&d, (uint32_t)col[i], 4);
    x = npy_bytes(1, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }", &d);
    npy_ok(&x, &t);
    assert_values(&t, (double[]){1, 2, 3, 4, 5, 6}, 6);
    zkm_tensor_free(&t);
    free(x.b);
    d.n = 0;
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 3; j++)
            for (int i = 0; i < 2; i++)
                bb_le(&d, (uint64_t)(100 * i + 10 * j + k), 2);
    x = npy_bytes(1, "{'descr': '<u2', 'fortran_order': True, 'shape': (2, 3, 4), }", &d);
    npy_ok(&x, &t);
    double c[24];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++)
                c[(i * 3 + j) * 4 + k] = 100 * i + 10 * j + k;
    assert_values(&t, c, 24);
    zkm_tensor_free(&t);
    free(x.b);
    free(d.b);
}

static void test_st_handbuilt(void **state)
{
    (void)state;
    zkm_tensor_set s;
    zkm_err e;
    bb d = {0};
    /* F32 [2], BF16 [2], BOOL [3], U8 [1], I8 [2, 1], I64 [], an empty F64
     * [0, 5], metadata, keys in no particular order, header padded */
    bb_le(&d, (uint64_t)-5, 8);               /* i64 scalar   [0, 8)   */
    bb_le(&d, f32_bits(0.5f), 4);             /* f32 [2]      [8, 16)  */
    bb_le(&d, f32_bits(-3.0f), 4);
    bb_le(&d, 0x3f80, 2);                     /* bf16 [2]     [16, 20) */
    bb_le(&d, 0x4049, 2);
    bb_u8(&d, 1);                             /* bool [3]     [20, 23) */
    bb_u8(&d, 0);
    bb_u8(&d, 1);
    bb_u8(&d, 200);                           /* u8 [1]       [23, 24) */
    bb_u8(&d, 0xfe);                          /* i8 [2, 1]    [24, 26) */
    bb_u8(&d, 0x05);
    bb x = st_bytes("{\"__metadata__\":{\"format\":\"pt\"},"
                    "\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                    "\"emb\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[16,20]},"
                    "\"mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[20,23]},"
                    "\"q\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[23,24]},"
                    "\"empty\":{\"dtype\":\"F64\",\"shape\":[0,5],\"data_offsets\":[8,8]},"
                    "\"r\":{\"shape\":[2,1],\"dtype\":\"I8\",\"data_offsets\":[24,26]},"
                    "\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}    ",
                    &d);
    if (zkm_st_parse(x.b, x.n, "m.safetensors", &s, &e))
        fail_msg("valid safetensors refused: %s", e.msg);
    assert_int_equal(s.n, 7);
    /* sorted by name */
    const char *names[7] = {"emb", "empty", "fc.weight", "mask", "q", "r", "step"};
    for (int i = 0; i < 7; i++)
        assert_string_equal(s.t[i].name, names[i]);
    const zkm_tensor *t = zkm_tensor_set_find(&s, "fc.weight");
    assert_non_null(t);
    assert_int_equal(t->dtype, ZKM_TENSOR_F32);
    assert_values(t, (double[]){0.5, -3}, 2);
    t = zkm_tensor_set_find(&s, "emb");
    assert_int_equal(t->dtype, ZKM_TENSOR_BF16);
    assert_values(t, (double[]){1.0, 3.140625}, 2);
    assert_values(zkm_tensor_set_find(&s, "mask"), (double[]){1, 0, 1}, 3);
    assert_values(zkm_tensor_set_find(&s, "q"), (double[]){200}, 1);
    t = zkm_tensor_set_find(&s, "r");
    assert_shape(t, 2, (uint64_t[]){2, 1});
    assert_values(t, (double[]){-2, 5}, 2);
    t = zkm_tensor_set_find(&s, "step");
    assert_int_equal(t->rank, 0);
    assert_values(t, (double[]){-5}, 1);
    t = zkm_tensor_set_find(&s, "empty");
    assert_int_equal(t->count, 0);
    assert_shape(t, 2, (uint64_t[]){0, 5});
    assert_null(zkm_tensor_set_find(&s, "nope"));
    zkm_tensor_set_free(&s);
    free(x.b);

    /* an empty file: header "{}" and no data */
    x = st_bytes("{}", NULL);
    assert_int_equal(zkm_st_parse(x.b, x.n, NULL, &s, &e), ZKM_OK);
    assert_int_equal(s.n, 0);
    zkm_tensor_set_free(&s);
    free(x.b);
    free(d.b);
}

/* float16 / bfloat16 conversion, both ways, with rounding */
static void test_half_conversion(void **state)
{
    (void)state;
    zkm_err e;
    size_t bad;
    uint8_t out[2];
    static const struct {
        double v;
        uint16_t f16;
    } R[] = {
        {1.0, 0x3c00},
        {1.0 + 0x1p-11, 0x3c00},       /* tie: to even */
        {1.0 + 3 * 0x1p-11, 0x3c02},   /* tie: to even (up) */
        {1.0 + 0x1p-11 + 0x1p-30, 0x3c01},
        {65504, 0x7bff},
        {65519.99, 0x7bff},
        {0x1p-24, 0x0001},
        {0x1p-25, 0x0000},             /* tie between 0 and 2^-24 */
        {0x1.8p-25, 0x0001},
        {0x1p-14 - 0x1p-25, 0x0400},   /* rounds up into the normals */
        {-0.0, 0x8000},
        {-2.0, 0xc000},
    };
    for (size_t i = 0; i < sizeof R / sizeof R[0]; i++) {
        assert_int_equal(zkm_tensor_encode(ZKM_TENSOR_F16, &R[i].v, 1, out, &bad, &e), ZKM_OK);
        if ((out[0] | out[1] << 8) != R[i].f16)
            fail_msg("f16(%a) = 0x%04x, want 0x%04x", R[i].v, out[0] | out[1] << 8, R[i].f16);
    }
    const double big = 65520;
    assert_int_equal(zkm_tensor_encode(ZKM_TENSOR_F16, &big, 1, out, &bad, &e), ZKM_EINVAL);
    assert_string_equal(e.msg, "is 65520, beyond the float16 range");
    static const struct {
        double v;
        uint16_t bf;
    } B[] = {
        {1.0, 0x3f80}, {3.140625, 0x4049}, {3.14159265, 0x4049}, {1.0 + 0x1p-8, 0x3f80},
        {1.0 + 3 * 0x1p-8, 0x3f82}, {0x1p-133, 0x0001}, {-0x1p127, 0xff00},
    };
    for (size_t i = 0; i < sizeof B / sizeof B[0]; i++) {
        assert_int_equal(zkm_tensor_encode(ZKM_TENSOR_BF16, &B[i].v, 1, out, &bad, &e), ZKM_OK);
        if ((out[0] | out[1] << 8) != B[i].bf)
            fail_msg("bf16(%a) = 0x%04x, want 0x%04x", B[i].v, out[0] | out[1] << 8, B[i].bf);
    }
    /* every finite float16 and bfloat16 decodes and re-encodes to itself */
    for (uint32_t bits = 0; bits < 65536; bits++) {
        for (int k = 0; k < 2; k++) {
            const zkm_tensor_dtype dt = k ? ZKM_TENSOR_BF16 : ZKM_TENSOR_F16;
            const uint8_t in[2] = {(uint8_t)bits, (uint8_t)(bits >> 8)};
            double v;
            if (zkm_tensor_decode(dt, 0, in, 1, &v, &bad, &e) != ZKM_OK)
                continue; /* inf or NaN */
            assert_int_equal(zkm_tensor_encode(dt, &v, 1, out, &bad, &e), ZKM_OK);
            if ((uint32_t)(out[0] | out[1] << 8) != bits)
                fail_msg("%s 0x%04x -> %a -> 0x%04x", zkm_tensor_dtype_name(dt), bits, v,
                         out[0] | out[1] << 8);
        }
    }
}

/* ---------------------------------------------------- directories, dispatch */

static void test_dir_and_dispatch(void **state)
{
    (void)state;
    zkm_tensor_set s;
    zkm_tensor t;
    zkm_err e;
    char p[4096];
    const uint64_t sw[4] = {6, 1, 5, 5}, sb[1] = {6};
    mkdir(path_in("w"), 0755);
    mkdir(path_in("w/sub"), 0755);
    assert_int_equal(zkm_tensor_random("x", sw, 4, 25, 1, ZKM_TENSOR_RAND_WEIGHT, &t, &e), 0);
    assert_int_equal(zkm_npy_write(path_in("w/conv1.weight.npy"), &t, &e), ZKM_OK);
    zkm_tensor_free(&t);
    assert_int_equal(zkm_tensor_init(&t, "y", ZKM_TENSOR_I64, sb, 1, &e), ZKM_OK);
    t.data[5] = -3;
    assert_int_equal(zkm_npy_write(path_in("w/conv1.bias.npy"), &t, &e), ZKM_OK);
    zkm_tensor_free(&t);
    write_bytes(path_in("w/README.txt"), "not a tensor", 12);
    write_bytes(path_in("w/._conv1.weight.npy"), "junk", 4);
    if (zkm_tensors_load(path_in("w"), 0, &s, &e))
        fail_msg("load dir: %s", e.msg);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.t[0].name, "conv1.bias");
    assert_string_equal(s.t[1].name, "conv1.weight");
    assert_int_equal(s.t[0].dtype, ZKM_TENSOR_I64);
    assert_true(s.t[0].data[5] == -3);
    assert_shape(&s.t[1], 4, sw);
    zkm_tensor_set_free(&s);
    /* with a trailing slash too */
    snprintf(p, sizeof p, "%s/", path_in("w"));
    assert_int_equal(zkm_tensors_load(p, 0, &s, &e), ZKM_OK);
    assert_int_equal(s.n, 2);
    zkm_tensor_set_free(&s);
    /* a byte budget smaller than the files */
    assert_int_equal(zkm_tensors_load(path_in("w"), 600, &s, &e), ZKM_EFORMAT);
    assert_non_null(strstr(e.msg, "exceed 600 bytes"));

    /* one bad file spoils the directory, named in the message */
    write_bytes(path_in("w/fc.npy"), "\x93NUMPY\x01\x00\x10\x00{'descr'", 17);
    assert_int_equal(zkm_tensors_load(path_in("w"), 0, &s, &e), ZKM_EFORMAT);
    snprintf(p, sizeof p, "%s: fc: .npy header length 16 runs past the end of the file "
             "(7 bytes follow the length)", path_in("w/fc.npy"));
    assert_string_equal(e.msg, p);
    assert_int_equal(s.n, 0);
    /* a directory named like a tensor */
    unlink(path_in("w/fc.npy"));
    mkdir(path_in("w/d.npy"), 0755);
    assert_int_equal(zkm_tensors_load(path_in("w"), 0, &s, &e), ZKM_EIO);
    assert_non_null(strstr(e.msg, "d.npy: not a regular file"));
    rmdir(path_in("w/d.npy"));
    /* no .npy at all */
    assert_int_equal(zkm_tensors_load(path_in("w/sub"), 0, &s, &e), ZKM_EFORMAT);
    snprintf(p, sizeof p, "%s: no .npy files in this directory", path_in("w/sub"));
    assert_string_equal(e.msg, p);

    /* dispatch on content: a .npy under another name, a safetensors file
     * without extension */
    uint8_t *b;
    size_t n;
    assert_int_equal(zkm_tensor_init(&t, "z", ZKM_TENSOR_F64, sb, 1, &e), ZKM_OK);
    assert_int_equal(zkm_npy_encode(&t, &b, &n, &e), ZKM_OK);
    write_bytes(path_in("input.bin"), b, n);
    free(b);
    assert_int_equal(zkm_tensors_load(path_in("input.bin"), 0, &s, &e), ZKM_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.t[0].name, "input.bin");
    zkm_tensor_set_free(&s);
    assert_int_equal(zkm_tensors_load(path_in("w/conv1.bias.npy"), 0, &s, &e), ZKM_OK);
    assert_string_equal(s.t[0].name, "conv1.bias");
    zkm_tensor_set_free(&s);
    zkm_tensor_set one;
    zkm_tensor_set_init(&one);
    assert_int_equal(zkm_tensor_set_add(&one, &t, &e), ZKM_OK);
    assert_int_equal(zkm_safetensors_write(path_in("weights"), &one, &e), ZKM_OK);
    zkm_tensor_set_free(&one);
    assert_int_equal(zkm_tensors_load(path_in("weights"), 0, &s, &e), ZKM_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.t[0].name, "z");
    zkm_tensor_set_free(&s);
    assert_int_equal(zkm_safetensors_read(path_in("weights"), 0, &s, &e), ZKM_OK);
    zkm_tensor_set_free(&s);

    /* what is not a tensor file says what was expected */
    write_bytes(path_in("x.npz"), "PK\x03\x04zzzzzzzz", 12);
    assert_int_equal(zkm_tensors_load(path_in("x.npz"), 0, &s, &e), ZKM_EFORMAT);
    assert_non_null(strstr(e.msg, "a zip archive (.npz?)"));
    write_bytes(path_in("notes.txt"), "hello, world", 12);
    assert_int_equal(zkm_tensors_load(path_in("notes.txt"), 0, &s, &e), ZKM_EFORMAT);
    snprintf(p, sizeof p, "%s: neither a .npy file (which starts with \\x93NUMPY) nor a "
             "safetensors file (an 8-byte little-endian length, then a JSON header starting "
             "with '{')", path_in("notes.txt"));
    assert_string_equal(e.msg, p);
    write_bytes(path_in("bad.npy"), "hello, world", 12);
    assert_int_equal(zkm_tensors_load(path_in("bad.npy"), 0, &s, &e), ZKM_EFORMAT);
    assert_non_null(strstr(e.msg, "bad: not a .npy file: it does not start with the magic"));
    write_bytes(path_in("short.safetensors"), "\x02\0\0", 3);
    assert_int_equal(zkm_tensors_load(path_in("short.safetensors"), 0, &s, &e), ZKM_EFORMAT);
    assert_non_null(strstr(e.msg, "short.safetensors: truncated safetensors file (3 bytes"));
    assert_int_equal(zkm_tensors_load(path_in("missing.npy"), 0, &s, &e), ZKM_EIO);
    assert_non_null(strstr(e.msg, "missing.npy: No such file or directory"));
    assert_int_equal(zkm_tensors_load(path_in("input.bin"), 10, &s, &e), ZKM_EFORMAT);
    assert_non_null(strstr(e.msg, "more than the 10 allowed"));
    zkm_tensor_free(&t);
}

/* ------------------------------------------------------ malformed inputs */

static bb valid_npy(void)
{
    bb d = {0};
    for (int i = 0; i < 6; i++)
        bb_le(&d, f32_bits((float)i - 2.5f), 4);
    bb x = npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", &d);
    free(d.b);
    return x;
}

static const char *const ST_VALID_JSON =
    "{\"__metadata__\":{\"format\":\"pt\"},"
    "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
    "\"b\":{\"dtype\":\"I64\",\"shape\":[1,1],\"data_offsets\":[8,16]},"
    "\"c\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[16,19]}}";

static bb valid_st(void)
{
    bb d = {0};
    bb_le(&d, f32_bits(1.5f), 4);
    bb_le(&d, f32_bits(-2.0f), 4);
    bb_le(&d, 42, 8);
    bb_put(&d, "\x01\x02\x03", 3);
    bb x = st_bytes(ST_VALID_JSON, &d);
    free(d.b);
    return x;
}

/* an npy with dict and data of n bytes of zeros */
static bb npy_dict(int major, const char *dict, size_t n)
{
    bb d = {0};
    for (size_t i = 0; i < n; i++)
        bb_u8(&d, 0);
    bb x = npy_bytes(major, dict, &d);
    free(d.b);
    return x;
}

static void test_npy_malformed(void **state)
{
    (void)state;
    bb v = valid_npy(), x;
    /* every truncation */
    for (size_t n = 0; n < v.n; n++) {
        zkm_tensor t;
        zkm_err e;
        assert_int_equal(zkm_npy_parse(v.b, n, "x", "f.npy", &t, &e), ZKM_EFORMAT);
        assert_true(strncmp(e.msg, "f.npy: x: ", 10) == 0);
    }
    npy_bad(v.b, 0, ZKM_EFORMAT, "truncated .npy file (0 bytes, no header)", __LINE__);
    npy_bad(v.b, 100, ZKM_EFORMAT, "header length 118 runs past the end of the file", __LINE__);
    npy_bad(v.b, 130, ZKM_EFORMAT, "truncated data: f32 [2, 3] needs 24 bytes, the file has 2",
            __LINE__);
    bb_put(&v, "!", 1);
    NPY_BAD(v, ZKM_EFORMAT, "1 unexpected bytes after the data (f32 [2, 3] takes 24 bytes)");
    v.n--;
    /* magic, version, header length */
    v.b[0] = 0x94;
    NPY_BAD(v, ZKM_EFORMAT, "not a .npy file: it does not start with the magic \\x93NUMPY");
    v.b[0] = 0x93;
    v.b[6] = 4;
    NPY_BAD(v, ZKM_EFORMAT, "unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)");
    v.b[6] = 1;
    v.b[7] = 1;
    NPY_BAD(v, ZKM_EFORMAT, "unsupported .npy format version 1.1");
    v.b[7] = 0;
    v.b[9] = 0xff;
    NPY_BAD(v, ZKM_EFORMAT, ".npy header length 65398 runs past the end of the file");
    v.b[9] = 0;
    v.b[6] = 2; /* reads a u32 length: 0x2027b0076 > limit */
    NPY_BAD(v, ZKM_EFORMAT, "exceeds the limit 65536");
    v.b[6] = 1;

    static const struct {
        const char *dict;
        size_t data;
        const char *want;
    } H[] = {
        {"[1, 2]", 0, "expected '{' opening the header dictionary at header byte 0"},
        {"{'descr': '<f4', 'shape': (2,), }", 8, "lacks the key 'fortran_order'"},
        {"{'descr': '<f4', 'fortran_order': False}", 4, "lacks the key 'shape'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", 4,
         "unexpected key 'x' in the .npy header"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 4,
         "key 'descr' appears twice"},
        {"{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}", 4,
         "expected ',' or '}' at header byte 16"},
        {"{'descr' '<f4', 'fortran_order': False, 'shape': (1,)}", 4, "expected ':' after a key"},
        {"{'descr': '<f4, 'fortran_order': False, 'shape': (1,)}", 4,
         "expected ',' or '}' at header byte 17"},
        {"{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}", 4,
         "fortran_order must be True or False"},
        {"{'descr': '<f4', 'fortran_order': Falsey, 'shape': (1,)}", 4,
         "fortran_order must be True or False"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", 4,
         "unexpected byte 0x78 after the dictionary"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", 4,
         "expected '(' opening the shape tuple"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (4)}", 16,
         "shape (4) is not a tuple (numpy writes (4,))"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", 0, "negative dimension"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3.0)}", 0,
         "expected ',' or ')' in the shape"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (02,)}", 8, "leading zero"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627777,)}", 0,
         "dimension 0 of the shape is above the limit 2^40"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999999,)}", 0,
         "above the limit 2^40"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776)}", 0,
         "shape [1099511627776, 1099511627776] has more than 2^40 elements"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1048576, 1048576)}", 0,
         "truncated data: f32 [1048576, 1048576] needs 4398046511104 bytes, the file has 0"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1)}", 4,
         "the shape has more than 8 dimensions"},
        {"{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", 8,
         "object arrays (pickled Python objects) are not supported"},
        {"{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", 4,
         "structured dtypes (records of fields) are not supported"},
        {"{'descr': '<U10', 'fortran_order': False, 'shape': (1,)}", 40,
         "unsupported dtype '<U10' (strings)"},
        {"{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}", 8,
         "unsupported dtype '<c8' (complex numbers)"},
        {"{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (1,)}", 8,
         "unsupported dtype '<M8[ns]' (dates and times)"},
        {"{'descr': '<f16', 'fortran_order': False, 'shape': (1,)}", 16,
         "unsupported dtype '<f16' (this float size)"},
        {"{'descr': '<q8', 'fortran_order': False, 'shape': (1,)}", 8,
         "unsupported dtype '<q8' (unknown kind)"},
        {"{'descr': '|f4', 'fortran_order': False, 'shape': (1,)}", 4,
         "dtype '|f4' lacks an explicit byte order ('<' or '>')"},
        {"{'descr': '=i8', 'fortran_order': False, 'shape': (1,)}", 8,
         "lacks an explicit byte order"},
        {"{'descr': '', 'fortran_order': False, 'shape': (1,)}", 8, "empty dtype"},
        {"{'descr': '<f\\x34', 'fortran_order': False, 'shape': (1,)}", 4,
         "unexpected byte 0x5c in a string"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,", 4,
         "expected a dimension (a non-negative integer)"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2", 8,
         "expected ',' or ')' in the shape"},
        {"{'descr': '<f4", 4, "unterminated string"},
        {"{", 0, "expected a quoted key"},
        {"", 0, "expected '{' opening the header dictionary, but the header ends"},
    };
    for (size_t i = 0; i < sizeof H / sizeof H[0]; i++) {
        x = npy_dict(1, H[i].dict, H[i].data);
        npy_bad(x.b, x.n, ZKM_EFORMAT, H[i].want, (int)(1000 + i));
        free(x.b);
    }

    /* values a double cannot hold exactly, or at all */
    bb d = {0};
    bb_le(&d, 1, 8);
    bb_le(&d, ((uint64_t)1 << 53) + 1, 8);
    x = npy_bytes(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 1), }", &d);
    NPY_BAD(x, ZKM_EFORMAT, "f.npy: x: element [1, 0] is 9007199254740993, beyond 2^53 in "
                            "magnitude: not exactly representable");
    free(x.b);
    d.n = 0;
    bb_le(&d, (uint64_t)1 << 63, 8);
    x = npy_bytes(1, "{'descr': '<u8', 'fortran_order': False, 'shape': (), }", &d);
    NPY_BAD(x, ZKM_EFORMAT, "element [] is 9223372036854775808, beyond 2^53");
    free(x.b);
    x = npy_bytes(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (), }", &d);
    NPY_BAD(x, ZKM_EFORMAT, "element [] is -9223372036854775808, beyond 2^53");
    free(x.b);
    d.n = 0;
    bb_le(&d, f32_bits(1), 4);
    bb_le(&d, f32_bits(NAN), 4);
    x = npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", &d);
    NPY_BAD(x, ZKM_EFORMAT, "f.npy: x: element [1] is NaN; values must be finite");
    free(x.b);
    d.n = 0;
    for (int i = 0; i < 5; i++)
        bb_be(&d, f64_bits(i == 3 ? -INFINITY : 1), 8);
    /* Fortran order: file position 3 of a (2, 3) array is element [1, 1] */
    x = npy_bytes(1, "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3), }", &d);
    bb_be(&x, f64_bits(0), 8);
    NPY_BAD(x, ZKM_EFORMAT, "element [1, 1] is -inf; values must be finite");
    free(x.b);
    d.n = 0;
    bb_le(&d, 0x7c00, 2);
    x = npy_bytes(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", &d);
    NPY_BAD(x, ZKM_EFORMAT, "element [0] is +inf");
    free(x.b);
    d.n = 0;
    bb_put(&d, "\x00\x01\x02", 3);
    x = npy_bytes(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", &d);
    NPY_BAD(x, ZKM_EFORMAT, "element [2] is the byte 2; a bool must be 0 or 1");
    free(x.b);
    free(d.b);

    /* a name that cannot be a tensor name */
    zkm_tensor t;
    zkm_err e;
    assert_int_equal(zkm_npy_parse(v.b, v.n, "", "f.npy", &t, &e), ZKM_EFORMAT);
    assert_string_equal(e.msg, "f.npy: (no name): empty tensor name");
    free(v.b);
}

static void test_st_malformed(void **state)
{
    (void)state;
    bb v = valid_st(), x;
    for (size_t n = 0; n < v.n; n++) {
        zkm_tensor_set s;
        zkm_err e;
        assert_int_equal(zkm_st_parse(v.b, n, "m.safetensors", &s, &e), ZKM_EFORMAT);
        assert_true(strncmp(e.msg, "m.safetensors: ", 15) == 0);
        assert_int_equal(s.n, 0);
    }
    st_bad(v.b, 5, ZKM_EFORMAT, "truncated safetensors file (5 bytes; it starts with an 8-byte "
           "header length)", __LINE__);
    st_bad(v.b, 100, ZKM_EFORMAT, "safetensors header length 195 runs past the end of the file "
           "(92 bytes follow the length)", __LINE__);
    st_bad(v.b, v.n - 1, ZKM_EFORMAT, "c: data_offsets [16, 19] run past the end of the data "
           "(18 bytes)", __LINE__);
    bb_u8(&v, 0);
    ST_BAD(v, ZKM_EFORMAT, "data bytes [19, 20) belong to no tensor (the tensors must cover the "
           "data exactly)");
    v.n--;
    /* header length */
    uint8_t save = v.b[5];
    v.b[5] = 1;
    ST_BAD(v, ZKM_EFORMAT, "header length 1099511627971 exceeds the limit 100000000");
    v.b[5] = save;
    v.b[0] = 0;
    ST_BAD(v, ZKM_EFORMAT, "the safetensors header (0 bytes) does not start with '{'");
    v.b[0] = 195;
    v.b[8] = ' ';
    ST_BAD(v, ZKM_EFORMAT, "does not start with '{'");
    v.b[8] = '{';

    static const struct {
        const char *json;
        size_t data;
        const char *want;
    } J[] = {
        {"{\"a\": 1", 0, "the safetensors header is not valid JSON: "},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\","
         "\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "duplicate object key"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} x", 4,
         "not valid JSON"},
        {"{\"a\":[1,2]}", 0, "a: expected an object with dtype, shape and data_offsets"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "a: missing \"data_offsets\""},
        {"{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "a: missing \"dtype\""},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":0}}", 4,
         "a: unknown field \"x\""},
        {"{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1,
         "a: unsupported dtype \"F8_E4M3\" (supported: BOOL, U8"},
        {"{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
         "unsupported dtype \"f32\""},
        {"{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
         "a: dtype must be a string"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4,
         "a: shape must be a list of non-negative integers"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", 4,
         "shape must be a list"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", 4,
         "shape must be a list"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,4]}}", 4,
         "a: rank 9 exceeds the maximum 8"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],"
         "\"data_offsets\":[0,4]}}", 4,
         "a: shape [1099511627776, 1099511627776] has more than 2^40 elements"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627777],\"data_offsets\":[0,4]}}", 4,
         "a: dimension 0 is 1099511627777, above the limit 2^40"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,4]}}",
         4, "not valid JSON: too big integer"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1048576,1048576],\"data_offsets\":[0,4]}}", 4,
         "a: data_offsets [0, 4] hold 4 bytes, but F32 [1048576, 1048576] takes 4398046511104"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4,
         "a: data_offsets [0, 4] hold 4 bytes, but F32 [2] takes 8"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8]}}", 4,
         "a: data_offsets [0, 8] run past the end of the data (4 bytes)"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4,
         "a: data_offsets [4, 0] end before they begin"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4,
         "a: data_offsets must be two non-negative integers [begin, end]"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4,
         "data_offsets must be two"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4,
         "data_offsets must be two"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[18446744073709551612,0]}}",
         4, "too big integer"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
         "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
         "tensors a [0, 8) and b [4, 8) overlap in the data"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
         "\"b\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]}}", 8,
         "tensors a [0, 8) and b [4, 4) overlap in the data"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
         "data bytes [0, 4) belong to no tensor"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
         "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12,
         "data bytes [4, 8) belong to no tensor"},
        {"{}", 4, "data bytes [0, 4) belong to no tensor"},
        {"{\"__metadata__\":{\"format\":1}}", 0, "__metadata__ entry \"format\" is not a string"},
        {"{\"__metadata__\":[\"pt\"]}", 0, "__metadata__ must be an object of strings"},
        {"{\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
         "safetensors header: empty tensor name"},
        {"{\"a\\u0001\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
         "tensor name holds the control character 0x01"},
        {"{\"a\\u0000\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
         "not valid JSON"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}\xff", 4,
         "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof J / sizeof J[0]; i++) {
        bb d = {0};
        for (size_t k = 0; k < J[i].data; k++)
            bb_u8(&d, 0);
        x = st_bytes(J[i].json, &d);
        st_bad(x.b, x.n, ZKM_EFORMAT, J[i].want, (int)(1000 + i));
        free(x.b);
        free(d.b);
    }

    /* a header padded with a NUL byte instead of spaces */
    x = (bb){0};
    const char *nul = "{\"a\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}}";
    bb_le(&x, strlen(nul) + 1, 8);
    bb_put(&x, nul, strlen(nul) + 1);
    bb_u8(&x, 7);
    ST_BAD(x, ZKM_EFORMAT, "the safetensors header is not valid JSON");
    free(x.b);

    /* values */
    bb d = {0};
    bb_le(&d, 7, 8);
    bb_le(&d, (uint64_t)-((int64_t)1 << 53) - 1, 8);
    x = st_bytes("{\"w\":{\"dtype\":\"I64\",\"shape\":[1,2],\"data_offsets\":[0,16]}}", &d);
    ST_BAD(x, ZKM_EFORMAT, "m.safetensors: w: element [0, 1] is -9007199254740993, beyond 2^53 "
                           "in magnitude: not exactly representable");
    free(x.b);
    d.n = 0;
    bb_le(&d, 0x7fc0, 2);
    x = st_bytes("{\"w\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[0,2]}}", &d);
    ST_BAD(x, ZKM_EFORMAT, "m.safetensors: w: element [] is NaN; values must be finite");
    free(x.b);
    d.n = 0;
    bb_put(&d, "\x01\x03", 2);
    x = st_bytes("{\"w\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}", &d);
    ST_BAD(x, ZKM_EFORMAT, "element [1] is the byte 3; a bool must be 0 or 1");
    free(x.b);
    free(d.b);
    free(v.b);
}

/* Random mutations of valid files: parsed or refused, never a crash, a
 * leak (under LSan) or a read out of bounds (under ASan). */
static void check_tensor_sane(const zkm_tensor *t)
{
    size_t count;
    assert_non_null(t->name);
    assert_int_equal(zkm_tensor_shape_count(t->shape, t->rank, &count, NULL), ZKM_OK);
    assert_int_equal(count, t->count);
    for (size_t i = 0; i < t->count; i++)
        assert_true(isfinite(t->data[i]));
}

static void mutate(tu_rng *g, bb *x)
{
    static const char interesting[] = "{}()[],:'\"-0123456789 \n\\LTF";
    const unsigned k = 1 + (unsigned)tu_below(g, 4);
    for (unsigned r = 0; r < k && x->n; r++) {
        const size_t at = tu_below(g, x->n);
        switch (tu_below(g, 7)) {
        case 0: x->b[at] ^= (uint8_t)(1u << tu_below(g, 8)); break;
        case 1: x->b[at] = (uint8_t)tu_below(g, 256); break;
        case 2: x->b[at] = (uint8_t)interesting[tu_below(g, sizeof interesting - 1)]; break;
        case 3: x->n = at; break;
        case 4: /* insert a byte */
            bb_u8(x, 0);
            memmove(x->b + at + 1, x->b + at, x->n - at - 1);
            x->b[at] = (uint8_t)interesting[tu_below(g, sizeof interesting - 1)];
            break;
        case 5: /* delete a byte */
            memmove(x->b + at, x->b + at + 1, x->n - at - 1);
            x->n--;
            break;
        default: /* nudge a length field */
            if (x->n > 9)
                x->b[8 * (tu_below(g, 2) == 0) + tu_below(g, 2)] += (uint8_t)(tu_below(g, 5) - 2);
            break;
        }
    }
}

static void test_mutations(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 3);
    bb base[4];
    base[0] = valid_npy();
    {
        bb d = {0};
        for (int i = 0; i < 12; i++)
            bb_u8(&d, (uint8_t)(i * 37));
        base[1] = npy_bytes(2, "{'descr': '|i1', 'fortran_order': True, 'shape': (2, 3, 2), }",
                            &d);
        d.n = 0;
        for (int i = 0; i < 4; i++)
            bb_be(&d, (uint64_t)(i - 2), 8);
        base[2] = npy_bytes(1, "{'descr': '>i8', 'fortran_order': False, 'shape': (4,), }", &d);
        free(d.b);
    }
    base[3] = valid_st();
    size_t ok = 0, refused = 0;
    for (int it = 0; it < 4000; it++) {
        const int which = (int)tu_below(&g, 4);
        bb x = {0};
        bb_put(&x, base[which].b, base[which].n);
        mutate(&g, &x);
        /* copy into an exact-size buffer so ASan sees any overread */
        uint8_t *exact = malloc(x.n ? x.n : 1);
        assert_non_null(exact);
        memcpy(exact, x.b, x.n);
        zkm_err e;
        zkm_err_clear(&e);
        zkm_status st;
        if (which < 3) {
            zkm_tensor t;
            st = zkm_npy_parse(exact, x.n, "m", "m.npy", &t, &e);
            if (st == ZKM_OK) {
                check_tensor_sane(&t);
                zkm_tensor_free(&t);
            }
        } else {
            zkm_tensor_set s;
            st = zkm_st_parse(exact, x.n, "m.st", &s, &e);
            if (st == ZKM_OK) {
                for (size_t i = 0; i < s.n; i++)
                    check_tensor_sane(&s.t[i]);
                zkm_tensor_set_free(&s);
            }
        }
        if (st == ZKM_OK) {
            ok++;
        } else {
            refused++;
            if (st != ZKM_EFORMAT || e.msg[0] == '\0' || strchr(e.msg, '\n'))
                fail_msg("mutation %d: status %d, message \"%s\"", it, st, e.msg);
        }
        free(exact);
        free(x.b);
    }
    /* the mutations exercise both outcomes */
    assert_true(ok > 50 && refused > 1000);
    for (int i = 0; i < 4; i++)
        free(base[i].b);
}

/* --------------------------------------------------------- seeded random */

/* The first word of zkm_rng's stream for (seed, domain), recomputed from
 * libsodium as zkm_rng.h documents it. */
static uint64_t ref_first_word(uint64_t seed, const char *domain)
{
    uint8_t key[32], s[8], blk[8] = {0}, bs[randombytes_SEEDBYTES], out[8];
    crypto_generichash_state h;
    for (int i = 0; i < 8; i++)
        s[i] = (uint8_t)(seed >> (8 * i));
    crypto_generichash_init(&h, NULL, 0, sizeof key);
    crypto_generichash_update(&h, (const uint8_t *)"zkm/rng/v1", 10);
    crypto_generichash_update(&h, s, 8);
    crypto_generichash_update(&h, (const uint8_t *)domain, strlen(domain));
    crypto_generichash_final(&h, key, sizeof key);
    crypto_generichash(bs, sizeof bs, blk, sizeof blk, key, sizeof key);
    randombytes_buf_deterministic(out, sizeof out, bs);
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)out[i] << (8 * i);
    return x;
}

static void test_random(void **state)
{
    (void)state;
    zkm_tensor a, b;
    zkm_err e;
    const uint64_t shape[2] = {100, 100};
    const uint64_t seed = g_seed;

    /* the documented formula */
    assert_int_equal(zkm_tensor_random("fc1.weight", shape, 2, 784, seed, ZKM_TENSOR_RAND_WEIGHT,
                                       &a, &e), ZKM_OK);
    const double u = (double)(ref_first_word(seed, "zkm/tensor/v1/weight:fc1.weight") >> 11) *
                     0x1p-53;
    assert_true(a.data[0] == (2 * u - 1) * (1.0 / sqrt(784.0)));
    assert_int_equal(a.dtype, ZKM_TENSOR_F64);
    assert_string_equal(a.name, "fc1.weight");
    /* deterministic */
    assert_int_equal(zkm_tensor_random("fc1.weight", shape, 2, 784, seed, ZKM_TENSOR_RAND_WEIGHT,
                                       &b, &e), ZKM_OK);
    assert_memory_equal(a.data, b.data, a.count * sizeof(double));
    zkm_tensor_free(&b);
    /* range [-1/28, 1/28), spread over it */
    double lo = 1, hi = -1, sum = 0;
    for (size_t i = 0; i < a.count; i++) {
        assert_true(a.data[i] >= -1.0 / 28 && a.data[i] < 1.0 / 28);
        lo = fmin(lo, a.data[i]);
        hi = fmax(hi, a.data[i]);
        sum += a.data[i];
    }
    assert_true(lo < -0.99 / 28 && hi > 0.99 / 28 && fabs(sum / (double)a.count) < 0.002);
    /* another seed, name or kind: another stream */
    const zkm_tensor_rand_kind W = ZKM_TENSOR_RAND_WEIGHT, I = ZKM_TENSOR_RAND_INPUT;
    struct {
        const char *name;
        uint64_t seed;
        zkm_tensor_rand_kind kind;
    } other[] = {{"fc1.weight", seed + 1, W}, {"fc1.bias", seed, W}, {"fc1.weight", seed, I}};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(zkm_tensor_random(other[k].name, shape, 2, 784, other[k].seed,
                                           other[k].kind, &b, &e), ZKM_OK);
        size_t same = 0;
        for (size_t i = 0; i < a.count; i++)
            same += a.data[i] == b.data[i];
        assert_true(same < 3);
        zkm_tensor_free(&b);
    }
    /* the shape does not change the stream: a prefix is a prefix */
    const uint64_t flat = 50;
    assert_int_equal(zkm_tensor_random("fc1.weight", &flat, 1, 784, seed, W, &b, &e), ZKM_OK);
    assert_memory_equal(a.data, b.data, 50 * sizeof(double));
    zkm_tensor_free(&b);
    zkm_tensor_free(&a);

    /* inputs: [0, 1), and fan_in ignored */
    assert_int_equal(zkm_tensor_random("input", shape, 2, 0, seed, I, &a, &e), ZKM_OK);
    assert_true(a.data[0] ==
                (double)(ref_first_word(seed, "zkm/tensor/v1/input:input") >> 11) * 0x1p-53);
    lo = 1, hi = 0, sum = 0;
    for (size_t i = 0; i < a.count; i++) {
        assert_true(a.data[i] >= 0 && a.data[i] < 1);
        lo = fmin(lo, a.data[i]);
        hi = fmax(hi, a.data[i]);
        sum += a.data[i];
    }
    assert_true(lo < 0.001 && hi > 0.999 && fabs(sum / (double)a.count - 0.5) < 0.02);
    zkm_tensor_free(&a);
    /* fan_in 1: [-1, 1); fan_in 0 is refused for weights */
    assert_int_equal(zkm_tensor_random("w", shape, 2, 1, seed, W, &a, &e), ZKM_OK);
    for (size_t i = 0; i < a.count; i++)
        assert_true(a.data[i] >= -1 && a.data[i] < 1);
    zkm_tensor_free(&a);
    assert_int_equal(zkm_tensor_random("w", shape, 2, 0, seed, W, &a, &e), ZKM_EINVAL);
    assert_string_equal(e.msg, "w: fan_in must be at least 1");
    const uint64_t absurd[2] = {(uint64_t)1 << 40, (uint64_t)1 << 40};
    assert_int_equal(zkm_tensor_random("w", absurd, 2, 1, seed, W, &a, &e), ZKM_EINVAL);
    assert_string_equal(e.msg, "w: shape [1099511627776, 1099511627776] has more than 2^40 "
                               "elements");
    assert_null(a.data);
}

/* ------------------------------------------------------------- matching */

static void add_zero(zkm_tensor_set *s, const char *name, uint32_t rank, const uint64_t *shape)
{
    zkm_tensor t;
    zkm_err e;
    assert_int_equal(zkm_tensor_init(&t, name, ZKM_TENSOR_F32, shape, rank, &e), ZKM_OK);
    assert_int_equal(zkm_tensor_set_add(s, &t, &e), ZKM_OK);
}

static void test_match(void **state)
{
    (void)state;
    zkm_tensor_set s;
    zkm_err e;
    char *rep;
    zkm_tensor_set_init(&s);
    add_zero(&s, "fc.weight", 2, (uint64_t[]){10, 84});
    add_zero(&s, "conv1.weight", 4, (uint64_t[]){6, 1, 3, 3});
    add_zero(&s, "extra.bias", 1, (uint64_t[]){10});
    add_zero(&s, "conv1.bias", 1, (uint64_t[]){6});
    add_zero(&s, "bn.scale", 2, (uint64_t[]){6, 1});
    const zkm_tensor_spec want[] = {
        {"conv1.weight", 4, {6, 1, 5, 5}},
        {"conv1.bias", 1, {6}},
        {"bn.scale", 1, {6}},
        {"fc.weight", 2, {10, 84}},
        {"fc.bias", 1, {10}},
        {"scale", 0, {0}},
    };
    assert_int_equal(zkm_tensors_match(&s, want, 6, &rep, &e), ZKM_EFORMAT);
    assert_string_equal(rep, "conv1.weight: expected [6, 1, 5, 5], found [6, 1, 3, 3]\n"
                             "bn.scale: expected [6], found [6, 1]\n"
                             "fc.bias: missing (expected [10])\n"
                             "scale: missing (expected [])\n"
                             "extra.bias: unexpected tensor [10] (no such parameter in the "
                             "model)\n");
    assert_string_equal(e.msg, "tensors do not match the model: 2 missing, 2 mis-shaped, 1 "
                               "unexpected; first: conv1.weight: expected [6, 1, 5, 5], found "
                               "[6, 1, 3, 3]");
    free(rep);
    assert_int_equal(zkm_tensors_match(&s, want, 6, NULL, &e), ZKM_EFORMAT);
    /* all present */
    const zkm_tensor_spec all[] = {
        {"bn.scale", 2, {6, 1}},        {"conv1.bias", 1, {6}}, {"conv1.weight", 4, {6, 1, 3, 3}},
        {"extra.bias", 1, {10}},        {"fc.weight", 2, {10, 84}},
    };
    rep = (char *)1;
    assert_int_equal(zkm_tensors_match(&s, all, 5, &rep, &e), ZKM_OK);
    assert_null(rep);
    /* an empty set: everything missing */
    zkm_tensor_set none;
    zkm_tensor_set_init(&none);
    assert_int_equal(zkm_tensors_match(&none, all, 2, &rep, &e), ZKM_EFORMAT);
    assert_string_equal(rep, "bn.scale: missing (expected [6, 1])\n"
                             "conv1.bias: missing (expected [6])\n");
    free(rep);
    /* bad expectations */
    const zkm_tensor_spec dup[] = {{"a", 0, {0}}, {"b", 0, {0}}, {"a", 1, {2}}};
    assert_int_equal(zkm_tensors_match(&s, dup, 3, &rep, &e), ZKM_EINVAL);
    assert_string_equal(e.msg, "a: expected twice");
    const zkm_tensor_spec deep[] = {{"a", 9, {0}}};
    assert_int_equal(zkm_tensors_match(&s, deep, 1, &rep, &e), ZKM_EINVAL);
    zkm_tensor_set_free(&s);
}

/* ---------------------------------------------------------- set and misc */

static void test_set_and_misc(void **state)
{
    (void)state;
    zkm_tensor_set s;
    zkm_tensor t;
    zkm_err e;
    char buf[64];
    zkm_tensor_set_init(&s);
    const uint64_t two = 2;
    assert_int_equal(zkm_tensor_init(&t, "a", ZKM_TENSOR_I8, &two, 1, &e), ZKM_OK);
    assert_int_equal(zkm_tensor_set_add(&s, &t, &e), ZKM_OK);
    assert_null(t.name);
    assert_int_equal(zkm_tensor_init(&t, "a", ZKM_TENSOR_I8, &two, 1, &e), ZKM_OK);
    assert_int_equal(zkm_tensor_set_add(&s, &t, &e), ZKM_EFORMAT);
    assert_string_equal(e.msg, "a: duplicate tensor name");
    assert_non_null(t.name); /* still the caller's */
    zkm_tensor_free(&t);
    for (int i = 20; i-- > 0;) {
        char nm[16];
        snprintf(nm, sizeof nm, "t%02d", i);
        assert_int_equal(zkm_tensor_init(&t, nm, ZKM_TENSOR_F32, NULL, 0, &e), ZKM_OK);
        assert_int_equal(zkm_tensor_set_add(&s, &t, &e), ZKM_OK);
    }
    assert_int_equal(s.n, 21);
    for (size_t i = 1; i < s.n; i++)
        assert_true(strcmp(s.t[i - 1].name, s.t[i].name) < 0);
    assert_non_null(zkm_tensor_set_find(&s, "t07"));
    assert_null(zkm_tensor_set_find(&s, "t7"));
    /* re-sorting after direct edits catches duplicates */
    free(s.t[3].name);
    s.t[3].name = strdup("a");
    assert_int_equal(zkm_tensor_set_sort(&s, "here", &e), ZKM_EFORMAT);
    assert_string_equal(e.msg, "here: a: duplicate tensor name");
    zkm_tensor_set_free(&s);
    zkm_tensor_set_free(&s); /* idempotent */

    /* shapes and names */
    assert_string_equal(zkm_tensor_shape_str(NULL, 0, buf, sizeof buf), "[]");
    assert_string_equal(zkm_tensor_shape_str((uint64_t[]){6, 1, 5, 5}, 4, buf, sizeof buf),
                        "[6, 1, 5, 5]");
    assert_string_equal(zkm_tensor_shape_str((uint64_t[]){6, 1, 5, 5}, 4, buf, 6), "[6, 1");
    const uint64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    assert_int_equal(zkm_tensor_init(&t, "n", ZKM_TENSOR_F32, nine, 9, &e), ZKM_EINVAL);
    assert_string_equal(e.msg, "n: rank 9 exceeds the maximum 8");
    assert_int_equal(zkm_tensor_init(&t, "", ZKM_TENSOR_F32, nine, 1, &e), ZKM_EINVAL);
    assert_string_equal(e.msg, "invalid tensor name: empty tensor name");
    assert_int_equal(zkm_tensor_init(&t, "a\nb", ZKM_TENSOR_F32, nine, 1, &e), ZKM_EINVAL);
    assert_int_equal(zkm_tensor_init(&t, "z", ZKM_TENSOR_F32, (uint64_t[]){0, (uint64_t)1 << 40},
                                     2, &e), ZKM_OK);
    assert_int_equal(t.count, 0);
    assert_null(t.data);
    zkm_tensor_free(&t);
    zkm_tensor_free(NULL);

    /* encoding refuses what the dtype cannot hold */
    size_t bad;
    uint8_t out[16];
    const double v[2] = {1, 300};
    assert_int_equal(zkm_tensor_encode(ZKM_TENSOR_U8, v, 2, out, &bad, &e), ZKM_EINVAL);
    assert_int_equal(bad, 1);
    assert_string_equal(e.msg, "is 300, not an integer in [0, 255]");
    const double bo = 2, nan = NAN, f = 1e39;
    assert_int_equal(zkm_tensor_encode(ZKM_TENSOR_BOOL, &bo, 1, out, &bad, &e), ZKM_EINVAL);
    assert_int_equal(zkm_tensor_encode(ZKM_TENSOR_F64, &nan, 1, out, &bad, &e), ZKM_EINVAL);
    assert_string_equal(e.msg, "is NaN; values must be finite");
    assert_int_equal(zkm_tensor_encode(ZKM_TENSOR_F32, &f, 1, out, &bad, &e), ZKM_EINVAL);
    assert_string_equal(e.msg, "is 9.9999999999999994e+38, beyond the float32 range");
    /* bf16 has no numpy dtype */
    assert_int_equal(zkm_tensor_init(&t, "h", ZKM_TENSOR_BF16, NULL, 0, &e), ZKM_OK);
    uint8_t *b;
    size_t n;
    assert_int_equal(zkm_npy_encode(&t, &b, &n, &e), ZKM_EINVAL);
    assert_string_equal(e.msg, "h: dtype bf16 has no NumPy equivalent");
    assert_int_equal(zkm_npy_write(path_in("h.npy"), &t, &e), ZKM_EINVAL);
    assert_int_equal(access(path_in("h.npy"), F_OK), -1); /* nothing left behind */
    zkm_tensor_free(&t);
    assert_string_equal(zkm_tensor_dtype_name(ZKM_TENSOR_BF16), "bf16");
    assert_int_equal(zkm_tensor_dtype_size(ZKM_TENSOR_I16), 2);
}

/* ----------------------------------------------------------------- main */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/zkm-tensors-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    return mkdtemp(g_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    g_seed = tu_seed("test_tensors");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_npy_roundtrip),
        cmocka_unit_test(test_st_roundtrip),
        cmocka_unit_test(test_writer_bytes),
        cmocka_unit_test(test_npy_handbuilt),
        cmocka_unit_test(test_st_handbuilt),
        cmocka_unit_test(test_half_conversion),
        cmocka_unit_test(test_dir_and_dispatch),
        cmocka_unit_test(test_npy_malformed),
        cmocka_unit_test(test_st_malformed),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_set_and_misc),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
