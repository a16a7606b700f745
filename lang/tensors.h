/* Named tensors: the weights and inputs a model runs on.
 *
 * Sources: NumPy .npy files (one tensor, or a directory of them), safetensors
 * files (what `safetensors.torch.save_file` writes), and seeded random
 * tensors for `--seed N` / `--input-seed N`.  Writers produce files numpy and
 * the safetensors libraries read back.
 *
 * Values are held as double whatever the file's dtype.  A double represents
 * every float16, bfloat16, float32 and float64 value exactly, and every
 * integer of magnitude at most 2^53; so a tensor loaded from any supported
 * file holds exactly the numbers in the file, and the quantizer has one type
 * to read.  Integer tensors (i64/u64) holding a value beyond 2^53 in
 * magnitude are refused rather than rounded: no weight or input of a
 * quantized network needs such a value, and a silent rounding would make the
 * proven numbers differ from the file.  Non-finite values (NaN, +-inf) are
 * refused too: they cannot be quantized.  Boolean elements must be the bytes
 * 0 or 1.  The dtype of origin is kept beside the values.
 *
 * Every loader checks sizes before it allocates: a tensor's values take at
 * most 8 bytes per element, and its elements must be present in the file, so
 * memory stays within a small multiple of the file's size.  Shapes have rank
 * 0..ZKM_TENSOR_MAX_RANK, each dimension at most ZKM_TENSOR_MAX_DIM and at
 * most ZKM_TENSOR_MAX_ELEMS elements in all (overflow-checked).
 *
 * Errors: every function returns a zkm_status and, through the zkm_err,
 * one line naming the file and the tensor ("w/conv1.npy: conv1: ...").
 * Nothing here prints or exits. */
#ifndef ZKM_TENSORS_H
#define ZKM_TENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "zkm_err.h"

#define ZKM_TENSOR_MAX_RANK 8
#define ZKM_TENSOR_MAX_DIM ((uint64_t)1 << 40)
#define ZKM_TENSOR_MAX_ELEMS ((uint64_t)1 << 40)
/* Integers of larger magnitude are not held exactly by a double. */
#define ZKM_TENSOR_MAX_EXACT_INT ((uint64_t)1 << 53)
/* Default bound on the bytes one load may read (files of a directory
 * together), used when a loader is given max_bytes = 0. */
#define ZKM_TENSOR_MAX_FILE_BYTES ((size_t)1 << 34)
/* A safetensors JSON header longer than this is refused (the limit of the
 * reference implementation, 100 MB). */
#define ZKM_ST_MAX_HEADER ((uint64_t)100000000)
/* A .npy header longer than this is refused (numpy writes < 300 bytes for
 * the dtypes and ranks accepted here). */
#define ZKM_NPY_MAX_HEADER ((uint32_t)1 << 16)

typedef enum {
    ZKM_TENSOR_BOOL,
    ZKM_TENSOR_U8,
    ZKM_TENSOR_I8,
    ZKM_TENSOR_U16,
    ZKM_TENSOR_I16,
    ZKM_TENSOR_U32,
    ZKM_TENSOR_I32,
    ZKM_TENSOR_U64,
    ZKM_TENSOR_I64,
    ZKM_TENSOR_F16,  /* IEEE binary16 */
    ZKM_TENSOR_BF16, /* bfloat16 (safetensors only: numpy has no such dtype) */
    ZKM_TENSOR_F32,
    ZKM_TENSOR_F64,
    ZKM_TENSOR_DTYPE_COUNT
} zkm_tensor_dtype;

typedef struct {
    char *name;             /* owned, non-empty, no control characters */
    zkm_tensor_dtype dtype; /* dtype of origin (or to write) */
    uint32_t rank;          /* 0..ZKM_TENSOR_MAX_RANK; rank 0 is a scalar */
    uint64_t shape[ZKM_TENSOR_MAX_RANK];
    size_t count;           /* product of the shape (1 for rank 0) */
    double *data;           /* count values in C (row-major) order; owned;
                               may be NULL when count is 0 */
} zkm_tensor;

/* Tensors kept sorted by name (strcmp byte order), names unique. */
typedef struct {
    zkm_tensor *t;
    size_t n, cap;
} zkm_tensor_set;

/* ------------------------------------------------------------- dtypes */

/* "f32", "i64", "bool", ... */
const char *zkm_tensor_dtype_name(zkm_tensor_dtype dt);
/* Bytes per element in a file: 1, 2, 4 or 8. */
size_t zkm_tensor_dtype_size(zkm_tensor_dtype dt);

/* Decode count little-endian (big_endian = 0) or big-endian elements of dt
 * at src into dst.  On a value that cannot be held (see above) returns
 * ZKM_EFORMAT with *bad = its index and e->msg = what is wrong with it, with
 * no prefix ("is NaN", "is 9007199254740993, beyond 2^53 ...") so the caller
 * can name the file, tensor and element. */
zkm_status zkm_tensor_decode(zkm_tensor_dtype dt, int big_endian, const uint8_t *src,
                             size_t count, double *dst, size_t *bad, zkm_err *e);

/* Encode count values as little-endian dt at dst (count * size bytes).
 * Floating dtypes round to nearest, ties to even; integer and bool dtypes
 * require the exact value (an integer in the dtype's range and within
 * 2^53; 0 or 1 for bool).  Refuses non-finite values and float overflow
 * (ZKM_EINVAL, *bad and e->msg as for decode). */
zkm_status zkm_tensor_encode(zkm_tensor_dtype dt, const double *src, size_t count,
                             uint8_t *dst, size_t *bad, zkm_err *e);

/* ------------------------------------------------------------ tensors */

/* Validate a shape and store its element count.  ZKM_EFORMAT, with a message
 * without prefix ("rank 9 exceeds the maximum 8", "dimension 0 is ...",
 * "shape [...] has more than 2^40 elements"), when it is out of bounds. */
zkm_status zkm_tensor_shape_count(const uint64_t *shape, uint32_t rank, size_t *count,
                                  zkm_err *e);

/* Write "[6, 1, 5, 5]" ("[]" for rank 0) into buf (always NUL-terminated,
 * truncated if n is too small); returns buf. */
char *zkm_tensor_shape_str(const uint64_t *shape, uint32_t rank, char *buf, size_t n);

/* Refuse (ZKM_EFORMAT) an empty name or one holding a control character. */
zkm_status zkm_tensor_check_name(const char *name, zkm_err *e);

/* The multi-index of element number flat (in C order, or Fortran order if
 * fortran) written as zkm_tensor_shape_str writes a shape: "[0, 2, 1]". */
char *zkm_tensor_index_str(const uint64_t *shape, uint32_t rank, int fortran, size_t flat,
                           char *buf, size_t n);

/* A tensor named name (copied) of the given dtype and shape, values zero. */
zkm_status zkm_tensor_init(zkm_tensor *t, const char *name, zkm_tensor_dtype dt,
                           const uint64_t *shape, uint32_t rank, zkm_err *e);
/* Free name and data; leaves t zeroed.  t may be NULL. */
void zkm_tensor_free(zkm_tensor *t);

/* ---------------------------------------------------------------- sets */

void zkm_tensor_set_init(zkm_tensor_set *s);
void zkm_tensor_set_free(zkm_tensor_set *s);
/* Move *t into s at its sorted place; on success *t is zeroed (s owns it).
 * Refuses a duplicate name (ZKM_EFORMAT); on failure *t is untouched. */
zkm_status zkm_tensor_set_add(zkm_tensor_set *s, zkm_tensor *t, zkm_err *e);
/* The tensor called name, or NULL (binary search). */
const zkm_tensor *zkm_tensor_set_find(const zkm_tensor_set *s, const char *name);
/* Restore the sorted order after filling s->t directly; refuses duplicate
 * names (ZKM_EFORMAT, naming where: what, e.g. a path). */
zkm_status zkm_tensor_set_sort(zkm_tensor_set *s, const char *where, zkm_err *e);

/* ------------------------------------------------------------- loading */

/* Load path into *out (initialized here; on failure left empty):
 *   - a directory: every regular "STEM.npy" in it (not descending, dot-files
 *     skipped), one tensor per file named STEM ("conv1.weight.npy" gives
 *     "conv1.weight"); other files are ignored; none at all is an error;
 *   - a file starting with the .npy magic: one tensor named by the file's stem;
 *   - a safetensors file (recognized by its structure, not its name): every
 *     tensor in it.
 * max_bytes bounds the bytes read (0: ZKM_TENSOR_MAX_FILE_BYTES). */
zkm_status zkm_tensors_load(const char *path, size_t max_bytes, zkm_tensor_set *out,
                            zkm_err *e);

/* NumPy .npy, format versions 1.0, 2.0 and 3.0: dtypes '|b1', '|u1', '|i1',
 * '<u2' '<i2' '<u4' '<i4' '<u8' '<i8' '<f2' '<f4' '<f8' and their big-endian
 * '>' forms.  Fortran-order arrays are accepted and transposed into C order
 * (numpy writes fortran_order: True for e.g. np.save(f, W.T)).  Refused:
 * object arrays (pickles), structured, string, complex and datetime dtypes,
 * any header key but descr/fortran_order/shape, bytes after the data.
 * name is the tensor's name; file only names the source in messages (NULL:
 * "<buffer>"). */
zkm_status zkm_npy_parse(const uint8_t *buf, size_t len, const char *name, const char *file,
                         zkm_tensor *out, zkm_err *e);
/* Read the .npy file at path; the tensor is named by its stem. */
zkm_status zkm_npy_read(const char *path, size_t max_bytes, zkm_tensor *out, zkm_err *e);

/* safetensors: u64 little-endian header length N, N bytes of JSON (starting
 * with '{', trailing spaces allowed) mapping names to {"dtype", "shape",
 * "data_offsets": [begin, end]} and an optional "__metadata__" object of
 * strings, then the data.  dtypes BOOL U8 I8 U16 I16 U32 I32 U64 I64 F16
 * BF16 F32 F64.  Checked as the reference implementation does: offsets
 * relative to the data area, end - begin = elements * dtype size, tensors
 * covering the data area exactly (no overlap, no hole, nothing after);
 * also refused: duplicate keys, unknown fields, a header longer than
 * ZKM_ST_MAX_HEADER.  Values are read little-endian, C order.  The metadata
 * is validated and dropped.  *out is initialized here. */
zkm_status zkm_st_parse(const uint8_t *buf, size_t len, const char *file, zkm_tensor_set *out,
                        zkm_err *e);
zkm_status zkm_safetensors_read(const char *path, size_t max_bytes, zkm_tensor_set *out,
                                zkm_err *e);

/* ------------------------------------------------------------- writing */

/* The bytes of a .npy file (version 1.0, little-endian, C order) holding t
 * as t->dtype (any dtype but bf16), header laid out as numpy writes it:
 * "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", spaces and
 * a final '\n' so that the data starts at a multiple of 64 bytes.
 * *out is malloc'd. */
zkm_status zkm_npy_encode(const zkm_tensor *t, uint8_t **out, size_t *len, zkm_err *e);
/* Encode and write atomically (no partial file on failure). */
zkm_status zkm_npy_write(const char *path, const zkm_tensor *t, zkm_err *e);

/* The bytes of a safetensors file holding every tensor of s as its dtype:
 * compact JSON header padded with spaces to a multiple of 8 bytes, data
 * ordered by decreasing dtype size then name, so every tensor is aligned to
 * its element size (as the reference writer does).  No __metadata__. */
zkm_status zkm_st_encode(const zkm_tensor_set *s, uint8_t **out, size_t *len, zkm_err *e);
zkm_status zkm_safetensors_write(const char *path, const zkm_tensor_set *s, zkm_err *e);

/* ------------------------------------------------------ seeded random */

typedef enum {
    ZKM_TENSOR_RAND_WEIGHT, /* uniform in [-1/sqrt(fan_in), 1/sqrt(fan_in)) */
    ZKM_TENSOR_RAND_INPUT   /* uniform in [0, 1) */
} zkm_tensor_rand_kind;

/* A tensor of dtype f64 named name with the given shape, filled from the
 * stream zkm_rng_init(seed, D) where D is the string
 *     "zkm/tensor/v1/weight:" NAME      (kind ZKM_TENSOR_RAND_WEIGHT)
 *     "zkm/tensor/v1/input:"  NAME      (kind ZKM_TENSOR_RAND_INPUT)
 * so each tensor's values depend only on (seed, kind, name, element index):
 * adding or reshaping another layer never changes them.  Element i (in C
 * order) takes the i-th 64-bit word x of the stream (zkm_rng_u64: 8 bytes,
 * little-endian) and
 *     u = (x >> 11) * 2^-53                 uniform on the 2^53 multiples of
 *                                           2^-53 in [0, 1)
 *     input:  v = u                         in [0, 1), like pixels scaled to [0, 1]
 *     weight: v = (2u - 1) * b,  b = 1.0 / sqrt((double)fan_in)
 *                                           in [-b, b): -b is reached, b is not
 * in IEEE double arithmetic (sqrt and division correctly rounded, so the
 * values are the same on every conforming platform).  This is the
 * distribution of PyTorch's default initialization of nn.Linear and
 * nn.Conv2d, for the weight (kaiming_uniform_ with a = sqrt(5): bound =
 * sqrt(2 / (1 + 5)) * sqrt(3 / fan_in) = 1 / sqrt(fan_in)) and for the bias
 * (bound 1 / sqrt(fan_in) of the weight) alike; the numbers themselves are
 * not PyTorch's.  fan_in is the caller's: in_features for dense,
 * in_channels * kernel_h * kernel_w for conv2d, and a bias takes its
 * weight's.  fan_in must be >= 1 for weights; it is ignored for inputs. */
zkm_status zkm_tensor_random(const char *name, const uint64_t *shape, uint32_t rank,
                             uint64_t fan_in, uint64_t seed, zkm_tensor_rand_kind kind,
                             zkm_tensor *out, zkm_err *e);

/* ------------------------------------------------------------ matching */

typedef struct {
    const char *name;
    uint32_t rank;
    uint64_t shape[ZKM_TENSOR_MAX_RANK];
} zkm_tensor_spec;

/* Check s against the n expected tensors.  ZKM_OK when every expected name
 * is present with its shape and s holds nothing else.  Otherwise
 * ZKM_EFORMAT, e->msg summarizing ("tensors do not match the model: 1
 * missing, 1 mis-shaped, 1 unexpected; first: ...") and, if report is not
 * NULL, *report = a malloc'd text of every problem, one line each, ending
 * in '\n': first the expected tensors in the given order, then the
 * unexpected ones by name:
 *     conv1.weight: missing (expected [6, 1, 5, 5])
 *     conv1.weight: expected [6, 1, 5, 5], found [6, 1, 3, 3]
 *     fc4.bias: unexpected tensor [10] (no such parameter in the model)
 * (*report is NULL on ZKM_OK.)  Duplicate or invalid expected entries are
 * ZKM_EINVAL. */
zkm_status zkm_tensors_match(const zkm_tensor_set *s, const zkm_tensor_spec *want, size_t n,
                             char **report, zkm_err *e);

#endif
