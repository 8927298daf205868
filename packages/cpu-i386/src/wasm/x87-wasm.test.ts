/**
 * Property test of the x87 functions in WebAssembly (x87-wasm.ts) and of the plans regions follow to call
 * them, against the x87 unit's general path (`execute`): on random register files, control and status words
 * and memory operands (fpu/testdata/x87-cases.ts), every escape instruction with a plan either runs in
 * WebAssembly and leaves exactly the state `execute` leaves (registers, tags, TOP, status word, FIP, FOP, FDP,
 * memory), or declines with nothing changed. Under the default precision and rounding it must decline exactly
 * when the JS fast path (the trace entries, fast-path.ts and memory-fast.ts) declines: the two are one
 * algorithm in two languages.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  busOf,
  callEntry,
  controlWord,
  EA,
  execute,
  FIP,
  form,
  machine,
  memory,
  register,
  snapshot,
  statusWord,
} from '../fpu/testdata/x87-cases.js';
import { x87TraceEntry } from '../fpu/trace-entry.js';
import type { X87 } from '../fpu/x87.js';
import { FCW_DEFAULT } from '../fpu/x87-constants.js';
import { X87_AT, X87_WORD_OUT, x87StorageAt } from './arch-state.js';
import { encodeModule } from './wasm-encoder.js';
import { X87_FUNCTION_NAMES, type X87Function, type X87Plan, x87Functions, x87Plan } from './x87-wasm.js';

interface WasmApi {
  Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const wasmMemory = new wasm.Memory({ initial: 1, maximum: 1 });
/** An arch area whose x87 part starts at 4096 of this one-page memory (the rest of the area is not used). */
const BASE = 4096 - X87_AT;
const functions = (() => {
  const bytes = encodeModule({
    imports: [],
    memoryPages: 1,
    exports: X87_FUNCTION_NAMES,
    functions: x87Functions(BASE),
  });
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory: wasmMemory } });
  return instance.exports as unknown as Record<X87Function, (...args: number[]) => number>;
})();
const out = new Uint32Array(wasmMemory.buffer, BASE + X87_AT + X87_WORD_OUT * 4, 3);

/** Runs `plan` as a region would: true when the WebAssembly functions ran the instruction. */
function runPlan(x: X87, plan: X87Plan, opcode: number, modrm: number): boolean {
  const bus = busOf(x);
  const fop = ((opcode & 7) << 8) | modrm;
  if (plan.load !== null) {
    const { kind, size } = plan.load;
    const lo = size === 2 ? (bus.readU16(EA) << 16) >> 16 : bus.readU32(EA);
    const hi = size >= 8 ? bus.readU32(EA + 4) : 0;
    const se = size === 10 ? bus.readU16(EA + 8) : 0;
    if (functions.decode(kind, lo, hi, se) !== 0) return false;
  }
  if (functions[plan.call](...plan.args, fop, FIP) !== 0) return false;
  if (plan.storeSize > 0) {
    bus.writeU32(EA, out[0] as number);
    if (plan.storeSize >= 8) bus.writeU32(EA + 4, out[1] as number);
    if (plan.storeSize === 10) bus.writeU16(EA + 8, (out[2] as number) & 0xffff);
  }
  if (plan.load !== null || plan.storeSize > 0) x.state.fdp = EA;
  return true;
}

/** Control words: the default (the only one these functions handle) half the time. */
const anyControlWord = fc.oneof(fc.constant(FCW_DEFAULT), fc.constant(FCW_DEFAULT & ~0x20), controlWord);

describe('x87 in WebAssembly', () => {
  it('does what execute does, or declines with nothing changed, as the JS fast path does', () => {
    let ran = 0;
    let planned = 0;
    fc.assert(
      fc.property(
        fc.array(register, { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 0, max: 7 }),
        anyControlWord,
        statusWord,
        form,
        memory,
        (regs, top, cw, sw, [opcode, modrm], mem) => {
          const plan = x87Plan(opcode, modrm);
          if (plan === null) return;
          planned++;
          const viaWasm = machine(regs, top, cw, sw, mem, x87StorageAt(wasmMemory.buffer, BASE));
          const before = snapshot(viaWasm);
          const done = runPlan(viaWasm, plan, opcode, modrm);
          let outcome = 'ok';
          if (done) ran++;
          else {
            expect(snapshot(viaWasm)).toEqual(before);
            outcome = execute(viaWasm, opcode, modrm);
          }
          const viaExecute = machine(regs, top, cw, sw, mem);
          expect(outcome).toBe(execute(viaExecute, opcode, modrm));
          expect(snapshot(viaWasm)).toEqual(snapshot(viaExecute));
          if ((cw & 0xf00) === (FCW_DEFAULT & 0xf00)) {
            const viaEntry = machine(regs, top, cw, sw, mem);
            expect(callEntry(x87TraceEntry(opcode, modrm) as string, viaEntry)).toBe(done);
          }
        },
      ),
      { numRuns: 40000 },
    );
    // Most planned cases have operands these functions take: a version that declines everything fails here.
    expect(ran).toBeGreaterThan(planned / 4);
  }, 240_000);
});
