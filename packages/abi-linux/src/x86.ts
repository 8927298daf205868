// x86 details of the i386 user ABI: the LDT that modify_ldt edits, the magic numbers that tag the FPU
// image in a signal frame, and the segment selectors a native i386 kernel gives user code. Layer: abi
// (data only, imports nothing). Written from the Linux UAPI headers (asm/ldt.h, asm/sigcontext.h) and, for
// the selectors, arch/x86/include/asm/segment.h; x86.test.ts checks what a header or the running kernel
// can vouch for. Layouts (user_desc, _fpstate_32, _fpx_sw_bytes) are in structs.ts.

export const LDT_ENTRIES = 8192;
export const LDT_ENTRY_SIZE = 8;
export const MODIFY_LDT_CONTENTS_DATA = 0;
export const MODIFY_LDT_CONTENTS_STACK = 1;
export const MODIFY_LDT_CONTENTS_CODE = 2;

/** _fpstate_32.magic: 0x0000 when an FXSR image follows the fsave one; 0xffff when only fsave data is there. */
export const X86_FXSR_MAGIC = 0x0000;
export const X86_FSAVE_ONLY_MAGIC = 0xffff;
/** _fpx_sw_bytes.magic1 (in sw_reserved): an XSAVE image follows, of extended_size bytes. */
export const FP_XSTATE_MAGIC1 = 0x46505853;
/** The 32-bit word at the end of that XSAVE image. */
export const FP_XSTATE_MAGIC2 = 0x46505845;
export const FP_XSTATE_MAGIC2_SIZE = 4;
/** The x87 control word after FNINIT and at exec: all exceptions masked, 64-bit precision, round to nearest. */
export const X87_FCW_DEFAULT = 0x037f;

// Selectors on a native i386 kernel (a 64-bit kernel running i386 code uses 0x23/0x2b and TLS entries
// 12..14, which is what the tests observe on an x86_64 host; kmOS emulates the native layout).
/** The first of the three GDT slots set_thread_area hands out (glibc asks with entry_number -1). */
export const GDT_ENTRY_TLS_MIN = 6;
export const GDT_ENTRY_TLS_ENTRIES = 3;
/** GDT entry 14, RPL 3. */
export const __USER_CS = 0x73;
/** GDT entry 15, RPL 3: the selector in %ds, %es and %ss of user code. */
export const __USER_DS = 0x7b;
