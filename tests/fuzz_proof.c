/* libFuzzer harness: arbitrary bytes as a proof of the built-in demo
 * circuit.  Any input must give a clean accept/reject/format error, never a
 * crash, a hang or a leak.  Build and run with `make fuzz` (clang). */
#include <stdint.h>
#include <stdlib.h>
#include <sodium.h>

#include "gkr.h"
#include "sample.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static gkr_circuit c;
    static fr **inputs;
    zkm_err e;
    if (!ready) {
        if (sodium_init() < 0 || gkr_sample_demo(&c, &inputs, 1, &e))
            abort();
        ready = 1;
    }
    fr *out = NULL;
    zkm_status st = gkr_verify(&c, inputs, data, size, &out, NULL, &e);
    if (st != ZKM_OK && st != ZKM_EREJECT && st != ZKM_EFORMAT)
        abort();
    free(out);
    return 0;
}
