/* libFuzzer harness: arbitrary bytes as a .zkm model file, through the
 * parser and the checker, diagnostics rendered.  Any input must give a model
 * or diagnostics, never a crash, a hang or a leak.  Not built by make check;
 * build and run with (from the repository root, after `make` generated
 * build/parser):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *       -I. -Icommon -Igkr -Ilang -Iparser -Ibuild/parser tests/fuzz_parser.c \
 *       lang/check.c lang/model.c parser/[a-z]*.c build/parser/[a-z]*.c common/[a-z]*.c \
 *       -ljansson -lsodium -lgmp -lm -o build-fuzz/fuzz_parser
 *   build-fuzz/fuzz_parser -dict=tests/fuzz_parser.dict lang/examples
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "srcmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zkm_diags d;
    zkm_diags_init(&d);
    zkm_model *m = NULL;
    zkm_check_opts o;
    zkm_check_opts_default(&o);
    /* the high bit of the first byte sometimes asks for a bit-width override */
    if (size > 0 && (data[0] & 0x80))
        o.bits = 2 + data[0] % 31;
    zkm_status st = zkm_model_from_source("fuzz.zkm", (const char *)data, size, &o, &m, &d);
    if (st != ZKM_OK && st != ZKM_EFORMAT)
        abort();
    if ((st == ZKM_OK) != (m != NULL) || (st == ZKM_OK) != (d.n_errors == 0))
        abort();
    char small[64];
    size_t n = zkm_diags_format(&d, small, sizeof small);
    if (d.n > 0 && n == 0)
        abort();
    if (m) {
        char buf[256];
        for (uint32_t i = 0; i < m->n_nodes; i++) {
            zkm_node_describe(m, i, buf, sizeof buf);
            zkm_shape_str(&m->nodes[i].shape, buf, sizeof buf);
            for (uint32_t k = 0; k < m->nodes[i].n_in; k++)
                if (m->nodes[i].in[k] >= i)
                    abort();
        }
    }
    zkm_model_free(m);
    zkm_diags_free(&d);
    return 0;
}
