#include "proof.h"

#include <stdlib.h>
#include <string.h>

/* Grow *v (of *cap elements of size bytes each, n used) to hold need. */
static zkm_status vec_reserve(void **v, size_t *cap, size_t need, size_t size, zkm_err *e)
{
    if (need <= *cap)
        return ZKM_OK;
    size_t c = *cap ? *cap : 64, bytes;
    while (c < need)
        c *= 2;
    if (!zkm_mul_ok(c, size, &bytes))
        return zkm_fail(e, ZKM_ENOMEM, "proof message buffer overflow");
    void *nv = realloc(*v, bytes);
    if (!nv)
        return zkm_fail(e, ZKM_ENOMEM, "out of memory growing proof messages");
    *v = nv;
    *cap = c;
    return ZKM_OK;
}

zkm_status fr_vec_push(fr_vec *vec, const fr *a, size_t n, zkm_err *e)
{
    if (n == 0)
        return ZKM_OK;
    void *v = vec->v;
    zkm_status st = vec_reserve(&v, &vec->cap, vec->n + n, sizeof(fr), e);
    vec->v = v;
    if (st != ZKM_OK)
        return st;
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

zkm_status g1_vec_push(g1_vec *vec, const g1_affine *a, size_t n, zkm_err *e)
{
    if (n == 0)
        return ZKM_OK;
    void *v = vec->v;
    zkm_status st = vec_reserve(&v, &vec->cap, vec->n + n, sizeof(g1_affine), e);
    vec->v = v;
    if (st != ZKM_OK)
        return st;
    memcpy(vec->v + vec->n, a, n * sizeof(g1_affine));
    vec->n += n;
    return ZKM_OK;
}

void g1_vec_free(g1_vec *vec)
{
    free(vec->v);
    vec->v = NULL;
    vec->n = vec->cap = 0;
}

int g1_cursor_take(g1_cursor *c, size_t k, const g1_affine **out)
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

int gkr_encoding_ok(unsigned encoding, unsigned width)
{
    switch (encoding) {
    case GKR_ENC_FIELD:
    case GKR_ENC_G1: return width == 0;
    case GKR_ENC_UINT: return width >= 1 && width <= 63;
    case GKR_ENC_SINT: return width >= 2 && width <= 64;
    }
    return 0;
}

size_t gkr_section_payload_bytes(unsigned encoding, unsigned width, size_t n)
{
    if (encoding == GKR_ENC_FIELD || encoding == GKR_ENC_G1)
        return n * FR_BYTES; /* G1_BYTES == FR_BYTES */
    return (n / 8) * width + ((n % 8) * width + 7) / 8;
}

/* The integer a field element stands for under a packed encoding: 1 and
 * the bits if it fits, else 0. */
static int pack_value(const fr *a, unsigned encoding, unsigned width, uint64_t *bits)
{
    uint64_t l[4];
    fr_to_limbs(l, a);
    if (l[1] == 0 && l[2] == 0 && l[3] == 0) { /* a small non-negative value */
        uint64_t lim = encoding == GKR_ENC_UINT ? (uint64_t)1 << width
                                                : (uint64_t)1 << (width - 1);
        if (l[0] >= lim)
            return 0;
        *bits = l[0];
        return 1;
    }
    if (encoding != GKR_ENC_SINT)
        return 0;
    fr neg;
    fr_neg(&neg, a); /* |a| for a negative value */
    fr_to_limbs(l, &neg);
    if (l[1] || l[2] || l[3] || l[0] == 0 || l[0] > (uint64_t)1 << (width - 1))
        return 0;
    uint64_t v = (uint64_t)0 - l[0]; /* two's complement in 64 bits */
    *bits = width == 64 ? v : v & (((uint64_t)1 << width) - 1);
    return 1;
}

static void put_bits(uint8_t *out, size_t bitpos, uint64_t v, unsigned width)
{
    for (unsigned i = 0; i < width; i++, bitpos++)
        if ((v >> i) & 1)
            out[bitpos / 8] |= (uint8_t)(1u << (bitpos % 8));
}

static uint64_t get_bits(const uint8_t *in, size_t bitpos, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++, bitpos++)
        v |= (uint64_t)((in[bitpos / 8] >> (bitpos % 8)) & 1) << i;
    return v;
}

/* Unsigned widths are below 64 bits, so every value is a non-negative int64
 * once a signed one is sign-extended. */
static void unpack_value(fr *out, uint64_t v, unsigned encoding, unsigned width)
{
    if (encoding == GKR_ENC_SINT && width < 64 && ((v >> (width - 1)) & 1))
        v |= ~(uint64_t)0 << width;
    fr_set_i64(out, (int64_t)v);
}

/* Values a section holds: points or field elements. */
static size_t section_count(const gkr_section *sec)
{
    return sec->encoding == GKR_ENC_G1 ? sec->pts.n : sec->msgs.n;
}

size_t gkr_section_bytes(const gkr_section *sec)
{
    return GKR_PROOF_SECTION_HEADER_BYTES +
           gkr_section_payload_bytes(sec->encoding, sec->width, section_count(sec));
}

zkm_status gkr_proof_encode(const gkr_proof *p, uint8_t **out, size_t *out_len, zkm_err *e)
{
    size_t len = GKR_PROOF_HEADER_BYTES;
    for (uint32_t s = 0; s < p->n_sections; s++) {
        const gkr_section *sec = &p->sections[s];
        if (section_count(sec) > UINT32_MAX || !gkr_encoding_ok(sec->encoding, sec->width))
            return zkm_fail(e, ZKM_EINVAL, "proof section %u: bad size or encoding", s);
        len += gkr_section_bytes(sec);
    }
    uint8_t *b = calloc(len, 1);
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
        w[4] = sec->encoding;
        w[5] = sec->width;
        put32(w + 8, (uint32_t)section_count(sec));
        w += GKR_PROOF_SECTION_HEADER_BYTES;
        if (sec->encoding == GKR_ENC_G1) {
            for (size_t i = 0; i < sec->pts.n; i++, w += G1_BYTES)
                g1_to_bytes(w, &sec->pts.v[i]);
            continue;
        }
        if (sec->encoding == GKR_ENC_FIELD) {
            for (size_t i = 0; i < sec->msgs.n; i++, w += FR_BYTES)
                fr_to_bytes(w, &sec->msgs.v[i]);
            continue;
        }
        for (size_t i = 0; i < sec->msgs.n; i++) {
            uint64_t v;
            if (!pack_value(&sec->msgs.v[i], sec->encoding, sec->width, &v)) {
                free(b);
                return zkm_fail(e, ZKM_EINVAL,
                                "proof section %u, value %zu does not fit %u-bit %s", s, i,
                                sec->width, sec->encoding == GKR_ENC_UINT ? "unsigned" : "signed");
            }
            put_bits(w, i * sec->width, v, sec->width);
        }
        w += gkr_section_payload_bytes(sec->encoding, sec->width, sec->msgs.n);
    }
    *out = b;
    *out_len = len;
    return ZKM_OK;
}

void gkr_proof_free(gkr_proof *p)
{
    for (uint32_t s = 0; s < p->n_sections; s++) {
        fr_vec_free(&p->sections[s].msgs);
        g1_vec_free(&p->sections[s].pts);
    }
    free(p->sections);
    p->sections = NULL;
    p->n_sections = 0;
}

/* The points of the point sections are decoded after every section's
 * header and other payloads are checked, all of them in one call of
 * g1_from_bytes_many_var on a copy of their encodings laid end to end, so
 * that its batches (and threads) run across section boundaries however
 * the points are spread over sections. */
typedef struct {
    uint32_t sec, n;  /* section and its point count */
    const uint8_t *in; /* its payload */
    size_t at;         /* its first point's index among all the points */
} point_run;

/* Decode the points of the n_runs runs (at most total points in all) into
 * their sections; returns the index of the first run holding a rejected
 * point (*bad its index in the run), n_runs if none, or SIZE_MAX if out of
 * memory. */
static size_t decode_runs(gkr_proof *p, const point_run *r, size_t n_runs, size_t total,
                          int threads, size_t *bad)
{
    if (total == 0)
        return n_runs;
    uint8_t *enc = zkm_alloc_array(total, G1_BYTES, "proof points", NULL);
    g1_affine *pts = zkm_alloc_array(total, sizeof *pts, "proof points", NULL);
    size_t first = SIZE_MAX;
    if (enc && pts) {
        for (size_t k = 0; k < n_runs; k++)
            memcpy(enc + r[k].at * G1_BYTES, r[k].in, (size_t)r[k].n * G1_BYTES);
        const size_t f = g1_from_bytes_many_var(pts, enc, total, threads);
        for (first = 0; first < n_runs && f >= r[first].at + r[first].n; first++)
            memcpy(p->sections[r[first].sec].pts.v, pts + r[first].at,
                   (size_t)r[first].n * sizeof *pts);
        if (first < n_runs)
            *bad = f - r[first].at;
    }
    free(enc);
    free(pts);
    return first;
}

zkm_status gkr_proof_decode(gkr_proof *p, const uint8_t *b, size_t len, zkm_err *e)
{
    return gkr_proof_decode_threads(p, b, len, 1, e);
}

zkm_status gkr_proof_decode_threads(gkr_proof *p, const uint8_t *b, size_t len, int threads,
                                    zkm_err *e)
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
    /* every section takes at least its header: bound the count by what is there */
    if (ns > GKR_PROOF_MAX_SECTIONS || ns > (len - GKR_PROOF_HEADER_BYTES) / GKR_PROOF_SECTION_HEADER_BYTES)
        return zkm_fail(e, ZKM_EFORMAT, "proof claims %u sections, more than its %zu bytes hold",
                        ns, len);
    p->sections = zkm_calloc(ns, sizeof(gkr_section), "proof sections", e);
    if (!p->sections)
        return ZKM_ENOMEM;
    memcpy(p->digest, b + 12, 32);
    /* The sections in order; a failure stops the walk with its error kept
     * in le until the points before it are decoded: a bad point in an
     * earlier section is the error reported, as if decoded in place. */
    zkm_err local, *le = e ? &local : NULL;
    zkm_status st = ZKM_OK;
    point_run *runs = NULL;
    size_t n_runs = 0, cap_runs = 0, n_points = 0;
    size_t off = GKR_PROOF_HEADER_BYTES;
    for (uint32_t s = 0; s < ns; s++) {
        if (len - off < GKR_PROOF_SECTION_HEADER_BYTES) {
            st = zkm_fail(le, ZKM_EFORMAT, "proof truncated in the header of section %u", s);
            break;
        }
        const uint8_t *h = b + off;
        uint32_t tag = get32(h), n = get32(h + 8);
        unsigned enc = h[4], width = h[5];
        off += GKR_PROOF_SECTION_HEADER_BYTES;
        if (s > 0 && tag <= p->sections[s - 1].tag) {
            st = zkm_fail(le, ZKM_EFORMAT, "proof section %u: tag %u out of order", s, tag);
            break;
        }
        if (!gkr_encoding_ok(enc, width) || h[6] || h[7]) {
            st = zkm_fail(le, ZKM_EFORMAT, "proof section %u: unknown encoding %u/%u", s, enc,
                          width);
            break;
        }
        /* n <= 2^32 and width <= 64: the payload size cannot overflow */
        size_t payload = gkr_section_payload_bytes(enc, width, n);
        if (len - off < payload) {
            st = zkm_fail(le, ZKM_EFORMAT,
                          "proof truncated: section %u declares %u values (%zu bytes), %zu bytes "
                          "remain",
                          s, n, payload, len - off);
            break;
        }
        gkr_section *sec = &p->sections[s];
        sec->tag = tag;
        sec->encoding = (uint8_t)enc;
        sec->width = (uint8_t)width;
        p->n_sections = s + 1;
        const uint8_t *pl = b + off;
        if (enc == GKR_ENC_G1) {
            if (n) {
                sec->pts.v = zkm_alloc_array(n, sizeof(g1_affine), "proof section", le);
                if (!sec->pts.v) {
                    st = ZKM_ENOMEM;
                    break;
                }
                sec->pts.cap = n;
                if (n_runs == cap_runs) {
                    cap_runs = cap_runs ? 2 * cap_runs : 16;
                    point_run *nr = realloc(runs, cap_runs * sizeof *runs);
                    if (!nr) {
                        st = zkm_fail(le, ZKM_ENOMEM, "out of memory listing the proof's points");
                        break;
                    }
                    runs = nr;
                }
                runs[n_runs++] = (point_run){s, n, pl, n_points};
                n_points += n;
            }
            sec->pts.n = n;
            off += payload;
            continue;
        }
        if (n) {
            sec->msgs.v = zkm_alloc_array(n, sizeof(fr), "proof section", le);
            if (!sec->msgs.v) {
                st = ZKM_ENOMEM;
                break;
            }
            sec->msgs.cap = n;
        }
        if (enc == GKR_ENC_FIELD) {
            for (uint32_t i = 0; i < n && !st; i++)
                if (!fr_from_bytes(&sec->msgs.v[i], pl + (size_t)i * FR_BYTES))
                    st = zkm_fail(le, ZKM_EFORMAT,
                                  "proof section %u, element %u: not a canonical field element",
                                  s, i);
            if (st)
                break;
        } else if (width <= 8) { /* narrow values: convert each possible one once */
            fr small[256];
            for (uint32_t v = 0; v < (1u << width); v++)
                unpack_value(&small[v], v, enc, width);
            for (uint32_t i = 0; i < n; i++)
                sec->msgs.v[i] = small[get_bits(pl, (size_t)i * width, width)];
        } else {
            for (uint32_t i = 0; i < n; i++)
                unpack_value(&sec->msgs.v[i], get_bits(pl, (size_t)i * width, width), enc, width);
        }
        sec->msgs.n = n;
        if (enc != GKR_ENC_FIELD && payload) {
            /* the bits past the last value must be zero: one encoding per proof */
            size_t used = (size_t)n * width;
            for (size_t bit = used; bit < payload * 8 && !st; bit++)
                if ((pl[bit / 8] >> (bit % 8)) & 1)
                    st = zkm_fail(le, ZKM_EFORMAT, "proof section %u: non-zero padding bits", s);
            if (st)
                break;
        }
        off += payload;
    }
    if (!st && off != len)
        st = zkm_fail(le, ZKM_EFORMAT, "proof has %zu trailing bytes", len - off);
    size_t bad = 0, k = decode_runs(p, runs, n_runs, n_points, threads, &bad);
    if (k == SIZE_MAX)
        st = zkm_fail(e, ZKM_ENOMEM, "out of memory decoding the proof's %zu points", n_points);
    else if (k < n_runs)
        st = zkm_fail(e, ZKM_EFORMAT, "proof section %u, point %zu: not a canonical curve point",
                      runs[k].sec, bad);
    else if (st && e)
        *e = local;
    free(runs);
    if (st)
        gkr_proof_free(p);
    return st;
}
