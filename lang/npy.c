/* NumPy .npy files (numpy.lib.format, versions 1.0, 2.0 and 3.0).
 *
 *   offset 0  "\x93NUMPY"
 *          6  major, minor version bytes (1.0, 2.0 or 3.0)
 *          8  header length H: u16 LE (1.0) or u32 LE (2.0, 3.0)
 *   10 or 12  H bytes of header: a Python dict literal
 *                 {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 *             padded with spaces and ended by '\n' (latin-1 in 1.0/2.0,
 *             UTF-8 in 3.0; only ASCII is meaningful here)
 *   then      the elements, C order unless fortran_order, nothing after.
 *
 * The header is parsed by a small recursive-descent reader of exactly that
 * literal grammar (strings without escapes, True/False, tuples of
 * non-negative integers); it never evaluates anything. */
#include "tensors.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkm_file.h"

static const uint8_t MAGIC[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* ---------------------------------------------------------------- header */

typedef struct {
    const char *start, *p, *end;
} cur;

typedef struct {
    int has_descr, has_fortran, has_shape;
    const char *descr;
    size_t descr_len;
    int fortran;
    uint32_t rank;
    uint64_t shape[ZKM_TENSOR_MAX_RANK];
} npy_header;

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int peek(cur *c)
{
    while (c->p < c->end && is_ws(*c->p))
        c->p++;
    return c->p < c->end ? (unsigned char)*c->p : -1;
}

static size_t at(const cur *c)
{
    return (size_t)(c->p - c->start);
}

static zkm_status expect(cur *c, char ch, const char *where, zkm_err *e)
{
    const int got = peek(c);
    if (got == -1)
        return zkm_fail(e, ZKM_EFORMAT, "malformed .npy header: expected '%c' %s, but the header "
                        "ends", ch, where);
    if (got != ch)
        return zkm_fail(e, ZKM_EFORMAT, "malformed .npy header: expected '%c' %s at header byte %zu",
                        ch, where, at(c));
    c->p++;
    return ZKM_OK;
}

static zkm_status quoted(cur *c, const char **s, size_t *n, const char *what, zkm_err *e)
{
    int q = peek(c);
    if (q != '\'' && q != '"')
        return zkm_fail(e, ZKM_EFORMAT,
                        "malformed .npy header: expected a quoted %s at header byte %zu", what,
                        at(c));
    const char *b = ++c->p;
    while (c->p < c->end && *c->p != q && *c->p != '\n') {
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '\\' || ch < 0x20 || ch >= 0x7f)
            return zkm_fail(e, ZKM_EFORMAT,
                            "malformed .npy header: unexpected byte 0x%02x in a string at header "
                            "byte %zu", ch, at(c));
        c->p++;
    }
    if (c->p == c->end || *c->p != q)
        return zkm_fail(e, ZKM_EFORMAT,
                        "malformed .npy header: unterminated string at header byte %zu",
                        (size_t)(b - 1 - c->start));
    *s = b;
    *n = (size_t)(c->p - b);
    c->p++;
    return ZKM_OK;
}

static int word(cur *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
        return 0;
    if ((size_t)(c->end - c->p) > n) {
        char nx = c->p[n];
        if ((nx >= 'a' && nx <= 'z') || (nx >= 'A' && nx <= 'Z') || (nx >= '0' && nx <= '9') ||
            nx == '_')
            return 0;
    }
    c->p += n;
    return 1;
}

static zkm_status shape_tuple(cur *c, npy_header *h, zkm_err *e)
{
    zkm_status st = expect(c, '(', "opening the shape tuple", e);
    if (st)
        return st;
    if (peek(c) == ')') {
        c->p++;
        return ZKM_OK;
    }
    for (;;) {
        int ch = peek(c);
        if (ch == '-')
            return zkm_fail(e, ZKM_EFORMAT, "negative dimension in the shape at header byte %zu",
                            at(c));
        if (ch < '0' || ch > '9')
            return zkm_fail(e, ZKM_EFORMAT,
                            "malformed .npy header: expected a dimension (a non-negative "
                            "integer) at header byte %zu", at(c));
        const char *b = c->p;
        uint64_t v = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            v = v * 10 + (uint64_t)(*c->p - '0');
            c->p++;
            if (v > ZKM_TENSOR_MAX_DIM)
                return zkm_fail(e, ZKM_EFORMAT,
                                "dimension %" PRIu32 " of the shape is above the limit 2^40",
                                h->rank);
        }
        if (c->p - b > 1 && *b == '0')
            return zkm_fail(e, ZKM_EFORMAT,
                            "malformed .npy header: dimension with a leading zero at header "
                            "byte %zu", (size_t)(b - c->start));
        if (c->p < c->end && (*c->p == 'L' || *c->p == 'l')) /* Python 2 longs */
            c->p++;
        if (h->rank == ZKM_TENSOR_MAX_RANK)
            return zkm_fail(e, ZKM_EFORMAT, "the shape has more than %d dimensions",
                            ZKM_TENSOR_MAX_RANK);
        h->shape[h->rank++] = v;
        ch = peek(c);
        if (ch == ',') {
            c->p++;
            if (peek(c) == ')') {
                c->p++;
                return ZKM_OK;
            }
        } else if (ch == ')') {
            if (h->rank == 1)
                return zkm_fail(e, ZKM_EFORMAT,
                                "malformed .npy header: shape (%" PRIu64 ") is not a tuple "
                                "(numpy writes (%" PRIu64 ",))", v, v);
            c->p++;
            return ZKM_OK;
        } else {
            return zkm_fail(e, ZKM_EFORMAT,
                            "malformed .npy header: expected ',' or ')' in the shape at header "
                            "byte %zu", at(c));
        }
    }
}

static zkm_status parse_header(const char *s, size_t n, npy_header *h, zkm_err *e)
{
    cur c = {s, s, s + n};
    zkm_status st;
    memset(h, 0, sizeof *h);
    if ((st = expect(&c, '{', "opening the header dictionary", e)))
        return st;
    while (peek(&c) != '}') {
        const char *k;
        size_t kn;
        if ((st = quoted(&c, &k, &kn, "key", e)) || (st = expect(&c, ':', "after a key", e)))
            return st;
        int *seen;
#define KEY(lit) (kn == sizeof lit - 1 && memcmp(k, lit, kn) == 0)
        if (KEY("descr")) {
            seen = &h->has_descr;
            int ch = peek(&c);
            if (ch == '[' || ch == '{')
                return zkm_fail(e, ZKM_EFORMAT,
                                "structured dtypes (records of fields) are not supported");
            if ((st = quoted(&c, &h->descr, &h->descr_len, "dtype", e)))
                return st;
        } else if (KEY("fortran_order")) {
            seen = &h->has_fortran;
            peek(&c);
            if (word(&c, "True"))
                h->fortran = 1;
            else if (word(&c, "False"))
                h->fortran = 0;
            else
                return zkm_fail(e, ZKM_EFORMAT,
                                "malformed .npy header: fortran_order must be True or False "
                                "(header byte %zu)", at(&c));
        } else if (KEY("shape")) {
            seen = &h->has_shape;
            if ((st = shape_tuple(&c, h, e)))
                return st;
        } else {
            return zkm_fail(e, ZKM_EFORMAT,
                            "unexpected key '%.*s' in the .npy header (numpy writes exactly "
                            "descr, fortran_order and shape)", (int)(kn > 40 ? 40 : kn), k);
        }
#undef KEY
        if (*seen)
            return zkm_fail(e, ZKM_EFORMAT, "key '%.*s' appears twice in the .npy header",
                            (int)kn, k);
        *seen = 1;
        int ch = peek(&c);
        if (ch == ',')
            c.p++;
        else if (ch != '}')
            return zkm_fail(e, ZKM_EFORMAT,
                            "malformed .npy header: expected ',' or '}' at header byte %zu",
                            at(&c));
    }
    c.p++;
    if (peek(&c) != -1)
        return zkm_fail(e, ZKM_EFORMAT,
                        "malformed .npy header: unexpected byte 0x%02x after the dictionary at "
                        "header byte %zu", (unsigned char)*c.p, at(&c));
    if (!h->has_descr || !h->has_fortran || !h->has_shape)
        return zkm_fail(e, ZKM_EFORMAT, "the .npy header lacks the key '%s'",
                        !h->has_descr ? "descr" : !h->has_fortran ? "fortran_order" : "shape");
    return ZKM_OK;
}

/* '<f4' and friends: byte order, kind, size. */
static zkm_status parse_descr(const char *s, size_t n, zkm_tensor_dtype *dt, int *be,
                              zkm_err *e)
{
    const int show = (int)(n > 24 ? 24 : n);
    char order = 0;
    size_t i = 0;
    if (n && strchr("<>|=", s[0]))
        order = s[i++];
    if (i < n && s[i] == 'O')
        return zkm_fail(e, ZKM_EFORMAT,
                        "object arrays (pickled Python objects) are not supported; save a "
                        "numeric array");
    if (i >= n)
        return zkm_fail(e, ZKM_EFORMAT, "empty dtype '%.*s'", show, s);
    const char kind = s[i++];
    unsigned size = 0;
    if (i == n || i + 2 < n)
        size = 0;
    else
        for (; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') {
                size = 0;
                break;
            }
            size = size * 10 + (unsigned)(s[i] - '0');
        }
    static const struct {
        char kind;
        unsigned size;
        zkm_tensor_dtype dt;
    } T[] = {
        {'b', 1, ZKM_TENSOR_BOOL}, {'u', 1, ZKM_TENSOR_U8},   {'i', 1, ZKM_TENSOR_I8},
        {'u', 2, ZKM_TENSOR_U16},  {'i', 2, ZKM_TENSOR_I16},  {'u', 4, ZKM_TENSOR_U32},
        {'i', 4, ZKM_TENSOR_I32},  {'u', 8, ZKM_TENSOR_U64},  {'i', 8, ZKM_TENSOR_I64},
        {'f', 2, ZKM_TENSOR_F16},  {'f', 4, ZKM_TENSOR_F32},  {'f', 8, ZKM_TENSOR_F64},
    };
    for (size_t k = 0; k < sizeof T / sizeof T[0]; k++)
        if (T[k].kind == kind && T[k].size == size) {
            if (size > 1 && order != '<' && order != '>')
                return zkm_fail(e, ZKM_EFORMAT,
                                "dtype '%.*s' lacks an explicit byte order ('<' or '>')", show,
                                s);
            *dt = T[k].dt;
            *be = order == '>';
            return ZKM_OK;
        }
    const char *what = kind == 'c' ? "complex numbers"
                       : strchr("USa", kind) ? "strings"
                       : kind == 'V' ? "raw bytes"
                       : strchr("Mm", kind) ? "dates and times"
                       : kind == 'f' ? "this float size"
                       : "unknown kind";
    return zkm_fail(e, ZKM_EFORMAT,
                    "unsupported dtype '%.*s' (%s); supported: bool, int8..int64, "
                    "uint8..uint64, float16, float32, float64", show, s, what);
}

/* "[i, j, ...]" of element flat of shape, whose file order is C or Fortran. */
zkm_status zkm_npy_parse(const uint8_t *buf, size_t len, const char *name, const char *file,
                         zkm_tensor *out, zkm_err *e)
{
    memset(out, 0, sizeof *out);
    if (!file)
        file = "<buffer>";
    if (zkm_tensor_check_name(name, e))
        return zkm_err_prefix(e, ZKM_EFORMAT, "%s: %s: ", file, name && *name ? name : "(no name)");
    if (len && memcmp(buf, MAGIC, len < 6 ? len : 6) != 0)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: not a .npy file: it does not start with the magic \\x93NUMPY",
                        file, name);
    if (len < 10)
        return zkm_fail(e, ZKM_EFORMAT, "%s: %s: truncated .npy file (%zu bytes, no header)",
                        file, name, len);
    const unsigned major = buf[6], minor = buf[7];
    if (major < 1 || major > 3 || minor != 0)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: unsupported .npy format version %u.%u (supported: 1.0, 2.0, "
                        "3.0)", file, name, major, minor);
    const size_t pre = major == 1 ? 10 : 12;
    if (len < pre)
        return zkm_fail(e, ZKM_EFORMAT, "%s: %s: truncated .npy file (%zu bytes, no header)",
                        file, name, len);
    uint32_t hlen = (uint32_t)buf[8] | (uint32_t)buf[9] << 8;
    if (major > 1)
        hlen |= (uint32_t)buf[10] << 16 | (uint32_t)buf[11] << 24;
    if (hlen > ZKM_NPY_MAX_HEADER)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: .npy header length %" PRIu32 " exceeds the limit %" PRIu32,
                        file, name, hlen, ZKM_NPY_MAX_HEADER);
    if (hlen > len - pre)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: .npy header length %" PRIu32 " runs past the end of the file "
                        "(%zu bytes follow the length)", file, name, hlen, len - pre);
    npy_header h;
    zkm_tensor_dtype dt = ZKM_TENSOR_F32;
    int be = 0;
    size_t count = 0;
    if (parse_header((const char *)buf + pre, hlen, &h, e) ||
        parse_descr(h.descr, h.descr_len, &dt, &be, e) ||
        zkm_tensor_shape_count(h.shape, h.rank, &count, e))
        return zkm_err_prefix(e, ZKM_EFORMAT, "%s: %s: ", file, name);

    const size_t esz = zkm_tensor_dtype_size(dt);
    const size_t need = count * esz; /* count <= 2^40: no overflow */
    const size_t avail = len - pre - hlen;
    char sh[200];
    if (avail < need)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: truncated data: %s %s needs %zu bytes, the file has %zu", file,
                        name, zkm_tensor_dtype_name(dt),
                        zkm_tensor_shape_str(h.shape, h.rank, sh, sizeof sh), need, avail);
    if (avail > need)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: %zu unexpected bytes after the data (%s %s takes %zu bytes)",
                        file, name, avail - need, zkm_tensor_dtype_name(dt),
                        zkm_tensor_shape_str(h.shape, h.rank, sh, sizeof sh), need);

    const int transpose = h.fortran && h.rank >= 2 && count > 0;
    double *data = NULL, *tmp = NULL;
    if (count) {
        data = zkm_alloc_array(count, sizeof *data, name, e);
        if (transpose && data)
            tmp = zkm_alloc_array(count, sizeof *tmp, name, e);
        if (!data || (transpose && !tmp)) {
            free(data);
            return zkm_err_prefix(e, ZKM_ENOMEM, "%s: %s: ", file, name);
        }
    }
    size_t bad = 0;
    if (zkm_tensor_decode(dt, be, buf + pre + hlen, count, transpose ? tmp : data, &bad, e)) {
        char is[200];
        zkm_tensor_index_str(h.shape, h.rank, h.fortran, bad, is, sizeof is);
        free(data);
        free(tmp);
        return zkm_err_prefix(e, ZKM_EFORMAT, "%s: %s: element %s ", file, name, is);
    }
    if (transpose) {
        /* walk the C-order destination with an odometer, tracking the
         * Fortran-order source offset */
        uint64_t idx[ZKM_TENSOR_MAX_RANK] = {0}, fs[ZKM_TENSOR_MAX_RANK];
        fs[0] = 1;
        for (uint32_t k = 1; k < h.rank; k++)
            fs[k] = fs[k - 1] * h.shape[k - 1];
        size_t src = 0;
        for (size_t d = 0; d < count; d++) {
            data[d] = tmp[src];
            for (uint32_t k = h.rank; k-- > 0;) {
                if (++idx[k] < h.shape[k]) {
                    src += fs[k];
                    break;
                }
                idx[k] = 0;
                src -= (h.shape[k] - 1) * fs[k];
            }
        }
        free(tmp);
    }
    out->name = strdup(name);
    if (!out->name) {
        free(data);
        return zkm_fail(e, ZKM_ENOMEM, "%s: %s: out of memory", file, name);
    }
    out->dtype = dt;
    out->rank = h.rank;
    memcpy(out->shape, h.shape, sizeof h.shape);
    out->count = count;
    out->data = data;
    return ZKM_OK;
}

/* --------------------------------------------------------------- writing */

zkm_status zkm_npy_encode(const zkm_tensor *t, uint8_t **out, size_t *len, zkm_err *e)
{
    *out = NULL;
    *len = 0;
    const char *nm = t->name ? t->name : "(unnamed)";
    size_t count;
    if ((unsigned)t->dtype >= ZKM_TENSOR_DTYPE_COUNT || t->dtype == ZKM_TENSOR_BF16)
        return zkm_fail(e, ZKM_EINVAL, "%s: dtype %s has no NumPy equivalent", nm,
                        zkm_tensor_dtype_name(t->dtype));
    if (zkm_tensor_shape_count(t->shape, t->rank, &count, e) || count != t->count ||
        (count && !t->data))
        return zkm_fail(e, ZKM_EINVAL, "%s: shape, element count and data disagree", nm);
    static const char KIND[ZKM_TENSOR_DTYPE_COUNT] = {
        [ZKM_TENSOR_BOOL] = 'b', [ZKM_TENSOR_U8] = 'u',  [ZKM_TENSOR_I8] = 'i',
        [ZKM_TENSOR_U16] = 'u',  [ZKM_TENSOR_I16] = 'i', [ZKM_TENSOR_U32] = 'u',
        [ZKM_TENSOR_I32] = 'i',  [ZKM_TENSOR_U64] = 'u', [ZKM_TENSOR_I64] = 'i',
        [ZKM_TENSOR_F16] = 'f',  [ZKM_TENSOR_F32] = 'f', [ZKM_TENSOR_F64] = 'f',
    };
    const size_t esz = zkm_tensor_dtype_size(t->dtype);
    /* the dict exactly as numpy's _write_array_header renders it, plus its
     * spare spaces for growing the first axis */
    char hdr[512];
    int n = snprintf(hdr, sizeof hdr, "{'descr': '%c%c%zu', 'fortran_order': False, 'shape': (",
                     esz == 1 ? '|' : '<', KIND[t->dtype], esz);
    for (uint32_t i = 0; i < t->rank; i++)
        n += snprintf(hdr + n, sizeof hdr - (size_t)n, "%s%" PRIu64, i ? ", " : "", t->shape[i]);
    n += snprintf(hdr + n, sizeof hdr - (size_t)n, "%s), }", t->rank == 1 ? "," : "");
    if (t->rank > 0) {
        int digits = snprintf(NULL, 0, "%" PRIu64, t->shape[0]);
        n += snprintf(hdr + n, sizeof hdr - (size_t)n, "%*s", 21 - digits, "");
    }
    /* spaces and '\n' so that 10 + header is a multiple of 64 (at least one
     * space, as numpy pads) */
    const size_t hl = (size_t)n + 1;
    const size_t pad = 64 - (10 + hl) % 64;
    const size_t hlen = hl + pad;
    const size_t need = count * esz;
    const size_t total = 10 + hlen + need;
    uint8_t *b = malloc(total);
    if (!b)
        return zkm_fail(e, ZKM_ENOMEM, "%s: out of memory encoding .npy", nm);
    memcpy(b, MAGIC, 6);
    b[6] = 1;
    b[7] = 0;
    b[8] = (uint8_t)hlen;
    b[9] = (uint8_t)(hlen >> 8);
    memcpy(b + 10, hdr, (size_t)n);
    memset(b + 10 + n, ' ', pad);
    b[10 + hlen - 1] = '\n';
    size_t bad;
    if (zkm_tensor_encode(t->dtype, t->data, count, b + 10 + hlen, &bad, e)) {
        char is[200];
        zkm_tensor_index_str(t->shape, t->rank, 0, bad, is, sizeof is);
        free(b);
        return zkm_err_prefix(e, ZKM_EINVAL, "%s: element %s ", nm, is);
    }
    *out = b;
    *len = total;
    return ZKM_OK;
}

zkm_status zkm_npy_write(const char *path, const zkm_tensor *t, zkm_err *e)
{
    uint8_t *b;
    size_t n;
    zkm_status st = zkm_npy_encode(t, &b, &n, e);
    if (st)
        return zkm_err_prefix(e, st, "%s: cannot write: ", path);
    st = zkm_write_file_atomic(path, b, n, e);
    free(b);
    return st;
}
