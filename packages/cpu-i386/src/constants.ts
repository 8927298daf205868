/**
 * Architectural constants of the i386, spelled as the Intel SDM spells them: EFLAGS bits, paging-structure
 * bits, descriptor fields and the selectors Linux gives a ring-3 process. Layer: arch plugin (cpu-i386);
 * every other file of this package takes its numbers from here.
 */

/** The architectural limit on an instruction's length in bytes (SDM vol. 2, 2.3.11). */
export const MAX_INSTRUCTION_BYTES = 15;

// EFLAGS (SDM vol. 1, 3.4.3).
export const FLAG_CF = 0x0001;
export const FLAG_RESERVED_1 = 0x0002;
export const FLAG_PF = 0x0004;
export const FLAG_AF = 0x0010;
export const FLAG_ZF = 0x0040;
export const FLAG_SF = 0x0080;
export const FLAG_TF = 0x0100;
export const FLAG_IF = 0x0200;
export const FLAG_DF = 0x0400;
export const FLAG_OF = 0x0800;
export const FLAG_IOPL = 0x3000;
export const FLAG_NT = 0x4000;
export const FLAG_RF = 0x10000;
export const FLAG_VM = 0x20000;
export const FLAG_AC = 0x40000;
export const FLAG_VIF = 0x80000;
export const FLAG_VIP = 0x100000;
export const FLAG_ID = 0x200000;
/** The six status flags the ALU writes. */
export const FLAGS_STATUS = FLAG_CF | FLAG_PF | FLAG_AF | FLAG_ZF | FLAG_SF | FLAG_OF;
/**
 * Bits POPF may change at CPL 3 with IOPL 0 (SDM vol. 2, POPF): status flags, DF, TF, NT, AC, ID. IF and
 * IOPL are silently kept; VM/RF/VIF/VIP are never changed by POPF in protected mode.
 */
export const FLAGS_USER_WRITABLE = FLAGS_STATUS | FLAG_TF | FLAG_DF | FLAG_NT | FLAG_AC | FLAG_ID;

// Paging-structure entries (SDM vol. 3, 4.3, tables 4-4..4-6).
export const PTE_P = 0x001;
export const PTE_RW = 0x002;
export const PTE_US = 0x004;
export const PTE_A = 0x020;
export const PTE_D = 0x040;
/** In a PDE: this entry maps a 4 MiB page (needs CR4.PSE). */
export const PDE_PS = 0x080;
export const PTE_FRAME_MASK = 0xfffff000 | 0;
export const PDE_4M_FRAME_MASK = 0xffc00000 | 0;

export const PAGE_SHIFT = 12;
export const PAGE_OFFSET_MASK = 0xfff;
export const PAGE_COUNT = 1 << 20;

// Segment descriptors (SDM vol. 3, 3.4.5).
export const DESC_ACCESSED = 0x100; // in the high dword: type bit 0
export const DESC_TYPE_SHIFT = 8;
export const DESC_S = 0x1000; // code/data (1) vs system (0)
export const DESC_DPL_SHIFT = 13;
export const DESC_P = 0x8000;
export const DESC_DB = 0x400000;
export const DESC_G = 0x800000;
/** Type bits (with S=1): bit 3 = code, bit 1 = writable (data) / readable (code), bit 2 = expand-down / conforming. */
export const TYPE_CODE = 0x8;
export const TYPE_RW = 0x2;
export const TYPE_EC = 0x4;

/** Selector fields: RPL in bits 0..1, TI (LDT) in bit 2, index above. */
export const SEL_RPL_MASK = 3;
export const SEL_TI = 4;

/** GDT size the CPU keeps: Linux uses 32 entries per CPU (GDT_ENTRIES). */
export const GDT_ENTRIES = 32;
/** Linux's flat user segments: GDT 14 = __USER_CS (0x73), 15 = __USER_DS (0x7b). */
export const GDT_ENTRY_DEFAULT_USER_CS = 14;
export const GDT_ENTRY_DEFAULT_USER_DS = 15;
export const USER_CS = (GDT_ENTRY_DEFAULT_USER_CS << 3) | 3;
export const USER_DS = (GDT_ENTRY_DEFAULT_USER_DS << 3) | 3;
/** The three TLS slots of `set_thread_area`. */
export const GDT_ENTRY_TLS_MIN = 6;
export const GDT_ENTRY_TLS_MAX = 8;
/** Flat 4 GiB, 32-bit, 4 KiB granularity, DPL 3 (code: execute/read; data: read/write), both accessed. */
export const FLAT_CODE_DPL3_LOW = 0x0000ffff;
export const FLAT_CODE_DPL3_HIGH = 0x00cffb00;
export const FLAT_DATA_DPL3_LOW = 0x0000ffff;
export const FLAT_DATA_DPL3_HIGH = 0x00cff300;

/** Segment register numbers (the `sreg` field of ModR/M). */
export const SEG_ES = 0;
export const SEG_CS = 1;
export const SEG_SS = 2;
export const SEG_DS = 3;
export const SEG_FS = 4;
export const SEG_GS = 5;
/** Compiled code addresses memory as flat DS and SS: neither may need a check (CpuCore.segCheckMask bits). */
export const FLAT_SEGMENTS_MASK = (1 << SEG_DS) | (1 << SEG_SS);

/** Register numbers (the `reg` field of ModR/M). */
export const EAX = 0;
export const ECX = 1;
export const EDX = 2;
export const EBX = 3;
export const ESP = 4;
export const EBP = 5;
export const ESI = 6;
export const EDI = 7;

/** Exception vectors (SDM vol. 3, 6.3.1). */
export const VEC_DE = 0;
export const VEC_BP = 3;
export const VEC_OF = 4;
export const VEC_BR = 5;
export const VEC_UD = 6;
export const VEC_NM = 7;
export const VEC_NP = 11;
export const VEC_SS = 12;
export const VEC_GP = 13;
export const VEC_PF = 14;
export const VEC_MF = 16;

/** #PF error-code bits (SDM vol. 3, 4.7). */
export const PF_P = 1;
export const PF_W = 2;
export const PF_U = 4;

/** The one software interrupt with a DPL 3 gate besides int3/into: Linux's system call. */
export const INT_SYSCALL = 0x80;
/** Error code of a #GP from `int n` through a DPL 0 gate: IDT index, IDT bit (2) set (SDM vol. 3, 6.13). */
export const ERRCODE_IDT = 2;
