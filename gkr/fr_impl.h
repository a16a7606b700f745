/* Inline bodies of the hot field operations declared in fr.h: the 4-limb
 * Montgomery arithmetic of mont4_impl.h (portable C, and MULX/ADCX/ADOX
 * assembly where the compiler targets them) instantiated with r. */
#ifndef ZKM_FR_IMPL_H
#define ZKM_FR_IMPL_H

#include "mont4_impl.h"

#define FR_R0 0x43e1f593f0000001ULL
#define FR_R1 0x2833e84879b97091ULL
#define FR_R2 0xb85045b68181585dULL
#define FR_R3 0x30644e72e131a029ULL
/* -r^-1 mod 2^64 */
#define FR_NINV 0xc2e1f593efffffffULL
/* 2^256 mod r: the Montgomery form of 1 */
#define FR_ONE0 0xac96341c4ffffffbULL
#define FR_ONE1 0x36fc76959f60cd29ULL
#define FR_ONE2 0x666ea36f7879462eULL
#define FR_ONE3 0x0e0a77c19a07df2fULL

/* 1 where fr_add/fr_sub/fr_mul are the x86-64 ADX assembly. */
#define FR_ASM MONT4_ASM

/* r, 2^256, 2^512 and 2^768 mod r (see mont4_field).  Unused in files that
 * never call an fr operation. */
static const mont4_field fr_field __attribute__((unused, aligned(64))) = {
    {FR_R0, FR_R1, FR_R2, FR_R3, FR_NINV},
    {FR_ONE0, FR_ONE1, FR_ONE2, FR_ONE3},
    {0x1bb8e645ae216da7ULL, 0x53fe3ab1e35c59e3ULL, 0x8c49833d53bb8085ULL, 0x0216d0b17f4e44a5ULL},
    {0x5e94d8e1b4bf0040ULL, 0x2a489cbe1cfbb6b8ULL, 0x893cc664a19fcfedULL, 0x0cf8594b7fcc657cULL},
};

MONT4_FIELD_INLINE(fr, fr_field)

#endif
