#include "lex.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "grammar.tab.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || c == '_' || c == '.';
}

/* First byte at or after p that is neither blank nor inside a comment.
 * The scanner only asks from token boundaries, so a region found blank
 * once stays blank: the answer is cached, which keeps a file of many
 * newlines inside an open bracket linear. */
static const char *skip_blank(zkm_pstate *ps, uint32_t from)
{
    static const uint32_t none = UINT32_MAX;
    if (ps->ahead_from != none && ps->ahead_from <= from && from <= ps->ahead_to)
        return ps->src + ps->ahead_to;
    const char *p = ps->src + from, *end = ps->src + ps->len;
    for (;;) {
        while (p < end && is_blank(*p))
            p++;
        if (p < end && *p == '#') {
            while (p < end && *p != '\n')
                p++;
            continue;
        }
        if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
            const char *q = p + 2;
            while (end - q >= 2 && !(q[0] == '*' && q[1] == '/'))
                q++;
            p = end - q >= 2 ? q + 2 : end;
            continue;
        }
        break;
    }
    ps->ahead_from = from;
    ps->ahead_to = (uint32_t)(p - ps->src);
    return p;
}

static int word_is(const char *w, size_t n, const char *kw)
{
    return strlen(kw) == n && memcmp(w, kw, n) == 0;
}

/* Does the text after this newline start a statement of its own? */
static int stmt_ahead(zkm_pstate *ps)
{
    const char *p = skip_blank(ps, ps->pos), *end = ps->src + ps->len;
    if (p == end)
        return 0;
    if (*p == '}')
        return 1;
    const char *w = p;
    while (p < end && is_word(*p))
        p++;
    size_t n = (size_t)(p - w);
    if (n == 0 || (*w >= '0' && *w <= '9') || *w == '.')
        return 0;
    if (word_is(w, n, "input") || word_is(w, n, "output") || word_is(w, n, "model")
        || word_is(w, n, "weights"))
        return 1;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (word_is(w, n, "bits") || word_is(w, n, "frac"))
        return p < end && ((*p >= '0' && *p <= '9') || *p == '-');
    /* name = op...: a named argument's value is never a name */
    if (p == end || *p != '=' || (end - p >= 2 && p[1] == '='))
        return 0;
    p++;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    const char *v = p;
    while (p < end && is_word(*p))
        p++;
    n = (size_t)(p - v);
    if (n == 0 || (*v >= '0' && *v <= '9') || *v == '.')
        return 0;
    return !word_is(v, n, "true") && !word_is(v, n, "false");
}

static int pipe_ahead(zkm_pstate *ps)
{
    const char *p = skip_blank(ps, ps->pos), *end = ps->src + ps->len;
    return end - p >= 2 && p[0] == '|' && p[1] == '>';
}

int zkm_lex_newline(zkm_pstate *ps, uint32_t at)
{
    if (ps->brace <= 0)
        return 0; /* outside the model */
    if (ps->depth > 0) {
        if (!stmt_ahead(ps))
            return 0;
        zkm_lex_give_up(ps, at);
    }
    switch (ps->last) {
    case 0:
    case T_NL:
    case T_SEMI:
    case T_LBRACE:
    case T_PIPE:
    case T_EQ:
        return 0;
    default:
        break;
    }
    return pipe_ahead(ps) ? 0 : T_NL;
}

int zkm_lex_tok(zkm_pstate *ps, int k)
{
    ps->last = k;
    if (k == T_NL || k == T_SEMI || k == T_LBRACE || k == T_RBRACE)
        ps->n_seps++;
    return k;
}

void zkm_lex_error(zkm_pstate *ps, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    zkm_diag_addv(ps->diags, ZKM_DIAG_ERROR, off, fmt, ap);
    va_end(ap);
    ps->lex_err = 1;
    ps->lex_err_stmt = ps->n_seps;
}

int zkm_lex_quiet(const zkm_pstate *ps, int tok_is_boundary)
{
    uint32_t cur = ps->n_seps - (tok_is_boundary && ps->n_seps > 0 ? 1 : 0);
    return ps->lex_err && ps->lex_err_stmt == cur;
}

void zkm_lex_open(zkm_pstate *ps, char ch, uint32_t off)
{
    if (ps->depth < ZKM_OPEN_TRACK) {
        ps->open_off[ps->depth] = off;
        ps->open_ch[ps->depth] = ch;
    }
    if (ps->depth < INT32_MAX)
        ps->depth++;
}

void zkm_lex_close(zkm_pstate *ps)
{
    if (ps->depth > 0)
        ps->depth--;
}

void zkm_lex_give_up(zkm_pstate *ps, uint32_t at)
{
    if (ps->depth <= 0)
        return;
    int i = (ps->depth < ZKM_OPEN_TRACK ? ps->depth : ZKM_OPEN_TRACK) - 1;
    ps->gave_up_at = at;
    ps->gave_up_off = ps->open_off[i];
    ps->gave_up_ch = ps->open_ch[i];
    ps->depth = 0;
}

static void track(zkm_pstate *ps, void *old, void *p)
{
    for (int i = 0; i < ZKM_FLEX_MEM; i++) {
        if (ps->flex_mem[i] == old) {
            ps->flex_mem[i] = p;
            return;
        }
    }
}

void *zkm_lex_alloc(zkm_pstate *ps, size_t n)
{
    void *p = malloc(n);
    if (p)
        track(ps, NULL, p);
    return p;
}

void *zkm_lex_realloc(zkm_pstate *ps, void *p, size_t n)
{
    /* find p's slot before realloc: afterwards p's value is indeterminate */
    int slot = -1;
    for (int i = 0; i < ZKM_FLEX_MEM && slot < 0; i++)
        if (ps->flex_mem[i] == p)
            slot = i;
    void *q = realloc(p, n);
    if (q && slot >= 0)
        ps->flex_mem[slot] = q;
    return q;
}

void zkm_lex_release(zkm_pstate *ps, void *p)
{
    if (p)
        track(ps, p, NULL);
    free(p);
}

void zkm_lex_free_all(zkm_pstate *ps)
{
    for (int i = 0; i < ZKM_FLEX_MEM; i++) {
        free(ps->flex_mem[i]);
        ps->flex_mem[i] = NULL;
    }
}

void zkm_lex_show(const char *text, size_t n, char *buf, size_t cap)
{
    if (cap == 0)
        return;
    if (n < cap && n <= 24) {
        memcpy(buf, text, n);
        buf[n] = '\0';
    } else {
        size_t k = cap > 24 ? 20 : cap > 4 ? cap - 4 : 0;
        memcpy(buf, text, k);
        memcpy(buf + k, "...", cap - k > 3 ? 4 : cap - k);
        buf[cap - 1] = '\0';
    }
}

int64_t zkm_lex_int(zkm_pstate *ps, const char *text, size_t n, uint32_t off)
{
    errno = 0;
    long long v = strtoll(text, NULL, 10);
    if (errno == ERANGE) {
        char t[32];
        zkm_lex_show(text, n, t, sizeof t);
        zkm_lex_error(ps, off, "integer %s is too large (at most %lld)", t, (long long)INT64_MAX);
        return 0;
    }
    return v;
}

double zkm_lex_float(zkm_pstate *ps, const char *text, size_t n, uint32_t off)
{
    errno = 0;
    double v = strtod(text, NULL);
    if (errno == ERANGE || !isfinite(v)) {
        char t[32];
        zkm_lex_show(text, n, t, sizeof t);
        zkm_lex_error(ps, off, "number %s is out of range", t);
        return 0;
    }
    return v;
}

/* Code point of a 2..4 byte UTF-8 sequence the scanner matched. */
static uint32_t utf8_decode(const unsigned char *s, size_t n)
{
    uint32_t c = s[0] & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
    for (size_t i = 1; i < n; i++)
        c = (c << 6) | (s[i] & 0x3f);
    return c;
}

void zkm_lex_stray(zkm_pstate *ps, const char *text, size_t n, uint32_t off)
{
    int again = ps->stray_end == off || zkm_lex_quiet(ps, 0);
    ps->stray_end = off + (uint32_t)n;
    if (again)
        return; /* one error for a run of junk, or a statement already broken */
    const unsigned char c = (unsigned char)text[0];
    if (n > 1)
        zkm_lex_error(ps, off, "unexpected character '%.*s' (U+%04X)", (int)n, text,
                      (unsigned)utf8_decode((const unsigned char *)text, n));
    else if (c == '"' || c == '\'')
        zkm_lex_error(ps, off, "unexpected character '%c': zkm has no strings", c);
    else if (c > 0x20 && c < 0x7f)
        zkm_lex_error(ps, off, "unexpected character '%c'", c);
    else
        zkm_lex_error(ps, off, "unexpected byte 0x%02x", c);
}
