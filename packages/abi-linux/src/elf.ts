// ELF32 for i386: the identification bytes, file types, program header types and flags, section types,
// dynamic tags and i386 relocation types a loader (the kernel's execve, a static-PIE self-relocator, host
// tools) needs. Layer: abi (data only, imports nothing). Written from the System V ABI / glibc's <elf.h>,
// which elf.test.ts checks every value against. The header layouts (Elf32_Ehdr, Elf32_Phdr, ...) are in
// structs.ts as elf32EhdrLayout, elf32PhdrLayout, ...

/** The four magic bytes at e_ident[0..3]: 0x7f 'E' 'L' 'F'. */
export const ELFMAG: readonly number[] = [0x7f, 0x45, 0x4c, 0x46];
export const ELFMAG0 = 0x7f;
export const ELFMAG1 = 0x45;
export const ELFMAG2 = 0x4c;
export const ELFMAG3 = 0x46;
export const SELFMAG = 4;

// e_ident indices and values.
export const EI_MAG0 = 0;
export const EI_MAG1 = 1;
export const EI_MAG2 = 2;
export const EI_MAG3 = 3;
export const EI_CLASS = 4;
export const EI_DATA = 5;
export const EI_VERSION = 6;
export const EI_OSABI = 7;
export const EI_ABIVERSION = 8;
export const EI_PAD = 9;
export const EI_NIDENT = 16;
export const ELFCLASSNONE = 0;
export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATANONE = 0;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const EV_NONE = 0;
export const EV_CURRENT = 1;
export const ELFOSABI_NONE = 0;
export const ELFOSABI_SYSV = 0;
export const ELFOSABI_GNU = 3;
export const ELFOSABI_LINUX = 3;

// e_type.
export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

// e_machine.
export const EM_NONE = 0;
export const EM_386 = 3;
export const EM_X86_64 = 62;

// p_type.
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_SHLIB = 5;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_LOOS = 0x60000000;
export const PT_GNU_EH_FRAME = 0x6474e550;
/** p_flags says whether the stack is executable; absent means executable on i386 (READ_IMPLIES_EXEC). */
export const PT_GNU_STACK = 0x6474e551;
export const PT_GNU_RELRO = 0x6474e552;
export const PT_GNU_PROPERTY = 0x6474e553;
export const PT_HIOS = 0x6fffffff;
export const PT_LOPROC = 0x70000000;
export const PT_HIPROC = 0x7fffffff;

// p_flags.
export const PF_X = 1 << 0;
export const PF_W = 1 << 1;
export const PF_R = 1 << 2;

// sh_type.
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_SHLIB = 10;
export const SHT_DYNSYM = 11;
export const SHT_INIT_ARRAY = 14;
export const SHT_FINI_ARRAY = 15;
export const SHT_PREINIT_ARRAY = 16;
export const SHT_GROUP = 17;
export const SHT_SYMTAB_SHNDX = 18;
export const SHT_GNU_HASH = 0x6ffffff6;

// sh_flags.
export const SHF_WRITE = 1 << 0;
export const SHF_ALLOC = 1 << 1;
export const SHF_EXECINSTR = 1 << 2;
export const SHF_MERGE = 1 << 4;
export const SHF_STRINGS = 1 << 5;
export const SHF_INFO_LINK = 1 << 6;
export const SHF_TLS = 1 << 10;

// Special section indices.
export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

// Symbol binding and type (st_info = bind << 4 | type).
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_COMMON = 5;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;
export const ELF32_ST_BIND = (info: number): number => info >>> 4;
export const ELF32_ST_TYPE = (info: number): number => info & 0xf;

// Dynamic section tags (d_tag).
export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_PLTRELSZ = 2;
export const DT_PLTGOT = 3;
export const DT_HASH = 4;
export const DT_STRTAB = 5;
export const DT_SYMTAB = 6;
export const DT_RELA = 7;
export const DT_RELASZ = 8;
export const DT_RELAENT = 9;
export const DT_STRSZ = 10;
export const DT_SYMENT = 11;
export const DT_INIT = 12;
export const DT_FINI = 13;
export const DT_SONAME = 14;
export const DT_RPATH = 15;
export const DT_SYMBOLIC = 16;
export const DT_REL = 17;
export const DT_RELSZ = 18;
export const DT_RELENT = 19;
export const DT_PLTREL = 20;
export const DT_DEBUG = 21;
export const DT_TEXTREL = 22;
export const DT_JMPREL = 23;
export const DT_BIND_NOW = 24;
export const DT_INIT_ARRAY = 25;
export const DT_FINI_ARRAY = 26;
export const DT_INIT_ARRAYSZ = 27;
export const DT_FINI_ARRAYSZ = 28;
export const DT_RUNPATH = 29;
export const DT_FLAGS = 30;
export const DT_PREINIT_ARRAY = 32;
export const DT_PREINIT_ARRAYSZ = 33;
export const DT_GNU_HASH = 0x6ffffef5;
export const DT_RELCOUNT = 0x6ffffffa;
export const DT_FLAGS_1 = 0x6ffffffb;

// i386 relocation types (ELF32_R_TYPE of r_info; ELF32_R_SYM is r_info >> 8).
export const R_386_NONE = 0;
export const R_386_32 = 1;
export const R_386_PC32 = 2;
export const R_386_GOT32 = 3;
export const R_386_PLT32 = 4;
export const R_386_COPY = 5;
export const R_386_GLOB_DAT = 6;
export const R_386_JMP_SLOT = 7;
export const R_386_RELATIVE = 8;
export const R_386_GOTOFF = 9;
export const R_386_GOTPC = 10;
export const R_386_TLS_TPOFF = 14;
export const R_386_TLS_DTPMOD32 = 35;
export const R_386_TLS_DTPOFF32 = 36;
export const R_386_TLS_TPOFF32 = 37;
export const R_386_IRELATIVE = 42;
export const ELF32_R_SYM = (info: number): number => info >>> 8;
export const ELF32_R_TYPE = (info: number): number => info & 0xff;

// Note types found in core files and binaries.
export const NT_PRSTATUS = 1;
export const NT_PRFPREG = 2;
export const NT_PRPSINFO = 3;
export const NT_GNU_ABI_TAG = 1;
export const NT_GNU_BUILD_ID = 3;
export const NT_GNU_PROPERTY_TYPE_0 = 5;
