/**
 * Lazy FPU context switching (fpu-switch.ts) against the plain way: after every switch, the image a context
 * holds and the live state must be what a real FXSAVE gives, whichever path ran the FPU code (the
 * interpreter's x87 escape, a JS or WebAssembly region's x87 code, the SIMD dispatch, LDMXCSR) and however often the
 * state went back and forth unchanged in between.
 */
import { Reg, RunExit } from '@kmos/abi-driver';
import { describe, expect, it } from 'vitest';
import type { RegionCompiler } from './cpu.js';
import { assemble, GuestMachine } from './testing/guest.js';

const CODE = 0x00400000;
const DATA = 0x00600000;
const STACK_TOP = 0x00800000;

const X87_LOOP = 'mov ecx, 50\nl: fld1\nfadd st(1), st\nfstp st(0)\ndec ecx\njnz l\nint 0x80';
/**
 * A loop that is all one WebAssembly region from its first instruction, with every x87 instruction in its fast
 * case: once compiled (the first run, up to ECX = 50), a run executes no x87 instruction outside the region.
 */
const X87_REGION_LOOP = 'l: fld1\nfld1\nfaddp st(1), st\nfstp st(0)\ninc ecx\ncmp ecx, 50\njb l\nint 0x80';
/**
 * Each program with the JIT threshold and region compiler that make it run where its name says (0:
 * interpreter only).
 */
const PROGRAMS: Record<string, [string, number, RegionCompiler]> = {
  'x87 through the interpreter': ['fld1\nfldpi\nfaddp st(1), st\nint 0x80', 0, 'js'],
  'x87 in a JS region': [X87_LOOP, 1, 'js'],
  'x87 in a WebAssembly region': [X87_REGION_LOOP, 1, 'wasm'],
  'SSE through the SIMD dispatch': [
    'mov eax, 0x40490fdb\nmovd xmm3, eax\naddss xmm3, xmm3\nint 0x80',
    1,
    'js',
  ],
  LDMXCSR: [`mov dword ptr [${DATA}], 0x1f80 | 0x6000\nldmxcsr [${DATA}]\nint 0x80`, 0, 'js'],
};

function machineWith(source: string, jitThreshold: number, compiler: RegionCompiler = 'js'): GuestMachine {
  const { code } = assemble(source);
  const m = new GuestMachine(16 << 20, jitThreshold, compiler === 'wasm', compiler);
  m.map(CODE);
  m.write(CODE, code);
  m.map(STACK_TOP - 4096);
  m.map(DATA);
  return m;
}

function liveImage(m: GuestMachine): Uint8Array {
  const image = new Uint8Array(512);
  m.cpu.saveFpu('fxsave', image);
  return image;
}

describe('lazy FPU context switches', () => {
  for (const [name, [source, jitThreshold, compiler]] of Object.entries(PROGRAMS)) {
    it(`keep each context's FPU state: ${name}`, () => {
      const m = machineWith(source, jitThreshold, compiler);
      const cpu = m.cpu;
      const a = cpu.newContext();
      const b = cpu.newContext();
      const initial = a.fpu.slice();
      // A first run in `b` compiles the code; its state is put aside as b's.
      cpu.restoreContext(b);
      cpu.eip = CODE;
      cpu.setReg(Reg.ESP, STACK_TOP - 16);
      expect(cpu.run(10_000)).toBe(RunExit.Syscall);
      cpu.saveContext(b);
      const bImage = b.fpu.slice();
      // Back and forth with nothing changed: the switch may skip the work from here on.
      cpu.restoreContext(a);
      cpu.saveContext(a);
      cpu.restoreContext(b);
      cpu.saveContext(b);
      cpu.restoreContext(a);
      cpu.saveContext(a);
      cpu.restoreContext(a);
      cpu.eip = CODE;
      cpu.setReg(Reg.ESP, STACK_TOP - 16);
      expect(cpu.run(10_000)).toBe(RunExit.Syscall);
      const afterRun = liveImage(m);
      expect(afterRun).not.toEqual(initial);
      cpu.saveContext(a);
      expect(a.fpu).toEqual(afterRun);

      cpu.restoreContext(b);
      expect(liveImage(m)).toEqual(bImage);
      cpu.saveContext(b);
      expect(b.fpu).toEqual(bImage);

      cpu.restoreContext(a);
      expect(liveImage(m)).toEqual(afterRun);
      cpu.saveContext(a);
      expect(a.fpu).toEqual(afterRun);
    });
  }

  it('take an image the kernel wrote into a context, and an FPU the kernel reset', () => {
    const [source] = PROGRAMS['x87 through the interpreter'] as [string, number, RegionCompiler];
    const m = machineWith(source, 0);
    const cpu = m.cpu;
    const a = cpu.newContext();
    cpu.restoreContext(a);
    cpu.eip = CODE;
    cpu.setReg(Reg.ESP, STACK_TOP - 16);
    expect(cpu.run(100)).toBe(RunExit.Syscall);
    cpu.saveContext(a);
    expect(a.fpu[4]).not.toBe(0); // two registers in use
    cpu.resetFpu();
    cpu.saveContext(a);
    // FNINIT's state: FCW 0x037f, every register empty (their contents stay).
    expect([a.fpu[0], a.fpu[1], a.fpu[4]]).toEqual([0x7f, 0x03, 0]);
    expect(a.fpu).toEqual(liveImage(m));
    // Another image in the same context (as rt_sigreturn puts back a signal frame's): restored, not skipped.
    const other = a.fpu.slice();
    other[0] = 0x7f; // FCW: round to nearest, 64-bit precision, all exceptions masked
    other[1] = 0x02;
    a.fpu.set(other);
    cpu.restoreContext(a);
    expect(liveImage(m).subarray(0, 2)).toEqual(other.subarray(0, 2));
  });
});
