/**
 * Behaviour the host oracle cannot show from user space: delayed #MF delivery (SDM vol. 1, 8.6-8.7:
 * an unmasked exception sets ES and is raised by the next *waiting* x87 instruction), restartability after a
 * page fault (no state change before the faulting access), and save/restore round trips.
 */
import { describe, expect, it } from 'vitest';
import type { FpuBus } from './bus.js';
import { X87 } from './x87.js';

class Fault extends Error {}

class Bus implements FpuBus {
  readonly ram = new Uint8Array(0x2000);
  /** Addresses at or above this fault, as an unmapped page would. */
  faultFrom = 0x1000;
  raised: number[] = [];
  private check(a: number, n: number): void {
    if (a + n > this.faultFrom) throw new Fault(`page fault at ${a}`);
  }
  readU8(a: number): number {
    this.check(a, 1);
    return this.ram[a];
  }
  readU16(a: number): number {
    this.check(a, 2);
    return this.ram[a] | (this.ram[a + 1] << 8);
  }
  readU32(a: number): number {
    this.check(a, 4);
    return (this.readU16(a) | (this.readU16(a + 2) << 16)) >>> 0;
  }
  writeU8(a: number, v: number): void {
    this.check(a, 1);
    this.ram[a] = v;
  }
  writeU16(a: number, v: number): void {
    this.writeU8(a, v & 0xff);
    this.writeU8(a + 1, (v >>> 8) & 0xff);
  }
  writeU32(a: number, v: number): void {
    this.writeU16(a, v & 0xffff);
    this.writeU16(a + 2, v >>> 16);
  }
  probeWrite(a: number, n: number): void {
    this.check(a, n);
  }
  getEflags(): number {
    return 0x202;
  }
  setZfPfCf(): void {}
  setAx(): void {}
  raise(vector: number): never {
    this.raised.push(vector);
    throw new Fault(`vector ${vector}`);
  }
  fpuInstructionPointer(): number {
    return 0x400;
  }
}

const FLD1 = [0xd9, 0xe8] as const;
const FLDZ = [0xd9, 0xee] as const;
const FDIVP = [0xde, 0xf9] as const; // fdivp st(1), st: st(1) = st(1) / st(0)
const FADD_ST0 = [0xd8, 0xc0] as const;
const FNSTSW_AX = [0xdf, 0xe0] as const;
const FNCLEX = [0xdb, 0xe2] as const;

function run(fpu: X87, insn: readonly [number, number], ea = 0): void {
  fpu.execute(insn[0], insn[1], ea, false);
}

function snapshot(fpu: X87): string {
  const img = new Uint8Array(108);
  fpu.saveFnsave(img, 0, false);
  return Buffer.from(img).toString('hex');
}

describe('x87 delayed exceptions (#MF)', () => {
  function divideByZeroUnmasked(): { fpu: X87; bus: Bus } {
    const bus = new Bus();
    const fpu = new X87(bus);
    bus.ram.set([0x7b, 0x03], 0x10); // control word 0x037b: ZM clear
    fpu.execute(0xd9, 0x2d, 0x10, false); // fldcw [0x10]
    run(fpu, FLD1);
    run(fpu, FLDZ);
    run(fpu, FDIVP);
    return { fpu, bus };
  }

  it('sets ZE and ES without raising, and leaves the destination and stack alone', () => {
    const { fpu, bus } = divideByZeroUnmasked();
    expect(bus.raised).toEqual([]);
    const sw = fpu.state.statusWord();
    expect(sw & 0x04).toBe(0x04);
    expect(sw & 0x80).toBe(0x80);
    expect(sw & 0x8000).toBe(0x8000);
    expect((sw >> 11) & 7).toBe(6); // two pushes, no pop
  });

  it('raises #MF on the next waiting instruction, not on FNSTSW or FNCLEX', () => {
    const { fpu, bus } = divideByZeroUnmasked();
    run(fpu, FNSTSW_AX);
    expect(bus.raised).toEqual([]);
    expect(() => run(fpu, FADD_ST0)).toThrow(Fault);
    expect(bus.raised).toEqual([16]);
    run(fpu, FNCLEX);
    run(fpu, FADD_ST0);
    expect(bus.raised).toEqual([16]);
    expect(fpu.state.statusWord() & 0x80ff).toBe(0);
  });
});

describe('x87 restartability after a page fault', () => {
  function loaded(): { fpu: X87; bus: Bus } {
    const bus = new Bus();
    const fpu = new X87(bus);
    run(fpu, FLD1);
    run(fpu, FLDZ);
    return { fpu, bus };
  }

  const faulting: Array<[string, number, number]> = [
    ['fstp m64', 0xdd, 0x18],
    ['fistp m64', 0xdf, 0x38],
    ['fstp m80', 0xdb, 0x38],
    ['fbstp', 0xdf, 0x30],
    ['fnsave', 0xdd, 0x30],
    ['fnstenv', 0xd9, 0x30],
    ['fld m64', 0xdd, 0x00],
    ['fadd m64', 0xdc, 0x00],
    ['frstor', 0xdd, 0x20],
  ];
  for (const [name, opcode, modrm] of faulting) {
    it(`${name} faulting on its last bytes changes no state`, () => {
      const { fpu, bus } = loaded();
      const before = snapshot(fpu);
      expect(() => fpu.execute(opcode, modrm, bus.faultFrom - 4, false)).toThrow(Fault);
      expect(snapshot(fpu)).toBe(before);
    });
  }
});

describe('x87 state images', () => {
  it('FNSAVE then FRSTOR restores the state in both layouts, and FNSAVE reinitialises', () => {
    for (const os16 of [false, true]) {
      const bus = new Bus();
      const fpu = new X87(bus);
      run(fpu, FLD1);
      run(fpu, [0xd9, 0xeb]); // fldpi
      const before = snapshot(fpu);
      fpu.execute(0xdd, 0x30, 0x100, os16); // fnsave [0x100]
      expect(fpu.state.statusWord()).toBe(0);
      expect(fpu.state.cw).toBe(0x037f);
      fpu.execute(0xdd, 0x20, 0x100, os16); // frstor [0x100]
      expect(snapshot(fpu).slice(0, 8 * 2)).toBe(before.slice(0, 8 * 2));
      expect(snapshot(fpu).slice(28 * 2)).toBe(before.slice(28 * 2));
    }
  });

  it('FXSAVE then FXRSTOR restores registers, tags and control/status words', () => {
    const bus = new Bus();
    const fpu = new X87(bus);
    run(fpu, FLD1);
    run(fpu, [0xd9, 0xea]); // fldl2e
    run(fpu, FLDZ);
    const before = snapshot(fpu);
    const image = new Uint8Array(512);
    fpu.saveFxsave(image, 0);
    fpu.reset();
    fpu.restoreFxsave(image, 0);
    expect(snapshot(fpu)).toBe(before);
  });
});
