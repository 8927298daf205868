/**
 * Bits of the x87 control word, status word and tag word, spelled as the Intel SDM (vol. 1, 8.1) spells
 * them. Layer: arch plugin (cpu-i386), x87 unit; every file under fpu/ takes its numbers from here.
 */

// Exception flags, shared by the status word (flags) and the control word (masks): SDM vol. 1, 8.1.3.
export const FSW_IE = 0x0001;
export const FSW_DE = 0x0002;
export const FSW_ZE = 0x0004;
export const FSW_OE = 0x0008;
export const FSW_UE = 0x0010;
export const FSW_PE = 0x0020;
export const FSW_SF = 0x0040;
export const FSW_ES = 0x0080;
export const FSW_C0 = 0x0100;
export const FSW_C1 = 0x0200;
export const FSW_C2 = 0x0400;
export const FSW_TOP_SHIFT = 11;
export const FSW_TOP = 0x3800;
export const FSW_C3 = 0x4000;
export const FSW_B = 0x8000;
/** The six exception flags IE..PE (also the six mask bits IM..PM of the control word). */
export const FSW_EXCEPTIONS = 0x003f;
export const FSW_CC = FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3;

// Control word: SDM vol. 1, 8.1.5.
export const FCW_IM = 0x0001;
export const FCW_DM = 0x0002;
export const FCW_ZM = 0x0004;
export const FCW_OM = 0x0008;
export const FCW_UM = 0x0010;
export const FCW_PM = 0x0020;
export const FCW_PC_SHIFT = 8;
export const FCW_PC = 0x0300;
export const FCW_RC_SHIFT = 10;
export const FCW_RC = 0x0c00;
/** Bit 12 (infinity control) is kept for compatibility with the 287 and has no effect. */
export const FCW_X = 0x1000;
/** The state FNINIT leaves: all exceptions masked, 64-bit precision, round to nearest. */
export const FCW_DEFAULT = 0x037f;

/** Precision control values (bits 8-9 of the control word). 1 is reserved and behaves as 64 on Intel. */
export const PC_24 = 0;
export const PC_53 = 2;
export const PC_64 = 3;

/** Rounding control values (bits 10-11 of the control word). */
export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_CHOP = 3;

/** Two-bit tags of the full tag word (FNSTENV/FNSAVE): SDM vol. 1, 8.1.7. */
export const TAG_VALID = 0;
export const TAG_ZERO = 1;
export const TAG_SPECIAL = 2;
export const TAG_EMPTY = 3;

/** Exponent bias and the largest biased exponent of double extended precision. */
export const EXT_BIAS = 16383;
export const EXT_EXP_MAX = 0x7fff;
/** Exponent adjustment applied to register results when OE or UE is unmasked (SDM vol. 1, 8.5.4-8.5.5). */
export const EXT_WRAP_BIAS = 24576;

/** Exception vectors the x87 raises through the bus. */
export const VECTOR_UD = 6;
export const VECTOR_NM = 7;
export const VECTOR_MF = 16;
