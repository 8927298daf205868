// elf.ts against glibc's <elf.h>, and the ELF32 layouts against a 32-bit executable gcc just linked.
import { describe, expect, it } from 'vitest';
import * as elf from './elf.js';
import { elf32EhdrLayout, elf32PhdrLayout } from './structs.js';
import { describeAgainstHeaders } from './testing/constants.js';
import { hostCUnavailable, runC } from './testing/host-c.js';

describeAgainstHeaders('elf', elf, [{ includes: ['elf.h'] }]);

describe('elf helpers', () => {
  it('split st_info and r_info', () => {
    expect(elf.ELF32_ST_BIND((elf.STB_GLOBAL << 4) | elf.STT_FUNC)).toBe(elf.STB_GLOBAL);
    expect(elf.ELF32_ST_TYPE((elf.STB_GLOBAL << 4) | elf.STT_FUNC)).toBe(elf.STT_FUNC);
    expect(elf.ELF32_R_SYM((5 << 8) | elf.R_386_JMP_SLOT)).toBe(5);
    expect(elf.ELF32_R_TYPE((5 << 8) | elf.R_386_JMP_SLOT)).toBe(elf.R_386_JMP_SLOT);
    expect(elf.ELFMAG).toEqual([elf.ELFMAG0, elf.ELFMAG1, elf.ELFMAG2, elf.ELFMAG3]);
  });
});

describe.skipIf(hostCUnavailable !== null)(`reading a real i386 executable ${hostCUnavailable ?? ''}`, () => {
  it('finds the header fields and program headers where the layouts say', () => {
    // The program prints its own path; we parse the file it was built to with our layouts.
    const src = `#include <stdio.h>\n#include <stdlib.h>\n#include <unistd.h>\nint main(void){char p[4096];ssize_t n=readlink("/proc/self/exe",p,sizeof p-1);p[n]=0;FILE*f=fopen(p,"rb");unsigned char b[65536];size_t m=fread(b,1,sizeof b,f);for(size_t i=0;i<m;i++)printf("%02x",b[i]);return 0;}\n`;
    const bytes = Buffer.from(runC(src), 'hex');
    const e = elf32EhdrLayout.fields;
    const u16 = (at: number) => bytes.readUInt16LE(at);
    const u32 = (at: number) => bytes.readUInt32LE(at);
    expect([...bytes.subarray(0, elf.SELFMAG)]).toEqual(elf.ELFMAG);
    expect(bytes[elf.EI_CLASS]).toBe(elf.ELFCLASS32);
    expect(bytes[elf.EI_DATA]).toBe(elf.ELFDATA2LSB);
    expect([elf.ET_EXEC, elf.ET_DYN]).toContain(u16(e.e_type.offset));
    expect(u16(e.e_machine.offset)).toBe(elf.EM_386);
    expect(u16(e.e_ehsize.offset)).toBe(elf32EhdrLayout.sizeBytes);
    expect(u16(e.e_phentsize.offset)).toBe(elf32PhdrLayout.sizeBytes);
    const types: number[] = [];
    for (let i = 0; i < u16(e.e_phnum.offset); i++) {
      const ph = u32(e.e_phoff.offset) + i * elf32PhdrLayout.sizeBytes;
      types.push(u32(ph + elf32PhdrLayout.fields.p_type.offset));
    }
    expect(types).toContain(elf.PT_LOAD);
    expect(types).toContain(elf.PT_GNU_STACK);
  });
});
