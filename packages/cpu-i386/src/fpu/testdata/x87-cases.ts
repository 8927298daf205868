/**
 * Random x87 machine states and instructions for the property tests of the x87 unit's fast paths
 * (trace-entry.test.ts, wasm/x87-wasm.test.ts): register files of every class, control and status words,
 * memory operands, a bus over sixteen bytes at EA, and `execute`, the general path, as the oracle.
 */
import fc from 'fast-check';
import type { FpuBus } from '../bus.js';
import { X87 } from '../x87.js';
import type { X87Storage } from '../x87-state.js';

export const FIP = 0x8049000;
export const EA = 0x100;
/** FCOMI's status flags (ZF, PF, CF) as the trace and the bus see them. */
export const ZF = 0x40;
export const PF = 0x04;
export const CF = 0x01;

/** Sixteen bytes of memory at EA (everything else reads as zero and ignores writes); EFLAGS and AX. */
export class TestBus implements FpuBus {
  readonly mem = new Uint8Array(16);
  eflags = -1;
  ax = -1;
  readU8(addr: number): number {
    return addr >= EA && addr < EA + 16 ? this.mem[addr - EA] : 0;
  }
  readU16(addr: number): number {
    return this.readU8(addr) | (this.readU8(addr + 1) << 8);
  }
  readU32(addr: number): number {
    return (this.readU16(addr) | (this.readU16(addr + 2) << 16)) >>> 0;
  }
  writeU8(addr: number, v: number): void {
    if (addr >= EA && addr < EA + 16) this.mem[addr - EA] = v;
  }
  writeU16(addr: number, v: number): void {
    this.writeU8(addr, v & 0xff);
    this.writeU8(addr + 1, (v >>> 8) & 0xff);
  }
  writeU32(addr: number, v: number): void {
    this.writeU16(addr, v & 0xffff);
    this.writeU16(addr + 2, (v >>> 16) & 0xffff);
  }
  probeWrite(): void {}
  getEflags(): number {
    return 0;
  }
  setZfPfCf(zf: boolean, pf: boolean, cf: boolean): void {
    this.eflags = (zf ? ZF : 0) | (pf ? PF : 0) | (cf ? CF : 0);
  }
  setAx(v: number): void {
    this.ax = v;
  }
  raise(vector: number): never {
    throw new Error(`vector ${vector}`);
  }
  fpuInstructionPointer(): number {
    return FIP;
  }
}

const word = fc.integer({ min: 0, max: 0xffffffff });
/**
 * Exponents at the edges the memory forms care about: the normal ranges of m64fp and m32fp (stores that
 * overflow, or round up into the next binade), and the integer ranges of m16/m32/m64 (FIST limits).
 */
const EDGE_EXPONENTS = [
  -1023, -1022, -1021, 1022, 1023, 1024, -127, -126, -125, 126, 127, 128, -2, -1, 0, 1, 14, 15, 16, 30, 31,
  32, 62, 63, 64,
].map((e) => e + 16383);
/** [empty, sign, exp, hi, lo]: mostly normals, with every special class now and then. */
export const register = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.tuple(
      fc.constant(0),
      fc.integer({ min: 0, max: 1 }),
      fc.oneof(fc.integer({ min: 1, max: 0x7ffe }), fc.integer({ min: 16300, max: 16460 })),
      word.map((w) => (w | 0x80000000) >>> 0),
      word,
    ),
  },
  {
    weight: 4,
    arbitrary: fc.tuple(
      fc.constant(0),
      fc.integer({ min: 0, max: 1 }),
      fc.constantFrom(...EDGE_EXPONENTS),
      fc.oneof(
        fc.constantFrom(0xffffffff, 0x80000000, 0xffffff80, 0x80000080),
        word.map((w) => (w | 0x80000000) >>> 0),
      ),
      fc.oneof(fc.constantFrom(0, 0xffffffff, 0xfffff800, 0x400, 0xc00, 0x80000000, 0x800), word),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(
      fc.constantFrom(0, 0, 1),
      fc.integer({ min: 0, max: 1 }),
      fc.constantFrom(0, 0x7fff, 1, 0x7ffe, 16383),
      fc.constantFrom(0, 0x80000000, 0xc0000000, 0x40000000, 0xffffffff, 1),
      fc.constantFrom(0, 1, 0xffffffff),
    ),
  },
);

export const controlWord = fc
  .tuple(fc.constantFrom(0, 2, 3), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0x3f }))
  .map(([pc, rc, masks]) => (pc << 8) | (rc << 10) | masks | 0x1040);
/** A status word without TOP: C0-C3 set at random, sometimes exception flags (some of them pending). */
export const statusWord = fc.oneof(
  fc.integer({ min: 0, max: 0xf }).map((c) => ((c & 7) << 8) | ((c & 8) << 11)),
  fc.integer({ min: 0, max: 0x7f }),
);

/** Every escape instruction, memory forms as mod 0 (the effective address is given as EA). */
export const form = fc.tuple(
  fc.integer({ min: 0xd8, max: 0xdf }),
  fc.oneof(
    fc.integer({ min: 0, max: 7 }).map((reg) => reg << 3),
    fc.integer({ min: 0xc0, max: 0xff }),
  ),
);

/** Memory at EA: random bytes, or a float, double, integer or extended value of any class. */
export const memory = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  fc.double().map((d) => image((v) => v.setFloat64(0, d, true))),
  fc.float().map((f) => image((v) => v.setFloat32(0, f, true))),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((i) => image((v) => v.setInt32(0, i, true))),
  fc.constantFrom(0, 1, -1, -0x8000, 0x7fff).map((i) => image((v) => v.setInt16(0, i, true))),
  fc
    .bigInt({ min: -(BigInt(1) << BigInt(63)), max: (BigInt(1) << BigInt(63)) - BigInt(1) })
    .map((i) => image((v) => v.setBigInt64(0, i, true))),
  register.map(([, sign, exp, hi, lo]) =>
    image((v) => {
      v.setUint32(0, lo, true);
      v.setUint32(4, hi, true);
      v.setUint16(8, (sign << 15) | exp, true);
    }),
  ),
);

export function image(fill: (v: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(16);
  fill(new DataView(bytes.buffer));
  return bytes;
}

export function machine(
  regs: number[][],
  top: number,
  cw: number,
  sw: number,
  mem: Uint8Array,
  storage?: X87Storage,
): X87 {
  const bus = new TestBus();
  bus.mem.set(mem);
  const x = new X87(bus, storage);
  const s = x.state;
  for (let p = 0; p < 8; p++) {
    const [empty, sign, exp, hi, lo] = regs[p];
    s.sign[p] = sign;
    s.exp[p] = exp;
    s.hi[p] = hi;
    s.lo[p] = lo;
    s.empty[p] = empty;
  }
  s.top = top;
  s.cw = cw;
  s.sw = sw;
  s.updateSummary();
  // Pointers of an earlier instruction: register forms must leave FDP alone.
  s.fip = 0x1234;
  s.fop = 0x7ff;
  s.fdp = 0xdead0;
  return x;
}

export function busOf(x: X87): TestBus {
  return (x as unknown as { bus: TestBus }).bus;
}

export function snapshot(x: X87): unknown {
  const s = x.state;
  const bus = busOf(x);
  return {
    regs: [Array.from(s.sign), Array.from(s.exp), Array.from(s.hi), Array.from(s.lo), Array.from(s.empty)],
    top: s.top,
    sw: s.sw,
    fip: s.fip,
    fop: s.fop,
    fdp: s.fdp,
    mem: Array.from(bus.mem),
    eflags: bus.eflags,
  };
}

/** Runs `execute`, returning the vector it raised, or -1. */
export function execute(x: X87, opcode: number, modrm: number): string {
  try {
    x.execute(opcode, modrm, EA, false);
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

/** Evaluates an entry expression the way a trace does, with `c.fpu`, `ea` and `ip` bound. */
export function callEntry(entry: string, x: X87): unknown {
  const fn = new Function('c', 'ea', 'ip', `return ${entry};`);
  return fn({ fpu: x }, EA, FIP);
}
