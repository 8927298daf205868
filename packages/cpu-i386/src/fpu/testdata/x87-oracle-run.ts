/**
 * Runs the x87 oracle (x87-oracle.c) on the host and replays its cases through the X87 class. Test support
 * for the cpu-i386 x87 unit, used by x87.test.ts (and handy from a script when chasing a mismatch).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FpuBus } from '../bus.js';
import { X87 } from '../x87.js';
import { M_TINY, OracleInputs } from './x87-oracle-inputs.js';

const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(here, 'x87-oracle.c');
const MEM_ADDR = 0x1000;
const EFLAGS_STATUS = 0x8d5;

/** Builds the oracle into a cache directory keyed by the source's hash, and runs it. */
export function runOracle(source = SOURCE): string {
  const src = readFileSync(source);
  const hash = createHash('sha256').update(src).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'kmos-x87-oracle');
  mkdirSync(dir, { recursive: true });
  const exe = join(dir, `x87-oracle-${hash}`);
  if (!existsSync(exe)) {
    execFileSync('gcc', [
      '-m32',
      '-ffreestanding',
      '-nostdlib',
      '-static',
      '-fno-pie',
      '-no-pie',
      '-O1',
      '-o',
      exe,
      source,
    ]);
  }
  return execFileSync(exe, { maxBuffer: 1 << 28 }).toString();
}

/** A flat little-endian memory and the register hooks, as the integer core would provide them. */
class TestBus implements FpuBus {
  readonly ram = new Uint8Array(0x10000);
  eflags = 0;
  ax = 0;
  readU8(a: number): number {
    return this.ram[a];
  }
  readU16(a: number): number {
    return this.ram[a] | (this.ram[a + 1] << 8);
  }
  readU32(a: number): number {
    return (this.readU16(a) | (this.readU16(a + 2) << 16)) >>> 0;
  }
  writeU8(a: number, v: number): void {
    this.ram[a] = v;
  }
  writeU16(a: number, v: number): void {
    this.ram[a] = v;
    this.ram[a + 1] = v >>> 8;
  }
  writeU32(a: number, v: number): void {
    this.writeU16(a, v);
    this.writeU16(a + 2, v >>> 16);
  }
  probeWrite(a: number, size: number): void {
    if (a < 0 || a + size > this.ram.length) throw new Error('page fault');
  }
  getEflags(): number {
    return this.eflags;
  }
  setZfPfCf(zf: boolean, pf: boolean, cf: boolean): void {
    this.eflags = (this.eflags & ~EFLAGS_STATUS) | (zf ? 0x40 : 0) | (pf ? 0x04 : 0) | (cf ? 0x01 : 0);
  }
  setAx(v: number): void {
    this.ax = v & 0xffff;
  }
  raise(vector: number): never {
    throw new Error(`x87 raised vector ${vector}`);
  }
  fpuInstructionPointer(): number {
    return 0x8048000;
  }
}

const hex = (v: number, digits: number): string => (v >>> 0).toString(16).padStart(digits, '0');
const get16 = (b: Uint8Array, o: number): number => b[o] | (b[o + 1] << 8);
const get32 = (b: Uint8Array, o: number): number => (get16(b, o) | (get16(b, o + 2) << 16)) >>> 0;

function formatReg(img: Uint8Array, i: number): string {
  const o = 28 + 10 * i;
  return hex(get16(img, o + 8), 4) + hex(get32(img, o + 4), 8) + hex(get32(img, o), 8);
}

/** The same line the C program prints, from an FNSAVE image. */
function formatCase(img: Uint8Array, mem: Uint8Array, outBytes: number, eflags: number, ax: number): string {
  let memHex = '';
  for (let i = 0; i < outBytes; i++) memHex += hex(mem[i], 2);
  const regs = [0, 1, 2].map((i) => formatReg(img, i)).join(' ');
  return `${hex(get16(img, 0), 4)} ${hex(get16(img, 4), 4)} ${hex(get16(img, 8), 4)} ${regs} ${memHex} ${hex(eflags & EFLAGS_STATUS, 4)} ${hex(ax, 4)}`;
}

export interface StubResult {
  name: string;
  cases: number;
  mismatches: string[];
  mismatchCount: number;
  /** Approximate instructions only: cases whose result differs from the host's by one ulp, and the largest gap. */
  inexactCount: number;
  maxUlps: number;
}

/**
 * The host's transcendental instructions are not correctly rounded (ours are); SDM vol. 1, 8.3.10 bounds their
 * error instead of defining the result. The same rule as tests/cpu/documented-accuracy.ts, and nothing looser:
 * for these eight instructions only, when the host's status word has PE set and SF clear (a rounded
 * approximation, not an exact result or a stack fault), the registers that carry the function's value may be
 * the adjacent 80-bit value of the same sign, and C1 (rounded up) follows each side's own rounding. Every other
 * field, including the other registers and every other status bit, must match exactly.
 * One deliberate difference from tests/cpu: adjacent denormals (and the largest denormal next to the smallest
 * normal) count as one ulp too, where documented-accuracy.ts wants normals. The host's FPTAN of a denormal is
 * off by one unit of the denormal grid (tan x is x plus a hair away from zero, so x rounds to x + 1 unit
 * upwards; the host returns x): 8.3.10's bound holds, the correctly rounded value is ours. Zeros, unnormals,
 * infinities and NaNs must be the same bits.
 * The map: the result registers by field (ST(0) is field 3); FPTAN's ST(0) is the exact 1.0 it pushes.
 */
const APPROXIMATE_RESULTS: ReadonlyMap<string, readonly number[]> = new Map([
  ['fsin', [3]],
  ['fcos', [3]],
  ['fsincos', [3, 4]],
  ['fptan', [4]],
  ['fpatan', [3]],
  ['f2xm1', [3]],
  ['fyl2x', [3]],
  ['fyl2xp1', [3]],
]);
export const MAX_ULPS = 1;

/** Fields of a result line: control word, status word, tag word, then ST(0), ST(1), ST(2). */
const FIELD_FSW = 1;
const FSW_PE = 0x20;
const FSW_SF = 0x40;
const FSW_C1 = 0x200;

/**
 * Sign-free 15-bit exponent and 63 fraction bits as one integer, in which adjacent values differ by one; null
 * unless the value is a normal or a (nonzero) denormal.
 */
function finiteMagnitude(h: string): bigint | null {
  const exponent = Number.parseInt(h.slice(0, 4), 16) & 0x7fff;
  const significand = BigInt(`0x${h.slice(4)}`);
  const integerBit = significand >> BigInt(63) !== BigInt(0);
  if (exponent === 0x7fff || significand === BigInt(0) || integerBit !== (exponent !== 0)) return null;
  return (BigInt(exponent) << BigInt(63)) + (significand & ((BigInt(1) << BigInt(63)) - BigInt(1)));
}

/**
 * Distance in ulps between the result registers of two lines that are otherwise equal (C1 aside), for an
 * approximate instruction whose host result is inexact; -1 if the pair is outside the rule above.
 */
function ulpDistance(resultFields: readonly number[], expected: string, actual: string): number {
  const e = expected.split(' ');
  const a = actual.split(' ');
  if (e.length !== a.length) return -1;
  const fsw = Number.parseInt(e[FIELD_FSW], 16);
  if ((fsw & FSW_PE) === 0 || (fsw & FSW_SF) !== 0) return -1;
  if ((fsw | FSW_C1) !== (Number.parseInt(a[FIELD_FSW], 16) | FSW_C1)) return -1;
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    if (e[i] === a[i] || i === FIELD_FSW) continue;
    if (!resultFields.includes(i)) return -1;
    if (e[i][0] >= '8' !== a[i][0] >= '8') return -1;
    const me = finiteMagnitude(e[i]);
    const ma = finiteMagnitude(a[i]);
    if (me === null || ma === null) return -1;
    const d = me - ma;
    const ulps = Number(d < BigInt(0) ? -d : d);
    if (ulps > MAX_ULPS) return -1;
    worst = Math.max(worst, ulps);
  }
  return worst;
}

function describeInput(img: Uint8Array, mem: Uint8Array): string {
  return `cw=${hex(get16(img, 0), 4)} sw=${hex(get16(img, 4), 4)} tw=${hex(get16(img, 8), 4)} st0=${formatReg(img, 0)} st1=${formatReg(img, 1)} mem=${Array.from(mem.subarray(0, 10), (b) => hex(b, 2)).join('')}`;
}

/** Replays every stub of the oracle output through X87. */
export function compareAll(output: string, onStub?: (name: string) => void): StubResult[] {
  const lines = output.split('\n');
  const inputs = new OracleInputs();
  const bus = new TestBus();
  const fpu = new X87(bus);
  const saved = new Uint8Array(108);
  const results: StubResult[] = [];
  let at = 0;
  while (at < lines.length && lines[at].startsWith('I ')) {
    const [, , memtypeS, outBytesS, casesS, bytes, ...nameParts] = lines[at++].split(' ');
    const memtype = Number(memtypeS);
    const outBytes = Number(outBytesS);
    const cases = Number(casesS);
    // An operand-size prefix selects the 16-bit layouts; 0F AE /0 is FXSAVE, which the core hands to saveFxsave.
    const operandSize16 = bytes.startsWith('66');
    const insn = operandSize16 ? bytes.slice(2) : bytes;
    const isFxsave = insn.startsWith('0fae');
    const opcode = Number.parseInt(insn.slice(0, 2), 16);
    const modrm = Number.parseInt(insn.slice(2, 4), 16);
    const name = nameParts.join(' ');
    const resultFields = APPROXIMATE_RESULTS.get(name);
    const result: StubResult = {
      name: memtype === M_TINY ? `${name} near the smallest normal` : name,
      cases,
      mismatches: [],
      mismatchCount: 0,
      inexactCount: 0,
      maxUlps: 0,
    };
    onStub?.(result.name);
    for (let c = 0; c < cases; c++) {
      const expected = lines[at++];
      const st0 = inputs.genState();
      inputs.genMem(memtype, st0);
      const input = describeInput(inputs.img, inputs.mem);
      bus.ram.set(inputs.mem.subarray(0, 128), MEM_ADDR);
      bus.eflags = inputs.flagsIn;
      bus.ax = 0;
      fpu.restoreFnsave(inputs.img, 0, false);
      let actual: string;
      try {
        if (isFxsave) fpu.saveFxsave(bus.ram, MEM_ADDR);
        else fpu.execute(opcode, modrm, MEM_ADDR, operandSize16);
        fpu.saveFnsave(saved, 0, false);
        actual = formatCase(saved, bus.ram.subarray(MEM_ADDR), outBytes, bus.eflags, bus.ax);
      } catch (e) {
        actual = `threw ${(e as Error).stack}`;
      }
      if (actual !== expected && resultFields !== undefined) {
        const ulps = ulpDistance(resultFields, expected, actual);
        if (ulps >= 0) {
          result.inexactCount++;
          result.maxUlps = Math.max(result.maxUlps, ulps);
          continue;
        }
      }
      if (actual !== expected) {
        result.mismatchCount++;
        if (result.mismatches.length < 5)
          result.mismatches.push(`${input}\n   expected ${expected}\n   actual   ${actual}`);
      }
    }
    results.push(result);
  }
  return results;
}
