/**
 * REP MOVS and REP STOS against an element-by-element model of the SDM's definition (vol. 2, MOVS/STOS: read
 * the source element, write the destination element, step ESI/EDI by the element size along DF, one less
 * in ECX), in each tier. The CPU moves whole runs within a page at a time (string-ops.ts); the model moves
 * one element at a time, so runs that overlap, go downwards, cross pages or meet an unmapped page midway
 * must end with the same bytes, and every fault must come with the registers of the element that faulted.
 * A fault is resolved as the kernel would (the page gets mapped) and the instruction restarts.
 */
import { Reg, RunExit, type VirtAddr } from '@kmos/abi-driver';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RegionCompiler } from './cpu.js';
import { assemble, GuestMachine, TEST_CODE, USER_RO, USER_RW } from './testing/guest.js';

/** Four data pages; a case may leave one of them unmapped or read-only until it faults there. */
const WINDOW = 0x00600000;
const WINDOW_PAGES = 4;
const WINDOW_BYTES = WINDOW_PAGES * 4096;
const STACK_TOP = 0x007ffff0;
const PF = 14;
const PF_W = 2;
const PF_U = 4;
const PF_P = 1;

type Kind = 'movs' | 'stos';

interface Case {
  kind: Kind;
  size: 1 | 2 | 4;
  down: boolean;
  count: number;
  src: number;
  dst: number;
  eax: number;
  /** A window page that starts unmapped (-1: none), and one that starts read-only (-1: none). */
  hole: number;
  readOnly: number;
}

/** What a run reports at each fault and at the end. */
interface Trace {
  faults: Array<{ cr2: number; errorCode: number; ecx: number; esi: number; edi: number }>;
  ecx: number;
  esi: number;
  edi: number;
  bytes: Uint8Array;
}

const SUFFIX = { 1: 'b', 2: 'w', 4: 'd' } as const;

function initialBytes(): Uint8Array {
  return new Uint8Array(WINDOW_BYTES).map((_, i) => (i * 131 + (i >> 8) * 7 + 1) & 0xff);
}

/** The SDM's loop, one element at a time; a fault maps its page and the same element goes again. */
function model(t: Case): Trace {
  const mem = initialBytes();
  const present = new Array(WINDOW_PAGES).fill(true);
  const writable = new Array(WINDOW_PAGES).fill(true);
  if (t.hole >= 0) present[t.hole] = false;
  if (t.readOnly >= 0) writable[t.readOnly] = false;
  const faults: Trace['faults'] = [];
  let [ecx, esi, edi] = [t.count, t.src, t.dst];
  const step = t.down ? -t.size : t.size;
  /** The first byte of [lin, lin + size) whose page refuses the access, or -1. */
  const refused = (lin: number, write: boolean): number => {
    for (let i = 0; i < t.size; i++) {
      const page = (lin + i - WINDOW) >> 12;
      if (!present[page] || (write && !writable[page])) return lin + i;
    }
    return -1;
  };
  while (ecx !== 0) {
    const readAt = t.kind === 'movs' ? refused(esi, false) : -1;
    const at = readAt >= 0 ? readAt : refused(edi, true);
    if (at >= 0) {
      const page = (at - WINDOW) >> 12;
      const write = readAt < 0;
      const errorCode = PF_U | (write ? PF_W : 0) | (present[page] ? PF_P : 0);
      faults.push({ cr2: at, errorCode, ecx, esi, edi });
      present[page] = true;
      writable[page] = true;
      continue;
    }
    // The whole element is read before any of it is written.
    const element = Array.from({ length: t.size }, (_, i) =>
      t.kind === 'movs' ? mem[esi - WINDOW + i] : (t.eax >>> (8 * i)) & 0xff,
    );
    mem.set(element, edi - WINDOW);
    if (t.kind === 'movs') esi += step;
    edi += step;
    ecx--;
  }
  return { faults, ecx, esi, edi, bytes: mem };
}

/** The same case on the CPU in one tier: `rep movs`/`rep stos` then `int 0x80`. */
function emulate(
  t: Case,
  jitThreshold: number,
  decodeBlocks: boolean,
  compiler: RegionCompiler,
): Trace & { insns: number } {
  const { code } = assemble(`${t.down ? 'std' : 'cld'}\nrep ${t.kind}${SUFFIX[t.size]}\nint 0x80`);
  const m = new GuestMachine(16 << 20, jitThreshold, decodeBlocks, compiler);
  m.map(TEST_CODE);
  m.write(TEST_CODE, code);
  m.map(STACK_TOP & ~0xfff);
  const frames: number[] = [];
  for (let p = 0; p < WINDOW_PAGES; p++) frames.push(m.allocFrame());
  for (let p = 0; p < WINDOW_PAGES; p++) {
    m.memory.u8.set(initialBytes().subarray(p * 4096, (p + 1) * 4096), frames[p]);
    if (p !== t.hole) m.map(WINDOW + p * 4096, p === t.readOnly ? USER_RO : USER_RW, frames[p]);
  }
  m.cpu.setReg(Reg.ECX, t.count);
  m.cpu.setReg(Reg.ESI, t.src);
  m.cpu.setReg(Reg.EDI, t.dst);
  m.cpu.setReg(Reg.EAX, t.eax);
  m.cpu.setReg(Reg.ESP, STACK_TOP);
  m.cpu.eip = TEST_CODE;
  const faults: Trace['faults'] = [];
  for (let runs = 0; ; runs++) {
    const exit = m.cpu.run(1_000_000);
    if (exit === RunExit.Syscall) break;
    expect(exit).toBe(RunExit.Fault);
    expect(runs).toBeLessThan(WINDOW_PAGES);
    const f = m.cpu.fault;
    expect(f.vector).toBe(PF);
    const reg = (r: Reg) => m.cpu.getReg(r);
    faults.push({
      cr2: f.cr2,
      errorCode: f.errorCode,
      ecx: reg(Reg.ECX),
      esi: reg(Reg.ESI),
      edi: reg(Reg.EDI),
    });
    expect(m.cpu.eip).toBe(TEST_CODE + 1);
    const page = (f.cr2 & ~0xfff) >>> 0;
    m.map(page, USER_RW, frames[(page - WINDOW) >> 12]);
    m.cpu.invlpg(page as VirtAddr);
  }
  const bytes = new Uint8Array(WINDOW_BYTES);
  for (let p = 0; p < WINDOW_PAGES; p++)
    bytes.set(m.memory.u8.subarray(frames[p], frames[p] + 4096), p * 4096);
  const reg = (r: Reg) => m.cpu.getReg(r);
  return { faults, ecx: reg(Reg.ECX), esi: reg(Reg.ESI), edi: reg(Reg.EDI), bytes, insns: m.cpu.insns };
}

const TIERS = [
  ['interpreter', 0, false, 'js'],
  ['decoded blocks', 0, true, 'js'],
  ['compiled traces', 1, false, 'js'],
  ['WebAssembly regions', 1, false, 'wasm'],
  // With the decoded tier, as `kmos run` runs: fewer labels, so more code between them.
  ['WebAssembly regions after decoded blocks', 1, true, 'wasm'],
] as const;

/** Checks `t` in every tier against the model, and the instructions retired. */
function check(t: Case): void {
  const { bytes: expectedBytes, ...expected } = model(t);
  const insns = TIERS.map(([tier, jit, decoded, compiler]) => {
    const { insns, bytes, ...got } = emulate(t, jit, decoded, compiler);
    const label = `${tier}: ${JSON.stringify(t)}`;
    expect(got, label).toEqual(expected);
    expect(firstDifference(bytes, expectedBytes), label).toBe(-1);
    return insns;
  });
  // CLD/STD, the REP (a faulting pass retires nothing; the whole window is under one bulk chunk), INT 0x80.
  expect(insns).toEqual(TIERS.map(() => 3));
}

/** The first offset where `a` and `b` differ, or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (Buffer.compare(a, b) === 0) return -1;
  return a.findIndex((v, i) => v !== b[i]);
}

/** A case whose elements all lie inside the window: `count` is cut to what fits from both start addresses. */
function fitted(c: Omit<Case, 'count'> & { count: number }): Case {
  const room = (at: number) =>
    c.down ? Math.floor((at - WINDOW) / c.size) + 1 : Math.floor((WINDOW + WINDOW_BYTES - at) / c.size);
  const count = Math.min(c.count, room(c.dst), c.kind === 'movs' ? room(c.src) : c.count);
  return { ...c, count };
}

const caseArb = fc
  .record({
    kind: fc.constantFrom<Kind>('movs', 'stos'),
    size: fc.constantFrom<1 | 2 | 4>(1, 2, 4),
    down: fc.boolean(),
    count: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: WINDOW_BYTES })),
    src: fc.integer({ min: 0, max: WINDOW_BYTES - 4 }),
    // Overlaps near the source in both directions, distances of a few elements, or anywhere.
    delta: fc.oneof(fc.integer({ min: -9, max: 9 }), fc.integer({ min: -5000, max: 5000 })),
    eax: fc.integer({ min: 0, max: 0xffffffff }),
    hole: fc.integer({ min: -1, max: WINDOW_PAGES - 1 }),
    readOnly: fc.integer({ min: -1, max: WINDOW_PAGES - 1 }),
  })
  .filter((r) => r.src + r.delta >= 0 && r.src + r.delta <= WINDOW_BYTES - 4)
  .map(({ delta, src, ...r }) =>
    fitted({ ...r, src: WINDOW + src, dst: WINDOW + src + delta, eax: r.eax | 0 }),
  );

describe('REP MOVS / REP STOS in runs', () => {
  it('match element-by-element copying for random overlaps, directions, sizes and faults', () => {
    fc.assert(fc.property(caseArb, check), { numRuns: 150 });
  }, 60_000);

  const base = { kind: 'movs', size: 4, down: false, eax: 0x11223344, hole: -1, readOnly: -1 } as const;
  it.each([
    ['forward, destination one dword above the source (repeats the first element)', { dst: WINDOW + 4 }],
    ['forward, destination 6 bytes above (runs cut to one element)', { dst: WINDOW + 6 }],
    ['forward, destination 3 bytes above (shorter than an element)', { dst: WINDOW + 3 }],
    ['backward, destination below the source', { down: true, src: WINDOW + 0x2000, dst: WINDOW + 0x1ff8 }],
    ['backward, destination above the source', { down: true, src: WINDOW + 0x1ff8, dst: WINDOW + 0x2ff0 }],
    ['a destination page missing midway', { dst: WINDOW + 0x800, src: WINDOW + 0x2000, hole: 1 }],
    ['a source page missing midway', { src: WINDOW + 0x802, dst: WINDOW + 0x2000, hole: 1 }],
    ['a read-only destination page midway, going down', { down: true, src: WINDOW + 0x3ffc, readOnly: 1 }],
  ] as const)('%s', (_, c) => {
    check(fitted({ ...base, src: WINDOW, dst: WINDOW + 0x1000, count: WINDOW_BYTES, ...c }));
  });
});

describe('REP MOVS into compiled code', () => {
  it('tells the code cache, so the patched instruction runs with its new immediate', () => {
    // Each pass copies the next dword of a table over the immediate of `mov eax, imm32` and adds EAX to ESI.
    const source = `
      call here
    here:
      pop ebp
      mov edx, 4
      xor esi, esi
    top:
      push esi
      lea esi, [ebx + edx*4]
      lea edi, [ebp + patch - here + 1]
      mov ecx, 4
      rep movsb
      pop esi
    patch:
      mov eax, 1000
      add esi, eax
      dec edx
      jnz top
      int 0x80`;
    const { code } = assemble(source);
    for (const [tier, jit, decoded, compiler] of TIERS) {
      const m = new GuestMachine(16 << 20, jit, decoded, compiler);
      m.map(TEST_CODE);
      m.write(TEST_CODE, code);
      m.map(WINDOW);
      m.write(WINDOW, new Uint8Array(new Uint32Array([0, 1, 20, 300, 4000]).buffer));
      m.map(STACK_TOP & ~0xfff);
      m.cpu.setReg(Reg.ESP, STACK_TOP);
      m.cpu.setReg(Reg.EBX, WINDOW);
      m.cpu.eip = TEST_CODE;
      expect(m.cpu.run(10_000), tier).toBe(RunExit.Syscall);
      expect(m.cpu.getReg(Reg.ESI), tier).toBe(4000 + 300 + 20 + 1);
    }
  });
});
