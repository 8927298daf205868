/**
 * Control-state instructions at CPL 3, checked against the SDM's rules: far transfers within CPL 3, POPF's
 * ring-3 mask, CPUID's identification, LAHF/SAHF, and the LDT/modify_ldt path for a data segment.
 */
import { Reg, RunExit, SegReg } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import { assemble, GuestMachine } from './testing/guest.js';

const CODE = 0x00400000;
const DATA = 0x00600000;
const STACK_TOP = 0x00800000;

function machineWith(source: string): GuestMachine {
  const { code } = assemble(source);
  const m = new GuestMachine();
  for (let off = 0; off < code.length; off += 4096) m.map(CODE + off);
  m.write(CODE, code);
  m.map(STACK_TOP - 4096);
  m.map(DATA);
  m.cpu.setReg(Reg.ESP, STACK_TOP - 16);
  m.cpu.eip = CODE;
  return m;
}

const ascii = (v: number) => String.fromCharCode(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);

describe('CPL 3 control state', () => {
  it('far JMP, far CALL and RETF through the user code selector', () => {
    const m = machineWith(
      `jmp 0x73:(${CODE} + j - 0)\nud2\nj: call 0x73:(${CODE} + f)\nmov ebx, 1\nint 0x80\nf: mov ecx, [esp+4]\nretf`,
    );
    expect(m.cpu.run(100)).toBe(RunExit.Syscall);
    expect(m.cpu.getReg(Reg.ECX)).toBe(0x73);
    expect(m.cpu.getReg(Reg.EBX)).toBe(1);
    expect(m.cpu.getSeg(SegReg.CS)).toBe(0x73);
  });

  it('refuses a far JMP to a DPL 0 code segment with #GP(selector)', () => {
    const m = machineWith('jmp 0x60:0');
    m.cpu.setGdtEntry(12, 0x0000ffff, 0x00cf9a00); // Linux's kernel code: DPL 0
    expect(m.cpu.run(100)).toBe(RunExit.Fault);
    expect(m.cpu.fault).toMatchObject({ vector: 13, errorCode: 0x60 });
  });

  it('POPF at CPL 3 changes status flags, DF, AC and ID but never IF, IOPL or VM', () => {
    const m = machineWith(
      'push 0xfffffeff\npopfd\npushfd\npop eax\npush 0\npopfd\npushfd\npop ebx\nint 0x80',
    );
    expect(m.cpu.run(100)).toBe(RunExit.Syscall);
    // All ones but TF (single-stepping is not modelled): CF PF AF ZF SF DF OF NT AC ID may change at CPL 3,
    // IF stays 1 and IOPL 0, VM RF VIF VIP read 0, bit 1 is 1 (SDM vol. 2, POPF and PUSHF).
    expect(m.cpu.getReg(Reg.EAX)).toBe(0x244ed7);
    expect(m.cpu.getReg(Reg.EBX)).toBe(0x202);
  });

  it('identifies as a kmOS i686 with TSC, CX8 and CMOV', () => {
    const m = machineWith(
      'xor eax, eax\ncpuid\nmov [0x600000], ebx\nmov [0x600004], edx\nmov [0x600008], ecx\nmov eax, 1\ncpuid\nint 0x80',
    );
    expect(m.cpu.run(100)).toBe(RunExit.Syscall);
    const [b, d, c] = [0, 4, 8].map((o) => new DataView(m.read(DATA + o, 4).buffer).getUint32(0, true));
    expect(ascii(b) + ascii(d) + ascii(c)).toBe('kmOSkmOSkmOS');
    expect((m.cpu.getReg(Reg.EAX) >> 8) & 0xf).toBe(6);
    const edx = m.cpu.getReg(Reg.EDX);
    for (const bit of [4, 8, 15]) expect((edx >>> bit) & 1).toBe(1);
  });

  it('answers Cpu.cpuid exactly as the instruction does, for every leaf it reports and one it does not', () => {
    for (const leaf of [0, 1, 2, 0x80000000, 0x80000002, 0x80000003, 0x80000004, 0x80000005]) {
      const m = machineWith(`mov eax, ${leaf}\ncpuid\nint 0x80`);
      expect(m.cpu.run(100)).toBe(RunExit.Syscall);
      expect(m.cpu.cpuid(leaf, 0)).toEqual({
        eax: m.cpu.getReg(Reg.EAX),
        ebx: m.cpu.getReg(Reg.EBX),
        ecx: m.cpu.getReg(Reg.ECX),
        edx: m.cpu.getReg(Reg.EDX),
      });
    }
  });

  it('SAHF then LAHF round-trips SF ZF AF PF CF with bit 1 set', () => {
    const m = machineWith('mov ah, 0xd5\nsahf\nmov ah, 0\nlahf\nint 0x80');
    expect(m.cpu.run(100)).toBe(RunExit.Syscall);
    expect((m.cpu.getReg(Reg.EAX) >>> 8) & 0xff).toBe(0xd7);
  });

  it('loads a data segment from the LDT and adds its base', () => {
    const m = machineWith('mov ax, 0x7\nmov es, ax\nmov eax, es:[0x10]\nint 0x80');
    m.write(DATA + 0x10, new Uint8Array([1, 2, 3, 4]));
    // LDT entry 0: base DATA, limit 0xfffff pages, 32-bit writable data, DPL 3.
    m.cpu.setLdt(
      Uint32Array.of(
        ((DATA & 0xffff) << 16) | 0xffff,
        (DATA & 0xff000000) | ((DATA >>> 16) & 0xff) | 0x00cff200,
      ),
    );
    expect(m.cpu.run(100)).toBe(RunExit.Syscall);
    expect(m.cpu.getReg(Reg.EAX)).toBe(0x04030201);
  });

  it('saves and restores a context, segments included', () => {
    const m = machineWith('int 0x80');
    const ctx = m.cpu.newContext();
    m.cpu.setReg(Reg.EBX, 77);
    m.cpu.saveContext(ctx);
    m.cpu.setReg(Reg.EBX, 1);
    m.cpu.restoreContext(ctx);
    expect(m.cpu.getReg(Reg.EBX)).toBe(77);
    expect(ctx.seg[SegReg.CS]).toBe(0x73);
    expect(() => m.cpu.setSeg(SegReg.DS, 0x60)).toThrow(
      /load selector 0x60 into segment register 3.*vector 13/,
    );
    ctx.seg[SegReg.FS] = 0x60; // Linux's kernel code segment: not loadable at CPL 3
    expect(() => m.cpu.restoreContext(ctx)).toThrow(/cannot restore a context: it would raise vector 13/);
  });
});
