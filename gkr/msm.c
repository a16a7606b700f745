/* Pippenger's bucket method for g1_msm_var (msm.h).
 *
 * Each scalar k is read as the signed integer of least magnitude, s * |k|
 * with |k| <= (r - 1) / 2 (k itself or k - r).  With b the bit length of
 * the largest |k| and windows of c bits, |k| is recoded into
 * W = ceil((b + 1) / c) signed digits d_w in (-2^(c-1), 2^(c-1)]
 * (a window above 2^(c-1) becomes d - 2^c and carries 1 into the next
 * window; the top window, below 2^(c-1) before the carry, never carries
 * out).  Window w then needs only 2^(c-1) buckets, bucket j collecting the
 * points whose digit is +-(j + 1) (negated for a negative digit), and
 *   S_w = sum_j (j + 1) * bucket_j
 * comes from a running sum from the top bucket down (two additions per
 * bucket).  The result is sum_w 2^(c w) S_w, by Horner from the top window.
 *
 * Cost per window: one mixed addition per point with a non-zero digit plus
 * about 2^c bucket additions, so c minimises W * (nz + 1.5 * 2^c) for the
 * actual b and the number nz of non-zero terms: a vector of bits (b = 1)
 * takes c = 2, one window, one addition per non-zero entry.  Zero scalars
 * and points at infinity are dropped before any window.
 *
 * The windows run from the bottom, so that each point's digit comes from
 * its magnitude and one carry bit kept between windows (no table of
 * digits); the window sums wait in the scratch for the Horner pass.
 *
 * Threads: the points are cut into equal slices, one per thread, each
 * summed as a whole MSM in its own region of the scratch, then the partial
 * sums are added.
 *
 * Scratch, per slice of m points (msm_region), each part 64-byte aligned:
 *   m magnitudes       4 limbs each;
 *   m flags            bit 0 the carry into the current window, bit 1 the
 *                      sign, bit 2 a term to skip;
 *   buckets            2^(cmax(m) - 1) g1_jac, cmax(m) = the widest window
 *                      allowed for m points;
 *   window sums        MSM_MAX_WINDOWS g1_jac;
 * then the partial sums of the slices. */
#include "msm.h"

#include <string.h>

#define MSM_MAX_C 15            /* 2^14 buckets of 96 bytes: 1.5 MB */
#define MSM_MAX_BITS 253        /* |k| <= (r - 1) / 2 < 2^253 */
#define MSM_MAX_WINDOWS (MSM_MAX_BITS + 1) /* c = 1 */
#define MSM_PARALLEL_MIN 256    /* fewer points run on the calling thread */

enum { MSM_CARRY = 1, MSM_NEG = 2, MSM_SKIP = 4 };

/* (r - 1) / 2: a scalar above it is read as k - r */
static const uint64_t HALF_R[4] = {0xa1f0fac9f8000000ULL, 0x9419f4243cdcb848ULL,
                                   0xdc2822db40c0ac2eULL, 0x183227397098d014ULL};

static size_t round64(size_t x)
{
    return (x + 63) & ~(size_t)63;
}

/* The widest window for slices of m points: beyond about 2m buckets the
 * bucket sums cost more than the windows they save. */
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

/* The window width for nz non-zero terms of at most b bits, c <= cmax. */
static int msm_choose_c(size_t nz, int b, int cmax)
{
    int best_c = 1;
    double best = 0;
    for (int c = 1; c <= cmax; c++) {
        double cost = msm_windows(b, c) * ((double)nz + 1.5 * (double)(1u << c));
        if (c == 1 || cost < best) {
            best = cost;
            best_c = c;
        }
    }
    return best_c;
}

typedef struct {
    size_t mags, flags, buckets, sums, total;
} msm_layout;

/* The region of a slice of m points; total 0 on overflow. */
static msm_layout msm_region(size_t m)
{
    msm_layout l = {0, 0, 0, 0, 0};
    if (m > SIZE_MAX / 64)
        return l;
    l.mags = round64(m * 4 * sizeof(uint64_t));
    l.flags = round64(m);
    l.buckets = round64(((size_t)1 << (msm_max_c(m) - 1)) * sizeof(g1_jac));
    l.sums = round64(MSM_MAX_WINDOWS * sizeof(g1_jac));
    l.total = l.mags + l.flags + l.buckets + l.sums;
    return l;
}

/* Slices for n points on `threads` threads: slice length *m, count
 * returned. */
static size_t msm_slices(size_t n, int threads, size_t *m)
{
    size_t t = threads < 1 ? 1 : (size_t)threads;
    if (t == 1 || n < MSM_PARALLEL_MIN) {
        *m = n;
        return n ? 1 : 0;
    }
    *m = n / t + (n % t != 0);
    return n / *m + (n % *m != 0);
}

size_t g1_msm_scratch_bytes(size_t n, int threads)
{
    size_t m, slices = msm_slices(n, threads, &m);
    if (slices == 0)
        return 64;
    msm_layout l = msm_region(m);
    size_t total;
    if (l.total == 0 || __builtin_mul_overflow(slices, l.total, &total) ||
        __builtin_add_overflow(total, round64(slices * sizeof(g1_jac)), &total))
        return SIZE_MAX;
    return total;
}

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
static uint64_t window_bits(const uint64_t x[4], int s, int c)
{
    int limb = s / 64, off = s % 64;
    if (limb >= 4)
        return 0;
    uint64_t v = x[limb] >> off;
    if (off + c > 64 && limb + 1 < 4)
        v |= x[limb + 1] << (64 - off);
    return v & (((uint64_t)1 << c) - 1);
}

/* out = sum over i < m of scalars[i] * points[i], in a region laid out
 * for slices of m_nominal >= m points. */
static void msm_slice(g1_jac *out, const g1_affine *points, const fr *scalars, size_t m,
                      size_t m_nominal, unsigned char *region)
{
    const msm_layout l = msm_region(m_nominal);
    uint64_t(*mags)[4] = (uint64_t(*)[4])region;
    uint8_t *flags = region + l.mags;
    g1_jac *buckets = (g1_jac *)(region + l.mags + l.flags);
    g1_jac *sums = (g1_jac *)(region + l.mags + l.flags + l.buckets);

    /* magnitudes, signs, the largest bit length and the non-zero count */
    uint64_t all[4] = {0, 0, 0, 0};
    size_t nz = 0;
    for (size_t i = 0; i < m; i++) {
        if (fr_is_zero(&scalars[i]) || g1_affine_is_infinity(&points[i])) {
            flags[i] = MSM_SKIP;
            continue;
        }
        flags[i] = signed_magnitude(mags[i], &scalars[i]) ? MSM_NEG : 0;
        for (int j = 0; j < 4; j++)
            all[j] |= mags[i][j];
        nz++;
    }
    g1_set_infinity(out);
    if (nz == 0)
        return;
    const int b = bit_length(all);
    const int c = msm_choose_c(nz, b, msm_max_c(m_nominal));
    const int W = msm_windows(b, c);
    const uint64_t half = (uint64_t)1 << (c - 1);
    const size_t nb = (size_t)half;

    for (int w = 0; w < W; w++) {
        for (size_t j = 0; j < nb; j++)
            fq_set_zero(&buckets[j].z);
        for (size_t i = 0; i < m; i++) {
            uint8_t f = flags[i];
            if (f & MSM_SKIP)
                continue;
            uint64_t d = window_bits(mags[i], w * c, c) + (f & MSM_CARRY);
            int neg = (f & MSM_NEG) != 0;
            if (d > half) { /* the digit d - 2^c: its magnitude, sign flipped */
                d = ((uint64_t)1 << c) - d;
                neg = !neg;
                flags[i] = f | MSM_CARRY;
            } else {
                flags[i] = f & (uint8_t)~MSM_CARRY;
            }
            if (d == 0)
                continue;
            if (neg) {
                g1_affine q = points[i];
                fq_neg(&q.y, &q.y);
                g1_add_mixed_var(&buckets[d - 1], &buckets[d - 1], &q);
            } else {
                g1_add_mixed_var(&buckets[d - 1], &buckets[d - 1], &points[i]);
            }
        }
        g1_jac run;
        g1_set_infinity(&run);
        g1_set_infinity(&sums[w]);
        for (size_t j = nb; j-- > 0;) {
            g1_add_var(&run, &run, &buckets[j]);
            g1_add_var(&sums[w], &sums[w], &run);
        }
    }
    *out = sums[W - 1];
    for (int w = W - 2; w >= 0; w--) {
        for (int j = 0; j < c; j++)
            g1_dbl(out, out);
        g1_add_var(out, out, &sums[w]);
    }
}

void g1_msm_var(g1_jac *out, const g1_affine *points, const fr *scalars, size_t n,
                void *scratch, int threads)
{
    size_t m, slices = msm_slices(n, threads, &m);
    unsigned char *base = scratch;
    if (slices == 0) {
        g1_set_infinity(out);
        return;
    }
    if (slices == 1) {
        msm_slice(out, points, scalars, n, m, base);
        return;
    }
    size_t region = msm_region(m).total;
    g1_jac *partial = (g1_jac *)(base + slices * region);
    long count = (long)slices;
#ifdef _OPENMP
#pragma omp parallel for num_threads(threads) schedule(static, 1)
#endif
    for (long s = 0; s < count; s++) {
        size_t first = (size_t)s * m;
        size_t len = n - first < m ? n - first : m;
        msm_slice(&partial[s], points + first, scalars + first, len, m,
                  base + (size_t)s * region);
    }
    g1_jac acc = partial[0];
    for (size_t s = 1; s < slices; s++)
        g1_add_var(&acc, &acc, &partial[s]);
    *out = acc;
}
