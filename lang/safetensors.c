/* safetensors files (huggingface/safetensors, the format of
 * safetensors.torch.save_file).
 *
 *   offset 0   N: u64 little-endian, the header length
 *          8   N bytes of UTF-8 JSON, starting with '{', possibly padded
 *              with trailing spaces:
 *                {"__metadata__": {"format": "pt"},            (optional)
 *                 "conv1.weight": {"dtype": "F32", "shape": [6, 1, 5, 5],
 *                                  "data_offsets": [0, 600]}, ...}
 *      8 + N   the data area; offsets are relative to it, little-endian,
 *              C order; the tensors cover it exactly (no hole, no overlap).
 *
 * The JSON is parsed by jansson with JSON_REJECT_DUPLICATES. */
#include "tensors.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkm_file.h"

static const char *const ST_NAME[ZKM_TENSOR_DTYPE_COUNT] = {
    [ZKM_TENSOR_BOOL] = "BOOL", [ZKM_TENSOR_U8] = "U8",     [ZKM_TENSOR_I8] = "I8",
    [ZKM_TENSOR_U16] = "U16",   [ZKM_TENSOR_I16] = "I16",   [ZKM_TENSOR_U32] = "U32",
    [ZKM_TENSOR_I32] = "I32",   [ZKM_TENSOR_U64] = "U64",   [ZKM_TENSOR_I64] = "I64",
    [ZKM_TENSOR_F16] = "F16",   [ZKM_TENSOR_BF16] = "BF16", [ZKM_TENSOR_F32] = "F32",
    [ZKM_TENSOR_F64] = "F64",
};

typedef struct {
    const char *name; /* a key of the parsed header */
    zkm_tensor_dtype dt;
    uint32_t rank;
    uint64_t shape[ZKM_TENSOR_MAX_RANK];
    size_t count;
    uint64_t begin, end;
} st_entry;

static int by_offset(const void *a, const void *b)
{
    const st_entry *x = *(const st_entry *const *)a, *y = *(const st_entry *const *)b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

/* A JSON array of at most max non-negative integers into v[]; 0 if not. */
static int uint_array(const json_t *a, uint64_t *v, size_t max, size_t *n)
{
    if (!json_is_array(a))
        return 0;
    *n = json_array_size(a);
    if (*n > max)
        return 1; /* the caller reports the length */
    for (size_t i = 0; i < *n; i++) {
        const json_t *x = json_array_get(a, i);
        if (!json_is_integer(x) || json_integer_value(x) < 0)
            return 0;
        v[i] = (uint64_t)json_integer_value(x);
    }
    return 1;
}

static zkm_status parse_entry(const char *file, const char *key, const json_t *val, size_t dlen,
                              st_entry *en, zkm_err *e)
{
    if (zkm_tensor_check_name(key, e))
        return zkm_err_prefix(e, ZKM_EFORMAT, "%s: safetensors header: ", file);
    if (!json_is_object(val))
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: expected an object with dtype, shape and data_offsets", file,
                        key);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)val, k, v) {
        if (strcmp(k, "dtype") && strcmp(k, "shape") && strcmp(k, "data_offsets"))
            return zkm_fail(e, ZKM_EFORMAT,
                            "%s: %s: unknown field \"%.40s\" (expected dtype, shape, "
                            "data_offsets)", file, key, k);
    }
    const json_t *dt = json_object_get(val, "dtype");
    const json_t *sh = json_object_get(val, "shape");
    const json_t *of = json_object_get(val, "data_offsets");
    if (!dt || !sh || !of)
        return zkm_fail(e, ZKM_EFORMAT, "%s: %s: missing \"%s\"", file, key,
                        !dt ? "dtype" : !sh ? "shape" : "data_offsets");
    if (!json_is_string(dt))
        return zkm_fail(e, ZKM_EFORMAT, "%s: %s: dtype must be a string", file, key);
    const char *dts = json_string_value(dt);
    int found = 0;
    for (int i = 0; i < ZKM_TENSOR_DTYPE_COUNT; i++)
        if (strcmp(dts, ST_NAME[i]) == 0) {
            en->dt = (zkm_tensor_dtype)i;
            found = 1;
        }
    if (!found)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: unsupported dtype \"%.20s\" (supported: BOOL, U8, I8, U16, "
                        "I16, U32, I32, U64, I64, F16, BF16, F32, F64)", file, key, dts);
    size_t n;
    if (!uint_array(sh, en->shape, ZKM_TENSOR_MAX_RANK, &n))
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: shape must be a list of non-negative integers", file, key);
    if (n > ZKM_TENSOR_MAX_RANK)
        return zkm_fail(e, ZKM_EFORMAT, "%s: %s: rank %zu exceeds the maximum %d", file, key, n,
                        ZKM_TENSOR_MAX_RANK);
    en->rank = (uint32_t)n;
    if (zkm_tensor_shape_count(en->shape, en->rank, &en->count, e))
        return zkm_err_prefix(e, ZKM_EFORMAT, "%s: %s: ", file, key);
    uint64_t off[2];
    if (!uint_array(of, off, 2, &n) || n != 2)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: data_offsets must be two non-negative integers [begin, end]",
                        file, key);
    en->begin = off[0];
    en->end = off[1];
    if (off[0] > off[1])
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: data_offsets [%" PRIu64 ", %" PRIu64 "] end before they begin",
                        file, key, off[0], off[1]);
    if (off[1] > dlen)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: data_offsets [%" PRIu64 ", %" PRIu64 "] run past the end of "
                        "the data (%zu bytes)", file, key, off[0], off[1], dlen);
    const uint64_t need = (uint64_t)en->count * zkm_tensor_dtype_size(en->dt);
    if (off[1] - off[0] != need) {
        char s[200];
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: %s: data_offsets [%" PRIu64 ", %" PRIu64 "] hold %" PRIu64
                        " bytes, but %s %s takes %" PRIu64, file, key, off[0], off[1],
                        off[1] - off[0], dts, zkm_tensor_shape_str(en->shape, en->rank, s,
                                                                   sizeof s), need);
    }
    en->name = key;
    return ZKM_OK;
}

static zkm_status check_metadata(const char *file, const json_t *md, zkm_err *e)
{
    if (!json_is_object(md))
        return zkm_fail(e, ZKM_EFORMAT, "%s: __metadata__ must be an object of strings", file);
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)md, k, v) {
        if (!json_is_string(v))
            return zkm_fail(e, ZKM_EFORMAT,
                            "%s: __metadata__ entry \"%.40s\" is not a string", file, k);
    }
    return ZKM_OK;
}

zkm_status zkm_st_parse(const uint8_t *buf, size_t len, const char *file, zkm_tensor_set *out,
                        zkm_err *e)
{
    zkm_tensor_set_init(out);
    if (!file)
        file = "<buffer>";
    if (len < 8)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: truncated safetensors file (%zu bytes; it starts with an 8-byte "
                        "header length)", file, len);
    uint64_t hn = 0;
    for (int i = 0; i < 8; i++)
        hn |= (uint64_t)buf[i] << (8 * i);
    if (hn > ZKM_ST_MAX_HEADER)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: safetensors header length %" PRIu64 " exceeds the limit %" PRIu64,
                        file, hn, ZKM_ST_MAX_HEADER);
    if (hn > len - 8)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: safetensors header length %" PRIu64 " runs past the end of the "
                        "file (%zu bytes follow the length)", file, hn, len - 8);
    if (hn == 0 || buf[8] != '{')
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: the safetensors header (%" PRIu64 " bytes) does not start with '{'",
                        file, hn);
    json_error_t je;
    json_t *root = json_loadb((const char *)buf + 8, (size_t)hn, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return zkm_fail(e, ZKM_EFORMAT,
                        "%s: the safetensors header is not valid JSON: %s (header byte %d)",
                        file, je.text, je.position);
    const uint8_t *data = buf + 8 + hn;
    const size_t dlen = len - 8 - (size_t)hn;
    zkm_status st = ZKM_OK;
    size_t n = json_object_size(root), m = 0;
    st_entry *en = zkm_calloc(n, sizeof *en, "safetensors header", e);
    st_entry **ord = zkm_calloc(n, sizeof *ord, "safetensors header", e);
    if (!en || !ord) {
        st = zkm_err_prefix(e, ZKM_ENOMEM, "%s: safetensors header: ", file);
        goto done;
    }
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val) {
        if (strcmp(key, "__metadata__") == 0)
            st = check_metadata(file, val, e);
        else if ((st = parse_entry(file, key, val, dlen, &en[m], e)) == ZKM_OK)
            m++;
        if (st)
            goto done;
    }
    /* the tensors must tile the data area exactly */
    for (size_t i = 0; i < m; i++)
        ord[i] = &en[i];
    if (m > 1)
        qsort(ord, m, sizeof *ord, by_offset);
    uint64_t pos = 0;
    for (size_t i = 0; i < m; i++) {
        if (ord[i]->begin < pos) {
            const st_entry *p = ord[i - 1];
            st = zkm_fail(e, ZKM_EFORMAT,
                          "%s: tensors %s [%" PRIu64 ", %" PRIu64 ") and %s [%" PRIu64
                          ", %" PRIu64 ") overlap in the data", file, p->name, p->begin, p->end,
                          ord[i]->name, ord[i]->begin, ord[i]->end);
            goto done;
        }
        if (ord[i]->begin > pos) {
            st = zkm_fail(e, ZKM_EFORMAT,
                          "%s: data bytes [%" PRIu64 ", %" PRIu64 ") belong to no tensor (the "
                          "tensors must cover the data exactly)", file, pos, ord[i]->begin);
            goto done;
        }
        pos = ord[i]->end;
    }
    if (pos != dlen) {
        st = zkm_fail(e, ZKM_EFORMAT,
                      "%s: data bytes [%" PRIu64 ", %zu) belong to no tensor (the tensors "
                      "must cover the data exactly)", file, pos, dlen);
        goto done;
    }
    if (m && !(out->t = zkm_calloc(m, sizeof *out->t, "tensor set", e))) {
        st = zkm_err_prefix(e, ZKM_ENOMEM, "%s: tensor set: ", file);
        goto done;
    }
    out->cap = m;
    for (size_t i = 0; i < m; i++) {
        zkm_tensor *t = &out->t[out->n];
        const st_entry *x = &en[i];
        t->name = strdup(x->name);
        t->data = x->count ? zkm_alloc_array(x->count, sizeof(double), x->name, e) : NULL;
        if (!t->name || (x->count && !t->data)) {
            zkm_tensor_free(t);
            st = zkm_fail(e, ZKM_ENOMEM, "%s: %s: out of memory", file, x->name);
            goto done;
        }
        out->n++;
        t->dtype = x->dt;
        t->rank = x->rank;
        memcpy(t->shape, x->shape, sizeof t->shape);
        t->count = x->count;
        size_t bad;
        if (zkm_tensor_decode(x->dt, 0, data + x->begin, x->count, t->data, &bad, e)) {
            char is[200];
            zkm_tensor_index_str(x->shape, x->rank, 0, bad, is, sizeof is);
            st = zkm_err_prefix(e, ZKM_EFORMAT, "%s: %s: element %s ", file, x->name, is);
            goto done;
        }
    }
    st = zkm_tensor_set_sort(out, file, e);
done:
    free(en);
    free(ord);
    json_decref(root);
    if (st)
        zkm_tensor_set_free(out);
    return st;
}

/* --------------------------------------------------------------- writing */

typedef struct {
    size_t esz;
    const char *name;
    size_t idx;
} st_slot;

/* the reference writer's order: larger elements first (so every tensor is
 * aligned to its element size), then by name */
static int by_align(const void *a, const void *b)
{
    const st_slot *x = a, *y = b;
    if (x->esz != y->esz)
        return x->esz > y->esz ? -1 : 1;
    return strcmp(x->name, y->name);
}

zkm_status zkm_st_encode(const zkm_tensor_set *s, uint8_t **out, size_t *len, zkm_err *e)
{
    *out = NULL;
    *len = 0;
    zkm_status st = ZKM_OK;
    st_slot *ord = zkm_calloc(s->n, sizeof *ord, "safetensors order", e);
    uint64_t *begin = zkm_calloc(s->n, sizeof *begin, "safetensors offsets", e);
    json_t *root = json_object();
    char *js = NULL;
    uint8_t *b = NULL;
    if (!ord || !begin || !root) {
        st = zkm_fail(e, ZKM_ENOMEM, "out of memory encoding safetensors");
        goto done;
    }
    for (size_t i = 0; i < s->n; i++) {
        const zkm_tensor *t = &s->t[i];
        size_t count;
        if (zkm_tensor_check_name(t->name, e) || strcmp(t->name, "__metadata__") == 0) {
            st = zkm_fail(e, ZKM_EINVAL, "tensor %zu: invalid name for safetensors", i);
            goto done;
        }
        if ((unsigned)t->dtype >= ZKM_TENSOR_DTYPE_COUNT ||
            zkm_tensor_shape_count(t->shape, t->rank, &count, e) || count != t->count ||
            (count && !t->data)) {
            st = zkm_fail(e, ZKM_EINVAL, "%s: dtype, shape, element count and data disagree",
                          t->name);
            goto done;
        }
        ord[i] = (st_slot){zkm_tensor_dtype_size(t->dtype), t->name, i};
    }
    if (s->n > 1)
        qsort(ord, s->n, sizeof *ord, by_align);
    uint64_t pos = 0;
    for (size_t j = 0; j < s->n; j++) {
        const zkm_tensor *t = &s->t[ord[j].idx];
        const uint64_t nb = (uint64_t)t->count * zkm_tensor_dtype_size(t->dtype);
        begin[ord[j].idx] = pos;
        json_t *o = json_object(), *shape = json_array(), *offs = json_array();
        int bad = !o || !shape || !offs;
        for (uint32_t k = 0; !bad && k < t->rank; k++)
            bad = json_array_append_new(shape, json_integer((json_int_t)t->shape[k])) != 0;
        bad = bad || json_array_append_new(offs, json_integer((json_int_t)pos)) != 0 ||
              json_array_append_new(offs, json_integer((json_int_t)(pos + nb))) != 0;
        pos += nb;
        bad = bad || json_object_set_new(o, "dtype", json_string(ST_NAME[t->dtype])) != 0;
        bad = bad || json_object_set(o, "shape", shape) != 0 ||
              json_object_set(o, "data_offsets", offs) != 0;
        json_decref(shape);
        json_decref(offs);
        if (bad || json_object_set_new(root, t->name, o) != 0) {
            if (bad)
                json_decref(o);
            st = zkm_fail(e, ZKM_EINVAL,
                          "%s: cannot encode the safetensors header entry (name not UTF-8?)",
                          t->name);
            goto done;
        }
    }
    js = json_dumps(root, JSON_COMPACT);
    if (!js) {
        st = zkm_fail(e, ZKM_ENOMEM, "out of memory encoding the safetensors header");
        goto done;
    }
    const size_t jl = strlen(js), hn = (jl + 7) & ~(size_t)7;
    const size_t total = 8 + hn + (size_t)pos;
    if (!(b = malloc(total))) {
        st = zkm_fail(e, ZKM_ENOMEM, "out of memory encoding safetensors (%zu bytes)", total);
        goto done;
    }
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)((uint64_t)hn >> (8 * i));
    memcpy(b + 8, js, jl);
    memset(b + 8 + jl, ' ', hn - jl);
    for (size_t i = 0; i < s->n; i++) {
        const zkm_tensor *t = &s->t[i];
        size_t bad;
        if (zkm_tensor_encode(t->dtype, t->data, t->count, b + 8 + hn + begin[i], &bad, e)) {
            char is[200];
            zkm_tensor_index_str(t->shape, t->rank, 0, bad, is, sizeof is);
            st = zkm_err_prefix(e, ZKM_EINVAL, "%s: element %s ", t->name, is);
            goto done;
        }
    }
    *out = b;
    *len = total;
    b = NULL;
done:
    free(b);
    free(js);
    json_decref(root);
    free(ord);
    free(begin);
    return st;
}

zkm_status zkm_safetensors_write(const char *path, const zkm_tensor_set *s, zkm_err *e)
{
    uint8_t *b;
    size_t n;
    zkm_status st = zkm_st_encode(s, &b, &n, e);
    if (st)
        return zkm_err_prefix(e, st, "%s: cannot write: ", path);
    st = zkm_write_file_atomic(path, b, n, e);
    free(b);
    return st;
}
