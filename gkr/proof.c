#include "proof.h"

#include <stdlib.h>
#include <string.h>

zkm_status fr_vec_push(fr_vec *vec, const fr *a, size_t n, zkm_err *e)
{
    if (vec->n + n > vec->cap) {
        size_t cap = vec->cap ? vec->cap : 64;
        while (cap < vec->n + n)
            cap *= 2;
        size_t bytes;
        if (!zkm_mul_ok(cap, sizeof(fr), &bytes))
            return zkm_fail(e, ZKM_ENOMEM, "proof message buffer overflow");
        fr *nv = realloc(vec->v, bytes);
        if (!nv)
            return zkm_fail(e, ZKM_ENOMEM, "out of memory growing proof messages");
        vec->v = nv;
        vec->cap = cap;
    }
    memcpy(vec->v + vec->n, a, n * sizeof(fr));
    vec->n += n;
    return ZKM_OK;
}

void fr_vec_free(fr_vec *vec)
{
    free(vec->v);
    vec->v = NULL;
    vec->n = vec->cap = 0;
}

int fr_cursor_take(fr_cursor *c, size_t k, const fr **out)
{
    if (k > c->n - c->pos)
        return 0;
    *out = c->v + c->pos;
    c->pos += k;
    return 1;
}

static void put32(uint8_t *p, uint32_t x)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(x >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

zkm_status gkr_proof_encode(const gkr_proof *p, uint8_t **out, size_t *out_len, zkm_err *e)
{
    size_t len = GKR_PROOF_HEADER_BYTES;
    for (uint32_t s = 0; s < p->n_sections; s++) {
        if (p->sections[s].msgs.n > UINT32_MAX)
            return zkm_fail(e, ZKM_EINVAL, "proof section %u too large", s);
        len += 8 + p->sections[s].msgs.n * FR_BYTES;
    }
    uint8_t *b = malloc(len);
    if (!b)
        return zkm_fail(e, ZKM_ENOMEM, "out of memory encoding a %zu-byte proof", len);
    memcpy(b, GKR_PROOF_MAGIC, 8);
    put32(b + 8, GKR_PROOF_VERSION);
    memcpy(b + 12, p->digest, 32);
    put32(b + 44, p->n_sections);
    uint8_t *w = b + GKR_PROOF_HEADER_BYTES;
    for (uint32_t s = 0; s < p->n_sections; s++) {
        const gkr_section *sec = &p->sections[s];
        put32(w, sec->tag);
        put32(w + 4, (uint32_t)sec->msgs.n);
        w += 8;
        for (size_t i = 0; i < sec->msgs.n; i++, w += FR_BYTES)
            fr_to_bytes(w, &sec->msgs.v[i]);
    }
    *out = b;
    *out_len = len;
    return ZKM_OK;
}

void gkr_proof_free(gkr_proof *p)
{
    for (uint32_t s = 0; s < p->n_sections; s++)
        fr_vec_free(&p->sections[s].msgs);
    free(p->sections);
    p->sections = NULL;
    p->n_sections = 0;
}

zkm_status gkr_proof_decode(gkr_proof *p, const uint8_t *b, size_t len, zkm_err *e)
{
    memset(p, 0, sizeof *p);
    if (len < GKR_PROOF_HEADER_BYTES)
        return zkm_fail(e, ZKM_EFORMAT, "proof truncated: %zu bytes, the header alone is %u",
                        len, GKR_PROOF_HEADER_BYTES);
    if (memcmp(b, GKR_PROOF_MAGIC, 8) != 0)
        return zkm_fail(e, ZKM_EFORMAT, "not a zkm proof (bad magic)");
    uint32_t version = get32(b + 8);
    if (version != GKR_PROOF_VERSION)
        return zkm_fail(e, ZKM_EFORMAT, "proof format version %u, this zkm reads version %u",
                        version, GKR_PROOF_VERSION);
    uint32_t ns = get32(b + 44);
    /* every section takes at least 8 bytes: bound the count by what is there */
    if (ns > GKR_PROOF_MAX_SECTIONS || ns > (len - GKR_PROOF_HEADER_BYTES) / 8)
        return zkm_fail(e, ZKM_EFORMAT, "proof claims %u sections, more than its %zu bytes hold",
                        ns, len);
    zkm_status st;
    p->sections = zkm_calloc(ns, sizeof(gkr_section), "proof sections", e);
    if (!p->sections)
        return ZKM_ENOMEM;
    memcpy(p->digest, b + 12, 32);
    size_t off = GKR_PROOF_HEADER_BYTES;
    for (uint32_t s = 0; s < ns; s++) {
        if (len - off < 8) {
            st = zkm_fail(e, ZKM_EFORMAT, "proof truncated in the header of section %u", s);
            goto fail;
        }
        uint32_t tag = get32(b + off);
        uint32_t n = get32(b + off + 4);
        off += 8;
        if (s > 0 && tag <= p->sections[s - 1].tag) {
            st = zkm_fail(e, ZKM_EFORMAT, "proof section %u: tag %u out of order", s, tag);
            goto fail;
        }
        if ((len - off) / FR_BYTES < n) {
            st = zkm_fail(e, ZKM_EFORMAT,
                          "proof truncated: section %u declares %u field elements, %zu bytes remain",
                          s, n, len - off);
            goto fail;
        }
        gkr_section *sec = &p->sections[s];
        sec->tag = tag;
        p->n_sections = s + 1;
        if (n) {
            sec->msgs.v = zkm_alloc_array(n, sizeof(fr), "proof section", e);
            if (!sec->msgs.v) {
                st = ZKM_ENOMEM;
                goto fail;
            }
            sec->msgs.cap = n;
        }
        for (uint32_t i = 0; i < n; i++, off += FR_BYTES) {
            if (!fr_from_bytes(&sec->msgs.v[i], b + off)) {
                st = zkm_fail(e, ZKM_EFORMAT,
                              "proof section %u, element %u: not a canonical field element", s, i);
                goto fail;
            }
            sec->msgs.n = i + 1;
        }
    }
    if (off != len) {
        st = zkm_fail(e, ZKM_EFORMAT, "proof has %zu trailing bytes", len - off);
        goto fail;
    }
    return ZKM_OK;
fail:
    gkr_proof_free(p);
    return st;
}
