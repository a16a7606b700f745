#include "srcmap.h"

#include "zkm_strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

zkm_status zkm_srcmap_init(zkm_srcmap *m, const char *path, const char *src, size_t len,
                           zkm_err *e)
{
    memset(m, 0, sizeof *m);
    if (len > ZKM_SRC_MAX)
        return zkm_fail(e, ZKM_EFORMAT, "%s: model file too large (%zu bytes, at most %zu)",
                        path ? path : "<input>", len, ZKM_SRC_MAX);
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += src[i] == '\n';
    const char *p = path ? path : "<input>";
    m->path = strdup(p);
    m->src = malloc(len + 1);
    m->line_start = zkm_calloc(lines, sizeof *m->line_start, "line map", e);
    if (!m->path || !m->src || !m->line_start) {
        zkm_srcmap_free(m);
        return zkm_fail(e, ZKM_ENOMEM, "out of memory reading %s", p);
    }
    if (len)
        memcpy(m->src, src, len);
    m->src[len] = '\0';
    m->len = len;
    m->line_start[0] = 0;
    m->n_lines = 1;
    for (size_t i = 0; i < len; i++)
        if (src[i] == '\n')
            m->line_start[m->n_lines++] = (uint32_t)(i + 1);
    return ZKM_OK;
}

void zkm_srcmap_free(zkm_srcmap *m)
{
    free(m->path);
    free(m->src);
    free(m->line_start);
    memset(m, 0, sizeof *m);
}

void zkm_srcmap_locate(const zkm_srcmap *m, uint32_t off, uint32_t *line, uint32_t *col)
{
    if (!m->line_start || m->n_lines == 0) {
        *line = 1;
        *col = 1;
        return;
    }
    if (off > m->len)
        off = (uint32_t)m->len;
    /* the end of a file ending in a newline belongs to the last line */
    if (off == m->len && off > 0 && m->src[off - 1] == '\n')
        off--;
    /* last line start <= off */
    uint32_t lo = 0, hi = m->n_lines - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (m->line_start[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    *line = lo + 1;
    *col = off - m->line_start[lo] + 1;
}

const char *zkm_srcmap_line(const zkm_srcmap *m, uint32_t line, size_t *n)
{
    if (!m->line_start || m->n_lines == 0) {
        *n = 0;
        return "";
    }
    if (line < 1)
        line = 1;
    if (line > m->n_lines)
        line = m->n_lines;
    size_t a = m->line_start[line - 1];
    size_t b = line < m->n_lines ? m->line_start[line] - 1 : m->len; /* at '\n' or end */
    if (b > a && m->src[b - 1] == '\r')
        b--;
    *n = b - a;
    return m->src + a;
}

void zkm_diags_init(zkm_diags *d)
{
    memset(d, 0, sizeof *d);
}

static void drop_diags(zkm_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i].msg);
    free(d->v);
    d->v = NULL;
    d->n = d->cap = d->n_errors = 0;
    d->truncated = d->oom = 0;
}

void zkm_diags_free(zkm_diags *d)
{
    drop_diags(d);
    zkm_srcmap_free(&d->map);
}

zkm_status zkm_diags_set_source(zkm_diags *d, const char *path, const char *src, size_t len,
                                zkm_err *e)
{
    drop_diags(d);
    zkm_srcmap_free(&d->map);
    return zkm_srcmap_init(&d->map, path, src, len, e);
}

int zkm_diag_addv(zkm_diags *d, zkm_severity sev, uint32_t off, const char *fmt, va_list ap)
{
    if (sev == ZKM_DIAG_ERROR)
        d->n_errors++;
    if (d->n >= ZKM_DIAG_MAX) {
        if (sev != ZKM_DIAG_NOTE)
            d->truncated = 1;
        return -1;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 8;
        zkm_diag *v = realloc(d->v, cap * sizeof *v);
        if (!v) {
            d->oom = 1;
            return -1;
        }
        d->v = v;
        d->cap = cap;
    }
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) {
        d->oom = 1;
        return -1;
    }
    zkm_diag *g = &d->v[d->n++];
    g->sev = sev;
    g->off = off;
    g->msg = msg;
    zkm_srcmap_locate(&d->map, off, &g->line, &g->col);
    return 0;
}

int zkm_diag_add(zkm_diags *d, zkm_severity sev, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = zkm_diag_addv(d, sev, off, fmt, ap);
    va_end(ap);
    return r;
}

#define LINE_SHOW 160u /* longest source line shown whole */
#define LINE_SIDE 70u  /* bytes shown each side of the column otherwise */

static const char *sev_name(zkm_severity s)
{
    switch (s) {
    case ZKM_DIAG_ERROR: return "error";
    case ZKM_DIAG_WARNING: return "warning";
    case ZKM_DIAG_NOTE: return "note";
    }
    return "error";
}

/* The source line of g and a caret under its column. */
static void render_excerpt(zkm_strbuf *b, const zkm_srcmap *m, const zkm_diag *g)
{
    size_t n;
    const char *line = zkm_srcmap_line(m, g->line, &n);
    size_t col = g->col - 1; /* byte index of the caret, may equal n */
    size_t a = 0, z = n;
    if (n > LINE_SHOW) {
        a = col > LINE_SIDE ? col - LINE_SIDE : 0;
        z = col + LINE_SIDE < n ? col + LINE_SIDE : n;
    }
    if (a > 0)
        zkm_sb_put(b, "...", 3);
    for (size_t i = a; i < z; i++) {
        unsigned char c = (unsigned char)line[i];
        char out = (c == '\t' || (c >= 0x20 && c != 0x7f)) ? (char)c : '?';
        zkm_sb_put(b, &out, 1);
    }
    if (z < n)
        zkm_sb_put(b, "...", 3);
    zkm_sb_put(b, "\n", 1);
    if (a > 0)
        zkm_sb_put(b, "   ", 3);
    for (size_t i = a; i < col && i < z; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c == '\t')
            zkm_sb_put(b, "\t", 1);
        else if ((c & 0xc0) != 0x80) /* one column per UTF-8 character */
            zkm_sb_put(b, " ", 1);
    }
    zkm_sb_put(b, "^\n", 2);
}

static void render(const zkm_diags *d, zkm_strbuf *b)
{
    const char *path = d->map.path ? d->map.path : "<input>";
    for (size_t i = 0; i < d->n; i++) {
        const zkm_diag *g = &d->v[i];
        zkm_sb_printf(b, "%s:%u:%u: %s: %s\n", path, g->line, g->col, sev_name(g->sev), g->msg);
        render_excerpt(b, &d->map, g);
    }
    if (d->truncated)
        zkm_sb_printf(b, "%s: error: too many errors; stopped after %d\n", path, ZKM_DIAG_MAX);
    if (d->oom)
        zkm_sb_printf(b, "%s: error: out of memory recording diagnostics\n", path);
}

size_t zkm_diags_format(const zkm_diags *d, char *buf, size_t cap)
{
    zkm_strbuf b = {0};
    render(d, &b);
    if (cap > 0) {
        size_t k = 0;
        if (!b.failed && b.len > 0) {
            k = b.len < cap - 1 ? b.len : cap - 1;
            memcpy(buf, b.s, k);
        }
        buf[k] = '\0';
    }
    free(b.s);
    return b.len;
}

long zkm_diags_print(const zkm_diags *d, FILE *f)
{
    zkm_strbuf b = {0};
    render(d, &b);
    long r = -1;
    if (!b.failed && fwrite(b.s ? b.s : "", 1, b.len, f) == b.len)
        r = (long)b.len;
    free(b.s);
    return r;
}
