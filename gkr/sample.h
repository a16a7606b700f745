/* Deterministic sample circuits for the demo and the benchmarks. */
#ifndef ZKM_SAMPLE_H
#define ZKM_SAMPLE_H

#include <stdint.h>

#include "circuit.h"

/* Libra's benchmark workload (Xie et al., CRYPTO 2019, Table 2): `depth`
 * generic layers of 2^nvars gates each, every gate a random ADD or MUL of
 * two random entries of the layer below, over one public input layer of
 * 2^nvars random field elements.  *inputs receives a malloc'd array of
 * n_layers pointers with the input layer's values set (free with
 * gkr_sample_inputs_free). */
zkm_status gkr_sample_libra(gkr_circuit *c, fr ***inputs, uint32_t depth, uint32_t nvars,
                            uint64_t seed, zkm_err *e);

/* A small circuit using the matmul, eltwise and generic kinds, shaped like
 * one dense layer of a network: y = W x (matmul, W 16x16 and x of 16 entries held in two public
 * input layers), z = y*y + 3y (eltwise), then pairwise sums and products of
 * z and x (generic), 8 outputs. */
zkm_status gkr_sample_demo(gkr_circuit *c, fr ***inputs, uint64_t seed, zkm_err *e);

void gkr_sample_inputs_free(const gkr_circuit *c, fr **inputs);

#endif
