/* Pippenger's bucket method for g1_msm_var (msm.h), with the buckets
 * filled by batches of affine additions.
 *
 * Terms.  Each scalar k is read as the signed integer of least magnitude,
 * s * |k| with |k| <= (r - 1) / 2 (k itself or k - r); zero scalars and
 * points at infinity are dropped.  When the magnitudes are long (above
 * 128 bits) and the cost model below says so, each term is split by the
 * curve's endomorphism (GLV): k P = k1 P + k2 phi(P) with |k1|, |k2| <
 * 2^128 and phi(x, y) = (beta x, y), one multiplication per point.  The
 * term count doubles and the windows halve: the same number of additions
 * into buckets, half the bucket sums.
 *
 * Windows.  With b the bit length of the largest magnitude and windows of
 * c bits, each magnitude is recoded into W = ceil((b + 1) / c) signed
 * digits d_w in (-2^(c-1), 2^(c-1)] (a window above 2^(c-1) becomes
 * d - 2^c and carries 1 into the next window; the top window, below
 * 2^(c-1) before the carry, never carries out).  Window w then needs only
 * 2^(c-1) buckets, bucket j collecting the points whose digit is +-(j + 1)
 * (negated for a negative digit), and
 *   S_w = sum_j (j + 1) * bucket_j
 * comes from a running sum from the top bucket down (two additions per
 * bucket).  The result is sum_w 2^(c w) S_w, by Horner from the top window.
 * The windows run from the bottom, so that each term's digit comes from its
 * magnitude and one carry bit kept between windows (no table of digits).
 *
 * Filling the buckets.  The window's points are sorted by bucket (a
 * counting sort, negated as their digit says) into one array, each bucket
 * a segment of it.  Then rounds: every segment adds its points in pairs
 * (0 + 1, 2 + 3, ...), the sums replacing the front half of the segment.
 * All the pairs of a round, over every bucket, are independent, so they
 * are affine additions sharing one field inversion (Montgomery's trick):
 * lambda = (y2 - y1) / (x2 - x1), x3 = lambda^2 - x1 - x2,
 * y3 = lambda (x1 - x3) - y1, about 6 multiplications a pair against 11 for
 * a mixed Jacobian addition.  The cases the formula misses are decided
 * pair by pair: a point at infinity (the (0, 0) of g1.h, left by P + (-P)
 * in an earlier round) gives the other, equal points double (denominator
 * 2 y, lambda = 3 x^2 / (2 y)), opposite points give infinity.  Once a
 * round would have fewer than MSM_BATCH_MIN pairs the inversion no longer
 * pays, and what is left of each segment goes into the running sum by
 * mixed Jacobian additions.
 *
 * Cost per window: an affine pair addition per term with a non-zero digit
 * plus about 3.5 of them per bucket (a mixed and a full addition in the
 * running sum), so c minimises W * (nz + MSM_BUCKET_WEIGHT * 2^c) for the
 * actual b and the number nz of non-zero terms: a vector of bits (b = 1)
 * takes c = 2, one window, about one addition per non-zero entry.
 *
 * Eight at a time (FQ_IFMA, fq.h's fq8).  The rounds' pairs, in chunks of
 * up to MSM_CHUNK, are summed eight to a vector: the chunk's pairs are
 * classified first (those needing no arithmetic, infinity or a copy, kept
 * aside), then each lane keeps its own prefix product of denominators, the
 * eight lanes' products are inverted together (Montgomery's trick, one
 * fq_inv_binary_var), and the chord or tangent sums follow, eight at a
 * time.  Every sum goes to a slot below any slot a later pair reads (pair
 * i of a segment to slot i, its points at 2i and 2i + 1), so the chunks run
 * in place, in order.  The running sum (2^(c-1) >= 64 buckets) runs in the
 * lanes too: lane l over buckets [l q, (l + 1) q), q = 2^(c-1) / 8, from the
 * top, giving R_l (their sum) and S_l (weighted from 1), and
 * S_w = sum_l S_l + q sum_l l R_l; the lanes' special cases (infinity by
 * masks; equal x, rare, by the 64-bit functions on that lane).  The same
 * group elements either way, so the same results bit for bit.
 *
 * Threads.  Either the t threads share out the windows, each window over
 * every term, handed out one at a time in increasing order (so a thread
 * slowed by other work on the machine takes fewer; a thread runs its
 * carries on from the last window it did to the next it gets); or each
 * takes T / t of the terms over every window, and the threads' sums of a
 * window are added.  The first does the bucket sums once instead of t
 * times and lets c grow with all the terms; the second is the only useful
 * one when W < t (bits: one window).  The cost model picks, per thread.
 *
 * Scratch (msm_layout), each part 64-byte aligned, for n points and t
 * threads, T = 2n terms at most:
 *   T magnitudes       4 limbs each;
 *   T flags            MSM_NEG, MSM_SKIP;
 *   n x-coordinates    fq, beta x of each point (GLV);
 *   window sums        t x MSM_MAX_WINDOWS g1_jac;
 * then a region for each thread, sized for T terms:
 *   T carries          the carries into the thread's next window;
 *   T digits           the window's bucket of each term (uint32, top bit
 *                      the sign; MSM_NO_DIGIT for none);
 *   T sorted points    g1_affine, the window's points by bucket;
 *   T / 2 + 1 products fq, the prefix products of a round's denominators
 *                      (FQ_IFMA: a chunk's working memory instead, for up
 *                      to MSM_CHUNK pairs: msm_chunk_bytes);
 *   2 x 2^(cmax(T) - 1) uint32: each bucket's segment start and length,
 *                      cmax(T) = the widest window allowed for T terms. */
#include "msm.h"

#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define MSM_MAX_C 15            /* 2^14 buckets */
#define MSM_MAX_BITS 253        /* |k| <= (r - 1) / 2 < 2^253 */
#define MSM_MAX_WINDOWS (MSM_MAX_BITS + 1) /* c = 1 */
#define MSM_PARALLEL_MIN 256    /* fewer points run on the calling thread */
/* Fewer pairs in a round than this and its inversion (fq_inv_binary_var,
 * the instructions of about 160 multiplications) costs more than the
 * affine additions save over Jacobian ones (about 5 multiplications a
 * pair); the best value measured (instruction counts, 300 to 2048 points,
 * full, 8-bit and 1-bit scalars), flat from 16 to 64. */
#define MSM_BATCH_MIN 24
/* A bucket's cost in the running sum, in affine pair additions per 2^c:
 * 2^(c-1) buckets of two Jacobian additions (about 27 multiplications)
 * against a pair's 6 and its sorting and case tests; measured (instruction
 * counts, 10^3 to 2.4 10^4 terms) at about 3.5 pairs a bucket. */
#define MSM_BUCKET_WEIGHT 1.8
/* The split of a scalar and the endomorphism of its point, in affine pair
 * additions (a few word products and one multiplication by beta). */
#define MSM_GLV_WEIGHT 0.7
#define MSM_GLV_BITS 128        /* the halves' magnitudes are below 2^128 */
#define MSM_NO_DIGIT UINT32_MAX
#define MSM_DIGIT_NEG ((uint32_t)1 << 31)

enum { MSM_NEG = 1, MSM_SKIP = 2 };

/* (r - 1) / 2: a scalar above it is read as k - r */
static const uint64_t HALF_R[4] = {0xa1f0fac9f8000000ULL, 0x9419f4243cdcb848ULL,
                                   0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};

/* ---- the endomorphism ----------------------------------------------------
 *
 * phi(x, y) = (beta x, y) with beta a cube root of unity in F_p is the
 * multiplication by lambda, a cube root of unity mod r, for the pair
 *   beta   = 0x59e26bcea0d48bacd4f263f1acdb5c4f5763473177fffffe,
 *   lambda = 0xb3c4d79d41a917585bfc41088d8daaa78b17ea66b99c90dd.
 * The lattice of (x, y) with x + y lambda = 0 mod r has the short basis
 *   v1 = (A1, -B1), v2 = (A2, A1) (determinant r), with
 *   A1 = 0x89d3256894d213e3,
 *   A2 = 0x6f4d8248eeb859fd0be4e1541221250b,
 *   B1 = 0x6f4d8248eeb859fc8211bbeb7d4f1128.
 * For 0 <= k < 2^253, c1 = floor(k G1 / 2^256) and c2 = floor(k G2 / 2^256)
 * with G1 = floor(A1 2^256 / r), G2 = floor(B1 2^256 / r) approximate
 * k A1 / r and k B1 / r, and
 *   k1 = k - c1 A1 - c2 A2,  k2 = c1 B1 - c2 A1
 * satisfy k1 + k2 lambda = k mod r (v1 and v2 vanish).  With the real
 * quotients k A1 / r, k B1 / r for c1, c2, k1 and k2 would be 0 (as
 * A1^2 + A2 B1 = r); c1 and c2 fall short of them by e1, e2 in [0, 2), so
 * k1 = e1 A1 + e2 A2 and k2 = e2 A1 - e1 B1: |k1|, |k2| < 2^128.  So
 * k P = k1 P + k2 phi(P): twice the terms at half the bits.  (These
 * constants were computed with Python integers: the cube roots, the basis
 * by the extended Euclidean algorithm as in the GLV paper, and checked on
 * 200,000 random k; the tests check every MSM against references.) */
static const fq GLV_BETA = {{0x71930c11d782e155ULL, 0xa6bb947cffbe3323ULL, 0xaa303344d4741444ULL,
                             0x2c3b3f0d26594943ULL}}; /* Montgomery form */
static const uint64_t GLV_A1[1] = {0x89d3256894d213e3ULL};
static const uint64_t GLV_A2[2] = {0x0be4e1541221250bULL, 0x6f4d8248eeb859fdULL};
static const uint64_t GLV_B1[2] = {0x8211bbeb7d4f1128ULL, 0x6f4d8248eeb859fcULL};
static const uint64_t GLV_G1[2] = {0xd91d232ec7e0b3d7ULL, 0x2ULL};
static const uint64_t GLV_G2[3] = {0x7a7bd9d4391eb18dULL, 0x4ccef014a773d2cfULL, 0x2ULL};

/* out (nout limbs) = a * b truncated to nout limbs */
static void mul_limbs(uint64_t *out, size_t nout, const uint64_t *a, size_t na, const uint64_t *b,
                      size_t nb)
{
    memset(out, 0, nout * sizeof *out);
    for (size_t i = 0; i < na && i < nout; i++) {
        uint64_t carry = 0;
        size_t j = 0;
        for (; j < nb && i + j < nout; j++)
            out[i + j] = mont4_mac64(a[i], b[j], out[i + j], &carry);
        if (i + j < nout)
            out[i + j] = carry;
    }
}

/* x = x - y mod 2^256 */
static void sub_limbs(uint64_t x[4], const uint64_t y[4])
{
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++)
        x[i] = mont4_sbb64(x[i], y[i], &borrow);
}

/* x (a two's complement 256-bit integer) = |x|; returns 1 if it was
 * negative. */
static int abs_limbs(uint64_t x[4])
{
    if (!(x[3] >> 63))
        return 0;
    uint64_t t[4] = {0, 0, 0, 0};
    sub_limbs(t, x);
    memcpy(x, t, sizeof t);
    return 1;
}

/* k (< 2^253) = k1 + k2 lambda mod r: k1, k2 set to their magnitudes
 * (< 2^128), the return value bit 0 set if k1 < 0, bit 1 if k2 < 0. */
static int glv_split(uint64_t k1[4], uint64_t k2[4], const uint64_t k[4])
{
    uint64_t p[7], c1[2], c2[2], t[4];
    mul_limbs(p, 6, k, 4, GLV_G1, 2);
    c1[0] = p[4];
    c1[1] = p[5];
    mul_limbs(p, 7, k, 4, GLV_G2, 3);
    c2[0] = p[4];
    c2[1] = p[5];
    memcpy(k1, k, 4 * sizeof *k);
    mul_limbs(t, 4, c1, 2, GLV_A1, 1);
    sub_limbs(k1, t);
    mul_limbs(t, 4, c2, 2, GLV_A2, 2);
    sub_limbs(k1, t);
    mul_limbs(k2, 4, c1, 2, GLV_B1, 2);
    mul_limbs(t, 4, c2, 2, GLV_A1, 1);
    sub_limbs(k2, t);
    return abs_limbs(k1) | abs_limbs(k2) << 1;
}

#if FQ_IFMA
/* Pairs a chunk of msm_round_ifma holds (one batch inversion each). */
#define MSM_CHUNK 1024

/* A chunk's working memory (in a thread's region): its pairs (the slots of
 * their points and of their sum, and whether the points are equal), each
 * group of eight's denominators and prefix products, and the sums that need
 * no arithmetic (slot and point). */
typedef struct {
    uint32_t *a, *b, *o, *so;
    uint8_t *dbl;
    fq8 *d, *pre;
    g1_affine *sp;
    size_t cap, n, ns;
} msm_chunk;

/* The chunk capacity for T terms: at most T / 2 pairs a round, a multiple
 * of 8, at most MSM_CHUNK. */
static size_t msm_chunk_cap(size_t T)
{
    size_t c = (T / 2 + 8) & ~(size_t)7;
    return c < MSM_CHUNK ? c : MSM_CHUNK;
}

static size_t msm_chunk_bytes(size_t cap)
{
    return 2 * (cap / 8) * sizeof(fq8) + cap * sizeof(g1_affine) + 4 * cap * sizeof(uint32_t) +
           cap;
}

/* ch's arrays in mem (64-byte aligned, msm_chunk_bytes(cap) bytes) */
static void msm_chunk_init(msm_chunk *ch, unsigned char *mem, size_t cap)
{
    ch->d = (fq8 *)mem;
    ch->pre = ch->d + cap / 8;
    ch->sp = (g1_affine *)(ch->pre + cap / 8);
    ch->a = (uint32_t *)(ch->sp + cap);
    ch->b = ch->a + cap;
    ch->o = ch->b + cap;
    ch->so = ch->o + cap;
    ch->dbl = (uint8_t *)(ch->so + cap);
    ch->cap = cap;
    ch->n = ch->ns = 0;
}
#endif

/* ---- sizes and plans ----------------------------------------------------- */

static size_t round64(size_t x)
{
    return (x + 63) & ~(size_t)63;
}

/* The widest window for m terms: beyond about 2m buckets the bucket sums
 * cost more than the windows they save. */
static int msm_max_c(size_t m)
{
    int c = 2;
    while (c < MSM_MAX_C && ((size_t)1 << c) <= m)
        c++;
    return c;
}

/* windows for magnitudes of b bits with c-bit windows: ceil((b + 1) / c) */
static int msm_windows(int b, int c)
{
    return (b + c) / c;
}

/* Threads for n points: 1 below MSM_PARALLEL_MIN. */
static int msm_threads(size_t n, int threads)
{
    return threads < 1 || n < MSM_PARALLEL_MIN ? 1 : threads;
}

/* The scratch for n points on t threads (msm_threads): shared parts, then
 * one region a thread, each sized for every term (2n). */
typedef struct {
    size_t mags, flags, phix, wsum; /* offsets of the shared parts */
    size_t regions, total;          /* offset of the first region, all */
    size_t carry, digits, sorted, prods, seg; /* offsets in a thread's region */
    size_t region;                  /* its size */
    size_t T;                       /* the terms it is sized for */
} msm_layout;

/* The layout; total 0 on overflow. */
static msm_layout msm_layout_for(size_t n, int t)
{
    msm_layout l;
    memset(&l, 0, sizeof l);
    if (n > SIZE_MAX / 1024 || (size_t)t > SIZE_MAX / 1024 / MSM_MAX_WINDOWS)
        return l;
    const size_t T = 2 * n;
    l.T = T;
    size_t off = 0;
    l.mags = off;
    off += round64(T * 4 * sizeof(uint64_t));
    l.flags = off;
    off += round64(T);
    l.phix = off;
    off += round64(n * sizeof(fq));
    l.wsum = off;
    off += round64((size_t)t * MSM_MAX_WINDOWS * sizeof(g1_jac));
    l.regions = off;
    size_t j = 0;
    l.carry = j;
    j += round64(T);
    l.digits = j;
    j += round64(T * sizeof(uint32_t));
    l.sorted = j;
    j += round64(T * sizeof(g1_affine));
    l.prods = j;
#if FQ_IFMA
    j += round64(msm_chunk_bytes(msm_chunk_cap(T)));
#else
    j += round64((T / 2 + 1) * sizeof(fq));
#endif
    l.seg = j;
    j += round64(2 * ((size_t)1 << (msm_max_c(T) - 1)) * sizeof(uint32_t));
    l.region = j;
    if (__builtin_mul_overflow((size_t)t, j, &j) || __builtin_add_overflow(off, j, &l.total))
        l.total = 0;
    return l;
}

size_t g1_msm_scratch_bytes(size_t n, int threads)
{
    if (n == 0)
        return 64;
    msm_layout l = msm_layout_for(n, msm_threads(n, threads));
    return l.total ? l.total : SIZE_MAX;
}

typedef struct {
    int c, W;
    int split_windows; /* the threads share out the windows (each over every
                          term), else each takes a range of terms */
    double cost;       /* per thread, in affine pair additions */
} msm_plan;

/* The cheapest plan for nz non-zero terms out of T, of at most b bits, on
 * t threads. */
static msm_plan msm_plan_for(size_t nz, size_t T, int b, int t)
{
    msm_plan best = {0, 0, 0, -1};
    for (int ws = 0; ws <= (t > 1); ws++) {
        size_t terms = ws ? T : (T + (size_t)t - 1) / (size_t)t;
        double per_thread = ws ? (double)nz : (double)nz / t;
        for (int c = 1; c <= msm_max_c(terms); c++) {
            int W = msm_windows(b, c);
            /* windows per thread: shared out, but at least a whole one */
            double Wj = !ws ? W : W >= t ? (double)W / t : 1.0;
            double cost = Wj * (per_thread + MSM_BUCKET_WEIGHT * (double)(1u << c));
            if (best.cost < 0 || cost < best.cost)
                best = (msm_plan){c, W, ws, cost};
        }
    }
    return best;
}

/* ---- terms ---------------------------------------------------------------- */

/* mag = |k|; returns 1 if k was read as negative (k - r). */
static int signed_magnitude(uint64_t mag[4], const fr *k)
{
    fr_to_limbs(mag, k);
    for (int i = 3; i >= 0; i--) {
        if (mag[i] != HALF_R[i]) {
            if (mag[i] < HALF_R[i])
                return 0;
            static const uint64_t R[4] = {FR_R0, FR_R1, FR_R2, FR_R3};
            uint64_t borrow = 0;
            for (int j = 0; j < 4; j++)
                mag[j] = mont4_sbb64(R[j], mag[j], &borrow);
            return 1;
        }
    }
    return 0;
}

static int bit_length(const uint64_t x[4])
{
    for (int i = 3; i >= 0; i--)
        if (x[i])
            return 64 * i + 64 - __builtin_clzll(x[i]);
    return 0;
}

/* bits [s, s + c) of the 256-bit x (zero past the top) */
static inline uint64_t window_bits(const uint64_t x[4], int s, int c)
{
    int limb = s / 64, off = s % 64;
    if (limb >= 4)
        return 0;
    uint64_t v = x[limb] >> off;
    if (off + c > 64 && limb + 1 < 4)
        v |= x[limb + 1] << (64 - off);
    return v & (((uint64_t)1 << c) - 1);
}

/* Terms i in [i0, i1) for point i: magnitude and flags; *bits = the
 * largest bit length among them, returns how many are not skipped. */
static size_t prep_terms(uint64_t (*mags)[4], uint8_t *flags, const g1_affine *points,
                         const fr *scalars, size_t i0, size_t i1, int *bits)
{
    size_t nz = 0;
    int b = 0;
    for (size_t i = i0; i < i1; i++) {
        if (fr_is_zero(&scalars[i]) || g1_affine_is_infinity(&points[i])) {
            flags[i] = MSM_SKIP;
            continue;
        }
        flags[i] = signed_magnitude(mags[i], &scalars[i]) ? MSM_NEG : 0;
        int bl = bit_length(mags[i]);
        b = bl > b ? bl : b;
        nz++;
    }
    *bits = b;
    return nz;
}

/* The flags of a term of magnitude mag, sign neg. */
static uint8_t term_flags(const uint64_t mag[4], int neg)
{
    return (uint8_t)((mag[0] | mag[1] | mag[2] | mag[3]) == 0 ? MSM_SKIP : neg ? MSM_NEG : 0);
}

/* The GLV split of the terms of points [i0, i1) of n: term i becomes k1
 * (point i), term n + i k2 (point phi(i), whose x goes to phix[i]).
 * Returns the non-skipped count and the largest bit length as
 * prep_terms. */
static size_t prep_glv(uint64_t (*mags)[4], uint8_t *flags, fq *phix, const g1_affine *points,
                       size_t n, size_t i0, size_t i1, int *bits)
{
    size_t nz = 0;
    int b = 0;
    for (size_t i = i0; i < i1; i++) {
        if (flags[i] & MSM_SKIP) {
            flags[n + i] = MSM_SKIP;
            continue;
        }
        uint64_t k[4];
        memcpy(k, mags[i], sizeof k);
        int s = flags[i] & MSM_NEG, neg = glv_split(mags[i], mags[n + i], k);
        flags[i] = term_flags(mags[i], s ^ (neg & 1));
        flags[n + i] = term_flags(mags[n + i], s ^ (neg >> 1));
        fq_mul(&phix[i], &GLV_BETA, &points[i].x);
        const size_t halves[2] = {i, n + i};
        for (int h = 0; h < 2; h++) {
            if (flags[halves[h]] & MSM_SKIP)
                continue;
            int bl = bit_length(mags[halves[h]]);
            b = bl > b ? bl : b;
            nz++;
        }
    }
    *bits = b;
    return nz;
}

/* prep_terms of the n points, or (glv) prep_glv of what it left, in t
 * chunks of points, one a thread: the non-skipped count and *bits as
 * they return. */
static size_t prep_all(uint64_t (*mags)[4], uint8_t *flags, fq *phix, const g1_affine *points,
                       const fr *scalars, size_t n, int t, int glv, int *bits)
{
    size_t nz = 0;
    int b = 0;
#ifdef _OPENMP
#pragma omp parallel for num_threads(t) schedule(static) reduction(+ : nz) reduction(max : b) \
    if (t > 1)
#endif
    for (long s = 0; s < (long)t; s++) {
        const size_t i0 = n * (size_t)s / (size_t)t, i1 = n * (size_t)(s + 1) / (size_t)t;
        int bs;
        nz += glv ? prep_glv(mags, flags, phix, points, n, i0, i1, &bs)
                  : prep_terms(mags, flags, points, scalars, i0, i1, &bs);
        b = bs > b ? bs : b;
    }
    *bits = b;
    return nz;
}

/* ---- the buckets ----------------------------------------------------------- */

/* How the affine sum of a pair is formed. */
typedef enum {
    PAIR_FIRST,  /* the second is infinity: the first */
    PAIR_SECOND, /* the first is infinity: the second */
    PAIR_ZERO,   /* opposite points: infinity */
    PAIR_ADD,    /* distinct x: the chord, denominator x2 - x1 */
    PAIR_DBL     /* equal points: the tangent, denominator 2 y */
} msm_pair;

static inline msm_pair pair_kind(const g1_affine *a, const g1_affine *b)
{
    if (!fq_eq(&a->x, &b->x)) {
        /* distinct x, unless one of them is infinity */
        if (g1_affine_is_infinity(b))
            return PAIR_FIRST;
        if (g1_affine_is_infinity(a))
            return PAIR_SECOND;
        return PAIR_ADD;
    }
    if (g1_affine_is_infinity(a)) /* both infinity (no curve point has x = 0) */
        return PAIR_FIRST;
    /* same x: y equal or opposite (y != 0 on this curve) */
    return fq_eq(&a->y, &b->y) ? PAIR_DBL : PAIR_ZERO;
}

#if !FQ_IFMA
/* One round over the nb segments (pts + start[j], len[j] points each):
 * every segment's pairs summed into its front half, an odd last point moved
 * after them, len[] updated.  prods holds one fq per pair.  Returns the
 * number of pairs of the next round.
 *
 * The denominators' prefix products run from the last pair back to the
 * first so that the second pass, which consumes them in the opposite
 * order, walks each segment forwards: the sum of pair i goes to index i,
 * where pair i's own points (2i, 2i + 1) are already read and no later
 * pair's are. */
static size_t msm_round(g1_affine *pts, const uint32_t *start, uint32_t *len, size_t nb,
                        fq *prods)
{
    fq acc, inv, d;
    size_t t = 0;
    fq_set_one(&acc);
    for (size_t j = nb; j-- > 0;) {
        const g1_affine *s = pts + start[j];
        for (size_t i = len[j] / 2; i-- > 0;) {
            const g1_affine *a = &s[2 * i], *b = &s[2 * i + 1];
            switch (pair_kind(a, b)) {
            case PAIR_ADD:
                fq_sub(&d, &b->x, &a->x);
                break;
            case PAIR_DBL:
                fq_dbl(&d, &a->y);
                break;
            default:
                continue;
            }
            prods[t++] = acc;
            fq_mul(&acc, &acc, &d);
        }
    }
    if (t > 0)
        fq_inv_binary_var(&inv, &acc); /* a product of non-zero elements */
    size_t next = 0;
    for (size_t j = 0; j < nb; j++) {
        g1_affine *s = pts + start[j];
        const size_t k = len[j];
        for (size_t i = 0; i < k / 2; i++) {
            const g1_affine *a = &s[2 * i], *b = &s[2 * i + 1];
            fq lambda, num, dinv, x3;
            switch (pair_kind(a, b)) {
            case PAIR_FIRST:
                s[i] = *a;
                continue;
            case PAIR_SECOND:
                s[i] = *b;
                continue;
            case PAIR_ZERO:
                g1_affine_infinity(&s[i]);
                continue;
            case PAIR_ADD:
                fq_sub(&d, &b->x, &a->x);
                fq_sub(&num, &b->y, &a->y);
                break;
            case PAIR_DBL:
                fq_dbl(&d, &a->y);
                fq_sqr(&num, &a->x);
                fq_add(&lambda, &num, &num);
                fq_add(&num, &lambda, &num);
                break;
            }
            fq_mul(&dinv, &inv, &prods[--t]);
            fq_mul(&inv, &inv, &d);
            fq_mul(&lambda, &num, &dinv);
            fq_sqr(&x3, &lambda);
            fq_sub(&x3, &x3, &a->x);
            fq_sub(&x3, &x3, &b->x); /* b->x == a->x when doubling */
            fq_sub(&num, &a->x, &x3);
            fq_mul(&num, &lambda, &num);
            fq_sub(&s[i].y, &num, &a->y);
            s[i].x = x3;
        }
        if (k & 1)
            s[k / 2] = s[k - 1];
        len[j] = (uint32_t)((k + 1) / 2);
        next += len[j] / 2;
    }
    return next;
}
#endif

#if FQ_IFMA
/* ---- eight at a time (FQ_IFMA) -------------------------------------------- */

/* The slots of eight pairs (uint32) as a vector */
FQ8_INLINE __m512i msm_idx8(const uint32_t *v)
{
    return _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)v));
}

/* coordinate (0: x, 1: y) of the points at the eight slots idx */
FQ8_INLINE void msm_gather(fq8 *out, const g1_affine *pts, __m512i idx, int coord)
{
    const long long *base = (const long long *)pts + 4 * coord;
    const __m512i off = _mm512_slli_epi64(idx, 3); /* 8 words a point */
    __m512i w[4];
    FQ8_UNROLL
    for (int j = 0; j < 4; j++)
        w[j] = _mm512_i64gather_epi64(_mm512_add_epi64(off, fq8_bc((uint64_t)j)), base, 8);
    fq8_from64(out, w[0], w[1], w[2], w[3]);
}

/* coordinate coord of the points at the slots idx = x (canonical), in the
 * lanes of m */
FQ8_INLINE void msm_scatter(g1_affine *pts, __mmask8 m, __m512i idx, int coord, const fq8 *x)
{
    long long *base = (long long *)pts + 4 * coord;
    const __m512i off = _mm512_slli_epi64(idx, 3);
    __m512i w[4];
    fq8_to64(w, x);
    FQ8_UNROLL
    for (int j = 0; j < 4; j++)
        _mm512_mask_i64scatter_epi64(base, m, _mm512_add_epi64(off, fq8_bc((uint64_t)j)), w[j],
                                     8);
}

/* the lanes of the eight pairs from i that are tangents */
static __mmask8 dbl_mask(const uint8_t *dbl)
{
    __mmask8 m = 0;
    for (int l = 0; l < 8; l++)
        m |= (__mmask8)(dbl[l] << l);
    return m;
}

/* The chunk's pairs summed into their slots (chord: lambda = (y2 - y1) /
 * (x2 - x1); tangent: 3 x1^2 / (2 y1); x3 = lambda^2 - x1 - x2, y3 =
 * lambda (x1 - x3) - y1), then the sums needing no arithmetic written; the
 * chunk emptied.  Bounds: the points are fully reduced; differences are
 * taken as a + p - b (below 2p) and fq8 products stay below 2p; x3 and y3
 * are reduced fully before they are stored. */
static void chunk_flush(g1_affine *pts, msm_chunk *ch)
{
    const size_t n = ch->n, G = (n + 7) / 8;
    if (n > 0) {
        fq one1;
        fq_set_one(&one1);
        fq8 acc, one;
        fq8_set1(&one, &one1);
        for (size_t i = n; i < G * 8; i++) { /* padding: a real slot, a unit denominator */
            ch->a[i] = ch->b[i] = ch->a[0];
            ch->o[i] = ch->o[0];
            ch->dbl[i] = 0;
        }
        /* the denominators and each lane's prefix products, from the last
         * group back (so the sums below run forwards) */
        acc = one;
        for (size_t g = G; g-- > 0;) {
            const __m512i ia = msm_idx8(ch->a + 8 * g), ib = msm_idx8(ch->b + 8 * g);
            const __mmask8 md = dbl_mask(ch->dbl + 8 * g);
            const __mmask8 pad = (__mmask8)(8 * g + 8 > n ? 0xff << (n - 8 * g) : 0);
            fq8 x1, x2, d;
            msm_gather(&x1, pts, ia, 0);
            msm_gather(&x2, pts, ib, 0);
            fq8_sub(&d, &x2, &x1, FQ8_P);
            if (md) { /* 2 y1 */
                fq8 y1, d2;
                msm_gather(&y1, pts, ia, 1);
                fq8_add(&d2, &y1, &y1);
                fq8_blend(&d, md, &d2);
            }
            fq8_blend(&d, pad, &one);
            ch->d[g] = d;
            ch->pre[g] = acc;
            fq8_mul(&acc, &acc, &d);
        }
        /* the eight lanes' products inverted (each a product of non-zero
         * elements: distinct x, or y != 0) */
        fq lane[8], pre[8], inv, t;
        fq_set_one(&t);
        for (int l = 0; l < 8; l++) {
            fq8_lane_get(&lane[l], &acc, l);
            pre[l] = t;
            fq_mul(&t, &t, &lane[l]);
        }
        fq_inv_binary_var(&inv, &t);
        fq8 vinv = one;
        for (int l = 8; l-- > 0;) {
            fq_mul(&t, &inv, &pre[l]);
            fq_mul(&inv, &inv, &lane[l]);
            fq8_lane_set(&vinv, l, &t);
        }
        for (size_t g = 0; g < G; g++) {
            const __m512i ia = msm_idx8(ch->a + 8 * g), ib = msm_idx8(ch->b + 8 * g),
                          io = msm_idx8(ch->o + 8 * g);
            const __mmask8 md = dbl_mask(ch->dbl + 8 * g);
            const __mmask8 live = (__mmask8)(8 * g + 8 > n ? 0xff >> (8 * g + 8 - n) : 0xff);
            fq8 dinv, x1, y1, x2, y2, num, lam, x3, y3, u;
            fq8_mul(&dinv, &vinv, &ch->pre[g]);
            fq8_mul(&vinv, &vinv, &ch->d[g]);
            msm_gather(&x1, pts, ia, 0);
            msm_gather(&y1, pts, ia, 1);
            msm_gather(&x2, pts, ib, 0);
            msm_gather(&y2, pts, ib, 1);
            fq8_sub(&num, &y2, &y1, FQ8_P);
            if (md) { /* 3 x1^2, below p */
                fq8 sq, s3;
                fq8_sqr(&sq, &x1);
                fq8_csub(&sq, FQ8_P);
                fq8_add(&s3, &sq, &sq);
                fq8_add(&s3, &s3, &sq);
                fq8_csub(&s3, FQ8_2P);
                fq8_csub(&s3, FQ8_P);
                fq8_blend(&num, md, &s3);
            }
            fq8_mul(&lam, &num, &dinv);
            fq8_sqr(&x3, &lam);
            fq8_sub(&x3, &x3, &x1, FQ8_P);
            fq8_sub(&x3, &x3, &x2, FQ8_P); /* below 4p; x2 = x1 for a tangent */
            fq8_csub(&x3, FQ8_2P);
            fq8_csub(&x3, FQ8_P);
            fq8_sub(&u, &x1, &x3, FQ8_P);
            fq8_mul(&y3, &lam, &u);
            fq8_sub(&y3, &y3, &y1, FQ8_P); /* below 3p */
            fq8_csub(&y3, FQ8_2P);
            fq8_csub(&y3, FQ8_P);
            msm_scatter(pts, live, io, 0, &x3);
            msm_scatter(pts, live, io, 1, &y3);
        }
    }
    for (size_t i = 0; i < ch->ns; i++)
        pts[ch->so[i]] = ch->sp[i];
    ch->n = ch->ns = 0;
}

/* msm_round with the sums eight at a time: the pairs in order, classified
 * into ch (the sums needing no arithmetic, infinity or a copy of a point,
 * computed at once and kept aside), summed whenever ch fills. */
static size_t msm_round_ifma(g1_affine *pts, const uint32_t *start, uint32_t *len, size_t nb,
                             msm_chunk *ch)
{
    for (size_t j = 0; j < nb; j++) {
        const uint32_t s0 = start[j];
        for (uint32_t i = 0; i < len[j] / 2; i++) {
            const g1_affine *a = &pts[s0 + 2 * i], *b = &pts[s0 + 2 * i + 1];
            const msm_pair kind = pair_kind(a, b);
            if (kind == PAIR_ADD || kind == PAIR_DBL) {
                ch->a[ch->n] = s0 + 2 * i;
                ch->b[ch->n] = s0 + 2 * i + 1;
                ch->o[ch->n] = s0 + i;
                ch->dbl[ch->n++] = kind == PAIR_DBL;
            } else {
                ch->so[ch->ns] = s0 + i;
                if (kind == PAIR_FIRST)
                    ch->sp[ch->ns] = *a;
                else if (kind == PAIR_SECOND)
                    ch->sp[ch->ns] = *b;
                else
                    g1_affine_infinity(&ch->sp[ch->ns]);
                ch->ns++;
            }
            if (ch->n == ch->cap || ch->ns == ch->cap)
                chunk_flush(pts, ch);
        }
    }
    chunk_flush(pts, ch);
    size_t next = 0;
    for (size_t j = 0; j < nb; j++) {
        const size_t k = len[j];
        if (k & 1)
            pts[start[j] + k / 2] = pts[start[j] + k - 1];
        len[j] = (uint32_t)((k + 1) / 2);
        next += len[j] / 2;
    }
    return next;
}

/* Eight Jacobian points (g1.h's coordinates, each below 2p). */
typedef struct {
    fq8 x, y, z;
} g1j8;

/* the lanes where a (below 2p) is 0 mod p */
FQ8_INLINE __mmask8 fq8_zero_mask(const fq8 *a)
{
    fq8 c = *a;
    fq8_csub(&c, FQ8_P);
    __m512i o = c.l[0];
    for (int j = 1; j < 5; j++)
        o = _mm512_or_si512(o, c.l[j]);
    return _mm512_cmpeq_epi64_mask(o, _mm512_setzero_si512());
}

static void g1j8_get(g1_jac *out, const g1j8 *p, int l)
{
    fq8_lane_get(&out->x, &p->x, l);
    fq8_lane_get(&out->y, &p->y, l);
    fq8_lane_get(&out->z, &p->z, l);
}

static void g1j8_set(g1j8 *p, int l, const g1_jac *a)
{
    fq8_lane_set(&p->x, l, &a->x);
    fq8_lane_set(&p->y, l, &a->y);
    fq8_lane_set(&p->z, l, &a->z);
}

/* a += (bx, by) (affine) in the lanes of m, where a is finite: g1.c's
 * madd-2007-bl.  Returns the lanes of m where a and b share x (a doubling
 * or infinity), left unchanged for the caller. */
FQ8_INLINE __mmask8 g1j8_add_mixed(g1j8 *a, __mmask8 m, const fq8 *bx, const fq8 *by)
{
    fq8 z1z1, u2, s2, h, hh, i, j, r, v, t, x3, y3;
    fq8_sqr(&z1z1, &a->z);
    fq8_mul(&u2, bx, &z1z1);
    fq8_mul(&s2, by, &a->z);
    fq8_mul(&s2, &s2, &z1z1);
    fq8_subr(&h, &u2, &a->x);
    fq8_subr(&r, &s2, &a->y);
    const __mmask8 hz = fq8_zero_mask(&h) & m;
    fq8_sqr(&hh, &h);
    fq8_addr(&i, &hh, &hh);
    fq8_addr(&i, &i, &i); /* I = 4 HH */
    fq8_mul(&j, &h, &i);
    fq8_addr(&r, &r, &r);
    fq8_mul(&v, &a->x, &i);
    fq8_addr(&t, &a->z, &h);
    fq8_sqr(&t, &t);
    fq8_subr(&t, &t, &z1z1);
    fq8_subr(&t, &t, &hh); /* Z3 */
    fq8_mul(&s2, &a->y, &j);
    fq8_addr(&s2, &s2, &s2);
    fq8_sqr(&x3, &r);
    fq8_subr(&x3, &x3, &j);
    fq8_subr(&x3, &x3, &v);
    fq8_subr(&x3, &x3, &v);
    fq8_subr(&v, &v, &x3);
    fq8_mul(&y3, &r, &v);
    fq8_subr(&y3, &y3, &s2);
    const __mmask8 ok = m & (__mmask8)~hz;
    fq8_blend(&a->x, ok, &x3);
    fq8_blend(&a->y, ok, &y3);
    fq8_blend(&a->z, ok, &t);
    return hz;
}

/* a += b in the lanes of m, where both are finite: g1.c's add-2007-bl;
 * returns the lanes of m where they share x, left unchanged. */
FQ8_INLINE __mmask8 g1j8_add(g1j8 *a, __mmask8 m, const g1j8 *b)
{
    fq8 z1z1, z2z2, u1, u2, s1, s2, h, i, j, r, v, t, x3, y3, z3;
    fq8_sqr(&z1z1, &a->z);
    fq8_sqr(&z2z2, &b->z);
    fq8_mul(&u1, &a->x, &z2z2);
    fq8_mul(&u2, &b->x, &z1z1);
    fq8_mul(&s1, &a->y, &b->z);
    fq8_mul(&s1, &s1, &z2z2);
    fq8_mul(&s2, &b->y, &a->z);
    fq8_mul(&s2, &s2, &z1z1);
    fq8_subr(&h, &u2, &u1);
    fq8_subr(&r, &s2, &s1);
    const __mmask8 hz = fq8_zero_mask(&h) & m;
    fq8_addr(&i, &h, &h);
    fq8_sqr(&i, &i); /* I = (2 H)^2 */
    fq8_mul(&j, &h, &i);
    fq8_addr(&r, &r, &r);
    fq8_mul(&v, &u1, &i);
    fq8_addr(&t, &a->z, &b->z);
    fq8_sqr(&t, &t);
    fq8_subr(&t, &t, &z1z1);
    fq8_subr(&t, &t, &z2z2);
    fq8_mul(&z3, &t, &h);
    fq8_sqr(&t, &r);
    fq8_subr(&t, &t, &j);
    fq8_subr(&t, &t, &v);
    fq8_subr(&x3, &t, &v);
    fq8_subr(&t, &v, &x3);
    fq8_mul(&t, &r, &t);
    fq8_mul(&s1, &s1, &j);
    fq8_addr(&s1, &s1, &s1);
    fq8_subr(&y3, &t, &s1);
    const __mmask8 ok = m & (__mmask8)~hz;
    fq8_blend(&a->x, ok, &x3);
    fq8_blend(&a->y, ok, &y3);
    fq8_blend(&a->z, ok, &z3);
    return hz;
}

/* *sum = S_w = sum_j (j + 1) B_j over the nb = 8q buckets (nb >= 64), B_j
 * the sum of bucket j's len[j] points: lane l runs over buckets [l q,
 * (l + 1) q) from the top, its run R_l (the sum so far) and acc S_l (the
 * sum of the runs); S_w = sum_l S_l + q sum_l l R_l.  Infinity is kept in
 * masks (the lanes' coordinates then unused); a lane whose addition meets
 * equal x is done by g1.c's complete functions. */
static void running_sum_ifma(g1_jac *sum, const g1_affine *sorted, const uint32_t *start,
                             const uint32_t *len, size_t nb)
{
    const size_t q = nb / 8;
    fq one1;
    fq_set_one(&one1);
    fq8 one;
    fq8_set1(&one, &one1);
    g1j8 run = {one, one, one}, acc = {one, one, one};
    __mmask8 run_inf = 0xff, acc_inf = 0xff;
    for (size_t t = 0; t < q; t++) {
        uint32_t most = 0, sl[8];
        for (int l = 0; l < 8; l++) {
            const uint32_t k = len[(size_t)l * q + q - 1 - t];
            most = k > most ? k : most;
        }
        for (uint32_t i = 0; i < most; i++) { /* run += the buckets' points */
            __mmask8 have = 0;
            for (int l = 0; l < 8; l++) {
                const size_t jb = (size_t)l * q + q - 1 - t;
                sl[l] = len[jb] > i ? start[jb] + i : start[0];
                have |= (__mmask8)((len[jb] > i) << l);
            }
            const __m512i idx = msm_idx8(sl);
            fq8 bx, by;
            msm_gather(&bx, sorted, idx, 0);
            msm_gather(&by, sorted, idx, 1);
            have &= (__mmask8)~fq8_zero_mask(&bx); /* (0, 0): a P + (-P) of the rounds */
            const __mmask8 fresh = have & run_inf;
            const __mmask8 eq = g1j8_add_mixed(&run, have & (__mmask8)~run_inf, &bx, &by);
            fq8_blend(&run.x, fresh, &bx);
            fq8_blend(&run.y, fresh, &by);
            fq8_blend(&run.z, fresh, &one);
            run_inf &= (__mmask8)~fresh;
            for (int l = 0; l < 8; l++) {
                if (!((eq >> l) & 1))
                    continue;
                g1_jac r;
                g1_affine b;
                g1j8_get(&r, &run, l);
                fq8_lane_get(&b.x, &bx, l);
                fq8_lane_get(&b.y, &by, l);
                g1_add_mixed_var(&r, &r, &b);
                if (g1_is_infinity(&r)) {
                    run_inf |= (__mmask8)(1u << l);
                    r.z = one1; /* coordinates unused while the mask says infinity */
                }
                g1j8_set(&run, l, &r);
            }
        }
        /* acc += run */
        const __mmask8 take = acc_inf & (__mmask8)~run_inf;
        const __mmask8 eq = g1j8_add(&acc, (__mmask8)~acc_inf & (__mmask8)~run_inf, &run);
        fq8_blend(&acc.x, take, &run.x);
        fq8_blend(&acc.y, take, &run.y);
        fq8_blend(&acc.z, take, &run.z);
        acc_inf &= (__mmask8)~take;
        for (int l = 0; l < 8; l++) {
            if (!((eq >> l) & 1))
                continue;
            g1_jac a, r;
            g1j8_get(&a, &acc, l);
            g1j8_get(&r, &run, l);
            g1_add_var(&a, &a, &r);
            if (g1_is_infinity(&a)) {
                acc_inf |= (__mmask8)(1u << l);
                a.z = one1;
            }
            g1j8_set(&acc, l, &a);
        }
    }
    /* sum_l S_l, and sum_l l R_l as sum_{m >= 1} sum_{l >= m} R_l */
    g1_jac tot, suf, w;
    g1_set_infinity(sum);
    g1_set_infinity(&tot);
    g1_set_infinity(&suf);
    for (int l = 7; l >= 0; l--) {
        if (!((acc_inf >> l) & 1)) {
            g1j8_get(&w, &acc, l);
            g1_add_var(sum, sum, &w);
        }
        if (l > 0) {
            if (!((run_inf >> l) & 1)) {
                g1j8_get(&w, &run, l);
                g1_add_var(&suf, &suf, &w);
            }
            g1_add_var(&tot, &tot, &suf);
        }
    }
    for (size_t m = q; m > 1; m /= 2) /* q a power of 2 */
        g1_dbl(&tot, &tot);
    g1_add_var(sum, sum, &tot);
}
#endif /* FQ_IFMA */

/* What every thread reads: the terms (term t < n is point t, term n + i is
 * phi(point i), x from phix) and the window width. */
typedef struct {
    const g1_affine *points;
    const fq *phix;
    size_t n;
    const uint64_t (*mags)[4];
    const uint8_t *flags;
    int c;
} msm_terms;

/* A thread's working memory (its region of the scratch) for the terms
 * [t0, t1), and the window its carries are at. */
typedef struct {
    const msm_terms *tm;
    size_t t0, t1;
    uint8_t *carry;
    uint32_t *digits;
    g1_affine *sorted;
    fq *prods;
    uint32_t *start, *len;
    int at;
#if FQ_IFMA
    msm_chunk ch; /* in the prods part of the region */
#endif
} msm_worker;

static void worker_init(msm_worker *wk, const msm_terms *tm, size_t t0, size_t t1,
                        unsigned char *region, const msm_layout *l)
{
    wk->tm = tm;
    wk->t0 = t0;
    wk->t1 = t1;
    wk->carry = region + l->carry;
    wk->digits = (uint32_t *)(region + l->digits);
    wk->sorted = (g1_affine *)(region + l->sorted);
    wk->prods = (fq *)(region + l->prods);
#if FQ_IFMA
    msm_chunk_init(&wk->ch, region + l->prods, msm_chunk_cap(l->T));
#endif
    wk->start = (uint32_t *)(region + l->seg);
    wk->len = wk->start + ((size_t)1 << (tm->c - 1));
    memset(wk->carry, 0, t1 - t0);
    wk->at = 0;
}

/* The carries into window w (w >= wk->at: on from where they are). */
static void worker_advance(msm_worker *wk, int w)
{
    const int c = wk->tm->c;
    const uint64_t half = (uint64_t)1 << (c - 1);
    const uint64_t(*mags)[4] = wk->tm->mags + wk->t0;
    const uint8_t *flags = wk->tm->flags + wk->t0;
    if (w == wk->at)
        return;
    for (size_t i = 0; i < wk->t1 - wk->t0; i++) {
        uint64_t cy = wk->carry[i];
        if (!(flags[i] & MSM_SKIP))
            for (int v = wk->at; v < w; v++)
                cy = window_bits(mags[i], v * c, c) + cy > half;
        wk->carry[i] = (uint8_t)cy;
    }
    wk->at = w;
}

/* *sum = S_w over the worker's terms, for w = wk->at; the carries move on
 * to window w + 1. */
static void worker_window(msm_worker *wk, g1_jac *sum)
{
    const msm_terms *tm = wk->tm;
    const int c = tm->c, w = wk->at;
    const uint64_t half = (uint64_t)1 << (c - 1);
    const size_t nb = (size_t)half, m = wk->t1 - wk->t0;
    const uint64_t(*mags)[4] = tm->mags + wk->t0;
    const uint8_t *flags = tm->flags + wk->t0;
    uint8_t *carry = wk->carry;
    uint32_t *digits = wk->digits, *start = wk->start, *len = wk->len;
    g1_affine *sorted = wk->sorted;

    /* the digits, and the bucket sizes in len[] */
    memset(len, 0, nb * sizeof *len);
    for (size_t i = 0; i < m; i++) {
        digits[i] = MSM_NO_DIGIT;
        if (flags[i] & MSM_SKIP)
            continue;
        uint64_t d = window_bits(mags[i], w * c, c) + carry[i];
        uint32_t neg = (flags[i] & MSM_NEG) ? MSM_DIGIT_NEG : 0;
        carry[i] = d > half;
        if (d > half) { /* the digit d - 2^c: its magnitude, sign flipped */
            d = ((uint64_t)1 << c) - d;
            neg ^= MSM_DIGIT_NEG;
        }
        if (d == 0)
            continue;
        digits[i] = (uint32_t)(d - 1) | neg;
        len[d - 1]++;
    }
    wk->at = w + 1;
    /* the points sorted by bucket: start[] as the fill cursor, then rewound */
    uint32_t pos = 0;
    for (size_t j = 0; j < nb; j++) {
        start[j] = pos;
        pos += len[j];
    }
    for (size_t i = 0; i < m; i++) {
        uint32_t dg = digits[i];
        if (dg == MSM_NO_DIGIT)
            continue;
        size_t t = wk->t0 + i, pi = t < tm->n ? t : t - tm->n;
        g1_affine *q = &sorted[start[dg & ~MSM_DIGIT_NEG]++];
        q->x = t < tm->n ? tm->points[pi].x : tm->phix[pi];
        if (dg & MSM_DIGIT_NEG)
            fq_neg(&q->y, &tm->points[pi].y);
        else
            q->y = tm->points[pi].y;
    }
    size_t pairs = 0;
    for (size_t j = 0; j < nb; j++) {
        start[j] -= len[j];
        pairs += len[j] / 2;
    }
#if FQ_IFMA
    while (pairs >= MSM_BATCH_MIN)
        pairs = msm_round_ifma(sorted, start, len, nb, &wk->ch);
    if (nb >= 64) {
        running_sum_ifma(sum, sorted, start, len, nb);
        return;
    }
#else
    while (pairs >= MSM_BATCH_MIN)
        pairs = msm_round(sorted, start, len, nb, wk->prods);
#endif
    /* S_w by the running sum, each bucket's remaining points added into it
     * one by one */
    g1_jac run;
    g1_set_infinity(&run);
    g1_set_infinity(sum);
    for (size_t j = nb; j-- > 0;) {
        for (uint32_t i = 0; i < len[j]; i++)
            g1_add_mixed_var(&run, &run, &sorted[start[j] + i]);
        g1_add_var(sum, sum, &run);
    }
}

void g1_msm_var(g1_jac *out, const g1_affine *points, const fr *scalars, size_t n,
                void *scratch, int threads)
{
    g1_set_infinity(out);
    if (n == 0)
        return;
    const int t = msm_threads(n, threads);
    const msm_layout l = msm_layout_for(n, t);
    unsigned char *base = scratch;
    uint64_t(*mags)[4] = (uint64_t(*)[4])(base + l.mags);
    uint8_t *flags = base + l.flags;
    fq *phix = (fq *)(base + l.phix);
    g1_jac *wsum = (g1_jac *)(base + l.wsum);

    int b;
    size_t nz = prep_all(mags, flags, phix, points, scalars, n, t, 0, &b);
    if (nz == 0)
        return;
    size_t T = n;
    msm_plan plan = msm_plan_for(nz, T, b, t);
    if (b > MSM_GLV_BITS) {
        msm_plan glv = msm_plan_for(2 * nz, 2 * n, MSM_GLV_BITS, t);
        if (glv.cost + MSM_GLV_WEIGHT * (double)nz / t < plan.cost) {
            /* k1 + k2 lambda = k != 0: some half is not skipped */
            nz = prep_all(mags, flags, phix, points, scalars, n, t, 1, &b);
            T = 2 * n;
            plan = msm_plan_for(nz, T, b, t);
        }
    }

    const msm_terms tm = {points, phix, n, (const uint64_t(*)[4])mags, flags, plan.c};
    const int W = plan.W;
    /* the term ranges whose window sums are in wsum (each window's sum is
     * written by one worker: none to clear) */
    const int ranges = plan.split_windows ? 1 : t;
    if (plan.split_windows) {
        /* every term, the windows handed out one at a time (a thread slowed
         * by other work takes fewer); each thread's carries move on from
         * the last window it ran, the windows arriving in increasing order
         * (monotonic) */
#ifdef _OPENMP
#pragma omp parallel num_threads(t)
#endif
        {
            int tid = 0;
#ifdef _OPENMP
            tid = omp_get_thread_num();
#endif
            msm_worker wk;
            worker_init(&wk, &tm, 0, T, base + l.regions + (size_t)tid * l.region, &l);
#ifdef _OPENMP
#pragma omp for schedule(monotonic : dynamic, 1)
#endif
            for (int w = 0; w < W; w++) {
                worker_advance(&wk, w);
                worker_window(&wk, &wsum[w]);
            }
        }
    } else {
        /* t ranges of terms, every window */
#ifdef _OPENMP
#pragma omp parallel for num_threads(t) schedule(static, 1) if (t > 1)
#endif
        for (long s = 0; s < (long)t; s++) {
            msm_worker wk;
            worker_init(&wk, &tm, T * (size_t)s / (size_t)t, T * (size_t)(s + 1) / (size_t)t,
                        base + l.regions + (size_t)s * l.region, &l);
            for (int w = 0; w < W; w++)
                worker_window(&wk, &wsum[(size_t)s * MSM_MAX_WINDOWS + w]);
        }
    }

    /* sum_w 2^(c w) S_w by Horner, S_w summed over the term ranges */
    for (int w = W - 1; w >= 0; w--) {
        for (int j = 0; j < plan.c && w < W - 1; j++)
            g1_dbl(out, out);
        for (int s = 0; s < ranges; s++)
            g1_add_var(out, out, &wsum[(size_t)s * MSM_MAX_WINDOWS + w]);
    }
}
