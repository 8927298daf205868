/**
 * Fuzzing with random guest code: pages of random bytes (and random register values) must always end in a
 * defined exit — Budget, Syscall or Fault with a known vector — never a host exception or a hang. Each
 * instruction runs alone, and a fault must leave every register, EFLAGS and EIP as they were before it
 * (traps excepted), the restartability invariant the kernel relies on.
 */
import { Reg, RunExit } from '@kmos/abi-driver';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GuestMachine } from './testing/guest.js';

const CODE = 0x00400000;
const DATA = 0x00600000;
const KNOWN_VECTORS = new Set([0, 1, 3, 4, 5, 6, 7, 11, 12, 13, 14, 16]);
const TRAPS = new Set([1, 3, 4]);

function snapshot(m: GuestMachine): number[] {
  const out = [0, 1, 2, 3, 4, 5, 6, 7].map((r) => m.cpu.getReg(r as Reg));
  out.push(m.cpu.eip, m.cpu.eflags);
  for (let s = 0; s < 6; s++) out.push(m.cpu.getSeg(s as never));
  return out;
}

function runRandomPage(bytes: Uint8Array, regValues: number[], steps: number): void {
  const m = new GuestMachine(8 << 20);
  m.map(CODE);
  m.map(CODE + 0x1000);
  m.write(CODE, bytes);
  m.map(DATA);
  m.map(0x007ff000);
  for (let r = 0; r < 8; r++) m.cpu.setReg(r as Reg, regValues[r]);
  m.cpu.setReg(Reg.ESP, 0x007ffff0);
  m.cpu.eip = CODE;
  for (let i = 0; i < steps; i++) {
    const before = snapshot(m);
    const exit = m.cpu.run(1);
    expect([RunExit.Budget, RunExit.Syscall, RunExit.Fault]).toContain(exit);
    if (exit === RunExit.Fault) {
      expect(KNOWN_VECTORS.has(m.cpu.fault.vector)).toBe(true);
      if (!TRAPS.has(m.cpu.fault.vector)) expect(snapshot(m)).toEqual(before);
      return;
    }
  }
}

describe('random code', () => {
  it('always ends in a defined exit with faults restartable', () => {
    const page = fc.uint8Array({ minLength: 8192, maxLength: 8192 });
    const pointerish = fc.oneof(
      fc.integer({ min: DATA, max: DATA + 0xfff }),
      fc.integer({ min: 0, max: 0xffffffff }),
    );
    fc.assert(
      fc.property(page, fc.array(pointerish, { minLength: 8, maxLength: 8 }), (bytes, regValues) => {
        runRandomPage(bytes, regValues, 200);
      }),
      { numRuns: 300, seed: 0x6b6d4f53 },
    );
  }, 120_000);

  it('finishes a long random run within its budget', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8192, maxLength: 8192 }), (bytes) => {
        const m = new GuestMachine(8 << 20);
        m.map(CODE);
        m.map(CODE + 0x1000);
        m.write(CODE, bytes);
        m.map(0x007ff000);
        m.cpu.setReg(Reg.ESP, 0x007ffff0);
        m.cpu.setReg(Reg.ECX, 0xffffffff); // REP with a huge count must still respect the budget
        m.cpu.eip = CODE;
        const exit = m.cpu.run(100_000);
        expect([RunExit.Budget, RunExit.Syscall, RunExit.Fault]).toContain(exit);
        expect(m.cpu.insns).toBeLessThanOrEqual(100_000);
      }),
      { numRuns: 100, seed: 7 },
    );
  }, 120_000);
});
