/* Tensors and tensor sets, element conversion, seeded random tensors, the
 * matching of a set against a model's parameters, and zkm_tensors_load's
 * dispatch.  The .npy and safetensors formats live in npy.c and
 * safetensors.c. */
#include "tensors.h"

#include "zkm_strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "zkm_file.h"
#include "zkm_rng.h"

/* ---------------------------------------------------------------- dtypes */

static const struct {
    const char *name;
    uint8_t size;
} DT[ZKM_TENSOR_DTYPE_COUNT] = {
    [ZKM_TENSOR_BOOL] = {"bool", 1}, [ZKM_TENSOR_U8] = {"u8", 1},
    [ZKM_TENSOR_I8] = {"i8", 1},     [ZKM_TENSOR_U16] = {"u16", 2},
    [ZKM_TENSOR_I16] = {"i16", 2},   [ZKM_TENSOR_U32] = {"u32", 4},
    [ZKM_TENSOR_I32] = {"i32", 4},   [ZKM_TENSOR_U64] = {"u64", 8},
    [ZKM_TENSOR_I64] = {"i64", 8},   [ZKM_TENSOR_F16] = {"f16", 2},
    [ZKM_TENSOR_BF16] = {"bf16", 2}, [ZKM_TENSOR_F32] = {"f32", 4},
    [ZKM_TENSOR_F64] = {"f64", 8},
};

const char *zkm_tensor_dtype_name(zkm_tensor_dtype dt)
{
    return (unsigned)dt < ZKM_TENSOR_DTYPE_COUNT ? DT[dt].name : "?";
}

size_t zkm_tensor_dtype_size(zkm_tensor_dtype dt)
{
    return (unsigned)dt < ZKM_TENSOR_DTYPE_COUNT ? DT[dt].size : 0;
}

static inline uint64_t load(const uint8_t *p, unsigned k, int be)
{
    uint64_t x = 0;
    for (unsigned i = 0; i < k; i++)
        x |= (uint64_t)p[be ? k - 1 - i : i] << (8 * i);
    return x;
}

static inline void store(uint8_t *p, unsigned k, uint64_t x)
{
    for (unsigned i = 0; i < k; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

/* A binary float with ebits exponent bits and mbits stored mantissa bits
 * (binary16: 5, 10; bfloat16: 8, 7).  Every such value is a double. */
static double small_to_double(uint32_t bits, int ebits, int mbits, int *finite)
{
    const uint32_t emax = (1u << ebits) - 1, bias = emax >> 1;
    const uint32_t f = bits & ((1u << mbits) - 1);
    const uint32_t ex = (bits >> mbits) & emax;
    const int neg = (bits >> (ebits + mbits)) & 1;
    double v;
    *finite = ex != emax;
    if (ex == emax)
        v = f ? NAN : INFINITY;
    else if (ex == 0)
        v = ldexp((double)f, 1 - (int)bias - mbits);
    else
        v = ldexp((double)(f | (1u << mbits)), (int)ex - (int)bias - mbits);
    return neg ? -v : v;
}

/* Round x (finite) to the nearest such float, ties to even; 0 on overflow. */
static int double_to_small(double x, int ebits, int mbits, uint32_t *out)
{
    const int bias = (1 << (ebits - 1)) - 1, emin = 1 - bias;
    const uint32_t sign = signbit(x) ? 1u << (ebits + mbits) : 0;
    const double a = fabs(x);
    if (a == 0) {
        *out = sign;
        return 1;
    }
    int ex;
    frexp(a, &ex); /* a in [2^(ex-1), 2^ex) */
    int qe = ex - 1 - mbits;
    if (qe < emin - mbits)
        qe = emin - mbits;
    const double v = ldexp(nearbyint(ldexp(a, -qe)), qe);
    const double max = ldexp(2.0 - ldexp(1.0, -mbits), bias);
    if (v > max)
        return 0;
    uint32_t E, F;
    if (v < ldexp(1.0, emin)) {
        E = 0;
        F = (uint32_t)ldexp(v, mbits - emin);
    } else {
        int e2;
        frexp(v, &e2);
        const int lead = e2 - 1;
        E = (uint32_t)(lead + bias);
        F = (uint32_t)ldexp(v, mbits - lead) - (1u << mbits);
    }
    *out = sign | E << mbits | F;
    return 1;
}

static zkm_status nonfinite(zkm_err *e, zkm_status code, double v)
{
    return zkm_fail(e, code, "is %s; values must be finite",
                    isnan(v) ? "NaN" : v > 0 ? "+inf" : "-inf");
}

zkm_status zkm_tensor_decode(zkm_tensor_dtype dt, int be, const uint8_t *src, size_t count,
                             double *dst, size_t *bad, zkm_err *e)
{
    const unsigned k = (unsigned)zkm_tensor_dtype_size(dt);
    const uint64_t lim = ZKM_TENSOR_MAX_EXACT_INT;
    int fin = 1;
    for (size_t i = 0; i < count; i++) {
        const uint64_t x = load(src + i * k, k, be);
        double v;
        switch (dt) {
        case ZKM_TENSOR_BOOL:
            if (x > 1) {
                *bad = i;
                return zkm_fail(e, ZKM_EFORMAT, "is the byte %" PRIu64 "; a bool must be 0 or 1",
                                x);
            }
            v = (double)x;
            break;
        case ZKM_TENSOR_U8:
        case ZKM_TENSOR_U16:
        case ZKM_TENSOR_U32:
            v = (double)x;
            break;
        case ZKM_TENSOR_I8: v = (int8_t)x; break;
        case ZKM_TENSOR_I16: v = (int16_t)x; break;
        case ZKM_TENSOR_I32: v = (int32_t)x; break;
        case ZKM_TENSOR_U64:
            if (x > lim) {
                *bad = i;
                return zkm_fail(e, ZKM_EFORMAT,
                                "is %" PRIu64 ", beyond 2^53: not exactly representable", x);
            }
            v = (double)x;
            break;
        case ZKM_TENSOR_I64: {
            const int64_t s = (int64_t)x;
            if (s > (int64_t)lim || s < -(int64_t)lim) {
                *bad = i;
                return zkm_fail(e, ZKM_EFORMAT,
                                "is %" PRId64 ", beyond 2^53 in magnitude: not exactly "
                                "representable", s);
            }
            v = (double)s;
            break;
        }
        case ZKM_TENSOR_F16: v = small_to_double((uint32_t)x, 5, 10, &fin); break;
        case ZKM_TENSOR_BF16: v = small_to_double((uint32_t)x, 8, 7, &fin); break;
        case ZKM_TENSOR_F32: {
            float f;
            uint32_t b = (uint32_t)x;
            memcpy(&f, &b, 4);
            v = f;
            fin = isfinite(v);
            break;
        }
        case ZKM_TENSOR_F64:
            memcpy(&v, &x, 8);
            fin = isfinite(v);
            break;
        default:
            return zkm_fail(e, ZKM_EINVAL, "unknown dtype %d", (int)dt);
        }
        if (!fin) {
            *bad = i;
            return nonfinite(e, ZKM_EFORMAT, v);
        }
        dst[i] = v;
    }
    return ZKM_OK;
}

/* Integer dtypes: value range (also within 2^53). */
static int int_range(zkm_tensor_dtype dt, double *lo, double *hi)
{
    const double x = (double)ZKM_TENSOR_MAX_EXACT_INT;
    switch (dt) {
    case ZKM_TENSOR_BOOL: *lo = 0, *hi = 1; return 1;
    case ZKM_TENSOR_U8: *lo = 0, *hi = 255; return 1;
    case ZKM_TENSOR_I8: *lo = -128, *hi = 127; return 1;
    case ZKM_TENSOR_U16: *lo = 0, *hi = 65535; return 1;
    case ZKM_TENSOR_I16: *lo = -32768, *hi = 32767; return 1;
    case ZKM_TENSOR_U32: *lo = 0, *hi = 4294967295.0; return 1;
    case ZKM_TENSOR_I32: *lo = -2147483648.0, *hi = 2147483647.0; return 1;
    case ZKM_TENSOR_U64: *lo = 0, *hi = x; return 1;
    case ZKM_TENSOR_I64: *lo = -x, *hi = x; return 1;
    default: return 0;
    }
}

zkm_status zkm_tensor_encode(zkm_tensor_dtype dt, const double *src, size_t count, uint8_t *dst,
                             size_t *bad, zkm_err *e)
{
    if ((unsigned)dt >= ZKM_TENSOR_DTYPE_COUNT)
        return zkm_fail(e, ZKM_EINVAL, "unknown dtype %d", (int)dt);
    const unsigned k = (unsigned)zkm_tensor_dtype_size(dt);
    double lo = 0, hi = 0;
    const int is_int = int_range(dt, &lo, &hi);
    for (size_t i = 0; i < count; i++) {
        const double v = src[i];
        uint64_t x;
        if (!isfinite(v)) {
            *bad = i;
            return nonfinite(e, ZKM_EINVAL, v);
        }
        if (is_int) {
            if (v != trunc(v) || v < lo || v > hi) {
                *bad = i;
                return zkm_fail(e, ZKM_EINVAL, "is %.17g, not an integer in [%.17g, %.17g]", v,
                                lo, hi);
            }
            x = v < 0 ? (uint64_t)(int64_t)v : (uint64_t)v;
        } else if (dt == ZKM_TENSOR_F32) {
            const float f = (float)v;
            uint32_t b;
            if (!isfinite(f)) {
                *bad = i;
                return zkm_fail(e, ZKM_EINVAL, "is %.17g, beyond the float32 range", v);
            }
            memcpy(&b, &f, 4);
            x = b;
        } else if (dt == ZKM_TENSOR_F64) {
            memcpy(&x, &v, 8);
        } else {
            const int f16 = dt == ZKM_TENSOR_F16;
            uint32_t b;
            if (!double_to_small(v, f16 ? 5 : 8, f16 ? 10 : 7, &b)) {
                *bad = i;
                return zkm_fail(e, ZKM_EINVAL, "is %.17g, beyond the %s range", v,
                                f16 ? "float16" : "bfloat16");
            }
            x = b;
        }
        store(dst + i * k, k, x);
    }
    return ZKM_OK;
}

/* --------------------------------------------------------------- tensors */

zkm_status zkm_tensor_shape_count(const uint64_t *shape, uint32_t rank, size_t *count,
                                  zkm_err *e)
{
    if (rank > ZKM_TENSOR_MAX_RANK)
        return zkm_fail(e, ZKM_EFORMAT, "rank %" PRIu32 " exceeds the maximum %d", rank,
                        ZKM_TENSOR_MAX_RANK);
    uint64_t n = 1;
    for (uint32_t i = 0; i < rank; i++) {
        if (shape[i] > ZKM_TENSOR_MAX_DIM)
            return zkm_fail(e, ZKM_EFORMAT, "dimension %" PRIu32 " is %" PRIu64
                            ", above the limit 2^40", i, shape[i]);
        /* saturate just above the limit; a later zero dimension still makes
         * the tensor empty */
        if (__builtin_mul_overflow(n, shape[i], &n) || n > ZKM_TENSOR_MAX_ELEMS)
            n = ZKM_TENSOR_MAX_ELEMS + 1;
    }
    if (n > ZKM_TENSOR_MAX_ELEMS) {
        char s[200];
        return zkm_fail(e, ZKM_EFORMAT, "shape %s has more than 2^40 elements",
                        zkm_tensor_shape_str(shape, rank, s, sizeof s));
    }
    *count = (size_t)n;
    return ZKM_OK;
}

char *zkm_tensor_shape_str(const uint64_t *shape, uint32_t rank, char *buf, size_t n)
{
    if (!n)
        return buf;
    size_t o = 0;
    buf[0] = '\0';
    o += (size_t)snprintf(buf, n, "[");
    for (uint32_t i = 0; i < rank && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%" PRIu64, i ? ", " : "", shape[i]);
    if (o < n)
        snprintf(buf + o, n - o, "]");
    return buf;
}

char *zkm_tensor_index_str(const uint64_t *shape, uint32_t rank, int fortran, size_t flat,
                           char *buf, size_t n)
{
    uint64_t idx[ZKM_TENSOR_MAX_RANK];
    uint64_t f = flat;
    for (uint32_t k = 0; k < rank; k++) {
        const uint32_t j = fortran ? k : rank - 1 - k;
        idx[j] = f % shape[j];
        f /= shape[j];
    }
    return zkm_tensor_shape_str(idx, rank, buf, n);
}

zkm_status zkm_tensor_check_name(const char *name, zkm_err *e)
{
    if (!name || !*name)
        return zkm_fail(e, ZKM_EFORMAT, "empty tensor name");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return zkm_fail(e, ZKM_EFORMAT, "tensor name holds the control character 0x%02x",
                            *p);
    return ZKM_OK;
}

zkm_status zkm_tensor_init(zkm_tensor *t, const char *name, zkm_tensor_dtype dt,
                           const uint64_t *shape, uint32_t rank, zkm_err *e)
{
    memset(t, 0, sizeof *t);
    size_t count;
    if ((unsigned)dt >= ZKM_TENSOR_DTYPE_COUNT)
        return zkm_fail(e, ZKM_EINVAL, "%s: unknown dtype %d", name ? name : "?", (int)dt);
    if (zkm_tensor_check_name(name, e))
        return zkm_err_prefix(e, ZKM_EINVAL, "invalid tensor name: ");
    if (zkm_tensor_shape_count(shape, rank, &count, e))
        return zkm_err_prefix(e, ZKM_EINVAL, "%s: ", name);
    t->name = strdup(name);
    if (!t->name)
        return zkm_fail(e, ZKM_ENOMEM, "%s: out of memory", name);
    if (count) {
        t->data = zkm_calloc(count, sizeof(double), name, e);
        if (!t->data) {
            free(t->name);
            t->name = NULL;
            return ZKM_ENOMEM;
        }
    }
    t->dtype = dt;
    t->rank = rank;
    for (uint32_t i = 0; i < rank; i++)
        t->shape[i] = shape[i];
    t->count = count;
    return ZKM_OK;
}

void zkm_tensor_free(zkm_tensor *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->data);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------ sets */

void zkm_tensor_set_init(zkm_tensor_set *s)
{
    memset(s, 0, sizeof *s);
}

void zkm_tensor_set_free(zkm_tensor_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        zkm_tensor_free(&s->t[i]);
    free(s->t);
    memset(s, 0, sizeof *s);
}

/* Index of name in s, or where it would go (*found = 0). */
static size_t lower_bound(const zkm_tensor_set *s, const char *name, int *found)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(s->t[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < s->n && strcmp(s->t[lo].name, name) == 0;
    return lo;
}

zkm_status zkm_tensor_set_add(zkm_tensor_set *s, zkm_tensor *t, zkm_err *e)
{
    zkm_status st = zkm_tensor_check_name(t->name, e);
    if (st)
        return st;
    int found;
    size_t at = lower_bound(s, t->name, &found);
    if (found)
        return zkm_fail(e, ZKM_EFORMAT, "%s: duplicate tensor name", t->name);
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        zkm_tensor *nt = NULL;
        size_t bytes;
        if (zkm_mul_ok(cap, sizeof *nt, &bytes))
            nt = realloc(s->t, bytes);
        if (!nt)
            return zkm_fail(e, ZKM_ENOMEM, "%s: out of memory", t->name);
        s->t = nt;
        s->cap = cap;
    }
    memmove(&s->t[at + 1], &s->t[at], (s->n - at) * sizeof *s->t);
    s->t[at] = *t;
    s->n++;
    memset(t, 0, sizeof *t);
    return ZKM_OK;
}

const zkm_tensor *zkm_tensor_set_find(const zkm_tensor_set *s, const char *name)
{
    int found;
    size_t at = lower_bound(s, name, &found);
    return found ? &s->t[at] : NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const zkm_tensor *)a)->name, ((const zkm_tensor *)b)->name);
}

zkm_status zkm_tensor_set_sort(zkm_tensor_set *s, const char *where, zkm_err *e)
{
    if (s->n > 1)
        qsort(s->t, s->n, sizeof *s->t, by_name);
    for (size_t i = 1; i < s->n; i++)
        if (strcmp(s->t[i - 1].name, s->t[i].name) == 0)
            return zkm_fail(e, ZKM_EFORMAT, "%s: %s: duplicate tensor name",
                            where ? where : "<set>", s->t[i].name);
    return ZKM_OK;
}

/* --------------------------------------------------------------- loading */

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && memcmp(s + n - m, suf, m) == 0;
}

/* The tensor name of a .npy file: its base name without ".npy". */
static char *npy_stem(const char *path)
{
    const char *b = base_name(path);
    size_t n = strlen(b);
    if (ends_with(b, ".npy"))
        n -= 4;
    return strndup(b, n);
}

zkm_status zkm_npy_read(const char *path, size_t max_bytes, zkm_tensor *out, zkm_err *e)
{
    uint8_t *buf;
    size_t len;
    memset(out, 0, sizeof *out);
    if (!max_bytes)
        max_bytes = ZKM_TENSOR_MAX_FILE_BYTES;
    zkm_status st = zkm_read_file(path, max_bytes, &buf, &len, e);
    if (st)
        return st;
    char *stem = npy_stem(path);
    if (!stem) {
        free(buf);
        return zkm_fail(e, ZKM_ENOMEM, "%s: out of memory", path);
    }
    st = zkm_npy_parse(buf, len, stem, path, out, e);
    free(stem);
    free(buf);
    return st;
}

zkm_status zkm_safetensors_read(const char *path, size_t max_bytes, zkm_tensor_set *out,
                                zkm_err *e)
{
    uint8_t *buf;
    size_t len;
    zkm_tensor_set_init(out);
    if (!max_bytes)
        max_bytes = ZKM_TENSOR_MAX_FILE_BYTES;
    zkm_status st = zkm_read_file(path, max_bytes, &buf, &len, e);
    if (st)
        return st;
    st = zkm_st_parse(buf, len, path, out, e);
    free(buf);
    return st;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static zkm_status load_dir(const char *path, size_t max_bytes, zkm_tensor_set *out, zkm_err *e)
{
    DIR *d = opendir(path);
    if (!d)
        return zkm_fail(e, ZKM_EIO, "%s: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    zkm_status st = ZKM_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *nm = de->d_name;
        if (nm[0] == '.' || !ends_with(nm, ".npy"))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                st = zkm_fail(e, ZKM_ENOMEM, "%s: out of memory", path);
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(nm))) {
            st = zkm_fail(e, ZKM_ENOMEM, "%s: out of memory", path);
            break;
        }
        n++;
    }
    closedir(d);
    if (!st && n == 0)
        st = zkm_fail(e, ZKM_EFORMAT, "%s: no .npy files in this directory", path);
    if (!st && n > 1)
        qsort(names, n, sizeof *names, by_str);
    size_t used = 0;
    for (size_t i = 0; i < n && !st; i++) {
        size_t pl = strlen(path) + strlen(names[i]) + 2;
        char *fp = malloc(pl);
        if (!fp) {
            st = zkm_fail(e, ZKM_ENOMEM, "%s: out of memory", path);
            break;
        }
        snprintf(fp, pl, "%s%s%s", path, ends_with(path, "/") ? "" : "/", names[i]);
        uint8_t *buf = NULL;
        size_t len = 0;
        st = zkm_read_file(fp, max_bytes - used, &buf, &len, e);
        if (st == ZKM_EFORMAT)
            st = zkm_fail(e, ZKM_EFORMAT, "%s: the .npy files together exceed %zu bytes", path,
                          max_bytes);
        zkm_tensor t;
        memset(&t, 0, sizeof t);
        if (!st) {
            used += len;
            names[i][strlen(names[i]) - 4] = '\0';
            st = zkm_npy_parse(buf, len, names[i], fp, &t, e);
        }
        free(buf);
        if (!st && (st = zkm_tensor_set_add(out, &t, e)) != ZKM_OK)
            zkm_tensor_free(&t);
        free(fp);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return st;
}

zkm_status zkm_tensors_load(const char *path, size_t max_bytes, zkm_tensor_set *out,
                            zkm_err *e)
{
    zkm_tensor_set_init(out);
    if (!max_bytes)
        max_bytes = ZKM_TENSOR_MAX_FILE_BYTES;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return zkm_fail(e, ZKM_EIO, "%s: %s", path, strerror(errno));
    zkm_status st;
    if (S_ISDIR(sb.st_mode)) {
        st = load_dir(path, max_bytes, out, e);
        if (st)
            zkm_tensor_set_free(out);
        return st;
    }
    uint8_t *buf;
    size_t len;
    st = zkm_read_file(path, max_bytes, &buf, &len, e);
    if (st)
        return st;
    static const uint8_t npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    uint64_t hl = 0;
    for (int i = 0; i < 8 && (size_t)i < len; i++)
        hl |= (uint64_t)buf[i] << (8 * i);
    const int is_npy = len >= 6 && memcmp(buf, npy_magic, 6) == 0;
    const int looks_st = len >= 9 && hl <= len - 8 && buf[8] == '{';
    if (is_npy || (ends_with(path, ".npy") && !looks_st)) {
        zkm_tensor t;
        char *stem = npy_stem(path);
        if (!stem)
            st = zkm_fail(e, ZKM_ENOMEM, "%s: out of memory", path);
        else
            st = zkm_npy_parse(buf, len, stem, path, &t, e);
        free(stem);
        if (!st && (st = zkm_tensor_set_add(out, &t, e)) != ZKM_OK)
            zkm_tensor_free(&t);
    } else if (looks_st || ends_with(path, ".safetensors")) {
        st = zkm_st_parse(buf, len, path, out, e);
    } else if (len >= 4 && memcmp(buf, "PK\x03\x04", 4) == 0) {
        st = zkm_fail(e, ZKM_EFORMAT,
                      "%s: a zip archive (.npz?); unpack it into a directory of .npy files",
                      path);
    } else {
        st = zkm_fail(e, ZKM_EFORMAT,
                      "%s: neither a .npy file (which starts with \\x93NUMPY) nor a safetensors "
                      "file (an 8-byte little-endian length, then a JSON header starting "
                      "with '{')", path);
    }
    free(buf);
    if (st)
        zkm_tensor_set_free(out);
    return st;
}

/* ---------------------------------------------------------------- random */

zkm_status zkm_tensor_random(const char *name, const uint64_t *shape, uint32_t rank,
                             uint64_t fan_in, uint64_t seed, zkm_tensor_rand_kind kind,
                             zkm_tensor *out, zkm_err *e)
{
    memset(out, 0, sizeof *out);
    if (kind != ZKM_TENSOR_RAND_WEIGHT && kind != ZKM_TENSOR_RAND_INPUT)
        return zkm_fail(e, ZKM_EINVAL, "%s: unknown random kind %d", name ? name : "?",
                        (int)kind);
    if (kind == ZKM_TENSOR_RAND_WEIGHT && fan_in == 0)
        return zkm_fail(e, ZKM_EINVAL, "%s: fan_in must be at least 1", name ? name : "?");
    zkm_status st = zkm_tensor_init(out, name, ZKM_TENSOR_F64, shape, rank, e);
    if (st)
        return st;
    const char *pre = kind == ZKM_TENSOR_RAND_WEIGHT ? "zkm/tensor/v1/weight:"
                                                     : "zkm/tensor/v1/input:";
    size_t dl = strlen(pre) + strlen(name) + 1;
    char *dom = malloc(dl);
    if (!dom) {
        zkm_tensor_free(out);
        return zkm_fail(e, ZKM_ENOMEM, "%s: out of memory", name);
    }
    snprintf(dom, dl, "%s%s", pre, name);
    zkm_rng g;
    zkm_rng_init(&g, seed, dom);
    free(dom);
    const double b = 1.0 / sqrt((double)fan_in);
    for (size_t i = 0; i < out->count; i++) {
        const double u = (double)(zkm_rng_u64(&g) >> 11) * 0x1p-53;
        out->data[i] = kind == ZKM_TENSOR_RAND_INPUT ? u : (2.0 * u - 1.0) * b;
    }
    return ZKM_OK;
}

/* -------------------------------------------------------------- matching */

static int spec_by_name(const void *a, const void *b)
{
    return strcmp((*(const zkm_tensor_spec *const *)a)->name,
                  (*(const zkm_tensor_spec *const *)b)->name);
}

zkm_status zkm_tensors_match(const zkm_tensor_set *s, const zkm_tensor_spec *want, size_t n,
                             char **report, zkm_err *e)
{
    if (report)
        *report = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!want[i].name || !*want[i].name)
            return zkm_fail(e, ZKM_EINVAL, "expected tensor %zu has no name", i);
        if (want[i].rank > ZKM_TENSOR_MAX_RANK)
            return zkm_fail(e, ZKM_EINVAL, "%s: expected rank %" PRIu32 " exceeds %d",
                            want[i].name, want[i].rank, ZKM_TENSOR_MAX_RANK);
    }
    const zkm_tensor_spec **sorted = zkm_calloc(n, sizeof *sorted, "tensor match", e);
    uint8_t *used = zkm_calloc(s->n, 1, "tensor match", e);
    if (!sorted || !used) {
        free(sorted);
        free(used);
        return ZKM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = &want[i];
    if (n > 1)
        qsort(sorted, n, sizeof *sorted, spec_by_name);
    for (size_t i = 1; i < n; i++)
        if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0) {
            zkm_status st = zkm_fail(e, ZKM_EINVAL, "%s: expected twice", sorted[i]->name);
            free(sorted);
            free(used);
            return st;
        }
    free(sorted);

    zkm_strbuf b = {0};
    size_t missing = 0, wrong = 0, extra = 0;
    char s1[200], s2[200];
    for (size_t i = 0; i < n; i++) {
        const zkm_tensor_spec *w = &want[i];
        int found;
        size_t at = lower_bound(s, w->name, &found);
        zkm_tensor_shape_str(w->shape, w->rank, s1, sizeof s1);
        if (!found) {
            missing++;
            zkm_sb_printf(&b, "%s: missing (expected %s)\n", w->name, s1);
            continue;
        }
        used[at] = 1;
        const zkm_tensor *t = &s->t[at];
        int same = t->rank == w->rank;
        for (uint32_t k = 0; same && k < w->rank; k++)
            same = t->shape[k] == w->shape[k];
        if (!same) {
            wrong++;
            zkm_sb_printf(&b, "%s: expected %s, found %s\n", w->name, s1,
                      zkm_tensor_shape_str(t->shape, t->rank, s2, sizeof s2));
        }
    }
    for (size_t i = 0; i < s->n; i++)
        if (!used[i]) {
            extra++;
            zkm_sb_printf(&b, "%s: unexpected tensor %s (no such parameter in the model)\n",
                      s->t[i].name, zkm_tensor_shape_str(s->t[i].shape, s->t[i].rank, s1,
                                                         sizeof s1));
        }
    free(used);
    if (b.failed) {
        free(b.s);
        return zkm_fail(e, ZKM_ENOMEM, "out of memory matching tensors");
    }
    if (!missing && !wrong && !extra) {
        free(b.s);
        return ZKM_OK;
    }
    size_t first = strcspn(b.s, "\n");
    zkm_fail(e, ZKM_EFORMAT,
             "tensors do not match the model: %zu missing, %zu mis-shaped, %zu unexpected; "
             "first: %.*s", missing, wrong, extra, (int)first, b.s);
    if (report)
        *report = b.s;
    else
        free(b.s);
    return ZKM_EFORMAT;
}
